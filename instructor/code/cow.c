/* cow.c: stage 00, exercise 4. The child changes a global after fork; the parent, after
 * waitpid, still sees its own value: fork gave each process its own copy of memory
 * (copy-on-write: the page is shared until one of them writes it, then copied). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static int counter = 1;

int main(void)
{
	pid_t pid = fork();
	if (pid == -1) {
		perror("cow: fork");
		return 125;
	}
	if (pid == 0) {
		counter = 42;
		printf("child:  counter = %d at %p\n", counter, (void *)&counter);
		return 0;
	}
	if (waitpid(pid, NULL, 0) == -1) {
		perror("cow: waitpid");
		return 125;
	}
	printf("parent: counter = %d at %p\n", counter, (void *)&counter);
	return 0;
}
