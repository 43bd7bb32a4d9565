//! Community pages: reflected and stored XSS, template injection, and their safe twins.

use super::{param, Params};
use crate::emu::template;
use crate::html::{esc, js_esc, page};
use crate::state::{lock, push_capped, Entry, Shared};
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use http::StatusCode;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/greet.php", get(greet))
        .route("/hello.php", get(hello))
        .route("/newsletter.php", get(newsletter))
        .route("/subscribe.php", get(subscribe))
        .route("/stats.php", get(stats))
        .route("/analytics.php", get(analytics))
        .route("/feedback.php", get(feedback_form).post(feedback))
        .route("/guestbook.php", get(guestbook).post(guestbook_post))
        .route("/reviews.php", get(reviews).post(reviews_post))
        .route("/preview.php", get(preview))
        .route("/invite.php", get(invite_form).post(invite))
        .route("/card.php", get(card))
}

fn name_form(action: &str, field: &str, value: &str) -> String {
    format!(
        "<form method=\"get\" action=\"{action}\"><input type=\"text\" name=\"{field}\" value=\"{}\">\
         <input type=\"submit\" value=\"Go\"></form>",
        esc(value)
    )
}

async fn greet(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let name = param(&q, "name", "Guest");
    let shown = if st.vulnerable("xss-text") {
        name.clone()
    } else {
        esc(&name)
    };
    page(
        &st,
        "Greetings",
        &format!(
            "<p>Hello, {shown}! Enjoy your visit.</p>{}",
            name_form("/greet.php", "name", "Guest")
        ),
    )
}

async fn hello(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let name = param(&q, "name", "Guest");
    page(
        &st,
        "Hello",
        &format!(
            "<p>Hello, {}! Enjoy your visit.</p>{}",
            esc(&name),
            name_form("/hello.php", "name", "Guest")
        ),
    )
}

fn newsletter_form(action: &str, value_attr: &str) -> String {
    format!(
        "<p>Get our deals by email.</p><form method=\"get\" action=\"{action}\">\
         <input type=\"text\" name=\"email\" value=\"{value_attr}\"><input type=\"submit\" value=\"Subscribe\"></form>"
    )
}

async fn newsletter(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let email = param(&q, "email", "you@example.com");
    let v = if st.vulnerable("xss-attr") {
        email
    } else {
        esc(&email)
    };
    page(&st, "Newsletter", &newsletter_form("/newsletter.php", &v))
}

async fn subscribe(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let email = param(&q, "email", "you@example.com");
    page(
        &st,
        "Subscribe",
        &newsletter_form("/subscribe.php", &esc(&email)),
    )
}

fn tracker(value_js: &str) -> String {
    format!(
        "<p>Thanks for visiting our statistics page.</p>\n<script>\nvar page_ref = '{value_js}';\n\
         document.write('<img src=\"/static/pixel.gif?r=' + encodeURIComponent(page_ref) + '\" alt=\"\">');\n</script>"
    )
}

async fn stats(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let r = param(&q, "ref", "home");
    let v = if st.vulnerable("xss-script") {
        r
    } else {
        js_esc(&r)
    };
    page(&st, "Statistics", &tracker(&v))
}

async fn analytics(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let r = param(&q, "ref", "home");
    page(&st, "Analytics", &tracker(&js_esc(&r)))
}

const FEEDBACK_FORM: &str = "<form method=\"post\" action=\"/feedback.php\">\
    <p>Your name <input type=\"text\" name=\"name\" value=\"Sam\"></p>\
    <p>Message <textarea name=\"message\">Great shop</textarea></p>\
    <input type=\"submit\" value=\"Send\"></form>";

async fn feedback_form(State(st): State<Shared>) -> Html<String> {
    page(&st, "Feedback", FEEDBACK_FORM)
}

async fn feedback(State(st): State<Shared>, Form(f): Form<Params>) -> Html<String> {
    let msg = param(&f, "message", "");
    let shown = if st.vulnerable("xss-post") {
        msg
    } else {
        esc(&msg)
    };
    let name = esc(&param(&f, "name", ""));
    page(
        &st,
        "Feedback",
        &format!(
            "<p>Thank you {name}, we received your message:</p><blockquote>{shown}</blockquote>"
        ),
    )
}

fn entries_html(list: &[Entry], raw: bool) -> String {
    list.iter()
        .map(|e| {
            let text = if raw { e.text.clone() } else { esc(&e.text) };
            format!(
                "<div class=\"entry\"><b>{}</b> wrote:<p>{text}</p></div>",
                esc(&e.name)
            )
        })
        .collect()
}

fn book(
    st: &Shared,
    title: &str,
    action: &str,
    field: &str,
    list: &[Entry],
    raw: bool,
) -> Html<String> {
    let form = format!(
        "<form method=\"post\" action=\"{action}\"><p>Name <input type=\"text\" name=\"name\" value=\"Sam\"></p>\
         <p>Text <textarea name=\"{field}\">Nice!</textarea></p><input type=\"submit\" value=\"Post\"></form>"
    );
    page(st, title, &format!("{}{form}", entries_html(list, raw)))
}

async fn guestbook(State(st): State<Shared>) -> Html<String> {
    let list: Vec<Entry> = lock(&st.guestbook).iter().cloned().collect();
    book(
        &st,
        "Guestbook",
        "/guestbook.php",
        "message",
        &list,
        st.vulnerable("xss-stored-guestbook"),
    )
}

async fn guestbook_post(State(st): State<Shared>, Form(f): Form<Params>) -> Html<String> {
    push_capped(
        &st.guestbook,
        Entry {
            name: param(&f, "name", "anonymous"),
            text: param(&f, "message", ""),
        },
    );
    guestbook(State(st)).await
}

async fn reviews(State(st): State<Shared>) -> Html<String> {
    let list: Vec<Entry> = lock(&st.reviews).iter().cloned().collect();
    book(
        &st,
        "Customer reviews",
        "/reviews.php",
        "text",
        &list,
        false,
    )
}

async fn reviews_post(State(st): State<Shared>, Form(f): Form<Params>) -> Html<String> {
    push_capped(
        &st.reviews,
        Entry {
            name: param(&f, "name", "anonymous"),
            text: param(&f, "text", ""),
        },
    );
    reviews(State(st)).await
}

/// Renders `src` as a template if `vulnerable`, else as data; output is HTML-escaped.
fn render(vulnerable: bool, src: &str) -> Result<String, String> {
    if vulnerable {
        template::render(src).map(|s| esc(&s))
    } else {
        Ok(esc(src))
    }
}

fn template_error(e: &str) -> Response {
    let body = format!(
        "<h1>Internal Server Error</h1><pre>Traceback (most recent call last):\n  File \"app/views.py\", line 42, in preview\n\
         jinja2.exceptions.{}</pre>",
        esc(e)
    );
    (StatusCode::INTERNAL_SERVER_ERROR, Html(body)).into_response()
}

async fn preview(State(st): State<Shared>, Query(q): Query<Params>) -> Response {
    let title = param(&q, "title", "Summer trip");
    match render(st.vulnerable("ssti-preview"), &title) {
        Ok(t) => page(
            &st,
            "Trip preview",
            &format!("<div class=\"card\"><h2>{t}</h2><p>Your trip page will look like this.</p></div>{}", name_form("/preview.php", "title", "Summer trip")),
        )
        .into_response(),
        Err(e) => template_error(&e),
    }
}

async fn invite_form(State(st): State<Shared>) -> Html<String> {
    page(
        &st,
        "Invite a friend",
        "<form method=\"post\" action=\"/invite.php\"><p>Friend's email <input type=\"email\" name=\"to\" value=\"friend@example.com\"></p>\
         <p>Message <textarea name=\"message\">Join me at Acme Outdoor!</textarea></p><input type=\"submit\" value=\"Preview\"></form>",
    )
}

async fn invite(State(st): State<Shared>, Form(f): Form<Params>) -> Response {
    let msg = param(&f, "message", "");
    match render(st.vulnerable("ssti-invite"), &msg) {
        Ok(m) => page(
            &st,
            "Invitation preview",
            &format!(
                "<p>To: {}</p><blockquote>{m}</blockquote>",
                esc(&param(&f, "to", ""))
            ),
        )
        .into_response(),
        Err(e) => template_error(&e),
    }
}

async fn card(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let name = param(&q, "name", "Friend");
    page(
        &st,
        "Greeting card",
        &format!(
            "<div class=\"card\"><h2>Happy trails, {}!</h2></div>{}",
            esc(&name),
            name_form("/card.php", "name", "Friend")
        ),
    )
}
