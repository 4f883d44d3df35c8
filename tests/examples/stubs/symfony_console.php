<?php
// Test-only stand-ins for the parts of symfony/console a Magento console command uses (Command with
// configure()/execute(), arguments, options, ArrayInput, BufferedOutput), from their documented
// signatures; Debian ships no php-symfony-console here. run() maps input to execute() as Console does.

namespace Symfony\Component\Console\Input {
	interface InputInterface
	{
		public function getArgument(string $name): mixed;

		public function getOption(string $name): mixed;
	}

	final class InputArgument
	{
		public const REQUIRED = 1;
		public const OPTIONAL = 2;
	}

	final class InputOption
	{
		public const VALUE_NONE = 1;
		public const VALUE_REQUIRED = 2;
	}

	/** ['action' => 'locks', '--json' => true]: arguments by name, options with their dashes. */
	final class ArrayInput implements InputInterface
	{
		/** @var array<string, mixed> filled by Command::run() from the definition */
		public array $defaults = [];

		public function __construct(private array $parameters)
		{
		}

		public function getArgument(string $name): mixed
		{
			return $this->parameters[$name] ?? $this->defaults[$name] ?? null;
		}

		public function getOption(string $name): mixed
		{
			return $this->parameters["--$name"] ?? $this->defaults["--$name"] ?? null;
		}
	}
}

namespace Symfony\Component\Console\Output {
	interface OutputInterface
	{
		public function writeln(string|iterable $messages): void;
	}

	final class BufferedOutput implements OutputInterface
	{
		private string $buffer = '';

		public function writeln(string|iterable $messages): void
		{
			foreach (is_string($messages) ? [$messages] : $messages as $m) {
				$this->buffer .= strip_tags($m) . "\n"; // Console strips <error> style tags on plain output
			}
		}

		public function fetch(): string
		{
			[$out, $this->buffer] = [$this->buffer, ''];
			return $out;
		}
	}
}

namespace Symfony\Component\Console\Command {
	use Symfony\Component\Console\Input\ArrayInput;
	use Symfony\Component\Console\Input\InputArgument;
	use Symfony\Component\Console\Input\InputInterface;
	use Symfony\Component\Console\Input\InputOption;
	use Symfony\Component\Console\Output\OutputInterface;

	class Command
	{
		public const SUCCESS = 0;
		public const FAILURE = 1;
		public const INVALID = 2;

		private ?string $name = null;
		private array $arguments = [];
		private array $options = [];

		public function __construct(?string $name = null)
		{
			$this->name = $name;
			$this->configure();
		}

		protected function configure(): void
		{
		}

		protected function execute(InputInterface $input, OutputInterface $output): int
		{
			throw new \LogicException('execute() is not implemented');
		}

		public function setName(string $name): static
		{
			$this->name = $name;
			return $this;
		}

		public function getName(): ?string
		{
			return $this->name;
		}

		public function setDescription(string $description): static
		{
			return $this;
		}

		public function addArgument(string $name, ?int $mode = null, string $description = '', mixed $default = null): static
		{
			$this->arguments[$name] = [$mode ?? InputArgument::OPTIONAL, $default];
			return $this;
		}

		public function addOption(string $name, string|array|null $shortcut = null, ?int $mode = null, string $description = '', mixed $default = null): static
		{
			$this->options[$name] = [$mode ?? InputOption::VALUE_NONE, $mode === InputOption::VALUE_NONE ? false : $default];
			return $this;
		}

		/** Validates required arguments and fills defaults, as Console's Application does, then executes. */
		public function run(ArrayInput $input, OutputInterface $output): int
		{
			foreach ($this->arguments as $name => [$mode, $default]) {
				if ($mode === InputArgument::REQUIRED && $input->getArgument($name) === null) {
					throw new \RuntimeException("Not enough arguments (missing: \"$name\").");
				}
				$input->defaults[$name] = $default;
			}
			foreach ($this->options as $name => [, $default]) {
				$input->defaults["--$name"] = $default;
			}
			return $this->execute($input, $output);
		}
	}
}
