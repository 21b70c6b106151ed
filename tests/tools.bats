#!/usr/bin/env bats
# The workshop tools: make diff, make trace, make check BIN=, make doctor; the budgets.
# Run: tools/run-tests.sh tests/tools.bats        (make test runs it after the stages)

load helpers

# The two `make check 0` runs take seconds (with BIN=/bin/true, two checks each poll 2 s for a
# process that never comes), so they start here, in the background, and the last two tests
# look at what they printed. Each writes NAME.out (stdout and stderr) and NAME.rc.
setup_file() {
	start_check own "$(lab_bin 00)"
	start_check true /bin/true
	# Some 1600 symlinks: on tmpfs in a few ms, on a slow disk it takes a second.
	local d=$BATS_FILE_TMPDIR
	[ -d /dev/shm ] && [ -w /dev/shm ] && d=$(mktemp -d /dev/shm/lab-tools.XXXXXX)
	echo "$d" >"$BATS_FILE_TMPDIR/no-strace.where"
	path_without strace "$d/no-strace"
}

teardown_file() {
	local d
	d=$(cat "$BATS_FILE_TMPDIR/no-strace.where" 2>/dev/null) || return 0
	[ "$d" != "$BATS_FILE_TMPDIR" ] && rm -rf "$d"
	return 0
}

# start_check NAME BIN: `make check 0 BIN=BIN` in the background, into $BATS_FILE_TMPDIR/NAME.*
start_check() {
	local out=$BATS_FILE_TMPDIR/$1
	(
		rc=0                           # bats runs with set -e: keep a failure's status
		clean_make check 0 BIN="$2" >"$out.out" 2>&1 || rc=$?
		echo "$rc" >"$out.rc.tmp" && mv "$out.rc.tmp" "$out.rc"
	) 3>&- 4>&- &
}

# harvest_check NAME BIN: wait (20 s at most) for start_check NAME; then $status, $output.
harvest_check() {
	local out=$BATS_FILE_TMPDIR/$1 end=$((SECONDS + 20))
	while [ ! -e "$out.rc" ]; do
		((SECONDS < end)) || { fail "make check 0 BIN=$2 did not end within 20 s"; return 1; }
		sleep 0.05
	done
	status=$(cat "$out.rc")
	output=$(cat "$out.out")
	log_run "make check 0 BIN=$2"
}

# lab_make ARG...: bats `run` of `make -s -C LAB_ROOT ARG...`, logged. The make that runs
# the suite (make test) must not leak into this one: its MAKEFLAGS would carry its own
# command-line variables (BIN=...), and N, FROM, ARGS, BIN, RAW in the environment would
# become this make's variables.
lab_make() {
	local n
	n=$(run_flag_count "$@")
	run_logged "${@:1:n}" clean_make "${@:n+1}"
}

# clean_make ARG...: make -s -C LAB_ROOT ARG..., without the outer make's variables.
clean_make() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u N -u FROM -u ARGS -u BIN -u RAW \
		make -s -C "$LAB_ROOT" "$@"
}

# path_without TOOL DIR: fill DIR with symlinks to every command on PATH except TOOL, for
# PATH=DIR (the first of each name wins, as a PATH lookup would).
path_without() {
	local dir dirs
	mkdir -p "$2"
	IFS=: read -ra dirs <<<"$PATH"
	for dir in "${dirs[@]}"; do
		[ -d "$dir" ] && { ln -s "$dir"/* "$2"/ 2>/dev/null || true; }
	done
	rm -f "$2/$1"
}

# no_strace: the PATH directory without strace (made by setup_file).
no_strace() {
	local d
	d=$(cat "$BATS_FILE_TMPDIR/no-strace.where")/no-strace
	if [ -e "$d/strace" ] || [ ! -x "$d/make" ]; then
		fail "$d should hold make but not strace"
		return 1
	fi
	echo "$d"
}

# changed_lines TEXT: the + and - lines of a unified diff, without its ---/+++ header.
changed_lines() {
	printf '%s\n' "$1" | grep -E '^[-+]' | grep -vE '^(---|\+\+\+) '
}

@test "tools: make diff 3 shows the new CLONE_NEW* flags and namespace table" {
	lab_make --separate-stderr diff 3
	expect_status 0
	expect_contains "$output" "--- 02-clone-pid/clone-pid.c" "diff header"
	expect_contains "$output" "+++ 03-multi-ns/multi-ns.c" "diff header"
	expect_match "$output" $'\n-\tpid = clone\\(child_main, stack \\+ stack_size, CLONE_NEWPID \\| SIGCHLD, &args\\);' \
		"the old clone"
	expect_match "$output" $'\n\\+\tpid = clone\\(child_main, stack \\+ stack_size, args\\.flags \\| SIGCHLD, &args\\);' \
		"the new clone"
	expect_match "$output" $'\n\\+[^\n]*args->flags \\|= ns_kinds\\[i\\]\\.flag;' \
		"a letter adds its flag from the namespace table"
	expect_match "$output" $'\n\\+[^\n]*sethostname\\(args->hostname' "the UTS namespace's hostname"
	expect_match "$output" $'\n\\+[^\n]*mount\\("proc", "/proc", "proc"' "the mount namespace's /proc"
}

@test "tools: make diff 3 leaves the shared skeleton alone (wait, stack, signals, exec, pdeathsig)" {
	lab_make --separate-stderr diff 3
	expect_status 0
	local unrelated
	unrelated=$(changed_lines "$output" |
		grep -vE '^[-+](#include|\s*/?\*)' |
		grep -E '(waitpid|map_stack|mmap|block_signals|execvp|exec_failed|die_with_parent|supervise)\(') || true
	expect_eq "$unrelated" "" "changed lines about what stage 02 already does"
}

# Budgets that keep each stage readable and each diff one idea (CONTRIBUTING.md, "One idea
# per stage"): at most 120 changed lines between neighbours (stage 02 against 00: stage 01 is
# a detour without fork), at most 280 lines per stage file, and at most 450 lines to read for
# stage 04: its file and the one header of common/ it includes.
@test "tools: make diff N changes at most 120 lines for N = 1..4" {
	local i n out=""
	for i in 1 2 3 4; do
		lab_make --separate-stderr diff "$i"
		expect_status 0
		n=$(changed_lines "$output" | wc -l)
		out+="make diff $i: $n changed lines"$'\n'
		((n <= 120)) || fail "make diff $i: $n changed lines, at most 120 allowed"$'\n'"$out"
	done
}

@test "tools: each stage file has at most 280 lines; stage 04 and common.h at most 450" {
	local f n
	for f in "$LAB_ROOT"/[0-9][0-9]-*/*.c; do
		n=$(wc -l <"$f")
		((n <= 280)) || fail "${f#"$LAB_ROOT"/}: $n lines, at most 280 allowed"
	done
	n=$(cat "$LAB_ROOT/04-pipe-sync/pipe-sync.c" "$LAB_ROOT/common/common.h" | wc -l)
	((n <= 450)) || fail "the reading path of stage 04 (pipe-sync.c, common.h): $n lines, at most 450"
	expect_eq "$(grep -h '#include "' "$LAB_ROOT"/[0-9][0-9]-*/*.c | sort -u)" '#include "common.h"' \
		"the headers of common/ that the stages include"
}

# calls_in FILE CALL...: fail naming each CALL( that FILE does not make itself.
calls_in() {
	local f=$1 call missing=""
	shift
	for call in "$@"; do
		grep -qE "(^|[^a-z_])$call\(" "$LAB_ROOT/$f" || missing+=" $call"
	done
	[ -z "$missing" ] || fail "$f does not make these calls itself:$missing"
}

@test "tools: each stage's own file makes the system calls it teaches, and those of the stages before" {
	local wait=(fork execvp waitpid WIFEXITED WIFSIGNALED WEXITSTATUS WTERMSIG)
	local clone=(execvp waitpid WIFEXITED WIFSIGNALED clone mmap mprotect munmap)
	local ns=(sethostname mount)
	local sync=(pipe2 open write read)
	calls_in 00-fork-exec/fork-exec.c "${wait[@]}"
	calls_in 01-exec-replace/exec-replace.c execvp
	calls_in 02-clone-pid/clone-pid.c "${clone[@]}"
	grep -q 'CLONE_NEWPID | SIGCHLD' "$LAB_ROOT/02-clone-pid/clone-pid.c" || fail "stage 02: no CLONE_NEWPID in its clone"
	calls_in 03-multi-ns/multi-ns.c "${clone[@]}" "${ns[@]}"
	calls_in 04-pipe-sync/pipe-sync.c "${clone[@]}" "${ns[@]}" "${sync[@]}"
	local f
	for f in uid_map setgroups gid_map; do
		grep -q "\"$f\"" "$LAB_ROOT/04-pipe-sync/pipe-sync.c" || fail "stage 04 does not write $f itself"
	done
	# ... and common/ makes none of them (what it may: kill, waitid, sigwaitinfo, prctl, poll;
	# waitpid(pid, NULL, ...) only where die_killing() reaps a child whose set-up failed).
	local taught
	taught=$(grep -nE '(^|[^a-z_])(fork|execvp|waitpid|clone|mmap|pipe2|sethostname|mount)\(' \
		"$LAB_ROOT"/common/*.c | grep -vE ':[0-9]+:(#include|\s*/?\*)|waitpid\(pid, NULL, 0\)') || true
	expect_eq "$taught" "" "calls a stage teaches, made in common/"
}

@test "tools: make diff 2 compares with stage 00, saying why on stderr; FROM=1 with stage 01" {
	lab_make --separate-stderr diff 2
	expect_status 0
	expect_contains "$stderr" "make diff 2 FROM=1" "the note on stderr"
	expect_contains "$output" "-	pid = fork();" "the fork that goes"
	expect_contains "$output" "+	pid = clone(child_main, stack + stack_size, CLONE_NEWPID | SIGCHLD, &args);" \
		"the clone that comes"
	lab_make --separate-stderr diff 2 FROM=1
	expect_status 0
	expect_contains "$output" "--- 01-exec-replace/exec-replace.c" "diff header with FROM=1"
	expect_eq "$stderr" "" "stderr with FROM given"
}

@test "tools: make diff 0 and make diff 9 fail with a message naming the stages" {
	lab_make --separate-stderr diff 0
	[ "$status" -ne 0 ] || fail "make diff 0: expected a non-zero exit, got 0"
	expect_contains "$stderr" "Stage 00 is the first stage" "stderr of make diff 0"
	lab_make --separate-stderr diff 9
	[ "$status" -ne 0 ] || fail "make diff 9: expected a non-zero exit, got 0"
	expect_contains "$stderr" "No stage '9'. Stages here: 0 1 2 3 4" "stderr of make diff 9"
}

@test "tools: make trace 0 shows fork-exec's clone, the execve of bash and the wait4" {
	requires tool:strace
	lab_make --separate-stderr trace 0
	expect_status 0
	expect_eq "$(head -n 1 <<<"$output")" "test" "the demo's output, first"
	expect_match "$output" $'\n[0-9]+ execve\\("\\./00-fork-exec/fork-exec", ' "execve of the stage"
	expect_match "$output" $'\n[0-9]+ (clone|clone3|fork|vfork)\\(' "the fork"
	expect_match "$output" $'\n[0-9]+ execve\\("/bin/bash", \\["/bin/bash", "-c", "echo test"\\]' \
		"execve of the command"
	expect_match "$output" $'\n[0-9]+ wait4\\([0-9]+, \\[\\{WIFEXITED\\(s\\) && WEXITSTATUS\\(s\\) == 0\\}\\]' \
		"wait4 of the child"
	[[ $output != *ld.so.cache* && $output != *libc.so* ]] ||
		fail "the dynamic loader's openat/read should be filtered out, got: $output"
}

@test "tools: make trace 4 shows the ID map writes and the go byte on the pipe" {
	requires tool:strace
	lab_make --separate-stderr trace 4
	expect_status 0
	expect_match "$output" $'\n[0-9]+ pipe2\\(\\[[0-9]+<pipe:' "pipe2"
	expect_match "$output" $'\n[0-9]+ clone\\([^\n]*CLONE_NEWUSER' "clone with CLONE_NEWUSER"
	expect_match "$output" $'\n[0-9]+ write\\([0-9]+</proc/[0-9]+/uid_map>, "0 [0-9]+ 1\\\\n"' \
		"the uid_map write"
	expect_match "$output" $'\n[0-9]+ write\\([0-9]+</proc/[0-9]+/gid_map>, ' "the gid_map write"
	expect_match "$output" $'\n[0-9]+ read\\([0-9]+<pipe:\\[[0-9]+\\]>, "G", 1\\) = 1' \
		"the child reading the go byte"
}

@test "tools: make trace without strace gives a one-line hint and fails" {
	local p
	p=$(no_strace)
	PATH=$p lab_make --separate-stderr trace 0
	[ "$status" -ne 0 ] || fail "expected a non-zero exit without strace, got 0"
	expect_eq "$(head -n 1 <<<"$stderr")" "strace not found: apt-get install strace" \
		"first line on stderr"
}

@test "tools: make doctor passes here, one ok/warn/FAIL/note line per item" {
	lab_make doctor
	expect_status 0
	expect_match "$output" "(^|"$'\n'")ok +kernel " "kernel line"
	expect_contains "$output" "doctor: ready" "last line"
	local bad
	bad=$(grep -vE '^(ok|warn|FAIL|note)  |^$|^stages |^as an ordinary user|^doctor: ' <<<"$output") || true
	expect_eq "$bad" "" "lines that are not ok/warn/FAIL/note items"
}

@test "tools: make doctor with no strace on PATH names it and the fix, and nothing else changes" {
	local p before
	p=$(no_strace)
	lab_make doctor
	before=$(grep -E '^(warn|FAIL) ' <<<"$output" | grep -v 'strace not found') || true
	PATH=$p lab_make doctor
	expect_status 0
	expect_match "$output" "(^|"$'\n'")warn +strace not found: apt-get install strace" "strace line"
	expect_eq "$(grep -E '^(warn|FAIL) ' <<<"$output" | grep -v 'strace not found')" "$before" \
		"the other warn/FAIL lines, against a run with the full PATH"
}

@test "tools: make check 0 BIN=<the lab's own fork-exec> passes" {
	harvest_check own "$(lab_bin 00)"
	expect_status 0
	expect_match "$output" "bats: [0-9]+ passed, 0 failed" "summary line"
}

@test "tools: make check 0 BIN=/bin/true fails, saying what was expected and what came back" {
	harvest_check true /bin/true
	[ "$status" -ne 0 ] || fail "expected make check to fail for /bin/true, got 0"
	expect_contains "$output" "not ok 1 fork-exec:" "the first check"
	expect_contains "$output" "FAIL: stdout: expected 'test', got ''" "the first check's message"
	expect_contains "$output" "# /bin/true -- /bin/bash -c echo test  (exit status 0)" "the logged command"
	expect_match "$output" "bats: 0 passed, 1 failed" "summary line (it stops at the first failure)"
	expect_eq "$(grep -v '^make' <<<"$output" | tail -n 1)" "# FAIL: stdout: expected 'test', got ''" \
		"the last line (before make's own): the first failure's message"
}

# doctor_faking SETUP: tools/doctor.sh (make doctor) in a private mount namespace, after the
# shell commands SETUP have mounted fakes over some /proc files there: the host's /proc stays
# as it is. (Mounts over /proc make the kernel refuse a fresh /proc in a user namespace, so
# the rootless probes fail in there: assert on the lines about the fake only.)
doctor_faking() {
	LOG_AS="doctor after: $1" run_logged unshare --mount bash -c "$1"'; exec "$0"/tools/doctor.sh' "$LAB_ROOT"
}

# fake_file NAME TEXT: a file in this test's temporary directory holding TEXT; its path.
fake_file() {
	printf '%s\n' "$2" >"$BATS_TEST_TMPDIR/$1"
	echo "$BATS_TEST_TMPDIR/$1"
}

@test "tools: make doctor on WSL1 (its /proc/version) fails, naming WSL2 and the devcontainer" {
	requires root tool:unshare
	local rel ver
	rel=$(fake_file osrelease "4.4.0-19041-Microsoft")
	ver=$(fake_file version "Linux version 4.4.0-19041-Microsoft (Microsoft@Microsoft.com) (gcc version 5.4.0 (GCC) ) #1237-Microsoft Sat Sep 11 14:32:00 PST 2021")
	doctor_faking "mount --bind $rel /proc/sys/kernel/osrelease && mount --bind $ver /proc/version"
	expect_status 1
	expect_match "$output" "(^|"$'\n'")FAIL +kernel 4\.4\.0-19041-Microsoft is WSL1, which has no namespaces: use WSL2 [^"$'\n'"]*devcontainer" \
		"the WSL1 line"
}

@test "tools: make doctor on WSL2 notes it, and that it is a real Linux kernel" {
	requires root tool:unshare
	local rel ver
	rel=$(fake_file osrelease "5.15.153.1-microsoft-standard-WSL2")
	ver=$(fake_file version "Linux version 5.15.153.1-microsoft-standard-WSL2 (root@941d701f84f1) (gcc (GCC) 11.2.0, GNU ld (GNU Binutils) 2.37) #1 SMP Fri Mar 29 23:14:13 UTC 2024")
	doctor_faking "mount --bind $rel /proc/sys/kernel/osrelease && mount --bind $ver /proc/version"
	expect_match "$output" "(^|"$'\n'")note +WSL2 \(kernel 5\.15\.153\.1-microsoft-standard-WSL2\): a real Linux kernel" \
		"the WSL2 line"
	expect_match "$output" "(^|"$'\n'")ok +kernel " "the kernel line"
	[[ $output != *WSL1* ]] || fail "WSL2 taken for WSL1: $output"
}

@test "tools: make doctor under Ubuntu's AppArmor restriction names sudo make apparmor, and says what the grant covers" {
	requires root tool:unshare
	local restrict='mount -t tmpfs lab-fake /proc/sys/kernel &&
		echo 1 >/proc/sys/kernel/apparmor_restrict_unprivileged_userns'
	doctor_faking "$restrict"
	expect_match "$output" "(^|"$'\n'")warn +kernel\.apparmor_restrict_unprivileged_userns = 1 [^"$'\n'"]*sudo make apparmor" \
		"the AppArmor line without the lab's profile"
	[[ $output != *"sysctl -w kernel.apparmor_restrict"* ]] ||
		fail "the fix must be the lab's profile, not the sysctl for everyone: $output"
	# With the profile installed (a tmpfs over /etc/apparmor.d in there): not known to be
	# loaded (this kernel has no AppArmor), then loaded (a fake list of the kernel's profiles).
	[ -d /etc/apparmor.d ] || skip "needs /etc/apparmor.d to mount over (apt-get install apparmor)"
	local installed="$restrict && mount -t tmpfs lab-fake /etc/apparmor.d &&
		\"\$0\"/tools/apparmor.sh profile >/etc/apparmor.d/containers-lab"
	local copies='/usr/local/lib/containers-lab/00-fork-exec/fork-exec [^'$'\n'']*/usr/local/lib/containers-lab/04-pipe-sync/pipe-sync'
	doctor_faking "$installed"
	expect_match "$output" "(^|"$'\n'")warn +kernel\.apparmor_restrict_unprivileged_userns = 1, and the lab's AppArmor grant for $copies is installed but not" \
		"the AppArmor line with the grant installed, not loaded"
	[ -d /sys/kernel/security ] || skip "needs /sys/kernel/security to mount over"
	doctor_faking "$installed && mount -t tmpfs lab-fake /sys/kernel/security && mkdir /sys/kernel/security/apparmor &&
		printf '%s\n' 'containers-lab-command (enforce)' 'containers-lab (enforce)' >/sys/kernel/security/apparmor/profiles"
	expect_match "$output" "(^|"$'\n'")ok +kernel\.apparmor_restrict_unprivileged_userns = 1 [^"$'\n'"]*AppArmor grant is loaded: $copies may create user namespaces, in their own process \(not what they run\)" \
		"the AppArmor line with the grant loaded"
	# The profile of before (bound to a lab directory a user can write): remove it.
	doctor_faking "$restrict && mount -t tmpfs lab-fake /etc/apparmor.d &&
		echo '@{lab}=/home/someone/lab' >/etc/apparmor.d/containers-lab"
	expect_match "$output" "(^|"$'\n'")warn +[^"$'\n'"]*the lab's old profile, which grants user-writable paths under /home/someone/lab [^"$'\n'"]*sudo make apparmor-remove" \
		"the AppArmor line with the old profile"
}

@test "tools: make doctor in a container without CAP_SYS_ADMIN says to start it privileged or use the devcontainer" {
	requires root tool:setpriv
	run_logged env container=podman setpriv --bounding-set -sys_admin --inh-caps -sys_admin \
		"$LAB_ROOT/tools/doctor.sh"
	expect_status 1
	expect_match "$output" "(^|"$'\n'")FAIL +inside a container \([a-z-]+\) without the privilege namespaces need [^"$'\n'"]*--privileged[^"$'\n'"]*devcontainer" \
		"the container line"
	expect_match "$output" $'\n''stages that run here as root: 00 01( |$)' "the stages that still run"
}
