//! The shop pages: SQL injection cases and their parameterised twins.

use super::{param, Params};
use crate::auth::cookie;
use crate::db::{query, DbError};
use crate::html::{esc, page};
use crate::state::Shared;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http::{header, HeaderMap, HeaderValue};

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/products.php", get(products))
        .route("/catalog.php", get(catalog))
        .route("/search.php", get(search))
        .route("/find.php", get(find))
        .route("/news.php", get(news))
        .route("/giftcard.php", get(giftcard))
        .route("/voucher.php", get(voucher))
        .route("/track.php", get(track))
        .route("/status.php", get(status))
        .route("/welcome.php", get(welcome))
        .route("/setregion.php", get(setregion))
        .route("/prices.php", get(prices))
        .route("/rates.php", get(rates))
}

/// A PHP warning as display_errors=On prints it.
fn php_warning(script: &str, e: &DbError) -> String {
    format!(
        "<br />\n<b>Warning</b>: SQLite3::query(): Unable to prepare statement: 1, {} in \
         <b>/var/www/html/{script}</b> on line <b>14</b><br />\n",
        esc(&e.0)
    )
}

fn product_html(rows: &[Vec<String>]) -> String {
    match rows.first() {
        Some(r) => format!(
            "<h2>{}</h2><p>{}</p><p class=\"price\">&pound;{}</p>\
             <form method=\"get\" action=\"/cart.php\"><input type=\"hidden\" name=\"id\" value=\"{}\">\
             <input type=\"submit\" value=\"Add to basket\"></form>",
            esc(&r[1]),
            esc(&r[2]),
            esc(&r[3]),
            esc(&r[0])
        ),
        None => "<p>Product not found.</p>".into(),
    }
}

const OTHERS: &str = "<p>See also: <a href=\"/products.php?id=2\">Camp Lamp</a> &middot; \
    <a href=\"/catalog.php?id=3\">Hiking Boots (catalogue)</a></p>";

async fn products(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let id = param(&q, "id", "1");
    let res = if st.vulnerable("sqli-error-numeric") {
        query(
            format!("SELECT id, name, description, price FROM products WHERE id = {id}"),
            vec![],
        )
        .await
    } else {
        query(
            "SELECT id, name, description, price FROM products WHERE id = ?1".into(),
            vec![id],
        )
        .await
    };
    let body = match res {
        Ok(rows) => product_html(&rows),
        Err(e) => php_warning("products.php", &e),
    };
    page(&st, "Product", &format!("{body}{OTHERS}"))
}

async fn catalog(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let id = param(&q, "id", "1");
    let rows = query(
        "SELECT id, name, description, price FROM products WHERE id = ?1".into(),
        vec![id],
    )
    .await
    .unwrap_or_default();
    page(
        &st,
        "Catalogue",
        &format!("{}{OTHERS}", product_html(&rows)),
    )
}

fn result_list(rows: &[Vec<String>]) -> String {
    if rows.is_empty() {
        return "<p>No products found.</p>".into();
    }
    let lis: String = rows
        .iter()
        .map(|r| {
            format!(
                "<li><a href=\"/products.php?id={}\">{}</a> &pound;{}</li>",
                esc(&r[0]),
                esc(&r[1]),
                esc(&r[2])
            )
        })
        .collect();
    format!("<ul>{lis}</ul>")
}

fn search_form(action: &str, label: &str, value: &str) -> String {
    format!(
        "<form method=\"get\" action=\"{action}\">{label} <input type=\"text\" name=\"q\" value=\"{}\">\
         <input type=\"submit\" value=\"Search\"></form>",
        esc(value)
    )
}

async fn search(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let term = param(&q, "q", "tent");
    let res = if st.vulnerable("sqli-error-string") {
        query(
            format!("SELECT id, name, price FROM products WHERE name LIKE '%{term}%' ORDER BY id"),
            vec![],
        )
        .await
    } else {
        query(
            "SELECT id, name, price FROM products WHERE name LIKE '%' || ?1 || '%' ORDER BY id"
                .into(),
            vec![term.clone()],
        )
        .await
    };
    let body = match res {
        Ok(rows) => result_list(&rows),
        Err(e) => php_warning("search.php", &e),
    };
    page(
        &st,
        "Search",
        &format!(
            "{}{body}",
            search_form("/search.php", "Find products", &term)
        ),
    )
}

async fn find(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let term = param(&q, "q", "lamp");
    let rows = query(
        "SELECT id, name, price FROM products WHERE name LIKE '%' || ?1 || '%' ORDER BY id".into(),
        vec![term.clone()],
    )
    .await
    .unwrap_or_default();
    page(
        &st,
        "Product finder",
        &format!(
            "{}{}",
            search_form("/find.php", "Product name", &term),
            result_list(&rows)
        ),
    )
}

async fn news(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let id = param(&q, "id", "1");
    let res = if st.vulnerable("sqli-boolean-numeric") {
        query(
            format!("SELECT title, body FROM news WHERE id = {id}"),
            vec![],
        )
        .await
    } else {
        query(
            "SELECT title, body FROM news WHERE id = ?1".into(),
            vec![id],
        )
        .await
    };
    let body = match res.unwrap_or_default().first() {
        Some(r) => format!("<h2>{}</h2><p>{}</p>", esc(&r[0]), esc(&r[1])),
        None => "<p>Sorry, this article is not available.</p>".into(),
    };
    let more = "<p>More news: <a href=\"/news.php?id=2\">New store</a> &middot; <a href=\"/news.php?id=3\">Boot care</a></p>";
    page(&st, "News", &format!("{body}{more}"))
}

fn parcel_form(action: &str, value: &str) -> String {
    format!(
        "<form method=\"get\" action=\"{action}\">Tracking code <input type=\"text\" name=\"code\" value=\"{value}\">\
         <input type=\"submit\" value=\"Track\"></form>"
    )
}

async fn track(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let msg = match q.get("code") {
        Some(code) => {
            // The result is only logged; the page is the same whatever the query does.
            let _ = if st.vulnerable("sqli-time") {
                query(
                    format!("SELECT status FROM parcels WHERE code = '{code}'"),
                    vec![],
                )
                .await
            } else {
                query(
                    "SELECT status FROM parcels WHERE code = ?1".into(),
                    vec![code.clone()],
                )
                .await
            };
            "<p>Thank you. The tracking status of your parcel will be emailed to you.</p>"
        }
        None => "",
    };
    page(
        &st,
        "Track your parcel",
        &format!("{}{msg}", parcel_form("/track.php", "AC1001")),
    )
}

async fn status(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let msg = match q.get("code") {
        Some(code) => {
            let _ = query(
                "SELECT status FROM parcels WHERE code = ?1".into(),
                vec![code.clone()],
            )
            .await;
            "<p>Thank you. The order status will be emailed to you.</p>"
        }
        None => "",
    };
    page(
        &st,
        "Order status",
        &format!("{}{msg}", parcel_form("/status.php", "AC1002")),
    )
}

async fn welcome(State(st): State<Shared>, headers: HeaderMap) -> Response {
    let (lang, set) = match cookie(&headers, "lang") {
        Some(l) => (
            url::form_urlencoded::parse(format!("v={l}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or(l),
            false,
        ),
        None => ("en".to_owned(), true),
    };
    let res = if st.vulnerable("sqli-cookie") {
        query(
            format!("SELECT greeting FROM i18n WHERE lang = '{lang}'"),
            vec![],
        )
        .await
    } else {
        query(
            "SELECT greeting FROM i18n WHERE lang = ?1".into(),
            vec![lang],
        )
        .await
    };
    let body = match res {
        Ok(rows) => format!(
            "<p>{}</p>",
            rows.first()
                .map(|r| esc(&r[0]))
                .unwrap_or_else(|| "Welcome!".into())
        ),
        Err(e) => php_warning("welcome.php", &e),
    };
    let mut r = page(&st, "Welcome", &body).into_response();
    if set {
        r.headers_mut().insert(
            header::SET_COOKIE,
            HeaderValue::from_static("lang=en; path=/"),
        );
    }
    r
}

/// A gift card lookup whose linked code matches no card: only an `OR` condition changes the
/// page. Errors are hidden.
fn card_html(rows: &[Vec<String>]) -> String {
    match rows.first() {
        Some(r) => format!(
            "<h2>Gift card for {}</h2><table><tr><td>Balance</td><td>&pound;{}</td></tr></table>",
            esc(&r[0]),
            esc(&r[1])
        ),
        None => "<p>No gift card with that code.</p>".into(),
    }
}

async fn giftcard(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let code = param(&q, "code", "GIFT-0000");
    let res = if st.vulnerable("sqli-boolean-or") {
        query(
            format!("SELECT name, price FROM products WHERE name = '{code}'"),
            vec![],
        )
        .await
    } else {
        query(
            "SELECT name, price FROM products WHERE name = ?1".into(),
            vec![code],
        )
        .await
    };
    let body = card_html(&res.unwrap_or_default());
    page(&st, "Gift cards", &body)
}

async fn voucher(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let code = param(&q, "code", "GIFT-0000");
    let res = query(
        "SELECT name, price FROM products WHERE name = ?1".into(),
        vec![code],
    )
    .await;
    page(&st, "Vouchers", &card_html(&res.unwrap_or_default()))
}

/// Remembers the shopper's region in a cookie that other pages read.
async fn setregion(State(st): State<Shared>, Query(q): Query<Params>) -> Response {
    let region: String = param(&q, "r", "uk")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(8)
        .collect();
    let mut r = page(
        &st,
        "Region",
        &format!(
            "<p>Region saved: {}. See <a href=\"/prices.php\">prices</a> and <a href=\"/rates.php\">delivery rates</a>.</p>",
            esc(&region)
        ),
    )
    .into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("region={region}; path=/")) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

fn region_of(headers: &HeaderMap) -> String {
    cookie(headers, "region")
        .map(|l| {
            url::form_urlencoded::parse(format!("v={l}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or(l)
        })
        .unwrap_or_else(|| "uk".into())
}

/// Prices for the region the cookie names (set on another page): concatenated into SQL,
/// errors shown.
async fn prices(State(st): State<Shared>, headers: HeaderMap) -> Html<String> {
    let region = region_of(&headers);
    let res = if st.vulnerable("sqli-cookie-session") {
        query(
            format!("SELECT greeting FROM i18n WHERE lang = '{region}'"),
            vec![],
        )
        .await
    } else {
        query(
            "SELECT greeting FROM i18n WHERE lang = ?1".into(),
            vec![region.clone()],
        )
        .await
    };
    let body = match res {
        Ok(rows) if !rows.is_empty() => {
            format!("<p>Prices for your region ({}).</p>", esc(&rows[0][0]))
        }
        Ok(_) => format!("<p>No prices for region {} yet.</p>", esc(&region)),
        Err(e) => php_warning("prices.php", &e),
    };
    page(&st, "Prices", &body)
}

/// Delivery rates for the region cookie, parameterised.
async fn rates(State(st): State<Shared>, headers: HeaderMap) -> Html<String> {
    let region = region_of(&headers);
    let body = match query(
        "SELECT greeting FROM i18n WHERE lang = ?1".into(),
        vec![region.clone()],
    )
    .await
    {
        Ok(rows) if !rows.is_empty() => format!(
            "<p>Delivery rates for your region ({}).</p>",
            esc(&rows[0][0])
        ),
        Ok(_) => format!("<p>No delivery rates for region {} yet.</p>", esc(&region)),
        Err(e) => php_warning("rates.php", &e),
    };
    page(&st, "Delivery rates", &body)
}
