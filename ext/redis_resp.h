/* RESP parsing: hiredis's redisReader, behind PayLock names (redis_wire.c encodes).
 * redis_resp.c is the only file that includes hiredis. */
#ifndef PAYLOCK_REDIS_RESP_H
#define PAYLOCK_REDIS_RESP_H

#include "php.h"
#include "redis_conn.h"

typedef struct paylock_resp_reader paylock_resp_reader;

/* A reply parser per connection (malloc'd: it lives as long as a pooled connection). */
paylock_resp_reader *paylock_resp_reader_new(void);
void paylock_resp_reader_free(paylock_resp_reader *r);
zend_result paylock_resp_feed(paylock_resp_reader *r, const char *buf, size_t len);
/* Bytes fed but not parsed yet. */
size_t paylock_resp_unread(const paylock_resp_reader *r);
/* 1: a whole reply in *out; 0: more bytes needed; -1: not RESP (*first is the offending byte, why set). */
int paylock_resp_next(paylock_resp_reader *r, paylock_reply **out, const char **why);

#endif
