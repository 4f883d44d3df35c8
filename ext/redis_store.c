/* RedisStore: locks as one Redis string per name, with a FIFO queue of waiters per name.
 *
 * Keys for lock "n" under prefix "p:" (all share the hash tag {n}):
 *   p:{n}        "<token>:<pid>:<acquired unix ms>:<host>[|<fence>][+]", PX = the lease, "+" when someone
 *                queued behind this holder (so a release nobody waits for needs no look at the queue);
 *                or "=<waiter token>" while the lock is being handed to that waiter (PX = GRANT_MS)
 *   p:{n}:q      list of waiting tokens in arrival order
 *   p:{n}:w      hash waiting token -> until when (server ms) the waiter counts as alive; every waiter
 *                renews it each HEARTBEAT_MS, so a killed one drops out after at most ENTRY_LIFE_MS
 *   p:{n}:r:<r>  the token lock object r (its first token) last released: a release leaves it for a few
 *                seconds, so the same release sent again after its reply was lost (silent reconnect, or
 *                a retry) still reads as ours; one key per object, overwritten by each of its releases
 *   p:{n}:g:<t>  waiter t's private wake-up list: t blocks in BLPOP on it, a release pushes one item.
 *                Scripts get it in KEYS: one that would hand a name on to a waiter whose list is not
 *                declared replies with that waiter's token instead, and is sent again with it.
 *   p:{n}:fence  the name's fencing counter: tokens are max(counter + 1, Redis TIME in µs, floor + 1)
 *
 * Hand-off: a release gives the lock to the first live waiter (nobody else can take it) and wakes that
 * waiter alone. A single-name waiter gets its own value with a short lease and holds the lock once woken
 * (one trip; redis_handoff.c extends the lease); a MultiLock waiter gets "=<its token>", which its next
 * script call turns into its hold.
 * A grant nobody claims (the waiter died or gave up between the wake-up and the claim) lapses after
 * GRANT_MS, and the next waiter's heartbeat hands the lock on. Waiters never poll: they block until woken,
 * until the holder's lease ends, or for one heartbeat.
 *
 * An acquire whose outcome is unknown (its command may have run, but the reply never came) is undone by
 * token before the failure is reported: the leave script on a fresh connection, or, when Redis does not
 * answer that either, before the next operation on that server and at the latest at request end.
 * Waiters ride out broken connections and stalls until their deadline (every script is idempotent by token).
 *
 * An uncontended acquire is one plain SET NX PX (no script); a MultiLock acquire is one script call for
 * all its names, and waits in the queue of the first busy one. Fencing tokens are issued lazily, under
 * the lock, so they grow in holder order.
 *
 * This file is the class, its ops table and construction; the ops live in one file per concern (see
 * redis_store_internal.h). */
#include "php_paylock.h"
#include "redis_store.h"
#include "redis_store_internal.h"
#include "admin.h"
#include "zend_exceptions.h"

zend_class_entry *paylock_ce_RedisStore;
static zend_object_handlers redis_store_handlers;

/* A woken waiter's extension still unchecked is let go of (its reply is read by the next command). */
static void redis_state_free(paylock_store *s, paylock_lock_state *l, uint32_t n)
{
	(void)s;
	paylock_redis_handoff_forget(l, n);
}

static const char *redis_where(paylock_store *s)
{
	return paylock_redis_store_client(s)->where;
}

static const paylock_store_ops redis_ops = {
	.kind = "redis",
	.has_lease = true,
	.acquire = paylock_redis_acquire,
	.release = paylock_redis_release_slots,
	.refresh = paylock_redis_refresh_slots,
	.check = paylock_redis_check_slots,
	.fence = paylock_redis_fence,
	.holder = paylock_redis_holder,
	.fence_above = paylock_redis_fence_above,
	.state_free = redis_state_free,
	.state_drop = redis_state_free,
	.where = redis_where,
	.idem = &paylock_redis_idem_ops,
	.admin = &paylock_redis_admin_ops,
};

static zend_result paylock_redis_store_init(zend_object *obj, zend_string *dsn, HashTable *options)
{
	paylock_redis_store *rs = paylock_redis_store_from_obj(obj);

	if (paylock_redis_client_init(&rs->client, dsn, options) == FAILURE) {
		paylock_redis_client_dtor(&rs->client);
		return FAILURE;
	}
	rs->base.ops = &redis_ops;
	return SUCCESS;
}

zend_result paylock_redis_store_from_ini(zval *out)
{
	object_init_ex(out, paylock_ce_RedisStore);
	if (paylock_redis_store_init(Z_OBJ_P(out), NULL, (HashTable *)&zend_empty_array) == FAILURE) {
		zval_ptr_dtor(out);
		ZVAL_UNDEF(out);
		return FAILURE;
	}
	return SUCCESS;
}

ZEND_METHOD(PayLock_RedisStore, __construct)
{
	paylock_redis_store *rs = paylock_redis_store_from_obj(Z_OBJ_P(ZEND_THIS));
	zend_string *dsn = NULL;
	HashTable *options = NULL;

	ZEND_PARSE_PARAMETERS_START(0, 2)
		Z_PARAM_OPTIONAL
		Z_PARAM_STR_OR_NULL(dsn)
		Z_PARAM_ARRAY_HT(options)
	ZEND_PARSE_PARAMETERS_END();

	if (rs->base.ops) {
		zend_throw_error(NULL, "Cannot call PayLock\\RedisStore::__construct() twice");
		RETURN_THROWS();
	}
	if (paylock_redis_store_init(&rs->std, dsn, options ? options : (HashTable *)&zend_empty_array) ==
		FAILURE) {
		RETURN_THROWS();
	}
}

ZEND_METHOD(PayLock_RedisStore, ping)
{
	paylock_store *s = paylock_store_from_obj(Z_OBJ_P(ZEND_THIS));
	const char *argv[1] = {"PING"};
	size_t lens[1] = {4};
	paylock_error err;
	paylock_reply *r;
	size_t len;
	const char *str;

	ZEND_PARSE_PARAMETERS_NONE();
	if (s == NULL) {
		RETURN_THROWS();
	}
	r = paylock_redis_ghosts_flush(paylock_redis_store_client(s), &err) == PAYLOCK_FAILED
			? NULL
			: paylock_redis_command(paylock_redis_store_client(s), 1, argv, lens, 0, &err);
	if (r == NULL) {
		paylock_error_throw(&err);
		RETURN_THROWS();
	}
	str = paylock_reply_str(r, &len);
	RETVAL_BOOL(paylock_reply_kind(r) == PAYLOCK_REPLY_STATUS && len == 4 && memcmp(str, "PONG", 4) == 0);
	paylock_reply_free(r);
}

static zend_object *redis_store_create(zend_class_entry *ce)
{
	return paylock_object_new(ce, sizeof(paylock_redis_store), &redis_store_handlers);
}

static void redis_store_free(zend_object *obj)
{
	paylock_redis_store *rs = paylock_redis_store_from_obj(obj);

	if (rs->base.ops) {
		paylock_redis_client_dtor(&rs->client);
	}
	zend_object_std_dtor(obj);
}

void paylock_redis_store_minit(zend_class_entry *ce)
{
	paylock_ce_RedisStore = ce;
	ce->create_object = redis_store_create;
	paylock_handlers_init(&redis_store_handlers, XtOffsetOf(paylock_redis_store, std), redis_store_free);
	paylock_redis_acquire_minit();
	paylock_redis_release_minit();
	paylock_redis_ghosts_minit();
	paylock_redis_inspect_minit();
	paylock_redis_idem_minit();
	paylock_redis_handoff_minit();
}
