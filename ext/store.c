/* The Store interface: only PayLock's C classes may implement it, because locks need their ops table. */
#include "php_paylock.h"
#include "store.h"
#include "store_kinds.h"

zend_class_entry *paylock_ce_Store;

static int refuse_userland_store(zend_class_entry *iface, zend_class_entry *ce)
{
	if (ce->type == ZEND_USER_CLASS) {
		zend_error_noreturn(E_ERROR, "%s cannot implement %s: use %s", ZSTR_VAL(ce->name),
							ZSTR_VAL(iface->name), paylock_store_kind_classes());
	}
	return SUCCESS;
}

void paylock_store_minit(void)
{
	paylock_ce_Store->interface_gets_implemented = refuse_userland_store;
}

paylock_store *paylock_store_from_obj(zend_object *obj)
{
	/* Every store object struct starts with a paylock_store and ends with its zend_object. */
	paylock_store *s = (paylock_store *)((char *)obj - obj->handlers->offset);

	if (obj->handlers->offset == 0 || s->ops == NULL) {
		zend_throw_error(NULL, "%s object has not been initialized", ZSTR_VAL(obj->ce->name));
		return NULL;
	}
	return s;
}
