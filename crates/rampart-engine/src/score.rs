//! CVSS scores of the catalogue's vectors, computed by the RustSec `cvss` crate.

use std::str::FromStr;

/// The CVSS v3.x base score of a vector (`CVSS:3.1/AV:N/AC:L/…`); `None` when the vector
/// is malformed or not v3.
pub fn cvss_base_score(vector: &str) -> Option<f64> {
    let v = cvss::v3::Vector::from_str(vector).ok()?;
    // The crate scores partial vectors; a base score needs all eight base metrics.
    let complete = v.av.is_some()
        && v.ac.is_some()
        && v.pr.is_some()
        && v.ui.is_some()
        && v.s.is_some()
        && v.c.is_some()
        && v.i.is_some()
        && v.a.is_some();
    complete.then(|| v.base_score().value())
}

#[cfg(test)]
mod tests {
    use super::cvss_base_score as s;

    #[test]
    fn known_vectors_give_their_official_scores() {
        // Scores from the FIRST CVSS v3.1 calculator and specification examples.
        for (vector, score) in [
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N", 5.3),
            ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
            ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9),
            ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
            ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8),
            ("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6),
            ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
        ] {
            assert_eq!(s(vector), Some(score), "{vector}");
        }
    }

    #[test]
    fn malformed_vectors_have_no_score() {
        for v in [
            "",
            "CVSS:3.1/AV:X",
            "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",
        ] {
            assert_eq!(s(v), None, "{v:?}");
        }
    }

    #[test]
    fn every_catalogue_vector_scores() {
        for m in crate::catalogue() {
            let score = s(m.cvss_vector).unwrap_or_else(|| panic!("{}", m.key));
            assert!((0.0..=10.0).contains(&score), "{}", m.key);
        }
    }
}
