# bench/lib.sh — shell helpers shared by bench/http.sh and bench/search.sh (sourced, not run).
#
# A script sources this file after `set -euo pipefail`, calls `bench_init NAME DB_KIND`, then
# `bench_build`, `bench_start_server` (fresh database, server on a kernel-chosen loopback
# port, API key captured into $KEY and exported as $RAMPART_KEY, address in $BASE) and
# `run_wrk` for each measured run. The EXIT trap stops the server, drops the PostgreSQL
# database and removes the temp dir. Everything is bounded by deadlines or `timeout`.
#
# Environment read here (defaults): THREADS=2 CONNECTIONS=16 DURATION=20 WARMUP=3 (seconds)
# BENCH_OUT=(new temp dir) PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres SKIP_BUILD=1 to
# reuse an existing target/release/rampart.

# bench_init NAME DB_KIND — checks tools, sets the globals, creates the work dirs, installs
# the cleanup trap.
bench_init() {
	BENCH_NAME=$1
	DB_KIND=$2
	case "$DB_KIND" in
	sqlite | postgres) ;;
	*)
		echo "usage: $BENCH_NAME [sqlite|postgres]" >&2
		exit 2
		;;
	esac
	THREADS=${THREADS:-2}
	CONNECTIONS=${CONNECTIONS:-16}
	DURATION=${DURATION:-20}
	WARMUP=${WARMUP:-3}
	PGHOST=${PGHOST:-127.0.0.1}
	PGPORT=${PGPORT:-5432}
	PGUSER=${PGUSER:-postgres}
	export PGHOST PGPORT PGUSER

	BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	ROOT=$(dirname "$BENCH_DIR")
	TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
	BIN=${RAMPART_BIN:-$TARGET/release/rampart}

	# NEED_WRK=0: a script that measures with its own client (bench/files.sh).
	[ "${NEED_WRK:-1}" = 0 ] || need wrk
	need curl
	need python3
	need timeout
	if [ "$DB_KIND" = postgres ]; then
		need createdb
		need dropdb
	fi

	WORK=$(mktemp -d -t rampart-bench.XXXXXX)
	OUT=${BENCH_OUT:-$(mktemp -d -t rampart-bench-results.XXXXXX)}
	mkdir -p "$OUT"
	SERVER_PID=
	SAMPLER_PID=
	PG_DB=
	PEAK_ALL=0
	CLK_TCK=$(getconf CLK_TCK)
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
}

# need TOOL — exits 2 with one line saying what to install when TOOL is missing.
need() { command -v "$1" >/dev/null || {
	local pkg=$1
	case "$1" in
	createdb | dropdb) pkg=postgresql-client ;;
	timeout) pkg=coreutils ;;
	esac
	echo "${BENCH_NAME:-bench}: '$1' is required: apt-get install $pkg" >&2
	exit 2
}; }

log() { echo "[$BENCH_NAME $(date +%H:%M:%S)] $*" >&2; }

die() {
	echo "$BENCH_NAME: $*" >&2
	exit 1
}

bench_cleanup() {
	local rc=$?
	# Other processes a script started (bench/load.sh: the testbed, the scan loop).
	for pid in ${BENCH_CHILDREN:-}; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
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

bench_build() {
	if [ "${SKIP_BUILD:-0}" != 1 ]; then
		log "building the release binary"
		(cd "$ROOT" && cargo build --release -p rampart)
	fi
	[ -x "$BIN" ] || die "no binary at $BIN"
}

# bench_start_server — fresh database, server up and answering 200 with the captured key.
bench_start_server() {
	if [ "$DB_KIND" = sqlite ]; then
		DB_URL="sqlite://$WORK/rampart.db"
	else
		PG_DB="rampart_bench_$(date +%s)_$$"
		createdb "$PG_DB"
		DB_URL="postgres://$PGUSER@$PGHOST:$PGPORT/$PG_DB"
	fi

	log "starting the server on $DB_KIND"
	"$BIN" server --database "$DB_URL" --listen 127.0.0.1:0 >"$WORK/server.stdout" 2>"$WORK/server.log" &
	SERVER_PID=$!

	# The first start prints the key and a curl example with the bound address on stdout.
	KEY=
	BASE=
	for _ in $(seq 1 600); do
		kill -0 "$SERVER_PID" 2>/dev/null || die "the server exited during start-up"
		KEY=$(grep -o 'rmp_[A-Za-z0-9_-]*' "$WORK/server.stdout" | head -n 1 || true)
		BASE=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/server.stdout" | head -n 1 || true)
		[ -n "$KEY" ] && [ -n "$BASE" ] && break
		sleep 0.1
	done
	[ -n "$KEY" ] && [ -n "$BASE" ] || die "no API key or address on the server's stdout within 60 s"
	export RAMPART_KEY=$KEY

	local ready=0
	for _ in $(seq 1 300); do
		if [ "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Api-Key: $KEY" "$BASE/ias/v1/apps?size=1")" = 200 ]; then
			ready=1
			break
		fi
		sleep 0.1
	done
	[ "$ready" = 1 ] || die "the server did not answer 200 within 30 s"
	log "server pid $SERVER_PID at $BASE"
}

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status"; }
# "ANON FILE": the server's RssAnon (heap) and RssFile (mapped files) in KiB.
rss_anon_file_kib() { awk '/^RssAnon:/ {a = $2} /^RssFile:/ {f = $2} END {print a + 0, f + 0}' "/proc/$SERVER_PID/status"; }
# The database's size in KiB: SQLite's file and its WAL; 0 on PostgreSQL.
db_kib() {
	if [ "$DB_KIND" = sqlite ]; then
		du -k -c "$WORK/rampart.db" "$WORK/rampart.db-wal" 2>/dev/null | awk 'END {print $1 + 0}'
	else
		echo 0
	fi
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }

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

# total_data PATH [CURL_ARGS...] — metadata.total_data of a page answer.
total_data() {
	local path=$1
	shift
	curl -sf -H "X-Api-Key: $KEY" "$@" "$BASE$path" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["metadata"]["total_data"])'
}

# run_wrk LABEL SCRIPT WRK_SCRIPT_ARGS... — a warm-up then a measured wrk run. "{phase}" in
# an argument becomes warmup/measure (the POST script needs a distinct name prefix per
# invocation). Sets WRK_LINE (the script's "BENCH k=v ..." line), WRK_CPU (server CPU %,
# 100 = one core) and WRK_PEAK (peak VmRSS KiB during the measured run); raw output goes
# to $OUT/<label>.txt. `wrk_get KEY` reads a field of WRK_LINE.
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
	WRK_LINE=$(grep '^BENCH ' "$OUT/$name.txt")
	WRK_PEAK=$(sort -n "$OUT/$name.rss" | tail -n 1)
	[ "$WRK_PEAK" -gt "$PEAK_ALL" ] && PEAK_ALL=$WRK_PEAK
	WRK_CPU=$(awk -v d="$((t1 - t0))" -v hz="$CLK_TCK" -v s="$DURATION" 'BEGIN {printf "%.0f", d / hz / s * 100}')
	log "$WRK_LINE server_cpu=${WRK_CPU}% peak_rss_kib=$WRK_PEAK"
}
wrk_get() { echo "$WRK_LINE" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k {print $2}'; }
wrk_errors() { echo $(($(wrk_get status_errors) + $(wrk_get socket_errors))); }

# machine_line — "N CPUs (model), X GiB RAM" for the summaries.
machine_line() {
	echo "$(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM"
}
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
commit_line() { git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown; }
