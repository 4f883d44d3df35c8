/* RedisStore: locks as one Redis string per name, with a FIFO queue of waiters per name.
 *
 * Keys for lock "n" under prefix "p:" (all share the hash tag {n}):
 *   p:{n}        "<token>:<pid>:<acquired unix ms>:<host>[|<fence>][+]", PX = the lease, "+" when someone
 *                queued behind this holder (so a release nobody waits for needs no look at the queue);
 *                or "=<waiter token>" while the lock is being handed to that waiter (PX = GRANT_MS)
 *   p:{n}:q      list of waiting tokens in arrival order
 *   p:{n}:w      hash waiting token -> until when (server ms) the waiter counts as alive; every waiter
 *                renews it each HEARTBEAT_MS, so a killed one drops out after at most ENTRY_LIFE_MS
 *   p:{n}:r:<t>  "released by t": a release leaves it for a few seconds, so the same release sent again
 *                after its reply was lost (silent reconnect, or a retry) still reads as ours
 *   p:{n}:g:<t>  waiter t's private wake-up list: t blocks in BLPOP on it, a release pushes one item.
 *                Scripts get it in KEYS: one that would hand a name on to a waiter whose list is not
 *                declared replies with that waiter's token instead, and is sent again with it.
 *   p:{n}:fence  the name's fencing counter: tokens are max(counter + 1, Redis TIME in µs, floor + 1)
 *
 * Hand-off: a release gives the lock to the first live waiter (nobody else can take it) and wakes that
 * waiter alone. A single-name waiter gets its own value with a short lease and holds the lock once woken
 * (one trip; redis_handoff.c extends the lease); a MultiLock waiter gets "=<its token>", which its next
 * script call turns into its hold.
 * A grant nobody claims (the waiter died or gave up between the wake-up and the claim) lapses after
 * GRANT_MS, and the next waiter's heartbeat hands the lock on. Waiters never poll: they block until woken,
 * until the holder's lease ends, or for one heartbeat.
 *
 * An acquire whose outcome is unknown (its command may have run, but the reply never came) is undone by
 * token before the failure is reported: the leave script on a fresh connection, or, when Redis does not
 * answer that either, before the next operation on that server and at the latest at request end.
 * Waiters ride out broken connections and stalls until their deadline (every script is idempotent by token).
 *
 * An uncontended acquire is one plain SET NX PX (no script); a MultiLock acquire is one script call for
 * all its names, and waits in the queue of the first busy one. Fencing tokens are issued lazily, under
 * the lock, so they grow in holder order. */
#include "php_paylock.h"
#include "redis_store.h"
#include "redis_internal.h"
#include "redis_replicas.h"
#include "redis_conn.h"
#include "lua_limits.h"
#include "lua_scripts.h"
#include "admin.h"
#include "zend_exceptions.h"

zend_class_entry *paylock_ce_RedisStore;
static zend_object_handlers redis_store_handlers;

static inline paylock_redis_store *redis_store_from_obj(zend_object *obj)
{
	return (paylock_redis_store *)((char *)obj - XtOffsetOf(paylock_redis_store, std));
}

#define GRANT_MS      PAYLOCK_REDIS_GRANT_MS
#define HEARTBEAT_MS  250  /* a waiter looks again (and renews its place) at least this often */
#define ENTRY_LIFE_MS 1000 /* a waiter not heard of for this long is skipped (Redis timer tick, slack) */
#define KEYS_PER_NAME PAYLOCK_LUA_KEYS_PER_NAME /* lock, queue, waiters, own wake-up, tombstone, head's */

/* Fencing tokens stay below 2^53 (16 digits): Lua numbers are doubles, exact up to there. The fence script
 * has its copy from ext/lua_limits.h. */
#define FENCE_MAX PAYLOCK_REDIS_FENCE_MAX
_Static_assert(PAYLOCK_REDIS_FENCE_MAX == PAYLOCK_LUA_FENCE_MAX,
			   "ext/lua_limits.h: the scripts' fence limit");
_Static_assert(PAYLOCK_LUA_TOKEN_HEX == PAYLOCK_TOKEN_HEX, "ext/lua_limits.h: the scripts' token length");
/* A name's fence counter expires after a day unused: by then the time floor is ahead of it. */
#define FENCE_COUNTER_LIFE_MS "86400000"

/* What an acquire script call may do besides taking the locks (ARGV[3] is the digit). */
typedef enum {
	MODE_TRY = 0,   /* one try: do not queue */
	MODE_QUEUE = 1, /* wait: join (or stay in) the queue of the first busy name */
	MODE_LEAVE = 2, /* the wait is over: a last try, then leave every queue */
} acquire_mode;

/* The scripts, one per operation: their sources, with KEYS, ARGV and replies, are ext/lua/<name>.lua. */
static paylock_script acquire_script;
static paylock_script release_script;
static paylock_script release_one_script;
static paylock_script fence_script;
static paylock_script refresh_script;
static paylock_script inspect_script;
static paylock_script leave_script;

/* One command or script call over n locks: argv[0..2] for EVALSHA, then `per_name` keys per lock
 * (lock; or the KEYS_PER_NAME keys of ext/lua/lib/queue.lua), then up to `nargs` script arguments. */
typedef struct {
	const char **argv;
	size_t *lens;
	int argc; /* filled so far */
	int nkeys;
	int per_name;
	char *buf; /* the keys' bytes */
} lock_call;

static size_t lock_key(const paylock_redis_client *c, const zend_string *name, char *out)
{
	size_t p = ZSTR_LEN(c->prefix), n = ZSTR_LEN(name);

	memcpy(out, ZSTR_VAL(c->prefix), p);
	out[p] = '{';
	memcpy(out + p + 1, ZSTR_VAL(name), n);
	out[p + 1 + n] = '}';
	return p + n + 2;
}

#define KEY_SUFFIX_MAX (3 + PAYLOCK_TOKEN_HEX) /* ":g:<token>" */

#define HEAD_KEY (KEYS_PER_NAME - 1) /* the queue head's wake-up list, ":g:" until a script names it */

/* What the j-th key of a name appends to the lock key: queue, waiters, the caller's wake-up list and
 * release tombstone (both named by its token), the head's wake-up list (token filled in by heads_named). */
static size_t key_suffix(int j, const char *token, char *out)
{
	static const char *const tags[KEYS_PER_NAME] = {"", ":q", ":w", ":g:", ":r:", ":g:"};
	size_t len = strlen(tags[j]);

	memcpy(out, tags[j], len);
	if (j == 3 || j == 4) {
		memcpy(out + len, token, PAYLOCK_TOKEN_HEX);
		len += PAYLOCK_TOKEN_HEX;
	}
	return len;
}

static void call_init(lock_call *lc, const paylock_redis_client *c, const paylock_lock_state *l, uint32_t n,
					  int per_name, int nargs)
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
		size_t len = lock_key(c, l[i].name, k);
		int j;

		for (j = 0; j < per_name; j++) {
			char *key = lc->buf + at;
			size_t klen;

			if (j > 0) {
				memcpy(key, k, len);
			}
			klen = len + key_suffix(j, l[0].token, key + len);
			lc->argv[lc->argc] = key;
			lc->lens[lc->argc++] = klen;
			at += j == HEAD_KEY ? len + KEY_SUFFIX_MAX : klen; /* room for the head's token */
		}
	}
}

static void call_arg(lock_call *lc, const char *v, size_t len)
{
	lc->argv[lc->argc] = v;
	lc->lens[lc->argc++] = len;
}

static void call_free(lock_call *lc)
{
	efree(lc->argv);
	efree(lc->lens);
	efree(lc->buf);
}

/* Declares t's wake-up list as name i's HEAD_KEY (i from 0). */
static void head_declare(lock_call *lc, uint32_t i, const char *t)
{
	int lock_at = 3 + (int)i * KEYS_PER_NAME, head_at = lock_at + HEAD_KEY;
	char *key = lc->buf + (lc->argv[head_at] - lc->buf);

	memcpy(key + lc->lens[lock_at] + 3, t, PAYLOCK_TOKEN_HEX);
	lc->lens[head_at] = lc->lens[lock_at] + 3 + PAYLOCK_TOKEN_HEX;
}

/* A hand-off script's {-1, i, head token, ...} reply: declares each head's wake-up list as name i's
 * HEAD_KEY. 1 when it was such a reply, 0 when not, -1 when it names no valid name or token. */
static int heads_named(lock_call *lc, const paylock_reply *r)
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
		head_declare(lc, (uint32_t)i - 1, t);
	}
	return 1;
}

/* Runs a hand-off script (acquire, release, leave) until it no longer asks for a waiter's wake-up list:
 * its reply, or NULL with err. by_body: EVAL, for the failure paths (see run_leave). */
static paylock_reply *eval_handing_on(paylock_redis_client *c, paylock_script *sc, const char *what,
									  lock_call *lc, bool by_body, paylock_ack *ack, paylock_error *err)
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

static paylock_redis_client *client_of(paylock_store *s)
{
	return &((paylock_redis_store *)s)->client;
}

static bool value_is_ours(const char *v, size_t len, const char *token)
{
	return len >= PAYLOCK_TOKEN_HEX && memcmp(v, token, PAYLOCK_TOKEN_HEX) == 0;
}

/* One plain SET NX PX: the whole uncontended acquire of a single name. YES, NO (busy), or FAILED. */
static paylock_status try_set_nx(paylock_redis_client *c, const paylock_lock_state *l, const char *mine,
								 size_t mine_len, const char *ttl, size_t ttl_len, paylock_ack *ack,
								 paylock_error *err)
{
	char key[PAYLOCK_REDIS_KEY_MAX];
	const char *argv[6] = {"SET", key, mine, "NX", "PX", ttl};
	size_t lens[6] = {3, lock_key(c, l->name, key), mine_len, 2, 2, ttl_len};
	paylock_reply *r = paylock_acked_command(c, 6, argv, lens, ack, err);
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

/* One acquire script call. YES taken; NO busy: *busy is the first busy name, *holder_ms its PTTL. */
static paylock_status run_acquire(paylock_redis_client *c, lock_call *lc, acquire_mode mode, const char *life,
								  uint32_t *busy, long long *holder_ms, paylock_ack *ack, paylock_error *err)
{
	static const char *const digits[] = {"0", "1", "2"};
	paylock_reply *r;
	paylock_status st;

	lc->argv[lc->argc - 3] = digits[mode];
	lc->lens[lc->argc - 3] = 1;
	lc->argv[lc->argc - 2] = life;
	lc->lens[lc->argc - 2] = strlen(life);
	r = eval_handing_on(c, &acquire_script, "the acquire script", lc, false, ack, err);
	if (r == NULL) {
		return PAYLOCK_FAILED;
	}
	if (paylock_reply_count(r) == 1 && paylock_reply_int(paylock_reply_at(r, 0)) == 1) {
		st = PAYLOCK_YES;
	} else if (paylock_reply_count(r) == 3 && paylock_reply_int(paylock_reply_at(r, 1)) >= 1 &&
			   paylock_reply_int(paylock_reply_at(r, 1)) <= lc->nkeys / KEYS_PER_NAME) {
		*busy = (uint32_t)paylock_reply_int(paylock_reply_at(r, 1)) - 1;
		*holder_ms = paylock_reply_int(paylock_reply_at(r, 2));
		st = PAYLOCK_NO;
	} else {
		st = paylock_redis_bad_reply(c, "the acquire script", err);
	}
	paylock_reply_free(r);
	return st;
}

/* How long to block before looking again: the deadline, the holder's lease end, or one heartbeat. The
 * lease end is also kept client-side (*wake_ns): Redis times a block out up to 1/hz late, which may be
 * past the lease end even when the heartbeat is the shorter bound. */
static double block_seconds(uint64_t now, uint64_t deadline_ns, long long holder_ms, uint64_t *wake_ns)
{
	double s = now < deadline_ns ? (double)(deadline_ns - now) / 1e9 : 0;

	*wake_ns = holder_ms >= 0 ? now + (uint64_t)(holder_ms + PAYLOCK_LOCK_WAKE_SLACK_MS) * 1000000ULL : 0;
	if (s > HEARTBEAT_MS / 1000.0) {
		s = HEARTBEAT_MS / 1000.0;
	}
	if (holder_ms >= 0 && (holder_ms + PAYLOCK_LOCK_WAKE_SLACK_MS) / 1000.0 < s) {
		s = (holder_ms + PAYLOCK_LOCK_WAKE_SLACK_MS) / 1000.0;
	}
	return s;
}

/* A failure a waiter rides out until its deadline: Redis restarting, stalled, or our socket killed. */
static bool worth_retrying(const paylock_error *err, uint64_t deadline_ns)
{
	return err->kind == PAYLOCK_ERR_CONNECTION && deadline_ns && paylock_now_ns() < deadline_ns;
}

/* Waits in the queue until the locks are ours, the deadline passes or Redis fails. Once Redis has
 * answered (*reached), connection failures are retried until the deadline: the script is idempotent by
 * token and finds our queue place where it still exists. *may_hold: a call may have queued or taken. */
static paylock_status queue_until(paylock_redis_client *c, paylock_lock_state *l, lock_call *lc,
								  uint64_t deadline_ns, paylock_acquire_info *info, bool *reached,
								  bool *may_hold, paylock_ack *ack, paylock_error *err)
{
	acquire_mode mode = deadline_ns ? MODE_QUEUE : MODE_TRY;

	for (;;) {
		uint64_t now = paylock_now_ns(), wake_ns;
		long long holder_ms = -1, life_ms = ENTRY_LIFE_MS;
		uint32_t busy = 0;
		char life[24], wake[PAYLOCK_REDIS_KEY_MAX + 3 + PAYLOCK_TOKEN_HEX], item[PAYLOCK_TOKEN_HEX];
		size_t wake_len, item_len = 0;
		double block_s;
		paylock_status st;

		if (deadline_ns && now >= deadline_ns) {
			mode = MODE_LEAVE;
		} else if (deadline_ns &&
				   (int64_t)((deadline_ns - now) / 1000000) + PAYLOCK_WAITER_LIFE_SLACK_MS < life_ms) {
			life_ms = (long long)((deadline_ns - now) / 1000000) +
					  PAYLOCK_WAITER_LIFE_SLACK_MS; /* gone soon after our deadline */
		}
		snprintf(life, sizeof(life), "%lld", life_ms);
		st = run_acquire(c, lc, mode, life, &busy, &holder_ms, ack, err);
		*may_hold = *may_hold || (st == PAYLOCK_FAILED && c->unanswered);
		if (st == PAYLOCK_FAILED && mode == MODE_QUEUE && *reached && worth_retrying(err, deadline_ns)) {
			paylock_redis_backoff(deadline_ns);
			continue;
		}
		if (st != PAYLOCK_NO) {
			return st;
		}
		*reached = true;
		info->contended = true;
		if (mode != MODE_QUEUE) {
			return PAYLOCK_NO;
		}
		*may_hold = true;
		wake_len = lock_key(c, l[busy].name, wake);
		memcpy(wake + wake_len, ":g:", 3);
		memcpy(wake + wake_len + 3, l[0].token, PAYLOCK_TOKEN_HEX);
		wake_len += 3 + PAYLOCK_TOKEN_HEX;
		block_s = block_seconds(paylock_now_ns(), deadline_ns, holder_ms, &wake_ns);
		switch (paylock_redis_blpop_item(c, wake, wake_len, block_s, wake_ns, deadline_ns, item, sizeof(item),
										 &item_len, err)) {
		case PAYLOCK_WAKE_FAILED:
			if (!worth_retrying(err, deadline_ns)) {
				return PAYLOCK_FAILED;
			}
			break; /* the next script call tells whether Redis is back */
		case PAYLOCK_WAKE_POPPED:
			info->handoff = true;
			if (lc->nkeys == KEYS_PER_NAME && c->replicas == 0) {
				/* One name: the release wrote our value, short lease. Ours now, extended off our path. */
				int at = 3 + lc->nkeys;

				paylock_redis_handoff_extend(c, l, lc->argv[3], lc->lens[3], lc->argv[at], lc->lens[at],
											 lc->argv[at + 1], lc->lens[at + 1], item, item_len);
				ack->wanted = 0; /* no replicas asked for: nothing to acknowledge */
				return PAYLOCK_YES;
			}
			/* MultiLock, or replicas asked for: the next acquire call takes the grant and its WAIT covers
			 * the releaser's grant write too, before we count the lock as ours (two trips). */
			break;
		case PAYLOCK_WAKE_DEADLINE:
		case PAYLOCK_WAKE_TIMED_OUT:
			info->handoff = false;
			break;
		}
	}
}

/* ---- acquires of unknown outcome ("ghosts") ---- */

/* What an acquire that may have taken or queued for names (its reply never came) left to undo. */
typedef struct {
	zend_object *store; /* the RedisStore, addref'd */
	paylock_lock_state *l;
	uint32_t n;
} paylock_ghost;

static paylock_redis_store *ghost_store(const paylock_ghost *g)
{
	return redis_store_from_obj(g->store);
}

static void ghost_dtor(zval *zv)
{
	paylock_ghost *g = Z_PTR_P(zv);
	uint32_t i;

	for (i = 0; i < g->n; i++) {
		zend_string_release(g->l[i].name);
	}
	efree(g->l);
	OBJ_RELEASE(g->store);
	efree(g);
}

/* The leave script for one token over n names. By body (EVAL) on the failure path: a command that reaches
 * a stalled Redis then still runs when it wakes, after the acquire it undoes (sent earlier). */
static paylock_status run_leave(paylock_redis_client *c, const paylock_lock_state *l, uint32_t n,
								bool by_body, paylock_error *err)
{
	lock_call lc;
	paylock_reply *r;

	call_init(&lc, c, l, n, KEYS_PER_NAME, 5);
	call_arg(&lc, l[0].token, PAYLOCK_TOKEN_HEX);
	call_arg(&lc, "", 0);
	call_arg(&lc, "", 0);
	call_arg(&lc, "", 0);
	call_arg(&lc, GRANT_MS, strlen(GRANT_MS));
	r = eval_handing_on(c, &leave_script, "the leave script", &lc, by_body, NULL, err);
	call_free(&lc);
	if (r == NULL) {
		return PAYLOCK_FAILED;
	}
	paylock_reply_free(r);
	return PAYLOCK_YES;
}

static void ghost_add(paylock_redis_store *rs, const paylock_lock_state *l, uint32_t n)
{
	paylock_ghost *g;
	uint32_t i;

	if (!PAYLOCK_G(in_request)) {
		return; /* no request to end: the lease ends it */
	}
	g = emalloc(sizeof(*g));
	g->store = &rs->std;
	GC_ADDREF(g->store);
	g->n = n;
	g->l = safe_emalloc(n, sizeof(paylock_lock_state), 0);
	for (i = 0; i < n; i++) {
		memset(&g->l[i], 0, sizeof(g->l[i]));
		g->l[i].name = zend_string_copy(l[i].name);
		memcpy(g->l[i].token, l[0].token, sizeof(g->l[i].token));
	}
	zend_hash_next_index_insert_ptr(&PAYLOCK_G(redis_ghosts), g);
}

/* After a failure whose outcome is unknown: undo it now on a fresh connection, else remember it. */
static void undo_acquire(paylock_redis_store *rs, const paylock_lock_state *l, uint32_t n)
{
	paylock_error ignored = {0};

	if (run_leave(&rs->client, l, n, true, &ignored) == PAYLOCK_FAILED) {
		ghost_add(rs, l, n);
	}
}

/* Before an operation on c's server: undoes what earlier acquires there may have left. A connection
 * failure is returned (the operation would meet it too); anything else drops the entry. */
static paylock_status ghosts_flush(const paylock_redis_client *c, paylock_error *err)
{
	HashTable *ht = &PAYLOCK_G(redis_ghosts);
	zend_ulong idx;
	paylock_ghost *g;
	paylock_status st = PAYLOCK_YES;

	if (!PAYLOCK_G(in_request) || zend_hash_num_elements(ht) == 0) {
		return PAYLOCK_YES;
	}
	ZEND_HASH_FOREACH_NUM_KEY_PTR(ht, idx, g)
	{
		paylock_redis_client *gc = &ghost_store(g)->client;

		if (!zend_string_equals(gc->pool_key, c->pool_key)) {
			continue;
		}
		if (run_leave(gc, g->l, g->n, false, err) == PAYLOCK_FAILED && err->kind == PAYLOCK_ERR_CONNECTION) {
			st = PAYLOCK_FAILED;
			break;
		}
		zend_hash_index_del(ht, idx);
	}
	ZEND_HASH_FOREACH_END();
	return st;
}

void paylock_redis_store_rinit(void)
{
	zend_hash_init(&PAYLOCK_G(redis_ghosts), 0, NULL, ghost_dtor, 0);
}

/* Request end: one more try per server; a server that does not answer is left to the leases. */
void paylock_redis_store_rshutdown(void)
{
	HashTable *ht = &PAYLOCK_G(redis_ghosts), down;
	paylock_ghost *g;

	zend_hash_init(&down, 0, NULL, NULL, 0);
	ZEND_HASH_FOREACH_PTR(ht, g) {
		paylock_redis_client *gc = &ghost_store(g)->client;
		paylock_error ignored = {0};

		if (!zend_hash_exists(&down, gc->pool_key) &&
			run_leave(gc, g->l, g->n, false, &ignored) == PAYLOCK_FAILED &&
			ignored.kind == PAYLOCK_ERR_CONNECTION) {
			zend_hash_add_empty_element(&down, gc->pool_key);
		}
	}
	ZEND_HASH_FOREACH_END();
	zend_hash_destroy(&down);
	zend_hash_destroy(ht);
	paylock_redis_pending_rshutdown();
}

/* A lock taken but not acknowledged by the replicas asked for is given back (compare-and-delete, or
 * passed to the next waiter): a failover now would hand it to someone else too. */
static paylock_status acquire_acked(paylock_redis_store *rs, const paylock_lock_state *l, uint32_t n,
									const paylock_ack *ack, paylock_error *err)
{
	char what[PAYLOCK_MAX_NAME / 8 + 64], pn[PAYLOCK_MAX_NAME / 8];

	if (ack->wanted == 0 || ack->acked >= ack->wanted) {
		return PAYLOCK_YES;
	}
	snprintf(what, sizeof(what), "Lock \"%s\"%s taken", paylock_printable(l[0].name, pn, sizeof(pn)),
			 n > 1 ? " (and the others of its MultiLock)" : "");
	paylock_ack_verdict(&rs->client, ack, what,
						"released, since a failover now could give it to another holder (check the replicas "
						"with INFO replication, or lower the replicas option)",
						err);
	undo_acquire(rs, l, n);
	return PAYLOCK_FAILED;
}

static paylock_status redis_acquire(paylock_store *s, paylock_lock_state *l, uint32_t n, int64_t ttl_ms,
									uint64_t deadline_ns, paylock_acquire_info *info, paylock_error *err)
{
	paylock_redis_store *rs = (paylock_redis_store *)s;
	paylock_redis_client *c = &rs->client;
	char ttl[24], mine[PAYLOCK_TOKEN_HEX + 320];
	size_t ttl_len, mine_len;
	lock_call lc;
	paylock_status st;
	bool reached = false, may_hold = false;
	paylock_ack ack = {0};

	if (ghosts_flush(c, err) == PAYLOCK_FAILED) {
		return PAYLOCK_FAILED;
	}
	paylock_redis_handoff_forget(l, n); /* what an earlier hold knew */
	ttl_len = snprintf(ttl, sizeof(ttl), "%" PRId64, ttl_ms);
	mine_len = snprintf(mine, sizeof(mine), "%s:%ld:%" PRId64 ":%s", l[0].token, (long)paylock_pid(),
						paylock_unix_ms(), PAYLOCK_G(hostname));
	if (n == 1) {
		st = try_set_nx(c, l, mine, mine_len, ttl, ttl_len, &ack, err);
		if (st == PAYLOCK_FAILED && c->unanswered) {
			undo_acquire(rs, l, n);
		}
		if (st != PAYLOCK_NO) {
			return st == PAYLOCK_YES ? acquire_acked(rs, l, n, &ack, err) : st;
		}
		reached = true;
		/* Busy. After a silent reconnect the lock may be ours already (the first SET ran, its reply was
		 * lost): the script tells. */
		if (deadline_ns == 0 && !c->reconnected) {
			info->contended = true;
			return PAYLOCK_NO;
		}
	}
	call_init(&lc, c, l, n, KEYS_PER_NAME, 5);
	call_arg(&lc, mine, mine_len);
	call_arg(&lc, ttl, ttl_len);
	call_arg(&lc, "0", 1); /* mode, set per call */
	call_arg(&lc, "0", 1); /* life, set per call */
	call_arg(&lc, GRANT_MS, strlen(GRANT_MS));
	st = queue_until(c, l, &lc, deadline_ns, info, &reached, &may_hold, &ack, err);
	call_free(&lc);
	if (st == PAYLOCK_FAILED && may_hold) {
		undo_acquire(rs, l, n);
	}
	return st == PAYLOCK_YES ? acquire_acked(rs, l, n, &ack, err) : st;
}

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
static paylock_status redis_fence_above(paylock_store *s, paylock_lock_state *l, int64_t floor,
										paylock_error *err)
{
	paylock_redis_client *c = client_of(s);
	char key[PAYLOCK_REDIS_KEY_MAX], counter[PAYLOCK_REDIS_KEY_MAX + 6], fl[24];
	size_t klen = lock_key(c, l->name, key);
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

static paylock_status redis_fence(paylock_store *s, paylock_lock_state *l, paylock_error *err)
{
	return redis_fence_above(s, l, 0, err);
}

/* Runs a script whose reply counts the names that were ours: YES when all n were. */
static paylock_status eval_all_ours(paylock_redis_client *c, paylock_script *sc, const char *what,
									lock_call *lc, uint32_t n, paylock_ack *ack, paylock_error *err)
{
	paylock_reply *r = eval_handing_on(c, sc, what, lc, false, ack, err);
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
	size_t klen = lock_key(c, l->name, key), tlen = 0;
	const char *argv[8] = {NULL, NULL, NULL, key, stone, queue, l->token, tomb};
	size_t lens[8] = {0, 0, 0, klen, 0, klen + 2, PAYLOCK_TOKEN_HEX, tomb_len};
	paylock_reply *r;
	const char *t;
	long long v;

	memcpy(stone, key, klen);
	lens[4] = klen + key_suffix(4, l->token, stone + klen);
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

static paylock_status redis_release(paylock_store *s, paylock_lock_state *l, uint32_t n, paylock_error *err)
{
	paylock_redis_client *c = client_of(s);
	char tomb[24];
	size_t tomb_len;
	lock_call lc;
	paylock_status st = PAYLOCK_FAILED;
	bool queued = false;
	const char *hint;
	char head[PAYLOCK_TOKEN_HEX + 1] = "";

	if (ghosts_flush(c, err) == PAYLOCK_FAILED ||
		(st = paylock_redis_handoff_settle(c, l, n, err)) != PAYLOCK_YES) {
		return st == PAYLOCK_NO ? PAYLOCK_NO : PAYLOCK_FAILED;
	}
	tomb_len = snprintf(tomb, sizeof(tomb), "%lld", tombstone_ms(c));
	hint = n == 1 ? paylock_redis_handoff_head(l) : NULL; /* handed to us with a waiter behind */
	if (n == 1 && hint == NULL &&
		((st = release_one(c, l, tomb, tomb_len, &queued, head, err)) == PAYLOCK_FAILED || !queued)) {
		return st;
	}
	call_init(&lc, c, l, n, KEYS_PER_NAME, 5);
	if (hint || (queued && head[0])) {
		head_declare(&lc, 0,
					 hint ? hint
						  : head); /* most likely the live head: the release script then needs one call */
	}
	call_arg(&lc, l[0].token, PAYLOCK_TOKEN_HEX);
	call_arg(&lc, tomb, tomb_len);
	call_arg(&lc, "", 0);
	call_arg(&lc, "", 0);
	call_arg(&lc, GRANT_MS, strlen(GRANT_MS));
	st = eval_all_ours(c, &release_script, "the release script", &lc, n, NULL, err);
	call_free(&lc);
	return st;
}

static paylock_status redis_refresh(paylock_store *s, paylock_lock_state *l, uint32_t n, int64_t ttl_ms,
									paylock_error *err)
{
	paylock_redis_client *c = client_of(s);
	char ttl[24];
	lock_call lc;
	paylock_status st;
	paylock_ack ack;

	if (ghosts_flush(c, err) == PAYLOCK_FAILED) {
		return PAYLOCK_FAILED;
	}
	if ((st = paylock_redis_handoff_settle(c, l, n, err)) != PAYLOCK_YES) {
		return st;
	}
	call_init(&lc, c, l, n, 1, 2);
	call_arg(&lc, l[0].token, PAYLOCK_TOKEN_HEX);
	call_arg(&lc, ttl, snprintf(ttl, sizeof(ttl), "%" PRId64, ttl_ms));
	st = eval_all_ours(c, &refresh_script, "the refresh script", &lc, n, &ack, err);
	call_free(&lc);
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
static paylock_status redis_check(paylock_store *s, paylock_lock_state *l, uint32_t n, paylock_error *err)
{
	paylock_redis_client *c = client_of(s);
	lock_call lc;
	paylock_reply *r;
	paylock_status st = PAYLOCK_YES;
	uint32_t i;

	if (ghosts_flush(c, err) == PAYLOCK_FAILED) {
		return PAYLOCK_FAILED;
	}
	if ((st = paylock_redis_handoff_settle(c, l, n, err)) != PAYLOCK_YES) {
		return st;
	}
	call_init(&lc, c, l, n, 1, 0);
	lc.argv[2] = "MGET";
	lc.lens[2] = 4;
	r = paylock_redis_command(c, lc.argc - 2, lc.argv + 2, lc.lens + 2, 0, err);
	call_free(&lc);
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

static paylock_status redis_holder(paylock_store *s, zend_string *name, zval *out, paylock_error *err)
{
	paylock_redis_client *c = client_of(s);
	char key[PAYLOCK_REDIS_KEY_MAX];
	const char *argv[4] = {NULL, NULL, NULL, key};
	size_t lens[4] = {0, 0, 0, lock_key(c, name, key)};
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

/* A woken waiter's extension still unchecked is let go of (its reply is read by the next command). */
static void redis_state_free(paylock_store *s, paylock_lock_state *l, uint32_t n)
{
	(void)s;
	paylock_redis_handoff_forget(l, n);
}

static const char *redis_where(paylock_store *s)
{
	return client_of(s)->where;
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
	.fence_above = redis_fence_above,
	.state_free = redis_state_free,
	.state_drop = redis_state_free,
	.where = redis_where,
	.idem = &paylock_redis_idem_ops,
	.admin = &paylock_redis_admin_ops,
};

static zend_result paylock_redis_store_init(zend_object *obj, zend_string *dsn, HashTable *options)
{
	paylock_redis_store *rs = redis_store_from_obj(obj);

	if (paylock_redis_client_init(&rs->client, dsn, options) == FAILURE) {
		paylock_redis_client_dtor(&rs->client);
		return FAILURE;
	}
	rs->base.ops = &redis_ops;
	return SUCCESS;
}

zend_result paylock_redis_store_from_ini(zval *out)
{
	object_init_ex(out, paylock_ce_RedisStore);
	if (paylock_redis_store_init(Z_OBJ_P(out), NULL, (HashTable *)&zend_empty_array) == FAILURE) {
		zval_ptr_dtor(out);
		ZVAL_UNDEF(out);
		return FAILURE;
	}
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
	r = ghosts_flush(client_of(s), &err) == PAYLOCK_FAILED
			? NULL
			: paylock_redis_command(client_of(s), 1, argv, lens, 0, &err);
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
	paylock_script_init(&acquire_script, PAYLOCK_LUA_ACQUIRE);
	paylock_script_init(&release_script, PAYLOCK_LUA_RELEASE);
	paylock_script_init(&release_one_script, PAYLOCK_LUA_RELEASE_ONE);
	paylock_script_init(&leave_script, PAYLOCK_LUA_LEAVE);
	paylock_script_init(&refresh_script, PAYLOCK_LUA_REFRESH);
	paylock_script_init(&inspect_script, PAYLOCK_LUA_INSPECT);
	paylock_script_init(&fence_script, PAYLOCK_LUA_FENCE);
	paylock_redis_idem_minit();
	paylock_redis_handoff_minit();
}
