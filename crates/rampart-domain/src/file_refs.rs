//! The files a scan-config options document names (reference §3.4, Appendix A) and the one
//! rule for what is wrong with them, used by a config's `errors[]` and by admission alike.

use crate::file::FileType;
use crate::options::{AuthType, OptionsView};

/// What a named file is used for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileUse {
    /// SWAGGER, GRAPHQL or RECORDED_TRAFFIC: seeds the scan.
    Definition {
        endpoint: Option<String>,
        verb: Option<String>,
    },
    /// The client TLS certificate (`ssl_cert_config`).
    Certificate { password: String },
    /// A recorded login (`auth_config.type` SELENIUM or MACRO).
    Login,
}

/// One file the document names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRef {
    /// The option naming it, e.g. `web_service_config.swagger_file_list[0].value`.
    pub path: String,
    /// The file's name (empty when the option names none).
    pub name: String,
    pub kind: FileType,
    pub usage: FileUse,
}

/// What the app holds under a name: the facts the rule needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileFacts {
    pub name: String,
    pub kind: FileType,
    pub content_available: bool,
}

fn trimmed(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Every file the document names, in document order.
pub fn file_refs(v: &OptionsView) -> Vec<FileRef> {
    let mut out = Vec::new();
    let ws = &v.web_service_config;
    for (i, f) in ws.swagger_file_list.iter().enumerate() {
        out.push(FileRef {
            path: format!("web_service_config.swagger_file_list[{i}].value"),
            name: f.value.trim().to_string(),
            kind: FileType::Swagger,
            usage: FileUse::Definition {
                endpoint: trimmed(f.host_name.as_deref()),
                verb: None,
            },
        });
    }
    for (i, g) in ws.graph_ql_config_object_list.iter().enumerate() {
        if g.enabled == Some(false) {
            continue;
        }
        out.push(FileRef {
            path: format!(
                "web_service_config.graph_ql_config_object_list[{i}].introspection_schema_file_path"
            ),
            name: trimmed(g.introspection_schema_file_path.as_deref()).unwrap_or_default(),
            kind: FileType::Graphql,
            usage: FileUse::Definition {
                endpoint: trimmed(g.graph_ql_endpoint_url.as_deref()),
                verb: trimmed(g.verb.as_deref()).map(|v| v.to_ascii_uppercase()),
            },
        });
    }
    for (i, t) in v
        .manual_crawling_config
        .traffic_file_list
        .iter()
        .enumerate()
    {
        out.push(FileRef {
            path: format!("manual_crawling_config.traffic_file_list[{i}].traffic_file_name"),
            name: t.traffic_file_name.trim().to_string(),
            kind: FileType::RecordedTraffic,
            usage: FileUse::Definition {
                endpoint: None,
                verb: None,
            },
        });
    }
    let ssl = &v.ssl_cert_config;
    if ssl.kind.as_deref().map(str::trim) == Some("CERTIFICATE") {
        out.push(FileRef {
            path: "ssl_cert_config.file".into(),
            name: trimmed(ssl.file.as_deref()).unwrap_or_default(),
            kind: FileType::Certificate,
            usage: FileUse::Certificate {
                password: ssl.password.clone().unwrap_or_default(),
            },
        });
    }
    let auth = &v.auth_config;
    match auth.kind {
        Some(AuthType::Selenium) => {
            let (path, name) = match auth.selenium_file.as_ref() {
                Some(f) if !f.selenium_file_name.trim().is_empty() => (
                    "auth_config.selenium_file.selenium_file_name".to_string(),
                    f.selenium_file_name.trim().to_string(),
                ),
                _ => match v.selenium_config.selenium_file_list.first() {
                    Some(f) => (
                        "selenium_config.selenium_file_list[0].selenium_file_name".to_string(),
                        f.selenium_file_name.trim().to_string(),
                    ),
                    None => (
                        "auth_config.selenium_file.selenium_file_name".to_string(),
                        String::new(),
                    ),
                },
            };
            out.push(FileRef {
                path,
                name,
                kind: FileType::Selenium,
                usage: FileUse::Login,
            });
        }
        Some(AuthType::Macro) => {
            let (path, name) = match auth.macro_file.as_ref() {
                Some(f) if !f.macro_file_name.trim().is_empty() => (
                    "auth_config.macro_file.macro_file_name".to_string(),
                    f.macro_file_name.trim().to_string(),
                ),
                _ => match v.macro_config.macro_file_list.first() {
                    Some(f) => (
                        "macro_config.macro_file_list[0].macro_file_name".to_string(),
                        f.macro_file_name.trim().to_string(),
                    ),
                    None => (
                        "auth_config.macro_file.macro_file_name".to_string(),
                        String::new(),
                    ),
                },
            };
            out.push(FileRef {
                path,
                name,
                kind: FileType::Macro,
                usage: FileUse::Login,
            });
        }
        _ => {}
    }
    out
}

/// What is wrong with one reference given the app's files: nothing named, no such file,
/// a file of another type, or a file without content.
pub fn file_ref_problem(r: &FileRef, files: &[FileFacts]) -> Option<String> {
    if r.name.is_empty() {
        return Some(format!("{} must name a {} file of the app", r.path, r.kind));
    }
    let Some(f) = files.iter().find(|f| f.name == r.name) else {
        return Some(format!(
            "File '{}' named by {} does not exist in the app: upload it or change the option",
            r.name, r.path
        ));
    };
    if f.kind != r.kind {
        return Some(format!(
            "File '{}' named by {} is a {} file, not {}",
            r.name, r.path, f.kind, r.kind
        ));
    }
    if !f.content_available {
        return Some(format!(
            "File '{}' named by {} has no content: upload its content",
            r.name, r.path
        ));
    }
    None
}

/// Every problem of the document's file references (for `errors[]`).
pub fn file_errors(v: &OptionsView, files: &[FileFacts]) -> Vec<String> {
    file_refs(v)
        .iter()
        .filter_map(|r| file_ref_problem(r, files))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::view;
    use serde_json::json;

    fn facts(name: &str, kind: FileType, content: bool) -> FileFacts {
        FileFacts {
            name: name.into(),
            kind,
            content_available: content,
        }
    }

    #[test]
    fn every_documented_option_names_a_file() {
        let doc = json!({
            "web_service_config": {
                "swagger_file_list": [{"value": "api.json", "host_name": "https://h.test/"}],
                "graph_ql_config_object_list": [
                    {"introspection_schema_file_path": "s.graphql", "graph_ql_endpoint_url": "https://h.test/gql", "verb": "get"},
                    {"introspection_schema_file_path": "off.graphql", "enabled": false}
                ]
            },
            "manual_crawling_config": {"traffic_file_list": [{"traffic_file_name": "t.har"}]},
            "ssl_cert_config": {"type": "CERTIFICATE", "file": "c.p12", "password": "pw"},
            "auth_config": {"type": "SELENIUM", "selenium_file": {"selenium_file_name": "login.side"}}
        });
        let refs = file_refs(&view(&doc).unwrap());
        let names: Vec<_> = refs.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            ["api.json", "s.graphql", "t.har", "c.p12", "login.side"]
        );
        assert_eq!(
            refs[1].usage,
            FileUse::Definition {
                endpoint: Some("https://h.test/gql".into()),
                verb: Some("GET".into())
            }
        );
    }

    #[test]
    fn missing_wrong_type_and_empty_files_are_errors() {
        let doc = json!({"web_service_config": {"swagger_file_list": [
            {"value": "a.json"}, {"value": "b.json"}, {"value": "c.json"}, {"value": "ok.yaml"}, {"value": ""}
        ]}});
        let v = view(&doc).unwrap();
        let files = [
            facts("b.json", FileType::Graphql, true),
            facts("c.json", FileType::Swagger, false),
            facts("ok.yaml", FileType::Swagger, true),
        ];
        let errs = file_errors(&v, &files);
        assert_eq!(errs.len(), 4, "{errs:?}");
        assert!(errs[0].contains("'a.json'") && errs[0].contains("does not exist"));
        assert!(errs[1].contains("GRAPHQL file, not SWAGGER"));
        assert!(errs[2].contains("no content"));
        assert!(errs[3].contains("must name a SWAGGER file"));
    }

    #[test]
    fn macro_login_without_a_file_is_an_error() {
        let v = view(&json!({"auth_config": {"type": "MACRO"}})).unwrap();
        assert_eq!(
            file_errors(&v, &[]),
            vec!["auth_config.macro_file.macro_file_name must name a MACRO file of the app"]
        );
    }
}
