#!/usr/bin/env python3
"""Seed a rampart server with N apps through POST /ias/v1/apps (stdlib only).

Usage: seed.py [--varied STATS_FILE] BASE_URL COUNT CONCURRENCY IDS_FILE [DEADLINE_SECONDS]
The API key is read from $RAMPART_KEY. Each worker keeps one keep-alive connection.
Writes the created ids (from the Location header) to IDS_FILE, one per line, and
prints "SEED created=N seconds=S rate=R". Exits non-zero on any non-201 answer or
when the deadline passes.

Without --varied, app i is named seed-app-00000i. With --varied, names and descriptions
come from `varied_app` (deterministic: a fixed-seed PRNG), and STATS_FILE receives, as
`KEY=VALUE` lines, the exact number of seeded apps each search benchmark query must match
(see `search_stats`), so bench/search.sh can check the server's `total_data`.
"""
import argparse
import http.client
import json
import os
import random
import sys
import threading
import time
import urllib.parse

# Ten families, drawn uniformly.
FAMILIES = ["shop", "billing", "app", "auth", "portal", "catalog", "media", "crm", "ledger", "mobile"]
# Component suffix, by weight (sums to 100): "legacy" is the ~1% CONTAINS target.
COMPONENTS = [("api", 30), ("web", 25), ("worker", 20), ("admin", 10), ("cron", 9), ("batch", 5), ("legacy", 1)]
PURPOSES = ["customer checkout", "internal tooling", "payment processing", "public website",
            "partner integration", "data export", "order tracking", "loyalty program"]
TEAMS = ["platform", "growth", "payments", "identity", "core", "data", "retail", "support"]
# Hosting region, by weight: the two "eu-" regions make ~30% of descriptions contain "eu".
REGIONS = [("eu-west-1", 20), ("eu-central-1", 10), ("us-east-1", 35), ("us-west-2", 20), ("ap-southeast-1", 15)]

# The search benchmark's queries, as predicates over (name, description); search.sh sends
# the same text. EXACT_INDEX names the app the `=` branch of the combined query targets.
CONTAINS_NEEDLE = "legacy"
PREFIX, DESC_NEEDLE, EXACT_INDEX = "shop-1", "eu", 42


def weighted(rng: random.Random, table: list[tuple[str, int]]) -> str:
    r = rng.randrange(sum(w for _, w in table))
    for value, w in table:
        if r < w:
            return value
        r -= w
    raise AssertionError("unreachable: r < total weight")


def varied_apps(count: int) -> list[tuple[str, str]]:
    """(name, description) for apps 0..count-1, e.g. ("shop-1234-api", "public website of
    the growth team, hosted in eu-west-1"). Names are unique (the index is in them)."""
    rng = random.Random(20261123)
    apps = []
    for i in range(count):
        family = rng.choice(FAMILIES)
        component = weighted(rng, COMPONENTS)
        purpose, team, region = rng.choice(PURPOSES), rng.choice(TEAMS), weighted(rng, REGIONS)
        apps.append((f"{family}-{i}-{component}", f"{purpose} of the {team} team, hosted in {region}"))
    return apps


def search_stats(apps: list[tuple[str, str]]) -> dict[str, str]:
    exact = apps[EXACT_INDEX][0] if len(apps) > EXACT_INDEX else "none"
    contains = sum(CONTAINS_NEEDLE in n for n, _ in apps)
    prefix = sum(n.startswith(PREFIX) for n, _ in apps)
    desc = sum(DESC_NEEDLE in d for _, d in apps)
    combined = sum((n.startswith(PREFIX) and DESC_NEEDLE in d) or n == exact for n, d in apps)
    return {"exact_name": exact, "contains": str(contains), "prefix": str(prefix),
            "desc": str(desc), "combined": str(combined)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--varied", metavar="STATS_FILE")
    ap.add_argument("base")
    ap.add_argument("count", type=int)
    ap.add_argument("workers", type=int)
    ap.add_argument("ids_file")
    ap.add_argument("deadline", type=float, nargs="?", default=300.0)
    args = ap.parse_args()
    base, count, workers, ids_file = args.base, args.count, args.workers, args.ids_file
    deadline = time.monotonic() + args.deadline
    if args.varied:
        apps = varied_apps(count)
        with open(args.varied, "w") as f:
            f.writelines(f"{k}={v}\n" for k, v in search_stats(apps).items())
    else:
        apps = [(f"seed-app-{i:06d}", f"benchmark seed app {i}") for i in range(count)]
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
            name, description = apps[i]
            body = json.dumps({"name": name, "description": description})
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
