//! The document's request rules hold on the server: bodies on either side of each rule
//! (`openapi/write.rs`: members required on write, the rules between members), each checked
//! against the served document and sent to the real route. The document accepts a body
//! exactly when the route does (2xx; 422 otherwise), and a body the document accepts
//! without one of its required members is refused by both.

use rampart_testkit::TestApp;
use reqwest::Method;
use serde_json::{json, Value};

/// One body: the documented path, the path sent, and whether the document (and the route)
/// must accept it.
struct Case {
    method: Method,
    doc_path: &'static str,
    path: String,
    body: Value,
    valid: bool,
}

fn case(method: Method, doc_path: &'static str, path: String, body: Value, valid: bool) -> Case {
    Case {
        method,
        doc_path,
        path,
        body,
        valid,
    }
}

/// The schema of the JSON request body of `method path`, with the document's components
/// so that its `$ref`s resolve.
fn body_schema(doc: &Value, method: &Method, path: &str) -> Value {
    let op = &doc["paths"][path][method.as_str().to_ascii_lowercase()];
    let schema = op["requestBody"]["content"]["application/json"]["schema"].clone();
    assert!(schema.is_object(), "{method} {path}: no JSON request body");
    let mut s = schema;
    s["components"] = doc["components"].clone();
    s
}

/// The members the body's schema requires, when it is one object schema (a `$ref` to it).
fn required(doc: &Value, method: &Method, path: &str) -> Vec<String> {
    let op = &doc["paths"][path][method.as_str().to_ascii_lowercase()];
    let name = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        .as_str()
        .and_then(|r| r.rsplit('/').next())
        .unwrap_or_default();
    doc["components"]["schemas"][name]["required"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(|m| m.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

async fn check(t: &TestApp, doc: &Value, c: &Case) {
    let schema = body_schema(doc, &c.method, c.doc_path);
    let v = jsonschema::draft202012::new(&schema).expect("a valid schema");
    let what = format!("{} {} {}", c.method, c.path, c.body);
    assert_eq!(v.is_valid(&c.body), c.valid, "the document on {what}");
    let res = t
        .admin()
        .request(c.method.clone(), &c.path)
        .json(&c.body)
        .send()
        .await;
    let want = if c.valid { "2xx" } else { "422" };
    let ok = if c.valid {
        (200..300).contains(&res.status)
    } else {
        res.status == 422
    };
    assert!(
        ok,
        "the route on {what}: want {want}, got {} {}",
        res.status,
        res.text()
    );
    if !c.valid {
        return;
    }
    // Without any one member the schema requires, both refuse it.
    for member in required(doc, &c.method, c.doc_path) {
        let mut body = c.body.clone();
        if body
            .as_object_mut()
            .and_then(|o| o.remove(&member))
            .is_none()
        {
            continue;
        }
        assert!(
            !v.is_valid(&body),
            "the document takes {what} without {member}"
        );
        let res = t
            .admin()
            .request(c.method.clone(), &c.path)
            .json(&body)
            .send()
            .await;
        assert_eq!(
            res.status,
            422,
            "the route on {what} without {member}: {}",
            res.text()
        );
    }
}

#[tokio::test]
async fn request_rules_hold() {
    use Method as M;
    let t = TestApp::spawn().await;
    let doc: Value = t
        .anon()
        .get("/ias/v1/openapi.json")
        .send()
        .await
        .status(200)
        .json();
    let app = t.fx_app("rules").await;
    let tpl = t.fx_template("rules").await;
    let cfg = t.fx_scan_config(app, "rules").await;
    let (scan, vuln) = t.fx_vulnerability(app).await;
    let vuln = vuln.id.0;
    // The template configures the catalogue's first module; the cases add the last one.
    let module_id = t.fx_template_module(tpl).await;
    let configs = t
        .ro()
        .get("/ias/v1/attack-templates/module-configs")
        .send()
        .await
        .status(200)
        .json();
    let configs = configs.as_array().expect("module configs");
    assert!(configs.len() > 1, "two modules at least");
    let module = configs[configs.len() - 1]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let file = t
        .admin()
        .create(
            &format!("/ias/v1/apps/{app}/files"),
            json!({"name": "api.json", "type": "SWAGGER"}),
        )
        .await;
    let comment = t
        .admin()
        .create(
            &format!("/ias/v1/vulnerabilities/{vuln}/comments"),
            json!({"content": "seen"}),
        )
        .await;
    let group = t
        .admin()
        .post("/identity-groups")
        .json(&json!({"name": "rules"}))
        .send()
        .await
        .status(201)
        .json();
    let group = group["id"].as_str().expect("id").to_string();
    let variances = t
        .ro()
        .get(&format!("/ias/v1/vulnerabilities/{vuln}"))
        .send()
        .await
        .status(200)
        .json()["variances"]
        .clone();
    let mut anonymous = variances.clone();
    for v in anonymous.as_array_mut().expect("variances") {
        v.as_object_mut().expect("variance").remove("id");
    }
    let at = |f: &str| f.to_string();
    let files = format!("/ias/v1/apps/{app}/files");
    let one_file = format!("/ias/v1/apps/{app}/files/{file}");
    let modules = format!("/ias/v1/attack-templates/{tpl}/modules");
    let one_module = format!("/ias/v1/attack-templates/{tpl}/modules/{module_id}");
    let comments = format!("/ias/v1/vulnerabilities/{vuln}/comments");
    let one_comment = format!("{comments}/{comment}");
    let grants = format!("/identity-groups/{group}/grants");
    let window = json!({"name": "quiet", "enabled": false, "first_start": "2030-01-05T00:00:00Z",
        "first_end": "2030-01-06T00:00:00Z", "frequency": {"type": "WEEKLY", "interval": 1}});
    let schedule = json!({"name": "nightly", "enabled": "true", "scan_config": {"id": cfg},
        "first_start": "2030-01-05T01:00:00Z", "frequency": {"type": "DAILY", "interval": 1}});
    let module_body = json!({"module_config_id": module, "severity": "LOW", "max_findings": 3});
    let without = |body: &Value, member: &str, value: Value| {
        let mut b = body.clone();
        b[member] = value;
        b
    };
    let cases = vec![
        // Files: the type, and a name that ends as the type asks.
        case(
            M::POST,
            "/ias/v1/apps/{id}/files",
            files.clone(),
            json!({"name": "svc.WSDL", "type": "WSDL"}),
            true,
        ),
        case(
            M::POST,
            "/ias/v1/apps/{id}/files",
            files.clone(),
            json!({"name": "svc.json", "type": "WSDL"}),
            false,
        ),
        case(
            M::POST,
            "/ias/v1/apps/{id}/files",
            files.clone(),
            json!({"name": "svc.wsdl"}),
            false,
        ),
        case(
            M::PUT,
            "/ias/v1/apps/{id}/files/{file_id}",
            one_file.clone(),
            json!({"name": "api.yaml", "type": "SWAGGER"}),
            true,
        ),
        case(
            M::PUT,
            "/ias/v1/apps/{id}/files/{file_id}",
            one_file.clone(),
            json!({"name": "api.yaml"}),
            false,
        ),
        case(
            M::PUT,
            "/ias/v1/apps/{id}/files/{file_id}",
            one_file.clone(),
            json!({"name": "api.rec", "type": "SWAGGER"}),
            false,
        ),
        // A template's modules: the module, its severity and a count of findings.
        case(
            M::POST,
            "/ias/v1/attack-templates/{id}/modules",
            modules.clone(),
            without(&module_body, "max_findings", Value::Null),
            false,
        ),
        case(
            M::POST,
            "/ias/v1/attack-templates/{id}/modules",
            modules.clone(),
            without(&module_body, "max_findings", json!(-1)),
            false,
        ),
        case(
            M::POST,
            "/ias/v1/attack-templates/{id}/modules",
            modules.clone(),
            without(&module_body, "parameter_locations", json!(["NOWHERE"])),
            false,
        ),
        case(
            M::POST,
            "/ias/v1/attack-templates/{id}/modules",
            modules.clone(),
            without(&module_body, "parameter_locations", json!(["QUERY"])),
            true,
        ),
        case(
            M::PUT,
            "/ias/v1/attack-templates/{id}/modules/{module_id}",
            one_module.clone(),
            without(&module_body, "severity", Value::Null),
            false,
        ),
        case(
            M::PUT,
            "/ias/v1/attack-templates/{id}/modules/{module_id}",
            one_module.clone(),
            json!({"module_config_id": configs[0]["id"], "severity": "HIGH", "max_findings": 0}),
            true,
        ),
        // Blackouts and schedules: whether enabled, and when.
        case(
            M::POST,
            "/ias/v1/blackouts",
            at("/ias/v1/blackouts"),
            window.clone(),
            true,
        ),
        case(
            M::POST,
            "/ias/v1/blackouts",
            at("/ias/v1/blackouts"),
            without(&window, "enabled", json!("")),
            false,
        ),
        case(
            M::POST,
            "/ias/v1/blackouts",
            at("/ias/v1/blackouts"),
            without(&window, "first_end", Value::Null),
            false,
        ),
        case(
            M::POST,
            "/ias/v1/schedules",
            at("/ias/v1/schedules"),
            schedule.clone(),
            true,
        ),
        case(
            M::POST,
            "/ias/v1/schedules",
            at("/ias/v1/schedules"),
            without(&schedule, "scan_config", Value::Null),
            false,
        ),
        case(
            M::POST,
            "/ias/v1/schedules",
            at("/ias/v1/schedules"),
            without(&schedule, "enabled", Value::Null),
            false,
        ),
        // Exactly one of `frequency` and `rrule` (a blank rule is none); the frequency's
        // words in any case, its interval 1 to 65535 unless ONCE, a whole number however
        // written.
        case(
            M::POST,
            "/ias/v1/schedules",
            at("/ias/v1/schedules"),
            without(&schedule, "rrule", json!("FREQ=WEEKLY")),
            false,
        ),
        case(
            M::POST,
            "/ias/v1/schedules",
            at("/ias/v1/schedules"),
            without(&schedule, "frequency", Value::Null),
            false,
        ),
        case(
            M::POST,
            "/ias/v1/schedules",
            at("/ias/v1/schedules"),
            without(&schedule, "rrule", json!(" ")),
            true,
        ),
        case(
            M::POST,
            "/ias/v1/schedules",
            at("/ias/v1/schedules"),
            without(
                &without(&schedule, "frequency", Value::Null),
                "rrule",
                json!("RRULE:FREQ=DAILY;BYHOUR=2"),
            ),
            true,
        ),
        case(
            M::POST,
            "/ias/v1/schedules",
            at("/ias/v1/schedules"),
            without(
                &schedule,
                "frequency",
                json!({"type": " weekly", "interval": 2.0}),
            ),
            true,
        ),
        case(
            M::POST,
            "/ias/v1/schedules",
            at("/ias/v1/schedules"),
            without(&schedule, "frequency", json!({"type": "ONCE"})),
            true,
        ),
        case(
            M::POST,
            "/ias/v1/schedules",
            at("/ias/v1/schedules"),
            without(&schedule, "frequency", json!({"type": "DAILY"})),
            false,
        ),
        case(
            M::POST,
            "/ias/v1/schedules",
            at("/ias/v1/schedules"),
            without(
                &schedule,
                "frequency",
                json!({"type": "DAILY", "interval": 65536}),
            ),
            false,
        ),
        case(
            M::POST,
            "/ias/v1/schedules",
            at("/ias/v1/schedules"),
            without(
                &schedule,
                "frequency",
                json!({"type": "YEARLY", "interval": 1}),
            ),
            false,
        ),
        case(
            M::POST,
            "/ias/v1/blackouts",
            at("/ias/v1/blackouts"),
            without(
                &without(&window, "frequency", Value::Null),
                "rrule",
                json!("FREQ=WEEKLY;BYDAY=SA"),
            ),
            true,
        ),
        case(
            M::POST,
            "/ias/v1/blackouts",
            at("/ias/v1/blackouts"),
            without(&window, "frequency", Value::Null),
            false,
        ),
        case(
            M::POST,
            "/ias/v1/blackouts",
            at("/ias/v1/blackouts"),
            without(&window, "rrule", json!("FREQ=WEEKLY")),
            false,
        ),
        // A module's count of findings: a whole number, however written.
        case(
            M::PUT,
            "/ias/v1/attack-templates/{id}/modules/{module_id}",
            one_module.clone(),
            json!({"module_config_id": configs[0]["id"], "severity": "LOW", "max_findings": 4.0}),
            true,
        ),
        case(
            M::POST,
            "/ias/v1/attack-templates/{id}/modules",
            modules.clone(),
            without(&module_body, "max_findings", json!(4.5)),
            false,
        ),
        // Scan configs and scans: what they name, and where their scans run.
        case(
            M::POST,
            "/ias/v1/scan-configs",
            at("/ias/v1/scan-configs"),
            json!({"name": "c4", "app": {"id": app}, "attack_template": {"id": tpl},
                "assignment": {"type": "ENGINE_GROUP", "environment": "CLOUD"}}),
            true,
        ),
        case(
            M::POST,
            "/ias/v1/scan-configs",
            at("/ias/v1/scan-configs"),
            json!({"name": "c5", "app": {"id": app}, "attack_template": {"id": tpl},
                "assignment": {"type": "ENGINE_GROUP"}}),
            false,
        ),
        case(
            M::POST,
            "/ias/v1/scan-configs",
            at("/ias/v1/scan-configs"),
            json!({"name": "c6", "app": {"id": app}, "attack_template": {"id": tpl},
                "assignment": {"type": "ENGINE", "environment": "CLOUD"}}),
            false,
        ),
        case(
            M::POST,
            "/ias/v1/scan-configs",
            at("/ias/v1/scan-configs"),
            json!({"name": "c2", "app": {"id": app}, "attack_template": {"id": tpl}}),
            true,
        ),
        case(
            M::POST,
            "/ias/v1/scan-configs",
            at("/ias/v1/scan-configs"),
            json!({"name": "c3", "app": {"id": app}, "attack_template": null}),
            false,
        ),
        case(
            M::POST,
            "/ias/v1/scans",
            at("/ias/v1/scans"),
            json!({"scan_config": null}),
            false,
        ),
        case(
            M::POST,
            "/ias/v1/scans",
            at("/ias/v1/scans"),
            json!({"scan_config": {"id": cfg}}),
            true,
        ),
        // Comments: some content.
        case(
            M::POST,
            "/ias/v1/vulnerabilities/{id}/comments",
            comments.clone(),
            json!({"content": "fixed?"}),
            true,
        ),
        case(
            M::POST,
            "/ias/v1/vulnerabilities/{id}/comments",
            comments,
            json!({"content": " \n"}),
            false,
        ),
        case(
            M::PUT,
            "/ias/v1/vulnerabilities/{id}/comments/{comment_id}",
            one_comment.clone(),
            json!({"content": "fixed"}),
            true,
        ),
        case(
            M::PUT,
            "/ias/v1/vulnerabilities/{id}/comments/{comment_id}",
            one_comment,
            json!({"content": ""}),
            false,
        ),
        // A vulnerability: its words, and whole variances (ignored) when echoed.
        case(
            M::PUT,
            "/ias/v1/vulnerabilities/{id}",
            format!("/ias/v1/vulnerabilities/{vuln}"),
            json!({"severity": "LOW", "variances": variances}),
            true,
        ),
        case(
            M::PUT,
            "/ias/v1/vulnerabilities/{id}",
            format!("/ias/v1/vulnerabilities/{vuln}"),
            json!({"severity": "LOW", "variances": anonymous}),
            false,
        ),
        case(
            M::PUT,
            "/ias/v1/vulnerabilities/{id}",
            format!("/ias/v1/vulnerabilities/{vuln}"),
            json!({"status": "FIXED"}),
            false,
        ),
        // Documentation of variances: of vulnerabilities, or of a scan's.
        case(
            M::POST,
            "/ias/v1/vulnerabilities/variances/documentation",
            at("/ias/v1/vulnerabilities/variances/documentation"),
            json!({"vuln_ids": [vuln]}),
            true,
        ),
        case(
            M::POST,
            "/ias/v1/vulnerabilities/variances/documentation",
            at("/ias/v1/vulnerabilities/variances/documentation"),
            json!({"scan_id": scan.0, "vuln_uuids": []}),
            true,
        ),
        case(
            M::POST,
            "/ias/v1/vulnerabilities/variances/documentation",
            at("/ias/v1/vulnerabilities/variances/documentation"),
            json!({"vuln_uuids": [], "scan_id": null}),
            false,
        ),
        case(
            M::POST,
            "/ias/v1/vulnerabilities/variances/documentation",
            at("/ias/v1/vulnerabilities/variances/documentation"),
            json!({"variance_ids": []}),
            false,
        ),
        // Reports: what each type is about, in the formats it is made in.
        case(
            M::POST,
            "/ias/v1/reports",
            at("/ias/v1/reports"),
            json!({"name": "r", "type": "VULN_SUMMARY", "format": "CSV", "scan": {"id": scan.0}}),
            true,
        ),
        case(
            M::POST,
            "/ias/v1/reports",
            at("/ias/v1/reports"),
            json!({"name": "r", "type": "VULN_SUMMARY", "format": "CSV", "app": {"id": app.0}}),
            false,
        ),
        case(
            M::POST,
            "/ias/v1/reports",
            at("/ias/v1/reports"),
            json!({"name": "r", "type": "PCI4_COMPLIANCE", "format": "CSV", "scan": {"id": scan.0}}),
            false,
        ),
        case(
            M::POST,
            "/ias/v1/reports",
            at("/ias/v1/reports"),
            json!({"name": "r", "type": "EXEC_SINGLE_APP_NEW_VULNS", "format": "HTML", "app": {"id": app.0}}),
            true,
        ),
        case(
            M::POST,
            "/ias/v1/reports",
            at("/ias/v1/reports"),
            json!({"name": "r", "type": "EXEC_SINGLE_APP_NEW_VULNS", "format": "HTML", "scan": {"id": scan.0}}),
            true,
        ),
        case(
            M::POST,
            "/ias/v1/reports",
            at("/ias/v1/reports"),
            json!({"name": "r", "type": "EXEC_ALL_APPS", "format": "PDF"}),
            true,
        ),
        case(
            M::POST,
            "/ias/v1/reports",
            at("/ias/v1/reports"),
            json!({"name": "r", "type": "EXEC_ALL_APPS", "format": "PDF", "app": {"id": app.0}}),
            false,
        ),
        // Organizations: a name, never null.
        case(
            M::POST,
            "/organizations",
            at("/organizations"),
            json!({"name": t.unique("tenant")}),
            true,
        ),
        case(
            M::POST,
            "/organizations",
            at("/organizations"),
            json!({"name": null}),
            false,
        ),
        case(
            M::PUT,
            "/organization",
            at("/organization"),
            json!({"name": t.unique("renamed")}),
            true,
        ),
        // OAuth clients: a name, and at least one known scope.
        case(
            M::POST,
            "/oauth/clients",
            at("/oauth/clients"),
            json!({"name": "ci", "scopes": "read scans:write"}),
            true,
        ),
        case(
            M::POST,
            "/oauth/clients",
            at("/oauth/clients"),
            json!({"name": "ci", "scopes": " "}),
            false,
        ),
        case(
            M::POST,
            "/oauth/clients",
            at("/oauth/clients"),
            json!({"name": "", "scopes": "admin"}),
            false,
        ),
        // API keys: a name, when given, is not empty.
        case(
            M::POST,
            "/api-keys",
            at("/api-keys"),
            json!({"role": "read-only", "name": "ci"}),
            true,
        ),
        case(
            M::POST,
            "/api-keys",
            at("/api-keys"),
            json!({"role": "read-only", "name": ""}),
            false,
        ),
        case(
            M::POST,
            "/api-keys",
            at("/api-keys"),
            json!({"role": "read-only", "owner": {"type": "organization"}}),
            true,
        ),
        case(
            M::POST,
            "/api-keys",
            at("/api-keys"),
            json!({"role": "read-only", "owner": {"type": "user"}}),
            false,
        ),
        case(
            M::POST,
            "/api-keys",
            at("/api-keys"),
            json!({"role": "read-only", "owner": {"type": "robot", "id": app.0}}),
            false,
        ),
        // Identity groups: a name on creation; members only in a local group.
        case(
            M::POST,
            "/identity-groups",
            at("/identity-groups"),
            json!({"name": "team", "source": "local", "members": []}),
            true,
        ),
        case(
            M::POST,
            "/identity-groups",
            at("/identity-groups"),
            json!({"name": "synced", "source": "scim", "members": []}),
            false,
        ),
        case(
            M::POST,
            "/identity-groups",
            at("/identity-groups"),
            json!({"description": "nameless"}),
            false,
        ),
        case(
            M::PUT,
            "/identity-groups/{id}",
            format!("/identity-groups/{group}"),
            json!({"members": []}),
            true,
        ),
        case(
            M::PUT,
            "/identity-groups/{id}",
            format!("/identity-groups/{group}"),
            json!({"source": "oidc", "members": []}),
            false,
        ),
        // Grants: an app or a tag, not both.
        case(
            M::POST,
            "/identity-groups/{id}/grants",
            grants.clone(),
            json!({"applicationId": app.0}),
            true,
        ),
        case(
            M::POST,
            "/identity-groups/{id}/grants",
            grants.clone(),
            json!({"tag": "payments"}),
            true,
        ),
        case(
            M::POST,
            "/identity-groups/{id}/grants",
            grants.clone(),
            json!({"applicationId": app.0, "tag": "payments"}),
            false,
        ),
        case(
            M::POST,
            "/identity-groups/{id}/grants",
            grants,
            json!({"tag": null}),
            false,
        ),
    ];
    for c in &cases {
        check(&t, &doc, c).await;
    }
}
