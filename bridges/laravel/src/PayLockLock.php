<?php

declare(strict_types=1);

namespace PayLock\Bridge\Laravel;

use Illuminate\Cache\Lock as LaravelLock;
use Illuminate\Contracts\Cache\LockTimeoutException;
use PayLock\Lock;
use PayLock\Store;

/**
 * A Laravel cache lock (Cache::lock()) held by a PayLock\Lock.
 *
 * What is held lives in a per-process table keyed by name and owner, so a lock stays held after its
 * Laravel object is gone (as with Laravel's drivers) until release(), its lease, or the end of the request
 * (PayLock releases every lock a request still holds); and restoreLock($name, $owner) in the same
 * process can release it. See README.md for every difference from Laravel's drivers.
 */
class PayLockLock extends LaravelLock
{
	/** PayLock's longest lease (30 days): Laravel's "no expiry" (seconds = 0). */
	public const MAX_SECONDS = 2592000;

	/** @var array<string, array<string, Lock>> name => owner => the PayLock lock this process holds */
	private static array $held = [];

	/**
	 * @param string $name the lock name as Laravel computed it (the cache prefix included)
	 * @param int $seconds lease; 0 means none (PayLock's longest, 30 days, ended by release or request end)
	 */
	public function __construct(private Store $store, $name, $seconds, $owner = null)
	{
		parent::__construct($name, $seconds, $owner);
	}

	public function acquire(): bool
	{
		return $this->take(0.0);
	}

	/**
	 * Waits up to $seconds for the lock, queued first come first served and woken by the holder's release
	 * (Laravel's drivers poll every 250 ms instead), then runs $callback and releases as Laravel does.
	 *
	 * @throws LockTimeoutException when the lock was not acquired within $seconds
	 */
	public function block($seconds, $callback = null)
	{
		if (!$this->take(max(0.0, (float)$seconds))) {
			throw new LockTimeoutException();
		}
		if (is_callable($callback)) {
			try {
				return $callback();
			} finally {
				$this->release();
			}
		}
		return true;
	}

	public function release(): bool
	{
		$lock = self::$held[$this->name][$this->owner] ?? null;
		if ($lock === null) {
			return false;
		}
		unset(self::$held[$this->name][$this->owner]);
		// false when the lease ran out or another holder took it; nothing of theirs is touched
		return $lock->release();
	}

	/**
	 * Releases the lock whatever its owner. Locks this process holds are released; on a RedisStore a lock
	 * held by another process is freed through PayLock\Admin::forceRelease() and handed to its first
	 * waiter (the old holder's release() then returns false). A lock on files (FileStore, FallbackStore)
	 * is a flock that belongs to its process until it exits: this throws ForceReleaseException naming
	 * the holder instead of doing nothing.
	 *
	 * @throws ForceReleaseException
	 */
	public function forceRelease(): void
	{
		foreach (self::$held[$this->name] ?? [] as $owner => $lock) {
			unset(self::$held[$this->name][$owner]);
			$lock->release();
		}
		$holder = \PayLock\holder($this->store, (string)$this->name);
		if ($holder === null) {
			return;
		}
		if ($this->store instanceof \PayLock\RedisStore) {
			(new \PayLock\Admin($this->store))->forceRelease((string)$this->name);
			return;
		}
		throw ForceReleaseException::heldElsewhere($this->name, $holder);
	}

	protected function getCurrentOwner(): ?string
	{
		foreach (self::$held[$this->name] ?? [] as $owner => $lock) {
			if ($lock->isAcquired()) {
				return (string)$owner;
			}
		}
		return null;
	}

	private function take(float $wait): bool
	{
		// A held lock cannot be acquired again, not even by its owner (as with Laravel's drivers).
		if (isset(self::$held[$this->name][$this->owner]) && self::$held[$this->name][$this->owner]->isAcquired()) {
			return false;
		}
		$seconds = (int)$this->seconds;
		$lock = new Lock($this->store, (string)$this->name, (float)($seconds > 0 ? min($seconds, self::MAX_SECONDS) : self::MAX_SECONDS));
		if (!$lock->acquire($wait)) {
			return false;
		}
		self::$held[$this->name][$this->owner] = $lock;
		return true;
	}
}
