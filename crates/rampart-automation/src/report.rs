//! Report assembly: reads server scans (one by id, or the latest COMPLETE scan of each
//! app/config pair of a YAML file) and builds one report model with the API adapter.

use crate::lookup::{find_app, find_config};
use crate::run::module_names;
use rampart_api_types::ias::Scan;
use rampart_client::{quote, search_type, Client};
use rampart_report::api::{self, ScanData};
use rampart_report::{ReportModel, Tool};
use serde::Deserialize;
use uuid::Uuid;

/// One entry of a pairs file: `{app: NAME|ID, config: NAME|ID}`.
#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Pair {
    pub app: String,
    pub config: String,
}

/// A pairs file: a YAML list of `{app, config}`, at least one.
pub fn parse_pairs(text: &str) -> Result<Vec<Pair>, String> {
    let pairs: Vec<Pair> = serde_saphyr::from_str(text).map_err(|e| e.to_string())?;
    if pairs.is_empty() {
        return Err("no pairs".into());
    }
    Ok(pairs)
}

/// Everything a report needs about one scan.
pub async fn fetch(c: &Client, scan_id: Uuid) -> Result<ScanData, String> {
    let scan = c.get_scan(scan_id).await.map_err(|e| {
        if e.is_not_found() {
            format!("scan {scan_id} not found")
        } else {
            e.to_string()
        }
    })?;
    let (mut app, mut config, mut template, mut target) =
        (String::new(), String::new(), String::new(), String::new());
    if let Some(a) = scan.app {
        app = c.get_app(a.id).await.map(|a| a.name).unwrap_or_default();
    }
    if let Some(cid) = scan.scan_config.map(|r| r.id) {
        if let Ok(cfg) = c.get_scan_config(cid).await {
            config = cfg.name;
            if let Some(t) = cfg.attack_template {
                template = c
                    .get_attack_template(t.id)
                    .await
                    .map(|t| t.name)
                    .unwrap_or_default();
            }
        }
        if let Ok(o) = c.scan_config_options(cid).await {
            target = o.0["crawl_config"]["seed_url_list"][0]["value"]
                .as_str()
                .unwrap_or_default()
                .to_string();
        }
    }
    if target.is_empty() {
        target = format!("{app} / {config}");
    }
    let mut details = c.execution_details(scan_id).await.ok();
    let coverage = details.as_mut().and_then(|d| d.coverage.take());
    let vulnerabilities = c
        .scan_vulnerabilities(scan_id, None)
        .all()
        .await
        .map_err(|e| format!("cannot read the findings of scan {scan_id}: {e}"))?;
    Ok(ScanData {
        scan,
        app,
        config,
        template,
        target,
        details,
        coverage,
        vulnerabilities,
    })
}

/// The latest COMPLETE scan of an app/config pair.
pub async fn latest_complete(c: &Client, p: &Pair) -> Result<Uuid, String> {
    let app = find_app(c, &p.app).await?;
    let cfg = find_config(c, &app, &p.config).await?;
    let q = format!(
        "scan.app.id={} && scan.scan_config.id={} && scan.status='COMPLETE'",
        quote(&app.id.unwrap_or_default().to_string()),
        quote(&cfg.id.unwrap_or_default().to_string())
    );
    let scans: Vec<Scan> = c
        .search(search_type::SCAN, &q)
        .all()
        .await
        .map_err(|e| e.to_string())?;
    scans
        .into_iter()
        .filter(|s| s.status.as_deref() == Some("COMPLETE"))
        .max_by(|a, b| a.completion_time.cmp(&b.completion_time))
        .and_then(|s| s.id)
        .ok_or_else(|| format!("{} / {} has no COMPLETE scan", app.name, cfg.name))
}

/// The latest COMPLETE scan of each pair, in order.
pub async fn latest_of_pairs(c: &Client, pairs: &[Pair]) -> Result<Vec<Uuid>, String> {
    let mut ids = vec![];
    for p in pairs {
        ids.push(latest_complete(c, p).await?);
    }
    Ok(ids)
}

/// One report model for these scans, with the server's module names for modules the
/// engine catalogue does not know.
pub async fn assemble(c: &Client, tool: Tool, scan_ids: &[Uuid]) -> Result<ReportModel, String> {
    let mut data = vec![];
    for id in scan_ids {
        data.push(fetch(c, *id).await?);
    }
    let modules = module_names(c).await;
    Ok(api::model(tool, &data, &modules))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_files_parse_and_empty_or_unknown_keys_are_explained() {
        let p = parse_pairs("- {app: shop, config: full}\n- app: blog\n  config: quick\n").unwrap();
        assert_eq!(
            p,
            vec![
                Pair {
                    app: "shop".into(),
                    config: "full".into()
                },
                Pair {
                    app: "blog".into(),
                    config: "quick".into()
                }
            ]
        );
        assert_eq!(parse_pairs("[]").unwrap_err(), "no pairs");
        assert!(parse_pairs("- {app: a, config: b, colour: red}")
            .unwrap_err()
            .contains("colour"));
    }
}
