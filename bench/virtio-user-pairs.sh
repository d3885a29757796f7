#!/usr/bin/env bash
# virtio-user-pairs: Mpps at 64 and 1518 bytes for the four vhost-user
# pairings, dpx or DPDK 22.11 front-end (virtio-user) x dpx or DPDK back-end
# (net_vhost): front-end txonly, back-end rxonly, one queue, split ring, each
# process on its own CPU. Rounds are interleaved (every pairing once per round)
# and the table gives medians and the best round.
#   bench/virtio-user-pairs.sh [ROUNDS] [SECONDS]   (build dir: $DPX_BUILD_DIR or build/)
# Needs dpdk-testpmd (Debian's dpdk-dev) and 160 free 2 MB hugepages for
# DPDK's virtio-user.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
exec python3 "$top/test/interop/vhost_pair.py" bench --reps "${1:-3}" --secs "${2:-3}"
