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
    crate::routes::router().split_for_parts().1
}
