#!/usr/bin/env bats
# answers.bats: the instructor's answer sheet (instructor/answers.md) cannot drift. Every
# ```console block there is run, each command from the lab's top directory, and its output
# compared with the output written under it, after normalising PIDs, inodes, IDs, sizes and
# times (tests/answers.bash says how). `$ ` commands run as an ordinary user (as uid 65534, in
# a copy of the lab it can read, when the checks run as root); `# ` commands need root, and
# their blocks skip, saying so, otherwise. Blocks marked unattended are not run.

load helpers
load answers

setup_file() {
	# The programs the answers run; a copy of the lab for uid 65534 when root.
	make -s -C "$LAB_ROOT" >/dev/null
	ANSWERS_LAB=$(answers_lab "$LAB_ROOT")
	export ANSWERS_LAB
}

teardown_file() {
	if [ "$ANSWERS_LAB" != "$LAB_ROOT" ]; then
		rm -rf "$ANSWERS_LAB"
	fi
}

# check_section PREFIX: run the blocks of the sections whose heading starts with PREFIX;
# fail with each difference, skip (with the reason) when no block could run here.
check_section() {
	local rc=0
	answers_check "$1" "$ANSWERS_LAB" >"$BATS_TEST_TMPDIR/report" || rc=$?
	cat "$BATS_TEST_TMPDIR/report"
	[ "$rc" = 0 ] || fail "commands of instructor/answers.md whose output differs (above)"
	if [ "$ANSWERS_RUN" = 0 ]; then
		if [ "$(id -u)" != 0 ]; then
			skip "needs root: every block of '$1' runs as root"
		fi
		skip "no block of '$1' could run here (see the reasons above)"
	fi
}

@test "answers: every exercise of every stage has an answer" {
	local f n want got
	for f in "$LAB_ROOT"/[0-9][0-9]-*/README.md; do
		n=$(basename "$(dirname "$f")")
		want=$(awk '/^## 8\. Exercises/ { on = 1; next } /^## / { on = 0 } on && /^[0-9]+\. / { c++ } END { print c + 0 }' "$f")
		got=$(awk -v h="## Stage ${n%%-*}:" 'index($0, h) == 1 { on = 1; next } /^## / { on = 0 } on && /^\*\*[0-9]+\. / { c++ } END { print c + 0 }' "$ANSWERS_MD")
		[ "$want" -gt 0 ] || fail "$n/README.md has no numbered exercise in section 8"
		[ "$got" = "$want" ] || fail "$n/README.md has $want exercises, instructor/answers.md answers $got"
	done
}

@test "answers: every 'Ask the room' question of the deck has an answer" {
	local want got
	want=$(grep -c -E '^\*\*(Ask the room|Last question for the room):' "$LAB_ROOT/slides/deck.md")
	got=$(awk '/^## Ask the room/ { on = 1; next } /^## / { on = 0 } on && /^\*\*/ { c++ } END { print c + 0 }' "$ANSWERS_MD")
	[ "$got" = "$want" ] || fail "the deck asks the room $want questions, instructor/answers.md answers $got"
}

@test "answers: stage 00's commands give the output shown" {
	check_section "Stage 00"
}

@test "answers: stage 01's commands give the output shown" {
	check_section "Stage 01"
}

@test "answers: stage 02's commands give the output shown" {
	check_section "Stage 02"
}

@test "answers: stage 03's commands give the output shown" {
	check_section "Stage 03"
}

@test "answers: stage 04's commands give the output shown" {
	check_section "Stage 04"
}

@test "answers: the room's questions' commands give the output shown" {
	check_section "Ask the room"
}

@test "answers: the LESSONS questions' commands give the output shown" {
	check_section "Questions participants ask"
}
