/*
 * proc_files.c: reading the small /proc files the hints and the supervisor look at, and
 * whether /proc is there, and ours, at all.
 */
#include "internal.h"

#include <fcntl.h>      /* open() */
#include <stdlib.h>     /* atol() */
#include <sys/vfs.h>    /* statfs() */
#include <unistd.h>     /* read(), close(), readlink() */

#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0  /* linux/magic.h */
#endif

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

bool proc_mounted(void)
{
	struct statfs fs;
	int err = errno;
	bool mounted = statfs("/proc", &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC;

	errno = err;
	return mounted;
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
