#!/usr/bin/env bash
# bench/files.sh [sqlite|postgres] — app file content throughput and server memory: a
# 10 MiB OpenAPI file uploaded and downloaded ROUNDS times (default 10) through
# POST/GET /ias/v1/apps/{id}/files/{file_id}, the server's peak VmRSS sampled meanwhile.
# Knobs: SIZE_MIB (10), ROUNDS (10), SKIP_BUILD=1, PG* as in bench/lib.sh.
set -euo pipefail
NEED_WRK=0
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init bench/files.sh "${1:-sqlite}"
SIZE_MIB=${SIZE_MIB:-10}
ROUNDS=${ROUNDS:-10}
bench_build
bench_start_server

post() { curl -sf -D - -o /dev/null -H "X-Api-Key: $KEY" -H 'Content-Type: application/json' -d "$2" "$BASE$1" |
	tr -d '\r' | awk -F'/' 'tolower($0) ~ /^location:/ {print $NF}'; }
APP=$(post /ias/v1/apps '{"name": "files-bench"}')
FILE=$(post "/ias/v1/apps/$APP/files" '{"name": "big.json", "type": "SWAGGER"}')
[ -n "$APP" ] && [ -n "$FILE" ] || die "could not create the app and the file"

IDLE=$(rss_kib)
start_sampler "$WORK/files.rss"
t0=$(cpu_ticks)
s0=$(date +%s.%N)
LINE=$(python3 "$BENCH_DIR/files.py" "$BASE" "$KEY" "$APP" "$FILE" "$SIZE_MIB" "$ROUNDS")
s1=$(date +%s.%N)
t1=$(cpu_ticks)
stop_sampler
PEAK=$(sort -n "$WORK/files.rss" | tail -n 1)
AFTER=$(rss_kib)
CPU=$(awk -v d="$((t1 - t0))" -v hz="$CLK_TCK" -v a="$s0" -v b="$s1" 'BEGIN {printf "%.0f", d / hz / (b - a) * 100}')
log "$LINE"
cat <<OUT

### files on $DB_KIND ($(date -u +%Y-%m-%d), commit $(commit_line), $(machine_line), load $(loadavg))

| size | rounds | upload median | upload MiB/s (median / best) | download median | download MiB/s (median / best) | server RSS idle → peak → after | server CPU |
| --- | --- | --- | --- | --- | --- | --- | --- |
| $SIZE_MIB MiB | $ROUNDS | $(echo "$LINE" | tr ' ' '\n' | awk -F= '$1=="upload_median_s"{print $2}') s | $(echo "$LINE" | tr ' ' '\n' | awk -F= '$1=="upload_mib_s"{print $2}') / $(echo "$LINE" | tr ' ' '\n' | awk -F= '$1=="upload_best_mib_s"{print $2}') | $(echo "$LINE" | tr ' ' '\n' | awk -F= '$1=="download_median_s"{print $2}') s | $(echo "$LINE" | tr ' ' '\n' | awk -F= '$1=="download_mib_s"{print $2}') / $(echo "$LINE" | tr ' ' '\n' | awk -F= '$1=="download_best_mib_s"{print $2}') | $(mib "$IDLE") → $(mib "$PEAK") → $(mib "$AFTER") MiB | ${CPU}% |
OUT
