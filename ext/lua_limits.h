/* Constants the Lua scripts in ext/lua/ share with the C. scripts/gen-lua.sh replaces {{NAME}} in a script
 * with the value of PAYLOCK_LUA_NAME below (plain decimal integers only, one #define per line), so a limit
 * is written once. Change a value, then run scripts/gen-lua.sh and commit ext/lua_scripts.h. */
#ifndef PAYLOCK_LUA_LIMITS_H
#define PAYLOCK_LUA_LIMITS_H

/* Hex characters of a lock or claim token: the prefix of a lock value that says who holds it. */
#define PAYLOCK_LUA_TOKEN_HEX 32
/* Keys per lock name in the acquire, release and leave scripts (lock, queue, waiters, own wake-up list,
 * own release tombstone, the queue head's wake-up list): every key a script touches is passed in KEYS
 * (Redis Cluster, ElastiCache Serverless, Dragonfly). */
#define PAYLOCK_LUA_KEYS_PER_NAME 6
/* One-trip hand-off: a release writes a single-name waiter's own holder value and wakes it; the woken
 * waiter holds the lock at once and extends the lease to its ttl with a pipelined call whose reply it
 * reads at its next command. Until that extension arrives the grant is unconfirmed: after
 * HANDOFF_CONFIRM_MS the next waiter's heartbeat presumes the woken waiter dead and takes the lock back
 * (the dead-waiter bound of a "=<token>" grant nobody claims, GRANT_MS in redis_store.c: the same 100 ms).
 * The grant's own lease, HANDOFF_LEASE_MS, is what a Redis stall (a fork, a slow command, SIGSTOP)
 * between the grant and the extension must not outlast: the clock runs on while Redis stands still. It
 * is also how long an acquire(0) may find the lock busy behind a waiter that died just when woken. */
#define PAYLOCK_LUA_HANDOFF_CONFIRM_MS 100
#define PAYLOCK_LUA_HANDOFF_LEASE_MS   2000
/* A lock's queue and waiters hash outlive their last waiter by this long (waiters renew them). */
#define PAYLOCK_LUA_QUEUE_IDLE_MS 60000
/* Fencing tokens stay below 2^53: Lua numbers are doubles, exact up to there (µs clock: year 2255). */
#define PAYLOCK_LUA_FENCE_MAX 9007199254740991
/* An idempotency record's wake list outlives its last push by this long (waiters BLPOP it). */
#define PAYLOCK_LUA_WAKE_LIST_MS 60000
/* At most this many wake-ups per finish, pushed in batches (Lua's unpack() has a stack limit). */
#define PAYLOCK_LUA_WAKE_MAX   100000
#define PAYLOCK_LUA_WAKE_BATCH 500

#endif
