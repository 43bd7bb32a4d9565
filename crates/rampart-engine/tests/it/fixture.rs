//! A small deliberately vulnerable app with a safe twin for every case, bound to 127.0.0.1:0.

use axum::body::Bytes;
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Q = Query<HashMap<String, String>>;

#[derive(Clone, Default)]
pub struct App {
    pub seen: Arc<Mutex<Vec<String>>>,
    guestbook: Arc<Mutex<Vec<String>>>,
    notes: Arc<Mutex<Vec<String>>>,
    uploads: Arc<Mutex<HashMap<String, String>>>,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!("<html><head><title>{title}</title></head><body><h1>{title}</h1>{body}<footer>fixture shop, all rights reserved</footer></body></html>"))
}

fn q(m: &HashMap<String, String>, k: &str) -> String {
    m.get(k).cloned().unwrap_or_default()
}

const INDEX: &str = r#"
<a href="/sqli/error?id=1">e</a> <a href="/sqli/error_safe?id=1">e</a>
<a href="/sqli/bool?id=1">b</a> <a href="/sqli/bool_safe?id=1">b</a>
<a href="/sqli/time?id=1">t</a>
<a href="/xss/text?q=hi">x</a> <a href="/xss/text_safe?q=hi">x</a>
<a href="/xss/attr?q=hi">x</a> <a href="/xss/attr_safe?q=hi">x</a>
<a href="/xss/script?q=hi">x</a> <a href="/xss/script_safe?q=hi">x</a>
<a href="/guestbook">g</a> <a href="/notes">n</a>
<a href="/ping?host=localhost">p</a> <a href="/ping_safe?host=localhost">p</a>
<a href="/file?name=report.txt">f</a> <a href="/file_safe?name=report.txt">f</a>
<a href="/hello?name=bob">h</a> <a href="/hello_safe?name=bob">h</a>
<a href="/calc?expr=1">c</a> <a href="/calc_safe?expr=1">c</a>
<a href="/go?next=/">r</a> <a href="/go_safe?next=/">r</a>
<a href="/lang?l=en">l</a> <a href="/lang_safe?l=en">l</a>
<a href="/api/cors">c</a> <a href="/api/cors_safe">c</a>
<a href="/fetch?url=http://127.0.0.1/">s</a> <a href="/fetch_safe?url=http://127.0.0.1/">s</a>
<a href="/xmlform">x</a>
<a href="/upload">u</a> <a href="/upload_safe">u</a>
<a href="/profile">p</a> <a href="/settings">s</a>
<a href="/files/">d</a> <a href="/docs/">d</a>
<a href="/admin/delete-everything">excluded</a>
<a href="/logout">logout</a>
<a href="http://outside.example/">outside</a>
"#;

pub async fn serve(app: App) -> SocketAddr {
    let router = Router::new()
        .route("/", any(index))
        .route("/sqli/error", get(sqli_error))
        .route("/sqli/error_safe", get(sqli_error_safe))
        .route("/sqli/bool", get(sqli_bool))
        .route("/sqli/bool_safe", get(sqli_bool_safe))
        .route("/sqli/time", get(sqli_time))
        .route("/xss/text", get(|Query(m): Q| async move { page("Search", &format!("<p>You searched {}</p>", q(&m, "q"))) }))
        .route("/xss/text_safe", get(|Query(m): Q| async move { page("Search", &format!("<p>You searched {}</p>", esc(&q(&m, "q")))) }))
        .route("/xss/attr", get(|Query(m): Q| async move { page("Attr", &format!("<input name=q value=\"{}\">", q(&m, "q"))) }))
        .route("/xss/attr_safe", get(|Query(m): Q| async move { page("Attr", &format!("<input name=q value=\"{}\">", esc(&q(&m, "q")))) }))
        .route("/xss/script", get(|Query(m): Q| async move { page("Script", &format!("<script>var s = '{}';</script>", q(&m, "q"))) }))
        .route("/xss/script_safe", get(|Query(m): Q| async move {
            let v = q(&m, "q").replace('\\', "\\\\").replace('\'', "\\'").replace('"', "\\\"").replace('<', "\\x3c");
            page("Script", &format!("<script>var s = '{v}';</script>"))
        }))
        .route("/guestbook", get(guestbook).post(guestbook_post))
        .route("/notes", get(notes).post(notes_post))
        .route("/ping", get(ping))
        .route("/ping_safe", get(|Query(m): Q| async move { page("Ping", &format!("<pre>PING {}</pre>", esc(&q(&m, "host")))) }))
        .route("/file", get(file))
        .route("/file_safe", get(|Query(m): Q| async move {
            if q(&m, "name") == "report.txt" { page("File", "<pre>quarterly report</pre>").into_response() } else { (StatusCode::NOT_FOUND, page("Missing", "no such file")).into_response() }
        }))
        .route("/hello", get(hello))
        .route("/hello_safe", get(|Query(m): Q| async move { page("Hello", &format!("<p>Hello {}</p>", esc(&q(&m, "name")))) }))
        .route("/calc", get(calc))
        .route("/calc_safe", get(|Query(m): Q| async move { page("Calc", &format!("<p>{}</p>", esc(&q(&m, "expr")))) }))
        .route("/go", get(|Query(m): Q| async move { (StatusCode::FOUND, [("location", q(&m, "next"))]).into_response() }))
        .route("/go_safe", get(|Query(m): Q| async move {
            let n = q(&m, "next");
            let dest = if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') { n } else { "/".into() };
            (StatusCode::FOUND, [("location", dest)]).into_response()
        }))
        .route("/lang", get(lang))
        .route("/lang_safe", get(|Query(m): Q| async move {
            let l: String = q(&m, "l").chars().filter(|c| c.is_ascii_alphanumeric()).collect();
            ([("content-language", l)], page("Lang", "ok")).into_response()
        }))
        .route("/api/cors", get(|h: HeaderMap| async move {
            let o = h.get("origin").and_then(|v| v.to_str().ok()).unwrap_or("*").to_string();
            ([("access-control-allow-origin", o), ("access-control-allow-credentials", "true".into())], "{\"ok\":true}").into_response()
        }))
        .route("/api/cors_safe", get(|| async {
            ([("access-control-allow-origin", "https://trusted.example"), ("access-control-allow-credentials", "true")], "{\"ok\":true}").into_response()
        }))
        .route("/fetch", get(fetch))
        .route("/fetch_safe", get(|Query(m): Q| async move { page("Fetch", &format!("<p>will not fetch {}</p>", esc(&q(&m, "url")))) }))
        .route("/xmlform", get(|| async { page("XML", "<form method=post action=/xml><textarea name=xml>&lt;a&gt;1&lt;/a&gt;</textarea><input type=submit></form><form method=post action=/xml_safe><textarea name=xml>&lt;a&gt;1&lt;/a&gt;</textarea><input type=submit></form>") }))
        .route("/xml", post(xml))
        .route("/xml_safe", post(|| async { page("XML", "<p>parsed without DTDs</p>") }))
        .route("/upload", get(|| async { page("Upload", "<form method=post action=/upload enctype=multipart/form-data><input type=file name=doc><input type=submit></form>") }).post(upload))
        .route("/upload_safe", get(|| async { page("Upload", "<form method=post action=/upload_safe enctype=multipart/form-data><input type=file name=doc><input type=submit></form>") }).post(|| async { page("Upload", "<p>stored privately</p>") }))
        .route("/uploads/{name}", get(uploaded))
        .route("/profile", get(|| async { page("Profile", "<form method=post action=/profile><input name=email><input type=submit></form>") }).post(|| async { page("Profile", "saved") }))
        .route("/settings", get(|| async { page("Settings", "<form method=post action=/settings><input type=hidden name=csrf_token value=8f14e45fceea167a5a36dedd4bea2543><input name=email><input type=submit></form>") }).post(|body: Bytes| async move {
            // The safe twin checks the token it issued.
            let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
            if form.get("csrf_token").map(String::as_str) == Some("8f14e45fceea167a5a36dedd4bea2543") {
                page("Settings", "saved").into_response()
            } else {
                (StatusCode::FORBIDDEN, "bad token").into_response()
            }
        }))
        .route("/files/", get(|| async { Html("<html><head><title>Index of /files/</title></head><body><h1>Index of /files/</h1><a href=\"a.txt\">a.txt</a></body></html>") }))
        .route("/docs/", get(|| async { page("Docs", "<p>documentation</p>") }))
        .route("/.git/HEAD", get(|| async { "ref: refs/heads/main\n" }))
        .route("/admin/delete-everything", any(|| async { "deleted" }))
        .route("/logout", any(|| async { "bye" }))
        .fallback(|| async { (StatusCode::NOT_FOUND, page("Not found", "nothing here")) })
        .layer(axum::middleware::from_fn_with_state(app.clone(), record))
        .with_state(app);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    addr
}

async fn record(State(app): State<App>, req: Request, next: Next) -> Response {
    app.seen
        .lock()
        .unwrap()
        .push(format!("{} {}", req.method(), req.uri()));
    next.run(req).await
}

async fn index(method: Method, headers: HeaderMap) -> Response {
    if method == Method::TRACE {
        let echo: String = headers
            .iter()
            .map(|(k, v)| format!("{k}: {}\n", v.to_str().unwrap_or("")))
            .collect();
        return ([("content-type", "message/http")], echo).into_response();
    }
    page("Shop", INDEX).into_response()
}

async fn sqli_error(Query(m): Q) -> Response {
    let id = q(&m, "id");
    if id.matches('\'').count() % 2 == 1 || id.contains('"') && id.matches('"').count() % 2 == 1 {
        return (StatusCode::INTERNAL_SERVER_ERROR, "You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version").into_response();
    }
    page("Item", &format!("<p>item {}</p>", esc(&id))).into_response()
}

async fn sqli_error_safe(Query(m): Q) -> Response {
    match q(&m, "id").parse::<u32>() {
        Ok(i) => page("Item", &format!("<p>item {i}</p>")).into_response(),
        Err(_) => (StatusCode::BAD_REQUEST, page("Bad", "invalid id")).into_response(),
    }
}

const PRODUCTS: &str =
    "<ul><li>red apple, crisp and sweet</li><li>green pear, juicy</li><li>yellow banana</li></ul>";

/// Evaluates `1 AND a=b` like a database would; anything else that is not a number finds nothing.
async fn sqli_bool(Query(m): Q) -> Html<String> {
    let id = q(&m, "id");
    let re = regex::Regex::new(r"^(\d+) AND (\d+)=(\d+)$").unwrap();
    let found = match re.captures(&id) {
        Some(c) => c[1] == *"1" && c[2] == c[3],
        None => id == "1",
    };
    page(
        "Products",
        if found {
            PRODUCTS
        } else {
            "<p>no products</p>"
        },
    )
}

async fn sqli_bool_safe(Query(m): Q) -> Html<String> {
    page(
        "Products",
        if q(&m, "id") == "1" {
            PRODUCTS
        } else {
            "<p>no products</p>"
        },
    )
}

async fn sqli_time(Query(m): Q) -> Html<String> {
    let id = q(&m, "id");
    let re = regex::Regex::new(r"^1 AND SLEEP\((\d+)\)$").unwrap();
    if let Some(c) = re.captures(&id) {
        let secs: u64 = c[1].parse().unwrap();
        tokio::time::sleep(Duration::from_secs(secs.min(5))).await;
    }
    page("Item", "<p>item</p>")
}

fn form_value(body: &Bytes, name: &str) -> String {
    url::form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

async fn guestbook(State(app): State<App>) -> Html<String> {
    let entries: String = app
        .guestbook
        .lock()
        .unwrap()
        .iter()
        .map(|e| format!("<li>{e}</li>"))
        .collect();
    page("Guestbook", &format!("<ul>{entries}</ul><form method=post action=/guestbook><input name=comment><input type=submit></form>"))
}

async fn guestbook_post(State(app): State<App>, body: Bytes) -> Html<String> {
    app.guestbook
        .lock()
        .unwrap()
        .push(form_value(&body, "comment"));
    page("Thanks", "<p>saved</p>")
}

async fn notes(State(app): State<App>) -> Html<String> {
    let entries: String = app
        .notes
        .lock()
        .unwrap()
        .iter()
        .map(|e| format!("<li>{}</li>", esc(e)))
        .collect();
    page("Notes", &format!("<ul>{entries}</ul><form method=post action=/notes><input name=note><input type=submit></form>"))
}

async fn notes_post(State(app): State<App>, body: Bytes) -> Html<String> {
    app.notes.lock().unwrap().push(form_value(&body, "note"));
    page("Thanks", "<p>saved</p>")
}

/// Emulates `sh -c "ping -c1 $host"` for `;echo a""b` style input.
async fn ping(Query(m): Q) -> Html<String> {
    let host = q(&m, "host");
    let re = regex::Regex::new(r#"(;|\||&&)\s*echo (\w+)""(\w+)"#).unwrap();
    let out = match re.captures(&host) {
        Some(c) => format!("{}{}", &c[2], &c[3]),
        None => String::new(),
    };
    page("Ping", &format!("<pre>PING localhost\n{out}</pre>"))
}

async fn file(Query(m): Q) -> Response {
    let name = q(&m, "name");
    let mut depth: i32 = 2; // served from /var/www
    for seg in name.split('/') {
        match seg {
            ".." => depth -= 1,
            "" | "." => {}
            _ => depth += 1,
        }
    }
    if name.ends_with("etc/passwd") && (depth <= 2 || name.starts_with('/')) {
        return "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n"
            .into_response();
    }
    if name == "report.txt" {
        return page("File", "<pre>quarterly report</pre>").into_response();
    }
    (StatusCode::NOT_FOUND, page("Missing", "no such file")).into_response()
}

fn eval_products(s: &str, re: &regex::Regex) -> String {
    re.replace_all(s, |c: &regex::Captures| {
        (c[1].parse::<u64>().unwrap() * c[2].parse::<u64>().unwrap()).to_string()
    })
    .into_owned()
}

async fn hello(Query(m): Q) -> Html<String> {
    let re = regex::Regex::new(r"\{\{(\d+)\*(\d+)\}\}").unwrap();
    page(
        "Hello",
        &format!("<p>Hello {}</p>", esc(&eval_products(&q(&m, "name"), &re))),
    )
}

async fn calc(Query(m): Q) -> Html<String> {
    let re = regex::Regex::new(r"^print\((\d+)\*(\d+)\);$").unwrap();
    let e = q(&m, "expr");
    let out = if re.is_match(&e) {
        eval_products(&e, &regex::Regex::new(r"print\((\d+)\*(\d+)\);").unwrap())
    } else {
        "1".into()
    };
    page("Calc", &format!("<p>{out}</p>"))
}

async fn lang(Query(m): Q) -> Response {
    let l = q(&m, "l");
    let mut parts = l.split('\n').map(|p| p.trim_end_matches('\r').to_string());
    let first = parts.next().unwrap_or_default();
    let mut resp = page("Lang", "ok").into_response();
    resp.headers_mut().insert(
        "content-language",
        HeaderValue::from_str(&first).unwrap_or(HeaderValue::from_static("en")),
    );
    for p in parts {
        if let Some((n, v)) = p.split_once(':') {
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(n.trim().as_bytes()),
                HeaderValue::from_str(v.trim()),
            ) {
                resp.headers_mut().append(n, v);
            }
        }
    }
    resp
}

async fn fetch(Query(m): Q) -> Html<String> {
    let u = q(&m, "url");
    // Tests never reach the internet: the fixture only fetches loopback URLs.
    if !u.starts_with("http://127.0.0.1") {
        return page("Fetch", "<p>fetched 0 bytes</p>");
    }
    let body = match reqwest::get(&u).await {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    };
    page("Fetch", &format!("<p>fetched {} bytes</p>", body.len()))
}

async fn xml(body: Bytes) -> Response {
    let text = String::from_utf8_lossy(&body).to_string();
    let text = if text.starts_with("xml=") {
        form_value(&body, "xml")
    } else {
        text
    };
    if text.contains("SYSTEM \"file:///etc/passwd\"") {
        return "<r>root:x:0:0:root:/root:/bin/bash</r>".into_response();
    }
    let re = regex::Regex::new(r#"SYSTEM "(http://[^"]+)""#).unwrap();
    if let Some(c) = re
        .captures(&text)
        .filter(|c| c[1].starts_with("http://127.0.0.1"))
    {
        let _ = reqwest::get(&c[1]).await;
    }
    page("XML", "<p>parsed</p>").into_response()
}

async fn upload(State(app): State<App>, body: Bytes) -> Html<String> {
    let text = String::from_utf8_lossy(&body).to_string();
    let re = regex::Regex::new(r#"filename="([^"]+)"\r\nContent-Type: [^\r]+\r\n\r\n([^\r]*)\r\n"#)
        .unwrap();
    match re.captures(&text) {
        Some(c) => {
            app.uploads
                .lock()
                .unwrap()
                .insert(c[1].to_string(), c[2].to_string());
            page(
                "Uploaded",
                &format!("<a href=\"/uploads/{}\">your file</a>", &c[1]),
            )
        }
        None => page("Upload", "<p>no file</p>"),
    }
}

async fn uploaded(
    State(app): State<App>,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> Response {
    match app.uploads.lock().unwrap().get(&name) {
        Some(c) => ([("content-type", "text/html")], c.clone()).into_response(),
        None => (StatusCode::NOT_FOUND, "missing").into_response(),
    }
}
