/* Redis Cluster key slots (cluster specification, "Keys distribution model"). */
#include "redis_slot.h"

#include <string.h>

/* CRC16, CCITT polynomial 0x1021, initial 0 (XMODEM): bitwise, keys are short. */
static uint16_t crc16(const char *buf, size_t len)
{
	uint16_t crc = 0;

	for (size_t i = 0; i < len; i++) {
		crc ^= (uint16_t)((unsigned char)buf[i] << 8);
		for (int b = 0; b < 8; b++) {
			crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
		}
	}
	return crc;
}

uint16_t paylock_redis_key_slot(const char *key, size_t len)
{
	const char *open = memchr(key, '{', len);

	if (open != NULL) {
		size_t from = (size_t)(open - key) + 1;
		const char *close = memchr(key + from, '}', len - from);

		if (close != NULL && close > key + from) { /* "{}" is no tag: the whole key counts */
			return crc16(key + from, (size_t)(close - (key + from))) & (PAYLOCK_CLUSTER_SLOTS - 1);
		}
	}
	return crc16(key, len) & (PAYLOCK_CLUSTER_SLOTS - 1);
}
