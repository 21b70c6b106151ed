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

# The instructor's folder: the participants' one-page handout, and the answer sheet's check.
#
#   make handout        render instructor/handout.md to instructor/handout.html and, with
#                       Chromium, one page each of instructor/handout-a4.pdf and handout-letter.pdf
#   make test-handout   render it into a scratch directory and check it (tests/handout.bats)
#   make test-answers   run every command of instructor/answers.md, compare its output
#                       (tests/answers.bats; about 40 s, so not part of `make test`)

.PHONY: handout test-handout test-answers

handout:
	@tools/handout.sh

test-handout:
	@tools/run-tests.sh tests/handout.bats

test-answers: all
	@tools/run-tests.sh tests/answers.bats

# Every transcript of the docs run and compared (tools/transcripts.sh): as root, the root and
# the ordinary-user blocks (the latter as uid 65534); as an ordinary user, the root ones are
# counted as skipped. A few minutes; .ci/run runs it. `make test` runs the fast part
# (tests/transcripts.bats: the markers, the counts, the C excerpts).
.PHONY: test-transcripts
test-transcripts: all
	@tools/transcripts.sh -q
