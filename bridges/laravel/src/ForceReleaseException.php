<?php

declare(strict_types=1);

namespace PayLock\Bridge\Laravel;

/** forceRelease() of a file lock another process holds: a flock belongs to its process until it exits. */
final class ForceReleaseException extends \PayLock\Exception
{
	/** @param array{host: string, pid: int, acquired_at: float|int, ttl: float|int|null, fence: int|null, store?: string} $holder */
	public static function heldElsewhere(string $name, array $holder): self
	{
		$ttl = $holder['ttl'] === null ? 'no lease (a file lock: until that process releases or exits)'
			: sprintf('its lease ends in %.1f s', $holder['ttl']);
		return new self(sprintf('Lock "%s" is held by pid %d on %s and PayLock cannot release another process\'s '
			. 'lock: it ends when that process releases it or its request ends; %s. Stop that process to free it sooner.',
			$name, $holder['pid'], $holder['host'], $ttl));
	}
}
