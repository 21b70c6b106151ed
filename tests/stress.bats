#!/usr/bin/env bats
# Stress: the long runs, kept out of make test so it stays under 30 s; `make stress` runs
# them and CI runs make stress. 300 launches in a row (as root and rootless), the signal
# trials six times over, and valgrind memcheck on every stage (stage 04 also rootless).
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
