#!/usr/bin/env python3
"""Keep testbed scans running on a rampart server until a deadline (stdlib only).

Usage: load_scans.py BASE_URL TESTBED_URL SECONDS TEMPLATE_NAME
The API key is read from $RAMPART_KEY. Sets up a target (the testbed's host), an app and a
scan config whose attack template is the system template TEMPLATE_NAME, then submits a
scan, waits for it to end, and submits the next, until SECONDS have passed (the scan
running then is stopped). Prints one line per scan and
finally "SCANS complete=N failed=M other=K vulnerabilities=V"; exits non-zero on a failed
scan or an API error.
"""
import http.client
import json
import os
import sys
import time
import urllib.parse


def main():
    base, testbed, seconds, template = sys.argv[1], sys.argv[2].rstrip("/"), float(sys.argv[3]), sys.argv[4]
    key = os.environ["RAMPART_KEY"]
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)

    def call(method, path, body=None, ok=(200, 201, 202, 204)):
        headers = {"X-Api-Key": key}
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = json.dumps(body)
        conn.request(method, "/ias/v1" + path, body=data, headers=headers)
        r = conn.getresponse()
        text = r.read().decode()
        if r.status not in ok:
            sys.exit(f"{method} {path}: {r.status} {text}")
        loc = r.getheader("Location")
        return (json.loads(text) if text else None), (loc.rsplit("/", 1)[1] if loc else None)

    host = urllib.parse.urlsplit(testbed).hostname
    call("POST", "/targets", {"domain": host, "enabled": True}, ok=(201, 409))
    _, app = call("POST", "/apps", {"name": f"load shop {int(time.time())}"})
    page, _ = call("GET", "/attack-templates?size=100")
    tpl = next(t["id"] for t in page["data"] if t["name"] == template)
    _, cfg = call("POST", "/scan-configs", {"name": "load", "app": {"id": app}, "attack_template": {"id": tpl}})
    call("PUT", f"/scan-configs/{cfg}/options", {"crawl_config": {
        "seed_url_list": [{"value": testbed + "/"}],
        "scope_constraint_list": [{"url": testbed + "/*", "exclusion": "INCLUDE"}]}})
    deadline = time.time() + seconds
    counts = {"COMPLETE": 0, "FAILED": 0, "other": 0}
    while time.time() < deadline:
        started = time.time()
        _, scan = call("POST", "/scans", {"scan_config": {"id": cfg}})
        stopped = False
        while True:
            s, _ = call("GET", f"/scans/{scan}")
            if s["status"] in ("COMPLETE", "FAILED"):
                break
            if time.time() > deadline and not stopped:
                # Bounded: the scan running at the deadline is stopped (it ends COMPLETE
                # with what it found).
                call("PUT", f"/scans/{scan}/action", {"action": "STOP"}, ok=(200, 202, 204, 409))
                stopped = True
            if time.time() > deadline + 120:
                sys.exit(f"scan {scan} did not end after STOP: {s['status']}")
            time.sleep(1)
        counts[s["status"] if s["status"] in counts else "other"] += 1
        print(f"scan {scan} {s['status']} in {time.time() - started:.0f}s", file=sys.stderr, flush=True)
        if s["status"] == "FAILED":
            sys.exit(f"scan {scan} failed: {s.get('failure_reason')}")
    page, _ = call("GET", "/vulnerabilities?size=1")
    print(f"SCANS complete={counts['COMPLETE']} failed={counts['FAILED']} other={counts['other']} "
          f"vulnerabilities={page['metadata']['total_data']}")


if __name__ == "__main__":
    main()
