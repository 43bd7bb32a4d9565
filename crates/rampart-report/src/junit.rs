//! JUnit XML: one failing test case per finding (a passing one when there are none).

use crate::model::ReportModel;
use crate::ReportError;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

fn xml_err(e: impl std::fmt::Display) -> ReportError {
    ReportError::Xml(e.to_string())
}

pub(crate) fn render(m: &ReportModel) -> Result<String, ReportError> {
    let findings = m.sorted_findings();
    let n = findings.len();
    let tests = n.max(1).to_string();
    let failures = n.to_string();
    let time = format!("{:.3}", m.summary.duration_ms as f64 / 1000.0);
    let timestamp = ReportModel::rfc3339(&m.started_at);
    let suite_name = format!("rampart scan {}", m.target);
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .map_err(xml_err)?;
    let mut suites = BytesStart::new("testsuites");
    suites.push_attribute(("name", "rampart"));
    suites.push_attribute(("tests", tests.as_str()));
    suites.push_attribute(("failures", failures.as_str()));
    suites.push_attribute(("time", time.as_str()));
    w.write_event(Event::Start(suites)).map_err(xml_err)?;
    let mut suite = BytesStart::new("testsuite");
    suite.push_attribute(("name", suite_name.as_str()));
    suite.push_attribute(("tests", tests.as_str()));
    suite.push_attribute(("failures", failures.as_str()));
    suite.push_attribute(("errors", "0"));
    suite.push_attribute(("skipped", "0"));
    suite.push_attribute(("time", time.as_str()));
    suite.push_attribute(("timestamp", timestamp.as_str()));
    w.write_event(Event::Start(suite)).map_err(xml_err)?;
    if findings.is_empty() {
        let mut tc = BytesStart::new("testcase");
        tc.push_attribute(("classname", "rampart"));
        tc.push_attribute(("name", "no findings"));
        tc.push_attribute(("time", "0"));
        w.write_event(Event::Empty(tc)).map_err(xml_err)?;
    }
    for f in findings {
        let mut name = format!("{} {} {}", f.name, f.root_cause_method, f.root_cause_url);
        if !f.root_cause_parameter.is_empty() {
            name.push_str(&format!(" [{}]", f.root_cause_parameter));
        }
        let classname = format!("rampart.{}", f.module_key);
        let mut tc = BytesStart::new("testcase");
        tc.push_attribute(("classname", classname.as_str()));
        tc.push_attribute(("name", name.as_str()));
        tc.push_attribute(("time", "0"));
        w.write_event(Event::Start(tc)).map_err(xml_err)?;
        let message = format!("{} {} (CWE-{})", f.severity, f.name, f.cwe);
        let mut failure = BytesStart::new("failure");
        failure.push_attribute(("message", message.as_str()));
        failure.push_attribute(("type", f.severity.as_str()));
        w.write_event(Event::Start(failure)).map_err(xml_err)?;
        let mut body = format!(
            "severity: {}\nmodule: {}\nurl: {}\nmethod: {}\nparameter: {}\ncwe: {}\n",
            f.severity,
            f.module_key,
            f.root_cause_url,
            f.root_cause_method,
            f.root_cause_parameter,
            f.cwe
        );
        for v in &f.variances {
            body.push_str(&format!(
                "\n{} {}\n  value: {}\n  proof: {}\n",
                v.attack_id, v.url, v.attack_value, v.proof
            ));
        }
        w.write_event(Event::Text(BytesText::new(&body)))
            .map_err(xml_err)?;
        w.write_event(Event::End(BytesEnd::new("failure")))
            .map_err(xml_err)?;
        w.write_event(Event::End(BytesEnd::new("testcase")))
            .map_err(xml_err)?;
    }
    w.write_event(Event::End(BytesEnd::new("testsuite")))
        .map_err(xml_err)?;
    w.write_event(Event::End(BytesEnd::new("testsuites")))
        .map_err(xml_err)?;
    let mut out = String::from_utf8(w.into_inner()).map_err(xml_err)?;
    out.push('\n');
    Ok(out)
}
