#!/usr/bin/env bash
# bench/load.sh [sqlite|postgres] — bounded, self-stopping load test: mixed API traffic while
# testbed scans run, with latency, errors and the server's RSS over time.
#
# Starts the testbed and `rampart server` (fresh database, loopback, rate limits raised so
# the limiter still counts every request but never refuses one), seeds SEED_APPS apps, then
# for DURATION seconds runs at once
#   - wrk with bench/mixed.lua: list/get/create/search over /ias/v1 and /v1 (8 kinds of
#     request in turn), CONNECTIONS connections;
#   - bench/load_scans.py: one testbed scan after another (system template TEMPLATE) on the
#     server's embedded engine; the one running at the end is stopped;
#   - a sampler of the server's VmRSS every SAMPLE seconds.
# Prints a Markdown summary: requests, p50/p90/p99/max latency, every non-2xx status and
# socket error, scans completed, and RSS at start, after the warm-up (the first WARMUP_RSS
# seconds), at the end, its peak, and the least-squares slope after the warm-up (KiB/min).
# Exits non-zero on any error answer, any failed scan, or growth of the server's heap
# (RssAnon: its own memory) after the warm-up above RSS_GROWTH_MAX_KIB. VmRSS is reported
# too, with its file-backed part (RssFile): on SQLite that holds the kernel's pages of the
# database file that SQLite reads through its memory map, which grow with the database (its
# size, with the WAL, is sampled beside them) and which the kernel reclaims under pressure.
# Everything is bounded by `timeout` or a deadline.
#
# Environment (defaults): DURATION=600 (the recorded figure; SHORT=1 → 60) WARMUP_RSS=120
# (SHORT=1 → 20) SAMPLE=5 SEED_APPS=2000 THREADS=2 CONNECTIONS=8 TEMPLATE="SQL Injection"
# RSS_GROWTH_MAX_KIB=10240 RAMPART_BIN=target/release/rampart (a debug binary works:
# RAMPART_BIN=target/debug/rampart SKIP_BUILD=1) TESTBED_BIN=(next to RAMPART_BIN)
# BENCH_OUT=(new temp dir); PostgreSQL: PGHOST/PGPORT/PGUSER as bench/lib.sh.
set -euo pipefail

# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [ "${SHORT:-0}" = 1 ]; then
	DURATION=${DURATION:-60}
	WARMUP_RSS=${WARMUP_RSS:-20}
else
	DURATION=${DURATION:-600}
	WARMUP_RSS=${WARMUP_RSS:-120}
fi
CONNECTIONS=${CONNECTIONS:-8}
bench_init load.sh "${1:-sqlite}"
SAMPLE=${SAMPLE:-5}
SEED_APPS=${SEED_APPS:-2000}
TEMPLATE=${TEMPLATE:-SQL Injection}
RSS_GROWTH_MAX_KIB=${RSS_GROWTH_MAX_KIB:-10240}
TESTBED_BIN=${TESTBED_BIN:-$(dirname "$BIN")/rampart-testbed}
export RAMPART_RATE_LIMIT_TENANT=100000000 RAMPART_RATE_LIMIT_CREDENTIAL=100000000

bench_build
[ -x "$TESTBED_BIN" ] || die "no testbed binary at $TESTBED_BIN (cargo build -p rampart-testbed)"

"$TESTBED_BIN" --listen 127.0.0.1:0 --https-listen none >"$WORK/testbed.out" 2>"$WORK/testbed.log" &
BENCH_CHILDREN=$!
TESTBED=
for _ in $(seq 1 300); do
	TESTBED=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/testbed.out" | head -n 1 || true)
	[ -n "$TESTBED" ] && break
	kill -0 "$BENCH_CHILDREN" 2>/dev/null || die "the testbed exited during start-up"
	sleep 0.1
done
[ -n "$TESTBED" ] || die "the testbed printed no address within 30 s"
log "testbed at $TESTBED"

bench_start_server
RSS_START=$(rss_kib)
log "seeding $SEED_APPS apps"
timeout 600 python3 "$BENCH_DIR/seed.py" "$BASE" "$SEED_APPS" 8 "$WORK/ids.txt" 540 >&2
PAGES=$(((SEED_APPS + 49) / 50))

log "load for ${DURATION}s: wrk ($CONNECTIONS connections) + scans ($TEMPLATE)"
(
	t0=$(date +%s)
	while kill -0 "$SERVER_PID" 2>/dev/null; do
		echo "$(($(date +%s) - t0)) $(rss_kib || echo 0) $(rss_anon_file_kib || echo 0 0) $(db_kib)"
		sleep "$SAMPLE"
	done
) >"$OUT/rss.txt" &
SAMPLER_PID=$!
timeout $((DURATION + 300)) python3 "$BENCH_DIR/load_scans.py" "$BASE" "$TESTBED" "$DURATION" "$TEMPLATE" \
	>"$OUT/scans.txt" 2>"$OUT/scans.log" &
SCANS_PID=$!
BENCH_CHILDREN="$BENCH_CHILDREN $SCANS_PID"
CPU0=$(cpu_ticks)
timeout $((DURATION + 60)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency --timeout 10s \
	-s "$BENCH_DIR/mixed.lua" "$BASE" -- "$WORK/ids.txt" "$PAGES" "load-$$" >"$OUT/wrk.txt"
CPU1=$(cpu_ticks)
SCANS_RC=0
wait "$SCANS_PID" || SCANS_RC=$?
stop_sampler

WRK_LINE=$(grep '^BENCH ' "$OUT/wrk.txt")
MIXED=$(grep '^MIXED' "$OUT/wrk.txt" | sed 's/^MIXED *//')
SCANS=$(grep '^SCANS ' "$OUT/scans.txt" || echo "SCANS (none: $(tail -n 1 "$OUT/scans.log"))")
read -r RSS_WARM RSS_END RSS_PEAK SLOPE ANON_WARM ANON_END ANON_PEAK ANON_SLOPE FILE_WARM FILE_END DB_WARM DB_END < <(
	python3 - "$OUT/rss.txt" "$WARMUP_RSS" <<'PY'
import sys
# Columns: seconds, VmRSS, RssAnon (the heap: the server's own), RssFile (mapped files:
# the binary, SQLite's memory map of its database), the database's size (SQLite: the file
# and its WAL; PostgreSQL: 0) — all in KiB.
rows = [tuple(map(int, l.split())) for l in open(sys.argv[1]) if len(l.split()) == 5 and l.split()[1] != "0"]
warm = int(sys.argv[2])
after = [r for r in rows if r[0] >= warm] or rows[-1:]
out = []
for col in (1, 2):
    n = len(after)
    mt = sum(r[0] for r in after) / n
    mr = sum(r[col] for r in after) / n
    var = sum((r[0] - mt) ** 2 for r in after)
    slope = (sum((r[0] - mt) * (r[col] - mr) for r in after) / var * 60) if var else 0.0
    out += [after[0][col], rows[-1][col], max(r[col] for r in rows), f"{slope:.1f}"]
out += [after[0][3], rows[-1][3], after[0][4], rows[-1][4]]
print(*out)
PY
)
GROWTH=$((RSS_END - RSS_WARM))
HEAP_GROWTH=$((ANON_END - ANON_WARM))
CPU=$(awk -v d="$((CPU1 - CPU0))" -v hz="$CLK_TCK" -v s="$DURATION" 'BEGIN {printf "%.0f", d / hz / s * 100}')
ERRORS=$(wrk_errors)

cat <<MD
### Load: mixed API traffic while scans run ($DB_KIND, ${DURATION}s)

$(machine_line); load average before/after: $(loadavg); commit $(commit_line); binary $BIN

| requests | rps | p50 | p90 | p99 | max | non-2xx / socket errors | server CPU |
| --- | --- | --- | --- | --- | --- | --- | --- |
| $(wrk_get requests) | $(wrk_get rps) | $(wrk_get p50_ms) ms | $(wrk_get p90_ms) ms | $(wrk_get p99_ms) ms | $(wrk_get max_ms) ms | $(wrk_get status_errors) / $(wrk_get socket_errors) ${MIXED:+($MIXED)} | ${CPU}% |

Scans: $SCANS

| RSS at start | after ${WARMUP_RSS}s warm-up | at the end | peak | growth after warm-up | slope after warm-up |
| --- | --- | --- | --- | --- | --- |
| $(mib "$RSS_START") MiB | $(mib "$RSS_WARM") MiB | $(mib "$RSS_END") MiB | $(mib "$RSS_PEAK") MiB | $(mib "$GROWTH") MiB | $SLOPE KiB/min |

Of which anonymous memory (RssAnon: the heap): $(mib "$ANON_WARM") MiB after the warm-up, $(mib "$ANON_END") MiB at the end (peak $(mib "$ANON_PEAK") MiB, slope $ANON_SLOPE KiB/min); mapped files (RssFile: the binary, SQLite's memory map of the database): $(mib "$FILE_WARM") → $(mib "$FILE_END") MiB$(if [ "$DB_KIND" = sqlite ]; then echo "; the database file with its WAL: $(mib "$DB_WARM") → $(mib "$DB_END") MiB"; fi). **Heap growth after the warm-up: $(mib "$HEAP_GROWTH") MiB** (the bound: $(mib "$RSS_GROWTH_MAX_KIB") MiB).

RSS samples (seconds, VmRSS, RssAnon, RssFile in KiB) are in $OUT/rss.txt.
MD

# The server's log (one `served … elapsed_us` line per request) for reading latency per path.
cp "$WORK/server.log" "$OUT/server.log" 2>/dev/null || true
FAIL=0
[ "$ERRORS" = 0 ] || { echo "load.sh: $ERRORS error answers ($MIXED)" >&2; FAIL=1; }
[ "$SCANS_RC" = 0 ] || { echo "load.sh: the scans failed: $(tail -n 3 "$OUT/scans.log")" >&2; FAIL=1; }
[ "$HEAP_GROWTH" -le "$RSS_GROWTH_MAX_KIB" ] || { echo "load.sh: the heap (RssAnon) grew by $HEAP_GROWTH KiB after the warm-up" >&2; FAIL=1; }
exit "$FAIL"
