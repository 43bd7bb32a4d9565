# Shared by bench/fuzz/run.sh and bench/fuzz/generators.sh (sourced, not run).
#
# Tools are pinned (requirements.txt, package.json + package-lock.json) and installed once
# under .cache/fuzz/ (ignored by git); a changed pin installs a fresh copy. Servers and the
# testbed listen on free loopback ports and are stopped by the EXIT trap of the caller.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FUZZ="$ROOT/bench/fuzz"
CACHE="$ROOT/.cache/fuzz"
PG_URL="${RAMPART_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
PIDS=()
DROP_DBS=()

log() { printf '== %s\n' "$*" >&2; }

# The Python tools in a venv keyed by the hash of requirements.txt; prints the venv's bin/.
# Called as `BIN="$(python_tools)"`, where `set -e` does not reach: every step checks, and
# a failed install leaves no `.complete` behind (the next run starts over) and fails.
python_tools() {
  local hash venv
  hash="$(sha256sum "$FUZZ/requirements.txt" | cut -c1-16)" || return 1
  venv="$CACHE/venv-$hash"
  if [ ! -x "$venv/bin/st" ] || [ ! -e "$venv/.complete" ]; then
    log "installing the pinned Python tools into $venv"
    rm -rf "$venv"
    mkdir -p "$CACHE" || return 1
    python3 -m venv "$venv" >&2 || { log "python3 -m venv failed (is python3-venv installed?)"; return 1; }
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$FUZZ/requirements.txt" >&2 ||
      { log "pip could not install bench/fuzz/requirements.txt"; return 1; }
    "$venv/bin/st" --version >/dev/null || { log "schemathesis does not run"; return 1; }
    touch "$venv/.complete" || return 1
  fi
  printf '%s/bin\n' "$venv"
}

# openapi-to-postmanv2 from package-lock.json (npm ci), into bench/fuzz/node_modules.
npm_tools() {
  local stamp="$FUZZ/node_modules/.lock-hash" hash
  hash="$(sha256sum "$FUZZ/package-lock.json" | cut -c1-16)" || return 1
  if [ "$(cat "$stamp" 2>/dev/null)" != "$hash" ]; then
    log "installing the pinned npm tools (npm ci)"
    command -v npm >/dev/null || { log "npm is not installed"; return 1; }
    (cd "$FUZZ" && npm ci --no-audit --no-fund --loglevel=error >&2) ||
      { log "npm ci could not install bench/fuzz/package-lock.json"; return 1; }
    printf '%s' "$hash" >"$stamp"
  fi
}

# The debug binaries: RAMPART_BIN / RAMPART_TESTBED_BIN, or those `cargo test --workspace`
# builds (the integration tests run both): built the same way here, so that right after the
# test suite this is a no-op (`cargo build -p …` would resolve features differently and
# compile much of the tree again).
binaries() {
  if [ -z "${RAMPART_BIN:-}" ] || [ -z "${RAMPART_TESTBED_BIN:-}" ]; then
    log "cargo test --workspace --no-run (the debug rampart and rampart-testbed binaries)"
    (cd "$ROOT" && cargo test --workspace --no-run --quiet >&2)
  fi
  RAMPART_BIN="${RAMPART_BIN:-$ROOT/target/debug/rampart}"
  RAMPART_TESTBED_BIN="${RAMPART_TESTBED_BIN:-$ROOT/target/debug/rampart-testbed}"
  export RAMPART_BIN RAMPART_TESTBED_BIN
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_http URL SECONDS: polls until URL answers 200.
wait_http() {
  local url="$1" deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "no answer from $url within $2 s"
      return 1
    fi
    sleep 0.2
  done
}

# start_server DATABASE_URL WORKDIR ENGINES: sets SERVER_URL and SERVER_PID. Rate limits
# off (the fuzzer sends thousands of requests a minute on one key).
start_server() {
  local db="$1" dir="$2" engines="$3" port
  port="$(free_port)"
  "$RAMPART_BIN" server --database "$db" --listen "127.0.0.1:$port" \
    --secret-key-file "$dir/secret.key" --instance-id "fuzz" --engines "$engines" \
    --rate-limit-tenant 0 --rate-limit-credential 0 >>"$dir/server.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  SERVER_URL="http://127.0.0.1:$port"
  if ! wait_http "$SERVER_URL/readyz" 120; then
    tail -n 40 "$dir/server.log" >&2
    return 1
  fi
}

stop_server() {
  if [ -n "${SERVER_PID:-}" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
  fi
}

# start_testbed: sets TESTBED_URL (plain HTTP only).
start_testbed() {
  local port
  port="$(free_port)"
  "$RAMPART_TESTBED_BIN" --listen "127.0.0.1:$port" --https-listen none >/dev/null 2>&1 &
  PIDS+=("$!")
  TESTBED_URL="http://127.0.0.1:$port"
  wait_http "$TESTBED_URL/" 60
}

# admin_key DATABASE_URL: an organization key (Product Admin) made with `rampart key create`.
admin_key() {
  "$RAMPART_BIN" key create --database "$1" --role product-admin --org --name fuzz
}

# fresh_pg_db: creates an empty database next to RAMPART_TEST_PG_URL's (dropped by
# cleanup); sets PG_DB_URL.
fresh_pg_db() {
  local name="rampart_fuzz_$$_$RANDOM"
  psql "$PG_URL" -qAtc "create database $name" >/dev/null
  DROP_DBS+=("$name")
  PG_DB_URL="${PG_URL%/*}/$name"
}

cleanup() {
  local pid name
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  for name in "${DROP_DBS[@]}"; do
    psql "$PG_URL" -qAtc "drop database if exists $name with (force)" >/dev/null 2>&1 || true
  done
  if [ -n "${WORK:-}" ] && [ -z "${KEEP_WORK:-}" ]; then
    rm -rf "$WORK"
  fi
}
