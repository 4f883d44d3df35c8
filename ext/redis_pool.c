/* The per-process connection pool: one connection per pool key (every setting that changes what a
 * connection is), kept across requests, never used by a forked child. */
#include "php_paylock.h"
#include "redis_io.h"
#include "token.h"

static void conn_free(paylock_redis_conn *conn, bool persistent)
{
	/* In a forked child the stream is only released: nothing is sent into the parent's session. */
	conn->t.ops->close(&conn->t, conn->pid == paylock_pid());
	paylock_resp_reader_free(conn->reader);
	pefree(conn, persistent);
}

void paylock_redis_pool_entry_dtor(zval *zv)
{
	conn_free(Z_PTR_P(zv), 1);
}

uint32_t paylock_redis_pool_size(void)
{
	return zend_hash_num_elements(&PAYLOCK_G(pool));
}

void paylock_redis_client_close(paylock_redis_client *c)
{
	if (c->own) {
		conn_free(c->own, 0);
		c->own = NULL;
	}
}

void paylock_redis_conn_drop(paylock_redis_client *c, paylock_redis_conn *conn)
{
	if (c->persistent) {
		zend_hash_str_del(&PAYLOCK_G(pool), ZSTR_VAL(c->pool_key), ZSTR_LEN(c->pool_key));
	} else {
		conn_free(conn, 0);
		c->own = NULL;
	}
}

paylock_redis_conn *paylock_redis_conn_get(paylock_redis_client *c, bool *fresh, paylock_error *err)
{
	paylock_redis_conn *conn =
		c->persistent ? zend_hash_str_find_ptr(&PAYLOCK_G(pool), ZSTR_VAL(c->pool_key), ZSTR_LEN(c->pool_key))
					  : c->own;

	*fresh = false;
	if (conn && conn->pid != paylock_pid()) {
		paylock_redis_conn_drop(c, conn); /* inherited across fork: abandon without a word on the wire */
		conn = NULL;
	} else if (conn && paylock_now_ns() - conn->last_used_ns > PAYLOCK_REDIS_IDLE_CHECK_NS &&
			   conn->t.ops->idle_broken(&conn->t)) {
		paylock_redis_conn_drop(c, conn); /* the peer closed while it idled (Redis restarted) */
		conn = NULL;
	}
	if (conn) {
		return conn;
	}
	conn = paylock_redis_conn_open(c, err);
	if (conn == NULL) {
		return NULL;
	}
	*fresh = true;
	if (c->persistent) {
		/* The str variant copies the key as persistent memory: the pool outlives the request. */
		zend_hash_str_update_ptr(&PAYLOCK_G(pool), ZSTR_VAL(c->pool_key), ZSTR_LEN(c->pool_key), conn);
	} else {
		c->own = conn;
	}
	return conn;
}
