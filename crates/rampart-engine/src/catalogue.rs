//! The module catalogue: every check's metadata, gathered from the check registry.

use crate::checks;
use rampart_domain::catalogue::ModuleMeta;
use rampart_domain::ModuleId;
use std::sync::LazyLock;
use uuid::Uuid;

/// Namespace of the v5 module ids (team contract).
pub const MODULE_NAMESPACE: Uuid = Uuid::from_u128(0x6f9a3b7e_2c41_4d0a_9e55_3a1d7c0b8e21);

/// The stable id of a module: `Uuid::new_v5(&NAMESPACE, key)`.
pub fn module_id(key: &str) -> ModuleId {
    ModuleId(Uuid::new_v5(&MODULE_NAMESPACE, key.as_bytes()))
}

static CATALOGUE: LazyLock<Vec<ModuleMeta>> =
    LazyLock::new(|| checks::REGISTRY.iter().map(|c| (c.meta)()).collect());

/// Every module the engine implements, in a stable order (active first, then passive).
pub fn catalogue() -> &'static [ModuleMeta] {
    &CATALOGUE
}

/// The catalogue entry of `key`.
pub fn module(key: &str) -> Option<&'static ModuleMeta> {
    catalogue().iter().find(|m| m.key == key)
}

/// Common reference: the OWASP Top 10 2021 page of a category.
pub(crate) const OWASP_A01: (&str, &str) = (
    "OWASP Top 10 2021 A01 Broken Access Control",
    "https://owasp.org/Top10/A01_2021-Broken_Access_Control/",
);
pub(crate) const OWASP_A02: (&str, &str) = (
    "OWASP Top 10 2021 A02 Cryptographic Failures",
    "https://owasp.org/Top10/A02_2021-Cryptographic_Failures/",
);
pub(crate) const OWASP_A03: (&str, &str) = (
    "OWASP Top 10 2021 A03 Injection",
    "https://owasp.org/Top10/A03_2021-Injection/",
);
pub(crate) const OWASP_A04: (&str, &str) = (
    "OWASP Top 10 2021 A04 Insecure Design",
    "https://owasp.org/Top10/A04_2021-Insecure_Design/",
);
pub(crate) const OWASP_A05: (&str, &str) = (
    "OWASP Top 10 2021 A05 Security Misconfiguration",
    "https://owasp.org/Top10/A05_2021-Security_Misconfiguration/",
);
pub(crate) const OWASP_A07: (&str, &str) = (
    "OWASP Top 10 2021 A07 Identification and Authentication Failures",
    "https://owasp.org/Top10/A07_2021-Identification_and_Authentication_Failures/",
);
pub(crate) const OWASP_A10: (&str, &str) = (
    "OWASP Top 10 2021 A10 Server-Side Request Forgery",
    "https://owasp.org/Top10/A10_2021-Server-Side_Request_Forgery_%28SSRF%29/",
);

/// Parameter-location sets shared by several modules.
pub(crate) mod locs {
    use rampart_domain::ParameterLocation as L;
    pub const INPUTS: &[L] = &[
        L::Query,
        L::Post,
        L::Path,
        L::Cookie,
        L::HttpHeader,
        L::Referer,
    ];
    pub const QUERY_POST: &[L] = &[L::Query, L::Post];
    pub const FILES: &[L] = &[L::File, L::Directory];
    pub const DIRECTORY: &[L] = &[L::Directory];
    pub const HEADER: &[L] = &[L::HttpHeader];
    pub const POST: &[L] = &[L::Post];
    pub const NONE: &[L] = &[];
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_domain::ModuleType;
    use std::collections::HashSet;

    #[test]
    fn every_registered_check_is_catalogued_with_the_type_its_hooks_imply() {
        use crate::checks::REGISTRY;
        assert_eq!(catalogue().len(), REGISTRY.len());
        for (c, m) in REGISTRY.iter().zip(catalogue()) {
            assert_eq!(c.key, m.key, "the registry key is the module key");
            // A check is active or passive, never both and never neither.
            assert_ne!(c.is_active(), c.passive.is_some(), "{}", c.key);
            let want = if c.is_active() {
                ModuleType::Active
            } else {
                ModuleType::Passive
            };
            assert_eq!(m.module_type, want, "{}", c.key);
            assert!(
                !c.oob || c.is_active(),
                "{}: only active checks call back",
                c.key
            );
        }
        // Active first, then passive: the catalogue order clients see.
        let first_passive = catalogue()
            .iter()
            .position(|m| m.module_type == ModuleType::Passive)
            .unwrap_or(catalogue().len());
        assert!(catalogue()[first_passive..]
            .iter()
            .all(|m| m.module_type == ModuleType::Passive));
        // The out-of-band need is the registry's, not a list elsewhere.
        let oob: Vec<&str> = crate::checks::registry::oob_keys().collect();
        assert!(oob.contains(&"ssrf") && oob.contains(&"xxe"), "{oob:?}");
    }

    #[test]
    fn ids_keys_and_attack_ids_are_unique_and_stable() {
        let mut ids = HashSet::new();
        let mut keys = HashSet::new();
        let mut attacks = HashSet::new();
        for m in catalogue() {
            assert!(ids.insert(m.id), "duplicate id {}", m.key);
            assert!(keys.insert(m.key), "duplicate key {}", m.key);
            assert_eq!(m.id, module_id(m.key));
            assert!(!m.attacks.is_empty(), "{} has no attacks", m.key);
            for a in m.attacks {
                assert!(attacks.insert(a.id), "duplicate attack id {}", a.id);
            }
        }
        // The v5 rule is pinned so that a namespace typo can never slip in.
        assert_eq!(
            module_id("sqli").0,
            Uuid::new_v5(
                &Uuid::parse_str("6f9a3b7e-2c41-4d0a-9e55-3a1d7c0b8e21").unwrap(),
                b"sqli"
            )
        );
    }

    #[test]
    fn metadata_is_complete() {
        for m in catalogue() {
            assert!(!m.name.is_empty() && !m.description.is_empty(), "{}", m.key);
            assert!(!m.recommendation.is_empty(), "{}", m.key);
            assert!(m.cvss_vector.starts_with("CVSS:3.1/"), "{}", m.key);
            assert!(m.owasp_2021.contains(":2021-"), "{}", m.key);
            let cwe = format!("CWE-{}", m.cwe);
            assert!(
                m.references.iter().any(|(t, _)| t.starts_with(&cwe)),
                "{} lacks a {cwe} reference",
                m.key
            );
        }
    }
}
