/*
 * internal.h: what the files of common/ share among themselves and no stage calls.
 */
#ifndef COMMON_INTERNAL_H
#define COMMON_INTERNAL_H

#include "common.h"

#include <stddef.h>     /* size_t */

/* Read up to size - 1 bytes of a small file (a sysctl, /proc/PID/status) into buf, with a
 * NUL; return buf, "" if it cannot be read. Leaves errno alone, for the hint helpers. */
const char *read_file(const char *path, char *buf, size_t size);

/* Is a proc file system mounted on /proc? */
bool proc_mounted(void);

/* Does /proc number processes as our PID namespace does? Not in a runtime started in a new
 * PID namespace without a /proc of its own (unshare -p without --mount-proc): there
 * /proc/PID is some other process. (/proc/self names us by /proc's own numbering.) */
bool proc_is_ours(void);

/* In the child, before its mask is restored: if it is a PID namespace's init and the
 * parent forwarded a signal while it set up (pending, still blocked), that signal would be
 * dropped on unblocking: _exit(128 + it) instead, as COMMAND would have ended. */
void end_if_signalled(void);

#endif
