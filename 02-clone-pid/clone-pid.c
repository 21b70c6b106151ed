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

#include <getopt.h>        /* getopt() */
#include <stdio.h>         /* printf() */
#include <stdlib.h>        /* exit() */
#include <sys/mman.h>      /* mmap(), mprotect(), munmap() for the child's stack */
#include <sys/resource.h>  /* getrlimit(RLIMIT_STACK) */
#include <sys/wait.h>      /* waitpid(), WIFEXITED() and the other W* macros */
#include <unistd.h>        /* execvp(), getpid(), getppid(), sysconf() */

#define CHILD_STACK_MIN (8 * 1024 * 1024)  /* a main thread's usual: ulimit -s says 8192 */

/* What the child needs to know. */
struct child_args {
	char **argv;               /* COMMAND and its arguments */
	sigset_t old_mask;         /* the signal mask to give back to COMMAND */
	int parent_pidfd;          /* the runtime, for die_with_parent(); -1 if none */
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

/* The child, on map_stack()'s stack, as PID 1 of a new PID namespace; it becomes COMMAND. */
static int child_main(void *arg)
{
	struct child_args *args = arg;

	die_with_parent(args->parent_pidfd);  /* no orphaned init if the runtime is killed */
	report_namespaces(args->host_ns);   /* under -v: only pid is new */
	verbose("child (PID=%ld, PPID=%ld) about to exec %s",
		(long)getpid(), (long)getppid(), args->argv[0]);
	restore_signals(&args->old_mask);   /* COMMAND gets the caller's signal mask */
	execvp(args->argv[0], args->argv);  /* looks COMMAND up on PATH; returns only on failure */
	exec_failed(args->argv[0]);         /* exit 127: not found; 126: cannot run */
}

/* Map the clone child's stack: return its base, its size in *size. As big as a main
 * thread's (exec may need that much to rebuild a long argument list: glibc does, for a
 * script without #!); mmap only reserves the pages, and a guard page at the bottom turns
 * an overflow into SIGSEGV instead of silent damage. */
static char *map_stack(size_t *size)
{
	size_t guard = (size_t)sysconf(_SC_PAGESIZE);
	struct rlimit rl;
	char *stack;

	*size = CHILD_STACK_MIN;
	if (getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur > *size)
		*size = rl.rlim_cur;
	*size += guard;
	stack = mmap(NULL, *size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
	if (stack == MAP_FAILED)
		die("mmap", "child stack", stack_hint(errno, *size));
	if (mprotect(stack, guard, PROT_NONE) == -1)
		die("mprotect", "child stack's guard page", NULL);
	return stack;
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
	struct child_args args = { 0 };
	size_t stack_size;
	char *stack;
	pid_t pid;

	runtime_init();                     /* fds 0-2 open, SIGPIPE ignored, stdout checked */
	parse_args(argc, argv, &args);
	read_ns_inodes(args.host_ns);       /* for -v: the child compares its own */
	stack = map_stack(&stack_size);
	args.parent_pidfd = open_own_pidfd();
	block_signals(&args.old_mask);      /* until supervise() can forward them */

	/* fork, with a flag. The child starts in child_main(&args) on the new stack, whose
	 * top we pass (stacks grow down); SIGCHLD: tell us when it ends, as fork's child does. */
	pid = clone(child_main, stack + stack_size, CLONE_NEWPID | SIGCHLD, &args);
	if (pid == -1)
		die("clone", NULL, clone_hint(errno, CLONE_NEWPID, "a new PID "
			"namespace needs root: run as root, e.g. with sudo (stage 03 adds -U for "
			"others)"));
	munmap(stack, stack_size);          /* without CLONE_VM, the child has its own copy */
	if (args.parent_pidfd != -1)
		close(args.parent_pidfd);
	verbose("parent (PID=%ld, PPID=%ld) created child PID=%ld",
		(long)getpid(), (long)getppid(), (long)pid);
	verbose("child is PID %ld on the host and PID 1 inside", (long)pid);
	return wait_for_child(pid, CLONE_NEWPID);  /* reap it, report it, pass its status on */
}
