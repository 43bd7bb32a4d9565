//! Form pages that take documents: XML import (XXE), uploads, preferences (CSRF), the basket.

use super::{not_found, param, php_exec, Params};
use crate::emu::xml;
use crate::html::{esc, page, random_hex};
use crate::state::{lock, Shared, UPLOAD_CAP};
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use http::{header, HeaderMap, StatusCode, Uri};

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/import.php", get(import_form).post(import))
        .route(
            "/catalog/import.php",
            get(import_form_safe).post(import_safe),
        )
        .route("/upload.php", get(upload_form).post(upload))
        .route("/uploads/{name}", get(uploaded))
        .route(
            "/support/tickets/attach.php",
            get(ticket_form).post(ticket_attach),
        )
        .route(
            "/support/notes/attach.php",
            get(note_form).post(note_attach),
        )
        .route("/storage/{area}/{name}", get(stored))
        .route("/profile/photo.php", get(photo_form).post(photo))
        .route("/photos/{name}", get(photo_file))
        .route("/preferences.php", get(prefs_form).post(prefs_save))
        .route("/cart.php", get(cart))
}

const SAMPLE_XML: &str =
    "<?xml version=\"1.0\"?>\n<product><name>Trail Tent 3000</name><price>199</price></product>";

fn import_page(st: &Shared, title: &str, action: &str, result: &str) -> Html<String> {
    page(
        st,
        title,
        &format!(
            "<p>Paste a product in XML.</p><form method=\"post\" action=\"{action}\">\
             <textarea name=\"xml\" rows=\"6\" cols=\"60\">{}</textarea><br><input type=\"submit\" value=\"Import\"></form>{result}",
            esc(SAMPLE_XML)
        ),
    )
}

async fn import_form(State(st): State<Shared>) -> Html<String> {
    import_page(&st, "Product import", "/import.php", "")
}

async fn import_form_safe(State(st): State<Shared>) -> Html<String> {
    import_page(&st, "Catalogue import", "/catalog/import.php", "")
}

/// The XML document of a request: a raw XML body or the `xml` form field.
fn xml_of(headers: &HeaderMap, body: &Bytes) -> String {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ct.contains("xml") {
        return String::from_utf8_lossy(body).into_owned();
    }
    url::form_urlencoded::parse(body)
        .find(|(k, _)| k == "xml")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

async fn do_import(st: &Shared, headers: &HeaderMap, body: &Bytes, external: bool) -> String {
    match xml::parse(&st.client, &xml_of(headers, body), external).await {
        Ok(doc) => match doc.get("name") {
            Some(n) => format!(
                "<p>Imported product: <b>{}</b> (price {})</p>",
                esc(n),
                esc(doc.get("price").unwrap_or("?"))
            ),
            None => "<p>No product found in the document.</p>".into(),
        },
        Err(e) => format!("<p class=\"error\">XML error: {}</p>", esc(&e)),
    }
}

async fn import(State(st): State<Shared>, headers: HeaderMap, body: Bytes) -> Html<String> {
    let result = do_import(&st, &headers, &body, st.vulnerable("xxe-import")).await;
    import_page(&st, "Product import", "/import.php", &result)
}

async fn import_safe(State(st): State<Shared>, headers: HeaderMap, body: Bytes) -> Html<String> {
    let result = do_import(&st, &headers, &body, false).await;
    import_page(&st, "Catalogue import", "/catalog/import.php", &result)
}

fn upload_page(st: &Shared, title: &str, action: &str, field: &str, result: &str) -> Html<String> {
    page(
        st,
        title,
        &format!(
            "<form method=\"post\" action=\"{action}\" enctype=\"multipart/form-data\">\
             <p><input type=\"file\" name=\"{field}\"></p><p>Description <input type=\"text\" name=\"description\" value=\"my file\"></p>\
             <input type=\"submit\" value=\"Upload\"></form>{result}"
        ),
    )
}

async fn upload_form(State(st): State<Shared>) -> Html<String> {
    upload_page(&st, "Send us an attachment", "/upload.php", "file", "")
}

/// Largest stored upload; bigger files are treated as missing.
const MAX_UPLOAD: usize = 256 * 1024;

/// The first file field of a multipart body: (file name, content), if small enough.
async fn first_file(mut mp: Multipart, field: &str) -> Option<(String, Bytes)> {
    while let Ok(Some(f)) = mp.next_field().await {
        if f.name() == Some(field) {
            let name = f.file_name().unwrap_or("upload.bin").to_owned();
            return f
                .bytes()
                .await
                .ok()
                .filter(|b| b.len() <= MAX_UPLOAD)
                .map(|b| (name, b));
        }
    }
    None
}

fn base_name(name: &str) -> String {
    name.rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "._-".contains(*c))
        .collect()
}

fn extension(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

async fn upload(State(st): State<Shared>, mp: Multipart) -> Html<String> {
    let Some((name, data)) = first_file(mp, "file").await else {
        return upload_page(
            &st,
            "Send us an attachment",
            "/upload.php",
            "file",
            "<p>No file received.</p>",
        );
    };
    let mut stored = base_name(&name);
    if !st.vulnerable("upload-any") {
        let ext = extension(&stored);
        if !["txt", "pdf", "png", "jpg", "gif"].contains(&ext.as_str()) {
            return upload_page(
                &st,
                "Send us an attachment",
                "/upload.php",
                "file",
                "<p>This file type is not allowed.</p>",
            );
        }
        stored = format!("{}.{ext}", random_hex(8));
    }
    if stored.is_empty() || stored.starts_with('.') {
        stored = format!("upload{stored}");
    }
    {
        let mut up = lock(&st.uploads);
        if up.len() >= UPLOAD_CAP && !up.contains_key(&stored) {
            up.clear();
        }
        up.insert(stored.clone(), data.to_vec());
    }
    let link = format!(
        "<p>File uploaded: <a href=\"/uploads/{0}\">/uploads/{0}</a></p>",
        esc(&stored)
    );
    upload_page(&st, "Send us an attachment", "/upload.php", "file", &link)
}

/// Serves uploads by extension; `.php` is "executed" like mod_php would.
async fn uploaded(State(st): State<Shared>, uri: Uri, Path(name): Path<String>) -> Response {
    let Some(data) = lock(&st.uploads).get(&name).cloned() else {
        return not_found(&st, uri.path());
    };
    let ext = extension(&name);
    if !st.vulnerable("upload-any") && !["png", "jpg", "gif"].contains(&ext.as_str()) {
        return (
            [
                (header::CONTENT_TYPE, "application/octet-stream"),
                (header::CONTENT_DISPOSITION, "attachment"),
            ],
            data,
        )
            .into_response();
    }
    by_extension(&ext, data)
}

/// A stored file served by its extension, as a web server with PHP would.
fn by_extension(ext: &str, data: Vec<u8>) -> Response {
    let text = || String::from_utf8_lossy(&data).into_owned();
    let ct = match ext {
        "php" | "php5" | "phtml" => return Html(php_exec(&text())).into_response(),
        "html" | "htm" => "text/html; charset=utf-8",
        "svg" => "image/svg+xml",
        "js" => "application/javascript",
        "txt" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        _ => "application/octet-stream",
    };
    ([(header::CONTENT_TYPE, ct)], data).into_response()
}

async fn photo_form(State(st): State<Shared>) -> Html<String> {
    upload_page(&st, "Profile photo", "/profile/photo.php", "photo", "")
}

fn image_type(data: &[u8]) -> Option<&'static str> {
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if data.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("jpg")
    } else if data.starts_with(b"GIF8") {
        Some("gif")
    } else {
        None
    }
}

async fn photo(State(st): State<Shared>, mp: Multipart) -> Html<String> {
    let result = match first_file(mp, "photo").await {
        Some((name, data))
            if ["png", "jpg", "jpeg", "gif"].contains(&extension(&name).as_str()) =>
        {
            match image_type(&data) {
                Some(t) => {
                    let stored = format!("{}.{t}", random_hex(8));
                    let mut ph = lock(&st.photos);
                    if ph.len() >= UPLOAD_CAP {
                        ph.clear();
                    }
                    ph.insert(stored.clone(), data.to_vec());
                    format!("<p>Photo saved: <img src=\"/photos/{stored}\" alt=\"photo\"></p>")
                }
                None => "<p>This is not a valid image.</p>".into(),
            }
        }
        Some(_) => "<p>Only PNG, JPEG or GIF images are accepted.</p>".into(),
        None => "<p>No file received.</p>".into(),
    };
    upload_page(&st, "Profile photo", "/profile/photo.php", "photo", &result)
}

async fn photo_file(State(st): State<Shared>, uri: Uri, Path(name): Path<String>) -> Response {
    let Some(data) = lock(&st.photos).get(&name).cloned() else {
        return not_found(&st, uri.path());
    };
    let ct = match image_type(&data) {
        Some("png") => "image/png",
        Some("gif") => "image/gif",
        _ => "image/jpeg",
    };
    (
        [
            (header::CONTENT_TYPE, ct),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        data,
    )
        .into_response()
}

fn prefs_page(st: &Shared, msg: &str) -> Html<String> {
    let tok = if st.vulnerable("csrf-prefs") {
        String::new()
    } else {
        format!(
            "<input type=\"hidden\" name=\"token\" value=\"{}\">",
            st.site_token
        )
    };
    let current = lock(&st.prefs)
        .get("currency")
        .cloned()
        .unwrap_or_else(|| "GBP".into());
    page(
        st,
        "Site preferences",
        &format!(
            "{msg}<form method=\"post\" action=\"/preferences.php\">{tok}\
             <p>Currency <select name=\"currency\"><option>GBP</option><option>EUR</option><option>USD</option></select> (now {})</p>\
             <p><input type=\"checkbox\" name=\"newsletter\" value=\"1\" checked> Send me the newsletter</p>\
             <input type=\"submit\" value=\"Save\"></form>",
            esc(&current)
        ),
    )
}

async fn prefs_form(State(st): State<Shared>) -> Html<String> {
    prefs_page(&st, "")
}

async fn prefs_save(State(st): State<Shared>, Form(f): Form<Params>) -> Response {
    if !st.vulnerable("csrf-prefs") && f.get("token") != Some(&st.site_token) {
        return (StatusCode::FORBIDDEN, "invalid request token").into_response();
    }
    lock(&st.prefs).insert("currency".into(), param(&f, "currency", "GBP"));
    prefs_page(&st, "<p>Preferences saved.</p>").into_response()
}

async fn cart(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let msg = if q.contains_key("id") {
        "<p>Item added to your basket.</p>"
    } else {
        "<p>Your basket is empty.</p>"
    };
    page(
        &st,
        "Basket",
        &format!("{msg}<p><a href=\"/checkout.php\">Checkout</a></p>"),
    )
}

/// The support areas' attachment forms answer in prose with the stored file's path relative
/// to the form (`../../storage/tickets/NAME succesfully uploaded!`), unquoted, no link.
/// Tickets (`upload-prose`) serve what is stored by its extension; notes (its safe twin,
/// and tickets when fixed) only as a download.
fn support_page(st: &Shared, area: &str, result: &str) -> Html<String> {
    upload_page(
        st,
        &format!("Attach a file to your {area}"),
        &format!("/support/{area}/attach.php"),
        "attachment",
        result,
    )
}

async fn ticket_form(State(st): State<Shared>) -> Html<String> {
    support_page(&st, "tickets", "")
}

async fn note_form(State(st): State<Shared>) -> Html<String> {
    support_page(&st, "notes", "")
}

async fn support_attach(st: &Shared, area: &str, mp: Multipart) -> Html<String> {
    let Some((name, data)) = first_file(mp, "attachment").await else {
        return support_page(st, area, "<p>No file received.</p>");
    };
    let mut stored = base_name(&name);
    if stored.is_empty() || stored.starts_with('.') {
        stored = format!("attachment{stored}");
    }
    {
        let mut up = lock(&st.uploads);
        let key = format!("{area}/{stored}");
        if up.len() >= UPLOAD_CAP && !up.contains_key(&key) {
            up.clear();
        }
        up.insert(key, data.to_vec());
    }
    let prose = format!(
        "<p>../../storage/{area}/{} succesfully uploaded!</p>",
        esc(&stored)
    );
    support_page(st, area, &prose)
}

async fn ticket_attach(State(st): State<Shared>, mp: Multipart) -> Html<String> {
    support_attach(&st, "tickets", mp).await
}

async fn note_attach(State(st): State<Shared>, mp: Multipart) -> Html<String> {
    support_attach(&st, "notes", mp).await
}

async fn stored(
    State(st): State<Shared>,
    uri: Uri,
    Path((area, name)): Path<(String, String)>,
) -> Response {
    let Some(data) = lock(&st.uploads).get(&format!("{area}/{name}")).cloned() else {
        return not_found(&st, uri.path());
    };
    if area == "tickets" && st.vulnerable("upload-prose") {
        return by_extension(&extension(&name), data);
    }
    (
        [
            (header::CONTENT_TYPE, "application/octet-stream"),
            (header::CONTENT_DISPOSITION, "attachment"),
        ],
        data,
    )
        .into_response()
}
