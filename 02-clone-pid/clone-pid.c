/*
 * clone-pid.c: stage 02 of the containers-from-scratch lab.
 *
 * The idea: clone(2) is fork with flags, and one flag, CLONE_NEWPID, puts the child in a
 * new PID namespace: there it is PID 1, with parent 0, while the host still sees it under
 * an ordinary PID. This is stage 00 with fork() replaced by clone(). It needs root.
 *
 * Try:   sudo ./02-clone-pid/clone-pid -v sh -c 'echo "PID inside: $$, parent: $PPID"'
 * Pages: clone(2), pid_namespaces(7), namespaces(7), prctl(2)
 */
#include "common.h"

#include <getopt.h>     /* getopt() */
#include <stdio.h>      /* printf() */
#include <stdlib.h>     /* exit() */
#include <unistd.h>     /* getpid(), getppid() */

/* What the child needs to know. */
struct child_args {
	char **argv;               /* COMMAND and its arguments */
	sigset_t old_mask;         /* the signal mask to give back to COMMAND */
	unsigned long host_ns[NS_KINDS];  /* our namespace inodes, for -v */
};

static void usage(void)
{
	printf("Usage: %s [-v] [--] COMMAND [ARG]...\n"
	       "Run COMMAND as PID 1 of a new PID namespace, wait for it and report.\n"
	       "Needs root (CAP_SYS_ADMIN); stage 03 adds -U, a user namespace, for others.\n"
	       "\n"
	       "  -v  narrate each step on stderr (PIDs inside and out, namespace inodes)\n"
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
	/* The leading '+' stops at the first non-option: in "clone-pid ls -l", -l is ls's. */
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

/* Runs in the child, on the stack clone_child() mapped, as PID 1 of the new PID
 * namespace; never returns: it becomes COMMAND. */
static int child_main(void *arg)
{
	struct child_args *args = arg;

	die_with_parent();                  /* no orphaned init if the runtime is killed */
	report_namespaces(args->host_ns);   /* under -v: only pid is new */
	verbose("child (PID=%ld, PPID=%ld) about to exec %s",
		(long)getpid(), (long)getppid(), args->argv[0]);
	exec_command(args->argv, &args->old_mask);
}

int main(int argc, char *argv[])
{
	struct child_args args = { 0 };
	pid_t pid;

	runtime_init();                     /* fds 0-2 open, SIGPIPE ignored, stdout checked */
	parse_args(argc, argv, &args);
	read_ns_inodes(args.host_ns);       /* for -v: the child compares its own */
	block_signals(&args.old_mask);      /* until wait_child() can forward them */

	pid = clone_child(child_main, &args, CLONE_NEWPID);  /* fork, with a flag */
	if (pid == -1)
		die("clone", NULL, clone_hint(errno, CLONE_NEWPID, "a new PID namespace needs "
			"root: run as root, e.g. with sudo (stage 03 adds -U for others)"));

	verbose("parent (PID=%ld, PPID=%ld) created child PID=%ld",
		(long)getpid(), (long)getppid(), (long)pid);
	verbose("child is PID %ld on the host and PID 1 inside", (long)pid);
	return wait_child(pid);             /* reap it, report it, pass its status on */
}
