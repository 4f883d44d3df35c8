/* Reference loops for bench/files.php: the syscalls of one PayLock FileStore acquire+release cycle,
 * in plain C, so the PHP numbers can be read against "what the kernel costs".
 *
 *   cc -O2 -o flock_loop bench/flock_loop.c
 *   flock_loop same DIR  ITERATIONS WARMUP [--breakdown] [--mark]
 *   flock_loop min  FILE ITERATIONS WARMUP [--breakdown] [--mark]
 *
 * same: exactly FileStore's sequence (ext/file_store.c, ext/fs_trust.c) on DIR/<64 hex chars>:
 *         acquire  open(O_RDWR|O_CREAT|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC, 0600), fstat (a regular file,
 *                  owned by the euid, one link), flock(LOCK_EX|LOCK_NB), lstat (still the inode the
 *                  fstat saw?), pwrite of the holder line "pid:ms:0:host\n" at 0
 *         release  fstat + lstat (same inode?), unlink, flock(LOCK_UN), close
 *       The file is created and unlinked again in every cycle. The path is computed once; PayLock
 *       hashes the name (SHA-256) in user space on every acquire and release, which this loop does not.
 * min:  only open (same flags) + flock(LOCK_EX|LOCK_NB) + flock(LOCK_UN) + close on FILE, which is
 *       created once before the loop and never unlinked: the floor for any flock-based lock.
 *
 * --breakdown  also times every syscall with clock_gettime(CLOCK_MONOTONIC) (vDSO, no syscall) and
 *              prints the mean ns per step; that run's own cycles/s include the clock reads.
 * --mark       writes "@@\n" to stderr before every cycle and after the last one, so a strace of a
 *              short run can be cut into cycles (bench/files.php does that).
 *
 * Prints one JSON line on stdout. Exit status 1 on any failed syscall (with the reason on stderr).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { S_OPEN, S_FLOCK_EX, S_FSTAT1, S_LSTAT1, S_PWRITE, S_FSTAT2, S_LSTAT2, S_UNLINK, S_FLOCK_UN, S_CLOSE, S_N };
static const char *step_names[S_N] = {"open", "flock_ex", "fstat_own", "lstat_acq", "pwrite",
									  "fstat_rel", "lstat_rel", "unlink", "flock_un", "close"};

static int breakdown, mark;
static uint64_t step_ns[S_N];
static uint64_t last_ns;

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Adds the time since the previous tick to step s (only with --breakdown). */
static inline void tick(int s)
{
	if (breakdown) {
		uint64_t t = now_ns(CLOCK_MONOTONIC);

		step_ns[s] += t - last_ns;
		last_ns = t;
	}
}

static void die(const char *what, const char *path)
{
	fprintf(stderr, "flock_loop: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

static int same_file(int fd, const char *path, int s_fstat, int s_lstat)
{
	struct stat a, b;

	if (fstat(fd, &a) != 0) {
		die("fstat", path);
	}
	tick(s_fstat);
	if (lstat(path, &b) != 0) {
		die("lstat", path);
	}
	tick(s_lstat);
	return a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

static char host[256];
static long pid; /* cached, like PayLock's paylock_pid() */
static uid_t euid;

static void cycle_same(const char *path)
{
	char meta[320];
	struct stat st, now;
	int fd, n;

	if (mark) {
		(void)!write(2, "@@\n", 3);
	}
	if (breakdown) {
		last_ns = now_ns(CLOCK_MONOTONIC);
	}
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	if (fd < 0) {
		die("open", path);
	}
	tick(S_OPEN);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != euid || st.st_nlink != 1) {
		errno = EPERM;
		die("trust check (fstat)", path);
	}
	tick(S_FSTAT1);
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		die("flock(LOCK_EX|LOCK_NB)", path);
	}
	tick(S_FLOCK_EX);
	if (lstat(path, &now) != 0 || now.st_ino != st.st_ino || now.st_dev != st.st_dev) {
		errno = ESTALE;
		die("inode check after acquire", path);
	}
	tick(S_LSTAT1);
	/* Same format and clock as PayLock's holder line: pid:acquired_ms:fence:host\n */
	n = snprintf(meta, sizeof(meta), "%ld:%" PRIu64 ":0:%s\n", pid,
				 (uint64_t)(now_ns(CLOCK_REALTIME) / 1000000ULL), host);
	if (pwrite(fd, meta, (size_t)n, 0) != n) {
		die("pwrite", path);
	}
	tick(S_PWRITE);
	if (!same_file(fd, path, S_FSTAT2, S_LSTAT2)) {
		errno = ESTALE;
		die("inode check before release", path);
	}
	if (unlink(path) != 0) {
		die("unlink", path);
	}
	tick(S_UNLINK);
	flock(fd, LOCK_UN);
	tick(S_FLOCK_UN);
	close(fd);
	tick(S_CLOSE);
}

static void cycle_min(const char *path)
{
	int fd;

	if (mark) {
		(void)!write(2, "@@\n", 3);
	}
	if (breakdown) {
		last_ns = now_ns(CLOCK_MONOTONIC);
	}
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		die("open", path);
	}
	tick(S_OPEN);
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		die("flock(LOCK_EX|LOCK_NB)", path);
	}
	tick(S_FLOCK_EX);
	flock(fd, LOCK_UN);
	tick(S_FLOCK_UN);
	close(fd);
	tick(S_CLOSE);
}

int main(int argc, char **argv)
{
	const char *mode, *target;
	char path[4200];
	long iterations, warmup;
	void (*cycle)(const char *);
	uint64_t t0, ns;
	int first_step = 1;

	if (argc < 5) {
		fprintf(stderr, "usage: %s same|min DIR|FILE ITERATIONS WARMUP [--breakdown] [--mark]\n", argv[0]);
		return 2;
	}
	mode = argv[1];
	target = argv[2];
	iterations = strtol(argv[3], NULL, 10);
	warmup = strtol(argv[4], NULL, 10);
	for (int i = 5; i < argc; i++) {
		if (strcmp(argv[i], "--breakdown") == 0) {
			breakdown = 1;
		} else if (strcmp(argv[i], "--mark") == 0) {
			mark = 1;
		} else {
			fprintf(stderr, "flock_loop: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (iterations <= 0 || warmup < 0) {
		fprintf(stderr, "flock_loop: ITERATIONS must be > 0 and WARMUP >= 0\n");
		return 2;
	}
	pid = (long)getpid();
	euid = geteuid();
	if (gethostname(host, sizeof(host) - 1) != 0) {
		strcpy(host, "localhost");
	}
	if (strcmp(mode, "same") == 0) {
		/* Like FileStore: DIR/<sha256 hex>; the name here is fixed, the length is what matters. */
		snprintf(path, sizeof(path), "%s/%s", target,
				 "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881");
		cycle = cycle_same;
	} else if (strcmp(mode, "min") == 0) {
		int fd;

		snprintf(path, sizeof(path), "%s", target);
		fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) {
			die("create", path);
		}
		close(fd);
		cycle = cycle_min;
	} else {
		fprintf(stderr, "flock_loop: mode must be same or min\n");
		return 2;
	}

	for (long i = 0; i < warmup; i++) {
		cycle(path);
	}
	memset(step_ns, 0, sizeof(step_ns));
	t0 = now_ns(CLOCK_MONOTONIC);
	for (long i = 0; i < iterations; i++) {
		cycle(path);
	}
	ns = now_ns(CLOCK_MONOTONIC) - t0;
	if (mark) {
		(void)!write(2, "@@\n", 3);
	}

	printf("{\"mode\":\"%s\",\"cycles\":%ld,\"ns\":%" PRIu64 ",\"cps\":%.1f", mode, iterations, ns,
		   iterations / (ns / 1e9));
	if (breakdown) {
		printf(",\"step_ns\":{");
		for (int s = 0; s < S_N; s++) {
			if (step_ns[s] == 0) {
				continue; /* steps the mode does not do */
			}
			printf("%s\"%s\":%.1f", first_step ? "" : ",", step_names[s], (double)step_ns[s] / iterations);
			first_step = 0;
		}
		printf("}");
	}
	printf("}\n");
	return 0;
}
