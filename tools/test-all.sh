#!/usr/bin/env bash
# test-all.sh FILE...: `make test`: every check of FILEs, to the end, in two halves run at
# once (the machines the lab runs on have two cores or more; one bats uses about one), each
# half's output kept whole and shown in turn, then one summary for both:
# "bats: N passed, N failed, N skipped". Exit status: 1 if either half failed.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Bring in bats and the tools once, before the halves would race for apt's lock.
"$here/deps.sh" bats >/dev/null || exit 1
"$here/deps.sh" tools

# Split the files by size, largest first, each into the lighter half so far.
halves=("" "") weight=(0 0)
while read -r size f; do
	i=$((weight[0] <= weight[1] ? 0 : 1))
	halves[i]+="$f "
	weight[i]=$((weight[i] + size))
done < <(wc -c "$@" | grep -v ' total$' | sort -rn)

logs=$(mktemp -d "${TMPDIR:-/tmp}/lab-test.XXXXXX") || exit 1
trap 'rm -rf "$logs"' EXIT
pids=()
for i in 0 1; do
	# shellcheck disable=SC2086  # the half is a list of file names without blanks
	[ -n "${halves[i]}" ] && { LAB_CHECKS=all "$here/run-tests.sh" ${halves[i]} >"$logs/$i" 2>&1 & pids+=($!); }
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done

# Each half's lines, its summary lines held back; then the sums.
passed=0 failed=0 skipped=0 root=0
declare -A other=()
for f in "$logs"/*; do
	while IFS= read -r line; do
		if [[ $line =~ ^bats:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
			passed=$((passed + BASH_REMATCH[1])) failed=$((failed + BASH_REMATCH[2]))
			skipped=$((skipped + BASH_REMATCH[3]))
		elif [[ $line =~ ^([0-9]+)\ skipped\ because\ they\ need\ root ]]; then
			root=$((root + BASH_REMATCH[1]))
		elif [[ $line =~ ^([0-9]+)\ skipped:\ (.*)$ ]]; then
			other[${BASH_REMATCH[2]}]=$((${other[${BASH_REMATCH[2]}]:-0} + BASH_REMATCH[1]))
		else
			printf '%s\n' "$line"
		fi
	done <"$f"
done
printf 'bats: %d passed, %d failed, %d skipped\n' "$passed" "$failed" "$skipped"
[ "$root" = 0 ] || echo "$root skipped because they need root: run sudo make test for those"
for r in "${!other[@]}"; do echo "${other[$r]} skipped: $r"; done
exit "$rc"
