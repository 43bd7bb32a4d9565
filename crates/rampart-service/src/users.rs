//! Users and service accounts: administration (Product Admin only), disabling, and the
//! password check the web console will call (argon2id).

use crate::error::Checks;
use crate::{require, Problem, Service, ServiceError, ServiceResult};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::{Argon2, PasswordVerifier};
use rampart_domain::*;
use rampart_store::StoreError;

/// The shortest password accepted.
pub const MIN_PASSWORD: usize = 12;

/// The longest email address, in bytes.
pub const MAX_EMAIL: usize = 320;

/// The email addresses [`check_email`] takes, as a pattern a schema can state (ECMA 262 and
/// `regex` syntax): printable ASCII around one `@`, at most [`MAX_EMAIL`] characters. The
/// check also takes white space around (trimmed) and other characters than ASCII: every
/// address the pattern matches is taken, not every address taken is matched.
pub const EMAIL_PATTERN: &str = "^[!-?A-~]+@[!-?A-~]+$";

/// The writable fields of a user. On update, `None` keeps the stored value.
#[derive(Clone, Debug, Default)]
pub struct UserInput {
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub status: Option<PrincipalStatus>,
    /// A new password (hashed with argon2id, never stored in clear).
    pub password: Option<String>,
}

/// The writable fields of a service account. On update, `None` keeps the stored value.
#[derive(Clone, Debug, Default)]
pub struct ServiceAccountInput {
    pub name: Option<String>,
    pub role: Option<Role>,
    pub status: Option<PrincipalStatus>,
}

pub(crate) fn check_email(email: &str) -> ServiceResult<()> {
    let ok = email.len() <= MAX_EMAIL
        && email
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && !d.is_empty() && !d.contains('@'));
    if !ok || email.chars().any(char::is_whitespace) {
        return Err(ServiceError::invalid(vec![Problem::property(
            "email",
            "must be an email address",
        )]));
    }
    // NUL, ESC, DEL, C1: the one-line text rule every name follows.
    let mut c = Checks::default();
    c.text("email", email, 1, MAX_EMAIL);
    c.finish()
}

fn hash_password(password: &str) -> ServiceResult<String> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(ServiceError::invalid(vec![Problem::property(
            "password",
            format!("must be at least {MIN_PASSWORD} characters"),
        )]));
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::Internal(format!("cannot hash the password: {e}")))
}

fn password_matches(stored: &str, password: &str) -> bool {
    PasswordHash::new(stored)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// An argon2id hash (default parameters, the ones `hash_password` uses) of a random
/// password nobody knows, made once: what an unknown user's login is verified against.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut pw = [0u8; 32];
        argon2::password_hash::rand_core::RngCore::fill_bytes(&mut OsRng, &mut pw);
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(&pw, &salt)
            .map(|h| h.to_string())
            // Hashing with default parameters and a fresh salt does not fail; should it,
            // a malformed hash still makes `password_matches` refuse (without the cost).
            .unwrap_or_default()
    })
}

/// Checks and hashes a new password off the async workers.
pub(crate) async fn hash_password_off_runtime(password: String) -> ServiceResult<String> {
    blocking(move || hash_password(&password)).await?
}

/// argon2id is deliberately slow: run it off the async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> ServiceResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ServiceError::Internal(format!("password task failed: {e}")))
}

fn conflict(what: &'static str) -> impl Fn(StoreError) -> ServiceError {
    move |e| match e {
        StoreError::Conflict(_) => ServiceError::Conflict(format!("{what} already exists")),
        other => other.into(),
    }
}

impl Service {
    pub async fn create_user(&self, p: &Principal, input: UserInput) -> ServiceResult<User> {
        require(p, Resource::Identity, Action::Manage)?;
        let mut c = Checks::default();
        c.opt_text("displayName", input.display_name.as_deref(), 200);
        if input.role.is_none() {
            c.push(Problem::property(
                "role",
                "give a role: product-admin, read-write or read-only",
            ));
        }
        c.finish()?;
        let email = input.email.unwrap_or_default().trim().to_string();
        check_email(&email)?;
        let hash = match input.password {
            Some(pw) => Some(blocking(move || hash_password(&pw)).await??),
            None => None,
        };
        let u = User {
            id: PrincipalId::new(),
            org: p.org,
            email,
            display_name: input.display_name,
            role: input.role,
            status: input.status.unwrap_or(PrincipalStatus::Active),
            created_at: self.now(),
        };
        self.store
            .create_user(&u)
            .await
            .map_err(conflict("a user with this email"))?;
        if let Some(h) = hash {
            self.store.set_password_hash(p.org, u.id, Some(&h)).await?;
        }
        Ok(u)
    }

    pub async fn list_users(&self, p: &Principal) -> ServiceResult<Vec<User>> {
        require(p, Resource::Identity, Action::Manage)?;
        Ok(self.store.list_users(p.org).await?)
    }

    pub async fn get_user(&self, p: &Principal, id: PrincipalId) -> ServiceResult<User> {
        require(p, Resource::Identity, Action::Manage)?;
        Ok(self.store.get_user(p.org, id).await?)
    }

    /// A user by email or id (the CLI's and `/apps/{id}/users`' way to name one).
    pub async fn find_user(&self, p: &Principal, email_or_id: &str) -> ServiceResult<User> {
        if let Ok(id) = email_or_id.parse::<PrincipalId>() {
            return Ok(self.store.get_user(p.org, id).await?);
        }
        self.store
            .find_user_by_email(p.org, email_or_id.trim())
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// Changes what is given; disabling stops the user's keys at the next request.
    pub async fn update_user(
        &self,
        p: &Principal,
        id: PrincipalId,
        input: UserInput,
    ) -> ServiceResult<User> {
        let mut u = self.get_user(p, id).await?;
        if let Some(email) = input.email.as_deref() {
            if email.trim() != u.email {
                return Err(ServiceError::invalid(vec![Problem::property(
                    "email",
                    "a user's email cannot change: create a new user",
                )]));
            }
        }
        let mut c = Checks::default();
        c.opt_text("displayName", input.display_name.as_deref(), 200);
        c.finish()?;
        if input.display_name.is_some() {
            u.display_name = input.display_name;
        }
        if let Some(r) = input.role {
            u.role = Some(r);
        }
        if let Some(s) = input.status {
            u.status = s;
        }
        if let Some(pw) = input.password {
            let h = blocking(move || hash_password(&pw)).await??;
            self.store.set_password_hash(p.org, id, Some(&h)).await?;
        }
        self.store.update_user(&u).await?;
        Ok(u)
    }

    /// The web console's login: the user's principal when the password matches and the
    /// user is active; `Unauthorized` otherwise (without saying which part was wrong).
    pub async fn verify_password(
        &self,
        org: OrgId,
        email: &str,
        password: &str,
    ) -> ServiceResult<Principal> {
        let found = self.store.find_password_hash(org, email.trim()).await?;
        // An unknown email, or a user without a password, costs the same argon2id
        // verification as a wrong password: the time taken does not tell which emails exist.
        let (user, hash) = match found {
            Some((user, Some(hash))) => (Some(user), hash),
            _ => (None, dummy_hash().to_string()),
        };
        let pw = password.to_string();
        let matches = blocking(move || password_matches(&hash, &pw)).await?;
        let Some(user) = user.filter(|u| matches && u.status == PrincipalStatus::Active) else {
            return Err(ServiceError::Unauthorized);
        };
        Ok(Principal::new(
            org,
            user.id,
            PrincipalKind::User,
            user.role.unwrap_or(Role::ReadOnly),
        ))
    }

    /// Deletes a user: its keys, OAuth clients and memberships go with it and stop
    /// working at the next request; audit entries keep its id. A caller cannot delete
    /// itself (409).
    pub async fn delete_user(&self, p: &Principal, id: PrincipalId) -> ServiceResult<()> {
        self.delete_principal(p, id, PrincipalKind::User).await
    }

    /// Deletes a service account (as [`Service::delete_user`]).
    pub async fn delete_service_account(
        &self,
        p: &Principal,
        id: PrincipalId,
    ) -> ServiceResult<()> {
        self.delete_principal(p, id, PrincipalKind::ServiceAccount)
            .await
    }

    async fn delete_principal(
        &self,
        p: &Principal,
        id: PrincipalId,
        kind: PrincipalKind,
    ) -> ServiceResult<()> {
        require(p, Resource::Identity, Action::Manage)?;
        if id == p.id {
            return Err(ServiceError::Conflict(
                "a principal cannot delete itself: use another administrator's key".into(),
            ));
        }
        self.store.delete_principal(p.org, id, kind).await?;
        tracing::info!(principal = %id, by = %p.id, "principal deleted");
        Ok(())
    }

    pub async fn create_service_account(
        &self,
        p: &Principal,
        input: ServiceAccountInput,
    ) -> ServiceResult<ServiceAccount> {
        require(p, Resource::Identity, Action::Manage)?;
        let name = input.name.unwrap_or_default();
        let mut c = Checks::default();
        c.text("name", &name, 1, 200);
        if input.role.is_none() {
            c.push(Problem::property(
                "role",
                "give a role: product-admin, read-write or read-only",
            ));
        }
        c.finish()?;
        let sa = ServiceAccount {
            id: PrincipalId::new(),
            org: p.org,
            name,
            role: input.role.unwrap_or(Role::ReadOnly),
            status: input.status.unwrap_or(PrincipalStatus::Active),
            created_at: self.now(),
        };
        self.store
            .create_service_account(&sa)
            .await
            .map_err(conflict("a service account with this name"))?;
        Ok(sa)
    }

    pub async fn list_service_accounts(&self, p: &Principal) -> ServiceResult<Vec<ServiceAccount>> {
        require(p, Resource::Identity, Action::Manage)?;
        Ok(self.store.list_service_accounts(p.org).await?)
    }

    pub async fn get_service_account(
        &self,
        p: &Principal,
        id: PrincipalId,
    ) -> ServiceResult<ServiceAccount> {
        require(p, Resource::Identity, Action::Manage)?;
        Ok(self.store.get_service_account(p.org, id).await?)
    }

    pub async fn update_service_account(
        &self,
        p: &Principal,
        id: PrincipalId,
        input: ServiceAccountInput,
    ) -> ServiceResult<ServiceAccount> {
        let mut sa = self.get_service_account(p, id).await?;
        if let Some(n) = input.name {
            let mut c = Checks::default();
            c.text("name", &n, 1, 200);
            c.finish()?;
            sa.name = n;
        }
        if let Some(r) = input.role {
            sa.role = r;
        }
        if let Some(s) = input.status {
            sa.status = s;
        }
        self.store
            .update_service_account(&sa)
            .await
            .map_err(conflict("a service account with this name"))?;
        Ok(sa)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(password_matches(&h, "correct horse battery"));
        assert!(!password_matches(&h, "wrong horse battery"));
        assert!(!password_matches("not a hash", "x"));
        assert!(hash_password("short").is_err());
    }

    #[test]
    fn the_dummy_hash_costs_what_a_real_one_costs() {
        let real = hash_password("correct horse battery").unwrap();
        let dummy = dummy_hash();
        assert!(dummy.starts_with("$argon2id$"), "{dummy}");
        let params = |h: &str| h.split('$').nth(3).unwrap_or_default().to_string();
        assert_eq!(params(dummy), params(&real), "same m, t, p");
        assert!(!password_matches(dummy, ""));
        assert!(!password_matches(dummy, "correct horse battery"));
    }

    #[test]
    fn emails_are_checked() {
        assert!(check_email("a@b.test").is_ok());
        assert!(check_email("nobody").is_err());
        assert!(check_email("a@b@c").is_err());
        assert!(check_email("a b@c.test").is_err());
    }
}
