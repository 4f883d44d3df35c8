/* The operator's view of a store (PayLock\Admin): list held locks, look at a queue, force a release, list
 * idempotency records. Each store may offer these as paylock_store_ops.admin; generic code in admin.c
 * turns them into the PHP class. */
#ifndef PAYLOCK_ADMIN_H
#define PAYLOCK_ADMIN_H

#include "store.h"

/* One page of a listing: names (or record names) starting with prefix, after cursor. */
typedef struct {
	const zend_string *prefix; /* "" for all */
	const zend_string *cursor; /* NULL: from the start */
	zend_long count;           /* about this many entries (Redis SCAN's COUNT; at most this many on files) */
} paylock_admin_page;

/* The ops a store may offer (every member may be NULL: PayLock\Admin then throws a StoreException that
 * says the store cannot do it and why). */
struct paylock_admin_ops {
	/* Appends one array per held lock to list (name, holder, queue, degraded); *next is the cursor to
	 * continue from, NULL when the listing is complete. */
	paylock_status (*locks)(paylock_store *s, const paylock_admin_page *pg, zval *list, zend_string **next,
							paylock_error *err);
	/* Appends the waiters of name, first first, at most max of them. */
	paylock_status (*queue)(paylock_store *s, zend_string *name, zend_long max, zval *list,
							paylock_error *err);
	/* Frees name whoever holds it and hands it to the next live waiter. YES: *out describes the holder
	 * that was released; NO: nobody held it. */
	paylock_status (*force_release)(paylock_store *s, zend_string *name, zval *out, paylock_error *err);
	/* Appends one array per idempotency record whose name starts with pg->prefix (the guard's prefix):
	 * scope, key, state, attempt, lease_left, age, has_result, id. */
	paylock_status (*records)(paylock_store *s, const paylock_admin_page *pg, zval *list, zend_string **next,
							  paylock_error *err);
	/* Why an op above is NULL, for the exception ("a flock is held by its process until ..."). */
	const char *why_not;
};

/* The stores' tables. */
extern const paylock_admin_ops paylock_redis_admin_ops;
extern const paylock_admin_ops paylock_file_admin_ops;
extern const paylock_admin_ops paylock_fallback_admin_ops;

/* A listing entry: [name, holder, queue, degraded]; name may be NULL (a file written before names were
 * kept), queue < 0 is unknown (null). Takes holder (an array zval). */
void paylock_admin_add_lock(zval *list, const char *name, size_t name_len, zval *holder, zend_long queue,
							bool degraded);
/* A record entry from its logical name (prefix [scope:]{key}); name NULL for a record whose name the store
 * does not keep. state is one of running, crashed, unknown, unstored, done, abandoned, damaged. */
void paylock_admin_add_record(zval *list, const zend_string *prefix, const char *name, size_t name_len,
							  const char *id, const char *state, int64_t attempt, double lease_left,
							  double age, bool has_result);
/* The state name of a record's one-letter state ('r' with its lease ended reads as crashed). */
const char *paylock_admin_state_name(char s, bool lease_running);

/* FileStore's listing and queue, also for FallbackStore's local part (file_admin.c). only_degraded: locks
 * whose holder went on without Redis (FallbackStore's "D" note). */
paylock_status paylock_file_admin_locks(paylock_store *s, const paylock_admin_page *pg, bool only_degraded,
										zval *list, zend_string **next, paylock_error *err);
paylock_status paylock_file_admin_queue(paylock_store *s, zend_string *name, zend_long max, zval *list,
										paylock_error *err);

void paylock_admin_minit(zend_class_entry *ce);
void paylock_redis_admin_minit(void);

#endif
