/*
 * runtime_init.c: the first call in every stage's main(), and its counterpart in the
 * child just before exec. A runtime may be started in any state its caller left: fds
 * closed, SIGPIPE set to kill, stdout on a full disk, or installed set-user-ID root by
 * someone who wanted to skip sudo. Long-lived Unix tools make sure of these first.
 */
#include "internal.h"

#include <fcntl.h>        /* open(), fcntl() */
#include <stdio.h>        /* fflush(), ferror(), snprintf() */
#include <stdlib.h>       /* atexit(), getenv() */
#include <limits.h>       /* PATH_MAX */
#include <string.h>       /* strerror(), strchr(), strcspn(), strncmp() */
#include <sys/stat.h>     /* stat() */
#include <sys/xattr.h>    /* getxattr() */

static struct sigaction sigpipe_before;  /* the caller's SIGPIPE, for COMMAND */
static bool sigpipe_saved;

/* A runtime that runs set-user-ID root (chmod u+s), set-group-ID, or with file
 * capabilities (setcap) lets every user of the machine create namespaces as root, map
 * root into them and exec any COMMAND as root: a root shell for all. Refuse, and say
 * what to do instead. (Not AT_SECURE: AppArmor sets that on a profile change too.) */
static void refuse_privilege_gain(void)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	char cap[64], why[96];

	if (getresuid(&ruid, &euid, &suid) == -1)
		die("getresuid", NULL, NULL);
	if (getresgid(&rgid, &egid, &sgid) == -1)
		die("getresgid", NULL, NULL);
	if (ruid != euid || ruid != suid)
		snprintf(why, sizeof(why), "set-user-ID (real uid %ld, effective uid %ld)",
			 (long)ruid, (long)euid);
	else if (rgid != egid || rgid != sgid)
		snprintf(why, sizeof(why), "set-group-ID (real gid %ld, effective gid %ld)",
			 (long)rgid, (long)egid);
	else if (getxattr("/proc/self/exe", "security.capability", cap, sizeof(cap)) > 0)
		snprintf(why, sizeof(why), "given file capabilities (getcap shows them)");
	else
		return;
	errmsg("refusing to run: this program is %s, which would give every user of this "
	       "machine root", why);
	errmsg("hint: remove that (sudo chmod u-s,g-s FILE; sudo setcap -r FILE) and run it "
	       "with sudo, or use stage 04, which needs no root");
	_exit(EXIT_RUNTIME);
}

/* If fd is closed, take its slot with /dev/null, opened for the OTHER direction (fd 0 for
 * writing, 1 and 2 for reading), as glibc does for set-user-ID programs: every read or
 * write on it still fails as on a closed fd, but the next open() or pipe2() can no longer
 * be handed fd 0, 1 or 2 (our -v lines would go into the sync pipe). */
static void fill_if_closed(int fd, int flags)
{
	int got;

	if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
		return;
	got = open("/dev/null", flags | O_NOFOLLOW);  /* the lowest free fd: this one */
	if (got == fd)
		return;
	errmsg("open /dev/null for closed fd %d: %s", fd, got == -1 ? strerror(errno) :
	       "got another fd");
	_exit(EXIT_RUNTIME);
}

/* At exit: flush stdout and check it, so a -h that was lost (a full disk, a closed or
 * broken stdout) is an error and not a silent exit 0, as coreutils' close_stdout() does.
 * (Not close(1): that can report an error of COMMAND's own writes, on NFS say.) */
static void close_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		errmsg("write error: stdout: %s", strerror(errno));
		_exit(EXIT_RUNTIME);
	}
}

void runtime_init(void)
{
	struct sigaction ignore = { .sa_handler = SIG_IGN };

	fill_if_closed(STDIN_FILENO, O_WRONLY);
	fill_if_closed(STDOUT_FILENO, O_RDONLY);
	fill_if_closed(STDERR_FILENO, O_RDONLY);
	refuse_privilege_gain();
	/* A write to a pipe nobody reads then fails with EPIPE instead of killing us: our
	 * messages are lost, but the child's status is still passed on. */
	if (sigaction(SIGPIPE, &ignore, &sigpipe_before) == -1)
		die("sigaction", "SIGPIPE", NULL);
	sigpipe_saved = true;
	if (atexit(close_stdout) != 0)
		die("atexit", "close_stdout", NULL);
}

void restore_signals(const sigset_t *old)
{
	/* exec keeps the signal mask and ignored signals: give COMMAND the caller's. */
	end_if_signalled();
	if (old && sigprocmask(SIG_SETMASK, old, NULL) == -1)
		child_fail(EXIT_RUNTIME, "sigprocmask", NULL, NULL);
	if (sigpipe_saved && sigaction(SIGPIPE, &sigpipe_before, NULL) == -1)
		child_fail(EXIT_RUNTIME, "sigaction", "SIGPIPE", NULL);
}

/* Find NAME as execvp would: itself if it holds a '/', else in the first directory on PATH
 * that has an entry called NAME. The path goes to file[PATH_MAX]; false if none has. */
static bool find_command(const char *name, char file[PATH_MAX])
{
	const char *path = getenv("PATH");
	struct stat st;

	if (strchr(name, '/'))
		return snprintf(file, PATH_MAX, "%s", name) < PATH_MAX && stat(file, &st) == 0;
	if (path == NULL)
		path = "/bin:/usr/bin";
	while (*path) {
		size_t len = strcspn(path, ":");
		int n = len ? snprintf(file, PATH_MAX, "%.*s/%s", (int)len, path, name)
			    : snprintf(file, PATH_MAX, "./%s", name);  /* "" means "." */

		if (n > 0 && n < PATH_MAX && stat(file, &st) == 0)
			return true;
		path += len + (path[len] == ':');
	}
	return false;
}

/* ENOENT for a file that is there: the kernel could not find the program that runs it. */
static const char *missing_interpreter_hint(const char *file)
{
	char head[4] = "";
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	if (fd != -1 && read(fd, head, sizeof(head)) == -1)
		head[0] = '\0';
	if (fd != -1)
		close(fd);
	if (memcmp(head, "\177ELF", 4) == 0)
		return "the file exists, but the dynamic loader it asks for does not (a program "
		       "built for another system or CPU, or for a libc this machine lacks)";
	return "the file exists, but its #! line names an interpreter that does not (a Windows "
	       "line ending, \\r, after it counts as part of the name)";
}

_Noreturn void exec_failed(const char *command)
{
	int err = errno;  /* execvp's; the look-ups below call stat() and open() */
	char file[PATH_MAX];
	bool found = find_command(command, file);
	const char *hint = NULL;

	/* execvp says EACCES when it met a PATH directory it may not search, even if the
	 * command is nowhere: for the shell's exit code that is "not found". */
	if (err == EACCES && !found && !strchr(command, '/'))
		err = ENOENT;
	if (err == ENOENT && found)
		hint = missing_interpreter_hint(file);
	else if (err == ENOENT && !strchr(command, '/'))
		hint = "no directory on PATH holds it";
	else if (err == EACCES)
		hint = "it is a directory, lacks execute permission (chmod +x), or sits on a "
		       "noexec mount";
	errno = err;
	child_fail(err == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC, "exec", command, hint);
}
