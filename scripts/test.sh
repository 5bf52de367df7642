#!/usr/bin/env bash
# test.sh - the second README command: install what is missing, build, and
# run every test: the ctest suite (cmocka unit tests and shell-level tests
# of the CLI and the HTTP server, each on SQLite and again on PostgreSQL)
# in a normal build and again under AddressSanitizer +
# UndefinedBehaviorSanitizer, then a short bounded run of every libFuzzer
# target over its corpus.  Ends with the line "N passed, N failed".
#
# The PostgreSQL tests (ctest label pg) run on a throwaway cluster that
# scripts/pg-test-cluster.sh starts in a temporary folder after the first
# build and stops at the end.  Under the sanitizers, the SQLite tests run
# and, on PostgreSQL, the unit tests of the store and the engine
# (SANITIZE_TESTS, a ctest -R regex, says which; "." runs all of them):
# the shell tests on PostgreSQL drive the same sanitized binary through
# the same code above the store as on SQLite, and would add minutes.
#
# FUZZ_SECONDS (default 10) bounds each fuzzer; SKIP_ASAN=1 / SKIP_FUZZ=1
# leave those parts out when iterating by hand; BUILD_DIR, ASAN_DIR and
# FUZZ_DIR (default build, build-asan, build-fuzz) name the build folders.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
"$top/scripts/deps.sh" || { echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
log=$(mktemp -d "${TMPDIR:-/tmp}/secflow-test-XXXXXX")
pg_dir=
started=$SECONDS

cleanup() {
	if [ -n "$pg_dir" ]; then
		"$top/scripts/pg-test-cluster.sh" stop "$pg_dir"
		rm -rf "$pg_dir"
	fi
	rm -rf "$log"
}
trap cleanup EXIT

# pg_start: the PostgreSQL cluster of the pg tests, once.  Should it not
# start, the pg tests fail (they never skip).
pg_start() {
	[ -n "$pg_dir" ] && return
	pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/secflow-pg-XXXXXX")
	echo "== postgresql: start a test cluster in $pg_dir"
	if SECFLOW_TEST_PG=$("$top/scripts/pg-test-cluster.sh" start "$pg_dir"); then
		export SECFLOW_TEST_PG
	else
		echo "== postgresql: THE CLUSTER DID NOT START"
		unset SECFLOW_TEST_PG
	fi
}

# run_ctest NAME DIR REGEX [CMAKE ARGS...]: REGEX (ctest -R) picks tests.
run_ctest() {
	local name=$1 dir=$2 sel=$3 t0=$SECONDS
	shift 3
	echo "== $name: build"
	if ! "$top/scripts/build.sh" "$dir" "$@"; then
		echo "== $name: BUILD FAILED"
		failed=$((failed + 1))
		return
	fi
	echo "== $name: built in $((SECONDS - t0)) s"
	pg_start
	echo "== $name: ctest -R '$sel'"
	t0=$SECONDS
	(cd "$top/$dir" && ctest -j2 --output-on-failure --timeout 600 -R "$sel") | tee "$log/$name.log"
	echo "== $name: ctest took $((SECONDS - t0)) s"
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

run_ctest normal "${BUILD_DIR:-build}" .

if [ "${SKIP_ASAN:-0}" != 1 ]; then
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	sel=${SANITIZE_TESTS:-'^(test_|t_)|^pg_test_(store|audit|engine|outbox)$'}
	run_ctest sanitizers "${ASAN_DIR:-build-asan}" "$sel" -DSECFLOW_SANITIZE=ON
	unset ASAN_OPTIONS UBSAN_OPTIONS
fi

if [ "${SKIP_FUZZ:-0}" != 1 ]; then
	echo "== fuzz: build (clang, libFuzzer)"
	fuzz_dir=${FUZZ_DIR:-build-fuzz}
	if CC=clang "$top/scripts/build.sh" "$fuzz_dir" -DSECFLOW_FUZZ=ON; then
		for f in "$top/$fuzz_dir"/fuzz_*; do
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

echo "== all done in $((SECONDS - started)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
