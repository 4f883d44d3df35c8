/* TLS for rediss:// with OpenSSL, on a TCP socket PayLock owns: TLS 1.2 or newer, the peer verified
 * against the system CA store (or openssl.cafile/capath, or the tls option cafile/capath), its name
 * checked against the DSN host, SNI for host names. One TLS context per set of settings per process. */
#include "php_paylock.h"
#include "php_ini.h"
#include "redis_tls.h"
#include "token.h"
#include "ext/standard/md5.h"
#include "ext/hash/php_hash.h"
#include "ext/hash/php_hash_sha.h"

#include <arpa/inet.h>

/* ---- settings (no OpenSSL needed) ---- */

/* An INI value PHP's openssl extension reads; set with -d or php.ini even when that extension is not
 * loaded (then it is only in the configuration hash). */
static char *ini_path(const char *name)
{
	bool exists = false;
	char *v = zend_ini_string_ex((char *)name, strlen(name), 0, &exists);

	if (!exists) {
		zval *z = cfg_get_entry(name, strlen(name));

		v = z && Z_TYPE_P(z) == IS_STRING ? Z_STRVAL_P(z) : NULL;
	}
	return v && *v ? estrdup(v) : NULL;
}

paylock_tls_config *paylock_tls_config_new(void)
{
	paylock_tls_config *t = ecalloc(1, sizeof(*t));

	t->verify_peer = true;
	t->verify_peer_name = true;
	t->cafile = ini_path("openssl.cafile");
	t->capath = ini_path("openssl.capath");
	return t;
}

#define TLS_KNOWN                                                                                            \
	"cafile, capath, local_cert, local_pk, passphrase, verify_peer, verify_peer_name, peer_name, ciphers"

static zend_result tls_string(zval *v, const char *key, char **out)
{
	if (Z_TYPE_P(v) != IS_STRING) {
		zend_argument_type_error(2, "option \"tls\" key \"%s\" must be of type string, %s given", key,
								 zend_zval_type_name(v));
		return FAILURE;
	}
	if (Z_STRLEN_P(v) == 0 || memchr(Z_STRVAL_P(v), '\0', Z_STRLEN_P(v))) {
		zend_argument_value_error(2, "option \"tls\" key \"%s\" must be a non-empty string without NUL bytes",
								  key);
		return FAILURE;
	}
	if (*out) {
		efree(*out);
	}
	*out = estrndup(Z_STRVAL_P(v), Z_STRLEN_P(v));
	return SUCCESS;
}

static zend_result tls_bool(zval *v, const char *key, bool *out)
{
	if (Z_TYPE_P(v) != IS_TRUE && Z_TYPE_P(v) != IS_FALSE) {
		zend_argument_type_error(2, "option \"tls\" key \"%s\" must be of type bool, %s given", key,
								 zend_zval_type_name(v));
		return FAILURE;
	}
	*out = Z_TYPE_P(v) == IS_TRUE;
	return SUCCESS;
}

zend_result paylock_tls_config_apply(paylock_tls_config *t, zval *tls)
{
	zend_string *key;
	zval *v;

	if (Z_TYPE_P(tls) != IS_ARRAY) {
		zend_argument_type_error(2, "option \"tls\" must be of type array, %s given",
								 zend_zval_type_name(tls));
		return FAILURE;
	}
	ZEND_HASH_FOREACH_STR_KEY_VAL(Z_ARRVAL_P(tls), key, v) {
		const char *k = key ? ZSTR_VAL(key) : "";
		zend_result rc;

		ZVAL_DEREF(v);
		if (key == NULL) {
			zend_argument_value_error(2, "option \"tls\" must be an array with string keys (" TLS_KNOWN ")");
			return FAILURE;
		}
		if (strcmp(k, "cafile") == 0) {
			rc = tls_string(v, k, &t->cafile);
		} else if (strcmp(k, "capath") == 0) {
			rc = tls_string(v, k, &t->capath);
		} else if (strcmp(k, "local_cert") == 0) {
			rc = tls_string(v, k, &t->local_cert);
		} else if (strcmp(k, "local_pk") == 0) {
			rc = tls_string(v, k, &t->local_pk);
		} else if (strcmp(k, "passphrase") == 0) {
			rc = tls_string(v, k, &t->passphrase);
		} else if (strcmp(k, "peer_name") == 0) {
			rc = tls_string(v, k, &t->peer_name);
		} else if (strcmp(k, "ciphers") == 0) {
			rc = tls_string(v, k, &t->ciphers);
		} else if (strcmp(k, "verify_peer") == 0) {
			rc = tls_bool(v, k, &t->verify_peer);
		} else if (strcmp(k, "verify_peer_name") == 0) {
			rc = tls_bool(v, k, &t->verify_peer_name);
		} else {
			zend_argument_value_error(2, "option \"tls\" contains unknown key \"%s\" (known: " TLS_KNOWN ")",
									  k);
			return FAILURE;
		}
		if (rc == FAILURE) {
			return FAILURE;
		}
	}
	ZEND_HASH_FOREACH_END();
	if (t->local_pk && !t->local_cert) {
		zend_argument_value_error(2, "option \"tls\" key \"local_pk\" needs \"local_cert\"");
		return FAILURE;
	}
	return SUCCESS;
}

void paylock_tls_config_free(paylock_tls_config *t)
{
	char **s[] = {&t->cafile,     &t->capath,    &t->local_cert, &t->local_pk,
				  &t->passphrase, &t->peer_name, &t->ciphers};

	if (t->passphrase) {
		ZEND_SECURE_ZERO(t->passphrase, strlen(t->passphrase));
	}
	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		if (*s[i]) {
			efree(*s[i]);
		}
	}
	efree(t);
}

zend_string *paylock_tls_config_key(const paylock_tls_config *t)
{
	char pass_hash[65] = "";

	if (t->passphrase) {
		PHP_SHA256_CTX ctx;
		unsigned char digest[32];

		PHP_SHA256Init(&ctx);
		PHP_SHA256Update(&ctx, (const unsigned char *)t->passphrase, strlen(t->passphrase));
		PHP_SHA256Final(digest, &ctx);
		make_digest_ex(pass_hash, digest, 32);
	}
	return zend_strpprintf(0, "tls|%s|%s|%s|%s|%s|%s|%s|%d%d", t->cafile ? t->cafile : "",
						   t->capath ? t->capath : "", t->local_cert ? t->local_cert : "",
						   t->local_pk ? t->local_pk : "", pass_hash, t->peer_name ? t->peer_name : "",
						   t->ciphers ? t->ciphers : "", t->verify_peer, t->verify_peer_name);
}

#ifdef PAYLOCK_HAVE_OPENSSL

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- contexts, cached per process (loading the system CA store costs milliseconds) ---- */

#define TLS_CTX_CACHE 8

static BIO_METHOD *bio_method; /* the socket BIO (below), made once per process, never freed */

static struct {
	char *key; /* malloc'd */
	SSL_CTX *ctx;
} ctx_cache[TLS_CTX_CACHE];

void paylock_tls_shutdown(void)
{
	/* bio_method stays: pooled sessions, freed after this (with the module globals), still use it. */
	for (int i = 0; i < TLS_CTX_CACHE; i++) {
		if (ctx_cache[i].ctx) {
			SSL_CTX_free(ctx_cache[i].ctx); /* sessions still pooled keep their own reference */
			free(ctx_cache[i].key);
			ctx_cache[i].ctx = NULL;
			ctx_cache[i].key = NULL;
		}
	}
}

/* OpenSSL's reason for the last failure (or fallback), and the queue cleared. */
static const char *ssl_reason(char *buf, size_t len, const char *fallback)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	snprintf(buf, len, "%s", r ? r : fallback);
	ERR_clear_error();
	return buf;
}

static int passphrase_cb(char *buf, int size, int rwflag, void *userdata)
{
	const char *p = userdata;
	int n = p ? (int)strlen(p) : 0;

	if (n >= size) {
		return 0;
	}
	memcpy(buf, p, (size_t)n);
	return n;
}

static SSL_CTX *ctx_build(const paylock_redis_client *c, paylock_error *err)
{
	const paylock_tls_config *t = c->tls;
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	char why[200];
	const char *what = NULL;

	if (ctx == NULL) {
		paylock_error_set(err, PAYLOCK_ERR_STORE, "TLS for Redis at %s: cannot create a TLS context (%s)",
						  c->where, ssl_reason(why, sizeof(why), "out of memory"));
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_AUTO_RETRY);
	SSL_CTX_set_verify(ctx, t->verify_peer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
	if (t->cafile || t->capath) {
		if (SSL_CTX_load_verify_locations(ctx, t->cafile, t->capath) != 1) {
			what = "cannot load the CA certificates (tls cafile/capath, or openssl.cafile/capath)";
		}
	} else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
		what = "cannot load the system CA store";
	}
	if (!what && t->ciphers && SSL_CTX_set_cipher_list(ctx, t->ciphers) != 1) {
		what = "no usable cipher in the tls option ciphers";
	}
	if (!what && t->local_cert) {
		SSL_CTX_set_default_passwd_cb(ctx, passphrase_cb);
		SSL_CTX_set_default_passwd_cb_userdata(ctx, t->passphrase);
		if (SSL_CTX_use_certificate_chain_file(ctx, t->local_cert) != 1) {
			what = "cannot load the client certificate (tls local_cert)";
		} else if (SSL_CTX_use_PrivateKey_file(ctx, t->local_pk ? t->local_pk : t->local_cert,
											   SSL_FILETYPE_PEM) != 1) {
			what = "cannot load the client key (tls local_pk, passphrase)";
		} else if (SSL_CTX_check_private_key(ctx) != 1) {
			what = "the client key (tls local_pk) does not match the certificate (tls local_cert)";
		}
		SSL_CTX_set_default_passwd_cb_userdata(ctx, NULL); /* the passphrase is freed with the client */
	}
	if (what) {
		paylock_error_set(err, PAYLOCK_ERR_STORE,
						  "TLS for Redis at %s: %s (OpenSSL: %s): a configuration error", c->where, what,
						  ssl_reason(why, sizeof(why), "unknown error"));
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

static SSL_CTX *ctx_get(const paylock_redis_client *c, paylock_error *err)
{
	zend_string *key = paylock_tls_config_key(c->tls);
	int slot = -1;
	SSL_CTX *ctx;

	for (int i = 0; i < TLS_CTX_CACHE; i++) {
		if (ctx_cache[i].key && strcmp(ctx_cache[i].key, ZSTR_VAL(key)) == 0) {
			zend_string_release(key);
			return ctx_cache[i].ctx;
		}
		if (slot < 0 && ctx_cache[i].key == NULL) {
			slot = i;
		}
	}
	ctx = ctx_build(c, err);
	if (ctx != NULL) {
		if (slot < 0) { /* full: the oldest goes (its live sessions keep it alive) */
			SSL_CTX_free(ctx_cache[0].ctx);
			free(ctx_cache[0].key);
			memmove(ctx_cache, ctx_cache + 1, sizeof(ctx_cache[0]) * (TLS_CTX_CACHE - 1));
			slot = TLS_CTX_CACHE - 1;
		}
		ctx_cache[slot].key = strdup(ZSTR_VAL(key));
		ctx_cache[slot].ctx = ctx;
	}
	zend_string_release(key);
	return ctx;
}

/* ---- the socket under OpenSSL: send(MSG_NOSIGNAL), so a peer gone away is EPIPE, never SIGPIPE ---- */

static int bio_fd(BIO *b)
{
	return (int)(intptr_t)BIO_get_data(b);
}

static int bio_write(BIO *b, const char *buf, int len)
{
	ssize_t n = send(bio_fd(b), buf, (size_t)len, MSG_NOSIGNAL);

	BIO_clear_retry_flags(b);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
		BIO_set_retry_write(b);
	}
	return (int)n;
}

static int bio_read(BIO *b, char *buf, int len)
{
	ssize_t n = recv(bio_fd(b), buf, (size_t)len, 0);

	BIO_clear_retry_flags(b);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
		BIO_set_retry_read(b);
	}
	return (int)n;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int bio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

/* A BIO on fd that PayLock closes itself (after SSL_free). */
static BIO *bio_for(int fd)
{
	BIO *b;

	if (bio_method == NULL) {
		bio_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "paylock socket");
		if (bio_method == NULL) {
			return NULL;
		}
		BIO_meth_set_write(bio_method, bio_write);
		BIO_meth_set_read(bio_method, bio_read);
		BIO_meth_set_ctrl(bio_method, bio_ctrl);
		BIO_meth_set_create(bio_method, bio_create);
	}
	b = BIO_new(bio_method);
	if (b) {
		BIO_set_data(b, (void *)(intptr_t)fd);
	}
	return b;
}

/* ---- the stream ---- */

/* Sets t's failure from an SSL_read/SSL_write result. */
static void tls_fail(paylock_transport *t, int rc)
{
	SSL *ssl = t->tls;
	int e = SSL_get_error(ssl, rc), saved = errno;
	unsigned long code = ERR_peek_last_error();
	char why[200];

	t->timed_out = false;
	t->eof = false;
	t->kind = PAYLOCK_ERR_CONNECTION;
	if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && code == 0 && saved == 0) ||
		(e == SSL_ERROR_SSL && ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING)) {
		t->eof = true;
		snprintf(t->why, sizeof(t->why), "Server closed the connection");
	} else if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_SYSCALL) {
		paylock_transport_fail_errno(t, saved ? saved : EAGAIN);
	} else if (ERR_GET_REASON(code) == SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED) {
		t->kind = PAYLOCK_ERR_STORE;
		snprintf(t->why, sizeof(t->why),
				 "the server requires a TLS client certificate (OpenSSL: %s): a configuration error; set the "
				 "tls options local_cert and local_pk",
				 ssl_reason(why, sizeof(why), "certificate required"));
	} else {
		snprintf(t->why, sizeof(t->why), "TLS error: %s", ssl_reason(why, sizeof(why), "unknown"));
	}
	ERR_clear_error();
}

/* A signal during a blocking read/write surfaces as WANT_READ/WANT_WRITE with EINTR: try again. */
static bool interrupted(SSL *ssl, int rc)
{
	int e = SSL_get_error(ssl, rc);

	return (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_SYSCALL) &&
		   errno == EINTR;
}

static ssize_t tls_read(paylock_transport *t, char *buf, size_t len)
{
	paylock_eintr e;

	paylock_eintr_start(&e, SO_RCVTIMEO);
	for (;;) {
		int n;

		ERR_clear_error();
		errno = 0;
		n = SSL_read(t->tls, buf, (int)MIN(len, INT_MAX));
		if (n > 0) {
			paylock_eintr_done(&e, t->fd);
			return n;
		}
		if (!interrupted(t->tls, n)) {
			paylock_eintr_done(&e, t->fd);
			tls_fail(t, n);
			return t->eof ? 0 : -1;
		}
		if (!paylock_eintr_left(&e, t->fd)) {
			paylock_eintr_done(&e, t->fd);
			paylock_transport_fail_errno(t, EAGAIN);
			return -1;
		}
	}
}

static ssize_t tls_write(paylock_transport *t, const char *buf, size_t len)
{
	paylock_eintr e;

	paylock_eintr_start(&e, SO_SNDTIMEO);
	for (;;) {
		int n;

		ERR_clear_error();
		errno = 0;
		n = SSL_write(t->tls, buf, (int)MIN(len, INT_MAX));
		if (n > 0) {
			paylock_eintr_done(&e, t->fd);
			return n;
		}
		if (!interrupted(t->tls, n)) {
			paylock_eintr_done(&e, t->fd);
			tls_fail(t, n);
			return -1;
		}
		if (!paylock_eintr_left(&e, t->fd)) {
			paylock_eintr_done(&e, t->fd);
			paylock_transport_fail_errno(t, EAGAIN);
			return -1;
		}
	}
}

static bool tls_buffered(paylock_transport *t)
{
	return SSL_pending(t->tls) > 0;
}

/* The owner ends the session with close_notify; a forked child frees its copy without a word, so the
 * parent's session (same keys, same sequence numbers) goes on. */
static void tls_close(paylock_transport *t, bool owner)
{
	if (t->tls) {
		if (owner) {
			SSL_shutdown(t->tls);
		} else {
			SSL_set_quiet_shutdown(t->tls, 1);
		}
		SSL_free(t->tls);
		t->tls = NULL;
		ERR_clear_error();
	}
	if (t->fd >= 0) {
		close(t->fd);
		t->fd = -1;
	}
}

/* Readable while idle: a close (EOF, close_notify) means broken; TLS 1.3 session tickets that arrived
 * after the handshake are consumed without blocking and do not. */
static bool tls_idle_broken(paylock_transport *t)
{
	char c;
	int flags, n;

	if (SSL_pending(t->tls) > 0) {
		return true; /* stray application data */
	}
	if (!paylock_transport_poll_idle(t->fd)) {
		return false;
	}
	flags = fcntl(t->fd, F_GETFL);
	fcntl(t->fd, F_SETFL, flags | O_NONBLOCK);
	ERR_clear_error();
	n = SSL_read(t->tls, &c, 1);
	n = n > 0 ? 1 : SSL_get_error(t->tls, n) == SSL_ERROR_WANT_READ ? 0 : 1;
	ERR_clear_error();
	fcntl(t->fd, F_SETFL, flags);
	return n != 0;
}

static const paylock_transport_ops tls_ops = {
	tls_read, tls_write, tls_buffered, tls_close, tls_idle_broken,
};

/* ---- the handshake ---- */

static bool is_ip(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

static bool not_tls_reason(int reason)
{
	return reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_PACKET_LENGTH_TOO_LONG ||
		   reason == SSL_R_UNKNOWN_PROTOCOL || reason == SSL_R_HTTP_REQUEST ||
		   reason == SSL_R_UNEXPECTED_RECORD;
}

static bool client_cert_reason(int reason)
{
	return reason == SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE ||
		   reason == SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED || reason == SSL_R_SSLV3_ALERT_BAD_CERTIFICATE ||
		   reason == SSL_R_TLSV1_ALERT_UNKNOWN_CA;
}

static void handshake_error(const paylock_redis_client *c, SSL *ssl, int rc, const char *name,
							paylock_error *err)
{
	int e = SSL_get_error(ssl, rc), saved = errno;
	unsigned long code = ERR_peek_last_error();
	long verify = SSL_get_verify_result(ssl);
	char why[200];

	if (c->tls->verify_peer && verify != X509_V_OK) {
		paylock_error_set(
			err, PAYLOCK_ERR_STORE,
			"TLS: the certificate of Redis at %s was not accepted: %s (expected name \"%s\"): a "
			"configuration error; set the tls option cafile to the CA that signed the server's "
			"certificate, or peer_name to the name it carries",
			c->where, X509_verify_cert_error_string(verify), name);
	} else if (e == SSL_ERROR_SSL && not_tls_reason(ERR_GET_REASON(code))) {
		paylock_error_set(err, PAYLOCK_ERR_STORE,
						  "Redis at %s does not speak TLS on this port (OpenSSL: %s): a configuration error; "
						  "use redis:// for a plain port",
						  c->where, ssl_reason(why, sizeof(why), "wrong version number"));
	} else if (e == SSL_ERROR_SSL && client_cert_reason(ERR_GET_REASON(code))) {
		paylock_error_set(err, PAYLOCK_ERR_STORE,
						  "Redis at %s refused the TLS handshake (OpenSSL: %s): a configuration error; if it "
						  "requires a client certificate, set the tls options local_cert and local_pk",
						  c->where, ssl_reason(why, sizeof(why), "handshake failure"));
	} else if (e == SSL_ERROR_SSL) {
		paylock_error_set(err, PAYLOCK_ERR_STORE,
						  "TLS handshake with Redis at %s failed (OpenSSL: %s): a configuration error",
						  c->where, ssl_reason(why, sizeof(why), "unknown error"));
	} else if (paylock_transport_speaks_resp(c)) {
		/* A plain Redis waits for the end of an inline command that a ClientHello never sends. */
		paylock_error_set(
			err, PAYLOCK_ERR_STORE,
			"Redis at %s does not speak TLS on this port (no TLS answer to the handshake; the port "
			"answers PING in plain text): a configuration error; use redis:// for a plain port",
			c->where);
	} else if (saved == EAGAIN || saved == EWOULDBLOCK || e == SSL_ERROR_WANT_READ ||
			   e == SSL_ERROR_WANT_WRITE) {
		paylock_error_set(err, PAYLOCK_ERR_CONNECTION,
						  "Cannot connect to Redis at %s: the TLS handshake timed out", c->where);
	} else {
		paylock_error_set(err, PAYLOCK_ERR_CONNECTION,
						  "Cannot connect to Redis at %s: the server closed the connection during the TLS "
						  "handshake (%s)",
						  c->where, saved ? strerror(saved) : "end of stream");
	}
	ERR_clear_error();
}

/* SSL_connect on a blocking socket whose timeout is what is left until until_ns; a signal (EINTR) does
 * not end it early, and the retry gets only the time left, not a fresh timeout. */
static int connect_by(paylock_transport *t, SSL *ssl, uint64_t until_ns)
{
	for (;;) {
		uint64_t now = paylock_now_ns();
		int rc;

		paylock_transport_set_timeout(t, now < until_ns ? MAX((double)(until_ns - now) / 1e9, 0.001) : 0.001);
		errno = 0;
		rc = SSL_connect(ssl);
		if (rc == 1 || !interrupted(ssl, rc) || paylock_now_ns() >= until_ns) {
			return rc;
		}
		ERR_clear_error();
	}
}

zend_result paylock_tls_handshake(paylock_transport *t, const paylock_redis_client *c, uint64_t until_ns,
								  paylock_error *err)
{
	const paylock_tls_config *cfg = c->tls;
	const char *name = cfg->peer_name ? cfg->peer_name : c->host;
	SSL_CTX *ctx = ctx_get(c, err);
	SSL *ssl;
	BIO *bio;
	int rc;

	if (ctx == NULL) {
		return FAILURE;
	}
	ERR_clear_error();
	ssl = SSL_new(ctx);
	bio = ssl ? bio_for(t->fd) : NULL;
	if (bio == NULL) {
		paylock_error_set(err, PAYLOCK_ERR_CONNECTION, "Cannot connect to Redis at %s: out of memory for TLS",
						  c->where);
		SSL_free(ssl);
		return FAILURE;
	}
	SSL_set_bio(ssl, bio, bio); /* the SSL owns the BIO now */
	if (!is_ip(name)) {
		SSL_set_tlsext_host_name(ssl, name); /* SNI: never for an IP address (RFC 6066) */
	}
	if (cfg->verify_peer && cfg->verify_peer_name) {
		X509_VERIFY_PARAM *p = SSL_get0_param(ssl);

		X509_VERIFY_PARAM_set_hostflags(p, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		if (is_ip(name) ? X509_VERIFY_PARAM_set1_ip_asc(p, name) != 1
						: X509_VERIFY_PARAM_set1_host(p, name, 0) != 1) {
			paylock_error_set(err, PAYLOCK_ERR_STORE, "TLS for Redis at %s: cannot check the name \"%s\"",
							  c->where, name);
			SSL_free(ssl);
			return FAILURE;
		}
	}
	rc = connect_by(t, ssl, until_ns);
	if (rc != 1) {
		handshake_error(c, ssl, rc, name, err);
		SSL_free(ssl);
		return FAILURE;
	}
	t->tls = ssl;
	t->ops = &tls_ops;
	return SUCCESS;
}

bool paylock_tls_probe(int fd, double timeout_s)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = ctx ? SSL_new(ctx) : NULL;
	struct timeval tv = {(time_t)timeout_s, (suseconds_t)((timeout_s - (double)(time_t)timeout_s) * 1e6)};
	bool tls = false;

	if (ssl && SSL_set_fd(ssl, fd) == 1) {
		int rc;

		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		SSL_set_verify(ssl, SSL_VERIFY_NONE, NULL);
		ERR_clear_error();
		rc = SSL_connect(ssl);
		/* A TLS alert (say, a client certificate is required) is TLS too; plain text or a close is not. */
		tls = rc == 1 || (SSL_get_error(ssl, rc) == SSL_ERROR_SSL &&
						  !not_tls_reason(ERR_GET_REASON(ERR_peek_last_error())) &&
						  ERR_GET_REASON(ERR_peek_last_error()) != SSL_R_UNEXPECTED_EOF_WHILE_READING);
	}
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	ERR_clear_error();
	return tls;
}

bool paylock_tls_available(void)
{
	return true;
}

const char *paylock_tls_library(void)
{
	return OpenSSL_version(OPENSSL_VERSION);
}

#else /* built without OpenSSL */

zend_result paylock_tls_handshake(paylock_transport *t, const paylock_redis_client *c, uint64_t until_ns,
								  paylock_error *err)
{
	(void)until_ns;
	paylock_error_set(err, PAYLOCK_ERR_STORE,
					  "rediss:// needs TLS, which this PayLock build lacks: install OpenSSL's headers "
					  "(libssl-dev) and build PayLock again");
	return FAILURE;
}

bool paylock_tls_probe(int fd, double timeout_s)
{
	return false;
}

bool paylock_tls_available(void)
{
	return false;
}

const char *paylock_tls_library(void)
{
	return "none (built without OpenSSL)";
}

void paylock_tls_shutdown(void)
{
}

#endif
