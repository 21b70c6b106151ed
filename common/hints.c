/*
 * hints.c: the "hint:" line after an error, where the fix is knowable: which limit,
 * sysctl or security module refused a namespace, and what to try.
 *
 * Every helper here leaves errno alone, so die(..., clone_hint(errno, ...)) still
 * reports the errno of the call that failed.
 */
#include "internal.h"

#include <ctype.h>      /* isdigit() */
#include <limits.h>     /* PATH_MAX */
#include <stdio.h>      /* snprintf(), sscanf() */
#include <stdlib.h>     /* strtoull(), atol() */
#include <string.h>     /* strstr(), strcspn(), strrchr() */
#include <sys/resource.h>  /* getrlimit() */
#include <unistd.h>     /* geteuid() */

/* Is this sysctl file's value 0? (No file, no answer: false.) */
static bool sysctl_is_zero(const char *path)
{
	char buf[16];

	return read_file(path, buf, sizeof(buf))[0] == '0';
}

/* Are we root of the machine, not only inside a user namespace? The initial user
 * namespace maps every ID to itself: its uid_map reads "0 0 4294967295". */
static bool host_root(void)
{
	char buf[128];
	unsigned long inside, outside, count;

	if (geteuid() != 0)
		return false;
	return sscanf(read_file("/proc/self/uid_map", buf, sizeof(buf)), "%lu %lu %lu",
		      &inside, &outside, &count) == 3 && inside == 0 && outside == 0 &&
	       count == 4294967295UL;
}

/* Does this process have CAP_SYS_ADMIN? (Bit 21 of CapEff in /proc/self/status.) */
static bool has_sys_admin(void)
{
	char buf[2048];
	const char *eff = strstr(read_file("/proc/self/status", buf, sizeof(buf)), "CapEff:");

	return eff && (strtoull(eff + 7, NULL, 16) >> 21 & 1);
}

/* The hint for EPERM in a user namespace, whatever FLAGS holds. */
static const char *refused_hint(int err)
{
	char buf[16];

	if (err != EPERM)
		return NULL;
	if (!*read_file("/proc/self/uid_map", buf, sizeof(buf)) && proc_mounted())
		return "this process's user ID has no mapping in its own user namespace (one "
		       "whose uid_map was never written, as multi-ns -U leaves it): a new "
		       "namespace needs a mapped creator; write the maps first, or start from "
		       "outside it";
	if (sysctl_is_zero("/proc/sys/kernel/unprivileged_userns_clone"))
		return "kernel.unprivileged_userns_clone is 0: unprivileged user namespaces are "
		       "off (sysctl -w kernel.unprivileged_userns_clone=1, or run as root)";
	if (read_file("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", buf,
		       sizeof(buf))[0] == '1')
		return "kernel.apparmor_restrict_unprivileged_userns is 1 (Ubuntu 23.10 and "
		       "later): AppArmor strips user namespaces of privilege; sudo make apparmor "
		       "installs copies of the lab's programs that may create them, in "
		       "/usr/local/lib/containers-lab (make doctor says which are loaded)";
	if (host_root())
		return "even root was refused: a security module (AppArmor, SELinux) or a "
		       "container's seccomp profile may forbid user namespaces here";
	if (geteuid() == 0)
		return "you are root only inside a user namespace: what its creator may not do "
		       "(a sandbox's seccomp profile, a security module) its root may not either";
	return "unprivileged user namespaces may be forbidden here (a sysctl, a container's "
	       "seccomp profile, or a security module): run as root";
}

const char *userns_hint(int err, int flags)
{
	return (flags & CLONE_NEWUSER) ? refused_hint(err) : NULL;
}

const char *map_write_hint(int err, const char *file, pid_t pid)
{
	char path[64], buf[32];

	if (!proc_mounted())
		return "no /proc is mounted here, and /proc/PID/*_map is the only way to write a "
		       "map: mount one (mount -t proc proc /proc)";
	if (!proc_is_ours())
		return "this /proc belongs to another PID namespace, so /proc/PID is another "
		       "process: mount a /proc for this one (unshare --mount-proc, multi-ns -mp)";
	snprintf(path, sizeof(path), "/proc/%ld/%s", (long)pid, file);
	if (err == EPERM && strstr(file, "_map") && *read_file(path, buf, sizeof(buf))) {
		static char hint[192];

		snprintf(hint, sizeof(hint), "%s was written already: the kernel takes each map "
			 "once, in one write(2)", file);
		return hint;
	}
	snprintf(path, sizeof(path), "/proc/%ld/gid_map", (long)pid);
	if (err == EPERM && strcmp(file, "setgroups") == 0 && *read_file(path, buf, sizeof(buf)))
		return "write \"deny\" to /proc/PID/setgroups before gid_map: once a gid_map is "
		       "written, the kernel refuses any write to setgroups";
	snprintf(path, sizeof(path), "/proc/%ld/setgroups", (long)pid);
	if (err == EPERM && strcmp(file, "gid_map") == 0 &&
	    strncmp(read_file(path, buf, sizeof(buf)), "allow", 5) == 0)
		return "write \"deny\" to /proc/PID/setgroups before gid_map: without CAP_SETGID "
		       "in the parent namespace the kernel refuses a gid_map while setgroups is "
		       "allowed (root need not, so the mistake hides when run as root)";
	if (err == EPERM && host_root())  /* root may write any map, within the rules */
		return "the kernel refused this map: see the rules in user_namespaces(7) (one "
		       "line per range, IDs that exist outside)";
	return refused_hint(err);
}

const char *mount_proc_hint(int err, int flags)
{
	if (err == EPERM && (flags & CLONE_NEWUSER))
		return "without root, the kernel refuses a new proc while the current /proc has "
		       "parts covered by other mounts (a container's masked paths): run on a VM "
		       "or a host, or as root";
	return NULL;
}

const char *stack_hint(int err, size_t size)
{
	static char hint[192];

	if (err != ENOMEM)
		return NULL;
	snprintf(hint, sizeof(hint), "the child's stack, %zu KiB (ulimit -s, at least 8192, "
		 "and a guard page), does not fit under ulimit -v or in the memory left: lower "
		 "ulimit -s", size / 1024);
	return hint;
}

/* For ENOSPC from clone: name the first namespace asked for whose limit,
 * user.max_NAME_namespaces, is 0; if none is, the limit is used up. */
static const char *limit_hint(int flags)
{
	static char hint[192];
	char path[64];

	for (size_t i = 0; i < NS_KINDS; i++) {
		if (!(flags & ns_kinds[i].flag))
			continue;
		snprintf(path, sizeof(path), "/proc/sys/user/max_%s_namespaces",
			 ns_kinds[i].proc_name);
		if (sysctl_is_zero(path)) {
			snprintf(hint, sizeof(hint), "user.max_%s_namespaces is 0: no new %s "
				 "namespace may be made here (raise it with sysctl -w)",
				 ns_kinds[i].proc_name, ns_kinds[i].proc_name);
			return hint;
		}
	}
	return "a namespace limit is used up (see the sysctls user.max_*_namespaces, which "
	       "count per user), or PID namespaces nest deeper than the kernel's 32 levels";
}

/* Is the pids cgroup at DIR (under ROOT) full? Its limit goes to *max. */
static bool pids_cgroup_full(const char *root, const char *dir, long *max)
{
	char file[PATH_MAX + 32], buf[32];

	snprintf(file, sizeof(file), "%s%s/pids.max", root, dir);
	if (!isdigit((unsigned char)*read_file(file, buf, sizeof(buf))))
		return false;  /* "max", or no such file: no limit here */
	*max = atol(buf);
	snprintf(file, sizeof(file), "%s%s/pids.current", root, dir);
	return atol(read_file(file, buf, sizeof(buf))) >= *max;
}

/* The pids cgroup of ours, or of one above it, that is full; NULL if none. CG is
 * /proc/self/cgroup; FIELD its line's start ("0::/": cgroup v2, mounted at ROOT; ":pids:/": the
 * pids hierarchy of cgroup v1, which a hybrid system (v1 and v2 both) uses instead of v2). */
static const char *full_pids_cgroup(const char *cg, const char *field, const char *root)
{
	static char hint[PATH_MAX + 96];
	char dir[PATH_MAX];
	const char *at = strstr(cg, field);
	long max;

	if (!at)
		return NULL;
	at += strlen(field) - 1;
	snprintf(dir, sizeof(dir), "%.*s", (int)strcspn(at, "\n"), at);
	for (;;) {  /* our cgroup, then each one above it */
		char *slash;

		if (pids_cgroup_full(root, dir, &max)) {
			snprintf(hint, sizeof(hint), "the pids cgroup %s allows at most %ld "
				 "processes (its pids.max), and has them", *dir ? dir : "/", max);
			return hint;
		}
		if ((slash = strrchr(dir, '/')) == NULL)
			return NULL;
		*slash = '\0';
	}
}

/* For EAGAIN from fork or clone: which limit on processes was reached. A pids cgroup
 * (pids.max, on our cgroup or one above it) binds root too; ulimit -u binds the others. */
static const char *process_limit_hint(void)
{
	char cg[PATH_MAX];
	const char *hint;
	struct rlimit rl;

	read_file("/proc/self/cgroup", cg, sizeof(cg));
	if ((hint = full_pids_cgroup(cg, ":pids:/", "/sys/fs/cgroup/pids")) != NULL ||
	    (hint = full_pids_cgroup(cg, "0::/", "/sys/fs/cgroup")) != NULL)
		return hint;
	if (geteuid() != 0 && getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		return "the limit on processes per user is reached (ulimit -u)";
	return "the limit on processes is reached (the kernel's pid_max or threads-max)";
}

const char *clone_hint(int err, int flags, const char *eperm_hint)
{
	const char *hint = userns_hint(err, flags);

	if (err == EAGAIN)
		return process_limit_hint();
	if (err == ENOSPC)
		return limit_hint(flags);
	if (err == EUSERS)
		return "user namespaces nest at most 32 deep: this one is too deep";
	if (hint)
		return hint;
	if (err == EPERM && geteuid() == 0 && !has_sys_admin())
		return "root without CAP_SYS_ADMIN: a container started without --privileged, or "
		       "a capability bounding set, took it away (see make doctor)";
	return err == EPERM ? eperm_hint : NULL;
}
