//! Looking apps and scan configs up by name or id, the way every automation command does.

use rampart_api_types::ias::{App, ScanConfig};
use rampart_client::{quote, search_type, Client};
use uuid::Uuid;

/// An app by id or by exact name.
pub async fn find_app(c: &Client, name_or_id: &str) -> Result<App, String> {
    if let Ok(id) = Uuid::parse_str(name_or_id) {
        return c.get_app(id).await.map_err(|e| {
            if e.is_not_found() {
                format!("app {name_or_id} not found")
            } else {
                e.to_string()
            }
        });
    }
    let apps: Vec<App> = c
        .search(search_type::APP, &format!("app.name={}", quote(name_or_id)))
        .all()
        .await
        .map_err(|e| e.to_string())?;
    let mut hits: Vec<App> = apps.into_iter().filter(|a| a.name == name_or_id).collect();
    match hits.len() {
        0 => Err(format!("app '{name_or_id}' not found")),
        1 => Ok(hits.remove(0)),
        n => Err(format!(
            "{n} apps are named '{name_or_id}': pass the app id instead"
        )),
    }
}

/// A scan config of `app` by id or by exact name.
pub async fn find_config(c: &Client, app: &App, name_or_id: &str) -> Result<ScanConfig, String> {
    let app_id = app.id.unwrap_or_default();
    if let Ok(id) = Uuid::parse_str(name_or_id) {
        let cfg = c.get_scan_config(id).await.map_err(|e| {
            if e.is_not_found() {
                format!("scan config {name_or_id} not found")
            } else {
                e.to_string()
            }
        })?;
        if cfg.app.map(|a| a.id) != Some(app_id) {
            return Err(format!(
                "scan config {name_or_id} does not belong to app '{}'",
                app.name
            ));
        }
        return Ok(cfg);
    }
    let q = format!(
        "scanconfig.name={} && scanconfig.app.id={}",
        quote(name_or_id),
        quote(&app_id.to_string())
    );
    let mut hits: Vec<ScanConfig> = c
        .search::<ScanConfig>(search_type::SCAN_CONFIG, &q)
        .all()
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|s| s.name == name_or_id)
        .collect();
    match hits.len() {
        0 => Err(format!(
            "scan config '{name_or_id}' not found in app '{}'",
            app.name
        )),
        1 => Ok(hits.remove(0)),
        n => Err(format!(
            "{n} scan configs of app '{}' are named '{name_or_id}': pass the id instead",
            app.name
        )),
    }
}

/// An identity group by id or exact name.
pub async fn find_group(
    c: &Client,
    name_or_id: &str,
) -> Result<rampart_api_types::identity::IdentityGroup, String> {
    let groups = c.identity_groups().await.map_err(|e| e.to_string())?;
    let id = Uuid::parse_str(name_or_id).ok();
    groups
        .into_iter()
        .find(|g| g.id.is_some() && (g.id == id || g.name.as_deref() == Some(name_or_id)))
        .ok_or_else(|| format!("identity group '{name_or_id}' not found"))
}

/// A principal a command names: a user by email or id, or a service account by name or
/// id. Answers its id and its kind (`user` or `service_account`).
pub async fn find_principal(c: &Client, who: &str) -> Result<(Uuid, &'static str), String> {
    let id = Uuid::parse_str(who).ok();
    let users = c.users().await.map_err(|e| e.to_string())?;
    if let Some(u) = users
        .iter()
        .find(|u| u.id.is_some() && (u.id == id || u.email.as_deref() == Some(who)))
    {
        return Ok((u.id.unwrap_or_default(), "user"));
    }
    let accounts = c.service_accounts().await.map_err(|e| e.to_string())?;
    accounts
        .iter()
        .find(|a| a.id.is_some() && (a.id == id || a.name.as_deref() == Some(who)))
        .map(|a| (a.id.unwrap_or_default(), "service_account"))
        .ok_or_else(|| format!("no user or service account '{who}'"))
}
