//! SQL shared by the SQLite and PostgreSQL adapters.
//!
//! This directory is not a crate: each adapter includes it with `#[path]` after
//! defining `Db` (its sqlx database), `QB` (its sea-query builder) and `DIALECT`. The
//! same source is therefore compiled twice against concrete types, which keeps the
//! adapters identical where the databases agree without `sqlx::Any` or generic bounds.
//! Everything that differs between the databases stays in the adapter crates (the job
//! claim `claim_next`, `LeaderStore`, connection settings); the architecture test reads
//! these files and fails if they name a backend or import a crate above the storage layer.
//!
//! One file per storage area, each implementing its trait of `rampart_store` directly;
//! this file holds the shared plumbing and `rows.rs` the column decoding helpers.

mod apps;
mod audit;
mod blackouts;
mod connectors;
mod console;
mod coverage;
mod engines;
mod evaluations;
mod files;
mod identity;
mod inventory;
mod jobs;
mod oauth;
mod plus;
mod reports;
mod rows;
mod scan_configs;
mod scans;
mod schedules;
mod templates;
mod tenancy;
mod vulns;
mod webhooks;

use super::{unavailable, Db, DIALECT, QB, RELAXED_COMMIT};
use rampart_domain::time::to_micros;
use rampart_domain::*;
use rampart_store::{ListRequest, Page, StoreError, StoreResult, Visibility};
use sea_query::{Alias, Expr, Query, SelectStatement, SimpleExpr};
use sea_query_binder::SqlxBinder;

pub(crate) type Row = <Db as sqlx::Database>::Row;
pub(crate) type Tx<'a> = sqlx::Transaction<'a, Db>;

/// The store over a connection pool for reads and one for writes (the same pool where
/// the database handles concurrent writers itself).
#[derive(Clone, Debug)]
pub struct SqlStore {
    pub(crate) pool: sqlx::Pool<Db>,
    pub(crate) writer: sqlx::Pool<Db>,
    /// Connections holding a session advisory lock per background duty (`try_lead`,
    /// PostgreSQL only).
    #[allow(dead_code)]
    pub(crate) leads: std::sync::Arc<
        tokio::sync::Mutex<std::collections::HashMap<String, <Db as sqlx::Database>::Connection>>,
    >,
    /// Values kept alive as long as the store (test support: the guard that drops a test's
    /// PostgreSQL schema when its store goes away).
    #[allow(dead_code)]
    pub(crate) held: Vec<std::sync::Arc<dyn std::any::Any + Send + Sync>>,
}

impl SqlStore {
    pub fn from_pool(pool: sqlx::Pool<Db>) -> Self {
        Self {
            writer: pool.clone(),
            pool,
            leads: Default::default(),
            held: Vec::new(),
        }
    }

    /// Reads on `pool`, every write statement and transaction on `writer`.
    pub fn with_writer(pool: sqlx::Pool<Db>, writer: sqlx::Pool<Db>) -> Self {
        Self {
            pool,
            writer,
            leads: Default::default(),
            held: Vec::new(),
        }
    }

    /// Keeps `value` alive as long as this store (and its clones).
    pub fn hold(mut self, value: std::sync::Arc<dyn std::any::Any + Send + Sync>) -> Self {
        self.held.push(value);
        self
    }

    pub(crate) fn writer(&self) -> &sqlx::Pool<Db> {
        &self.writer
    }

    pub fn pool(&self) -> &sqlx::Pool<Db> {
        &self.pool
    }

    pub(crate) async fn exec<S: SqlxBinder>(&self, stmt: &S) -> StoreResult<u64> {
        let (sql, values) = stmt.build_sqlx(QB);
        let r = sqlx::query_with(&sql, values)
            .execute(&self.writer)
            .await
            .map_err(map_err)?;
        Ok(r.rows_affected())
    }

    pub(crate) async fn all(&self, stmt: &SelectStatement) -> StoreResult<Vec<Row>> {
        let (sql, values) = stmt.build_sqlx(QB);
        sqlx::query_with(&sql, values)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)
    }

    pub(crate) async fn optional(&self, stmt: &SelectStatement) -> StoreResult<Option<Row>> {
        let (sql, values) = stmt.build_sqlx(QB);
        sqlx::query_with(&sql, values)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)
    }

    pub(crate) async fn one(&self, stmt: &SelectStatement) -> StoreResult<Row> {
        self.optional(stmt).await?.ok_or(StoreError::NotFound)
    }

    pub(crate) async fn begin(&self) -> StoreResult<Tx<'static>> {
        self.writer.begin().await.map_err(map_err)
    }

    /// One page of `select` (already filtered) and the total, ordered by the requested
    /// sort (or `default_sort`) with the id as a final tie-breaker.
    pub(crate) async fn page<T>(
        &self,
        select: SelectStatement,
        req: &ListRequest,
        default_sort: rampart_query::ResourceType,
        decode: fn(&Row) -> StoreResult<T>,
    ) -> StoreResult<Page<T>> {
        self.page_counted(select, req, default_sort, decode, None)
            .await
    }

    /// [`page`](Self::page) with the total already known (`Some`: no `COUNT(*)`).
    pub(crate) async fn page_counted<T>(
        &self,
        mut select: SelectStatement,
        req: &ListRequest,
        default_sort: rampart_query::ResourceType,
        decode: fn(&Row) -> StoreResult<T>,
        total: Option<u64>,
    ) -> StoreResult<Page<T>> {
        if let Some(q) = &req.filter {
            select.and_where(rampart_query::compile(q, DIALECT));
        }
        let total = match total {
            Some(n) => n,
            None => {
                let mut count = select.clone();
                count.clear_selects();
                count.expr(Expr::cust("COUNT(*)"));
                let n: i64 = sqlx::Row::try_get(&self.one(&count).await?, 0).map_err(map_err)?;
                u64::try_from(n).unwrap_or(0)
            }
        };

        let sort = if req.sort.is_empty() {
            default_sort.default_sort()
        } else {
            req.sort.clone()
        };
        for key in &sort {
            key.apply(&mut select, DIALECT);
        }
        // A total order, so pages never overlap: the id breaks ties (default sorts end with it).
        let id_key = default_sort.id_sort_key();
        if sort.last().map(|k| k.field_name()) != Some(id_key.field_name()) {
            id_key.apply(&mut select, DIALECT);
        }
        select
            .limit(req.size)
            .offset(req.index.saturating_mul(req.size));
        let items = self
            .all(&select)
            .await?
            .iter()
            .map(decode)
            .collect::<StoreResult<_>>()?;
        Ok(Page { items, total })
    }
}

pub(crate) async fn tx_exec<S: SqlxBinder>(tx: &mut Tx<'_>, stmt: &S) -> StoreResult<u64> {
    let (sql, values) = stmt.build_sqlx(QB);
    let r = sqlx::query_with(&sql, values)
        .execute(&mut **tx)
        .await
        .map_err(map_err)?;
    Ok(r.rows_affected())
}

pub(crate) async fn tx_optional(
    tx: &mut Tx<'_>,
    stmt: &SelectStatement,
) -> StoreResult<Option<Row>> {
    let (sql, values) = stmt.build_sqlx(QB);
    sqlx::query_with(&sql, values)
        .fetch_optional(&mut **tx)
        .await
        .map_err(map_err)
}

pub(crate) async fn tx_all(tx: &mut Tx<'_>, stmt: &SelectStatement) -> StoreResult<Vec<Row>> {
    let (sql, values) = stmt.build_sqlx(QB);
    sqlx::query_with(&sql, values)
        .fetch_all(&mut **tx)
        .await
        .map_err(map_err)
}

pub(crate) async fn commit(tx: Tx<'_>) -> StoreResult<()> {
    tx.commit().await.map_err(map_err)
}

pub(crate) fn a(s: &str) -> Alias {
    Alias::new(s)
}

/// `table.column`, for conditions.
pub(crate) fn c(table: &str, column: &str) -> Expr {
    Expr::col((a(table), a(column)))
}

pub(crate) fn t(ts: chrono::DateTime<chrono::Utc>) -> SimpleExpr {
    to_micros(ts).into()
}

/// The insert of a scan's one row of `table` (`scan_id`, `org_id`, `columns`, `updated_at`),
/// replacing the row the scan already has: execution details and coverage, each rewritten
/// by the engine's latest heartbeat.
pub(crate) fn replace_scan_row(
    table: &str,
    org: OrgId,
    scan: ScanId,
    columns: &[&str],
    values: Vec<SimpleExpr>,
    now: chrono::DateTime<chrono::Utc>,
) -> StoreResult<sea_query::InsertStatement> {
    let mut update: Vec<&str> = columns.to_vec();
    update.push("updated_at");
    let mut cols = vec!["scan_id", "org_id"];
    cols.extend_from_slice(&update);
    let mut row = vec![scan.0.into(), org.0.into()];
    row.extend(values);
    row.push(t(now));
    Ok(Query::insert()
        .into_table(a(table))
        .columns(cols.into_iter().map(a))
        .values(row)
        .map_err(insert_err)?
        .on_conflict(
            sea_query::OnConflict::column(a("scan_id"))
                .update_columns(update.into_iter().map(a))
                .to_owned(),
        )
        .to_owned())
}

/// `column = 'value'` with the value written into the statement, not bound: the predicate
/// of a partial index (`WHERE status = 'pending'`) is only used by a query whose condition
/// names the same constant, which a bound parameter is not (SQLite never; PostgreSQL not
/// in a generic plan). `value` is one of our own enum spellings, never user input.
pub(crate) fn is_constant(table: &str, column: &str, value: &'static str) -> SimpleExpr {
    assert!(
        value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_'),
        "{value} is not a plain constant"
    );
    c(table, column).eq(Expr::cust(format!("'{value}'")))
}

/// The row `id` of the tenant, for updates and deletes.
pub(crate) fn by_id(org: OrgId, id: uuid::Uuid) -> [SimpleExpr; 2] {
    [Expr::col(a("org_id")).eq(org.0), Expr::col(a("id")).eq(id)]
}

/// A select of `columns` from `table` within the tenant.
pub(crate) fn select(table: &str, columns: &[&str], org: OrgId) -> SelectStatement {
    let mut s = Query::select();
    s.columns(columns.iter().map(|col| (a(table), a(col))))
        .from(a(table));
    s.and_where(c(table, "org_id").eq(org.0));
    s
}

/// Rows of `table` whose app (`app_column`) the caller may see: the principal is a member
/// of the app, or one of its identity groups is (`app_members` holds group ids too), or one
/// of its groups is granted a tag the app carries (`group_tag_grants`). The one place the
/// rule is written; every app-scoped read of every area calls it.
pub(crate) fn visible(table: &str, app_column: &str, vis: &Visibility) -> Option<SimpleExpr> {
    let Visibility::MemberOf(p) = vis else {
        return None;
    };
    let groups = || {
        Query::select()
            .column(a("group_id"))
            .from(a("group_members"))
            .and_where(Expr::col(a("principal_id")).eq(p.0))
            .to_owned()
    };
    let member = Query::select()
        .expr(Expr::val(1))
        .from(a("app_members"))
        .and_where(c("app_members", "app_id").equals((a(table), a(app_column))))
        .and_where(
            c("app_members", "principal_id")
                .eq(p.0)
                .or(c("app_members", "principal_id").in_subquery(groups())),
        )
        .to_owned();
    let by_tag = Query::select()
        .expr(Expr::val(1))
        .from(a("app_tags"))
        .inner_join(
            a("group_tag_grants"),
            c("group_tag_grants", "tag_id").equals((a("app_tags"), a("tag_id"))),
        )
        .and_where(c("app_tags", "app_id").equals((a(table), a(app_column))))
        .and_where(c("group_tag_grants", "group_id").in_subquery(groups()))
        .to_owned();
    Some(Expr::exists(member).or(Expr::exists(by_tag)))
}

pub(crate) fn map_err(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict("an object with the same unique value already exists".into())
        }
        // SQLite reports an ON DELETE RESTRICT violation with the generic trigger code.
        sqlx::Error::Database(db)
            if db.is_foreign_key_violation() || db.message().contains("FOREIGN KEY constraint") =>
        {
            StoreError::Conflict("the object is still referenced by another object".into())
        }
        // "Not now" rather than "never" (the client gets 503 and may retry): which codes
        // mean that is each adapter's `unavailable`.
        sqlx::Error::Database(db) => match unavailable(db.as_ref()) {
            Some(reason) => StoreError::Unavailable(reason.to_string()),
            None => StoreError::Backend(db.to_string()),
        },
        // The connection broke, or none could be had in time: the server is away.
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => {
            StoreError::Unavailable(rampart_store::DATABASE_AWAY.to_string())
        }
        other => StoreError::Backend(other.to_string()),
    }
}

pub(crate) fn insert_err(e: sea_query::error::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

/// `NotFound` when an update or delete touched no row.
pub(crate) fn touched(n: u64) -> StoreResult<()> {
    if n == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}
