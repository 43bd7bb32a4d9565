//! Real databases for the execution tests: the contract's tables on in-memory SQLite (with
//! `regexp`) and on a fresh PostgreSQL schema per test, plus a fixture and a query runner.

use rampart_query::Dialect;
use sea_query::{Alias, Expr, PostgresQueryBuilder, SelectStatement, SqliteQueryBuilder, Value};
use sea_query_binder::SqlxBinder;
use sqlx::{Connection, Executor, PgConnection, Row, SqliteConnection};
use std::collections::HashMap;
use uuid::Uuid;

/// The contract's schema; `{uuid}` and `{double}` are filled per dialect.
const SCHEMA: &str = "
CREATE TABLE apps (id {uuid} PRIMARY KEY, org_id {uuid} NOT NULL, name TEXT NOT NULL,
  description TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);
CREATE TABLE app_members (org_id {uuid} NOT NULL, app_id {uuid} NOT NULL, principal_id {uuid} NOT NULL);
CREATE TABLE tags (id {uuid} PRIMARY KEY, org_id {uuid} NOT NULL, name TEXT NOT NULL,
  creator_id {uuid}, created_at BIGINT NOT NULL);
CREATE TABLE app_tags (org_id {uuid} NOT NULL, app_id {uuid} NOT NULL, tag_id {uuid} NOT NULL);
CREATE TABLE targets (id {uuid} PRIMARY KEY, org_id {uuid} NOT NULL, domain TEXT NOT NULL,
  enabled BOOLEAN NOT NULL, archived BOOLEAN NOT NULL, scanned BOOLEAN NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE attack_templates (id {uuid} PRIMARY KEY, org_id {uuid} NOT NULL, name TEXT NOT NULL,
  description TEXT, system_defined BOOLEAN NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE scan_configs (id {uuid} PRIMARY KEY, org_id {uuid} NOT NULL, app_id {uuid} NOT NULL,
  name TEXT NOT NULL, description TEXT, attack_template_id {uuid} NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE scans (id {uuid} PRIMARY KEY, org_id {uuid} NOT NULL, app_id {uuid} NOT NULL,
  scan_config_id {uuid} NOT NULL, submitter_type TEXT NOT NULL, submitter_id {uuid},
  submit_time BIGINT NOT NULL, completion_time BIGINT, status TEXT NOT NULL, failure_reason TEXT,
  scan_type TEXT NOT NULL);
CREATE TABLE vulnerabilities (id {uuid} PRIMARY KEY, org_id {uuid} NOT NULL, app_id {uuid} NOT NULL,
  module_id {uuid} NOT NULL, root_cause_url TEXT NOT NULL, root_cause_parameter TEXT,
  root_cause_method TEXT NOT NULL, severity TEXT NOT NULL, severity_rank BIGINT NOT NULL, status TEXT NOT NULL,
  first_discovered BIGINT NOT NULL, last_discovered BIGINT NOT NULL, newly_discovered BOOLEAN NOT NULL,
  vulnerability_score {double});
CREATE TABLE vulnerability_discoveries (id {uuid} PRIMARY KEY, org_id {uuid} NOT NULL,
  vulnerability_id {uuid} NOT NULL, scan_id {uuid} NOT NULL, discovered BIGINT NOT NULL);
CREATE TABLE engine_groups (id {uuid} PRIMARY KEY, org_id {uuid} NOT NULL, name TEXT NOT NULL, description TEXT);
CREATE TABLE engines (id {uuid} PRIMARY KEY, org_id {uuid} NOT NULL, name TEXT NOT NULL,
  engine_group_id {uuid}, status TEXT NOT NULL);
CREATE TABLE schedules (id {uuid} PRIMARY KEY, org_id {uuid} NOT NULL, name TEXT NOT NULL,
  enabled BOOLEAN NOT NULL, app_id {uuid} NOT NULL, scan_config_id {uuid} NOT NULL);
CREATE TABLE blackouts (id {uuid} PRIMARY KEY, org_id {uuid} NOT NULL, name TEXT NOT NULL,
  enabled BOOLEAN NOT NULL, app_id {uuid}, scope TEXT NOT NULL);
CREATE TABLE files (id {uuid} PRIMARY KEY, org_id {uuid} NOT NULL, app_id {uuid} NOT NULL,
  name TEXT NOT NULL, description TEXT, type TEXT NOT NULL, locked BOOLEAN NOT NULL, owner_id {uuid});
CREATE TABLE reports (id {uuid} PRIMARY KEY, org_id {uuid} NOT NULL, name TEXT NOT NULL,
  type TEXT NOT NULL, format TEXT NOT NULL, owner_id {uuid}, generated_date BIGINT, app_id {uuid});
";

/// A connection with the schema created, and the names given to fixture ids.
pub enum Db {
    Sqlite(SqliteConnection),
    Postgres { conn: PgConnection, schema: String },
}

impl Db {
    pub fn dialect(&self) -> Dialect {
        match self {
            Db::Sqlite(_) => Dialect::Sqlite,
            Db::Postgres { .. } => Dialect::Postgres,
        }
    }

    pub async fn sqlite() -> Db {
        use sqlx::sqlite::SqliteConnectOptions;
        use std::str::FromStr;
        let opts = SqliteConnectOptions::from_str("sqlite::memory:")
            .expect("static url")
            .with_regexp();
        let mut conn = SqliteConnection::connect_with(&opts)
            .await
            .expect("open sqlite");
        let ddl = SCHEMA
            .replace("{uuid}", "BLOB")
            .replace("{double}", "DOUBLE");
        conn.execute(ddl.as_str())
            .await
            .expect("create sqlite schema");
        Db::Sqlite(conn)
    }

    /// A fresh schema on `RAMPART_TEST_PG_URL` (default: the local server, the same rule as
    /// `rampart_store_postgres::test_url`, which this crate cannot depend on). Always
    /// `Some`: never skipped, a missing server fails with what to do.
    pub async fn postgres(test: &str) -> Option<Db> {
        let url = std::env::var("RAMPART_TEST_PG_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string());
        let mut conn = PgConnection::connect(&url).await.unwrap_or_else(|e| {
            panic!(
                "the PostgreSQL half of the tests needs a server at {url} ({e}): start \
                 PostgreSQL (apt-get install postgresql) or set RAMPART_TEST_PG_URL"
            )
        });
        let schema = format!("rq_{}_{}", test, Uuid::new_v4().simple());
        let ddl = SCHEMA
            .replace("{uuid}", "UUID")
            .replace("{double}", "DOUBLE PRECISION");
        conn.execute(format!("CREATE SCHEMA {schema}; SET search_path TO {schema};").as_str())
            .await
            .expect("create pg schema");
        conn.execute(ddl.as_str()).await.expect("create pg tables");
        // Give two text columns a linguistic collation (case-insensitive first pass) where
        // the server has ICU, so the tests prove ordering does not depend on it.
        let icu: Option<String> = sqlx::query_scalar(
            "SELECT collname::text FROM pg_collation WHERE collname = 'und-x-icu'",
        )
        .fetch_optional(&mut conn)
        .await
        .expect("read pg_collation");
        if icu.is_some() {
            conn.execute(
                "ALTER TABLE targets ALTER COLUMN domain TYPE TEXT COLLATE \"und-x-icu\";
                 ALTER TABLE apps ALTER COLUMN name TYPE TEXT COLLATE \"und-x-icu\";",
            )
            .await
            .expect("set icu collation");
        }
        Some(Db::Postgres { conn, schema })
    }

    /// Drops the PostgreSQL schema.
    pub async fn close(self) {
        if let Db::Postgres { mut conn, schema } = self {
            conn.execute(format!("DROP SCHEMA {schema} CASCADE").as_str())
                .await
                .expect("drop pg schema");
        }
    }

    pub async fn insert(&mut self, table: &str, row: &[(&str, Value)]) {
        let stmt = sea_query::Query::insert()
            .into_table(Alias::new(table))
            .columns(row.iter().map(|(c, _)| Alias::new(*c)))
            .values_panic(row.iter().map(|(_, v)| Expr::val(v.clone()).into()))
            .to_owned();
        match self {
            Db::Sqlite(c) => {
                let (sql, values) = stmt.build_sqlx(SqliteQueryBuilder);
                sqlx::query_with(&sql, values)
                    .execute(c)
                    .await
                    .expect("insert sqlite");
            }
            Db::Postgres { conn, .. } => {
                let (sql, values) = stmt.build_sqlx(PostgresQueryBuilder);
                sqlx::query_with(&sql, values)
                    .execute(conn)
                    .await
                    .expect("insert pg");
            }
        }
    }

    /// Runs `select` (whose first column is an id) and returns the ids in order.
    pub async fn ids(&mut self, select: &SelectStatement) -> Result<Vec<Uuid>, String> {
        let rows = match self {
            Db::Sqlite(c) => {
                let (sql, values) = select.build_sqlx(SqliteQueryBuilder);
                let rows = sqlx::query_with(&sql, values).fetch_all(c).await;
                rows.map_err(|e| format!("{e}\n{sql}"))?
                    .iter()
                    .map(|r| r.try_get::<Uuid, _>(0).map_err(|e| e.to_string()))
                    .collect::<Result<Vec<_>, _>>()
            }
            Db::Postgres { conn, .. } => {
                let (sql, values) = select.build_sqlx(PostgresQueryBuilder);
                let rows = sqlx::query_with(&sql, values).fetch_all(conn).await;
                rows.map_err(|e| format!("{e}\n{sql}"))?
                    .iter()
                    .map(|r| r.try_get::<Uuid, _>(0).map_err(|e| e.to_string()))
                    .collect::<Result<Vec<_>, _>>()
            }
        };
        rows
    }
}

/// Names for fixture ids, so assertions read as labels.
#[derive(Default)]
pub struct Names(HashMap<Uuid, &'static str>);

impl Names {
    /// A stable id for `label`.
    pub fn id(&mut self, label: &'static str) -> Uuid {
        let id = Uuid::new_v5(&Uuid::NAMESPACE_OID, label.as_bytes());
        self.0.insert(id, label);
        id
    }

    pub fn label(&self, id: &Uuid) -> String {
        self.0
            .get(id)
            .map_or_else(|| id.to_string(), |s| (*s).to_owned())
    }
}

/// Microseconds since the epoch for an RFC 3339 instant.
pub fn micros(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .unwrap_or_else(|e| panic!("{rfc3339}: {e}"))
        .timestamp_micros()
}
