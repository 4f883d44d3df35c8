/* What the IdempotencyGuard and Claim sources share (idempotency*.c): the objects, and the functions one
 * of them calls in another. Not for other files: their interface is idempotency.h. */
#ifndef PAYLOCK_IDEMPOTENCY_INTERNAL_H
#define PAYLOCK_IDEMPOTENCY_INTERNAL_H

#include "php_paylock.h"
#include "store.h"

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

/* The Claim class (set at module start-up): begin() makes its objects. */
extern zend_class_entry *paylock_idem_claim_ce;

/* ---- idempotency_registry.c: the request registry of owned claims, and ending claims ---- */
/* A claim this process owns enters the request registry (RSHUTDOWN ends what is still there). */
void paylock_claim_register(paylock_claim *c);
void paylock_claim_unregister(paylock_claim *c);
/* Lets go of the request and of what the store keeps for it, without I/O on the store. */
void paylock_claim_req_dtor(paylock_store *s, paylock_idem_req *r);
/* Ends our ownership without telling the store (lost claims, a parent's claim seen in a fork). */
void paylock_claim_drop_ownership(paylock_claim *c);
/* Owned by this process. A forked child sees its parent's claims as lost and never touches them. */
bool paylock_claim_owned_here(paylock_claim *c);
/* A Claim object freed while still owned (globals after a fatal error): its request moves to the
 * registry as an orphan, ended at request end. */
void paylock_claim_adopt_orphan(paylock_claim *c);
/* After an abandon or a mark: YES/NO both end our ownership; FAILED keeps it (the caller may try again). */
paylock_status paylock_claim_ended(paylock_claim *c, paylock_status rc);
/* Gives the claim up now (outcome_unknown: marked so, never re-run automatically). */
paylock_status paylock_claim_abandon_now(paylock_claim *c, bool outcome_unknown, paylock_error *err);
/* Ends our claim as marked (never re-run automatically). */
paylock_status paylock_claim_mark_now(paylock_claim *c, paylock_idem_mark how, paylock_error *err);
/* run()'s error paths: an exception is pending already, so failures warn. */
void paylock_claim_mark_quietly(paylock_claim *c, paylock_idem_mark how, const char *when);
/* From destructors, RSHUTDOWN and run()'s error path: nothing may be thrown, so failures warn. */
void paylock_claim_abandon_quietly(paylock_claim *c, bool outcome_unknown, const char *when);

/* ---- idempotency_guard.c: IdempotencyGuard's options and begin() ---- */
/* $this as a guard; throws (NULL) when __construct has not run. */
paylock_guard *paylock_guard_this(zval *this_zv);
/* Claims key or finds its result; returns the new Claim object, or NULL with an exception thrown. */
zend_object *paylock_guard_begin(paylock_guard *g, zend_string *key, HashTable *fp_ht, zend_string *fp_str,
								 double wait, uint32_t fp_arg);
/* Validates begin()/run()'s key and wait arguments (throws naming the argument). */
zend_result paylock_guard_check_begin_args(zend_string *key, double wait, uint32_t wait_arg);

/* ---- idempotency_claim.c: the Claim class ---- */
/* Throws why a claim that is not ours to run cannot do `what` (Error, or LockLostException when lost). */
void paylock_claim_throw_not_owned(paylock_claim *c, const char *what);
/* Encodes and stores result. FAILURE threw; the claim stays owned unless the store said it was lost. */
zend_result paylock_claim_complete(paylock_claim *c, zval *result, uint32_t arg_num);

#endif
