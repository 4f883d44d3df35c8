/* What redis_router.c, redis_cluster.c and redis_sentinel.c share, and nothing else includes. */
#ifndef PAYLOCK_REDIS_ROUTER_INTERNAL_H
#define PAYLOCK_REDIS_ROUTER_INTERNAL_H

#include "redis_router.h"

#define PAYLOCK_ROUTER_HOST_MAX 255

typedef struct {
	char host[PAYLOCK_ROUTER_HOST_MAX + 1];
	int port;
} paylock_node_addr;

typedef struct paylock_cluster_map paylock_cluster_map;

struct paylock_redis_router {
	bool sentinel; /* else a cluster */
	bool tls;
	int nseeds;
	paylock_node_addr *seeds;
	char *user, *pass; /* the data nodes' credentials (decoded), or NULL */
	zend_long db;
	zend_string *query;     /* the DSN's query, passed on to every node's DSN; or NULL */
	HashTable *options;     /* the constructor's options, for every node client; or NULL */
	zend_string *cache_key; /* kind, seeds, user, password hash: the per-process topology cache's key */
	HashTable nodes;        /* "host:port" -> paylock_redis_client* (data nodes and Sentinels) */
	char topology[160]; /* "Cluster h:p,..." / "Sentinel h:p,.../name": the client's where between calls */
	/* Sentinel only */
	char *master_name;
	char *sentinel_pass;
	paylock_redis_client *master; /* the current primary's client, or NULL: discover */
};

/* The client for host:port (created on first use with the router's settings; Sentinels without them). */
paylock_redis_client *paylock_router_node(paylock_redis_router *rt, const char *host, int port, bool sentinel,
										  paylock_error *err);
/* Copies what the caller reads after a command (reconnected, unanswered, where: the node that answered or
 * failed, for the messages) from the node's client. */
void paylock_router_took(paylock_redis_client *c, const paylock_redis_client *node);
void paylock_router_free_replies(int n, paylock_reply **replies);
/* Whether an error reply starts with the text lit. */
bool paylock_reply_error_is(const paylock_reply *r, const char *lit);

paylock_reply *paylock_cluster_command(paylock_redis_client *c, int argc, const char **argv,
									   const size_t *lens, double extra_block_s, paylock_error *err);
paylock_status paylock_cluster_pipeline(paylock_redis_client *c, int n, const paylock_redis_cmd *cmds,
										paylock_reply **replies, paylock_error *err);
paylock_status paylock_sentinel_pipeline(paylock_redis_client *c, int n, const paylock_redis_cmd *cmds,
										 paylock_reply **replies, paylock_error *err);
paylock_wake paylock_cluster_blpop(paylock_redis_client *c, const char *key, size_t key_len, double block_s,
								   uint64_t wake_ns, uint64_t deadline_ns, char *item, size_t item_max,
								   size_t *item_len, paylock_error *err);
/* The client of the master that serves the command's key now (the map fetched when stale). */
paylock_redis_client *paylock_cluster_node_for(paylock_redis_client *c, int argc, const char **argv,
											   const size_t *lens, paylock_error *err);
/* The current master's client (discovered when unknown). */
paylock_redis_client *paylock_sentinel_master(paylock_redis_client *c, paylock_error *err);
/* The cluster's masters' clients (at most max), ordered by address; -1 with err when no map. */
int paylock_cluster_masters(paylock_redis_client *c, paylock_redis_client **out, int max, paylock_error *err);
void paylock_cluster_minfo(void);
void paylock_cluster_mshutdown(void);

paylock_reply *paylock_sentinel_command(paylock_redis_client *c, int argc, const char **argv,
										const size_t *lens, double extra_block_s, paylock_error *err);
paylock_wake paylock_sentinel_blpop(paylock_redis_client *c, const char *key, size_t key_len, double block_s,
									uint64_t wake_ns, uint64_t deadline_ns, char *item, size_t item_max,
									size_t *item_len, paylock_error *err);
void paylock_sentinel_minfo(void);
void paylock_sentinel_mshutdown(void);

#endif
