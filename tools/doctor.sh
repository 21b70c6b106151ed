#!/bin/sh
# doctor.sh: `make doctor`, a pre-flight for a workshop machine. One line per item:
#
#   ok    what was found
#   warn  what is missing or limited, and what it costs (a demo, a tool, some tests)
#   FAIL  what stops a stage from running here, and the fix
#   note  what is worth knowing (WSL2, a container, the command that installs what is missing)
#
# then which stages can run here as this user. Exit status: 1 if any line says FAIL, else 0.
# The namespace probes use unshare(1) to ask the kernel for what each stage asks for, so it
# works before anything is built. It changes nothing on the machine.
#
# POSIX sh, not bash: on macOS (bash 3.2, no /proc) it must still run far enough to say, in
# one line, that this is not Linux and where the lab runs instead; before that line it reads
# nothing Linux has and macOS lacks. Two overrides, for the checks (tests/invite.bats) and for
# trying another machine's case on this one:
#
#   DOCTOR_OS_RELEASE=FILE   read FILE for /etc/os-release: which distribution, so which
#                            package names and package manager the fixes name
#   DOCTOR_PROC=DIR          where /proc is (a DIR that does not exist: a system without /proc)
# shellcheck disable=SC3043  # local, in the AppArmor check: dash, bash, busybox and macOS's sh have it
set -u

fails=0 warns=0
ok()   { printf 'ok    %s\n' "$*"; }
note() { printf 'note  %s\n' "$*"; }
warn() { printf 'warn  %s\n' "$*"; warns=$((warns + 1)); }
FAIL() { printf 'FAIL  %s\n' "$*"; fails=$((fails + 1)); }
have() { command -v "$1" >/dev/null 2>&1; }

# path_of NAME: the program NAME on PATH, as a file (for `true`, not the shell's builtin).
path_of() {
	(
		IFS=:
		set -f
		for d in $PATH; do
			[ -f "${d:-.}/$1" ] && [ -x "${d:-.}/$1" ] && { echo "${d:-.}/$1"; exit 0; }
		done
		exit 1
	)
}

# --- Linux at all? ---------------------------------------------------------------------------
# macOS (Darwin), a BSD, Windows' Git Bash: no namespaces, no clone flags. Say so in one line
# and stop: every check below would only print misleading Linux answers.
proc=${DOCTOR_PROC:-/proc}
sys=$(uname -s 2>/dev/null) || sys=unknown
if [ "$sys" != Linux ] || [ ! -r "$proc/self/status" ]; then
	case $sys in
	Darwin) what="this is macOS (Darwin $(uname -r 2>/dev/null)), not Linux" ;;
	Linux) what="no /proc at $proc: this Linux has none mounted (a chroot? as root: mount -t proc proc /proc)" ;;
	MINGW* | MSYS* | CYGWIN*) what="this is Windows ($sys), not Linux" ;;
	*) what="this is ${sys:-an unknown system}, not Linux" ;;
	esac
	FAIL "$what; the lab needs a Linux kernel with /proc: run it in the devcontainer (VS Code + Docker" \
		"Desktop or Podman: Reopen in Container), a Lima VM (brew install lima, then limactl" \
		"start --name=lab --set \".param.LAB=\\\"\$PWD\\\"\" .devcontainer/lima.yaml; limactl" \
		"shell lab) or a GitHub Codespace, and run make doctor there (README.md, Quick start)"
	exit 1
fi

# --- which distribution: the package names and the installer the fixes name ------------------
# ID and ID_LIKE of os-release(5) first (Fedora, RHEL, openSUSE, Arch, Debian, Ubuntu), else
# whichever package manager is on PATH.
os_release=${DOCTOR_OS_RELEASE:-/etc/os-release}
[ -n "${DOCTOR_OS_RELEASE:-}" ] || [ -r "$os_release" ] || os_release=/usr/lib/os-release
os_field() { sed -n "s/^$1=//p" "$os_release" 2>/dev/null | head -n 1 | tr -d "\"'"; }
os_name=$(os_field PRETTY_NAME)
family=""
case " $(os_field ID) $(os_field ID_LIKE) " in
*" debian "* | *" ubuntu "*) family=apt ;;
*" fedora "* | *" rhel "* | *" centos "*) family=dnf ;;
*" suse "* | *" opensuse "* | *" sles "*) family=zypper ;;
*" arch "*) family=pacman ;;
esac
if [ -z "$family" ]; then
	for m in apt-get dnf zypper pacman; do
		have "$m" && { family=${m%-get}; break; }
	done
fi
case $family in
apt) installer="apt-get install" ;;
dnf) installer="dnf install" ;;
zypper) installer="zypper install" ;;
pacman) installer="pacman -S" ;;
*) installer="apt-get install" ;;       # Debian's names: the closest to a guess
esac

# pkg TOOL: the package that brings TOOL on this distribution.
pkg() {
	case $family:$1 in
	apt:cc | :cc) echo build-essential ;;
	*:cc) echo gcc ;;
	dnf:ip) echo iproute ;;
	*:ip) echo iproute2 ;;
	dnf:ps | dnf:pgrep | pacman:ps | pacman:pgrep) echo procps-ng ;;
	*:ps | *:pgrep) echo procps ;;
	*:pstree) echo psmisc ;;
	pacman:hostname) echo inetutils ;;
	pacman:bats) echo bash-bats ;;
	*:unshare | *:setpriv | *:nsenter | *:findmnt | *:lsns) echo util-linux ;;
	*) echo "$1" ;;                      # make, git, strace, hostname, bats
	esac
}
missing_pkgs=""
# need TOOL: p=the package that brings TOOL, kept for the one install line at the end.
need() {
	p=$(pkg "$1")
	case " $missing_pkgs " in *" $p "*) ;; *) missing_pkgs="${missing_pkgs:+$missing_pkgs }$p" ;; esac
}
if [ -n "$os_name" ] && [ "$family" != apt ]; then
	note "$os_name: the package names below are its own (${installer%% *})"
fi

# sysctl NAME: its value from /proc/sys, or nothing when this kernel has no such setting.
sysctl_val() {
	f=$proc/sys/$(printf %s "$1" | tr . /)
	[ -r "$f" ] && cat "$f" 2>/dev/null
}

here=$(cd "$(dirname "$0")/.." && pwd)
uid=$(id -u)
root=false
[ "$uid" = 0 ] && root=true

# --- the kernel -------------------------------------------------------------------------
# WSL1 translates Linux calls for Windows and names itself "Microsoft" in /proc/version;
# WSL2 runs a real Linux kernel whose release says "microsoft" (e.g. 5.15.153.1-microsoft-
# standard-WSL2).
kernel=$(uname -r)
osrelease=$(cat "$proc/sys/kernel/osrelease" 2>/dev/null) || osrelease=$kernel
procversion=$(cat "$proc/version" 2>/dev/null) || procversion=""
wsl1=false
case $procversion in *Microsoft*) wsl1=true ;; esac
case $osrelease in *Microsoft) wsl1=true ;; esac
if $wsl1; then
	FAIL "kernel $osrelease is WSL1, which has no namespaces: use WSL2 (in Windows:" \
		"wsl --set-version DISTRO 2), or the lab's devcontainer (.devcontainer/)"
else
	major=${kernel%%.*} rest=${kernel#*.}
	minor=${rest%%[!0-9]*}
	case $major$minor in '' | *[!0-9]*) major=0 minor=0 ;; esac
	if [ "$major" -gt 3 ] || { [ "$major" -eq 3 ] && [ "$minor" -ge 8 ]; }; then
		ok "kernel $kernel"
	else
		FAIL "kernel $kernel: user namespaces need 3.8 or newer; use a newer distribution"
	fi
	case $(printf '%s %s' "$osrelease" "$procversion" | tr '[:upper:]' '[:lower:]') in
	*microsoft*)
		note "WSL2 (kernel $osrelease): a real Linux kernel, the lab runs as on Linux; keep it" \
			"in WSL's own files (~), not under /mnt/c, where builds are slow" ;;
	esac
fi

# --- each namespace type the stages use ------------------------------------------------
# pid: 02-04; ipc, mnt, net, uts: 03-04; user: 03 -U and 04.
missing_ns=""
for ns in pid ipc mnt net uts user; do
	[ -e "$proc/self/ns/$ns" ] || missing_ns="$missing_ns $ns"
done
if [ -z "$missing_ns" ]; then
	ok "namespaces: pid ipc mnt net uts user (/proc/self/ns)"
else
	FAIL "namespaces missing:$missing_ns: the kernel lacks CONFIG_*_NS; stages 02-04 need them"
fi

# --- who we are, and where ---------------------------------------------------------------
# A container says so in a file its engine leaves (/.dockerenv, /run/.containerenv) or in the
# variable `container` (podman, systemd-nspawn, LXC), which systemd-detect-virt reads too.
container_env=${container:-}
container=""
if have systemd-detect-virt; then
	container=$(systemd-detect-virt -c 2>/dev/null) || container=""
	[ "$container" = none ] && container=""
fi
[ -z "$container" ] && [ -e /.dockerenv ] && container=docker
[ -z "$container" ] && [ -e /run/.containerenv ] && container=podman
[ -z "$container" ] && [ -n "$container_env" ] && container=$container_env

# has_sys_admin SET: does the capability set SET (CapEff, CapBnd) of this process hold
# CAP_SYS_ADMIN (bit 21)? CapBnd bounds even root: without it there, sudo cannot help.
has_sys_admin() {
	v=$(awk -v k="$1:" '$1 == k { print $2 }' "$proc/self/status" 2>/dev/null)
	case $v in '' | *[!0-9a-fA-F]*) return 1 ;; esac
	[ $(((0x$v >> 21) & 1)) = 1 ]
}
cap_sys_admin=false bnd_sys_admin=false
has_sys_admin CapEff && cap_sys_admin=true
has_sys_admin CapBnd && bnd_sys_admin=true

if [ -n "$container" ] && ! $bnd_sys_admin; then
	FAIL "inside a container ($container) without the privilege namespaces need (no" \
		"CAP_SYS_ADMIN, even for root): start it with --privileged (docker or podman run" \
		"--privileged ...), or open the lab in its devcontainer (.devcontainer/, privileged)"
elif [ -n "$container" ]; then
	note "inside a container ($container), with CAP_SYS_ADMIN in reach (privileged?): the probes" \
		"below show what it allows"
fi
if $root && $cap_sys_admin; then
	ok "root (uid 0, with CAP_SYS_ADMIN): every stage runs; rootless cases are tried as uid 65534"
elif $root && { [ -z "$container" ] || $bnd_sys_admin; }; then
	warn "root without CAP_SYS_ADMIN (a container?): stages 02 and 03 need it: start the" \
		"container with --privileged, or use a VM"
elif ! $root; then
	warn "not root (uid $uid): stage 02 and stage 03 without -U need sudo; 00, 01, 03 -U and 04 do not"
fi

# --- unprivileged user namespaces ------------------------------------------------------
# Who tries: this user, or uid 65534 when we are root (root may always create them).
as_user() {
	if $root; then
		(cd / && "$(readlink -f "$(path_of setpriv)")" --reuid=65534 --regid=65534 --clear-groups "$@")
	else
		"$@"
	fi
}
who="as uid $uid"
$root && who="as uid 65534"

maxns=$(sysctl_val user.max_user_namespaces)
clone_ok=$(sysctl_val kernel.unprivileged_userns_clone)
apparmor=$(sysctl_val kernel.apparmor_restrict_unprivileged_userns)
if [ "$maxns" = 0 ]; then
	FAIL "user.max_user_namespaces is 0: no user namespaces at all: sysctl -w user.max_user_namespaces=15000"
elif [ -n "$maxns" ]; then
	ok "user.max_user_namespaces = $maxns"
fi
if [ "$clone_ok" = 0 ]; then
	warn "kernel.unprivileged_userns_clone = 0 forbids them to ordinary users: sysctl -w kernel.unprivileged_userns_clone=1"
elif [ -n "$clone_ok" ]; then
	ok "kernel.unprivileged_userns_clone = $clone_ok"
fi
# Ubuntu 23.10 and later: a user namespace made by an ordinary user gets no privileges unless
# the program has an AppArmor profile with `userns,`. `sudo make apparmor` grants it to
# root-owned copies of the lab's five programs (tools/apparmor.sh, which says where the
# profile is, for which paths, and whether it is loaded: `tools/apparmor.sh status`).
aa_lab=no
apparmor_grant() {
	local state paths
	state=$("$here/tools/apparmor.sh" status 2>/dev/null) || state=none
	paths=${state#* }
	[ "$paths" = "$state" ] && paths=""
	state=${state%% *}
	if [ "$apparmor" != 1 ]; then
		[ -n "$apparmor" ] && ok "kernel.apparmor_restrict_unprivileged_userns = $apparmor"
		[ "$state" != none ] && note "the lab's AppArmor grant (/etc/apparmor.d/containers-lab) is" \
			"installed, though not needed here: sudo make apparmor-remove takes it away"
		return 0
	fi
	case $state in
	loaded)
		aa_lab=yes
		ok "kernel.apparmor_restrict_unprivileged_userns = 1 (Ubuntu 24.04), and the lab's" \
			"AppArmor grant is loaded: $paths may create user namespaces, in their own process" \
			"(not what they run); run those copies as yourself, until sudo make apparmor-remove" ;;
	unloaded | unknown)
		warn "kernel.apparmor_restrict_unprivileged_userns = 1, and the lab's AppArmor grant for" \
			"$paths is installed but $([ "$state" = unloaded ] && echo "not loaded" || echo "not known to be loaded"):" \
			"sudo make apparmor loads it again" ;;
	old)
		warn "kernel.apparmor_restrict_unprivileged_userns = 1, and /etc/apparmor.d/containers-lab" \
			"is the lab's old profile, which grants user-writable paths under $paths and" \
			"everything they run: sudo make apparmor-remove, then sudo make apparmor" ;;
	*)
		warn "kernel.apparmor_restrict_unprivileged_userns = 1 (Ubuntu 24.04): ordinary users'" \
			"user namespaces get no privileges, so 03 -U and 04 fail: sudo make apparmor makes" \
			"root-owned copies of the lab's five programs that may create them (not what they" \
			"run; the rest of the machine stays restricted)" ;;
	esac
}
apparmor_grant

# The reason a user namespace was refused, from the settings above.
userns_why() {
	if [ "$maxns" = 0 ]; then echo "user.max_user_namespaces is 0"
	elif [ "$clone_ok" = 0 ]; then echo "kernel.unprivileged_userns_clone is 0"
	elif [ "$apparmor" = 1 ]; then
		echo "AppArmor: kernel.apparmor_restrict_unprivileged_userns is 1: sudo make apparmor"
	elif [ -n "$container" ]; then echo "the container's seccomp profile or missing privileges"
	else echo "a security module or seccomp filter"
	fi
}

# probe WHO FLAGS...: does unshare with FLAGS succeed? WHO is "me" or "user". The programs
# are named by their real paths: uid 65534 may not be able to search a directory on our PATH.
probe() {
	as_whom=$1
	shift
	unshare_bin=$(readlink -f "$(path_of unshare)")
	true_bin=$(path_of true) || true_bin=/bin/true
	true_bin=$(readlink -f "$true_bin")
	if [ "$as_whom" = user ]; then
		as_user "$unshare_bin" "$@" "$true_bin" >/dev/null 2>&1
	else
		"$unshare_bin" "$@" "$true_bin" >/dev/null 2>&1
	fi
}

# As root: what stages 02 and 03 ask for, then stage 04's user namespace on top.
rootns=unknown      # root: new PID, mount, UTS, IPC and network namespaces, a fresh /proc
root04=unknown      # root: the same inside a new user namespace (stage 04 run by root)
if $root && have unshare; then
	if probe me --mount --uts --ipc --net --pid --fork --mount-proc; then
		rootns=yes
		ok "as root: new PID, mount, UTS, IPC and network namespaces (unshare -mipnuf --mount-proc true)"
	else
		rootns=no
		FAIL "as root: unshare -mipnuf --mount-proc true fails: a container without CAP_SYS_ADMIN" \
			"or with a seccomp profile? run it --privileged, or use a VM"
	fi
	if probe me --user --map-root-user --mount --uts --ipc --net --pid --fork --mount-proc; then
		root04=yes
		ok "as root: the same in a new user namespace (what stage 04 does)"
	else
		root04=no
		FAIL "as root: a new user namespace is refused ($(userns_why)): stage 04 cannot run"
	fi
fi

# As an ordinary user: a user namespace with root inside, then the whole stage-04 container.
userns=unknown      # can an ordinary user create a user namespace with root inside?
rootless=unknown    # ...and the whole stage-04 container, a fresh /proc included?
if ! have unshare; then
	need unshare
	warn "cannot probe namespaces: unshare not found: $installer $p"
elif $root && ! have setpriv; then
	need setpriv
	warn "cannot probe unprivileged user namespaces: setpriv not found: $installer $p"
else
	if probe user --user --map-root-user; then
		userns=yes
		ok "unprivileged user namespaces ($who: unshare --user --map-root-user true)"
	elif [ "$aa_lab" = yes ]; then
		note "unshare gets no privileged user namespace ($who): AppArmor restricts it, as every" \
			"program without a profile; the lab's granted copies have theirs (make check 4" \
			"BIN=/usr/local/lib/containers-lab/04-pipe-sync/pipe-sync shows it)"
	else
		userns=no
		if probe user --user; then
			why="created, but no root inside ($(userns_why))"
		else
			why="refused ($(userns_why))"
		fi
		if $root; then
			warn "unprivileged user namespaces $why: ordinary users cannot run 03 -U or 04;" \
				"the rootless checks skip"
		else
			FAIL "unprivileged user namespaces $why: stages 03 -U and 04 cannot run as uid $uid"
		fi
	fi
	if [ "$userns" = yes ]; then
		if probe user --user --map-root-user --mount --uts --ipc --net --pid --fork --mount-proc; then
			rootless=yes
			ok "a rootless container with a fresh /proc ($who: what stage 04 does)"
		else
			rootless=no
			why="the kernel refuses a fresh /proc"
			[ -n "$container" ] &&
				why="$why (the container masks parts of its /proc: start it --privileged, or use the devcontainer)"
			if $root; then
				warn "a rootless container $who fails: $why: ordinary users cannot run 04"
			else
				FAIL "a rootless container $who fails: $why: run on a VM or host, or as root"
			fi
		fi
	fi
fi

# --- the tools ---------------------------------------------------------------------------
if have cc; then
	ok "cc: $(cc --version 2>/dev/null | head -n 1)"
else
	need cc
	FAIL "cc not found: no stage can be built: $installer $p"
fi
if have make; then
	ok "make: $(make --version 2>/dev/null | head -n 1)"
else
	need make
	FAIL "make not found: $installer $p"
fi

# bats 1.5 or newer, or a way for `make test` to fetch one (tools/deps.sh).
bats_version() {
	v=$("$1" --version 2>/dev/null) || return 1
	v=${v#Bats }
	bmajor=${v%%.*} rest=${v#*.}
	bminor=${rest%%.*}
	case $bmajor in '' | *[!0-9]*) return 1 ;; esac
	case $bminor in '' | *[!0-9]*) return 1 ;; esac
	[ "$bmajor" -gt 1 ] || { [ "$bmajor" -eq 1 ] && [ "$bminor" -ge 5 ]; } || return 1
	echo "$v"
}
if have bats && v=$(bats_version bats); then
	ok "bats $v"
elif [ -x "$here/.deps/bats-core/bin/bats" ] && v=$(bats_version "$here/.deps/bats-core/bin/bats"); then
	ok "bats $v (in .deps/, cloned by make test)"
elif [ -x "$here/.deps/node_modules/bats/bin/bats" ] && v=$(bats_version "$here/.deps/node_modules/bats/bin/bats"); then
	ok "bats $v (in .deps/, fetched by make test)"
elif have git || have npm; then
	warn "bats 1.5+ not found: make test will bring bats-core into .deps/ (git clone, else npm; offline: BATS_CORE_REPO=a local copy)"
elif $root && have apt-get; then
	warn "bats 1.5+ not found: make test will apt-get install bats"
else
	need bats
	FAIL "bats 1.5+ not found, and no git or npm to fetch it: $installer $p (or npm install -g bats)"
fi

# tool TOOL WHAT-IT-COSTS: ok with where it is, or warn with the package that brings it.
# The stages named are the ones whose workshop path or demo types TOOL.
tool() {
	if have "$1"; then
		ok "$1 ($(command -v "$1"))"
	else
		need "$1"
		warn "$1 not found: $installer $p ($2)"
	fi
}
tool git "to clone the lab, and for make test to fetch bats"
tool pstree "stages 00 and 01: the second terminal shows the process tree with it"
tool pgrep "stages 00, 03 and 04: the second terminal finds your container with it"
tool ps "stages 01-04: the demos and the second terminal use it; without it the demos list /proc"
tool ip "stages 03 and 04: the demos use ip link; without it they read /proc/net/dev"
tool hostname "stages 03 and 04: the demos use it"
tool nsenter "stage 03: the second terminal enters the container's UTS namespace with it"
tool lsns "stages 02-04: the observations list namespaces with it"
tool strace "make trace needs it"
for t in unshare setpriv findmnt; do
	tool "$t" "make doctor's probes, the observations and some checks use it"
done

# --- which stages run here ---------------------------------------------------------------
# runnable AS: the stages that run as root (AS=root) or as an ordinary user (AS=user).
runnable() {
	s=""
	if have cc && have make && [ -z "$missing_ns" ]; then
		s="00 01"
		if [ "$1" = root ]; then
			[ "$rootns" != no ] && s="$s 02 03"
			[ "$root04" != no ] && s="$s 04"
		else
			[ "$userns" != no ] && [ "$rootless" != no ] && s="$s 03(-U) 04"
		fi
	fi
	echo "${s:-none}"
}
echo
if $root; then
	echo "stages that run here as root: $(runnable root)"
	echo "as an ordinary user (uid 65534): $(runnable user)"
else
	echo "stages that run here as uid $uid: $(runnable user) (02, and 03 without -U, need sudo)"
fi
if [ -n "$missing_pkgs" ]; then
	note "what is missing, in one command: sudo $installer $missing_pkgs"
fi
if [ "$fails" -gt 0 ]; then
	echo "doctor: $fails FAIL, $warns warn: fix the FAIL lines before the workshop"
	exit 1
fi
echo "doctor: ready ($warns warn)"
