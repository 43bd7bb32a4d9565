//! `/vulnerabilities`: reading and triage, discoveries, comments, history and the
//! documentation of variances (reference §3.6).

use super::self_link;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Body, Id, Ids};
use crate::paging::{PageQuery, Paging};
use crate::routes::{Created, Deleted, Updated};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use rampart_api_types::ias::{
    AttackRef, ErrorBody, Exchange, FieldChange, IdRef, Page, RootCause, UpdateSource, Variance,
    VarianceDocumentation, VarianceFilterRequest, Vulnerability, VulnerabilityComment,
    VulnerabilityDiscovery, VulnerabilityUpdate,
};
use rampart_api_types::ias_time;
use rampart_domain as d;
use rampart_domain::{Severity, VulnStatus, VulnerabilityId};
use rampart_query::ResourceType;
use rampart_service::{Problem, VarianceDoc, VarianceFilter};
use std::collections::BTreeMap;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(get, update))
        .routes(routes!(discoveries))
        .routes(routes!(discovery))
        .routes(routes!(comments, create_comment))
        .routes(routes!(get_comment, update_comment, delete_comment))
        .routes(routes!(history))
        .routes(routes!(variance_documentation))
        .routes(routes!(variances_documentation))
}

fn exchange(x: d::Exchange) -> Exchange {
    Exchange {
        id: None,
        request: x.request,
        response: x.response,
    }
}

/// The wire form; `insight_ui_url` is the UI deep link `{public}/#/apps/{app}/vulnerabilities/{id}`
/// (clients split it at `#`).
pub fn wire(s: &AppState, v: d::Vulnerability) -> Vulnerability {
    let references: BTreeMap<String, String> = s
        .service
        .module_of(&v)
        .map(|m| m.reference_map())
        .unwrap_or_default();
    let module = IdRef { id: v.module.0 };
    Vulnerability {
        id: Some(v.id.0),
        app: Some(IdRef { id: v.app.0 }),
        root_cause: Some(RootCause {
            url: v.root_cause.url,
            parameter: v.root_cause.parameter,
            method: v.root_cause.method,
        }),
        severity: Some(v.severity.as_str().into()),
        status: Some(v.status.as_str().into()),
        first_discovered: Some(ias_time(v.first_discovered)),
        last_discovered: Some(ias_time(v.last_discovered)),
        newly_discovered: Some(v.newly_discovered),
        variances: v
            .variances
            .into_iter()
            .map(|x| Variance {
                id: x.id,
                original_value: x.original_value,
                original_exchange: x.original_exchange.map(exchange),
                module,
                attack: AttackRef { id: x.attack_id },
                attack_value: x.attack_value,
                message: x.message,
                proof: x.proof,
                proof_description: x.proof_description,
                confidence: x.confidence,
                references: references.clone(),
                attack_exchanges: x.attack_exchanges.into_iter().map(exchange).collect(),
            })
            .collect(),
        vector_string: v.vector_string,
        vulnerability_score: v.vulnerability_score,
        insight_ui_url: Some(s.ui_url(&format!("/apps/{}/vulnerabilities/{}", v.app, v.id))),
        updated_time: Some(ias_time(v.updated_time)),
        links: self_link(s, format!("/vulnerabilities/{}", v.id)),
    }
}

pub fn wire_discovery(s: &AppState, x: d::VulnerabilityDiscovery) -> VulnerabilityDiscovery {
    VulnerabilityDiscovery {
        id: x.id,
        links: self_link(
            s,
            format!("/vulnerabilities/{}/discoveries/{}", x.vulnerability, x.id),
        ),
        vulnerability: IdRef {
            id: x.vulnerability.0,
        },
        scan: IdRef { id: x.scan.0 },
        discovered: ias_time(x.discovered),
    }
}

fn wire_comment(s: &AppState, c: d::VulnerabilityComment) -> VulnerabilityComment {
    VulnerabilityComment {
        id: Some(c.id),
        links: self_link(
            s,
            format!("/vulnerabilities/{}/comments/{}", c.vulnerability, c.id),
        ),
        vulnerability: Some(IdRef {
            id: c.vulnerability.0,
        }),
        author: Some(IdRef { id: c.author.0 }),
        last_update_author: Some(IdRef {
            id: c.last_update_author.0,
        }),
        content: c.content,
        create_time: Some(ias_time(c.create_time)),
        update_time: Some(ias_time(c.update_time)),
    }
}

fn wire_update(u: d::VulnerabilityUpdate) -> VulnerabilityUpdate {
    VulnerabilityUpdate {
        id: u.id,
        create_time: ias_time(u.create_time),
        source: UpdateSource {
            source_id: u.source.id,
            source_type: u.source.kind.as_str().into(),
        },
        changes: u
            .changes
            .into_iter()
            .map(|c| FieldChange {
                field: c.field.as_str().into(),
                previous_value: c.previous,
                new_value: c.new,
            })
            .collect(),
    }
}

fn wire_doc(d: VarianceDoc) -> VarianceDocumentation {
    VarianceDocumentation {
        id: d.id,
        references: d.references,
        description: d.description,
        recommendation: d.recommendation,
    }
}

/// Lists the vulnerabilities of the apps the caller may see (default sort
/// `vulnerability.severity` DESC — by rank, CRITICAL first — then id; `page-token` works).
#[utoipa::path(get, path = "/vulnerabilities", tag = "Vulnerabilities", params(PageQuery),
    responses((status = 200, body = Page<Vulnerability>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list(
    State(s): State<AppState>,
    Auth(p): Auth,
    paging: Paging,
) -> ApiResult<Json<Page<Vulnerability>>> {
    let page = s
        .service
        .list_vulnerabilities(&p, &paging.request(ResourceType::Vulnerability)?)
        .await?;
    let data = page.items.into_iter().map(|v| wire(&s, v)).collect();
    Ok(Json(paging.envelope(
        &s,
        "/vulnerabilities",
        data,
        page.total,
    )))
}

#[utoipa::path(get, path = "/vulnerabilities/{id}", tag = "Vulnerabilities", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vulnerability), (status = 404, body = ErrorBody)))]
async fn get(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<VulnerabilityId>,
) -> ApiResult<Json<Vulnerability>> {
    Ok(Json(wire(&s, s.service.get_vulnerability(&p, id).await?)))
}

/// Changes `severity` and/or `status` (the only mutable fields; every other field of the
/// body, e.g. a vulnerability echoed from `GET`, is ignored). Changes are recorded in the
/// history. Unknown enum values are 422.
#[utoipa::path(put, path = "/vulnerabilities/{id}", tag = "Vulnerabilities", params(("id" = Uuid, Path)),
    request_body = Vulnerability,
    responses((status = 200), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<VulnerabilityId>,
    Body(b): Body<Vulnerability>,
) -> ApiResult<Updated> {
    let mut problems = Vec::new();
    let severity = match b.severity.as_deref() {
        None => None,
        Some(x) => {
            let v = Severity::parse(x);
            if v.is_none() {
                problems.push(Problem::property(
                    "severity",
                    "must be one of SAFE, INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL",
                ));
            }
            v
        }
    };
    let status = match b.status.as_deref() {
        None => None,
        Some(x) => {
            let v = VulnStatus::parse(x);
            if v.is_none() {
                problems.push(Problem::property(
                    "status",
                    "must be one of UNREVIEWED, FALSE_POSITIVE, VERIFIED, IGNORED, REMEDIATED, DUPLICATE",
                ));
            }
            v
        }
    };
    if !problems.is_empty() {
        // Visibility first: an invisible vulnerability is 404 whatever the body.
        s.service.get_vulnerability(&p, id).await?;
        return Err(ApiError::Validation(
            "resource validation error".into(),
            problems,
        ));
    }
    s.service
        .update_vulnerability(&p, id, severity, status)
        .await?;
    Ok(Updated)
}

/// The scans that found the vulnerability (default sort `vulnerabilitydiscovery.discovered` DESC).
#[utoipa::path(get, path = "/vulnerabilities/{id}/discoveries", tag = "Vulnerabilities",
    params(("id" = Uuid, Path), PageQuery),
    responses((status = 200, body = Page<VulnerabilityDiscovery>), (status = 404, body = ErrorBody)))]
async fn discoveries(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<VulnerabilityId>,
    paging: Paging,
) -> ApiResult<Json<Page<VulnerabilityDiscovery>>> {
    let page = s
        .service
        .list_discoveries(
            &p,
            id,
            &paging.request(ResourceType::VulnerabilityDiscovery)?,
        )
        .await?;
    let data = page
        .items
        .into_iter()
        .map(|x| wire_discovery(&s, x))
        .collect();
    Ok(Json(paging.envelope(
        &s,
        &format!("/vulnerabilities/{id}/discoveries"),
        data,
        page.total,
    )))
}

#[utoipa::path(get, path = "/vulnerabilities/{id}/discoveries/{discovery_id}", tag = "Vulnerabilities",
    params(("id" = Uuid, Path), ("discovery_id" = Uuid, Path)),
    responses((status = 200, body = VulnerabilityDiscovery), (status = 404, body = ErrorBody)))]
async fn discovery(
    State(s): State<AppState>,
    Auth(p): Auth,
    Ids(id, d): Ids<VulnerabilityId, Uuid>,
) -> ApiResult<Json<VulnerabilityDiscovery>> {
    Ok(Json(wire_discovery(
        &s,
        s.service.get_discovery(&p, id, d).await?,
    )))
}

/// Comments on the vulnerability, oldest first.
#[utoipa::path(get, path = "/vulnerabilities/{id}/comments", tag = "Vulnerabilities",
    params(("id" = Uuid, Path), PageQuery),
    responses((status = 200, body = Page<VulnerabilityComment>), (status = 404, body = ErrorBody)))]
async fn comments(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<VulnerabilityId>,
    paging: Paging,
) -> ApiResult<Json<Page<VulnerabilityComment>>> {
    // Comments have no search catalogue: `sort` is accepted and ignored.
    let req = rampart_store::ListRequest {
        index: paging.index,
        size: paging.size,
        sort: Vec::new(),
        filter: None,
    };
    let page = s.service.list_comments(&p, id, &req).await?;
    let data = page
        .items
        .into_iter()
        .map(|c| wire_comment(&s, c))
        .collect();
    Ok(Json(paging.envelope(
        &s,
        &format!("/vulnerabilities/{id}/comments"),
        data,
        page.total,
    )))
}

/// Adds a comment (`content`, 1–5000 characters) authored by the caller.
#[utoipa::path(post, path = "/vulnerabilities/{id}/comments", tag = "Vulnerabilities",
    params(("id" = Uuid, Path)), request_body = VulnerabilityComment,
    responses((status = 201), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_comment(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<VulnerabilityId>,
    Body(b): Body<VulnerabilityComment>,
) -> ApiResult<Created> {
    let c = s.service.create_comment(&p, id, b.content).await?;
    Ok(Created(
        s.ias_url(&format!("/vulnerabilities/{id}/comments/{c}")),
    ))
}

#[utoipa::path(get, path = "/vulnerabilities/{id}/comments/{comment_id}", tag = "Vulnerabilities",
    params(("id" = Uuid, Path), ("comment_id" = Uuid, Path)),
    responses((status = 200, body = VulnerabilityComment), (status = 404, body = ErrorBody)))]
async fn get_comment(
    State(s): State<AppState>,
    Auth(p): Auth,
    Ids(id, c): Ids<VulnerabilityId, Uuid>,
) -> ApiResult<Json<VulnerabilityComment>> {
    Ok(Json(wire_comment(
        &s,
        s.service.get_comment(&p, id, c).await?,
    )))
}

/// Replaces the content. Read Write may edit its own comments, Product Admin anyone's.
#[utoipa::path(put, path = "/vulnerabilities/{id}/comments/{comment_id}", tag = "Vulnerabilities",
    params(("id" = Uuid, Path), ("comment_id" = Uuid, Path)), request_body = VulnerabilityComment,
    responses((status = 200), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_comment(
    State(s): State<AppState>,
    Auth(p): Auth,
    Ids(id, c): Ids<VulnerabilityId, Uuid>,
    Body(b): Body<VulnerabilityComment>,
) -> ApiResult<Updated> {
    s.service.update_comment(&p, id, c, b.content).await?;
    Ok(Updated)
}

/// Deletes a comment. Read Write may delete its own comments, Product Admin anyone's.
#[utoipa::path(delete, path = "/vulnerabilities/{id}/comments/{comment_id}", tag = "Vulnerabilities",
    params(("id" = Uuid, Path), ("comment_id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete_comment(
    State(s): State<AppState>,
    Auth(p): Auth,
    Ids(id, c): Ids<VulnerabilityId, Uuid>,
) -> ApiResult<Deleted> {
    s.service.delete_comment(&p, id, c).await?;
    Ok(Deleted)
}

/// Every change of severity or status, oldest first, with who made it (a user, the
/// organization, or a scan that reopened or remediated it).
#[utoipa::path(get, path = "/vulnerabilities/{id}/history", tag = "Vulnerabilities", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<VulnerabilityUpdate>), (status = 404, body = ErrorBody)))]
async fn history(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(id): Id<VulnerabilityId>,
) -> ApiResult<Json<Vec<VulnerabilityUpdate>>> {
    Ok(Json(
        s.service
            .vulnerability_history(&p, id)
            .await?
            .into_iter()
            .map(wire_update)
            .collect(),
    ))
}

/// What the variance's attack finds, how to fix it, references (from the module catalogue).
#[utoipa::path(get, path = "/vulnerabilities/{id}/variances/{variance_id}/documentation", tag = "Vulnerabilities",
    params(("id" = Uuid, Path), ("variance_id" = Uuid, Path)),
    responses((status = 200, body = VarianceDocumentation), (status = 404, body = ErrorBody)))]
async fn variance_documentation(
    State(s): State<AppState>,
    Auth(p): Auth,
    Ids(id, v): Ids<VulnerabilityId, Uuid>,
) -> ApiResult<Json<VarianceDocumentation>> {
    Ok(Json(wire_doc(
        s.service.variance_documentation(&p, id, v).await?,
    )))
}

/// Documentation of many variances at once: a map from variance id to its documentation,
/// for the variances of `vuln_ids`/`vuln_uuids` and of the vulnerabilities `scan_id`
/// discovered (at least one of them is required), limited to `variance_ids` when given.
#[utoipa::path(post, path = "/vulnerabilities/variances/documentation", tag = "Vulnerabilities",
    request_body = VarianceFilterRequest,
    responses((status = 200, body = BTreeMap<String, VarianceDocumentation>), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn variances_documentation(
    State(s): State<AppState>,
    Auth(p): Auth,
    Body(b): Body<VarianceFilterRequest>,
) -> ApiResult<Json<BTreeMap<Uuid, VarianceDocumentation>>> {
    let mut vulnerabilities: Vec<VulnerabilityId> = b
        .vuln_ids
        .iter()
        .chain(&b.vuln_uuids)
        .map(|u| VulnerabilityId(*u))
        .collect();
    vulnerabilities.dedup();
    let f = VarianceFilter {
        variance_ids: b.variance_ids,
        scan: b.scan_id.map(d::ScanId),
        vulnerabilities,
    };
    let docs = s.service.variances_documentation(&p, f).await?;
    Ok(Json(
        docs.into_iter().map(|(k, v)| (k, wire_doc(v))).collect(),
    ))
}
