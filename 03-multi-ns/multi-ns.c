/*
 * multi-ns.c: stage 03 of the containers-from-scratch lab.
 *
 * The idea: the clone() of stage 02 takes one flag per kind of namespace, and each flag
 * hides one more part of the host from the child: its hostname (UTS), its IPC objects,
 * its network, its mounts, its user IDs. The command line follows Michael Kerrisk's
 * ns_child_exec: one letter per namespace, so `-impnu` asks for five.
 *
 * Try:   sudo ./03-multi-ns/multi-ns -v -impnu --hostname lab -- sh
 * Pages: namespaces(7), uts_namespaces(7), ipc_namespaces(7), network_namespaces(7),
 *        mount_namespaces(7), user_namespaces(7), sethostname(2), mount(2)
 */
#include "common.h"

#include <getopt.h>     /* getopt_long() */
#include <limits.h>     /* HOST_NAME_MAX */
#include <stdio.h>      /* printf() */
#include <stdlib.h>     /* exit() */
#include <string.h>     /* strlen() */
#include <sys/mount.h>  /* mount() */
#include <unistd.h>     /* getpid(), getppid(), sethostname() */

/* What the child needs to know. */
struct child_args {
	char **argv;               /* COMMAND and its arguments */
	sigset_t old_mask;         /* the signal mask to give back to COMMAND */
	int flags;                 /* the CLONE_NEW* flags asked for */
	const char *hostname;      /* --hostname, or NULL */
	unsigned long host_ns[NS_KINDS];  /* our namespace inodes, for -v */
};

static void usage(void)
{
	printf("Usage: %s [OPTION]... [--] COMMAND [ARG]...\n"
	       "Run COMMAND in the new namespaces asked for, wait for it and report.\n\n",
	       program_invocation_short_name);
	for (size_t i = 0; i < NS_KINDS; i++)
		printf("  -%c  new %-4s namespace: %s\n", ns_kinds[i].letter,
		       ns_kinds[i].proc_name, ns_kinds[i].isolates);
	printf("  --hostname NAME  with -u: the child's hostname\n"
	       "  -v  narrate each step on stderr (each namespace: host's inode, child's)\n"
	       "  -h  show this help and exit\n"
	       "\n"
	       "Letters combine (-impnu). -m makes / private for the child; with -p it also\n"
	       "mounts a new /proc. Needs root, unless -U is given (a user namespace).\n"
	       "Exit status: COMMAND's own; 128+N if signal N killed it; 125 if %s\n"
	       "itself failed; 126 if COMMAND cannot be executed; 127 if it is not found.\n",
	       program_invocation_short_name);
}

/* Read the options; leave args->argv pointing at COMMAND. */
static void parse_args(int argc, char *argv[], struct child_args *args)
{
	static const struct option long_opts[] = {
		{ "hostname", required_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	char optstring[32] = "+hv";  /* the namespace letters are added from ns_kinds[] */
	int opt;

	for (size_t i = 0; i < NS_KINDS; i++)
		optstring[3 + i] = ns_kinds[i].letter;
	argv[0] = program_invocation_short_name;  /* getopt's messages then match ours */
	/* The leading '+' stops at the first non-option: in "multi-ns ls -l", -l is ls's. */
	while ((opt = getopt_long(argc, argv, optstring, long_opts, NULL)) != -1) {
		switch (opt) {
		case 'h': usage(); exit(0);
		case 'v': verbose_on = true; break;
		case 'H': args->hostname = optarg; break;
		case '?': try_help();     /* getopt has said what was wrong */
		default:                  /* a namespace letter */
			for (size_t i = 0; i < NS_KINDS; i++)
				if (ns_kinds[i].letter == opt)
					args->flags |= ns_kinds[i].flag;
		}
	}
	if (optind >= argc)
		usage_error("missing COMMAND");
	if (args->hostname && !(args->flags & CLONE_NEWUTS))
		usage_error("--hostname needs -u: without a UTS namespace it would rename the host");
	if (args->hostname && strlen(args->hostname) > HOST_NAME_MAX)
		usage_error("--hostname: %zu characters, the kernel allows at most %d",
			    strlen(args->hostname), HOST_NAME_MAX);
	args->argv = &argv[optind];
}

/* The hint for a set-up call that failed with err inside a user namespace, or NULL. */
static const char *userns_setup_hint(const struct child_args *args, int err)
{
	return (args->flags & CLONE_NEWUSER) ? userns_hint(err) : NULL;
}

/* In the child's new mount namespace: stop mount events flowing back to the host, then
 * (in a new PID namespace too) mount a /proc that shows this namespace's processes. */
static void set_up_mounts(const struct child_args *args)
{
	/* On a host whose / is shared (systemd's default), the /proc below would appear on
	 * the host too, on top of the host's own /proc. A propagation change ignores the
	 * source and type; "none" rather than NULL keeps checkers such as valgrind quiet. */
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == -1)
		child_fail(EXIT_RUNTIME, "mount", "/ (MS_REC | MS_PRIVATE)",
			   userns_setup_hint(args, errno));
	if (!(args->flags & CLONE_NEWPID))
		return;
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == -1)
		child_fail(EXIT_RUNTIME, "mount", "proc on /proc", errno == EPERM &&
			   (args->flags & CLONE_NEWUSER) ? HINT_MASKED_PROC : NULL);
}

/* Runs in the child, on the stack clone_child() mapped, inside the new namespaces;
 * never returns: it becomes COMMAND. */
static int child_main(void *arg)
{
	struct child_args *args = arg;

	die_with_parent();                  /* no orphaned init if the runtime is killed */
	if (args->hostname && sethostname(args->hostname, strlen(args->hostname)) == -1)
		child_fail(EXIT_RUNTIME, "sethostname", args->hostname,
			   userns_setup_hint(args, errno));
	if (args->flags & CLONE_NEWNS)
		set_up_mounts(args);
	if (!args->flags)
		verbose("no namespace letters: the child shares all of them, as in stage 00");
	report_namespaces(args->host_ns);
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

	pid = clone_child(child_main, &args, args.flags);  /* fork, with the flags asked for */
	if (pid == -1)
		die("clone", NULL, clone_hint(errno, args.flags,
					      "run as root, or add -U for a user namespace"));

	verbose("parent (PID=%ld, PPID=%ld) created child PID=%ld",
		(long)getpid(), (long)getppid(), (long)pid);
	return wait_child(pid);             /* reap it, report it, pass its status on */
}
