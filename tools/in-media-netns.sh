#!/usr/bin/env bash
# Runs a command inside a private network namespace made for WebRTC tests: only loopback and a veth pair exist,
# so no packet can leave the machine, and the veth end jn0 carries 127.0.0.2, a loopback-range address on an
# interface that is not IFF_LOOPBACK (Janus refuses to gather ICE candidates on loopback interfaces).
# Needs root (or an unprivileged user namespace). Usage: tools/in-media-netns.sh COMMAND [ARG...]
set -euo pipefail
if [ "${IN_MEDIA_NETNS:-}" = 1 ]; then
  exec "$@"
fi
# --kill-child: if this script is killed, everything inside goes too.
exec unshare --net --kill-child bash -c '
  set -e
  ip link set lo up
  ip link add jn0 type veth peer name jn1
  ip link set jn1 up
  ip link set jn0 up
  ip addr add 127.0.0.2/32 dev jn0
  export IN_MEDIA_NETNS=1
  exec "$@"' in-media-netns "$@"
