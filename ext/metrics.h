/* Pool-wide metrics: counters and histograms in a shared mapping made at module start-up, before PHP-FPM
 * forks its workers, so every worker of a pool (and every process a CLI script forks) adds to the same
 * numbers and they outlive worker recycling. Updates are relaxed atomic adds: no lock, no system call.
 * PayLock\metrics() renders them as Prometheus text exposition. */
#ifndef PAYLOCK_METRICS_H
#define PAYLOCK_METRICS_H

#include "php.h"
#include "store.h"

/* Counters kept per store kind (the store="..." label). */
typedef enum {
	PAYLOCK_M_ACQUIRE_OK,
	PAYLOCK_M_ACQUIRE_BUSY,    /* a single try (wait 0) found it held */
	PAYLOCK_M_ACQUIRE_TIMEOUT, /* waited until the deadline */
	PAYLOCK_M_ACQUIRE_ERROR,   /* the store failed (outage, I/O error) */
	PAYLOCK_M_WAITS,           /* acquires that found the name busy and waited */
	PAYLOCK_M_RELEASES,
	PAYLOCK_M_LOST,     /* held locks found expired or taken */
	PAYLOCK_M_DEGRADED, /* FallbackStore acquires on the local lock alone */
	PAYLOCK_M_FORCED,   /* locks freed by an operator (forceRelease) */
	PAYLOCK_M_IDEM_FIRST_RUN,
	PAYLOCK_M_IDEM_REPLAY,
	PAYLOCK_M_IDEM_IN_PROGRESS,
	PAYLOCK_M_IDEM_OUTCOME_UNKNOWN, /* crashed, marked unknown or unstored: needs a reconciliation */
	PAYLOCK_M_IDEM_MISMATCH,
	PAYLOCK_M_COUNTERS
} paylock_metric;

typedef enum { PAYLOCK_H_WAIT, PAYLOCK_H_HOLD, PAYLOCK_H_COUNT } paylock_histogram;

/* MINIT / MSHUTDOWN: maps (or not, per paylock.metrics and the SAPI) and unmaps the shared block. */
void paylock_metrics_minit(void);
void paylock_metrics_mshutdown(void);
/* Metrics are being kept in this process. */
bool paylock_metrics_enabled(void);

void paylock_metric_inc(const paylock_store *s, paylock_metric m);
/* The same for a store kind named by its paylock.store value ("fallback"). */
void paylock_metric_inc_kind(const char *kind, paylock_metric m);
void paylock_metric_observe(const paylock_store *s, paylock_histogram h, uint64_t ns);
/* A lock released by its holder, held since acquired_ns (monotonic; 0: unknown, no hold time). */
void paylock_metrics_release(const paylock_store *s, uint64_t acquired_ns);
/* The paylock.metrics INI handler (auto, on, off; read once at MINIT). */
ZEND_INI_MH(paylock_metrics_ini_update);
/* paylock.metrics_file: maps size bytes of path shared (created zero-filled when new); NULL warned. */
void *paylock_metrics_file_map(const char *path, size_t size);
/* A store error that reached the caller as an exception, by class ("connection", "store"). */
void paylock_metric_store_error(paylock_err_kind kind);
/* One lock acquire: its result, and its wait when it found the name busy. */
void paylock_metrics_acquire(const paylock_store *s, const paylock_acquire_info *info, paylock_status rc,
							 double wait, uint64_t start_ns);

#endif
