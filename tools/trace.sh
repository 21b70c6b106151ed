#!/usr/bin/env bash
# trace.sh: `make trace N` runs stage N's demo under `strace -f` and shows only the calls the
# stage teaches, so they are not drowned in the dynamic loader's openat/read noise.
#
#   LAB_CMD='./00-fork-exec/fork-exec -- /bin/bash -c "echo test"' tools/trace.sh
#   LAB_CMD=... RAW=1 tools/trace.sh      the whole strace log of those calls, unfiltered
#
# LAB_CMD is the command line `make stage N` runs (the Makefile sets it). The demo's own output
# comes first, as in `make stage N`; the filtered trace follows on stdout. Exit status: the
# demo's, or 127 when strace is missing.
#
# What the filter keeps (each line starts with the PID as the host sees it):
#   - in every process: fork, vfork, clone, clone3, execve (failed PATH lookups left out),
#     wait4, waitid, unshare, setns, mount, umount2, sethostname, pivot_root, and exits;
#   - in the lab's own processes (before they exec COMMAND): the clone child's stack (mmap
#     with MAP_STACK, the mprotect of its guard page, its munmap), pipe2, prctl, pidfd_open
#     and poll (die_with_parent), openat of /proc files (the ID maps), and read/write on a
#     pipe they made or on a /proc file (the sync byte, the maps).
set -uo pipefail

if ! command -v strace >/dev/null 2>&1; then
	echo "strace not found: apt-get install strace" >&2
	exit 127
fi
if [ -z "${LAB_CMD:-}" ]; then
	echo "trace.sh: LAB_CMD is not set; run it as: make trace N" >&2
	exit 2
fi

calls=fork,vfork,clone,clone3,execve,wait4,waitid,unshare,setns,mount,umount2,sethostname
calls=$calls,pivot_root,pipe2,prctl,pidfd_open,poll,openat,read,write,mmap,mprotect,munmap
log=$(mktemp "${TMPDIR:-/tmp}/lab-trace.XXXXXX")
trap 'rm -f "$log"' EXIT

# LAB_CMD is shell text (quotes included), exactly as `make stage N` shows and runs it.
cmd=()
eval "cmd=($LAB_CMD)"
printf '$ strace -f -e trace=%s %s\n' "$calls" "$LAB_CMD" >&2

# -f: follow children; -y: show what each fd is (pipe:[...], /proc/PID/uid_map);
# -q: no attach/detach chatter; signal=none: no SIGCHLD lines.
strace -f -q -y -s 64 -e signal=none -e trace="$calls" -o "$log" -- "${cmd[@]}"
status=$?

echo
if [ -n "${RAW:-}" ]; then
	echo "--- strace -f, every traced call (RAW=1) ---"
	cat "$log"
	exit "$status"
fi
echo "--- strace -f: the calls this stage teaches (PIDs as the host sees them; RAW=1 for all) ---"
awk '
# A line is "PID rest". A call strace could not finish at once comes in two lines,
# "PID name(args <unfinished ...>" and later "PID <... name resumed>rest": join them.
{
	pid = $1
	rest = $0
	sub(/^[0-9]+ +/, "", rest)                # strace pads short PIDs: "812   execve(..."
	if (rest ~ /<unfinished \.\.\.>$/) {
		# The child of an unfinished clone may speak before the clone line completes.
		if (rest ~ /^(fork|vfork|clone|clone3)\(/)
			last_cloner = pid
		sub(/ *<unfinished \.\.\.>$/, "", rest)
		if (rest ~ /,$/)
			rest = rest " "
		pending[pid] = rest
		next
	}
	if (rest ~ /^<\.\.\. [a-z0-9_]+ resumed>/) {
		sub(/^<\.\.\. [a-z0-9_]+ resumed> */, "", rest)
		rest = pending[pid] rest
		delete pending[pid]
	}
	if (!(pid in lab))
		lab[pid] = (NR == 1) ? 1 : lab[last_cloner] + 0
	name = rest
	sub(/\(.*/, "", name)
	gsub(/AT_FDCWD<[^>]*>/, "AT_FDCWD", rest)
	sub(/\) +=/, ") =", rest)                 # strace pads results to a column

	if (rest ~ /^\+\+\+ /) { print pid, rest; next }  # +++ exited with N +++
	if (name ~ /^(fork|vfork|clone|clone3)$/) {
		last_cloner = pid
		print pid, rest
		next
	}
	if (name == "execve") {
		if (rest ~ /= -1 ENOENT/)          # execvp trying each PATH directory
			next
		if (rest ~ /= 0$/) {
			prog = rest
			sub(/^execve\("/, "", prog)
			sub(/".*/, "", prog)
			if (NR == 1 || lab_prog == "")
				lab_prog = prog
			lab[pid] = (prog == lab_prog)
		}
		print pid, rest
		next
	}
	if (name ~ /^(wait4|waitid)$/ && rest ~ /= -1 ECHILD/)  # a shell asking "any more?"
		next
	if (name ~ /^(wait4|waitid|unshare|setns|mount|umount2|sethostname|pivot_root)$/) {
		print pid, rest
		next
	}
	if (!lab[pid])
		next
	if (name == "pipe2") {                     # remember its pipe, to show what goes through it
		if (match(rest, /pipe:\[[0-9]+\]/))
			lab_pipe[substr(rest, RSTART, RLENGTH)] = 1
		print pid, rest
		next
	}
	if (name ~ /^(prctl|pidfd_open|poll)$/) { print pid, rest; next }  # die_with_parent()
	if (name == "mmap" && rest ~ /MAP_STACK/) {  # the clone child stack (the loader maps no MAP_STACK)
		stack = rest
		sub(/.*= /, "", stack)
		stacks[stack] = 1
		print pid, rest
		next
	}
	if (name ~ /^(mprotect|munmap)$/) {        # its guard page, and giving it back
		addr = rest
		sub(/^[a-z]+\(/, "", addr)
		sub(/,.*/, "", addr)
		if (addr in stacks)
			print pid, rest
		next
	}
	if (name == "openat" && rest ~ /^openat\([^,]*, "\/proc\//) { print pid, rest; next }
	if (name == "read" || name == "write") {
		fd = rest
		sub(/^[a-z]+\([0-9]+</, "", fd)
		sub(/>.*/, "", fd)
		if (fd in lab_pipe || fd ~ /^\/proc\//)
			print pid, rest
	}
}' "$log"
exit "$status"
