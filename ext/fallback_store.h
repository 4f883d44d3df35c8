/* FallbackStore: local file lock, then Redis; degrades to the file lock when Redis is down. */
#ifndef PAYLOCK_FALLBACK_STORE_H
#define PAYLOCK_FALLBACK_STORE_H

#include "store.h"

void paylock_fallback_store_minit(zend_class_entry *ce);
/* A FallbackStore over the default "redis" and "file" stores (the kinds table's "fallback"). Throws. */
zend_result paylock_fallback_store_from_ini(zval *out);

/* A FallbackStore's Redis part (remote) or file part, for PayLock\Admin (admin_fallback.c). */
paylock_store *paylock_fallback_part(paylock_store *s, bool remote);

#endif
