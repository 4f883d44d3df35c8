/* RedisStore: the PHP class and its lock operations. What redis_store.c and redis_idem.c share is in
 * redis_internal.h. */
#ifndef PAYLOCK_REDIS_STORE_H
#define PAYLOCK_REDIS_STORE_H

#include "store.h"

extern zend_class_entry *paylock_ce_RedisStore;

void paylock_redis_store_minit(zend_class_entry *ce);
/* A RedisStore on paylock.redis_dsn (the kinds table's "redis"). Throws; out is UNDEF then. */
zend_result paylock_redis_store_from_ini(zval *out);
/* Request start and end: acquires of unknown outcome still to undo are tried once more at request end. */
void paylock_redis_store_rinit(void);
void paylock_redis_store_rshutdown(void);

#define PAYLOCK_REDIS_FENCE_MAX PAYLOCK_FENCE_MAX

#endif
