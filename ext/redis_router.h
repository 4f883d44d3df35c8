/* Redis behind a router: a Redis Cluster (redis+cluster://) or a Sentinel-managed primary
 * (redis+sentinel://). The client keeps its usual settings (prefix, timeouts, credentials); every command
 * goes through the router, which picks a per-node client (an ordinary paylock_redis_client) and follows
 * the topology. redis_conn.c calls in at four marked places: client init, dtor, command and BLPOP. */
#ifndef PAYLOCK_REDIS_ROUTER_H
#define PAYLOCK_REDIS_ROUTER_H

#include "redis_conn.h"

/* Whether dsn names a routed topology (redis+cluster://, rediss+cluster://, redis+sentinel://...). */
bool paylock_router_dsn(const char *dsn, size_t len);
/* Parses the DSN and sets up c (throws ValueError/ConnectionException like paylock_redis_client_init). */
zend_result paylock_router_init(paylock_redis_client *c, const char *dsn, size_t len, HashTable *options);
void paylock_router_free(paylock_redis_client *c);

/* paylock_redis_command through the router: the node is picked by the slot of the first key (EVAL and
 * EVALSHA: KEYS[1]); redirects, failovers and re-discovery are followed within bounds. */
paylock_reply *paylock_router_command(paylock_redis_client *c, int argc, const char **argv,
									  const size_t *lens, double extra_block_s, paylock_error *err);
/* paylock_redis_pipeline through the router: the node of the first command's key (a pipeline is about
 * one name); redirects and re-discovery as for commands, judged by the first reply. */
paylock_status paylock_router_pipeline(paylock_redis_client *c, int n, const paylock_redis_cmd *cmds,
									   paylock_reply **replies, paylock_error *err);
/* paylock_redis_blpop on the node of key's slot; a node that stops serving the slot reads as TIMED_OUT
 * (the caller looks again through a routed command, which follows the topology). */
paylock_wake paylock_router_blpop(paylock_redis_client *c, const char *key, size_t key_len, double block_s,
								  uint64_t wake_ns, uint64_t deadline_ns, paylock_error *err);

/* Whether keys in different hash slots must go in different calls (a Redis Cluster). */
bool paylock_router_slotted(const paylock_redis_client *c);

/* For phpinfo() (php --ri paylock). */
void paylock_router_minfo(void);
/* Frees the per-process topology caches (MSHUTDOWN). */
void paylock_router_mshutdown(void);

#endif
