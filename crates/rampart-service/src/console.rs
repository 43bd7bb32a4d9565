//! The web console's sign-in: password (argon2id, `users.rs`), API key, or the first-run
//! flow that makes the first admin; sessions as random tokens kept hashed, each with its
//! own CSRF token. A session resolves to the same [`Principal`] the API would build for
//! the same person, at every request, so the console has no authorization of its own.

use crate::auth::{hash_token, DEFAULT_ORG};
use crate::{Service, ServiceError, ServiceResult};
use base64::Engine as _;
use rampart_domain::*;
use rampart_store::ConsoleSession;
use rand::RngCore;

/// How long a session lasts from sign-in (absolute; signing in again starts a new one).
pub const CONSOLE_SESSION_HOURS: i64 = 12;

/// A new session: the cookie's token (shown to the browser only) and its CSRF token.
#[derive(Clone, Debug)]
pub struct NewConsoleSession {
    pub token: String,
    pub csrf: String,
    pub principal: Principal,
}

/// The caller of a console request.
#[derive(Clone, Debug)]
pub struct ConsoleCaller {
    pub principal: Principal,
    /// Whom to greet (the user's email, or the key's name).
    pub display: String,
    pub csrf: String,
}

/// 256 random bits, URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

impl Service {
    /// Whether the console offers the first-run flow: the default organization has no
    /// user yet (the install runs on its bootstrap key only).
    pub async fn console_first_run_open(&self) -> ServiceResult<bool> {
        match self.store.find_org_by_name(DEFAULT_ORG).await? {
            None => Ok(true),
            Some(org) => Ok(self.store.list_users(org.id).await?.is_empty()),
        }
    }

    /// The first-run flow: creates the first user (Product Admin, with this password) of
    /// the default organization and signs it in. Refused once a user exists.
    pub async fn console_first_admin(
        &self,
        email: &str,
        password: &str,
    ) -> ServiceResult<NewConsoleSession> {
        if !self.console_first_run_open().await? {
            return Err(ServiceError::Conflict(
                "the first admin already exists: sign in".into(),
            ));
        }
        crate::users::check_email(email.trim())?;
        let hash = crate::users::hash_password_off_runtime(password.to_string()).await?;
        let org = self.default_org().await?;
        let user = self.ensure_user(org, email, Role::ProductAdmin).await?;
        self.store
            .set_password_hash(org, user.id, Some(&hash))
            .await?;
        tracing::info!(user = %user.id, "console: first admin created");
        let p = Principal::new(org, user.id, PrincipalKind::User, Role::ProductAdmin);
        self.open_console_session(p, None).await
    }

    /// Password sign-in (a user of the default organization). Always a new session: a
    /// token the browser had before is never promoted (no session fixation).
    pub async fn console_sign_in(
        &self,
        email: &str,
        password: &str,
    ) -> ServiceResult<NewConsoleSession> {
        let org = match self.store.find_org_by_name(DEFAULT_ORG).await? {
            Some(o) => o.id,
            None => return Err(ServiceError::Unauthorized),
        };
        let p = self.verify_password(org, email, password).await?;
        self.open_console_session(p, None).await
    }

    /// API-key sign-in: the session acts as the key, and ends when the key is revoked.
    pub async fn console_sign_in_key(&self, token: &str) -> ServiceResult<NewConsoleSession> {
        let p = self.authenticate(token).await?;
        self.open_console_session(p, Some(hash_token(token.trim())))
            .await
    }

    async fn open_console_session(
        &self,
        principal: Principal,
        key_hash: Option<String>,
    ) -> ServiceResult<NewConsoleSession> {
        let token = random_token();
        let csrf = random_token();
        let now = self.now();
        self.store
            .create_console_session(&ConsoleSession {
                hash: hash_token(&token),
                org: principal.org,
                principal: principal.id,
                key_hash,
                csrf: csrf.clone(),
                created_at: now,
                expires_at: now + chrono::Duration::hours(CONSOLE_SESSION_HOURS),
            })
            .await?;
        // Expired sessions go when new ones come: no background duty needed.
        if let Err(e) = self.store.purge_console_sessions(now).await {
            tracing::warn!(error = %e, "console: cannot purge expired sessions");
        }
        Ok(NewConsoleSession {
            token,
            csrf,
            principal,
        })
    }

    /// The caller of a session token, resolved like the API resolves a key: the user's
    /// current role and status, or the key's liveness and role, read at every request.
    pub async fn console_caller(&self, token: &str) -> ServiceResult<ConsoleCaller> {
        let s = self
            .store
            .find_console_session(&hash_token(token), self.now())
            .await?
            .ok_or(ServiceError::Unauthorized)?;
        if let Some(key_hash) = &s.key_hash {
            let live = self
                .store
                .find_live_key(key_hash)
                .await?
                .ok_or(ServiceError::Unauthorized)?;
            let principal = Principal {
                credential: Some(live.key.id.0),
                ..Principal::new(
                    live.key.org,
                    live.key.principal,
                    live.key.kind,
                    effective_role(live.key.role, live.owner_role),
                )
            };
            return Ok(ConsoleCaller {
                principal,
                display: format!("key {}", live.key.name),
                csrf: s.csrf,
            });
        }
        let user = match self.store.get_user(s.org, s.principal).await {
            Ok(u) => u,
            Err(rampart_store::StoreError::NotFound) => return Err(ServiceError::Unauthorized),
            Err(e) => return Err(e.into()),
        };
        if user.status != PrincipalStatus::Active {
            return Err(ServiceError::Unauthorized);
        }
        let principal = Principal::new(
            s.org,
            user.id,
            PrincipalKind::User,
            user.role.unwrap_or(Role::ReadOnly),
        );
        Ok(ConsoleCaller {
            principal,
            display: user.email,
            csrf: s.csrf,
        })
    }

    /// Ends a session (nothing happens for an unknown token).
    pub async fn console_sign_out(&self, token: &str) -> ServiceResult<()> {
        Ok(self
            .store
            .delete_console_session(&hash_token(token))
            .await?)
    }
}
