#!/usr/bin/env bats
# slides.bats: the instructor's deck (`make test-slides`; not part of `make test`, since it
# brings marp-cli from the npm registry). It renders slides/deck.md as `make slides` does,
# into a scratch directory, and checks that the HTML holds every slide, that every picture
# the deck names is there and well-formed, and that nothing in the HTML points outside it.
# Without the registry (and no marp-cli in .deps/ yet) the tests of the rendered HTML skip,
# saying why; the pictures are checked all the same.

load helpers

DECK=$LAB_ROOT/slides/deck.md

setup_file() {
	local rc=0
	"$LAB_ROOT/tools/slides.sh" "$BATS_FILE_TMPDIR/out" >"$BATS_FILE_TMPDIR/render.log" 2>&1 ||
		rc=$?
	echo "$rc" >"$BATS_FILE_TMPDIR/render.rc"
}

setup() {
	HTML=$BATS_FILE_TMPDIR/out/deck.html
	RENDER_RC=$(cat "$BATS_FILE_TMPDIR/render.rc")
}

# rendered: skip when marp-cli could not be brought in; fail when the render left no HTML.
rendered() {
	if [ "$RENDER_RC" = 3 ]; then
		skip "marp-cli could not be brought in: npm or the npm registry is out of reach"
	fi
	[ -s "$HTML" ] || fail "no HTML to check: tools/slides.sh exited $RENDER_RC"
}

# The slides of the deck: the `---` lines outside code blocks and the front matter, plus one.
deck_slides() {
	awk '/^```/ { code = !code } !code && /^---$/ { n++ } END { print n - 2 + 1 }' "$DECK"
}

# The pictures the deck names, ![...](NAME.svg), one a line.
deck_pictures() {
	grep -oE '\]\([^)]+\.svg\)' "$DECK" | sed 's/^](//; s/)$//'
}

# well_formed FILE: is FILE well-formed XML? (xmllint, else python3)
well_formed() {
	if command -v xmllint >/dev/null; then
		xmllint --noout "$1"
	else
		python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$1"
	fi
}

@test "slides: make slides renders the deck to one HTML file" {
	[ "$RENDER_RC" != 3 ] ||
		skip "marp-cli could not be brought in: npm or the npm registry is out of reach"
	[ "$RENDER_RC" = 0 ] || fail "tools/slides.sh exited $RENDER_RC: $(cat "$BATS_FILE_TMPDIR/render.log")"
	[ -s "$HTML" ] || fail "no $HTML"
}

@test "slides: the deck has 20 to 30 slides, and the HTML holds every one" {
	local want got
	rendered
	want=$(deck_slides)
	got=$(grep -oE '<section id="[0-9]+"' "$HTML" | sort -u | wc -l)
	[ "$want" -ge 20 ] && [ "$want" -le 30 ] || fail "the deck has $want slides, not 20 to 30"
	[ "$got" = "$want" ] || fail "deck.md has $want slides, the HTML $got"
}

@test "slides: every picture the deck names exists and is well-formed SVG, with nothing outside it" {
	command -v xmllint >/dev/null || command -v python3 >/dev/null ||
		skip "needs xmllint (apt-get install libxml2-utils) or python3"
	local pic n=0
	for pic in $(deck_pictures); do
		n=$((n + 1))
		[ -f "$LAB_ROOT/slides/$pic" ] || fail "slides/$pic is named in deck.md but missing"
		well_formed "$LAB_ROOT/slides/$pic" || fail "slides/$pic is not well-formed XML"
		grep -q '<svg[ >]' "$LAB_ROOT/slides/$pic" || fail "slides/$pic has no <svg> element"
		# No reference out of the picture: hrefs only to its own #ids, no url() but
		# url(#id), no @import, no <image>, no web fonts.
		if grep -nE '(xlink:)?href="[^#]|url\([^#]|@import|<image|@font-face' \
			"$LAB_ROOT/slides/$pic"; then
			fail "slides/$pic refers to something outside itself (lines above)"
		fi
	done
	[ "$n" -gt 0 ] || fail "deck.md names no picture"
}

@test "slides: each picture is inside the HTML as a data: URI" {
	local want got
	rendered
	want=$(deck_pictures | wc -l)
	got=$(grep -o 'data:image/svg+xml;base64,' "$HTML" | wc -l)
	[ "$got" -ge "$want" ] || fail "$want pictures in deck.md, $got inlined in the HTML"
	if grep -oE '(src|href)="[^"#][^"]*\.svg"' "$HTML"; then
		fail "the HTML still refers to picture files (above)"
	fi
}

@test "slides: nothing in the HTML points outside the file" {
	local refs urls
	rendered
	# Every src, href, srcset, poster, action and CSS url() or @import: data: or #id only.
	refs=$(grep -oE "(src|href|srcset|poster|action)=(\"[^\"]*\"|'[^']*')|url\\(\"?'?[^)\"']{0,40}|@import[^;]{0,80}" \
		"$HTML" | grep -vE "=[\"'](data:|#)|url\\([\"']?(data:|#)") || true
	[ -z "$refs" ] || fail "references that leave the file: $refs"
	# And no web address anywhere, but the SVG namespace names (never fetched) and the
	# licence comment marp-cli puts above its own script.
	urls=$(sed -E 's#xmlns(:[a-z]+)?="http://www\.w3\.org/[^"]*"##g;
		s#/\*!! License: https://unpkg\.com/@marp-team/marp-cli@[0-9.]+/lib/bespoke\.js\.LICENSE\.txt \*/##g' \
		"$HTML" | grep -oE 'https?://[^"'"'"' )<]*' | sort -u) || true
	[ -z "$urls" ] || fail "web addresses in the HTML: $urls"
}

@test "slides: with Chromium, the PDF has one page per slide" {
	local pdf=$BATS_FILE_TMPDIR/out/deck.pdf want got
	rendered
	[ -s "$pdf" ] || skip "no PDF: no Chromium here (apt-get install chromium, or set CHROME_PATH)"
	[ "$(head -c 5 "$pdf")" = "%PDF-" ] || fail "$pdf is not a PDF"
	command -v pdfinfo >/dev/null || skip "needs pdfinfo to count pages (apt-get install poppler-utils)"
	want=$(deck_slides)
	got=$(pdfinfo "$pdf" | awk '/^Pages:/ { print $2 }')
	[ "$got" = "$want" ] || fail "deck.md has $want slides, the PDF $got pages"
}
