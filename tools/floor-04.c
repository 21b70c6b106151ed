/*
 * floor-04.c: stage 04's floor in `make bench`: the least a C program can do to run a
 * command in the rootless container of pipe-sync. pipe2(2) with O_CLOEXEC; clone(2) with all
 * six namespaces on a static stack; the parent writes uid_map, setgroups ("deny") and
 * gid_map and sends the go byte; the child reads it, sets a 12-character hostname, makes /
 * recursively private, mounts a fresh proc on /proc and execvp(3)s; waitpid(2) in the
 * parent. Nothing else: no options, no container ID from getrandom(2), no signal handling,
 * no PR_SET_PDEATHSIG, no report line.
 *
 * Usage: floor-04 COMMAND [ARG]...   Exit status: COMMAND's, 128+N if signal N killed it;
 * 125 if a step failed.
 */
#include <fcntl.h>      /* open(), O_CLOEXEC */
#include <sched.h>      /* clone(), CLONE_NEW* */
#include <signal.h>     /* SIGCHLD, kill() */
#include <stdio.h>      /* snprintf() */
#include <string.h>     /* strlen() */
#include <sys/mount.h>  /* mount() */
#include <sys/wait.h>   /* waitpid(), W* macros */
#include <unistd.h>     /* pipe2(), read(), write(), execvp(), _exit() */

#define FLAGS (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWNET | \
	       CLONE_NEWIPC)
#define NAME "0123456789ab"  /* as long as pipe-sync's default hostname */

static char stack[64 * 1024] __attribute__((aligned(16)));  /* the child only execs */
static int sync_pipe[2];

static int child(void *argv)
{
	char c;

	close(sync_pipe[1]);
	if (read(sync_pipe[0], &c, 1) != 1 || c != 'G' ||
	    sethostname(NAME, strlen(NAME)) == -1 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1 ||
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == -1)
		_exit(125);
	execvp(((char **)argv)[0], argv);
	_exit(127);
}

/* Write TEXT to /proc/PID/FILE in one write(2); 0 on success. */
static int write_proc(pid_t pid, const char *file, const char *text)
{
	char path[64];
	int fd, ok;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -1;
}

int main(int argc, char *argv[])
{
	char uid_map[32], gid_map[32];
	pid_t pid;
	int status;

	if (argc < 2 || pipe2(sync_pipe, O_CLOEXEC) == -1)
		return 125;
	pid = clone(child, stack + sizeof(stack), FLAGS | SIGCHLD, &argv[1]);
	if (pid == -1)
		return 125;
	snprintf(uid_map, sizeof(uid_map), "0 %d 1\n", (int)geteuid());
	snprintf(gid_map, sizeof(gid_map), "0 %d 1\n", (int)getegid());
	if (write_proc(pid, "uid_map", uid_map) || write_proc(pid, "setgroups", "deny") ||
	    write_proc(pid, "gid_map", gid_map) || write(sync_pipe[1], "G", 1) != 1) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return 125;
	}
	close(sync_pipe[1]);
	close(sync_pipe[0]);
	if (waitpid(pid, &status, 0) == -1)
		return 125;
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}
