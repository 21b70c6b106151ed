#!/usr/bin/env bash
# answers.bash: run the commands of instructor/answers.md and compare their output with the
# output written there. Loaded by tests/answers.bats; also usable alone:
#   bash tests/answers.bash [SECTION]     print each block's commands, outputs and verdicts
#
# The convention (the same as the READMEs' transcripts): a ```console block holds commands
# and their output. A line starting with `$ ` is a command for an ordinary user, `# ` one for
# root; a line starting with `> ` continues the command above; the lines after a command up to
# the next command are its output (stdout and stderr together, in the order written). A line
# `...` in an output stands for any number of lines. A block right after a line
# `<!-- unattended: REASON -->` is not run; after `<!-- needs: TOOL -->` it runs only where
# TOOL is installed; after `<!-- any order: REASON -->` its lines are compared sorted (for
# output that races, such as a parent's and a child's lines). Commands run from the lab's top directory, each in a fresh `bash -c`.
# Before comparing, both sides are normalised: numbers of 3 or more digits (PIDs, inodes,
# uids, sizes) become N except after "exit " or "status ", decimals become D, hex strings of
# 12 or more digits become HEX, the ordinary user's name becomes USER, the lab's directory
# ~/lab, and runs of blanks one space.

ANSWERS_MD=${ANSWERS_MD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/instructor/answers.md}

# answers_blocks FILE: the console blocks of FILE, one record a line:
#   @block LINE SECTION...   a block starting at LINE, under the `## ` heading SECTION
#   @skip REASON | @needs TOOL | @anyorder
#   $CMD | #CMD | >CONTINUATION | |OUTPUT   (a command for a user, for root; output)
#   @end
answers_blocks() {
	awk '
		/^## / { section = substr($0, 4) }
		/^<!-- unattended:/ { mark = "@skip " $0; next }
		/^<!-- any order:/ { mark = "@anyorder"; next }
		/^<!-- needs:/ { t = $0; sub(/^<!-- needs: */, "", t); sub(/ *-->.*/, "", t); mark = "@needs " t; next }
		/^```console/ { inblock = 1; print "@block " NR " " section; if (mark != "") print mark; mark = ""; next }
		/^```/ && inblock { inblock = 0; print "@end"; next }
		inblock && /^\$ / { print "$" substr($0, 3); next }
		inblock && /^# / { print "#" substr($0, 3); next }
		inblock && /^> / { print ">" substr($0, 3); next }
		inblock { print "|" $0; next }
		/^[[:space:]]*$/ { next }
		{ mark = "" }
	' "$1"
}

# answers_normalise [LABDIR [USERNAME]]: stdin to stdout, as described above.
answers_normalise() {
	local lab=${1:-/nonexistent-lab} user=${2:-participant}
	sed -e 's/\t/ /g' -e 's/─/-/g' | awk -v lab="$lab" '
		function numbers(s,   out, pre, m) {
			out = ""
			while (match(s, /[0-9][0-9][0-9]+/)) {
				pre = substr(s, 1, RSTART - 1)
				m = substr(s, RSTART, RLENGTH)
				if (pre ~ /(exit|status) $/ || pre ~ /[A-Za-z_]$/) out = out pre m
				else out = out pre "N"
				s = substr(s, RSTART + RLENGTH)
			}
			return out s
		}
		{
			line = $0
			if (lab != "") { n = index(line, lab); while (n > 0) { line = substr(line, 1, n - 1) "~/lab" substr(line, n + length(lab)); n = index(line, lab) } }
			gsub(/(0x)?[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]+/, "HEX", line)
			gsub(/[0-9]+\.[0-9]+/, "D", line)
			print numbers(line)
		}' | awk -v user="$user" '
		{
			line = $0
			# the user name, as a word: the runner'"'"'s, the docs'"'"' "participant", uid 65534'"'"'s "nobody"
			n = split("participant nobody " user, names, " ")
			for (k = 1; k <= n; k++) {
				s = line; out = ""
				while ((p = index(s, names[k])) > 0) {
					b = p > 1 ? substr(s, p - 1, 1) : ""
					a = substr(s, p + length(names[k]), 1)
					if (b !~ /[A-Za-z0-9_]/ && a !~ /[A-Za-z0-9_]/) out = out substr(s, 1, p - 1) "USER"
					else out = out substr(s, 1, p - 1 + length(names[k]))
					s = substr(s, p + length(names[k]))
				}
				line = out s
			}
			gsub(/[ ]+/, " ", line); sub(/^ /, "", line); sub(/ $/, "", line)
			print line
		}'
}

# answers_match EXPECTED ACTUAL: 0 when the normalised lines agree, `...` matching any run
# of lines (none included). Both arguments are files of normalised lines.
answers_match() {
	awk '
		NR == FNR { want[++nw] = $0; next }
		{ got[++ng] = $0 }
		function m(i, j,   k) {
			if (i > nw) return j > ng
			if (want[i] == "...") { for (k = j; k <= ng + 1; k++) if (m(i + 1, k)) return 1; return 0 }
			if (j > ng || want[i] != got[j]) return 0
			return m(i + 1, j + 1)
		}
		END { while (nw > 0 && want[nw] == "") nw--; while (ng > 0 && got[ng] == "") ng--; exit m(1, 1) ? 0 : 1 }
	' "$1" "$2"
}

# answers_lab: the lab tree the commands run in. As root, a copy that uid 65534 can read
# (the ordinary user's commands run as that uid); otherwise the lab itself.
answers_lab() {
	local root=$1 tmp
	if [ "$(id -u)" != 0 ]; then
		echo "$root"
		return
	fi
	tmp=$(mktemp -d /tmp/lab-answers.XXXXXX)
	chmod 755 "$tmp"
	(cd "$root" && cp -a Makefile README.md LESSONS.md common instructor tools [0-9][0-9]-* "$tmp"/)
	chmod -R a+rX "$tmp"
	echo "$tmp"
}

# answers_run KIND LABDIR CMD: run CMD (KIND `$`: as an ordinary user, `#`: as root) from
# LABDIR, stdout and stderr together; at most 120 s.
answers_run() {
	local kind=$1 lab=$2 cmd=$3
	if [ "$kind" = '#' ] || [ "$(id -u)" != 0 ]; then
		(cd "$lab" && USER=$(id -un) timeout -k 5 120 bash -c "$cmd" 2>&1 </dev/null)
	else
		(cd "$lab" && USER=nobody HOME=/nonexistent timeout -k 5 120 \
			setpriv --reuid=65534 --regid=65534 --clear-groups bash -c "$cmd" 2>&1 </dev/null)
	fi
}

# answers_check SECTION_PREFIX LABDIR: run every block under the `## ` headings that start
# with SECTION_PREFIX; print a report; counters in ANSWERS_RUN, ANSWERS_SKIPPED,
# ANSWERS_FAILED. Non-zero when a block's output differs.
answers_check() {
	local prefix=$1 lab=$2 runner='nobody' line sect='' start='' skip='' anyorder=0 rc=0
	local -a cmds=() kinds=() outs=()
	[ "$(id -u)" = 0 ] || runner=$(id -un)
	ANSWERS_RUN=0 ANSWERS_SKIPPED=0 ANSWERS_FAILED=0
	local tmpd
	tmpd=$(mktemp -d)
	while IFS= read -r line; do
		case $line in
		'@block '*)
			start=${line#@block }; sect=${start#* }; start=${start%% *}
			skip='' anyorder=0 cmds=() kinds=() outs=() ;;
		'@skip '*) skip="unattended" ;;
		'@anyorder') anyorder=1 ;;
		'@needs '*) command -v "${line#@needs }" >/dev/null || skip="needs ${line#@needs }" ;;
		'$'* | '#'*)
			kinds+=("${line:0:1}"); cmds+=("${line:1}"); outs+=("") ;;
		'>'*) cmds[${#cmds[@]} - 1]+=$'\n'"${line:1}" ;;
		'|'*) outs[${#outs[@]} - 1]+="${line:1}"$'\n' ;;
		'@end')
			[[ $sect == "$prefix"* ]] || continue
			if [ -z "$skip" ] && [ "$(id -u)" != 0 ] && [[ " ${kinds[*]} " == *'#'* ]]; then
				skip="needs root"
			fi
			if [ -n "$skip" ]; then
				ANSWERS_SKIPPED=$((ANSWERS_SKIPPED + 1))
				echo "# line $start: not run ($skip)"
				continue
			fi
			ANSWERS_RUN=$((ANSWERS_RUN + 1))
			local i
			for i in "${!cmds[@]}"; do
				printf '%s' "${outs[$i]}" | answers_normalise "$lab" "$runner" >"$tmpd/want"
				answers_run "${kinds[$i]}" "$lab" "${cmds[$i]}" >"$tmpd/raw"
				answers_normalise "$lab" "$runner" <"$tmpd/raw" >"$tmpd/got"
				if [ "$anyorder" = 1 ]; then
					LC_ALL=C sort -o "$tmpd/want" "$tmpd/want"
					LC_ALL=C sort -o "$tmpd/got" "$tmpd/got"
				fi
				if ! answers_match "$tmpd/want" "$tmpd/got"; then
					rc=1
					ANSWERS_FAILED=$((ANSWERS_FAILED + 1))
					echo "# line $start: ${kinds[$i]} ${cmds[$i]}"
					echo "#   expected (normalised):"; sed 's/^/#     /' "$tmpd/want"
					echo "#   got (normalised):"; sed 's/^/#     /' "$tmpd/got"
				fi
			done ;;
		esac
	done < <(answers_blocks "$ANSWERS_MD")
	rm -rf "$tmpd"
	return $rc
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	lab=$(answers_lab "$(cd "$(dirname "$0")/.." && pwd)")
	answers_check "${1:-}" "$lab"
	rc=$?
	[ "$lab" = "$(cd "$(dirname "$0")/.." && pwd)" ] || rm -rf "$lab"
	echo "run $ANSWERS_RUN blocks, skipped $ANSWERS_SKIPPED, $ANSWERS_FAILED commands differ"
	exit $rc
fi
