#!/usr/bin/env bash
# container-test.sh: `make container-test`, the devcontainer tried on this machine. It builds
# .devcontainer/Dockerfile with podman or docker (the first that answers, not just the first
# installed), then runs, each in a fresh container holding a copy of this lab:
#
#   1. make test, privileged, as root
#   2. make test, privileged, as the image's ordinary user (lab)
#   3. make doctor, NOT privileged, as root: it must say that the container lacks the
#      privilege namespaces need (its exit status is 1 there, as it should be)
#
# The whole output of each run goes to .container-test/NAME.log; here, the failing checks
# and the summary lines. Exit status: 0 when all three went as they should.
#
# Settings (environment or make variables):
#   CONTAINER_ENGINE        podman or docker (default: the first of the two that works)
#   CONTAINER_FLAGS         extra flags for every build and run, e.g. on a VM with hybrid
#                           cgroups: --runtime runc --cgroup-manager cgroupfs
#   CONTAINER_BUILD_FLAGS   extra flags for the build only, e.g. --network=host when the
#                           build's apt-get cannot reach Debian's mirror from its own network
#
# With no image registry reachable, give the engine the Dockerfile's base image yourself, a
# Debian 12 made by debootstrap (as root, outside the lab's tree):
#   apt-get install debootstrap podman
#   debootstrap --variant=minbase bookworm /var/tmp/bookworm
#   tar -C /var/tmp/bookworm -c . | podman import - docker.io/library/debian:bookworm
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
image=localhost/containers-lab-dev
user=lab
logs=$here/.container-test
read -ra flags <<<"${CONTAINER_FLAGS:-}"
read -ra build_flags <<<"${CONTAINER_BUILD_FLAGS:-}"

say() { echo "container-test: $*"; }

# The engine: the one asked for, else podman, else docker, if it answers (a docker client
# without a daemon does not).
engine=""
for e in ${CONTAINER_ENGINE:-podman docker}; do
	if command -v "$e" >/dev/null && "$e" info >/dev/null 2>&1; then
		engine=$e
		break
	fi
done
if [ -z "$engine" ]; then
	say "no working container engine (${CONTAINER_ENGINE:-podman or docker}): apt-get install podman," \
		"or start docker's daemon"
	exit 1
fi

# podman 4 gives a container high open-file and process limits by default (nofile 1048576),
# above what podman itself may hand on where the host's limits are fixed lower (some VMs):
# runc then fails with "error setting rlimits". Unless CONTAINER_FLAGS sets them, the
# containers get 1024 of each, plenty for the lab.
if [ "$engine" = podman ] && [[ " ${flags[*]} " != *" --ulimit"* ]]; then
	flags+=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
fi

# show ARG...: print a command as it will run.
show() {
	printf '$'
	printf ' %q' "$@"
	printf '\n'
}

base=$(awk 'toupper($1) == "FROM" { print $2; exit }' "$here/.devcontainer/Dockerfile")
if ! "$engine" image inspect "$base" >/dev/null 2>&1; then
	say "the base image $base is not here: the build will try to pull it. With no registry," \
		"import a debootstrap'd Debian 12 under that name (see the top of tools/container-test.sh)."
fi

say "building $image with $engine"
mkdir -p "$logs"
build=("$engine" build "${flags[@]}" "${build_flags[@]}" -t "$image" -f "$here/.devcontainer/Dockerfile"
	"$here/.devcontainer")
show "${build[@]}"
if ! "${build[@]}" >"$logs/build.log" 2>&1; then
	tail -n 20 "$logs/build.log"
	say "the build failed (whole log: .container-test/build.log). If its apt-get could not reach" \
		"the mirror: CONTAINER_BUILD_FLAGS=--network=host"
	exit 1
fi
ready=$(grep -h 'provision.sh: ready' "$logs/build.log" | tail -n 1)
say "built ${ready:-(every step from the cache)}"

# Inside, the lab is mounted read-only (the host's files and build output stay as they are):
# inside.sh copies it, without its build output, and runs the command in the copy.
cat >"$logs/inside.sh" <<'INSIDE'
set -e
mkdir -p ~/lab
tar -C /lab-src --exclude=./.git --exclude=./.deps --exclude=./.san --exclude=./.bench \
	--exclude=./.lint --exclude=./.container-test -cf - . | tar -C ~/lab -xf -
cd ~/lab
make -s clean >/dev/null
exec "$@"
INSIDE

# run NAME WHO PRIVILEGED COMMAND...: COMMAND in a new container as WHO; output to NAME.log.
run() {
	local name=$1 who=$2 priv=() cmd
	[ "$3" = yes ] && priv=(--privileged)
	shift 3
	cmd=("$engine" run --rm --init "${priv[@]}" "${flags[@]}" --user "$who" -v "$here:/lab-src:ro"
		"$image" bash /lab-src/.container-test/inside.sh "$@")
	show "${cmd[@]}"
	"${cmd[@]}" >"$logs/$name.log" 2>&1
}

# test_run NAME WHO: make test, privileged, as WHO. Prints the failures and the summary line.
ok=true
summary=()
test_run() {
	local start=$SECONDS rc line
	say "make test, privileged, as $2"
	run "$1" "$2" yes make test
	rc=$?
	grep -E '^not ok ' "$logs/$1.log"
	line=$(grep -E '^bats: [0-9]+ passed' "$logs/$1.log" | tail -n 1)
	line="privileged, as $2: ${line:-no bats summary line (see .container-test/$1.log)}, exit $rc, $((SECONDS - start)) s"
	say "$line"
	summary+=("$line")
	[ "$rc" = 0 ] || ok=false
}

test_run root-privileged root
test_run user-privileged "$user"

# make doctor without privilege: its diagnosis is the point; it must name the container and
# the fix.
say "make doctor, not privileged, as root"
run doctor-unprivileged root no make -s doctor
rc=$?
cat "$logs/doctor-unprivileged.log"
diag=$(grep -E '^FAIL +inside a container' "$logs/doctor-unprivileged.log" | head -n 1)
if [ "$rc" != 0 ] && [[ $diag == *--privileged* ]]; then
	summary+=("not privileged, make doctor: exit $rc, and it says: ${diag#FAIL  }")
else
	summary+=("not privileged, make doctor: exit $rc, but no 'FAIL inside a container ... --privileged' line")
	ok=false
fi

echo
for line in "${summary[@]}"; do say "$line"; done
if $ok; then
	say "passed ($engine; logs in .container-test/)"
else
	say "FAILED ($engine; logs in .container-test/)"
	exit 1
fi
