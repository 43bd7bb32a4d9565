//! `/apps/{id}/files`: file metadata, and content by `Accept` (download) or raw POST (upload).

use super::self_link;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Auth, Body, Id, Ids};
use crate::paging::{PageQuery, Paging};
use crate::routes::{Created, Deleted, Updated};
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::header::{ACCEPT, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rampart_api_types::ias::{ErrorBody, File, IdRef, Page};
use rampart_api_types::ias_time;
use rampart_domain::file::{AppFile, FileType};
use rampart_domain::{AppId, FileId};
use rampart_query::ResourceType;
use rampart_service::FileInput;
use utoipa_axum::{router::OpenApiRouter, routes};

const OCTET_STREAM: &str = "application/octet-stream";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get, update, upload, delete))
}

fn path(app: AppId, id: FileId) -> String {
    format!("/apps/{app}/files/{id}")
}

pub fn wire(state: &AppState, f: AppFile) -> File {
    File {
        id: Some(f.id.0),
        links: self_link(state, path(f.app, f.id)),
        content_available: Some(f.content_available()),
        name: f.name,
        description: f.description,
        kind: Some(f.kind.as_str().to_string()),
        locked: Some(f.locked),
        owner: Some(IdRef { id: f.owner.0 }),
        last_updated_by_user: Some(IdRef {
            id: f.last_updated_by.0,
        }),
        last_updated: Some(ias_time(f.last_updated)),
        size: f.size,
    }
}

fn input(b: File) -> ApiResult<FileInput> {
    let names = || {
        FileType::ALL
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let kind = match b.kind.as_deref().map(str::trim) {
        None | Some("") => {
            return Err(ApiError::property(
                "type",
                format!("is required: one of {}", names()),
            ))
        }
        Some(t) => FileType::parse(&t.to_ascii_uppercase()).ok_or_else(|| {
            ApiError::property(
                "type",
                format!("unknown file type '{t}': one of {}", names()),
            )
        })?,
    };
    Ok(FileInput {
        name: b.name,
        description: b.description,
        kind,
        locked: b.locked.unwrap_or(false),
    })
}

/// Lists the app's files (default sort `file.name` ascending).
#[utoipa::path(get, path = "/apps/{id}/files", tag = "Files", params(("id" = uuid::Uuid, Path), PageQuery),
    responses((status = 200, body = Page<File>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(app): Id<AppId>,
    paging: Paging,
) -> ApiResult<Json<Page<File>>> {
    let page = s
        .service
        .list_files(&p, app, &paging.request(ResourceType::File)?)
        .await?;
    let data = page.items.into_iter().map(|f| wire(&s, f)).collect();
    Ok(Json(paging.envelope(
        &s,
        &format!("/apps/{app}/files"),
        data,
        page.total,
    )))
}

/// Creates a file's metadata; its content is uploaded with `POST /apps/{id}/files/{file_id}`.
#[utoipa::path(post, path = "/apps/{id}/files", tag = "Files", params(("id" = uuid::Uuid, Path)), request_body = File,
    responses((status = 201, description = "created; `Location` names it"), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create(
    State(s): State<AppState>,
    Auth(p): Auth,
    Id(app): Id<AppId>,
    Body(b): Body<File>,
) -> ApiResult<Created> {
    let id = s.service.create_file(&p, app, input(b)?).await?;
    Ok(Created(s.ias_url(&path(app, id))))
}

/// Whether `Accept` asks for the content: it names `application/octet-stream` (alone or
/// before `application/json`, as the reference's clients send it).
fn wants_content(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|m| {
            m.split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case(OCTET_STREAM))
        })
}

/// The file's metadata (`Accept: application/json`, the default) or its content
/// (`Accept: application/octet-stream`; 409 while none was uploaded).
#[utoipa::path(get, path = "/apps/{id}/files/{file_id}", tag = "Files",
    params(("id" = uuid::Uuid, Path), ("file_id" = uuid::Uuid, Path)),
    responses((status = 200, body = File, content_type = "application/json"),
        (status = 200, description = "the content", content_type = "application/octet-stream"),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn get(
    State(s): State<AppState>,
    Auth(p): Auth,
    Ids(app, id): Ids<AppId, FileId>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if !wants_content(&headers) {
        return Ok(Json(wire(&s, s.service.get_file(&p, app, id).await?)).into_response());
    }
    let (f, bytes) = s.service.file_content(&p, app, id).await?;
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(OCTET_STREAM));
    let safe: String = f
        .name
        .chars()
        .filter(|c| (c.is_ascii_graphic() && *c != '"' && *c != '\\') || *c == ' ')
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
        h.insert(CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

#[utoipa::path(put, path = "/apps/{id}/files/{file_id}", tag = "Files",
    params(("id" = uuid::Uuid, Path), ("file_id" = uuid::Uuid, Path)), request_body = File,
    responses((status = 200), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update(
    State(s): State<AppState>,
    Auth(p): Auth,
    Ids(app, id): Ids<AppId, FileId>,
    Body(b): Body<File>,
) -> ApiResult<Updated> {
    s.service.update_file(&p, app, id, input(b)?).await?;
    Ok(Updated)
}

/// Uploads (replaces) the content: the raw bytes with `Content-Type:
/// application/octet-stream` (else 415), at most the server's file size limit (else 413),
/// matching the file's type (else 422, and nothing is stored).
#[utoipa::path(post, path = "/apps/{id}/files/{file_id}", tag = "Files",
    params(("id" = uuid::Uuid, Path), ("file_id" = uuid::Uuid, Path)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, description = "stored; `Location` names the file"), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn upload(
    State(s): State<AppState>,
    Auth(p): Auth,
    Ids(app, id): Ids<AppId, FileId>,
    req: Request,
) -> ApiResult<Created> {
    let essence = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if essence != OCTET_STREAM {
        let sent = if essence.is_empty() {
            "no Content-Type".to_string()
        } else {
            essence
        };
        return Err(ApiError::UnsupportedMediaType(format!(
            "send the file content as the raw body with Content-Type: application/octet-stream, not {sent}"
        )));
    }
    let limit = s.max_file_bytes();
    let too_large = || {
        ApiError::PayloadTooLarge(format!(
            "a file may be at most {limit} bytes (the server's --max-file-bytes)"
        ))
    };
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(req.into_body(), limit)
        .await
        .map_err(|_| too_large())?;
    s.service.upload_file(&p, app, id, &bytes).await?;
    Ok(Created(s.ias_url(&path(app, id))))
}

#[utoipa::path(delete, path = "/apps/{id}/files/{file_id}", tag = "Files",
    params(("id" = uuid::Uuid, Path), ("file_id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn delete(
    State(s): State<AppState>,
    Auth(p): Auth,
    Ids(app, id): Ids<AppId, FileId>,
) -> ApiResult<Deleted> {
    s.service.delete_file(&p, app, id).await?;
    Ok(Deleted)
}
