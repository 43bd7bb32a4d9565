//! CycloneDX 1.4–1.6 XML, read as a stream of events (quick-xml): the same findings as the
//! JSON encoding ([`crate::cyclonedx::report`]) from the same model, the document never held
//! whole. The root must be `<bom>` in the namespace `http://cyclonedx.org/schema/bom/1.4`
//! (`1.5`, `1.6`); elements this importer does not use are skipped, and the values it uses
//! are checked against the schema's types (a `score` is a number, a `severity`, a VEX
//! `state` one of the schema's words, a component has a `name`, an `affects` target a `ref`),
//! as are a few more the XSD constrains: every `<component>`'s `type` attribute (required,
//! the version's `classification`), a rating's `<method>` (`scoreSourceType`) and a VEX
//! `<response>` (`impactAnalysisResponsesType`). This is not validation against the XSD:
//! no Rust crate validates XSD while streaming, and elements not read are not checked.
//! An error names its element as a path with 1-based sibling positions
//! (`/bom/vulnerabilities/vulnerability[2]/ratings/rating[1]/score`).

use crate::cyclonedx::{
    report, Affects, Analysis, Bom, BomFormat, Component, Metadata, NamedTool, Rating, SpecVersion,
    Tools, Vulnerability,
};
use crate::{IngestError, Report};
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;
use std::io::BufRead;

const NAMESPACES: [&str; 3] = [
    "http://cyclonedx.org/schema/bom/1.4",
    "http://cyclonedx.org/schema/bom/1.5",
    "http://cyclonedx.org/schema/bom/1.6",
];

const SEVERITIES: [&str; 7] = [
    "critical", "high", "medium", "low", "info", "none", "unknown",
];

/// `classification` of bom-1.4/1.5/1.6.SNAPSHOT.xsd (cyclonedx-python-lib 11.12.0, the
/// package the JSON schemas come from), each version adding to the one before.
const CLASSIFICATIONS: [&[&str]; 3] = [
    &[
        "application",
        "framework",
        "library",
        "container",
        "operating-system",
        "device",
        "firmware",
        "file",
    ],
    &[
        "application",
        "framework",
        "library",
        "container",
        "platform",
        "operating-system",
        "device",
        "device-driver",
        "firmware",
        "file",
        "machine-learning-model",
        "data",
    ],
    &[
        "application",
        "framework",
        "library",
        "container",
        "platform",
        "operating-system",
        "device",
        "device-driver",
        "firmware",
        "file",
        "machine-learning-model",
        "data",
        "cryptographic-asset",
    ],
];

/// `scoreSourceType` of the same XSDs (1.4 has no CVSSv4 nor SSVC).
const METHODS: [&[&str]; 3] = [
    &["CVSSv2", "CVSSv3", "CVSSv31", "OWASP", "other"],
    &[
        "CVSSv2", "CVSSv3", "CVSSv31", "CVSSv4", "OWASP", "SSVC", "other",
    ],
    &[
        "CVSSv2", "CVSSv3", "CVSSv31", "CVSSv4", "OWASP", "SSVC", "other",
    ],
];

/// `impactAnalysisResponsesType`, the same in the three.
const RESPONSES: [&str; 5] = [
    "can_not_fix",
    "will_not_fix",
    "update",
    "rollback",
    "workaround_available",
];

const STATES: [&str; 6] = [
    "resolved",
    "resolved_with_pedigree",
    "exploitable",
    "in_triage",
    "false_positive",
    "not_affected",
];

/// Parses a CycloneDX XML BOM.
pub fn parse<R: std::io::Read>(reader: R) -> Result<Report, IngestError> {
    let mut p = Parser::new(std::io::BufReader::with_capacity(64 * 1024, reader));
    p.run()?;
    Ok(report(Bom {
        _format: BomFormat,
        _spec: SpecVersion,
        metadata: Some(Metadata {
            tools: Some(Tools::Legacy(
                p.tools
                    .into_iter()
                    .map(|name| NamedTool { name: Some(name) })
                    .collect(),
            )),
        }),
        components: p.components,
        vulnerabilities: p.vulnerabilities,
    }))
}

/// One open element: its local name, its position among its siblings of that name, and
/// the count of its children by name (for theirs).
struct Open {
    name: String,
    position: usize,
    children: HashMap<String, usize>,
}

struct Parser<R> {
    xml: quick_xml::Reader<R>,
    stack: Vec<Open>,
    /// The index in [`NAMESPACES`] of the root's namespace.
    version: usize,
    text: String,
    line: usize,
    tools: Vec<String>,
    /// Components being read (nested ones above their parent), and those done (flat:
    /// the report resolves references from every level alike).
    open_components: Vec<Component>,
    components: Vec<Component>,
    vulnerability: Option<Vulnerability>,
    rating: Option<Rating>,
    vulnerabilities: Vec<Vulnerability>,
}

impl<R: BufRead> Parser<R> {
    fn new(reader: R) -> Self {
        let mut xml = quick_xml::Reader::from_reader(reader);
        xml.config_mut().trim_text(false);
        Self {
            xml,
            stack: Vec::new(),
            version: 0,
            text: String::new(),
            line: 1,
            tools: Vec::new(),
            open_components: Vec::new(),
            components: Vec::new(),
            vulnerability: None,
            rating: None,
            vulnerabilities: Vec::new(),
        }
    }

    /// The path of the open element (`/bom/components/component[3]`).
    fn path(&self) -> String {
        let mut out = String::new();
        for (i, o) in self.stack.iter().enumerate() {
            out.push('/');
            out.push_str(&o.name);
            // The root and single-occurrence containers read better without `[1]`.
            if i > 0 && (o.position > 1 || self.repeats(&o.name)) {
                out.push_str(&format!("[{}]", o.position));
            }
        }
        out
    }

    fn repeats(&self, name: &str) -> bool {
        matches!(
            name,
            "component" | "vulnerability" | "rating" | "cwe" | "target" | "tool" | "service"
        )
    }

    fn error(&self, message: impl Into<String>) -> IngestError {
        IngestError {
            pointer: self.path(),
            message: message.into(),
            line: self.line,
            column: 0,
            expected: None,
        }
    }

    /// `a/b/c` when the open elements end with those names.
    fn at(&self, suffix: &[&str]) -> bool {
        self.stack.len() >= suffix.len()
            && self.stack[self.stack.len() - suffix.len()..]
                .iter()
                .zip(suffix)
                .all(|(o, s)| o.name == *s)
    }

    fn run(&mut self) -> Result<(), IngestError> {
        let mut buf = Vec::new();
        let mut saw_root = false;
        loop {
            buf.clear();
            let event = self
                .xml
                .read_event_into(&mut buf)
                .map_err(|e| self.error(format!("not well-formed XML: {e}")))?;
            match event {
                Event::Start(e) => {
                    self.line += count_lines(&e);
                    self.open(&e, &mut saw_root)?;
                }
                Event::Empty(e) => {
                    self.line += count_lines(&e);
                    self.open(&e, &mut saw_root)?;
                    self.close()?;
                }
                Event::End(_) => self.close()?,
                Event::Text(t) => {
                    self.line += count_lines(&t);
                    self.text.push_str(&t.xml10_content());
                }
                // Since quick-xml 0.38 an entity or character reference in text is an event of
                // its own: the five predefined entities and `&#…;` are resolved; a document
                // cannot define others (a DTD is not read), so any other name is an error.
                Event::GeneralRef(r) => match r.resolve_char_ref() {
                    Ok(Some(c)) => self.text.push(c),
                    Ok(None) => match quick_xml::escape::resolve_predefined_entity(&r) {
                        Some(s) => self.text.push_str(s),
                        None => {
                            return Err(self.error(format!("bad text: unknown entity &{};", &*r)))
                        }
                    },
                    Err(e) => return Err(self.error(format!("bad text: {e}"))),
                },
                Event::CData(t) => {
                    self.line += count_lines(&t);
                    self.text.push_str(&t.xml10_content());
                }
                Event::Comment(t) => self.line += count_lines(&t),
                Event::Eof => break,
                _ => {}
            }
        }
        if !saw_root {
            return Err(IngestError::document(
                "not a CycloneDX XML document: no <bom> element",
            ));
        }
        Ok(())
    }

    fn open(&mut self, e: &BytesStart<'_>, saw_root: &mut bool) -> Result<(), IngestError> {
        let local = e.local_name();
        let name = String::from(local.as_ref());
        if self.stack.is_empty() {
            if *saw_root {
                return Err(self.error("more than one root element"));
            }
            if name != "bom" {
                return Err(IngestError::document(format!(
                    "the root element must be <bom>, not <{name}>"
                )));
            }
            let ns = attribute(e, "xmlns").unwrap_or_default();
            let Some(version) = NAMESPACES.iter().position(|n| *n == ns) else {
                return Err(IngestError::document(format!(
                    "unsupported CycloneDX namespace {ns:?}: send 1.4, 1.5 or 1.6 (xmlns=\"http://cyclonedx.org/schema/bom/1.6\")"
                )));
            };
            self.version = version;
            *saw_root = true;
        }
        let position = match self.stack.last_mut() {
            Some(parent) => {
                let n = parent.children.entry(name.clone()).or_insert(0);
                *n += 1;
                *n
            }
            None => 1,
        };
        self.stack.push(Open {
            name,
            position,
            children: HashMap::new(),
        });
        self.text.clear();
        if self.at(&["component"]) {
            let allowed = CLASSIFICATIONS[self.version];
            match attribute(e, "type") {
                Some(t) if allowed.contains(&t.as_str()) => {}
                Some(t) => {
                    return Err(self.error(format!(
                        "a component's type must be one of {}, not {t:?}",
                        allowed.join(", ")
                    )))
                }
                None => return Err(self.error("a <component> needs a type attribute")),
            }
        }
        if self.at(&["components", "component"]) && !self.in_metadata() && !self.in_tools() {
            self.open_components.push(Component {
                bom_ref: attribute(e, "bom-ref"),
                ..Default::default()
            });
        } else if self.at(&["bom", "vulnerabilities", "vulnerability"]) {
            self.vulnerability = Some(Vulnerability::default());
        } else if self.at(&["vulnerability", "ratings", "rating"]) && self.vulnerability.is_some() {
            self.rating = Some(Rating::default());
        }
        Ok(())
    }

    fn in_metadata(&self) -> bool {
        self.stack.get(1).is_some_and(|o| o.name == "metadata")
    }

    fn in_tools(&self) -> bool {
        self.stack.iter().any(|o| o.name == "tools")
    }

    fn close(&mut self) -> Result<(), IngestError> {
        let text = std::mem::take(&mut self.text);
        let value = text.trim();
        if self.in_tools() && self.at(&["name"]) {
            // 1.4 `tools/tool/name`, 1.5+ `tools/components/component/name` and
            // `tools/services/service/name`.
            if !value.is_empty() && self.stack.len() >= 2 {
                let parent = &self.stack[self.stack.len() - 2].name;
                if matches!(parent.as_str(), "tool" | "component" | "service") {
                    self.tools.push(value.to_string());
                }
            }
        } else if !self.in_metadata() && !self.open_components.is_empty() {
            self.component_value(value)?;
        } else if self.vulnerability.is_some() {
            self.vulnerability_value(value)?;
        }
        self.stack.pop();
        Ok(())
    }

    fn component_value(&mut self, value: &str) -> Result<(), IngestError> {
        if self.at(&["components", "component"]) {
            let c = self.open_components.pop().unwrap_or_default();
            if c.name.is_empty() {
                return Err(self.error("a component needs a <name>"));
            }
            self.components.push(c);
            return Ok(());
        }
        let Some(c) = self.open_components.last_mut() else {
            return Ok(());
        };
        // Only the component's own children, not those of its pedigree, licenses…
        let own = self.stack.len() >= 2
            && self.stack[self.stack.len() - 2].name == "component"
            && self.stack.len() >= 3
            && self.stack[self.stack.len() - 3].name == "components";
        if !own {
            return Ok(());
        }
        let leaf = self.stack.last().map(|o| o.name.as_str()).unwrap_or("");
        match leaf {
            "name" => c.name = value.to_string(),
            "version" => c.version = Some(value.to_string()),
            "purl" => c.purl = Some(value.to_string()),
            _ => {}
        }
        Ok(())
    }

    fn vulnerability_value(&mut self, value: &str) -> Result<(), IngestError> {
        if self.at(&["bom", "vulnerabilities", "vulnerability"]) {
            if let Some(v) = self.vulnerability.take() {
                self.vulnerabilities.push(v);
            }
            return Ok(());
        }
        if self.at(&["vulnerability", "ratings", "rating"]) {
            if let (Some(r), Some(v)) = (self.rating.take(), self.vulnerability.as_mut()) {
                v.ratings.push(r);
            }
            return Ok(());
        }
        if self.at(&["rating", "score"]) {
            let score: f64 = value
                .parse()
                .map_err(|_| self.error(format!("a score is a number, not {value:?}")))?;
            if let Some(r) = self.rating.as_mut() {
                r.score = Some(score);
            }
        } else if self.at(&["rating", "severity"]) {
            if !SEVERITIES.contains(&value) {
                return Err(self.error(format!(
                    "severity must be one of {}, not {value:?}",
                    SEVERITIES.join(", ")
                )));
            }
            if let Some(r) = self.rating.as_mut() {
                r.severity = Some(value.to_string());
            }
        } else if self.at(&["rating", "method"]) {
            let allowed = METHODS[self.version];
            if !allowed.contains(&value) {
                return Err(self.error(format!(
                    "a rating method must be one of {}, not {value:?}",
                    allowed.join(", ")
                )));
            }
        } else if self.at(&["analysis", "responses", "response"]) {
            if !RESPONSES.contains(&value) {
                return Err(self.error(format!(
                    "a response must be one of {}, not {value:?}",
                    RESPONSES.join(", ")
                )));
            }
        } else if self.at(&["vulnerability", "cwes", "cwe"]) {
            let cwe: u32 = value
                .parse()
                .map_err(|_| self.error(format!("a cwe is a positive integer, not {value:?}")))?;
            if let Some(v) = self.vulnerability.as_mut() {
                v.cwes.push(cwe);
            }
        } else if self.at(&["affects", "target", "ref"]) {
            if let Some(v) = self.vulnerability.as_mut() {
                v.affects.push(Affects {
                    reference: value.to_string(),
                });
            }
        } else if self.at(&["affects", "target"]) {
            let has_ref = self
                .stack
                .last()
                .is_some_and(|o| o.children.contains_key("ref"));
            if !has_ref {
                return Err(self.error("an affects <target> needs a <ref>"));
            }
        } else if self.at(&["vulnerability", "analysis", "state"]) {
            if !STATES.contains(&value) {
                return Err(self.error(format!(
                    "analysis state must be one of {}, not {value:?}",
                    STATES.join(", ")
                )));
            }
            if let Some(v) = self.vulnerability.as_mut() {
                v.analysis = Some(Analysis {
                    state: Some(value.to_string()),
                });
            }
        } else if self.stack.len() >= 2 && self.stack[self.stack.len() - 2].name == "vulnerability"
        {
            let leaf = self.stack.last().map(|o| o.name.as_str()).unwrap_or("");
            if let Some(v) = self.vulnerability.as_mut() {
                let s = Some(value.to_string());
                match leaf {
                    "id" => v.id = s,
                    "description" => v.description = s,
                    "detail" => v.detail = s,
                    "recommendation" => v.recommendation = s,
                    _ => {}
                }
            }
        }
        Ok(())
    }
}

fn attribute(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

fn count_lines(text: &str) -> usize {
    text.bytes().filter(|b| *b == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_domain::{PlusStatus, Severity};

    const DOC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1">
  <metadata>
    <tools><components><component type="application"><name>scanner-x</name></component></components></tools>
    <component type="application" bom-ref="root"><name>the-app</name></component>
  </metadata>
  <components>
    <component type="library" bom-ref="a">
      <name>flask</name><version>0.12.2</version><purl>pkg:pypi/flask@0.12.2</purl>
      <components>
        <component type="library" bom-ref="b"><name>jinja2</name><version>2.10</version></component>
      </components>
    </component>
  </components>
  <vulnerabilities>
    <vulnerability bom-ref="v1">
      <id>CVE-2018-1000656</id>
      <ratings><rating><score>7.5</score><severity>high</severity></rating></ratings>
      <cwes><cwe>20</cwe></cwes>
      <description>Denial of service &amp; more</description>
      <affects><target><ref>a</ref></target></affects>
    </vulnerability>
    <vulnerability>
      <id>CVE-2019-10906</id>
      <ratings><rating><score>8.6</score></rating></ratings>
      <analysis><state>not_affected</state></analysis>
      <affects><target><ref>b</ref></target></affects>
    </vulnerability>
  </vulnerabilities>
</bom>"#;

    #[test]
    fn reads_components_vulnerabilities_and_vex() {
        let r = parse(DOC.as_bytes()).unwrap();
        assert_eq!(r.tools, vec!["scanner-x".to_string()]);
        let got: Vec<_> = r
            .findings
            .iter()
            .map(|f| {
                (
                    f.rule_id.as_str(),
                    f.location.as_deref().unwrap_or(""),
                    f.severity,
                    f.status,
                    f.cwe.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "CVE-2018-1000656",
                    "pkg:pypi/flask@0.12.2",
                    Severity::High,
                    None,
                    Some("CWE-20")
                ),
                (
                    "CVE-2019-10906",
                    "jinja2@2.10",
                    Severity::High,
                    Some(PlusStatus::Accepted),
                    None
                ),
            ]
        );
        assert_eq!(
            r.findings[0].description.as_deref(),
            Some("Denial of service & more")
        );
    }

    /// References are resolved (predefined entities and character references); a document
    /// cannot define entities of its own (no DTD is read), so any other name is refused.
    #[test]
    fn references_resolve_and_unknown_entities_are_refused() {
        let doc = DOC.replace("Denial of service &amp; more", "caf&#233; &#x26; &lt;b&gt;");
        let r = parse(doc.as_bytes()).unwrap();
        assert_eq!(r.findings[0].description.as_deref(), Some("café & <b>"));
        let doc = DOC.replace("Denial of service &amp; more", "a &lol9; b");
        let e = parse(doc.as_bytes()).unwrap_err();
        assert!(e.message.contains("unknown entity &lol9;"), "{e:?}");
        assert!(e.pointer.ends_with("/description"), "{e:?}");
    }

    #[test]
    fn errors_name_the_element() {
        for (doc, pointer, needle) in [
            (
                DOC.replace("<score>8.6</score>", "<score>high</score>"),
                "/bom/vulnerabilities/vulnerability[2]/ratings/rating[1]/score",
                "number",
            ),
            (
                DOC.replace("<severity>high</severity>", "<severity>severe</severity>"),
                "/bom/vulnerabilities/vulnerability[1]/ratings/rating[1]/severity",
                "severity must be one of",
            ),
            (
                DOC.replace("<name>jinja2</name>", ""),
                "/bom/components/component[1]/components/component[1]",
                "<name>",
            ),
            (
                DOC.replace("<ref>b</ref>", ""),
                "/bom/vulnerabilities/vulnerability[2]/affects/target[1]",
                "<ref>",
            ),
            (DOC.replace("bom/1.5", "bom/1.2"), "", "1.4, 1.5 or 1.6"),
            (
                DOC.replace(r#"type="library" bom-ref="b""#, r#"bom-ref="b""#),
                "/bom/components/component[1]/components/component[1]",
                "type attribute",
            ),
            (
                DOC.replace(r#"type="library" bom-ref="a""#, r#"type="lib" bom-ref="a""#),
                "/bom/components/component[1]",
                "must be one of",
            ),
            (
                // cryptographic-asset is 1.6's, this BOM is 1.5.
                DOC.replace(
                    r#"type="application"><name>scanner-x"#,
                    r#"type="cryptographic-asset"><name>scanner-x"#,
                ),
                "/bom/metadata/tools/components/component[1]",
                "must be one of",
            ),
            (
                DOC.replace(
                    "<score>8.6</score>",
                    "<score>8.6</score><method>CVSSv5</method>",
                ),
                "/bom/vulnerabilities/vulnerability[2]/ratings/rating[1]/method",
                "method must be one of",
            ),
            (
                DOC.replace(
                    "<state>not_affected</state>",
                    "<state>not_affected</state><responses><response>ignore</response></responses>",
                ),
                "/bom/vulnerabilities/vulnerability[2]/analysis/responses/response",
                "response must be one of",
            ),
            (
                DOC.replace("</components>\n  <vulnerabilities>", "<vulnerabilities>"),
                "",
                "XML",
            ),
        ] {
            let e = parse(doc.as_bytes()).unwrap_err();
            assert!(e.message.contains(needle), "{e:?}");
            if !pointer.is_empty() {
                assert_eq!(e.pointer, pointer, "{e:?}");
                assert!(e.line > 1, "{e:?}");
            }
        }
    }
}
