//! What the files of a scan config feed the engine: API definitions and recorded traffic
//! (requests the crawler could not find by links), a client certificate, a recorded login.
//!
//! Every seeded request still passes the scope gate: out-of-scope ones are counted in the
//! file's scan event and never sent.

pub mod certificate;
pub mod graphql;
pub mod har;
pub mod openapi;
pub mod side;

use crate::client::Http;
use crate::events::Level;
use crate::plan::{Definition, DefinitionKind};
use crate::target::Resource;
use url::Url;

impl DefinitionKind {
    /// How scan events name the file's kind and what it seeds.
    fn words(self) -> (&'static str, &'static str) {
        match self {
            DefinitionKind::OpenApi => ("OpenAPI", "operations"),
            DefinitionKind::GraphQl => ("GraphQL", "operations"),
            DefinitionKind::Har => ("HAR", "requests"),
        }
    }
}

/// The requests of one definition file. `first_seed` anchors relative OpenAPI servers when
/// the definition names no endpoint.
pub fn resources(d: &Definition, first_seed: Option<&Url>) -> Result<Vec<Resource>, String> {
    let text = std::str::from_utf8(&d.content).map_err(|_| "is not UTF-8 text".to_string())?;
    match d.kind {
        DefinitionKind::OpenApi => {
            let spec = openapi::parse(text)?;
            let hint = d.endpoint.as_ref().or(first_seed).ok_or(
                "names no endpoint and the scan has no seed to resolve its servers against",
            )?;
            Ok(openapi::resources_at(&spec, hint, d.endpoint.as_ref()))
        }
        DefinitionKind::GraphQl => {
            let ep = d.endpoint.as_ref().ok_or(
                "names no endpoint: set the GraphQL endpoint URL of the scan config to use it",
            )?;
            graphql::resources(text, ep, d.verb.as_deref())
        }
        DefinitionKind::Har => har::resources(text),
    }
}

/// The in-scope requests of every definition of the plan, one scan event per file.
pub(crate) async fn seed(http: &Http) -> Vec<Resource> {
    let plan = http.plan();
    let mut out = Vec::new();
    for d in &plan.definitions {
        let (label, unit) = d.kind.words();
        match resources(d, plan.seeds.first()) {
            Ok(all) => {
                let total = all.len();
                let inside: Vec<Resource> = all
                    .into_iter()
                    .filter(|r| http.gate().check(&r.method, &r.url).is_ok())
                    .collect();
                let skipped = total - inside.len();
                let level = if inside.is_empty() {
                    Level::Warn
                } else {
                    Level::Info
                };
                http.log(
                    level,
                    format!(
                        "{label} file {}: {} {unit} seeded, {skipped} out of scope skipped",
                        d.name,
                        inside.len()
                    ),
                )
                .await;
                out.extend(inside);
            }
            Err(e) => {
                http.log(
                    Level::Warn,
                    format!("{label} file {}: {e}; nothing seeded from it", d.name),
                )
                .await
            }
        }
    }
    out
}
