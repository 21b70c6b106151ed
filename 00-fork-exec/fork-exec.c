/*
 * fork-exec.c: stage 00 of the containers-from-scratch lab.
 *
 * The idea: starting a program takes two system calls. fork(2) copies this process;
 * in the copy (the child) execvp(3) replaces our program with COMMAND; the original
 * (the parent) waits for that child with waitpid(2) and passes on how it ended.
 * Every container runtime, and every shell, starts processes this way.
 *
 * Try:   ./00-fork-exec/fork-exec -v -- /bin/bash -c "echo test"
 * Pages: fork(2), execve(2), exec(3), waitpid(2), signal(7)
 */
#include "common.h"

#include <getopt.h>     /* getopt() */
#include <stdio.h>      /* printf() */
#include <stdlib.h>     /* exit() */
#include <sys/wait.h>   /* waitpid(), WIFEXITED() and the other W* macros */
#include <unistd.h>     /* fork(), execvp(), getpid(), getppid() */

/* What the child needs to know. */
struct child_args {
	char **argv;               /* COMMAND and its arguments */
	sigset_t old_mask;         /* the signal mask to give back to COMMAND */
};

static void usage(void)
{
	printf("Usage: %s [-v] [--] COMMAND [ARG]...\n"
	       "Run COMMAND in a child process, wait for it and report how it ended.\n"
	       "\n"
	       "  -v  narrate each step on stderr (PIDs on both sides of the fork)\n"
	       "  -h  show this help and exit\n"
	       "\n"
	       "Exit status: COMMAND's own; 128+N if signal N killed it; 125 if %s\n"
	       "itself failed; 126 if COMMAND cannot be executed; 127 if it is not found.\n",
	       program_invocation_short_name, program_invocation_short_name);
}

/* Read the options; leave args->argv pointing at COMMAND. */
static void parse_args(int argc, char *argv[], struct child_args *args)
{
	int opt;

	argv[0] = program_invocation_short_name;  /* getopt's messages then match ours */
	/* The leading '+' stops at the first non-option: in "fork-exec ls -l", -l is ls's. */
	while ((opt = getopt(argc, argv, "+hv")) != -1) {
		switch (opt) {
		case 'h': usage(); exit(0);
		case 'v': verbose_on = true; break;
		default:  try_help();     /* getopt has said what was wrong */
		}
	}
	if (optind >= argc)
		usage_error("missing COMMAND");
	args->argv = &argv[optind];
}

/* Runs in the child, right after fork; never returns: it becomes COMMAND. */
static int child_main(void *arg)
{
	struct child_args *args = arg;

	verbose("child (PID=%ld, PPID=%ld) about to exec %s",
		(long)getpid(), (long)getppid(), args->argv[0]);
	restore_signals(&args->old_mask);   /* COMMAND gets the caller's signal mask */
	execvp(args->argv[0], args->argv);  /* looks COMMAND up on PATH; returns only on failure */
	exec_failed(args->argv[0]);         /* exit 127: not found; 126: cannot run */
}

/* In the parent: wait for child PID to end, passing signals on meanwhile; print the report
 * line; return COMMAND's exit status, or 128 + the signal that killed it, as a shell does. */
static int wait_for_child(pid_t pid, int flags)
{
	int status;

	supervise(pid, flags);              /* forward signals until it has ended */
	/* Reap it (a zombie until then). A stop and SIGCONT can interrupt it: try again. */
	if (TEMP_FAILURE_RETRY(waitpid(pid, &status, 0)) == -1)
		die("waitpid", NULL, NULL);
	if (WIFEXITED(status)) {
		put_line("%ld exited with status %d", (long)pid, WEXITSTATUS(status));
		return WEXITSTATUS(status);
	}
	/* Else WIFSIGNALED(status): without WUNTRACED, waitpid reports nothing else. */
	put_line("%ld killed by signal %d (%s)", (long)pid, WTERMSIG(status),
		 sig_name(WTERMSIG(status)));
	return 128 + WTERMSIG(status);
}

int main(int argc, char *argv[])
{
	struct child_args args;
	pid_t pid;

	runtime_init();                     /* fds 0-2 open, SIGPIPE ignored, stdout checked */
	parse_args(argc, argv, &args);
	block_signals(&args.old_mask);      /* until supervise() can forward them */

	pid = fork();                       /* returns twice: 0 in the child, its PID here */
	if (pid == -1)
		die("fork", NULL, clone_hint(errno, 0, NULL));
	if (pid == 0)
		child_main(&args);
	verbose("parent (PID=%ld, PPID=%ld) created child PID=%ld",
		(long)getpid(), (long)getppid(), (long)pid);
	return wait_for_child(pid, 0);      /* reap it, report it, pass its status on */
}
