#!/usr/bin/env bats
# Stage 01, exec replaces the process: the contract of CONTRIBUTING.md, checked from outside.
# Run: make check 1            Your own program: make check 1 BIN=./mine

load helpers

setup() {
	PROG_BIN=$(stage_bin 01)
	lab_setup
}

teardown() {
	# A program that forks (wrongly, for this stage) may leave the test's sleep behind.
	local p
	if [ -n "${MARK:-}" ]; then
		for p in $(procs "sleep $MARK"); do kill -KILL "$p" 2>/dev/null; done
	fi
	lab_teardown
}

# announced_pid TEXT: the PID of the line "PROG: PID <pid> becomes <COMMAND>" in TEXT.
announced_pid() {
	printf '%s\n' "$1" | sed -nE 's/.*PID ([0-9]+) becomes .*/\1/p' | head -n 1
}

@test "exec-replace: the announced PID is the command's own \$\$" {
	lab --separate-stderr sh -c 'echo $$'
	expect_status 0
	expect_match "$stderr" "PID ([0-9]+) becomes sh" "announce line on stderr"
	expect_eq "$(announced_pid "$stderr")" "$output" "announced PID vs the \$\$ sh printed"
}

@test "exec-replace: no process in between: the command's \$PPID is the caller's \$\$" {
	# `; :` keeps bash from exec'ing the last command in its own place.
	run --separate-stderr timeout -k 1 "${LAB_TIMEOUT:-10}" bash -c 'echo $$; "$1" sh -c "echo \$PPID"; :' _ "$PROG_BIN"
	log_run "bash -c 'echo \$\$; $PROG_BIN sh -c \"echo \\\$PPID\"; :'"
	expect_status 0
	local lines=()
	mapfile -t lines <<<"$output"
	expect_eq "${#lines[@]}" 2 "lines on stdout"
	expect_eq "${lines[1]}" "${lines[0]}" "the command's \$PPID vs the wrapper shell's \$\$"
}

@test "exec-replace: the same PID comes to run sleep (/proc/PID/exe), and kill ends it" {
	local log=$BATS_TEST_TMPDIR/log sleep_exe exe i
	MARK=$(marker)
	sleep_exe=$(readlink -f "$(command -v sleep)")
	"$PROG_BIN" sleep "$MARK" 2>"$log" 3>&- &
	local pid=$!
	for ((i = 0; i < 100; i++)); do
		exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || exe=
		[ "$exe" = "$sleep_exe" ] && break
		sleep 0.02
	done
	expect_eq "$exe" "$sleep_exe" "/proc/$pid/exe within 2 s" ||
		{ kill -KILL "$pid"; wait "$pid" 2>/dev/null; return 1; }
	expect_eq "$(procs "sleep $MARK")" "$pid" "PID of the sleep with the test's marker"
	wait_for_line "$log" "PID $pid becomes sleep"
	kill -TERM "$pid"
	wait_exit "$pid"
	expect_status 143
	expect_gone "sleep $MARK"
}

@test "exec-replace: a command's exit status is its own (exit 4 gives 4)" {
	lab --separate-stderr sh -c 'exit 4'
	expect_status 4
}

@test "exec-replace: a command killed by SIGTERM gives 143" {
	lab --separate-stderr sh -c 'kill -TERM $$'
	expect_status 143
}

@test "exec-replace: no report line: no process is left to print one" {
	lab --separate-stderr sh -c 'exit 4'
	expect_status 4
	local line
	while IFS= read -r line; do
		[[ $line =~ exited\ with\ status|killed\ by\ signal ]] &&
			fail "a report line on stderr: '$line'"
	done <<<"$stderr"
	expect_match "$stderr" "PID [0-9]+ becomes sh" "announce line on stderr"
}

@test "exec-replace: an fd the caller opened without O_CLOEXEC is writable by the command" {
	local f=$BATS_TEST_TMPDIR/fd7
	run --separate-stderr timeout -k 1 "${LAB_TIMEOUT:-10}" bash -c 'exec 7>"$2"; "$1" sh -c "echo written-via-fd-7 >&7"; :' \
		_ "$PROG_BIN" "$f"
	log_run "bash -c 'exec 7>$f; $PROG_BIN sh -c \"echo written-via-fd-7 >&7\"; :'"
	expect_status 0
	expect_eq "$(cat "$f")" "written-via-fd-7" "contents of the file behind fd 7"
}

@test "exec-replace: a missing command gives 127 and a message naming it" {
	lab -127 --separate-stderr no-such-command-lab
	expect_status 127
	expect_contains "$stderr" "exec no-such-command-lab: No such file or directory" "stderr"
}

@test "exec-replace: a file without execute permission gives 126" {
	local f=$BATS_TEST_TMPDIR/not-executable
	echo 'echo hi' >"$f"
	chmod 644 "$f"
	lab --separate-stderr "$f"
	expect_status 126
	expect_contains "$stderr" "exec $f: Permission denied" "stderr"
}

@test "exec-replace: a directory as command gives 126" {
	lab --separate-stderr /tmp
	expect_status 126
	expect_contains "$stderr" "exec /tmp: Permission denied" "stderr"
}

@test "exec-replace: no command gives 125 and points at -h" {
	lab --separate-stderr
	expect_status 125
	expect_eq "$output" "" "stdout"
	expect_match "$stderr" "Try '.* -h'\." "stderr"
}

@test "exec-replace: an unknown option gives 125 and points at -h" {
	lab --separate-stderr -x true
	expect_status 125
	expect_match "$stderr" "Try '.* -h'\." "stderr"
}

@test "exec-replace: -h prints usage on stdout and exits 0" {
	lab --separate-stderr -h
	expect_status 0
	expect_contains "$output" "Usage:" "stdout"
	expect_eq "$stderr" "" "stderr"
}

@test "exec-replace: options after COMMAND belong to COMMAND (ls -d /)" {
	lab --separate-stderr ls -d /
	expect_status 0
	expect_eq "$output" "/" "stdout"
}

@test "exec-replace: stdout carries only the command's output (echo hi | wc -l is 1)" {
	run timeout -k 1 "${LAB_TIMEOUT:-10}" bash -c '"$1" echo hi 2>/dev/null | wc -l' _ "$PROG_BIN"
	log_run "$PROG_BIN echo hi | wc -l"
	expect_eq "$output" "1" "lines on stdout"
}

@test "exec-replace: not found gives 127 even when the first PATH directory cannot be searched" {
	lab_locked_path -127 --separate-stderr no-such-command-lab
	expect_contains "$stderr" "no-such-command-lab" "stderr"
}
