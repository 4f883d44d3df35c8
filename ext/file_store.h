/* FileStore: the PHP class and its flock(2) lock operations (FallbackStore's local part). What its own
 * files share is in file_internal.h. */
#ifndef PAYLOCK_FILE_STORE_H
#define PAYLOCK_FILE_STORE_H

#include "store.h"
#include "tuning.h"

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
#define PAYLOCK_FILE_NOTE_MAX    PAYLOCK_LOCAL_NOTE_MAX
/* The lock's name ("N<len>:<name>", for PayLock\Admin listings) at PAYLOCK_FILE_NAME_OFFSET; files written
 * before the slot existed end at the note. */
#define PAYLOCK_FILE_NAME_OFFSET 576
#define PAYLOCK_FILE_NAME_SLOT   (8 + PAYLOCK_MAX_NAME)

#endif
