/* RedisStore: the PHP class and its lock operations. */
#ifndef PAYLOCK_REDIS_STORE_H
#define PAYLOCK_REDIS_STORE_H

#include "store.h"

extern zend_class_entry *paylock_ce_RedisStore;

void paylock_redis_store_minit(zend_class_entry *ce);
/* Runs the constructor's work on a new RedisStore object (defaultStore() uses it). Throws. */
zend_result paylock_redis_store_init(zend_object *obj, zend_string *dsn, HashTable *options);

#endif
