/* Test tooling for the ASAN/UBSAN run (scripts/asan.sh): distro PHP dlopen()s extensions with
 * RTLD_DEEPBIND, which the sanitizer runtimes refuse. Preloaded ahead of libasan, this drops the flag. */
#define _GNU_SOURCE
#include <dlfcn.h>

void *dlopen(const char *file, int mode)
{
	static void *(*next)(const char *, int);

	if (!next) {
		next = (void *(*)(const char *, int))dlsym(RTLD_NEXT, "dlopen");
	}
	return next(file, mode & ~RTLD_DEEPBIND);
}
