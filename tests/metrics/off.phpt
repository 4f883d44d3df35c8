--TEST--
metrics(): off by default in the CLI (paylock.metrics=auto) and with paylock.metrics=off: a comment that says how to turn them on, which parses as an empty exposition
--EXTENSIONS--
paylock
--INI--
pcre.jit=0
--FILE--
<?php
require_once __DIR__ . '/../_support/common.inc';
require_once __DIR__ . '/../_support/prometheus.inc';
echo 'ini: ', ini_get('paylock.metrics'), "\n";
$l = new PayLock\Lock(redis_store(), uniq());
$l->acquire();
$l->release();
echo PayLock\metrics();
[$samples, $errors] = prom_parse(PayLock\metrics());
echo 'no samples: ', yes($samples === [] && $errors === [], json_encode([$samples, $errors])), "\n";
echo 'stats() still counts: ', PayLock\stats()['acquired'], "\n";
$php = getenv('TEST_PHP_EXECUTABLE') ?: PHP_BINARY;
$ext = realpath(__DIR__ . '/../../modules/paylock.so');
foreach (['off', 'on', 'sometimes'] as $v) {
	echo "paylock.metrics=$v: ", trim(shell_exec("$php -n -d extension=$ext -d paylock.metrics=$v -d display_startup_errors=1 -r 'echo strtok(PayLock\\metrics(), \"\\n\");' 2>&1")), "\n";
}
?>
--EXPECTF--
ini: auto
# PayLock metrics are off in this process (paylock.metrics=off, or auto in the CLI: set paylock.metrics=on)
no samples: yes
stats() still counts: 1
paylock.metrics=off: # PayLock metrics are off in this process (paylock.metrics=off, or auto in the CLI: set paylock.metrics=on)
paylock.metrics=on: # HELP paylock_lock_acquires_total Lock acquires by result (ok, busy: a single try found it held, timeout, error).
paylock.metrics=sometimes: Warning: PHP Startup: paylock.metrics must be auto, on or off%A
