/* FileStore: the PHP class and its flock(2) lock operations, reused by FallbackStore. */
#ifndef PAYLOCK_FILE_STORE_H
#define PAYLOCK_FILE_STORE_H

#include "store.h"

extern zend_class_entry *paylock_ce_FileStore;
extern const paylock_store_ops paylock_file_ops;

void paylock_file_store_minit(zend_class_entry *ce);
/* Validates (creating it 0700 if missing) the lock dir; NULL takes ini paylock.lock_dir. Throws. */
zend_result paylock_file_store_init(zend_object *obj, zend_string *dir, uint32_t arg_num);
/* Raises the dir's fencing counter to at least `floor` (FallbackStore keeps it above Redis' tokens). */
paylock_status paylock_file_fence_floor(paylock_store *s, int64_t floor, paylock_error *err);

#endif
