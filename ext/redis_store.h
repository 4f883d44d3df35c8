/* RedisStore: the PHP class and its lock operations. */
#ifndef PAYLOCK_REDIS_STORE_H
#define PAYLOCK_REDIS_STORE_H

#include "store.h"

extern zend_class_entry *paylock_ce_RedisStore;

void paylock_redis_store_minit(zend_class_entry *ce);

#endif
