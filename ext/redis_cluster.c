/* Redis Cluster routing (redis+cluster://). A command goes to the master of its first key's slot
 * (EVAL/EVALSHA: KEYS[1]; PayLock puts every key of one name, and every key a script touches, in the
 * name's hash tag, so one slot serves a whole call). The slot map comes from CLUSTER SLOTS of any
 * reachable node and is cached per process across requests, keyed by seeds and credentials; it holds
 * addresses only (connections stay in the pid-aware pool), so a forked child may use its copy.
 *
 * MOVED: the slot's new owner is noted and the whole map fetched again (a failover or resharding moves
 * more than one slot). ASK: ASKING + the command on the named node, map untouched. READONLY (a demoted
 * master) and a node that cannot be reached: the map is fetched again. TRYAGAIN, CLUSTERDOWN and
 * unreachable nodes are retried with a short pause for up to connect_timeout + read_timeout; redirects are
 * bounded. What the cluster cannot serve ends as a ConnectionException, so FallbackStore degrades. */
#include "php_paylock.h"
#include "redis_router_internal.h"
#include "redis_slot.h"
#include "token.h"
#include "tuning.h"
#include "ext/standard/info.h"

struct paylock_cluster_map {
	uint64_t loaded_ns; /* monotonic; 0: never loaded */
	bool stale;         /* fetch again before the next command */
	int nnodes;
	paylock_node_addr nodes[PAYLOCK_CLUSTER_MAX_NODES];
	uint8_t owner[PAYLOCK_CLUSTER_SLOTS]; /* node index + 1; 0: nobody serves the slot */
	/* Slots whose master the answer named without a usable address (port 0, host "?"): a Redis 7 node
	 * with tls-cluster tells a plain client port 0 for a node it learnt about over the TLS bus. */
	uint8_t unknown[PAYLOCK_CLUSTER_SLOTS / 8];
	int nunknown; /* such ranges in the answer: 0 is a usable map */
};

static bool slot_unknown(const paylock_cluster_map *m, uint16_t slot)
{
	return (m->unknown[slot >> 3] >> (slot & 7)) & 1;
}

/* cache key -> paylock_cluster_map* (persistent): outlives requests, like the connection pool. */
static HashTable *maps;
static uint64_t redirects, refreshes;

static void map_dtor(zval *zv)
{
	pefree(Z_PTR_P(zv), 1);
}

static paylock_cluster_map *map_of(const paylock_redis_router *rt)
{
	paylock_cluster_map *m;

	if (maps == NULL) {
		maps = pemalloc(sizeof(*maps), 1);
		zend_hash_init(maps, 4, NULL, map_dtor, 1);
	}
	m = zend_hash_find_ptr(maps, rt->cache_key);
	if (m == NULL) {
		m = pecalloc(1, sizeof(*m), 1);
		m->stale = true;
		zend_hash_str_update_ptr(maps, ZSTR_VAL(rt->cache_key), ZSTR_LEN(rt->cache_key), m);
	}
	return m;
}

/* The index + 1 of host:port in m (added when new); 0 when the table is full. */
static int node_index(paylock_cluster_map *m, const char *host, size_t hlen, int port)
{
	for (int i = 0; i < m->nnodes; i++) {
		if (m->nodes[i].port == port && strlen(m->nodes[i].host) == hlen &&
			memcmp(m->nodes[i].host, host, hlen) == 0) {
			return i + 1;
		}
	}
	if (m->nnodes == PAYLOCK_CLUSTER_MAX_NODES || hlen > PAYLOCK_ROUTER_HOST_MAX) {
		return 0;
	}
	memcpy(m->nodes[m->nnodes].host, host, hlen);
	m->nodes[m->nnodes].host[hlen] = '\0';
	m->nodes[m->nnodes].port = port;
	return ++m->nnodes;
}

/* Fills m from a CLUSTER SLOTS reply: [[start, end, [host, port, id...], replicas...]...]. An empty or
 * null host (the node does not know its address, or cluster-preferred-endpoint-type unknown-endpoint)
 * means the node we asked. Port 0 or host "?" (a hostname endpoint with no hostname set) is no address:
 * the range is noted unknown, never an owner, and map_load() asks other nodes. */
static bool parse_slots(paylock_cluster_map *m, const paylock_reply *r, const paylock_node_addr *asked)
{
	paylock_cluster_map *fresh;

	if (paylock_reply_kind(r) != PAYLOCK_REPLY_ARRAY) {
		return false;
	}
	fresh = ecalloc(1, sizeof(*fresh)); /* 80 kB: not on the stack */
	for (size_t i = 0; i < paylock_reply_count(r); i++) {
		paylock_reply *e = paylock_reply_at(r, i), *master, *h, *p;
		long long from, to;
		const char *host;
		size_t hlen;
		int idx;

		if (paylock_reply_kind(e) != PAYLOCK_REPLY_ARRAY || paylock_reply_count(e) < 3) {
			efree(fresh);
			return false;
		}
		master = paylock_reply_at(e, 2);
		if (paylock_reply_kind(paylock_reply_at(e, 0)) != PAYLOCK_REPLY_INTEGER ||
			paylock_reply_kind(paylock_reply_at(e, 1)) != PAYLOCK_REPLY_INTEGER ||
			paylock_reply_kind(master) != PAYLOCK_REPLY_ARRAY || paylock_reply_count(master) < 2) {
			efree(fresh);
			return false;
		}
		from = paylock_reply_int(paylock_reply_at(e, 0));
		to = paylock_reply_int(paylock_reply_at(e, 1));
		h = paylock_reply_at(master, 0);
		p = paylock_reply_at(master, 1);
		if (from < 0 || to >= PAYLOCK_CLUSTER_SLOTS || from > to ||
			(paylock_reply_kind(h) != PAYLOCK_REPLY_STRING && paylock_reply_kind(h) != PAYLOCK_REPLY_NIL) ||
			paylock_reply_kind(p) != PAYLOCK_REPLY_INTEGER) {
			efree(fresh);
			return false;
		}
		hlen = 0;
		host = paylock_reply_kind(h) == PAYLOCK_REPLY_NIL ? "" : paylock_reply_str(h, &hlen);
		if ((hlen == 1 && host[0] == '?') || paylock_reply_int(p) < 1 || paylock_reply_int(p) > 65535) {
			for (long long slot = from; slot <= to; slot++) {
				fresh->unknown[slot >> 3] |= (uint8_t)(1u << (slot & 7));
			}
			fresh->nunknown++;
			continue;
		}
		if (hlen == 0) {
			host = asked->host;
			hlen = strlen(host);
		}
		idx = node_index(fresh, host, hlen, (int)paylock_reply_int(p));
		if (idx == 0) {
			efree(fresh);
			return false;
		}
		memset(fresh->owner + from, idx, (size_t)(to - from + 1));
	}
	fresh->loaded_ns = paylock_now_ns();
	fresh->stale = false;
	*m = *fresh;
	efree(fresh);
	return true;
}

/* Asks one node for the map; PAYLOCK_NO when it could not answer (try the next one). */
static paylock_status load_from(paylock_redis_router *rt, paylock_cluster_map *m, const paylock_node_addr *a,
								paylock_error *err)
{
	static const char *argv[2] = {"CLUSTER", "SLOTS"};
	static const size_t lens[2] = {7, 5};
	paylock_redis_client *n = paylock_router_node(rt, a->host, a->port, false, err);
	paylock_reply *r;
	paylock_node_addr asked = *a; /* m->nodes is rewritten below */

	if (n == NULL || (r = paylock_redis_command(n, 2, argv, lens, 0, err)) == NULL) {
		return PAYLOCK_NO;
	}
	if (paylock_reply_kind(r) == PAYLOCK_REPLY_ERROR) {
		if (paylock_reply_error_is(r, "ERR This instance has cluster support disabled")) {
			paylock_error_set(
				err, PAYLOCK_ERR_STORE,
				"Redis at %s is not a cluster node (cluster support disabled): use redis:// for "
				"a standalone server",
				n->where);
			paylock_reply_free(r);
			return PAYLOCK_FAILED;
		}
		/* Classified as any error reply: NOPERM (an ACL without cluster|slots) and other errors are
		 * configuration errors (stop here), CLUSTERDOWN, LOADING and the like outages (try the next). */
		paylock_redis_error_reply(n, r, err);
		return err->kind == PAYLOCK_ERR_CONNECTION ? PAYLOCK_NO : PAYLOCK_FAILED;
	}
	if (!parse_slots(m, r, &asked)) {
		paylock_reply_free(r);
		paylock_redis_bad_reply(n, "CLUSTER SLOTS", err);
		return PAYLOCK_NO;
	}
	paylock_reply_free(r);
	refreshes++;
	return PAYLOCK_YES;
}

/* One node's answer in map_load(): DONE a usable map (or a configuration error), GO_ON ask the next. */
static bool load_done(paylock_status st, const paylock_cluster_map *m, bool *partial)
{
	if (st == PAYLOCK_YES && m->nunknown > 0) {
		*partial = true; /* kept unless another node knows every address */
		return false;
	}
	return st != PAYLOCK_NO;
}

/* Fetches the map from prefer (a redirect's target), the known nodes, then the seeds: the first answer
 * that names an address for every range wins; when none does, the last one that named some. */
static paylock_status map_load(paylock_redis_router *rt, paylock_cluster_map *m,
							   const paylock_node_addr *prefer, paylock_error *err)
{
	paylock_node_addr known[PAYLOCK_CLUSTER_MAX_NODES];
	int nknown = m->nnodes;
	paylock_status st;
	bool partial = false;

	memcpy(known, m->nodes, sizeof(known[0]) * (size_t)nknown);
	if (prefer && load_done(st = load_from(rt, m, prefer, err), m, &partial)) {
		return st;
	}
	for (int i = 0; i < nknown; i++) {
		if (load_done(st = load_from(rt, m, &known[i], err), m, &partial)) {
			return st;
		}
	}
	for (int i = 0; i < rt->nseeds; i++) {
		if (load_done(st = load_from(rt, m, &rt->seeds[i], err), m, &partial)) {
			return st;
		}
	}
	if (partial) {
		err->kind = PAYLOCK_ERR_NONE; /* what a later node could not say */
		err->msg[0] = '\0';
		return PAYLOCK_YES;
	}
	if (err->kind == PAYLOCK_ERR_NONE) {
		paylock_error_set(err, PAYLOCK_ERR_CONNECTION, "no Redis Cluster node answered");
	}
	return PAYLOCK_FAILED;
}

/* The error for a slot whose master every node named without an address. */
static void no_address(const paylock_redis_client *c, uint16_t slot, paylock_error *err)
{
	paylock_error_set(err, PAYLOCK_ERR_CONNECTION,
					  "Redis %s: no node gave a usable address for the master of slot %u (CLUSTER SLOTS said "
					  "port 0 or host \"?\": a node that announces only its TLS port, or a hostname endpoint "
					  "with no hostname; use rediss+cluster:// for a TLS cluster, or set cluster-announce-*)",
					  c->where, (unsigned)slot);
}

/* The key that picks the node: KEYS[1] of a script, else the first argument; none for PING and the like. */
/* True when the map names a master for slot, fetching it first when it is stale or has none; else
 * false with err set (a CONNECTION error when no node could tell) and the map marked stale. */
static bool slot_owner_known(paylock_redis_router *rt, paylock_cluster_map *m, const paylock_redis_client *c,
							 uint16_t slot, paylock_error *err)
{
	if (!(m->stale || m->owner[slot] == 0)) {
		return true;
	}
	if (map_load(rt, m, NULL, err) == PAYLOCK_YES && m->owner[slot] != 0) {
		return true;
	}
	m->stale = true;
	if (err->kind == PAYLOCK_ERR_NONE && slot_unknown(m, slot)) {
		no_address(c, slot, err);
	} else if (err->kind == PAYLOCK_ERR_NONE) {
		paylock_error_set(err, PAYLOCK_ERR_CONNECTION, "Redis %s has no master for slot %u", c->where,
						  (unsigned)slot);
	}
	return false;
}

static bool route_key(int argc, const char **argv, const size_t *lens, const char **key, size_t *klen)
{
	if ((lens[0] == 7 && strncasecmp(argv[0], "EVALSHA", 7) == 0) ||
		(lens[0] == 4 && strncasecmp(argv[0], "EVAL", 4) == 0)) {
		if (argc < 4 || (lens[2] == 1 && argv[2][0] == '0')) {
			return false;
		}
		*key = argv[3];
		*klen = lens[3];
		return true;
	}
	if (argc < 2 || (lens[0] == 4 && strncasecmp(argv[0], "PING", 4) == 0)) {
		return false;
	}
	*key = argv[1];
	*klen = lens[1];
	return true;
}

/* Whether every key of a script call is in slot (a MultiLock's names may not be). */
static bool one_slot(int argc, const char **argv, const size_t *lens, uint16_t slot)
{
	long nkeys;

	if (!((lens[0] == 7 && strncasecmp(argv[0], "EVALSHA", 7) == 0) ||
		  (lens[0] == 4 && strncasecmp(argv[0], "EVAL", 4) == 0))) {
		return true;
	}
	nkeys = strtol(argv[2], NULL, 10);
	for (long i = 1; i < nkeys && 3 + i < argc; i++) {
		if (paylock_redis_key_slot(argv[3 + i], lens[3 + i]) != slot) {
			return false;
		}
	}
	return true;
}

/* "MOVED 3999 127.0.0.1:6381" / "ASK 3999 host:port" -> the address. */
static bool redirect_target(const paylock_reply *r, paylock_node_addr *a)
{
	size_t len;
	const char *s = paylock_reply_str(r, &len), *sp = memchr(s, ' ', len), *sp2;
	char buf[PAYLOCK_ROUTER_HOST_MAX + 16];
	size_t n;

	if (sp == NULL || (sp2 = memchr(sp + 1, ' ', len - (size_t)(sp + 1 - s))) == NULL) {
		return false;
	}
	n = len - (size_t)(sp2 + 1 - s);
	if (n == 0 || n >= sizeof(buf)) {
		return false;
	}
	memcpy(buf, sp2 + 1, n);
	buf[n] = '\0';
	if (buf[0] == ':') { /* the node does not know its host: Redis means "the one you asked" (not us) */
		return false;
	}
	{
		char *colon = strrchr(buf, ':');
		long port;

		if (colon == NULL || colon == buf || (size_t)(colon - buf) > PAYLOCK_ROUTER_HOST_MAX) {
			return false;
		}
		port = strtol(colon + 1, NULL, 10);
		if (port < 1 || port > 65535) {
			return false;
		}
		*colon = '\0';
		snprintf(a->host, sizeof(a->host), "%s", buf[0] == '[' ? buf + 1 : buf);
		if (a->host[0] && a->host[strlen(a->host) - 1] == ']') {
			a->host[strlen(a->host) - 1] = '\0';
		}
		a->port = (int)port;
	}
	return true;
}

static paylock_reply *send_to(paylock_redis_client *c, paylock_redis_client *n, bool asking, int argc,
							  const char **argv, const size_t *lens, double extra_block_s, paylock_error *err)
{
	paylock_reply *r;

	n->holds_records = c->holds_records;
	if (asking) {
		static const char *a[1] = {"ASKING"};
		static const size_t al[1] = {6};

		r = paylock_redis_command(n, 1, a, al, 0, err);
		if (r == NULL) {
			paylock_router_took(c, n);
			c->unanswered = false; /* only ASKING was sent */
			return NULL;
		}
		paylock_reply_free(r);
	}
	r = paylock_redis_command(n, argc, argv, lens, extra_block_s, err);
	paylock_router_took(c, n);
	return r;
}

static paylock_reply *gave_up(paylock_redis_client *c, uint16_t slot, paylock_reply *r, paylock_error *err)
{
	size_t len = 0;
	const char *s = r ? paylock_reply_str(r, &len) : "";

	paylock_error_set(err, PAYLOCK_ERR_CONNECTION,
					  "Redis %s could not serve slot %u after %d redirects (last answer: %.*s)", c->where,
					  (unsigned)slot, PAYLOCK_CLUSTER_MAX_REDIRECTS, (int)MIN(len, 200), s);
	if (r) {
		paylock_reply_free(r);
	}
	return NULL;
}

paylock_reply *paylock_cluster_command(paylock_redis_client *c, int argc, const char **argv,
									   const size_t *lens, double extra_block_s, paylock_error *err)
{
	paylock_redis_router *rt = c->router;
	paylock_cluster_map *m = map_of(rt);
	const char *key = NULL;
	size_t klen = 0;
	uint16_t slot = route_key(argc, argv, lens, &key, &klen) ? paylock_redis_key_slot(key, klen) : 0;
	uint64_t until = paylock_now_ns() + (uint64_t)((c->connect_timeout + c->read_timeout) * 1e9);
	paylock_node_addr target, prefer;
	bool asking = false, was_asking = false, have_prefer = false;
	int hops = 0;

	c->reconnected = false;
	c->unanswered = false;
	if (key && !one_slot(argc, argv, lens, slot)) {
		paylock_error_set(err, PAYLOCK_ERR_STORE,
						  "Redis %s: the names of one MultiLock must hash to one slot, because it is "
						  "taken in one atomic script call: give them a common hash tag, e.g. "
						  "\"{cart42}product:7\" and \"{cart42}product:9\"",
						  c->where);
		return NULL;
	}
	for (;;) {
		paylock_redis_client *n;
		paylock_reply *r;

		if (!asking && (m->stale || m->owner[slot] == 0)) {
			paylock_status st = map_load(rt, m, have_prefer ? &prefer : NULL, err);

			have_prefer = false;
			if (st == PAYLOCK_FAILED && (err->kind != PAYLOCK_ERR_CONNECTION || paylock_now_ns() >= until)) {
				return NULL;
			}
			if (st == PAYLOCK_YES && m->owner[slot] == 0 && slot_unknown(m, slot)) {
				no_address(c, slot, err); /* every node was asked: waiting does not give an address */
				m->stale = true;
				return NULL;
			}
			if (st == PAYLOCK_FAILED || m->owner[slot] == 0) { /* nobody serves the slot yet: failover */
				if (paylock_now_ns() >= until) {
					paylock_error_set(err, PAYLOCK_ERR_CONNECTION,
									  "Redis %s has no master for slot %u (failover in progress?)", c->where,
									  (unsigned)slot);
					return NULL;
				}
				m->stale = true;
				paylock_redis_backoff(until);
				continue;
			}
		}
		if (!asking) {
			target = m->nodes[m->owner[slot] - 1];
		}
		n = paylock_router_node(rt, target.host, target.port, false, err);
		if (n == NULL) {
			return NULL;
		}
		r = send_to(c, n, asking, argc, argv, lens, extra_block_s, err);
		was_asking = asking;
		asking = false;
		if (r == NULL) { /* unreachable or broken: the node may be gone, ask the others who serves the slot */
			m->stale = true;
			if (c->unanswered || paylock_now_ns() >= until) {
				return NULL;
			}
			paylock_redis_backoff(until);
			continue;
		}
		if (paylock_reply_kind(r) != PAYLOCK_REPLY_ERROR) {
			return r;
		}
		if (paylock_reply_error_is(r, "MOVED ") || paylock_reply_error_is(r, "ASK ")) {
			bool ask = paylock_reply_error_is(r, "ASK ");

			redirects++;
			if (++hops > PAYLOCK_CLUSTER_MAX_REDIRECTS || !redirect_target(r, &target)) {
				return gave_up(c, slot, r, err);
			}
			paylock_reply_free(r);
			if (ask) {
				asking = true; /* the slot is migrating: this key only, once; the map stays */
			} else {
				int idx = node_index(m, target.host, strlen(target.host), target.port);

				if (idx) {
					m->owner[slot] = (uint8_t)idx;
				}
				m->stale = true; /* a failover or resharding moves more than this slot */
				prefer = target;
				have_prefer = true;
			}
			continue;
		}
		if (paylock_reply_error_is(r, "READONLY") && ++hops <= PAYLOCK_CLUSTER_MAX_REDIRECTS) {
			paylock_reply_free(r); /* a demoted master: nothing ran */
			m->stale = true;
			continue;
		}
		if ((paylock_reply_error_is(r, "TRYAGAIN") || paylock_reply_error_is(r, "CLUSTERDOWN")) &&
			paylock_now_ns() < until) {
			m->stale = paylock_reply_error_is(r, "CLUSTERDOWN") || m->stale;
			paylock_reply_free(r); /* nothing ran: a migration or a failover is under way */
			asking = was_asking; /* TRYAGAIN after ASKING: some keys are still moving, ask the target again */
			paylock_redis_backoff(until);
			continue;
		}
		return r; /* the caller's error (CLUSTERDOWN past the bound is a ConnectionException there) */
	}
}

/* The first reply of a pipeline that the cluster, not the command, answered; NULL when none did. */
static const paylock_reply *cluster_refusal(int n, paylock_reply **replies)
{
	static const char *const refusals[] = {"MOVED ", "ASK ", "READONLY", "TRYAGAIN", "CLUSTERDOWN"};

	for (int i = 0; i < n; i++) {
		for (size_t k = 0; k < sizeof(refusals) / sizeof(refusals[0]); k++) {
			if (paylock_reply_error_is(replies[i], refusals[k])) {
				return replies[i];
			}
		}
	}
	return NULL;
}

/* The pipeline on the node an ASK named: ASKING before each command (it holds for one command only). */
static paylock_status pipeline_asking(paylock_redis_client *node, int n, const paylock_redis_cmd *cmds,
									  paylock_reply **replies, paylock_error *err)
{
	static const char *a[1] = {"ASKING"};
	static const size_t al[1] = {6};
	paylock_redis_cmd both[PAYLOCK_REDIS_PIPELINE_MAX];
	paylock_reply *got[PAYLOCK_REDIS_PIPELINE_MAX];
	paylock_status st;

	for (int i = 0; i < n; i++) {
		both[2 * i] = (paylock_redis_cmd){1, a, al};
		both[2 * i + 1] = cmds[i];
	}
	st = paylock_redis_pipeline(node, 2 * n, both, got, err);
	for (int i = 0; i < n; i++) {
		if (st != PAYLOCK_FAILED && got[2 * i]) {
			paylock_reply_free(got[2 * i]);
		}
		replies[i] = st != PAYLOCK_FAILED ? got[2 * i + 1] : NULL;
	}
	return st;
}

/* A pipeline is about one name (a script and its WAIT, a staged value and its script), every command
 * idempotent by token: it goes to the node of the first command's key; when the cluster refused a command
 * (a redirect, TRYAGAIN, ...) the map is fixed and the whole pipeline sent again (after ASK: to the
 * migration's target, with ASKING, the map untouched). */
paylock_status paylock_cluster_pipeline(paylock_redis_client *c, int n, const paylock_redis_cmd *cmds,
										paylock_reply **replies, paylock_error *err)
{
	paylock_redis_router *rt = c->router;
	paylock_cluster_map *m = map_of(rt);
	const char *key = NULL;
	size_t klen = 0;
	uint16_t slot = route_key(cmds[0].argc, cmds[0].argv, cmds[0].lens, &key, &klen)
						? paylock_redis_key_slot(key, klen)
						: 0;
	uint64_t until = paylock_now_ns() + (uint64_t)((c->connect_timeout + c->read_timeout) * 1e9);
	paylock_node_addr target = {{0}, 0}; /* the ASK target while asking, else the owner */
	bool asking = false;

	if (n > PAYLOCK_REDIS_PIPELINE_MAX / 2) {
		zend_error_noreturn(E_CORE_ERROR, "PayLock: a cluster pipeline of %d commands (at most %d)", n,
							PAYLOCK_REDIS_PIPELINE_MAX / 2);
	}
	for (int hops = 0;; hops++) {
		paylock_redis_client *node;
		const paylock_reply *refused;
		paylock_status st;
		bool was_asking = asking;

		if (!asking) {
			if (!slot_owner_known(rt, m, c, slot, err)) {
				for (int i = 0; i < n; i++) {
					replies[i] = NULL;
				}
				return PAYLOCK_FAILED;
			}
			target = m->nodes[m->owner[slot] - 1];
		}
		node = paylock_router_node(rt, target.host, target.port, false, err);
		if (node == NULL) {
			return PAYLOCK_FAILED;
		}
		node->holds_records = c->holds_records;
		st = asking ? pipeline_asking(node, n, cmds, replies, err)
					: paylock_redis_pipeline(node, n, cmds, replies, err);
		paylock_router_took(c, node);
		asking = false;
		if (st == PAYLOCK_FAILED) {
			m->stale = true;
			return st;
		}
		refused = cluster_refusal(n, replies);
		if (refused == NULL || hops >= PAYLOCK_CLUSTER_MAX_REDIRECTS || paylock_now_ns() >= until) {
			return st; /* the caller's error: a redirect past the bound is a ConnectionException there */
		}
		if (paylock_reply_error_is(refused, "ASK ")) {
			redirects++;
			if (!redirect_target(refused, &target)) {
				return st;
			}
			asking = true; /* the slot is migrating: the map stays */
		} else if (paylock_reply_error_is(refused, "MOVED ")) {
			redirects++;
			if (redirect_target(refused, &target)) {
				int idx = node_index(m, target.host, strlen(target.host), target.port);

				if (idx) {
					m->owner[slot] = (uint8_t)idx;
				}
			}
			m->stale = true;
		} else {
			/* TRYAGAIN after ASKING: some keys are still moving, ask the target again */
			asking = was_asking && paylock_reply_error_is(refused, "TRYAGAIN");
			m->stale = m->stale || !asking;
			paylock_redis_backoff(until);
		}
		paylock_router_free_replies(n, replies);
	}
}

paylock_wake paylock_cluster_blpop(paylock_redis_client *c, const char *key, size_t key_len, double block_s,
								   uint64_t wake_ns, uint64_t deadline_ns, char *item, size_t item_max,
								   size_t *item_len, paylock_error *err)
{
	paylock_redis_router *rt = c->router;
	paylock_cluster_map *m = map_of(rt);
	uint16_t slot = paylock_redis_key_slot(key, key_len);
	paylock_redis_client *n;
	paylock_wake w;

	if (!slot_owner_known(rt, m, c, slot, err)) {
		return err->kind == PAYLOCK_ERR_CONNECTION ? PAYLOCK_WAKE_TIMED_OUT : PAYLOCK_WAKE_FAILED;
	}
	n = paylock_router_node(rt, m->nodes[m->owner[slot] - 1].host, m->nodes[m->owner[slot] - 1].port, false,
							err);
	if (n == NULL) {
		return PAYLOCK_WAKE_FAILED;
	}
	w = paylock_redis_blpop_item(n, key, key_len, block_s, wake_ns, deadline_ns, item, item_max, item_len,
								 err);
	if (w == PAYLOCK_WAKE_FAILED && err->kind == PAYLOCK_ERR_CONNECTION) {
		/* MOVED, READONLY, a dead node: the wake-up list lives elsewhere now. Look again (a routed command
		 * follows the cluster); the caller's deadline bounds the loop. */
		m->stale = true;
		err->kind = PAYLOCK_ERR_NONE;
		return deadline_ns && paylock_now_ns() >= deadline_ns ? PAYLOCK_WAKE_DEADLINE
															  : PAYLOCK_WAKE_TIMED_OUT;
	}
	return w;
}

paylock_redis_client *paylock_cluster_node_for(paylock_redis_client *c, int argc, const char **argv,
											   const size_t *lens, paylock_error *err)
{
	paylock_redis_router *rt = c->router;
	paylock_cluster_map *m = map_of(rt);
	const char *key = NULL;
	size_t klen = 0;
	uint16_t slot = route_key(argc, argv, lens, &key, &klen) ? paylock_redis_key_slot(key, klen) : 0;
	const paylock_node_addr *a;

	if (!slot_owner_known(rt, m, c, slot, err)) {
		return NULL;
	}
	a = &m->nodes[m->owner[slot] - 1];
	return paylock_router_node(rt, a->host, a->port, false, err);
}

static int addr_cmp(const void *a, const void *b)
{
	const paylock_node_addr *x = a, *y = b;
	int d = strcmp(x->host, y->host);

	return d ? d : x->port - y->port;
}

int paylock_cluster_masters(paylock_redis_client *c, paylock_redis_client **out, int max, paylock_error *err)
{
	paylock_redis_router *rt = c->router;
	paylock_cluster_map *m = map_of(rt);
	paylock_node_addr addrs[PAYLOCK_CLUSTER_MAX_NODES];
	int n;

	if ((m->stale || m->nnodes == 0) && map_load(rt, m, NULL, err) != PAYLOCK_YES) {
		m->stale = true;
		return -1;
	}
	n = MIN(m->nnodes, max);
	memcpy(addrs, m->nodes, sizeof(addrs[0]) * (size_t)n);
	qsort(addrs, (size_t)n, sizeof(addrs[0]), addr_cmp); /* a stable order for cursors across requests */
	for (int i = 0; i < n; i++) {
		if ((out[i] = paylock_router_node(rt, addrs[i].host, addrs[i].port, false, err)) == NULL) {
			return -1;
		}
	}
	return n;
}

void paylock_cluster_minfo(void)
{
	paylock_cluster_map *m;
	char buf[64];

	if (maps == NULL || zend_hash_num_elements(maps) == 0) {
		return;
	}
	snprintf(buf, sizeof(buf), "%u", zend_hash_num_elements(maps));
	php_info_print_table_row(2, "Redis Cluster slot maps cached", buf);
	ZEND_HASH_FOREACH_PTR(maps, m) {
		char row[128];

		snprintf(row, sizeof(row), "%d nodes, %s, age %.1f s", m->nnodes, m->stale ? "stale" : "fresh",
				 m->loaded_ns ? (double)(paylock_now_ns() - m->loaded_ns) / 1e9 : 0.0);
		php_info_print_table_row(2, "Redis Cluster slot map", row);
	}
	ZEND_HASH_FOREACH_END();
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)redirects);
	php_info_print_table_row(2, "Redis Cluster redirects followed", buf);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)refreshes);
	php_info_print_table_row(2, "Redis Cluster slot map fetches", buf);
}

void paylock_cluster_mshutdown(void)
{
	if (maps) {
		zend_hash_destroy(maps);
		pefree(maps, 1);
		maps = NULL;
	}
}
