//! Allowed targets: what a target domain is, and which URLs it admits.
//!
//! One rule, one home: the service checks seeds and scope URLs with it at submit
//! (`TARGETS_INVALID`), and the engine's scope gate checks every request with it. A
//! target is a host — a fully qualified domain name or an IP address — optionally with
//! `:port`. A domain admits itself and its subdomains (`shop.test` admits
//! `api.shop.test`, not `evilshop.test`); an IP address admits only itself. A target with
//! a port admits only URLs on that port (the scheme's default port counts:
//! `shop.test:443` admits `https://shop.test/`); one without a port admits every port.
//! Only `http` and `https` URLs are ever admitted.

use std::fmt;
use url::{Host, Url};

/// A parsed, canonical target domain (`host` or `host:port`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetDomain {
    host: Host<String>,
    port: Option<u16>,
}

impl TargetDomain {
    /// Parses a target domain in its canonical form: lower case, no trailing dot, no
    /// scheme, path, user or query; IPv6 addresses in brackets. Anything else is `None`,
    /// so a stored domain always parses back to itself (see [`TargetDomain::from_input`]).
    pub fn parse(raw: &str) -> Option<Self> {
        if raw.is_empty()
            || raw.len() > MAX_INPUT_LEN
            || raw.ends_with('.')
            || raw.contains(['/', '?', '#', '@', '\\'])
        {
            return None;
        }
        let parsed = Url::parse(&format!("http://{raw}/")).ok()?;
        let host = parsed.host()?.to_owned();
        let port = explicit_port(raw)?;
        let t = Self { host, port };
        (t.to_string() == raw).then_some(t)
    }

    /// What a user typed (trimmed, lower case, trailing dot removed), or `None` when it is
    /// not a target domain.
    pub fn from_input(raw: &str) -> Option<Self> {
        Self::parse(&raw.trim().trim_end_matches('.').to_ascii_lowercase())
    }

    /// Whether `url` is under this target (see the module doc).
    pub fn admits(&self, url: &Url) -> bool {
        if !matches!(url.scheme(), "http" | "https") {
            return false;
        }
        let Some(host) = url.host() else {
            return false;
        };
        let host_ok = match (&self.host, host) {
            (Host::Domain(d), Host::Domain(h)) => {
                let h = h.trim_end_matches('.');
                h.eq_ignore_ascii_case(d)
                    || (h.len() > d.len()
                        && h.as_bytes()[h.len() - d.len() - 1] == b'.'
                        && h[h.len() - d.len()..].eq_ignore_ascii_case(d))
            }
            (Host::Ipv4(a), Host::Ipv4(b)) => *a == b,
            (Host::Ipv6(a), Host::Ipv6(b)) => *a == b,
            _ => false,
        };
        host_ok
            && self
                .port
                .is_none_or(|p| url.port_or_known_default() == Some(p))
    }
}

impl fmt::Display for TargetDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.host)?;
        match self.port {
            Some(p) => write!(f, ":{p}"),
            None => Ok(()),
        }
    }
}

/// The port written after the host, if any: `Some(None)` for none, `None` when the text
/// after the last `:` is not a port. (`Url` drops a scheme's default port, so it is read
/// from the text.)
fn explicit_port(raw: &str) -> Option<Option<u16>> {
    match raw.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') || h.ends_with(']') => p.parse::<u16>().ok().map(Some),
        _ => Some(None),
    }
}

/// The punctuation a host name may hold besides `-` and `.`: what the WHATWG URL standard
/// (the `url` crate, which [`TargetDomain::parse`] runs) leaves in a host, checked character by
/// character in the tests.
const NAME_PUNCTUATION: &str = "!\"$&'()*+,;=_`{}~";

/// White space [`TargetDomain::from_input`] trims (`char::is_whitespace`).
const WHITE_SPACE: &str =
    "[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";

/// The longest target domain in bytes: a name of 253 and `:port` (the pattern's characters
/// are ASCII, so also in characters).
pub const MAX_INPUT_LEN: usize = 253 + 6;

/// A regular expression (ECMA 262 and `regex` syntax, without look-around, so that a schema
/// generator can draw from it) of text that [`TargetDomain::from_input`] takes: a host name
/// (any case), a dotted IPv4 address or an IPv6 address in brackets, an optional `:port`,
/// trailing dots and surrounding white space, and at most [`MAX_INPUT_LEN`] characters (said
/// apart, as `maxLength`). Every string it matches is a target domain; the target domains it
/// leaves out are IPv6 addresses other than those with one `::` and nonzero groups, labels of
/// punycode (`xn--`), and a dot before the port (`shop.test.:80`): see the tests.
pub fn input_pattern() -> String {
    let label = |c: char| c.is_ascii_alphanumeric() || c == '-' || NAME_PUNCTUATION.contains(c);
    let any = class(label);
    // A label, but not one of punycode (`xn--…`, which the URL parser decodes).
    let not_x = class(|c| label(c) && !matches!(c, 'x' | 'X'));
    let punycode_free = |first: &str| {
        format!(
            "(?:{first}{any}*|[xX](?:{n}{any}*)?|[xX][nN](?:{h}{any}*)?|[xX][nN]-(?:{h}{any}*)?)",
            n = class(|c| label(c) && !matches!(c, 'n' | 'N')),
            h = class(|c| label(c) && c != '-'),
        )
    };
    // Labels but the last may be empty (`.shop.test`, `shop..test`).
    let inner = punycode_free(&not_x);
    // The last label is not a number (decimal, octal or `0x` hex): the URL parser would
    // read the host as an IPv4 address.
    let non_digit = class(|c| label(c) && !c.is_ascii_digit());
    let last = format!(
        "(?:{word}|[1-9][0-9]*{non_digit}{any}*|0(?:[0-9]+{non_digit}{any}*|{non_digit_x}{any}*|[xX][0-9a-fA-F]*{non_hex}{any}*))",
        word = punycode_free(&class(|c| label(c) && !c.is_ascii_digit() && !matches!(c, 'x' | 'X'))),
        non_digit_x = class(|c| label(c) && !c.is_ascii_digit() && !matches!(c, 'x' | 'X')),
        non_hex = class(|c| label(c) && !c.is_ascii_hexdigit()),
    );
    let octet = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
    let group = "[1-9a-fA-F][0-9a-fA-F]{0,3}";
    let groups = format!("(?:{group}(?::{group}){{0,2}})?");
    let port = "(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}|0)";
    format!(
        "^{ws}*(?:(?:{inner}?\\.)*{last}|{octet}(?:\\.{octet}){{3}}|\\[{groups}::{groups}\\])(?::{port})?\\.*{ws}*$",
        ws = WHITE_SPACE,
    )
}

/// A character class of the printable ASCII characters `keep` keeps, in a syntax that ECMA 262
/// (with or without `u`), Python and `regex` read alike.
fn class(keep: impl Fn(char) -> bool) -> String {
    let chars: Vec<char> = ('!'..='~').filter(|c| keep(*c)).collect();
    let escaped = |c: char| match c {
        '\\' | ']' | '[' | '^' | '-' => format!("\\{c}"),
        c => c.to_string(),
    };
    let mut out = String::from("[");
    let mut i = 0;
    while i < chars.len() {
        // A run of letters or digits is written as a range.
        let mut j = i;
        while chars[i].is_ascii_alphanumeric()
            && chars
                .get(j + 1)
                .is_some_and(|&n| n.is_ascii_alphanumeric() && n as u32 == chars[j] as u32 + 1)
        {
            j += 1;
        }
        if j >= i + 2 {
            out.push_str(&format!("{}-{}", chars[i], chars[j]));
        } else {
            chars[i..=j].iter().for_each(|c| out.push_str(&escaped(*c)));
        }
        i = j + 1;
    }
    out.push(']');
    out
}

/// The allowed targets of a scan, parsed once. Domains that do not parse admit nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Targets(Vec<TargetDomain>);

impl Targets {
    pub fn parse<S: AsRef<str>>(domains: &[S]) -> Self {
        Self(
            domains
                .iter()
                .filter_map(|d| TargetDomain::from_input(d.as_ref()))
                .collect(),
        )
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether some target admits `url`.
    pub fn admits(&self, url: &Url) -> bool {
        self.0.iter().any(|t| t.admits(url))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn parse_is_canonical() {
        for ok in [
            "shop.test",
            "localhost:8080",
            "127.0.0.1",
            "127.0.0.1:80",
            "[::1]",
            "[::1]:8443",
        ] {
            assert_eq!(TargetDomain::parse(ok).unwrap().to_string(), ok, "{ok}");
        }
        for bad in [
            "",
            "Shop.test",
            "https://shop.test",
            "shop.test/x",
            "shop.test:",
            "shop.test:99999",
            "u@shop.test",
            "::1",
            "shop.test.",
        ] {
            assert_eq!(TargetDomain::parse(bad), None, "{bad}");
        }
        assert_eq!(
            TargetDomain::from_input(" Shop.Test. ").map(|t| t.to_string()),
            Some("shop.test".to_string())
        );
    }

    #[test]
    fn admits_hosts_subdomains_and_ports() {
        let t = Targets::parse(&["shop.test", "localhost:8080", "10.0.0.1", "[::1]:443"]);
        assert!(t.admits(&u("https://shop.test/a")));
        assert!(t.admits(&u("http://api.shop.test:9000/")));
        assert!(t.admits(&u("http://API.Shop.test./")));
        assert!(!t.admits(&u("http://evilshop.test/")));
        assert!(!t.admits(&u("http://shop.test.evil/")));
        assert!(t.admits(&u("http://localhost:8080/")));
        assert!(t.admits(&u("http://a.localhost:8080/")));
        assert!(!t.admits(&u("http://localhost/")));
        assert!(!t.admits(&u("https://localhost:8443/")));
        assert!(t.admits(&u("http://10.0.0.1:1234/")));
        assert!(!t.admits(&u("http://10.0.0.10/")));
        assert!(t.admits(&u("https://[::1]/")));
        assert!(!t.admits(&u("http://[::1]/")));
        assert!(!t.admits(&u("ftp://shop.test/")));
        assert!(!Targets::parse(&["80"]).admits(&u("http://0.0.0.80/")));
    }

    #[test]
    fn default_ports_count() {
        let t = Targets::parse(&["shop.test:443", "plain.test:80"]);
        assert!(t.admits(&u("https://shop.test/")));
        assert!(!t.admits(&u("http://shop.test/")));
        assert!(t.admits(&u("http://plain.test/")));
    }

    /// The target domains [`input_pattern`] leaves out on purpose (see its doc).
    fn left_out(s: &str) -> bool {
        let t = s.trim().trim_end_matches('.').to_ascii_lowercase();
        t.starts_with('[') || t.contains(".:") || t.split(['.', ':']).any(|l| l.starts_with("xn--"))
    }

    fn pattern() -> regex::Regex {
        regex::Regex::new(&input_pattern()).unwrap()
    }

    /// Every string of up to two characters (printable ASCII, white space, a control and a
    /// non-ASCII letter), and of up to four of the characters that make hosts, numbers, ports
    /// and punycode: the pattern matches exactly the target domains (but those left out).
    #[test]
    fn the_pattern_is_the_rule_on_short_strings() {
        let re = pattern();
        let bad = std::cell::RefCell::new(Vec::<String>::new());
        let check = |s: &str| {
            let taken = TargetDomain::from_input(s).is_some();
            let matched = re.is_match(s);
            if (matched && !taken) || (taken && !matched && !left_out(s)) {
                bad.borrow_mut().push(format!("{s:?} (taken: {taken})"));
            }
            taken
        };
        let wide: Vec<char> = (' '..='~')
            .chain([
                '\t', '\n', '\u{85}', '\u{a0}', '\u{3000}', '\0', '\u{1}', 'é', 'K',
            ])
            .collect();
        let narrow: Vec<char> = "a0x9Xn-.:[]!_ %@/fg".chars().collect();
        let mut taken = 0;
        for a in &wide {
            for b in std::iter::once(None).chain(wide.iter().map(Some)) {
                let s: String = std::iter::once(*a).chain(b.copied()).collect();
                taken += usize::from(check(&s));
            }
        }
        for a in &narrow {
            for b in &narrow {
                for c in &narrow {
                    for d in std::iter::once(None).chain(narrow.iter().map(Some)) {
                        let s: String = [*a, *b, *c].into_iter().chain(d.copied()).collect();
                        taken += usize::from(check(&s));
                    }
                }
            }
        }
        assert!(
            taken > 5000,
            "{taken} target domains among the short strings"
        );
        for s in [
            "shop.test",
            " Shop.Test.. ",
            "1.2.3.4:80",
            "[::1]",
            "[1:2::a]:8443",
            "a!b.c_d:0",
        ] {
            assert!(check(s) && re.is_match(s), "{s:?}");
        }
        for s in ["xn--bcher-kva.test", "[1:0:2:3:4:5:6:7]", "shop.test.:80"] {
            assert!(check(s) && !re.is_match(s), "{s:?}");
        }
        let bad = bad.borrow();
        assert!(
            bad.is_empty(),
            "{} differ: {:?}",
            bad.len(),
            &bad[..bad.len().min(50)]
        );
    }

    proptest::proptest! {
        /// Every string the pattern matches (within [`MAX_INPUT_LEN`]) is a target domain.
        #[test]
        fn every_string_of_the_pattern_is_a_target_domain(
            s in proptest::string::string_regex(input_pattern().trim_start_matches('^').trim_end_matches('$')).unwrap()
        ) {
            proptest::prop_assume!(s.trim().len() <= MAX_INPUT_LEN);
            proptest::prop_assert!(TargetDomain::from_input(&s).is_some(), "{:?}", s);
        }

        /// Every target domain made of host characters is matched (but those left out).
        #[test]
        fn every_target_domain_is_matched(s in "[a-zA-Z0-9!$&'()*+,;=_`{}~\\[\\]:. -]{1,12}") {
            if TargetDomain::from_input(&s).is_some() && !left_out(&s) {
                proptest::prop_assert!(pattern().is_match(&s), "{:?}", s);
            }
        }
    }
}
