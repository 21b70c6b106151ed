/*
 * container_id.c: a random container ID, 64 hex characters, as docker prints them.
 */
#include "common.h"

#include <stdio.h>       /* snprintf() */
#include <sys/random.h>  /* getrandom() */

void make_container_id(char id[CONTAINER_ID_LEN + 1])
{
	unsigned char bytes[CONTAINER_ID_LEN / 2];
	ssize_t n;

	do
		n = getrandom(bytes, sizeof(bytes), 0);
	while (n == -1 && errno == EINTR);
	if (n != (ssize_t)sizeof(bytes))
		die("getrandom", "container ID", NULL);
	for (size_t i = 0; i < sizeof(bytes); i++)
		snprintf(id + 2 * i, 3, "%02x", bytes[i]);
}
