//! PDF: a report document typeset in-process (placeholder until the Typst renderer lands).

use crate::document::DocumentInput;
use crate::ReportError;

pub(crate) fn render_document(_d: &DocumentInput) -> Result<Vec<u8>, ReportError> {
    Err(ReportError::Pdf("the PDF renderer is not built yet".into()))
}
