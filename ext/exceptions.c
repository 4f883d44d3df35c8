/* PayLock exception classes and the one place that turns store errors into exceptions. */
#include "php_paylock.h"
#include "exceptions.h"
#include "zend_exceptions.h"
#include "metrics.h"
#include <syslog.h>

zend_class_entry *paylock_ce_Exception;
zend_class_entry *paylock_ce_ConnectionException;
zend_class_entry *paylock_ce_ReplicationException;
zend_class_entry *paylock_ce_LockTimeoutException;
zend_class_entry *paylock_ce_LockLostException;
zend_class_entry *paylock_ce_InProgressException;
zend_class_entry *paylock_ce_FingerprintMismatchException;
zend_class_entry *paylock_ce_OutcomeUnknownException;
zend_class_entry *paylock_ce_StoreException;

void paylock_error_set(paylock_error *err, paylock_err_kind kind, const char *fmt, ...)
{
	va_list ap;

	err->kind = kind;
	err->unreplicated = false;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

void paylock_error_throw(const paylock_error *err)
{
	zend_class_entry *ce =
		err->kind == PAYLOCK_ERR_CONNECTION
			? (err->unreplicated ? paylock_ce_ReplicationException : paylock_ce_ConnectionException)
			: paylock_ce_StoreException;

	if (err->kind == PAYLOCK_ERR_NONE || EG(exception)) {
		return; /* the failure already threw (no entropy, an error handler's exception) */
	}
	paylock_metric_store_error(err->kind);
	zend_throw_exception(ce, err->msg, 0);
}

void paylock_throw(zend_class_entry *ce, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	zend_vspprintf(&msg, 0, fmt, ap);
	va_end(ap);
	zend_throw_exception(ce, msg, 0);
	efree(msg);
}

void paylock_deployment_warning(const char *fmt, ...)
{
	bool pending = EG(exception) != NULL;
	char *msg;
	va_list ap;

	va_start(ap, fmt);
	zend_vspprintf(&msg, 0, fmt, ap);
	va_end(ap);
	php_error_docref(NULL, E_WARNING, "%s", msg);
	if (!pending && EG(exception)) {
		zend_clear_exception();
		php_log_err_with_severity(msg, LOG_WARNING);
	}
	efree(msg);
}
