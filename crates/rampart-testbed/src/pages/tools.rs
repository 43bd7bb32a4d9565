//! The admin-ish tools: command injection, eval and SSRF cases, and their safe twins.

use super::{param, Params};
use crate::emu::{expr, fetch, shell};
use crate::html::{esc, page};
use crate::state::Shared;
use axum::extract::{Query, State};
use axum::response::Html;
use axum::routing::get;
use axum::{Form, Router};

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/tools/", get(index))
        .route(
            "/tools",
            get(|| async { axum::response::Redirect::permanent("/tools/") }),
        )
        .route("/tools/ping.php", get(ping))
        .route("/tools/lookup.php", get(lookup_form).post(lookup))
        .route("/tools/whois.php", get(whois))
        .route("/calc.php", get(calc))
        .route("/convert.php", get(convert))
        .route("/fetch.php", get(fetch_page))
        .route("/image-proxy.php", get(image_proxy))
}

async fn index(State(st): State<Shared>) -> Html<String> {
    page(
        &st,
        "Tools",
        "<ul><li><a href=\"/tools/ping.php?host=127.0.0.1\">Ping a host</a></li>\
         <li><a href=\"/tools/lookup.php\">DNS lookup</a></li>\
         <li><a href=\"/tools/whois.php?domain=example.com\">Whois</a></li>\
         <li><a href=\"/calc.php?expr=19*3\">Price calculator</a></li>\
         <li><a href=\"/convert.php?amount=10\">Currency converter</a></li>\
         <li><a href=\"/fetch.php\">Feed reader</a></li>\
         <li><a href=\"/image-proxy.php?src=https://cdn.example.com/logo.png\">Image proxy</a></li></ul>",
    )
}

fn host_form(action: &str, method: &str, field: &str, value: &str) -> String {
    format!(
        "<form method=\"{method}\" action=\"{action}\"><input type=\"text\" name=\"{field}\" value=\"{value}\">\
         <input type=\"submit\" value=\"Run\"></form>"
    )
}

async fn ping(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let host = param(&q, "host", "127.0.0.1");
    let out = if st.vulnerable("cmdi-output") {
        let r = shell::run(&format!("ping -c 1 {host}"));
        tokio::time::sleep(r.delay).await;
        r.output
    } else if valid_host(&host) {
        shell::run(&format!("ping -c 1 {host}")).output
    } else {
        "Invalid host.".into()
    };
    page(
        &st,
        "Ping",
        &format!(
            "{}<pre>{}</pre>",
            host_form("/tools/ping.php", "get", "host", "127.0.0.1"),
            esc(&out)
        ),
    )
}

async fn lookup_form(State(st): State<Shared>) -> Html<String> {
    page(
        &st,
        "DNS lookup",
        &host_form("/tools/lookup.php", "post", "host", "localhost"),
    )
}

async fn lookup(State(st): State<Shared>, Form(f): Form<Params>) -> Html<String> {
    let host = param(&f, "host", "localhost");
    if st.vulnerable("cmdi-blind") {
        // The output goes to a log file; only the time it takes shows.
        let r = shell::run(&format!("nslookup {host} >> /var/log/lookups.log"));
        tokio::time::sleep(r.delay).await;
    }
    page(
        &st,
        "DNS lookup",
        &format!(
            "{}<p>Lookup queued. Results will be emailed to the administrator.</p>",
            host_form("/tools/lookup.php", "post", "host", "localhost")
        ),
    )
}

fn valid_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() < 254
        && h.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

async fn whois(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let domain = param(&q, "domain", "example.com");
    let out = if valid_host(&domain) {
        format!(
            "Domain Name: {}\nRegistrar: Example Registrar, Inc.\nStatus: active\n",
            domain.to_uppercase()
        )
    } else {
        "Invalid domain name.".into()
    };
    page(
        &st,
        "Whois",
        &format!(
            "{}<pre>{}</pre>",
            host_form("/tools/whois.php", "get", "domain", "example.com"),
            esc(&out)
        ),
    )
}

async fn calc(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let e = param(&q, "expr", "19*3");
    let shown = if st.vulnerable("code-php-eval") {
        match expr::run(&format!("$result = {e};")) {
            Ok(o) => {
                tokio::time::sleep(o.delay).await;
                format!(
                    "{}Result: {}",
                    o.output,
                    o.value.map(|v| v.render()).unwrap_or_default()
                )
            }
            Err(err) => format!(
                "Parse error: {err} in /var/www/html/calc.php(12) : eval()'d code on line 1"
            ),
        }
    } else {
        match e.trim().parse::<f64>() {
            Ok(v) => format!("Result: {v}"),
            Err(_) => "Please enter a number.".into(),
        }
    };
    page(
        &st,
        "Price calculator",
        &format!(
            "{}<pre>{}</pre>",
            host_form("/calc.php", "get", "expr", "19*3"),
            esc(&shown)
        ),
    )
}

async fn convert(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let amount = param(&q, "amount", "10");
    let shown = match amount.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => format!("{v:.2} GBP = {:.2} EUR", v * 1.17),
        _ => "Please enter a number.".into(),
    };
    page(
        &st,
        "Currency converter",
        &format!(
            "{}<p>{}</p>",
            host_form("/convert.php", "get", "amount", "10"),
            esc(&shown)
        ),
    )
}

async fn fetch_page(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let form = host_form(
        "/fetch.php",
        "get",
        "url",
        "https://www.example.com/feed.xml",
    );
    let Some(url) = q.get("url") else {
        return page(
            &st,
            "Feed reader",
            &format!("<p>Paste the address of a news feed.</p>{form}"),
        );
    };
    let shown = if st.vulnerable("ssrf-fetch") {
        match fetch::fetch(&st.client, url).await {
            Ok(body) => body,
            Err(e) => format!("cURL error: {e}"),
        }
    } else {
        "Only feeds from feeds.example.com can be read.".into()
    };
    page(
        &st,
        "Feed reader",
        &format!("{form}<pre>{}</pre>", esc(&shown)),
    )
}

async fn image_proxy(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let src = param(&q, "src", "https://cdn.example.com/logo.png");
    let allowed = url::Url::parse(&src)
        .is_ok_and(|u| u.scheme() == "https" && u.host_str() == Some("cdn.example.com"));
    let msg = if allowed {
        "Image queued for resizing."
    } else {
        "Only images from cdn.example.com are allowed."
    };
    page(
        &st,
        "Image proxy",
        &format!(
            "{}<p>{msg}</p>",
            host_form(
                "/image-proxy.php",
                "get",
                "src",
                "https://cdn.example.com/logo.png"
            )
        ),
    )
}
