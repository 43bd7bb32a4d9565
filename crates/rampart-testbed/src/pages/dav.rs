//! A forgotten WebDAV-style share: PUT and DELETE accepted on static files.

use super::not_found;
use crate::html::page;
use crate::state::{lock, Shared, UPLOAD_CAP};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http::{header, StatusCode, Uri};

/// Largest file the share keeps.
const MAX_FILE: usize = 64 * 1024;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/dav/", get(index))
        .route("/dav/{name}", get(read).put(write).delete(remove))
}

async fn index(State(st): State<Shared>) -> Html<String> {
    let n = lock(&st.dav).len();
    page(
        &st,
        "Team file share",
        &format!("<p>Connect with your WebDAV client to this address. {n} shared file(s).</p>"),
    )
}

async fn read(State(st): State<Shared>, uri: Uri, Path(name): Path<String>) -> Response {
    match lock(&st.dav).get(&name).cloned() {
        Some(data) => ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], data).into_response(),
        None => not_found(&st, uri.path()),
    }
}

fn refused() -> Response {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        [(header::ALLOW, "GET, HEAD, OPTIONS")],
        "Method Not Allowed\n",
    )
        .into_response()
}

async fn write(State(st): State<Shared>, Path(name): Path<String>, body: Bytes) -> Response {
    if !st.vulnerable("put-dav") {
        return refused();
    }
    if body.len() > MAX_FILE {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    }
    let mut dav = lock(&st.dav);
    if dav.len() >= UPLOAD_CAP && !dav.contains_key(&name) {
        dav.clear();
    }
    let created = dav.insert(name, body.to_vec()).is_none();
    if created {
        StatusCode::CREATED
    } else {
        StatusCode::NO_CONTENT
    }
    .into_response()
}

async fn remove(State(st): State<Shared>, Path(name): Path<String>) -> Response {
    if !st.vulnerable("put-dav") {
        return refused();
    }
    match lock(&st.dav).remove(&name) {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
