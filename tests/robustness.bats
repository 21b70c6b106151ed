#!/usr/bin/env bats
# Robustness: the stages under load, under signals sent at awkward moments, under injected
# faults and fed bad input (issue 9). Whatever happens, each program ends within 2 s, exits
# with a code from the table of shared/DESIGN.md and leaves nothing behind on the host.
# Also valgrind memcheck on stages 00 and 01.
# Run: tools/run-tests.sh tests/robustness.bats      (make test runs it after the stages)
# Against the sanitizer build: LAB_BIN_ROOT=$PWD/.san tools/run-tests.sh tests/robustness.bats
#
# shellcheck disable=SC2030,SC2031
# (bats's `run` sets $status and $output for the helpers below to read; shellcheck takes
# each @test for a subshell whose changes are lost.)

load helpers

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

# For a plain bash: PROG MARKER DIR: 10 rounds of 20 runs at once, stderr in DIR/ROUND.RUN.
PARALLEL='for ((r = 1; r <= 10; r++)); do
	pids=()
	for ((j = 1; j <= 20; j++)); do
		"$1" true "$2" 2>"$3/$r.$j" &
		pids+=($!)
	done
	for pid in "${pids[@]}"; do wait "$pid" || echo "round $r, PID $pid: exit $?"; done
done'


# --- load -----------------------------------------------------------------------------------

@test "robustness: pipe-sync: 300 runs in a row exit 0, 300 distinct IDs, host unchanged" {
	requires root tool:ipcs
	local p m log=$BATS_TEST_TMPDIR/stderr before
	p=$(stage_bin 04)
	m=$(marker)
	before=$(host_state "$m")
	run bash -c "$SEQUENTIAL" _ "$p" "$m" "$log"
	log_run "300 x $p true $m"
	expect_status 0
	expect_eq "$output" "" "runs that did not exit 0"
	expect_ids "$log" 300
	expect_same_host "$before" "$m"
}

@test "robustness: pipe-sync: [rootless] 300 runs in a row exit 0, 300 distinct IDs, host unchanged" {
	requires unpriv userns tool:ipcs
	local p m dir before
	p=$(unpriv_bin "$(stage_bin 04)")
	dir=$(unpriv_dir)
	m=$(marker)
	before=$(host_state "$m")
	run as_unpriv bash -c "$SEQUENTIAL" _ "$p" "$m" "$dir/stderr"
	log_run "unprivileged: 300 x $p true $m"
	expect_status 0
	expect_eq "$output" "" "runs that did not exit 0"
	expect_ids "$dir/stderr" 300
	expect_same_host "$before" "$m"
}

@test "robustness: pipe-sync: 10 rounds of 20 in parallel exit 0, 200 distinct IDs, host unchanged" {
	requires root tool:ipcs
	local p m dir=$BATS_TEST_TMPDIR/par before
	p=$(stage_bin 04)
	m=$(marker)
	mkdir "$dir"
	before=$(host_state "$m")
	run bash -c "$PARALLEL" _ "$p" "$m" "$dir"
	log_run "10 rounds x 20 in parallel: $p true $m"
	expect_status 0
	expect_eq "$output" "" "runs that did not exit 0"
	cat "$dir"/* >"$BATS_TEST_TMPDIR/all"
	expect_ids "$BATS_TEST_TMPDIR/all" 200
	expect_same_host "$before" "$m"
}

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
for rep in 1 2; do         # each (signal, moment) twice per program
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

@test "robustness: fork-exec: INT, TERM, HUP, QUIT at random moments: ends within 2 s, nothing left" {
	signal_trials "$(stage_bin 00)"
}

@test "robustness: clone-pid: INT, TERM, HUP, QUIT at random moments: ends within 2 s, nothing left" {
	requires root
	signal_trials "$(stage_bin 02)"
}

@test "robustness: multi-ns -impnu: INT, TERM, HUP, QUIT at random moments: ends within 2 s, nothing left" {
	requires root
	signal_trials "$(stage_bin 03)" -impnu
}

@test "robustness: pipe-sync: INT, TERM, HUP, QUIT at random moments: ends within 2 s, nothing left" {
	signal_trials "$(stage_bin 04)"
}

# --- faults ---------------------------------------------------------------------------------

# fault_run WHAT CMD...: run CMD (which injects the fault) with stderr apart, logged.
fault_run() {
	local what=$1
	shift
	run --separate-stderr "$@"
	log_run "$what"
	expect_no_crash "$what"
}

@test "robustness: pipe-sync: [rootless] ulimit -u 1 makes clone fail: 125, names clone and the limit" {
	requires unpriv userns
	local p m before
	p=$(unpriv_bin "$(stage_bin 04)")
	m=$(marker)
	before=$(host_state "$m")
	# The user already has this shell: a limit of 1 leaves no room for the child. (In the
	# sanitizer build, LeakSanitizer's check at exit needs a thread, which the limit refuses
	# too: it would turn 125 into 1. ASAN_OPTIONS does nothing to other builds.)
	fault_run "unprivileged, ulimit -u 1: $p true $m" as_unpriv env ASAN_OPTIONS=detect_leaks=0 \
		bash -c 'ulimit -u 1; exec "$1" true "$2"' _ "$p" "$m"
	expect_status 125
	expect_match "$stderr" ": clone: Resource temporarily unavailable" "stderr"
	expect_contains "$stderr" "ulimit -u" "hint"
	expect_same_host "$before" "$m"
}

@test "robustness: fork-exec: [unprivileged] ulimit -u 1 makes fork fail: 125, names fork and the limit" {
	requires unpriv
	local p
	p=$(unpriv_bin "$(stage_bin 00)")
	fault_run "unprivileged, ulimit -u 1: $p true" as_unpriv env ASAN_OPTIONS=detect_leaks=0 \
		bash -c 'ulimit -u 1; exec "$1" true' _ "$p"
	expect_status 125
	expect_match "$stderr" ": fork: Resource temporarily unavailable" "stderr"
	expect_contains "$stderr" "ulimit -u" "hint"
}

# In a user namespace of its own the test may set user.max_user_namespaces: the limit is
# per namespace, so the host's stays as it was.
@test "robustness: pipe-sync: user.max_user_namespaces 0 (inside unshare -Ur): 125 and the hint names it" {
	requires root tool:unshare
	local p m host_limit before
	p=$(stage_bin 04)
	m=$(marker)
	host_limit=$(cat /proc/sys/user/max_user_namespaces)
	before=$(host_state "$m")
	fault_run "unshare -Ur, user.max_user_namespaces=0: $p true $m" unshare -Ur sh -c \
		'echo 0 >/proc/sys/user/max_user_namespaces || exit 99; exec "$0" true "$1"' "$p" "$m"
	[ "$status" != 99 ] || skip "this kernel does not let a user namespace set its own limit"
	expect_status 125
	expect_match "$stderr" ": clone: No space left on device" "stderr"
	expect_contains "$stderr" "user.max_user_namespaces" "hint"
	expect_eq "$(cat /proc/sys/user/max_user_namespaces)" "$host_limit" "the host's limit"
	expect_same_host "$before" "$m"
}

@test "robustness: pipe-sync: [rootless] user.max_user_namespaces 0 (inside unshare -Ur): 125, hint names it" {
	requires unpriv userns
	local p m
	p=$(unpriv_bin "$(stage_bin 04)")
	m=$(marker)
	fault_run "unprivileged, unshare -Ur, user.max_user_namespaces=0: $p true $m" \
		as_unpriv unshare -Ur sh -c \
		'echo 0 >/proc/sys/user/max_user_namespaces || exit 99; exec "$0" true "$1"' "$p" "$m"
	[ "$status" != 99 ] || skip "this kernel does not let a user namespace set its own limit"
	expect_status 125
	expect_match "$stderr" ": clone: No space left on device" "stderr"
	expect_contains "$stderr" "user.max_user_namespaces" "hint"
	expect_gone "$m"
}

@test "robustness: multi-ns -U: user.max_user_namespaces 0 (inside unshare -Ur): 125 and the hint names it" {
	requires tool:unshare
	unshare -U true 2>/dev/null || skip "this user may not create a user namespace here"
	local p
	p=$(stage_bin 03)
	fault_run "unshare -Ur, user.max_user_namespaces=0: $p -U true" unshare -Ur sh -c \
		'echo 0 >/proc/sys/user/max_user_namespaces || exit 99; exec "$0" -U true' "$p"
	[ "$status" != 99 ] || skip "this kernel does not let a user namespace set its own limit"
	expect_status 125
	expect_match "$stderr" ": clone: No space left on device" "stderr"
	expect_contains "$stderr" "user.max_user_namespaces" "hint"
}

# --- bad input ------------------------------------------------------------------------------

# not_found_flag WANT: bats's `run` flag for an expected 127 (else it warns "command not
# found"), or nothing.
not_found_flag() {
	[ "$1" != 127 ] || echo -127
}

# try WANT PROG ARG...: run PROG with ARGs; it must exit WANT (a status, or several as in
# 126|127) and not crash. Counts in TRIED.
TRIED=0
try() {
	local want=$1
	shift
	TRIED=$((TRIED + 1))
	# shellcheck disable=SC2046  # no flag is no word
	run $(not_found_flag "$want") --separate-stderr "$@"
	log_run "$(printf '%q ' "$@" | head -c 300)"
	expect_no_crash "$(printf '%q ' "$@" | head -c 100)" || return 1
	[[ $status =~ ^($want)$ ]] ||
		fail "$(printf '%q ' "$@" | head -c 200): expected $want, got $status"
}

BIG=$(head -c 102400 /dev/zero | tr '\0' a)          # 100 KiB
H65=$(head -c 65 /dev/zero | tr '\0' h)              # one more than HOST_NAME_MAX

# bad_commands PROG [OPTION]...: every stage gets the same odd command lines; OPTIONs
# (-impnu for stage 03) go before COMMAND.
bad_commands() {
	local p=$1
	shift
	try 127 "$p" "$@" "" || return 1                       # empty COMMAND
	try 127 "$p" "$@" -- "" || return 1
	try 0 "$p" "$@" true "" || return 1                    # an empty argument
	try 0 "$p" "$@" echo "$BIG" || return 1                # a 100 KiB argument
	expect_eq "${#output}" "102400" "stdout of echo with a 100 KiB argument"
	# A 100 KiB COMMAND: execvp fails with ENAMETOOLONG. env(1) says 126, bash and dash 127.
	try '126|127' "$p" "$@" "$BIG" || return 1
	try 127 "$p" "$@" $'\xff\xfe' || return 1              # not UTF-8
	try 0 "$p" "$@" echo $'\xff\xfe' || return 1
	expect_eq "$output" $'\xff\xfe' "stdout of echo with non-UTF-8 bytes"
	try 0 "$p" -v "$@" -v true || return 1                 # an option twice
	try 127 "$p" "$@" -- -v || return 1                    # an option as COMMAND, after --
	try 127 "$p" "$@" - || return 1
	try 0 "$p" "$@" true -v --no-such-option || return 1   # options after COMMAND are its own
	try 125 "$p" "$@" --no-such-option true || return 1
	try 0 "$p" -vh || return 1                             # -h wins, whatever comes with it
	echo "# ${p##*/}: $TRIED command lines" >&3
}

@test "robustness: fork-exec: odd command lines: never a crash, always a code from the table" {
	bad_commands "$(stage_bin 00)"
}

@test "robustness: exec-replace: odd command lines: never a crash, always a code from the table" {
	bad_commands "$(stage_bin 01)"
}

@test "robustness: clone-pid: odd command lines: never a crash, always a code from the table" {
	requires root
	bad_commands "$(stage_bin 02)"
}

@test "robustness: multi-ns: odd command lines: never a crash, always a code from the table" {
	requires root
	bad_commands "$(stage_bin 03)" -impnu
}

@test "robustness: pipe-sync: odd command lines: never a crash, always a code from the table" {
	bad_commands "$(stage_bin 04)"
}

@test "robustness: multi-ns: odd hostnames: empty, 64, 65 and 100 Ki characters, '/', not UTF-8" {
	requires root
	local p h64=${H65:1}
	p=$(stage_bin 03)
	# An empty hostname, or one with a /: the kernel takes both; a program may refuse them.
	try '0|125' "$p" -u --hostname "" hostname
	[ "$status" != 0 ] || expect_eq "$output" "" "hostname inside with --hostname ''"
	try 0 "$p" -u --hostname "$h64" hostname
	expect_eq "$output" "$h64" "hostname inside with 64 characters"
	try 125 "$p" -u --hostname "$H65" true
	try 125 "$p" -u --hostname "$BIG" true
	try '0|125' "$p" -u --hostname a/b hostname
	[ "$status" != 0 ] || expect_eq "$output" "a/b" "hostname inside with a /"
	try '0|125' "$p" -u --hostname $'\xff\xfe' hostname
	try 0 "$p" -u --hostname=lab --hostname=lab2 hostname   # the last one wins
	expect_eq "$output" "lab2" "hostname inside with --hostname twice"
	try 125 "$p" -u --hostname                              # no argument
	try 125 "$p" --hostname lab true                        # without -u
	try 0 "$p" -u --hostname -- true                        # -- is the hostname here
	echo "# multi-ns: $TRIED hostnames" >&3
}

@test "robustness: pipe-sync: odd names and hostnames: empty, 65 and 100 Ki characters, '/', not UTF-8" {
	local p h64=${H65:1}
	p=$(stage_bin 04)
	# An empty hostname, or one with a /: the kernel takes both; a program may refuse them.
	try '0|125' "$p" --hostname "" hostname
	[ "$status" != 0 ] || expect_eq "$output" "" "hostname inside with --hostname ''"
	try '0|125' "$p" --name "" hostname
	[ "$status" != 0 ] || expect_eq "$output" "" "hostname inside with --name ''"
	try 0 "$p" --name "$h64" hostname
	expect_eq "$output" "$h64" "hostname inside with a 64-character name"
	try 125 "$p" --name "$H65" true
	try 125 "$p" --hostname "$H65" true
	try 125 "$p" --name "$BIG" true
	try 125 "$p" --hostname "$BIG" true
	try '0|125' "$p" --name a/b hostname
	[ "$status" != 0 ] || expect_eq "$output" "a/b" "hostname inside with --name a/b"
	try '0|125' "$p" --hostname $'\xff\xfe' hostname
	try '0|125' "$p" --name $'\xff' --hostname "" true
	try 125 "$p" --name                                     # no argument
	try 0 "$p" --name=x --name=y --host=z true            # repeats, =, an abbreviation
	echo "# pipe-sync: $TRIED names and hostnames" >&3
}

# --- valgrind -------------------------------------------------------------------------------

# memcheck_all: the program under test in valgrind memcheck three ways (a run, a command not
# found, a usage error): each must exit as the table says, and valgrind must report nothing
# (an error would make it exit 99). The three run at once: valgrind is slow to start.
memcheck_all() {
	local d=$BATS_TEST_TMPDIR i st
	local -a want=(0 127 125) args=("-v true" "no-such-command-lab" "--no-such-option") pid=()
	for i in 0 1 2; do
		# shellcheck disable=SC2086  # each argument set is split into its words
		valgrind -q --error-exitcode=99 --leak-check=full --trace-children=no \
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

@test "robustness: fork-exec: valgrind memcheck reports no error (run, not found, usage)" {
	PROG_BIN=$(stage_bin 00)
	requires_plain_build
	memcheck_all
}

@test "robustness: exec-replace: valgrind memcheck reports no error (run, not found, usage)" {
	PROG_BIN=$(stage_bin 01)
	requires_plain_build
	memcheck_all
}
