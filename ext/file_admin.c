/* PayLock\Admin on FileStore. Lock files are named by the SHA-256 of the lock name; the name itself is kept
 * in its own slot of the lock file (PAYLOCK_FILE_NAME_OFFSET, "N<len>:<name>", one pwrite at acquire) so a
 * listing can show it (files written before the slot existed list with a null name). Who holds a file and
 * who waits for it is read from /proc/locks: looking never takes a flock, so it cannot make an acquire
 * fail. A flock belongs to its process: nobody else can free it, so there is no force-release. */
#include "php_paylock.h"
#include "admin.h"
#include "file_internal.h"
#include "file_store.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define HASH_HEX      64
#define PROC_LOCKS    "/proc/locks"
#define IDEM_SUFFIX   ".idem"
#define RUN_SUFFIX    ".run"
#define NAME_HEAD_MAX 8 /* "N" + up to 4 digits + ":" */

_Static_assert(PAYLOCK_FILE_NAME_OFFSET >= PAYLOCK_FILE_NOTE_OFFSET + PAYLOCK_FILE_NOTE_MAX,
			   "the name slot starts after the note");
_Static_assert(PAYLOCK_FILE_NAME_SLOT >= NAME_HEAD_MAX + PAYLOCK_MAX_NAME,
			   "the name slot holds the longest name");

void paylock_file_name_write(int fd, const zend_string *name)
{
	char buf[NAME_HEAD_MAX + PAYLOCK_MAX_NAME];
	int head = snprintf(buf, NAME_HEAD_MAX, "N%zu:", ZSTR_LEN(name));

	if (ZSTR_LEN(name) > PAYLOCK_MAX_NAME) {
		return;
	}
	memcpy(buf + head, ZSTR_VAL(name), ZSTR_LEN(name));
	if (pwrite(fd, buf, head + ZSTR_LEN(name), PAYLOCK_FILE_NAME_OFFSET) !=
		(ssize_t)(head + ZSTR_LEN(name))) {
		/* the name is for listings only: the lock stands without it */
	}
}

/* The name in fd's slot into buf (at least PAYLOCK_MAX_NAME bytes): its length, or -1 when there is none. */
static ssize_t name_read(int fd, char *buf)
{
	char raw[NAME_HEAD_MAX + PAYLOCK_MAX_NAME];
	ssize_t n = pread(fd, raw, sizeof(raw), PAYLOCK_FILE_NAME_OFFSET);
	char *stop;
	long len;

	if (n < 3 || raw[0] != 'N') {
		return -1;
	}
	len = strtol(raw + 1, &stop, 10);
	if (stop >= raw + n || *stop != ':' || len < 1 || len > PAYLOCK_MAX_NAME || stop + 1 + len > raw + n) {
		return -1;
	}
	memcpy(buf, stop + 1, len);
	return len;
}

/* What /proc/locks says about one inode: held (a granted flock) and by whom, and how many wait for it. */
typedef struct {
	bool held;
	pid_t holder;
	zend_long waiting;
} flock_view;

/* /proc/locks indexed by "<maj>:<min>:<ino>" (as the kernel prints it) -> flock_view, read once per call. */
typedef struct {
	zend_string *all; /* NULL when the kernel does not offer it: queue lengths are then unknown */
	HashTable idx;
} proc_view;

static void view_dtor(zval *zv)
{
	efree(Z_PTR_P(zv));
}

/* One line: "<id>: [-> ]FLOCK ADVISORY WRITE <pid> <maj>:<min>:<ino> <start> <end>"; waiters have "->".
 * Fills kind, pid and dev_ino; false for a line of another shape. */
static bool parse_line(const char *line, bool *waiter, char kind[16], int *pid, char dev_ino[64])
{
	const char *arrow = strstr(line, "->"); /* nested waiters are indented: "1:  -> FLOCK ..." */
	int off = 0;

	*waiter = arrow != NULL;
	if (sscanf(line, "%*d:%n", &off) < 0 || off == 0) {
		return false;
	}
	return sscanf(arrow ? arrow + 2 : line + off, " %15s %*s %*s %d %63s", kind, pid, dev_ino) == 3;
}

/* Calls each() for every FLOCK line of all. */
static void each_flock(const zend_string *all,
					   void (*each)(void *ctx, bool waiter, int pid, const char *dev_ino), void *ctx)
{
	const char *p = ZSTR_VAL(all), *end = p + ZSTR_LEN(all);

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		char line[256], kind[16], dev_ino[64];
		size_t len = (nl ? nl : end) - p;
		int pid;
		bool waiter;

		memcpy(line, p, MIN(len, sizeof(line) - 1));
		line[MIN(len, sizeof(line) - 1)] = '\0';
		p = nl ? nl + 1 : end;
		if (parse_line(line, &waiter, kind, &pid, dev_ino) && strcmp(kind, "FLOCK") == 0) {
			each(ctx, waiter, pid, dev_ino);
		}
	}
}

static void index_one(void *ctx, bool waiter, int pid, const char *dev_ino)
{
	HashTable *idx = ctx;
	flock_view *v = zend_hash_str_find_ptr(idx, dev_ino, strlen(dev_ino));

	if (v == NULL) {
		v = ecalloc(1, sizeof(*v));
		zend_hash_str_add_new_ptr(idx, dev_ino, strlen(dev_ino), v);
	}
	if (waiter) {
		v->waiting++;
	} else {
		v->held = true;
		v->holder = pid;
	}
}

static void proc_view_init(proc_view *pv)
{
	php_stream *s = php_stream_open_wrapper(PROC_LOCKS, "rb", 0, NULL);

	zend_hash_init(&pv->idx, 64, NULL, view_dtor, 0);
	pv->all = NULL;
	if (s == NULL) {
		return;
	}
	pv->all = php_stream_copy_to_mem(s, PHP_STREAM_COPY_ALL, 0);
	php_stream_close(s);
	if (pv->all == NULL) {
		pv->all = ZSTR_EMPTY_ALLOC();
	}
	each_flock(pv->all, index_one, &pv->idx);
}

static void proc_view_free(proc_view *pv)
{
	zend_hash_destroy(&pv->idx);
	if (pv->all) {
		zend_string_release(pv->all);
	}
}

static size_t dev_ino_of(const struct stat *st, char out[64])
{
	return snprintf(out, 64, "%02x:%02x:%llu", major(st->st_dev), minor(st->st_dev),
					(unsigned long long)st->st_ino);
}

typedef struct {
	const char *dev_ino;
	zval *pids;
} pid_ctx;

static void collect_waiter(void *ctx, bool waiter, int pid, const char *dev_ino)
{
	pid_ctx *c = ctx;

	if (waiter && strcmp(dev_ino, c->dev_ino) == 0) {
		add_next_index_long(c->pids, pid);
	}
}

static int hash_compare(Bucket *a, Bucket *b)
{
	return strcmp(Z_STRVAL(a->val), Z_STRVAL(b->val));
}

/* The dir's entries named <64 hex><suffix> after cursor, sorted (a stable order for the cursor). */
static paylock_status dir_names(paylock_store *s, const char *suffix, const zend_string *cursor, zval *names,
								paylock_error *err)
{
	const char *dir = paylock_file_dir(s);
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t sl = strlen(suffix);

	if (d == NULL) {
		return paylock_io_error(err, "list", dir);
	}
	array_init(names);
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name), i;

		if (len != HASH_HEX + sl || strcmp(e->d_name + HASH_HEX, suffix) != 0) {
			continue;
		}
		for (i = 0; i < HASH_HEX && isxdigit((unsigned char)e->d_name[i]); i++) {
		}
		if (i == HASH_HEX && (cursor == NULL || strncmp(e->d_name, ZSTR_VAL(cursor), HASH_HEX) > 0)) {
			add_next_index_stringl(names, e->d_name, HASH_HEX);
		}
	}
	closedir(d);
	zend_hash_sort(Z_ARRVAL_P(names), hash_compare, 1);
	return PAYLOCK_YES;
}

static zend_string *entry_path(paylock_store *s, const char *hash, const char *suffix)
{
	return zend_strpprintf(0, "%s/%.*s%s", paylock_file_dir(s), HASH_HEX, hash, suffix);
}

/* A page over the dir's <hash><suffix> files: visit() adds an entry (true) or skips one. Stops after
 * pg->count entries or PAYLOCK_ADMIN_SCAN_ROUNDS * pg->count files looked at; *next is the last file looked
 * at while more remain. */
typedef bool (*visit_fn)(paylock_store *s, const char *hash, const proc_view *pv,
						 const paylock_admin_page *pg, void *ctx, zval *list);

static paylock_status dir_page(paylock_store *s, const char *suffix, const paylock_admin_page *pg,
							   visit_fn visit, void *ctx, zval *list, zend_string **next, paylock_error *err)
{
	zval names, *h;
	proc_view pv;
	zend_long added = 0, seen = 0;
	uint32_t total;

	*next = NULL;
	if (pg->cursor &&
		(ZSTR_LEN(pg->cursor) != HASH_HEX || strspn(ZSTR_VAL(pg->cursor), "0123456789abcdef") != HASH_HEX)) {
		paylock_error_set(err, PAYLOCK_ERR_STORE, "Cursor \"%s\" is not one a FileStore listing returned",
						  ZSTR_VAL(pg->cursor));
		return PAYLOCK_FAILED;
	}
	if (dir_names(s, suffix, pg->cursor, &names, err) != PAYLOCK_YES) {
		return PAYLOCK_FAILED;
	}
	proc_view_init(&pv);
	total = zend_hash_num_elements(Z_ARRVAL(names));
	ZEND_HASH_FOREACH_VAL(Z_ARRVAL(names), h) {
		if (added >= pg->count || seen >= PAYLOCK_ADMIN_SCAN_ROUNDS * pg->count) {
			break;
		}
		seen++;
		added += visit(s, Z_STRVAL_P(h), &pv, pg, ctx, list);
		if ((uint32_t)seen < total) {
			if (*next) {
				zend_string_release(*next);
			}
			*next = zend_string_copy(Z_STR_P(h));
		} else if (*next) {
			zend_string_release(*next);
			*next = NULL;
		}
	}
	ZEND_HASH_FOREACH_END();
	proc_view_free(&pv);
	zval_ptr_dtor(&names);
	return PAYLOCK_YES;
}

/* Is fd flocked by anyone (and by whom, how many wait)? From /proc/locks, else (not there, or no
 * /proc/locks) a LOCK_SH probe, as holder() does: waiters then unknown (-1). */
static bool is_held(int fd, const proc_view *pv, flock_view *v)
{
	struct stat st;
	char key[64];
	const flock_view *f;

	memset(v, 0, sizeof(*v));
	if (fstat(fd, &st) != 0) {
		return false;
	}
	if (pv->all) {
		f = zend_hash_str_find_ptr(&pv->idx, key, dev_ino_of(&st, key));
		if (f) {
			*v = *f;
		}
		if (v->held) {
			return true;
		}
		/* /proc/locks is read in chunks while locks come and go, so a line can be missed: ask the file */
	}
	v->waiting = -1;
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		flock(fd, LOCK_UN);
		return false;
	}
	return v->held = true;
}

typedef struct {
	bool only_degraded; /* FallbackStore: locks held without Redis only */
} locks_ctx;

static bool visit_lock(paylock_store *s, const char *hash, const proc_view *pv, const paylock_admin_page *pg,
					   void *ctx, zval *list)
{
	zend_string *path = entry_path(s, hash, "");
	int fd = open(ZSTR_VAL(path), O_RDONLY | PAYLOCK_FS_OPEN_FLAGS);
	char meta[PAYLOCK_FILE_META_MAX], name[PAYLOCK_MAX_NAME], note[PAYLOCK_FILE_NOTE_MAX];
	ssize_t n, name_len, note_len;
	flock_view v;
	zval holder;
	bool degraded;

	zend_string_release(path);
	if (fd < 0) {
		return false; /* released since the dir was read */
	}
	if (!is_held(fd, pv, &v)) {
		close(fd);
		return false;
	}
	n = pread(fd, meta, sizeof(meta) - 1, 0);
	meta[n > 0 ? n : 0] = '\0';
	name_len = name_read(fd, name);
	note_len = pread(fd, note, sizeof(note), PAYLOCK_FILE_NOTE_OFFSET);
	close(fd);
	degraded = note_len > 0 && note[0] == 'D';
	if ((((locks_ctx *)ctx)->only_degraded && !degraded) ||
		(ZSTR_LEN(pg->prefix) && (name_len < (ssize_t)ZSTR_LEN(pg->prefix) ||
								  memcmp(name, ZSTR_VAL(pg->prefix), ZSTR_LEN(pg->prefix)) != 0))) {
		return false;
	}
	if (paylock_file_describe_meta(meta, &holder) != PAYLOCK_YES) {
		array_init(&holder); /* flocked by something that is not PayLock */
	}
	if (pv->all && zend_hash_num_elements(Z_ARRVAL(holder)) == 0) {
		add_assoc_long(&holder, "pid", v.holder);
	}
	add_assoc_stringl(&holder, "file", hash, HASH_HEX);
	paylock_admin_add_lock(list, name_len > 0 ? name : NULL, name_len > 0 ? name_len : 0, &holder, v.waiting,
						   degraded);
	return true;
}

paylock_status paylock_file_admin_locks(paylock_store *s, const paylock_admin_page *pg, bool only_degraded,
										zval *list, zend_string **next, paylock_error *err)
{
	locks_ctx ctx = {.only_degraded = only_degraded};

	return dir_page(s, "", pg, visit_lock, &ctx, list, next, err);
}

static paylock_status file_locks(paylock_store *s, const paylock_admin_page *pg, zval *list,
								 zend_string **next, paylock_error *err)
{
	return paylock_file_admin_locks(s, pg, false, list, next, err);
}

paylock_status paylock_file_admin_queue(paylock_store *s, zend_string *name, zend_long max, zval *list,
										paylock_error *err)
{
	zend_string *path = paylock_file_path(s, name);
	int fd = open(ZSTR_VAL(path), O_RDONLY | PAYLOCK_FS_OPEN_FLAGS);
	struct stat st;
	char key[64];
	proc_view pv;
	zval pids, *pid;
	pid_ctx ctx = {.dev_ino = key, .pids = &pids};
	zend_long i = 0;

	zend_string_release(path);
	if (fd < 0) {
		return PAYLOCK_YES; /* no file: nobody holds or waits */
	}
	if (fstat(fd, &st) != 0) {
		close(fd);
		return paylock_io_error(err, "stat", ZSTR_VAL(name));
	}
	close(fd);
	dev_ino_of(&st, key);
	proc_view_init(&pv);
	if (pv.all == NULL) {
		proc_view_free(&pv);
		paylock_error_set(err, PAYLOCK_ERR_STORE,
						  "Cannot read %s: the kernel's list of waiters is not available here", PROC_LOCKS);
		return PAYLOCK_FAILED;
	}
	array_init(&pids);
	each_flock(pv.all, collect_waiter, &ctx);
	proc_view_free(&pv);
	ZEND_HASH_FOREACH_VAL(Z_ARRVAL(pids), pid) {
		zval e;

		if (i >= max) {
			break;
		}
		array_init_size(&e, 4);
		add_assoc_long(&e, "position", ++i);
		add_assoc_long(&e, "pid", Z_LVAL_P(pid));
		add_assoc_null(&e, "alive_for"); /* the kernel drops a dead waiter at once */
		add_assoc_string(&e, "store", "file");
		add_next_index_zval(list, &e);
	}
	ZEND_HASH_FOREACH_END();
	zval_ptr_dtor(&pids);
	return PAYLOCK_YES;
}

/* The run file of a record: flocked by its owner while the step runs. */
static bool run_held(paylock_store *s, const char *hash, const proc_view *pv)
{
	zend_string *path = entry_path(s, hash, RUN_SUFFIX);
	int fd = open(ZSTR_VAL(path), O_RDONLY | PAYLOCK_FS_OPEN_FLAGS);
	flock_view v;
	bool held;

	zend_string_release(path);
	if (fd < 0) {
		return false;
	}
	if (pv->all == NULL) {
		close(fd);
		return true; /* cannot tell without taking a flock: say running, the careful answer */
	}
	held = is_held(fd, pv, &v);
	close(fd);
	return held;
}

static bool visit_record(paylock_store *s, const char *hash, const proc_view *pv,
						 const paylock_admin_page *pg, void *ctx, zval *list)
{
	zend_string *path = entry_path(s, hash, IDEM_SUFFIX);
	int fd = open(ZSTR_VAL(path), O_RDONLY | PAYLOCK_FS_OPEN_FLAGS);
	char head[PAYLOCK_FILE_IDEM_HEADER_MAX + 1], magic[5], state, id[HASH_HEX + sizeof(IDEM_SUFFIX)];
	long long attempt, expires, done, len;
	int64_t now = paylock_unix_ms();
	ssize_t n;
	bool running;

	(void)pg;
	(void)ctx;
	zend_string_release(path);
	if (fd < 0) {
		return false;
	}
	n = pread(fd, head, PAYLOCK_FILE_IDEM_HEADER_MAX, 0);
	close(fd);
	head[n > 0 ? n : 0] = '\0';
	snprintf(id, sizeof(id), "%.*s%s", HASH_HEX, hash, IDEM_SUFFIX);
	if (n <= 0) {
		return false; /* an empty file reads as no record */
	}
	if (sscanf(head, "%4s %c %lld %lld %lld %*s %*s %lld", magic, &state, &attempt, &expires, &done, &len) !=
			6 ||
		strcmp(magic, PAYLOCK_FILE_IDEM_MAGIC) != 0) {
		paylock_admin_add_record(list, pg->prefix, NULL, 0, id, "damaged", 0, -1, -1, false);
		return true;
	}
	if (expires <= now) {
		return false; /* expired: the sweep removes it */
	}
	running = state == 'r' && run_held(s, hash, pv);
	paylock_admin_add_record(list, pg->prefix, NULL, 0, id, paylock_admin_state_name(state, running), attempt,
							 -1,
							 done > 0      ? (now - done) / 1000.0
							 : attempt > 0 ? MAX(0, (now * 1000.0 - attempt) / 1e6)
										   : -1,
							 state == 'd' && len > 0);
	return true;
}

static paylock_status file_records(paylock_store *s, const paylock_admin_page *pg, zval *list,
								   zend_string **next, paylock_error *err)
{
	return dir_page(s, IDEM_SUFFIX, pg, visit_record, NULL, list, next, err);
}

const paylock_admin_ops paylock_file_admin_ops = {
	.locks = file_locks,
	.queue = paylock_file_admin_queue,
	.records = file_records,
	.why_not =
		"a flock belongs to the process that holds it, and the kernel frees it when that process exits. "
		"Fix: stop the holder (its pid is in Admin::locks() or holder())",
};
