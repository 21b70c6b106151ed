/*
 * wait_child.c: the parent's side after clone or fork: wait for the child, passing on
 * the signals that arrive meanwhile (signals.c), then print the report line and return
 * the exit code: COMMAND's status, or 128 + the signal that killed it.
 */
#include "common.h"

#include <string.h>     /* strerror() */
#include <sys/wait.h>   /* waitpid(), W* macros */

/* Print the report line for a wait status and turn it into our exit code. */
static int report(pid_t pid, int status)
{
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);

		put_line("%ld killed by signal %d (%s)", (long)pid, sig, sig_name(sig));
		return 128 + sig;
	}
	put_line("%ld exited with status %d", (long)pid, WEXITSTATUS(status));
	return WEXITSTATUS(status);
}

int wait_child(pid_t pid)
{
	sigset_t set;
	siginfo_t si;
	int status, count = 0;
	pid_t got;

	/* The signals stay blocked (block_signals()); we take them one at a time, as a
	 * queue of messages, instead of in asynchronous handlers. SIGCHLD means: look. */
	waited_signals(&set);
	for (;;) {
		if (sigwaitinfo(&set, &si) == -1) {
			if (errno == EINTR)
				continue;
			die("sigwaitinfo", NULL, NULL);
		}
		if (si.si_signo != SIGCHLD) {
			forward_signal(pid, &si, ++count);
			continue;
		}
		/* Retry an interrupted waitpid at once: this SIGCHLD is taken, and no other
		 * may come for the child we are looking for. */
		do
			got = waitpid(pid, &status, WNOHANG);
		while (got == -1 && errno == EINTR);
		if (got == pid)
			return report(pid, status);
		if (got == -1)
			die("waitpid", NULL, NULL);
	}
}

_Noreturn void die_killing(pid_t pid, const char *call, const char *obj, const char *hint)
{
	int err = errno;
	pid_t got;

	if (kill(pid, SIGKILL) == -1)
		errmsg("kill SIGKILL %ld: %s", (long)pid, strerror(errno));
	do
		got = waitpid(pid, NULL, 0);
	while (got == -1 && errno == EINTR);
	errno = err;
	die(call, obj, hint);
}
