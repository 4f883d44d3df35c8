/* FallbackStore: when Redis being away lets a lock or claim go on locally (degraded), the warning and
 * notice about it, and the local lock following the Redis lease through the local store's note ("P",
 * "R<lease end>", "D"): a same-host waiter may go to Redis past a local holder whose lease ended. */
#include "events.h"
#include "fallback_internal.h"
#include "zend_exceptions.h"

/* Redis is down (not merely answering "no"), and this store is allowed to carry on without it. */
bool paylock_fb_may_degrade(const paylock_fallback_store *fb, paylock_status rc, const paylock_error *err)
{
	return rc == PAYLOCK_FAILED && err->kind == PAYLOCK_ERR_CONNECTION && !fb->fail_when_down;
}

/* Counts a switch to local-only operation; warns once per request, and again at most once a minute. */
void paylock_fb_note_degraded(const paylock_error *why)
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

void paylock_fb_degrade(paylock_lock_state *l, uint32_t n, const paylock_error *why)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		paylock_fb_lock_of(&l[i])->degraded = true;
	}
	paylock_fb_note_degraded(why);
}

/* ---- the local lock follows the Redis lease ---- */

#define MARK_MAX PAYLOCK_LOCAL_NOTE_MAX

void paylock_fb_note(paylock_fallback_store *fb, paylock_lock_state *l, uint32_t n, char kind, int64_t ttl_ms)
{
	char buf[MARK_MAX];
	int len = kind == 'R' ? snprintf(buf, sizeof(buf), "R%" PRId64 "\n", paylock_unix_ms() + ttl_ms)
						  : snprintf(buf, sizeof(buf), "%c\n", kind);

	fb_lend w;

	/* an unwritten mark reads as unreadable: waiters treat the holder as degraded and keep waiting (safe) */
	paylock_fb_lend(&w, l, n, LOCAL);
	fb->file->ops->local->note_write(l, n, buf, len);
	paylock_fb_take_back(&w);
}

/* Unix ms at which the local holder's Redis lease ends; 0 when it is degraded, asking, or unknown. */
static int64_t holder_lease_end(paylock_fallback_store *fb, paylock_lock_state *l)
{
	char buf[MARK_MAX + 1];
	ssize_t n;
	int64_t end = 0;
	fb_lend w;

	paylock_fb_lend(&w, l, 1, LOCAL);
	n = fb->file->ops->local->note_read(fb->file, l, buf, MARK_MAX);
	paylock_fb_take_back(&w);
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
bool paylock_fb_own_lease_over(paylock_fallback_store *fb, paylock_lock_state *l, uint32_t n)
{
	int64_t end;

	if (n != 1 || !paylock_fb_held_locally(fb, l)) {
		return false;
	}
	end = holder_lease_end(fb, l);
	return end > 0 && paylock_unix_ms() + (int64_t)PAYLOCK_OWN_LEASE_MARGIN_MS >= end;
}

/* Redis cannot be asked and our lease is over: the lock counts as lost, never as degraded. */
paylock_status paylock_fb_lost_with_lease(paylock_error *err)
{
	err->kind = PAYLOCK_ERR_NONE;
	return PAYLOCK_NO;
}

/* Held on Redis alone: taken past a local holder whose lease had ended. */
bool paylock_fb_redis_only(paylock_fallback_store *fb, paylock_lock_state *l)
{
	return !paylock_fb_is_degraded(l) && !paylock_fb_held_locally(fb, l);
}

/* The local lock of a single name, waited for in slices: when the local holder's Redis lease ends
 * before our deadline, we go to Redis without it (*bypass), but not before look_from_ns. YES: local lock
 * held; NO: busy until deadline_ns, or *bypass. */
paylock_status paylock_fb_local_or_bypass(paylock_fallback_store *fb, paylock_lock_state *l,
										  uint64_t deadline_ns, uint64_t look_from_ns,
										  paylock_acquire_info *info, bool *bypass, paylock_error *err)
{
	*bypass = false;
	for (;;) {
		uint64_t now = paylock_now_ns(), until = deadline_ns;
		int64_t end;
		paylock_status rc;

		if (deadline_ns && deadline_ns - MIN(deadline_ns, now) > PAYLOCK_MARK_LOOK_NS) {
			until = now + PAYLOCK_MARK_LOOK_NS;
		}
		rc = paylock_fb_part_acquire(fb, LOCAL, l, 1, 0, deadline_ns ? until : 0, info, err);
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
paylock_status paylock_fb_redis_taken(paylock_fallback_store *fb, paylock_lock_state *l, uint32_t n,
									  bool local, paylock_error *err)
{
	paylock_error ignored = {0};

	note_recovered(fb);
	if (!EG(exception)) {
		return PAYLOCK_YES;
	}
	paylock_fb_part_release(fb, REMOTE, l, n, &ignored);
	if (local) {
		paylock_fb_part_release(fb, LOCAL, l, n, &ignored);
	}
	err->kind = PAYLOCK_ERR_NONE;
	return PAYLOCK_FAILED;
}

/* Redis alone, past a local holder whose lease ended. A Redis that cannot be reached means waiting for
 * the local lock again (without it we must not degrade); *retry_local then says time is left. */
paylock_status paylock_fb_acquire_bypassing(paylock_fallback_store *fb, paylock_lock_state *l, int64_t ttl_ms,
											uint64_t deadline_ns, paylock_acquire_info *info,
											paylock_error *err, bool *retry_local)
{
	paylock_error rerr = {0};
	paylock_status rc = paylock_fb_part_acquire(fb, REMOTE, l, 1, ttl_ms, deadline_ns, info, &rerr);

	*retry_local = false;
	if (rc == PAYLOCK_YES) {
		return paylock_fb_redis_taken(fb, l, 1, false, err);
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
