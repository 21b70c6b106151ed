#!/usr/bin/env bash
# deps.sh: find or bring in what the checks need, so `make test` works on a fresh machine.
#
#   tools/deps.sh bats    print the path of a bats-core 1.5 or newer, bringing one in if
#                         needed, the first of: bats on PATH; the copy already in .deps/
#                         (git-ignored); a shallow git clone of the pinned bats-core release
#                         tag into .deps/ (from BATS_CORE_REPO, default bats-core's public
#                         repository); the pinned bats-core from the npm registry into
#                         .deps/; as root, the distribution's package if it is 1.5 or newer.
#                         Else one message naming all of these, and exit 1.
#   tools/deps.sh lint    as root, install cppcheck, shellcheck, clang and its scan-build for
#                         `make lint` if missing.
#   tools/deps.sh marp    print the path of marp (the slide renderer of `make slides`):
#                         a pinned @marp-team/marp-cli from the npm registry in .deps/marp/
#                         (as root, npm itself from apt-get first if missing). Exit 3 when
#                         npm or the registry cannot be reached (the caller skips), 1 on
#                         any other failure.
#   tools/deps.sh tools   as root, install the Debian packages of the tools the checks and
#                         demos use (ip, ps, hostname, setpriv, ipcmk, findmnt, strace,
#                         valgrind) when one is missing; as an ordinary user only say which
#                         are missing (their checks skip).
# LAB_DEPS_DIR replaces .deps/ (the bootstrap checks point it at a scratch directory).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BATS_PIN=1.11.1                 # the bats-core release taken from git or the npm registry
BATS_CORE_REPO=${BATS_CORE_REPO:-https://github.com/bats-core/bats-core.git}
deps=${LAB_DEPS_DIR:-$root/.deps}
git_bats=$deps/bats-core/bin/bats
npm_bats=$deps/node_modules/bats/bin/bats

say() { echo "deps: $*" >&2; }

# --- an unusable TMPDIR (missing, not writable, full): say so and stop -----------------------
# bats, mktemp, git and npm all need it; without this check bats fails as if missing, and
# what follows would try to install it. Kept apart from the rest: nothing below depends on it.
tmp_usable() {
	local dir=${TMPDIR:-/tmp} probe
	if ! probe=$(mktemp "$dir/lab-tmp-check.XXXXXX" 2>/dev/null); then
		say "the temporary directory $dir (TMPDIR) does not exist or is not writable; bats needs one."
		say "set TMPDIR to a writable directory, or unset it (then /tmp is used). Nothing was installed."
		exit 1
	fi
	if ! head -c 1048576 /dev/zero 2>/dev/null >"$probe"; then
		rm -f "$probe"
		say "the temporary directory $dir (TMPDIR) is full: 1 MiB could not be written; bats needs room"
		say "there. Free some (df -h $dir), or set TMPDIR to another directory. Nothing was installed."
		exit 1
	fi
	rm -f "$probe"
}
tmp_usable

# bats_version_ok VERSION: true when VERSION (1.11.1, 1.8.2-1, ...) is 1.5 or newer.
bats_version_ok() {
	local major=${1%%.*} rest=${1#*.}
	local minor=${rest%%[!0-9]*}
	[[ $major =~ ^[0-9]+$ && $minor =~ ^[0-9]+$ ]] || return 1
	((major > 1 || (major == 1 && minor >= 5)))
}

# bats_ok BATS: true when BATS runs and says it is version 1.5 or newer.
bats_ok() {
	local v
	v=$("$1" --version 2>/dev/null) || return 1
	bats_version_ok "${v#Bats }"
}

apt_install() {
	[ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || return 1
	say "installing $* with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends "$@" >&2
}

# git_clone_bats: a shallow clone of tag v$BATS_PIN of BATS_CORE_REPO into .deps/bats-core,
# by way of a scratch directory, so a failed clone leaves nothing behind.
git_clone_bats() {
	local url=$BATS_CORE_REPO tmp
	command -v git >/dev/null || return 1
	[ -d "$url" ] && url=file://$(cd "$url" && pwd)   # --depth works only over a protocol
	say "no bats 1.5+ on PATH: cloning bats-core v$BATS_PIN from $BATS_CORE_REPO into .deps/"
	mkdir -p "$deps"
	tmp=$(mktemp -d "$deps/bats-core.XXXXXX")
	if git -c advice.detachedHead=false clone -q --depth 1 --branch "v$BATS_PIN" "$url" \
		"$tmp/bats-core" >&2 && bats_ok "$tmp/bats-core/bin/bats"; then
		rm -rf "$deps/bats-core"
		mv "$tmp/bats-core" "$deps/bats-core"
		rmdir "$tmp"
		return 0
	fi
	rm -rf "$tmp"
	return 1
}

npm_install_bats() {
	command -v npm >/dev/null || return 1
	say "installing bats-core $BATS_PIN from the npm registry into .deps/"
	npm install --prefix "$deps" --no-save --no-package-lock --no-audit --no-fund \
		--loglevel=error "bats@$BATS_PIN" >&2 && bats_ok "$npm_bats"
}

# apt_bats: as root, the distribution's bats, if its candidate version is 1.5 or newer
# (Ubuntu 22.04's is 1.2.1).
apt_bats() {
	local v
	[ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || return 1
	apt-get update -qq >&2 || return 1
	v=$(apt-cache policy bats 2>/dev/null | sed -n 's/^ *Candidate: //p')
	if ! bats_version_ok "${v:-none}"; then
		say "the distribution's bats is ${v:-not available}: too old or missing"
		return 1
	fi
	apt_install bats
}

find_bats() {
	local b
	if b=$(command -v bats) && bats_ok "$b"; then echo "$b"; return; fi
	for b in "$git_bats" "$npm_bats"; do
		if [ -x "$b" ] && bats_ok "$b"; then echo "$b"; return; fi
	done
	if git_clone_bats; then echo "$git_bats"; return; fi
	if npm_install_bats; then echo "$npm_bats"; return; fi
	if apt_bats && b=$(command -v bats) && bats_ok "$b"; then echo "$b"; return; fi
	say "bats-core 1.5 or newer is needed and none could be found or brought in. Tried:"
	say "  bats on PATH: $(b=$(command -v bats) && echo "$b, $("$b" --version 2>&1 | head -n 1)" || echo none);"
	say "  a copy in ${deps/#"$root"/.}/: none;"
	say "  git clone --depth 1 --branch v$BATS_PIN $BATS_CORE_REPO: $(command -v git >/dev/null && echo failed || echo 'no git');"
	say "  npm install bats@$BATS_PIN: $(command -v npm >/dev/null && echo failed || echo 'no npm');"
	say "  apt-get install bats (1.5 or newer): $([ "$(id -u)" = 0 ] && echo 'not available' || echo 'not root')."
	say "fix one: a network that reaches github.com (or BATS_CORE_REPO=a local copy of bats-core"
	say "with tag v$BATS_PIN), npm, or a bats 1.5+ on PATH (sudo apt-get install bats on Debian 12),"
	say "then run make test again."
	exit 1
}

# tool:package pairs the checks and demos use.
tools="ip:iproute2 ps:procps pstree:psmisc hostname:hostname setpriv:util-linux ipcmk:util-linux
ipcs:util-linux findmnt:util-linux nsenter:util-linux lsns:util-linux strace:strace valgrind:valgrind"

find_tools() {
	local missing="" pkgs="" pair
	for pair in $tools; do
		if ! command -v "${pair%%:*}" >/dev/null; then
			missing="$missing ${pair%%:*}"
			case " $pkgs " in *" ${pair#*:} "*) ;; *) pkgs="$pkgs ${pair#*:}" ;; esac
		fi
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then   # not root: install nothing, say what is missing
		say "not installed:$missing (sudo apt-get install$pkgs); the checks that need them are skipped."
		return 0
	fi
	# shellcheck disable=SC2086  # one word per package
	apt_install $pkgs && return 0
	say "missing:$missing (apt-get install$pkgs); the checks that need them are skipped."
}

# The static checkers of `make lint`: installed as root, else a clear failure.
find_lint() {
	local missing="" pkgs="" pair
	for pair in cppcheck:cppcheck shellcheck:shellcheck scan-build:clang-tools clang:clang; do
		command -v "${pair%%:*}" >/dev/null || { missing="$missing ${pair%%:*}"; pkgs="$pkgs ${pair#*:}"; }
	done
	[ -z "$missing" ] && return 0
	# shellcheck disable=SC2086  # one word per package
	apt_install $pkgs && return 0
	say "make lint needs$missing: apt-get install$pkgs"
	exit 1
}

# The slide renderer: marp-cli pinned, in a prefix of its own (an npm install into the
# bats prefix would prune bats as extraneous). Exit 3: npm or its registry out of reach.
MARP_PIN=4.5.1                  # @marp-team/marp-cli release taken from the npm registry
find_marp() {
	local prefix=$root/.deps/marp marp=$root/.deps/marp/node_modules/.bin/marp
	if [ -x "$marp" ] && [ "$("$marp" --version 2>/dev/null | awk '{print $2}')" = "v$MARP_PIN" ]; then
		echo "$marp"; return
	fi
	command -v npm >/dev/null || apt_install npm || true
	if ! command -v npm >/dev/null; then
		say "make slides needs npm (apt-get install npm) to bring in marp-cli $MARP_PIN"
		exit 3
	fi
	say "installing @marp-team/marp-cli $MARP_PIN from the npm registry into .deps/marp/"
	if npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund \
		--loglevel=error "@marp-team/marp-cli@$MARP_PIN" >&2 && [ -x "$marp" ]; then
		echo "$marp"; return
	fi
	if ! timeout 20 npm ping >/dev/null 2>&1; then
		say "the npm registry cannot be reached: marp-cli $MARP_PIN not installed"
		exit 3
	fi
	say "npm install @marp-team/marp-cli@$MARP_PIN failed (see above)"
	exit 1
}

# find_chromium: print the Chromium that renders PDFs (CHROME_PATH if set, else one on PATH);
# exit 1, saying nothing, when there is none: the callers say what they skip.
find_chromium() {
	local c=${CHROME_PATH:-}
	if [ -z "$c" ]; then
		for c in chromium chromium-browser google-chrome; do
			c=$(command -v "$c") && break
		done
	fi
	[ -n "$c" ] && [ -x "$c" ] && echo "$c"
}

case "${1:-}" in
bats) find_bats ;;
tools) find_tools ;;
lint) find_lint ;;
marp) find_marp ;;
chromium) find_chromium ;;
*) echo "usage: $0 bats|tools|lint|marp|chromium" >&2; exit 2 ;;
esac
