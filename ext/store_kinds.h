/* The kinds of store, written once: defaultStore(), the paylock.store INI setting and the messages that
 * list the stores all read this table (store_kinds.c). Adding a store is one line there. */
#ifndef PAYLOCK_STORE_KINDS_H
#define PAYLOCK_STORE_KINDS_H

#include "php.h"

typedef struct {
	const char *kind;       /* the paylock.store value */
	const char *class_name; /* short class name, for messages */
	/* Makes a store of this kind from the INI settings into *out (UNDEF on FAILURE, thrown). */
	zend_result (*from_ini)(zval *out);
} paylock_store_kind;

/* Builds the lists below; before the INI entries are registered. */
void paylock_store_kinds_minit(void);
/* NULL when no store has that kind. */
const paylock_store_kind *paylock_store_kind_find(const char *kind, size_t len);
/* The paylock.store values, the default first: "fallback, redis, file". */
const char *paylock_store_kind_names(void);
/* The classes in table order: "RedisStore, FileStore or FallbackStore". */
const char *paylock_store_kind_classes(void);
/* The default kind (paylock.store's built-in value). */
#define PAYLOCK_STORE_KIND_DEFAULT "fallback"

#endif
