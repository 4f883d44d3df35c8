/* What the FallbackStore sources (fallback_*.c) share: the store, its per-lock and per-claim state, and
 * the functions one of them calls in another. Not for other files: their interface is fallback_store.h. */
#ifndef PAYLOCK_FALLBACK_INTERNAL_H
#define PAYLOCK_FALLBACK_INTERNAL_H

#include "php_paylock.h"
#include "store.h"

typedef struct {
	paylock_store base;     /* first: see paylock_store_from_obj() */
	zend_object *redis_obj; /* addref'd */
	zend_object *file_obj;  /* addref'd */
	paylock_store *redis;
	paylock_store *file;
	bool fail_when_down; /* on_redis_down => 'fail' */
	zend_object std;
} paylock_fallback_store;

static inline paylock_fallback_store *fallback_from_obj(zend_object *obj)
{
	return (paylock_fallback_store *)((char *)obj - XtOffsetOf(paylock_fallback_store, std));
}

enum { LOCAL = 0, REMOTE = 1 };

typedef struct {
	void *part[2]; /* LOCAL's and REMOTE's own state for this lock */
	bool degraded; /* held on the local lock only */
} fb_lock;

typedef struct {
	void *part[2];
	bool degraded;    /* claimed on the local record only */
	bool wait_remote; /* the running owner is on another host: wait on the remote store */
} fb_claim;

/* A call into one part over l[0..n): its states are lent to l[i].priv meanwhile. */
typedef struct {
	paylock_lock_state *l;
	uint32_t n;
	int part;
	fb_lock *one;
	fb_lock **all;
} fb_lend;

/* ---- fallback_parts.c: the two parts, composed through their ops tables only ---- */
/* FallbackStore's state of a lock (made on first use). */
fb_lock *paylock_fb_lock_of(paylock_lock_state *l);
/* Lends part's own states of l[0..n) to l[i].priv for a call into that part; take_back ends it. */
void paylock_fb_lend(fb_lend *w, paylock_lock_state *l, uint32_t n, int part);
void paylock_fb_take_back(fb_lend *w);
/* The lock ops of one part (LOCAL or REMOTE), its states lent for the call. */
paylock_status paylock_fb_part_acquire(paylock_fallback_store *fb, int part, paylock_lock_state *l,
									   uint32_t n, int64_t ttl_ms, uint64_t deadline_ns,
									   paylock_acquire_info *info, paylock_error *err);
paylock_status paylock_fb_part_release(paylock_fallback_store *fb, int part, paylock_lock_state *l,
									   uint32_t n, paylock_error *err);
paylock_status paylock_fb_part_refresh(paylock_fallback_store *fb, int part, paylock_lock_state *l,
									   uint32_t n, int64_t ttl_ms, paylock_error *err);
paylock_status paylock_fb_part_check(paylock_fallback_store *fb, int part, paylock_lock_state *l, uint32_t n,
									 paylock_error *err);
paylock_status paylock_fb_part_fence(paylock_fallback_store *fb, int part, paylock_lock_state *l,
									 paylock_error *err);
/* The local part holds the lock (not bypassed). */
bool paylock_fb_held_locally(paylock_fallback_store *fb, paylock_lock_state *l);
/* The store ops: both parts' states dropped after a fork or freed; the degraded flag. */
void paylock_fb_state_drop(paylock_store *s, paylock_lock_state *l, uint32_t n);
void paylock_fb_state_free(paylock_store *s, paylock_lock_state *l, uint32_t n);
bool paylock_fb_op_is_degraded(paylock_store *s, const paylock_lock_state *l);
bool paylock_fb_is_degraded(paylock_lock_state *l);
/* FallbackStore's state of a claim (made on first use), and the idempotency ops of one part. */
fb_claim *paylock_fb_claim_of(paylock_idem_req *r);
paylock_status paylock_fb_part_claim(paylock_fallback_store *fb, int part, paylock_idem_req *r,
									 bool register_wait, paylock_idem_outcome *out, paylock_error *err);
paylock_status paylock_fb_part_wait(paylock_fallback_store *fb, int part, paylock_idem_req *r,
									uint64_t deadline_ns, int64_t lease_left_ms, paylock_error *err);
paylock_status paylock_fb_part_complete(paylock_fallback_store *fb, int part, paylock_idem_req *r,
										const zend_string *result, paylock_error *err);
paylock_status paylock_fb_part_abandon(paylock_fallback_store *fb, int part, paylock_idem_req *r,
									   bool outcome_unknown, paylock_error *err);
paylock_status paylock_fb_part_forget(paylock_fallback_store *fb, int part, paylock_idem_req *r,
									  paylock_error *err);
paylock_status paylock_fb_part_mark(paylock_fallback_store *fb, int part, paylock_idem_req *r,
									paylock_idem_mark how, paylock_error *err);
paylock_status paylock_fb_part_idem_refresh(paylock_fallback_store *fb, int part, paylock_idem_req *r,
											int64_t lease_ms, paylock_error *err);
/* The store ops: both parts' claim states dropped after a fork or freed. */
void paylock_fb_req_drop(paylock_store *s, paylock_idem_req *r);
void paylock_fb_req_free(paylock_store *s, paylock_idem_req *r);

/* ---- fallback_degrade.c: when to degrade, and the local lock following the Redis lease ---- */
/* Redis is down (not merely answering "no"), and this store is allowed to carry on without it. */
bool paylock_fb_may_degrade(const paylock_fallback_store *fb, paylock_status rc, const paylock_error *err);
/* Counts a switch to local-only operation; warns once per request, and again at most once a minute. */
void paylock_fb_note_degraded(const paylock_error *why);
/* Marks the lock set degraded (held on the local lock only) and notes it. */
void paylock_fb_degrade(paylock_lock_state *l, uint32_t n, const paylock_error *why);
/* Writes the local note same-host waiters read: 'P' asking Redis, 'R' + lease end, 'D' degraded. */
void paylock_fb_note(paylock_fallback_store *fb, paylock_lock_state *l, uint32_t n, char kind,
					 int64_t ttl_ms);
/* Our Redis lease is (about to be) over by the mark same-host waiters read: one of them may hold the lock
 * on Redis by now, so an unreachable Redis must not turn our hold into a degraded one (two holders on this
 * host). Only single names are ever bypassed. */
bool paylock_fb_own_lease_over(paylock_fallback_store *fb, paylock_lock_state *l, uint32_t n);
/* Redis cannot be asked and our lease is over: the lock counts as lost, never as degraded. */
paylock_status paylock_fb_lost_with_lease(paylock_error *err);
/* Held on Redis alone: taken past a local holder whose lease had ended. */
bool paylock_fb_redis_only(paylock_fallback_store *fb, paylock_lock_state *l);
/* The local lock of a single name, waited for in slices: when the local holder's Redis lease ends
 * before our deadline, we go to Redis without it (*bypass), but not before look_from_ns. YES: local lock
 * held; NO: busy until deadline_ns, or *bypass. */
paylock_status paylock_fb_local_or_bypass(paylock_fallback_store *fb, paylock_lock_state *l,
										  uint64_t deadline_ns, uint64_t look_from_ns,
										  paylock_acquire_info *info, bool *bypass, paylock_error *err);
/* Redis takes care of the exclusion, and the notice that Redis is back may throw: then take nothing. */
paylock_status paylock_fb_redis_taken(paylock_fallback_store *fb, paylock_lock_state *l, uint32_t n,
									  bool local, paylock_error *err);
/* Redis alone, past a local holder whose lease ended. A Redis that cannot be reached means waiting for
 * the local lock again (without it we must not degrade); *retry_local then says time is left. */
paylock_status paylock_fb_acquire_bypassing(paylock_fallback_store *fb, paylock_lock_state *l, int64_t ttl_ms,
											uint64_t deadline_ns, paylock_acquire_info *info,
											paylock_error *err, bool *retry_local);

/* ---- fallback_lock.c: the lock ops ---- */
/* FallbackStore's ops table (its idempotency ops in fallback_idem.c). */
extern const paylock_store_ops paylock_fallback_ops;

/* ---- fallback_idem.c: the idempotency ops ---- */
extern const paylock_idem_ops paylock_fallback_idem_ops;

#endif
