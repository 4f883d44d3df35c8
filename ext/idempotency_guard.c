/* PayLock\IdempotencyGuard: its options, __construct, begin(), forget(), and how a claim attempt settles
 * (claimed, replayed, waited for, or refused). */
#include "events.h"
#include "metrics.h"
#include "idempotency_internal.h"
#include "codec.h"
#include "zend_exceptions.h"
#include "zend_smart_str.h"

/* ---- IdempotencyGuard ---- */

paylock_guard *paylock_guard_this(zval *this_zv)
{
	paylock_guard *g = guard_from_obj(Z_OBJ_P(this_zv));

	if (g->store == NULL) {
		zend_throw_error(NULL, "PayLock\\IdempotencyGuard object has not been initialized");
		return NULL;
	}
	return g;
}

static zend_result option_ms(zval *v, const char *name, double max, int64_t *out_ms)
{
	double d;

	if (paylock_option_seconds(v, name, max, 2, &d) == FAILURE) {
		return FAILURE;
	}
	*out_ms = paylock_seconds_to_ms(d);
	return SUCCESS;
}

static zend_result option_string(zval *v, const char *name, size_t max, zend_string **out)
{
	if (Z_TYPE_P(v) != IS_STRING) {
		zend_argument_type_error(2, "option \"%s\" must be of type string, %s given", name,
								 zend_zval_type_name(v));
		return FAILURE;
	}
	if (Z_STRLEN_P(v) > max) {
		zend_argument_value_error(2, "option \"%s\" must be at most %zu bytes long", name, max);
		return FAILURE;
	}
	zend_string_release(*out);
	*out = zend_string_copy(Z_STR_P(v));
	return SUCCESS;
}

static zend_result parse_guard_option(paylock_guard *g, zend_string *key, zval *val)
{
	if (zend_string_equals_literal(key, "retention")) {
		return option_ms(val, "retention", PAYLOCK_IDEM_MAX_RETENTION_S, &g->retention_ms);
	}
	if (zend_string_equals_literal(key, "in_progress_ttl")) {
		return option_ms(val, "in_progress_ttl", PAYLOCK_MAX_SECONDS, &g->lease_ms);
	}
	if (zend_string_equals_literal(key, "max_result_bytes")) {
		if (Z_TYPE_P(val) != IS_LONG) {
			zend_argument_type_error(2, "option \"max_result_bytes\" must be of type int, %s given",
									 zend_zval_type_name(val));
			return FAILURE;
		}
		if (Z_LVAL_P(val) < 16 || Z_LVAL_P(val) > PAYLOCK_IDEM_MAX_RESULT_BYTES) {
			zend_argument_value_error(2, "option \"max_result_bytes\" must be between 16 and %ld",
									  PAYLOCK_IDEM_MAX_RESULT_BYTES);
			return FAILURE;
		}
		g->max_result_bytes = (size_t)Z_LVAL_P(val);
		return SUCCESS;
	}
	if (zend_string_equals_literal(key, "prefix")) {
		if (option_string(val, "prefix", PAYLOCK_IDEM_MAX_PREFIX, &g->prefix) == FAILURE) {
			return FAILURE;
		}
		/* Lock keys are "{name}": a record name must never start with '{' or it shares their keys. */
		if (ZSTR_LEN(g->prefix) == 0 || strpbrk(ZSTR_VAL(g->prefix), "{}") ||
			memchr(ZSTR_VAL(g->prefix), '\0', ZSTR_LEN(g->prefix))) {
			zend_argument_value_error(2, "option \"prefix\" must not be empty or contain '{', '}' or NUL "
										 "bytes (records would share keys with locks)");
			return FAILURE;
		}
		return SUCCESS;
	}
	if (zend_string_equals_literal(key, "scope")) {
		if (option_string(val, "scope", PAYLOCK_IDEM_MAX_SCOPE, &g->scope) == FAILURE) {
			return FAILURE;
		}
		if (strpbrk(ZSTR_VAL(g->scope), "{}") || memchr(ZSTR_VAL(g->scope), '\0', ZSTR_LEN(g->scope))) {
			zend_argument_value_error(2, "option \"scope\" must not contain '{', '}' or NUL bytes");
			return FAILURE;
		}
		return SUCCESS;
	}
	if (zend_string_equals_literal(key, "after_crash")) {
		if (Z_TYPE_P(val) != IS_STRING || (!zend_string_equals_literal(Z_STR_P(val), "rerun") &&
										   !zend_string_equals_literal(Z_STR_P(val), "throw"))) {
			zend_argument_value_error(2, "option \"after_crash\" must be \"rerun\" or \"throw\"");
			return FAILURE;
		}
		g->throw_after_crash = zend_string_equals_literal(Z_STR_P(val), "throw");
		return SUCCESS;
	}
	zend_argument_value_error(
		2,
		"contains unknown option \"%s\" (known: retention, in_progress_ttl, max_result_bytes, "
		"prefix, scope, after_crash)",
		ZSTR_VAL(key));
	return FAILURE;
}

ZEND_METHOD(PayLock_IdempotencyGuard, __construct)
{
	paylock_guard *g = guard_from_obj(Z_OBJ_P(ZEND_THIS));
	zend_object *store_obj;
	HashTable *options = NULL;
	paylock_store *store;
	zend_string *key;
	zval *val;

	ZEND_PARSE_PARAMETERS_START(1, 2)
		Z_PARAM_OBJ_OF_CLASS(store_obj, paylock_ce_Store)
		Z_PARAM_OPTIONAL
		Z_PARAM_ARRAY_HT(options)
	ZEND_PARSE_PARAMETERS_END();

	if (g->store) {
		zend_throw_error(NULL, "Cannot call PayLock\\IdempotencyGuard::__construct() twice");
		RETURN_THROWS();
	}
	if ((store = paylock_store_from_obj(store_obj)) == NULL) {
		RETURN_THROWS();
	}
	if (store->ops->idem == NULL) {
		zend_argument_value_error(1, "must be a store that keeps idempotency records, %s does not",
								  ZSTR_VAL(store_obj->ce->name));
		RETURN_THROWS();
	}
	g->prefix = zend_string_init("idem:", 5, 0);
	g->scope = ZSTR_EMPTY_ALLOC();
	g->retention_ms = paylock_seconds_to_ms(PAYLOCK_IDEM_DEFAULT_RETENTION_S);
	g->lease_ms = paylock_seconds_to_ms(PAYLOCK_IDEM_DEFAULT_LEASE_S);
	g->max_result_bytes = PAYLOCK_IDEM_DEFAULT_MAX_BYTES;
	if (options) {
		ZEND_HASH_FOREACH_STR_KEY_VAL(options, key, val) {
			ZVAL_DEREF(val);
			if (key == NULL) {
				zend_argument_value_error(2, "must be an array with string keys");
				RETURN_THROWS();
			}
			if (parse_guard_option(g, key, val) == FAILURE) {
				RETURN_THROWS();
			}
		}
		ZEND_HASH_FOREACH_END();
	}
	GC_ADDREF(store_obj);
	g->store_obj = store_obj;
	g->store = store;
}

/* prefix [scope ":"] "{" key "}": the key in a Redis hash tag, the scope (no braces) keeps tenants apart. */
static zend_string *record_name(const paylock_guard *g, const zend_string *key)
{
	smart_str s = {0};

	smart_str_append(&s, g->prefix);
	if (ZSTR_LEN(g->scope)) {
		smart_str_append(&s, g->scope);
		smart_str_appendc(&s, ':');
	}
	smart_str_appendc(&s, '{');
	smart_str_append(&s, key);
	smart_str_appendc(&s, '}');
	return smart_str_extract(&s);
}

static void claim_setup(paylock_claim *c, const paylock_guard *g, zend_string *key)
{
	GC_ADDREF(g->store_obj);
	c->store_obj = g->store_obj;
	c->store = g->store;
	c->key = zend_string_copy(key);
	c->max_result_bytes = g->max_result_bytes;
	c->req.name = record_name(g, key);
	c->req.lease_ms = g->lease_ms;
	c->req.retention_ms = g->retention_ms;
	c->req.throw_after_crash = g->throw_after_crash;
}

static zend_result take_result(paylock_claim *c, zend_string *encoded)
{
	zend_result rc = paylock_result_decode(ZSTR_VAL(encoded), ZSTR_LEN(encoded), &c->result);

	zend_string_release(encoded);
	if (rc == FAILURE) {
		char kb[96];

		paylock_throw(paylock_ce_StoreException,
					  "The stored result of idempotency key \"%s\" cannot be decoded; it was not written by "
					  "PayLock or is damaged. Inspect it, then forget() the key",
					  KEY_FOR_MSG(c, kb));
	}
	return rc;
}

static void throw_in_progress(paylock_claim *c, double waited_s, int64_t lease_left_ms)
{
	char kb[96];

	PAYLOCK_G(stats).idem_in_progress++;
	paylock_metric_inc(c->store, PAYLOCK_M_IDEM_IN_PROGRESS);
	if (waited_s > 0) {
		paylock_throw(
			paylock_ce_InProgressException,
			"Idempotency key \"%s\" is still being processed by another request after waiting %.3f s",
			KEY_FOR_MSG(c, kb), waited_s);
	} else {
		paylock_throw(paylock_ce_InProgressException,
					  "Idempotency key \"%s\" is being processed by another request (its claim ends within "
					  "%.1f s); retry later",
					  KEY_FOR_MSG(c, kb), (double)lease_left_ms / 1000.0);
	}
}

/* One outcome of the claim loop: SUCCESS ends it (claimed or replay), FAILURE threw, and a RUNNING
 * record returns SUCCESS with *again set after waiting for it. */
static zend_result settle(paylock_claim *c, paylock_idem_outcome *out, uint64_t deadline_ns, double wait,
						  bool *again, bool *waited)
{
	paylock_error err = {0};
	char kb[96];

	*again = false;
	c->attempt = out->attempt;
	c->req.attempt = out->attempt;
	switch (out->state) {
	case PAYLOCK_IDEM_CLAIMED:
		c->phase = PHASE_OWNED;
		c->owner_pid = paylock_pid();
		paylock_claim_register(c);
		PAYLOCK_G(stats).idem_executed++;
		paylock_metric_inc(c->store, PAYLOCK_M_IDEM_FIRST_RUN);
		return SUCCESS;
	case PAYLOCK_IDEM_DONE:
		if (take_result(c, out->result) == FAILURE) {
			return FAILURE;
		}
		c->phase = PHASE_REPLAY;
		PAYLOCK_G(stats).idem_replayed++;
		paylock_metric_inc(c->store, PAYLOCK_M_IDEM_REPLAY);
		return SUCCESS;
	case PAYLOCK_IDEM_MISMATCH:
		PAYLOCK_G(stats).idem_mismatch++;
		paylock_metric_inc(c->store, PAYLOCK_M_IDEM_MISMATCH);
		paylock_throw(paylock_ce_FingerprintMismatchException,
					  "Idempotency key \"%s\" was first used with a different fingerprint: this is another "
					  "request reusing the key",
					  KEY_FOR_MSG(c, kb));
		return FAILURE;
	case PAYLOCK_IDEM_CRASHED:
		paylock_event_claim_found_crashed(c->store, c->key, out->attempt);
		paylock_throw(paylock_ce_OutcomeUnknownException,
					  "Attempt %" PRId64
					  " of idempotency key \"%s\" died mid-step, so its outcome is unknown "
					  "(after_crash: throw). Reconcile it, then forget() the key",
					  out->attempt, KEY_FOR_MSG(c, kb));
		return FAILURE;
	case PAYLOCK_IDEM_UNKNOWN:
		paylock_metric_inc(c->store, PAYLOCK_M_IDEM_OUTCOME_UNKNOWN);
		paylock_throw(paylock_ce_OutcomeUnknownException,
					  "Attempt %" PRId64
					  " of idempotency key \"%s\" was marked outcome unknown (markUnknown() or an "
					  "unknown_on exception): it may have taken effect. Reconcile it, then forget() the key",
					  out->attempt, KEY_FOR_MSG(c, kb));
		return FAILURE;
	case PAYLOCK_IDEM_UNSTORED:
		paylock_metric_inc(c->store, PAYLOCK_M_IDEM_OUTCOME_UNKNOWN);
		paylock_throw(paylock_ce_OutcomeUnknownException,
					  "Attempt %" PRId64
					  " of idempotency key \"%s\" ran, but its result could not be stored (not storable "
					  "or over max_result_bytes), so it is not run again. Reconcile it, then forget() the "
					  "key; run()'s \"convert\" option stores such results",
					  out->attempt, KEY_FOR_MSG(c, kb));
		return FAILURE;
	case PAYLOCK_IDEM_RUNNING:
		break;
	}
	if (deadline_ns == 0 || paylock_now_ns() >= deadline_ns) {
		throw_in_progress(c, *waited ? wait : 0, out->lease_left_ms);
		return FAILURE;
	}
	*waited = true;
	switch (c->store->ops->idem->wait(c->store, &c->req, deadline_ns, out->lease_left_ms, &err)) {
	case PAYLOCK_FAILED:
		paylock_error_throw(&err);
		return FAILURE;
	case PAYLOCK_NO:
		throw_in_progress(c, wait, 0);
		return FAILURE;
	default:
		*again = true;
		return SUCCESS;
	}
}

static zend_result fingerprint_of(HashTable *ht, zend_string *str, uint32_t arg_num, char *out)
{
	zval fp;

	if (ht) {
		ZVAL_ARR(&fp, ht);
	} else {
		ZVAL_STR(&fp, str);
	}
	return paylock_fingerprint(&fp, arg_num, out);
}

/* Claims key or finds its result; returns the new Claim object, or NULL with an exception thrown. */
zend_object *paylock_guard_begin(paylock_guard *g, zend_string *key, HashTable *fp_ht, zend_string *fp_str,
								 double wait, uint32_t fp_arg)
{
	zend_object *obj = paylock_idem_claim_ce->create_object(paylock_idem_claim_ce);
	paylock_claim *c = claim_from_obj(obj);
	uint64_t deadline_ns = wait > 0 ? paylock_now_ns() + (uint64_t)(wait * 1e9) : 0;
	bool again = true, waited = false;
	zend_result rc = SUCCESS;

	claim_setup(c, g, key);
	if ((fp_ht || fp_str) && fingerprint_of(fp_ht, fp_str, fp_arg, c->req.fp) == FAILURE) {
		OBJ_RELEASE(obj);
		return NULL;
	}
	if (paylock_token_new(c->req.token) == FAILURE) {
		OBJ_RELEASE(obj);
		return NULL;
	}
	while (again && rc == SUCCESS) {
		paylock_idem_outcome out = {0};
		paylock_error err = {0};
		bool can_wait = deadline_ns && paylock_now_ns() < deadline_ns;

		if (c->store->ops->idem->claim(c->store, &c->req, can_wait, &out, &err) == PAYLOCK_FAILED) {
			paylock_error_throw(&err);
			rc = FAILURE;
			break;
		}
		rc = settle(c, &out, deadline_ns, wait, &again, &waited);
	}
	if (waited) {
		PAYLOCK_G(stats).idem_waited++;
	}
	if (rc == FAILURE) {
		OBJ_RELEASE(obj);
		return NULL;
	}
	return obj;
}

zend_result paylock_guard_check_begin_args(zend_string *key, double wait, uint32_t wait_arg)
{
	return paylock_check_name(key, 1) == FAILURE || paylock_check_seconds(wait, wait_arg, true) == FAILURE
			   ? FAILURE
			   : SUCCESS;
}

ZEND_METHOD(PayLock_IdempotencyGuard, begin)
{
	paylock_guard *g;
	zend_string *key;
	HashTable *fp_ht = NULL;
	zend_string *fp_str = NULL;
	double wait = 0;
	zend_object *obj;

	ZEND_PARSE_PARAMETERS_START(1, 3)
		Z_PARAM_STR(key)
		Z_PARAM_OPTIONAL
		Z_PARAM_ARRAY_HT_OR_STR_OR_NULL(fp_ht, fp_str)
		Z_PARAM_DOUBLE(wait)
	ZEND_PARSE_PARAMETERS_END();

	if ((g = paylock_guard_this(ZEND_THIS)) == NULL ||
		paylock_guard_check_begin_args(key, wait, 3) == FAILURE ||
		(obj = paylock_guard_begin(g, key, fp_ht, fp_str, wait, 2)) == NULL) {
		RETURN_THROWS();
	}
	RETURN_OBJ(obj);
}

ZEND_METHOD(PayLock_IdempotencyGuard, forget)
{
	paylock_guard *g;
	zend_string *key;
	paylock_idem_req req = {0};
	paylock_error err = {0};
	paylock_status rc;
	bool force = false;
	char kb[96];

	ZEND_PARSE_PARAMETERS_START(1, 2)
		Z_PARAM_STR(key)
		Z_PARAM_OPTIONAL
		Z_PARAM_BOOL(force)
	ZEND_PARSE_PARAMETERS_END();

	if ((g = paylock_guard_this(ZEND_THIS)) == NULL || paylock_check_name(key, 1) == FAILURE) {
		RETURN_THROWS();
	}
	req.name = record_name(g, key);
	req.force = force;
	rc = g->store->ops->idem->forget(g->store, &req, &err);
	paylock_claim_req_dtor(g->store, &req);
	if (rc == PAYLOCK_FAILED) {
		paylock_error_throw(&err);
		RETURN_THROWS();
	}
	if (rc == PAYLOCK_NO) {
		paylock_throw(paylock_ce_InProgressException,
					  "Cannot forget idempotency key \"%s\": a live owner is running its step. Wait until it "
					  "finishes, or pass force: true (the owner's result is still written back when it "
					  "completes, but a delivery arriving meanwhile runs the step beside it)",
					  paylock_printable(key, kb, sizeof(kb)));
		RETURN_THROWS();
	}
}
