/* Owner tokens, clocks and the argument checks shared by every class. */
#include "php_paylock.h"
#include "token.h"
#include "ext/random/php_random.h"
#include <math.h>
#include <time.h>

zend_result paylock_token_new(char out[PAYLOCK_TOKEN_HEX + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[PAYLOCK_TOKEN_BYTES];

	if (php_random_bytes_throw(raw, sizeof(raw)) == FAILURE) {
		return FAILURE;
	}
	for (size_t i = 0; i < sizeof(raw); i++) {
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
		zend_argument_value_error(arg_num, "must be at most 2592000 seconds (30 days)");
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
