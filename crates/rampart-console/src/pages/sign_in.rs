//! Sign-in (password or API key), the first-run flow and sign-out.
//!
//! The sign-in forms carry a one-time token that must equal a cookie set with the form
//! (double submit: there is no session yet to hold it). A sign-in always opens a new
//! session and ends the one the browser sent, so a planted cookie is never promoted.

use crate::error::{redirect, service_error};
use crate::form::Fields;
use crate::layout;
use crate::session::{cookie, same_token, set_cookie, Caller, PRE_COOKIE, SESSION_COOKIE};
use crate::Console;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::html;
use rampart_service::{random_token, NewConsoleSession, ServiceError, ServiceResult};

pub async fn form(State(s): State<Console>) -> Response {
    render(&s, StatusCode::OK, None).await
}

async fn render(s: &Console, status: StatusCode, error: Option<&str>) -> Response {
    let first_run = match s.service.console_first_run_open().await {
        Ok(v) => v,
        Err(e) => return service_error(e),
    };
    let pre = random_token();
    let body = html! {
        @if let Some(e) = error {
            p.notice role="alert" id="sign-in-error" { (e) }
        }
        @if first_run {
            section aria-labelledby="first-run" {
                h2 id="first-run" { "First run: create the administrator" }
                p { "No user exists yet. The first user becomes the organization's Product Admin." }
                form method="post" action="/console/first-run" {
                    input type="hidden" name="csrf" value=(pre);
                    label for="fr-email" { "Email" }
                    input id="fr-email" type="email" name="email" autocomplete="username" required;
                    label for="fr-password" { "Password (12 characters or more)" }
                    input id="fr-password" type="password" name="password" autocomplete="new-password" minlength="12" required;
                    label for="fr-password2" { "Password again" }
                    input id="fr-password2" type="password" name="password2" autocomplete="new-password" minlength="12" required;
                    button type="submit" { "Create and sign in" }
                }
            }
        } @else {
            section aria-labelledby="with-password" {
                h2 id="with-password" { "With your password" }
                form method="post" action="/console/sign-in" {
                    input type="hidden" name="csrf" value=(pre);
                    label for="email" { "Email" }
                    input id="email" type="email" name="email" autocomplete="username" required;
                    label for="password" { "Password" }
                    input id="password" type="password" name="password" autocomplete="current-password" required;
                    button type="submit" { "Sign in" }
                }
            }
        }
        section aria-labelledby="with-key" {
            h2 id="with-key" { "With an API key" }
            form method="post" action="/console/sign-in/key" {
                input type="hidden" name="csrf" value=(pre);
                label for="key" { "API key" }
                input id="key" type="password" name="key" autocomplete="off" required;
                button type="submit" { "Sign in with the key" }
            }
        }
    };
    let mut r = (status, layout::bare("Sign in", body)).into_response();
    r.headers_mut()
        .append(header::SET_COOKIE, set_cookie(s, PRE_COOKIE, Some(&pre)));
    r
}

/// The sign-in form's token matches its cookie.
fn pre_checked(headers: &HeaderMap, f: &Fields) -> bool {
    cookie(headers, PRE_COOKIE).is_some_and(|c| same_token(&c, f.text("csrf")))
}

async fn finish(
    s: &Console,
    headers: &HeaderMap,
    f: &Fields,
    outcome: impl std::future::Future<Output = ServiceResult<NewConsoleSession>>,
    refused: &str,
) -> Response {
    if !pre_checked(headers, f) {
        return render(
            s,
            StatusCode::FORBIDDEN,
            Some("The form expired or was not sent from this page: try again."),
        )
        .await;
    }
    match outcome.await {
        Ok(new) => {
            // The session the browser had (if any) ends: a new id at every sign-in.
            if let Some(old) = cookie(headers, SESSION_COOKIE) {
                if let Err(e) = s.service.console_sign_out(&old).await {
                    tracing::warn!(error = %e, "console: cannot end the previous session");
                }
            }
            let mut r = redirect("/console");
            let h = r.headers_mut();
            h.append(
                header::SET_COOKIE,
                set_cookie(s, SESSION_COOKIE, Some(&new.token)),
            );
            h.append(header::SET_COOKIE, set_cookie(s, PRE_COOKIE, None));
            r
        }
        Err(ServiceError::Unauthorized) => render(s, StatusCode::UNAUTHORIZED, Some(refused)).await,
        Err(ServiceError::Validation { problems, .. }) => {
            let text = problems
                .iter()
                .map(|p| format!("{}: {}", p.context, p.explanation))
                .collect::<Vec<_>>()
                .join("; ");
            render(s, StatusCode::UNPROCESSABLE_ENTITY, Some(&text)).await
        }
        Err(ServiceError::Conflict(m)) => render(s, StatusCode::CONFLICT, Some(&m)).await,
        Err(e) => service_error(e),
    }
}

pub async fn password(State(s): State<Console>, headers: HeaderMap, body: Bytes) -> Response {
    let f = Fields::parse(&body);
    let attempt = s
        .service
        .console_sign_in(f.text("email"), f.text("password"));
    finish(&s, &headers, &f, attempt, "Wrong email or password.").await
}

pub async fn key(State(s): State<Console>, headers: HeaderMap, body: Bytes) -> Response {
    let f = Fields::parse(&body);
    let attempt = s.service.console_sign_in_key(f.text("key"));
    finish(
        &s,
        &headers,
        &f,
        attempt,
        "This key is not valid (revoked, or mistyped).",
    )
    .await
}

pub async fn first_run(State(s): State<Console>, headers: HeaderMap, body: Bytes) -> Response {
    let f = Fields::parse(&body);
    if f.text("password") != f.text("password2") {
        return render(
            &s,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("The two passwords differ."),
        )
        .await;
    }
    let attempt = s
        .service
        .console_first_admin(f.text("email"), f.text("password"));
    finish(&s, &headers, &f, attempt, "Refused.").await
}

pub async fn sign_out(
    State(s): State<Console>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let f = Fields::parse(&body);
    if let Some(r) = caller.csrf_refusal(f.get("csrf")) {
        return r;
    }
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        if let Err(e) = s.service.console_sign_out(&token).await {
            return service_error(e);
        }
    }
    let mut r = redirect("/console/sign-in");
    r.headers_mut()
        .append(header::SET_COOKIE, set_cookie(&s, SESSION_COOKIE, None));
    r
}
