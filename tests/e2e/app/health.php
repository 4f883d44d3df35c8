<?php
// Readiness probe for the harness: the whole chain answers (nginx, FPM with PayLock, MariaDB, the
// lock store), and says whether a lock is held degraded (Redis down) right now.

declare(strict_types=1);

namespace Shop;

use PayLock\Lock;

require __DIR__ . '/lib.php';

db()->query('SELECT 1')->fetchAll();
$lock = new Lock(store(), 'e2e:health', 5.0);
$lock->acquireOrFail(2.0);
$degraded = $lock->isDegraded();
$lock->release();
respond(200, ['paylock' => phpversion('paylock'), 'degraded' => $degraded, 'guarded' => guarded()]);
