/* RedisStore: fencing tokens (per-name counters, issued lazily under the lock) and holder(). */
#include "php_paylock.h"
#include "redis_store.h"
#include "redis_store_internal.h"

/* Fencing tokens stay below 2^53 (16 digits): Lua numbers are doubles, exact up to there. The fence script
 * has its copy from ext/lua_limits.h. */
#define FENCE_MAX PAYLOCK_REDIS_FENCE_MAX
_Static_assert(PAYLOCK_REDIS_FENCE_MAX == PAYLOCK_LUA_FENCE_MAX,
			   "ext/lua_limits.h: the scripts' fence limit");
_Static_assert(PAYLOCK_LUA_TOKEN_HEX == PAYLOCK_TOKEN_HEX, "ext/lua_limits.h: the scripts' token length");
/* A name's fence counter expires after a day unused: by then the time floor is ahead of it. */
#define FENCE_COUNTER_LIFE_MS "86400000"

static paylock_script fence_script;
static paylock_script inspect_script;

/* A damaged counter or lock value is a StoreException: the lock stays held, no token is made up. */
static paylock_status fence_damaged(const paylock_redis_client *c, const paylock_lock_state *l,
									long long code, paylock_error *err)
{
	int n = (int)MIN(ZSTR_LEN(l->name), 100);
	const char *name = ZSTR_VAL(l->name), *pre = ZSTR_VAL(c->prefix);

	if (code == -2) {
		paylock_error_set(
			err, PAYLOCK_ERR_STORE,
			"Cannot issue a fencing token for lock \"%.*s\" at %s: its counter %s{%.*s}:fence is "
			"damaged (not a number from 0 to 2^53); the lock is still held, delete that key to "
			"repair it",
			n, name, c->where, pre, n, name);
	} else if (code == -3) {
		paylock_error_set(err, PAYLOCK_ERR_STORE,
						  "Cannot issue a fencing token for lock \"%.*s\" at %s: the lock value %s{%.*s} "
						  "carries a fence PayLock did not write; the lock is still held",
						  n, name, c->where, pre, n, name);
	} else {
		paylock_error_set(err, PAYLOCK_ERR_STORE,
						  "Cannot issue a fencing token for lock \"%.*s\" at %s: the next token would pass "
						  "2^53 (counter %s{%.*s}:fence or the floor given is too large); the lock is still "
						  "held",
						  n, name, c->where, pre, n, name);
	}
	return PAYLOCK_FAILED;
}

/* Issues l->fence (if not issued yet) above floor too: FallbackStore passes its local token. */
paylock_status paylock_redis_fence_above(paylock_store *s, paylock_lock_state *l, int64_t floor,
										 paylock_error *err)
{
	paylock_redis_client *c = paylock_redis_store_client(s);
	char key[PAYLOCK_REDIS_KEY_MAX], counter[PAYLOCK_REDIS_KEY_MAX + 6], fl[24];
	size_t klen = paylock_redis_lock_key(c, l->name, key);
	const char *argv[8] = {NULL, NULL, NULL, key, counter, l->token, fl, FENCE_COUNTER_LIFE_MS};
	size_t lens[8] = {0, 0, 0, klen, klen + 6, PAYLOCK_TOKEN_HEX, 0, strlen(FENCE_COUNTER_LIFE_MS)};
	paylock_reply *r;
	long long f;
	paylock_ack ack;

	paylock_status st = paylock_redis_handoff_settle(c, l, 1, err);

	if (st != PAYLOCK_YES || l->fence > 0) {
		return st;
	}
	memcpy(counter, key, klen);
	memcpy(counter + klen, ":fence", 6);
	lens[6] = snprintf(fl, sizeof(fl), "%" PRId64, floor > 0 ? floor : 0);
	r = paylock_acked_eval(c, &fence_script, 2, 8, argv, lens, &ack, err);
	if (r == NULL) {
		return PAYLOCK_FAILED;
	}
	if (paylock_reply_kind(r) != PAYLOCK_REPLY_INTEGER) {
		paylock_reply_free(r);
		return paylock_redis_bad_reply(c, "the fence script", err);
	}
	f = paylock_reply_int(r);
	paylock_reply_free(r);
	if (f == -1) {
		return PAYLOCK_NO;
	}
	if (f <= 0 || f > FENCE_MAX) {
		return fence_damaged(c, l, f, err);
	}
	if (paylock_ack_verdict(
			c, &ack, "A fencing token was issued",
			"it is not handed out (a failover now could issue it again); the lock is still held, ask again",
			err) == PAYLOCK_FAILED) {
		return PAYLOCK_FAILED;
	}
	l->fence = f;
	return PAYLOCK_YES;
}

paylock_status paylock_redis_fence(paylock_store *s, paylock_lock_state *l, paylock_error *err)
{
	return paylock_redis_fence_above(s, l, 0, err);
}

/* "<token>:<pid>:<ms>:<host>[|<fence>][+]" -> holder array. */
paylock_status paylock_redis_describe_value(const char *v, size_t len, long long pttl, zval *out)
{
	const char *end = v + len, *p = v + PAYLOCK_TOKEN_HEX, *host, *bar;
	long long pid, ms;
	char *stop;

	if (len <= PAYLOCK_TOKEN_HEX || *p != ':') {
		return PAYLOCK_FAILED;
	}
	if (end[-1] == '+') {
		end--; /* someone is queued */
	}
	pid = ZEND_STRTOL(p + 1, &stop, 10);
	if (stop >= end || *stop != ':') {
		return PAYLOCK_FAILED;
	}
	ms = ZEND_STRTOL(stop + 1, &stop, 10);
	if (stop >= end || *stop != ':') {
		return PAYLOCK_FAILED;
	}
	host = stop + 1;
	bar = memchr(host, '|', end - host);
	array_init_size(out, 6);
	add_assoc_stringl(out, "host", host, (bar ? bar : end) - host);
	add_assoc_long(out, "pid", (zend_long)pid);
	add_assoc_double(out, "acquired_at", ms / 1000.0);
	add_assoc_double(out, "ttl", pttl >= 0 ? pttl / 1000.0 : -1.0);
	if (bar) {
		int64_t f = 0;

		for (p = bar + 1; p < end && *p >= '0' && *p <= '9' && f <= FENCE_MAX; p++) {
			f = f * 10 + (*p - '0');
		}
		if (p != end || p == bar + 1 || f <= 0 || f > FENCE_MAX) {
			zval_ptr_dtor(out);
			ZVAL_NULL(out);
			return PAYLOCK_FAILED;
		}
		add_assoc_long(out, "fence", (zend_long)f);
	} else {
		add_assoc_null(out, "fence"); /* not issued: the holder has not asked for one */
	}
	add_assoc_string(out, "store", "redis");
	return PAYLOCK_YES;
}

paylock_status paylock_redis_holder(paylock_store *s, zend_string *name, zval *out, paylock_error *err)
{
	paylock_redis_client *c = paylock_redis_store_client(s);
	char key[PAYLOCK_REDIS_KEY_MAX];
	const char *argv[4] = {NULL, NULL, NULL, key};
	size_t lens[4] = {0, 0, 0, paylock_redis_lock_key(c, name, key)};
	paylock_reply *r, *v, *t;
	paylock_status st = PAYLOCK_NO;

	r = paylock_redis_eval(c, &inspect_script, 1, 4, argv, lens, err);
	if (r == NULL) {
		return PAYLOCK_FAILED;
	}
	if (paylock_reply_count(r) != 2) {
		paylock_reply_free(r);
		return paylock_redis_bad_reply(c, "the inspect script", err);
	}
	v = paylock_reply_at(r, 0);
	t = paylock_reply_at(r, 1);
	if (paylock_reply_kind(v) == PAYLOCK_REPLY_STRING) {
		size_t len;
		const char *str = paylock_reply_str(v, &len);

		/* "=<token>": being handed to a waiter, held by nobody yet */
		st = len > 0 && str[0] == '=' ? PAYLOCK_NO
									  : paylock_redis_describe_value(str, len, paylock_reply_int(t), out);
		if (st == PAYLOCK_FAILED) {
			paylock_error_set(err, PAYLOCK_ERR_STORE, "Lock key at %s holds a value PayLock did not write",
							  c->where);
		}
	}
	paylock_reply_free(r);
	return st;
}

void paylock_redis_inspect_minit(void)
{
	paylock_script_init(&fence_script, PAYLOCK_LUA_FENCE);
	paylock_script_init(&inspect_script, PAYLOCK_LUA_INSPECT);
}
