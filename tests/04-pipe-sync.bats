#!/usr/bin/env bats
# Stage 04, pipe synchronisation: a rootless mini container. The parent writes the child's
# ID maps, then releases it with one byte on a pipe. The contract of CONTRIBUTING.md,
# checked from outside: most checks run twice, as the caller (root in CI) and
# unprivileged ([rootless]: uid 65534 when the caller is root, else the caller again).
# Run: make check 4            Your own program: make check 4 BIN=./mine

# Each check is a function run twice, as the caller and unprivileged; shellcheck takes each
# @test for a subshell and then warns that `run`'s variables do not reach those functions.
# shellcheck disable=SC2030,SC2031

load helpers

setup() {
	PROG_BIN=$(stage_bin 04)
	lab_setup
}

teardown() {
	# A failed check may leave the program, or a child blocked on the pipe, running: end
	# them by the test's marker, which is in their command lines.
	local pid
	if [ -n "${M:-}" ]; then
		for pid in $(procs "$M"); do kill -KILL "$pid" 2>/dev/null; done
	fi
	[ -n "${UNPRIV_DIR:-}" ] && rm -rf "$UNPRIV_DIR"
	lab_teardown
}

# as WHO: run this test as WHO, "caller" (whoever runs the suite) or "unpriv" (as_unpriv's
# user: uid 65534 when the caller is root, else the caller).
# Sets P (a binary WHO can run), W (a directory WHO owns, for files made inside) and WRAP,
# what runs a command as WHO. As root, WRAP starts with a scratch host: throwaway UTS and
# mount namespaces, copies of the machine's (`unshare -u -m --propagation private`), so that
# a program under test (BIN=./mine) that failed to isolate renames or mounts on the copy,
# never on the machine and whatever else runs on it.
as() {
	WHO=$1
	WRAP=()
	if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
		WRAP=(unshare -u -m --propagation private)
	fi
	if [ "$WHO" = unpriv ]; then
		requires userns
		P=$(unpriv_bin "$PROG_BIN")
		W=$(unpriv_dir)
		[ "$(id -u)" != 0 ] || WRAP+=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	else
		P=$PROG_BIN
		W=$BATS_TEST_TMPDIR/w
		mkdir -p "$W"
	fi
}

# as_who CMD...: run CMD as WHO, from / (uid 65534 may not enter the current directory).
as_who() {
	(cd / && exec "${WRAP[@]}" "$@")
}

# box [RUN-FLAGS] ARG...: bats `run` of the program as WHO with ARGs, bounded and logged
# like `lab`.
box() {
	local n LOG_AS
	n=$(run_flag_count "$@")
	# shellcheck disable=SC2034  # read by run_logged
	LOG_AS="[$WHO] $P ${*:n+1}"
	run_logged "${@:1:n}" as_who timeout -k 1 "${LAB_TIMEOUT:-10}" "$P" "${@:n+1}"
}

# start_box LOG ARG...: start the program as WHO in the background, stderr to LOG; its
# PID in BG (the program's own: unshare and setpriv exec it in their place).
start_box() {
	local log=$1
	shift
	(cd / && exec "${WRAP[@]}" "$P" "$@") 2>"$log" 3>&- &
	BG=$!
}

# container_id TEXT: the ID on TEXT's "PROG: container <ID>" line.
container_id() {
	printf '%s\n' "$1" | sed -nE 's/^[^ ]+: container ([^ ]+)$/\1/p' | head -n 1
}

# traced LOG STRACE-ARG...: as WHO, `strace -f -q -y -o LOG STRACE-ARG...`, bounded to 5 s;
# sets status, output and stderr as `run --separate-stderr` would. (Not `run`: a child left
# blocked on the pipe would hold run's pipe open, and the test would hang instead of fail.)
traced() {
	local log=$1
	shift
	status=0
	as_who timeout -k 1 5 strace -f -q -y -o "$log" "$@" \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&- || status=$?
	output=$(cat "$BATS_TEST_TMPDIR/out")
	stderr=$(cat "$BATS_TEST_TMPDIR/err")
	log_run "[$WHO] strace -f -q -y -o $log $*"
	echo "# $log:" >&2
	cat "$log" >&2
}

# parent_write LOG REGEX: in LOG, a trace by `traced`, number the parent's write(2) calls
# from 1 (strace's inject counts per syscall and per process) and print the number of the
# first one whose file descriptor (-y shows it as 5</proc/42/uid_map>) matches REGEX.
parent_write() {
	awk -v re="$2" 'NR == 1 { parent = $1 }
		$1 == parent && $2 ~ /^write\(/ { n++; if ($2 ~ re) { print n; exit } }' "$1"
}

# nth_write REGEX: from a dry run of `PROG true`, which of the parent's writes is the first
# to a file descriptor matching REGEX; in N.
nth_write() {
	traced "$W/dry" -e trace=write "$P" true
	N=$(parent_write "$W/dry" "$1")
	[ -n "$N" ] || fail "no write by the parent to /$1/ in the dry run"
}

# --- what the container looks like inside -------------------------------------------------

check_id_u() {
	as "$1"
	box --separate-stderr id -u
	expect_status 0
	expect_eq "$output" "0" "id -u inside"
	expect_report "$stderr" "exited with status 0"
}

@test "pipe-sync: id -u inside prints 0" { check_id_u caller; }
@test "pipe-sync: [rootless] id -u inside prints 0" { check_id_u unpriv; }

check_hostname_is_name() {
	as "$1"
	requires tool:hostname
	box --separate-stderr hostname
	expect_status 0
	local id
	id=$(container_id "$stderr")
	expect_match "$id" '^[0-9a-f]{64}$' "ID on the 'container <ID>' line"
	expect_eq "$output" "${id:0:12}" "hostname inside (the ID's first 12 characters)"
}

@test "pipe-sync: hostname is the 12-character name, the ID's start" { check_hostname_is_name caller; }
@test "pipe-sync: [rootless] hostname is the 12-character name, the ID's start" { slow; check_hostname_is_name unpriv; }

check_pid_1() {
	as "$1"
	box --separate-stderr sh -c 'echo $$'
	expect_status 0
	expect_eq "$output" "1" "echo \$\$ inside"
}

@test "pipe-sync: echo \$\$ prints 1" { check_pid_1 caller; }
@test "pipe-sync: [rootless] echo \$\$ prints 1" { slow; check_pid_1 unpriv; }

# Without ip (a bare box), the same from /proc/net/dev: two header lines, then lo alone.
check_only_lo() {
	as "$1"
	if ! command -v ip >/dev/null; then
		box --separate-stderr cat /proc/net/dev
		expect_status 0
		expect_eq "$(sed 1,2d <<<"$output" | cut -d: -f1 | xargs)" "lo" "links in /proc/net/dev"
		return
	fi
	box --separate-stderr ip -o link
	expect_status 0
	expect_eq "$(printf '%s\n' "$output" | wc -l)" "1" "lines of ip -o link"
	expect_match "$output" '^1: lo: ' "ip -o link"
}

@test "pipe-sync: ip -o link shows one line, lo" { check_only_lo caller; }
@test "pipe-sync: [rootless] ip -o link shows one line, lo" { slow; check_only_lo unpriv; }

# Without ps (a bare box), the same from /proc: sh, PID 1, lists the PIDs there.
check_ps_alone() {
	as "$1"
	if ! command -v ps >/dev/null; then
		box --separate-stderr sh -c 'echo /proc/[0-9]*'
		expect_status 0
		expect_eq "$output" "/proc/1" "the PIDs in /proc inside (sh is PID 1 and alone)"
		return
	fi
	box --separate-stderr ps -e -o pid=,comm=
	expect_status 0
	expect_eq "$(xargs <<<"$output")" "1 ps" "ps -e inside (ps is PID 1 and alone)"
}

@test "pipe-sync: ps -e lists only the container's processes" { check_ps_alone caller; }
@test "pipe-sync: [rootless] ps -e lists only the container's processes" { slow; check_ps_alone unpriv; }

check_ids_differ() {
	as "$1"
	local first second
	box --separate-stderr true
	expect_status 0
	first=$(container_id "$stderr")
	box --separate-stderr true
	expect_status 0
	second=$(container_id "$stderr")
	expect_match "$first" '^[0-9a-f]{64}$' "first ID"
	expect_match "$second" '^[0-9a-f]{64}$' "second ID"
	[ "$first" != "$second" ] || fail "two runs printed the same ID $first"
}

@test "pipe-sync: the stderr ID is 64 hex characters and new on each run" { check_ids_differ caller; }
@test "pipe-sync: [rootless] the stderr ID is 64 hex characters and new on each run" { slow; check_ids_differ unpriv; }

check_name() {
	as "$1"
	requires tool:hostname
	box --separate-stderr --name web hostname
	expect_status 0
	expect_eq "$output" "web" "hostname with --name web"
}

@test "pipe-sync: --name web gives hostname web" { check_name caller; }
@test "pipe-sync: [rootless] --name web gives hostname web" { slow; check_name unpriv; }

check_hostname_option() {
	as "$1"
	requires tool:hostname
	box --separate-stderr --name web --hostname lab-host hostname
	expect_status 0
	expect_eq "$output" "lab-host" "hostname with --name web --hostname lab-host"
}

@test "pipe-sync: --hostname overrides the name" { check_hostname_option caller; }
@test "pipe-sync: [rootless] --hostname overrides the name" { slow; check_hostname_option unpriv; }

# --- the synchronisation itself -----------------------------------------------------------

# Fifty runs in one shell: every `id -u` prints 0, and under -v the child saw uid 0 just
# before exec, so no run got past the pipe before its maps were written.
check_fifty_runs() {
	as "$1"
	# shellcheck disable=SC2016  # $1, $2 and $i belong to the inner bash
	run as_who timeout -k 1 "${LAB_TIMEOUT:-10}" bash -c '
		for i in $(seq 50); do
			all=$("$1" -v id -u 2>&1) || { echo "run $i: exit status $?: $all"; exit 1; }
			[[ $2$all$2 == *"$2"0"$2"* ]] ||
				{ echo "run $i: id -u did not print 0: $all"; exit 1; }
			[[ $all == *"child: uid 0 before exec"* ]] ||
				{ echo "run $i: no \"child: uid 0 before exec\": $all"; exit 1; }
		done
		echo "50 runs, all uid 0"' _ "$P" $'\n'  # $2: a newline, to find the line "0"
	log_run "[$WHO] 50 runs of $P -v id -u"
	expect_status 0
	expect_eq "$output" "50 runs, all uid 0" "fifty runs"
}

@test "pipe-sync: fifty runs in a row, each uid 0 inside and before exec" { slow; check_fifty_runs caller; }
@test "pipe-sync: [rootless] fifty runs in a row, each uid 0 inside and before exec" { slow; check_fifty_runs unpriv; }

# No end of the sync pipe reaches COMMAND: it sees the same descriptors as the same
# command started without the program (bats holds some of its own, so compare).
check_no_fd_leak() {
	as "$1"
	run --separate-stderr as_who ls /proc/self/fd
	log_run "[$WHO] ls /proc/self/fd"
	local outside=$output
	box --separate-stderr ls /proc/self/fd
	expect_status 0
	expect_eq "$(xargs <<<"$output")" "$(xargs <<<"$outside")" "ls /proc/self/fd inside (outside: the same command alone)"
}

@test "pipe-sync: no pipe end leaks into COMMAND (same fds as without it)" { check_no_fd_leak caller; }
@test "pipe-sync: [rootless] no pipe end leaks into COMMAND (same fds as without it)" { slow; check_no_fd_leak unpriv; }

# Root inside is the caller outside: a file made inside belongs to the caller on the host.
check_file_owner() {
	as "$1"
	local uid
	uid=$(as_who id -u)
	box --separate-stderr sh -c "id -u; touch '$W/made-inside'"
	expect_status 0
	expect_eq "$output" "0" "id -u inside"
	[ -e "$W/made-inside" ] || fail "no file $W/made-inside on the host"
	expect_eq "$(stat -c %u "$W/made-inside")" "$uid" "owner on the host of the file made inside"
}

@test "pipe-sync: a file made inside belongs to the caller on the host" { check_file_owner caller; }
@test "pipe-sync: [rootless] a file made inside belongs to the unprivileged user on the host" { check_file_owner unpriv; }

# The container renames itself, mounts a tmpfs and leaves a process running in the
# background; none of it may reach the host. The "host" here is a scratch host (see as_who),
# whose hostname and mount table are read before and after; the machine's hostname too.
check_host_unchanged() {
	as "$1"
	requires root tool:unshare tool:mount tool:hostname
	local m host who=()
	m=$(marker)
	host=$(hostname)
	[ "$WHO" = unpriv ] && who=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	# Not as_who: the scratch host's state is read before and after, from inside it.
	# shellcheck disable=SC2016  # the inner sh's variables
	run --separate-stderr unshare -u -m --propagation private sh -c '
		d=$1; shift; cd / || exit 99
		state() { hostname; cat /proc/self/mountinfo; }
		state >"$d/before"; "$@"; rc=$?; state >"$d/after"; exit $rc' \
		sh "$BATS_TEST_TMPDIR" "${who[@]}" timeout -k 1 "${LAB_TIMEOUT:-10}" "$P" \
		sh -c "hostname other-$m; mount -t tmpfs lab-$m /mnt; sleep $m & exit 0"
	log_run "[$WHO] on a scratch host: $P sh -c 'hostname other; mount ...; sleep $m &'"
	expect_status 0
	diff "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after" >&2 ||
		fail "the (scratch) host's hostname or mounts changed"
	expect_eq "$(hostname)" "$host" "the machine's hostname afterwards"
	expect_gone "sleep $m"
}

@test "pipe-sync: the host's hostname, mounts and processes are unchanged afterwards" { check_host_unchanged caller; }
@test "pipe-sync: [rootless] the host's hostname, mounts and processes are unchanged afterwards" { slow; check_host_unchanged unpriv; }

# --- exit codes ---------------------------------------------------------------------------

check_exit_3() {
	as "$1"
	box --separate-stderr sh -c 'exit 3'
	expect_status 3
	expect_report "$stderr" "exited with status 3"
}

@test "pipe-sync: a command's exit status is passed on (exit 3 gives 3)" { check_exit_3 caller; }
@test "pipe-sync: [rootless] a command's exit status is passed on (exit 3 gives 3)" { slow; check_exit_3 unpriv; }

check_127() {
	as "$1"
	box -127 --separate-stderr no-such-command-lab
	expect_contains "$stderr" "exec no-such-command-lab: No such file or directory" "stderr"
}

@test "pipe-sync: a missing command gives 127 and names it" { check_127 caller; }
@test "pipe-sync: [rootless] a missing command gives 127 and names it" { slow; check_127 unpriv; }

check_126() {
	as "$1"
	local f=$W/not-executable
	echo 'echo hi' >"$f"
	chmod 644 "$f"
	box -126 --separate-stderr "$f"
	expect_contains "$stderr" "exec $f: Permission denied" "stderr"
}

@test "pipe-sync: a file without execute permission gives 126" { check_126 caller; }
@test "pipe-sync: [rootless] a file without execute permission gives 126" { slow; check_126 unpriv; }

check_no_command() {
	as "$1"
	box -125 --separate-stderr
	expect_eq "$output" "" "stdout"
	expect_match "$stderr" "Try '.* -h'\." "stderr"
}

@test "pipe-sync: no command gives 125 and points at -h" { check_no_command caller; }
@test "pipe-sync: [rootless] no command gives 125 and points at -h" { slow; check_no_command unpriv; }

check_unknown_option() {
	as "$1"
	box -125 --separate-stderr -x true
	expect_match "$stderr" "Try '.* -h'\." "stderr"
}

@test "pipe-sync: an unknown option gives 125 and points at -h" { check_unknown_option caller; }
@test "pipe-sync: [rootless] an unknown option gives 125 and points at -h" { slow; check_unknown_option unpriv; }

check_long_hostname() {
	as "$1"
	local long
	long=$(printf 'h%.0s' {1..65})
	box -125 --separate-stderr --hostname "$long" true
	expect_contains "$stderr" "65" "stderr (names the length)"
}

@test "pipe-sync: a 65-character --hostname gives 125" { check_long_hostname caller; }
@test "pipe-sync: [rootless] a 65-character --hostname gives 125" { slow; check_long_hostname unpriv; }

@test "pipe-sync: -h prints usage on stdout and exits 0" {
	lab --separate-stderr -h
	expect_status 0
	expect_contains "$output" "Usage:" "stdout"
	expect_eq "$stderr" "" "stderr"
}

# --- signals ------------------------------------------------------------------------------

# PID 1 of the container traps TERM and exits 42: the forwarded SIGTERM reached it, and
# its own exit code comes back.
check_trapped_term() {
	as "$1"
	local log=$BATS_TEST_TMPDIR/log m
	M=$(marker)
	m=$M
	start_box "$log" -v sh -c "trap 'exit 42' TERM; sleep $m & wait"
	wait_for_proc "^sleep $m" "$BG"
	kill -TERM "$BG"
	wait_exit "$BG"
	cat "$log" >&2
	expect_status 42
	wait_for_line "$log" "forwarded SIGTERM to PID [0-9]+"
	expect_report "$(cat "$log")" "exited with status 42"
	expect_gone "sleep $m"
}

@test "pipe-sync: a trapped SIGTERM is forwarded; the child's own exit code comes back" { check_trapped_term caller; }
@test "pipe-sync: [rootless] a trapped SIGTERM is forwarded; the child's own exit code comes back" { slow; check_trapped_term unpriv; }

# sleep as PID 1 has no handler, so the kernel would drop SIGTERM: the runtime follows the
# forwarded one with SIGKILL, and a single SIGTERM (timeout, a supervisor) ends the container.
check_first_term() {
	as "$1"
	local log=$BATS_TEST_TMPDIR/log m
	M=$(marker)
	m=$M
	start_box "$log" -v sleep "$m"
	wait_for_proc "^sleep $m" "$BG"
	kill -TERM "$BG"
	wait_exit "$BG"
	cat "$log" >&2
	expect_status 137
	expect_match "$(cat "$log")" "init with no handler for SIGTERM.*sent SIGKILL" "-v log"
	expect_report "$(cat "$log")" "killed by signal 9 \(SIGKILL\)"
	expect_gone "sleep $m"
}

@test "pipe-sync: sleep as PID 1 would drop SIGTERM: one SIGTERM ends it with 137" { check_first_term caller; }
@test "pipe-sync: [rootless] sleep as PID 1 would drop SIGTERM: one SIGTERM ends it with 137" { slow; check_first_term unpriv; }

# A PID 1 that ignores SIGTERM (SIG_IGN survives exec) keeps running; the second one kills.
check_second_term() {
	as "$1"
	local log=$BATS_TEST_TMPDIR/log m
	M=$(marker)
	m=$M
	start_box "$log" -v sh -c "trap '' TERM; exec sleep $m"
	wait_for_proc "^sleep $m" "$BG"
	kill -TERM "$BG"
	wait_for_line "$log" "forwarded SIGTERM to PID [0-9]+"
	kill -0 "$BG" || fail "an ignored SIGTERM should not have ended it"
	kill -TERM "$BG"
	wait_exit "$BG"
	cat "$log" >&2
	expect_status 137
	expect_report "$(cat "$log")" "killed by signal 9 \(SIGKILL\)"
	expect_gone "sleep $m"
}

@test "pipe-sync: a PID 1 that ignores SIGTERM survives it; the second ends it with 137" { check_second_term caller; }
@test "pipe-sync: [rootless] a PID 1 that ignores SIGTERM survives it; the second ends it with 137" { slow; check_second_term unpriv; }

# --- the failure paths, driven from outside with strace -----------------------------------
# LeakSanitizer cannot run under ptrace: an ASan build (make san) needs detect_leaks=0 here.
# COMMAND is `touch FILE`, FILE named with a marker: if FILE exists, COMMAND ran, and any
# process with the marker in its command line was left behind.

# strace kills the parent at its write of the go byte (the first write to a pipe or socket):
# COMMAND must not run, and nothing may be left.
check_killed_at_sync() {
	as "$1"
	requires tool:strace
	export ASAN_OPTIONS=detect_leaks=0
	M=$(marker)
	local f=$W/ran-$M parent
	nth_write '<(pipe|socket):\['
	traced "$W/trace" -e trace=read,write -e inject=write:signal=KILL:when="$N" "$P" touch "$f"
	parent=$(head -n 1 "$W/trace" | cut -d' ' -f1)
	grep -qE "^$parent +\+\+\+ killed by SIGKILL" "$W/trace" ||
		fail "the parent was not killed at its write number $N"
	[ ! -e "$f" ] || fail "COMMAND ran: $f exists"
	expect_gone "$M"
}

@test "pipe-sync: parent killed at the go byte: COMMAND never runs, nothing left" { check_killed_at_sync caller; }
@test "pipe-sync: [rootless] parent killed at the go byte: COMMAND never runs, nothing left" { slow; check_killed_at_sync unpriv; }

# As above, with PR_SET_PDEATHSIG faked by strace (it returns 0 and does nothing), so only
# the pipe guards the child. Deterministic: strace holds the parent at its write of the go
# byte (delay_enter, 2 s), and the parent is killed only once the child is provably blocked
# in read(2) on the pipe (blocked_in_pipe_read). strace lets the killed parent go when the
# delay ends; then the child must read end of file and exit 125, and COMMAND never runs.
# log_held_run: wait for check_eof_is_not_go's run (BG), then log it as run_logged would, and
# its trace.
log_held_run() {
	status=0
	wait "$BG" 2>/dev/null || status=$?
	output=$(cat "$BATS_TEST_TMPDIR/out")
	stderr=$(cat "$BATS_TEST_TMPDIR/err")
	cat "$W/trace" >&2
	log_run "[$WHO] strace -f ... $P touch $W/ran-$M  (the parent held at its go byte, then killed)"
}

check_eof_is_not_go() {
	as "$1"
	requires tool:strace
	export ASAN_OPTIONS=detect_leaks=0
	M=$(marker)
	local f=$W/ran-$M parent="" child="" pid tracer where
	nth_write '<(pipe|socket):\['
	(cd / && exec "${WRAP[@]}" timeout -k 1 10 strace -f -q -y -o "$W/trace" \
		-e trace=prctl,read,write,exit_group -e inject=prctl:retval=0 \
		-e inject=write:delay_enter=2000000:when="$N" "$P" touch "$f") \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	BG=$!
	# The parent: the program's process whose parent is strace; the child: the parent's.
	for _ in $(seq 30); do
		for pid in $(procs "touch $W/ran-$M\$"); do
			read -r tracer 2>/dev/null <"/proc/$(ps_field "$pid" 4)/comm" || continue
			[ "$tracer" = strace ] && parent=$pid
		done
		[ -n "$parent" ] && child=$(cat "/proc/$parent/task/$parent/children" 2>/dev/null) &&
			child=${child%% *} && [ -n "$child" ] && blocked_in_pipe_read "$child" && break
		sleep 0.05
	done
	if [ -z "$child" ] || ! blocked_in_pipe_read "$child"; then
		where=$(cat "/proc/${child:-0}/syscall" 2>/dev/null)
		kill -KILL "$BG" ${parent:+"$parent"} ${child:+"$child"} 2>/dev/null
		log_held_run
		fail "with the parent held at its write of the go byte (write number $N), the child" \
			"(PID ${child:-none found}) did not block in read on the sync pipe within 1.5 s" \
			"(its /proc/PID/syscall: '${where:-gone}')"
		return 1
	fi
	kill -KILL "$parent"
	# strace lets the parent die when the delay ends; then end of file must come at once.
	poll ended "$parent" || poll ended "$parent" || poll ended "$parent" || true
	if ! poll ended "$child"; then
		kill -KILL "$child" 2>/dev/null
		log_held_run
		fail "the child (PID $child) was still blocked in read on the sync pipe 2 s after its" \
			"parent died: end of file never came, so some process still holds the pipe's write" \
			"end (the child's own copy? close it in the child before it reads)"
		return 1
	fi
	log_held_run
	[ ! -e "$f" ] || fail "COMMAND ran: $f exists"
	grep -qE "^$child +\+\+\+ exited with 125 \+\+\+" "$W/trace" ||
		fail "on end of file (its parent killed before the go byte) the child (PID $child)" \
			"must exit 125; it $(sed -nE "s/^$child +\+\+\+ (.*) \+\+\+$/\1/p" "$W/trace" | tail -n 1)"
	expect_gone "$M"
}

@test "pipe-sync: end of file on the pipe is not go: the child exits 125" { check_eof_is_not_go caller; }
@test "pipe-sync: [rootless] end of file on the pipe is not go: the child exits 125" { slow; check_eof_is_not_go unpriv; }

# strace makes the parent's write to uid_map fail: 125, the reason names uid_map, no
# report line (no command ran), and no child left.
check_uid_map_error() {
	as "$1"
	requires tool:strace
	export ASAN_OPTIONS=detect_leaks=0
	M=$(marker)
	local f=$W/ran-$M
	nth_write '/uid_map>'
	traced "$W/trace" -e trace=write -e inject=write:error=EPERM:when="$N" "$P" touch "$f"
	expect_status 125
	expect_contains "$stderr" "uid_map" "stderr"
	if [[ $stderr =~ (exited with status|killed by signal) ]]; then
		fail "a report line, though no command ran"
	fi
	[ ! -e "$f" ] || fail "COMMAND ran: $f exists"
	expect_gone "$M"
}

@test "pipe-sync: a failed uid_map write gives 125, names uid_map, leaves nothing" { check_uid_map_error caller; }
@test "pipe-sync: [rootless] a failed uid_map write gives 125, names uid_map, leaves nothing" { slow; check_uid_map_error unpriv; }

@test "pipe-sync: a failed uid_map write is reported with its own errno (EPERM)" {
	as caller
	requires tool:strace
	export ASAN_OPTIONS=detect_leaks=0
	nth_write '/uid_map>'
	traced "$W/trace" -e trace=write -e inject=write:error=EPERM:when="$N" "$P" true
	expect_status 125
	expect_match "$stderr" "uid_map: Operation not permitted" "stderr"
}

@test "pipe-sync: a failed pipe2 gives 125 and names it; no child is made" {
	requires tool:strace
	run_logged --separate-stderr env ASAN_OPTIONS=detect_leaks=0 timeout -k 1 5 strace -f -qq \
		-o "$BATS_TEST_TMPDIR/trace" -e trace=pipe2,clone,clone3 \
		-e inject=pipe2:error=EMFILE "$PROG_BIN" true
	expect_status 125
	expect_contains "$stderr" "pipe2: Too many open files" "stderr"
	run grep -cE '^[0-9]+ +clone3?\(' "$BATS_TEST_TMPDIR/trace"
	expect_eq "$output" "0" "clone calls after the failed pipe2"
}

# --- what the mutants (make mutants) showed missing ----------------------------------------

# Every namespace of stage 03, and a user namespace: each of the container's namespace links
# differs from the program's own (the program is the "outside": on a scratch host as root).
check_every_ns_new() {
	as "$1"
	local log=$BATS_TEST_TMPDIR/log child t same=""
	M=$(marker)
	start_box "$log" sleep "$M"
	wait_for_proc "^sleep $M" "$BG"
	child=$(pgrep -f -- "^sleep $M")
	for t in ipc mnt net pid user uts; do
		[ "$(readlink "/proc/$BG/ns/$t")" != "$(readlink "/proc/$child/ns/$t")" ] ||
			same="$same $t"
	done
	kill -KILL "$child" "$BG" 2>/dev/null
	wait "$BG" 2>/dev/null || true
	[ -n "$(readlink "/proc/$$/ns/ipc")" ] || fail "cannot read /proc/PID/ns here"
	[ -z "$same" ] || fail "namespaces the container shares with the program:$same"
}

@test "pipe-sync: every namespace is new: ipc, mnt, net, pid, user, uts" { check_every_ns_new caller; }
@test "pipe-sync: [rootless] every namespace is new: ipc, mnt, net, pid, user, uts" { slow; check_every_ns_new unpriv; }

# The runtime itself is killed with SIGKILL, so it forwards nothing: the kernel's
# parent-death signal (PR_SET_PDEATHSIG) must end the container's init.
check_sigkill_runtime() {
	as "$1"
	local log=$BATS_TEST_TMPDIR/log
	M=$(marker)
	start_box "$log" sleep "$M"
	wait_for_proc "^sleep $M" "$BG"
	kill -KILL "$BG"
	wait_exit "$BG"
	expect_status 137
	expect_gone "sleep $M"
}

@test "pipe-sync: SIGKILL to pipe-sync leaves no container init running" { check_sigkill_runtime caller; }
@test "pipe-sync: [rootless] SIGKILL to pipe-sync leaves no container init running" { slow; check_sigkill_runtime unpriv; }

# Started with SIGCHLD ignored (see sigchld_ignorer), it must still see its child end.
check_sigchld_ignored() {
	as "$1"
	sigchld_ignorer
	LOG_AS="[$WHO] (SIGCHLD ignored) $P sh -c 'exit 3'" \
		run_logged --separate-stderr as_who timeout -k 1 5 "${IGNORE_CHLD[@]}" "$P" sh -c 'exit 3'
	expect_status 3
	expect_report "$stderr" "exited with status 3"
}

@test "pipe-sync: started with SIGCHLD ignored, it still waits and passes on exit 3" { check_sigchld_ignored caller; }
@test "pipe-sync: [rootless] started with SIGCHLD ignored, it still waits and passes on exit 3" { slow; check_sigchld_ignored unpriv; }

# A directory first on PATH that COMMAND may not search: execvp says EACCES, yet the command
# is on no PATH directory, so 127. Root inside the container may search whatever its user
# namespace maps, so the directory is one the caller does not own: root's locked directory,
# for uid 65534; /root, for an ordinary user, when it is locked to them.
@test "pipe-sync: [rootless] not found gives 127 even when the first PATH directory cannot be searched" {
	local dir
	as unpriv
	if [ "$(id -u)" = 0 ]; then
		dir=$(locked_dir)
	else
		[ -d /root ] && [ ! -x /root ] && [ ! -O /root ] ||
			skip "needs a directory this user cannot search and does not own (like /root)"
		dir=/root
	fi
	LOG_AS="[$WHO] PATH=$dir:/usr/bin:/bin $P no-such-command-lab" \
		run_logged -127 --separate-stderr as_who env PATH="$dir:/usr/bin:/bin" \
		timeout -k 1 "${LAB_TIMEOUT:-10}" "$P" no-such-command-lab ||
		{ [ "$dir" = /root ] || chmod 700 "$dir"; return 1; }
	[ "$dir" = /root ] || chmod 700 "$dir"
	expect_contains "$stderr" "no-such-command-lab" "stderr"
}

# As the caller did above, unprivileged: the hint for an unprivileged refusal reads sysctl
# files, and building it must not change the errno that the error line reports.
@test "pipe-sync: [rootless] a failed uid_map write is reported with its own errno (EPERM)" {
	as unpriv
	requires tool:strace
	export ASAN_OPTIONS=detect_leaks=0
	nth_write '/uid_map>'
	traced "$W/trace" -e trace=write -e inject=write:error=EPERM:when="$N" "$P" true
	expect_status 125
	expect_match "$stderr" "uid_map: Operation not permitted" "stderr"
}

# sh starts true, then execs the program: true is the program's child too, and ends
# first. The report is about the container's init: exit 3.
check_own_child() {
	as "$1"
	# shellcheck disable=SC2016  # $0 belongs to sh
	LOG_AS="[$WHO] sh -c 'true & exec $P sh -c \"sleep 0.1; exit 3\"'" \
		run_logged --separate-stderr as_who timeout -k 1 10 \
		sh -c 'true & exec "$0" sh -c "sleep 0.1; exit 3"' "$P"
	expect_status 3
	expect_report "$stderr" "exited with status 3"
}

@test "pipe-sync: it waits for its own child, not one it inherited through exec" { check_own_child caller; }
@test "pipe-sync: [rootless] it waits for its own child, not one it inherited through exec" { slow; check_own_child unpriv; }
