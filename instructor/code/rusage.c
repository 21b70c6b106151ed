/* rusage.c: stage 00, exercise 7. wait4(2) reaps the child and fills a struct rusage with
 * the child's CPU time and its peak resident memory, at the moment it is reaped. */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
	struct rusage ru;
	int status;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: rusage COMMAND [ARG]...\n");
		return 125;
	}
	pid = fork();
	if (pid == -1) {
		perror("rusage: fork");
		return 125;
	}
	if (pid == 0) {
		execvp(argv[1], &argv[1]);
		perror("rusage: execvp");
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) == -1) {
		perror("rusage: wait4");
		return 125;
	}
	fprintf(stderr, "%ld exited with status %d, user %ld.%03lds, system %ld.%03lds, max RSS %ld kB\n",
		(long)pid, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
		(long)ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec / 1000,
		(long)ru.ru_stime.tv_sec, (long)ru.ru_stime.tv_usec / 1000, ru.ru_maxrss);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
