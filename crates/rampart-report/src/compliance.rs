//! Compliance mappings: for each standard a table CWE → categories, kept as data in
//! `crates/rampart-report/compliance/*.toml` (one file per standard) and parsed once. A
//! finding maps through its check's CWE. A CWE a standard does not cover is listed in that
//! file's `not_applicable`; a test holds every engine check to one or the other.

use crate::model::Finding;
use crate::ReportError;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// A compliance standard of the §3.10 compliance reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Standard {
    Owasp2013,
    Owasp2017,
    Owasp2021,
    Owasp2025,
    OwaspApi2023,
    Pci321,
    Pci40,
    Gdpr2016,
    Sox,
    Hipaa,
}

impl Standard {
    pub const ALL: &'static [Standard] = &[
        Standard::Owasp2013,
        Standard::Owasp2017,
        Standard::Owasp2021,
        Standard::Owasp2025,
        Standard::OwaspApi2023,
        Standard::Pci321,
        Standard::Pci40,
        Standard::Gdpr2016,
        Standard::Sox,
        Standard::Hipaa,
    ];

    fn source(self) -> &'static str {
        match self {
            Standard::Owasp2013 => include_str!("../compliance/owasp-2013.toml"),
            Standard::Owasp2017 => include_str!("../compliance/owasp-2017.toml"),
            Standard::Owasp2021 => include_str!("../compliance/owasp-2021.toml"),
            Standard::Owasp2025 => include_str!("../compliance/owasp-2025.toml"),
            Standard::OwaspApi2023 => include_str!("../compliance/owasp-api-2023.toml"),
            Standard::Pci321 => include_str!("../compliance/pci-3.2.1.toml"),
            Standard::Pci40 => include_str!("../compliance/pci-4.0.toml"),
            Standard::Gdpr2016 => include_str!("../compliance/gdpr-2016.toml"),
            Standard::Sox => include_str!("../compliance/sox.toml"),
            Standard::Hipaa => include_str!("../compliance/hipaa.toml"),
        }
    }

    /// The human name, e.g. "OWASP Top 10 2021".
    pub fn title(self) -> &'static str {
        match self {
            Standard::Owasp2013 => "OWASP Top 10 2013",
            Standard::Owasp2017 => "OWASP Top 10 2017",
            Standard::Owasp2021 => "OWASP Top 10 2021",
            Standard::Owasp2025 => "OWASP Top 10 2025",
            Standard::OwaspApi2023 => "OWASP API Security Top 10 2023",
            Standard::Pci321 => "PCI DSS 3.2.1",
            Standard::Pci40 => "PCI DSS 4.0",
            Standard::Gdpr2016 => "GDPR 2016/679",
            Standard::Sox => "SOX §404 IT general controls",
            Standard::Hipaa => "HIPAA §164.312",
        }
    }

    /// The parsed mapping table of this standard.
    pub fn mapping(self) -> Result<&'static Mapping, ReportError> {
        static TABLES: OnceLock<Result<Vec<Mapping>, String>> = OnceLock::new();
        let tables = TABLES.get_or_init(|| {
            Standard::ALL
                .iter()
                .map(|s| {
                    toml::from_str::<Mapping>(s.source())
                        .map_err(|e| format!("compliance table of {}: {e}", s.title()))
                })
                .collect()
        });
        let tables = tables.as_ref().map_err(|e| ReportError::Data(e.clone()))?;
        let i = Standard::ALL.iter().position(|s| *s == self).unwrap_or(0);
        tables
            .get(i)
            .ok_or_else(|| ReportError::Data(format!("no table for {}", self.title())))
    }
}

/// One category of a standard (an OWASP risk, a PCI requirement, a GDPR article, …).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub id: String,
    pub name: String,
    pub cwes: Vec<u32>,
}

/// A standard's table: its categories in document order and the CWEs it does not cover.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    pub id: String,
    pub title: String,
    pub not_applicable: Vec<u32>,
    #[serde(rename = "category")]
    pub categories: Vec<Category>,
}

impl Mapping {
    /// The categories a CWE falls in (possibly none).
    pub fn categories_of(&self, cwe: u32) -> Vec<&Category> {
        self.categories
            .iter()
            .filter(|c| c.cwes.contains(&cwe))
            .collect()
    }

    /// Whether the standard covers `cwe` somewhere or says it does not apply.
    pub fn decides(&self, cwe: u32) -> bool {
        self.not_applicable.contains(&cwe) || !self.categories_of(cwe).is_empty()
    }

    /// Every category with the findings in it (document order; a finding in two categories
    /// is in both), and the findings in none.
    pub fn classify<'a>(&'a self, findings: &[&'a Finding]) -> Classified<'a> {
        let mut rows: Vec<(&Category, Vec<&Finding>)> =
            self.categories.iter().map(|c| (c, Vec::new())).collect();
        let mut unmapped = Vec::new();
        for f in findings {
            let mut hit = false;
            for (c, v) in rows.iter_mut() {
                if c.cwes.contains(&f.cwe) {
                    v.push(*f);
                    hit = true;
                }
            }
            if !hit {
                unmapped.push(*f);
            }
        }
        Classified { rows, unmapped }
    }
}

/// Findings sorted into a standard's categories.
pub struct Classified<'a> {
    pub rows: Vec<(&'a Category, Vec<&'a Finding>)>,
    pub unmapped: Vec<&'a Finding>,
}

/// The categories of `cwe` in every standard, by standard (for a finding's references).
pub fn all_categories(cwe: u32) -> BTreeMap<Standard, Vec<String>> {
    Standard::ALL
        .iter()
        .filter_map(|s| {
            let m = s.mapping().ok()?;
            let ids: Vec<String> = m
                .categories_of(cwe)
                .iter()
                .map(|c| format!("{} {}", c.id, c.name))
                .collect();
            (!ids.is_empty()).then_some((*s, ids))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_parses_and_names_its_standard() {
        for s in Standard::ALL {
            let m = s.mapping().unwrap();
            assert!(!m.categories.is_empty(), "{}", s.title());
            assert!(!m.title.is_empty());
        }
    }

    /// Every engine check (the registry, through the catalogue) maps to a category of every
    /// standard, or its CWE is listed as not applicable there.
    #[test]
    fn every_check_maps_in_every_standard() {
        let mut missing = Vec::new();
        for s in Standard::ALL {
            let m = s.mapping().unwrap();
            for check in rampart_engine::catalogue() {
                if !m.decides(check.cwe) {
                    missing.push(format!("{}: {} (CWE-{})", s.title(), check.key, check.cwe));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "unmapped checks:\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn owasp_2021_table_agrees_with_the_catalogue_where_the_cwe_is_unambiguous() {
        // The catalogue names one OWASP 2021 category per check; the table maps by CWE. For
        // checks whose CWE is shared by no other check with a different catalogue category,
        // the two must agree, or the reports would contradict the module documentation.
        let m = Standard::Owasp2021.mapping().unwrap();
        let cat = rampart_engine::catalogue();
        for check in cat {
            let shared = cat
                .iter()
                .any(|o| o.cwe == check.cwe && o.owasp_2021 != check.owasp_2021);
            if shared {
                continue;
            }
            let ids: Vec<&str> = m
                .categories_of(check.cwe)
                .iter()
                .map(|c| c.id.as_str())
                .collect();
            let prefix = check.owasp_2021.split('-').next().unwrap_or("");
            assert!(
                ids.contains(&prefix),
                "{} (CWE-{}): catalogue {} vs table {ids:?}",
                check.key,
                check.cwe,
                check.owasp_2021
            );
        }
    }
}
