/* Retention on disk. Every SWEEP_EVERY-th claim of a process that writes a record (every
 * SWEEP_EVERY_REPLAY-th replay) reads SWEEP_BATCH entries of its dir, resuming where the last batch
 * stopped, and removes what has expired; purge() does the whole dir. So a busy dir stays bounded
 * without cron: each such claim adds at most two files (H.idem, H.run) and sweeps
 * SWEEP_BATCH / SWEEP_EVERY entries on average.
 *
 * A record is removed only under its own flock (taken without waiting: a busy record is skipped) and
 * only when its run file is not flocked by anyone (no owner runs it, no waiter waits on it), with the
 * same unlink-while-locked protocol as forget(): whoever opened the path before sees the inode is gone
 * and opens the new one. Lock files are left alone: released locks unlink their own. */
#include "php_paylock.h"
#include "file_store.h"
#include "file_internal.h"
#include "fs_sweep.h"
#include "token.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SWEEP_EVERY        8   /* claims that write a record, per batch */
#define SWEEP_EVERY_REPLAY 128 /* replays per batch: they add no files, and are the hot path */
#define SWEEP_BATCH        32
#define SWEEP_DIRS         8 /* dirs whose sweep position a process remembers */
#define TMP_STALE_S        600 /* a temp file this old belongs to a writer that died (on another pid namespace) */
#define ENTRY_PATH         (PATH_MAX + 96)
#define SUFFIX_RECORD      ".idem"
#define SUFFIX_RUN         ".run"
#define SUFFIX_TMP         ".tmp"

ZEND_TLS unsigned sweep_ticks;
/* Where the last batch of each dir stopped (a process may use a few dirs: keep a few). */
typedef struct {
	zend_ulong dir_hash;
	long pos;
} sweep_cursor;
ZEND_TLS sweep_cursor sweep_cursors[SWEEP_DIRS];

static sweep_cursor *cursor_of(const char *dir)
{
	zend_ulong h = zend_inline_hash_func(dir, strlen(dir));
	sweep_cursor *c = &sweep_cursors[h % SWEEP_DIRS];

	if (c->dir_hash != h) {
		c->dir_hash = h;
		c->pos = 0;
	}
	return c;
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len > n && memcmp(s + len - n, suffix, n) == 0;
}

/* Opens path if it is a file we trust; -1 when missing or not (a foreign file is left for the operator). */
static int open_trusted(paylock_store *s, const char *path)
{
	paylock_error ignored;
	int fd;

	return paylock_fs_open(paylock_file_trust(s), path, O_RDWR, "file", &fd, &ignored) == PAYLOCK_YES ? fd
																									  : -1;
}

/* Locks fd without waiting, if it still is the file at path. */
static bool try_lock(int fd, const char *path)
{
	return flock(fd, LOCK_EX | LOCK_NB) == 0 && paylock_same_file(fd, path);
}

/* H.idem: removed with H.run when it has expired and nobody holds H.run. Records are replaced by
 * rename, so the first look needs no lock; the decision is made again under the lock. */
static bool sweep_record(paylock_store *s, const char *rec, size_t stem, int64_t now_ms)
{
	char run[ENTRY_PATH];
	int fd = open_trusted(s, rec), run_fd;
	bool gone = false;

	if (fd < 0) {
		return false;
	}
	if (!paylock_file_idem_expired(fd, now_ms) || !try_lock(fd, rec) ||
		!paylock_file_idem_expired(fd, now_ms)) {
		close(fd);
		return false;
	}
	snprintf(run, sizeof(run), "%.*s" SUFFIX_RUN, (int)stem, rec);
	run_fd = open_trusted(s, run);
	if (run_fd >= 0 && try_lock(run_fd, run)) {
		unlink(run);
		gone = unlink(rec) == 0;
	} else if (run_fd < 0 && access(run, F_OK) != 0) {
		gone = unlink(rec) == 0;
	}
	if (run_fd >= 0) {
		paylock_unlock_and_close(run_fd);
	}
	paylock_unlock_and_close(fd);
	return gone;
}

/* H.run without H.idem (a forget() or sweep that died half-way): removed when nobody holds it. */
static bool sweep_orphan_run(paylock_store *s, const char *run, size_t stem)
{
	char rec[ENTRY_PATH];
	int fd;
	bool gone = false;

	snprintf(rec, sizeof(rec), "%.*s" SUFFIX_RECORD, (int)stem, run);
	if (access(rec, F_OK) == 0 || (fd = open_trusted(s, run)) < 0) {
		return false;
	}
	if (try_lock(fd, run) && access(rec, F_OK) != 0) { /* a claim makes H.idem before H.run */
		gone = unlink(run) == 0;
	}
	paylock_unlock_and_close(fd);
	return gone;
}

/* The pid in "<name>.<pid>-<seq>.tmp" (fs_trust.c) no longer runs: its writer died mid-write. */
static bool writer_gone(const char *path)
{
	const char *dot = strrchr(path, '.'), *p = dot;
	long pid;

	while (p > path && p[-1] != '.') {
		p--;
	}
	pid = strtol(p, NULL, 10);
	return pid > 0 && p < dot && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

static bool sweep_tmp(paylock_store *s, const char *path)
{
	struct stat st;
	const paylock_fs_trust *t = paylock_file_trust(s);

	return lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		   (t->shared ? st.st_gid == t->gid : st.st_uid == t->uid) &&
		   (st.st_mtime + TMP_STALE_S < time(NULL) || writer_gone(path)) && unlink(path) == 0;
}

static bool sweep_entry(paylock_store *s, const char *dir, const char *name, int64_t now_ms)
{
	char path[ENTRY_PATH];
	size_t len = strlen(name);
	int n = snprintf(path, sizeof(path), "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= sizeof(path)) {
		return false;
	}
	if (ends_with(name, len, SUFFIX_RECORD)) {
		return sweep_record(s, path, (size_t)n - strlen(SUFFIX_RECORD), now_ms);
	}
	if (ends_with(name, len, SUFFIX_RUN)) {
		return sweep_orphan_run(s, path, (size_t)n - strlen(SUFFIX_RUN));
	}
	if (ends_with(name, len, SUFFIX_TMP)) {
		return sweep_tmp(s, path);
	}
	return false;
}

paylock_status paylock_fs_sweep(paylock_store *s, uint32_t max_entries, zend_long *removed,
								paylock_error *err)
{
	const char *dir = paylock_file_dir(s);
	sweep_cursor *cur = max_entries > 0 ? cursor_of(dir) : NULL;
	int64_t now_ms = paylock_unix_ms();
	DIR *d = opendir(dir);
	struct dirent *e;
	uint32_t seen = 0;

	if (d == NULL) {
		return paylock_io_error(err, "read lock dir", dir);
	}
	if (cur && cur->pos > 0) {
		seekdir(d, cur->pos);
	}
	while ((max_entries == 0 || seen < max_entries) && (e = readdir(d)) != NULL) {
		seen++;
		if (e->d_name[0] != '.' && sweep_entry(s, dir, e->d_name, now_ms)) {
			(*removed)++;
		}
	}
	if (cur) {
		cur->pos = seen < max_entries ? 0 : telldir(d); /* at the end of the dir, start over next time */
	}
	closedir(d);
	return PAYLOCK_YES;
}

void paylock_fs_sweep_tick(paylock_store *s, bool replay)
{
	paylock_error ignored;
	zend_long removed = 0;

	sweep_ticks += replay ? 1 : SWEEP_EVERY_REPLAY / SWEEP_EVERY;
	if (sweep_ticks >= SWEEP_EVERY_REPLAY) {
		sweep_ticks = 0;
		paylock_fs_sweep(s, SWEEP_BATCH, &removed, &ignored);
	}
}
