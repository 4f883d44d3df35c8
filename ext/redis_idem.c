/* Idempotency records on Redis: one hash per record, one Lua script per transition (one round trip
 * each), every deadline from the server's TIME so clocks of different hosts never meet.
 *
 * Keys for record name "n" under store prefix "p:" (IdempotencyGuard puts the key in a {hash tag}):
 *   p:n     hash  s  state: r running | d done | a abandoned (nothing happened) | c crashed (outcome unknown)
 *                    | u marked outcome unknown | x ran, result not storable (u and x are never re-run)
 *                 o  owner token of the latest claim (kept after completion: a resent complete is a no-op)
 *                 f  fingerprint (SHA-256 hex) or ""      n  the latest attempt: max(n + 1, TIME in us)
 *                 e  running: lease end, Redis ms         v  done: the encoded result
 *                 t  done: completion time, Redis ms      w  waiters to wake when the owner finishes
 *   p:n:w   list  wake-ups: finishing pushes one item per registered waiter; waiters BLPOP it, so a
 *                 finish that happens before a waiter blocks is not lost
 * A running record lives for in_progress_ttl + retention: after a SIGKILL its expired lease reads as
 * "crashed" for the whole retention, not as "never happened". An owner whose record vanished (restart
 * without persistence, FLUSHALL, eviction, forced forget) writes it back when it finishes or refreshes:
 * only a record another owner holds means the claim was lost. Attempts are floored by the server's clock
 * in microseconds, so they never repeat for a key, also after forget() or expiry. */
#include "php_paylock.h"
#include "redis_internal.h"
#include "redis_replicas.h"
#include "redis_durability.h"
#include "lua_scripts.h"
#include "zend_exceptions.h"

/* Reply codes of the claim script, first element of its array. */
#define R_CLAIMED  1 /* {1, n} */
#define R_DONE     2 /* {2, n, result}: no TIME call on this path, replays are the common case */
#define R_RUNNING  3 /* {3, n, lease ms left} */
#define R_MISMATCH 4 /* {4, n} */
#define R_CRASHED  5 /* {5, n} */
#define R_CORRUPT  6 /* {6, n} */
#define R_UNKNOWN  7 /* {7, n} */
#define R_UNSTORED 8 /* {8, n} */
#define R_DONE_BIG 9 /* {9, n}: done, the result is outside the record (redis_idem_big.c) */

/* One script per transition: their sources, with KEYS, ARGV and replies, are ext/lua/idem_<name>.lua. */
static paylock_script claim_script;
static paylock_script complete_script;
static paylock_script abandon_script;
static paylock_script refresh_script;
static paylock_script forget_script;

typedef struct {
	char *rec;
	size_t rec_len;
	char *wake;
	size_t wake_len;
} idem_keys;

static void keys_init(const paylock_redis_client *c, const paylock_idem_req *r, idem_keys *k)
{
	size_t p = ZSTR_LEN(c->prefix), n = ZSTR_LEN(r->name);

	k->rec_len = p + n;
	k->wake_len = k->rec_len + 2;
	k->rec = emalloc(k->rec_len + k->wake_len);
	memcpy(k->rec, ZSTR_VAL(c->prefix), p);
	memcpy(k->rec + p, ZSTR_VAL(r->name), n);
	k->wake = k->rec + k->rec_len;
	memcpy(k->wake, k->rec, k->rec_len);
	memcpy(k->wake + k->rec_len, ":w", 2);
}

static void keys_free(idem_keys *k)
{
	efree(k->rec);
}

static int64_t reply_int_at(const paylock_reply *r, size_t i)
{
	const paylock_reply *e = paylock_reply_at(r, i);

	return paylock_reply_kind(e) == PAYLOCK_REPLY_INTEGER ? (int64_t)paylock_reply_int(e) : -1;
}

static paylock_status read_claim_reply(paylock_redis_client *c, const paylock_idem_req *rq, paylock_reply *r,
									   paylock_idem_outcome *out, paylock_error *err)
{
	size_t n = paylock_reply_kind(r) == PAYLOCK_REPLY_ARRAY ? paylock_reply_count(r) : 0;
	int64_t code = n >= 2 ? reply_int_at(r, 0) : -1;

	if (code < R_CLAIMED || code > R_DONE_BIG) {
		return paylock_redis_bad_reply(c, "the idempotency claim script", err);
	}
	out->attempt = reply_int_at(r, 1);
	switch (code) {
	case R_CLAIMED:
		out->state = PAYLOCK_IDEM_CLAIMED;
		return PAYLOCK_YES;
	case R_DONE: {
		size_t len;
		const char *v;

		if (n != 3 || paylock_reply_kind(paylock_reply_at(r, 2)) != PAYLOCK_REPLY_STRING) {
			return paylock_redis_bad_reply(c, "the idempotency claim script", err);
		}
		v = paylock_reply_str(paylock_reply_at(r, 2), &len);
		out->state = PAYLOCK_IDEM_DONE;
		out->result = zend_string_init(v, len, 0);
		return PAYLOCK_YES;
	}
	case R_RUNNING:
		out->state = PAYLOCK_IDEM_RUNNING;
		out->lease_left_ms = n == 3 ? reply_int_at(r, 2) : 0;
		return PAYLOCK_YES;
	case R_MISMATCH:
		out->state = PAYLOCK_IDEM_MISMATCH;
		return PAYLOCK_YES;
	case R_CRASHED:
		out->state = PAYLOCK_IDEM_CRASHED;
		return PAYLOCK_YES;
	case R_UNKNOWN:
		out->state = PAYLOCK_IDEM_UNKNOWN;
		return PAYLOCK_YES;
	case R_UNSTORED:
		out->state = PAYLOCK_IDEM_UNSTORED;
		return PAYLOCK_YES;
	case R_DONE_BIG:
		out->state = PAYLOCK_IDEM_DONE;
		out->result = NULL; /* read with a plain GET */
		return PAYLOCK_YES;
	default:
		paylock_error_set(err, PAYLOCK_ERR_STORE,
						  "Idempotency record %s%.*s at %s is damaged (no state or result PayLock can read)",
						  ZSTR_VAL(c->prefix), (int)MIN(ZSTR_LEN(rq->name), 200), ZSTR_VAL(rq->name),
						  c->where);
		return PAYLOCK_FAILED;
	}
}

static paylock_status claim_once(paylock_store *s, paylock_idem_req *rq, bool register_wait,
								 paylock_idem_outcome *out, paylock_error *err);
static paylock_status ridem_abandon(paylock_store *s, paylock_idem_req *rq, bool outcome_unknown,
									paylock_error *err);

/* A claim the replicas did not acknowledge is abandoned (nothing ran yet): after a failover another
 * delivery could claim the key too. */
static paylock_status claim_acked(paylock_store *s, paylock_idem_req *rq, const paylock_ack *ack,
								  paylock_error *err)
{
	paylock_redis_client *c = paylock_redis_store_client(s);
	paylock_error ignored = {0};
	char what[300];

	if (ack->wanted == 0 || ack->acked >= ack->wanted) {
		return PAYLOCK_YES;
	}
	snprintf(what, sizeof(what), "Idempotency key %s%.*s was claimed", ZSTR_VAL(c->prefix),
			 (int)MIN(ZSTR_LEN(rq->name), 200), ZSTR_VAL(rq->name));
	paylock_ack_verdict(c, ack, what,
						"abandoned before the step ran, since a failover now could let another delivery "
						"claim it too; retry later",
						err);
	ridem_abandon(s, rq, false, &ignored);
	return PAYLOCK_FAILED;
}

static paylock_status ridem_claim(paylock_store *s, paylock_idem_req *rq, bool register_wait,
								  paylock_idem_outcome *out, paylock_error *err)
{
	paylock_redis_client *c = paylock_redis_store_client(s);
	paylock_status st;

	paylock_redis_durability_check(c); /* eviction and persistence, once per process per server */
	if (EG(exception)) {
		err->kind = PAYLOCK_ERR_NONE; /* an error handler turned the warning into an exception */
		return PAYLOCK_FAILED;
	}
	for (int tries = 0; tries < PAYLOCK_REDIS_IDEM_FETCH_TRIES; tries++) {
		st = claim_once(s, rq, register_wait, out, err);
		if (st != PAYLOCK_YES || out->state != PAYLOCK_IDEM_DONE || out->result != NULL) {
			return st;
		}
		st = paylock_redis_idem_fetch(c, rq, &out->result, err);
		if (st != PAYLOCK_NO) {
			return st;
		}
	}
	paylock_error_set(err, PAYLOCK_ERR_STORE,
					  "Idempotency record %s%.*s at %s is damaged (done, but its result %s%.*s:v is missing)",
					  ZSTR_VAL(c->prefix), (int)MIN(ZSTR_LEN(rq->name), 200), ZSTR_VAL(rq->name), c->where,
					  ZSTR_VAL(c->prefix), (int)MIN(ZSTR_LEN(rq->name), 200), ZSTR_VAL(rq->name));
	return PAYLOCK_FAILED;
}

/* One claim script call (and its WAIT when replicas are asked for). */
static paylock_status claim_once(paylock_store *s, paylock_idem_req *rq, bool register_wait,
								 paylock_idem_outcome *out, paylock_error *err)
{
	paylock_redis_client *c = paylock_redis_store_client(s);
	paylock_ack ack;
	char lease[24], retention[24];
	const char *argv[10];
	size_t lens[10];
	idem_keys k;
	paylock_reply *r;
	paylock_status st;

	keys_init(c, rq, &k);
	argv[3] = k.rec, lens[3] = k.rec_len;
	argv[4] = rq->token, lens[4] = PAYLOCK_TOKEN_HEX;
	argv[5] = rq->fp, lens[5] = strlen(rq->fp);
	lens[6] = snprintf(lease, sizeof(lease), "%" PRId64, rq->lease_ms), argv[6] = lease;
	lens[7] = snprintf(retention, sizeof(retention), "%" PRId64, rq->retention_ms), argv[7] = retention;
	argv[8] = register_wait ? "1" : "0", lens[8] = 1;
	argv[9] = rq->throw_after_crash ? "1" : "0", lens[9] = 1;
	r = paylock_acked_eval(c, &claim_script, 1, 10, argv, lens, &ack, err);
	keys_free(&k);
	if (r == NULL) {
		return PAYLOCK_FAILED;
	}
	st = read_claim_reply(c, rq, r, out, err);
	paylock_reply_free(r);
	if (st == PAYLOCK_YES && out->state == PAYLOCK_IDEM_CLAIMED) {
		st = claim_acked(s, rq, &ack, err);
	}
	return st;
}

static paylock_status ridem_wait(paylock_store *s, paylock_idem_req *rq, uint64_t deadline_ns,
								 int64_t lease_left_ms, paylock_error *err)
{
	paylock_redis_client *c = paylock_redis_store_client(s);
	uint64_t now = paylock_now_ns();
	double block_s = deadline_ns > now ? (double)(deadline_ns - now) / 1e9 : 0;
	double lease_s = (double)(lease_left_ms + PAYLOCK_IDEM_WAKE_SLACK_MS) / 1000.0; /* at the lease end */
	uint64_t lease_end = 0; /* kept client-side: Redis would time the block out on its hz tick */
	idem_keys k;
	paylock_wake w;

	if (lease_s < block_s) {
		block_s = lease_s;
		lease_end = now + (uint64_t)(lease_s * 1e9);
	}
	keys_init(c, rq, &k);
	w = paylock_redis_blpop(c, k.wake, k.wake_len, block_s, lease_end, deadline_ns, err);
	keys_free(&k);
	switch (w) {
	case PAYLOCK_WAKE_FAILED:
		return PAYLOCK_FAILED;
	case PAYLOCK_WAKE_DEADLINE:
		return PAYLOCK_NO;
	default:
		return PAYLOCK_YES; /* woken, or the owner's lease ran out: look again */
	}
}

/* Runs a 2-key owner-checked script with ARGV token, arg, ms, fingerprint, attempt[, extra]: YES done,
 * NO not ours. */
static paylock_status owner_script(paylock_store *s, paylock_idem_req *rq, paylock_script *script,
								   const char *what, const char *arg, size_t arg_len, int64_t ms,
								   const zend_string *extra, paylock_ack *ack, paylock_error *err)
{
	paylock_redis_client *c = paylock_redis_store_client(s);
	char msbuf[24], attempt[24];
	const char *argv[11];
	size_t lens[11];
	int argc = 10;
	idem_keys k;
	paylock_status st;
	paylock_reply *r;

	keys_init(c, rq, &k);
	argv[3] = k.rec, lens[3] = k.rec_len;
	argv[4] = k.wake, lens[4] = k.wake_len;
	argv[5] = rq->token, lens[5] = PAYLOCK_TOKEN_HEX;
	argv[6] = arg, lens[6] = arg_len;
	lens[7] = snprintf(msbuf, sizeof(msbuf), "%" PRId64, ms), argv[7] = msbuf;
	argv[8] = rq->fp, lens[8] = strlen(rq->fp);
	lens[9] = snprintf(attempt, sizeof(attempt), "%" PRId64, rq->attempt), argv[9] = attempt;
	if (extra) {
		argv[10] = ZSTR_VAL(extra), lens[10] = ZSTR_LEN(extra);
		argc = 11;
	}
	r = paylock_acked_eval(c, script, 2, argc, argv, lens, ack, err);
	keys_free(&k);
	if (r == NULL) {
		return PAYLOCK_FAILED;
	}
	if (paylock_reply_kind(r) != PAYLOCK_REPLY_INTEGER) {
		st = paylock_redis_bad_reply(c, what, err);
	} else {
		st = paylock_reply_int(r) == 1 ? PAYLOCK_YES : PAYLOCK_NO;
	}
	paylock_reply_free(r);
	return st;
}

/* After an owner script that wrote: YES, or FAILED (unreplicated) naming the record and what it means. */
static paylock_status owner_acked(paylock_store *s, paylock_idem_req *rq, paylock_status st,
								  const paylock_ack *ack, const char *done, const char *then,
								  paylock_error *err)
{
	paylock_redis_client *c = paylock_redis_store_client(s);
	char what[320];

	if (st != PAYLOCK_YES || ack->wanted == 0 || ack->acked >= ack->wanted) {
		return st;
	}
	snprintf(what, sizeof(what), "Idempotency key %s%.*s: %s", ZSTR_VAL(c->prefix),
			 (int)MIN(ZSTR_LEN(rq->name), 200), ZSTR_VAL(rq->name), done);
	return paylock_ack_verdict(c, ack, what, then, err);
}

static paylock_status ridem_complete(paylock_store *s, paylock_idem_req *rq, const zend_string *result,
									 paylock_error *err)
{
	paylock_ack ack;
	paylock_status st;

	if (ZSTR_LEN(result) > PAYLOCK_REDIS_IDEM_INLINE_MAX && paylock_redis_store_client(s)->replicas == 0) {
		/* Outside Lua. With replicas asked for, the script path below carries the WAIT. */
		return paylock_redis_idem_publish(paylock_redis_store_client(s), rq, result, err);
	}
	st = owner_script(s, rq, &complete_script, "the idempotency complete script", "d", 1, rq->retention_ms,
					  result, &ack, err);
	return owner_acked(s, rq, st, &ack, "the result was stored",
					   "stored, not confirmed replicated: a failover now could lose it and let a retry run "
					   "the step again; a replay while this primary serves returns the stored result",
					   err);
}

static paylock_status ridem_abandon(paylock_store *s, paylock_idem_req *rq, bool outcome_unknown,
									paylock_error *err)
{
	paylock_ack ack; /* not acknowledged: a failover brings the claim back, which then ends by its lease */

	return owner_script(s, rq, &abandon_script, "the idempotency abandon script", outcome_unknown ? "c" : "a",
						1, rq->retention_ms, NULL, &ack, err);
}

static paylock_status ridem_mark(paylock_store *s, paylock_idem_req *rq, paylock_idem_mark how,
								 paylock_error *err)
{
	paylock_ack ack; /* as for abandon: a lost mark leaves a claim whose lease ends, never a silent re-run */

	return owner_script(s, rq, &abandon_script, "the idempotency abandon script",
						how == PAYLOCK_MARK_UNKNOWN ? "u" : "x", 1, rq->retention_ms, NULL, &ack, err);
}

static paylock_status ridem_refresh(paylock_store *s, paylock_idem_req *rq, int64_t lease_ms,
									paylock_error *err)
{
	char lease[24];
	size_t len = snprintf(lease, sizeof(lease), "%" PRId64, lease_ms);

	paylock_ack ack;
	paylock_status st = owner_script(s, rq, &refresh_script, "the idempotency refresh script", lease, len,
									 rq->retention_ms, NULL, &ack, err);

	return owner_acked(
		s, rq, st, &ack, "the lease was extended",
		"a failover now would end it at the previous expiry; the claim is still owned, refresh "
		"again",
		err);
}

static paylock_status ridem_forget(paylock_store *s, paylock_idem_req *rq, paylock_error *err)
{
	paylock_redis_client *c = paylock_redis_store_client(s);
	const char *argv[7];
	size_t lens[7];
	idem_keys k;
	paylock_status st;
	char *pub;

	keys_init(c, rq, &k);
	pub = emalloc(k.rec_len + 2);
	memcpy(pub, k.rec, k.rec_len);
	memcpy(pub + k.rec_len, ":v", 2);
	argv[3] = k.rec, lens[3] = k.rec_len;
	argv[4] = k.wake, lens[4] = k.wake_len;
	argv[5] = pub, lens[5] = k.rec_len + 2; /* a large result published beside the record */
	argv[6] = rq->force ? "1" : "0", lens[6] = 1;
	st = paylock_redis_eval_yesno(c, &forget_script, "the idempotency forget script", 3, 7, argv, lens, err);
	efree(pub);
	keys_free(&k);
	return st;
}

const paylock_idem_ops paylock_redis_idem_ops = {
	.claim = ridem_claim,
	.wait = ridem_wait,
	.complete = ridem_complete,
	.abandon = ridem_abandon,
	.forget = ridem_forget,
	.mark = ridem_mark,
	.refresh = ridem_refresh,
};

void paylock_redis_idem_minit(void)
{
	paylock_script_init(&claim_script, PAYLOCK_LUA_IDEM_CLAIM);
	paylock_script_init(&complete_script, PAYLOCK_LUA_IDEM_COMPLETE);
	paylock_script_init(&abandon_script, PAYLOCK_LUA_IDEM_ABANDON);
	paylock_script_init(&forget_script, PAYLOCK_LUA_IDEM_FORGET);
	paylock_script_init(&refresh_script, PAYLOCK_LUA_IDEM_REFRESH);
	paylock_redis_idem_big_minit();
}
