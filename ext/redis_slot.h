/* Redis Cluster hash slots: which of the 16384 slots a key lives in (CRC16 of the key, or of its hash tag).
 */
#ifndef PAYLOCK_REDIS_SLOT_H
#define PAYLOCK_REDIS_SLOT_H

#include <stddef.h>
#include <stdint.h>

#define PAYLOCK_CLUSTER_SLOTS 16384

/* The slot of key: CRC16-XMODEM of the text between the first '{' and the next '}' when that is not empty,
 * else of the whole key, modulo 16384 (the Redis Cluster specification). */
uint16_t paylock_redis_key_slot(const char *key, size_t len);

#endif
