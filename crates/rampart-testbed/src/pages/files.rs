//! File-ish pages: path traversal, remote inclusion, leftovers, auto-index and a soft-404 area.

use super::{not_found, param, php_exec, signature, Params};
use crate::emu::{fetch, fs};
use crate::html::{esc, page};
use crate::state::Shared;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http::{header, StatusCode, Uri};

const PAGES: &str = "/var/www/html/pages";
const WHITELIST: &[&str] = &["about.html", "faq.html", "shipping.html"];

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/page.php", get(page_php))
        .route("/download.php", get(download))
        .route("/view.php", get(view))
        .route("/portal.php", get(portal))
        .route("/theme.php", get(theme))
        .route(
            "/.git/HEAD",
            get(|s: State<Shared>, u: Uri| leftover(s, u, "sf-git", "ref: refs/heads/master\n")),
        )
        .route(
            "/.git/config",
            get(|s: State<Shared>, u: Uri| leftover(s, u, "sf-git", GIT_CONFIG)),
        )
        .route(
            "/backup.sql",
            get(|s: State<Shared>, u: Uri| leftover(s, u, "sf-backup-sql", BACKUP_SQL)),
        )
        .route(
            "/index.php.bak",
            get(|s: State<Shared>, u: Uri| leftover(s, u, "sf-bak", fs::INDEX_PHP)),
        )
        .route(
            "/.env",
            get(|s: State<Shared>, u: Uri| leftover(s, u, "sf-env", DOTENV)),
        )
        .route("/files/", get(autoindex))
        .route("/files/{name}", get(files_file))
        .route("/downloads/", get(downloads))
        .route("/docs/", get(docs))
        .route("/docs/{*rest}", get(docs))
}

const GIT_CONFIG: &str = "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n\
[remote \"origin\"]\n\turl = git@git.acme.internal:web/shop.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n";
const BACKUP_SQL: &str = "-- MySQL dump 10.13  Distrib 5.7.33, for Linux (x86_64)\n--\n-- Host: localhost    Database: acme_shop\n\
-- ------------------------------------------------------\n\nDROP TABLE IF EXISTS `users`;\nCREATE TABLE `users` (\n  `id` int(11) NOT NULL AUTO_INCREMENT,\n\
  `name` varchar(64) NOT NULL,\n  `password` char(32) NOT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8;\n\n\
INSERT INTO `users` VALUES (1,'admin','21232f297a57a5a743894a0e4a801fc3'),(2,'alice','6b1b36cbb04b41490bfc0ab2bfa26f86');\n";
const DOTENV: &str = "APP_ENV=production\nAPP_DEBUG=true\nAPP_KEY=base64:Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4MTIzNA==\n\
DB_HOST=127.0.0.1\nDB_DATABASE=acme_shop\nDB_USERNAME=acme\nDB_PASSWORD=Sup3rS3cret!\nMAIL_PASSWORD=hunter2\n";

fn text(body: impl Into<String>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body.into(),
    )
        .into_response()
}

async fn leftover(
    State(st): State<Shared>,
    uri: Uri,
    case: &'static str,
    body: &'static str,
) -> Response {
    if st.vulnerable(case) {
        text(body)
    } else {
        not_found(&st, uri.path())
    }
}

fn include_warning(what: &str, script: &str) -> String {
    format!(
        "<br />\n<b>Warning</b>: include({}): failed to open stream: No such file or directory in \
         <b>/var/www/html/{script}</b> on line <b>7</b><br />\n",
        esc(what)
    )
}

fn whitelisted(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    WHITELIST.contains(&base).then(|| {
        fs::read(&format!("{PAGES}/{base}"))
            .unwrap_or_default()
            .into_owned()
    })
}

async fn page_php(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let file = param(&q, "file", "about.html");
    let body = if st.vulnerable("pt-page") {
        if let Some(rest) = file.strip_prefix("php://filter/") {
            let (filters, resource) = rest.split_once("resource=").unwrap_or((rest, ""));
            match fs::read(&fs::resolve("/var/www/html", resource)) {
                Some(c) if filters.contains("base64-encode") => {
                    use base64::Engine;
                    base64::engine::general_purpose::STANDARD.encode(c.as_bytes())
                }
                Some(c) => esc(&c),
                None => include_warning(&file, "page.php"),
            }
        } else {
            let path = fs::resolve(PAGES, &file);
            match fs::read(&path) {
                Some(c) => c.into_owned(),
                None => include_warning(&path, "page.php"),
            }
        }
    } else {
        whitelisted(&file).unwrap_or_else(|| "<p>Page not found.</p>".into())
    };
    let nav = "<p><a href=\"/page.php?file=about.html\">About</a> &middot; <a href=\"/page.php?file=faq.html\">FAQ</a> \
               &middot; <a href=\"/page.php?file=shipping.html\">Shipping</a></p>";
    page(&st, "Information", &format!("{nav}{body}"))
}

async fn download(State(st): State<Shared>, uri: Uri, Query(q): Query<Params>) -> Response {
    let file = param(&q, "file", "manual.txt");
    let content = if st.vulnerable("pt-download") {
        fs::read(&fs::resolve("/var/www/files", &file)).map(|c| c.into_owned())
    } else {
        let base = file.rsplit(['/', '\\']).next().unwrap_or("");
        ["manual.txt", "price-list.csv"].contains(&base).then(|| {
            fs::read(&format!("/var/www/files/{base}"))
                .unwrap_or_default()
                .into_owned()
        })
    };
    match content {
        Some(c) => text(c),
        None => not_found(&st, uri.path()),
    }
}

async fn view(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let doc = param(&q, "doc", "faq.html");
    let body = whitelisted(&doc).unwrap_or_else(|| "<p>Document not found.</p>".into());
    page(&st, "Document viewer", &format!("<p><a href=\"/view.php?doc=about.html\">About</a> &middot; <a href=\"/view.php?doc=shipping.html\">Shipping</a></p>{body}"))
}

async fn portal(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let p = param(&q, "page", "home");
    let local = |p: &str| match p {
        "home" => Some("<p>Welcome to the partner portal.</p>".to_owned()),
        "contact" => Some("<p>Partner desk: partners@acme.test</p>".to_owned()),
        _ => None,
    };
    let remote = ["http://", "https://", "ftp://"]
        .iter()
        .any(|s| p.to_ascii_lowercase().starts_with(s));
    let body = match local(&p) {
        Some(b) => b,
        None if remote && st.vulnerable("rfi-include") => {
            match fetch::fetch(&st.client, &p).await {
                Ok(code) => format!("<div class=\"module\">{}</div>", esc(&php_exec(&code))),
                Err(e) => include_warning(&format!("{p}): {e}"), "portal.php"),
            }
        }
        None => include_warning(&format!("{p}.php"), "portal.php"),
    };
    page(&st, "Partner portal", &format!("<p><a href=\"/portal.php?page=home\">Home</a> &middot; <a href=\"/portal.php?page=contact\">Contact</a></p>{body}"))
}

async fn theme(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let skin = param(&q, "skin", "default");
    let msg = if ["default", "dark", "classic"].contains(&skin.as_str()) {
        format!("Skin set to {}.", esc(&skin))
    } else {
        "Unknown skin.".into()
    };
    page(&st, "Theme", &format!("<p>{msg}</p><p><a href=\"/theme.php?skin=dark\">Dark</a> &middot; <a href=\"/theme.php?skin=classic\">Classic</a></p>"))
}

const FILES: &[(&str, &str, &str)] = &[
    (
        "manual.txt",
        "2019-03-14 09:12",
        "/var/www/files/manual.txt",
    ),
    (
        "price-list.csv",
        "2019-05-02 16:40",
        "/var/www/files/price-list.csv",
    ),
];

async fn autoindex(State(st): State<Shared>) -> Response {
    if !st.vulnerable("dirlist-apache") {
        let body = "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head><title>403 Forbidden</title></head><body>\n\
                    <h1>Forbidden</h1>\n<p>You don't have permission to access this resource.</p>\n</body></html>\n";
        return (StatusCode::FORBIDDEN, Html(body)).into_response();
    }
    let mut rows = String::new();
    for (name, date, path) in FILES {
        let size = fs::read(path).map(|c| c.len()).unwrap_or(0);
        rows.push_str(&format!(
            "<tr><td valign=\"top\"><img src=\"/icons/text.gif\" alt=\"[TXT]\"></td><td><a href=\"{name}\">{name}</a></td>\
             <td align=\"right\">{date}  </td><td align=\"right\">{size} </td><td>&nbsp;</td></tr>\n"
        ));
    }
    let sig = signature(&st);
    Html(format!(
        "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<html>\n <head>\n  <title>Index of /files</title>\n </head>\n <body>\n\
         <h1>Index of /files</h1>\n  <table>\n   <tr><th valign=\"top\"><img src=\"/icons/blank.gif\" alt=\"[ICO]\"></th>\
         <th><a href=\"?C=N;O=D\">Name</a></th><th><a href=\"?C=M;O=A\">Last modified</a></th><th><a href=\"?C=S;O=A\">Size</a></th>\
         <th><a href=\"?C=D;O=A\">Description</a></th></tr>\n   <tr><th colspan=\"5\"><hr></th></tr>\n\
         <tr><td valign=\"top\"><img src=\"/icons/back.gif\" alt=\"[PARENTDIR]\"></td><td><a href=\"/\">Parent Directory</a></td>\
         <td>&nbsp;</td><td align=\"right\">  - </td><td>&nbsp;</td></tr>\n{rows}   <tr><th colspan=\"5\"><hr></th></tr>\n</table>\n\
         <address>{sig} Server at 127.0.0.1 Port 80</address>\n</body></html>\n"
    ))
    .into_response()
}

async fn files_file(
    State(st): State<Shared>,
    uri: Uri,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> Response {
    match FILES
        .iter()
        .find(|(n, _, _)| *n == name)
        .and_then(|(_, _, p)| fs::read(p))
    {
        Some(c) => text(c.into_owned()),
        None => not_found(&st, uri.path()),
    }
}

async fn downloads(State(st): State<Shared>) -> Html<String> {
    page(
        &st,
        "Downloads",
        "<p>Manuals and price lists for our customers.</p><table><tr><th>Document</th><th>Updated</th></tr>\
         <tr><td><a href=\"/download.php?file=manual.txt\">Tent 3000 manual</a></td><td>March 2019</td></tr>\
         <tr><td><a href=\"/download.php?file=price-list.csv\">Price list</a></td><td>May 2019</td></tr></table>",
    )
}

/// The documentation area answers every path with 200 (a soft 404).
async fn docs(State(st): State<Shared>, uri: Uri) -> Html<String> {
    let body = if uri.path() == "/docs/" {
        "<p>Guides for our products.</p><ul><li><a href=\"/docs/tents\">Tents</a></li><li><a href=\"/docs/boots\">Boots</a></li></ul>".to_owned()
    } else {
        format!("<p>We could not find the guide \"{}\". Try the <a href=\"/docs/\">guide index</a>.</p>", esc(uri.path()))
    };
    page(&st, "Product guides", &body)
}
