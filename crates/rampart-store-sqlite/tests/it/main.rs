//! The storage conformance suite on SQLite (in memory, one database per test).

use rampart_store::{AppStore, Store, TenancyStore};

async fn store() -> Option<Box<dyn Store>> {
    Some(Box::new(
        rampart_store_sqlite::connect("sqlite::memory:")
            .await
            .expect("open sqlite"),
    ))
}

rampart_store::conformance_suite!(store);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claimers_on_a_file_database() {
    let dir = std::env::temp_dir().join(format!("rampart-race-{}", uuid_like()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("r.db").display());
    let s = rampart_store_sqlite::connect(&url).await.unwrap();
    rampart_store::conformance::claims_race(std::sync::Arc::new(s.clone())).await;
    s.pool().close().await;
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_schedule_firings_on_a_file_database() {
    let dir = std::env::temp_dir().join(format!("rampart-fire-{}", uuid_like()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("r.db").display());
    let s = rampart_store_sqlite::connect(&url).await.unwrap();
    rampart_store::conformance::schedule_firing_race(std::sync::Arc::new(s.clone())).await;
    s.pool().close().await;
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn file_database_uses_wal_and_survives_reopen() {
    let dir = std::env::temp_dir().join(format!("rampart-it-{}", uuid_like()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("r.db").display());
    {
        let s = rampart_store_sqlite::connect(&url).await.unwrap();
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(s.pool())
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        // SQLite's heap in the server is bounded whatever the number of connections.
        let limit: i64 = sqlx::query_scalar("PRAGMA soft_heap_limit")
            .fetch_one(s.pool())
            .await
            .unwrap();
        assert_eq!(limit, rampart_store_sqlite::heap_limit().unwrap());
        let o = rampart_domain::Organization {
            id: rampart_domain::OrgId::new(),
            name: "o".into(),
            created_at: chrono::Utc::now(),
            operator: false,
        };
        s.create_org(&o).await.unwrap();
        s.pool().close().await;
    }
    let s = rampart_store_sqlite::connect(&url).await.unwrap();
    assert_eq!(
        s.count_orgs().await.unwrap(),
        1,
        "migrations re-applied idempotently, data kept"
    );
    std::fs::remove_dir_all(&dir).ok();
}

fn uuid_like() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    )
}

/// Many concurrent writers on a file database all succeed (they queue for the single
/// writer connection) and readers see every committed row.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_on_a_file_database_all_land() {
    let dir = std::env::temp_dir().join(format!("rampart-it-w-{}", uuid_like()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("w.db").display());
    let s = std::sync::Arc::new(rampart_store_sqlite::connect(&url).await.unwrap());
    let org = rampart_domain::Organization {
        id: rampart_domain::OrgId::new(),
        name: "o".into(),
        created_at: chrono::Utc::now(),
        operator: false,
    };
    s.create_org(&org).await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..64 {
        let s = s.clone();
        tasks.spawn(async move {
            let now = chrono::Utc::now();
            let app = rampart_domain::App {
                id: rampart_domain::AppId::new(),
                org: org.id,
                name: format!("app-{i}"),
                description: None,
                profile: Default::default(),
                created_at: now,
                updated_at: now,
            };
            s.create_app(&app, None).await
        });
    }
    while let Some(r) = tasks.join_next().await {
        r.expect("task").expect("every concurrent write lands");
    }
    let page = s
        .list_apps(
            org.id,
            &rampart_store::Visibility::All,
            &rampart_store::ListRequest::first(100),
        )
        .await
        .unwrap();
    assert_eq!(page.total, 64);
    std::fs::remove_dir_all(&dir).ok();
}
