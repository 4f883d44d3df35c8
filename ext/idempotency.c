/* PayLock\IdempotencyGuard and PayLock\Claim over any store's idempotency ops. A Claim this process
 * owns sits in the request registry, so RSHUTDOWN can mark it "outcome unknown" after a fatal error. */
#include "php_paylock.h"
#include "idempotency.h"
#include "metrics.h"
#include "events.h"
#include "store.h"
#include "codec.h"
#include "zend_exceptions.h"
#include "zend_smart_str.h"
#include <unistd.h>

static zend_class_entry *guard_ce;
static zend_class_entry *claim_ce;
static zend_object_handlers guard_handlers;
static zend_object_handlers claim_handlers;

typedef struct {
	zend_object *store_obj; /* addref'd */
	paylock_store *store;   /* NULL until __construct ran */
	zend_string *prefix;
	zend_string *scope;
	int64_t retention_ms;
	int64_t lease_ms;
	size_t max_result_bytes;
	bool throw_after_crash;
	zend_object std;
} paylock_guard;

typedef enum {
	PHASE_NEW,       /* being set up by begin() */
	PHASE_OWNED,     /* ours to run */
	PHASE_REPLAY,    /* result holds an earlier run's result */
	PHASE_COMPLETED, /* we stored result */
	PHASE_ABANDONED, /* we gave it up */
	PHASE_LOST,      /* no longer ours: taken over, forgotten, or owned by the parent of this fork */
} claim_phase;

typedef struct {
	zend_object *store_obj; /* addref'd */
	paylock_store *store;
	paylock_idem_req req;
	zend_string *key;
	size_t max_result_bytes;
	claim_phase phase;
	zval result;
	int64_t attempt;
	pid_t owner_pid;
	bool has_end_mark; /* a mark the store refused: tried again at request end, never "crashed" */
	paylock_idem_mark end_mark;
	zend_object std;
} paylock_claim;

static inline paylock_guard *guard_from_obj(zend_object *obj)
{
	return (paylock_guard *)((char *)obj - XtOffsetOf(paylock_guard, std));
}

static inline paylock_claim *claim_from_obj(zend_object *obj)
{
	return (paylock_claim *)((char *)obj - XtOffsetOf(paylock_claim, std));
}

#define KEY_FOR_MSG(c, buf) paylock_printable((c)->key, buf, sizeof(buf))

/* ---- the request registry of owned claims ---- */

static void registry_add(paylock_claim *c)
{
	paylock_registry_add(&PAYLOCK_G(claims), &c->std);
}

static void registry_remove(paylock_claim *c)
{
	paylock_registry_remove(&PAYLOCK_G(claims), &c->std);
}

/* Lets go of the request and of what the store keeps for it, without I/O on the store. */
static void req_dtor(paylock_store *s, paylock_idem_req *r)
{
	if (s && s->ops->idem->req_free) {
		s->ops->idem->req_free(s, r);
	}
	if (r->name) {
		zend_string_release(r->name);
		r->name = NULL;
	}
}

/* Ends our ownership without telling the store (lost claims, a parent's claim seen in a fork). */
static void drop_ownership(paylock_claim *c)
{
	if (c->store->ops->idem->req_drop) {
		c->store->ops->idem->req_drop(c->store, &c->req);
	}
	c->phase = PHASE_LOST;
	registry_remove(c);
}

/* Owned by this process. A forked child sees its parent's claims as lost and never touches them. */
static bool owned_here(paylock_claim *c)
{
	if (c->phase == PHASE_OWNED && c->owner_pid != paylock_pid()) {
		drop_ownership(c);
	}
	return c->phase == PHASE_OWNED;
}

/* An owned claim whose object was freed before RSHUTDOWN (globals after a fatal error). */
typedef struct {
	zend_object *store_obj;
	paylock_store *store;
	paylock_idem_req req;
	bool has_end_mark;
	paylock_idem_mark end_mark;
} claim_orphan;

static void claim_orphan_dtor(zval *zv)
{
	claim_orphan *o = Z_PTR_P(zv);

	req_dtor(o->store, &o->req);
	OBJ_RELEASE(o->store_obj);
	efree(o);
}

static void adopt_orphan(paylock_claim *c)
{
	claim_orphan *o = emalloc(sizeof(*o));

	o->store_obj = c->store_obj; /* the references move to the orphan */
	o->store = c->store;
	o->req = c->req;
	o->has_end_mark = c->has_end_mark;
	o->end_mark = c->end_mark;
	c->store_obj = NULL;
	c->req.name = NULL;
	c->req.priv = NULL;
	registry_remove(c);
	c->phase = PHASE_LOST;
	paylock_registry_adopt(&PAYLOCK_G(claims), o);
}

static void warn_not_abandoned(const zend_string *key, const char *when, const paylock_error *err)
{
	char kb[96];

	paylock_warn_limited(
		"Could not give up the claim on idempotency key \"%s\" %s: %s; it ends after in_progress_ttl",
		paylock_printable(key, kb, sizeof(kb)), when, err->msg);
}

/* After an abandon or a mark: YES/NO both end our ownership; FAILED keeps it (the caller may try again). */
static paylock_status ended(paylock_claim *c, paylock_status rc)
{
	if (rc == PAYLOCK_YES) {
		PAYLOCK_G(stats).idem_abandoned++;
		c->phase = PHASE_ABANDONED;
		registry_remove(c);
	} else if (rc == PAYLOCK_NO) {
		PAYLOCK_G(stats).idem_lost++;
		drop_ownership(c);
	}
	return rc;
}

static paylock_status abandon_now(paylock_claim *c, bool outcome_unknown, paylock_error *err)
{
	paylock_status rc = ended(c, c->store->ops->idem->abandon(c->store, &c->req, outcome_unknown, err));

	paylock_event_claim_abandoned(c->store, c->key, c->attempt, outcome_unknown, rc);
	return rc;
}

/* Ends our claim as marked (never re-run automatically). */
static paylock_status mark_now(paylock_claim *c, paylock_idem_mark how, paylock_error *err)
{
	paylock_status rc = ended(c, c->store->ops->idem->mark(c->store, &c->req, how, err));

	paylock_event_claim_marked(c->store, c->key, c->attempt, how == PAYLOCK_MARK_UNSTORED, rc);
	return rc;
}

/* run()'s error paths: an exception is pending already, so failures warn. */
static void mark_quietly(paylock_claim *c, paylock_idem_mark how, const char *when)
{
	paylock_error err = {0};

	zend_exception_save();
	if (owned_here(c) && mark_now(c, how, &err) == PAYLOCK_FAILED) {
		/* The step ran: keep the claim (others wait or get InProgress) and mark it at request end, so a
		 * store that refused the write for a moment never turns it into "crashed" and a re-run. */
		c->has_end_mark = true;
		c->end_mark = how;
		if (err.kind != PAYLOCK_ERR_NONE) {
			char kb[96];

			paylock_warn_limited(
				"Could not mark idempotency key \"%s\" %s: %s; the claim is kept and marked again "
				"at request end",
				KEY_FOR_MSG(c, kb), when, err.msg);
		}
	}
	zend_exception_restore();
}

/* From destructors, RSHUTDOWN and run()'s error path: nothing may be thrown, so failures warn. */
static void abandon_quietly(paylock_claim *c, bool outcome_unknown, const char *when)
{
	paylock_error err = {0};

	if (abandon_now(c, outcome_unknown, &err) == PAYLOCK_FAILED) {
		if (err.kind != PAYLOCK_ERR_NONE) {
			warn_not_abandoned(c->key, when, &err);
		}
		drop_ownership(c);
	}
}

void paylock_idempotency_rinit(void)
{
	paylock_registry_init(&PAYLOCK_G(claims), claim_orphan_dtor);
}

static void abandon_at_end(zend_object *obj)
{
	paylock_claim *c = claim_from_obj(obj);

	if (owned_here(c) && c->has_end_mark) {
		paylock_error err = {0};

		if (mark_now(c, c->end_mark, &err) == PAYLOCK_FAILED) {
			warn_not_abandoned(c->key, "at request end", &err);
			drop_ownership(c);
		}
	} else if (owned_here(c)) {
		abandon_quietly(c, true, "at request end");
	}
}

static void abandon_orphan(void *orphan)
{
	claim_orphan *o = orphan;
	paylock_error err = {0};

	paylock_status rc = o->has_end_mark ? o->store->ops->idem->mark(o->store, &o->req, o->end_mark, &err)
										: o->store->ops->idem->abandon(o->store, &o->req, true, &err);

	if (rc == PAYLOCK_YES) {
		PAYLOCK_G(stats).idem_abandoned++;
	} else if (err.kind != PAYLOCK_ERR_NONE) {
		warn_not_abandoned(o->req.name, "at request end", &err);
	}
}

void paylock_idempotency_abandon_all(void)
{
	paylock_registry_drain(&PAYLOCK_G(claims), abandon_at_end, abandon_orphan);
}

/* ---- IdempotencyGuard ---- */

static paylock_guard *this_guard(zval *this_zv)
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
		registry_add(c);
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
static zend_object *guard_begin(paylock_guard *g, zend_string *key, HashTable *fp_ht, zend_string *fp_str,
								double wait, uint32_t fp_arg)
{
	zend_object *obj = claim_ce->create_object(claim_ce);
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

static zend_result check_begin_args(zend_string *key, double wait, uint32_t wait_arg)
{
	return paylock_check_name(key, 1) == FAILURE || paylock_check_seconds(wait, wait_arg, true) == FAILURE
			   ? FAILURE
			   : SUCCESS;
}

static void throw_not_owned(paylock_claim *c, const char *what)
{
	char kb[96];

	switch (c->phase) {
	case PHASE_REPLAY:
		zend_throw_error(NULL, "Cannot %s: this claim replays an earlier run of key \"%s\"", what,
						 KEY_FOR_MSG(c, kb));
		break;
	case PHASE_COMPLETED:
		zend_throw_error(NULL, "Cannot %s: the claim on key \"%s\" is already completed", what,
						 KEY_FOR_MSG(c, kb));
		break;
	case PHASE_ABANDONED:
		zend_throw_error(NULL, "Cannot %s: the claim on key \"%s\" was abandoned", what, KEY_FOR_MSG(c, kb));
		break;
	default:
		paylock_throw(paylock_ce_LockLostException,
					  "Cannot %s: the claim on idempotency key \"%s\" is no longer held by this process",
					  what, KEY_FOR_MSG(c, kb));
	}
}

/* Encodes and stores result. FAILURE threw; the claim stays owned unless the store said it was lost. */
static zend_result complete_claim(paylock_claim *c, zval *result, uint32_t arg_num)
{
	paylock_error err = {0};
	zend_string *encoded;
	paylock_status rc;
	char kb[96];

	if (!owned_here(c)) {
		throw_not_owned(c, "complete()");
		return FAILURE;
	}
	encoded = paylock_result_encode(result, c->max_result_bytes, arg_num);
	if (encoded == NULL) {
		return FAILURE;
	}
	rc = c->store->ops->idem->complete(c->store, &c->req, encoded, &err);
	if (rc == PAYLOCK_FAILED && err.kind == PAYLOCK_ERR_CONNECTION) {
		/* The next call reopens a broken connection (a Redis restart): the result deserves one more try,
		 * and a resent complete is recognised by our token. */
		memset(&err, 0, sizeof(err));
		rc = c->store->ops->idem->complete(c->store, &c->req, encoded, &err);
	}
	zend_string_release(encoded);
	switch (rc) {
	case PAYLOCK_YES:
		c->phase = PHASE_COMPLETED;
		ZVAL_COPY_DEREF(&c->result, result);
		registry_remove(c);
		return SUCCESS;
	case PAYLOCK_NO:
		PAYLOCK_G(stats).idem_lost++;
		paylock_event_lease_expired(c->store, c->key, c->attempt);
		drop_ownership(c);
		paylock_throw(
			paylock_ce_LockLostException,
			"The claim on idempotency key \"%s\" ended before complete(): another delivery owns the key "
			"now (this claim outlived in_progress_ttl without refresh(), or the key was forgotten with "
			"force). This result was not stored",
			KEY_FOR_MSG(c, kb));
		return FAILURE;
	default:
		paylock_error_throw(&err);
		return FAILURE;
	}
}

/* run()'s $options. */
typedef struct {
	zend_class_entry **unknown_on; /* exception classes meaning "outcome unknown" */
	uint32_t n_unknown;
	zend_fcall_info convert_fci; /* convert: makes $fn's value storable (.size 0: none) */
	zend_fcall_info_cache convert_fcc;
	bool renew; /* $fn gets the Claim, to refresh() it during a long step */
} run_options;

#define RUN_OPTIONS_ARG 5

static void run_options_free(run_options *o)
{
	if (o->unknown_on) {
		efree(o->unknown_on);
	}
}

static zend_result parse_unknown_on(run_options *o, zval *val)
{
	zval *cls;

	if (Z_TYPE_P(val) != IS_ARRAY) {
		zend_argument_type_error(RUN_OPTIONS_ARG, "option \"unknown_on\" must be of type array, %s given",
								 zend_zval_type_name(val));
		return FAILURE;
	}
	o->unknown_on = safe_emalloc(zend_hash_num_elements(Z_ARRVAL_P(val)), sizeof(zend_class_entry *), 0);
	ZEND_HASH_FOREACH_VAL(Z_ARRVAL_P(val), cls) {
		zend_class_entry *ce;

		ZVAL_DEREF(cls);
		if (Z_TYPE_P(cls) != IS_STRING || (ce = zend_lookup_class(Z_STR_P(cls))) == NULL ||
			!instanceof_function(ce, zend_ce_throwable)) {
			if (!EG(exception)) {
				zend_argument_value_error(RUN_OPTIONS_ARG,
										  "option \"unknown_on\" must list exception class names");
			}
			return FAILURE;
		}
		o->unknown_on[o->n_unknown++] = ce;
	}
	ZEND_HASH_FOREACH_END();
	return SUCCESS;
}

static zend_result parse_run_options(run_options *o, HashTable *options)
{
	zend_string *key;
	zval *val;

	ZEND_HASH_FOREACH_STR_KEY_VAL(options, key, val) {
		ZVAL_DEREF(val);
		if (key && zend_string_equals_literal(key, "unknown_on")) {
			if (parse_unknown_on(o, val) == FAILURE) {
				return FAILURE;
			}
		} else if (key && zend_string_equals_literal(key, "convert")) {
			char *why = NULL;

			if (zend_fcall_info_init(val, 0, &o->convert_fci, &o->convert_fcc, NULL, &why) == FAILURE) {
				zend_argument_type_error(RUN_OPTIONS_ARG, "option \"convert\" must be a valid callback, %s",
										 why ? why : "not callable");
				if (why) {
					efree(why);
				}
				return FAILURE;
			}
		} else if (key && zend_string_equals_literal(key, "renew")) {
			if (Z_TYPE_P(val) != IS_TRUE && Z_TYPE_P(val) != IS_FALSE) {
				zend_argument_type_error(RUN_OPTIONS_ARG, "option \"renew\" must be of type bool, %s given",
										 zend_zval_type_name(val));
				return FAILURE;
			}
			o->renew = Z_TYPE_P(val) == IS_TRUE;
		} else {
			zend_argument_value_error(RUN_OPTIONS_ARG,
									  "contains unknown option \"%s\" (known: unknown_on, convert, renew)",
									  key ? ZSTR_VAL(key) : "(integer key)");
			return FAILURE;
		}
	}
	ZEND_HASH_FOREACH_END();
	return SUCCESS;
}

static bool means_unknown(const run_options *o, const zend_object *ex)
{
	for (uint32_t i = 0; i < o->n_unknown; i++) {
		if (instanceof_function(ex->ce, o->unknown_on[i])) {
			return true;
		}
	}
	return false;
}

/* $fn threw: nothing is stored. An unknown_on exception marks the outcome unknown, exit() mid-step is a
 * crash, anything else means nothing happened and a later delivery runs again. */
static void after_fn_threw(paylock_claim *c, const run_options *o)
{
	zend_object *ex = EG(exception);
	bool crashed = zend_is_unwind_exit(ex);

	if (!crashed && means_unknown(o, ex)) {
		mark_quietly(c, PAYLOCK_MARK_UNKNOWN, "after $fn threw");
		return;
	}
	zend_exception_save();
	if (owned_here(c)) {
		abandon_quietly(c, crashed, crashed ? "at exit()" : "after $fn threw");
	}
	zend_exception_restore();
}

/* Replaces *value by convert($value). FAILURE: it threw. */
static zend_result convert_result(run_options *o, zval *value)
{
	zval converted;

	ZVAL_UNDEF(&converted);
	o->convert_fci.retval = &converted;
	o->convert_fci.params = value;
	o->convert_fci.param_count = 1;
	if (zend_call_function(&o->convert_fci, &o->convert_fcc) == FAILURE || EG(exception)) {
		zval_ptr_dtor(&converted);
		return FAILURE;
	}
	zval_ptr_dtor(value);
	ZVAL_COPY_VALUE(value, &converted);
	return SUCCESS;
}

ZEND_METHOD(PayLock_IdempotencyGuard, run)
{
	paylock_guard *g;
	zend_string *key;
	zend_fcall_info fci;
	zend_fcall_info_cache fcc;
	HashTable *fp_ht = NULL, *options = NULL;
	zend_string *fp_str = NULL;
	double wait = 0;
	zend_object *obj;
	paylock_claim *c;
	run_options o = {0};
	zval claim_zv;

	ZEND_PARSE_PARAMETERS_START(2, 5)
		Z_PARAM_STR(key)
		Z_PARAM_FUNC(fci, fcc)
		Z_PARAM_OPTIONAL
		Z_PARAM_ARRAY_HT_OR_STR_OR_NULL(fp_ht, fp_str)
		Z_PARAM_DOUBLE(wait)
		Z_PARAM_ARRAY_HT(options)
	ZEND_PARSE_PARAMETERS_END();

	if ((g = this_guard(ZEND_THIS)) == NULL || check_begin_args(key, wait, 4) == FAILURE ||
		(options && parse_run_options(&o, options) == FAILURE) ||
		(obj = guard_begin(g, key, fp_ht, fp_str, wait, 3)) == NULL) {
		run_options_free(&o);
		RETURN_THROWS();
	}
	c = claim_from_obj(obj);
	if (c->phase == PHASE_REPLAY) {
		RETVAL_COPY(&c->result);
		OBJ_RELEASE(obj);
		run_options_free(&o);
		return;
	}
	fci.retval = return_value;
	if (o.renew) {
		ZVAL_OBJ(&claim_zv, obj);
		fci.params = &claim_zv;
		fci.param_count = 1;
	}
	zend_call_function(&fci, &fcc);
	if (EG(exception)) {
		after_fn_threw(c, &o);
	} else if (o.convert_fci.size && convert_result(&o, return_value) == FAILURE) {
		mark_quietly(c, PAYLOCK_MARK_UNSTORED, "after \"convert\" threw");
	} else if (complete_claim(c, return_value, 0) == FAILURE) {
		/* The step returned but its result was not stored: it is never run again automatically. */
		mark_quietly(c, PAYLOCK_MARK_UNSTORED, "after its result was refused");
	}
	OBJ_RELEASE(obj);
	run_options_free(&o);
	if (EG(exception)) {
		zval_ptr_dtor(return_value);
		ZVAL_UNDEF(return_value);
		RETURN_THROWS();
	}
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

	if ((g = this_guard(ZEND_THIS)) == NULL || check_begin_args(key, wait, 3) == FAILURE ||
		(obj = guard_begin(g, key, fp_ht, fp_str, wait, 2)) == NULL) {
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

	if ((g = this_guard(ZEND_THIS)) == NULL || paylock_check_name(key, 1) == FAILURE) {
		RETURN_THROWS();
	}
	req.name = record_name(g, key);
	req.force = force;
	rc = g->store->ops->idem->forget(g->store, &req, &err);
	req_dtor(g->store, &req);
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

/* ---- Claim ---- */

static paylock_claim *this_claim(zval *this_zv)
{
	paylock_claim *c = claim_from_obj(Z_OBJ_P(this_zv));

	if (c->key == NULL) {
		zend_throw_error(NULL, "PayLock\\Claim object has not been initialized");
		return NULL;
	}
	return c;
}

ZEND_METHOD(PayLock_Claim, __construct)
{
	ZEND_PARSE_PARAMETERS_NONE(); /* private: claims come from IdempotencyGuard::begin() */
}

ZEND_METHOD(PayLock_Claim, isReplay)
{
	paylock_claim *c;

	ZEND_PARSE_PARAMETERS_NONE();
	if ((c = this_claim(ZEND_THIS)) == NULL) {
		RETURN_THROWS();
	}
	RETURN_BOOL(c->phase == PHASE_REPLAY);
}

ZEND_METHOD(PayLock_Claim, result)
{
	paylock_claim *c;
	char kb[96];

	ZEND_PARSE_PARAMETERS_NONE();
	if ((c = this_claim(ZEND_THIS)) == NULL) {
		RETURN_THROWS();
	}
	if (c->phase != PHASE_REPLAY && c->phase != PHASE_COMPLETED) {
		zend_throw_error(NULL, "The claim on key \"%s\" has no result: %s", KEY_FOR_MSG(c, kb),
						 c->phase == PHASE_OWNED ? "run the step, then complete() it"
												 : "it was not completed");
		RETURN_THROWS();
	}
	RETURN_COPY(&c->result);
}

ZEND_METHOD(PayLock_Claim, complete)
{
	paylock_claim *c;
	zval *result;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_ZVAL(result)
	ZEND_PARSE_PARAMETERS_END();

	if ((c = this_claim(ZEND_THIS)) == NULL || complete_claim(c, result, 1) == FAILURE) {
		RETURN_THROWS();
	}
}

ZEND_METHOD(PayLock_Claim, abandon)
{
	paylock_claim *c;
	paylock_error err = {0};

	ZEND_PARSE_PARAMETERS_NONE();
	if ((c = this_claim(ZEND_THIS)) == NULL) {
		RETURN_THROWS();
	}
	if (c->phase == PHASE_REPLAY || c->phase == PHASE_COMPLETED) {
		throw_not_owned(c, "abandon()");
		RETURN_THROWS();
	}
	if (owned_here(c) && abandon_now(c, false, &err) == PAYLOCK_FAILED) {
		paylock_error_throw(&err);
		RETURN_THROWS();
	}
}

ZEND_METHOD(PayLock_Claim, markUnknown)
{
	paylock_claim *c;
	paylock_error err = {0};
	paylock_status rc;
	char kb[96];

	ZEND_PARSE_PARAMETERS_NONE();
	if ((c = this_claim(ZEND_THIS)) == NULL) {
		RETURN_THROWS();
	}
	if (!owned_here(c)) {
		throw_not_owned(c, "markUnknown()");
		RETURN_THROWS();
	}
	rc = mark_now(c, PAYLOCK_MARK_UNKNOWN, &err);
	if (rc == PAYLOCK_FAILED) {
		paylock_error_throw(&err);
		RETURN_THROWS();
	}
	if (rc == PAYLOCK_NO) {
		paylock_throw(paylock_ce_LockLostException,
					  "Cannot markUnknown(): another delivery owns idempotency key \"%s\" now (this claim "
					  "outlived in_progress_ttl without refresh())",
					  KEY_FOR_MSG(c, kb));
		RETURN_THROWS();
	}
}

ZEND_METHOD(PayLock_Claim, refresh)
{
	paylock_claim *c;
	paylock_error err = {0};
	double seconds = 0;
	bool is_null = true;
	paylock_status rc;
	char kb[96];

	ZEND_PARSE_PARAMETERS_START(0, 1)
		Z_PARAM_OPTIONAL
		Z_PARAM_DOUBLE_OR_NULL(seconds, is_null)
	ZEND_PARSE_PARAMETERS_END();

	if ((c = this_claim(ZEND_THIS)) == NULL ||
		(!is_null && paylock_check_seconds(seconds, 1, false) == FAILURE)) {
		RETURN_THROWS();
	}
	if (!owned_here(c)) {
		throw_not_owned(c, "refresh()");
		RETURN_THROWS();
	}
	rc = c->store->ops->idem->refresh(c->store, &c->req,
									  is_null ? c->req.lease_ms : paylock_seconds_to_ms(seconds), &err);
	if (rc == PAYLOCK_FAILED) {
		paylock_error_throw(&err);
		RETURN_THROWS();
	}
	if (rc == PAYLOCK_NO) {
		PAYLOCK_G(stats).idem_lost++;
		paylock_event_lease_expired(c->store, c->key, c->attempt);
		drop_ownership(c);
		paylock_throw(
			paylock_ce_LockLostException,
			"The claim on idempotency key \"%s\" could not be refreshed: another delivery owns the "
			"key now (it outlived in_progress_ttl before this refresh(), or was forgotten with force)",
			KEY_FOR_MSG(c, kb));
		RETURN_THROWS();
	}
}

ZEND_METHOD(PayLock_Claim, attempt)
{
	paylock_claim *c;

	ZEND_PARSE_PARAMETERS_NONE();
	if ((c = this_claim(ZEND_THIS)) == NULL) {
		RETURN_THROWS();
	}
	RETURN_LONG((zend_long)c->attempt);
}

ZEND_METHOD(PayLock_Claim, key)
{
	paylock_claim *c;

	ZEND_PARSE_PARAMETERS_NONE();
	if ((c = this_claim(ZEND_THIS)) == NULL) {
		RETURN_THROWS();
	}
	RETURN_STR_COPY(c->key);
}

/* ---- object handlers ---- */

static zend_object *guard_create(zend_class_entry *ce)
{
	return paylock_object_new(ce, sizeof(paylock_guard), &guard_handlers);
}

static void guard_free(zend_object *obj)
{
	paylock_guard *g = guard_from_obj(obj);

	if (g->prefix) {
		zend_string_release(g->prefix);
	}
	if (g->scope) {
		zend_string_release(g->scope);
	}
	if (g->store_obj) {
		OBJ_RELEASE(g->store_obj);
	}
	zend_object_std_dtor(obj);
}

static zend_object *claim_create(zend_class_entry *ce)
{
	return paylock_object_new(ce, sizeof(paylock_claim), &claim_handlers);
}

/* A claim dropped while still ours. When the request is ending (exit(), or the script ended with the claim
 * in a global) the step may have run: outcome unknown, as after a fatal error. During exception unwinding
 * it is the step failing (like $fn throwing in run()); otherwise complete()/abandon() was forgotten,
 * which deserves a warning. */
static void claim_dtor(zend_object *obj)
{
	paylock_claim *c = claim_from_obj(obj);
	bool request_ending;

	zend_objects_destroy_object(obj);
	if (c->store == NULL || !owned_here(c) || c->has_end_mark) {
		return; /* a pending mark stays ours: request end applies it */
	}
	request_ending =
		(EG(flags) & EG_FLAGS_IN_SHUTDOWN) || (EG(exception) && zend_is_unwind_exit(EG(exception)));
	if (request_ending) {
		abandon_quietly(c, true, "at request end");
		return;
	}
	if (!EG(exception)) {
		char kb[96];

		php_error_docref(NULL, E_WARNING,
						 "The claim on idempotency key \"%s\" was destroyed without complete() or abandon(); "
						 "abandoned, so the next delivery runs the step again",
						 KEY_FOR_MSG(c, kb));
	}
	abandon_quietly(c, false, "on destruction");
}

/* No I/O here: RSHUTDOWN gives up what the request still owned. */
static void claim_free(zend_object *obj)
{
	paylock_claim *c = claim_from_obj(obj);

	if (c->phase == PHASE_OWNED && PAYLOCK_G(in_request) && c->owner_pid == paylock_pid()) {
		adopt_orphan(c);
	} else if (c->phase == PHASE_OWNED) {
		drop_ownership(c);
	}
	req_dtor(c->store, &c->req);
	zval_ptr_dtor(&c->result);
	if (c->key) {
		zend_string_release(c->key);
	}
	if (c->store_obj) {
		OBJ_RELEASE(c->store_obj);
	}
	zend_object_std_dtor(obj);
}

static const char *phase_name(claim_phase p)
{
	static const char *const names[] = {"new", "owned", "replay", "completed", "abandoned", "lost"};

	return names[p];
}

static HashTable *claim_debug_info(zend_object *obj, int *is_temp)
{
	paylock_claim *c = claim_from_obj(obj);
	HashTable *ht = zend_new_array(4);
	zval v;

	*is_temp = 1;
	if (c->key == NULL) {
		return ht;
	}
	ZVAL_STR_COPY(&v, c->key);
	zend_hash_str_add(ht, "key", 3, &v);
	ZVAL_STRING(&v,
				phase_name(c->phase == PHASE_OWNED && c->owner_pid != paylock_pid() ? PHASE_LOST : c->phase));
	zend_hash_str_add(ht, "state", 5, &v);
	ZVAL_LONG(&v, (zend_long)c->attempt);
	zend_hash_str_add(ht, "attempt", 7, &v);
	return ht;
}

static HashTable *guard_debug_info(zend_object *obj, int *is_temp)
{
	paylock_guard *g = guard_from_obj(obj);
	HashTable *ht = zend_new_array(6);
	zval v;

	*is_temp = 1;
	if (g->store == NULL) {
		return ht;
	}
	ZVAL_STRING(&v, g->store->ops->kind);
	zend_hash_str_add(ht, "store", 5, &v);
	ZVAL_STR_COPY(&v, g->prefix);
	zend_hash_str_add(ht, "prefix", 6, &v);
	ZVAL_STR_COPY(&v, g->scope);
	zend_hash_str_add(ht, "scope", 5, &v);
	ZVAL_DOUBLE(&v, g->retention_ms / 1000.0);
	zend_hash_str_add(ht, "retention", 9, &v);
	ZVAL_DOUBLE(&v, g->lease_ms / 1000.0);
	zend_hash_str_add(ht, "in_progress_ttl", 15, &v);
	ZVAL_STRING(&v, g->throw_after_crash ? "throw" : "rerun");
	zend_hash_str_add(ht, "after_crash", 11, &v);
	return ht;
}

void paylock_idempotency_minit(zend_class_entry *gce, zend_class_entry *cce)
{
	guard_ce = gce;
	claim_ce = cce;
	gce->create_object = guard_create;
	cce->create_object = claim_create;
	paylock_handlers_init(&guard_handlers, XtOffsetOf(paylock_guard, std), guard_free);
	guard_handlers.get_debug_info = guard_debug_info;
	paylock_handlers_init(&claim_handlers, XtOffsetOf(paylock_claim, std), claim_free);
	claim_handlers.dtor_obj = claim_dtor;
	claim_handlers.get_debug_info = claim_debug_info;
}
