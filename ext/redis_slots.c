/* RedisStore on a Redis Cluster: the names of one MultiLock grouped by hash slot, so each script call
 * stays on one node. Groups are in ascending slot order (every caller takes shared slots in the same
 * order); within a group the names keep their sorted order. A standalone server, Sentinel, or names
 * that share one slot make one group, and then nothing here runs: the call is the one it always was. */
#include "php_paylock.h"
#include "redis_store_internal.h"
#include "redis_router.h"
#include "redis_slot.h"

typedef struct {
	uint16_t slot;
	uint32_t at; /* index in the caller's array */
} slot_of_name;

static int by_slot(const void *a, const void *b)
{
	const slot_of_name *x = a, *y = b;

	if (x->slot != y->slot) {
		return x->slot < y->slot ? -1 : 1;
	}
	return x->at < y->at ? -1 : x->at > y->at;
}

bool paylock_redis_slot_groups(const paylock_redis_client *c, const paylock_lock_state *l, uint32_t n,
							   paylock_slot_groups *out)
{
	char key[PAYLOCK_REDIS_KEY_MAX];
	slot_of_name *s;
	uint32_t i, g;

	if (n < 2 || !paylock_router_slotted(c)) {
		return false;
	}
	s = safe_emalloc(n, sizeof(*s), 0);
	for (i = 0; i < n; i++) {
		s[i].slot = paylock_redis_key_slot(key, paylock_redis_lock_key(c, l[i].name, key));
		s[i].at = i;
	}
	qsort(s, n, sizeof(*s), by_slot);
	if (s[0].slot == s[n - 1].slot) {
		efree(s);
		return false;
	}
	out->n = n;
	out->l = safe_emalloc(n, sizeof(paylock_lock_state), 0);
	out->start = safe_emalloc(n + 1, sizeof(uint32_t), 0);
	for (i = 0, g = 0; i < n; i++) {
		out->l[i] = l[s[i].at]; /* a shallow copy: name and token are what a call reads */
		memcpy(out->l[i].token, l[0].token, sizeof(out->l[i].token));
		out->l[i].priv = NULL; /* the one-trip hand-off state: never used across slots */
		if (i == 0 || s[i].slot != s[i - 1].slot) {
			out->start[g++] = i;
		}
	}
	out->start[g] = n;
	out->ngroups = g;
	efree(s);
	return true;
}

void paylock_redis_slot_groups_free(paylock_slot_groups *sg)
{
	efree(sg->l);
	efree(sg->start);
}

/* FAILED (the first error kept) over NO over YES. */
static paylock_status worse(paylock_status have, paylock_status st)
{
	if (have == PAYLOCK_FAILED || st == PAYLOCK_FAILED) {
		return PAYLOCK_FAILED;
	}
	return have == PAYLOCK_NO || st == PAYLOCK_NO ? PAYLOCK_NO : PAYLOCK_YES;
}

paylock_status paylock_redis_each_group(const paylock_slot_groups *sg, paylock_group_op op, void *ctx,
										paylock_error *err)
{
	paylock_status st = PAYLOCK_YES;
	uint32_t g;

	for (g = 0; g < sg->ngroups; g++) {
		paylock_error later = {0};
		paylock_status one = op(ctx, sg->l + sg->start[g], sg->start[g + 1] - sg->start[g],
								st == PAYLOCK_FAILED ? &later : err);

		st = worse(st, one); /* every group is done: a release or refresh of the others still counts */
	}
	return st;
}

/* ---- the ops over slot groups: one call per group, every group done ---- */

static paylock_status release_group(void *s, paylock_lock_state *l, uint32_t n, paylock_error *err)
{
	return paylock_redis_release(s, l, n, err);
}

static paylock_status check_group(void *s, paylock_lock_state *l, uint32_t n, paylock_error *err)
{
	return paylock_redis_check(s, l, n, err);
}

typedef struct {
	paylock_store *s;
	int64_t ttl_ms;
} refresh_ctx;

static paylock_status refresh_group(void *ctx, paylock_lock_state *l, uint32_t n, paylock_error *err)
{
	const refresh_ctx *r = ctx;

	return paylock_redis_refresh(r->s, l, n, r->ttl_ms, err);
}

/* op over l's names: once for all when one call can carry them, else once per slot group. */
static paylock_status per_group(paylock_store *s, paylock_lock_state *l, uint32_t n, paylock_group_op op,
								void *ctx, paylock_error *err)
{
	paylock_slot_groups sg;
	paylock_status st;

	if (!paylock_redis_slot_groups(paylock_redis_store_client(s), l, n, &sg)) {
		return op(ctx, l, n, err);
	}
	st = paylock_redis_each_group(&sg, op, ctx, err);
	paylock_redis_slot_groups_free(&sg);
	return st;
}

paylock_status paylock_redis_release_slots(paylock_store *s, paylock_lock_state *l, uint32_t n,
										   paylock_error *err)
{
	return per_group(s, l, n, release_group, s, err);
}

paylock_status paylock_redis_refresh_slots(paylock_store *s, paylock_lock_state *l, uint32_t n,
										   int64_t ttl_ms, paylock_error *err)
{
	refresh_ctx ctx = {s, ttl_ms};

	return per_group(s, l, n, refresh_group, &ctx, err);
}

paylock_status paylock_redis_check_slots(paylock_store *s, paylock_lock_state *l, uint32_t n,
										 paylock_error *err)
{
	return per_group(s, l, n, check_group, s, err);
}
