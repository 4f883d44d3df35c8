/* RedisStore: the PHP class and its lock operations. */
#ifndef PAYLOCK_REDIS_STORE_H
#define PAYLOCK_REDIS_STORE_H

#include "store.h"
#include "redis_conn.h"

extern zend_class_entry *paylock_ce_RedisStore;

void paylock_redis_store_minit(zend_class_entry *ce);
/* A RedisStore on paylock.redis_dsn (the kinds table's "redis"). Throws; out is UNDEF then. */
zend_result paylock_redis_store_from_ini(zval *out);
/* Request start and end: acquires of unknown outcome still to undo are tried once more at request end. */
void paylock_redis_store_rinit(void);
void paylock_redis_store_rshutdown(void);
/* The connection settings of a RedisStore (for redis_idem.c). */
paylock_redis_client *paylock_redis_store_client(paylock_store *s);
/* Issues l->fence (if not issued yet) above floor too: FallbackStore passes its local token. */
paylock_status paylock_redis_fence_above(paylock_store *s, paylock_lock_state *l, int64_t floor,
										 paylock_error *err);
/* Idempotency records on Redis (redis_idem.c). */
extern const paylock_idem_ops paylock_redis_idem_ops;
void paylock_redis_idem_minit(void);

#endif
