#!/usr/bin/env python3
"""Compares two builds of rampart-report's render_bench example, interleaving their runs so that
machine load hits both alike: median render time and peak RSS per format (docs/BENCHMARKS.md).

usage: bench/report_compare.py BEFORE_BIN AFTER_BIN [N=10000] [RUNS=3]
"""
import json, subprocess, statistics, sys
bins = {"before": sys.argv[1], "after": sys.argv[2]}
N = sys.argv[3] if len(sys.argv) > 3 else "10000"
runs = int(sys.argv[4]) if len(sys.argv) > 4 else 3
res = {}
for f in ["none","json","sarif","html","csv","junit","markdown"]:
    for r in range(runs):
        for k, b in bins.items():
            d = json.loads(subprocess.check_output([b, f, N]).decode())
            res.setdefault((f,k), []).append(d)
for f in ["none","json","sarif","html","csv","junit","markdown"]:
    row=[f]
    for k in bins:
        ds=res[(f,k)]
        t = [d.get("render_ms", d.get("build_ms")) for d in ds]
        rss = [d["peak_rss_kib"]/1024 for d in ds]
        size = ds[0].get("bytes","-")
        row.append(f"{k}: median {statistics.median(t):.1f} ms (runs {'/'.join(f'{x:.1f}' for x in t)}), rss {statistics.median(rss):.1f} MiB, bytes {size}")
    print(" | ".join(row))
