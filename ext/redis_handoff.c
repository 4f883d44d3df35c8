/* The woken side of the one-trip hand-off (RedisStore, a single name). The release wrote the waiter's own
 * lock value with a short lease (HANDOFF_LEASE_MS) and woke it, so the waiter holds the lock as soon as
 * its BLPOP returns. It extends the lease to its ttl with the handoff_claim script, written without
 * waiting for the reply: the reply is read before the next command on that connection (any command, and
 * request end at the latest) and checked at the lock's next call, where a failed extension reads as the
 * lock lost. A connection that broke before the reply came is asked again, synchronously. */
#include "php_paylock.h"
#include "redis_store_internal.h"
#include "redis_conn.h"
#include "lua_scripts.h"

static paylock_script claim_script;

/* The claim script's keys and arguments: lock, queue; our lock value, ttl. */
#define CLAIM_ARGS 4

/* One trip only for a single name on a plain connection. A MultiLock waiter's next script call must take
 * its other names too. With replicas its WAIT must cover the releaser's grant write before it counts the
 * lock as its own. Through a router (Cluster, Sentinel) the extension cannot be left owing on a node
 * connection the router picks per command, so it would be a second trip anyway: the acquire script
 * takes the grant instead, on the routed path that follows redirects. */
paylock_handoff_mode paylock_redis_handoff_mode(const paylock_redis_client *c, uint32_t n)
{
	return n == 1 && c->replicas == 0 && c->router == NULL ? PAYLOCK_HANDOFF_ONE_TRIP
														   : PAYLOCK_HANDOFF_TWO_TRIP;
}

/* What a woken waiter keeps until its extension's reply is checked (l->priv). */
typedef struct {
	paylock_redis_pending *pending; /* NULL once checked */
	char *buf;                      /* lock and queue keys, our lock value, ttl: to ask again */
	size_t lens[CLAIM_ARGS];
	char head[PAYLOCK_TOKEN_HEX + 1]; /* the waiter behind us when we were woken, or "" */
} handoff_ext;

static void ext_free(handoff_ext *x)
{
	if (x->pending) {
		paylock_redis_pending_release(x->pending);
	}
	if (x->buf) {
		efree(x->buf);
	}
	efree(x);
}

static void keep_head(handoff_ext *x, const char *head, size_t head_len)
{
	x->head[0] = '\0';
	if (head_len == PAYLOCK_TOKEN_HEX) {
		memcpy(x->head, head, PAYLOCK_TOKEN_HEX);
		x->head[PAYLOCK_TOKEN_HEX] = '\0';
	}
}

void paylock_redis_handoff_note_head(paylock_lock_state *l, const char *head, size_t head_len)
{
	handoff_ext *x = ecalloc(1, sizeof(*x)); /* nothing pending: settle has nothing to check */

	keep_head(x, head, head_len);
	paylock_redis_handoff_forget(l, 1);
	l->priv = x;
}

const char *paylock_redis_handoff_head(const paylock_lock_state *l)
{
	const handoff_ext *x = l->priv;

	return x && x->head[0] ? x->head : NULL;
}

static void ext_argv(handoff_ext *x, const char **argv, size_t *lens)
{
	const char *at = x->buf;

	for (int i = 0; i < CLAIM_ARGS; i++) {
		argv[3 + i] = at;
		lens[3 + i] = x->lens[i];
		at += x->lens[i];
	}
}

bool paylock_redis_handoff_extend(paylock_redis_client *c, paylock_lock_state *l, const char *key,
								  size_t klen, const char *mine, size_t mine_len, const char *ttl,
								  size_t ttl_len, const char *head, size_t head_len)
{
	handoff_ext *x = emalloc(sizeof(*x));
	const char *argv[3 + CLAIM_ARGS] = {"EVAL", claim_script.body, "2"};
	size_t lens[3 + CLAIM_ARGS] = {4, strlen(claim_script.body), 1};
	char *at;

	keep_head(x, head, head_len);
	x->lens[0] = klen;
	x->lens[1] = klen + 2;
	x->lens[2] = mine_len;
	x->lens[3] = ttl_len;
	at = x->buf = emalloc(2 * klen + 2 + mine_len + ttl_len);
	memcpy(at, key, klen);
	memcpy(at + klen, key, klen);
	memcpy(at + 2 * klen, ":q", 2);
	memcpy(at + 2 * klen + 2, mine, mine_len);
	memcpy(at + 2 * klen + 2 + mine_len, ttl, ttl_len);
	ext_argv(x, argv, lens);
	/* By body: no NOSCRIPT to recover from after a restart or SCRIPT FLUSH (nobody waits for this reply). */
	x->pending = paylock_redis_send_deferred(c, 3 + CLAIM_ARGS, argv, lens);
	paylock_redis_handoff_forget(l, 1);
	l->priv = x;
	return x->pending->state == PAYLOCK_PENDING_OWED;
}

/* Asks again, synchronously: the first extension's reply was lost with its connection. */
static paylock_status ask_again(paylock_redis_client *c, handoff_ext *x, paylock_error *err)
{
	const char *argv[3 + CLAIM_ARGS];
	size_t lens[3 + CLAIM_ARGS];

	ext_argv(x, argv, lens);
	return paylock_redis_eval_yesno(c, &claim_script, "the hand-off claim script", 2, 3 + CLAIM_ARGS, argv,
									lens, err);
}

paylock_status paylock_redis_handoff_settle(paylock_redis_client *c, paylock_lock_state *l, uint32_t n,
											paylock_error *err)
{
	handoff_ext *x = n == 1 ? l->priv : NULL;
	paylock_status st;

	if (x == NULL || x->pending == NULL) {
		return PAYLOCK_YES;
	}
	if (x->pending->state == PAYLOCK_PENDING_OWED) {
		paylock_redis_pending_read(c);
	}
	switch (x->pending->state) {
	case PAYLOCK_PENDING_READ:
		if (x->pending->value == 0 || x->pending->value == 1) {
			st = x->pending->value == 1 ? PAYLOCK_YES : PAYLOCK_NO;
			break;
		}
		ZEND_FALLTHROUGH; /* an error reply (a script killed, OOM...): ask again */
	default:
		st = ask_again(c, x, err);
		if (st == PAYLOCK_FAILED) {
			return st; /* kept: the next call asks again */
		}
	}
	paylock_redis_pending_release(x->pending);
	x->pending = NULL; /* the head stays, for the release */
	return st;
}

void paylock_redis_handoff_forget(paylock_lock_state *l, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		if (l[i].priv) {
			ext_free(l[i].priv);
			l[i].priv = NULL;
		}
	}
}

void paylock_redis_handoff_minit(void)
{
	paylock_script_init(&claim_script, PAYLOCK_LUA_HANDOFF_CLAIM);
}
