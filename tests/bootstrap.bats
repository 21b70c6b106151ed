#!/usr/bin/env bats
# How make test finds bats-core on a machine without it (tools/deps.sh bats), path by path.
# Not part of make test: the npm check reaches the registry. Run: make test-bootstrap
#
# Each check hides the machine's bats behind a fake old one (1.2.1, too old: bats 1.5 is
# needed) and points LAB_DEPS_DIR at a scratch directory, so the lab's own .deps/ is not used.

load helpers

setup() {
	PIN=$(sed -n 's/^BATS_PIN=\([0-9.]*\).*/\1/p' "$LAB_ROOT/tools/deps.sh")
	[ -n "$PIN" ] || fail "no BATS_PIN= line in tools/deps.sh"
	SHADOW=$BATS_TEST_TMPDIR/shadow
	mkdir -p "$SHADOW"
	fake "$SHADOW/bats" 'echo "Bats 1.2.1"'
	DEPS=$BATS_TEST_TMPDIR/deps
}

teardown() {
	[ -n "${UNPRIV_DIR:-}" ] && rm -rf "$UNPRIV_DIR"
	return 0
}

# fake PATH SCRIPT: a shell script at PATH that runs SCRIPT.
fake() {
	printf '#!/bin/sh\n%s\n' "$2" >"$1"
	chmod 755 "$1"
}

# deps_bats [VAR=VALUE]...: bats `run` of tools/deps.sh bats, the fake old bats first on
# PATH, .deps/ in $DEPS, and VARs set; logged.
deps_bats() {
	run_logged --separate-stderr env PATH="$SHADOW:$PATH" LAB_DEPS_DIR="$DEPS" "$@" \
		"$LAB_ROOT/tools/deps.sh" bats
}

# local_bats_repo DIR: a git repository at DIR holding the bats-core that runs these checks
# (its bin/, lib/ and libexec/, as in bats-core's own repository), tagged v$PIN.
local_bats_repo() {
	[ -x "${BATS_ROOT:-}/bin/bats" ] || fail "BATS_ROOT ('${BATS_ROOT:-}') holds no bin/bats"
	mkdir -p "$1/bin" "$1/lib" "$1/libexec"
	cp "$BATS_ROOT/bin/bats" "$1/bin/"
	cp -r "$BATS_ROOT/lib/bats-core" "$1/lib/"
	cp -r "$BATS_ROOT/libexec/bats-core" "$1/libexec/"
	git -C "$1" init -q
	git -C "$1" add .
	git -C "$1" -c user.name=lab -c user.email=lab@example.invalid commit -qm "bats-core"
	git -C "$1" tag "v$PIN"
}

@test "bootstrap: a bats 1.5+ on PATH is taken first" {
	fake "$SHADOW/bats" 'echo "Bats 1.5.0"'
	deps_bats
	expect_status 0
	expect_eq "$output" "$SHADOW/bats" "the bats chosen"
	expect_eq "$stderr" "" "stderr"
}

@test "bootstrap: with only an old bats on PATH, a shallow git clone of the pinned tag into .deps/" {
	requires tool:git
	local_bats_repo "$BATS_TEST_TMPDIR/bats-core"
	deps_bats BATS_CORE_REPO="$BATS_TEST_TMPDIR/bats-core"
	expect_status 0
	expect_eq "$output" "$DEPS/bats-core/bin/bats" "the bats chosen"
	expect_contains "$stderr" "cloning bats-core v$PIN" "what deps.sh says"
	expect_eq "$(git -C "$DEPS/bats-core" rev-parse --is-shallow-repository)" "true" "a shallow clone"
	expect_eq "$(git -C "$DEPS/bats-core" describe --tags)" "v$PIN" "the tag checked out"
	run_logged "$DEPS/bats-core/bin/bats" --version
	expect_match "$output" '^Bats 1\.([5-9]|[1-9][0-9])\.' "its version"
	# Next time the copy in .deps/ is taken, with no clone (this repository is gone).
	deps_bats BATS_CORE_REPO="$BATS_TEST_TMPDIR/no-such-repo"
	expect_status 0
	expect_eq "$output" "$DEPS/bats-core/bin/bats" "the bats chosen the second time"
	expect_eq "$stderr" "" "stderr the second time"
}

@test "bootstrap: unprivileged, with no way to bring bats in: one message names every way, .deps/ left empty" {
	requires unpriv
	local dir
	dir=$(unpriv_dir)
	mkdir "$dir/tools" "$dir/shadow"
	cp "$LAB_ROOT/tools/deps.sh" "$dir/tools/"
	cp "$SHADOW/bats" "$dir/shadow/"
	fake "$dir/shadow/npm" 'exit 1'
	run_logged --separate-stderr as_unpriv env PATH="$dir/shadow:$PATH" LAB_DEPS_DIR="$dir/deps" \
		BATS_CORE_REPO="$dir/no-such-repo" "$dir/tools/deps.sh" bats
	expect_status 1
	expect_eq "$output" "" "stdout (no bats path)"
	expect_contains "$stderr" "bats on PATH: $dir/shadow/bats, Bats 1.2.1" "the old bats"
	expect_contains "$stderr" "a copy in ./deps/: none" ".deps/ (LAB_DEPS_DIR, shown from the top of the lab)"
	expect_contains "$stderr" "git clone --depth 1 --branch v$PIN $dir/no-such-repo" "the git clone"
	expect_contains "$stderr" "npm install bats@$PIN: failed" "npm"
	expect_contains "$stderr" "apt-get install bats (1.5 or newer): not root" "apt-get"
	expect_eq "$(ls -A "$dir/deps")" "" "what the failed clone left in .deps/"
}

@test "bootstrap: with only an old bats on PATH and no git, the pinned bats-core from npm" {
	requires tool:npm
	fake "$SHADOW/git" 'exit 1'
	deps_bats
	expect_status 0
	expect_eq "$output" "$DEPS/node_modules/bats/bin/bats" "the bats chosen"
	run_logged "$output" --version
	expect_eq "$output" "Bats $PIN" "its version"
}
