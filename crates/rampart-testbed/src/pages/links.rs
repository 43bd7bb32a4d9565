//! The partner-links area: reflections in less common contexts (javascript: URLs, script
//! comments, tag and attribute names, error-only echoes, filtered input, untyped responses)
//! and their safe twins.

use super::{param, Params};
use crate::html::{esc, page};
use crate::state::{lock, push_capped, Entry, Shared};
use axum::body::Body;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/links/", get(index))
        .route("/links/visit.php", get(visit))
        .route("/links/go.php", get(go))
        .route("/links/embed.php", get(embed))
        .route("/links/track.php", get(track))
        .route("/links/promo.php", get(promo))
        .route("/links/banner.php", get(banner))
        .route("/links/heading.php", get(heading))
        .route("/links/title.php", get(title))
        .route("/links/widget.php", get(widget))
        .route("/links/signup.php", get(signup))
        .route("/links/register.php", get(register))
        .route("/links/motto.php", get(motto))
        .route("/links/quote.php", get(quote))
        .route("/links/echo", get(echo))
        .route("/links/echo-typed", get(echo_typed))
        .route("/links/card.php", get(card))
        .route("/links/cards.php", get(cards))
        .route("/links/wish.php", get(wish_form).post(wish))
        .route("/links/wall.php", get(wall))
        .route("/links/note.php", get(note_form).post(note))
        .route("/links/board.php", get(board))
        .route("/links/player.php", get(player))
        .route("/links/player-safe.php", get(player_safe))
}

async fn index(State(st): State<Shared>) -> Html<String> {
    page(
        &st,
        "Partner links",
        "<ul><li><a href=\"/links/visit.php?site=https://www.example.com/\">Visit a partner</a> &middot; \
         <a href=\"/links/go.php?site=https://www.example.com/\">Go to a partner</a> &middot; \
         <a href=\"/links/embed.php?cdn=https://cdn.example.com/w.js\">Embedded widget</a></li>\
         <li><a href=\"/links/track.php?campaign=spring\">Spring campaign</a> &middot; \
         <a href=\"/links/promo.php?code=SPRING\">Promotion</a> &middot; \
         <a href=\"/links/banner.php?name=spring\">Banner</a></li>\
         <li><a href=\"/links/heading.php?level=h2\">Deals</a> &middot; \
         <a href=\"/links/title.php?level=h2\">Offers</a> &middot; \
         <a href=\"/links/widget.php?flag=compact\">Weather widget</a></li>\
         <li><a href=\"/links/signup.php?username=hiker\">Check a user name</a> &middot; \
         <a href=\"/links/register.php?username=hiker\">Register</a></li>\
         <li><a href=\"/links/motto.php?motto=Leave+no+trace\">Motto of the day</a> &middot; \
         <a href=\"/links/quote.php?text=Onwards\">Quote of the day</a></li>\
         <li><a href=\"/links/echo?msg=hello\">Echo service</a> &middot; \
         <a href=\"/links/echo-typed?msg=hello\">Typed echo service</a></li>\
         <li><a href=\"/links/card.php?greeting=Happy+birthday\">Greeting card</a> &middot; \
         <a href=\"/links/cards.php?greeting=Happy+birthday\">Card gallery</a></li>\
         <li><a href=\"/links/wish.php\">Leave a wish</a> &middot; <a href=\"/links/wall.php\">Birthday wall</a> &middot; \
         <a href=\"/links/note.php\">Pin a note</a> &middot; <a href=\"/links/board.php\">Notice board</a></li>\
         <li><a href=\"/links/player.php?clip=intro\">Video player</a> &middot; \
         <a href=\"/links/player-safe.php?clip=intro\">Video player (new)</a></li></ul>",
    )
}

/// The partner link, HTML-escaped but any scheme allowed.
async fn visit(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let site = param(&q, "site", "https://www.example.com/");
    let href = if st.vulnerable("xss-js-url") {
        esc(&site)
    } else {
        esc(&web_only(&site))
    };
    page(
        &st,
        "Partner",
        &format!("<p><a href=\"{href}\">Visit the partner site</a></p>"),
    )
}

fn web_only(u: &str) -> String {
    let l = u.trim().to_ascii_lowercase();
    if l.starts_with("http://") || l.starts_with("https://") || l.starts_with('/') {
        u.to_owned()
    } else {
        "#".into()
    }
}

async fn go(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let site = param(&q, "site", "https://www.example.com/");
    let href = esc(&web_only(&site));
    page(
        &st,
        "Partner",
        &format!("<p><a href=\"{href}\">Go to the partner site</a></p>"),
    )
}

/// The widget's script URL: a `javascript:` URL here never runs.
async fn embed(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let cdn = param(&q, "cdn", "https://cdn.example.com/w.js");
    page(
        &st,
        "Widget",
        &format!(
            "<div id=\"w\"></div><script src=\"{}\"></script>",
            esc(&cdn)
        ),
    )
}

fn no_tags(s: &str) -> String {
    s.replace(['<', '>'], "")
}

/// The campaign in a `//` comment; only angle brackets removed.
async fn track(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let c = param(&q, "campaign", "spring");
    let c = if st.vulnerable("xss-js-line-comment") {
        no_tags(&c)
    } else {
        comment_safe(&c)
    };
    page(
        &st,
        "Campaign",
        &format!(
            "<script>// campaign: {c}\nvar tracked = true;</script><p>Thanks for visiting.</p>"
        ),
    )
}

/// The code in a `/* */` comment; only angle brackets removed.
async fn promo(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let c = param(&q, "code", "SPRING");
    let c = if st.vulnerable("xss-js-block-comment") {
        no_tags(&c)
    } else {
        comment_safe(&c)
    };
    page(
        &st,
        "Promotion",
        &format!("<script>/* promo {c} */ var promo = true;</script><p>10% off this week.</p>"),
    )
}

/// Removes what could end a script comment or the script itself.
fn comment_safe(s: &str) -> String {
    s.chars()
        .filter(|c| {
            !matches!(
                c,
                '<' | '>' | '*' | '/' | '\n' | '\r' | '\u{2028}' | '\u{2029}'
            )
        })
        .collect()
}

async fn banner(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let n = comment_safe(&param(&q, "name", "spring"));
    page(
        &st,
        "Banner",
        &format!(
            "<script>/* banner {n} */\n// shown: {n}\nvar banner = 1;</script><p>Banner shown.</p>"
        ),
    )
}

/// The heading level becomes the tag name.
async fn heading(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let level = param(&q, "level", "h2");
    let tag = if st.vulnerable("xss-tag-name") {
        esc(&level)
    } else {
        allowed_heading(&level)
    };
    page(&st, "Deals", &format!("<{tag}>This week's deals</{tag}>"))
}

fn allowed_heading(level: &str) -> String {
    match level {
        "h1" | "h2" | "h3" | "h4" => level.to_owned(),
        _ => "h2".into(),
    }
}

async fn title(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let tag = allowed_heading(&param(&q, "level", "h2"));
    page(&st, "Offers", &format!("<{tag}>Offers</{tag}>"))
}

/// The display flag becomes an attribute name.
async fn widget(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let flag = param(&q, "flag", "compact");
    let attr = if st.vulnerable("xss-attr-name") {
        esc(&flag)
    } else {
        format!("data-mode=\"{}\"", esc(&flag))
    };
    page(
        &st,
        "Weather",
        &format!("<div class=\"widget\" {attr}>Sunny, 21 C</div>"),
    )
}

fn has_special(s: &str) -> bool {
    s.contains(['\'', '"', '<', '>', '\\'])
}

/// The user name is echoed only in the error shown when it holds a quote or a bracket.
async fn signup(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let u = param(&q, "username", "hiker");
    let msg = if !has_special(&u) {
        "<p>That user name is available.</p>".to_owned()
    } else if st.vulnerable("xss-quote-only") {
        format!("<p class=\"error\">Invalid characters in {u}</p>")
    } else {
        format!("<p class=\"error\">Invalid characters in {}</p>", esc(&u))
    };
    page(&st, "Check a user name", &msg)
}

async fn register(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let u = param(&q, "username", "hiker");
    let msg = if has_special(&u) {
        format!("<p class=\"error\">Invalid characters in {}</p>", esc(&u))
    } else {
        "<p>Welcome aboard.</p>".to_owned()
    };
    page(&st, "Register", &msg)
}

/// The motto with spaces, parentheses and the first `script` removed (a home-made filter).
async fn motto(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let m = param(&q, "motto", "Leave no trace");
    let shown = if st.vulnerable("xss-filtered") {
        m.replace([' ', '(', ')'], "").replacen("script", "", 1)
    } else {
        esc(&m)
    };
    page(
        &st,
        "Motto of the day",
        &format!("<blockquote>{shown}</blockquote>"),
    )
}

/// The strict filter: angle brackets removed entirely.
async fn quote(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let t = no_tags(&param(&q, "text", "Onwards")).replace(['"', '\''], "");
    page(
        &st,
        "Quote of the day",
        &format!("<blockquote>{t}</blockquote>"),
    )
}

/// The message echoed with no content type: browsers sniff it.
async fn echo(State(st): State<Shared>, Query(q): Query<Params>) -> Response {
    let m = param(&q, "msg", "hello");
    if st.vulnerable("xss-sniffed") {
        Response::new(Body::from(m))
    } else {
        typed(m)
    }
}

fn typed(m: String) -> Response {
    (
        [
            (http::header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (http::header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        m,
    )
        .into_response()
}

async fn echo_typed(Query(q): Query<Params>) -> Response {
    typed(param(&q, "msg", "hello"))
}

/// The greeting as the card's markup: closing tags removed "so a greeting cannot break the
/// card", otherwise raw, inside a `<template>`.
fn card_template(greeting: &str) -> String {
    format!(
        "<template id=\"card\"><div class=\"card\"><h2>{}</h2><p>From all of us.</p></div></template>",
        greeting.replace("</", "")
    )
}

/// The card template stamped into the page by its script: what it holds runs.
async fn card(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let g = param(&q, "greeting", "Happy birthday");
    let stamp = if st.vulnerable("xss-template") {
        "<script data-template=\"stamped\">document.getElementById('slot').appendChild(document.getElementById('card').content.cloneNode(true));</script>"
    } else {
        "<script>document.getElementById('slot').textContent = document.getElementById('card').content.textContent;</script>"
    };
    page(
        &st,
        "Greeting card",
        &format!("{}<div id=\"slot\"></div>{stamp}", card_template(&g)),
    )
}

/// The same template, which nothing stamps any more (the preview moved to the server): the
/// greeting stays inert.
async fn cards(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let g = param(&q, "greeting", "Happy birthday");
    page(
        &st,
        "Card gallery",
        &format!(
            "{}<p>Pick a card from the gallery.</p><script>var cards = document.querySelectorAll('template').length;</script>",
            card_template(&g)
        ),
    )
}

/// A one-field form posting to `action`.
fn post_form(action: &str, field: &str, label: &str, value: &str) -> String {
    format!(
        "<form method=\"post\" action=\"{action}\"><p>{label} <textarea name=\"{field}\">{value}</textarea></p>\
         <input type=\"submit\" value=\"Post\"></form>"
    )
}

async fn wish_form(State(st): State<Shared>) -> Html<String> {
    page(
        &st,
        "Leave a wish",
        &post_form("/links/wish.php", "wish", "Your wish", "Happy birthday!"),
    )
}

/// Stores the wish; it is shown on the wall, not here.
async fn wish(State(st): State<Shared>, Form(f): Form<Params>) -> Html<String> {
    push_capped(
        &st.wishes,
        Entry {
            name: String::new(),
            text: param(&f, "wish", ""),
        },
    );
    page(
        &st,
        "Thank you",
        "<p>Your wish is on the <a href=\"/links/wall.php\">birthday wall</a>.</p>",
    )
}

/// The wishes HTML-escaped, and the newest one as the featured wish: raw (closing tags
/// removed "so a wish cannot break the wall") in a `<template>` that the page's script
/// stamps into the page, so what it holds runs.
async fn wall(State(st): State<Shared>) -> Html<String> {
    let wishes: Vec<Entry> = lock(&st.wishes).iter().cloned().collect();
    let stamp = if st.vulnerable("xss-stored-template") {
        "<script data-template=\"stamped\">document.getElementById('featured').appendChild(document.getElementById('newest').content.cloneNode(true));</script>"
    } else {
        "<script>document.getElementById('featured').textContent = document.getElementById('newest').content.textContent;</script>"
    };
    page(
        &st,
        "Birthday wall",
        &format!(
            "{}<div id=\"featured\"></div>{stamp}",
            board_markup("wish", &wishes)
        ),
    )
}

/// Every entry HTML-escaped, and the newest raw (closing tags removed) in a `<template>`.
fn board_markup(class: &str, entries: &[Entry]) -> String {
    let list: String = entries
        .iter()
        .map(|e| format!("<li>{}</li>", esc(&e.text)))
        .collect();
    let newest = entries
        .last()
        .map(|e| e.text.replace("</", ""))
        .unwrap_or_default();
    format!("<ul>{list}</ul><template id=\"newest\"><p class=\"{class}\">{newest}</p></template>")
}

async fn note_form(State(st): State<Shared>) -> Html<String> {
    page(
        &st,
        "Pin a note",
        &post_form(
            "/links/note.php",
            "note",
            "Your note",
            "Lost: blue water bottle",
        ),
    )
}

async fn note(State(st): State<Shared>, Form(f): Form<Params>) -> Html<String> {
    push_capped(
        &st.notes,
        Entry {
            name: String::new(),
            text: param(&f, "note", ""),
        },
    );
    page(
        &st,
        "Thank you",
        "<p>Your note is on the <a href=\"/links/board.php\">notice board</a>.</p>",
    )
}

/// The notes HTML-escaped by the server; the client-side template the board used before
/// still holds the newest note raw, and nothing stamps it any more (it stays inert).
async fn board(State(st): State<Shared>) -> Html<String> {
    let notes: Vec<Entry> = lock(&st.notes).iter().cloned().collect();
    page(
        &st,
        "Notice board",
        &format!(
            "{}<script>var pinned = document.querySelectorAll('template').length;</script>",
            board_markup("note", &notes)
        ),
    )
}

fn player_markup(clip: &str) -> String {
    format!(
        "<object data=\"/media/player.swf\" type=\"application/x-shockwave-flash\" width=\"320\" height=\"180\">\
         <param name=\"movie\" value=\"/media/player.swf\"><param name=\"flashvars\" value=\"clip={clip}\">\
         <p>Your browser cannot play this clip.</p></object>"
    )
}

/// The clip name written raw into a `<param value>` of the player's `<object>`.
async fn player(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let c = param(&q, "clip", "intro");
    let clip = if st.vulnerable("xss-param-value") {
        c
    } else {
        esc(&c)
    };
    page(&st, "Video player", &player_markup(&clip))
}

async fn player_safe(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let c = param(&q, "clip", "intro");
    page(&st, "Video player", &player_markup(&esc(&c)))
}
