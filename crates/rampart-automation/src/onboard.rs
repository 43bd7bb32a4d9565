//! Onboarding: creates the apps, targets and scan configs of a file that are missing and
//! changes nothing that exists (re-running is a no-op); a dry run only says what it would do.
//! The file format is documented in `examples/onboard.yaml`.

use rampart_api_types::ias::{
    App, AttackTemplate, EngineAssignment, Frequency, IdRef, ScanConfig, ScanConfigOptions,
    Schedule, Target,
};
use rampart_client::{quote, search_type, Client};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use url::Url;
use uuid::Uuid;

/// The onboarding file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnboardFile {
    #[serde(default)]
    pub defaults: Defaults,
    pub apps: Vec<AppSpec>,
}

/// Values every scan config gets unless it says otherwise.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    pub attack_template: Option<String>,
    pub engine_group: Option<String>,
    #[serde(default)]
    pub scan_on_create: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppSpec {
    pub name: String,
    pub description: Option<String>,
    /// Extra target domains (those of the seed and scope URLs are added automatically).
    #[serde(default)]
    pub targets: Vec<String>,
    #[serde(default)]
    pub scan_configs: Vec<ConfigSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigSpec {
    pub name: String,
    pub description: Option<String>,
    pub seed_urls: Vec<String>,
    /// Scope include patterns (wildcards); default: each seed URL's directory + `*`.
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    pub attack_template: Option<String>,
    pub engine_group: Option<String>,
    pub scan_on_create: Option<bool>,
    /// Recurring scans of this config.
    #[serde(default)]
    pub schedules: Vec<ScheduleSpec>,
}

/// A schedule of a scan config: `frequency` (+ `interval`) or `rrule`, exactly one.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleSpec {
    pub name: String,
    /// A §2.3 time, e.g. `2026-01-05T01:00:00Z[Europe/Berlin]`.
    pub first_start: String,
    pub last_start: Option<String>,
    /// ONCE, HOURLY, DAILY, WEEKLY or MONTHLY.
    pub frequency: Option<String>,
    pub interval: Option<i64>,
    /// An RFC 5545 rule, e.g. `FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1`.
    pub rrule: Option<String>,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

impl OnboardFile {
    pub fn parse(text: &str) -> Result<Self, String> {
        let f: OnboardFile = serde_saphyr::from_str(text).map_err(|e| e.to_string())?;
        f.check()?;
        Ok(f)
    }

    fn check(&self) -> Result<(), String> {
        let mut names = BTreeSet::new();
        for a in &self.apps {
            if a.name.trim().is_empty() {
                return Err("an app has an empty name".into());
            }
            if !names.insert(&a.name) {
                return Err(format!("app '{}' is listed twice", a.name));
            }
            let mut cfgs = BTreeSet::new();
            for c in &a.scan_configs {
                if !cfgs.insert(&c.name) {
                    return Err(format!(
                        "scan config '{}' of app '{}' is listed twice",
                        c.name, a.name
                    ));
                }
                if c.seed_urls.is_empty() {
                    return Err(format!(
                        "scan config '{}' of app '{}' has no seed_urls",
                        c.name, a.name
                    ));
                }
                for u in &c.seed_urls {
                    seed(u).map_err(|e| format!("app '{}': {e}", a.name))?;
                }
                let mut schedules = BTreeSet::new();
                for sc in &c.schedules {
                    if !schedules.insert(&sc.name) {
                        return Err(format!(
                            "schedule '{}' of scan config '{}' is listed twice",
                            sc.name, c.name
                        ));
                    }
                    if sc.frequency.is_some() == sc.rrule.is_some() {
                        return Err(format!(
                            "schedule '{}' of scan config '{}' needs exactly one of frequency or rrule",
                            sc.name, c.name
                        ));
                    }
                }
                if c.attack_template.is_none() && self.defaults.attack_template.is_none() {
                    return Err(format!(
                        "scan config '{}' of app '{}' has no attack_template (and defaults has none)",
                        c.name, a.name
                    ));
                }
            }
        }
        Ok(())
    }
}

fn seed(u: &str) -> Result<Url, String> {
    match Url::parse(u) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => Ok(url),
        _ => Err(format!("seed URL {u:?} is not an http(s) URL")),
    }
}

/// The target domain of a URL: its host, lower-case, without the port (a target covers every
/// port of its host). `http://shop.test:8080/x` → `shop.test`.
pub fn domain_of(url: &str) -> Option<String> {
    let u = Url::parse(url).ok()?;
    u.host_str()
        .map(|h| h.trim_end_matches('.').to_ascii_lowercase())
}

/// The domain a scope pattern names, when it is a URL with a literal host (`http://h:1/*`).
fn domain_of_pattern(p: &str) -> Option<String> {
    let rest = p.split_once("://")?.1;
    let host_port = rest.split(['/', '?', '#']).next()?;
    if host_port.contains(['*', '?']) || host_port.is_empty() {
        return None;
    }
    domain_of(&format!("http://{host_port}/"))
}

/// `http://h:1/app/x` → `http://h:1/app/*`.
fn default_include(u: &Url) -> String {
    let mut base = u.clone();
    base.set_query(None);
    base.set_fragment(None);
    let path = base.path();
    let dir = &path[..path.rfind('/').map(|i| i + 1).unwrap_or(path.len())];
    format!("{}{}*", base.origin().ascii_serialization(), dir)
}

/// The options document of a config: seed URLs and scope.
pub fn options(c: &ConfigSpec) -> Value {
    let seeds: Vec<Url> = c.seed_urls.iter().filter_map(|u| seed(u).ok()).collect();
    let includes: Vec<String> = if c.include.is_empty() {
        let mut v: Vec<String> = seeds.iter().map(default_include).collect();
        v.dedup();
        v
    } else {
        c.include.clone()
    };
    let rule = |url: &str, exclusion: &str| json!({"url": url, "method": "ALL", "match_criteria": "WILDCARD", "exclusion": exclusion});
    let mut scope: Vec<Value> = includes.iter().map(|p| rule(p, "INCLUDE")).collect();
    scope.extend(c.exclude.iter().map(|p| rule(p, "EXCLUDE")));
    json!({"crawl_config": {
        "seed_url_list": c.seed_urls.iter().map(|u| json!({"value": u})).collect::<Vec<_>>(),
        "scope_constraint_list": scope,
    }})
}

/// Every target domain an app needs, sorted.
pub fn domains(a: &AppSpec) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for t in &a.targets {
        out.insert(
            domain_of(t)
                .filter(|_| t.contains("://"))
                .unwrap_or_else(|| t.trim().to_ascii_lowercase()),
        );
    }
    for c in &a.scan_configs {
        out.extend(c.seed_urls.iter().filter_map(|u| domain_of(u)));
        out.extend(c.include.iter().filter_map(|p| domain_of_pattern(p)));
    }
    out
}

/// Creates what a file describes, one line per object on `out` (`= app x` exists,
/// `+ created …`, `+ would create …`); returns how many objects were (or would be) created.
pub async fn onboard(
    c: &Client,
    file: &OnboardFile,
    dry_run: bool,
    out: &mut dyn FnMut(String),
) -> Result<usize, String> {
    let mut run = Onboarding {
        c,
        dry: dry_run,
        created: 0,
        out,
    };
    for a in &file.apps {
        run.app(&file.defaults, a).await?;
    }
    Ok(run.created)
}

struct Onboarding<'a> {
    c: &'a Client,
    dry: bool,
    created: usize,
    out: &'a mut dyn FnMut(String),
}

impl Onboarding<'_> {
    fn say(&mut self, done: bool, what: String) {
        let mark = match (done, self.dry) {
            (false, _) => "=",
            (true, true) => "+ would create",
            (true, false) => "+ created",
        };
        (self.out)(format!("{mark} {what}"));
    }

    async fn template(&self, name: &str) -> Result<Uuid, String> {
        let hits: Vec<AttackTemplate> = self
            .c
            .search(
                search_type::ATTACK_TEMPLATE,
                &format!("attacktemplate.name={}", quote(name)),
            )
            .all()
            .await
            .map_err(|e| e.to_string())?;
        hits.into_iter()
            .find(|t| t.name == name)
            .and_then(|t| t.id)
            .ok_or_else(|| format!("attack template '{name}' not found"))
    }

    async fn engine_group(&self, name: &str) -> Result<Uuid, String> {
        let hits: Vec<Value> = self
            .c
            .search(
                search_type::ENGINE_GROUP,
                &format!("enginegroup.name={}", quote(name)),
            )
            .all()
            .await
            .map_err(|e| format!("engine group '{name}' cannot be looked up: {e}"))?;
        hits.iter()
            .find(|g| g["name"] == name)
            .and_then(|g| g["id"].as_str())
            .and_then(|s| Uuid::parse_str(s).ok())
            .ok_or_else(|| format!("engine group '{name}' not found"))
    }

    async fn target(&mut self, domain: &str) -> Result<(), String> {
        let hits: Vec<Target> = self
            .c
            .search(
                search_type::TARGET,
                &format!("target.domain={}", quote(domain)),
            )
            .all()
            .await
            .map_err(|e| e.to_string())?;
        if hits.iter().any(|t| t.domain.eq_ignore_ascii_case(domain)) {
            self.say(false, format!("target {domain}"));
            return Ok(());
        }
        if !self.dry {
            let t = Target {
                domain: domain.to_string(),
                enabled: Some(true),
                ..Default::default()
            };
            self.c
                .create_target(&t)
                .await
                .map_err(|e| format!("cannot create target {domain}: {e}"))?;
        }
        self.created += 1;
        self.say(true, format!("target {domain}"));
        Ok(())
    }

    async fn app(&mut self, defaults: &Defaults, a: &AppSpec) -> Result<(), String> {
        // Look everything up before creating anything, so that an unknown template or
        // engine group stops the app before it is half made.
        let mut resolved = Vec::new();
        for cfg in &a.scan_configs {
            let tname = cfg
                .attack_template
                .as_deref()
                .or(defaults.attack_template.as_deref())
                .unwrap_or_default();
            let template = self.template(tname).await?;
            let group = match cfg
                .engine_group
                .as_deref()
                .or(defaults.engine_group.as_deref())
            {
                Some(g) => Some(self.engine_group(g).await?),
                None => None,
            };
            resolved.push((template, group));
        }
        let hits: Vec<App> = self
            .c
            .search(search_type::APP, &format!("app.name={}", quote(&a.name)))
            .all()
            .await
            .map_err(|e| e.to_string())?;
        let existing = hits
            .into_iter()
            .find(|x| x.name == a.name)
            .and_then(|x| x.id);
        let app_id = match existing {
            Some(id) => {
                self.say(false, format!("app {}", a.name));
                Some(id)
            }
            None => {
                let id = if self.dry {
                    None
                } else {
                    let body = App {
                        name: a.name.clone(),
                        description: a.description.clone(),
                        ..Default::default()
                    };
                    Some(
                        self.c
                            .create_app(&body)
                            .await
                            .map_err(|e| format!("cannot create app '{}': {e}", a.name))?,
                    )
                };
                self.created += 1;
                self.say(true, format!("app {}", a.name));
                id
            }
        };
        for d in domains(a) {
            self.target(&d).await?;
        }
        for (cfg, (template, group)) in a.scan_configs.iter().zip(resolved) {
            self.config(a, app_id, cfg, template, group, defaults.scan_on_create)
                .await?;
        }
        Ok(())
    }

    async fn config(
        &mut self,
        a: &AppSpec,
        app_id: Option<Uuid>,
        cfg: &ConfigSpec,
        template: Uuid,
        group: Option<Uuid>,
        scan_default: bool,
    ) -> Result<(), String> {
        let label = format!("scan config {} / {}", a.name, cfg.name);
        if let Some(app) = app_id {
            let q = format!(
                "scanconfig.name={} && scanconfig.app.id={}",
                quote(&cfg.name),
                quote(&app.to_string())
            );
            let hits: Vec<ScanConfig> = self
                .c
                .search(search_type::SCAN_CONFIG, &q)
                .all()
                .await
                .map_err(|e| e.to_string())?;
            if let Some(found) = hits.iter().find(|s| s.name == cfg.name) {
                self.say(false, label);
                return self.schedules(a, cfg, found.id).await;
            }
        }
        let scan = cfg.scan_on_create.unwrap_or(scan_default);
        self.created += 1;
        let Some(app) = app_id.filter(|_| !self.dry) else {
            self.say(true, label);
            if scan {
                (self.out)(format!(
                    "+ would submit a scan of {} / {}",
                    a.name, cfg.name
                ));
            }
            return self.schedules(a, cfg, None).await;
        };
        let body = ScanConfig {
            name: cfg.name.clone(),
            description: cfg.description.clone(),
            app: Some(IdRef { id: app }),
            attack_template: Some(IdRef { id: template }),
            assignment: group.map(|id| EngineAssignment {
                kind: "ENGINE_GROUP".into(),
                id: Some(id),
                environment: "ON_PREMISE".into(),
            }),
            ..Default::default()
        };
        let id = self
            .c
            .create_scan_config(&body)
            .await
            .map_err(|e| format!("cannot create {label}: {e}"))?;
        self.c
            .put_scan_config_options(id, &ScanConfigOptions(options(cfg)))
            .await
            .map_err(|e| format!("cannot set the options of {label}: {e}"))?;
        self.say(true, format!("{label} ({id})"));
        self.schedules(a, cfg, Some(id)).await?;
        if scan {
            let scan = self
                .c
                .submit_scan(id)
                .await
                .map_err(|e| format!("cannot submit a scan of {label}: {e}"))?;
            (self.out)(format!(
                "+ submitted scan {scan} of {} / {}",
                a.name, cfg.name
            ));
        }
        Ok(())
    }
}

impl Onboarding<'_> {
    /// The schedules of a config (`None`: the config does not exist yet, a dry run).
    async fn schedules(
        &mut self,
        a: &AppSpec,
        cfg: &ConfigSpec,
        cfg_id: Option<Uuid>,
    ) -> Result<(), String> {
        for sc in &cfg.schedules {
            let label = format!("schedule {} / {} / {}", a.name, cfg.name, sc.name);
            if let Some(id) = cfg_id {
                let q = format!(
                    "schedule.name={} && schedule.scan_config.id={}",
                    quote(&sc.name),
                    quote(&id.to_string())
                );
                let hits: Vec<Schedule> = self
                    .c
                    .search(search_type::SCHEDULE, &q)
                    .all()
                    .await
                    .map_err(|e| e.to_string())?;
                if hits.iter().any(|s| s.name == sc.name) {
                    self.say(false, label);
                    continue;
                }
            }
            self.created += 1;
            let Some(id) = cfg_id.filter(|_| !self.dry) else {
                self.say(true, label);
                continue;
            };
            let body = Schedule {
                name: sc.name.clone(),
                enabled: Some(sc.enabled),
                scan_config: Some(IdRef { id }),
                first_start: Some(sc.first_start.clone()),
                last_start: sc.last_start.clone(),
                frequency: sc.frequency.as_ref().map(|k| Frequency {
                    kind: Some(k.to_ascii_uppercase()),
                    interval: Some(sc.interval.unwrap_or(1)),
                }),
                rrule: sc.rrule.clone(),
                ..Default::default()
            };
            let sid = self
                .c
                .create_schedule(&body)
                .await
                .map_err(|e| format!("cannot create {label}: {e}"))?;
            self.say(true, format!("{label} ({sid})"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_come_from_hosts_without_ports() {
        assert_eq!(
            domain_of("http://shop.test:8080/a?b").as_deref(),
            Some("shop.test")
        );
        assert_eq!(
            domain_of("https://API.Example.COM/").as_deref(),
            Some("api.example.com")
        );
        assert_eq!(
            domain_of("http://127.0.0.1:3000/").as_deref(),
            Some("127.0.0.1")
        );
        assert_eq!(domain_of("http://[::1]:3000/").as_deref(), Some("[::1]"));
        assert_eq!(
            domain_of_pattern("http://cdn.shop.test:81/*").as_deref(),
            Some("cdn.shop.test")
        );
        assert_eq!(domain_of_pattern("http://*.shop.test/*"), None);
        assert_eq!(domain_of_pattern("*/logout*"), None);
        assert_eq!(
            default_include(&Url::parse("http://h.test:8080/app/login.php?x=1").unwrap()),
            "http://h.test:8080/app/*"
        );
        assert_eq!(
            default_include(&Url::parse("http://h.test").unwrap()),
            "http://h.test/*"
        );
    }

    #[test]
    fn the_example_file_parses_and_says_what_it_means() {
        let text = include_str!("../../../examples/onboard.yaml");
        let f = OnboardFile::parse(text).expect("examples/onboard.yaml is valid");
        assert!(f.apps.len() >= 2);
        let shop = &f.apps[0];
        let ds: Vec<String> = domains(shop).into_iter().collect();
        assert!(
            ds.iter().all(|d| !d.contains(':') && !d.contains('/')),
            "{ds:?}"
        );
        let schedules = &shop.scan_configs[0].schedules;
        assert_eq!(schedules.len(), 2);
        assert_eq!(schedules[0].frequency.as_deref(), Some("DAILY"));
        assert!(schedules[1].rrule.is_some() && schedules[1].enabled);
        let o = options(&shop.scan_configs[0]);
        assert!(!o["crawl_config"]["seed_url_list"]
            .as_array()
            .unwrap()
            .is_empty());
        assert!(!o["crawl_config"]["scope_constraint_list"]
            .as_array()
            .unwrap()
            .is_empty());
    }

    #[test]
    fn bad_files_are_explained() {
        for (text, msg) in [
            ("apps: [{name: a}, {name: a}]", "listed twice"),
            (
                "apps: [{name: a, scan_configs: [{name: c, seed_urls: []}]}]",
                "no seed_urls",
            ),
            (
                "apps: [{name: a, scan_configs: [{name: c, seed_urls: ['ftp://x']}]}]",
                "not an http(s) URL",
            ),
            (
                "apps: [{name: a, scan_configs: [{name: c, seed_urls: ['http://x']}]}]",
                "no attack_template",
            ),
            ("apps: [{name: a, colour: red}]", "unknown field `colour`"),
            (
                "apps: [{name: a, scan_configs: [{name: c, seed_urls: ['http://x'], attack_template: t, \
                 schedules: [{name: s, first_start: '2026-01-05', frequency: DAILY, rrule: 'FREQ=DAILY'}]}]}]",
                "exactly one of frequency or rrule",
            ),
            (
                "apps: [{name: a, scan_configs: [{name: c, seed_urls: ['http://x'], attack_template: t, \
                 schedules: [{name: s, first_start: '2026-01-05'}]}]}]",
                "exactly one of frequency or rrule",
            ),
        ] {
            let e = OnboardFile::parse(text).unwrap_err();
            assert!(e.contains(msg), "{text}: {e}");
        }
    }
}
