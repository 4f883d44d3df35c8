/* PayLock\Admin on FallbackStore: its Redis part is where holders of every host meet, so listings come from
 * Redis first; then (cursor "f...") the local file locks held degraded (their holder went on without
 * Redis, "D" note), which Redis never saw. With Redis unreachable, the local part alone is listed.
 * Cursors: "r<SCAN cursor>" on the Redis part, "f" or "f<file hash>" on the local part. */
#include "php_paylock.h"
#include "admin.h"
#include "fallback_store.h"

static bool unreachable(const paylock_error *err)
{
	return err->kind == PAYLOCK_ERR_CONNECTION;
}

/* The local part's page after the local cursor (cursor less its "f"). */
static paylock_status local_locks(paylock_store *file, const paylock_admin_page *pg, const char *after,
								  bool only_degraded, zval *list, zend_string **next, paylock_error *err)
{
	paylock_admin_page local = *pg;
	zend_string *c = after && *after ? zend_string_init(after, strlen(after), 0) : NULL, *n = NULL;
	paylock_status st;

	local.cursor = c;
	st = paylock_file_admin_locks(file, &local, only_degraded, list, &n, err);
	if (c) {
		zend_string_release(c);
	}
	*next = n ? zend_strpprintf(0, "f%s", ZSTR_VAL(n)) : NULL;
	if (n) {
		zend_string_release(n);
	}
	return st;
}

static paylock_status fallback_locks(paylock_store *s, const paylock_admin_page *pg, zval *list,
									 zend_string **next, paylock_error *err)
{
	paylock_store *redis = paylock_fallback_part(s, true), *file = paylock_fallback_part(s, false);
	const char *cur = pg->cursor ? ZSTR_VAL(pg->cursor) : "r0";
	paylock_admin_page remote = *pg;
	zend_string *rc, *n = NULL;
	paylock_status st;

	if (cur[0] == 'f') {
		return local_locks(file, pg, cur + 1, true, list, next, err);
	}
	if (cur[0] != 'r' || cur[1] == '\0') {
		paylock_error_set(err, PAYLOCK_ERR_STORE, "Cursor \"%s\" is not one a FallbackStore listing returned",
						  cur);
		return PAYLOCK_FAILED;
	}
	rc = zend_string_init(cur + 1, strlen(cur + 1), 0);
	remote.cursor = rc;
	st = redis->ops->admin->locks(redis, &remote, list, &n, err);
	zend_string_release(rc);
	if (st == PAYLOCK_FAILED && unreachable(err)) {
		/* Redis is down: every local holder runs degraded; list them all */
		memset(err, 0, sizeof(*err));
		return local_locks(file, pg, NULL, false, list, next, err);
	}
	if (st == PAYLOCK_FAILED) {
		return st;
	}
	*next = n ? zend_strpprintf(0, "r%s", ZSTR_VAL(n)) : zend_string_init("f", 1, 0);
	if (n) {
		zend_string_release(n);
	}
	return PAYLOCK_YES;
}

/* Waiters on Redis (other hosts, and this host's one contender), then this host's waiters on the file. */
static paylock_status fallback_queue(paylock_store *s, zend_string *name, zend_long max, zval *list,
									 paylock_error *err)
{
	paylock_store *redis = paylock_fallback_part(s, true), *file = paylock_fallback_part(s, false);
	paylock_status st = redis->ops->admin->queue(redis, name, max, list, err);

	if (st == PAYLOCK_FAILED && !unreachable(err)) {
		return st;
	}
	memset(err, 0, sizeof(*err));
	return paylock_file_admin_queue(file, name, max, list, err);
}

/* Records: the Redis part's (every host's); the local part's only while Redis cannot be reached. */
static paylock_status fallback_records(paylock_store *s, const paylock_admin_page *pg, zval *list,
									   zend_string **next, paylock_error *err)
{
	paylock_store *redis = paylock_fallback_part(s, true), *file = paylock_fallback_part(s, false);
	paylock_status st = redis->ops->admin->records(redis, pg, list, next, err);

	if (st == PAYLOCK_FAILED && unreachable(err)) {
		memset(err, 0, sizeof(*err));
		return file->ops->admin->records(file, pg, list, next, err);
	}
	return st;
}

const paylock_admin_ops paylock_fallback_admin_ops = {
	.locks = fallback_locks,
	.queue = fallback_queue,
	.records = fallback_records,
	.why_not =
		"its local part is a flock that belongs to the holder's process until it exits. Fix: stop the "
		"holder (its host and pid are in Admin::locks() or holder()), or use Admin over the RedisStore "
		"part when that host is gone",
};
