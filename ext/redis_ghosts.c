/* RedisStore: acquires of unknown outcome ("ghosts"). An acquire whose command may have run but whose
 * reply never came is undone by token (the leave script) before the failure is reported; when Redis
 * does not answer that either, the token is remembered per process and undone before the next operation
 * on that server, and at request end at the latest. */
#include "php_paylock.h"
#include "redis_store.h"
#include "redis_store_internal.h"

static paylock_script leave_script;

/* What an acquire that may have taken or queued for names (its reply never came) left to undo. */
typedef struct {
	zend_object *store; /* the RedisStore, addref'd */
	paylock_lock_state *l;
	uint32_t n;
} paylock_ghost;

static paylock_redis_store *ghost_store(const paylock_ghost *g)
{
	return paylock_redis_store_from_obj(g->store);
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

typedef struct {
	paylock_redis_client *c;
	bool by_body;
} leave_ctx;

static paylock_status leave_group(void *ctx, paylock_lock_state *l, uint32_t n, paylock_error *err)
{
	const leave_ctx *x = ctx;

	return paylock_redis_run_leave(x->c, l, n, x->by_body, err);
}

/* The leave script for one token over n names (one call per slot group on a cluster). By body (EVAL) on
 * the failure path: a command that reaches a stalled Redis then still runs when it wakes, after the
 * acquire it undoes (sent earlier). */
paylock_status paylock_redis_run_leave(paylock_redis_client *c, const paylock_lock_state *l, uint32_t n,
									   bool by_body, paylock_error *err)
{
	paylock_lock_call lc;
	paylock_reply *r;
	paylock_slot_groups sg;

	if (paylock_redis_slot_groups(c, l, n, &sg)) {
		leave_ctx ctx = {c, by_body};
		paylock_status st = paylock_redis_each_group(&sg, leave_group, &ctx, err);

		paylock_redis_slot_groups_free(&sg);
		return st;
	}
	paylock_redis_call_init(&lc, c, l, n, KEYS_PER_NAME, 5);
	paylock_redis_call_arg(&lc, l[0].token, PAYLOCK_TOKEN_HEX);
	paylock_redis_call_arg(&lc, "", 0);
	paylock_redis_call_arg(&lc, "", 0);
	paylock_redis_call_arg(&lc, "", 0);
	paylock_redis_call_arg(&lc, GRANT_MS, strlen(GRANT_MS));
	r = paylock_redis_eval_handing_on(c, &leave_script, "the leave script", &lc, by_body, NULL, err);
	paylock_redis_call_free(&lc);
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
void paylock_redis_undo_acquire(paylock_redis_store *rs, const paylock_lock_state *l, uint32_t n)
{
	paylock_error ignored = {0};

	if (paylock_redis_run_leave(&rs->client, l, n, true, &ignored) == PAYLOCK_FAILED) {
		ghost_add(rs, l, n);
	}
}

/* Before an operation on c's server: undoes what earlier acquires there may have left. A connection
 * failure is returned (the operation would meet it too); anything else drops the entry. */
paylock_status paylock_redis_ghosts_flush(const paylock_redis_client *c, paylock_error *err)
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
		if (paylock_redis_run_leave(gc, g->l, g->n, false, err) == PAYLOCK_FAILED &&
			err->kind == PAYLOCK_ERR_CONNECTION) {
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
			paylock_redis_run_leave(gc, g->l, g->n, false, &ignored) == PAYLOCK_FAILED &&
			ignored.kind == PAYLOCK_ERR_CONNECTION) {
			zend_hash_add_empty_element(&down, gc->pool_key);
		}
	}
	ZEND_HASH_FOREACH_END();
	zend_hash_destroy(&down);
	zend_hash_destroy(ht);
	paylock_redis_pending_rshutdown();
}

void paylock_redis_ghosts_minit(void)
{
	paylock_script_init(&leave_script, PAYLOCK_LUA_LEAVE);
}
