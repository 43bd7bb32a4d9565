//! The site's router: every page, the discovery files (robots, sitemap, OpenAPI) and the 404.

mod api;
mod api_v2;
mod client;
mod community;
mod dav;
mod files;
mod forms;
mod graphql;
mod info;
mod library;
mod links;
mod lists;
mod openapi;
mod ops;
mod redirect;
mod shop;
mod spa;
mod staff;
mod tools;
mod topics;

use crate::emu::expr;
use crate::html::page;
use crate::state::Shared;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http::{header, HeaderValue, StatusCode, Uri};
use std::collections::HashMap;
use std::sync::atomic::Ordering;

/// Failed sign-ins after which the partner back office refuses every attempt.
pub use staff::PARTNER_LOCKOUT;

pub(crate) type Params = HashMap<String, String>;

/// Builds the whole application for one listener.
pub(crate) fn app(st: Shared) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/index.php", get(index))
        .route("/robots.txt", get(robots))
        .route("/sitemap.xml", get(sitemap))
        .route("/openapi.json", get(openapi::spec))
        .merge(shop::routes())
        .merge(community::routes())
        .merge(dav::routes())
        .merge(tools::routes())
        .merge(ops::routes())
        .merge(links::routes())
        .merge(lists::routes())
        .merge(library::routes())
        .merge(topics::routes())
        .merge(staff::routes())
        .merge(files::routes())
        .merge(forms::routes())
        .merge(redirect::routes())
        .merge(info::routes())
        .merge(api::routes())
        .merge(api_v2::routes())
        .merge(graphql::routes())
        .merge(spa::routes())
        .merge(client::routes())
        .merge(crate::auth::routes())
        .merge(crate::admin::routes())
        .fallback(fallback)
        .layer(axum::middleware::from_fn_with_state(
            st.clone(),
            crate::middleware::site,
        ))
        .with_state(st)
}

/// A parameter's value, or `default` when absent.
pub(crate) fn param(q: &Params, name: &str, default: &str) -> String {
    q.get(name).cloned().unwrap_or_else(|| default.to_owned())
}

/// Apache's 404 page.
/// The server signature Apache prints in its own pages.
pub(crate) fn signature(st: &Shared) -> &'static str {
    if st.vulnerable("version-banner") {
        "Apache/2.4.29 (Ubuntu)"
    } else {
        "Apache"
    }
}

pub(crate) fn not_found(st: &Shared, path: &str) -> Response {
    let body = format!(
        "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n\
         <h1>Not Found</h1>\n<p>The requested URL {} was not found on this server.</p>\n<hr>\n\
         <address>{} Server at 127.0.0.1 Port 80</address>\n</body></html>\n",
        crate::html::esc(path),
        signature(st)
    );
    (StatusCode::NOT_FOUND, Html(body)).into_response()
}

async fn fallback(State(st): State<Shared>, uri: Uri) -> Response {
    not_found(&st, uri.path())
}

/// "Executes" a PHP file: text outside `<?php ... ?>` is copied, code inside is emulated.
pub(crate) fn php_exec(src: &str) -> String {
    let mut out = String::new();
    let mut rest = src;
    while let Some(start) = rest.find("<?php").or_else(|| rest.find("<?=")) {
        out.push_str(&rest[..start]);
        let code = &rest[start..];
        let (code, after) = match code.find("?>") {
            Some(end) => (&code[..end + 2], &code[end + 2..]),
            None => (code, ""),
        };
        let code = code.trim_start_matches("<?=").to_owned();
        match expr::run(&code) {
            Ok(o) => out.push_str(&o.output),
            Err(e) => out.push_str(&format!("PHP Parse error: {e}")),
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

const SECTIONS: &str = "
<h2>Shop</h2><ul>
<li><a href=\"/products.php?id=1\">Trail Tent 3000</a> &middot; <a href=\"/catalog.php?id=2\">Catalogue</a>
 &middot; <a href=\"/search.php?q=tent\">Search</a> &middot; <a href=\"/find.php?q=lamp\">Product finder</a></li>
<li><a href=\"/blog.php\">Deals blog</a> &middot; <a href=\"/cart.php\">Basket</a> &middot; <a href=\"/checkout.php\">Checkout</a></li>
<li><a href=\"/track.php\">Track a parcel</a> &middot; <a href=\"/status.php\">Order status</a> &middot; <a href=\"/welcome.php\">Member welcome</a>
 &middot; <a href=\"/setregion.php?r=uk\">Shop in the UK</a>
 &middot; <a href=\"/giftcard.php?code=GIFT-0000\">Gift card balance</a> &middot; <a href=\"/voucher.php?code=GIFT-0000\">Voucher balance</a></li>
<li><a href=\"/news.php?id=1\">News</a> &middot; <a href=\"/reports.php\">Sales reports</a> &middot; <a href=\"/legacy/invoice.jsp?id=1\">Invoices (old system)</a>
 &middot; <a href=\"/legacy/statement.jsp\">Statements (old system)</a> &middot; <a href=\"/legacy/notes.jsp\">Billing release notes</a></li>
</ul>
<h2>Community</h2><ul>
<li><a href=\"/guestbook.php\">Guestbook</a> &middot; <a href=\"/reviews.php\">Reviews</a> &middot; <a href=\"/feedback.php\">Feedback</a></li>
<li><a href=\"/greet.php?name=Guest\">Say hello</a> &middot; <a href=\"/hello.php?name=Guest\">Hello page</a>
 &middot; <a href=\"/stats.php?ref=home\">Statistics</a> &middot; <a href=\"/analytics.php?ref=home\">Analytics</a></li>
<li><a href=\"/newsletter.php?email=you@example.com\">Newsletter</a> &middot; <a href=\"/subscribe.php?email=you@example.com\">Subscribe</a></li>
<li><a href=\"/preview.php?title=Summer+trip\">Trip page preview</a> &middot; <a href=\"/invite.php\">Invite a friend</a> &middot; <a href=\"/card.php?name=Friend\">Greeting card</a></li>
</ul>
<h2>Help</h2><ul>
<li><a href=\"/page.php?file=about.html\">About the shop</a> &middot; <a href=\"/view.php?doc=faq.html\">FAQ</a> &middot; <a href=\"/docs/\">Product guides</a>
 &middot; <a href=\"/help.php?topic=start\">Help centre</a> &middot; <a href=\"/manual.php?chapter=start\">Manual</a></li>
<li><a href=\"/downloads/\">Downloads</a> &middot; <a href=\"/portal.php?page=home\">Partner portal</a> &middot; <a href=\"/theme.php?skin=default\">Themes</a></li>
<li><a href=\"/upload.php\">Send an attachment</a> &middot; <a href=\"/profile/photo.php\">Profile photo</a> &middot; <a href=\"/support/tickets/attach.php\">Ticket attachments</a> &middot; <a href=\"/support/notes/attach.php\">Note attachments</a>
 &middot; <a href=\"/import.php\">Product import</a> &middot; <a href=\"/catalog/import.php\">Catalogue import</a></li>
<li><a href=\"/preferences.php\">Preferences</a> &middot; <a href=\"/setlang.php?lang=en\">English</a> &middot; <a href=\"/settheme.php?theme=light\">Light theme</a>
 &middot; <a href=\"/wishlist.php\">Wishlist</a> &middot; <a href=\"/giftlist.php\">Gift list</a> &middot; <a href=\"/timetable.php\">Bus timetable</a>
 &middot; <a href=\"/export.php?filename=orders.csv\">Export my orders</a> &middot; <a href=\"/export-safe.php?filename=orders.csv\">Export (new)</a></li>
<li><a href=\"/redirect.php?url=/news.php?id=2\">Latest news</a> &middot; <a href=\"/goto.php?next=/about.php\">Our story</a>
 &middot; <a href=\"/out.php?to=/contact.php\">Get in touch</a> &middot; <a href=\"/return.php?returnTo=/account/\">Back to my account</a>
 &middot; <a href=\"/leave.php?dest=/about.php\">Partner shop</a> &middot; <a href=\"/stay.php?dest=/contact.php\">Stay in touch</a> &middot; <a href=\"/exit.php?to=/\">Leave the shop</a></li>
<li><a href=\"/dav/\">Team file share</a> &middot; <a href=\"/maintenance.php\">Service status</a> &middot; <a href=\"/members/signin.php\">Members area</a> &middot; <a href=\"/members/pin.php\">Card PIN</a> &middot; <a href=\"/members/pin-safe.php\">Card PIN (new)</a> &middot; <a href=\"/secure/\">Business accounts</a></li>
<li><a href=\"/ops/\">Operations</a> &middot; <a href=\"/links/\">Partner links</a> &middot; <a href=\"/library/\">Library</a></li>
<li><a href=\"/staff/login.php\">Staff sign-in</a> &middot; <a href=\"/partners/login.php\">Partner sign-in</a> &middot; <a href=\"/promo.php\">Summer promotion</a> &middot; <a href=\"/event.php\">Hiking event</a></li>
<li><a href=\"/spa/\">Trip planner (app)</a> &middot; <a href=\"/dom/\">Widgets</a> &middot; <a href=\"/client/\">Client area</a></li>
<li>Developers: <a href=\"/openapi.json\">API description</a> &middot; <a href=\"/api/v1/products/1\">Product API</a>
 &middot; <a href=\"/api/v1/profile\">Profile API</a> &middot; <a href=\"/api/v1/public/stats\">Stats API</a>
 &middot; <a href=\"/api/v1/cart\">Basket API</a> &middot; <a href=\"/api/v1/wishlist\">Wishlist API</a></li>
</ul>";

async fn index(State(st): State<Shared>) -> Response {
    let https = st
        .https_base()
        .map(|b| format!("<p>Prefer a secure connection? <a href=\"{b}/\">Switch to HTTPS</a> &middot; <a href=\"{b}/checkout.php\">Secure checkout</a> &middot; <a href=\"{b}/secure/login\">Business sign-in</a></p>"))
        .unwrap_or_default();
    let mut r = page(
        &st,
        "Welcome to Acme Outdoor",
        &format!("<p>Everything for the trail since 1987.</p>{SECTIONS}{https}"),
    )
    .into_response();
    let n = st.visitors.fetch_add(1, Ordering::Relaxed);
    if let Ok(v) = HeaderValue::from_str(&format!("visitor={n}; path=/")) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    if !st.vulnerable("cookie-visitor") {
        if let Ok(v) =
            HeaderValue::from_str(&format!("visitor={n}; path=/; HttpOnly; SameSite=Lax"))
        {
            r.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    r
}

async fn robots(State(st): State<Shared>) -> Response {
    let body = format!(
        "User-agent: *\nDisallow: /backup/\nDisallow: /files/\nDisallow: /legacy/\nDisallow: /account/\n\nSitemap: {}/sitemap.xml\n",
        st.base()
    );
    ([(header::CONTENT_TYPE, "text/plain")], body).into_response()
}

async fn sitemap(State(st): State<Shared>) -> Response {
    let urls = [
        "/",
        "/products.php?id=1",
        "/search.php?q=tent",
        "/news.php?id=1",
        "/guestbook.php",
        "/tools/",
        "/docs/",
        "/downloads/",
        "/about.php",
        "/contact.php",
        "/login",
    ];
    let locs: String = urls
        .iter()
        .map(|u| {
            format!(
                "  <url><loc>{}{}</loc></url>\n",
                st.base(),
                u.replace('&', "&amp;")
            )
        })
        .collect();
    let body = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n{locs}</urlset>\n");
    ([(header::CONTENT_TYPE, "application/xml")], body).into_response()
}
