/* Replica acknowledgement: WAIT (or WAITAOF) pipelined behind every granting write, the replica count for
 * replicas => 'auto', and the verdict when fewer replicas than asked acknowledged in time. */
#include "php_paylock.h"
#include "redis_replicas.h"
#include "redis_durability.h"
#include "redis_router.h"
#include "tuning.h"
#include "token.h"

/* What this process learnt about one server's replication (PAYLOCK_G(replica_facts), keyed by where). */
typedef struct {
	int connected;     /* replicas ROLE listed (or a WAIT acknowledged) */
	int most;          /* 'auto': the most replicas seen connected, waited for until a drop is old enough */
	bool waitaof;      /* Redis >= 7.2 with AOF on: WAITAOF 1 n t instead of WAIT n t */
	bool stale;        /* look again before the next write: a reconnect or a failed pipeline */
	uint64_t at_ns;    /* when connected was looked at */
	uint64_t fewer_ns; /* when fewer than most were first seen (0: not seen): the hold counts from here */
} replica_facts;

#define ROLE_REPLICAS_AT 2 /* ROLE on a primary: "master", offset, [[ip, port, offset], ...] */
#define WAITAOF_VERSION  702

void paylock_replicas_facts_dtor(zval *zv)
{
	pefree(Z_PTR_P(zv), 1);
}

zend_result paylock_replicas_option(paylock_redis_client *c, const zend_string *key, zval *val, bool *known)
{
	*known = true;
	if (zend_string_equals_literal(key, "replicas")) {
		if (Z_TYPE_P(val) == IS_STRING && zend_string_equals_literal(Z_STR_P(val), "auto")) {
			c->replicas = PAYLOCK_REPLICAS_AUTO;
		} else if (Z_TYPE_P(val) != IS_LONG) {
			zend_argument_type_error(2, "option \"replicas\" must be of type int or \"auto\", %s given",
									 zend_zval_type_name(val));
			return FAILURE;
		} else if (Z_LVAL_P(val) < 0 || Z_LVAL_P(val) > PAYLOCK_REPLICAS_MAX) {
			zend_argument_value_error(2, "option \"replicas\" must be \"auto\" or 0 to %d",
									  PAYLOCK_REPLICAS_MAX);
			return FAILURE;
		} else {
			c->replicas = (int)Z_LVAL_P(val);
		}
		return SUCCESS;
	}
	if (zend_string_equals_literal(key, "replica_timeout")) {
		if (paylock_option_seconds(val, "replica_timeout", PAYLOCK_REPLICA_TIMEOUT_MAX_S, 2,
								   &c->replica_timeout) == FAILURE) {
			return FAILURE;
		}
		if (c->replica_timeout < PAYLOCK_REPLICA_TIMEOUT_MIN_S) {
			zend_argument_value_error(2, "option \"replica_timeout\" must be at least %g seconds",
									  PAYLOCK_REPLICA_TIMEOUT_MIN_S);
			return FAILURE;
		}
		return SUCCESS;
	}
	*known = false;
	return SUCCESS;
}

zend_result paylock_replicas_check_options(const paylock_redis_client *c)
{
	if (c->replicas != 0 && c->replica_timeout + PAYLOCK_REPLICA_WAIT_SLACK_S > c->read_timeout) {
		zend_argument_value_error(2,
								  "option \"replica_timeout\" (%g s) plus %g s (Redis ends a WAIT on its "
								  "clock tick) must fit in read_timeout (%g s): raise read_timeout or lower "
								  "replica_timeout",
								  c->replica_timeout, PAYLOCK_REPLICA_WAIT_SLACK_S, c->read_timeout);
		return FAILURE;
	}
	return SUCCESS;
}

static replica_facts *facts_find(const paylock_redis_client *c)
{
	return zend_hash_str_find_ptr(&PAYLOCK_G(replica_facts), c->where, strlen(c->where));
}

/* Looked at again before the next write; what 'auto' saw at most stays (a failover must not erase it). */
static void facts_forget(const paylock_redis_client *c)
{
	replica_facts *f = facts_find(c);

	if (f) {
		f->stale = true;
	}
}

static bool hold_over(const replica_facts *f, uint64_t now)
{
	return f->fewer_ns != 0 && now - f->fewer_ns > PAYLOCK_REPLICAS_AUTO_HOLD_NS;
}

/* The hold counts from the first time fewer replicas were seen, however long nobody wrote before. */
static void facts_seen(replica_facts *f, int connected, uint64_t now)
{
	f->connected = connected;
	f->at_ns = now;
	if (connected >= f->most) {
		f->most = connected;
		f->fewer_ns = 0;
	} else if (f->fewer_ns == 0) {
		f->fewer_ns = now;
	} else if (hold_over(f, now)) {
		f->most = connected;
		f->fewer_ns = 0;
	}
}

/* 'auto' waits for every replica connected and, for a while, for one that left: a primary whose replica
 * was just promoted looks exactly like one whose replica died, and must not acknowledge alone. */
static int auto_count(const replica_facts *f)
{
	return hold_over(f, paylock_now_ns()) ? f->connected : MAX(f->connected, f->most);
}

/* "7.2.4" -> 702 */
static int version_of(const char *v, size_t len)
{
	int major = 0, minor = 0;
	size_t i = 0;

	for (; i < len && v[i] >= '0' && v[i] <= '9'; i++) {
		major = major * 10 + (v[i] - '0');
	}
	for (i++; i < len && v[i] >= '0' && v[i] <= '9'; i++) {
		minor = minor * 10 + (v[i] - '0');
	}
	return major * 100 + minor;
}

/* What 'auto' saw before outlives a new look (a failover must not erase the replica that left). */
static void keep_history(const paylock_redis_client *c, replica_facts *f)
{
	const replica_facts *was = facts_find(c);

	if (was) {
		f->most = was->most;
		f->fewer_ns = was->fewer_ns;
	}
}

/* One round trip: ROLE (the replicas) and INFO server/persistence (whether WAITAOF can be used). */
static replica_facts *facts_probe(paylock_redis_client *c, paylock_error *err)
{
	const char *role[1] = {"ROLE"}, *srv[2] = {"INFO", "server"}, *per[2] = {"INFO", "persistence"};
	static const size_t role_l[1] = {4}, srv_l[2] = {4, 6}, per_l[2] = {4, 11};
	paylock_redis_cmd cmds[3] = {{1, role, role_l}, {2, srv, srv_l}, {2, per, per_l}};
	paylock_reply *r[3];
	replica_facts f = {0};
	const char *s;
	size_t len, vlen;

	if (paylock_redis_pipeline(c, 3, cmds, r, err) == PAYLOCK_FAILED) {
		return NULL;
	}
	if (paylock_reply_kind(r[0]) == PAYLOCK_REPLY_ERROR) {
		paylock_reply *e = r[0];

		r[0] = NULL;
		paylock_redis_error_reply(c, e, err);
		if (err->kind != PAYLOCK_ERR_CONNECTION && c->replicas == PAYLOCK_REPLICAS_AUTO) {
			size_t n = strlen(err->msg);

			snprintf(err->msg + n, sizeof(err->msg) - n,
					 "; replicas => 'auto' needs ROLE to count the replicas: allow it, or give a number");
		}
		if (err->kind == PAYLOCK_ERR_CONNECTION || c->replicas == PAYLOCK_REPLICAS_AUTO) {
			paylock_reply_free(r[1]);
			paylock_reply_free(r[2]);
			return NULL;
		}
	} else if (paylock_reply_count(r[0]) > ROLE_REPLICAS_AT &&
			   paylock_reply_kind(paylock_reply_at(r[0], ROLE_REPLICAS_AT)) == PAYLOCK_REPLY_ARRAY) {
		f.connected = (int)paylock_reply_count(paylock_reply_at(r[0], ROLE_REPLICAS_AT));
	}
	if (paylock_reply_kind(r[1]) == PAYLOCK_REPLY_STRING &&
		paylock_reply_kind(r[2]) == PAYLOCK_REPLY_STRING) {
		const char *v, *aof;

		s = paylock_reply_str(r[1], &len);
		v = paylock_info_field(s, len, "redis_version", &vlen);
		s = paylock_reply_str(r[2], &len);
		aof = paylock_info_field(s, len, "aof_enabled", &len);
		f.waitaof = v && version_of(v, vlen) >= WAITAOF_VERSION && aof && len == 1 && aof[0] == '1';
	}
	for (int i = 0; i < 3; i++) {
		paylock_reply_free(r[i]);
	}
	keep_history(c, &f);
	facts_seen(&f, f.connected, paylock_now_ns());
	return zend_hash_str_update_mem(&PAYLOCK_G(replica_facts), c->where, strlen(c->where), &f, sizeof(f));
}

/* Looked at again: after a reconnect or a failed pipeline; for 'auto' every second while fewer replicas
 * are connected than before (or none), so one that (re)attaches is waited for soon. */
static bool facts_outdated(const paylock_redis_client *c, const replica_facts *f)
{
	if (f->stale) {
		return true;
	}
	return c->replicas == PAYLOCK_REPLICAS_AUTO && (f->connected == 0 || f->connected < f->most) &&
		   paylock_now_ns() - f->at_ns > PAYLOCK_REPLICAS_RECHECK_NS;
}

/* The facts for c's server: known ones, or looked at now. */
static replica_facts *facts_for(paylock_redis_client *c, paylock_error *err)
{
	replica_facts *f = facts_find(c);

	return f && !facts_outdated(c, f) ? f : facts_probe(c, err);
}

static void read_ack(paylock_reply *w, bool waitaof, paylock_ack *ack)
{
	if (w == NULL) {
		return;
	}
	if (paylock_reply_kind(w) == PAYLOCK_REPLY_INTEGER) {
		ack->acked = (int)paylock_reply_int(w);
	} else if (waitaof && paylock_reply_count(w) == 2) { /* [local fsynced, replicas fsynced] */
		ack->acked = paylock_reply_int(paylock_reply_at(w, 0)) >= 1
						 ? (int)paylock_reply_int(paylock_reply_at(w, 1))
						 : 0;
	} else if (paylock_reply_kind(w) == PAYLOCK_REPLY_ERROR) {
		size_t len;
		const char *s = paylock_reply_str(w, &len);

		snprintf(ack->refused, sizeof(ack->refused), "%.*s", (int)len, s);
	}
	paylock_reply_free(w);
}

/* 'auto': every replica that acknowledged is remembered as connected. A count below the one asked may mean
 * a replica left: the count is looked at again, and one gone longer than the hold is not waited for
 * (Redisson's choice); within the hold the write is not acknowledged. */
static void auto_adjust(paylock_redis_client *c, paylock_ack *ack)
{
	replica_facts *f = facts_find(c);
	paylock_error ignored = {0};

	if (ack->acked >= ack->wanted) {
		if (f) {
			facts_seen(f, ack->acked, paylock_now_ns());
		}
		return;
	}
	facts_forget(c);
	f = facts_probe(c, &ignored);
	if (f && auto_count(f) <= ack->acked) {
		ack->wanted = auto_count(f);
	}
}

/* The command and the WAIT in one round trip; the command's reply (error replies too), or NULL. */
static paylock_reply *acked_run(paylock_redis_client *c, int argc, const char **argv, const size_t *lens,
								paylock_ack *ack, paylock_error *err)
{
	char n[12], ms[24];
	const char *wait[4];
	size_t wlens[4];
	paylock_redis_cmd cmds[2];
	paylock_reply *r[2];
	replica_facts *f;
	paylock_redis_client *node;
	bool waitaof;
	int want;

	memset(ack, 0, sizeof(*ack));
	if (c->replicas == 0) {
		return paylock_redis_command(c, argc, argv, lens, 0, err);
	}
	/* Facts belong to the server that runs the write: on a cluster the master of its key, each with its
	 * own replicas (the pipeline below is routed there by the same key). */
	if ((node = paylock_router_node_for(c, argc, argv, lens, err)) == NULL ||
		(f = facts_for(node, err)) == NULL) {
		return NULL;
	}
	want = c->replicas == PAYLOCK_REPLICAS_AUTO ? auto_count(f) : c->replicas;
	waitaof = f->waitaof;
	if (want == 0) {
		return paylock_redis_command(c, argc, argv, lens, 0, err);
	}
	wlens[0] = waitaof ? 7 : 4, wait[0] = waitaof ? "WAITAOF" : "WAIT";
	wlens[1] = 1, wait[1] = "1";
	wlens[waitaof ? 2 : 1] = snprintf(n, sizeof(n), "%d", want), wait[waitaof ? 2 : 1] = n;
	wlens[waitaof ? 3 : 2] = snprintf(ms, sizeof(ms), "%lld", (long long)(c->replica_timeout * 1000 + 0.5));
	wait[waitaof ? 3 : 2] = ms;
	cmds[0] = (paylock_redis_cmd){argc, argv, lens};
	cmds[1] = (paylock_redis_cmd){waitaof ? 4 : 3, wait, wlens};
	if (paylock_redis_pipeline(c, 2, cmds, r, err) == PAYLOCK_FAILED) {
		facts_forget(node); /* the next connection may reach another server (a failover) */
		return NULL;
	}
	if (c->reconnected) {
		facts_forget(node);
	}
	ack->wanted = want;
	read_ack(r[1], waitaof, ack);
	/* A write that followed ASK or MOVED ran on another master: its count says nothing about node's. */
	if (c->replicas == PAYLOCK_REPLICAS_AUTO && !ack->refused[0] && (c == node || c->answered == node)) {
		auto_adjust(node, ack);
	}
	return r[0];
}

paylock_reply *paylock_acked_command(paylock_redis_client *c, int argc, const char **argv, const size_t *lens,
									 paylock_ack *ack, paylock_error *err)
{
	return acked_run(c, argc, argv, lens, ack, err);
}

static bool is_noscript(paylock_reply *r)
{
	size_t len;
	const char *s;

	if (paylock_reply_kind(r) != PAYLOCK_REPLY_ERROR) {
		return false;
	}
	s = paylock_reply_str(r, &len);
	return len >= 8 && memcmp(s, "NOSCRIPT", 8) == 0;
}

paylock_reply *paylock_acked_eval(paylock_redis_client *c, paylock_script *s, int nkeys, int argc,
								  const char **argv, size_t *lens, paylock_ack *ack, paylock_error *err)
{
	char nk[12];
	paylock_reply *r;

	if (c->replicas == 0) {
		memset(ack, 0, sizeof(*ack));
		return paylock_redis_eval(c, s, nkeys, argc, argv, lens, err);
	}
	argv[0] = "EVALSHA", lens[0] = 7;
	argv[1] = s->sha, lens[1] = 40;
	argv[2] = nk, lens[2] = snprintf(nk, sizeof(nk), "%d", nkeys);
	r = acked_run(c, argc, argv, lens, ack, err);
	if (r && is_noscript(r)) { /* the script cache is empty (restart, SCRIPT FLUSH): EVAL loads it */
		paylock_reply_free(r);
		argv[0] = "EVAL", lens[0] = 4;
		argv[1] = s->body, lens[1] = strlen(s->body);
		r = acked_run(c, argc, argv, lens, ack, err);
	}
	if (r && paylock_reply_kind(r) == PAYLOCK_REPLY_ERROR) {
		paylock_redis_error_reply(c, r, err);
		return NULL;
	}
	return r;
}

paylock_status paylock_ack_verdict(const paylock_redis_client *c, const paylock_ack *ack, const char *what,
								   const char *then, paylock_error *err)
{
	if (ack->wanted == 0 || (ack->acked >= ack->wanted && !ack->refused[0])) {
		return PAYLOCK_YES;
	}
	paylock_error_set(err, PAYLOCK_ERR_CONNECTION,
					  "%s on Redis at %s but acknowledged by %d of %d replica%s within %.0f ms%s%s%s; %s",
					  what, c->where, ack->acked, ack->wanted, ack->wanted == 1 ? "" : "s",
					  c->replica_timeout * 1000, ack->refused[0] ? " (WAIT refused: " : "", ack->refused,
					  ack->refused[0] ? ")" : "", then);
	err->unreplicated = true;
	return PAYLOCK_FAILED;
}
