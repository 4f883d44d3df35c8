/* Owner tokens, clocks and the argument checks shared by every class. */
#include "php_paylock.h"
#include "token.h"
#include "ext/random/php_random.h"
#include <math.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

static pid_t cached_pid;

static void forget_pid(void)
{
	cached_pid = 0;
}

void paylock_token_minit(void)
{
	pthread_atfork(NULL, NULL, forget_pid);
}

pid_t paylock_pid(void)
{
	if (cached_pid == 0) {
		cached_pid = getpid();
	}
	return cached_pid;
}

/* CSPRNG bytes are read 512 at a time (one getrandom() per 32 acquires). The buffer belongs to the
 * process that filled it: a forked child refills, so parent and child never hand out the same token. */
static const unsigned char *random_16(void)
{
	unsigned char *pool = PAYLOCK_G(token_pool);

	if (PAYLOCK_G(token_pool_pid) != paylock_pid() ||
		PAYLOCK_G(token_pool_used) + PAYLOCK_TOKEN_BYTES > sizeof(PAYLOCK_G(token_pool))) {
		if (php_random_bytes_throw(pool, sizeof(PAYLOCK_G(token_pool))) == FAILURE) {
			return NULL;
		}
		PAYLOCK_G(token_pool_pid) = paylock_pid();
		PAYLOCK_G(token_pool_used) = 0;
	}
	PAYLOCK_G(token_pool_used) += PAYLOCK_TOKEN_BYTES;
	return pool + PAYLOCK_G(token_pool_used) - PAYLOCK_TOKEN_BYTES;
}

zend_result paylock_token_new(char out[PAYLOCK_TOKEN_HEX + 1])
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *raw = random_16();

	if (raw == NULL) {
		return FAILURE;
	}
	for (size_t i = 0; i < PAYLOCK_TOKEN_BYTES; i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[PAYLOCK_TOKEN_HEX] = '\0';
	return SUCCESS;
}

uint64_t paylock_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int64_t paylock_unix_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t paylock_seconds_to_ms(double seconds)
{
	return (int64_t)ceil(seconds * 1000.0);
}

zend_result paylock_check_seconds(double value, uint32_t arg_num, bool allow_zero)
{
	if (!zend_finite(value) || (allow_zero ? value < 0 : value <= 0)) {
		zend_argument_value_error(arg_num, allow_zero ? "must be a finite number greater than or equal to 0"
													  : "must be a finite number greater than 0");
		return FAILURE;
	}
	if (value > PAYLOCK_MAX_SECONDS) {
		zend_argument_value_error(arg_num, "must be at most %d seconds (%d days)", PAYLOCK_MAX_SECONDS_INT,
								  PAYLOCK_MAX_SECONDS_INT / PAYLOCK_SECONDS_PER_DAY);
		return FAILURE;
	}
	return SUCCESS;
}

zend_result paylock_check_name(const zend_string *name, uint32_t arg_num)
{
	if (ZSTR_LEN(name) == 0) {
		zend_argument_value_error(arg_num, "cannot be empty");
		return FAILURE;
	}
	if (ZSTR_LEN(name) > PAYLOCK_MAX_NAME) {
		zend_argument_value_error(arg_num, "must be at most %d bytes long", PAYLOCK_MAX_NAME);
		return FAILURE;
	}
	return SUCCESS;
}

/* Lock names are binary; messages show them printable and bounded. */
const char *paylock_printable(const zend_string *name, char *buf, size_t buflen)
{
	size_t o = 0;

	for (size_t i = 0; i < ZSTR_LEN(name) && o + 5 < buflen; i++) {
		unsigned char ch = (unsigned char)ZSTR_VAL(name)[i];

		if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\') {
			buf[o++] = (char)ch;
		} else {
			o += snprintf(buf + o, buflen - o, "\\x%02x", ch);
		}
		if (i + 1 < ZSTR_LEN(name) && o + 8 >= buflen) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
	}
	buf[o] = '\0';
	return buf;
}

zend_result paylock_option_seconds(zval *v, const char *name, double max, uint32_t arg_num, double *out)
{
	double d;

	if (Z_TYPE_P(v) == IS_LONG) {
		d = (double)Z_LVAL_P(v);
	} else if (Z_TYPE_P(v) == IS_DOUBLE) {
		d = Z_DVAL_P(v);
	} else {
		zend_argument_type_error(arg_num, "option \"%s\" must be of type float, %s given", name,
								 zend_zval_type_name(v));
		return FAILURE;
	}
	if (!zend_finite(d) || d <= 0 || d > max) {
		zend_argument_value_error(arg_num, "option \"%s\" must be greater than 0 and at most %.0f seconds",
								  name, max);
		return FAILURE;
	}
	*out = d;
	return SUCCESS;
}
