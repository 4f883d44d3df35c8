<?php

declare(strict_types=1);

namespace PayLock\Bridge\Laravel;

use PayLock\Store;

/** Laravel's LockProvider over a PayLock store: lock() and restoreLock() as Laravel's cache stores have them. */
trait ProvidesPayLocks
{
	abstract protected function payLockStore(): Store;

	/** Prepended to every lock name (Laravel's cache prefix). */
	abstract protected function lockPrefix(): string;

	/**
	 * @param string $name
	 * @param int $seconds lease; 0: none (until release or the end of the request)
	 * @param string|null $owner null: a random one
	 */
	public function lock($name, $seconds = 0, $owner = null): PayLockLock
	{
		return new PayLockLock($this->payLockStore(), $this->lockPrefix() . $name, $seconds, $owner);
	}

	/** A lock object for $owner's lock: it can release the lock acquired under that owner in this process. */
	public function restoreLock($name, $owner): PayLockLock
	{
		return $this->lock($name, 0, $owner);
	}
}
