//! OAuth 2.0: the token endpoint (RFC 6749 §4.4/§5.2), access tokens (RFC 9068), key
//! rotation and retirement, introspection (RFC 7662), revocation (RFC 7009), bearer
//! authentication on both API families (RFC 6750) and the client resource.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use rampart_domain::time::Clock as _;
use rampart_testkit::{Resp, TestApp};
use serde_json::{json, Value};

/// A client of the organization acting as `principal` (default: the org itself).
async fn client(t: &TestApp, role: &str, scopes: &str) -> (String, String, String) {
    let r = t
        .org()
        .post("/oauth/clients")
        .json(&json!({"name": "ci", "role": role, "scopes": scopes}))
        .send()
        .await
        .status(201);
    let v = r.json();
    assert!(r.location().unwrap().ends_with(v["id"].as_str().unwrap()));
    (
        v["id"].as_str().unwrap().to_string(),
        v["client_id"].as_str().unwrap().to_string(),
        v["client_secret"].as_str().unwrap().to_string(),
    )
}

fn basic(id: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
}

async fn form(t: &TestApp, path: &str, auth: Option<&str>, body: &str) -> Resp {
    let mut r = t
        .anon()
        .post(path)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body.to_string());
    if let Some(a) = auth {
        r = r.header("Authorization", a);
    }
    r.send().await
}

async fn token(t: &TestApp, id: &str, secret: &str, scope: Option<&str>) -> String {
    let body = match scope {
        Some(s) => format!(
            "grant_type=client_credentials&scope={}",
            s.replace(' ', "+")
        ),
        None => "grant_type=client_credentials".into(),
    };
    let r = form(t, "/oauth/token", Some(&basic(id, secret)), &body)
        .await
        .status(200);
    r.json()["access_token"].as_str().unwrap().to_string()
}

fn oauth_error(r: &Resp, status: u16, error: &str) {
    assert_eq!(r.status, status, "{}: {}", r.what, r.text());
    assert_eq!(r.json()["error"], error, "{}", r.text());
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
}

fn part(token: &str, i: usize) -> Value {
    let raw = URL_SAFE_NO_PAD
        .decode(token.split('.').nth(i).unwrap())
        .unwrap();
    serde_json::from_slice(&raw).unwrap()
}

#[tokio::test]
async fn token_endpoint_follows_rfc_6749() {
    let t = TestApp::spawn().await;
    let (_, id, secret) = client(&t, "read-write", "read scans:write").await;

    // client_secret_basic
    let r = form(
        &t,
        "/oauth/token",
        Some(&basic(&id, &secret)),
        "grant_type=client_credentials",
    )
    .await
    .status(200);
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    assert_eq!(r.header("pragma").as_deref(), Some("no-cache"));
    let v = r.json();
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["expires_in"], 3600);
    let granted = v["scope"].as_str().unwrap();
    assert!(granted.contains("scans:write") && granted.contains("applications:read"));
    assert!(!granted.contains("audit:read"), "read excludes audit:read");
    let jwt = v["access_token"].as_str().unwrap();
    let header = part(jwt, 0);
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(header["alg"], "EdDSA");
    let claims = part(jwt, 1);
    assert_eq!(claims["iss"], t.base.as_str());
    assert_eq!(claims["aud"], "rampart");
    assert_eq!(claims["sub"], id.as_str());
    assert_eq!(claims["client_id"], id.as_str());
    assert_eq!(claims["tenant_id"], t.keys.org.org().to_string());
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        3600
    );
    assert!(claims["jti"].as_str().is_some());

    // client_secret_post, narrowed
    let body = format!(
        "grant_type=client_credentials&client_id={id}&client_secret={secret}&scope=scans%3Aread"
    );
    let r = form(&t, "/oauth/token", None, &body).await.status(200);
    assert_eq!(r.json()["scope"], "scans:read");

    // wrong secret (Basic): 401 invalid_client with a Basic challenge
    let r = form(
        &t,
        "/oauth/token",
        Some(&basic(&id, "rmps_wrong")),
        "grant_type=client_credentials",
    )
    .await;
    oauth_error(&r, 401, "invalid_client");
    assert!(r.header("www-authenticate").unwrap().starts_with("Basic"));
    // wrong secret (post), unknown client, no credentials at all
    let r = form(
        &t,
        "/oauth/token",
        None,
        &format!("grant_type=client_credentials&client_id={id}&client_secret=nope"),
    )
    .await;
    oauth_error(&r, 401, "invalid_client");
    let r = form(
        &t,
        "/oauth/token",
        Some(&basic("rmpc_nobody", &secret)),
        "grant_type=client_credentials",
    )
    .await;
    oauth_error(&r, 401, "invalid_client");
    let r = form(&t, "/oauth/token", None, "grant_type=client_credentials").await;
    oauth_error(&r, 401, "invalid_client");
    // two methods at once, missing grant type, repeated parameter, not a form
    let r = form(
        &t,
        "/oauth/token",
        Some(&basic(&id, &secret)),
        &format!("grant_type=client_credentials&client_secret={secret}"),
    )
    .await;
    oauth_error(&r, 400, "invalid_request");
    let r = form(&t, "/oauth/token", Some(&basic(&id, &secret)), "scope=read").await;
    oauth_error(&r, 400, "invalid_request");
    let r = form(
        &t,
        "/oauth/token",
        Some(&basic(&id, &secret)),
        "grant_type=client_credentials&grant_type=client_credentials",
    )
    .await;
    oauth_error(&r, 400, "invalid_request");
    let r = t
        .anon()
        .post("/oauth/token")
        .header("Authorization", &basic(&id, &secret))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .await;
    oauth_error(&r, 400, "invalid_request");
    // unsupported grant
    let r = form(
        &t,
        "/oauth/token",
        Some(&basic(&id, &secret)),
        "grant_type=password&username=a&password=b",
    )
    .await;
    oauth_error(&r, 400, "unsupported_grant_type");
    // scope escalation and unknown scopes
    for scope in [
        "applications%3Awrite",
        "admin",
        "audit%3Aread",
        "everything",
    ] {
        let r = form(
            &t,
            "/oauth/token",
            Some(&basic(&id, &secret)),
            &format!("grant_type=client_credentials&scope={scope}"),
        )
        .await;
        oauth_error(&r, 400, "invalid_scope");
    }
}

#[tokio::test]
async fn bearer_tokens_work_on_both_families_within_their_scopes() {
    let t = TestApp::spawn().await;
    let (_, id, secret) = client(&t, "product-admin", "admin").await;
    let read = token(&t, &id, &secret, Some("read")).await;
    let all = token(&t, &id, &secret, None).await;

    // /ias/v1
    t.bearer(&read).get("/ias/v1/apps").send().await.status(200);
    t.bearer(&read).get("/validate").send().await.status(200);
    let r = t
        .bearer(&read)
        .post("/ias/v1/apps")
        .json(&json!({"name": "nope"}))
        .send()
        .await
        .status(403);
    let challenge = r.header("www-authenticate").unwrap();
    assert!(
        challenge.contains(r#"error="insufficient_scope""#),
        "{challenge}"
    );
    assert!(
        challenge.contains(r#"scope="applications:write""#),
        "{challenge}"
    );
    assert_eq!(
        r.error_body()["message"],
        "the token lacks the scope applications:write"
    );
    t.bearer(&all)
        .post("/ias/v1/apps")
        .json(&json!({"name": "yes"}))
        .send()
        .await
        .status(201);
    // a search needs the read scope of its type
    let narrow = token(&t, &id, &secret, Some("applications:read")).await;
    t.bearer(&narrow)
        .post("/ias/v1/search")
        .json(&json!({"type": "APP", "query": "app.name CONTAINS 'y'"}))
        .send()
        .await
        .status(200);
    let r = t
        .bearer(&narrow)
        .post("/ias/v1/search")
        .json(&json!({"type": "VULNERABILITY", "query": "vulnerability.severity = 'HIGH'"}))
        .send()
        .await
        .status(403);
    assert!(r
        .header("www-authenticate")
        .unwrap()
        .contains("vulnerabilities:read"));

    // a bad token: 401 invalid_token, in each family's shape
    let r = t
        .bearer("not.a.token")
        .get("/ias/v1/apps")
        .send()
        .await
        .status(401);
    assert!(r
        .header("www-authenticate")
        .unwrap()
        .contains(r#"error="invalid_token""#));
    assert_eq!(r.error_body()["message"], "Unauthorized");
    let r = t
        .bearer("not.a.token")
        .get("/oauth/clients")
        .send()
        .await
        .status(401);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    assert!(r
        .header("www-authenticate")
        .unwrap()
        .contains(r#"error="invalid_token""#));

    // AppSec+ route, at the root and under /v1
    let list = t
        .bearer(&all)
        .get("/oauth/clients")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(list["data"][0]["client_id"], id.as_str());
    assert!(list["data"][0].get("client_secret").is_none(), "shown once");
    t.bearer(&all)
        .get("/v1/oauth/clients")
        .send()
        .await
        .status(200);
    let r = t
        .bearer(&narrow)
        .get("/v1/oauth/clients")
        .send()
        .await
        .status(403);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    let p = r.json();
    assert_eq!(p["code"], "insufficient_scope");
    assert_eq!(p["status"], 403);
    assert_eq!(p["type"], "about:blank");
    assert_eq!(p["message"], p["detail"]);
    assert_eq!(
        p["request_id"].as_str(),
        r.header("r7-correlation-id").as_deref()
    );
    assert!(r
        .header("www-authenticate")
        .unwrap()
        .contains(r#"scope="identity:read""#));
    let r = t.anon().get("/oauth/clients").send().await.status(401);
    assert_eq!(r.json()["code"], "unauthorized");
    assert!(r.header("www-authenticate").unwrap().starts_with("Bearer"));
}

#[tokio::test]
async fn a_bearer_token_is_the_same_principal_as_an_api_key() {
    let t = TestApp::spawn().await;
    // the read-only user: its token cannot do more than its key, whatever the scopes
    let tok = t.fx_token(&t.keys.read_only, "admin").await;
    t.bearer(&tok).get("/ias/v1/apps").send().await.status(200);
    t.bearer(&tok)
        .post("/ias/v1/apps")
        .json(&json!({"name": "x"}))
        .send()
        .await
        .status(403);
    let p = t.service.authenticate_bearer(&t.base, &tok).await.unwrap();
    assert_eq!(
        (p.org, p.id, p.kind, p.role),
        (
            t.keys.read_only.org(),
            t.keys.read_only.id(),
            t.keys.read_only.principal.kind,
            t.keys.read_only.principal.role
        )
    );
    assert!(p.has_scope("scans:write") && p.has_scope("audit:read"));
    assert!(
        t.keys.read_only.principal.has_scope("audit:read"),
        "API keys carry every scope"
    );
    let read = t.fx_token(&t.keys.admin, "read").await;
    let p = t.service.authenticate_bearer(&t.base, &read).await.unwrap();
    assert!(p.has_scope("scans:read") && !p.has_scope("audit:read") && !p.has_scope("scans:write"));
}

#[tokio::test]
async fn expired_revoked_and_retired_tokens_are_refused() {
    let t = TestApp::spawn().await;
    let (_, id, secret) = client(&t, "read-only", "read").await;
    let (_, other_id, other_secret) = client(&t, "read-only", "read").await;
    let intro = |tok: &str| format!("token={tok}&token_type_hint=access_token");

    // active, then revoked by its client: refused on the next request
    let tok = token(&t, &id, &secret, None).await;
    let v = form(
        &t,
        "/oauth/introspect",
        Some(&basic(&id, &secret)),
        &intro(&tok),
    )
    .await
    .status(200)
    .json();
    assert_eq!(v["active"], true);
    assert_eq!(v["client_id"], id.as_str());
    assert_eq!(v["token_type"], "Bearer");
    assert!(v["scope"].as_str().unwrap().contains("scans:read"));
    // another client of the tenant may introspect, but not revoke it
    let v = form(
        &t,
        "/oauth/introspect",
        Some(&basic(&other_id, &other_secret)),
        &intro(&tok),
    )
    .await
    .status(200)
    .json();
    assert_eq!(v["active"], true);
    let r = form(
        &t,
        "/oauth/revoke",
        Some(&basic(&other_id, &other_secret)),
        &intro(&tok),
    )
    .await;
    oauth_error(&r, 400, "unauthorized_client");
    t.bearer(&tok).get("/ias/v1/apps").send().await.status(200);
    form(
        &t,
        "/oauth/revoke",
        Some(&basic(&id, &secret)),
        &intro(&tok),
    )
    .await
    .status(200);
    let r = t.bearer(&tok).get("/ias/v1/apps").send().await.status(401);
    assert!(r.header("www-authenticate").unwrap().contains("revoked"));
    let v = form(
        &t,
        "/oauth/introspect",
        Some(&basic(&id, &secret)),
        &intro(&tok),
    )
    .await
    .status(200)
    .json();
    assert_eq!(v, json!({"active": false}));
    // revoking garbage is fine; an unauthenticated revocation or introspection is not
    form(
        &t,
        "/oauth/revoke",
        Some(&basic(&id, &secret)),
        "token=garbage",
    )
    .await
    .status(200);
    oauth_error(
        &form(&t, "/oauth/revoke", None, &intro(&tok)).await,
        401,
        "invalid_client",
    );
    oauth_error(
        &form(
            &t,
            "/oauth/introspect",
            Some(&basic(&id, "x")),
            &intro(&tok),
        )
        .await,
        401,
        "invalid_client",
    );
    oauth_error(
        &form(&t, "/oauth/introspect", Some(&basic(&id, &secret)), "").await,
        400,
        "invalid_request",
    );
    let v = form(
        &t,
        "/oauth/introspect",
        Some(&basic(&id, &secret)),
        "token=garbage",
    )
    .await
    .status(200)
    .json();
    assert_eq!(v, json!({"active": false}));

    // expired
    let tok = token(&t, &id, &secret, None).await;
    t.set_clock(t.clock.now() + chrono::Duration::seconds(3601));
    let r = t.bearer(&tok).get("/ias/v1/apps").send().await.status(401);
    assert!(r.header("www-authenticate").unwrap().contains("expired"));
    let v = form(
        &t,
        "/oauth/introspect",
        Some(&basic(&id, &secret)),
        &intro(&tok),
    )
    .await
    .status(200)
    .json();
    assert_eq!(v["active"], false);

    // signed with a key that was retired (verify_until passed): refused once the
    // replica's key cache (30 s) refreshes
    let tok = token(&t, &id, &secret, None).await;
    t.bearer(&tok).get("/ias/v1/apps").send().await.status(200);
    t.exec_sql("UPDATE oauth_signing_keys SET verify_until = 0")
        .await
        .unwrap();
    t.set_clock(t.clock.now() + chrono::Duration::seconds(31));
    let r = t.bearer(&tok).get("/ias/v1/apps").send().await.status(401);
    assert!(r.header("www-authenticate").unwrap().contains("retired"));
    // a new key takes over for new tokens
    let fresh = token(&t, &id, &secret, None).await;
    assert_ne!(part(&fresh, 0)["kid"], part(&tok, 0)["kid"]);
    t.bearer(&fresh)
        .get("/ias/v1/apps")
        .send()
        .await
        .status(200);

    // deleting the client ends its tokens
    let (cid, id2, secret2) = client(&t, "read-only", "read").await;
    let tok2 = token(&t, &id2, &secret2, None).await;
    t.bearer(&tok2).get("/ias/v1/apps").send().await.status(200);
    t.other()
        .delete(&format!("/oauth/clients/{cid}"))
        .send()
        .await
        .status(404);
    t.rw()
        .delete(&format!("/oauth/clients/{cid}"))
        .send()
        .await
        .status(403);
    t.org()
        .delete(&format!("/oauth/clients/{cid}"))
        .send()
        .await
        .status(204);
    t.bearer(&tok2).get("/ias/v1/apps").send().await.status(401);
    oauth_error(
        &form(
            &t,
            "/oauth/token",
            Some(&basic(&id2, &secret2)),
            "grant_type=client_credentials",
        )
        .await,
        401,
        "invalid_client",
    );
}

#[tokio::test]
async fn signing_keys_rotate_and_old_keys_verify_until_their_tokens_expire() {
    let t = TestApp::spawn().await;
    let (_, id, secret) = client(&t, "read-only", "read").await;
    let first = token(&t, &id, &secret, None).await;
    let kid = part(&first, 0)["kid"].clone();
    let jwks = t
        .anon()
        .get("/.well-known/jwks.json")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(jwks["keys"][0]["kid"], kid);
    assert_eq!(jwks["keys"][0]["kty"], "OKP");
    assert_eq!(jwks["keys"][0]["crv"], "Ed25519");
    // 23h30: still the first key; 24h01: a new key signs, the old token still verifies
    t.set_clock(t.clock.now() + chrono::Duration::minutes(23 * 60 + 30));
    let late = token(&t, &id, &secret, None).await;
    assert_eq!(part(&late, 0)["kid"], kid);
    t.set_clock(t.clock.now() + chrono::Duration::minutes(31));
    let next = token(&t, &id, &secret, None).await;
    assert_ne!(part(&next, 0)["kid"], kid, "rotated");
    t.bearer(&late).get("/ias/v1/apps").send().await.status(200);
    t.bearer(&next).get("/ias/v1/apps").send().await.status(200);
    let jwks = t
        .anon()
        .get("/.well-known/jwks.json")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(
        jwks["keys"].as_array().unwrap().len(),
        2,
        "both keys verify: {jwks}"
    );
    // 25h01: the first key is retired
    t.set_clock(t.clock.now() + chrono::Duration::minutes(61));
    let jwks = t
        .anon()
        .get("/.well-known/jwks.json")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 1);
    assert_ne!(jwks["keys"][0]["kid"], kid);

    let meta = t
        .anon()
        .get("/.well-known/oauth-authorization-server")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(meta["issuer"], t.base.as_str());
    assert_eq!(meta["token_endpoint"], format!("{}/oauth/token", t.base));
    assert_eq!(
        meta["jwks_uri"],
        format!("{}/.well-known/jwks.json", t.base)
    );
    assert_eq!(
        meta["introspection_endpoint"],
        format!("{}/oauth/introspect", t.base)
    );
    assert_eq!(
        meta["revocation_endpoint"],
        format!("{}/oauth/revoke", t.base)
    );
    assert_eq!(meta["grant_types_supported"], json!(["client_credentials"]));
    assert_eq!(
        meta["token_endpoint_auth_methods_supported"],
        json!(["client_secret_basic", "client_secret_post"])
    );
}

#[tokio::test]
async fn oauth_clients_are_validated_and_product_admin_only() {
    let t = TestApp::spawn().await;
    let r = t
        .org()
        .post("/oauth/clients")
        .json(&json!({"role": "boss", "scopes": "read bogus"}))
        .send()
        .await
        .status(422);
    let p = r.json();
    assert_eq!(p["code"], "validation_failed");
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/problem+json")
    );
    assert_eq!(p["details"]["errors"].as_array().unwrap().len(), 2, "{p}");
    t.org()
        .post("/oauth/clients")
        .json(&json!({"principal_id": t.keys.other.id().to_string()}))
        .send()
        .await
        .status(422);
    t.ro()
        .post("/oauth/clients")
        .json(&json!({}))
        .send()
        .await
        .status(403);
    t.ro().get("/oauth/clients").send().await.status(403);
    let v = t
        .admin()
        .post("/oauth/clients")
        .json(&json!({"principal_id": t.keys.read_write.id().to_string(), "role": "read-write"}))
        .send()
        .await
        .status(201)
        .json();
    assert_eq!(v["principal_kind"], "USER");
    assert_eq!(v["scopes"], "applications:read scans:read vulnerabilities:read policies:read connectors:read identity:read webhooks:read");
    assert!(v["client_secret"].as_str().unwrap().starts_with("rmps_"));
    assert!(t
        .other()
        .get("/oauth/clients")
        .send()
        .await
        .status(200)
        .json()["data"]
        .as_array()
        .unwrap()
        .is_empty());
}

/// Two servers on one PostgreSQL schema: a token from one works on the other, and a
/// revocation on one is refused by the other on its very next request.
#[tokio::test]
async fn revocation_is_seen_by_another_replica_at_once() {
    let Some(t) = TestApp::spawn_postgres().await else {
        return;
    };
    let b = t.spawn_replica().await;
    let (_, id, secret) = client(&t, "read-only", "read").await;
    let tok = token(&t, &id, &secret, None).await;
    let on_b = |path: &str| {
        reqwest::Client::new()
            .get(b.url(path))
            .header("Authorization", format!("Bearer {tok}"))
            .send()
    };
    assert_eq!(on_b("/ias/v1/apps").await.unwrap().status(), 200);
    form(
        &t,
        "/oauth/revoke",
        Some(&basic(&id, &secret)),
        &format!("token={tok}"),
    )
    .await
    .status(200);
    let r = on_b("/ias/v1/apps").await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .contains("revoked"));
}

/// Brute force at the token endpoint: after the allowed failed client authentications from
/// one address in a window, every attempt is 429 + `Retry-After` before any secret is
/// checked (the right one too); the next window lets the address try again. Successful
/// authentications are not counted.
#[tokio::test]
async fn token_endpoint_failures_are_limited_per_address() {
    let t = TestApp::builder()
        .rate_limits(rampart_service::RateLimitConfig {
            token_failures_per_ip: Some(3),
            window_secs: 60,
            ..rampart_service::RateLimitConfig::OFF
        })
        .manual_rate_clock()
        .spawn()
        .await
        .unwrap();
    let (_, id, secret) = client(&t, "read-only", "read").await;
    let body = "grant_type=client_credentials";
    for _ in 0..5 {
        token(&t, &id, &secret, None).await;
    }
    for _ in 0..3 {
        let r = form(&t, "/oauth/token", Some(&basic(&id, "wrong")), body).await;
        oauth_error(&r, 401, "invalid_client");
    }
    for auth in [basic(&id, "wrong"), basic(&id, &secret)] {
        let r = form(&t, "/oauth/token", Some(&auth), body).await;
        oauth_error(&r, 429, "rate_limited");
        let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
    }
    // An unknown client counts as a failure too (client_secret_post).
    t.set_clock(t.clock.now() + chrono::Duration::seconds(60));
    let post = format!("{body}&client_id=rmpc_nobody&client_secret=x");
    for _ in 0..3 {
        oauth_error(
            &form(&t, "/oauth/token", None, &post).await,
            401,
            "invalid_client",
        );
    }
    oauth_error(
        &form(&t, "/oauth/token", None, &post).await,
        429,
        "rate_limited",
    );
    t.set_clock(t.clock.now() + chrono::Duration::seconds(60));
    token(&t, &id, &secret, None).await;
}

/// Revoked token ids are kept only until the token would have expired: a revocation
/// prunes the expired ones.
#[tokio::test]
async fn revoked_token_ids_are_pruned_once_expired() {
    let t = TestApp::spawn().await;
    let (_, id, secret) = client(&t, "read-only", "read").await;
    let old = token(&t, &id, &secret, None).await;
    let auth = basic(&id, &secret);
    form(&t, "/oauth/revoke", Some(&auth), &format!("token={old}"))
        .await
        .status(200);
    let jtis = |dump: String| -> Vec<String> {
        dump.lines()
            .filter_map(|l| l.strip_prefix("oauth_revoked_tokens.jti: "))
            .map(str::to_string)
            .collect()
    };
    let old_jti = part(&old, 1)["jti"].as_str().unwrap().to_string();
    assert_eq!(jtis(t.dump_text().await), [old_jti]);
    // Past the first token's expiry, a second revocation leaves only its own id.
    t.set_clock(t.clock.now() + chrono::Duration::hours(2));
    let new = token(&t, &id, &secret, None).await;
    form(&t, "/oauth/revoke", Some(&auth), &format!("token={new}"))
        .await
        .status(200);
    let new_jti = part(&new, 1)["jti"].as_str().unwrap().to_string();
    assert_eq!(jtis(t.dump_text().await), [new_jti], "the expired id went");
    t.bearer(&new).get("/ias/v1/apps").send().await.status(401);
}
