#!/usr/bin/env bash
# Time and peak memory to render each report format for a scan with N findings (default
# 10,000): one process per format (peak RSS = VmHWM of that process). See docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-10000}"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  cargo build --release -p rampart-report --example render_bench
fi
BIN="${CARGO_TARGET_DIR:-target}/release/examples/render_bench"
echo "| format | render time (ms) | output size (bytes) | peak RSS (MiB) |"
echo "| --- | ---: | ---: | ---: |"
for f in none json sarif html csv junit markdown; do
  line=$("$BIN" "$f" "$N")
  python3 - "$line" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
if d["format"] == "none":
    print(f"| (model only, {d['findings']} findings) | build {d['build_ms']} | - | {d['peak_rss_kib']/1024:.1f} |")
else:
    print(f"| {d['format']} | {d['render_ms']} | {d['bytes']} | {d['peak_rss_kib']/1024:.1f} |")
PY
done
