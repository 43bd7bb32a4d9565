//! Conformance checks for vulnerability triage: variances, re-discovery, history,
//! comments, discoveries by id, remediation by verification scans.

use super::scans::queued_scan;
use super::{app, at, is_not_found, org, user};
use crate::{ListRequest, Store, Visibility};
use rampart_domain::*;
use rampart_query::{parse_sort, ResourceType};

fn finding(module: ModuleId, url: &str, parameter: Option<&str>, minute: u32) -> Finding {
    Finding {
        module,
        root_cause: RootCause {
            url: url.into(),
            parameter: parameter.map(Into::into),
            method: "GET".into(),
        },
        severity: Severity::High,
        vulnerability_score: Some(7.5),
        discovered: at(minute),
        vector_string: None,
        variances: Vec::new(),
    }
}

pub async fn findings_ingest_idempotently(s: &dyn Store) {
    let a = org(s, "a").await;
    let b = org(s, "b").await;
    let x = app(s, a, "shop", None).await;
    let first = queued_scan(s, a, x.id, 0).await;
    let second = queued_scan(s, a, x.id, 10).await;
    let sqli = ModuleId::new();
    let batch = [
        finding(sqli, "http://shop.test/item", Some("id"), 1),
        finding(sqli, "http://shop.test/item", None, 1),
    ];
    // The batch's deliveries are written in its transaction, built from its counts; a
    // duplicate batch writes none.
    let w = super::webhooks::hook(a, "batches", vec![WebhookEvent::VulnerabilityCreated]);
    s.create_webhook(&w).await.unwrap();
    let outbox = |c: &crate::IngestCounts| {
        let mut d = super::webhooks::delivery(&w, 2);
        d.payload = serde_json::json!({ "from": c.created_from, "app": c.app }).to_string();
        vec![d]
    };
    let c = s
        .ingest_findings_announced(a, first.id, "b-1", &batch, &outbox)
        .await
        .unwrap();
    assert_eq!((c.created.len(), c.discoveries), (2, 2));
    assert_eq!(c.created_from, vec![0, 1]);
    assert_eq!(c.app, Some(x.id));
    assert!(!c.duplicate_batch);
    let again = s
        .ingest_findings_announced(a, first.id, "b-1", &batch, &outbox)
        .await
        .unwrap();
    assert!(again.duplicate_batch);
    assert_eq!((again.created.len(), again.discoveries), (0, 0));
    let sent = s.list_deliveries(a, w.id, 10, 0).await.unwrap();
    assert_eq!(sent.len(), 1, "one delivery, from the first ingestion only");
    assert_eq!(
        sent[0].payload,
        serde_json::json!({ "from": [0, 1], "app": x.id }).to_string()
    );
    let all = ListRequest::first(50);
    let page = s
        .list_vulnerabilities(a, &Visibility::All, &all)
        .await
        .unwrap();
    assert_eq!(page.total, 2, "a duplicate batch changes nothing");

    // The second scan sees one of them again: a discovery, not a vulnerability.
    let seen = [finding(sqli, "http://shop.test/item", Some("id"), 11)];
    let c2 = s.ingest_findings(a, second.id, "b-1", &seen).await.unwrap();
    assert_eq!((c2.created.len(), c2.discoveries), (0, 1));
    let page = s
        .list_vulnerabilities(a, &Visibility::All, &all)
        .await
        .unwrap();
    assert_eq!(page.total, 2);
    let v = page
        .items
        .iter()
        .find(|v| v.root_cause.parameter.as_deref() == Some("id"))
        .expect("the parameter is kept");
    assert_eq!((v.first_discovered, v.last_discovered), (at(1), at(11)));
    assert_eq!(v.status, VulnStatus::Unreviewed);
    let ds = s.list_discoveries(a, v.id).await.unwrap();
    assert_eq!(
        ds.iter().map(|d| d.scan).collect::<Vec<_>>(),
        vec![second.id, first.id],
        "newest first"
    );
    assert_eq!(
        s.get_vulnerability(a, v.id, &Visibility::All)
            .await
            .unwrap(),
        *v
    );
    // What each scan discovered, as ids (the comparison of two scans).
    let mut both: Vec<_> = page.items.iter().map(|v| v.id).collect();
    both.sort();
    assert_eq!(
        s.list_scan_vulnerability_ids(a, first.id).await.unwrap(),
        both
    );
    assert_eq!(
        s.list_scan_vulnerability_ids(a, second.id).await.unwrap(),
        vec![v.id]
    );
    assert!(s
        .list_scan_vulnerability_ids(b, first.id)
        .await
        .unwrap()
        .is_empty());

    // Tenancy and visibility.
    assert!(is_not_found(
        s.get_vulnerability(b, v.id, &Visibility::All).await
    ));
    assert_eq!(
        s.list_vulnerabilities(b, &Visibility::All, &all)
            .await
            .unwrap()
            .total,
        0
    );
    assert!(s.list_discoveries(b, v.id).await.unwrap().is_empty());
    assert!(is_not_found(
        s.ingest_findings(b, first.id, "b-2", &seen).await
    ));
    let outsider = user(s, a, "out@a.test").await;
    let only = Visibility::MemberOf(outsider.id);
    assert!(is_not_found(s.get_vulnerability(a, v.id, &only).await));
    assert_eq!(
        s.list_vulnerabilities(a, &only, &all).await.unwrap().total,
        0
    );

    // Deleting the app deletes its vulnerabilities.
    s.delete_app(a, x.id).await.unwrap();
    assert!(is_not_found(
        s.get_vulnerability(a, v.id, &Visibility::All).await
    ));
}

fn variance(attack: &str) -> Variance {
    Variance {
        attack_id: attack.into(),
        attack_value: Some("' OR 1=1".into()),
        proof: Some("SQL syntax".into()),
        attack_exchanges: vec![Exchange {
            request: "GET /item?id=' HTTP/1.1\r\n\r\n".into(),
            response: "HTTP/1.1 500\r\n\r\nSQL syntax".into(),
        }],
        ..Variance::default()
    }
}

pub async fn vulnerabilities_rediscovery_and_reopen(s: &dyn Store) {
    let a = org(s, "a").await;
    let x = app(s, a, "shop", None).await;
    let first = queued_scan(s, a, x.id, 0).await;
    let second = queued_scan(s, a, x.id, 10).await;
    let third = queued_scan(s, a, x.id, 20).await;
    let m = ModuleId::new();
    let mut f = finding(m, "http://shop.test/item", Some("id"), 1);
    f.variances = vec![variance("SQLI_01"), variance("SQLI_02")];
    f.vector_string = Some("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N".into());
    s.ingest_findings(a, first.id, "1", std::slice::from_ref(&f))
        .await
        .unwrap();
    let page = s
        .list_vulnerabilities(a, &Visibility::All, &ListRequest::first(10))
        .await
        .unwrap();
    let v = page.items[0].clone();
    assert!(v.newly_discovered);
    assert_eq!(v.status, VulnStatus::Unreviewed);
    assert_eq!(v.variances.len(), 2);
    assert!(v.variances.iter().all(|x| !x.id.is_nil()), "variance ids");
    assert_eq!(
        v.variances[0].attack_exchanges,
        f.variances[0].attack_exchanges
    );
    assert_eq!(v.vector_string, f.vector_string);
    assert_eq!(v.updated_time, at(1));
    let again = s
        .get_vulnerability(a, v.id, &Visibility::All)
        .await
        .unwrap();
    assert_eq!(again.variances, v.variances, "variance ids are stable");

    // A later batch of the same scan adds variances, not a discovery.
    let mut same = f.clone();
    same.variances = vec![variance("SQLI_03")];
    let c = s.ingest_findings(a, first.id, "2", &[same]).await.unwrap();
    assert_eq!((c.created.len(), c.discoveries), (0, 0));
    let v1 = s
        .get_vulnerability(a, v.id, &Visibility::All)
        .await
        .unwrap();
    assert_eq!(v1.variances.len(), 3);
    assert!(v1.newly_discovered, "still only one scan found it");

    // Remediated, then found again by another scan: reopened, with history.
    s.update_vulnerability(
        a,
        v.id,
        None,
        Some(VulnStatus::Remediated),
        UpdateSource {
            kind: UpdateSourceType::User,
            id: PrincipalId::new().0,
        },
        at(5),
    )
    .await
    .unwrap();
    let mut later = finding(m, "http://shop.test/item", Some("id"), 11);
    later.variances = vec![variance("SQLI_09")];
    let c = s
        .ingest_findings(a, second.id, "1", &[later])
        .await
        .unwrap();
    assert_eq!((c.created.len(), c.discoveries), (0, 1));
    assert_eq!(c.reopened, vec![v.id], "the batch names what it reopened");
    let v2 = s
        .get_vulnerability(a, v.id, &Visibility::All)
        .await
        .unwrap();
    assert_eq!(v2.status, VulnStatus::Unreviewed, "reopened");
    assert!(!v2.newly_discovered);
    assert_eq!((v2.first_discovered, v2.last_discovered), (at(1), at(11)));
    assert_eq!(
        v2.variances.len(),
        1,
        "replaced by the new scan's variances"
    );
    assert_eq!(v2.variances[0].attack_id, "SQLI_09");
    let h = s.list_vulnerability_history(a, v.id).await.unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(h[1].source, UpdateSource::scan(second.id));
    assert_eq!(
        h[1].changes,
        vec![FieldChange {
            field: ChangeField::Status,
            previous: Some("REMEDIATED".into()),
            new: Some("UNREVIEWED".into()),
        }]
    );

    // FALSE_POSITIVE stays what it is.
    let user_src = UpdateSource {
        kind: UpdateSourceType::User,
        id: PrincipalId::new().0,
    };
    s.update_vulnerability(
        a,
        v.id,
        None,
        Some(VulnStatus::FalsePositive),
        user_src,
        at(12),
    )
    .await
    .unwrap();
    let c = s
        .ingest_findings(
            a,
            third.id,
            "1",
            &[finding(m, "http://shop.test/item", Some("id"), 21)],
        )
        .await
        .unwrap();
    assert_eq!(c.discoveries, 1);
    let v3 = s
        .get_vulnerability(a, v.id, &Visibility::All)
        .await
        .unwrap();
    assert_eq!(v3.status, VulnStatus::FalsePositive);
    assert_eq!(
        s.list_vulnerability_history(a, v.id).await.unwrap().len(),
        3
    );

    // Discoveries: by id, paged newest first, tenant-scoped.
    let req = ListRequest::first(2);
    let p = s.page_discoveries(a, v.id, &req).await.unwrap();
    assert_eq!(p.total, 3);
    assert_eq!(
        p.items.iter().map(|d| d.scan).collect::<Vec<_>>(),
        vec![third.id, second.id]
    );
    let d = s.get_discovery(a, v.id, p.items[0].id).await.unwrap();
    assert_eq!(d, p.items[0]);
    let b = org(s, "b").await;
    assert!(is_not_found(s.get_discovery(b, v.id, d.id).await));
    assert!(is_not_found(
        s.get_discovery(a, VulnerabilityId::new(), d.id).await
    ));
    assert!(is_not_found(s.page_discoveries(b, v.id, &req).await));

    // The VULNERABILITY_DISCOVERY search type: every visible discovery, filtered.
    let by_scan = ListRequest {
        filter: Some(
            rampart_query::parse_query(
                ResourceType::VulnerabilityDiscovery,
                &format!("vulnerabilitydiscovery.scan.id = '{}'", second.id),
            )
            .unwrap(),
        ),
        ..ListRequest::first(10)
    };
    let found = s
        .search_discoveries(a, &Visibility::All, &by_scan)
        .await
        .unwrap();
    assert_eq!(found.total, 1);
    assert_eq!(found.items[0].vulnerability, v.id);
    let all = s
        .search_discoveries(a, &Visibility::All, &ListRequest::first(10))
        .await
        .unwrap();
    assert_eq!(all.items[0].scan, third.id, "newest first by default");
    let outsider = user(s, a, "out@a.test").await;
    let only = Visibility::MemberOf(outsider.id);
    assert_eq!(
        s.search_discoveries(a, &only, &by_scan)
            .await
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        s.search_discoveries(b, &Visibility::All, &by_scan)
            .await
            .unwrap()
            .total,
        0
    );
}

pub async fn vulnerability_updates_record_history(s: &dyn Store) {
    let a = org(s, "a").await;
    let b = org(s, "b").await;
    let x = app(s, a, "shop", None).await;
    let sc = queued_scan(s, a, x.id, 0).await;
    s.ingest_findings(
        a,
        sc.id,
        "1",
        &[
            finding(ModuleId::new(), "http://shop.test/a", None, 1),
            finding(ModuleId::new(), "http://shop.test/b", None, 1),
        ],
    )
    .await
    .unwrap();
    let all = s
        .list_vulnerabilities(a, &Visibility::All, &ListRequest::first(10))
        .await
        .unwrap()
        .items;
    let v = &all[0];
    let who = UpdateSource {
        kind: UpdateSourceType::User,
        id: PrincipalId::new().0,
    };
    // Nothing changes: no history.
    let same = s
        .update_vulnerability(a, v.id, Some(v.severity), Some(v.status), who, at(5))
        .await
        .unwrap();
    assert_eq!(same, *v);
    assert!(s
        .list_vulnerability_history(a, v.id)
        .await
        .unwrap()
        .is_empty());
    // Only the status changes: one entry with one change.
    let got = s
        .update_vulnerability(
            a,
            v.id,
            Some(v.severity),
            Some(VulnStatus::Verified),
            who,
            at(6),
        )
        .await
        .unwrap();
    assert_eq!(
        (got.status, got.updated_time),
        (VulnStatus::Verified, at(6))
    );
    // Both change.
    s.update_vulnerability(
        a,
        v.id,
        Some(Severity::Critical),
        Some(VulnStatus::Ignored),
        who,
        at(7),
    )
    .await
    .unwrap();
    let h = s.list_vulnerability_history(a, v.id).await.unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!((h[0].create_time, h[0].source), (at(6), who));
    assert_eq!(h[0].changes.len(), 1);
    assert_eq!(h[1].changes.len(), 2);
    assert_eq!(h[1].changes[0].field, ChangeField::Severity);
    assert_eq!(h[1].changes[0].previous.as_deref(), Some("HIGH"));
    assert_eq!(h[1].changes[0].new.as_deref(), Some("CRITICAL"));
    assert!(is_not_found(
        s.update_vulnerability(b, v.id, Some(Severity::Low), None, who, at(8))
            .await
    ));
    assert!(is_not_found(s.list_vulnerability_history(b, v.id).await));

    // Severity sorts by rank, not alphabetically (CRITICAL > HIGH), both directions.
    let desc = ListRequest {
        sort: parse_sort(ResourceType::Vulnerability, "vulnerability.severity,DESC").unwrap(),
        ..ListRequest::first(10)
    };
    let items = s
        .list_vulnerabilities(a, &Visibility::All, &desc)
        .await
        .unwrap()
        .items;
    assert_eq!(items[0].id, v.id);
    assert_eq!(items[0].severity, Severity::Critical);
    let default = s
        .list_vulnerabilities(a, &Visibility::All, &ListRequest::first(10))
        .await
        .unwrap()
        .items;
    assert_eq!(default[0].id, v.id, "default sort: severity DESC");
    let asc = ListRequest {
        sort: parse_sort(ResourceType::Vulnerability, "vulnerability.severity").unwrap(),
        ..ListRequest::first(10)
    };
    let items = s
        .list_vulnerabilities(a, &Visibility::All, &asc)
        .await
        .unwrap()
        .items;
    assert_eq!(items[1].id, v.id);
    let filter = ListRequest {
        filter: Some(
            rampart_query::parse_query(
                ResourceType::Vulnerability,
                "vulnerability.severity > 'HIGH'",
            )
            .unwrap(),
        ),
        ..ListRequest::first(10)
    };
    let hits = s
        .list_vulnerabilities(a, &Visibility::All, &filter)
        .await
        .unwrap();
    assert_eq!(hits.total, 1, "range tests use the stored rank");
}

pub async fn vulnerability_comments_crud(s: &dyn Store) {
    let a = org(s, "a").await;
    let b = org(s, "b").await;
    let x = app(s, a, "shop", None).await;
    let sc = queued_scan(s, a, x.id, 0).await;
    s.ingest_findings(
        a,
        sc.id,
        "1",
        &[finding(ModuleId::new(), "http://shop.test/a", None, 1)],
    )
    .await
    .unwrap();
    let v = s
        .list_vulnerabilities(a, &Visibility::All, &ListRequest::first(1))
        .await
        .unwrap()
        .items[0]
        .clone();
    let alice = user(s, a, "alice@a.test").await;
    let bob = user(s, a, "bob@a.test").await;
    let mut ids = Vec::new();
    for (i, text) in ["first", "second", "third"].iter().enumerate() {
        let c = VulnerabilityComment {
            id: uuid::Uuid::new_v4(),
            org: a,
            vulnerability: v.id,
            author: alice.id,
            last_update_author: alice.id,
            content: (*text).into(),
            create_time: at(10 + i as u32),
            update_time: at(10 + i as u32),
        };
        s.create_vulnerability_comment(&c).await.unwrap();
        ids.push(c.id);
    }
    let mut foreign = VulnerabilityComment {
        id: uuid::Uuid::new_v4(),
        org: b,
        vulnerability: v.id,
        author: alice.id,
        last_update_author: alice.id,
        content: "x".into(),
        create_time: at(1),
        update_time: at(1),
    };
    assert!(is_not_found(s.create_vulnerability_comment(&foreign).await));
    foreign.org = a;
    foreign.vulnerability = VulnerabilityId::new();
    assert!(is_not_found(s.create_vulnerability_comment(&foreign).await));

    let page = s
        .list_vulnerability_comments(a, v.id, &ListRequest::first(2))
        .await
        .unwrap();
    assert_eq!(page.total, 3);
    assert_eq!(
        page.items
            .iter()
            .map(|c| c.content.as_str())
            .collect::<Vec<_>>(),
        vec!["first", "second"],
        "oldest first"
    );
    s.update_vulnerability_comment(a, v.id, ids[0], "edited", bob.id, at(30))
        .await
        .unwrap();
    let c = s.get_vulnerability_comment(a, v.id, ids[0]).await.unwrap();
    assert_eq!(
        (c.content.as_str(), c.author, c.last_update_author),
        ("edited", alice.id, bob.id)
    );
    assert_eq!((c.create_time, c.update_time), (at(10), at(30)));
    assert!(is_not_found(
        s.update_vulnerability_comment(b, v.id, ids[0], "x", bob.id, at(31))
            .await
    ));
    assert!(is_not_found(
        s.get_vulnerability_comment(b, v.id, ids[0]).await
    ));
    assert!(is_not_found(
        s.get_vulnerability_comment(a, VulnerabilityId::new(), ids[0])
            .await
    ));
    assert!(is_not_found(
        s.delete_vulnerability_comment(b, v.id, ids[0]).await
    ));
    s.delete_vulnerability_comment(a, v.id, ids[0])
        .await
        .unwrap();
    assert!(is_not_found(
        s.get_vulnerability_comment(a, v.id, ids[0]).await
    ));
    assert!(is_not_found(
        s.delete_vulnerability_comment(a, v.id, ids[0]).await
    ));
    assert!(is_not_found(
        s.list_vulnerability_comments(b, v.id, &ListRequest::first(2))
            .await
    ));
    // Comments go with the app.
    s.delete_app(a, x.id).await.unwrap();
    assert!(is_not_found(
        s.get_vulnerability_comment(a, v.id, ids[1]).await
    ));
}

pub async fn verification_scans_remediate_what_they_miss(s: &dyn Store) {
    let a = org(s, "a").await;
    let b = org(s, "b").await;
    let x = app(s, a, "shop", None).await;
    let parent = queued_scan(s, a, x.id, 0).await;
    let m = ModuleId::new();
    let urls = ["/fixed", "/still", "/fp", "/ignored", "/other"];
    let findings: Vec<Finding> = urls
        .iter()
        .map(|u| finding(m, &format!("http://shop.test{u}"), None, 1))
        .collect();
    s.ingest_findings(a, parent.id, "1", &findings[..4])
        .await
        .unwrap();
    // Found only by another scan: not the verification's business.
    let unrelated = queued_scan(s, a, x.id, 2).await;
    s.ingest_findings(a, unrelated.id, "1", &findings[4..])
        .await
        .unwrap();
    let by_url = |items: &[Vulnerability], u: &str| {
        items
            .iter()
            .find(|v| v.root_cause.url.ends_with(u))
            .map(|v| v.id)
            .unwrap()
    };
    let items = s
        .list_vulnerabilities(a, &Visibility::All, &ListRequest::first(10))
        .await
        .unwrap()
        .items;
    let who = UpdateSource {
        kind: UpdateSourceType::User,
        id: PrincipalId::new().0,
    };
    for (u, st) in [
        ("/fp", VulnStatus::FalsePositive),
        ("/ignored", VulnStatus::Ignored),
    ] {
        s.update_vulnerability(a, by_url(&items, u), None, Some(st), who, at(3))
            .await
            .unwrap();
    }
    let verify = queued_scan(s, a, x.id, 5).await;
    s.ingest_findings(a, verify.id, "1", &findings[1..2])
        .await
        .unwrap();
    assert!(is_not_found(
        s.remediate_unconfirmed(b, verify.id, parent.id, &[], at(9))
            .await
    ));
    // The `vulnerability.closed` deliveries are written with the remediation, built from
    // what it remediated; none when nothing was.
    let w = super::webhooks::hook(a, "closed", vec![WebhookEvent::VulnerabilityClosed]);
    s.create_webhook(&w).await.unwrap();
    let outbox = |fixed: &[VulnerabilityId]| {
        let mut d = super::webhooks::delivery(&w, 9);
        d.event = WebhookEvent::VulnerabilityClosed;
        d.payload = serde_json::json!({ "fixed": fixed }).to_string();
        vec![d]
    };
    let fixed = s
        .remediate_unconfirmed_announced(a, verify.id, parent.id, &[], at(9), &outbox)
        .await
        .unwrap();
    assert_eq!(fixed, vec![by_url(&items, "/fixed")]);
    let v = s
        .get_vulnerability(a, fixed[0], &Visibility::All)
        .await
        .unwrap();
    assert_eq!(v.status, VulnStatus::Remediated);
    let h = s.list_vulnerability_history(a, fixed[0]).await.unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].source, UpdateSource::scan(verify.id));
    assert_eq!(h[0].changes[0].previous.as_deref(), Some("UNREVIEWED"));
    for u in ["/still", "/fp", "/ignored", "/other"] {
        let v = s
            .get_vulnerability(a, by_url(&items, u), &Visibility::All)
            .await
            .unwrap();
        assert_ne!(v.status, VulnStatus::Remediated, "{u}");
    }
    // Running it again changes nothing (already remediated) and announces nothing.
    assert!(s
        .remediate_unconfirmed_announced(a, verify.id, parent.id, &[], at(10), &outbox)
        .await
        .unwrap()
        .is_empty());
    let payloads: Vec<String> = s
        .list_deliveries(a, w.id, 10, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.payload)
        .collect();
    assert_eq!(
        payloads,
        vec![serde_json::json!({ "fixed": fixed }).to_string()]
    );

    // A specialized scan re-checks only the listed ids.
    let parent2 = queued_scan(s, a, x.id, 20).await;
    s.ingest_findings(a, parent2.id, "1", &findings[..2])
        .await
        .unwrap();
    let fixed_id = by_url(&items, "/fixed");
    let still = by_url(&items, "/still");
    // /fixed was reopened by parent2; the specialized scan only targets /still.
    let special = queued_scan(s, a, x.id, 25).await;
    let got = s
        .remediate_unconfirmed(a, special.id, parent2.id, &[still], at(26))
        .await
        .unwrap();
    assert_eq!(got, vec![still]);
    let reopened = s
        .get_vulnerability(a, fixed_id, &Visibility::All)
        .await
        .unwrap();
    assert_eq!(
        reopened.status,
        VulnStatus::Unreviewed,
        "not targeted: untouched"
    );
}

/// A re-run of a scan (its job taken over after a crash) reports the same variances again
/// in new batches, with new ids and fresh random operands in the attack value and proof:
/// each is kept once. A variance made on another request is still added.
pub async fn a_rerun_adds_no_duplicate_variance(s: &dyn Store) {
    let a = org(s, "a").await;
    let x = app(s, a, "shop", None).await;
    let sc = queued_scan(s, a, x.id, 0).await;
    let m = ModuleId::new();
    let sighting = |product: &str, line: &str| Variance {
        id: uuid::Uuid::new_v4(),
        attack_id: "SSTI_01".into(),
        attack_value: Some(format!("{{{{{product}}}}}")),
        message: Some(format!("http://shop.test/item?name={{{{{product}}}}}")),
        proof: Some(format!("the product {product} was rendered")),
        original_exchange: Some(Exchange {
            request: format!("{line}\r\nHost: shop.test\r\nCookie: s={product}\r\n\r\n"),
            response: "HTTP/1.1 200 OK\r\n\r\nhello".into(),
        }),
        attack_exchanges: vec![Exchange {
            request: format!("GET /item?name={product} HTTP/1.1\r\n\r\n"),
            response: format!("HTTP/1.1 200 OK\r\n\r\n{product}"),
        }],
        ..Variance::default()
    };
    let with = |v: Variance| {
        let mut f = finding(m, "http://shop.test/item", Some("name"), 1);
        f.variances = vec![v];
        [f]
    };
    let first = sighting("1234*5678", "GET /item?name=bob HTTP/1.1");
    s.ingest_findings(a, sc.id, "run-1/batch-1", &with(first.clone()))
        .await
        .unwrap();
    // The re-run: another worker, other batch ids, other random operands.
    let rerun = sighting("4321*8765", "GET /item?name=bob HTTP/1.1");
    let c = s
        .ingest_findings(a, sc.id, "run-2/batch-1", &with(rerun))
        .await
        .unwrap();
    assert!(!c.duplicate_batch);
    assert_eq!((c.created.len(), c.discoveries), (0, 0));
    let page = s
        .list_vulnerabilities(a, &Visibility::All, &ListRequest::first(10))
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    let v = &page.items[0];
    assert_eq!(
        v.variances.len(),
        1,
        "the re-run's variance is the stored one"
    );
    assert_eq!(v.variances[0].id, first.id, "the first sighting is kept");
    // Another request (another original value) is another variance.
    let other = sighting("1111*2222", "GET /item?name=alice HTTP/1.1");
    s.ingest_findings(a, sc.id, "run-2/batch-2", &with(other))
        .await
        .unwrap();
    let v = s
        .get_vulnerability(a, v.id, &Visibility::All)
        .await
        .unwrap();
    assert_eq!(v.variances.len(), 2);
}

/// The list and the search by scan answer exactly what the general query answers (same
/// rows, same order, same `total`), including after a severity change, a scan deletion
/// and an app deletion: the stores may serve these shapes from maintained counts and a
/// severity-ordered index, which must never drift.
pub async fn vulnerability_pages_and_totals_stay_exact(s: &dyn Store) {
    use rampart_query::parse_query;
    let a = org(s, "a").await;
    let b = org(s, "b").await;
    let x = app(s, a, "shop", None).await;
    let y = app(s, a, "blog", None).await;
    let z = app(s, b, "other", None).await;
    // A member of both apps sees what the organization sees, through the general query.
    let member = user(s, a, "m@a.test").await;
    s.add_app_member(a, x.id, member.id).await.unwrap();
    s.add_app_member(a, y.id, member.id).await.unwrap();
    let general = Visibility::MemberOf(member.id);
    let first = queued_scan(s, a, x.id, 0).await;
    let second = queued_scan(s, a, x.id, 10).await;
    let blog = queued_scan(s, a, y.id, 20).await;
    let theirs = queued_scan(s, b, z.id, 30).await;
    let m = ModuleId::new();
    let severities = [
        Severity::Low,
        Severity::Critical,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
        Severity::Safe,
        Severity::Informational,
    ];
    let batch = |prefix: &str, n: usize| -> Vec<Finding> {
        (0..n)
            .map(|i| {
                let mut f = finding(m, &format!("http://{prefix}.test/{i}"), Some("id"), 1);
                f.severity = severities[i % severities.len()];
                f
            })
            .collect()
    };
    s.ingest_findings(a, first.id, "1", &batch("shop", 9))
        .await
        .unwrap();
    // The second scan finds six of the same and two new ones.
    let mut again = batch("shop", 6);
    again.extend(batch("shop-new", 2));
    s.ingest_findings(a, second.id, "1", &again).await.unwrap();
    s.ingest_findings(a, blog.id, "1", &batch("blog", 4))
        .await
        .unwrap();
    s.ingest_findings(b, theirs.id, "1", &batch("other", 5))
        .await
        .unwrap();

    let by_scan = |scan: ScanId, index: u64, size: u64| ListRequest {
        index,
        size,
        sort: Vec::new(),
        filter: Some(
            parse_query(
                ResourceType::Vulnerability,
                &format!("vulnerability.scans.id = '{}'", scan.0),
            )
            .unwrap(),
        ),
    };
    let plain = |index: u64, size: u64| ListRequest {
        index,
        size,
        sort: Vec::new(),
        filter: None,
    };
    let check = |expected: Vec<(ScanId, u64)>, list_total: u64| {
        let (expected, general) = (expected, general.clone());
        async move {
            for (scan, want) in expected {
                for (index, size) in [(0, 4), (1, 4), (0, 50)] {
                    let fast = s
                        .list_vulnerabilities(a, &Visibility::All, &by_scan(scan, index, size))
                        .await
                        .unwrap();
                    let slow = s
                        .list_vulnerabilities(a, &general, &by_scan(scan, index, size))
                        .await
                        .unwrap();
                    assert_eq!(fast.total, want, "total of scan {scan}");
                    assert_eq!(fast, slow, "search by scan {scan} page {index}/{size}");
                }
            }
            for (index, size) in [(0, 5), (2, 5), (0, 50)] {
                let fast = s
                    .list_vulnerabilities(a, &Visibility::All, &plain(index, size))
                    .await
                    .unwrap();
                let slow = s
                    .list_vulnerabilities(a, &general, &plain(index, size))
                    .await
                    .unwrap();
                assert_eq!(fast.total, list_total, "list total");
                assert_eq!(fast, slow, "list page {index}/{size}");
            }
        }
    };
    check(
        vec![(first.id, 9), (second.id, 8), (blog.id, 4), (theirs.id, 0)],
        15,
    )
    .await;
    let ranks: Vec<Severity> = s
        .list_vulnerabilities(a, &Visibility::All, &by_scan(second.id, 0, 50))
        .await
        .unwrap()
        .items
        .iter()
        .map(|v| v.severity)
        .collect();
    let mut sorted = ranks.clone();
    sorted.sort_by_key(|s| std::cmp::Reverse(rampart_domain::severity_rank(*s)));
    assert_eq!(ranks, sorted, "severity DESC");

    // A triage moves a vulnerability in every scan's order.
    let lowest = s
        .list_vulnerabilities(a, &Visibility::All, &by_scan(first.id, 0, 50))
        .await
        .unwrap()
        .items
        .last()
        .cloned()
        .unwrap();
    let who = UpdateSource {
        kind: UpdateSourceType::User,
        id: member.id.0,
    };
    s.update_vulnerability(a, lowest.id, Some(Severity::Critical), None, who, at(40))
        .await
        .unwrap();
    let top = s
        .list_vulnerabilities(a, &Visibility::All, &by_scan(first.id, 0, 50))
        .await
        .unwrap();
    assert!(top
        .items
        .iter()
        .take_while(|v| v.severity == Severity::Critical)
        .any(|v| v.id == lowest.id));
    check(vec![(first.id, 9), (second.id, 8)], 15).await;

    // Deleting a scan forgets its discoveries (not the vulnerabilities); deleting an app
    // forgets everything it owned.
    s.delete_scan(a, second.id).await.unwrap();
    check(vec![(first.id, 9), (second.id, 0)], 15).await;
    s.delete_app(a, x.id).await.unwrap();
    check(vec![(first.id, 0), (blog.id, 4)], 4).await;
    let other = s
        .list_vulnerabilities(b, &Visibility::All, &plain(0, 50))
        .await
        .unwrap();
    assert_eq!(other.total, 5, "another tenant's total is its own");
}
