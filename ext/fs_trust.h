/* Trust rules for the FileStore's dir and files: who may own them, how they are opened, how records are
 * replaced atomically, and the fork hook that keeps a child from holding its parent's flocks. */
#ifndef PAYLOCK_FS_TRUST_H
#define PAYLOCK_FS_TRUST_H

#include "php.h"
#include "exceptions.h"
#include <sys/types.h>
#include <sys/stat.h>

/* Whom a lock dir's files may belong to: uid alone, or (shared mode) any member of group gid. */
typedef struct {
	uid_t uid;
	gid_t gid;
	bool shared;
} paylock_fs_trust;

/* Every file PayLock opens in a lock dir */
#define PAYLOCK_FS_OPEN_FLAGS  (O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
#define PAYLOCK_FS_FILE_MODE   0600
#define PAYLOCK_FS_SHARED_MODE 0660
#define PAYLOCK_FS_DIR_MODE    0700
#define PAYLOCK_FS_SHARED_DIR  02770

/* Resolves a group name or number; false when unknown. */
bool paylock_fs_group(const char *name, gid_t *gid);
/* Checks (creating it if missing) a lock dir against the trust rules. Throws StoreException. */
zend_result paylock_fs_check_dir(const char *dir, const paylock_fs_trust *t);
/* Opens path with PAYLOCK_FS_OPEN_FLAGS | flags, then fstat-checks it: a regular file, owned by the
 * trusted owner, one link. YES: *fd open; NO: missing (only without O_CREAT); FAILED: err says what
 * is wrong and how to fix it. A file we create in shared mode is made 0660. */
paylock_status paylock_fs_open(const paylock_fs_trust *t, const char *path, int flags, const char *what,
							   int *fd, paylock_error *err);
/* The same, also giving the fstat of the open file (its inode never changes: no need to fstat again). */
paylock_status paylock_fs_open_st(const paylock_fs_trust *t, const char *path, int flags, const char *what,
								  int *fd, struct stat *st, paylock_error *err);
/* Replaces path by a new file holding buf: temp file in the same dir, fsync, rename, fsync of the dir.
 * A crash at any instant leaves the old file or the new one. */
paylock_status paylock_fs_replace(const paylock_fs_trust *t, const char *dir, const char *path,
								  const char *what, const char *buf, size_t len, paylock_error *err);

/* Flocked fds this process holds (lock files, run files): a forked child gets each replaced by
 * /dev/null at fork, so the parent's locks end with the parent even while children live on. */
void paylock_fs_hold(int fd);
void paylock_fs_hold_st(int fd, const struct stat *st); /* st: fstat of fd */
void paylock_fs_unhold(int fd);
void paylock_fs_fork_minit(void);

#endif
