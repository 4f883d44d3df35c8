<?php

/**
 * An event names an order this shop does not have (yet: the gateway may be faster than the checkout's
 * commit), so the delivery is answered 404 and not recorded; the gateway's retry runs it again.
 */
final class PayLock_Unknown_Order_Exception extends RuntimeException
{
}
