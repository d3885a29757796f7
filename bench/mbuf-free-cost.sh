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

# inclusive(CASE, FUNCTION, [callgrind options]): the instructions counted in
# FUNCTION (callees included) while dpx-test runs CASE; the case's log in
# $out/CASE.log. A line of callgrind_annotate --inclusive reads
#   26,560,000 (75.39%)  build/../lib/mbuf/mbuf.c:dpx_pktmbuf_free [...libdpx.so...]
inclusive() {
	local case=$1 fn=$2
	shift 2
	[ -s "$out/$case.cg" ] || valgrind --tool=callgrind --callgrind-out-file="$out/$case.cg" "$@" \
		"$build/test/dpx-test" "$case" >"$out/$case.log" 2>&1 || { cat "$out/$case.log" >&2; exit 1; }
	callgrind_annotate --inclusive=yes --threshold=100 "$out/$case.cg" 2>/dev/null |
		awk -v fn=":$fn" '!done && $3 ~ fn "$" && $4 ~ /^\[/ { gsub(",", "", $1); print $1; done = 1 }'
}

# only inside the two free calls: the allocations around them are not counted
single=$(inclusive mbuf_free_cost dpx_pktmbuf_free \
	--toggle-collect=dpx_pktmbuf_free --toggle-collect=dpx_pktmbuf_free_bulk)
frees=$(awk '/single frees/ {print $1; exit}' "$out/mbuf_free_cost.log")
bulk=$(inclusive mbuf_free_cost dpx_pktmbuf_free_bulk)
mp=$(inclusive page_pool_cycle_cost cycle_mempool)
pp=$(inclusive page_pool_cycle_cost cycle_page_pool)
cycles=$(awk '/rounds of 32/ {print $1 * 32; exit}' "$out/page_pool_cycle_cost.log")
[ -n "$single" ] && [ -n "$bulk" ] && [ -n "$mp" ] && [ -n "$pp" ] ||
	{ echo "mbuf-free-cost: no counts found" >&2; exit 1; }
awk -v s="$single" -v b="$bulk" -v f="$frees" -v mp="$mp" -v pp="$pp" -v c="$cycles" 'BEGIN {
	printf "dpx_pktmbuf_free (1 segment):            %.2f instructions per free\n", s / f
	printf "dpx_pktmbuf_free_bulk (32 x 1 seg):      %.2f instructions per mbuf\n", b / f
	printf "alloc_bulk + free_bulk of 32, mempool:   %.2f instructions per packet\n", mp / c
	printf "alloc_bulk + free_bulk of 32, page pool: %.2f instructions per packet\n", pp / c
}'
