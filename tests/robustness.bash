#!/usr/bin/env bash
# robustness.bash: what tests/robustness.bats and tests/stress.bats share: the host's state
# before and after, container IDs, crash detection, the signal trials and valgrind runs.
# Load it after helpers: `load helpers; load robustness`.
# shellcheck disable=SC2034,SC2030,SC2031  # read by the .bats files; bats's run sets status

setup() {
	ulimit -c 0                  # a command killed by SIGQUIT must not leave a core file
}

teardown() {
	[ -n "${UNPRIV_DIR:-}" ] && rm -rf "$UNPRIV_DIR"
	return 0
}

# host_state MARKER: what must be the same before and after: processes carrying MARKER,
# the mount table, IPC objects, the hostname.
host_state() {
	echo "processes with the marker: $(procs -c "$1")"
	echo "hostname: $(hostname)"
	echo "mounts:"
	cat /proc/self/mountinfo
	echo "IPC objects:"
	ipcs
}

# expect_same_host BEFORE MARKER: the host looks as it did in BEFORE (from host_state).
expect_same_host() {
	local after
	after=$(host_state "$2")
	[ "$after" = "$1" ] ||
		fail "the host changed: $(diff <(echo "$1") <(echo "$after") | tr '\n' ';')"
}

# ids FILE: the container IDs on the `PROG: container <64 hex>` lines of FILE, one a line.
ids() {
	sed -nE 's/^.*: container ([0-9a-f]{64})$/\1/p' "$1"
}

# expect_ids FILE N: FILE holds N container IDs, all different.
expect_ids() {
	local all distinct
	all=$(ids "$1" | wc -l)
	distinct=$(ids "$1" | sort -u | wc -l)
	expect_eq "$all" "$2" "container ID lines"
	expect_eq "$distinct" "$2" "distinct container IDs"
}

# expect_no_crash WHAT: the last run (WHAT) did not crash: no abort or segfault, and no
# sanitizer report (under the sanitizer build).
expect_no_crash() {
	local all=${stderr:-}${output:-}
	case $status in
	134 | 139) fail "$1: exit status $status, a crash (SIGABRT or SIGSEGV)" ;;
	esac
	[[ $all != *"ERROR: AddressSanitizer"* ]] || fail "$1: an AddressSanitizer report"
	[[ $all != *"ERROR: LeakSanitizer"* ]] || fail "$1: a LeakSanitizer report"
	[[ $all != *"runtime error:"* ]] || fail "$1: an UndefinedBehaviorSanitizer report"
}

# For a plain bash: PROG MARKER LOG: 300 runs of PROG true MARKER, stderr appended to LOG,
# a line on stdout for each run that does not exit 0. (true ignores its argument: the
# marker only makes the runs findable.)
SEQUENTIAL='for ((i = 1; i <= 300; i++)); do "$1" true "$2" 2>>"$3" || echo "run $i: exit $?"; done'

# For a plain bash: PROG MARKER FILE: 10 rounds of 20 runs at once, every run's stderr
# appended to the one FILE, as runs started by one script share one stderr.
PARALLEL='for ((r = 1; r <= 10; r++)); do
	pids=()
	for ((j = 1; j <= 20; j++)); do
		"$1" true "$2" 2>>"$3" &
		pids+=($!)
	done
	for pid in "${pids[@]}"; do wait "$pid" || echo "round $r, PID $pid: exit $?"; done
done'

# --- signals at awkward moments -------------------------------------------------------------

# signal_script: the trials, run by a plain bash (bats traces each command of a test's own
# shell, which makes a loop there a hundred times slower). Arguments: NAP_FIFO MARKER PROG
# [OPTION]... Four times, each of SIGINT, SIGTERM, SIGHUP and SIGQUIT at each moment: start
# PROG -v [OPTION]... sleep MARKER and send it the signal at that moment (start: as soon as
# PROG runs; setup: a random 0-2 ms later; running: once the command runs). If PROG has
# forwarded the signal and still runs, send it again, as a user pressing Ctrl-C twice would
# (a namespace's init ignores the first). PROG must end within 2 s of the first signal with
# 125, 137 or 128+N. Prints a FAIL line for each trial that does not, then the counts.
signal_script() {
	cat <<'SCRIPT'
set -u
fifo=$1 m=$2
shift 2
log=${fifo%/*}/trial.log
name=${1##*/}
exec {nap_fd}<>"$fifo"
nap() { read -rt 0.005 -u "$nap_fd" || :; }
declare -A num=([INT]=2 [TERM]=15 [HUP]=1 [QUIT]=3)
declare -A codes=()
trials=0 sent=0

# command_running PID: PID's child runs `sleep MARKER`.
command_running() {
	local kid="" args
	# The file ends with no newline, so read says "end of file" even when it read a PID.
	read -r kid _ <"/proc/$1/task/$1/children" 2>/dev/null
	[ -n "$kid" ] && args=$(tr '\0' ' ' <"/proc/$kid/cmdline" 2>/dev/null) &&
		[ "$args" = "sleep $m " ]
}

trial() {
	local sig=$1 moment=$2 pid i comm second=0 status=0
	trials=$((trials + 1))
	# env --default-signal: a script's background job starts with SIGINT and SIGQUIT ignored;
	# a terminal's Ctrl-C would find them at their default.
	env --default-signal "${prog[@]:0:1}" -v "${prog[@]:1}" sleep "$m" 2>"$log" 3>&- &
	pid=$!
	# Until PROG itself runs, a signal would hit the shell's fork or env: wait for its name.
	for ((i = 0; i < 100000; i++)); do
		read -r comm <"/proc/$pid/comm" 2>/dev/null || break
		[ "$comm" = "${name:0:15}" ] && break
	done
	case $moment in
	setup) for ((i = RANDOM % 800; i > 0; i--)); do :; done ;;
	running)
		for ((i = 0; i < 400; i++)); do
			command_running "$pid" && break
			kill -0 "$pid" 2>/dev/null || break
			nap
		done ;;
	esac
	kill -s "$sig" "$pid" 2>/dev/null && sent=$((sent + 1))
	for ((i = 0; i < 400; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		if ((!second && i > 1)) && grep -q "forwarded SIG$sig" "$log"; then
			kill -s "$sig" "$pid" 2>/dev/null && sent=$((sent + 1))
			second=1
		fi
		nap
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid"
		wait "$pid"
		kill -KILL $(procs "sleep $m") 2>/dev/null  # a stage 00 child outlives a SIGKILLed parent
		echo "FAIL: SIG$sig at $moment: still running 2 s later: $(tr '\n' ';' <"$log")"
		return
	fi
	wait "$pid" || status=$?
	codes[$status]=$((${codes[$status]:-0} + 1))
	case $status in
	125 | 137 | $((128 + num[$sig]))) ;;
	*) echo "FAIL: SIG$sig at $moment: exit status $status: $(tr '\n' ';' <"$log")" ;;
	esac
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$log"; then
		echo "FAIL: SIG$sig at $moment: a sanitizer report: $(tr '\n' ';' <"$log")"
	fi
}

prog=("$@")
for ((rep = 1; rep <= ${SIGNAL_REPS:-2}; rep++)); do   # each (signal, moment) REPS times
	for sig in INT TERM HUP QUIT; do
		for moment in start setup running; do
			trial "$sig" "$moment"
		done
	done
done
printf 'trials %d, signals sent %d, exit codes:' "$trials" "$sent"
for c in "${!codes[@]}"; do printf ' %s (x%d)' "$c" "${codes[$c]}"; done
echo
SCRIPT
}

# signal_trials PROG [OPTION]...: run signal_script; no FAIL line, nothing left after.
signal_trials() {
	local m
	m=$(marker)
	mkfifo "$BATS_TEST_TMPDIR/nap.$$"
	run bash -c "$(declare -f procs; signal_script)" _ "$BATS_TEST_TMPDIR/nap.$$" "$m" "$@"
	log_run "signal trials: $* sleep $m"
	expect_status 0
	[[ $output != *FAIL:* ]] || fail "$(grep FAIL: <<<"$output")"
	expect_gone "sleep $m"
	echo "# ${1##*/}: $(last_line "$output")" >&3
}

# --- valgrind -------------------------------------------------------------------------------

# memcheck_all [OPTION]...: the program under test in valgrind memcheck three ways (a run, a command not
# found, a usage error): each must exit as the table says, and valgrind must report nothing
# (an error would make it exit 99). The three run at once: valgrind is slow to start.
memcheck_all() {
	memcheck_all_as "" "$@"
}

# memcheck_all_as WRAPPER [OPTION]...: the same, each valgrind run started by WRAPPER
# (as_unpriv, for a rootless run), or directly when WRAPPER is "".
memcheck_all_as() {
	local wrap=$1
	shift
	local d=$BATS_TEST_TMPDIR i st opts="$*"
	local -a want=(0 127 125) args=("-v $opts true" "$opts no-such-command-lab" "--no-such-option") pid=()
	for i in 0 1 2; do
		# shellcheck disable=SC2086  # each argument set (and wrap) is split into its words
		$wrap valgrind -q --error-exitcode=99 --leak-check=full --trace-children=no \
			"$PROG_BIN" ${args[i]} >"$d/out$i" 2>"$d/err$i" 3>&- &
		pid[i]=$!
	done
	for i in 0 1 2; do
		st=0
		wait "${pid[i]}" || st=$?
		echo "# valgrind $PROG_BIN ${args[i]}  (exit status $st): $(cat "$d/err$i")" >&2
		[ "$st" -eq "${want[i]}" ] || fail "valgrind $PROG_BIN ${args[i]}: expected ${want[i]}, got $st"
		! grep -q '==[0-9]*==' "$d/err$i" || fail "valgrind reported: $(cat "$d/err$i")"
	done
}

# requires_plain_build: valgrind cannot run an AddressSanitizer build.
requires_plain_build() {
	requires tool:valgrind
	if grep -q __asan_init "$PROG_BIN" 2>/dev/null; then
		skip "an AddressSanitizer build: valgrind cannot run it"
	fi
}
