/* RedisStore: locks as one Redis string per name.
 *
 * Keys for lock "n" under prefix "p:" (the lock and its wake-up list share the hash tag {n}):
 *   p:{n}    "<token>:<pid>:<acquired unix ms>:<host>[|<fence>][+]", PX = the lease. "|<fence>" is added
 *            by the first fencingToken() of a hold; a trailing "+" means someone waits for the lock, so
 *            its release leaves a wake-up.
 *   p:{n}:q  list holding at most one wake-up item; waiters BLPOP it, so a release that happens before
 *            a waiter blocks is not lost (pub/sub would lose it)
 *   p:fence  the fencing counter, one per prefix: never reset, so tokens only grow
 *
 * An uncontended acquire is one plain SET NX PX (no script); release is one EVALSHA compare-and-delete.
 * Fencing tokens are issued lazily, under the lock, so they grow in holder order. */
#include "php_paylock.h"
#include "redis_store.h"
#include "redis_conn.h"
#include "zend_exceptions.h"

zend_class_entry *paylock_ce_RedisStore;
static zend_object_handlers redis_store_handlers;

typedef struct {
	paylock_store base; /* first: see paylock_store_from_obj() */
	paylock_redis_client client;
	zend_object std;
} paylock_redis_store;

static inline paylock_redis_store *redis_store_from_obj(zend_object *obj)
{
	return (paylock_redis_store *)((char *)obj - XtOffsetOf(paylock_redis_store, std));
}

/* How a scripted acquire attempt treats the "someone waits" mark. */
#define MODE_TRY   "0" /* one try after a reconnect: leave no mark */
#define MODE_WAIT  "1" /* will wait: mark a busy holder's value */
#define MODE_WOKEN "2" /* woken by a release: others may still wait, so mark our own value too */

/* The contended path. KEYS: lock. ARGV: "<token>:<pid>:<ms>:<host>", ttl ms, mode.
 * Returns {1} when taken (or already ours: lease renewed), {0, holder's PTTL} when busy. */
static paylock_script acquire_script;
static const char acquire_lua[] =
	"local mine = ARGV[1]\n"
	"if ARGV[3] == '2' then mine = mine .. '+' end\n"
	"if redis.call('SET', KEYS[1], mine, 'NX', 'PX', ARGV[2]) then return {1} end\n"
	"local v = redis.call('GET', KEYS[1])\n"
	"if not v then return {0, 0} end\n"
	"if string.sub(v, 1, 32) == string.sub(ARGV[1], 1, 32) then\n"
	"  redis.call('PEXPIRE', KEYS[1], ARGV[2])\n"
	"  return {1}\n"
	"end\n"
	"if ARGV[3] ~= '0' and string.byte(v, -1) ~= 43 then redis.call('APPEND', KEYS[1], '+') end\n"
	"return {0, redis.call('PTTL', KEYS[1])}\n";

/* KEYS: lock, fence counter. ARGV: token. The holder's fencing token, issued on first request:
 * -1 when the lock is no longer ours. */
static paylock_script fence_script;
static const char fence_lua[] = "local v = redis.call('GET', KEYS[1])\n"
								"if not v or string.sub(v, 1, 32) ~= ARGV[1] then return -1 end\n"
								"local f = string.match(v, '|(%d+)')\n"
								"if f then return tonumber(f) end\n"
								"f = redis.call('INCR', KEYS[2])\n"
								"local waited = string.byte(v, -1) == 43\n"
								"if waited then v = string.sub(v, 1, -2) end\n"
								"v = v .. '|' .. f\n"
								"if waited then v = v .. '+' end\n"
								"redis.call('SET', KEYS[1], v, 'KEEPTTL')\n"
								"return f\n";

/* KEYS: lock, wake-up list. ARGV: token. Deletes only our own lock; wakes one waiter if marked. */
static paylock_script release_script;
static const char release_lua[] = "local v = redis.call('GET', KEYS[1])\n"
								  "if not v or string.sub(v, 1, 32) ~= ARGV[1] then return 0 end\n"
								  "redis.call('DEL', KEYS[1])\n"
								  "if string.byte(v, -1) == 43 and redis.call('LLEN', KEYS[2]) == 0 then\n"
								  "  redis.call('RPUSH', KEYS[2], '1')\n"
								  "  redis.call('PEXPIRE', KEYS[2], 10000)\n"
								  "end\n"
								  "return 1\n";

/* KEYS: lock. ARGV: token, ttl ms. */
static paylock_script refresh_script;
static const char refresh_lua[] = "local v = redis.call('GET', KEYS[1])\n"
								  "if v and string.sub(v, 1, 32) == ARGV[1] then\n"
								  "  redis.call('PEXPIRE', KEYS[1], ARGV[2])\n"
								  "  return 1\n"
								  "end\n"
								  "return 0\n";

/* KEYS: lock. Value and PTTL in one round trip. */
static paylock_script inspect_script;
static const char inspect_lua[] = "return {redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1])}\n";

#define KEY_MAX (256 + PAYLOCK_MAX_NAME + 8)

typedef struct {
	char lock[KEY_MAX];
	size_t lock_len;
	char queue[KEY_MAX]; /* lock key + ":q" */
	size_t queue_len;
	char fence[256 + 6];
	size_t fence_len;
} lock_keys;

static void build_keys(const paylock_redis_client *c, const zend_string *name, lock_keys *k)
{
	size_t p = ZSTR_LEN(c->prefix), n = ZSTR_LEN(name);

	memcpy(k->lock, ZSTR_VAL(c->prefix), p);
	k->lock[p] = '{';
	memcpy(k->lock + p + 1, ZSTR_VAL(name), n);
	k->lock[p + 1 + n] = '}';
	k->lock_len = p + n + 2;
	memcpy(k->queue, k->lock, k->lock_len);
	memcpy(k->queue + k->lock_len, ":q", 2);
	k->queue_len = k->lock_len + 2;
	memcpy(k->fence, ZSTR_VAL(c->prefix), p);
	memcpy(k->fence + p, "fence", 5);
	k->fence_len = p + 5;
}

static paylock_redis_client *client_of(paylock_store *s)
{
	return &((paylock_redis_store *)s)->client;
}

paylock_redis_client *paylock_redis_store_client(paylock_store *s)
{
	return client_of(s);
}

static bool value_is_ours(const char *v, size_t len, const char *token)
{
	return len >= PAYLOCK_TOKEN_HEX && memcmp(v, token, PAYLOCK_TOKEN_HEX) == 0;
}

/* One plain SET NX PX: the whole uncontended acquire. YES, NO (busy), or FAILED. */
static paylock_status try_set_nx(paylock_redis_client *c, const lock_keys *k, const char *mine,
								 size_t mine_len, const char *ttl, size_t ttl_len, paylock_error *err)
{
	const char *argv[6] = {"SET", k->lock, mine, "NX", "PX", ttl};
	size_t lens[6] = {3, k->lock_len, mine_len, 2, 2, ttl_len};
	paylock_reply *r = paylock_redis_command(c, 6, argv, lens, 0, err);
	paylock_status st;

	if (r == NULL) {
		return PAYLOCK_FAILED;
	}
	switch (paylock_reply_kind(r)) {
	case PAYLOCK_REPLY_STATUS:
		st = PAYLOCK_YES;
		break;
	case PAYLOCK_REPLY_NIL:
		st = PAYLOCK_NO;
		break;
	case PAYLOCK_REPLY_ERROR:
		return paylock_redis_error_reply(c, r, err);
	default:
		st = paylock_redis_bad_reply(c, "SET NX", err);
	}
	paylock_reply_free(r);
	return st;
}

static paylock_status redis_acquire(paylock_store *s, paylock_lock_state *l, int64_t ttl_ms,
									uint64_t deadline_ns, bool *contended, paylock_error *err)
{
	paylock_redis_client *c = client_of(s);
	lock_keys k;
	char ttl[24], mine[PAYLOCK_TOKEN_HEX + 320];
	const char *argv[7], *mode = MODE_WAIT;
	size_t lens[7], ttl_len, mine_len;
	paylock_status st;

	build_keys(c, l->name, &k);
	ttl_len = snprintf(ttl, sizeof(ttl), "%" PRId64, ttl_ms);
	mine_len = snprintf(mine, sizeof(mine), "%s:%ld:%" PRId64 ":%s", l->token, (long)paylock_pid(),
						paylock_unix_ms(), PAYLOCK_G(hostname));
	st = try_set_nx(c, &k, mine, mine_len, ttl, ttl_len, err);
	if (st != PAYLOCK_NO) {
		return st;
	}
	/* Busy. After a silent reconnect the lock may be ours already (the first SET ran, its reply was lost):
	 * the script tells. */
	if (deadline_ns == 0 && !c->reconnected) {
		*contended = true;
		return PAYLOCK_NO;
	}
	if (deadline_ns == 0) {
		mode = MODE_TRY;
	}
	for (;;) {
		uint64_t now;
		paylock_reply *r;
		long long holder_ms;
		double block_s;

		argv[3] = k.lock, lens[3] = k.lock_len;
		argv[4] = mine, lens[4] = mine_len;
		argv[5] = ttl, lens[5] = ttl_len;
		argv[6] = mode, lens[6] = 1;
		r = paylock_redis_eval(c, &acquire_script, 1, 7, argv, lens, err);
		if (r == NULL) {
			return PAYLOCK_FAILED;
		}
		if (paylock_reply_count(r) < 1) {
			paylock_reply_free(r);
			return paylock_redis_bad_reply(c, "the acquire script", err);
		}
		if (paylock_reply_int(paylock_reply_at(r, 0)) == 1) {
			paylock_reply_free(r);
			return PAYLOCK_YES;
		}
		holder_ms = paylock_reply_count(r) == 2 ? paylock_reply_int(paylock_reply_at(r, 1)) : -1;
		paylock_reply_free(r);
		*contended = true;
		now = paylock_now_ns();
		if (deadline_ns == 0 || now >= deadline_ns) {
			return PAYLOCK_NO;
		}
		/* A lost wake-up costs at most the holder's remaining lease, never the whole wait. */
		block_s = (double)(deadline_ns - now) / 1e9;
		if (holder_ms >= 0 && holder_ms / 1000.0 + 0.001 < block_s) {
			block_s = holder_ms / 1000.0 + 0.001;
		}
		switch (paylock_redis_blpop(c, k.queue, k.queue_len, block_s, deadline_ns, err)) {
		case PAYLOCK_WAKE_FAILED:
			return PAYLOCK_FAILED;
		case PAYLOCK_WAKE_DEADLINE:
			return PAYLOCK_NO;
		case PAYLOCK_WAKE_POPPED:
			mode = MODE_WOKEN;
			break;
		case PAYLOCK_WAKE_TIMED_OUT:
			mode = MODE_WAIT;
			break;
		}
	}
}

static paylock_status redis_fence(paylock_store *s, paylock_lock_state *l, paylock_error *err)
{
	paylock_redis_client *c = client_of(s);
	lock_keys k;
	const char *argv[6];
	size_t lens[6];
	paylock_reply *r;
	long long f;

	if (l->fence > 0) {
		return PAYLOCK_YES;
	}
	build_keys(c, l->name, &k);
	argv[3] = k.lock, lens[3] = k.lock_len;
	argv[4] = k.fence, lens[4] = k.fence_len;
	argv[5] = l->token, lens[5] = PAYLOCK_TOKEN_HEX;
	r = paylock_redis_eval(c, &fence_script, 2, 6, argv, lens, err);
	if (r == NULL) {
		return PAYLOCK_FAILED;
	}
	if (paylock_reply_kind(r) != PAYLOCK_REPLY_INTEGER) {
		paylock_reply_free(r);
		return paylock_redis_bad_reply(c, "the fence script", err);
	}
	f = paylock_reply_int(r);
	paylock_reply_free(r);
	if (f < 0) {
		return PAYLOCK_NO;
	}
	l->fence = f;
	return PAYLOCK_YES;
}

static paylock_status redis_release(paylock_store *s, paylock_lock_state *l, paylock_error *err)
{
	paylock_redis_client *c = client_of(s);
	lock_keys k;
	const char *argv[6];
	size_t lens[6];

	build_keys(c, l->name, &k);
	argv[3] = k.lock, lens[3] = k.lock_len;
	argv[4] = k.queue, lens[4] = k.queue_len;
	argv[5] = l->token, lens[5] = PAYLOCK_TOKEN_HEX;
	return paylock_redis_eval_yesno(c, &release_script, "the release script", 2, 6, argv, lens, err);
}

static paylock_status redis_refresh(paylock_store *s, paylock_lock_state *l, int64_t ttl_ms,
									paylock_error *err)
{
	paylock_redis_client *c = client_of(s);
	lock_keys k;
	char ttl[24];
	const char *argv[6];
	size_t lens[6];

	build_keys(c, l->name, &k);
	argv[3] = k.lock, lens[3] = k.lock_len;
	argv[4] = l->token, lens[4] = PAYLOCK_TOKEN_HEX;
	lens[5] = snprintf(ttl, sizeof(ttl), "%" PRId64, ttl_ms);
	argv[5] = ttl;
	return paylock_redis_eval_yesno(c, &refresh_script, "the refresh script", 1, 6, argv, lens, err);
}

static paylock_status redis_check(paylock_store *s, paylock_lock_state *l, paylock_error *err)
{
	paylock_redis_client *c = client_of(s);
	lock_keys k;
	const char *argv[2] = {"GET", k.lock};
	size_t lens[2];
	paylock_reply *r;
	paylock_status st;

	build_keys(c, l->name, &k);
	lens[0] = 3;
	lens[1] = k.lock_len;
	r = paylock_redis_command(c, 2, argv, lens, 0, err);
	if (r == NULL) {
		return PAYLOCK_FAILED;
	}
	if (paylock_reply_kind(r) == PAYLOCK_REPLY_NIL) {
		st = PAYLOCK_NO;
	} else if (paylock_reply_kind(r) == PAYLOCK_REPLY_STRING) {
		size_t len;
		const char *v = paylock_reply_str(r, &len);

		st = value_is_ours(v, len, l->token) ? PAYLOCK_YES : PAYLOCK_NO;
	} else {
		st = paylock_redis_bad_reply(c, "GET", err);
	}
	paylock_reply_free(r);
	return st;
}

/* "<token>:<pid>:<ms>:<host>[|<fence>][+]" -> holder array. */
static paylock_status describe_value(const char *v, size_t len, long long pttl, zval *out)
{
	const char *end = v + len, *p = v + PAYLOCK_TOKEN_HEX, *host, *bar;
	long long pid, ms;
	char *stop;

	if (len <= PAYLOCK_TOKEN_HEX || *p != ':') {
		return PAYLOCK_FAILED;
	}
	if (end[-1] == '+') {
		end--;
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
		add_assoc_long(out, "fence", (zend_long)ZEND_STRTOL(bar + 1, NULL, 10));
	} else {
		add_assoc_null(out, "fence"); /* not issued: the holder has not asked for one */
	}
	add_assoc_string(out, "store", "redis");
	return PAYLOCK_YES;
}

static paylock_status redis_holder(paylock_store *s, zend_string *name, zval *out, paylock_error *err)
{
	paylock_redis_client *c = client_of(s);
	lock_keys k;
	const char *argv[4];
	size_t lens[4];
	paylock_reply *r, *v, *t;
	paylock_status st = PAYLOCK_NO;

	build_keys(c, name, &k);
	argv[3] = k.lock, lens[3] = k.lock_len;
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

		st = describe_value(str, len, paylock_reply_int(t), out);
		if (st == PAYLOCK_FAILED) {
			paylock_error_set(err, PAYLOCK_ERR_STORE, "Lock key at %s holds a value PayLock did not write",
							  c->where);
		}
	}
	paylock_reply_free(r);
	return st;
}

static const paylock_store_ops redis_ops = {
	.kind = "redis",
	.has_lease = true,
	.acquire = redis_acquire,
	.release = redis_release,
	.refresh = redis_refresh,
	.check = redis_check,
	.fence = redis_fence,
	.holder = redis_holder,
	.idem = &paylock_redis_idem_ops,
};

zend_result paylock_redis_store_init(zend_object *obj, zend_string *dsn, HashTable *options)
{
	paylock_redis_store *rs = redis_store_from_obj(obj);

	if (paylock_redis_client_init(&rs->client, dsn, options) == FAILURE) {
		paylock_redis_client_dtor(&rs->client);
		return FAILURE;
	}
	rs->base.ops = &redis_ops;
	return SUCCESS;
}

ZEND_METHOD(PayLock_RedisStore, __construct)
{
	paylock_redis_store *rs = redis_store_from_obj(Z_OBJ_P(ZEND_THIS));
	zend_string *dsn = NULL;
	HashTable *options = NULL;

	ZEND_PARSE_PARAMETERS_START(0, 2)
		Z_PARAM_OPTIONAL
		Z_PARAM_STR_OR_NULL(dsn)
		Z_PARAM_ARRAY_HT(options)
	ZEND_PARSE_PARAMETERS_END();

	if (rs->base.ops) {
		zend_throw_error(NULL, "Cannot call PayLock\\RedisStore::__construct() twice");
		RETURN_THROWS();
	}
	if (paylock_redis_store_init(&rs->std, dsn, options ? options : (HashTable *)&zend_empty_array) ==
		FAILURE) {
		RETURN_THROWS();
	}
}

ZEND_METHOD(PayLock_RedisStore, ping)
{
	paylock_store *s = paylock_store_from_obj(Z_OBJ_P(ZEND_THIS));
	const char *argv[1] = {"PING"};
	size_t lens[1] = {4};
	paylock_error err;
	paylock_reply *r;
	size_t len;
	const char *str;

	ZEND_PARSE_PARAMETERS_NONE();
	if (s == NULL) {
		RETURN_THROWS();
	}
	r = paylock_redis_command(client_of(s), 1, argv, lens, 0, &err);
	if (r == NULL) {
		paylock_error_throw(&err);
		RETURN_THROWS();
	}
	str = paylock_reply_str(r, &len);
	RETVAL_BOOL(paylock_reply_kind(r) == PAYLOCK_REPLY_STATUS && len == 4 && memcmp(str, "PONG", 4) == 0);
	paylock_reply_free(r);
}

static zend_object *redis_store_create(zend_class_entry *ce)
{
	return paylock_object_new(ce, sizeof(paylock_redis_store), &redis_store_handlers);
}

static void redis_store_free(zend_object *obj)
{
	paylock_redis_store *rs = redis_store_from_obj(obj);

	if (rs->base.ops) {
		paylock_redis_client_dtor(&rs->client);
	}
	zend_object_std_dtor(obj);
}

void paylock_redis_store_minit(zend_class_entry *ce)
{
	paylock_ce_RedisStore = ce;
	ce->create_object = redis_store_create;
	paylock_handlers_init(&redis_store_handlers, XtOffsetOf(paylock_redis_store, std), redis_store_free);
	paylock_script_init(&acquire_script, acquire_lua);
	paylock_script_init(&release_script, release_lua);
	paylock_script_init(&refresh_script, refresh_lua);
	paylock_script_init(&inspect_script, inspect_lua);
	paylock_script_init(&fence_script, fence_lua);
	paylock_redis_idem_minit();
}
