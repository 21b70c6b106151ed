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
