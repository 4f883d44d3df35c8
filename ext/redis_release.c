/* RedisStore: release (one name uncontended: release_one; else the release script, which hands each name
 * to its first live waiter), refresh and check of held locks. */
#include "php_paylock.h"
#include "redis_store_internal.h"

static paylock_script release_script;
static paylock_script release_one_script;
static paylock_script refresh_script;

static bool value_is_ours(const char *v, size_t len, const char *token)
{
	return len >= PAYLOCK_TOKEN_HEX && memcmp(v, token, PAYLOCK_TOKEN_HEX) == 0;
}

/* How long a release's tombstone lives: past a resend after a lost reply (one read timeout to notice,
 * one connect and one more read timeout to send it again), with a second of slack. */
static long long tombstone_ms(const paylock_redis_client *c)
{
	long long ms = (long long)((2 * c->read_timeout + c->connect_timeout) * 1000) + 1000;

	return ms < PAYLOCK_REDIS_TOMBSTONE_MAX_MS ? ms : PAYLOCK_REDIS_TOMBSTONE_MAX_MS;
}

/* The uncontended release of one name: three keys (the queue only read when somebody queued), two
 * arguments. *queued: somebody queued for it, nothing done (the release script hands it on); head: the
 * first queued token then (the waiter to declare), or "" when the queue was empty. */
static paylock_status release_one(paylock_redis_client *c, const paylock_lock_state *l, const char *tomb,
								  size_t tomb_len, bool *queued, char *head, paylock_error *err)
{
	char key[PAYLOCK_REDIS_KEY_MAX], stone[PAYLOCK_REDIS_KEY_MAX + KEY_SUFFIX_MAX],
		queue[PAYLOCK_REDIS_KEY_MAX + 2];
	size_t klen = paylock_redis_lock_key(c, l->name, key), tlen = 0;
	const char *argv[8] = {NULL, NULL, NULL, key, stone, queue, l->token, tomb};
	size_t lens[8] = {0, 0, 0, klen, 0, klen + 2, PAYLOCK_TOKEN_HEX, tomb_len};
	paylock_reply *r;
	const char *t;
	long long v;

	memcpy(stone, key, klen);
	lens[4] = klen + paylock_redis_key_suffix(4, l, stone + klen);
	memcpy(queue, key, klen);
	memcpy(queue + klen, ":q", 2);
	r = paylock_redis_eval(c, &release_one_script, 3, 8, argv, lens, err);
	if (r == NULL) {
		return PAYLOCK_FAILED;
	}
	*queued = false;
	head[0] = '\0';
	if (paylock_reply_kind(r) == PAYLOCK_REPLY_STRING && (t = paylock_reply_str(r, &tlen)) != NULL &&
		tlen == PAYLOCK_TOKEN_HEX) {
		*queued = true;
		memcpy(head, t, PAYLOCK_TOKEN_HEX);
		head[PAYLOCK_TOKEN_HEX] = '\0';
		v = -1;
	} else {
		v = paylock_reply_kind(r) == PAYLOCK_REPLY_INTEGER ? paylock_reply_int(r) : -2;
		*queued = v == -1;
	}
	paylock_reply_free(r);
	if (v < -1 || v > 1) {
		return paylock_redis_bad_reply(c, "the release script", err);
	}
	return v == 1 ? PAYLOCK_YES : PAYLOCK_NO;
}

paylock_status paylock_redis_release(paylock_store *s, paylock_lock_state *l, uint32_t n, paylock_error *err)
{
	paylock_redis_client *c = paylock_redis_store_client(s);
	char tomb[24];
	size_t tomb_len;
	paylock_lock_call lc;
	paylock_status st = PAYLOCK_FAILED;
	bool queued = false;
	const char *hint;
	char head[PAYLOCK_TOKEN_HEX + 1] = "";

	if (paylock_redis_ghosts_flush(c, err) == PAYLOCK_FAILED ||
		(st = paylock_redis_handoff_settle(c, l, n, err)) != PAYLOCK_YES) {
		return st == PAYLOCK_NO ? PAYLOCK_NO : PAYLOCK_FAILED;
	}
	tomb_len = snprintf(tomb, sizeof(tomb), "%lld", tombstone_ms(c));
	hint = n == 1 ? paylock_redis_handoff_head(l) : NULL; /* handed to us with a waiter behind */
	if (n == 1 && hint == NULL &&
		((st = release_one(c, l, tomb, tomb_len, &queued, head, err)) == PAYLOCK_FAILED || !queued)) {
		return st;
	}
	paylock_redis_call_init(&lc, c, l, n, KEYS_PER_NAME, 5);
	if (hint || (queued && head[0])) {
		paylock_redis_head_declare(
			&lc, 0,
			hint ? hint : head); /* most likely the live head: the release script then needs one call */
	}
	paylock_redis_call_arg(&lc, l[0].token, PAYLOCK_TOKEN_HEX);
	paylock_redis_call_arg(&lc, tomb, tomb_len);
	paylock_redis_call_arg(&lc, "", 0);
	paylock_redis_call_arg(&lc, "", 0);
	paylock_redis_call_arg(&lc, GRANT_MS, strlen(GRANT_MS));
	st = paylock_redis_eval_all_ours(c, &release_script, "the release script", &lc, n, NULL, err);
	paylock_redis_call_free(&lc);
	return st;
}

paylock_status paylock_redis_refresh(paylock_store *s, paylock_lock_state *l, uint32_t n, int64_t ttl_ms,
									 paylock_error *err)
{
	paylock_redis_client *c = paylock_redis_store_client(s);
	char ttl[24];
	paylock_lock_call lc;
	paylock_status st;
	paylock_ack ack;

	if (paylock_redis_ghosts_flush(c, err) == PAYLOCK_FAILED) {
		return PAYLOCK_FAILED;
	}
	if ((st = paylock_redis_handoff_settle(c, l, n, err)) != PAYLOCK_YES) {
		return st;
	}
	paylock_redis_call_init(&lc, c, l, n, 1, 2);
	paylock_redis_call_arg(&lc, l[0].token, PAYLOCK_TOKEN_HEX);
	paylock_redis_call_arg(&lc, ttl, snprintf(ttl, sizeof(ttl), "%" PRId64, ttl_ms));
	st = paylock_redis_eval_all_ours(c, &refresh_script, "the refresh script", &lc, n, &ack, err);
	paylock_redis_call_free(&lc);
	if (st == PAYLOCK_YES) { /* a lease end a failover could undo: the holder must not count on it */
		st =
			paylock_ack_verdict(c, &ack, "The lease was extended",
								"a failover now would end it at the previous expiry; the lock is still held, "
								"refresh again",
								err);
	}
	return st;
}

/* One MGET: YES when every name still holds our token. */
paylock_status paylock_redis_check(paylock_store *s, paylock_lock_state *l, uint32_t n, paylock_error *err)
{
	paylock_redis_client *c = paylock_redis_store_client(s);
	paylock_lock_call lc;
	paylock_reply *r;
	paylock_status st = PAYLOCK_YES;
	uint32_t i;

	if (paylock_redis_ghosts_flush(c, err) == PAYLOCK_FAILED) {
		return PAYLOCK_FAILED;
	}
	if ((st = paylock_redis_handoff_settle(c, l, n, err)) != PAYLOCK_YES) {
		return st;
	}
	paylock_redis_call_init(&lc, c, l, n, 1, 0);
	lc.argv[2] = "MGET";
	lc.lens[2] = 4;
	r = paylock_redis_command(c, lc.argc - 2, lc.argv + 2, lc.lens + 2, 0, err);
	paylock_redis_call_free(&lc);
	if (r == NULL) {
		return PAYLOCK_FAILED;
	}
	if (paylock_reply_kind(r) == PAYLOCK_REPLY_ERROR) {
		return paylock_redis_error_reply(c, r, err); /* LOADING, MASTERDOWN...: ConnectionException */
	}
	if (paylock_reply_kind(r) != PAYLOCK_REPLY_ARRAY || paylock_reply_count(r) != n) {
		paylock_reply_free(r);
		return paylock_redis_bad_reply(c, "MGET", err);
	}
	for (i = 0; i < n && st == PAYLOCK_YES; i++) {
		paylock_reply *v = paylock_reply_at(r, i);
		size_t len = 0;
		const char *str = paylock_reply_kind(v) == PAYLOCK_REPLY_STRING ? paylock_reply_str(v, &len) : "";

		st = value_is_ours(str, len, l[0].token) ? PAYLOCK_YES : PAYLOCK_NO;
	}
	paylock_reply_free(r);
	return st;
}

void paylock_redis_release_minit(void)
{
	paylock_script_init(&release_script, PAYLOCK_LUA_RELEASE);
	paylock_script_init(&release_one_script, PAYLOCK_LUA_RELEASE_ONE);
	paylock_script_init(&refresh_script, PAYLOCK_LUA_REFRESH);
}
