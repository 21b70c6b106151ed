#!/usr/bin/env bash
# helpers.bash: what every stage's checks share. Load it with `load helpers`.
#
# The checks rely only on the lab's contract (command line, output, exit codes, the
# kernel's observable state), so `make check N BIN=./mine` can grade your own program.
# shellcheck disable=SC2034  # variables here are read by the .bats files that load us

set -u
bats_require_minimum_version 1.5.0

LAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Where the lab's own binaries are: the tree itself, or .san/ under `make san`.
LAB_BIN_ROOT=${LAB_BIN_ROOT:-$LAB_ROOT}

# lab_bin NN: the lab's own binary for stage NN (ignores BIN).
lab_bin() {
	local dir
	dir=$(cd "$LAB_ROOT" && echo "$1"-*)
	echo "$LAB_BIN_ROOT/$dir/${dir#??-}"
}

# stage_bin NN: the program under test for stage NN: BIN when set (a relative BIN is taken
# from the lab's top directory), else the lab's own. Fails, saying why, if it cannot run.
stage_bin() {
	local bin
	if [ -n "${BIN:-}" ]; then
		case $BIN in
		/*) bin=$BIN ;;
		*/*) bin=$LAB_ROOT/$BIN ;;
		*) bin=$(command -v "$BIN") || bin=$LAB_ROOT/$BIN ;;
		esac
	else
		bin=$(lab_bin "$1")
	fi
	if [ ! -x "$bin" ] || [ -d "$bin" ]; then
		echo "FAIL: the program under test, $bin, is not an executable file" \
			"(BIN='${BIN:-}'; build it, or give its path)" >&2
		return 1
	fi
	echo "$bin"
}

# pkg_of TOOL: the Debian package that provides TOOL.
pkg_of() {
	case $1 in
	ip) echo iproute2 ;;
	ps | pgrep | pkill) echo procps ;;
	pstree) echo psmisc ;;
	setpriv | ipcmk | ipcs | ipcrm | findmnt | unshare | nsenter | lsns) echo util-linux ;;
	*) echo "$1" ;;
	esac
}

# requires KEY...: skip this test, with a reason, unless each requirement holds.
#   root      running as root
#   unpriv    can run things unprivileged: as the caller when not root, else as uid 65534
#             (setpriv); see as_unpriv
#   userns    the unprivileged user of as_unpriv may create a user namespace
#   tool:X    command X is installed
# An unknown key fails the test, so a typo cannot skip a check silently. run-tests.sh counts
# the skips whose reason says "needs root".
requires() {
	local req
	for req in "$@"; do
		case $req in
		root) [ "$(id -u)" = 0 ] || skip "needs root" ;;
		unpriv) [ "$(id -u)" != 0 ] || requires tool:setpriv ;;
		userns)
			requires unpriv tool:unshare
			as_unpriv unshare -U true 2>/dev/null ||
				skip "unprivileged user namespaces are forbidden on this machine" ;;
		tool:*)
			command -v "${req#tool:}" >/dev/null ||
				skip "needs ${req#tool:} (apt-get install $(pkg_of "${req#tool:}"))" ;;
		*) fail "requires: unknown requirement '$req'" ;;
		esac
	done
}

# fail MESSAGE: end the test with MESSAGE (what was expected, what came back).
fail() {
	echo "FAIL: $*" >&2
	return 1
}

# run_flag_count ARG...: how many leading ARGs are bats `run` flags (-N, !, --separate-stderr).
run_flag_count() {
	local n=0 arg
	for arg; do
		case $arg in
		-[0-9]* | '!' | --separate-stderr) n=$((n + 1)) ;;
		*) break ;;
		esac
	done
	echo "$n"
}

# run_logged [RUN-FLAGS] CMD...: bats `run` of CMD, then its command (or $LOG_AS), status
# and output logged (bats shows the log when a test fails). run -N fails the test at once
# on another status: the log comes first all the same.
run_logged() {
	local n t0=${EPOCHREALTIME/./}
	n=$(run_flag_count "$@")
	run "${@:1:n}" "${@:n+1}" || { log_run "${LOG_AS:-${*:n+1}}"; timeout_note "$t0"; return 1; }
	log_run "${LOG_AS:-${*:n+1}}"
	timeout_note "$t0"
}

# timeout_note START: after a run that began at START (microseconds), when it was stopped by
# its timeout (124, or 137 after the SIGKILL that follows), say so: the status alone does not.
timeout_note() {
	if { [ "$status" = 124 ] || [ "$status" = 137 ]; } &&
		((${EPOCHREALTIME/./} - $1 >= ${LAB_TIMEOUT:-10} * 1000000)); then
		echo "FAIL: the program did not end within ${LAB_TIMEOUT:-10} s and was stopped" \
			"(exit status $status): does it wait for something that never comes, or ignore" \
			"SIGTERM? Every run of it is stopped after ${LAB_TIMEOUT:-10} s." >&2
	fi
	return 0
}

# lab [RUN-FLAGS] ARG...: run_logged of the program under test ($PROG_BIN, set by the .bats
# file) with ARGs. A program that hangs is stopped after LAB_TIMEOUT seconds (exit 124),
# so the suite goes on.
lab() {
	local n LOG_AS
	n=$(run_flag_count "$@")
	LOG_AS="$PROG_BIN ${*:n+1}"
	run_logged "${@:1:n}" timeout -k 1 "${LAB_TIMEOUT:-10}" "$PROG_BIN" "${@:n+1}"
}

# procs [-c | -o] REGEX: the PIDs of the processes whose command line (arguments joined by
# spaces) matches the extended REGEX, as `pgrep -f` lists them; -c: how many; -o: only the
# oldest. Read from /proc, so the checks need no procps. A subshell without bats's DEBUG
# trap, which would make this loop a hundred times slower.
procs() (
	trap - DEBUG
	local mode="" f arg cmd pid stat start n=0 oldest="" oldest_start=""
	case $1 in -c | -o) mode=$1; shift ;; esac
	for f in /proc/[0-9]*/cmdline; do
		cmd=""
		while IFS= read -r -d '' arg; do cmd+="${cmd:+ }$arg"; done 2>/dev/null <"$f" || continue
		[[ $cmd =~ $1 ]] || continue
		pid=${f#/proc/} && pid=${pid%/cmdline}
		n=$((n + 1))
		case $mode in
		-c) ;;
		-o)
			read -r stat 2>/dev/null <"/proc/$pid/stat" || continue
			read -r _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ start _ <<<"${stat##*) }"
			if [ -z "$oldest" ] || ((start < oldest_start)); then
				oldest=$pid oldest_start=$start
			fi ;;
		*) echo "$pid" ;;
		esac
	done
	case $mode in
	-c) echo "$n" ;;
	-o) [ -z "$oldest" ] || echo "$oldest" ;;
	esac
	return 0
)

# kill_marked PATTERN: SIGKILL what a failed test left running, found by its marker.
kill_marked() {
	local pid
	for pid in $(procs "$1"); do
		kill -KILL "$pid" 2>/dev/null
	done
	return 0
}

# log_run WHAT: log the last `run`.
log_run() {
	echo "# $1  (exit status $status)" >&2
	echo "# stdout: ${output:-}" | head -c 4000 >&2
	echo >&2
	if [ -n "${stderr+set}" ]; then
		echo "# stderr: $stderr" | head -c 4000 >&2
		echo >&2
	fi
}

# expect_status N: the last run exited N.
expect_status() {
	[ "$status" -eq "$1" ] || fail "expected exit status $1, got $status"
}

# expect_eq GOT WANT WHAT: GOT equals WANT.
expect_eq() {
	[ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"
}

# expect_match GOT REGEX WHAT: GOT matches the extended regex REGEX.
expect_match() {
	[[ $1 =~ $2 ]] || fail "$3: expected a match for /$2/, got '$1'"
}

# expect_contains GOT TEXT WHAT: GOT contains TEXT.
expect_contains() {
	[[ $1 == *"$2"* ]] || fail "$3: expected it to contain '$2', got '$1'"
}

# last_line TEXT: the last line of TEXT.
last_line() {
	printf '%s\n' "$1" | tail -n 1
}

# report_pid TEXT: the PID on the report line (the last line of TEXT), or nothing.
report_pid() {
	last_line "$1" | sed -nE 's/^([0-9]+) (exited with status|killed by signal) .*/\1/p'
}

# expect_report TEXT 'exited with status N' | 'killed by signal N (SIGX)': the last line of
# TEXT is the report line of the contract.
expect_report() {
	expect_match "$(last_line "$1")" "^[0-9]+ $2\$" "report line (the last line on stderr)"
}

# marker: a unique sleep duration, so a test can find exactly its own processes.
marker() {
	echo "$((86400 + RANDOM * 32 + RANDOM % 32)).$((RANDOM % 1000))"
}

# poll CMD...: run CMD every 20 ms until it succeeds (0) or 2 s have passed (1).
poll() {
	local deadline=$((${EPOCHREALTIME/./} + 2000000))
	until "$@"; do
		((${EPOCHREALTIME/./} < deadline)) || return 1
		sleep 0.02
	done
}

# no_proc PATTERN: no process has PATTERN in its command line.
no_proc() {
	[ -z "$(procs "$1")" ]
}

# expect_gone PATTERN: within 2 s no process has PATTERN in its command line.
expect_gone() {
	poll no_proc "$1" ||
		fail "processes left behind: $(for p in $(procs "$1"); do
			echo "$p $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)"; done | tr '\n' ';')"
}

# proc_or_exit PATTERN PID: a process matches PATTERN, or PID has ended (nothing to wait for).
proc_or_exit() {
	! no_proc "$1" || { [ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null; }
}

# wait_for_proc PATTERN [PID]: poll (2 s at most) until a process has PATTERN in its command
# line. With PID (the program under test, in the background), fail at once if it ends first.
wait_for_proc() {
	poll proc_or_exit "$1" "${2:-}"
	no_proc "$1" || return 0
	if [ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null; then
		fail "the program (PID $2) ended before a process matching '$1' appeared"
	else
		fail "no process matching '$1' appeared within 2 s"
	fi
}

# wait_for_line FILE REGEX: poll (2 s at most) until FILE has a line matching REGEX.
wait_for_line() {
	poll grep -qE -- "$2" "$1" 2>/dev/null ||
		fail "no line matching /$2/ in $1 within 2 s; it holds: $(tr '\n' ';' <"$1")"
}

# wait_exit PID: wait (2 s at most) for background job PID; its status in $status.
wait_exit() {
	if ! poll eval "! kill -0 $1 2>/dev/null"; then
		kill -KILL "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		fail "PID $1 still running after 2 s"
		return 1
	fi
	status=0
	wait "$1" || status=$?
}

# wait_child_of PID: poll (2 s at most) until PID has a child; print its PID.
wait_child_of() {
	local kids
	poll test -s "/proc/$1/task/$1/children" ||
		{ fail "PID $1 created no child within 2 s"; return 1; }
	kids=$(cat "/proc/$1/task/$1/children")
	echo "${kids%% *}"
}

# A directory for unpriv_bin's copies, named here, in the test's own shell (bats loads
# this file again for each test), so `bin=$(unpriv_bin ...)` in a subshell and the
# test's teardown (`rm -rf "$UNPRIV_DIR"`) agree on it. Created only when needed.
UNPRIV_DIR=$(mktemp -u /tmp/lab-unpriv.XXXXXX)

# unpriv_bin PATH: a path to PATH that as_unpriv's user can run, on stdout. As root, a copy
# in $UNPRIV_DIR (uid 65534 may not reach a tree under a 0700 home); else PATH itself.
unpriv_bin() {
	if [ "$(id -u)" != 0 ]; then
		echo "$1"
		return
	fi
	[ -d "$UNPRIV_DIR" ] || mkdir -m 755 "$UNPRIV_DIR"
	cp "$1" "$UNPRIV_DIR/"
	chmod 755 "$UNPRIV_DIR/$(basename "$1")"
	echo "$UNPRIV_DIR/$(basename "$1")"
}

# unpriv_dir: a directory as_unpriv's user owns (made in $UNPRIV_DIR), on stdout.
unpriv_dir() {
	[ -d "$UNPRIV_DIR" ] || mkdir -m 755 "$UNPRIV_DIR"
	mkdir -p "$UNPRIV_DIR/w"
	[ "$(id -u)" != 0 ] || chown 65534:65534 "$UNPRIV_DIR/w"
	echo "$UNPRIV_DIR/w"
}

# as_unpriv CMD...: run CMD without privilege, from /: as the caller when not root, else as
# uid/gid 65534 with no supplementary groups.
as_unpriv() {
	if [ "$(id -u)" != 0 ]; then
		(cd / && exec "$@")
	else
		(cd / && exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@")
	fi
}

# sigchld_ignorer: set the array IGNORE_CHLD to a command prefix that runs the rest with
# SIGCHLD ignored, as a careless supervisor may start a program (SIG_IGN survives exec):
# env --ignore-signal (coreutils 8.31 and newer), else perl. A runtime that waits for its
# child must set SIGCHLD back to its default first: with SIG_IGN the kernel reaps the child
# itself and sends no SIGCHLD.
sigchld_ignorer() {
	if env --ignore-signal=CHLD true 2>/dev/null; then
		IGNORE_CHLD=(env --ignore-signal=CHLD)
	else
		requires tool:perl
		# shellcheck disable=SC2016  # perl's variables
		IGNORE_CHLD=(perl -e '$SIG{CHLD} = "IGNORE"; exec { $ARGV[0] } @ARGV or die "exec $ARGV[0]: $!\n"')
	fi
}

# locked_dir: a directory with mode 000 in the test's temporary directory, which no one
# may search who lacks CAP_DAC_OVERRIDE (see without_dac); its path on stdout.
locked_dir() {
	mkdir -p "$BATS_TEST_TMPDIR/locked"
	chmod 000 "$BATS_TEST_TMPDIR/locked"
	echo "$BATS_TEST_TMPDIR/locked"
}

# without_dac CMD...: run CMD unable to search a locked_dir: as root, without the two
# capabilities that bypass file permissions (setpriv drops them from the bounding set, so
# root's exec leaves them out; CAP_SYS_ADMIN stays, for the stages that need it); as
# anyone else, as it is.
without_dac() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --bounding-set=-dac_override,-dac_read_search "$@"
	else
		"$@"
	fi
}

# lab_locked_path [RUN-FLAGS] ARG...: like lab, with a locked_dir first on PATH and the
# program unable to search it (without_dac), so execvp meets EACCES on its way. As root the
# program runs from a copy in the test's temporary directory, which root reaches without
# those capabilities wherever the tree is.
lab_locked_path() {
	local n bin=$PROG_BIN dir LOG_AS
	n=$(run_flag_count "$@")
	dir=$(locked_dir)
	if [ "$(id -u)" = 0 ]; then
		requires tool:setpriv
		bin=$BATS_TEST_TMPDIR/$(basename "$PROG_BIN")
		cp "$PROG_BIN" "$bin"
	fi
	LOG_AS="PATH=$dir:/usr/bin:/bin $bin ${*:n+1}  (the first directory locked)"
	run_logged "${@:1:n}" without_dac env PATH="$dir:/usr/bin:/bin" \
		timeout -k 1 "${LAB_TIMEOUT:-10}" "$bin" "${@:n+1}" || { chmod 700 "$dir"; return 1; }
	chmod 700 "$dir"
}

# lab_sigchld_ignored [RUN-FLAGS] ARG...: like lab, with the program started with SIGCHLD
# ignored (sigchld_ignorer). A program that waits without resetting it may hang: it is
# stopped after 5 s (exit 124).
lab_sigchld_ignored() {
	local n LOG_AS
	n=$(run_flag_count "$@")
	sigchld_ignorer
	LOG_AS="(SIGCHLD ignored) $PROG_BIN ${*:n+1}"
	run_logged "${@:1:n}" timeout -k 1 5 "${IGNORE_CHLD[@]}" "$PROG_BIN" "${@:n+1}"
}

# --- the fast set, the slow remainder, and the grader's containment ------------------------
# Each stage file's setup() starts with lab_setup, its teardown() ends with lab_teardown.

# slow: the first command of a slow check's body (strace fault injection, repeated runs):
# `make check N` (LAB_CHECKS=fast) leaves it out, `make check N CHECKS=slow` runs only those,
# `make test` runs all. A marker: lab_setup finds it in the check's body.
slow() { :; }

# is_slow: the current check's body starts with `slow`.
is_slow() {
	local re='
[[:space:]]*slow[[:space:]]*[;
]'
	[[ $(declare -f "$BATS_TEST_NAME") =~ $re ]]
}

# How long one check may take before its watchdog stops what it started (contained runs):
# 30 s in the fast set, whose checks take a few seconds; 120 s for the slow remainder.
if [ -z "${LAB_CHECK_LIMIT:-}" ]; then
	if [ "${LAB_CHECKS:-all}" = fast ]; then LAB_CHECK_LIMIT=30; else LAB_CHECK_LIMIT=120; fi
fi

# lab_setup: skip a check that is not in LAB_CHECKS's set (the skip reasons are the ones
# run-tests.sh counts apart); note the state that lab_teardown compares; start the check's
# watchdog (contained runs only).
lab_setup() {
	case ${LAB_CHECKS:-all} in
	fast) ! is_slow || skip "slow check" ;;
	slow) is_slow || skip "fast check" ;;
	esac
	[ -z "${LAB_GRADER_DIR:-}" ] || echo "$BATS_TEST_DESCRIPTION" >"$LAB_GRADER_DIR/current" 2>/dev/null
	LAB_HOST_BEFORE=$(host_view)
	LAB_PIDS_BEFORE=""
	LAB_WATCHDOG=""
	[ "${LAB_CONTAINED:-}" = 1 ] || return 0
	LAB_PIDS_BEFORE=" $(stray_pids | tr '\n' ' ') "
	mkfifo "$BATS_TEST_TMPDIR/.never"
	# A subshell of bats (its command line is bats's, so stray_pids spares it) that waits
	# without a child of its own: a fork bomb cannot keep it from acting.
	(
		trap - DEBUG
		read -r -t "$LAB_CHECK_LIMIT" _ <>"$BATS_TEST_TMPDIR/.never" || true
		: >"$BATS_TEST_TMPDIR/.hung"
		for pid in $(stray_pids); do
			cmd=""
			while IFS= read -r -d '' arg; do cmd+="$arg "; done 2>/dev/null <"/proc/$pid/cmdline"
			echo "$pid '${cmd% }'" >>"$BATS_TEST_TMPDIR/.hung"
			kill -KILL "$pid"
		done
	) >/dev/null 2>&1 3>&- &
	LAB_WATCHDOG=$!
}

# host_view: what a check must leave as it found it: the hostname, what /proc is (its file
# system type, and whether it shows this shell: a /proc of another PID namespace does not),
# and the mount table (mount point, type, source).
host_view() {
	local proc
	proc=$(stat -f -c %T /proc 2>/dev/null)
	own_proc || proc="$proc of another PID namespace"
	echo "hostname $(cat /proc/sys/kernel/hostname 2>/dev/null || hostname)"
	echo "proc $proc"
	awk '{ for (i = 7; $i != "-"; i++); print "mount " $5 " " $(i + 1) " " $(i + 2) }' \
		/proc/self/mountinfo 2>/dev/null | sort
}

# stray_pids: in the grader's own PID namespace, every process but its init, bats's own (whose
# command lines name bats) and those running before the check (bats's formatter runs cat):
# what a check left running. Builtins only.
stray_pids() (
	trap - DEBUG                 # bats's DEBUG trap would make this loop far slower
	local f pid arg cmd state
	own_proc || return 0         # PIDs read from another namespace's /proc are not ours
	for f in /proc/[0-9]*/cmdline; do
		pid=${f#/proc/} && pid=${pid%/cmdline}
		if [ "$pid" = 1 ] || [ "$pid" = "$BASHPID" ]; then continue; fi
		[[ ${LAB_PIDS_BEFORE:-} != *" $pid "* ]] || continue
		cmd=""
		while IFS= read -r -d '' arg; do cmd+="$arg "; done 2>/dev/null <"$f"
		[[ $cmd == *bats* ]] && continue
		read -r _ _ state _ 2>/dev/null <"/proc/$pid/stat" || continue
		[ "$state" != Z ] || continue
		echo "$pid"
	done
)

# describe_pids PID...: each PID with its command line, on one line.
describe_pids() {
	local p
	for p; do echo "$p '$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | sed 's/ $//')'"; done |
		paste -sd ';' | sed 's/;/; /g'
}

# lab_teardown: after every check, see that the machine is as the check found it, name
# what the program under test did to it, and (contained) put it back: the hostname, /proc,
# the mounts, processes left running. Fails the check with the verdict.
lab_teardown() {
	local now verdicts=() line strays i what
	[ -z "${LAB_WATCHDOG:-}" ] || kill "$LAB_WATCHDOG" 2>/dev/null
	if [ -e "$BATS_TEST_TMPDIR/.hung" ]; then
		verdicts+=("the check did not end within $LAB_CHECK_LIMIT s: your program, or a process it left, kept running or kept the check's output open (a daemon holding stdout?); stopped: $(paste -sd ';' "$BATS_TEST_TMPDIR/.hung" | sed 's/;/; /g')")
	fi
	[ -n "${LAB_HOST_BEFORE+set}" ] || return 0
	now=$(host_view)
	if [ "$now" != "$LAB_HOST_BEFORE" ]; then
		local was_h now_h
		was_h=$(sed -n 's/^hostname //p' <<<"$LAB_HOST_BEFORE")
		now_h=$(sed -n 's/^hostname //p' <<<"$now")
		if [ "$was_h" != "$now_h" ]; then
			verdicts+=("your program renamed the host ('$was_h' became '$now_h'): it has no CLONE_NEWUTS (sethostname must run in the container's own UTS namespace)")
			[ "${LAB_CONTAINED:-}" != 1 ] || hostname "$was_h" 2>/dev/null
		fi
		if [ "$(grep '^proc ' <<<"$LAB_HOST_BEFORE")" != "$(grep '^proc ' <<<"$now")" ]; then
			# A /proc of another PID namespace: one mounted over the host's, or one that was
			# beneath it (fewer /proc mounts than before, when the table can still be read).
			what=$(sed -n 's/^proc //p' <<<"$now")
			if [[ $what == proc* ]] && ! { grep -q '^mount ' <<<"$now" &&
				(($(grep -c '^mount /proc proc' <<<"$now") < $(grep -c '^mount /proc proc' <<<"$LAB_HOST_BEFORE"))); }; then
				verdicts+=("your program mounted its own /proc over the host's, which now shows another PID namespace: it has no CLONE_NEWNS (mount /proc only in the container's own mount namespace)")
				[ "${LAB_CONTAINED:-}" != 1 ] || umount -l /proc 2>/dev/null
			else
				verdicts+=("your program unmounted the host's /proc (now '${what:-nothing}' is there): it has no CLONE_NEWNS, or unmounts /proc before it is in its own mount namespace")
			fi
			if [ "${LAB_CONTAINED:-}" = 1 ] && ! own_proc; then
				mount -t proc proc /proc 2>/dev/null
			fi
			# The mount table read through a wrong /proc cannot be trusted: read it again.
			now=$(host_view)
		fi
		while read -r line; do
			# shellcheck disable=SC2086  # three words: < or >, mount point, type
			set -- $line
			case $2:$3 in
			/proc:proc) continue ;;      # said above
			esac
			case $1 in
			'>') if [ "$3" = nsfs ]; then
					verdicts+=("your program left a namespace bound at $2 (a bind mount of /proc/PID/ns/...): it outlives every process; umount $2")
				else
					verdicts+=("your program left a mount on the host: $3 on $2: it has no CLONE_NEWNS, or mounts before the container's own mount namespace is private")
				fi
				[ "${LAB_CONTAINED:-}" != 1 ] || umount -l "$2" 2>/dev/null ;;
			'<') verdicts+=("your program unmounted $2 ($3) on the host: it has no CLONE_NEWNS") ;;
			esac
		done < <(diff <(grep '^mount ' <<<"$LAB_HOST_BEFORE") <(grep '^mount ' <<<"$now") |
			sed -n 's/^\([<>]\) mount /\1 /p')
	fi
	if [ "${LAB_CONTAINED:-}" = 1 ]; then
		# What the check's own teardown killed may take a moment to go.
		for i in 1 2 3 4 5 6 7 8 9 10; do
			strays=$(stray_pids)
			[ -n "$strays" ] || break
			sleep 0.1
		done
		if [ -n "$strays" ]; then
			# shellcheck disable=SC2086  # a list of PIDs
			verdicts+=("your program left processes running after it ended: $(describe_pids $strays) (a daemon, or a setsid child? the container's processes must end with it); killed")
			# shellcheck disable=SC2086
			kill -KILL $strays 2>/dev/null
		fi
	fi
	[ ${#verdicts[@]} = 0 ] && return 0
	printf 'FAIL: %s\n' "${verdicts[@]}" >&2
	return 1
}

# ps_field PID N: field N of /proc/PID/stat (1 the PID, 3 the state, 4 the parent's PID).
ps_field() {
	local stat fields
	read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
	read -r -a fields <<<"${stat##*) }"   # from field 3 on
	echo "${fields[$2 - 3]}"
}

# blocked_in_pipe_read PID: PID is blocked in read(2) on a pipe: /proc/PID/syscall names
# read (0 on x86_64, 63 on arm64 and riscv) on a file descriptor that is a pipe, or, where
# that file cannot be read, /proc/PID/wchan says pipe_read (anon_pipe_read in Linux 6.16 and
# newer, pipe_wait before 5.6).
blocked_in_pipe_read() {
	local nr fd wchan read_nr=0
	case $(uname -m) in aarch64 | riscv64) read_nr=63 ;; esac
	if read -r nr fd _ 2>/dev/null <"/proc/$1/syscall" && [[ $nr =~ ^[0-9]+$ ]]; then
		[ "$nr" = "$read_nr" ] && [[ $(readlink "/proc/$1/fd/$((fd))" 2>/dev/null) == pipe:* ]]
		return
	fi
	read -r wchan 2>/dev/null <"/proc/$1/wchan" && [[ $wchan == *pipe_read || $wchan == pipe_wait ]]
}

# ended PID: PID has ended: gone, or a zombie not yet reaped.
ended() {
	local state
	state=$(ps_field "$1" 3) || return 0
	[ "$state" = Z ]
}

# own_proc: /proc is a proc of this shell's PID namespace: /proc/self is this shell.
own_proc() {
	local pid
	read -r pid _ 2>/dev/null </proc/self/stat && [ "$pid" = "$BASHPID" ]
}

# render_once SCRIPT: in setup_file, run tools/SCRIPT (the deck's or the handout's render)
# into $BATS_FILE_TMPDIR/out once, keeping its exit status and log for rendered_into.
render_once() {
	local rc=0
	"$LAB_ROOT/tools/$1" "$BATS_FILE_TMPDIR/out" >"$BATS_FILE_TMPDIR/render.log" 2>&1 || rc=$?
	echo "$rc" >"$BATS_FILE_TMPDIR/render.rc"
}

# rendered_into FILE: skip when marp-cli could not be brought in (exit 3: no npm registry);
# fail, with the render's log, when it failed or left no FILE.
rendered_into() {
	local rc
	rc=$(cat "$BATS_FILE_TMPDIR/render.rc")
	[ "$rc" != 3 ] || skip "marp-cli could not be brought in: npm or the npm registry is out of reach"
	[ "$rc" = 0 ] || fail "the render exited $rc: $(cat "$BATS_FILE_TMPDIR/render.log")"
	[ -s "$1" ] || fail "the render left no $1"
}
