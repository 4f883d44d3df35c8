/* Owner tokens (CSPRNG) and the monotonic clock every deadline uses. */
#ifndef PAYLOCK_TOKEN_H
#define PAYLOCK_TOKEN_H

#include "php.h"

#define PAYLOCK_TOKEN_BYTES 16
#define PAYLOCK_TOKEN_HEX   (2 * PAYLOCK_TOKEN_BYTES)

/* Writes PAYLOCK_TOKEN_HEX lowercase hex chars and a NUL; FAILURE (exception thrown) without entropy. */
zend_result paylock_token_new(char out[PAYLOCK_TOKEN_HEX + 1]);

/* getpid(), cached; a pthread_atfork child handler (registered by paylock_token_minit) resets it. */
pid_t paylock_pid(void);
void paylock_token_minit(void);

/* Nanoseconds on CLOCK_MONOTONIC: immune to NTP steps and wall-clock changes. */
uint64_t paylock_now_ns(void);

/* Milliseconds since the Unix epoch (wall clock), only for display (holder()). */
int64_t paylock_unix_ms(void);

/* Seconds as given by PHP to whole milliseconds, rounding up so a tiny positive TTL stays positive. */
int64_t paylock_seconds_to_ms(double seconds);

/* Validates a duration argument: finite, within [0 or >0, 30 days]; throws ValueError naming it. */
zend_result paylock_check_seconds(double value, uint32_t arg_num, bool allow_zero);

/* Validates a lock name: 1..PAYLOCK_MAX_NAME bytes, any bytes allowed. */
zend_result paylock_check_name(const zend_string *name, uint32_t arg_num);

/* A binary name for messages: printable ASCII, others as \xNN, cut with "..." to fit buflen. */
const char *paylock_printable(const zend_string *name, char *buf, size_t buflen);

/* An options-array duration (int or float seconds, 0 < d <= max); TypeError/ValueError naming the option. */
zend_result paylock_option_seconds(zval *v, const char *name, double max, uint32_t arg_num, double *out);

#endif
