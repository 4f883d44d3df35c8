/* RESP encoding for the commands PayLock sends: small arguments are copied into one buffer (on the stack
 * for the usual command), large ones (idempotency results) are referenced in place and written with
 * writev, so a 1 MB result is never copied on its way to the socket. */
#ifndef PAYLOCK_REDIS_WIRE_H
#define PAYLOCK_REDIS_WIRE_H

#include "php.h"
#include "redis_conn.h"

#include <sys/uio.h>

/* Pieces of one write: at most two per referenced argument, plus the tail. */
#define PAYLOCK_WIRE_IOV_MAX (2 * PAYLOCK_WIRE_REFS_MAX + 1)

typedef struct {
	char stack[PAYLOCK_WIRE_STACK_BYTES];
	char *buf; /* stack, or emalloc'd once a command outgrows it */
	size_t len, cap;
	size_t total;                         /* bytes to write, references included */
	int refs;                             /* arguments referenced, not copied */
	size_t ref_at[PAYLOCK_WIRE_REFS_MAX]; /* where in buf each reference goes */
	const char *ref_ptr[PAYLOCK_WIRE_REFS_MAX];
	size_t ref_len[PAYLOCK_WIRE_REFS_MAX];
} paylock_wire;

/* Encodes n commands back to back into w (release with paylock_wire_free). */
void paylock_wire_encode(paylock_wire *w, int n, const paylock_redis_cmd *cmds);
/* The pieces to write, in order, into iov (PAYLOCK_WIRE_IOV_MAX entries); returns how many. */
int paylock_wire_iov(const paylock_wire *w, struct iovec *iov);
void paylock_wire_free(paylock_wire *w);

#endif
