//! Authentication overhead at scale: the latency of authenticated requests against a
//! database holding 100,000 API keys, 10,000 users and 10,000 identity groups (with
//! memberships and tag grants), compared with a fresh database, on SQLite or PostgreSQL.
//! Every request authenticates (one indexed read of the key joined with its owner, no
//! cache) and the app read resolves visibility through the caller's groups and tag grants
//! in SQL.
//!
//! ```sh
//! cargo run --release -p rampart --example auth_bench -- sqlite
//! RAMPART_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/test \
//!   cargo run --release -p rampart --example auth_bench -- postgres
//! ```
//! Environment (defaults): KEYS=100000 USERS=10000 GROUPS=10000 REQUESTS=2000. Not a test.

use rampart_testkit::{Backend, TestApp};
use serde_json::json;
use std::time::{Duration, Instant};
use uuid::Uuid;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// A UUID literal of the backend's column type.
fn lit(backend: Backend, id: Uuid) -> String {
    match backend {
        Backend::Sqlite => format!("X'{}'", id.simple()),
        Backend::Postgres => format!("'{id}'::uuid"),
    }
}

/// Inserts `rows` (SQL tuples) into `table(columns)`, 1,000 rows a statement.
async fn insert(t: &TestApp, table: &str, columns: &str, rows: &[String]) {
    for chunk in rows.chunks(1000) {
        let sql = format!("INSERT INTO {table} ({columns}) VALUES {}", chunk.join(","));
        t.exec_sql(&sql).await.expect("bulk insert");
    }
}

/// Fills the tenant of `t` with `users` users holding `keys` keys between them, `groups`
/// groups (every user in one, the measured user in 20) each granted one of 100 tags.
async fn fill(t: &TestApp, backend: Backend, keys: usize, users: usize, groups: usize) {
    let org = lit(backend, t.keys.org.org().0);
    let user_ids: Vec<Uuid> = (0..users).map(|_| Uuid::new_v4()).collect();
    let rows: Vec<String> = user_ids
        .iter()
        .enumerate()
        .map(|(i, u)| {
            format!(
                "({}, {org}, 'USER', 'bench{i}@example.test', 'read-only', 'ACTIVE', 0)",
                lit(backend, *u)
            )
        })
        .collect();
    insert(
        t,
        "principals",
        "id, org_id, kind, email, role, status, created_at",
        &rows,
    )
    .await;
    let rows: Vec<String> = (0..keys)
        .map(|i| {
            format!(
                "({}, {org}, {}, 'USER', 'read-only', 'k{i}', 'rmp_bench', '{:064x}', 0)",
                lit(backend, Uuid::new_v4()),
                lit(backend, user_ids[i % users.max(1)]),
                i + 1
            )
        })
        .collect();
    insert(
        t,
        "api_keys",
        "id, org_id, principal_id, kind, role, name, prefix, hash, created_at",
        &rows,
    )
    .await;
    let tag_ids: Vec<Uuid> = (0..100).map(|_| Uuid::new_v4()).collect();
    let creator = lit(backend, t.keys.org.id().0);
    let rows: Vec<String> = tag_ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            format!(
                "({}, {org}, 'bench-tag-{i}', {creator}, 0)",
                lit(backend, *id)
            )
        })
        .collect();
    insert(t, "tags", "id, org_id, name, creator_id, created_at", &rows).await;
    let group_ids: Vec<Uuid> = (0..groups).map(|_| Uuid::new_v4()).collect();
    let rows: Vec<String> = group_ids
        .iter()
        .enumerate()
        .map(|(i, g)| format!("({}, {org}, 'bench-group-{i}', 0, 0)", lit(backend, *g)))
        .collect();
    insert(
        t,
        "identity_groups",
        "id, org_id, name, created_at, updated_at",
        &rows,
    )
    .await;
    let rows: Vec<String> = user_ids
        .iter()
        .enumerate()
        .map(|(i, u)| {
            format!(
                "({org}, {}, {})",
                lit(backend, group_ids[i % groups.max(1)]),
                lit(backend, *u)
            )
        })
        .collect();
    insert(t, "group_members", "org_id, group_id, principal_id", &rows).await;
    let rows: Vec<String> = group_ids
        .iter()
        .enumerate()
        .map(|(i, g)| {
            format!(
                "({org}, {}, {})",
                lit(backend, *g),
                lit(backend, tag_ids[i % tag_ids.len()])
            )
        })
        .collect();
    insert(t, "group_tag_grants", "org_id, group_id, tag_id", &rows).await;
    // The measured user (the Read Only key) is in 20 of the groups.
    let ro = lit(backend, t.keys.read_only.id().0);
    let rows: Vec<String> = group_ids
        .iter()
        .take(20)
        .map(|g| format!("({org}, {}, {ro})", lit(backend, *g)))
        .collect();
    insert(t, "group_members", "org_id, group_id, principal_id", &rows).await;
    if backend == Backend::Postgres {
        t.exec_sql("ANALYZE").await.expect("analyze");
    }
}

/// Median, p95, p99 of `n` sequential GETs of `path` with `token`.
async fn time(t: &TestApp, token: &str, path: &str, n: usize) -> (Duration, Duration, Duration) {
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let url = t.url(path);
    for _ in 0..50 {
        let r = http
            .get(&url)
            .header("X-Api-Key", token)
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), 200, "{path}");
    }
    let mut all = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        let r = http
            .get(&url)
            .header("X-Api-Key", token)
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), 200, "{path}");
        r.bytes().await.expect("body");
        all.push(start.elapsed());
    }
    all.sort();
    (pct(&all, 0.5), pct(&all, 0.95), pct(&all, 0.99))
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let backend = match std::env::args().nth(1).as_deref() {
        Some("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    };
    let keys = env("KEYS", 100_000);
    let users = env("USERS", 10_000);
    let groups = env("GROUPS", 10_000);
    let n = env("REQUESTS", 2000);
    println!("backend {backend:?}, {n} sequential requests per row");
    println!("| database | request | median | p95 | p99 |");
    println!("| --- | --- | --- | --- | --- |");
    for large in [false, true] {
        let t = TestApp::builder()
            .backend(backend)
            .spawn()
            .await
            .expect("RAMPART_TEST_PG_URL for postgres");
        let label = if large {
            let start = Instant::now();
            fill(&t, backend, keys, users, groups).await;
            eprintln!("filled in {:.1?}", start.elapsed());
            format!("{keys} keys, {users} users, {groups} groups")
        } else {
            "fresh (5 keys)".to_string()
        };
        // An app the Read Only user sees only through a group's tag grant.
        let app = t.fx_private_app("granted").await;
        let tag = t.fx_tag("granted-tag").await;
        t.service
            .add_app_tag(&t.keys.admin.principal, app, tag)
            .await
            .expect("tag");
        let g = t
            .admin()
            .post("/identity-groups")
            .json(&json!({"name": "measured", "members": [t.keys.read_only.id().to_string()], "applicationTags": [tag.to_string()]}))
            .send()
            .await
            .status(201)
            .json();
        assert!(g["id"].is_string());
        for (what, path) in [
            ("GET /organization (auth only)", "/organization".to_string()),
            (
                "GET /ias/v1/apps/{id} via a tag grant",
                format!("/ias/v1/apps/{app}"),
            ),
        ] {
            let (p50, p95, p99) = time(&t, &t.keys.read_only.token, &path, n).await;
            println!("| {label} | {what} | {p50:.1?} | {p95:.1?} | {p99:.1?} |");
        }
    }
}
