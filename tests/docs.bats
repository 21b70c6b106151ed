#!/usr/bin/env bats
# The docs, checked by machine: links resolve, the make targets they name exist,
# the check counts they show are the suites' counts, no machine's absolute path, every stage
# README opens with a workshop path of at most 60 lines, and that path's commands run as shown.
# Run: tools/run-tests.sh tests/docs.bats        (make test runs it after the stages)
#
# What counts as a command of a workshop path: a line `~/lab$ COMMAND` inside a fenced block
# opened with ```console. Such a command runs from the lab's top directory and must exit 0,
# unless the lines shown after it (up to the next prompt) hold `exit status N`: then its output
# must hold that same line. `sudo COMMAND` runs as COMMAND when root and is skipped otherwise.
# Blocks that need a second terminal or a long wait are ```text blocks, and are not run here;
# what every block prints is compared by tools/transcripts.sh (make test-transcripts), which
# runs the second terminal's commands against a started terminal 1;
# `make check N` is named in prose, not run (make test runs those suites itself). The scratch
# directory the docs use, /tmp/lab-scratch-$USER (one per user, typed just so), is replaced by
# one of the test's own.

load helpers

SCRATCH='/tmp/lab-scratch-$USER'                # literally: the shell of whoever types it expands it
WORKSHOP_MAX_LINES=60

# doc_files: every Markdown file of the lab (not the git-ignored tools it brings in).
doc_files() {
	find "$LAB_ROOT" \( -name .git -o -name .deps -o -name node_modules -o -name .san \
		-o -name .lint -o -name .bench \) -prune -o -name '*.md' -print | sort
}

# stage_readmes: each stage's README.md.
stage_readmes() {
	local d
	for d in "$LAB_ROOT"/[0-9][0-9]-*/; do
		echo "${d}README.md"
	done
}

# rel FILE: FILE relative to the lab's top directory, for messages.
rel() {
	echo "${1#"$LAB_ROOT"/}"
}

# prose FILE: "LINE<TAB>text" for each line outside fenced code blocks, inline code removed.
prose() {
	awk '/^[ \t]*```/ { code = !code; next }
	     !code { line = $0; gsub(/`[^`]*`/, "", line); print NR "\t" line }' "$1"
}

# code FILE: "LINE<TAB>text" for each line of a fenced block and each inline code span.
code() {
	awk '/^[ \t]*```/ { code = !code; next }
	     code { print NR "\t" $0; next }
	     { line = $0
	       while (match(line, /`[^`]+`/)) {
		       print NR "\t" substr(line, RSTART + 1, RLENGTH - 2)
		       line = substr(line, RSTART + RLENGTH)
	       } }' "$1"
}

# anchors FILE: the #anchors GitHub makes of FILE's headings, one a line.
anchors() {
	awk '/^[ \t]*```/ { code = !code; next }
	     !code && /^#+ / {
		     h = tolower($0); sub(/^#+ +/, "", h); gsub(/[^a-z0-9 _-]/, "", h); gsub(/ /, "-", h)
		     n = seen[h]++
		     print (n ? h "-" n : h) }' "$1"
}

# suite_count NN: how many checks tests/NN-*.bats holds.
suite_count() {
	local f
	f=$(echo "$LAB_ROOT"/tests/"$1"-*.bats)
	if [ -x "${BATS_ROOT:-}/bin/bats" ]; then
		"$BATS_ROOT/bin/bats" --count "$f"
	else
		grep -c '^@test ' "$f"
	fi
}

# workshop FILE: the workshop path's lines, "LINE<TAB>text", from its heading to the next ##.
workshop() {
	awk '/^[ \t]*```/ { code = !code }
	     !code && /^## / { if (in_ws) exit; if ($0 == "## Workshop path") in_ws = 1 }
	     in_ws { print NR "\t" $0 }' "$1"
}

# workshop_commands FILE: each command of the workshop path's ```console blocks, as
# "LINE<TAB>EXPECTED<TAB>COMMAND", EXPECTED being the exit status its transcript shows (or -).
workshop_commands() {
	workshop "$1" | cut -f2- | awk -v first="$(workshop "$1" | head -1 | cut -f1)" '
		function flush() { if (cmd != "") print cmdline "\t" want "\t" cmd; cmd = "" }
		{ n = first + NR - 1 }
		/^```console/ { console = 1; next }
		/^```/ { if (console) flush(); console = 0; next }
		!console { next }
		/^~\/lab\$ / { flush(); cmd = substr($0, 8); cmdline = n; want = "-"; next }
		/^exit status [0-9]+$/ { want = $3 }'
}

@test "docs: every relative link in the docs resolves, #anchors included" {
	local f target path anchor bad=()
	local -A heads=()                            # each file's anchors, read once
	while read -r f; do
		while IFS=$'\t' read -r n target; do
			case $target in
			http://* | https://* | mailto:*) continue ;;
			esac
			path=${target%%#*}
			anchor=
			[[ $target == *#* ]] && anchor=${target#*#}
			[ -n "$path" ] && path=$(dirname "$f")/$path || path=$f
			if [ ! -e "$path" ]; then
				bad+=("$(rel "$f"):$n: $target: no such file")
			elif [ -n "$anchor" ] && [[ $path == *.md ]] &&
				{ [ -n "${heads[$path]+set}" ] || heads[$path]=$'\n'$(anchors "$path")$'\n'; } &&
				[[ ${heads[$path]} != *$'\n'"$anchor"$'\n'* ]]; then
				bad+=("$(rel "$f"):$n: $target: no heading gives #$anchor")
			fi
		done < <(prose "$f" | awk -F'\t' '{ line = $2
			while (match(line, /\]\([^) ]+\)/)) {
				print $1 "\t" substr(line, RSTART + 2, RLENGTH - 3)
				line = substr(line, RSTART + RLENGTH) } }')
	done < <(doc_files)
	[ ${#bad[@]} -eq 0 ] || fail "broken links:" $'\n' "$(printf '%s\n' "${bad[@]}")"
}

@test "docs: every make target the docs name exists in the Makefile" {
	local targets f n t bad=()
	# The real Makefile's targets (tools/*.mk included), so targets merged later count.
	targets=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$LAB_ROOT" -pRrq -f Makefile : 2>/dev/null |
		awk -F: '/^[a-zA-Z0-9][^$#\/\t=]*:([^=]|$)/ { n = split($1, a, " "); for (i = 1; i <= n; i++) print a[i] }' |
		sort -u)
	[ -n "$targets" ] || fail "could not read the Makefile's targets"
	while read -r f; do
		while IFS=$'\t' read -r n t; do
			grep -qxF -- "$t" <<<"$targets" && continue
			# A pattern rule: stage-% covers stage-3.
			grep '%' <<<"$targets" | while read -r p; do
				[[ $t == ${p%%\%*}* ]] && echo yes
			done | grep -q yes && continue
			bad+=("$(rel "$f"):$n: make $t")
		done < <(code "$f" | awk -F'\t' '{ s = " " $2
			# each `make [OPTIONS] [VAR=VALUE]... TARGET`; `make -C DIR` names another Makefile
			while (match(s, /[ \t(;&|$]make[ \t]+/)) {
				s = substr(s, RSTART + RLENGTH); nw = split(s, w, /[ \t]+/)
				for (i = 1; i <= nw; i++) {
					if (w[i] ~ /^-[CfIo]$/) break
					if (w[i] ~ /^-/ || w[i] ~ /^[A-Z_]+=/) continue
					if (w[i] ~ /^[a-z][a-z0-9_.%-]*$/) print $1 "\t" w[i]
					break } } }')
	done < <(doc_files)
	[ ${#bad[@]} -eq 0 ] || fail "targets the Makefile does not have:" $'\n' "$(printf '%s\n' "${bad[@]}")"
}

@test "docs: each check count a stage README shows is its suite's count (bats --count)" {
	local f nn want n got bad=()
	for nn in 00 01 02 03 04; do                 # bats --count starts slowly: all at once
		suite_count "$nn" >"$BATS_TEST_TMPDIR/count.$nn" &
	done
	wait
	while read -r f; do
		nn=$(basename "$(dirname "$f")"); nn=${nn%%-*}
		want=$(cat "$BATS_TEST_TMPDIR/count.$nn")
		while IFS=$'\t' read -r n got; do
			[ "$got" = "$want" ] || bad+=("$(rel "$f"):$n: shows $got checks, tests/$nn-*.bats has $want")
		done < <(awk '
			/^1\.\.[0-9]+$/ { print NR "\t" substr($0, 4) }
			match($0, /[0-9]+ tests, [0-9]+ failures?/) { split(substr($0, RSTART), a, " "); print NR "\t" a[1] }
			match($0, /bats: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped/) {
				split(substr($0, RSTART, RLENGTH), a, /[ ,]+/); print NR "\t" a[2] + a[4] + a[6] }' "$f")
	done < <(stage_readmes)
	[ ${#bad[@]} -eq 0 ] || fail "counts out of date:" $'\n' "$(printf '%s\n' "${bad[@]}")"
}

@test "docs: no absolute home or checkout path of any machine in a .md file" {
	local f hits=()
	while read -r f; do
		while read -r line; do
			hits+=("$(rel "$f"):$line")
		done < <(grep -nE '(^|[^A-Za-z0-9_.~-])/(home|root|work|Users)/[A-Za-z0-9_.-]' "$f")
	done < <(doc_files)
	[ ${#hits[@]} -eq 0 ] ||
		fail "absolute paths (use ~/lab, \$PWD or $SCRATCH):" $'\n' "$(printf '%s\n' "${hits[@]}")"
}

@test "docs: nothing in the repository cites a document outside it, or an issue by number" {
	local hits
	# The contract is CONTRIBUTING.md; a maintainer who clones the lab has nothing else.
	hits=$(cd "$LAB_ROOT" && git grep -n -i -E 'shared/|design\.md|\bissues? #?[0-9]+' -- \
		':!*.svg' ':!tests/docs.bats' 2>/dev/null) || true
	[ -z "$hits" ] || fail "citations of what the repository does not hold:"$'\n'"$hits"
}

@test "docs: the scratch directory is one per user, $SCRATCH, everywhere" {
	local f hits=()
	# /tmp/lab-scratch alone, or with any other tail, is the shared name that breaks on a
	# shared machine; transcripts may show it expanded (lab-scratch-root, -participant).
	while read -r f; do
		while read -r line; do
			hits+=("$(rel "$f"):$line")
		done < <(grep -nE '/tmp/lab-scratch([^-]|$)|/tmp/lab-scratch-[^$a-z]|lab-scratch-\$[^U]' "$f")
	done < <(doc_files)
	[ ${#hits[@]} -eq 0 ] || fail "scratch directories not named $SCRATCH:" $'\n' "$(printf '%s\n' "${hits[@]}")"
}

@test "docs: each stage README opens with a workshop path of at most $WORKSHOP_MAX_LINES lines" {
	local f nn first lines parts bad=()
	while read -r f; do
		nn=$(basename "$(dirname "$f")"); nn=${nn%%-*}; nn=${nn#0}
		first=$(prose "$f" | cut -f2 | grep -m1 '^## ')
		lines=$(workshop "$f" | cut -f2 | awk 'NF { last = NR } END { print last + 0 }')  # trailing blanks aside
		[ "$first" = "## Workshop path" ] || bad+=("$(rel "$f"): first section is '$first'")
		[ "$lines" -le "$WORKSHOP_MAX_LINES" ] ||
			bad+=("$(rel "$f"): workshop path has $lines lines (at most $WORKSHOP_MAX_LINES)")
		workshop "$f" | grep -q "make stage $nn\b" || bad+=("$(rel "$f"): workshop path lacks make stage $nn")
		workshop "$f" | grep -q "make check $nn\b" || bad+=("$(rel "$f"): workshop path lacks make check $nn")
		# its parts, in the order a participant does them
		parts=$(workshop "$f" | cut -f2 | grep -o '^\*\*[A-Z][^.:*]*' | cut -c3- | tr '\n' '|')
		[[ $parts == "The idea|Run it|Look from a second terminal|Check your work|Break it|If time is left|" ]] ||
			bad+=("$(rel "$f"): workshop path's parts are '$parts'")
		# the line after it says the rest is optional
		prose "$f" | cut -f2 | awk '/^## / { h++ } h == 2' | grep -qi 'optional' ||
			bad+=("$(rel "$f"): the section after the workshop path does not say it is optional")
	done < <(stage_readmes)
	[ ${#bad[@]} -eq 0 ] || fail "workshop paths:" $'\n' "$(printf '%s\n' "${bad[@]}")"
}

# missing_tool CMD: the first observation tool CMD uses that is not installed (a bare box
# has no procps, iproute2 or strace); nothing, and false, when all are there.
missing_tool() {
	local t
	for t in ps pstree pgrep ip strace lsns nsenter findmnt; do
		if [[ $1 =~ (^|[^[:alnum:]_./-])$t([[:space:]]|$) ]] && ! command -v "$t" >/dev/null; then
			echo "$t"
			return 0
		fi
	done
	return 1
}

# start_workshop NN: in the background, run stage NN's workshop commands as shown, each into
# $BATS_FILE_TMPDIR/wsNN/{cmd,out,rc}.K; "done" appears when all have run. The five stages
# run at once (setup_file), while the other checks go on.
start_workshop() {
	local f d k=0 n want cmd skipped=0 tool missing=""
	f=$(echo "$LAB_ROOT/$1"-*/README.md)
	d=$BATS_FILE_TMPDIR/ws$1
	mkdir -p "$d/lab-scratch"
	{
		echo "cd '$LAB_ROOT' || exit 99"
		echo 'unset MAKEFLAGS MFLAGS MAKELEVEL N FROM ARGS BIN RAW'
	} >"$d/script"
	while IFS=$'\t' read -r n want cmd; do
		if [[ $cmd == "sudo "* ]]; then
			if [ "$(id -u)" != 0 ]; then
				skipped=$((skipped + 1))
				continue
			fi
			cmd=${cmd#sudo }
		fi
		if tool=$(missing_tool "$cmd"); then
			missing+=" $tool"
			continue
		fi
		k=$((k + 1))
		cmd=${cmd//"$SCRATCH"/"$d/lab-scratch"}
		printf '%s\t%s\t%s\n' "$n" "$want" "$cmd" >"$d/cmd.$k"
		printf '{ %s\n} >%q 2>&1 </dev/null\necho $? >%q\n' "$cmd" "$d/out.$k" "$d/rc.$k" >>"$d/script"
	done < <(workshop_commands "$f")
	# what a command left running in the background (stage 00's no-wait) goes now
	echo 'kill -KILL $(jobs -p) 2>/dev/null; :' >>"$d/script"
	echo "$k $skipped$missing" >"$d/counts"
	(
		[ "$k" -eq 0 ] || timeout 60 bash "$d/script" >"$d/script.out" 2>&1 </dev/null
		touch "$d/done"
	) </dev/null >/dev/null 2>&1 3>&- 4>&- &
}

setup_file() {
	local nn
	for nn in 00 01 02 03 04; do
		start_workshop "$nn"
	done
}

# check_workshop NN: wait (60 s at most) for start_workshop NN, then fail on a wrong exit status.
check_workshop() {
	local f d k skipped missing i n want cmd rc end=$((SECONDS + 60)) bad=()
	f=$(echo "$LAB_ROOT/$1"-*/README.md)
	d=$BATS_FILE_TMPDIR/ws$1
	read -r k skipped missing <"$d/counts"
	[ "$k" -gt 0 ] || skip "every command of this workshop path needs root ($skipped skipped)"
	while [ ! -e "$d/done" ]; do
		[ $SECONDS -lt $end ] || fail "the workshop commands of $(rel "$f") still run after 60 s"
		sleep 0.1
	done
	for ((i = 1; i <= k; i++)); do
		IFS=$'\t' read -r n want cmd <"$d/cmd.$i"
		rc=$(cat "$d/rc.$i" 2>/dev/null) || rc=none
		if [ "$want" = - ]; then
			[ "$rc" = 0 ] ||
				bad+=("line $n: exit status $rc, not 0: $cmd"$'\n'"$(head -c 1500 "$d/out.$i" 2>/dev/null)")
		else
			grep -qx "exit status $want" "$d/out.$i" 2>/dev/null ||
				bad+=("line $n: no 'exit status $want' in the output of: $cmd"$'\n'"$(head -c 1500 "$d/out.$i" 2>/dev/null)")
		fi
	done
	echo "# ran $k commands of $(rel "$f")'s workshop path, skipped $skipped (need root)${missing:+ and those using: $missing (not installed)}" >&3
	[ ${#bad[@]} -eq 0 ] || fail "$(rel "$f"):" $'\n' "$(printf '%s\n' "${bad[@]}")"
}

@test "docs: stage 00's workshop path runs as shown" {
	check_workshop 00
}

@test "docs: stage 01's workshop path runs as shown" {
	check_workshop 01
}

@test "docs: stage 02's workshop path runs as shown" {
	check_workshop 02
}

@test "docs: stage 03's workshop path runs as shown" {
	check_workshop 03
}

@test "docs: stage 04's workshop path runs as shown" {
	check_workshop 04
}
