/* tiny-init.c: stage 02, exercises 5 and 6. A PID 1 that forks and execs its arguments,
 * reaps every child it adopts until its own child has ended, and passes on that child's
 * status. With a SIGTERM handler (exercise 6) it is no longer an init without a handler:
 * the kernel delivers SIGTERM to it, and it forwards the signal to its child.
 *   sudo ./02-clone-pid/clone-pid /tmp/lab-scratch-$USER/tiny-init sh -c '...' */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t child;

static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

int main(int argc, char *argv[])
{
	int status;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: tiny-init COMMAND [ARG]...\n");
		return 125;
	}
	signal(SIGTERM, forward);            /* exercise 6: delete this line for exercise 5 */
	child = fork();
	if (child == -1) {
		perror("tiny-init: fork");
		return 125;
	}
	if (child == 0) {
		signal(SIGTERM, SIG_DFL);
		execvp(argv[1], &argv[1]);
		perror("tiny-init: execvp");
		_exit(127);
	}
	for (;;) {                           /* reap everything; stop when our child is done */
		pid = wait(&status);
		if (pid == -1 && errno == EINTR)
			continue;
		if (pid == -1) {
			perror("tiny-init: wait");
			return 125;
		}
		if (pid != child) {
			fprintf(stderr, "tiny-init: reaped orphan %ld\n", (long)pid);
			continue;
		}
		return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
}
