#!/usr/bin/env bats
# Stage 03, one clone flag per namespace: the contract of CONTRIBUTING.md, checked from outside.
# Run: make check 3            Your own program: make check 3 BIN=./mine
#
# A check that would rename the machine or mount on it if the program failed to isolate
# runs on a "scratch host" (see scratch_lab below), so a broken program fails its checks
# without harming the machine.

load helpers

setup() {
	PROG_BIN=$(stage_bin 03)
	MARK=$(marker)
	lab_setup
}

teardown() {
	kill_marked "sleep $MARK"          # only if a check failed: its own processes
	[ -n "${QID:-}" ] && ipcrm -q "$QID" 2>/dev/null
	[ -n "${INNER_QKEY:-}" ] && ipcrm -Q "$INNER_QKEY" 2>/dev/null
	if [ -n "${MNT_DIR:-}" ]; then
		while findmnt -n "$MNT_DIR" >/dev/null 2>&1; do umount "$MNT_DIR" || break; done
	fi
	[ -n "${UNPRIV_DIR:-}" ] && rm -rf "$UNPRIV_DIR"
	lab_teardown
}

# The kinds of namespace this kernel has (cgroup and time too: multi-ns never asks for them).
NS_TYPES=""
for t in cgroup ipc mnt net pid time user uts; do
	[ -e "/proc/self/ns/$t" ] && NS_TYPES="$NS_TYPES $t"
done
# A script printing "TYPE INODE" for each kind, for the process running it.
NS_SCRIPT="for t in$NS_TYPES; do echo \"\$t \$(stat -L -c %i /proc/self/ns/\$t)\"; done"

# expect_ns_differ LETTER TYPE: with -LETTER, the child's TYPE namespace is new and every
# other kind is the test's own.
expect_ns_differ() {
	local host line t inode want
	host=$(sh -c "$NS_SCRIPT")
	lab --separate-stderr "-$1" sh -c "$NS_SCRIPT"
	expect_status 0
	for t in $NS_TYPES; do
		want=$(printf '%s\n' "$host" | sed -n "s/^$t //p")
		line=$(printf '%s\n' "$output" | grep "^$t ") || fail "no inode for $t inside"
		inode=${line#"$t "}
		if [ "$t" = "$2" ]; then
			[ "$inode" != "$want" ] || fail "-$1: $t namespace should be new, is the host's ($want)"
		else
			expect_eq "$inode" "$want" "-$1: $t namespace inode (not asked for)"
		fi
	done
}

# Checks that rename or mount run the program on a scratch host: throwaway UTS and mount
# namespaces, copies of the machine's (`unshare -u -m --propagation private`). A program that
# failed to isolate then renames the copy or covers the copy's /proc, and the check sees it,
# while the machine and whatever else runs on it are untouched.

# take_run_flags ARG...: the leading ARGs that are bats run's own (-N, !, --separate-stderr)
# go into the array RUN_FLAGS, their number into RUN_FLAGS_N.
take_run_flags() {
	RUN_FLAGS=()
	while [ $# -gt 0 ]; do
		case $1 in
		-[0-9]* | '!' | --separate-stderr) RUN_FLAGS+=("$1"); shift ;;
		*) break ;;
		esac
	done
	RUN_FLAGS_N=${#RUN_FLAGS[@]}
}

# scratch_lab [RUN-FLAGS] ARG...: like lab, on a scratch host; that host's hostname
# afterwards is in $after_hostname.
scratch_lab() {
	local hn_file=$BATS_TEST_TMPDIR/hostname-after
	requires tool:unshare tool:hostname
	take_run_flags "$@"
	shift "$RUN_FLAGS_N"
	run "${RUN_FLAGS[@]}" timeout -k 1 "${LAB_TIMEOUT:-10}" unshare -u -m --propagation private \
		sh -c 'f=$1; shift; "$@"; rc=$?; hostname >"$f"; exit $rc' sh "$hn_file" "$PROG_BIN" "$@"
	log_run "on a scratch host: $PROG_BIN $*"
	after_hostname=$(cat "$hn_file" 2>/dev/null)
}

# scratch_run [RUN-FLAGS] private|shared SCRIPT [ARG]...: bats run of sh -c SCRIPT on a scratch
# host, with $1 the program under test and ARGs after it. With `shared`, the scratch host's /
# is made shared again, in a peer group of its own: a stand-in for a systemd host, whose / is
# shared. (Private first: on a shared host, `unshare -m --propagation shared` stays a peer of
# the machine's mounts, and a mount made there would reach the machine.)
scratch_run() {
	local prep=""
	requires tool:unshare
	take_run_flags "$@"
	shift "$RUN_FLAGS_N"
	[ "$1" = shared ] && prep='mount --make-rshared / || exit 99; '
	run "${RUN_FLAGS[@]}" timeout -k 1 "${LAB_TIMEOUT:-10}" \
		unshare -u -m --propagation private sh -c "$prep$2" sh "$PROG_BIN" "${@:3}"
	log_run "on a scratch host, / $1: $2"
}

# make_host_queue: a System V message queue on the host; its ID in QID, its key in QKEY.
make_host_queue() {
	QID=$(ipcmk -Q | sed -n 's/^Message queue id: //p')
	[ -n "$QID" ] || fail "ipcmk -Q made no queue"
	QKEY=$(ipcs -q | awk -v id="$QID" '$2 == id { print $1 }')
	[ -n "$QKEY" ] || fail "queue $QID not listed by ipcs -q on the host"
}

@test "multi-ns: make stage 3's demo: hostname lab, PID 1, only lo, ps sees the namespace" {
	requires root tool:ip tool:ps tool:hostname tool:unshare
	scratch_lab --separate-stderr -impnu --hostname lab -- sh -c 'hostname; echo $$; ip -o link; ps -o pid,comm'
	expect_status 0
	expect_eq "$(sed -n 1p <<<"$output")" "lab" "hostname inside"
	expect_eq "$(sed -n 2p <<<"$output")" "1" "\$\$ inside"
	expect_match "$(sed -n 3p <<<"$output")" "^1: lo: " "the only link"
	expect_match "$(sed -n 4p <<<"$output")" "PID +COMMAND" "ps header"
	expect_match "$(sed -n 5p <<<"$output")" "^ +1 sh$" "ps: PID 1 is sh"
	expect_match "$(sed -n '$p' <<<"$output")" "^ +[2-9] ps$" "ps: ps itself, a low PID"
	[ "$(wc -l <<<"$output")" -le 6 ] || fail "ps lists processes from outside: $output"
	expect_report "$stderr" "exited with status 0"
}

@test "multi-ns: -i gives a new ipc namespace, the other kinds stay the host's" {
	requires root
	expect_ns_differ i ipc
}

@test "multi-ns: -m gives a new mnt namespace, the other kinds stay the host's" {
	requires root
	expect_ns_differ m mnt
}

@test "multi-ns: -n gives a new net namespace, the other kinds stay the host's" {
	requires root
	expect_ns_differ n net
}

@test "multi-ns: -p gives a new pid namespace, the other kinds stay the host's" {
	requires root
	expect_ns_differ p pid
}

@test "multi-ns: -u gives a new uts namespace, the other kinds stay the host's" {
	requires root
	expect_ns_differ u uts
}

@test "multi-ns: -U gives a new user namespace, the other kinds stay the host's" {
	requires tool:unshare
	unshare -U true 2>/dev/null || skip "this user may not create a user namespace here"
	expect_ns_differ U user
}

@test "multi-ns: no letter: every namespace is the host's (stage 00's behaviour)" {
	expect_ns_differ '-' none
}

@test "multi-ns: -u --hostname lab: hostname prints lab, the host's name is unchanged" {
	requires root tool:unshare tool:hostname
	local before
	before=$(hostname)
	scratch_lab --separate-stderr -u --hostname lab hostname
	expect_status 0
	expect_eq "$output" "lab" "hostname inside"
	expect_eq "$after_hostname" "$before" "the (stand-in) host's hostname afterwards"
	expect_eq "$(hostname)" "$before" "the host's hostname afterwards"
}

@test "multi-ns: -u: hostname other inside does not reach the host" {
	requires root tool:unshare tool:hostname
	local before
	before=$(hostname)
	scratch_lab --separate-stderr -u sh -c 'hostname other && hostname'
	expect_status 0
	expect_eq "$output" "other" "hostname inside after renaming"
	expect_eq "$after_hostname" "$before" "the (stand-in) host's hostname afterwards"
	expect_eq "$(hostname)" "$before" "the host's hostname afterwards"
}

@test "multi-ns: -n: ip -o link prints one line, lo, DOWN" {
	requires root tool:ip
	lab --separate-stderr -n ip -o link
	expect_status 0
	expect_eq "$(wc -l <<<"$output")" "1" "number of links"
	expect_match "$output" "^1: lo: .*state DOWN" "the only link"
}

@test "multi-ns: -i: a message queue made on the host is not listed inside" {
	requires root tool:ipcmk tool:ipcs tool:ipcrm
	make_host_queue
	lab --separate-stderr -i ipcs -q
	expect_status 0
	expect_contains "$output" "Message Queues" "ipcs -q inside"
	[[ $output != *"$QKEY"* ]] || fail "the host's queue $QKEY is listed inside: $output"
}

@test "multi-ns: -i: a message queue made inside is gone with the namespace" {
	requires root tool:ipcmk tool:ipcs tool:ipcrm
	lab --separate-stderr -i sh -c 'ipcmk -Q >/dev/null && ipcs -q'
	expect_status 0
	INNER_QKEY=$(awk '$1 ~ /^0x/ { print $1 }' <<<"$output")
	[ -n "$INNER_QKEY" ] || fail "no queue listed inside after ipcmk -Q"
	run ipcs -q
	[[ $output != *"$INNER_QKEY"* ]] || fail "queue $INNER_QKEY left on the host: $output"
	INNER_QKEY=""
}

@test "multi-ns: -m: a tmpfs mounted inside is not in the host's findmnt afterwards" {
	requires root tool:findmnt
	MNT_DIR=$BATS_TEST_TMPDIR/mnt
	mkdir -p "$MNT_DIR"
	lab --separate-stderr -m sh -c 'mount -t tmpfs lab-tmpfs "$1" && findmnt -no FSTYPE "$1"' sh "$MNT_DIR"
	expect_status 0
	expect_eq "$output" "tmpfs" "findmnt inside"
	run findmnt -n "$MNT_DIR"
	expect_eq "$output" "" "findmnt $MNT_DIR on the host"
}

@test "multi-ns: -m on a shared /: a tmpfs mounted inside does not propagate out" {
	requires root tool:findmnt tool:unshare
	MNT_DIR=$BATS_TEST_TMPDIR/mnt
	mkdir -p "$MNT_DIR"
	scratch_run --separate-stderr shared '"$1" -m mount -t tmpfs lab-tmpfs "$2"; rc=$?
		findmnt -no FSTYPE "$2"; exit $rc' "$MNT_DIR"
	expect_status 0
	expect_eq "$output" "" "findmnt $MNT_DIR outside the child, on the shared /"
}

@test "multi-ns: -m on a shared /: findmnt -no PROPAGATION / inside says private" {
	requires root tool:findmnt tool:unshare
	scratch_run --separate-stderr shared 'findmnt -no PROPAGATION / >&2; "$1" -m findmnt -no PROPAGATION /'
	expect_status 0
	expect_contains "$stderr" "shared" "propagation of / outside the child (the stand-in host)"
	expect_eq "$output" "private" "propagation of / inside"
}

@test "multi-ns: -m -p: ps -e inside lists only the namespace's processes" {
	requires root tool:ps
	scratch_lab --separate-stderr -mp ps -e -o pid=,comm=
	expect_status 0
	expect_match "$output" "^ *1 ps$" "ps -e inside"
}

@test "multi-ns: -m -p on a shared /: ps -e inside is the namespace's, /proc outside stays the host's" {
	requires root tool:ps tool:unshare
	local init
	init=$(cat /proc/1/comm)
	scratch_run --separate-stderr shared '"$1" -mp ps -e -o pid=,comm=; rc=$?
		echo "comm $(cat /proc/1/comm)"; echo "count $(ps -e --no-headers | wc -l)"; exit $rc'
	expect_status 0
	expect_match "$(sed -n 1p <<<"$output")" "^ *1 ps$" "ps -e inside"
	expect_eq "$(sed -n 's/^comm //p' <<<"$output")" "$init" "/proc/1/comm outside the child"
	local count
	count=$(sed -n 's/^count //p' <<<"$output")
	[ "${count:-0}" -gt 3 ] || fail "ps -e outside the child sees $count processes, not the host's"
}

@test "multi-ns: -m -p: the /proc outside the child is unchanged afterwards" {
	requires root tool:findmnt tool:unshare
	scratch_run --separate-stderr private 'findmnt -n -o TARGET,SOURCE,FSTYPE,OPTIONS /proc
		"$1" -mp true >&2; rc=$?; findmnt -n -o TARGET,SOURCE,FSTYPE,OPTIONS /proc; exit $rc'
	expect_status 0
	expect_eq "$(sed -n 2p <<<"$output")" "$(sed -n 1p <<<"$output")" "findmnt /proc after (line 2) and before"
	expect_eq "$(wc -l <<<"$output")" "2" "lines from findmnt /proc, before and after"
}

@test "multi-ns: -U: id -u prints 65534, the overflow ID (no map yet)" {
	requires tool:unshare
	unshare -U true 2>/dev/null || skip "this user may not create a user namespace here"
	lab --separate-stderr -U id -u
	expect_status 0
	expect_eq "$output" "65534" "id -u inside"
	expect_report "$stderr" "exited with status 0"
}

@test "multi-ns: [unprivileged] -Uu --hostname x: hostname prints x" {
	requires userns tool:hostname
	local bin
	bin=$(unpriv_bin "$PROG_BIN")
	run --separate-stderr as_unpriv timeout -k 1 "${LAB_TIMEOUT:-10}" "$bin" -Uu --hostname x hostname
	log_run "unprivileged: $bin -Uu --hostname x hostname"
	expect_status 0
	expect_eq "$output" "x" "hostname inside"
}

@test "multi-ns: [unprivileged] -u alone fails with 125 and the hint names -U" {
	requires unpriv
	local bin
	bin=$(unpriv_bin "$PROG_BIN")
	run --separate-stderr as_unpriv timeout -s KILL 10 "$bin" -u hostname
	log_run "unprivileged: $bin -u hostname"
	expect_status 125
	expect_eq "$output" "" "stdout (hostname must not run)"
	expect_match "$stderr" "Operation not permitted" "stderr"
	expect_contains "$stderr" "-U" "the hint"
}

@test "multi-ns: [unprivileged] no letter needs no privilege (stage 00's behaviour)" {
	requires unpriv
	local bin
	bin=$(unpriv_bin "$PROG_BIN")
	run --separate-stderr as_unpriv timeout -k 1 "${LAB_TIMEOUT:-10}" "$bin" echo hi
	log_run "unprivileged: $bin echo hi"
	expect_status 0
	expect_eq "$output" "hi" "stdout"
	expect_report "$stderr" "exited with status 0"
}

@test "multi-ns: --hostname without -u gives 125 and renames nothing" {
	requires root tool:unshare tool:hostname
	local before
	before=$(hostname)
	scratch_lab --separate-stderr --hostname lab-oops hostname
	expect_status 125
	expect_eq "$output" "" "stdout (hostname must not run)"
	expect_match "$stderr" "Try '.* -h'\." "stderr"
	expect_eq "$after_hostname" "$before" "the (stand-in) host's hostname afterwards"
}

@test "multi-ns: a 65-character hostname gives 125" {
	requires root tool:unshare tool:hostname
	scratch_lab --separate-stderr -u --hostname "$(printf 'a%.0s' {1..65})" hostname
	expect_status 125
	expect_eq "$output" "" "stdout (hostname must not run)"
	expect_contains "$stderr" "hostname" "stderr names the option"
}

@test "multi-ns: a 64-character hostname, the kernel's limit, is accepted" {
	requires root tool:unshare tool:hostname
	local name
	name=$(printf 'a%.0s' {1..64})
	scratch_lab --separate-stderr -u --hostname "$name" hostname
	expect_status 0
	expect_eq "$output" "$name" "hostname inside"
}

@test "multi-ns: an unknown letter gives 125 and points at -h" {
	lab --separate-stderr -x true
	expect_status 125
	expect_eq "$output" "" "stdout"
	expect_match "$stderr" "Try '.* -h'\." "stderr"
}

@test "multi-ns: no command gives 125 and points at -h" {
	lab --separate-stderr -u
	expect_status 125
	expect_eq "$output" "" "stdout"
	expect_match "$stderr" "Try '.* -h'\." "stderr"
}

@test "multi-ns: -impnu: a command's exit status is passed on (exit 3 gives 3)" {
	requires root
	scratch_lab --separate-stderr -impnu sh -c 'exit 3'
	expect_status 3
	expect_report "$stderr" "exited with status 3"
}

@test "multi-ns: -impnu: a missing command gives 127 and a message naming it" {
	requires root
	scratch_lab -127 --separate-stderr -impnu no-such-command-lab
	expect_status 127
	expect_contains "$stderr" "exec no-such-command-lab: No such file or directory" "stderr"
}

@test "multi-ns: -impnu: a directory as command gives 126" {
	requires root
	scratch_lab --separate-stderr -impnu /tmp
	expect_status 126
	expect_contains "$stderr" "exec /tmp: Permission denied" "stderr"
}

@test "multi-ns: -u: a command killed by SIGTERM gives 143 and names the signal" {
	requires root
	lab --separate-stderr -u sh -c 'kill -TERM $$'
	expect_status 143
	expect_report "$stderr" "killed by signal 15 \(SIGTERM\)"
}

@test "multi-ns: -h prints usage on stdout, lists each letter, exits 0" {
	lab --separate-stderr -h
	expect_status 0
	expect_contains "$output" "Usage:" "stdout"
	local opt
	for opt in -i -m -n -p -u -U --hostname; do
		expect_contains "$output" "$opt" "usage"
	done
	expect_eq "$stderr" "" "stderr"
}

@test "multi-ns: -v: each kind of namespace with the host's inode, the child's, (new) for uts only" {
	requires root
	local uts ipc
	uts=$(stat -L -c %i /proc/self/ns/uts)
	ipc=$(stat -L -c %i /proc/self/ns/ipc)
	lab --separate-stderr -v -u true
	expect_status 0
	expect_match "$stderr" "uts +host $uts, child [0-9]+ \(new\)" "-v line for uts"
	expect_match "$stderr" "ipc +host $ipc, child $ipc"$'\n' "-v line for ipc"
}

@test "multi-ns: -impnu: a background process inside dies with PID 1, nothing left" {
	requires root
	scratch_lab --separate-stderr -impnu sh -c "sleep $MARK >/dev/null 2>&1 & exit 0"
	expect_status 0
	expect_gone "sleep $MARK"
}

@test "multi-ns: -impnu: SIGKILL to multi-ns leaves no namespace init running" {
	requires root tool:unshare
	local log=$BATS_TEST_TMPDIR/log
	# On a scratch host; unshare execs the program, so $! is the program's PID.
	unshare -u -m --propagation private "$PROG_BIN" -impnu sleep "$MARK" 2>"$log" 3>&- &
	local pid=$!
	wait_for_proc "sleep $MARK"
	kill -KILL "$pid"
	wait_exit "$pid"
	expect_status 137
	expect_gone "sleep $MARK"
}

# fault FAULT ARG...: the program under test with one system call made to fail by strace
# (-e inject=FAULT), logged. LeakSanitizer cannot work under ptrace: off for these runs.
fault() {
	local fault=$1
	shift
	run_logged --separate-stderr env ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o /dev/null \
		-e trace="${fault%%:*}" -e inject="$fault" "$PROG_BIN" "$@"
}

@test "multi-ns: a failed sethostname gives 125, names the call and the name, runs nothing" {
	requires root tool:strace
	fault sethostname:error=EPERM -u --hostname lab touch "$BATS_TEST_TMPDIR/ran"
	expect_status 125
	expect_contains "$stderr" "sethostname lab: Operation not permitted" "stderr"
	[ ! -e "$BATS_TEST_TMPDIR/ran" ] || fail "COMMAND ran after sethostname failed"
}

@test "multi-ns: a failed mount of / private gives 125 and names it, runs nothing" {
	requires root tool:strace
	fault mount:error=EPERM:when=1 -m touch "$BATS_TEST_TMPDIR/ran"
	expect_status 125
	expect_contains "$stderr" "mount / (MS_REC | MS_PRIVATE): Operation not permitted" "stderr"
	[ ! -e "$BATS_TEST_TMPDIR/ran" ] || fail "COMMAND ran after the mount failed"
}

@test "multi-ns: a failed mount of /proc gives 125 and names it, runs nothing" {
	requires root tool:strace
	fault mount:error=EBUSY:when=2 -mp touch "$BATS_TEST_TMPDIR/ran"
	expect_status 125
	expect_contains "$stderr" "mount proc on /proc: Device or resource busy" "stderr"
	[ ! -e "$BATS_TEST_TMPDIR/ran" ] || fail "COMMAND ran after the mount failed"
}

@test "multi-ns: -impnu: not found gives 127 even when the first PATH directory cannot be searched" {
	requires root
	lab_locked_path -127 --separate-stderr -impnu no-such-command-lab
	expect_contains "$stderr" "no-such-command-lab" "stderr"
}

@test "multi-ns: -impnu: started with SIGCHLD ignored, it still waits and passes on exit 3" {
	requires root
	lab_sigchld_ignored --separate-stderr -impnu sh -c 'exit 3'
	expect_status 3
	expect_report "$stderr" "exited with status 3"
}
