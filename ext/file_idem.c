/* Idempotency records as files in the FileStore's directory, for hosts without Redis.
 *
 * For record name "n", with H = hex SHA-256 of n:
 *   H.idem  the record: one header line, then the encoded result
 *           "PLI1 <state> <attempt> <expires unix ms> <done unix ms> <owner token|-> <fingerprint|-> <len>\n"
 *           (states as on Redis; attempts are max(previous + 1, claim time in us), so they never repeat)
 *           Changed under flock(LOCK_EX) on the file at the path by writing a temp file, fsync and
 *           rename over it (fs_trust.c), so a crash at any instant leaves the old record or the new one.
 *           The inode is re-checked after locking, since a rename or forget() replaces the file, and a
 *           record over RECORD_MAX or the memory left is refused before it is read. Expired records are
 *           removed by fs_sweep.c.
 *   H.run   flocked LOCK_EX by the owner for as long as it runs the step. The kernel drops it when the
 *           process dies, so a crash is seen at once (no lease to wait out: in_progress_ttl only sets
 *           how long a crashed record is kept). Waiters block in flock(LOCK_SH) on it and wake when the
 *           owner finishes (unlocks) or dies. */
#include "php_paylock.h"
#include "file_store.h"
#include "file_internal.h"
#include "deadline.h"
#include "fs_sweep.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC         PAYLOCK_FILE_IDEM_MAGIC
#define HEADER_MAX    PAYLOCK_FILE_IDEM_HEADER_MAX
#define RECORD_MAX    ((size_t)512 * 1024 * 1024 + HEADER_MAX) /* max_result_bytes' largest + header */
#define READ_HEADROOM 3 /* the raw record, the result copied out, its decoded value */
#define SUFFIX_RECORD ".idem"
#define SUFFIX_RUN    ".run"
#define TAKEOVER_WAIT 1000000000ULL /* a waiter holds LOCK_SH on H.run only for an instant */

typedef struct {
	char state; /* 0: no record (or expired), else r d a c as on Redis */
	int64_t attempt;
	int64_t expires_ms;
	int64_t done_ms;
	char owner[PAYLOCK_TOKEN_HEX + 1];
	char fp[PAYLOCK_FINGERPRINT_HEX + 1];
	zend_string *raw; /* the whole file */
	size_t result_off;
	size_t result_len;
} file_record;

typedef struct {
	char rec[PATH_MAX + 96];
	char run[PATH_MAX + 96];
} idem_paths;

/* What FileStore keeps per claim (r->priv). */
typedef struct {
	int run_fd;        /* the flocked run file our claim holds; -1 otherwise */
	zend_string *path; /* the record's path without suffix, made on first use */
} file_claim;

static file_claim *claim_of(paylock_idem_req *r)
{
	if (r->priv == NULL) {
		file_claim *f = emalloc(sizeof(*f));

		f->run_fd = -1;
		f->path = NULL;
		r->priv = f;
	}
	return r->priv;
}

static void paths_of(paylock_store *s, paylock_idem_req *r, idem_paths *p)
{
	file_claim *f = claim_of(r);

	if (f->path == NULL) {
		f->path = paylock_file_path(s, r->name);
	}
	snprintf(p->rec, sizeof(p->rec), "%s" SUFFIX_RECORD, ZSTR_VAL(f->path));
	snprintf(p->run, sizeof(p->run), "%s" SUFFIX_RUN, ZSTR_VAL(f->path));
}

static void record_free(file_record *rec)
{
	if (rec->raw) {
		zend_string_release(rec->raw);
		rec->raw = NULL;
	}
}

static paylock_status damaged(paylock_error *err, const char *path, const char *why)
{
	paylock_error_set(err, PAYLOCK_ERR_STORE, "Idempotency record %s is damaged (%s)", path, why);
	return PAYLOCK_FAILED;
}

static bool read_all(int fd, char *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, buf + got, len - got, (off_t)got);

		if (n <= 0) {
			if (n < 0 && errno == EINTR) {
				continue;
			}
			return false;
		}
		got += (size_t)n;
	}
	return true;
}

static paylock_status parse_header(file_record *rec, const char *path, paylock_error *err)
{
	const char *buf = ZSTR_VAL(rec->raw), *nl;
	char magic[5], state, owner[PAYLOCK_TOKEN_HEX + 2], fp[66];
	long long attempt, expires, done;
	unsigned long long len;

	nl = memchr(buf, '\n', MIN(ZSTR_LEN(rec->raw), HEADER_MAX));
	if (nl == NULL) {
		return damaged(err, path, "no header line");
	}
	if (sscanf(buf, "%4s %c %lld %lld %lld %33s %65s %llu", magic, &state, &attempt, &expires, &done, owner,
			   fp, &len) != 8 ||
		strcmp(magic, MAGIC) != 0 || !strchr("rdacux", state) || state == '\0') {
		return damaged(err, path, "unreadable header");
	}
	rec->result_off = (size_t)(nl - buf) + 1;
	if (len != ZSTR_LEN(rec->raw) - rec->result_off ||
		(strlen(owner) != PAYLOCK_TOKEN_HEX && strcmp(owner, "-")) ||
		(strlen(fp) != PAYLOCK_FINGERPRINT_HEX && strcmp(fp, "-"))) {
		return damaged(err, path, "header does not match its contents");
	}
	rec->state = state;
	rec->attempt = attempt;
	rec->expires_ms = expires;
	rec->done_ms = done;
	strcpy(rec->owner, strcmp(owner, "-") ? owner : "");
	strcpy(rec->fp, strcmp(fp, "-") ? fp : "");
	rec->result_len = (size_t)len;
	return PAYLOCK_YES;
}

/* Checked before reading: a huge record is a StoreException, never a fatal out-of-memory error. */
static bool too_large(off_t size, const char *path, paylock_error *err)
{
	zend_long limit = PG(memory_limit);
	size_t left = limit > 0 ? (size_t)limit - MIN((size_t)limit, zend_memory_usage(false)) : SIZE_MAX;

	if ((size_t)size <= RECORD_MAX && (size_t)size <= left / READ_HEADROOM) {
		return false;
	}
	paylock_error_set(err, PAYLOCK_ERR_STORE,
					  "Idempotency record %s holds %lld bytes, more than PayLock reads (512 MB, and a third "
					  "of the memory_limit left). Fix: raise memory_limit, or forget() the key",
					  path, (long long)size);
	return true;
}

/* Reads the record behind fd. An empty file (made by a claimer that has not renamed its record in yet,
 * or left by one that failed) or an expired record reads as no record. */
static paylock_status read_record(int fd, const char *path, file_record *rec, paylock_error *err)
{
	struct stat st;

	memset(rec, 0, sizeof(*rec));
	if (fstat(fd, &st) != 0) {
		return paylock_io_error(err, "read idempotency record", path);
	}
	if (st.st_size == 0) {
		return PAYLOCK_YES;
	}
	if (too_large(st.st_size, path, err)) {
		return PAYLOCK_FAILED;
	}
	rec->raw = zend_string_alloc((size_t)st.st_size, 0);
	if (!read_all(fd, ZSTR_VAL(rec->raw), (size_t)st.st_size)) {
		paylock_status r = paylock_io_error(err, "read idempotency record", path);

		record_free(rec);
		return r;
	}
	ZSTR_VAL(rec->raw)[st.st_size] = '\0';
	if (parse_header(rec, path, err) != PAYLOCK_YES) {
		record_free(rec);
		return PAYLOCK_FAILED;
	}
	if (rec->expires_ms <= paylock_unix_ms()) {
		int64_t attempt = rec->attempt;

		record_free(rec);
		memset(rec, 0, sizeof(*rec));
		rec->attempt = attempt; /* attempts keep growing on this file */
	}
	return PAYLOCK_YES;
}

/* Replaces the record at path (whose old inode the caller has locked) by a new file: temp, fsync,
 * rename. A failure (full disk) leaves the old record as it was. */
static paylock_status write_record(paylock_store *s, const char *path, const file_record *old, char state,
								   int64_t attempt, int64_t expires_ms, int64_t done_ms, const char *owner,
								   const char *fp, const zend_string *result, paylock_error *err)
{
	size_t rlen = result ? ZSTR_LEN(result) : 0;
	zend_string *buf = zend_string_alloc(HEADER_MAX + rlen, 0);
	int hlen =
		snprintf(ZSTR_VAL(buf), HEADER_MAX, MAGIC " %c %" PRId64 " %" PRId64 " %" PRId64 " %s %s %zu\n",
				 state, attempt, expires_ms, done_ms, *owner ? owner : "-", *fp ? fp : "-", rlen);
	paylock_status st;

	(void)old; /* the old record stays on its own inode until the rename */
	if (rlen) {
		memcpy(ZSTR_VAL(buf) + hlen, ZSTR_VAL(result), rlen);
	}
	st = paylock_fs_replace(paylock_file_trust(s), paylock_file_dir(s), path, "idempotency record",
							ZSTR_VAL(buf), hlen + rlen, err);
	zend_string_efree(buf);
	return st;
}

/* Opens and flocks the record file that is at the path right now (creating an empty one if none). */
static paylock_status lock_record(paylock_store *s, const char *path, int *fd_out, paylock_error *err)
{
	for (;;) {
		int fd;

		if (paylock_fs_open(paylock_file_trust(s), path, O_RDWR | O_CREAT, "idempotency record", &fd, err) !=
			PAYLOCK_YES) {
			return PAYLOCK_FAILED;
		}
		if (flock(fd, LOCK_EX) != 0) {
			paylock_status st = paylock_io_error(err, "lock idempotency record", path);

			close(fd);
			return st;
		}
		if (paylock_same_file(fd, path)) {
			*fd_out = fd;
			return PAYLOCK_YES;
		}
		paylock_unlock_and_close(fd); /* replaced while we waited: lock the new one */
	}
}

/* Takes H.run for a new claim. Waiters hold LOCK_SH only for an instant, so block briefly for them. */
static paylock_status take_run_lock(paylock_store *s, const char *path, int *fd_out, paylock_error *err)
{
	for (;;) {
		int fd, r;

		if (paylock_fs_open(paylock_file_trust(s), path, O_RDWR | O_CREAT, "idempotency run file", &fd,
							err) != PAYLOCK_YES) {
			return PAYLOCK_FAILED;
		}
		r = flock(fd, LOCK_EX | LOCK_NB) == 0
				? 0
				: paylock_flock_until(fd, LOCK_EX, paylock_now_ns() + TAKEOVER_WAIT);
		if (r != 0) {
			paylock_status st =
				r == 1 ? (errno = EBUSY, paylock_io_error(err, "lock idempotency run file", path))
					   : paylock_io_error(err, "lock idempotency run file", path);

			close(fd);
			return st;
		}
		if (paylock_same_file(fd, path)) {
			*fd_out = fd;
			return PAYLOCK_YES;
		}
		paylock_unlock_and_close(fd);
	}
}

/* Is the owner of a running record alive? NO: it died; then *fd_out holds H.run for us (or -1 if the
 * file is gone). YES: its owner still holds it. Waiters may hold LOCK_SH for an instant: an SH we can
 * share means nobody holds EX, so the owner is gone and we wait out the waiters. */
static paylock_status owner_alive(paylock_store *s, const char *path, int *fd_out, paylock_error *err)
{
	int fd;
	paylock_status st =
		paylock_fs_open(paylock_file_trust(s), path, O_RDWR, "idempotency run file", &fd, err);

	*fd_out = -1;
	if (st != PAYLOCK_YES) {
		return st; /* NO: missing, its owner is gone */
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK) {
			paylock_status st = paylock_io_error(err, "lock idempotency run file", path);

			close(fd);
			return st;
		}
		if (flock(fd, LOCK_SH | LOCK_NB) != 0 ||
			paylock_flock_until(fd, LOCK_EX, paylock_now_ns() + TAKEOVER_WAIT) != 0) {
			close(fd); /* an owner holds it (or waiters kept it for a whole second: look again later) */
			return PAYLOCK_YES;
		}
	}
	if (!paylock_same_file(fd, path)) {
		paylock_unlock_and_close(fd);
		return PAYLOCK_NO;
	}
	*fd_out = fd;
	return PAYLOCK_NO;
}

/* Ends our hold of H.run; unlocking wakes every waiter. The file stays for the key's next claim. */
static void release_run(paylock_idem_req *r)
{
	file_claim *f = claim_of(r);

	if (f->run_fd >= 0) {
		paylock_unlock_and_close(f->run_fd);
		f->run_fd = -1;
	}
}

/* The replay path: a shared lock and one read of a completed record. */
static bool try_replay(paylock_store *s, const idem_paths *p, paylock_idem_req *r, paylock_idem_outcome *out)
{
	file_record rec;
	paylock_error ignored;
	int fd;
	bool hit = false;

	if (paylock_fs_open(paylock_file_trust(s), p->rec, O_RDONLY, "idempotency record", &fd, &ignored) !=
		PAYLOCK_YES) {
		return false; /* the locked path below reports what is wrong */
	}
	if (flock(fd, LOCK_SH) != 0 || !paylock_same_file(fd, p->rec)) {
		close(fd);
		return false;
	}
	if (read_record(fd, p->rec, &rec, &ignored) == PAYLOCK_YES && rec.state == 'd' &&
		(!*r->fp || !*rec.fp || strcmp(r->fp, rec.fp) == 0)) {
		out->state = PAYLOCK_IDEM_DONE;
		out->attempt = rec.attempt;
		out->result = zend_string_init(ZSTR_VAL(rec.raw) + rec.result_off, rec.result_len, 0);
		hit = true;
	}
	record_free(&rec);
	paylock_unlock_and_close(fd);
	return hit;
}

/* Wall-clock microseconds: the floor of a new attempt number. */
static int64_t unix_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The decision of the claim, made under the record lock. */
static paylock_status decide(paylock_store *s, paylock_idem_req *r, const idem_paths *p, int fd,
							 file_record *rec, paylock_idem_outcome *out, paylock_error *err)
{
	int run_fd = -1;
	char state = rec->state;

	out->attempt = rec->attempt;
	if (state && state != 'a' && *r->fp && *rec->fp && strcmp(r->fp, rec->fp) != 0) {
		out->state = PAYLOCK_IDEM_MISMATCH;
		return PAYLOCK_YES;
	}
	if (state == 'd') {
		out->state = PAYLOCK_IDEM_DONE;
		out->result = zend_string_init(ZSTR_VAL(rec->raw) + rec->result_off, rec->result_len, 0);
		return PAYLOCK_YES;
	}
	if (state == 'u' || state == 'x') {
		out->state = state == 'u' ? PAYLOCK_IDEM_UNKNOWN : PAYLOCK_IDEM_UNSTORED;
		return PAYLOCK_YES;
	}
	if (state == 'r') {
		paylock_status alive = owner_alive(s, p->run, &run_fd, err);

		if (alive == PAYLOCK_FAILED) {
			return alive;
		}
		if (alive == PAYLOCK_YES) {
			out->state = PAYLOCK_IDEM_RUNNING;
			out->lease_left_ms = r->lease_ms;
			return PAYLOCK_YES;
		}
		state = 'c'; /* its process died mid-step */
	}
	if (state == 'c' && r->throw_after_crash) {
		if (run_fd >= 0) {
			paylock_unlock_and_close(run_fd);
		}
		out->state = PAYLOCK_IDEM_CRASHED;
		return PAYLOCK_YES;
	}
	if (run_fd < 0 && take_run_lock(s, p->run, &run_fd, err) != PAYLOCK_YES) {
		return PAYLOCK_FAILED;
	}
	out->attempt = MAX(rec->attempt + 1, unix_us());
	if (write_record(s, p->rec, rec, 'r', out->attempt, paylock_unix_ms() + r->lease_ms + r->retention_ms, 0,
					 r->token, r->fp, NULL, err) != PAYLOCK_YES) {
		paylock_unlock_and_close(run_fd);
		return PAYLOCK_FAILED;
	}
	claim_of(r)->run_fd = run_fd;
	paylock_fs_hold(run_fd); /* a forked child must not keep this claim running */
	out->state = PAYLOCK_IDEM_CLAIMED;
	return PAYLOCK_YES;
}

static paylock_status fidem_claim(paylock_store *s, paylock_idem_req *r, bool register_wait,
								  paylock_idem_outcome *out, paylock_error *err)
{
	idem_paths p;
	file_record rec;
	int fd;
	paylock_status st;

	paths_of(s, r, &p);
	if (try_replay(s, &p, r, out)) {
		paylock_fs_sweep_tick(s, true);
		return PAYLOCK_YES;
	}
	paylock_fs_sweep_tick(s, false);
	if (lock_record(s, p.rec, &fd, err) != PAYLOCK_YES) {
		return PAYLOCK_FAILED;
	}
	st = read_record(fd, p.rec, &rec, err);
	if (st == PAYLOCK_YES) {
		st = decide(s, r, &p, fd, &rec, out, err);
		record_free(&rec);
	}
	paylock_unlock_and_close(fd);
	return st;
}

static paylock_status fidem_wait(paylock_store *s, paylock_idem_req *r, uint64_t deadline_ns,
								 int64_t lease_left_ms, paylock_error *err)
{
	idem_paths p;
	int fd, rc;

	paths_of(s, r, &p);
	switch (paylock_fs_open(paylock_file_trust(s), p.run, O_RDONLY, "idempotency run file", &fd, err)) {
	case PAYLOCK_NO:
		return PAYLOCK_YES; /* gone: the claim is over */
	case PAYLOCK_FAILED:
		return PAYLOCK_FAILED;
	default:
		break;
	}
	rc = flock(fd, LOCK_SH | LOCK_NB) == 0 ? 0 : paylock_flock_until(fd, LOCK_SH, deadline_ns);
	if (rc < 0) {
		paylock_status st = paylock_io_error(err, "wait on idempotency run file", p.run);

		close(fd);
		return st;
	}
	paylock_unlock_and_close(fd);
	return rc == 0 ? PAYLOCK_YES : PAYLOCK_NO;
}

/* Rewrites our running record as `state` (with result for 'd'). NO when another owner has it; a record
 * that vanished (forced forget, a sweep) is written back as ours. */
static paylock_status finish(paylock_store *s, paylock_idem_req *r, char state, const zend_string *result,
							 paylock_error *err)
{
	idem_paths p;
	file_record rec;
	int fd;
	paylock_status st;
	int64_t now = paylock_unix_ms();

	paths_of(s, r, &p);
	if (lock_record(s, p.rec, &fd, err) != PAYLOCK_YES) {
		return PAYLOCK_FAILED;
	}
	st = read_record(fd, p.rec, &rec, err);
	if (st == PAYLOCK_YES) {
		if (rec.state == 0) {
			st = write_record(s, p.rec, &rec, state, MAX(rec.attempt, r->attempt), now + r->retention_ms,
							  state == 'd' ? now : 0, r->token, r->fp, result, err);
		} else if (strcmp(rec.owner, r->token) != 0) {
			st = PAYLOCK_NO;
		} else if (rec.state == state) {
			st = PAYLOCK_YES; /* resent */
		} else if (rec.state != 'r') {
			st = PAYLOCK_NO;
		} else {
			st = write_record(s, p.rec, &rec, state, rec.attempt, now + r->retention_ms,
							  state == 'd' ? now : 0, r->token, rec.fp, result, err);
		}
		record_free(&rec);
	}
	paylock_unlock_and_close(fd);
	if (st != PAYLOCK_FAILED) {
		release_run(r);
	}
	return st;
}

static paylock_status fidem_complete(paylock_store *s, paylock_idem_req *r, const zend_string *result,
									 paylock_error *err)
{
	return finish(s, r, 'd', result, err);
}

static paylock_status fidem_abandon(paylock_store *s, paylock_idem_req *r, bool outcome_unknown,
									paylock_error *err)
{
	paylock_status st = finish(s, r, outcome_unknown ? 'c' : 'a', NULL, err);

	/* Also when it could not be written down (full disk?): letting go of H.run tells everyone this run is
	 * over, and a running record without a live owner reads as crashed. */
	release_run(r);
	return st;
}

static paylock_status fidem_mark(paylock_store *s, paylock_idem_req *r, paylock_idem_mark how,
								 paylock_error *err)
{
	paylock_status st = finish(s, r, how == PAYLOCK_MARK_UNKNOWN ? 'u' : 'x', NULL, err);

	/* Not when it could not be written down (full disk?): the step ran, and a running record without a
	 * live owner would read as crashed and run again. The claim is marked at request end instead. */
	if (st != PAYLOCK_FAILED) {
		release_run(r);
	}
	return st;
}

/* Our run lock already tells everyone we are alive; refreshing checks the record is ours (writing a
 * vanished one back) and keeps it for lease + retention from now. */
static paylock_status fidem_refresh(paylock_store *s, paylock_idem_req *r, int64_t lease_ms,
									paylock_error *err)
{
	idem_paths p;
	file_record rec;
	int fd;
	paylock_status st;

	paths_of(s, r, &p);
	if (claim_of(r)->run_fd < 0) {
		return PAYLOCK_NO;
	}
	if (lock_record(s, p.rec, &fd, err) != PAYLOCK_YES) {
		return PAYLOCK_FAILED;
	}
	st = read_record(fd, p.rec, &rec, err);
	if (st == PAYLOCK_YES) {
		if (rec.state != 0 && (rec.state != 'r' || strcmp(rec.owner, r->token) != 0)) {
			st = PAYLOCK_NO;
		} else {
			st = write_record(s, p.rec, &rec, 'r', MAX(rec.attempt, r->attempt),
							  paylock_unix_ms() + lease_ms + r->retention_ms, 0, r->token, r->fp, NULL, err);
		}
		record_free(&rec);
	}
	paylock_unlock_and_close(fd);
	return st;
}

/* Refused (NO) while a live owner holds the run file, unless forced. */
static paylock_status fidem_forget(paylock_store *s, paylock_idem_req *r, paylock_error *err)
{
	idem_paths p;
	file_record rec;
	int fd, run_fd = -1;
	paylock_status st;

	paths_of(s, r, &p);
	if (lock_record(s, p.rec, &fd, err) != PAYLOCK_YES) {
		return PAYLOCK_FAILED;
	}
	if (!r->force && read_record(fd, p.rec, &rec, err) == PAYLOCK_YES) {
		bool running = rec.state == 'r';

		record_free(&rec);
		if (running && (st = owner_alive(s, p.run, &run_fd, err)) != PAYLOCK_NO) {
			paylock_unlock_and_close(fd);
			return st == PAYLOCK_YES ? PAYLOCK_NO : st; /* alive: refused */
		}
	}
	err->kind = PAYLOCK_ERR_NONE; /* a damaged record is forgotten all the same */
	unlink(p.run);
	unlink(p.rec);
	if (run_fd >= 0) {
		paylock_unlock_and_close(run_fd);
	}
	paylock_unlock_and_close(fd);
	return PAYLOCK_YES;
}

/* Without LOCK_UN: in a forked child the close leaves the parent's claim running. */
static void fidem_req_drop(paylock_store *s, paylock_idem_req *r)
{
	file_claim *f = r->priv;

	(void)s;
	if (f && f->run_fd >= 0) {
		close(f->run_fd);
		f->run_fd = -1;
	}
}

static void fidem_req_free(paylock_store *s, paylock_idem_req *r)
{
	file_claim *f = r->priv;

	fidem_req_drop(s, r);
	if (f) {
		if (f->path) {
			zend_string_release(f->path);
		}
		efree(f);
		r->priv = NULL;
	}
}

const paylock_idem_ops paylock_file_idem_ops = {
	.claim = fidem_claim,
	.wait = fidem_wait,
	.complete = fidem_complete,
	.abandon = fidem_abandon,
	.forget = fidem_forget,
	.mark = fidem_mark,
	.refresh = fidem_refresh,
	.req_free = fidem_req_free,
	.req_drop = fidem_req_drop,
};
