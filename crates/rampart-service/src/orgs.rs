//! Organizations (tenants) administered over the API: the caller's own (`PUT
//! /organization`, its Product Admins) and every tenant (`/organizations`) for the
//! operator organization, the first of an install (the one `rampart server` bootstraps).
//! Deleting a tenant deletes everything it owns; no other tenant ever sees it.

use crate::{require, KeyOwner, KeyRequest, NewKey, Problem, Service, ServiceError, ServiceResult};
use rampart_domain::*;
use rampart_store::StoreError;

/// A trimmed organization name of 1 to 200 characters, without control characters
/// (the one-line text rule of [`crate::error::Checks::text`]).
pub(crate) fn org_name(name: &str) -> ServiceResult<String> {
    let name = name.trim();
    if name.is_empty() || name.len() > 200 {
        return Err(ServiceError::invalid(vec![Problem::property(
            "name",
            "give the organization a name of 1 to 200 characters",
        )]));
    }
    let mut c = crate::error::Checks::default();
    c.text("name", name, 1, 200);
    c.finish()?;
    Ok(name.to_string())
}

/// A unique-name violation, said in words.
pub(crate) fn name_taken(name: &str) -> impl Fn(StoreError) -> ServiceError + '_ {
    move |e| match e {
        StoreError::Conflict(_) => {
            ServiceError::Conflict(format!("an organization named '{name}' already exists"))
        }
        other => other.into(),
    }
}

impl Service {
    /// Product Admins (users, service accounts, organization keys) of the operator
    /// organization; anyone else is refused with 403 (the route exists for everyone).
    async fn require_operator(&self, p: &Principal) -> ServiceResult<()> {
        require(p, Resource::Identity, Action::Manage)?;
        if self.store.get_org(p.org).await?.operator {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(
                "only the operator organization's administrators manage organizations".into(),
            ))
        }
    }

    /// Every organization (operator).
    pub async fn list_organizations(&self, p: &Principal) -> ServiceResult<Vec<Organization>> {
        self.require_operator(p).await?;
        self.list_orgs().await
    }

    /// One organization (operator).
    pub async fn get_organization(&self, p: &Principal, id: OrgId) -> ServiceResult<Organization> {
        self.require_operator(p).await?;
        Ok(self.store.get_org(id).await?)
    }

    /// Creates a tenant and its first organization key (Product Admin), shown once
    /// (operator).
    pub async fn create_organization(
        &self,
        p: &Principal,
        name: &str,
    ) -> ServiceResult<(Organization, NewKey)> {
        self.require_operator(p).await?;
        let org = self.create_org(name).await?;
        let key = self
            .create_key(KeyRequest {
                org: Some(org.id),
                role: Role::ProductAdmin,
                owner: KeyOwner::Organization,
                name: Some("first organization key".into()),
            })
            .await?;
        Ok((org, key))
    }

    /// Renames a tenant (operator), or the caller's own (its Product Admins).
    pub async fn rename_organization(
        &self,
        p: &Principal,
        id: OrgId,
        name: &str,
    ) -> ServiceResult<Organization> {
        if id == p.org {
            require(p, Resource::Identity, Action::Manage)?;
        } else {
            self.require_operator(p).await?;
        }
        self.rename_org(id, name).await
    }

    /// Deletes a tenant and everything it owns (operator).
    pub async fn delete_organization(&self, p: &Principal, id: OrgId) -> ServiceResult<()> {
        self.require_operator(p).await?;
        self.delete_org(id).await?;
        tracing::info!(org = %id, by = %p.id, "organization deleted");
        Ok(())
    }

    /// Renames an organization (the operator's path, no caller: `rampart org rename
    /// --database`).
    pub async fn rename_org(&self, id: OrgId, name: &str) -> ServiceResult<Organization> {
        let name = org_name(name)?;
        self.store
            .rename_org(id, &name)
            .await
            .map_err(name_taken(&name))?;
        Ok(self.store.get_org(id).await?)
    }

    /// Deletes an organization and everything it owns (no caller: `rampart org delete
    /// --database`). The operator organization cannot be deleted (409): the install would
    /// have nobody left to administer its tenants.
    pub async fn delete_org(&self, id: OrgId) -> ServiceResult<()> {
        if self.store.get_org(id).await?.operator {
            return Err(ServiceError::Conflict(
                "the operator organization cannot be deleted".into(),
            ));
        }
        Ok(self.store.delete_org(id).await?)
    }
}
