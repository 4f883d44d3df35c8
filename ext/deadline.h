/* Blocking waits bounded by a monotonic deadline (deadline.c). */
#ifndef PAYLOCK_DEADLINE_H
#define PAYLOCK_DEADLINE_H

#include <stdint.h>

/* flock(fd, op) until deadline_ns (monotonic), blocking in the kernel: 0 locked, 1 deadline, -1 errno. */
int paylock_flock_until(int fd, int op, uint64_t deadline_ns);

#endif
