/*
 * pipe-sync.c: stage 04 of the containers-from-scratch lab.
 *
 * The idea: some set-up can only be done by the parent, after the child exists and before
 * the child runs its command. Here it is the new user namespace's ID maps. Until they are
 * written the child is "nobody" (65534); it could map only its own ID, and only before
 * exec, so the parent writes them from outside, holding the child back on a pipe until
 * then and releasing it with one explicit byte. With every namespace of stage 03 always
 * on, this is a rootless mini container.
 *
 * Try:   ./04-pipe-sync/pipe-sync -v -- sh -c 'id; hostname; ps -o pid,comm'
 * Pages: user_namespaces(7), pipe(2), pipe(7), getrandom(2), clone(2)
 */
#include "common.h"

#include <fcntl.h>      /* O_CLOEXEC */
#include <getopt.h>     /* getopt_long() */
#include <limits.h>     /* HOST_NAME_MAX */
#include <stdio.h>      /* printf() */
#include <stdlib.h>     /* exit() */
#include <string.h>     /* strlen() */
#include <sys/mount.h>  /* mount() */
#include <unistd.h>     /* getpid(), getppid(), sethostname(), pipe2() */

/* A container gets every namespace of stage 03; user first, so no root is needed. */
#define CONTAINER_FLAGS (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | \
			 CLONE_NEWNET | CLONE_NEWIPC)
#define SYNC_GO 'G'     /* the byte that means "your ID maps are written: go" */
#define NAME_LEN 12     /* a container's default name: the ID's first 12 characters */

/* What the child needs to know. */
struct child_args {
	char **argv;               /* COMMAND and its arguments */
	sigset_t old_mask;         /* the signal mask to give back to COMMAND */
	int flags;                 /* the CLONE_NEW* flags: CONTAINER_FLAGS */
	const char *hostname;      /* --hostname, else the name */
	unsigned long host_ns[NS_KINDS];  /* our namespace inodes, for -v */
	int sync_pipe[2];          /* [0] the child reads the go byte, [1] the parent writes it */
	bool no_sync;              /* --no-sync: the child does not wait (the race, on purpose) */
};

static void usage(void)
{
	printf("Usage: %s [OPTION]... [--] COMMAND [ARG]...\n"
	       "Run COMMAND in a rootless container: new user, mount, PID, UTS, network and\n"
	       "IPC namespaces, root inside, the caller's own IDs outside.\n\n"
	       "  --name NAME      the container's name (default: the ID's first %d characters)\n"
	       "  --hostname NAME  its hostname (default: the name)\n"
	       "  --no-sync        the child does not wait for its ID maps (a race, to see why)\n"
	       "  -v  narrate each step on stderr, timed from the start\n"
	       "  -h  show this help and exit\n"
	       "\n"
	       "Exit status: COMMAND's own; 128+N if signal N killed it; 125 if %s\n"
	       "itself failed; 126 if COMMAND cannot be executed; 127 if it is not found.\n",
	       program_invocation_short_name, NAME_LEN, program_invocation_short_name);
}

/* Read the options; leave args->argv pointing at COMMAND. NAME is the default name. */
static void parse_args(int argc, char *argv[], struct child_args *args, const char *name)
{
	static const struct option long_opts[] = {
		{ "hostname", required_argument, NULL, 'H' },
		{ "name",     required_argument, NULL, 'N' },
		{ "no-sync",  no_argument,       NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	argv[0] = program_invocation_short_name;  /* getopt's messages then match ours */
	/* The leading '+' stops at the first non-option: in "pipe-sync ls -l", -l is ls's. */
	while ((opt = getopt_long(argc, argv, "+hv", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'h': usage(); exit(0);
		case 'v': verbose_on = true; break;
		case 'H': args->hostname = optarg; break;
		case 'N': name = optarg; break;
		case 'S': args->no_sync = true; break;
		default:  try_help();     /* getopt has said what was wrong */
		}
	}
	if (optind >= argc)
		usage_error("missing COMMAND");
	args->flags = CONTAINER_FLAGS;
	if (!args->hostname)
		args->hostname = name;
	if (args->hostname && strlen(args->hostname) > HOST_NAME_MAX)
		usage_error("hostname (--name or --hostname): %zu characters, the kernel "
			    "allows at most %d", strlen(args->hostname), HOST_NAME_MAX);
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

/* In the child: block until the parent's go byte arrives. EOF means the parent died or
 * gave up before writing it: then COMMAND must not run. Never returns on failure. */
static void await_parent(const struct child_args *args)
{
	ssize_t n;
	char c;

	do
		n = read(args->sync_pipe[0], &c, 1);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		child_fail(EXIT_RUNTIME, "read", "sync pipe", NULL);
	if (n == 0 || c != SYNC_GO) {
		dprintf(STDERR_FILENO, "%s: sync pipe: %s before the go byte: the parent failed, "
			"so COMMAND does not run\n", program_invocation_short_name,
			n == 0 ? "end of file" : "a wrong byte");
		_exit(EXIT_RUNTIME);
	}
	verbose("child: got the go byte");
}

/* Runs in the child, on the stack clone_child() mapped, inside the new namespaces;
 * never returns: it becomes COMMAND. */
static int child_main(void *arg)
{
	struct child_args *args = arg;

	die_with_parent();                  /* no orphaned init if the runtime is killed */
	close(args->sync_pipe[1]);          /* or our own copy would keep EOF from coming */
	if (args->no_sync)
		verbose("child: --no-sync: not waiting for the parent");
	else
		await_parent(args);
	close(args->sync_pipe[0]);
	if (args->hostname && sethostname(args->hostname, strlen(args->hostname)) == -1)
		child_fail(EXIT_RUNTIME, "sethostname", args->hostname,
			   userns_setup_hint(args, errno));
	if (args->flags & CLONE_NEWNS)
		set_up_mounts(args);
	report_namespaces(args->host_ns);
	verbose("child (PID=%ld, PPID=%ld) about to exec %s",
		(long)getpid(), (long)getppid(), args->argv[0]);
	verbose("child: uid %ld before exec", (long)getuid());
	exec_command(args->argv, &args->old_mask);
}

/* In the parent: write TEXT to /proc/PID/FILE, or kill the child and die. */
static void write_proc_file(pid_t pid, const char *file, const char *text)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%ld/%s", (long)pid, file);
	const char *failed = write_file(path, text);  /* NULL, or "open" or "write" */

	if (failed)
		die_killing(pid, failed, path, map_write_hint(errno));
}

/* In the parent: map root (0) inside the child's user namespace to our own IDs outside,
 * the one mapping an unprivileged process may write. setgroups must be denied before an
 * unprivileged process may write gid_map (user_namespaces(7)). */
static void write_id_maps(pid_t pid)
{
	char map[32];

	snprintf(map, sizeof(map), "0 %ld 1\n", (long)geteuid());
	write_proc_file(pid, "uid_map", map);
	write_proc_file(pid, "setgroups", "deny");
	snprintf(map, sizeof(map), "0 %ld 1\n", (long)getegid());
	write_proc_file(pid, "gid_map", map);
	verbose("parent: wrote uid_map (0 %ld 1), setgroups (deny), gid_map (0 %ld 1)",
		(long)geteuid(), (long)getegid());
}

/* In the parent: send the go byte, then close our ends; or kill the child and die. */
static void release_child(pid_t pid, struct child_args *args)
{
	char go = SYNC_GO;

	verbose("parent: sending the go byte");
	if (write(args->sync_pipe[1], &go, 1) != 1)
		die_killing(pid, "write", "sync pipe", NULL);
	close(args->sync_pipe[1]);
	close(args->sync_pipe[0]);          /* kept open till now: no SIGPIPE if the child died */
}

int main(int argc, char *argv[])
{
	struct child_args args = { 0 };
	char id[CONTAINER_ID_LEN + 1], name[NAME_LEN + 1];
	pid_t pid;

	runtime_init();                     /* fds 0-2 open, SIGPIPE ignored, stdout checked */
	verbose_clock_start();
	make_container_id(id);
	snprintf(name, sizeof(name), "%.*s", NAME_LEN, id);  /* default name: the ID's start */
	parse_args(argc, argv, &args, name);
	errmsg("container %s", id);
	read_ns_inodes(args.host_ns);       /* for -v: the child compares its own */
	if (pipe2(args.sync_pipe, O_CLOEXEC) == -1)  /* O_CLOEXEC: no end reaches COMMAND */
		die("pipe2", NULL, NULL);
	block_signals(&args.old_mask);      /* until wait_child() can forward them */

	pid = clone_child(child_main, &args, args.flags);  /* fork, with the flags */
	if (pid == -1)
		die("clone", NULL, clone_hint(errno, args.flags, NULL));

	verbose("parent (PID=%ld, PPID=%ld) created child PID=%ld",
		(long)getpid(), (long)getppid(), (long)pid);
	write_id_maps(pid);                 /* configure... */
	release_child(pid, &args);          /* ...then release */
	return wait_child(pid);             /* reap it, report it, pass its status on */
}
