/*
 * namespaces.c: the table of namespace kinds (letter, clone flag, /proc name, what it
 * isolates) and, under -v, the report of which of them the child got new.
 */
#include "common.h"

#include <stdio.h>      /* snprintf() */
#include <sys/stat.h>   /* stat() for namespace inodes */

const struct ns_kind ns_kinds[NS_KINDS] = {
	{ 'i', CLONE_NEWIPC,  "ipc",  "System V IPC objects, POSIX message queues" },
	{ 'm', CLONE_NEWNS,   "mnt",  "the mount table" },
	{ 'n', CLONE_NEWNET,  "net",  "network devices, addresses, routes, ports" },
	{ 'p', CLONE_NEWPID,  "pid",  "process IDs" },
	{ 'u', CLONE_NEWUTS,  "uts",  "hostname and NIS domain name" },
	{ 'U', CLONE_NEWUSER, "user", "user and group IDs, capabilities" },
};

/* The inode number of this process's /proc/self/ns/NAME; 0 if it cannot be read. */
static unsigned long ns_inode(const char *proc_name)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", proc_name);
	return stat(path, &st) == 0 ? (unsigned long)st.st_ino : 0;
}

void read_ns_inodes(unsigned long inodes[NS_KINDS])
{
	if (!verbose_on)
		return;  /* only -v reports them: spare every other launch the stat calls */
	for (size_t i = 0; i < NS_KINDS; i++)
		inodes[i] = ns_inode(ns_kinds[i].proc_name);
}

void report_namespaces(const unsigned long host[NS_KINDS])
{
	if (!verbose_on)
		return;
	for (size_t i = 0; i < NS_KINDS; i++) {
		unsigned long ours = ns_inode(ns_kinds[i].proc_name);

		verbose("%-4s host %lu, child %lu%s", ns_kinds[i].proc_name, host[i], ours,
			ours == host[i] ? "" : " (new)");
	}
}
