//! The page shell: head, skip link, navigation, the signed-in caller and sign-out.

use crate::session::Caller;
use maud::{html, Markup, DOCTYPE};

fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            meta name="color-scheme" content="light dark";
            title { (title) " · rampart" }
            link rel="stylesheet" href="/console/assets/console.css";
            script src="/console/assets/console.js" defer {}
        }
    }
}

/// A hidden input carrying the session's CSRF token (every form that changes something).
pub fn csrf(caller: &Caller) -> Markup {
    html! { input type="hidden" name="csrf" value=(caller.0.csrf); }
}

/// A page of the signed-in console; `current` names the navigation entry to mark.
pub fn page(title: &str, caller: &Caller, current: &str, body: Markup) -> Markup {
    let p = &caller.0.principal;
    use rampart_domain::{Action, Resource};
    // Keys and engines only for the roles that may read them.
    let shown = |key: &str| match key {
        "keys" => p.can(Resource::Identity, Action::Manage),
        "engines" => p.can(Resource::Engines, Action::Read),
        _ => true,
    };
    let nav = [
        ("dashboard", "/console", "Dashboard"),
        (
            "vulnerabilities",
            "/console/vulnerabilities",
            "Vulnerabilities",
        ),
        ("scans", "/console/scans", "Scans"),
        ("apps", "/console/apps", "Apps"),
        ("targets", "/console/targets", "Targets"),
        ("scan-configs", "/console/scan-configs", "Scan configs"),
        ("keys", "/console/api-keys", "Keys"),
        ("engines", "/console/engines", "Engines"),
    ];
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    a.brand href="/console" { "rampart" }
                    nav aria-label="Main" {
                        ul {
                            @for (key, href, label) in nav.into_iter().filter(|(k, _, _)| shown(k)) {
                                li {
                                    @if key == current {
                                        a href=(href) aria-current="page" { (label) }
                                    } @else {
                                        a href=(href) { (label) }
                                    }
                                }
                            }
                        }
                    }
                    div.who {
                        span { (caller.0.display) " · " (caller.0.principal.role.as_str()) }
                        form method="post" action="/console/sign-out" {
                            (csrf(caller))
                            button type="submit" { "Sign out" }
                        }
                    }
                }
                main id="main" tabindex="-1" {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

/// The previous/next links of a paged list (`index` of `pages`, from 0); `href(i)` is the
/// address of page `i`.
pub fn pager(index: u64, pages: u64, href: impl Fn(u64) -> String) -> Markup {
    html! {
        nav.pager aria-label="Pages" {
            @if index > 0 { a href=(href(index - 1)) rel="prev" { "← Previous" } }
            @if index + 1 < pages { a href=(href(index + 1)) rel="next" { "Next →" } }
        }
    }
}

/// A page without navigation (sign-in, errors).
pub fn bare(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title))
            body {
                a.skip href="#main" { "Skip to content" }
                header.top { a.brand href="/console" { "rampart" } }
                main id="main" tabindex="-1" class="narrow" {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}
