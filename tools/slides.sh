#!/usr/bin/env bash
# slides.sh: render the instructor's deck (slides/deck.md, Marp Markdown, SVG pictures
# beside it) to one self-contained HTML file and, where Chromium is installed, to PDF.
#
#   tools/slides.sh [OUTDIR]     default OUTDIR: slides/ (deck.html and deck.pdf, git-ignored)
#
# marp-cli comes pinned from the npm registry (tools/deps.sh marp). The engine in
# slides/engine.js puts each local SVG into the page as a data: URI, and slides/marp.yml
# turns off what would fetch from the network (emoji images), so the HTML works offline.
# Exit status: 0 done; 3 marp-cli could not be brought in (npm or its registry out of
# reach); 1 any other failure.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$root/slides}
mkdir -p "$out"
out=$(cd "$out" && pwd)

marp=$("$root/tools/deps.sh" marp) || exit $?
cd "$root/slides"
"$marp" --no-stdin --config-file marp.yml deck.md -o "$out/deck.html"

# The PDF needs a Chromium: CHROME_PATH if set, else one on PATH.
chrome=$("$root/tools/deps.sh" chromium) || {
	echo "slides: no Chromium here, so no PDF (apt-get install chromium; or set CHROME_PATH)" >&2
	exit 0
}
# As root, Chromium's sandbox refuses to start: marp-cli then runs it without one.
[ "$(id -u)" = 0 ] && export CHROME_NO_SANDBOX=1
CHROME_PATH=$chrome "$marp" --no-stdin --config-file marp.yml --pdf deck.md -o "$out/deck.pdf"
