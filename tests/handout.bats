#!/usr/bin/env bats
# handout.bats: the participants' one-page handout (`make test-handout`; not part of `make
# test`, since it brings marp-cli from the npm registry). It renders instructor/handout.md as
# `make handout` does, into a scratch directory, and checks that the HTML holds the handout and
# points nowhere outside itself, and, with Chromium, that each PDF is one page of its size.
# Without the registry the render checks skip, saying why.

load helpers

MD=$LAB_ROOT/instructor/handout.md

setup_file() { render_once handout.sh; }

setup() { OUT=$BATS_FILE_TMPDIR/out; }

rendered() { rendered_into "$OUT/handout.html"; }

# one_page PDF SIZE: PDF is a PDF of one page, of paper SIZE as pdfinfo names it.
one_page() {
	[ -s "$1" ] || skip "no PDF: no Chromium here (apt-get install chromium, or set CHROME_PATH)"
	[ "$(head -c 5 "$1")" = "%PDF-" ] || fail "$1 is not a PDF"
	command -v pdfinfo >/dev/null || skip "needs pdfinfo (apt-get install poppler-utils)"
	local info
	info=$(pdfinfo "$1")
	grep -qE '^Pages: +1$' <<<"$info" || fail "$1 is not one page: $(grep Pages <<<"$info")"
	grep -qE "^Page size: .*\\($2\\)" <<<"$info" || fail "$1 is not $2: $(grep 'Page size' <<<"$info")"
}

@test "handout: the handout names every stage, sudo, the exit codes, Ctrl-C and Ctrl-Z" {
	local want
	for want in '**00**' '**01**' '**02**' '**03**' '**04**' 'class="su">sudo' \
		'| 125 |' '| 126 |' '| 127 |' '128+S' 'Error 143' '137' '**Ctrl-C**' '**Ctrl-Z**' \
		'`fg`' '**Help.**' 'make doctor'; do
		grep -qF -- "$want" "$MD" || fail "instructor/handout.md lacks '$want'"
	done
}

@test "handout: make handout renders it to one HTML file" {
	rendered
	grep -q 'Containers from scratch, in C: the handout' "$OUT/handout.html" ||
		fail "the HTML lacks the handout's title"
	[ "$(grep -oE '<section id="[0-9]+"' "$OUT/handout.html" | sort -u | wc -l)" = 1 ] ||
		fail "the HTML is not one page (one <section>)"
}

@test "handout: nothing in the HTML points outside the file" {
	local refs
	rendered
	refs=$(grep -oE "(src|href|srcset|poster|action)=(\"[^\"]*\"|'[^']*')|url\\(\"?'?[^)\"']{0,40}|@import[^;]{0,80}" \
		"$OUT/handout.html" | grep -vE "=[\"'](data:|#)|url\\([\"']?(data:|#)") || true
	[ -z "$refs" ] || fail "references that leave the file: $refs"
}

@test "handout: with Chromium, one A4 page" {
	rendered
	one_page "$OUT/handout-a4.pdf" A4
}

@test "handout: with Chromium, one US Letter page" {
	rendered
	one_page "$OUT/handout-letter.pdf" letter
}
