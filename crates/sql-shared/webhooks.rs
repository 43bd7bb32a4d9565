//! AppSec+ webhooks and their outbox (`webhooks`, `webhook_deliveries`).

use super::rows::{en, get, opt_time, time};
use super::{a, c, commit, insert_err, map_err, select, t, tx_exec, Row, SqlStore};
use chrono::{DateTime, Utc};
use rampart_domain::time::to_micros;
use rampart_domain::*;
use rampart_store::{ClaimedDelivery, DeliveryResult, StoreError, StoreResult, WebhookStore};
use sea_query::{Expr, Order, Query, SimpleExpr};

const HOOK_COLUMNS: &[&str] = &[
    "id",
    "org_id",
    "name",
    "url",
    "events",
    "status",
    "secret_sealed",
    "created_at",
    "updated_at",
];

const DELIVERY_COLUMNS: &[&str] = &[
    "id",
    "org_id",
    "webhook_id",
    "event_id",
    "event_type",
    "payload",
    "status",
    "attempts",
    "next_attempt_at",
    "created_at",
    "last_attempt_at",
    "response_status",
    "last_error",
    "delivered_at",
    "replay_of",
];

fn events(w: &Webhook) -> String {
    let names: Vec<&str> = w.events.iter().map(|e| e.as_str()).collect();
    serde_json::Value::from(names).to_string()
}

fn hook(r: &Row) -> StoreResult<Webhook> {
    let names: Vec<String> = serde_json::from_str(&get::<String>(r, "events")?)
        .map_err(|e| StoreError::Backend(format!("webhooks.events: {e}")))?;
    Ok(Webhook {
        id: WebhookId(get(r, "id")?),
        org: OrgId(get(r, "org_id")?),
        name: get(r, "name")?,
        url: get(r, "url")?,
        events: names
            .iter()
            .filter_map(|n| WebhookEvent::parse(n))
            .collect(),
        status: en(r, "status", WebhookStatus::parse)?,
        secret_sealed: get(r, "secret_sealed")?,
        created_at: time(r, "created_at")?,
        updated_at: time(r, "updated_at")?,
    })
}

fn delivery(r: &Row) -> StoreResult<WebhookDelivery> {
    Ok(WebhookDelivery {
        id: WebhookDeliveryId(get(r, "id")?),
        org: OrgId(get(r, "org_id")?),
        webhook: WebhookId(get(r, "webhook_id")?),
        event_id: get(r, "event_id")?,
        event: en(r, "event_type", WebhookEvent::parse)?,
        payload: get(r, "payload")?,
        status: en(r, "status", DeliveryStatus::parse)?,
        attempts: get(r, "attempts")?,
        next_attempt_at: time(r, "next_attempt_at")?,
        created_at: time(r, "created_at")?,
        last_attempt_at: opt_time(r, "last_attempt_at")?,
        response_status: get(r, "response_status")?,
        last_error: get(r, "last_error")?,
        delivered_at: opt_time(r, "delivered_at")?,
        replay_of: get::<Option<uuid::Uuid>>(r, "replay_of")?.map(WebhookDeliveryId),
    })
}

/// Pending, due at `now`, and not leased (or its lease expired).
fn claimable(now: DateTime<Utc>) -> SimpleExpr {
    super::is_constant(
        "webhook_deliveries",
        "status",
        DeliveryStatus::Pending.as_str(),
    )
    .and(Expr::col(a("next_attempt_at")).lte(to_micros(now)))
    .and(
        Expr::col(a("lease_owner"))
            .is_null()
            .or(Expr::col(a("lease_expires_at")).lt(to_micros(now))),
    )
}

pub(crate) fn delivery_insert(d: &WebhookDelivery) -> StoreResult<sea_query::InsertStatement> {
    Ok(Query::insert()
        .into_table(a("webhook_deliveries"))
        .columns(DELIVERY_COLUMNS.iter().map(|x| a(x)))
        .values([
            d.id.0.into(),
            d.org.0.into(),
            d.webhook.0.into(),
            d.event_id.into(),
            d.event.as_str().into(),
            d.payload.clone().into(),
            d.status.as_str().into(),
            d.attempts.into(),
            t(d.next_attempt_at),
            t(d.created_at),
            d.last_attempt_at.map(to_micros).into(),
            d.response_status.into(),
            d.last_error.clone().into(),
            d.delivered_at.map(to_micros).into(),
            d.replay_of.map(|r| r.0).into(),
        ])
        .map_err(insert_err)?
        .to_owned())
}

#[async_trait::async_trait]
impl WebhookStore for SqlStore {
    async fn create_webhook(&self, w: &Webhook) -> StoreResult<()> {
        let q = Query::insert()
            .into_table(a("webhooks"))
            .columns(HOOK_COLUMNS.iter().map(|x| a(x)))
            .values([
                w.id.0.into(),
                w.org.0.into(),
                w.name.clone().into(),
                w.url.clone().into(),
                events(w).into(),
                w.status.as_str().into(),
                w.secret_sealed.clone().into(),
                t(w.created_at),
                t(w.updated_at),
            ])
            .map_err(insert_err)?
            .to_owned();
        self.exec(&q).await.map(|_| ())
    }

    async fn get_webhook(&self, org: OrgId, id: WebhookId) -> StoreResult<Webhook> {
        let mut q = select("webhooks", HOOK_COLUMNS, org);
        q.and_where(c("webhooks", "id").eq(id.0));
        hook(&self.one(&q).await?)
    }

    async fn list_webhooks(&self, org: OrgId) -> StoreResult<Vec<Webhook>> {
        let mut q = select("webhooks", HOOK_COLUMNS, org);
        q.order_by((a("webhooks"), a("name")), Order::Asc)
            .order_by((a("webhooks"), a("id")), Order::Asc);
        self.all(&q).await?.iter().map(hook).collect()
    }

    async fn update_webhook(&self, w: &Webhook) -> StoreResult<()> {
        let q = Query::update()
            .table(a("webhooks"))
            .values([
                (a("name"), w.name.clone().into()),
                (a("url"), w.url.clone().into()),
                (a("events"), events(w).into()),
                (a("status"), w.status.as_str().into()),
                (a("secret_sealed"), w.secret_sealed.clone().into()),
                (a("updated_at"), t(w.updated_at)),
            ])
            .and_where(Expr::col(a("org_id")).eq(w.org.0))
            .and_where(Expr::col(a("id")).eq(w.id.0))
            .to_owned();
        super::touched(self.exec(&q).await?)
    }

    async fn delete_webhook(&self, org: OrgId, id: WebhookId) -> StoreResult<()> {
        let q = Query::delete()
            .from_table(a("webhooks"))
            .and_where(Expr::col(a("org_id")).eq(org.0))
            .and_where(Expr::col(a("id")).eq(id.0))
            .to_owned();
        super::touched(self.exec(&q).await?)
    }

    async fn enqueue_deliveries(&self, deliveries: &[WebhookDelivery]) -> StoreResult<()> {
        if deliveries.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin().await?;
        for d in deliveries {
            tx_exec(&mut tx, &delivery_insert(d)?).await?;
        }
        commit(tx).await
    }

    async fn claim_delivery(
        &self,
        owner: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> StoreResult<Option<ClaimedDelivery>> {
        // A lost race (another sender took the candidate first) tries the next one.
        for _ in 0..8 {
            let candidate = Query::select()
                .column(a("id"))
                .from(a("webhook_deliveries"))
                .and_where(claimable(now))
                .order_by(a("next_attempt_at"), Order::Asc)
                .order_by(a("id"), Order::Asc)
                .limit(1)
                .to_owned();
            let Some(row) = self.optional(&candidate).await? else {
                return Ok(None);
            };
            let id: uuid::Uuid = get(&row, "id")?;
            let take = Query::update()
                .table(a("webhook_deliveries"))
                .values([
                    (a("lease_owner"), owner.into()),
                    (a("lease_expires_at"), t(until)),
                    (a("attempts"), Expr::col(a("attempts")).add(1)),
                ])
                .and_where(Expr::col(a("id")).eq(id))
                .and_where(claimable(now))
                .to_owned();
            if self.exec(&take).await? != 1 {
                continue;
            }
            let mut q = Query::select();
            q.columns(
                DELIVERY_COLUMNS
                    .iter()
                    .map(|col| (a("webhook_deliveries"), a(col))),
            )
            .expr_as(c("webhooks", "url"), a("hook_url"))
            .expr_as(c("webhooks", "secret_sealed"), a("hook_secret"))
            .expr_as(c("webhooks", "status"), a("hook_status"))
            .from(a("webhook_deliveries"))
            .inner_join(
                a("webhooks"),
                c("webhooks", "id").equals((a("webhook_deliveries"), a("webhook_id"))),
            )
            .and_where(c("webhook_deliveries", "id").eq(id));
            // Read on the writer: the reader may not see the claim yet.
            let (sql, values) = sea_query_binder::SqlxBinder::build_sqlx(&q, super::QB);
            let r = sqlx::query_with(&sql, values)
                .fetch_optional(self.writer())
                .await
                .map_err(map_err)?;
            // The subscription was deleted meanwhile (its deliveries with it).
            let Some(r) = r else { continue };
            return Ok(Some(ClaimedDelivery {
                delivery: delivery(&r)?,
                url: get(&r, "hook_url")?,
                secret_sealed: get(&r, "hook_secret")?,
                webhook_status: en(&r, "hook_status", WebhookStatus::parse)?,
            }));
        }
        Ok(None)
    }

    async fn finish_delivery(
        &self,
        id: WebhookDeliveryId,
        owner: &str,
        result: &DeliveryResult,
    ) -> StoreResult<()> {
        let delivered = (result.status == DeliveryStatus::Delivered).then(|| to_micros(result.at));
        let q = Query::update()
            .table(a("webhook_deliveries"))
            .values([
                (a("status"), result.status.as_str().into()),
                (a("next_attempt_at"), t(result.next_attempt_at)),
                (a("last_attempt_at"), t(result.at)),
                (a("response_status"), result.response_status.into()),
                (a("last_error"), result.error.clone().into()),
                (a("delivered_at"), delivered.into()),
                (a("lease_owner"), Option::<String>::None.into()),
                (a("lease_expires_at"), Option::<i64>::None.into()),
            ])
            .and_where(Expr::col(a("id")).eq(id.0))
            .and_where(Expr::col(a("lease_owner")).eq(owner))
            .to_owned();
        super::touched(self.exec(&q).await?)
    }

    async fn get_delivery(
        &self,
        org: OrgId,
        webhook: WebhookId,
        id: WebhookDeliveryId,
    ) -> StoreResult<WebhookDelivery> {
        let mut q = select("webhook_deliveries", DELIVERY_COLUMNS, org);
        q.and_where(c("webhook_deliveries", "webhook_id").eq(webhook.0))
            .and_where(c("webhook_deliveries", "id").eq(id.0));
        delivery(&self.one(&q).await?)
    }

    async fn list_deliveries(
        &self,
        org: OrgId,
        webhook: WebhookId,
        limit: u64,
        offset: u64,
    ) -> StoreResult<Vec<WebhookDelivery>> {
        let mut q = select("webhook_deliveries", DELIVERY_COLUMNS, org);
        q.and_where(c("webhook_deliveries", "webhook_id").eq(webhook.0))
            .order_by((a("webhook_deliveries"), a("created_at")), Order::Desc)
            .order_by((a("webhook_deliveries"), a("id")), Order::Desc)
            .limit(limit)
            .offset(offset);
        self.all(&q).await?.iter().map(delivery).collect()
    }
}
