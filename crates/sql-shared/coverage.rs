//! Scan coverage: one row per scan, replaced by the engine's last heartbeat.

use super::rows::get;
use super::*;
use rampart_domain::job::Coverage;
use rampart_store::CoverageStore;
use std::collections::BTreeMap;

const COLUMNS: &[&str] = &["limits_reached", "limit_details", "dropped", "abandoned"];

fn lines(v: &[String]) -> SimpleExpr {
    serde_json::Value::from(v.to_vec()).to_string().into()
}

fn counts(m: &BTreeMap<String, u64>) -> SimpleExpr {
    let o: serde_json::Map<String, serde_json::Value> =
        m.iter().map(|(k, n)| (k.clone(), (*n).into())).collect();
    serde_json::Value::Object(o).to_string().into()
}

fn value(r: &Row, col: &str) -> StoreResult<serde_json::Value> {
    serde_json::from_str(&get::<String>(r, col)?)
        .map_err(|e| StoreError::Backend(format!("scan coverage column {col}: {e}")))
}

fn parse_lines(r: &Row, col: &str) -> StoreResult<Vec<String>> {
    let v = value(r, col)?;
    let items = v.as_array().cloned().unwrap_or_default();
    Ok(items
        .iter()
        .filter_map(|x| x.as_str().map(String::from))
        .collect())
}

fn parse_counts(r: &Row, col: &str) -> StoreResult<BTreeMap<String, u64>> {
    let v = value(r, col)?;
    let items = v.as_object().cloned().unwrap_or_default();
    Ok(items
        .iter()
        .filter_map(|(k, n)| Some((k.clone(), n.as_u64()?)))
        .collect())
}

#[async_trait::async_trait]
impl CoverageStore for SqlStore {
    async fn save_scan_coverage(
        &self,
        org: OrgId,
        scan: ScanId,
        c: &Coverage,
        now: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()> {
        self.scan_exists(org, scan).await?;
        let q = replace_scan_row(
            "scan_coverage",
            org,
            scan,
            COLUMNS,
            vec![
                lines(&c.limits_reached),
                lines(&c.limit_details),
                counts(&c.dropped),
                counts(&c.abandoned),
            ],
            now,
        )?;
        self.exec(&q).await.map(|_| ())
    }

    async fn find_scan_coverage(&self, org: OrgId, scan: ScanId) -> StoreResult<Option<Coverage>> {
        let mut q = select("scan_coverage", COLUMNS, org);
        q.and_where(c("scan_coverage", "scan_id").eq(scan.0));
        let Some(r) = self.optional(&q).await? else {
            return Ok(None);
        };
        Ok(Some(Coverage {
            limits_reached: parse_lines(&r, "limits_reached")?,
            limit_details: parse_lines(&r, "limit_details")?,
            dropped: parse_counts(&r, "dropped")?,
            abandoned: parse_counts(&r, "abandoned")?,
        }))
    }
}
