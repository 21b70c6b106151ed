#!/usr/bin/env bash
# run-tests.sh: run bats on the given files, bringing in bats and the tools first
# (tools/deps.sh), then print the summary: "bats: N passed, N failed, N skipped", and, when
# some were skipped, how many need root ("N skipped because they need root: run sudo make
# test for those") and why the others were. Exit status: bats's (1 when a check failed).
#
# The environment chooses what runs and how (make check sets the first two):
#   LAB_CHECKS=fast   the fast set: each check once, no strace fault injection, no repeated
#                     runs; stops at the first failing check, whose message comes last
#   LAB_CHECKS=slow   the slow remainder only (also stops at the first failure)
#   LAB_CHECKS=all    every check, to the end (the default: make test, CI)
#   LAB_CONTAIN=1     run bats, and with it every program under test, in namespaces of its
#                     own (see contain below), with a pids limit where a cgroup can be made,
#                     tests/ and tools/ read-only, and the machine's hostname, mounts, /proc
#                     and those files compared before and after
#   LAB_FAIL_FAST=0|1 override the stop at the first failure
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)

bats=$("$here/deps.sh" bats) || exit 1
"$here/deps.sh" tools

mode=${LAB_CHECKS:-all}
case $mode in
fast | slow | all) ;;
*) echo "run-tests: LAB_CHECKS='$mode': expected fast, slow or all" >&2; exit 2 ;;
esac
export LAB_CHECKS=$mode
fail_fast=${LAB_FAIL_FAST:-$([ "$mode" = all ] && echo 0 || echo 1)}
pids_max=${LAB_PIDS_MAX:-512}

# again_cmd SET FILE...: the command that runs SET (fast or slow) of FILEs: `make check N
# CHECKS=SET [BIN=...]` for one stage's file, else tools/run-tests.sh with LAB_CHECKS=SET.
again_cmd() {
	local set=$1 f n
	shift
	f=${1##*/}
	if [ $# = 1 ] && [[ $f =~ ^([0-9][0-9])-.*\.bats$ ]]; then
		n=${BASH_REMATCH[1]#0}
		echo "make check $n CHECKS=$set${BIN:+ BIN=$BIN}"
	else
		echo "LAB_CHECKS=$set tools/run-tests.sh $*"
	fi
}

# host_state: what the checks must leave as it was: the hostname, the mount table (mount
# point, type, source), what /proc is, and a hash of every file of tests/ and tools/.
host_state() {
	echo "hostname $(hostname 2>/dev/null || cat /proc/sys/kernel/hostname)"
	echo "/proc is $(stat -f -c %T /proc 2>/dev/null)"
	awk '{ for (i = 7; $i != "-"; i++); print "mount " $5 " " $(i + 1) " " $(i + 2) }' \
		/proc/self/mountinfo | sort
	(cd "$root" && find tests tools -type f -print0 | sort -z | xargs -0 sha256sum) |
		sed 's/^/file /'
}

# pids_cgroup: make a cgroup with a pids limit for the contained run (root only): cgroup v2
# where the pids controller is enabled for our cgroup's children, else the v1 pids
# hierarchy. Its directory on stdout; nothing when none can be made.
pids_cgroup() {
	local mnt rel dir parent
	[ "$(id -u)" = 0 ] || return 0
	mnt=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
	rel=$(sed -n 's/^0:://p' /proc/self/cgroup)
	# Under our own cgroup when it hands the pids controller down, else under the root of
	# the hierarchy (a systemd machine enables pids there; root may move a process anywhere).
	for parent in ${rel:+"$mnt${rel%/}"} "$mnt"; do
		if [ -z "$mnt" ] || ! grep -qw pids "$parent/cgroup.subtree_control" 2>/dev/null; then continue; fi
		dir=$(mktemp -d "$parent/lab-grader.XXXXXX" 2>/dev/null) && [ -e "$dir/pids.max" ] &&
			echo "$pids_max" >"$dir/pids.max" && { echo "$dir"; return; }
		[ -z "$dir" ] || rmdir "$dir" 2>/dev/null
	done
	mnt=$(awk '$9 == "cgroup" && $NF ~ /(^|,)pids(,|$)/ { print $5; exit }' /proc/self/mountinfo)
	rel=$(sed -n 's/^[0-9]*:\([^:]*,\)\{0,1\}pids\(,[^:]*\)\{0,1\}://p' /proc/self/cgroup)
	if [ -n "$mnt" ]; then
		dir=$(mktemp -d "$mnt${rel%/}/lab-grader.XXXXXX" 2>/dev/null) && [ -e "$dir/pids.max" ] &&
			echo "$pids_max" >"$dir/pids.max" && { echo "$dir"; return; }
		[ -z "$dir" ] || rmdir "$dir" 2>/dev/null
	fi
	return 0
}

# pids_hit CGROUP: true when CGROUP's pids limit has refused a fork.
pids_hit() {
	local n
	n=$(sed -n 's/^max //p' "$1/pids.events" 2>/dev/null)
	[ "${n:-0}" -gt 0 ]
}

# The contained run. PID 1 of the new PID namespace is this init: it mounts the namespace's
# own /proc, makes tests/ and tools/ read-only (a bind mount on themselves),
# gives a new net namespace one extra link (so that a container that shares it sees two),
# then runs bats and reaps every orphan until bats ends. A program under test that kills
# every process it can (kill(-1)) kills bats, not PID 1: the init then says so.
# shellcheck disable=SC2016  # the init's own variables
init='
	umount -l /proc 2>/dev/null
	mount -t proc proc /proc || { echo "# grader: cannot mount a /proc in its PID namespace"; exit 99; }
	for d in "$LAB_ROOT_DIR/tests" "$LAB_ROOT_DIR/tools"; do
		mount --bind "$d" "$d" && mount -o remount,bind,ro "$d" "$d" ||
			{ echo "# grader: cannot make $d read-only"; exit 99; }
	done
	if [ "$LAB_GRADER_NET" = new ] && command -v ip >/dev/null; then
		ip link set lo up 2>/dev/null
		ip link add lab-grader0 type dummy 2>/dev/null ||
			ip link add lab-grader0 type bridge 2>/dev/null ||
			ip tuntap add dev lab-grader0 mode tun 2>/dev/null
	fi
	[ -z "$LAB_GRADER_NPROC" ] || ulimit -S -u "$LAB_GRADER_NPROC" 2>/dev/null
	export LAB_CONTAINED=1
	# As an ordinary user, the init is root of a user namespace of its own (to mount), and
	# bats runs as the user again, in a user namespace inside it ($LAB_GRADER_INNER), which
	# cannot undo those mounts.
	# env: a job started with & in a script has SIGINT and SIGQUIT ignored, and would pass
	# that on to every program under test: a Ctrl-C of a check would reach nothing.
	env --default-signal=INT,QUIT $LAB_GRADER_INNER "$@" &
	b=$!
	echo "$b" >"$LAB_GRADER_DIR/bats.pid"
	while :; do
		wait "$b"; rc=$?
		kill -0 "$b" 2>/dev/null || break
	done
	if [ "$rc" -gt 128 ]; then
		echo "# grader: bats was killed by signal $((rc - 128)) (SIG$(kill -l "$rc"))"
	fi
	exit "$rc"'

# The run's own directory: the current check's name, bats's PID, the TAP, TMPDIR.
grader_dir=$(mktemp -d /var/tmp/lab-grader.XXXXXX 2>/dev/null || mktemp -d /tmp/lab-grader.XXXXXX)
chmod 755 "$grader_dir"
mkdir -m 1777 "$grader_dir/tmp"    # TMPDIR of a contained run (/tmp stays: BIN may be there)
cgroup=""
# shellcheck disable=SC2317  # run by the trap
cleanup() {
	local _i
	if [ -n "$cgroup" ]; then
		# Every process of the run ends with its PID namespace; wait for the last to go.
		for _i in $(seq 50); do
			xargs -r kill -KILL <"$cgroup/cgroup.procs" 2>/dev/null
			rmdir "$cgroup" 2>/dev/null && break
			sleep 0.1
		done
	fi
	rm -rf "$grader_dir"
}
trap cleanup EXIT

# LAB_REQUIRE_PIDS_LIMIT=1: exit 3 when no pids cgroup can be made (tests/grader.bats runs
# its fork bomb only under one).
if [ "${LAB_REQUIRE_PIDS_LIMIT:-0}" = 1 ]; then
	cg=$(pids_cgroup)
	if [ -z "$cg" ]; then
		echo "run-tests: no pids cgroup can be made here (as root: cgroup v2 with the pids" \
			"controller delegated, or a v1 pids hierarchy): not run"
		exit 3
	fi
	rmdir "$cg"
fi
cmd=("$bats" --formatter tap "$@")
contained=false
if [ "${LAB_CONTAIN:-0}" = 1 ]; then
	net=new
	ns=(-u -i -m -p -f -n --propagation private --kill-child)
	inner="" nproc=""
	if [ "$(id -u)" != 0 ]; then
		# No pids cgroup without root: RLIMIT_NPROC binds an ordinary user (it counts all
		# of the user's processes: those running now, plus the grader's limit).
		nproc=$(($(find /proc -maxdepth 1 -name '[0-9]*' -user "$(id -u)" 2>/dev/null | wc -l) + pids_max))
		ns=(-r "${ns[@]}" --mount-proc)
		inner="unshare --map-user=$(id -u) --map-group=$(id -g)"
		unshare --help 2>/dev/null | grep -q -- --map-group || ns=() # util-linux before 2.38
	fi
	# shellcheck disable=SC2086  # $inner: a command, split on purpose
	if [ ${#ns[@]} -gt 0 ] && unshare "${ns[@]}" $inner true 2>/dev/null; then
		cgroup=$(pids_cgroup)
		contained=true
		# shellcheck disable=SC2016  # the inner sh's variables
		cmd=(env LAB_ROOT_DIR="$root" LAB_GRADER_DIR="$grader_dir" LAB_GRADER_NET="$net"
			LAB_GRADER_INNER="$inner" LAB_GRADER_NPROC="$nproc"
			LAB_PIDS_MAX="$pids_max" TMPDIR="$grader_dir/tmp"
			bash -c 'if [ -n "$1" ]; then echo $$ >"$1/cgroup.procs" || exit 98; fi; shift; exec "$@"'
			bash "$cgroup" unshare "${ns[@]}" bash -c "$init" lab-grader-init "${cmd[@]}")
		[ -n "$cgroup" ] || [ "$(id -u)" != 0 ] ||
			echo "run-tests: no pids cgroup can be made here: as root, nothing limits how many" \
				"processes the program under test makes" >&2
	else
		echo "run-tests: cannot make namespaces here (unshare ${ns[*]}): the checks run" \
			"in the machine's own, uncontained" >&2
	fi
fi
export LAB_GRADER_DIR=$grader_dir
before=$(host_state)

# Run bats in a session of its own (so that it and all it started can be stopped), its TAP
# read here line by line.
fifo=$grader_dir/tap
mkfifo "$fifo"
# env --default-signal: a job started with & in a script has SIGINT and SIGQUIT ignored, and
# would pass that on to every program under test (a check's Ctrl-C would reach nothing).
setsid env --default-signal=INT,QUIT "${cmd[@]}" >"$fifo" 2>&1 3>&- &
runner=$!
exec 4<"$fifo"

passed=0 failed=0 skipped=0 root_skips=0 left_out=0 total="" stopped="" killed=""
declare -A other=()
fail_block=()
stop_runner() {
	kill -TERM -- "-$runner" 2>/dev/null
	sleep 0.3
	kill -KILL -- "-$runner" 2>/dev/null
}
partial="" next=""
while :; do
	rc=0
	if [ -n "$next" ]; then          # a result line read after a failure's lines: take it now
		line=$next next=""
	else
		IFS= read -r -t 0.5 -u 4 line || rc=$?
	fi
	if [ "$rc" -gt 128 ]; then      # no whole line for 0.5 s: keep what came, check the pids limit
		partial+=$line
			if [ -n "$cgroup" ] && pids_hit "$cgroup"; then
				stopped=pids
				stop_runner
				break
			fi
		continue
	fi
	line=$partial$line partial=""
	[ "$rc" = 0 ] || [ -n "$line" ] || break      # the end of the output
	case $line in
	1..*) total=${line#1..}; echo "$line"; continue ;;
	"ok "*" # skip slow check"* | "ok "*" # skip fast check"*)
		left_out=$((left_out + 1)); skipped=$((skipped + 1)); continue ;;
	"ok "*" # skip"*)
		skipped=$((skipped + 1))
		reason=${line#* # skip}; reason=${reason# }
		if [[ $reason == *"needs root"* ]]; then
			root_skips=$((root_skips + 1))
		else
			other[${reason:-no reason given}]=$((${other[${reason:-no reason given}]:-0} + 1))
		fi ;;
	"ok "*) passed=$((passed + 1)) ;;
	"not ok "*)
		failed=$((failed + 1))
		fail_block=("$line")
		echo "$line"
		# The failed check's lines (bats prints them at once), then stop.
		while IFS= read -r -t 1 -u 4 line; do
			case $line in
			"ok "* | "not ok "*) next=$line; break ;;
			esac
			fail_block+=("$line")
			echo "$line"
		done
		if [ "$fail_fast" = 1 ]; then
			stopped=fail
			stop_runner
			break
		fi
		continue ;;
	"# grader: bats was killed by signal"*) killed=$line ;;
	esac
	echo "$line"
done
exec 4<&-
wait "$runner" 2>/dev/null
rc=$?
after=$(host_state)

current=$(cat "$grader_dir/current" 2>/dev/null)
[ "$stopped" = fail ] && rc=1
printf 'bats: %d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
[ "$root_skips" = 0 ] || echo "$root_skips skipped because they need root: run sudo make test for those"
for r in "${!other[@]}"; do echo "${other[$r]} skipped: $r"; done
if [ "$left_out" -gt 0 ]; then
	if [ "$mode" = fast ]; then
		echo "$left_out skipped: the slow checks (repeated runs, and repeats of the checks" \
			"above as another user; make test runs them too): $(again_cmd slow "$@")"
	else
		echo "$left_out skipped: fast checks: $(again_cmd fast "$@") runs them"
	fi
fi
if [ "$stopped" = pids ]; then
	rc=1
	echo "not ok: the program under test made more than $pids_max processes (the grader's" \
		"pids limit) during the check '${current:-?}': a fork loop that never ends? The checks" \
		"were stopped, and every process of theirs killed."
elif [ -n "$killed" ]; then
	rc=1
	echo "not ok: ${killed#\# grader: } during the check '${current:-?}': the program under test" \
		"signalled every process it could reach (kill(-1, ...): a PID of -1, from a failed" \
		"fork or clone, taken for a child's?). Contained, it reached only the checks."
elif [ -z "$stopped" ] && [ -n "$total" ] && [ $((passed + failed + skipped)) -lt "$total" ]; then
	rc=1
	echo "not ok: bats ended after $((passed + failed + skipped)) of $total checks (exit status" \
		"$rc), in the check '${current:-?}'"
fi
if [ "$before" != "$after" ]; then
	rc=1
	echo "not ok: the machine changed during the checks$($contained && echo ', though they were contained'):"
	diff <(echo "$before") <(echo "$after") | sed -n 's/^[<>] /  /p' | head -n 20
	echo "  (tests/ or tools/ changed: git diff and git checkout -- tests tools restore them)"
fi
if [ "$stopped" = fail ]; then
	echo "Stopped at the first failing check (the slow remainder: $(again_cmd slow "$@")):"
	printf '%s\n' "${fail_block[0]}"
	# The last run's stderr (the program's own error line and hint), then the verdict.
	printf '%s\n' "${fail_block[@]:1}" | awk '
		/^# # stderr: ./ { n = 0; keep = 1; buf = "" }
		keep && n > 0 && /^# (FAIL|#|\()/ { keep = 0 }
		keep && n < 6 { buf = buf substr($0, 1, 400) "\n"; n++ }
		END { printf "%s", buf }'
	printf '%s\n' "${fail_block[@]:1}" | grep -E '^# (FAIL|grader|your program)' ||
		printf '%s\n' "${fail_block[@]:1}" | tail -n 3
fi
exit "$rc"
