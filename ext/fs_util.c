/* File-system helpers shared by FileStore's locks, records and sweeper. */
#include "php_paylock.h"
#include "file_internal.h"
#include "ext/standard/md5.h"
#include "ext/hash/php_hash.h"
#include "ext/hash/php_hash_sha.h"
#include <errno.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

paylock_status paylock_io_error(paylock_error *err, const char *what, const char *path)
{
	paylock_error_set(err, PAYLOCK_ERR_STORE, "Cannot %s %s: %s", what, path, strerror(errno));
	return PAYLOCK_FAILED;
}

zend_string *paylock_file_path(paylock_store *s, const zend_string *name)
{
	paylock_file_store *fs = (paylock_file_store *)s;
	PHP_SHA256_CTX ctx;
	unsigned char digest[32];
	size_t d = ZSTR_LEN(fs->dir);
	zend_string *path = zend_string_alloc(d + 1 + 64, 0);

	PHP_SHA256Init(&ctx);
	PHP_SHA256Update(&ctx, (const unsigned char *)ZSTR_VAL(name), ZSTR_LEN(name));
	PHP_SHA256Final(digest, &ctx);
	memcpy(ZSTR_VAL(path), ZSTR_VAL(fs->dir), d);
	ZSTR_VAL(path)[d] = '/';
	make_digest_ex(ZSTR_VAL(path) + d + 1, digest, 32); /* writes the terminating NUL too */
	return path;
}

/* The fd still names the file at path: nobody unlinked or replaced it since we opened it. */
bool paylock_same_file(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && lstat(path, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

void paylock_unlock_and_close(int fd)
{
	paylock_fs_unhold(fd);
	flock(fd, LOCK_UN); /* explicit: a forked child's copy of fd must not keep the lock alive */
	close(fd);
}
