//! Redirect and header-setting pages: open redirect and CRLF injection cases.

use super::{param, Params};
use crate::html::{esc, js_esc, page};
use crate::state::Shared;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http::{header, HeaderName, HeaderValue, StatusCode};

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/redirect.php", get(location))
        .route("/goto.php", get(meta))
        .route("/out.php", get(script))
        .route("/return.php", get(safe))
        .route("/leave.php", get(leave))
        .route("/stay.php", get(stay))
        .route("/exit.php", get(exit_page))
        .route("/setlang.php", get(setlang))
        .route("/settheme.php", get(settheme))
        .route("/export.php", get(export))
        .route("/export-safe.php", get(export_safe))
}

/// Keeps only local paths (`/x`, not `//host` nor `/\host`), as a careful app does.
fn local_only(target: &str) -> String {
    let ok = target.starts_with('/') && !target.starts_with("//") && !target.starts_with("/\\");
    if ok && !target.chars().any(char::is_control) {
        target.to_owned()
    } else {
        "/".to_owned()
    }
}

fn redirect(to: &str) -> Response {
    let mut r = (
        StatusCode::FOUND,
        Html(format!(
            "<p>Redirecting to <a href=\"{0}\">{0}</a></p>",
            esc(to)
        )),
    )
        .into_response();
    match HeaderValue::from_str(to) {
        Ok(v) => {
            r.headers_mut().insert(header::LOCATION, v);
            r
        }
        Err(_) => (StatusCode::BAD_REQUEST, "Bad Request").into_response(),
    }
}

async fn location(State(st): State<Shared>, Query(q): Query<Params>) -> Response {
    let url = param(&q, "url", "/");
    redirect(&if st.vulnerable("redir-location") {
        url
    } else {
        local_only(&url)
    })
}

async fn meta(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let next = param(&q, "next", "/");
    let to = if st.vulnerable("redir-meta") {
        next
    } else {
        local_only(&next)
    };
    Html(format!(
        "<!DOCTYPE html><html><head><meta http-equiv=\"refresh\" content=\"0; url={0}\"><title>Redirecting</title></head>\
         <body><p>You are being redirected to <a href=\"{0}\">{0}</a>.</p></body></html>",
        esc(&to)
    ))
}

async fn script(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let target = param(&q, "to", "/");
    let to = if st.vulnerable("redir-js") {
        target
    } else {
        local_only(&target)
    };
    page(
        &st,
        "Leaving Acme Outdoor",
        &format!(
            "<p>Taking you there...</p><script>window.location.href = \"{}\";</script>",
            js_esc(&to)
        ),
    )
}

/// A meta refresh written the lenient way browsers accept: `content="0; TARGET"`, no `url=`.
fn bare_refresh(to: &str) -> Html<String> {
    Html(format!(
        "<!DOCTYPE html><html><head><meta http-equiv=\"refresh\" content=\"0; {0}\"><title>Leaving</title></head>\
         <body><p>One moment, taking you to <a href=\"{0}\">{0}</a>.</p></body></html>",
        esc(to)
    ))
}

/// Any destination (an open redirect), HTML-escaped into the refresh and the link: a
/// `javascript:` destination runs when the visitor clicks the link.
async fn leave(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let dest = param(&q, "dest", "/");
    let web = |d: &str| {
        let l = d.trim_start().to_ascii_lowercase();
        l.starts_with("http://") || l.starts_with("https://") || l.starts_with('/')
    };
    bare_refresh(&if !st.vulnerable("redir-meta-bare") {
        local_only(&dest)
    } else if !st.vulnerable("xss-js-url-leave") && !web(&dest) {
        "/".to_owned()
    } else {
        dest
    })
}

async fn stay(Query(q): Query<Params>) -> Html<String> {
    bare_refresh(&local_only(&param(&q, "dest", "/")))
}

/// The target is written into a redirect function that nothing calls any more (the button
/// that used it was removed): the page never leaves.
async fn exit_page(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let to = param(&q, "to", "/");
    page(
        &st,
        "Thanks for visiting",
        &format!(
            "<p>Thanks for visiting. <a href=\"/\">Back to the shop</a></p>\
             <script>function legacyExit() {{ window.location.href = \"{}\"; }}\nvar exitTracked = true;</script>",
            js_esc(&to)
        ),
    )
}

async fn safe(Query(q): Query<Params>) -> Response {
    redirect(&local_only(&param(&q, "returnTo", "/")))
}

/// Appends `raw` as a header the way a CGI script printing headers would: CR/LF start new
/// header lines, and the first line becomes the value of `name`.
fn raw_header(resp: &mut Response, name: HeaderName, raw: &str) {
    let mut lines = raw.split(['\r', '\n']).filter(|l| !l.is_empty());
    if let Some(Ok(v)) = lines.next().map(HeaderValue::from_str) {
        resp.headers_mut().append(name, v);
    }
    for line in lines {
        if let Some((k, v)) = line.split_once(':') {
            if let (Ok(k), Ok(v)) = (
                HeaderName::from_bytes(k.trim().as_bytes()),
                HeaderValue::from_str(v.trim()),
            ) {
                resp.headers_mut().append(k, v);
            }
        }
    }
}

async fn setlang(State(st): State<Shared>, Query(q): Query<Params>) -> Response {
    let lang = param(&q, "lang", "en");
    let mut r = page(&st, "Language", "<p>Language saved. <a href=\"/setlang.php?lang=fr\">Fran&ccedil;ais</a> &middot; <a href=\"/setlang.php?lang=de\">Deutsch</a></p>").into_response();
    let value = format!("lang={lang}; path=/");
    if st.vulnerable("crlf-cookie") {
        raw_header(&mut r, header::SET_COOKIE, &value);
    } else {
        raw_header(&mut r, header::SET_COOKIE, &value.replace(['\r', '\n'], ""));
    }
    r
}

async fn settheme(State(st): State<Shared>, Query(q): Query<Params>) -> Response {
    let theme = param(&q, "theme", "light");
    let mut r = page(
        &st,
        "Theme",
        "<p>Theme saved. <a href=\"/settheme.php?theme=dark\">Dark</a></p>",
    )
    .into_response();
    raw_header(
        &mut r,
        header::SET_COOKIE,
        &format!("theme={}; path=/", theme.replace(['\r', '\n'], "")),
    );
    r
}

fn export_page(st: &Shared, filename: &str) -> Response {
    let mut r = page(
        st,
        "Export",
        "<p>Your order history export is ready. <a href=\"/export.php?filename=orders.csv\">Download again</a></p>",
    )
    .into_response();
    raw_header(
        &mut r,
        header::CONTENT_DISPOSITION,
        &format!("attachment; filename={filename}"),
    );
    r
}

/// The export's file name: line breaks are stripped, then the name is URL-decoded once more
/// (the filter runs before the decoding, so `%0d%0a` in the value becomes a line break).
async fn export(State(st): State<Shared>, Query(q): Query<Params>) -> Response {
    let name = param(&q, "filename", "orders.csv").replace(['\r', '\n'], "");
    let name = if st.vulnerable("crlf-encoded") {
        crate::html::percent_decoded(&name)
    } else {
        crate::html::percent_decoded(&name).replace(['\r', '\n'], "")
    };
    export_page(&st, &name)
}

/// The same, decoding first and stripping line breaks after.
async fn export_safe(State(st): State<Shared>, Query(q): Query<Params>) -> Response {
    let name = crate::html::percent_decoded(&param(&q, "filename", "orders.csv"));
    export_page(&st, &name.replace(['\r', '\n'], ""))
}
