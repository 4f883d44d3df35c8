/* Judging Redis replies: which error replies are outages and which are configuration errors (with the
 * messages that say how to fix them), and the checks of the login's replies (AUTH, SELECT, the scripting
 * probe, the durability facts, ROLE). */
#include "php_paylock.h"
#include "redis_io.h"
#include "redis_durability.h"
#include "token.h"

/* ---- error replies ---- */

static bool reply_starts(const paylock_reply *r, const char *lit)
{
	size_t len, n = strlen(lit);
	const char *s = paylock_reply_str(r, &len);

	return len >= n && memcmp(s, lit, n) == 0;
}

/* MOVED or ASK: a Cluster node that does not serve the slot. */
static bool error_is_redirect(const paylock_reply *r)
{
	return reply_starts(r, "MOVED ") || reply_starts(r, "ASK ");
}

/* Errors that say "this server cannot serve us now" (full, loading, a replica or a cluster in failover,
 * a script running too long, refused credentials) rather than "PayLock sent something wrong":
 * ConnectionException, so FallbackStore degrades. NOPERM is not among them: it is a configuration error.
 * MOVED/ASK only on a router's node client (a slot moving under redis+cluster://); on a plain redis://
 * client they mean a DSN pointed at a Cluster node, a configuration error. */
bool paylock_redis_reply_unavailable(const paylock_redis_client *c, const paylock_reply *r)
{
	static const char *const prefixes[] = {
		"ERR max number of clients",
		"LOADING",
		"MASTERDOWN",
		"CLUSTERDOWN",
		"TRYAGAIN",
		"READONLY",
		"BUSY ",
		"UNBLOCKED",
		"MISCONF",
		"NOAUTH",
		"WRONGPASS",
	};

	if (error_is_redirect(r)) {
		return c->router_node; /* routing follows it: redis_cluster.c */
	}
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		if (reply_starts(r, prefixes[i])) {
			return true;
		}
	}
	return false;
}

/* The ACL category a refused command belongs to, for the fix in the message. */
static const char *acl_category_hint(const char *s)
{
	if (strcasestr(s, "'eval") || strcasestr(s, "'script") || strcasestr(s, "'fcall")) {
		return "+@scripting";
	}
	if (strcasestr(s, "'cluster")) {
		return "+cluster|slots";
	}
	if (strcasestr(s, "'role")) {
		return "+role";
	}
	if (strcasestr(s, "'blpop")) {
		return "+@blocking";
	}
	if (strcasestr(s, "key") || strcasestr(s, "channel")) {
		return "a key pattern covering the prefix (~<prefix>*)";
	}
	return "+@scripting +@read +@write +@list +@blocking +@connection +time";
}

/* err from an error reply: CONNECTION when the server cannot serve now, a configuration STORE error for
 * NOPERM (naming what the ACL user lacks), else STORE. */
void paylock_redis_error_from_reply(const paylock_redis_client *c, const paylock_reply *r, paylock_error *err)
{
	size_t len;
	const char *s = paylock_reply_str(r, &len);

	if (reply_starts(r, "NOPERM")) {
		paylock_error_set(err, PAYLOCK_ERR_STORE,
						  "Redis at %s refused the ACL user%s%s the commands PayLock needs (%.*s): a "
						  "configuration error; grant it %s (ACL SETUSER %s ...)",
						  c->where, c->user ? " " : "", c->user ? c->user : "", (int)MIN(len, 120), s,
						  acl_category_hint(s), c->user ? c->user : "default");
		return;
	}
	if (!c->router_node && error_is_redirect(r)) {
		paylock_error_set(err, PAYLOCK_ERR_STORE,
						  "Redis at %s answered %.*s: a configuration error; this server is a Redis Cluster "
						  "node: use redis+cluster://seed1,seed2",
						  c->where, (int)MIN(len, 120), s);
		return;
	}
	paylock_error_set(err, paylock_redis_reply_unavailable(c, r) ? PAYLOCK_ERR_CONNECTION : PAYLOCK_ERR_STORE,
					  "Redis at %s answered: %.*s", c->where, (int)len, s);
}

paylock_status paylock_redis_error_reply(const paylock_redis_client *c, paylock_reply *r, paylock_error *err)
{
	paylock_redis_error_from_reply(c, r, err);
	paylock_reply_free(r);
	return PAYLOCK_FAILED;
}

paylock_status paylock_redis_bad_reply(const paylock_redis_client *c, const char *what, paylock_error *err)
{
	paylock_error_set(err, PAYLOCK_ERR_STORE, "Unexpected reply from Redis at %s to %s", c->where, what);
	return PAYLOCK_FAILED;
}

static const char *config_value(const paylock_reply *r, size_t *len)
{
	if (r && paylock_reply_kind(r) == PAYLOCK_REPLY_ARRAY && paylock_reply_count(r) == 2 &&
		paylock_reply_kind(paylock_reply_at(r, 1)) == PAYLOCK_REPLY_STRING) {
		return paylock_reply_str(paylock_reply_at(r, 1), len);
	}
	return NULL;
}

static const char *info_field(const paylock_reply *r, const char *name, size_t *len)
{
	size_t ilen;
	const char *info;

	if (r == NULL || paylock_reply_kind(r) != PAYLOCK_REPLY_STRING) {
		return NULL;
	}
	info = paylock_reply_str(r, &ilen);
	return paylock_info_field(info, ilen, name, len);
}

/* Eviction policy (CONFIG GET, else INFO memory) and persistence (CONFIG GET save/appendonly, else only
 * INFO persistence's aof_enabled) from the replies to the setup pipeline. */
static void read_facts(paylock_reply **r, paylock_durability_facts *f)
{
	size_t len = 0, aof_len = 0;
	const char *save = config_value(r[1], &len), *aof = config_value(r[2], &aof_len);

	f->policy = config_value(r[0], &f->policy_len);
	if (f->policy == NULL) {
		f->policy = info_field(r[3], "maxmemory_policy", &f->policy_len);
	}
	if (save && aof) {
		f->persistent = len > 0 || (aof_len == 3 && memcmp(aof, "yes", 3) == 0);
	} else if ((aof = info_field(r[4], "aof_enabled", &aof_len)) != NULL && aof_len == 1 && aof[0] == '1') {
		f->persistent = 1;
	} else {
		f->persistent = -1;
	}
}

/* AUTH and SELECT as the first two replies: a refusal of either fails the connection. */
zend_result paylock_redis_check_login(paylock_redis_client *c, paylock_reply **r, int *i, bool auth, bool sel,
									  paylock_error *err)
{
	if (auth && paylock_reply_kind(r[*i]) == PAYLOCK_REPLY_ERROR) {
		size_t len;
		const char *s = paylock_reply_str(r[*i], &len);

		paylock_error_set(err, PAYLOCK_ERR_CONNECTION, "Redis at %s: authentication failed: %.*s", c->where,
						  (int)len, s);
		return FAILURE;
	}
	*i += auth;
	if (sel && paylock_reply_kind(r[*i]) == PAYLOCK_REPLY_ERROR) {
		size_t len;
		const char *s = paylock_reply_str(r[*i], &len);

		if (reply_starts(r[*i], "NOPERM")) {
			paylock_redis_error_from_reply(c, r[*i], err); /* NOPERM for SELECT: a configuration error */
		} else {
			paylock_error_set(err, PAYLOCK_ERR_CONNECTION, "Redis at %s: SELECT failed: %.*s", c->where,
							  (int)len, s);
		}
		return FAILURE;
	}
	*i += sel;
	return SUCCESS;
}

/* What the first connection to a server learns, in the login's round trip: whether this ACL user may
 * run scripts (so a missing +@scripting is found before a lock is taken, not at its release), and once
 * per process per server the eviction policy and persistence (so no lock or replay path pays for it). */
zend_result paylock_redis_check_setup(paylock_redis_client *c, paylock_reply **r, int i, bool probe,
									  bool facts, paylock_error *err)
{
	int n = i + (probe ? 1 : 0) + (facts ? 5 : 0);

	for (int k = i; k < n; k++) {
		/* CONFIG and INFO may be refused (managed services): only the probe's NOPERM counts. */
		if (paylock_reply_kind(r[k]) == PAYLOCK_REPLY_ERROR &&
			(paylock_redis_reply_unavailable(c, r[k]) || (k == i && probe && reply_starts(r[k], "NOPERM")))) {
			paylock_redis_error_from_reply(c, r[k], err);
			return FAILURE;
		}
	}
	if (facts) {
		paylock_durability_facts f;

		read_facts(r + i + (probe ? 1 : 0), &f);
		paylock_durability_note(c, &f);
	}
	if (EG(exception)) { /* an error handler turned the warning into an exception: send nothing */
		err->kind = PAYLOCK_ERR_NONE;
		return FAILURE;
	}
	return SUCCESS;
}

/* A Sentinel's data node must still be master on every new connection: a pooled reconnect that lands on
 * a node demoted since discovery fails the connection (an outage), so the router asks the Sentinels again
 * instead of writing to (or reading stale data from) a replica. */
zend_result paylock_redis_check_role(paylock_redis_client *c, paylock_reply *r, paylock_error *err)
{
	size_t len = 0;
	const char *s = NULL;

	if (paylock_reply_kind(r) == PAYLOCK_REPLY_ERROR && reply_starts(r, "NOPERM")) {
		paylock_redis_error_from_reply(c, r, err); /* a configuration error naming +role */
		return FAILURE;
	}
	if (paylock_reply_kind(r) == PAYLOCK_REPLY_ARRAY && paylock_reply_count(r) > 0) {
		s = paylock_reply_str(paylock_reply_at(r, 0), &len);
	}
	if (s && len == 6 && memcmp(s, "master", 6) == 0) {
		return SUCCESS;
	}
	paylock_error_set(err, PAYLOCK_ERR_CONNECTION,
					  "Redis at %s was named the master by Sentinel, but ROLE there is not master (it says "
					  "%.*s): a failover in progress, a demoted master or a Sentinel with a stale view",
					  c->where, s ? (int)len : 7, s ? s : "unknown");
	return FAILURE;
}
