/* The deadline signal: a blocking flock(2) interrupted at a monotonic deadline by a per-thread timer
 * signal (no polling, no pcntl). Its own module because more than FileStore will wait on it (a lease
 * watchdog next), as APCu keeps apc_signal.c apart. */
#include "php_paylock.h"
#include "deadline.h"
#include "token.h"
#include <errno.h>
#include <signal.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif

#if defined(__linux__) && defined(SIGEV_THREAD_ID)
static void on_deadline(int sig)
{
	(void)sig; /* only here to interrupt flock() with EINTR */
}

/* flock(op) until deadline_ns: 0 locked, 1 deadline passed, -1 error (errno). A per-thread timer
 * sends a real-time signal at the deadline and every PAYLOCK_DEADLINE_REARM_NS after, so a signal that lands
 * just before flock() blocks is followed by another. The handler is installed only for the wait and any
 * signal still queued is drained before the previous handler comes back. */
int paylock_flock_until(int fd, int op, uint64_t deadline_ns)
{
	int signo = PAYLOCK_DEADLINE_SIGNAL, rc = -1, saved_errno = 0;
	struct sigaction sa, old_sa;
	struct sigevent sev;
	struct itimerspec its;
	sigset_t only, old_mask;
	timer_t timer;
	struct timespec zero = {0, 0};

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_deadline; /* no SA_RESTART: flock() must return EINTR */
	sigemptyset(&sa.sa_mask);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = signo;
	sev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = (time_t)(deadline_ns / 1000000000ULL);
	its.it_value.tv_nsec = (long)(deadline_ns % 1000000000ULL);
	its.it_interval.tv_nsec = PAYLOCK_DEADLINE_REARM_NS;
	sigemptyset(&only);
	sigaddset(&only, signo);

	if (sigaction(signo, &sa, &old_sa) != 0) {
		return -1;
	}
	pthread_sigmask(SIG_UNBLOCK, &only, &old_mask);
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer) != 0) {
		saved_errno = errno;
		goto restore;
	}
	if (timer_settime(timer, TIMER_ABSTIME, &its, NULL) == 0) {
		for (;;) {
			if (flock(fd, op) == 0) {
				rc = 0;
				break;
			}
			if (errno != EINTR) {
				saved_errno = errno;
				break;
			}
			if (paylock_now_ns() >= deadline_ns) {
				rc = 1;
				break;
			}
		}
	} else {
		saved_errno = errno;
	}
	pthread_sigmask(SIG_BLOCK, &only, NULL);
	timer_delete(timer);
	while (sigtimedwait(&only, NULL, &zero) > 0) {
		/* drain */
	}
restore:
	sigaction(signo, &old_sa, NULL);
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	errno = saved_errno;
	return rc;
}
#else
/* Without per-thread timers: short non-blocking retries with backoff (not reached on Linux). */
int paylock_flock_until(int fd, int op, uint64_t deadline_ns)
{
	useconds_t pause = 500;

	for (;;) {
		if (flock(fd, op | LOCK_NB) == 0) {
			return 0;
		}
		if (errno != EWOULDBLOCK) {
			return -1;
		}
		if (paylock_now_ns() >= deadline_ns) {
			return 1;
		}
		usleep(pause);
		pause = pause < 8000 ? pause * 2 : pause;
	}
}
#endif
