/*
 * pipe-sync.c: stage 04 of the containers-from-scratch lab.
 *
 * The idea: some set-up is the parent's, after the child exists and before it runs its
 * command: the user namespace's ID maps (until then the child is "nobody"). The child waits
 * on a pipe for one byte, go. With every namespace (the default), a rootless container.
 *
 * Try:   ./04-pipe-sync/pipe-sync -v -- sh -c 'id; hostname; ps -o pid,comm'
 * Pages: user_namespaces(7), pipe(2), pipe(7), getrandom(2), clone(2)
 */
#include "common.h"

#include <fcntl.h>         /* open(), O_CLOEXEC */
#include <getopt.h>        /* getopt_long() */
#include <stdio.h>         /* printf() */
#include <stdlib.h>        /* exit() */
#include <string.h>        /* strlen() */
#include <sys/mman.h>      /* mmap(), mprotect(), munmap() for the child's stack */
#include <sys/mount.h>     /* mount() */
#include <sys/resource.h>  /* getrlimit(RLIMIT_STACK) */
#include <sys/wait.h>      /* waitpid(), WIFEXITED() and the other W* macros */
#include <unistd.h>        /* execvp(), sethostname(), sysconf(), getpid(), ... */

#define CONTAINER_FLAGS (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | \
			 CLONE_NEWNET | CLONE_NEWIPC)  /* with no letters: all; user, so no root */
#define SYNC_GO 'G'     /* the byte that means "your ID maps are written: go" */
#define CHILD_STACK_MIN (8 * 1024 * 1024)  /* a main thread's usual: ulimit -s says 8192 */

/* What the child needs to know. */
struct child_args {
	char **argv;               /* COMMAND and its arguments */
	sigset_t old_mask;         /* the signal mask to give back to COMMAND */
	int parent_pidfd;          /* the runtime, for die_with_parent(); -1 if none */
	int flags;                 /* the CLONE_NEW* flags */
	const char *hostname;      /* the child's hostname, or NULL */
	unsigned long host_ns[NS_KINDS];  /* our namespace inodes, for -v */
	int sync_pipe[2];          /* [0] the child reads the go byte, [1] the parent writes it */
	bool no_sync;              /* --no-sync: the child does not wait (the race, on purpose) */
};

static void usage(void)
{
	printf("Usage: %s [OPTION]... [--] COMMAND [ARG]...\n"
	       "Run COMMAND in the new namespaces asked for (default: all six, a rootless\n"
	       "container); the parent writes its ID maps, then releases it through a pipe.\n\n",
	       program_invocation_short_name);
	for (size_t i = 0; i < NS_KINDS; i++)
		printf("  -%c  new %-4s namespace: %s\n", ns_kinds[i].letter,
		       ns_kinds[i].proc_name, ns_kinds[i].isolates);
	printf("  --hostname NAME  with -u: the child's hostname (default: the name)\n"
	       "  --name NAME      the container's name (default: the ID's first 12 characters)\n"
	       "  --no-sync        the child does not wait for its ID maps (a race, to see why)\n"
	       "  -v  narrate each step on stderr (each namespace: host's inode, child's)\n"
	       "  -h  show this help and exit\n"
	       "\n"
	       "Letters combine (-impnu). -m makes / private for the child; with -p it also\n"
	       "mounts a new /proc. Letters without -U (a user namespace) need root.\n"
	       "Exit status: COMMAND's own; 128+N if signal N killed it; 125 if %s\n"
	       "itself failed; 126 if COMMAND cannot be executed; 127 if it is not found.\n",
	       program_invocation_short_name);
}

/* Read the options; leave args->argv pointing at COMMAND. */
static void parse_args(int argc, char *argv[], struct child_args *args)
{
	static const struct option long_opts[] = {
		{ "hostname", required_argument, NULL, 'H' },
		{ "name",     required_argument, NULL, 'N' },
		{ "no-sync",  no_argument,       NULL, 'S' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = NULL;
	char optstring[32] = "+hv";  /* the namespace letters are added from ns_kinds[] */
	int opt;

	for (size_t i = 0; i < NS_KINDS; i++)
		optstring[3 + i] = ns_kinds[i].letter;
	argv[0] = program_invocation_short_name;  /* getopt's messages then match ours */
	/* The leading '+' stops at the first non-option: in "pipe-sync ls -l", -l is ls's. */
	while ((opt = getopt_long(argc, argv, optstring, long_opts, NULL)) != -1) {
		switch (opt) {
		case 'h': usage(); exit(0);
		case 'v': verbose_on = true; break;
		case 'H': args->hostname = optarg; break;
		case 'N': name = optarg; break;
		case 'S': args->no_sync = true; break;
		case '?': try_help();     /* getopt has said what was wrong */
		default:                  /* a namespace letter */
			for (size_t i = 0; i < NS_KINDS; i++)
				if (ns_kinds[i].letter == opt)
					args->flags |= ns_kinds[i].flag;
		}
	}
	if (optind >= argc)
		usage_error("missing COMMAND");
	if (!args->flags)                   /* no letters: every kind, a rootless container */
		args->flags = CONTAINER_FLAGS;
	if (args->hostname && !(args->flags & CLONE_NEWUTS))
		usage_error("--hostname needs -u: without a UTS namespace it would rename the host");
	if (args->hostname && hostname_problem(args->hostname))
		usage_error("--hostname %s", hostname_problem(args->hostname));
	name = container_name(name);        /* prints "container ID"; NAME, or the ID's start */
	if (!args->hostname && (args->flags & CLONE_NEWUTS))
		args->hostname = name;
	args->argv = &argv[optind];
}

/* In the child's new mount namespace: stop mount events flowing back to the host, then
 * (in a new PID namespace too) mount a /proc that shows this namespace's processes. */
static void set_up_mounts(const struct child_args *args)
{
	/* On a host whose / is shared (systemd's default), the /proc below would appear on
	 * the host too. Source and type are ignored: "none" keeps valgrind quiet. */
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == -1)
		child_fail(EXIT_RUNTIME, "mount", "/ (MS_REC | MS_PRIVATE)",
			   userns_hint(errno, args->flags));
	if ((args->flags & CLONE_NEWPID) &&
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == -1)
		child_fail(EXIT_RUNTIME, "mount", "proc on /proc",
			   mount_proc_hint(errno, args->flags));
}

/* In the child: wait for the go byte. End of file means the parent died or gave up before
 * writing it: then COMMAND must not run. */
static void await_parent(const struct child_args *args)
{
	char c;
	/* A stop and SIGCONT (Ctrl-Z, fg) can interrupt the read: then read again. */
	ssize_t n = TEMP_FAILURE_RETRY(read(args->sync_pipe[0], &c, 1));

	if (n == -1)
		child_fail(EXIT_RUNTIME, "read", "sync pipe", NULL);
	if (n == 0 || c != SYNC_GO) {
		errmsg("sync pipe: %s before the go byte: the parent failed, so COMMAND does "
		       "not run", n == 0 ? "end of file" : "a wrong byte");
		_exit(EXIT_RUNTIME);
	}
	verbose("child: got the go byte");
}

/* The child, on map_stack()'s stack, in the new namespaces; it becomes COMMAND. */
static int child_main(void *arg)
{
	struct child_args *args = arg;

	die_with_parent(args->parent_pidfd);  /* no orphaned init if the runtime is killed */
	close(args->sync_pipe[1]);          /* or our own copy would keep EOF from coming */
	if (!args->no_sync)                 /* --no-sync: the race, on purpose */
		await_parent(args);             /* (O_CLOEXEC closes our read end at exec) */
	if (args->hostname && sethostname(args->hostname, strlen(args->hostname)) == -1)
		child_fail(EXIT_RUNTIME, "sethostname", args->hostname,
			   userns_hint(errno, args->flags));
	if (args->flags & CLONE_NEWNS)
		set_up_mounts(args);
	report_namespaces(args->host_ns);
	verbose("child (PID=%ld, PPID=%ld) about to exec %s",
		(long)getpid(), (long)getppid(), args->argv[0]);
	verbose("child: uid %ld before exec", (long)getuid());
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

/* In the parent: write TEXT to /proc/PID/FILE in one write(2); or kill the child, die. */
static void write_proc_file(pid_t pid, const char *file, const char *text)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/%s", (long)pid, file);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		die_killing(pid, "open", path, map_write_hint(errno, file, pid));
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		die_killing(pid, "write", path, map_write_hint(errno, file, pid));
	close(fd);
}

/* In the parent: map root (0) in the child's user namespace to our own IDs outside, the
 * one mapping we may write unprivileged; then only after setgroups "deny" may gid_map. */
static void write_id_maps(pid_t pid)
{
	char map[32];

	snprintf(map, sizeof(map), "0 %ld 1\n", (long)geteuid());
	write_proc_file(pid, "uid_map", map);
	write_proc_file(pid, "setgroups", "deny");
	snprintf(map, sizeof(map), "0 %ld 1\n", (long)getegid());
	write_proc_file(pid, "gid_map", map);
	verbose("parent: wrote uid_map (0 %ld 1), setgroups (deny), gid_map", (long)geteuid());
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
	verbose_clock_start();
	parse_args(argc, argv, &args);
	read_ns_inodes(args.host_ns);       /* for -v: the child compares its own */
	if (pipe2(args.sync_pipe, O_CLOEXEC) == -1)  /* O_CLOEXEC: no end reaches COMMAND */
		die("pipe2", NULL, NULL);
	stack = map_stack(&stack_size);
	args.parent_pidfd = open_own_pidfd();
	block_signals(&args.old_mask);      /* until supervise() can forward them */

	/* fork, with the flags asked for. The child starts in child_main(&args) on the new
	 * stack, whose top we pass (stacks grow down); SIGCHLD: tell us when it ends. */
	pid = clone(child_main, stack + stack_size, args.flags | SIGCHLD, &args);
	if (pid == -1)
		die("clone", NULL, clone_hint(errno, args.flags,
					      "run as root, or add -U for a user namespace"));
	munmap(stack, stack_size);          /* without CLONE_VM, the child has its own copy */
	if (args.parent_pidfd != -1)
		close(args.parent_pidfd);
	verbose("parent (PID=%ld, PPID=%ld) created child PID=%ld",
		(long)getpid(), (long)getppid(), (long)pid);
	if (args.flags & CLONE_NEWUSER)
		write_id_maps(pid);         /* configure... */
	release_child(pid, &args);          /* ...then release */
	return wait_for_child(pid, args.flags);  /* reap it, report it, pass its status on */
}
