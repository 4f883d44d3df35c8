/* The backend interface: Lock and holder() talk to any store through this table, never to Redis or
 * files directly. Each store object embeds a paylock_store as its first member. */
#ifndef PAYLOCK_STORE_H
#define PAYLOCK_STORE_H

#include "php.h"
#include "exceptions.h"
#include "token.h"
#include "codec.h"

extern zend_class_entry *paylock_ce_Store;

/* What a store needs to know about one lock, and what it keeps between acquire and release. Whatever is
 * specific to one store (an open file, a degraded flag) lives in priv, which only that store reads. */
typedef struct {
	zend_string *name;
	char token[PAYLOCK_TOKEN_HEX + 1]; /* this holder's owner token */
	char rid[PAYLOCK_TOKEN_HEX + 1];   /* names its release tombstone: the lock object's first token, so
										  every release of one object rewrites one key; "" = the token */
	int64_t fence;                     /* fencing token issued with the acquire */
	void *priv;                        /* the store's own state for this lock: NULL until it makes it */
} paylock_lock_state;

typedef struct paylock_store paylock_store;
/* Operator ops (admin.h), optional. */
typedef struct paylock_admin_ops paylock_admin_ops;

/* One idempotency record as IdempotencyGuard asks a store about it. */
typedef struct {
	zend_string *name;                    /* prefix, scope and key: the record's logical name */
	char token[PAYLOCK_TOKEN_HEX + 1];    /* owner token of our claim */
	char fp[PAYLOCK_FINGERPRINT_HEX + 1]; /* fingerprint (SHA-256 hex) or "" */
	int64_t lease_ms;                     /* in_progress_ttl */
	int64_t retention_ms;
	bool throw_after_crash; /* a crashed record answers CRASHED instead of being claimed again */
	void *priv;             /* the store's own state for this claim: NULL until it makes it */
	int64_t attempt;        /* our claim's attempt: written back with a record that vanished */
	bool force;             /* forget(): also while a live owner runs the step */
} paylock_idem_req;

typedef enum {
	PAYLOCK_IDEM_CLAIMED,  /* ours now: run the step */
	PAYLOCK_IDEM_DONE,     /* completed earlier: result holds the stored encoding */
	PAYLOCK_IDEM_RUNNING,  /* another process runs it; lease_left_ms until its claim expires */
	PAYLOCK_IDEM_MISMATCH, /* stored under a different fingerprint */
	PAYLOCK_IDEM_CRASHED,  /* an earlier run died mid-step (only when throw_after_crash) */
	PAYLOCK_IDEM_UNKNOWN,  /* its owner marked the outcome unknown: reconcile, then forget() */
	PAYLOCK_IDEM_UNSTORED, /* the step ran but its result could not be stored: reconcile, then forget() */
} paylock_idem_state;

/* How an owner ends a claim without a result it could store (mark op). */
typedef enum {
	PAYLOCK_MARK_UNKNOWN,  /* the outcome is unknown (a gateway timeout): never re-run automatically */
	PAYLOCK_MARK_UNSTORED, /* the step returned, its result is not storable: never re-run automatically */
} paylock_idem_mark;

typedef struct {
	paylock_idem_state state;
	int64_t attempt;       /* the latest claim's attempt: max(previous + 1, claim time in us), never reused */
	int64_t lease_left_ms; /* RUNNING */
	zend_string *result;   /* DONE: the encoded result (caller releases) */
} paylock_idem_outcome;

typedef struct {
	/* One atomic inspect-or-claim. With register_wait, RUNNING also arms a wake-up for this caller. */
	paylock_status (*claim)(paylock_store *s, paylock_idem_req *r, bool register_wait,
							paylock_idem_outcome *out, paylock_error *err);
	/* Blocks until the record's owner completes or gives up (YES), or until deadline_ns / the owner's
	 * lease end (NO). Spurious YES is allowed: the caller claims again. */
	paylock_status (*wait)(paylock_store *s, paylock_idem_req *r, uint64_t deadline_ns, int64_t lease_left_ms,
						   paylock_error *err);
	/* Owner only: YES stored; NO another owner took the record over. A record that vanished (Redis
	 * restart, FLUSHALL, eviction, forced forget) is written back as completed by us: YES. */
	paylock_status (*complete)(paylock_store *s, paylock_idem_req *r, const zend_string *result,
							   paylock_error *err);
	/* Owner only: ends the claim; outcome_unknown marks it crashed (after_crash applies), else clean. A
	 * vanished record is written back in that state (YES); NO only when another owner has it. */
	paylock_status (*abandon)(paylock_store *s, paylock_idem_req *r, bool outcome_unknown,
							  paylock_error *err);
	/* Deletes the record (wakes waiters). NO (nothing deleted): a live owner runs it and !r->force. */
	paylock_status (*forget)(paylock_store *s, paylock_idem_req *r, paylock_error *err);
	/* Owner only: ends the claim as marked; every later claim answers UNKNOWN or UNSTORED until forget().
	 * YES (a vanished record is written back), NO another owner has it. */
	paylock_status (*mark)(paylock_store *s, paylock_idem_req *r, paylock_idem_mark how, paylock_error *err);
	/* Owner only, one round trip: our claim lasts lease_ms from now. YES (a vanished record is written
	 * back as ours), NO another owner has it or it ended. */
	paylock_status (*refresh)(paylock_store *s, paylock_idem_req *r, int64_t lease_ms, paylock_error *err);
	/* Optional (NULL: the store keeps no r->priv). Frees r->priv without any I/O on the store: a claim
	 * still held is left to its lease (or, for a file, to the kernel at close). */
	void (*req_free)(paylock_store *s, paylock_idem_req *r);
	/* Optional. Forgets the claim without I/O and without touching what the parent process holds (a
	 * forked child's copy, a lost claim); r->priv stays usable for the next claim. */
	void (*req_drop)(paylock_store *s, paylock_idem_req *r);
} paylock_idem_ops;

/* How an acquire went, for stats(). */
typedef struct {
	bool contended; /* a name was found busy at least once */
	bool handoff;   /* a releasing holder handed it to us while we waited (Redis grant, kernel queue) */
} paylock_acquire_info;

/* What a store offers as the local part of FallbackStore (FileStore does): processes of one host see
 * each other's locks and notes. Optional: NULL in paylock_store_ops.local for any other store. */
typedef struct {
	/* l is held by this process. */
	bool (*holds)(paylock_lock_state *l);
	/* Leaves a short note (at most PAYLOCK_LOCAL_NOTE_MAX bytes) with each held lock of l[0..n). */
	void (*note_write)(paylock_lock_state *l, uint32_t n, const char *note, size_t len);
	/* Reads the note of the current holder of l's name: bytes read, -1 none. */
	ssize_t (*note_read)(paylock_store *s, paylock_lock_state *l, char *buf, size_t max);
	/* Raises the store's fencing counter to at least floor (to stay above the remote part's tokens). */
	paylock_status (*fence_floor)(paylock_store *s, int64_t floor, paylock_error *err);
} paylock_local_ops;

/* The largest fencing token a remote store issues: Redis scripts count in doubles, exact up to 2^53 - 1. */
#define PAYLOCK_FENCE_MAX INT64_C(9007199254740991)

/* Lock operations work on n states at once (a Lock has one, a MultiLock one per name, sorted and
 * distinct): all or none are taken, and release/refresh/check cover all of them.
 *
 * Required: kind, acquire, release, refresh, check, holder. Optional (NULL allowed, callers check): fence,
 * state_free, state_drop, is_degraded, fence_above and where (a remote part of FallbackStore needs both),
 * local (a local part of FallbackStore needs it) and idem (NULL: the store keeps no idempotency records, and
 * IdempotencyGuard refuses it). A store keeps what is its own in l->priv / r->priv; generic code never
 * reads it and calls state_free / state_drop (req_free / req_drop) to let go of it. */
typedef struct {
	const char *kind; /* "redis", "file", "fallback" */
	bool has_lease;   /* false: held until release or process exit (flock), ttl is ignored */
	/* Takes every lock for its token, blocking until deadline_ns (0: a single try). All or none: NO and
	 * FAILED leave none held. */
	paylock_status (*acquire)(paylock_store *s, paylock_lock_state *l, uint32_t n, int64_t ttl_ms,
							  uint64_t deadline_ns, paylock_acquire_info *info, paylock_error *err);
	/* YES: all released; NO: at least one was no longer ours (the others are released all the same). */
	paylock_status (*release)(paylock_store *s, paylock_lock_state *l, uint32_t n, paylock_error *err);
	/* YES: every lease extended to ttl_ms from now; NO: at least one is no longer ours. */
	paylock_status (*refresh)(paylock_store *s, paylock_lock_state *l, uint32_t n, int64_t ttl_ms,
							  paylock_error *err);
	/* YES: all still ours. */
	paylock_status (*check)(paylock_store *s, paylock_lock_state *l, uint32_t n, paylock_error *err);
	/* Issues l->fence for one lock if the store issues it lazily (NULL: acquire already set it). */
	paylock_status (*fence)(paylock_store *s, paylock_lock_state *l, paylock_error *err);
	/* YES: *out is an array describing the holder; NO: free. */
	paylock_status (*holder)(paylock_store *s, zend_string *name, zval *out, paylock_error *err);
	/* Frees each l[i].priv without I/O on the store (a held file lock is closed, not unlocked: in a forked
	 * child that leaves the parent's lock alone). */
	void (*state_free)(paylock_store *s, paylock_lock_state *l, uint32_t n);
	/* Forgets held locks without I/O (a forked child, a lost lock); priv stays usable for a new acquire. */
	void (*state_drop)(paylock_store *s, paylock_lock_state *l, uint32_t n);
	/* The lock set is held on a fallback without a lease (FallbackStore on its local lock alone). */
	bool (*is_degraded)(paylock_store *s, const paylock_lock_state *l);
	/* As the remote part of FallbackStore: issues l->fence (if not issued yet) above floor (a floor at or
	 * past PAYLOCK_FENCE_MAX cannot be followed). */
	paylock_status (*fence_above)(paylock_store *s, paylock_lock_state *l, int64_t floor, paylock_error *err);
	/* Where the store is, for messages ("127.0.0.1:6379"). */
	const char *(*where)(paylock_store *s);
	const paylock_local_ops *local;
	const paylock_idem_ops *idem;
	const paylock_admin_ops *admin; /* optional: PayLock\Admin's listing and force-release (admin.h) */
} paylock_store_ops;

struct paylock_store {
	const paylock_store_ops *ops; /* NULL until the constructor ran */
};

/* The paylock_store of a PayLock store object; NULL (Error thrown) for a half-built one. */
paylock_store *paylock_store_from_obj(zend_object *obj);

void paylock_store_minit(void);

#endif
