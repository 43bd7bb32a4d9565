//! A help centre whose pages are all `help.php?topic=NAME` (one parameter selects structurally
//! different pages, as many sites do), more of them than a crawler's per-pattern budget; only
//! the last topic has a form, reflecting its input. The manual is the safe twin.

use super::{param, Params};
use crate::html::{esc, page};
use crate::state::Shared;
use axum::extract::{Query, State};
use axum::response::Html;
use axum::routing::get;
use axum::Router;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/help.php", get(help))
        .route("/manual.php", get(manual))
}

/// The topics, in link order; the form is on the last one.
const TOPICS: &[&str] = &[
    "start",
    "account",
    "orders",
    "payment",
    "delivery",
    "returns",
    "refunds",
    "sizes",
    "care",
    "warranty",
    "repairs",
    "gift-cards",
    "vouchers",
    "loyalty",
    "stores",
    "events",
    "rentals",
    "trade",
    "press",
    "jobs",
    "privacy",
    "cookies",
    "terms",
    "contact",
];

/// One topic: the list of topics, then its own layout (a number of tables that grows with its
/// position), and on the last topic a form whose `name` is shown back.
fn topic_page(
    st: &Shared,
    script: &str,
    field: &str,
    q: &Params,
    vulnerable: bool,
) -> Html<String> {
    let topic = param(q, field, "start");
    let pos = TOPICS.iter().position(|t| *t == topic).unwrap_or(0);
    let mut b = String::from("<ul>");
    for t in TOPICS {
        b.push_str(&format!(
            "<li><a href=\"/{script}?{field}={t}\">{t}</a></li>"
        ));
    }
    b.push_str("</ul>");
    for n in 0..=pos {
        b.push_str("<table>");
        for r in 0..8 {
            b.push_str(&format!(
                "<tr><td>{} {n}.{r}</td><td>see above</td></tr>",
                esc(&topic)
            ));
        }
        b.push_str("</table>");
    }
    if pos == TOPICS.len() - 1 {
        let name = param(q, "name", "");
        let shown = if vulnerable { name } else { esc(&name) };
        b.push_str(&format!(
            "<form method=\"get\" action=\"/{script}\"><input type=\"hidden\" name=\"{field}\" value=\"contact\">\
             <input type=\"text\" name=\"name\" value=\"\"><input type=\"submit\" value=\"Call me back\"></form>\
             <p>We will call back {shown}.</p>"
        ));
    }
    page(st, &format!("Help: {}", esc(&topic)), &b)
}

async fn help(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let vulnerable = st.vulnerable("xss-page-selected");
    topic_page(&st, "help.php", "topic", &q, vulnerable)
}

async fn manual(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    topic_page(&st, "manual.php", "chapter", &q, false)
}
