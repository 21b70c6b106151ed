/*
 * write_file.c: the /proc files: write a short text to one (a child's uid_map), read a
 * short one (a sysctl, a status), and whether /proc's PIDs are ours at all.
 */
#include "common.h"

#include <fcntl.h>      /* open() */
#include <stdlib.h>     /* atol() */
#include <string.h>     /* strlen() */
#include <unistd.h>     /* read(), write(), close(), readlink() */

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

bool proc_is_ours(void)
{
	char buf[32];
	int err = errno;
	ssize_t n = readlink("/proc/self", buf, sizeof(buf) - 1);

	errno = err;
	buf[n > 0 ? n : 0] = '\0';
	return n > 0 && atol(buf) == (long)getpid();
}

const char *read_file(const char *path, char *buf, size_t size)
{
	int err = errno;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd == -1 ? -1 : read(fd, buf, size - 1);

	if (fd != -1)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	errno = err;
	return buf;
}
