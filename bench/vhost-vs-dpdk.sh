#!/usr/bin/env bash
# vhost-vs-dpdk: dpx's vhost-user back-end against DPDK 22.11's, with DPDK's
# virtio-user (dpdk-testpmd) as the front-end on one core and the back-end on
# the other:
#   A: dpx-fwd      --vdev net_vhost0,iface=SOCK
#   B: dpdk-testpmd --vdev net_vhost0,iface=SOCK
# with the same forwarding options, A and B interleaved (the order flips every
# run so a drift of the machine's load hits both alike). Cases: guest to host
# (front-end txonly, back-end rxonly) and host to guest (back-end txonly,
# front-end rxonly), 64 and 1518 bytes, split and packed rings.
#
# A run's figure is the front-end's steady rate: the mean of its per-second
# Tx-pps (guest to host) or Rx-pps (host to guest) samples, leaving out the
# first two seconds (connection, ring warm-up). The front-end is the same
# program in A and B, so both are measured by one yardstick. A run counts only
# when both sides' final counters show the packets moved (and agree).
# A second figure, less sensitive to other load on the machine, is the
# back-end's busy TSC cycles per packet moved (--record-core-cycles on both,
# which count only polls that moved packets): lower is better. With it, each
# back-end's busy share of its core while packets moved (its busy cycles / TSC
# Hz / the front-end's packets over its steady rate, at most 100 %): a
# back-end well under 100 % waits for the front-end, whose rate the case then
# measures, whichever back-end serves it. A generating back-end (txonly)
# counts every burst it builds as busy.
#
#   bench/vhost-vs-dpdk.sh [-n RUNS] [-t SECONDS] [-q RING] [-b BURST] [-c CASE,...]
#     -n RUNS     runs of each back-end per case (default 5, at least 1)
#     -t SECONDS  front-end run time per run (default 6, at least 4)
#     -q RING     ring size the front-end sets up (default 1024)
#     -b BURST    burst size on both sides (default 32)
#     -c CASES    a subset, e.g. g2h-split-64,h2g-packed-1518 (default: all 8)
#     -k          keep every run's logs (their folder is printed at the end)
#   Build dir: $DPX_BUILD_DIR or build/ (set up and built when missing).
#   CPUs: $BENCH_BE_CPU for the back-end (default 0), $BENCH_FE_CPU for the
#   front-end (default 1).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${DPX_BUILD_DIR:-$top/build}
runs=5
secs=6
ring=1024
burst=32
cases="g2h-split-64 g2h-split-1518 g2h-packed-64 g2h-packed-1518 h2g-split-64 h2g-split-1518 h2g-packed-64 h2g-packed-1518"
be_cpu=${BENCH_BE_CPU:-0}
fe_cpu=${BENCH_FE_CPU:-1}

usage() {
	sed -n '/^#   bench/,/^#   front-end/p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

keep=0
while getopts "n:t:q:b:c:kh" opt; do
	case $opt in
	n) runs=$OPTARG ;;
	t) secs=$OPTARG ;;
	q) ring=$OPTARG ;;
	b) burst=$OPTARG ;;
	c) cases=${OPTARG//,/ } ;;
	k) keep=1 ;;
	*) usage ;;
	esac
done
for v in "$runs" "$secs" "$ring" "$burst"; do
	[[ $v =~ ^[0-9]+$ ]] || { echo "vhost-vs-dpdk: '$v' is not a number" >&2; exit 2; }
done
[ "$runs" -ge 1 ] && [ "$secs" -ge 4 ] || usage
for c in $cases; do
	[[ $c =~ ^(g2h|h2g)-(split|packed)-[0-9]+$ ]] || { echo "vhost-vs-dpdk: bad case '$c'" >&2; exit 2; }
done

die() { echo "vhost-vs-dpdk: $*" >&2; exit 1; }

# ---- what the benchmark needs: dpdk-testpmd, dpx-fwd, two CPUs, hugepages ----

if ! command -v dpdk-testpmd >/dev/null 2>&1; then
	echo "vhost-vs-dpdk: installing dpdk-dev (it holds dpdk-testpmd)" >&2
	[ "$(id -u)" -eq 0 ] || die "dpdk-testpmd is missing and installing dpdk-dev needs root"
	apt-get install -y dpdk-dev >/dev/null 2>&1 ||
		{ apt-get update >/dev/null && apt-get install -y dpdk-dev >/dev/null; } ||
		die "apt-get install dpdk-dev failed"
fi
testpmd=$(command -v dpdk-testpmd)
fwd=$build/app/dpx-fwd/dpx-fwd
if [ ! -x "$fwd" ]; then
	echo "vhost-vs-dpdk: building dpx-fwd in $build" >&2
	[ -d "$build" ] || meson setup "$build" "$top" >/dev/null
	ninja -C "$build" -j2 app/dpx-fwd/dpx-fwd >/dev/null
fi
[ "$(nproc)" -ge 2 ] || die "needs two CPUs (front-end and back-end each on its own); this machine has $(nproc)"

# Each side takes MEM MB of 2 MB pages; reserve what is missing, mount hugetlbfs if needed.
mem=512
hp=/sys/kernel/mm/hugepages/hugepages-2048kB
need=$((2 * mem / 2 + 64))
[ -d $hp ] || die "no 2 MB hugepage support in this kernel"
free=$(cat $hp/free_hugepages)
if [ "$free" -lt "$need" ]; then
	[ "$(id -u)" -eq 0 ] || die "$free free 2 MB hugepages, $need needed (run as root to reserve them)"
	echo $(($(cat $hp/nr_hugepages) + need - free)) >$hp/nr_hugepages
	free=$(cat $hp/free_hugepages)
	[ "$free" -ge "$need" ] || die "only $free free 2 MB hugepages after asking for more, $need needed"
fi
if ! awk '$3 == "hugetlbfs" { found = 1 } END { exit !found }' /proc/mounts; then
	[ "$(id -u)" -eq 0 ] || die "no hugetlbfs mounted (run as root to mount /dev/hugepages)"
	mkdir -p /dev/hugepages && mount -t hugetlbfs nodev /dev/hugepages
fi

# ---- one run ----

work=$(mktemp -d /tmp/vhost-vs-dpdk.XXXXXX)
sock=$work/vhost.sock
be_pid=
fe_pid=
cleanup() {
	for p in $fe_pid $be_pid; do
		kill -INT "$p" 2>/dev/null || true
	done
	sleep 0.5
	for p in $fe_pid $be_pid; do
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	if [ "$keep" -eq 1 ]; then echo "vhost-vs-dpdk: logs kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The last "Accumulated forward statistics" block's RX- or TX-packets (both programs print it alike).
final_count() { # FILE RX|TX
	awk -v k="$2-packets:" '/Accumulated forward statistics/ { acc = 1; n = "" }
		acc && $1 == k && n == "" { n = $2 } END { print (n == "" ? -1 : n) }' "$1"
}

# The front-end's steady rate (pps): mean of its per-second samples after the first two.
steady_rate() { # FILE Rx|Tx
	tr -d '\r' <"$1" | awk -v k="$2-pps:" '$1 == k { s[++n] = $2 }
		END { t = 0; m = 0; for (i = 3; i <= n; i++) { t += s[i]; m++ } print (m > 0 ? int(t / m) : -1) }'
}

# The back-end's busy cycles, as both programs print them at exit (their
# own per-packet figure divides by different counts in txonly: generated
# there, sent here), so the caller divides by the packets that moved.
busy_cycles() { # FILE
	tr -d '\r' <"$1" | awk 'match($0, /(busy|total) cycles[ =][0-9]+/) {
		v = substr($0, RSTART, RLENGTH); sub(/.*[ =]/, "", v); c = v }
		END { print (c == "" ? -1 : c) }'
}

# The TSC clock both print beside their cycles ("at N MHz Clock").
tsc_mhz() { # FILE
	tr -d '\r' <"$1" | awk 'match($0, /at [0-9]+ MHz Clock/) {
		v = substr($0, RSTART + 3, RLENGTH - 13); m = v + 0 }
		END { print (m > 0 ? m : -1) }'
}

# run BACKEND DIR RING LEN: "rate cycles busy" (pps, busy cycles per packet,
# busy share of the core in %) into $work/rate, or fails with a
# reason on stderr. Runs in this shell (not a subshell): cleanup must know the pids.
run_one() {
	local backend=$1 dir=$2 layout=$3 len=$4
	local be_mode fe_mode fe_pps_key vq=""
	local be_log=$work/be.log fe_log=$work/fe.log
	if [ "$dir" = g2h ]; then
		fe_mode=txonly be_mode=rxonly fe_pps_key=Tx
	else
		fe_mode=rxonly be_mode=txonly fe_pps_key=Rx
	fi
	[ "$layout" = packed ] && vq=",packed_vq=1"
	rm -f "$sock"
	# the same forwarding options on both back-ends; testpmd's default mbufs are
	# 2176 bytes and dpx-fwd's too (2048 + 128 of headroom)
	if [ "$backend" = dpx ]; then
		"$fwd" --lcores "0-1@$be_cpu" -m $mem --in-memory --file-prefix "vvd-be-$$" \
			--vdev "net_vhost0,iface=$sock" -- --forward-mode "$be_mode" --txpkts "$len" \
			--burst "$burst" --total-num-mbufs 16384 --record-core-cycles >"$be_log" 2>&1 &
	else
		"$testpmd" --lcores "0@$be_cpu,1@$be_cpu" -m $mem --no-pci --in-memory \
			--file-prefix "vvd-be-$$" --vdev "net_vhost0,iface=$sock" -- \
			--forward-mode="$be_mode" --txpkts="$len" --burst="$burst" \
			--total-num-mbufs=16384 --record-core-cycles --stats-period 1 >"$be_log" 2>&1 &
	fi
	be_pid=$!
	for _ in $(seq 100); do
		[ -S "$sock" ] && break
		kill -0 "$be_pid" 2>/dev/null || break
		sleep 0.1
	done
	if [ ! -S "$sock" ]; then
		echo "vhost-vs-dpdk: $backend back-end did not create its socket:" >&2
		tail -5 "$be_log" >&2
		return 1
	fi
	"$testpmd" --lcores "0@$fe_cpu,1@$fe_cpu" -m $mem --no-pci --in-memory --single-file-segments \
		--file-prefix "vvd-fe-$$" --vdev "net_virtio_user0,path=$sock,queue_size=$ring$vq" -- \
		--forward-mode="$fe_mode" --txpkts="$len" --burst="$burst" --rxd="$ring" --txd="$ring" \
		--total-num-mbufs=16384 --stats-period 1 >"$fe_log" 2>&1 &
	fe_pid=$!
	sleep "$secs"
	kill -INT "$fe_pid" 2>/dev/null || true
	wait "$fe_pid" 2>/dev/null || true
	fe_pid=
	kill -INT "$be_pid" 2>/dev/null || true
	wait "$be_pid" 2>/dev/null || true
	be_pid=
	local rate fe_n be_n cyc mhz
	rate=$(steady_rate "$fe_log" $fe_pps_key)
	cyc=$(busy_cycles "$be_log")
	mhz=$(tsc_mhz "$be_log")
	if [ "$dir" = g2h ]; then
		fe_n=$(final_count "$fe_log" TX) be_n=$(final_count "$be_log" RX)
	else
		fe_n=$(final_count "$fe_log" RX) be_n=$(final_count "$be_log" TX)
	fi
	# what the front-end sent the back-end received, but for what was still in
	# the ring when the front-end left; what the back-end sent is at least what
	# the front-end received (the rest was in the ring at the end)
	if [ "$fe_n" -le 0 ] || [ "$be_n" -le 0 ] || [ "$rate" -le 0 ] || [ "$cyc" -le 0 ] ||
		[ "$mhz" -le 0 ] ||
		{ [ "$dir" = g2h ] && { [ "$be_n" -gt "$fe_n" ] || [ "$be_n" -lt $((fe_n - ring)) ]; }; } ||
		{ [ "$dir" = h2g ] && [ "$be_n" -lt "$fe_n" ]; }; then
		echo "vhost-vs-dpdk: $backend $dir $layout $len: no valid figure" \
			"(front-end counted $fe_n, back-end $be_n, rate $rate, busy cycles $cyc at $mhz MHz)" >&2
		tail -n 3 "$be_log" "$fe_log" >&2
		return 1
	fi
	if [ "$keep" -eq 1 ]; then
		local keep_n
		keep_n=$(($(find "$work" -name '*-be.log' | wc -l) + 1))
		mv "$be_log" "$work/$keep_n-$backend-$dir-$layout-$len-be.log"
		mv "$fe_log" "$work/$keep_n-$backend-$dir-$layout-$len-fe.log"
	fi
	# busy over the time packets moved (the front-end's count at its steady
	# rate), not the run's seconds, which include its start-up
	awk -v r="$rate" -v c="$cyc" -v n="$be_n" -v m="$mhz" -v f="$fe_n" 'BEGIN { u = 100 * c / (m * f / r * 1e6)
		printf "%d %.1f %.0f\n", r, c / n, (u > 100 ? 100 : u) }' >"$work/rate"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
best() { sort -n | tail -1; }

echo "vhost-vs-dpdk: $runs runs x ${secs} s per back-end and case, ring $ring, burst $burst," \
	"back-end on CPU $be_cpu, front-end (dpdk-testpmd virtio-user) on CPU $fe_cpu" >&2
echo "  $(uptime)" >&2
table=$work/table
: >"$table"
for c in $cases; do
	IFS=- read -r dir layout len <<<"$c"
	: >"$work/dpx" && : >"$work/dpdk" && : >"$work/dpx.cyc" && : >"$work/dpdk.cyc"
	: >"$work/dpx.busy" && : >"$work/dpdk.busy"
	for r in $(seq "$runs"); do
		if [ $((r % 2)) -eq 1 ]; then order="dpx dpdk"; else order="dpdk dpx"; fi
		for b in $order; do
			for attempt in 1 2; do
				if run_one "$b" "$dir" "$layout" "$len"; then
					read -r v cyc busy <"$work/rate"
					echo "$v" >>"$work/$b"
					echo "$cyc" >>"$work/$b.cyc"
					echo "$busy" >>"$work/$b.busy"
					awk -v c="$c" -v r="$r" -v b="$b" -v v="$v" -v y="$cyc" -v u="$busy" 'BEGIN {
						printf "  %-16s run %d %-4s %8.3f Mpps %8.1f cycles/packet %4d %% busy\n",
							c, r, b, v / 1e6, y, u }' >&2
					break
				fi
				[ $attempt -eq 2 ] && die "$c: $b failed twice"
			done
		done
	done
	md=$(median <"$work/dpx") mk=$(median <"$work/dpdk")
	bd=$(best <"$work/dpx") bk=$(best <"$work/dpdk")
	cd_=$(median <"$work/dpx.cyc") ck=$(median <"$work/dpdk.cyc")
	ud=$(median <"$work/dpx.busy") uk=$(median <"$work/dpdk.busy")
	echo "$c $md $mk $bd $bk $cd_ $ck $ud $uk" >>"$table"
done

echo "  $(uptime)" >&2
printf '\nvhost-user back-end, DPDK 22.11 virtio-user front-end; Mpps, %d runs each (median, best)\n' "$runs"
printf '%-16s %10s %10s %7s  %10s %10s %7s  %9s %9s %7s  %8s %9s\n' case "dpx med" "DPDK med" ratio \
	"dpx best" "DPDK best" ratio "dpx cyc" "DPDK cyc" ratio "dpx busy" "DPDK busy"
awk '{ printf "%-16s %10.3f %10.3f %6.2fx  %10.3f %10.3f %6.2fx  %9.1f %9.1f %6.2fx  %7d%% %8d%%\n", $1,
	$2 / 1e6, $3 / 1e6, $2 / $3, $4 / 1e6, $5 / 1e6, $4 / $5, $6, $7, ($6 > 0 ? $7 / $6 : 0), $8, $9 }' "$table"
echo "(ratios: dpx/DPDK for Mpps; DPDK/dpx for the back-end's busy cycles per packet, medians;"
echo " busy: the back-end's busy share of its core, median: well under 100 % is a case the front-end sets)"
