#!/usr/bin/env bats
# The room's laptops before the day: make invite (the set-up email) and make doctor on the
# machines a room brings (macOS, a Linux without /proc, Fedora and the other package managers,
# missing tools). Run: tools/run-tests.sh tests/invite.bats

# shellcheck disable=SC2030,SC2031
# (bats's `run` sets $output for the helpers below to read; shellcheck takes each @test for
# a subshell)

load helpers

# invite [ENV=VALUE...]: bats `run` of tools/invite.sh in the lab (what make invite runs),
# stdout and stderr apart, with the given INVITE_* variables only.
invite() {
	LOG_AS="$* tools/invite.sh" run_logged --separate-stderr \
		env -u INVITE_URL -u INVITE_DATE -u INVITE_CONTACT "$@" "$LAB_ROOT/tools/invite.sh"
}

# copy_with_origin ORIGIN: a git checkout holding tools/invite.sh, whose origin is ORIGIN
# (none if empty); its directory.
copy_with_origin() {
	local d=$BATS_TEST_TMPDIR/checkout
	mkdir -p "$d/tools"
	cp "$LAB_ROOT/tools/invite.sh" "$d/tools/"
	git -C "$d" init -q
	[ -z "$1" ] || git -C "$d" remote add origin "$1"
	echo "$d"
}

# expect_no_local_path TEXT: TEXT names no directory of this machine.
expect_no_local_path() {
	local p
	for p in "$LAB_ROOT" "$BATS_TEST_TMPDIR" "$HOME" /work/ /tmp/; do
		[[ $1 != *"$p"* ]] || fail "the invitation names a path of this machine, $p: $1"
	done
}

@test "invite: make invite names the address, a path for each laptop, the two commands and what to send" {
	lab_out=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$LAB_ROOT" invite \
		URL=https://github.com/example/containers-lab.git DATE='Tuesday 12 May' \
		CONTACT=ada@example.org 2>"$BATS_TEST_TMPDIR/err") || fail "make invite failed: $lab_out"
	local text=$lab_out what
	[ ! -s "$BATS_TEST_TMPDIR/err" ] || fail "make invite wrote to stderr: $(cat "$BATS_TEST_TMPDIR/err")"
	for what in \
		"git clone https://github.com/example/containers-lab.git ~/lab" \
		"The lab: https://github.com/example/containers-lab" \
		"Tuesday 12 May" "ada@example.org" \
		"**Linux laptop** (Debian 12, Ubuntu 22.04 or 24.04, Fedora)" \
		"sudo apt-get install build-essential git procps psmisc iproute2 util-linux strace" \
		"sudo dnf install gcc make git procps-ng iproute util-linux psmisc strace" \
		"make && sudo make apparmor   # Ubuntu 23.10 and 24.04 only" \
		"**macOS or Windows, with Docker Desktop or Podman: the devcontainer.**" \
		"Dev Containers: Reopen in Container" "core.autocrlf=false" \
		"**macOS without Docker: a Lima VM.**" "brew install lima" \
		"limactl start --name=lab --set \".param.LAB=\\\"\$PWD\\\"\" .devcontainer/lima.yaml" \
		"limactl shell lab" \
		"GitHub Codespaces" "https://codespaces.new/example/containers-lab" \
		"**Windows: WSL2.**" "wsl --install -d Debian" \
		"make doctor" "make stage 0" "doctor: ready" "exited with status 0" \
		"make doctor > doctor.txt 2>&1" "Allow 30 minutes" "This builds the lab's image: do it" \
		"builds the VM: do it now" "create the codespace now, at home"; do
		expect_contains "$text" "$what" "the invitation"
	done
	[[ $text != *"<"[A-Z-]*">"* ]] || fail "a placeholder is left although all was given: $text"
	expect_no_local_path "$text"
	# Every command the Lima path types is the one lima.yaml's own header gives.
	grep -qF 'limactl start --name=lab --set ".param.LAB=\"$PWD\"" .devcontainer/lima.yaml' \
		"$LAB_ROOT/.devcontainer/lima.yaml" || fail "lima.yaml gives another limactl start line"
}

@test "invite: without an address, a placeholder in the text and a warning on stderr" {
	local d
	d=$(copy_with_origin "")
	LOG_AS="tools/invite.sh (no origin)" run_logged --separate-stderr \
		env -u INVITE_URL -u INVITE_DATE -u INVITE_CONTACT "$d/tools/invite.sh"
	expect_status 0
	expect_contains "$output" "git clone <REPOSITORY-URL> ~/lab" "the clone line"
	expect_contains "$stderr" "warning: no address for the lab's repository: fill in <REPOSITORY-URL>" "stderr"
	expect_contains "$stderr" "make invite URL=https://" "stderr"
	expect_contains "$output" "before <DATE>" "the date placeholder"
	expect_contains "$output" "send doctor.txt to <CONTACT>" "the contact placeholder"
	expect_no_local_path "$output"
}

@test "invite: an origin that is a path here is not given; an SSH origin is given as https" {
	local d
	d=$(copy_with_origin "$LAB_ROOT")
	run_logged --separate-stderr env -u INVITE_URL "$d/tools/invite.sh"
	expect_contains "$output" "git clone <REPOSITORY-URL> ~/lab" "a path as origin"
	expect_contains "$stderr" "is a path on this machine" "stderr"
	expect_no_local_path "$output"

	rm -rf "$d"
	d=$(copy_with_origin git@github.com:example/containers-lab.git)
	run_logged --separate-stderr env -u INVITE_URL "$d/tools/invite.sh"
	expect_contains "$output" "git clone https://github.com/example/containers-lab.git ~/lab" "an SSH origin"
	expect_contains "$output" "https://codespaces.new/example/containers-lab" "the Codespaces link"
	expect_contains "$stderr" "is an SSH address" "stderr"

	invite INVITE_URL=https://ada:ghp_secret@git.example.org/lab.git
	expect_contains "$output" "git clone https://git.example.org/lab.git ~/lab" "an address with a token"
	[[ $output != *ghp_secret* ]] || fail "the token is in the invitation: $output"
	[[ $output != *codespaces.new* ]] || fail "a Codespaces link for a lab not on GitHub: $output"
	expect_contains "$output" "On the lab's GitHub page" "Codespaces without a link"
}

# --- make doctor on the room's machines ----------------------------------------------------

# fake_bin NAME SCRIPT: an executable NAME in this test's fake bin directory; the directory.
fake_bin() {
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	printf '#!/bin/sh\n%s\n' "$2" >"$BATS_TEST_TMPDIR/bin/$1"
	chmod +x "$BATS_TEST_TMPDIR/bin/$1"
	echo "$BATS_TEST_TMPDIR/bin"
}

# path_without DIR TOOL...: fill DIR with symlinks to every command on PATH but the TOOLs.
path_without() {
	local dir dirs out=$1
	shift
	mkdir -p "$out"
	IFS=: read -ra dirs <<<"$PATH"
	for dir in "${dirs[@]}"; do
		[ -d "$dir" ] && { ln -s "$dir"/* "$out"/ 2>/dev/null || true; }
	done
	for dir in "$@"; do rm -f "$out/$dir"; done
}

# doctor [ENV=VALUE...]: run_logged of tools/doctor.sh under /bin/sh, with the given variables.
doctor() {
	LOG_AS="$* tools/doctor.sh" run_logged env "$@" /bin/sh "$LAB_ROOT/tools/doctor.sh"
}

# expect_not_linux_line SYSTEM: the output is one FAIL line, saying SYSTEM is not Linux
# or has no /proc, and how to get the lab's Linux; no Linux check ran.
expect_not_linux_line() {
	expect_status 1
	expect_eq "$(wc -l <<<"$output")" 1 "lines"
	expect_match "$output" "^FAIL  $1" "the one line"
	local what
	for what in devcontainer "Reopen in Container" "brew install lima" \
		"limactl start --name=lab" "limactl shell lab" "GitHub Codespace" "make doctor there"; do
		expect_contains "$output" "$what" "the one line"
	done
	[[ $output != *"kernel "[0-9]* && $output != *CONFIG_* && $output != *"namespaces:"* ]] ||
		fail "a Linux check ran: $output"
}

@test "doctor: POSIX sh (dash -n, checkbashisms where installed)" {
	requires tool:dash
	run_logged dash -n "$LAB_ROOT/tools/doctor.sh"
	expect_status 0
	head -n 1 "$LAB_ROOT/tools/doctor.sh" | grep -qx '#!/bin/sh' || fail "doctor.sh does not start with #!/bin/sh"
	command -v checkbashisms >/dev/null || skip "checkbashisms not installed (apt-get install devscripts)"
	run_logged checkbashisms "$LAB_ROOT/tools/doctor.sh"
	expect_status 0
}

@test "doctor: on macOS (a Darwin uname), one line: not Linux, use the devcontainer, Lima or Codespaces" {
	local bin
	bin=$(fake_bin uname 'case $1 in -s) echo Darwin ;; -r) echo 23.4.0 ;; *) echo Darwin ;; esac')
	doctor PATH="$bin:$PATH"
	expect_not_linux_line "this is macOS \(Darwin 23\.4\.0\), not Linux"
	command -v dash >/dev/null || return 0
	LOG_AS="dash tools/doctor.sh (Darwin)" run_logged env PATH="$bin:$PATH" dash "$LAB_ROOT/tools/doctor.sh"
	expect_not_linux_line "this is macOS"
}

@test "doctor: without /proc, one line and no Linux check (DOCTOR_PROC, and /proc hidden when root)" {
	doctor DOCTOR_PROC="$BATS_TEST_TMPDIR/no-proc"
	expect_not_linux_line "no /proc at "
	[ "$(id -u)" = 0 ] && command -v unshare >/dev/null ||
		skip "the run with the real /proc hidden needs root and unshare (the DOCTOR_PROC run passed)"
	LOG_AS="unshare -m: tmpfs over /proc; tools/doctor.sh" run_logged unshare --mount sh -c \
		'mount -t tmpfs lab-no-proc /proc && exec /bin/sh "$0"/tools/doctor.sh' "$LAB_ROOT"
	expect_not_linux_line "no /proc at /proc"
}

@test "doctor: on Fedora (DOCTOR_OS_RELEASE), Fedora's package names and one dnf line for what is missing" {
	local rel=$BATS_TEST_TMPDIR/os-release p=$BATS_TEST_TMPDIR/path
	printf '%s\n' 'NAME="Fedora Linux"' 'VERSION_ID=40' 'ID=fedora' \
		'PRETTY_NAME="Fedora Linux 40 (Workstation Edition)"' >"$rel"
	path_without "$p" pstree pgrep ps ip nsenter lsns strace
	doctor DOCTOR_OS_RELEASE="$rel" PATH="$p"
	expect_contains "$output" "note  Fedora Linux 40 (Workstation Edition): the package names below are its own (dnf)" "the distribution"
	expect_contains "$output" "warn  pstree not found: dnf install psmisc" "pstree"
	expect_contains "$output" "warn  pgrep not found: dnf install procps-ng" "pgrep"
	expect_contains "$output" "warn  ip not found: dnf install iproute " "ip"
	expect_contains "$output" "warn  nsenter not found: dnf install util-linux" "nsenter"
	expect_contains "$output" "note  what is missing, in one command: sudo dnf install psmisc procps-ng iproute util-linux strace" \
		"the one install line"
	[[ $output != *apt-get* ]] || fail "Debian's installer named on Fedora: $output"
}

@test "doctor: openSUSE, Arch and Debian get their own installer and names" {
	local rel=$BATS_TEST_TMPDIR/os-release p=$BATS_TEST_TMPDIR/path
	path_without "$p" pstree hostname ip
	printf '%s\n' 'ID="opensuse-tumbleweed"' 'ID_LIKE="opensuse suse"' >"$rel"
	doctor DOCTOR_OS_RELEASE="$rel" PATH="$p"
	expect_contains "$output" "sudo zypper install psmisc iproute2 hostname" "openSUSE"
	printf '%s\n' 'ID=arch' 'PRETTY_NAME="Arch Linux"' >"$rel"
	doctor DOCTOR_OS_RELEASE="$rel" PATH="$p"
	expect_contains "$output" "sudo pacman -S psmisc iproute2 inetutils" "Arch"
	printf '%s\n' 'ID=ubuntu' 'ID_LIKE=debian' 'PRETTY_NAME="Ubuntu 24.04 LTS"' >"$rel"
	doctor DOCTOR_OS_RELEASE="$rel" PATH="$p"
	expect_contains "$output" "warn  pstree not found: apt-get install psmisc" "Ubuntu"
	expect_contains "$output" "sudo apt-get install psmisc iproute2 hostname" "Ubuntu"
	[[ $output != *"the package names below"* ]] || fail "a note for Debian's own names: $output"
}

@test "doctor: each tool the workshop paths use, missing, is named with the stages that need it" {
	local p=$BATS_TEST_TMPDIR/path
	path_without "$p" pstree pgrep ps ip nsenter lsns strace
	doctor PATH="$p"
	expect_status 0
	expect_match "$output" $'(^|\n)warn  pstree not found: [^\n]*stages 00 and 01' "pstree"
	expect_match "$output" $'(^|\n)warn  pgrep not found: [^\n]*stages 00, 03 and 04' "pgrep"
	expect_match "$output" $'(^|\n)warn  ps not found: [^\n]*stages 01-04' "ps"
	expect_match "$output" $'(^|\n)warn  ip not found: [^\n]*stages 03 and 04' "ip"
	expect_match "$output" $'(^|\n)warn  nsenter not found: [^\n]*stage 03' "nsenter"
	expect_match "$output" $'(^|\n)warn  lsns not found: [^\n]*stages 02-04' "lsns"
	expect_match "$output" $'(^|\n)warn  strace not found: [^\n]*make trace' "strace"
	# and with the full PATH, none that this machine has is reported missing
	local t
	doctor
	for t in pstree pgrep ps ip nsenter lsns strace; do
		! command -v "$t" >/dev/null || [[ $output != *"$t not found"* ]] ||
			fail "$t reported missing with the full PATH: $output"
	done
}

@test "devcontainer: USER is set (containerEnv, remoteEnv and the image's ENV), as the paths assume" {
	local json=$LAB_ROOT/.devcontainer/devcontainer.json
	grep -qE '"containerEnv": \{ "USER": "lab" \}' "$json" || fail "devcontainer.json: no containerEnv USER=lab"
	grep -qE '"remoteEnv": \{ "USER": "lab" \}' "$json" || fail "devcontainer.json: no remoteEnv USER=lab"
	grep -qE '"(containerUser|remoteUser)": "lab"' "$json" || fail "devcontainer.json: the user is not lab"
	grep -qx 'ENV USER=lab' "$LAB_ROOT/.devcontainer/Dockerfile" || fail "Dockerfile: no ENV USER=lab"
	grep -qx 'USER lab' "$LAB_ROOT/.devcontainer/Dockerfile" || fail "Dockerfile: the user is not lab"
}
