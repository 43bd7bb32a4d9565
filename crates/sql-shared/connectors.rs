//! AppSec+ integration connectors (`connectors`).

use super::rows::{en, get, opt_time, time};
use super::{a, c, insert_err, select, t, Row, SqlStore};
use rampart_domain::*;
use rampart_store::{ConnectorStore, StoreError, StoreResult};
use sea_query::{Expr, Order, Query, SimpleExpr};

const COLUMNS: &[&str] = &[
    "id",
    "org_id",
    "name",
    "type",
    "status",
    "config",
    "secrets_sealed",
    "secret_names",
    "last_sync_at",
    "last_error_at",
    "last_error",
    "created_at",
    "updated_at",
];

fn json_err(col: &str) -> impl Fn(serde_json::Error) -> StoreError + '_ {
    move |e| StoreError::Backend(format!("connectors.{col}: {e}"))
}

fn opt_t(v: Option<chrono::DateTime<chrono::Utc>>) -> SimpleExpr {
    v.map_or_else(|| Option::<i64>::None.into(), t)
}

fn connector(r: &Row) -> StoreResult<Connector> {
    Ok(Connector {
        id: ConnectorId(get(r, "id")?),
        org: OrgId(get(r, "org_id")?),
        name: get(r, "name")?,
        kind_type: get(r, "type")?,
        status: en(r, "status", ConnectorStatus::parse)?,
        config: serde_json::from_str(&get::<String>(r, "config")?).map_err(json_err("config"))?,
        secrets_sealed: get(r, "secrets_sealed")?,
        secret_names: serde_json::from_str(&get::<String>(r, "secret_names")?)
            .map_err(json_err("secret_names"))?,
        last_sync_at: opt_time(r, "last_sync_at")?,
        last_error_at: opt_time(r, "last_error_at")?,
        last_error: get(r, "last_error")?,
        created_at: time(r, "created_at")?,
        updated_at: time(r, "updated_at")?,
    })
}

/// The written columns after `id` and `org_id`, in [`COLUMNS`] order.
fn values(x: &Connector) -> StoreResult<Vec<SimpleExpr>> {
    Ok(vec![
        x.name.clone().into(),
        x.kind_type.clone().into(),
        x.status.as_str().into(),
        serde_json::Value::Object(x.config.clone())
            .to_string()
            .into(),
        x.secrets_sealed.clone().into(),
        serde_json::to_string(&x.secret_names)
            .map_err(json_err("secret_names"))?
            .into(),
        opt_t(x.last_sync_at),
        opt_t(x.last_error_at),
        x.last_error.clone().into(),
        t(x.created_at),
        t(x.updated_at),
    ])
}

#[async_trait::async_trait]
impl ConnectorStore for SqlStore {
    async fn create_connector(&self, x: &Connector) -> StoreResult<()> {
        let mut row: Vec<SimpleExpr> = vec![x.id.0.into(), x.org.0.into()];
        row.extend(values(x)?);
        let q = Query::insert()
            .into_table(a("connectors"))
            .columns(COLUMNS.iter().map(|x| a(x)))
            .values(row)
            .map_err(insert_err)?
            .to_owned();
        self.exec(&q).await.map(|_| ())
    }

    async fn get_connector(&self, org: OrgId, id: ConnectorId) -> StoreResult<Connector> {
        let mut q = select("connectors", COLUMNS, org);
        q.and_where(c("connectors", "id").eq(id.0));
        connector(&self.one(&q).await?)
    }

    async fn list_connectors(&self, org: OrgId) -> StoreResult<Vec<Connector>> {
        let mut q = select("connectors", COLUMNS, org);
        q.order_by((a("connectors"), a("name")), Order::Asc);
        self.all(&q).await?.iter().map(connector).collect()
    }

    async fn update_connector(&self, x: &Connector) -> StoreResult<()> {
        let written = values(x)?;
        let mut q = Query::update();
        q.table(a("connectors"))
            .and_where(Expr::col(a("org_id")).eq(x.org.0))
            .and_where(Expr::col(a("id")).eq(x.id.0));
        for (col, v) in COLUMNS[2..].iter().zip(written) {
            if *col != "created_at" {
                q.value(a(col), v);
            }
        }
        super::touched(self.exec(&q).await?)
    }

    async fn delete_connector(&self, org: OrgId, id: ConnectorId) -> StoreResult<()> {
        let q = Query::delete()
            .from_table(a("connectors"))
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("id")).eq(id.0))
            .to_owned();
        super::touched(self.exec(&q).await?)
    }
}
