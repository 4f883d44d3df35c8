/* FileStore: the PHP class and its flock(2) lock operations, reused by FallbackStore. */
#ifndef PAYLOCK_FILE_STORE_H
#define PAYLOCK_FILE_STORE_H

#include "store.h"
#include "fs_trust.h"

extern zend_class_entry *paylock_ce_FileStore;
extern const paylock_store_ops paylock_file_ops;

void paylock_file_store_minit(zend_class_entry *ce);
/* Validates (creating it 0700 if missing) the lock dir; NULL takes ini paylock.lock_dir. Throws. */
zend_result paylock_file_store_init(zend_object *obj, zend_string *dir, uint32_t arg_num);
/* A FileStore on paylock.lock_dir (the kinds table's "file"). Throws; out is UNDEF then. */
zend_result paylock_file_store_from_ini(zval *out);
/* The same with a shared group (name or gid; NULL takes ini paylock.lock_group, "" none); group is
 * argument arg_num + 1. */
zend_result paylock_file_store_init_ex(zend_object *obj, zend_string *dir, zend_string *group,
									   uint32_t arg_num);
/* phpinfo() rows: this process's default dir and whether other users share it. */
void paylock_file_store_minfo(void);
/* Raises the dir's fencing counter to at least `floor` (FallbackStore keeps it above Redis' tokens). */
paylock_status paylock_file_fence_floor(paylock_store *s, int64_t floor, paylock_error *err);

/* A lock file holds the holder line at offset 0 (at most PAYLOCK_FILE_META_MAX bytes) and, for a store that
 * wraps FileStore, a note of at most PAYLOCK_FILE_NOTE_MAX bytes at PAYLOCK_FILE_NOTE_OFFSET (FallbackStore
 * writes its Redis lease there). Anything larger was written by someone else. */
#define PAYLOCK_FILE_META_MAX    320
#define PAYLOCK_FILE_NOTE_OFFSET 512
#define PAYLOCK_FILE_NOTE_MAX    24

/* Shared with file_idem.c and fs_sweep.c. */
/* Whom the dir's files must belong to (fs_trust.h), and the dir itself. */
const paylock_fs_trust *paylock_file_trust(paylock_store *s);
const char *paylock_file_dir(paylock_store *s);
/* dir + "/" + hex SHA-256 of name: names never reach the path. */
zend_string *paylock_file_path(paylock_store *s, const zend_string *name);
/* The fd still names the file at path: nobody unlinked or replaced it since we opened it. */
bool paylock_same_file(int fd, const char *path);
/* flock(fd, op) until deadline_ns (monotonic), blocking in the kernel: 0 locked, 1 deadline, -1 errno. */
int paylock_flock_until(int fd, int op, uint64_t deadline_ns);
/* LOCK_UN, then close: a forked child's copy of fd must not keep the lock alive. */
void paylock_unlock_and_close(int fd);
/* Sets err to "Cannot <what> <path>: strerror(errno)"; returns FAILED. */
paylock_status paylock_io_error(paylock_error *err, const char *what, const char *path);

/* Idempotency records as files (file_idem.c). */
extern const paylock_idem_ops paylock_file_idem_ops;

#endif
