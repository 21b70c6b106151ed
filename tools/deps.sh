#!/usr/bin/env bash
# deps.sh: find or bring in what the checks need, so `make test` works on a fresh machine.
#
#   tools/deps.sh bats    print the path of a bats-core 1.5 or newer, installing one if needed:
#                         bats on PATH, else a pinned bats-core from the npm registry into
#                         .deps/ (git-ignored), else `apt-get install bats` as root, else fail
#                         with a message on how to install it.
#   tools/deps.sh lint    as root, install cppcheck, shellcheck, clang and its scan-build for
#                         `make lint` if missing.
#   tools/deps.sh marp    print the path of marp (the slide renderer of `make slides`):
#                         a pinned @marp-team/marp-cli from the npm registry in .deps/marp/
#                         (as root, npm itself from apt-get first if missing). Exit 3 when
#                         npm or the registry cannot be reached (the caller skips), 1 on
#                         any other failure.
#   tools/deps.sh tools   as root, install the Debian packages of the tools the checks and
#                         demos use (ip, ps, hostname, setpriv, ipcmk, findmnt, strace,
#                         valgrind) when one is missing; otherwise only say which are
#                         missing (their tests skip).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BATS_PIN=1.11.1                 # bats-core release taken from the npm registry
local_bats=$root/.deps/node_modules/bats/bin/bats

say() { echo "deps: $*" >&2; }

# True when $1 is a bats whose version is 1.5 or newer.
bats_ok() {
	local v
	v=$("$1" --version 2>/dev/null) || return 1
	v=${v#Bats }
	local major=${v%%.*} rest=${v#*.}
	local minor=${rest%%.*}
	[[ $major =~ ^[0-9]+$ && $minor =~ ^[0-9]+$ ]] || return 1
	((major > 1 || (major == 1 && minor >= 5)))
}

apt_install() {
	[ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || return 1
	say "installing $* with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends "$@" >&2
}

find_bats() {
	local b
	if b=$(command -v bats) && bats_ok "$b"; then echo "$b"; return; fi
	if [ -x "$local_bats" ] && bats_ok "$local_bats"; then echo "$local_bats"; return; fi
	if command -v npm >/dev/null; then
		say "no bats 1.5+ on PATH: installing bats-core $BATS_PIN from the npm registry into .deps/"
		if npm install --prefix "$root/.deps" --no-save --no-package-lock --no-audit --no-fund \
			--loglevel=error "bats@$BATS_PIN" >&2 && bats_ok "$local_bats"; then
			echo "$local_bats"; return
		fi
	fi
	if apt_install bats && b=$(command -v bats) && bats_ok "$b"; then echo "$b"; return; fi
	say "bats-core 1.5 or newer is needed and could not be installed here."
	say "install it (as root: apt-get install bats; or: npm install -g bats) and run make test again."
	exit 1
}

# tool:package pairs the checks and demos use.
tools="ip:iproute2 ps:procps hostname:hostname setpriv:util-linux ipcmk:util-linux
ipcs:util-linux findmnt:util-linux strace:strace valgrind:valgrind"

find_tools() {
	local missing="" pkgs="" pair
	for pair in $tools; do
		if ! command -v "${pair%%:*}" >/dev/null; then
			missing="$missing ${pair%%:*}"
			case " $pkgs " in *" ${pair#*:} "*) ;; *) pkgs="$pkgs ${pair#*:}" ;; esac
		fi
	done
	[ -z "$missing" ] && return 0
	# shellcheck disable=SC2086  # one word per package
	apt_install $pkgs && return 0
	say "missing:$missing (apt-get install$pkgs); the tests that need them will be skipped."
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

case "${1:-}" in
bats) find_bats ;;
tools) find_tools ;;
lint) find_lint ;;
marp) find_marp ;;
*) echo "usage: $0 bats|tools|lint|marp" >&2; exit 2 ;;
esac
