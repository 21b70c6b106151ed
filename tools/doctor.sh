#!/usr/bin/env bash
# doctor.sh: `make doctor`, a pre-flight for a workshop machine. One line per item:
#
#   ok    what was found
#   warn  what is missing or limited, and what it costs (a demo, a tool, some tests)
#   FAIL  what stops a stage from running here, and the fix
#
# then which stages can run here as this user. Exit status: 1 if any line says FAIL, else 0.
# The namespace probes use unshare(1) to ask the kernel for what each stage asks for, so it
# works before anything is built. It changes nothing on the machine.
set -uo pipefail

fails=0 warns=0
ok()   { printf 'ok    %s\n' "$*"; }
note() { printf 'note  %s\n' "$*"; }
warn() { printf 'warn  %s\n' "$*"; warns=$((warns + 1)); }
FAIL() { printf 'FAIL  %s\n' "$*"; fails=$((fails + 1)); }
have() { command -v "$1" >/dev/null 2>&1; }

# sysctl NAME: its value from /proc/sys, or nothing when this kernel has no such setting.
sysctl_val() {
	local f=/proc/sys/${1//.//}
	[ -r "$f" ] && cat "$f" 2>/dev/null
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
uid=$(id -u)
root=false
[ "$uid" = 0 ] && root=true

# --- the kernel -------------------------------------------------------------------------
# WSL1 translates Linux calls for Windows and names itself "Microsoft" in /proc/version;
# WSL2 runs a real Linux kernel whose release says "microsoft" (e.g. 5.15.153.1-microsoft-
# standard-WSL2).
kernel=$(uname -r)
osrelease=$(cat /proc/sys/kernel/osrelease 2>/dev/null) || osrelease=$kernel
procversion=$(cat /proc/version 2>/dev/null) || procversion=""
if [[ $procversion == *Microsoft* || $osrelease == *Microsoft ]]; then
	FAIL "kernel $osrelease is WSL1, which has no namespaces: use WSL2 (in Windows:" \
		"wsl --set-version DISTRO 2), or the lab's devcontainer (.devcontainer/)"
else
	major=${kernel%%.*} rest=${kernel#*.}
	minor=${rest%%[!0-9]*}
	if ((major > 3 || (major == 3 && minor >= 8))); then
		ok "kernel $kernel"
	else
		FAIL "kernel $kernel: user namespaces need 3.8 or newer; use a newer distribution"
	fi
	if [[ ${osrelease,,} == *microsoft* || ${procversion,,} == *microsoft* ]]; then
		note "WSL2 (kernel $osrelease): a real Linux kernel, the lab runs as on Linux; keep it" \
			"in WSL's own files (~), not under /mnt/c, where builds are slow"
	fi
fi

# --- each namespace type the stages use ------------------------------------------------
# pid: 02-04; ipc, mnt, net, uts: 03-04; user: 03 -U and 04.
missing_ns=""
for ns in pid ipc mnt net uts user; do
	[ -e "/proc/self/ns/$ns" ] || missing_ns="$missing_ns $ns"
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
	local v
	v=$(awk -v k="$1:" '$1 == k { print $2 }' /proc/self/status 2>/dev/null)
	[ -n "$v" ] && (((16#$v >> 21) & 1))
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
		(cd / && "$(readlink -f "$(type -P setpriv)")" --reuid=65534 --regid=65534 --clear-groups "$@")
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
	local who=$1 unshare_bin true_bin
	shift
	unshare_bin=$(readlink -f "$(type -P unshare)")
	true_bin=$(readlink -f "$(type -P true)")
	if [ "$who" = user ]; then
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
	warn "cannot probe namespaces: unshare not found: apt-get install util-linux"
elif $root && ! have setpriv; then
	warn "cannot probe unprivileged user namespaces: setpriv not found: apt-get install util-linux"
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
	FAIL "cc not found: no stage can be built: apt-get install build-essential"
fi
if have make; then
	ok "make: $(make --version 2>/dev/null | head -n 1)"
else
	FAIL "make not found: apt-get install make (or build-essential)"
fi

# bats 1.5 or newer, or a way for `make test` to fetch one (tools/deps.sh).
bats_version() {
	local v
	v=$("$1" --version 2>/dev/null) || return 1
	v=${v#Bats }
	local major=${v%%.*} rest=${v#*.}
	local minor=${rest%%.*}
	[[ $major =~ ^[0-9]+$ && $minor =~ ^[0-9]+$ ]] || return 1
	((major > 1 || (major == 1 && minor >= 5))) || return 1
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
	FAIL "bats 1.5+ not found, and no git or npm to fetch it: apt-get install bats (or npm install -g bats)"
fi

# tool package what-it-costs: warn with the fix when missing.
tool() {
	if have "$1"; then
		ok "$1 ($(command -v "$1"))"
	else
		warn "$1 not found: apt-get install $2 ($3)"
	fi
}
tool strace strace "make trace needs it"
tool ip iproute2 "the demos of stages 03 and 04 use ip link; without it they read /proc/net/dev"
tool ps procps "the demos use ps; without it they list /proc"
tool hostname hostname "the demos of stages 03 and 04 use it"
for t in unshare setpriv nsenter findmnt lsns; do
	tool "$t" util-linux "the observations and some checks use it"
done

# --- which stages run here ---------------------------------------------------------------
# runnable AS: the stages that run as root (AS=root) or as an ordinary user (AS=user).
runnable() {
	local s=""
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
if ((fails)); then
	echo "doctor: $fails FAIL, $warns warn: fix the FAIL lines before the workshop"
	exit 1
fi
echo "doctor: ready ($warns warn)"
