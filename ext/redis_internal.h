/* What RedisStore's own files share (the lock files through redis_store_internal.h, redis_idem*.c,
 * redis_admin.c), and nothing else includes. */
#ifndef PAYLOCK_REDIS_INTERNAL_H
#define PAYLOCK_REDIS_INTERNAL_H

#include "store.h"
#include "redis_conn.h"

typedef struct {
	paylock_store base; /* first: see paylock_store_from_obj() */
	paylock_redis_client client;
	zend_object std;
} paylock_redis_store;

/* The connection settings of a RedisStore. */
static inline paylock_redis_client *paylock_redis_store_client(paylock_store *s)
{
	return &((paylock_redis_store *)s)->client;
}

/* How long a hand-off waits for its waiter to claim it (ms, a script argument). */
#define PAYLOCK_REDIS_GRANT_MS "100"

/* "<token>:<pid>:<ms>:<host>[|<fence>][+]" (a lock's value) -> holder() array. FAILED: not PayLock's. */
paylock_status paylock_redis_describe_value(const char *v, size_t len, long long pttl, zval *out);

/* Idempotency records on Redis (redis_idem.c). */
extern const paylock_idem_ops paylock_redis_idem_ops;
void paylock_redis_idem_minit(void);

/* Large idempotency results outside Lua (redis_idem_big.c). publish: YES published, NO another owner has
 * the claim (the result is discarded). fetch: YES *result read, NO it is not there (forgotten or expired). */
paylock_status paylock_redis_idem_publish(paylock_redis_client *c, paylock_idem_req *rq,
										  const zend_string *result, paylock_error *err);
paylock_status paylock_redis_idem_fetch(paylock_redis_client *c, const paylock_idem_req *rq,
										zend_string **result, paylock_error *err);
void paylock_redis_idem_big_minit(void);

/* The one-trip hand-off's lease extension (redis_handoff.c). extend: writes it for the woken waiter of
 * l (one name) without reading the reply, kept in l->priv; false when it could not be written. settle: before
 * any other call on l, reads and checks it: YES ours, NO the lock is lost, FAILED (err) Redis did not answer
 * (asked again next time). forget: lets go of it without I/O. */
bool paylock_redis_handoff_extend(paylock_redis_client *c, paylock_lock_state *l, const char *key,
								  size_t klen, const char *mine, size_t mine_len, const char *ttl,
								  size_t ttl_len, const char *head, size_t head_len);
/* The token of the waiter that queued behind l when the lock was handed to it (named by the wake-up), or
 * NULL: its release declares that waiter's wake-up list at once. */
const char *paylock_redis_handoff_head(const paylock_lock_state *l);
/* Two-trip hand-off of one name: keeps the head the wake-up named, for paylock_redis_handoff_head. */
void paylock_redis_handoff_note_head(paylock_lock_state *l, const char *head, size_t head_len);
paylock_status paylock_redis_handoff_settle(paylock_redis_client *c, paylock_lock_state *l, uint32_t n,
											paylock_error *err);
void paylock_redis_handoff_forget(paylock_lock_state *l, uint32_t n);
void paylock_redis_handoff_minit(void);

#endif
