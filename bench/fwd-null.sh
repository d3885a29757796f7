#!/usr/bin/env bash
# fwd-null: dpx-fwd io mode between two net_null ports on one forwarding core
# for a few seconds; prints Mpps and CPU cycles per packet.
#   bench/fwd-null.sh [SECONDS] [BURST]      (build dir: $DPX_BUILD_DIR or build/)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${DPX_BUILD_DIR:-$top/build}
secs=${1:-5}
burst=${2:-32}
fwd="$build/app/dpx-fwd/dpx-fwd"
[ -x "$fwd" ] || { echo "fwd-null: $fwd not built (ninja -C $build)" >&2; exit 1; }
# main lcore and one worker; with one CPU both share it (the main one sleeps)
ncpu=$(nproc)
if [ "$ncpu" -ge 2 ]; then lcores="0-1"; else lcores="0-1@0"; fi
out=$("$fwd" --no-huge --in-memory --file-prefix "fwdbench-$$" --lcores "$lcores" \
	--vdev net_null0 --vdev net_null1 -- --nb-cores 1 --burst "$burst" \
	--run-time "$secs" --record-core-cycles)
total=$(printf '%s\n' "$out" | awk '/Accumulated forward statistics/ {acc=1} acc && /RX-packets:/ {print $2; exit}')
time_s=$(printf '%s\n' "$out" | awk '/^forwarded for/ {print $3; exit}')
# testpmd's line: "  CPU cycles/packet=97.54 (total cycles=... / total io packets=...) at N MHz Clock"
cpp=$(printf '%s\n' "$out" | awk -F'[= ]+' '/CPU cycles\/packet=/ {print $4; exit}')
awk -v p="$total" -v t="$time_s" -v c="$cpp" -v b="$burst" 'BEGIN {
	printf "dpx-fwd io, 2 x net_null, 1 core, burst %d: %.3f Mpps (%d packets in %.3f s), %s cycles/packet\n",
	       b, p / t / 1e6, p, t, c }'
