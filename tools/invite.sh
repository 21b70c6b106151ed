#!/bin/sh
# invite.sh: `make invite`, the invitation participants get a week before the workshop, in
# Markdown to paste into an email: where the lab is, one short set-up path per kind of laptop
# (each builds its Linux at home, not on the room's Wi-Fi), the two commands that prove it
# works, and what to send back when they do not.
#
#   make invite [URL=...] [DATE=...] [CONTACT=...] > invite.md
#
# URL is the lab's repository as participants clone it; without it, `git remote get-url
# origin` of this checkout (an SSH address is given as https, credentials dropped). When there
# is none, or origin is a path on this machine, the text says <REPOSITORY-URL> and stderr says
# to fill it in. DATE and CONTACT (who receives the doctor's output) get placeholders likewise.
# POSIX sh: the instructor may run it on macOS.
set -u

here=$(cd "$(dirname "$0")/.." && pwd)
url=${INVITE_URL:-}
date=${INVITE_DATE:-}
contact=${INVITE_CONTACT:-}
say() { printf 'make invite: %s\n' "$*" >&2; }

if [ -z "$url" ]; then
	url=$(git -C "$here" remote get-url origin 2>/dev/null) || url=""
	from="origin (git remote get-url origin)"
else
	from="URL"
fi
case $url in
'') ;;
/* | ./* | ../* | ~* | file:*)
	say "$from is a path on this machine, which participants cannot clone:" \
		"the text says <REPOSITORY-URL>; give the public address: make invite URL=https://..."
	url="" ;;
git@*:*)                                 # scp-like SSH: participants may have no key
	host=${url#git@} && host=${host%%:*}
	url="https://$host/${url#*:}"
	say "$from is an SSH address; the invitation gives $url" ;;
ssh://*)
	rest=${url#ssh://} && rest=${rest#*@}
	host=${rest%%/*} && host=${host%%:*}
	url="https://$host/${rest#*/}"
	say "$from is an SSH address; the invitation gives $url" ;;
http://*@* | https://*@*)                # https://user:token@host/...: never mail a token
	scheme=${url%%://*} && rest=${url#*://}
	url="$scheme://${rest#*@}"
	say "dropped the user name (and any token) from the address: $url" ;;
esac
if [ -z "$url" ]; then
	url="<REPOSITORY-URL>"
	say "warning: no address for the lab's repository: fill in <REPOSITORY-URL> in the text," \
		"or run make invite URL=https://... (the address participants can clone)"
fi
[ -n "$date" ] || { date="<DATE>"; say "note: no DATE=...: fill in <DATE> in the text"; }
[ -n "$contact" ] || { contact="<CONTACT>"; say "note: no CONTACT=...: fill in <CONTACT> (who receives the doctor's output)"; }

# The address to browse, and a Codespaces link when the lab is on GitHub.
web=${url%.git}
codespaces=""
case $web in
https://github.com/*/*) codespaces="https://codespaces.new/${web#https://github.com/}" ;;
esac

cat <<EOF
# Containers from scratch, in C: please set up your laptop before $date

Hello,

On $date we build a small container runtime in C, one system call at a time: fork and
exec, clone with namespaces, and a rootless container. Three hours, hands on, on your own
laptop.

**Please do the set-up below at home this week, not on the day.** Each path downloads a
Linux or its packages (about 100 MB on a Linux laptop, a Debian 12 image plus about 125 MB
of packages for the devcontainer, a whole VM image for Lima); 25 laptops doing that on the
room's Wi-Fi would eat the first half hour. Allow 30 minutes, most of it waiting for the
downloads.

The lab: $web

## 1. A Linux with the lab in it: pick the path for your laptop

**Linux laptop** (Debian 12, Ubuntu 22.04 or 24.04, Fedora):

    sudo apt-get install build-essential git procps psmisc iproute2 util-linux strace   # Debian, Ubuntu
    sudo dnf install gcc make git procps-ng iproute util-linux psmisc strace            # Fedora
    git clone $url ~/lab && cd ~/lab
    make && sudo make apparmor   # Ubuntu 23.10 and 24.04 only: copies of the lab's programs that may use user namespaces

**macOS or Windows, with Docker Desktop or Podman: the devcontainer.** Install git (on macOS,
the first \`git\` offers Apple's command line tools: accept; on Windows, Git for Windows), VS
Code with its "Dev Containers" extension, and Docker Desktop (or Podman Desktop, with VS
Code's setting "dev.containers.dockerPath" set to podman), and start it. Then:

    git clone -c core.autocrlf=false $url lab

Open the folder \`lab\` in VS Code (File, Open Folder), then F1,
"Dev Containers: Reopen in Container". **This builds the lab's image: do it
now, at home.** When it is done, VS Code's terminal (Terminal, New Terminal) is a Debian 12
shell in the lab's directory; it ran \`make doctor\` once by itself. (\`core.autocrlf=false\`
keeps the scripts' Unix line endings on Windows.)

**macOS without Docker: a Lima VM.**

    brew install lima
    git clone $url ~/lab && cd ~/lab
    limactl start --name=lab --set ".param.LAB=\\"\$PWD\\"" .devcontainer/lima.yaml   # builds the VM: do it now
    limactl shell lab         # a shell in the VM, in the lab's directory

**Any laptop with a browser: GitHub Codespaces** (a GitHub account; nothing is installed).
EOF
if [ -n "$codespaces" ]; then
	cat <<EOF
Open $codespaces and create the codespace now, at home: it builds the
same devcontainer. Then stop it (github.com/codespaces, "Stop codespace"): a stopped codespace
keeps your files and uses no compute hours until you open it again on the day.
EOF
else
	cat <<EOF
On the lab's GitHub page ($web): Code, Codespaces, "Create codespace", now, at home: it builds
the same devcontainer. Then stop it (github.com/codespaces, "Stop codespace"): a stopped
codespace keeps your files and uses no compute hours until you open it again on the day.
EOF
fi
cat <<EOF

**Windows: WSL2.** In PowerShell, \`wsl --install -d Debian\` (or Ubuntu), then in that Linux
the Linux laptop path above. Keep the lab in WSL's own files (\`~/lab\`), not under \`/mnt/c\`.
\`wsl -l -v\` must say VERSION 2: WSL1 has no namespaces.

## 2. Check it, at home

In the lab's directory, in the terminal your path gave you:

    make doctor       # what this machine allows; its last line: doctor: ready (N warn)
    make stage 0      # builds the first program and runs it: "test", then "12345 exited with status 0"

(Your number differs from 12345.) \`warn\` lines are fine; a \`FAIL\` line says what is wrong and
the fix.

## 3. If either fails

Run \`make doctor > doctor.txt 2>&1\` and send doctor.txt to $contact before $date,
with your laptop (e.g. "macOS 14, Apple M2"), the path you took and what \`make stage 0\`
printed. A set-up fixed by email takes minutes; in the room it takes the first hour.

## On the day

Bring the laptop charged, with the set-up done (the image or VM built, the codespace
created). You will use two terminals side by side: a program runs in one, and you look at it
from the other.
EOF
