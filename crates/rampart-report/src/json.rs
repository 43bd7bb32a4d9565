//! JSON: the documented `rampart.scan-report/1` layout (docs/scan-report.md).

use crate::model::{LogLine, ReportModel, Tool, REPORT_SCHEMA};
use crate::ReportError;
use rampart_engine::Summary;
use serde::Serialize;

#[derive(Serialize)]
struct Doc<'a> {
    schema: &'static str,
    tool: &'a Tool,
    target: &'a str,
    template: &'a str,
    started_at: String,
    finished_at: String,
    #[serde(flatten)]
    summary: &'a Summary,
    log: &'a [LogLine],
}

pub(crate) fn render(m: &ReportModel) -> Result<String, ReportError> {
    let doc = Doc {
        schema: REPORT_SCHEMA,
        tool: &m.tool,
        target: &m.target,
        template: &m.template,
        started_at: ReportModel::rfc3339(&m.started_at),
        finished_at: ReportModel::rfc3339(&m.finished_at),
        summary: &m.summary,
        log: &m.log,
    };
    Ok(serde_json::to_string_pretty(&doc)?)
}
