//! Edit forms: the service's validation errors shown next to the fields they name (the
//! service's rules, the API's: the console has no second validation path).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use rampart_service::ServiceError;

/// A refused write the form can show: the message and the problems by field.
#[derive(Clone, Debug, Default)]
pub struct Inline {
    pub message: String,
    /// (context, explanation), the service's `Problem`s.
    pub problems: Vec<(String, String)>,
}

impl Inline {
    /// Validation problems and conflicts are shown on the form; anything else is given
    /// back, for the error page of [`crate::error::service_error`].
    pub fn from(e: ServiceError) -> Result<Inline, ServiceError> {
        match e {
            ServiceError::Validation { message, problems } => Ok(Inline {
                message,
                problems: problems
                    .into_iter()
                    .map(|p| (p.context, p.explanation))
                    .collect(),
            }),
            ServiceError::Conflict(m) => Ok(Inline {
                message: m,
                problems: Vec::new(),
            }),
            other => Err(other),
        }
    }

    /// What the service said about the field `context` (its own path or below it).
    pub fn about(&self, context: &str) -> Option<String> {
        let said: Vec<&str> = self
            .problems
            .iter()
            .filter(|(c, _)| under(c, context))
            .map(|(_, e)| e.as_str())
            .collect();
        (!said.is_empty()).then(|| said.join("; "))
    }

    /// The form's summary: the message, and the problems no field shows.
    pub fn summary(&self, shown: &[&str]) -> Markup {
        let rest: Vec<&(String, String)> = self
            .problems
            .iter()
            .filter(|(c, _)| !shown.iter().any(|s| under(c, s)))
            .collect();
        html! {
            div.notice role="alert" id="form-error" {
                p { (self.message) }
                @if !rest.is_empty() {
                    ul { @for (c, e) in rest { li { code { (c) } " " (e) } } }
                }
            }
        }
    }
}

/// `context` is `field` or a path below it (`field.x`, `field[0]`).
fn under(context: &str, field: &str) -> bool {
    context
        .strip_prefix(field)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('.') || rest.starts_with('['))
}

/// A page re-shown with the refused values and the problems (422).
pub fn refused(page: Markup) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}

/// A labelled text input; the service's problem for `context` under it, tied to it with
/// `aria-describedby` and `aria-invalid`.
pub fn text_field(
    id: &str,
    label: &str,
    value: &str,
    inline: Option<&Inline>,
    context: &str,
    required: bool,
) -> Markup {
    let problem = inline.and_then(|i| i.about(context));
    let err_id = format!("{id}-error");
    html! {
        div.field {
            label for=(id) { (label) }
            input id=(id) name=(id) type="text" value=(value) required[required]
                aria-invalid=[problem.as_ref().map(|_| "true")]
                aria-describedby=[problem.as_ref().map(|_| err_id.as_str())];
            @if let Some(p) = &problem { p.field-error id=(err_id) { (p) } }
        }
    }
}

/// A labelled textarea, like [`text_field`].
pub fn text_area(
    id: &str,
    label: &str,
    hint: Option<&str>,
    value: &str,
    inline: Option<&Inline>,
    context: &str,
) -> Markup {
    let problem = inline.and_then(|i| i.about(context));
    let err_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described: Vec<&str> = [
        hint.map(|_| hint_id.as_str()),
        problem.as_ref().map(|_| err_id.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    html! {
        div.field {
            label for=(id) { (label) }
            @if let Some(h) = hint { p.hint id=(hint_id) { (h) } }
            textarea id=(id) name=(id) rows="3"
                aria-invalid=[problem.as_ref().map(|_| "true")]
                aria-describedby=[(!described.is_empty()).then(|| described.join(" "))] { (value) }
            @if let Some(p) = &problem { p.field-error id=(err_id) { (p) } }
        }
    }
}

/// A notice after a successful write (`?saved=1`).
pub fn saved(yes: bool, what: &str) -> Markup {
    html! { @if yes { p.saved role="status" { (what) } } }
}
