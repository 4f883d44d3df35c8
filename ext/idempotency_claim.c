/* PayLock\Claim: the methods of a claim begin() returned (complete, abandon, markUnknown, refresh, ...). */
#include "events.h"
#include "idempotency_internal.h"
#include "codec.h"
#include "zend_exceptions.h"

void paylock_claim_throw_not_owned(paylock_claim *c, const char *what)
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
zend_result paylock_claim_complete(paylock_claim *c, zval *result, uint32_t arg_num)
{
	paylock_error err = {0};
	zend_string *encoded;
	paylock_status rc;
	char kb[96];

	if (!paylock_claim_owned_here(c)) {
		paylock_claim_throw_not_owned(c, "complete()");
		return FAILURE;
	}
	encoded = paylock_result_encode(result, c->max_result_bytes, arg_num);
	if (encoded == NULL) {
		return FAILURE;
	}
	rc = c->store->ops->idem->complete(c->store, &c->req, encoded, &err);
	if (rc == PAYLOCK_FAILED && err.kind == PAYLOCK_ERR_CONNECTION && !err.unreplicated) {
		/* The next call reopens a broken connection (a Redis restart): the result deserves one more try,
		 * and a resent complete is recognised by our token. */
		memset(&err, 0, sizeof(err));
		rc = c->store->ops->idem->complete(c->store, &c->req, encoded, &err);
	}
	zend_string_release(encoded);
	if (rc == PAYLOCK_FAILED && err.unreplicated) {
		/* Stored, but the replicas did not confirm it: the claim is complete (a replay returns the result,
		 * nothing re-runs it here); ReplicationException tells the caller the record may not survive a
		 * failover. */
		c->phase = PHASE_COMPLETED;
		ZVAL_COPY_DEREF(&c->result, result);
		paylock_claim_unregister(c);
		paylock_error_throw(&err);
		return FAILURE;
	}
	switch (rc) {
	case PAYLOCK_YES:
		c->phase = PHASE_COMPLETED;
		ZVAL_COPY_DEREF(&c->result, result);
		paylock_claim_unregister(c);
		return SUCCESS;
	case PAYLOCK_NO:
		PAYLOCK_G(stats).idem_lost++;
		paylock_event_lease_expired(c->store, c->key, c->attempt);
		paylock_claim_drop_ownership(c);
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

	if ((c = this_claim(ZEND_THIS)) == NULL || paylock_claim_complete(c, result, 1) == FAILURE) {
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
		paylock_claim_throw_not_owned(c, "abandon()");
		RETURN_THROWS();
	}
	if (paylock_claim_owned_here(c) && paylock_claim_abandon_now(c, false, &err) == PAYLOCK_FAILED) {
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
	if (!paylock_claim_owned_here(c)) {
		paylock_claim_throw_not_owned(c, "markUnknown()");
		RETURN_THROWS();
	}
	rc = paylock_claim_mark_now(c, PAYLOCK_MARK_UNKNOWN, &err);
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
	if (!paylock_claim_owned_here(c)) {
		paylock_claim_throw_not_owned(c, "refresh()");
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
		paylock_claim_drop_ownership(c);
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
