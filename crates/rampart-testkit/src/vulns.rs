//! Vulnerability fixtures: scans and findings written through the store (the engine and
//! worker path is tested elsewhere).

use crate::{sample_catalogue, TestApp};
use chrono::{TimeZone, Utc};
use rampart_domain::*;

/// 2026-01-02 03:{minute}:00 UTC, a fixed time for snapshots.
pub fn fx_time(minute: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 2, 3, minute, 0)
        .single()
        .unwrap_or_default()
}

/// A finding of the sample catalogue's first module (SQL injection) at `url`, with one
/// variance (attack `SQLI_01`) and its exchange.
pub fn fx_finding(url: &str, parameter: Option<&str>, severity: Severity, minute: u32) -> Finding {
    Finding {
        module: sample_catalogue()[0].id,
        root_cause: RootCause {
            url: url.into(),
            parameter: parameter.map(Into::into),
            method: "GET".into(),
        },
        severity,
        vulnerability_score: Some(7.5),
        discovered: fx_time(minute),
        vector_string: Some("AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N".into()),
        variances: vec![Variance {
            original_value: Some("1".into()),
            attack_id: "SQLI_01".into(),
            attack_value: Some("1'".into()),
            message: Some("SQL error in the response".into()),
            proof: Some("You have an error in your SQL syntax".into()),
            proof_description: Some("a database error message".into()),
            attack_exchanges: vec![Exchange {
                request: format!("GET {url}?id=1' HTTP/1.1\r\nHost: shop.test\r\n\r\n"),
                response:
                    "HTTP/1.1 500 Internal Server Error\r\n\r\nYou have an error in your SQL syntax"
                        .into(),
            }],
            ..Variance::default()
        }],
    }
}

impl TestApp {
    /// A completed scan of `app` (submitted by the Product Admin user) that found `findings`.
    pub async fn fx_scan_with_findings(&self, app: AppId, findings: &[Finding]) -> ScanId {
        let org = self.keys.admin.org();
        let scan = Scan {
            id: ScanId::new(),
            org,
            app,
            scan_config: ScanConfigId::new(),
            submitter: Submitter {
                kind: SubmitterType::User,
                id: self.keys.admin.id().0,
            },
            submit_time: fx_time(0),
            completion_time: Some(fx_time(30)),
            status: ScanStatus::Complete,
            failure_reason: None,
            scan_type: ScanType::Regular,
            parent: None,
            vulnerability_ids: Vec::new(),
        };
        self.store()
            .create_scan(&scan, None, &[])
            .await
            .expect("create scan");
        self.store()
            .ingest_findings(org, scan.id, "fixture", findings)
            .await
            .expect("ingest findings");
        scan.id
    }

    /// One HIGH SQL-injection vulnerability of `app` (found by a fresh scan); returns it.
    pub async fn fx_vulnerability(&self, app: AppId) -> (ScanId, Vulnerability) {
        let url = format!("http://shop.test/{}", self.unique("item"));
        let scan = self
            .fx_scan_with_findings(app, &[fx_finding(&url, Some("id"), Severity::High, 1)])
            .await;
        let page = self
            .store()
            .list_vulnerabilities(
                self.keys.admin.org(),
                &rampart_store::Visibility::All,
                &rampart_store::ListRequest {
                    filter: Some(
                        rampart_query::parse_query(
                            rampart_query::ResourceType::Vulnerability,
                            &format!("vulnerability.scans.id='{scan}'"),
                        )
                        .expect("query"),
                    ),
                    ..rampart_store::ListRequest::first(1)
                },
            )
            .await
            .expect("list vulnerabilities");
        (
            scan,
            page.items.into_iter().next().expect("a vulnerability"),
        )
    }
}
