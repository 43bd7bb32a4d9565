#!/usr/bin/env python3
"""bench/scaling.py — what one server replica and its PostgreSQL spend per scan, and how fast
a waiting engine gets a job. Feeds docs/SCALING.md.

Runs (release binaries; nothing but the Python standard library and psql):
  1. A fresh PostgreSQL database, the testbed on a loopback port, `rampart server --engines 0`
     on that database, one engine group with the engines of the run, and one app + target +
     ON_PREMISE scan config per scan.
  2. Work run: E1 (default 1) `rampart engine --slots 2` processes scan SCANS (default 4) copies
     of the testbed. Measured: the server process's CPU time (/proc/PID/stat utime+stime),
     PostgreSQL's work on the database (pg_stat_database: transactions, tuples written and read,
     blocks read/hit) between the first submit and the last COMPLETE, the engine-side
     scan-minutes (sum over scans of completion - start), and the findings ingested
     (discoveries of those scans).
  3. Claim latency: with W waiting engines (1, then 8 processes of one slot), CLAIMS scans are
     submitted one at a time; latency = the "Scan started by engine worker" platform event time
     minus submit_time (both server clock). Each claimed scan is canceled at once.

Usage: python3 bench/scaling.py            (SKIP_BUILD=1 to reuse target/release)
Environment: SCANS=4 E1=1 CLAIMS=20 PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres
"""

import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
BIN = os.path.join(TARGET, "release", "rampart")
TESTBED = os.path.join(TARGET, "release", "rampart-testbed")
PG = "postgres://{u}@{h}:{p}".format(
    u=os.environ.get("PGUSER", "postgres"),
    h=os.environ.get("PGHOST", "127.0.0.1"),
    p=os.environ.get("PGPORT", "5432"),
)
DB = "rampart_scaling_bench"
SCANS = int(os.environ.get("SCANS", "4"))
E1 = int(os.environ.get("E1", "1"))
CLAIMS = int(os.environ.get("CLAIMS", "20"))
TICKS = os.sysconf("SC_CLK_TCK")

procs = []


def cleanup():
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()


def psql(sql, db="postgres"):
    out = subprocess.run(
        ["psql", f"{PG}/{db}", "-Atc", sql], check=True, capture_output=True, text=True
    )
    return out.stdout.strip()


def wait_line(proc, pattern, deadline=60):
    """Reads proc's stdout until a line matches; returns the match."""
    end = time.time() + deadline
    rx = re.compile(pattern)
    while time.time() < end:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                raise SystemExit(f"process exited: {proc.args}")
            continue
        m = rx.search(line)
        if m:
            return m
    raise SystemExit(f"timed out waiting for {pattern!r}")


class Api:
    def __init__(self, base, key):
        self.base, self.key = base, key

    def call(self, method, path, body=None):
        req = urllib.request.Request(
            self.base + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"X-Api-Key": self.key, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                text = r.read().decode()
                return r.status, r.headers.get("Location"), (json.loads(text) if text else None)
        except urllib.error.HTTPError as e:
            raise SystemExit(f"{method} {path}: {e.code} {e.read().decode()}")

    def create(self, path, body):
        _, loc, _ = self.call("POST", path, body)
        return loc.rsplit("/", 1)[1]

    def get(self, path):
        return self.call("GET", path)[2]


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def pg_stats():
    row = psql(
        "SELECT xact_commit, tup_inserted, tup_updated, tup_deleted, tup_fetched, tup_returned,"
        f" blks_read, blks_hit FROM pg_stat_database WHERE datname = '{DB}'"
    )
    keys = ["xact", "inserted", "updated", "deleted", "fetched", "returned", "blks_read", "blks_hit"]
    return dict(zip(keys, map(int, row.split("|"))))


def parse_time(s):
    from datetime import datetime, timezone

    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=timezone.utc).timestamp()


def start_engines(api, group, n, slots, work):
    out = []
    for i in range(n):
        eid = api.create("/engines", {"name": f"bench-{group[:6]}-{i}-{time.time()}", "engine_group": {"id": group}})
        key = api.get(f"/engines/{eid}/credential")["api_key"]
        p = subprocess.Popen(
            [BIN, "engine", "--server", api.base.rsplit("/ias/v1", 1)[0], "--key", key, "--slots", str(slots)],
            stdout=open(os.path.join(work, f"engine-{group[:6]}-{i}.log"), "w"),
            stderr=subprocess.STDOUT,
        )
        procs.append(p)
        out.append(p)
    return out


def make_config(api, testbed, group, name, template):
    app = api.create("/apps", {"name": name})
    cfg = api.create(
        "/scan-configs",
        {
            "name": name,
            "app": {"id": app},
            "attack_template": {"id": template},
            "assignment": {"type": "ENGINE_GROUP", "id": group, "environment": "ON_PREMISE"},
        },
    )
    api.call(
        "PUT",
        f"/scan-configs/{cfg}/options",
        {
            "crawl_config": {
                "seed_url_list": [{"value": testbed + "/"}],
                "scope_constraint_list": [{"url": testbed + "/*"}],
            }
        },
    )
    return cfg


def wait_status(api, scan, statuses, deadline, every=0.05):
    end = time.time() + deadline
    while time.time() < end:
        s = api.get(f"/scans/{scan}")
        if s["status"] in statuses:
            return s
        time.sleep(every)
    raise SystemExit(f"scan {scan} did not reach {statuses}")


def main():
    if not os.environ.get("SKIP_BUILD"):
        subprocess.run(
            ["cargo", "build", "--release", "-p", "rampart", "-p", "rampart-testbed"], cwd=ROOT, check=True
        )
    work = tempfile.mkdtemp(prefix="rampart-scaling-")
    psql(f"DROP DATABASE IF EXISTS {DB}")
    psql(f"CREATE DATABASE {DB}")
    tb = subprocess.Popen(
        [TESTBED, "--listen", "127.0.0.1:0", "--https-listen", "none"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    procs.append(tb)
    testbed = "http://" + wait_line(tb, r"(127\.0\.0\.1:\d+)").group(1)
    srv = subprocess.Popen(
        [BIN, "server", "--database", f"{PG}/{DB}", "--listen", "127.0.0.1:0", "--engines", "0",
         "--log-format", "json", "--secret-key-file", os.path.join(work, "secret.key")],
        stdout=subprocess.PIPE, stderr=open(os.path.join(work, "server.log"), "w"), text=True,
    )
    procs.append(srv)
    key = wait_line(srv, r"X-Api-Key: (rmp_[A-Za-z0-9_-]+)' (http://[0-9.:]+)")
    api = Api(key.group(2) + "/ias/v1", key.group(1))
    api.create("/targets", {"domain": "127.0.0.1", "enabled": True})
    template = api.call("POST", "/search", {"type": "ATTACK_TEMPLATE", "query": "attacktemplate.name='All Modules'"})[2]["data"][0]["id"]

    # --- work run
    group = api.create("/engine-groups", {"name": "work"})
    start_engines(api, group, E1, 2, work)
    cfgs = [make_config(api, testbed, group, f"work-{i}", template) for i in range(SCANS)]
    time.sleep(1)  # let the engines' first heartbeat mark them online before submitting
    cpu0, pg0, t0 = cpu_seconds(srv.pid), pg_stats(), time.time()
    scans = [api.create("/scans", {"scan_config": {"id": c}}) for c in cfgs]
    # Poll once every 2 s: the measurement is the server's own work, not the polling's.
    done = [wait_status(api, s, {"COMPLETE", "FAILED"}, 1800, every=2) for s in scans]
    cpu1, pg1, t1 = cpu_seconds(srv.pid), pg_stats(), time.time()
    failed = [d for d in done if d["status"] != "COMPLETE"]
    scan_minutes = 0.0
    for s in scans:
        ev = api.get(f"/scans/{s}/platform-events")
        started = next(parse_time(e["time"]) for e in ev if e["event"].startswith("Scan started"))
        scan_minutes += (parse_time(api.get(f"/scans/{s}")["completion_time"]) - started) / 60
    findings = int(psql(
        "SELECT count(*) FROM vulnerability_discoveries WHERE scan_id IN (%s)"
        % ",".join(f"'{s}'" for s in scans), DB))
    cpu = cpu1 - cpu0
    d = {k: pg1[k] - pg0[k] for k in pg0}
    work_result = {
        "scans": SCANS, "failed": len(failed), "engines": E1, "slots_per_engine": 2,
        "wall_s": round(t1 - t0, 1), "api_polls_in_window": "one GET /scans/{id} per 2 s", "scan_minutes": round(scan_minutes, 2), "findings": findings,
        "server_cpu_s": round(cpu, 2),
        "server_cpu_ms_per_scan_minute": round(1000 * cpu / scan_minutes, 1),
        "server_cpu_ms_per_1000_findings": round(1e6 * cpu / max(findings, 1), 1),
        "pg": d,
        "pg_xact_per_scan_minute": round(d["xact"] / scan_minutes, 1),
        "pg_rows_written_per_1000_findings": round(1000 * (d["inserted"] + d["updated"]) / max(findings, 1), 1),
    }
    print(json.dumps({"work": work_result}, indent=2), flush=True)

    # --- claim latency
    claim = {}
    for waiting in (1, 8):
        g = api.create("/engine-groups", {"name": f"claim-{waiting}"})
        start_engines(api, g, waiting, 1, work)
        cfg = make_config(api, testbed, g, f"claim-{waiting}", template)
        time.sleep(1)
        lat = []
        for _ in range(CLAIMS):
            s = api.create("/scans", {"scan_config": {"id": cfg}})
            wait_status(api, s, {"RUNNING", "FAILED", "COMPLETE"}, 60)
            sub = parse_time(api.get(f"/scans/{s}")["submit_time"])
            ev = api.get(f"/scans/{s}/platform-events")
            st = next(parse_time(e["time"]) for e in ev if e["event"].startswith("Scan started"))
            lat.append((st - sub) * 1000)
            api.call("PUT", f"/scans/{s}/action", {"action": "CANCEL"})
            wait_status(api, s, {"FAILED", "COMPLETE"}, 60)
        lat.sort()
        claim[waiting] = {
            "samples": len(lat),
            "p50_ms": round(statistics.median(lat), 1),
            "p95_ms": round(lat[int(0.95 * (len(lat) - 1))], 1),
            "max_ms": round(lat[-1], 1),
        }
        print(json.dumps({"claim_latency_waiting_engines": {waiting: claim[waiting]}}), flush=True)
    print(json.dumps({"work": work_result, "claim": claim}))


if __name__ == "__main__":
    try:
        main()
    finally:
        cleanup()
        try:
            psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        except Exception:
            pass
