/* Trust rules for the FileStore: a lock dir is used only when nobody but its owner (and root), or the
 * configured shared group, can write to it; every file in it is opened without following links or
 * blocking and fstat-checked before a byte is read or written; records are replaced atomically; and a
 * forked child drops its copies of the parent's flocked fds at fork. */
#include "php_paylock.h"
#include "fs_trust.h"
#include "token.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_TRIES   8
#define GROUP_BUF   16384
#define FIX_LOCKDIR "or set paylock.lock_dir to a directory only this user can write"

bool paylock_fs_group(const char *name, gid_t *gid)
{
	struct group gr, *found = NULL;
	char buf[GROUP_BUF], *end;
	unsigned long n = strtoul(name, &end, 10);

	if (*name && *end == '\0' && n <= (unsigned long)INT_MAX) {
		*gid = (gid_t)n;
		return true;
	}
	if (getgrnam_r(name, &gr, buf, sizeof(buf), &found) != 0 || found == NULL) {
		return false;
	}
	*gid = gr.gr_gid;
	return true;
}

static const char *type_name(mode_t m)
{
	return S_ISDIR(m)                 ? "directory"
		   : S_ISFIFO(m)              ? "FIFO"
		   : S_ISLNK(m)               ? "symlink"
		   : S_ISSOCK(m)              ? "socket"
		   : S_ISCHR(m) || S_ISBLK(m) ? "device"
									  : "special file";
}

/* Makes a missing dir: 0700, or in shared mode group gid and 2770, set on a temp dir that is then
 * moved in only if the path is still free, so nobody ever sees it half set up. */
static int make_dir(const char *dir, const paylock_fs_trust *t)
{
	char tmp[PATH_MAX + 64];
	int fd, e = 0;

	if (!t->shared) {
		return mkdir(dir, PAYLOCK_FS_DIR_MODE) == 0 || errno == EEXIST ? 0 : -1;
	}
	snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", dir, (long)paylock_pid());
	if (mkdir(tmp, PAYLOCK_FS_DIR_MODE) != 0) {
		return -1;
	}
	fd = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fchown(fd, (uid_t)-1, t->gid) != 0 || fchmod(fd, PAYLOCK_FS_SHARED_DIR) != 0 ||
		(renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_NOREPLACE) != 0 && errno != EEXIST)) {
		e = errno;
	}
	if (fd >= 0) {
		close(fd);
	}
	rmdir(tmp); /* still there when someone else made the dir first */
	errno = e;
	return e ? -1 : 0;
}

static zend_result check_shared_dir(const char *dir, const struct stat *st, const paylock_fs_trust *t)
{
	if (st->st_gid != t->gid || !(st->st_mode & S_ISGID) || (st->st_mode & S_IWOTH) ||
		(st->st_mode & S_IRWXG) != S_IRWXG) {
		paylock_throw(
			paylock_ce_StoreException,
			"Shared lock dir %s has group %ld and mode %04o; paylock.lock_group needs group %ld, mode "
			"2770. Fix: chgrp %ld %s && chmod 2770 %s",
			dir, (long)st->st_gid, (unsigned)(st->st_mode & 07777), (long)t->gid, (long)t->gid, dir, dir);
		return FAILURE;
	}
	return SUCCESS;
}

zend_result paylock_fs_check_dir(const char *dir, const paylock_fs_trust *t)
{
	struct stat st;

	if (lstat(dir, &st) != 0) {
		if (errno != ENOENT || make_dir(dir, t) != 0 || lstat(dir, &st) != 0) {
			paylock_throw(paylock_ce_StoreException, "Cannot create lock dir %s: %s", dir, strerror(errno));
			return FAILURE;
		}
	}
	if (S_ISLNK(st.st_mode)) {
		paylock_throw(paylock_ce_StoreException, "Lock dir %s is a symlink; PayLock refuses it", dir);
		return FAILURE;
	}
	if (!S_ISDIR(st.st_mode)) {
		paylock_throw(paylock_ce_StoreException, "Lock dir %s is not a directory", dir);
		return FAILURE;
	}
	/* Shared mode: only members of the group (or root) can give a dir that group, so the group decides. */
	if (!t->shared && st.st_uid != t->uid && st.st_uid != 0) {
		paylock_throw(
			paylock_ce_StoreException,
			"Lock dir %s is owned by uid %ld, not by uid %ld (this process) or root: its owner could "
			"delete or plant locks and records. Fix: remove it, chown %ld it, " FIX_LOCKDIR,
			dir, (long)st.st_uid, (long)t->uid, (long)t->uid);
		return FAILURE;
	}
	if (t->shared) {
		if (check_shared_dir(dir, &st, t) == FAILURE) {
			return FAILURE;
		}
	} else if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		paylock_throw(paylock_ce_StoreException,
					  "Lock dir %s has mode %04o: other users can delete or plant locks and records in it. "
					  "Fix: chmod 0700 %s, or share it on purpose with paylock.lock_group",
					  dir, (unsigned)(st.st_mode & 07777), dir);
		return FAILURE;
	}
	if (access(dir, W_OK | X_OK) != 0) {
		paylock_throw(paylock_ce_StoreException, "Lock dir %s is not writable by uid %ld: %s", dir,
					  (long)geteuid(), strerror(errno));
		return FAILURE;
	}
	return SUCCESS;
}

static bool trusted_owner(const paylock_fs_trust *t, const struct stat *st)
{
	if (t->shared) {
		return st->st_gid == t->gid && !(st->st_mode & S_IWOTH);
	}
	return st->st_uid == t->uid;
}

static paylock_status refuse(paylock_error *err, const char *what, const char *path, const struct stat *st,
							 const paylock_fs_trust *t)
{
	if (!S_ISREG(st->st_mode)) {
		paylock_error_set(
			err, PAYLOCK_ERR_STORE,
			"The %s %s is a %s, not a regular file; PayLock never opens it. Fix: remove it (another "
			"user may have planted it), " FIX_LOCKDIR,
			what, path, type_name(st->st_mode));
	} else if (!trusted_owner(t, st)) {
		paylock_error_set(err, PAYLOCK_ERR_STORE,
						  "The %s %s belongs to uid %ld group %ld (mode %04o), not to %s %ld; PayLock never "
						  "uses it. Fix: remove it, " FIX_LOCKDIR,
						  what, path, (long)st->st_uid, (long)st->st_gid, (unsigned)(st->st_mode & 07777),
						  t->shared ? "group" : "uid", t->shared ? (long)t->gid : (long)t->uid);
	} else {
		paylock_error_set(err, PAYLOCK_ERR_STORE,
						  "The %s %s has %lu hard links; PayLock only uses files with one. Fix: remove it, "
						  "" FIX_LOCKDIR,
						  what, path, (unsigned long)st->st_nlink);
	}
	return PAYLOCK_FAILED;
}

static paylock_status open_failed(paylock_error *err, const char *what, const char *path, int flags,
								  const paylock_fs_trust *t)
{
	int e = errno;
	struct stat st;

	if (e == ENOENT && !(flags & O_CREAT)) {
		return PAYLOCK_NO;
	}
	if (e == ELOOP || e == EACCES || e == EPERM || e == ENXIO) {
		if (lstat(path, &st) == 0 &&
			(S_ISLNK(st.st_mode) || !S_ISREG(st.st_mode) || !trusted_owner(t, &st))) {
			return refuse(err, what, path, &st, t);
		}
	}
	paylock_error_set(err, PAYLOCK_ERR_STORE, "Cannot open %s %s: %s", what, path, strerror(e));
	return PAYLOCK_FAILED;
}

static int open_temp(const paylock_fs_trust *t, const char *path, char *tmp, size_t size);

/* Shared mode: a new file appears at path already 0660 (made as a temp file, chmodded, then moved in
 * only if path is still free), so the group never sees it with the umask's mode. */
static void create_shared(const paylock_fs_trust *t, const char *path)
{
	char tmp[PATH_MAX + 128];
	int fd = open_temp(t, path, tmp, sizeof(tmp));

	if (fd < 0) {
		return; /* the open below reports it */
	}
	close(fd);
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) != 0) {
		unlink(tmp); /* EEXIST: someone else made it first */
	}
}

static int open_file(const paylock_fs_trust *t, const char *path, int flags)
{
	int fd = -1;

	if (!t->shared || !(flags & O_CREAT)) {
		return open(path, PAYLOCK_FS_OPEN_FLAGS | flags, PAYLOCK_FS_FILE_MODE);
	}
	for (int i = 0; i < TMP_TRIES; i++) {
		fd = open(path, PAYLOCK_FS_OPEN_FLAGS | (flags & ~O_CREAT));
		if (fd >= 0 || errno != ENOENT) {
			return fd;
		}
		create_shared(t, path);
	}
	return fd;
}

paylock_status paylock_fs_open(const paylock_fs_trust *t, const char *path, int flags, const char *what,
							   int *fd_out, paylock_error *err)
{
	struct stat st;

	return paylock_fs_open_st(t, path, flags, what, fd_out, &st, err);
}

paylock_status paylock_fs_open_st(const paylock_fs_trust *t, const char *path, int flags, const char *what,
								  int *fd_out, struct stat *stp, paylock_error *err)
{
	struct stat st;
	int fd = open_file(t, path, flags);

	if (fd < 0) {
		return open_failed(err, what, path, flags, t);
	}
	if (fstat(fd, &st) != 0) {
		paylock_error_set(err, PAYLOCK_ERR_STORE, "Cannot stat %s %s: %s", what, path, strerror(errno));
		close(fd);
		return PAYLOCK_FAILED;
	}
	if (!S_ISREG(st.st_mode) || !trusted_owner(t, &st) || st.st_nlink != 1) {
		/* nlink 0: unlinked between open and fstat by a releasing holder; callers re-check the path */
		if (S_ISREG(st.st_mode) && trusted_owner(t, &st) && st.st_nlink == 0) {
			*fd_out = fd;
			*stp = st;
			return PAYLOCK_YES;
		}
		refuse(err, what, path, &st, t);
		close(fd);
		return PAYLOCK_FAILED;
	}
	*fd_out = fd;
	*stp = st;
	return PAYLOCK_YES;
}

static bool write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n <= 0) {
			if (n < 0 && errno == EINTR) {
				continue;
			}
			if (n == 0) {
				errno = ENOSPC;
			}
			return false;
		}
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

/* A fresh temp file next to path, never an existing one. */
static int open_temp(const paylock_fs_trust *t, const char *path, char *tmp, size_t size)
{
	static unsigned seq;

	for (int i = 0; i < TMP_TRIES; i++) {
		int fd;

		snprintf(tmp, size, "%s.%ld-%u.tmp", path, (long)paylock_pid(), seq++);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | PAYLOCK_FS_OPEN_FLAGS,
				  t->shared ? PAYLOCK_FS_SHARED_MODE : PAYLOCK_FS_FILE_MODE);
		if (fd >= 0 || errno != EEXIST) {
			if (fd >= 0 && t->shared && fchmod(fd, PAYLOCK_FS_SHARED_MODE) != 0) {
				/* umask took group bits: the group gets an actionable error naming the file */
			}
			return fd;
		}
	}
	return -1;
}

static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		if (fsync(fd) != 0) {
			/* the rename is done; only its durability across a power loss is in doubt */
		}
		close(fd);
	}
}

paylock_status paylock_fs_replace(const paylock_fs_trust *t, const char *dir, const char *path,
								  const char *what, const char *buf, size_t len, paylock_error *err)
{
	char tmp[PATH_MAX + 128];
	int fd = open_temp(t, path, tmp, sizeof(tmp)), e;

	if (fd < 0) {
		paylock_error_set(err, PAYLOCK_ERR_STORE, "Cannot write %s %s: %s", what, path, strerror(errno));
		return PAYLOCK_FAILED;
	}
	if (write_all(fd, buf, len) && fsync(fd) == 0 && close(fd) == 0) {
		if (rename(tmp, path) == 0) {
			sync_dir(dir);
			return PAYLOCK_YES;
		}
		fd = -1;
	}
	e = errno;
	if (fd >= 0) {
		close(fd);
	}
	unlink(tmp);
	paylock_error_set(err, PAYLOCK_ERR_STORE, "Cannot write %s %s: %s", what, path, strerror(e));
	return PAYLOCK_FAILED;
}

/* ---- the fork hook ---- */

typedef struct {
	int fd;
	dev_t dev;
	ino_t ino;
} held_fd;

static held_fd *held;
static size_t held_n, held_cap;
static pthread_mutex_t held_mu = PTHREAD_MUTEX_INITIALIZER;

void paylock_fs_hold(int fd)
{
	struct stat st;

	if (fstat(fd, &st) == 0) {
		paylock_fs_hold_st(fd, &st);
	}
}

void paylock_fs_hold_st(int fd, const struct stat *st)
{
	size_t i;

	pthread_mutex_lock(&held_mu);
	for (i = 0; i < held_n && held[i].fd != fd; i++) {
		/* an entry left by a close we were not told about is reused */
	}
	if (i == held_n && held_n == held_cap) {
		size_t cap = held_cap ? held_cap * 2 : 16;
		held_fd *grown = realloc(held, cap * sizeof(*held));

		if (grown == NULL) {
			pthread_mutex_unlock(&held_mu);
			return;
		}
		held = grown;
		held_cap = cap;
	}
	held[i] = (held_fd){fd, st->st_dev, st->st_ino};
	if (i == held_n) {
		held_n++;
	}
	pthread_mutex_unlock(&held_mu);
}

void paylock_fs_unhold(int fd)
{
	pthread_mutex_lock(&held_mu);
	for (size_t i = 0; i < held_n; i++) {
		if (held[i].fd == fd) {
			held[i] = held[--held_n];
			break;
		}
	}
	pthread_mutex_unlock(&held_mu);
}

static void fork_prepare(void)
{
	pthread_mutex_lock(&held_mu);
}

static void fork_parent(void)
{
	pthread_mutex_unlock(&held_mu);
}

/* In the child: point every held fd at /dev/null. Its number stays valid (the code that owns it closes
 * it later), but the child no longer references the flocked open file description, so the lock ends
 * when the parent lets go or dies. No LOCK_UN: that would unlock the parent's lock too. An fd whose
 * inode changed was closed behind our back and reused: it is left alone. */
static void fork_child(void)
{
	int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	for (size_t i = 0; i < held_n; i++) {
		struct stat st;

		if (fstat(held[i].fd, &st) != 0 || st.st_dev != held[i].dev || st.st_ino != held[i].ino) {
			continue;
		}
		if (null_fd < 0 || dup3(null_fd, held[i].fd, O_CLOEXEC) < 0) {
			close(held[i].fd);
		}
	}
	if (null_fd >= 0) {
		close(null_fd);
	}
	held_n = 0;
	pthread_mutex_unlock(&held_mu);
}

void paylock_fs_fork_minit(void)
{
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}
