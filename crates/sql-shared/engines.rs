//! Engine groups, engines, engine credentials and heartbeats.

use super::rows::get;
use super::*;
use rampart_domain::time::from_micros;
use rampart_query::ResourceType;
use rampart_store::EngineStore;
use sea_query::{Func, JoinType};
use sqlx::Row as _;

const GROUP_COLUMNS: &[&str] = &["id", "org_id", "name", "description", "created_at"];
const ENGINE_COLUMNS: &[&str] = &[
    "id",
    "org_id",
    "name",
    "engine_group_id",
    "auto_upgrade",
    "version",
    "last_heartbeat_at",
    "active_scans",
    "failure_reason",
    "upgrade_requested",
    "created_at",
];
const CREDENTIAL_COLUMNS: &[&str] = &[
    "engine_id",
    "org_id",
    "prefix",
    "token_hash",
    "sealed",
    "created_at",
];

/// `engine.status` in SQL: the rules of [`Engine::status`], in the same order.
fn status_sql(offline_before: chrono::DateTime<chrono::Utc>) -> SimpleExpr {
    let col = |name: &str| Expr::col(a(name));
    sea_query::CaseStatement::new()
        .case(
            col("last_heartbeat_at")
                .is_null()
                .or(col("last_heartbeat_at").lt(to_micros(offline_before))),
            "OFFLINE",
        )
        .case(col("failure_reason").is_not_null(), "FAILED")
        .case(col("upgrade_requested").eq(true), "UPGRADING")
        .case(col("active_scans").gt(0), "SCANNING")
        .finally("IDLE")
        .into()
}

fn group(r: &Row) -> StoreResult<EngineGroup> {
    Ok(EngineGroup {
        id: EngineGroupId(get(r, "id")?),
        org: OrgId(get(r, "org_id")?),
        name: get(r, "name")?,
        description: get(r, "description")?,
        created_at: from_micros(get(r, "created_at")?),
    })
}

fn engine(r: &Row) -> StoreResult<Engine> {
    let failure: Option<String> = get(r, "failure_reason")?;
    Ok(Engine {
        id: EngineId(get(r, "id")?),
        org: OrgId(get(r, "org_id")?),
        name: get(r, "name")?,
        group: get::<Option<uuid::Uuid>>(r, "engine_group_id")?.map(EngineGroupId),
        auto_upgrade: get(r, "auto_upgrade")?,
        version: get(r, "version")?,
        last_heartbeat: get::<Option<i64>>(r, "last_heartbeat_at")?.map(from_micros),
        active_scans: u32::try_from(get::<i32>(r, "active_scans")?).unwrap_or(0),
        failure_reason: failure
            .map(|f| {
                EngineFailureReason::parse(&f)
                    .ok_or_else(|| StoreError::Backend(format!("unexpected failure_reason '{f}'")))
            })
            .transpose()?,
        upgrade_requested: get(r, "upgrade_requested")?,
        created_at: from_micros(get(r, "created_at")?),
    })
}

fn credential(r: &Row) -> StoreResult<EngineCredential> {
    Ok(EngineCredential {
        engine: EngineId(get(r, "engine_id")?),
        org: OrgId(get(r, "org_id")?),
        prefix: get(r, "prefix")?,
        hash: get(r, "token_hash")?,
        sealed: get(r, "sealed")?,
        created_at: from_micros(get(r, "created_at")?),
    })
}

fn count(r: &Row) -> StoreResult<u64> {
    let n: i64 = r.try_get(0).map_err(map_err)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

fn credential_insert(c: &EngineCredential) -> StoreResult<sea_query::InsertStatement> {
    Ok(Query::insert()
        .into_table(a("engine_credentials"))
        .columns(CREDENTIAL_COLUMNS.iter().map(|x| a(x)))
        .values([
            c.engine.0.into(),
            c.org.0.into(),
            c.prefix.clone().into(),
            c.hash.clone().into(),
            c.sealed.clone().into(),
            t(c.created_at),
        ])
        .map_err(insert_err)?
        .to_owned())
}

fn active_scans(n: u32) -> SimpleExpr {
    i32::try_from(n).unwrap_or(i32::MAX).into()
}

/// The organization's engines with the derived `status` column, under the table's own
/// name so that compiled search conditions and sorts (`engines.status`,
/// `engines.engine_group_id`) apply to it unchanged.
fn engines_with_status(
    org: OrgId,
    offline_before: chrono::DateTime<chrono::Utc>,
) -> SelectStatement {
    let mut inner = select("engines", ENGINE_COLUMNS, org);
    inner.expr_as(status_sql(offline_before), a("status"));
    let mut outer = Query::select();
    outer
        .columns(ENGINE_COLUMNS.iter().map(|col| (a("engines"), a(col))))
        .from_subquery(inner, a("engines"));
    outer
}

#[async_trait::async_trait]
impl EngineStore for SqlStore {
    async fn create_engine_group(&self, g: &EngineGroup) -> StoreResult<()> {
        let q = Query::insert()
            .into_table(a("engine_groups"))
            .columns(GROUP_COLUMNS.iter().map(|x| a(x)))
            .values([
                g.id.0.into(),
                g.org.0.into(),
                g.name.clone().into(),
                g.description.clone().into(),
                t(g.created_at),
            ])
            .map_err(insert_err)?
            .to_owned();
        self.exec(&q).await.map(|_| ())
    }

    async fn get_engine_group(&self, org: OrgId, id: EngineGroupId) -> StoreResult<EngineGroup> {
        let q = select("engine_groups", GROUP_COLUMNS, org)
            .and_where(c("engine_groups", "id").eq(id.0))
            .to_owned();
        group(&self.one(&q).await?)
    }

    async fn update_engine_group(&self, g: &EngineGroup) -> StoreResult<()> {
        let q = Query::update()
            .table(a("engine_groups"))
            .values([
                (a("name"), g.name.clone().into()),
                (a("description"), g.description.clone().into()),
            ])
            .and_where(Expr::col(a("org_id")).eq(g.org.0))
            .and_where(Expr::col(a("id")).eq(g.id.0))
            .to_owned();
        touched(self.exec(&q).await?)
    }

    async fn delete_engine_group(&self, org: OrgId, id: EngineGroupId) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let in_use = |table: &str, column: &str| {
            let (sql, values) = Query::select()
                .expr(Expr::cust("COUNT(*)"))
                .from(a(table))
                .and_where(Expr::col(a("org_id")).eq(org.0))
                .and_where(Expr::col(a(column)).eq(id.0))
                .to_owned()
                .build_sqlx(QB);
            (sql, values)
        };
        let (sql, values) = in_use("engines", "engine_group_id");
        let engines = count(
            &sqlx::query_with(&sql, values)
                .fetch_one(&mut *tx)
                .await
                .map_err(map_err)?,
        )?;
        if engines > 0 {
            return Err(StoreError::Conflict(format!(
                "the engine group has {engines} engine(s); move them to another group or delete them first"
            )));
        }
        let (sql, values) = in_use("scan_configs", "assignment_id");
        let configs = count(
            &sqlx::query_with(&sql, values)
                .fetch_one(&mut *tx)
                .await
                .map_err(map_err)?,
        )?;
        if configs > 0 {
            return Err(StoreError::Conflict(format!(
                "{configs} scan config(s) are assigned to the engine group; assign them elsewhere first"
            )));
        }
        let q = Query::delete()
            .from_table(a("engine_groups"))
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("id")).eq(id.0))
            .to_owned();
        touched(tx_exec(&mut tx, &q).await?)?;
        commit(tx).await
    }

    async fn list_engine_groups(
        &self,
        org: OrgId,
        req: &ListRequest,
    ) -> StoreResult<Page<EngineGroup>> {
        let q = select("engine_groups", GROUP_COLUMNS, org);
        self.page(q, req, ResourceType::EngineGroup, group).await
    }

    async fn create_engine(&self, e: &Engine, cred: &EngineCredential) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let q = Query::insert()
            .into_table(a("engines"))
            .columns(ENGINE_COLUMNS.iter().map(|x| a(x)))
            .values([
                e.id.0.into(),
                e.org.0.into(),
                e.name.clone().into(),
                e.group.map(|g| g.0).into(),
                e.auto_upgrade.into(),
                e.version.clone().into(),
                e.last_heartbeat.map(to_micros).into(),
                active_scans(e.active_scans),
                e.failure_reason.map(|f| f.as_str()).into(),
                e.upgrade_requested.into(),
                t(e.created_at),
            ])
            .map_err(insert_err)?
            .to_owned();
        tx_exec(&mut tx, &q).await?;
        tx_exec(&mut tx, &credential_insert(cred)?).await?;
        commit(tx).await
    }

    async fn get_engine(&self, org: OrgId, id: EngineId) -> StoreResult<Engine> {
        let q = select("engines", ENGINE_COLUMNS, org)
            .and_where(c("engines", "id").eq(id.0))
            .to_owned();
        engine(&self.one(&q).await?)
    }

    async fn update_engine(&self, e: &Engine) -> StoreResult<()> {
        let q = Query::update()
            .table(a("engines"))
            .values([
                (a("name"), e.name.clone().into()),
                (a("engine_group_id"), e.group.map(|g| g.0).into()),
                (a("auto_upgrade"), e.auto_upgrade.into()),
            ])
            .and_where(Expr::col(a("org_id")).eq(e.org.0))
            .and_where(Expr::col(a("id")).eq(e.id.0))
            .to_owned();
        touched(self.exec(&q).await?)
    }

    async fn delete_engine(&self, org: OrgId, id: EngineId) -> StoreResult<()> {
        let q = Query::delete()
            .from_table(a("engines"))
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("id")).eq(id.0))
            .to_owned();
        touched(self.exec(&q).await?)
    }

    async fn list_engines(
        &self,
        org: OrgId,
        group: Option<EngineGroupId>,
        offline_before: chrono::DateTime<chrono::Utc>,
        req: &ListRequest,
    ) -> StoreResult<Page<Engine>> {
        let mut q = engines_with_status(org, offline_before);
        if let Some(g) = group {
            q.and_where(c("engines", "engine_group_id").eq(g.0));
        }
        self.page(q, req, ResourceType::Engine, engine).await
    }

    async fn count_online_engines(
        &self,
        org: OrgId,
        group: Option<EngineGroupId>,
        since: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<u64> {
        let mut q = Query::select();
        q.expr(Func::count(Expr::col(a("id"))))
            .from(a("engines"))
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("last_heartbeat_at")).gte(to_micros(since)));
        match group {
            Some(g) => q.and_where(Expr::col(a("engine_group_id")).eq(g.0)),
            None => q.and_where(Expr::col(a("engine_group_id")).is_null()),
        };
        count(&self.one(&q).await?)
    }

    async fn record_engine_heartbeat(
        &self,
        org: OrgId,
        id: EngineId,
        beat: &EngineBeat,
    ) -> StoreResult<()> {
        let mut values = vec![
            (a("last_heartbeat_at"), t(beat.at)),
            (a("active_scans"), active_scans(beat.active_scans)),
            (a("version"), beat.version.clone().into()),
            (
                a("failure_reason"),
                beat.failure_reason.map(|f| f.as_str()).into(),
            ),
        ];
        if beat.upgrade_settled {
            values.push((a("upgrade_requested"), false.into()));
        }
        let q = Query::update()
            .table(a("engines"))
            .values(values)
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("id")).eq(id.0))
            .to_owned();
        touched(self.exec(&q).await?)
    }

    async fn set_engine_upgrade_requested(
        &self,
        org: OrgId,
        id: EngineId,
        requested: bool,
    ) -> StoreResult<()> {
        let q = Query::update()
            .table(a("engines"))
            .values([(a("upgrade_requested"), requested.into())])
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("id")).eq(id.0))
            .to_owned();
        touched(self.exec(&q).await?)
    }

    async fn get_engine_credential(
        &self,
        org: OrgId,
        engine: EngineId,
    ) -> StoreResult<EngineCredential> {
        let q = select("engine_credentials", CREDENTIAL_COLUMNS, org)
            .and_where(c("engine_credentials", "engine_id").eq(engine.0))
            .to_owned();
        credential(&self.one(&q).await?)
    }

    async fn replace_engine_credential(&self, cred: &EngineCredential) -> StoreResult<()> {
        self.get_engine(cred.org, cred.engine).await?;
        let mut tx = self.begin().await?;
        let del = Query::delete()
            .from_table(a("engine_credentials"))
            .and_where(Expr::col(a("org_id")).eq(cred.org.0))
            .and_where(Expr::col(a("engine_id")).eq(cred.engine.0))
            .to_owned();
        tx_exec(&mut tx, &del).await?;
        tx_exec(&mut tx, &credential_insert(cred)?).await?;
        commit(tx).await
    }

    async fn delete_engine_credential(&self, org: OrgId, engine: EngineId) -> StoreResult<()> {
        let q = Query::delete()
            .from_table(a("engine_credentials"))
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("engine_id")).eq(engine.0))
            .to_owned();
        touched(self.exec(&q).await?)
    }

    async fn find_engine_by_token_hash(&self, hash: &str) -> StoreResult<Option<Engine>> {
        let mut q = Query::select();
        q.columns(ENGINE_COLUMNS.iter().map(|col| (a("engines"), a(col))))
            .from(a("engines"))
            .join(
                JoinType::InnerJoin,
                a("engine_credentials"),
                c("engine_credentials", "engine_id").equals((a("engines"), a("id"))),
            )
            .and_where(c("engine_credentials", "token_hash").eq(hash));
        self.optional(&q).await?.as_ref().map(engine).transpose()
    }
}
