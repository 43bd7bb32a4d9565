//! `/vulnerabilities` and `/applications/{id}/vulnerabilities`: imported findings and
//! engine vulnerabilities in one shape and one status model (`PlusStatus`, mapped onto the
//! `/ias/v1` statuses both ways).

use super::{json_body, time, uuid_of};
use crate::extract::{PlusAuth, Query};
use crate::problem::Problem;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::Json;
use rampart_api_types::oauth::ProblemBody;
use rampart_api_types::plus::{Vulnerability, VulnerabilityPatch};
use rampart_domain as d;
use rampart_domain::plus::{parse_plus_severity, plus_severity, PLUS_FINDING_SORTS};
use rampart_domain::{AppId, PlusScanId, PlusScanType, PlusStatus, SlaState};
use rampart_service::{AnyVulnerability, Problem as Invalid, ServiceError};
use rampart_store::PlusFindingFilter;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(get, patch))
        .routes(routes!(app_list))
}

/// The wire shapes of `list`, each with its SLA due date under the organization's SLA
/// policies.
pub(crate) async fn wire_all(
    s: &AppState,
    p: &d::Principal,
    list: Vec<AnyVulnerability>,
) -> Result<Vec<Vulnerability>, Problem> {
    let states = s.service.sla_states(p, &list).await?;
    Ok(list
        .into_iter()
        .zip(states)
        .map(|(v, sla)| wire(v, sla))
        .collect())
}

async fn wire_one(
    s: &AppState,
    p: &d::Principal,
    v: AnyVulnerability,
) -> Result<Vulnerability, Problem> {
    let mut all = wire_all(s, p, vec![v]).await?;
    all.pop()
        .ok_or_else(|| Problem::from(ServiceError::NotFound))
}

fn wire(v: AnyVulnerability, sla: Option<SlaState>) -> Vulnerability {
    let sla_due_at = sla.map(|x| time(x.due_at));
    let sla_breached = sla.is_some_and(|x| x.breached);
    let fix_available = v.fix_available();
    match v {
        AnyVulnerability::Imported(f) => Vulnerability {
            id: f.id.0,
            application_id: f.app.0,
            scan_id: Some(f.scan.0),
            scan_type: f.scan_type.as_str().into(),
            title: f.title,
            description: f.description,
            severity: plus_severity(f.severity).into(),
            status: f.status.as_str().into(),
            cwe: f.cwe,
            cve: f.cve,
            cvss_score: f.cvss_score,
            remediation: f.remediation,
            tool: Some(f.tool),
            rule_id: Some(f.rule_id),
            fingerprint: Some(f.fingerprint),
            location: f.location,
            first_seen_at: time(f.first_seen),
            last_seen_at: time(f.last_seen),
            created_at: time(f.first_seen),
            updated_at: time(f.updated_at),
            sla_due_at,
            sla_breached,
            fix_available,
        },
        AnyVulnerability::Dast {
            vuln,
            title,
            description,
            remediation,
            cwe,
        } => Vulnerability {
            id: vuln.id.0,
            application_id: vuln.app.0,
            scan_id: None,
            scan_type: "dast".into(),
            title,
            description,
            severity: plus_severity(vuln.severity).into(),
            status: PlusStatus::from_ias(vuln.status).as_str().into(),
            cwe,
            cve: None,
            cvss_score: vuln.vulnerability_score,
            remediation,
            tool: Some("rampart".into()),
            rule_id: Some(vuln.module.to_string()),
            fingerprint: None,
            location: Some(format!(
                "{} {}{}",
                vuln.root_cause.method,
                vuln.root_cause.url,
                vuln.root_cause
                    .parameter
                    .as_ref()
                    .map(|p| format!(" [{p}]"))
                    .unwrap_or_default()
            )),
            first_seen_at: time(vuln.first_discovered),
            last_seen_at: time(vuln.last_discovered),
            created_at: time(vuln.first_discovered),
            updated_at: time(vuln.updated_time),
            sla_due_at,
            sla_breached,
            fix_available,
        },
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct ListParams {
    application_id: Option<uuid::Uuid>,
    scan_id: Option<uuid::Uuid>,
    /// `info`, `low`, `medium`, `high` or `critical`: exactly this severity.
    severity: Option<String>,
    /// This severity or above.
    min_severity: Option<String>,
    /// `open`, `in_progress`, `resolved` or `accepted`.
    status: Option<String>,
    /// `sast`, `dast`, `sca` or `container`.
    scan_type: Option<String>,
    /// `CWE-89`.
    cwe: Option<String>,
    tool: Option<String>,
    /// `firstSeen` or `severity`, `-` for descending; default `-firstSeen`.
    sort: Option<String>,
    /// At most this many (default 100, 1 to 1000).
    limit: Option<u64>,
    /// Skip this many (at most 10,000: narrow the filters to reach further).
    #[param(maximum = 10000)]
    offset: Option<u64>,
}

fn invalid(field: &str, why: &str) -> Problem {
    ServiceError::invalid(vec![Invalid::property(field, why)]).into()
}

/// The furthest an offset reaches.
const MAX_OFFSET: u64 = 10_000;

fn filter(q: ListParams, app: Option<AppId>) -> Result<PlusFindingFilter, Problem> {
    let sev = |field: &str, v: Option<String>| {
        v.map(|s| {
            parse_plus_severity(&s)
                .ok_or_else(|| invalid(field, "must be one of info, low, medium, high, critical"))
        })
        .transpose()
    };
    let sort = match q.sort.as_deref() {
        None => None,
        Some(s) if PLUS_FINDING_SORTS.contains(&s) => Some(s.to_string()),
        Some(_) => {
            return Err(invalid(
                "sort",
                "must be firstSeen or severity, - for descending",
            ))
        }
    };
    let (limit, offset) = super::window(q.limit, q.offset, MAX_OFFSET)?;
    Ok(PlusFindingFilter {
        app: app.or(q.application_id.map(AppId)),
        scan: q.scan_id.map(PlusScanId),
        scan_type: q
            .scan_type
            .map(|t| {
                PlusScanType::parse(&t)
                    .ok_or_else(|| invalid("scanType", "must be one of sast, dast, sca, container"))
            })
            .transpose()?,
        severity: sev("severity", q.severity)?,
        min_severity: sev("minSeverity", q.min_severity)?,
        status: q
            .status
            .map(|s| {
                PlusStatus::parse(&s).ok_or_else(|| {
                    invalid(
                        "status",
                        "must be one of open, in_progress, resolved, accepted",
                    )
                })
            })
            .transpose()?,
        cwe: q.cwe.map(|c| c.to_ascii_uppercase()),
        tool: q.tool,
        sort,
        limit,
        offset,
    })
}

/// Vulnerabilities of every scan type the caller may see (a bare array).
#[utoipa::path(get, path = "/vulnerabilities", tag = "Vulnerabilities", params(ListParams),
    responses((status = 200, body = Vec<Vulnerability>),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")))]
async fn list(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Query(q): Query<ListParams>,
) -> Result<Json<Vec<Vulnerability>>, Problem> {
    let f = filter(q, None)?;
    let list = s.service.list_any_vulnerabilities(&p, &f).await?;
    Ok(Json(wire_all(&s, &p, list).await?))
}

#[utoipa::path(get, path = "/applications/{id}/vulnerabilities", tag = "Vulnerabilities",
    params(("id" = uuid::Uuid, Path), ListParams),
    responses((status = 200, body = Vec<Vulnerability>),
        (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn app_list(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Path(id): Path<String>,
    Query(q): Query<ListParams>,
) -> Result<Json<Vec<Vulnerability>>, Problem> {
    let app = AppId(uuid_of(&id)?);
    s.service.get_app(&p, app).await?;
    let f = filter(q, Some(app))?;
    let list = s.service.list_any_vulnerabilities(&p, &f).await?;
    Ok(Json(wire_all(&s, &p, list).await?))
}

#[utoipa::path(get, path = "/vulnerabilities/{id}", tag = "Vulnerabilities",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Vulnerability),
        (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn get(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Path(id): Path<String>,
) -> Result<Json<Vulnerability>, Problem> {
    let id = uuid_of(&id)?;
    let v = s.service.get_any_vulnerability(&p, id).await?;
    Ok(Json(wire_one(&s, &p, v).await?))
}

/// Changes the status (a triage decision an import keeps).
#[utoipa::path(patch, path = "/vulnerabilities/{id}", tag = "Vulnerabilities",
    params(("id" = uuid::Uuid, Path)), request_body = VulnerabilityPatch,
    responses((status = 200, body = Vulnerability),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")))]
async fn patch(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Vulnerability>, Problem> {
    let id = uuid_of(&id)?;
    let b: VulnerabilityPatch = json_body(&body)?;
    let status = PlusStatus::parse(&b.status).ok_or_else(|| {
        invalid(
            "status",
            "must be one of open, in_progress, resolved, accepted",
        )
    })?;
    let v = s.service.set_any_status(&p, id, status).await?;
    Ok(Json(wire_one(&s, &p, v).await?))
}
