<?php

declare(strict_types=1);

namespace PayLock\Magento\Plugin;

use Magento\Framework\Exception\LocalizedException;
use Magento\Framework\Phrase;
use Magento\Payment\Model\InfoInterface;
use Magento\Payment\Model\MethodInterface;
use PayLock\FingerprintMismatchException;
use PayLock\IdempotencyGuard;
use PayLock\Lock;
use PayLock\OutcomeUnknownException;
use PayLock\Store;

/**
 * Sends each payment's capture to the gateway once, however often Magento asks: a double click, two
 * admins, a queued retry, or an invoice whose database transaction rolled back after the gateway said yes.
 * A repeated capture gets the stored transaction id instead, so Magento books the charge that happened.
 *
 * It wraps the payment method's capture() rather than Order\Payment::capture(): the method's call is the
 * one that moves money and it receives the amount; Order\Payment::capture() around it also registers the
 * invoice and the order's totals, which a retry must redo, and it runs for offline captures as well.
 *
 * What it covers: "order:<id>" covers the order while its payment is captured (the same lock the
 * webhook handlers take); the claim on "capture:<payment id>" covers the gateway call, once per payment.
 * Stock is not covered: Magento's inventory reservations are written by their own code; custom code that
 * writes stock by read-then-write takes a "product:<id>" lock. The idempotency scope ('magento' unless
 * di.xml sets one) must differ between installations that share one Redis (staging and production), or
 * one replays the other's captures.
 */
final class CaptureOncePlugin
{
    /** Lease of the order lock: longer than the gateway client's timeout. */
    private const ORDER_LOCK_TTL = 120.0;

    private Store $store;
    private IdempotencyGuard $guard;

    public function __construct(?Store $store = null, string $scope = 'magento', private float $lockWait = 10.0)
    {
        $this->store = $store ?? \PayLock\defaultStore();
        // A process killed while the gateway call was in flight may or may not have charged: 'throw'
        // stops the next capture until someone has looked (see unknownOutcome()).
        $this->guard = new IdempotencyGuard($this->store, ['scope' => $scope, 'after_crash' => 'throw']);
    }

    /**
     * @param InfoInterface $payment an Order\Payment: getId(), getOrder(), getTransactionId(), setTransactionId()
     * @param float|string $amount in the order's base currency
     * @return MethodInterface what capture() returns: the method itself
     */
    public function aroundCapture(MethodInterface $subject, callable $proceed, InfoInterface $payment, $amount)
    {
        $order = $payment->getOrder();
        // The order's lock, which its webhook handlers take too: nothing else changes the order mid-capture.
        $lock = new Lock($this->store, 'order:' . $order->getId(), self::ORDER_LOCK_TTL);
        return $lock->run(
            fn () => $this->captureOnce($subject, $proceed, $payment, $amount, $order->getBaseCurrencyCode()),
            $this->lockWait,
        );
    }

    private function captureOnce(
        MethodInterface $subject,
        callable $proceed,
        InfoInterface $payment,
        $amount,
        string $currency,
    ): MethodInterface {
        // One capture per payment (authorize, then capture the whole amount): a later capture of another
        // amount, a partial invoice, is refused by the fingerprint rather than sent.
        $key = 'capture:' . $payment->getId();
        try {
            $claim = $this->guard->begin($key, [
                'amount' => number_format((float) $amount, 4, '.', ''), // Magento keeps 4 decimals
                'currency' => $currency,
            ]);
        } catch (FingerprintMismatchException) {
            throw new LocalizedException(new Phrase('Payment %1 was already captured for another amount.', [
                $payment->getId(),
            ]));
        } catch (OutcomeUnknownException $e) {
            throw $this->unknownOutcome($key, $e->getMessage());
        }

        if ($claim->isReplay()) {
            $payment->setTransactionId($claim->result()['txn']);
            return $subject;
        }

        // The gateway's request builder sends this as the request's idempotency key: resends within an
        // attempt are merged by the gateway, and after a decline the next attempt is a new request. Attempt
        // numbers never repeat for a key, also after forget(), so the gateway never replays an old answer.
        $payment->setAdditionalInformation(
            'paylock_idempotency_key',
            sprintf('capture-%s-%d', $payment->getId(), $claim->attempt()),
        );
        try {
            $result = $proceed($payment, $amount);
        } catch (LocalizedException $e) {
            // The gateway answered no (Magento's GatewayCommand throws CommandException when a validator
            // rejects the response): nothing was charged, and the next capture is a new attempt.
            $claim->abandon();
            throw $e;
        } catch (\Throwable $e) {
            // No answer (timeout, connection reset): charged or not, nobody knows yet, so every later capture
            // gets OutcomeUnknownException until someone checks and forget()s the key. Commands that wrap
            // such failures in a LocalizedException hide this difference; let transport errors through.
            $claim->markUnknown();
            throw $e;
        }
        $claim->complete(['txn' => $payment->getTransactionId()]);
        return $result;
    }

    private function unknownOutcome(string $key, string $why): LocalizedException
    {
        return new LocalizedException(new Phrase(
            'The capture may or may not have been made (%1). Check the transaction at the gateway, record it, '
                . 'then forget idempotency key "%2" before capturing again.',
            [$why, $key],
        ));
    }
}
