#!/usr/bin/env python3
"""Seed a rampart server with N apps through POST /ias/v1/apps (stdlib only).

Usage: seed.py BASE_URL COUNT CONCURRENCY IDS_FILE [DEADLINE_SECONDS]
The API key is read from $RAMPART_KEY. Each worker keeps one keep-alive connection.
Writes the created ids (from the Location header) to IDS_FILE, one per line, and
prints "SEED created=N seconds=S rate=R". Exits non-zero on any non-201 answer or
when the deadline passes.
"""
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse


def main() -> int:
    base, count, workers, ids_file = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    deadline = time.monotonic() + (float(sys.argv[5]) if len(sys.argv) > 5 else 300.0)
    key = os.environ["RAMPART_KEY"]
    url = urllib.parse.urlsplit(base)
    headers = {"X-Api-Key": key, "Content-Type": "application/json"}
    ids: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()
    next_index = iter(range(count))

    def worker() -> None:
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        while not errors:
            with lock:
                i = next(next_index, None)
            if i is None:
                break
            if time.monotonic() > deadline:
                with lock:
                    errors.append("deadline passed")
                break
            body = json.dumps({"name": f"seed-app-{i:06d}", "description": f"benchmark seed app {i}"})
            try:
                conn.request("POST", "/ias/v1/apps", body=body, headers=headers)
                res = conn.getresponse()
                payload = res.read()
            except (OSError, http.client.HTTPException) as e:
                with lock:
                    errors.append(f"request {i}: {e!r}")
                break
            location = res.getheader("Location") or ""
            if res.status != 201 or not location:
                with lock:
                    errors.append(f"request {i}: HTTP {res.status} {payload[:200]!r}")
                break
            with lock:
                ids.append(location.rstrip("/").rsplit("/", 1)[-1])
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    if errors:
        print(f"seed failed: {errors[0]}", file=sys.stderr)
        return 1
    with open(ids_file, "w") as f:
        f.write("\n".join(ids) + "\n")
    print(f"SEED created={len(ids)} seconds={elapsed:.1f} rate={len(ids) / elapsed:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
