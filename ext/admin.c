/* PayLock\Admin: the operator's view of a store. Lists held locks and idempotency records a page at a time,
 * shows a lock's queue, forces a release, and resolves records (forget, or mark done with a result after
 * a manual reconciliation). The store work is in each store's admin ops (redis_admin.c, file_admin.c,
 * admin_fallback.c); resolving goes through the idempotency ops every store already has. */
#include "php_paylock.h"
#include "admin.h"
#include "codec.h"
#include "zend_exceptions.h"
#include "zend_smart_str.h"

static zend_class_entry *admin_ce;
static zend_object_handlers admin_handlers;

typedef struct {
	zend_object *store_obj; /* addref'd */
	paylock_store *store;
	zend_object std;
} paylock_admin;

static inline paylock_admin *admin_from_obj(zend_object *obj)
{
	return (paylock_admin *)((char *)obj - XtOffsetOf(paylock_admin, std));
}

/* The store of $this, or NULL (Error thrown) before the constructor ran. */
static paylock_store *admin_store(zend_object *obj)
{
	paylock_admin *a = admin_from_obj(obj);

	if (a->store == NULL) {
		zend_throw_error(NULL, "PayLock\\Admin object has not been initialized");
	}
	return a->store;
}

/* The store's admin ops, or NULL with a StoreException naming what the store cannot do and why. */
static const paylock_admin_ops *ops_for(paylock_store *s, const char *what, bool available)
{
	const paylock_admin_ops *ops = s->ops->admin;

	if (ops && available) {
		return ops;
	}
	paylock_throw(paylock_ce_StoreException, "%s cannot %s%s%s", s->ops->kind, what,
				  ops && ops->why_not ? ": " : "", ops && ops->why_not ? ops->why_not : "");
	return NULL;
}

void paylock_admin_add_lock(zval *list, const char *name, size_t name_len, zval *holder, zend_long queue,
							bool degraded)
{
	zval e, *at = zend_hash_str_find(Z_ARRVAL_P(holder), "acquired_at", sizeof("acquired_at") - 1);

	if (at && Z_TYPE_P(at) == IS_DOUBLE) {
		add_assoc_double(holder, "age", paylock_unix_ms() / 1000.0 - Z_DVAL_P(at));
	}
	array_init_size(&e, 4);
	if (name) {
		add_assoc_stringl(&e, "name", name, name_len);
	} else {
		add_assoc_null(&e, "name");
	}
	add_assoc_zval(&e, "holder", holder);
	if (queue >= 0) {
		add_assoc_long(&e, "queue", queue);
	} else {
		add_assoc_null(&e, "queue");
	}
	add_assoc_bool(&e, "degraded", degraded);
	add_next_index_zval(list, &e);
}

const char *paylock_admin_state_name(char s, bool lease_running)
{
	switch (s) {
	case 'r':
		return lease_running ? "running" : "crashed"; /* its owner died: the outcome is unknown */
	case 'c':
		return "crashed";
	case 'u':
		return "unknown";
	case 'x':
		return "unstored";
	case 'd':
		return "done";
	case 'a':
		return "abandoned";
	default:
		return "damaged";
	}
}

static void add_opt_double(zval *e, const char *k, double v)
{
	if (v >= 0) {
		add_assoc_double(e, k, v);
	} else {
		add_assoc_null(e, k);
	}
}

void paylock_admin_add_record(zval *list, const zend_string *prefix, const char *name, size_t name_len,
							  const char *id, const char *state, int64_t attempt, double lease_left,
							  double age, bool has_result)
{
	zval e;
	const char *rest, *brace;
	size_t rest_len;

	array_init_size(&e, 8);
	/* name = prefix [scope ":"] "{" key "}" (idempotency.c's record_name()) */
	if (name && name_len >= ZSTR_LEN(prefix) + 2 && memcmp(name, ZSTR_VAL(prefix), ZSTR_LEN(prefix)) == 0 &&
		(brace = memchr(name + ZSTR_LEN(prefix), '{', name_len - ZSTR_LEN(prefix))) != NULL &&
		name[name_len - 1] == '}') {
		rest = name + ZSTR_LEN(prefix);
		rest_len = brace - rest;
		add_assoc_stringl(&e, "scope", rest,
						  rest_len > 0 && rest[rest_len - 1] == ':' ? rest_len - 1 : rest_len);
		add_assoc_stringl(&e, "key", brace + 1, name + name_len - 1 - (brace + 1));
	} else {
		add_assoc_null(&e, "scope");
		add_assoc_null(&e, "key");
	}
	add_assoc_string(&e, "state", state);
	add_assoc_long(&e, "attempt", (zend_long)attempt);
	add_opt_double(&e, "lease_left", lease_left);
	add_opt_double(&e, "age", age);
	add_assoc_bool(&e, "has_result", has_result);
	add_assoc_string(&e, "id", id);
	add_next_index_zval(list, &e);
}

static zend_result check_count(zend_long count, uint32_t arg_num, zend_long max)
{
	if (count < 1 || count > max) {
		zend_argument_value_error(arg_num, "must be between 1 and " ZEND_LONG_FMT, max);
		return FAILURE;
	}
	return SUCCESS;
}

/* return_value = [key => entries, "cursor" => next or null]. */
static void page_result(zval *rv, const char *key, zval *list, zend_string *next)
{
	array_init_size(rv, 2);
	add_assoc_zval(rv, key, list);
	if (next) {
		add_assoc_str(rv, "cursor", next);
	} else {
		add_assoc_null(rv, "cursor");
	}
}

ZEND_METHOD(PayLock_Admin, __construct)
{
	zend_object *store_obj;
	paylock_admin *a = admin_from_obj(Z_OBJ_P(ZEND_THIS));
	paylock_store *s;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_OBJ_OF_CLASS(store_obj, paylock_ce_Store)
	ZEND_PARSE_PARAMETERS_END();
	if (a->store) {
		zend_throw_error(NULL, "PayLock\\Admin::__construct() cannot be called twice");
		RETURN_THROWS();
	}
	if ((s = paylock_store_from_obj(store_obj)) == NULL) {
		RETURN_THROWS();
	}
	GC_ADDREF(store_obj);
	a->store_obj = store_obj;
	a->store = s;
}

ZEND_METHOD(PayLock_Admin, locks)
{
	zend_string *prefix = ZSTR_EMPTY_ALLOC(), *cursor = NULL, *next = NULL;
	zend_long count = 100;
	paylock_store *s;
	const paylock_admin_ops *ops;
	paylock_admin_page pg;
	paylock_error err = {0};
	zval list;

	ZEND_PARSE_PARAMETERS_START(0, 3)
		Z_PARAM_OPTIONAL
		Z_PARAM_STR(prefix)
		Z_PARAM_STR_OR_NULL(cursor)
		Z_PARAM_LONG(count)
	ZEND_PARSE_PARAMETERS_END();
	if (check_count(count, 3, PAYLOCK_ADMIN_MAX_COUNT) == FAILURE ||
		(s = admin_store(Z_OBJ_P(ZEND_THIS))) == NULL) {
		RETURN_THROWS();
	}
	if ((ops = ops_for(s, "list its locks", s->ops->admin && s->ops->admin->locks)) == NULL) {
		RETURN_THROWS();
	}
	pg = (paylock_admin_page){.prefix = prefix, .cursor = cursor, .count = count};
	array_init(&list);
	if (ops->locks(s, &pg, &list, &next, &err) == PAYLOCK_FAILED) {
		zval_ptr_dtor(&list);
		paylock_error_throw(&err);
		RETURN_THROWS();
	}
	page_result(return_value, "locks", &list, next);
}

ZEND_METHOD(PayLock_Admin, queue)
{
	zend_string *name;
	zend_long max = 100;
	paylock_store *s;
	const paylock_admin_ops *ops;
	paylock_error err = {0};

	ZEND_PARSE_PARAMETERS_START(1, 2)
		Z_PARAM_STR(name)
		Z_PARAM_OPTIONAL
		Z_PARAM_LONG(max)
	ZEND_PARSE_PARAMETERS_END();
	if (paylock_check_name(name, 1) == FAILURE || check_count(max, 2, PAYLOCK_ADMIN_MAX_QUEUE) == FAILURE ||
		(s = admin_store(Z_OBJ_P(ZEND_THIS))) == NULL) {
		RETURN_THROWS();
	}
	if ((ops = ops_for(s, "show a queue", s->ops->admin && s->ops->admin->queue)) == NULL) {
		RETURN_THROWS();
	}
	array_init(return_value);
	if (ops->queue(s, name, max, return_value, &err) == PAYLOCK_FAILED) {
		paylock_error_throw(&err);
		RETURN_THROWS();
	}
}

ZEND_METHOD(PayLock_Admin, forceRelease)
{
	zend_string *name;
	paylock_store *s;
	const paylock_admin_ops *ops;
	paylock_error err = {0};
	paylock_status st;

	ZEND_PARSE_PARAMETERS_START(1, 1)
		Z_PARAM_STR(name)
	ZEND_PARSE_PARAMETERS_END();
	if (paylock_check_name(name, 1) == FAILURE || (s = admin_store(Z_OBJ_P(ZEND_THIS))) == NULL) {
		RETURN_THROWS();
	}
	if ((ops = ops_for(s, "force a release", s->ops->admin && s->ops->admin->force_release)) == NULL) {
		RETURN_THROWS();
	}
	st = ops->force_release(s, name, return_value, &err);
	if (st == PAYLOCK_FAILED) {
		paylock_error_throw(&err);
		RETURN_THROWS();
	}
	if (st == PAYLOCK_NO) {
		RETURN_NULL();
	}
	PAYLOCK_G(stats).forced_releases++;
	/* 17b: emit the "forced release" event here (name, the holder released) once the events API exists. */
}

static bool state_known(const zend_string *state)
{
	static const char *const states[] = {"running", "crashed",   "unknown", "unstored",
										 "done",    "abandoned", "damaged"};

	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		if (zend_string_equals_cstr(state, states[i], strlen(states[i]))) {
			return true;
		}
	}
	return false;
}

/* Drops the entries of list whose state is not state. */
static void keep_state(zval *list, const zend_string *state)
{
	zval kept, *e;

	array_init(&kept);
	ZEND_HASH_FOREACH_VAL(Z_ARRVAL_P(list), e) {
		zval *st = zend_hash_str_find(Z_ARRVAL_P(e), "state", sizeof("state") - 1);

		if (st && Z_TYPE_P(st) == IS_STRING && zend_string_equals(Z_STR_P(st), state)) {
			Z_ADDREF_P(e);
			add_next_index_zval(&kept, e);
		}
	}
	ZEND_HASH_FOREACH_END();
	zval_ptr_dtor(list);
	ZVAL_COPY_VALUE(list, &kept);
}

static zend_result check_part(const zend_string *v, uint32_t arg_num, bool allow_empty)
{
	if ((!allow_empty && ZSTR_LEN(v) == 0) || strpbrk(ZSTR_VAL(v), "{}") ||
		memchr(ZSTR_VAL(v), '\0', ZSTR_LEN(v))) {
		zend_argument_value_error(arg_num, "must %snot contain '{', '}' or NUL bytes",
								  allow_empty ? "" : "be non-empty and ");
		return FAILURE;
	}
	return SUCCESS;
}

ZEND_METHOD(PayLock_Admin, records)
{
	zend_string *state = NULL, *prefix = NULL, *cursor = NULL, *next = NULL;
	zend_long count = 100;
	paylock_store *s;
	const paylock_admin_ops *ops;
	paylock_admin_page pg;
	paylock_error err = {0};
	zval list;

	ZEND_PARSE_PARAMETERS_START(0, 4)
		Z_PARAM_OPTIONAL
		Z_PARAM_STR_OR_NULL(state)
		Z_PARAM_STR(prefix)
		Z_PARAM_STR_OR_NULL(cursor)
		Z_PARAM_LONG(count)
	ZEND_PARSE_PARAMETERS_END();
	if (state && !state_known(state)) {
		zend_argument_value_error(1, "must be null or one of running, crashed, unknown, unstored, done, "
									 "abandoned, damaged");
		RETURN_THROWS();
	}
	if ((prefix && check_part(prefix, 2, false) == FAILURE) ||
		check_count(count, 4, PAYLOCK_ADMIN_MAX_COUNT) == FAILURE ||
		(s = admin_store(Z_OBJ_P(ZEND_THIS))) == NULL) {
		RETURN_THROWS();
	}
	if ((ops = ops_for(s, "list idempotency records", s->ops->admin && s->ops->admin->records)) == NULL) {
		RETURN_THROWS();
	}
	pg = (paylock_admin_page){
		.prefix = prefix ? prefix : ZSTR_INIT_LITERAL("idem:", 0), .cursor = cursor, .count = count};
	array_init(&list);
	if (ops->records(s, &pg, &list, &next, &err) == PAYLOCK_FAILED) {
		zval_ptr_dtor(&list);
		paylock_error_throw(&err);
	} else {
		if (state) {
			keep_state(&list, state);
		}
		page_result(return_value, "records", &list, next);
	}
	if (!prefix) {
		zend_string_release((zend_string *)pg.prefix);
	}
}

/* A request on record prefix [scope:]{key}, as IdempotencyGuard names it. */
static void req_init(paylock_idem_req *r, const zend_string *prefix, const zend_string *scope,
					 const zend_string *key)
{
	smart_str n = {0};

	memset(r, 0, sizeof(*r));
	smart_str_append(&n, (zend_string *)prefix);
	if (ZSTR_LEN(scope)) {
		smart_str_append(&n, (zend_string *)scope);
		smart_str_appendc(&n, ':');
	}
	smart_str_appendc(&n, '{');
	smart_str_append(&n, (zend_string *)key);
	smart_str_appendc(&n, '}');
	r->name = smart_str_extract(&n);
	r->force = true;
	r->lease_ms = PAYLOCK_ADMIN_RESOLVE_LEASE_MS;
}

static void req_done(paylock_store *s, paylock_idem_req *r)
{
	if (s->ops->idem->req_free) {
		s->ops->idem->req_free(s, r);
	}
	zend_string_release(r->name);
}

/* The idempotency ops of s, or NULL with a StoreException. */
static const paylock_idem_ops *idem_of(paylock_store *s)
{
	if (s->ops->idem == NULL) {
		paylock_throw(paylock_ce_StoreException, "%s keeps no idempotency records", s->ops->kind);
	}
	return s->ops->idem;
}

static bool resolve_args(zend_string *key, zend_string *scope, zend_string *prefix, uint32_t scope_arg)
{
	if (ZSTR_LEN(key) == 0) {
		zend_argument_value_error(1, "must not be empty");
		return false;
	}
	return check_part(scope, scope_arg, true) == SUCCESS &&
		   check_part(prefix, scope_arg + 1, false) == SUCCESS;
}

/* Checks the arguments of forget()/markDone() and fills r for $key in $scope under $prefix (NULL: "idem:").
 * Returns the store, or NULL with an exception thrown. */
static paylock_store *resolve_request(zval *this_zv, zend_string *key, zend_string *scope,
									  zend_string *prefix, uint32_t scope_arg, paylock_idem_req *r)
{
	paylock_store *s;

	prefix = prefix ? zend_string_copy(prefix) : ZSTR_INIT_LITERAL("idem:", 0);
	if (!resolve_args(key, scope, prefix, scope_arg) || (s = admin_store(Z_OBJ_P(this_zv))) == NULL ||
		idem_of(s) == NULL) {
		zend_string_release(prefix);
		return NULL;
	}
	req_init(r, prefix, scope, key);
	zend_string_release(prefix);
	return s;
}

ZEND_METHOD(PayLock_Admin, forget)
{
	zend_string *key, *scope = ZSTR_EMPTY_ALLOC(), *prefix = NULL;
	paylock_store *s;
	paylock_idem_req r;
	paylock_error err = {0};
	paylock_status st;

	ZEND_PARSE_PARAMETERS_START(1, 3)
		Z_PARAM_STR(key)
		Z_PARAM_OPTIONAL
		Z_PARAM_STR(scope)
		Z_PARAM_STR(prefix)
	ZEND_PARSE_PARAMETERS_END();
	if ((s = resolve_request(ZEND_THIS, key, scope, prefix, 2, &r)) == NULL) {
		RETURN_THROWS();
	}
	st = s->ops->idem->forget(s, &r, &err);
	req_done(s, &r);
	if (st == PAYLOCK_FAILED) {
		paylock_error_throw(&err);
		RETURN_THROWS();
	}
}

/* Claims the (just forgotten) record and completes it with result. */
static void mark_done(paylock_store *s, paylock_idem_req *r, zend_string *encoded, paylock_error *err)
{
	paylock_idem_outcome out = {0};
	paylock_status st = s->ops->idem->forget(s, r, err);

	if (st != PAYLOCK_FAILED) {
		st = s->ops->idem->claim(s, r, false, &out, err);
	}
	if (st == PAYLOCK_FAILED) {
		paylock_error_throw(err);
		return;
	}
	if (out.result) {
		zend_string_release(out.result);
	}
	if (out.state != PAYLOCK_IDEM_CLAIMED) {
		paylock_throw(
			paylock_ce_InProgressException,
			"Idempotency record %s was claimed again by a step while it was being resolved; nothing "
			"was stored. Fix: list it again and resolve it once that step has finished",
			ZSTR_VAL(r->name));
		return;
	}
	r->attempt = out.attempt;
	st = s->ops->idem->complete(s, r, encoded, err);
	if (st == PAYLOCK_FAILED) {
		paylock_error_throw(err);
	} else if (st == PAYLOCK_NO) {
		paylock_throw(
			paylock_ce_InProgressException,
			"Idempotency record %s was taken over by another claim before the result was stored. Fix: "
			"list it again",
			ZSTR_VAL(r->name));
	}
}

ZEND_METHOD(PayLock_Admin, markDone)
{
	zend_string *key, *scope = ZSTR_EMPTY_ALLOC(), *prefix = NULL, *encoded;
	zval *result, *fp = NULL;
	double retention = PAYLOCK_ADMIN_RESOLVE_RETENTION_S;
	paylock_store *s;
	paylock_idem_req r;
	paylock_error err = {0};

	ZEND_PARSE_PARAMETERS_START(2, 6)
		Z_PARAM_STR(key)
		Z_PARAM_ZVAL(result)
		Z_PARAM_OPTIONAL
		Z_PARAM_STR(scope)
		Z_PARAM_ZVAL_OR_NULL(fp)
		Z_PARAM_DOUBLE(retention)
		Z_PARAM_STR(prefix)
	ZEND_PARSE_PARAMETERS_END();
	if (fp && Z_TYPE_P(fp) != IS_STRING && Z_TYPE_P(fp) != IS_ARRAY) {
		zend_argument_type_error(4, "must be of type array|string|null, %s given", zend_zval_type_name(fp));
		RETURN_THROWS();
	}
	if (!(retention > 0 && retention <= PAYLOCK_IDEM_MAX_RETENTION_S)) {
		zend_argument_value_error(5, "must be greater than 0 and at most %.0f seconds",
								  PAYLOCK_IDEM_MAX_RETENTION_S);
		RETURN_THROWS();
	}
	if ((s = resolve_request(ZEND_THIS, key, scope, prefix, 3, &r)) == NULL) {
		RETURN_THROWS();
	}
	r.retention_ms = paylock_seconds_to_ms(retention);
	if ((fp && paylock_fingerprint(fp, 4, r.fp) == FAILURE) || paylock_token_new(r.token) == FAILURE ||
		(encoded = paylock_result_encode(result, PAYLOCK_IDEM_MAX_RESULT_BYTES, 2)) == NULL) {
		req_done(s, &r);
		RETURN_THROWS();
	}
	mark_done(s, &r, encoded, &err);
	zend_string_release(encoded);
	req_done(s, &r);
}

static zend_object *admin_create(zend_class_entry *ce)
{
	return paylock_object_new(ce, sizeof(paylock_admin), &admin_handlers);
}

static void admin_free(zend_object *obj)
{
	paylock_admin *a = admin_from_obj(obj);

	if (a->store_obj) {
		OBJ_RELEASE(a->store_obj);
	}
	zend_object_std_dtor(obj);
}

void paylock_admin_minit(zend_class_entry *ce)
{
	admin_ce = ce;
	ce->create_object = admin_create;
	paylock_handlers_init(&admin_handlers, XtOffsetOf(paylock_admin, std), admin_free);
	paylock_redis_admin_minit();
}
