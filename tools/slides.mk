# slides.mk: `make slides` and `make test-slides`, included by the top-level Makefile.
#
#   make slides        render slides/deck.md (Marp Markdown, SVG pictures beside it) to
#                      slides/deck.html, one self-contained file that works offline, and to
#                      slides/deck.pdf where Chromium is installed (CHROME_PATH, or on PATH)
#   make test-slides   render into a scratch directory and check the result (tests/slides.bats)
#
# marp-cli comes pinned from the npm registry into .deps/marp/ (tools/deps.sh marp), so
# neither target is part of `make test`, which needs no network; .ci/run runs test-slides,
# whose checks skip, saying why, when the registry cannot be reached.

.PHONY: slides test-slides

slides:
	@tools/slides.sh

test-slides:
	@tools/run-tests.sh tests/slides.bats

# Every transcript of the docs run and compared (tools/transcripts.sh): as root, the root and
# the ordinary-user blocks (the latter as uid 65534); as an ordinary user, the root ones are
# counted as skipped. A few minutes; .ci/run runs it. `make test` runs the fast part
# (tests/transcripts.bats: the markers, the counts, the C excerpts).
.PHONY: test-transcripts
test-transcripts: all
	@tools/transcripts.sh -q
