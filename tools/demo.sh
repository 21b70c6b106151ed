#!/usr/bin/env bash
# demo.sh NN: the arguments of stage NN's demo, as shell text, for `make stage N` to show and
# run and `make trace N` to trace (ARGS='...' replaces them there).
#
# The demos show links with ip and processes with ps. On a bare box without them (iproute2,
# procps) they read /proc instead, and a note on stderr says which tools were missing.
set -u

# One line per stage: NN | the tools its demo shows with | its arguments, in which @PROCS@,
# @PS@ and @LINKS@ stand for the text below that fits this machine.
demos=$(cat <<'DEMOS'
00||-- /bin/bash -c "echo test"
01||sh -c 'echo "I am PID $$, my parent is $PPID"'
02|ps|sh -c 'echo "PID inside: $$, parent: $PPID"; echo "@PROCS@"'
03|ip ps|-impnu --hostname lab -- sh -c 'hostname; echo $$; @LINKS@; @PS@'
04|ip ps|-- sh -c 'id; hostname; echo "PID $$"; @LINKS@; @PS@'
DEMOS
)

line=$(grep "^${1:-}|" <<<"$demos") || {
	echo "demo.sh: no demo for stage '${1:-}' (one of: $(cut -d'|' -f1 <<<"$demos" | tr '\n' ' '))" >&2
	exit 2
}
IFS='|' read -r _ tools args <<<"$line"

missing="" packages=""
for tool in $tools; do
	command -v "$tool" >/dev/null && continue
	missing+=" $tool"
	case $tool in ps) packages+=" procps" ;; ip) packages+=" iproute2" ;; esac
done
# shellcheck disable=SC2016  # shell text for the demo's own shell: nothing expands here
if [[ " $missing " == *" ps "* ]]; then
	procs='/proc still lists $(ls -d /proc/[0-9]* | wc -l) processes' ps_inside='ls -d /proc/[0-9]*'
else
	procs='ps still sees $(ps -e --no-headers | wc -l) processes' ps_inside='ps -o pid,comm'
fi
# shellcheck disable=SC2016
if [[ " $missing " == *" ip "* ]]; then links='cat /proc/net/dev'; else links='ip -o link'; fi
[ -z "$missing" ] ||
	echo "note: not found:$missing; the demo reads /proc instead (apt-get install$packages adds them)" >&2

args=${args//@PROCS@/$procs}
args=${args//@PS@/$ps_inside}
printf '%s\n' "${args//@LINKS@/$links}"
