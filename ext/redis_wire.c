/* RESP encoding without hiredis' per-command allocations: "*argc\r\n" then "$len\r\n<bytes>\r\n" per
 * argument, into a stack buffer that grows onto the heap only for long commands. An argument of at least
 * PAYLOCK_WIRE_REF_MIN bytes is not copied: the buffer records where it goes and paylock_wire_iov hands
 * it to writev as its own piece. */
#include "php_paylock.h"
#include "redis_wire.h"

static void reserve(paylock_wire *w, size_t more)
{
	size_t need = w->len + more;

	if (need <= w->cap) {
		return;
	}
	w->cap = MAX(need, 2 * w->cap);
	if (w->buf == w->stack) {
		w->buf = emalloc(w->cap);
		memcpy(w->buf, w->stack, w->len);
	} else {
		w->buf = erealloc(w->buf, w->cap);
	}
}

/* "<c><n>\r\n" for the array and length headers. */
static void put_header(paylock_wire *w, char c, size_t n)
{
	char digits[24], *end = digits + sizeof(digits), *p = end;

	do {
		*--p = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	reserve(w, 1 + (size_t)(end - p) + 2);
	w->buf[w->len++] = c;
	memcpy(w->buf + w->len, p, (size_t)(end - p));
	w->len += (size_t)(end - p);
	w->buf[w->len++] = '\r';
	w->buf[w->len++] = '\n';
}

static void put_arg(paylock_wire *w, const char *s, size_t len)
{
	put_header(w, '$', len);
	if (len >= PAYLOCK_WIRE_REF_MIN && w->refs < PAYLOCK_WIRE_REFS_MAX) {
		w->ref_at[w->refs] = w->len;
		w->ref_ptr[w->refs] = s;
		w->ref_len[w->refs++] = len;
	} else {
		reserve(w, len);
		memcpy(w->buf + w->len, s, len);
		w->len += len;
	}
	reserve(w, 2);
	w->buf[w->len++] = '\r';
	w->buf[w->len++] = '\n';
}

void paylock_wire_encode(paylock_wire *w, int n, const paylock_redis_cmd *cmds)
{
	size_t refd = 0;

	w->buf = w->stack;
	w->len = 0;
	w->cap = sizeof(w->stack);
	w->refs = 0;
	for (int i = 0; i < n; i++) {
		put_header(w, '*', (size_t)cmds[i].argc);
		for (int a = 0; a < cmds[i].argc; a++) {
			const char *s = cmds[i].argv[a];

			put_arg(w, s, cmds[i].lens ? cmds[i].lens[a] : strlen(s));
		}
	}
	for (int r = 0; r < w->refs; r++) {
		refd += w->ref_len[r];
	}
	w->total = w->len + refd;
}

int paylock_wire_iov(const paylock_wire *w, struct iovec *iov)
{
	size_t at = 0;
	int n = 0;

	for (int r = 0; r < w->refs; r++) {
		if (w->ref_at[r] > at) {
			iov[n++] = (struct iovec){w->buf + at, w->ref_at[r] - at};
		}
		iov[n++] = (struct iovec){(void *)w->ref_ptr[r], w->ref_len[r]};
		at = w->ref_at[r];
	}
	if (w->len > at) {
		iov[n++] = (struct iovec){w->buf + at, w->len - at};
	}
	return n;
}

void paylock_wire_free(paylock_wire *w)
{
	if (w->buf != w->stack) {
		efree(w->buf);
	}
	w->buf = w->stack;
}
