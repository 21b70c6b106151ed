/*
 * signals.c: the signals a runtime passes on to its child (SIGINT, SIGTERM, SIGHUP,
 * SIGQUIT): blocked before the child exists, taken one at a time by wait_child(), and
 * forwarded here, with the rules a PID namespace's init needs (pid_namespaces(7)).
 */
#include "common.h"

#include <fcntl.h>      /* open() */
#include <stdio.h>      /* snprintf() */
#include <stdlib.h>     /* strtoull() */
#include <string.h>     /* strerror(), strstr(), sigabbrev_np() */
#include <unistd.h>     /* read(), getsid(), getpid() */

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

/* Is PID the init of a new PID namespace that leaves SIG at its default action? Then
 * the kernel drops SIG from anyone but the kernel (pid_namespaces(7)): forwarding it
 * does nothing. From /proc/PID/status: NSpid's last field is 1 for a namespace's init;
 * SigIgn and SigCgt are the ignored and caught signals, bit SIG-1 each. */
static bool init_drops(pid_t pid, int sig)
{
	char path[64], status[4096];
	unsigned long long bit = 1ULL << (sig - 1);
	const char *nspid, *eol;
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd != -1) {
		n = read(fd, status, sizeof(status) - 1);
		close(fd);
	}
	if (n <= 0)
		return false;  /* gone already: nothing to do */
	status[n] = '\0';
	nspid = strstr(status, "\nNSpid:");
	if (!nspid || !(eol = strchr(nspid + 1, '\n')) || eol - nspid < 3 ||
	    strncmp(eol - 2, "\t1", 2) != 0)
		return false;  /* not PID 1 of a namespace: the signal is delivered */
	return !((status_mask(status, "\nSigIgn:\t") | status_mask(status, "\nSigCgt:\t")) & bit);
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
