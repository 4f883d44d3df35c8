/* Redis clients for PayLock: the DSN and the options of a store (the layers under it: redis_pool.c,
 * redis_exec.c, redis_scripts.c, redis_resp.c, redis_transport.c, redis_tls.c). */
#include "php_paylock.h"
#include "redis_conn.h"
#include "redis_durability.h"
#include "redis_router.h"
#include "redis_replicas.h"
#include "redis_dsn_query.h"
#include "token.h"
#include "ext/standard/url.h"
#include "ext/standard/sha1.h"
#include "ext/standard/md5.h"
#include "ext/hash/php_hash.h"
#include "ext/hash/php_hash_sha.h"
#include "zend_exceptions.h"

#include "redis_io.h"
#include "redis_tls.h"
#include <sys/socket.h>
#include <sys/un.h>

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
static zend_result check_port(const char *dsn, size_t len, size_t scheme_len, int *port)
{
	const char *auth = dsn + scheme_len, *end = dsn + len, *p, *at = NULL, *colon = NULL;
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
	size_t hlen, scheme_len = c->tls ? sizeof("rediss://") - 1 : sizeof("redis://") - 1;

	if (len < scheme_len || strncasecmp(dsn, c->tls ? "rediss://" : "redis://", scheme_len) != 0) {
		return dsn_bad("the scheme must be redis://, rediss:// or unix://");
	}
	if (check_port(dsn, len, scheme_len, &c->port) == FAILURE) {
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
	/* An IPv6 address in brackets, as in the DSN: [::1]:6379. */
	snprintf(c->where, sizeof(c->where), strchr(c->host, ':') ? "[%s]:%d" : "%s:%d", c->host, c->port);
	php_url_free(u);
	return SUCCESS;
}

static zend_result parse_dsn(paylock_redis_client *c, const char *dsn, size_t len)
{
	if (len >= 7 && strncasecmp(dsn, "unix://", 7) == 0) {
		return parse_unix_dsn(c, dsn, len);
	}
	if (len > 9 && strncasecmp(dsn, "rediss://", 9) == 0) {
		if (!paylock_tls_available()) {
			paylock_throw(paylock_ce_StoreException,
						  "rediss:// needs TLS, which this PayLock build lacks: install OpenSSL's headers "
						  "(libssl-dev) and build PayLock again");
			return FAILURE;
		}
		c->tls = paylock_tls_config_new();
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
		} else if (zend_string_equals_literal(key, "tls")) {
			if (c->unix_path) {
				zend_argument_value_error(
					2, "option \"tls\" needs a TCP DSN (rediss:// or redis://), not unix://");
				return FAILURE;
			}
			if (c->tls == NULL) { /* the option alone turns TLS on, as rediss:// does */
				if (!paylock_tls_available()) {
					paylock_throw(paylock_ce_StoreException,
								  "the option tls needs TLS, which this PayLock build "
								  "lacks: install OpenSSL's headers (libssl-dev) and "
								  "build PayLock again");
					return FAILURE;
				}
				c->tls = paylock_tls_config_new();
			}
			if (paylock_tls_config_apply(c->tls, val) == FAILURE) {
				return FAILURE;
			}
		} else if (paylock_replicas_option(c, key, val, &known) == FAILURE) {
			return FAILURE;
		} else if (!known) {
			zend_argument_value_error(2,
									  "contains unknown option \"%s\" (known: connect_timeout, "
									  "read_timeout, persistent, prefix, tls, replicas, replica_timeout)",
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
	zend_string *tls = c->tls ? paylock_tls_config_key(c->tls) : NULL, *key;

	key = zend_strpprintf(0, "%s|%s|" ZEND_LONG_FMT "|%s|%s|%.6f|%.6f%s%s", c->unix_path ? "unix" : "tcp",
						  c->where, c->db, c->user ? c->user : "", pass_hash, c->connect_timeout,
						  c->read_timeout, tls ? "|" : "", tls ? ZSTR_VAL(tls) : "");
	if (tls) {
		zend_string_release(tls);
	}
	return key;
}

zend_result paylock_redis_client_init(paylock_redis_client *c, zend_string *dsn, HashTable *options)
{
	const char *d = dsn ? ZSTR_VAL(dsn) : PAYLOCK_G(redis_dsn), *q;
	size_t dlen = dsn ? ZSTR_LEN(dsn) : strlen(PAYLOCK_G(redis_dsn));
	HashTable *merged = NULL;
	zend_result rc;

	if (paylock_router_dsn(d, dlen)) { /* issue 16: redis+cluster://, redis+sentinel:// */
		return paylock_router_init(c, d, dlen, options);
	}
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

#define FREE_IF_SET(p)                                                                                       \
	do {                                                                                                     \
		if (p) {                                                                                             \
			efree(p);                                                                                        \
		}                                                                                                    \
	} while (0)

void paylock_redis_client_dtor(paylock_redis_client *c)
{
	paylock_router_free(c); /* issue 16 */
	paylock_redis_client_close(c);
	if (c->tls) {
		paylock_tls_config_free(c->tls);
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
