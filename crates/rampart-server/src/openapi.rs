//! The OpenAPI document, generated from the route annotations (never hand-written).

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi;
use utoipa::{Modify, OpenApi as _};

#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "rampart InsightAppSec-compatible API", version = "v1",
        description = "Wire-compatible with Rapid7 InsightAppSec `/ias/v1`. Authenticate with `X-Api-Key` or `Authorization: Bearer` (an OAuth 2.0 client-credentials token from `POST /oauth/token`). \
Collections page with `index`/`size`/`sort`/`page-token`. Search precedence: `&&` binds tighter than `||`."),
    modifiers(&Security),
    security(("api_key" = []), ("bearer" = []))
)]
struct Doc;

struct Security;

impl Modify for Security {
    fn modify(&self, api: &mut OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-Api-Key"))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An RFC 9068 access token from POST /oauth/token (client credentials)",
                    ))
                    .build(),
            ),
        );
    }
}

pub(crate) fn base() -> OpenApi {
    Doc::openapi()
}

/// The complete document of every route (what `/ias/v1/openapi.json` serves).
pub fn openapi() -> OpenApi {
    finish(crate::routes::router().split_for_parts().1)
}

/// Paths that take no credential: the operational probes, OAuth discovery and the token
/// endpoint (which authenticates the client itself).
const OPEN: &[&str] = &[
    "/healthz",
    "/readyz",
    "/.well-known/jwks.json",
    "/.well-known/oauth-authorization-server",
    "/oauth/token",
];

/// What the route annotations cannot say on their own, applied to the generated document so
/// that client generators accept it: every `operationId` unique (utoipa names an operation
/// after its handler, and `list`, `get`, … repeat across resources: a repeated name becomes
/// the name plus the resource path, e.g. `list` on `/ias/v1/apps` → `listApps`), and no
/// security on the open paths.
pub(crate) fn finish(mut api: OpenApi) -> OpenApi {
    use std::collections::{HashMap, HashSet};
    let mut count: HashMap<String, usize> = HashMap::new();
    for item in api.paths.paths.values() {
        for op in operations(item) {
            if let Some(id) = &op.operation_id {
                *count.entry(id.clone()).or_default() += 1;
            }
        }
    }
    let mut taken: HashSet<String> = count
        .iter()
        .filter(|(_, n)| **n == 1)
        .map(|(id, _)| id.clone())
        .collect();
    for (path, item) in api.paths.paths.iter_mut() {
        let open = OPEN.contains(&path.as_str());
        for (method, op) in operations_mut(item) {
            if open {
                op.security = Some(vec![]);
            }
            let base = op
                .operation_id
                .clone()
                .unwrap_or_else(|| method.to_string());
            if count.get(&base).copied().unwrap_or(0) == 1 {
                continue;
            }
            let mut id = format!("{}{}", camel(&base), resource(path));
            if taken.contains(&id) {
                id = format!("{method}{}", &id[..1].to_uppercase()) + &id[1..];
            }
            let mut n = 2;
            let stem = id.clone();
            while taken.contains(&id) {
                id = format!("{stem}{n}");
                n += 1;
            }
            taken.insert(id.clone());
            op.operation_id = Some(id);
        }
    }
    api
}

type Op = utoipa::openapi::path::Operation;

fn operations(item: &utoipa::openapi::path::PathItem) -> impl Iterator<Item = &Op> {
    [
        &item.get,
        &item.put,
        &item.post,
        &item.delete,
        &item.patch,
        &item.head,
        &item.options,
        &item.trace,
    ]
    .into_iter()
    .flatten()
}

fn operations_mut(
    item: &mut utoipa::openapi::path::PathItem,
) -> impl Iterator<Item = (&'static str, &mut Op)> {
    [
        ("get", &mut item.get),
        ("put", &mut item.put),
        ("post", &mut item.post),
        ("delete", &mut item.delete),
        ("patch", &mut item.patch),
        ("head", &mut item.head),
        ("options", &mut item.options),
        ("trace", &mut item.trace),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.as_mut().map(|o| (m, o)))
}

/// `list_all` → `listAll`.
fn camel(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut up = false;
    for c in s.chars() {
        if c == '_' || c == '-' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The resource words of a path, without the API prefix and the parameters:
/// `/ias/v1/apps/{app-id}/users` → `AppsUsers`.
fn resource(path: &str) -> String {
    let rest = path
        .strip_prefix("/ias/v1")
        .or_else(|| path.strip_prefix("/engine/v1"))
        .unwrap_or(path);
    rest.split('/')
        .filter(|seg| !seg.is_empty() && !seg.starts_with('{'))
        .map(|seg| {
            let c = camel(&seg.replace('.', "-"));
            let mut chars = c.chars();
            match chars.next() {
                Some(f) => f.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_id_is_unique() {
        let api = openapi();
        let mut seen = std::collections::HashSet::new();
        for (path, item) in &api.paths.paths {
            for op in operations(item) {
                let id = op.operation_id.clone().unwrap_or_default();
                assert!(!id.is_empty(), "{path}: no operationId");
                assert!(seen.insert(id.clone()), "{path}: {id} repeats");
            }
        }
        assert!(seen.contains("listApps"), "{seen:?}");
    }

    #[test]
    fn open_paths_need_no_credential() {
        let api = openapi();
        for p in ["/healthz", "/readyz"] {
            let item = &api.paths.paths[p];
            let get = item.get.as_ref().expect("GET");
            assert_eq!(get.security.as_ref().map(Vec::len), Some(0), "{p}");
        }
    }
}
