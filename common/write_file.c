/*
 * write_file.c: write a short text to a /proc file, such as a child's uid_map.
 */
#include "common.h"

#include <fcntl.h>      /* open() */
#include <string.h>     /* strlen() */
#include <unistd.h>     /* write(), close() */

const char *write_file(const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd == -1)
		return "open";
	n = write(fd, text, len);
	err = errno;
	close(fd);
	if (n == (ssize_t)len)
		return NULL;
	errno = n == -1 ? err : EIO;  /* a /proc map file takes all of it or nothing */
	return "write";
}
