/* What RedisStore's own files share (redis_store.c, redis_idem.c), and nothing else includes. */
#ifndef PAYLOCK_REDIS_INTERNAL_H
#define PAYLOCK_REDIS_INTERNAL_H

#include "store.h"
#include "redis_conn.h"

typedef struct {
	paylock_store base; /* first: see paylock_store_from_obj() */
	paylock_redis_client client;
	zend_object std;
} paylock_redis_store;

/* The connection settings of a RedisStore. */
static inline paylock_redis_client *paylock_redis_store_client(paylock_store *s)
{
	return &((paylock_redis_store *)s)->client;
}

/* How long a hand-off waits for its waiter to claim it (ms, a script argument). */
#define PAYLOCK_REDIS_GRANT_MS "100"

/* "<token>:<pid>:<ms>:<host>[|<fence>][+]" (a lock's value) -> holder() array. FAILED: not PayLock's. */
paylock_status paylock_redis_describe_value(const char *v, size_t len, long long pttl, zval *out);

/* Idempotency records on Redis (redis_idem.c). */
extern const paylock_idem_ops paylock_redis_idem_ops;
void paylock_redis_idem_minit(void);

#endif
