/* RESP encoding and parsing: hiredis's redisFormatCommandArgv and redisReader, behind PayLock names.
 * redis_resp.c is the only file that includes hiredis. */
#ifndef PAYLOCK_REDIS_RESP_H
#define PAYLOCK_REDIS_RESP_H

#include "php.h"
#include "redis_conn.h"

typedef struct paylock_resp_reader paylock_resp_reader;

/* Encodes one command into *out (release with paylock_resp_free_cmd); returns its length, -1 when out of
 * memory. */
long paylock_resp_format(char **out, int argc, const char **argv, const size_t *lens);
void paylock_resp_free_cmd(char *cmd);

/* A reply parser per connection (malloc'd: it lives as long as a pooled connection). */
paylock_resp_reader *paylock_resp_reader_new(void);
void paylock_resp_reader_free(paylock_resp_reader *r);
zend_result paylock_resp_feed(paylock_resp_reader *r, const char *buf, size_t len);
/* 1: a whole reply in *out; 0: more bytes needed; -1: not RESP (*first is the offending byte, why set). */
int paylock_resp_next(paylock_resp_reader *r, paylock_reply **out, const char **why);

#endif
