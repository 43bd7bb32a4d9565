//! Client-side weaknesses only a browser sees (`/client/`): JavaScript libraries at versions
//! with known vulnerabilities, credentials in web storage, a `message` listener without an
//! origin check, and an HTTPS page that loads images over HTTP from script — each with a
//! safe twin. The library files are small stand-ins that carry the real libraries' names,
//! banners and version globals (what a scanner reads), not their code.
//!
//! Every vulnerable page marks its unsafe script `data-client="unsafe"` while its case is on
//! (the testbed's own HTTP probes look for it); a fixed case serves its safe twin's script.

use super::Shared;
use crate::html::esc;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/client/", get(index))
        .route("/client/js/{file}", get(script))
        .route("/client/img/{file}", get(image))
        .route("/client/login", get(login_page))
        .route("/client/api/session", axum::routing::post(session))
        .route("/client/orders", get(orders))
        .route("/client/{page}", get(page))
}

/// (case id or "" for a safe twin, page, what the page loads and runs).
struct Page {
    case: &'static str,
    path: &'static str,
    title: &'static str,
    body: fn(&Shared) -> String,
    /// What a fixed case serves instead.
    fixed: &'static str,
}

const PAGES: &[Page] = &[
    Page {
        case: "jslib-jquery",
        path: "catalog.html",
        title: "Catalog",
        body: |_| {
            "<script data-client=\"unsafe\" src=\"/client/js/jquery-1.8.3.min.js\"></script>\n<script>jQuery(function () { document.getElementById('o').textContent = 'Catalog loaded'; });</script>".into()
        },
        fixed: "catalog-new.html",
    },
    Page {
        case: "jslib-angular",
        path: "dashboard.html",
        title: "Dashboard",
        body: |_| {
            "<script data-client=\"unsafe\" src=\"/client/js/app.bundle.js\"></script>".into()
        },
        fixed: "catalog-new.html",
    },
    Page {
        case: "jslib-lodash",
        path: "reports.html",
        title: "Reports",
        body: |_| {
            "<script data-client=\"unsafe\" src=\"/client/js/vendor.js\"></script>\n<script>document.getElementById('o').textContent = 'Reports: ' + typeof _;</script>".into()
        },
        fixed: "catalog-new.html",
    },
    Page {
        case: "",
        path: "catalog-new.html",
        title: "Catalog",
        body: |_| {
            "<script src=\"/client/js/jquery-3.7.1.min.js\"></script>\n<script src=\"/client/js/lodash-4.17.21.min.js\"></script>\n<script src=\"/client/js/moment.js\"></script>\n<script>jQuery(function () { document.getElementById('o').textContent = 'Catalog loaded'; });</script>".into()
        },
        fixed: "",
    },
    Page {
        case: "storage-token",
        path: "account.html",
        title: "Account",
        body: |_| {
            format!(
            "<script data-client=\"unsafe\">localStorage.setItem('access_token', '{JWT}'); localStorage.setItem('theme', 'dark');\
             document.getElementById('o').textContent = 'Signed in';</script>"
        )
        },
        fixed: "preferences.html",
    },
    Page {
        case: "",
        path: "preferences.html",
        title: "Preferences",
        body: |_| {
            "<script>localStorage.setItem('theme', 'dark'); sessionStorage.setItem('last_tab', 'orders'); localStorage.setItem('token_seen', 'true');\
                   document.getElementById('o').textContent = 'Preferences saved';</script>".into()
        },
        fixed: "",
    },
    Page {
        case: "postmessage-any",
        path: "widget.html",
        title: "Support widget",
        body: |_| {
            "<script data-client=\"unsafe\">window.addEventListener('message', function (e) {\n  document.getElementById('o').textContent = 'Agent: ' + e.data;\n});</script>".into()
        },
        fixed: "widget-checked.html",
    },
    Page {
        case: "",
        path: "widget-checked.html",
        title: "Support widget",
        body: |_| {
            "<script>window.addEventListener('message', function (e) {\n  if (e.origin !== window.location.origin) return;\n  document.getElementById('o').textContent = 'Agent: ' + e.data;\n});</script>".into()
        },
        fixed: "",
    },
    Page {
        case: "mixed-runtime",
        path: "gallery.html",
        title: "Gallery",
        // The plain-HTTP address is assembled at run time: the HTML names no http:// URL.
        body: |st| {
            let port = st
                .base()
                .rsplit(':')
                .next()
                .unwrap_or("80")
                .trim_end_matches('/')
                .to_string();
            format!(
                "<script data-client=\"unsafe\">(function () {{\n  var base = ['http' + ':', '', location.hostname + ':' + '{port}'].join('/');\n  \
                 ['tent', 'lamp'].forEach(function (n) {{ var i = document.createElement('img'); i.alt = n; i.src = base + '/client/img/' + n + '.png'; document.getElementById('o').appendChild(i); }});\n}})();</script>"
            )
        },
        fixed: "gallery-safe.html",
    },
    Page {
        case: "",
        path: "gallery-safe.html",
        title: "Gallery",
        body: |_| {
            "<script>['tent', 'lamp'].forEach(function (n) { var i = document.createElement('img'); i.alt = n; i.src = '/client/img/' + n + '.png'; document.getElementById('o').appendChild(i); });</script>".into()
        },
        fixed: "",
    },
];

/// A JSON Web Token of the shop's API (header `{"alg":"HS256","typ":"JWT"}`).
const JWT: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSIsInNjb3BlIjoib3JkZXJzIn0.5mhBHqs5_DTLdINd9p5m7ZJ6XD0Xc55kIaCRY5r6HRA";

async fn index() -> Html<String> {
    let items: String = PAGES
        .iter()
        .map(|p| format!("<li><a href=\"/client/{0}\">{0}</a></li>", p.path))
        .collect();
    Html(format!(
        "<!DOCTYPE html>\n<html><head><title>Customer tools - Acme Outdoor</title></head><body><h1>Customer tools</h1><ul>{items}</ul></body></html>\n"
    ))
}

async fn page(State(st): State<Shared>, Path(name): Path<String>) -> Response {
    let Some(mut p) = PAGES.iter().find(|p| p.path == name) else {
        return super::not_found(&st, &format!("/client/{name}"));
    };
    if !p.case.is_empty() && !st.vulnerable(p.case) {
        match PAGES.iter().find(|x| x.path == p.fixed) {
            Some(f) => p = f,
            None => return super::not_found(&st, &format!("/client/{name}")),
        }
    }
    Html(format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{} - Acme Outdoor</title></head><body>\
         <h1>{}</h1><div id=\"o\"></div>\n{}\n</body></html>\n",
        esc(p.title),
        esc(p.title),
        (p.body)(&st)
    ))
    .into_response()
}

/// Stand-ins of library files: each sets the globals and carries the banner of the real one.
fn library(file: &str) -> Option<String> {
    let jquery = |v: &str| {
        format!(
            "/*! jQuery v{v} | (c) OpenJS Foundation and other contributors | jquery.org/license */\n\
             (function (w) {{ var ready = []; var jQuery = function (f) {{ if (typeof f === 'function') {{ if (document.readyState !== 'loading') f(); else document.addEventListener('DOMContentLoaded', f); }} return jQuery; }};\n\
             jQuery.fn = jQuery.prototype = {{ jquery: '{v}', constructor: jQuery }}; w.jQuery = w.$ = jQuery; }})(window);\n"
        )
    };
    let lodash = |v: &str| {
        format!(
            "/**\n * @license\n * Lodash <https://lodash.com/>\n * Released under MIT license <https://lodash.com/license>\n */\n\
             ;(function() {{\n  var VERSION = '{v}';\n  var _ = function (v) {{ return v; }};\n  _.VERSION = VERSION;\n  \
             _.defaultsDeep = function (o) {{ return o; }};\n  _.chunk = function (a) {{ return [a]; }};\n  window._ = _;\n}}.call(this));\n"
        )
    };
    Some(match file {
        "jquery-1.8.3.min.js" => jquery("1.8.3"),
        "jquery-3.7.1.min.js" => jquery("3.7.1"),
        "lodash-4.17.21.min.js" => lodash("4.17.21"),
        // Named after nothing: the banner says what it is.
        "vendor.js" => lodash("4.17.15"),
        // A bundle: only the running page tells AngularJS and its version.
        "app.bundle.js" => "(function (w) { var m = {}; w.angular = { version: { full: '1.5.8', major: 1, minor: 5, dot: 8, codeName: 'arbitrary-fallbacks' }, module: function (n) { return m[n] || (m[n] = { controller: function () { return this; } }); } };\n\
             w.angular.module('dashboard').controller('Main', function () {}); document.addEventListener('DOMContentLoaded', function () { document.getElementById('o').textContent = 'Dashboard ready'; }); })(window);\n".into(),
        "moment.js" => "//! moment.js\n//! version : 2.30.1\n//! authors : Tim Wood, Iskren Chernev, Moment.js contributors\n//! license : MIT\n\
             (function (w) { var moment = function () { return { format: function () { return ''; } }; }; moment.version = '2.30.1'; w.moment = moment; })(window);\n".into(),
        _ => return None,
    })
}

async fn script(State(st): State<Shared>, Path(file): Path<String>) -> Response {
    match library(&file) {
        Some(js) => (
            [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
            js,
        )
            .into_response(),
        None => super::not_found(&st, &format!("/client/js/{file}")),
    }
}

/// A 1×1 transparent PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

async fn image(Path(_file): Path<String>) -> Response {
    ([(header::CONTENT_TYPE, "image/png")], PNG).into_response()
}

/// The session cookie of the scripted login (one user: the testbed's alice).
const SESSION: &str = "CLIENTSESS";
const SESSION_VALUE: &str = "c1-alice-5b0d7e3f9a";

fn signed_in(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|c| c.trim() == format!("{SESSION}={SESSION_VALUE}"))
}

/// A login whose form exists only after its script runs; the form posts JSON. Signed in,
/// the page says so and links the orders.
async fn login_page(headers: axum::http::HeaderMap) -> Html<String> {
    let body = if signed_in(&headers) {
        "<p>Signed in as alice</p><p><a href=\"/client/orders\">Your orders</a></p>".to_string()
    } else {
        "<div id=\"login\">Loading&hellip;</div>\n<script>\n\
         (function () {\n\
           var root = document.getElementById('login');\n\
           root.innerHTML = '<form id=\"f\"><label>E-mail <input name=\"email\" type=\"text\"></label> ' +\n\
             '<label>Password <input name=\"secret\" type=\"password\"></label> <button>Sign in</button></form><p id=\"err\"></p>';\n\
           document.getElementById('f').addEventListener('submit', function (e) {\n\
             e.preventDefault();\n\
             var f = e.target;\n\
             fetch('/client/api/session', { method: 'POST', headers: { 'Content-Type': 'application/json' },\n\
               body: JSON.stringify({ username: f.email.value, password: f.secret.value }) })\n\
               .then(function (r) { if (r.ok) location.href = '/client/login'; else document.getElementById('err').textContent = 'Wrong e-mail or password'; });\n\
           });\n\
         })();\n</script>".to_string()
    };
    Html(format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Sign in - Acme Outdoor</title></head><body><h1>Sign in</h1>{body}</body></html>\n"
    ))
}

async fn session(axum::Json(v): axum::Json<serde_json::Value>) -> Response {
    if v["username"] == "alice" && v["password"] == "wonderland" {
        (
            [(
                header::SET_COOKIE,
                format!("{SESSION}={SESSION_VALUE}; Path=/client/; HttpOnly; SameSite=Lax"),
            )],
            axum::Json(serde_json::json!({"user": "alice"})),
        )
            .into_response()
    } else {
        (
            axum::http::StatusCode::UNAUTHORIZED,
            axum::Json(serde_json::json!({"error": "wrong e-mail or password"})),
        )
            .into_response()
    }
}

async fn orders(headers: axum::http::HeaderMap) -> Response {
    if !signed_in(&headers) {
        return axum::response::Redirect::to("/client/login").into_response();
    }
    Html("<!DOCTYPE html>\n<html><head><title>Orders - Acme Outdoor</title></head><body><h1>Your orders</h1><p>Signed in as alice</p><ul><li>#1001 Trail Tent 3000</li></ul></body></html>\n".to_string()).into_response()
}
