#!/usr/bin/env bash
# run-tests.sh: run bats on the given files, bringing in bats and the tools first
# (tools/deps.sh). In a terminal, bats's own pretty output; otherwise TAP, followed by one
# summary line "bats: N passed, N failed, N skipped". Exit status: bats's.
set -uo pipefail
here=$(dirname "${BASH_SOURCE[0]}")

bats=$("$here/deps.sh" bats) || exit 1
"$here/deps.sh" tools

if [ -t 1 ]; then
	exec "$bats" "$@"
fi
"$bats" --formatter tap "$@" | awk '
	{ print; fflush() }
	/^ok .* # skip/ { skipped++; next }
	/^ok /          { passed++ }
	/^not ok /      { failed++ }
	END { printf "bats: %d passed, %d failed, %d skipped\n", passed, failed, skipped }'
exit "${PIPESTATUS[0]}"
