//! Scan configurations.

use crate::{ListRequest, Page, StoreResult, Visibility};
use async_trait::async_trait;
use rampart_domain::*;

/// Scan configurations; reads honour the [`Visibility`] of their app.
#[async_trait]
pub trait ScanConfigStore: Send + Sync {
    async fn create_scan_config(&self, c: &ScanConfig) -> StoreResult<()>;
    async fn get_scan_config(
        &self,
        org: OrgId,
        id: ScanConfigId,
        vis: &Visibility,
    ) -> StoreResult<ScanConfig>;
    async fn update_scan_config(&self, c: &ScanConfig) -> StoreResult<()>;
    async fn delete_scan_config(&self, org: OrgId, id: ScanConfigId) -> StoreResult<()>;
    async fn list_scan_configs(
        &self,
        org: OrgId,
        vis: &Visibility,
        req: &ListRequest,
    ) -> StoreResult<Page<ScanConfig>>;
}
