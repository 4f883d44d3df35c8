/* PayLock\Lock: one named lock over any store. Keeps the lease clock (monotonic), the owner pid (a
 * forked child never touches its parent's locks) and the request registry RSHUTDOWN drains. */
#include "php_paylock.h"
#include "lock.h"
#include "store.h"
#include "zend_exceptions.h"
#include "zend_interfaces.h"
#include <unistd.h>

static zend_class_entry *lock_ce;
static zend_object_handlers lock_handlers;

typedef struct {
	zend_object *store_obj; /* addref'd: keeps the store alive while the lock exists */
	paylock_store *store;   /* NULL until __construct ran */
	paylock_lock_state st;
	int64_t ttl_ms;
	uint64_t lease_end_ns; /* monotonic; measured from before the acquire was sent */
	pid_t owner_pid;
	bool held;
	zend_object std;
} paylock_lock;

static inline paylock_lock *lock_from_obj(zend_object *obj)
{
	return (paylock_lock *)((char *)obj - XtOffsetOf(paylock_lock, std));
}

static paylock_lock *this_lock(zval *this_zv)
{
	paylock_lock *lk = lock_from_obj(Z_OBJ_P(this_zv));

	if (lk->store == NULL) {
		zend_throw_error(NULL, "PayLock\\Lock object has not been initialized");
		return NULL;
	}
	return lk;
}

#define NAME_FOR_MSG(lk, buf) paylock_printable((lk)->st.name, buf, sizeof(buf))

static void registry_add(paylock_lock *lk)
{
	if (PAYLOCK_G(in_request)) {
		zend_hash_index_update_ptr(&PAYLOCK_G(held), lk->std.handle, &lk->std);
	}
}

static void registry_remove(paylock_lock *lk)
{
	if (PAYLOCK_G(in_request)) {
		zend_hash_index_del(&PAYLOCK_G(held), lk->std.handle);
	}
}

/* A held lock whose object is freed before RSHUTDOWN without its destructor having run: after a fatal
 * error the engine frees global objects in shutdown_destructors(). free_obj may not do I/O, so the
 * release is handed to RSHUTDOWN with what it needs. */
typedef struct {
	zend_object *store_obj;
	paylock_store *store;
	paylock_lock_state st;
} paylock_orphan;

static void orphan_dtor(zval *zv)
{
	paylock_orphan *o = Z_PTR_P(zv);

	if (o->st.fd >= 0) {
		close(o->st.fd);
	}
	zend_string_release(o->st.name);
	if (o->st.path) {
		zend_string_release(o->st.path);
	}
	OBJ_RELEASE(o->store_obj);
	efree(o);
}

static void adopt_orphan(paylock_lock *lk)
{
	paylock_orphan *o = emalloc(sizeof(*o));

	o->store_obj = lk->store_obj; /* the references move to the orphan */
	o->store = lk->store;
	o->st = lk->st;
	lk->store_obj = NULL;
	lk->st.name = NULL;
	lk->st.path = NULL;
	lk->st.fd = -1;
	registry_remove(lk);
	lk->held = false;
	zend_hash_next_index_insert_ptr(&PAYLOCK_G(orphans), o);
}

/* Drops our claim without any I/O on the store (used for lost locks and inherited ones). */
static void forget(paylock_lock *lk)
{
	if (lk->st.fd >= 0) {
		close(lk->st.fd); /* a child's copy: closing it leaves the parent's flock in place */
		lk->st.fd = -1;
	}
	lk->held = false;
	registry_remove(lk);
}

/* Held by this process. In a forked child the parent's locks read as not held and are never touched. */
static bool held_here(paylock_lock *lk)
{
	if (lk->held && lk->owner_pid != paylock_pid()) {
		forget(lk);
	}
	return lk->held;
}

static void mark_lost(paylock_lock *lk)
{
	PAYLOCK_G(stats).lost++;
	forget(lk);
}

/* Releases through the store. YES/NO both end our claim; FAILED keeps it so a later try can work. */
static paylock_status release_now(paylock_lock *lk, paylock_error *err)
{
	paylock_status rc = lk->store->ops->release(lk->store, &lk->st, err);

	if (rc == PAYLOCK_YES) {
		PAYLOCK_G(stats).released++;
		lk->held = false;
		registry_remove(lk);
	} else if (rc == PAYLOCK_NO) {
		mark_lost(lk);
	}
	return rc;
}

static paylock_status acquire_now(paylock_lock *lk, double wait, paylock_error *err)
{
	uint64_t start = paylock_now_ns();
	bool contended = false;
	paylock_status rc;

	if (held_here(lk)) {
		/* Acquire on a lock we hold renews it. */
		rc = lk->store->ops->refresh(lk->store, &lk->st, lk->ttl_ms, err);
		if (rc == PAYLOCK_YES) {
			lk->lease_end_ns = start + (uint64_t)lk->ttl_ms * 1000000ULL;
			return rc;
		}
		if (rc == PAYLOCK_FAILED) {
			return rc;
		}
		mark_lost(lk);
	}
	if (paylock_token_new(lk->st.token) == FAILURE) {
		paylock_error_set(err, PAYLOCK_ERR_NONE, "no entropy");
		return PAYLOCK_FAILED;
	}
	lk->st.fence = 0; /* stores that fence lazily issue it on the first fencingToken() */
	lk->st.fd = -1;
	lk->st.degraded = false;
	rc = lk->store->ops->acquire(lk->store, &lk->st, lk->ttl_ms,
								 wait > 0 ? start + (uint64_t)(wait * 1e9) : 0, &contended, err);
	if (contended) {
		PAYLOCK_G(stats).contended++;
		PAYLOCK_G(stats).wait_seconds += (double)(paylock_now_ns() - start) / 1e9;
	}
	if (rc == PAYLOCK_YES) {
		lk->held = true;
		lk->owner_pid = paylock_pid();
		lk->lease_end_ns = start + (uint64_t)lk->ttl_ms * 1000000ULL;
		registry_add(lk);
		PAYLOCK_G(stats).acquired++;
	} else if (rc == PAYLOCK_NO && wait > 0) {
		PAYLOCK_G(stats).timeouts++;
	}
	return rc;
}

static zend_result acquire_or_fail(paylock_lock *lk, double wait)
{
	paylock_error err = {0};
	char nb[96];

	switch (acquire_now(lk, wait, &err)) {
	case PAYLOCK_YES:
		return SUCCESS;
	case PAYLOCK_NO:
		paylock_throw(paylock_ce_LockTimeoutException, "Could not acquire lock \"%s\" within %.3f s",
					  NAME_FOR_MSG(lk, nb), wait);
		return FAILURE;
	default:
		paylock_error_throw(&err);
		return FAILURE;
	}
}

ZEND_METHOD(PayLock_Lock, __construct)
{
	paylock_lock *lk = lock_from_obj(Z_OBJ_P(ZEND_THIS));
	zend_object *store_obj;
	zend_string *name;
	double ttl = 0;
	bool ttl_null = true;
	paylock_store *store;

	ZEND_PARSE_PARAMETERS_START(2, 3)
		Z_PARAM_OBJ_OF_CLASS(store_obj, paylock_ce_Store)
		Z_PARAM_STR(name)
		Z_PARAM_OPTIONAL
		Z_PARAM_DOUBLE_OR_NULL(ttl, ttl_null)
	ZEND_PARSE_PARAMETERS_END();

	if (lk->store) {
		zend_throw_error(NULL, "Cannot call PayLock\\Lock::__construct() twice");
		RETURN_THROWS();
	}
	if (paylock_check_name(name, 2) == FAILURE) {
		RETURN_THROWS();
	}
	if (ttl_null) {
		ttl = PAYLOCK_G(default_ttl);
	} else if (paylock_check_seconds(ttl, 3, false) == FAILURE) {
		RETURN_THROWS();
	}
	store = paylock_store_from_obj(store_obj);
	if (store == NULL) {
		RETURN_THROWS();
	}
	GC_ADDREF(store_obj);
	lk->store_obj = store_obj;
	lk->store = store;
	lk->st.name = zend_string_copy(name);
	lk->st.fd = -1;
	lk->ttl_ms = paylock_seconds_to_ms(ttl);
}

ZEND_METHOD(PayLock_Lock, acquire)
{
	paylock_lock *lk;
	double wait = 0;
	paylock_error err = {0};
	paylock_status rc;

	ZEND_PARSE_PARAMETERS_START(0, 1)
		Z_PARAM_OPTIONAL
		Z_PARAM_DOUBLE(wait)
	ZEND_PARSE_PARAMETERS_END();

	if ((lk = this_lock(ZEND_THIS)) == NULL || paylock_check_seconds(wait, 1, true) == FAILURE) {
		RETURN_THROWS();
	}
	rc = acquire_now(lk, wait, &err);
	if (rc == PAYLOCK_FAILED) {
		paylock_error_throw(&err);
		RETURN_THROWS();
	}
	RETURN_BOOL(rc == PAYLOCK_YES);
}

ZEND_METHOD(PayLock_Lock, acquireOrFail)
{
	paylock_lock *lk;
	double wait = 0;

	ZEND_PARSE_PARAMETERS_START(0, 1)
		Z_PARAM_OPTIONAL
		Z_PARAM_DOUBLE(wait)
	ZEND_PARSE_PARAMETERS_END();

	if ((lk = this_lock(ZEND_THIS)) == NULL || paylock_check_seconds(wait, 1, true) == FAILURE ||
		acquire_or_fail(lk, wait) == FAILURE) {
		RETURN_THROWS();
	}
}

ZEND_METHOD(PayLock_Lock, release)
{
	paylock_lock *lk;
	paylock_error err = {0};
	paylock_status rc;

	ZEND_PARSE_PARAMETERS_NONE();
	if ((lk = this_lock(ZEND_THIS)) == NULL) {
		RETURN_THROWS();
	}
	if (!held_here(lk)) {
		RETURN_FALSE;
	}
	rc = release_now(lk, &err);
	if (rc == PAYLOCK_FAILED) {
		paylock_error_throw(&err);
		RETURN_THROWS();
	}
	RETURN_BOOL(rc == PAYLOCK_YES);
}

static void throw_lost(paylock_lock *lk)
{
	char nb[96];

	paylock_throw(paylock_ce_LockLostException,
				  "Lock \"%s\" is no longer held: its lease expired or another holder took it",
				  NAME_FOR_MSG(lk, nb));
}

ZEND_METHOD(PayLock_Lock, refresh)
{
	paylock_lock *lk;
	double ttl = 0;
	bool ttl_null = true;
	int64_t ttl_ms;
	paylock_error err = {0};
	paylock_status rc;
	uint64_t start = paylock_now_ns();

	ZEND_PARSE_PARAMETERS_START(0, 1)
		Z_PARAM_OPTIONAL
		Z_PARAM_DOUBLE_OR_NULL(ttl, ttl_null)
	ZEND_PARSE_PARAMETERS_END();

	if ((lk = this_lock(ZEND_THIS)) == NULL ||
		(!ttl_null && paylock_check_seconds(ttl, 1, false) == FAILURE)) {
		RETURN_THROWS();
	}
	ttl_ms = ttl_null ? lk->ttl_ms : paylock_seconds_to_ms(ttl);
	if (!held_here(lk)) {
		throw_lost(lk);
		RETURN_THROWS();
	}
	rc = lk->store->ops->refresh(lk->store, &lk->st, ttl_ms, &err);
	if (rc == PAYLOCK_FAILED) {
		paylock_error_throw(&err);
		RETURN_THROWS();
	}
	if (rc == PAYLOCK_NO) {
		mark_lost(lk);
		throw_lost(lk);
		RETURN_THROWS();
	}
	lk->lease_end_ns = start + (uint64_t)ttl_ms * 1000000ULL;
}

ZEND_METHOD(PayLock_Lock, isAcquired)
{
	paylock_lock *lk;
	paylock_error err = {0};
	paylock_status rc;

	ZEND_PARSE_PARAMETERS_NONE();
	if ((lk = this_lock(ZEND_THIS)) == NULL) {
		RETURN_THROWS();
	}
	if (!held_here(lk)) {
		RETURN_FALSE;
	}
	rc = lk->store->ops->check(lk->store, &lk->st, &err);
	if (rc == PAYLOCK_FAILED) {
		paylock_error_throw(&err);
		RETURN_THROWS();
	}
	if (rc == PAYLOCK_NO) {
		mark_lost(lk);
	}
	RETURN_BOOL(rc == PAYLOCK_YES);
}

ZEND_METHOD(PayLock_Lock, remainingLifetime)
{
	paylock_lock *lk;
	uint64_t now = paylock_now_ns();

	ZEND_PARSE_PARAMETERS_NONE();
	if ((lk = this_lock(ZEND_THIS)) == NULL) {
		RETURN_THROWS();
	}
	if (!held_here(lk)) {
		RETURN_NULL();
	}
	if (!lk->store->ops->has_lease || lk->st.degraded) {
		RETURN_DOUBLE(ZEND_INFINITY); /* a file lock lasts until release or process exit */
	}
	if (now >= lk->lease_end_ns) {
		RETURN_NULL();
	}
	RETURN_DOUBLE((double)(lk->lease_end_ns - now) / 1e9);
}

ZEND_METHOD(PayLock_Lock, fencingToken)
{
	paylock_lock *lk;

	ZEND_PARSE_PARAMETERS_NONE();
	if ((lk = this_lock(ZEND_THIS)) == NULL) {
		RETURN_THROWS();
	}
	if (!held_here(lk)) {
		throw_lost(lk);
		RETURN_THROWS();
	}
	if (lk->store->ops->fence) {
		paylock_error err = {0};

		switch (lk->store->ops->fence(lk->store, &lk->st, &err)) {
		case PAYLOCK_FAILED:
			paylock_error_throw(&err);
			RETURN_THROWS();
		case PAYLOCK_NO:
			mark_lost(lk);
			throw_lost(lk);
			RETURN_THROWS();
		default:
			break;
		}
	}
	RETURN_LONG((zend_long)lk->st.fence);
}

ZEND_METHOD(PayLock_Lock, isDegraded)
{
	paylock_lock *lk;

	ZEND_PARSE_PARAMETERS_NONE();
	if ((lk = this_lock(ZEND_THIS)) == NULL) {
		RETURN_THROWS();
	}
	RETURN_BOOL(held_here(lk) && lk->st.degraded);
}

ZEND_METHOD(PayLock_Lock, run)
{
	paylock_lock *lk;
	zend_fcall_info fci;
	zend_fcall_info_cache fcc;
	double wait = 0;
	paylock_error err = {0};
	paylock_status rc;
	bool fn_threw;

	ZEND_PARSE_PARAMETERS_START(1, 2)
		Z_PARAM_FUNC(fci, fcc)
		Z_PARAM_OPTIONAL
		Z_PARAM_DOUBLE(wait)
	ZEND_PARSE_PARAMETERS_END();

	if ((lk = this_lock(ZEND_THIS)) == NULL || paylock_check_seconds(wait, 2, true) == FAILURE ||
		acquire_or_fail(lk, wait) == FAILURE) {
		RETURN_THROWS();
	}
	fci.retval = return_value;
	zend_call_function(&fci, &fcc);
	fn_threw = EG(exception) != NULL;

	/* finally: release, keeping $fn's exception (or chaining it under a release failure). */
	zend_exception_save();
	rc = held_here(lk) ? release_now(lk, &err) : PAYLOCK_NO;
	if (rc == PAYLOCK_FAILED) {
		paylock_error_throw(&err);
	} else if (rc == PAYLOCK_NO && !fn_threw) {
		char nb[96];

		paylock_throw(paylock_ce_LockLostException,
					  "Lock \"%s\" expired while run() was executing; the critical section may have "
					  "overlapped with another holder",
					  NAME_FOR_MSG(lk, nb));
	}
	zend_exception_restore();
	if (EG(exception)) {
		zval_ptr_dtor(return_value);
		ZVAL_UNDEF(return_value);
		RETURN_THROWS();
	}
}

ZEND_FUNCTION(PayLock_holder)
{
	zend_object *store_obj;
	zend_string *name;
	paylock_store *store;
	paylock_error err = {0};
	paylock_status rc;

	ZEND_PARSE_PARAMETERS_START(2, 2)
		Z_PARAM_OBJ_OF_CLASS(store_obj, paylock_ce_Store)
		Z_PARAM_STR(name)
	ZEND_PARSE_PARAMETERS_END();

	if (paylock_check_name(name, 2) == FAILURE || (store = paylock_store_from_obj(store_obj)) == NULL) {
		RETURN_THROWS();
	}
	rc = store->ops->holder(store, name, return_value, &err);
	if (rc == PAYLOCK_FAILED) {
		paylock_error_throw(&err);
		RETURN_THROWS();
	}
	if (rc == PAYLOCK_NO) {
		RETURN_NULL();
	}
}

static void warn_unreleased(const zend_string *name, const char *when, const paylock_error *err)
{
	char nb[96];

	php_error_docref(NULL, E_WARNING,
					 "Could not release lock \"%s\" %s: %s; it stays held until its lease ends",
					 paylock_printable(name, nb, sizeof(nb)), when, err->msg);
}

/* Going out of scope releases. Errors cannot be thrown from here: warn, and the lease ends it. */
static void release_quietly(paylock_lock *lk, const char *when)
{
	paylock_error err = {0};

	if (release_now(lk, &err) == PAYLOCK_FAILED && err.kind != PAYLOCK_ERR_NONE) {
		warn_unreleased(lk->st.name, when, &err);
	}
}

static void lock_dtor(zend_object *obj)
{
	paylock_lock *lk = lock_from_obj(obj);

	zend_objects_destroy_object(obj);
	if (lk->store && held_here(lk)) {
		release_quietly(lk, "on destruction");
	}
}

void paylock_lock_rinit(void)
{
	zend_hash_init(&PAYLOCK_G(held), 8, NULL, NULL, 0);
	zend_hash_init(&PAYLOCK_G(orphans), 0, NULL, orphan_dtor, 0);
}

void paylock_lock_release_all(void)
{
	zend_object *obj;
	paylock_orphan *o;

	ZEND_HASH_FOREACH_PTR(&PAYLOCK_G(held), obj) {
		paylock_lock *lk = lock_from_obj(obj);

		if (held_here(lk)) {
			release_quietly(lk, "at request end");
		}
	}
	ZEND_HASH_FOREACH_END();
	ZEND_HASH_FOREACH_PTR(&PAYLOCK_G(orphans), o) {
		paylock_error err = {0};

		if (o->store->ops->release(o->store, &o->st, &err) == PAYLOCK_YES) {
			PAYLOCK_G(stats).released++;
		} else if (err.kind != PAYLOCK_ERR_NONE) {
			warn_unreleased(o->st.name, "at request end", &err);
		}
	}
	ZEND_HASH_FOREACH_END();
	zend_hash_destroy(&PAYLOCK_G(held));
	zend_hash_destroy(&PAYLOCK_G(orphans));
}

static zend_object *lock_create(zend_class_entry *ce)
{
	zend_object *obj = paylock_object_new(ce, sizeof(paylock_lock), &lock_handlers);

	lock_from_obj(obj)->st.fd = -1;
	return obj;
}

/* No I/O here: RSHUTDOWN already released what the request held. */
static void lock_free(zend_object *obj)
{
	paylock_lock *lk = lock_from_obj(obj);

	if (lk->held && PAYLOCK_G(in_request) && lk->owner_pid == paylock_pid()) {
		adopt_orphan(lk);
	} else if (lk->held) {
		forget(lk);
	}
	if (lk->st.name) {
		zend_string_release(lk->st.name);
	}
	if (lk->st.path) {
		zend_string_release(lk->st.path);
	}
	if (lk->store_obj) {
		OBJ_RELEASE(lk->store_obj);
	}
	zend_object_std_dtor(obj);
}

static HashTable *lock_debug_info(zend_object *obj, int *is_temp)
{
	paylock_lock *lk = lock_from_obj(obj);
	HashTable *ht = zend_new_array(4);
	zval v;

	*is_temp = 1;
	if (lk->store == NULL) {
		return ht;
	}
	ZVAL_STR_COPY(&v, lk->st.name);
	zend_hash_str_add(ht, "name", 4, &v);
	ZVAL_DOUBLE(&v, lk->ttl_ms / 1000.0);
	zend_hash_str_add(ht, "ttl", 3, &v);
	ZVAL_BOOL(&v, lk->held && lk->owner_pid == paylock_pid());
	zend_hash_str_add(ht, "held", 4, &v);
	ZVAL_STRING(&v, lk->store->ops->kind);
	zend_hash_str_add(ht, "store", 5, &v);
	return ht;
}

void paylock_lock_minit(zend_class_entry *ce)
{
	lock_ce = ce;
	ce->create_object = lock_create;
	paylock_handlers_init(&lock_handlers, XtOffsetOf(paylock_lock, std), lock_free);
	lock_handlers.dtor_obj = lock_dtor;
	lock_handlers.get_debug_info = lock_debug_info;
}
