/* RedisStore on a Redis Cluster: a MultiLock whose names lie in different hash slots. One acquire script
 * call per slot group (redis_slots.c), groups in ascending slot order. When a group is busy, every other
 * group that may hold something of ours (names taken in this pass, a grant, a queue place) is given back
 * first (the leave script), so the caller never holds a name while it waits; it then waits in the queue
 * of the first busy name. Handed that name it tries the whole set again; at a heartbeat it only renews
 * its queue place (a whole pass follows when that group can be ours); its deadline ends the wait with a
 * last pass. Nobody waits while holding, so carts that share names cannot deadlock; the common slot
 * order keeps them from taking each other's groups back and forth. A grant to a group is "=<token>"
 * (MODE_GROUP), which the next pass takes, or which lapses after GRANT_MS if the waiter died, as for any
 * MultiLock waiter. */
#include "php_paylock.h"
#include "redis_store_internal.h"

typedef struct {
	paylock_redis_client *c;
	const paylock_slot_groups *sg;
	paylock_lock_call *calls; /* one per group */
	bool *touched;            /* group g may hold a name, a grant or a queue place of ours */
} slot_calls;

static uint32_t group_size(const paylock_slot_groups *sg, uint32_t g)
{
	return sg->start[g + 1] - sg->start[g];
}

static void calls_init(slot_calls *sc, paylock_redis_client *c, const paylock_slot_groups *sg,
					   const char *mine, size_t mine_len, const char *ttl, size_t ttl_len)
{
	uint32_t g;

	sc->c = c;
	sc->sg = sg;
	sc->calls = safe_emalloc(sg->ngroups, sizeof(paylock_lock_call), 0);
	sc->touched = ecalloc(sg->ngroups, sizeof(bool));
	for (g = 0; g < sg->ngroups; g++) {
		paylock_lock_call *lc = &sc->calls[g];

		paylock_redis_call_init(lc, c, sg->l + sg->start[g], group_size(sg, g), KEYS_PER_NAME, 5);
		paylock_redis_call_arg(lc, mine, mine_len);
		paylock_redis_call_arg(lc, ttl, ttl_len);
		paylock_redis_call_arg(lc, "0", 1); /* mode, set per call */
		paylock_redis_call_arg(lc, "0", 1); /* life, set per call */
		paylock_redis_call_arg(lc, GRANT_MS, strlen(GRANT_MS));
	}
}

/* Whether any group may still hold something of ours; frees the calls. */
static bool calls_free(slot_calls *sc)
{
	bool any = false;
	uint32_t g;

	for (g = 0; g < sc->sg->ngroups; g++) {
		any = any || sc->touched[g];
		paylock_redis_call_free(&sc->calls[g]);
	}
	efree(sc->calls);
	efree(sc->touched);
	return any;
}

/* Gives back what the groups other than keep may hold (keep = ngroups: all of them). Connection failures
 * are retried until the deadline: the caller must not wait while it may hold a name. */
static paylock_status give_back(slot_calls *sc, uint32_t keep, uint64_t deadline_ns, paylock_error *err)
{
	const paylock_slot_groups *sg = sc->sg;
	uint32_t g;

	for (g = 0; g < sg->ngroups; g++) {
		if (g == keep || !sc->touched[g]) {
			continue;
		}
		while (paylock_redis_run_leave(sc->c, sg->l + sg->start[g], group_size(sg, g), false, err) ==
			   PAYLOCK_FAILED) {
			if (!paylock_redis_worth_retrying(err, deadline_ns)) {
				return PAYLOCK_FAILED;
			}
			paylock_redis_backoff(deadline_ns);
		}
		sc->touched[g] = false;
	}
	return PAYLOCK_YES;
}

/* The replicas' acknowledgement of a pass is its worst group's. */
static void ack_worst(paylock_ack *have, const paylock_ack *one)
{
	bool have_short = have->wanted && have->acked < have->wanted;

	if (!have_short && (have->wanted == 0 || (one->wanted && one->acked < one->wanted))) {
		*have = *one;
	}
}

/* One pass over the groups in slot order. YES all taken; NO group *g busy (its name *busy); FAILED at *g. */
static paylock_status one_pass(slot_calls *sc, acquire_mode mode, const char *life, uint32_t *g,
							   uint32_t *busy, long long *holder_ms, paylock_ack *ack, paylock_error *err)
{
	paylock_status st = PAYLOCK_YES;

	memset(ack, 0, sizeof(*ack));
	for (*g = 0; *g < sc->sg->ngroups; (*g)++) {
		paylock_ack one = {0};

		st = paylock_redis_run_acquire(sc->c, &sc->calls[*g], mode == MODE_QUEUE ? MODE_GROUP : mode, life,
									   busy, holder_ms, NULL, &one, err);
		if (st == PAYLOCK_YES || (st == PAYLOCK_FAILED && sc->c->unanswered)) {
			sc->touched[*g] = true; /* taken, or it may have run */
		}
		if (st != PAYLOCK_YES) {
			return st;
		}
		ack_worst(ack, &one);
	}
	return PAYLOCK_YES;
}

/* Blocks on our wake-up list at name busy of group g, as a single-slot waiter does (redis_acquire.c). */
static paylock_wake wait_at(slot_calls *sc, uint32_t g, uint32_t busy, uint64_t deadline_ns,
							long long holder_ms, paylock_error *err)
{
	const paylock_lock_state *l = &sc->sg->l[sc->sg->start[g] + busy];
	char wake[PAYLOCK_REDIS_KEY_MAX + 3 + PAYLOCK_TOKEN_HEX];
	size_t wake_len = paylock_redis_lock_key(sc->c, l->name, wake);
	uint64_t wake_ns;
	double block_s;

	memcpy(wake + wake_len, ":g:", 3);
	memcpy(wake + wake_len + 3, l->token, PAYLOCK_TOKEN_HEX);
	wake_len += 3 + PAYLOCK_TOKEN_HEX;
	block_s = paylock_redis_block_seconds(paylock_now_ns(), deadline_ns, holder_ms, &wake_ns);
	return paylock_redis_blpop(sc->c, wake, wake_len, block_s, wake_ns, deadline_ns, err);
}

paylock_status paylock_redis_queue_slots(paylock_redis_client *c, const paylock_slot_groups *sg,
										 const char *mine, size_t mine_len, const char *ttl, size_t ttl_len,
										 uint64_t deadline_ns, paylock_acquire_info *info, bool *may_hold,
										 paylock_ack *ack, paylock_error *err)
{
	slot_calls sc;
	paylock_status st;
	bool reached = false;
	uint32_t waiting = sg->ngroups; /* after a heartbeat: the group whose queue we are in */

	calls_init(&sc, c, sg, mine, mine_len, ttl, ttl_len);
	for (;;) {
		uint64_t now = paylock_now_ns();
		acquire_mode mode = !deadline_ns ? MODE_TRY : now >= deadline_ns ? MODE_LEAVE : MODE_QUEUE;
		long long holder_ms = -1, life_ms = ENTRY_LIFE_MS;
		uint32_t g = 0, busy = 0;
		char life[24];

		if (mode == MODE_QUEUE &&
			(int64_t)((deadline_ns - now) / 1000000) + PAYLOCK_WAITER_LIFE_SLACK_MS < life_ms) {
			life_ms = (long long)((deadline_ns - now) / 1000000) + PAYLOCK_WAITER_LIFE_SLACK_MS;
		}
		snprintf(life, sizeof(life), "%lld", life_ms);
		st = PAYLOCK_YES;
		if (waiting < sg->ngroups && mode == MODE_QUEUE) {
			/* A heartbeat renews our place in that group's queue alone; only when the group can be ours
			 * does a whole pass follow, so a waiter does not take and give back the groups before it at
			 * every heartbeat. */
			paylock_ack one = {0};

			g = waiting;
			st = paylock_redis_run_acquire(c, &sc.calls[g], MODE_GROUP, life, &busy, &holder_ms,
										   &info->handoff, &one, err);
		}
		waiting = sg->ngroups;
		if (st == PAYLOCK_YES &&
			(st = one_pass(&sc, mode, life, &g, &busy, &holder_ms, ack, err)) == PAYLOCK_YES) {
			break;
		}
		if (st == PAYLOCK_FAILED) {
			if (mode == MODE_QUEUE && reached && paylock_redis_worth_retrying(err, deadline_ns)) {
				/* Never hold the healthy groups while waiting for a node to come back: give them back,
				 * and try the failed group alone until its node answers (as a heartbeat does). */
				if ((st = give_back(&sc, g, deadline_ns, err)) == PAYLOCK_FAILED) {
					break;
				}
				waiting = g;
				paylock_redis_backoff(deadline_ns);
				continue;
			}
			break;
		}
		reached = true;
		info->contended = true;
		sc.touched[g] = mode == MODE_QUEUE; /* queued there; in the other modes the script left its queue */
		if ((st = give_back(&sc, mode == MODE_QUEUE ? g : sg->ngroups, deadline_ns, err)) == PAYLOCK_FAILED) {
			break;
		}
		if (mode != MODE_QUEUE) {
			st = PAYLOCK_NO;
			break;
		}
		switch (wait_at(&sc, g, busy, deadline_ns, holder_ms, err)) {
		case PAYLOCK_WAKE_FAILED:
			if (!paylock_redis_worth_retrying(err, deadline_ns)) {
				st = PAYLOCK_FAILED;
				goto out;
			}
			break; /* the next pass tells whether Redis is back */
		case PAYLOCK_WAKE_POPPED:
			info->handoff = true; /* handed that name ("=<token>"): the next pass takes it with the rest */
			break;
		case PAYLOCK_WAKE_TIMED_OUT:
			waiting = g;
			info->handoff = false;
			break;
		case PAYLOCK_WAKE_DEADLINE:
			info->handoff = false; /* the last pass, in mode LEAVE */
			break;
		}
	}
out:
	if (calls_free(&sc) && st == PAYLOCK_FAILED) {
		*may_hold = true;
	}
	return st;
}
