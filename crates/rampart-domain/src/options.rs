//! Scan-config options (`ScanConfigOptions`): defaults, merge, shape checks and the
//! configuration problems reported in a scan config's `errors[]`.
//!
//! The document has hundreds of fields (reference Appendix A); rampart stores it as
//! JSON and reads the part the engine uses through the typed [`OptionsView`]. Unknown
//! fields are kept; known fields must have the documented type and enum values.

use serde::Deserialize;
use serde_json::{json, Map, Value};

/// The part of the options that rampart reads. Every field is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OptionsView {
    /// `DEFAULT|INTERNET_EXPLORER|CHROME|CHROMIUM`: `CHROME` and `CHROMIUM` turn the browser
    /// crawl on (rampart's default is the HTML crawler alone).
    pub java_script_engine: Option<String>,
    pub crawl_config: CrawlConfig,
    pub attacker_config: AttackerConfig,
    pub auth_config: AuthConfig,
    pub http_headers_config: HttpHeadersConfig,
    pub network_settings_config: NetworkSettingsConfig,
    pub performance_config: PerformanceConfig,
    pub web_service_config: WebServiceConfig,
    pub manual_crawling_config: ManualCrawlingConfig,
    pub ssl_cert_config: SslCertConfig,
    pub selenium_config: SeleniumConfig,
    pub macro_config: MacroConfig,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WebServiceConfig {
    pub swagger_file_list: Vec<SwaggerFile>,
    pub graph_ql_config_object_list: Vec<GraphQlConfigObject>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SwaggerFile {
    /// The name of a SWAGGER file of the config's app.
    pub value: String,
    pub host_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GraphQlConfigObject {
    pub enabled: Option<bool>,
    /// The name of a GRAPHQL file of the config's app.
    pub introspection_schema_file_path: Option<String>,
    pub graph_ql_endpoint_url: Option<String>,
    pub verb: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ManualCrawlingConfig {
    pub traffic_file_list: Vec<TrafficFile>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TrafficFile {
    pub traffic_file_name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SslCertConfig {
    /// `NO_CERT` or `CERTIFICATE`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The name of a CERTIFICATE file of the config's app.
    pub file: Option<String>,
    pub password: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SeleniumConfig {
    pub selenium_file_list: Vec<SeleniumFile>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SeleniumFile {
    pub selenium_file_name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MacroConfig {
    pub macro_file_list: Vec<MacroFile>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MacroFile {
    pub macro_file_name: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CrawlConfig {
    pub max_scan_time_in_minutes: Option<i64>,
    pub max_crawl_results: Option<i64>,
    /// URLs crawled per normalized link (method, path pattern, parameter names).
    pub max_per_normalized_link_crawl_result: Option<i64>,
    /// Browser crawl: the time budget of one page (one state, its clicks and forms).
    pub page_timeout_milliseconds: Option<i64>,
    /// Browser crawl: elements clicked per state (`max_browser_events_per_link` when absent).
    pub max_browser_events_per_dom: Option<i64>,
    pub max_browser_events_per_link: Option<i64>,
    pub crawler_initialization_config: CrawlerInitializationConfig,
    pub seed_url_list: Vec<SeedUrl>,
    pub scope_constraint_list: Vec<ScopeConstraint>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AttackerConfig {
    pub scope_constraint_list: Vec<ScopeConstraint>,
    pub out_of_band_host: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AuthConfig {
    #[serde(rename = "type")]
    pub kind: Option<AuthType>,
    pub username_form: Option<String>,
    pub password_form: Option<String>,
    pub login_link_regex: Option<String>,
    pub logged_in_regex: Option<String>,
    pub session_loss_regex: Option<String>,
    pub logout_link_regex: Option<String>,
    pub seed_link: Option<String>,
    pub selenium_file: Option<SeleniumFile>,
    pub macro_file: Option<MacroFile>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuthType {
    None,
    Form,
    Macro,
    SessionTakeover,
    Selenium,
    Traffic,
    RemoteBootstrap,
    SsoRedirect,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct HttpHeadersConfig {
    pub cookie: Option<String>,
    pub user_agent: Option<String>,
    pub custom_headers_list: Vec<ValueItem>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NetworkSettingsConfig {
    pub drip_delay_milli_seconds: Option<i64>,
    pub max_response_size: Option<i64>,
    pub read_timeout: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PerformanceConfig {
    pub max_concurrent_requests: Option<i64>,
    /// Browser crawl: no new page while the browser holds more than this many MiB.
    pub memory_ceiling64_bit: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CrawlerInitializationConfig {
    /// Browser crawl: pages rendered at once.
    pub browser_pool_size: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
pub struct SeedUrl {
    #[serde(default)]
    pub value: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct ValueItem {
    #[serde(default)]
    pub value: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct ScopeConstraint {
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub method: Option<ScopeMethod>,
    #[serde(default)]
    pub match_criteria: Option<MatchCriteria>,
    #[serde(default)]
    pub exclusion: Option<Exclusion>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ScopeMethod {
    All,
    Get,
    Post,
    Head,
    Put,
    Patch,
    Delete,
    Trace,
    Connect,
    Options,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum MatchCriteria {
    Literal,
    Wildcard,
    Regex,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Exclusion {
    Include,
    Exclude,
}

/// A shape problem in an options document: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct OptionsShapeError {
    pub path: String,
    pub message: String,
}

/// Reads the typed view; an error names the property path.
pub fn view(doc: &Value) -> Result<OptionsView, OptionsShapeError> {
    if !doc.is_object() {
        return Err(OptionsShapeError {
            path: "options".into(),
            message: "must be a JSON object".into(),
        });
    }
    serde_path_to_error::deserialize(doc.clone()).map_err(|e| OptionsShapeError {
        path: e.path().to_string(),
        message: e.inner().to_string(),
    })
}

/// The configuration problems that a scan with this document would fail on; they are
/// reported in the scan config's `errors[]`.
pub fn config_errors(doc: &Value) -> Vec<String> {
    let Ok(v) = view(doc) else {
        return vec!["Scan config options are malformed".to_string()];
    };
    let mut errors = Vec::new();
    if v.crawl_config.seed_url_list.is_empty() {
        errors.push("Seed URL list must not be empty".to_string());
    }
    if v.crawl_config.scope_constraint_list.is_empty() {
        errors.push("Crawling Scope Constraint list must not be empty".to_string());
    }
    for seed in &v.crawl_config.seed_url_list {
        match url::Url::parse(&seed.value) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {}
            _ => errors.push(format!(
                "Seed URL '{}' is not a valid http(s) URL",
                seed.value
            )),
        }
    }
    for rule in &v.crawl_config.scope_constraint_list {
        if rule.url.trim().is_empty() {
            errors.push("Scope constraint URL must not be empty".to_string());
        } else if rule.match_criteria == Some(MatchCriteria::Regex)
            && regex::Regex::new(&rule.url).is_err()
        {
            errors.push(format!("Scope constraint regex '{}' is invalid", rule.url));
        }
    }
    errors
}

/// The default options document (`GET /scan-configs/options/default`).
pub fn defaults() -> Value {
    json!({
        "detailed_logging": false,
        "display_imminent_license_expiry_message": false,
        "java_script_engine": "DEFAULT",
        "scan_module_parameter_files_list": [],
        "crawl_config": {
            "max_scan_time_in_minutes": 0,
            "max_crawl_results": 5000,
            "max_per_dir_crawl_results": 500,
            "max_per_link_crawl_results": 20,
            "recursion_depth": 30,
            "max_dir_depth": 10,
            "crawl_prioritization": "SMART",
            "stay_on_port": true,
            "enable_robotstxt_sitemap_crawling": true,
            "search_for_urls": true,
            "case_sensitivity": "AUTO_DETECT",
            "seed_url_list": [],
            "scope_constraint_list": [],
            "deny_list_extension_list": [
                {"value": "jpg"}, {"value": "jpeg"}, {"value": "png"}, {"value": "gif"},
                {"value": "ico"}, {"value": "woff"}, {"value": "woff2"}, {"value": "ttf"},
                {"value": "mp4"}, {"value": "pdf"}, {"value": "zip"}
            ]
        },
        "attacker_config": {
            "max_same_name_parameter_attack_points": 5,
            "max_parameter_attack_points_per_link": 30,
            "apply_crawler_constraints": true,
            "exclude_low_confidence_findings": false,
            "scope_constraint_list": [],
            "default_do_not_attack_param_list": [
                {"parameter_name": "__VIEWSTATE", "match_criteria": "LITERAL"},
                {"parameter_name": "__EVENTVALIDATION", "match_criteria": "LITERAL"}
            ],
            "user_do_not_attack_param_list": []
        },
        "auth_config": {
            "type": "NONE",
            "relogin_after_session_loss": true,
            "logout_detection": true,
            "logout_link_regex": "(?i)(log|sign)[-_ ]?(out|off)"
        },
        "proxy_config": {"type": "NO_PROXY"},
        "ssl_cert_config": {"type": "NO_CERT"},
        "network_settings_config": {
            "max_retries": 2,
            "max_response_size": 4194304,
            "connect_timeout": 10000,
            "read_timeout": 30000,
            "drip_delay_milli_seconds": 0,
            "max_consecutive_failures": 50
        },
        "performance_config": {"max_concurrent_requests": 10, "anti_dos": true},
        "http_headers_config": {
            "user_agent": "rampart",
            "overwrite_with_default_headers": false,
            "do_not_attack_user_agent": true,
            "custom_headers_list": [],
            "traffic_header_list": []
        }
    })
}

/// `base` with every member of `partial` laid over it, recursively for objects; arrays
/// and scalars in `partial` replace. Used for PUT (defaults ⊕ document).
pub fn overlay(base: &Value, partial: &Value) -> Value {
    match (base, partial) {
        (Value::Object(b), Value::Object(p)) => {
            let mut out: Map<String, Value> = b.clone();
            for (k, v) in p {
                let merged = match out.get(k) {
                    Some(old) => overlay(old, v),
                    None => v.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Value::Object(out)
        }
        (_, p) => p.clone(),
    }
}

/// JSON Merge Patch (RFC 7396): `null` removes a member. Used for PATCH.
pub fn merge_patch(target: &Value, patch: &Value) -> Value {
    match patch {
        Value::Object(p) => {
            let mut out = match target {
                Value::Object(t) => t.clone(),
                _ => Map::new(),
            };
            for (k, v) in p {
                if v.is_null() {
                    out.remove(k);
                } else {
                    let merged = merge_patch(out.get(k).unwrap_or(&Value::Null), v);
                    out.insert(k.clone(), merged);
                }
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_lists_are_config_errors() {
        let errs = config_errors(&defaults());
        assert_eq!(
            errs,
            vec![
                "Seed URL list must not be empty",
                "Crawling Scope Constraint list must not be empty"
            ]
        );
    }

    #[test]
    fn onboarding_partial_document_is_valid() {
        let partial = json!({"crawl_config": {
            "scope_constraint_list": [{"url": "https://host.test/*", "exclusion": "INCLUDE"}],
            "seed_url_list": [{"value": "https://host.test"}]}});
        let doc = overlay(&defaults(), &partial);
        assert!(config_errors(&doc).is_empty());
        assert_eq!(doc["crawl_config"]["max_crawl_results"], json!(5000));
    }

    #[test]
    fn invalid_regex_scope_is_a_config_error() {
        let scope = |url: &str| {
            json!({"crawl_config": {
                "seed_url_list": [{"value": "https://h.test/"}],
                "scope_constraint_list": [{"url": url, "match_criteria": "REGEX", "exclusion": "INCLUDE"}]}})
        };
        assert!(config_errors(&scope("^https://h\\.test/.*$")).is_empty());
        assert_eq!(
            config_errors(&scope("https://h.test/(unclosed")),
            vec!["Scope constraint regex 'https://h.test/(unclosed' is invalid"]
        );
    }

    #[test]
    fn wrong_enum_names_its_path() {
        let doc = json!({"crawl_config": {"scope_constraint_list": [{"url": "x", "exclusion": "MAYBE"}]}});
        let err = view(&doc).unwrap_err();
        assert_eq!(err.path, "crawl_config.scope_constraint_list[0].exclusion");
    }

    #[test]
    fn merge_patch_removes_nulls_and_merges_objects() {
        let t = json!({"a": {"b": 1, "c": 2}, "d": 3});
        let p = json!({"a": {"b": null, "e": 4}, "d": [1]});
        assert_eq!(
            merge_patch(&t, &p),
            json!({"a": {"c": 2, "e": 4}, "d": [1]})
        );
    }
}
