//! The `/ias/v1` routes, one module per resource.

mod apps;
mod attack_templates;
mod blackouts;
mod engines;
mod files;
mod modules;
mod reports;
mod scan_configs;
pub(crate) mod scans;
mod schedules;
mod search;
mod tags;
mod targets;
pub(crate) mod vulnerabilities;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(apps::router())
        .merge(files::router())
        .merge(targets::router())
        .merge(tags::router())
        .merge(attack_templates::router())
        .merge(modules::router())
        .merge(scan_configs::router())
        .merge(engines::router())
        .merge(scans::router())
        .merge(schedules::router())
        .merge(search::router())
        .merge(vulnerabilities::router())
        .merge(blackouts::router())
        .merge(reports::router())
}

/// The `links` of an item: its canonical self link.
pub fn self_link(state: &AppState, path: String) -> Vec<rampart_api_types::ias::Link> {
    vec![rampart_api_types::ias::Link::new(
        "self",
        state.ias_url(&path),
    )]
}
