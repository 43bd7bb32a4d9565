//! Lists changed by GET forms: a wishlist (CSRF over GET), a gift list whose GET form carries
//! a token the server checks, and a timetable whose GET form only looks things up.

use super::{param, Params};
use crate::html::{esc, page, random_hex};
use crate::state::{lock, Shared};
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http::{header, HeaderMap, StatusCode};

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/wishlist.php", get(wishlist))
        .route("/wishlist/add.php", get(wishlist_add))
        .route("/giftlist.php", get(giftlist))
        .route("/giftlist/add.php", get(giftlist_add))
        .route("/timetable.php", get(timetable))
}

/// Items kept per list (the newest).
const KEPT: usize = 20;

fn items(st: &Shared, list: &str) -> Vec<String> {
    lock(&st.prefs)
        .get(list)
        .map(|s| s.lines().map(str::to_owned).collect())
        .unwrap_or_default()
}

fn add(st: &Shared, list: &str, item: &str) {
    let mut all = items(st, list);
    all.push(item.replace(['\r', '\n'], " "));
    let from = all.len().saturating_sub(KEPT);
    lock(&st.prefs).insert(list.to_owned(), all[from..].join("\n"));
}

fn list_html(st: &Shared, list: &str) -> String {
    let li: String = items(st, list)
        .iter()
        .map(|i| format!("<li>{}</li>", esc(i)))
        .collect();
    format!("<ul class=\"items\">{li}</ul>")
}

async fn wishlist(State(st): State<Shared>) -> Html<String> {
    page(
        &st,
        "My wishlist",
        &format!(
            "{}<form method=\"get\" action=\"/wishlist/add.php\"><input type=\"text\" name=\"item\" value=\"Trail Tent 3000\">\
             <input type=\"submit\" value=\"Add to wishlist\"></form>",
            list_html(&st, "wishlist")
        ),
    )
}

/// Adds the item: a GET that changes the list, with no token.
async fn wishlist_add(State(st): State<Shared>, Query(q): Query<Params>) -> Response {
    let item = param(&q, "item", "");
    if !st.vulnerable("csrf-get") {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            "use the form on /wishlist.php",
        )
            .into_response();
    }
    add(&st, "wishlist", &item);
    page(&st, "My wishlist", &format!("<p>Added {}.</p>", esc(&item))).into_response()
}

/// The visitor's token: the `gift_token` cookie, set by the list page.
fn cookie_token(h: &HeaderMap) -> Option<String> {
    h.get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().strip_prefix("gift_token="))
        .map(str::to_owned)
        .next()
}

async fn giftlist(State(st): State<Shared>, h: HeaderMap) -> Response {
    let token = cookie_token(&h).unwrap_or_else(|| random_hex(16));
    let body = page(
        &st,
        "Gift list",
        &format!(
            "{}<form method=\"get\" action=\"/giftlist/add.php\"><input type=\"hidden\" name=\"token\" value=\"{token}\">\
             <input type=\"text\" name=\"gift\" value=\"Camping stove\"><input type=\"submit\" value=\"Add\"></form>",
            list_html(&st, "giftlist")
        ),
    );
    (
        [(header::SET_COOKIE, format!("gift_token={token}; Path=/"))],
        body,
    )
        .into_response()
}

/// Adds the gift only when the form's token matches the visitor's cookie.
async fn giftlist_add(State(st): State<Shared>, h: HeaderMap, Query(q): Query<Params>) -> Response {
    let sent = param(&q, "token", "");
    if sent.is_empty() || cookie_token(&h).as_deref() != Some(sent.as_str()) {
        return (StatusCode::FORBIDDEN, "invalid request token").into_response();
    }
    let gift = param(&q, "gift", "");
    add(&st, "giftlist", &gift);
    page(&st, "Gift list", &format!("<p>Added {}.</p>", esc(&gift))).into_response()
}

/// Departures between two stops: the GET form only looks them up.
async fn timetable(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let from = param(&q, "from", "Harbour");
    let to = param(&q, "to", "Summit");
    let n = from.len() + to.len();
    page(
        &st,
        "Bus timetable",
        &format!(
            "<form method=\"get\" action=\"/timetable.php\"><input type=\"text\" name=\"from\" value=\"{0}\">\
             <input type=\"text\" name=\"to\" value=\"{1}\"><input type=\"submit\" value=\"Show departures\"></form>\
             <p>Departures from {0} to {1}: 08:{2:02}, 12:{2:02}, 17:{2:02}.</p>",
            esc(&from),
            esc(&to),
            n % 60
        ),
    )
}
