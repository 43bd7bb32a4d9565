//! Uploaded file content checked against its declared type: a mismatch is refused with a
//! message saying which forms the type accepts.

mod probe;

use probe::{looks_like_json, Kind};
use rampart_domain::file::FileType;

/// Why `content` is not a file of type `kind` called `name`, if it is not.
pub fn content_problem(kind: FileType, name: &str, content: &[u8]) -> Option<String> {
    if content.is_empty() {
        return Some("the content is empty".into());
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let r = match kind {
        FileType::Swagger => swagger(content),
        FileType::Graphql => graphql(content),
        FileType::RecordedTraffic => traffic(content, &ext),
        FileType::Certificate => pkcs12(content),
        FileType::Selenium => selenium(content, &ext),
        FileType::Macro => xml_root(content)
            .map(|_| ())
            .map_err(|e| format!("a MACRO file must be a well-formed XML macro recording: {e}")),
        FileType::Wsdl => wsdl(content),
    };
    r.err()
}

fn text(content: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(content).map_err(|_| "the content is not UTF-8 text".to_string())
}

/// The document read as `T` when it is JSON (`None`: not JSON at all).
fn json<T: serde::de::DeserializeOwned>(content: &[u8]) -> Option<Result<T, String>> {
    looks_like_json(content).then(|| serde_json::from_slice(content).map_err(|e| e.to_string()))
}

fn swagger(content: &[u8]) -> Result<(), String> {
    const FORMS: &str =
        "a SWAGGER file must be an OpenAPI 2 (swagger: \"2.x\") or 3 (openapi: \"3.x\") document with paths, in JSON or YAML";
    let doc: probe::Swagger = match json(content) {
        Some(Ok(d)) => d,
        // Not JSON (or JSON-looking YAML): YAML, a superset.
        _ => {
            let t = text(content).map_err(|e| format!("{FORMS}: {e}"))?;
            serde_saphyr::from_str(t)
                .map_err(|e| format!("{FORMS}: neither JSON nor a YAML mapping ({e})"))?
        }
    };
    let starts =
        |v: &Option<probe::Version>, p: &str| v.as_ref().is_some_and(|v| v.0.starts_with(p));
    if !(starts(&doc.swagger, "2.") || starts(&doc.openapi, "3.")) {
        return Err(format!("{FORMS}: no swagger 2.x or openapi 3.x version"));
    }
    if doc.paths != Some(Kind::Map) {
        return Err(format!("{FORMS}: no paths object"));
    }
    Ok(())
}

fn graphql(content: &[u8]) -> Result<(), String> {
    const FORMS: &str = "a GRAPHQL file must be a GraphQL schema (SDL) or an introspection result (JSON with __schema or data.__schema)";
    if let Some(doc) = json::<probe::Introspection>(content) {
        let doc = doc.map_err(|e| format!("{FORMS}: {e}"))?;
        let schema = doc.schema.or(doc.data.and_then(|d| d.schema));
        return match schema {
            Some(Kind::Map) => Ok(()),
            _ => Err(format!("{FORMS}: JSON without __schema")),
        };
    }
    let t = text(content).map_err(|e| format!("{FORMS}: {e}"))?;
    let doc = graphql_parser::parse_schema::<String>(t)
        .map_err(|e| format!("{FORMS}: {}", e.to_string().trim()))?;
    if doc.definitions.is_empty() {
        return Err(format!("{FORMS}: the schema defines nothing"));
    }
    Ok(())
}

fn traffic(content: &[u8], ext: &str) -> Result<(), String> {
    const FORMS: &str = "a RECORDED_TRAFFIC file must be a HAR file (JSON with log.entries), well-formed XML (.xml, .trec) or a Fiddler .saz archive";
    if let Some(doc) = json::<probe::Har>(content) {
        let doc = doc.map_err(|e| format!("{FORMS}: {e}"))?;
        return match doc.log.and_then(|l| l.entries) {
            Some(Kind::Seq) => Ok(()),
            _ => Err(format!("{FORMS}: JSON without log.entries")),
        };
    }
    match ext {
        "xml" | "trec" => xml_root(content)
            .map(|_| ())
            .map_err(|e| format!("{FORMS}: {e}")),
        "saz" if content.starts_with(b"PK\x03\x04") => Ok(()),
        "saz" => Err(format!("{FORMS}: not a zip archive")),
        _ => Err(format!("{FORMS}: not HAR JSON")),
    }
}

fn selenium(content: &[u8], ext: &str) -> Result<(), String> {
    const FORMS: &str = "a SELENIUM file must be a Selenium IDE project (.side: JSON with tests[].commands[]) or a Selenium HTML test case";
    if let Some(doc) = json::<probe::Side>(content) {
        let doc = doc.map_err(|e| format!("{FORMS}: {e}"))?;
        let ok = doc
            .tests
            .is_some_and(|t| !t.is_empty() && t.iter().all(|t| t.commands == Some(Kind::Seq)));
        return if ok {
            Ok(())
        } else {
            Err(format!("{FORMS}: JSON without tests[].commands[]"))
        };
    }
    if ext == "side" {
        return Err(format!("{FORMS}: a .side file must be JSON"));
    }
    let t = text(content)
        .map_err(|e| format!("{FORMS}: {e}"))?
        .to_ascii_lowercase();
    if t.contains("<html") || t.contains("<table") {
        Ok(())
    } else {
        Err(format!("{FORMS}: no HTML test table"))
    }
}

fn wsdl(content: &[u8]) -> Result<(), String> {
    const FORMS: &str = "a WSDL file must be XML whose root element is definitions (WSDL 1.1) or description (WSDL 2.0)";
    match xml_root(content) {
        Ok(root) if root == "definitions" || root == "description" => Ok(()),
        Ok(root) => Err(format!("{FORMS}: the root element is {root}")),
        Err(e) => Err(format!("{FORMS}: {e}")),
    }
}

/// The local name of the root element of a well-formed XML document.
fn xml_root(content: &[u8]) -> Result<String, String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(content);
    reader.config_mut().check_end_names = true;
    let mut buf = Vec::new();
    let mut root = None;
    let mut depth = 0usize;
    loop {
        let ev = reader.read_event_into(&mut buf).map_err(|e| {
            format!(
                "not well-formed XML at byte {}: {e}",
                reader.error_position()
            )
        })?;
        match ev {
            Event::Start(_) | Event::Empty(_) if depth == 0 && root.is_some() => {
                return Err("not well-formed XML: more than one root element".into());
            }
            Event::Start(e) => {
                if root.is_none() {
                    root = Some(String::from(e.local_name().as_ref()));
                }
                depth += 1;
            }
            Event::Empty(e) if root.is_none() => {
                root = Some(String::from(e.local_name().as_ref()));
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Text(t) if depth == 0 && !t.bytes().all(|b| b.is_ascii_whitespace()) => {
                return Err("not well-formed XML: text outside the root element".into());
            }
            Event::GeneralRef(_) if depth == 0 => {
                return Err("not well-formed XML: text outside the root element".into());
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if depth != 0 {
        return Err("not well-formed XML: an element is not closed".into());
    }
    root.ok_or_else(|| "not XML: no root element".to_string())
}

/// A PKCS#12 `PFX`: `SEQUENCE { version INTEGER (3), authSafe ContentInfo, macData? }`
/// (RFC 7292); the password is not known at upload, so only the structure is checked.
fn pkcs12(content: &[u8]) -> Result<(), String> {
    use der::asn1::{AnyRef, ObjectIdentifier};
    use der::{Decode, Reader, SliceReader};
    const FORMS: &str = "a CERTIFICATE file must be a PKCS#12 (.pfx, .p12) file in DER";
    // Some tools write the outer sequence with an indefinite (BER) length.
    if content.starts_with(&[0x30, 0x80, 0x02, 0x01, 0x03]) {
        return Ok(());
    }
    let data = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
    let signed = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
    let check = || -> der::Result<Result<(), String>> {
        let mut r = SliceReader::new(content)?;
        let verdict = r.sequence(|r| {
            let version = u8::decode(r)?;
            let auth_safe = r.sequence(|ci| {
                let oid = ObjectIdentifier::decode(ci)?;
                while !ci.is_finished() {
                    AnyRef::decode(ci)?;
                }
                Ok(oid)
            })?;
            while !r.is_finished() {
                AnyRef::decode(r)?;
            }
            Ok(if version != 3 {
                Err(format!("{FORMS}: version {version}, expected 3"))
            } else if auth_safe != data && auth_safe != signed {
                Err(format!("{FORMS}: authSafe is not PKCS#7 data"))
            } else {
                Ok(())
            })
        })?;
        r.finish(verdict)
    };
    match check() {
        Ok(v) => v,
        Err(e) => Err(format!("{FORMS}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(kind: FileType, name: &str, content: &str) {
        assert_eq!(
            content_problem(kind, name, content.as_bytes()),
            None,
            "{content}"
        );
    }

    fn bad(kind: FileType, name: &str, content: &[u8]) -> String {
        content_problem(kind, name, content).expect("refused")
    }

    #[test]
    fn swagger_in_json_and_yaml() {
        ok(
            FileType::Swagger,
            "a.json",
            r#"{"openapi": "3.0.1", "paths": {}}"#,
        );
        ok(
            FileType::Swagger,
            "a.yaml",
            "swagger: '2.0'\npaths:\n  /x: {}\n",
        );
        ok(FileType::Swagger, "a.yml", "swagger: 2.0\npaths: {}\n");
        assert!(bad(FileType::Swagger, "a.json", br#"{"openapi": "3.0.1"}"#).contains("paths"));
        assert!(bad(FileType::Swagger, "a.json", br#"{"paths": {}}"#).contains("version"));
        bad(FileType::Swagger, "a.yaml", b"- just\n- a list\n");
        bad(FileType::Swagger, "a.yaml", &[0xff, 0xfe, 0]);
    }

    #[test]
    fn graphql_sdl_or_introspection() {
        ok(
            FileType::Graphql,
            "s.graphql",
            "type Query { user(id: ID!): String }",
        );
        ok(
            FileType::Graphql,
            "s.json",
            r#"{"data": {"__schema": {"types": []}}}"#,
        );
        ok(
            FileType::Graphql,
            "s.json",
            r#"{"__schema": {"types": []}}"#,
        );
        bad(FileType::Graphql, "s.graphql", b"type Query {");
        bad(FileType::Graphql, "s.json", br#"{"data": {}}"#);
    }

    #[test]
    fn traffic_selenium_macro_and_wsdl() {
        ok(
            FileType::RecordedTraffic,
            "t.har",
            r#"{"log": {"entries": []}}"#,
        );
        ok(FileType::RecordedTraffic, "t.xml", "<items><item/></items>");
        bad(FileType::RecordedTraffic, "t.har", b"GET / HTTP/1.1");
        bad(FileType::RecordedTraffic, "t.xml", b"<items>");
        ok(
            FileType::Selenium,
            "l.side",
            r#"{"tests": [{"commands": []}]}"#,
        );
        ok(FileType::Selenium, "l.html", "<html><table></table></html>");
        bad(FileType::Selenium, "l.side", br#"{"tests": [{}]}"#);
        ok(
            FileType::Macro,
            "m.rec",
            "<?xml version=\"1.0\"?><Macro><Step/></Macro>",
        );
        bad(FileType::Macro, "m.rec", b"<Macro><Step></Macro>");
        ok(
            FileType::Wsdl,
            "s.wsdl",
            "<wsdl:definitions xmlns:wsdl=\"http://schemas.xmlsoap.org/wsdl/\"/>",
        );
        assert!(bad(FileType::Wsdl, "s.wsdl", b"<other/>").contains("root element is other"));
    }

    #[test]
    fn pkcs12_structure() {
        // SEQUENCE { INTEGER 3, SEQUENCE { OID pkcs7-data, [0] { OCTET STRING "" } } }
        let pfx = [
            0x30, 0x18, 0x02, 0x01, 0x03, 0x30, 0x13, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
            0x0d, 0x01, 0x07, 0x01, 0xa0, 0x06, 0x04, 0x04, 0x30, 0x02, 0x30, 0x00,
        ];
        assert_eq!(content_problem(FileType::Certificate, "c.p12", &pfx), None);
        let mut v2 = pfx;
        v2[4] = 2;
        assert!(bad(FileType::Certificate, "c.p12", &v2).contains("version 2"));
        bad(
            FileType::Certificate,
            "c.p12",
            b"-----BEGIN CERTIFICATE-----",
        );
        bad(FileType::Certificate, "c.p12", &pfx[..10]);
    }
}
