//! A generated site of any size, for measuring how the engine's budgets behave on a whole
//! application (issue 19): sections of articles, `index.php?page=NAME` pages that are
//! different pages behind one parameter, a product catalogue behind one template, a search
//! form. A known set of pages reflects a parameter unescaped, so a scan's findings can be
//! counted against [`GeneratedSite::vulnerable_pages`].
//!
//! Separate from the testbed's manifest: the site is only served by [`spawn_site`].

use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http::StatusCode;
use std::collections::HashMap;
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio::sync::watch;

type Params = HashMap<String, String>;

/// Sections of the site; each lists its articles.
const SECTIONS: usize = 50;
/// One article in this many reflects `highlight` unescaped.
const VULNERABLE_EVERY: usize = 50;
/// Names of the `index.php?page=NAME` pages, each with its own layout.
const TOPICS: &[&str] = &[
    "about",
    "contact",
    "faq",
    "team",
    "careers",
    "press",
    "legal",
    "privacy",
    "terms",
    "shipping",
    "returns",
    "warranty",
    "stores",
    "history",
    "partners",
    "events",
    "blog",
    "newsletter",
    "help",
    "feedback",
];

/// How the generated site is laid out for `pages` pages.
#[derive(Clone, Copy, Debug)]
pub struct GeneratedSite {
    pub pages: usize,
    pub articles: usize,
    pub products: usize,
}

impl GeneratedSite {
    /// Splits `pages` (at least 100) into sections, topics, products (15 %) and articles.
    pub fn new(pages: usize) -> Self {
        let pages = pages.max(100);
        let products = pages * 15 / 100;
        let articles = pages - products - SECTIONS - TOPICS.len() - 1;
        Self {
            pages,
            articles,
            products,
        }
    }

    /// Paths (with query) of the pages a scanner should report reflected XSS on: every
    /// `VULNERABLE_EVERY`-th article (parameter `highlight`) and the feedback topic (`comment`).
    pub fn vulnerable_pages(&self) -> Vec<String> {
        let mut v: Vec<String> = (0..self.articles)
            .filter(|i| i % VULNERABLE_EVERY == VULNERABLE_EVERY - 1)
            .map(article_path)
            .collect();
        v.push("/index.php?page=feedback".into());
        v
    }
}

fn article_path(i: usize) -> String {
    format!("/news/s{}/story-{}.html", i % SECTIONS, word(i))
}

/// A letter name for `i` (`a`, `b`, … `ba`): article paths are distinct pages, not ids.
fn word(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'a' + (i % 26) as u8);
        i /= 26;
        if i == 0 {
            break;
        }
    }
    s.reverse();
    String::from_utf8_lossy(&s).into_owned()
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html><head><title>{title}</title></head><body><nav><a href=\"/\">Home</a> \
         <a href=\"/index.php?page=about\">About</a> <a href=\"/products.php\">Products</a></nav>\
         <form action=\"/search.php\"><input name=\"q\"><button>Search</button></form>{body}</body></html>"
    ))
}

async fn home() -> Html<String> {
    let mut b = String::from("<h1>Generated news</h1><ul>");
    for k in 0..SECTIONS {
        b.push_str(&format!("<li><a href=\"/news/s{k}/\">Section {k}</a></li>"));
    }
    b.push_str("</ul><ul>");
    for t in TOPICS {
        b.push_str(&format!("<li><a href=\"/index.php?page={t}\">{t}</a></li>"));
    }
    b.push_str("</ul>");
    page("Home", &b)
}

async fn section(State(s): State<GeneratedSite>, Path(sec): Path<String>) -> Response {
    let Some(k) = sec.strip_prefix('s').and_then(|n| n.parse::<usize>().ok()) else {
        return not_found().await.into_response();
    };
    let mut b = format!("<h1>Section {k}</h1><ol>");
    for i in (k..s.articles).step_by(SECTIONS) {
        b.push_str(&format!(
            "<li><a href=\"{}\">Story {}</a></li>",
            article_path(i),
            word(i)
        ));
    }
    b.push_str("</ol>");
    page(&format!("Section {k}"), &b).into_response()
}

async fn article(
    State(s): State<GeneratedSite>,
    Path((sec, file)): Path<(String, String)>,
    Query(q): Query<Params>,
) -> Response {
    let name = file
        .strip_prefix("story-")
        .and_then(|f| f.strip_suffix(".html"))
        .unwrap_or("");
    let Some(i) = (0..s.articles).find(|&i| word(i) == name && format!("s{}", i % SECTIONS) == sec)
    else {
        return not_found().await.into_response();
    };
    let hl = q.get("highlight").cloned().unwrap_or_default();
    let shown = if i % VULNERABLE_EVERY == VULNERABLE_EVERY - 1 {
        hl
    } else {
        esc(&hl)
    };
    let next = article_path((i + SECTIONS) % s.articles.max(1));
    let product = i % s.products.max(1);
    page(
        &format!("Story {name}"),
        &format!(
            "<article><h1>Story {name}</h1><p>Highlighted: {shown}</p><p>Lorem ipsum {i}.</p>\
             <a href=\"{next}\">next</a> <a href=\"{}?highlight=news\">highlight</a> \
             <a href=\"/product.php?id={product}\">related product</a></article>",
            article_path(i)
        ),
    )
    .into_response()
}

async fn topic(Query(q): Query<Params>) -> Response {
    let name = q.get("page").map(String::as_str).unwrap_or("about");
    let Some(pos) = TOPICS.iter().position(|t| *t == name) else {
        return page("Home", "<p>Choose a page.</p>").into_response();
    };
    // Every topic has its own layout: a different number of sections and elements.
    let mut b = format!("<h1>{name}</h1>");
    for n in 0..=pos {
        b.push_str(&format!(
            "<section id=\"{name}-{n}\"><h2>{name} part {n}</h2><p>Text {n}</p></section>"
        ));
    }
    if name == "feedback" {
        let c = q.get("comment").cloned().unwrap_or_default();
        b.push_str(&format!(
            "<form action=\"/index.php\"><input type=hidden name=page value=feedback>\
             <textarea name=comment></textarea><button>Send</button></form><p>Thanks: {c}</p>"
        ));
    }
    page(name, &b).into_response()
}

async fn products(State(s): State<GeneratedSite>) -> Html<String> {
    let mut b = String::from("<h1>Products</h1><ul>");
    for i in 0..s.products {
        b.push_str(&format!(
            "<li><a href=\"/product.php?id={i}\">Product {i}</a></li>"
        ));
    }
    b.push_str("</ul>");
    page("Products", &b)
}

async fn product(Query(q): Query<Params>) -> Html<String> {
    let id: usize = q.get("id").and_then(|v| v.parse().ok()).unwrap_or(0);
    page(
        "Product",
        &format!("<h1>Product {id}</h1><p>Price {}.99</p>", id % 97),
    )
}

async fn search(Query(q): Query<Params>) -> Html<String> {
    let term = esc(q.get("q").map(String::as_str).unwrap_or(""));
    page("Search", &format!("<p>No results for {term}</p>"))
}

async fn not_found() -> impl IntoResponse {
    (StatusCode::NOT_FOUND, page("Not found", "<p>not found</p>"))
}

/// The generated site's router.
pub fn site(pages: usize) -> Router {
    let s = GeneratedSite::new(pages);
    Router::new()
        .route("/", get(home))
        .route("/index.php", get(topic))
        .route("/news/{sec}/", get(section))
        .route("/news/{sec}/{file}", get(article))
        .route("/products.php", get(products))
        .route("/product.php", get(product))
        .route("/search.php", get(search))
        .fallback(not_found)
        .with_state(s)
}

/// A running generated site; dropping it does not stop it, [`SiteHandle::shutdown`] does.
pub struct SiteHandle {
    pub base_url: String,
    pub site: GeneratedSite,
    stop: watch::Sender<bool>,
    join: tokio::task::JoinHandle<()>,
}

impl SiteHandle {
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.join.await;
    }
}

/// Serves a generated site of `pages` pages on `127.0.0.1:0`.
pub async fn spawn_site(pages: usize) -> std::io::Result<SiteHandle> {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let base_url = format!("http://{}/", listener.local_addr()?);
    let (stop, mut stopped) = watch::channel(false);
    let app = site(pages);
    let join = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.wait_for(|s| *s).await;
            })
            .await;
    });
    Ok(SiteHandle {
        base_url,
        site: GeneratedSite::new(pages),
        stop,
        join,
    })
}
