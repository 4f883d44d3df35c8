<?php

declare(strict_types=1);

namespace PayLock\Bridge\Laravel;

use Illuminate\Contracts\Cache\LockProvider;
use Illuminate\Contracts\Cache\Store as CacheStore;
use PayLock\Store;

/**
 * A Laravel cache store that keeps the values in another store (redis, file, database...) and takes its
 * locks on PayLock, so Cache::lock() and Cache::restoreLock() go through PayLock:
 *
 *     Cache::extend('paylock', fn ($app, $config) => Cache::repository(new PayLockCacheStore(
 *         Cache::store($config['values'] ?? 'redis')->getStore(), PayLock\defaultStore())));
 *
 * Lock names get the inner store's prefix, as Laravel's own stores do.
 */
final class PayLockCacheStore implements CacheStore, LockProvider
{
	use ProvidesPayLocks;

	public function __construct(private CacheStore $values, private Store $locks)
	{
	}

	/** The store the values are kept in. */
	public function getValueStore(): CacheStore
	{
		return $this->values;
	}

	protected function payLockStore(): Store
	{
		return $this->locks;
	}

	protected function lockPrefix(): string
	{
		return (string)$this->values->getPrefix();
	}

	public function get($key)
	{
		return $this->values->get($key);
	}

	public function many(array $keys)
	{
		return $this->values->many($keys);
	}

	public function put($key, $value, $seconds)
	{
		return $this->values->put($key, $value, $seconds);
	}

	public function putMany(array $values, $seconds)
	{
		return $this->values->putMany($values, $seconds);
	}

	public function increment($key, $value = 1)
	{
		return $this->values->increment($key, $value);
	}

	public function decrement($key, $value = 1)
	{
		return $this->values->decrement($key, $value);
	}

	public function forever($key, $value)
	{
		return $this->values->forever($key, $value);
	}

	public function forget($key)
	{
		return $this->values->forget($key);
	}

	public function flush()
	{
		return $this->values->flush();
	}

	public function getPrefix()
	{
		return $this->values->getPrefix();
	}
}
