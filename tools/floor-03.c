/*
 * floor-03.c: stage 03's floor in `make bench`: the least a C program can do to run a
 * command the way `multi-ns -impnu` does. clone(2) with new IPC, mount, network, PID and UTS
 * namespaces on a static stack; in the child the two mounts of stage 03 (/ made recursively
 * private, a fresh proc on /proc), then execvp(3); waitpid(2) in the parent. Nothing else:
 * no options, no signal handling, no PR_SET_PDEATHSIG, no report line.
 *
 * Usage: floor-03 COMMAND [ARG]...   Exit status: COMMAND's, 128+N if signal N killed it;
 * 125 if a step failed.
 */
#include <sched.h>      /* clone(), CLONE_NEW* */
#include <signal.h>     /* SIGCHLD */
#include <sys/mount.h>  /* mount() */
#include <sys/wait.h>   /* waitpid(), W* macros */
#include <unistd.h>     /* execvp(), _exit() */

#define FLAGS (CLONE_NEWIPC | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWUTS)

static char stack[64 * 1024] __attribute__((aligned(16)));  /* the child only execs */

static int child(void *argv)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1 ||
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == -1)
		_exit(125);
	execvp(((char **)argv)[0], argv);
	_exit(127);
}

int main(int argc, char *argv[])
{
	pid_t pid;
	int status;

	if (argc < 2)
		return 125;
	pid = clone(child, stack + sizeof(stack), FLAGS | SIGCHLD, &argv[1]);
	if (pid == -1 || waitpid(pid, &status, 0) == -1)
		return 125;
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}
