/* Exception classes and the error record that store code fills instead of throwing. */
#ifndef PAYLOCK_EXCEPTIONS_H
#define PAYLOCK_EXCEPTIONS_H

#include "php.h"

extern zend_class_entry *paylock_ce_Exception;
extern zend_class_entry *paylock_ce_ConnectionException;
extern zend_class_entry *paylock_ce_ReplicationException;
extern zend_class_entry *paylock_ce_LockTimeoutException;
extern zend_class_entry *paylock_ce_LockLostException;
extern zend_class_entry *paylock_ce_InProgressException;
extern zend_class_entry *paylock_ce_FingerprintMismatchException;
extern zend_class_entry *paylock_ce_OutcomeUnknownException;
extern zend_class_entry *paylock_ce_StoreException;

/* Kinds of failure a store reports; the caller decides whether to throw, degrade or only warn. */
typedef enum {
	PAYLOCK_ERR_NONE = 0,
	PAYLOCK_ERR_CONNECTION, /* unreachable, auth refused, socket broke, timed out */
	PAYLOCK_ERR_STORE,      /* unexpected reply, file I/O error */
} paylock_err_kind;

/* Room for a message that names a long path and still says how to fix it. */
#define PAYLOCK_ERROR_MSG_MAX 1024

typedef struct {
	paylock_err_kind kind;
	char msg[PAYLOCK_ERROR_MSG_MAX];
	bool unreplicated; /* CONNECTION: written, but not acknowledged by the replicas asked for */
} paylock_error;

/* Outcome of one store operation. */
typedef enum {
	PAYLOCK_FAILED = -1, /* see the paylock_error */
	PAYLOCK_NO = 0,      /* busy / not ours / not found */
	PAYLOCK_YES = 1,     /* acquired / released / ours */
} paylock_status;

void paylock_error_set(paylock_error *err, paylock_err_kind kind, const char *fmt, ...)
	ZEND_ATTRIBUTE_FORMAT(printf, 3, 4);
/* Throws the exception class matching err->kind; nothing when err->kind is NONE or an exception is pending.
 */
void paylock_error_throw(const paylock_error *err);
void paylock_throw(zend_class_entry *ce, const char *fmt, ...) ZEND_ATTRIBUTE_FORMAT(printf, 2, 3);
/* An E_WARNING about the deployment (eviction policy, persistence, split lock dirs), not about the call at
 * hand: it must never fail the request. A user error handler sees it; if the handler throws (frameworks turn
 * warnings into exceptions), that exception is dropped and the message goes to the error log instead. */
void paylock_deployment_warning(const char *fmt, ...) ZEND_ATTRIBUTE_FORMAT(printf, 1, 2);

#endif
