/* Structured events for the logger set with PayLock\setLogger() (a callable, or a PSR-3-shaped object with
 * log($level, $message, array $context)). Every event is delivered as ($level, $message, $context): level
 * a PSR-3 level, message one sentence, context ["event" => name, "pid" => int, ...the event's fields].
 * README "Logging and events" lists the events and their fields. */
#ifndef PAYLOCK_EVENTS_H
#define PAYLOCK_EVENTS_H

#include "php.h"
#include "store.h"

/* One context field: a string (str != NULL, len bytes) or an integer. */
typedef struct {
	const char *key;
	const char *str;
	size_t len;
	zend_long num;
} paylock_event_field;

#define PAYLOCK_EVENT_STR(k, s)                                                                              \
	{                                                                                                        \
		(k), (s), strlen(s), 0                                                                               \
	}
#define PAYLOCK_EVENT_ZSTR(k, zs)                                                                            \
	{                                                                                                        \
		(k), ZSTR_VAL(zs), ZSTR_LEN(zs), 0                                                                   \
	}
#define PAYLOCK_EVENT_NUM(k, n)                                                                              \
	{                                                                                                        \
		(k), NULL, 0, (zend_long)(n)                                                                         \
	}

/* Delivers one event to this request's logger. Safe with an exception pending (it is kept) and anywhere
 * in a request; a logger that throws is dropped for this event (its exception goes to the error log) and
 * never fails the operation. No logger, or outside a request (RSHUTDOWN, after a fatal error), or inside
 * the logger itself: nothing happens. Returns true when a logger took the event, so the caller may leave
 * out its own E_WARNING. For other modules too: 17a's forceRelease() emits "forced_release" with it. */
bool paylock_event_emit(const char *event, const char *level, const char *message,
						const paylock_event_field *fields, uint32_t n);

/* An E_WARNING for a failure that may repeat in a loop: the first from its call site (fmt) in each
 * request, then at most once per PAYLOCK_WARNING_REPEAT_NS in the same request, naming how many it left
 * out. A user error handler's exception is kept (as php_error_docref does). */
void paylock_warn_limited(const char *fmt, ...) ZEND_ATTRIBUTE_FORMAT(printf, 1, 2);

/* A logger is set for this request. */
bool paylock_event_logger_set(void);

/* RINIT / RSHUTDOWN (start): the logger is per request. */
void paylock_events_rinit(void);
void paylock_events_rshutdown(void);

/* ---- the events PayLock emits itself (one line at each call site) ---- */

/* A held lock (set) was found expired or taken; also counts it in the metrics. */
void paylock_event_lock_lost(const paylock_store *s, const paylock_lock_state *l, uint32_t n);
/* FallbackStore: an acquire went on without Redis (why: the connection error). True: a logger took it. */
bool paylock_event_degraded(const char *why);
/* FallbackStore: Redis at where served a lock again. True: a logger took it. */
bool paylock_event_recovered(const char *where);
/* Deployment risks found on a Redis server (risk: "eviction" or "persistence"). True: a logger took it. */
bool paylock_event_redis_risk(const char *risk, const char *where, const char *detail, size_t detail_len);
/* An operator freed name, held by holder ("host pid 123", or "" when unknown): counts it in the metrics
 * and emits "forced_release". For the admin API's forceRelease(). */
void paylock_event_forced_release(const paylock_store *s, const zend_string *name, const char *holder);
/* A claim ended marked (unstored: its result could not be stored; else outcome unknown); rc: the mark's. */
void paylock_event_claim_marked(const paylock_store *s, const zend_string *key, int64_t attempt,
								bool unstored, paylock_status rc);
/* The owner gave up a claim mid-step (exit(), fatal error, never completed): the record reads crashed. */
void paylock_event_claim_abandoned(const paylock_store *s, const zend_string *key, int64_t attempt,
								   bool crashed, paylock_status rc);
/* A claim found a crashed record (after_crash: throw). */
void paylock_event_claim_found_crashed(const paylock_store *s, const zend_string *key, int64_t attempt);
/* The claim's lease ran out before complete() (run() or complete()): its result was not stored. */
void paylock_event_lease_expired(const paylock_store *s, const zend_string *key, int64_t attempt);

#endif
