/* PayLock\Lock and PayLock\MultiLock: one implementation over n lock states (a Lock is n = 1, a MultiLock
 * has one state per name, sorted and distinct), so both have the same semantics. Keeps the lease clock
 * (monotonic), the owner pid (a forked child never touches its parent's locks) and the request registry
 * RSHUTDOWN drains. */
#include "php_paylock.h"
#include "lock.h"
#include "store.h"
#include "metrics.h"
#include "events.h"
#include "zend_exceptions.h"
#include "zend_interfaces.h"
#include <unistd.h>

static zend_class_entry *lock_ce;
static zend_class_entry *multi_ce;
static zend_object_handlers lock_handlers;

typedef struct {
	zend_object *store_obj;    /* addref'd: keeps the store alive while the lock exists */
	paylock_store *store;      /* NULL until __construct ran */
	paylock_lock_state *locks; /* n states sharing one token; &one for a Lock */
	uint32_t n;
	paylock_lock_state one;
	int64_t ttl_ms;
	uint64_t lease_end_ns; /* monotonic; measured from before the acquire was sent */
	uint64_t acquired_ns;  /* monotonic; when the acquire returned, for the hold-time histogram */
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
		zend_throw_error(NULL, "%s object has not been initialized", ZSTR_VAL(Z_OBJCE_P(this_zv)->name));
		return NULL;
	}
	return lk;
}

/* `Lock "a"` or `Locks "a", "b", "c" and 4 more` (lowercase unless cap), printable and bounded. */
static const char *describe(const paylock_lock_state *l, uint32_t n, bool cap, char *buf, size_t len)
{
	size_t o = snprintf(buf, len, "%s%s", cap ? "L" : "l", n == 1 ? "ock" : "ocks");
	uint32_t i;

	for (i = 0; i < n && i < 3 && o < len; i++) {
		char nb[96];

		o += snprintf(buf + o, len - o, "%s\"%s\"", i ? ", " : " ",
					  paylock_printable(l[i].name, nb, sizeof(nb)));
	}
	if (n > 3 && o < len) {
		snprintf(buf + o, len - o, " and %u more", n - 3);
	}
	return buf;
}

#define DESCRIBE(lk, cap, buf) describe((lk)->locks, (lk)->n, cap, buf, sizeof(buf))
#define IS(lk)                 ((lk)->n == 1 ? "is" : "are")

static void registry_add(paylock_lock *lk)
{
	paylock_registry_add(&PAYLOCK_G(locks), &lk->std);
}

static void registry_remove(paylock_lock *lk)
{
	paylock_registry_remove(&PAYLOCK_G(locks), &lk->std);
}

/* Lets go of what the store keeps per lock, without I/O on the store. */
static void free_states(paylock_store *store, paylock_lock_state *l, uint32_t n, bool owned_array)
{
	uint32_t i;

	if (store->ops->state_free) {
		store->ops->state_free(store, l, n);
	}
	for (i = 0; i < n; i++) {
		if (l[i].name) {
			zend_string_release(l[i].name);
		}
	}
	if (owned_array) {
		efree(l);
	}
}

/* A held lock whose object is freed before RSHUTDOWN without its destructor having run: after a fatal
 * error the engine frees global objects in shutdown_destructors(). free_obj may not do I/O, so the
 * release is handed to RSHUTDOWN with what it needs. */
typedef struct {
	zend_object *store_obj;
	paylock_store *store;
	paylock_lock_state *locks; /* owned */
	uint32_t n;
} paylock_orphan;

static void orphan_dtor(zval *zv)
{
	paylock_orphan *o = Z_PTR_P(zv);

	free_states(o->store, o->locks, o->n, true);
	OBJ_RELEASE(o->store_obj);
	efree(o);
}

static void adopt_orphan(paylock_lock *lk)
{
	paylock_orphan *o = emalloc(sizeof(*o));

	o->store_obj = lk->store_obj; /* the references move to the orphan */
	o->store = lk->store;
	o->n = lk->n;
	if (lk->locks == &lk->one) {
		o->locks = emalloc(sizeof(paylock_lock_state));
		o->locks[0] = lk->one;
	} else {
		o->locks = lk->locks;
	}
	lk->store_obj = NULL;
	lk->locks = NULL;
	lk->n = 0;
	registry_remove(lk);
	lk->held = false;
	paylock_registry_adopt(&PAYLOCK_G(locks), o);
}

/* Drops our claim without any I/O on the store (used for lost locks and inherited ones). */
static void forget(paylock_lock *lk)
{
	if (lk->store->ops->state_drop) {
		lk->store->ops->state_drop(lk->store, lk->locks, lk->n);
	}
	lk->held = false;
	registry_remove(lk);
}

/* Held on a store's lease-less fallback (FallbackStore on its local lock alone). */
static bool is_degraded(paylock_lock *lk)
{
	return lk->store->ops->is_degraded && lk->store->ops->is_degraded(lk->store, lk->locks);
}

/* Held by this process. In a forked child the parent's locks read as not held and are never touched. */
static bool held_here(paylock_lock *lk)
{
	if (lk->held && lk->owner_pid != paylock_pid()) {
		forget(lk);
	}
	return lk->held;
}

/* One of our locks is gone (expired or taken). A MultiLock lets go of the others too: all or none. */
static void lose(paylock_lock *lk)
{
	if (lk->n > 1) {
		paylock_error ignored = {0};

		lk->store->ops->release(lk->store, lk->locks, lk->n, &ignored);
	}
	PAYLOCK_G(stats).lost++;
	paylock_event_lock_lost(lk->store, lk->locks, lk->n);
	forget(lk);
}

/* Releases through the store. YES/NO both end our claim; FAILED keeps it so a later try can work. */
static paylock_status release_now(paylock_lock *lk, paylock_error *err)
{
	paylock_status rc = lk->store->ops->release(lk->store, lk->locks, lk->n, err);

	if (rc == PAYLOCK_YES) {
		PAYLOCK_G(stats).released++;
		paylock_metrics_release(lk->store, lk->acquired_ns);
		lk->held = false;
		registry_remove(lk);
	} else if (rc == PAYLOCK_NO) {
		PAYLOCK_G(stats).lost++;
		paylock_event_lock_lost(lk->store, lk->locks, lk->n);
		forget(lk);
	}
	return rc;
}

static zend_result new_token(paylock_lock *lk, paylock_error *err)
{
	uint32_t i;

	if (paylock_token_new(lk->locks[0].token) == FAILURE) {
		paylock_error_set(err, PAYLOCK_ERR_NONE, "no entropy");
		return FAILURE;
	}
	/* Kept for the object's life (paylock_lock_state.rid); a forked child that takes the lock with an
	 * object it inherited gets its own, so the parent's releases and its own never share a tombstone. */
	if (lk->locks[0].rid[0] == '\0' || lk->owner_pid != paylock_pid()) {
		memcpy(lk->locks[0].rid, lk->locks[0].token, sizeof(lk->locks[0].rid));
	}
	for (i = 0; i < lk->n; i++) {
		if (i > 0) {
			memcpy(lk->locks[i].token, lk->locks[0].token, sizeof(lk->locks[i].token));
			memcpy(lk->locks[i].rid, lk->locks[0].rid, sizeof(lk->locks[i].rid));
		}
		lk->locks[i].fence = 0; /* stores that fence lazily issue it on the first fencingToken() */
	}
	return SUCCESS;
}

static void count_acquire(const paylock_acquire_info *info, paylock_status rc, double wait, uint64_t start)
{
	if (info->contended) {
		PAYLOCK_G(stats).contended++;
		PAYLOCK_G(stats).wait_seconds += (double)(paylock_now_ns() - start) / 1e9;
	}
	if (rc == PAYLOCK_YES) {
		PAYLOCK_G(stats).acquired++;
		if (info->handoff) {
			PAYLOCK_G(stats).handoffs++;
		}
	} else if (rc == PAYLOCK_NO && wait > 0) {
		PAYLOCK_G(stats).timeouts++;
	}
}

static paylock_status acquire_now(paylock_lock *lk, double wait, paylock_error *err)
{
	uint64_t start = paylock_now_ns();
	paylock_acquire_info info = {0};
	paylock_status rc;

	if (held_here(lk)) {
		/* Acquire on a lock we hold renews it. */
		rc = lk->store->ops->refresh(lk->store, lk->locks, lk->n, lk->ttl_ms, err);
		if (rc == PAYLOCK_YES) {
			lk->lease_end_ns = start + (uint64_t)lk->ttl_ms * 1000000ULL;
			return rc;
		}
		if (rc == PAYLOCK_FAILED) {
			return rc;
		}
		lose(lk);
	}
	if (new_token(lk, err) == FAILURE) {
		return PAYLOCK_FAILED;
	}
	rc = lk->store->ops->acquire(lk->store, lk->locks, lk->n, lk->ttl_ms,
								 wait > 0 ? start + (uint64_t)(wait * 1e9) : 0, &info, err);
	count_acquire(&info, rc, wait, start);
	paylock_metrics_acquire(lk->store, &info, rc, wait, start);
	if (rc == PAYLOCK_YES) {
		lk->acquired_ns = paylock_metrics_enabled() ? paylock_now_ns() : 0;
		lk->held = true;
		lk->owner_pid = paylock_pid();
		lk->lease_end_ns = start + (uint64_t)lk->ttl_ms * 1000000ULL;
		registry_add(lk);
	}
	return rc;
}

static zend_result acquire_or_fail(paylock_lock *lk, double wait)
{
	paylock_error err = {0};
	char what[360];

	switch (acquire_now(lk, wait, &err)) {
	case PAYLOCK_YES:
		return SUCCESS;
	case PAYLOCK_NO:
		paylock_throw(paylock_ce_LockTimeoutException, "Could not acquire %s within %.3f s",
					  DESCRIBE(lk, false, what), wait);
		return FAILURE;
	default:
		paylock_error_throw(&err);
		return FAILURE;
	}
}

/* Takes the (sorted, distinct) names over; the store is addref'd. */
static void lock_init(paylock_lock *lk, zend_object *store_obj, paylock_store *store, zend_string **names,
					  uint32_t n, double ttl)
{
	uint32_t i;

	GC_ADDREF(store_obj);
	lk->store_obj = store_obj;
	lk->store = store;
	lk->n = n;
	lk->locks = n == 1 ? &lk->one : ecalloc(n, sizeof(paylock_lock_state));
	for (i = 0; i < n; i++) {
		lk->locks[i].name = zend_string_copy(names[i]);
	}
	lk->ttl_ms = paylock_seconds_to_ms(ttl);
}

/* The ttl argument: null takes ini paylock.default_ttl. */
static zend_result ttl_arg(double ttl, bool ttl_null, uint32_t arg_num, double *out)
{
	if (ttl_null) {
		*out = PAYLOCK_G(default_ttl);
		return SUCCESS;
	}
	*out = ttl;
	return paylock_check_seconds(ttl, arg_num, false);
}

static bool constructed_twice(paylock_lock *lk, zval *this_zv)
{
	if (lk->store) {
		zend_throw_error(NULL, "Cannot call %s::__construct() twice", ZSTR_VAL(Z_OBJCE_P(this_zv)->name));
		return true;
	}
	return false;
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

	if (constructed_twice(lk, ZEND_THIS) || paylock_check_name(name, 2) == FAILURE ||
		ttl_arg(ttl, ttl_null, 3, &ttl) == FAILURE || (store = paylock_store_from_obj(store_obj)) == NULL) {
		RETURN_THROWS();
	}
	lock_init(lk, store_obj, store, &name, 1, ttl);
}

static int compare_names(const void *a, const void *b)
{
	const zend_string *x = *(zend_string *const *)a, *y = *(zend_string *const *)b;

	return zend_binary_strcmp(ZSTR_VAL(x), ZSTR_LEN(x), ZSTR_VAL(y), ZSTR_LEN(y));
}

/* Checks the names array; fills names[] (borrowed) sorted and distinct, sets *n. */
static zend_result collect_names(HashTable *ht, zend_string **names, uint32_t *n)
{
	zval *v;
	uint32_t count = 0, i, out = 0;

	ZEND_HASH_FOREACH_VAL(ht, v) {
		ZVAL_DEREF(v);
		if (Z_TYPE_P(v) != IS_STRING) {
			zend_argument_type_error(2, "must contain only strings, %s given", zend_zval_type_name(v));
			return FAILURE;
		}
		if (Z_STRLEN_P(v) == 0 || Z_STRLEN_P(v) > PAYLOCK_MAX_NAME) {
			zend_argument_value_error(2, "must contain names of 1 to %d bytes", PAYLOCK_MAX_NAME);
			return FAILURE;
		}
		names[count++] = Z_STR_P(v);
	}
	ZEND_HASH_FOREACH_END();
	qsort(names, count, sizeof(zend_string *), compare_names);
	for (i = 0; i < count; i++) {
		if (out == 0 || !zend_string_equals(names[out - 1], names[i])) {
			names[out++] = names[i];
		}
	}
	*n = out;
	return SUCCESS;
}

ZEND_METHOD(PayLock_MultiLock, __construct)
{
	paylock_lock *lk = lock_from_obj(Z_OBJ_P(ZEND_THIS));
	zend_object *store_obj;
	HashTable *ht;
	double ttl = 0;
	bool ttl_null = true;
	paylock_store *store;
	zend_string **names;
	uint32_t n;

	ZEND_PARSE_PARAMETERS_START(2, 3)
		Z_PARAM_OBJ_OF_CLASS(store_obj, paylock_ce_Store)
		Z_PARAM_ARRAY_HT(ht)
		Z_PARAM_OPTIONAL
		Z_PARAM_DOUBLE_OR_NULL(ttl, ttl_null)
	ZEND_PARSE_PARAMETERS_END();

	if (constructed_twice(lk, ZEND_THIS)) {
		RETURN_THROWS();
	}
	if (zend_hash_num_elements(ht) == 0 || zend_hash_num_elements(ht) > PAYLOCK_MAX_NAMES) {
		zend_argument_value_error(2, "must contain 1 to %d names", PAYLOCK_MAX_NAMES);
		RETURN_THROWS();
	}
	if (ttl_arg(ttl, ttl_null, 3, &ttl) == FAILURE || (store = paylock_store_from_obj(store_obj)) == NULL) {
		RETURN_THROWS();
	}
	names = safe_emalloc(zend_hash_num_elements(ht), sizeof(zend_string *), 0);
	if (collect_names(ht, names, &n) == SUCCESS) {
		lock_init(lk, store_obj, store, names, n, ttl);
	}
	efree(names);
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
	char what[360];

	paylock_throw(paylock_ce_LockLostException, "%s %s no longer held: %s", DESCRIBE(lk, true, what), IS(lk),
				  lk->n == 1 ? "its lease expired or another holder took it"
							 : "a lease expired or another holder took one of them");
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
	rc = lk->store->ops->refresh(lk->store, lk->locks, lk->n, ttl_ms, &err);
	if (rc == PAYLOCK_FAILED) {
		paylock_error_throw(&err);
		RETURN_THROWS();
	}
	if (rc == PAYLOCK_NO) {
		lose(lk);
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
	rc = lk->store->ops->check(lk->store, lk->locks, lk->n, &err);
	if (rc == PAYLOCK_FAILED) {
		paylock_error_throw(&err);
		RETURN_THROWS();
	}
	if (rc == PAYLOCK_NO) {
		lose(lk);
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
	if (!lk->store->ops->has_lease || is_degraded(lk)) {
		RETURN_DOUBLE(ZEND_INFINITY); /* a file lock lasts until release or process exit */
	}
	if (now >= lk->lease_end_ns) {
		RETURN_NULL();
	}
	RETURN_DOUBLE((double)(lk->lease_end_ns - now) / 1e9);
}

/* Issues (if the store does it lazily) the fencing token of lock i. FAILURE: thrown, lost handled. */
static zend_result fence_of(paylock_lock *lk, uint32_t i)
{
	paylock_error err = {0};

	if (lk->store->ops->fence == NULL) {
		return SUCCESS;
	}
	switch (lk->store->ops->fence(lk->store, &lk->locks[i], &err)) {
	case PAYLOCK_FAILED:
		paylock_error_throw(&err);
		return FAILURE;
	case PAYLOCK_NO:
		lose(lk);
		throw_lost(lk);
		return FAILURE;
	default:
		return SUCCESS;
	}
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
	if (fence_of(lk, 0) == FAILURE) {
		RETURN_THROWS();
	}
	RETURN_LONG((zend_long)lk->locks[0].fence);
}

ZEND_METHOD(PayLock_MultiLock, fencingTokens)
{
	paylock_lock *lk;
	uint32_t i;

	ZEND_PARSE_PARAMETERS_NONE();
	if ((lk = this_lock(ZEND_THIS)) == NULL) {
		RETURN_THROWS();
	}
	if (!held_here(lk)) {
		throw_lost(lk);
		RETURN_THROWS();
	}
	for (i = 0; i < lk->n; i++) {
		if (fence_of(lk, i) == FAILURE) {
			RETURN_THROWS();
		}
	}
	array_init_size(return_value, lk->n);
	for (i = 0; i < lk->n; i++) {
		zval f;

		ZVAL_LONG(&f, (zend_long)lk->locks[i].fence);
		zend_symtable_update(Z_ARRVAL_P(return_value), lk->locks[i].name, &f);
	}
}

ZEND_METHOD(PayLock_MultiLock, names)
{
	paylock_lock *lk;
	uint32_t i;

	ZEND_PARSE_PARAMETERS_NONE();
	if ((lk = this_lock(ZEND_THIS)) == NULL) {
		RETURN_THROWS();
	}
	array_init_size(return_value, lk->n);
	for (i = 0; i < lk->n; i++) {
		add_next_index_str(return_value, zend_string_copy(lk->locks[i].name));
	}
}

ZEND_METHOD(PayLock_Lock, isDegraded)
{
	paylock_lock *lk;

	ZEND_PARSE_PARAMETERS_NONE();
	if ((lk = this_lock(ZEND_THIS)) == NULL) {
		RETURN_THROWS();
	}
	RETURN_BOOL(held_here(lk) && is_degraded(lk));
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
		char what[360];

		paylock_throw(paylock_ce_LockLostException,
					  "%s expired while run() was executing; the critical section may have overlapped with "
					  "another holder",
					  DESCRIBE(lk, true, what));
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

/* Errors cannot be thrown from destructors or RSHUTDOWN: warn, and the lease ends it. */
static void release_or_warn(paylock_store *store, paylock_lock_state *l, uint32_t n, uint64_t acquired_ns,
							const char *when)
{
	paylock_error err = {0};
	paylock_status rc = store->ops->release(store, l, n, &err);

	if (rc == PAYLOCK_YES) {
		PAYLOCK_G(stats).released++;
		paylock_metrics_release(store, acquired_ns);
	} else if (rc == PAYLOCK_NO) {
		PAYLOCK_G(stats).lost++;
		paylock_event_lock_lost(store, l, n);
	} else if (err.kind != PAYLOCK_ERR_NONE) {
		char what[360];

		paylock_warn_limited("Could not release %s %s: %s; it stays held until its lease ends",
							 describe(l, n, false, what, sizeof(what)), when, err.msg);
	}
}

/* Going out of scope releases. */
static void release_quietly(paylock_lock *lk, const char *when)
{
	release_or_warn(lk->store, lk->locks, lk->n, lk->acquired_ns, when);
	forget(lk);
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
	paylock_registry_init(&PAYLOCK_G(locks), orphan_dtor);
}

static void release_at_end(zend_object *obj)
{
	paylock_lock *lk = lock_from_obj(obj);

	if (held_here(lk)) {
		release_quietly(lk, "at request end");
	}
}

static void release_orphan(void *orphan)
{
	paylock_orphan *o = orphan;

	release_or_warn(o->store, o->locks, o->n, 0, "at request end");
}

void paylock_lock_release_all(void)
{
	paylock_registry_drain(&PAYLOCK_G(locks), release_at_end, release_orphan);
}

static zend_object *lock_create(zend_class_entry *ce)
{
	return paylock_object_new(ce, sizeof(paylock_lock), &lock_handlers);
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
	if (lk->locks) {
		free_states(lk->store, lk->locks, lk->n, lk->locks != &lk->one);
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
	uint32_t i;

	*is_temp = 1;
	if (lk->store == NULL) {
		return ht;
	}
	if (obj->ce == multi_ce) {
		array_init_size(&v, lk->n);
		for (i = 0; i < lk->n; i++) {
			add_next_index_str(&v, zend_string_copy(lk->locks[i].name));
		}
		zend_hash_str_add(ht, "names", 5, &v);
	} else {
		ZVAL_STR_COPY(&v, lk->locks[0].name);
		zend_hash_str_add(ht, "name", 4, &v);
	}
	ZVAL_DOUBLE(&v, lk->ttl_ms / 1000.0);
	zend_hash_str_add(ht, "ttl", 3, &v);
	ZVAL_BOOL(&v, lk->held && lk->owner_pid == paylock_pid());
	zend_hash_str_add(ht, "held", 4, &v);
	ZVAL_STRING(&v, lk->store->ops->kind);
	zend_hash_str_add(ht, "store", 5, &v);
	return ht;
}

void paylock_lock_minit(zend_class_entry *lock, zend_class_entry *multi)
{
	lock_ce = lock;
	multi_ce = multi;
	lock->create_object = lock_create;
	multi->create_object = lock_create;
	paylock_handlers_init(&lock_handlers, XtOffsetOf(paylock_lock, std), lock_free);
	lock_handlers.dtor_obj = lock_dtor;
	lock_handlers.get_debug_info = lock_debug_info;
}
