/* FallbackStore's lock ops: the local lock first, then Redis; degraded when Redis is away. Tokens grow
 * across every switch between the two. */
#include "admin.h"
#include "fallback_internal.h"
#include "zend_exceptions.h"

static paylock_status fallback_acquire(paylock_store *s, paylock_lock_state *l, uint32_t n, int64_t ttl_ms,
									   uint64_t deadline_ns, paylock_acquire_info *info, paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_error rerr = {0};
	paylock_status rc;
	uint64_t look_from = 0;

	for (uint32_t i = 0; i < n; i++) {
		paylock_fb_lock_of(&l[i])->degraded = false; /* each acquire tries Redis again */
	}

	for (;;) {
		bool bypass = false, retry_local = false;

		rc = n == 1 ? paylock_fb_local_or_bypass(fb, l, deadline_ns, look_from, info, &bypass, err)
					: paylock_fb_part_acquire(fb, LOCAL, l, n, ttl_ms, deadline_ns, info, err);
		if (!bypass) {
			break;
		}
		rc = paylock_fb_acquire_bypassing(fb, l, ttl_ms, deadline_ns, info, err, &retry_local);
		if (!retry_local) {
			return rc;
		}
		look_from =
			paylock_now_ns() + PAYLOCK_MARK_LOOK_NS; /* Redis is away: a slice on the local lock first */
	}
	if (rc != PAYLOCK_YES) {
		return rc;
	}
	paylock_fb_note(fb, l, n, 'P', 0);
	rc = paylock_fb_part_acquire(fb, REMOTE, l, n, ttl_ms, deadline_ns, info, &rerr);
	if (rc == PAYLOCK_YES) {
		paylock_fb_note(fb, l, n, 'R', ttl_ms);
		return paylock_fb_redis_taken(fb, l, n, true, err);
	}
	if (paylock_fb_may_degrade(fb, rc, &rerr)) {
		paylock_fb_note(fb, l, n, 'D', 0);
		paylock_fb_degrade(l, n, &rerr);
		if (!EG(exception)) {
			return PAYLOCK_YES;
		}
		err->kind = PAYLOCK_ERR_NONE; /* an error handler turned the warning into an exception */
		rc = PAYLOCK_FAILED;
	} else {
		*err = rerr;
	}
	paylock_fb_part_release(fb, LOCAL, l, n, &rerr); /* busy on Redis, or Redis down and 'fail' */
	return rc;
}

/* A lock set is degraded as a whole: acquire and every later switch mark all its states. */
static paylock_status fallback_release(paylock_store *s, paylock_lock_state *l, uint32_t n,
									   paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_status rc = PAYLOCK_YES;
	paylock_error ferr = {0};
	bool local = !paylock_fb_redis_only(fb, &l[0]);

	if (!paylock_fb_is_degraded(&l[0])) {
		rc = paylock_fb_part_release(fb, REMOTE, l, n, err);
		if (paylock_fb_may_degrade(fb, rc, err)) {
			paylock_fb_degrade(l, n, err); /* the Redis keys end with their lease */
			rc = PAYLOCK_YES;
		}
	}
	if (local && paylock_fb_part_release(fb, LOCAL, l, n, &ferr) == PAYLOCK_NO && rc == PAYLOCK_YES) {
		rc = PAYLOCK_NO;
	}
	return rc;
}

static paylock_status fallback_refresh(paylock_store *s, paylock_lock_state *l, uint32_t n, int64_t ttl_ms,
									   paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_status rc =
		paylock_fb_redis_only(fb, &l[0]) ? PAYLOCK_YES : paylock_fb_part_check(fb, LOCAL, l, n, err);

	if (rc != PAYLOCK_YES || paylock_fb_is_degraded(&l[0])) {
		return rc;
	}
	rc = paylock_fb_part_refresh(fb, REMOTE, l, n, ttl_ms, err);
	if (rc == PAYLOCK_YES) {
		paylock_fb_note(fb, l, n, 'R', ttl_ms);
	} else if (paylock_fb_may_degrade(fb, rc, err) && paylock_fb_own_lease_over(fb, l, n)) {
		rc = paylock_fb_lost_with_lease(err);
	} else if (paylock_fb_may_degrade(fb, rc, err) && !paylock_fb_redis_only(fb, &l[0])) {
		paylock_fb_note(fb, l, n, 'D', 0);
		paylock_fb_degrade(l, n, err);
		rc = PAYLOCK_YES;
	}
	return rc;
}

static paylock_status fallback_check(paylock_store *s, paylock_lock_state *l, uint32_t n, paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_status rc =
		paylock_fb_redis_only(fb, &l[0]) ? PAYLOCK_YES : paylock_fb_part_check(fb, LOCAL, l, n, err);

	if (rc != PAYLOCK_YES || paylock_fb_is_degraded(&l[0])) {
		return rc;
	}
	rc = paylock_fb_part_check(fb, REMOTE, l, n, err);
	if (paylock_fb_may_degrade(fb, rc, err) && paylock_fb_own_lease_over(fb, l, n)) {
		return paylock_fb_lost_with_lease(err);
	}
	return paylock_fb_may_degrade(fb, rc, err) && !paylock_fb_redis_only(fb, &l[0]) ? PAYLOCK_YES : rc;
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

	if (l->fence > 0 || paylock_fb_is_degraded(l)) {
		return paylock_fb_part_fence(fb, LOCAL, l, err);
	}
	rc = paylock_fb_part_fence(fb, LOCAL, l, err);
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
	paylock_fb_lend(&w, l, 1, REMOTE);
	rc = fb->redis->ops->fence_above(fb->redis, l, local, err);
	paylock_fb_take_back(&w);
	if (paylock_fb_may_degrade(fb, rc, err) && paylock_fb_own_lease_over(fb, l, 1)) {
		return paylock_fb_lost_with_lease(err);
	}
	if (paylock_fb_may_degrade(fb, rc, err) && !paylock_fb_redis_only(fb, l)) {
		paylock_fb_degrade(l, 1, err);
		l->fence = local;
		return EG(exception) ? PAYLOCK_FAILED : PAYLOCK_YES;
	}
	return rc == PAYLOCK_YES ? fb->file->ops->local->fence_floor(fb->file, l->fence, err) : rc;
}

static paylock_status fallback_holder(paylock_store *s, zend_string *name, zval *out, paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_status rc = fb->redis->ops->holder(fb->redis, name, out, err);

	if (paylock_fb_may_degrade(fb, rc, err)) {
		return fb->file->ops->holder(fb->file, name, out, err);
	}
	return rc;
}

const paylock_store_ops paylock_fallback_ops = {
	.kind = "fallback",
	.has_lease = true,
	.acquire = fallback_acquire,
	.release = fallback_release,
	.refresh = fallback_refresh,
	.check = fallback_check,
	.fence = fallback_fence,
	.holder = fallback_holder,
	.state_free = paylock_fb_state_free,
	.state_drop = paylock_fb_state_drop,
	.is_degraded = paylock_fb_op_is_degraded,
	.idem = &paylock_fallback_idem_ops,
	.admin = &paylock_fallback_admin_ops,
};
