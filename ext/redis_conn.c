/* Redis connections for PayLock: DSN parsing, the per-process persistent pool (pid-aware), commands
 * with one silent reconnect, and scripts by EVALSHA with a transparent reload after NOSCRIPT. */
#include "php_paylock.h"
#include "redis_conn.h"
#include "redis_durability.h"
#include "redis_replicas.h"
#include "redis_dsn_query.h"
#include "token.h"
#include "ext/standard/url.h"
#include "ext/standard/sha1.h"
#include "ext/standard/md5.h"
#include "ext/hash/php_hash.h"
#include "ext/hash/php_hash_sha.h"
#include "zend_exceptions.h"

#ifdef HAVE_HIREDIS_HIREDIS_H
#include <hiredis/hiredis.h>
#else
#include <hiredis.h>
#endif
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <errno.h>
#include <time.h>

struct paylock_redis_conn {
	redisContext *ctx;
	pid_t pid; /* the process that connected; a forked child never speaks on it */
	uint64_t last_used_ns;
};

static struct timeval seconds_to_tv(double s)
{
	struct timeval tv;

	tv.tv_sec = (time_t)s;
	tv.tv_usec = (suseconds_t)((s - (double)tv.tv_sec) * 1e6);
	return tv;
}

/* ---- replies ---- */

paylock_reply_type paylock_reply_kind(const paylock_reply *r)
{
	return (paylock_reply_type)((const redisReply *)r)->type;
}

long long paylock_reply_int(const paylock_reply *r)
{
	return ((const redisReply *)r)->integer;
}

const char *paylock_reply_str(const paylock_reply *r, size_t *len)
{
	const redisReply *rr = (const redisReply *)r;

	*len = rr->len;
	return rr->str;
}

size_t paylock_reply_count(const paylock_reply *r)
{
	const redisReply *rr = (const redisReply *)r;

	return rr->type == REDIS_REPLY_ARRAY ? rr->elements : 0;
}

paylock_reply *paylock_reply_at(const paylock_reply *r, size_t i)
{
	return (paylock_reply *)((const redisReply *)r)->element[i];
}

void paylock_reply_free(paylock_reply *r)
{
	if (r) {
		freeReplyObject(r);
	}
}

/* ---- configuration ---- */

/* Every DSN error names the part that is wrong, never echoes it (it may hold a password), and shows the
 * accepted forms. */
static zend_result dsn_bad(const char *what)
{
	zend_argument_value_error(
		1,
		"is not a valid DSN: %s; expected redis://[user[:password]@]host[:port][/db][?option=value&...] or "
		"unix:///path/to/redis.sock[?db=N&user=U&password=P&option=value...] (URL-encode @ : / ? # in "
		"user names and passwords: %%40 %%3A %%2F %%3F %%23)",
		what);
	return FAILURE;
}

static char *url_part(const zend_string *s)
{
	char *copy;

	if (s == NULL || ZSTR_LEN(s) == 0) {
		return NULL;
	}
	copy = estrndup(ZSTR_VAL(s), ZSTR_LEN(s));
	php_raw_url_decode(copy, ZSTR_LEN(s));
	return copy;
}

#define MAX_DB_DIGITS 5

static zend_result parse_db(const char *s, size_t len, zend_long *db)
{
	zend_long v = 0;

	if (len == 0 || len > MAX_DB_DIGITS) {
		return len == 0 ? SUCCESS : FAILURE;
	}
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return FAILURE;
		}
		v = v * 10 + (s[i] - '0');
	}
	*db = v;
	return SUCCESS;
}

/* unix:///path/redis.sock[?db=N&user=U&password=P]; php_url_parse does not take an empty authority. */
static zend_result parse_unix_dsn(paylock_redis_client *c, const char *dsn, size_t len)
{
	const char *path = dsn + sizeof("unix://") - 1, *end = dsn + len;
	size_t plen = end - path; /* the query was cut off: paylock_dsn_query_parse() reads it */

	if (path >= end || *path != '/' || plen < 2) {
		return dsn_bad("the socket path must be absolute (unix:///path/to/redis.sock)");
	}
	if (plen >= sizeof(((struct sockaddr_un *)NULL)->sun_path)) {
		return dsn_bad("the socket path is longer than a unix socket address can hold (107 bytes)");
	}
	c->unix_path = estrndup(path, plen);
	snprintf(c->where, sizeof(c->where), "unix:%s", c->unix_path);
	return SUCCESS;
}

/* The port as written (php_url_parse stops at the first non-digit and takes 0 as "none"): all digits,
 * 1-65535. *port stays 6379 when the DSN names none. */
static zend_result check_port(const char *dsn, size_t len, int *port)
{
	const char *auth = dsn + sizeof("redis://") - 1, *end = dsn + len, *p, *at = NULL, *colon = NULL;
	long v = 0;

	for (p = auth; p < end && *p != '/' && *p != '?' && *p != '#'; p++) {
		if (*p == '@') {
			at = p;
		}
	}
	end = p;
	p = at ? at + 1 : auth;
	if (p < end && *p == '[') { /* [::1]:port */
		const char *close = memchr(p, ']', end - p);

		p = close ? close + 1 : end;
		colon = p < end && *p == ':' ? p : NULL;
	} else {
		colon = memrchr(p, ':', end - p);
	}
	*port = 6379;
	if (colon == NULL) {
		return SUCCESS;
	}
	if (colon + 1 == end || end - colon - 1 > 5) {
		return FAILURE;
	}
	for (p = colon + 1; p < end; p++) {
		if (*p < '0' || *p > '9') {
			return FAILURE;
		}
		v = v * 10 + (*p - '0');
	}
	if (v < 1 || v > 65535) {
		return FAILURE;
	}
	*port = (int)v;
	return SUCCESS;
}

static zend_result parse_tcp_dsn(paylock_redis_client *c, const char *dsn, size_t len)
{
	php_url *u;
	const char *h, *bad = NULL;
	size_t hlen;

	if (len < sizeof("redis://") - 1 || strncasecmp(dsn, "redis://", sizeof("redis://") - 1) != 0) {
		return dsn_bad("the scheme must be redis://, rediss:// or unix://");
	}
	if (check_port(dsn, len, &c->port) == FAILURE) {
		return dsn_bad("the port must be a number from 1 to 65535, digits only");
	}
	u = php_url_parse_ex(dsn, len);
	if (u == NULL || u->host == NULL || ZSTR_LEN(u->host) == 0) {
		bad = "the host is missing or malformed";
	} else if (u->query || u->fragment) {
		bad = "redis:// takes no query or fragment (the database number goes in the path: /N)";
	} else if (u->path && ZSTR_LEN(u->path) > 1 &&
			   parse_db(ZSTR_VAL(u->path) + 1, ZSTR_LEN(u->path) - 1, &c->db) == FAILURE) {
		bad = "the database number (path /N) must be 0 to 99999";
	}
	if (bad) {
		if (u) {
			php_url_free(u);
		}
		return dsn_bad(bad);
	}
	c->user = url_part(u->user);
	c->pass = url_part(u->pass);
	h = ZSTR_VAL(u->host);
	hlen = ZSTR_LEN(u->host);
	if (hlen > 2 && h[0] == '[' && h[hlen - 1] == ']') { /* [::1] */
		h++;
		hlen -= 2;
	}
	c->host = estrndup(h, hlen);
	snprintf(c->where, sizeof(c->where), "%s:%d", c->host, c->port);
	php_url_free(u);
	return SUCCESS;
}

static zend_result parse_dsn(paylock_redis_client *c, const char *dsn, size_t len)
{
	if (len >= 7 && strncasecmp(dsn, "unix://", 7) == 0) {
		return parse_unix_dsn(c, dsn, len);
	}
	if (len > 9 && strncasecmp(dsn, "rediss://", 9) == 0) {
		paylock_throw(paylock_ce_ConnectionException,
					  "rediss:// needs TLS, which this PayLock build lacks (hiredis_ssl was not found when "
					  "PayLock was compiled)");
		return FAILURE;
	}
	return parse_tcp_dsn(c, dsn, len);
}

static zend_result option_timeout(zval *val, const char *name, double *out)
{
	if (paylock_option_seconds(val, name, PAYLOCK_REDIS_MAX_TIMEOUT_S, 2, out) == FAILURE) {
		return FAILURE;
	}
	if (*out < PAYLOCK_REDIS_MIN_TIMEOUT_S) {
		zend_argument_value_error(2, "option \"%s\" must be at least %g seconds (%g ms)", name,
								  PAYLOCK_REDIS_MIN_TIMEOUT_S, PAYLOCK_REDIS_MIN_TIMEOUT_S * 1000);
		return FAILURE;
	}
	return SUCCESS;
}

static zend_result parse_options(paylock_redis_client *c, HashTable *options)
{
	zend_string *key;
	zval *val;
	bool known;

	ZEND_HASH_FOREACH_STR_KEY_VAL(options, key, val) {
		ZVAL_DEREF(val);
		if (key == NULL) {
			zend_argument_value_error(2, "must be an array with string keys");
			return FAILURE;
		}
		if (zend_string_equals_literal(key, "connect_timeout")) {
			if (option_timeout(val, "connect_timeout", &c->connect_timeout) == FAILURE) {
				return FAILURE;
			}
		} else if (zend_string_equals_literal(key, "read_timeout")) {
			if (option_timeout(val, "read_timeout", &c->read_timeout) == FAILURE) {
				return FAILURE;
			}
		} else if (zend_string_equals_literal(key, "persistent")) {
			if (Z_TYPE_P(val) != IS_TRUE && Z_TYPE_P(val) != IS_FALSE) {
				zend_argument_type_error(2, "option \"persistent\" must be of type bool, %s given",
										 zend_zval_type_name(val));
				return FAILURE;
			}
			c->persistent = Z_TYPE_P(val) == IS_TRUE;
		} else if (zend_string_equals_literal(key, "prefix")) {
			if (Z_TYPE_P(val) != IS_STRING) {
				zend_argument_type_error(2, "option \"prefix\" must be of type string, %s given",
										 zend_zval_type_name(val));
				return FAILURE;
			}
			if (Z_STRLEN_P(val) > PAYLOCK_REDIS_PREFIX_MAX) {
				zend_argument_value_error(2, "option \"prefix\" must be at most %d bytes long",
										  PAYLOCK_REDIS_PREFIX_MAX);
				return FAILURE;
			}
			zend_string_release(c->prefix);
			c->prefix = zend_string_copy(Z_STR_P(val));
		} else if (paylock_replicas_option(c, key, val, &known) == FAILURE) {
			return FAILURE;
		} else if (!known) {
			zend_argument_value_error(2,
									  "contains unknown option \"%s\" (known: connect_timeout, "
									  "read_timeout, persistent, prefix, replicas, replica_timeout)",
									  ZSTR_VAL(key));
			return FAILURE;
		}
	}
	ZEND_HASH_FOREACH_END();
	return SUCCESS;
}

/* The pool key names every setting that changes what a connection is; the password only as a hash. */
static zend_string *make_pool_key(const paylock_redis_client *c)
{
	char pass_hash[65] = "";

	if (c->pass) {
		PHP_SHA256_CTX ctx;
		unsigned char digest[32];

		PHP_SHA256Init(&ctx);
		PHP_SHA256Update(&ctx, (const unsigned char *)c->pass, strlen(c->pass));
		PHP_SHA256Final(digest, &ctx);
		make_digest_ex(pass_hash, digest, 32);
	}
	return zend_strpprintf(0, "%s|%s|" ZEND_LONG_FMT "|%s|%s|%.6f|%.6f", c->unix_path ? "unix" : "tcp",
						   c->where, c->db, c->user ? c->user : "", pass_hash, c->connect_timeout,
						   c->read_timeout);
}

zend_result paylock_redis_client_init(paylock_redis_client *c, zend_string *dsn, HashTable *options)
{
	const char *d = dsn ? ZSTR_VAL(dsn) : PAYLOCK_G(redis_dsn), *q;
	size_t dlen = dsn ? ZSTR_LEN(dsn) : strlen(PAYLOCK_G(redis_dsn));
	HashTable *merged = NULL;
	zend_result rc;

	memset(c, 0, sizeof(*c));
	c->connect_timeout = 1.0;
	c->read_timeout = 1.0;
	c->persistent = PAYLOCK_G(persistent);
	c->prefix = zend_string_init("paylock:", sizeof("paylock:") - 1, 0);
	c->replica_timeout = PAYLOCK_REPLICA_TIMEOUT_DEFAULT_S;
	if (memchr(d, '\0', dlen) != NULL) {
		return dsn_bad("it contains a NUL byte");
	}
	q = memchr(d, '?', dlen); /* the query holds options (redis_dsn_query.c) */
	if (parse_dsn(c, d, q ? (size_t)(q - d) : dlen) == FAILURE ||
		(q && paylock_dsn_query_parse(c, q + 1, dlen - (q + 1 - d), options, &merged) == FAILURE)) {
		return FAILURE;
	}
	rc = parse_options(c, merged ? merged : options);
	if (merged) {
		zend_array_destroy(merged);
	}
	if (rc == FAILURE || paylock_replicas_check_options(c) == FAILURE) {
		return FAILURE;
	}
	c->pool_key = make_pool_key(c);
	return SUCCESS;
}

static void conn_free(paylock_redis_conn *conn, bool persistent)
{
	/* redisFree only closes the descriptor (no QUIT): safe in a forked child, whose close does not
	 * end the parent's TCP session. A future TLS build needs redisFreeKeepFd here to skip SSL_shutdown. */
	redisFree(conn->ctx);
	pefree(conn, persistent);
}

#define FREE_IF_SET(p)                                                                                       \
	do {                                                                                                     \
		if (p) {                                                                                             \
			efree(p);                                                                                        \
		}                                                                                                    \
	} while (0)

void paylock_redis_client_dtor(paylock_redis_client *c)
{
	if (c->own) {
		conn_free(c->own, 0);
		c->own = NULL;
	}
	if (c->prefix) {
		zend_string_release(c->prefix);
	}
	if (c->pool_key) {
		zend_string_release(c->pool_key);
	}
	if (c->pass) {
		ZEND_SECURE_ZERO(c->pass, strlen(c->pass));
	}
	FREE_IF_SET(c->host);
	FREE_IF_SET(c->unix_path);
	FREE_IF_SET(c->user);
	FREE_IF_SET(c->pass);
	memset(c, 0, sizeof(*c));
}

void paylock_redis_pool_entry_dtor(zval *zv)
{
	conn_free(Z_PTR_P(zv), 1);
}

uint32_t paylock_redis_pool_size(void)
{
	return zend_hash_num_elements(&PAYLOCK_G(pool));
}

/* ---- connecting ---- */

#define REPLY_STARTS(r, lit) ((r)->len >= sizeof(lit) - 1 && memcmp((r)->str, lit, sizeof(lit) - 1) == 0)

/* Errors that say "this server cannot serve us now" (full, loading, a replica or a cluster in failover,
 * a script running too long, refused credentials) rather than "PayLock sent something wrong":
 * ConnectionException, so FallbackStore degrades. NOPERM is not among them: it is a configuration error. */
static bool error_means_unavailable(const redisReply *r)
{
	static const char *const prefixes[] = {
		"ERR max number of clients",
		"LOADING",
		"MASTERDOWN",
		"CLUSTERDOWN",
		"TRYAGAIN",
		"READONLY",
		"BUSY ",
		"UNBLOCKED",
		"MISCONF",
		"NOAUTH",
		"WRONGPASS",
	};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t n = strlen(prefixes[i]);

		if (r->len >= n && memcmp(r->str, prefixes[i], n) == 0) {
			return true;
		}
	}
	return false;
}

/* The ACL category a refused command belongs to, for the fix in the message. */
static const char *acl_category_hint(const redisReply *r)
{
	if (strcasestr(r->str, "'eval") || strcasestr(r->str, "'script") || strcasestr(r->str, "'fcall")) {
		return "+@scripting";
	}
	if (strcasestr(r->str, "'blpop")) {
		return "+@blocking";
	}
	if (strcasestr(r->str, "key") || strcasestr(r->str, "channel")) {
		return "a key pattern covering the prefix (~<prefix>*)";
	}
	return "+@scripting +@read +@write +@list +@blocking +@connection +time";
}

/* err from an error reply: CONNECTION when the server cannot serve now, a configuration STORE error for
 * NOPERM (naming what the ACL user lacks), else STORE. */
static void error_from_reply(const paylock_redis_client *c, const redisReply *r, paylock_error *err)
{
	if (REPLY_STARTS(r, "NOPERM")) {
		paylock_error_set(err, PAYLOCK_ERR_STORE,
						  "Redis at %s refused the ACL user%s%s the commands PayLock needs (%.*s): a "
						  "configuration error; grant it %s (ACL SETUSER %s ...)",
						  c->where, c->user ? " " : "", c->user ? c->user : "", (int)MIN(r->len, 120), r->str,
						  acl_category_hint(r), c->user ? c->user : "default");
		return;
	}
	paylock_error_set(err, error_means_unavailable(r) ? PAYLOCK_ERR_CONNECTION : PAYLOCK_ERR_STORE,
					  "Redis at %s answered: %.*s", c->where, (int)r->len, r->str);
}

static bool reply_is_error(redisReply *r, char *buf, size_t buflen, const char *what)
{
	if (r == NULL) {
		return true;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		snprintf(buf, buflen, "%s: %.*s", what, (int)r->len, r->str);
		return true;
	}
	return false;
}

/* EVALSHA of a script nobody loaded: NOSCRIPT when the ACL user may run scripts, NOPERM when not. */
#define PROBE_SHA     "0000000000000000000000000000000000000000"
#define SETUP_REPLIES 6

static const char *config_value(const redisReply *r, size_t *len)
{
	if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 && r->element[1]->type == REDIS_REPLY_STRING) {
		*len = r->element[1]->len;
		return r->element[1]->str;
	}
	return NULL;
}

/* Eviction policy (CONFIG GET, else INFO memory) and persistence (CONFIG GET save/appendonly, else only
 * INFO persistence's aof_enabled) from the replies to the setup pipeline. */
static void read_facts(redisReply **r, paylock_durability_facts *f)
{
	size_t len = 0, aof_len = 0;
	const char *save = config_value(r[1], &len), *aof = config_value(r[2], &aof_len);

	f->policy = config_value(r[0], &f->policy_len);
	if (f->policy == NULL && r[3] && r[3]->type == REDIS_REPLY_STRING) {
		f->policy = paylock_info_field(r[3]->str, r[3]->len, "maxmemory_policy", &f->policy_len);
	}
	if (save && aof) {
		f->persistent = len > 0 || (aof_len == 3 && memcmp(aof, "yes", 3) == 0);
	} else if (r[4] && r[4]->type == REDIS_REPLY_STRING &&
			   (aof = paylock_info_field(r[4]->str, r[4]->len, "aof_enabled", &aof_len)) != NULL &&
			   aof_len == 1 && aof[0] == '1') {
		f->persistent = 1;
	} else {
		f->persistent = -1;
	}
}

/* What the first connection to a server learns, in one pipelined round trip: whether this ACL user may
 * run scripts (so a missing +@scripting is found before a lock is taken, not at its release), and once
 * per process per server the eviction policy and persistence (so no lock or replay path pays for it). */
static zend_result setup_checks(paylock_redis_client *c, redisContext *ctx, paylock_error *err)
{
	HashTable *seen = &PAYLOCK_G(eviction_checked);
	zend_string *acl = zend_strpprintf(0, "acl|%s", ZSTR_VAL(c->pool_key));
	bool probe = !zend_hash_str_exists(seen, ZSTR_VAL(acl), ZSTR_LEN(acl)),
		 facts = !paylock_durability_known(c);
	redisReply *r[SETUP_REPLIES] = {NULL};
	int n = 0, got = 0, i;
	zend_result rc = SUCCESS;

	if (probe) {
		redisAppendCommand(ctx, "EVALSHA " PROBE_SHA " 0");
		n++;
	}
	if (facts) {
		redisAppendCommand(ctx, "CONFIG GET maxmemory-policy");
		redisAppendCommand(ctx, "CONFIG GET save");
		redisAppendCommand(ctx, "CONFIG GET appendonly");
		redisAppendCommand(ctx, "INFO memory");
		redisAppendCommand(ctx, "INFO persistence");
		n += 5;
	}
	while (got < n && redisGetReply(ctx, (void **)&r[got]) == REDIS_OK) {
		got++;
	}
	for (i = 0; i < got && rc == SUCCESS; i++) {
		/* CONFIG and INFO may be refused (managed services): only the probe's NOPERM counts. */
		if (r[i]->type == REDIS_REPLY_ERROR &&
			(error_means_unavailable(r[i]) || (i == 0 && probe && REPLY_STARTS(r[i], "NOPERM")))) {
			error_from_reply(c, r[i], err);
			rc = FAILURE;
		}
	}
	if (rc == SUCCESS && got < n) {
		bool timed_out = ctx->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK);

		paylock_error_set(err, PAYLOCK_ERR_CONNECTION, "Redis at %s: %s", c->where,
						  timed_out ? "read timed out"
									: (ctx->errstr[0] ? ctx->errstr : "connection closed"));
		rc = FAILURE;
	}
	if (rc == SUCCESS) {
		if (probe) {
			zend_hash_str_add_empty_element(seen, ZSTR_VAL(acl), ZSTR_LEN(acl)); /* a persistent copy */
		}
		if (facts) {
			paylock_durability_facts f;

			read_facts(r + (probe ? 1 : 0), &f);
			paylock_durability_note(c, &f);
		}
		if (EG(exception)) { /* an error handler turned the warning into an exception: send nothing */
			err->kind = PAYLOCK_ERR_NONE;
			rc = FAILURE;
		}
	}
	for (i = 0; i < got; i++) {
		freeReplyObject(r[i]);
	}
	zend_string_release(acl);
	return rc;
}

static paylock_redis_conn *conn_open(paylock_redis_client *c, paylock_error *err)
{
	struct timeval ct = seconds_to_tv(c->connect_timeout), rt = seconds_to_tv(c->read_timeout);
	redisContext *ctx;
	redisReply *r = NULL;
	paylock_redis_conn *conn;
	char why[240] = "";

	ctx = c->unix_path ? redisConnectUnixWithTimeout(c->unix_path, ct)
					   : redisConnectWithTimeout(c->host, c->port, ct);
	if (ctx == NULL || ctx->err) {
		paylock_error_set(err, PAYLOCK_ERR_CONNECTION, "Cannot connect to Redis at %s: %s", c->where,
						  ctx ? ctx->errstr : "out of memory");
		if (ctx) {
			redisFree(ctx);
		}
		return NULL;
	}
	redisSetTimeout(ctx, rt);
	if (c->pass) {
		r = c->user ? redisCommand(ctx, "AUTH %s %s", c->user, c->pass)
					: redisCommand(ctx, "AUTH %s", c->pass);
		if (reply_is_error(r, why, sizeof(why), "authentication failed")) {
			goto fail;
		}
		freeReplyObject(r);
		r = NULL;
	}
	if (c->db != 0) {
		r = redisCommand(ctx, "SELECT %lld", (long long)c->db);
		if (reply_is_error(r, why, sizeof(why), "SELECT failed")) {
			goto fail;
		}
		freeReplyObject(r);
		r = NULL;
	}
	if (setup_checks(c, ctx, err) == FAILURE) {
		redisFree(ctx);
		return NULL;
	}
	conn = pemalloc(sizeof(*conn), c->persistent);
	conn->ctx = ctx;
	conn->pid = paylock_pid();
	conn->last_used_ns = paylock_now_ns();
	return conn;
fail:
	paylock_error_set(err, PAYLOCK_ERR_CONNECTION, "Redis at %s: %s", c->where,
					  why[0] ? why : (ctx->errstr[0] ? ctx->errstr : "connection closed"));
	if (r && r->type == REDIS_REPLY_ERROR && REPLY_STARTS(r, "NOPERM")) {
		error_from_reply(c, r, err); /* NOPERM for SELECT: a configuration error */
	}
	if (r) {
		freeReplyObject(r);
	}
	redisFree(ctx);
	return NULL;
}

/* A pooled socket whose peer went away while idle (Redis restarted) is readable with EOF. */
static bool peer_closed(paylock_redis_conn *conn)
{
	struct pollfd p = {.fd = conn->ctx->fd, .events = POLLIN};

	/* Between commands nothing may be readable: EOF, an error or stray bytes all mean "drop it". */
	return poll(&p, 1, 0) != 0;
}

static void conn_drop(paylock_redis_client *c, paylock_redis_conn *conn)
{
	if (c->persistent) {
		zend_hash_str_del(&PAYLOCK_G(pool), ZSTR_VAL(c->pool_key), ZSTR_LEN(c->pool_key));
	} else {
		conn_free(conn, 0);
		c->own = NULL;
	}
}

/* The usable connection for c: pooled or private, re-made after fork or when the peer closed. */
static paylock_redis_conn *conn_get(paylock_redis_client *c, bool *fresh, paylock_error *err)
{
	paylock_redis_conn *conn =
		c->persistent ? zend_hash_str_find_ptr(&PAYLOCK_G(pool), ZSTR_VAL(c->pool_key), ZSTR_LEN(c->pool_key))
					  : c->own;

	*fresh = false;
	if (conn && conn->pid != paylock_pid()) {
		conn_drop(c, conn); /* inherited across fork: abandon without a word on the wire */
		conn = NULL;
	} else if (conn && paylock_now_ns() - conn->last_used_ns > PAYLOCK_REDIS_IDLE_CHECK_NS &&
			   peer_closed(conn)) {
		conn_drop(c, conn);
		conn = NULL;
	}
	if (conn) {
		return conn;
	}
	conn = conn_open(c, err);
	if (conn == NULL) {
		return NULL;
	}
	*fresh = true;
	if (c->persistent) {
		/* The str variant copies the key as persistent memory: the pool outlives the request. */
		zend_hash_str_update_ptr(&PAYLOCK_G(pool), ZSTR_VAL(c->pool_key), ZSTR_LEN(c->pool_key), conn);
	} else {
		c->own = conn;
	}
	return conn;
}

paylock_reply *paylock_redis_command(paylock_redis_client *c, int argc, const char **argv, const size_t *lens,
									 double extra_block_s, paylock_error *err)
{
	c->reconnected = false;
	c->unanswered = false;
	for (int attempt = 0; attempt < 2; attempt++) {
		bool fresh, timed_out;
		paylock_redis_conn *conn = conn_get(c, &fresh, err);
		redisReply *r;
		char why[128];

		if (conn == NULL) {
			return NULL; /* nothing sent this time; unanswered tells about the first attempt */
		}
		if (extra_block_s > 0) {
			redisSetTimeout(conn->ctx, seconds_to_tv(c->read_timeout + extra_block_s));
		}
		r = redisCommandArgv(conn->ctx, argc, argv, lens);
		if (r != NULL) {
			if (extra_block_s > 0) {
				redisSetTimeout(conn->ctx, seconds_to_tv(c->read_timeout));
			}
			conn->last_used_ns = paylock_now_ns();
			c->unanswered = false;
			return (paylock_reply *)r;
		}
		/* Some bytes may have reached Redis: the command may run (or have run) without us hearing. */
		c->unanswered = true;
		timed_out = conn->ctx->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK);
		snprintf(why, sizeof(why), "%s", timed_out ? "read timed out" : conn->ctx->errstr);
		conn_drop(c, conn); /* a half-read reply makes the socket unusable */
		/* A fresh connection failing is not a stale socket, and a timed-out command may still run. */
		if (fresh || timed_out || attempt == 1) {
			paylock_error_set(err, PAYLOCK_ERR_CONNECTION, "Redis at %s: %s", c->where, why);
			return NULL;
		}
		c->reconnected = true;
	}
	return NULL;
}

static void io_error(paylock_redis_client *c, paylock_redis_conn *conn, paylock_error *err)
{
	paylock_error_set(err, PAYLOCK_ERR_CONNECTION, "Redis at %s: %s", c->where,
					  conn->ctx->errstr[0] ? conn->ctx->errstr : "connection closed");
	conn_drop(c, conn);
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
	bool fresh;
	int done = 0;
	paylock_redis_conn *conn = conn_get(c, &fresh, err);
	void *r = NULL;

	*how = BLOCK_BROKE;
	if (conn == NULL) {
		*how = BLOCK_UNREACHABLE;
		return NULL;
	}
	if (redisAppendCommandArgv(conn->ctx, argc, argv, lens) != REDIS_OK) {
		io_error(c, conn, err);
		return NULL;
	}
	while (!done) {
		if (redisBufferWrite(conn->ctx, &done) != REDIS_OK) {
			io_error(c, conn, err);
			return NULL;
		}
	}
	for (;;) {
		uint64_t now = paylock_now_ns();
		struct pollfd p = {.fd = conn->ctx->fd, .events = POLLIN};
		int n;

		if (now >= give_up_ns) {
			/* The reply is still owed on this socket, so the socket cannot be reused. */
			conn_drop(c, conn);
			*how = BLOCK_GAVE_UP;
			return NULL;
		}
		n = poll(&p, 1, (int)((give_up_ns - now + 999999) / 1000000));
		if (n > 0) {
			break;
		}
		if (n < 0 && errno != EINTR) {
			io_error(c, conn, err);
			return NULL;
		}
	}
	if (redisGetReply(conn->ctx, &r) != REDIS_OK) {
		io_error(c, conn, err);
		return NULL;
	}
	conn->last_used_ns = paylock_now_ns();
	return (paylock_reply *)r;
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

static paylock_wake wake_of(paylock_redis_client *c, paylock_reply *r, paylock_error *err);

/* Redis times blocked clients out on its own tick (up to 1/hz late), so the bounds that matter (the
 * caller's deadline, a holder's lease end) are kept client-side: we stop listening ourselves. A broken
 * connection (restart, CLIENT KILL) is replaced and the BLPOP sent again for what is left of the block:
 * an item pushed meanwhile waits in the list. */
paylock_wake paylock_redis_blpop(paylock_redis_client *c, const char *key, size_t key_len, double block_s,
								 uint64_t wake_ns, uint64_t deadline_ns, paylock_error *err)
{
	char timeout[32];
	const char *argv[3] = {"BLPOP", key, timeout};
	size_t lens[3] = {5, key_len, 0};
	uint64_t now = paylock_now_ns(), end, stop = deadline_ns ? deadline_ns : UINT64_MAX;
	bool retried = false;

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
			return wake_of(c, r, err);
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

paylock_status paylock_redis_bad_reply(const paylock_redis_client *c, const char *what, paylock_error *err)
{
	paylock_error_set(err, PAYLOCK_ERR_STORE, "Unexpected reply from Redis at %s to %s", c->where, what);
	return PAYLOCK_FAILED;
}

paylock_status paylock_redis_eval_yesno(paylock_redis_client *c, paylock_script *s, const char *what,
										int nkeys, int argc, const char **argv, size_t *lens,
										paylock_error *err)
{
	paylock_reply *r = paylock_redis_eval(c, s, nkeys, argc, argv, lens, err);
	paylock_status st;

	if (r == NULL) {
		return PAYLOCK_FAILED;
	}
	if (paylock_reply_kind(r) != PAYLOCK_REPLY_INTEGER) {
		paylock_reply_free(r);
		return paylock_redis_bad_reply(c, what, err);
	}
	st = paylock_reply_int(r) == 1 ? PAYLOCK_YES : PAYLOCK_NO;
	paylock_reply_free(r);
	return st;
}

static paylock_wake wake_of(paylock_redis_client *c, paylock_reply *r, paylock_error *err)
{
	paylock_wake w;

	switch (paylock_reply_kind(r)) {
	case PAYLOCK_REPLY_ARRAY:
		w = PAYLOCK_WAKE_POPPED;
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

paylock_status paylock_redis_error_reply(const paylock_redis_client *c, paylock_reply *reply,
										 paylock_error *err)
{
	redisReply *r = (redisReply *)reply;

	error_from_reply(c, r, err);
	freeReplyObject(r);
	return PAYLOCK_FAILED;
}

/* The head of an EVALSHA/EVAL command: the command, the script (sha or body), the key count (in nk). */
static void eval_head(const char **argv, size_t *lens, bool by_sha, const paylock_script *s, int nkeys,
					  char nk[12])
{
	argv[0] = by_sha ? "EVALSHA" : "EVAL";
	lens[0] = by_sha ? 7 : 4;
	argv[1] = by_sha ? s->sha : s->body;
	lens[1] = by_sha ? 40 : strlen(s->body);
	lens[2] = snprintf(nk, 12, "%d", nkeys);
	argv[2] = nk;
}

/* An error reply becomes err (and NULL); anything else is the caller's. */
static paylock_reply *reply_or_error(paylock_redis_client *c, redisReply *r, paylock_error *err)
{
	if (r && r->type == REDIS_REPLY_ERROR) {
		paylock_redis_error_reply(c, (paylock_reply *)r, err);
		return NULL;
	}
	return (paylock_reply *)r;
}

paylock_reply *paylock_redis_eval(paylock_redis_client *c, paylock_script *s, int nkeys, int argc,
								  const char **argv, size_t *lens, paylock_error *err)
{
	char nk[12];
	redisReply *r;

	eval_head(argv, lens, true, s, nkeys, nk);
	r = (redisReply *)paylock_redis_command(c, argc, argv, lens, 0, err);
	if (r && r->type == REDIS_REPLY_ERROR && REPLY_STARTS(r, "NOSCRIPT")) {
		/* The script cache is empty (Redis restarted or SCRIPT FLUSH): EVAL sends and caches it. */
		freeReplyObject(r);
		eval_head(argv, lens, false, s, nkeys, nk);
		r = (redisReply *)paylock_redis_command(c, argc, argv, lens, 0, err);
	}
	return reply_or_error(c, r, err);
}

paylock_reply *paylock_redis_eval_body(paylock_redis_client *c, const paylock_script *s, int nkeys, int argc,
									   const char **argv, size_t *lens, paylock_error *err)
{
	char nk[12];

	eval_head(argv, lens, false, s, nkeys, nk);
	return reply_or_error(c, (redisReply *)paylock_redis_command(c, argc, argv, lens, 0, err), err);
}

void paylock_script_init(paylock_script *s, const char *body)
{
	PHP_SHA1_CTX ctx;
	unsigned char digest[20];

	s->body = body;
	PHP_SHA1Init(&ctx);
	PHP_SHA1Update(&ctx, (const unsigned char *)body, strlen(body));
	PHP_SHA1Final(digest, &ctx);
	make_digest_ex(s->sha, digest, 20);
}

const char *paylock_hiredis_version(void)
{
	return ZEND_TOSTR(HIREDIS_MAJOR) "." ZEND_TOSTR(HIREDIS_MINOR) "." ZEND_TOSTR(HIREDIS_PATCH);
}

bool paylock_redis_tls_available(void)
{
	return false; /* see config.m4: no hiredis_ssl build yet */
}

/* Interim pipelining on hiredis' own buffer (helper 15a's owned transport replaces it). A stale pooled
 * socket fails on its first read with nothing run: that case, and only on a connection not fresh, is
 * tried once more on a new connection, as paylock_redis_command does. */
paylock_status paylock_redis_pipeline(paylock_redis_client *c, int n, const paylock_redis_cmd *cmds,
									  paylock_reply **replies, paylock_error *err)
{
	c->reconnected = false;
	c->unanswered = false;
	for (int attempt = 0; attempt < 2; attempt++) {
		bool fresh, timed_out;
		paylock_redis_conn *conn = conn_get(c, &fresh, err);
		int got = 0, i;
		char why[128];

		for (i = 0; i < n; i++) {
			replies[i] = NULL;
		}
		if (conn == NULL) {
			return PAYLOCK_FAILED;
		}
		for (i = 0; i < n; i++) {
			redisAppendCommandArgv(conn->ctx, cmds[i].argc, cmds[i].argv, cmds[i].lens);
		}
		while (got < n && redisGetReply(conn->ctx, (void **)&replies[got]) == REDIS_OK) {
			got++;
		}
		if (got == n) {
			conn->last_used_ns = paylock_now_ns();
			return PAYLOCK_YES;
		}
		for (i = 0; i < got; i++) {
			freeReplyObject(replies[i]);
			replies[i] = NULL;
		}
		c->unanswered = true;
		timed_out = conn->ctx->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK);
		snprintf(why, sizeof(why), "%s", timed_out ? "read timed out" : conn->ctx->errstr);
		conn_drop(c, conn);
		if (fresh || timed_out || got > 0 || attempt == 1) {
			paylock_error_set(err, PAYLOCK_ERR_CONNECTION, "Redis at %s: %s", c->where, why);
			return PAYLOCK_FAILED;
		}
		c->reconnected = true;
	}
	return PAYLOCK_FAILED;
}
