/* Retention on disk: removes expired idempotency records (with their run files) and stale temp files
 * from a FileStore's dir, a bounded batch during normal claims and the whole dir on purge(). */
#ifndef PAYLOCK_FS_SWEEP_H
#define PAYLOCK_FS_SWEEP_H

#include "store.h"

/* Sweeps max_entries dir entries from where the last sweep of this dir stopped (0: the whole dir from
 * its start). *removed counts records and temp files removed. A running claim is never removed. */
paylock_status paylock_fs_sweep(paylock_store *s, uint32_t max_entries, zend_long *removed,
								paylock_error *err);
/* Called on every claim: every few calls (many more for replays, the hot path) sweeps one bounded
 * batch, ignoring errors. */
void paylock_fs_sweep_tick(paylock_store *s, bool replay);

#endif
