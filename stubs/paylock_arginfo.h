/* This is a generated file, edit the .stub.php file instead.
 * Stub hash: 4f45288fa98cc62f0d6fd67c4487e2277e2a2bad */

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_PayLock_defaultStore, 0, 0, PayLock\\Store, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_PayLock_holder, 0, 2, IS_ARRAY, 1)
	ZEND_ARG_OBJ_INFO(0, store, PayLock\\Store, 0)
	ZEND_ARG_TYPE_INFO(0, name, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_PayLock_stats, 0, 0, IS_ARRAY, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_PayLock_metrics, 0, 0, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_PayLock_setLogger, 0, 1, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, logger, IS_MIXED, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_INFO_EX(arginfo_class_PayLock_RedisStore___construct, 0, 0, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, dsn, IS_STRING, 1, "null")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, options, IS_ARRAY, 0, "[]")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_PayLock_RedisStore_ping, 0, 0, _IS_BOOL, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_INFO_EX(arginfo_class_PayLock_FileStore___construct, 0, 0, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, dir, IS_STRING, 1, "null")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, group, IS_STRING, 1, "null")
ZEND_END_ARG_INFO()

#define arginfo_class_PayLock_FileStore_directory arginfo_PayLock_metrics

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_PayLock_FileStore_purge, 0, 0, IS_LONG, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_INFO_EX(arginfo_class_PayLock_FallbackStore___construct, 0, 0, 2)
	ZEND_ARG_OBJ_INFO(0, primary, PayLock\\RedisStore, 0)
	ZEND_ARG_OBJ_INFO(0, local, PayLock\\FileStore, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, options, IS_ARRAY, 0, "[]")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_INFO_EX(arginfo_class_PayLock_Lock___construct, 0, 0, 2)
	ZEND_ARG_OBJ_INFO(0, store, PayLock\\Store, 0)
	ZEND_ARG_TYPE_INFO(0, name, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, ttl, IS_DOUBLE, 1, "null")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_PayLock_Lock_acquire, 0, 0, _IS_BOOL, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, wait, IS_DOUBLE, 0, "0.0")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_PayLock_Lock_acquireOrFail, 0, 0, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, wait, IS_DOUBLE, 0, "0.0")
ZEND_END_ARG_INFO()

#define arginfo_class_PayLock_Lock_release arginfo_class_PayLock_RedisStore_ping

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_PayLock_Lock_refresh, 0, 0, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, ttl, IS_DOUBLE, 1, "null")
ZEND_END_ARG_INFO()

#define arginfo_class_PayLock_Lock_isAcquired arginfo_class_PayLock_RedisStore_ping

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_PayLock_Lock_remainingLifetime, 0, 0, IS_DOUBLE, 1)
ZEND_END_ARG_INFO()

#define arginfo_class_PayLock_Lock_fencingToken arginfo_class_PayLock_FileStore_purge

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_PayLock_Lock_run, 0, 1, IS_MIXED, 0)
	ZEND_ARG_TYPE_INFO(0, fn, IS_CALLABLE, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, wait, IS_DOUBLE, 0, "0.0")
ZEND_END_ARG_INFO()

#define arginfo_class_PayLock_Lock_isDegraded arginfo_class_PayLock_RedisStore_ping

ZEND_BEGIN_ARG_INFO_EX(arginfo_class_PayLock_MultiLock___construct, 0, 0, 2)
	ZEND_ARG_OBJ_INFO(0, store, PayLock\\Store, 0)
	ZEND_ARG_TYPE_INFO(0, names, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, ttl, IS_DOUBLE, 1, "null")
ZEND_END_ARG_INFO()

#define arginfo_class_PayLock_MultiLock_acquire arginfo_class_PayLock_Lock_acquire

#define arginfo_class_PayLock_MultiLock_acquireOrFail arginfo_class_PayLock_Lock_acquireOrFail

#define arginfo_class_PayLock_MultiLock_release arginfo_class_PayLock_RedisStore_ping

#define arginfo_class_PayLock_MultiLock_refresh arginfo_class_PayLock_Lock_refresh

#define arginfo_class_PayLock_MultiLock_isAcquired arginfo_class_PayLock_RedisStore_ping

#define arginfo_class_PayLock_MultiLock_remainingLifetime arginfo_class_PayLock_Lock_remainingLifetime

#define arginfo_class_PayLock_MultiLock_run arginfo_class_PayLock_Lock_run

#define arginfo_class_PayLock_MultiLock_isDegraded arginfo_class_PayLock_RedisStore_ping

#define arginfo_class_PayLock_MultiLock_fencingTokens arginfo_PayLock_stats

#define arginfo_class_PayLock_MultiLock_names arginfo_PayLock_stats

ZEND_BEGIN_ARG_INFO_EX(arginfo_class_PayLock_IdempotencyGuard___construct, 0, 0, 1)
	ZEND_ARG_OBJ_INFO(0, store, PayLock\\Store, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, options, IS_ARRAY, 0, "[]")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_PayLock_IdempotencyGuard_run, 0, 2, IS_MIXED, 0)
	ZEND_ARG_TYPE_INFO(0, key, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, fn, IS_CALLABLE, 0)
	ZEND_ARG_TYPE_MASK(0, fingerprint, MAY_BE_ARRAY|MAY_BE_STRING|MAY_BE_NULL, "null")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, wait, IS_DOUBLE, 0, "0.0")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, options, IS_ARRAY, 0, "[]")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_OBJ_INFO_EX(arginfo_class_PayLock_IdempotencyGuard_begin, 0, 1, PayLock\\Claim, 0)
	ZEND_ARG_TYPE_INFO(0, key, IS_STRING, 0)
	ZEND_ARG_TYPE_MASK(0, fingerprint, MAY_BE_ARRAY|MAY_BE_STRING|MAY_BE_NULL, "null")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, wait, IS_DOUBLE, 0, "0.0")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_PayLock_IdempotencyGuard_forget, 0, 1, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, key, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, force, _IS_BOOL, 0, "false")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_INFO_EX(arginfo_class_PayLock_Claim___construct, 0, 0, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_PayLock_Claim_isReplay arginfo_class_PayLock_RedisStore_ping

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_PayLock_Claim_result, 0, 0, IS_MIXED, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_PayLock_Claim_complete, 0, 1, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, result, IS_MIXED, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_PayLock_Claim_abandon, 0, 0, IS_VOID, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_PayLock_Claim_markUnknown arginfo_class_PayLock_Claim_abandon

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_PayLock_Claim_refresh, 0, 0, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, seconds, IS_DOUBLE, 1, "null")
ZEND_END_ARG_INFO()

#define arginfo_class_PayLock_Claim_attempt arginfo_class_PayLock_FileStore_purge

#define arginfo_class_PayLock_Claim_key arginfo_PayLock_metrics

ZEND_BEGIN_ARG_INFO_EX(arginfo_class_PayLock_Admin___construct, 0, 0, 1)
	ZEND_ARG_OBJ_INFO(0, store, PayLock\\Store, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_PayLock_Admin_locks, 0, 0, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, prefix, IS_STRING, 0, "\"\"")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, cursor, IS_STRING, 1, "null")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, count, IS_LONG, 0, "100")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_PayLock_Admin_queue, 0, 1, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO(0, name, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, max, IS_LONG, 0, "100")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_PayLock_Admin_forceRelease, 0, 1, IS_ARRAY, 1)
	ZEND_ARG_TYPE_INFO(0, name, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_PayLock_Admin_records, 0, 0, IS_ARRAY, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, state, IS_STRING, 1, "null")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, prefix, IS_STRING, 0, "\"idem:\"")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, cursor, IS_STRING, 1, "null")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, count, IS_LONG, 0, "100")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_PayLock_Admin_forget, 0, 1, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, key, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, scope, IS_STRING, 0, "\"\"")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, prefix, IS_STRING, 0, "\"idem:\"")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_PayLock_Admin_markDone, 0, 2, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, key, IS_STRING, 0)
	ZEND_ARG_TYPE_INFO(0, result, IS_MIXED, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, scope, IS_STRING, 0, "\"\"")
	ZEND_ARG_TYPE_MASK(0, fingerprint, MAY_BE_ARRAY|MAY_BE_STRING|MAY_BE_NULL, "null")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, retention, IS_DOUBLE, 0, "86400.0")
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, prefix, IS_STRING, 0, "\"idem:\"")
ZEND_END_ARG_INFO()


ZEND_FUNCTION(PayLock_defaultStore);
ZEND_FUNCTION(PayLock_holder);
ZEND_FUNCTION(PayLock_stats);
ZEND_FUNCTION(PayLock_metrics);
ZEND_FUNCTION(PayLock_setLogger);
ZEND_METHOD(PayLock_RedisStore, __construct);
ZEND_METHOD(PayLock_RedisStore, ping);
ZEND_METHOD(PayLock_FileStore, __construct);
ZEND_METHOD(PayLock_FileStore, directory);
ZEND_METHOD(PayLock_FileStore, purge);
ZEND_METHOD(PayLock_FallbackStore, __construct);
ZEND_METHOD(PayLock_Lock, __construct);
ZEND_METHOD(PayLock_Lock, acquire);
ZEND_METHOD(PayLock_Lock, acquireOrFail);
ZEND_METHOD(PayLock_Lock, release);
ZEND_METHOD(PayLock_Lock, refresh);
ZEND_METHOD(PayLock_Lock, isAcquired);
ZEND_METHOD(PayLock_Lock, remainingLifetime);
ZEND_METHOD(PayLock_Lock, fencingToken);
ZEND_METHOD(PayLock_Lock, run);
ZEND_METHOD(PayLock_Lock, isDegraded);
ZEND_METHOD(PayLock_MultiLock, __construct);
ZEND_METHOD(PayLock_MultiLock, fencingTokens);
ZEND_METHOD(PayLock_MultiLock, names);
ZEND_METHOD(PayLock_IdempotencyGuard, __construct);
ZEND_METHOD(PayLock_IdempotencyGuard, run);
ZEND_METHOD(PayLock_IdempotencyGuard, begin);
ZEND_METHOD(PayLock_IdempotencyGuard, forget);
ZEND_METHOD(PayLock_Claim, __construct);
ZEND_METHOD(PayLock_Claim, isReplay);
ZEND_METHOD(PayLock_Claim, result);
ZEND_METHOD(PayLock_Claim, complete);
ZEND_METHOD(PayLock_Claim, abandon);
ZEND_METHOD(PayLock_Claim, markUnknown);
ZEND_METHOD(PayLock_Claim, refresh);
ZEND_METHOD(PayLock_Claim, attempt);
ZEND_METHOD(PayLock_Claim, key);
ZEND_METHOD(PayLock_Admin, __construct);
ZEND_METHOD(PayLock_Admin, locks);
ZEND_METHOD(PayLock_Admin, queue);
ZEND_METHOD(PayLock_Admin, forceRelease);
ZEND_METHOD(PayLock_Admin, records);
ZEND_METHOD(PayLock_Admin, forget);
ZEND_METHOD(PayLock_Admin, markDone);


static const zend_function_entry ext_functions[] = {
	ZEND_NS_FALIAS("PayLock", defaultStore, PayLock_defaultStore, arginfo_PayLock_defaultStore)
	ZEND_NS_FALIAS("PayLock", holder, PayLock_holder, arginfo_PayLock_holder)
	ZEND_NS_FALIAS("PayLock", stats, PayLock_stats, arginfo_PayLock_stats)
	ZEND_NS_FALIAS("PayLock", metrics, PayLock_metrics, arginfo_PayLock_metrics)
	ZEND_NS_FALIAS("PayLock", setLogger, PayLock_setLogger, arginfo_PayLock_setLogger)
	ZEND_FE_END
};


static const zend_function_entry class_PayLock_Store_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_PayLock_RedisStore_methods[] = {
	ZEND_ME(PayLock_RedisStore, __construct, arginfo_class_PayLock_RedisStore___construct, ZEND_ACC_PUBLIC)
	ZEND_ME(PayLock_RedisStore, ping, arginfo_class_PayLock_RedisStore_ping, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};


static const zend_function_entry class_PayLock_FileStore_methods[] = {
	ZEND_ME(PayLock_FileStore, __construct, arginfo_class_PayLock_FileStore___construct, ZEND_ACC_PUBLIC)
	ZEND_ME(PayLock_FileStore, directory, arginfo_class_PayLock_FileStore_directory, ZEND_ACC_PUBLIC)
	ZEND_ME(PayLock_FileStore, purge, arginfo_class_PayLock_FileStore_purge, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};


static const zend_function_entry class_PayLock_FallbackStore_methods[] = {
	ZEND_ME(PayLock_FallbackStore, __construct, arginfo_class_PayLock_FallbackStore___construct, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};


static const zend_function_entry class_PayLock_Lock_methods[] = {
	ZEND_ME(PayLock_Lock, __construct, arginfo_class_PayLock_Lock___construct, ZEND_ACC_PUBLIC)
	ZEND_ME(PayLock_Lock, acquire, arginfo_class_PayLock_Lock_acquire, ZEND_ACC_PUBLIC)
	ZEND_ME(PayLock_Lock, acquireOrFail, arginfo_class_PayLock_Lock_acquireOrFail, ZEND_ACC_PUBLIC)
	ZEND_ME(PayLock_Lock, release, arginfo_class_PayLock_Lock_release, ZEND_ACC_PUBLIC)
	ZEND_ME(PayLock_Lock, refresh, arginfo_class_PayLock_Lock_refresh, ZEND_ACC_PUBLIC)
	ZEND_ME(PayLock_Lock, isAcquired, arginfo_class_PayLock_Lock_isAcquired, ZEND_ACC_PUBLIC)
	ZEND_ME(PayLock_Lock, remainingLifetime, arginfo_class_PayLock_Lock_remainingLifetime, ZEND_ACC_PUBLIC)
	ZEND_ME(PayLock_Lock, fencingToken, arginfo_class_PayLock_Lock_fencingToken, ZEND_ACC_PUBLIC)
	ZEND_ME(PayLock_Lock, run, arginfo_class_PayLock_Lock_run, ZEND_ACC_PUBLIC)
	ZEND_ME(PayLock_Lock, isDegraded, arginfo_class_PayLock_Lock_isDegraded, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};


static const zend_function_entry class_PayLock_MultiLock_methods[] = {
	ZEND_ME(PayLock_MultiLock, __construct, arginfo_class_PayLock_MultiLock___construct, ZEND_ACC_PUBLIC)
	ZEND_MALIAS(PayLock_Lock, acquire, acquire, arginfo_class_PayLock_MultiLock_acquire, ZEND_ACC_PUBLIC)
	ZEND_MALIAS(PayLock_Lock, acquireOrFail, acquireOrFail, arginfo_class_PayLock_MultiLock_acquireOrFail, ZEND_ACC_PUBLIC)
	ZEND_MALIAS(PayLock_Lock, release, release, arginfo_class_PayLock_MultiLock_release, ZEND_ACC_PUBLIC)
	ZEND_MALIAS(PayLock_Lock, refresh, refresh, arginfo_class_PayLock_MultiLock_refresh, ZEND_ACC_PUBLIC)
	ZEND_MALIAS(PayLock_Lock, isAcquired, isAcquired, arginfo_class_PayLock_MultiLock_isAcquired, ZEND_ACC_PUBLIC)
	ZEND_MALIAS(PayLock_Lock, remainingLifetime, remainingLifetime, arginfo_class_PayLock_MultiLock_remainingLifetime, ZEND_ACC_PUBLIC)
	ZEND_MALIAS(PayLock_Lock, run, run, arginfo_class_PayLock_MultiLock_run, ZEND_ACC_PUBLIC)
	ZEND_MALIAS(PayLock_Lock, isDegraded, isDegraded, arginfo_class_PayLock_MultiLock_isDegraded, ZEND_ACC_PUBLIC)
	ZEND_ME(PayLock_MultiLock, fencingTokens, arginfo_class_PayLock_MultiLock_fencingTokens, ZEND_ACC_PUBLIC)
	ZEND_ME(PayLock_MultiLock, names, arginfo_class_PayLock_MultiLock_names, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};


static const zend_function_entry class_PayLock_IdempotencyGuard_methods[] = {
	ZEND_ME(PayLock_IdempotencyGuard, __construct, arginfo_class_PayLock_IdempotencyGuard___construct, ZEND_ACC_PUBLIC)
	ZEND_ME(PayLock_IdempotencyGuard, run, arginfo_class_PayLock_IdempotencyGuard_run, ZEND_ACC_PUBLIC)
	ZEND_ME(PayLock_IdempotencyGuard, begin, arginfo_class_PayLock_IdempotencyGuard_begin, ZEND_ACC_PUBLIC)
	ZEND_ME(PayLock_IdempotencyGuard, forget, arginfo_class_PayLock_IdempotencyGuard_forget, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};


static const zend_function_entry class_PayLock_Claim_methods[] = {
	ZEND_ME(PayLock_Claim, __construct, arginfo_class_PayLock_Claim___construct, ZEND_ACC_PRIVATE)
	ZEND_ME(PayLock_Claim, isReplay, arginfo_class_PayLock_Claim_isReplay, ZEND_ACC_PUBLIC)
	ZEND_ME(PayLock_Claim, result, arginfo_class_PayLock_Claim_result, ZEND_ACC_PUBLIC)
	ZEND_ME(PayLock_Claim, complete, arginfo_class_PayLock_Claim_complete, ZEND_ACC_PUBLIC)
	ZEND_ME(PayLock_Claim, abandon, arginfo_class_PayLock_Claim_abandon, ZEND_ACC_PUBLIC)
	ZEND_ME(PayLock_Claim, markUnknown, arginfo_class_PayLock_Claim_markUnknown, ZEND_ACC_PUBLIC)
	ZEND_ME(PayLock_Claim, refresh, arginfo_class_PayLock_Claim_refresh, ZEND_ACC_PUBLIC)
	ZEND_ME(PayLock_Claim, attempt, arginfo_class_PayLock_Claim_attempt, ZEND_ACC_PUBLIC)
	ZEND_ME(PayLock_Claim, key, arginfo_class_PayLock_Claim_key, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};


static const zend_function_entry class_PayLock_Admin_methods[] = {
	ZEND_ME(PayLock_Admin, __construct, arginfo_class_PayLock_Admin___construct, ZEND_ACC_PUBLIC)
	ZEND_ME(PayLock_Admin, locks, arginfo_class_PayLock_Admin_locks, ZEND_ACC_PUBLIC)
	ZEND_ME(PayLock_Admin, queue, arginfo_class_PayLock_Admin_queue, ZEND_ACC_PUBLIC)
	ZEND_ME(PayLock_Admin, forceRelease, arginfo_class_PayLock_Admin_forceRelease, ZEND_ACC_PUBLIC)
	ZEND_ME(PayLock_Admin, records, arginfo_class_PayLock_Admin_records, ZEND_ACC_PUBLIC)
	ZEND_ME(PayLock_Admin, forget, arginfo_class_PayLock_Admin_forget, ZEND_ACC_PUBLIC)
	ZEND_ME(PayLock_Admin, markDone, arginfo_class_PayLock_Admin_markDone, ZEND_ACC_PUBLIC)
	ZEND_FE_END
};


static const zend_function_entry class_PayLock_Exception_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_PayLock_ConnectionException_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_PayLock_ReplicationException_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_PayLock_LockTimeoutException_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_PayLock_LockLostException_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_PayLock_InProgressException_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_PayLock_FingerprintMismatchException_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_PayLock_OutcomeUnknownException_methods[] = {
	ZEND_FE_END
};


static const zend_function_entry class_PayLock_StoreException_methods[] = {
	ZEND_FE_END
};

static zend_class_entry *register_class_PayLock_Store(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "PayLock", "Store", class_PayLock_Store_methods);
	class_entry = zend_register_internal_interface(&ce);

	return class_entry;
}

static zend_class_entry *register_class_PayLock_RedisStore(zend_class_entry *class_entry_PayLock_Store)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "PayLock", "RedisStore", class_PayLock_RedisStore_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_FINAL|ZEND_ACC_NO_DYNAMIC_PROPERTIES|ZEND_ACC_NOT_SERIALIZABLE;
	zend_class_implements(class_entry, 1, class_entry_PayLock_Store);


	zend_add_parameter_attribute(zend_hash_str_find_ptr(&class_entry->function_table, "__construct", sizeof("__construct") - 1), 0, ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER), 0);

	return class_entry;
}

static zend_class_entry *register_class_PayLock_FileStore(zend_class_entry *class_entry_PayLock_Store)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "PayLock", "FileStore", class_PayLock_FileStore_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_FINAL|ZEND_ACC_NO_DYNAMIC_PROPERTIES|ZEND_ACC_NOT_SERIALIZABLE;
	zend_class_implements(class_entry, 1, class_entry_PayLock_Store);

	return class_entry;
}

static zend_class_entry *register_class_PayLock_FallbackStore(zend_class_entry *class_entry_PayLock_Store)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "PayLock", "FallbackStore", class_PayLock_FallbackStore_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_FINAL|ZEND_ACC_NO_DYNAMIC_PROPERTIES|ZEND_ACC_NOT_SERIALIZABLE;
	zend_class_implements(class_entry, 1, class_entry_PayLock_Store);

	return class_entry;
}

static zend_class_entry *register_class_PayLock_Lock(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "PayLock", "Lock", class_PayLock_Lock_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_FINAL|ZEND_ACC_NO_DYNAMIC_PROPERTIES|ZEND_ACC_NOT_SERIALIZABLE;

	return class_entry;
}

static zend_class_entry *register_class_PayLock_MultiLock(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "PayLock", "MultiLock", class_PayLock_MultiLock_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_FINAL|ZEND_ACC_NO_DYNAMIC_PROPERTIES|ZEND_ACC_NOT_SERIALIZABLE;

	return class_entry;
}

static zend_class_entry *register_class_PayLock_IdempotencyGuard(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "PayLock", "IdempotencyGuard", class_PayLock_IdempotencyGuard_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_FINAL|ZEND_ACC_NO_DYNAMIC_PROPERTIES|ZEND_ACC_NOT_SERIALIZABLE;

	return class_entry;
}

static zend_class_entry *register_class_PayLock_Claim(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "PayLock", "Claim", class_PayLock_Claim_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_FINAL|ZEND_ACC_NO_DYNAMIC_PROPERTIES|ZEND_ACC_NOT_SERIALIZABLE;

	return class_entry;
}

static zend_class_entry *register_class_PayLock_Admin(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "PayLock", "Admin", class_PayLock_Admin_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);
	class_entry->ce_flags |= ZEND_ACC_FINAL|ZEND_ACC_NO_DYNAMIC_PROPERTIES|ZEND_ACC_NOT_SERIALIZABLE;

	return class_entry;
}

static zend_class_entry *register_class_PayLock_Exception(zend_class_entry *class_entry_RuntimeException)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "PayLock", "Exception", class_PayLock_Exception_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_RuntimeException);

	return class_entry;
}

static zend_class_entry *register_class_PayLock_ConnectionException(zend_class_entry *class_entry_PayLock_Exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "PayLock", "ConnectionException", class_PayLock_ConnectionException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_PayLock_Exception);

	return class_entry;
}

static zend_class_entry *register_class_PayLock_ReplicationException(zend_class_entry *class_entry_PayLock_ConnectionException)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "PayLock", "ReplicationException", class_PayLock_ReplicationException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_PayLock_ConnectionException);

	return class_entry;
}

static zend_class_entry *register_class_PayLock_LockTimeoutException(zend_class_entry *class_entry_PayLock_Exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "PayLock", "LockTimeoutException", class_PayLock_LockTimeoutException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_PayLock_Exception);

	return class_entry;
}

static zend_class_entry *register_class_PayLock_LockLostException(zend_class_entry *class_entry_PayLock_Exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "PayLock", "LockLostException", class_PayLock_LockLostException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_PayLock_Exception);

	return class_entry;
}

static zend_class_entry *register_class_PayLock_InProgressException(zend_class_entry *class_entry_PayLock_Exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "PayLock", "InProgressException", class_PayLock_InProgressException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_PayLock_Exception);

	return class_entry;
}

static zend_class_entry *register_class_PayLock_FingerprintMismatchException(zend_class_entry *class_entry_PayLock_Exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "PayLock", "FingerprintMismatchException", class_PayLock_FingerprintMismatchException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_PayLock_Exception);

	return class_entry;
}

static zend_class_entry *register_class_PayLock_OutcomeUnknownException(zend_class_entry *class_entry_PayLock_Exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "PayLock", "OutcomeUnknownException", class_PayLock_OutcomeUnknownException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_PayLock_Exception);

	return class_entry;
}

static zend_class_entry *register_class_PayLock_StoreException(zend_class_entry *class_entry_PayLock_Exception)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "PayLock", "StoreException", class_PayLock_StoreException_methods);
	class_entry = zend_register_internal_class_ex(&ce, class_entry_PayLock_Exception);

	return class_entry;
}
