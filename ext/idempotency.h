/* IdempotencyGuard and Claim: a payment step runs once per key; replays get the stored result. */
#ifndef PAYLOCK_IDEMPOTENCY_H
#define PAYLOCK_IDEMPOTENCY_H

#include "php.h"

void paylock_idempotency_minit(zend_class_entry *guard_ce, zend_class_entry *claim_ce);
/* RINIT: the request's registry of owned claims. */
void paylock_idempotency_rinit(void);
/* RSHUTDOWN: claims still owned here died mid-step (fatal error, exit): marked "outcome unknown". */
void paylock_idempotency_abandon_all(void);

#endif
