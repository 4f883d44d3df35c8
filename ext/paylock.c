/* Module glue: INI, globals, class registration, request hooks, phpinfo() and stats(). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <ctype.h>

#include "php_paylock.h"
#include "php_ini.h"
#include "ext/standard/info.h"
#include "zend_exceptions.h"
#include "ext/spl/spl_exceptions.h"
#include "exceptions.h"
#include "store.h"
#include "redis_conn.h"
#include "redis_tls.h"
#include "redis_store.h"
#include "redis_router.h"
#include "redis_replicas.h"
#include "redis_dsn_query.h"
#include "SAPI.h"
#include "php_main.h"
#include "file_store.h"
#include "fallback_store.h"
#include "store_kinds.h"
#include "lock.h"
#include "idempotency.h"
#include "admin.h"
#include "token.h"
#include "metrics.h"
#include "events.h"
#include "zend_attributes.h"
#include "paylock_arginfo.h"
#include <unistd.h>

ZEND_DECLARE_MODULE_GLOBALS(paylock)

static ZEND_INI_MH(OnUpdateDefaultTtl)
{
	double ttl = zend_strtod(ZSTR_VAL(new_value), NULL);

	if (!zend_finite(ttl) || ttl <= 0 || ttl > PAYLOCK_MAX_SECONDS) {
		php_error_docref(NULL, E_WARNING,
						 "paylock.default_ttl must be greater than 0 and at most %d (%d days)",
						 PAYLOCK_MAX_SECONDS_INT, PAYLOCK_MAX_SECONDS_INT / PAYLOCK_SECONDS_PER_DAY);
		return FAILURE;
	}
	return OnUpdateReal(entry, new_value, mh_arg1, mh_arg2, mh_arg3, stage);
}

static ZEND_INI_MH(OnUpdateStoreKind)
{
	if (paylock_store_kind_find(ZSTR_VAL(new_value), ZSTR_LEN(new_value)) == NULL) {
		php_error_docref(NULL, E_WARNING, "paylock.store must be one of %s", paylock_store_kind_names());
		return FAILURE;
	}
	return OnUpdateString(entry, new_value, mh_arg1, mh_arg2, mh_arg3, stage);
}

static ZEND_INI_MH(OnUpdateOnRedisDown)
{
	if (!zend_string_equals_literal(new_value, "degrade") && !zend_string_equals_literal(new_value, "fail")) {
		php_error_docref(NULL, E_WARNING, "paylock.on_redis_down must be \"degrade\" or \"fail\"");
		return FAILURE;
	}
	return OnUpdateString(entry, new_value, mh_arg1, mh_arg2, mh_arg3, stage);
}

/* phpinfo() and php --ri show the DSN with its password masked. */
static ZEND_INI_DISP(display_dsn)
{
	zend_string *v =
		type == ZEND_INI_DISPLAY_ORIG && ini_entry->modified ? ini_entry->orig_value : ini_entry->value;
	zend_string *masked;

	if (v == NULL || ZSTR_LEN(v) == 0) {
		PUTS(sapi_module.phpinfo_as_text ? "no value" : "<i>no value</i>");
		return;
	}
	masked = paylock_dsn_masked(ZSTR_VAL(v), ZSTR_LEN(v));
	if (sapi_module.phpinfo_as_text) {
		PHPWRITE(ZSTR_VAL(masked), ZSTR_LEN(masked));
	} else {
		php_html_puts(ZSTR_VAL(masked), ZSTR_LEN(masked));
	}
	zend_string_release(masked);
}

PHP_INI_BEGIN()
	STD_PHP_INI_ENTRY("paylock.store", PAYLOCK_STORE_KIND_DEFAULT, PHP_INI_ALL, OnUpdateStoreKind, store,
					  zend_paylock_globals, paylock_globals)
	STD_PHP_INI_ENTRY_EX("paylock.redis_dsn", "redis://127.0.0.1:6379", PHP_INI_ALL, OnUpdateString,
						 redis_dsn, zend_paylock_globals, paylock_globals, display_dsn)
	STD_PHP_INI_ENTRY("paylock.on_redis_down", "degrade", PHP_INI_ALL, OnUpdateOnRedisDown, on_redis_down,
					  zend_paylock_globals, paylock_globals)
	STD_PHP_INI_ENTRY("paylock.lock_dir", "", PHP_INI_SYSTEM | PHP_INI_PERDIR, OnUpdateString, lock_dir,
					  zend_paylock_globals, paylock_globals)
	STD_PHP_INI_ENTRY("paylock.lock_group", "", PHP_INI_SYSTEM | PHP_INI_PERDIR, OnUpdateString, lock_group,
					  zend_paylock_globals, paylock_globals)
	STD_PHP_INI_ENTRY("paylock.default_ttl", "30", PHP_INI_ALL, OnUpdateDefaultTtl, default_ttl,
					  zend_paylock_globals, paylock_globals)
	STD_PHP_INI_BOOLEAN("paylock.persistent", "1", PHP_INI_ALL, OnUpdateBool, persistent,
						zend_paylock_globals, paylock_globals)
	PHP_INI_ENTRY("paylock.metrics", "auto", PHP_INI_SYSTEM, paylock_metrics_ini_update)
	PHP_INI_ENTRY("paylock.metrics_file", "", PHP_INI_SYSTEM, NULL)
	PHP_INI_ENTRY("paylock.logger", "", PHP_INI_ALL, NULL)
PHP_INI_END()

/* The host ends every lock value, where '|' starts its fence and a final '+' marks waiters: any byte
 * outside a DNS name's is written '_' (Linux lets root set any hostname). */
static void clean_hostname(char *host)
{
	for (char *p = host; *p; p++) {
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-') {
			*p = '_';
		}
	}
}

static PHP_GINIT_FUNCTION(paylock)
{
#if defined(COMPILE_DL_PAYLOCK) && defined(ZTS)
	ZEND_TSRMLS_CACHE_UPDATE();
#endif
	memset(paylock_globals, 0, sizeof(*paylock_globals));
	zend_hash_init(&paylock_globals->pool, 8, NULL, paylock_redis_pool_entry_dtor, 1);
	zend_hash_init(&paylock_globals->eviction_checked, 4, NULL, NULL, 1);
	zend_hash_init(&paylock_globals->replica_facts, 4, NULL, paylock_replicas_facts_dtor, 1);
	if (gethostname(paylock_globals->hostname, sizeof(paylock_globals->hostname) - 1) != 0) {
		strcpy(paylock_globals->hostname, "unknown");
	}
	clean_hostname(paylock_globals->hostname);
}

static PHP_GSHUTDOWN_FUNCTION(paylock)
{
	zend_hash_destroy(&paylock_globals->pool);
	zend_hash_destroy(&paylock_globals->eviction_checked);
	zend_hash_destroy(&paylock_globals->replica_facts);
}

static PHP_MINIT_FUNCTION(paylock)
{
	paylock_store_kinds_minit();
	REGISTER_INI_ENTRIES();
	paylock_token_minit();
	paylock_metrics_minit();

	paylock_ce_Store = register_class_PayLock_Store();
	paylock_store_minit();
	paylock_redis_store_minit(register_class_PayLock_RedisStore(paylock_ce_Store));
	paylock_file_store_minit(register_class_PayLock_FileStore(paylock_ce_Store));
	paylock_fallback_store_minit(register_class_PayLock_FallbackStore(paylock_ce_Store));
	paylock_lock_minit(register_class_PayLock_Lock(), register_class_PayLock_MultiLock());
	paylock_idempotency_minit(register_class_PayLock_IdempotencyGuard(), register_class_PayLock_Claim());
	paylock_admin_minit(register_class_PayLock_Admin());

	paylock_ce_Exception = register_class_PayLock_Exception(spl_ce_RuntimeException);
	paylock_ce_ConnectionException = register_class_PayLock_ConnectionException(paylock_ce_Exception);
	paylock_ce_ReplicationException =
		register_class_PayLock_ReplicationException(paylock_ce_ConnectionException);
	paylock_ce_LockTimeoutException = register_class_PayLock_LockTimeoutException(paylock_ce_Exception);
	paylock_ce_LockLostException = register_class_PayLock_LockLostException(paylock_ce_Exception);
	paylock_ce_InProgressException = register_class_PayLock_InProgressException(paylock_ce_Exception);
	paylock_ce_FingerprintMismatchException =
		register_class_PayLock_FingerprintMismatchException(paylock_ce_Exception);
	paylock_ce_OutcomeUnknownException = register_class_PayLock_OutcomeUnknownException(paylock_ce_Exception);
	paylock_ce_StoreException = register_class_PayLock_StoreException(paylock_ce_Exception);
	return SUCCESS;
}

static PHP_MSHUTDOWN_FUNCTION(paylock)
{
	paylock_metrics_mshutdown();
	UNREGISTER_INI_ENTRIES();
	paylock_router_mshutdown();
	paylock_tls_shutdown();
	return SUCCESS;
}

static PHP_RINIT_FUNCTION(paylock)
{
#if defined(COMPILE_DL_PAYLOCK) && defined(ZTS)
	ZEND_TSRMLS_CACHE_UPDATE();
#endif
	paylock_lock_rinit();
	paylock_idempotency_rinit();
	paylock_redis_store_rinit();
	paylock_events_rinit();
	PAYLOCK_G(in_request) = true;
	PAYLOCK_G(degraded_warned) = false;
	return SUCCESS;
}

/* Runs after destructors (and also after a fatal error, when they do not run), before objects are freed. */
static PHP_RSHUTDOWN_FUNCTION(paylock)
{
	zval user_handler;

	/* After a fatal error no userland code may run: keep a user error handler out of our warnings. */
	ZVAL_COPY_VALUE(&user_handler, &EG(user_error_handler));
	ZVAL_UNDEF(&EG(user_error_handler));
	paylock_events_rshutdown();
	paylock_idempotency_abandon_all();
	paylock_lock_release_all();
	paylock_redis_store_rshutdown();
	ZVAL_COPY_VALUE(&EG(user_error_handler), &user_handler);
	PAYLOCK_G(in_request) = false;
	return SUCCESS;
}

static PHP_MINFO_FUNCTION(paylock)
{
	char pooled[16];

	snprintf(pooled, sizeof(pooled), "%u", paylock_redis_pool_size());
	php_info_print_table_start();
	php_info_print_table_row(2, "paylock support", "enabled");
	php_info_print_table_row(2, "Version", PHP_PAYLOCK_VERSION);
	php_info_print_table_row(2, "hiredis headers version", paylock_hiredis_version());
	php_info_print_table_row(2, "TLS support (rediss://)", paylock_tls_available() ? "yes" : "no");
	php_info_print_table_row(2, "TLS library", paylock_tls_library());
	php_info_print_table_row(2, "Persistent Redis connections in this process", pooled);
	paylock_file_store_minfo();
	paylock_router_minfo();
	php_info_print_table_end();
	DISPLAY_INI_ENTRIES();
}

ZEND_FUNCTION(PayLock_stats)
{
	const paylock_stats *s = &PAYLOCK_G(stats);

	ZEND_PARSE_PARAMETERS_NONE();
	array_init_size(return_value, 20);
	add_assoc_long(return_value, "acquired", s->acquired);
	add_assoc_long(return_value, "released", s->released);
	add_assoc_long(return_value, "contended", s->contended);
	add_assoc_double(return_value, "wait_seconds", s->wait_seconds);
	add_assoc_long(return_value, "timeouts", s->timeouts);
	add_assoc_long(return_value, "handoffs", s->handoffs);
	add_assoc_long(return_value, "lost", s->lost);
	add_assoc_long(return_value, "degraded", s->degraded);
	add_assoc_long(return_value, "idem_executed", s->idem_executed);
	add_assoc_long(return_value, "idem_replayed", s->idem_replayed);
	add_assoc_long(return_value, "idem_in_progress", s->idem_in_progress);
	add_assoc_long(return_value, "idem_waited", s->idem_waited);
	add_assoc_long(return_value, "idem_mismatch", s->idem_mismatch);
	add_assoc_long(return_value, "idem_abandoned", s->idem_abandoned);
	add_assoc_long(return_value, "idem_lost", s->idem_lost);
	add_assoc_long(return_value, "idem_eviction_risk", s->eviction_risk); /* the name before 0.2 */
	add_assoc_long(return_value, "eviction_risk", s->eviction_risk);
	add_assoc_long(return_value, "no_persistence", s->no_persistence);
	add_assoc_long(return_value, "forced_releases", s->forced_releases);
}

static const zend_module_dep paylock_deps[] = {ZEND_MOD_REQUIRED("spl") ZEND_MOD_REQUIRED("random")
												   ZEND_MOD_END};

zend_module_entry paylock_module_entry = {STANDARD_MODULE_HEADER_EX,
										  NULL,
										  paylock_deps,
										  "paylock",
										  ext_functions,
										  PHP_MINIT(paylock),
										  PHP_MSHUTDOWN(paylock),
										  PHP_RINIT(paylock),
										  PHP_RSHUTDOWN(paylock),
										  PHP_MINFO(paylock),
										  PHP_PAYLOCK_VERSION,
										  PHP_MODULE_GLOBALS(paylock),
										  PHP_GINIT(paylock),
										  PHP_GSHUTDOWN(paylock),
										  NULL,
										  STANDARD_MODULE_PROPERTIES_EX};

#ifdef COMPILE_DL_PAYLOCK
#ifdef ZTS
ZEND_TSRMLS_CACHE_DEFINE()
#endif
ZEND_GET_MODULE(paylock)
#endif
