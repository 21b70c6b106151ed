#!/usr/bin/env bats
# The lab's AppArmor grant (tools/apparmor.sh, tools/apparmor/containers-lab): what the
# profile grants and to what, read from its text (this runs anywhere); the profile parsed by
# apparmor_parser 4 where there is one; and `sudo make apparmor [BIN=]` / `apparmor-remove`
# run as root into a scratch DESTDIR, so /etc/apparmor.d and /usr/local stay untouched.
# No check here loads a profile (that needs a kernel with AppArmor and the restriction, as
# Ubuntu 24.04's): what a loaded grant does is checked through the profile's own rules.
# Run: tools/run-tests.sh tests/apparmor.bats        (make test runs it)
#   APPARMOR_PARSER=path   the apparmor_parser (4.0 or newer) to parse with, when the one on
#                          PATH is older (Debian 12 has 3.0.8) or missing
#
# shellcheck disable=SC2030,SC2031
# (bats's `run` sets $status and $output; shellcheck takes each @test for a subshell.)

load helpers

STAGES="00-fork-exec/fork-exec 01-exec-replace/exec-replace 02-clone-pid/clone-pid
03-multi-ns/multi-ns 04-pipe-sync/pipe-sync"
COPIES=/usr/local/lib/containers-lab

# exec_rule_problems: read a profile's text on stdin; print one line per problem with its
# exec rules, nothing when there is none. The rules it holds the text to:
# - no profile is flags=(unconfined) (an unconfined profile ignores its exec rules: what
#   it runs keeps it, userns and all), and none includes a site file (<local/...>) that
#   could widen it;
# - a profile that allows userns (bare `userns,` or `allow userns,`) or capabilities
#   executes nothing in place: each of its exec rules is px/Px/cx/Cx with a named target
#   (no i, u or U: no inherit, no unconfined fallback), and the target, or one profile of
#   its stack (A//&B), is a profile of this file that denies userns and capability and
#   allows neither;
# - such a target profile's own exec rules keep it (ix, or a transition back to itself).
exec_rule_problems() {
	awk '
	function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t,]+$/, "", s); return s }
	# profile NAME [ATTACHMENT] [flags=(...)] {
	/^[ \t]*profile[ \t]+[^ \t]+/ {
		name = $2; n++; names[n] = name; cur = name
		if ($0 ~ /flags=\([^)]*unconfined/) print "profile " name " is flags=(unconfined)"
		next
	}
	/^[ \t]*}/ { cur = ""; next }
	cur == "" { next }
	/^[ \t]*#/ { next }
	/include[ \t]+if[ \t]+exists[ \t]+<local\// { print "profile " cur " includes a site file: " trim($0) }
	{
		line = trim($0); words = line
		gsub(/^((allow|audit|deny|owner|file)[ \t]+)+/, "", words)
		denied = (line ~ /^(audit[ \t]+)?deny[ \t]/)
		if (words ~ /^userns( create)?$/ && !denied) grants[cur] = 1
		if (words ~ /^capability([ \t]|$)/ && !denied) { grants[cur] = 1; caps[cur] = 1 }
		if (words ~ /^userns( create)?$/ && denied) nouserns[cur] = 1
		if (words == "capability" && denied) nocaps[cur] = 1
		if (denied) next
		# An exec rule: a permission word holding x, before or after the path.
		split(words, w, /[ \t]+/)
		mode = ""
		for (i = 1; i <= 2; i++) if (w[i] ~ /^[rwlkmaixpcuPCU]*x$/ && w[i] ~ /[rwlkmaixpcuPCU]/) mode = w[i]
		if (mode == "") next
		target = ""
		if (match(line, /->[ \t]*[^ \t,]+/)) { target = substr(line, RSTART + 2, RLENGTH - 2); target = trim(target) }
		nx++; xprof[nx] = cur; xmode[nx] = mode; xtarget[nx] = target; xline[nx] = line
	}
	END {
		for (i = 1; i <= nx; i++) {
			p = xprof[i]; m = xmode[i]; t = xtarget[i]
			if (grants[p]) {
				if (m ~ /[iuU]/ || m !~ /[pPcC]x$/ || t == "") {
					print "profile " p " grants userns or capabilities and its exec rule keeps them: " xline[i]
					continue
				}
				k = split(t, comp, /\/\/&|^&/)
				ok = 0
				for (j = 1; j <= k; j++) {
					c = comp[j]
					if (c != "" && nouserns[c] && nocaps[c] && !grants[c]) { ok = 1; if (!child[c]) nchild++; child[c] = 1 }
				}
				if (!ok) print "profile " p " sends its children to " t ", which does not deny userns and capability: " xline[i]
			}
		}
		for (i = 1; i <= nx; i++) {
			p = xprof[i]
			if (!child[p]) continue
			if (xmode[i] != "ix" && !(xtarget[i] ~ ("(^|&)" p "$"))) print "profile " p " (for the children) lets them leave: " xline[i]
		}
		if (!nchild) print "no profile for the children (one that denies userns and capability)"
	}'
}

@test "apparmor: the profile's exec rules: the granted programs' children run without userns or capabilities" {
	LOG_AS="tools/apparmor.sh profile | exec_rule_problems" run_logged -0 \
		bash -c '"$0"/tools/apparmor.sh profile' "$LAB_ROOT"
	local text=$output problems
	problems=$(exec_rule_problems <<<"$text")
	expect_eq "$problems" "" "problems with the exec rules"
	# One profile attaches, to exactly the five root-owned copies; the other is for children.
	expect_eq "$(grep -c '^profile ' <<<"$text")" 2 "profiles"
	expect_match "$text" $'\n''profile containers-lab @\{granted\} flags=\(attach_disconnected\) \{' "the granted profile"
	expect_match "$text" $'\n''profile containers-lab-command flags=\(attach_disconnected\) \{' \
		"the children's profile (no attachment: only a transition reaches it)"
	local want=() p
	for p in $STAGES; do want+=("$COPIES/$p"); done
	expect_eq "$(sed -n 's/^@{granted}=//p' <<<"$text")" "${want[*]}" "the attached paths"
	expect_eq "$(sed -n 's/^@{lab_copies}=//p' <<<"$text")" "$COPIES" "where the copies are"
	expect_contains "$text" "  allow px /** -> containers-lab//&containers-lab-command," "the one exec rule of the grant"
}

@test "apparmor: the exec-rule check rejects the old profile, ix, unconfined and a target with userns" {
	local good bad problems
	good=$("$LAB_ROOT/tools/apparmor.sh" profile)
	# The profile of before: flags=(unconfined) + userns, no exec rules (every COMMAND kept it).
	problems=$(exec_rule_problems <<<'profile containers-lab-fork-exec /lab/00-fork-exec/fork-exec flags=(unconfined) {
  userns,
  include if exists <local/containers-lab-fork-exec>
}')
	expect_contains "$problems" "is flags=(unconfined)" "the old profile"
	expect_contains "$problems" "includes a site file" "the old profile's local include"
	for bad in 's|allow px /\*\* -> containers-lab//&containers-lab-command,|allow ix /**,|' \
		's|allow px /\*\* -> containers-lab//&containers-lab-command,|allow pix /** -> containers-lab-command,|' \
		's|allow px /\*\* -> containers-lab//&containers-lab-command,|allow /** Ux,|' \
		's|allow px /\*\* -> containers-lab//&containers-lab-command,|allow px /**,|' \
		's|  audit deny userns,|  allow userns,|' \
		's|  audit deny capability,|  allow capability,|' \
		's|  allow ix /\*\*,|  allow /** ux,|' \
		's|flags=(attach_disconnected) {|flags=(unconfined) {|'; do
		problems=$(sed "$bad" <<<"$good" | exec_rule_problems)
		[ -n "$problems" ] || fail "the check let this change pass: sed '$bad'"
	done
}

# need_parser: PARSER, the apparmor_parser to use, 4.0 or newer; skips (with why) if none.
need_parser() {
	local p=${APPARMOR_PARSER:-apparmor_parser} v
	command -v "$p" >/dev/null ||
		skip "needs apparmor_parser 4.0 or newer (Ubuntu 24.04, Debian 13; or APPARMOR_PARSER=path)"
	v=$("$p" --version 2>/dev/null | head -n 1)
	[[ $v =~ version\ ([4-9]|[1-9][0-9])\. ]] ||
		skip "needs apparmor_parser 4.0 or newer, which knows the userns rule (this one: ${v:-no version}; APPARMOR_PARSER=path)"
	PARSER=$p
}

@test "apparmor: the profile parses (apparmor_parser 4 -Q): containers-lab and containers-lab-command" {
	local p PARSER
	need_parser
	p=$PARSER
	LOG_AS="tools/apparmor.sh profile | $p -Q -K -N" run_logged --separate-stderr \
		bash -c '"$0"/tools/apparmor.sh profile | "$1" -Q -K -N' "$LAB_ROOT" "$p"
	expect_status 0
	expect_eq "$(sort <<<"$output" | tr '\n' ' ')" "containers-lab containers-lab-command " "the profiles"
	# And a mistake in a userns rule is caught: the parser does read those rules.
	run_logged --separate-stderr bash -c '"$0"/tools/apparmor.sh profile |
		sed "s/audit deny userns,/audit deny userns bogus,/" | "$1" -Q -K' "$LAB_ROOT" "$p"
	[ "$status" != 0 ] || fail "apparmor_parser took 'userns bogus,'"
}

# built: skip unless the five stage programs are built (make, as the user).
built() {
	local p
	for p in $STAGES; do
		[ -x "$LAB_ROOT/$p" ] || skip "needs the stages built (make)"
	done
}

@test "apparmor: sudo make apparmor DESTDIR=: root-owned 0755 copies, a profile naming exactly them; apparmor-remove takes all away" {
	requires root
	built
	local d=$BATS_TEST_TMPDIR/root p want=()
	run_logged -0 make -s -C "$LAB_ROOT" apparmor DESTDIR="$d"
	for p in $STAGES; do
		want+=("$COPIES/$p")
		expect_eq "$(stat -c '%u %g %a' "$d$COPIES/$p")" "0 0 755" "owner, group, mode of the copy of $p"
		cmp -s "$LAB_ROOT/$p" "$d$COPIES/$p" || fail "the copy of $p differs from the lab's"
		expect_eq "$(stat -c '%u %a' "$d$COPIES/${p%/*}")" "0 755" "owner, mode of $COPIES/${p%/*}"
	done
	expect_eq "$(stat -c '%u %a' "$d$COPIES")" "0 755" "owner, mode of $COPIES"
	expect_eq "$(stat -c '%u %a' "$d/etc/apparmor.d/containers-lab")" "0 644" "owner, mode of the profile"
	expect_eq "$(sed -n 's/^@{granted}=//p' "$d/etc/apparmor.d/containers-lab")" "${want[*]}" "the granted paths"
	expect_eq "$(exec_rule_problems <"$d/etc/apparmor.d/containers-lab")" "" "problems with the exec rules"
	expect_contains "$output" "granted until sudo make apparmor-remove" "what it says"
	expect_eq "$(DESTDIR=$d "$LAB_ROOT/tools/apparmor.sh" status)" "unknown ${want[*]}" "status (no AppArmor here)"
	# Again: the same (a second run replaces the copies in place).
	run_logged -0 make -s -C "$LAB_ROOT" apparmor DESTDIR="$d"
	expect_eq "$(find "$d$COPIES" -type f | wc -l)" 5 "files under $COPIES"
	run_logged -0 make -s -C "$LAB_ROOT" apparmor-remove DESTDIR="$d"
	[ ! -e "$d$COPIES" ] || fail "left behind: $(find "$d$COPIES")"
	[ ! -e "$d/etc/apparmor.d/containers-lab" ] || fail "the profile is left"
	expect_eq "$(DESTDIR=$d "$LAB_ROOT/tools/apparmor.sh" status)" "none" "status after remove"
	run_logged -0 make -s -C "$LAB_ROOT" apparmor-remove DESTDIR="$d"
	expect_contains "$output" "nothing to remove" "a second remove"
}

@test "apparmor: sudo make apparmor BIN=: a root-owned granted copy at LIBDIR/mine/NAME; a script is refused" {
	requires root
	built
	local d=$BATS_TEST_TMPDIR/root mine=$BATS_TEST_TMPDIR/mine
	mkdir -p "$mine" && chmod 1777 "$BATS_TEST_TMPDIR" "$mine"
	cp "$LAB_ROOT/04-pipe-sync/pipe-sync" "$mine/pipe-sync"
	chown 65534:65534 "$mine/pipe-sync" && chmod 4777 "$mine/pipe-sync"
	run_logged -0 make -s -C "$LAB_ROOT" apparmor DESTDIR="$d" BIN="$mine/pipe-sync"
	expect_eq "$(stat -c '%u %g %a' "$d$COPIES/mine/pipe-sync")" "0 0 755" "the copy: root's, 0755, no set-user-ID"
	expect_eq "$(sed -n 's/^@{granted}=//p' "$d/etc/apparmor.d/containers-lab")" "$COPIES/mine/pipe-sync" "the granted paths"
	printf '#!/bin/sh\nexec sh\n' >"$mine/shell" && chmod 755 "$mine/shell"
	run_logged make -s -C "$LAB_ROOT" apparmor DESTDIR="$d" BIN="$mine/shell"
	[ "$status" != 0 ] || fail "a script was granted"
	expect_contains "$output" "not a compiled program (an ELF file)" "why"
	[ ! -e "$d$COPIES/mine/shell" ] || fail "the script was copied"
	run_logged -0 make -s -C "$LAB_ROOT" apparmor-remove DESTDIR="$d"
	[ ! -e "$d$COPIES" ] || fail "left behind: $(find "$d$COPIES")"
}

@test "apparmor: a lab under a 1777 directory is copied; a LIBDIR under one, or not root's, is refused" {
	requires root
	built
	local lab=$BATS_TEST_TMPDIR/lab d=$BATS_TEST_TMPDIR/root p lib
	chmod 1777 "$BATS_TEST_TMPDIR"
	mkdir -p "$lab/tools"
	cp -r "$LAB_ROOT/tools/apparmor.sh" "$LAB_ROOT/tools/apparmor" "$lab/tools/"
	for p in $STAGES; do mkdir -p "$lab/${p%/*}" && cp "$LAB_ROOT/$p" "$lab/$p"; done
	chmod -R a+w "$lab"
	run_logged -0 env DESTDIR="$d" "$lab/tools/apparmor.sh" install
	for p in $STAGES; do
		expect_eq "$(stat -c '%u %a' "$d$COPIES/$p")" "0 755" "the copy of $p"
	done
	# Where the copies go must be root's all the way up: /tmp-like, a user's, a symlink.
	mkdir -p "$BATS_TEST_TMPDIR/users" "$BATS_TEST_TMPDIR/safe" && chown 65534 "$BATS_TEST_TMPDIR/users"
	chmod 755 "$BATS_TEST_TMPDIR/users" "$BATS_TEST_TMPDIR/safe"
	ln -s / "$BATS_TEST_TMPDIR/safe/link"
	for lib in "$BATS_TEST_TMPDIR/lib" "$BATS_TEST_TMPDIR/users/lib" "$BATS_TEST_TMPDIR/safe/link/lib"; do
		rm -rf "$d"
		run_logged env DESTDIR="$d" LIBDIR="$lib" "$lab/tools/apparmor.sh" install
		[ "$status" != 0 ] || fail "LIBDIR=$lib was taken"
		expect_match "$output" "(writable by someone other than|is not a plain directory)" "why, for LIBDIR=$lib"
		[ ! -e "$d/etc/apparmor.d/containers-lab" ] || fail "a profile was written for LIBDIR=$lib"
	done
	expect_contains "$output" "$BATS_TEST_TMPDIR/safe/link" "the symbolic link named"
}

@test "apparmor: make apparmor as an ordinary user says sudo; where the kernel does not restrict, it changes nothing" {
	requires unpriv
	local restrict
	as_unpriv test -x "$LAB_ROOT/tools/apparmor.sh" ||
		skip "the lab's tree is out of the unprivileged user's reach (a 0700 home): clone it elsewhere"
	restrict=$(cat /proc/sys/kernel/apparmor_restrict_unprivileged_userns 2>/dev/null) || restrict=""
	run_logged as_unpriv env DESTDIR=/nonexistent "$LAB_ROOT/tools/apparmor.sh" install
	expect_status 1
	expect_contains "$output" "sudo make apparmor" "the hint"
	[ "$restrict" != 1 ] || skip "this kernel restricts user namespaces: without DESTDIR it would install for real"
	run_logged -0 env LIBDIR="$BATS_TEST_TMPDIR/never" "$LAB_ROOT/tools/apparmor.sh" install
	expect_contains "$output" "not needed here" "what it says"
	[ ! -e "$BATS_TEST_TMPDIR/never" ] || fail "it made $BATS_TEST_TMPDIR/never"
}
