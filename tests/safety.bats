#!/usr/bin/env bats
# Safety: the participant's machine first. A stage installed set-user-ID (or set-group-ID, or
# with file capabilities) refuses to run; Ctrl-Z, fg, bg and `cmd &` stop and continue a
# container as they do a plain job (in a real pseudo-terminal); a long argument list fits the
# clone stack; one signal ends a container with no /proc; each hint names the real cause; an
# unusable TMPDIR stops the test runner before it installs anything. Each check takes a
# second or two; the longer job-control measurements are in tests/stress.bats.
# Run: tools/run-tests.sh tests/safety.bats      (make test runs it)
#
# shellcheck disable=SC2030,SC2031
# (bats's `run` sets $status and $output for the helpers below to read; shellcheck takes
# each @test for a subshell whose changes are lost.)

load helpers
load safety

teardown() {
	pty_stop
	[ -z "${CGROUP:-}" ] || rmdir "$CGROUP" 2>/dev/null
	[ -n "${UNPRIV_DIR:-}" ] && rm -rf "$UNPRIV_DIR"
	return 0
}

# requires_no_asan WHY NN...: skip under the sanitizer build of stage NN (make san), saying
# WHY it cannot run there.
requires_no_asan() {
	local why=$1 nn
	shift
	for nn; do
		! grep -q __asan_init "$(lab_bin "$nn")" 2>/dev/null ||
			skip "an AddressSanitizer build: $why"
	done
}

# (The sanitizer build's leak check at exit needs /proc; it reads its options, ASAN_OPTIONS,
# from /proc/self/environ.)
NO_PROC_ASAN="it needs /proc for its leak check and its options"

# --- set-user-ID, set-group-ID, file capabilities -------------------------------------------

REFUSAL="refusing to run: this program is"

# privileged_copy NN MODE: a root-owned copy of stage NN, chmod MODE (4755: set-user-ID, 2755:
# set-group-ID), in a directory the unprivileged user may reach; its path on stdout.
privileged_copy() {
	local bin
	bin=$(unpriv_bin "$(lab_bin "$1")")
	chown 0:0 "$bin"
	chmod "$2" "$bin"
	echo "$bin"
}

# requires_suid_fs: root, an unprivileged user, and a scratch directory whose file system
# honours set-user-ID bits (not nosuid); else skip, saying which.
requires_suid_fs() {
	requires root unpriv tool:findmnt
	mkdir -p "$UNPRIV_DIR" && chmod 755 "$UNPRIV_DIR"
	[[ ,$(findmnt -no OPTIONS -T "$UNPRIV_DIR"), != *,nosuid,* ]] ||
		skip "$UNPRIV_DIR is on a nosuid mount: set-user-ID bits do nothing there"
}

# expect_refusal WHAT WHY: the last run (WHAT) exited 125 with the refusal, saying WHY
# (set-user-ID, set-group-ID, given file capabilities), and its hint.
expect_refusal() {
	expect_status 125 || return 1
	expect_contains "$output" "$REFUSAL $2" "$1: message" || return 1
	expect_contains "$output" "which would give every user of this machine root" "$1" || return 1
	expect_contains "$output" "hint: remove that" "$1: hint" || return 1
	expect_contains "$output" "run it with sudo, or use stage 04" "$1: hint"
}

@test "safety: every stage installed set-user-ID root, run by another user: 125 and why, before anything" {
	requires_suid_fs
	local nn bin
	for nn in 00 01 02 03 04; do
		bin=$(privileged_copy "$nn" 4755)
		run_logged as_unpriv "$bin" -v true
		expect_refusal "set-user-ID $bin" "set-user-ID (real uid 65534, effective uid 0)" || return 1
		# Refused first: no container ID, no child, no narration.
		[[ $output != *container* && $output != *child* ]] ||
			fail "set-user-ID $bin did something before refusing: $output"
	done
}

@test "safety: the three escapes of a set-user-ID root stage fail: root read, root write, a root set-user-ID shell" {
	requires_suid_fs
	local dir=$UNPRIV_DIR target bin
	target=$dir/root-owned
	echo original >"$target"
	chmod 644 "$target"
	# 1. read what only root may (the issue did it with python's setresuid(0,0,0)).
	bin=$(privileged_copy 00 4755)
	run_logged as_unpriv "$bin" -- cat /etc/shadow
	expect_refusal "set-user-ID fork-exec cat /etc/shadow" set-user-ID || return 1
	[[ $output != *root:* ]] || fail "/etc/shadow was read through the set-user-ID copy"
	# 2. append to a root-owned 0644 file from sh -p (which keeps the effective ID).
	bin=$(privileged_copy 02 4755)
	run_logged as_unpriv "$bin" -- sh -p -c "echo appended >>$target"
	expect_refusal "set-user-ID clone-pid sh -p" set-user-ID || return 1
	expect_eq "$(cat "$target")" original "the root-owned file"
	# 3. a container whose root is the host's root (uid_map 0 0 1) leaves a set-user-ID shell.
	bin=$(privileged_copy 04 4755)
	run_logged as_unpriv "$bin" -- sh -c "cp /bin/sh $dir/rootsh && chmod 4755 $dir/rootsh"
	expect_refusal "set-user-ID pipe-sync" set-user-ID || return 1
	[ ! -e "$dir/rootsh" ] || fail "a set-user-ID shell was left behind: $(ls -l "$dir/rootsh")"
}

@test "safety: a set-group-ID copy and one with file capabilities (setcap) are refused too: 125 and why" {
	requires_suid_fs
	local bin
	bin=$(privileged_copy 04 2755)
	run_logged as_unpriv "$bin" true
	expect_refusal "set-group-ID pipe-sync" "set-group-ID (real gid 65534, effective gid 0)" || return 1
	requires tool:setcap
	bin=$(privileged_copy 03 755)
	setcap cap_sys_admin+ep "$bin" || skip "setcap cannot set file capabilities here"
	run_logged as_unpriv "$bin" -p true
	expect_refusal "multi-ns with cap_sys_admin+ep" "given file capabilities" || return 1
	# Refused for root too: whoever runs it, the file is a hazard to remove.
	run_logged "$bin" true
	expect_refusal "multi-ns with cap_sys_admin+ep, run by root" "given file capabilities"
}

# --- job control in a real terminal ---------------------------------------------------------

# stage_line SPEC: the command to type for "NN [OPTION]..." (the lab's build).
stage_line() {
	local spec
	read -r -a spec <<<"$1"
	echo "$(lab_bin "${spec[0]}") ${spec[*]:1}"
}

# requires_stage SPEC: skip where stage SPEC needs root and we are not (02, and 03 -p).
requires_stage() {
	case $1 in 02* | 03*) requires root ;; esac
}

# ctrl_z_fg SPEC: in a terminal, "SPEC cat"; Ctrl-Z stops the runtime and cat (state T), the
# line typed next goes to the shell, fg continues both, end of file ends the job.
ctrl_z_fg() {
	requires_stage "$1"
	pty_start
	keys "$(stage_line "$1") $(pty_reader)"$'\n'
	job_pids || return 1
	keys $'\032'
	expect_states T "$1 after Ctrl-Z: the runtime and cat" "$RUNTIME" "$READER" || return 1
	# The next line typed goes to the shell, not to a cat that still reads: only the shell
	# turns it into 42-typed.
	keys $'echo $((6 * 7))-typed\n'
	poll grep -q '^42-typed' "$PTY_DIR/out" || fail "$1: the shell did not get the line typed"
	keys $'fg\n'
	expect_states S "$1 after fg: the runtime and cat" "$RUNTIME" "$READER" || return 1
	keys $'\004'    # end of file: cat ends, and with it the job
	poll eval "[[ \$(proc_state $RUNTIME) == @(gone|Z) ]]" ||
		fail "$1: still running after end of file: $(pty_screen)"
}

# background_read SPEC: in a terminal, "SPEC cat &": cat's read of the terminal stops the
# runtime and cat; fg continues them, Ctrl-Z stops them, and after bg the read stops them
# again. (A stopped process burns no CPU: tests/stress.bats measures it.)
background_read() {
	requires_stage "$1"
	pty_start
	keys "$(stage_line "$1") $(pty_reader) &"$'\n'
	job_pids || return 1
	expect_states T "$1 &: the runtime and cat" "$RUNTIME" "$READER" || return 1
	keys $'fg\n'
	expect_states S "$1 after fg" "$RUNTIME" "$READER" || return 1
	keys $'\032'
	expect_states T "$1 after Ctrl-Z" "$RUNTIME" "$READER" || return 1
	keys $'bg\n'
	sleep 0.1   # bg continues it, and its read stops it again
	expect_states T "$1 after bg" "$RUNTIME" "$READER"
}

@test "safety: fork-exec cat in a terminal (the reference): Ctrl-Z stops it and cat (T), the shell gets the next line; fg continues both" {
	ctrl_z_fg 00
}

@test "safety: clone-pid cat in a terminal: Ctrl-Z stops the runtime and cat, its PID 1 (T), the shell gets the next line; fg continues both" {
	ctrl_z_fg 02
}

@test "safety: multi-ns -p cat in a terminal: Ctrl-Z stops the runtime and cat, its PID 1 (T), the shell gets the next line; fg continues both" {
	ctrl_z_fg "03 -p"
}

@test "safety: pipe-sync cat in a terminal: Ctrl-Z stops the runtime and cat, its PID 1 (T), the shell gets the next line; fg continues both" {
	ctrl_z_fg 04
}

@test "safety: fork-exec cat & (the reference): its read stops it and cat (T); fg, Ctrl-Z, bg: stopped again" {
	background_read 00
}

@test "safety: clone-pid cat &: its read stops the runtime and cat, its PID 1 (T); fg, Ctrl-Z, bg: stopped again" {
	background_read 02
}

@test "safety: multi-ns -p cat &: its read stops the runtime and cat, its PID 1 (T); fg, Ctrl-Z, bg: stopped again" {
	background_read "03 -p"
}

@test "safety: pipe-sync cat &: its read stops the runtime and cat, its PID 1 (T); fg, Ctrl-Z, bg: stopped again" {
	background_read 04
}

# kill_stopped SPEC: in a terminal, "SPEC cat", Ctrl-Z, then kill %%: bash sends SIGTERM and
# SIGCONT; the job ends (a namespace's init, continued, reads the terminal, SIGTTIN, before the
# runtime's SIGKILL ends it: the runtime must not stop for that), and its report line says so.
kill_stopped() {
	requires_stage "$1"
	pty_start
	keys "$(stage_line "$1") $(pty_reader)"$'\n'
	job_pids || return 1
	keys $'\032'
	expect_states T "$1 after Ctrl-Z" "$RUNTIME" "$READER" || return 1
	keys $'kill %%\n'
	poll eval "[[ \$(proc_state $RUNTIME) == @(gone|Z) ]]" ||
		fail "$1: kill %% left the runtime $(proc_state "$RUNTIME"): $(pty_screen)"
	poll grep -qE "(^|[$ ])$READER killed by signal (9|15) " "$PTY_DIR/out" ||
		fail "$1: no report line for the killed job: $(pty_screen)"
}

@test "safety: fork-exec cat (the reference), stopped: kill %% ends it" {
	kill_stopped 00
}

@test "safety: clone-pid cat, stopped: kill %% ends it (137), the runtime does not stop again" {
	kill_stopped 02
}

@test "safety: pipe-sync cat, stopped: kill %% ends it (137), the runtime does not stop again" {
	kill_stopped 04
}

@test "safety: Ctrl-Z stops a container's PID 1 that catches SIGTSTP (less, vim, readline do: then it spun)" {
	requires root
	local script
	pty_start
	# The shell is PID 1 and catches SIGTSTP. (less, vim and readline catch it, reset the
	# terminal and raise it again, which the kernel drops for an init: the same.) Unstopped,
	# it reads the terminal from the background: SIGTTIN, dropped too, and the read spins.
	script='trap : TSTP; while :; do read -r x; done'
	keys "$(stage_line 02) sh -c '$script' $(pty_reader)"$'\n'
	job_pids "^sh -c trap .* $PTY_DIR/cat \$" || return 1
	keys $'\032'
	expect_states T "after Ctrl-Z: the runtime and sh (PID 1)" "$RUNTIME" "$READER" || return 1
	keys $'fg\n'
	expect_states S "after fg" "$RUNTIME" "$READER"
}

# --- the clone stack ------------------------------------------------------------------------

@test "safety: a script without #! and 140,000 arguments runs in stages 00, 02, 03 and 04: exit 0" {
	local nn noshebang=$BATS_TEST_TMPDIR/noshebang.sh
	# glibc runs it with /bin/sh, building the new argument list on the stack of the child.
	printf 'echo "$# arguments"\n' >"$noshebang"
	chmod +x "$noshebang"
	for nn in 00 02 03 04; do
		case $nn in 02 | 03) [ "$(id -u)" = 0 ] || continue ;; esac
		# shellcheck disable=SC2046  # the stage and its options, one word each
		run_logged --separate-stderr bash -c 'seq 140000 | xargs -x -s 2000000 "$@"' _ \
			$(stage_line "$nn") "$noshebang"
		expect_status 0 || return 1
		expect_eq "$output" "140000 arguments" "stage $nn: the script's output" || return 1
	done
}

@test "safety: clone-pid, pipe-sync: a stack limit larger than ulimit -v allows: 125, mmap named, the hint says ulimit -s" {
	local nn
	for nn in 02 04; do
		[ "$nn" != 02 ] || [ "$(id -u)" = 0 ] || continue
		requires_no_asan "its shadow memory does not fit under a small ulimit -v" "$nn"
		run_logged --separate-stderr bash -c 'ulimit -v 200000 && ulimit -s 300000 && exec "$@"' \
			_ "$(lab_bin "$nn")" true
		expect_status 125 || return 1
		expect_contains "$stderr" "mmap child stack: Cannot allocate memory" "stderr" || return 1
		expect_contains "$stderr" "300004 KiB (ulimit -s, at least 8192, and a guard page)" \
			"hint" || return 1
	done
}

# --- no /proc -------------------------------------------------------------------------------

@test "safety: with no /proc at all, one SIGTERM ends clone-pid's and multi-ns -p's sleep (137)" {
	requires root tool:unshare
	requires_no_asan "$NO_PROC_ASAN" 02 03
	local spec m pid
	for spec in 02 "03 -p"; do
		m=$(marker)
		# A mount namespace of its own, /proc detached: the host keeps its /proc.
		# shellcheck disable=SC2046  # the stage and its options, one word each
		unshare -m sh -c 'umount -l /proc && exec "$@"' _ $(stage_line "$spec") sleep "$m" \
			2>/dev/null 3>&- &
		pid=$!
		wait_for_proc "^sleep $m" "$pid" || return 1
		kill -TERM "$pid"
		wait_exit "$pid" || return 1
		expect_status 137 || return 1
		expect_gone "sleep $m" || return 1
	done
}

@test "safety: with no /proc at all, pipe-sync's hint says no /proc is mounted (not another namespace's)" {
	requires root tool:unshare
	requires_no_asan "$NO_PROC_ASAN" 04
	run_logged --separate-stderr unshare -m sh -c 'umount -l /proc && exec "$0" true' \
		"$(lab_bin 04)"
	expect_status 125
	expect_contains "$stderr" "hint: no /proc is mounted here" "hint"
}

# --- hints that name the real cause ---------------------------------------------------------

# pids_cgroup MAX: make a pids cgroup allowing MAX processes (cgroup v1's pids hierarchy, or
# v2 with the pids controller); its directory in CGROUP. Skips, saying why, where it cannot.
pids_cgroup() {
	requires root
	if [ -w /sys/fs/cgroup/pids ] && [ -e /sys/fs/cgroup/pids/cgroup.procs ]; then
		CGROUP=/sys/fs/cgroup/pids/lab-safety.$$
	elif grep -qw pids /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
		echo +pids >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null ||
			skip "cannot enable the pids controller under /sys/fs/cgroup"
		CGROUP=/sys/fs/cgroup/lab-safety.$$
	else
		skip "no writable pids cgroup here (neither cgroup v1's pids nor v2's)"
	fi
	mkdir "$CGROUP" 2>/dev/null || { CGROUP=; skip "cannot make a cgroup here"; }
	echo "$1" >"$CGROUP/pids.max"
}

@test "safety: fork-exec and pipe-sync in a full pids cgroup: the hint names its pids.max, not ulimit -u" {
	local nn
	pids_cgroup 1
	for nn in 00 04; do
		# The shell moves itself in and becomes the runtime: the one process allowed. (The
		# sanitizer build's leak check needs a thread, which the limit refuses too.)
		run_logged --separate-stderr env ASAN_OPTIONS=detect_leaks=0 sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' \
			"$CGROUP" "$(lab_bin "$nn")" true
		expect_status 125 || return 1
		expect_contains "$stderr" "Resource temporarily unavailable" "stage $nn: stderr" || return 1
		expect_contains "$stderr" "hint: the pids cgroup /${CGROUP##*/} allows at most 1" "hint" ||
			return 1
		expect_contains "$stderr" "(its pids.max)" "stage $nn: hint" || return 1
	done
}

@test "safety: multi-ns -U pipe-sync true (the caller's ID unmapped): the hint names the missing mapping" {
	[ "$(id -u)" = 0 ] || requires userns
	run_logged --separate-stderr "$(lab_bin 03)" -U "$(lab_bin 04)" true
	expect_status 125
	expect_contains "$stderr" "pipe-sync: clone: Operation not permitted" "stderr"
	expect_contains "$stderr" "user ID has no mapping in its own user namespace" "hint"
	[[ $stderr != *"run as root"* ]] || fail "the hint says 'run as root': $stderr"
}

@test "safety: an ELF program whose dynamic loader is missing: 127 and the loader hint, not the #! one" {
	local interp bad prog=$BATS_TEST_TMPDIR/noloader nn
	interp=$(grep -aoE -m1 '/lib[a-z0-9_/]*/ld-[A-Za-z0-9_.-]+\.so[.0-9]*' /bin/true | head -n 1)
	[ -n "$interp" ] || skip "/bin/true names no dynamic loader (a static build)"
	bad=${interp/\/ld-//no-}   # as long as the original: only two bytes change
	LC_ALL=C sed "s|$interp|$bad|" /bin/true >"$prog"
	chmod +x "$prog"
	for nn in 00 02 04; do
		[ "$nn" != 02 ] || [ "$(id -u)" = 0 ] || continue
		run_logged -127 --separate-stderr "$(lab_bin "$nn")" "$prog"
		expect_status 127 || return 1
		expect_contains "$stderr" "the dynamic loader it asks for does not" "stage $nn: hint" || return 1
		[[ $stderr != *"#!"* ]] || fail "stage $nn: the hint speaks of #!: $stderr"
	done
}

# swapped_maps_build: stage 04 built with the participant's mistake, gid_map written before
# setgroups "deny"; its path on stdout.
swapped_maps_build() {
	local dir=$BATS_TEST_TMPDIR/swapped
	mkdir -p "$dir/04-pipe-sync"
	cp -r "$LAB_ROOT/common" "$dir/"
	sed -e '/write_proc_file(pid, "setgroups", "deny");/d' \
		-e 's|^\(\t*\)write_proc_file(pid, "gid_map", map);|&\n\1write_proc_file(pid, "setgroups", "deny");|' \
		"$LAB_ROOT/04-pipe-sync/pipe-sync.c" >"$dir/04-pipe-sync/pipe-sync.c"
	grep -A1 '"gid_map", map' "$dir/04-pipe-sync/pipe-sync.c" | grep -q '"setgroups"' ||
		{ fail "the sed did not swap the writes in pipe-sync.c"; return 1; }
	cc -std=c11 -D_GNU_SOURCE -I"$dir/common" -o "$dir/pipe-sync" \
		"$dir/04-pipe-sync/pipe-sync.c" "$dir"/common/*.c || { fail "cc failed"; return 1; }
	echo "$dir/pipe-sync"
}

@test "safety: gid_map written before setgroups (the writes swapped): the hint says to write setgroups first" {
	requires tool:cc
	local bin
	bin=$(swapped_maps_build)
	if [ "$(id -u)" != 0 ] || as_unpriv unshare -U true 2>/dev/null; then
		# Unprivileged: the kernel refuses the gid_map while setgroups is "allow".
		run_logged --separate-stderr as_unpriv "$(unpriv_bin "$bin")" true
		expect_status 125
		expect_contains "$stderr" "write /proc/" "stderr"
		expect_contains "$stderr" 'hint: write "deny" to /proc/PID/setgroups before gid_map' "hint"
	fi
	[ "$(id -u)" = 0 ] || return 0
	# As root the gid_map goes through; then setgroups is refused: the same advice.
	run_logged --separate-stderr "$bin" true
	expect_status 125
	expect_contains "$stderr" "/setgroups: Operation not permitted" "stderr"
	expect_contains "$stderr" 'hint: write "deny" to /proc/PID/setgroups before gid_map' "hint"
}

@test "safety: --name '', --name \$'a\\nb', --hostname \$'a\\tb' and a 65-character name: 125 and why" {
	local p3 p4 long
	p3=$(lab_bin 03)
	p4=$(lab_bin 04)
	long=$(printf 'n%.0s' {1..65})
	run_logged --separate-stderr "$p4" --name '' true
	expect_status 125
	expect_contains "$stderr" "pipe-sync: --name is empty" "stderr"
	run_logged --separate-stderr "$p4" --name $'a\nb' true
	expect_status 125
	expect_contains "$stderr" "--name holds a control character" "stderr"
	run_logged --separate-stderr "$p4" --hostname $'a\tb' true
	expect_status 125
	expect_contains "$stderr" "--hostname holds a control character" "stderr"
	run_logged --separate-stderr "$p4" --name "$long" true
	expect_status 125
	expect_contains "$stderr" "--name has 65 characters, the kernel allows at most 64" "stderr"
	run_logged --separate-stderr "$p3" -u --hostname '' true
	expect_status 125
	expect_contains "$stderr" "multi-ns: --hostname is empty" "stderr"
	run_logged --separate-stderr "$p3" -u --hostname $'a\nb' true
	expect_status 125
	expect_contains "$stderr" "--hostname holds a control character" "stderr"
	# No container was made for a bad --name: it is refused before the ID.
	run_logged --separate-stderr "$p4" --name $'\x7f' true
	[[ $stderr != *"container "* ]] || fail "a container ID was printed for a refused name"
}

# --- a runtime that fails while it supervises -----------------------------------------------

@test "safety: fork-exec, clone-pid: waitid or sigwaitinfo failing (injected) ends the child too: 125, nothing left" {
	requires tool:strace
	local nn call m
	for nn in 00 02; do
		[ "$nn" != 02 ] || [ "$(id -u)" = 0 ] || continue
		for call in waitid rt_sigtimedwait; do
			m=$(marker)
			# Stage 00's child has no PR_SET_PDEATHSIG: the runtime must kill it itself.
			run_logged --separate-stderr env ASAN_OPTIONS=detect_leaks=0 timeout -k 1 5 \
				strace -f -qq -o /dev/null -e inject="$call":error=EINVAL:when=1 \
				"$(lab_bin "$nn")" sleep "$m"
			expect_status 125 || return 1
			expect_match "$stderr" ": (waitid|sigwaitinfo): Invalid argument" "stderr" || return 1
			expect_gone "sleep $m" || return 1
		done
	done
}

# --- the test runner ------------------------------------------------------------------------

@test "safety: an unusable TMPDIR (missing, or full) stops the test runner with that reason, nothing installed" {
	local deps=$BATS_TEST_TMPDIR/deps bin=$BATS_TEST_TMPDIR/bin tool
	# A PATH without git, npm and apt-get: were the check gone, nothing could be installed.
	mkdir "$bin"
	for tool in bash env dirname mktemp head rm id cat sed awk bats; do
		! command -v "$tool" >/dev/null || ln -s "$(command -v "$tool")" "$bin/$tool"
	done
	run_logged env PATH="$bin" TMPDIR=/nonexistent LAB_DEPS_DIR="$deps" \
		"$LAB_ROOT/tools/run-tests.sh" "$LAB_ROOT/tests/safety.bats"
	[ "$status" -ne 0 ] || fail "exit status 0 with TMPDIR=/nonexistent"
	expect_contains "$output" "/nonexistent (TMPDIR) does not exist or is not writable" "output"
	[[ $output != *"no bats"* && $output != *installing* ]] ||
		fail "it went on to bring bats in: $output"
	[ ! -e "$deps" ] || fail "something was put in LAB_DEPS_DIR: $(ls -A "$deps")"
	[ "$(id -u)" = 0 ] || return 0
	requires tool:unshare
	# A full one: a 256 KiB tmpfs, filled, in a mount namespace of the test's own.
	run_logged unshare -m sh -c 'mount -t tmpfs -o size=256k tmpfs "$1" &&
		head -c 1M /dev/zero >"$1/fill" 2>/dev/null
		TMPDIR=$1 LAB_DEPS_DIR=$2 "$3/tools/run-tests.sh" "$3/tests/safety.bats"' _ \
		"$(mktemp -d "$BATS_TEST_TMPDIR/full.XXXXXX")" "$deps" "$LAB_ROOT"
	[ "$status" -ne 0 ] || fail "exit status 0 with a full TMPDIR"
	expect_contains "$output" "(TMPDIR) is full" "output"
	[ ! -e "$deps" ] || fail "something was put in LAB_DEPS_DIR: $(ls -A "$deps")"
}
