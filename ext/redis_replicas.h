/* Replica acknowledgement (RedisStore options replicas and replica_timeout): every write that grants or
 * records something is followed, in the same round trip, by WAIT (WAITAOF on Redis >= 7.2 with AOF on),
 * so a failover cannot lose what PayLock reported as done. Uses only the redis_conn.h API. */
#ifndef PAYLOCK_REDIS_REPLICAS_H
#define PAYLOCK_REDIS_REPLICAS_H

#include "redis_conn.h"

/* replicas => 'auto': every replica connected to the primary (INFO replication), looked at again when a
 * WAIT's count differs and after a reconnect. */
#define PAYLOCK_REPLICAS_AUTO (-1)

/* How one write was acknowledged. wanted 0: no WAIT was sent (option off, or 'auto' with no replica). */
typedef struct {
	int wanted;
	int acked;
	char refused[96]; /* the server's error reply to WAIT, if it refused it */
} paylock_ack;

/* Options "replicas" and "replica_timeout" of RedisStore's $options (arg 2): *known false for other keys. */
zend_result paylock_replicas_option(paylock_redis_client *c, const zend_string *key, zval *val, bool *known);
/* After every option is parsed: replica_timeout must fit inside read_timeout. */
zend_result paylock_replicas_check_options(const paylock_redis_client *c);

/* paylock_redis_command / paylock_redis_eval followed in the same round trip by WAIT when c asks for
 * replicas; *ack says how the write was acknowledged (meaningful only when the write wrote). */
paylock_reply *paylock_acked_command(paylock_redis_client *c, int argc, const char **argv, const size_t *lens,
									 paylock_ack *ack, paylock_error *err);
paylock_reply *paylock_acked_eval(paylock_redis_client *c, paylock_script *s, int nkeys, int argc,
								  const char **argv, size_t *lens, paylock_ack *ack, paylock_error *err);

/* YES when the write was acknowledged as asked. Otherwise FAILED with a CONNECTION error marked
 * unreplicated: "<what> on Redis at <where> but acknowledged by k of n replicas within t ms; <then>". */
paylock_status paylock_ack_verdict(const paylock_redis_client *c, const paylock_ack *ack, const char *what,
								   const char *then, paylock_error *err);

/* Destructor of PAYLOCK_G(replica_facts) entries. */
void paylock_replicas_facts_dtor(zval *zv);

#endif
