/* A request's registry of what it owns in a store: the live objects (held locks, running claims) and the
 * "orphans", what objects the engine freed before RSHUTDOWN still owned (after a fatal error globals are
 * freed first, and free_obj may do no I/O). RSHUTDOWN drains it, so nothing is left owned. */
#ifndef PAYLOCK_REGISTRY_H
#define PAYLOCK_REGISTRY_H

#include "php.h"

typedef struct {
	HashTable live;    /* object handle -> zend_object* */
	HashTable orphans; /* orphan payloads (pointers), freed by the dtor given at init */
} paylock_registry;

/* RINIT. orphan_dtor frees one payload (a zval holding its pointer). */
void paylock_registry_init(paylock_registry *r, dtor_func_t orphan_dtor);
/* Both are no-ops outside a request (between RSHUTDOWN and the next RINIT). */
void paylock_registry_add(paylock_registry *r, zend_object *obj);
void paylock_registry_remove(paylock_registry *r, zend_object *obj);
/* Takes over an orphan payload (only called while in a request). */
void paylock_registry_adopt(paylock_registry *r, void *orphan);
/* RSHUTDOWN: end_live(obj) for every live object, end_orphan(payload) for every orphan, then frees both. */
void paylock_registry_drain(paylock_registry *r, void (*end_live)(zend_object *obj),
							void (*end_orphan)(void *orphan));

#endif
