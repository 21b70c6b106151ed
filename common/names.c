/*
 * names.c: a new container's random ID and name, and the rules for a name that
 * becomes a hostname.
 */
#include "common.h"

#include <limits.h>      /* HOST_NAME_MAX */
#include <stdio.h>       /* snprintf() */
#include <string.h>      /* strlen() */
#include <sys/random.h>  /* getrandom() */

#define ID_LEN 64    /* hex characters, as docker prints them */
#define NAME_LEN 12  /* a default name: the ID's first 12, as docker ps shows IDs */

const char *container_name(const char *name)
{
	static char id[ID_LEN + 1];
	unsigned char bytes[ID_LEN / 2];

	/* 32 bytes from the urandom pool: one call, never interrupted (random(7)). */
	if (getrandom(bytes, sizeof(bytes), 0) != (ssize_t)sizeof(bytes))
		die("getrandom", "container ID", NULL);
	for (size_t i = 0; i < sizeof(bytes); i++)
		snprintf(id + 2 * i, 3, "%02x", bytes[i]);
	if (name && hostname_problem(name))
		usage_error("--name %s", hostname_problem(name));
	errmsg("container %s", id);
	if (name)
		return name;
	id[NAME_LEN] = '\0';  /* the ID was printed whole; the name is its start */
	return id;
}

const char *hostname_problem(const char *name)
{
	if (!*name)
		return "is empty";
	if (strlen(name) > HOST_NAME_MAX) {
		static char why[80];

		snprintf(why, sizeof(why), "has %zu characters, the kernel allows at most %d",
			 strlen(name), HOST_NAME_MAX);
		return why;
	}
	for (const char *c = name; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return "holds a control character (a newline, a tab, ...)";
	return NULL;
}
