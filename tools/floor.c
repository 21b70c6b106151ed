/*
 * floor.c: the floor of `make bench`: the least a C program can do to start a command and
 * wait for it. fork(2), execvp(3) in the child, waitpid(2) in the parent; no options, no
 * signal handling, no report line. Stage 00 does this and a little more, so the ratio of
 * the two shows what that little more costs.
 *
 * Usage: floor COMMAND [ARG]...     Exit status: COMMAND's, 128+N if signal N killed it.
 */
#include <stdlib.h>     /* exit() */
#include <sys/wait.h>   /* waitpid(), W* macros */
#include <unistd.h>     /* fork(), execvp(), _exit() */

int main(int argc, char *argv[])
{
	pid_t pid;
	int status;

	if (argc < 2)
		return 125;
	pid = fork();
	if (pid == -1)
		return 125;
	if (pid == 0) {
		execvp(argv[1], &argv[1]);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) == -1)
		return 125;
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}
