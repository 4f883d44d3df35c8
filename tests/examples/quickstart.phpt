--TEST--
examples/quickstart.php runs as shipped against the harness's Redis and prints what it says it does
--EXTENSIONS--
paylock
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
putenv('PAYLOCK_REDIS_DSN=' . redis_dsn());
require __DIR__ . '/../../examples/quickstart.php';
?>
--EXPECT--
stock of 42 after one sale: 2
after the cart: 42 => 1, 43 => 3
locked in this order: product:42, product:43
order 1001: paid, rows updated: 1
delivery 1: {"order":1001,"status":"paid"}
delivery 2: {"order":1001,"status":"paid"}
delivery 3: {"order":1001,"status":"paid"}
payment step ran 1 time(s)
holder of product:42: pid this process, lease left <= 10 s: yes
after release: null
