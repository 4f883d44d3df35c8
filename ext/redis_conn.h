/* Redis connections: DSN parsing, the per-process persistent pool, commands, pipelines and scripts.
 * The only file that includes hiredis is redis_resp.c, OpenSSL only redis_tls.c; replies are opaque here. */
#ifndef PAYLOCK_REDIS_CONN_H
#define PAYLOCK_REDIS_CONN_H

#include "php.h"
#include "exceptions.h"

typedef struct paylock_redis_conn paylock_redis_conn;
typedef struct paylock_reply paylock_reply;
typedef struct paylock_tls_config paylock_tls_config; /* redis_tls.h */

typedef struct paylock_redis_router paylock_redis_router; /* redis_router.h (issue 16) */

typedef struct paylock_redis_client {
	char *host; /* NULL for a unix socket */
	int port;
	char *unix_path;         /* NULL for TCP */
	paylock_tls_config *tls; /* rediss://: the TLS settings; NULL for a plain connection */
	zend_long db;
	char *user; /* ACL user, or NULL */
	char *pass; /* NULL: no AUTH */
	double connect_timeout;
	double read_timeout;
	bool persistent;
	int replicas; /* replicas that must acknowledge a granting write: 0 off, N, PAYLOCK_REPLICAS_AUTO */
	double replica_timeout;  /* how long to wait for them, seconds */
	zend_string *prefix;     /* key prefix, e.g. "paylock:" */
	zend_string *pool_key;   /* every behaviour-changing setting; the password only as a hash */
	char where[160];         /* host:port or socket path, for messages */
	bool holds_records;      /* idempotency records go here: a server without persistence is warned about */
	paylock_redis_conn *own; /* the connection when not persistent */
	bool reconnected;        /* the last command was sent again on a new connection */
	bool unanswered;         /* the last command failed after it may have reached Redis: it may have run */
	paylock_redis_router *router; /* Cluster or Sentinel: commands are routed to per-node clients */
	bool router_node; /* a router's per-node client: MOVED/ASK are routing, not a misconfiguration */
	const struct paylock_redis_client *answered; /* a router: the node that ran its last command, or NULL */
	bool need_master; /* Sentinel's data node: every new connection checks ROLE is master (redis_exec.c) */
} paylock_redis_client;

/* A Lua script run by EVALSHA, loaded again on NOSCRIPT. */
typedef struct {
	const char *body;
	char sha[41];
} paylock_script;

typedef enum {
	PAYLOCK_REPLY_STRING = 1,
	PAYLOCK_REPLY_ARRAY = 2,
	PAYLOCK_REPLY_INTEGER = 3,
	PAYLOCK_REPLY_NIL = 4,
	PAYLOCK_REPLY_STATUS = 5,
	PAYLOCK_REPLY_ERROR = 6,
} paylock_reply_type;

/* Parses $dsn (NULL: ini paylock.redis_dsn) and $options; throws ValueError/TypeError/ConnectionException. */
zend_result paylock_redis_client_init(paylock_redis_client *c, zend_string *dsn, HashTable *options);
/* Frees memory and closes a private socket; never speaks on it. */
void paylock_redis_client_dtor(paylock_redis_client *c);

/* Sends one command. extra_block_s widens the read timeout for blocking commands (BLPOP).
 * Error replies are returned as replies; NULL means a connection failure described in err. */
paylock_reply *paylock_redis_command(paylock_redis_client *c, int argc, const char **argv, const size_t *lens,
									 double extra_block_s, paylock_error *err);
/* The same for a command whose reply is usually a long string (GET of a large result): a string reply
 * is read straight into *str (one copy, from the socket) and NULL returned; any other reply is returned
 * as paylock_redis_command does (*str NULL). */
paylock_reply *paylock_redis_command_str(paylock_redis_client *c, int argc, const char **argv,
										 const size_t *lens, zend_string **str, paylock_error *err);
/* One command of a pipeline. */
typedef struct {
	int argc;
	const char **argv;
	const size_t *lens;
} paylock_redis_cmd;

/* Writes n commands in one write and reads their n replies into replies[0..n-1] (error replies are replies,
 * as in paylock_redis_command). On a connection failure returns FAILED with every replies[i] NULL and err
 * set; c->unanswered says the commands may have run. Reconnects silently only when nothing was written. */
paylock_status paylock_redis_pipeline(paylock_redis_client *c, int n, const paylock_redis_cmd *cmds,
									  paylock_reply **replies, paylock_error *err);

typedef enum {
	PAYLOCK_WAKE_FAILED,    /* see err: Redis stayed unreachable until the wait's end */
	PAYLOCK_WAKE_POPPED,    /* an item was popped */
	PAYLOCK_WAKE_TIMED_OUT, /* the block (block_s, or wake_ns client-side) ended: look again */
	PAYLOCK_WAKE_DEADLINE,  /* deadline_ns came first; we stopped listening (connection dropped) */
} paylock_wake;

/* BLPOP on one wake-up list for up to block_s (at least 1 ms). Client-side bounds, kept to the
 * millisecond (Redis times blocked clients out on its hz tick): wake_ns (0: none) ends the wait as
 * TIMED_OUT, deadline_ns as DEADLINE. A connection that breaks is replaced and the BLPOP resumed until the
 * wait's end; a Redis that stops answering for read_timeout past the block reads as TIMED_OUT (the
 * caller's next command finds out). */
paylock_wake paylock_redis_blpop(paylock_redis_client *c, const char *key, size_t key_len, double block_s,
								 uint64_t wake_ns, uint64_t deadline_ns, paylock_error *err);
/* The same, also copying the popped item (at most item_max bytes) to item, its length to *item_len. */
paylock_wake paylock_redis_blpop_item(paylock_redis_client *c, const char *key, size_t key_len,
									  double block_s, uint64_t wake_ns, uint64_t deadline_ns, char *item,
									  size_t item_max, size_t *item_len, paylock_error *err);
/* A reply read later: a command written now whose reply the next command on the same connection reads
 * first (and request end at the latest), so it costs no round trip on the caller's path. */
typedef enum {
	PAYLOCK_PENDING_OWED,    /* written, its reply not read yet */
	PAYLOCK_PENDING_READ,    /* read: value holds the integer reply (-1 for any other reply) */
	PAYLOCK_PENDING_UNKNOWN, /* the connection broke before the reply was read: it may or may not have run */
} paylock_pending_state;

typedef struct {
	uint32_t refs; /* the caller's and, while owed, the connection's */
	paylock_pending_state state;
	long long value;
} paylock_redis_pending;

/* Writes one command without reading its reply (after reading any reply still owed). Never NULL: a write
 * that fails gives an UNKNOWN pending. The caller releases it. */
paylock_redis_pending *paylock_redis_send_deferred(paylock_redis_client *c, int argc, const char **argv,
												   const size_t *lens);
/* Reads the reply c's connection still owes now (a no-op when none is owed). */
void paylock_redis_pending_read(paylock_redis_client *c);
void paylock_redis_pending_release(paylock_redis_pending *p);
/* Request end: reads every pooled connection's owed reply (pending records are request memory). */
void paylock_redis_pending_rshutdown(void);
/* Sleeps a little before trying an unreachable Redis again, never past until_ns (monotonic). */
void paylock_redis_backoff(uint64_t until_ns);
/* Runs a script. argv[0..2] are reserved for EVALSHA/sha/numkeys and filled here.
 * An error reply becomes a STORE (or CONNECTION for LOADING/MASTERDOWN) error and NULL. */
paylock_reply *paylock_redis_eval(paylock_redis_client *c, paylock_script *s, int nkeys, int argc,
								  const char **argv, size_t *lens, paylock_error *err);

/* Runs a script by EVAL with its body, never EVALSHA: for the failure paths, where a command that reaches
 * a stalled Redis must still run when it wakes, even though nobody reads its reply. */
paylock_reply *paylock_redis_eval_body(paylock_redis_client *c, const paylock_script *s, int nkeys, int argc,
									   const char **argv, size_t *lens, paylock_error *err);

/* Runs a script whose reply is 1 (YES) or 0 (NO); anything else is a STORE error naming `what`. */
paylock_status paylock_redis_eval_yesno(paylock_redis_client *c, paylock_script *s, const char *what,
										int nkeys, int argc, const char **argv, size_t *lens,
										paylock_error *err);

/* Sets err to "Unexpected reply from Redis at <where> to <what>" (STORE); returns FAILED. */
paylock_status paylock_redis_bad_reply(const paylock_redis_client *c, const char *what, paylock_error *err);

/* Turns an error reply into err (CONNECTION for LOADING/MASTERDOWN/NOAUTH/WRONGPASS/NOPERM, else STORE)
 * and frees it. */
paylock_status paylock_redis_error_reply(const paylock_redis_client *c, paylock_reply *r, paylock_error *err);
void paylock_script_init(paylock_script *s, const char *body);

paylock_reply_type paylock_reply_kind(const paylock_reply *r);
long long paylock_reply_int(const paylock_reply *r);
const char *paylock_reply_str(const paylock_reply *r, size_t *len);
size_t paylock_reply_count(const paylock_reply *r);
paylock_reply *paylock_reply_at(const paylock_reply *r, size_t i);
void paylock_reply_free(paylock_reply *r);

/* The pool's destructor (persistent HashTable of paylock_redis_conn*). */
void paylock_redis_pool_entry_dtor(zval *zv);
/* Number of pooled connections this process holds, for phpinfo(). */
uint32_t paylock_redis_pool_size(void);
const char *paylock_hiredis_version(void);

#endif
