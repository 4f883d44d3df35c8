/* The table of store kinds, and defaultStore() built from it. */
#include "php_paylock.h"
#include "store_kinds.h"
#include "redis_store.h"
#include "file_store.h"
#include "fallback_store.h"

static const paylock_store_kind kinds[] = {
	{"redis", "RedisStore", paylock_redis_store_from_ini},
	{"file", "FileStore", paylock_file_store_from_ini},
	{"fallback", "FallbackStore", paylock_fallback_store_from_ini},
};

#define KIND_COUNT     (sizeof(kinds) / sizeof(kinds[0]))
#define KIND_LIST_SIZE 256 /* room for every kind and class name with separators */

const paylock_store_kind *paylock_store_kind_find(const char *kind, size_t len)
{
	for (size_t i = 0; i < KIND_COUNT; i++) {
		if (strlen(kinds[i].kind) == len && memcmp(kinds[i].kind, kind, len) == 0) {
			return &kinds[i];
		}
	}
	return NULL;
}

/* Written once at MINIT, read-only afterwards (threads share them). */
static char kind_names[KIND_LIST_SIZE], kind_classes[KIND_LIST_SIZE];

void paylock_store_kinds_minit(void)
{
	size_t o = (size_t)snprintf(kind_names, sizeof(kind_names), "%s", PAYLOCK_STORE_KIND_DEFAULT);

	for (size_t i = 0; i < KIND_COUNT && o < sizeof(kind_names); i++) {
		if (strcmp(kinds[i].kind, PAYLOCK_STORE_KIND_DEFAULT) != 0) {
			o += (size_t)snprintf(kind_names + o, sizeof(kind_names) - o, ", %s", kinds[i].kind);
		}
	}
	o = 0;
	for (size_t i = 0; i < KIND_COUNT && o < sizeof(kind_classes); i++) {
		const char *sep = i == 0 ? "" : i + 1 == KIND_COUNT ? " or " : ", ";

		o += (size_t)snprintf(kind_classes + o, sizeof(kind_classes) - o, "%s%s", sep, kinds[i].class_name);
	}
}

const char *paylock_store_kind_names(void)
{
	return kind_names;
}

const char *paylock_store_kind_classes(void)
{
	return kind_classes;
}

ZEND_FUNCTION(PayLock_defaultStore)
{
	const char *kind = PAYLOCK_G(store);
	const paylock_store_kind *k = paylock_store_kind_find(kind, strlen(kind));

	ZEND_PARSE_PARAMETERS_NONE();
	if (k == NULL) { /* the INI validator lets no other value through */
		k = paylock_store_kind_find(PAYLOCK_STORE_KIND_DEFAULT, strlen(PAYLOCK_STORE_KIND_DEFAULT));
	}
	if (k->from_ini(return_value) == FAILURE) {
		RETURN_THROWS();
	}
}
