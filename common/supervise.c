/*
 * supervise.c: the parent's side while its child runs. The signals a runtime passes on
 * (SIGINT, SIGTERM, SIGHUP, SIGQUIT), and the terminal's job control (Ctrl-Z, bg, fg), are
 * blocked before the child exists and taken one at a time by supervise(), with the rules
 * a PID namespace's init needs (pid_namespaces(7)): the kernel drops every signal that
 * such an init has no handler for, unless it comes from outside as SIGKILL or SIGSTOP.
 */
#include "internal.h"

#include <stdio.h>      /* snprintf() */
#include <stdlib.h>     /* strtoull(), atol() */
#include <string.h>     /* strerror(), strstr(), sigabbrev_np() */
#include <sys/wait.h>   /* waitid(), waitpid() */
#include <time.h>       /* nanosleep() */
#include <unistd.h>     /* getsid(), getpid() */

/* The signals a runtime passes on to its child: Ctrl-C, kill's default, hang-up, Ctrl-\. */
static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
/* The terminal's stop signals: Ctrl-Z, and a background job's read or write. */
static const int stops[] = { SIGTSTP, SIGTTIN, SIGTTOU };
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Every signal supervise() takes: those, SIGCONT (fg, bg) and SIGCHLD (look at the child). */
static void waited_signals(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < COUNT(forwarded); i++)
		sigaddset(set, forwarded[i]);
	for (size_t i = 0; i < COUNT(stops); i++)
		sigaddset(set, stops[i]);
	sigaddset(set, SIGCONT);
	sigaddset(set, SIGCHLD);
}

void block_signals(sigset_t *old)
{
	sigset_t set;

	waited_signals(&set);
	if (sigprocmask(SIG_BLOCK, &set, old) == -1)
		die("sigprocmask", NULL, NULL);
	/* An inherited SIG_IGN for SIGCHLD would make the kernel reap the child for us. */
	if (signal(SIGCHLD, SIG_DFL) == SIG_ERR)
		die("signal", "SIGCHLD", NULL);
}

const char *sig_name(int sig)
{
	static char name[32];
	const char *abbrev = sigabbrev_np(sig);  /* NULL for real-time signals */

	if (abbrev)
		snprintf(name, sizeof(name), "SIG%s", abbrev);
	else if (sig == SIGRTMIN || sig == SIGRTMAX)
		snprintf(name, sizeof(name), "SIGRTM%s", sig == SIGRTMIN ? "IN" : "AX");
	else if (sig > SIGRTMIN && sig - SIGRTMIN <= SIGRTMAX - sig)  /* as kill -l names them */
		snprintf(name, sizeof(name), "SIGRTMIN+%d", sig - SIGRTMIN);
	else if (sig > SIGRTMIN && sig < SIGRTMAX)
		snprintf(name, sizeof(name), "SIGRTMAX-%d", SIGRTMAX - sig);
	else
		snprintf(name, sizeof(name), "SIG%d", sig);
	return name;
}

/* The hex mask after "FIELD:\t" in a /proc/PID/status text; 0 if absent. */
static unsigned long long status_mask(const char *status, const char *field)
{
	const char *at = strstr(status, field);

	return at ? strtoull(at + strlen(field), NULL, 16) : 0;
}

/* Did the kernel drop SIG, just sent to PID, as it does for a PID namespace's init with
 * no use for it? INIT: we made PID a namespace's init (CLONE_NEWPID). Read from
 * /proc/PID/status, which the kernel fills under one lock: NSpid lists PID as /proc sees
 * it, then as each nested namespace does, ending in 1 for a namespace's init; then, as
 * masks with bit SIG-1, what PID caught (SigCgt) or ignores (SigIgn), what is still
 * queued for it (SigPnd, ShdPnd: a blocked signal, or one sigwait() is about to take) and
 * what it blocks (SigBlk: after sigwait() took it). In none of them: dropped. With no
 * /proc to read, an init is taken to drop it: a second signal would kill it anyway, and a
 * supervisor such as timeout sends only one. */
static bool init_drops(pid_t pid, int sig, bool init)
{
	char path[64], status[4096];
	unsigned long long bit = 1ULL << (sig - 1), kept = 0;
	const char *nspid, *eol;
	static const char *const fields[] = { "\nSigCgt:\t", "\nSigIgn:\t", "\nSigPnd:\t",
					       "\nShdPnd:\t", "\nSigBlk:\t" };

	if (!proc_mounted())
		return init;
	if (!proc_is_ours())  /* /proc counts in an outer namespace: it names our one child */
		pid = (pid_t)atol(read_file("/proc/thread-self/children", path, sizeof(path)));
	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if (!*read_file(path, status, sizeof(status)))
		return false;  /* gone already: nothing to do */
	nspid = strstr(status, "\nNSpid:");
	if (!nspid || strtol(nspid + 7, NULL, 10) != pid)
		return false;  /* a /proc of another PID namespace: we cannot tell */
	if (!(eol = strchr(nspid + 1, '\n')) || eol - nspid < 3 || strncmp(eol - 2, "\t1", 2) != 0)
		return false;  /* not PID 1 of a namespace: the signal is delivered */
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		kept |= status_mask(status, fields[i]);
	return !(kept & bit);
}

/* Send SIG to PID; a failure is said, not fatal: the child may have ended meanwhile.
 * Never to a PID of 0 or less: kill(-1, ...) reaches every process we may signal (a
 * fork's -1 taken for a child's PID would end the whole machine's, as root). */
static void send(pid_t pid, int sig)
{
	if (pid <= 0) {
		errmsg("kill %s %ld: refused: not a child's PID", sig_name(sig), (long)pid);
		return;
	}
	if (kill(pid, sig) == -1)
		errmsg("kill %s %ld: %s", sig_name(sig), (long)pid, strerror(errno));
}

/* Pass SI's signal on to PID unless the terminal sent it to PID as well: Ctrl-C and
 * Ctrl-\ go to the whole foreground group, the child included. A hang-up goes to the
 * session leader only: if that is us, pass it on. */
static void pass_on(pid_t pid, const siginfo_t *si)
{
	const char *name = sig_name(si->si_signo);

	if (si->si_code == SI_KERNEL && !(si->si_signo == SIGHUP && getsid(0) == getpid())) {
		verbose("%s came from the terminal, which sent it to PID %ld too", name,
			(long)pid);
		return;
	}
	send(pid, si->si_signo);
	verbose("forwarded %s to PID %ld", name, (long)pid);
}

/* SIGINT, SIGTERM, SIGHUP or SIGQUIT: the COUNT-th. The second one, or one the child
 * would drop, becomes SIGKILL (standard signals do not queue: two may merge into one).
 * True if SIGKILL went. */
static bool forward(pid_t pid, const siginfo_t *si, int count, bool init)
{
	const char *name = sig_name(si->si_signo);

	if (count > 1) {
		send(pid, SIGKILL);
		verbose("second %s: sent SIGKILL to PID %ld", name, (long)pid);
		return true;
	}
	pass_on(pid, si);
	if (init_drops(pid, si->si_signo, init)) {
		send(pid, SIGKILL);
		verbose("PID %ld is a PID namespace's init with no handler for %s, which the "
			"kernel drops: sent SIGKILL instead", (long)pid, name);
		return true;
	}
	return false;
}

/* Ctrl-Z (or a background job's read of the terminal): stop the child, then ourselves, as
 * a shell's job stops. The kernel never stops a namespace's init for these: it drops the
 * signal, or runs the init's handler, whose own stop (less, vim and readline raise SIGTSTP
 * again) it drops too. So an init would go on running, reading the terminal or spinning on
 * it: SIGSTOP from outside reaches it. A handler first gets a moment (to reset the terminal). */
static void stop(pid_t pid, const siginfo_t *si, bool init)
{
	struct timespec grace = { .tv_nsec = 50 * 1000 * 1000 };

	pass_on(pid, si);
	if (init) {
		if (!init_drops(pid, si->si_signo, init))
			nanosleep(&grace, NULL);  /* EINTR (a stop of ours) only ends it early */
		send(pid, SIGSTOP);
		verbose("PID %ld is a PID namespace's init, which the kernel does not stop on "
			"%s: sent SIGSTOP", (long)pid, sig_name(si->si_signo));
	}
	verbose("stopping, as the terminal asked (%s)", sig_name(si->si_signo));
	if (raise(SIGSTOP) != 0)
		errmsg("raise SIGSTOP: %s", strerror(errno));
}

/* fg or bg continued us (SIGCONT went to our group): continue the child too, in case it
 * was stopped on its own. */
static void resume(pid_t pid)
{
	send(pid, SIGCONT);
	verbose("continued: sent SIGCONT to PID %ld", (long)pid);
}

/* SIGTSTP, SIGTTIN or SIGTTOU? */
static bool is_stop(int sig)
{
	for (size_t i = 0; i < COUNT(stops); i++)
		if (stops[i] == sig)
			return true;
	return false;
}

/* Has PID ended? Looks without reaping it (WNOWAIT): that is the stage's waitpid(). */
static bool has_ended(pid_t pid)
{
	siginfo_t info = { .si_pid = 0 };

	if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == -1)
		die_killing(pid, "waitid", NULL, NULL);  /* no runtime left: no container */
	return info.si_pid == pid;
}

void supervise(pid_t pid, int flags)
{
	bool init = flags & CLONE_NEWPID;
	sigset_t set;
	siginfo_t si;
	int count = 0;
	bool killed = false;  /* SIGKILL went: the child is ending, and will not stop */

	/* The signals stay blocked (block_signals()); we take them one at a time, as a queue
	 * of messages, instead of in asynchronous handlers. SIGCHLD means: look. */
	waited_signals(&set);
	while (!has_ended(pid)) {
		/* A stop and a SIGCONT make sigwaitinfo fail with EINTR (signal(7)): retry. */
		if (TEMP_FAILURE_RETRY(sigwaitinfo(&set, &si)) == -1)
			die_killing(pid, "sigwaitinfo", NULL, NULL);
		if (si.si_signo == SIGCONT)
			resume(pid);
		else if (is_stop(si.si_signo) && (killed || has_ended(pid)))
			/* kill %1 sends SIGTERM and SIGCONT to a stopped job: an init, continued,
			 * may read the terminal before our SIGKILL ends it. Stopped, we would not
			 * report its end until fg. */
			verbose("%s: not stopping, PID %ld is ending", sig_name(si.si_signo),
				(long)pid);
		else if (is_stop(si.si_signo))
			stop(pid, &si, init);
		else if (si.si_signo != SIGCHLD)
			killed |= forward(pid, &si, ++count, init);
	}
}

_Noreturn void die_killing(pid_t pid, const char *call, const char *obj, const char *hint)
{
	int err = errno;

	send(pid, SIGKILL);
	if (pid > 0 && TEMP_FAILURE_RETRY(waitpid(pid, NULL, 0)) == -1)  /* EINTR after a stop */
		errmsg("waitpid %ld: %s", (long)pid, strerror(errno));
	errno = err;
	die(call, obj, hint);
}

void end_if_signalled(void)
{
	sigset_t pending;

	if (getpid() != 1 || sigpending(&pending) == -1)
		return;
	for (size_t i = 0; i < COUNT(forwarded); i++) {
		if (sigismember(&pending, forwarded[i]) == 1) {
			verbose("child: %s came during set-up; as a namespace's init we would "
				"drop it: exiting %d instead", sig_name(forwarded[i]),
				128 + forwarded[i]);
			_exit(128 + forwarded[i]);
		}
	}
}
