--TEST--
stubs/paylock.stub.php matches the loaded extension by reflection (every class, method, function, parameter, type, default and attribute), documents @throws on every method that can throw, and its array shapes match what the extension accepts (options) and returns (holder(), stats())
--EXTENSIONS--
paylock
--INI--
pcre.jit=0
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
require __DIR__ . '/stub_dump.inc';

// The stub is read by a PHP without the extension (-n loads nothing), the extension in this process.
$p = proc_open([PHP_BINARY, '-n', __DIR__ . '/stub_dump.inc', 'stub'], [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
$out = stream_get_contents($pipes[1]);
$err = stream_get_contents($pipes[2]);
proc_close($p);
$stub = json_decode($out, true) ?? throw new RuntimeException("stub dump failed: $out $err");
$ext = describe_api('ext');

/** Every path where two descriptions differ. */
function differences(mixed $a, mixed $b, string $path = ''): array
{
	if (!is_array($a) || !is_array($b)) {
		return $a === $b ? [] : ["$path: stub " . json_encode($a) . ', extension ' . json_encode($b)];
	}
	$out = [];
	foreach (array_unique(array_merge(array_keys($a), array_keys($b))) as $k) {
		if (!array_key_exists($k, $a)) {
			$out[] = "$path/$k: missing from the stub";
		} elseif (!array_key_exists($k, $b)) {
			$out[] = "$path/$k: in the stub, not in the extension";
		} else {
			array_push($out, ...differences($a[$k], $b[$k], "$path/$k"));
		}
	}
	return $out;
}

$diff = differences($stub['api'], $ext['api']);
echo 'classes: ', count($ext['api']['classes']), ', functions: ', count($ext['api']['functions']), "\n";
echo 'stub vs extension: ', $diff === [] ? 'identical' : "\n  " . implode("\n  ", $diff), "\n";

// @throws: every method and function documents what it throws, except these, which cannot throw
// (beyond an uninitialised object's Error): they only read state the object already has.
const NEVER_THROWS = ['PayLock\FileStore::directory', 'PayLock\Lock::remainingLifetime', 'PayLock\Lock::isDegraded',
	'PayLock\MultiLock::remainingLifetime', 'PayLock\MultiLock::isDegraded', 'PayLock\MultiLock::names',
	'PayLock\Claim::__construct', 'PayLock\Claim::isReplay', 'PayLock\Claim::attempt', 'PayLock\Claim::key', 'PayLock\stats', 'PayLock\metrics'];
$missing = [];
foreach ($stub['docs'] as $what => $doc) {
	if (str_contains($what, 'Exception::') || in_array($what, NEVER_THROWS, true)) {
		continue;
	}
	if (!preg_match('/@throws \\\\?[A-Z]\w+/', $doc)) {
		$missing[] = $what;
	}
	// Every exception named must exist (a typo would point IDEs at nothing).
	preg_match_all('/@throws (\\\\?[\w\\\\]+)/', $doc, $m);
	foreach ($m[1] as $class) {
		$fq = str_starts_with($class, '\\') ? substr($class, 1) : "PayLock\\$class";
		if (!class_exists($fq) && !interface_exists($fq)) {
			$missing[] = "$what: @throws $class names no class";
		}
	}
}
echo '@throws: ', $missing === [] ? 'on every method that can throw' : implode(', ', $missing), "\n";
foreach (['PayLock\Lock::acquireOrFail' => 'LockTimeoutException', 'PayLock\Lock::refresh' => 'LockLostException',
		'PayLock\IdempotencyGuard::run' => 'InProgressException', 'PayLock\IdempotencyGuard::begin' => 'OutcomeUnknownException',
		'PayLock\Claim::complete' => 'LockLostException', 'PayLock\holder' => 'ConnectionException'] as $what => $exception) {
	echo "$what @throws $exception: ", str_contains($stub['docs'][$what], "@throws $exception") ? 'yes' : 'no', "\n";
}
foreach (['PayLock\Lock::run', 'PayLock\MultiLock::run', 'PayLock\IdempotencyGuard::run'] as $what) {
	echo "$what generic: ", preg_match('/@template T\b.*@phpstan-param callable\(\): T \$fn.*@phpstan-return T\b/s', $stub['docs'][$what]) ? 'yes' : 'no', "\n";
}

/** The keys and types of the array shape in a doc comment's @phpstan-$tag (param $var, or return). */
function shape(string $doc, string $tag): array
{
	preg_match("/@phpstan-$tag array\\{([^}]*)\\}/", $doc, $m) or throw new RuntimeException("no array shape in @phpstan-$tag");
	$out = [];
	foreach (explode(', ', $m[1]) as $field) {
		[$key, $type] = explode(': ', $field, 2);
		$out[rtrim($key, '?')] = $type;
	}
	return $out;
}

function sample(string $type): mixed
{
	return match (true) {
		str_starts_with($type, "'") => trim(explode('|', $type)[0], "'"),
		str_starts_with($type, 'int') => 60,
		$type === 'float' => 1.0,
		$type === 'bool' => true,
		$type === 'string' => 'stubtest:',
		str_starts_with($type, 'array') => [],
	};
}

function matches_type(mixed $v, string $type): bool
{
	foreach (explode('|', $type) as $t) {
		if (match ($t) { 'int' => is_int($v), 'float' => is_float($v), 'string' => is_string($v), 'null' => $v === null, 'bool' => is_bool($v) }) {
			return true;
		}
	}
	return false;
}

// Every documented option is accepted, one at a time; a misspelt one is refused at run time.
$construct = [
	'PayLock\RedisStore::__construct' => fn(array $o) => new PayLock\RedisStore(redis_dsn(), $o),
	'PayLock\FallbackStore::__construct' => fn(array $o) => new PayLock\FallbackStore(redis_store(), new PayLock\FileStore(lock_dir()), $o),
	'PayLock\IdempotencyGuard::__construct' => fn(array $o) => new PayLock\IdempotencyGuard(redis_store(), $o),
];
foreach ($construct as $what => $make) {
	$keys = shape($stub['docs'][$what], 'param');
	$refused = [];
	foreach ($keys as $key => $type) {
		try {
			$make([$key => sample($type)]);
		} catch (Throwable $e) {
			$refused[] = "$key: " . $e->getMessage();
		}
	}
	try {
		$make(['conect_timeout' => 1.0]);
		$typo = 'accepted';
	} catch (ValueError $e) {
		$typo = 'ValueError';
		// The error lists the options the extension knows: each must be in the shape too.
		if (preg_match('/known: ([^)]*)\)/', $e->getMessage(), $m)) {
			$known = explode(', ', $m[1]);
			$undocumented = array_diff($known, array_keys($keys));
			$typo .= $undocumented === [] ? ' listing only documented ones' : ', undocumented: ' . implode(', ', $undocumented);
		}
	}
	echo "$what options (", implode(', ', array_keys($keys)), '): ', $refused === [] ? 'all accepted' : implode('; ', $refused), ", a misspelt one: $typo\n";
}

// holder() and stats() return exactly the documented keys, of the documented types (Redis and file holders).
$name = uniq();
$lock = new PayLock\Lock(redis_store(), $name, 5);
$lock->acquire();
$unfenced = PayLock\holder(redis_store(), $name);
$lock->fencingToken();
$file = new PayLock\FileStore(lock_dir());
$flock = new PayLock\Lock($file, $name);
$flock->acquire();
$results = ['PayLock\holder' => [$unfenced, PayLock\holder(redis_store(), $name), PayLock\holder($file, $name)], 'PayLock\stats' => [PayLock\stats()]];
foreach ($results as $what => $values) {
	$keys = shape($stub['docs'][$what], 'return');
	$bad = [];
	foreach ($values as $value) {
		if (array_keys($value) !== array_keys($keys)) {
			$bad[] = 'keys ' . implode(',', array_keys($value)) . ' vs documented ' . implode(',', array_keys($keys));
			continue;
		}
		foreach ($keys as $key => $type) {
			if (!matches_type($value[$key], $type)) {
				$bad[] = "$key is " . get_debug_type($value[$key]) . ", documented $type";
			}
		}
	}
	echo "$what result: ", $bad === [] ? 'matches its shape' : implode('; ', array_unique($bad)), "\n";
}
echo 'holder() when free: ', var_export(PayLock\holder(redis_store(), uniq()), true), ' (documented |null: ', str_contains($stub['docs']['PayLock\holder'], '}|null') ? 'yes' : 'no', ")\n";
?>
--EXPECT--
classes: 18, functions: 5
stub vs extension: identical
@throws: on every method that can throw
PayLock\Lock::acquireOrFail @throws LockTimeoutException: yes
PayLock\Lock::refresh @throws LockLostException: yes
PayLock\IdempotencyGuard::run @throws InProgressException: yes
PayLock\IdempotencyGuard::begin @throws OutcomeUnknownException: yes
PayLock\Claim::complete @throws LockLostException: yes
PayLock\holder @throws ConnectionException: yes
PayLock\Lock::run generic: yes
PayLock\MultiLock::run generic: yes
PayLock\IdempotencyGuard::run generic: yes
PayLock\RedisStore::__construct options (connect_timeout, read_timeout, persistent, prefix, tls, replicas, replica_timeout): all accepted, a misspelt one: ValueError listing only documented ones
PayLock\FallbackStore::__construct options (on_redis_down): all accepted, a misspelt one: ValueError listing only documented ones
PayLock\IdempotencyGuard::__construct options (retention, in_progress_ttl, max_result_bytes, prefix, scope, after_crash): all accepted, a misspelt one: ValueError listing only documented ones
PayLock\holder result: matches its shape
PayLock\stats result: matches its shape
holder() when free: NULL (documented |null: yes)
