/* FallbackStore: every lock is taken on the local file first (processes of one host queue in the
 * kernel, and only one per host contends on Redis), then on Redis. When Redis cannot be reached the lock
 * proceeds on the local file alone ("degraded"): an E_WARNING (once per request, again at most once a
 * minute in a long-running process, and a notice once Redis is back), stats()['degraded'], and
 * Lock::isDegraded(). Each acquire tries Redis again, so nothing stays degraded once Redis is back.
 *
 * The local lock follows the Redis lease: its holder writes what it holds into the lock file (at
 * the local store's note, which FileStore keeps past its holder line): "P" while it asks Redis, "R<lease end,
 * unix ms>" once Redis granted it, "D" when degraded. A same-host waiter that finds the local lock busy under
 * an "R" whose lease has ended goes to Redis without the local lock: Redis still excludes (the old holder's
 * key is gone or it is another holder's), so two processes never both hold the Redis lock, and a degraded
 * holder ("D", or "P" before it knows) is never bypassed. */
#include "php_paylock.h"
#include "fallback_store.h"
#include "fallback_internal.h"
#include "file_store.h"
#include "redis_store.h"
#include "fs_trust.h"
#include "zend_exceptions.h"

static zend_class_entry *fallback_ce;
static zend_object_handlers fallback_handlers;

static zend_result fallback_init(zend_object *obj, zend_object *redis, zend_object *file, HashTable *options)
{
	paylock_fallback_store *fb = fallback_from_obj(obj);
	zend_string *key;
	zval *val;

	ZEND_HASH_FOREACH_STR_KEY_VAL(options, key, val) {
		ZVAL_DEREF(val);
		if (key && zend_string_equals_literal(key, "on_redis_down")) {
			if (Z_TYPE_P(val) == IS_STRING && zend_string_equals_literal(Z_STR_P(val), "degrade")) {
				fb->fail_when_down = false;
			} else if (Z_TYPE_P(val) == IS_STRING && zend_string_equals_literal(Z_STR_P(val), "fail")) {
				fb->fail_when_down = true;
			} else {
				zend_argument_value_error(3, "option \"on_redis_down\" must be \"degrade\" or \"fail\"");
				return FAILURE;
			}
		} else {
			zend_argument_value_error(3, "contains unknown option \"%s\" (known: on_redis_down)",
									  key ? ZSTR_VAL(key) : "(integer key)");
			return FAILURE;
		}
	}
	ZEND_HASH_FOREACH_END();
	if ((fb->redis = paylock_store_from_obj(redis)) == NULL ||
		(fb->file = paylock_store_from_obj(file)) == NULL) {
		return FAILURE;
	}
	if (fb->redis->ops->fence_above == NULL || fb->redis->ops->where == NULL) {
		zend_argument_value_error(1, "must be a store that can be FallbackStore's remote part");
		return FAILURE;
	}
	if (fb->file->ops->local == NULL) {
		zend_argument_value_error(2, "must be a store that can be FallbackStore's local part");
		return FAILURE;
	}
	GC_ADDREF(redis);
	GC_ADDREF(file);
	fb->redis_obj = redis;
	fb->file_obj = file;
	fb->base.ops = &paylock_fallback_ops;
	return SUCCESS;
}

ZEND_METHOD(PayLock_FallbackStore, __construct)
{
	zend_object *redis, *file;
	HashTable *options = NULL;

	ZEND_PARSE_PARAMETERS_START(2, 3)
		Z_PARAM_OBJ_OF_CLASS(redis, paylock_ce_RedisStore)
		Z_PARAM_OBJ_OF_CLASS(file, paylock_ce_FileStore)
		Z_PARAM_OPTIONAL
		Z_PARAM_ARRAY_HT(options)
	ZEND_PARSE_PARAMETERS_END();

	if (fallback_from_obj(Z_OBJ_P(ZEND_THIS))->base.ops) {
		zend_throw_error(NULL, "Cannot call PayLock\\FallbackStore::__construct() twice");
		RETURN_THROWS();
	}
	if (fallback_init(Z_OBJ_P(ZEND_THIS), redis, file, options ? options : (HashTable *)&zend_empty_array) ==
		FAILURE) {
		RETURN_THROWS();
	}
}

/* The default pairing (the kinds table's "fallback"): a RedisStore and a FileStore made from ini. */
zend_result paylock_fallback_store_from_ini(zval *out)
{
	zval redis, file;

	ZVAL_UNDEF(out);
	if (paylock_redis_store_from_ini(&redis) == FAILURE) {
		return FAILURE;
	}
	if (paylock_file_store_from_ini(&file) == FAILURE) {
		zval_ptr_dtor(&redis);
		return FAILURE;
	}
	object_init_ex(out, fallback_ce);
	fallback_init(Z_OBJ_P(out), Z_OBJ(redis), Z_OBJ(file), (HashTable *)&zend_empty_array);
	fallback_from_obj(Z_OBJ_P(out))->fail_when_down = strcmp(PAYLOCK_G(on_redis_down), "fail") == 0;
	zval_ptr_dtor(&redis);
	zval_ptr_dtor(&file);
	return SUCCESS;
}

static zend_object *fallback_create(zend_class_entry *ce)
{
	return paylock_object_new(ce, sizeof(paylock_fallback_store), &fallback_handlers);
}

static void fallback_free(zend_object *obj)
{
	paylock_fallback_store *fb = fallback_from_obj(obj);

	if (fb->redis_obj) {
		OBJ_RELEASE(fb->redis_obj);
	}
	if (fb->file_obj) {
		OBJ_RELEASE(fb->file_obj);
	}
	zend_object_std_dtor(obj);
}

void paylock_fallback_store_minit(zend_class_entry *ce)
{
	fallback_ce = ce;
	ce->create_object = fallback_create;
	paylock_handlers_init(&fallback_handlers, XtOffsetOf(paylock_fallback_store, std), fallback_free);
}
