//! Files an app keeps for its scan configs (reference §3.9): their types and the one
//! base64 spelling of their bytes on the job wire.

use crate::model::str_enum;
use serde::{Deserialize, Serialize};

str_enum!(
    /// What a file holds (reference §3.9).
    FileType {
        Macro = "MACRO",
        RecordedTraffic = "RECORDED_TRAFFIC",
        Selenium = "SELENIUM",
        Wsdl = "WSDL",
        Swagger = "SWAGGER",
        Certificate = "CERTIFICATE",
        Graphql = "GRAPHQL",
    }
);

/// `#[serde(with = "crate::file::base64_bytes")]`: bytes as one standard base64 string.
pub mod base64_bytes {
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map_err(serde::de::Error::custom)
    }
}

impl FileType {
    /// The file-name extensions a file of this type may have (reference §3.9; CERTIFICATE
    /// also `p12`, GRAPHQL also `graphql` and `json` for an introspection result).
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            FileType::Macro => &["rec"],
            FileType::Swagger => &["json", "yaml", "yml"],
            FileType::Selenium => &["htm", "html", "side"],
            FileType::RecordedTraffic => &["trec", "xml", "txt", "har", "saz"],
            FileType::Wsdl => &["wsdl"],
            FileType::Certificate => &["pfx", "p12"],
            FileType::Graphql => &["qls", "graphqls", "graphql", "json"],
        }
    }

    /// Why `name` cannot be the name of a file of this type, if it cannot.
    pub fn name_problem(self, name: &str) -> Option<String> {
        let name = name.trim();
        if name.is_empty() {
            return Some("a file name is required".into());
        }
        let ext = name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        (!self.extensions().contains(&ext.as_str())).then(|| {
            format!(
                "a {} file name must end with .{}",
                self.as_str(),
                self.extensions().join(", .")
            )
        })
    }
}

/// A file of an app (reference §3.9): metadata; the content is stored beside it and read
/// on its own.
#[derive(Clone, Debug, PartialEq)]
pub struct AppFile {
    pub id: crate::FileId,
    pub org: crate::OrgId,
    pub app: crate::AppId,
    pub name: String,
    pub description: Option<String>,
    pub kind: FileType,
    /// Only the owner may change or upload a locked file.
    pub locked: bool,
    /// The principal who created it.
    pub owner: crate::PrincipalId,
    pub last_updated_by: crate::PrincipalId,
    pub last_updated: chrono::DateTime<chrono::Utc>,
    /// The content's size in bytes; `None` until content is uploaded.
    pub size: Option<u64>,
}

impl AppFile {
    pub fn content_available(&self) -> bool {
        self.size.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_must_fit_the_type() {
        assert_eq!(FileType::Swagger.name_problem("api.YAML"), None);
        assert_eq!(FileType::Certificate.name_problem("client.p12"), None);
        assert!(FileType::Swagger.name_problem("api.txt").is_some());
        assert!(FileType::Macro.name_problem("rec").is_some());
        assert!(FileType::Wsdl.name_problem(" ").is_some());
    }
}
