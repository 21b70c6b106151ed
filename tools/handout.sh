#!/usr/bin/env bash
# handout.sh: render the participants' one-page handout (instructor/handout.md, Marp Markdown
# with the theme instructor/handout.css) to HTML and, where Chromium is installed, to one PDF
# page in A4 and one in US Letter: the deck's toolchain (tools/slides.sh), other page sizes.
#
#   tools/handout.sh [OUTDIR]   default OUTDIR: instructor/ (handout.html, handout-a4.pdf,
#                               handout-letter.pdf; git-ignored)
#
# Exit status: 0 done; 3 marp-cli could not be brought in (npm or its registry out of
# reach); 1 any other failure.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$root/instructor}
mkdir -p "$out"
out=$(cd "$out" && pwd)

marp=$("$root/tools/deps.sh" marp) || exit $?
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$root/instructor/handout.css" "$root/instructor/handout.yml" "$work/"
# The Letter copy differs from the A4 one in its front matter's size only.
cp "$root/instructor/handout.md" "$work/handout-a4.md"
sed '1,/^---$/!b; 2,/^---$/s/^size: A4$/size: Letter/' "$root/instructor/handout.md" >"$work/handout-letter.md"
grep -q '^size: Letter$' "$work/handout-letter.md" || {
	echo "handout: instructor/handout.md has no 'size: A4' line in its front matter" >&2
	exit 1
}
cd "$work"
"$marp" --no-stdin --config-file handout.yml --theme-set handout.css --html handout-a4.md -o "$out/handout.html"

# The PDF needs a Chromium: CHROME_PATH if set, else one on PATH.
chrome=$("$root/tools/deps.sh" chromium) || {
	echo "handout: no Chromium here, so no PDF (apt-get install chromium; or set CHROME_PATH)" >&2
	exit 0
}
# As root, Chromium's sandbox refuses to start: marp-cli then runs it without one.
[ "$(id -u)" = 0 ] && export CHROME_NO_SANDBOX=1
for size in a4 letter; do
	CHROME_PATH=$chrome "$marp" --no-stdin --config-file handout.yml --theme-set handout.css --html --pdf \
		"handout-$size.md" -o "$out/handout-$size.pdf"
done
