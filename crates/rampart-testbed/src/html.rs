//! HTML helpers: escaping, the shared page layout, random tokens.

use crate::state::AppState;
use axum::response::Html;
use rand::RngCore;

/// Escapes text for HTML text and quoted attributes.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for a JavaScript string literal (either quote), safe inside `<script>`.
pub(crate) fn js_esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\u0027"),
            '"' => out.push_str("\\u0022"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// `n` random bytes as lowercase hex.
pub(crate) fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

const STYLE: &str = "body{font-family:Verdana,Arial,sans-serif;margin:0;background:#f4f4ee}\
#top{background:#2d4a22;color:#fff;padding:10px 20px}#top a{color:#dfe8c8;margin-right:14px}\
#main{padding:20px;max-width:900px}#foot{font-size:11px;color:#666;padding:20px}\
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}";

/// The public site's layout around `body`.
pub(crate) fn layout(st: &AppState, title: &str, body: &str) -> String {
    let partner = match &st.outside {
        Some(o) => format!(
            " &middot; Partner: <a href=\"{o}/\">Acme Travel</a> &middot; \
             <a href=\"{o}/login\">Partner login</a>",
            o = o.trim_end_matches('/')
        ),
        None => String::new(),
    };
    format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title} - Acme Outdoor</title>\
         <style>{STYLE}</style></head><body>\n<div id=\"top\"><b>Acme Outdoor</b> &nbsp; \
         <a href=\"/\">Home</a><a href=\"/products.php?id=1\">Shop</a>\
         <a href=\"/search.php?q=tent\">Search</a><a href=\"/news.php?id=1\">News</a>\
         <a href=\"/guestbook.php\">Guestbook</a><a href=\"/tools/\">Tools</a>\
         <a href=\"/account/\">My account</a><a href=\"/login\">Sign in</a></div>\n\
         <div id=\"main\">\n<h1>{title}</h1>\n{body}\n</div>\n<div id=\"foot\">&copy; 2019 Acme Outdoor Ltd \
         &middot; <a href=\"/about.php\">About</a> &middot; <a href=\"/contact.php\">Contact</a>\
         {partner}</div>\n</body></html>\n"
    )
}

/// [`layout`] as a response.
pub(crate) fn page(st: &AppState, title: &str, body: &str) -> Html<String> {
    Html(layout(st, title, body))
}

/// A URL path with its percent escapes decoded (`%20` → space).
pub(crate) fn percent_decoded(path: &str) -> String {
    let b = path.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
