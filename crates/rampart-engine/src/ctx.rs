//! The shared state of one scan that checks and the crawler work with.

use crate::client::{Http, Purpose, SendError, Sent};
use crate::finding::{Confidence, Exchange, Recorded, Report, Variance};
use crate::http::HttpRequest;
use crate::oob::Oob;
use crate::session::SessionKeeper;
use crate::target::{InsertionPoint, Resource};
use rampart_domain::ParameterLocation;
use std::sync::Arc;

pub(crate) struct Ctx {
    pub http: Arc<Http>,
    pub oob: Option<Arc<Oob>>,
    pub session: Arc<SessionKeeper>,
    pub canaries: Arc<crate::checks::xss_stored::Canaries>,
    pub soft404: crate::crawl::soft404::Soft404,
}

/// What a check found, before it becomes a report.
pub(crate) struct Hit<'a> {
    pub module: &'static str,
    pub attack_id: &'static str,
    pub value: &'a str,
    pub proof: String,
    pub proof_description: &'a str,
    pub confidence: Confidence,
    pub original: Option<&'a Sent>,
    pub attack: Option<&'a Sent>,
}

impl Ctx {
    /// Sends an attack request; when the response shows a lost session, logs in again and
    /// resends it once.
    pub async fn send(&self, req: HttpRequest) -> Result<Sent, SendError> {
        let sent = self.http.send(req.clone(), Purpose::Attack).await?;
        if self.session.lost(&sent.response) && self.session.login(&self.http).await {
            return self.http.send(req, Purpose::Attack).await;
        }
        Ok(sent)
    }

    /// The cookies the engine would send to the resource's host.
    pub fn cookies_for(&self, r: &Resource) -> Vec<(String, String)> {
        let host = r.url.host_str().unwrap_or("");
        self.http
            .jar
            .lock()
            .map(|j| j.for_host(host).into_iter().collect())
            .unwrap_or_default()
    }

    /// Insertion points of `r` that `module` may attack.
    pub fn points(&self, module: &str, r: &Resource) -> Vec<InsertionPoint> {
        let plan = self.http.plan();
        let settings = plan.modules.settings(module);
        let defaults = crate::catalogue::module(module)
            .map(|m| m.parameter_locations)
            .unwrap_or(&[]);
        let locs: Vec<ParameterLocation> = settings
            .locations
            .unwrap_or_else(|| plan.modules.locations.clone())
            .into_iter()
            .filter(|l| defaults.contains(l))
            .collect();
        let cookies = self.cookies_for(r);
        r.points(&locs, &cookies)
    }

    /// Reports a finding on a parameter of a resource.
    pub async fn report_point(
        &self,
        r: &Resource,
        p: Option<&InsertionPoint>,
        hit: Hit<'_>,
    ) -> Recorded {
        let url = hit
            .attack
            .map(|s| s.request.url.clone())
            .unwrap_or_else(|| r.url.clone());
        let rep = Report {
            module: hit.module,
            url: r.url.clone(),
            method: r.method.clone(),
            parameter: p.map(|p| p.name.clone()).unwrap_or_default(),
            location: p.map(|p| p.location),
            variance: Variance {
                url: url.to_string(),
                attack_id: hit.attack_id.to_string(),
                attack_value: hit.value.to_string(),
                proof: hit.proof,
                proof_description: hit.proof_description.to_string(),
                confidence: hit.confidence,
                original: hit.original.map(|s| Exchange::of(&s.request, &s.response)),
                attack: hit.attack.map(|s| Exchange::of(&s.request, &s.response)),
            },
        };
        self.http.sink.record(rep).await
    }

    pub async fn already(&self, module: &str, r: &Resource, p: Option<&InsertionPoint>) -> bool {
        self.http
            .sink
            .has(
                module,
                &r.url,
                p.map(|p| p.name.as_str()).unwrap_or(""),
                &r.method,
            )
            .await
    }
}
