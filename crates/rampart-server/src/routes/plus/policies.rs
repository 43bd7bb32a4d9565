//! `/policies`: gate, SLA and triage policies, their on-demand evaluation, and the trail
//! of what triage policies changed.

use super::{created, json_body, time, uuid_of};
use crate::extract::PlusAuth;
use crate::problem::Problem;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use rampart_api_types::oauth::ProblemBody;
use rampart_api_types::plus::{
    Policy, PolicyConditions, PolicyEvaluateRequest, PolicyEvaluation, PolicySla, PolicyTriage,
    PolicyWrite, TriageChange,
};
use rampart_domain as d;
use rampart_domain::plus::{parse_plus_severity, plus_severity};
use rampart_domain::{AppId, PlusScanType, PlusStatus, PolicyAction, PolicyId};
use rampart_service::{PolicyInput, Problem as Invalid, ServiceError};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update, delete))
        .routes(routes!(evaluate))
        .routes(routes!(changes))
}

fn wire(p: d::Policy) -> Policy {
    let kind = p.kind();
    let sev = p
        .conditions
        .min_severity
        .map(|s| plus_severity(s).to_string());
    Policy {
        id: p.id.0,
        name: p.name,
        description: p.description,
        kind: kind.into(),
        action: p.action.as_str().into(),
        enabled: p.enabled,
        conditions: PolicyConditions {
            application_ids: p.conditions.application_ids.iter().map(|a| a.0).collect(),
            vulnerability_severity: sev.clone(),
            min_severity: sev,
            scan_types: p
                .conditions
                .scan_types
                .iter()
                .map(|t| t.as_str().into())
                .collect(),
            statuses: p
                .conditions
                .statuses
                .iter()
                .map(|s| s.as_str().into())
                .collect(),
            cwe: p.conditions.cwes,
            min_age_days: p.conditions.min_age_days,
            max_count: p.conditions.max_count,
            fix_available: p.conditions.fix_available,
            tags: p.conditions.tags,
        },
        sla: p.conditions.sla.map(|d| PolicySla {
            critical_days: d.critical,
            high_days: d.high,
            medium_days: d.medium,
            low_days: d.low,
            info_days: d.info,
        }),
        triage: p.conditions.triage.map(|t| PolicyTriage {
            status: t.status.as_str().into(),
            justification: t.justification,
            until: t.until.map(time),
        }),
        created_at: time(p.created_at),
        updated_at: time(p.updated_at),
    }
}

fn input(body: &[u8]) -> Result<PolicyInput, Problem> {
    let b: PolicyWrite = json_body(body)?;
    let mut problems = Vec::new();
    let kind = b.kind.as_deref().unwrap_or(if b.triage.is_some() {
        "triage"
    } else if b.sla.is_some() {
        "sla"
    } else {
        "gate"
    });
    let triage = match (kind, b.triage) {
        ("triage", Some(t)) => triage_action(t, &mut problems),
        ("triage", None) => {
            problems.push(Invalid::property(
                "triage",
                "a triage policy needs {\"status\", \"justification\"}",
            ));
            None
        }
        (_, Some(_)) => {
            problems.push(Invalid::property(
                "triage",
                "only a triage policy sets a status: send \"type\": \"triage\"",
            ));
            None
        }
        (_, None) => None,
    };
    let sla = match (kind, b.sla) {
        ("gate" | "triage", None) => None,
        ("gate" | "triage", Some(_)) => {
            problems.push(Invalid::property(
                "sla",
                "only an SLA policy has days to fix: send \"type\": \"sla\"",
            ));
            None
        }
        ("sla", given) => {
            let dflt = d::SlaDays::default();
            let given = given.unwrap_or_default();
            let days = d::SlaDays {
                critical: given.critical_days.or(dflt.critical),
                high: given.high_days.or(dflt.high),
                medium: given.medium_days.or(dflt.medium),
                low: given.low_days.or(dflt.low),
                info: given.info_days.or(dflt.info),
            };
            for (name, v) in [
                ("sla.criticalDays", days.critical),
                ("sla.highDays", days.high),
                ("sla.mediumDays", days.medium),
                ("sla.lowDays", days.low),
                ("sla.infoDays", days.info),
            ] {
                if v.is_some_and(|v| !(1..=3650).contains(&v)) {
                    problems.push(Invalid::property(name, "must be between 1 and 3650 days"));
                }
            }
            Some(days)
        }
        _ => {
            problems.push(Invalid::property("type", "must be gate, sla or triage"));
            None
        }
    };
    let action = PolicyAction::parse(&b.action.to_ascii_lowercase());
    if action.is_none() {
        problems.push(Invalid::property(
            "action",
            "must be one of allow, block, monitor",
        ));
    }
    let c = b.conditions;
    // One threshold under two names: each given word is checked, and two must agree.
    let mut min_severity = None;
    for (member, given) in [
        ("minSeverity", &c.min_severity),
        ("vulnerabilitySeverity", &c.vulnerability_severity),
    ] {
        let Some(given) = given else { continue };
        match parse_plus_severity(given) {
            None => problems.push(Invalid::property(
                format!("conditions.{member}"),
                "must be one of info, low, medium, high, critical",
            )),
            Some(s) if min_severity.is_some_and(|m| m != s) => problems.push(Invalid::property(
                format!("conditions.{member}"),
                "is the threshold minSeverity names: give one of the two, or the same word",
            )),
            Some(s) => min_severity = Some(s),
        }
    }
    let mut scan_types = Vec::new();
    for (i, t) in c.scan_types.iter().enumerate() {
        match PlusScanType::parse(&t.to_ascii_lowercase()) {
            Some(x) => scan_types.push(x),
            None => problems.push(Invalid::property(
                format!("conditions.scanTypes.{i}"),
                "must be one of sast, dast, sca, container",
            )),
        }
    }
    let mut statuses = Vec::new();
    for (i, s) in c.statuses.iter().enumerate() {
        match PlusStatus::parse(s) {
            Some(x) => statuses.push(x),
            None => problems.push(Invalid::property(
                format!("conditions.statuses.{i}"),
                "must be one of open, in_progress, resolved, accepted",
            )),
        }
    }
    if !problems.is_empty() {
        return Err(ServiceError::invalid(problems).into());
    }
    Ok(PolicyInput {
        name: b.name,
        description: b.description,
        action: action.unwrap_or(PolicyAction::Block),
        enabled: b.enabled.unwrap_or(true),
        conditions: d::GateConditions {
            application_ids: c.application_ids.into_iter().map(AppId).collect(),
            min_severity,
            scan_types,
            statuses,
            cwes: c.cwe.iter().map(|x| x.to_ascii_uppercase()).collect(),
            min_age_days: c.min_age_days,
            max_count: c.max_count,
            fix_available: c.fix_available,
            sla,
            tags: c.tags,
            triage,
        },
    })
}

fn triage_action(t: PolicyTriage, problems: &mut Vec<Invalid>) -> Option<d::TriageAction> {
    let status = PlusStatus::parse(&t.status);
    if status.is_none() {
        problems.push(Invalid::property(
            "triage.status",
            "must be one of accepted, in_progress, resolved, open",
        ));
    }
    let until = match t.until.as_deref().map(chrono::DateTime::parse_from_rfc3339) {
        None => None,
        Some(Ok(u)) => Some(u.with_timezone(&chrono::Utc)),
        Some(Err(_)) => {
            problems.push(Invalid::property(
                "triage.until",
                "must be an RFC 3339 time such as 2027-01-31T00:00:00Z",
            ));
            None
        }
    };
    Some(d::TriageAction {
        status: status?,
        justification: t.justification,
        until,
    })
}

#[utoipa::path(get, path = "/policies", tag = "Policies",
    responses((status = 200, body = Vec<Policy>),
        (status = 401, body = ProblemBody, content_type = "application/problem+json")))]
async fn list(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
) -> Result<Json<Vec<Policy>>, Problem> {
    Ok(Json(
        s.service
            .list_policies(&p)
            .await?
            .into_iter()
            .map(wire)
            .collect(),
    ))
}

/// Creates a gate policy; 409 when the name is taken.
#[utoipa::path(post, path = "/policies", tag = "Policies", request_body = PolicyWrite,
    responses((status = 201, body = Policy),
        (status = 409, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")))]
async fn create(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    body: Bytes,
) -> Result<Response, Problem> {
    let policy = s.service.create_policy(&p, input(&body)?).await?;
    let path = format!("/policies/{}", policy.id);
    Ok(created(&s, &path, wire(policy)))
}

#[utoipa::path(get, path = "/policies/{id}", tag = "Policies", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Policy),
        (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn get(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Path(id): Path<String>,
) -> Result<Json<Policy>, Problem> {
    let id = PolicyId(uuid_of(&id)?);
    Ok(Json(wire(s.service.get_policy(&p, id).await?)))
}

#[utoipa::path(put, path = "/policies/{id}", tag = "Policies", params(("id" = uuid::Uuid, Path)),
    request_body = PolicyWrite,
    responses((status = 200, body = Policy),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")))]
async fn update(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Policy>, Problem> {
    let id = PolicyId(uuid_of(&id)?);
    Ok(Json(wire(
        s.service.update_policy(&p, id, input(&body)?).await?,
    )))
}

#[utoipa::path(delete, path = "/policies/{id}", tag = "Policies", params(("id" = uuid::Uuid, Path)),
    responses((status = 204),
        (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn delete(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    let id = PolicyId(uuid_of(&id)?);
    s.service.delete_policy(&p, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Evaluates the policy now over the findings of every type (one application's with
/// `applicationId`): `pass`, `warn` or `fail`, with the findings that decided it.
#[utoipa::path(post, path = "/policies/{id}/evaluate", tag = "Policies", params(("id" = uuid::Uuid, Path)),
    request_body = Option<PolicyEvaluateRequest>,
    responses((status = 200, body = PolicyEvaluation),
        (status = 404, body = ProblemBody, content_type = "application/problem+json")))]
async fn evaluate(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<PolicyEvaluation>, Problem> {
    let id = PolicyId(uuid_of(&id)?);
    // The body is optional: none, `null` or `{}` evaluate every visible application.
    let req: PolicyEvaluateRequest = if body.iter().all(u8::is_ascii_whitespace) {
        PolicyEvaluateRequest::default()
    } else {
        json_body::<Option<PolicyEvaluateRequest>>(&body)?.unwrap_or_default()
    };
    let out = s
        .service
        .evaluate_policy(&p, id, req.application_id.map(AppId))
        .await?;
    Ok(Json(PolicyEvaluation {
        policy_id: out.policy.id.0,
        result: out.evaluation.verdict.as_str().into(),
        matched: out.evaluation.matched,
        evaluated: out.evaluated as u64,
        deciding_findings: super::vulnerabilities::wire_all(&s, &p, out.deciding).await?,
    }))
}

/// The furthest `GET /policies/{id}/changes` reaches.
const MAX_CHANGES_OFFSET: u64 = 100_000;

/// `GET /policies/{id}/changes` paging.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ChangesQuery {
    /// 1–1000, default 100.
    limit: Option<u64>,
    /// At most 100000, default 0.
    #[param(maximum = 100000)]
    offset: Option<u64>,
}

/// What a triage policy changed, newest first: each finding, its status before and after,
/// the justification, and how the change ended when the policy expired (the audit trail).
#[utoipa::path(get, path = "/policies/{id}/changes", tag = "Policies",
    params(("id" = uuid::Uuid, Path), ChangesQuery),
    responses((status = 200, body = Vec<TriageChange>),
        (status = 404, body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, body = ProblemBody, content_type = "application/problem+json")))]
async fn changes(
    State(s): State<AppState>,
    PlusAuth(p): PlusAuth,
    Path(id): Path<String>,
    crate::extract::Query(q): crate::extract::Query<ChangesQuery>,
) -> Result<Json<Vec<TriageChange>>, Problem> {
    let id = PolicyId(uuid_of(&id)?);
    let (limit, offset) = super::window(q.limit, q.offset, MAX_CHANGES_OFFSET)?;
    let records = s.service.list_triage_changes(&p, id, limit, offset).await?;
    Ok(Json(
        records
            .into_iter()
            .map(|r| TriageChange {
                id: r.id,
                policy_id: r.policy.0,
                policy_name: r.policy_name,
                vulnerability_id: r.finding,
                previous_status: r.previous.as_str().into(),
                status: r.status.as_str().into(),
                justification: r.justification,
                applied_at: time(r.applied_at),
                ended_at: r.ended_at.map(time),
                end: r.end.map(|e| e.as_str().into()),
            })
            .collect(),
    ))
}
