/* FallbackStore (local file lock, then Redis; degrades to the file lock when Redis is down) and
 * defaultStore(). */
#ifndef PAYLOCK_FALLBACK_STORE_H
#define PAYLOCK_FALLBACK_STORE_H

#include "store.h"

void paylock_fallback_store_minit(zend_class_entry *ce);

#endif
