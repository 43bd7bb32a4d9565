//! The PostgreSQL variant: one fresh schema per test app.

/// A store on a fresh schema of `RAMPART_TEST_PG_URL` (like the store's own suite).
pub(crate) async fn postgres_store() -> Option<rampart_store_postgres::PostgresStore> {
    let Ok(url) = std::env::var("RAMPART_TEST_PG_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "RAMPART_TEST_PG_URL must be set in CI"
        );
        eprintln!("notice: RAMPART_TEST_PG_URL is not set: skipping a PostgreSQL HTTP test");
        return None;
    };
    let schema = format!("rampart_test_http_{}", uuid::Uuid::new_v4().simple());
    let admin = sqlx::PgPool::connect(&url)
        .await
        .expect("connect to RAMPART_TEST_PG_URL");
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&admin)
        .await
        .expect("create schema");
    admin.close().await;
    // A throw-away schema needs no durable commits; this makes the suite ~2x faster.
    let fast = if url.contains("options=") {
        url
    } else {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}options=-c%20synchronous_commit%3Doff")
    };
    Some(
        rampart_store_postgres::connect(&fast, Some(&schema))
            .await
            .expect("connect with schema"),
    )
}
