"""Drives a running rampart server with nothing but the client openapi-python-client generated
from its OpenAPI document (package `rampart_api`, on PYTHONPATH): creates an app, allows the
testbed's host, makes an attack template with the reflected-XSS module and a scan config
for one testbed page, submits a scan, waits for it to complete and reads a vulnerability it
found. The bodies are the request schemas (`…Write`): the target is enabled with the string
`"TRUE"`, one of the spellings the document's `LenientBool` allows. Any status the document
does not list raises (`raise_on_unexpected_status`).

usage: proof.py SERVER_URL API_KEY TESTBED_URL
"""

import sys
import time
import uuid

from rampart_api import AuthenticatedClient
from rampart_api.api.apps import create_apps, get_apps
from rampart_api.api.attack_templates import create_attack_templates, create_module
from rampart_api.api.scan_configs import create_scan_configs, put_options
from rampart_api.api.scans import get_scans, submit
from rampart_api.api.targets import create_targets, get_targets
from rampart_api.api.vulnerabilities import get_vulnerabilities, list_vulnerabilities
from rampart_api.models import (
    App,
    AttackModuleWrite,
    AttackModuleWriteSeverity,
    AttackTemplateWrite,
    IdRef,
    Scan,
    ScanConfigOptions,
    ScanConfigWrite,
    TargetWrite,
)

# `rampart_engine::catalogue::module_id`: uuid5 of the module key in the engine's namespace.
MODULE_NAMESPACE = uuid.UUID("6f9a3b7e-2c41-4d0a-9e55-3a1d7c0b8e21")


def created(response, what: str) -> uuid.UUID:
    """The id named by the `Location` of a 201 (or 200) creation."""
    if response.status_code not in (200, 201):
        raise SystemExit(f"{what}: {response.status_code} {response.content[:300]!r}")
    return uuid.UUID(response.headers["location"].rstrip("/").rsplit("/", 1)[-1])


def main() -> None:
    base, key, testbed = sys.argv[1:4]
    client = AuthenticatedClient(
        base_url=base,
        token=key,
        prefix="",
        auth_header_name="X-Api-Key",
        raise_on_unexpected_status=True,
    )
    host = testbed.split("//", 1)[1].split(":", 1)[0]
    with client as c:
        target = created(create_targets.sync_detailed(client=c, body=TargetWrite(domain=host, enabled="TRUE")), "target")
        shown_target = get_targets.sync(target, client=c)
        assert shown_target is not None and shown_target.enabled is True, shown_target
        app = created(
            create_apps.sync_detailed(client=c, body=App(name="Generated client shop", description="proof.py")),
            "app",
        )
        shown = get_apps.sync(app, client=c)
        assert isinstance(shown, App) and shown.name == "Generated client shop", shown
        tpl = created(
            create_attack_templates.sync_detailed(client=c, body=AttackTemplateWrite(name="proof template")),
            "attack template",
        )
        created(
            create_module.sync_detailed(
                tpl,
                client=c,
                body=AttackModuleWrite(
                    module_config_id=uuid.uuid5(MODULE_NAMESPACE, "xss_reflected"),
                    enabled=True,
                    severity=AttackModuleWriteSeverity.MEDIUM,
                    max_findings=5,
                ),
            ),
            "template module",
        )
        cfg = created(
            create_scan_configs.sync_detailed(
                client=c,
                body=ScanConfigWrite(name="proof config", app=IdRef(id=app), attack_template=IdRef(id=tpl)),
            ),
            "scan config",
        )
        options = ScanConfigOptions.from_dict(
            {"crawl_config": {
                "seed_url_list": [{"value": f"{testbed}/greet.php?name=proof"}],
                "scope_constraint_list": [{"url": f"{testbed}/greet.php*", "exclusion": "INCLUDE"}],
            }}
        )
        r = put_options.sync_detailed(cfg, client=c, body=options)
        assert r.status_code == 200, r
        scan = created(submit.sync_detailed(client=c, body=Scan(scan_config=IdRef(id=cfg))), "scan")
        deadline = time.monotonic() + 180
        while True:
            s = get_scans.sync(scan, client=c)
            assert isinstance(s, Scan), s
            if s.status in ("COMPLETE", "FAILED"):
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"scan {scan} still {s.status} after 180 s")
            time.sleep(0.5)
        if s.status != "COMPLETE":
            raise SystemExit(f"scan {scan} ended {s.status}: {s.failure_reason}")
        page = list_vulnerabilities.sync(client=c, size=10)
        if page is None or not page.data:
            raise SystemExit("no vulnerability listed after the scan")
        vuln_id = page.data[0].id
        vuln = get_vulnerabilities.sync(vuln_id, client=c)
        if vuln is None or vuln.id != vuln_id:
            raise SystemExit(f"GET /vulnerabilities/{vuln_id}: {vuln}")
        root = vuln.root_cause
        print(
            f"proof: app {app}, scan {scan} COMPLETE, vulnerability {vuln.id} "
            f"severity {vuln.severity} at {getattr(root, 'url', None)} "
            f"parameter {getattr(root, 'parameter', None)}"
        )


if __name__ == "__main__":
    main()
