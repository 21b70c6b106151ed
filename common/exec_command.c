/*
 * exec_command.c: the child's last step, execvp(3), and the shell's exit codes when it
 * fails: 127 when no PATH entry holds COMMAND, 126 when it exists but cannot run.
 */
#include "common.h"

#include <limits.h>     /* PATH_MAX */
#include <stdio.h>      /* snprintf() */
#include <stdlib.h>     /* getenv() */
#include <string.h>     /* strchr(), strcspn() */
#include <sys/stat.h>   /* stat() */
#include <unistd.h>     /* execvp(), access() */

/* Does some directory on PATH hold an entry called NAME? (execvp says EACCES when it
 * met a directory it may not search, even if NAME is nowhere.) */
static bool on_path(const char *name)
{
	const char *path = getenv("PATH");
	char file[PATH_MAX];
	struct stat st;

	if (path == NULL)
		path = "/bin:/usr/bin";
	while (*path) {
		size_t len = strcspn(path, ":");

		int n = len ? snprintf(file, sizeof(file), "%.*s/%s", (int)len, path, name)
			    : snprintf(file, sizeof(file), "./%s", name);  /* "" means "." */

		if (n > 0 && n < (int)sizeof(file) && stat(file, &st) == 0)
			return true;
		path += len + (path[len] == ':');
	}
	return false;
}

_Noreturn void exec_command(char *const argv[], const sigset_t *old_mask)
{
	const char *hint;
	int code;

	/* exec keeps the signal mask and ignored signals: give COMMAND the caller's. */
	end_if_signalled();
	if (old_mask && sigprocmask(SIG_SETMASK, old_mask, NULL) == -1)
		child_fail(EXIT_RUNTIME, "sigprocmask", NULL, NULL);
	restore_sigpipe();
	execvp(argv[0], argv);
	/* Only reached when exec failed: pick the shell's exit code for it. */
	if (errno == EACCES && !strchr(argv[0], '/') && !on_path(argv[0]))
		errno = ENOENT;
	if (errno == ENOENT) {
		code = EXIT_NOTFOUND;
		/* ENOENT for a file that is there: the kernel could not find its #! interpreter. */
		if (strchr(argv[0], '/') ? access(argv[0], F_OK) == 0 : on_path(argv[0]))
			hint = "the file exists, but its #! line names an interpreter that does not "
			       "(a Windows line ending, \\r, after it counts as part of the name)";
		else
			hint = strchr(argv[0], '/') ? NULL : "no directory on PATH holds it";
	} else {
		code = EXIT_NOEXEC;
		hint = errno == EACCES ? "it is a directory, lacks execute permission "
					 "(chmod +x), or sits on a noexec mount" : NULL;
	}
	child_fail(code, "exec", argv[0], hint);
}
