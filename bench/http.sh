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
# SKIP_BUILD=1 to reuse an existing target/release/rampart.
set -euo pipefail

DB_KIND=${1:-sqlite}
case "$DB_KIND" in
sqlite | postgres) ;;
*)
	echo "usage: $0 [sqlite|postgres]" >&2
	exit 2
	;;
esac

SEED_APPS=${SEED_APPS:-10000}
SEED_WORKERS=${SEED_WORKERS:-16}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-3}
PAGE_SIZE=${PAGE_SIZE:-50}
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
BIN=$TARGET/release/rampart

need() { command -v "$1" >/dev/null || {
	echo "http.sh: '$1' is required" >&2
	exit 2
}; }
need wrk
need curl
need python3
need timeout
if [ "$DB_KIND" = postgres ]; then
	need createdb
	need dropdb
fi

log() { echo "[http.sh $(date +%H:%M:%S)] $*" >&2; }

WORK=$(mktemp -d -t rampart-bench.XXXXXX)
OUT=${BENCH_OUT:-$(mktemp -d -t rampart-bench-results.XXXXXX)}
mkdir -p "$OUT"
SERVER_PID=
SAMPLER_PID=
PG_DB=

cleanup() {
	local rc=$?
	if [ -n "$SAMPLER_PID" ]; then
		kill "$SAMPLER_PID" 2>/dev/null || true
		wait "$SAMPLER_PID" 2>/dev/null || true
	fi
	if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill -TERM "$SERVER_PID" 2>/dev/null || true
		# Poll with a deadline: the server drains connections on SIGTERM.
		for _ in $(seq 1 100); do
			kill -0 "$SERVER_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
	fi
	if [ "$rc" -ne 0 ] && [ -f "$WORK/server.log" ]; then
		echo "--- last lines of the server log ---" >&2
		tail -n 20 "$WORK/server.log" >&2 || true
	fi
	if [ -n "$PG_DB" ]; then
		dropdb --if-exists --force "$PG_DB" || log "could not drop database $PG_DB"
	fi
	rm -rf "$WORK"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build -------------------------------------------------------------------------------
if [ "${SKIP_BUILD:-0}" != 1 ]; then
	log "building the release binary"
	(cd "$ROOT" && cargo build --release -p rampart)
fi
[ -x "$BIN" ] || {
	echo "http.sh: no binary at $BIN" >&2
	exit 2
}

# --- database ----------------------------------------------------------------------------
if [ "$DB_KIND" = sqlite ]; then
	DB_URL="sqlite://$WORK/rampart.db"
else
	PG_DB="rampart_bench_$(date +%s)_$$"
	createdb "$PG_DB"
	DB_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$PG_DB"
fi

# --- server ------------------------------------------------------------------------------
log "starting the server on $DB_KIND"
"$BIN" server --database "$DB_URL" --listen 127.0.0.1:0 >"$WORK/server.stdout" 2>"$WORK/server.log" &
SERVER_PID=$!

# The first start prints the key and a curl example with the bound address on stdout.
KEY=
BASE=
for _ in $(seq 1 600); do
	kill -0 "$SERVER_PID" 2>/dev/null || {
		echo "http.sh: the server exited during start-up" >&2
		exit 1
	}
	KEY=$(grep -o 'rmp_[A-Za-z0-9_-]*' "$WORK/server.stdout" | head -n 1 || true)
	BASE=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/server.stdout" | head -n 1 || true)
	[ -n "$KEY" ] && [ -n "$BASE" ] && break
	sleep 0.1
done
[ -n "$KEY" ] && [ -n "$BASE" ] || {
	echo "http.sh: no API key or address on the server's stdout within 60 s" >&2
	exit 1
}
export RAMPART_KEY=$KEY

ready=0
for _ in $(seq 1 300); do
	if [ "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Api-Key: $KEY" "$BASE/ias/v1/apps?size=1")" = 200 ]; then
		ready=1
		break
	fi
	sleep 0.1
done
[ "$ready" = 1 ] || {
	echo "http.sh: the server did not answer 200 within 30 s" >&2
	exit 1
}
log "server pid $SERVER_PID at $BASE"

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
CLK_TCK=$(getconf CLK_TCK)

start_sampler() {
	(
		while kill -0 "$SERVER_PID" 2>/dev/null; do
			rss_kib || true
			sleep 0.5
		done
	) >"$1" &
	SAMPLER_PID=$!
}
stop_sampler() {
	kill "$SAMPLER_PID" 2>/dev/null || true
	wait "$SAMPLER_PID" 2>/dev/null || true
	SAMPLER_PID=
}

RSS_IDLE=$(rss_kib)

# --- seed --------------------------------------------------------------------------------
log "seeding $SEED_APPS apps with $SEED_WORKERS workers"
SEED_LINE=$(timeout 360 python3 "$BENCH_DIR/seed.py" "$BASE" "$SEED_APPS" "$SEED_WORKERS" "$WORK/ids.txt" 300)
log "$SEED_LINE"
TOTAL=$(curl -sf -H "X-Api-Key: $KEY" "$BASE/ias/v1/apps?size=1" |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["metadata"]["total_data"])')
[ "$TOTAL" = "$SEED_APPS" ] || {
	echo "http.sh: expected $SEED_APPS apps after seeding, the server reports $TOTAL" >&2
	exit 1
}
PAGES=$(((SEED_APPS + PAGE_SIZE - 1) / PAGE_SIZE))
sleep 1
RSS_REST=$(rss_kib)

# --- load --------------------------------------------------------------------------------
ROWS=()
PEAK_ALL=0
RUN_TAG="$(date +%s)-$$"

# run_wrk LABEL SCRIPT WRK_SCRIPT_ARGS... — "{phase}" in an argument becomes warmup/measure
# (the POST script needs a distinct name prefix per invocation).
run_wrk() {
	local label=$1 script=$2 name
	shift 2
	name=$(echo "$label" | tr -c 'A-Za-z0-9\n' '_')
	local wrk_args=(-t"$THREADS" -c"$CONNECTIONS" --latency --timeout 5s -s "$BENCH_DIR/$script" "$BASE")
	log "warm-up ${WARMUP}s: $label"
	timeout $((WARMUP + 30)) wrk -d"${WARMUP}s" "${wrk_args[@]}" -- "${@//\{phase\}/warmup}" >"$OUT/$name.warmup.txt"
	log "measuring ${DURATION}s: $label"
	start_sampler "$OUT/$name.rss"
	local t0 t1
	t0=$(cpu_ticks)
	timeout $((DURATION + 30)) wrk -d"${DURATION}s" "${wrk_args[@]}" -- "${@//\{phase\}/measure}" >"$OUT/$name.txt"
	t1=$(cpu_ticks)
	stop_sampler
	local line peak cpu
	line=$(grep '^BENCH ' "$OUT/$name.txt")
	peak=$(sort -n "$OUT/$name.rss" | tail -n 1)
	[ "$peak" -gt "$PEAK_ALL" ] && PEAK_ALL=$peak
	cpu=$(awk -v d="$((t1 - t0))" -v hz="$CLK_TCK" -v s="$DURATION" 'BEGIN {printf "%.0f", d / hz / s * 100}')
	get() { echo "$line" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k {print $2}'; }
	ROWS+=("| $DB_KIND | \`$label\` | $(get requests) | $(get rps) | $(get p50_ms) | $(get p99_ms) | $(get max_ms) | $(($(get status_errors) + $(get socket_errors))) | ${cpu}% | $(mib "$peak") |")
	log "$line server_cpu=${cpu}% peak_rss_kib=$peak"
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
run_wrk "GET /ias/v1/apps/{id}" get_app.lua "$WORK/ids.txt"
run_wrk "GET /ias/v1/apps?size=$PAGE_SIZE&index=rand" list_apps.lua "$PAGES" "$PAGE_SIZE"
run_wrk "POST /ias/v1/apps" create_app.lua "$RUN_TAG-{phase}"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
FINAL=$(curl -sf -H "X-Api-Key: $KEY" "$BASE/ias/v1/apps?size=1" |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["metadata"]["total_data"])')
grep -E 'WARN|ERROR' "$WORK/server.log" >"$OUT/server-warnings.log" || true

# --- report ------------------------------------------------------------------------------
{
	echo "### rampart HTTP benchmark — $DB_KIND"
	echo
	echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ); commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
	echo "- machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM; load average before/after: $LOAD_BEFORE / $LOAD_AFTER"
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
