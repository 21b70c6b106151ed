#!/usr/bin/env bats
# One machine, several participants (a shared server, instructor/room.md): three ordinary
# users walk the workshop paths of stages 00, 01 and 04 at the same time, each in a copy of
# the lab of their own, with USER unset (as in a devcontainer's terminal), and each one's
# second-terminal commands must find and end their own containers only.
# Run: sudo tools/run-tests.sh tests/room.bats   (it adds three users, and removes them)

load helpers

ROOM_USERS=(labroom1 labroom2 labroom3)
ROOM_MARK="containers-lab three-user check"     # the users' comment: whose they are

setup() {
	requires root userns tool:useradd tool:userdel tool:setpriv tool:setsid tool:pgrep \
		tool:pstree tool:ps
	local u
	for u in "${ROOM_USERS[@]}"; do
		if id "$u" >/dev/null 2>&1; then
			[ "$(getent passwd "$u" | cut -d: -f5)" = "$ROOM_MARK" ] ||
				skip "a user $u exists and is not this check's: not touching it"
			room_remove_user "$u"
		fi
	done
	ROOM=$(mktemp -d /tmp/lab-room.XXXXXX)
	chmod 755 "$ROOM"
	for u in "${ROOM_USERS[@]}"; do
		useradd --no-create-home --shell /bin/sh --comment "$ROOM_MARK" "$u"
		mkdir -p "$ROOM/$u/lab"
		# the participant's own clone: the Makefile, common/, the stages (built), tools/
		cp -a "$LAB_ROOT"/Makefile "$LAB_ROOT"/common "$LAB_ROOT"/[0-9][0-9]-* "$LAB_ROOT"/tools \
			"$ROOM/$u/lab/"
		chown -R "$u:" "$ROOM/$u"
		chmod 700 "$ROOM/$u"
	done
}

teardown() {
	local u
	for u in "${ROOM_USERS[@]}"; do
		id "$u" >/dev/null 2>&1 && room_remove_user "$u"
	done
	[ -z "${ROOM:-}" ] || rm -rf "$ROOM"
}

# room_remove_user U: SIGKILL what U still runs (by PID), then remove U.
room_remove_user() {
	local pid
	for pid in $(pgrep -u "$1"); do kill -KILL "$pid" 2>/dev/null; done
	for _ in $(seq 50); do pgrep -u "$1" >/dev/null || break; sleep 0.1; done
	userdel "$1" 2>/dev/null || true
}

# as U CMD...: CMD as the ordinary user U, in U's copy of the lab, with a participant's
# environment but no USER (VS Code's terminals in a devcontainer set none).
as() {
	local u=$1
	shift
	(cd "$ROOM/$u/lab" && setpriv --reuid="$u" --regid="$u" --init-groups \
		env -i PATH="$PATH" HOME="$ROOM/$u" LANG=C.UTF-8 "$@")
}

# terminal1 U NAME CMD: CMD as U in a session of its own (a terminal's foreground job), in
# the background; its output in $ROOM/U.NAME.out, its exit status in $ROOM/U.NAME.rc, its
# process group (where Ctrl-C would send SIGINT) in $ROOM/U/NAME.pgid.
terminal1() {
	local u=$1 out=$ROOM/$1.$2
	(
		rc=0
		as "$u" setsid sh -c "echo \$\$ >\"\$HOME/$2.pgid\"; $3" >"$out.out" 2>&1 || rc=$?
		echo "$rc" >"$out.rc"
	) 3>&- 4>&- &
}

# wait_rc U NAME: wait (15 s at most) for terminal1 U NAME to end; its status on stdout.
wait_rc() {
	local f=$ROOM/$1.$2.rc
	for _ in $(seq 150); do [ -e "$f" ] && { cat "$f"; return 0; }; sleep 0.1; done
	fail "$1's terminal 1 ($2) did not end within 15 s: $(cat "$ROOM/$1.$2.out")"
}

# wait_for U REGEX: wait (15 s at most) for a process of U whose command line matches REGEX.
wait_for() {
	for _ in $(seq 150); do pgrep -u "$1" -f "$2" >/dev/null && return 0; sleep 0.1; done
	fail "no process of $1 matching '$2' after 15 s"
}

# owner_and_tree PID: "USER DIR": who owns PID, and its working directory.
owner_and_tree() {
	echo "$(stat -c %U "/proc/$1") $(readlink "/proc/$1/cwd")"
}

# alive U PROG: U still runs PROG (a process named exactly PROG).
alive() { pgrep -u "$1" -x "$2" >/dev/null; }

@test "room: three users walk stages 00, 01 and 04 at once; each finds and ends only their own containers" {
	local u v n pid rc out t2_pids=() others=0
	# The demos, all three users at once.
	for u in "${ROOM_USERS[@]}"; do
		for n in 0 1 4; do terminal1 "$u" "demo$n" "make stage $n"; done
	done
	for u in "${ROOM_USERS[@]}"; do
		for n in 0 1 4; do
			rc=$(wait_rc "$u" "demo$n") || return 1
			out=$(cat "$ROOM/$u.demo$n.out")
			[ "$rc" = 0 ] || fail "$u: make stage $n exited $rc: $out"
		done
		expect_match "$(cat "$ROOM/$u.demo0.out")" $'\ntest\n[0-9]+ exited with status 0' "$u's stage 00 demo"
		expect_match "$(cat "$ROOM/$u.demo1.out")" "I am PID ([0-9]+), my parent is" "$u's stage 01 demo"
		expect_contains "$(cat "$ROOM/$u.demo4.out")" "uid=0(root) gid=0(root)" "$u's stage 04 demo"
	done

	# Terminal 1 of each workshop path, nine long sleeps at once.
	for u in "${ROOM_USERS[@]}"; do
		terminal1 "$u" s0 "make stage 0 ARGS='-v sleep 300'"
		terminal1 "$u" s1 "make stage 1 ARGS='sleep 300'"
		terminal1 "$u" s4 "make stage 4 ARGS='-v -- sleep 300'"
	done
	for u in "${ROOM_USERS[@]}"; do
		wait_for "$u" '^(\./00-fork-exec/)?fork-exec -v sleep 300' || return 1
		wait_for "$u" '^sleep 300' || return 1
		for _ in $(seq 150); do grep -q 'becomes sleep' "$ROOM/$u.s1.out" && break; sleep 0.1; done
		wait_for "$u" 'pipe-sync -v -- sleep 300' || return 1
	done
	[ "$(pgrep -c -x fork-exec)" -ge 3 ] || fail "fewer than three fork-exec running"
	[ "$(pgrep -c -x pipe-sync)" -ge 3 ] || fail "fewer than three pipe-sync running"

	# Terminal 2 of each, all three users at once: the commands of the workshop paths.
	for u in "${ROOM_USERS[@]}"; do
		pid=$(sed -n 's/^exec-replace: PID \([0-9]*\) becomes sleep$/\1/p' "$ROOM/$u.s1.out")
		[ -n "$pid" ] || fail "$u: no 'becomes sleep' line: $(cat "$ROOM/$u.s1.out")"
		echo "$pid" >"$ROOM/$u.s1.pid"
		(
			as "$u" sh -c '
				p=$(pgrep -n -u "$(id -un)" -x fork-exec); echo "00 $p"
				echo "00any $(pgrep -n -x fork-exec)"
				echo "00tree $(pstree -p $(pgrep -n -u "$(id -un)" -x fork-exec))"
				echo "01 $(ps -o pid=,args= -p "$0")"
				echo "01tree $(pstree -l -A -ps "$0")"
				c=$(pgrep -P "$(pgrep -n -u "$(id -un)" -x pipe-sync)"); echo "04 $c"
				echo "04map $(cat /proc/$c/uid_map)"
				echo "04ps $(ps -o user:12=,args= -p "$c")"' "$pid" >"$ROOM/$u.t2" 2>&1
		) 3>&- 4>&- &
		t2_pids+=($!)
	done
	wait "${t2_pids[@]}"
	for u in "${ROOM_USERS[@]}"; do
		out=$(cat "$ROOM/$u.t2")
		log_line() { sed -n "s/^$1 //p" <<<"$out"; }
		# stage 00: pgrep -n -u "$(id -un)" found one fork-exec, this user's, in this user's lab
		[ "$(log_line 00any)" = "$(log_line 00)" ] || others=$((others + 1))
		pid=$(log_line 00)
		[[ $pid =~ ^[0-9]+$ ]] || fail "$u: pgrep found '$pid' for fork-exec: $out"
		expect_eq "$(owner_and_tree "$pid")" "$u $ROOM/$u/lab" "$u's fork-exec $pid: owner and directory"
		expect_match "$(log_line 00tree)" "^fork-exec\($pid\)---sleep\([0-9]+\)$" "$u's pstree"
		# stage 01: the PID terminal 1 printed is this user's sleep (pstree -l: the ancestry under
		# bats is wider than the 132 columns pstree keeps otherwise)
		pid=$(cat "$ROOM/$u.s1.pid")
		expect_match "$(log_line 01)" "^ *$pid sleep 300$" "$u's ps -p of stage 01's PID"
		expect_match "$(log_line 01tree)" "make\([0-9]+\)---(sh|bash)\([0-9]+\)---sleep\($pid\)" "$u's pstree -ps"
		expect_eq "$(owner_and_tree "$pid")" "$u $ROOM/$u/lab" "$u's stage 01 sleep $pid"
		# stage 04: the child of this user's newest pipe-sync: this user's container
		pid=$(log_line 04)
		[[ $pid =~ ^[0-9]+$ ]] || fail "$u: pgrep -P found '$pid' for pipe-sync's child: $out"
		expect_match "$(log_line 04map)" "^ *0 +$(id -u "$u") +1$" "$u's container's uid_map"
		expect_match "$(log_line 04ps)" "^$u +sleep 300$" "$u's container in ps"
		expect_eq "$(owner_and_tree "$(ps -o ppid= -p "$pid" | tr -d ' ')")" "$u $ROOM/$u/lab" \
			"the runtime of $u's container $pid"
	done

	# No one can end another's container: the first user's kill of the second's fork-exec.
	pid=$(pgrep -n -u "${ROOM_USERS[1]}" -x fork-exec)
	run as "${ROOM_USERS[0]}" kill "$pid"
	[ "$status" -ne 0 ] || fail "${ROOM_USERS[0]} could signal ${ROOM_USERS[1]}'s fork-exec $pid"
	alive "${ROOM_USERS[1]}" fork-exec || fail "${ROOM_USERS[1]}'s fork-exec died of another's kill"

	# Each ends their own, one user after the other, as the paths say; the others' stay.
	local killed=0
	for u in "${ROOM_USERS[@]}"; do
		# stage 00: kill $(pgrep -n -u "$(id -un)" -x fork-exec)
		as "$u" sh -c 'kill $(pgrep -n -u "$(id -un)" -x fork-exec)'
		rc=$(wait_rc "$u" s0) || return 1
		expect_eq "$rc" 2 "$u's make stage 0 after the kill (make's Error 143)"
		expect_contains "$(cat "$ROOM/$u.s0.out")" "killed by signal 15 (SIGTERM)" "$u's terminal 1"
		expect_contains "$(cat "$ROOM/$u.s0.out")" "Error 143" "$u's terminal 1"
		# stage 01 and 04: Ctrl-C, the terminal's SIGINT to terminal 1's process groups
		for n in s1 s4; do
			as "$u" kill -INT -- "-$(cat "$ROOM/$u/$n.pgid")"
			rc=$(wait_rc "$u" "$n") || return 1
			[ "$rc" != 0 ] || fail "$u: terminal 1 ($n) exited 0 after Ctrl-C"
		done
		expect_contains "$(cat "$ROOM/$u.s4.out")" "killed by signal 9 (SIGKILL)" "$u's stage 04 terminal 1"
		killed=$((killed + 3))
		# everyone after this user still has all three
		local after=0
		for v in "${ROOM_USERS[@]}"; do
			[ "$after" = 1 ] || { [ "$v" = "$u" ] && after=1; continue; }
			alive "$v" fork-exec || fail "$v's fork-exec ended when $u ended theirs"
			pgrep -u "$v" -f '^sleep 300$' >/dev/null || fail "$v's sleeps ended when $u ended theirs"
			alive "$v" pipe-sync || fail "$v's pipe-sync ended when $u ended theirs"
		done
		pgrep -u "$u" >/dev/null && fail "$u still runs: $(ps -o pid,args -u "$u")"
	done
	echo "# 3 users x 3 stages: 9 containers at once; each user's pgrep found only their own;" \
		"$killed ended by their owners, none of another's; a kill across users refused;" \
		"without -u, pgrep -n -x fork-exec found another user's for $others of 3" >&3
}
