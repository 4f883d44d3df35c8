/* Sentinel discovery (redis+sentinel://). The Sentinels are asked in turn (short timeouts) for the
 * master's address; the answer is trusted only after ROLE on the master says "master" (a Sentinel with a
 * stale view, or a restarted old master, is caught there). The address is cached per process across
 * requests, keyed by Sentinels, master name and credentials. Re-discovery on a broken or refused
 * connection and on READONLY, MASTERDOWN, LOADING and UNBLOCKED; the command is sent again once when
 * it cannot have run. Sentinel cannot close the window in which a demoted master still accepts writes
 * (until Sentinel reconfigures it): replica acknowledgement does. */
#include "php_paylock.h"
#include "redis_router_internal.h"
#include "tuning.h"
#include "token.h"
#include "ext/standard/info.h"

/* cache key -> paylock_node_addr* (persistent) of the master last confirmed by ROLE. */
static HashTable *masters;
static uint64_t discoveries;

static void addr_dtor(zval *zv)
{
	pefree(Z_PTR_P(zv), 1);
}

static void forget(paylock_redis_router *rt)
{
	rt->master = NULL;
	if (masters) {
		zend_hash_del(masters, rt->cache_key);
	}
}

/* Whether the node's ROLE reply starts with "master". */
static bool is_master(paylock_redis_client *n, paylock_error *err)
{
	static const char *argv[1] = {"ROLE"};
	static const size_t lens[1] = {4};
	paylock_reply *r = paylock_redis_command(n, 1, argv, lens, 0, err);
	bool yes = false;

	if (r && paylock_reply_kind(r) == PAYLOCK_REPLY_ERROR && paylock_reply_error_is(r, "NOPERM")) {
		paylock_redis_error_reply(n, r, err); /* a configuration error (STORE) naming +role */
		return false;
	}
	if (r && paylock_reply_kind(r) == PAYLOCK_REPLY_ARRAY && paylock_reply_count(r) > 0) {
		size_t len;
		const char *s = paylock_reply_str(paylock_reply_at(r, 0), &len);

		yes = s && len == 6 && memcmp(s, "master", 6) == 0;
	}
	if (r) {
		paylock_reply_free(r);
	}
	return yes;
}

/* Asks one Sentinel; the master's client when its answer passed the ROLE check. *said_nil: the Sentinel
 * answered nil (it knows no master of that name); *answered: it answered at all. */
static paylock_redis_client *ask(paylock_redis_client *c, const paylock_node_addr *s, bool *answered,
								 bool *said_nil, paylock_error *err)
{
	paylock_redis_router *rt = c->router;
	const char *argv[3] = {"SENTINEL", "get-master-addr-by-name", rt->master_name};
	size_t lens[3] = {8, 23, strlen(rt->master_name)};
	paylock_redis_client *sc = paylock_router_node(rt, s->host, s->port, true, err), *n;
	paylock_reply *r, *h, *p;
	paylock_node_addr a;
	size_t hlen, plen;
	const char *host, *port;

	if (sc == NULL || (r = paylock_redis_command(sc, 3, argv, lens, 0, err)) == NULL) {
		return NULL;
	}
	*answered = true;
	*said_nil = paylock_reply_kind(r) == PAYLOCK_REPLY_NIL;
	if (paylock_reply_kind(r) != PAYLOCK_REPLY_ARRAY || paylock_reply_count(r) != 2 ||
		paylock_reply_kind(h = paylock_reply_at(r, 0)) != PAYLOCK_REPLY_STRING ||
		paylock_reply_kind(p = paylock_reply_at(r, 1)) != PAYLOCK_REPLY_STRING) {
		paylock_error_set(err, PAYLOCK_ERR_CONNECTION,
						  "Sentinel at %s does not know a master named \"%s\" (or answered something else)",
						  sc->where, rt->master_name);
		paylock_reply_free(r);
		return NULL;
	}
	host = paylock_reply_str(h, &hlen);
	port = paylock_reply_str(p, &plen);
	if (hlen == 0 || hlen > PAYLOCK_ROUTER_HOST_MAX || plen == 0 || plen > 5) {
		paylock_reply_free(r);
		paylock_error_set(err, PAYLOCK_ERR_CONNECTION, "Sentinel at %s named an unusable master address",
						  sc->where);
		return NULL;
	}
	memcpy(a.host, host, hlen);
	a.host[hlen] = '\0';
	a.port = atoi(port);
	paylock_reply_free(r);
	n = paylock_router_node(rt, a.host, a.port, false, err);
	if (n == NULL) {
		return NULL;
	}
	err->kind = PAYLOCK_ERR_NONE;
	if (!is_master(n, err)) {
		if (err->kind == PAYLOCK_ERR_NONE) {
			paylock_error_set(err, PAYLOCK_ERR_CONNECTION,
							  "Sentinel at %s named %s:%d the master of \"%s\", but ROLE there is not master "
							  "(a failover in progress, or a Sentinel with a stale view)",
							  sc->where, a.host, a.port, rt->master_name);
		}
		return NULL;
	}
	if (masters == NULL) {
		masters = pemalloc(sizeof(*masters), 1);
		zend_hash_init(masters, 4, NULL, addr_dtor, 1);
	}
	{
		paylock_node_addr *keep = pemalloc(sizeof(*keep), 1);

		*keep = a;
		zend_hash_str_update_ptr(masters, ZSTR_VAL(rt->cache_key), ZSTR_LEN(rt->cache_key), keep);
	}
	discoveries++;
	return n;
}

static paylock_redis_client *master_of(paylock_redis_client *c, paylock_error *err)
{
	paylock_redis_router *rt = c->router;
	paylock_node_addr *known;
	bool all_nil = true, any_answered = false;

	if (rt->master) {
		return rt->master;
	}
	known = masters ? zend_hash_find_ptr(masters, rt->cache_key) : NULL;
	if (known) {
		rt->master = paylock_router_node(rt, known->host, known->port, false, err);
		return rt->master;
	}
	for (int i = 0; i < rt->nseeds; i++) {
		bool answered = false, said_nil = false;

		if ((rt->master = ask(c, &rt->seeds[i], &answered, &said_nil, err)) != NULL) {
			return rt->master;
		}
		if (err->kind == PAYLOCK_ERR_STORE) {
			return NULL; /* a configuration error (NOPERM for ROLE) */
		}
		any_answered = any_answered || answered;
		all_nil = all_nil && (!answered || said_nil);
	}
	/* Every Sentinel that answered knows no such master: a typo in the name, not an outage. */
	if (any_answered && all_nil) {
		paylock_error_set(err, PAYLOCK_ERR_STORE,
						  "no Sentinel knows a master named \"%s\": a configuration error (check the master "
						  "name in the DSN, redis+sentinel://host:port/<name>)",
						  rt->master_name);
	}
	return NULL;
}

paylock_redis_client *paylock_sentinel_master(paylock_redis_client *c, paylock_error *err)
{
	return master_of(c, err);
}

/* Errors of a master that stopped being one (or cannot serve yet): ask the Sentinels again. */
static bool means_rediscover(const paylock_reply *r)
{
	return paylock_reply_error_is(r, "READONLY") || paylock_reply_error_is(r, "MASTERDOWN") ||
		   paylock_reply_error_is(r, "LOADING") || paylock_reply_error_is(r, "UNBLOCKED");
}

paylock_reply *paylock_sentinel_command(paylock_redis_client *c, int argc, const char **argv,
										const size_t *lens, double extra_block_s, paylock_error *err)
{
	paylock_redis_router *rt = c->router;

	c->reconnected = false;
	c->unanswered = false;
	for (int attempt = 0;; attempt++) {
		paylock_redis_client *n = master_of(c, err);
		paylock_reply *r;

		if (n == NULL) {
			return NULL;
		}
		n->holds_records = c->holds_records;
		r = paylock_redis_command(n, argc, argv, lens, extra_block_s, err);
		paylock_router_took(c, n);
		if (r == NULL) {
			forget(rt);
			if (c->unanswered || attempt == 1) {
				return NULL;
			}
			continue;
		}
		if (means_rediscover(r)) {
			forget(rt);
			if (attempt == 0) {
				paylock_reply_free(r); /* nothing ran */
				continue;
			}
		}
		return r;
	}
}

paylock_status paylock_sentinel_pipeline(paylock_redis_client *c, int n, const paylock_redis_cmd *cmds,
										 paylock_reply **replies, paylock_error *err)
{
	for (int attempt = 0;; attempt++) {
		paylock_redis_client *node = master_of(c, err);
		paylock_status st;

		if (node == NULL) {
			for (int i = 0; i < n; i++) {
				replies[i] = NULL;
			}
			return PAYLOCK_FAILED;
		}
		node->holds_records = c->holds_records;
		st = paylock_redis_pipeline(node, n, cmds, replies, err);
		paylock_router_took(c, node);
		if (st == PAYLOCK_FAILED) {
			forget(c->router);
			if (c->unanswered || attempt == 1) {
				return st;
			}
			continue;
		}
		if (means_rediscover(replies[0])) {
			forget(c->router);
			if (attempt == 0) {
				paylock_router_free_replies(n, replies); /* the first command did not run */
				continue;
			}
		}
		return st;
	}
}

paylock_wake paylock_sentinel_blpop(paylock_redis_client *c, const char *key, size_t key_len, double block_s,
									uint64_t wake_ns, uint64_t deadline_ns, char *item, size_t item_max,
									size_t *item_len, paylock_error *err)
{
	paylock_redis_client *n = master_of(c, err);
	paylock_wake w;

	if (n == NULL) {
		return err->kind == PAYLOCK_ERR_CONNECTION ? PAYLOCK_WAKE_TIMED_OUT : PAYLOCK_WAKE_FAILED;
	}
	w = paylock_redis_blpop_item(n, key, key_len, block_s, wake_ns, deadline_ns, item, item_max, item_len,
								 err);
	if (w == PAYLOCK_WAKE_FAILED && err->kind == PAYLOCK_ERR_CONNECTION) {
		forget(c->router); /* the master went away or was demoted: a routed command looks again */
		err->kind = PAYLOCK_ERR_NONE;
		return deadline_ns && paylock_now_ns() >= deadline_ns ? PAYLOCK_WAKE_DEADLINE
															  : PAYLOCK_WAKE_TIMED_OUT;
	}
	return w;
}

void paylock_sentinel_minfo(void)
{
	paylock_node_addr *a;
	char buf[PAYLOCK_ROUTER_HOST_MAX + 64];

	if (masters == NULL || zend_hash_num_elements(masters) == 0) {
		return;
	}
	ZEND_HASH_FOREACH_PTR(masters, a) {
		snprintf(buf, sizeof(buf), "%s:%d", a->host, a->port);
		php_info_print_table_row(2, "Redis Sentinel master", buf);
	}
	ZEND_HASH_FOREACH_END();
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)discoveries);
	php_info_print_table_row(2, "Redis Sentinel discoveries", buf);
}

void paylock_sentinel_mshutdown(void)
{
	if (masters) {
		zend_hash_destroy(masters);
		pefree(masters, 1);
		masters = NULL;
	}
}
