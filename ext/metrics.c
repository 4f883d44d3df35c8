/* Pool-wide metrics in a shared mapping (metrics.h), and PayLock\metrics(). The block is made once at
 * MINIT with mmap(MAP_SHARED | MAP_ANONYMOUS), like opcache and APCu: PHP-FPM's master runs MINIT before it
 * forks, so its workers (and their replacements after pm.max_requests) all inherit the same pages.
 * Counters only grow (relaxed atomic adds); a scrape reads each one atomically, and a histogram's buckets,
 * sum and count may be one observation apart while a worker is between two adds. */
#include "php_paylock.h"
#include "metrics.h"
#include "SAPI.h"
#include "zend_smart_str.h"
#include <sys/mman.h>

/* The store="..." label: the kinds PayLock has, then one slot for any other. */
static const char *const kind_labels[] = {"redis", "file", "fallback", "other"};
#define KINDS ((int)(sizeof(kind_labels) / sizeof(kind_labels[0])))

/* Upper bounds of the histogram buckets, in seconds; an implicit +Inf bucket follows. From a Redis round
 * trip (a millisecond) to past any sane wait or payment step (a minute). */
static const double bucket_le[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
								   0.5,   1,      2.5,   5,    10,    30,   60};
/* The same bounds as le="..." labels: written out, so no locale can turn the point into a comma. */
static const char *const bucket_label[] = {"0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25",
										   "0.5",   "1",      "2.5",   "5",    "10",    "30",   "60"};
#define BUCKETS ((int)(sizeof(bucket_le) / sizeof(bucket_le[0])) + 1)
_Static_assert(sizeof(bucket_label) / sizeof(bucket_label[0]) == sizeof(bucket_le) / sizeof(bucket_le[0]),
			   "one label per bucket bound");

typedef struct {
	uint64_t bucket[BUCKETS]; /* per bucket, not cumulative: the last one is (60 s, +Inf) */
	uint64_t sum_ns;
} metrics_histogram;

/* Names the layout ("PLMETR" and a number): a file written by another layout is refused, not misread. */
#define METRICS_LAYOUT UINT64_C(0x504c4d4554520001)

typedef struct {
	uint64_t layout; /* METRICS_LAYOUT, or 0 in a block nobody has used yet */
	uint64_t counter[KINDS][PAYLOCK_M_COUNTERS];
	metrics_histogram hist[KINDS][PAYLOCK_H_COUNT];
	uint64_t store_errors[2]; /* connection, store */
} metrics_block;

/* NULL: metrics are off in this process. Written at MINIT only; threads share it. */
static metrics_block *shared;

typedef enum { MODE_AUTO, MODE_ON, MODE_OFF } metrics_mode;

static metrics_mode mode_of(const char *v)
{
	if (strcasecmp(v, "on") == 0 || strcmp(v, "1") == 0) {
		return MODE_ON;
	}
	if (strcasecmp(v, "off") == 0 || strcmp(v, "0") == 0 || *v == '\0') {
		return MODE_OFF;
	}
	return MODE_AUTO;
}

/* auto: on where a parent process forks the workers after MINIT (PHP-FPM, Apache prefork, LiteSpeed),
 * and wherever paylock.metrics_file names a file to share; off in the CLI otherwise, where each script
 * is its own process with nothing to share (paylock.metrics=on keeps them for the script and the
 * children it forks). */
static bool wanted(const char *file)
{
	const char *v = INI_STR("paylock.metrics");
	metrics_mode mode = v ? mode_of(v) : MODE_AUTO;

	if (mode != MODE_AUTO) {
		return mode == MODE_ON;
	}
	if (*file) {
		return true;
	}
	return sapi_module.name && strcmp(sapi_module.name, "cli") != 0 &&
		   strcmp(sapi_module.name, "phpdbg") != 0 && strcmp(sapi_module.name, "embed") != 0;
}

ZEND_INI_MH(paylock_metrics_ini_update)
{
	const char *v = ZSTR_VAL(new_value);

	if (strcasecmp(v, "auto") != 0 && mode_of(v) == MODE_AUTO) {
		php_error_docref(NULL, E_WARNING, "paylock.metrics must be auto, on or off");
		return FAILURE;
	}
	return SUCCESS;
}

/* A file-backed block of another layout is let go (warned); a new one gets the magic. */
static metrics_block *checked(metrics_block *b, const char *file)
{
	uint64_t seen = 0;

	/* One atomic step, so processes starting together never see half a mark. */
	if (!__atomic_compare_exchange_n(&b->layout, &seen, METRICS_LAYOUT, false, __ATOMIC_RELAXED,
									 __ATOMIC_RELAXED) &&
		seen != METRICS_LAYOUT) {
		php_error_docref(
			NULL, E_WARNING,
			"paylock.metrics_file \"%s\" is not used: written by another PayLock version; delete it", file);
		munmap(b, sizeof(*b));
		return NULL;
	}
	return b;
}

void paylock_metrics_minit(void)
{
	const char *file = INI_STR("paylock.metrics_file");
	void *p;

	file = file ? file : "";
	if (!wanted(file)) {
		return;
	}
	if (*file && (p = paylock_metrics_file_map(file, sizeof(metrics_block))) != NULL &&
		(shared = checked(p, file)) != NULL) {
		return;
	}
	p = mmap(NULL, sizeof(metrics_block), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		php_error_docref(NULL, E_WARNING,
						 "PayLock metrics are off: cannot map %zu bytes of shared memory (%s)",
						 sizeof(metrics_block), strerror(errno));
		return;
	}
	shared = p; /* zero-filled by the kernel */
}

void paylock_metrics_mshutdown(void)
{
	if (shared) {
		munmap(shared, sizeof(metrics_block));
		shared = NULL;
	}
}

bool paylock_metrics_enabled(void)
{
	return shared != NULL;
}

static int kind_label_index(const char *k)
{
	for (int i = 0; i < KINDS - 1; i++) {
		if (strcmp(k, kind_labels[i]) == 0) {
			return i;
		}
	}
	return KINDS - 1;
}

static int kind_index(const paylock_store *s)
{
	return kind_label_index(s && s->ops ? s->ops->kind : "");
}

static inline void add(uint64_t *at, uint64_t v)
{
	__atomic_fetch_add(at, v, __ATOMIC_RELAXED);
}

static inline uint64_t get(const uint64_t *at)
{
	return __atomic_load_n(at, __ATOMIC_RELAXED);
}

void paylock_metric_inc(const paylock_store *s, paylock_metric m)
{
	if (shared) {
		add(&shared->counter[kind_index(s)][m], 1);
	}
}

void paylock_metric_inc_kind(const char *kind, paylock_metric m)
{
	if (shared) {
		add(&shared->counter[kind_label_index(kind)][m], 1);
	}
}

void paylock_metric_observe(const paylock_store *s, paylock_histogram h, uint64_t ns)
{
	metrics_histogram *hg;
	double seconds = (double)ns / 1e9;
	int b = 0;

	if (!shared) {
		return;
	}
	hg = &shared->hist[kind_index(s)][h];
	while (b < BUCKETS - 1 && seconds > bucket_le[b]) {
		b++;
	}
	add(&hg->bucket[b], 1);
	add(&hg->sum_ns, ns);
}

void paylock_metrics_release(const paylock_store *s, uint64_t acquired_ns)
{
	if (shared) {
		paylock_metric_inc(s, PAYLOCK_M_RELEASES);
		if (acquired_ns) {
			paylock_metric_observe(s, PAYLOCK_H_HOLD, paylock_now_ns() - acquired_ns);
		}
	}
}

void paylock_metric_store_error(paylock_err_kind kind)
{
	if (shared && kind != PAYLOCK_ERR_NONE) {
		add(&shared->store_errors[kind == PAYLOCK_ERR_CONNECTION ? 0 : 1], 1);
	}
}

void paylock_metrics_acquire(const paylock_store *s, const paylock_acquire_info *info, paylock_status rc,
							 double wait, uint64_t start_ns)
{
	if (!shared) {
		return;
	}
	if (info->contended && wait > 0) { /* a single try that found it held did not wait */
		paylock_metric_inc(s, PAYLOCK_M_WAITS);
		paylock_metric_observe(s, PAYLOCK_H_WAIT, paylock_now_ns() - start_ns);
	}
	paylock_metric_inc(s, rc == PAYLOCK_YES      ? PAYLOCK_M_ACQUIRE_OK
						  : rc == PAYLOCK_FAILED ? PAYLOCK_M_ACQUIRE_ERROR
						  : wait > 0             ? PAYLOCK_M_ACQUIRE_TIMEOUT
												 : PAYLOCK_M_ACQUIRE_BUSY);
}

/* ---- exposition ---- */

typedef struct {
	const char *name; /* after paylock_ */
	const char *help;
	paylock_metric m;
	const char *extra; /* a second label, or NULL */
} counter_desc;

/* One metric family may span several counters (by their extra label), listed next to each other. */
static const counter_desc counters[] = {
	{"lock_acquires_total", "Lock acquires by result (ok, busy: a single try found it held, timeout, error).",
	 PAYLOCK_M_ACQUIRE_OK, "result=\"ok\""},
	{"lock_acquires_total", NULL, PAYLOCK_M_ACQUIRE_BUSY, "result=\"busy\""},
	{"lock_acquires_total", NULL, PAYLOCK_M_ACQUIRE_TIMEOUT, "result=\"timeout\""},
	{"lock_acquires_total", NULL, PAYLOCK_M_ACQUIRE_ERROR, "result=\"error\""},
	{"lock_waits_total", "Lock acquires that found the name held and waited.", PAYLOCK_M_WAITS, NULL},
	{"lock_releases_total", "Locks released by their holder.", PAYLOCK_M_RELEASES, NULL},
	{"lock_lost_total", "Held locks found expired or taken by another holder.", PAYLOCK_M_LOST, NULL},
	{"lock_degraded_total", "FallbackStore acquires held on the local file lock alone (Redis down).",
	 PAYLOCK_M_DEGRADED, NULL},
	{"lock_forced_releases_total", "Locks freed by an operator while someone else held them.",
	 PAYLOCK_M_FORCED, NULL},
	{"idempotency_claims_total",
	 "Idempotency claims by result (first_run, replay, in_progress, outcome_unknown, mismatch).",
	 PAYLOCK_M_IDEM_FIRST_RUN, "result=\"first_run\""},
	{"idempotency_claims_total", NULL, PAYLOCK_M_IDEM_REPLAY, "result=\"replay\""},
	{"idempotency_claims_total", NULL, PAYLOCK_M_IDEM_IN_PROGRESS, "result=\"in_progress\""},
	{"idempotency_claims_total", NULL, PAYLOCK_M_IDEM_OUTCOME_UNKNOWN, "result=\"outcome_unknown\""},
	{"idempotency_claims_total", NULL, PAYLOCK_M_IDEM_MISMATCH, "result=\"mismatch\""},
};

static void put_counter_family(smart_str *out, size_t first)
{
	const counter_desc *d = &counters[first];

	smart_str_append_printf(out, "# HELP paylock_%s %s\n# TYPE paylock_%s counter\n", d->name, d->help,
							d->name);
	for (size_t i = first;
		 i < sizeof(counters) / sizeof(counters[0]) && strcmp(counters[i].name, d->name) == 0; i++) {
		for (int k = 0; k < KINDS; k++) {
			smart_str_append_printf(out, "paylock_%s{store=\"%s\"%s%s} %" PRIu64 "\n", d->name,
									kind_labels[k], counters[i].extra ? "," : "",
									counters[i].extra ? counters[i].extra : "",
									get(&shared->counter[k][counters[i].m]));
		}
	}
}

static void put_histogram(smart_str *out, const char *name, const char *help, paylock_histogram h)
{
	smart_str_append_printf(out, "# HELP paylock_%s %s\n# TYPE paylock_%s histogram\n", name, help, name);
	for (int k = 0; k < KINDS; k++) {
		const metrics_histogram *hg = &shared->hist[k][h];
		uint64_t cumulative = 0;

		for (int b = 0; b < BUCKETS; b++) {
			cumulative += get(&hg->bucket[b]);
			if (b < BUCKETS - 1) {
				smart_str_append_printf(out, "paylock_%s_bucket{store=\"%s\",le=\"%s\"} %" PRIu64 "\n", name,
										kind_labels[k], bucket_label[b], cumulative);
			} else {
				smart_str_append_printf(out, "paylock_%s_bucket{store=\"%s\",le=\"+Inf\"} %" PRIu64 "\n",
										name, kind_labels[k], cumulative);
			}
		}
		smart_str_append_printf(out, "paylock_%s_sum{store=\"%s\"} %.9F\n", name, kind_labels[k],
								(double)get(&hg->sum_ns) / 1e9);
		smart_str_append_printf(out, "paylock_%s_count{store=\"%s\"} %" PRIu64 "\n", name, kind_labels[k],
								cumulative);
	}
}

static zend_string *render(void)
{
	smart_str out = {0};

	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		if (i == 0 || strcmp(counters[i].name, counters[i - 1].name) != 0) {
			put_counter_family(&out, i);
		}
	}
	put_histogram(&out, "lock_wait_seconds", "Time acquires that found the name held spent waiting.",
				  PAYLOCK_H_WAIT);
	put_histogram(&out, "lock_hold_seconds", "Time from acquire to release of released locks.",
				  PAYLOCK_H_HOLD);
	smart_str_appends(&out, "# HELP paylock_store_errors_total Store failures that reached the caller, by "
							"class (connection: ConnectionException, store: StoreException).\n"
							"# TYPE paylock_store_errors_total counter\n");
	smart_str_append_printf(&out, "paylock_store_errors_total{class=\"connection\"} %" PRIu64 "\n",
							get(&shared->store_errors[0]));
	smart_str_append_printf(&out, "paylock_store_errors_total{class=\"store\"} %" PRIu64 "\n",
							get(&shared->store_errors[1]));
	return smart_str_extract(&out);
}

ZEND_FUNCTION(PayLock_metrics)
{
	ZEND_PARSE_PARAMETERS_NONE();
	if (!shared) {
		RETURN_STRING("# PayLock metrics are off in this process (paylock.metrics=off, or auto in the CLI: "
					  "set paylock.metrics=on)\n");
	}
	RETURN_STR(render());
}
