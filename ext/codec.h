/* Stored idempotency results and request fingerprints: a small typed binary format that can only
 * express null, bool, int, float, string and arrays, so decoding can never create an object. */
#ifndef PAYLOCK_CODEC_H
#define PAYLOCK_CODEC_H

#include "php.h"

#define PAYLOCK_FINGERPRINT_HEX 64

/* Encodes a result; TypeError (objects, resources, closures) or ValueError (over max_bytes, nested too
 * deep, more than a million values) is thrown and NULL returned. arg_num names the argument in the message
 * (0: "$fn's return value"). */
zend_string *paylock_result_encode(zval *value, size_t max_bytes, uint32_t arg_num);

/* Decodes what paylock_result_encode() made; FAILURE (nothing thrown) for anything else. */
zend_result paylock_result_decode(const char *buf, size_t len, zval *out);

/* SHA-256 (hex, NUL-terminated) of a fingerprint: a string as is, an array canonicalised (keys sorted,
 * types kept: 1, "1" and 1.0 differ). TypeError naming arg_num for what an array may not hold. */
zend_result paylock_fingerprint(zval *fp, uint32_t arg_num, char out[PAYLOCK_FINGERPRINT_HEX + 1]);

#endif
