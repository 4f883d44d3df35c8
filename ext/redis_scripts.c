/* Lua scripts on Redis: EVALSHA first, EVAL (which also caches the script) after NOSCRIPT, and EVAL
 * with the body for the failure paths. */
#include "php_paylock.h"
#include "redis_conn.h"
#include "ext/standard/sha1.h"
#include "ext/standard/md5.h"

/* The head of an EVALSHA/EVAL command: the command, the script (sha or body), the key count (in nk). */
static void eval_head(const char **argv, size_t *lens, bool by_sha, const paylock_script *s, int nkeys,
					  char nk[12])
{
	argv[0] = by_sha ? "EVALSHA" : "EVAL";
	lens[0] = by_sha ? 7 : 4;
	argv[1] = by_sha ? s->sha : s->body;
	lens[1] = by_sha ? 40 : strlen(s->body);
	lens[2] = snprintf(nk, 12, "%d", nkeys);
	argv[2] = nk;
}

/* An error reply becomes err (and NULL); anything else is the caller's. */
static paylock_reply *reply_or_error(paylock_redis_client *c, paylock_reply *r, paylock_error *err)
{
	if (r && paylock_reply_kind(r) == PAYLOCK_REPLY_ERROR) {
		paylock_redis_error_reply(c, r, err);
		return NULL;
	}
	return r;
}

static bool is_noscript(const paylock_reply *r)
{
	size_t len;
	const char *s;

	if (r == NULL || paylock_reply_kind(r) != PAYLOCK_REPLY_ERROR) {
		return false;
	}
	s = paylock_reply_str(r, &len);
	return len >= 8 && memcmp(s, "NOSCRIPT", 8) == 0;
}

paylock_reply *paylock_redis_eval(paylock_redis_client *c, paylock_script *s, int nkeys, int argc,
								  const char **argv, size_t *lens, paylock_error *err)
{
	char nk[12];
	paylock_reply *r;

	eval_head(argv, lens, true, s, nkeys, nk);
	r = paylock_redis_command(c, argc, argv, lens, 0, err);
	if (is_noscript(r)) {
		/* The script cache is empty (Redis restarted or SCRIPT FLUSH): EVAL sends and caches it. */
		paylock_reply_free(r);
		eval_head(argv, lens, false, s, nkeys, nk);
		r = paylock_redis_command(c, argc, argv, lens, 0, err);
	}
	return reply_or_error(c, r, err);
}

paylock_reply *paylock_redis_eval_body(paylock_redis_client *c, const paylock_script *s, int nkeys, int argc,
									   const char **argv, size_t *lens, paylock_error *err)
{
	char nk[12];

	eval_head(argv, lens, false, s, nkeys, nk);
	return reply_or_error(c, paylock_redis_command(c, argc, argv, lens, 0, err), err);
}

paylock_status paylock_redis_eval_yesno(paylock_redis_client *c, paylock_script *s, const char *what,
										int nkeys, int argc, const char **argv, size_t *lens,
										paylock_error *err)
{
	paylock_reply *r = paylock_redis_eval(c, s, nkeys, argc, argv, lens, err);
	paylock_status st;

	if (r == NULL) {
		return PAYLOCK_FAILED;
	}
	if (paylock_reply_kind(r) != PAYLOCK_REPLY_INTEGER) {
		paylock_reply_free(r);
		return paylock_redis_bad_reply(c, what, err);
	}
	st = paylock_reply_int(r) == 1 ? PAYLOCK_YES : PAYLOCK_NO;
	paylock_reply_free(r);
	return st;
}

void paylock_script_init(paylock_script *s, const char *body)
{
	PHP_SHA1_CTX ctx;
	unsigned char digest[20];

	s->body = body;
	PHP_SHA1Init(&ctx);
	PHP_SHA1Update(&ctx, (const unsigned char *)body, strlen(body));
	PHP_SHA1Final(digest, &ctx);
	make_digest_ex(s->sha, digest, 20);
}
