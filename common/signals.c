/*
 * signals.c: the signals a runtime passes on to its child (SIGINT, SIGTERM, SIGHUP,
 * SIGQUIT): blocked before the child exists, taken one at a time by wait_child(), and
 * forwarded here, with the rules a PID namespace's init needs (pid_namespaces(7)).
 */
#include "common.h"

#include <stdio.h>      /* snprintf() */
#include <stdlib.h>     /* strtoull(), atol() */
#include <string.h>     /* strerror(), strstr(), sigabbrev_np() */
#include <unistd.h>     /* getsid(), getpid() */

/* The signals a runtime passes on to its child: Ctrl-C, kill's default, hang-up, Ctrl-\. */
static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

void waited_signals(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++)
		sigaddset(set, forwarded[i]);
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
 * no use for it (pid_namespaces(7))? Read from /proc/PID/status, which the kernel fills
 * under one lock: NSpid lists PID as /proc sees it, then as each nested namespace does,
 * ending in 1 for a namespace's init; then, as masks with bit SIG-1, what PID caught
 * (SigCgt) or ignores (SigIgn), what is still queued for it (SigPnd, ShdPnd: a blocked
 * signal, or one sigwait() is about to take) and what it blocks (SigBlk: after sigwait()
 * took it). In none of them: dropped. */
static bool init_drops(pid_t pid, int sig)
{
	char path[64], status[4096];
	unsigned long long bit = 1ULL << (sig - 1), kept = 0;
	const char *nspid, *eol;
	static const char *const fields[] = { "\nSigCgt:\t", "\nSigIgn:\t", "\nSigPnd:\t",
					       "\nShdPnd:\t", "\nSigBlk:\t" };

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

void forward_signal(pid_t pid, const siginfo_t *si, int count)
{
	const char *name = sig_name(si->si_signo);

	if (count > 1) {
		if (kill(pid, SIGKILL) == -1)
			errmsg("kill SIGKILL %ld: %s", (long)pid, strerror(errno));
		verbose("second %s: sent SIGKILL to PID %ld", name, (long)pid);
		return;
	}
	/* Ctrl-C and Ctrl-\ go to the whole foreground group, the child included. A
	 * hang-up goes to the session leader only: if that is us, pass it on. */
	if (si->si_code == SI_KERNEL && !(si->si_signo == SIGHUP && getsid(0) == getpid())) {
		verbose("%s came from the terminal, which sent it to PID %ld too", name,
			(long)pid);
	} else {
		if (kill(pid, si->si_signo) == -1)
			errmsg("kill %s %ld: %s", name, (long)pid, strerror(errno));
		verbose("forwarded %s to PID %ld", name, (long)pid);
	}
	if (init_drops(pid, si->si_signo)) {
		if (kill(pid, SIGKILL) == -1)
			errmsg("kill SIGKILL %ld: %s", (long)pid, strerror(errno));
		verbose("PID %ld is a PID namespace's init with no handler for %s, which the "
			"kernel drops: sent SIGKILL instead", (long)pid, name);
	}
}

void end_if_signalled(void)
{
	sigset_t pending;

	if (getpid() != 1 || sigpending(&pending) == -1)
		return;
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(forwarded[0]); i++) {
		if (sigismember(&pending, forwarded[i]) == 1) {
			verbose("child: %s came during set-up; as a namespace's init we would drop "
				"it: exiting %d instead", sig_name(forwarded[i]), 128 + forwarded[i]);
			_exit(128 + forwarded[i]);
		}
	}
}
