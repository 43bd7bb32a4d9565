//! Identity routes end to end: keys listed without secrets, revocation seen by a second
//! replica at the next request, rotation, disabled users, group and tag grants on the
//! read paths, app members by email, the `/v1` and `/identity/groups` spellings.

use rampart_domain::Role;
use rampart_testkit::{Backend, Key, TestApp};
use serde_json::{json, Value};

/// A key made over the API, as a testkit caller.
async fn as_key(t: &TestApp, token: &str, label: &'static str) -> Key {
    Key {
        token: token.to_string(),
        principal: t.service.authenticate(token).await.expect("a live key"),
        label,
    }
}

/// A user of `role` and a key of it (over the API, as the organization key).
async fn user_with_key(t: &TestApp, role: &str) -> (String, String) {
    let email = format!("{}@example.test", t.unique("u"));
    let u = t
        .org()
        .post("/users")
        .json(&json!({"email": email, "role": role}))
        .send()
        .await
        .status(201)
        .json();
    let id = u["id"].as_str().expect("id").to_string();
    let k = t
        .org()
        .post("/api-keys")
        .json(&json!({"name": "mine", "role": role, "owner": {"type": "user", "id": id}}))
        .send()
        .await
        .status(201)
        .json();
    (id, k["secret"].as_str().expect("secret").to_string())
}

fn get(base: &str, path: &str, token: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .get(format!("{base}{path}"))
        .header("X-Api-Key", token)
}

#[tokio::test]
async fn key_list_never_shows_a_secret_and_records_use() {
    let t = TestApp::spawn().await;
    let (_, secret) = user_with_key(&t, "read-write").await;
    let listed = t.admin().get("/api-keys").send().await.status(200);
    let text = listed.text();
    assert!(!text.contains(&secret), "the secret is never listed");
    assert!(!text.contains(&t.keys.org.token), "nor any other secret");
    assert!(!text.contains("secret") && !text.contains("hash"), "{text}");
    let keys = listed.json();
    let mine = keys
        .as_array()
        .expect("a bare array")
        .iter()
        .find(|k| k["name"] == "mine")
        .expect("the new key is listed")
        .clone();
    assert_eq!(mine["role"], "read-write");
    assert_eq!(mine["owner"]["type"], "user");
    assert!(secret.starts_with(mine["prefix"].as_str().expect("prefix")));
    assert!(mine["createdAt"].is_string());
    assert!(mine.get("lastUsedAt").is_none(), "never used yet");
    let org_key = keys
        .as_array()
        .expect("array")
        .iter()
        .find(|k| k["owner"]["type"] == "organization")
        .expect("the bootstrap organization key");
    assert_eq!(org_key["role"], "product-admin");

    // A use is recorded (to the minute).
    let k = as_key(&t, &secret, "new key").await;
    t.with(&k).get("/ias/v1/apps").send().await.status(200);
    let id = mine["id"].as_str().expect("id");
    let after = t
        .admin()
        .get(&format!("/api-keys/{id}"))
        .send()
        .await
        .status(200)
        .json();
    assert!(after["lastUsedAt"].is_string(), "{after}");
    assert!(!after.to_string().contains(&secret));
}

async fn revocation_on_a_second_replica(t: TestApp) {
    let replica = t.spawn_replica().await;
    let (_, secret) = user_with_key(&t, "read-only").await;
    // Used on the replica first, so any per-process cache there would hold it.
    let ok = get(&replica.base, "/ias/v1/apps", &secret)
        .send()
        .await
        .expect("replica");
    assert_eq!(ok.status(), 200);
    let keys = t.admin().get("/api-keys").send().await.status(200).json();
    let id = keys
        .as_array()
        .expect("array")
        .iter()
        .find(|k| k["name"] == "mine")
        .expect("listed")["id"]
        .as_str()
        .expect("id")
        .to_string();
    t.admin()
        .delete(&format!("/api-keys/{id}"))
        .send()
        .await
        .status(204);
    let refused = get(&replica.base, "/ias/v1/apps", &secret)
        .send()
        .await
        .expect("replica");
    assert_eq!(
        refused.status(),
        401,
        "the replica refuses a revoked key at once"
    );
    let here = get(&t.base, "/ias/v1/apps", &secret)
        .send()
        .await
        .expect("first");
    assert_eq!(here.status(), 401);
    // Revoking twice: the key is gone.
    t.admin()
        .delete(&format!("/api-keys/{id}"))
        .send()
        .await
        .status(404);
}

#[tokio::test]
async fn revocation_is_refused_by_another_replica_at_the_next_request_sqlite() {
    revocation_on_a_second_replica(TestApp::spawn().await).await;
}

#[tokio::test]
async fn revocation_is_refused_by_another_replica_at_the_next_request_postgres() {
    let Some(t) = TestApp::builder().backend(Backend::Postgres).spawn().await else {
        return;
    };
    revocation_on_a_second_replica(t).await;
}

#[tokio::test]
async fn rotation_keeps_name_role_owner_and_stops_the_old_secret() {
    let t = TestApp::spawn().await;
    let sa = t
        .admin()
        .post("/service-accounts")
        .json(&json!({"name": "ci", "role": "read-write"}))
        .send()
        .await
        .status(201)
        .json();
    let sa_id = sa["id"].as_str().expect("id");
    let k = t
        .admin()
        .post("/api-keys")
        .json(&json!({"name": "pipeline", "role": "read-write", "owner": {"type": "service_account", "id": sa_id}}))
        .send()
        .await
        .status(201)
        .json();
    let old = k["secret"].as_str().expect("secret").to_string();
    let rotated = t
        .admin()
        .post(&format!(
            "/api-keys/{}/rotate",
            k["id"].as_str().expect("id")
        ))
        .send()
        .await
        .status(201)
        .json();
    let new = rotated["secret"].as_str().expect("secret");
    assert_ne!(new, old);
    assert_ne!(rotated["id"], k["id"]);
    for field in ["name", "role", "owner"] {
        assert_eq!(rotated[field], k[field], "{field} is kept");
    }
    assert_eq!(rotated["owner"]["display"], "ci");
    let old_answer = get(&t.base, "/ias/v1/apps", &old)
        .send()
        .await
        .expect("send");
    assert_eq!(old_answer.status(), 401);
    let new_answer = get(&t.base, "/ias/v1/apps", new)
        .send()
        .await
        .expect("send");
    assert_eq!(new_answer.status(), 200);
    // The old id is gone from the list; the new one is there.
    let ids: Vec<Value> = t
        .admin()
        .get(&format!("/api-keys?owner={sa_id}"))
        .send()
        .await
        .status(200)
        .json()
        .as_array()
        .expect("array")
        .iter()
        .map(|k| k["id"].clone())
        .collect();
    assert_eq!(ids, vec![rotated["id"].clone()]);
    // A key never carries more than its owner's role.
    t.admin()
        .post("/api-keys")
        .json(&json!({"role": "product-admin", "owner": {"type": "service_account", "id": sa_id}}))
        .send()
        .await
        .status(422);
}

#[tokio::test]
async fn a_disabled_user_keys_stop_at_the_next_request() {
    let t = TestApp::spawn().await;
    let (id, secret) = user_with_key(&t, "read-write").await;
    let ok = get(&t.base, "/ias/v1/apps", &secret)
        .send()
        .await
        .expect("send");
    assert_eq!(ok.status(), 200);
    let u = t
        .admin()
        .put(&format!("/users/{id}"))
        .json(&json!({"status": "disabled"}))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(u["status"], "disabled");
    let refused = get(&t.base, "/ias/v1/apps", &secret)
        .send()
        .await
        .expect("send");
    assert_eq!(refused.status(), 401);
    t.admin()
        .put(&format!("/users/{id}"))
        .json(&json!({"status": "active", "role": "read-only"}))
        .send()
        .await
        .status(200);
    let back = get(&t.base, "/ias/v1/apps", &secret)
        .send()
        .await
        .expect("send");
    assert_eq!(back.status(), 200);
    // The key now acts with the user's lowered role.
    let p = t.service.authenticate(&secret).await.expect("live");
    assert_eq!(p.role, Role::ReadOnly);
}

#[tokio::test]
async fn group_and_tag_grants_open_the_read_paths() {
    let t = TestApp::spawn().await;
    let (user, secret) = user_with_key(&t, "read-only").await;
    let k = as_key(&t, &secret, "group member").await;
    let shop = t.fx_private_app("shop").await;
    let billing = t.fx_private_app("billing").await;
    let cfg = t.fx_scan_config(billing, "nightly").await;
    let g = t
        .admin()
        .post("/identity-groups")
        .json(&json!({"name": "payments-team", "members": [user]}))
        .send()
        .await
        .status(201)
        .json();
    let gid = g["id"].as_str().expect("id").to_string();
    assert_eq!(g["source"], "local");
    assert_eq!(g["memberCount"], 1);
    t.admin()
        .post(&format!("/identity-groups/{gid}/grants"))
        .json(&json!({"tag": "payments"}))
        .send()
        .await
        .status(200);
    let me = t.with(&k);
    me.get(&format!("/ias/v1/apps/{billing}"))
        .send()
        .await
        .status(404);
    me.get(&format!("/ias/v1/scan-configs/{cfg}"))
        .send()
        .await
        .status(404);
    // Tagging the app after the grant makes it visible, with what it holds.
    let tag = t
        .service
        .store()
        .find_tag_by_name(t.keys.org.org(), "payments")
        .await
        .expect("store")
        .expect("the grant created the tag");
    t.admin()
        .post(&format!("/ias/v1/apps/{billing}/tags"))
        .json(&json!({"id": tag.id.to_string()}))
        .send()
        .await
        .status(201);
    me.get(&format!("/ias/v1/apps/{billing}"))
        .send()
        .await
        .status(200);
    me.get(&format!("/ias/v1/scan-configs/{cfg}"))
        .send()
        .await
        .status(200);
    let apps = me.get("/ias/v1/apps").send().await.status(200).json();
    assert_eq!(apps["metadata"]["total_data"], 1, "{apps}");
    let found = me
        .post("/ias/v1/search")
        .json(&json!({"type": "SCAN_CONFIG", "query": "scanconfig.name = 'nightly'"}))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(found["data"].as_array().map(Vec::len), Some(1), "{found}");
    me.get(&format!("/ias/v1/apps/{shop}"))
        .send()
        .await
        .status(404);
    // A grant of one app.
    t.admin()
        .post(&format!("/identity-groups/{gid}/grants"))
        .json(&json!({"applicationId": shop.to_string()}))
        .send()
        .await
        .status(200);
    me.get(&format!("/ias/v1/apps/{shop}"))
        .send()
        .await
        .status(200);
    // Untagging hides it again (404, not 403); leaving the group hides everything.
    t.admin()
        .delete(&format!("/ias/v1/apps/{billing}/tags/{}", tag.id))
        .send()
        .await
        .status(204);
    me.get(&format!("/ias/v1/apps/{billing}"))
        .send()
        .await
        .status(404);
    t.admin()
        .delete(&format!("/identity-groups/{gid}/members/{user}"))
        .send()
        .await
        .status(204);
    me.get(&format!("/ias/v1/apps/{shop}"))
        .send()
        .await
        .status(404);
    // Members of an IdP-synced group are not writable here.
    t.admin()
        .post("/identity-groups")
        .json(&json!({"name": "synced", "source": "scim", "members": [user]}))
        .send()
        .await
        .status(422);
}

#[tokio::test]
async fn app_members_by_email_and_the_ids_users_show() {
    let t = TestApp::spawn().await;
    let app = t.fx_private_app("shop").await;
    let (user, secret) = user_with_key(&t, "read-write").await;
    let users = t.admin().get("/users").send().await.status(200).json();
    let email = users
        .as_array()
        .expect("array")
        .iter()
        .find(|u| u["id"] == user.as_str())
        .expect("listed with its id")["email"]
        .clone();
    t.admin()
        .post(&format!("/ias/v1/apps/{app}/users"))
        .json(&json!({"email": email}))
        .send()
        .await
        .status(201);
    let members = t
        .admin()
        .get(&format!("/ias/v1/apps/{app}/users"))
        .send()
        .await
        .status(200)
        .json();
    assert!(
        members
            .as_array()
            .expect("array")
            .iter()
            .any(|m| m["id"] == user.as_str() && m["email"] == email),
        "{members}"
    );
    let ok = get(&t.base, &format!("/ias/v1/apps/{app}"), &secret)
        .send()
        .await
        .expect("send");
    assert_eq!(ok.status(), 200);
    t.admin()
        .post(&format!("/ias/v1/apps/{app}/users"))
        .json(&json!({"email": "nobody@example.test"}))
        .send()
        .await
        .status(422);
}

#[tokio::test]
async fn v1_and_the_identity_groups_alias_serve_the_same_routes() {
    let t = TestApp::spawn().await;
    let g = t
        .admin()
        .post("/v1/identity/groups")
        .json(&json!({"name": "aliased"}))
        .send()
        .await
        .status(201)
        .json();
    let id = g["id"].as_str().expect("id");
    let canonical = t
        .admin()
        .get("/identity-groups")
        .send()
        .await
        .status(200)
        .json();
    for path in [
        "/v1/identity-groups",
        "/identity/groups",
        "/v1/identity/groups",
    ] {
        assert_eq!(
            t.admin().get(path).send().await.status(200).json(),
            canonical,
            "{path}"
        );
    }
    t.admin()
        .get(&format!("/identity/groups/{id}"))
        .send()
        .await
        .status(200);
    t.ro().get("/v1/identity-groups").send().await.status(403);
    t.other()
        .get(&format!("/v1/identity-groups/{id}"))
        .send()
        .await
        .status(404);
    for path in [
        "/v1/organization",
        "/v1/users",
        "/v1/service-accounts",
        "/v1/api-keys",
    ] {
        t.admin().get(path).send().await.status(200);
    }
    let org = t.rw().get("/organization").send().await.status(200).json();
    assert_eq!(org["name"], "default");
    let other = t
        .other()
        .get("/organization")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(other["name"], "other");
}

#[tokio::test]
async fn console_passwords_verify_with_argon2id() {
    let t = TestApp::spawn().await;
    t.admin()
        .post("/users")
        .json(&json!({"email": "ana@example.test", "role": "read-write", "password": "correct horse battery"}))
        .send()
        .await
        .status(201);
    let org = t.keys.org.org();
    let p = t
        .service
        .verify_password(org, "ana@example.test", "correct horse battery")
        .await
        .expect("the right password");
    assert_eq!(p.role, Role::ReadWrite);
    assert!(t
        .service
        .verify_password(org, "ana@example.test", "wrong horse battery")
        .await
        .is_err());
    assert!(
        t.service
            .verify_password(
                t.keys.other.org(),
                "ana@example.test",
                "correct horse battery"
            )
            .await
            .is_err(),
        "another tenant has no such user"
    );
    t.admin()
        .post("/users")
        .json(&json!({"email": "short@example.test", "role": "read-only", "password": "short"}))
        .send()
        .await
        .status(422);
    let listed = t.admin().get("/users").send().await.status(200).text();
    assert!(
        !listed.contains("argon2") && !listed.contains("password"),
        "{listed}"
    );
}

/// Organizations over the API: the operator organization creates a tenant (its first key
/// is in the answer), renames and deletes it; the tenant sees only itself, its key stops at
/// the next request once it is deleted, on every replica; the first tenant keeps its data.
async fn organizations_over_the_api(t: TestApp) {
    let replica = t.spawn_replica().await;
    let own = t.org().get("/organization").send().await.status(200).json();
    assert_eq!(
        own["operator"], true,
        "the first organization is the operator"
    );
    let name = t.unique("tenant");
    let created = t
        .admin()
        .post("/organizations")
        .json(&json!({"name": name}))
        .send()
        .await
        .status(201)
        .json();
    assert_eq!(created["name"], name.as_str());
    assert_eq!(created["operator"], false);
    let id = created["id"].as_str().expect("id").to_string();
    let secret = created["keySecret"].as_str().expect("the first key, once");
    let key = as_key(&t, secret, "new tenant").await;
    let mine = t
        .with(&key)
        .get("/organization")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(mine["id"], id.as_str());
    // The new tenant sees none of the first one's principals or apps, and no tenant list.
    let users = t.with(&key).get("/users").send().await.status(200).json();
    assert_eq!(users, json!([]));
    let apps = t
        .with(&key)
        .get("/ias/v1/apps")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(apps["data"], json!([]), "{apps}");
    t.with(&key).get("/organizations").send().await.status(403);
    t.with(&key)
        .delete(&format!("/organizations/{}", t.keys.org.org()))
        .send()
        .await
        .status(403);
    t.with(&key)
        .post("/ias/v1/apps")
        .json(&json!({"name": "tenant app"}))
        .send()
        .await
        .status(201);

    // Listed (by name) for the operator, renamed, a taken name refused.
    let all = t
        .admin()
        .get("/organizations")
        .send()
        .await
        .status(200)
        .json();
    let names: Vec<&str> = all
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|o| o["name"].as_str())
        .collect();
    assert!(
        names.contains(&name.as_str()) && names.contains(&"other"),
        "{all}"
    );
    let renamed = format!("{name}-2");
    let r = t
        .admin()
        .put(&format!("/organizations/{id}"))
        .json(&json!({"name": renamed}))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(r["name"], renamed.as_str());
    t.admin()
        .put(&format!("/organizations/{id}"))
        .json(&json!({"name": "other"}))
        .send()
        .await
        .status(409);
    // A tenant's own administrators rename it through /organization.
    t.with(&key)
        .put("/organization")
        .json(&json!({"name": format!("{name}-3")}))
        .send()
        .await
        .status(200);

    // The operator organization cannot delete itself; deleting the tenant stops its key
    // on every replica at the next request, and takes its data.
    t.admin()
        .delete(&format!("/organizations/{}", t.keys.org.org()))
        .send()
        .await
        .status(409);
    let ok = get(&replica.base, "/ias/v1/apps", secret)
        .send()
        .await
        .expect("replica");
    assert_eq!(ok.status(), 200);
    t.admin()
        .delete(&format!("/organizations/{id}"))
        .send()
        .await
        .status(204);
    let refused = get(&replica.base, "/ias/v1/apps", secret)
        .send()
        .await
        .expect("replica");
    assert_eq!(
        refused.status(),
        401,
        "a deleted tenant's key stops at once"
    );
    t.admin()
        .get(&format!("/organizations/{id}"))
        .send()
        .await
        .status(404);
    t.admin()
        .delete(&format!("/organizations/{id}"))
        .send()
        .await
        .status(404);
    let dump = t.dump_text().await;
    assert!(!dump.contains("tenant app"), "the tenant's app is gone");
    // The operator's tenant and the other one are untouched.
    t.admin().get("/users").send().await.status(200);
    t.other().get("/organization").send().await.status(200);
}

#[tokio::test]
async fn organizations_are_created_renamed_and_deleted_over_the_api_sqlite() {
    organizations_over_the_api(TestApp::spawn().await).await;
}

#[tokio::test]
async fn organizations_are_created_renamed_and_deleted_over_the_api_postgres() {
    let Some(t) = TestApp::builder().backend(Backend::Postgres).spawn().await else {
        return;
    };
    organizations_over_the_api(t).await;
}

/// Deleting a user or a service account: its keys and OAuth bearer tokens stop at the next
/// request; the audit log keeps the deleted actor's id and credential prefix.
#[tokio::test]
async fn deleted_users_and_service_accounts_lose_keys_and_clients_at_once() {
    let t = TestApp::spawn().await;
    let (uid, secret) = user_with_key(&t, "product-admin").await;
    let user_key = as_key(&t, &secret, "doomed user").await;
    let token = t.fx_token(&user_key, "admin").await;
    t.bearer(&token).get("/users").send().await.status(200);
    // The user acts (a recorded mutation), then is deleted by another admin.
    let app = t
        .with(&user_key)
        .post("/ias/v1/apps")
        .json(&json!({"name": t.unique("by-doomed")}))
        .send()
        .await
        .status(201);
    assert!(app.location().is_some());
    t.with(&user_key)
        .delete(&format!("/users/{uid}"))
        .send()
        .await
        .status(409);
    t.admin()
        .delete(&format!("/users/{uid}"))
        .send()
        .await
        .status(204);
    t.with(&user_key)
        .get("/ias/v1/apps")
        .send()
        .await
        .status(401);
    t.bearer(&token).get("/users").send().await.status(401);
    t.admin()
        .get(&format!("/users/{uid}"))
        .send()
        .await
        .status(404);
    t.admin()
        .delete(&format!("/users/{uid}"))
        .send()
        .await
        .status(404);
    let log = t
        .admin()
        .get("/audit-logs")
        .query(&[("actorId", uid.as_str())])
        .send()
        .await
        .status(200)
        .json();
    let entries = log.as_array().expect("array");
    assert!(
        entries.iter().any(|e| e["action"] == "app.create"
            && e["actor"]["id"] == uid.as_str()
            && secret.starts_with(e["actor"]["credential"].as_str().unwrap_or("-"))),
        "the deleted user's actions keep its identity: {log}"
    );
    let deletion = t
        .admin()
        .get("/audit-logs")
        .query(&[("action", "user.delete")])
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(deletion[0]["resource"]["id"], uid.as_str(), "{deletion}");

    // A service account, likewise.
    let sa = t
        .admin()
        .post("/service-accounts")
        .json(&json!({"name": t.unique("ci"), "role": "read-only"}))
        .send()
        .await
        .status(201)
        .json();
    let said = sa["id"].as_str().expect("id").to_string();
    let k = t
        .admin()
        .post("/api-keys")
        .json(&json!({"name": "ci", "role": "read-only", "owner": {"type": "service_account", "id": said}}))
        .send()
        .await
        .status(201)
        .json();
    let sa_secret = k["secret"].as_str().expect("secret").to_string();
    let sa_key = as_key(&t, &sa_secret, "doomed account").await;
    let sa_token = t.fx_token(&sa_key, "read").await;
    t.bearer(&sa_token)
        .get("/ias/v1/apps")
        .send()
        .await
        .status(200);
    t.admin()
        .delete(&format!("/users/{said}"))
        .send()
        .await
        .status(404);
    t.admin()
        .delete(&format!("/service-accounts/{said}"))
        .send()
        .await
        .status(204);
    t.with(&sa_key).get("/ias/v1/apps").send().await.status(401);
    t.bearer(&sa_token)
        .get("/ias/v1/apps")
        .send()
        .await
        .status(401);
    let clients = t
        .admin()
        .get("/oauth/clients")
        .send()
        .await
        .status(200)
        .text();
    assert!(!clients.contains(&said), "its OAuth clients went with it");
}
