/* DSN query parameters as RedisStore options, and DSNs with their password masked. */
#include "php_paylock.h"
#include "redis_dsn_query.h"
#include "ext/standard/url.h"
#include "ext/standard/php_string.h"
#include "zend_smart_str.h"

#define MAX_DB     99999
#define MASK       "***"
#define ARG_DSN    1
#define VALUE_SHOW 40 /* characters of an unknown key shown back (values never are: one may be a secret) */

static zend_result query_bad(const char *key, const char *what)
{
	zend_argument_value_error(ARG_DSN,
							  "is not a valid DSN: query parameter \"%s\" %s; URL-encode & = # %% in values: "
							  "%%26 %%3D %%23 %%25",
							  key, what);
	return FAILURE;
}

static zend_result set_db(paylock_redis_client *c, const char *val)
{
	zend_long v;

	if (*val == '\0' || strspn(val, "0123456789") != strlen(val) || strlen(val) > 5 ||
		(v = ZEND_STRTOL(val, NULL, 10)) > MAX_DB) {
		return query_bad("db", "must be a database number from 0 to 99999");
	}
	if (c->db != 0 && c->db != v) {
		return query_bad("db", "contradicts the database number in the DSN's path");
	}
	c->db = v;
	return SUCCESS;
}

/* user and password: in the query or in user:password@, not both. */
static zend_result set_credential(char **slot, const char *key, const char *val)
{
	if (*slot != NULL) {
		zend_argument_value_error(
			ARG_DSN, "is not a valid DSN: it gives the %s twice (in user:password@ and in the query)", key);
		return FAILURE;
	}
	if (*val) {
		*slot = estrdup(val);
	}
	return SUCCESS;
}

static zend_result typed_value(const char *key, const char *val, zval *out)
{
	zend_long l;
	double d;
	zend_uchar t;

	if (strcmp(key, "prefix") == 0) {
		ZVAL_STRING(out, val);
		return SUCCESS;
	}
	if (strcmp(key, "persistent") == 0) {
		if (strcmp(val, "1") == 0 || strcasecmp(val, "true") == 0 || strcasecmp(val, "on") == 0 ||
			strcasecmp(val, "yes") == 0) {
			ZVAL_TRUE(out);
		} else if (strcmp(val, "0") == 0 || strcasecmp(val, "false") == 0 || strcasecmp(val, "off") == 0 ||
				   strcasecmp(val, "no") == 0) {
			ZVAL_FALSE(out);
		} else {
			return query_bad(key, "must be 1 or 0 (true/false, on/off, yes/no)");
		}
		return SUCCESS;
	}
	if (strcmp(key, "replicas") == 0) {
		if (strcmp(val, "auto") == 0) {
			ZVAL_STRING(out, "auto");
			return SUCCESS;
		}
		if (*val == '\0' || strspn(val, "0123456789") != strlen(val) || strlen(val) > 4) {
			return query_bad(key, "must be \"auto\" or a number of replicas");
		}
		ZVAL_LONG(out, ZEND_STRTOL(val, NULL, 10));
		return SUCCESS;
	}
	/* connect_timeout, read_timeout, replica_timeout: seconds */
	t = is_numeric_string(val, strlen(val), &l, &d, false);
	if (t == IS_LONG) {
		ZVAL_LONG(out, l);
	} else if (t == IS_DOUBLE) {
		ZVAL_DOUBLE(out, d);
	} else {
		return query_bad(key, "must be a number of seconds");
	}
	return SUCCESS;
}

static bool is_option_key(const char *key)
{
	static const char *const keys[] = {"connect_timeout", "read_timeout", "persistent",
									   "prefix",          "replicas",     "replica_timeout"};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(key, keys[i]) == 0) {
			return true;
		}
	}
	return false;
}

static zend_result query_pair(paylock_redis_client *c, char *pair, HashTable *ht)
{
	char *eq = strchr(pair, '='), *val;
	zval v;

	if (eq == NULL) {
		zend_argument_value_error(ARG_DSN, "is not a valid DSN: a query parameter has no '=' (known: %s)",
								  PAYLOCK_DSN_QUERY_KEYS);
		return FAILURE;
	}
	*eq = '\0';
	val = eq + 1;
	php_raw_url_decode(pair, strlen(pair));
	php_raw_url_decode(val, strlen(val));
	if (strcmp(pair, "db") == 0) {
		return set_db(c, val);
	}
	if (strcmp(pair, "user") == 0) {
		return set_credential(&c->user, "user", val);
	}
	if (strcmp(pair, "password") == 0) {
		return set_credential(&c->pass, "password", val);
	}
	if (!is_option_key(pair)) {
		zend_argument_value_error(ARG_DSN, "is not a valid DSN: unknown query parameter \"%.*s\" (known: %s)",
								  VALUE_SHOW, pair, PAYLOCK_DSN_QUERY_KEYS);
		return FAILURE;
	}
	if (zend_hash_str_exists(ht, pair, strlen(pair))) {
		zend_argument_value_error(ARG_DSN, "is not a valid DSN: query parameter \"%s\" is given twice", pair);
		return FAILURE;
	}
	if (typed_value(pair, val, &v) == FAILURE) {
		return FAILURE;
	}
	zend_hash_str_add_new(ht, pair, strlen(pair), &v);
	return SUCCESS;
}

zend_result paylock_dsn_query_parse(paylock_redis_client *c, const char *query, size_t len,
									HashTable *options, HashTable **merged)
{
	char *q, *pair, *save = NULL;
	HashTable *ht;
	zend_result rc = SUCCESS;

	*merged = NULL;
	if (memchr(query, '#', len) != NULL) {
		zend_argument_value_error(
			ARG_DSN, "is not a valid DSN: it has a fragment (#...); URL-encode # in values as %%23");
		return FAILURE;
	}
	ALLOC_HASHTABLE(ht);
	zend_hash_init(ht, 8, NULL, ZVAL_PTR_DTOR, 0);
	q = estrndup(query, len);
	for (pair = php_strtok_r(q, "&", &save); pair && rc == SUCCESS; pair = php_strtok_r(NULL, "&", &save)) {
		rc = query_pair(c, pair, ht);
	}
	ZEND_SECURE_ZERO(q, len); /* it held the password */
	efree(q);
	if (rc == FAILURE) {
		zend_array_destroy(ht);
		return FAILURE;
	}
	zend_hash_merge(ht, options, zval_add_ref, 1); /* the $options array wins */
	*merged = ht;
	return SUCCESS;
}

/* The end of the password in "scheme://user:pass@host": the last '@' of the authority. */
static void mask_userinfo(smart_str *out, const char *dsn, size_t len, size_t *pos)
{
	const char *auth = memchr(dsn, ':', len), *end, *at = NULL, *colon;

	if (auth == NULL || auth + 3 > dsn + len || auth[1] != '/' || auth[2] != '/') {
		return;
	}
	auth += 3;
	for (end = auth; end < dsn + len && *end != '/' && *end != '?' && *end != '#'; end++) {
		if (*end == '@') {
			at = end;
		}
	}
	if (at == NULL || (colon = memchr(auth, ':', at - auth)) == NULL) {
		return;
	}
	smart_str_appendl(out, dsn, colon + 1 - dsn);
	smart_str_appends(out, MASK);
	*pos = at - dsn;
}

zend_string *paylock_dsn_masked(const char *dsn, size_t len)
{
	smart_str out = {0};
	size_t pos = 0;
	const char *q;

	mask_userinfo(&out, dsn, len, &pos);
	q = memchr(dsn + pos, '?', len - pos);
	if (q == NULL) {
		smart_str_appendl(&out, dsn + pos, len - pos);
	} else {
		const char *p = q + 1, *end = dsn + len;

		smart_str_appendl(&out, dsn + pos, p - (dsn + pos));
		while (p < end) {
			const char *amp = memchr(p, '&', end - p), *stop = amp ? amp : end;

			const char *eq = memchr(p, '=', stop - p);

			/* password=, sentinel_password= and any other key ending in "password" */
			if (eq && eq - p >= 8 && strncasecmp(eq - 8, "password", 8) == 0) {
				smart_str_appendl(&out, p, eq + 1 - p);
				smart_str_appends(&out, MASK);
			} else {
				smart_str_appendl(&out, p, stop - p);
			}
			if (amp) {
				smart_str_appendc(&out, '&');
			}
			p = stop + 1;
		}
	}
	smart_str_0(&out);
	return out.s ? out.s : ZSTR_EMPTY_ALLOC();
}
