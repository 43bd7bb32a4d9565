//! SQL shared by the SQLite and PostgreSQL adapters.
//!
//! This directory is not a crate: each adapter includes it with `#[path]` after
//! defining `Db` (its sqlx database), `QB` (its sea-query builder) and `DIALECT`. The
//! same source is therefore compiled twice against concrete types, which keeps the
//! adapters identical where the databases agree without `sqlx::Any` or generic bounds.
//! Everything that differs between the databases stays in the adapter crates.

mod apps;
mod engines;
mod inventory;
mod jobs;
mod rows;
mod scans;
mod templates;
mod tenancy;
mod vulns;

use super::{Db, DIALECT, QB};
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
}

impl SqlStore {
    pub fn from_pool(pool: sqlx::Pool<Db>) -> Self {
        Self {
            writer: pool.clone(),
            pool,
            leads: Default::default(),
        }
    }

    /// Reads on `pool`, every write statement and transaction on `writer`.
    pub fn with_writer(pool: sqlx::Pool<Db>, writer: sqlx::Pool<Db>) -> Self {
        Self {
            pool,
            writer,
            leads: Default::default(),
        }
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
        mut select: SelectStatement,
        req: &ListRequest,
        default_sort: rampart_query::ResourceType,
        decode: fn(&Row) -> StoreResult<T>,
    ) -> StoreResult<Page<T>> {
        if let Some(q) = &req.filter {
            select.and_where(rampart_query::compile(q, DIALECT));
        }
        let mut count = select.clone();
        count.clear_selects();
        count.expr(Expr::cust("COUNT(*)"));
        let total: i64 = sqlx::Row::try_get(&self.one(&count).await?, 0).map_err(map_err)?;

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
        Ok(Page {
            items,
            total: u64::try_from(total).unwrap_or(0),
        })
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

/// A select of `columns` from `table` within the tenant.
pub(crate) fn select(table: &str, columns: &[&str], org: OrgId) -> SelectStatement {
    let mut s = Query::select();
    s.columns(columns.iter().map(|col| (a(table), a(col))))
        .from(a(table));
    s.and_where(c(table, "org_id").eq(org.0));
    s
}

/// Rows of `table` whose app (`app_column`) the caller may see.
pub(crate) fn visible(table: &str, app_column: &str, vis: &Visibility) -> Option<SimpleExpr> {
    let Visibility::MemberOf(p) = vis else {
        return None;
    };
    let groups = Query::select()
        .column(a("group_id"))
        .from(a("group_members"))
        .and_where(Expr::col(a("principal_id")).eq(p.0))
        .to_owned();
    let grant = Query::select()
        .expr(Expr::val(1))
        .from(a("app_members"))
        .and_where(c("app_members", "app_id").equals((a(table), a(app_column))))
        .and_where(
            c("app_members", "principal_id")
                .eq(p.0)
                .or(c("app_members", "principal_id").in_subquery(groups)),
        )
        .to_owned();
    Some(Expr::exists(grant))
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

#[async_trait::async_trait]
impl rampart_store::Store for SqlStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn create_org(&self, org: &Organization) -> StoreResult<()> {
        self.create_org_impl(org).await
    }
    async fn get_org(&self, id: OrgId) -> StoreResult<Organization> {
        self.get_org_impl(id).await
    }
    async fn find_org_by_name(&self, name: &str) -> StoreResult<Option<Organization>> {
        self.find_org_by_name_impl(name).await
    }
    async fn count_orgs(&self) -> StoreResult<u64> {
        self.count_orgs_impl().await
    }
    async fn create_user(&self, user: &User) -> StoreResult<()> {
        self.create_user_impl(user).await
    }
    async fn get_user(&self, org: OrgId, id: PrincipalId) -> StoreResult<User> {
        self.get_user_impl(org, id).await
    }
    async fn find_user_by_email(&self, org: OrgId, email: &str) -> StoreResult<Option<User>> {
        self.find_user_by_email_impl(org, email).await
    }
    async fn create_api_key(&self, key: &ApiKey) -> StoreResult<()> {
        self.create_api_key_impl(key).await
    }
    async fn find_api_key_by_hash(&self, hash: &str) -> StoreResult<Option<ApiKey>> {
        self.find_api_key_by_hash_impl(hash).await
    }

    async fn create_app(&self, app: &App, member: Option<PrincipalId>) -> StoreResult<()> {
        self.create_app_impl(app, member).await
    }
    async fn get_app(&self, org: OrgId, id: AppId, vis: &Visibility) -> StoreResult<App> {
        self.get_app_impl(org, id, vis).await
    }
    async fn update_app(&self, app: &App) -> StoreResult<()> {
        self.update_app_impl(app).await
    }
    async fn delete_app(&self, org: OrgId, id: AppId) -> StoreResult<()> {
        self.delete_app_impl(org, id).await
    }
    async fn list_apps(
        &self,
        org: OrgId,
        vis: &Visibility,
        req: &ListRequest,
    ) -> StoreResult<Page<App>> {
        self.list_apps_impl(org, vis, req).await
    }
    async fn list_app_members(&self, org: OrgId, app: AppId) -> StoreResult<Vec<PrincipalId>> {
        self.list_app_members_impl(org, app).await
    }
    async fn add_app_member(&self, org: OrgId, app: AppId, p: PrincipalId) -> StoreResult<()> {
        self.add_app_member_impl(org, app, p).await
    }
    async fn remove_app_member(&self, org: OrgId, app: AppId, p: PrincipalId) -> StoreResult<()> {
        self.remove_app_member_impl(org, app, p).await
    }
    async fn list_app_tags(&self, org: OrgId, app: AppId) -> StoreResult<Vec<Tag>> {
        self.list_app_tags_impl(org, app).await
    }
    async fn add_app_tag(&self, org: OrgId, app: AppId, tag: TagId) -> StoreResult<()> {
        self.add_app_tag_impl(org, app, tag).await
    }
    async fn remove_app_tag(&self, org: OrgId, app: AppId, tag: TagId) -> StoreResult<()> {
        self.remove_app_tag_impl(org, app, tag).await
    }

    async fn create_target(&self, x: &Target) -> StoreResult<()> {
        self.create_target_impl(x).await
    }
    async fn get_target(&self, org: OrgId, id: TargetId) -> StoreResult<Target> {
        self.get_target_impl(org, id).await
    }
    async fn update_target(&self, x: &Target) -> StoreResult<()> {
        self.update_target_impl(x).await
    }
    async fn delete_target(&self, org: OrgId, id: TargetId) -> StoreResult<()> {
        self.delete_target_impl(org, id).await
    }
    async fn list_targets(&self, org: OrgId, req: &ListRequest) -> StoreResult<Page<Target>> {
        self.list_targets_impl(org, req).await
    }

    async fn create_tag(&self, x: &Tag) -> StoreResult<()> {
        self.create_tag_impl(x).await
    }
    async fn get_tag(&self, org: OrgId, id: TagId) -> StoreResult<Tag> {
        self.get_tag_impl(org, id).await
    }
    async fn update_tag(&self, x: &Tag) -> StoreResult<()> {
        self.update_tag_impl(x).await
    }
    async fn delete_tag(&self, org: OrgId, id: TagId, cascade: bool) -> StoreResult<()> {
        self.delete_tag_impl(org, id, cascade).await
    }
    async fn list_tags(&self, org: OrgId, req: &ListRequest) -> StoreResult<Page<Tag>> {
        self.list_tags_impl(org, req).await
    }

    async fn create_attack_template(
        &self,
        x: &AttackTemplate,
        m: &[AttackModule],
    ) -> StoreResult<()> {
        self.create_attack_template_impl(x, m).await
    }
    async fn get_attack_template(
        &self,
        org: OrgId,
        id: AttackTemplateId,
    ) -> StoreResult<AttackTemplate> {
        self.get_attack_template_impl(org, id).await
    }
    async fn update_attack_template(&self, x: &AttackTemplate) -> StoreResult<()> {
        self.update_attack_template_impl(x).await
    }
    async fn delete_attack_template(&self, org: OrgId, id: AttackTemplateId) -> StoreResult<()> {
        self.delete_attack_template_impl(org, id).await
    }
    async fn list_attack_templates(
        &self,
        org: OrgId,
        req: &ListRequest,
    ) -> StoreResult<Page<AttackTemplate>> {
        self.list_attack_templates_impl(org, req).await
    }
    async fn list_attack_modules(
        &self,
        org: OrgId,
        tpl: AttackTemplateId,
    ) -> StoreResult<Vec<AttackModule>> {
        self.list_attack_modules_impl(org, tpl).await
    }
    async fn get_attack_module(
        &self,
        org: OrgId,
        tpl: AttackTemplateId,
        id: AttackModuleId,
    ) -> StoreResult<AttackModule> {
        self.get_attack_module_impl(org, tpl, id).await
    }
    async fn create_attack_module(&self, org: OrgId, m: &AttackModule) -> StoreResult<()> {
        self.create_attack_module_impl(org, m).await
    }
    async fn update_attack_module(&self, org: OrgId, m: &AttackModule) -> StoreResult<()> {
        self.update_attack_module_impl(org, m).await
    }
    async fn delete_attack_module(
        &self,
        org: OrgId,
        tpl: AttackTemplateId,
        id: AttackModuleId,
    ) -> StoreResult<()> {
        self.delete_attack_module_impl(org, tpl, id).await
    }

    async fn create_scan_config(&self, x: &ScanConfig) -> StoreResult<()> {
        self.create_scan_config_impl(x).await
    }
    async fn get_scan_config(
        &self,
        org: OrgId,
        id: ScanConfigId,
        vis: &Visibility,
    ) -> StoreResult<ScanConfig> {
        self.get_scan_config_impl(org, id, vis).await
    }
    async fn update_scan_config(&self, x: &ScanConfig) -> StoreResult<()> {
        self.update_scan_config_impl(x).await
    }
    async fn delete_scan_config(&self, org: OrgId, id: ScanConfigId) -> StoreResult<()> {
        self.delete_scan_config_impl(org, id).await
    }
    async fn list_scan_configs(
        &self,
        org: OrgId,
        vis: &Visibility,
        req: &ListRequest,
    ) -> StoreResult<Page<ScanConfig>> {
        self.list_scan_configs_impl(org, vis, req).await
    }
}
