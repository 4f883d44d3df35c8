/* PayLock\Admin on RedisStore: held locks and idempotency records found with SCAN (never KEYS: a shop's
 * Redis keeps serving while an operator pages through it), a lock's queue, and force-release through the
 * same hand-off as a holder's release (ext/lua/admin_*.lua). Read-only except force-release. */
#include "php_paylock.h"
#include "admin.h"
#include "redis_internal.h"
#include "redis_router.h"
#include "tuning.h"
#include "lua_scripts.h"
#include "lua_limits.h"
#include "zend_smart_str.h"

static paylock_script locks_script;
static paylock_script queue_script;
static paylock_script force_script;
static paylock_script records_script;

/* SCAN MATCH needs the prefix as a glob: its special characters escaped. */
static void glob_escape(smart_str *s, const zend_string *lit)
{
	for (size_t i = 0; i < ZSTR_LEN(lit); i++) {
		char ch = ZSTR_VAL(lit)[i];

		if (strchr("*?[]\\", ch) && ch != '\0') {
			smart_str_appendc(s, '\\');
		}
		smart_str_appendc(s, ch);
	}
}

/* One SCAN call: appends the keys found to keys (a packed array of strings); *cursor is replaced by the
 * next one ("0": done). */
static paylock_status scan_once(paylock_redis_client *c, const char *pattern, size_t pattern_len,
								zend_string **cursor, zend_long count, zval *keys, paylock_error *err)
{
	char num[24];
	const char *argv[6] = {"SCAN", ZSTR_VAL(*cursor), "MATCH", pattern, "COUNT", num};
	size_t lens[6] = {4, ZSTR_LEN(*cursor), 5, pattern_len, 5, 0};
	paylock_reply *r, *list;
	size_t len;
	const char *next;

	lens[5] = snprintf(num, sizeof(num), ZEND_LONG_FMT, count);
	r = paylock_redis_command(c, 6, argv, lens, 0, err);
	if (r == NULL) {
		return PAYLOCK_FAILED;
	}
	if (paylock_reply_kind(r) == PAYLOCK_REPLY_ERROR) {
		return paylock_redis_error_reply(c, r, err);
	}
	if (paylock_reply_count(r) != 2 || paylock_reply_kind(paylock_reply_at(r, 0)) != PAYLOCK_REPLY_STRING ||
		paylock_reply_kind(paylock_reply_at(r, 1)) != PAYLOCK_REPLY_ARRAY) {
		paylock_reply_free(r);
		return paylock_redis_bad_reply(c, "SCAN", err);
	}
	next = paylock_reply_str(paylock_reply_at(r, 0), &len);
	zend_string_release(*cursor);
	*cursor = zend_string_init(next, len, 0);
	list = paylock_reply_at(r, 1);
	for (size_t i = 0; i < paylock_reply_count(list); i++) {
		const char *k = paylock_reply_str(paylock_reply_at(list, i), &len);

		add_next_index_stringl(keys, k, len);
	}
	paylock_reply_free(r);
	return PAYLOCK_YES;
}

/* A page's place: the node's index and that node's SCAN cursor. On a cluster the caller's cursor is
 * "<node>:<cursor>" (opaque to it, nodes ordered by address); on one node it is SCAN's own. */
static bool cursor_parse(const zend_string *in, bool cluster, int *node, zend_string **cur)
{
	const char *colon;
	char *end;
	long idx;

	*node = 0;
	if (in == NULL || !cluster) {
		*cur = in ? zend_string_copy((zend_string *)in) : zend_string_init("0", 1, 0);
		return true;
	}
	colon = memchr(ZSTR_VAL(in), ':', ZSTR_LEN(in));
	idx = strtol(ZSTR_VAL(in), &end, 10);
	if (colon == NULL || end != colon || colon == ZSTR_VAL(in) || idx < 0 ||
		idx >= PAYLOCK_CLUSTER_MAX_NODES) {
		return false;
	}
	*node = (int)idx;
	*cur = zend_string_init(colon + 1, ZSTR_LEN(in) - (size_t)(colon + 1 - ZSTR_VAL(in)), 0);
	return true;
}

/* SCAN rounds until about pg->count keys matched or every node's keyspace is done (a cluster's masters one
 * after the other); bounded by PAYLOCK_ADMIN_SCAN_ROUNDS calls, so a sparse prefix returns an empty page
 * with a cursor to go on. A node that cannot be reached fails the page (a ConnectionException). */
static paylock_status scan_page(paylock_redis_client *c, const smart_str *pattern,
								const paylock_admin_page *pg,
								bool (*keep)(const paylock_redis_client *, const char *, size_t), zval *keys,
								zend_string **next, paylock_error *err)
{
	paylock_redis_client *nodes[PAYLOCK_CLUSTER_MAX_NODES];
	bool cluster = paylock_router_cluster(c);
	int nn = paylock_router_masters(c, nodes, PAYLOCK_CLUSTER_MAX_NODES, err), node;
	zend_string *cursor;
	zval found;

	*next = NULL;
	if (nn < 0) {
		return PAYLOCK_FAILED;
	}
	if (!cursor_parse(pg->cursor, cluster, &node, &cursor)) {
		paylock_error_set(err, PAYLOCK_ERR_STORE,
						  "the cursor \"%s\" is not one PayLock\\Admin returned for a cluster: pass back the "
						  "previous page's \"cursor\", or null to start",
						  ZSTR_VAL(pg->cursor));
		return PAYLOCK_FAILED;
	}
	array_init(keys);
	array_init(&found);
	for (int round = 0; round < PAYLOCK_ADMIN_SCAN_ROUNDS && node < nn; round++) {
		zval *k;

		if (scan_once(nodes[node], ZSTR_VAL(pattern->s), ZSTR_LEN(pattern->s), &cursor, pg->count, &found,
					  err) != PAYLOCK_YES) {
			zval_ptr_dtor(&found);
			zval_ptr_dtor(keys);
			zend_string_release(cursor);
			return PAYLOCK_FAILED;
		}
		ZEND_HASH_FOREACH_VAL(Z_ARRVAL(found), k) {
			if (keep(c, Z_STRVAL_P(k), Z_STRLEN_P(k))) {
				Z_ADDREF_P(k);
				add_next_index_zval(keys, k);
			}
		}
		ZEND_HASH_FOREACH_END();
		zend_hash_clean(Z_ARRVAL(found));
		if (zend_string_equals_literal(cursor, "0")) {
			node++; /* this node is done; the next one starts at 0 */
		}
		if (zend_hash_num_elements(Z_ARRVAL_P(keys)) >= (uint32_t)pg->count) {
			break;
		}
	}
	zval_ptr_dtor(&found);
	if (node < nn) {
		*next = cluster ? zend_strpprintf(0, "%d:%s", node, ZSTR_VAL(cursor)) : zend_string_copy(cursor);
	}
	zend_string_release(cursor);
	return PAYLOCK_YES;
}

/* Runs describe over the page's keys: one script call on one node; on a cluster one call per key (keys
 * of different slots cannot share a script, even on one node). */
typedef paylock_status (*describe_fn)(paylock_redis_client *c, const paylock_admin_page *pg, zval *keys,
									  zval *list, paylock_error *err);

static paylock_status describe_page(paylock_redis_client *c, const paylock_admin_page *pg, zval *keys,
									zval *list, describe_fn describe, paylock_error *err)
{
	paylock_status st = PAYLOCK_YES;
	zval *k;

	if (!paylock_router_cluster(c)) {
		return describe(c, pg, keys, list, err);
	}
	ZEND_HASH_FOREACH_VAL(Z_ARRVAL_P(keys), k) {
		zval one;

		array_init(&one);
		Z_ADDREF_P(k);
		add_next_index_zval(&one, k);
		st = describe(c, pg, &one, list, err);
		zval_ptr_dtor(&one);
		if (st != PAYLOCK_YES) {
			break;
		}
	}
	ZEND_HASH_FOREACH_END();
	return st;
}

/* A lock key is p:{name}: nothing after the closing brace (queue, waiters, grants, tombstones, the fence
 * counter all carry a suffix). */
static bool is_lock_key(const paylock_redis_client *c, const char *k, size_t len)
{
	return len > ZSTR_LEN(c->prefix) + 2 && k[len - 1] == '}';
}

/* A script call over keys: argv/lens with room for EVALSHA's three heads; buf holds the keys it builds. */
typedef struct {
	const char **argv;
	size_t *lens;
	int argc;
	smart_str buf;
} key_call;

static paylock_status describe_locks(paylock_redis_client *c, const paylock_admin_page *pg, zval *keys,
									 zval *list, paylock_error *err)
{
	zval *k;
	uint32_t n = zend_hash_num_elements(Z_ARRVAL_P(keys)), i = 0;
	size_t *offs;
	key_call kc = {0};
	paylock_reply *r;
	paylock_status st;

	(void)pg;
	if (n == 0) {
		return PAYLOCK_YES;
	}
	/* 3 keys per lock: the lock key as SCAN found it, then its queue and waiters */
	offs = safe_emalloc(n, 2 * sizeof(size_t), 0);
	ZEND_HASH_FOREACH_VAL(Z_ARRVAL_P(keys), k) {
		offs[2 * i] = ZSTR_LEN(kc.buf.s ? kc.buf.s : ZSTR_EMPTY_ALLOC());
		smart_str_appendl(&kc.buf, Z_STRVAL_P(k), Z_STRLEN_P(k));
		smart_str_appendl(&kc.buf, ":q", 2);
		offs[2 * i + 1] = ZSTR_LEN(kc.buf.s);
		smart_str_appendl(&kc.buf, Z_STRVAL_P(k), Z_STRLEN_P(k));
		smart_str_appendl(&kc.buf, ":w", 2);
		i++;
	}
	ZEND_HASH_FOREACH_END();
	kc.argv = safe_emalloc(3 + 3 * n, sizeof(char *), 0);
	kc.lens = safe_emalloc(3 + 3 * n, sizeof(size_t), 0);
	kc.argc = 3;
	i = 0;
	ZEND_HASH_FOREACH_VAL(Z_ARRVAL_P(keys), k) {
		kc.argv[kc.argc] = Z_STRVAL_P(k);
		kc.lens[kc.argc++] = Z_STRLEN_P(k);
		kc.argv[kc.argc] = ZSTR_VAL(kc.buf.s) + offs[2 * i];
		kc.lens[kc.argc++] = Z_STRLEN_P(k) + 2;
		kc.argv[kc.argc] = ZSTR_VAL(kc.buf.s) + offs[2 * i + 1];
		kc.lens[kc.argc++] = Z_STRLEN_P(k) + 2;
		i++;
	}
	ZEND_HASH_FOREACH_END();
	r = paylock_redis_eval(c, &locks_script, kc.argc - 3, kc.argc, kc.argv, kc.lens, err);
	st = PAYLOCK_FAILED;
	if (r != NULL && paylock_reply_count(r) != 3 * n) {
		paylock_reply_free(r);
		paylock_redis_bad_reply(c, "the admin locks script", err);
	} else if (r != NULL) {
		i = 0;
		ZEND_HASH_FOREACH_VAL(Z_ARRVAL_P(keys), k) {
			paylock_reply *v = paylock_reply_at(r, 3 * i);
			size_t len;
			const char *str;
			zval holder;

			i++;
			if (paylock_reply_kind(v) != PAYLOCK_REPLY_STRING) {
				continue; /* released since SCAN saw it */
			}
			str = paylock_reply_str(v, &len);
			if (len > 0 && str[0] == '=') {
				continue; /* being handed to a waiter: held by nobody yet */
			}
			if (paylock_redis_describe_value(str, len, paylock_reply_int(paylock_reply_at(r, 3 * i - 2)),
											 &holder) != PAYLOCK_YES) {
				continue; /* not a value PayLock writes: not a lock (a key of another program) */
			}
			/* the name is the key less "p:{" and "}" */
			paylock_admin_add_lock(list, Z_STRVAL_P(k) + ZSTR_LEN(c->prefix) + 1,
								   Z_STRLEN_P(k) - ZSTR_LEN(c->prefix) - 2, &holder,
								   (zend_long)paylock_reply_int(paylock_reply_at(r, 3 * i - 1)), false);
		}
		ZEND_HASH_FOREACH_END();
		paylock_reply_free(r);
		st = PAYLOCK_YES;
	}
	efree(kc.argv);
	efree(kc.lens);
	efree(offs);
	smart_str_free(&kc.buf);
	return st;
}

/* Ends a listing: keys freed; no cursor when the page failed. */
static paylock_status page_done(paylock_status st, zval *keys, zend_string **next)
{
	if (st != PAYLOCK_YES && *next) {
		zend_string_release(*next);
		*next = NULL;
	}
	zval_ptr_dtor(keys);
	return st;
}

/* One page of a listing: SCAN for <prefix>[{]<caller's prefix>*, keep the keys keep() accepts, then
 * describe them into list. */
static paylock_status list_page(paylock_store *s, const paylock_admin_page *pg, bool braced,
								bool (*keep)(const paylock_redis_client *, const char *, size_t),
								describe_fn describe, zval *list, zend_string **next, paylock_error *err)
{
	paylock_redis_client *c = paylock_redis_store_client(s);
	smart_str pattern = {0};
	zval keys;
	paylock_status st;

	smart_str_append(&pattern, c->prefix);
	if (braced) {
		smart_str_appendc(&pattern, '{');
	}
	glob_escape(&pattern, pg->prefix);
	smart_str_appendc(&pattern, '*');
	smart_str_0(&pattern);
	st = scan_page(c, &pattern, pg, keep, &keys, next, err);
	smart_str_free(&pattern);
	if (st != PAYLOCK_YES) {
		return st;
	}
	return page_done(describe_page(c, pg, &keys, list, describe, err), &keys, next);
}

static paylock_status redis_locks(paylock_store *s, const paylock_admin_page *pg, zval *list,
								  zend_string **next, paylock_error *err)
{
	return list_page(s, pg, true, is_lock_key, describe_locks, list, next, err);
}

/* p:{name} + suffix */
static zend_string *lock_key(const paylock_redis_client *c, const zend_string *name, const char *suffix)
{
	smart_str k = {0};

	smart_str_append(&k, c->prefix);
	smart_str_appendc(&k, '{');
	smart_str_append(&k, (zend_string *)name);
	smart_str_appendc(&k, '}');
	smart_str_appends(&k, suffix);
	return smart_str_extract(&k);
}

static paylock_status redis_queue(paylock_store *s, zend_string *name, zend_long max, zval *list,
								  paylock_error *err)
{
	paylock_redis_client *c = paylock_redis_store_client(s);
	zend_string *q = lock_key(c, name, ":q"), *w = lock_key(c, name, ":w");
	char num[24];
	const char *argv[6] = {NULL, NULL, NULL, ZSTR_VAL(q), ZSTR_VAL(w), num};
	size_t lens[6] = {0, 0, 0, ZSTR_LEN(q), ZSTR_LEN(w), 0};
	paylock_reply *r;
	size_t n;
	long long now;

	lens[5] = snprintf(num, sizeof(num), ZEND_LONG_FMT, max);
	r = paylock_redis_eval(c, &queue_script, 2, 6, argv, lens, err);
	zend_string_release(q);
	zend_string_release(w);
	if (r == NULL) {
		return PAYLOCK_FAILED;
	}
	n = paylock_reply_count(r);
	if (n % 2 != 1 || paylock_reply_kind(paylock_reply_at(r, 0)) != PAYLOCK_REPLY_INTEGER) {
		paylock_reply_free(r);
		return paylock_redis_bad_reply(c, "the admin queue script", err);
	}
	now = paylock_reply_int(paylock_reply_at(r, 0));
	for (size_t i = 1; i + 1 < n; i += 2) {
		size_t len;
		const char *t = paylock_reply_str(paylock_reply_at(r, i), &len);
		paylock_reply *a = paylock_reply_at(r, i + 1);
		zval e;

		array_init_size(&e, 3);
		add_assoc_long(&e, "position", (zend_long)(i + 1) / 2);
		/* a prefix identifies the waiter for the operator; the whole token would let anyone act as it */
		add_assoc_stringl(&e, "token", t ? t : "", MIN(len, PAYLOCK_ADMIN_TOKEN_SHOWN));
		if (paylock_reply_kind(a) == PAYLOCK_REPLY_STRING) {
			const char *v = paylock_reply_str(a, &len);
			long long until = ZEND_STRTOL(v, NULL, 10);

			add_assoc_double(&e, "alive_for", (until - now) / 1000.0);
		} else {
			add_assoc_null(&e, "alive_for");
		}
		add_assoc_string(&e, "store", "redis");
		add_next_index_zval(list, &e);
	}
	paylock_reply_free(r);
	return PAYLOCK_YES;
}

static paylock_status redis_force_release(paylock_store *s, zend_string *name, zval *out, paylock_error *err)
{
	paylock_redis_client *c = paylock_redis_store_client(s);
	char token[PAYLOCK_TOKEN_HEX + 1];
	zend_string *k[PAYLOCK_LUA_KEYS_PER_NAME];
	static const char *const suffix[PAYLOCK_LUA_KEYS_PER_NAME] = {"", ":q", ":w", ":g:", ":r:", ":g:"};
	const char *argv[3 + PAYLOCK_LUA_KEYS_PER_NAME + 5];
	size_t lens[3 + PAYLOCK_LUA_KEYS_PER_NAME + 5];
	const int argc = 3 + PAYLOCK_LUA_KEYS_PER_NAME + 5, head_at = 3 + PAYLOCK_LUA_KEYS_PER_NAME - 1;
	paylock_reply *r = NULL;
	paylock_status st = PAYLOCK_NO;

	if (paylock_token_new(token) == FAILURE) {
		paylock_error_set(err, PAYLOCK_ERR_STORE, "No random bytes for a token");
		return PAYLOCK_FAILED;
	}
	for (int i = 0; i < PAYLOCK_LUA_KEYS_PER_NAME; i++) {
		k[i] = lock_key(c, name, suffix[i]);
		/* own wake-up list and tombstone: our token; the head's list: room for its token */
		k[i] = zend_string_extend(k[i], ZSTR_LEN(k[i]) + (i >= 3 ? PAYLOCK_TOKEN_HEX : 0), 0);
		if (i == 3 || i == 4) {
			memcpy(ZSTR_VAL(k[i]) + ZSTR_LEN(k[i]) - PAYLOCK_TOKEN_HEX, token, PAYLOCK_TOKEN_HEX + 1);
		}
		argv[3 + i] = ZSTR_VAL(k[i]);
		lens[3 + i] = ZSTR_LEN(k[i]) - (i == 5 ? PAYLOCK_TOKEN_HEX : 0);
	}
	for (int i = 3 + PAYLOCK_LUA_KEYS_PER_NAME; i < argc - 1; i++) {
		argv[i] = "";
		lens[i] = 0;
	}
	argv[argc - 1] = PAYLOCK_REDIS_GRANT_MS;
	lens[argc - 1] = strlen(PAYLOCK_REDIS_GRANT_MS);
	/* The hand-off names the waiter whose wake-up list it needs (every key in KEYS); sent again with it. */
	for (int tries = 0; tries < PAYLOCK_REDIS_HANDOFF_TRIES; tries++) {
		size_t tlen = 0;
		const char *t;

		r = paylock_redis_eval(c, &force_script, PAYLOCK_LUA_KEYS_PER_NAME, argc, argv, lens, err);
		if (r == NULL || paylock_reply_kind(r) != PAYLOCK_REPLY_ARRAY || paylock_reply_count(r) != 3 ||
			paylock_reply_kind(paylock_reply_at(r, 0)) != PAYLOCK_REPLY_INTEGER) {
			break;
		}
		t = paylock_reply_str(paylock_reply_at(r, 2), &tlen);
		if (t == NULL || tlen != PAYLOCK_TOKEN_HEX) {
			break;
		}
		memcpy(ZSTR_VAL(k[5]) + ZSTR_LEN(k[5]) - PAYLOCK_TOKEN_HEX, t, PAYLOCK_TOKEN_HEX);
		lens[head_at] = ZSTR_LEN(k[5]);
		paylock_reply_free(r);
		r = NULL;
	}
	for (int i = 0; i < PAYLOCK_LUA_KEYS_PER_NAME; i++) {
		zend_string_release(k[i]);
	}
	if (r == NULL) {
		if (err->kind == PAYLOCK_ERR_NONE) {
			paylock_error_set(
				err, PAYLOCK_ERR_STORE,
				"The admin force-release at %s found a different waiter at the head of the queue "
				"%d times in a row; try again",
				c->where, PAYLOCK_REDIS_HANDOFF_TRIES);
		}
		return PAYLOCK_FAILED;
	}
	if (paylock_reply_kind(r) == PAYLOCK_REPLY_ARRAY && paylock_reply_count(r) == 2) {
		size_t len;
		const char *v = paylock_reply_str(paylock_reply_at(r, 0), &len);

		if (paylock_redis_describe_value(v, len, paylock_reply_int(paylock_reply_at(r, 1)), out) !=
			PAYLOCK_YES) {
			array_init(out); /* released all the same: a value PayLock did not write */
		}
		st = PAYLOCK_YES;
	} else if (paylock_reply_kind(r) != PAYLOCK_REPLY_NIL) {
		paylock_reply_free(r);
		return paylock_redis_bad_reply(c, "the admin force-release script", err);
	}
	paylock_reply_free(r);
	return st;
}

/* A record key is p:<guard prefix>...{key}; its wake list ends in ":w". */
static bool is_record_key(const paylock_redis_client *c, const char *k, size_t len)
{
	return len > ZSTR_LEN(c->prefix) && k[len - 1] == '}';
}

static int64_t int_field(const paylock_reply *r)
{
	size_t len;

	if (paylock_reply_kind(r) == PAYLOCK_REPLY_INTEGER) {
		return (int64_t)paylock_reply_int(r);
	}
	if (paylock_reply_kind(r) != PAYLOCK_REPLY_STRING) {
		return -1;
	}
	return (int64_t)ZEND_STRTOL(paylock_reply_str(r, &len), NULL, 10);
}

static void add_records(const paylock_redis_client *c, const paylock_admin_page *pg, zval *keys,
						const paylock_reply *r, zval *list)
{
	long long now = paylock_reply_int(paylock_reply_at(r, 0));
	uint32_t i = 0;
	zval *k;

	ZEND_HASH_FOREACH_VAL(Z_ARRVAL_P(keys), k) {
		const paylock_reply *f = paylock_reply_at(r, 1 + 6 * i);
		size_t len;
		const char *type = paylock_reply_str(f, &len), *state;
		char s;
		int64_t attempt, lease_end, done_at;
		double age;

		i++;
		if (len != 4 || memcmp(type, "hash", 4) != 0) {
			continue; /* gone since SCAN saw it, or a key of another program */
		}
		state = paylock_reply_kind(paylock_reply_at(r, 6 * i - 4)) == PAYLOCK_REPLY_STRING
					? paylock_reply_str(paylock_reply_at(r, 6 * i - 4), &len)
					: "?";
		s = len == 1 ? state[0] : '?';
		attempt = int_field(paylock_reply_at(r, 6 * i - 3));
		lease_end = int_field(paylock_reply_at(r, 6 * i - 2));
		done_at = int_field(paylock_reply_at(r, 6 * i - 1));
		/* attempts are floored by the claim time in us: the claim's age while no completion time exists */
		age = done_at > 0   ? (now - done_at) / 1000.0
			  : attempt > 0 ? MAX(0, (now * 1000.0 - attempt) / 1e6)
							: -1;
		paylock_admin_add_record(list, pg->prefix, Z_STRVAL_P(k) + ZSTR_LEN(c->prefix),
								 Z_STRLEN_P(k) - ZSTR_LEN(c->prefix), Z_STRVAL_P(k),
								 paylock_admin_state_name(s, lease_end > now), attempt,
								 s == 'r' && lease_end > now ? (lease_end - now) / 1000.0 : -1, age,
								 int_field(paylock_reply_at(r, 6 * i)) > 0);
	}
	ZEND_HASH_FOREACH_END();
}

static paylock_status describe_records(paylock_redis_client *c, const paylock_admin_page *pg, zval *keys,
									   zval *list, paylock_error *err)
{
	zval *k;
	uint32_t n = zend_hash_num_elements(Z_ARRVAL_P(keys));
	const char **argv;
	size_t *lens;
	int argc = 3;
	paylock_reply *r;
	paylock_status st;

	argv = safe_emalloc(3 + n, sizeof(char *), 0);
	lens = safe_emalloc(3 + n, sizeof(size_t), 0);
	ZEND_HASH_FOREACH_VAL(Z_ARRVAL_P(keys), k) {
		argv[argc] = Z_STRVAL_P(k);
		lens[argc++] = Z_STRLEN_P(k);
	}
	ZEND_HASH_FOREACH_END();
	r = paylock_redis_eval(c, &records_script, (int)n, argc, argv, lens, err);
	st = PAYLOCK_FAILED;
	if (r != NULL && paylock_reply_count(r) != 1 + 6 * n) {
		paylock_reply_free(r);
		paylock_redis_bad_reply(c, "the admin records script", err);
	} else if (r != NULL) {
		add_records(c, pg, keys, r, list);
		paylock_reply_free(r);
		st = PAYLOCK_YES;
	}
	efree(argv);
	efree(lens);
	return st;
}

static paylock_status redis_records(paylock_store *s, const paylock_admin_page *pg, zval *list,
									zend_string **next, paylock_error *err)
{
	return list_page(s, pg, false, is_record_key, describe_records, list, next, err);
}

const paylock_admin_ops paylock_redis_admin_ops = {
	.locks = redis_locks,
	.queue = redis_queue,
	.force_release = redis_force_release,
	.records = redis_records,
};

void paylock_redis_admin_minit(void)
{
	paylock_script_init(&locks_script, PAYLOCK_LUA_ADMIN_LOCKS);
	paylock_script_init(&queue_script, PAYLOCK_LUA_ADMIN_QUEUE);
	paylock_script_init(&force_script, PAYLOCK_LUA_ADMIN_FORCE);
	paylock_script_init(&records_script, PAYLOCK_LUA_ADMIN_RECORDS);
}
