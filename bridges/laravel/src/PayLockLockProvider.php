<?php

declare(strict_types=1);

namespace PayLock\Bridge\Laravel;

use Illuminate\Contracts\Cache\LockProvider;
use PayLock\Store;

/**
 * Only the locks: `(new PayLockLockProvider($store))->lock('name', 10)->get()`.
 */
final class PayLockLockProvider implements LockProvider
{
	use ProvidesPayLocks;

	public function __construct(private Store $store, private string $prefix = '')
	{
	}

	protected function payLockStore(): Store
	{
		return $this->store;
	}

	protected function lockPrefix(): string
	{
		return $this->prefix;
	}
}
