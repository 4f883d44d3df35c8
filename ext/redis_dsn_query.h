/* The query string of a Redis DSN (redis://h:6379/0?read_timeout=0.5&replicas=auto, unix:///s?db=1): every
 * RedisStore option can be set there, so defaultStore() is tuned from php.ini; and the DSN with its
 * password masked, for phpinfo() and messages. */
#ifndef PAYLOCK_REDIS_DSN_QUERY_H
#define PAYLOCK_REDIS_DSN_QUERY_H

#include "redis_conn.h"

/* The keys the query takes, for messages. */
#define PAYLOCK_DSN_QUERY_KEYS                                                                               \
	"db, user, password, connect_timeout, read_timeout, persistent, prefix, replicas, replica_timeout"

/* Parses query (without the '?'): db, user and password go into c (each given once, in the URL or the
 * query); the options become typed values in *merged, a new array, overridden by options (the $options
 * array wins over the DSN). ValueError (argument 1) naming the key on a malformed or unknown one. */
zend_result paylock_dsn_query_parse(paylock_redis_client *c, const char *query, size_t len,
									HashTable *options, HashTable **merged);

/* dsn with the password (user:PASSWORD@ and password=...) replaced by ***, as a new string. */
zend_string *paylock_dsn_masked(const char *dsn, size_t len);

#endif
