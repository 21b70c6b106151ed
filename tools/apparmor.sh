#!/usr/bin/env bash
# apparmor.sh: the lab's AppArmor grant (tools/apparmor/containers-lab), for machines whose
# AppArmor restricts unprivileged user namespaces (Ubuntu 23.10 and later).
#
#   tools/apparmor.sh install        `sudo make apparmor`: copy the five stage programs, as
#                                    built in this lab, to root-owned copies in LIBDIR, write
#                                    /etc/apparmor.d/containers-lab naming exactly the copies
#                                    there, and load it. Only when
#                                    kernel.apparmor_restrict_unprivileged_userns is 1;
#                                    otherwise it says that it is not needed and changes nothing
#   tools/apparmor.sh install BIN    `sudo make apparmor BIN=path`: the same for one program of
#                                    your own (an ELF file), copied to LIBDIR/mine/NAME
#   tools/apparmor.sh remove         `sudo make apparmor-remove`: unload the profile, delete it,
#                                    the copies it names and their (then empty) directories
#   tools/apparmor.sh status         one line for make doctor: STATE PATHS, STATE one of none,
#                                    old (a profile from before the copies), loaded, unloaded,
#                                    unknown (installed; whether loaded needs root or a copy)
#   tools/apparmor.sh profile [P...] print the profile granting the paths P (default: the
#                                    five copies in LIBDIR)
#
# Settings (environment, or make variables: sudo make apparmor LIBDIR=...):
#   LIBDIR=/usr/local/lib/containers-lab  where the copies go. Every directory from it up to /
#             must be owned by root and writable by no one else (a 1777 /tmp is refused): a
#             user who could rename a directory on that path could replace a granted program.
#   DESTDIR=dir  write everything under dir, as a package build does, and load nothing; the
#             profile still names LIBDIR's paths (the final ones), and only those are checked.
#
# The grant: the copies may create user namespaces, in their own process only; everything
# they execute runs stacked with containers-lab-command, without user namespaces or
# capabilities. The global `sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` would
# instead lift the restriction for every program of every user.
set -euo pipefail

lab=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src=$lab/tools/apparmor/containers-lab
libdir=${LIBDIR:-/usr/local/lib/containers-lab}
destdir=${DESTDIR:-}
dest=$destdir/etc/apparmor.d/containers-lab
sysctl=/proc/sys/kernel/apparmor_restrict_unprivileged_userns
sysfs=/sys/kernel/security/apparmor/profiles
stages="00-fork-exec/fork-exec 01-exec-replace/exec-replace 02-clone-pid/clone-pid
03-multi-ns/multi-ns 04-pipe-sync/pipe-sync"

say() { echo "apparmor: $*" >&2; }

# AppArmor paths are unquoted in the profile: no blanks or pattern characters in them.
plain_path() {
	[[ $1 == /* && ! $1 =~ [][[:space:]*?{}^,\"#@\\] ]]
}

# safe_dir DIR: every existing directory from DIR up to / is owned by root and writable by
# no one else (group write only for group root). Says which one is not, and fails.
safe_dir() {
	local d=$1 uid gid mode
	while :; do
		if [ -e "$d" ] || [ -L "$d" ]; then
			if [ -L "$d" ] || [ ! -d "$d" ]; then
				say "$d is not a plain directory (a symbolic link or a file): the granted copies"
				say "must be reached through root-owned directories only; choose another LIBDIR"
				return 1
			fi
			read -r uid gid mode <<<"$(stat -c '%u %g %a' "$d")"
			if [ "$uid" != 0 ] || (((8#$mode & 8#002) != 0)) ||
				{ (((8#$mode & 8#020) != 0)) && [ "$gid" != 0 ]; }; then
				say "$d (owner uid $uid, group gid $gid, mode $mode) is writable by someone other than"
				say "root: whoever can write it could replace a granted copy under $libdir. Choose a"
				say "LIBDIR whose directories are all root's and 0755, e.g. /usr/local/lib/containers-lab"
				return 1
			fi
		fi
		[ "$d" = / ] && return 0
		d=$(dirname "$d")
	done
}

is_elf() {
	[ -f "$1" ] && [ "$(head -c 4 "$1" 2>/dev/null)" = $'\x7fELF' ]
}

# The copies the profile file at $dest names, one per line (nothing if there is none).
granted_paths() {
	[ -r "$dest" ] || return 0
	sed -n 's/^@{granted}=//p' "$dest" | tr ' ' '\n' | sed '/^$/d'
}

# profile PATH...: the profile text granting exactly PATHs.
profile() {
	local p
	if (($# == 0)); then
		for p in $stages; do set -- "$@" "$libdir/$p"; done
	fi
	for p in "$libdir" "$@"; do
		plain_path "$p" || {
			say "$p cannot be named in an AppArmor profile as it is (a blank or one of"
			say "* ? [ ] { } ^ , \" # @ \\, or not absolute)"
			return 1
		}
	done
	sed -e "s|^@{lab_copies}=.*|@{lab_copies}=$libdir|" -e "s|^@{granted}=.*|@{granted}=$*|" "$src"
}

need_root() {
	if [ "$(id -u)" != 0 ]; then
		say "it installs root-owned files and loads an AppArmor profile: sudo make $1"
		return 1
	fi
}

# apparmor_parser 4 or newer, the first that knows the userns rule; else fail.
parser4() {
	command -v apparmor_parser >/dev/null &&
		apparmor_parser --version 2>/dev/null | head -n 1 | grep -q 'version [4-9]'
}

install_copy() { # SRC FINAL: a root-owned 0755 copy of SRC at $destdir$FINAL
	local to=$destdir$2
	install -d -o 0 -g 0 -m 0755 "$(dirname "$to")"
	install -o 0 -g 0 -m 0755 "$1" "$to.new"
	mv -f "$to.new" "$to"
}

install_grant() {
	local bin=${1:-} restrict p name final list=() tmp
	restrict=$(cat "$sysctl" 2>/dev/null) || restrict=""
	if [ -z "$destdir" ] && [ "$restrict" != 1 ]; then
		say "not needed here: this kernel does not restrict unprivileged user namespaces with"
		say "AppArmor (kernel.apparmor_restrict_unprivileged_userns is ${restrict:-absent}); nothing changed"
		return 0
	fi
	need_root "apparmor${bin:+ BIN=$bin}" || return 1
	if [ -z "$destdir" ] && ! parser4; then
		say "needs apparmor_parser 4.0 or newer (the first that knows the userns rule; Ubuntu"
		say "24.04 has it): apt-get install apparmor; this one is: $(apparmor_parser --version 2>&1 | head -n 1)"
		return 1
	fi
	plain_path "$libdir" || { say "LIBDIR=$libdir: an absolute path without blanks or * ? [ ] { } ^ , \" # @"; return 1; }
	safe_dir "$libdir" || return 1
	if [ -n "$bin" ]; then
		name=$(basename "$bin")
		if ! is_elf "$bin"; then
			say "BIN=$bin is not a compiled program (an ELF file): a script would run its"
			say "interpreter with the grant. Build it with cc, then run this again"
			return 1
		fi
		if [[ ! $name =~ ^[A-Za-z0-9._-]+$ ]]; then
			say "BIN=$bin: name it with letters, digits, . _ - only (it becomes $libdir/mine/NAME)"
			return 1
		fi
		safe_dir "$libdir/mine" || return 1
		install_copy "$bin" "$libdir/mine/$name"
		say "copied $bin to $libdir/mine/$name (root's, 0755)"
	else
		for p in $stages; do
			if ! is_elf "$lab/$p"; then
				say "$lab/$p is not built: run make as yourself first (not with sudo), then sudo make apparmor"
				return 1
			fi
		done
		for p in $stages; do
			safe_dir "$libdir/$(dirname "$p")" || return 1
			install_copy "$lab/$p" "$libdir/$p"
		done
		say "copied the five stage programs to $libdir/NN-name/ (root's, 0755)"
	fi
	# The profile names every copy now there: the five, and those of BIN=.
	for final in "$destdir$libdir"/*/*; do
		[ -f "$final" ] && [ ! -L "$final" ] && is_elf "$final" && list+=("${final#"$destdir"}")
	done
	tmp=$(mktemp)
	profile "${list[@]}" >"$tmp" || { rm -f "$tmp"; return 1; }
	# Parse it before it goes to /etc: a broken file there would stop AppArmor at the next boot.
	if parser4 && ! apparmor_parser -Q -K "$tmp"; then
		rm -f "$tmp"
		say "apparmor_parser cannot parse the profile; nothing was loaded"
		return 1
	fi
	# A profile of the old kind (five profiles for the lab's own, user-writable paths): unload
	# it first, as replacing the file would leave those profiles in the kernel.
	if [ -z "$destdir" ] && grep -q '^@{lab}=' "$dest" 2>/dev/null; then
		apparmor_parser -R "$dest" 2>/dev/null || true
		say "unloaded the old profile, which granted $(sed -n 's/^@{lab}=//p' "$dest")'s own programs"
	fi
	install -d -m 0755 "$(dirname "$dest")"
	install -o 0 -g 0 -m 0644 "$tmp" "$dest"
	rm -f "$tmp"
	if [ -n "$destdir" ]; then
		say "wrote $dest (DESTDIR: nothing loaded)"
	else
		apparmor_parser -r "$dest"
		say "installed and loaded $dest"
	fi
	say "granted until sudo make apparmor-remove: ${list[*]} may create user namespaces,"
	say "in their own process; what they execute (COMMAND) may not, and has no capabilities."
	say "Run these copies as yourself (as root, use the lab's own build). make doctor shows it"
}

remove_grant() {
	local p d
	need_root apparmor-remove || return 1
	if [ ! -e "$dest" ] && [ ! -d "$destdir$libdir" ]; then
		say "nothing to remove: no $dest, no $destdir$libdir"
		return 0
	fi
	if [ -z "$destdir" ] && [ -e "$dest" ] && command -v apparmor_parser >/dev/null &&
		grep -q '^containers-lab' "$sysfs" 2>/dev/null; then
		apparmor_parser -R "$dest"
	fi
	# The copies the profile names, then the copies of the lab's layout (a profile lost by
	# hand), then directories left empty: nothing else in LIBDIR is touched.
	local named=()
	mapfile -t named < <(granted_paths)
	for p in $stages; do named+=("$libdir/$p"); done
	for p in "${named[@]}"; do
		[[ $p == "$libdir"/* ]] && rm -f "$destdir$p"
	done
	for d in "$destdir$libdir"/*/ "$destdir$libdir"; do
		rmdir "$d" 2>/dev/null || true
	done
	rm -f "$dest"
	[ -d "$destdir$libdir" ] && say "left $destdir$libdir: it holds files this lab did not put there"
	if [ -n "$destdir" ]; then
		say "removed $dest and the granted copies under $destdir$libdir (DESTDIR: nothing was loaded)"
	else
		say "unloaded the profile containers-lab; removed $dest and the granted copies in $libdir"
	fi
}

# status: one line, STATE PATHS (see the top).
status() {
	local paths label loaded
	if [ ! -e "$dest" ]; then echo none; return 0; fi
	if grep -q '^@{lab}=' "$dest"; then
		echo "old $(sed -n 's/^@{lab}=//p' "$dest")"
		return 0
	fi
	paths=$(granted_paths | tr '\n' ' ')
	paths=${paths% }
	# Staged under DESTDIR: nothing there was loaded.
	if [ -n "$destdir" ]; then echo "unknown $paths"; return 0; fi
	# The kernel's list of loaded profiles: root may read it.
	if loaded=$(cat "$sysfs" 2>/dev/null); then
		if grep -q '^containers-lab (' <<<"$loaded"; then echo "loaded $paths"; else echo "unloaded $paths"; fi
		return 0
	fi
	# Not root: ask a granted copy of stage 00 what its COMMAND runs as.
	if [ -x "$libdir/00-fork-exec/fork-exec" ]; then
		label=$("$libdir/00-fork-exec/fork-exec" sh -c \
			'cat /proc/self/attr/apparmor/current 2>/dev/null || cat /proc/self/attr/current' 2>/dev/null) || label=""
		case $label in
		*containers-lab-command*) echo "loaded $paths" ;;
		*) echo "unloaded $paths" ;;
		esac
		return 0
	fi
	echo "unknown $paths"
}

case "${1:-}" in
profile) shift; profile "$@" ;;
install) install_grant "${2:-}" ;;
remove) remove_grant ;;
status) status ;;
*) echo "usage: $0 install [BIN] | remove | status | profile [PATH...]" >&2; exit 2 ;;
esac
