#!/usr/bin/env bats
# slides.bats: the instructor's deck (`make test-slides`; not part of `make test`, since it
# brings marp-cli from the npm registry). It renders slides/deck.md as `make slides` does,
# into a scratch directory, and checks that the HTML holds every slide, that every picture
# the deck names is there and well-formed, and that nothing in the HTML points outside it.
# Without the registry (and no marp-cli in .deps/ yet) the tests of the rendered HTML skip,
# saying why; the pictures are checked all the same.

load helpers

DECK=$LAB_ROOT/slides/deck.md

setup_file() { render_once slides.sh; }

setup() { HTML=$BATS_FILE_TMPDIR/out/deck.html; }

rendered() { rendered_into "$HTML"; }

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
	rendered_into "$HTML"   # skips without the npm registry; else exit 0 and an HTML file
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

# Legibility from the back of a room, at the deck's 1280x720: code at least CODE_MIN_PX,
# text in pictures at least PICTURE_MIN_PX, any other text of the deck's CSS at least
# PICTURE_MIN_PX. A slide that does not fit is split, not shrunk.
CODE_MIN_PX=24
PICTURE_MIN_PX=18

# deck_css: the style of the deck's front matter, one rule a line ("SELECTOR { ... }").
deck_css() {
	awk 'NR == 1 && /^---$/ { fm = 1; next } fm && /^---$/ { exit }
	     fm && /^style:/ { st = 1; next } st && /^  / { sub(/^  /, ""); print; next } st { st = 0 }' "$DECK"
}

# css_px SELECTOR: the font-size, in px, the deck's CSS gives exactly SELECTOR (or nothing).
css_px() {
	deck_css | awk -v sel="$1" '{
		split($0, a, "{"); n = split(a[1], s, ","); hit = 0
		for (i = 1; i <= n; i++) { x = s[i]; gsub(/^ +| +$/, "", x); if (x == sel) hit = 1 }
		if (hit && match(a[2], /font-size: *[0-9.]+px/)) {
			v = substr(a[2], RSTART, RLENGTH); gsub(/[^0-9.]/, "", v); print v } }' | tail -1
}

@test "slides: the deck's code is at least ${CODE_MIN_PX} px and its other text at least ${PICTURE_MIN_PX} px (1280x720)" {
	local size_line pre code bad=()
	grep -qx 'size: 16:9' "$DECK" || fail "the deck is not 16:9 (1280x720), which these sizes assume"
	pre=$(css_px pre)
	[ -n "$pre" ] || fail "the deck's CSS gives pre no font-size in px"
	# code inside pre: its own px, or the em the CSS gives code, times pre's size
	code=$(css_px 'pre code')
	if [ -z "$code" ]; then
		code=$(deck_css | awk '/(^|[ ,])code *[{,]/ && !/pre code/ && match($0, /font-size: *[0-9.]+em/) {
			v = substr($0, RSTART, RLENGTH); gsub(/[^0-9.]/, "", v); print v }' | tail -1)
		code=$(awk -v p="$pre" -v e="${code:-1}" 'BEGIN { print p * e }')
	fi
	awk -v c="$code" -v m="$CODE_MIN_PX" 'BEGIN { exit !(c >= m) }' ||
		bad+=("code blocks are ${code} px (pre ${pre} px), under ${CODE_MIN_PX}")
	while read -r size_line; do
		awk -v c="${size_line##* }" -v m="$PICTURE_MIN_PX" 'BEGIN { exit !(c >= m) }' ||
			bad+=("the CSS sets ${size_line% *} to ${size_line##* } px, under ${PICTURE_MIN_PX}")
	done < <(deck_css | awk 'match($0, /font-size: *[0-9.]+px/) {
		v = substr($0, RSTART, RLENGTH); gsub(/[^0-9.]/, "", v); sel = $0; sub(/ *\{.*/, "", sel); print sel " " v }')
	[ ${#bad[@]} -eq 0 ] || fail "$(printf '%s\n' "${bad[@]}")"
}

@test "slides: every picture's text is at least ${PICTURE_MIN_PX} px at the width the deck shows it" {
	local pic w vbw bad=() s
	while read -r w pic; do
		[ -n "$w" ] || { bad+=("$pic: the deck gives it no width (![w:N]($pic))"); continue; }
		vbw=$(grep -o 'viewBox="[^"]*"' "$LAB_ROOT/slides/$pic" | head -1 | awk '{ print $3 }')
		[ -n "$vbw" ] || { bad+=("$pic: no viewBox"); continue; }
		tr "\n" " " <"$LAB_ROOT/slides/$pic" | grep -q "<svg[^>]*font-size=" ||
			bad+=("$pic: the <svg> element sets no font-size (the default, 16, would be assumed)")
		# every font-size in the picture, attribute or CSS, scaled to the slide
		while read -r s; do
			awk -v s="$s" -v w="$w" -v v="$vbw" -v m="$PICTURE_MIN_PX" 'BEGIN { exit !(s * w / v >= m - 0.05) }' ||
				bad+=("$pic: font-size $s shown at $w px of $vbw is $(awk -v s="$s" -v w="$w" -v v="$vbw" 'BEGIN { printf "%.1f", s * w / v }') px")
		done < <(grep -oE 'font-size(="|: *)[0-9.]+' "$LAB_ROOT/slides/$pic" | grep -oE '[0-9.]+$' | sort -un)
	done < <(grep -oE '!\[(w:[0-9]+)?[^]]*\]\([^)]+\.svg\)' "$DECK" |
		sed -E 's/^!\[(w:([0-9]+))?[^]]*\]\(([^)]+)\)$/\2 \3/')
	[ ${#bad[@]} -eq 0 ] || fail "pictures too small for the back of the room (split the slide or the picture):"$'\n'"$(printf '%s\n' "${bad[@]}")"
}
