/*
 * hints.c: the "hint:" line after an error, where the fix is knowable: which limit,
 * sysctl or security module refused a namespace, and what to try.
 *
 * Every helper here leaves errno alone, so die(..., clone_hint(errno, ...)) still
 * reports the errno of the call that failed.
 */
#include "common.h"

#include <stdio.h>      /* snprintf(), sscanf() */
#include <stdlib.h>     /* strtoull() */
#include <string.h>     /* strstr() */
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

const char *userns_hint(int err)
{
	char buf[16];

	if (err != EPERM)
		return NULL;
	if (sysctl_is_zero("/proc/sys/kernel/unprivileged_userns_clone"))
		return "kernel.unprivileged_userns_clone is 0: unprivileged user namespaces are "
		       "off (sysctl -w kernel.unprivileged_userns_clone=1, or run as root)";
	if (read_file("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", buf,
		       sizeof(buf))[0] == '1')
		return "kernel.apparmor_restrict_unprivileged_userns is 1 (Ubuntu 23.10 and "
		       "later): AppArmor strips user namespaces of privilege; sudo make apparmor "
		       "allows them for the lab's five programs only (see make doctor)";
	if (host_root())
		return "even root was refused: a security module (AppArmor, SELinux) or a "
		       "container's seccomp profile may forbid user namespaces here";
	if (geteuid() == 0)
		return "you are root only inside a user namespace: what its creator may not do "
		       "(a sandbox's seccomp profile, a security module) its root may not either";
	return "unprivileged user namespaces may be forbidden here (a sysctl, a container's "
	       "seccomp profile, or a security module): run as root";
}

const char *map_write_hint(int err)
{
	if (!proc_is_ours())
		return "this /proc belongs to another PID namespace, so /proc/PID is another "
		       "process: mount a /proc for this one (unshare --mount-proc, multi-ns -mp)";
	if (err == EPERM && host_root())  /* root may write any map, within the rules */
		return "the kernel refused this map: see the rules in user_namespaces(7) (each "
		       "map written once, setgroups \"deny\" before gid_map)";
	return userns_hint(err);
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

const char *clone_hint(int err, int flags, const char *eperm_hint)
{
	const char *hint = (flags & CLONE_NEWUSER) ? userns_hint(err) : NULL;

	if (err == EAGAIN)
		return "the limit on processes is reached (ulimit -u, or the kernel's pid_max)";
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
