/* paylock.metrics_file: the metrics block in a file instead of anonymous memory, so separate processes
 * (CLI scripts, a CLI reader, PHP-FPM pools) that name the same file share one set of numbers. The file is
 * opened like FileStore's files: no symlinks, a regular file with one link, owned by us or root. */
#include "php_paylock.h"
#include "metrics.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Owner and group may read and write (a pool's user and an operator in its group), as far as the umask
 * lets them; others nothing. */
#define METRICS_FILE_MODE 0660

static void *refuse(int fd, const char *path, const char *why)
{
	php_error_docref(NULL, E_WARNING, "paylock.metrics_file \"%s\" is not used: %s", path, why);
	if (fd >= 0) {
		close(fd);
	}
	return NULL;
}

void *paylock_metrics_file_map(const char *path, size_t size)
{
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, METRICS_FILE_MODE);
	struct stat st;
	void *p;

	if (fd < 0) {
		return refuse(-1, path, errno == ELOOP ? "it is a symbolic link" : strerror(errno));
	}
	if (fstat(fd, &st) != 0) {
		return refuse(fd, path, strerror(errno));
	}
	if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
		return refuse(fd, path, "not a regular file with a single link");
	}
	if (st.st_uid != geteuid() && st.st_uid != 0 && geteuid() != 0) { /* root may read a pool user's file */
		return refuse(fd, path, "another user owns it (it must belong to this user or root)");
	}
	if (st.st_size == 0 && ftruncate(fd, (off_t)size) != 0) { /* new: zero-filled; a racing creator agrees */
		return refuse(fd, path, strerror(errno));
	}
	if (st.st_size != 0 && st.st_size != (off_t)size) {
		return refuse(fd, path, "it has another size (written by another PayLock version?); delete it");
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? refuse(-1, path, strerror(errno)) : p;
}
