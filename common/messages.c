/*
 * messages.c: every line the runtime itself prints: errors (die, child_fail, errmsg),
 * usage errors, the -v narration (verbose) and the report line's printer (put_line).
 *
 * One rule holds for all of them: a line is built in a buffer and written with ONE
 * write(2), so lines from the parent, the child and other runtimes sharing the same
 * stderr never interleave mid-line (PIPE_BUF bytes or fewer are atomic on a pipe).
 * A write that fails (stderr closed, full, or a pipe nobody reads) is ignored: the
 * runtime never dies of its own diagnostics (runtime_init() ignores SIGPIPE).
 */
#include "common.h"

#include <limits.h>     /* PIPE_BUF */
#include <stdarg.h>     /* va_list */
#include <stdio.h>      /* vsnprintf() */
#include <stdlib.h>     /* exit() */
#include <string.h>     /* strerror() */
#include <time.h>       /* clock_gettime() */
#include <unistd.h>     /* write(), _exit() */

#define LINE_SIZE PIPE_BUF  /* a longer line is cut short (its end is lost, not the buffer) */

bool verbose_on;

static struct timespec clock_start;  /* set by verbose_clock_start() */
static bool clock_on;

/* Append printf-style text at line[len]; return the new length, never more than
 * LINE_SIZE - 1, so the newline always fits. (snprintf returns the length it WANTED
 * to write: adding that unclamped is how a buffer overflow begins.) */
static size_t vappend(char *line, size_t len, const char *fmt, va_list ap)
{
	if (len < LINE_SIZE - 1) {
		int n = vsnprintf(line + len, LINE_SIZE - len, fmt, ap);

		if (n > 0)
			len += (size_t)n;
	}
	return len < LINE_SIZE - 1 ? len : LINE_SIZE - 1;
}

static size_t append(char *line, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static size_t append(char *line, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	len = vappend(line, len, fmt, ap);
	va_end(ap);
	return len;
}

/* Build one line on stderr: "PROG: " (if prog), "[seconds] " (if timed), the message,
 * "\n"; then one write(2). Safe in a clone child: no stdio, no locks. */
static void vline(bool prog, bool timed, const char *fmt, va_list ap)
{
	char line[LINE_SIZE];
	size_t len = 0;

	if (prog)
		len = append(line, len, "%s: ", program_invocation_short_name);
	if (timed && clock_on) {
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		len = append(line, len, "[%.6f] ", (double)(now.tv_sec - clock_start.tv_sec) +
			     (double)(now.tv_nsec - clock_start.tv_nsec) / 1e9);
	}
	len = vappend(line, len, fmt, ap);
	for (size_t i = 0; i < len; i++)  /* a name with a newline in it must not forge a line */
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = '?';
	line[len++] = '\n';
	if (write(STDERR_FILENO, line, len) == -1)
		return;  /* nowhere left to say it */
}

void put_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(false, false, fmt, ap);
	va_end(ap);
}

void errmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(true, false, fmt, ap);
	va_end(ap);
}

/* "PROG: CALL OBJ: strerror(err)", then "PROG: hint: HINT" if there is one. Running out
 * of file descriptors has one cause, whichever call met it: say so. */
static void report_error(int err, const char *call, const char *obj, const char *hint)
{
	if (!hint && err == EMFILE)
		hint = "the limit on open files is reached (ulimit -n)";
	errmsg("%s%s%s: %s", call, obj ? " " : "", obj ? obj : "", strerror(err));
	if (hint)
		errmsg("hint: %s", hint);
}

_Noreturn void die(const char *call, const char *obj, const char *hint)
{
	report_error(errno, call, obj, hint);
	exit(EXIT_RUNTIME);
}

_Noreturn void child_fail(int code, const char *call, const char *obj, const char *hint)
{
	report_error(errno, call, obj, hint);
	_exit(code);
}

_Noreturn void usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(true, false, fmt, ap);
	va_end(ap);
	try_help();
}

_Noreturn void try_help(void)
{
	put_line("Try '%s -h'.", program_invocation_short_name);
	exit(EXIT_RUNTIME);
}

void verbose_clock_start(void)
{
	if (clock_gettime(CLOCK_MONOTONIC, &clock_start) == 0)
		clock_on = true;
}

void verbose(const char *fmt, ...)
{
	va_list ap;

	if (!verbose_on)
		return;
	va_start(ap, fmt);
	vline(true, true, fmt, ap);
	va_end(ap);
}
