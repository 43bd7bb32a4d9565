//! OAuth fixtures: client credentials for a test key's principal and tokens from them.

use crate::{Key, TestApp};
use rampart_service::{NewOAuthClient, OAuthClientInput};

impl TestApp {
    /// Client credentials acting as `key`'s principal with its role, allowed `scopes`
    /// (space-separated; aliases `read`, `admin`). Created by the organization key.
    pub async fn fx_oauth_client(&self, key: &Key, scopes: &str) -> NewOAuthClient {
        let org = if key.org() == self.keys.other.org() {
            &self.keys.other
        } else {
            &self.keys.org
        };
        self.service
            .create_oauth_client(
                &org.principal,
                OAuthClientInput {
                    name: Some(format!("{} client", key.label)),
                    principal: Some(key.id()),
                    role: Some(key.principal.role.as_str().into()),
                    scopes: Some(scopes.into()),
                },
            )
            .await
            .expect("create oauth client")
    }

    /// An access token acting as `key`'s principal, carrying exactly `scopes`.
    pub async fn fx_token(&self, key: &Key, scopes: &str) -> String {
        let c = self.fx_oauth_client(key, scopes).await;
        self.service
            .issue_token(&self.base, &c.client, Some("client_credentials"), None)
            .await
            .expect("issue token")
            .access_token
    }
}
