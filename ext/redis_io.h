/* What the Redis connection layers share (transport, RESP, pool, command execution); stores use
 * redis_conn.h only. */
#ifndef PAYLOCK_REDIS_IO_H
#define PAYLOCK_REDIS_IO_H

#include "redis_conn.h"
#include "redis_resp.h"
#include "redis_transport.h"

struct paylock_redis_conn {
	paylock_transport t;
	paylock_resp_reader *reader;
	pid_t pid; /* the process that connected; a forked child never speaks on it */
	uint64_t last_used_ns;
	bool answered; /* a reply was read: the port speaks RESP */
};

/* redis_pool.c: the usable connection for c, pooled or private, re-made after fork or when the peer
 * closed while it idled; *fresh when it was just made. */
paylock_redis_conn *paylock_redis_conn_get(paylock_redis_client *c, bool *fresh, paylock_error *err);
/* Forgets and frees c's connection (a half-read reply makes it unusable). */
void paylock_redis_conn_drop(paylock_redis_client *c, paylock_redis_conn *conn);

/* Frees c's private connection (not a pooled one); never speaks on it. */
void paylock_redis_client_close(paylock_redis_client *c);

/* redis_exec.c: connects, authenticates, selects the database and runs the first-connection checks. */
paylock_redis_conn *paylock_redis_conn_open(paylock_redis_client *c, paylock_error *err);

#endif
