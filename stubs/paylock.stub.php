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
         * @param string|null $dsn redis://[user[:pass]@]host[:port][/db] | unix:///path/redis.sock[?db=N]
         *                         | rediss://... ; null takes ini paylock.redis_dsn
         * @param array $options connect_timeout (s, 1.0), read_timeout (s, 1.0), persistent (bool, ini
         *                       paylock.persistent), prefix (string, 'paylock:')
         */
        public function __construct(#[\SensitiveParameter] ?string $dsn = null, array $options = []) {}

        /** True when the server answers PING; ConnectionException when it cannot be reached. */
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
        /** @param string|null $dir absolute path; null takes ini paylock.lock_dir (default: temp dir + /paylock) */
        public function __construct(?string $dir = null) {}

        /** The lock directory. A lock's file is directory() . '/' . hash('sha256', $name). */
        public function directory(): string {}
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
        /** @param array $options on_redis_down: 'degrade' (default) | 'fail' */
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
        /** @param float|null $ttl lease in seconds (0 < ttl <= 30 days); null takes ini paylock.default_ttl */
        public function __construct(Store $store, string $name, ?float $ttl = null) {}

        /** Takes the lock, waiting up to $wait seconds; false when it was not acquired in time. */
        public function acquire(float $wait = 0.0): bool {}

        /** Like acquire(), but throws LockTimeoutException instead of returning false. */
        public function acquireOrFail(float $wait = 0.0): void {}

        /** Releases the lock; false when it was no longer ours (expired, or taken by another holder). */
        public function release(): bool {}

        /** Extends the lease to $ttl seconds from now (default: the lock's ttl); LockLostException if lost. */
        public function refresh(?float $ttl = null): void {}

        /** Asks the store whether this object still holds the lock. */
        public function isAcquired(): bool {}

        /** Seconds left on the lease by the monotonic clock; INF for a file lock; null when not held. */
        public function remainingLifetime(): ?float {}

        /** Strictly increasing per name across holders; LockLostException when not held. */
        public function fencingToken(): int {}

        /** acquireOrFail($wait), $fn(), release() in a finally block; returns what $fn returned. */
        public function run(callable $fn, float $wait = 0.0): mixed {}

        /** True when a FallbackStore holds this lock on the local file lock only. */
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
         */
        public function __construct(Store $store, array $names, ?float $ttl = null) {}

        /**
         * Takes every lock, waiting up to $wait seconds; false (none held) when not all were free in time.
         * @implementation-alias PayLock\Lock::acquire
         */
        public function acquire(float $wait = 0.0): bool {}

        /** @implementation-alias PayLock\Lock::acquireOrFail */
        public function acquireOrFail(float $wait = 0.0): void {}

        /**
         * Releases every lock; false when one of them was no longer ours (the others are released all the same).
         * @implementation-alias PayLock\Lock::release
         */
        public function release(): bool {}

        /**
         * Extends every lease; LockLostException (and the rest released) when one of them was lost.
         * @implementation-alias PayLock\Lock::refresh
         */
        public function refresh(?float $ttl = null): void {}

        /**
         * True when this object still holds every lock.
         * @implementation-alias PayLock\Lock::isAcquired
         */
        public function isAcquired(): bool {}

        /** @implementation-alias PayLock\Lock::remainingLifetime */
        public function remainingLifetime(): ?float {}

        /** @implementation-alias PayLock\Lock::run */
        public function run(callable $fn, float $wait = 0.0): mixed {}

        /** @implementation-alias PayLock\Lock::isDegraded */
        public function isDegraded(): bool {}

        /**
         * The fencing token of each lock, name => token; LockLostException when not held.
         * @return array
         */
        public function fencingTokens(): array {}

        /**
         * The names, sorted and without duplicates: the order file locks are taken in.
         * @return array
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
         */
        public function __construct(Store $store, array $options = []) {}

        /**
         * Claims $key and returns $fn()'s value (stored for replays), or returns the stored value of an
         * earlier run without calling $fn. $fn throwing abandons the claim (nothing happened: the next
         * delivery runs it) and the exception propagates. A value that cannot be stored is thrown back as
         * TypeError/ValueError and the key is recorded as "ran, result not stored": replays get
         * OutcomeUnknownException, never a second run.
         *
         * @param array|string|null $fingerprint what identifies the request (arrays are canonicalised)
         * @param float $wait seconds to wait for a concurrent run of $key to finish
         * @param array $options unknown_on (exception class names: $fn throwing one marks the outcome unknown,
         *                       see Claim::markUnknown()), convert (callable: turns $fn's value into what is
         *                       stored and returned, e.g. a gateway response object into an array),
         *                       renew (bool: $fn gets the Claim, to refresh() it during a long step)
         */
        public function run(string $key, callable $fn, array|string|null $fingerprint = null, float $wait = 0.0, array $options = []): mixed {}

        /** The two-step form of run(): check isReplay(), else do the step and complete() (or abandon()). */
        public function begin(string $key, array|string|null $fingerprint = null, float $wait = 0.0): Claim {}

        /**
         * Deletes the record of $key (after a reconciliation, for example). While a live owner runs the step
         * it throws InProgressException, unless $force (for operators: the owner's result is still written
         * back when it completes, but a delivery arriving meanwhile runs the step beside it).
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

        /** True: result() is the stored result of an earlier run; do nothing else. */
        public function isReplay(): bool {}

        /** The stored result (replay) or the value passed to complete(). */
        public function result(): mixed {}

        /** Stores $result for replays and ends the claim; LockLostException if the claim expired and was taken over. */
        public function complete(mixed $result): void {}

        /** Ends the claim without a result: the next delivery runs the step again. */
        public function abandon(): void {}

        /**
         * Ends the claim as "outcome unknown" (a gateway timeout): every later delivery gets
         * OutcomeUnknownException, whatever after_crash says, until the key is reconciled and forget()-ed.
         */
        public function markUnknown(): void {}

        /**
         * Extends the claim to $seconds from now (in_progress_ttl if null), in one round trip; a delivery
         * cannot take over a claim its owner keeps refreshing. LockLostException if another delivery owns it.
         */
        public function refresh(?float $seconds = null): void {}

        /**
         * This claim's attempt number: it grows with every claim of the key and never repeats, also after
         * forget() or expiry (the claim time in microseconds, raised above the previous attempt). Use it in
         * gateway idempotency keys.
         */
        public function attempt(): int {}

        /** The idempotency key. */
        public function key(): string {}
    }

    /** The store ini paylock.store names: fallback (default), redis or file, built from the other paylock.* settings. */
    function defaultStore(): Store {}

    /** Who holds $name: host, pid, acquired_at (unix time), ttl (seconds left), fence; null when free. */
    function holder(Store $store, string $name): ?array {}

    /** This process's counters. */
    function stats(): array {}

    /** Base of every PayLock runtime failure. */
    class Exception extends \RuntimeException {}

    /** The store cannot be reached, refused the credentials, or the connection broke. */
    class ConnectionException extends Exception {}

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
