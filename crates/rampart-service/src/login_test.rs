//! "Test login" of a scan config: the engine's form login, run once with the plan a scan of
//! the config would have (the same compilation, scope rules and targets, so a login page
//! outside them is refused before anything is sent). The service cannot link the engine
//! (it is pure of transport crates), so the binary plugs the engine's login in as a
//! [`LoginProbe`] (`rampart_worker::plan::test_login`).

use crate::{require, Service, ServiceError, ServiceResult};
use rampart_domain::plan::Recipe;
use rampart_domain::*;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// What a login test showed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginTest {
    pub logged_in: bool,
    /// Why, in words (never the password).
    pub detail: String,
}

/// Runs the engine's login for a compiled recipe.
pub type LoginProbe =
    Arc<dyn Fn(Recipe) -> Pin<Box<dyn Future<Output = LoginTest> + Send>> + Send + Sync>;

impl Service {
    /// Plugs in the engine's login ("test login"); without it the operation is unavailable.
    pub fn with_login_probe(mut self, probe: LoginProbe) -> Self {
        self.login_probe = Some(probe);
        self
    }

    /// Runs the saved config's form login once, as a scan of it would. It sends requests
    /// to the config's targets, so it needs the right to run scans (Manage Scans) as well
    /// as to read the config. A config that would not compile, or has no form login, is a
    /// failed test saying why.
    pub async fn test_scan_config_login(
        &self,
        p: &Principal,
        id: ScanConfigId,
    ) -> ServiceResult<LoginTest> {
        require(p, Resource::ScanConfigs, Action::Read)?;
        let cfg = self
            .store
            .get_scan_config(p.org, id, &rampart_store::Visibility::of(p))
            .await?;
        require(p, Resource::Scans, Action::Manage)?;
        let Some(probe) = self.login_probe.clone() else {
            return Err(ServiceError::Unavailable(
                "this server has no engine to test logins with".into(),
            ));
        };
        let recipe = match self
            .compile_recipe(p.org, &cfg, ScanType::Regular, None, &[])
            .await?
        {
            Ok(r) => r,
            Err(e) => {
                return Ok(LoginTest {
                    logged_in: false,
                    detail: e.message,
                })
            }
        };
        if recipe.login.is_none() && recipe.login_script.is_none() {
            return Ok(LoginTest {
                logged_in: false,
                detail: "the scan config has no form login: choose Form login and give the login page, a username and a password".into(),
            });
        }
        Ok(probe(recipe).await)
    }
}
