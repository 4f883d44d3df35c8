<?php

declare(strict_types=1);

namespace PayLock\Magento\Model;

use Magento\Framework\Lock\LockManagerInterface;
use PayLock\Lock;
use PayLock\Store;

/**
 * Magento's named locks on PayLock, shared by every web node and cron host that uses the same Redis.
 *
 * Each lock has a lease ($ttl, default an hour; make it longer than the longest cron job or reindex that
 * locks). A lock ends at unlock(), at the end of the request or CLI run that took it (even after a fatal
 * error), or, if that process was killed outright, when its lease runs out. lock() on a name this
 * instance already holds renews the lease and returns true.
 */
final class LockManager implements LockManagerInterface
{
    /**
     * How long a negative timeout ("no limit") waits. After an hour the holder is stuck, and returning
     * false, as any timeout does, lets the caller give up its turn instead of hanging a worker for good.
     */
    public const NO_LIMIT_WAIT = 3600.0;

    private Store $store;

    /** @var array<string, Lock> the locks this instance holds, by name */
    private array $held = [];

    public function __construct(?Store $store = null, private string $prefix = '', private float $ttl = 3600.0)
    {
        $this->store = $store ?? \PayLock\defaultStore();
    }

    /** @param int $timeout seconds to wait; 0 tries once; negative waits up to NO_LIMIT_WAIT */
    public function lock(string $name, int $timeout = -1): bool
    {
        $lock = $this->held[$name] ?? new Lock($this->store, $this->prefix . $name, $this->ttl);
        if (!$lock->acquire($timeout < 0 ? self::NO_LIMIT_WAIT : (float) $timeout)) {
            unset($this->held[$name]);
            return false;
        }
        $this->held[$name] = $lock;
        return true;
    }

    /** False when this instance does not hold the lock (never took it, or its lease ran out). */
    public function unlock(string $name): bool
    {
        $lock = $this->held[$name] ?? null;
        unset($this->held[$name]);
        return $lock !== null && $lock->release();
    }

    /**
     * Whether anyone holds the lock, this instance or another process on any host (false for the instant
     * a release hands the lock to a waiting process).
     */
    public function isLocked(string $name): bool
    {
        return \PayLock\holder($this->store, $this->prefix . $name) !== null;
    }
}
