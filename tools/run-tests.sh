#!/usr/bin/env bash
# run-tests.sh: run bats on the given files, bringing in bats and the tools first
# (tools/deps.sh). In a terminal, bats's own pretty output; otherwise TAP. Then the summary:
# "bats: N passed, N failed, N skipped", and, when some were skipped, how many need root
# ("N skipped because they need root: run sudo make test for those") and why the others
# were. Exit status: bats's.
set -uo pipefail
here=$(dirname "${BASH_SOURCE[0]}")

bats=$("$here/deps.sh" bats) || exit 1
"$here/deps.sh" tools

# summary [ECHO]: read TAP (passing it on when ECHO is 1), then print the summary lines.
summary() {
	awk -v echo="${1:-0}" '
	echo { print; fflush() }
	/^ok .* # skip/ {
		skipped++
		reason = $0; sub(/.* # skip ?/, "", reason)
		if (reason ~ /needs root/) root++; else other[reason]++
		next }
	/^ok /      { passed++ }
	/^not ok /  { failed++ }
	END {
		printf "bats: %d passed, %d failed, %d skipped\n", passed, failed, skipped
		if (root) printf "%d skipped because they need root: run sudo make test for those\n", root
		for (r in other) printf "%d skipped: %s\n", other[r], (r == "" ? "no reason given" : r)
	}'
}

if [ -t 1 ]; then
	report=$(mktemp -d)
	trap 'rm -rf "$report"' EXIT
	"$bats" --report-formatter tap --output "$report" "$@"
	rc=$?
	summary <"$report/report.tap"
	exit "$rc"
fi
"$bats" --formatter tap "$@" | summary 1
exit "${PIPESTATUS[0]}"
