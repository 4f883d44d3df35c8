/* Durability checks: a Redis server that may evict PayLock's keys or loses everything on restart is
 * reported once per process per server, with the risk and the fix, and counted in stats(). Nothing here
 * costs a round trip after the first connection: the facts come with the connection setup. */
#include "php_paylock.h"
#include "redis_durability.h"
#include "events.h"

/* Per server (c->where) in PAYLOCK_G(eviction_checked), as a pointer-sized set of flags. */
#define SEEN           1U /* the facts were read */
#define NO_PERSISTENCE 2U /* neither AOF nor RDB save points */
#define PERSIST_WARNED 4U /* the no-persistence warning was given */

static uintptr_t flags_of(const paylock_redis_client *c)
{
	void *p = zend_hash_str_find_ptr(&PAYLOCK_G(eviction_checked), c->where, strlen(c->where));

	return (uintptr_t)p;
}

static void set_flags(const paylock_redis_client *c, uintptr_t f)
{
	zend_hash_str_update_ptr(&PAYLOCK_G(eviction_checked), c->where, strlen(c->where), (void *)f);
}

bool paylock_durability_known(const paylock_redis_client *c)
{
	return (flags_of(c) & SEEN) != 0;
}

const char *paylock_info_field(const char *info, size_t len, const char *name, size_t *out_len)
{
	size_t n = strlen(name);
	const char *p = info, *end = info + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', end - p);
		const char *line_end = eol ? eol : end;

		if ((size_t)(line_end - p) > n && memcmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;

			while (line_end > v && (line_end[-1] == '\r' || line_end[-1] == ' ')) {
				line_end--;
			}
			*out_len = line_end - v;
			return v;
		}
		p = eol ? eol + 1 : end;
	}
	return NULL;
}

/* Records on a server that keeps nothing across a restart: warned once per process per server. */
static void warn_no_persistence(const paylock_redis_client *c)
{
	uintptr_t flags = flags_of(c);

	if ((flags & NO_PERSISTENCE) && !(flags & PERSIST_WARNED)) {
		set_flags(c, flags | PERSIST_WARNED);
		PAYLOCK_G(stats).no_persistence++;
		if (!paylock_event_redis_risk("persistence", c->where, "", 0))
			paylock_deployment_warning(
				"Redis at %s keeps no data across a restart (no AOF, no RDB save points): a restart "
				"loses idempotency records and lets a completed payment step run again; enable "
				"appendonly yes (or RDB save points)",
				c->where);
	}
}

void paylock_durability_note(const paylock_redis_client *c, const paylock_durability_facts *f)
{
	set_flags(c, SEEN | (f->persistent == 0 ? NO_PERSISTENCE : 0));
	if (f->policy && !(f->policy_len == 10 && memcmp(f->policy, "noeviction", 10) == 0)) {
		PAYLOCK_G(stats).eviction_risk++;
		if (!paylock_event_redis_risk("eviction", c->where, f->policy, MIN(f->policy_len, 40)))
			paylock_deployment_warning(
				"Redis at %s has maxmemory-policy %.*s: under memory pressure it may evict lock keys "
				"(a second holder gets in), fencing counters and idempotency records (a payment "
				"step runs twice); set maxmemory-policy noeviction",
				c->where, (int)MIN(f->policy_len, 40), f->policy);
	}
	if (c->holds_records && !EG(exception)) {
		warn_no_persistence(c);
	}
}

/* Costs nothing: a server not looked at yet is looked at when the caller's command connects. */
void paylock_redis_durability_check(paylock_redis_client *c)
{
	c->holds_records = true;
	if (paylock_durability_known(c)) {
		warn_no_persistence(c);
	}
}
