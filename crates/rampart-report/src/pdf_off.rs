//! PDF without the `pdf` feature: refused with an explanation.

use crate::document::DocumentInput;
use crate::ReportError;

pub(crate) fn render_document(_d: &DocumentInput) -> Result<Vec<u8>, ReportError> {
    Err(ReportError::Pdf(
        "this build of rampart-report has no PDF renderer (feature `pdf`)".into(),
    ))
}
