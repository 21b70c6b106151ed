#!/usr/bin/env bash
# mutants.sh: mutation testing of the checks (make mutants). Each mutant in tools/mutants.txt
# is one mistake a participant could make, written as an edit of the lab's own code. For each
# one: copy the tree (its tracked files as they are now, uncommitted edits included) to a
# scratch directory, apply the edit there, build, and run the checks of the stage it belongs
# to: the fast set first (make check N's), then, if it passed, the slow remainder. A mutant
# the fast set fails on is caught, and the first failing check is named; one that only the
# slow remainder catches is SLOW-ONLY (make check N would pass it: move a check into the fast
# set); one they all pass on SURVIVED, and the checks have a hole. The working tree is never
# touched.
#
#   tools/mutants.sh [ID-REGEX]    run the mutants whose id matches (default: all)
#   MUTANT_JOBS=N                  mutants run at once (default 2)
#   MUTANT_TMPDIR=DIR              where the scratch copies go (default /var/tmp)
#   tools/mutants.sh --check       only verify that each edit still applies (no build, no run)
#
# Exit status: 0 if every mutant was caught by the fast set (or is listed as equivalent), 1 if
# one survived it (SURVIVED or SLOW-ONLY),
# 2 if one could not be applied or built (the list has drifted from the code: fix the entry).
#
# Each mutant's checks run in new PID, UTS and mount namespaces (unshare; as an ordinary
# user, in a user namespace too): a mutant that forgets a namespace renames or mounts on a
# throwaway copy, and one that signals every process (kill(-1)) reaches only its own checks.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
list=$root/tools/mutants.txt
jobs=${MUTANT_JOBS:-2}
# Where the mutants' trees go: not /tmp, which the checks see as a fresh tmpfs (see isolate).
scratch=${MUTANT_TMPDIR:-/var/tmp}
file_limit=120     # seconds for one bats file: the checks are bounded, a hang is an error
check_only=false
filter=.
case ${1:-} in
--check) check_only=true ;;
-h | --help) sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
?*) filter=$1 ;;
esac

# Each mutant's checks run in namespaces of their own: PID, UTS, mount (as an ordinary user,
# in a user namespace too). A mutant can be dangerous: one that takes a failed fork's -1 for
# a PID forwards SIGTERM with kill(-1, ...), to every process it may signal; in its own PID
# namespace that is its own checks. In there, PID 1 is a shell that reaps orphans as init
# does, and /proc is the namespace's own. As root, that /proc replaces the old one (some
# checks count /proc mounts) and /tmp is a fresh tmpfs, so what the checks leave there goes
# with the namespace, even when the run is cut short at its first failure. (An ordinary
# user's mount(8) refuses both: unshare mounts /proc on top instead; bats's own files go to
# the mutant's directory through TMPDIR either way.)
if [ "$(id -u)" = 0 ]; then
	isolate=(unshare -u -m -p -f --propagation private --kill-child
		sh -c 'umount -l /proc 2>/dev/null; mount -t proc proc /proc &&
			mount -t tmpfs -o mode=1777 lab-mutant-tmp /tmp || exit 99; "$@"; exit $?' sh)
else
	isolate=(unshare -c -u -m -p -f --propagation private --kill-child --mount-proc
		sh -c '"$@"; exit $?' sh)
fi

# --- the list ---------------------------------------------------------------------------
# Blocks separated by blank lines; "key: value" lines; '#' starts a comment line. Keys: id,
# stage (00..04 or common), file (a path, or common/*.c: the one common file holding the
# text), find and repl (pairs, in order: each find must occur exactly once in the file, as
# it is after the edits before it; {NL} and {TAB} stand for a newline and a tab), checks (the bats
# files to run, by stage number or name, in order; default: the stage's own), filter (a
# regex for bats -f), mistake (what it models), equivalent (why no check can see it: the
# mutant is listed, not run).

ids=() ; declare -A F_STAGE F_FILE F_EDITS F_CHECKS F_FILTER F_MISTAKE F_EQUIV
parse_list() {
	local line key val id="" n=0 pending_find=""
	while IFS= read -r line || [ -n "$line" ]; do
		[[ $line =~ ^[[:space:]]*# ]] && continue
		if [[ -z ${line//[[:space:]]/} ]]; then id=""; continue; fi
		[[ $line =~ ^([a-z]+):[[:space:]]?(.*)$ ]] ||
			{ echo "mutants.txt: not 'key: value': $line" >&2; exit 2; }
		key=${BASH_REMATCH[1]} val=${BASH_REMATCH[2]}
		if [ "$key" = id ]; then
			id=$val
			[ -z "${F_STAGE[$id]+set}" ] || { echo "mutants.txt: id $id twice" >&2; exit 2; }
			ids+=("$id") n=0
			F_STAGE[$id]="" F_FILE[$id]="" F_EDITS[$id]="" F_CHECKS[$id]=""
			F_FILTER[$id]="" F_MISTAKE[$id]="" F_EQUIV[$id]=""
			continue
		fi
		[ -n "$id" ] || { echo "mutants.txt: '$key:' before any 'id:'" >&2; exit 2; }
		case $key in
		stage) F_STAGE[$id]=$val ;;
		file) F_FILE[$id]=$val ;;
		find) pending_find=$val ;;
		repl) F_EDITS[$id]+="$pending_find"$'\x1f'"$val"$'\x1e'; n=$((n + 1)) ;;
		checks) F_CHECKS[$id]=$val ;;
		filter) F_FILTER[$id]=$val ;;
		mistake) F_MISTAKE[$id]=$val ;;
		equivalent) F_EQUIV[$id]=$val ;;
		*) echo "mutants.txt: unknown key '$key' in $id" >&2; exit 2 ;;
		esac
	done <"$list"
}

# apply_edits ID DIR: make mutant ID's edits in the tree at DIR; fails loudly, naming the
# entry, when a find text does not occur exactly once.
apply_edits() {
	local id=$1 dir=$2 file edit find repl candidates=() f
	file=${F_FILE[$id]}
	if [[ $file == *'*'* ]]; then
		# A glob (common/*.c): the one file holding the first find text.
		find=${F_EDITS[$id]%%$'\x1f'*}
		for f in "$dir"/$file; do
			MUT_FIND=$find perl -0777 -ne '
				my $f = $ENV{MUT_FIND}; $f =~ s/\{NL\}/\n/g; $f =~ s/\{TAB\}/\t/g;
				exit(index($_, $f) >= 0 ? 0 : 1)' "$f" && candidates+=("$f")
		done
		[ "${#candidates[@]}" = 1 ] || {
			echo "$id: the text is in ${#candidates[@]} files of $file, not 1: $find" >&2
			return 1
		}
		file=${candidates[0]}
	else
		file=$dir/$file
	fi
	[ -f "$file" ] || { echo "$id: no file ${F_FILE[$id]}" >&2; return 1; }
	local rest=${F_EDITS[$id]}
	while [ -n "$rest" ]; do
		edit=${rest%%$'\x1e'*}
		rest=${rest#*$'\x1e'}
		find=${edit%%$'\x1f'*} repl=${edit#*$'\x1f'}
		MUT_FIND=$find MUT_REPL=$repl perl -0777 -i -e '
			sub unesc { my $s = shift; $s =~ s/\{NL\}/\n/g; $s =~ s/\{TAB\}/\t/g; return $s }
			my ($f, $r) = (unesc($ENV{MUT_FIND}), unesc($ENV{MUT_REPL}));
			local $_ = <>;
			my $n = () = /\Q$f\E/g;
			if ($n != 1) { print; die "found $n times, not once: $ENV{MUT_FIND}\n" }
			s/\Q$f\E/$r/;
			print;' "$file" || { echo "$id: in ${file#"$dir"/}: the edit does not apply" >&2; return 1; }
	done
	echo "${file#"$dir"/}"
}

# bats_file CHECK: the bats file for a check named by stage number (0, 04) or name.
bats_file() {
	local c=$1
	case $c in
	[0-9]) c=0$c ;;
	esac
	case $c in
	[0-9][0-9]) set -- "$root"/tests/"$c"-*.bats; basename "$1" ;;
	*.bats) echo "$c" ;;
	*) echo "$c.bats" ;;
	esac
}

# checks_of ID: the bats files mutant ID runs, in order.
checks_of() {
	local id=$1 c out=()
	local list=${F_CHECKS[$id]:-${F_STAGE[$id]}}
	[ "$list" = common ] && list="00 01 02 03 04"
	for c in $list; do out+=("$(bats_file "$c")"); done
	echo "${out[@]}"
}

# run_checks DIR FILE FILTER TAP SET: bats on tests/FILE of the tree at DIR, in the isolating
# namespaces, its TAP output in TAP; SET is the set of checks (LAB_CHECKS: fast or slow). Stopped at the first failing check (the namespaces go
# with it, and all it started), or after file_limit seconds (then TAP.hung exists).
run_checks() {
	local dir=$1 f=$2 filter=$3 tap=$4 set=$5 runner stopped=false rc=0
	mkdir -p "$dir/tmp"
	(cd "$dir" && exec env -u BIN TMPDIR="$dir/tmp" LAB_CHECKS="$set" LAB_CONTAINED=1 timeout -k 5 "$file_limit" "${isolate[@]}" "$bats" \
		--formatter tap ${filter:+-f "$filter"} "tests/$f") >"$tap" 2>&1 3>&- &
	runner=$!
	while kill -0 "$runner" 2>/dev/null; do
		if grep -qs '^not ok' "$tap"; then
			kill -TERM "$runner" 2>/dev/null   # timeout passes it on to unshare
			stopped=true
			break
		fi
		sleep 0.2
	done
	wait "$runner" 2>/dev/null || rc=$?
	$stopped || [ "$rc" != 124 ] || touch "$tap.hung"
}

# run_mutant ID RESULT-FILE: copy, edit, build, check: the fast set (make check's) first,
# then, if it passed, the slow remainder; write "caught<TAB>check" (the fast set caught it),
# "SLOW-ONLY<TAB>check" (only the slow remainder did), "SURVIVED", or "ERROR<TAB>why" to
# RESULT-FILE.
run_mutant() {
	local id=$1 res=$2 dir file f tap first set set_f
	dir=$(mktemp -d "$scratch/lab-mutant.XXXXXX")
	# shellcheck disable=SC2064  # the path now: this runs in a subshell of its own
	trap "rm -rf '$dir'" EXIT
	chmod 755 "$dir"
	(cd "$root" && git ls-files -z 2>/dev/null | xargs -0 cp --parents -t "$dir" 2>/dev/null) ||
		(cd "$root" && tar --exclude=.git --exclude=.deps --exclude=.san -cf - . | tar -xf - -C "$dir")
	if ! file=$(apply_edits "$id" "$dir" 2>"$dir/.apply"); then
		printf 'ERROR\tdoes not apply: %s\n' "$(tr '\n' ' ' <"$dir/.apply")" >"$res"
		rm -rf "$dir"
		return
	fi
	# Build every stage (some checks use another stage's program); warnings allowed, since
	# a mutant may leave a helper unused.
	if ! make -s -C "$dir" CFLAGS='-O2 -g' >"$dir/.build" 2>&1; then
		printf 'ERROR\tdoes not build (%s): %s\n' "$file" \
			"$(grep -m1 'error' "$dir/.build" || tail -n 1 "$dir/.build")" >"$res"
		rm -rf "$dir"
		return
	fi
	for set_f in $(checks_of "$id" | sed 's/[^ ]*/fast:&/g') $(checks_of "$id" | sed 's/[^ ]*/slow:&/g'); do
		set=${set_f%%:*} f=${set_f#*:}
		tap=$dir/.tap-$set-$f
		run_checks "$dir" "$f" "${F_FILTER[$id]}" "$tap" "$set"
		first=$(sed -n '/^not ok /{s/^not ok [0-9]* //p;q;}' "$tap")   # no pipe: head's early exit would fail it
		if [ -n "$first" ]; then
			printf '%s\t%s\n' "$([ "$set" = fast ] && echo caught || echo SLOW-ONLY)" "$first" >"$res"
			rm -rf "$dir"
			return
		fi
		# Fewer results than the plan: bats itself was ended mid-run (a kill(-1, ...) of the
		# program under test reaches it, contained): the mistake is caught, and named so.
		local plan done_
		plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$tap" | head -n 1)
		done_=$(grep -c '^ok ' "$tap")
		if [ ! -e "$tap.hung" ] && [ -n "$plan" ] && [ "$done_" -lt "$plan" ]; then
			printf '%s\t%s\n' "$([ "$set" = fast ] && echo caught || echo SLOW-ONLY)" \
				"$f: bats ended after $done_ of $plan checks (the program under test killed it?)" >"$res"
			rm -rf "$dir"
			return
		fi
		if [ -e "$tap.hung" ]; then
			# A check that hangs on a mistake names nothing: it must be bounded.
			printf 'ERROR\t%s hung (stopped after %s s) after: %s\n' "$f" "$file_limit" \
				"$(grep '^ok' "$tap" | tail -n 1)" >"$res"
			rm -rf "$dir"
			return
		fi
		grep -q '^ok ' "$tap" || [ "$set" = slow ] || {
			printf 'ERROR\t%s ran no check: %s\n' "$f" "$(tail -n 2 "$tap" | tr '\n' ' ')" >"$res"
			rm -rf "$dir"
			return
		}
	done
	printf 'SURVIVED\n' >"$res"
	rm -rf "$dir"
}

main() {
	parse_list
	selected=()
	for id in "${ids[@]}"; do [[ $id =~ $filter ]] && selected+=("$id"); done
	[ "${#selected[@]}" -gt 0 ] || { echo "mutants: no mutant matches '$filter'" >&2; exit 2; }

	if $check_only; then
		bad=0
		dir=$(mktemp -d /tmp/lab-mutant.XXXXXX)
		for id in "${selected[@]}"; do
			rm -rf "${dir:?}"/*
			(cd "$root" && tar --exclude=.git --exclude=.deps -cf - common [0-9][0-9]-*) |
				tar -xf - -C "$dir"
			apply_edits "$id" "$dir" >/dev/null || bad=1
		done
		rm -rf "$dir"
		[ "$bad" = 0 ] && echo "mutants: all ${#selected[@]} edits apply"
		exit $((bad * 2))
	fi

	bats=$("$root/tools/deps.sh" bats)
	"${isolate[@]}" true || {
		echo "mutants: cannot make the namespaces each mutant runs in (${isolate[*]:0:9})." >&2
		echo "mutants: a mutant may signal every process it can reach: not run without them." >&2
		exit 2
	}
	results=$(mktemp -d /tmp/lab-mutants-results.XXXXXX)
	trap 'rm -rf "$results"' EXIT
	start=$SECONDS
	echo "mutants: ${#selected[@]} from tools/mutants.txt, $jobs at a time" >&2
	[ "$(id -u)" = 0 ] || echo "mutants: not root: the checks that need root skip, so a" \
		"mutant only they catch survives here (run as root for the real figure)" >&2
	for id in "${selected[@]}"; do
		[ -n "${F_EQUIV[$id]}" ] && continue
		while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
		( run_mutant "$id" "$results/$id"
		  printf '  %-28s %s\n' "$id" "$(cut -f1 "$results/$id")" >&2 ) &
	done
	wait

	# The table: one row per mutant, in the list's order.
	survived=0 errors=0 caught=0 equivalent=0 slow_only=0
	printf '%-28s %-6s %-9s %s\n' mutant stage result "caught by (first failing check) / why"
	for id in "${selected[@]}"; do
		if [ -n "${F_EQUIV[$id]}" ]; then
			printf '%-28s %-6s %-9s %s\n' "$id" "${F_STAGE[$id]}" EQUIVALENT "${F_EQUIV[$id]}"
			equivalent=$((equivalent + 1))
			continue
		fi
		IFS=$'\t' read -r result why <"$results/$id" || result=ERROR why="no result"
		case $result in
		caught) caught=$((caught + 1)) ;;
		SLOW-ONLY) slow_only=$((slow_only + 1)) ;;
		SURVIVED) survived=$((survived + 1)) why="${F_MISTAKE[$id]}" ;;
		*) errors=$((errors + 1)) ;;
		esac
		printf '%-28s %-6s %-9s %s\n' "$id" "${F_STAGE[$id]}" "$result" "${why:-}"
	done
	echo "mutants: $caught caught by the fast set (make check N), $slow_only only by the slow" \
		"remainder, $survived survived, $equivalent equivalent (not run), $errors errors, in" \
		"$((SECONDS - start)) s"
	echo "mutants: against the fast set $((survived + slow_only)) survived; against the full set $survived"
	[ "$errors" = 0 ] || exit 2
	[ "$((survived + slow_only))" = 0 ] || exit 1
}

# All of it in functions, read in full before it runs: editing this file during a run is safe.
main "$@"
