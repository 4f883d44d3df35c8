/* The byte stream under a Redis connection: plain TCP (IPv4/IPv6), a unix socket, or TLS over TCP, all
 * behind one table of operations. Sockets are blocking with SO_RCVTIMEO/SO_SNDTIMEO as the read timeout. */
#ifndef PAYLOCK_REDIS_TRANSPORT_H
#define PAYLOCK_REDIS_TRANSPORT_H

#include "php.h"
#include "redis_conn.h"

#include <sys/uio.h>

typedef struct paylock_transport paylock_transport;

typedef struct {
	/* > 0 bytes, 0 end of stream, -1 failure (why, timed_out and kind set). EINTR is retried inside. */
	ssize_t (*read)(paylock_transport *t, char *buf, size_t len);
	ssize_t (*write)(paylock_transport *t, const char *buf, size_t len);
	/* Decrypted bytes already waiting inside the transport (poll() cannot see them). */
	bool (*buffered)(paylock_transport *t);
	/* Releases the stream; owner is false in a forked child, which must not say a word on it. */
	void (*close)(paylock_transport *t, bool owner);
	/* Between commands nothing may be readable: true when the peer closed (or sent stray bytes). */
	bool (*idle_broken)(paylock_transport *t);
} paylock_transport_ops;

struct paylock_transport {
	const paylock_transport_ops *ops;
	int fd;
	void *tls;             /* the TLS session (redis_tls.c), NULL for plain streams */
	bool timed_out;        /* the last failure was the read/write timeout */
	bool eof;              /* the last failure was the peer closing (EOF or reset) */
	paylock_err_kind kind; /* of the last failure: STORE for configuration errors (TLS setup) */
	char why[256];         /* the last failure, for messages */
};

/* Connects t to c's server within c->connect_timeout (and runs the TLS handshake for rediss://); sets
 * err and returns FAILURE otherwise. */
zend_result paylock_transport_open(paylock_transport *t, const paylock_redis_client *c, paylock_error *err);
/* The read and write timeout of the socket. */
void paylock_transport_set_timeout(paylock_transport *t, double seconds);

/* A blocking call that a signal interrupts (EINTR) is retried with only what is left of its socket
 * timeout, so signals cannot stretch it: start before the call, eintr_left after each EINTR (false when
 * nothing is left: a timeout), eintr_done when the call ends (restores the socket's timeout). */
typedef struct {
	uint64_t start_ns;
	int opt; /* SO_RCVTIMEO or SO_SNDTIMEO */
	bool shrunk;
	struct timeval full;
} paylock_eintr;
void paylock_eintr_start(paylock_eintr *e, int opt);
bool paylock_eintr_left(paylock_eintr *e, int fd);
void paylock_eintr_done(const paylock_eintr *e, int fd);
/* Writes all of buf; *sent counts the bytes that left (something may have reached Redis). */
bool paylock_transport_write_all(paylock_transport *t, const char *buf, size_t len, size_t *sent);
/* The same for pieces written in order (writev on plain streams); iov is consumed. */
bool paylock_transport_writev_all(paylock_transport *t, struct iovec *iov, int n, size_t *sent);
/* Waits until t has something to read or until until_ns (monotonic): 1 readable, 0 timed out, -1 error. */
int paylock_transport_wait(paylock_transport *t, uint64_t until_ns);
/* Whether c's TCP port answers a TLS handshake (on a second connection, within connect_timeout): how a
 * plain client tells a TLS-only port that dropped it from an outage. */
bool paylock_transport_speaks_tls(const paylock_redis_client *c);
/* Whether c's TCP port answers PING in plain RESP: how a TLS client tells a plain port that let its
 * handshake hang or dropped it from an outage. */
bool paylock_transport_speaks_resp(const paylock_redis_client *c);

/* Shared by the plain and TLS streams (redis_transport.c). */
void paylock_transport_fail_errno(paylock_transport *t, int e);
bool paylock_transport_poll_idle(int fd);

#endif
