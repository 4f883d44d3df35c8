/* Routed Redis topologies: DSN parsing and per-node clients for redis+cluster:// and redis+sentinel://.
 * Every node gets an ordinary paylock_redis_client built from a plain redis:// DSN with the router's
 * credentials, query and options, so the pool, the setup checks and the error texts are the usual ones. */
#include "php_paylock.h"
#include "redis_router_internal.h"
#include "tuning.h"
#include "zend_smart_str.h"
#include "zend_exceptions.h"
#include "ext/standard/url.h"
#include "ext/standard/md5.h"
#include "ext/standard/info.h"
#include "ext/hash/php_hash.h"
#include "ext/hash/php_hash_sha.h"

static const struct {
	const char *scheme;
	bool sentinel, tls;
} schemes[] = {
	{"redis+cluster://", false, false},
	{"rediss+cluster://", false, true},
	{"redis+sentinel://", true, false},
	{"rediss+sentinel://", true, true},
};

static int scheme_of(const char *dsn, size_t len)
{
	for (int i = 0; i < (int)(sizeof(schemes) / sizeof(schemes[0])); i++) {
		size_t n = strlen(schemes[i].scheme);

		if (len >= n && strncasecmp(dsn, schemes[i].scheme, n) == 0) {
			return i;
		}
	}
	return -1;
}

bool paylock_router_dsn(const char *dsn, size_t len)
{
	return scheme_of(dsn, len) >= 0;
}

static zend_result router_bad(const char *what)
{
	zend_argument_value_error(1,
							  "is not a valid DSN: %s; expected redis+cluster://[user[:password]@]host:port,"
							  "host:port... or redis+sentinel://[user[:password]@]host:port,host:port.../"
							  "master-name[/db][?sentinel_password=P]",
							  what);
	return FAILURE;
}

static char *decoded(const char *s, size_t len)
{
	char *copy;

	if (len == 0) {
		return NULL;
	}
	copy = estrndup(s, len);
	php_raw_url_decode(copy, len);
	return copy;
}

static zend_result parse_addr(paylock_node_addr *a, const char *s, size_t len)
{
	const char *colon;
	char *end;
	long port;

	if (len > 1 && s[0] == '[') { /* [::1]:port */
		const char *close = memchr(s, ']', len);

		if (close == NULL || close + 1 >= s + len || close[1] != ':') {
			return FAILURE;
		}
		colon = close + 1;
		s++;
		len = (size_t)(close - s);
	} else {
		colon = memrchr(s, ':', len);
		if (colon == NULL) {
			return FAILURE;
		}
		len = (size_t)(colon - s);
	}
	if (len == 0 || len > PAYLOCK_ROUTER_HOST_MAX || !isdigit((unsigned char)colon[1])) {
		return FAILURE;
	}
	port = strtol(colon + 1, &end, 10);
	if (port < 1 || port > 65535 || (*end != '\0' && *end != ',' && *end != '/' && *end != '?')) {
		return FAILURE;
	}
	memcpy(a->host, s, len);
	a->host[len] = '\0';
	a->port = (int)port;
	return SUCCESS;
}

static zend_result parse_hosts(paylock_redis_router *rt, const char *s, size_t len)
{
	const char *p = s, *end = s + len;

	rt->seeds = ecalloc(PAYLOCK_ROUTER_MAX_SEEDS, sizeof(*rt->seeds));
	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		size_t n = comma ? (size_t)(comma - p) : (size_t)(end - p);
		char one[PAYLOCK_ROUTER_HOST_MAX + 16];

		if (rt->nseeds == PAYLOCK_ROUTER_MAX_SEEDS) {
			return router_bad("too many host:port pairs (at most " ZEND_TOSTR(PAYLOCK_ROUTER_MAX_SEEDS) ")");
		}
		if (n >= sizeof(one)) {
			return router_bad("a host name is too long");
		}
		memcpy(one, p, n);
		one[n] = '\0';
		if (parse_addr(&rt->seeds[rt->nseeds], one, n) == FAILURE) {
			return router_bad("every node must be host:port with a port from 1 to 65535");
		}
		rt->nseeds++;
		p += n + 1;
	}
	return rt->nseeds > 0 ? SUCCESS : router_bad("no host:port given");
}

/* sentinel_password=P is the router's; everything else in the query goes to every node's DSN. */
static zend_result parse_query(paylock_redis_router *rt, const char *q, size_t len)
{
	smart_str rest = {0};
	const char *p = q, *end = q + len;

	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		size_t n = amp ? (size_t)(amp - p) : (size_t)(end - p);

		if (n > sizeof("sentinel_password=") - 1 && strncmp(p, "sentinel_password=", 18) == 0) {
			if (!rt->sentinel) {
				smart_str_free(&rest);
				return router_bad("sentinel_password is for redis+sentinel://");
			}
			rt->sentinel_pass = decoded(p + 18, n - 18);
		} else if (n > 0) {
			if (rest.s) {
				smart_str_appendc(&rest, '&');
			}
			smart_str_appendl(&rest, p, n);
		}
		p += n + 1;
	}
	smart_str_0(&rest);
	rt->query = rest.s;
	return SUCCESS;
}

static zend_result parse_path(paylock_redis_router *rt, const char *p, size_t len)
{
	const char *slash;
	char *end;

	if (!rt->sentinel) {
		/* Cluster nodes have database 0 only (SELECT is refused in cluster mode). */
		if (len == 0 || (len == 1 && p[0] == '0')) {
			return SUCCESS;
		}
		return router_bad("a Redis Cluster has database 0 only (no /db)");
	}
	slash = memchr(p, '/', len);
	if ((slash ? (size_t)(slash - p) : len) == 0) {
		return router_bad("the Sentinel master name is missing (/master-name)");
	}
	rt->master_name = estrndup(p, slash ? (size_t)(slash - p) : len);
	if (slash && slash + 1 < p + len) {
		rt->db = (zend_long)strtol(slash + 1, &end, 10);
		if (end != p + len || rt->db < 0 || rt->db > 99999 || !isdigit((unsigned char)slash[1])) {
			return router_bad("the database number (/master-name/N) must be 0 to 99999");
		}
	}
	return SUCCESS;
}

static zend_result parse_router_dsn(paylock_redis_router *rt, const char *dsn, size_t len)
{
	const char *p = dsn + strlen(schemes[scheme_of(dsn, len)].scheme), *end = dsn + len, *q, *slash, *at;

	q = memchr(p, '?', (size_t)(end - p));
	if (q) {
		if (parse_query(rt, q + 1, (size_t)(end - q - 1)) == FAILURE) {
			return FAILURE;
		}
		end = q;
	}
	at = NULL;
	slash = memchr(p, '/', (size_t)(end - p));
	for (const char *s = p; s < (slash ? slash : end); s++) {
		if (*s == '@') {
			at = s;
		}
	}
	if (at) {
		const char *colon = memchr(p, ':', (size_t)(at - p));

		rt->user = decoded(p, colon ? (size_t)(colon - p) : (size_t)(at - p));
		rt->pass = colon ? decoded(colon + 1, (size_t)(at - colon - 1)) : NULL;
		p = at + 1;
	}
	if (parse_hosts(rt, p, (size_t)((slash ? slash : end) - p)) == FAILURE) {
		return FAILURE;
	}
	return parse_path(rt, slash ? slash + 1 : end, slash ? (size_t)(end - slash - 1) : 0);
}

static void append_enc(smart_str *s, const char *v)
{
	zend_string *e = php_raw_url_encode(v, strlen(v));

	smart_str_append(s, e);
	zend_string_release(e);
}

/* redis[s]://[user:pass@]host:port[/db][?query] for one node. */
static zend_string *node_dsn(const paylock_redis_router *rt, const char *host, int port, bool sentinel)
{
	smart_str s = {0};
	const char *pass = sentinel ? rt->sentinel_pass : rt->pass;

	smart_str_appends(&s, rt->tls ? "rediss://" : "redis://");
	if ((!sentinel && rt->user) || pass) {
		if (!sentinel && rt->user) {
			append_enc(&s, rt->user);
		}
		if (pass) {
			smart_str_appendc(&s, ':');
			append_enc(&s, pass);
		}
		smart_str_appendc(&s, '@');
	}
	if (strchr(host, ':')) {
		smart_str_append_printf(&s, "[%s]:%d", host, port);
	} else {
		smart_str_append_printf(&s, "%s:%d", host, port);
	}
	if (!sentinel && rt->db) {
		smart_str_append_printf(&s, "/" ZEND_LONG_FMT, rt->db);
	}
	if (!sentinel && rt->query && ZSTR_LEN(rt->query)) {
		smart_str_appendc(&s, '?');
		smart_str_append(&s, rt->query);
	}
	smart_str_0(&s);
	return s.s;
}

static void node_dtor(zval *zv)
{
	paylock_redis_client *n = Z_PTR_P(zv);

	paylock_redis_client_dtor(n);
	efree(n);
}

/* Sentinels answer with short timeouts (one that hangs must not eat the caller's deadline), and take of
 * the data nodes' options only the TLS settings (rediss+sentinel:// speaks TLS to both). */
static HashTable *sentinel_options(const paylock_redis_router *rt)
{
	HashTable *o = zend_new_array(3);
	zval v, *tls = rt->options ? zend_hash_str_find(rt->options, "tls", sizeof("tls") - 1) : NULL;

	if (tls) { /* the CA and client certificate settings are the Sentinels' too (rediss+sentinel://) */
		Z_TRY_ADDREF_P(tls);
		zend_hash_str_update(o, "tls", sizeof("tls") - 1, tls);
	}
	ZVAL_DOUBLE(&v, PAYLOCK_SENTINEL_TIMEOUT_S);
	zend_hash_str_update(o, "connect_timeout", sizeof("connect_timeout") - 1, &v);
	ZVAL_DOUBLE(&v, PAYLOCK_SENTINEL_TIMEOUT_S);
	zend_hash_str_update(o, "read_timeout", sizeof("read_timeout") - 1, &v);
	return o;
}

paylock_redis_client *paylock_router_node(paylock_redis_router *rt, const char *host, int port, bool sentinel,
										  paylock_error *err)
{
	char key[PAYLOCK_ROUTER_HOST_MAX + 16];
	size_t klen = (size_t)snprintf(key, sizeof(key), "%s%s:%d", sentinel ? "s|" : "", host, port);
	paylock_redis_client *n = zend_hash_str_find_ptr(&rt->nodes, key, klen);
	zend_string *dsn;
	HashTable *opts;
	zend_result ok;

	if (n) {
		return n;
	}
	dsn = node_dsn(rt, host, port, sentinel);
	opts = sentinel ? sentinel_options(rt) : rt->options;
	n = emalloc(sizeof(*n));
	ok = paylock_redis_client_init(n, dsn, opts);
	if (sentinel) {
		zend_array_release(opts);
	}
	zend_string_release(dsn);
	if (ok == FAILURE) {
		/* The settings were checked at construction: only an announced host name can be bad here. */
		paylock_redis_client_dtor(n);
		efree(n);
		if (EG(exception)) {
			zend_clear_exception();
		}
		paylock_error_set(err, PAYLOCK_ERR_CONNECTION, "Redis %s announced an unusable node address %s:%d",
						  sentinel ? "Sentinel" : "Cluster", host, port);
		return NULL;
	}
	n->router_node = true;
	if (!sentinel) { /* messages name the node and the topology it belongs to (the pool key is made) */
		char own[sizeof(n->where)];

		memcpy(own, n->where, sizeof(own));
		if (rt->sentinel) {
			snprintf(n->where, sizeof(n->where), "Sentinel master %s (%s)", own, rt->topology + 9);
		} else {
			snprintf(n->where, sizeof(n->where), "Cluster node %s (seeds %s)", own, rt->topology + 8);
		}
	}
	if (rt->sentinel && !sentinel) {
		zend_string *k = zend_string_concat2(ZSTR_VAL(n->pool_key), ZSTR_LEN(n->pool_key), "|master", 7);

		zend_string_release(n->pool_key); /* a connection checked by ROLE is pooled apart */
		n->pool_key = k;
		n->need_master = true;
	}
	return zend_hash_str_add_ptr(&rt->nodes, key, klen, n);
}

paylock_redis_client *paylock_router_node_for(paylock_redis_client *c, int argc, const char **argv,
											  const size_t *lens, paylock_error *err)
{
	if (c->router == NULL) {
		return c;
	}
	return c->router->sentinel ? paylock_sentinel_master(c, err)
							   : paylock_cluster_node_for(c, argc, argv, lens, err);
}

bool paylock_router_cluster(const paylock_redis_client *c)
{
	return c->router != NULL && !c->router->sentinel;
}

int paylock_router_masters(paylock_redis_client *c, paylock_redis_client **out, int max, paylock_error *err)
{
	if (c->router == NULL || c->router->sentinel) {
		out[0] = c; /* one data node (Sentinel: routed to the current master) */
		return 1;
	}
	return paylock_cluster_masters(c, out, max, err);
}

void paylock_router_took(paylock_redis_client *c, const paylock_redis_client *node)
{
	c->reconnected = node->reconnected;
	c->unanswered = node->unanswered;
	c->answered = node;
	memcpy(c->where, node->where, sizeof(c->where));
}

/* A routed call starts with no node: its messages name the topology until one answers or fails. */
static void router_where(paylock_redis_client *c)
{
	c->answered = NULL;
	memcpy(c->where, c->router->topology, sizeof(c->where));
}

static zend_string *cache_key(const paylock_redis_router *rt)
{
	smart_str s = {0};
	char pass_hash[65] = "";

	if (rt->pass || rt->sentinel_pass) {
		PHP_SHA256_CTX ctx;
		unsigned char digest[32];

		PHP_SHA256Init(&ctx);
		if (rt->pass) {
			PHP_SHA256Update(&ctx, (const unsigned char *)rt->pass, strlen(rt->pass) + 1);
		}
		if (rt->sentinel_pass) {
			PHP_SHA256Update(&ctx, (const unsigned char *)rt->sentinel_pass, strlen(rt->sentinel_pass));
		}
		PHP_SHA256Final(digest, &ctx);
		make_digest_ex(pass_hash, digest, 32);
	}
	smart_str_appends(&s, rt->sentinel ? "sentinel|" : "cluster|");
	smart_str_appends(&s, rt->tls ? "tls|" : "tcp|");
	for (int i = 0; i < rt->nseeds; i++) {
		smart_str_append_printf(&s, "%s:%d,", rt->seeds[i].host, rt->seeds[i].port);
	}
	smart_str_append_printf(&s, "|%s|%s|%s|" ZEND_LONG_FMT, rt->user ? rt->user : "", pass_hash,
							rt->master_name ? rt->master_name : "", rt->db);
	smart_str_0(&s);
	return s.s;
}

static void router_free(paylock_redis_router *rt)
{
	zend_hash_destroy(&rt->nodes);
	if (rt->pass) {
		ZEND_SECURE_ZERO(rt->pass, strlen(rt->pass));
		efree(rt->pass);
	}
	if (rt->sentinel_pass) {
		ZEND_SECURE_ZERO(rt->sentinel_pass, strlen(rt->sentinel_pass));
		efree(rt->sentinel_pass);
	}
	if (rt->user) {
		efree(rt->user);
	}
	if (rt->master_name) {
		efree(rt->master_name);
	}
	if (rt->seeds) {
		efree(rt->seeds);
	}
	if (rt->query) {
		zend_string_release(rt->query);
	}
	if (rt->options) {
		zend_array_release(rt->options);
	}
	if (rt->cache_key) {
		zend_string_release(rt->cache_key);
	}
	efree(rt);
}

zend_result paylock_router_init(paylock_redis_client *c, const char *dsn, size_t len, HashTable *options)
{
	paylock_redis_router *rt = ecalloc(1, sizeof(*rt));
	int k = scheme_of(dsn, len);
	zend_string *first;
	zend_result ok;

	rt->sentinel = schemes[k].sentinel;
	rt->tls = schemes[k].tls;
	zend_hash_init(&rt->nodes, 4, NULL, node_dtor, 0);
	memset(c, 0, sizeof(*c));
	if (parse_router_dsn(rt, dsn, len) == FAILURE) {
		router_free(rt);
		return FAILURE;
	}
	rt->options = options ? zend_array_dup(options) : NULL;
	rt->cache_key = cache_key(rt);
	/* c carries the settings (prefix, timeouts, where) and checks the options: as if for the first node. */
	first = node_dsn(rt, rt->seeds[0].host, rt->seeds[0].port, false);
	ok = paylock_redis_client_init(c, first, options);
	zend_string_release(first);
	if (ok == FAILURE) {
		router_free(rt);
		return FAILURE;
	}
	snprintf(c->where, sizeof(c->where), "%s %s:%d%s%s", rt->sentinel ? "Sentinel" : "Cluster",
			 rt->seeds[0].host, rt->seeds[0].port, rt->nseeds > 1 ? ",..." : "", rt->sentinel ? "" : "");
	if (rt->sentinel) {
		size_t n = strlen(c->where);

		snprintf(c->where + n, sizeof(c->where) - n, "/%s", rt->master_name);
	}
	memcpy(rt->topology, c->where, sizeof(rt->topology));
	c->router = rt;
	return SUCCESS;
}

void paylock_router_free(paylock_redis_client *c)
{
	if (c->router) {
		router_free(c->router);
		c->router = NULL;
	}
}

void paylock_router_free_replies(int n, paylock_reply **replies)
{
	for (int i = 0; i < n; i++) {
		if (replies[i]) {
			paylock_reply_free(replies[i]);
			replies[i] = NULL;
		}
	}
}

bool paylock_reply_error_is(const paylock_reply *r, const char *lit)
{
	size_t len, n = strlen(lit);
	const char *s;

	if (r == NULL || paylock_reply_kind(r) != PAYLOCK_REPLY_ERROR) {
		return false;
	}
	s = paylock_reply_str(r, &len);
	return len >= n && memcmp(s, lit, n) == 0;
}

paylock_reply *paylock_router_command(paylock_redis_client *c, int argc, const char **argv,
									  const size_t *lens, double extra_block_s, paylock_error *err)
{
	router_where(c);
	return c->router->sentinel ? paylock_sentinel_command(c, argc, argv, lens, extra_block_s, err)
							   : paylock_cluster_command(c, argc, argv, lens, extra_block_s, err);
}

paylock_status paylock_router_pipeline(paylock_redis_client *c, int n, const paylock_redis_cmd *cmds,
									   paylock_reply **replies, paylock_error *err)
{
	router_where(c);
	return c->router->sentinel ? paylock_sentinel_pipeline(c, n, cmds, replies, err)
							   : paylock_cluster_pipeline(c, n, cmds, replies, err);
}

paylock_wake paylock_router_blpop(paylock_redis_client *c, const char *key, size_t key_len, double block_s,
								  uint64_t wake_ns, uint64_t deadline_ns, char *item, size_t item_max,
								  size_t *item_len, paylock_error *err)
{
	router_where(c);
	return c->router->sentinel ? paylock_sentinel_blpop(c, key, key_len, block_s, wake_ns, deadline_ns, item,
														item_max, item_len, err)
							   : paylock_cluster_blpop(c, key, key_len, block_s, wake_ns, deadline_ns, item,
													   item_max, item_len, err);
}

bool paylock_router_slotted(const paylock_redis_client *c)
{
	return c->router != NULL && !c->router->sentinel;
}

void paylock_router_minfo(void)
{
	paylock_cluster_minfo();
	paylock_sentinel_minfo();
}

void paylock_router_mshutdown(void)
{
	paylock_cluster_mshutdown();
	paylock_sentinel_mshutdown();
}
