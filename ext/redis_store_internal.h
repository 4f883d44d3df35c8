/* What RedisStore's lock files share, and nothing else includes. One concern per file, dependencies
 * pointing one way (each file uses the ones above it):
 *   redis_lock_call.c  key naming, one call over n names, the hand-off scripts' ask-for-head retry
 *   redis_ghosts.c     acquires of unknown outcome, undone by token (leave script)
 *   redis_handoff.c    the hand-off mode, and the woken side of the one-trip hand-off
 *   redis_acquire.c    acquire: SET NX, the acquire script, queueing and waiting
 *   redis_release.c    release, refresh, check
 *   redis_slots.c      a MultiLock's names grouped by cluster slot; release, refresh, check per group
 *   redis_acquire_slots.c  acquire of a MultiLock across cluster slots
 *   redis_inspect.c    fencing tokens, holder()
 *   redis_store.c      the class, its ops table, construction */
#ifndef PAYLOCK_REDIS_STORE_INTERNAL_H
#define PAYLOCK_REDIS_STORE_INTERNAL_H

#include "redis_internal.h"
#include "redis_conn.h"
#include "redis_replicas.h"
#include "lua_limits.h"
#include "lua_scripts.h"

#define GRANT_MS      PAYLOCK_REDIS_GRANT_MS
#define HEARTBEAT_MS  250  /* a waiter looks again (and renews its place) at least this often */
#define ENTRY_LIFE_MS 1000 /* a waiter not heard of for this long is skipped (Redis timer tick, slack) */
#define KEYS_PER_NAME PAYLOCK_LUA_KEYS_PER_NAME /* lock, queue, waiters, own wake-up, tombstone, head's */

#define KEY_SUFFIX_MAX (3 + PAYLOCK_TOKEN_HEX) /* ":g:<token>" */

#define HEAD_KEY (KEYS_PER_NAME - 1) /* the queue head's wake-up list, ":g:" until a script names it */

static inline paylock_redis_store *paylock_redis_store_from_obj(zend_object *obj)
{
	return (paylock_redis_store *)((char *)obj - XtOffsetOf(paylock_redis_store, std));
}

/* ---- redis_lock_call.c ---- */

/* One command or script call over n locks: argv[0..2] for EVALSHA, then `per_name` keys per lock
 * (lock; or the KEYS_PER_NAME keys of ext/lua/lib/queue.lua), then up to `nargs` script arguments. */
typedef struct {
	const char **argv;
	size_t *lens;
	int argc; /* filled so far */
	int nkeys;
	int per_name;
	char *buf; /* the keys' bytes */
} paylock_lock_call;

/* "<prefix>{<name>}" into out (PAYLOCK_REDIS_KEY_MAX bytes); its length. */
size_t paylock_redis_lock_key(const paylock_redis_client *c, const zend_string *name, char *out);
/* What the j-th key of a name appends to the lock key (token: the caller's); its length. */
size_t paylock_redis_key_suffix(int j, const paylock_lock_state *l, char *out);
/* The keys of l[0..n-1] (per_name of them each, named with l[0]'s token), room for nargs arguments. */
void paylock_redis_call_init(paylock_lock_call *lc, const paylock_redis_client *c,
							 const paylock_lock_state *l, uint32_t n, int per_name, int nargs);
void paylock_redis_call_arg(paylock_lock_call *lc, const char *v, size_t len);
void paylock_redis_call_free(paylock_lock_call *lc);
/* Declares t's wake-up list as name i's HEAD_KEY (i from 0). */
void paylock_redis_head_declare(paylock_lock_call *lc, uint32_t i, const char *t);
/* Runs a hand-off script (acquire, release, leave) until it no longer asks for a waiter's wake-up list:
 * its reply, or NULL with err. by_body: EVAL (failure paths); ack: with the replicas' WAIT. */
paylock_reply *paylock_redis_eval_handing_on(paylock_redis_client *c, paylock_script *sc, const char *what,
											 paylock_lock_call *lc, bool by_body, paylock_ack *ack,
											 paylock_error *err);
/* Runs a script whose reply counts the names that were ours: YES when all n were. */
paylock_status paylock_redis_eval_all_ours(paylock_redis_client *c, paylock_script *sc, const char *what,
										   paylock_lock_call *lc, uint32_t n, paylock_ack *ack,
										   paylock_error *err);

/* ---- redis_ghosts.c ---- */

/* The leave script for l[0]'s token over n names: removes a hold, a grant or a queue place of it. */
paylock_status paylock_redis_run_leave(paylock_redis_client *c, const paylock_lock_state *l, uint32_t n,
									   bool by_body, paylock_error *err);
/* After a failure whose outcome is unknown: undo it now on a fresh connection, else remember it. */
void paylock_redis_undo_acquire(paylock_redis_store *rs, const paylock_lock_state *l, uint32_t n);
/* Before an operation on c's server: undoes what earlier acquires there may have left (FAILED: a
 * connection failure, which the operation would meet too). */
paylock_status paylock_redis_ghosts_flush(const paylock_redis_client *c, paylock_error *err);
void paylock_redis_ghosts_minit(void);

/* ---- redis_handoff.c ---- */

/* How a woken waiter comes to hold a lock handed to it: the one decision, made in one place. */
typedef enum {
	PAYLOCK_HANDOFF_ONE_TRIP, /* it holds the lock when woken; its lease extension is pipelined */
	PAYLOCK_HANDOFF_TWO_TRIP, /* its next acquire script call takes the grant */
} paylock_handoff_mode;
paylock_handoff_mode paylock_redis_handoff_mode(const paylock_redis_client *c, uint32_t n);

/* ---- redis_slots.c ---- */

/* The names of one call grouped by hash slot (Redis Cluster): group g is l[start[g] .. start[g + 1]),
 * groups in ascending slot order. l holds copies of the caller's states (same names and token). */
typedef struct {
	paylock_lock_state *l;
	uint32_t n;
	uint32_t ngroups;
	uint32_t *start;
} paylock_slot_groups;

/* false (nothing allocated) when one call can carry all n names: not a cluster, or one slot. */
bool paylock_redis_slot_groups(const paylock_redis_client *c, const paylock_lock_state *l, uint32_t n,
							   paylock_slot_groups *out);
void paylock_redis_slot_groups_free(paylock_slot_groups *sg);
/* Runs op on every group (all of them, whatever one returns): FAILED (the first error) over NO over YES. */
typedef paylock_status (*paylock_group_op)(void *ctx, paylock_lock_state *l, uint32_t n, paylock_error *err);
paylock_status paylock_redis_each_group(const paylock_slot_groups *sg, paylock_group_op op, void *ctx,
										paylock_error *err);

/* ---- redis_acquire.c (what redis_acquire_slots.c uses too) ---- */

/* What an acquire script call may do besides taking the locks (ARGV[3] is the digit). */
typedef enum {
	MODE_TRY = 0,   /* one try: do not queue */
	MODE_QUEUE = 1, /* wait: join (or stay in) the queue of the first busy name */
	MODE_LEAVE = 2, /* the wait is over: a last try, then leave every queue */
	MODE_GROUP = 3, /* MODE_QUEUE for one slot group of a cross-slot MultiLock: grants are "=<token>" */
} acquire_mode;

/* One acquire script call. YES taken (*handoff, unless NULL, set when a release had handed it to us and
 * its wake-up was not popped; never cleared); NO busy: *busy is the first busy name, *holder_ms its PTTL. */
paylock_status paylock_redis_run_acquire(paylock_redis_client *c, paylock_lock_call *lc, acquire_mode mode,
										 const char *life, uint32_t *busy, long long *holder_ms,
										 bool *handoff, paylock_ack *ack, paylock_error *err);
/* How long to block before looking again (*wake_ns: the holder's lease end, kept client-side). */
double paylock_redis_block_seconds(uint64_t now, uint64_t deadline_ns, long long holder_ms,
								   uint64_t *wake_ns);
/* A failure a waiter rides out until its deadline: Redis restarting, stalled, or our socket killed. */
bool paylock_redis_worth_retrying(const paylock_error *err, uint64_t deadline_ns);

/* ---- redis_acquire_slots.c ---- */

/* Waits until every group of sg is ours (YES), the deadline passes (NO) or Redis fails (FAILED). It never
 * holds a name while it blocks. *may_hold: something of ours may be left (the caller undoes it). */
paylock_status paylock_redis_queue_slots(paylock_redis_client *c, const paylock_slot_groups *sg,
										 const char *mine, size_t mine_len, const char *ttl, size_t ttl_len,
										 uint64_t deadline_ns, paylock_acquire_info *info, bool *may_hold,
										 paylock_ack *ack, paylock_error *err);

/* ---- the ops (redis_acquire.c, redis_release.c, redis_inspect.c) ---- */

paylock_status paylock_redis_acquire(paylock_store *s, paylock_lock_state *l, uint32_t n, int64_t ttl_ms,
									 uint64_t deadline_ns, paylock_acquire_info *info, paylock_error *err);
void paylock_redis_acquire_minit(void);
paylock_status paylock_redis_release(paylock_store *s, paylock_lock_state *l, uint32_t n, paylock_error *err);
paylock_status paylock_redis_refresh(paylock_store *s, paylock_lock_state *l, uint32_t n, int64_t ttl_ms,
									 paylock_error *err);
paylock_status paylock_redis_check(paylock_store *s, paylock_lock_state *l, uint32_t n, paylock_error *err);
void paylock_redis_release_minit(void);
paylock_status paylock_redis_fence_above(paylock_store *s, paylock_lock_state *l, int64_t floor,
										 paylock_error *err);
paylock_status paylock_redis_fence(paylock_store *s, paylock_lock_state *l, paylock_error *err);
paylock_status paylock_redis_holder(paylock_store *s, zend_string *name, zval *out, paylock_error *err);
void paylock_redis_inspect_minit(void);
/* release, refresh and check over the slot groups of a cross-slot MultiLock (redis_slots.c), else the above.
 */
paylock_status paylock_redis_release_slots(paylock_store *s, paylock_lock_state *l, uint32_t n,
										   paylock_error *err);
paylock_status paylock_redis_refresh_slots(paylock_store *s, paylock_lock_state *l, uint32_t n,
										   int64_t ttl_ms, paylock_error *err);
paylock_status paylock_redis_check_slots(paylock_store *s, paylock_lock_state *l, uint32_t n,
										 paylock_error *err);

#endif
