#!/usr/bin/env bats
# The grader's containment: `make check 2 BIN=...` (tools/run-tests.sh, as make check runs it)
# against eight hostile programs, tests/fixtures/*, as root. Each must fail with a verdict
# that names what it did, and leave the machine as it was: its hostname, /proc, mounts, and
# tests/. Each run is inside a throwaway namespace of its own as well (PID, mount, UTS, IPC),
# so that a hole in the containment would harm nothing here either.
# Run: tools/run-tests.sh tests/grader.bats        (make test runs it)

load helpers

setup() {
	requires root tool:unshare
	lab_setup
}

teardown() {
	lab_teardown
}

# machine_state: what must not change: the hostname, /proc, the mounts, tests/ and tools/.
machine_state() {
	hostname
	stat -f -c %T /proc
	awk '{ for (i = 7; $i != "-"; i++); print $5, $(i + 1), $(i + 2) }' /proc/self/mountinfo | sort
	(cd "$LAB_ROOT" && find tests tools -type f -print0 | sort -z | xargs -0 sha256sum)
}

# grade FIXTURE [ENV=VALUE...]: make check 2's run (the fast set, contained; bats's own variables
# left out, or the inner bats would take them for its own) with BIN=FIXTURE,
# each run of it bounded to 2 s and each check to 5 s; it must fail, and leave the machine
# as it was.
grade() {
	local fixture=$1 before path
	shift
	path=$(tr ':' '\n' <<<"$PATH" | grep -v bats-core | paste -sd ':')
	before=$(machine_state)
	LOG_AS="make check 2 BIN=tests/fixtures/$fixture" run_logged timeout -k 5 90 \
		unshare -u -i -m -p -f --mount-proc --propagation private --kill-child \
		env -i PATH="$path" HOME="${HOME:-/root}" BIN="$LAB_ROOT/tests/fixtures/$fixture" LAB_FIXTURE_REAL="$(lab_bin 02)" \
		LAB_CHECKS=fast LAB_CONTAIN=1 LAB_TIMEOUT=2 LAB_CHECK_LIMIT=5 "$@" \
		"$LAB_ROOT/tools/run-tests.sh" "$LAB_ROOT/tests/02-clone-pid.bats"
	[ "$status" != 0 ] || fail "make check 2 passed the hostile program $fixture"
	[ "$status" != 3 ] || skip "$(last_line "$output")"
	expect_eq "$(machine_state)" "$before" "the machine's hostname, /proc, mounts, tests/ and tools/ afterwards"
}

@test "grader: sethostname without CLONE_NEWUTS: 'your program renamed the host'" {
	grade renames-host
	expect_contains "$output" "FAIL: your program renamed the host ('" "verdict"
	expect_contains "$output" "it has no CLONE_NEWUTS" "verdict"
}

@test "grader: /proc mounted without CLONE_NEWNS: 'mounted its own /proc over the host's'" {
	grade proc-without-newns
	expect_contains "$output" "FAIL: your program mounted its own /proc over the host's" "verdict"
}

@test "grader: /proc unmounted: 'your program unmounted the host's /proc'" {
	grade unmounts-proc
	expect_contains "$output" "FAIL: your program unmounted the host's /proc" "verdict"
}

@test "grader: kill(-1, SIGKILL): 'signalled every process it could reach'; only the checks died" {
	grade kills-all
	expect_contains "$output" "killed by signal 9 (SIGKILL)" "verdict"
	expect_contains "$output" "signalled every process it could reach (kill(-1" "verdict"
}

@test "grader: a fork bomb in a session of its own: 'made more than 512 processes'" {
	grade fork-bomb LAB_REQUIRE_PIDS_LIMIT=1
	expect_contains "$output" "made more than 512 processes (the grader's pids limit)" "verdict"
}

@test "grader: a program that ignores every signal: 'did not end within 2 s and was stopped'" {
	grade ignores-signals
	expect_contains "$output" "FAIL: the program did not end within 2 s and was stopped" "verdict"
}

@test "grader: a setsid daemon holding stdout, a bound net namespace: both named, both gone" {
	grade daemon-and-netns
	expect_contains "$output" "FAIL: the check did not end within 5 s" "verdict"
	expect_contains "$output" "'sleep 1000'" "the daemon, named"
	expect_contains "$output" "/lab-fixture/net (a bind mount of /proc/PID/ns/...)" "verdict"
	expect_eq "$(procs -c '^sleep 1000$')" "0" "daemons left"
}

@test "grader: a program that edits tests/helpers.bash: tests/ is read-only to it, and it fails" {
	grade edits-helpers
	expect_contains "$output" "not ok 1 " "the first check"
	if grep -q 'fail() { return 0; }' "$LAB_ROOT/tests/helpers.bash"; then
		fail "tests/helpers.bash was edited"
	fi
}
