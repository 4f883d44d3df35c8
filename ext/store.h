/* The backend interface: Lock and holder() talk to any store through this table, never to Redis or
 * files directly. Each store object embeds a paylock_store as its first member. */
#ifndef PAYLOCK_STORE_H
#define PAYLOCK_STORE_H

#include "php.h"
#include "exceptions.h"
#include "token.h"

extern zend_class_entry *paylock_ce_Store;

/* What a store needs to know about one lock, and what it keeps between acquire and release. */
typedef struct {
	zend_string *name;
	char token[PAYLOCK_TOKEN_HEX + 1]; /* this holder's owner token */
	int64_t fence;                     /* fencing token issued with the acquire */
	int fd;                            /* FileStore: the open, flocked lock file; -1 otherwise */
	zend_string *path;                 /* FileStore: the lock file's path, made on first use */
	bool degraded;                     /* FallbackStore: held on the local lock only */
} paylock_lock_state;

typedef struct paylock_store paylock_store;

typedef struct {
	const char *kind; /* "redis", "file", "fallback" */
	bool has_lease;   /* false: held until release or process exit (flock), ttl is ignored */
	/* Takes the lock for l->token, blocking until deadline_ns (0: a single try). YES sets l->fence.
	 * *contended is set when the lock was found busy at least once. */
	paylock_status (*acquire)(paylock_store *s, paylock_lock_state *l, int64_t ttl_ms, uint64_t deadline_ns,
							  bool *contended, paylock_error *err);
	/* YES: released; NO: it was no longer ours. */
	paylock_status (*release)(paylock_store *s, paylock_lock_state *l, paylock_error *err);
	/* YES: lease extended to ttl_ms from now; NO: no longer ours. */
	paylock_status (*refresh)(paylock_store *s, paylock_lock_state *l, int64_t ttl_ms, paylock_error *err);
	/* YES: still ours. */
	paylock_status (*check)(paylock_store *s, paylock_lock_state *l, paylock_error *err);
	/* Issues l->fence if the store issues it lazily (NULL: acquire already set it). */
	paylock_status (*fence)(paylock_store *s, paylock_lock_state *l, paylock_error *err);
	/* YES: *out is an array describing the holder; NO: free. */
	paylock_status (*holder)(paylock_store *s, zend_string *name, zval *out, paylock_error *err);
} paylock_store_ops;

struct paylock_store {
	const paylock_store_ops *ops; /* NULL until the constructor ran */
};

/* The paylock_store of a PayLock store object; NULL (Error thrown) for a half-built one. */
paylock_store *paylock_store_from_obj(zend_object *obj);

void paylock_store_minit(void);

#endif
