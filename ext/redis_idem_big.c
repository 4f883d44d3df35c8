/* Large idempotency results on Redis, outside Lua: a result longer than PAYLOCK_REDIS_IDEM_INLINE_MAX
 * is written by a plain SET to a staging key named by the owner's token, pipelined in the same round
 * trip with the small owner-checked idem_publish script, which renames it to p:key:v (no copy) when the
 * caller still owns the claim and deletes it when not. A replay reads it with a plain GET. So a 1 MB
 * result costs about what a SET and a GET of 1 MB cost; the guarantees are the inline path's: only the
 * owner's result is published, once, and the record says it is done only once the result is in place. */
#include "php_paylock.h"
#include "redis_internal.h"
#include "lua_scripts.h"

static paylock_script publish_script;

/* p:key:v:<token> (staged) and p:key:v (published): the record's key with a suffix, same hash tag. */
typedef struct {
	char *buf;
	size_t rec_len, wake_len, staged_len, pub_len;
} big_keys;

static void big_keys_init(const paylock_redis_client *c, const paylock_idem_req *r, big_keys *k)
{
	size_t p = ZSTR_LEN(c->prefix), n = ZSTR_LEN(r->name), rec = p + n;
	char *at;

	k->rec_len = rec;
	k->wake_len = rec + 2;
	k->staged_len = rec + 3 + PAYLOCK_TOKEN_HEX;
	k->pub_len = rec + 2;
	at = k->buf = emalloc(k->rec_len + k->wake_len + k->staged_len + k->pub_len);
	memcpy(at, ZSTR_VAL(c->prefix), p);
	memcpy(at + p, ZSTR_VAL(r->name), n);
	memcpy(at + rec, at, rec);
	memcpy(at + 2 * rec, ":w", 2);
	at += 2 * rec + 2;
	memcpy(at, k->buf, rec);
	memcpy(at + rec, ":v:", 3);
	memcpy(at + rec + 3, r->token, PAYLOCK_TOKEN_HEX);
	at += k->staged_len;
	memcpy(at, k->buf, rec);
	memcpy(at + rec, ":v", 2);
}

#define BIG_REC(k)    ((k)->buf)
#define BIG_WAKE(k)   ((k)->buf + (k)->rec_len)
#define BIG_STAGED(k) ((k)->buf + (k)->rec_len + (k)->wake_len)
#define BIG_PUB(k)    ((k)->buf + (k)->rec_len + (k)->wake_len + (k)->staged_len)

/* The publish script's reply: 1 published, 0 not ours, -1 staged result missing; -2 anything else. */
static long long publish_reply(paylock_redis_client *c, paylock_reply *r, paylock_error *err)
{
	long long v = -2;

	if (r && paylock_reply_kind(r) == PAYLOCK_REPLY_INTEGER) {
		v = paylock_reply_int(r);
	} else if (r && paylock_reply_kind(r) == PAYLOCK_REPLY_ERROR) {
		paylock_redis_error_reply(c, r, err);
		return -3;
	}
	paylock_reply_free(r);
	return v;
}

paylock_status paylock_redis_idem_publish(paylock_redis_client *c, paylock_idem_req *rq,
										  const zend_string *result, paylock_error *err)
{
	char ret[24], att[24], stage[24], nk[2] = "4";
	big_keys k;
	const char *set_argv[5], *argv[12];
	size_t set_lens[5], lens[12];
	paylock_redis_cmd cmds[2];
	paylock_reply *replies[2];
	paylock_status st = PAYLOCK_FAILED;
	long long v = -1;

	big_keys_init(c, rq, &k);
	set_argv[0] = "SET", set_lens[0] = 3;
	set_argv[1] = BIG_STAGED(&k), set_lens[1] = k.staged_len;
	set_argv[2] = ZSTR_VAL(result), set_lens[2] = ZSTR_LEN(result);
	set_argv[3] = "PX", set_lens[3] = 2;
	set_lens[4] = snprintf(stage, sizeof(stage), "%d", PAYLOCK_REDIS_IDEM_STAGE_MS), set_argv[4] = stage;
	argv[0] = "EVALSHA", lens[0] = 7;
	argv[1] = publish_script.sha, lens[1] = 40;
	argv[2] = nk, lens[2] = 1;
	argv[3] = BIG_REC(&k), lens[3] = k.rec_len;
	argv[4] = BIG_WAKE(&k), lens[4] = k.wake_len;
	argv[5] = BIG_STAGED(&k), lens[5] = k.staged_len;
	argv[6] = BIG_PUB(&k), lens[6] = k.pub_len;
	argv[7] = rq->token, lens[7] = PAYLOCK_TOKEN_HEX;
	argv[8] = "d", lens[8] = 1;
	lens[9] = snprintf(ret, sizeof(ret), "%" PRId64, rq->retention_ms), argv[9] = ret;
	argv[10] = rq->fp, lens[10] = strlen(rq->fp);
	lens[11] = snprintf(att, sizeof(att), "%" PRId64, rq->attempt), argv[11] = att;
	cmds[0] = (paylock_redis_cmd){5, set_argv, set_lens};
	cmds[1] = (paylock_redis_cmd){12, argv, lens};
	/* Twice at most: the staged result expired before the script ran (a stall longer than its life). */
	for (int tries = 0; tries < 2 && v == -1; tries++) {
		if (paylock_redis_pipeline(c, 2, cmds, replies, err) == PAYLOCK_FAILED) {
			break;
		}
		if (paylock_reply_kind(replies[0]) == PAYLOCK_REPLY_ERROR) {
			paylock_reply_free(replies[1]);
			paylock_redis_error_reply(c, replies[0], err); /* OOM and the like: not stored */
			break;
		}
		paylock_reply_free(replies[0]);
		if (paylock_reply_kind(replies[1]) == PAYLOCK_REPLY_ERROR) {
			size_t len;
			const char *s = paylock_reply_str(replies[1], &len);

			if (len >= 8 &&
				memcmp(s, "NOSCRIPT", 8) == 0) { /* cache flushed: EVAL loads it, staged is there */
				paylock_reply_free(replies[1]);
				replies[1] = paylock_redis_eval(c, &publish_script, 4, 12, argv, lens, err);
				if (replies[1] == NULL) {
					break;
				}
			}
		}
		v = publish_reply(c, replies[1], err);
	}
	if (v == 0 || v == 1) {
		st = v == 1 ? PAYLOCK_YES : PAYLOCK_NO;
	} else if (v == -1 || v == -2) {
		st = paylock_redis_bad_reply(c, "the idempotency publish script", err);
	}
	efree(k.buf);
	return st;
}

paylock_status paylock_redis_idem_fetch(paylock_redis_client *c, const paylock_idem_req *rq,
										zend_string **result, paylock_error *err)
{
	big_keys k;
	const char *argv[2] = {"GET", NULL};
	size_t lens[2] = {3, 0};
	paylock_reply *r;
	paylock_status st = PAYLOCK_NO;

	big_keys_init(c, rq, &k);
	argv[1] = BIG_PUB(&k), lens[1] = k.pub_len;
	r = paylock_redis_command_str(c, 2, argv, lens, result, err);
	efree(k.buf);
	if (*result) {
		return PAYLOCK_YES; /* read from the socket straight into the string */
	}
	if (r == NULL) {
		return PAYLOCK_FAILED;
	}
	if (paylock_reply_kind(r) == PAYLOCK_REPLY_ERROR) {
		return paylock_redis_error_reply(c, r, err);
	}
	paylock_reply_free(r); /* nil: forgotten or expired since the claim */
	return st;
}

void paylock_redis_idem_big_minit(void)
{
	paylock_script_init(&publish_script, PAYLOCK_LUA_IDEM_PUBLISH);
}
