#!/usr/bin/env bash
# transcripts.sh: every transcript in the docs is a test. It finds each fenced block of the
# docs that shows a command at a prompt with its output, runs it in a scratch copy of the
# lab, and compares what comes out with what the block shows, after normalising what varies
# from run to run and machine to machine. It also checks that each ```c block quotes real
# code. `make test-transcripts` runs it on every doc (CI); tests/transcripts.bats runs the
# fast part in `make test`.
#
#   tools/transcripts.sh [-l] [-c] [-q] [FILE]...
#       -l  list and count the blocks only, run nothing
#       -c  check the ```c excerpts only
#       -q  print only mismatches and the counts
#   FILE defaults to README.md, LESSONS.md, each stage's README.md, slides/deck.md and
#   instructor/*.md. Exit status: 0 when every block run matched and every excerpt was found,
#   1 otherwise, 2 on a usage error.
#
# The convention (CONTRIBUTING.md's "Transcripts" would say the same):
#
# - A transcript is a fenced block (not ```c) with a line that starts with a prompt: `$ `
#   (an ordinary user) or `# ` (root), optionally after `~/lab` or a terminal's name (`T1$ `,
#   `T2# `). The first prompt sets the block's style: only lines with the same prefix are
#   commands (after `~/lab$ make stage 0`, make's own echo `$ ./00-fork-exec/...` is
#   output), and where the first prompt is `$ `, lines starting `# ` are output (bats prints
#   its comments that way). A command with a quote still open, or ending in `\`, goes on on
#   the next line; a here-document (`<<'EOF'`) goes on to its end word. Every other line up
#   to the next prompt is the command's output; a line `...` leaves lines out (then each
#   line shown must appear, in any order), and a line starting `...` ends like the one shown.
# - Ordinary-user blocks run as the current user, or, when the checker is root, as uid 65534
#   (nobody), in a scratch copy of the lab that user can read. `sudo CMD` runs CMD as root
#   (the whole block then runs as root; it is skipped when the checker is not root). Root
#   blocks run as root (in mount, UTS and IPC namespaces of their own, so a line meant for a
#   container cannot change the host's mounts, name or queues), and are skipped, counted,
#   when the checker is not root.
# - The blocks of one file run in order (a break-it builds in one block, runs in the next),
#   each from the lab's top directory, each with a time limit; `/tmp/lab-scratch-$USER` is
#   replaced with a scratch directory of the run's own.
# - What varies is normalised on both sides before comparing: numbers of three or more
#   digits (PIDs, inodes, uids such as 1000 or 65534, counts) but an exit status from 125 to
#   159 (after "status", "Error", "exit", "with"..., or alone on a line); strace's [pid N]
#   prefixes and write lengths; addresses (0x...), MAC addresses, container IDs, temporary
#   names, dates, times and durations, `Makefile:NN`, the host's name, the user's name
#   (`nobody`, `participant`, the current user), the scratch directory (the lab's copy there
#   reads as ~/lab, as the docs show it), a count of processes (alone on a line, or "ps still
#   sees N processes"), runs of blanks.
#   bash's job lines (`[1] 4242`, `[1]+ Done ...`) and its notices of a job killed by a
#   signal (`Killed`) depend on the shell being interactive and are left out.
#   Lines are compared as a set with counts: the order in which a program and its child
#   write is the scheduler's choice. For the same reason a system call that strace -f cut in
#   two (`<unfinished ...>`, then `<... CALL resumed>`) is joined into one line first.
#   Each block runs with only descriptors 0, 1 and 2 open, as a fresh terminal has.
# - A block that cannot run unattended (two terminals, a long sleep, Ctrl-C, Ctrl-Z) is
#   marked at the end of the last non-blank line above its fence (a line of its own, or the end
#   of the sentence that introduces the block) with
#       <!-- unattended: REASON -->
#   or, when it is a second terminal's view of a command started in the first,
#       <!-- unattended: REASON; terminal 1: COMMAND -->
#   With `terminal 1:`, the checker starts COMMAND in the background, waits until it has a
#   child, and runs the block's commands that it can against it, each as the block's user (or
#   root for `sudo`), variables kept from one to the next: a literal PID after `/proc/`,
#   `-p`, `-t` or `pstree` (and the words PID, RUNTIME there) becomes the newest process under
#   COMMAND (the container's init, or sleep). A `kill` of a literal PID, Ctrl-C, Ctrl-Z or a
#   command of terminal 1 (`T1$`) is not run; each command run is compared with its own
#   output lines, each of which must appear. A block that needs a terminal (stdio buffering,
#   `ls -l /proc/self/fd`) ends the line above its fence with <!-- in a terminal -->: it runs
#   in a pty that script(1) gives it.
# - A ```c block must quote code of the lab: with all whitespace removed, each part between
#   `...` lines must appear in the stage's own C file or in common/*.c (for files outside a
#   stage: in any of the lab's C files), unless the line above its fence ends with
#       <!-- sketch: REASON -->
#   (a program to save and build, a shortened or changed version).
# - A block whose line above ends with <!-- continued --> runs in the directory the block
#   before it (same file, same user) ended in, as a reader who goes on in the same shell.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
list_only=0 code_only=0 quiet=0
while getopts lcqh opt; do
	case $opt in
	l) list_only=1 ;;
	c) code_only=1 ;;
	q) quiet=1 ;;
	h) sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "Try 'tools/transcripts.sh -h'." >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))

cd "$root" || exit 2
if [ $# -eq 0 ]; then
	set -- README.md LESSONS.md [0-9][0-9]-*/README.md slides/deck.md
	for f in instructor/*.md; do
		[ -f "$f" ] && set -- "$@" "$f"
	done
fi

# blocks FILE: the transcripts of FILE as a stream of records, one a line, tab-separated:
#   B LINE MODE REASON T1    a block at LINE; MODE run, user or unattended; T1 its terminal 1
#   C KIND COMMAND           a command (KIND $ or #, or T1 for terminal 1's); \n inside as \036
#   O TEXT                   a line of output
#   E                        the end of the block
# and the ```c excerpts as X LINE SKETCH, then P LINE-OF-CODE, then E.
blocks() {
	awk '
	# bats writes its comments as "# ...": "# FAIL:", "# (from", "#   `cmd`", "# # ..." are output
	function batsline(l) { return l ~ /^# (FAIL:|\(|#|[ \t]|`)/ }
	function odd(s,   t) { t = s; return gsub("\047", "", t) % 2 }
	function flush_cmd() { if (cmd != "") { print "C\037" ckind "\037" cmd }; cmd = "" }
	/^[ \t]*```/ {
		if (!code) {
			code = 1; info = $0; sub(/^[ \t]*```/, "", info); start = NR
			ind = match($0, /[^ \t]/) - 1   # an indented fence (in a list): its lines too
			unatt = ""; t1 = ""; sketch = 0
			if (prev ~ /<!-- unattended:.*-->[ \t]*$/) {
				unatt = prev; sub(/^.*<!-- unattended: */, "", unatt); sub(/ *-->$/, "", unatt)
				if (match(unatt, /; *terminal 1: */)) {
					t1 = substr(unatt, RSTART + RLENGTH); unatt = substr(unatt, 1, RSTART - 1)
				}
			}
			if (prev ~ /<!-- sketch[^>]*-->[ \t]*$/) sketch = 1
			tty = (prev ~ /<!-- in a terminal[^>]*-->[ \t]*$/)
			contd = (prev ~ /<!-- continued[^>]*-->[ \t]*$/)
			n = 0; isc = (info ~ /^c[ \t]*$/)
			next
		}
		code = 0
		if (isc) { print "X\037" start "\037" sketch; for (i = 1; i <= n; i++) print "P\037" body[i]; print "E" }
		else if (first != "") {
			first = ""; cmd = ""; hd = ""; cont = 0
			print "B\037" start "\037" (unatt != "" ? "unattended" : tty ? "tty" : contd ? "continued" : "run") "\037" unatt "\037" t1
			for (i = 1; i <= n; i++) {
				l = body[i]
				if (hd != "") { cmd = cmd "\036" l; if (l == hd) hd = ""; continue }
				if (cont) { cmd = cmd "\036" l; cont = (l ~ /\\$/) || odd(cmd); continue }
				if (!batsline(l) && match(l, /^(~\/lab|T[12])?[$#] /)) {
					p = substr(l, 1, RLENGTH - 1); k = substr(p, length(p))
					pp = substr(p, 1, length(p) - 1)
					if ((k == "$" || blockkind == "#") && (pp == bprefix || (pp ~ /^T/ && bprefix ~ /^T/))) {
						flush_cmd(); cmd = substr(l, RLENGTH + 1)
						ckind = (p ~ /^T1/) ? "T1" : k
						cont = (cmd ~ /\\$/) || odd(cmd)   # a quote still open goes on too
						if (match(cmd, /<<-?[ \t]*'"'"'?[A-Za-z_]+'"'"'?/)) {
							hd = substr(cmd, RSTART, RLENGTH); gsub(/[<\-'"'"' \t]/, "", hd)
						}
						continue
					}
				}
				flush_cmd(); print "O\037" l
			}
			flush_cmd(); print "E"
		}
		next
	}
	code {
		if (ind > 0 && substr($0, 1, ind) ~ /^[ \t]*$/) $0 = substr($0, ind + 1)
		body[++n] = $0
		if (first == "" && !isc && !batsline($0) && match($0, /^(~\/lab|T[12])?[$#] /)) {
			first = substr($0, RLENGTH - 1, 1); blockkind = first; bprefix = substr($0, 1, RLENGTH - 2)
		}
		next
	}
	NF { prev = $0 }
	' "$1"
}

# strace_joined: each call strace split in two (`[pid P] CALL(ARGS <unfinished ...>`, later
# `[pid P] <... CALL resumed>REST`; with -o, `P CALL...`) as one line, `CALL(ARGS REST`,
# where the resumed half was.
# Whether a call is split depends on which process the scheduler ran first, so a transcript
# and a new run of the same command compare the same once each split call is joined. A
# resumed half without `[pid P]` (strace drops it once one process is left) joins the
# newest unfinished call of that name.
strace_joined() {
	awk '
	function split_pid(line) {
		pid = ""; rest = line
		if (match(line, /^\[pid +[0-9]+\] /) || match(line, /^[0-9]+ +/)) {   # -f, -f -o
			pid = substr(line, RSTART, RLENGTH); rest = substr(line, RLENGTH + 1)
		}
	}
	{
		split_pid($0)
		if (rest ~ /<unfinished \.\.\.>$/ && match(rest, /^[a-z0-9_]+\(/)) {
			name = substr(rest, 1, RLENGTH - 1)
			sub(/ <unfinished \.\.\.>$/, "", rest)   # strace adds one space before it
			k = pid SUBSEP name; pend[k] = pid rest; when[k] = NR
			next
		}
		if (match(rest, /^<\.\.\. [a-z0-9_]+ resumed>/)) {
			name = substr(rest, 6, RLENGTH - 14); tail = substr(rest, RLENGTH + 1)
			k = pid SUBSEP name
			if (pid == "" || !(k in pend)) {        # the newest unfinished call of that name
				k = ""; best = 0
				for (p in pend) {
					split(p, kk, SUBSEP)
					if (kk[2] == name && when[p] > best) { best = when[p]; k = p }
				}
			}
			if (k != "") { print pend[k] tail; delete pend[k]; delete when[k]; next }
		}
		print
	}
	END { for (k in pend) print pend[k] " <unfinished ...>" }'
}

# norm: normalise lines on stdin (see the header), dropping bash job lines and blank lines.
# shellcheck disable=SC2120  # the sed script holds \1 and \$, not arguments
norm() {
	local host user
	host=$(hostname 2>/dev/null || echo none)
	user=$(id -un 2>/dev/null || echo none)
	[ "$user" = root ] && user=nobody
	tr -d '\r' | sed -zE 's/strace: Process [0-9]+ attached\n?//g' | strace_joined |
	sed -E "s#^(bash|/[^ ]*/script): line [0-9]+: #bash: #
		s/^bash: +[0-9]+ +(Killed|Terminated|Segmentation fault|Aborted|Hangup|Interrupt|Quit)( \(core dumped\))? .*$/\1/
		s/^\[[0-9]+\][+-]? +(Killed|Terminated|Segmentation fault|Aborted|Hangup|Interrupt|Quit)( \(core dumped\))? .*$/\1/
		/^bash: +[0-9]+ +(Done|Exit [0-9]+) /d
		# a job killed by a signal: bash says so when it is in the foreground, in an interactive
		# shell when it reaps the job, and not always in a script: not compared
		/^(Killed|Terminated|Segmentation fault|Aborted|Hangup|Interrupt|Quit)( \(core dumped\))?$/d
		s#/\\* [0-9]+ vars \\*/#/* N vars */#g
		s#${scratch:-/nonexistent}/#/tmp/#g
		s#(^|[ =])/tmp/lab([/ ,:]|$)#\1~/lab\2#g
		s/^(ps still sees|\/proc still lists) [0-9]+ processes$/\1 N processes/
		s/^[0-9]{2}$/N/
		s/[[:space:]]+/ /g; s/^ //; s/ \$//
		/^\[[0-9]+\][+-]? /d
		/^\$/d
		/^[\$#]\$/d
		s/lab-scratch-[A-Za-z0-9_\$]+/lab-scratch-USER/g
		s/\b([0-9a-f]{2}:){5}[0-9a-f]{2}\b/MAC/g
		s/0x[0-9a-fA-F]+/ADDR/g
		s/\b(bats-run|tmp)[.-][A-Za-z0-9]{6}\b/\1-TMP/g
		s/(queue id:) [0-9]+/\1 N/g; s/^ADDR [0-9]+ /ADDR N /g
		s/container [0-9a-f]{6,}/container ID/g
		s#/dev/pts/[0-9]+#/dev/pts/N#g
		s/(write\([0-9]+(<[^>]*>)?, '?\"[^\"]*\"(\.\.\.)?, )[0-9]+\) = [0-9]+/\1L) = L/g
		s/\b[0-9a-f]{64}\b/ID/g
		s/\b[0-9a-f]{12}\b/ID/g
		s/\b[0-9]+(\.[0-9]+)? ?(ns|us|µs|ms|s)\b/T/g
		s/\b[0-9]+:[0-9]{2}(:[0-9]{2})?(\.[0-9]+)?\b/T/g
		s/\b[0-9]+\.[0-9]+\b/F/g
		s/Makefile:[0-9A-Z]+/Makefile:NN/g
		s/\b[0-9]{4}-[0-9]{2}-[0-9]{2}\b/DATE/g
		s/\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +[0-9]{1,2}\b/DATE/g
		s/si_([us])time=[0-9]+( \/\* [^*]* \*\/)?/si_\1time=N/g
		s/ ([RSDTZI])\+ / \1 /g
		s/(status|Error|exit|with|code|got|gives) (12[5-9]|1[3-5][0-9])\b/\1 E\2E/g
		s/^(12[5-7]|130|134|137|139|141|143)\$/E\1E/
		s/\b[0-9]{3,}\b/N/g; s/E(1[0-9]{2})E/\1/g
		s/^(N )?\[pid N\] /\1/
		s/\b(nobody|nogroup|participant|$user)\b/USER/g
		s/\b$host\b/HOST/g"
}

# is_root: is the checker root?
is_root() { [ "$(id -u)" = 0 ]; }

# as_block_user KIND SCRIPT: run bash SCRIPT as the block's user (see the header), in a
# session of its own whose ID goes to SCRIPT.sid, so that what it leaves running can be ended.
as_block_user() {
	echo $$ >"$2.sid"
	if [ "$1" = '$' ] && is_root; then
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			env HOME="$scratch/home" USER=nobody LOGNAME=nobody bash "$2"
	elif is_root; then
		# root's blocks get mount, UTS and IPC namespaces of their own (mounts private): a
		# line meant for a container's shell cannot rename the host, leave a mount or a
		# message queue on it. The PID and network namespaces stay the host's, as shown.
		unshare --mount --uts --ipc --propagation private env USER=root bash "$2"
	else
		env USER="$(id -un)" bash "$2"
	fi
}

# only_std_fds: close every descriptor above 2 this shell inherited, so a block sees what a
# participant's fresh terminal has (0, 1, 2), not what the caller of the checker left open
# (an IDE's, a CI runner's or a tool's descriptors would show up in `ls -l /proc/self/fd`).
only_std_fds() {
	local f n
	for f in /proc/self/fd/*; do
		n=${f##*/}
		[ "$n" -gt 2 ] 2>/dev/null && eval "exec $n>&-" 2>/dev/null
	done
	return 0
}

# in_session SECONDS KIND SCRIPT: as_block_user in a session of its own, for at most SECONDS,
# with only the standard descriptors; then whatever is left in that session (a background
# job, a hung break-it) is killed.
in_session() {
	timeout -k 2 "$1" setsid bash -c "$(declare -f as_block_user is_root only_std_fds); scratch='$scratch'; only_std_fds; as_block_user '$2' '$3'"
	local rc=$?
	[ -s "$3.sid" ] && pkill -KILL -s "$(cat "$3.sid")" 2>/dev/null
	return $rc
}

# prepare: the scratch copy of the lab, built, readable by everyone ($lab), and $scratch.
prepare() {
	scratch=$(mktemp -d /tmp/transcripts.XXXXXX) || exit 2
	chmod 1777 "$scratch"
	trap 'rm -rf "$scratch"' EXIT
	lab=$scratch/lab
	mkdir -p "$lab" "$scratch/home"
	is_root && chown 65534:65534 "$scratch/home"
	# every path begins with mkdir -p /tmp/lab-scratch-$USER: the checker's users have theirs
	mkdir -p "$scratch/lab-scratch-$(id -un)"
	is_root && install -d -o 65534 -g 65534 "$scratch/lab-scratch-nobody"
	# the lab's files as they are now (tracked and new, not the ignored ones), or every file
	# where this is not a git checkout; tar, which every Debian has, copies them
	(
		cd "$root" || exit 1
		{ git ls-files -co --exclude-standard 2>/dev/null || find . -type f ! -path './.git/*'; } |
			grep -v -e '^\.deps/' -e '^\./\.deps/' | tar -cf - --ignore-failed-read -T - 2>/dev/null
	) | tar -C "$lab" -xf - ||
		{ echo "transcripts: could not copy the lab into $lab" >&2; exit 2; }
	[ -d "$root/.deps" ] && ln -s "$root/.deps" "$lab/.deps"
	env -u MAKEFLAGS -u MAKELEVEL make -s -C "$lab" all >"$scratch/build.log" 2>&1 ||
		{ echo "transcripts: make all failed in the scratch copy:" >&2; cat "$scratch/build.log" >&2; exit 2; }
	chmod -R a+rX "$lab"
}

# cmd_text COMMAND: COMMAND with its continuation lines back and the scratch directory.
cmd_text() {
	local c=${1//$'\036'/$'\n'}
	c=${c//\/tmp\/lab-scratch-/$scratch\/lab-scratch-}
	printf '%s' "$c"
}

# Counters, per file: found, run, matched, unattended, their commands run, skipped.
declare -A found run matched unatt ucmds uruns uok skipped xfound xok xsketch
mismatches=0

# say TEXT: print unless quiet.
say() { [ "$quiet" = 1 ] || printf '%s\n' "$*"; }

# covers EXPECTED ACTUAL: does ACTUAL (normalised lines) hold each line of EXPECTED? A line
# `...` is skipped; a line starting `...` matches any line ending with the rest of it.
covers() {
	local e a found
	while IFS= read -r e; do
		[ -z "$e" ] || [ "$e" = ... ] && continue
		found=0
		while IFS= read -r a; do
			if [ "$a" = "$e" ] || { [[ $e == ...* ]] && [[ $a == *"${e#...}" ]]; }; then
				found=1
				break
			fi
		done <<<"$2"
		[ "$found" = 1 ] || return 1
	done <<<"$1"
}

# run_block FILE LINE KIND: run the block read into CMDS/KINDS/OUTS, compare, count.
run_block() {
	local f=$1 line=$2 kind=$3 mode=$4 d i script exp act redir cwd
	cwd=$scratch/cwd.$(tr -c 'A-Za-z0-9\n' _ <<<"$f").$([ "$kind" = '#' ] && echo root || echo user)
	d=$scratch/b.$((++nblock))
	mkdir -p "$d"; chmod 777 "$d"
	script=$d/script
	{
		echo "cd '$lab' || exit 99"
		# <!-- continued -->: where the block before it (same file, same user) left off
		# shellcheck disable=SC2016  # $(cat ...) is for the block's shell
		[ "$mode" = continued ] && printf '[ -s %q ] && cd "$(cat %q)"\n' "$cwd" "$cwd"
		echo 'unset MAKEFLAGS MFLAGS MAKELEVEL N FROM ARGS BIN RAW'
		[ "$kind" = '#' ] && echo "sudo() { while [ \"\${1#-}\" != \"\$1\" ]; do shift; done; \"\$@\"; }"
		for ((i = 0; i < ${#CMDS[@]}; i++)); do
			# in a terminal (script(1) gives one), everything goes to it, and script to out.0
			redir=$(printf '>%q 2>&1 </dev/null' "$d/out.$i")
			[ "$mode" = tty ] && redir=''
			printf '{ %s\n} %s\n' "$(cmd_text "${CMDS[i]}")" "$redir"
			# and reads what a kill did before typing on
			[[ $(cmd_text "${CMDS[i]}") == *kill* ]] && echo "sleep 0.3"
			# a human types the next command after the job has started: wait for its child
			if [[ $(cmd_text "${CMDS[i]}") =~ \&[[:space:]]*$ ]]; then
				echo "for _ in \$(seq 20); do pgrep -P \$! >/dev/null && break; sleep 0.1; done; sleep 0.3"
			fi
		done
		printf 'pwd >%q\n' "$cwd"
		echo "kill -KILL \$(jobs -p) 2>/dev/null; :"
	} >"$script"
	chmod 644 "$script"
	if [ "$mode" = tty ]; then
		printf 'SHELL=/bin/bash exec script -qec %q /dev/null\n' "bash $script" >"$d/tty"
		chmod 644 "$d/tty"
		in_session 90 "$kind" "$d/tty" \
			>"$d/out.0" 2>&1 </dev/null 3>&-
	else
		in_session 90 "$kind" "$script" \
			>"$d/log" 2>&1 </dev/null 3>&-
	fi
	exp=$(printf '%s\n' "${OUTS[@]}" | norm | sort)
	act=$(cat "$d"/out.* 2>/dev/null | norm | sort)
	run[$f]=$((run[$f] + 1))
	if grep -q '^\.\.\.' <<<"$exp"; then
		covers "$exp" "$act" && { matched[$f]=$((matched[$f] + 1)); return; }
	elif [ "$exp" = "$act" ]; then
		matched[$f]=$((matched[$f] + 1))
		return
	fi
	mismatches=$((mismatches + 1))
	echo "MISMATCH $f:$line (as $(who_runs "$kind")): - shown, + got (normalised, sorted)"
	diff <(echo "$exp") <(echo "$act") | grep '^[<>]' | sed 's/^</-/; s/^>/+/' | head -40
}

# who_runs KIND: the user a block of KIND runs as, for messages.
who_runs() {
	if [ "$1" = '$' ] && is_root; then echo "uid 65534"; else id -un; fi
}

# run_unattended FILE LINE REASON T1: start T1 (if any), run what can be run, compare each.
run_unattended() {
	local f=$1 line=$2 t1=$4 d i c k bgpid pid="" rt="" end n=0 t1kind='$' var
	# terminal 1 runs as root when the block's prompts are root's (#), or its command is sudo's
	for k in "${KINDS[@]}"; do [ "$k" = '#' ] && t1kind='#'; done
	d=$scratch/b.$((++nblock))
	mkdir -p "$d"; chmod 777 "$d"
	: >"$d/env"; chmod 666 "$d/env"
	ucmds[$f]=$((ucmds[$f] + ${#CMDS[@]}))
	[ -n "$t1" ] || return 0
	if [[ $t1 == sudo\ * ]]; then
		is_root || return 0
		t1=${t1#sudo }; t1kind='#'
	fi
	[ "$t1kind" = '#' ] && ! is_root && return 0   # root's terminal 1: not here
	printf 'cd %q || exit 99\nunset MAKEFLAGS MFLAGS MAKELEVEL\nexec %s\n' "$lab" "$(cmd_text "$t1")" >"$d/t1"
	chmod 644 "$d/t1"
	# started from a subshell, so that this shell does not report it Killed at the end
	bgpid=$( (setsid bash -c "$(declare -f as_block_user is_root only_std_fds); scratch='$scratch'; only_std_fds; as_block_user '$t1kind' '$d/t1'" \
		>"$d/t1.out" 2>&1 </dev/null 3>&- & echo $!) )
	end=$((SECONDS + 5))
	while [ $SECONDS -lt $end ]; do             # until the command runs in its container
		pid=$(pgrep -s "$bgpid" -n 2>/dev/null)
		rt=$(pgrep -s "$bgpid" -o -x 'fork-exec|exec-replace|clone-pid|multi-ns|pipe-sync' 2>/dev/null)
		[ -n "$pid" ] && [ "$(ps -o comm= -p "$pid")" = sleep ] && break
		sleep 0.1
	done
	sleep 0.2
	for ((i = 0; i < ${#CMDS[@]}; i++)); do
		c=$(cmd_text "${CMDS[i]}")
		# not run: terminal 1's own commands, a kill of a literal PID (the runtime's, or the
		# container's?), Ctrl-C, Ctrl-Z, long foreground sleeps. Any other literal PID is the
		# one terminal 1 shows: the newest process under COMMAND.
		[ "${KINDS[i]}" = T1 ] && continue
		grep -qE 'kill( -[A-Z0-9]+)? [0-9]{3,}|\^[CZ]|sleep [0-9]{3}( |$)' <<<"$c" && continue
		c=$(sed -E "s#(/proc/|-[tpN] |pstree( -[A-Za-z]+)* )[0-9]{3,}\b#\1$pid#g" <<<"$c")
		c=$(sed -E "s#(/proc/|-[tp] |kill (-[A-Z0-9]+ )?)PID\b#\1$pid#g; s#(/proc/|-[tp] |kill (-[A-Z0-9]+ )?)RUNTIME\b#\1${rt:-$bgpid}#g" <<<"$c")
		k=${KINDS[i]}
		if [[ $c == sudo\ * ]]; then
			is_root || continue
			c=${c#sudo }; k='#'
		fi
		[ "$k" = '#' ] && ! is_root && continue
		n=$((n + 1))
		{
			printf 'cd %q\n. %q\n{ %s\n} >%q 2>&1 </dev/null\n' "$lab" "$d/env" "$c" "$d/o.$i"
			for var in $(grep -oE '^[A-Za-z_][A-Za-z0-9_]*=' <<<"$c" | tr -d =); do
				echo "declare -p $var >>'$d/env'"
			done
		} >"$d/c.$i"
		chmod 644 "$d/c.$i"
		in_session 10 "$k" "$d/c.$i" \
			>/dev/null 2>&1 </dev/null 3>&-
		if covers "$(printf '%s' "${OUTS_OF[i]}" | norm)" "$(norm <"$d/o.$i")"; then
			uok[$f]=$((uok[$f] + 1))
		else
			echo "MISMATCH $f:$line (unattended, command $((i + 1)) as $(who_runs "$k"): $c): - shown, + got"
			diff <(printf '%s' "${OUTS_OF[i]}" | norm) <(norm <"$d/o.$i") | grep '^[<>]' |
				sed 's/^</-/; s/^>/+/' | head -20
			mismatches=$((mismatches + 1))
		fi
	done
	uruns[$f]=$((uruns[$f] + n))
	pkill -KILL -s "$bgpid" 2>/dev/null
	return 0
}

# excerpt FILE LINE SKETCH: is the ```c block read into CODE real code of the lab?
excerpt() {
	local f=$1 line=$2 files part all chunk
	xfound[$f]=$((xfound[$f] + 1))
	[ "$3" = 1 ] && { xsketch[$f]=$((xsketch[$f] + 1)); return; }
	case $f in
	[0-9][0-9]-*/*) files="$(dirname "$f")/*.c common/*.c" ;;
	*) files="[0-9][0-9]-*/*.c common/*.c tools/*.c" ;;
	esac
	# shellcheck disable=SC2086  # the globs above
	all=$(cat $files 2>/dev/null | tr -d ' \t\n')
	part=""
	while IFS= read -r chunk; do
		if [ "$(tr -d ' \t' <<<"$chunk")" = "..." ] || [[ $chunk =~ ^[[:space:]]*/\*\ \.\.\.\ \*/[[:space:]]*$ ]]; then
			[ -z "$part" ] || [[ $all == *"$part"* ]] || { fail_excerpt "$f" "$line" "$part"; return; }
			part=""
		else
			part+=$(tr -d ' \t' <<<"$chunk")
		fi
	done < <(printf '%s\n' "${CODE[@]}")
	[ -z "$part" ] || [[ $all == *"$part"* ]] || { fail_excerpt "$f" "$line" "$part"; return; }
	xok[$f]=$((xok[$f] + 1))
}

fail_excerpt() {
	mismatches=$((mismatches + 1))
	echo "NOT IN THE CODE $1:$2: a \`\`\`c block whose text (whitespace removed) no C file holds; mark it <!-- sketch: why --> or quote the code: ${3:0:120}..."
}

[ "$list_only" = 1 ] || [ "$code_only" = 1 ] || prepare
nblock=0
for f in "$@"; do
	[ -f "$f" ] || { echo "transcripts: $f: no such file" >&2; exit 2; }
	found[$f]=0 run[$f]=0 matched[$f]=0 unatt[$f]=0 ucmds[$f]=0 uruns[$f]=0 uok[$f]=0 skipped[$f]=0
	xfound[$f]=0 xok[$f]=0 xsketch[$f]=0
	CMDS=() KINDS=() OUTS=() OUTS_OF=() CODE=()
	while IFS=$'\037' read -r tag a b c d; do
		case $tag in
		B) bline=$a bmode=$b breason=$c bt1=$d CMDS=() KINDS=() OUTS=() OUTS_OF=() intype=B ;;
		C) CMDS+=("$b"); KINDS+=("$a"); OUTS_OF+=("") ;;
		O) OUTS+=("$a")
		   [ ${#CMDS[@]} -gt 0 ] && OUTS_OF[${#CMDS[@]} - 1]+="$a"$'\n' ;;
		X) xline=$a xsk=$b CODE=() intype=X ;;
		P) CODE+=("$a") ;;
		E)
			if [ "$intype" = X ]; then
				[ "$list_only" = 1 ] || excerpt "$f" "$xline" "$xsk"
				continue
			fi
			[ "$code_only" = 1 ] && continue
			found[$f]=$((found[$f] + 1))
			BLOCKKIND='$'
			for k in "${KINDS[@]}"; do [ "$k" = '#' ] && BLOCKKIND='#'; done
			for c in "${CMDS[@]}"; do [[ $c == sudo\ * || $c == *'; sudo '* || $c == *'&& sudo '* ]] && BLOCKKIND='#'; done
			if [ "$bmode" = unattended ]; then
				unatt[$f]=$((unatt[$f] + 1))
				[ "$list_only" = 1 ] || run_unattended "$f" "$bline" "$breason" "$bt1"
				continue
			fi
			[ "$list_only" = 1 ] && continue
			if [ "$BLOCKKIND" = '#' ] && ! is_root; then
				skipped[$f]=$((skipped[$f] + 1))
				continue
			fi
			run_block "$f" "$bline" "$BLOCKKIND" "$bmode"
			;;
		esac
	done < <(blocks "$f")
done

# The counts, one line per file, then the totals.
tuo=0 tf=0 tr=0 tm=0 tu=0 tuc=0 tur=0 ts=0 txf=0 txo=0 txs=0
printf '%-26s %6s %4s %8s %11s %16s %8s   %s\n' file found run matched unattended 'cmds run/ok/all' 'skipped' 'c excerpts: found/quoted/sketch'
for f in "$@"; do
	printf '%-26s %6d %4d %8d %11d %16s %8d   %d/%d/%d\n' "$f" "${found[$f]}" "${run[$f]}" "${matched[$f]}" \
		"${unatt[$f]}" "${uruns[$f]}/${uok[$f]}/${ucmds[$f]}" "${skipped[$f]}" "${xfound[$f]}" "${xok[$f]}" "${xsketch[$f]}"
	tf=$((tf + found[$f])) tr=$((tr + run[$f])) tm=$((tm + matched[$f])) tu=$((tu + unatt[$f]))
	tuc=$((tuc + ucmds[$f])) tur=$((tur + uruns[$f])) tuo=$((tuo + uok[$f])) ts=$((ts + skipped[$f]))
	txf=$((txf + xfound[$f])) txo=$((txo + xok[$f])) txs=$((txs + xsketch[$f]))
done
printf '%-26s %6d %4d %8d %11d %16s %8d   %d/%d/%d\n' total "$tf" "$tr" "$tm" "$tu" "$tur/$tuo/$tuc" "$ts" "$txf" "$txo" "$txs"
[ "$list_only" = 1 ] && exit 0
[ "$mismatches" -eq 0 ]
