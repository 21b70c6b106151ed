/*
 * clone_child.c: clone(2) with a stack of its own, and the child's guard against
 * outliving its parent (die_with_parent).
 */
#include "common.h"

#include <poll.h>         /* poll() on the parent's pidfd */
#include <sys/mman.h>     /* mmap() for the clone stack */
#include <sys/prctl.h>    /* prctl(PR_SET_PDEATHSIG) */
#include <sys/syscall.h>  /* SYS_pidfd_open: glibc before 2.36 has no wrapper */
#include <unistd.h>       /* syscall(), close(), getpid() */

static int parent_pidfd = -1;  /* set by clone_child(), for die_with_parent() */

/* A pidfd of this process, for the child's die_with_parent(); -1 where pidfds do not
 * exist (kernels before 5.3: ENOSYS; some container sandboxes: EPERM). Any other
 * failure (EMFILE: ulimit -n) is an error: the check must not quietly go. */
static int open_own_pidfd(void)
{
	int fd = (int)syscall(SYS_pidfd_open, getpid(), 0);  /* O_CLOEXEC by design */

	if (fd == -1 && errno != ENOSYS && errno != EPERM)
		die("pidfd_open", "own PID", NULL);
	if (fd == -1)
		verbose("pidfd_open is not available here: the child cannot check that its "
			"parent is still alive after PR_SET_PDEATHSIG");
	return fd;
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
	parent_pidfd = open_own_pidfd();
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
	int n;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
		child_fail(EXIT_RUNTIME, "prctl", "PR_SET_PDEATHSIG", NULL);
	if (parent_pidfd == -1)
		return;
	/* If the parent died before that call, no signal will come: look. A pidfd turns
	 * readable when its process has ended. (getppid() cannot tell: across a PID
	 * namespace it is always 0.) */
	do
		n = poll(&parent, 1, 0);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		child_fail(EXIT_RUNTIME, "poll", "the parent's pidfd", NULL);
	if (n == 1) {
		errmsg("the parent died before the child started");
		_exit(EXIT_RUNTIME);
	}
	close(parent_pidfd);
}
