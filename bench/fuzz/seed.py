"""Seeds a running rampart server so that the fuzzer's GET-by-id routes have something to hit.

usage: seed.py SERVER_URL API_KEY TESTBED_URL OUT_TOML

Creates, over /ias/v1 and the identity routes: a target for the testbed's host, an app, an
attack template with the reflected-XSS module, a scan config seeded with one testbed page,
a scan (run to COMPLETE by the server's embedded engine: it finds a vulnerability), a
comment on that vulnerability, a tag on the app, a schedule, a blackout, an engine group, an
engine, a report, a user, an identity group and a service account, a file of the app, the
user as a member of the app and of the group, the group's grants, an API key. Then writes a
schemathesis configuration (OUT_TOML) whose dictionaries offer these ids for the path
parameters (half of the time: the other half stays generated) of the routes that read or
change them.

A DELETE route that would remove a seeded resource (or, like an app's, everything under it)
gets a resource of its own to delete instead, made here, and no ids taken from the answers
the fuzzer saw: a deleted app took its scan, vulnerability and comments with it, and every
route under them answered only 404 for the rest of the run.
"""

import json
import os
import re
import sys
import time
import uuid

import requests

MODULE_NAMESPACE = uuid.UUID("6f9a3b7e-2c41-4d0a-9e55-3a1d7c0b8e21")


def module_id(key: str) -> str:
    """The engine's stable module id (`rampart_engine::catalogue::module_id`)."""
    return str(uuid.uuid5(MODULE_NAMESPACE, key))


class Api:
    def __init__(self, base: str, key: str):
        self.base = base.rstrip("/")
        self.s = requests.Session()
        self.s.headers["X-Api-Key"] = key

    def call(self, method: str, path: str, body=None, ok=(200, 201, 202, 204)):
        r = self.s.request(method, self.base + path, json=body, timeout=30)
        if r.status_code not in ok:
            raise SystemExit(f"seed: {method} {path} -> {r.status_code} {r.text[:500]}")
        return r

    def create(self, path: str, body) -> str:
        r = self.call("POST", path, body)
        loc = r.headers.get("Location")
        if loc:
            return loc.rstrip("/").rsplit("/", 1)[-1]
        return r.json()["id"]

    def get(self, path: str):
        return self.call("GET", path).json()


def main() -> None:
    base, key, testbed, out = sys.argv[1:5]
    api = Api(base, key)
    host = testbed.split("//", 1)[1].split(":", 1)[0]
    ids: dict[str, list[str]] = {}

    def keep(kind: str, value: str) -> str:
        ids.setdefault(kind, []).append(value)
        return value

    keep("targets", api.create("/ias/v1/targets", {"domain": host, "enabled": True}))
    app = keep("apps", api.create("/ias/v1/apps", {"name": "Fuzz shop", "description": "seeded"}))
    tpl = keep("attack_templates", api.create("/ias/v1/attack-templates", {"name": "Fuzz template"}))
    keep(
        "template_modules",
        api.create(
            f"/ias/v1/attack-templates/{tpl}/modules",
            {"module_config_id": module_id("xss_reflected"), "enabled": True,
             "severity": "MEDIUM", "max_findings": 5},
        ),
    )
    cfg = keep(
        "scan_configs",
        api.create(
            "/ias/v1/scan-configs",
            {"name": "Fuzz config", "app": {"id": app}, "attack_template": {"id": tpl}},
        ),
    )
    api.call(
        "PUT",
        f"/ias/v1/scan-configs/{cfg}/options",
        {"crawl_config": {
            "seed_url_list": [{"value": f"{testbed}/greet.php?name=fuzz"}],
            "scope_constraint_list": [{"url": f"{testbed}/greet.php*", "exclusion": "INCLUDE"}],
        }},
    )
    scan = keep("scans", api.create("/ias/v1/scans", {"scan_config": {"id": cfg}}))
    deadline = time.monotonic() + 180
    while True:
        status = api.get(f"/ias/v1/scans/{scan}")["status"]
        if status in ("COMPLETE", "FAILED"):
            break
        if time.monotonic() > deadline:
            raise SystemExit(f"seed: scan {scan} still {status} after 180 s")
        time.sleep(0.5)
    if status != "COMPLETE":
        raise SystemExit(f"seed: scan {scan} ended {status}")
    vulns = api.get("/ias/v1/vulnerabilities?size=5")["data"]
    if not vulns:
        raise SystemExit("seed: the scan found no vulnerability")
    vuln = keep("vulnerabilities", vulns[0]["id"])
    keep("comments", api.create(f"/ias/v1/vulnerabilities/{vuln}/comments", {"content": "seeded"}))
    discoveries = api.get(f"/ias/v1/vulnerabilities/{vuln}/discoveries")
    for d in discoveries.get("data", []) if isinstance(discoveries, dict) else discoveries:
        keep("discoveries", d["id"])
    for v in api.get(f"/ias/v1/vulnerabilities/{vuln}")["variances"] or []:
        if v.get("id"):
            keep("variances", v["id"])
    tag = keep("tags", api.create("/ias/v1/tags", {"name": "fuzz"}))
    api.call("POST", f"/ias/v1/apps/{app}/tags", {"id": tag})
    keep("schedules", api.create(
        "/ias/v1/schedules",
        {"name": "Fuzz nightly", "app": {"id": app}, "scan_config": {"id": cfg},
         "enabled": False, "first_start": "2030-01-05T01:00:00Z", "frequency": {"type": "DAILY", "interval": 1}},
    ))
    keep("blackouts", api.create(
        "/ias/v1/blackouts",
        {"name": "Fuzz weekend", "app": {"id": app}, "enabled": False,
         "first_start": "2030-01-05T00:00:00Z", "first_end": "2030-01-06T00:00:00Z",
         "frequency": {"type": "WEEKLY", "interval": 1}},
    ))
    group = keep("engine_groups", api.create("/ias/v1/engine-groups", {"name": "Fuzz group"}))
    keep("engines", api.create("/ias/v1/engines", {"name": "Fuzz engine", "engine_group": {"id": group}}))
    keep("reports", api.create(
        "/ias/v1/reports",
        {"name": "Fuzz report", "type": "VULN_SUMMARY", "format": "CSV", "scan": {"id": scan}},
    ))
    for m in api.get("/ias/v1/modules")[:3]:
        keep("modules", m["id"])
    user = keep("users", api.create("/users", {"email": "fuzz@example.test", "role": "read-only"}))
    keep("identity_groups", api.create("/identity-groups", {"name": "fuzz-team"}))
    keep("service_accounts", api.create("/service-accounts", {"name": "fuzz-bot", "role": "read-only"}))
    group = ids["identity_groups"][0]
    keep("files", api.create(f"/ias/v1/apps/{app}/files", {"name": "fuzz.json", "type": "SWAGGER"}))
    api.call("POST", f"/ias/v1/apps/{app}/users", {"id": user})
    api.call("POST", f"/identity-groups/{group}/members", {"id": user})
    api.call("POST", f"/identity-groups/{group}/grants", {"applicationId": app})
    api.call("POST", f"/identity-groups/{group}/grants", {"tag": tag})
    keep("api_keys", api.create("/api-keys", {"name": "fuzz-seeded", "role": "read-only"}))
    # The module and attack a variance names: a pair the attack routes know.
    for v in api.get(f"/ias/v1/vulnerabilities/{vuln}")["variances"] or []:
        keep("modules", v["module"]["id"])
        keep("attacks", v["attack"]["id"])
    for t in api.get("/v1/connector-types"):
        keep("connector_types", t["name"])
    doc = api.get("/ias/v1/openapi.json")
    doomed = doomed_resources(api, doc, ids)
    write_config(out, ids, doomed, doc)
    print(json.dumps({**ids, **doomed}))


# (path regex of a DELETE route, its last path parameter, how to make one to delete); the
# other path parameters bind as in BINDINGS (the parents are the seeded ones). A route
# listed with no maker gets only made-up ids: there is nothing cheap to give it (a scan).
DOOMED = [
    (r"^/ias/v1/apps/\{id\}$", "id", lambda api, ids, n: api.create("/ias/v1/apps", {"name": f"Doomed {n}"})),
    (r"^(/v1)?/applications/\{id\}$", "id", lambda api, ids, n: api.create("/ias/v1/apps", {"name": f"Doomed {n}"})),
    (r"^/ias/v1/apps/\{id\}/files/\{file_id\}$", "file_id", lambda api, ids, n: api.create(
        f"/ias/v1/apps/{ids['apps'][0]}/files", {"name": f"doomed{n}.json", "type": "SWAGGER"})),
    (r"^/ias/v1/attack-templates/\{id\}$", "id", lambda api, ids, n: api.create(
        "/ias/v1/attack-templates", {"name": f"Doomed {n}"})),
    (r"^/ias/v1/attack-templates/\{id\}/modules/\{module_id\}$", "module_id", None),
    (r"^/ias/v1/scan-configs/\{id\}$", "id", lambda api, ids, n: api.create(
        "/ias/v1/scan-configs", {"name": f"Doomed {n}", "app": {"id": ids["apps"][0]},
                                 "attack_template": {"id": ids["attack_templates"][0]}})),
    (r"^/ias/v1/scans/\{id\}$", "id", None),
    (r"^/ias/v1/vulnerabilities/\{id\}/comments/\{comment_id\}$", "comment_id", lambda api, ids, n: api.create(
        f"/ias/v1/vulnerabilities/{ids['vulnerabilities'][0]}/comments", {"content": f"doomed {n}"})),
    (r"^/ias/v1/tags/\{id\}$", "id", lambda api, ids, n: api.create("/ias/v1/tags", {"name": f"doomed-{n}"})),
    (r"^/ias/v1/targets/\{id\}$", "id", lambda api, ids, n: api.create(
        "/ias/v1/targets", {"domain": f"doomed{n}.example.test", "enabled": False})),
    (r"^/ias/v1/schedules/\{id\}$", "id", lambda api, ids, n: api.create(
        "/ias/v1/schedules", {"name": f"Doomed {n}", "scan_config": {"id": ids["scan_configs"][0]},
                              "enabled": False, "first_start": "2030-01-05T01:00:00Z",
                              "frequency": {"type": "DAILY", "interval": 1}})),
    (r"^/ias/v1/blackouts/\{id\}$", "id", lambda api, ids, n: api.create(
        "/ias/v1/blackouts", {"name": f"Doomed {n}", "enabled": False,
                              "first_start": "2030-01-05T00:00:00Z", "first_end": "2030-01-06T00:00:00Z",
                              "frequency": {"type": "WEEKLY", "interval": 1}})),
    (r"^/ias/v1/engine-groups/\{id\}$", "id", lambda api, ids, n: api.create(
        "/ias/v1/engine-groups", {"name": f"Doomed {n}"})),
    (r"^/ias/v1/engines/\{id\}$", "id", lambda api, ids, n: api.create("/ias/v1/engines", {"name": f"Doomed {n}"})),
    (r"^/ias/v1/reports/\{id\}$", "id", lambda api, ids, n: api.create(
        "/ias/v1/reports", {"name": f"Doomed {n}", "type": "VULN_SUMMARY", "format": "CSV",
                            "scan": {"id": ids["scans"][0]}})),
    (r"^/users/\{id\}$", "id", lambda api, ids, n: api.create(
        "/users", {"email": f"doomed{n}@example.test", "role": "read-only"})),
    (r"^/identity-groups/\{id\}$", "id", lambda api, ids, n: api.create("/identity-groups", {"name": f"doomed-{n}"})),
    (r"^/service-accounts/\{id\}$", "id", lambda api, ids, n: api.create(
        "/service-accounts", {"name": f"doomed-{n}", "role": "read-only"})),
    (r"^(/v1)?/api-keys/\{id\}$", "id", lambda api, ids, n: api.create(
        "/api-keys", {"name": f"doomed-{n}", "role": "read-only"})),
]


def doomed_resources(api: "Api", doc: dict, ids: dict[str, list[str]]) -> dict[str, list[str]]:
    """One resource to delete per DELETE route of DOOMED (by path), made now."""
    doomed: dict[str, list[str]] = {}
    n = 0
    for path in sorted(doc["paths"]):
        if "delete" not in doc["paths"][path]:
            continue
        for regex, _, make in DOOMED:
            if re.search(regex, path):
                n += 1
                doomed[path] = [make(api, ids, n)] if make else []
                break
    return doomed


# (path regex, path parameter, dictionary)
BINDINGS = [
    (r"^/ias/v1/apps/\{id\}", "id", "apps"),
    (r"^/ias/v1/apps/\{id\}/tags/\{tag_id\}$", "tag_id", "tags"),
    (r"^/ias/v1/attack-templates/\{id\}", "id", "attack_templates"),
    (r"^/ias/v1/attack-templates/\{id\}/modules/\{module_id\}$", "module_id", "template_modules"),
    (r"^/ias/v1/scan-configs/\{id\}", "id", "scan_configs"),
    (r"^/ias/v1/scans/\{id\}", "id", "scans"),
    (r"^/ias/v1/vulnerabilities/\{id\}", "id", "vulnerabilities"),
    (r"^/ias/v1/vulnerabilities/\{id\}/comments/\{comment_id\}$", "comment_id", "comments"),
    (r"^/ias/v1/vulnerabilities/\{id\}/discoveries/\{discovery_id\}$", "discovery_id", "discoveries"),
    (r"^/ias/v1/vulnerabilities/\{id\}/variances/\{variance_id\}", "variance_id", "variances"),
    (r"^/ias/v1/tags/\{id\}", "id", "tags"),
    (r"^/ias/v1/targets/\{id\}", "id", "targets"),
    (r"^/ias/v1/schedules/\{id\}", "id", "schedules"),
    (r"^/ias/v1/blackouts/\{id\}", "id", "blackouts"),
    (r"^/ias/v1/engine-groups/\{id\}", "id", "engine_groups"),
    (r"^/ias/v1/engines/\{id\}", "id", "engines"),
    (r"^/ias/v1/reports/\{id\}", "id", "reports"),
    (r"^/ias/v1/modules/\{id\}", "id", "modules"),
    (r"^/users/\{id\}", "id", "users"),
    (r"^/identity-groups/\{id\}", "id", "identity_groups"),
    (r"^/service-accounts/\{id\}", "id", "service_accounts"),
    (r"^/ias/v1/apps/\{id\}/files/\{file_id\}", "file_id", "files"),
    (r"^/ias/v1/apps/\{id\}/users/\{user_id\}$", "user_id", "users"),
    (r"^/ias/v1/modules/\{id\}/attacks/\{attack_id\}", "attack_id", "attacks"),
    (r"^/(v1/)?connector-types/\{type\}$", "type", "connector_types"),
    (r"^/(v1/)?scans/\{id\}", "id", "scans"),
    (r"^/(v1/)?api-keys/\{id\}", "id", "api_keys"),
    (r"^/identity-groups/\{id\}/members/\{member\}$", "member", "users"),
    (r"^/identity-groups/\{id\}/grants/applications/\{app\}$", "app", "apps"),
    (r"^/identity-groups/\{id\}/grants/tags/\{tag\}$", "tag", "tags"),
]


def toml_str(s: str) -> str:
    return json.dumps(s)


def write_config(path: str, ids: dict[str, list[str]], doomed: dict[str, list[str]], doc: dict) -> None:
    base = os.path.join(os.path.dirname(os.path.abspath(__file__)), "schemathesis.toml")
    with open(base, encoding="utf-8") as f:
        lines = [f.read(), "", "# Written by bench/fuzz/seed.py for this run: the seeded ids offered to the fuzzer.", ""]
    dictionaries = dict(ids)
    doomed_names = {}
    for n, (p, values) in enumerate(sorted(doomed.items())):
        if values:
            doomed_names[p] = f"doomed_{n}"
            dictionaries[f"doomed_{n}"] = values
    for name, values in sorted(dictionaries.items()):
        lines.append(f"[dictionaries.{name}]")
        lines.append("values = [" + ", ".join(toml_str(v) for v in values) + "]")
        lines.append("")

    def entry(p: str, methods: list[str], bound: dict[str, str], extra: list[str]) -> None:
        # By label (`GET /path`): schemathesis ORs separate include filters, so
        # `include-path` with `include-method` would apply to every operation of either.
        labels = [f"{m.upper()} {p}" for m in methods if m in doc["paths"][p]]
        if not labels:
            return
        lines.append("[[operations]]")
        lines.append("include-name = [" + ", ".join(toml_str(label) for label in labels) + "]")
        if bound:
            params = ", ".join(
                f'"path.{k}" = {{ dictionary = {toml_str(v)}, probability = 0.5 }}' for k, v in bound.items()
            )
            lines.append(f"parameters = {{ {params} }}")
        lines.extend(extra)
        lines.append("")

    # One operations entry per documented path, binding each of its path parameters that a
    # rule names (the most specific rule of a parameter wins: the later one in BINDINGS).
    for p in sorted(doc["paths"]):
        bound = {}
        for regex, param, dictionary in BINDINGS:
            if dictionary in ids and re.search(regex, p) and "{" + param + "}" in p:
                bound[param] = dictionary
        if bound:
            entry(p, ["get", "put", "patch", "post"], bound, [])
        if "delete" not in doc["paths"][p]:
            continue
        if p in doomed:
            # Its own resource for the last parameter (none: made-up ids only), the seeded
            # parents for the others, and no ids from the answers (those are the seeded ones).
            last = re.findall(r"\{([^}]+)\}", p)[-1]
            bound.pop(last, None)
            if p in doomed_names:
                bound[last] = doomed_names[p]
            entry(p, ["delete"], bound, [
                f"phases.{phase}.extra-data-sources.responses = false"
                for phase in ("examples", "coverage", "fuzzing")
            ])
        elif bound:
            # A relation (an app's tag, a group's member or grant, an engine's credential):
            # deleting the seeded one removes nothing else.
            entry(p, ["delete"], bound, [])
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))

if __name__ == "__main__":
    main()
