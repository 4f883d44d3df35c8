/* What FileStore's own files share (file_store.c, file_idem.c, fs_sweep.c, fs_util.c), and nothing else
 * includes: the store struct, the file-system helpers (fs_util.c) and the record header the sweeper
 * reads. */
#ifndef PAYLOCK_FILE_INTERNAL_H
#define PAYLOCK_FILE_INTERNAL_H

#include "store.h"
#include "fs_trust.h"
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct {
	paylock_store base; /* first: see paylock_store_from_obj() */
	zend_string *dir;
	paylock_fs_trust trust;
	zend_object std;
} paylock_file_store;

/* Whom the dir's files must belong to (fs_trust.h), and the dir itself. */
static inline const paylock_fs_trust *paylock_file_trust(paylock_store *s)
{
	return &((paylock_file_store *)s)->trust;
}

static inline const char *paylock_file_dir(paylock_store *s)
{
	return ZSTR_VAL(((paylock_file_store *)s)->dir);
}

/* dir + "/" + hex SHA-256 of name: names never reach the path. */
zend_string *paylock_file_path(paylock_store *s, const zend_string *name);
/* The fd still names the file at path: nobody unlinked or replaced it since we opened it. */
bool paylock_same_file(int fd, const char *path);
/* LOCK_UN, then close: a forked child's copy of fd must not keep the lock alive. */
void paylock_unlock_and_close(int fd);
/* Sets err to "Cannot <what> <path>: strerror(errno)"; returns FAILED. */
paylock_status paylock_io_error(paylock_error *err, const char *what, const char *path);

/* A lock file's holder line ("pid:ms:fence:host\n") -> holder() array; NO: not a line PayLock wrote. */
paylock_status paylock_file_describe_meta(const char *meta, zval *out);
/* Keeps a lock's name in its file's name slot (file_admin.c), for listings; a failed write is ignored. */
void paylock_file_name_write(int fd, const zend_string *name);

/* Idempotency records as files (file_idem.c). */
extern const paylock_idem_ops paylock_file_idem_ops;

/* A record file starts with "PLI1 <state> <attempt> <expires unix ms> ..." (file_idem.c writes it). */
#define PAYLOCK_FILE_IDEM_MAGIC      "PLI1"
#define PAYLOCK_FILE_IDEM_HEADER_MAX 256

/* Is the record behind fd (locked by the caller) expired (or empty)? A damaged record is left for
 * forget(): the operator may want to look at it. */
static inline bool paylock_file_idem_expired(int fd, int64_t now_ms)
{
	char head[PAYLOCK_FILE_IDEM_HEADER_MAX + 1], magic[5], state;
	long long attempt, expires;
	ssize_t n = pread(fd, head, PAYLOCK_FILE_IDEM_HEADER_MAX, 0);

	if (n == 0) {
		return true; /* an empty file reads as no record */
	}
	if (n < 0) {
		return false;
	}
	head[n] = '\0';
	return sscanf(head, "%4s %c %lld %lld", magic, &state, &attempt, &expires) == 4 &&
		   strcmp(magic, PAYLOCK_FILE_IDEM_MAGIC) == 0 && expires <= now_ms;
}

#endif
