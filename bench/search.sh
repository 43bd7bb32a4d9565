#!/usr/bin/env bash
# bench/search.sh [sqlite|postgres] — reproducible benchmark of POST /ias/v1/search over apps.
#
# Builds the release binary, starts `rampart server` on a fresh database (as bench/http.sh,
# with the helpers of bench/lib.sh), seeds SEED_APPS apps with varied names and
# descriptions (`seed.py --varied`: names like `shop-1234-api`, descriptions like
# `public website of the growth team, hosted in eu-west-1`; deterministic), checks
# `total_data`, then for each query checks that the search answers 200 with exactly the
# number of matches the seeder computed, and runs wrk against
#   POST /ias/v1/search?size=PAGE_SIZE  {"type": "APP", "query": ...}
# for
#   contains: app.name CONTAINS 'legacy'                                     (~1% of apps)
#   combined: app.name STARTS WITH 'shop-1' && app.description CONTAINS 'eu'
#             || app.name = '<name of seeded app 42>'                          (~0.3%)
#   exact:    app.name = '<name of seeded app 42>'                   (1 app; the baseline)
# Each run has a short warm-up; the server's VmRSS is sampled every 0.5 s. Prints a
# Markdown summary (also saved with wrk's raw output under $BENCH_OUT), plus the query plans
# of the count and page statements (psql EXPLAIN ANALYZE / sqlite3 EXPLAIN QUERY PLAN).
#
# Environment (defaults): SEED_APPS=100000 SEED_WORKERS=16 THREADS=2 CONNECTIONS=16
# DURATION=15 (seconds) WARMUP=3 (seconds) PAGE_SIZE=50 BENCH_OUT=(new temp dir)
# PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres RUST_LOG=(server default: info)
# SKIP_BUILD=1 to reuse an existing target/release/rampart.
set -euo pipefail

DURATION=${DURATION:-15}
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_init search.sh "${1:-sqlite}"

SEED_APPS=${SEED_APPS:-100000}
SEED_WORKERS=${SEED_WORKERS:-16}
PAGE_SIZE=${PAGE_SIZE:-50}

bench_build
bench_start_server
RSS_IDLE=$(rss_kib)

# --- seed --------------------------------------------------------------------------------
log "seeding $SEED_APPS varied apps with $SEED_WORKERS workers"
SEED_LINE=$(timeout 960 python3 "$BENCH_DIR/seed.py" --varied "$WORK/stats.txt" \
	"$BASE" "$SEED_APPS" "$SEED_WORKERS" "$WORK/ids.txt" 900)
log "$SEED_LINE"
TOTAL=$(total_data "/ias/v1/apps?size=1")
[ "$TOTAL" = "$SEED_APPS" ] || die "expected $SEED_APPS apps after seeding, the server reports $TOTAL"
stat() { awk -F= -v k="$1" '$1 == k {print $2}' "$WORK/stats.txt"; }
EXACT=$(stat exact_name)
sleep 1
RSS_REST=$(rss_kib)

pct() { awk -v n="$1" -v d="$SEED_APPS" 'BEGIN {p = n / d * 100; printf (p < 0.1 ? "%.3f%%" : "%.2f%%"), p}'; }

# --- queries -----------------------------------------------------------------------------
NAMES=(contains combined exact)
declare -A QUERY EXPECT
QUERY[contains]="app.name CONTAINS 'legacy'"
EXPECT[contains]=$(stat contains)
QUERY[combined]="app.name STARTS WITH 'shop-1' && app.description CONTAINS 'eu' || app.name = '$EXACT'"
EXPECT[combined]=$(stat combined)
QUERY[exact]="app.name = '$EXACT'"
EXPECT[exact]=1

for q in "${NAMES[@]}"; do
	python3 -c 'import json, sys; print(json.dumps({"type": "APP", "query": sys.argv[1]}))' \
		"${QUERY[$q]}" >"$WORK/$q.json"
	# One request outside wrk: 200, the exact number of matches, a full first page.
	got=$(curl -sf -H "X-Api-Key: $KEY" -H 'Content-Type: application/json' \
		--data-binary "@$WORK/$q.json" "$BASE/ias/v1/search?size=$PAGE_SIZE" |
		python3 -c 'import json, sys; b = json.load(sys.stdin); print(b["metadata"]["total_data"], len(b["data"]))') ||
		die "search '$q' failed: ${QUERY[$q]}"
	want_page=$((EXPECT[$q] < PAGE_SIZE ? EXPECT[$q] : PAGE_SIZE))
	[ "$got" = "${EXPECT[$q]} $want_page" ] ||
		die "search '$q' (${QUERY[$q]}): expected ${EXPECT[$q]} matches and $want_page on the page, got $got"
	log "$q: ${EXPECT[$q]} matches ($(pct "${EXPECT[$q]}")) — ${QUERY[$q]}"
done

# --- load --------------------------------------------------------------------------------
ROWS=()
LOAD_BEFORE=$(loadavg)
for q in "${NAMES[@]}"; do
	run_wrk "search $q" search.lua "$WORK/$q.json" "$PAGE_SIZE"
	ROWS+=("| $DB_KIND | $q | ${EXPECT[$q]} ($(pct "${EXPECT[$q]}")) | $(wrk_get requests) | $(wrk_get rps) | $(wrk_get p50_ms) | $(wrk_get p99_ms) | $(wrk_get max_ms) | $(wrk_errors) | ${WRK_CPU}% | $(mib "$WRK_PEAK") |")
done
LOAD_AFTER=$(loadavg)
grep -E 'WARN|ERROR' "$WORK/server.log" >"$OUT/server-warnings.log" || true

# --- plans -------------------------------------------------------------------------------
# The statements the store sends (sql-shared `page`: a COUNT(*) and the ordered page, with
# bound parameters), written out by hand. On PostgreSQL they are PREPAREd and executed 6
# times before EXPLAIN ANALYZE EXECUTE, as sqlx caches prepared statements per connection:
# from the 6th execution PostgreSQL may switch to a generic plan, which cannot use the
# LIKE prefix on an index (the pattern is a parameter). Saved as $OUT/plan-<query>.txt.
PAGE_COLS='"id", "org_id", "name", "description", "created_at", "updated_at"'
if [ "$DB_KIND" = postgres ] && command -v psql >/dev/null; then
	declare -A WHERE ARGS
	WHERE[contains]='"name" LIKE $2 ESCAPE '"'!'"
	ARGS[contains]="'%legacy%'"
	WHERE[combined]='("name" LIKE $2 ESCAPE '"'!'"' AND "description" LIKE $3 ESCAPE '"'!'"') OR "name" = $4'
	ARGS[combined]="'shop-1%', '%eu%', '$EXACT'"
	WHERE[exact]='"name" = $2'
	ARGS[exact]="'$EXACT'"
	ORG=$(psql -d "$PG_DB" -Atc 'SELECT org_id FROM apps LIMIT 1')
	for q in "${NAMES[@]}"; do
		n=$(($(echo "${ARGS[$q]}" | tr -cd ',' | wc -c) + 1))
		types=$(printf ', text%.0s' $(seq 1 "$n"))
		{
			echo "PREPARE c(uuid$types) AS SELECT COUNT(*) FROM apps WHERE org_id = \$1 AND (${WHERE[$q]});"
			echo "PREPARE p(uuid$types, bigint, bigint) AS SELECT $PAGE_COLS FROM apps WHERE org_id = \$1 AND (${WHERE[$q]}) ORDER BY name COLLATE \"C\" ASC, id ASC LIMIT \$$((n + 2)) OFFSET \$$((n + 3));"
			echo '\o /dev/null'
			for _ in 1 2 3 4 5 6; do
				echo "EXECUTE c('$ORG', ${ARGS[$q]}); EXECUTE p('$ORG', ${ARGS[$q]}, $PAGE_SIZE, 0);"
			done
			echo '\o'
			echo "EXPLAIN (ANALYZE, BUFFERS) EXECUTE c('$ORG', ${ARGS[$q]});"
			echo "EXPLAIN (ANALYZE, BUFFERS) EXECUTE p('$ORG', ${ARGS[$q]}, $PAGE_SIZE, 0);"
		} >"$WORK/plan-$q.sql"
		psql -d "$PG_DB" -X -o /dev/null -c 'ANALYZE apps' || true
		{
			echo "-- $q: ${QUERY[$q]}"
			psql -d "$PG_DB" -X -q -f "$WORK/plan-$q.sql"
		} >"$OUT/plan-$q.txt" 2>&1 ||
			log "plan for $q failed (see $OUT/plan-$q.txt)"
	done
elif [ "$DB_KIND" = sqlite ] && command -v sqlite3 >/dev/null; then
	declare -A WHERE
	WHERE[contains]="instr(name, 'legacy') > 0"
	WHERE[combined]="(instr(name, 'shop-1') = 1 AND instr(description, 'eu') > 0) OR name = '$EXACT'"
	WHERE[exact]="name = '$EXACT'"
	for q in "${NAMES[@]}"; do
		{
			echo "-- $q: ${QUERY[$q]}"
			sqlite3 "$WORK/rampart.db" "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM apps WHERE org_id = x'00' AND (${WHERE[$q]})"
			sqlite3 "$WORK/rampart.db" "EXPLAIN QUERY PLAN SELECT $PAGE_COLS FROM apps WHERE org_id = x'00' AND (${WHERE[$q]}) ORDER BY name, id LIMIT 50 OFFSET 0"
		} >"$OUT/plan-$q.txt" 2>&1 || log "plan for $q failed (see $OUT/plan-$q.txt)"
	done
fi

# --- report ------------------------------------------------------------------------------
{
	echo "### rampart search benchmark — $DB_KIND"
	echo
	echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ); commit $(commit_line)"
	echo "- machine: $(machine_line); load average before/after: $LOAD_BEFORE / $LOAD_AFTER"
	echo "- wrk: $THREADS threads, $CONNECTIONS connections, ${DURATION}s per query after a ${WARMUP}s warm-up; POST /ias/v1/search?size=$PAGE_SIZE; server log level: ${RUST_LOG:-default (info)}"
	echo "- seed: $SEED_LINE ($SEED_WORKERS concurrent clients, Python, seed.py --varied)"
	echo "- server warnings/errors logged: $(wc -l <"$OUT/server-warnings.log")"
	echo "- server RSS: $(mib "$RSS_IDLE") MiB after start-up, $(mib "$RSS_REST") MiB at rest after seeding, $(mib "$PEAK_ALL") MiB peak under load"
	echo
	for q in "${NAMES[@]}"; do
		echo "- $q: \`${QUERY[$q]}\`"
	done
	echo
	echo "| DB | Query | Matches | Requests | req/s | p50 ms | p99 ms | max ms | errors | server CPU | peak RSS MiB |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	printf '%s\n' "${ROWS[@]}"
	echo
	echo "Raw wrk output: $OUT"
} | tee "$OUT/summary.md"
