//! Two scans of one scan config compared (new, fixed, unchanged vulnerabilities), and the
//! new/fixed trend of recent scans. The rule is [`diff`]: what the later scan discovered
//! and the earlier did not is new, the reverse is fixed; server reports use it too.

use crate::{require, Problem, Service, ServiceError, ServiceResult};
use rampart_domain::*;
use rampart_query::ResourceType;
use rampart_store::{ListRequest, Visibility};
use std::collections::BTreeSet;

/// New, fixed and unchanged vulnerability ids between an earlier and a later scan, each
/// ascending.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScanDiff {
    pub new: Vec<VulnerabilityId>,
    pub fixed: Vec<VulnerabilityId>,
    pub unchanged: Vec<VulnerabilityId>,
}

/// The one rule of new / fixed / unchanged.
pub fn diff(
    before: impl IntoIterator<Item = VulnerabilityId>,
    after: impl IntoIterator<Item = VulnerabilityId>,
) -> ScanDiff {
    let before: BTreeSet<_> = before.into_iter().collect();
    let after: BTreeSet<_> = after.into_iter().collect();
    ScanDiff {
        new: after.difference(&before).copied().collect(),
        fixed: before.difference(&after).copied().collect(),
        unchanged: after.intersection(&before).copied().collect(),
    }
}

/// Two scans of one config, the earlier first, and what changed between them.
#[derive(Clone, Debug)]
pub struct ScanComparison {
    pub earlier: Scan,
    pub later: Scan,
    pub diff: ScanDiff,
}

/// One completed scan of the trend and what changed since the previous completed scan of
/// its config (`previous: None`: its first, everything found is new).
#[derive(Clone, Debug)]
pub struct TrendEntry {
    pub scan: Scan,
    pub previous: Option<ScanId>,
    pub new: u64,
    pub fixed: u64,
}

impl Service {
    /// Compares two scans of one scan config (in either order; the earlier submitted is
    /// the base). 422 when they are of different configs.
    pub async fn compare_scans(
        &self,
        p: &Principal,
        a: ScanId,
        b: ScanId,
    ) -> ServiceResult<ScanComparison> {
        require(p, Resource::Vulnerabilities, Action::Read)?;
        let (a, b) = (self.get_scan(p, a).await?, self.get_scan(p, b).await?);
        if a.scan_config != b.scan_config {
            return Err(ServiceError::invalid(vec![Problem::property(
                "scans",
                "compare two scans of the same scan config",
            )]));
        }
        let (earlier, later) = if (b.submit_time, b.id) < (a.submit_time, a.id) {
            (b, a)
        } else {
            (a, b)
        };
        let diff = diff(
            self.store
                .list_scan_vulnerability_ids(p.org, earlier.id)
                .await?,
            self.store
                .list_scan_vulnerability_ids(p.org, later.id)
                .await?,
        );
        Ok(ScanComparison {
            earlier,
            later,
            diff,
        })
    }

    /// The latest completed scan of `scan`'s config submitted before it, if any.
    pub(crate) async fn previous_complete_scan(
        &self,
        org: OrgId,
        vis: &Visibility,
        scan: &Scan,
    ) -> ServiceResult<Option<Scan>> {
        let q = format!(
            "scan.scan_config.id = '{}' && scan.status = 'COMPLETE' && scan.submit_time < '{}'",
            scan.scan_config,
            scan.submit_time
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
        );
        let req = ListRequest {
            filter: Some(
                rampart_query::parse_query(ResourceType::Scan, &q)
                    .map_err(|e| ServiceError::Internal(e.message))?,
            ),
            sort: rampart_query::parse_sort(ResourceType::Scan, "scan.submit_time,DESC")
                .map_err(|e| ServiceError::Internal(e.message))?,
            ..ListRequest::first(1)
        };
        Ok(self
            .store
            .list_scans(org, vis, &req)
            .await?
            .items
            .into_iter()
            .next())
    }

    /// New and fixed per each of the last `n` completed scans the caller sees, newest first.
    pub async fn scan_trend(&self, p: &Principal, n: u64) -> ServiceResult<Vec<TrendEntry>> {
        require(p, Resource::Scans, Action::Read)?;
        require(p, Resource::Vulnerabilities, Action::Read)?;
        let vis = Visibility::of(p);
        let req = ListRequest {
            filter: Some(
                rampart_query::parse_query(ResourceType::Scan, "scan.status = 'COMPLETE'")
                    .map_err(|e| ServiceError::Internal(e.message))?,
            ),
            sort: rampart_query::parse_sort(ResourceType::Scan, "scan.submit_time,DESC")
                .map_err(|e| ServiceError::Internal(e.message))?,
            ..ListRequest::first(n)
        };
        let scans = self.store.list_scans(p.org, &vis, &req).await?.items;
        let mut out = Vec::with_capacity(scans.len());
        for scan in scans {
            let after = self
                .store
                .list_scan_vulnerability_ids(p.org, scan.id)
                .await?;
            let previous = self.previous_complete_scan(p.org, &vis, &scan).await?;
            let before = match &previous {
                Some(prev) => {
                    self.store
                        .list_scan_vulnerability_ids(p.org, prev.id)
                        .await?
                }
                None => Vec::new(),
            };
            let d = diff(before, after);
            out.push(TrendEntry {
                previous: previous.map(|s| s.id),
                new: d.new.len() as u64,
                fixed: d.fixed.len() as u64,
                scan,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_fixed_and_unchanged_are_set_differences() {
        let ids: Vec<VulnerabilityId> = (0..4).map(|_| VulnerabilityId::new()).collect();
        let d = diff([ids[0], ids[1], ids[2]], [ids[1], ids[2], ids[3]]);
        assert_eq!(d.new, vec![ids[3]]);
        assert_eq!(d.fixed, vec![ids[0]]);
        let mut same = vec![ids[1], ids[2]];
        same.sort();
        assert_eq!(d.unchanged, same);
        assert_eq!(diff([], [ids[0]]).new, vec![ids[0]]);
    }
}
