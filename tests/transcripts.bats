#!/usr/bin/env bats
# transcripts.bats: the docs' transcripts and code excerpts, the fast part (make test).
# tools/transcripts.sh finds every block of README.md, LESSONS.md, each stage's README,
# slides/deck.md and instructor/*.md that shows a command at a prompt with its output; here
# it only reads them (the markers, the counts) and checks each ```c excerpt against the code.
# Running every transcript and comparing its output takes minutes, and some need root:
# that is `make test-transcripts`, which CI (.ci/run) runs.

load helpers

CHECKER=$LAB_ROOT/tools/transcripts.sh

@test "transcripts: the docs hold transcripts, and the checker reads every doc" {
	run -0 "$CHECKER" -l
	echo "$output" >&3
	local total
	total=$(awk '$1 == "total" { print $2 }' <<<"$output")
	[ "${total:-0}" -ge 100 ] || fail "only ${total:-0} transcripts found in the docs: the checker's parser broke?"
}

@test "transcripts: each \`\`\`c block quotes the lab's code, or says it is a sketch" {
	run "$CHECKER" -c -q
	[ "$status" -eq 0 ] || fail "$output"
}

@test "transcripts: each unattended marker gives a reason, and its terminal 1 a command of the lab" {
	local f bad=()
	while read -r f; do
		while IFS= read -r line; do
			bad+=("$f:$line")
		done < <(grep -n '<!-- unattended' "$LAB_ROOT/$f" | grep -vE '<!-- unattended: [^;>]*[a-z][^;>]*(; terminal 1: (sudo )?(make stage [0-4] |\./0[0-4]-|/tmp/lab-scratch-\$USER/)[^>]*)? -->$')
	done < <(cd "$LAB_ROOT" && ls README.md LESSONS.md [0-9][0-9]-*/README.md slides/deck.md instructor/*.md 2>/dev/null)
	[ ${#bad[@]} -eq 0 ] || fail "markers not in the form <!-- unattended: REASON[; terminal 1: COMMAND] --> at a line's end:"$'\n'"$(printf '%s\n' "${bad[@]}")"
}

@test "transcripts: every slide with a live demo or a question for the room has presenter notes" {
	local deck=$LAB_ROOT/slides/deck.md
	# slide by slide (--- outside code blocks): a T1$ prompt or "Ask the room" / "question for
	# the room" needs a note, an HTML comment that is not a directive or a marker
	run -0 awk '
		function check() {
			if ((demo || ask) && !note) { printf "slide %d (%s) has a %s but no presenter note\n", n, title, demo ? "live demo" : "question"; bad = 1 }
			demo = ask = note = 0; title = "" }
		NR == 1 { next }
		/^```/ { code = !code }
		!code && /^---$/ { if (n) check(); n++; next }
		/^## / && title == "" { title = substr($0, 4) }
		/^T1\$ / { demo = 1 }
		/Ask the room|question for the room/ { ask = 1 }
		/^<!--$/ || (/^<!-- / && !/^<!-- *_?[a-z]+:/ && !/^<!-- (unattended|sketch|in a terminal)/) { note = 1 }
		END { check(); exit bad }' "$deck"
}

@test "transcripts: a system call strace split in two compares the same as the call whole" {
	# which process the scheduler runs first decides whether strace -f splits a call into
	# `CALL(ARGS <unfinished ...>` and `<... CALL resumed>REST`: the checker joins them
	local split whole
	split='rt_sigprocmask(SIG_BLOCK, [INT], [], 8) = 0
clone(child_stack=NULL, flags=SIGCHLD <unfinished ...>
[pid  41] rt_sigprocmask(SIG_SETMASK, [],  <unfinished ...>
[pid  40] <... clone resumed>, child_tidptr=0x7f00) = 41
[pid  41] <... rt_sigprocmask resumed>NULL, 8) = 0
9127  read(3,  <unfinished ...>
9127  <... read resumed>"G", 1) = 1'
	whole='rt_sigprocmask(SIG_BLOCK, [INT], [], 8) = 0
clone(child_stack=NULL, flags=SIGCHLD, child_tidptr=0x7f00) = 41
[pid  41] rt_sigprocmask(SIG_SETMASK, [], NULL, 8) = 0
9127  read(3, "G", 1) = 1'
	# shellcheck disable=SC1090  # the function, from the checker itself
	source <(sed -n '/^strace_joined()/,/^}/p' "$CHECKER")
	run -0 bash -c "$(declare -f strace_joined); strace_joined | tr -s ' ' | sort" <<<"$split"
	[ "$output" = "$(tr -s ' ' <<<"$whole" | sort)" ] || fail "joined: $output"
}
