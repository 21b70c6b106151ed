/*
 * exec-replace.c: stage 01 of the containers-from-scratch lab.
 *
 * The idea: exec does not create a process; it replaces the program of the process that
 * calls it. This is stage 00 without the fork: the PID, the parent, open file descriptors,
 * the working directory and the environment stay; our memory, stdio buffers and signal
 * handlers go. No process is left to wait or to print a report line: COMMAND's exit
 * status is ours.
 *
 * Try:   ./01-exec-replace/exec-replace -v sh -c 'echo "I am PID $$, my parent is $PPID"'
 * Pages: execve(2), exec(3)
 */
#include "common.h"

#include <getopt.h>     /* getopt() */
#include <limits.h>     /* PATH_MAX */
#include <stdio.h>      /* printf() */
#include <stdlib.h>     /* exit() */
#include <string.h>     /* strcpy() */
#include <unistd.h>     /* execvp(), getpid(), getppid(), readlink() */

/* What the child needs to know. */
struct child_args {
	char **argv;               /* COMMAND and its arguments */
};

static void usage(void)
{
	printf("Usage: %s [-v] [--] COMMAND [ARG]...\n"
	       "Replace this process's program with COMMAND: no fork, so the PID stays.\n"
	       "\n"
	       "  -v  narrate: what is about to be replaced and what survives the exec\n"
	       "  -h  show this help and exit\n"
	       "\n"
	       "Exit status: COMMAND's own, since COMMAND is this process from then on;\n"
	       "125 on a usage error; 126 if COMMAND cannot be executed; 127 if not found.\n",
	       program_invocation_short_name);
}

/* Read the options; leave args->argv pointing at COMMAND. */
static void parse_args(int argc, char *argv[], struct child_args *args)
{
	int opt;

	argv[0] = program_invocation_short_name;  /* getopt's messages then match ours */
	/* The leading '+' stops at the first non-option: in "exec-replace ls -l", -l is ls's. */
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

/* Named as in stage 00, where it ran in the child. Here there is no child: this very
 * process becomes COMMAND. Never returns. */
static int child_main(void *arg)
{
	struct child_args *args = arg;
	char exe[PATH_MAX] = "?";
	char cwd[PATH_MAX] = "?";
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0)
		exe[n] = '\0';
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		strcpy(cwd, "?");
	verbose("about to be replaced: /proc/self/exe -> %s", exe);
	verbose("survives exec: PID %ld, parent %ld, open fds, cwd %s, environment",
		(long)getpid(), (long)getppid(), cwd);
	verbose("lost in exec: this program's memory, unflushed stdio buffers, signal handlers");
	errmsg("PID %ld becomes %s", (long)getpid(), args->argv[0]);
	restore_signals(NULL);              /* SIGPIPE as the caller had it */
	execvp(args->argv[0], args->argv);  /* looks COMMAND up on PATH; returns only on failure */
	exec_failed(args->argv[0]);         /* exit 127: not found; 126: cannot run */
}

int main(int argc, char *argv[])
{
	struct child_args args;

	runtime_init();                     /* fds 0-2 open, SIGPIPE ignored, stdout checked */
	parse_args(argc, argv, &args);
	child_main(&args);                  /* no fork: we become COMMAND, or exit 126/127 */
}
