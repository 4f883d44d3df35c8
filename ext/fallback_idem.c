/* FallbackStore's idempotency ops: the local record first (a replay of a step this host ran needs no Redis),
 * then Redis, the authority across hosts. Every result is stored in both, so when Redis is down the local
 * records still answer for everything this host ran, and claims go on locally (degraded). */
#include "fallback_internal.h"
#include "zend_exceptions.h"

/* Gives up the local claim taken before asking Redis; errors are Redis' to report. */
static void drop_local_claim(paylock_fallback_store *fb, paylock_idem_req *r)
{
	paylock_error ignored = {0};

	paylock_fb_part_abandon(fb, LOCAL, r, false, &ignored);
}

static paylock_status fallback_idem_claim(paylock_store *s, paylock_idem_req *r, bool register_wait,
										  paylock_idem_outcome *out, paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_idem_outcome local = {0};
	paylock_error rerr = {0};
	paylock_status rc = paylock_fb_part_claim(fb, LOCAL, r, register_wait, &local, err);

	paylock_fb_claim_of(r)->wait_remote = false;
	paylock_fb_claim_of(r)->degraded = false;
	if (rc != PAYLOCK_YES || local.state != PAYLOCK_IDEM_CLAIMED) {
		*out = local; /* done, running here, mismatch or crashed: this host knows */
		return rc;
	}
	rc = paylock_fb_part_claim(fb, REMOTE, r, register_wait, out, &rerr);
	if (rc == PAYLOCK_FAILED) {
		if (paylock_fb_may_degrade(fb, rc, &rerr)) {
			paylock_fb_note_degraded(&rerr);
			if (EG(exception)) { /* an error handler turned the warning into an exception */
				drop_local_claim(fb, r);
				return PAYLOCK_FAILED;
			}
			paylock_fb_claim_of(r)->degraded = true;
			*out = local;
			return PAYLOCK_YES;
		}
		drop_local_claim(fb, r);
		*err = rerr;
		return rc;
	}
	switch (out->state) {
	case PAYLOCK_IDEM_CLAIMED:
		return rc;
	case PAYLOCK_IDEM_DONE:
		/* Another host ran it: keep its result here too, so the next replay stays local. */
		if (paylock_fb_part_complete(fb, LOCAL, r, out->result, &rerr) != PAYLOCK_YES) {
			drop_local_claim(fb, r);
		}
		return rc;
	case PAYLOCK_IDEM_RUNNING:
		paylock_fb_claim_of(r)->wait_remote = true;
		ZEND_FALLTHROUGH;
	default:
		drop_local_claim(fb, r);
		return rc;
	}
}

static paylock_status fallback_idem_wait(paylock_store *s, paylock_idem_req *r, uint64_t deadline_ns,
										 int64_t lease_left_ms, paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;

	if (paylock_fb_claim_of(r)->wait_remote) {
		return paylock_fb_part_wait(fb, REMOTE, r, deadline_ns, lease_left_ms, err);
	}
	return paylock_fb_part_wait(fb, LOCAL, r, deadline_ns, lease_left_ms, err);
}

/* A claim taken on Redis is ended on Redis, also when Redis went down meanwhile: left "running" there,
 * it would read as crashed on other hosts, which would run the step again. So a failure is the caller's
 * (who asks again and marks the claim at request end, as with a RedisStore), not a reason to degrade.
 * This host keeps the result either way, so its own replays need no Redis. */
static paylock_status fallback_idem_complete(paylock_store *s, paylock_idem_req *r, const zend_string *result,
											 paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	bool degraded = paylock_fb_claim_of(r)->degraded;
	paylock_error lerr = {0};
	paylock_status rc = PAYLOCK_YES, frc;

	if (!degraded) {
		rc = paylock_fb_part_complete(fb, REMOTE, r, result, err);
		if (rc == PAYLOCK_NO) {
			drop_local_claim(fb, r); /* taken over through Redis: its record decides */
			return rc;
		}
	}
	frc = paylock_fb_part_complete(fb, LOCAL, r, result, degraded ? err : &lerr);
	if (degraded) {
		return frc;
	}
	if (frc != PAYLOCK_YES) {
		drop_local_claim(fb, r); /* Redis is asked after a local miss */
	}
	return rc;
}

static paylock_status fallback_idem_abandon(paylock_store *s, paylock_idem_req *r, bool outcome_unknown,
											paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_error ferr = {0};
	paylock_status rc = PAYLOCK_YES, frc;

	if (!paylock_fb_claim_of(r)->degraded) {
		rc = paylock_fb_part_abandon(fb, REMOTE, r, outcome_unknown, err);
		if (paylock_fb_may_degrade(fb, rc, err)) {
			paylock_fb_note_degraded(err);
			rc = PAYLOCK_YES;
		}
	}
	frc = paylock_fb_part_abandon(fb, LOCAL, r, outcome_unknown,
								  paylock_fb_claim_of(r)->degraded ? err : &ferr);
	return paylock_fb_claim_of(r)->degraded ? frc : rc;
}

/* Refused (NO) when a live owner runs it on Redis or, degraded, on this host. */
static paylock_status fallback_idem_forget(paylock_store *s, paylock_idem_req *r, paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_status rc = paylock_fb_part_forget(fb, REMOTE, r, err);

	if (paylock_fb_may_degrade(fb, rc, err)) {
		paylock_fb_note_degraded(err);
		rc = PAYLOCK_YES;
	}
	if (rc != PAYLOCK_YES) {
		return rc;
	}
	return paylock_fb_part_forget(fb, LOCAL, r, err);
}

/* Marked on Redis and here: this host's record answers for it even while Redis is down. */
static paylock_status fallback_idem_mark(paylock_store *s, paylock_idem_req *r, paylock_idem_mark how,
										 paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_error ferr = {0};
	paylock_status rc = PAYLOCK_YES, frc;

	if (!paylock_fb_claim_of(r)->degraded) {
		/* a failure is not degraded: see fallback_idem_complete() */
		rc = paylock_fb_part_mark(fb, REMOTE, r, how, err);
		if (rc == PAYLOCK_NO) {
			drop_local_claim(fb, r); /* taken over through Redis: its record decides */
			return rc;
		}
	}
	frc = paylock_fb_part_mark(fb, LOCAL, r, how, paylock_fb_claim_of(r)->degraded ? err : &ferr);
	return paylock_fb_claim_of(r)->degraded ? frc : rc;
}

static paylock_status fallback_idem_refresh(paylock_store *s, paylock_idem_req *r, int64_t lease_ms,
											paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_status rc;

	if (!paylock_fb_claim_of(r)->degraded) {
		rc = paylock_fb_part_idem_refresh(fb, REMOTE, r, lease_ms, err);
		if (paylock_fb_may_degrade(fb, rc, err)) {
			paylock_fb_note_degraded(
				err); /* the local run lock keeps this host's deliveries out; complete() tries Redis */
		} else if (rc == PAYLOCK_NO) {
			drop_local_claim(fb, r);
			return rc;
		} else if (rc == PAYLOCK_FAILED) {
			return rc;
		}
	}
	return paylock_fb_part_idem_refresh(fb, LOCAL, r, lease_ms, err);
}

const paylock_idem_ops paylock_fallback_idem_ops = {
	.claim = fallback_idem_claim,
	.wait = fallback_idem_wait,
	.complete = fallback_idem_complete,
	.abandon = fallback_idem_abandon,
	.forget = fallback_idem_forget,
	.mark = fallback_idem_mark,
	.refresh = fallback_idem_refresh,
	.req_free = paylock_fb_req_free,
	.req_drop = paylock_fb_req_drop,
};
