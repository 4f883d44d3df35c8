/* The request registry of the claims this process owns, and ending a claim (abandon, mark) now or
 * quietly: RSHUTDOWN marks the ones still owned "outcome unknown" after a fatal error or exit. */
#include "events.h"
#include "metrics.h"
#include "idempotency.h"
#include "idempotency_internal.h"
#include "zend_exceptions.h"

/* ---- the request registry of owned claims ---- */

void paylock_claim_register(paylock_claim *c)
{
	paylock_registry_add(&PAYLOCK_G(claims), &c->std);
}

void paylock_claim_unregister(paylock_claim *c)
{
	paylock_registry_remove(&PAYLOCK_G(claims), &c->std);
}

/* Lets go of the request and of what the store keeps for it, without I/O on the store. */
void paylock_claim_req_dtor(paylock_store *s, paylock_idem_req *r)
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
void paylock_claim_drop_ownership(paylock_claim *c)
{
	if (c->store->ops->idem->req_drop) {
		c->store->ops->idem->req_drop(c->store, &c->req);
	}
	c->phase = PHASE_LOST;
	paylock_claim_unregister(c);
}

/* Owned by this process. A forked child sees its parent's claims as lost and never touches them. */
bool paylock_claim_owned_here(paylock_claim *c)
{
	if (c->phase == PHASE_OWNED && c->owner_pid != paylock_pid()) {
		paylock_claim_drop_ownership(c);
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

	paylock_claim_req_dtor(o->store, &o->req);
	OBJ_RELEASE(o->store_obj);
	efree(o);
}

void paylock_claim_adopt_orphan(paylock_claim *c)
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
	paylock_claim_unregister(c);
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
paylock_status paylock_claim_ended(paylock_claim *c, paylock_status rc)
{
	if (rc == PAYLOCK_YES) {
		PAYLOCK_G(stats).idem_abandoned++;
		c->phase = PHASE_ABANDONED;
		paylock_claim_unregister(c);
	} else if (rc == PAYLOCK_NO) {
		PAYLOCK_G(stats).idem_lost++;
		paylock_claim_drop_ownership(c);
	}
	return rc;
}

paylock_status paylock_claim_abandon_now(paylock_claim *c, bool outcome_unknown, paylock_error *err)
{
	paylock_status rc =
		paylock_claim_ended(c, c->store->ops->idem->abandon(c->store, &c->req, outcome_unknown, err));

	paylock_event_claim_abandoned(c->store, c->key, c->attempt, outcome_unknown, rc);
	return rc;
}

/* Ends our claim as marked (never re-run automatically). */
paylock_status paylock_claim_mark_now(paylock_claim *c, paylock_idem_mark how, paylock_error *err)
{
	paylock_status rc = paylock_claim_ended(c, c->store->ops->idem->mark(c->store, &c->req, how, err));

	paylock_event_claim_marked(c->store, c->key, c->attempt, how == PAYLOCK_MARK_UNSTORED, rc);
	return rc;
}

/* run()'s error paths: an exception is pending already, so failures warn. */
void paylock_claim_mark_quietly(paylock_claim *c, paylock_idem_mark how, const char *when)
{
	paylock_error err = {0};

	zend_exception_save();
	if (paylock_claim_owned_here(c) && paylock_claim_mark_now(c, how, &err) == PAYLOCK_FAILED) {
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
void paylock_claim_abandon_quietly(paylock_claim *c, bool outcome_unknown, const char *when)
{
	paylock_error err = {0};

	if (paylock_claim_abandon_now(c, outcome_unknown, &err) == PAYLOCK_FAILED) {
		if (err.kind != PAYLOCK_ERR_NONE) {
			warn_not_abandoned(c->key, when, &err);
		}
		paylock_claim_drop_ownership(c);
	}
}

void paylock_idempotency_rinit(void)
{
	paylock_registry_init(&PAYLOCK_G(claims), claim_orphan_dtor);
}

static void abandon_at_end(zend_object *obj)
{
	paylock_claim *c = claim_from_obj(obj);

	if (paylock_claim_owned_here(c) && c->has_end_mark) {
		paylock_error err = {0};

		if (paylock_claim_mark_now(c, c->end_mark, &err) == PAYLOCK_FAILED) {
			warn_not_abandoned(c->key, "at request end", &err);
			paylock_claim_drop_ownership(c);
		}
	} else if (paylock_claim_owned_here(c)) {
		paylock_claim_abandon_quietly(c, true, "at request end");
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
