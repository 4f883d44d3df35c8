<?php
// Test-only stand-ins for the few Magento contracts the example module touches, declared from their
// documented signatures (subsets: only what the module calls) so its classes load and run without Magento.

namespace Magento\Framework {
	/** A translatable message; %1, %2... are replaced by the arguments in order. */
	class Phrase
	{
		public function __construct(private string $text, private array $arguments = [])
		{
		}

		public function render(): string
		{
			$pairs = [];
			foreach (array_values($this->arguments) as $i => $argument) {
				$pairs['%' . ($i + 1)] = (string)$argument;
			}
			return strtr($this->text, $pairs);
		}

		public function __toString(): string
		{
			return $this->render();
		}
	}
}

namespace Magento\Framework\Exception {
	use Magento\Framework\Phrase;

	/** An error whose message is meant for the shop's staff (the admin shows it as is). */
	class LocalizedException extends \Exception
	{
		public function __construct(Phrase $phrase, ?\Exception $cause = null, int $code = 0)
		{
			parent::__construct($phrase->render(), $code, $cause);
		}
	}
}

namespace Magento\Framework\Lock {
	interface LockManagerInterface
	{
		/** Takes the named lock, waiting up to $timeout seconds (negative: no limit). */
		public function lock(string $name, int $timeout = -1): bool;

		public function unlock(string $name): bool;

		public function isLocked(string $name): bool;
	}
}

namespace Magento\Payment\Gateway\Command {
	use Magento\Framework\Exception\LocalizedException;

	/** A gateway command failed: in Magento's own GatewayCommand, the gateway's answer was not valid (a decline). */
	class CommandException extends LocalizedException
	{
	}
}

namespace Magento\Payment\Model {
	/** Payment information: an order payment or a quote payment. */
	interface InfoInterface
	{
		public function getAdditionalInformation($key = null);

		public function setAdditionalInformation($key, $value = null);
	}

	/** A payment method (a gateway adapter or a legacy method class). */
	interface MethodInterface
	{
		public function capture(InfoInterface $payment, $amount);
	}
}
