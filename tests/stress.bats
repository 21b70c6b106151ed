#!/usr/bin/env bats
# Stress: the long runs, kept out of make test so it stays under 30 s; `make stress` runs
# them and CI runs make stress (and make san runs them against the sanitizer build). 300
# launches in a row (as root and rootless), odd command lines, names and hostnames, the
# signal trials six times over, and valgrind memcheck on every stage (04 also rootless).
# Run: make stress    (or tools/run-tests.sh tests/stress.bats)
#
# shellcheck disable=SC2030,SC2031,SC2034
# (PROG_BIN is read by robustness.bash; bats's `run` sets $status and $output for the
# helpers to read; shellcheck takes each @test for a subshell whose changes are lost.)

load helpers
load robustness

# --- load -----------------------------------------------------------------------------------

@test "stress: pipe-sync: 300 runs in a row exit 0, 300 distinct IDs, host unchanged" {
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

@test "stress: pipe-sync: [rootless] 300 runs in a row exit 0, 300 distinct IDs, host unchanged" {
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

@test "stress: fork-exec: odd command lines: never a crash, always a code from the table" {
	bad_commands "$(stage_bin 00)"
}

@test "stress: exec-replace: odd command lines: never a crash, always a code from the table" {
	bad_commands "$(stage_bin 01)"
}

@test "stress: clone-pid: odd command lines: never a crash, always a code from the table" {
	requires root
	bad_commands "$(stage_bin 02)"
}

@test "stress: multi-ns: odd command lines: never a crash, always a code from the table" {
	requires root
	bad_commands "$(stage_bin 03)" -impnu
}

@test "stress: pipe-sync: odd command lines: never a crash, always a code from the table" {
	bad_commands "$(stage_bin 04)"
}

@test "stress: multi-ns: odd hostnames: empty, 64, 65 and 100 Ki characters, '/', not UTF-8" {
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

@test "stress: pipe-sync: odd names and hostnames: empty, 65 and 100 Ki characters, '/', not UTF-8" {
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

# --- signals at awkward moments, more of them -------------------------------------------------

@test "stress: fork-exec: INT, TERM, HUP, QUIT at random moments, 6 times each: ends, nothing left" {
	SIGNAL_REPS=6 signal_trials "$(stage_bin 00)"
}

@test "stress: clone-pid: INT, TERM, HUP, QUIT at random moments, 6 times each: ends, nothing left" {
	requires root
	SIGNAL_REPS=6 signal_trials "$(stage_bin 02)"
}

@test "stress: multi-ns -impnu: INT, TERM, HUP, QUIT at random moments, 6 times each: ends, nothing left" {
	requires root
	SIGNAL_REPS=6 signal_trials "$(stage_bin 03)" -impnu
}

@test "stress: pipe-sync: INT, TERM, HUP, QUIT at random moments, 6 times each: ends, nothing left" {
	SIGNAL_REPS=6 signal_trials "$(stage_bin 04)"
}

# --- valgrind -------------------------------------------------------------------------------

@test "stress: fork-exec: valgrind memcheck reports no error (run, not found, usage)" {
	PROG_BIN=$(stage_bin 00)
	requires_plain_build
	memcheck_all
}

@test "stress: exec-replace: valgrind memcheck reports no error (run, not found, usage)" {
	PROG_BIN=$(stage_bin 01)
	requires_plain_build
	memcheck_all
}

@test "stress: clone-pid: valgrind memcheck reports no error (run, not found, usage)" {
	requires root
	PROG_BIN=$(stage_bin 02)
	requires_plain_build
	memcheck_all
}

@test "stress: multi-ns -impnu: valgrind memcheck reports no error (run, not found, usage)" {
	requires root
	PROG_BIN=$(stage_bin 03)
	requires_plain_build
	memcheck_all -impnu
}

@test "stress: pipe-sync: valgrind memcheck reports no error (run, not found, usage)" {
	PROG_BIN=$(stage_bin 04)
	requires_plain_build
	memcheck_all
}

@test "stress: pipe-sync: [rootless] valgrind memcheck reports no error (run, not found, usage)" {
	requires unpriv userns
	PROG_BIN=$(unpriv_bin "$(stage_bin 04)")
	requires_plain_build
	memcheck_all_as as_unpriv
}

# --- job control: the CPU a stopped container burns, measured -------------------------------

load safety

# stopped_ticks SPEC: in a terminal, "SPEC cat &" three times over: each time cat's read stops
# the job; the CPU ticks cat (PID 1 from stage 02 on) runs in 1 s, stopped in the background,
# then after fg, Ctrl-Z and bg. Each figure must be 0-2 (a spinning read ran 331-397 of 500).
stopped_ticks() {
	case $1 in 02* | 03*) requires root ;; esac
	local rc=0
	FIGURES=""
	pty_start
	ticks_trials "$1" || rc=$?
	pty_stop   # (this file's teardown does not know the terminal)
	echo "# $1: cat's ticks in 1 s, stopped by its read / after bg:$FIGURES" >&3
	return "$rc"
}

# ticks_trials SPEC: stopped_ticks's three trials, in the terminal of pty_start; the figures
# go to FIGURES.
ticks_trials() {
	local spec rep t1 t2
	read -r -a spec <<<"$1"
	for rep in 1 2 3; do
		keys "$(lab_bin "${spec[0]}") ${spec[*]:1} $(pty_reader) &"$'\n'
		job_pids || return 1
		expect_states T "$1 &: the runtime and cat" "$RUNTIME" "$READER" || return 1
		t1=$(ticks_over "$READER" 1) || { fail "$1: cat is gone"; return 1; }
		keys $'fg\n'
		expect_states S "$1 after fg" "$RUNTIME" "$READER" || return 1
		keys $'\032'
		expect_states T "$1 after Ctrl-Z" "$RUNTIME" "$READER" || return 1
		keys $'bg\n'
		sleep 0.1
		t2=$(ticks_over "$READER" 1) || { fail "$1: cat is gone"; return 1; }
		FIGURES+=" $t1/$t2"
		((t1 <= 2 && t2 <= 2)) ||
			{ fail "$1: cat ran while stopped: $t1 and $t2 ticks in 1 s"; return 1; }
		keys $'kill -9 %%\n'
		poll eval "[[ \$(proc_state $RUNTIME) == @(gone|Z) ]]" ||
			{ fail "$1: not ended by kill -9 %%"; return 1; }
	done
}

@test "stress: fork-exec cat & in a terminal (the reference), 3 times: stopped, 0-2 CPU ticks in 1 s, after bg too" {
	stopped_ticks 00
}

@test "stress: clone-pid cat & in a terminal, 3 times: stopped, 0-2 CPU ticks in 1 s, after bg too" {
	stopped_ticks 02
}

@test "stress: multi-ns -p cat & in a terminal, 3 times: stopped, 0-2 CPU ticks in 1 s, after bg too" {
	stopped_ticks "03 -p"
}

@test "stress: pipe-sync cat & in a terminal, 3 times: stopped, 0-2 CPU ticks in 1 s, after bg too" {
	stopped_ticks 04
}

# random_job_control SPEC N: in a terminal, N times: start "SPEC cat" (in the foreground or
# with &), then 6 random steps of Ctrl-Z, fg, bg and a typed line. After each step: if the
# runtime is stopped, so is cat, and cat burns at most 2 ticks in 0.2 s; at the end kill %%
# (SIGTERM, and SIGCONT to a stopped job, as bash sends) ends both within 2 s.
random_job_control() {
	case $1 in 02* | 03*) requires root ;; esac
	local rc=0
	pty_start
	job_control_trials "$@" || rc=$?
	pty_stop   # (this file's teardown does not know the terminal)
	return "$rc"
}

# job_control_trials SPEC N: random_job_control's trials, in the terminal of pty_start.
job_control_trials() {
	local spec trial step fg line ticks steps=0
	read -r -a spec <<<"$1"
	for ((trial = 1; trial <= $2; trial++)); do
		fg=$((RANDOM % 2))
		line="$(lab_bin "${spec[0]}") ${spec[*]:1} $(pty_reader)"
		((fg)) || line+=" &"
		keys "$line"$'\n'
		job_pids || return 1
		for ((step = 1; step <= 6; step++)); do
			steps=$((steps + 1))
			case $((RANDOM % 4)) in
			0) ((fg)) && keys $'\032' && fg=0 && sleep 0.1 ;;  # input typed at once is flushed
			1) ((fg)) || { keys $'fg\n'; fg=1; } ;;
			2) ((fg)) || keys $'bg\n' ;;
			3) keys "line $step"$'\n' ;;
			esac
			sleep 0.15
			if [ "$(proc_state "$RUNTIME")" = T ]; then
				expect_states T "trial $trial, step $step: the runtime is stopped, cat" \
					"$READER" || return 1
				ticks=$(ticks_over "$READER" 0.2) || { fail "cat is gone"; return 1; }
				((ticks <= 2)) ||
					{ fail "trial $trial, step $step: a stopped job's cat ran"; return 1; }
			fi
		done
		if ((fg)); then
			keys $'\032'
			expect_states T "trial $trial: Ctrl-Z before kill %%" "$RUNTIME" || return 1
		fi
		keys $'kill %%\n'
		poll eval "[[ \$(proc_state $RUNTIME) == @(gone|Z) && \$(proc_state $READER) == @(gone|Z) ]]" ||
			{ fail "trial $trial: not ended by kill %%: $(pty_screen)"; return 1; }
	done
	echo "# $1: $2 trials, $steps random steps" >&3
}

@test "stress: fork-exec cat in a terminal (the reference): 10 random runs of Ctrl-Z, fg, bg, typing, kill %%" {
	random_job_control 00 10
}

@test "stress: clone-pid cat in a terminal: 10 random runs of Ctrl-Z, fg, bg, typing, kill %%" {
	random_job_control 02 10
}

@test "stress: multi-ns -p cat in a terminal: 10 random runs of Ctrl-Z, fg, bg, typing, kill %%" {
	random_job_control "03 -p" 10
}

@test "stress: pipe-sync cat in a terminal: 10 random runs of Ctrl-Z, fg, bg, typing, kill %%" {
	random_job_control 04 10
}
