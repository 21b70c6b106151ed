/*
 * floor-02.c: stage 02's floor in `make bench`: the least a C program can do to run a
 * command as PID 1 of a new PID namespace and wait for it. clone(2) with CLONE_NEWPID on a
 * static stack, execvp(3) in the child, waitpid(2) in the parent; nothing else: no options,
 * no signal handling, no PR_SET_PDEATHSIG, no report line. clone-pid against it shows what
 * the lab's contract costs; this against floor.c shows what the kernel's PID namespace costs.
 *
 * Usage: floor-02 COMMAND [ARG]...   Exit status: COMMAND's, 128+N if signal N killed it.
 */
#include <sched.h>      /* clone(), CLONE_NEWPID */
#include <signal.h>     /* SIGCHLD */
#include <sys/wait.h>   /* waitpid(), W* macros */
#include <unistd.h>     /* execvp(), _exit() */

static char stack[64 * 1024] __attribute__((aligned(16)));  /* the child only execs */

static int child(void *argv)
{
	execvp(((char **)argv)[0], argv);
	_exit(127);
}

int main(int argc, char *argv[])
{
	pid_t pid;
	int status;

	if (argc < 2)
		return 125;
	pid = clone(child, stack + sizeof(stack), CLONE_NEWPID | SIGCHLD, &argv[1]);
	if (pid == -1 || waitpid(pid, &status, 0) == -1)
		return 125;
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}
