#!/usr/bin/env bats
# Stage 02, clone(CLONE_NEWPID): the contract of CONTRIBUTING.md, checked from outside.
# Run: make check 2            Your own program: make check 2 BIN=./mine
#
# Inside the new PID namespace /proc is still the host's, so /proc/self in the child names
# the child's host PID; the child's namespace links (/proc/self/ns/pid) are its own.

load helpers

setup() {
	PROG_BIN=$(stage_bin 02)
	MARK=$(marker)
	lab_setup
}

teardown() {
	kill_marked "sleep $MARK"          # only if a check failed: its own processes
	[ -n "${UNPRIV_DIR:-}" ] && rm -rf "$UNPRIV_DIR"
	lab_teardown
}

@test "clone-pid: sh -c 'echo \$\$' prints 1, then the report line, exits 0" {
	requires root
	lab --separate-stderr sh -c 'echo $$'
	expect_status 0
	expect_eq "$output" "1" "stdout (\$\$ inside)"
	expect_report "$stderr" "exited with status 0"
}

@test "clone-pid: \$PPID inside is 0 (the parent is outside the namespace)" {
	requires root
	lab --separate-stderr sh -c 'echo $PPID'
	expect_status 0
	expect_eq "$output" "0" "stdout (\$PPID inside)"
}

@test "clone-pid: NSpid has two numbers: the report line's PID, then 1" {
	requires root
	lab --separate-stderr sh -c 'exec grep NSpid /proc/self/status'
	expect_status 0
	expect_match "$output" $'^NSpid:\t[0-9]+\t1$' "NSpid line of the child"
	local host_pid
	host_pid=$(printf '%s\n' "$output" | cut -f2)
	expect_eq "$(report_pid "$stderr")" "$host_pid" "PID on the report line"
}

@test "clone-pid: -v names the child's host PID, the one on the report line" {
	requires root
	lab --separate-stderr -v true
	expect_status 0
	local pid
	pid=$(report_pid "$stderr")
	[ -n "$pid" ] || fail "no report line in: $stderr"
	expect_contains "$stderr" "child is PID $pid on the host and PID 1 inside" "-v line"
}

@test "clone-pid: the child's PID namespace is not the host's" {
	requires root
	local host
	host=$(readlink /proc/self/ns/pid)
	lab --separate-stderr readlink /proc/self/ns/pid
	expect_status 0
	expect_match "$output" '^pid:\[[0-9]+\]$' "the child's /proc/self/ns/pid"
	[ "$output" != "$host" ] || fail "the child is in the host's PID namespace ($host)"
}

@test "clone-pid: three generations: fork-exec as PID 1 creates child PID 2" {
	requires root
	lab --separate-stderr "$(lab_bin 00)" -v echo hello world
	expect_status 0
	expect_eq "$output" "hello world" "stdout"
	expect_contains "$stderr" "parent (PID=1, PPID=0) created child PID=2" "fork-exec -v"
	expect_contains "$stderr" "2 exited with status 0" "fork-exec's report line"
	expect_report "$stderr" "exited with status 0"
}

@test "clone-pid: when PID 1 exits, the sleep it left in the background is gone too" {
	requires root
	lab --separate-stderr sh -c "sleep $MARK >/dev/null 2>&1 & echo \$!"
	expect_status 0
	expect_eq "$output" "2" "PID of the background sleep inside"
	expect_gone "sleep $MARK"
}

@test "clone-pid: a PID 1 that traps TERM gets the forwarded SIGTERM: its exit code 42" {
	requires root
	local log=$BATS_TEST_TMPDIR/log
	"$PROG_BIN" -v sh -c "trap 'exit 42' TERM; sleep $MARK & wait" 2>"$log" 3>&- &
	local pid=$!
	wait_for_proc "^sleep $MARK" "$pid"    # the sleep runs: the trap is set
	kill -TERM "$pid"
	wait_exit "$pid"
	cat "$log" >&2
	expect_status 42
	expect_contains "$(cat "$log")" "forwarded SIGTERM to PID" "-v log"
	expect_report "$(cat "$log")" "exited with status 42"
	expect_gone "sleep $MARK"
}

@test "clone-pid: sleep as PID 1 would drop SIGTERM: the runtime follows it with SIGKILL: 137" {
	requires root
	local log=$BATS_TEST_TMPDIR/log
	"$PROG_BIN" -v sleep "$MARK" 2>"$log" 3>&- &
	local pid=$!
	wait_for_proc "^sleep $MARK" "$pid"
	kill -TERM "$pid"                      # one SIGTERM, as timeout or a supervisor sends
	wait_exit "$pid"
	cat "$log" >&2
	expect_status 137
	expect_match "$(cat "$log")" "forwarded SIGTERM to PID [0-9]+" "-v log"
	expect_match "$(cat "$log")" "init with no handler for SIGTERM.*sent SIGKILL" "-v log"
	expect_report "$(cat "$log")" "killed by signal 9 \(SIGKILL\)"
	expect_gone "sleep $MARK"
}

@test "clone-pid: a PID 1 that ignores SIGTERM survives the first; the second ends it: 137" {
	requires root
	local log=$BATS_TEST_TMPDIR/log
	# SIG_IGN survives exec: sleep runs as PID 1 with SIGTERM ignored, as it chose.
	"$PROG_BIN" -v sh -c "trap '' TERM; exec sleep $MARK" 2>"$log" 3>&- &
	local pid=$!
	wait_for_proc "^sleep $MARK" "$pid"
	kill -TERM "$pid"
	wait_for_line "$log" "forwarded SIGTERM to PID [0-9]+"
	! no_proc "^sleep $MARK" || fail "an ignored SIGTERM should not have ended sleep"
	kill -TERM "$pid"
	wait_exit "$pid"
	cat "$log" >&2
	expect_status 137
	expect_report "$(cat "$log")" "killed by signal 9 \(SIGKILL\)"
	expect_gone "sleep $MARK"
}

@test "clone-pid: the runtime killed with SIGKILL leaves no PID 1 behind (PDEATHSIG)" {
	requires root
	"$PROG_BIN" sleep "$MARK" 2>/dev/null 3>&- &
	local pid=$!
	wait_for_proc "^sleep $MARK" "$pid"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || true
	expect_gone "sleep $MARK"
}

@test "clone-pid: a command's exit status is passed on (exit 3 gives 3)" {
	requires root
	lab --separate-stderr sh -c 'exit 3'
	expect_status 3
	expect_report "$stderr" "exited with status 3"
}

@test "clone-pid: a missing command gives 127 and a message naming it" {
	requires root
	lab -127 --separate-stderr no-such-command-lab
	expect_status 127
	expect_contains "$stderr" "exec no-such-command-lab: No such file or directory" "stderr"
	expect_report "$stderr" "exited with status 127"
}

@test "clone-pid: a directory as command gives 126" {
	requires root
	lab --separate-stderr /tmp
	expect_status 126
	expect_contains "$stderr" "exec /tmp: Permission denied" "stderr"
	expect_report "$stderr" "exited with status 126"
}

@test "clone-pid: no command gives 125 and points at -h" {
	lab --separate-stderr
	expect_status 125
	expect_eq "$output" "" "stdout"
	expect_match "$stderr" "Try '.* -h'\." "stderr"
}

@test "clone-pid: an unknown option gives 125 and points at -h" {
	lab --separate-stderr -x true
	expect_status 125
	expect_match "$stderr" "Try '.* -h'\." "stderr"
}

@test "clone-pid: -h prints usage on stdout and exits 0" {
	lab --separate-stderr -h
	expect_status 0
	expect_contains "$output" "Usage:" "stdout"
	expect_eq "$stderr" "" "stderr"
}

@test "clone-pid: options after COMMAND belong to COMMAND (ls -d /)" {
	requires root
	lab --separate-stderr ls -d /
	expect_status 0
	expect_eq "$output" "/" "stdout"
}

@test "clone-pid: stdout carries only the command's output (echo hi | wc -l is 1)" {
	requires root
	run timeout -k 1 "${LAB_TIMEOUT:-10}" bash -c '"$1" echo hi 2>/dev/null | wc -l' _ "$PROG_BIN"
	log_run "$PROG_BIN echo hi | wc -l"
	expect_eq "$output" "1" "lines on stdout"
}

@test "clone-pid: [unprivileged] fails with 125, says EPERM and hints at root" {
	requires unpriv
	local bin
	bin=$(unpriv_bin "$PROG_BIN")
	run -125 --separate-stderr as_unpriv timeout -s KILL 10 "$bin" true
	log_run "unprivileged: $bin true"
	expect_contains "$stderr" "Operation not permitted" "stderr"
	expect_contains "$stderr" "root" "stderr (the hint)"
	expect_eq "$output" "" "stdout"
}

@test "clone-pid: not found gives 127 even when the first PATH directory cannot be searched" {
	requires root
	lab_locked_path -127 --separate-stderr no-such-command-lab
	expect_contains "$stderr" "no-such-command-lab" "stderr"
}

@test "clone-pid: started with SIGCHLD ignored, it still waits and passes on exit 3" {
	requires root
	lab_sigchld_ignored --separate-stderr sh -c 'exit 3'
	expect_status 3
	expect_report "$stderr" "exited with status 3"
}

@test "clone-pid: the runtime dies as it starts to wait, its child still in prctl: COMMAND never runs" {
	requires root tool:strace
	# As the check above, without its race: strace holds the child's prctl() for 0.5 s and
	# kills the runtime with SIGKILL as soon as it starts to wait for the child (with any of
	# the usual calls), so the parent is gone before the child asks for PDEATHSIG. COMMAND
	# leaves a file if it runs (a process might not outlive strace: a new parent's death
	# sends the signal that the first one's could not).
	local waits=rt_sigtimedwait,wait4,waitid,pause,rt_sigsuspend,epoll_wait,epoll_pwait
	local f=$BATS_TEST_TMPDIR/ran-$MARK
	run_logged timeout -s KILL 4 strace -f -qq -o /dev/null -e trace="prctl,$waits" \
		-e inject=prctl:delay_enter=500000 -e inject="$waits":signal=KILL \
		"$PROG_BIN" touch "$f"
	[ ! -e "$f" ] || fail "COMMAND ran after its runtime was killed: $f exists"
}
