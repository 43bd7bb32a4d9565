#!/usr/bin/env bash
# bench/http.sh [sqlite|postgres] — reproducible HTTP benchmark of rampart's apps endpoints.
#
# Builds the release binary, starts `rampart server` on a fresh database (SQLite file in a
# temp dir, or a fresh PostgreSQL database that is dropped afterwards) on a kernel-chosen
# loopback port, captures the one-time API key, seeds SEED_APPS apps, then runs wrk against
#   GET  /ias/v1/apps/{id}        (ids drawn uniformly from the seeded set)
#   GET  /ias/v1/apps?size=50     (page index drawn uniformly over the seeded pages)
#   POST /ias/v1/apps             (unique names)
# in that order (POST last, so the reads see exactly the seeded set). Each run is preceded
# by a short warm-up. The server's VmRSS is sampled every 0.5 s during the runs. Prints a
# Markdown summary (also saved with wrk's raw output under $BENCH_OUT).
#
# Everything is bounded: wrk runs for a fixed time under `timeout`, seeding has a deadline,
# and the server only listens on 127.0.0.1.
#
# Environment (defaults): SEED_APPS=10000 SEED_WORKERS=16 THREADS=2 CONNECTIONS=16
# DURATION=20 (seconds) WARMUP=3 (seconds) PAGE_SIZE=50 BENCH_OUT=(new temp dir)
# PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres RUST_LOG=(server default: info)
# SKIP_BUILD=1 to reuse an existing target/release/rampart. Shared helpers: bench/lib.sh.
set -euo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init http.sh "${1:-sqlite}"

SEED_APPS=${SEED_APPS:-10000}
SEED_WORKERS=${SEED_WORKERS:-16}
PAGE_SIZE=${PAGE_SIZE:-50}

bench_build
bench_start_server
RSS_IDLE=$(rss_kib)

# --- seed --------------------------------------------------------------------------------
log "seeding $SEED_APPS apps with $SEED_WORKERS workers"
SEED_LINE=$(timeout 360 python3 "$BENCH_DIR/seed.py" "$BASE" "$SEED_APPS" "$SEED_WORKERS" "$WORK/ids.txt" 300)
log "$SEED_LINE"
TOTAL=$(total_data "/ias/v1/apps?size=1")
[ "$TOTAL" = "$SEED_APPS" ] || die "expected $SEED_APPS apps after seeding, the server reports $TOTAL"
PAGES=$(((SEED_APPS + PAGE_SIZE - 1) / PAGE_SIZE))
sleep 1
RSS_REST=$(rss_kib)

# --- load --------------------------------------------------------------------------------
ROWS=()
RUN_TAG="$(date +%s)-$$"

# measure LABEL SCRIPT ARGS... — run_wrk, then one table row.
measure() {
	run_wrk "$@"
	ROWS+=("| $DB_KIND | \`$1\` | $(wrk_get requests) | $(wrk_get rps) | $(wrk_get p50_ms) | $(wrk_get p99_ms) | $(wrk_get max_ms) | $(wrk_errors) | ${WRK_CPU}% | $(mib "$WRK_PEAK") |")
}

LOAD_BEFORE=$(loadavg)
measure "GET /ias/v1/apps/{id}" get_app.lua "$WORK/ids.txt"
measure "GET /ias/v1/apps?size=$PAGE_SIZE&index=rand" list_apps.lua "$PAGES" "$PAGE_SIZE"
measure "POST /ias/v1/apps" create_app.lua "$RUN_TAG-{phase}"
LOAD_AFTER=$(loadavg)
FINAL=$(total_data "/ias/v1/apps?size=1")
grep -E 'WARN|ERROR' "$WORK/server.log" >"$OUT/server-warnings.log" || true

# --- report ------------------------------------------------------------------------------
{
	echo "### rampart HTTP benchmark — $DB_KIND"
	echo
	echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ); commit $(commit_line)"
	echo "- machine: $(machine_line); load average before/after: $LOAD_BEFORE / $LOAD_AFTER"
	echo "- wrk: $THREADS threads, $CONNECTIONS connections, ${DURATION}s per endpoint after a ${WARMUP}s warm-up; server log level: ${RUST_LOG:-default (info)}"
	echo "- seed: $SEED_LINE ($SEED_WORKERS concurrent clients, Python)"
	echo "- apps in the database after the POST run: $FINAL; server warnings/errors logged: $(wc -l <"$OUT/server-warnings.log")"
	echo "- server RSS: $(mib "$RSS_IDLE") MiB after start-up, $(mib "$RSS_REST") MiB at rest after seeding, $(mib "$PEAK_ALL") MiB peak under load"
	echo
	echo "| DB | Endpoint | Requests | req/s | p50 ms | p99 ms | max ms | errors | server CPU | peak RSS MiB |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	printf '%s\n' "${ROWS[@]}"
	echo
	echo "Raw wrk output: $OUT"
} | tee "$OUT/summary.md"
