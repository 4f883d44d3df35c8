/* PayLock\setLogger() and the structured events (events.h). The logger lives for one request: FPM
 * workers serve many, and a logger object of one request must not see the next. */
#include "php_paylock.h"
#include "events.h"
#include "metrics.h"
#include "zend_exceptions.h"
#include <syslog.h>

/* Per process (threads of a ZTS build share it: a race costs at most one extra warning). */
static struct {
	const char *site; /* the format string: one per call site */
	uint64_t request; /* the request of the last warning from it */
	uint64_t last_ns;
	zend_long left_out;
} warn_sites[PAYLOCK_WARNING_SITES];
static uint64_t request_no;

void paylock_warn_limited(const char *fmt, ...)
{
	uint64_t now = paylock_now_ns();
	int i = 0;
	va_list ap;
	char *msg;

	while (i < PAYLOCK_WARNING_SITES - 1 && warn_sites[i].site && warn_sites[i].site != fmt) {
		i++;
	}
	if (warn_sites[i].site == fmt && warn_sites[i].request == request_no &&
		now - warn_sites[i].last_ns < PAYLOCK_WARNING_REPEAT_NS) {
		warn_sites[i].left_out++;
		return;
	}
	va_start(ap, fmt);
	zend_vspprintf(&msg, 0, fmt, ap);
	va_end(ap);
	if (warn_sites[i].site == fmt && warn_sites[i].left_out > 0) {
		php_error_docref(NULL, E_WARNING,
						 "%s (and " ZEND_LONG_FMT " more like it left out since the last one)", msg,
						 warn_sites[i].left_out);
	} else {
		php_error_docref(NULL, E_WARNING, "%s", msg);
	}
	efree(msg);
	warn_sites[i].site = fmt;
	warn_sites[i].request = request_no;
	warn_sites[i].last_ns = now;
	warn_sites[i].left_out = 0;
}

void paylock_events_rinit(void)
{
	request_no++;
	PAYLOCK_G(in_logger) = false; /* the logger itself is UNDEF since GINIT or the last RSHUTDOWN */
}

/* First thing in RSHUTDOWN: what follows (locks released at request end) runs after the script, where no
 * userland code should run; those events keep their E_WARNINGs. */
void paylock_events_rshutdown(void)
{
	zval_ptr_dtor(&PAYLOCK_G(logger));
	ZVAL_UNDEF(&PAYLOCK_G(logger));
}

bool paylock_event_logger_set(void)
{
	return !Z_ISUNDEF(PAYLOCK_G(logger));
}

static void build_context(zval *ctx, const char *event, const paylock_event_field *fields, uint32_t n)
{
	array_init_size(ctx, n + 2);
	add_assoc_string(ctx, "event", event);
	for (uint32_t i = 0; i < n; i++) {
		if (fields[i].str) {
			add_assoc_stringl(ctx, fields[i].key, fields[i].str, fields[i].len);
		} else {
			add_assoc_long(ctx, fields[i].key, fields[i].num);
		}
	}
	add_assoc_long(ctx, "pid", (zend_long)paylock_pid());
}

/* A PSR-3 logger's public log() method, or NULL. */
static zend_function *psr_log_method(zend_object *obj)
{
	zend_function *fn = zend_hash_str_find_ptr_lc(&obj->ce->function_table, "log", sizeof("log") - 1);

	return fn && (fn->common.fn_flags & ZEND_ACC_PUBLIC) && !(fn->common.fn_flags & ZEND_ACC_STATIC) ? fn
																									 : NULL;
}

/* The logger threw: the operation goes on, the exception is reported in the error log instead. */
static void drop_logger_exception(const char *event)
{
	zend_object *ex = EG(exception);
	zval rv, *msg = zend_read_property(ex->ce, ex, "message", sizeof("message") - 1, 1, &rv);
	char *line;

	spprintf(&line, 0, "PayLock: the logger threw %s (%s) on event \"%s\"; the event was dropped",
			 ZSTR_VAL(ex->ce->name), Z_TYPE_P(msg) == IS_STRING ? Z_STRVAL_P(msg) : "", event);
	zend_clear_exception();
	php_log_err_with_severity(line, LOG_WARNING);
	efree(line);
}

/* paylock.logger: the name of a function (or "Class::method") that is every request's logger until
 * setLogger() says otherwise. False when unset or not callable (not defined yet: no autoload runs). */
static bool named_logger(zval *out)
{
	const char *name = INI_STR("paylock.logger");

	if (name == NULL || *name == '\0') {
		return false;
	}
	ZVAL_STRING(out, name);
	if (!zend_is_callable(out, IS_CALLABLE_SUPPRESS_DEPRECATIONS, NULL)) {
		zval_ptr_dtor(out);
		return false;
	}
	return true;
}

bool paylock_event_emit(const char *event, const char *level, const char *message,
						const paylock_event_field *fields, uint32_t n)
{
	zval *logger = &PAYLOCK_G(logger);
	zval args[3], rv, named;
	zend_object *pending, *pending_prev;
	bool ok, psr = PAYLOCK_G(logger_psr);

	if (PAYLOCK_G(in_logger) || !PAYLOCK_G(in_request) || CG(unclean_shutdown)) {
		return false;
	}
	ZVAL_UNDEF(&named);
	if (Z_ISUNDEF_P(logger)) {
		if (!named_logger(&named)) {
			return false;
		}
		logger = &named;
		psr = false;
	}
	ZVAL_STRING(&args[0], level);
	ZVAL_STRING(&args[1], message);
	build_context(&args[2], event, fields, n);
	ZVAL_UNDEF(&rv);
	PAYLOCK_G(in_logger) = true;
	/* Put a pending exception aside by hand: zend_exception_save() nests badly (a second save, then
	 * zend_clear_exception() for the logger's exception, would free the first one). */
	pending = EG(exception);
	pending_prev = EG(prev_exception);
	EG(exception) = NULL;
	EG(prev_exception) = NULL;
	if (psr) {
		zend_function *log = psr_log_method(Z_OBJ_P(logger));

		if (log) { /* always there: setLogger() checked the class */
			zend_call_known_instance_method(log, Z_OBJ_P(logger), &rv, 3, args);
		}
	} else {
		call_user_function(NULL, NULL, logger, &rv, 3, args);
	}
	ok = EG(exception) == NULL;
	if (!ok) {
		drop_logger_exception(event);
	}
	EG(prev_exception) = pending_prev;
	EG(exception) = pending;
	PAYLOCK_G(in_logger) = false;
	zval_ptr_dtor(&rv);
	zval_ptr_dtor(&args[0]);
	zval_ptr_dtor(&args[1]);
	zval_ptr_dtor(&args[2]);
	zval_ptr_dtor(&named);
	return ok;
}

ZEND_FUNCTION(PayLock_setLogger)
{
	zval *logger;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_ZVAL(logger)
	ZEND_PARSE_PARAMETERS_END();

	if (Z_TYPE_P(logger) == IS_NULL) {
		paylock_events_rshutdown();
		return;
	}
	if (Z_TYPE_P(logger) == IS_OBJECT && psr_log_method(Z_OBJ_P(logger))) {
		PAYLOCK_G(logger_psr) = true;
	} else if (zend_is_callable(logger, 0, NULL)) {
		PAYLOCK_G(logger_psr) = false;
	} else {
		zend_argument_type_error(1,
								 "must be a callable, an object with a public log($level, $message, "
								 "array $context) method (PSR-3) or null, %s given",
								 zend_zval_type_name(logger));
		RETURN_THROWS();
	}
	paylock_events_rshutdown();
	ZVAL_COPY(&PAYLOCK_G(logger), logger);
}

/* ---- the events PayLock emits ---- */

#define FIELDS(...) ((const paylock_event_field[]){__VA_ARGS__})
#define COUNT(...)  ((uint32_t)(sizeof(FIELDS(__VA_ARGS__)) / sizeof(paylock_event_field)))
#define EMIT(event, level, message, ...)                                                                     \
	paylock_event_emit(event, level, message, FIELDS(__VA_ARGS__), COUNT(__VA_ARGS__))

static const char *kind_of(const paylock_store *s)
{
	return s && s->ops ? s->ops->kind : "";
}

void paylock_event_lock_lost(const paylock_store *s, const paylock_lock_state *l, uint32_t n)
{
	paylock_metric_inc(s, PAYLOCK_M_LOST);
	EMIT("lock_lost", "error",
		 "A lock PayLock held was found expired or taken by another holder: the work under it may overlap",
		 PAYLOCK_EVENT_STR("store", kind_of(s)), PAYLOCK_EVENT_ZSTR("name", l[0].name),
		 PAYLOCK_EVENT_NUM("names", n));
}

bool paylock_event_degraded(const char *why)
{
	paylock_metric_inc_kind("fallback", PAYLOCK_M_DEGRADED);
	return EMIT("degraded", "warning",
				"Redis is down: FallbackStore holds this lock on the local file lock only (degraded)",
				PAYLOCK_EVENT_STR("store", "fallback"), PAYLOCK_EVENT_STR("reason", why));
}

bool paylock_event_recovered(const char *where)
{
	return EMIT("recovered", "notice", "Redis is reachable again: FallbackStore left degraded mode",
				PAYLOCK_EVENT_STR("store", "fallback"), PAYLOCK_EVENT_STR("redis", where));
}

bool paylock_event_redis_risk(const char *risk, const char *where, const char *detail, size_t detail_len)
{
	paylock_event_field f[] = {PAYLOCK_EVENT_STR("risk", risk),
							   PAYLOCK_EVENT_STR("redis", where),
							   {"detail", detail, detail_len, 0}};

	return paylock_event_emit(strcmp(risk, "eviction") == 0 ? "eviction_risk" : "persistence_risk", "warning",
							  strcmp(risk, "eviction") == 0
								  ? "Redis may evict PayLock's keys under memory pressure (maxmemory-policy)"
								  : "Redis keeps no data across a restart: idempotency records would be lost",
							  f, 3);
}

void paylock_event_forced_release(const paylock_store *s, const zend_string *name, const char *holder)
{
	paylock_metric_inc(s, PAYLOCK_M_FORCED);
	EMIT("forced_release", "warning", "A lock was force-released while another process held it",
		 PAYLOCK_EVENT_STR("store", kind_of(s)), PAYLOCK_EVENT_ZSTR("name", name),
		 PAYLOCK_EVENT_STR("holder", holder));
}

void paylock_event_claim_marked(const paylock_store *s, const zend_string *key, int64_t attempt,
								bool unstored, paylock_status rc)
{
	if (rc == PAYLOCK_YES) {
		EMIT("outcome_unknown", "error",
			 "A payment step's outcome is unknown: it is never run again automatically; reconcile it, then "
			 "forget() the key",
			 PAYLOCK_EVENT_STR("store", kind_of(s)), PAYLOCK_EVENT_ZSTR("key", key),
			 PAYLOCK_EVENT_NUM("attempt", attempt),
			 PAYLOCK_EVENT_STR("reason", unstored ? "unstored" : "marked"));
	}
}

void paylock_event_claim_abandoned(const paylock_store *s, const zend_string *key, int64_t attempt,
								   bool crashed, paylock_status rc)
{
	if (rc == PAYLOCK_YES && crashed) {
		EMIT("claim_crashed", "error",
			 "An idempotency claim ended mid-step (exit(), or the request ended before complete()): its "
			 "outcome is unknown",
			 PAYLOCK_EVENT_STR("store", kind_of(s)), PAYLOCK_EVENT_ZSTR("key", key),
			 PAYLOCK_EVENT_NUM("attempt", attempt), PAYLOCK_EVENT_STR("detected", "owner"));
	}
}

void paylock_event_claim_found_crashed(const paylock_store *s, const zend_string *key, int64_t attempt)
{
	paylock_metric_inc(s, PAYLOCK_M_IDEM_OUTCOME_UNKNOWN);
	EMIT("claim_crashed", "error", "An earlier attempt of this idempotency key died mid-step: reconcile it",
		 PAYLOCK_EVENT_STR("store", kind_of(s)), PAYLOCK_EVENT_ZSTR("key", key),
		 PAYLOCK_EVENT_NUM("attempt", attempt), PAYLOCK_EVENT_STR("detected", "claim"));
}

void paylock_event_lease_expired(const paylock_store *s, const zend_string *key, int64_t attempt)
{
	EMIT("lease_expired", "error",
		 "An idempotency claim outlived in_progress_ttl before complete(): another delivery owns the key and "
		 "this result was not stored",
		 PAYLOCK_EVENT_STR("store", kind_of(s)), PAYLOCK_EVENT_ZSTR("key", key),
		 PAYLOCK_EVENT_NUM("attempt", attempt));
}
