/* spawn.c: stage 00, exercise 6. posix_spawnp in place of fork + execvp; the status is
 * decoded as fork-exec does. Compare: strace -f -e trace=clone,clone3,vfork,execve */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

extern char **environ;

int main(int argc, char *argv[])
{
	pid_t pid;
	int status, err;

	if (argc < 2) {
		fprintf(stderr, "usage: spawn COMMAND [ARG]...\n");
		return 125;
	}
	err = posix_spawnp(&pid, argv[1], NULL, NULL, &argv[1], environ);
	if (err != 0) {
		fprintf(stderr, "spawn: posix_spawnp %s: %s\n", argv[1], strerror(err));
		return err == ENOENT ? 127 : 126;
	}
	if (waitpid(pid, &status, 0) == -1) {
		perror("spawn: waitpid");
		return 125;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
