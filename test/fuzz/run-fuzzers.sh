#!/bin/sh
# Build the libFuzzer targets in their own build directory (clang) and run
# each for a bounded time. Usage: test/fuzz/run-fuzzers.sh [seconds] [builddir]
# Exit status: 0 when every target ran its time without a finding.
set -eu
secs=${1:-60}
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${2:-$top/build-fuzz}
if ! command -v clang >/dev/null; then
	echo "run-fuzzers: clang not installed" >&2
	exit 77
fi
if [ ! -d "$build" ]; then
	CC=clang meson setup "$build" "$top" -Dfuzz=true -Db_lundef=false >/dev/null
fi
ninja -C "$build" -j2 test/fuzz/fuzz_vhost_msg test/fuzz/fuzz_vhost_desc
rc=0
for t in fuzz_vhost_msg fuzz_vhost_desc; do
	corpus="$build/test/fuzz/corpus-$t"
	mkdir -p "$corpus"
	echo "run-fuzzers: $t for ${secs}s"
	if ! "$build/test/fuzz/$t" -max_total_time="$secs" -max_len=4096 \
		-artifact_prefix="$build/test/fuzz/$t-" "$corpus" >"$build/test/fuzz/$t.log" 2>&1; then
		echo "run-fuzzers: $t found a crash; see $build/test/fuzz/$t.log" >&2
		tail -30 "$build/test/fuzz/$t.log" >&2
		rc=1
	fi
done
exit $rc
