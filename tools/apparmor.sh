#!/usr/bin/env bash
# apparmor.sh: the lab's AppArmor profile (tools/apparmor/containers-lab), for machines whose
# AppArmor restricts unprivileged user namespaces (Ubuntu 23.10 and later).
#
#   tools/apparmor.sh profile    print the profile with @{lab} set to this lab's directory
#   tools/apparmor.sh install    `sudo make apparmor`: install it as /etc/apparmor.d/containers-lab
#                                and load it, when kernel.apparmor_restrict_unprivileged_userns
#                                is 1; otherwise say that it is not needed, and change nothing
#
# This is the fix that keeps the machine safe: `sysctl -w
# kernel.apparmor_restrict_unprivileged_userns=0` would lift the restriction for every program.
set -euo pipefail

lab=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
src=$lab/tools/apparmor/containers-lab
dest=/etc/apparmor.d/containers-lab
sysctl=/proc/sys/kernel/apparmor_restrict_unprivileged_userns

say() { echo "apparmor: $*" >&2; }

# The profile for this lab's directory. AppArmor paths are unquoted here, so the directory
# must not hold blanks or AppArmor's pattern characters.
profile() {
	local bad='[][[:space:]*?{}^,"#@]'
	if [[ $lab =~ $bad ]]; then
		say "the lab's path, $lab, holds a blank or one of * ? [ ] { } ^ , \" # @, which an"
		say "AppArmor profile cannot name as it is: move the lab (e.g. to ~/containers-lab)"
		return 1
	fi
	sed "s|^@{lab}=.*|@{lab}=$lab|" "$src"
}

install_profile() {
	local restrict
	restrict=$(cat "$sysctl" 2>/dev/null) || restrict=""
	if [ "$restrict" != 1 ]; then
		say "not needed here: this kernel does not restrict unprivileged user namespaces with"
		say "AppArmor (kernel.apparmor_restrict_unprivileged_userns is ${restrict:-absent}); nothing changed"
		return 0
	fi
	if [ "$(id -u)" != 0 ]; then
		say "it writes to /etc/apparmor.d and loads a profile: sudo make apparmor"
		return 1
	fi
	if ! command -v apparmor_parser >/dev/null; then
		say "apparmor_parser not found: apt-get install apparmor"
		return 1
	fi
	local tmp
	tmp=$(mktemp)
	profile >"$tmp" || { rm -f "$tmp"; return 1; }
	# Parse it before it goes to /etc: a broken file there would stop AppArmor at the next boot.
	if ! apparmor_parser -Q -K "$tmp"; then
		rm -f "$tmp"
		say "this AppArmor cannot parse the profile (AppArmor 4.0 or newer knows userns rules)"
		return 1
	fi
	install -m 0644 "$tmp" "$dest"
	rm -f "$tmp"
	apparmor_parser -r "$dest"
	say "installed and loaded $dest for $lab: its five programs (and their make san builds)"
	say "may now create user namespaces; every other program stays restricted. make doctor"
	say "shows it. To take it away: sudo apparmor_parser -R $dest && sudo rm $dest"
}

case "${1:-}" in
profile) profile ;;
install) install_profile ;;
*) echo "usage: $0 profile|install" >&2; exit 2 ;;
esac
