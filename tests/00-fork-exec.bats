#!/usr/bin/env bats
# Stage 00, fork + exec + wait: the contract of CONTRIBUTING.md, checked from outside.
# Run: make check 0            Your own program: make check 0 BIN=./mine

load helpers

setup() {
	PROG_BIN=$(stage_bin 00)
	lab_setup
}

teardown() {
	[ -n "${UNPRIV_DIR:-}" ] && rm -rf "$UNPRIV_DIR"
	lab_teardown
}

@test "fork-exec: rubber-docker level 00: prints test, then the report line, exits 0" {
	lab --separate-stderr -- /bin/bash -c "echo test"
	expect_status 0
	expect_eq "$output" "test" "stdout"
	expect_report "$stderr" "exited with status 0"
}

@test "fork-exec: a command's exit status is passed on (exit 3 gives 3)" {
	lab --separate-stderr sh -c 'exit 3'
	expect_status 3
	expect_report "$stderr" "exited with status 3"
}

@test "fork-exec: a command killed by SIGTERM gives 143 and names the signal" {
	lab --separate-stderr sh -c 'kill -TERM $$'
	expect_status 143
	expect_report "$stderr" "killed by signal 15 \(SIGTERM\)"
}

@test "fork-exec: a missing command gives 127 and a message naming it" {
	lab -127 --separate-stderr no-such-command-lab
	expect_status 127
	expect_contains "$stderr" "exec no-such-command-lab: No such file or directory" "stderr"
}

@test "fork-exec: a directory as command gives 126" {
	lab --separate-stderr /tmp
	expect_status 126
	expect_contains "$stderr" "exec /tmp: Permission denied" "stderr"
}

@test "fork-exec: a file without execute permission gives 126" {
	local f=$BATS_TEST_TMPDIR/not-executable
	echo 'echo hi' >"$f"
	chmod 644 "$f"
	lab --separate-stderr "$f"
	expect_status 126
	expect_contains "$stderr" "exec $f: Permission denied" "stderr"
}

@test "fork-exec: [unprivileged] not found gives 127 even when a PATH directory is unreadable" {
	requires unpriv
	local bin locked
	bin=$(unpriv_bin "$PROG_BIN")
	locked=$(unpriv_dir)/locked
	mkdir -m 0 "$locked"                  # no user without privilege may search it
	run -127 --separate-stderr as_unpriv env PATH="$locked:/usr/bin:/bin" \
		timeout -k 1 "${LAB_TIMEOUT:-10}" "$bin" no-such-command-lab
	log_run "unprivileged, PATH=$locked:...: $bin no-such-command-lab"
	expect_status 127
	expect_contains "$stderr" "no-such-command-lab" "stderr"
}

@test "fork-exec: no command gives 125 and points at -h" {
	lab --separate-stderr
	expect_status 125
	expect_eq "$output" "" "stdout"
	expect_match "$stderr" "Try '.* -h'\." "stderr"
}

@test "fork-exec: an unknown option gives 125 and points at -h" {
	lab --separate-stderr -x true
	expect_status 125
	expect_match "$stderr" "Try '.* -h'\." "stderr"
}

@test "fork-exec: -h prints usage on stdout and exits 0" {
	lab --separate-stderr -h
	expect_status 0
	expect_contains "$output" "Usage:" "stdout"
	expect_eq "$stderr" "" "stderr"
}

@test "fork-exec: options after COMMAND belong to COMMAND (ls -d /)" {
	lab --separate-stderr ls -d /
	expect_status 0
	expect_eq "$output" "/" "stdout"
}

@test "fork-exec: stdout carries only the command's output (echo hi | wc -l is 1)" {
	run timeout -k 1 "${LAB_TIMEOUT:-10}" bash -c '"$1" echo hi 2>/dev/null | wc -l' _ "$PROG_BIN"
	log_run "$PROG_BIN echo hi | wc -l"
	expect_eq "$output" "1" "lines on stdout"
}

@test "fork-exec: -v PIDs agree with the report line and with \$\$ and \$PPID in the child" {
	lab --separate-stderr -v sh -c 'echo $$ $PPID'
	expect_status 0
	expect_match "$output" '^[0-9]+ [0-9]+$' "stdout of sh -c 'echo \$\$ \$PPID'"
	local child=${output% *} parent=${output#* }
	expect_contains "$stderr" "parent (PID=$parent, PPID=" "-v parent line"
	expect_contains "$stderr" "created child PID=$child" "-v parent line"
	expect_contains "$stderr" "child (PID=$child, PPID=$parent) about to exec sh" "-v child line"
	expect_eq "$(report_pid "$stderr")" "$child" "PID on the report line"
}

@test "fork-exec: SIGTERM is forwarded to the command: 143 within 2 s, nothing left" {
	local log=$BATS_TEST_TMPDIR/log m
	m=$(marker)
	"$PROG_BIN" -v sleep "$m" 2>"$log" 3>&- &
	local pid=$!
	wait_for_proc "^sleep $m" "$pid"
	kill -TERM "$pid"
	wait_exit "$pid"
	cat "$log" >&2
	expect_status 143
	wait_for_line "$log" "forwarded SIGTERM to PID [0-9]+"
	expect_report "$(cat "$log")" "killed by signal 15 \(SIGTERM\)"
	expect_gone "sleep $m"
}

@test "fork-exec: a second SIGTERM kills a command that ignores TERM: 137" {
	local log=$BATS_TEST_TMPDIR/log m
	m=$(marker)
	"$PROG_BIN" -v sh -c "trap '' TERM; exec sleep $m" 2>"$log" 3>&- &
	local pid=$!
	wait_for_proc "^sleep $m" "$pid"     # the trap is set once sh has become sleep
	kill -TERM "$pid"
	wait_for_line "$log" "forwarded SIGTERM to PID [0-9]+"
	kill -0 "$pid" || fail "the first SIGTERM should not have ended it"
	kill -TERM "$pid"
	wait_exit "$pid"
	cat "$log" >&2
	expect_status 137
	expect_report "$(cat "$log")" "killed by signal 9 \(SIGKILL\)"
	expect_gone "sleep $m"
}

@test "fork-exec: the child is reaped: no zombie and no process left afterwards" {
	local m
	m=$(marker)
	lab --separate-stderr sh -c "sleep 0.$RANDOM & exec sleep 0.05 # $m"
	expect_status 0
	run procs "$m"
	expect_eq "$output" "" "processes (zombie or not) left with the test's marker"
}

@test "fork-exec: not found gives 127 even when the first PATH directory cannot be searched" {
	lab_locked_path -127 --separate-stderr no-such-command-lab
	expect_contains "$stderr" "no-such-command-lab" "stderr"
}

@test "fork-exec: started with SIGCHLD ignored, it still waits and passes on exit 3" {
	lab_sigchld_ignored --separate-stderr sh -c 'exit 3'
	expect_status 3
	expect_report "$stderr" "exited with status 3"
}

@test "fork-exec: a failed fork gives 125 and names fork; no report line" {
	requires tool:strace
	# strace makes fork's system call (clone, in glibc) fail with EAGAIN, as ulimit -u does.
	# A program that took the -1 for a PID waits for ever; it gets SIGKILL, not SIGTERM,
	# which it would forward with kill(-1, ...): to every process it may signal.
	LOG_AS="strace -e inject=clone,clone3:error=EAGAIN $PROG_BIN true" \
		run_logged --separate-stderr timeout -s KILL 10 env ASAN_OPTIONS=detect_leaks=0 \
		strace -f -qq -o /dev/null -e trace=clone,clone3 -e inject=clone,clone3:error=EAGAIN \
		"$PROG_BIN" true
	expect_status 125
	expect_contains "$stderr" "fork: Resource temporarily unavailable" "stderr"
	if [[ $stderr =~ (exited with status|killed by signal) ]]; then
		fail "a report line, though no child was made"
	fi
}

@test "fork-exec: it waits for its own child, not one it inherited through exec" {
	# sh starts true, then execs the program: true is now the program's child too, and
	# ends first. The report is about COMMAND: exit 3, its own PID.
	# shellcheck disable=SC2016  # $0 belongs to sh
	LOG_AS="sh -c 'true & exec $PROG_BIN sh -c \"echo \\\$\\\$; sleep 0.1; exit 3\"'" \
		run_logged --separate-stderr timeout -k 1 10 \
		sh -c 'true & exec "$0" sh -c "echo \$\$; sleep 0.1; exit 3"' "$PROG_BIN"
	expect_status 3
	expect_report "$stderr" "exited with status 3"
	expect_eq "$(report_pid "$stderr")" "$output" "PID on the report line (COMMAND's \$\$)"
}
