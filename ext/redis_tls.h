/* TLS for rediss:// (OpenSSL): the settings of a client, the handshake that turns a connected TCP
 * transport into a TLS one, and what phpinfo() reports. redis_tls.c is the only file that includes
 * OpenSSL. */
#ifndef PAYLOCK_REDIS_TLS_H
#define PAYLOCK_REDIS_TLS_H

#include "php.h"
#include "redis_conn.h"
#include "redis_transport.h"

/* The `tls` option array, with PHP's stream-context names. Strings are emalloc'd, NULL when unset. */
struct paylock_tls_config {
	char *cafile;     /* default: openssl.cafile, else the system CA store */
	char *capath;     /* default: openssl.capath */
	char *local_cert; /* client certificate (PEM, may hold the chain and the key) */
	char *local_pk;   /* client key (PEM); default: local_cert */
	char *passphrase; /* of local_pk */
	char *peer_name;  /* the name the certificate must carry; default: the DSN host */
	char *ciphers;    /* OpenSSL cipher list for TLS 1.2 */
	bool verify_peer;
	bool verify_peer_name;
};

/* The defaults for a rediss:// DSN. */
paylock_tls_config *paylock_tls_config_new(void);
/* Applies the `tls` option array (argument 2 of the store); throws ValueError/TypeError naming the key. */
zend_result paylock_tls_config_apply(paylock_tls_config *t, zval *tls);
void paylock_tls_config_free(paylock_tls_config *t);
/* Every setting, secrets only as hashes: part of the pool key and of the TLS context cache key. */
zend_string *paylock_tls_config_key(const paylock_tls_config *t);

/* Runs the TLS handshake on t (connected over TCP) by until_ns (monotonic) and switches t to TLS
 * operations. Failures that are configuration errors (certificate, protocol mix-up, client certificate)
 * are STORE errors, so FallbackStore does not take them for an outage. */
zend_result paylock_tls_handshake(paylock_transport *t, const paylock_redis_client *c, uint64_t until_ns,
								  paylock_error *err);

/* Whether the server on fd (connected) answers a TLS ClientHello with a ServerHello, without verifying
 * anything; false without OpenSSL. The caller closes fd. */
bool paylock_tls_probe(int fd, double timeout_s);

/* Whether this build speaks TLS, and with which OpenSSL, for phpinfo(). */
bool paylock_tls_available(void);
const char *paylock_tls_library(void);
/* Frees the per-process TLS contexts (MSHUTDOWN). */
void paylock_tls_shutdown(void);

#endif
