/* Every limit and tunable outside the Lua scripts, named once, with why it has its value. Messages
 * format these constants rather than repeat the numbers. (The hand-off timings the scripts share,
 * GRANT_MS, HEARTBEAT_MS, ENTRY_LIFE_MS and the fence bounds, stay beside the scripts in redis_store.c.) */
#ifndef PAYLOCK_TUNING_H
#define PAYLOCK_TUNING_H

/* ---- limits of the API (README "Errors": a ValueError names the argument) ---- */

/* Longest lock name, in bytes: bounds every key buffer below. */
#define PAYLOCK_MAX_NAME 1024
/* Most names in one MultiLock: its acquire is one script call with 3 keys per name. */
#define PAYLOCK_MAX_NAMES 1024
/* Longest ttl, timeout or lease, in seconds (30 days): far past any payment step, and ms fit in 53 bits. */
#define PAYLOCK_MAX_SECONDS_INT 2592000
#define PAYLOCK_MAX_SECONDS     ((double)PAYLOCK_MAX_SECONDS_INT)
#define PAYLOCK_SECONDS_PER_DAY 86400

/* ---- Redis keys ---- */

/* Longest RedisStore key prefix, in bytes: with PAYLOCK_MAX_NAME it sizes the key buffers. */
#define PAYLOCK_REDIS_PREFIX_MAX 256
/* prefix "{" name "}" plus the longest suffix of a lock's keys (":q", ":w") and the NUL, with room. */
#define PAYLOCK_REDIS_KEY_MAX (PAYLOCK_REDIS_PREFIX_MAX + PAYLOCK_MAX_NAME + 8)

/* Connection timeouts: below a millisecond hiredis' timeval rounds to 0, which blocks forever; an hour
 * is past any sane setting. */
#define PAYLOCK_REDIS_MIN_TIMEOUT_S 0.001
#define PAYLOCK_REDIS_MAX_TIMEOUT_S 3600
/* A pooled socket idle for longer than this is checked for a peer close before reuse. */
#define PAYLOCK_REDIS_IDLE_CHECK_NS (1000ULL * 1000 * 1000)
/* Between tries to reach a Redis that refused us (restarting): short, so a waiter resumes soon after. */
#define PAYLOCK_REDIS_RETRY_PAUSE_NS (20ULL * 1000 * 1000)
/* Most commands in one pipeline (paylock_redis_pipeline): the stores send two or three. */
#define PAYLOCK_REDIS_PIPELINE_MAX 16
/* Commands are encoded on the stack up to this size (every lock and claim command fits), and arguments
 * of at least PAYLOCK_WIRE_REF_MIN bytes are written from where they are (writev), at most
 * PAYLOCK_WIRE_REFS_MAX per write (the rest are copied). */
#define PAYLOCK_WIRE_STACK_BYTES 2048
#define PAYLOCK_WIRE_REF_MIN     (16 * 1024)
#define PAYLOCK_WIRE_REFS_MAX    4
/* A string reply longer than this (Redis' own proto-max-bulk-len) is left to the parser, which refuses it. */
#define PAYLOCK_REDIS_BULK_MAX (512ULL * 1024 * 1024)
/* Longest life of a release's tombstone, whatever the timeouts: one key per release must not pile up. */
#define PAYLOCK_REDIS_TOMBSTONE_MAX_MS 60000
/* A hand-off script asks for its waiters' wake-up lists in KEYS and is sent again; it asks again only
 * when the queue head left or died in between, so a few tries suffice (more: the queue is churning). */
#define PAYLOCK_REDIS_HANDOFF_TRIES 16
/* A waiter woken by a one-trip hand-off counts the lock as its own at once only when it sends the lease
 * extension within this long of its last acquire call (the grant came after that call, so its lease,
 * PAYLOCK_LUA_HANDOFF_LEASE_MS, has at least the rest to run): more than a heartbeat (HEARTBEAT_MS, the
 * longest block) and its round trip, and well short of the lease, which keeps 600 ms for the extension
 * to reach a stalled Redis. Later (descheduled around the wake-up), it reads the extension's reply
 * first. */
#define PAYLOCK_REDIS_HANDOFF_FAST_NS (400ULL * 1000 * 1000)
/* Idempotency results longer than this are stored outside Lua (a plain SET pipelined with a small
 * publish script, replayed with a plain GET): copying them through Lua costs several times a SET. */
#define PAYLOCK_REDIS_IDEM_INLINE_MAX (16 * 1024)
/* How long a large result staged for publishing waits for its publish script (sent in the same trip). */
#define PAYLOCK_REDIS_IDEM_STAGE_MS 60000
/* A replay that finds the published result gone (forgotten or expired between claim and GET) claims
 * again; after this many tries the record reads as damaged. */
#define PAYLOCK_REDIS_IDEM_FETCH_TRIES 3

/* ---- Redis Cluster and Sentinel (redis_router.c, redis_cluster.c, redis_sentinel.c) ---- */

/* Most host:port pairs in a redis+cluster:// or redis+sentinel:// DSN. */
#define PAYLOCK_ROUTER_MAX_SEEDS 16
/* Most nodes in a cached slot map (the slot table stores a node index in a byte). */
#define PAYLOCK_CLUSTER_MAX_NODES 255
/* MOVED/ASK/READONLY redirects followed for one command (hiredis-cluster and predis use 5). */
#define PAYLOCK_CLUSTER_MAX_REDIRECTS 5
/* Connect and read timeout towards a Sentinel: one that hangs must not eat the caller's deadline. */
#define PAYLOCK_SENTINEL_TIMEOUT_S 0.25

/* ---- waiting ---- */

/* A queued waiter's entry outlives its deadline by this much, so the holder's hand-off never picks a
 * waiter that just gave up, and a killed waiter costs at most about ENTRY_LIFE_MS. */
#define PAYLOCK_WAITER_LIFE_SLACK_MS 100
/* A lock waiter wakes this long after the holder's lease end: the key has expired by then. */
#define PAYLOCK_LOCK_WAKE_SLACK_MS 1
/* A claim waiter wakes this long after the owner's lease end (the claim script reads TIME, in ms). */
#define PAYLOCK_IDEM_WAKE_SLACK_MS 2
/* The deadline signal (deadline.c): a real-time signal clear of the ones glibc and PHP use (SIGRTMIN
 * itself is taken by some thread libraries), so a flock() wait is interrupted at its deadline. */
#define PAYLOCK_DEADLINE_SIGNAL (SIGRTMIN + 4)
/* The deadline timer re-arms every 5 ms: a signal that lands just before flock() blocks is followed by
 * another, so a wait overruns its deadline by at most this much. */
#define PAYLOCK_DEADLINE_REARM_NS 5000000L

/* ---- idempotency (IdempotencyGuard options) ---- */

/* Longest key prefix and scope: they are part of every record's name, which must fit a Redis key. */
#define PAYLOCK_IDEM_MAX_PREFIX 64
#define PAYLOCK_IDEM_MAX_SCOPE  255
/* Longest retention: a year and a day, past any chargeback window. */
#define PAYLOCK_IDEM_MAX_RETENTION_S (366.0 * 86400.0)
/* Largest stored result: Redis' largest string. */
#define PAYLOCK_IDEM_MAX_RESULT_BYTES (512L * 1024 * 1024)
/* Defaults: a day of replays, a ten-minute step, a megabyte of result. */
#define PAYLOCK_IDEM_DEFAULT_RETENTION_S 86400.0
#define PAYLOCK_IDEM_DEFAULT_LEASE_S     600.0
#define PAYLOCK_IDEM_DEFAULT_MAX_BYTES   (1024L * 1024)

/* ---- the result codec (codec.c) ---- */

/* Deepest nesting of a stored result: deeper is a bug (or a cycle), and recursion must stay bounded. */
#define PAYLOCK_CODEC_MAX_DEPTH 64
/* Values an encoding may hold, counted while walking: a sub-array reached twice counts twice, so shared
 * sub-arrays cannot blow a small PHP array up into gigabytes (or a fatal out-of-memory error). */
#define PAYLOCK_CODEC_MAX_NODES 1000000
/* A fingerprint identifies a request; its canonical encoding is hashed, never stored. */
#define PAYLOCK_CODEC_MAX_FINGERPRINT_BYTES (4 * 1024 * 1024)

/* ---- warnings ---- */

/* An E_WARNING about a failed release or claim hand-back is raised the first time in each request, then at
 * most this often while the same request goes on: a queue worker (one request for hours) that keeps
 * failing during an outage must not write a line per job. The next warning says how many were left out. */
#define PAYLOCK_WARNING_REPEAT_NS (60ULL * 1000 * 1000 * 1000)
/* Distinct warning sites the limiter keeps apart (more share the last slot). */
#define PAYLOCK_WARNING_SITES 8

/* ---- FallbackStore ---- */

/* Longest note a local store keeps with a held lock (paylock_local_ops): "R" + a unix ms + newline. */
#define PAYLOCK_LOCAL_NOTE_MAX 24
/* A long-running process is reminded at most this often while it stays degraded. */
#define PAYLOCK_DEGRADED_REMIND_NS (60ULL * 1000 * 1000 * 1000)
/* A same-host waiter looks at the local holder's note at least this often (it may refresh or degrade). */
#define PAYLOCK_MARK_LOOK_NS (250ULL * 1000 * 1000)
/* A FallbackStore holder stops counting on its Redis lease this long before the end its mark shows, so it
 * never degrades while a same-host waiter may already go past it (waiters bypass only after the end). */
#define PAYLOCK_OWN_LEASE_MARGIN_MS (PAYLOCK_MARK_LOOK_NS / 1000000)

/* ---- replica acknowledgement (redis_replicas.c) ---- */

/* Most replicas a write may wait for: far past any real topology, keeps the WAIT argument small. */
#define PAYLOCK_REPLICAS_MAX 64
/* replica_timeout bounds: WAIT 0 means "forever" to Redis, so at least a millisecond; a minute at most. */
#define PAYLOCK_REPLICA_TIMEOUT_MIN_S     0.001
#define PAYLOCK_REPLICA_TIMEOUT_MAX_S     60.0
#define PAYLOCK_REPLICA_TIMEOUT_DEFAULT_S 0.1
/* Redis ends a blocked WAIT on its hz tick (100 ms at the default hz 10): the read timeout must cover
 * replica_timeout plus this, or a WAIT that Redis ends late reads as a broken connection. */
#define PAYLOCK_REPLICA_WAIT_SLACK_S 0.2
/* replicas => 'auto' with no replica connected sends no WAIT; the replica count is looked at again after
 * this long, so a replica that (re)attaches is waited for within a second. */
#define PAYLOCK_REPLICAS_RECHECK_NS (1000ULL * 1000 * 1000)
/* replicas => 'auto' keeps waiting this long for a replica that left: when a replica is promoted, the old
 * primary loses it and keeps taking writes until Sentinel demotes it (10 s measured); those writes must
 * fail, not be acknowledged and then lost. After this, fewer replicas are the new normal. */
#define PAYLOCK_REPLICAS_AUTO_HOLD_NS (30ULL * 1000 * 1000 * 1000)
/* PayLock\Admin: a page holds at most this many entries (one script call over the page's keys). */
#define PAYLOCK_ADMIN_MAX_COUNT 1000
/* SCAN calls per page at most: a prefix few keys match returns a short page and a cursor, not a long stall.
 */
#define PAYLOCK_ADMIN_SCAN_ROUNDS 16
/* Waiters a queue listing shows at most. */
#define PAYLOCK_ADMIN_MAX_QUEUE 1000
/* Hex digits of a waiter's token shown: enough to tell waiters apart, too few to act as one. */
#define PAYLOCK_ADMIN_TOKEN_SHOWN 8
/* Admin::markDone(): the lease of its own short claim, and how long the result is kept by default. */
#define PAYLOCK_ADMIN_RESOLVE_LEASE_MS    60000
#define PAYLOCK_ADMIN_RESOLVE_RETENTION_S 86400.0

#endif
