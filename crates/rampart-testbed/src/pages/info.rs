//! Informational pages carrying the passive cases, and the hardened `/secure/` area.

use crate::html::page;
use crate::server::Tls;
use crate::state::{lock, Session, Shared};
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Extension, Form, Router};
use http::{header, HeaderValue, StatusCode};
use std::collections::HashMap;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/blog.php", get(blog))
        .route("/checkout.php", get(checkout))
        .route("/reports.php", get(reports))
        .route("/legacy/invoice.jsp", get(invoice))
        .route("/legacy/statement.jsp", get(statement))
        .route("/legacy/notes.jsp", get(notes))
        .route("/maintenance.php", get(maintenance))
        .route("/contact.php", get(contact))
        .route("/about.php", get(about))
        .route(
            "/static/app.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "application/javascript")],
                    "window.acme = { version: '2.3' };\n",
                )
            }),
        )
        .route(
            "/static/pixel.gif",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "image/gif")],
                    &b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"[..],
                )
            }),
        )
        .route("/secure/", get(secure_home))
        .route("/secure", get(|| async { Redirect::permanent("/secure/") }))
        .route("/secure/login", get(secure_login_form).post(secure_login))
}

async fn blog(State(st): State<Shared>) -> Response {
    let mut r = page(
        &st,
        "Deals blog",
        "<p>This week: 20% off all tents. <a href=\"/products.php?id=1\">Shop now</a>.</p>\
         <script>var promo = 'SUMMER20';</script>",
    )
    .into_response();
    let h = r.headers_mut();
    let csp = if st.vulnerable("csp-weak") {
        "default-src * 'unsafe-inline' 'unsafe-eval'; script-src * 'unsafe-inline' 'unsafe-eval'"
    } else {
        "default-src 'self'; script-src 'self'; frame-ancestors 'self'"
    };
    h.insert("content-security-policy", HeaderValue::from_static(csp));
    let rp = if st.vulnerable("referrer-weak") {
        "unsafe-url"
    } else {
        "strict-origin-when-cross-origin"
    };
    h.insert("referrer-policy", HeaderValue::from_static(rp));
    r
}

async fn checkout(State(st): State<Shared>, Extension(tls): Extension<Tls>) -> Html<String> {
    // On the HTTPS listener this loads the script from the plain-HTTP origin.
    let src = if tls.0 && st.vulnerable("mixed-content") {
        format!("{}/static/app.js", st.base())
    } else {
        "/static/app.js".to_owned()
    };
    page(
        &st,
        "Checkout",
        &format!(
            "<p>Your basket: Trail Tent 3000, &pound;199.</p><script src=\"{src}\"></script>\
             <form method=\"get\" action=\"/cart.php\"><input type=\"hidden\" name=\"id\" value=\"1\"><input type=\"submit\" value=\"Back to basket\"></form>"
        ),
    )
}

async fn reports(State(st): State<Shared>) -> Html<String> {
    let body = if st.vulnerable("error-sql") {
        "<p>Monthly sales report</p><br />\n<b>Warning</b>: mysqli_query(): (42000/1064): You have an error in your SQL syntax; \
         check the manual that corresponds to your MySQL server version for the right syntax to use near 'ORDER BY month' at line 1 \
         in <b>/var/www/html/reports.php</b> on line <b>31</b><br />"
    } else {
        "<p>Monthly sales report</p><p>The report is not available right now.</p>"
    };
    page(&st, "Reports", body)
}

async fn invoice(State(st): State<Shared>) -> Response {
    if !st.vulnerable("error-stacktrace") {
        return maintenance(State(st)).await;
    }
    let body = "<html><head><title>Apache Tomcat/8.5.31 - Error report</title></head><body>\
        <h1>HTTP Status 500 - Internal Server Error</h1><h3>Exception report</h3><pre>java.lang.NullPointerException\n\
        \tat com.acme.billing.InvoiceServlet.doGet(InvoiceServlet.java:87)\n\
        \tat javax.servlet.http.HttpServlet.service(HttpServlet.java:635)\n\
        \tat javax.servlet.http.HttpServlet.service(HttpServlet.java:742)\n\
        \tat org.apache.catalina.core.ApplicationFilterChain.internalDoFilter(ApplicationFilterChain.java:231)\n\
        \tat org.apache.catalina.core.StandardWrapperValve.invoke(StandardWrapperValve.java:199)\n</pre>\
        <h3>Apache Tomcat/8.5.31</h3></body></html>";
    (StatusCode::INTERNAL_SERVER_ERROR, Html(body)).into_response()
}

/// A servlet container's error page that lists the frames without the `at ` prefix.
async fn statement(State(st): State<Shared>) -> Response {
    if !st.vulnerable("error-stacktrace-bare") {
        return maintenance(State(st)).await;
    }
    let body = "<html><head><title>Error report</title></head><body><h1>HTTP Status 500</h1>\
        <p><b>exception</b></p><pre>javax.servlet.ServletException: statement unavailable\n\
        \tcom.acme.billing.StatementServlet.doGet(StatementServlet.java:41)\n\
        \tjavax.servlet.http.HttpServlet.service(HttpServlet.java:635)\n</pre>\
        <p><b>root cause</b></p><pre>java.lang.IllegalStateException: connection closed\n\
        \tcom.acme.billing.StatementDao.find(StatementDao.java:88)\n</pre></body></html>";
    (StatusCode::INTERNAL_SERVER_ERROR, Html(body)).into_response()
}

/// Release notes that name an exception class, with no trace.
async fn notes(State(st): State<Shared>) -> Html<String> {
    page(
        &st,
        "Billing release notes",
        "<ul><li>Fixed: a java.lang.IllegalStateException in the statement view (StatementServlet) \
         when the connection was closed.</li><li>Faster invoice search.</li></ul>",
    )
}

async fn maintenance(State(st): State<Shared>) -> Response {
    let body = page(&st, "Something went wrong", "<p>Sorry, something went wrong on our side. Please try again later.</p>\
        <p>If the problem persists, contact support and quote reference <code>E-4F3A-0917</code>.</p>");
    (StatusCode::INTERNAL_SERVER_ERROR, body).into_response()
}

async fn contact(State(st): State<Shared>) -> Html<String> {
    let internal = if st.vulnerable("private-ip") {
        "<!-- mail relay: 10.0.3.17, backup mx 192.168.10.25 -->\n<p class=\"small\">Served by app node 172.16.4.12</p>"
    } else {
        ""
    };
    page(
        &st,
        "Contact us",
        &format!("<p>Email: hello@acme.test &middot; Phone: 0113 496 0000</p><p><a href=\"/feedback.php\">Send feedback</a></p>{internal}"),
    )
}

async fn about(State(st): State<Shared>) -> Html<String> {
    page(
        &st,
        "About us",
        "<p>Acme Outdoor has equipped hikers since 1987. Our shop runs ShopKit 4.10.2 \
         (build 2019.10.1.255). Status page: 203.0.113.45. Office hours 9.00-17.30.</p>",
    )
}

const SECURE_COOKIE: &str = "SECURESESSID";

async fn secure_home(State(st): State<Shared>) -> Response {
    let mut r = Html(format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Acme Business</title>\
         </head><body><h1>Acme Business accounts</h1>\
         <p>Our business portal, built to current standards.</p><p><a href=\"/secure/login\">Business sign-in</a> &middot; <a href=\"/\">Shop</a></p>{}</body></html>",
        st.https_base().map(|b| format!("<p><a href=\"{b}/secure/\">Use the secure connection</a></p>")).unwrap_or_default()
    ))
    .into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static(
            "secure_pref=compact; Path=/secure; Secure; HttpOnly; SameSite=Strict",
        ),
    );
    r
}

async fn secure_login_form(State(st): State<Shared>, Extension(tls): Extension<Tls>) -> Response {
    // The business area never shows its password form over plain HTTP.
    if let (false, Some(b)) = (tls.0, st.https_base()) {
        return Redirect::permanent(&format!("{b}/secure/login")).into_response();
    }
    Html(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Business sign-in</title></head><body>\
         <h1>Business sign-in</h1><form method=\"post\" action=\"/secure/login\">\
         <p>Username <input type=\"text\" name=\"username\" autocomplete=\"username\"></p>\
         <p>Password <input type=\"password\" name=\"password\" autocomplete=\"off\"></p>\
         <p><input type=\"submit\" value=\"Sign in\"></p></form></body></html>",
    )
    .into_response()
}

async fn secure_login(
    State(st): State<Shared>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let ok = f.get("username").map(String::as_str) == Some(crate::auth::USERNAME)
        && f.get("password").map(String::as_str) == Some(crate::auth::PASSWORD);
    if !ok {
        return Html("<!DOCTYPE html><html><body><p>Invalid credentials. <a href=\"/secure/login\">Try again</a></p></body></html>").into_response();
    }
    let id = st.new_session_id(false);
    lock(&st.sessions).insert(
        id.clone(),
        Session {
            user: crate::auth::USERNAME.into(),
            csrf_token: crate::html::random_hex(16),
        },
    );
    let mut r = Redirect::to("/secure/").into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{SECURE_COOKIE}={id}; Path=/secure; Secure; HttpOnly; SameSite=Strict"
    )) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}
