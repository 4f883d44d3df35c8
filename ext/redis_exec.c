/* Running commands on a Redis connection: the handshake (AUTH, SELECT, first-connection checks in one
 * round trip), single commands with one silent reconnect, pipelines, and BLPOP with client-side bounds. */
#include "php_paylock.h"
#include "redis_io.h"
#include "redis_durability.h"
#include "redis_router.h"
#include "redis_wire.h"
#include "token.h"

#include <errno.h>
#include <time.h>

/* ---- the wire ---- */

/* Reads until the parser holds one whole reply; NULL on failure (conn->t says why). */
static paylock_reply *read_reply(paylock_redis_conn *conn, bool *protocol)
{
	char buf[16 * 1024];

	for (;;) {
		paylock_reply *r;
		const char *why = NULL;
		int got = paylock_resp_next(conn->reader, &r, &why);
		ssize_t n;

		if (got > 0) {
			return r;
		}
		if (got < 0) {
			*protocol = true;
			conn->t.kind = PAYLOCK_ERR_CONNECTION;
			conn->t.timed_out = false;
			snprintf(conn->t.why, sizeof(conn->t.why), "%s", why);
			return NULL;
		}
		n = conn->t.ops->read(&conn->t, buf, sizeof(buf));
		if (n <= 0) {
			return NULL;
		}
		paylock_resp_feed(conn->reader, buf, (size_t)n);
	}
}

/* What read_bulk returns when the reply was a string it put in *bulk. */
static char bulk_taken_tag;
#define BULK_TAKEN ((paylock_reply *)&bulk_taken_tag)
/* "$", at most 20 digits, CRLF. */
#define BULK_HEADER_MAX 23

static paylock_reply *bulk_protocol_error(paylock_redis_conn *conn, bool *protocol, zend_string *s)
{
	zend_string_efree(s);
	*protocol = true;
	conn->t.kind = PAYLOCK_ERR_CONNECTION;
	conn->t.timed_out = false;
	snprintf(conn->t.why, sizeof(conn->t.why), "a string reply not ended by CRLF");
	return NULL;
}

/* Reads exactly len bytes into to. */
static bool read_exact(paylock_redis_conn *conn, char *to, size_t len)
{
	while (len > 0) {
		ssize_t n = conn->t.ops->read(&conn->t, to, len);

		if (n <= 0) {
			return false;
		}
		to += n, len -= (size_t)n;
	}
	return true;
}

/* A reply that is a string ("$<len>\r\n<bytes>\r\n") is read straight into a zend_string of its
 * length, *bulk, and BULK_TAKEN returned: the bytes are copied once, from the socket, not through the
 * parser's buffer, its reply object and a zend_string. Any other reply goes through the parser. */
static paylock_reply *read_bulk(paylock_redis_conn *conn, bool *protocol, zend_string **bulk)
{
	char head[16 * 1024], *crlf = NULL;
	size_t n = 0, off, have, len = 0;
	zend_string *s;

	if (paylock_resp_unread(conn->reader) > 0) {
		return read_reply(conn, protocol);
	}
	/* Until the header's end is in: "$" and at most 20 digits. */
	while (crlf == NULL && (n == 0 || (head[0] == '$' && n < BULK_HEADER_MAX))) {
		ssize_t got = conn->t.ops->read(&conn->t, head + n, sizeof(head) - n);

		if (got <= 0) {
			return NULL;
		}
		n += (size_t)got;
		crlf = head[0] == '$' && n > 1 ? memchr(head, '\n', MIN(n, BULK_HEADER_MAX)) : NULL;
	}
	if (crlf == NULL || crlf < head + 3 || crlf[-1] != '\r') {
		paylock_resp_feed(conn->reader, head, n); /* nil, an error, another kind: the parser's */
		return read_reply(conn, protocol);
	}
	for (const char *d = head + 1; d < crlf - 1; d++) {
		if (*d < '0' || *d > '9' || len > PAYLOCK_REDIS_BULK_MAX / 10) {
			paylock_resp_feed(conn->reader, head, n);
			return read_reply(conn, protocol);
		}
		len = len * 10 + (size_t)(*d - '0');
	}
	off = (size_t)(crlf + 1 - head);
	s = zend_string_alloc(len, 0);
	have = MIN(n - off, len);
	memcpy(ZSTR_VAL(s), head + off, have);
	off += have;
	if (!read_exact(conn, ZSTR_VAL(s) + have, len - have)) {
		zend_string_efree(s);
		return NULL;
	}
	/* The closing CRLF: in head already, or still on the way. */
	if (n - off < 2) {
		size_t got = n - off;

		memmove(head, head + off, got);
		if (!read_exact(conn, head + got, 2 - got)) {
			zend_string_efree(s);
			return NULL;
		}
		n = 2, off = 0;
	}
	if (head[off] != '\r' || head[off + 1] != '\n') {
		return bulk_protocol_error(conn, protocol, s);
	}
	if (n > off + 2) { /* nothing follows a reply we asked for alone, but keep it if it does */
		paylock_resp_feed(conn->reader, head + off + 2, n - off - 2);
	}
	ZSTR_VAL(s)[len] = '\0';
	*bulk = s;
	return BULK_TAKEN;
}

/* All of w's bytes, in one system call when the socket takes them. */
static bool write_wire(paylock_redis_conn *conn, const paylock_wire *w, size_t *sent)
{
	struct iovec iov[PAYLOCK_WIRE_IOV_MAX];
	int n = paylock_wire_iov(w, iov);

	if (n == 1) {
		return paylock_transport_write_all(&conn->t, iov[0].iov_base, iov[0].iov_len, sent);
	}
	return paylock_transport_writev_all(&conn->t, iov, n, sent);
}

/* Writes len bytes holding n commands and reads n replies; returns how many arrived (n: all). The
 * replies that arrived stay in replies[] (the rest are NULL) for the caller to look at and free. */
static int roundtrip(paylock_redis_conn *conn, const paylock_wire *w, int n, paylock_reply **replies,
					 size_t *sent, bool *protocol, zend_string **bulk)
{
	int i;

	*protocol = false;
	for (i = 0; i < n; i++) {
		replies[i] = NULL;
	}
	if (!write_wire(conn, w, sent)) {
		return 0;
	}
	for (i = 0; i < n; i++) {
		replies[i] = bulk && n == 1 ? read_bulk(conn, protocol, bulk) : read_reply(conn, protocol);
		if (replies[i] == NULL) {
			return i;
		}
		conn->answered = true;
	}
	return n;
}

static void free_replies(paylock_reply **replies, int n)
{
	for (int i = 0; i < n; i++) {
		paylock_reply_free(replies[i]);
		replies[i] = NULL;
	}
}

/* A server that refuses us says why before it closes (max clients): that reply is the error. Other error
 * replies (the probe's NOSCRIPT) say nothing about the broken connection. */
static bool error_among(const paylock_redis_client *c, paylock_reply **replies, int got, paylock_error *err)
{
	for (int i = 0; i < got; i++) {
		if (paylock_reply_kind(replies[i]) == PAYLOCK_REPLY_ERROR &&
			paylock_redis_reply_unavailable(c, replies[i])) {
			paylock_redis_error_from_reply(c, replies[i], err);
			return true;
		}
	}
	return false;
}

/* err for a broken connection. A plain port that drops us before its first reply may be a TLS port
 * (a TLS-only Redis closes on plain text without a word): a handshake on a second connection tells, and
 * then it is a configuration error, not an outage (FallbackStore must not degrade on it). */
static void conn_failure(const paylock_redis_client *c, const paylock_redis_conn *conn, bool protocol,
						 paylock_error *err)
{
	const char *why = conn->t.why[0] ? conn->t.why : "connection closed";

	if (conn->t.kind == PAYLOCK_ERR_STORE) {
		paylock_error_set(err, PAYLOCK_ERR_STORE, "Redis at %s: %s", c->where, why);
	} else if (!conn->answered && (conn->t.eof || protocol) && c->tls == NULL && c->host &&
			   paylock_transport_speaks_tls(c)) {
		paylock_error_set(err, PAYLOCK_ERR_STORE,
						  "Redis at %s closed the connection before answering PayLock's first command (%s) "
						  "and answers a TLS handshake: a configuration error; this port speaks TLS, use "
						  "rediss://",
						  c->where, why);
	} else if (!conn->answered && conn->t.eof && c->tls) {
		paylock_error_set(
			err, PAYLOCK_ERR_STORE,
			"Redis at %s closed the TLS connection before answering PayLock's first command (%s): "
			"a configuration error; if the server requires a client certificate, set the tls "
			"options local_cert and local_pk",
			c->where, why);
	} else {
		paylock_error_set(err, PAYLOCK_ERR_CONNECTION, "Redis at %s: %s", c->where, why);
	}
}

/* ---- connecting ---- */

/* EVALSHA of a script nobody loaded: NOSCRIPT when the ACL user may run scripts, NOPERM when not. */
#define PROBE_SHA "0000000000000000000000000000000000000000"
#define SETUP_MAX 9

static zend_result login(paylock_redis_client *c, paylock_redis_conn *conn, paylock_error *err)
{
	HashTable *seen = &PAYLOCK_G(eviction_checked);
	zend_string *acl = zend_strpprintf(0, "acl|%s", ZSTR_VAL(c->pool_key));
	bool probe = !zend_hash_str_exists(seen, ZSTR_VAL(acl), ZSTR_LEN(acl)),
		 facts = !paylock_durability_known(c), auth = c->pass != NULL, sel = c->db != 0, protocol;
	static const char *const role_argv[] = {"ROLE"};
	static const char *const probe_argv[] = {"EVALSHA", PROBE_SHA, "0"};
	static const char *const facts_argv[][3] = {
		{"CONFIG", "GET", "maxmemory-policy"}, {"CONFIG", "GET", "save"},
		{"CONFIG", "GET", "appendonly"},       {"INFO", "memory", NULL},
		{"INFO", "persistence", NULL},
	};
	const char *auth_argv[3] = {"AUTH", c->user ? c->user : c->pass, c->pass},
			   *sel_argv[2] = {"SELECT", NULL};
	paylock_redis_cmd cmds[SETUP_MAX];
	paylock_reply *r[SETUP_MAX];
	char db[24];
	int n = 0, i = 0, got;
	size_t sent;
	paylock_wire w;
	zend_result rc = FAILURE;

	if (auth) {
		cmds[n++] = (paylock_redis_cmd){c->user ? 3 : 2, auth_argv, NULL};
	}
	if (sel) {
		snprintf(db, sizeof(db), ZEND_LONG_FMT, c->db);
		sel_argv[1] = db;
		cmds[n++] = (paylock_redis_cmd){2, sel_argv, NULL};
	}
	if (probe) {
		cmds[n++] = (paylock_redis_cmd){3, (const char **)probe_argv, NULL};
	}
	for (int k = 0; facts && k < 5; k++) {
		cmds[n++] = (paylock_redis_cmd){k < 3 ? 3 : 2, (const char **)facts_argv[k], NULL};
	}
	if (c->need_master) { /* last, so the other replies keep their places */
		cmds[n++] = (paylock_redis_cmd){1, (const char **)role_argv, NULL};
	}
	if (n == 0) {
		zend_string_release(acl);
		return SUCCESS;
	}
	paylock_wire_encode(&w, n, cmds);
	got = roundtrip(conn, &w, n, r, &sent, &protocol, NULL);
	if (got < n) {
		if (!error_among(c, r, got, err)) {
			conn_failure(c, conn, protocol, err);
		}
	} else if (paylock_redis_check_login(c, r, &i, auth, sel, err) == SUCCESS &&
			   paylock_redis_check_setup(c, r, i, probe, facts, err) == SUCCESS &&
			   (!c->need_master || paylock_redis_check_role(c, r[n - 1], err) == SUCCESS)) {
		if (probe) {
			zend_hash_str_add_empty_element(seen, ZSTR_VAL(acl), ZSTR_LEN(acl)); /* a persistent copy */
		}
		rc = SUCCESS;
	}
	free_replies(r, got);
	paylock_wire_free(&w);
	zend_string_release(acl);
	return rc;
}

static void conn_free_failed(paylock_redis_conn *conn, bool persistent)
{
	conn->t.ops->close(&conn->t, true);
	paylock_resp_reader_free(conn->reader);
	pefree(conn, persistent);
}

paylock_redis_conn *paylock_redis_conn_open(paylock_redis_client *c, paylock_error *err)
{
	paylock_redis_conn *conn = pecalloc(1, sizeof(*conn), c->persistent);

	if (paylock_transport_open(&conn->t, c, err) == FAILURE) {
		pefree(conn, c->persistent);
		return NULL;
	}
	conn->reader = paylock_resp_reader_new();
	conn->pid = paylock_pid();
	if (conn->reader == NULL) {
		zend_error_noreturn(E_ERROR, "PayLock: out of memory creating a Redis reply parser");
	}
	if (login(c, conn, err) == FAILURE) {
		conn_free_failed(conn, c->persistent);
		return NULL;
	}
	conn->last_used_ns = paylock_now_ns();
	return conn;
}

/* ---- deferred replies ---- */

void paylock_redis_pending_release(paylock_redis_pending *p)
{
	if (p && --p->refs == 0) {
		efree(p);
	}
}

void paylock_redis_pending_abandon(paylock_redis_conn *conn)
{
	paylock_redis_pending *p = conn->pending;

	if (p) {
		conn->pending = NULL;
		if (p->state == PAYLOCK_PENDING_OWED) {
			p->state = PAYLOCK_PENDING_UNKNOWN;
		}
		paylock_redis_pending_release(p);
	}
}

/* Reads the reply conn owes into its pending record. false: the socket broke (the caller drops it). */
static bool settle_owed(paylock_redis_conn *conn)
{
	paylock_redis_pending *p = conn->pending;
	bool protocol = false;
	paylock_reply *r;

	if (p == NULL) {
		return true;
	}
	r = read_reply(conn, &protocol);
	if (r == NULL) {
		return false;
	}
	p->state = PAYLOCK_PENDING_READ;
	p->value = paylock_reply_kind(r) == PAYLOCK_REPLY_INTEGER ? paylock_reply_int(r) : -1;
	paylock_reply_free(r);
	conn->pending = NULL;
	paylock_redis_pending_release(p);
	return true;
}

/* c's connection with no reply owed on it: the owed one is read first; a socket that broke meanwhile
 * is replaced (the deferred command's outcome is then unknown). */
static paylock_redis_conn *conn_ready(paylock_redis_client *c, bool *fresh, paylock_error *err)
{
	paylock_redis_conn *conn = paylock_redis_conn_get(c, fresh, err);

	if (conn && !settle_owed(conn)) {
		paylock_redis_conn_drop(c, conn);
		conn = paylock_redis_conn_get(c, fresh, err);
	}
	return conn;
}

paylock_redis_pending *paylock_redis_send_deferred(paylock_redis_client *c, int argc, const char **argv,
												   const size_t *lens)
{
	paylock_redis_cmd cmd = {argc, argv, lens};
	paylock_redis_pending *p = emalloc(sizeof(*p));
	paylock_error ignored = {0};
	bool fresh;
	paylock_redis_conn *conn = c->router ? NULL : conn_ready(c, &fresh, &ignored);
	size_t sent;
	paylock_wire w;

	p->refs = 1;
	p->state = PAYLOCK_PENDING_UNKNOWN;
	p->value = -1;
	if (c->router) { /* issue 16: the router picks the node per command; here the reply is read at once */
		paylock_reply *r = paylock_router_command(c, argc, argv, lens, 0, &ignored);

		if (r) {
			p->state = PAYLOCK_PENDING_READ;
			p->value = paylock_reply_kind(r) == PAYLOCK_REPLY_INTEGER ? paylock_reply_int(r) : -1;
			paylock_reply_free(r);
		}
		return p;
	}
	if (conn == NULL) {
		return p;
	}
	paylock_wire_encode(&w, 1, &cmd);
	if (!write_wire(conn, &w, &sent)) {
		paylock_redis_conn_drop(c, conn);
	} else {
		p->state = PAYLOCK_PENDING_OWED;
		p->refs++;
		conn->pending = p;
		conn->last_used_ns = paylock_now_ns();
	}
	paylock_wire_free(&w);
	return p;
}

void paylock_redis_pending_read(paylock_redis_client *c)
{
	paylock_redis_conn *conn =
		c->persistent ? zend_hash_str_find_ptr(&PAYLOCK_G(pool), ZSTR_VAL(c->pool_key), ZSTR_LEN(c->pool_key))
					  : c->own;

	if (conn && conn->pending && conn->pid == paylock_pid() && !settle_owed(conn)) {
		paylock_redis_conn_drop(c, conn);
	}
}

void paylock_redis_pending_rshutdown(void)
{
	zend_string *key;
	paylock_redis_conn *conn;

	ZEND_HASH_FOREACH_STR_KEY_PTR(&PAYLOCK_G(pool), key, conn)
	{
		if (conn->pending && (conn->pid != paylock_pid() || !settle_owed(conn))) {
			paylock_redis_pending_abandon(conn);
			zend_hash_del(&PAYLOCK_G(pool), key);
		}
	}
	ZEND_HASH_FOREACH_END();
}

/* ---- commands ---- */

/* One round trip for n commands. A stale pooled socket (the peer went away) is replaced once, silently:
 * always when nothing was written; after a write only when retry_written (a single command, which the
 * callers' scripts make safe to run twice), never after a timeout (the command may still run). */
static paylock_status run(paylock_redis_client *c, int n, const paylock_redis_cmd *cmds,
						  paylock_reply **replies, double extra_block_s, bool retry_written,
						  zend_string **bulk, paylock_error *err)
{
	paylock_wire w;
	paylock_status st = PAYLOCK_FAILED;

	paylock_wire_encode(&w, n, cmds);
	c->reconnected = false;
	c->unanswered = false;
	for (int i = 0; i < n; i++) {
		replies[i] = NULL;
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		bool fresh, protocol, timed_out;
		size_t sent;
		int got;
		paylock_redis_conn *conn = conn_ready(c, &fresh, err);

		if (conn == NULL) {
			break; /* nothing sent this time; unanswered tells about the first attempt */
		}
		if (extra_block_s > 0) {
			paylock_transport_set_timeout(&conn->t, c->read_timeout + extra_block_s);
		}
		got = roundtrip(conn, &w, n, replies, &sent, &protocol, bulk);
		if (got == n) {
			if (replies[0] == BULK_TAKEN) {
				replies[0] = NULL;
			}
			if (extra_block_s > 0) {
				paylock_transport_set_timeout(&conn->t, c->read_timeout);
			}
			conn->last_used_ns = paylock_now_ns();
			c->unanswered = false;
			st = PAYLOCK_YES;
			break;
		}
		/* Some bytes may have reached Redis: the commands may run (or have run) without us hearing. */
		c->unanswered = c->unanswered || sent > 0;
		timed_out = conn->t.timed_out;
		if (!error_among(c, replies, got, err)) {
			conn_failure(c, conn, protocol, err);
		}
		free_replies(replies, got);
		paylock_redis_conn_drop(c, conn); /* a half-read reply makes the socket unusable */
		if (fresh || timed_out || attempt == 1 || (sent > 0 && !retry_written)) {
			break;
		}
		c->reconnected = true;
	}
	paylock_wire_free(&w);
	return st;
}

paylock_reply *paylock_redis_command(paylock_redis_client *c, int argc, const char **argv, const size_t *lens,
									 double extra_block_s, paylock_error *err)
{
	paylock_redis_cmd cmd = {argc, argv, lens};
	paylock_reply *r = NULL;

	if (c->router) { /* issue 16: Cluster/Sentinel pick the node, then come back here with its client */
		return paylock_router_command(c, argc, argv, lens, extra_block_s, err);
	}
	run(c, 1, &cmd, &r, extra_block_s, true, NULL, err);
	return r;
}

paylock_reply *paylock_redis_command_str(paylock_redis_client *c, int argc, const char **argv,
										 const size_t *lens, zend_string **str, paylock_error *err)
{
	paylock_redis_cmd cmd = {argc, argv, lens};
	paylock_reply *r = NULL;

	*str = NULL;
	if (c->router) {
		r = paylock_router_command(c, argc, argv, lens, 0, err);
		if (r && paylock_reply_kind(r) == PAYLOCK_REPLY_STRING) {
			size_t len;
			const char *v = paylock_reply_str(r, &len);

			*str = zend_string_init(v, len, 0);
			paylock_reply_free(r);
			r = NULL;
		}
		return r;
	}
	run(c, 1, &cmd, &r, 0, true, str, err);
	return r;
}

paylock_status paylock_redis_pipeline(paylock_redis_client *c, int n, const paylock_redis_cmd *cmds,
									  paylock_reply **replies, paylock_error *err)
{
	if (n < 1 || n > PAYLOCK_REDIS_PIPELINE_MAX) {
		zend_error_noreturn(E_CORE_ERROR, "PayLock: a pipeline of %d commands (1 to %d)", n,
							PAYLOCK_REDIS_PIPELINE_MAX);
	}
	if (c->router) { /* issue 16 */
		return paylock_router_pipeline(c, n, cmds, replies, err);
	}
	return run(c, n, cmds, replies, 0, false, NULL, err);
}

/* How a blocking call ended without a reply. */
typedef enum {
	BLOCK_GAVE_UP,     /* give_up_ns came first; the connection was dropped (the reply is still owed on it) */
	BLOCK_BROKE,       /* the connection broke while we waited */
	BLOCK_UNREACHABLE, /* no connection could be made */
} block_end;

/* Sends a blocking command and waits for its reply until give_up_ns (monotonic) at the latest. */
static paylock_reply *blocking_call(paylock_redis_client *c, int argc, const char **argv, const size_t *lens,
									uint64_t give_up_ns, block_end *how, paylock_error *err)
{
	paylock_redis_cmd cmd = {argc, argv, lens};
	bool fresh, protocol = false;
	paylock_redis_conn *conn = conn_ready(c, &fresh, err);
	paylock_reply *r = NULL;
	size_t sent;
	paylock_wire wire;
	bool ok;
	int w;

	*how = BLOCK_BROKE;
	if (conn == NULL) {
		*how = BLOCK_UNREACHABLE;
		return NULL;
	}
	paylock_wire_encode(&wire, 1, &cmd);
	ok = write_wire(conn, &wire, &sent);
	paylock_wire_free(&wire);
	w = ok ? paylock_transport_wait(&conn->t, give_up_ns) : -1;
	if (w == 0) {
		/* The reply is still owed on this socket, so the socket cannot be reused. */
		paylock_redis_conn_drop(c, conn);
		*how = BLOCK_GAVE_UP;
		return NULL;
	}
	if (w > 0) {
		r = read_reply(conn, &protocol);
	}
	if (r == NULL) {
		conn_failure(c, conn, protocol, err);
		paylock_redis_conn_drop(c, conn);
		return NULL;
	}
	conn->answered = true;
	conn->last_used_ns = paylock_now_ns();
	return r;
}

void paylock_redis_backoff(uint64_t until_ns)
{
	uint64_t now = paylock_now_ns(), ns = PAYLOCK_REDIS_RETRY_PAUSE_NS;
	struct timespec ts;

	if (until_ns <= now) {
		return;
	}
	if (until_ns - now < ns) {
		ns = until_ns - now;
	}
	ts.tv_sec = (time_t)(ns / 1000000000ULL);
	ts.tv_nsec = (long)(ns % 1000000000ULL);
	nanosleep(&ts, NULL);
}

/* item (item_max bytes, may be NULL): the popped item, cut at item_max; *item_len its length. */
static paylock_wake wake_of(paylock_redis_client *c, paylock_reply *r, char *item, size_t item_max,
							size_t *item_len, paylock_error *err)
{
	paylock_wake w;

	switch (paylock_reply_kind(r)) {
	case PAYLOCK_REPLY_ARRAY:
		w = PAYLOCK_WAKE_POPPED;
		if (item && paylock_reply_count(r) == 2) {
			size_t len = 0;
			const char *v = paylock_reply_str(paylock_reply_at(r, 1), &len);

			*item_len = MIN(len, item_max);
			memcpy(item, v, *item_len);
		}
		break;
	case PAYLOCK_REPLY_NIL:
		w = PAYLOCK_WAKE_TIMED_OUT;
		break;
	default:
		paylock_redis_bad_reply(c, "BLPOP", err);
		w = PAYLOCK_WAKE_FAILED;
	}
	paylock_reply_free(r);
	return w;
}

/* Redis times blocked clients out on its own tick (up to 1/hz late), so the bounds that matter (the
 * caller's deadline, a holder's lease end) are kept client-side: we stop listening ourselves. A broken
 * connection (restart, CLIENT KILL) is replaced and the BLPOP sent again for what is left of the block:
 * an item pushed meanwhile waits in the list. */
paylock_wake paylock_redis_blpop(paylock_redis_client *c, const char *key, size_t key_len, double block_s,
								 uint64_t wake_ns, uint64_t deadline_ns, paylock_error *err)
{
	return paylock_redis_blpop_item(c, key, key_len, block_s, wake_ns, deadline_ns, NULL, 0, NULL, err);
}

paylock_wake paylock_redis_blpop_item(paylock_redis_client *c, const char *key, size_t key_len,
									  double block_s, uint64_t wake_ns, uint64_t deadline_ns, char *item,
									  size_t item_max, size_t *item_len, paylock_error *err)
{
	char timeout[32];
	const char *argv[3] = {"BLPOP", key, timeout};
	size_t lens[3] = {5, key_len, 0};
	uint64_t now = paylock_now_ns(), end, stop = deadline_ns ? deadline_ns : UINT64_MAX;
	bool retried = false;

	if (c->router) { /* issue 16 */
		return paylock_router_blpop(c, key, key_len, block_s, wake_ns, deadline_ns, item, item_max, item_len,
									err);
	}
	if (block_s < 0.001) {
		block_s = 0.001; /* BLPOP 0 would block forever */
	}
	end = now + (uint64_t)(block_s * 1e9);
	if (wake_ns && wake_ns < stop) {
		stop = wake_ns;
	}
	for (;;) {
		double left = end > now ? (double)(end - now) / 1e9 : 0.001;
		uint64_t give_up;
		block_end how;
		paylock_reply *r;

		left = left < 0.001 ? 0.001 : left;
		give_up = now + (uint64_t)((left + c->read_timeout) * 1e9); /* Redis stalled: look again */
		lens[2] = snprintf(timeout, sizeof(timeout), "%.3f", left);
		r = blocking_call(c, 3, argv, lens, give_up < stop ? give_up : stop, &how, err);
		if (r != NULL && paylock_reply_kind(r) == PAYLOCK_REPLY_ERROR) {
			paylock_redis_error_reply(c, r, err);
			if (err->kind != PAYLOCK_ERR_CONNECTION) {
				return PAYLOCK_WAKE_FAILED;
			}
			how = BLOCK_UNREACHABLE; /* LOADING after a restart and the like: the server cannot serve yet */
		} else if (r != NULL) {
			return wake_of(c, r, item, item_max, item_len, err);
		}
		now = paylock_now_ns();
		if (how == BLOCK_GAVE_UP) {
			return deadline_ns && now >= deadline_ns ? PAYLOCK_WAKE_DEADLINE : PAYLOCK_WAKE_TIMED_OUT;
		}
		if (now >= stop || now >= end) {
			/* A broken socket says nothing yet about the next one; no connection at all does. */
			return how == BLOCK_UNREACHABLE ? PAYLOCK_WAKE_FAILED : PAYLOCK_WAKE_TIMED_OUT;
		}
		if (how == BLOCK_UNREACHABLE || retried) { /* a killed socket is replaced at once, once */
			paylock_redis_backoff(stop < end ? stop : end);
			now = paylock_now_ns();
		}
		retried = true;
	}
}
