#!/usr/bin/env bash
# Proof that generators accept the OpenAPI document (issue 18 item 1), against a real
# `rampart server` (debug binary, fresh SQLite database, free loopback port, one embedded
# engine) and the testbed:
#   1. the served document validates (openapi-spec-validator, OpenAPI 3.1);
#   2. Postman's converter (openapi-to-postmanv2, npm) turns it into a collection;
#   3. openapi-python-client generates a Python client, and proof.py uses only that client
#      to create an app, submit a scan of one testbed page and read the vulnerability found.
# Tool versions are pinned in requirements.txt and package-lock.json.
set -euo pipefail
# shellcheck source=bench/fuzz/lib.sh
source "$(dirname "$0")/lib.sh"

WORK="$(mktemp -d)"
trap cleanup EXIT
started=$SECONDS

BIN="$(python_tools)"
npm_tools
binaries
start_testbed
db="sqlite://$WORK/rampart.db"
start_server "$db" "$WORK" 1
key="$(admin_key "$db")"
curl -fsS "$SERVER_URL/ias/v1/openapi.json" -o "$WORK/openapi.json"

log "openapi-spec-validator"
"$BIN/openapi-spec-validator" --schema 3.1.0 "$WORK/openapi.json"

log "openapi-to-postmanv2"
"$FUZZ/node_modules/.bin/openapi2postmanv2" -s "$WORK/openapi.json" -o "$WORK/collection.json" >"$WORK/postman.log" 2>&1 || {
  cat "$WORK/postman.log" >&2
  exit 1
}
"$BIN/python" - "$WORK/openapi.json" "$WORK/collection.json" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
col = json.load(open(sys.argv[2]))
def requests(items):
    for i in items:
        if "item" in i:
            yield from requests(i["item"])
        else:
            yield i
ops = sum(1 for item in doc["paths"].values() for m in item if m in ("get", "put", "post", "delete", "patch"))
got = sum(1 for _ in requests(col["item"]))
print(f"postman collection: {got} requests for {ops} operations")
if got != ops:
    sys.exit("the Postman collection lacks operations")
EOF

log "openapi-python-client"
printf 'project_name_override: rampart-api-client\npackage_name_override: rampart_api\n' >"$WORK/generator.yaml"
# Its post-hooks run ruff (a pinned dependency) from PATH; any warning fails the proof.
(cd "$WORK" && PATH="$BIN:$PATH" "$BIN/openapi-python-client" generate --path openapi.json \
  --config generator.yaml --meta none --output-path "$WORK/client/rampart_api" >"$WORK/generator.log" 2>&1) || {
  cat "$WORK/generator.log" >&2
  exit 1
}
if grep -qi "warning\|error" "$WORK/generator.log"; then
  cat "$WORK/generator.log" >&2
  exit 1
fi
PYTHONPATH="$WORK/client" "$BIN/python" "$FUZZ/proof.py" "$SERVER_URL" "$key" "$TESTBED_URL"
log "generators: passed in $((SECONDS - started)) s"
