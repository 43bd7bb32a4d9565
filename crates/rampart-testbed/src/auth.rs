//! Form login, sessions, logout and the `/account/` area (with its own vulnerable cases).

use crate::html::{esc, layout, page};
use crate::server::Tls;
use crate::state::{lock, Session, Shared};
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Extension, Form, Router};
use http::{header, HeaderMap, HeaderValue, StatusCode};
use std::collections::HashMap;

pub(crate) const USERNAME: &str = "alice";
pub(crate) const PASSWORD: &str = "wonderland";
/// A second account, for access-control tests between two users.
pub(crate) const USERNAME2: &str = "bob";
pub(crate) const PASSWORD2: &str = "builder42";
const COOKIE: &str = "PHPSESSID";

type Params = HashMap<String, String>;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/members/signin.php", get(signin_get).post(signin_post))
        .route("/members/pin.php", get(pin_page))
        .route("/members/pin-safe.php", get(pin_page_safe))
        .route("/logout.php", get(logout))
        .route("/account/", get(account_home))
        .route(
            "/account",
            get(|| async { Redirect::permanent("/account/") }),
        )
        .route("/account/orders.php", get(orders))
        .route("/account/search.php", get(search))
        .route("/account/profile.php", get(profile_form).post(profile_save))
        .route("/account/email.php", get(email_form).post(email_save))
        .route("/account/address.php", get(address_form).post(address_save))
        .route("/account/notes/", get(notes_list))
        .route("/account/notes/view.php", get(note_view))
        .route("/account/notes/read.php", get(note_read))
}

/// The value of cookie `name` in the request.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn session(st: &Shared, headers: &HeaderMap) -> Option<(String, Session)> {
    let id = cookie(headers, COOKIE)?;
    let s = lock(&st.sessions).get(&id).cloned()?;
    Some((id, s))
}

fn login_page(st: &Shared, message: &str, next: &str) -> String {
    let autocomplete = " autocomplete=\"off\"";
    layout(
        st,
        "Sign in",
        &format!(
            "{message}<form method=\"post\" action=\"/login\">\
             <input type=\"hidden\" name=\"next\" value=\"{next}\">\
             <p>Username <input type=\"text\" name=\"username\" value=\"\"></p>\
             <p>Password <input type=\"password\" name=\"password\"{autocomplete}></p>\
             <p><input type=\"submit\" value=\"Sign in\"></p></form>\
             <p>Old members area: <a href=\"/members/signin.php\">classic sign-in</a></p>",
            next = esc(next)
        ),
    )
}

async fn login_form(
    State(st): State<Shared>,
    Extension(tls): Extension<Tls>,
    Query(q): Query<Params>,
) -> Response {
    if !tls.0 && !st.vulnerable("password-http") {
        if let Some(b) = st.https_base() {
            return Redirect::permanent(&format!("{b}/login")).into_response();
        }
    }
    let next = q.get("next").map(String::as_str).unwrap_or("/account/");
    let msg = if q.contains_key("next") {
        "<p class=\"warn\">Please sign in to continue.</p>"
    } else {
        ""
    };
    Html(login_page(&st, msg, next)).into_response()
}

/// Starts a session for `user` and redirects to `next` (local paths only).
fn start_session(st: &Shared, tls: bool, user: &str, next: &str) -> Response {
    let id = st.new_session_id(st.vulnerable("session-sequential"));
    lock(&st.sessions).insert(
        id.clone(),
        Session {
            user: user.to_owned(),
            csrf_token: crate::html::random_hex(16),
        },
    );
    let flags = if st.vulnerable("cookie-session") {
        String::new()
    } else {
        format!(
            "; HttpOnly; SameSite=Lax{}",
            if tls { "; Secure" } else { "" }
        )
    };
    let next = if next.starts_with('/') && !next.starts_with("//") {
        next
    } else {
        "/account/"
    };
    let mut r = Redirect::to(next).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("{COOKIE}={id}; path=/{flags}")) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

async fn login(
    State(st): State<Shared>,
    Extension(tls): Extension<Tls>,
    Form(f): Form<Params>,
) -> Response {
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    if get("username") == USERNAME && get("password") == PASSWORD {
        return start_session(&st, tls.0, USERNAME, get("next"));
    }
    if get("username") == USERNAME2 && get("password") == PASSWORD2 {
        return start_session(&st, tls.0, USERNAME2, get("next"));
    }
    let msg = "<p class=\"error\">Invalid username or password.</p>";
    Html(login_page(&st, msg, get("next"))).into_response()
}

fn signin_page(st: &Shared, message: &str) -> Html<String> {
    let method = if st.vulnerable("password-get") {
        "get"
    } else {
        "post"
    };
    let ac = if st.vulnerable("autocomplete-on") {
        ""
    } else {
        " autocomplete=\"off\""
    };
    page(
        st,
        "Members sign-in",
        &format!(
            "{message}<form method=\"{method}\" action=\"/members/signin.php\">\
             <p>Member name <input type=\"text\" name=\"user\"></p>\
             <p>Password <input type=\"password\" name=\"pass\"{ac}></p>\
             <p><input type=\"submit\" name=\"go\" value=\"Enter\"></p></form>"
        ),
    )
}

async fn signin_get(
    State(st): State<Shared>,
    Extension(tls): Extension<Tls>,
    Query(q): Query<Params>,
) -> Response {
    match (q.get("user"), q.get("pass")) {
        (Some(u), Some(p)) if st.vulnerable("password-get") => signin(&st, tls.0, u, p),
        _ => signin_page(&st, "").into_response(),
    }
}

async fn signin_post(
    State(st): State<Shared>,
    Extension(tls): Extension<Tls>,
    Form(f): Form<Params>,
) -> Response {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    signin(&st, tls.0, &get("user"), &get("pass"))
}

fn signin(st: &Shared, tls: bool, user: &str, pass: &str) -> Response {
    if user == USERNAME && pass == PASSWORD {
        return start_session(st, tls, USERNAME, "/account/");
    }
    signin_page(st, "<p class=\"error\">Wrong member name or password.</p>").into_response()
}

async fn logout(State(st): State<Shared>, headers: HeaderMap) -> Response {
    if let Some((id, _)) = session(&st, &headers) {
        lock(&st.sessions).remove(&id);
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static(
            "PHPSESSID=deleted; path=/; expires=Thu, 01 Jan 1970 00:00:00 GMT",
        ),
    );
    r
}

/// Runs `f` for a logged-in user, or redirects to the login page.
fn guarded(
    st: &Shared,
    headers: &HeaderMap,
    here: &str,
    f: impl FnOnce(Session) -> Response,
) -> Response {
    match session(st, headers) {
        Some((_, s)) => f(s),
        None => login_redirect(st, here),
    }
}

/// What an anonymous visitor of the account area gets: a redirect to the login page.
fn login_redirect(st: &Shared, here: &str) -> Response {
    let next = url::form_urlencoded::byte_serialize(here.as_bytes()).collect::<String>();
    let to = format!("/login?next={next}");
    let body = layout(
        st,
        "Sign in",
        &format!("<p>Please sign in to continue: <a href=\"{to}\">sign in</a></p>"),
    );
    let mut r = (StatusCode::FOUND, Html(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

fn account_page(st: &Shared, s: &Session, title: &str, body: &str) -> Response {
    page(
        st,
        title,
        &format!(
            "<p>Signed in as <b>{}</b> &middot; <a href=\"/account/\">Account</a> &middot; \
             <a href=\"/account/orders.php?status=shipped\">Orders</a> &middot; \
             <a href=\"/account/search.php?q=lamp\">Search orders</a> &middot; \
             <a href=\"/account/profile.php\">Profile</a> &middot; \
             <a href=\"/account/email.php\">Email</a> &middot; <a href=\"/account/address.php\">Address</a> &middot; \
             <a href=\"/account/notes/\">Notes</a> &middot; \
             <a href=\"/logout.php\">Log out</a></p>{body}",
            esc(&s.user)
        ),
    )
    .into_response()
}

async fn account_home(State(st): State<Shared>, headers: HeaderMap) -> Response {
    guarded(&st, &headers, "/account/", |s| {
        account_page(
            &st,
            &s,
            "My account",
            "<p>Welcome to your account. You have 3 orders.</p>",
        )
    })
}

async fn orders(State(st): State<Shared>, headers: HeaderMap, Query(q): Query<Params>) -> Response {
    let Some((_, s)) = session(&st, &headers) else {
        return login_redirect(&st, "/account/orders.php?status=shipped");
    };
    let status = q.get("status").cloned().unwrap_or_else(|| "shipped".into());
    let rows = if st.vulnerable("sqli-boolean-string") {
        let sql = format!(
            "SELECT id, item, total, status FROM orders WHERE username = '{}' AND status = '{status}' ORDER BY id",
            s.user
        );
        crate::db::query(sql, vec![]).await
    } else {
        let sql = "SELECT id, item, total, status FROM orders WHERE username = ?1 AND status = ?2 ORDER BY id";
        crate::db::query(sql.into(), vec![s.user.clone(), status.clone()]).await
    };
    let rows = rows.unwrap_or_default();
    let body = if rows.is_empty() {
        "<p>No orders found.</p>".to_owned()
    } else {
        let trs: String = rows
            .iter()
            .map(|r| {
                format!(
                    "<tr><td>#{}</td><td>{}</td><td>&pound;{}</td><td>{}</td></tr>",
                    r[0],
                    esc(&r[1]),
                    r[2],
                    esc(&r[3])
                )
            })
            .collect();
        format!(
            "<table><tr><th>Order</th><th>Item</th><th>Total</th><th>Status</th></tr>{trs}</table>"
        )
    };
    let filter = "<form method=\"get\" action=\"/account/orders.php\"><select name=\"status\">\
        <option>shipped</option><option>pending</option><option>delivered</option></select>\
        <input type=\"submit\" value=\"Filter\"></form>";
    account_page(&st, &s, "My orders", &format!("{filter}{body}"))
}

async fn search(State(st): State<Shared>, headers: HeaderMap, Query(q): Query<Params>) -> Response {
    let term = q.get("q").cloned().unwrap_or_default();
    guarded(&st, &headers, "/account/search.php?q=lamp", |s| {
        let shown = if st.vulnerable("xss-account") {
            term.clone()
        } else {
            esc(&term)
        };
        account_page(
            &st,
            &s,
            "Search orders",
            &format!(
                "<form method=\"get\" action=\"/account/search.php\"><input name=\"q\" value=\"lamp\">\
                 <input type=\"submit\" value=\"Search\"></form><p>No orders match {shown}.</p>"
            ),
        )
    })
}

fn token_field(on: bool, name: &str, token: &str) -> String {
    if on {
        format!("<input type=\"hidden\" name=\"{name}\" value=\"{token}\">")
    } else {
        String::new()
    }
}

async fn profile_form(State(st): State<Shared>, headers: HeaderMap) -> Response {
    guarded(&st, &headers, "/account/profile.php", |s| {
        let name = lock(&st.profile)
            .get(&s.user)
            .cloned()
            .unwrap_or_else(|| "Alice".into());
        let tok = token_field(!st.vulnerable("csrf-profile"), "token", &s.csrf_token);
        account_page(
            &st,
            &s,
            "Profile",
            &format!(
                "<form method=\"post\" action=\"/account/profile.php\">{tok}\
                 <p>Display name <input name=\"display_name\" value=\"{}\"></p>\
                 <p>Bio <textarea name=\"bio\">Hiker</textarea></p><input type=\"submit\" value=\"Save\"></form>",
                esc(&name)
            ),
        )
    })
}

async fn profile_save(
    State(st): State<Shared>,
    headers: HeaderMap,
    Form(f): Form<Params>,
) -> Response {
    guarded(&st, &headers, "/account/profile.php", |s| {
        if !st.vulnerable("csrf-profile") && f.get("token") != Some(&s.csrf_token) {
            return (StatusCode::FORBIDDEN, "invalid request token").into_response();
        }
        let name = f.get("display_name").cloned().unwrap_or_default();
        lock(&st.profile).insert(s.user.clone(), name);
        account_page(&st, &s, "Profile", "<p>Profile saved.</p>")
    })
}

async fn email_form(State(st): State<Shared>, headers: HeaderMap) -> Response {
    guarded(&st, &headers, "/account/email.php", |s| {
        let tok = token_field(true, "csrf_token", &s.csrf_token);
        account_page(
            &st,
            &s,
            "Email address",
            &format!(
                "<form method=\"post\" action=\"/account/email.php\">{tok}\
                 <p>New email <input type=\"email\" name=\"email\" value=\"alice@acme.test\"></p>\
                 <input type=\"submit\" value=\"Change\"></form>"
            ),
        )
    })
}

async fn email_save(
    State(st): State<Shared>,
    headers: HeaderMap,
    Form(f): Form<Params>,
) -> Response {
    guarded(&st, &headers, "/account/email.php", |s| {
        if f.get("csrf_token") != Some(&s.csrf_token) {
            return (StatusCode::FORBIDDEN, "invalid request token").into_response();
        }
        account_page(
            &st,
            &s,
            "Email address",
            "<p>A confirmation link was sent to the new address.</p>",
        )
    })
}

/// Private notes: (id, owner, title, text).
const NOTES: &[(u32, &str, &str, &str)] = &[
    (
        1,
        USERNAME,
        "Packing list",
        "Compass, 30 m of rope, water filter, spare headlamp batteries.",
    ),
    (
        2,
        USERNAME,
        "Gate code",
        "The storage unit gate opens with 4471, unit 18B.",
    ),
    (
        3,
        USERNAME2,
        "Gift ideas",
        "Folding stove for Sam, merino socks for Jo, a new hammock.",
    ),
    (
        4,
        USERNAME2,
        "Bank reminder",
        "Move the climbing trip savings before the 14th.",
    ),
];

async fn notes_list(State(st): State<Shared>, headers: HeaderMap) -> Response {
    guarded(&st, &headers, "/account/notes/", |s| {
        let items: String = NOTES
            .iter()
            .filter(|n| n.1 == s.user)
            .map(|(id, _, title, _)| {
                format!(
                    "<li>{title}: <a href=\"/account/notes/view.php?id={id}\">open</a> \
                     &middot; <a href=\"/account/notes/read.php?id={id}\">read-only view</a></li>"
                )
            })
            .collect();
        account_page(&st, &s, "My notes", &format!("<ul>{items}</ul>"))
    })
}

/// One note by id. `owned`: only the owner's notes are shown (the safe twin, or the
/// vulnerable page once fixed); otherwise any note is shown to any signed-in user.
fn note_page(st: &Shared, s: &Session, q: &Params, owned: bool) -> Response {
    let id: u32 = q.get("id").and_then(|v| v.parse().ok()).unwrap_or(0);
    match NOTES
        .iter()
        .find(|n| n.0 == id && (!owned || n.1 == s.user))
    {
        Some((_, _, title, text)) => account_page(
            st,
            s,
            "Note",
            &format!("<h2>{}</h2><p>{}</p>", esc(title), esc(text)),
        ),
        None => {
            let mut r = account_page(st, s, "Note", "<p>No such note.</p>");
            *r.status_mut() = StatusCode::NOT_FOUND;
            r
        }
    }
}

async fn note_view(
    State(st): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<Params>,
) -> Response {
    guarded(&st, &headers, "/account/notes/", |s| {
        note_page(&st, &s, &q, !st.vulnerable("idor-notes"))
    })
}

async fn note_read(
    State(st): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<Params>,
) -> Response {
    guarded(&st, &headers, "/account/notes/", |s| {
        note_page(&st, &s, &q, true)
    })
}

/// The delivery address form carries a token that the handler never checks (it checks it
/// once the case is fixed).
async fn address_form(State(st): State<Shared>, headers: HeaderMap) -> Response {
    guarded(&st, &headers, "/account/address.php", |s| {
        let tok = token_field(true, "csrf_token", &s.csrf_token);
        account_page(
            &st,
            &s,
            "Delivery address",
            &format!(
                "<form method=\"post\" action=\"/account/address.php\">{tok}\
                 <p>Street <input name=\"street\" value=\"1 Trail Road\"></p>\
                 <p>Town <input name=\"town\" value=\"Keswick\"></p><input type=\"submit\" value=\"Save\"></form>"
            ),
        )
    })
}

async fn address_save(
    State(st): State<Shared>,
    headers: HeaderMap,
    Form(f): Form<Params>,
) -> Response {
    guarded(&st, &headers, "/account/address.php", |s| {
        if !st.vulnerable("csrf-token-unchecked") && f.get("csrf_token") != Some(&s.csrf_token) {
            return (StatusCode::FORBIDDEN, "invalid request token").into_response();
        }
        account_page(&st, &s, "Delivery address", "<p>Address saved.</p>")
    })
}

/// A card PIN form submitted by script: the password input has no `name`.
fn pin_form(autocomplete_off: bool) -> String {
    let ac = if autocomplete_off {
        " autocomplete=\"off\""
    } else {
        ""
    };
    format!(
        "<form id=\"pin\" onsubmit=\"return sendPin()\"><p>Card number <input name=\"card\"></p>\
         <p>PIN <input type=\"password\" id=\"pin-code\"{ac}></p><p><button>Check</button></p></form>\
         <script>function sendPin() {{ fetch('/members/pin-check', {{method: 'POST', body: document.getElementById('pin-code').value}}); return false; }}</script>"
    )
}

async fn pin_page(State(st): State<Shared>) -> Html<String> {
    let off = !st.vulnerable("autocomplete-unnamed");
    crate::html::page(&st, "Check your card PIN", &pin_form(off))
}

async fn pin_page_safe(State(st): State<Shared>) -> Html<String> {
    crate::html::page(&st, "Check your card PIN", &pin_form(true))
}
