#!/usr/bin/env bats
# Robustness: the stages under injected faults, fed bad input and odd file descriptors,
# and what outside attacks found. Whatever happens, each program ends
# within 2 s, exits with a code from the table of CONTRIBUTING.md and leaves nothing
# behind on the host. The long runs (300 launches in a
# row, the signal trials at random moments, valgrind memcheck on every stage) are in
# tests/stress.bats.
# Run: tools/run-tests.sh tests/robustness.bats      (make test runs it after the stages)
# Against the sanitizer build: LAB_BIN_ROOT=$PWD/.san tools/run-tests.sh tests/robustness.bats
#
# shellcheck disable=SC2030,SC2031
# (bats's `run` sets $status and $output for the helpers below to read; shellcheck takes
# each @test for a subshell whose changes are lost.)

load helpers
load robustness

# --- load -----------------------------------------------------------------------------------

@test "robustness: pipe-sync: 10 rounds of 20 in parallel, one stderr: exit 0, every line whole, 200 IDs" {
	requires root tool:ipcs
	local p m log=$BATS_TEST_TMPDIR/stderr before torn
	p=$(stage_bin 04)
	m=$(marker)
	before=$(host_state "$m")
	run bash -c "$PARALLEL" _ "$p" "$m" "$log"
	log_run "10 rounds x 20 in parallel: $p true $m 2>>$log"
	expect_status 0
	expect_eq "$output" "" "runs that did not exit 0"
	# One write(2) a line: 200 runs' lines never tear into each other.
	# (The sanitizer build's clone child adds ASan's three-line warning: not ours.)
	torn=$(grep -vE '^(==[0-9]+==WARNING: ASan|False positive error reports|For details see)' "$log" |
		grep -cvE '^(pipe-sync: container [0-9a-f]{64}|[0-9]+ exited with status 0)$') || :
	expect_eq "$torn" 0 "lines that are neither a container line nor a report line"
	expect_ids "$log" 200
	expect_same_host "$before" "$m"
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

# --- an outside attack's findings: each a promise of CONTRIBUTING.md -------------------------

# all_stages: "NN [OPTION]" for each stage that can run here without namespaces it may not
# make (stage 02 needs root; stage 03 runs with no letters, which needs none).
all_stages() {
	echo 00; echo 01
	[ "$(id -u)" != 0 ] || echo 02
	echo 03; echo 04
}

@test "robustness: every stage: a 1,100- and a 2,000-byte program name under -v: exit 0, no overflow" {
	local nn p len name
	for len in 1100 2000; do
		name=$(head -c "$len" /dev/zero | tr '\0' x)
		for nn in $(all_stages); do
			p=$(stage_bin "$nn")
			run --separate-stderr bash -c 'exec -a "$1" "$2" -v true' _ "$name" "$p"
			log_run "exec -a <$len x's> $p -v true"
			expect_no_crash "$p with a $len-byte name"
			expect_status 0
			# Each line is cut at PIPE_BUF (4096), not written past its buffer.
			[ "$(awk '{ if (length > m) m = length } END { print m + 0 }' <<<"$stderr")" -le 4096 ] ||
				fail "a line longer than 4096 bytes"
		done
	done
}

@test "robustness: every stage: fd 0, 1 or 2 closed (alone and together): -v true still exits 0" {
	local nn p redir
	for nn in $(all_stages); do
		p=$(stage_bin "$nn")
		for redir in '<&-' '>&-' '2>&-' '<&- 2>&-' '>&- 2>&-' '<&- >&- 2>&-'; do
			run bash -c "\"\$1\" -v true $redir" _ "$p"
			log_run "$p -v true $redir"
			expect_no_crash "$p -v true $redir"
			expect_status 0
		done
	done
}

@test "robustness: every stage: COMMAND sees a closed stdout as closed: the same status as without us" {
	local nn p want
	set +e; sh -c 'echo hi' >&-; want=$?; set -e
	for nn in $(all_stages); do
		p=$(stage_bin "$nn")
		run bash -c '"$1" sh -c "echo hi" >&-' _ "$p"
		log_run "$p sh -c 'echo hi' >&-"
		expect_status "$want"
	done
}

@test "robustness: every stage: stderr a pipe nobody reads: no death by SIGPIPE, COMMAND's status kept" {
	local nn p
	for nn in $(all_stages); do
		p=$(stage_bin "$nn")
		# stderr: the write end of a pipe whose read end is closed; SIGPIPE at its default.
		# (perl: Debian's perl-base is on every machine, even a minimal one.)
		run perl -e 'pipe(my $r, my $w) or die; close $r; open(STDERR, ">&", $w) or die;
			$SIG{PIPE} = "DEFAULT"; exec @ARGV or die' "$p" -v sh -c 'exit 3'
		log_run "$p -v sh -c 'exit 3' 2>(a broken pipe)"
		expect_status 3
	done
}

@test "robustness: every stage: -h to a full or closed stdout is a write error: 125 and a message" {
	local nn p
	for nn in 00 01 02 03 04; do
		p=$(stage_bin "$nn")
		run --separate-stderr bash -c '"$1" -h >/dev/full' _ "$p"
		log_run "$p -h >/dev/full"
		expect_status 125
		expect_contains "$stderr" "No space left on device" "stderr"
		run --separate-stderr bash -c '"$1" -h >&-' _ "$p"
		log_run "$p -h >&-"
		expect_status 125
		expect_contains "$stderr" "stdout" "stderr"
	done
}

# hangup_as_leader PROG [OPTION]...: PROG runs `sleep MARK` as the session leader of a new
# terminal (script -c, as ssh -t or a tmux window does); the terminal goes away (script is
# killed): the kernel sends SIGHUP to the leader only, and everything must end.
hangup_as_leader() {
	local m pid
	m=$(marker)
	SHELL=/bin/bash script -qfec "exec $(printf '%q ' "$@") sleep $m" /dev/null \
		</dev/null >/dev/null 2>&1 3>&- &
	pid=$!
	wait_for_proc "^sleep $m" "$pid"
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || :
	expect_gone "sleep $m"
}

@test "robustness: fork-exec, multi-ns -U, pipe-sync: a terminal hang-up with the runtime as session leader ends all" {
	requires tool:script
	hangup_as_leader "$(stage_bin 00)"
	hangup_as_leader "$(stage_bin 04)"
	if [ "$(id -u)" = 0 ]; then
		hangup_as_leader "$(stage_bin 02)"
		hangup_as_leader "$(stage_bin 03)" -impnu
	fi
}

@test "robustness: pipe-sync: timeout's one SIGTERM ends a container whose PID 1 has no handler: 124 within 2 s" {
	local p start
	p=$(stage_bin 04)
	start=${EPOCHREALTIME/./}
	run timeout -k 2 0.3 "$p" sleep "$(marker)"
	log_run "timeout 0.3 $p sleep"
	expect_status 124
	(( ${EPOCHREALTIME/./} - start < 2000000 )) || fail "took more than 2 s"
}

@test "robustness: pipe-sync: two SIGTERMs sent back to back (merged into one) still end it: 137" {
	local p m pid
	p=$(stage_bin 04)
	m=$(marker)
	"$p" sleep "$m" 2>/dev/null 3>&- &
	pid=$!
	wait_for_proc "^sleep $m" "$pid"
	kill -TERM "$pid"; kill -TERM "$pid" 2>/dev/null || :   # the first may already have ended it
	wait_exit "$pid"
	expect_status 137
	expect_gone "sleep $m"
}

# count_sigint_script FILE: a COMMAND (as PID 1) that appends a line to FILE per SIGINT, and
# exits 0 on SIGTERM.
count_sigint_script() {
	echo "trap 'echo INT >>$1' INT; trap 'exit 0' TERM; echo ready >>$1; while :; do sleep 0.01; done"
}

@test "robustness: pipe-sync: SIGINT to the runtime's PID reaches COMMAND once; to its group, once or twice (the rule)" {
	local p log=$BATS_TEST_TMPDIR/count pid n
	p=$(stage_bin 04)
	# Direct: only the runtime gets it; it forwards it once.
	env --default-signal "$p" sh -c "$(count_sigint_script "$log")" 2>/dev/null 3>&- &
	pid=$!
	wait_for_line "$log" '^ready$'
	kill -INT "$pid"
	wait_for_line "$log" '^INT$'
	sleep 0.1   # room for a second copy, were one coming (none should)
	n=$(grep -c '^INT$' "$log") || :
	expect_eq "$n" 1 "SIGINTs COMMAND got from kill -INT RUNTIME_PID"
	kill -TERM "$pid"; wait_exit "$pid"; expect_status 137   # a second signal: SIGKILL
	# Group, sent by someone other than the terminal: COMMAND gets it from the sender and
	# from the runtime (si_code SI_USER either way: the runtime cannot tell); signals do not
	# queue, so the two may merge into one. Documented in README.md's contract.
	rm -f "$log"
	setsid env --default-signal "$p" sh -c "$(count_sigint_script "$log")" 2>/dev/null 3>&- &
	pid=$!
	wait_for_line "$log" '^ready$'
	kill -INT -- "-$pid"
	wait_for_line "$log" '^INT$'
	sleep 0.1
	n=$(grep -c '^INT$' "$log") || :
	[[ $n =~ ^[12]$ ]] || fail "SIGINTs COMMAND got from a group kill: expected 1 or 2, got $n"
	kill -TERM "$pid"; wait_exit "$pid"; expect_status 137
}

@test "robustness: fork-exec: a real-time signal is named in the report: SIGRTMIN+1, SIGRTMAX" {
	local p
	p=$(stage_bin 00)
	run --separate-stderr "$p" bash -c 'kill -s RTMIN+1 $$'
	log_run "$p bash -c 'kill -s RTMIN+1 \$\$'"
	expect_no_crash "RTMIN+1"
	expect_status 163
	expect_report "$stderr" "killed by signal 35 \(SIGRTMIN\+1\)"
	run --separate-stderr "$p" bash -c 'kill -s RTMAX $$'
	log_run "$p bash -c 'kill -s RTMAX \$\$'"
	expect_report "$stderr" "killed by signal 64 \(SIGRTMAX\)"
}

@test "robustness: every stage with a child: an interrupted wait4 (EINTR) is retried, not a hang" {
	requires tool:strace
	local nn p
	for nn in 00 02 03 04; do
		[ "$nn" != 02 ] || [ "$(id -u)" = 0 ] || continue
		p=$(stage_bin "$nn")
		run --separate-stderr timeout -k 1 5 env ASAN_OPTIONS=detect_leaks=0 strace -o /dev/null \
			-f -e trace=wait4 -e inject=wait4:error=EINTR:when=1 "$p" true
		log_run "strace -e inject=wait4:error=EINTR:when=1 $p true"
		expect_status 0
		expect_report "$stderr" "exited with status 0"
	done
}

# with_fd_limit N CMD...: CMD with only fds 0-2 open (bats keeps more) and ulimit -n N.
# (No LeakSanitizer: its check at exit needs descriptors the limit refuses.)
with_fd_limit() {
	env ASAN_OPTIONS=detect_leaks=0 bash -c 'for fd in $(ls /proc/$$/fd); do
		[ "$fd" -le 2 ] || eval "exec $fd>&-"; done; ulimit -n "$1"; shift; exec "$@"' _ "$@"
}

@test "robustness: pipe-sync: ulimit -n 5, and pidfd_open or poll failing: the message names that call" {
	requires tool:strace
	local p
	p=$(stage_bin 04)
	# A limit of 5: pipe2 takes 3 and 4, and the pidfd finds no room.
	fault_run "ulimit -n 5: $p true" with_fd_limit 5 "$p" true
	expect_status 125
	expect_contains "$stderr" ": pidfd_open own PID: Too many open files" "stderr"
	expect_contains "$stderr" "ulimit -n" "hint"
	fault_run "pidfd_open ENOMEM: $p true" env ASAN_OPTIONS=detect_leaks=0 strace -o /dev/null -f \
		-e trace=pidfd_open -e inject=pidfd_open:error=ENOMEM "$p" true
	expect_status 125
	expect_contains "$stderr" ": pidfd_open own PID: Cannot allocate memory" "stderr"
	fault_run "poll ENOMEM in the child: $p true" env ASAN_OPTIONS=detect_leaks=0 strace -o /dev/null \
		-f -e trace=poll,ppoll -e inject=poll,ppoll:error=ENOMEM "$p" true
	expect_status 125
	expect_contains "$stderr" ": poll the parent's pidfd: Cannot allocate memory" "stderr"
}

# In a user namespace of its own a test may lower a namespace limit: it is per namespace.
@test "robustness: pipe-sync and multi-ns -Up: the hint names the namespace limit that was hit (net, pid)" {
	requires tool:unshare
	local p3 p4
	p3=$(stage_bin 03)
	p4=$(stage_bin 04)
	fault_run "unshare -Ur, user.max_net_namespaces=0: $p4 true" unshare -Ur sh -c \
		'echo 0 >/proc/sys/user/max_net_namespaces || exit 99; exec "$0" true' "$p4"
	[ "$status" != 99 ] || skip "this kernel does not let a user namespace set its own limits"
	[ "$status" != 1 ] || skip "unshare -Ur is refused here"
	expect_status 125
	expect_contains "$stderr" "user.max_net_namespaces is 0" "hint"
	fault_run "unshare -Ur, user.max_pid_namespaces=0: $p3 -Up true" unshare -Ur sh -c \
		'echo 0 >/proc/sys/user/max_pid_namespaces || exit 99; exec "$0" -Up true' "$p3"
	expect_status 125
	expect_contains "$stderr" "user.max_pid_namespaces is 0" "hint"
}

@test "robustness: multi-ns -U as root of another user namespace, clone refused: the hint does not say 'run as root'" {
	requires tool:unshare tool:strace
	local p
	p=$(stage_bin 03)
	fault_run "unshare -Ur strace (clone EPERM) $p -U true" unshare -Ur env ASAN_OPTIONS=detect_leaks=0 \
		strace -o /dev/null -f -e trace=clone -e inject=clone:error=EPERM "$p" -U true
	[ "$status" != 1 ] || skip "unshare -Ur is refused here"
	expect_status 125
	expect_contains "$stderr" "root only inside a user namespace" "hint"
	[[ $stderr != *"run as root"* ]] || fail "told to run as root, which it already is (of its namespace)"
}

@test "robustness: pipe-sync: sethostname refused in the rootless container: the hint does not say 'even root'" {
	requires tool:strace
	local p
	p=$(stage_bin 04)
	fault_run "strace (sethostname EPERM) $p true" env ASAN_OPTIONS=detect_leaks=0 strace -o /dev/null \
		-f -e trace=sethostname -e inject=sethostname:error=EPERM "$p" true
	expect_status 125
	expect_contains "$stderr" "sethostname" "stderr"
	[[ $stderr != *"even root"* ]] || fail "the hint blames root of the machine: $stderr"
}

# --- a second outside attack ------------------------------------------------------------------

@test "robustness: clone-pid, pipe-sync: a PID 1 that blocks SIGTERM and takes it with sigwait keeps its own exit" {
	requires tool:cc
	local nn p m pid w=$BATS_TEST_TMPDIR/sigwaiter
	# COMMAND: block SIGTERM, say it is ready, take SIGTERM with sigwait(), exit 7.
	printf '%s\n' '#include <signal.h>' '#include <stdio.h>' 'int main(int argc, char **argv) {' \
		'sigset_t s; int sig; sigemptyset(&s); sigaddset(&s, SIGTERM);' \
		'sigprocmask(SIG_BLOCK, &s, NULL); fclose(fopen(argv[1], "w"));' \
		'sigwait(&s, &sig); return argc == 3 ? 7 : 1; }' >"$w.c"
	cc -o "$w" "$w.c" || fail "cc could not build the sigwait program"
	for nn in 02 04; do
		[ "$nn" != 02 ] || [ "$(id -u)" = 0 ] || continue
		p=$(stage_bin "$nn")
		m=$(marker)
		# A blocked signal is queued for a namespace's init, not dropped: no SIGKILL after it.
		"$p" "$w" "$BATS_TEST_TMPDIR/ready.$nn" "$m" 2>/dev/null 3>&- &
		pid=$!
		poll test -e "$BATS_TEST_TMPDIR/ready.$nn" || fail "$p: COMMAND did not start"
		kill -TERM "$pid"
		wait_exit "$pid"
		[ "$status" = 7 ] || fail "$p: expected 7, COMMAND's own exit, got $status"
	done
}

@test "robustness: pipe-sync: a SIGTERM while the child sets up ends it (143), not dropped at exec" {
	requires tool:strace
	local p m pid log=$BATS_TEST_TMPDIR/log
	p=$(stage_bin 04)
	m=$(marker)
	# strace holds the child's prctl() for 0.3 s: the SIGTERM comes while its signals are
	# still blocked; unblocking them as PID 1 would drop it, and sleep would run on.
	env ASAN_OPTIONS=detect_leaks=0 strace -o /dev/null -f -e trace=prctl \
		-e inject=prctl:delay_exit=300000 "$p" -v sleep "$m" 2>"$log" 3>&- &
	pid=$!
	wait_for_line "$log" "parent: sending the go byte"
	pkill -TERM -f -- "^$p -v sleep $m" || fail "no runtime to signal"
	wait_exit "$pid"
	cat "$log" >&2
	[[ $status =~ ^(143|137)$ ]] || fail "expected 143 (or 137), got $status"
	expect_gone "sleep $m"
}

@test "robustness: pipe-sync inside clone-pid (a /proc of the outer namespace): the hint names /proc" {
	requires root
	run --separate-stderr "$(stage_bin 02)" "$(stage_bin 04)" true
	log_run "clone-pid pipe-sync true"
	expect_status 125
	expect_contains "$stderr" "this /proc belongs to another PID namespace" "hint"
}

@test "robustness: clone-pid inside unshare -pf (an outer /proc): one SIGTERM still ends its sleep" {
	requires root tool:unshare
	local m pid
	m=$(marker)
	unshare -pf "$(stage_bin 02)" sleep "$m" 2>/dev/null 3>&- &
	pid=$!
	wait_for_proc "^sleep $m" "$pid"
	pkill -TERM -f -- "^$(stage_bin 02) sleep $m" || fail "no runtime to signal"
	wait_exit "$pid"
	expect_status 137
	expect_gone "sleep $m"
}

@test "robustness: fork-exec: a script whose #! interpreter is missing: 127 and a hint that says so" {
	local dir=$BATS_TEST_TMPDIR/pbin
	mkdir "$dir"
	printf '#!/bin/sh\r\necho hi\n' >"$dir/crlf"
	chmod +x "$dir/crlf"
	run -127 --separate-stderr env PATH="$dir:$PATH" "$(stage_bin 00)" crlf
	log_run "PATH=$dir:\$PATH fork-exec crlf"
	expect_status 127
	expect_contains "$stderr" "#! line names an interpreter" "hint"
}

@test "robustness: every stage: a newline in COMMAND's name cannot forge a line of ours" {
	local nn p line
	for nn in $(all_stages); do
		p=$(stage_bin "$nn")
		run -127 --separate-stderr "$p" $'no\n12 exited with status 0'
		log_run "$p \$'no\\n12 exited with status 0'"
		expect_status 127
		while IFS= read -r line; do
			[[ $line =~ ^(==[0-9]+==WARNING: ASan|False positive|For details see) ]] && continue
			[[ $line =~ ^[^\ ]+:\  || $line =~ ^[0-9]+\ exited\ with\ status\ 127$ ]] ||
				fail "a line that is neither ours nor the report: '$line'"
		done <<<"$stderr"
	done
}

@test "robustness: pipe-sync: ulimit -n 4 (pipe2 fails) and root without CAP_SYS_ADMIN: the hints say so" {
	local p
	p=$(stage_bin 04)
	fault_run "ulimit -n 4: $p true" with_fd_limit 4 "$p" true
	expect_status 125
	expect_contains "$stderr" ": pipe2: Too many open files" "stderr"
	expect_contains "$stderr" "ulimit -n" "hint"
	[ "$(id -u)" = 0 ] || return 0
	fault_run "no CAP_SYS_ADMIN: clone-pid true" setpriv --inh-caps=-sys_admin \
		--bounding-set=-sys_admin "$(stage_bin 02)" true
	expect_status 125
	expect_contains "$stderr" "root without CAP_SYS_ADMIN" "hint"
}
