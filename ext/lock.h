/* Lock and MultiLock: the PHP classes, holder(), and the request's registry of held locks. */
#ifndef PAYLOCK_LOCK_H
#define PAYLOCK_LOCK_H

#include "php.h"

void paylock_lock_minit(zend_class_entry *lock, zend_class_entry *multi);
/* RINIT: the request's registries. */
void paylock_lock_rinit(void);
/* RSHUTDOWN: releases every lock this process took during the request, even after a fatal error. */
void paylock_lock_release_all(void);

#endif
