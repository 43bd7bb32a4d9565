#!/usr/bin/env python3
"""Upload and download one app file's content ROUNDS times (stdlib only).

Usage: files.py BASE KEY APP_ID FILE_ID SIZE_MIB ROUNDS
Builds a valid OpenAPI 3 JSON document of SIZE_MIB MiB, then each round POSTs it as
application/octet-stream and GETs it back with Accept: application/octet-stream, checking
the bytes. Prints one "BENCH k=v ..." line: median and best MiB/s of each direction.
"""
import json
import statistics
import sys
import time
import urllib.request

base, key, app, file_id, size_mib, rounds = sys.argv[1:7]
size = int(size_mib) * 1024 * 1024
rounds = int(rounds)

# An OpenAPI document padded with paths up to the size.
paths = {}
doc = {"openapi": "3.0.3", "info": {"title": "bench", "version": "1"}, "paths": paths}
op = {"get": {"responses": {"200": {"description": "x" * 200}}}}
i = 0
while True:
    paths[f"/p{i:08d}"] = op
    i += 1
    if i % 1000 == 0 and len(json.dumps(doc)) >= size:
        break
body = json.dumps(doc).encode()
url = f"{base}/ias/v1/apps/{app}/files/{file_id}"
up, down = [], []
for _ in range(rounds):
    req = urllib.request.Request(url, data=body, method="POST", headers={
        "X-Api-Key": key, "Content-Type": "application/octet-stream"})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=120) as r:
        assert r.status == 201, r.status
        r.read()
    up.append(time.perf_counter() - t0)
    req = urllib.request.Request(url, headers={
        "X-Api-Key": key, "Accept": "application/octet-stream"})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=120) as r:
        got = r.read()
    down.append(time.perf_counter() - t0)
    assert got == body, "downloaded bytes differ"
mib = len(body) / 1048576
print(
    f"BENCH bytes={len(body)} rounds={rounds}"
    f" upload_median_s={statistics.median(up):.3f} upload_mib_s={mib / statistics.median(up):.1f}"
    f" upload_best_mib_s={mib / min(up):.1f}"
    f" download_median_s={statistics.median(down):.3f} download_mib_s={mib / statistics.median(down):.1f}"
    f" download_best_mib_s={mib / min(down):.1f}"
)
