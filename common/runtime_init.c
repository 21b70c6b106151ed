/*
 * runtime_init.c: the first call in every stage's main(). A runtime may be started in
 * any state its caller left: fds closed, SIGPIPE set to kill, stdout on a full disk.
 * Long-lived Unix tools make sure of three things before anything else; so do we.
 */
#include "common.h"

#include <fcntl.h>      /* open(), fcntl() */
#include <stdio.h>      /* fflush(), ferror() */
#include <stdlib.h>     /* atexit() */
#include <string.h>     /* strerror() */
#include <unistd.h>     /* _exit() */

static struct sigaction sigpipe_before;  /* the caller's SIGPIPE, for COMMAND */
static bool sigpipe_saved;

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
	/* A write to a pipe nobody reads then fails with EPIPE instead of killing us: our
	 * messages are lost, but the child's status is still passed on. */
	if (sigaction(SIGPIPE, &ignore, &sigpipe_before) == -1)
		die("sigaction", "SIGPIPE", NULL);
	sigpipe_saved = true;
	if (atexit(close_stdout) != 0)
		die("atexit", "close_stdout", NULL);
}

void restore_sigpipe(void)
{
	if (sigpipe_saved && sigaction(SIGPIPE, &sigpipe_before, NULL) == -1)
		child_fail(EXIT_RUNTIME, "sigaction", "SIGPIPE", NULL);
}
