/* PayLock module header: version, globals, and what every PayLock file may use. */
#ifndef PHP_PAYLOCK_H
#define PHP_PAYLOCK_H

#include "php.h"
#include "registry.h"

#define PHP_PAYLOCK_VERSION "0.1.0"

extern zend_module_entry paylock_module_entry;
#define phpext_paylock_ptr &paylock_module_entry

/* Process counters behind PayLock\stats(); they survive requests (FPM workers). */
typedef struct {
	zend_long acquired;
	zend_long released;
	zend_long contended;
	double wait_seconds;
	zend_long timeouts;
	zend_long handoffs; /* acquires handed over by the releasing holder while we waited */
	zend_long lost;
	zend_long degraded;
	zend_long idem_executed;
	zend_long idem_replayed;
	zend_long idem_in_progress;
	zend_long idem_waited;
	zend_long idem_mismatch;
	zend_long idem_abandoned;
	zend_long idem_lost;
	zend_long eviction_risk;   /* servers whose maxmemory-policy may evict PayLock's keys */
	zend_long no_persistence;  /* servers holding idempotency records that keep no data across a restart */
	zend_long forced_releases; /* PayLock\Admin::forceRelease() calls that freed a lock */
} paylock_stats;

ZEND_BEGIN_MODULE_GLOBALS(paylock)
	/* Settings (INI-bound). */
	char *store;
	char *redis_dsn;
	char *lock_dir;
	char *lock_group;
	double default_ttl;
	bool persistent;
	char *on_redis_down; /* defaultStore()'s FallbackStore: "degrade" or "fail" */
	/* Per process (per thread under ZTS). */
	HashTable pool;             /* pool key -> paylock_redis_conn*, persistent connections */
	HashTable eviction_checked; /* Redis server or ACL user -> what its first connection found (persistent) */
	HashTable
		replica_facts; /* Redis server -> what redis_replicas.c learnt about its replication (persistent) */
	paylock_stats stats;
	char hostname[256];
	unsigned char token_pool[512]; /* CSPRNG bytes not yet used for tokens */
	size_t token_pool_used;
	pid_t token_pool_pid; /* the process that filled token_pool */
	/* FallbackStore: degraded and Redis not seen back yet; when it last warned (monotonic ns). */
	bool degraded_active;
	uint64_t degraded_warned_ns;
	/* Per request. */
	bool in_request;         /* between RINIT and RSHUTDOWN */
	bool degraded_warned;    /* FallbackStore warned about Redis this request */
	paylock_registry locks;  /* every Lock/MultiLock this request holds */
	paylock_registry claims; /* every idempotency claim this request owns */
	HashTable redis_ghosts;  /* Redis acquires of unknown outcome still to undo (redis_store.c) */
	zval logger;             /* PayLock\setLogger() (events.c); UNDEF: none */
	bool logger_psr;         /* the logger is an object with log(), not a callable */
	bool in_logger;          /* an event is being delivered: events the logger causes are not */
ZEND_END_MODULE_GLOBALS(paylock)

ZEND_EXTERN_MODULE_GLOBALS(paylock)
#define PAYLOCK_G(v) ZEND_MODULE_GLOBALS_ACCESSOR(paylock, v)

#if defined(ZTS) && defined(COMPILE_DL_PAYLOCK)
ZEND_TSRMLS_CACHE_EXTERN()
#endif

/* Every PayLock object is a C struct ending in its zend_object, with handlers set up once in MINIT
 * (no cloning) and objects made by paylock_object_new(). */
static inline void paylock_handlers_init(zend_object_handlers *h, size_t offset,
										 zend_object_free_obj_t free_obj)
{
	memcpy(h, zend_get_std_object_handlers(), sizeof(*h));
	h->offset = (int)offset;
	h->free_obj = free_obj;
	h->clone_obj = NULL;
}

static inline zend_object *paylock_object_new(zend_class_entry *ce, size_t size,
											  const zend_object_handlers *h)
{
	zend_object *obj = (zend_object *)((char *)zend_object_alloc(size, ce) + h->offset); /* zeroed */

	zend_object_std_init(obj, ce);
	obj->handlers = h;
	return obj;
}

/* Limits and tunables. */
#include "tuning.h"

#endif
