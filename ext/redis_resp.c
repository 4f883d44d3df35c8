/* RESP through hiredis 0.14: the reply parser only (PayLock owns the socket; redis_wire.c encodes). */
#include "redis_resp.h"

#ifdef HAVE_HIREDIS_HIREDIS_H
#include <hiredis/hiredis.h>
#else
#include <hiredis.h>
#endif

paylock_resp_reader *paylock_resp_reader_new(void)
{
	return (paylock_resp_reader *)redisReaderCreate();
}

void paylock_resp_reader_free(paylock_resp_reader *r)
{
	if (r) {
		redisReaderFree((redisReader *)r);
	}
}

zend_result paylock_resp_feed(paylock_resp_reader *r, const char *buf, size_t len)
{
	return redisReaderFeed((redisReader *)r, buf, len) == REDIS_OK ? SUCCESS : FAILURE;
}

size_t paylock_resp_unread(const paylock_resp_reader *r)
{
	const redisReader *rr = (const redisReader *)r;

	return rr->len - rr->pos;
}

int paylock_resp_next(paylock_resp_reader *r, paylock_reply **out, const char **why)
{
	redisReader *rr = (redisReader *)r;
	void *reply = NULL;

	*out = NULL;
	if (redisReaderGetReply(rr, &reply) != REDIS_OK) {
		*why = rr->errstr;
		return -1;
	}
	*out = reply;
	return reply != NULL ? 1 : 0;
}

/* ---- replies ---- */

paylock_reply_type paylock_reply_kind(const paylock_reply *r)
{
	return (paylock_reply_type)((const redisReply *)r)->type;
}

long long paylock_reply_int(const paylock_reply *r)
{
	return ((const redisReply *)r)->integer;
}

const char *paylock_reply_str(const paylock_reply *r, size_t *len)
{
	const redisReply *rr = (const redisReply *)r;

	*len = rr->len;
	return rr->str;
}

size_t paylock_reply_count(const paylock_reply *r)
{
	const redisReply *rr = (const redisReply *)r;

	return rr->type == REDIS_REPLY_ARRAY ? rr->elements : 0;
}

paylock_reply *paylock_reply_at(const paylock_reply *r, size_t i)
{
	return (paylock_reply *)((const redisReply *)r)->element[i];
}

void paylock_reply_free(paylock_reply *r)
{
	if (r) {
		freeReplyObject(r);
	}
}

const char *paylock_hiredis_version(void)
{
	return ZEND_TOSTR(HIREDIS_MAJOR) "." ZEND_TOSTR(HIREDIS_MINOR) "." ZEND_TOSTR(HIREDIS_PATCH);
}
