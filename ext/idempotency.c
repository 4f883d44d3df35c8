/* PayLock\IdempotencyGuard and PayLock\Claim over any store's idempotency ops: the objects' handlers and
 * module start-up. The methods are in idempotency_guard.c, idempotency_run.c and idempotency_claim.c; the
 * request registry of owned claims in idempotency_registry.c. */
#include "idempotency.h"
#include "idempotency_internal.h"
#include "zend_exceptions.h"
#include <unistd.h>

static zend_class_entry *guard_ce;
zend_class_entry *paylock_idem_claim_ce;
static zend_object_handlers guard_handlers;
static zend_object_handlers claim_handlers;

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
	if (c->store == NULL || !paylock_claim_owned_here(c) || c->has_end_mark) {
		return; /* a pending mark stays ours: request end applies it */
	}
	request_ending =
		(EG(flags) & EG_FLAGS_IN_SHUTDOWN) || (EG(exception) && zend_is_unwind_exit(EG(exception)));
	if (request_ending) {
		paylock_claim_abandon_quietly(c, true, "at request end");
		return;
	}
	if (!EG(exception)) {
		char kb[96];

		php_error_docref(NULL, E_WARNING,
						 "The claim on idempotency key \"%s\" was destroyed without complete() or abandon(); "
						 "abandoned, so the next delivery runs the step again",
						 KEY_FOR_MSG(c, kb));
	}
	paylock_claim_abandon_quietly(c, false, "on destruction");
}

/* No I/O here: RSHUTDOWN gives up what the request still owned. */
static void claim_free(zend_object *obj)
{
	paylock_claim *c = claim_from_obj(obj);

	if (c->phase == PHASE_OWNED && PAYLOCK_G(in_request) && c->owner_pid == paylock_pid()) {
		paylock_claim_adopt_orphan(c);
	} else if (c->phase == PHASE_OWNED) {
		paylock_claim_drop_ownership(c);
	}
	paylock_claim_req_dtor(c->store, &c->req);
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
	paylock_idem_claim_ce = cce;
	gce->create_object = guard_create;
	cce->create_object = claim_create;
	paylock_handlers_init(&guard_handlers, XtOffsetOf(paylock_guard, std), guard_free);
	guard_handlers.get_debug_info = guard_debug_info;
	paylock_handlers_init(&claim_handlers, XtOffsetOf(paylock_claim, std), claim_free);
	claim_handlers.dtor_obj = claim_dtor;
	claim_handlers.get_debug_info = claim_debug_info;
}
