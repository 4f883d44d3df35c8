/* FileStore: locks as flock(2) on files named by the hex SHA-256 of the lock name, so names never reach
 * the path. A timed wait blocks in the kernel and is interrupted at the deadline by the deadline signal
 * (deadline.c). Released files are unlinked while still locked; a waiter that then
 * wakes on the unlinked inode sees it no longer matches the path and opens the new one. */
#include "php_paylock.h"
#include "file_store.h"
#include "file_internal.h"
#include "admin.h"
#include "deadline.h"
#include "fs_trust.h"
#include "fs_sweep.h"
#include "ext/standard/md5.h"
#include "ext/hash/php_hash.h"
#include "ext/hash/php_hash_sha.h"
#include "php_open_temporary_file.h"
#include "zend_exceptions.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <glob.h>
#include "ext/standard/info.h"

zend_class_entry *paylock_ce_FileStore;
static zend_object_handlers file_store_handlers;

#define LOCK_PATH_MAX (PATH_MAX + 72)
#define FENCE_FILE    "fencing-counter"
#define FENCE_WIDTH   20
#define META_MAX      PAYLOCK_FILE_META_MAX
#define LOCK_FILE_MAX (PAYLOCK_FILE_NAME_OFFSET + PAYLOCK_FILE_NAME_SLOT)
#define DEFAULT_DIR   "paylock-" /* + euid: users never share a default dir by accident */

static inline paylock_file_store *file_store_from_obj(zend_object *obj)
{
	return (paylock_file_store *)((char *)obj - XtOffsetOf(paylock_file_store, std));
}

/* What FileStore keeps per lock (l->priv): the open, flocked lock file and its path. */
typedef struct {
	int fd;            /* -1 when not held */
	zend_string *path; /* made on first use */
} file_lock;

static file_lock *file_lock_of(paylock_lock_state *l)
{
	if (l->priv == NULL) {
		file_lock *f = emalloc(sizeof(*f));

		f->fd = -1;
		f->path = NULL;
		l->priv = f;
	}
	return l->priv;
}

/* A lock's path never changes: hash the name once per Lock, not on every acquire, check and release. */
static const char *lock_path(paylock_store *s, paylock_lock_state *l)
{
	file_lock *f = file_lock_of(l);

	if (f->path == NULL) {
		f->path = paylock_file_path(s, l->name);
	}
	return ZSTR_VAL(f->path);
}

/* The path still names the inode st (an fd's fstat) describes. */
static bool same_inode(const struct stat *st, const char *path)
{
	struct stat b;

	return lstat(path, &b) == 0 && st->st_ino == b.st_ino && st->st_dev == b.st_dev;
}

/* "pid:acquired_ms:fence:host\n" for holder(); readers stop at the newline. */
static bool write_meta(int fd, int64_t fence)
{
	char meta[META_MAX];
	int n = snprintf(meta, sizeof(meta), "%ld:%" PRId64 ":%" PRId64 ":%s\n", (long)paylock_pid(),
					 paylock_unix_ms(), fence, PAYLOCK_G(hostname));

	return pwrite(fd, meta, n, 0) == n;
}

static paylock_status acquire_one(paylock_store *s, paylock_lock_state *l, uint64_t deadline_ns,
								  paylock_acquire_info *info, paylock_error *err)
{
	const char *path = lock_path(s, l);

	for (;;) {
		struct stat st;
		int fd;

		if (paylock_fs_open_st(paylock_file_trust(s), path, O_RDWR | O_CREAT, "lock file", &fd, &st, err) !=
			PAYLOCK_YES) {
			return PAYLOCK_FAILED;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
			int r;

			if (errno != EWOULDBLOCK) {
				close(fd);
				return paylock_io_error(err, "lock", path);
			}
			info->contended = true;
			if (deadline_ns == 0 || paylock_now_ns() >= deadline_ns) {
				close(fd);
				return PAYLOCK_NO;
			}
			r = paylock_flock_until(fd, LOCK_EX, deadline_ns);
			if (r != 0) {
				close(fd);
				return r == 1 ? PAYLOCK_NO : paylock_io_error(err, "lock", path);
			}
			info->handoff = true; /* the kernel's queue gave it to us at its holder's unlock */
		}
		if (!same_inode(&st, path)) {
			paylock_unlock_and_close(fd); /* released and unlinked while we waited: take the current file */
			continue;
		}
		if (!write_meta(fd, 0)) {
			paylock_error_set(err, PAYLOCK_ERR_STORE, "Cannot write lock file %s: %s", path,
							  errno ? strerror(errno) : "short write");
			unlink(path);
			paylock_unlock_and_close(fd);
			return PAYLOCK_FAILED;
		}
		paylock_file_name_write(fd, l->name);
		file_lock_of(l)->fd = fd;
		paylock_fs_hold_st(fd, &st);
		return PAYLOCK_YES;
	}
}

static paylock_status check_one(paylock_store *s, paylock_lock_state *l)
{
	int fd = file_lock_of(l)->fd;

	if (fd < 0) {
		return PAYLOCK_NO;
	}
	return paylock_same_file(fd, lock_path(s, l)) ? PAYLOCK_YES : PAYLOCK_NO;
}

static paylock_status release_one(paylock_store *s, paylock_lock_state *l)
{
	file_lock *f = file_lock_of(l);
	const char *path;
	bool ours;

	if (f->fd < 0) {
		return PAYLOCK_NO;
	}
	path = lock_path(s, l);
	ours = paylock_same_file(f->fd, path);
	if (ours) {
		unlink(path); /* while still locked, so no one can be holding the path's file right now */
	}
	paylock_unlock_and_close(f->fd);
	f->fd = -1;
	return ours ? PAYLOCK_YES : PAYLOCK_NO;
}

static paylock_status file_release(paylock_store *s, paylock_lock_state *l, uint32_t n, paylock_error *err)
{
	paylock_status rc = PAYLOCK_YES;
	uint32_t i = n;

	while (i-- > 0) {
		if (release_one(s, &l[i]) == PAYLOCK_NO) {
			rc = PAYLOCK_NO;
		}
	}
	return rc;
}

/* The names come sorted, and every process takes them in that order, so two sets that share names
 * cannot each hold what the other waits for. */
static paylock_status file_acquire(paylock_store *s, paylock_lock_state *l, uint32_t n, int64_t ttl_ms,
								   uint64_t deadline_ns, paylock_acquire_info *info, paylock_error *err)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		paylock_status rc = acquire_one(s, &l[i], deadline_ns, info, err);

		if (rc != PAYLOCK_YES) {
			file_release(s, l, i, err); /* all or none */
			return rc;
		}
	}
	return PAYLOCK_YES;
}

static paylock_status file_check(paylock_store *s, paylock_lock_state *l, uint32_t n, paylock_error *err)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (check_one(s, &l[i]) != PAYLOCK_YES) {
			return PAYLOCK_NO;
		}
	}
	return PAYLOCK_YES;
}

static paylock_status file_refresh(paylock_store *s, paylock_lock_state *l, uint32_t n, int64_t ttl_ms,
								   paylock_error *err)
{
	return file_check(s, l, n, err); /* a flock has no lease: it lasts until release or process exit */
}

/* The counter as written (digits, optional trailing whitespace); false for anything else ("-5", junk). */
static bool parse_counter(const char *buf, ssize_t n, int64_t *v)
{
	uint64_t acc = 0;
	ssize_t i = 0;

	for (; i < n && buf[i] >= '0' && buf[i] <= '9'; i++) {
		acc = acc * 10 + (uint64_t)(buf[i] - '0');
		if (acc > (uint64_t)INT64_MAX) {
			return false;
		}
	}
	if (i == 0) {
		return false;
	}
	for (; i < n; i++) {
		if (buf[i] != '\n' && buf[i] != ' ' && buf[i] != '\r' && buf[i] != '\t') {
			return false;
		}
	}
	*v = (int64_t)acc;
	return true;
}

/* Wall-clock microseconds: a floor that keeps tokens growing after the counter file is lost (deleted,
 * garbage, a temp dir cleared at boot), as long as the clock does not step back past the last token. */
static int64_t clock_floor(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static paylock_status read_counter(int fd, const char *path, int64_t *v, bool *known, paylock_error *err)
{
	char buf[FENCE_WIDTH + 8];
	struct stat st;
	ssize_t n;

	*v = 0;
	*known = false;
	if (fstat(fd, &st) != 0) {
		return paylock_io_error(err, "read fencing counter", path);
	}
	if (st.st_size == 0 || st.st_size > (off_t)sizeof(buf)) {
		return PAYLOCK_YES; /* missing or junk: the clock floor decides */
	}
	n = pread(fd, buf, sizeof(buf), 0);
	if (n < 0) {
		return paylock_io_error(err, "read fencing counter", path);
	}
	*known = parse_counter(buf, n, v);
	return PAYLOCK_YES;
}

/* Reads, raises and writes the dir's counter under its own flock. Issuing (increment) gives
 * max(counter + 1, clock floor, floor); raising (!increment) gives max(counter, floor). A counter that
 * was unreadable junk is never trusted: the clock floor replaces it. */
static paylock_status bump_counter(paylock_file_store *fs, int64_t floor, bool increment, int64_t *out,
								   paylock_error *err)
{
	char path[LOCK_PATH_MAX], buf[FENCE_WIDTH + 2];
	int fd;
	int64_t v, next;
	bool known;

	snprintf(path, sizeof(path), "%s/" FENCE_FILE, ZSTR_VAL(fs->dir));
	if (paylock_fs_open(&fs->trust, path, O_RDWR | O_CREAT, "fencing counter", &fd, err) != PAYLOCK_YES) {
		return PAYLOCK_FAILED;
	}
	if (flock(fd, LOCK_EX) != 0) {
		close(fd);
		return paylock_io_error(err, "lock fencing counter", path);
	}
	if (read_counter(fd, path, &v, &known, err) != PAYLOCK_YES) {
		paylock_unlock_and_close(fd);
		return PAYLOCK_FAILED;
	}
	if (increment && known && v == INT64_MAX) {
		paylock_error_set(err, PAYLOCK_ERR_STORE,
						  "Fencing counter %s is at INT64_MAX: no larger token exists. Fix: reset the fences "
						  "stored by your application, then remove the file",
						  path);
		paylock_unlock_and_close(fd);
		return PAYLOCK_FAILED;
	}
	next = increment ? MAX(v + 1, clock_floor()) : v;
	if (!known) {
		next = MAX(next, clock_floor());
	}
	next = MAX(next, floor);
	if (next != v || !known) {
		/* Fixed width, one write: the counter is never half-written. */
		snprintf(buf, sizeof(buf), "%0*" PRId64, FENCE_WIDTH, next);
		errno = 0;
		if (pwrite(fd, buf, FENCE_WIDTH, 0) != FENCE_WIDTH || ftruncate(fd, FENCE_WIDTH) != 0) {
			paylock_error_set(err, PAYLOCK_ERR_STORE, "Cannot write fencing counter %s: %s", path,
							  errno ? strerror(errno) : "short write");
			paylock_unlock_and_close(fd);
			return PAYLOCK_FAILED;
		}
	}
	paylock_unlock_and_close(fd);
	*out = next;
	return PAYLOCK_YES;
}

static paylock_status file_fence(paylock_store *s, paylock_lock_state *l, paylock_error *err)
{
	if (l->fence == 0) {
		if (bump_counter((paylock_file_store *)s, 0, true, &l->fence, err) != PAYLOCK_YES) {
			return PAYLOCK_FAILED;
		}
		write_meta(file_lock_of(l)->fd, l->fence);
	}
	return PAYLOCK_YES;
}

paylock_status paylock_file_fence_floor(paylock_store *s, int64_t floor, paylock_error *err)
{
	int64_t ignored;

	return bump_counter((paylock_file_store *)s, floor, false, &ignored, err);
}

paylock_status paylock_file_describe_meta(const char *meta, zval *out)
{
	long long f[3];
	const char *p = meta;

	for (int i = 0; i < 3; i++) {
		char *stop;

		f[i] = ZEND_STRTOL(p, &stop, 10);
		if (*stop != ':') {
			return PAYLOCK_NO;
		}
		p = stop + 1;
	}
	array_init_size(out, 6);
	add_assoc_stringl(out, "host", p, strcspn(p, "\n"));
	add_assoc_long(out, "pid", (zend_long)f[0]);
	add_assoc_double(out, "acquired_at", f[1] / 1000.0);
	add_assoc_null(out, "ttl"); /* held until release or process exit */
	if (f[2] > 0) {
		add_assoc_long(out, "fence", (zend_long)f[2]);
	} else {
		add_assoc_null(out, "fence");
	}
	add_assoc_string(out, "store", "file");
	return PAYLOCK_YES;
}

static paylock_status file_holder(paylock_store *s, zend_string *name, zval *out, paylock_error *err)
{
	char meta[META_MAX];
	zend_string *path = paylock_file_path(s, name);
	struct stat st;
	int fd;
	ssize_t n;
	paylock_status rc =
		paylock_fs_open(paylock_file_trust(s), ZSTR_VAL(path), O_RDONLY, "lock file", &fd, err);

	if (rc != PAYLOCK_YES) {
		zend_string_release(path);
		return rc;
	}
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		zend_string_release(path);
		paylock_unlock_and_close(fd); /* nobody holds it */
		return PAYLOCK_NO;
	}
	if (fstat(fd, &st) == 0 && st.st_size > (off_t)LOCK_FILE_MAX) {
		paylock_error_set(
			err, PAYLOCK_ERR_STORE,
			"Lock file %s holds %lld bytes, more than a lock file's %d; PayLock does not read it. "
			"Fix: find who writes to it",
			ZSTR_VAL(path), (long long)st.st_size, LOCK_FILE_MAX);
		zend_string_release(path);
		close(fd);
		return PAYLOCK_FAILED;
	}
	zend_string_release(path);
	n = pread(fd, meta, sizeof(meta) - 1, 0);
	close(fd);
	meta[n > 0 ? n : 0] = '\0';
	if (paylock_file_describe_meta(meta, out) == PAYLOCK_NO) {
		/* Held by something that is not PayLock (a plain flock() on the same path). */
		array_init_size(out, 6);
		add_assoc_null(out, "host");
		add_assoc_null(out, "pid");
		add_assoc_null(out, "acquired_at");
		add_assoc_null(out, "ttl");
		add_assoc_null(out, "fence");
		add_assoc_string(out, "store", "file");
	}
	return PAYLOCK_YES;
}

/* Without LOCK_UN: in a forked child the close leaves the parent's flock in place. */
static void file_state_drop(paylock_store *s, paylock_lock_state *l, uint32_t n)
{
	(void)s;
	for (uint32_t i = 0; i < n; i++) {
		file_lock *f = l[i].priv;

		if (f && f->fd >= 0) {
			close(f->fd);
			f->fd = -1;
		}
	}
}

static void file_state_free(paylock_store *s, paylock_lock_state *l, uint32_t n)
{
	file_state_drop(s, l, n);
	for (uint32_t i = 0; i < n; i++) {
		file_lock *f = l[i].priv;

		if (f) {
			if (f->path) {
				zend_string_release(f->path);
			}
			efree(f);
			l[i].priv = NULL;
		}
	}
}

static bool file_holds(paylock_lock_state *l)
{
	return file_lock_of(l)->fd >= 0;
}

static void file_note_write(paylock_lock_state *l, uint32_t n, const char *note, size_t len)
{
	for (uint32_t i = 0; i < n; i++) {
		int fd = file_lock_of(&l[i])->fd;

		if (fd >= 0 && pwrite(fd, note, len, PAYLOCK_FILE_NOTE_OFFSET) != (ssize_t)len) {
			/* an unreadable note: its readers must treat it as the most careful answer */
		}
	}
}

static ssize_t file_note_read(paylock_store *s, paylock_lock_state *l, char *buf, size_t max)
{
	int fd = open(lock_path(s, l), O_RDONLY | PAYLOCK_FS_OPEN_FLAGS); /* never blocks on a FIFO */
	ssize_t n;

	if (fd < 0) {
		return -1;
	}
	n = pread(fd, buf, MIN(max, PAYLOCK_FILE_NOTE_MAX), PAYLOCK_FILE_NOTE_OFFSET);
	close(fd);
	return n;
}

static const paylock_local_ops file_local_ops = {
	.holds = file_holds,
	.note_write = file_note_write,
	.note_read = file_note_read,
	.fence_floor = paylock_file_fence_floor,
};

static const char *file_where(paylock_store *s)
{
	return paylock_file_dir(s);
}

const paylock_store_ops paylock_file_ops = {
	.kind = "file",
	.has_lease = false,
	.acquire = file_acquire,
	.release = file_release,
	.refresh = file_refresh,
	.check = file_check,
	.fence = file_fence,
	.holder = file_holder,
	.state_free = file_state_free,
	.state_drop = file_state_drop,
	.where = file_where,
	.local = &file_local_ops,
	.idem = &paylock_file_idem_ops,
	.admin = &paylock_file_admin_ops,
};

/* The default dir: one per effective uid (or, with a shared group, one per group), so one user's first
 * touch never decides another user's dir. */
static zend_string *default_lock_dir(const paylock_fs_trust *t)
{
	const char *ini = PAYLOCK_G(lock_dir);

	if (ini && *ini) {
		return zend_string_init(ini, strlen(ini), 0);
	}
	if (t->shared) {
		return zend_strpprintf(0, "%s/" DEFAULT_DIR "g%ld", php_get_temporary_directory(), (long)t->gid);
	}
	return zend_strpprintf(0, "%s/" DEFAULT_DIR "%ld", php_get_temporary_directory(), (long)t->uid);
}

/* Once per process: another user's default dir next to ours means that user's processes do not
 * exclude ours on files. Say so instead of letting it pass silently. */
static void warn_split_default_dirs(const char *ours)
{
	ZEND_TLS bool warned;
	char pattern[PATH_MAX];
	glob_t g;

	if (warned) {
		return;
	}
	warned = true;
	snprintf(pattern, sizeof(pattern), "%s/" DEFAULT_DIR "*", php_get_temporary_directory());
	if (glob(pattern, GLOB_NOSORT | GLOB_ONLYDIR, NULL, &g) != 0) {
		return;
	}
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *tail = strrchr(g.gl_pathv[i], '-') + 1;
		struct stat st;

		if (strcmp(g.gl_pathv[i], ours) != 0 && tail[strspn(tail, "0123456789")] == '\0' &&
			lstat(g.gl_pathv[i], &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid != geteuid()) {
			paylock_deployment_warning(
				"PayLock uses the lock dir %s (uid %ld); %s belongs to uid %ld. Processes of these "
				"users do not exclude each other on files (FileStore, FallbackStore with Redis "
				"down). To share one dir set paylock.lock_group (README: Files on a shared host)",
				ours, (long)geteuid(), g.gl_pathv[i], (long)st.st_uid);
			break;
		}
	}
	globfree(&g);
}

static zend_result trust_of(zend_string *group, uint32_t arg_num, paylock_fs_trust *t)
{
	const char *name = group ? ZSTR_VAL(group) : PAYLOCK_G(lock_group);

	t->uid = geteuid();
	t->gid = (gid_t)-1;
	t->shared = name && *name;
	if (t->shared && !paylock_fs_group(name, &t->gid)) {
		if (group) {
			zend_argument_value_error(arg_num, "must name an existing group, \"%s\" is unknown", name);
		} else {
			paylock_throw(paylock_ce_StoreException, "paylock.lock_group names an unknown group \"%s\"",
						  name);
		}
		return FAILURE;
	}
	return SUCCESS;
}

zend_result paylock_file_store_init_ex(zend_object *obj, zend_string *dir, zend_string *group,
									   uint32_t arg_num)
{
	paylock_file_store *fs = file_store_from_obj(obj);
	paylock_fs_trust t;
	zend_string *d;

	if (trust_of(group, arg_num + 1, &t) == FAILURE) {
		return FAILURE;
	}
	d = dir ? zend_string_copy(dir) : default_lock_dir(&t);
	while (ZSTR_LEN(d) > 1 && ZSTR_VAL(d)[ZSTR_LEN(d) - 1] == '/') {
		zend_string *trimmed = zend_string_init(ZSTR_VAL(d), ZSTR_LEN(d) - 1, 0);

		zend_string_release(d);
		d = trimmed;
	}
	if (ZSTR_LEN(d) == 0 || ZSTR_VAL(d)[0] != '/' || ZSTR_LEN(d) >= PATH_MAX - 80 ||
		memchr(ZSTR_VAL(d), '\0', ZSTR_LEN(d))) {
		if (dir) {
			zend_argument_value_error(arg_num, "must be an absolute directory path without NUL bytes");
		} else {
			paylock_throw(paylock_ce_StoreException, "paylock.lock_dir must be an absolute directory path");
		}
		zend_string_release(d);
		return FAILURE;
	}
	if (paylock_fs_check_dir(ZSTR_VAL(d), &t) == FAILURE) {
		zend_string_release(d);
		return FAILURE;
	}
	if (!dir && !(PAYLOCK_G(lock_dir) && *PAYLOCK_G(lock_dir)) && !t.shared) {
		warn_split_default_dirs(ZSTR_VAL(d));
	}
	fs->dir = d;
	fs->trust = t;
	fs->base.ops = &paylock_file_ops;
	return SUCCESS;
}

zend_result paylock_file_store_init(zend_object *obj, zend_string *dir, uint32_t arg_num)
{
	return paylock_file_store_init_ex(obj, dir, NULL, arg_num);
}

zend_result paylock_file_store_from_ini(zval *out)
{
	object_init_ex(out, paylock_ce_FileStore);
	if (paylock_file_store_init(Z_OBJ_P(out), NULL, 0) == FAILURE) {
		zval_ptr_dtor(out);
		ZVAL_UNDEF(out);
		return FAILURE;
	}
	return SUCCESS;
}

ZEND_METHOD(PayLock_FileStore, __construct)
{
	zend_string *dir = NULL, *group = NULL;

	ZEND_PARSE_PARAMETERS_START(0, 2)
		Z_PARAM_OPTIONAL
		Z_PARAM_PATH_STR_OR_NULL(dir)
		Z_PARAM_STR_OR_NULL(group)
	ZEND_PARSE_PARAMETERS_END();

	if (file_store_from_obj(Z_OBJ_P(ZEND_THIS))->base.ops) {
		zend_throw_error(NULL, "Cannot call PayLock\\FileStore::__construct() twice");
		RETURN_THROWS();
	}
	if (paylock_file_store_init_ex(Z_OBJ_P(ZEND_THIS), dir, group, 1) == FAILURE) {
		RETURN_THROWS();
	}
}

ZEND_METHOD(PayLock_FileStore, purge)
{
	paylock_store *s = paylock_store_from_obj(Z_OBJ_P(ZEND_THIS));
	paylock_error err = {0};
	zend_long removed = 0;

	ZEND_PARSE_PARAMETERS_NONE();
	if (s == NULL) {
		RETURN_THROWS();
	}
	/* Again until a pass finds nothing: readdir may skip entries while others are unlinked. */
	for (zend_long before = -1; removed != before;) {
		before = removed;
		if (paylock_fs_sweep(s, 0, &removed, &err) != PAYLOCK_YES) {
			paylock_error_throw(&err);
			RETURN_THROWS();
		}
	}
	RETURN_LONG(removed);
}

void paylock_file_store_minfo(void)
{
	char uid[32];
	paylock_fs_trust t;
	zend_string *d;

	if (trust_of(NULL, 0, &t) == FAILURE) {
		zend_clear_exception();
		php_info_print_table_row(2, "FileStore lock dir", "paylock.lock_group names an unknown group");
		return;
	}
	d = default_lock_dir(&t);
	snprintf(uid, sizeof(uid), "%ld", (long)t.uid);
	php_info_print_table_row(2, "FileStore lock dir of this process", ZSTR_VAL(d));
	php_info_print_table_row(2, "Effective uid", uid);
	php_info_print_table_row(
		2, "FileStore sharing",
		t.shared ? "shared group (paylock.lock_group): its members exclude each other"
				 : "this uid only: other users (root's cron, CLI) use their own dir and do not "
				   "exclude these processes on files; set paylock.lock_group to share");
	zend_string_release(d);
}

ZEND_METHOD(PayLock_FileStore, directory)
{
	paylock_store *s = paylock_store_from_obj(Z_OBJ_P(ZEND_THIS));

	ZEND_PARSE_PARAMETERS_NONE();
	if (s == NULL) {
		RETURN_THROWS();
	}
	RETURN_STR_COPY(((paylock_file_store *)s)->dir);
}

static zend_object *file_store_create(zend_class_entry *ce)
{
	return paylock_object_new(ce, sizeof(paylock_file_store), &file_store_handlers);
}

static void file_store_free(zend_object *obj)
{
	paylock_file_store *fs = file_store_from_obj(obj);

	if (fs->dir) {
		zend_string_release(fs->dir);
	}
	zend_object_std_dtor(obj);
}

void paylock_file_store_minit(zend_class_entry *ce)
{
	paylock_ce_FileStore = ce;
	ce->create_object = file_store_create;
	paylock_fs_fork_minit();
	paylock_handlers_init(&file_store_handlers, XtOffsetOf(paylock_file_store, std), file_store_free);
}
