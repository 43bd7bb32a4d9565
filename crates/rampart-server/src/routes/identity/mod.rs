//! The identity routes (AppSec+ style, Product Admin only except `GET /organization`):
//! `/organization`, `/organizations` (the operator's), `/users`, `/service-accounts`,
//! `/api-keys`, `/identity-groups`.
//! Served at the root as documented and, identically, under `/v1` (AppSec+ decision 6);
//! `/identity/groups` is an alias of `/identity-groups` (§1.5 C2). Only the root paths are
//! in the OpenAPI document. Errors are RFC 9457 `application/problem+json` (decision 5).

mod groups;
mod keys;
mod orgs;
mod principals;

use crate::problem::Problem;
use crate::state::AppState;
use rampart_domain::{PrincipalStatus, Role};
use rampart_service::ServiceError;
use utoipa_axum::router::OpenApiRouter;

/// The documented routes (root paths).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(orgs::router())
        .merge(principals::router())
        .merge(keys::router())
        .merge(groups::router())
}

/// The same handlers under `/v1`, and `/identity/groups` at both prefixes (undocumented
/// spellings of the documented routes).
pub fn aliases() -> axum::Router<AppState> {
    let (root, _) = router().split_for_parts();
    let alias = axum::Router::new().nest("/identity/groups", groups::alias_router());
    axum::Router::new()
        .nest("/v1", root.merge(alias.clone()))
        .merge(alias)
}

/// An error of these routes: RFC 9457 problem+json (decision 5), like every AppSec+ route.
pub type IdError = Problem;

pub type IdResult<T> = Result<T, Problem>;

/// The one mapping of service errors on the identity routes.
pub fn problem(e: ServiceError) -> Problem {
    Problem::from(e)
}

fn invalid(context: &str, explanation: &str) -> IdError {
    problem(ServiceError::invalid(vec![
        rampart_service::Problem::property(context, explanation),
    ]))
}

pub(crate) fn role(raw: Option<&str>) -> IdResult<Option<Role>> {
    match raw {
        None => Ok(None),
        Some(r) => Role::parse(r)
            .map(Some)
            .ok_or_else(|| invalid("role", "must be product-admin, read-write or read-only")),
    }
}

pub(crate) fn status(raw: Option<&str>) -> IdResult<Option<PrincipalStatus>> {
    match raw {
        None => Ok(None),
        Some(s) => PrincipalStatus::parse(&s.to_ascii_uppercase())
            .map(Some)
            .ok_or_else(|| invalid("status", "must be active or disabled")),
    }
}

pub(crate) fn status_str(s: PrincipalStatus) -> String {
    s.as_str().to_ascii_lowercase()
}

pub(crate) fn kind_str(k: rampart_domain::PrincipalKind) -> &'static str {
    match k {
        rampart_domain::PrincipalKind::User => "user",
        rampart_domain::PrincipalKind::ServiceAccount => "service_account",
        rampart_domain::PrincipalKind::Organization => "organization",
    }
}
