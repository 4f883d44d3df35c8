<?php

declare(strict_types=1);

namespace PayLock\Magento\Console\Command;

use PayLock\Admin;
use PayLock\Store;
use Symfony\Component\Console\Command\Command;
use Symfony\Component\Console\Input\InputArgument;
use Symfony\Component\Console\Input\InputInterface;
use Symfony\Component\Console\Input\InputOption;
use Symfony\Component\Console\Output\OutputInterface;

/**
 * `bin/magento paylock <action>`: held locks (Magento's cron groups, indexers, the capture locks) and
 * idempotency records of the capture plugin, over PayLock\Admin (README "Operations").
 *
 *   bin/magento paylock locks [--prefix=magento:]     who holds what, for how long, who waits
 *   bin/magento paylock queue <name>                  the waiters of one lock
 *   bin/magento paylock release <name>                force-release (RedisStore): the first waiter gets it
 *   bin/magento paylock keys [--state=unknown]        capture records (scope "magento")
 *   bin/magento paylock forget <key>                  the capture did not happen: the next try runs it
 *   bin/magento paylock resolve <key> --result=JSON   it did happen: later tries replay this result
 *
 * Exit codes as bin/paylock: 0 done, 1 nothing there, 2 bad input, 3 PayLock error.
 */
final class PayLockCommand extends Command
{
    private const ACTIONS = ['locks', 'queue', 'release', 'keys', 'forget', 'resolve'];

    /** @param string $scope the capture plugin's idempotency scope (di.xml) */
    public function __construct(private ?Store $store = null, private string $scope = 'magento')
    {
        parent::__construct();
    }

    protected function configure(): void
    {
        $this->setName('paylock');
        $this->setDescription('PayLock locks and idempotency records: list, force-release, resolve');
        $this->addArgument('action', InputArgument::REQUIRED, implode('|', self::ACTIONS));
        $this->addArgument('name', InputArgument::OPTIONAL, 'lock name (queue, release) or idempotency key (forget, resolve)');
        $this->addOption('prefix', null, InputOption::VALUE_REQUIRED, 'lock name prefix (locks)', '');
        $this->addOption('state', null, InputOption::VALUE_REQUIRED, 'record state (keys): running, crashed, unknown, unstored, done, abandoned');
        $this->addOption('result', null, InputOption::VALUE_REQUIRED, 'the reconciled result as JSON (resolve)');
        $this->addOption('json', null, InputOption::VALUE_NONE, 'print JSON');
    }

    protected function execute(InputInterface $input, OutputInterface $output): int
    {
        $action = (string) $input->getArgument('action');
        $name = (string) ($input->getArgument('name') ?? '');
        if (!in_array($action, self::ACTIONS, true)) {
            $output->writeln("<error>Unknown action \"$action\": use " . implode(', ', self::ACTIONS) . '</error>');
            return 2;
        }
        if ($name === '' && !in_array($action, ['locks', 'keys'], true)) {
            $output->writeln("<error>paylock $action needs a name or key</error>");
            return 2;
        }
        $admin = new Admin($this->store ?? \PayLock\defaultStore());
        try {
            [$code, $data, $lines] = $this->act($admin, $action, $name, $input);
        } catch (\ValueError | \JsonException $e) {
            $output->writeln('<error>' . $e->getMessage() . '</error>');
            return 2;
        } catch (\PayLock\Exception $e) {
            $output->writeln('<error>' . $e->getMessage() . '</error>');
            return 3;
        }
        if ($input->getOption('json')) {
            $output->writeln((string) json_encode($data, JSON_UNESCAPED_SLASHES | JSON_INVALID_UTF8_SUBSTITUTE));
        } else {
            foreach ($lines as $line) {
                $output->writeln($line);
            }
        }
        return $code;
    }

    /** @return array{int, mixed, list<string>} exit code, data for --json, text lines */
    private function act(Admin $admin, string $action, string $name, InputInterface $input): array
    {
        switch ($action) {
            case 'locks':
                $all = $this->every(fn (?string $c) => $admin->locks((string) $input->getOption('prefix'), $c, 1000), 'locks');
                return [0, $all, array_map(fn (array $e) => sprintf('%s  %s pid %s, fence %s, queue %s%s', $e['name'] ?? '?',
                    $e['holder']['host'] ?? '?', $e['holder']['pid'] ?? '?', $e['holder']['fence'] ?? '-', $e['queue'] ?? '?',
                    $e['degraded'] ? ', DEGRADED' : ''), $all)];
            case 'queue':
                $q = $admin->queue($name);
                return [$q === [] ? 1 : 0, $q, array_map(fn (array $w) => $w['position'] . '. ' . ($w['token'] ?? 'pid ' . ($w['pid'] ?? '?')), $q)];
            case 'release':
                $h = $admin->forceRelease($name);
                return [$h === null ? 1 : 0, ['released' => $h], [$h === null ? 'nobody held it' : "released from {$h['host']} pid {$h['pid']}"]];
            case 'keys':
                $state = $input->getOption('state');
                $all = $this->every(fn (?string $c) => $admin->records($state === null ? null : (string) $state, 'idem:', $c, 1000), 'records');
                $mine = array_values(array_filter($all, fn (array $r) => $r['scope'] === null || $r['scope'] === $this->scope));
                return [0, $mine, array_map(fn (array $r) => sprintf('%-9s %s', $r['state'], $r['key'] ?? $r['id']), $mine)];
            case 'forget':
                $admin->forget($name, $this->scope);
                return [0, ['forgotten' => $name], ["forgotten: $name"]];
            default: // resolve
                $json = $input->getOption('result');
                if ($json === null) {
                    throw new \ValueError('paylock resolve needs --result=JSON: the result the reconciliation found');
                }
                $admin->markDone($name, json_decode((string) $json, true, 512, JSON_THROW_ON_ERROR), $this->scope);
                return [0, ['resolved' => $name], ["resolved: $name"]];
        }
    }

    /** Every page of a listing. */
    private function every(callable $page, string $key): array
    {
        $out = [];
        $cursor = null;
        do {
            $r = $page($cursor);
            $out = array_merge($out, $r[$key]);
            $cursor = $r['cursor'];
        } while ($cursor !== null);
        return $out;
    }
}
