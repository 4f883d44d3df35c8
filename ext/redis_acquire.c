/* RedisStore: acquire. An uncontended single name is one plain SET NX PX; otherwise the acquire script
 * takes every name or none, or joins the queue of the first busy one, and the waiter blocks on its own
 * wake-up list until it is handed the lock, the holder's lease ends, or one heartbeat passes. */
#include "php_paylock.h"
#include "redis_store_internal.h"

static paylock_script acquire_script;

/* One plain SET NX PX: the whole uncontended acquire of a single name. YES, NO (busy), or FAILED. */
static paylock_status try_set_nx(paylock_redis_client *c, const paylock_lock_state *l, const char *mine,
								 size_t mine_len, const char *ttl, size_t ttl_len, paylock_ack *ack,
								 paylock_error *err)
{
	char key[PAYLOCK_REDIS_KEY_MAX];
	const char *argv[6] = {"SET", key, mine, "NX", "PX", ttl};
	size_t lens[6] = {3, paylock_redis_lock_key(c, l->name, key), mine_len, 2, 2, ttl_len};
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

/* One acquire script call (redis_store_internal.h). */
paylock_status paylock_redis_run_acquire(paylock_redis_client *c, paylock_lock_call *lc, acquire_mode mode,
										 const char *life, uint32_t *busy, long long *holder_ms,
										 bool *handoff, paylock_ack *ack, paylock_error *err)
{
	static const char *const digits[] = {"0", "1", "2", "3"};
	paylock_reply *r;
	paylock_status st;

	lc->argv[lc->argc - 3] = digits[mode];
	lc->lens[lc->argc - 3] = 1;
	lc->argv[lc->argc - 2] = life;
	lc->lens[lc->argc - 2] = strlen(life);
	r = paylock_redis_eval_handing_on(c, &acquire_script, "the acquire script", lc, false, ack, err);
	if (r == NULL) {
		return PAYLOCK_FAILED;
	}
	if ((paylock_reply_count(r) == 1 || paylock_reply_count(r) == 2) &&
		paylock_reply_int(paylock_reply_at(r, 0)) == 1) {
		st = PAYLOCK_YES;
		if (handoff && paylock_reply_count(r) == 2 && paylock_reply_int(paylock_reply_at(r, 1)) == 1) {
			*handoff = true; /* handed over while we were between two BLPOPs */
		}
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
double paylock_redis_block_seconds(uint64_t now, uint64_t deadline_ns, long long holder_ms, uint64_t *wake_ns)
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
bool paylock_redis_worth_retrying(const paylock_error *err, uint64_t deadline_ns)
{
	return err->kind == PAYLOCK_ERR_CONNECTION && deadline_ns && paylock_now_ns() < deadline_ns;
}

/* The woken side of a one-trip hand-off. The grant was written after our last acquire call was sent
 * (asked_ns), so its lease runs at least until asked_ns + HANDOFF_LEASE_MS: an extension sent within
 * PAYLOCK_REDIS_HANDOFF_FAST_NS of asked_ns reaches Redis with most of the lease to spare, and its reply
 * is read later. One sent later (we were descheduled around the wake-up) is read now, before we count
 * the lock as ours: NO when the grant lapsed first. */
static paylock_status one_trip_claim(paylock_redis_client *c, paylock_lock_state *l,
									 const paylock_lock_call *lc, uint64_t asked_ns, const char *item,
									 size_t item_len, paylock_error *err)
{
	int at = 3 + lc->nkeys;
	bool written = paylock_redis_handoff_extend(c, l, lc->argv[3], lc->lens[3], lc->argv[at], lc->lens[at],
												lc->argv[at + 1], lc->lens[at + 1], item, item_len);
	paylock_status st;

	/* one that could not be written (no connection, a failed write) is asked again now, not counted on */
	if (written && paylock_now_ns() - asked_ns <= PAYLOCK_REDIS_HANDOFF_FAST_NS) {
		return PAYLOCK_YES;
	}
	st = paylock_redis_handoff_settle(c, l, 1, err);
	if (st == PAYLOCK_NO) {
		paylock_redis_handoff_forget(l, 1);
	}
	return st;
}

/* Waits in the queue until the locks are ours, the deadline passes or Redis fails. Once Redis has
 * answered (*reached), connection failures are retried until the deadline: the script is idempotent by
 * token and finds our queue place where it still exists. *may_hold: a call may have queued or taken. */
static paylock_status queue_until(paylock_redis_client *c, paylock_lock_state *l, paylock_lock_call *lc,
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
		st = paylock_redis_run_acquire(c, lc, mode, life, &busy, &holder_ms, &info->handoff, ack, err);
		*may_hold = *may_hold || (st == PAYLOCK_FAILED && c->unanswered);
		if (st == PAYLOCK_FAILED && mode == MODE_QUEUE && *reached &&
			paylock_redis_worth_retrying(err, deadline_ns)) {
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
		wake_len = paylock_redis_lock_key(c, l[busy].name, wake);
		memcpy(wake + wake_len, ":g:", 3);
		memcpy(wake + wake_len + 3, l[0].token, PAYLOCK_TOKEN_HEX);
		wake_len += 3 + PAYLOCK_TOKEN_HEX;
		block_s = paylock_redis_block_seconds(paylock_now_ns(), deadline_ns, holder_ms, &wake_ns);
		switch (paylock_redis_blpop_item(c, wake, wake_len, block_s, wake_ns, deadline_ns, item, sizeof(item),
										 &item_len, err)) {
		case PAYLOCK_WAKE_FAILED:
			if (!paylock_redis_worth_retrying(err, deadline_ns)) {
				return PAYLOCK_FAILED;
			}
			break; /* the next script call tells whether Redis is back */
		case PAYLOCK_WAKE_POPPED:
			info->handoff = true;
			if (paylock_redis_handoff_mode(c, (uint32_t)(lc->nkeys / KEYS_PER_NAME)) ==
					PAYLOCK_HANDOFF_ONE_TRIP &&
				paylock_now_ns() - now <= PAYLOCK_REDIS_HANDOFF_FAST_NS) {
				/* One name: the release wrote our value, short lease. Ours now, extended off our path. */
				st = one_trip_claim(c, l, lc, now, item, item_len, err);
				if (st == PAYLOCK_NO) {
					continue; /* the grant lapsed before our extension: queue again */
				}
				ack->wanted = 0; /* no replicas asked for: nothing to acknowledge */
				return st;
			}
			/* Two trips (paylock_redis_handoff_mode): the next acquire call takes the grant; the head the
			 * wake-up named still saves our release a guess. */
			if (lc->nkeys == KEYS_PER_NAME) {
				paylock_redis_handoff_note_head(l, item, item_len);
			}
			break;
		case PAYLOCK_WAKE_DEADLINE:
		case PAYLOCK_WAKE_TIMED_OUT:
			info->handoff = false;
			break;
		}
	}
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
	paylock_redis_undo_acquire(rs, l, n);
	return PAYLOCK_FAILED;
}

paylock_status paylock_redis_acquire(paylock_store *s, paylock_lock_state *l, uint32_t n, int64_t ttl_ms,
									 uint64_t deadline_ns, paylock_acquire_info *info, paylock_error *err)
{
	paylock_redis_store *rs = (paylock_redis_store *)s;
	paylock_redis_client *c = &rs->client;
	char ttl[24], mine[PAYLOCK_TOKEN_HEX + 320];
	size_t ttl_len, mine_len;
	paylock_lock_call lc;
	paylock_slot_groups sg;
	paylock_status st;
	bool reached = false, may_hold = false;
	paylock_ack ack = {0};

	if (paylock_redis_ghosts_flush(c, err) == PAYLOCK_FAILED) {
		return PAYLOCK_FAILED;
	}
	paylock_redis_handoff_forget(l, n); /* what an earlier hold knew */
	ttl_len = snprintf(ttl, sizeof(ttl), "%" PRId64, ttl_ms);
	mine_len = snprintf(mine, sizeof(mine), "%s:%ld:%" PRId64 ":%s", l[0].token, (long)paylock_pid(),
						paylock_unix_ms(), PAYLOCK_G(hostname));
	if (n == 1) {
		st = try_set_nx(c, l, mine, mine_len, ttl, ttl_len, &ack, err);
		if (st == PAYLOCK_FAILED && c->unanswered) {
			paylock_redis_undo_acquire(rs, l, n);
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
	if (paylock_redis_slot_groups(c, l, n, &sg)) { /* a MultiLock across cluster slots */
		st = paylock_redis_queue_slots(c, &sg, mine, mine_len, ttl, ttl_len, deadline_ns, info, &may_hold,
									   &ack, err);
		paylock_redis_slot_groups_free(&sg);
		if (st == PAYLOCK_FAILED && may_hold) {
			paylock_redis_undo_acquire(rs, l, n);
		}
		return st == PAYLOCK_YES ? acquire_acked(rs, l, n, &ack, err) : st;
	}
	paylock_redis_call_init(&lc, c, l, n, KEYS_PER_NAME, 5);
	paylock_redis_call_arg(&lc, mine, mine_len);
	paylock_redis_call_arg(&lc, ttl, ttl_len);
	paylock_redis_call_arg(&lc, "0", 1); /* mode, set per call */
	paylock_redis_call_arg(&lc, "0", 1); /* life, set per call */
	paylock_redis_call_arg(&lc, GRANT_MS, strlen(GRANT_MS));
	st = queue_until(c, l, &lc, deadline_ns, info, &reached, &may_hold, &ack, err);
	paylock_redis_call_free(&lc);
	if (st == PAYLOCK_FAILED && may_hold) {
		paylock_redis_undo_acquire(rs, l, n);
	}
	return st == PAYLOCK_YES ? acquire_acked(rs, l, n, &ack, err) : st;
}

void paylock_redis_acquire_minit(void)
{
	paylock_script_init(&acquire_script, PAYLOCK_LUA_ACQUIRE);
}
