/*
 * common.c: helpers shared by the stages (see common.h for each contract).
 *
 * Nothing here is a stage's idea: error reporting, waiting, exec's exit codes, the clone
 * stack, the namespace table. Read a stage first; come here when it calls something.
 */
#include "common.h"

#include <errno.h>        /* errno, E* */
#include <fcntl.h>        /* open() */
#include <limits.h>       /* PATH_MAX */
#include <poll.h>         /* poll() on the parent's pidfd */
#include <stdarg.h>       /* va_list */
#include <stdio.h>        /* fprintf(), dprintf() */
#include <stdlib.h>       /* exit(), getenv() */
#include <string.h>       /* strerror(), strchr(), sigabbrev_np() */
#include <sys/mman.h>     /* mmap() for the clone stack */
#include <sys/prctl.h>    /* prctl(PR_SET_PDEATHSIG) */
#include <sys/random.h>   /* getrandom() */
#include <sys/stat.h>     /* stat() for namespace inodes */
#include <sys/syscall.h>  /* SYS_pidfd_open: glibc before 2.36 has no wrapper */
#include <sys/wait.h>     /* waitpid(), W* macros */
#include <unistd.h>       /* execvp(), write(), _exit() */

bool verbose_on;

static struct timespec clock_start;  /* set by verbose_clock_start() */
static bool clock_on;
static int parent_pidfd = -1;        /* set by clone_child(), for die_with_parent() */

/* The signals a runtime passes on to its child: Ctrl-C, kill's default, hang-up, Ctrl-\. */
static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

/* Print "PROG: " and the formatted message, with a newline, on stderr. */
static void vmsg(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", program_invocation_short_name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void errmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

_Noreturn void die(const char *call, const char *obj, const char *hint)
{
	int err = errno;

	errmsg("%s%s%s: %s", call, obj ? " " : "", obj ? obj : "", strerror(err));
	if (hint)
		errmsg("hint: %s", hint);
	exit(EXIT_RUNTIME);
}

_Noreturn void child_fail(int code, const char *call, const char *obj, const char *hint)
{
	int err = errno;

	dprintf(STDERR_FILENO, "%s: %s%s%s: %s\n", program_invocation_short_name, call,
		obj ? " " : "", obj ? obj : "", strerror(err));
	if (hint)
		dprintf(STDERR_FILENO, "%s: hint: %s\n", program_invocation_short_name, hint);
	_exit(code);
}

_Noreturn void usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	try_help();
}

_Noreturn void try_help(void)
{
	fprintf(stderr, "Try '%s -h'.\n", program_invocation_short_name);
	exit(EXIT_RUNTIME);
}

void verbose_clock_start(void)
{
	if (clock_gettime(CLOCK_MONOTONIC, &clock_start) == 0)
		clock_on = true;
}

void verbose(const char *fmt, ...)
{
	char line[1024];
	int len = 0;
	va_list ap;

	if (!verbose_on)
		return;
	len += snprintf(line, sizeof(line), "%s: ", program_invocation_short_name);
	if (clock_on) {
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		len += snprintf(line + len, sizeof(line) - len, "[%.6f] ",
				(double)(now.tv_sec - clock_start.tv_sec) +
				(double)(now.tv_nsec - clock_start.tv_nsec) / 1e9);
	}
	va_start(ap, fmt);
	len += vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	va_end(ap);
	if (len > (int)sizeof(line) - 2)
		len = (int)sizeof(line) - 2;
	line[len++] = '\n';
	/* One write(2) per line, so parent's and child's lines never interleave. */
	if (write(STDERR_FILENO, line, len) == -1)
		return;
}

/* The signals the parent takes while it waits: those it forwards, and SIGCHLD. */
static void waited_signals(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(set, forwarded[i]);
	sigaddset(set, SIGCHLD);
}

void block_signals(sigset_t *old)
{
	sigset_t set;

	waited_signals(&set);
	if (sigprocmask(SIG_BLOCK, &set, old) == -1)
		die("sigprocmask", NULL, NULL);
	/* An inherited SIG_IGN for SIGCHLD would make the kernel reap the child for us. */
	if (signal(SIGCHLD, SIG_DFL) == SIG_ERR)
		die("signal", "SIGCHLD", NULL);
}

/* Does some directory on PATH hold an entry called NAME? (execvp says EACCES when it
 * met a directory it may not search, even if NAME is nowhere.) */
static bool on_path(const char *name)
{
	const char *path = getenv("PATH");
	char file[PATH_MAX];
	struct stat st;

	if (path == NULL)
		path = "/bin:/usr/bin";
	while (*path) {
		size_t len = strcspn(path, ":");

		int n = len ? snprintf(file, sizeof(file), "%.*s/%s", (int)len, path, name)
			    : snprintf(file, sizeof(file), "./%s", name);  /* "" means "." */

		if (n > 0 && n < (int)sizeof(file) && stat(file, &st) == 0)
			return true;
		path += len + (path[len] == ':');
	}
	return false;
}

_Noreturn void exec_command(char *const argv[], const sigset_t *old_mask)
{
	const char *hint;
	int code;

	if (old_mask && sigprocmask(SIG_SETMASK, old_mask, NULL) == -1)
		child_fail(EXIT_RUNTIME, "sigprocmask", NULL, NULL);
	execvp(argv[0], argv);
	/* Only reached when exec failed: pick the shell's exit code for it. */
	if (errno == EACCES && !strchr(argv[0], '/') && !on_path(argv[0]))
		errno = ENOENT;
	if (errno == ENOENT) {
		code = EXIT_NOTFOUND;
		hint = strchr(argv[0], '/') ? NULL : "no directory on PATH holds it";
	} else {
		code = EXIT_NOEXEC;
		hint = errno == EACCES ? "it is a directory, lacks execute permission "
					 "(chmod +x), or sits on a noexec mount" : NULL;
	}
	child_fail(code, "exec", argv[0], hint);
}

/* Pass signal si on to the child: the first one as it is (unless the terminal already
 * sent it to the child too), any later one as SIGKILL. */
static void forward(pid_t pid, const siginfo_t *si, int count)
{
	const char *name = sigabbrev_np(si->si_signo);

	if (count > 1) {
		if (kill(pid, SIGKILL) == -1)
			errmsg("kill SIGKILL %ld: %s", (long)pid, strerror(errno));
		verbose("second SIG%s: sent SIGKILL to PID %ld", name, (long)pid);
	} else if (si->si_code == SI_KERNEL) {
		verbose("SIG%s came from the terminal, which sent it to PID %ld too", name,
			(long)pid);
	} else {
		if (kill(pid, si->si_signo) == -1)
			errmsg("kill SIG%s %ld: %s", name, (long)pid, strerror(errno));
		verbose("forwarded SIG%s to PID %ld", name, (long)pid);
	}
}

/* Print the report line for a wait status and turn it into our exit code. */
static int report(pid_t pid, int status)
{
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);

		fprintf(stderr, "%ld killed by signal %d (SIG%s)\n", (long)pid, sig,
			sigabbrev_np(sig));
		return 128 + sig;
	}
	fprintf(stderr, "%ld exited with status %d\n", (long)pid, WEXITSTATUS(status));
	return WEXITSTATUS(status);
}

int wait_child(pid_t pid)
{
	sigset_t set;
	siginfo_t si;
	int status, count = 0;

	/* The signals stay blocked (block_signals()); we take them one at a time, as a
	 * queue of messages, instead of in asynchronous handlers. SIGCHLD means: look. */
	waited_signals(&set);
	for (;;) {
		if (sigwaitinfo(&set, &si) == -1) {
			if (errno == EINTR)
				continue;
			die("sigwaitinfo", NULL, NULL);
		}
		if (si.si_signo != SIGCHLD) {
			forward(pid, &si, ++count);
			continue;
		}
		pid_t got = waitpid(pid, &status, WNOHANG);

		if (got == pid)
			return report(pid, status);
		if (got == -1 && errno != EINTR)
			die("waitpid", NULL, NULL);
	}
}

_Noreturn void die_killing(pid_t pid, const char *call, const char *obj, const char *hint)
{
	int err = errno;
	pid_t got;

	if (kill(pid, SIGKILL) == -1)
		errmsg("kill SIGKILL %ld: %s", (long)pid, strerror(errno));
	do
		got = waitpid(pid, NULL, 0);
	while (got == -1 && errno == EINTR);
	errno = err;
	die(call, obj, hint);
}

pid_t clone_child(int (*fn)(void *), void *arg, int flags)
{
	char *stack;
	pid_t pid;
	int err;

	stack = mmap(NULL, CHILD_STACK_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		die("mmap", "child stack", NULL);
	/* A pidfd of ourselves (O_CLOEXEC), for the child's die_with_parent(); -1 on kernels
	 * before 5.3, which then go without that check. */
	parent_pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	/* Stacks grow down on the CPUs Linux runs on (HP PA-RISC aside): pass the top. */
	pid = clone(fn, stack + CHILD_STACK_SIZE, flags | SIGCHLD, arg);
	err = errno;
	/* Without CLONE_VM the child has its own copy of our memory, this stack and the
	 * pidfd included, so ours can go at once. */
	munmap(stack, CHILD_STACK_SIZE);
	if (parent_pidfd != -1)
		close(parent_pidfd);
	errno = err;
	return pid;
}

void die_with_parent(void)
{
	struct pollfd parent = { .fd = parent_pidfd, .events = POLLIN };

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
		child_fail(EXIT_RUNTIME, "prctl", "PR_SET_PDEATHSIG", NULL);
	/* If the parent died before that call, no signal will come: look. A pidfd turns
	 * readable when its process has ended. (getppid() cannot tell: across a PID
	 * namespace it is always 0.) */
	if (parent_pidfd != -1 && poll(&parent, 1, 0) == 1) {
		dprintf(STDERR_FILENO, "%s: the parent died before the child started\n",
			program_invocation_short_name);
		_exit(EXIT_RUNTIME);
	}
	if (parent_pidfd != -1)
		close(parent_pidfd);
}

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

/* Read the first character of a sysctl file, or 0 if it does not exist. Keeps errno:
 * it runs while a hint is built, before die() reports errno. */
static char sysctl_char(const char *path)
{
	int err = errno;
	char c = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd != -1) {
		if (read(fd, &c, 1) != 1)
			c = 0;
		close(fd);
	}
	errno = err;
	return c;
}

const char *userns_hint(int err)
{
	if (err == ENOSPC)
		return "no user namespace left to create: user.max_user_namespaces is 0 or "
		       "used up (sysctl user.max_user_namespaces; raise it with sysctl -w)";
	if (err != EPERM)
		return NULL;
	if (sysctl_char("/proc/sys/kernel/unprivileged_userns_clone") == '0')
		return "kernel.unprivileged_userns_clone is 0: unprivileged user namespaces are "
		       "off (sysctl -w kernel.unprivileged_userns_clone=1, or run as root)";
	if (sysctl_char("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == '1')
		return "kernel.apparmor_restrict_unprivileged_userns is 1 (Ubuntu 24.04): "
		       "AppArmor strips user namespaces of privilege (sysctl -w "
		       "kernel.apparmor_restrict_unprivileged_userns=0, or run as root)";
	if (geteuid() == 0)
		return "even root was refused: a security module (AppArmor, SELinux) or a "
		       "container's seccomp profile may forbid user namespaces here";
	return "unprivileged user namespaces may be forbidden here (a sysctl, a container's "
	       "seccomp profile, or a security module): run as root";
}

const char *map_write_hint(int err)
{
	if (err == EPERM && geteuid() == 0)  /* root may write any map, within the rules */
		return "the kernel refused this map: see the rules in user_namespaces(7) (each "
		       "map written once, setgroups \"deny\" before gid_map)";
	return userns_hint(err);
}

const char *clone_hint(int err, int flags, const char *eperm_hint)
{
	const char *hint = (flags & CLONE_NEWUSER) ? userns_hint(err) : NULL;

	if (err == EAGAIN)
		return "the limit on processes is reached (ulimit -u, or the kernel's pid_max)";
	if (hint)
		return hint;
	if (err == ENOSPC)
		return "a namespace limit is reached: see the sysctls user.max_*_namespaces";
	return err == EPERM ? eperm_hint : NULL;
}

int write_file(const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd == -1)
		return -1;
	n = write(fd, text, len);
	err = errno;
	close(fd);
	if (n == (ssize_t)len)
		return 0;
	errno = n == -1 ? err : EIO;  /* a /proc map file takes all of it or nothing */
	return -1;
}

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
