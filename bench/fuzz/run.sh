#!/usr/bin/env bash
# Schema fuzzing of the OpenAPI document against a real `rampart server` (issue 18 item 2).
#
#   bench/fuzz/run.sh [sqlite|postgres|all]      (default: all)
#
# For each database: a fresh one (a new SQLite file; a new PostgreSQL database next to
# RAMPART_TEST_PG_URL's, dropped afterwards), the debug server on a free loopback port with
# one embedded engine, an organization key from `rampart key create`, seed.py's resources
# (one quick scan of the testbed gives a vulnerability to read), then the server again with
# no embedded engine (nothing the fuzzer submits is scanned: its targets are made up) and
# schemathesis with every check, bounded examples (FUZZ_MAX_EXAMPLES, default 5), strings
# that include NUL and control characters, failing on any 5xx, any response that violates
# the document and any undocumented status code. A run prints its operations, cases and
# wall time; the junit and ndjson reports stay in FUZZ_REPORTS (default .cache/fuzz/reports).
#
# baseline.json lists the failures accepted for now (each a server-state rule no schema can
# state, see docs/BENCHMARKS.md); any other failure fails the run. FUZZ_BASELINE_UPDATE=1
# merges this run's failures into it (review the diff before committing it).
set -euo pipefail
# shellcheck source=bench/fuzz/lib.sh
source "$(dirname "$0")/lib.sh"

which="${1:-all}"
MAX_EXAMPLES="${FUZZ_MAX_EXAMPLES:-5}"
REPORTS="${FUZZ_REPORTS:-$CACHE/reports}"
WORK="$(mktemp -d)"
trap cleanup EXIT

BIN="$(python_tools)"
binaries
mkdir -p "$REPORTS"
start_testbed

fuzz() {
  local name="$1" db="$2" dir="$WORK/$1" key started rc=0
  mkdir -p "$dir"
  log "$name: seeding $db"
  # (`set -e` does not apply inside a function called with `||`: every step checks.)
  start_server "$db" "$dir" 1 || return 1
  key="$(admin_key "$db")" || return 1
  "$BIN/python" "$FUZZ/seed.py" "$SERVER_URL" "$key" "$TESTBED_URL" "$dir/schemathesis.toml" >"$dir/seed.json" || return 1
  stop_server
  start_server "$db" "$dir" 0 || return 1
  log "$name: schemathesis (max $MAX_EXAMPLES examples per operation)"
  started=$SECONDS
  local baseline=(--baseline "$FUZZ/baseline.json")
  if [ -n "${FUZZ_BASELINE_UPDATE:-}" ]; then
    baseline+=(--baseline-update)
  elif [ ! -e "$FUZZ/baseline.json" ]; then
    log "bench/fuzz/baseline.json is missing (schemathesis would accept every failure into a new one)"
    return 1
  fi
  # From the run's own folder: schemathesis keeps its cache in `.schemathesis/` there.
  (cd "$dir" && "$BIN/st" --config-file "$dir/schemathesis.toml" run "$SERVER_URL/ias/v1/openapi.json" \
    --url "$SERVER_URL" \
    --header "X-Api-Key: $key" \
    --max-examples "$MAX_EXAMPLES" \
    --seed "${FUZZ_SEED:-18}" \
    --workers 1 \
    "${baseline[@]}" \
    --request-timeout 30 \
    --no-color \
    --report junit,ndjson --report-dir "$REPORTS" \
    --report-junit-path "$REPORTS/$name.junit.xml" \
    --report-ndjson-path "$REPORTS/$name.ndjson" \
    >"$dir/schemathesis.log" 2>&1) || rc=$?
  # The summary (operations, test cases, failures), how many operations got a 2xx answer
  # (bench/fuzz/reach.py; `--list` names the others) and the wall time.
  sed -n '/SUMMARY/,$p' "$dir/schemathesis.log"
  "$BIN/python" "$FUZZ/reach.py" "$REPORTS/$name.ndjson" || true
  log "$name: schemathesis exit $rc after $((SECONDS - started)) s"
  if [ "$rc" -ne 0 ]; then
    cp "$dir/schemathesis.log" "$REPORTS/$name.log"
    sed -n '/FAILURES/,/SUMMARY/p' "$dir/schemathesis.log" | head -n 400
    return "$rc"
  fi
  stop_server
}

case "$which" in
  sqlite | postgres | all) ;;
  *) echo "usage: $0 [sqlite|postgres|all]" >&2; exit 2 ;;
esac
passed=0
failed=0
if [ "$which" != postgres ]; then
  if fuzz sqlite "sqlite://$WORK/sqlite.db"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
fi
if [ "$which" != sqlite ]; then
  fresh_pg_db
  if fuzz postgres "$PG_DB_URL"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
fi
# One line per run: the databases whose schemathesis run passed and failed.
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
