//! Typed calls of the identity routes: organization, users, service accounts, API keys,
//! identity groups (root paths, AppSec+ style bodies).

use super::{decode, to_value, Client, Result};
use rampart_api_types::identity::*;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use uuid::Uuid;

impl Client {
    async fn json<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<T> {
        let body = body.map(to_value).transpose()?;
        let a = self.send(method, path, body.as_ref()).await?;
        decode(path, &a.body)
    }

    /// The caller's organization.
    pub async fn organization(&self) -> Result<Organization> {
        self.get("organization").await
    }

    /// Renames the caller's organization (Product Admin).
    pub async fn rename_own_organization(&self, name: &str) -> Result<Organization> {
        let body = OrganizationInput {
            name: Some(name.to_string()),
        };
        self.json(Method::PUT, "organization", Some(&body)).await
    }

    /// Every organization (the operator organization's administrators).
    pub async fn organizations(&self) -> Result<Vec<Organization>> {
        self.get("organizations").await
    }
    /// A new tenant and its first organization key (the secret is in this answer only).
    pub async fn create_organization(&self, name: &str) -> Result<CreatedOrganization> {
        let body = OrganizationInput {
            name: Some(name.to_string()),
        };
        self.json(Method::POST, "organizations", Some(&body)).await
    }
    pub async fn rename_organization(&self, id: Uuid, name: &str) -> Result<Organization> {
        let body = OrganizationInput {
            name: Some(name.to_string()),
        };
        self.json(Method::PUT, &format!("organizations/{id}"), Some(&body))
            .await
    }
    /// Deletes a tenant and everything it owns.
    pub async fn delete_organization(&self, id: Uuid) -> Result<()> {
        self.delete(&format!("organizations/{id}")).await
    }

    pub async fn users(&self) -> Result<Vec<User>> {
        self.get("users").await
    }
    pub async fn create_user(&self, u: &User) -> Result<User> {
        self.json(Method::POST, "users", Some(u)).await
    }
    pub async fn update_user(&self, id: Uuid, u: &User) -> Result<User> {
        self.json(Method::PUT, &format!("users/{id}"), Some(u))
            .await
    }

    /// Deletes a user with its keys and OAuth clients.
    pub async fn delete_user(&self, id: Uuid) -> Result<()> {
        self.delete(&format!("users/{id}")).await
    }

    pub async fn service_accounts(&self) -> Result<Vec<ServiceAccount>> {
        self.get("service-accounts").await
    }
    pub async fn create_service_account(&self, a: &ServiceAccount) -> Result<ServiceAccount> {
        self.json(Method::POST, "service-accounts", Some(a)).await
    }

    /// Deletes a service account with its keys and OAuth clients.
    pub async fn delete_service_account(&self, id: Uuid) -> Result<()> {
        self.delete(&format!("service-accounts/{id}")).await
    }

    /// Keys that are not revoked (optionally one owner's); never a secret.
    pub async fn api_keys(&self, owner: Option<Uuid>) -> Result<Vec<ApiKey>> {
        match owner {
            Some(o) => self.get(&format!("api-keys?owner={o}")).await,
            None => self.get("api-keys").await,
        }
    }
    /// A new key; its `secret` is in this answer only.
    pub async fn create_api_key(&self, k: &NewApiKey) -> Result<IssuedApiKey> {
        self.json(Method::POST, "api-keys", Some(k)).await
    }
    pub async fn revoke_api_key(&self, id: Uuid) -> Result<()> {
        self.delete(&format!("api-keys/{id}")).await
    }
    /// A new secret for the key (same name, role, owner); the old one stops working.
    pub async fn rotate_api_key(&self, id: Uuid) -> Result<IssuedApiKey> {
        self.json::<(), _>(Method::POST, &format!("api-keys/{id}/rotate"), None)
            .await
    }

    pub async fn identity_groups(&self) -> Result<Vec<IdentityGroup>> {
        self.get("identity-groups").await
    }
    pub async fn get_identity_group(&self, id: Uuid) -> Result<IdentityGroup> {
        self.get(&format!("identity-groups/{id}")).await
    }
    pub async fn create_identity_group(&self, g: &IdentityGroup) -> Result<IdentityGroup> {
        self.json(Method::POST, "identity-groups", Some(g)).await
    }
    pub async fn update_identity_group(
        &self,
        id: Uuid,
        g: &IdentityGroup,
    ) -> Result<IdentityGroup> {
        self.json(Method::PUT, &format!("identity-groups/{id}"), Some(g))
            .await
    }
    pub async fn delete_identity_group(&self, id: Uuid) -> Result<()> {
        self.delete(&format!("identity-groups/{id}")).await
    }
    /// Adds a member by id or by a user's email.
    pub async fn add_group_member(&self, id: Uuid, member: &MemberRef) -> Result<IdentityGroup> {
        self.json(
            Method::POST,
            &format!("identity-groups/{id}/members"),
            Some(member),
        )
        .await
    }
    pub async fn remove_group_member(&self, id: Uuid, member: Uuid) -> Result<()> {
        self.delete(&format!("identity-groups/{id}/members/{member}"))
            .await
    }
    /// Grants an app or a tag to the group.
    pub async fn grant_group(&self, id: Uuid, grant: &Grant) -> Result<IdentityGroup> {
        self.json(
            Method::POST,
            &format!("identity-groups/{id}/grants"),
            Some(grant),
        )
        .await
    }
}
