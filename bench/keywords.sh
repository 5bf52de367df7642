#!/usr/bin/env bash
# bench/keywords.sh [MIB] - the keyword scanner against grep and ripgrep.
#
# Generates a deterministic corpus (bench/keywords_corpus.py: MIB MiB,
# default 256; about one matching line in 200; 200 keywords of which 40
# phrases and 10 short words that hide inside ordinary words), then times,
# with a warm page cache, best of 3 runs each:
#   LC_ALL=C grep -F -i -w -c -f LIST CORPUS
#   rg -F -i -w -c -f LIST CORPUS
#   secflow keywords scan --count --list LIST CORPUS
# checks that all three count the same lines, and prints MB/s and
# secflow's ratio to the faster of grep and rg (target >= 3).
# The binary: $SECFLOW_BIN, else build-bench/secflow, else build/secflow.
# BENCH_KW_DIR keeps the corpus there between runs (it is made once).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
mib=${1:-256}
sf=${SECFLOW_BIN:-}
if [ -z "$sf" ]; then
	for b in "$top/build-bench/secflow" "$top/build/secflow"; do
		[ -x "$b" ] && { sf=$b; break; }
	done
fi
[ -n "$sf" ] || { echo "bench/keywords.sh: no secflow binary; build first" >&2; exit 2; }
if [ -n "${BENCH_KW_DIR:-}" ]; then
	dir=$BENCH_KW_DIR
	mkdir -p "$dir"
else
	dir=$(mktemp -d "${TMPDIR:-/tmp}/secflow-kw-XXXXXX")
	trap 'rm -rf "$dir"' EXIT
fi
list=$dir/keywords-$mib.list
corpus=$dir/corpus-$mib.txt
if [ ! -s "$corpus" ] || [ ! -s "$list" ]; then
	python3 "$top/bench/keywords_corpus.py" "$list" "$corpus" "$mib" 42
fi
bytes=$(stat -L -c %s "$corpus")
cat "$corpus" >/dev/null # warm the page cache

now() { date +%s.%N; }
# best NAME CMD...: run CMD 3 times; prints "SECONDS COUNT" of the best
best() {
	local b="" out t0 t1 t
	for _ in 1 2 3; do
		t0=$(now)
		out=$("$@") || [ $? -eq 1 ]
		t1=$(now)
		t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
		if [ -z "$b" ] || awk -v x="$t" -v y="$b" 'BEGIN { exit !(x < y) }'; then b=$t; fi
	done
	echo "$b $out"
}
read -r tg cg < <(LC_ALL=C best grep -F -i -w -c -f "$list" "$corpus")
read -r tr cr < <(best rg -F -i -w -c -f "$list" "$corpus")
read -r ts cs < <(best "$sf" keywords scan --count --list "$list" "$corpus")
python3 - "$bytes" "$tg" "$cg" "$tr" "$cr" "$ts" "$cs" "$(nproc)" <<'PY'
import sys
n = int(sys.argv[1])
tg, cg, tr, cr, ts, cs = sys.argv[2:8]
cpus = sys.argv[8]
rate = lambda t: n / float(t) / 1e6
print(f"corpus {n / 2**20:.0f} MiB, 200 keywords (40 phrases, 10 short), {cpus} CPUs")
for name, t, c in (("grep -F -i -w -c (LC_ALL=C)", tg, cg), ("rg -F -i -w -c", tr, cr),
                   ("secflow keywords scan --count", ts, cs)):
    print(f"  {name:32s} {float(t):7.3f} s {rate(t):8.0f} MB/s  {c} lines")
if not (cg == cr == cs):
    print(f"COUNTS DIFFER: grep {cg}, rg {cr}, secflow {cs}")
    sys.exit(1)
base = min(float(tg), float(tr))
print(f"ratio {base / float(ts):.2f} of the faster baseline's time (target >= 3); counts equal")
PY
