//! The document library: file reads confined in ways that still expose the application's
//! own files (a servlet context, an open_basedir, a double decode), remote includes with a
//! scheme filter, and their safe twins.

use super::{param, Params};
use crate::emu::{fetch, fs};
use crate::html::{esc, page};
use crate::state::Shared;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

const WEBAPP: &str = "/var/lib/tomcat9/webapps/shop";
const APP: &str = "/var/www/app";

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/library/", get(index))
        .route("/library/content.jsp", get(content))
        .route("/library/resource.jsp", get(resource))
        .route("/library/render.php", get(render))
        .route("/library/layout.php", get(layout))
        .route("/library/asset.php", get(asset))
        .route("/library/embed.php", get(embed))
        .route("/library/frame.php", get(frame))
        .route("/library/inc/db.inc", get(db_inc))
        .route("/library/widget-config.js", get(widget_config))
        .route("/library/setup.html", get(setup))
        .route("/library/import.html", get(import_page))
        .route("/library/notes.html", get(notes_page))
        .route("/library/notes.js", get(notes_js))
        .route("/library/api/import", axum::routing::post(api_import))
        .route("/library/api/notes", axum::routing::post(api_notes))
        .route("/library/api/labels", axum::routing::post(api_labels))
        .route("/library/{*rest}", get(soft_not_found))
}

/// The catalogue importer: the page posts XML from its own script, no form or link.
async fn import_page(State(st): State<Shared>) -> Html<String> {
    page(
        &st,
        "Catalogue importer",
        "<textarea id=\"doc\"><book><title>Trail guide</title></book></textarea>\
         <button onclick=\"send(document.getElementById('doc').value)\">Import</button><pre id=\"out\"></pre>\
         <script>function send(xml) {\n  fetch('/library/api/import', { method: 'POST', headers: { 'Content-Type': 'application/xml' }, body: xml })\n    .then(r => r.text()).then(t => { document.getElementById('out').textContent = t; });\n}</script>",
    )
}

async fn notes_page(State(st): State<Shared>) -> Html<String> {
    page(
        &st,
        "Reading notes",
        "<input id=\"note\"><button id=\"save\">Save</button><button id=\"label\">Label</button>\
         <script src=\"/library/notes.js\"></script>",
    )
}

/// The notes script: JSON to the notes API, and the labels API through XMLHttpRequest.
async fn notes_js() -> Response {
    (
        [(http::header::CONTENT_TYPE, "application/javascript")],
        "document.getElementById('save').onclick = function () {\n\
           fetch(\"/library/api/notes\", { method: \"POST\", headers: { \"Content-Type\": \"application/json\" }, body: JSON.stringify({ title: document.getElementById('note').value }) });\n\
         };\n\
         document.getElementById('label').onclick = function () {\n\
           var x = new XMLHttpRequest(); x.open(\"POST\", \"/library/api/labels\"); x.setRequestHeader(\"Content-Type\", \"application/json\");\n\
           x.send(JSON.stringify({ title: document.getElementById('note').value }));\n\
         };\n",
    )
        .into_response()
}

fn is_xml(headers: &http::HeaderMap) -> bool {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.contains("xml"))
}

/// Parses an XML body (external entities resolved when `external`) and lists its fields.
async fn xml_fields(st: &Shared, body: &[u8], external: bool) -> String {
    match crate::emu::xml::parse(&st.client, &String::from_utf8_lossy(body), external).await {
        Ok(doc) => {
            let f: Vec<String> = doc.fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("imported: {}", f.join(", "))
        }
        Err(e) => format!("xml error: {e}"),
    }
}

async fn api_import(
    State(st): State<Shared>,
    headers: http::HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if !is_xml(&headers) {
        return (
            http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send application/xml",
        )
            .into_response();
    }
    xml_fields(&st, &body, st.vulnerable("xxe-script"))
        .await
        .into_response()
}

/// A JSON API whose framework also binds XML bodies, entities and all.
async fn api_notes(
    State(st): State<Shared>,
    headers: http::HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if is_xml(&headers) {
        return xml_fields(&st, &body, st.vulnerable("xxe-json-xml"))
            .await
            .into_response();
    }
    json_title(&body)
}

fn json_title(body: &[u8]) -> Response {
    let title = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("title").and_then(|t| t.as_str()).map(str::to_owned))
        .unwrap_or_default();
    axum::Json(serde_json::json!({ "saved": true, "title": title })).into_response()
}

/// The safe twin: JSON only.
async fn api_labels(headers: http::HeaderMap, body: axum::body::Bytes) -> Response {
    if is_xml(&headers) {
        return (
            http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send application/json",
        )
            .into_response();
    }
    json_title(&body)
}

/// Any other path in the library: a friendly page with status 200 (a soft 404).
async fn soft_not_found(State(st): State<Shared>) -> Html<String> {
    page(
        &st,
        "Library",
        "<p>We could not find that document. Try the <a href=\"/library/\">library index</a>.</p>",
    )
}

/// An include file served as text: the database password in clear.
async fn db_inc(State(st): State<Shared>) -> Response {
    let pass = if st.vulnerable("secrets-include") {
        "Xk9!vR2#pLq"
    } else {
        "' . getenv('DB_PASS') . '"
    };
    (
        [(http::header::CONTENT_TYPE, "text/plain")],
        format!("<?php\n// database settings\n$db_host = 'localhost';\n$db_user = 'library';\n$db_password = '{pass}';\n"),
    )
        .into_response()
}

/// The widget's configuration script, with a cloud key pair.
async fn widget_config(State(st): State<Shared>) -> Response {
    let keys = if st.vulnerable("secrets-script") {
        "accessKeyId: 'AKIA2E0A8F3B244C9986', aws_secret_access_key: 'q8v2Z1m0n9b8V7c6X5z4A3s2D1f0G9h8J7k6L5p4'"
    } else {
        "credentialsUrl: '/api/v1/widget/credentials'"
    };
    (
        [(http::header::CONTENT_TYPE, "application/javascript")],
        format!(
            "window.widgetConfig = {{ bucket: 'acme-library', region: 'eu-west-1', {keys} }};\n"
        ),
    )
        .into_response()
}

/// The installation guide: placeholders only.
async fn setup(State(st): State<Shared>) -> Html<String> {
    page(
        &st,
        "Installation guide",
        "<p>Copy <code>.env.example</code> to <code>.env</code> and fill in:</p>\
         <pre>DATABASE_URL=postgres://user:password@localhost/library\n\
         DB_PASSWORD=changeme\n\
         aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\
         $db_password = 'your-password-here';\n\
         -----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----</pre>",
    )
}

async fn index(State(st): State<Shared>) -> Html<String> {
    page(
        &st,
        "Library",
        "<ul><li><a href=\"/library/content.jsp?page=welcome.html\">Welcome (Java)</a> &middot; \
         <a href=\"/library/resource.jsp?page=welcome.html\">Resources</a></li>\
         <li><a href=\"/library/render.php?tpl=home.tpl\">Home template</a> &middot; \
         <a href=\"/library/layout.php?tpl=home.tpl\">Layout</a></li>\
         <li><a href=\"/library/asset.php?f=notice.txt\">Notice</a></li>\
         <li><a href=\"/library/embed.php?src=news\">News module</a> &middot; \
         <a href=\"/library/frame.php?src=news\">Framed module</a></li>\
         <li><a href=\"/library/setup.html\">Installation guide</a> &middot; \
         <a href=\"/library/inc/db.inc\">Database settings (for the installer)</a></li>\
         <li><a href=\"/library/import.html\">Catalogue importer</a> &middot; <a href=\"/library/notes.html\">Reading notes</a></li></ul>\
         <script src=\"/library/widget-config.js\"></script>",
    )
}

/// A path inside the web application, the way a servlet context resolves resources: `..`
/// never climbs above the application's root.
fn in_webapp(input: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for seg in input.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    format!("{WEBAPP}/{}", parts.join("/"))
}

fn shown(body: Option<String>, name: &str) -> String {
    match body {
        Some(b) => format!("<div class=\"doc\"><pre>{}</pre></div>", esc(&b)),
        None => format!("<p class=\"error\">Document {} not found.</p>", esc(name)),
    }
}

async fn content(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let name = param(&q, "page", "welcome.html");
    let path = in_webapp(&name);
    let protected = path.to_ascii_uppercase().contains("/WEB-INF/")
        || path.to_ascii_uppercase().contains("/META-INF/");
    let body = if protected && !st.vulnerable("pt-webinf") {
        None
    } else {
        fs::read(&path).map(|c| c.into_owned())
    };
    page(&st, "Content", &shown(body, &name))
}

/// The safe twin: the container's rule, WEB-INF and META-INF are never served.
async fn resource(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let name = param(&q, "page", "welcome.html");
    let path = in_webapp(&name);
    let up = path.to_ascii_uppercase();
    let body = if up.contains("/WEB-INF/") || up.contains("/META-INF/") {
        None
    } else {
        fs::read(&path).map(|c| c.into_owned())
    };
    page(&st, "Resources", &shown(body, &name))
}

/// Templates read with an open_basedir of the application: system files are out of reach,
/// the application's own are not.
async fn render(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let name = param(&q, "tpl", "home.tpl");
    let path = if st.vulnerable("pt-dotenv") {
        fs::resolve(&format!("{APP}/templates"), &name)
    } else {
        format!("{APP}/templates/{}", base_name(&name))
    };
    let body = if path.starts_with(&format!("{APP}/")) {
        fs::read(&path).map(|c| c.into_owned())
    } else {
        Some(format!(
            "Warning: file_get_contents(): open_basedir restriction in effect. File({name}) is not within the allowed path(s): ({APP})"
        ))
    };
    page(&st, "Template", &shown(body, &name))
}

fn base_name(s: &str) -> &str {
    s.rsplit(['/', '\\']).next().unwrap_or("")
}

async fn layout(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let name = param(&q, "tpl", "home.tpl");
    let body = fs::read(&format!("{APP}/templates/{}", base_name(&name))).map(|c| c.into_owned());
    page(&st, "Layout", &shown(body, &name))
}

/// `..` refused in the raw value, then the value URL-decoded once more before use.
async fn asset(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let raw = param(&q, "f", "notice.txt");
    let body = if raw.contains("..") {
        Some("Invalid path.".to_owned())
    } else {
        let decoded = percent_decode(&raw);
        if !st.vulnerable("pt-double-decode") && decoded.contains("..") {
            Some("Invalid path.".to_owned())
        } else {
            fs::read(&fs::resolve("/var/www/html/assets", &decoded)).map(|c| c.into_owned())
        }
    };
    page(&st, "Asset", &shown(body, &raw))
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Remote modules: `http://` and `https://` refused, but only as written in lower case, and
/// a scheme-relative `//host/...` is completed with `http:`.
async fn embed(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let src = param(&q, "src", "news");
    let body = if src == "news" {
        "<p>Shop news: tents 20% off.</p>".to_owned()
    } else if src.starts_with("http://") || src.starts_with("https://") {
        "<p class=\"error\">Remote modules are not allowed.</p>".to_owned()
    } else if st.vulnerable("rfi-scheme-variants") {
        let url = match src.strip_prefix("//") {
            Some(rest) => format!("http://{rest}"),
            None => src.clone(),
        };
        match fetch::fetch(&st.client, &url).await {
            Ok(code) => format!(
                "<div class=\"module\">{}</div>",
                esc(&super::php_exec(&code))
            ),
            Err(_) => format!("<p class=\"error\">Module {} not found.</p>", esc(&src)),
        }
    } else {
        format!("<p class=\"error\">Module {} not found.</p>", esc(&src))
    };
    page(&st, "Module", &body)
}

/// The safe twin: module names only, whatever the case of a scheme.
async fn frame(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let src = param(&q, "src", "news");
    let body = if src == "news" {
        "<p>Shop news: tents 20% off.</p>".to_owned()
    } else {
        format!("<p class=\"error\">Module {} not found.</p>", esc(&src))
    };
    page(&st, "Framed module", &body)
}
