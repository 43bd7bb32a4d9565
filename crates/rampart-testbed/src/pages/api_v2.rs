//! The API area no page links to (version 2 of the JSON API): described only by the OpenAPI
//! document and the HAR of [`crate::definitions`].

use crate::db::query;
use crate::html::esc;
use crate::state::Shared;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http::StatusCode;
use serde_json::{json, Value};

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/v2/orders/search", post(orders))
        .route("/api/v2/invoices/search", post(invoices))
        .route("/api/v2/preview", get(preview))
        .route("/api/v2/render", get(render))
}

fn customer(body: &Bytes) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    match v.get("customer")? {
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn rows_json(rows: &[Vec<String>]) -> Value {
    Value::Array(
        rows.iter()
            .map(|r| json!({ "id": r[0], "item": r[1], "status": r[2], "total": r[3] }))
            .collect(),
    )
}

async fn search(vulnerable: bool, body: Bytes) -> Response {
    let Some(c) = customer(&body) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "customer is required" })),
        )
            .into_response();
    };
    let res = if vulnerable {
        query(
            format!(
                "SELECT id, item, status, total FROM orders WHERE username = '{c}' ORDER BY id"
            ),
            vec![],
        )
        .await
    } else {
        query(
            "SELECT id, item, status, total FROM orders WHERE username = ?1 ORDER BY id".into(),
            vec![c],
        )
        .await
    };
    match res {
        Ok(rows) => Json(json!({ "results": rows_json(&rows) })).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({ "error": format!("SQLITE_ERROR: {}", e.0), "code": "SQLITE_ERROR" })),
        )
            .into_response(),
    }
}

async fn orders(State(st): State<Shared>, body: Bytes) -> Response {
    search(st.vulnerable("sqli-api2-json"), body).await
}

async fn invoices(body: Bytes) -> Response {
    search(false, body).await
}

fn title(q: &super::Params) -> String {
    super::param(q, "title", "Untitled")
}

async fn preview(State(st): State<Shared>, Query(q): Query<super::Params>) -> Html<String> {
    let t = title(&q);
    let t = if st.vulnerable("xss-api2-query") {
        t
    } else {
        esc(&t)
    };
    Html(format!(
        "<!DOCTYPE html><html><body><h1>{t}</h1></body></html>"
    ))
}

async fn render(Query(q): Query<super::Params>) -> Html<String> {
    Html(format!(
        "<!DOCTYPE html><html><body><h1>{}</h1></body></html>",
        esc(&title(&q))
    ))
}
