/* Result and fingerprint encoding. One version byte, then tagged values:
 *   N  null        F  false        T  true
 *   I  int64 LE    D  double LE (IEEE 754 bits)
 *   S  varint length, bytes
 *   A  varint count, then count pairs of key (I or S) and value
 * Fingerprints use the same encoding with array keys sorted (ints first, numerically; then strings
 * bytewise), -0.0 folded into 0.0, and are hashed with SHA-256. */
#include "php_paylock.h"
#include "codec.h"
#include "zend_exceptions.h"
#include "zend_smart_str.h"
#include "ext/standard/md5.h"
#include "ext/hash/php_hash.h"
#include "ext/hash/php_hash_sha.h"

#define CODEC_VERSION 1

typedef enum { ENC_OK, ENC_BAD_TYPE, ENC_TOO_BIG, ENC_TOO_DEEP, ENC_TOO_MANY } enc_status;

typedef struct {
	smart_str out;
	size_t max;  /* 0: unbounded */
	bool sorted; /* canonical form for fingerprints */
	enc_status status;
	const char *bad_type; /* the type that could not be encoded */
	uint32_t nodes;       /* values written so far */
} encoder;

static void put_u64(encoder *e, uint64_t v)
{
	char b[8];

	for (int i = 0; i < 8; i++) {
		b[i] = (char)(v >> (8 * i));
	}
	smart_str_appendl(&e->out, b, 8);
}

static void put_varint(encoder *e, uint64_t v)
{
	while (v >= 0x80) {
		smart_str_appendc(&e->out, (char)(v | 0x80));
		v >>= 7;
	}
	smart_str_appendc(&e->out, (char)v);
}

static void put_string(encoder *e, const char *s, size_t len)
{
	smart_str_appendc(&e->out, 'S');
	put_varint(e, len);
	smart_str_appendl(&e->out, s, len);
}

static void put_double(encoder *e, double d)
{
	uint64_t bits;

	if (e->sorted && d == 0.0) {
		d = 0.0; /* -0.0 == 0.0 for a fingerprint */
	}
	memcpy(&bits, &d, sizeof(bits));
	smart_str_appendc(&e->out, 'D');
	put_u64(e, bits);
}

static bool over_limit(encoder *e)
{
	if (e->max && e->out.s && ZSTR_LEN(e->out.s) > e->max) {
		e->status = ENC_TOO_BIG;
	}
	return e->status != ENC_OK;
}

static void put_value(encoder *e, zval *v, int depth);

static int compare_keys(const void *a, const void *b)
{
	const Bucket *x = *(const Bucket *const *)a, *y = *(const Bucket *const *)b;

	if (!x->key || !y->key) {
		if (x->key || y->key) {
			return x->key ? 1 : -1; /* int keys first */
		}
		return x->h < y->h ? -1 : x->h > y->h;
	}
	return zend_binary_strcmp(ZSTR_VAL(x->key), ZSTR_LEN(x->key), ZSTR_VAL(y->key), ZSTR_LEN(y->key));
}

static void put_pair(encoder *e, zend_ulong h, zend_string *key, zval *v, int depth)
{
	if (key) {
		put_string(e, ZSTR_VAL(key), ZSTR_LEN(key));
	} else {
		smart_str_appendc(&e->out, 'I');
		put_u64(e, (uint64_t)(zend_long)h);
	}
	put_value(e, v, depth);
}

static void put_array(encoder *e, HashTable *ht, int depth)
{
	uint32_t n = zend_hash_num_elements(ht);

	if (depth >= PAYLOCK_CODEC_MAX_DEPTH) {
		e->status = ENC_TOO_DEEP;
		return;
	}
	smart_str_appendc(&e->out, 'A');
	put_varint(e, n);
	if (e->sorted && n > 1 && !HT_IS_PACKED(ht)) { /* packed arrays are in key order already */
		Bucket **order = safe_emalloc(n, sizeof(Bucket *), 0), *b;
		uint32_t i = 0;

		ZEND_HASH_FOREACH_BUCKET(ht, b)
		{
			order[i++] = b;
		}
		ZEND_HASH_FOREACH_END();
		qsort(order, n, sizeof(Bucket *), compare_keys);
		for (i = 0; i < n && e->status == ENC_OK; i++) {
			put_pair(e, order[i]->h, order[i]->key, &order[i]->val, depth + 1);
		}
		efree(order);
		return;
	}
	{
		zend_ulong h;
		zend_string *key;
		zval *v;

		ZEND_HASH_FOREACH_KEY_VAL(ht, h, key, v) {
			put_pair(e, h, key, v, depth + 1);
			if (e->status != ENC_OK) {
				break;
			}
		}
		ZEND_HASH_FOREACH_END();
	}
}

static void put_value(encoder *e, zval *v, int depth)
{
	if (over_limit(e)) {
		return;
	}
	if (++e->nodes > PAYLOCK_CODEC_MAX_NODES) {
		e->status = ENC_TOO_MANY;
		return;
	}
	ZVAL_DEREF(v);
	switch (Z_TYPE_P(v)) {
	case IS_NULL:
		smart_str_appendc(&e->out, 'N');
		break;
	case IS_FALSE:
		smart_str_appendc(&e->out, 'F');
		break;
	case IS_TRUE:
		smart_str_appendc(&e->out, 'T');
		break;
	case IS_LONG:
		smart_str_appendc(&e->out, 'I');
		put_u64(e, (uint64_t)Z_LVAL_P(v));
		break;
	case IS_DOUBLE:
		put_double(e, Z_DVAL_P(v));
		break;
	case IS_STRING:
		put_string(e, Z_STRVAL_P(v), Z_STRLEN_P(v));
		break;
	case IS_ARRAY:
		put_array(e, Z_ARRVAL_P(v), depth);
		break;
	default:
		e->status = ENC_BAD_TYPE;
		e->bad_type = zend_zval_type_name(v);
		return;
	}
	over_limit(e);
}

static const char allowed_types[] = "null, bool, int, float, string or an array of them";

zend_string *paylock_result_encode(zval *value, size_t max_bytes, uint32_t arg_num)
{
	encoder e = {.max = max_bytes};

	smart_str_appendc(&e.out, CODEC_VERSION);
	put_value(&e, value, 0);
	if (e.status == ENC_OK) {
		return smart_str_extract(&e.out);
	}
	smart_str_free(&e.out);
	switch (e.status) {
	case ENC_BAD_TYPE:
		if (arg_num) {
			zend_argument_type_error(arg_num, "must be %s, %s found", allowed_types, e.bad_type);
		} else {
			zend_type_error("The value returned by $fn must be %s, %s found", allowed_types, e.bad_type);
		}
		break;
	case ENC_TOO_BIG:
		zend_value_error("%s encodes to more than max_result_bytes (%zu bytes); it was not stored",
						 arg_num ? "The result" : "The value returned by $fn", max_bytes);
		break;
	case ENC_TOO_MANY:
		zend_value_error("%s holds more than %d values (a shared sub-array counts each time it is "
						 "reached); it was not stored",
						 arg_num ? "The result" : "The value returned by $fn", PAYLOCK_CODEC_MAX_NODES);
		break;
	default:
		zend_value_error("%s is nested more than %d levels deep (or refers to itself); it was not stored",
						 arg_num ? "The result" : "The value returned by $fn", PAYLOCK_CODEC_MAX_DEPTH);
	}
	return NULL;
}

typedef struct {
	const unsigned char *p;
	const unsigned char *end;
} decoder;

static bool get_u64(decoder *d, uint64_t *v)
{
	if (d->end - d->p < 8) {
		return false;
	}
	*v = 0;
	for (int i = 0; i < 8; i++) {
		*v |= (uint64_t)d->p[i] << (8 * i);
	}
	d->p += 8;
	return true;
}

/* A length or count; never more than the bytes left, so a corrupt record cannot make us allocate. */
static bool get_varint(decoder *d, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 64 && d->p < d->end; shift += 7) {
		unsigned char b = *d->p++;

		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			return *v <= (uint64_t)(d->end - d->p);
		}
	}
	return false;
}

static bool get_value(decoder *d, zval *out, int depth);

static bool get_array(decoder *d, zval *out, int depth)
{
	uint64_t n;

	if (depth >= PAYLOCK_CODEC_MAX_DEPTH || !get_varint(d, &n)) {
		return false;
	}
	array_init_size(out, (uint32_t)n);
	for (uint64_t i = 0; i < n; i++) {
		zval v;
		uint64_t h;

		ZVAL_UNDEF(&v);
		if (d->p >= d->end) {
			return false;
		}
		switch (*d->p++) {
		case 'I':
			if (!get_u64(d, &h) || !get_value(d, &v, depth + 1)) {
				zval_ptr_dtor(&v);
				return false;
			}
			zend_hash_index_update(Z_ARRVAL_P(out), (zend_ulong)h, &v);
			break;
		case 'S': {
			uint64_t len;
			const char *k;

			if (!get_varint(d, &len)) {
				return false;
			}
			k = (const char *)d->p;
			d->p += len;
			if (!get_value(d, &v, depth + 1)) {
				zval_ptr_dtor(&v);
				return false;
			}
			zend_symtable_str_update(Z_ARRVAL_P(out), k, (size_t)len, &v);
			break;
		}
		default:
			return false;
		}
	}
	return true;
}

/* On false, *out is either UNDEF or a partly built array the caller frees. */
static bool get_value(decoder *d, zval *out, int depth)
{
	uint64_t u;

	ZVAL_UNDEF(out);
	if (d->p >= d->end) {
		return false;
	}
	switch (*d->p++) {
	case 'N':
		ZVAL_NULL(out);
		return true;
	case 'F':
		ZVAL_FALSE(out);
		return true;
	case 'T':
		ZVAL_TRUE(out);
		return true;
	case 'I':
		if (!get_u64(d, &u)) {
			return false;
		}
		ZVAL_LONG(out, (zend_long)(int64_t)u);
		return true;
	case 'D': {
		double dv;

		if (!get_u64(d, &u)) {
			return false;
		}
		memcpy(&dv, &u, sizeof(dv));
		ZVAL_DOUBLE(out, dv);
		return true;
	}
	case 'S':
		if (!get_varint(d, &u)) {
			return false;
		}
		ZVAL_STRINGL_FAST(out, (const char *)d->p, (size_t)u);
		d->p += u;
		return true;
	case 'A':
		return get_array(d, out, depth);
	default:
		return false;
	}
}

zend_result paylock_result_decode(const char *buf, size_t len, zval *out)
{
	decoder d = {(const unsigned char *)buf, (const unsigned char *)buf + len};

	if (len < 2 || *d.p++ != CODEC_VERSION || !get_value(&d, out, 0) || d.p != d.end) {
		zval_ptr_dtor(out); /* UNDEF or a partial array */
		ZVAL_UNDEF(out);
		return FAILURE;
	}
	return SUCCESS;
}

zend_result paylock_fingerprint(zval *fp, uint32_t arg_num, char out[PAYLOCK_FINGERPRINT_HEX + 1])
{
	encoder e = {.sorted = true, .max = PAYLOCK_CODEC_MAX_FINGERPRINT_BYTES};
	PHP_SHA256_CTX ctx;
	unsigned char digest[32];

	put_value(&e, fp, 0);
	if (e.status != ENC_OK) {
		smart_str_free(&e.out);
		if (e.status == ENC_BAD_TYPE) {
			zend_argument_type_error(arg_num, "must hold only %s, %s found", allowed_types, e.bad_type);
		} else if (e.status == ENC_TOO_BIG) {
			zend_argument_value_error(arg_num, "must encode to at most %d bytes",
									  PAYLOCK_CODEC_MAX_FINGERPRINT_BYTES);
		} else if (e.status == ENC_TOO_MANY) {
			zend_argument_value_error(
				arg_num, "must hold at most %d values (a shared sub-array counts each time it is reached)",
				PAYLOCK_CODEC_MAX_NODES);
		} else {
			zend_argument_value_error(arg_num, "is nested more than %d levels deep (or refers to itself)",
									  PAYLOCK_CODEC_MAX_DEPTH);
		}
		return FAILURE;
	}
	smart_str_0(&e.out);
	PHP_SHA256Init(&ctx);
	PHP_SHA256Update(&ctx, (const unsigned char *)ZSTR_VAL(e.out.s), ZSTR_LEN(e.out.s));
	PHP_SHA256Final(digest, &ctx);
	smart_str_free(&e.out);
	make_digest_ex(out, digest, 32);
	return SUCCESS;
}
