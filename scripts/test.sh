#!/usr/bin/env bash
# test.sh - the second README command: install what is missing, build, and
# run every test: the ctest suite (cmocka unit tests and shell-level tests
# of the CLI and the HTTP server) in a normal build and again under
# AddressSanitizer + UndefinedBehaviorSanitizer, then a short bounded run
# of every libFuzzer target over its corpus.  Ends with the line
# "N passed, N failed".
#
# FUZZ_SECONDS (default 10) bounds each fuzzer; SKIP_ASAN=1 / SKIP_FUZZ=1
# leave those parts out when iterating by hand.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
"$top/scripts/deps.sh" || { echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
log=$(mktemp -d "${TMPDIR:-/tmp}/secflow-test-XXXXXX")

# run_ctest NAME DIR [CMAKE ARGS...]
run_ctest() {
	local name=$1 dir=$2
	shift 2
	echo "== $name: build"
	if ! "$top/scripts/build.sh" "$dir" "$@"; then
		echo "== $name: BUILD FAILED"
		failed=$((failed + 1))
		return
	fi
	echo "== $name: ctest"
	(cd "$top/$dir" && ctest -j2 --output-on-failure --timeout 600) | tee "$log/$name.log"
	local summary
	summary=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$log/$name.log" | tail -1)
	local total fails
	total=$(echo "$summary" | sed -E 's/.*out of ([0-9]+).*/\1/')
	fails=$(echo "$summary" | sed -E 's/.*passed, ([0-9]+) tests failed.*/\1/')
	if [ -z "$summary" ]; then
		failed=$((failed + 1))
		return
	fi
	passed=$((passed + total - fails))
	failed=$((failed + fails))
}

run_ctest normal build

if [ "${SKIP_ASAN:-0}" != 1 ]; then
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	run_ctest sanitizers build-asan -DSECFLOW_SANITIZE=ON
	unset ASAN_OPTIONS UBSAN_OPTIONS
fi

if [ "${SKIP_FUZZ:-0}" != 1 ]; then
	echo "== fuzz: build (clang, libFuzzer)"
	if CC=clang "$top/scripts/build.sh" build-fuzz -DSECFLOW_FUZZ=ON; then
		for f in "$top"/build-fuzz/fuzz_*; do
			[ -x "$f" ] || continue
			name=$(basename "$f")
			corpus="$top/tests/fuzz/corpus/${name#fuzz_}"
			work=$(mktemp -d "$log/corpus-XXXXXX")
			[ -d "$corpus" ] && cp -r "$corpus"/. "$work"/ 2>/dev/null
			if "$f" -max_total_time="${FUZZ_SECONDS:-10}" -timeout=10 \
				-rss_limit_mb=2048 "$work" >"$log/$name.log" 2>&1; then
				echo "ok - $name ($(grep -Eo 'stat::number_of_executed_units: [0-9]+|#[0-9]+' "$log/$name.log" | tail -1))"
				passed=$((passed + 1))
			else
				echo "not ok - $name"
				tail -40 "$log/$name.log"
				failed=$((failed + 1))
			fi
		done
	else
		echo "== fuzz: BUILD FAILED"
		failed=$((failed + 1))
	fi
fi

rm -rf "$log"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
