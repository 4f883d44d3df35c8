/* The request registry shared by Lock/MultiLock and Claim (see registry.h). */
#include "php_paylock.h"
#include "registry.h"

void paylock_registry_init(paylock_registry *r, dtor_func_t orphan_dtor)
{
	zend_hash_init(&r->live, 8, NULL, NULL, 0);
	zend_hash_init(&r->orphans, 0, NULL, orphan_dtor, 0);
}

void paylock_registry_add(paylock_registry *r, zend_object *obj)
{
	if (PAYLOCK_G(in_request)) {
		zend_hash_index_update_ptr(&r->live, obj->handle, obj);
	}
}

void paylock_registry_remove(paylock_registry *r, zend_object *obj)
{
	if (PAYLOCK_G(in_request)) {
		zend_hash_index_del(&r->live, obj->handle);
	}
}

void paylock_registry_adopt(paylock_registry *r, void *orphan)
{
	zend_hash_next_index_insert_ptr(&r->orphans, orphan);
}

void paylock_registry_drain(paylock_registry *r, void (*end_live)(zend_object *obj),
							void (*end_orphan)(void *orphan))
{
	zend_object *obj;
	void *orphan;

	ZEND_HASH_FOREACH_PTR(&r->live, obj) {
		end_live(obj);
	}
	ZEND_HASH_FOREACH_END();
	ZEND_HASH_FOREACH_PTR(&r->orphans, orphan) {
		end_orphan(orphan);
	}
	ZEND_HASH_FOREACH_END();
	zend_hash_destroy(&r->live);
	zend_hash_destroy(&r->orphans);
}
