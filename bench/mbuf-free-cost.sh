#!/usr/bin/env bash
# mbuf-free-cost: instructions per free of a one-segment mbuf of a plain
# pktmbuf pool (no page pool), counted by callgrind inside dpx_pktmbuf_free
# and dpx_pktmbuf_free_bulk (callees included: prefree, the mempool put);
# then instructions per packet of alloc_bulk(32) + free_bulk(32) on one
# lcore, from the mempool and from a page pool.
#   bench/mbuf-free-cost.sh            (build dir: $DPX_BUILD_DIR or build/)
# Instruction counts do not depend on the machine's load: one run is enough.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${DPX_BUILD_DIR:-$top/build}
command -v valgrind >/dev/null || { echo "mbuf-free-cost: needs valgrind (apt-get install valgrind)" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
valgrind --tool=callgrind --callgrind-out-file="$out/cg" \
	--toggle-collect=dpx_pktmbuf_free --toggle-collect=dpx_pktmbuf_free_bulk \
	"$build/test/dpx-test" mbuf_free_cost >"$out/log" 2>&1 || { cat "$out/log"; exit 1; }
rounds=$(awk '/single frees/ {print $1 / 32; exit}' "$out/log")
# inclusive counts, one line per function: "26,560,000 (75.39%)  build/../lib/mbuf/mbuf.c:dpx_pktmbuf_free [...libdpx.so...]"
callgrind_annotate --inclusive=yes --threshold=100 "$out/cg" 2>/dev/null |
	awk -v r="$rounds" '
	$3 ~ /:dpx_pktmbuf_free$/ && $4 ~ /^\[/ { gsub(",", "", $1); single = $1 }
	$3 ~ /:dpx_pktmbuf_free_bulk$/ && $4 ~ /^\[/ { gsub(",", "", $1); bulk = $1 }
	END {
		if (single == "" || bulk == "") { print "mbuf-free-cost: no counts found"; exit 1 }
		printf "dpx_pktmbuf_free (1 segment):        %.2f instructions per free\n", single / (r * 32)
		printf "dpx_pktmbuf_free_bulk (32 x 1 seg):  %.2f instructions per mbuf\n", bulk / (r * 32)
	}'

valgrind --tool=callgrind --callgrind-out-file="$out/cg2" \
	"$build/test/dpx-test" page_pool_cycle_cost >"$out/log2" 2>&1 || { cat "$out/log2"; exit 1; }
rounds=$(awk '/rounds of 32/ {print $1; exit}' "$out/log2")
callgrind_annotate --inclusive=yes --threshold=100 "$out/cg2" 2>/dev/null |
	awk -v r="$rounds" '
	$3 ~ /:cycle_mempool$/ && $4 ~ /^\[/ { gsub(",", "", $1); mp = $1 }
	$3 ~ /:cycle_page_pool$/ && $4 ~ /^\[/ { gsub(",", "", $1); pp = $1 }
	END {
		if (mp == "" || pp == "") { print "mbuf-free-cost: no cycle counts found"; exit 1 }
		printf "alloc_bulk + free_bulk of 32, mempool:   %.2f instructions per packet\n", mp / (r * 32)
		printf "alloc_bulk + free_bulk of 32, page pool: %.2f instructions per packet\n", pp / (r * 32)
	}'
