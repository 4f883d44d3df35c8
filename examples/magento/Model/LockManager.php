<?php

declare(strict_types=1);

namespace PayLock\Magento\Model;

use Magento\Framework\Lock\LockManagerInterface;
use PayLock\Lock;
use PayLock\Store;

/**
 * Magento's named locks on PayLock, shared by every web node and cron host that uses the same Redis.
 *
 * Leases are short (DEFAULT_TTL, one minute) and kept alive while the holder lives: in CLI processes
 * (cron, indexer:reindex, queue consumers) a heartbeat on SIGALRM refreshes every held lock every third of
 * its lease, whatever the job is doing. So a holder that is killed outright (OOM killer, SIGKILL, a
 * crashed container) blocks its lock for at most one lease, not for as long as the longest job; Magento's
 * database locks free as soon as the connection drops, and this comes close to that. A lock also ends at
 * unlock() and at the end of the request or CLI run that took it, even after a fatal error.
 *
 * Without the heartbeat (web requests, pcntl not loaded, SIGALRM already used by someone else, a lease
 * under 3 s, or $heartbeat false) a lock lives for its lease: code that holds one longer calls heartbeat()
 * now and then. The heartbeat turns on pcntl_async_signals(); each beat interrupts a sleep(), usleep()
 * or stream_select() the holder is in (they return early, as on any signal). If a long-running holder
 * (a queue consumer) cannot take that, set heartbeat false in di.xml and a ttl longer than its run.
 * lock() on a name this instance already holds renews the lease and returns true.
 */
final class LockManager implements LockManagerInterface
{
    /**
     * How long a negative timeout ("no limit") waits. After an hour the holder is stuck, and returning
     * false, as any timeout does, lets the caller give up its turn instead of hanging a worker for good.
     */
    public const NO_LIMIT_WAIT = 3600.0;

    /** Lease in seconds: how long a killed holder keeps its lock. The heartbeat renews it every DEFAULT_TTL / 3. */
    public const DEFAULT_TTL = 60.0;

    /** @var array<int, \WeakReference<Lock>> every lock held through a LockManager in this process, for the heartbeat */
    private static array $beating = [];

    /** The process whose SIGALRM heartbeat runs, and its handler. */
    private static ?int $heartbeatPid = null;

    private static ?\Closure $beat = null;

    private Store $store;

    /** @var array<string, Lock> the locks this instance holds, by name */
    private array $held = [];

    public function __construct(
        ?Store $store = null,
        private string $prefix = '',
        private float $ttl = self::DEFAULT_TTL,
        private bool $heartbeat = true,
    ) {
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
        self::$beating[spl_object_id($lock)] = \WeakReference::create($lock);
        $this->startHeartbeat();
        return true;
    }

    /** False when this instance does not hold the lock (never took it, or its lease ran out). */
    public function unlock(string $name): bool
    {
        $lock = $this->held[$name] ?? null;
        unset($this->held[$name]);
        if ($lock === null) {
            return false;
        }
        unset(self::$beating[spl_object_id($lock)]);
        return $lock->release();
    }

    /**
     * Whether anyone holds the lock, this instance or another process on any host (false for the instant
     * a release hands the lock to a waiting process).
     */
    public function isLocked(string $name): bool
    {
        return \PayLock\holder($this->store, $this->prefix . $name) !== null;
    }

    /**
     * Renews the lease of every lock held through a LockManager in this process; a lock found lost (its
     * lease ran out) is dropped. The SIGALRM heartbeat calls it; long web requests may too.
     */
    public static function heartbeat(): void
    {
        foreach (self::$beating as $id => $ref) {
            $lock = $ref->get();
            if ($lock === null) {
                unset(self::$beating[$id]);
                continue;
            }
            try {
                $lock->refresh();
            } catch (\PayLock\LockLostException) {
                unset(self::$beating[$id]); // its lease ran out: unlock() will say so
            } catch (\PayLock\Exception) {
                // Redis unreachable for a moment: the next beat tries again (never throw into the job)
            }
        }
    }

    private function startHeartbeat(): void
    {
        $every = (int) floor($this->ttl / 3);
        // Per process: a forked child (a cron job runner) inherits the handler but not the alarm.
        if (!$this->heartbeat || self::$heartbeatPid === getmypid() || $every < 1 || PHP_SAPI !== 'cli' || !function_exists('pcntl_async_signals')) {
            return;
        }
        $current = pcntl_signal_get_handler(SIGALRM);
        if ($current !== SIG_DFL && $current !== self::$beat) {
            return; // SIGALRM belongs to someone else: leases then last $ttl unless heartbeat() is called
        }
        self::$heartbeatPid = getmypid();
        self::$beat ??= static function () use ($every): void {
            self::heartbeat();
            pcntl_alarm($every);
        };
        pcntl_async_signals(true);
        pcntl_signal(SIGALRM, self::$beat);
        pcntl_alarm($every);
    }
}
