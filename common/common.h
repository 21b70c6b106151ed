/*
 * common.h: the plumbing every stage of the lab shares, so that each stage's own file
 * shows its one idea and little else. Each helper's contract is stated here; its code
 * is in the file named beside it. Read a stage first; come here when it calls something.
 *
 * Error lines look like "PROG: CALL OBJECT: strerror", then "PROG: hint: ..." where a fix
 * is known. PROG is the program's own name (glibc's program_invocation_short_name).
 */
#ifndef COMMON_H
#define COMMON_H

#include <errno.h>      /* errno, program_invocation_short_name (our name) */
#include <sched.h>      /* clone(), CLONE_NEW* flags */
#include <signal.h>     /* sigset_t, sigprocmask() */
#include <stdbool.h>    /* bool */
#include <stddef.h>     /* size_t */
#include <sys/types.h>  /* pid_t, ino_t */
#include <time.h>       /* struct timespec */

/* Exit codes of the runtime itself, as docker, crun and util-linux use them. */
#define EXIT_RUNTIME   125  /* the program failed: usage, clone, map write, mount, ... */
#define EXIT_NOEXEC    126  /* COMMAND exists but cannot be executed */
#define EXIT_NOTFOUND  127  /* COMMAND is not on PATH */

/* For a refused proc mount in a user namespace. */
#define HINT_MASKED_PROC "without root, the kernel refuses a new proc while the current " \
	"/proc has parts covered by other mounts (a container's masked paths): run on a VM " \
	"or a host, or as root"

#define CHILD_STACK_SIZE (1024 * 1024)  /* the clone child only sets up and execs */
#define CONTAINER_ID_LEN 64             /* hex characters, as docker prints them */

/* --- runtime_init.c: before anything else --------------------------------------- */

/* First thing in main: fds 0, 1 and 2 made sure to be open (/dev/null where one was
 * closed), SIGPIPE ignored (exec_command() gives COMMAND the caller's), and stdout
 * checked at exit, so a -h that could not be written exits 125 with a message. */
void runtime_init(void);

/* In the child, before exec: SIGPIPE back as the caller had it. */
void restore_sigpipe(void);

/* --- messages.c: every line we print is one write(2) ------------------------------ */

/* Set by -v: narrate each step on stderr. */
extern bool verbose_on;

/* Print "PROG: CALL OBJ: strerror(errno)" and the hint, if any, then exit(125). */
_Noreturn void die(const char *call, const char *obj, const char *hint);

/* The child's twin of die(): then _exit(code), so no stdio buffer the child copied from
 * the parent is flushed twice. */
_Noreturn void child_fail(int code, const char *call, const char *obj, const char *hint);

/* Print "PROG: message" on stderr (no errno); the runtime's non-syscall errors. */
void errmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "message" on stderr with no prefix: the report line. */
void put_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A usage error: "PROG: message", "Try 'PROG -h'.", exit(125). */
_Noreturn void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* After getopt has printed its own one-line complaint: "Try 'PROG -h'.", exit(125). */
_Noreturn void try_help(void);

/* Under -v, print "PROG: message" (with the time since verbose_clock_start(), if set). */
void verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Start the clock that prefixes every verbose line with "[seconds]". The child inherits it. */
void verbose_clock_start(void);

/* --- signals.c and wait_child.c: the parent waits --------------------------------- */

/* Block the signals the parent forwards (and SIGCHLD) before fork/clone; *old gets the
 * mask to restore in the child. Also resets SIGCHLD to its default disposition. */
void block_signals(sigset_t *old);

/* In the parent: wait for child PID, forwarding SIGINT/TERM/HUP/QUIT (the second one
 * becomes SIGKILL, and so does one a namespace's init would drop); print the report
 * line; return the exit code to pass on. */
int wait_child(pid_t pid);

/* The parent's set-up of child PID failed: report as die() does (errno is kept), SIGKILL
 * the child, reap it, exit(125). No report line: COMMAND never ran. */
_Noreturn void die_killing(pid_t pid, const char *call, const char *obj, const char *hint);

/* "SIGTERM", "SIGRTMIN+1", ...: a signal's name, in a buffer the next call reuses. */
const char *sig_name(int sig);

/* For wait_child(): the signals it takes (the forwarded ones and SIGCHLD); passing the
 * COUNT-th of them on to PID. */
void waited_signals(sigset_t *set);
void forward_signal(pid_t pid, const siginfo_t *si, int count);

/* In the child, before its mask is restored: if it is a PID namespace's init and the
 * parent forwarded a signal while it set up (pending, still blocked), that signal would
 * be dropped on unblocking: _exit(128 + it) instead, as COMMAND would have ended. */
void end_if_signalled(void);

/* --- exec_command.c: the child's last step ---------------------------------------- */

/* In the child: restore *old_mask (if not NULL), execvp(argv[0], argv); on failure report
 * "PROG: exec COMMAND: strerror" and _exit(127) when COMMAND is not found, else 126. */
_Noreturn void exec_command(char *const argv[], const sigset_t *old_mask);

/* --- clone_child.c: a child with a stack of its own ------------------------------- */

/* clone(2) with a freshly mapped stack: fn(arg) runs in the child on that stack;
 * SIGCHLD is added to flags so a plain waitpid() sees the child end. -1 on failure. */
pid_t clone_child(int (*fn)(void *), void *arg, int flags);

/* In a clone_child() child, first thing: be sent SIGKILL when the parent dies
 * (PR_SET_PDEATHSIG), so a killed runtime never leaves a namespace's init running; and
 * if the parent already died before that call, _exit(125) at once. */
void die_with_parent(void);

/* --- namespaces.c: the table of namespace kinds ----------------------------------- */

/* One row per kind of namespace: the letter of multi-ns, the clone flag, the name in
 * /proc/PID/ns and what it isolates. */
struct ns_kind {
	char letter;
	int flag;
	const char *proc_name;
	const char *isolates;
};
#define NS_KINDS 6
extern const struct ns_kind ns_kinds[NS_KINDS];

/* Under -v: fill inodes[] with this process's namespace inodes, in ns_kinds[] order. */
void read_ns_inodes(unsigned long inodes[NS_KINDS]);

/* Under -v: for each kind of namespace, the host's inode (from read_ns_inodes() in the
 * parent), this process's, and "(new)" where they differ. */
void report_namespaces(const unsigned long host[NS_KINDS]);

/* --- hints.c: what to try, after an error ----------------------------------------- */

/* A hint for a refused user namespace (EPERM), or NULL: which sysctl or security module
 * forbids it, told apart for an ordinary user, root, and root inside a user namespace.
 * Like every hint helper it leaves errno alone, so die(..., userns_hint(errno)) works. */
const char *userns_hint(int err);

/* A hint for a refused write of uid_map, setgroups or gid_map: the map rules for root,
 * the open-file limit, else userns_hint(err). */
const char *map_write_hint(int err);

/* A hint for a failed fork/clone with these CLONE_NEW* flags: the process limit (EAGAIN),
 * the namespace limit that was hit (ENOSPC), a refused user namespace, else eperm_hint. */
const char *clone_hint(int err, int flags, const char *eperm_hint);

/* --- write_file.c and container_id.c: /proc files, the container ID -------------- */

/* Write TEXT to a /proc file in one write(2). NULL on success; else the name of the call
 * that failed ("open" or "write"), with errno set. */
const char *write_file(const char *path, const char *text);

/* Read up to size - 1 bytes of a small file (a sysctl, /proc/PID/status) into buf, with a
 * NUL; return buf, "" if it cannot be read. Leaves errno alone, for the hint helpers. */
const char *read_file(const char *path, char *buf, size_t size);

/* Does /proc number processes as our PID namespace does? Not in a runtime started in a
 * new PID namespace without a /proc of its own (unshare -p without --mount-proc): there
 * /proc/PID is some other process. (/proc/self names us by /proc's own numbering.) */
bool proc_is_ours(void);

/* Fill id with CONTAINER_ID_LEN lowercase hex characters from getrandom(2) and a NUL. */
void make_container_id(char id[CONTAINER_ID_LEN + 1]);

#endif
