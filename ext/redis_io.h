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
	bool answered;                  /* a reply was read: the port speaks RESP */
	paylock_redis_pending *pending; /* a deferred command's reply still owed on this socket, or NULL */
};

/* redis_pool.c: the usable connection for c, pooled or private, re-made after fork or when the peer
 * closed while it idled; *fresh when it was just made. */
paylock_redis_conn *paylock_redis_conn_get(paylock_redis_client *c, bool *fresh, paylock_error *err);
/* Forgets and frees c's connection (a half-read reply makes it unusable). */
void paylock_redis_conn_drop(paylock_redis_client *c, paylock_redis_conn *conn);

/* Frees c's private connection (not a pooled one); never speaks on it. */
void paylock_redis_client_close(paylock_redis_client *c);

/* redis_exec.c: gives up the reply conn still owes (its command may or may not have run). */
void paylock_redis_pending_abandon(paylock_redis_conn *conn);

/* redis_replies.c: whether an error reply means the server cannot serve us now (an outage), and the
 * error it sets in err (a ConnectionException or a configuration error saying how to fix it). */
bool paylock_redis_reply_unavailable(const paylock_redis_client *c, const paylock_reply *r);
void paylock_redis_error_from_reply(const paylock_redis_client *c, const paylock_reply *r,
									paylock_error *err);
/* redis_replies.c: the login's replies. check_login: AUTH and SELECT first (*i: the next reply);
 * check_setup: the scripting probe and the durability facts from r[i]; check_role: ROLE is master. */
zend_result paylock_redis_check_login(paylock_redis_client *c, paylock_reply **r, int *i, bool auth, bool sel,
									  paylock_error *err);
zend_result paylock_redis_check_setup(paylock_redis_client *c, paylock_reply **r, int i, bool probe,
									  bool facts, paylock_error *err);
zend_result paylock_redis_check_role(paylock_redis_client *c, paylock_reply *r, paylock_error *err);

/* redis_exec.c: connects, authenticates, selects the database and runs the first-connection checks. */
paylock_redis_conn *paylock_redis_conn_open(paylock_redis_client *c, paylock_error *err);

#endif
