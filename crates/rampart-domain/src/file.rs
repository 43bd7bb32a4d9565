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
