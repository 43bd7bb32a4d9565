//! The wire shapes of rampart's APIs, and nothing else.
//!
//! Invariants: these types are the only definition of a JSON body; the server converts
//! domain ↔ wire explicitly. Inputs are lenient the way real InsightAppSec clients need
//! (string booleans, empty optional dates, unknown members ignored); outputs are exact
//! (`YYYY-MM-DDTHH:MM:SS.ffffff` UTC timestamps, no zone).

#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod audit;
pub mod connectors;
pub mod ias;
pub mod identity;
pub mod lenient;
pub mod oauth;
pub mod plus;
pub mod webhooks;

use chrono::{DateTime, Utc};

/// The `/ias/v1` timestamp format: UTC, microseconds, no zone suffix.
pub fn ias_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    #[test]
    fn ias_time_has_six_fraction_digits_and_no_zone() {
        let t = chrono::Utc.with_ymd_and_hms(2019, 1, 8, 22, 4, 46).unwrap()
            + chrono::Duration::microseconds(402_000);
        assert_eq!(super::ias_time(t), "2019-01-08T22:04:46.402000");
    }
}
