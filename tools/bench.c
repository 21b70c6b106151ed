/*
 * bench.c: the timer behind `make bench`. It launches /bin/true through each stage's
 * program, through that stage's floor (the least C program that does the same isolation:
 * tools/floor*.c) and through util-linux unshare(1) doing the same isolation, many times,
 * and prints how long a launch takes (median and 95th percentile) as markdown tables.
 * Every configuration of those tables runs twice, under the environment's locale and
 * under LC_ALL=C (unshare calls setlocale(3); the stages and the floors do not).
 *
 * Method: WARMUP untimed runs per configuration first (page cache, dynamic loader), then
 * ROUNDS rounds; in each round every configuration runs RUNS times in a row, starting with
 * a different configuration each round, so a slow drift of the machine (another job,
 * frequency scaling) spreads over all of them. A launch is timed with CLOCK_MONOTONIC from
 * just before posix_spawn(3) to just after waitpid(2) returns. A configuration's figure
 * is the median of its per-round medians; p95 is taken over all its timed runs. Two
 * configurations are compared round by round: a ratio is the median of the per-round
 * ratios, what a namespace adds the median of the per-round differences, each with the
 * middle half (25th to 75th percentile) of the rounds beside it, which shows how far rounds
 * disagree. The launched programs' stdout and stderr go to /dev/null.
 *
 * Usage: bench [-r ROUNDS] [-n RUNS] [-w WARMUP] [-C BINROOT] [-F FLOOR] ['COMMAND ARG...']...
 *   BINROOT holds the stage directories (default "."); FLOOR is tools/floor.c built,
 *   with floor-02.c .. floor-04.c built beside it as FLOOR-02 .. FLOOR-04.
 * Exit status: 0 when every configuration ran (targets missed are reported, not fatal);
 * 1 when a launch failed; 2 on a usage error.
 */
#include <errno.h>        /* errno */
#include <fcntl.h>        /* open() */
#include <limits.h>       /* PATH_MAX */
#include <spawn.h>        /* posix_spawn() */
#include <stdbool.h>      /* bool */
#include <stdio.h>        /* printf() */
#include <stdlib.h>       /* malloc(), qsort(), strtol() */
#include <string.h>       /* strcmp(), strerror() */
#include <sys/resource.h> /* struct rusage */
#include <sys/utsname.h>  /* uname() */
#include <sys/wait.h>     /* waitpid() */
#include <time.h>         /* clock_gettime() */
#include <unistd.h>       /* access(), geteuid(), getopt() */

extern char **environ;

#define MAX_ARGS 16
#define FLOOR "@floor"    /* argv[0] placeholders, resolved at start-up */
#define LAB   "@lab/"     /* "@lab/00-fork-exec/fork-exec": under BINROOT */

/* One way of launching /bin/true. */
struct config {
	const char *label;            /* as shown in the tables */
	const char *argv[MAX_ARGS];   /* argv[0] may start with a placeholder */
	bool needs_root;
	char **env;                   /* its environment; NULL: ours */
	/* filled in at run time */
	char path[PATH_MAX];          /* argv[0] resolved */
	const char *skip;             /* why it is not measured, or NULL */
	double *ms;                   /* all timed runs, round by round */
	double *round_median;         /* one per round */
	double median, p95;           /* median of round medians; p95 of all runs */
	int failed;                   /* timed runs that did not exit 0 */
	double cpu_ms;                /* user + system CPU time of all timed runs */
};

/* The lab's configurations, by name. */
enum {
	FLOOR_TRUE, STAGE00, PLAIN_TRUE, STAGE01, FLOOR02, STAGE02, UNSHARE02, FLOOR03, STAGE03,
	UNSHARE03, FLOOR04, STAGE04, UNSHARE04, NS_NONE, NS_IPC, NS_MNT, NS_NET, NS_PID, NS_UTS,
	NS_USER, NBUILTIN
};
#define BOTH_LOCALES NS_NONE     /* configurations before this one run in both locales */

/* [NAME] = CONF(needs root, label, argv...) */
#define CONF(root, text, ...) { .label = text, .argv = { __VA_ARGS__ }, .needs_root = root }
#define MULTI_NS LAB "03-multi-ns/multi-ns"
static struct config builtin[2 * NBUILTIN] = {
	[FLOOR_TRUE] = CONF(false, "floor /bin/true", FLOOR, "/bin/true"),
	[STAGE00]    = CONF(false, "fork-exec /bin/true", LAB "00-fork-exec/fork-exec",
			    "/bin/true"),
	[PLAIN_TRUE] = CONF(false, "/bin/true (no launcher)", "/bin/true"),
	[STAGE01]    = CONF(false, "exec-replace /bin/true", LAB "01-exec-replace/exec-replace",
			    "/bin/true"),
	[FLOOR02]    = CONF(true, "floor-02 /bin/true", FLOOR "-02", "/bin/true"),
	[STAGE02]    = CONF(true, "clone-pid /bin/true", LAB "02-clone-pid/clone-pid", "/bin/true"),
	[UNSHARE02]  = CONF(true, "unshare -pf /bin/true", "unshare", "-pf", "/bin/true"),
	[FLOOR03]    = CONF(true, "floor-03 /bin/true", FLOOR "-03", "/bin/true"),
	[STAGE03]    = CONF(true, "multi-ns -impnu /bin/true", MULTI_NS, "-impnu", "/bin/true"),
	[UNSHARE03]  = CONF(true, "unshare -impnuf --mount-proc /bin/true",
			    "unshare", "-impnuf", "--mount-proc", "/bin/true"),
	[FLOOR04]    = CONF(false, "floor-04 /bin/true", FLOOR "-04", "/bin/true"),
	[STAGE04]    = CONF(false, "pipe-sync /bin/true", LAB "04-pipe-sync/pipe-sync",
			    "/bin/true"),
	[UNSHARE04]  = CONF(false, "unshare -Urmpfinu --mount-proc /bin/true",
			    "unshare", "-Urmpfinu", "--mount-proc", "/bin/true"),
	[NS_NONE]    = CONF(false, "multi-ns /bin/true", MULTI_NS, "/bin/true"),
	[NS_IPC]     = CONF(true, "multi-ns -i /bin/true", MULTI_NS, "-i", "/bin/true"),
	[NS_MNT]     = CONF(true, "multi-ns -m /bin/true", MULTI_NS, "-m", "/bin/true"),
	[NS_NET]     = CONF(true, "multi-ns -n /bin/true", MULTI_NS, "-n", "/bin/true"),
	[NS_PID]     = CONF(true, "multi-ns -p /bin/true", MULTI_NS, "-p", "/bin/true"),
	[NS_UTS]     = CONF(true, "multi-ns -u /bin/true", MULTI_NS, "-u", "/bin/true"),
	[NS_USER]    = CONF(false, "multi-ns -U /bin/true", MULTI_NS, "-U", "/bin/true"),
	/* [NBUILTIN + k]: configuration k again under LC_ALL=C, for k < BOTH_LOCALES */
};
/* What is measured: builtin[], or the commands given on the command line. */
static struct config *configs = builtin;
static int nconfigs = NBUILTIN + BOTH_LOCALES;

/* A stage's program beside the least program that does the same (its floor) and beside
 * util-linux unshare doing the same isolation. */
struct pair {
	const char *stage;
	int lab, floor, ref;          /* indexes in configs[]; ref -1: none */
	double target;                /* the ratio to its floor to stay at or below; 0: none */
};

#define FLOOR_TARGET 1.05
static const struct pair pairs[] = {
	{ "00", STAGE00, FLOOR_TRUE, -1, FLOOR_TARGET },
	{ "01", STAGE01, PLAIN_TRUE, -1, 0 },
	{ "02", STAGE02, FLOOR02, UNSHARE02, FLOOR_TARGET },
	{ "03", STAGE03, FLOOR03, UNSHARE03, FLOOR_TARGET },
	{ "04", STAGE04, FLOOR04, UNSHARE04, FLOOR_TARGET },
};

/* The kernel's own work: each floor against the plain fork+exec floor. */
static const struct { const char *what; int config; } kernel_rows[] = {
	{ "a new PID namespace", FLOOR02 },
	{ "new IPC, mount, net, PID, UTS namespaces; / private, a new /proc", FLOOR03 },
	{ "all six (user too), three ID-map writes, the go byte, a hostname, the mounts",
	  FLOOR04 },
};

/* The per-namespace table: each letter alone against none, then all of stage 03. */
static const struct { const char *name; int config; } ns_rows[] = {
	{ "ipc", NS_IPC }, { "mnt", NS_MNT }, { "net", NS_NET }, { "pid", NS_PID },
	{ "uts", NS_UTS }, { "user", NS_USER }, { "ipc+mnt+net+pid+uts, with /proc", STAGE03 },
};

static int rounds = 40, runs = 10, warmup = 20;
static int devnull = -1;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The q-quantile (0..1) of n values, nearest rank, in a sorted copy. */
static double quantile(const double *v, int n, double q)
{
	double *s = calloc((size_t)n, sizeof(*s));
	double r;
	int k;

	if (s == NULL)
		return 0;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	k = (int)(q * n + 0.999999) - 1;     /* ceil(q * n) - 1 */
	if (k < 0)
		k = 0;
	if (q == 0.5 && n % 2 == 0)         /* the usual median of an even count */
		r = (s[n / 2 - 1] + s[n / 2]) / 2;
	else
		r = s[k];
	free(s);
	return r;
}

/* Find NAME on PATH as the shell would; false if it is nowhere. */
static bool find_on_path(const char *name, char *out, size_t size)
{
	const char *path = getenv("PATH");

	if (strchr(name, '/'))
		return snprintf(out, size, "%s", name) < (int)size && access(out, X_OK) == 0;
	if (path == NULL)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t len = strcspn(path, ":");

		if (snprintf(out, size, "%.*s/%s", (int)len, path, name) < (int)size &&
		    access(out, X_OK) == 0)
			return true;
		path += len + (path[len] == ':');
	}
	return false;
}

/* Launch c once; its wall time in ms, or -1 with *status set when it did not exit 0.
 * Adds the CPU time it used (its own and its waited-for children's) to *cpu_ms. */
static double launch(struct config *c, int *status, double *cpu_ms)
{
	posix_spawn_file_actions_t fa;
	struct timespec t0, t1;
	struct rusage ru;
	pid_t pid;
	int err;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, devnull, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, devnull, STDERR_FILENO);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = posix_spawn(&pid, c->path, &fa, NULL, (char *const *)c->argv,
			  c->env ? c->env : environ);
	posix_spawn_file_actions_destroy(&fa);
	if (err) {
		*status = -err;
		return -1;
	}
	while (wait4(pid, status, 0, &ru) == -1)
		if (errno != EINTR) {
			*status = -errno;
			return -1;
		}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	*cpu_ms += (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
		   (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	if (*status != 0)
		return -1;
	return (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
}

/* Describe a status from launch() in a few words. */
static const char *status_text(int status)
{
	static char buf[64];

	if (status < 0)
		snprintf(buf, sizeof(buf), "could not start: %s", strerror(-status));
	else if (WIFSIGNALED(status))
		snprintf(buf, sizeof(buf), "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, sizeof(buf), "exit status %d", WEXITSTATUS(status));
	return buf;
}

/* Resolve argv[0], decide whether c can run here, and warm it up. */
static void prepare(struct config *c, const char *binroot, const char *floor_path)
{
	static char reason[PATH_MAX + 64];
	const char *a0 = c->argv[0];
	double unused = 0;
	bool found;
	int status = 0;

	if (strncmp(a0, FLOOR, strlen(FLOOR)) == 0) {  /* "@floor-02": FLOOR with "-02" */
		snprintf(c->path, sizeof(c->path), "%s%s", floor_path, a0 + strlen(FLOOR));
		found = access(c->path, X_OK) == 0;
	} else if (strncmp(a0, LAB, strlen(LAB)) == 0) {
		snprintf(c->path, sizeof(c->path), "%s/%s", binroot, a0 + strlen(LAB));
		found = access(c->path, X_OK) == 0;
	} else
		found = find_on_path(a0, c->path, sizeof(c->path));
	c->argv[0] = c->path;
	if (c->needs_root && geteuid() != 0) {
		c->skip = "needs root";
		return;
	}
	if (!found) {
		snprintf(reason, sizeof(reason), "%s not found", c->path[0] ? c->path : a0);
		c->skip = strdup(reason);
		return;
	}
	for (int i = 0; i < warmup || i < 1; i++)
		if (launch(c, &status, &unused) < 0) {
			snprintf(reason, sizeof(reason), "%s", status_text(status));
			c->skip = strdup(reason);
			return;
		}
	c->ms = calloc((size_t)rounds * runs, sizeof(double));
	c->round_median = calloc(rounds, sizeof(double));
	if (c->ms == NULL || c->round_median == NULL) {
		perror("bench: calloc");
		exit(1);
	}
}

/* Commands given on the command line: each a string of words separated by spaces. */
static void custom_configs(int n, char *cmds[])
{
	configs = calloc(n, sizeof(*configs));
	if (configs == NULL) {
		perror("bench: calloc");
		exit(1);
	}
	nconfigs = n;
	for (int k = 0; k < n; k++) {
		int a = 0;

		configs[k].label = strdup(cmds[k]);
		for (char *w = strtok(cmds[k], " "); w && a < MAX_ARGS - 1; w = strtok(NULL, " "))
			configs[k].argv[a++] = w;
		if (a == 0) {
			fprintf(stderr, "bench: an empty command\n");
			exit(2);
		}
	}
}

/* Run the timed rounds; each round starts one configuration further on. */
static void measure(void)
{
	for (int r = 0; r < rounds; r++) {
		for (int k = 0; k < nconfigs; k++) {
			struct config *c = &configs[(r + k) % nconfigs];
			double *ms = c->ms + (size_t)r * runs;
			int status;

			if (c->skip)
				continue;
			for (int i = 0; i < runs; i++) {
				ms[i] = launch(c, &status, &c->cpu_ms);
				if (ms[i] < 0) {
					c->failed++;
					ms[i] = 0;
				}
			}
			c->round_median[r] = quantile(ms, runs, 0.5);
		}
		if (isatty(STDERR_FILENO))
			fprintf(stderr, "\rbench: round %d of %d", r + 1, rounds);
	}
	if (isatty(STDERR_FILENO))
		fputc('\n', stderr);
	for (int k = 0; k < nconfigs; k++) {
		struct config *c = &configs[k];

		if (c->skip)
			continue;
		c->median = quantile(c->round_median, rounds, 0.5);
		c->p95 = quantile(c->ms, rounds * runs, 0.95);
	}
}

/* A configuration's median as "0.612", or why it was skipped. */
static const char *median_text(const struct config *c, char *buf, size_t size)
{
	if (c->skip)
		snprintf(buf, size, "skipped: %s", c->skip);
	else
		snprintf(buf, size, "%.3f", c->median);
	return buf;
}

/* A configuration's p95 as "0.612", or "-" if it was skipped. */
static const char *p95_text(const struct config *c, char *buf, size_t size)
{
	if (c->skip)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.3f", c->p95);
	return buf;
}

/* Round by round, a's median against b's (a/b, or a-b if diff): their 25th, 50th and
 * 75th percentiles in q[0..2]. Pairing by round cancels what drifts between rounds. */
static void per_round(const struct config *a, const struct config *b, bool diff, double q[3])
{
	double *v = calloc((size_t)rounds, sizeof(*v));

	q[0] = q[1] = q[2] = 0;
	if (v == NULL)
		return;
	for (int i = 0; i < rounds; i++)
		v[i] = diff ? a->round_median[i] - b->round_median[i]
			    : a->round_median[i] / b->round_median[i];
	q[0] = quantile(v, rounds, 0.25);
	q[1] = quantile(v, rounds, 0.5);
	q[2] = quantile(v, rounds, 0.75);
	free(v);
}

/* "1.034x (1.01-1.06)": round by round, a's median over b's: the median of those ratios
 * and their middle half. Pairing by round cancels what drifts between rounds (other jobs on
 * the machine), so this is steadier than the ratio of the two overall medians. */
static const char *ratio_text(const struct config *a, const struct config *b, char *buf,
			      size_t size)
{
	double pr[3];

	if (a->skip || b->skip)
		return "-";
	per_round(a, b, false, pr);
	snprintf(buf, size, "%.3fx (%.2f-%.2f)", pr[1], pr[0], pr[2]);
	return buf;
}

/* Each stage against its floor and against unshare, from configs[off] on (0: the
 * environment's locale; NBUILTIN: LC_ALL=C). Adds the targets missed to *missed. */
static void print_pairs(int off, int *missed)
{
	char a[PATH_MAX], b[PATH_MAX], x[PATH_MAX], y[PATH_MAX], r1[48], r2[48];

	printf("| stage | command | median ms | p95 ms | floor | median ms | against the floor "
	       "| target | unshare, median ms | against unshare |\n");
	printf("| --- | --- | ---: | ---: | --- | ---: | ---: | --- | ---: | ---: |\n");
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		const struct pair *p = &pairs[i];
		const struct config *l = &configs[off + p->lab], *f = &configs[off + p->floor];
		const struct config *u = p->ref >= 0 ? &configs[off + p->ref] : NULL;
		char target[48] = "-";

		if (p->target > 0 && !l->skip && !f->skip) {
			double pr[3];
			bool met;

			per_round(l, f, false, pr);
			met = pr[1] <= p->target;

			snprintf(target, sizeof(target), "<= %.2fx: %s", p->target,
				 met ? "met" : "MISSED");
			*missed += !met;
		} else if (p->target > 0)
			snprintf(target, sizeof(target), "<= %.2fx: not measured", p->target);
		printf("| %s | `%s` | %s | %s | `%s` | %s | %s | %s | %s | %s |\n", p->stage,
		       l->label, median_text(l, a, sizeof(a)), p95_text(l, b, sizeof(b)),
		       f->label, median_text(f, x, sizeof(x)), ratio_text(l, f, r1, sizeof(r1)),
		       target, u ? median_text(u, y, sizeof(y)) : "-",
		       u ? ratio_text(l, u, r2, sizeof(r2)) : "-");
	}
}

/* CPU time per launch, each stage against its floor (environment's locale): less moved by
 * other jobs on the machine than wall time, which includes waiting for a CPU. */
static void print_cpu(void)
{
	printf("| stage | command | CPU ms per launch | floor | CPU ms per launch | added, ms "
	       "| ratio |\n");
	printf("| --- | --- | ---: | --- | ---: | ---: | ---: |\n");
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		const struct config *l = &configs[pairs[i].lab], *f = &configs[pairs[i].floor];
		double a, b;

		if (l->skip || f->skip)
			continue;
		a = l->cpu_ms / (rounds * runs);
		b = f->cpu_ms / (rounds * runs);
		printf("| %s | `%s` | %.3f | `%s` | %.3f | %+.3f | %.3fx |\n", pairs[i].stage,
		       l->label, a, f->label, b, a - b, a / b);
	}
}

/* What the kernel's isolation itself costs: each stage's floor against fork+exec's. */

/* "+0.123 (+0.100 to +0.150)": what C adds to BASE per launch, median (and middle half) of
 * the per-round differences; "-" when either was skipped. */
static void added_text(const struct config *c, const struct config *base, char *buf,
		       size_t size)
{
	double pr[3];

	if (c->skip || base->skip) {
		snprintf(buf, size, "-");
		return;
	}
	per_round(c, base, true, pr);
	snprintf(buf, size, "%+.3f (%+.3f to %+.3f)", pr[1], pr[0], pr[2]);
}
static void print_kernel(void)
{
	const struct config *base = &configs[FLOOR_TRUE];
	char a[PATH_MAX], r[48];

	printf("| floor | what it adds to fork+exec | median ms | added, ms | ratio |\n");
	printf("| --- | --- | ---: | ---: | ---: |\n");
	printf("| `%s` | (fork, exec, wait) | %s | - | - |\n", base->label,
	       median_text(base, a, sizeof(a)));
	for (size_t i = 0; i < sizeof(kernel_rows) / sizeof(kernel_rows[0]); i++) {
		const struct config *c = &configs[kernel_rows[i].config];
		char added[48];

		added_text(c, base, added, sizeof(added));
		printf("| `%s` | %s | %s | %s | %s |\n", c->label, kernel_rows[i].what,
		       median_text(c, a, sizeof(a)), added, ratio_text(c, base, r, sizeof(r)));
	}
}

static void print_namespaces(void)
{
	const struct config *base = &configs[NS_NONE];
	char a[PATH_MAX], b[PATH_MAX];

	printf("| namespace | command | median ms | p95 ms | added to a launch, ms |\n");
	printf("| --- | --- | ---: | ---: | ---: |\n");
	printf("| (none) | `%s` | %s | %s | - |\n", base->label,
	       median_text(base, a, sizeof(a)), p95_text(base, b, sizeof(b)));
	for (size_t i = 0; i < sizeof(ns_rows) / sizeof(ns_rows[0]); i++) {
		const struct config *c = &configs[ns_rows[i].config];
		char added[48];

		added_text(c, base, added, sizeof(added));
		printf("| %s | `%s` | %s | %s | %s |\n", ns_rows[i].name, c->label,
		       median_text(c, a, sizeof(a)), p95_text(c, b, sizeof(b)),
		       added);
	}
}

/* For commands given on the command line: one table, each against the first. */
static void print_custom(void)
{
	char a[PATH_MAX], b[PATH_MAX];

	printf("| command | median ms | p95 ms | against the first |\n");
	printf("| --- | ---: | ---: | ---: |\n");
	for (int k = 0; k < nconfigs; k++) {
		const struct config *c = &configs[k];
		char ratio[48] = "-";

		if (!c->skip && !configs[0].skip)
			ratio_text(c, &configs[0], ratio, sizeof(ratio));
		printf("| `%s` | %s | %s | %s |\n", c->label, median_text(c, a, sizeof(a)),
		       p95_text(c, b, sizeof(b)), ratio);
	}
}

/* The locale the launched programs see (unshare loads it with setlocale(3); the stages
 * do not call setlocale, so it costs them nothing). */
static const char *locale_name(void)
{
	static const char *vars[] = { "LC_ALL", "LANG" };
	static char buf[128];

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);

		if (v && *v) {
			snprintf(buf, sizeof(buf), "%s=%s", vars[i], v);
			return buf;
		}
	}
	return "C (neither LC_ALL nor LANG set)";
}

/* Make configs[NBUILTIN + k], for k < BOTH_LOCALES, configuration k under LC_ALL=C: our
 * environment without its LC_ALL, then LC_ALL=C. */
static void add_c_locale_twins(void)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 2, sizeof(*env));
	if (env == NULL) {
		perror("bench: calloc");
		exit(1);
	}
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "LC_ALL=", 7) != 0)
			env[k++] = environ[i];
	env[k] = "LC_ALL=C";
	for (int i = 0; i < BOTH_LOCALES; i++) {
		builtin[NBUILTIN + i] = builtin[i];
		builtin[NBUILTIN + i].env = env;
	}
}

static int positive(const char *s, char opt)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 1 || v > 100000) {
		fprintf(stderr, "bench: -%c: '%s' is not a count from 1 to 100000\n", opt, s);
		exit(2);
	}
	return (int)v;
}

int main(int argc, char *argv[])
{
	const char *binroot = ".", *floor_path = ".bench/floor";
	struct timespec t0, t1;
	struct utsname u;
	int opt, missed = 0, failed = 0;

	while ((opt = getopt(argc, argv, "r:n:w:C:F:h")) != -1) {
		switch (opt) {
		case 'r': rounds = positive(optarg, 'r'); break;
		case 'n': runs = positive(optarg, 'n'); break;
		case 'w': warmup = positive(optarg, 'w'); break;
		case 'C': binroot = optarg; break;
		case 'F': floor_path = optarg; break;
		case 'h':
			printf("Usage: bench [-r ROUNDS] [-n RUNS] [-w WARMUP] [-C BINROOT] "
			       "[-F FLOOR] ['COMMAND ARG...']...\n"
			       "FLOOR: the path of tools/floor.c built; floor-02 .. floor-04\n"
			       "are looked for beside it, as FLOOR-02 .. FLOOR-04.\n"
			       "With no COMMAND: the lab's table. With COMMANDs (each one\n"
			       "string): those, each against the first.\n");
			return 0;
		default:
			return 2;
		}
	}
	if (optind < argc)
		custom_configs(argc - optind, &argv[optind]);
	else
		add_c_locale_twins();
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (devnull == -1) {
		perror("bench: open /dev/null");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int k = 0; k < nconfigs; k++)
		prepare(&configs[k], binroot, floor_path);
	measure();
	clock_gettime(CLOCK_MONOTONIC, &t1);

	uname(&u);
	printf("Launching /bin/true: Linux %s, %ld CPUs, %s, locale %s; %d rounds x %d runs "
	       "per configuration after %d warm-up runs (%.0f s).\n"
	       "median: the median of the per-round medians; p95: over all %d runs. A ratio "
	       "(\"against\") is the median of the\nper-round ratios, and in brackets their middle "
	       "half; \"added\" likewise, of the per-round differences.\n\n",
	       u.release, sysconf(_SC_NPROCESSORS_ONLN), geteuid() ? "not root" : "as root",
	       locale_name(), rounds, runs, warmup, (double)(t1.tv_sec - t0.tv_sec),
	       rounds * runs);
	if (configs != builtin) {
		print_custom();
	} else {
		printf("Each stage against its floor (the least C program doing the same) and "
		       "against util-linux unshare, locale %s:\n\n", locale_name());
		print_pairs(0, &missed);
		printf("\nThe same, every program run with LC_ALL=C:\n\n");
		print_pairs(NBUILTIN, &missed);
		printf("\nCPU time (user + system, the launcher and its command; the mean of all "
		       "timed runs), locale %s:\n\n", locale_name());
		print_cpu();
		printf("\nThe kernel's own work: each floor against the fork+exec floor:\n\n");
		print_kernel();
		printf("\nWhat each namespace alone adds to a launch (multi-ns, stage 03):\n\n");
		print_namespaces();
	}
	for (int k = 0; k < nconfigs; k++)
		if (configs[k].failed) {
			fprintf(stderr, "bench: %s: %d timed runs did not exit 0\n",
				configs[k].label, configs[k].failed);
			failed = 1;
		}
	if (geteuid() != 0)
		printf("\nNot root: the rows that need root were skipped (sudo make bench).\n");
	if (missed)
		printf("\n%d target(s) missed.\n", missed);
	return failed;
}
