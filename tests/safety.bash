#!/usr/bin/env bash
# safety.bash: what tests/safety.bats and the job-control runs of tests/stress.bats share:
# an interactive shell in a pseudo-terminal to type into, and what /proc says of a process.
# Load it after helpers: `load helpers; load safety`.
# shellcheck disable=SC2034  # PTY_* are read by the .bats files

# proc_state PID: the state letter of PID (R running, S sleeping, T stopped, Z zombie), or
# "gone".
proc_state() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo gone; return; }
	stat=${stat##*) }
	echo "${stat%% *}"
}

# cpu_ticks PID: the clock ticks PID has run so far, user and system (fields 14 and 15 of
# /proc/PID/stat; a tick is 1/100 s on Linux).
cpu_ticks() {
	local stat f
	stat=$(cat "/proc/$1/stat") || return 1
	read -r -a f <<<"${stat##*) }"
	echo $((f[11] + f[12]))
}

# ticks_over PID SECONDS: the ticks PID runs in SECONDS of wall time.
ticks_over() {
	local t0 t1
	t0=$(cpu_ticks "$1") || return 1
	sleep "$2"
	t1=$(cpu_ticks "$1") || return 1
	echo $((t1 - t0))
}

# in_state STATE PID...: each PID is in STATE (T, or S for "not stopped": S or R).
in_state() {
	local want=$1 pid s
	shift
	for pid; do
		s=$(proc_state "$pid")
		case $want in
		S) [[ $s == [SR] ]] || return 1 ;;
		*) [ "$s" = "$want" ] || return 1 ;;
		esac
	done
}

# expect_states STATE WHAT PID...: within 2 s, each PID is in STATE (see in_state).
expect_states() {
	local want=$1 what=$2 pid states=""
	shift 2
	poll in_state "$want" "$@" && return 0
	for pid; do states+=" $pid:$(proc_state "$pid")"; done
	fail "$what: expected state $want for each of$states; the terminal shows: $(pty_screen)"
}

# pty_start: an interactive bash in a pseudo-terminal (script(1) from util-linux gives one;
# it runs $SHELL -c, which exec makes the bash itself, whatever $SHELL is), its keyboard a
# FIFO: type into it with `keys`. Its job control is a terminal's: Ctrl-Z (keys $'\032')
# stops the foreground job, a background job's read of the terminal stops it.
pty_start() {
	requires tool:script
	PTY_DIR=$BATS_TEST_TMPDIR/pty
	mkdir -p "$PTY_DIR"
	mkfifo "$PTY_DIR/in"
	exec {PTY_FD}<>"$PTY_DIR/in"
	TERM=dumb setsid script -qfc 'exec bash --norc --noprofile -i' /dev/null \
		<&"$PTY_FD" >"$PTY_DIR/out" 2>&1 3>&- &
	PTY_PID=$!
	keys $'PS1=\'$ \'\n'
}

# keys TEXT: type TEXT into the terminal.
keys() {
	printf '%s' "$1" >&"$PTY_FD"
}

# pty_screen: what the terminal showed so far, one line (for failure messages).
pty_screen() {
	tr -d '\r' <"$PTY_DIR/out" 2>/dev/null | tr '\n' ';' | tail -c 1500
}

# tree PID: PID and every descendant of it, parents first.
tree() {
	local kid kids=()
	echo "$1"
	read -r -a kids <"/proc/$1/task/$1/children" 2>/dev/null
	for kid in "${kids[@]}"; do tree "$kid"; done
}

# pty_stop: end the terminal, its shell and its jobs (SIGKILL, stopped or not: a job that
# reads the terminal would take typed commands as its input); nothing is left.
pty_stop() {
	[ -n "${PTY_PID:-}" ] || return 0
	# shellcheck disable=SC2046  # one PID a word
	{ kill -KILL $(tree "$PTY_PID"); wait "$PTY_PID"; } 2>/dev/null || :
	exec {PTY_FD}>&-
	PTY_PID=
}

# pty_reader BIN [OPTION]...: a name for cat that marks it as this test's (a link in
# PTY_DIR): the command line to type is "BIN [OPTION]... $(pty_reader)".
pty_reader() {
	[ -e "$PTY_DIR/cat" ] || ln -s "$(command -v cat)" "$PTY_DIR/cat"
	echo "$PTY_DIR/cat"
}

# last_child PID: PID's newest child, if it has one.
last_child() {
	local kids=()
	read -r -a kids <"/proc/$1/task/$1/children" 2>/dev/null
	[ "${#kids[@]}" -gt 0 ] && echo "${kids[-1]}"
}

# job_runs REGEX: the shell's newest job is a runtime whose child's command line matches
# REGEX: set RUNTIME and READER. (Read down the process tree: faster than scanning /proc.)
job_runs() {
	local shell_pid args
	shell_pid=$(last_child "$PTY_PID") || return 1
	RUNTIME=$(last_child "$shell_pid") || return 1
	READER=$(last_child "$RUNTIME") || return 1
	args=$(tr '\0' ' ' <"/proc/$READER/cmdline" 2>/dev/null) && [[ $args =~ $1 ]]
}

# job_pids [REGEX]: wait (2 s at most) until the job typed last runs its reader (REGEX, by
# default pty_reader's cat); set RUNTIME (the stage) and READER (its child).
job_pids() {
	local regex=${1:-^$PTY_DIR/cat \$}
	poll job_runs "$regex" ||
		fail "no job running /$regex/ under the terminal's shell: $(pty_screen)"
}
