/*
 * parent_death.c: a container never outlives its runtime. A runtime killed with SIGKILL
 * cannot forward anything; the child asks the kernel to kill it then (PR_SET_PDEATHSIG),
 * and checks that the runtime did not die before it asked.
 */
#include "common.h"

#include <poll.h>         /* poll() on the parent's pidfd */
#include <sys/prctl.h>    /* prctl(PR_SET_PDEATHSIG) */
#include <sys/syscall.h>  /* SYS_pidfd_open: glibc before 2.36 has no wrapper */

int open_own_pidfd(void)
{
	int fd = (int)syscall(SYS_pidfd_open, getpid(), 0);  /* O_CLOEXEC by design */

	/* Kernels before 5.3 have no pidfds (ENOSYS), some sandboxes forbid them (EPERM):
	 * then the child cannot check. Any other failure (EMFILE: ulimit -n) is an error,
	 * so that the check does not quietly go. */
	if (fd == -1 && errno != ENOSYS && errno != EPERM)
		die("pidfd_open", "own PID", NULL);
	if (fd == -1)
		verbose("pidfd_open is not available here: the child cannot check that its "
			"parent is still alive after PR_SET_PDEATHSIG");
	return fd;
}

void die_with_parent(int parent_fd)
{
	struct pollfd parent = { .fd = parent_fd, .events = POLLIN };
	int n;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
		child_fail(EXIT_RUNTIME, "prctl", "PR_SET_PDEATHSIG", NULL);
	if (parent_fd == -1)
		return;
	/* If the parent died before that call, no signal will come: look. A pidfd turns
	 * readable when its process has ended. (getppid() cannot tell: across a PID
	 * namespace it is always 0.) A timeout of 0 never blocks, so never meets EINTR. */
	n = poll(&parent, 1, 0);
	if (n == -1)
		child_fail(EXIT_RUNTIME, "poll", "the parent's pidfd", NULL);
	if (n == 1) {
		errmsg("the parent died before the child started");
		_exit(EXIT_RUNTIME);
	}
	close(parent_fd);
}
