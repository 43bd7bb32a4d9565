//! OAuth scopes (reference appsecplus §2.5): `area:read|write` per area, `audit:read` on
//! its own, the documented aliases `read` (every `*:read` but `audit:read`, decision 4)
//! and `admin` (everything), and which scope each `/ias/v1` route needs (one table).

use std::fmt;

/// One scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    ApplicationsRead,
    ApplicationsWrite,
    ScansRead,
    ScansWrite,
    VulnerabilitiesRead,
    VulnerabilitiesWrite,
    PoliciesRead,
    PoliciesWrite,
    ConnectorsRead,
    ConnectorsWrite,
    IdentityRead,
    IdentityWrite,
    WebhooksRead,
    WebhooksWrite,
    AuditRead,
}

impl Scope {
    pub const ALL: [Scope; 15] = [
        Scope::ApplicationsRead,
        Scope::ApplicationsWrite,
        Scope::ScansRead,
        Scope::ScansWrite,
        Scope::VulnerabilitiesRead,
        Scope::VulnerabilitiesWrite,
        Scope::PoliciesRead,
        Scope::PoliciesWrite,
        Scope::ConnectorsRead,
        Scope::ConnectorsWrite,
        Scope::IdentityRead,
        Scope::IdentityWrite,
        Scope::WebhooksRead,
        Scope::WebhooksWrite,
        Scope::AuditRead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::ApplicationsRead => "applications:read",
            Scope::ApplicationsWrite => "applications:write",
            Scope::ScansRead => "scans:read",
            Scope::ScansWrite => "scans:write",
            Scope::VulnerabilitiesRead => "vulnerabilities:read",
            Scope::VulnerabilitiesWrite => "vulnerabilities:write",
            Scope::PoliciesRead => "policies:read",
            Scope::PoliciesWrite => "policies:write",
            Scope::ConnectorsRead => "connectors:read",
            Scope::ConnectorsWrite => "connectors:write",
            Scope::IdentityRead => "identity:read",
            Scope::IdentityWrite => "identity:write",
            Scope::WebhooksRead => "webhooks:read",
            Scope::WebhooksWrite => "webhooks:write",
            Scope::AuditRead => "audit:read",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|x| x.as_str() == s)
    }

    fn bit(self) -> u32 {
        1 << (self as u32)
    }

    /// A `*:read` scope other than `audit:read`: what the `read` alias grants.
    fn is_plain_read(self) -> bool {
        self != Scope::AuditRead && self.as_str().ends_with(":read")
    }
}

/// A set of scopes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Scopes(u32);

impl Scopes {
    /// Every scope: what an `X-Api-Key` carries, and the `admin` alias.
    pub const ALL: Scopes = Scopes((1 << Scope::ALL.len()) - 1);
    pub const NONE: Scopes = Scopes(0);

    /// The `read` alias: every `*:read` except `audit:read`.
    pub fn read() -> Scopes {
        Scope::ALL
            .into_iter()
            .filter(|s| s.is_plain_read())
            .collect()
    }

    pub fn contains(self, s: Scope) -> bool {
        self.0 & s.bit() != 0
    }

    pub fn is_subset_of(self, other: Scopes) -> bool {
        self.0 & !other.0 == 0
    }

    pub fn intersect(self, other: Scopes) -> Scopes {
        Scopes(self.0 & other.0)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL.into_iter().filter(move |s| self.contains(*s))
    }

    /// A space-separated list (RFC 6749 §3.3) of scope names and the aliases `read` and
    /// `admin`; `Err` names the first unknown token.
    pub fn parse(list: &str) -> Result<Scopes, String> {
        let mut out = Scopes::NONE;
        for tok in list.split(' ').filter(|t| !t.is_empty()) {
            out.0 |= match Scopes::aliases().into_iter().find(|(a, _)| *a == tok) {
                Some((_, scopes)) => scopes.0,
                None => Scope::parse(tok).ok_or_else(|| tok.to_string())?.bit(),
            };
        }
        Ok(out)
    }

    /// The aliases a scope list may use besides the scope names: `read` ([`Scopes::read`])
    /// and `admin` (every scope).
    pub fn aliases() -> [(&'static str, Scopes); 2] {
        [("read", Scopes::read()), ("admin", Scopes::ALL)]
    }
}

impl FromIterator<Scope> for Scopes {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> Self {
        Scopes(iter.into_iter().fold(0, |acc, s| acc | s.bit()))
    }
}

/// The canonical space-separated spelling (every scope named, no aliases).
impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.iter().map(Scope::as_str).collect();
        f.write_str(&names.join(" "))
    }
}

impl fmt::Debug for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scopes({self})")
    }
}

/// The area of each `/ias/v1` resource (first path segment): GET needs its `:read`
/// scope, every other method its `:write` scope. The one table of route scopes.
const IAS_AREAS: &[(&str, Scope, Scope)] = &[
    ("apps", Scope::ApplicationsRead, Scope::ApplicationsWrite),
    // AppSec+ `/applications` (the same apps)
    (
        "applications",
        Scope::ApplicationsRead,
        Scope::ApplicationsWrite,
    ),
    ("policies", Scope::PoliciesRead, Scope::PoliciesWrite),
    ("webhooks", Scope::WebhooksRead, Scope::WebhooksWrite),
    ("connectors", Scope::ConnectorsRead, Scope::ConnectorsWrite),
    (
        "connector-types",
        Scope::ConnectorsRead,
        Scope::ConnectorsWrite,
    ),
    ("targets", Scope::ApplicationsRead, Scope::ApplicationsWrite),
    ("tags", Scope::ApplicationsRead, Scope::ApplicationsWrite),
    ("attack-templates", Scope::ScansRead, Scope::ScansWrite),
    ("modules", Scope::ScansRead, Scope::ScansWrite),
    ("scan-configs", Scope::ScansRead, Scope::ScansWrite),
    ("scans", Scope::ScansRead, Scope::ScansWrite),
    ("schedules", Scope::ScansRead, Scope::ScansWrite),
    ("blackouts", Scope::ScansRead, Scope::ScansWrite),
    (
        "vulnerabilities",
        Scope::VulnerabilitiesRead,
        Scope::VulnerabilitiesWrite,
    ),
    // a report discloses the vulnerabilities it lists
    (
        "reports",
        Scope::VulnerabilitiesRead,
        Scope::VulnerabilitiesWrite,
    ),
    ("engines", Scope::ConnectorsRead, Scope::ConnectorsWrite),
    (
        "engine-groups",
        Scope::ConnectorsRead,
        Scope::ConnectorsWrite,
    ),
    ("oauth", Scope::IdentityRead, Scope::IdentityWrite),
    (
        "service-accounts",
        Scope::IdentityRead,
        Scope::IdentityWrite,
    ),
    ("users", Scope::IdentityRead, Scope::IdentityWrite),
    ("organization", Scope::IdentityRead, Scope::IdentityWrite),
    ("organizations", Scope::IdentityRead, Scope::IdentityWrite),
    ("identity-groups", Scope::IdentityRead, Scope::IdentityWrite),
    // `/identity/groups`, the alias of `/identity-groups`
    ("identity", Scope::IdentityRead, Scope::IdentityWrite),
    ("api-keys", Scope::IdentityRead, Scope::IdentityWrite),
    ("audit-logs", Scope::AuditRead, Scope::AuditRead),
];

/// POSTs that only read (a filter in the body).
const READ_POSTS: &[&str] = &[
    "/vulnerabilities/variances/documentation",
    // an evaluation reads findings and changes nothing
    "/policies/{id}/evaluate",
];

/// What a route needs, from its method and its path template relative to the API root
/// (`/apps/{app_id}`, `/ias/v1` or `/v1` stripped).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Required {
    /// Nothing beyond authentication (`/validate`).
    Nothing,
    Scope(Scope),
    /// `POST /search`: the `:read` scope of the searched type's area, checked by the
    /// search route once it has parsed the body ([`search_scope`]).
    Search,
}

/// The scope a route needs; `None` for a route outside the table (refused: every
/// authenticated route must be listed).
pub fn required(method: &str, path: &str) -> Option<Required> {
    let path = path.trim_end_matches('/');
    if path == "/validate" {
        return Some(Required::Nothing);
    }
    if path == "/search" {
        return Some(Required::Search);
    }
    let area = path.trim_start_matches('/').split('/').next().unwrap_or("");
    let (_, read, write) = IAS_AREAS.iter().find(|(a, _, _)| *a == area)?;
    let reads = matches!(method, "GET" | "HEAD") || READ_POSTS.contains(&path);
    Some(Required::Scope(if reads { *read } else { *write }))
}

/// The scope a search of `search_type` (`APP`, `SCAN`, …) needs.
pub fn search_scope(search_type: &str) -> Scope {
    match search_type.to_ascii_uppercase().as_str() {
        "APP" | "TARGET" | "FILE" | "TAG" => Scope::ApplicationsRead,
        "VULNERABILITY" | "VULNERABILITY_DISCOVERY" | "REPORT" => Scope::VulnerabilitiesRead,
        "ENGINE" | "ENGINE_GROUP" => Scope::ConnectorsRead,
        _ => Scope::ScansRead,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_and_names() {
        let read = Scopes::parse("read").unwrap();
        assert!(read.contains(Scope::ApplicationsRead));
        assert!(!read.contains(Scope::AuditRead), "decision 4");
        assert!(!read.contains(Scope::ScansWrite));
        assert_eq!(Scopes::parse("admin").unwrap(), Scopes::ALL);
        assert_eq!(Scopes::parse("bogus scans:read"), Err("bogus".to_string()));
        let s = Scopes::parse("scans:write  applications:read").unwrap();
        assert_eq!(s.to_string(), "applications:read scans:write");
        assert_eq!(Scopes::parse(&s.to_string()).unwrap(), s);
        assert!(s.is_subset_of(Scopes::ALL));
        assert!(!Scopes::ALL.is_subset_of(s));
        for x in Scope::ALL {
            assert_eq!(Scope::parse(x.as_str()), Some(x));
        }
    }

    #[test]
    fn route_table() {
        use Required as R;
        assert_eq!(
            required("GET", "/apps/{app_id}"),
            Some(R::Scope(Scope::ApplicationsRead))
        );
        assert_eq!(
            required("PUT", "/apps/{app_id}"),
            Some(R::Scope(Scope::ApplicationsWrite))
        );
        assert_eq!(
            required("POST", "/scans"),
            Some(R::Scope(Scope::ScansWrite))
        );
        assert_eq!(
            required("POST", "/vulnerabilities/variances/documentation"),
            Some(R::Scope(Scope::VulnerabilitiesRead))
        );
        assert_eq!(required("POST", "/search"), Some(R::Search));
        assert_eq!(required("GET", "/validate"), Some(R::Nothing));
        assert_eq!(required("GET", "/nowhere"), None);
        assert_eq!(search_scope("vulnerability"), Scope::VulnerabilitiesRead);
    }
}
