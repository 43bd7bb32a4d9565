//! Attack templates and their modules.

use crate::{ListRequest, Page, StoreResult};
use async_trait::async_trait;
use rampart_domain::*;

/// Attack templates and the modules they enable.
#[async_trait]
pub trait TemplateStore: Send + Sync {
    async fn create_attack_template(
        &self,
        t: &AttackTemplate,
        modules: &[AttackModule],
    ) -> StoreResult<()>;
    async fn get_attack_template(
        &self,
        org: OrgId,
        id: AttackTemplateId,
    ) -> StoreResult<AttackTemplate>;
    async fn update_attack_template(&self, t: &AttackTemplate) -> StoreResult<()>;
    /// `Conflict` while a scan config uses it.
    async fn delete_attack_template(&self, org: OrgId, id: AttackTemplateId) -> StoreResult<()>;
    async fn list_attack_templates(
        &self,
        org: OrgId,
        req: &ListRequest,
    ) -> StoreResult<Page<AttackTemplate>>;
    async fn list_attack_modules(
        &self,
        org: OrgId,
        template: AttackTemplateId,
    ) -> StoreResult<Vec<AttackModule>>;
    async fn get_attack_module(
        &self,
        org: OrgId,
        template: AttackTemplateId,
        id: AttackModuleId,
    ) -> StoreResult<AttackModule>;
    async fn create_attack_module(&self, org: OrgId, m: &AttackModule) -> StoreResult<()>;
    async fn update_attack_module(&self, org: OrgId, m: &AttackModule) -> StoreResult<()>;
    async fn delete_attack_module(
        &self,
        org: OrgId,
        template: AttackTemplateId,
        id: AttackModuleId,
    ) -> StoreResult<()>;
}
