<?php

declare(strict_types=1);

namespace PayLock\Bridge\Symfony;

use PayLock\ConnectionException;
use PayLock\FileStore;
use PayLock\Lock;
use PayLock\LockLostException;
use PayLock\Store;
use Symfony\Component\Lock\BlockingStoreInterface;
use Symfony\Component\Lock\Exception\InvalidTtlException;
use Symfony\Component\Lock\Exception\LockConflictedException;
use Symfony\Component\Lock\Exception\LockExpiredException;
use Symfony\Component\Lock\Exception\LockStorageException;
use Symfony\Component\Lock\Key;

/**
 * symfony/lock store over a PayLock store (RedisStore, FileStore or FallbackStore):
 *
 *     $factory = new LockFactory(new PayLockStore(new PayLock\RedisStore('redis://127.0.0.1:6379')));
 *     $lock = $factory->createLock('order:42', ttl: 30);
 *
 * Each acquired Key carries the PayLock\Lock that holds it (as Key state), so keys cannot be serialized
 * and handed to another process: a PayLock lock belongs to the process that took it. See README.md for
 * every difference from Symfony's own stores.
 */
final class PayLockStore implements BlockingStoreInterface
{
	/** How long one blocking acquire waits before it asks again (PayLock's waits are finite). */
	private const WAIT_SLICE = 60.0;

	/**
	 * @param float $initialTtl lease of a freshly saved key, in seconds; the Symfony Lock's own ttl then
	 *                          replaces it through putOffExpiration()
	 */
	public function __construct(private Store $store, private float $initialTtl = 300.0)
	{
		if (!($initialTtl > 0)) {
			throw new InvalidTtlException(sprintf('"%s()" expects a strictly positive TTL. Got %.2F.', __METHOD__, $initialTtl));
		}
	}

	public function save(Key $key): void
	{
		$this->acquire($key, 0.0);
	}

	public function waitAndSave(Key $key): void
	{
		// Symfony's blocking acquire waits without a limit; PayLock queues the waiter (FIFO hand-off,
		// no polling) for one slice at a time.
		while (!$this->acquire($key, self::WAIT_SLICE, false)) {
		}
	}

	public function putOffExpiration(Key $key, float $ttl): void
	{
		if ($ttl <= 0) {
			throw new InvalidTtlException(sprintf('"%s()" expects a TTL greater than 0. Got %.2F.', __METHOD__, $ttl));
		}
		$lock = $this->held($key);
		if ($lock === null) {
			throw new LockConflictedException();
		}
		$this->startLease($key, $ttl);
		try {
			$lock->refresh($ttl);
		} catch (LockLostException $e) {
			$key->removeState(self::class);
			throw new LockConflictedException($e->getMessage(), 0, $e);
		} catch (ConnectionException $e) {
			throw new LockStorageException($e->getMessage(), 0, $e);
		}
		$this->checkNotExpired($key);
	}

	public function delete(Key $key): void
	{
		$lock = $this->held($key);
		if ($lock === null) {
			return;
		}
		try {
			$lock->release(); // false: it was no longer ours, and nothing of anyone else's was touched
		} catch (ConnectionException $e) {
			throw new LockStorageException($e->getMessage(), 0, $e);
		}
		$key->removeState(self::class);
	}

	public function exists(Key $key): bool
	{
		$lock = $this->held($key);
		if ($lock === null) {
			return false;
		}
		try {
			return $lock->isAcquired();
		} catch (ConnectionException $e) {
			throw new LockStorageException($e->getMessage(), 0, $e);
		}
	}

	/** The PayLock lock of this key, if this store saved it. */
	private function held(Key $key): ?Lock
	{
		return $key->hasState(self::class) ? $key->getState(self::class) : null;
	}

	/** Saves the key, waiting up to $wait seconds; false (or LockConflictedException when $throw) when busy. */
	private function acquire(Key $key, float $wait, bool $throw = true): bool
	{
		$lock = $this->held($key) ?? new Lock($this->store, (string)$key, $this->initialTtl);
		$this->startLease($key, $this->initialTtl);
		try {
			// Acquiring a lock this Key already holds renews it, as Symfony's RedisStore does.
			$acquired = $lock->acquire($wait);
		} catch (ConnectionException $e) {
			throw new LockStorageException($e->getMessage(), 0, $e);
		}
		if (!$acquired) {
			$key->removeState(self::class);
			if ($throw) {
				throw new LockConflictedException();
			}
			return false;
		}
		$key->setState(self::class, $lock);
		$key->markUnserializable();
		$this->checkNotExpired($key);
		return true;
	}

	/**
	 * Counts the lease in the Key from before the request is sent, as Symfony's stores do, so the Key never
	 * outlives the lock. A file lock has no lease (it lasts until release), as with Symfony's FlockStore.
	 */
	private function startLease(Key $key, float $ttl): void
	{
		if (!$this->store instanceof FileStore) {
			$key->reduceLifetime($ttl);
		}
	}

	private function checkNotExpired(Key $key): void
	{
		if ($key->isExpired()) {
			try {
				$this->delete($key);
			} catch (\Exception) {
				// the expiry is the error to report
			}
			throw new LockExpiredException(sprintf('Failed to store the "%s" lock.', $key));
		}
	}
}
