//! HTML: one self-contained page (inline CSS, SVG and one small inline filter script; no
//! external origin), template auto-escaped. Renders a scan's model (`rampart scan`,
//! `rampart report`) and a server report document through the same template and view.

use crate::document::DocumentInput;
use crate::model::ReportModel;
use crate::svg::{severity_chart, trend_chart};
use crate::view::{self, Detail, DocView};
use crate::ReportError;
use minijinja::{context, Environment, Value};

const TEMPLATE: &str = include_str!("../templates/report.html");

/// HTML keeps every finding and variance; request and response texts are capped.
const DETAIL: Detail = Detail {
    max_detailed: usize::MAX,
    exchange_cap: 16 * 1024,
    max_variances: usize::MAX,
};

fn page(v: &DocView) -> Result<String, ReportError> {
    let mut env = Environment::new();
    // The name ends in `.html`, so every `{{ }}` is HTML-escaped.
    env.add_template("report.html", TEMPLATE)?;
    // Charts are built from numbers, dates we format and fixed severity names only, so they
    // are safe to embed as-is.
    let charts: Vec<(Value, Option<Value>)> = v
        .sections
        .iter()
        .map(|s| {
            (
                Value::from_safe_string(severity_chart(&s.raw_counts)),
                s.trend
                    .as_ref()
                    .filter(|t| !t.history.is_empty())
                    .map(|t| Value::from_safe_string(trend_chart(&t.history))),
            )
        })
        .collect();
    let ctx = context! {
        doc => v,
        chart => Value::from_safe_string(severity_chart(&v.raw_counts)),
        charts => charts,
        multi => v.sections.len() > 1,
    };
    Ok(env.get_template("report.html")?.render(ctx)?)
}

pub(crate) fn render(m: &ReportModel) -> Result<String, ReportError> {
    page(&view::model(m, DETAIL)?)
}

/// The HTML page of a server report document.
pub(crate) fn render_document(d: &DocumentInput) -> Result<String, ReportError> {
    page(&view::document(d, DETAIL)?)
}
