#!/bin/sh
# propagation.sh slave|private: stage 03, exercise 7, as root. In a throwaway mount
# namespace that plays the host (nothing is mounted on the real one), a tmpfs at $top is made
# shared; a "container" (a new mount namespace with / made MODE, as --propagation MODE would)
# is started; then the host mounts on $top/a and the container on $top/b, and each side
# says what it sees.
set -eu
mode=${1:?usage: propagation.sh slave|private}
top=/tmp/lab-scratch-${USER:-root}/propagation
mkdir -p "$top"
# shellcheck disable=SC2016  # the script runs in the new namespace, with $1 and $2
exec unshare -m --propagation private sh -eu -c '
	top=$1 mode=$2
	mount -t tmpfs lab-top "$top"
	mount --make-shared "$top"
	mkdir "$top/a" "$top/b"
	unshare -m --propagation "$mode" sh -c "
		touch $top/container-ready
		until [ -e $top/host-mounted ]; do sleep 0.05; done
		echo \"container sees a: \$(findmnt -n -o SOURCE $top/a || echo nothing)\"
		mount -t tmpfs from-container $top/b
		touch $top/container-mounted
	" &
	until [ -e "$top/container-ready" ]; do sleep 0.05; done
	mount -t tmpfs from-host "$top/a"
	touch "$top/host-mounted"
	until [ -e "$top/container-mounted" ]; do sleep 0.05; done
	wait
	echo "host sees b: $(findmnt -n -o SOURCE "$top/b" || echo nothing)"
' sh "$top" "$mode"
