//! Sign-in forms of two small back offices and two visitor logs.
//!
//! The staff back office kept the `admin` account's factory password (`admin`); the partner
//! back office uses strong passwords and locks every sign-in after five failed attempts
//! (429, "too many failed attempts"), so a scanner that guesses must stop there. The
//! promotion page logs each visit's `User-Agent` and shows the recent visitors unescaped on
//! another page (stored XSS whose source is a request header); the events page logs the same
//! and escapes it.

use super::Params;
use crate::auth::cookie;
use crate::html::{esc, page, random_hex};
use crate::state::{lock, Shared, STORED_CAP};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use http::{header, HeaderMap, HeaderValue, StatusCode};
use std::sync::atomic::Ordering;

/// Failed partner sign-ins after which every attempt is refused.
pub const PARTNER_LOCKOUT: u64 = 5;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/staff/login.php", get(staff_form).post(staff_login))
        .route("/staff/", get(staff_home))
        .route("/partners/login.php", get(partner_form).post(partner_login))
        .route("/promo.php", get(promo))
        .route("/promo/visitors.php", get(promo_visitors))
        .route("/event.php", get(event))
        .route("/event/visitors.php", get(event_visitors))
}

fn sign_in(st: &Shared, title: &str, action: &str, message: &str) -> Response {
    page(
        st,
        title,
        &format!(
            "{message}<form method=\"post\" action=\"{action}\">\
             <p>User <input type=\"text\" name=\"username\"></p>\
             <p>Password <input type=\"password\" name=\"password\" autocomplete=\"off\"></p>\
             <p><input type=\"submit\" value=\"Sign in\"></p></form>"
        ),
    )
    .into_response()
}

async fn staff_form(State(st): State<Shared>) -> Response {
    sign_in(&st, "Staff sign-in", "/staff/login.php", "")
}

async fn staff_login(State(st): State<Shared>, Form(f): Form<Params>) -> Response {
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    // The installer's default password, never changed (a strong one once fixed).
    let admin_password = if st.vulnerable("weak-creds-staff") {
        "admin"
    } else {
        "Qe7-staff-Rv2x!"
    };
    if get("username") == "admin" && get("password") == admin_password {
        let id = random_hex(16);
        lock(&st.staff_sessions).insert(id.clone());
        let mut r = Redirect::to("/staff/").into_response();
        if let Ok(v) = HeaderValue::from_str(&format!("staff_sid={id}; path=/staff/; HttpOnly")) {
            r.headers_mut().insert(header::SET_COOKIE, v);
        }
        return r;
    }
    sign_in(
        &st,
        "Staff sign-in",
        "/staff/login.php",
        "<p class=\"error\">Invalid login.</p>",
    )
}

async fn staff_home(State(st): State<Shared>, headers: HeaderMap) -> Response {
    let signed_in =
        cookie(&headers, "staff_sid").is_some_and(|id| lock(&st.staff_sessions).contains(&id));
    if !signed_in {
        return Redirect::to("/staff/login.php").into_response();
    }
    page(
        &st,
        "Staff area",
        "<p>Welcome back, admin.</p><ul><li>Orders to ship: 12</li><li>Returns: 3</li></ul>\
         <p><a href=\"/staff/logout.php\">Log out</a></p>",
    )
    .into_response()
}

async fn partner_form(State(st): State<Shared>) -> Response {
    sign_in(&st, "Partner sign-in", "/partners/login.php", "")
}

async fn partner_login(State(st): State<Shared>, Form(f): Form<Params>) -> Response {
    if st.partner_failures.load(Ordering::Relaxed) >= PARTNER_LOCKOUT {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            page(
                &st,
                "Partner sign-in",
                "<p class=\"error\">Too many failed attempts. Try again later.</p>",
            ),
        )
            .into_response();
    }
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    if get("username") == "admin" && get("password") == "Lk4-partner-Wq9z!" {
        return Redirect::to("/").into_response();
    }
    st.partner_failures.fetch_add(1, Ordering::Relaxed);
    sign_in(
        &st,
        "Partner sign-in",
        "/partners/login.php",
        "<p class=\"error\">Invalid login.</p>",
    )
}

/// Logs the visit's browser in `log` (newest first).
fn log_visit(st: &Shared, promo: bool, headers: &HeaderMap) {
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .chars()
        .take(300)
        .collect::<String>();
    let mut log = lock(if promo {
        &st.promo_visits
    } else {
        &st.event_visits
    });
    log.push_front(ua);
    log.truncate(STORED_CAP);
}

async fn promo(State(st): State<Shared>, headers: HeaderMap) -> Response {
    log_visit(&st, true, &headers);
    page(
        &st,
        "Summer promotion",
        "<p>20% off all tents this week.</p><p><a href=\"/promo/visitors.php\">Who visited</a></p>",
    )
    .into_response()
}

async fn promo_visitors(State(st): State<Shared>) -> Response {
    // The browser names are shown as they came (escaped once fixed).
    let raw = st.vulnerable("xss-stored-header");
    let rows: String = lock(&st.promo_visits)
        .iter()
        .map(|ua| format!("<li>{}</li>", if raw { ua.clone() } else { esc(ua) }))
        .collect();
    page(
        &st,
        "Recent promotion visitors",
        &format!("<ul>{rows}</ul>"),
    )
    .into_response()
}

async fn event(State(st): State<Shared>, headers: HeaderMap) -> Response {
    log_visit(&st, false, &headers);
    page(
        &st,
        "Autumn hiking event",
        "<p>Join us on the ridge trail.</p><p><a href=\"/event/visitors.php\">Who visited</a></p>",
    )
    .into_response()
}

async fn event_visitors(State(st): State<Shared>) -> Response {
    let rows: String = lock(&st.event_visits)
        .iter()
        .map(|ua| format!("<li>{}</li>", esc(ua)))
        .collect();
    page(&st, "Recent event visitors", &format!("<ul>{rows}</ul>")).into_response()
}
