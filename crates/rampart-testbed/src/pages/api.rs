//! The JSON API (described by `/openapi.json`): SQLi, eval, blind SSRF and CORS cases.

use super::Params;
use crate::db::query;
use crate::emu::{expr, fetch};
use crate::state::Shared;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http::{header, HeaderMap, HeaderValue, StatusCode};
use serde_json::{json, Value};

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/v1/products/search", get(product_search))
        .route("/api/v1/products/{id}", get(product))
        .route("/api/v1/users/search", post(user_search))
        .route("/api/v1/calc", post(calc))
        .route("/api/v1/webhooks", post(webhook))
        .route("/api/v1/profile", get(profile).options(profile_preflight))
        .route("/api/v1/public/stats", get(stats))
        .route("/api/v1/cart", get(cart).options(cart_preflight))
        .route(
            "/api/v1/wishlist",
            get(wishlist).options(wishlist_preflight),
        )
}

fn field(body: &Bytes, name: &str) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    match v.get(name)? {
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn bad(msg: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": msg }))).into_response()
}

fn db_error(e: &crate::db::DbError) -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(json!({ "error": format!("SQLITE_ERROR: {}", e.0), "code": "SQLITE_ERROR" })),
    )
        .into_response()
}

fn products_json(rows: &[Vec<String>]) -> Value {
    Value::Array(
        rows.iter()
            .map(|r| json!({ "id": r[0], "name": r[1], "price": r[2] }))
            .collect(),
    )
}

async fn product(State(st): State<Shared>, Path(id): Path<String>) -> Response {
    let res = if st.vulnerable("sqli-api-path") {
        query(
            format!("SELECT id, name, price FROM products WHERE id = {id}"),
            vec![],
        )
        .await
    } else {
        query(
            "SELECT id, name, price FROM products WHERE id = ?1".into(),
            vec![id],
        )
        .await
    };
    match res {
        Ok(rows) if rows.is_empty() => (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": "product not found" })),
        )
            .into_response(),
        Ok(rows) => Json(products_json(&rows[..1])[0].clone()).into_response(),
        Err(e) => db_error(&e),
    }
}

async fn product_search(Query(q): Query<Params>) -> Response {
    let name = q.get("name").cloned().unwrap_or_default();
    match query(
        "SELECT id, name, price FROM products WHERE name LIKE '%' || ?1 || '%' ORDER BY id".into(),
        vec![name],
    )
    .await
    {
        Ok(rows) => Json(json!({ "items": products_json(&rows) })).into_response(),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({ "error": "internal error" })),
        )
            .into_response(),
    }
}

async fn user_search(State(st): State<Shared>, body: Bytes) -> Response {
    let Some(name) = field(&body, "name") else {
        return bad("name is required");
    };
    let res = if st.vulnerable("sqli-api-json") {
        query(
            format!("SELECT id, name, role FROM users WHERE name = '{name}'"),
            vec![],
        )
        .await
    } else {
        query(
            "SELECT id, name, role FROM users WHERE name = ?1".into(),
            vec![name],
        )
        .await
    };
    match res {
        Ok(rows) => Json(json!({ "users": rows.iter().map(|r| json!({ "id": r[0], "name": r[1], "role": r[2] })).collect::<Vec<_>>() })).into_response(),
        Err(e) => db_error(&e),
    }
}

async fn calc(State(st): State<Shared>, body: Bytes) -> Response {
    let Some(e) = field(&body, "expression") else {
        return bad("expression is required");
    };
    if !st.vulnerable("code-node-eval") {
        return match e.trim().parse::<f64>() {
            Ok(v) => Json(json!({ "result": v })).into_response(),
            Err(_) => bad("expression must be a number"),
        };
    }
    match expr::run(&e) {
        Ok(o) => {
            tokio::time::sleep(o.delay).await;
            let result = match o.value {
                Some(expr::Value::Int(i)) => json!(i as f64),
                Some(expr::Value::Str(s)) => json!(s),
                None => Value::Null,
            };
            Json(json!({ "result": result })).into_response()
        }
        Err(err) => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({ "error": format!("SyntaxError: {err}"), "stack": "at eval (eval at calculate (/srv/api/routes/calc.js:14:18))" }))).into_response(),
    }
}

async fn webhook(State(st): State<Shared>, body: Bytes) -> Response {
    let Some(url) = field(&body, "callback_url") else {
        return bad("callback_url is required");
    };
    if st.vulnerable("ssrf-webhook") {
        let client = st.client.clone();
        let target = url.clone();
        tokio::spawn(async move {
            let _ = fetch::fetch(&client, &target).await;
        });
    } else if !url.starts_with("https://hooks.example.com/") {
        return bad("callback_url must be under https://hooks.example.com/");
    }
    (
        StatusCode::ACCEPTED,
        Json(json!({ "status": "registered", "callback_url": url })),
    )
        .into_response()
}

/// CORS headers: the origin reflected (vulnerable) or only the allow-listed one.
fn cors(st: &Shared, headers: &HeaderMap, reflect_case: Option<&str>, r: &mut Response) {
    const ALLOWED: &str = "https://shop.acme.test";
    let origin = headers.get(header::ORIGIN).cloned();
    let reflect = reflect_case.is_some_and(|c| st.vulnerable(c));
    let h = r.headers_mut();
    match origin {
        Some(o) if reflect => {
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
            h.insert(
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
        }
        _ => {
            h.insert(
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static(ALLOWED),
            );
            if reflect_case.is_some() {
                h.insert(
                    header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                    HeaderValue::from_static("true"),
                );
            }
        }
    }
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
}

async fn profile(State(st): State<Shared>, headers: HeaderMap) -> Response {
    let mut r = Json(
        json!({ "user": "guest", "email": null, "basket_items": 0, "api_key": "ak_live_4f3a0917" }),
    )
    .into_response();
    cors(&st, &headers, Some("cors-reflect"), &mut r);
    r
}

async fn profile_preflight(State(st): State<Shared>, headers: HeaderMap) -> Response {
    let mut r = StatusCode::NO_CONTENT.into_response();
    cors(&st, &headers, Some("cors-reflect"), &mut r);
    r.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, OPTIONS"),
    );
    r
}

async fn stats(State(st): State<Shared>, headers: HeaderMap) -> Response {
    let mut r = Json(json!({ "products": 5, "stores": 3 })).into_response();
    cors(&st, &headers, None, &mut r);
    r
}

/// The basket API answers simple requests without CORS headers; its preflight (the browser
/// asks before a `PUT` or a JSON `POST`) reflects any origin with credentials.
async fn cart() -> Response {
    Json(json!({ "items": [], "total": 0 })).into_response()
}

fn preflight(st: &Shared, headers: &HeaderMap, case: Option<&str>) -> Response {
    let mut r = StatusCode::NO_CONTENT.into_response();
    cors(st, headers, case, &mut r);
    let h = r.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, PUT, DELETE, OPTIONS"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Content-Type"),
    );
    r
}

async fn cart_preflight(State(st): State<Shared>, headers: HeaderMap) -> Response {
    preflight(&st, &headers, Some("cors-preflight"))
}

async fn wishlist() -> Response {
    Json(json!({ "items": [] })).into_response()
}

/// The same preflight with the allow-listed origin only.
async fn wishlist_preflight(State(st): State<Shared>, headers: HeaderMap) -> Response {
    let mut r = preflight(&st, &headers, None);
    r.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        HeaderValue::from_static("true"),
    );
    r
}
