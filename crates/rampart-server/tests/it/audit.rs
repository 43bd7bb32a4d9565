//! The audit log: every mutation recorded by the edge with before/after (secrets redacted),
//! filters and keyset paging, JSONL/CSV exports, 403 vs 404, tenants apart.

use rampart_testkit::{Caller, TestApp};
use serde_json::{json, Value};

/// Moves the manual clock one second, so entries are ordered by time.
fn tick(t: &TestApp) {
    t.set_clock(t.service.clock().now() + chrono::Duration::seconds(1));
}

/// Every entry `who` can read with these query pairs, following `Link: rel="next"`.
async fn all_entries(who: Caller<'_>, query: &str, limit: usize) -> Vec<Value> {
    let mut url = format!("/audit-logs?limit={limit}&{query}");
    let mut out = Vec::new();
    loop {
        let r = who.get(&url).send().await.status(200);
        let page = r.json();
        let items = page.as_array().expect("a bare array").clone();
        assert!(items.len() <= limit);
        out.extend(items);
        match r.header("link") {
            Some(link) => {
                let next = link
                    .strip_prefix('<')
                    .and_then(|l| l.split_once('>'))
                    .map(|(u, _)| u.to_string())
                    .expect("Link: <url>; rel=next");
                assert!(link.ends_with("rel=\"next\""), "{link}");
                url = next;
            }
            None => return out,
        }
    }
}

fn find<'a>(entries: &'a [Value], action: &str, id: &str) -> &'a Value {
    entries
        .iter()
        .find(|e| e["action"] == action && e["resource"]["id"] == id)
        .unwrap_or_else(|| panic!("no {action} of {id} in {entries:#?}"))
}

#[tokio::test]
async fn create_update_delete_of_apps_and_configs_are_recorded_with_changes() {
    let t = TestApp::spawn().await;
    let admin = t.admin();
    let created = admin
        .post("/ias/v1/apps")
        .header("User-Agent", "audit-test/1")
        .json(&json!({"name": "Shop", "description": "before"}))
        .send()
        .await
        .status(201);
    let app = created.location_id().to_string();
    tick(&t);
    let updated = admin
        .put(&format!("/ias/v1/apps/{app}"))
        .json(&json!({"name": "Shop 2", "description": "after"}))
        .send()
        .await
        .status(200);
    tick(&t);
    let tpl = t.fx_system_template("All Modules").await;
    let cfg = admin
        .create(
            "/ias/v1/scan-configs",
            json!({"name": "Nightly", "app": {"id": app}, "attack_template": {"id": tpl.to_string()}}),
        )
        .await
        .to_string();
    tick(&t);
    admin
        .put(&format!("/ias/v1/scan-configs/{cfg}/options"))
        .json(&json!({"auth_config": {"type": "FORM", "username_form": "alice", "password_form": "pw-audit-1"},
            "http_headers_config": {"custom_headers_list": [{"value": "Authorization: Bearer tok-audit-2"}]}}))
        .send()
        .await
        .status(200);
    tick(&t);
    admin
        .put(&format!("/ias/v1/scan-configs/{cfg}/options"))
        .json(&json!({"auth_config": {"type": "FORM", "username_form": "bob", "password_form": "pw-audit-3"}}))
        .send()
        .await
        .status(200);
    tick(&t);
    // A refused mutation is recorded with its outcome and no changes.
    t.ro()
        .post("/ias/v1/apps")
        .json(&json!({"name": "nope"}))
        .send()
        .await
        .status(403);
    tick(&t);
    admin
        .delete(&format!("/ias/v1/scan-configs/{cfg}"))
        .send()
        .await
        .status(204);
    tick(&t);
    admin
        .delete(&format!("/ias/v1/apps/{app}"))
        .send()
        .await
        .status(204);

    let entries = all_entries(admin, "", 100).await;
    let text = serde_json::to_string(&entries).unwrap();
    for secret in ["pw-audit-1", "tok-audit-2", "pw-audit-3"] {
        assert!(!text.contains(secret), "{secret} in the audit log: {text}");
    }
    // Newest first.
    let times: Vec<&str> = entries
        .iter()
        .map(|e| e["timestamp"].as_str().unwrap())
        .collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted);

    let create = find(&entries, "app.create", &app);
    assert_eq!(create["actor"]["id"], t.keys.admin.id().to_string());
    assert_eq!(create["actor"]["type"], "user");
    assert_eq!(
        create["actor"]["credential"],
        json!(t.keys.admin.token[..12].to_string())
    );
    assert_eq!(create["metadata"]["method"], "POST");
    assert_eq!(create["metadata"]["route"], "/ias/v1/apps");
    assert_eq!(create["metadata"]["status"], 201);
    assert_eq!(create["metadata"]["ip"], "127.0.0.1");
    assert_eq!(create["metadata"]["userAgent"], "audit-test/1");
    assert_eq!(
        create["metadata"]["requestId"],
        json!(created.header("r7-correlation-id").unwrap())
    );
    assert_eq!(
        create["metadata"]["changes"]["name"],
        json!({"old": null, "new": "Shop"})
    );

    let update = find(&entries, "app.update", &app);
    assert_eq!(update["metadata"]["route"], "/ias/v1/apps/{id}");
    assert_eq!(
        update["metadata"]["requestId"],
        json!(updated.header("r7-correlation-id").unwrap())
    );
    let changes = &update["metadata"]["changes"];
    assert_eq!(changes["name"], json!({"old": "Shop", "new": "Shop 2"}));
    assert_eq!(
        changes["description"],
        json!({"old": "before", "new": "after"})
    );
    assert!(changes.get("id").is_none(), "unchanged fields are left out");

    let refused = entries
        .iter()
        .find(|e| e["metadata"]["status"] == 403)
        .expect("the refused update");
    assert_eq!(refused["actor"]["id"], t.keys.read_only.id().to_string());
    assert_eq!(refused["action"], "app.create");
    assert!(refused["metadata"]["changes"].is_null());

    let options: Vec<&Value> = entries
        .iter()
        .filter(|e| e["action"] == "scan_config.options.update" && e["resource"]["id"] == cfg)
        .collect();
    assert_eq!(options.len(), 2);
    let first = &options[1]["metadata"]["changes"];
    assert_eq!(
        first["auth_config.type"],
        json!({"old": "NONE", "new": "FORM"})
    );
    assert_eq!(
        first["auth_config.password_form"],
        json!({"old": null, "new": "[REDACTED]"})
    );
    let second = &options[0]["metadata"]["changes"];
    assert_eq!(
        second["auth_config.username_form"],
        json!({"old": "alice", "new": "bob"})
    );

    let deleted = find(&entries, "app.delete", &app);
    assert_eq!(
        deleted["metadata"]["changes"]["name"],
        json!({"old": "Shop 2", "new": null})
    );
    find(&entries, "scan_config.delete", &cfg);
    find(&entries, "scan_config.create", &cfg);

    // One entry by id, at both prefixes.
    let id = update["id"].as_str().unwrap();
    for prefix in ["", "/v1"] {
        let one = admin
            .get(&format!("{prefix}/audit-logs/{id}"))
            .send()
            .await
            .status(200)
            .json();
        assert_eq!(&one, update);
    }
}

#[tokio::test]
async fn filters_and_keyset_paging() {
    let t = TestApp::spawn().await;
    let start = t.service.clock().now();
    let mut apps = Vec::new();
    for i in 0..7 {
        tick(&t);
        let who = if i % 2 == 0 { t.admin() } else { t.rw() };
        apps.push(
            who.create("/ias/v1/apps", json!({"name": format!("app {i}")}))
                .await
                .to_string(),
        );
    }
    tick(&t);
    let tag = t
        .admin()
        .create("/ias/v1/tags", json!({"name": "t"}))
        .await
        .to_string();

    // Pages of 2 cover every entry once, newest first.
    let all = all_entries(t.admin(), "", 2).await;
    assert_eq!(all.len(), 8);
    let ids: std::collections::HashSet<&str> =
        all.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 8, "pages never overlap");
    assert_eq!(all[0]["resource"]["id"], tag);
    assert_eq!(all[7]["resource"]["id"], apps[0]);

    let by_rw = all_entries(t.admin(), &format!("actorId={}", t.keys.read_write.id()), 2).await;
    assert_eq!(by_rw.len(), 3);
    let apps_only = all_entries(t.admin(), "resourceType=app", 100).await;
    assert_eq!(apps_only.len(), 7);
    let tags = all_entries(t.org(), "action=tag.create", 100).await;
    assert_eq!(tags.len(), 1);
    // [from, to): the second, third and fourth app.
    let at = |s: i64| (start + chrono::Duration::seconds(s)).to_rfc3339();
    let q = format!("from={}&to={}", urlencode(&at(2)), urlencode(&at(5)));
    let window = all_entries(t.admin(), &q, 100).await;
    let got: Vec<&str> = window
        .iter()
        .map(|e| e["resource"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(got, vec![&apps[3], &apps[2], &apps[1]]);

    // Bad parameters are 422 naming them.
    for bad in ["from=yesterday", "actorId=x", "limit=0", "cursor=!!"] {
        t.admin()
            .get(&format!("/audit-logs?{bad}"))
            .send()
            .await
            .status(422);
    }
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn exports_as_jsonl_and_csv() {
    let t = TestApp::spawn().await;
    for i in 0..3 {
        tick(&t);
        t.admin()
            .create("/ias/v1/apps", json!({"name": format!("a,\"{i}\"")}))
            .await;
    }
    let listed = all_entries(t.admin(), "", 100).await;
    tick(&t);
    let r = t
        .admin()
        .post("/audit-logs/export")
        .json(&json!({"format": "jsonl"}))
        .send()
        .await
        .status(202);
    let location = r.location().expect("Location");
    let body = r.json();
    assert_eq!(body["status"], "completed");
    assert_eq!(body["format"], "jsonl");
    // The export itself is a mutation, recorded after it was generated.
    assert_eq!(body["entries"], 3);
    let status = t.admin().get(&location).send().await.status(200).json();
    assert_eq!(status, body);
    let file = t
        .admin()
        .get(body["downloadUrl"].as_str().unwrap())
        .send()
        .await
        .status(200);
    assert_eq!(
        file.header("content-type").as_deref(),
        Some("application/x-ndjson")
    );
    let lines: Vec<Value> = file
        .text()
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
        .collect();
    assert_eq!(lines, listed);

    tick(&t);
    let r = t
        .admin()
        .post("/v1/audit-logs/export")
        .json(&json!({"format": "csv", "from": "2000-01-01T00:00:00Z"}))
        .send()
        .await
        .status(202);
    let body = r.json();
    let csv = t
        .admin()
        .get(body["downloadUrl"].as_str().unwrap())
        .send()
        .await
        .status(200)
        .text();
    let rows: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        rows[0],
        "id,timestamp,actor_id,actor_type,credential,action,resource_type,resource_id,method,route,status,ip,request_id,changes"
    );
    // 3 app creates and the first export, newest first.
    assert_eq!(rows.len(), 5, "{csv}");
    assert!(rows[1].contains(",export.create,export,"), "{csv}");
    assert!(rows[4].contains(listed[2]["id"].as_str().unwrap()), "{csv}");
    // A quote inside the changes JSON is doubled inside a quoted cell.
    assert!(csv.contains("\"\"a,\\\"\"0\\\"\"\"\""), "{csv}");

    t.admin()
        .post("/audit-logs/export")
        .json(&json!({"format": "xml"}))
        .send()
        .await
        .status(422);
}

#[tokio::test]
async fn roles_and_tenants() {
    let t = TestApp::spawn().await;
    let app = t
        .admin()
        .create("/ias/v1/apps", json!({"name": "mine"}))
        .await;
    t.other()
        .create("/ias/v1/apps", json!({"name": "theirs"}))
        .await;
    let mine = all_entries(t.admin(), "", 100).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["resource"]["id"], app.to_string());
    let theirs = all_entries(t.other(), "", 100).await;
    assert_eq!(theirs.len(), 1);
    assert_ne!(theirs[0]["resource"]["id"], app.to_string());
    let id = mine[0]["id"].as_str().unwrap();
    // Another tenant's entry does not exist for the caller; a role without the right is 403.
    t.other()
        .get(&format!("/audit-logs/{id}"))
        .send()
        .await
        .status(404);
    t.admin()
        .get("/audit-logs/not-a-uuid")
        .send()
        .await
        .status(404);
    for who in [t.rw(), t.ro()] {
        who.get("/audit-logs").send().await.status(403);
        who.get(&format!("/audit-logs/{id}"))
            .send()
            .await
            .status(403);
    }
    t.anon().get("/audit-logs").send().await.status(401);
    // An export of one tenant is not visible to the other.
    let x = t
        .admin()
        .post("/audit-logs/export")
        .json(&json!({}))
        .send()
        .await
        .status(202)
        .json();
    let xid = x["id"].as_str().unwrap();
    t.other()
        .get(&format!("/audit-logs/export/{xid}"))
        .send()
        .await
        .status(404);
    t.other()
        .get(&format!("/audit-logs/export/{xid}/download"))
        .send()
        .await
        .status(404);
    // Unauthenticated mutations belong to no tenant and are not recorded.
    t.anon()
        .post("/ias/v1/apps")
        .json(&json!({"name": "x"}))
        .send()
        .await
        .status(401);
    let after = all_entries(t.admin(), "resourceType=app", 100).await;
    assert_eq!(after.len(), 1);
}

#[tokio::test]
async fn forwarded_for_is_used_only_when_trusted() {
    for trusted in [false, true] {
        let mut b = TestApp::builder();
        if trusted {
            b = b.trust_forwarded_for();
        }
        let t = b.spawn().await.unwrap();
        t.admin()
            .post("/ias/v1/apps")
            .header("X-Forwarded-For", "203.0.113.9, 10.0.0.1")
            .json(&json!({"name": "x"}))
            .send()
            .await
            .status(201);
        let e = all_entries(t.admin(), "", 10).await;
        let want = if trusted { "203.0.113.9" } else { "127.0.0.1" };
        assert_eq!(e[0]["metadata"]["ip"], want);
    }
}

#[tokio::test]
async fn retention_purges_old_entries() {
    let t = TestApp::spawn().await;
    t.admin()
        .create("/ias/v1/apps", json!({"name": "old"}))
        .await;
    t.set_clock(t.service.clock().now() + chrono::Duration::days(40));
    t.admin()
        .create("/ias/v1/apps", json!({"name": "new"}))
        .await;
    assert_eq!(t.service.purge_audit(30).await.unwrap(), 1);
    let left = all_entries(t.admin(), "", 10).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["metadata"]["changes"]["name"]["new"], "new");
}

/// The layer's before/after reads are not the caller's requests: an audited update costs
/// the caller one request of its rate-limit budget, not three.
#[tokio::test]
async fn audit_state_reads_do_not_spend_the_callers_budget() {
    let t = TestApp::builder()
        .rate_limits(rampart_service::RateLimitConfig {
            tenant: None,
            credential: Some(10),
            window_secs: 3600,
            token_failures_per_ip: None,
        })
        .manual_rate_clock()
        .spawn()
        .await
        .unwrap();
    let app = t.fx_app("budget").await;
    let r = t
        .admin()
        .put(&format!("/ias/v1/apps/{app}"))
        .json(&json!({"name": "budget 2"}))
        .send()
        .await
        .status(200);
    assert_eq!(r.header("ratelimit-remaining").as_deref(), Some("9"));
    let r = t.admin().get("/audit-logs").send().await.status(200);
    assert_eq!(r.header("ratelimit-remaining").as_deref(), Some("8"));
    let entries = r.json();
    assert_eq!(entries[0]["action"], "app.update", "{entries}");
    assert!(
        entries[0]["metadata"]["changes"].is_object(),
        "the reads still ran: {entries}"
    );
}

/// `audit:read` is its own scope (decision 4), required by the gate for bearer tokens and
/// by `Principal::may_read_audit` for any caller.
#[tokio::test]
async fn reading_the_audit_log_needs_the_audit_read_scope() {
    let t = TestApp::spawn().await;
    t.admin()
        .create("/ias/v1/apps", json!({"name": "scoped"}))
        .await;
    let audit = t.fx_token(&t.keys.admin, "audit:read").await;
    let r = t.bearer(&audit).get("/audit-logs").send().await.status(200);
    assert_eq!(r.json().as_array().map(Vec::len), Some(1));
    let read = t.fx_token(&t.keys.admin, "read identity:write").await;
    t.bearer(&read)
        .get("/v1/audit-logs")
        .send()
        .await
        .status(403);
    let mut p = t.keys.admin.principal.clone();
    p.scopes = rampart_domain::Scopes::parse("read").unwrap();
    let refused = t
        .service
        .list_audit(&p, &Default::default(), None, 10)
        .await;
    assert!(
        matches!(refused, Err(rampart_service::ServiceError::Forbidden(_))),
        "{refused:?}"
    );
}
