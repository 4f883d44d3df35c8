/* What a Redis server must keep for PayLock's promises: lock keys, fencing counters and idempotency
 * records. Looked at once per process per server, when the first connection to it is made. */
#ifndef PAYLOCK_REDIS_DURABILITY_H
#define PAYLOCK_REDIS_DURABILITY_H

#include "redis_conn.h"

/* What the connection setup learnt about a server. Strings are NULL when the server did not say. */
typedef struct {
	const char *policy; /* maxmemory-policy (CONFIG GET, or INFO memory when CONFIG is refused) */
	size_t policy_len;
	int persistent; /* 1: AOF or RDB save points; 0: neither; -1: unknown (CONFIG refused, no AOF) */
} paylock_durability_facts;

/* Records the facts for c->where and warns once per process per server about eviction (locks, counters
 * and records). May leave an exception pending (an error handler that throws on warnings). */
void paylock_durability_note(const paylock_redis_client *c, const paylock_durability_facts *f);
/* Whether c->where was looked at already in this process. */
bool paylock_durability_known(const paylock_redis_client *c);
/* Idempotency records only: marks c as holding records, and warns once per process per server when the
 * server keeps no data across a restart (now, or when c's next command connects). No round trip. */
void paylock_redis_durability_check(paylock_redis_client *c);

/* Parses "name:value" out of an INFO section's text. */
const char *paylock_info_field(const char *info, size_t len, const char *name, size_t *out_len);

#endif
