<?php

/**
 * PayLock: race-free payment and inventory code for PHP.
 * This file is the API (arginfo is generated from it) and the IDE stub users get.
 *
 * @generate-class-entries
 */

namespace PayLock {
    /**
     * A lock backend: RedisStore, FileStore or FallbackStore. Only PayLock's own classes implement it.
     */
    interface Store {}

    /**
     * Locks on a Redis server. One persistent connection per process per DSN and options.
     *
     * @strict-properties
     * @not-serializable
     */
    final class RedisStore implements Store
    {
        /**
         * @param string|null $dsn redis://[user[:pass]@]host[:port][/db][?option=value&...]
         *                         | unix:///path/redis.sock[?db=N&option=value...] | rediss://... ; every option
         *                         can be given in the query; null takes ini paylock.redis_dsn
         * @param array $options connect_timeout (s, 1.0), read_timeout (s, 1.0), persistent (bool, ini
         *                       paylock.persistent), prefix (string, 'paylock:'), tls (array: turns TLS on, as
         *                       rediss:// does; cafile, capath, local_cert, local_pk, passphrase, peer_name,
         *                       ciphers (strings), verify_peer, verify_peer_name (bool, true)), replicas (int or
         *                       'auto', 0: replicas that must acknowledge each granting write), replica_timeout
         *                       (s, 0.1); these win over the same option in the DSN's query
         * @phpstan-param array{connect_timeout?: float, read_timeout?: float, persistent?: bool, prefix?: string, tls?: array<string,string|bool>, replicas?: int|'auto', replica_timeout?: float} $options
         * @throws \ValueError a malformed DSN, an unknown option or an out-of-range timeout (the message names it)
         * @throws \TypeError an option of the wrong type
         * @throws StoreException rediss:// or the tls option in a build without OpenSSL
         */
        public function __construct(#[\SensitiveParameter] ?string $dsn = null, array $options = []) {}

        /**
         * True when the server answers PING; ConnectionException when it cannot be reached.
         *
         * @throws ConnectionException the server cannot be reached, refused the credentials, or the connection broke
         * @throws StoreException the server answered something other than PONG
         */
        public function ping(): bool {}
    }

    /**
     * Locks as flock(2) on files in one directory (created 0700 if missing); for hosts without Redis.
     * A file lock has no lease: it lasts until release() or the end of the process.
     *
     * @strict-properties
     * @not-serializable
     */
    final class FileStore implements Store
    {
        /**
         * @param string|null $dir absolute path; null takes ini paylock.lock_dir (default: temp dir + /paylock-<euid>)
         * @param string|null $group shared group (name or gid) whose members exclude each other in one 2770 dir;
         *                           null takes ini paylock.lock_group ('' none)
         * @throws StoreException the directory cannot be created, is a symlink, is not a directory, is not writable,
         *                        or is owned by another user or writable by others (see the README's trust rules)
         * @throws \ValueError a relative or empty path, or an unknown group
         */
        public function __construct(?string $dir = null, ?string $group = null) {}

        /** The lock directory. A lock's file is directory() . '/' . hash('sha256', $name). */
        public function directory(): string {}

        /**
         * Removes expired idempotency records (never a running claim's) and stale temp files; returns how many.
         *
         * @throws StoreException the directory cannot be read
         */
        public function purge(): int {}
    }

    /**
     * Takes the local file lock first, then the Redis lock. When Redis cannot be reached it carries on with
     * the local lock alone (Lock::isDegraded(), one E_WARNING per request), or throws with on_redis_down 'fail'.
     *
     * @strict-properties
     * @not-serializable
     */
    final class FallbackStore implements Store
    {
        /**
         * @param array $options on_redis_down: 'degrade' (default) | 'fail'
         * @phpstan-param array{on_redis_down?: 'degrade'|'fail'} $options
         * @throws \ValueError an unknown option or on_redis_down value
         */
        public function __construct(RedisStore $primary, FileStore $local, array $options = []) {}
    }

    /**
     * A named mutual-exclusion lock with a lease (TTL) and a fencing token.
     *
     * @strict-properties
     * @not-serializable
     */
    final class Lock
    {
        /**
         * @param float|null $ttl lease in seconds (0 < ttl <= 30 days); null takes ini paylock.default_ttl
         * @throws \ValueError an empty name or one over 1024 bytes, or a ttl out of range
         */
        public function __construct(Store $store, string $name, ?float $ttl = null) {}

        /**
         * Takes the lock, waiting up to $wait seconds; false when it was not acquired in time.
         *
         * @param float $wait seconds to wait (finite, >= 0); waiters are served first come, first served
         * @throws ConnectionException Redis unreachable, credentials refused or connection broken (FallbackStore: with on_redis_down 'fail')
         * @throws StoreException an unexpected answer from Redis, or a file I/O error
         * @throws \ValueError a negative or non-finite $wait
         */
        public function acquire(float $wait = 0.0): bool {}

        /**
         * Like acquire(), but throws LockTimeoutException instead of returning false.
         *
         * @throws LockTimeoutException the lock was not acquired within $wait seconds
         * @throws ConnectionException Redis unreachable, credentials refused or connection broken (FallbackStore: with on_redis_down 'fail')
         * @throws StoreException an unexpected answer from Redis, or a file I/O error
         * @throws \ValueError a negative or non-finite $wait
         */
        public function acquireOrFail(float $wait = 0.0): void {}

        /**
         * Releases the lock; false when it was no longer ours (expired, or taken by another holder).
         *
         * @throws ConnectionException Redis unreachable, credentials refused or connection broken (FallbackStore: with on_redis_down 'fail')
         * @throws StoreException an unexpected answer from Redis, or a file I/O error
         */
        public function release(): bool {}

        /**
         * Extends the lease to $ttl seconds from now (default: the lock's ttl); LockLostException if lost.
         *
         * @throws LockLostException the lock is no longer held by this object (lease expired, another holder took it)
         * @throws ConnectionException Redis unreachable, credentials refused or connection broken (FallbackStore: with on_redis_down 'fail')
         * @throws StoreException an unexpected answer from Redis, or a file I/O error
         * @throws \ValueError a ttl out of range (0 < ttl <= 30 days)
         */
        public function refresh(?float $ttl = null): void {}

        /**
         * Asks the store whether this object still holds the lock.
         *
         * @throws ConnectionException Redis unreachable, credentials refused or connection broken (FallbackStore: with on_redis_down 'fail')
         * @throws StoreException an unexpected answer from Redis, or a file I/O error
         */
        public function isAcquired(): bool {}

        /**
         * Seconds left on the lease by the monotonic clock; INF for a file lock; null when not held.
         *
         * Never throws: it asks no store.
         */
        public function remainingLifetime(): ?float {}

        /**
         * Strictly increasing per name across holders; LockLostException when not held.
         *
         * @throws LockLostException the lock is not held by this object (a token already issued is returned even after expiry)
         * @throws ConnectionException Redis unreachable, credentials refused or connection broken (FallbackStore: with on_redis_down 'fail')
         * @throws StoreException an unexpected answer from Redis, or a file I/O error
         */
        public function fencingToken(): int {}

        /**
         * acquireOrFail($wait), $fn(), release() in a finally block; returns what $fn returned.
         *
         * @template T
         * @param callable $fn the critical section; runs only while the lock is held
         * @phpstan-param callable(): T $fn
         * @phpstan-return T
         * @throws LockTimeoutException the lock was not acquired within $wait seconds ($fn did not run)
         * @throws LockLostException the lease ran out while $fn ran (the critical section may have overlapped)
         * @throws ConnectionException Redis unreachable, credentials refused or connection broken (FallbackStore: with on_redis_down 'fail')
         * @throws StoreException an unexpected answer from Redis, or a file I/O error
         * @throws \Throwable whatever $fn throws (the lock is released first)
         */
        public function run(callable $fn, float $wait = 0.0): mixed {}

        /**
         * True when a FallbackStore holds this lock on the local file lock only.
         *
         * Never throws: it asks no store.
         */
        public function isDegraded(): bool {}
    }

    /**
     * Several named locks taken all or none in one step (a cart's products, two accounts of a transfer).
     * Names are sorted and duplicates merged; two MultiLocks sharing names never deadlock. On Redis one
     * script call takes them all; on files they are taken in sorted order and rolled back on failure.
     *
     * @strict-properties
     * @not-serializable
     */
    final class MultiLock
    {
        /**
         * @param array $names 1 to 1024 lock names (the same names as Lock's: a Lock on one of them excludes too)
         * @param float|null $ttl lease in seconds (0 < ttl <= 30 days); null takes ini paylock.default_ttl
         * @phpstan-param list<string>|array<array-key, string> $names
         * @throws \ValueError no names, over 1024 names, an empty name or one over 1024 bytes, or a ttl out of range
         * @throws \TypeError a name that is not a string
         */
        public function __construct(Store $store, array $names, ?float $ttl = null) {}

        /**
         * Takes every lock, waiting up to $wait seconds; false (none held) when not all were free in time.
         * While one name is busy it holds none of them and queues on that name, so MultiLocks sharing names
         * never deadlock.
         *
         * @implementation-alias PayLock\Lock::acquire
         * @param float $wait seconds to wait for all of them (finite, >= 0)
         * @throws ConnectionException Redis unreachable, credentials refused or connection broken (FallbackStore: with on_redis_down 'fail')
         * @throws StoreException an unexpected answer from Redis, or a file I/O error
         * @throws \ValueError a negative or non-finite $wait
         */
        public function acquire(float $wait = 0.0): bool {}

        /**
         * Like acquire(), but throws LockTimeoutException instead of returning false (and holds none).
         *
         * @implementation-alias PayLock\Lock::acquireOrFail
         * @throws LockTimeoutException not every lock was acquired within $wait seconds
         * @throws ConnectionException Redis unreachable, credentials refused or connection broken (FallbackStore: with on_redis_down 'fail')
         * @throws StoreException an unexpected answer from Redis, or a file I/O error
         * @throws \ValueError a negative or non-finite $wait
         */
        public function acquireOrFail(float $wait = 0.0): void {}

        /**
         * Releases every lock; false when one of them was no longer ours (the others are released all the same).
         *
         * @implementation-alias PayLock\Lock::release
         * @throws ConnectionException Redis unreachable, credentials refused or connection broken (FallbackStore: with on_redis_down 'fail')
         * @throws StoreException an unexpected answer from Redis, or a file I/O error
         */
        public function release(): bool {}

        /**
         * Extends every lease; LockLostException (and the rest released) when one of them was lost.
         *
         * @implementation-alias PayLock\Lock::refresh
         * @param float|null $ttl new lease of every lock, from now (default: the MultiLock's ttl)
         * @throws LockLostException one of the locks was no longer held; the others have been released
         * @throws ConnectionException Redis unreachable, credentials refused or connection broken (FallbackStore: with on_redis_down 'fail')
         * @throws StoreException an unexpected answer from Redis, or a file I/O error
         * @throws \ValueError a ttl out of range (0 < ttl <= 30 days)
         */
        public function refresh(?float $ttl = null): void {}

        /**
         * True when this object still holds every lock.
         * When one turns out lost, the others are released and this returns false.
         *
         * @implementation-alias PayLock\Lock::isAcquired
         * @throws ConnectionException Redis unreachable, credentials refused or connection broken (FallbackStore: with on_redis_down 'fail')
         * @throws StoreException an unexpected answer from Redis, or a file I/O error
         */
        public function isAcquired(): bool {}

        /**
         * Seconds left on the shortest lease by the monotonic clock (all were taken together, so they end
         * together); INF on files; null when not held. Never throws: it asks no store.
         *
         * @implementation-alias PayLock\Lock::remainingLifetime
         */
        public function remainingLifetime(): ?float {}

        /**
         * acquireOrFail($wait), $fn(), release() in a finally block; returns what $fn returned.
         *
         * @implementation-alias PayLock\Lock::run
         * @template T
         * @param callable $fn runs only while every lock is held
         * @phpstan-param callable(): T $fn
         * @phpstan-return T
         * @throws LockTimeoutException not every lock was acquired within $wait seconds ($fn did not run)
         * @throws LockLostException a lease ran out while $fn ran (the critical section may have overlapped)
         * @throws ConnectionException Redis unreachable, credentials refused or connection broken (FallbackStore: with on_redis_down 'fail')
         * @throws StoreException an unexpected answer from Redis, or a file I/O error
         * @throws \Throwable whatever $fn throws (the locks are released first)
         */
        public function run(callable $fn, float $wait = 0.0): mixed {}

        /**
         * True when a FallbackStore holds these locks on the local file locks only (Redis was down).
         * Never throws: it asks no store.
         *
         * @implementation-alias PayLock\Lock::isDegraded
         */
        public function isDegraded(): bool {}

        /**
         * The fencing token of each lock, name => token; LockLostException when not held.
         * @return array
         * @phpstan-return array<string, int>
         * @throws LockLostException one of the locks is not held (the others are released)
         * @throws ConnectionException Redis unreachable, credentials refused or connection broken (FallbackStore: with on_redis_down 'fail')
         * @throws StoreException an unexpected answer from Redis, or a file I/O error
         */
        public function fencingTokens(): array {}

        /**
         * The names, sorted and without duplicates: the order file locks are taken in.
         * @return array
         * @phpstan-return list<string>
         */
        public function names(): array {}
    }

    /**
     * Runs a payment step once per key: every later delivery of the key gets the stored result, a
     * concurrent one waits for it (or gets InProgressException), a reused key with a different
     * fingerprint gets FingerprintMismatchException.
     *
     * @strict-properties
     * @not-serializable
     */
    final class IdempotencyGuard
    {
        /**
         * @param array $options retention (s, 86400: how long results are replayed), in_progress_ttl (s, 600:
         *                       how long a claim lasts if its process dies), max_result_bytes (1048576),
         *                       prefix (non-empty string without braces, 'idem:'), scope (string, '': site or
         *                       tenant, part of every key),
         *                       after_crash ('rerun' | 'throw': what a delivery does after a run crashed mid-step)
         * @phpstan-param array{retention?: int|float, in_progress_ttl?: int|float, max_result_bytes?: int, prefix?: string, scope?: string, after_crash?: 'rerun'|'throw'} $options
         * @throws \ValueError an unknown option or a value out of range (the message names it)
         * @throws \TypeError an option of the wrong type
         */
        public function __construct(Store $store, array $options = []) {}

        /**
         * Claims $key and returns $fn()'s value (stored for replays), or returns the stored value of an
         * earlier run without calling $fn. $fn throwing abandons the claim (nothing happened: the next
         * delivery runs it) and the exception propagates. A value that cannot be stored is thrown back as
         * TypeError/ValueError and the key is recorded as "ran, result not stored": replays get
         * OutcomeUnknownException, never a second run.
         *
         * @template T of scalar|array|null
         * @param array|string|null $fingerprint what identifies the request (arrays are canonicalised)
         * @param float $wait seconds to wait for a concurrent run of $key to finish
         * @param array $options unknown_on (exception class names: $fn throwing one marks the outcome unknown,
         *                       see Claim::markUnknown()), convert (callable: turns $fn's value into what is
         *                       stored and returned, e.g. a gateway response object into an array),
         *                       renew (bool: $fn gets the Claim, to refresh() it during a long step)
         * @phpstan-param callable(): T $fn
         * @phpstan-param array{unknown_on?: list<class-string<\Throwable>>, convert?: callable, renew?: bool} $options
         * @phpstan-return T
         * @throws InProgressException another delivery is running $key and did not finish within $wait
         * @throws FingerprintMismatchException $key was used before with another fingerprint
         * @throws OutcomeUnknownException an earlier run of $key crashed mid-step and after_crash is 'throw', was
         *                                  marked outcome unknown, or ran without a storable result
         * @throws LockLostException the claim outlived in_progress_ttl and was taken over before $fn returned
         * @throws ConnectionException Redis unreachable, credentials refused or connection broken (FallbackStore: with on_redis_down 'fail')
         * @throws StoreException an unexpected answer from Redis, or a file I/O error
         * @throws \TypeError $fn (or convert) returned an object or a resource (not storable; the key is recorded as
         *                    "ran, result not stored"), or a bad option
         * @throws \ValueError an empty or over-long key, a result over max_result_bytes or a million values, a bad option
         * @throws \Throwable whatever $fn throws (the claim is abandoned first, or marked unknown for unknown_on)
         */
        public function run(string $key, callable $fn, array|string|null $fingerprint = null, float $wait = 0.0, array $options = []): mixed {}

        /**
         * The two-step form of run(): check isReplay(), else do the step and complete() (or abandon()).
         *
         * @throws InProgressException another delivery is running $key and did not finish within $wait
         * @throws FingerprintMismatchException $key was used before with another fingerprint
         * @throws OutcomeUnknownException an earlier run of $key crashed mid-step and after_crash is 'throw'
         * @throws ConnectionException Redis unreachable, credentials refused or connection broken (FallbackStore: with on_redis_down 'fail')
         * @throws StoreException an unexpected answer from Redis, or a file I/O error
         * @throws \ValueError an empty or over-long key, or a negative or non-finite $wait
         */
        public function begin(string $key, array|string|null $fingerprint = null, float $wait = 0.0): Claim {}

        /**
         * Deletes the record of $key (after a reconciliation, for example). While a live owner runs the step
         * it throws InProgressException, unless $force (for operators: the owner's result is still written
         * back when it completes, but a delivery arriving meanwhile runs the step beside it).
         *
         * @throws InProgressException a live owner is running $key and $force is false
         * @throws ConnectionException Redis unreachable, credentials refused or connection broken (FallbackStore: with on_redis_down 'fail')
         * @throws StoreException an unexpected answer from Redis, or a file I/O error
         * @throws \ValueError an empty or over-long key
         */
        public function forget(string $key, bool $force = false): void {}
    }

    /**
     * One delivery's view of an idempotency key, made by IdempotencyGuard::begin().
     *
     * @strict-properties
     * @not-serializable
     */
    final class Claim
    {
        private function __construct() {}

        /**
         * True: result() is the stored result of an earlier run; do nothing else.
         *
         * Never throws: the claim's state is known locally.
         */
        public function isReplay(): bool {}

        /**
         * The stored result (replay) or the value passed to complete().
         *
         * @phpstan-return scalar|array|null
         * @throws \Error the claim has no result yet (neither a replay nor completed)
         */
        public function result(): mixed {}

        /**
         * Stores $result for replays and ends the claim; LockLostException if the claim expired and was taken over.
         *
         * @param mixed $result null, bool, int, float, string or arrays of them (no objects or resources)
         * @phpstan-param scalar|array|null $result
         * @throws LockLostException the claim outlived in_progress_ttl and another delivery took it over
         * @throws ConnectionException Redis unreachable, credentials refused or connection broken (FallbackStore: with on_redis_down 'fail')
         * @throws StoreException an unexpected answer from Redis, or a file I/O error
         * @throws \TypeError $result holds an object or a resource
         * @throws \ValueError $result is over max_result_bytes
         */
        public function complete(mixed $result): void {}

        /**
         * Ends the claim without a result: the next delivery runs the step again.
         *
         * @throws LockLostException the claim outlived in_progress_ttl and another delivery took it over
         * @throws ConnectionException Redis unreachable, credentials refused or connection broken (FallbackStore: with on_redis_down 'fail')
         * @throws StoreException an unexpected answer from Redis, or a file I/O error
         */
        public function abandon(): void {}

        /**
         * Ends the claim as "outcome unknown" (a gateway timeout): every later delivery gets
         * OutcomeUnknownException, whatever after_crash says, until the key is reconciled and forget()-ed.
         *
         * @throws LockLostException another delivery owns the key now
         * @throws ConnectionException Redis unreachable, credentials refused or connection broken (FallbackStore: with on_redis_down 'fail')
         * @throws StoreException an unexpected answer from Redis, or a file I/O error
         * @throws \Error the claim is a replay, completed or abandoned
         */
        public function markUnknown(): void {}

        /**
         * Extends the claim to $seconds from now (in_progress_ttl if null), in one round trip; a delivery
         * cannot take over a claim its owner keeps refreshing. LockLostException if another delivery owns it.
         *
         * @throws LockLostException another delivery owns the key now
         * @throws ConnectionException Redis unreachable, credentials refused or connection broken (FallbackStore: with on_redis_down 'fail')
         * @throws StoreException an unexpected answer from Redis, or a file I/O error
         * @throws \ValueError $seconds <= 0, not finite or over 30 days
         * @throws \Error the claim is a replay, completed or abandoned
         */
        public function refresh(?float $seconds = null): void {}

        /**
         * This claim's attempt number: it grows with every claim of the key and never repeats, also after
         * forget() or expiry (the claim time in microseconds, raised above the previous attempt). Use it in
         * gateway idempotency keys.
         *
         * Never throws: the claim's state is known locally.
         */
        public function attempt(): int {}

        /** The idempotency key. */
        public function key(): string {}
    }

    /**
     * The operator's view of a store: held locks and their queues, force-release, idempotency records and
     * their resolution. For CLI scripts (bin/paylock), WP-CLI and bin/magento commands; see README
     * "Operations". Listings are paginated: pass the returned cursor back until it is null (a page may be
     * short, even empty, with a cursor still to follow).
     *
     * @strict-properties
     * @not-serializable
     */
    final class Admin
    {
        /** @throws \Error an uninitialised store */
        public function __construct(Store $store) {}

        /**
         * Held locks whose names start with $prefix, about $count per page (Redis: SCAN, never KEYS). Each:
         * name (null for a lock file written before names were kept), holder (as holder(), plus age in
         * seconds; FileStore adds file), queue (waiters; null when the kernel's list cannot be read) and
         * degraded (FallbackStore: held on the local file without Redis).
         *
         * @phpstan-return array{locks: list<array{name: string|null, holder: array{host?: string|null, pid?: int|null, acquired_at?: float|null, ttl?: float|null, fence?: int|null, store?: string, age?: float, file?: string}, queue: int|null, degraded: bool}>, cursor: string|null}
         * @throws ConnectionException Redis unreachable (FallbackStore lists its local locks instead)
         * @throws StoreException a cursor this store did not return, an unexpected answer, a file I/O error,
         *                        or a store that cannot list locks
         * @throws \ValueError $count outside 1..1000
         */
        public function locks(string $prefix = "", ?string $cursor = null, int $count = 100): array {}

        /**
         * Who waits for $name, first first, at most $max: position, and on Redis token (its first 8 hex
         * digits) and alive_for (seconds its heartbeat still counts), on files pid (the kernel's waiters,
         * woken together at release rather than in order); each with store.
         *
         * @phpstan-return list<array{position: int, token?: string, pid?: int, alive_for: float|null, store?: string}>
         * @throws ConnectionException Redis unreachable
         * @throws StoreException an unexpected answer, or /proc/locks unreadable for a held file
         * @throws \ValueError an empty name or one over 1024 bytes, $max outside 1..1000
         */
        public function queue(string $name, int $max = 100): array {}

        /**
         * Frees $name whoever holds it and hands it to its first live waiter, as the holder's release would;
         * the old holder's release() returns false and isAcquired() false afterwards. Counted in
         * stats()['forced_releases']. RedisStore only: a flock belongs to its process (FileStore,
         * FallbackStore's local part) and is freed when that process exits.
         *
         * @return array|null the holder that was released (as holder()), null when nobody held it
         * @throws ConnectionException Redis unreachable
         * @throws StoreException the store cannot force a release (the message says what to do instead)
         * @throws \ValueError an empty name or one over 1024 bytes
         */
        public function forceRelease(string $name): ?array {}

        /**
         * Idempotency records under the guard prefix $prefix, about $count per page, only $state if given.
         * Each: scope and key (null on FileStore, which keeps only a hash), state (running, crashed = its
         * owner died mid-step, unknown = marked outcome unknown, unstored = ran but its result could not be
         * stored, done, abandoned, damaged), attempt, lease_left (s, running on Redis), age (s since the
         * result, else since the claim), has_result, id (the Redis key or file name).
         *
         * @phpstan-return array{records: list<array{scope: string|null, key: string|null, state: string, attempt: int, lease_left: float|null, age: float|null, has_result: bool, id: string}>, cursor: string|null}
         * @throws ConnectionException Redis unreachable (FallbackStore lists its local records instead)
         * @throws StoreException a cursor this store did not return, an unexpected answer, or a file I/O error
         * @throws \ValueError an unknown $state, a $prefix with braces, $count outside 1..1000
         */
        public function records(?string $state = null, string $prefix = "idem:", ?string $cursor = null, int $count = 100): array {}

        /**
         * Deletes the record of $key (in $scope), also while a step runs it: after a manual reconciliation
         * found the payment did not happen, so the next request runs the step again.
         *
         * @throws ConnectionException Redis unreachable
         * @throws StoreException a file I/O error or an unexpected answer
         * @throws \ValueError an empty key, braces in $scope or $prefix
         */
        public function forget(string $key, string $scope = "", string $prefix = "idem:"): void {}

        /**
         * Marks $key (in $scope) done with $result after a manual reconciliation found the payment did
         * happen: later runs replay $result. Pass the $fingerprint the callers use, or they get a mismatch.
         *
         * @param array|string|null $fingerprint as IdempotencyGuard::run()'s
         * @param float $retention seconds the result is kept
         * @throws InProgressException a step claimed the key while it was being resolved (nothing stored)
         * @throws ConnectionException Redis unreachable
         * @throws StoreException a file I/O error or an unexpected answer
         * @throws \TypeError $result holds an object, a resource or a closure
         * @throws \ValueError an empty key, braces in $scope or $prefix, $retention outside (0, 366 days]
         */
        public function markDone(string $key, mixed $result, string $scope = "", array|string|null $fingerprint = null, float $retention = 86400.0, string $prefix = "idem:"): void {}
    }

    /**
     * The store ini paylock.store names: fallback (default), redis or file, built from the other paylock.* settings.
     *
     * @throws StoreException paylock.lock_dir cannot be used (not absolute, not creatable, a symlink, not writable)
     * @throws \ValueError paylock.redis_dsn is malformed
     */
    function defaultStore(): Store {}

    /**
     * Who holds $name: host, pid, acquired_at (unix time), ttl (seconds left), fence; null when free.
     *
     * @phpstan-return array{host: string, pid: int, acquired_at: float, ttl: float|null, fence: int|null, store: string}|null
     * @throws ConnectionException Redis unreachable, credentials refused or connection broken (FallbackStore: with on_redis_down 'fail')
     * @throws StoreException an unexpected answer from Redis, or a file I/O error
     * @throws \ValueError an empty name or one over 1024 bytes
     */
    function holder(Store $store, string $name): ?array {}

    /**
     * This process's counters.
     *
     * @phpstan-return array{acquired: int, released: int, contended: int, wait_seconds: float, timeouts: int, handoffs: int, lost: int, degraded: int, idem_executed: int, idem_replayed: int, idem_in_progress: int, idem_waited: int, idem_mismatch: int, idem_abandoned: int, idem_lost: int, idem_eviction_risk: int, eviction_risk: int, no_persistence: int, forced_releases: int}
     */
    function stats(): array {}

    /**
     * The pool-wide metrics in Prometheus text exposition format (version 0.0.4): lock acquires by result,
     * waits, wait and hold time histograms, releases, lost and degraded locks, idempotency claims by result
     * and store errors by class, labelled by store kind. Kept in shared memory that every PHP-FPM worker of
     * a pool adds to (paylock.metrics=auto|on|off; the CLI needs on); a comment line when they are off.
     */
    function metrics(): string {}

    /**
     * Sets this request's logger for PayLock's events (lock_lost, degraded, recovered, lease_expired,
     * claim_crashed, outcome_unknown, eviction_risk, persistence_risk, forced_release): a callable
     * fn(string $level, string $message, array $context), or a PSR-3 logger (an object with a public
     * log($level, $message, array $context)); null removes it. It lasts until the request ends. A logger
     * that throws never fails the lock or guard operation: the event is dropped and the exception goes
     * to the error log. While a logger is set, the warnings it replaces (degraded, recovered, eviction
     * and persistence risks) are not raised.
     *
     * @throws \TypeError neither a callable nor an object with a log() method
     */
    function setLogger(mixed $logger): void {}

    /** Base of every PayLock runtime failure. */
    class Exception extends \RuntimeException {}

    /** The store cannot be reached, refused the credentials, or the connection broke. */
    class ConnectionException extends Exception {}

    /**
     * A write was made on the Redis primary but fewer replicas than the store's `replicas` option acknowledged
     * it within `replica_timeout`. A lock or claim was given back; a completed idempotency record is stored
     * (a replay returns it) but may be lost if the primary fails over now.
     */
    class ReplicationException extends ConnectionException {}

    /** acquireOrFail()/run() did not get the lock within the wait. */
    class LockTimeoutException extends Exception {}

    /** The lock is no longer held by this object (lease expired, taken by another holder). */
    class LockLostException extends Exception {}

    /** Another process is running this idempotency key right now. */
    class InProgressException extends Exception {}

    /** The idempotency key was reused for a different request. */
    class FingerprintMismatchException extends Exception {}

    /** An earlier run of this key crashed mid-step; its outcome is unknown. */
    class OutcomeUnknownException extends Exception {}

    /** The store answered with something unexpected, a record could not be decoded, or file I/O failed. */
    class StoreException extends Exception {}
}
