/* IdempotencyGuard::run(): its options (result codec, which exceptions mean "outcome unknown"), the step,
 * and what happens to the claim when the step returns or throws. */
#include "idempotency_internal.h"
#include "codec.h"
#include "zend_exceptions.h"

typedef struct {
	zend_class_entry **unknown_on; /* exception classes meaning "outcome unknown" */
	uint32_t n_unknown;
	zend_fcall_info convert_fci; /* convert: makes $fn's value storable (.size 0: none) */
	zend_fcall_info_cache convert_fcc;
	bool renew; /* $fn gets the Claim, to refresh() it during a long step */
} run_options;

#define RUN_OPTIONS_ARG 5

static void run_options_free(run_options *o)
{
	if (o->unknown_on) {
		efree(o->unknown_on);
	}
}

static zend_result parse_unknown_on(run_options *o, zval *val)
{
	zval *cls;

	if (Z_TYPE_P(val) != IS_ARRAY) {
		zend_argument_type_error(RUN_OPTIONS_ARG, "option \"unknown_on\" must be of type array, %s given",
								 zend_zval_type_name(val));
		return FAILURE;
	}
	o->unknown_on = safe_emalloc(zend_hash_num_elements(Z_ARRVAL_P(val)), sizeof(zend_class_entry *), 0);
	ZEND_HASH_FOREACH_VAL(Z_ARRVAL_P(val), cls) {
		zend_class_entry *ce;

		ZVAL_DEREF(cls);
		if (Z_TYPE_P(cls) != IS_STRING || (ce = zend_lookup_class(Z_STR_P(cls))) == NULL ||
			!instanceof_function(ce, zend_ce_throwable)) {
			if (!EG(exception)) {
				zend_argument_value_error(RUN_OPTIONS_ARG,
										  "option \"unknown_on\" must list exception class names");
			}
			return FAILURE;
		}
		o->unknown_on[o->n_unknown++] = ce;
	}
	ZEND_HASH_FOREACH_END();
	return SUCCESS;
}

static zend_result parse_run_options(run_options *o, HashTable *options)
{
	zend_string *key;
	zval *val;

	ZEND_HASH_FOREACH_STR_KEY_VAL(options, key, val) {
		ZVAL_DEREF(val);
		if (key && zend_string_equals_literal(key, "unknown_on")) {
			if (parse_unknown_on(o, val) == FAILURE) {
				return FAILURE;
			}
		} else if (key && zend_string_equals_literal(key, "convert")) {
			char *why = NULL;

			if (zend_fcall_info_init(val, 0, &o->convert_fci, &o->convert_fcc, NULL, &why) == FAILURE) {
				zend_argument_type_error(RUN_OPTIONS_ARG, "option \"convert\" must be a valid callback, %s",
										 why ? why : "not callable");
				if (why) {
					efree(why);
				}
				return FAILURE;
			}
		} else if (key && zend_string_equals_literal(key, "renew")) {
			if (Z_TYPE_P(val) != IS_TRUE && Z_TYPE_P(val) != IS_FALSE) {
				zend_argument_type_error(RUN_OPTIONS_ARG, "option \"renew\" must be of type bool, %s given",
										 zend_zval_type_name(val));
				return FAILURE;
			}
			o->renew = Z_TYPE_P(val) == IS_TRUE;
		} else {
			zend_argument_value_error(RUN_OPTIONS_ARG,
									  "contains unknown option \"%s\" (known: unknown_on, convert, renew)",
									  key ? ZSTR_VAL(key) : "(integer key)");
			return FAILURE;
		}
	}
	ZEND_HASH_FOREACH_END();
	return SUCCESS;
}

static bool means_unknown(const run_options *o, const zend_object *ex)
{
	for (uint32_t i = 0; i < o->n_unknown; i++) {
		if (instanceof_function(ex->ce, o->unknown_on[i])) {
			return true;
		}
	}
	return false;
}

/* $fn threw: nothing is stored. An unknown_on exception marks the outcome unknown, exit() mid-step is a
 * crash, anything else means nothing happened and a later delivery runs again. */
static void after_fn_threw(paylock_claim *c, const run_options *o)
{
	zend_object *ex = EG(exception);
	bool crashed = zend_is_unwind_exit(ex);

	if (!crashed && means_unknown(o, ex)) {
		paylock_claim_mark_quietly(c, PAYLOCK_MARK_UNKNOWN, "after $fn threw");
		return;
	}
	zend_exception_save();
	if (paylock_claim_owned_here(c)) {
		paylock_claim_abandon_quietly(c, crashed, crashed ? "at exit()" : "after $fn threw");
	}
	zend_exception_restore();
}

/* Replaces *value by convert($value). FAILURE: it threw. */
static zend_result convert_result(run_options *o, zval *value)
{
	zval converted;

	ZVAL_UNDEF(&converted);
	o->convert_fci.retval = &converted;
	o->convert_fci.params = value;
	o->convert_fci.param_count = 1;
	if (zend_call_function(&o->convert_fci, &o->convert_fcc) == FAILURE || EG(exception)) {
		zval_ptr_dtor(&converted);
		return FAILURE;
	}
	zval_ptr_dtor(value);
	ZVAL_COPY_VALUE(value, &converted);
	return SUCCESS;
}

ZEND_METHOD(PayLock_IdempotencyGuard, run)
{
	paylock_guard *g;
	zend_string *key;
	zend_fcall_info fci;
	zend_fcall_info_cache fcc;
	HashTable *fp_ht = NULL, *options = NULL;
	zend_string *fp_str = NULL;
	double wait = 0;
	zend_object *obj;
	paylock_claim *c;
	run_options o = {0};
	zval claim_zv;

	ZEND_PARSE_PARAMETERS_START(2, 5)
		Z_PARAM_STR(key)
		Z_PARAM_FUNC(fci, fcc)
		Z_PARAM_OPTIONAL
		Z_PARAM_ARRAY_HT_OR_STR_OR_NULL(fp_ht, fp_str)
		Z_PARAM_DOUBLE(wait)
		Z_PARAM_ARRAY_HT(options)
	ZEND_PARSE_PARAMETERS_END();

	if ((g = paylock_guard_this(ZEND_THIS)) == NULL ||
		paylock_guard_check_begin_args(key, wait, 4) == FAILURE ||
		(options && parse_run_options(&o, options) == FAILURE) ||
		(obj = paylock_guard_begin(g, key, fp_ht, fp_str, wait, 3)) == NULL) {
		run_options_free(&o);
		RETURN_THROWS();
	}
	c = claim_from_obj(obj);
	if (c->phase == PHASE_REPLAY) {
		RETVAL_COPY(&c->result);
		OBJ_RELEASE(obj);
		run_options_free(&o);
		return;
	}
	fci.retval = return_value;
	if (o.renew) {
		ZVAL_OBJ(&claim_zv, obj);
		fci.params = &claim_zv;
		fci.param_count = 1;
	}
	zend_call_function(&fci, &fcc);
	if (EG(exception)) {
		after_fn_threw(c, &o);
	} else if (o.convert_fci.size && convert_result(&o, return_value) == FAILURE) {
		paylock_claim_mark_quietly(c, PAYLOCK_MARK_UNSTORED, "after \"convert\" threw");
	} else if (paylock_claim_complete(c, return_value, 0) == FAILURE) {
		/* The step returned but its result was not stored: it is never run again automatically. */
		paylock_claim_mark_quietly(c, PAYLOCK_MARK_UNSTORED, "after its result was refused");
	}
	OBJ_RELEASE(obj);
	run_options_free(&o);
	if (EG(exception)) {
		zval_ptr_dtor(return_value);
		ZVAL_UNDEF(return_value);
		RETURN_THROWS();
	}
}
