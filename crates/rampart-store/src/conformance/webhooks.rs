//! Conformance checks for `WebhookStore`.

use super::*;
use crate::DeliveryResult;

pub(super) fn hook(org: OrgId, name: &str, events: Vec<WebhookEvent>) -> Webhook {
    Webhook {
        id: WebhookId::new(),
        org,
        name: name.into(),
        url: format!("https://{name}.example.test/hook"),
        events,
        status: WebhookStatus::Active,
        secret_sealed: format!("sealed-{name}"),
        created_at: at(1),
        updated_at: at(1),
    }
}

pub(super) fn delivery(w: &Webhook, minute: u32) -> WebhookDelivery {
    WebhookDelivery {
        id: WebhookDeliveryId::new(),
        org: w.org,
        webhook: w.id,
        event_id: uuid::Uuid::new_v4(),
        event: WebhookEvent::ScanCompleted,
        payload: format!(r#"{{"n":{minute}}}"#),
        status: DeliveryStatus::Pending,
        attempts: 0,
        next_attempt_at: at(minute),
        created_at: at(minute),
        last_attempt_at: None,
        response_status: None,
        last_error: None,
        delivered_at: None,
        replay_of: None,
    }
}

pub async fn webhooks_crud_and_tenants(s: &dyn Store) {
    let o = org(s, "o").await;
    let other = org(s, "other").await;
    let mut w = hook(o, "b", vec![WebhookEvent::ScanCompleted]);
    let a = hook(o, "a", vec![WebhookEvent::PolicyFailed]);
    s.create_webhook(&w).await.unwrap();
    s.create_webhook(&a).await.unwrap();
    assert_eq!(s.get_webhook(o, w.id).await.unwrap(), w);
    assert!(is_not_found(s.get_webhook(other, w.id).await));
    let names: Vec<String> = s
        .list_webhooks(o)
        .await
        .unwrap()
        .into_iter()
        .map(|x| x.name)
        .collect();
    assert_eq!(names, ["a", "b"]);
    assert!(s.list_webhooks(other).await.unwrap().is_empty());
    w.events = vec![WebhookEvent::ScanCompleted, WebhookEvent::SlaBreached];
    w.status = WebhookStatus::Disabled;
    w.secret_sealed = "sealed-new".into();
    w.updated_at = at(2);
    s.update_webhook(&w).await.unwrap();
    assert_eq!(s.get_webhook(o, w.id).await.unwrap(), w);
    let mut foreign = w.clone();
    foreign.org = other;
    assert!(is_not_found(s.update_webhook(&foreign).await));
    // Deleting a subscription deletes its deliveries.
    let d = delivery(&w, 3);
    s.enqueue_deliveries(std::slice::from_ref(&d))
        .await
        .unwrap();
    assert!(is_not_found(s.delete_webhook(other, w.id).await));
    s.delete_webhook(o, w.id).await.unwrap();
    assert!(is_not_found(s.get_webhook(o, w.id).await));
    assert!(is_not_found(s.get_delivery(o, w.id, d.id).await));
    assert!(s
        .claim_delivery("x", at(59), at(59))
        .await
        .unwrap()
        .is_none());
}

pub async fn webhook_outbox_claims_are_exclusive_and_leases_expire(s: &dyn Store) {
    let o = org(s, "o").await;
    let other = org(s, "other").await;
    let w = hook(o, "w", vec![WebhookEvent::ScanCompleted]);
    s.create_webhook(&w).await.unwrap();
    let early = delivery(&w, 5);
    let late = delivery(&w, 20);
    s.enqueue_deliveries(&[late.clone(), early.clone()])
        .await
        .unwrap();
    // Nothing is due before its time.
    assert!(s.claim_delivery("a", at(4), at(6)).await.unwrap().is_none());
    let c = s
        .claim_delivery("a", at(10), at(12))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.delivery.id, early.id);
    assert_eq!(c.delivery.attempts, 1);
    assert_eq!(c.url, w.url);
    assert_eq!(c.secret_sealed, w.secret_sealed);
    assert_eq!(c.webhook_status, WebhookStatus::Active);
    // Leased: nobody else takes it, the later one is not due yet.
    assert!(s
        .claim_delivery("b", at(11), at(13))
        .await
        .unwrap()
        .is_none());
    // The lease expired (its owner died): another sender takes it, and the dead owner
    // can no longer record a try.
    let again = s
        .claim_delivery("b", at(13), at(15))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.delivery.id, early.id);
    assert_eq!(again.delivery.attempts, 2);
    let retry = DeliveryResult {
        status: DeliveryStatus::Pending,
        at: at(14),
        next_attempt_at: at(30),
        response_status: Some(503),
        error: Some("the receiver answered 503".into()),
    };
    assert!(is_not_found(s.finish_delivery(early.id, "a", &retry).await));
    s.finish_delivery(early.id, "b", &retry).await.unwrap();
    let logged = s.get_delivery(o, w.id, early.id).await.unwrap();
    assert_eq!(logged.status, DeliveryStatus::Pending);
    assert_eq!(logged.response_status, Some(503));
    assert_eq!(logged.last_attempt_at, Some(at(14)));
    assert_eq!(logged.next_attempt_at, at(30));
    // Freed by the try: due again at 30, after the later one (due at 20).
    let c = s
        .claim_delivery("c", at(25), at(27))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.delivery.id, late.id);
    let done = DeliveryResult {
        status: DeliveryStatus::Delivered,
        at: at(26),
        next_attempt_at: at(26),
        response_status: Some(204),
        error: None,
    };
    s.finish_delivery(late.id, "c", &done).await.unwrap();
    assert!(s
        .claim_delivery("c", at(29), at(31))
        .await
        .unwrap()
        .is_none());
    let c = s
        .claim_delivery("c", at(31), at(33))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.delivery.id, early.id);
    let failed = DeliveryResult {
        status: DeliveryStatus::Failed,
        ..retry
    };
    s.finish_delivery(early.id, "c", &failed).await.unwrap();
    // Finished deliveries are never claimed again.
    assert!(s
        .claim_delivery("d", at(59), at(59))
        .await
        .unwrap()
        .is_none());
    // The log: newest first, paged, per tenant.
    let log = s.list_deliveries(o, w.id, 10, 0).await.unwrap();
    let ids: Vec<WebhookDeliveryId> = log.iter().map(|d| d.id).collect();
    assert_eq!(ids, [late.id, early.id]);
    assert_eq!(log[0].status, DeliveryStatus::Delivered);
    assert_eq!(log[0].delivered_at, Some(at(26)));
    assert_eq!(log[1].status, DeliveryStatus::Failed);
    assert_eq!(log[1].attempts, 3);
    assert_eq!(log[1].delivered_at, None);
    assert_eq!(
        s.list_deliveries(o, w.id, 1, 1).await.unwrap()[0].id,
        early.id
    );
    assert!(s
        .list_deliveries(other, w.id, 10, 0)
        .await
        .unwrap()
        .is_empty());
    assert!(is_not_found(s.get_delivery(other, w.id, early.id).await));
}
