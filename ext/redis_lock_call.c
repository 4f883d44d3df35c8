/* RedisStore: building one command or script call over n lock names (key naming: every key of name n
 * shares the hash tag {n}), and running a hand-off script (acquire, release, leave) until it no longer
 * asks for a waiter's wake-up list. */
#include "php_paylock.h"
#include "redis_store_internal.h"

size_t paylock_redis_lock_key(const paylock_redis_client *c, const zend_string *name, char *out)
{
	size_t p = ZSTR_LEN(c->prefix), n = ZSTR_LEN(name);

	memcpy(out, ZSTR_VAL(c->prefix), p);
	out[p] = '{';
	memcpy(out + p + 1, ZSTR_VAL(name), n);
	out[p + 1 + n] = '}';
	return p + n + 2;
}

/* What the j-th key of a name appends to the lock key: queue, waiters, the caller's wake-up list (named
 * by its token) and release tombstone (named by its rid: one key per lock object, which each release
 * overwrites with its token instead of creating a key per release), the head's wake-up list (token
 * filled in by heads_named). */
size_t paylock_redis_key_suffix(int j, const paylock_lock_state *l, char *out)
{
	static const char *const tags[KEYS_PER_NAME] = {"", ":q", ":w", ":g:", ":r:", ":g:"};
	size_t len = strlen(tags[j]);

	memcpy(out, tags[j], len);
	if (j == 3 || j == 4) {
		memcpy(out + len, j == 4 && l->rid[0] ? l->rid : l->token, PAYLOCK_TOKEN_HEX);
		len += PAYLOCK_TOKEN_HEX;
	}
	return len;
}

void paylock_redis_call_init(paylock_lock_call *lc, const paylock_redis_client *c,
							 const paylock_lock_state *l, uint32_t n, int per_name, int nargs)
{
	size_t total = 0, at = 0;
	uint32_t i;

	for (i = 0; i < n; i++) {
		total += per_name * (ZSTR_LEN(c->prefix) + ZSTR_LEN(l[i].name) + 2 + KEY_SUFFIX_MAX);
	}
	lc->nkeys = (int)n * per_name;
	lc->per_name = per_name;
	lc->argv = safe_emalloc(3 + lc->nkeys + nargs, sizeof(char *), 0);
	lc->lens = safe_emalloc(3 + lc->nkeys + nargs, sizeof(size_t), 0);
	lc->buf = emalloc(total);
	lc->argc = 3;
	for (i = 0; i < n; i++) {
		char *k = lc->buf + at;
		size_t len = paylock_redis_lock_key(c, l[i].name, k);
		int j;

		for (j = 0; j < per_name; j++) {
			char *key = lc->buf + at;
			size_t klen;

			if (j > 0) {
				memcpy(key, k, len);
			}
			klen = len + paylock_redis_key_suffix(j, &l[0], key + len);
			lc->argv[lc->argc] = key;
			lc->lens[lc->argc++] = klen;
			at += j == HEAD_KEY ? len + KEY_SUFFIX_MAX : klen; /* room for the head's token */
		}
	}
}

void paylock_redis_call_arg(paylock_lock_call *lc, const char *v, size_t len)
{
	lc->argv[lc->argc] = v;
	lc->lens[lc->argc++] = len;
}

void paylock_redis_call_free(paylock_lock_call *lc)
{
	efree(lc->argv);
	efree(lc->lens);
	efree(lc->buf);
}

/* Declares t's wake-up list as name i's HEAD_KEY (i from 0). */
void paylock_redis_head_declare(paylock_lock_call *lc, uint32_t i, const char *t)
{
	int lock_at = 3 + (int)i * KEYS_PER_NAME, head_at = lock_at + HEAD_KEY;
	char *key = lc->buf + (lc->argv[head_at] - lc->buf);

	memcpy(key + lc->lens[lock_at] + 3, t, PAYLOCK_TOKEN_HEX);
	lc->lens[head_at] = lc->lens[lock_at] + 3 + PAYLOCK_TOKEN_HEX;
}

/* A hand-off script's {-1, i, head token, ...} reply: declares each head's wake-up list as name i's
 * HEAD_KEY. 1 when it was such a reply, 0 when not, -1 when it names no valid name or token. */
static int heads_named(paylock_lock_call *lc, const paylock_reply *r)
{
	size_t k, count = paylock_reply_count(r);

	if (lc->per_name != KEYS_PER_NAME || paylock_reply_kind(r) != PAYLOCK_REPLY_ARRAY || count == 0 ||
		paylock_reply_int(paylock_reply_at(r, 0)) != -1) {
		return 0;
	}
	if (count % 2 == 0) {
		return -1;
	}
	for (k = 1; k < count; k += 2) {
		long long i = paylock_reply_int(paylock_reply_at(r, k));
		size_t tlen = 0;
		const char *t = paylock_reply_str(paylock_reply_at(r, k + 1), &tlen);

		if (i < 1 || i > lc->nkeys / KEYS_PER_NAME || t == NULL || tlen != PAYLOCK_TOKEN_HEX ||
			paylock_reply_kind(paylock_reply_at(r, k + 1)) != PAYLOCK_REPLY_STRING) {
			return -1;
		}
		paylock_redis_head_declare(lc, (uint32_t)i - 1, t);
	}
	return 1;
}

/* Runs a hand-off script (acquire, release, leave) until it no longer asks for a waiter's wake-up list:
 * its reply, or NULL with err. by_body: EVAL, for the failure paths (see paylock_redis_run_leave). */
paylock_reply *paylock_redis_eval_handing_on(paylock_redis_client *c, paylock_script *sc, const char *what,
											 paylock_lock_call *lc, bool by_body, paylock_ack *ack,
											 paylock_error *err)
{
	int tries;

	for (tries = 0; tries < PAYLOCK_REDIS_HANDOFF_TRIES; tries++) {
		paylock_reply *r =
			by_body ? paylock_redis_eval_body(c, sc, lc->nkeys, lc->argc, lc->argv, lc->lens, err)
			: ack   ? paylock_acked_eval(c, sc, lc->nkeys, lc->argc, lc->argv, lc->lens, ack, err)
					: paylock_redis_eval(c, sc, lc->nkeys, lc->argc, lc->argv, lc->lens, err);
		int named;

		if (r == NULL) {
			return NULL;
		}
		named = heads_named(lc, r);
		if (named == 0) {
			return r;
		}
		paylock_reply_free(r);
		if (named < 0) {
			paylock_redis_bad_reply(c, what, err);
			return NULL;
		}
	}
	paylock_error_set(err, PAYLOCK_ERR_STORE,
					  "%s at %s found a different waiter at the head of a queue %d times in a row (waiters "
					  "leaving and dying as fast as it looks); try again",
					  what, c->where, PAYLOCK_REDIS_HANDOFF_TRIES);
	return NULL;
}

/* Runs a script whose reply counts the names that were ours: YES when all n were. */
paylock_status paylock_redis_eval_all_ours(paylock_redis_client *c, paylock_script *sc, const char *what,
										   paylock_lock_call *lc, uint32_t n, paylock_ack *ack,
										   paylock_error *err)
{
	paylock_reply *r = paylock_redis_eval_handing_on(c, sc, what, lc, false, ack, err);
	paylock_status st;

	if (r == NULL) {
		return PAYLOCK_FAILED;
	}
	if (paylock_reply_kind(r) != PAYLOCK_REPLY_INTEGER) {
		st = paylock_redis_bad_reply(c, what, err);
	} else {
		st = paylock_reply_int(r) == (long long)n ? PAYLOCK_YES : PAYLOCK_NO;
	}
	paylock_reply_free(r);
	return st;
}
