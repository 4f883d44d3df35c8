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
 * reads at its next command. Until that extension arrives the waiter already counts the lock as its
 * own: so nobody may take it back before the grant's own lease, HANDOFF_LEASE_MS, is over (a shorter
 * confirm time let a woken waiter descheduled for 100 ms share the lock with the next one), and the
 * lease ending is all that takes it back (Redis expires the key; nothing else records the grant). The
 * lease is what a stall (a fork, a slow command, SIGSTOP, a busy client)
 * between the grant and the extension must not outlast, and how long a waiter killed just as it was
 * handed the lock holds the queue up (also an acquire(0) behind it). A waiter that sends its extension
 * later than PAYLOCK_REDIS_HANDOFF_FAST_NS after its last acquire call reads the reply before it counts
 * the lock as its own, so only a Redis stall longer than the rest of the lease (600 ms at least) can
 * outlast it. */
#define PAYLOCK_LUA_HANDOFF_LEASE_MS 1000
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
