//! The dashboard's trend: new and fixed vulnerabilities per recent completed scan, as a
//! table (the data) and small bars drawn in SVG beside each number (decoration only).

use crate::pages::dashboard::{short, when};
use crate::session::Caller;
use crate::Console;
use maud::{html, Markup};
use rampart_domain::*;

/// Completed scans the trend shows.
const SCANS: u64 = 8;
/// Width of the longest bar, in SVG units.
const BAR: u64 = 120;

fn bar(n: u64, max: u64, class: &str) -> Markup {
    let w = if max == 0 { 0 } else { (n * BAR).div_ceil(max) };
    html! {
        svg class={"bar " (class)} width=(BAR) height="10" viewBox={"0 0 " (BAR) " 10"} aria-hidden="true" focusable="false" {
            rect x="0" y="0" width=(w) height="10" rx="2" {}
        }
    }
}

/// The trend card, or nothing when the caller may not read scans and vulnerabilities.
pub async fn card(s: &Console, caller: &Caller) -> Markup {
    let p = &caller.0.principal;
    if !(caller.can(Resource::Scans, Action::Read)
        && caller.can(Resource::Vulnerabilities, Action::Read))
    {
        return html! {};
    }
    let trend = match s.service.scan_trend(p, SCANS).await {
        Ok(t) => t,
        Err(e) => {
            tracing::warn!(error = %e, "console: the scan trend failed");
            return html! {};
        }
    };
    let max = trend.iter().map(|t| t.new.max(t.fixed)).max().unwrap_or(0);
    html! {
        section.card.wide aria-labelledby="trend" {
            h2 id="trend" { "New and fixed per scan" }
            @if trend.is_empty() {
                p { "No completed scan yet." }
            } @else {
                table.trend {
                    caption.sr { "The last completed scans, newest first: vulnerabilities new since the previous scan of the same config, and those it no longer found" }
                    thead { tr {
                        th scope="col" { "Scan" }
                        th scope="col" { "Completed" }
                        th scope="col" class="num" { "New" }
                        th scope="col" class="num" { "Fixed" }
                    } }
                    tbody {
                        @for t in &trend {
                            tr {
                                th scope="row" {
                                    a href={"/console/scans/" (t.scan.id)} { code { (short(&t.scan.id.to_string())) } }
                                    @if let Some(prev) = t.previous {
                                        " " a.muted href={"/console/compare?a=" (prev) "&b=" (t.scan.id)} { "compare" }
                                    } @else {
                                        " " span.muted { "(first)" }
                                    }
                                }
                                td { (t.scan.completion_time.map(when).unwrap_or_default()) }
                                td.num { (t.new) " " (bar(t.new, max, "bar-new")) }
                                td.num { (t.fixed) " " (bar(t.fixed, max, "bar-fixed")) }
                            }
                        }
                    }
                }
            }
        }
    }
}
