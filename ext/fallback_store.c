/* FallbackStore: every lock is taken on the local file first (processes of one host queue in the
 * kernel, and only one per host contends on Redis), then on Redis. When Redis cannot be reached the lock
 * proceeds on the local file alone ("degraded"): one E_WARNING per request, stats()['degraded'], and
 * Lock::isDegraded(). Each acquire tries Redis again, so nothing stays degraded once Redis is back. */
#include "php_paylock.h"
#include "fallback_store.h"
#include "file_store.h"
#include "redis_store.h"
#include "zend_exceptions.h"

static zend_class_entry *fallback_ce;
static zend_object_handlers fallback_handlers;

typedef struct {
	paylock_store base;     /* first: see paylock_store_from_obj() */
	zend_object *redis_obj; /* addref'd */
	zend_object *file_obj;  /* addref'd */
	paylock_store *redis;
	paylock_store *file;
	bool fail_when_down; /* on_redis_down => 'fail' */
	zend_object std;
} paylock_fallback_store;

static inline paylock_fallback_store *fallback_from_obj(zend_object *obj)
{
	return (paylock_fallback_store *)((char *)obj - XtOffsetOf(paylock_fallback_store, std));
}

/* Redis is down (not merely answering "no"), and this store is allowed to carry on without it. */
static bool may_degrade(const paylock_fallback_store *fb, paylock_status rc, const paylock_error *err)
{
	return rc == PAYLOCK_FAILED && err->kind == PAYLOCK_ERR_CONNECTION && !fb->fail_when_down;
}

/* Counts a switch to local-only operation; warns once per request. */
static void note_degraded(const paylock_error *why)
{
	PAYLOCK_G(stats).degraded++;
	if (!PAYLOCK_G(degraded_warned)) {
		PAYLOCK_G(degraded_warned) = true;
		php_error_docref(NULL, E_WARNING,
						 "%s; FallbackStore continues on local file locks only (degraded) for this request",
						 why->msg);
	}
}

static void degrade(paylock_lock_state *l, uint32_t n, const paylock_error *why)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		l[i].degraded = true;
	}
	note_degraded(why);
}

static paylock_status fallback_acquire(paylock_store *s, paylock_lock_state *l, uint32_t n, int64_t ttl_ms,
									   uint64_t deadline_ns, paylock_acquire_info *info, paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_error rerr = {0};
	paylock_status rc = paylock_file_ops.acquire(fb->file, l, n, ttl_ms, deadline_ns, info, err);

	if (rc != PAYLOCK_YES) {
		return rc;
	}
	rc = fb->redis->ops->acquire(fb->redis, l, n, ttl_ms, deadline_ns, info, &rerr);
	if (rc == PAYLOCK_YES) {
		return rc;
	}
	if (may_degrade(fb, rc, &rerr)) {
		degrade(l, n, &rerr);
		return PAYLOCK_YES;
	}
	paylock_file_ops.release(fb->file, l, n, err); /* busy on Redis, or Redis down and 'fail' */
	*err = rerr;
	return rc;
}

/* A lock set is degraded as a whole: acquire and every later switch mark all its states. */
static paylock_status fallback_release(paylock_store *s, paylock_lock_state *l, uint32_t n,
									   paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_status rc = PAYLOCK_YES;
	paylock_error ferr = {0};

	if (!l[0].degraded) {
		rc = fb->redis->ops->release(fb->redis, l, n, err);
		if (may_degrade(fb, rc, err)) {
			degrade(l, n, err); /* the Redis keys end with their lease */
			rc = PAYLOCK_YES;
		}
	}
	if (paylock_file_ops.release(fb->file, l, n, &ferr) == PAYLOCK_NO && rc == PAYLOCK_YES) {
		rc = PAYLOCK_NO;
	}
	return rc;
}

static paylock_status fallback_refresh(paylock_store *s, paylock_lock_state *l, uint32_t n, int64_t ttl_ms,
									   paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_status rc = paylock_file_ops.check(fb->file, l, n, err);

	if (rc != PAYLOCK_YES || l[0].degraded) {
		return rc;
	}
	rc = fb->redis->ops->refresh(fb->redis, l, n, ttl_ms, err);
	if (may_degrade(fb, rc, err)) {
		degrade(l, n, err);
		rc = PAYLOCK_YES;
	}
	return rc;
}

static paylock_status fallback_check(paylock_store *s, paylock_lock_state *l, uint32_t n, paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_status rc = paylock_file_ops.check(fb->file, l, n, err);

	if (rc != PAYLOCK_YES || l[0].degraded) {
		return rc;
	}
	rc = fb->redis->ops->check(fb->redis, l, n, err);
	return may_degrade(fb, rc, err) ? PAYLOCK_YES : rc;
}

/* Redis' tokens when Redis holds the lock; the local counter when degraded. The local counter is raised
 * past every Redis token handed out here, so tokens keep growing across a switch to degraded mode. */
static paylock_status fallback_fence(paylock_store *s, paylock_lock_state *l, paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;

	paylock_status rc;

	if (l->degraded) {
		return paylock_file_ops.fence(fb->file, l, err);
	}
	rc = fb->redis->ops->fence(fb->redis, l, err);
	if (may_degrade(fb, rc, err)) {
		degrade(l, 1, err);
		l->fence = 0;
		return paylock_file_ops.fence(fb->file, l, err);
	}
	return rc == PAYLOCK_YES ? paylock_file_fence_floor(fb->file, l->fence, err) : rc;
}

static paylock_status fallback_holder(paylock_store *s, zend_string *name, zval *out, paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_status rc = fb->redis->ops->holder(fb->redis, name, out, err);

	if (may_degrade(fb, rc, err)) {
		return paylock_file_ops.holder(fb->file, name, out, err);
	}
	return rc;
}

/* Idempotency: the local record first (a replay of a step this host ran needs no Redis), then Redis,
 * the authority across hosts. Every result is stored in both, so when Redis is down the local records
 * still answer for everything this host ran, and claims go on locally (degraded). */

/* Gives up the local claim taken before asking Redis; errors are Redis' to report. */
static void drop_local_claim(paylock_fallback_store *fb, paylock_idem_req *r)
{
	paylock_error ignored = {0};

	paylock_file_idem_ops.abandon(fb->file, r, false, &ignored);
}

static paylock_status fallback_idem_claim(paylock_store *s, paylock_idem_req *r, bool register_wait,
										  paylock_idem_outcome *out, paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_idem_outcome local = {0};
	paylock_error rerr = {0};
	paylock_status rc = paylock_file_idem_ops.claim(fb->file, r, register_wait, &local, err);

	r->wait_remote = false;
	r->degraded = false;
	if (rc != PAYLOCK_YES || local.state != PAYLOCK_IDEM_CLAIMED) {
		*out = local; /* done, running here, mismatch or crashed: this host knows */
		return rc;
	}
	rc = fb->redis->ops->idem->claim(fb->redis, r, register_wait, out, &rerr);
	if (rc == PAYLOCK_FAILED) {
		if (may_degrade(fb, rc, &rerr)) {
			note_degraded(&rerr);
			if (EG(exception)) { /* an error handler turned the warning into an exception */
				drop_local_claim(fb, r);
				return PAYLOCK_FAILED;
			}
			r->degraded = true;
			*out = local;
			return PAYLOCK_YES;
		}
		drop_local_claim(fb, r);
		*err = rerr;
		return rc;
	}
	switch (out->state) {
	case PAYLOCK_IDEM_CLAIMED:
		return rc;
	case PAYLOCK_IDEM_DONE:
		/* Another host ran it: keep its result here too, so the next replay stays local. */
		if (paylock_file_idem_ops.complete(fb->file, r, out->result, &rerr) != PAYLOCK_YES) {
			drop_local_claim(fb, r);
		}
		return rc;
	case PAYLOCK_IDEM_RUNNING:
		r->wait_remote = true;
		ZEND_FALLTHROUGH;
	default:
		drop_local_claim(fb, r);
		return rc;
	}
}

static paylock_status fallback_idem_wait(paylock_store *s, paylock_idem_req *r, uint64_t deadline_ns,
										 int64_t lease_left_ms, paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;

	if (r->wait_remote) {
		return fb->redis->ops->idem->wait(fb->redis, r, deadline_ns, lease_left_ms, err);
	}
	return paylock_file_idem_ops.wait(fb->file, r, deadline_ns, lease_left_ms, err);
}

static paylock_status fallback_idem_complete(paylock_store *s, paylock_idem_req *r, const zend_string *result,
											 paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_status rc = PAYLOCK_YES;

	if (!r->degraded) {
		rc = fb->redis->ops->idem->complete(fb->redis, r, result, err);
		if (may_degrade(fb, rc, err)) {
			note_degraded(err); /* Redis' record ends as crashed; this host's record has the result */
			rc = PAYLOCK_YES;
		}
		if (rc == PAYLOCK_NO) {
			drop_local_claim(fb, r); /* taken over through Redis: its record decides */
			return rc;
		}
		if (rc == PAYLOCK_FAILED) {
			return rc;
		}
	}
	rc = paylock_file_idem_ops.complete(fb->file, r, result, err);
	if (rc != PAYLOCK_YES && !r->degraded) {
		drop_local_claim(fb, r); /* Redis has the result, and Redis is asked after a local miss */
		rc = PAYLOCK_YES;
	}
	return rc;
}

static paylock_status fallback_idem_abandon(paylock_store *s, paylock_idem_req *r, bool outcome_unknown,
											paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_error ferr = {0};
	paylock_status rc = PAYLOCK_YES, frc;

	if (!r->degraded) {
		rc = fb->redis->ops->idem->abandon(fb->redis, r, outcome_unknown, err);
		if (may_degrade(fb, rc, err)) {
			note_degraded(err);
			rc = PAYLOCK_YES;
		}
	}
	frc = paylock_file_idem_ops.abandon(fb->file, r, outcome_unknown, r->degraded ? err : &ferr);
	return r->degraded ? frc : rc;
}

/* Refused (NO) when a live owner runs it on Redis or, degraded, on this host. */
static paylock_status fallback_idem_forget(paylock_store *s, paylock_idem_req *r, paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_status rc = fb->redis->ops->idem->forget(fb->redis, r, err);

	if (may_degrade(fb, rc, err)) {
		note_degraded(err);
		rc = PAYLOCK_YES;
	}
	if (rc != PAYLOCK_YES) {
		return rc;
	}
	return paylock_file_idem_ops.forget(fb->file, r, err);
}

/* Marked on Redis and here: this host's record answers for it even while Redis is down. */
static paylock_status fallback_idem_mark(paylock_store *s, paylock_idem_req *r, paylock_idem_mark how,
										 paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_error ferr = {0};
	paylock_status rc = PAYLOCK_YES, frc;

	if (!r->degraded) {
		rc = fb->redis->ops->idem->mark(fb->redis, r, how, err);
		if (may_degrade(fb, rc, err)) {
			note_degraded(err);
			rc = PAYLOCK_YES;
		}
		if (rc == PAYLOCK_NO) {
			drop_local_claim(fb, r); /* taken over through Redis: its record decides */
			return rc;
		}
	}
	frc = paylock_file_idem_ops.mark(fb->file, r, how, r->degraded ? err : &ferr);
	return r->degraded ? frc : rc;
}

static paylock_status fallback_idem_refresh(paylock_store *s, paylock_idem_req *r, int64_t lease_ms,
											paylock_error *err)
{
	paylock_fallback_store *fb = (paylock_fallback_store *)s;
	paylock_status rc;

	if (!r->degraded) {
		rc = fb->redis->ops->idem->refresh(fb->redis, r, lease_ms, err);
		if (may_degrade(fb, rc, err)) {
			note_degraded(
				err); /* the local run lock keeps this host's deliveries out; complete() tries Redis */
		} else if (rc == PAYLOCK_NO) {
			drop_local_claim(fb, r);
			return rc;
		} else if (rc == PAYLOCK_FAILED) {
			return rc;
		}
	}
	return paylock_file_idem_ops.refresh(fb->file, r, lease_ms, err);
}

static const paylock_idem_ops fallback_idem_ops = {
	.claim = fallback_idem_claim,
	.wait = fallback_idem_wait,
	.complete = fallback_idem_complete,
	.abandon = fallback_idem_abandon,
	.forget = fallback_idem_forget,
	.mark = fallback_idem_mark,
	.refresh = fallback_idem_refresh,
};

static const paylock_store_ops fallback_ops = {
	.kind = "fallback",
	.has_lease = true,
	.acquire = fallback_acquire,
	.release = fallback_release,
	.refresh = fallback_refresh,
	.check = fallback_check,
	.fence = fallback_fence,
	.holder = fallback_holder,
	.idem = &fallback_idem_ops,
};

static zend_result fallback_init(zend_object *obj, zend_object *redis, zend_object *file, HashTable *options)
{
	paylock_fallback_store *fb = fallback_from_obj(obj);
	zend_string *key;
	zval *val;

	ZEND_HASH_FOREACH_STR_KEY_VAL(options, key, val) {
		ZVAL_DEREF(val);
		if (key && zend_string_equals_literal(key, "on_redis_down")) {
			if (Z_TYPE_P(val) == IS_STRING && zend_string_equals_literal(Z_STR_P(val), "degrade")) {
				fb->fail_when_down = false;
			} else if (Z_TYPE_P(val) == IS_STRING && zend_string_equals_literal(Z_STR_P(val), "fail")) {
				fb->fail_when_down = true;
			} else {
				zend_argument_value_error(3, "option \"on_redis_down\" must be \"degrade\" or \"fail\"");
				return FAILURE;
			}
		} else {
			zend_argument_value_error(3, "contains unknown option \"%s\" (known: on_redis_down)",
									  key ? ZSTR_VAL(key) : "(integer key)");
			return FAILURE;
		}
	}
	ZEND_HASH_FOREACH_END();
	if ((fb->redis = paylock_store_from_obj(redis)) == NULL ||
		(fb->file = paylock_store_from_obj(file)) == NULL) {
		return FAILURE;
	}
	GC_ADDREF(redis);
	GC_ADDREF(file);
	fb->redis_obj = redis;
	fb->file_obj = file;
	fb->base.ops = &fallback_ops;
	return SUCCESS;
}

ZEND_METHOD(PayLock_FallbackStore, __construct)
{
	zend_object *redis, *file;
	HashTable *options = NULL;

	ZEND_PARSE_PARAMETERS_START(2, 3)
		Z_PARAM_OBJ_OF_CLASS(redis, paylock_ce_RedisStore)
		Z_PARAM_OBJ_OF_CLASS(file, paylock_ce_FileStore)
		Z_PARAM_OPTIONAL
		Z_PARAM_ARRAY_HT(options)
	ZEND_PARSE_PARAMETERS_END();

	if (fallback_from_obj(Z_OBJ_P(ZEND_THIS))->base.ops) {
		zend_throw_error(NULL, "Cannot call PayLock\\FallbackStore::__construct() twice");
		RETURN_THROWS();
	}
	if (fallback_init(Z_OBJ_P(ZEND_THIS), redis, file, options ? options : (HashTable *)&zend_empty_array) ==
		FAILURE) {
		RETURN_THROWS();
	}
}

ZEND_FUNCTION(PayLock_defaultStore)
{
	const char *kind = PAYLOCK_G(store);
	zval redis, file;

	ZEND_PARSE_PARAMETERS_NONE();
	ZVAL_UNDEF(&redis);
	ZVAL_UNDEF(&file);
	if (strcmp(kind, "file") != 0) {
		object_init_ex(&redis, paylock_ce_RedisStore);
		if (paylock_redis_store_init(Z_OBJ(redis), NULL, (HashTable *)&zend_empty_array) == FAILURE) {
			goto fail;
		}
		if (strcmp(kind, "redis") == 0) {
			RETURN_COPY_VALUE(&redis);
		}
	}
	object_init_ex(&file, paylock_ce_FileStore);
	if (paylock_file_store_init(Z_OBJ(file), NULL, 0) == FAILURE) {
		goto fail;
	}
	if (strcmp(kind, "file") == 0) {
		RETURN_COPY_VALUE(&file);
	}
	object_init_ex(return_value, fallback_ce);
	fallback_init(Z_OBJ_P(return_value), Z_OBJ(redis), Z_OBJ(file), (HashTable *)&zend_empty_array);
	zval_ptr_dtor(&redis);
	zval_ptr_dtor(&file);
	return;
fail:
	zval_ptr_dtor(&redis);
	zval_ptr_dtor(&file);
	RETURN_THROWS();
}

static zend_object *fallback_create(zend_class_entry *ce)
{
	return paylock_object_new(ce, sizeof(paylock_fallback_store), &fallback_handlers);
}

static void fallback_free(zend_object *obj)
{
	paylock_fallback_store *fb = fallback_from_obj(obj);

	if (fb->redis_obj) {
		OBJ_RELEASE(fb->redis_obj);
	}
	if (fb->file_obj) {
		OBJ_RELEASE(fb->file_obj);
	}
	zend_object_std_dtor(obj);
}

void paylock_fallback_store_minit(zend_class_entry *ce)
{
	fallback_ce = ce;
	ce->create_object = fallback_create;
	paylock_handlers_init(&fallback_handlers, XtOffsetOf(paylock_fallback_store, std), fallback_free);
}
