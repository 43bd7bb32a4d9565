//! Stored cross-site scripting by canary tracking.

use super::common::inject;
use super::xss_confirm::{settle, uncertainty, Pending, Try, MAX_TRIES};
use super::xss_reflected::{contexts, payloads, proven};
use crate::catalogue::{locs, module_id, OWASP_A03};
use crate::client::{Observer, Purpose, SendError, Sent};
use crate::crawl::{CrawlOutput, Navigation};
use crate::ctx::{Ctx, Hit};
use crate::finding::{Confidence, Report};
use crate::http::{HttpRequest, HttpResponse};
use crate::target::{InsertionPoint, Resource};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};
use regex::Regex;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use url::Url;

pub(crate) const KEY: &str = "xss_stored";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "Cross-Site Scripting (Stored)",
        description: "<p>Input submitted to one request is stored and later rendered to other users without encoding.</p><p>The engine plants unique canaries (in form inputs, and in the User-Agent, Referer and X-Forwarded-For headers that visitor logs show) and looks for them on every later response; a canary found elsewhere is attributed to the input that planted it and then confirmed with a payload parsed as HTML.</p>",
        recommendation: "Encode stored data when it is rendered, in the output context; validate input on the way in; add a strict Content-Security-Policy.",
        module_type: ModuleType::Active,
        severity: Severity::High,
        cwe: 79,
        wasc: Some(8),
        owasp_2021: "A03:2021-Injection",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N",
        parameter_locations: locs::QUERY_POST,
        references: &[
            ("CWE-79: Improper Neutralization of Input During Web Page Generation", "https://cwe.mitre.org/data/definitions/79.html"),
            ("OWASP XSS Prevention Cheat Sheet", "https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html"),
            OWASP_A03,
        ],
        attacks: &[
            AttackMeta {
                id: "SXSS_01",
                kind: "Stored canary",
                class: "Cross-Site Scripting",
                description: "A unique canary planted in an input and found on a different page later.",
            },
            AttackMeta {
                id: "SXSS_02",
                kind: "Stored payload",
                class: "Cross-Site Scripting",
                description: "A script payload planted in the input that stored the canary, confirmed as a parsed element on the page that shows it.",
            },
        ],
    }
}

/// Pages re-fetched at the end to look for canaries (budget).
const MAX_REVISIT: usize = 400;

/// Distinct paths whose request headers carry canaries, at most (one request each).
const MAX_HEADER_PLANTS: usize = 300;

/// Request headers that applications log and show later (visitor logs, admin dashboards):
/// the name and a harmless value around the canary.
const LOGGED_HEADERS: &[(&str, &str)] = &[
    ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) "),
    ("Referer", "https://www.example.com/?"),
    ("X-Forwarded-For", ""),
];

static CANARY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new("rms[a-z0-9]{8}").unwrap_or_else(|_| unreachable!("literal regex"))
});

#[derive(Clone)]
struct Plant {
    resource: Resource,
    point: InsertionPoint,
}

/// Canaries planted during the scan and where they were seen later.
#[derive(Default)]
pub(crate) struct Canaries {
    planted: Mutex<HashMap<String, Plant>>,
    sightings: Mutex<Vec<(String, Url)>>,
    /// Paths whose request headers already carried canaries.
    header_paths: Mutex<std::collections::HashSet<String>>,
}

impl Observer for Canaries {
    fn observe(&self, _purpose: Purpose, req: &HttpRequest, resp: &HttpResponse) -> Vec<Report> {
        let text = resp.text();
        if !text.contains("rms") {
            return Vec::new();
        }
        // Everything the request carried: a canary in it is reflected, not stored.
        let headers: Vec<&str> = req.headers.iter().map(|(_, v)| v.as_str()).collect();
        let sent_text = format!(
            "{} {} {}",
            req.url,
            String::from_utf8_lossy(req.body.as_deref().unwrap_or_default()),
            headers.join(" ")
        );
        let planted = match self.planted.lock() {
            Ok(p) => p,
            Err(p) => p.into_inner(),
        };
        let mut new = Vec::new();
        for m in CANARY.find_iter(&text) {
            let c = m.as_str();
            // Seen on a response to a request that did not carry it: it was stored.
            if planted.contains_key(c) && !sent_text.contains(c) && req.method == "GET" {
                new.push((c.to_string(), req.url.clone()));
            }
        }
        drop(planted);
        if !new.is_empty() {
            if let Ok(mut s) = self.sightings.lock() {
                for n in new {
                    if !s.contains(&n) && s.len() < 1000 {
                        s.push(n);
                    }
                }
            }
        }
        Vec::new()
    }
}

/// Plants a canary through the parameter (forms and state-changing requests only).
pub(crate) async fn attack(
    ctx: &Ctx,
    r: &Resource,
    _orig: &Sent,
    p: &InsertionPoint,
) -> Result<(), SendError> {
    if r.method == "GET" && !r.form {
        return Ok(());
    }
    let canary = format!("rms{}", crate::rand_id(8));
    if let Ok(mut pl) = ctx.canaries.planted.lock() {
        pl.insert(
            canary.clone(),
            Plant {
                resource: r.clone(),
                point: p.clone(),
            },
        );
    }
    inject(ctx, r, p, &canary).await?;
    // Look at the form's own page right away: busy sites push old entries out quickly.
    if let Some(page) = r.referer.clone() {
        ctx.send(HttpRequest::get(page)).await?;
    }
    Ok(())
}

/// Plants canaries in the request headers applications log (`User-Agent`, `Referer`,
/// `X-Forwarded-For`): one request per distinct path, each header with its own canary, so a
/// page that later shows a visitor log is attributed to the header and the path that fed it.
pub(crate) async fn plant_headers(ctx: &Ctx, r: &Resource, _orig: &Sent) -> Result<(), SendError> {
    use rampart_domain::ParameterLocation as L;
    let plan = ctx.http.plan();
    let locations = plan
        .modules
        .settings(KEY)
        .locations
        .unwrap_or_else(|| plan.modules.locations.clone());
    if r.method != "GET" || !locations.contains(&L::HttpHeader) {
        return Ok(());
    }
    {
        let Ok(mut paths) = ctx.canaries.header_paths.lock() else {
            return Ok(());
        };
        if paths.len() >= MAX_HEADER_PLANTS || !paths.insert(r.url.path().to_string()) {
            return Ok(());
        }
    }
    let mut hr = r.clone();
    hr.headers.retain(|(n, _)| !n.eq_ignore_ascii_case("x-forwarded-for"));
    hr.headers
        .push(("X-Forwarded-For".to_string(), "203.0.113.7".to_string()));
    let points: Vec<InsertionPoint> = hr
        .points(&[L::HttpHeader, L::Referer], &[])
        .into_iter()
        .filter(|p| LOGGED_HEADERS.iter().any(|(n, _)| p.name.eq_ignore_ascii_case(n)))
        .collect();
    let mut req = hr.to_request();
    for p in points {
        let canary = format!("rms{}", crate::rand_id(8));
        let prefix = LOGGED_HEADERS
            .iter()
            .find(|(n, _)| p.name.eq_ignore_ascii_case(n))
            .map_or("", |(_, v)| *v);
        req.set_header(&p.name, format!("{prefix}{canary}"));
        if let Ok(mut pl) = ctx.canaries.planted.lock() {
            pl.insert(
                canary,
                Plant {
                    resource: hr.clone(),
                    point: p,
                },
            );
        }
    }
    ctx.send(req).await?;
    Ok(())
}

/// Revisits pages, attributes sightings to their plants and confirms with a payload.
pub(crate) async fn finish(ctx: &Ctx, crawl: &CrawlOutput) -> Result<(), SendError> {
    // The pages that hold the planting forms first: they usually show what was stored.
    let mut pages: Vec<Url> = ctx
        .canaries
        .planted
        .lock()
        .map(|p| {
            p.values()
                .filter_map(|pl| pl.resource.referer.clone())
                .collect()
        })
        .unwrap_or_default();
    pages.sort();
    pages.dedup();
    pages.extend(
        crawl
            .visited
            .iter()
            .filter(|u| u.query().is_none())
            .cloned(),
    );
    let mut seen = std::collections::HashSet::new();
    for u in pages
        .into_iter()
        .filter(|u| seen.insert(u.clone()))
        .take(MAX_REVISIT)
    {
        // A page that fails is skipped; only a global limit ends the revisit.
        if let Err(e @ (SendError::Limit(_) | SendError::Halted)) =
            ctx.send(HttpRequest::get(u)).await
        {
            return Err(e);
        }
    }
    let sightings = ctx
        .canaries
        .sightings
        .lock()
        .map(|s| s.clone())
        .unwrap_or_default();
    let mut done = Vec::new();
    for (canary, page) in sightings {
        let Some(plant) = ctx
            .canaries
            .planted
            .lock()
            .ok()
            .and_then(|p| p.get(&canary).cloned())
        else {
            continue;
        };
        let key = (plant.resource.pattern_key(), plant.point.name.clone());
        if done.contains(&key) || ctx.already(KEY, &plant.resource, Some(&plant.point)).await {
            continue;
        }
        done.push(key);
        // Plant the canary again: busy pages drop old entries. Unknown context: HTML text.
        inject(ctx, &plant.resource, &plant.point, &canary).await?;
        let seen = ctx.send(HttpRequest::get(page.clone())).await?;
        let mut ctxs = contexts(&seen.response.text(), &canary);
        if ctxs.is_empty() {
            ctxs.push(super::xss_reflected::Context::Text);
        }
        // An uncertain proof waits while later payloads look for a certain one; if none
        // comes, `xss_confirm::settle` has the browser confirm it, or reports it as uncertain.
        let mut waiting: Option<Pending> = None;
        let proof = format!(
            "payload submitted to {} {} is rendered as script on {page}",
            plant.resource.method, plant.resource.url
        );
        'outer: for c in ctxs {
            let marker = format!("rmx{}", crate::rand_id(6));
            for (_, payload) in payloads(&c, &marker) {
                let planted = inject(ctx, &plant.resource, &plant.point, &payload).await?;
                let shown = ctx.send(HttpRequest::get(page.clone())).await?;
                if !proven(&shown.response.text(), &marker) {
                    continue;
                }
                let Some(why) = uncertainty(&shown.response, &marker) else {
                    waiting = None;
                    ctx.report_point(
                        &plant.resource,
                        Some(&plant.point),
                        Hit {
                            module: KEY,
                            attack_id: "SXSS_02",
                            value: &payload,
                            proof: proof.clone(),
                            proof_description: PROOF,
                            confidence: Confidence::Confirmed,
                            original: Some(&planted),
                            attack: Some(&shown),
                        },
                    )
                    .await;
                    break 'outer;
                };
                let w = waiting.get_or_insert_with(|| Pending {
                    module: KEY,
                    resource: plant.resource.clone(),
                    point: plant.point.clone(),
                    proof: proof.clone(),
                    proof_description: PROOF,
                    original: Some(planted.clone()),
                    tries: Vec::new(),
                });
                if w.tries.len() < MAX_TRIES {
                    w.tries.push(Try {
                        attack_id: "SXSS_02",
                        payload,
                        marker: marker.clone(),
                        attack: shown,
                        replant: Some(planted.request.clone()),
                        navigation: Some(Navigation::Get(page.clone())),
                        why,
                    });
                }
            }
        }
        if let Some(w) = waiting {
            settle(ctx, w).await;
        }
    }
    Ok(())
}

const PROOF: &str = "a stored payload is parsed as executable script on a later page";

#[cfg(test)]
mod tests {
    use super::*;

    fn canaries(planted: &str) -> Canaries {
        let c = Canaries::default();
        let r = Resource::get(Url::parse("https://a.example/guestbook").unwrap());
        c.planted.lock().unwrap().insert(
            planted.to_string(),
            Plant {
                resource: r,
                point: InsertionPoint::for_test("comment", ""),
            },
        );
        c
    }

    fn seen(c: &Canaries, method: &str, url: &str, body: &str) -> Vec<(String, Url)> {
        let req = HttpRequest {
            method: method.into(),
            ..HttpRequest::get(Url::parse(url).unwrap())
        };
        let resp = super::super::common::recorded(200, &[("content-type", "text/html")], body);
        assert!(c.observe(Purpose::Crawl, &req, &resp).is_empty());
        c.sightings.lock().unwrap().clone()
    }

    #[test]
    fn recorded_sightings() {
        let k = "rmsq1w2e3r4";
        let page = "<ul><li>Nice site! rmsq1w2e3r4</li></ul>";
        // Stored: shown on a later GET that did not carry it.
        let c = canaries(k);
        let s = seen(&c, "GET", "https://a.example/guestbook", page);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].0, k);
        // Reflected: the request carried the canary itself.
        let c = canaries(k);
        assert!(seen(&c, "GET", "https://a.example/search?q=rmsq1w2e3r4", page).is_empty());
        // Shown in the response to the POST that planted it.
        let c = canaries(k);
        assert!(seen(&c, "POST", "https://a.example/guestbook", page).is_empty());
        // Carried in a header of the request that shows it: reflected, not stored.
        let c = canaries(k);
        let req = HttpRequest {
            headers: vec![("User-Agent".into(), format!("Mozilla/5.0 {k}"))],
            ..HttpRequest::get(Url::parse("https://a.example/whoami").unwrap())
        };
        let resp = super::super::common::recorded(200, &[("content-type", "text/html")], page);
        assert!(c.observe(Purpose::Crawl, &req, &resp).is_empty());
        assert!(c.sightings.lock().unwrap().is_empty());
        // A canary-looking string this scan never planted.
        let c = canaries("rmszzzzzzzz");
        assert!(seen(&c, "GET", "https://a.example/guestbook", page).is_empty());
        // No canary at all.
        let c = canaries(k);
        assert!(seen(&c, "GET", "https://a.example/", "<p>rms is a unit</p>").is_empty());
    }
}
