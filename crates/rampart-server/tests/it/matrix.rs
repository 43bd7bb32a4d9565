//! The authorization matrix: every route × {Product Admin user, Read Write user, Read
//! Only user, organization key, another tenant's key, no key}, with the exact status of
//! each cell. Expectations follow rampart-domain's permission table (reference §5.3):
//! Read Write may not manage targets, Read Only manages nothing, another tenant's
//! objects are 404, no key is 401, a user sees 404 for an app it is not a member of,
//! system attack templates are read-only for everyone. Identity (users, service
//! accounts, API keys, identity groups) is Product Admin only; a member of an identity
//! group sees the apps granted to the group, by app or by tag. `/organizations` belongs to
//! the operator organization's administrators (the testkit's first tenant).

use rampart_domain::*;
use rampart_testkit::{sample_catalogue, Key, TestApp};
use serde_json::{json, Value};

/// Fresh objects for one cell (a mutating request must not see another cell's effects).
pub struct Fx {
    app: AppId,
    private_app: AppId,
    private_cfg: ScanConfigId,
    target: TargetId,
    tag: TagId,
    applied_tag: TagId,
    tpl: AttackTemplateId,
    tpl_module: AttackModuleId,
    sys: AttackTemplateId,
    sys_module: String,
    cfg: ScanConfigId,
    /// An empty engine group (deletable).
    engine_group: EngineGroupId,
    /// An IDLE engine on an old version (upgradeable), in the Default group.
    engine: EngineId,
    scan: ScanId,
    failed_scan: ScanId,
    private_scan: ScanId,
    vuln: VulnerabilityId,
    private_vuln: VulnerabilityId,
    discovery: uuid::Uuid,
    variance: uuid::Uuid,
    /// A comment of the Read Write user, and one of the Product Admin user.
    comment: uuid::Uuid,
    admin_comment: uuid::Uuid,
    /// A blackout of `app`, and a global one (Product Admin only).
    blackout: BlackoutId,
    global_blackout: BlackoutId,
    /// A SWAGGER file of `app` with content, and a locked one of the Product Admin user.
    file: FileId,
    locked_file: FileId,
    /// A schedule of `cfg`, and one of `private_cfg`.
    schedule: ScheduleId,
    private_schedule: ScheduleId,
    /// An identity group: members Read Write and Read Only; granted `app` and `granted_tag`.
    group: IdentityGroupId,
    /// An app no user is a member of, tagged `granted_tag` (visible through `group`).
    granted_app: AppId,
    granted_cfg: ScanConfigId,
    granted_tag: TagId,
    /// A service account (Read Only), a key of it, and a user no key belongs to.
    sa: PrincipalId,
    api_key: ApiKeyId,
    new_user: PrincipalId,
    /// OAuth client credentials of the Read Only user.
    oauth_client: OAuthClientId,
    /// An audit entry of the tenant, and an export of its log.
    audit: AuditId,
    audit_export: AuditExportId,
    /// A report of `scan`, and one of `private_scan` (Product Admin user).
    report: ReportId,
    private_report: ReportId,
    /// A third tenant, for the operator's `/organizations` cells.
    victim_org: OrgId,
    /// An AppSec+ import into `app`, and one of its findings.
    plus_scan: PlusScanId,
    plus_vuln: PlusFindingId,
    /// A gate policy.
    policy: PolicyId,
    /// A webhook (to a closed local port) and a failed delivery of it (replayable).
    webhook: WebhookId,
    delivery: WebhookDeliveryId,
    /// An integration connector (a Jira placeholder).
    connector: ConnectorId,
}

async fn fx_connector(t: &TestApp) -> ConnectorId {
    let mut config = serde_json::Map::new();
    config.insert("baseUrl".into(), json!("https://jira.example.test"));
    config.insert("projectKey".into(), json!("SEC"));
    let mut secrets = serde_json::Map::new();
    secrets.insert("apiToken".into(), json!("matrix-token"));
    let made = t
        .service
        .create_connector(
            &t.keys.admin.principal,
            rampart_service::ConnectorInput {
                name: t.unique("jira"),
                kind_type: Some("jira".into()),
                config,
                secrets,
                ..Default::default()
            },
        )
        .await
        .expect("connector");
    ConnectorId(made.connector.id())
}

async fn fx_webhook(t: &TestApp) -> (WebhookId, WebhookDeliveryId) {
    let hook = t
        .service
        .create_webhook(
            &t.keys.admin.principal,
            rampart_service::WebhookInput {
                name: t.unique("hook"),
                url: "http://127.0.0.1:9/hook".into(),
                // An event no cell causes: the matrix's gates and imports do not fan out
                // to every subscription made so far.
                events: vec![WebhookEvent::SlaBreached],
                status: WebhookStatus::Active,
                secret: None,
            },
        )
        .await
        .expect("webhook")
        .webhook;
    let now = chrono::Utc::now();
    let d = WebhookDelivery {
        id: WebhookDeliveryId::new(),
        org: hook.org,
        webhook: hook.id,
        event_id: uuid::Uuid::new_v4(),
        event: WebhookEvent::SlaBreached,
        payload: "{}".into(),
        status: DeliveryStatus::Failed,
        attempts: 1,
        next_attempt_at: now,
        created_at: now,
        last_attempt_at: Some(now),
        response_status: Some(500),
        last_error: Some("the receiver answered 500".into()),
        delivered_at: None,
        replay_of: None,
    };
    t.store()
        .enqueue_deliveries(std::slice::from_ref(&d))
        .await
        .expect("a delivery");
    (hook.id, d.id)
}

/// A one-result SARIF log (a fresh fingerprint per call).
fn sarif(t: &TestApp) -> String {
    json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "matrix"}},
        "results": [{"ruleId": t.unique("rule"), "message": {"text": "m"}}]}]})
    .to_string()
}

async fn fx_plus(t: &TestApp, app: AppId) -> (PlusScanId, PlusFindingId) {
    let admin = &t.keys.admin.principal;
    let report =
        rampart_ingest::parse(rampart_ingest::Format::Sarif, sarif(t).as_bytes()).expect("sarif");
    let out = t
        .service
        .import_results(
            admin,
            app,
            PlusScanType::Sast,
            rampart_ingest::Format::Sarif,
            report,
            None,
            false,
        )
        .await
        .expect("import");
    let scan = out.scan.expect("a scan").id;
    let filter = rampart_store::PlusFindingFilter {
        scan: Some(scan),
        limit: 1,
        ..Default::default()
    };
    let vuln = t
        .service
        .list_plus_findings(admin, &filter)
        .await
        .expect("findings")[0]
        .id;
    (scan, vuln)
}

/// The identity fixtures of one cell.
struct IdFx {
    group: IdentityGroupId,
    granted_app: AppId,
    granted_cfg: ScanConfigId,
    granted_tag: TagId,
    sa: PrincipalId,
    api_key: ApiKeyId,
    new_user: PrincipalId,
}

async fn fx_identity(t: &TestApp, app: AppId) -> IdFx {
    let admin = &t.keys.admin.principal;
    let granted_tag = t.fx_tag(&t.unique("granted")).await;
    let granted_app = t.fx_private_app(&t.unique("granted-app")).await;
    t.service
        .add_app_tag(admin, granted_app, granted_tag)
        .await
        .expect("tag the granted app");
    let granted_cfg = t.fx_scan_config(granted_app, &t.unique("gcfg")).await;
    let group = t
        .service
        .create_group(
            admin,
            rampart_service::GroupInput {
                name: Some(t.unique("group")),
                members: Some(vec![t.keys.read_write.id(), t.keys.read_only.id()]),
                apps: Some(vec![app]),
                tags: Some(vec![granted_tag.to_string()]),
                ..Default::default()
            },
        )
        .await
        .expect("group")
        .group
        .id;
    let sa = t
        .service
        .create_service_account(
            admin,
            rampart_service::ServiceAccountInput {
                name: Some(t.unique("sa")),
                role: Some(Role::ReadOnly),
                status: None,
            },
        )
        .await
        .expect("service account")
        .id;
    let api_key = t
        .service
        .issue_key(
            admin,
            rampart_service::KeyRequest {
                org: None,
                role: Role::ReadOnly,
                owner: rampart_service::KeyOwner::Principal(sa),
                name: Some(t.unique("key")),
            },
        )
        .await
        .expect("key")
        .key
        .id;
    let new_user = t
        .service
        .create_user(
            admin,
            rampart_service::UserInput {
                email: Some(format!("{}@example.test", t.unique("user"))),
                role: Some(Role::ReadOnly),
                ..Default::default()
            },
        )
        .await
        .expect("user")
        .id;
    IdFx {
        group,
        granted_app,
        granted_cfg,
        granted_tag,
        sa,
        api_key,
        new_user,
    }
}

/// An audit entry of the first tenant (as the edge records one) and an export.
async fn fx_audit(t: &TestApp) -> (AuditId, AuditExportId) {
    let admin = &t.keys.admin.principal;
    let e = rampart_domain::audit::AuditEntry {
        id: AuditId::new(),
        org: admin.org,
        at: t.service.clock().now(),
        actor: rampart_domain::audit::AuditActor {
            id: admin.id,
            kind: admin.kind,
            credential: None,
        },
        action: "app.update".into(),
        method: "PUT".into(),
        route: "/ias/v1/apps/{id}".into(),
        resource_type: "app".into(),
        resource_id: None,
        status: 200,
        ip: None,
        user_agent: None,
        request_id: "r".into(),
        changes: None,
    };
    t.service.record_audit(&e).await.expect("audit entry");
    let x = t
        .service
        .export_audit(
            admin,
            rampart_domain::audit::ExportFormat::Jsonl,
            Default::default(),
            &|_, _| Vec::new(),
        )
        .await
        .expect("export");
    (e.id, x)
}

/// A daily schedule of `cfg` created by the Product Admin user.
async fn fx_schedule(t: &TestApp, cfg: ScanConfigId) -> ScheduleId {
    let input = rampart_service::ScheduleInput {
        name: t.unique("schedule"),
        enabled: Some(true),
        scan_config: Some(cfg),
        first_start: Some("2026-01-05T09:00:00Z[Europe/Berlin]".into()),
        frequency: Some((Some("DAILY".into()), Some(1))),
        ..Default::default()
    };
    t.service
        .create_schedule(&t.keys.admin.principal, input)
        .await
        .expect("create schedule")
}

fn schedule_body(t: &TestApp, fx: &Fx) -> Value {
    json!({"name": t.unique("new schedule"), "enabled": "true", "scan_config": {"id": fx.cfg.to_string()},
        "first_start": "2026-01-05T09:00:00Z", "last_start": "", "rrule": "FREQ=WEEKLY;BYDAY=MO"})
}
fn search_schedules(_: &TestApp, fx: &Fx) -> Value {
    json!({"type": "SCHEDULE", "query": format!("schedule.scan_config.id = '{}'", fx.cfg)})
}
fn file_body(t: &TestApp, _: &Fx) -> Value {
    json!({"name": format!("{}.yaml", t.unique("new file")), "type": "SWAGGER", "locked": false})
}
/// A JSON string body is sent raw as `application/octet-stream`.
fn file_content(_: &TestApp, _: &Fx) -> Value {
    Value::String(OPENAPI.into())
}
fn search_files(_: &TestApp, _: &Fx) -> Value {
    json!({"type": "FILE", "query": "file.type = 'SWAGGER'"})
}

const OPENAPI: &str =
    r#"{"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {}}"#;

/// A SWAGGER file of `app` created (and uploaded) by the Product Admin user.
async fn fx_file(t: &TestApp, app: AppId, locked: bool) -> FileId {
    let admin = &t.keys.admin.principal;
    let input = rampart_service::FileInput {
        name: format!("{}.json", t.unique("file")),
        description: None,
        kind: rampart_domain::file::FileType::Swagger,
        locked,
    };
    let id = t
        .service
        .create_file(admin, app, input)
        .await
        .expect("file");
    t.service
        .upload_file(admin, app, id, OPENAPI.as_bytes())
        .await
        .expect("upload");
    id
}

/// A VULN_SUMMARY report of `scan` requested by the Product Admin user.
async fn fx_report(t: &TestApp, scan: ScanId) -> ReportId {
    let input = rampart_service::ReportInput {
        name: t.unique("report"),
        kind: "VULN_SUMMARY".into(),
        format: "CSV".into(),
        scan: Some(scan),
        ..Default::default()
    };
    let rules = rampart_service::ReportKindRules {
        needs_scan: true,
        all_apps: false,
    };
    t.service
        .create_report(&t.keys.admin.principal, input, rules)
        .await
        .expect("create report")
}

fn report_body(t: &TestApp, fx: &Fx) -> Value {
    json!({"name": t.unique("new report"), "type": "VULN_SUMMARY", "format": "CSV",
        "scan": {"id": fx.scan.to_string()}})
}
fn search_reports(_: &TestApp, _: &Fx) -> Value {
    json!({"type": "REPORT", "query": "report.format = 'CSV'"})
}

/// A blackout created by the Product Admin user: of `app`, or global without one.
async fn fx_blackout(t: &TestApp, app: Option<AppId>) -> BlackoutId {
    let input = rampart_service::BlackoutInput {
        name: t.unique("blackout"),
        enabled: Some(true),
        app,
        first_start: Some("2019-10-15T21:00:00Z".into()),
        first_end: Some("2019-10-15T23:00:00Z".into()),
        frequency: Some(rampart_domain::blackout::FrequencySpec {
            kind: "ONCE".into(),
            interval: Some(0),
        }),
        ..Default::default()
    };
    t.service
        .create_blackout(&t.keys.admin.principal, input)
        .await
        .expect("create blackout")
}

impl Fx {
    pub async fn new(t: &TestApp) -> Fx {
        let app = t.fx_app(&t.unique("app")).await;
        let private_app = t.fx_private_app(&t.unique("private")).await;
        let applied_tag = t.fx_tag(&t.unique("applied")).await;
        t.service
            .add_app_tag(&t.keys.admin.principal, app, applied_tag)
            .await
            .expect("apply tag");
        let tpl = t.fx_template(&t.unique("tpl")).await;
        let sys = t.fx_system_template("All Modules").await;
        let sys_modules = t
            .service
            .attack_modules(&t.keys.org.principal, sys)
            .await
            .expect("system modules");
        let domain = format!("{}.example.test", t.unique("target"));
        let cfg = t.fx_scan_config(app, &t.unique("cfg")).await;
        let ready_cfg = t.fx_scan_config(app, &t.unique("ready")).await;
        let target = t.fx_target(&domain).await;
        t.service
            .write_scan_config_options(
                &t.keys.admin.principal,
                ready_cfg,
                json!({"crawl_config": {"seed_url_list": [{"value": format!("https://{domain}/")}],
                    "scope_constraint_list": [{"url": format!("https://{domain}/*")}]}}),
                rampart_service::OptionsWrite::Replace,
            )
            .await
            .expect("options");
        let private_cfg = t.fx_scan_config(private_app, &t.unique("pcfg")).await;
        let (_, vuln) = t.fx_vulnerability(app).await;
        let (_, private_vuln) = t.fx_vulnerability(private_app).await;
        let discovery = t
            .service
            .list_discoveries(
                &t.keys.admin.principal,
                vuln.id,
                &rampart_store::ListRequest::first(1),
            )
            .await
            .expect("discoveries")
            .items[0]
            .id;
        let comment = t
            .service
            .create_comment(&t.keys.read_write.principal, vuln.id, "rw comment".into())
            .await
            .expect("comment");
        let admin_comment = t
            .service
            .create_comment(&t.keys.admin.principal, vuln.id, "admin comment".into())
            .await
            .expect("comment");
        let scan = t.fx_scan(ready_cfg).await;
        let private_scan = t.fx_scan(private_cfg).await;
        let (audit, audit_export) = fx_audit(t).await;
        let id = fx_identity(t, app).await;
        let (plus_scan, plus_vuln) = fx_plus(t, app).await;
        let policy = t
            .service
            .create_policy(
                &t.keys.admin.principal,
                rampart_service::PolicyInput {
                    name: t.unique("policy"),
                    description: None,
                    action: PolicyAction::Block,
                    enabled: true,
                    // Its own app only: every cell's imports are judged by their own
                    // cell's gate, not by every gate made so far.
                    conditions: rampart_domain::GateConditions {
                        application_ids: vec![app],
                        ..Default::default()
                    },
                },
            )
            .await
            .expect("policy")
            .id;
        let (webhook, delivery) = fx_webhook(t).await;
        Fx {
            connector: fx_connector(t).await,
            webhook,
            delivery,
            policy,
            plus_scan,
            plus_vuln,
            group: id.group,
            granted_app: id.granted_app,
            granted_cfg: id.granted_cfg,
            granted_tag: id.granted_tag,
            sa: id.sa,
            api_key: id.api_key,
            new_user: id.new_user,
            oauth_client: t.fx_oauth_client(&t.keys.read_only, "read").await.client.id,
            audit,
            audit_export,
            report: fx_report(t, scan).await,
            private_report: fx_report(t, private_scan).await,
            victim_org: t
                .service
                .create_org(&t.unique("tenant"))
                .await
                .expect("a third tenant")
                .id,
            file: fx_file(t, app, false).await,
            locked_file: fx_file(t, app, true).await,
            schedule: fx_schedule(t, cfg).await,
            private_schedule: fx_schedule(t, private_cfg).await,
            blackout: fx_blackout(t, Some(app)).await,
            global_blackout: fx_blackout(t, None).await,
            scan,
            failed_scan: t.fx_scan(cfg).await,
            private_scan,
            vuln: vuln.id,
            private_vuln: private_vuln.id,
            discovery,
            variance: vuln.variances[0].id,
            comment,
            admin_comment,
            app,
            private_app,
            private_cfg,
            target,
            tag: t.fx_tag(&t.unique("tag")).await,
            applied_tag,
            tpl_module: t.fx_template_module(tpl).await,
            tpl,
            sys,
            sys_module: sys_modules[0].id.to_string(),
            cfg,
            engine_group: t.fx_engine_group(&t.unique("eg")).await,
            engine: {
                let e = t.fx_engine(&t.unique("engine"), None).await;
                t.fx_engine_heartbeat(e, "0.0.1", 0).await;
                e
            },
        }
    }

    fn path(&self, t: &TestApp, template: &str) -> String {
        template
            .replace("{policy}", &self.policy.to_string())
            .replace("{connector}", &self.connector.to_string())
            .replace("{connector_type}", "jira")
            .replace("{webhook}", &self.webhook.to_string())
            .replace("{delivery}", &self.delivery.to_string())
            .replace("{plus_scan}", &self.plus_scan.to_string())
            .replace("{plus_vuln}", &self.plus_vuln.to_string())
            .replace("{granted_app}", &self.granted_app.to_string())
            .replace("{granted_cfg}", &self.granted_cfg.to_string())
            .replace("{granted_tag}", &self.granted_tag.to_string())
            .replace("{group}", &self.group.to_string())
            .replace("{sa}", &self.sa.to_string())
            .replace("{api_key}", &self.api_key.to_string())
            .replace("{new_user}", &self.new_user.to_string())
            .replace("{oauth_client}", &self.oauth_client.to_string())
            .replace("{app}", &self.app.to_string())
            .replace("{private_app}", &self.private_app.to_string())
            .replace("{private_schedule}", &self.private_schedule.to_string())
            .replace("{schedule}", &self.schedule.to_string())
            .replace("{locked_file}", &self.locked_file.to_string())
            .replace("{private_report}", &self.private_report.to_string())
            .replace("{report}", &self.report.to_string())
            .replace("{file}", &self.file.to_string())
            .replace("{private_cfg}", &self.private_cfg.to_string())
            .replace("{target}", &self.target.to_string())
            .replace("{applied_tag}", &self.applied_tag.to_string())
            .replace("{tag}", &self.tag.to_string())
            .replace("{tpl_module}", &self.tpl_module.to_string())
            .replace("{tpl}", &self.tpl.to_string())
            .replace("{sys_module}", &self.sys_module)
            .replace("{sys}", &self.sys.to_string())
            .replace("{cfg}", &self.cfg.to_string())
            .replace("{engine_group}", &self.engine_group.to_string())
            .replace("{engine}", &self.engine.to_string())
            .replace("{failed_scan}", &self.failed_scan.to_string())
            .replace("{private_scan}", &self.private_scan.to_string())
            .replace("{scan}", &self.scan.to_string())
            .replace("{private_vuln}", &self.private_vuln.to_string())
            .replace("{vuln}", &self.vuln.to_string())
            .replace("{discovery}", &self.discovery.to_string())
            .replace("{variance}", &self.variance.to_string())
            .replace("{admin_comment}", &self.admin_comment.to_string())
            .replace("{comment}", &self.comment.to_string())
            .replace("{global_blackout}", &self.global_blackout.to_string())
            .replace("{blackout}", &self.blackout.to_string())
            .replace("{module}", &sample_catalogue()[0].id.to_string())
            .replace("{audit_export}", &self.audit_export.to_string())
            .replace("{audit}", &self.audit.to_string())
            .replace("{user}", &t.keys.read_only.id().to_string())
            .replace("{victim_org}", &self.victim_org.to_string())
    }
}

type Body = fn(&TestApp, &Fx) -> Value;

/// One route: method, path template, body, expected status per caller
/// (admin, read-write, read-only, org key, other tenant, no key).
pub struct Case(
    pub &'static str,
    pub &'static str,
    pub Option<Body>,
    pub [u16; 6],
);

const CALLERS: [&str; 6] = [
    "product-admin user",
    "read-write user",
    "read-only user",
    "organization key",
    "other tenant",
    "no key",
];

fn app_body(t: &TestApp, _: &Fx) -> Value {
    json!({"name": t.unique("new app")})
}
fn target_body(t: &TestApp, _: &Fx) -> Value {
    json!({"domain": format!("{}.example.test", t.unique("new-target")), "enabled": "true"})
}
fn tag_body(t: &TestApp, _: &Fx) -> Value {
    json!({"name": t.unique("new tag")})
}
fn template_body(t: &TestApp, _: &Fx) -> Value {
    json!({"name": t.unique("new template")})
}
fn module_body(_: &TestApp, _: &Fx) -> Value {
    json!({"module_config_id": sample_catalogue()[1].id.0, "severity": "LOW", "max_findings": 2, "parameter_locations": []})
}
fn member_body(t: &TestApp, _: &Fx) -> Value {
    json!({"id": t.keys.read_only.id().to_string()})
}
fn tag_ref_body(_: &TestApp, fx: &Fx) -> Value {
    json!({"id": fx.tag.to_string()})
}
fn user_body(t: &TestApp, _: &Fx) -> Value {
    json!({"email": format!("{}@example.test", t.unique("new-user")), "role": "read-only", "displayName": "New"})
}
fn user_update(_: &TestApp, _: &Fx) -> Value {
    json!({"displayName": "Renamed"})
}
fn org_body(t: &TestApp, _: &Fx) -> Value {
    json!({"name": t.unique("tenant")})
}
fn sa_body(t: &TestApp, _: &Fx) -> Value {
    json!({"name": t.unique("new-sa"), "role": "read-only"})
}
fn key_body(t: &TestApp, _: &Fx) -> Value {
    json!({"name": t.unique("new-key"), "role": "read-only"})
}
fn group_body(t: &TestApp, _: &Fx) -> Value {
    json!({"name": t.unique("new-group"), "description": "team"})
}
fn group_member_body(t: &TestApp, _: &Fx) -> Value {
    let _ = t;
    json!({"email": "admin@example.test"})
}
fn group_grant_body(_: &TestApp, fx: &Fx) -> Value {
    json!({"applicationId": fx.private_app.to_string()})
}
fn config_body(t: &TestApp, fx: &Fx) -> Value {
    json!({"name": t.unique("new cfg"), "app": {"id": fx.app.to_string()}, "attack_template": {"id": fx.sys.to_string()}})
}
fn options_body(_: &TestApp, _: &Fx) -> Value {
    json!({"crawl_config": {"seed_url_list": [{"value": "https://shop.example.test"}]}})
}

fn engine_group_body(t: &TestApp, _: &Fx) -> Value {
    json!({"name": t.unique("new group"), "description": "lab"})
}
fn engine_body(t: &TestApp, _: &Fx) -> Value {
    json!({"name": t.unique("new engine"), "auto_upgrade": "true"})
}
fn search_engines(_: &TestApp, _: &Fx) -> Value {
    json!({"type": "ENGINE", "query": "engine.status = 'IDLE'"})
}
fn search_engine_groups(_: &TestApp, _: &Fx) -> Value {
    json!({"type": "ENGINE_GROUP", "query": "enginegroup.name STARTS WITH 'eg'"})
}
fn scan_body(_: &TestApp, fx: &Fx) -> Value {
    json!({"scan_config": {"id": fx.cfg.to_string()}})
}
fn cancel_body(_: &TestApp, _: &Fx) -> Value {
    json!({"action": "CANCEL"})
}
fn search_scans(_: &TestApp, _: &Fx) -> Value {
    json!({"type": "SCAN", "query": "scan.status = 'PENDING'"})
}

fn search_apps(_: &TestApp, _: &Fx) -> Value {
    json!({"type": "APP", "query": "app.name CONTAINS 'app'"})
}
fn search_targets(_: &TestApp, _: &Fx) -> Value {
    json!({"type": "TARGET", "query": "target.enabled = 'true'"})
}
fn search_vulns(_: &TestApp, fx: &Fx) -> Value {
    json!({"type": "VULNERABILITY", "query": format!("vulnerability.id = '{}'", fx.vuln)})
}
fn search_discoveries(_: &TestApp, fx: &Fx) -> Value {
    json!({"type": "VULNERABILITY_DISCOVERY", "query": format!("vulnerabilitydiscovery.vulnerability.id = '{}'", fx.vuln)})
}
fn blackout_body(t: &TestApp, fx: &Fx) -> Value {
    json!({"name": t.unique("new blackout"), "enabled": "true", "app": {"id": fx.app.to_string()},
        "first_start": "2019-10-15T21:00:00Z", "first_end": "2019-10-15T23:00:00Z",
        "frequency": {"type": "ONCE", "interval": 0}})
}
fn global_blackout_body(t: &TestApp, _: &Fx) -> Value {
    json!({"name": t.unique("new global blackout"), "enabled": true,
        "first_start": "2019-10-15T21:00:00Z", "first_end": "2019-10-15T23:00:00Z",
        "frequency": {"type": "WEEKLY", "interval": 1}})
}
fn search_blackouts(_: &TestApp, _: &Fx) -> Value {
    json!({"type": "BLACKOUT", "query": "blackout.enabled = 'true'"})
}
fn vuln_body(_: &TestApp, _: &Fx) -> Value {
    json!({"severity": "LOW", "status": "VERIFIED"})
}
fn comment_body(_: &TestApp, _: &Fx) -> Value {
    json!({"content": "looks real"})
}
fn oauth_client_body(t: &TestApp, _: &Fx) -> Value {
    json!({"name": t.unique("client"), "scopes": "read"})
}
fn plus_app_body(t: &TestApp, _: &Fx) -> Value {
    json!({"name": t.unique("plus app"), "criticality": "high", "tags": ["x"]})
}
fn plus_sarif(t: &TestApp, _: &Fx) -> Value {
    Value::String(sarif(t))
}
fn plus_status_body(_: &TestApp, _: &Fx) -> Value {
    json!({"status": "accepted"})
}
fn policy_body(t: &TestApp, _: &Fx) -> Value {
    json!({"name": t.unique("gate"), "action": "block", "conditions": {"minSeverity": "high"}})
}
fn connector_body(t: &TestApp, _: &Fx) -> Value {
    json!({"name": t.unique("jira"), "type": "jira",
        "config": {"baseUrl": "https://jira.example.test", "projectKey": "SEC"},
        "secrets": {"apiToken": "t0ken"}})
}
fn webhook_body(t: &TestApp, _: &Fx) -> Value {
    json!({"name": t.unique("hook"), "url": "http://127.0.0.1:9/hook", "events": ["sla.breached"]})
}
fn evaluate_body(_: &TestApp, fx: &Fx) -> Value {
    json!({"applicationId": fx.app.to_string()})
}
fn doc_filter_body(_: &TestApp, fx: &Fx) -> Value {
    json!({"vuln_ids": [fx.vuln.to_string()]})
}

const ALL: [u16; 6] = [200, 200, 200, 200, 200, 401];
const OPEN: [u16; 6] = [200; 6];
const READ: [u16; 6] = [200, 200, 200, 200, 404, 401];
/// Apps, tags, scan configs, custom templates: Read Only may not change them.
const MANAGE: [u16; 6] = [200, 200, 403, 200, 404, 401];
const MANAGE_DEL: [u16; 6] = [204, 204, 403, 204, 404, 401];
const MANAGE_NEW: [u16; 6] = [201, 201, 403, 201, 404, 401];
/// Targets: Product Admin only.
const ADMIN: [u16; 6] = [200, 403, 403, 200, 404, 401];
const ADMIN_DEL: [u16; 6] = [204, 403, 403, 204, 404, 401];
/// System templates: read-only for everyone who can see them.
const LOCKED: [u16; 6] = [403, 403, 403, 403, 404, 401];
/// Identity collections: Product Admin only; another tenant's admin sees its own.
const ID_LIST: [u16; 6] = [200, 403, 403, 200, 200, 401];
const ID_NEW: [u16; 6] = [201, 403, 403, 201, 201, 401];
/// `/organizations`: the operator organization's administrators (the first tenant is the
/// operator; another tenant's admin is refused like a non-admin, whatever the id).
const OPERATOR: [u16; 6] = [200, 403, 403, 200, 403, 401];
/// An app (or its config) the Read Write and Read Only users are not members of.
const NON_MEMBER: [u16; 6] = [200, 404, 404, 200, 404, 401];

fn export_body(_: &TestApp, _: &Fx) -> Value {
    json!({"format": "csv"})
}

/// The audit log: Product Admin users and organization keys (`Principal::may_read_audit`);
/// another tenant reads its own log (an empty list) and never this tenant's entries.
const AUDIT_LIST: [u16; 6] = [200, 403, 403, 200, 200, 401];
const AUDIT_ONE: [u16; 6] = [200, 403, 403, 200, 404, 401];
const AUDIT_EXPORT: [u16; 6] = [202, 403, 403, 202, 202, 401];

/// Every route of the server.
#[rustfmt::skip]
pub fn cases() -> Vec<Case> {
    vec![
        Case("GET", "/validate", None, ALL),
        Case("GET", "/healthz", None, OPEN),
        Case("GET", "/readyz", None, OPEN),
        Case("GET", "/ias/v1/openapi.json", None, OPEN),
        Case("GET", "/v1/openapi.json", None, OPEN),
        Case("GET", "/openapi.json", None, OPEN),
        // the audit log, at both AppSec+ prefixes
        Case("GET", "/audit-logs", None, AUDIT_LIST),
        Case("GET", "/audit-logs/{audit}", None, AUDIT_ONE),
        Case("POST", "/audit-logs/export", Some(export_body), AUDIT_EXPORT),
        Case("GET", "/audit-logs/export/{audit_export}", None, AUDIT_ONE),
        Case("GET", "/audit-logs/export/{audit_export}/download", None, AUDIT_ONE),
        Case("GET", "/v1/audit-logs", None, AUDIT_LIST),
        Case("GET", "/v1/audit-logs/{audit}", None, AUDIT_ONE),
        Case("POST", "/v1/audit-logs/export", Some(export_body), AUDIT_EXPORT),
        Case("GET", "/v1/audit-logs/export/{audit_export}", None, AUDIT_ONE),
        Case("GET", "/v1/audit-logs/export/{audit_export}/download", None, AUDIT_ONE),
        // AppSec+ applications, scans, vulnerabilities, at both prefixes
        Case("GET", "/applications", None, ALL),
        Case("POST", "/applications", Some(plus_app_body), [201, 201, 403, 201, 201, 401]),
        Case("GET", "/applications/{app}", None, READ),
        Case("PUT", "/applications/{app}", Some(plus_app_body), MANAGE),
        Case("DELETE", "/applications/{app}", None, MANAGE_DEL),
        Case("POST", "/applications/{app}/archive", None, MANAGE),
        Case("POST", "/applications/{app}/unarchive", None, MANAGE),
        Case("GET", "/applications/{private_app}", None, NON_MEMBER),
        Case("GET", "/applications/{app}/scans", None, READ),
        Case("POST", "/applications/{app}/scans?scanType=sast&format=sarif", Some(plus_sarif), MANAGE_NEW),
        Case("POST", "/applications/{app}/scans?scanType=sast&format=sarif&dryRun=true", Some(plus_sarif), MANAGE),
        Case("GET", "/applications/{app}/vulnerabilities", None, READ),
        Case("GET", "/scans", None, ALL),
        Case("POST", "/scans?applicationId={app}&scanType=sast&format=sarif", Some(plus_sarif), MANAGE_NEW),
        Case("GET", "/scans/{plus_scan}", None, READ),
        Case("GET", "/vulnerabilities", None, ALL),
        Case("GET", "/vulnerabilities/{plus_vuln}", None, READ),
        Case("PATCH", "/vulnerabilities/{plus_vuln}", Some(plus_status_body), MANAGE),
        Case("GET", "/v1/applications", None, ALL),
        Case("POST", "/v1/applications", Some(plus_app_body), [201, 201, 403, 201, 201, 401]),
        Case("GET", "/v1/applications/{app}", None, READ),
        Case("PUT", "/v1/applications/{app}", Some(plus_app_body), MANAGE),
        Case("DELETE", "/v1/applications/{app}", None, MANAGE_DEL),
        Case("POST", "/v1/applications/{app}/archive", None, MANAGE),
        Case("POST", "/v1/applications/{app}/unarchive", None, MANAGE),
        Case("GET", "/v1/applications/{private_app}", None, NON_MEMBER),
        Case("GET", "/v1/applications/{app}/scans", None, READ),
        Case("POST", "/v1/applications/{app}/scans?scanType=sast&format=sarif", Some(plus_sarif), MANAGE_NEW),
        Case("POST", "/v1/applications/{app}/scans?scanType=sast&format=sarif&dryRun=true", Some(plus_sarif), MANAGE),
        Case("GET", "/v1/applications/{app}/vulnerabilities", None, READ),
        Case("GET", "/v1/scans", None, ALL),
        Case("POST", "/v1/scans?applicationId={app}&scanType=sast&format=sarif", Some(plus_sarif), MANAGE_NEW),
        Case("GET", "/v1/scans/{plus_scan}", None, READ),
        Case("GET", "/v1/vulnerabilities", None, ALL),
        Case("GET", "/v1/vulnerabilities/{plus_vuln}", None, READ),
        Case("PATCH", "/v1/vulnerabilities/{plus_vuln}", Some(plus_status_body), MANAGE),
        // AppSec+ gate policies
        Case("GET", "/policies", None, ALL),
        Case("POST", "/policies", Some(policy_body), [201, 201, 403, 201, 201, 401]),
        Case("GET", "/policies/{policy}", None, READ),
        Case("PUT", "/policies/{policy}", Some(policy_body), MANAGE),
        Case("DELETE", "/policies/{policy}", None, MANAGE_DEL),
        Case("POST", "/policies/{policy}/evaluate", Some(evaluate_body), READ),
        Case("GET", "/v1/policies", None, ALL),
        Case("POST", "/v1/policies", Some(policy_body), [201, 201, 403, 201, 201, 401]),
        Case("GET", "/v1/policies/{policy}", None, READ),
        Case("PUT", "/v1/policies/{policy}", Some(policy_body), MANAGE),
        Case("DELETE", "/v1/policies/{policy}", None, MANAGE_DEL),
        Case("POST", "/v1/policies/{policy}/evaluate", Some(evaluate_body), READ),
        // AppSec+ connectors (the engines' permissions: everyone reads, Product Admins
        // manage) and the triage trail of a policy
        Case("GET", "/policies/{policy}/changes", None, READ),
        Case("GET", "/connectors", None, ALL),
        Case("POST", "/connectors", Some(connector_body), ID_NEW),
        Case("GET", "/connectors/{connector}", None, READ),
        Case("PUT", "/connectors/{connector}", Some(connector_body), ADMIN),
        Case("DELETE", "/connectors/{connector}", None, ADMIN_DEL),
        Case("POST", "/connectors/{connector}/test", None, ADMIN),
        Case("GET", "/connectors/{engine}", None, READ),
        Case("GET", "/connector-types", None, ALL),
        Case("GET", "/connector-types/{connector_type}", None, ALL),
        Case("GET", "/v1/policies/{policy}/changes", None, READ),
        Case("GET", "/v1/connectors", None, ALL),
        Case("POST", "/v1/connectors", Some(connector_body), ID_NEW),
        Case("GET", "/v1/connectors/{connector}", None, READ),
        Case("PUT", "/v1/connectors/{connector}", Some(connector_body), ADMIN),
        Case("DELETE", "/v1/connectors/{connector}", None, ADMIN_DEL),
        Case("POST", "/v1/connectors/{connector}/test", None, ADMIN),
        Case("GET", "/v1/connectors/{engine}", None, READ),
        Case("GET", "/v1/connector-types", None, ALL),
        Case("GET", "/v1/connector-types/{connector_type}", None, ALL),
        // AppSec+ webhooks: Product Admin only (an event carries every app's data)
        Case("GET", "/webhooks", None, ID_LIST),
        Case("POST", "/webhooks", Some(webhook_body), ID_NEW),
        Case("GET", "/webhooks/{webhook}", None, ADMIN),
        Case("PUT", "/webhooks/{webhook}", Some(webhook_body), ADMIN),
        Case("DELETE", "/webhooks/{webhook}", None, ADMIN_DEL),
        Case("GET", "/webhooks/{webhook}/deliveries", None, ADMIN),
        Case("GET", "/webhooks/{webhook}/deliveries/{delivery}", None, ADMIN),
        Case("POST", "/webhooks/{webhook}/deliveries/{delivery}/replay", None, [202, 403, 403, 202, 404, 401]),
        Case("GET", "/v1/webhooks", None, ID_LIST),
        Case("POST", "/v1/webhooks", Some(webhook_body), ID_NEW),
        Case("GET", "/v1/webhooks/{webhook}", None, ADMIN),
        Case("PUT", "/v1/webhooks/{webhook}", Some(webhook_body), ADMIN),
        Case("DELETE", "/v1/webhooks/{webhook}", None, ADMIN_DEL),
        Case("GET", "/v1/webhooks/{webhook}/deliveries", None, ADMIN),
        Case("GET", "/v1/webhooks/{webhook}/deliveries/{delivery}", None, ADMIN),
        Case("POST", "/v1/webhooks/{webhook}/deliveries/{delivery}/replay", None, [202, 403, 403, 202, 404, 401]),
        // apps
        Case("GET", "/ias/v1/apps", None, ALL),
        Case("POST", "/ias/v1/apps", Some(app_body), [201, 201, 403, 201, 201, 401]),
        Case("GET", "/ias/v1/apps/{app}", None, READ),
        Case("PUT", "/ias/v1/apps/{app}", Some(app_body), MANAGE),
        Case("DELETE", "/ias/v1/apps/{app}", None, MANAGE_DEL),
        Case("GET", "/ias/v1/apps/{app}/users", None, READ),
        Case("POST", "/ias/v1/apps/{private_app}/users", Some(member_body), [201, 404, 404, 201, 404, 401]),
        Case("DELETE", "/ias/v1/apps/{app}/users/{user}", None, MANAGE_DEL),
        Case("GET", "/ias/v1/apps/{app}/tags", None, READ),
        Case("POST", "/ias/v1/apps/{app}/tags", Some(tag_ref_body), MANAGE_NEW),
        Case("DELETE", "/ias/v1/apps/{app}/tags/{applied_tag}", None, MANAGE_DEL),
        Case("GET", "/ias/v1/apps/{private_app}", None, NON_MEMBER),
        Case("PUT", "/ias/v1/apps/{private_app}", Some(app_body), NON_MEMBER),
        Case("DELETE", "/ias/v1/apps/{private_app}", None, [204, 404, 404, 204, 404, 401]),
        Case("GET", "/ias/v1/apps/{private_app}/users", None, NON_MEMBER),
        Case("GET", "/ias/v1/apps/{private_app}/tags", None, NON_MEMBER),
        // files (Files: Read Only reads; a locked file only its owner, the Product Admin
        // user, may change)
        Case("GET", "/ias/v1/apps/{app}/files", None, READ),
        Case("POST", "/ias/v1/apps/{app}/files", Some(file_body), MANAGE_NEW),
        Case("GET", "/ias/v1/apps/{app}/files/{file}", None, READ),
        Case("PUT", "/ias/v1/apps/{app}/files/{file}", Some(file_body), MANAGE),
        Case("POST", "/ias/v1/apps/{app}/files/{file}", Some(file_content), MANAGE_NEW),
        Case("DELETE", "/ias/v1/apps/{app}/files/{file}", None, MANAGE_DEL),
        Case("PUT", "/ias/v1/apps/{app}/files/{locked_file}", Some(file_body), [200, 403, 403, 403, 404, 401]),
        Case("POST", "/ias/v1/apps/{app}/files/{locked_file}", Some(file_content), [201, 403, 403, 403, 404, 401]),
        Case("DELETE", "/ias/v1/apps/{app}/files/{locked_file}", None, [204, 403, 403, 403, 404, 401]),
        Case("GET", "/ias/v1/apps/{private_app}/files", None, NON_MEMBER),
        // targets
        Case("GET", "/ias/v1/targets", None, ALL),
        Case("POST", "/ias/v1/targets", Some(target_body), [201, 403, 403, 201, 201, 401]),
        Case("GET", "/ias/v1/targets/{target}", None, READ),
        Case("PUT", "/ias/v1/targets/{target}", Some(target_body), ADMIN),
        Case("DELETE", "/ias/v1/targets/{target}", None, ADMIN_DEL),
        // tags
        Case("GET", "/ias/v1/tags", None, ALL),
        Case("POST", "/ias/v1/tags", Some(tag_body), [201, 201, 403, 201, 201, 401]),
        Case("GET", "/ias/v1/tags/{tag}", None, READ),
        Case("PUT", "/ias/v1/tags/{tag}", Some(tag_body), MANAGE),
        Case("DELETE", "/ias/v1/tags/{tag}", None, MANAGE_DEL),
        // attack templates (custom ones: Product Admin and Read Write manage them)
        Case("GET", "/ias/v1/attack-templates", None, ALL),
        Case("POST", "/ias/v1/attack-templates", Some(template_body), [200, 200, 403, 200, 200, 401]),
        Case("GET", "/ias/v1/attack-templates/module-configs", None, ALL),
        Case("GET", "/ias/v1/attack-templates/{tpl}", None, READ),
        Case("PUT", "/ias/v1/attack-templates/{tpl}", Some(template_body), MANAGE),
        Case("DELETE", "/ias/v1/attack-templates/{tpl}", None, MANAGE_DEL),
        Case("GET", "/ias/v1/attack-templates/{tpl}/modules", None, READ),
        Case("POST", "/ias/v1/attack-templates/{tpl}/modules", Some(module_body), MANAGE),
        Case("PUT", "/ias/v1/attack-templates/{tpl}/modules/{tpl_module}", Some(module_body), MANAGE),
        Case("DELETE", "/ias/v1/attack-templates/{tpl}/modules/{tpl_module}", None, MANAGE_DEL),
        Case("GET", "/ias/v1/attack-templates/{sys}", None, READ),
        Case("PUT", "/ias/v1/attack-templates/{sys}", Some(template_body), LOCKED),
        Case("DELETE", "/ias/v1/attack-templates/{sys}", None, LOCKED),
        Case("GET", "/ias/v1/attack-templates/{sys}/modules", None, READ),
        Case("POST", "/ias/v1/attack-templates/{sys}/modules", Some(module_body), LOCKED),
        Case("PUT", "/ias/v1/attack-templates/{sys}/modules/{sys_module}", Some(module_body), LOCKED),
        Case("DELETE", "/ias/v1/attack-templates/{sys}/modules/{sys_module}", None, LOCKED),
        // modules (the catalogue is the same for every tenant)
        Case("GET", "/ias/v1/modules", None, ALL),
        Case("GET", "/ias/v1/modules/{module}", None, ALL),
        Case("GET", "/ias/v1/modules/{module}/attacks/SQLI_01", None, ALL),
        Case("GET", "/ias/v1/modules/{module}/attacks/SQLI_01/documentation", None, ALL),
        // scan configs
        Case("GET", "/ias/v1/scan-configs", None, ALL),
        // Another tenant names an app it cannot see in the body: 422 "no such app".
        Case("POST", "/ias/v1/scan-configs", Some(config_body), [201, 201, 403, 201, 422, 401]),
        Case("GET", "/ias/v1/scan-configs/options/default", None, ALL),
        Case("GET", "/ias/v1/scan-configs/{cfg}", None, READ),
        Case("PUT", "/ias/v1/scan-configs/{cfg}", Some(config_body), MANAGE),
        Case("DELETE", "/ias/v1/scan-configs/{cfg}", None, MANAGE_DEL),
        Case("GET", "/ias/v1/scan-configs/{cfg}/options", None, READ),
        Case("PUT", "/ias/v1/scan-configs/{cfg}/options", Some(options_body), MANAGE),
        Case("PATCH", "/ias/v1/scan-configs/{cfg}/options", Some(options_body), MANAGE),
        Case("GET", "/ias/v1/scan-configs/{private_cfg}", None, NON_MEMBER),
        Case("GET", "/ias/v1/scan-configs/{private_cfg}/options", None, NON_MEMBER),
        // engine groups and engines: Product Admin manages, everyone reads; the engine
        // credential is a secret, so reading it needs Manage too
        Case("GET", "/ias/v1/engine-groups", None, ALL),
        Case("POST", "/ias/v1/engine-groups", Some(engine_group_body), [201, 403, 403, 201, 201, 401]),
        Case("GET", "/ias/v1/engine-groups/{engine_group}", None, READ),
        Case("PUT", "/ias/v1/engine-groups/{engine_group}", Some(engine_group_body), ADMIN),
        Case("DELETE", "/ias/v1/engine-groups/{engine_group}", None, ADMIN_DEL),
        Case("GET", "/ias/v1/engine-groups/{engine_group}/engines", None, READ),
        Case("GET", "/ias/v1/engines", None, ALL),
        Case("POST", "/ias/v1/engines", Some(engine_body), [201, 403, 403, 201, 201, 401]),
        Case("GET", "/ias/v1/engines/{engine}", None, READ),
        Case("PUT", "/ias/v1/engines/{engine}", Some(engine_body), ADMIN),
        Case("DELETE", "/ias/v1/engines/{engine}", None, ADMIN_DEL),
        Case("GET", "/ias/v1/engines/{engine}/credential", None, ADMIN),
        Case("PUT", "/ias/v1/engines/{engine}/credential", None, ADMIN),
        Case("DELETE", "/ias/v1/engines/{engine}/credential", None, ADMIN_DEL),
        Case("POST", "/ias/v1/engines/{engine}/upgrade", None, [202, 403, 403, 202, 404, 401]),
        // scans (another tenant names a config it cannot see: 422 "no such scan config")
        Case("GET", "/ias/v1/scans", None, ALL),
        Case("POST", "/ias/v1/scans", Some(scan_body), [201, 201, 403, 201, 422, 401]),
        Case("GET", "/ias/v1/scans/{scan}", None, READ),
        Case("DELETE", "/ias/v1/scans/{failed_scan}", None, MANAGE_DEL),
        Case("GET", "/ias/v1/scans/{scan}/action", None, [204, 204, 204, 204, 404, 401]),
        Case("PUT", "/ias/v1/scans/{scan}/action", Some(cancel_body), MANAGE),
        Case("GET", "/ias/v1/scans/{scan}/execution-details", None, READ),
        Case("GET", "/ias/v1/scans/{scan}/engine-events", None, READ),
        Case("GET", "/ias/v1/scans/{scan}/platform-events", None, READ),
        Case("GET", "/ias/v1/scans/{private_scan}", None, NON_MEMBER),
        // (a FAILED scan: the members get the conflict, the others do not see it)
        Case("PUT", "/ias/v1/scans/{private_scan}/action", Some(cancel_body), [409, 404, 404, 409, 404, 401]),
        Case("DELETE", "/ias/v1/scans/{scan}", None, [409, 409, 403, 409, 404, 401]),
        // search (what a caller may not see is filtered out, not refused)
        Case("POST", "/ias/v1/search", Some(search_scans), ALL),
        Case("POST", "/ias/v1/search", Some(search_apps), ALL),
        Case("POST", "/ias/v1/search?size=1", Some(search_targets), ALL),
        Case("POST", "/ias/v1/search?size=2", Some(search_engines), ALL),
        Case("POST", "/ias/v1/search?size=3", Some(search_engine_groups), ALL),
        Case("POST", "/ias/v1/search", Some(search_vulns), ALL),
        Case("POST", "/ias/v1/search", Some(search_discoveries), ALL),
        Case("POST", "/ias/v1/search", Some(search_files), ALL),
        Case("POST", "/ias/v1/search", Some(search_schedules), ALL),
        // schedules (Schedules: Manage / Manage / Read)
        Case("GET", "/ias/v1/schedules", None, ALL),
        Case("POST", "/ias/v1/schedules", Some(schedule_body), [201, 201, 403, 201, 422, 401]),
        Case("GET", "/ias/v1/schedules/{schedule}", None, READ),
        Case("PUT", "/ias/v1/schedules/{schedule}", Some(schedule_body), MANAGE),
        Case("DELETE", "/ias/v1/schedules/{schedule}", None, MANAGE_DEL),
        Case("GET", "/ias/v1/schedules/{private_schedule}", None, NON_MEMBER),
        Case("PUT", "/ias/v1/schedules/{private_schedule}", Some(schedule_body), NON_MEMBER),
        Case("POST", "/ias/v1/search", Some(search_blackouts), ALL),
        // vulnerabilities (Vulnerabilities: Read Write manages; comments: Read Write
        // manages its own, Product Admin administers everyone's)
        Case("GET", "/ias/v1/vulnerabilities", None, ALL),
        Case("GET", "/ias/v1/vulnerabilities/{vuln}", None, READ),
        Case("PUT", "/ias/v1/vulnerabilities/{vuln}", Some(vuln_body), MANAGE),
        Case("GET", "/ias/v1/vulnerabilities/{private_vuln}", None, NON_MEMBER),
        Case("PUT", "/ias/v1/vulnerabilities/{private_vuln}", Some(vuln_body), NON_MEMBER),
        Case("GET", "/ias/v1/vulnerabilities/{vuln}/discoveries", None, READ),
        Case("GET", "/ias/v1/vulnerabilities/{vuln}/discoveries/{discovery}", None, READ),
        Case("GET", "/ias/v1/vulnerabilities/{vuln}/history", None, READ),
        Case("GET", "/ias/v1/vulnerabilities/{vuln}/comments", None, READ),
        Case("POST", "/ias/v1/vulnerabilities/{vuln}/comments", Some(comment_body), MANAGE_NEW),
        Case("GET", "/ias/v1/vulnerabilities/{vuln}/comments/{comment}", None, READ),
        Case("PUT", "/ias/v1/vulnerabilities/{vuln}/comments/{comment}", Some(comment_body), MANAGE),
        Case("DELETE", "/ias/v1/vulnerabilities/{vuln}/comments/{comment}", None, MANAGE_DEL),
        Case("PUT", "/ias/v1/vulnerabilities/{vuln}/comments/{admin_comment}", Some(comment_body), ADMIN),
        Case("DELETE", "/ias/v1/vulnerabilities/{vuln}/comments/{admin_comment}", None, ADMIN_DEL),
        Case("GET", "/ias/v1/vulnerabilities/{private_vuln}/comments", None, NON_MEMBER),
        Case("GET", "/ias/v1/vulnerabilities/{vuln}/variances/{variance}/documentation", None, READ),
        Case("POST", "/ias/v1/vulnerabilities/variances/documentation", Some(doc_filter_body), ALL),
        // blackouts: app ones like the app's other objects (another tenant names an app it
        // cannot see: 422); global ones are Product Admin only (Manage Global Blackouts),
        // invisible (404) to the roles the table gives no Global Blackouts permission
        Case("GET", "/ias/v1/blackouts", None, ALL),
        Case("POST", "/ias/v1/blackouts", Some(blackout_body), [201, 201, 403, 201, 422, 401]),
        Case("POST", "/ias/v1/blackouts", Some(global_blackout_body), [201, 403, 403, 201, 201, 401]),
        Case("GET", "/ias/v1/blackouts/{blackout}", None, READ),
        Case("PUT", "/ias/v1/blackouts/{blackout}", Some(blackout_body), MANAGE),
        Case("PUT", "/ias/v1/blackouts/{blackout}", Some(global_blackout_body), [200, 403, 403, 200, 404, 401]),
        Case("DELETE", "/ias/v1/blackouts/{blackout}", None, MANAGE_DEL),
        Case("GET", "/ias/v1/blackouts/{global_blackout}", None, NON_MEMBER),
        Case("PUT", "/ias/v1/blackouts/{global_blackout}", Some(global_blackout_body), NON_MEMBER),
        Case("PUT", "/ias/v1/blackouts/{global_blackout}", Some(blackout_body), NON_MEMBER),
        Case("DELETE", "/ias/v1/blackouts/{global_blackout}", None, [204, 404, 404, 204, 404, 401]),
        // identity groups grant app access: by app, and by tag (`granted_app` has no
        // members; Read Write and Read Only see it through their group's tag grant)
        Case("GET", "/ias/v1/apps/{granted_app}", None, READ),
        Case("GET", "/ias/v1/scan-configs/{granted_cfg}", None, READ),
        Case("GET", "/ias/v1/apps/{granted_app}/files", None, READ),
        // identity: the caller's organization for everyone; the rest Product Admin only
        // (another tenant's admin manages its own tenant and sees none of this one's)
        Case("GET", "/organization", None, ALL),
        Case("PUT", "/organization", Some(org_body), ID_LIST),
        Case("GET", "/organizations", None, OPERATOR),
        Case("POST", "/organizations", Some(org_body), [201, 403, 403, 201, 403, 401]),
        Case("GET", "/organizations/{victim_org}", None, OPERATOR),
        Case("PUT", "/organizations/{victim_org}", Some(org_body), OPERATOR),
        Case("DELETE", "/organizations/{victim_org}", None, [204, 403, 403, 204, 403, 401]),
        Case("DELETE", "/users/{new_user}", None, ADMIN_DEL),
        Case("DELETE", "/service-accounts/{sa}", None, ADMIN_DEL),
        Case("GET", "/users", None, ID_LIST),
        Case("POST", "/users", Some(user_body), ID_NEW),
        Case("GET", "/users/{new_user}", None, ADMIN),
        Case("PUT", "/users/{new_user}", Some(user_update), ADMIN),
        Case("GET", "/service-accounts", None, ID_LIST),
        Case("POST", "/service-accounts", Some(sa_body), ID_NEW),
        Case("GET", "/service-accounts/{sa}", None, ADMIN),
        Case("PUT", "/service-accounts/{sa}", Some(sa_body), ADMIN),
        Case("GET", "/api-keys", None, ID_LIST),
        Case("POST", "/api-keys", Some(key_body), ID_NEW),
        Case("GET", "/api-keys/{api_key}", None, ADMIN),
        Case("DELETE", "/api-keys/{api_key}", None, ADMIN_DEL),
        Case("POST", "/api-keys/{api_key}/rotate", None, [201, 403, 403, 201, 404, 401]),
        Case("GET", "/identity-groups", None, ID_LIST),
        Case("POST", "/identity-groups", Some(group_body), ID_NEW),
        Case("GET", "/identity-groups/{group}", None, ADMIN),
        Case("PUT", "/identity-groups/{group}", Some(group_body), ADMIN),
        Case("DELETE", "/identity-groups/{group}", None, ADMIN_DEL),
        Case("POST", "/identity-groups/{group}/members", Some(group_member_body), ADMIN),
        Case("DELETE", "/identity-groups/{group}/members/{user}", None, ADMIN_DEL),
        Case("POST", "/identity-groups/{group}/grants", Some(group_grant_body), ADMIN),
        Case("DELETE", "/identity-groups/{group}/grants/applications/{app}", None, ADMIN_DEL),
        Case("DELETE", "/identity-groups/{group}/grants/tags/{granted_tag}", None, ADMIN_DEL),
        // AppSec+: OAuth clients (Product Admin; another tenant lists its own)
        Case("GET", "/oauth/clients", None, [200, 403, 403, 200, 200, 401]),
        Case("POST", "/oauth/clients", Some(oauth_client_body), [201, 403, 403, 201, 201, 401]),
        Case("DELETE", "/oauth/clients/{oauth_client}", None, [204, 403, 403, 204, 404, 401]),
        // the authorization server authenticates clients, not keys or tokens: without
        // client credentials (and a form body) every caller is refused alike
        Case("POST", "/oauth/token", None, [400; 6]),
        Case("POST", "/oauth/introspect", None, [400; 6]),
        Case("POST", "/oauth/revoke", None, [400; 6]),
        Case("GET", "/.well-known/jwks.json", None, OPEN),
        Case("GET", "/.well-known/oauth-authorization-server", None, OPEN),
        // reports (PDF Report: Manage / Manage / Read; another tenant names a scan it
        // cannot see: 422; a report of an app is visible to the app's members)
        Case("GET", "/ias/v1/reports", None, ALL),
        Case("POST", "/ias/v1/reports", Some(report_body), [201, 201, 403, 201, 422, 401]),
        Case("GET", "/ias/v1/reports/{report}", None, READ),
        Case("DELETE", "/ias/v1/reports/{report}", None, MANAGE_DEL),
        Case("GET", "/ias/v1/reports/{private_report}", None, NON_MEMBER),
        Case("DELETE", "/ias/v1/reports/{private_report}", None, [204, 404, 404, 204, 404, 401]),
        Case("POST", "/ias/v1/search", Some(search_reports), ALL),
    ]
}

fn keys(t: &TestApp) -> [Option<&Key>; 6] {
    [
        Some(&t.keys.admin),
        Some(&t.keys.read_write),
        Some(&t.keys.read_only),
        Some(&t.keys.org),
        Some(&t.keys.other),
        None,
    ]
}

/// How the callers authenticate: their API keys, or bearer tokens acting as the same
/// principals with the given scopes (the expected status of each cell computed by `expect`).
pub enum Creds {
    Keys,
    Bearer {
        tokens: Vec<String>,
        /// Whether a token of these scopes is refused (403 `insufficient_scope`) on a
        /// cell: (method, path template, body). The scope check comes before any object
        /// is looked up, so it answers the same for every id and discloses nothing.
        refuse: fn(&str, &str, Option<&Value>) -> bool,
    },
}

/// Sends one cell; `Err` describes a wrong status.
/// One cell: the status it was answered with, and whether it was the one expected.
async fn check(
    t: &TestApp,
    fx: &Fx,
    case: &Case,
    who: usize,
    creds: &Creds,
) -> (u16, Result<(), String>) {
    let Case(method, template, body, expect) = case;
    let path = fx.path(t, template);
    let body = body.map(|b| b(t, fx));
    let mut want = expect[who];
    let caller = match (keys(t)[who], creds) {
        (None, _) => t.anon(),
        (Some(k), Creds::Keys) => t.with(k),
        (Some(_), Creds::Bearer { tokens, refuse }) => {
            if refuse(method, template, body.as_ref()) {
                want = 403;
            }
            t.bearer(&tokens[who])
        }
    };
    let mut req = caller.request(method.parse().expect("a method"), &path);
    if let Some(b) = body {
        req = match b {
            Value::String(raw) => req
                .header("Content-Type", "application/octet-stream")
                .body(raw),
            v => req.json(&v),
        };
    }
    let r = req.send().await;
    let result = if r.status == want {
        Ok(())
    } else {
        Err(format!(
            "{method:6} {template:58} as {:18} expected {} got {}: {}",
            CALLERS[who],
            want,
            r.status,
            r.text()
        ))
    };
    (r.status, result)
}

/// Runs every cell on `t` with API keys; a mutating cell on fixtures no answer has changed.
pub async fn run(t: &TestApp) {
    run_with(t, &Creds::Keys).await
}

/// Runs every cell on `t` with `creds`. Reads share one set of fixtures. A mutating cell
/// runs on fixtures that no answer has changed: new ones after any cell answered below 400
/// (which may have changed them); a refusal (400 and up) changes nothing, so the next cell
/// keeps them (and a refusal that did change them would show as a wrong answer later).
pub async fn run_with(t: &TestApp, creds: &Creds) {
    let shared = Fx::new(t).await;
    let mut unchanged: Option<Fx> = None;
    let mut failures = Vec::new();
    let mut cells = 0;
    for case in cases() {
        for who in 0..CALLERS.len() {
            cells += 1;
            let mutating = case.0 != "GET";
            let fx = if mutating {
                if unchanged.is_none() {
                    unchanged = Some(Fx::new(t).await);
                }
                unchanged.as_ref().expect("fixtures")
            } else {
                &shared
            };
            let (status, result) = check(t, fx, &case, who, creds).await;
            if mutating && status < 400 {
                unchanged = None;
            }
            if let Err(e) = result {
                failures.push(e);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cells} authorization cells are wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn authorization_matrix() {
    run(&TestApp::spawn().await).await;
}

async fn tokens(t: &TestApp, scopes: &str) -> Vec<String> {
    let mut out = Vec::new();
    for k in keys(t).into_iter().flatten() {
        out.push(t.fx_token(k, scopes).await);
    }
    out
}

/// A bearer token with every scope is the same caller as the key of its principal.
#[tokio::test]
async fn authorization_matrix_with_bearer_tokens() {
    let t = TestApp::spawn().await;
    let tokens = tokens(&t, "admin").await;
    run_with(
        &t,
        &Creds::Bearer {
            tokens,
            refuse: |_, _, _| false,
        },
    )
    .await;
}

/// A `read` token: every read as its principal's key, every change 403
/// `insufficient_scope` (searches and the documentation filter are reads).
#[tokio::test]
async fn authorization_matrix_with_read_scoped_tokens() {
    let t = TestApp::spawn().await;
    let tokens = tokens(&t, "read").await;
    let refuse = |method: &str, path: &str, _: Option<&Value>| {
        let reads = method == "GET"
            || path.starts_with("/oauth/token")
            || path.starts_with("/oauth/introspect")
            || path.starts_with("/oauth/revoke")
            || path.starts_with("/ias/v1/search")
            || path == "/ias/v1/vulnerabilities/variances/documentation"
            || path.ends_with("/evaluate");
        // decision 4: `read` does not include `audit:read`
        let audit = path.starts_with("/audit-logs") || path.starts_with("/v1/audit-logs");
        !reads || audit
    };
    run_with(&t, &Creds::Bearer { tokens, refuse }).await;
}

/// A token of one area (`scans:write` only): other areas' reads are 403 too.
#[tokio::test]
async fn authorization_matrix_with_a_single_area_token() {
    let t = TestApp::spawn().await;
    let tokens = tokens(&t, "scans:read scans:write").await;
    let refuse = |_: &str, path: &str, body: Option<&Value>| {
        let area = path
            .trim_start_matches("/ias/v1/")
            .trim_start_matches("/v1/")
            .trim_start_matches('/')
            .split(['/', '?'])
            .next()
            .unwrap_or("");
        let scans = [
            "scans",
            "scan-configs",
            "schedules",
            "blackouts",
            "attack-templates",
            "modules",
        ];
        let open = [
            "/validate",
            "/healthz",
            "/readyz",
            "/ias/v1/openapi.json",
            "/v1/openapi.json",
            "/openapi.json",
            "/oauth/token",
            "/oauth/introspect",
            "/oauth/revoke",
        ]
        .contains(&path)
            || path.starts_with("/.well-known/");
        if area == "search" {
            let ty = body.and_then(|b| b["type"].as_str()).unwrap_or("");
            return !["SCAN", "SCHEDULE", "BLACKOUT"].contains(&ty);
        }
        !open && !scans.contains(&area)
    };
    run_with(&t, &Creds::Bearer { tokens, refuse }).await;
}
