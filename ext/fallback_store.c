/* FallbackStore: every lock is taken on the local file first (processes of one host queue in the
 * kernel, and only one per host contends on Redis), then on Redis. When Redis cannot be reached the lock
 * proceeds on the local file alone ("degraded"): an E_WARNING (once per request, again at most once a
 * minute in a long-running process, and a notice once Redis is back), stats()['degraded'], and
 * Lock::isDegraded(). Each acquire tries Redis again, so nothing stays degraded once Redis is back.
 *
 * The local lock follows the Redis lease: its holder writes what it holds into the lock file (at
 * the local store's note, which FileStore keeps past its holder line): "P" while it asks Redis, "R<lease end,
 * unix ms>" once Redis granted it, "D" when degraded. A same-host waiter that finds the local lock busy under
 * an "R" whose lease has ended goes to Redis without the local lock: Redis still excludes (the old holder's
 * key is gone or it is another holder's), so two processes never both hold the Redis lock, and a degraded
 * holder ("D", or "P" before it knows) is never bypassed. */
#include "php_paylock.h"
#include "fallback_store.h"
#include "events.h"
#include "file_store.h"
#include "redis_store.h"
#include "fs_trust.h"
#include "zend_exceptions.h"

static zend_class_entry *fallback_ce;
static zend_object_handlers fallback_handlers;

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

/* ---- the two parts, composed through their ops tables only ----
 * Each part keeps its own state per lock and per claim; FallbackStore's state holds both and lends the
 * part's one to l[i].priv (r->priv) for the length of a call into that part. */

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

static paylock_store *part_of(paylock_fallback_store *fb, int part)
{
	return part == LOCAL ? fb->file : fb->redis;
}

static fb_lock *fb_lock_of(paylock_lock_state *l)
{
	if (l->priv == NULL) {
		l->priv = ecalloc(1, sizeof(fb_lock));
	}
	return l->priv;
}

/* A call into one part over l[0..n): its states are lent to l[i].priv meanwhile. */
typedef struct {
	paylock_lock_state *l;
	uint32_t n;
	int part;
	fb_lock *one;
	fb_lock **all;
} fb_lend;

static void lend(fb_lend *w, paylock_lock_state *l, uint32_t n, int part)
{
	w->l = l;
	w->n = n;
	w->part = part;
	w->all = n == 1 ? &w->one : safe_emalloc(n, sizeof(fb_lock *), 0);
	for (uint32_t i = 0; i < n; i++) {
		w->all[i] = fb_lock_of(&l[i]);
		l[i].priv = w->all[i]->part[part];
	}
}

static void take_back(fb_lend *w)
{
	for (uint32_t i = 0; i < w->n; i++) {
		w->all[i]->part[w->part] = w->l[i].priv;
		w->l[i].priv = w->all[i];
	}
	if (w->all != &w->one) {
		efree(w->all);
	}
}

static paylock_status part_acquire(paylock_fallback_store *fb, int part, paylock_lock_state *l, uint32_t n,
								   int64_t ttl_ms, uint64_t deadline_ns, paylock_acquire_info *info,
								   paylock_error *err)
{
	paylock_store *p = part_of(fb, part);
	paylock_status rc;
	fb_lend w;

	lend(&w, l, n, part);
	rc = p->ops->acquire(p, l, n, ttl_ms, deadline_ns, info, err);
	take_back(&w);
	return rc;
}

static paylock_status part_release(paylock_fallback_store *fb, int part, paylock_lock_state *l, uint32_t n,
								   paylock_error *err)
{
	paylock_store *p = part_of(fb, part);
	paylock_status rc;
	fb_lend w;

	lend(&w, l, n, part);
	rc = p->ops->release(p, l, n, err);
	take_back(&w);
	return rc;
}

static paylock_status part_refresh(paylock_fallback_store *fb, int part, paylock_lock_state *l, uint32_t n,
								   int64_t ttl_ms, paylock_error *err)
{
	paylock_store *p = part_of(fb, part);
	paylock_status rc;
	fb_lend w;

	lend(&w, l, n, part);
	rc = p->ops->refresh(p, l, n, ttl_ms, err);
	take_back(&w);
	return rc;
}

static paylock_status part_check(paylock_fallback_store *fb, int part, paylock_lock_state *l, uint32_t n,
								 paylock_error *err)
{
	paylock_store *p = part_of(fb, part);
	paylock_status rc;
	fb_lend w;

	lend(&w, l, n, part);
	rc = p->ops->check(p, l, n, err);
	take_back(&w);
	return rc;
}

static paylock_status part_fence(paylock_fallback_store *fb, int part, paylock_lock_state *l,
								 paylock_error *err)
{
	paylock_store *p = part_of(fb, part);
	paylock_status rc = PAYLOCK_YES;
	fb_lend w;

	lend(&w, l, 1, part);
	if (p->ops->fence) {
		rc = p->ops->fence(p, l, err);
	}
	take_back(&w);
	return rc;
}

static bool held_locally(paylock_fallback_store *fb, paylock_lock_state *l)
{
	bool held;
	fb_lend w;

	lend(&w, l, 1, LOCAL);
	held = fb->file->ops->local->holds(l);
	take_back(&w);
	return held;
}

static void fallback_state_drop(paylock_store *s, paylock_lock_state *l, uint32_t n)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;

	for (int part = LOCAL; part <= REMOTE; part++) {
		paylock_store *p = part_of(fb, part);
		fb_lend w;

		if (p->ops->state_drop) {
			lend(&w, l, n, part);
			p->ops->state_drop(p, l, n);
			take_back(&w);
		}
	}
}

static void fallback_state_free(paylock_store *s, paylock_lock_state *l, uint32_t n)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;

	for (int part = LOCAL; part <= REMOTE; part++) {
		paylock_store *p = part_of(fb, part);
		fb_lend w;

		if (p->ops->state_free) {
			lend(&w, l, n, part);
			p->ops->state_free(p, l, n);
			take_back(&w);
		}
	}
	for (uint32_t i = 0; i < n; i++) {
		if (l[i].priv) {
			efree(l[i].priv);
			l[i].priv = NULL;
		}
	}
}

static bool fallback_is_degraded(paylock_store *s, const paylock_lock_state *l)
{
	(void)s;
	return l->priv && ((const fb_lock *)l->priv)->degraded;
}

static bool is_degraded(paylock_lock_state *l)
{
	return fb_lock_of(l)->degraded;
}

static fb_claim *fb_claim_of(paylock_idem_req *r)
{
	if (r->priv == NULL) {
		r->priv = ecalloc(1, sizeof(fb_claim));
	}
	return r->priv;
}

static fb_claim *lend_req(paylock_idem_req *r, int part)
{
	fb_claim *f = fb_claim_of(r);

	r->priv = f->part[part];
	return f;
}

static void take_back_req(paylock_idem_req *r, fb_claim *f, int part)
{
	f->part[part] = r->priv;
	r->priv = f;
}

#define PART_IDEM(fb, part, r, op, ...)                                                                      \
	paylock_store *p = part_of(fb, part);                                                                    \
	fb_claim *f = lend_req(r, part);                                                                         \
	paylock_status rc = p->ops->idem->op(p, r, __VA_ARGS__);                                                 \
	take_back_req(r, f, part);                                                                               \
	return rc

static paylock_status part_claim(paylock_fallback_store *fb, int part, paylock_idem_req *r,
								 bool register_wait, paylock_idem_outcome *out, paylock_error *err)
{
	PART_IDEM(fb, part, r, claim, register_wait, out, err);
}

static paylock_status part_wait(paylock_fallback_store *fb, int part, paylock_idem_req *r,
								uint64_t deadline_ns, int64_t lease_left_ms, paylock_error *err)
{
	PART_IDEM(fb, part, r, wait, deadline_ns, lease_left_ms, err);
}

static paylock_status part_complete(paylock_fallback_store *fb, int part, paylock_idem_req *r,
									const zend_string *result, paylock_error *err)
{
	PART_IDEM(fb, part, r, complete, result, err);
}

static paylock_status part_abandon(paylock_fallback_store *fb, int part, paylock_idem_req *r,
								   bool outcome_unknown, paylock_error *err)
{
	PART_IDEM(fb, part, r, abandon, outcome_unknown, err);
}

static paylock_status part_forget(paylock_fallback_store *fb, int part, paylock_idem_req *r,
								  paylock_error *err)
{
	PART_IDEM(fb, part, r, forget, err);
}

static paylock_status part_mark(paylock_fallback_store *fb, int part, paylock_idem_req *r,
								paylock_idem_mark how, paylock_error *err)
{
	PART_IDEM(fb, part, r, mark, how, err);
}

static paylock_status part_idem_refresh(paylock_fallback_store *fb, int part, paylock_idem_req *r,
										int64_t lease_ms, paylock_error *err)
{
	PART_IDEM(fb, part, r, refresh, lease_ms, err);
}

static void fallback_req_drop(paylock_store *s, paylock_idem_req *r)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;

	for (int part = LOCAL; part <= REMOTE; part++) {
		paylock_store *p = part_of(fb, part);

		if (p->ops->idem->req_drop) {
			fb_claim *f = lend_req(r, part);

			p->ops->idem->req_drop(p, r);
			take_back_req(r, f, part);
		}
	}
}

static void fallback_req_free(paylock_store *s, paylock_idem_req *r)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;

	if (r->priv == NULL) {
		return;
	}
	for (int part = LOCAL; part <= REMOTE; part++) {
		paylock_store *p = part_of(fb, part);

		if (p->ops->idem->req_free) {
			fb_claim *f = lend_req(r, part);

			p->ops->idem->req_free(p, r);
			take_back_req(r, f, part);
		}
	}
	efree(r->priv);
	r->priv = NULL;
}

/* Redis is down (not merely answering "no"), and this store is allowed to carry on without it. */
static bool may_degrade(const paylock_fallback_store *fb, paylock_status rc, const paylock_error *err)
{
	return rc == PAYLOCK_FAILED && err->kind == PAYLOCK_ERR_CONNECTION && !fb->fail_when_down;
}

/* Counts a switch to local-only operation; warns once per request, and again at most once a minute. */
static void note_degraded(const paylock_error *why)
{
	uint64_t now = paylock_now_ns();

	PAYLOCK_G(stats).degraded++;
	PAYLOCK_G(degraded_active) = true;
	if (!paylock_event_degraded(why->msg) &&
		(!PAYLOCK_G(degraded_warned) || now - PAYLOCK_G(degraded_warned_ns) >= PAYLOCK_DEGRADED_REMIND_NS)) {
		PAYLOCK_G(degraded_warned) = true;
		PAYLOCK_G(degraded_warned_ns) = now;
		php_error_docref(NULL, E_WARNING,
						 "%s; FallbackStore continues on local file locks only (degraded) for this request",
						 why->msg);
	}
}

/* Redis served a FallbackStore lock again after this process degraded: say so once. */
static void note_recovered(const paylock_fallback_store *fb)
{
	if (PAYLOCK_G(degraded_active)) {
		PAYLOCK_G(degraded_active) = false;
		if (!paylock_event_recovered(fb->redis->ops->where(fb->redis)))
			php_error_docref(NULL, E_NOTICE,
							 "Redis at %s is reachable again; FallbackStore left degraded mode",
							 fb->redis->ops->where(fb->redis));
	}
}

static void degrade(paylock_lock_state *l, uint32_t n, const paylock_error *why)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		fb_lock_of(&l[i])->degraded = true;
	}
	note_degraded(why);
}

/* ---- the local lock follows the Redis lease ---- */

#define MARK_MAX PAYLOCK_LOCAL_NOTE_MAX

static void mark(paylock_fallback_store *fb, paylock_lock_state *l, uint32_t n, char kind, int64_t ttl_ms)
{
	char buf[MARK_MAX];
	int len = kind == 'R' ? snprintf(buf, sizeof(buf), "R%" PRId64 "\n", paylock_unix_ms() + ttl_ms)
						  : snprintf(buf, sizeof(buf), "%c\n", kind);

	fb_lend w;

	/* an unwritten mark reads as unreadable: waiters treat the holder as degraded and keep waiting (safe) */
	lend(&w, l, n, LOCAL);
	fb->file->ops->local->note_write(l, n, buf, len);
	take_back(&w);
}

/* Unix ms at which the local holder's Redis lease ends; 0 when it is degraded, asking, or unknown. */
static int64_t holder_lease_end(paylock_fallback_store *fb, paylock_lock_state *l)
{
	char buf[MARK_MAX + 1];
	ssize_t n;
	int64_t end = 0;
	fb_lend w;

	lend(&w, l, 1, LOCAL);
	n = fb->file->ops->local->note_read(fb->file, l, buf, MARK_MAX);
	take_back(&w);
	if (n > 2 && buf[0] == 'R') {
		char *stop;

		buf[n] = '\0';
		end = ZEND_STRTOL(buf + 1, &stop, 10);
		end = *stop == '\n' && end > 0 ? end : 0;
	}
	return end;
}

/* Our Redis lease is (about to be) over by the mark same-host waiters read: one of them may hold the lock
 * on Redis by now, so an unreachable Redis must not turn our hold into a degraded one (two holders on this
 * host). Only single names are ever bypassed. */
static bool own_lease_over(paylock_fallback_store *fb, paylock_lock_state *l, uint32_t n)
{
	int64_t end;

	if (n != 1 || !held_locally(fb, l)) {
		return false;
	}
	end = holder_lease_end(fb, l);
	return end > 0 && paylock_unix_ms() + (int64_t)PAYLOCK_OWN_LEASE_MARGIN_MS >= end;
}

/* Redis cannot be asked and our lease is over: the lock counts as lost, never as degraded. */
static paylock_status lost_with_lease(paylock_error *err)
{
	err->kind = PAYLOCK_ERR_NONE;
	return PAYLOCK_NO;
}

/* Held on Redis alone: taken past a local holder whose lease had ended. */
static bool redis_only(paylock_fallback_store *fb, paylock_lock_state *l)
{
	return !is_degraded(l) && !held_locally(fb, l);
}

/* The local lock of a single name, waited for in slices: when the local holder's Redis lease ends
 * before our deadline, we go to Redis without it (*bypass), but not before look_from_ns. YES: local lock
 * held; NO: busy until deadline_ns, or *bypass. */
static paylock_status local_or_bypass(paylock_fallback_store *fb, paylock_lock_state *l, uint64_t deadline_ns,
									  uint64_t look_from_ns, paylock_acquire_info *info, bool *bypass,
									  paylock_error *err)
{
	*bypass = false;
	for (;;) {
		uint64_t now = paylock_now_ns(), until = deadline_ns;
		int64_t end;
		paylock_status rc;

		if (deadline_ns && deadline_ns - MIN(deadline_ns, now) > PAYLOCK_MARK_LOOK_NS) {
			until = now + PAYLOCK_MARK_LOOK_NS;
		}
		rc = part_acquire(fb, LOCAL, l, 1, 0, deadline_ns ? until : 0, info, err);
		if (rc != PAYLOCK_NO) {
			return rc;
		}
		if (paylock_now_ns() >= look_from_ns && (end = holder_lease_end(fb, l)) > 0 &&
			paylock_unix_ms() > end) {
			*bypass = true;
			return PAYLOCK_NO;
		}
		if (deadline_ns == 0 || paylock_now_ns() >= deadline_ns) {
			return PAYLOCK_NO;
		}
	}
}

/* Redis takes care of the exclusion, and the notice that Redis is back may throw: then take nothing. */
static paylock_status redis_taken(paylock_fallback_store *fb, paylock_lock_state *l, uint32_t n, bool local,
								  paylock_error *err)
{
	paylock_error ignored = {0};

	note_recovered(fb);
	if (!EG(exception)) {
		return PAYLOCK_YES;
	}
	part_release(fb, REMOTE, l, n, &ignored);
	if (local) {
		part_release(fb, LOCAL, l, n, &ignored);
	}
	err->kind = PAYLOCK_ERR_NONE;
	return PAYLOCK_FAILED;
}

/* Redis alone, past a local holder whose lease ended. A Redis that cannot be reached means waiting for
 * the local lock again (without it we must not degrade); *retry_local then says time is left. */
static paylock_status acquire_bypassing(paylock_fallback_store *fb, paylock_lock_state *l, int64_t ttl_ms,
										uint64_t deadline_ns, paylock_acquire_info *info, paylock_error *err,
										bool *retry_local)
{
	paylock_error rerr = {0};
	paylock_status rc = part_acquire(fb, REMOTE, l, 1, ttl_ms, deadline_ns, info, &rerr);

	*retry_local = false;
	if (rc == PAYLOCK_YES) {
		return redis_taken(fb, l, 1, false, err);
	}
	if (rc == PAYLOCK_FAILED && rerr.kind == PAYLOCK_ERR_CONNECTION) {
		*retry_local = deadline_ns && paylock_now_ns() < deadline_ns;
		return PAYLOCK_NO; /* the local lock is busy and Redis is away: busy */
	}
	if (rc == PAYLOCK_FAILED) {
		*err = rerr;
	}
	return rc;
}

static paylock_status fallback_acquire(paylock_store *s, paylock_lock_state *l, uint32_t n, int64_t ttl_ms,
									   uint64_t deadline_ns, paylock_acquire_info *info, paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_error rerr = {0};
	paylock_status rc;
	uint64_t look_from = 0;

	for (uint32_t i = 0; i < n; i++) {
		fb_lock_of(&l[i])->degraded = false; /* each acquire tries Redis again */
	}

	for (;;) {
		bool bypass = false, retry_local = false;

		rc = n == 1 ? local_or_bypass(fb, l, deadline_ns, look_from, info, &bypass, err)
					: part_acquire(fb, LOCAL, l, n, ttl_ms, deadline_ns, info, err);
		if (!bypass) {
			break;
		}
		rc = acquire_bypassing(fb, l, ttl_ms, deadline_ns, info, err, &retry_local);
		if (!retry_local) {
			return rc;
		}
		look_from =
			paylock_now_ns() + PAYLOCK_MARK_LOOK_NS; /* Redis is away: a slice on the local lock first */
	}
	if (rc != PAYLOCK_YES) {
		return rc;
	}
	mark(fb, l, n, 'P', 0);
	rc = part_acquire(fb, REMOTE, l, n, ttl_ms, deadline_ns, info, &rerr);
	if (rc == PAYLOCK_YES) {
		mark(fb, l, n, 'R', ttl_ms);
		return redis_taken(fb, l, n, true, err);
	}
	if (may_degrade(fb, rc, &rerr)) {
		mark(fb, l, n, 'D', 0);
		degrade(l, n, &rerr);
		if (!EG(exception)) {
			return PAYLOCK_YES;
		}
		err->kind = PAYLOCK_ERR_NONE; /* an error handler turned the warning into an exception */
		rc = PAYLOCK_FAILED;
	} else {
		*err = rerr;
	}
	part_release(fb, LOCAL, l, n, &rerr); /* busy on Redis, or Redis down and 'fail' */
	return rc;
}

/* A lock set is degraded as a whole: acquire and every later switch mark all its states. */
static paylock_status fallback_release(paylock_store *s, paylock_lock_state *l, uint32_t n,
									   paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_status rc = PAYLOCK_YES;
	paylock_error ferr = {0};
	bool local = !redis_only(fb, &l[0]);

	if (!is_degraded(&l[0])) {
		rc = part_release(fb, REMOTE, l, n, err);
		if (may_degrade(fb, rc, err)) {
			degrade(l, n, err); /* the Redis keys end with their lease */
			rc = PAYLOCK_YES;
		}
	}
	if (local && part_release(fb, LOCAL, l, n, &ferr) == PAYLOCK_NO && rc == PAYLOCK_YES) {
		rc = PAYLOCK_NO;
	}
	return rc;
}

static paylock_status fallback_refresh(paylock_store *s, paylock_lock_state *l, uint32_t n, int64_t ttl_ms,
									   paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_status rc = redis_only(fb, &l[0]) ? PAYLOCK_YES : part_check(fb, LOCAL, l, n, err);

	if (rc != PAYLOCK_YES || is_degraded(&l[0])) {
		return rc;
	}
	rc = part_refresh(fb, REMOTE, l, n, ttl_ms, err);
	if (rc == PAYLOCK_YES) {
		mark(fb, l, n, 'R', ttl_ms);
	} else if (may_degrade(fb, rc, err) && own_lease_over(fb, l, n)) {
		rc = lost_with_lease(err);
	} else if (may_degrade(fb, rc, err) && !redis_only(fb, &l[0])) {
		mark(fb, l, n, 'D', 0);
		degrade(l, n, err);
		rc = PAYLOCK_YES;
	}
	return rc;
}

static paylock_status fallback_check(paylock_store *s, paylock_lock_state *l, uint32_t n, paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_status rc = redis_only(fb, &l[0]) ? PAYLOCK_YES : part_check(fb, LOCAL, l, n, err);

	if (rc != PAYLOCK_YES || is_degraded(&l[0])) {
		return rc;
	}
	rc = part_check(fb, REMOTE, l, n, err);
	if (may_degrade(fb, rc, err) && own_lease_over(fb, l, n)) {
		return lost_with_lease(err);
	}
	return may_degrade(fb, rc, err) && !redis_only(fb, &l[0]) ? PAYLOCK_YES : rc;
}

/* Redis' tokens when Redis holds the lock; the local counter when degraded. Tokens grow across every
 * switch: a Redis token is issued above a fresh local token (so above every token this host issued while
 * degraded), and the local counter is then raised past the Redis token. */
static paylock_status fallback_fence(paylock_store *s, paylock_lock_state *l, paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_status rc;
	int64_t local;
	fb_lend w;

	if (l->fence > 0 || is_degraded(l)) {
		return part_fence(fb, LOCAL, l, err);
	}
	rc = part_fence(fb, LOCAL, l, err);
	if (rc != PAYLOCK_YES) {
		return rc;
	}
	local = l->fence;
	if (local >= PAYLOCK_FENCE_MAX) {
		paylock_error_set(
			err, PAYLOCK_ERR_STORE,
			"The local store (%s) issued fencing token %" PRId64
			", past the largest token Redis can issue above it (2^53 - 1); the lock is still held. "
			"Fix: reset the local fencing counter (FileStore: delete fencing-counter in that dir; "
			"tokens keep growing from the clock)",
			fb->file->ops->where ? fb->file->ops->where(fb->file) : fb->file->ops->kind, local);
		return PAYLOCK_FAILED;
	}
	l->fence = 0;
	lend(&w, l, 1, REMOTE);
	rc = fb->redis->ops->fence_above(fb->redis, l, local, err);
	take_back(&w);
	if (may_degrade(fb, rc, err) && own_lease_over(fb, l, 1)) {
		return lost_with_lease(err);
	}
	if (may_degrade(fb, rc, err) && !redis_only(fb, l)) {
		degrade(l, 1, err);
		l->fence = local;
		return EG(exception) ? PAYLOCK_FAILED : PAYLOCK_YES;
	}
	return rc == PAYLOCK_YES ? fb->file->ops->local->fence_floor(fb->file, l->fence, err) : rc;
}

static paylock_status fallback_holder(paylock_store *s, zend_string *name, zval *out, paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_status rc = fb->redis->ops->holder(fb->redis, name, out, err);

	if (may_degrade(fb, rc, err)) {
		return fb->file->ops->holder(fb->file, name, out, err);
	}
	return rc;
}

/* Idempotency: the local record first (a replay of a step this host ran needs no Redis), then Redis,
 * the authority across hosts. Every result is stored in both, so when Redis is down the local records
 * still answer for everything this host ran, and claims go on locally (degraded). */

/* Gives up the local claim taken before asking Redis; errors are Redis' to report. */
static void drop_local_claim(paylock_fallback_store *fb, paylock_idem_req *r)
{
	paylock_error ignored = {0};

	part_abandon(fb, LOCAL, r, false, &ignored);
}

static paylock_status fallback_idem_claim(paylock_store *s, paylock_idem_req *r, bool register_wait,
										  paylock_idem_outcome *out, paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_idem_outcome local = {0};
	paylock_error rerr = {0};
	paylock_status rc = part_claim(fb, LOCAL, r, register_wait, &local, err);

	fb_claim_of(r)->wait_remote = false;
	fb_claim_of(r)->degraded = false;
	if (rc != PAYLOCK_YES || local.state != PAYLOCK_IDEM_CLAIMED) {
		*out = local; /* done, running here, mismatch or crashed: this host knows */
		return rc;
	}
	rc = part_claim(fb, REMOTE, r, register_wait, out, &rerr);
	if (rc == PAYLOCK_FAILED) {
		if (may_degrade(fb, rc, &rerr)) {
			note_degraded(&rerr);
			if (EG(exception)) { /* an error handler turned the warning into an exception */
				drop_local_claim(fb, r);
				return PAYLOCK_FAILED;
			}
			fb_claim_of(r)->degraded = true;
			*out = local;
			return PAYLOCK_YES;
		}
		drop_local_claim(fb, r);
		*err = rerr;
		return rc;
	}
	switch (out->state) {
	case PAYLOCK_IDEM_CLAIMED:
		return rc;
	case PAYLOCK_IDEM_DONE:
		/* Another host ran it: keep its result here too, so the next replay stays local. */
		if (part_complete(fb, LOCAL, r, out->result, &rerr) != PAYLOCK_YES) {
			drop_local_claim(fb, r);
		}
		return rc;
	case PAYLOCK_IDEM_RUNNING:
		fb_claim_of(r)->wait_remote = true;
		ZEND_FALLTHROUGH;
	default:
		drop_local_claim(fb, r);
		return rc;
	}
}

static paylock_status fallback_idem_wait(paylock_store *s, paylock_idem_req *r, uint64_t deadline_ns,
										 int64_t lease_left_ms, paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;

	if (fb_claim_of(r)->wait_remote) {
		return part_wait(fb, REMOTE, r, deadline_ns, lease_left_ms, err);
	}
	return part_wait(fb, LOCAL, r, deadline_ns, lease_left_ms, err);
}

static paylock_status fallback_idem_complete(paylock_store *s, paylock_idem_req *r, const zend_string *result,
											 paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_status rc = PAYLOCK_YES;

	if (!fb_claim_of(r)->degraded) {
		rc = part_complete(fb, REMOTE, r, result, err);
		if (may_degrade(fb, rc, err)) {
			note_degraded(err); /* Redis' record ends as crashed; this host's record has the result */
			rc = PAYLOCK_YES;
		}
		if (rc == PAYLOCK_NO) {
			drop_local_claim(fb, r); /* taken over through Redis: its record decides */
			return rc;
		}
		if (rc == PAYLOCK_FAILED) {
			return rc;
		}
	}
	rc = part_complete(fb, LOCAL, r, result, err);
	if (rc != PAYLOCK_YES && !fb_claim_of(r)->degraded) {
		drop_local_claim(fb, r); /* Redis has the result, and Redis is asked after a local miss */
		rc = PAYLOCK_YES;
	}
	return rc;
}

static paylock_status fallback_idem_abandon(paylock_store *s, paylock_idem_req *r, bool outcome_unknown,
											paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_error ferr = {0};
	paylock_status rc = PAYLOCK_YES, frc;

	if (!fb_claim_of(r)->degraded) {
		rc = part_abandon(fb, REMOTE, r, outcome_unknown, err);
		if (may_degrade(fb, rc, err)) {
			note_degraded(err);
			rc = PAYLOCK_YES;
		}
	}
	frc = part_abandon(fb, LOCAL, r, outcome_unknown, fb_claim_of(r)->degraded ? err : &ferr);
	return fb_claim_of(r)->degraded ? frc : rc;
}

/* Refused (NO) when a live owner runs it on Redis or, degraded, on this host. */
static paylock_status fallback_idem_forget(paylock_store *s, paylock_idem_req *r, paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_status rc = part_forget(fb, REMOTE, r, err);

	if (may_degrade(fb, rc, err)) {
		note_degraded(err);
		rc = PAYLOCK_YES;
	}
	if (rc != PAYLOCK_YES) {
		return rc;
	}
	return part_forget(fb, LOCAL, r, err);
}

/* Marked on Redis and here: this host's record answers for it even while Redis is down. */
static paylock_status fallback_idem_mark(paylock_store *s, paylock_idem_req *r, paylock_idem_mark how,
										 paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_error ferr = {0};
	paylock_status rc = PAYLOCK_YES, frc;

	if (!fb_claim_of(r)->degraded) {
		rc = part_mark(fb, REMOTE, r, how, err);
		if (may_degrade(fb, rc, err)) {
			note_degraded(err);
			rc = PAYLOCK_YES;
		}
		if (rc == PAYLOCK_NO) {
			drop_local_claim(fb, r); /* taken over through Redis: its record decides */
			return rc;
		}
	}
	frc = part_mark(fb, LOCAL, r, how, fb_claim_of(r)->degraded ? err : &ferr);
	return fb_claim_of(r)->degraded ? frc : rc;
}

static paylock_status fallback_idem_refresh(paylock_store *s, paylock_idem_req *r, int64_t lease_ms,
											paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_status rc;

	if (!fb_claim_of(r)->degraded) {
		rc = part_idem_refresh(fb, REMOTE, r, lease_ms, err);
		if (may_degrade(fb, rc, err)) {
			note_degraded(
				err); /* the local run lock keeps this host's deliveries out; complete() tries Redis */
		} else if (rc == PAYLOCK_NO) {
			drop_local_claim(fb, r);
			return rc;
		} else if (rc == PAYLOCK_FAILED) {
			return rc;
		}
	}
	return part_idem_refresh(fb, LOCAL, r, lease_ms, err);
}

static const paylock_idem_ops fallback_idem_ops = {
	.claim = fallback_idem_claim,
	.wait = fallback_idem_wait,
	.complete = fallback_idem_complete,
	.abandon = fallback_idem_abandon,
	.forget = fallback_idem_forget,
	.mark = fallback_idem_mark,
	.refresh = fallback_idem_refresh,
	.req_free = fallback_req_free,
	.req_drop = fallback_req_drop,
};

static const paylock_store_ops fallback_ops = {
	.kind = "fallback",
	.has_lease = true,
	.acquire = fallback_acquire,
	.release = fallback_release,
	.refresh = fallback_refresh,
	.check = fallback_check,
	.fence = fallback_fence,
	.holder = fallback_holder,
	.state_free = fallback_state_free,
	.state_drop = fallback_state_drop,
	.is_degraded = fallback_is_degraded,
	.idem = &fallback_idem_ops,
};

static zend_result fallback_init(zend_object *obj, zend_object *redis, zend_object *file, HashTable *options)
{
	paylock_fallback_store *fb = fallback_from_obj(obj);
	zend_string *key;
	zval *val;

	ZEND_HASH_FOREACH_STR_KEY_VAL(options, key, val) {
		ZVAL_DEREF(val);
		if (key && zend_string_equals_literal(key, "on_redis_down")) {
			if (Z_TYPE_P(val) == IS_STRING && zend_string_equals_literal(Z_STR_P(val), "degrade")) {
				fb->fail_when_down = false;
			} else if (Z_TYPE_P(val) == IS_STRING && zend_string_equals_literal(Z_STR_P(val), "fail")) {
				fb->fail_when_down = true;
			} else {
				zend_argument_value_error(3, "option \"on_redis_down\" must be \"degrade\" or \"fail\"");
				return FAILURE;
			}
		} else {
			zend_argument_value_error(3, "contains unknown option \"%s\" (known: on_redis_down)",
									  key ? ZSTR_VAL(key) : "(integer key)");
			return FAILURE;
		}
	}
	ZEND_HASH_FOREACH_END();
	if ((fb->redis = paylock_store_from_obj(redis)) == NULL ||
		(fb->file = paylock_store_from_obj(file)) == NULL) {
		return FAILURE;
	}
	if (fb->redis->ops->fence_above == NULL || fb->redis->ops->where == NULL) {
		zend_argument_value_error(1, "must be a store that can be FallbackStore's remote part");
		return FAILURE;
	}
	if (fb->file->ops->local == NULL) {
		zend_argument_value_error(2, "must be a store that can be FallbackStore's local part");
		return FAILURE;
	}
	GC_ADDREF(redis);
	GC_ADDREF(file);
	fb->redis_obj = redis;
	fb->file_obj = file;
	fb->base.ops = &fallback_ops;
	return SUCCESS;
}

ZEND_METHOD(PayLock_FallbackStore, __construct)
{
	zend_object *redis, *file;
	HashTable *options = NULL;

	ZEND_PARSE_PARAMETERS_START(2, 3)
		Z_PARAM_OBJ_OF_CLASS(redis, paylock_ce_RedisStore)
		Z_PARAM_OBJ_OF_CLASS(file, paylock_ce_FileStore)
		Z_PARAM_OPTIONAL
		Z_PARAM_ARRAY_HT(options)
	ZEND_PARSE_PARAMETERS_END();

	if (fallback_from_obj(Z_OBJ_P(ZEND_THIS))->base.ops) {
		zend_throw_error(NULL, "Cannot call PayLock\\FallbackStore::__construct() twice");
		RETURN_THROWS();
	}
	if (fallback_init(Z_OBJ_P(ZEND_THIS), redis, file, options ? options : (HashTable *)&zend_empty_array) ==
		FAILURE) {
		RETURN_THROWS();
	}
}

/* The default pairing (the kinds table's "fallback"): a RedisStore and a FileStore made from ini. */
zend_result paylock_fallback_store_from_ini(zval *out)
{
	zval redis, file;

	ZVAL_UNDEF(out);
	if (paylock_redis_store_from_ini(&redis) == FAILURE) {
		return FAILURE;
	}
	if (paylock_file_store_from_ini(&file) == FAILURE) {
		zval_ptr_dtor(&redis);
		return FAILURE;
	}
	object_init_ex(out, fallback_ce);
	fallback_init(Z_OBJ_P(out), Z_OBJ(redis), Z_OBJ(file), (HashTable *)&zend_empty_array);
	zval_ptr_dtor(&redis);
	zval_ptr_dtor(&file);
	return SUCCESS;
}

static zend_object *fallback_create(zend_class_entry *ce)
{
	return paylock_object_new(ce, sizeof(paylock_fallback_store), &fallback_handlers);
}

static void fallback_free(zend_object *obj)
{
	paylock_fallback_store *fb = fallback_from_obj(obj);

	if (fb->redis_obj) {
		OBJ_RELEASE(fb->redis_obj);
	}
	if (fb->file_obj) {
		OBJ_RELEASE(fb->file_obj);
	}
	zend_object_std_dtor(obj);
}

void paylock_fallback_store_minit(zend_class_entry *ce)
{
	fallback_ce = ce;
	ce->create_object = fallback_create;
	paylock_handlers_init(&fallback_handlers, XtOffsetOf(paylock_fallback_store, std), fallback_free);
}
