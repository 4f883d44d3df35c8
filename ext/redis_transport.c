/* Plain streams to Redis: TCP (getaddrinfo, IPv4 and IPv6, TCP_NODELAY) and unix sockets, connected
 * without blocking for at most connect_timeout, then used blocking with the read timeout on the socket. */
#include "php_paylock.h"
#include "redis_transport.h"
#include "redis_tls.h"
#include "token.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

void paylock_transport_fail_errno(paylock_transport *t, int e)
{
	t->timed_out = e == EAGAIN || e == EWOULDBLOCK;
	t->eof = e == ECONNRESET || e == EPIPE;
	t->kind = PAYLOCK_ERR_CONNECTION;
	snprintf(t->why, sizeof(t->why), "%s", t->timed_out ? "read timed out" : strerror(e));
}

void paylock_eintr_start(paylock_eintr *e, int opt)
{
	e->start_ns = paylock_now_ns();
	e->opt = opt;
	e->shrunk = false;
}

bool paylock_eintr_left(paylock_eintr *e, int fd)
{
	uint64_t full_ns, spent = paylock_now_ns() - e->start_ns, left;
	struct timeval tv;
	socklen_t len = sizeof(e->full);

	if (!e->shrunk && getsockopt(fd, SOL_SOCKET, e->opt, &e->full, &len) != 0) {
		return true; /* cannot tell: retry as before */
	}
	e->shrunk = true;
	full_ns = (uint64_t)e->full.tv_sec * 1000000000ULL + (uint64_t)e->full.tv_usec * 1000ULL;
	if (full_ns == 0) {
		return true; /* no timeout on this socket */
	}
	if (spent >= full_ns) {
		return false;
	}
	left = MAX(full_ns - spent, 1000ULL);
	tv.tv_sec = (time_t)(left / 1000000000ULL);
	tv.tv_usec = (suseconds_t)((left % 1000000000ULL) / 1000ULL);
	setsockopt(fd, SOL_SOCKET, e->opt, &tv, sizeof(tv));
	return true;
}

void paylock_eintr_done(const paylock_eintr *e, int fd)
{
	if (e->shrunk) {
		setsockopt(fd, SOL_SOCKET, e->opt, &e->full, sizeof(e->full));
	}
}

static ssize_t plain_read(paylock_transport *t, char *buf, size_t len)
{
	paylock_eintr e;

	paylock_eintr_start(&e, SO_RCVTIMEO);
	for (;;) {
		ssize_t n = recv(t->fd, buf, len, 0);

		if (n > 0) {
			paylock_eintr_done(&e, t->fd);
			return n;
		}
		if (n == 0) {
			paylock_eintr_done(&e, t->fd);
			t->eof = true;
			t->timed_out = false;
			t->kind = PAYLOCK_ERR_CONNECTION;
			snprintf(t->why, sizeof(t->why), "Server closed the connection");
			return 0;
		}
		if (errno != EINTR || !paylock_eintr_left(&e, t->fd)) {
			int saved = errno == EINTR ? EAGAIN : errno;

			paylock_eintr_done(&e, t->fd);
			paylock_transport_fail_errno(t, saved);
			return -1;
		}
	}
}

static ssize_t plain_write(paylock_transport *t, const char *buf, size_t len)
{
	paylock_eintr e;

	paylock_eintr_start(&e, SO_SNDTIMEO);
	for (;;) {
		ssize_t n = send(t->fd, buf, len, MSG_NOSIGNAL);

		if (n >= 0) {
			paylock_eintr_done(&e, t->fd);
			return n;
		}
		if (errno != EINTR || !paylock_eintr_left(&e, t->fd)) {
			int saved = errno == EINTR ? EAGAIN : errno;

			paylock_eintr_done(&e, t->fd);
			paylock_transport_fail_errno(t, saved);
			return -1;
		}
	}
}

static bool plain_buffered(paylock_transport *t)
{
	return false;
}

/* Only the descriptor is closed, never a word sent: in a forked child this does not end the parent's
 * session (the kernel keeps the socket open while the parent holds it). */
static void plain_close(paylock_transport *t, bool owner)
{
	if (t->fd >= 0) {
		close(t->fd);
		t->fd = -1;
	}
}

bool paylock_transport_poll_idle(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, 0) != 0;
}

static bool plain_idle_broken(paylock_transport *t)
{
	return paylock_transport_poll_idle(t->fd);
}

static const paylock_transport_ops plain_ops = {
	plain_read, plain_write, plain_buffered, plain_close, plain_idle_broken,
};

void paylock_transport_set_timeout(paylock_transport *t, double seconds)
{
	struct timeval tv;

	tv.tv_sec = (time_t)seconds;
	tv.tv_usec = (suseconds_t)((seconds - (double)tv.tv_sec) * 1e6);
	setsockopt(t->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(t->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

bool paylock_transport_write_all(paylock_transport *t, const char *buf, size_t len, size_t *sent)
{
	*sent = 0;
	while (*sent < len) {
		ssize_t n = t->ops->write(t, buf + *sent, len - *sent);

		if (n <= 0) {
			return false;
		}
		*sent += (size_t)n;
	}
	return true;
}

/* One sendmsg for all pieces on a plain stream; a TLS stream writes them one by one (its records are
 * written per call anyway). */
bool paylock_transport_writev_all(paylock_transport *t, struct iovec *iov, int n, size_t *sent)
{
	*sent = 0;
	if (t->ops != &plain_ops) {
		for (int i = 0; i < n; i++) {
			size_t part;
			bool ok = paylock_transport_write_all(t, iov[i].iov_base, iov[i].iov_len, &part);

			*sent += part;
			if (!ok) {
				return false;
			}
		}
		return true;
	}
	paylock_eintr e;

	paylock_eintr_start(&e, SO_SNDTIMEO);
	while (n > 0) {
		struct msghdr m = {.msg_iov = iov, .msg_iovlen = (size_t)n};
		ssize_t w = sendmsg(t->fd, &m, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR && paylock_eintr_left(&e, t->fd)) {
				continue;
			}
			paylock_eintr_done(&e, t->fd);
			paylock_transport_fail_errno(t, errno == EINTR ? EAGAIN : errno);
			return false;
		}
		*sent += (size_t)w;
		while (n > 0 && (size_t)w >= iov->iov_len) { /* skip what left, resume inside a partial piece */
			w -= (ssize_t)iov->iov_len;
			iov++, n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	paylock_eintr_done(&e, t->fd);
	return true;
}

int paylock_transport_wait(paylock_transport *t, uint64_t until_ns)
{
	if (t->ops->buffered(t)) {
		return 1;
	}
	for (;;) {
		uint64_t now = paylock_now_ns();
		struct pollfd p = {.fd = t->fd, .events = POLLIN};
		int n;

		if (now >= until_ns) {
			return 0;
		}
		n = poll(&p, 1, (int)((until_ns - now + 999999) / 1000000));
		if (n > 0) {
			return 1;
		}
		if (n < 0 && errno != EINTR) {
			paylock_transport_fail_errno(t, errno);
			return -1;
		}
	}
}

/* connect() without blocking, bounded by until_ns; the socket is blocking again on success. */
static int connect_bounded(int family, const struct sockaddr *addr, socklen_t alen, uint64_t until_ns, int *e)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	struct pollfd p;
	socklen_t elen = sizeof(*e);

	if (fd < 0) {
		*e = errno;
		return -1;
	}
	*e = 0;
	if (connect(fd, addr, alen) < 0) {
		if (errno != EINPROGRESS) {
			*e = errno;
			close(fd);
			return -1;
		}
		p.fd = fd;
		p.events = POLLOUT;
		for (;;) {
			uint64_t now = paylock_now_ns();
			int n = now >= until_ns ? 0 : poll(&p, 1, (int)((until_ns - now + 999999) / 1000000));

			if (n > 0) {
				break;
			}
			if (n == 0 || errno != EINTR) {
				*e = n == 0 ? ETIMEDOUT : errno;
				close(fd);
				return -1;
			}
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, e, &elen) < 0 || *e != 0) {
			*e = *e ? *e : errno;
			close(fd);
			return -1;
		}
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

static int connect_unix(const char *path, uint64_t until_ns, int *e)
{
	struct sockaddr_un sa;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strncpy(sa.sun_path, path, sizeof(sa.sun_path) - 1); /* the DSN parser checked its length */
	return connect_bounded(AF_UNIX, (struct sockaddr *)&sa, sizeof(sa), until_ns, e);
}

/* Every address of host in turn (IPv6 and IPv4), within one connect_timeout. */
static int connect_tcp(const char *host, int port, uint64_t until_ns, int *e, char *why, size_t why_len)
{
	struct addrinfo hints, *res = NULL, *ai;
	char service[8];
	int fd = -1, rc, one = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(service, sizeof(service), "%d", port);
	rc = getaddrinfo(host, service, &hints, &res);
	if (rc != 0) {
		snprintf(why, why_len, "%s", rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = connect_bounded(ai->ai_family, ai->ai_addr, ai->ai_addrlen, until_ns, e);
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(why, why_len, "%s", strerror(*e));
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

zend_result paylock_transport_open(paylock_transport *t, const paylock_redis_client *c, paylock_error *err)
{
	uint64_t until_ns = paylock_now_ns() + (uint64_t)(c->connect_timeout * 1e9);
	char why[200] = "";
	int e = 0;

	memset(t, 0, sizeof(*t));
	t->ops = &plain_ops;
	t->fd = c->unix_path ? connect_unix(c->unix_path, until_ns, &e)
						 : connect_tcp(c->host, c->port, until_ns, &e, why, sizeof(why));
	if (t->fd < 0) {
		paylock_error_set(err, PAYLOCK_ERR_CONNECTION, "Cannot connect to Redis at %s: %s", c->where,
						  why[0] ? why : strerror(e));
		return FAILURE;
	}
	if (c->tls) {
		/* The handshake is bounded by what is left of connect_timeout. */
		if (paylock_tls_handshake(t, c, until_ns, err) == FAILURE) {
			t->ops->close(t, true);
			return FAILURE;
		}
	}
	paylock_transport_set_timeout(t, c->read_timeout);
	return SUCCESS;
}

bool paylock_transport_speaks_tls(const paylock_redis_client *c)
{
	uint64_t until_ns = paylock_now_ns() + (uint64_t)(c->connect_timeout * 1e9);
	char why[200];
	int e = 0, fd = connect_tcp(c->host, c->port, until_ns, &e, why, sizeof(why));
	bool tls;

	if (fd < 0) {
		return false;
	}
	tls = paylock_tls_probe(fd, c->connect_timeout);
	close(fd);
	return tls;
}

bool paylock_transport_speaks_resp(const paylock_redis_client *c)
{
	uint64_t until_ns = paylock_now_ns() + (uint64_t)(c->connect_timeout * 1e9);
	paylock_transport t = {&plain_ops, -1, NULL, false, false, PAYLOCK_ERR_NONE, ""};
	char why[200], reply[1];
	size_t sent;
	int e = 0;
	bool resp;

	t.fd = connect_tcp(c->host, c->port, until_ns, &e, why, sizeof(why));
	if (t.fd < 0) {
		return false;
	}
	paylock_transport_set_timeout(&t, c->connect_timeout);
	/* Any RESP answer (+PONG, -NOAUTH, -ERR) starts with + or -. */
	resp = paylock_transport_write_all(&t, "PING\r\n", 6, &sent) && plain_read(&t, reply, 1) == 1 &&
		   (reply[0] == '+' || reply[0] == '-');
	close(t.fd);
	return resp;
}
