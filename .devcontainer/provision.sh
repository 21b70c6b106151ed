#!/usr/bin/env bash
# provision.sh: turn a bare Debian 12 (or Ubuntu 22.04/24.04) into a machine for the lab.
# The devcontainer's Dockerfile runs it at build time, the Lima VM (.devcontainer/lima.yaml)
# runs it when the VM is created: the same packages either way.
#
#   provision.sh            install the packages (as root); safe to run again
#   provision.sh USER       ...and add USER (uid 1000 if free) with passwordless sudo, so
#                           the lab can be tried both as an ordinary user and as root
set -euo pipefail

# What the stages, their demos, their checks and the workshop tools use.
packages=(
	build-essential git ca-certificates # cc, make; git for the lab itself
	bats                                # the checks (Debian 12's is 1.8.2; 1.5+ is needed)
	util-linux                          # unshare, nsenter, setpriv, lsns, findmnt, ipcmk
	iproute2 procps psmisc hostname     # ip link, ps, pgrep, pstree, hostname
	strace valgrind python3-minimal     # make trace; the robustness checks
	tmux sudo less                      # two terminals in one; root when a stage needs it
	man-db manpages manpages-dev        # man 2 clone, man 7 namespaces
)

if [ "$(id -u)" != 0 ]; then
	echo "provision.sh: run it as root (sudo $0 $*)" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${packages[@]}"
apt-get clean
rm -rf /var/lib/apt/lists/*

# The ordinary user: passwordless sudo, so `sudo make stage 2` works without a password.
user=${1:-}
if [ -n "$user" ]; then
	if ! id "$user" >/dev/null 2>&1; then
		uid_opt=()
		getent passwd 1000 >/dev/null || uid_opt=(--uid 1000)
		useradd --create-home --shell /bin/bash "${uid_opt[@]}" "$user"
	fi
	printf '%s ALL=(ALL:ALL) NOPASSWD: ALL\n' "$user" >"/etc/sudoers.d/$user"
	chmod 0440 "/etc/sudoers.d/$user"
fi
echo "provision.sh: ready: $(bats --version), $(cc --version | head -n 1)"
