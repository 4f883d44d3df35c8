/* Retention on disk. Every SWEEP_EVERY-th claim of a process reads SWEEP_BATCH entries of its dir,
 * resuming where the last batch stopped, and removes what has expired; purge() does the whole dir. So
 * a busy dir stays bounded without cron: each claim adds at most two files (H.idem, H.run) and sweeps
 * SWEEP_BATCH / SWEEP_EVERY entries on average.
 *
 * A record is removed only under its own flock (taken without waiting: a busy record is skipped) and
 * only when its run file is not flocked by anyone (no owner runs it, no waiter waits on it), with the
 * same unlink-while-locked protocol as forget(): whoever opened the path before sees the inode is gone
 * and opens the new one. Lock files are left alone: released locks unlink their own. */
#include "php_paylock.h"
#include "file_store.h"
#include "fs_sweep.h"
#include "token.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SWEEP_EVERY   8
#define SWEEP_BATCH   64
#define TMP_STALE_S   600 /* a temp file this old belongs to a writer that died */
#define ENTRY_PATH    (PATH_MAX + 96)
#define SUFFIX_RECORD ".idem"
#define SUFFIX_RUN    ".run"
#define SUFFIX_TMP    ".tmp"

ZEND_TLS unsigned sweep_ticks;
ZEND_TLS long sweep_cursor;
ZEND_TLS char sweep_dir[PATH_MAX];

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len > n && memcmp(s + len - n, suffix, n) == 0;
}

/* Locks path without waiting; -1 when missing, busy, or not a file we trust (left for the operator). */
static int try_lock(paylock_store *s, const char *path)
{
	paylock_error ignored;
	int fd;

	if (paylock_fs_open(paylock_file_trust(s), path, O_RDWR, "file", &fd, &ignored) != PAYLOCK_YES) {
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0 || !paylock_same_file(fd, path)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* H.idem: removed with H.run when it has expired and nobody holds H.run. */
static bool sweep_record(paylock_store *s, const char *rec, size_t stem, int64_t now_ms)
{
	char run[ENTRY_PATH];
	int fd = try_lock(s, rec), run_fd;
	bool gone = false;

	if (fd < 0) {
		return false;
	}
	if (paylock_file_idem_expired(fd, now_ms)) {
		snprintf(run, sizeof(run), "%.*s" SUFFIX_RUN, (int)stem, rec);
		run_fd = try_lock(s, run);
		if (run_fd >= 0 || access(run, F_OK) != 0) {
			if (run_fd >= 0) {
				unlink(run);
				paylock_unlock_and_close(run_fd);
			}
			gone = unlink(rec) == 0;
		}
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
	if (access(rec, F_OK) == 0 || (fd = try_lock(s, run)) < 0) {
		return false;
	}
	if (access(rec, F_OK) != 0) { /* a claim makes H.idem before H.run */
		gone = unlink(run) == 0;
	}
	paylock_unlock_and_close(fd);
	return gone;
}

static bool sweep_tmp(paylock_store *s, const char *path)
{
	struct stat st;
	const paylock_fs_trust *t = paylock_file_trust(s);

	return lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		   (t->shared ? st.st_gid == t->gid : st.st_uid == t->uid) &&
		   st.st_mtime + TMP_STALE_S < time(NULL) && unlink(path) == 0;
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
	bool resume = max_entries > 0 && strcmp(dir, sweep_dir) == 0;
	int64_t now_ms = paylock_unix_ms();
	DIR *d = opendir(dir);
	struct dirent *e;
	uint32_t seen = 0;

	if (d == NULL) {
		return paylock_io_error(err, "read lock dir", dir);
	}
	if (resume && sweep_cursor > 0) {
		seekdir(d, sweep_cursor);
	}
	while ((max_entries == 0 || seen < max_entries) && (e = readdir(d)) != NULL) {
		seen++;
		if (e->d_name[0] != '.' && sweep_entry(s, dir, e->d_name, now_ms)) {
			(*removed)++;
		}
	}
	if (max_entries > 0) {
		/* at the end of the dir, start over next time */
		sweep_cursor = seen < max_entries ? 0 : telldir(d);
		snprintf(sweep_dir, sizeof(sweep_dir), "%s", dir);
	}
	closedir(d);
	return PAYLOCK_YES;
}

void paylock_fs_sweep_tick(paylock_store *s)
{
	paylock_error ignored;
	zend_long removed = 0;

	if (++sweep_ticks % SWEEP_EVERY == 0) {
		paylock_fs_sweep(s, SWEEP_BATCH, &removed, &ignored);
	}
}
