//! The PostgreSQL variant: one fresh schema per test app.

/// A store on a fresh schema of `rampart_store_postgres::test_url()` (like the store's own
/// suite), dropped when the store goes away.
pub(crate) async fn postgres_store() -> Option<rampart_store_postgres::PostgresStore> {
    rampart_store_postgres::test_store("rampart_test_http").await
}
