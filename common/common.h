/*
 * common.h: the plumbing the stages share, and nothing they teach. Every system call a stage
 * exists to show (fork, execvp, waitpid, clone and its stack, the CLONE_NEW* flags, the ID
 * maps, the go byte) is in the stage's own file; what is here only prints, hints, forwards
 * signals and guards. Each line of contract below is all a reader of a stage needs; the code
 * is in the file of common/ named in each section.
 *
 * Error lines look like "PROG: CALL OBJECT: strerror", then "PROG: hint: ..." where a fix is
 * known. PROG is the program's own name (glibc's program_invocation_short_name).
 */
#ifndef COMMON_H
#define COMMON_H

#include <errno.h>      /* errno, program_invocation_short_name (our name) */
#include <sched.h>      /* clone(), CLONE_NEW* flags */
#include <signal.h>     /* sigset_t */
#include <stdbool.h>    /* bool */
#include <sys/types.h>  /* pid_t */
#include <unistd.h>     /* TEMP_FAILURE_RETRY */

/* Exit codes of the runtime itself, as docker, crun and util-linux use them. */
#define EXIT_RUNTIME   125  /* the program failed: usage, clone, map write, mount, ... */
#define EXIT_NOEXEC    126  /* COMMAND exists but cannot be executed */
#define EXIT_NOTFOUND  127  /* COMMAND is not on PATH */


/* --- runtime_init.c: the first and the last step ---------------------------------- */

/* First in main: refuse to run set-user-ID, set-group-ID or with file capabilities (exit
 * 125: that would give every user root); fds 0-2 opened on /dev/null where closed; SIGPIPE
 * ignored; stdout checked at exit (a -h that could not be written exits 125). */
void runtime_init(void);

/* In the child, just before execvp: give COMMAND the caller's signal mask (OLD, if not NULL)
 * and SIGPIPE; a namespace's init that a forwarded signal reached while it set up exits
 * 128 + that signal instead (it would drop it). */
void restore_signals(const sigset_t *old);

/* After a failed execvp: "PROG: exec COMMAND: strerror" and a hint, then _exit(127) when no
 * PATH entry holds COMMAND, else _exit(126), as a shell does. */
_Noreturn void exec_failed(const char *command);

/* --- messages.c: every line is one write(2) to stderr ----------------------------- */

extern bool verbose_on;  /* set by -v: narrate each step */

/* "PROG: CALL OBJ: strerror(errno)", the hint if not NULL, then exit(125). */
_Noreturn void die(const char *call, const char *obj, const char *hint);

/* die()'s twin for a child that has not exec'd yet: then _exit(code), so no stdio buffer
 * copied from the parent is flushed twice. */
_Noreturn void child_fail(int code, const char *call, const char *obj, const char *hint);

void errmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));   /* "PROG: ..." */
void put_line(const char *fmt, ...) __attribute__((format(printf, 1, 2))); /* no prefix */
void verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));  /* -v only */
void verbose_clock_start(void);  /* then each -v line starts "[seconds since] " */

/* "PROG: message", "Try 'PROG -h'.", exit(125); try_help() alone after getopt's message. */
_Noreturn void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void try_help(void);

/* --- hints.c: what to try after an error (each leaves errno alone) ---------------- */

const char *clone_hint(int err, int flags, const char *eperm_hint); /* fork/clone failed */
const char *userns_hint(int err, int flags); /* a set-up call refused: NULL without CLONE_NEWUSER */
const char *map_write_hint(int err, const char *file, pid_t pid);  /* /proc/PID/FILE */
const char *mount_proc_hint(int err, int flags);                   /* mount of /proc */
const char *stack_hint(int err, size_t size);   /* mmap of a clone stack of SIZE bytes */

/* --- supervise.c: the parent's side while the child runs -------------------------- */

/* Before fork/clone: block the signals supervise() takes (SIGINT, SIGTERM, SIGHUP, SIGQUIT,
 * the terminal's stop signals, SIGCONT, SIGCHLD) and reset SIGCHLD to its default; *old
 * gets the mask to give back to COMMAND. */
void block_signals(sigset_t *old);

/* In the parent, once child PID exists: pass signals on until it has ended, then return,
 * leaving it to be reaped. A second SIGINT/TERM/HUP/QUIT, or one that a namespace's init
 * (FLAGS has CLONE_NEWPID) would drop, becomes SIGKILL; a stop from the terminal (Ctrl-Z)
 * stops the child and then us, and SIGCONT continues it. */
void supervise(pid_t pid, int flags);

/* The parent's set-up of child PID failed: report as die() does, SIGKILL and reap the
 * child, exit(125). No report line: COMMAND never ran. */
_Noreturn void die_killing(pid_t pid, const char *call, const char *obj, const char *hint);

const char *sig_name(int sig);  /* "SIGTERM", "SIGRTMIN+1": in a buffer the next call reuses */

/* --- parent_death.c: no container outlives its runtime ---------------------------- */

/* Before clone: a pidfd of this process, for the child's die_with_parent(); -1 where the
 * kernel has none. Close it in the parent once the child exists. */
int open_own_pidfd(void);

/* First in a clone child: be sent SIGKILL when the parent dies (PR_SET_PDEATHSIG); if it
 * died already (PARENT_FD turned readable), _exit(125). */
void die_with_parent(int parent_fd);

/* --- namespaces.c: one row per kind of namespace ---------------------------------- */

struct ns_kind {
	char letter;            /* multi-ns's option letter */
	int flag;               /* the clone flag */
	const char *proc_name;  /* its name in /proc/PID/ns */
	const char *isolates;   /* what a new one hides from the host */
};
#define NS_KINDS 6
extern const struct ns_kind ns_kinds[NS_KINDS];

void read_ns_inodes(unsigned long inodes[NS_KINDS]);     /* -v: ours, in ns_kinds order */
void report_namespaces(const unsigned long host[NS_KINDS]); /* -v: host's vs the child's */

/* --- names.c: the container's ID and names ---------------------------------------- */

/* A new container: make its ID (64 random hex characters, as docker's), print "PROG:
 * container ID", and return its name: NAME if not NULL (checked as a hostname: exit 125 if
 * it cannot be one), else the ID's first 12 characters. */
const char *container_name(const char *name);

/* Why NAME cannot be a hostname (empty, too long, a control character), or NULL. */
const char *hostname_problem(const char *name);

#endif
