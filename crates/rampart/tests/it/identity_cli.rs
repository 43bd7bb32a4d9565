//! `rampart key | user | service-account | group | org` as a user runs them, against the real server
//! (rampart-testkit) and, for `org`, a database file.

use rampart_testkit::TestApp;
use std::process::Output;

/// Runs the binary off the async runtime (the server keeps serving meanwhile).
async fn rampart(server: &str, key: &str, args: &[&str]) -> Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_rampart"));
    cmd.args(args)
        .env("RAMPART_URL", server)
        .env("RAMPART_API_KEY", key)
        .env_remove("RAMPART_DATABASE_URL")
        .env_remove("RUST_LOG");
    tokio::task::spawn_blocking(move || cmd.output().expect("run rampart"))
        .await
        .expect("join")
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(o: &Output) {
    assert!(o.status.success(), "stdout: {}\nstderr: {}", out(o), err(o));
}

#[tokio::test]
async fn key_create_list_rotate_revoke_over_the_api() {
    let t = TestApp::spawn().await;
    let admin = t.keys.org.token.clone();
    let o = rampart(
        &t.base,
        &admin,
        &[
            "user",
            "create",
            "--email",
            "dev@example.test",
            "--role",
            "read-write",
        ],
    )
    .await;
    ok(&o);
    let o = rampart(
        &t.base,
        &admin,
        &[
            "key",
            "create",
            "--user",
            "dev@example.test",
            "--role",
            "read-write",
            "--name",
            "laptop",
        ],
    )
    .await;
    ok(&o);
    let secret = out(&o).trim().to_string();
    assert!(
        secret.starts_with("rmp_"),
        "only the secret on stdout: {secret}"
    );

    let o = rampart(&t.base, &admin, &["key", "list"]).await;
    ok(&o);
    let table = out(&o);
    assert!(
        table.contains("laptop") && table.contains("dev@example.test"),
        "{table}"
    );
    assert!(
        table.contains(&secret[..12]),
        "the prefix is shown: {table}"
    );
    assert!(!table.contains(&secret), "never the secret: {table}");
    let o = rampart(&t.base, &admin, &["key", "list", "--format", "json"]).await;
    ok(&o);
    let keys: serde_json::Value = serde_json::from_str(&out(&o)).expect("json");
    let id = keys
        .as_array()
        .expect("array")
        .iter()
        .find(|k| k["name"] == "laptop")
        .expect("listed")["id"]
        .as_str()
        .expect("id")
        .to_string();

    // The key works, then is rotated (old refused), then revoked by its prefix.
    let o = rampart(
        &t.base,
        &secret,
        &[
            "search",
            "--type",
            "APP",
            "--query",
            "app.name CONTAINS 'x'",
        ],
    )
    .await;
    ok(&o);
    let o = rampart(&t.base, &admin, &["key", "rotate", &id]).await;
    ok(&o);
    let rotated = out(&o).trim().to_string();
    assert!(rotated.starts_with("rmp_") && rotated != secret);
    let o = rampart(
        &t.base,
        &secret,
        &[
            "search",
            "--type",
            "APP",
            "--query",
            "app.name CONTAINS 'x'",
        ],
    )
    .await;
    assert_eq!(
        o.status.code(),
        Some(2),
        "the old secret is refused: {}",
        err(&o)
    );
    let o = rampart(&t.base, &admin, &["key", "revoke", &rotated[..12]]).await;
    ok(&o);
    assert!(err(&o).contains("revoked key"), "{}", err(&o));
    let o = rampart(
        &t.base,
        &rotated,
        &[
            "search",
            "--type",
            "APP",
            "--query",
            "app.name CONTAINS 'x'",
        ],
    )
    .await;
    assert_eq!(o.status.code(), Some(2), "revoked: {}", err(&o));
    let o = rampart(&t.base, &admin, &["key", "revoke", "rmp_nothing"]).await;
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err(&o).contains("rampart key list"),
        "says what to do: {}",
        err(&o)
    );
}

#[tokio::test]
async fn users_and_groups_grant_apps_by_tag() {
    let t = TestApp::spawn().await;
    let admin = t.keys.org.token.clone();
    let app = t.fx_private_app("Payments API").await;
    let tag = t.fx_tag("payments").await;
    t.service
        .add_app_tag(&t.keys.admin.principal, app, tag)
        .await
        .expect("tag");
    ok(&rampart(
        &t.base,
        &admin,
        &[
            "user",
            "create",
            "--email",
            "ana@example.test",
            "--role",
            "read-only",
        ],
    )
    .await);
    let o = rampart(
        &t.base,
        &admin,
        &[
            "key",
            "create",
            "--user",
            "ana@example.test",
            "--role",
            "read-only",
        ],
    )
    .await;
    ok(&o);
    let ana = out(&o).trim().to_string();
    ok(&rampart(&t.base, &admin, &["group", "create", "payments-team"]).await);
    ok(&rampart(
        &t.base,
        &admin,
        &["group", "add-member", "payments-team", "ana@example.test"],
    )
    .await);
    let o = rampart(
        &t.base,
        &ana,
        &[
            "search",
            "--type",
            "APP",
            "--query",
            "app.name CONTAINS 'Payments'",
        ],
    )
    .await;
    ok(&o);
    assert!(
        !out(&o).contains("Payments API"),
        "not yet granted: {}",
        out(&o)
    );
    ok(&rampart(
        &t.base,
        &admin,
        &["group", "grant-tag", "payments-team", "payments"],
    )
    .await);
    let o = rampart(
        &t.base,
        &ana,
        &[
            "search",
            "--type",
            "APP",
            "--query",
            "app.name CONTAINS 'Payments'",
        ],
    )
    .await;
    ok(&o);
    assert!(
        out(&o).contains("Payments API"),
        "granted by tag: {}",
        out(&o)
    );
    let o = rampart(&t.base, &admin, &["group", "list"]).await;
    ok(&o);
    assert!(
        out(&o).contains("ana@example.test") && out(&o).contains("payments"),
        "{}",
        out(&o)
    );
    ok(&rampart(&t.base, &admin, &["user", "disable", "ana@example.test"]).await);
    let o = rampart(
        &t.base,
        &ana,
        &[
            "search",
            "--type",
            "APP",
            "--query",
            "app.name CONTAINS 'Payments'",
        ],
    )
    .await;
    assert_eq!(
        o.status.code(),
        Some(2),
        "a disabled user's key stops: {}",
        err(&o)
    );
    let o = rampart(&t.base, &admin, &["user", "list"]).await;
    ok(&o);
    assert!(out(&o).contains("disabled"), "{}", out(&o));
}

/// A fresh SQLite database (as a server's first start makes it) in its own directory.
async fn fresh_db() -> (std::path::PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("rampart-org-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("dir");
    let url = format!("sqlite://{}", dir.join("r.db").display());
    drop(
        rampart_store_sqlite::connect(&url)
            .await
            .expect("create the database"),
    );
    (dir, url)
}

/// `rampart ARGS` on the database (no server in the environment).
async fn run(args: Vec<String>) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_rampart"));
    cmd.args(args)
        .env_remove("RAMPART_URL")
        .env_remove("RUST_LOG");
    tokio::task::spawn_blocking(move || cmd.output().expect("run"))
        .await
        .expect("join")
}

fn args(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn org_create_and_list_on_the_database() {
    let (dir, url) = fresh_db().await;
    let o = run(args(&["org", "create", "--database", &url, "acme"])).await;
    ok(&o);
    assert!(
        out(&o).trim().starts_with("rmp_"),
        "its first key: {}",
        out(&o)
    );
    let o = run(args(&["org", "create", "--database", &url, "acme"])).await;
    assert_eq!(o.status.code(), Some(2));
    assert!(err(&o).contains("already exists"), "{}", err(&o));
    ok(&run(args(&["org", "create", "--database", &url, "globex"])).await);
    let o = run(args(&["org", "list", "--database", &url])).await;
    ok(&o);
    let table = out(&o);
    assert!(
        table.contains("acme") && table.contains("globex"),
        "{table}"
    );
    // A key of a chosen tenant, on the database (the bootstrap path).
    let o = run(args(&[
        "key",
        "create",
        "--database",
        &url,
        "--tenant",
        "globex",
        "--org",
        "--role",
        "read-only",
    ]))
    .await;
    ok(&o);
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn org_admin_and_principal_deletion_over_the_api() {
    let t = TestApp::spawn().await;
    let admin = t.keys.org.token.clone();
    let o = rampart(&t.base, &admin, &["org", "create", "tenant-cli"]).await;
    ok(&o);
    let first = out(&o).trim().to_string();
    assert!(first.starts_with("rmp_"), "its first key: {first}");
    let o = rampart(&t.base, &first, &["org", "list"]).await;
    assert!(
        !o.status.success() && err(&o).contains("operator"),
        "a tenant's admin is not the operator: {}",
        err(&o)
    );
    let o = rampart(&t.base, &admin, &["org", "list", "--format", "json"]).await;
    ok(&o);
    assert!(
        out(&o).contains("tenant-cli") && out(&o).contains("other"),
        "{}",
        out(&o)
    );
    ok(&rampart(
        &t.base,
        &admin,
        &["org", "rename", "tenant-cli", "tenant-two"],
    )
    .await);
    let o = rampart(&t.base, &admin, &["org", "delete", "tenant-two"]).await;
    assert!(
        !o.status.success() && err(&o).contains("--yes"),
        "{}",
        err(&o)
    );
    ok(&rampart(&t.base, &admin, &["org", "delete", "tenant-two", "--yes"]).await);
    let o = rampart(&t.base, &first, &["user", "list"]).await;
    assert!(!o.status.success(), "the deleted tenant's key is refused");
    let o = rampart(&t.base, &admin, &["org", "list"]).await;
    assert!(!out(&o).contains("tenant-two"), "{}", out(&o));

    // Users and service accounts are deleted with their keys.
    let o = rampart(
        &t.base,
        &admin,
        &[
            "user",
            "create",
            "--email",
            "gone@example.test",
            "--role",
            "read-only",
        ],
    )
    .await;
    ok(&o);
    let o = rampart(
        &t.base,
        &admin,
        &[
            "key",
            "create",
            "--user",
            "gone@example.test",
            "--role",
            "read-only",
        ],
    )
    .await;
    ok(&o);
    let user_key = out(&o).trim().to_string();
    let o = rampart(
        &t.base,
        &admin,
        &["service-account", "create", "ci-bot", "--role", "read-only"],
    )
    .await;
    ok(&o);
    let o = rampart(&t.base, &admin, &["service-account", "list"]).await;
    ok(&o);
    assert!(out(&o).contains("ci-bot"), "{}", out(&o));
    let o = rampart(&t.base, &admin, &["user", "delete", "ci-bot"]).await;
    assert!(err(&o).contains("service-account delete"), "{}", err(&o));
    ok(&rampart(&t.base, &admin, &["user", "delete", "gone@example.test"]).await);
    ok(&rampart(&t.base, &admin, &["service-account", "delete", "ci-bot"]).await);
    let o = rampart(&t.base, &user_key, &["user", "list"]).await;
    assert!(!o.status.success(), "the deleted user's key is refused");
    let o = rampart(&t.base, &admin, &["service-account", "list"]).await;
    assert!(!out(&o).contains("ci-bot"), "{}", out(&o));
}

#[tokio::test]
async fn org_rename_and_delete_on_the_database() {
    let (dir, url) = fresh_db().await;
    ok(&run(args(&["org", "create", "--database", &url, "first"])).await);
    ok(&run(args(&["org", "create", "--database", &url, "second"])).await);
    ok(&run(args(&[
        "org",
        "rename",
        "--database",
        &url,
        "second",
        "third",
    ]))
    .await);
    let o = run(args(&[
        "org",
        "delete",
        "--database",
        &url,
        "first",
        "--yes",
    ]))
    .await;
    assert!(
        err(&o).contains("operator"),
        "the operator stays: {}",
        err(&o)
    );
    ok(&run(args(&[
        "org",
        "delete",
        "--database",
        &url,
        "third",
        "--yes",
    ]))
    .await);
    let o = run(args(&[
        "org",
        "list",
        "--database",
        &url,
        "--format",
        "json",
    ]))
    .await;
    ok(&o);
    let list: serde_json::Value = serde_json::from_str(&out(&o)).expect("json");
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list[0]["name"], "first");
    assert_eq!(list[0]["operator"], true);
    std::fs::remove_dir_all(dir).ok();
}
