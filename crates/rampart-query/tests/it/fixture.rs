//! The rows the execution and sort tests run against, with readable labels for their ids.

use crate::db::{micros, Db, Names};
use sea_query::Value;
use uuid::Uuid;

pub const ORG_A: Uuid = Uuid::from_u128(0xa);
pub const ORG_B: Uuid = Uuid::from_u128(0xb);

fn s(v: &str) -> Value {
    v.into()
}
fn t(v: &str) -> Value {
    micros(v).into()
}
fn null_str() -> Value {
    Value::String(None)
}
fn null_uuid() -> Value {
    Value::Uuid(None)
}
fn null_time() -> Value {
    Value::BigInt(None)
}

/// Inserts the fixture: mostly organization A, plus an app of organization B named like
/// one of A's.
pub async fn fixture(db: &mut Db) -> Names {
    let mut n = Names::default();
    let org = |o: Uuid| -> Value { o.into() };
    for (label, o, name, desc) in [
        (
            "app-alpha",
            ORG_A,
            "Alpha Production",
            Some("Hosted in South America"),
        ),
        ("app-beta", ORG_A, "beta staging", None),
        (
            "app-oreilly",
            ORG_A,
            "O'Reilly 100%_done",
            Some("North America app"),
        ),
        (
            "app-other",
            ORG_B,
            "Alpha Production",
            Some("South America"),
        ),
    ] {
        let id = n.id(label);
        let desc = desc.map_or_else(null_str, s);
        let row = [
            ("id", id.into()),
            ("org_id", org(o)),
            ("name", s(name)),
            ("description", desc),
            ("created_at", 0i64.into()),
            ("updated_at", 0i64.into()),
        ];
        db.insert("apps", &row).await;
    }
    for (label, name, created) in [
        ("tag-pci", "pci", "2021-01-01T00:00:00Z"),
        ("tag-internal", "internal", "2019-01-01T00:00:00Z"),
    ] {
        let row = [
            ("id", n.id(label).into()),
            ("org_id", org(ORG_A)),
            ("name", s(name)),
            ("creator_id", n.id("user-1").into()),
            ("created_at", t(created)),
        ];
        db.insert("tags", &row).await;
    }
    for (app, tag) in [("app-alpha", "tag-pci"), ("app-oreilly", "tag-internal")] {
        let row = [
            ("org_id", org(ORG_A)),
            ("app_id", n.id(app).into()),
            ("tag_id", n.id(tag).into()),
        ];
        db.insert("app_tags", &row).await;
    }
    for (label, name, sys) in [
        ("at-all", "All Modules", true),
        ("at-crawl", "Crawl Only", true),
        ("at-custom", "Custom Crawl Only", false),
    ] {
        let row = [
            ("id", n.id(label).into()),
            ("org_id", org(ORG_A)),
            ("name", s(name)),
            ("description", null_str()),
            ("system_defined", sys.into()),
            ("created_at", 0i64.into()),
        ];
        db.insert("attack_templates", &row).await;
    }
    for (label, name, app, at) in [
        ("sc-weekly-alpha", "Weekly Scan", "app-alpha", "at-all"),
        ("sc-weekly-beta", "Weekly Scan", "app-beta", "at-crawl"),
        ("sc-nightly", "Nightly", "app-alpha", "at-custom"),
    ] {
        let row = [
            ("id", n.id(label).into()),
            ("org_id", org(ORG_A)),
            ("app_id", n.id(app).into()),
            ("name", s(name)),
            ("description", null_str()),
            ("attack_template_id", n.id(at).into()),
            ("created_at", 0i64.into()),
        ];
        db.insert("scan_configs", &row).await;
    }
    for (label, app, sc, sub, submit, done, status, reason) in [
        (
            "scan-1",
            "app-alpha",
            "sc-weekly-alpha",
            "USER",
            "2018-11-05T00:00:00Z",
            Some("2018-11-05T02:00:00Z"),
            "COMPLETE",
            None,
        ),
        (
            "scan-2",
            "app-alpha",
            "sc-weekly-alpha",
            "SCHEDULE",
            "2018-11-20T00:00:00Z",
            Some("2018-11-30T23:59:59Z"),
            "FAILED",
            Some("CANCELED"),
        ),
        (
            "scan-3",
            "app-alpha",
            "sc-nightly",
            "USER",
            "2018-12-02T00:00:00Z",
            None,
            "RUNNING",
            None,
        ),
        (
            "scan-4",
            "app-beta",
            "sc-weekly-beta",
            "ORGANIZATION",
            "2018-10-01T00:00:00Z",
            Some("2018-12-01T00:00:00Z"),
            "COMPLETE",
            None,
        ),
        (
            "scan-5",
            "app-beta",
            "sc-weekly-beta",
            "USER",
            "2018-10-02T00:00:00Z",
            Some("2018-10-31T23:59:59.999999Z"),
            "FAILED",
            Some("SYSTEM_ERROR"),
        ),
        (
            "scan-6",
            "app-beta",
            "sc-weekly-beta",
            "USER",
            "2018-12-31T00:00:00Z",
            Some("2019-01-01T00:00:00Z"),
            "COMPLETE",
            None,
        ),
    ] {
        let row = [
            ("id", n.id(label).into()),
            ("org_id", org(ORG_A)),
            ("app_id", n.id(app).into()),
            ("scan_config_id", n.id(sc).into()),
            ("submitter_type", s(sub)),
            ("submitter_id", n.id("user-1").into()),
            ("submit_time", t(submit)),
            ("completion_time", done.map_or_else(null_time, t)),
            ("status", s(status)),
            ("failure_reason", reason.map_or_else(null_str, s)),
            ("scan_type", s("REGULAR")),
        ];
        db.insert("scans", &row).await;
    }
    for (label, app, sev, status, score, url, param, method, first, newly) in [
        (
            "v-high",
            "app-alpha",
            "HIGH",
            "UNREVIEWED",
            Some(7.5),
            "https://alpha/login",
            Some("user"),
            "GET",
            "2023-03-20T14:29:10.686575Z",
            true,
        ),
        (
            "v-crit",
            "app-alpha",
            "CRITICAL",
            "VERIFIED",
            Some(9.8),
            "https://alpha/Search?q=",
            None,
            "POST",
            "2023-03-21T00:00:00Z",
            false,
        ),
        (
            "v-low",
            "app-alpha",
            "LOW",
            "UNREVIEWED",
            Some(3.1),
            "https://alpha/a_b",
            Some("q"),
            "GET",
            "2023-03-19T00:00:00Z",
            false,
        ),
        (
            "v-med",
            "app-beta",
            "MEDIUM",
            "FALSE_POSITIVE",
            None,
            "https://beta/",
            None,
            "GET",
            "2023-03-25T00:00:00Z",
            true,
        ),
        (
            "v-four",
            "app-beta",
            "LOW",
            "UNREVIEWED",
            Some(4.0),
            "https://beta/four",
            None,
            "GET",
            "2023-03-20T14:29:10.686574Z",
            false,
        ),
    ] {
        let row = [
            ("id", n.id(label).into()),
            ("org_id", org(ORG_A)),
            ("app_id", n.id(app).into()),
            ("module_id", n.id("module").into()),
            ("root_cause_url", s(url)),
            ("root_cause_parameter", param.map_or_else(null_str, s)),
            ("root_cause_method", s(method)),
            ("severity", s(sev)),
            (
                "severity_rank",
                (rampart_query::enums::SEVERITY.rank(sev).unwrap_or(0) as i64).into(),
            ),
            ("status", s(status)),
            ("first_discovered", t(first)),
            ("last_discovered", t(first)),
            ("newly_discovered", newly.into()),
            ("vulnerability_score", Value::Double(score)),
        ];
        db.insert("vulnerabilities", &row).await;
    }
    for (label, vuln, scan, at) in [
        ("d1", "v-high", "scan-1", "2018-11-05T01:00:00Z"),
        ("d2", "v-crit", "scan-1", "2018-11-05T03:00:00Z"),
        ("d3", "v-low", "scan-2", "2018-11-20T02:00:00Z"),
        ("d4", "v-high", "scan-2", "2018-11-20T01:00:00Z"),
        ("d5", "v-med", "scan-4", "2018-10-01T01:00:00Z"),
    ] {
        let row = [
            ("id", n.id(label).into()),
            ("org_id", org(ORG_A)),
            ("vulnerability_id", n.id(vuln).into()),
            ("scan_id", n.id(scan).into()),
            ("discovered", t(at)),
        ];
        db.insert("vulnerability_discoveries", &row).await;
    }
    for (label, name, desc) in [
        ("eg-working", "Working Engines", None),
        ("eg-other", "Other", Some("spare")),
    ] {
        let row = [
            ("id", n.id(label).into()),
            ("org_id", org(ORG_A)),
            ("name", s(name)),
            ("description", desc.map_or_else(null_str, s)),
        ];
        db.insert("engine_groups", &row).await;
    }
    for (label, name, group, status) in [
        ("e-1", "engine-1", Some("eg-working"), "IDLE"),
        ("e-2", "engine-2", None, "OFFLINE"),
        ("e-3", "engine-3", Some("eg-other"), "SCANNING"),
    ] {
        let group = group.map_or_else(null_uuid, |g| n.id(g).into());
        let row = [
            ("id", n.id(label).into()),
            ("org_id", org(ORG_A)),
            ("name", s(name)),
            ("engine_group_id", group),
            ("status", s(status)),
        ];
        db.insert("engines", &row).await;
    }
    for (label, domain, enabled) in [
        ("t-1", "example.com", true),
        ("t-2", "test.example.org", false),
        ("t-3", "EXAMPLE.COM.evil", true),
    ] {
        let row = [
            ("id", n.id(label).into()),
            ("org_id", org(ORG_A)),
            ("domain", s(domain)),
            ("enabled", enabled.into()),
            ("archived", false.into()),
            ("scanned", false.into()),
            ("created_at", 0i64.into()),
        ];
        db.insert("targets", &row).await;
    }
    for (label, name, enabled, app, sc) in [
        ("sch-1", "Weekly", true, "app-alpha", "sc-weekly-alpha"),
        ("sch-2", "Off", false, "app-beta", "sc-weekly-beta"),
    ] {
        let row = [
            ("id", n.id(label).into()),
            ("org_id", org(ORG_A)),
            ("name", s(name)),
            ("enabled", enabled.into()),
            ("app_id", n.id(app).into()),
            ("scan_config_id", n.id(sc).into()),
        ];
        db.insert("schedules", &row).await;
    }
    for (label, name, enabled, app, scope) in [
        ("bo-1", "Maintenance", true, Some("app-alpha"), "APP"),
        ("bo-2", "Holidays", false, None, "GLOBAL"),
    ] {
        let app = app.map_or_else(null_uuid, |a| n.id(a).into());
        let row = [
            ("id", n.id(label).into()),
            ("org_id", org(ORG_A)),
            ("name", s(name)),
            ("enabled", enabled.into()),
            ("app_id", app),
            ("scope", s(scope)),
        ];
        db.insert("blackouts", &row).await;
    }
    for (label, name, ty, locked, app, owner) in [
        (
            "f-1",
            "login.rec",
            "MACRO",
            true,
            "app-alpha",
            Some("user-1"),
        ),
        ("f-2", "api.json", "SWAGGER", false, "app-beta", None),
    ] {
        let owner = owner.map_or_else(null_uuid, |o| n.id(o).into());
        let row = [
            ("id", n.id(label).into()),
            ("org_id", org(ORG_A)),
            ("app_id", n.id(app).into()),
            ("name", s(name)),
            ("description", null_str()),
            ("type", s(ty)),
            ("locked", locked.into()),
            ("owner_id", owner),
        ];
        db.insert("files", &row).await;
    }
    for (label, name, ty, format, generated, app) in [
        (
            "r-1",
            "Weekly summary",
            "VULN_SUMMARY",
            "PDF",
            Some("2023-01-01T00:00:00Z"),
            Some("app-alpha"),
        ),
        ("r-2", "Exec", "EXEC_ALL_APPS_ALL_VULNS", "CSV", None, None),
    ] {
        let app = app.map_or_else(null_uuid, |a| n.id(a).into());
        let row = [
            ("id", n.id(label).into()),
            ("org_id", org(ORG_A)),
            ("name", s(name)),
            ("type", s(ty)),
            ("format", s(format)),
            ("owner_id", n.id("user-1").into()),
            ("generated_date", generated.map_or_else(null_time, t)),
            ("app_id", app),
        ];
        db.insert("reports", &row).await;
    }
    n
}

/// Replaces `{label}` with the fixture id of `label`.
pub fn fill(n: &mut Names, query: &str) -> String {
    let mut out = String::new();
    let mut rest = query;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c);
        out.push_str(&rest[..open]);
        let label: &'static str = Box::leak(rest[open + 1..close].to_owned().into_boxed_str());
        out.push_str(&n.id(label).to_string());
        rest = &rest[(close + 1).min(rest.len())..];
    }
    out.push_str(rest);
    out
}
