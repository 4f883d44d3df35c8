--TEST--
Sentinel: the same storm with replicas => 'auto': the primary a failover demotes has lost its replica, and 'auto' keeps waiting for it (the hold), so it acknowledges nothing alone until Sentinel reconfigures it: 0 lost acknowledged writes, 0 double executions (without the hold: thousands of acknowledged records lost and a shared key's step run twice)
--EXTENSIONS--
paylock
pcntl
posix
--INI--
pcre.jit=0
--SKIPIF--
<?php
if (!extension_loaded('paylock')) die('skip paylock not loaded');
if (trim((string)shell_exec('command -v redis-server')) === '') die('skip redis-server not installed');
?>
--CONFLICTS--
sentinel
cluster
--FILE--
<?php
const STORM_REPLICAS = 'auto';
require __DIR__ . '/failover_storm_acked.inc';
?>
--EXPECT--
topology: yes
every worker reported: yes
failures are ConnectionExceptions only: yes
every call returned within its wait + 2 rounds of timeouts + slack: yes
the storm ran: yes
every worker succeeding at the end: yes
locks: sections yes, no lost update: yes
fencing tokens strictly increase in counter order: yes
no token granted twice: yes
idempotency: acknowledged keys yes, shared ones yes
no step ran twice: yes
each acknowledged step ran exactly once: yes
every delivery of a key got the same result: yes
0 lost acknowledged records (replayed on the final primary): yes
servers stopped: yes
