//! The engine's cookie jar: RFC 6265 storage and matching (domain, path, secure, expiry),
//! delegated to `cookie_store`.

use cookie_store::CookieStore;
use std::collections::BTreeMap;
use url::Url;

/// Cookies the targets set, sent back only where RFC 6265 says they belong.
#[derive(Default)]
pub(crate) struct Jar {
    store: CookieStore,
}

impl Jar {
    /// Stores one `Set-Cookie` header received from `url`. A cookie the RFC tells a user
    /// agent to ignore (foreign domain, malformed) is ignored; an expired one removes the
    /// stored cookie of the same name, domain and path.
    pub fn store(&mut self, url: &Url, set_cookie: &str) {
        // Rejections are the RFC's verdict on a target's header, not engine errors.
        let _ = self.store.parse(set_cookie, url);
    }

    /// Drops every cookie that would be sent to `url` (a fresh anonymous session).
    pub fn forget(&mut self, url: &Url) {
        let doomed: Vec<(String, String, String)> = self
            .store
            .iter_any()
            .filter(|c| c.domain.matches(url))
            .map(|c| {
                (
                    String::from(&c.domain),
                    String::from(&c.path),
                    c.name().to_string(),
                )
            })
            .collect();
        for (domain, path, name) in doomed {
            self.store.remove(&domain, &path, &name);
        }
    }

    /// Name → value of the unexpired cookies a request to `url` carries.
    pub fn for_url(&self, url: &Url) -> BTreeMap<String, String> {
        self.store
            .get_request_values(url)
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn names(jar: &Jar, u: &str) -> Vec<String> {
        jar.for_url(&url(u)).into_keys().collect()
    }

    #[test]
    fn host_only_cookies_stay_on_their_host_and_domain_cookies_reach_subdomains() {
        let mut jar = Jar::default();
        jar.store(&url("http://shop.example.com/"), "host=1");
        jar.store(
            &url("http://shop.example.com/"),
            "wide=2; Domain=example.com",
        );
        // A site may not set cookies for a domain it is not part of.
        jar.store(&url("http://shop.example.com/"), "evil=3; Domain=other.org");
        assert_eq!(names(&jar, "http://shop.example.com/a"), ["host", "wide"]);
        assert_eq!(names(&jar, "http://api.example.com/"), ["wide"]);
        assert_eq!(names(&jar, "http://example.com/"), ["wide"]);
        assert!(names(&jar, "http://other.org/").is_empty());
        // The port does not isolate cookies (RFC 6265 §8.5).
        assert_eq!(
            names(&jar, "http://shop.example.com:8080/"),
            ["host", "wide"]
        );
    }

    #[test]
    fn path_scopes_a_cookie_to_its_subtree() {
        let mut jar = Jar::default();
        jar.store(&url("http://a.example/admin/login"), "adm=1; Path=/admin");
        jar.store(&url("http://a.example/admin/login"), "dflt=2");
        assert_eq!(names(&jar, "http://a.example/admin/users"), ["adm", "dflt"]);
        assert_eq!(names(&jar, "http://a.example/admin"), ["adm", "dflt"]);
        // The default path is the directory of the request (/admin), so neither reaches /.
        assert!(names(&jar, "http://a.example/").is_empty());
        assert!(names(&jar, "http://a.example/administrator").is_empty());
    }

    #[test]
    fn secure_cookies_travel_only_over_https_or_loopback() {
        let mut jar = Jar::default();
        jar.store(&url("https://a.example/"), "s=1; Secure");
        jar.store(&url("https://a.example/"), "p=2");
        assert_eq!(names(&jar, "https://a.example/"), ["p", "s"]);
        assert_eq!(names(&jar, "http://a.example/"), ["p"]);
        // Browsers treat loopback as a secure context; so does the jar (local testbeds).
        let mut local = Jar::default();
        local.store(&url("http://127.0.0.1:8080/"), "s=1; Secure");
        assert_eq!(names(&local, "http://127.0.0.1:8080/"), ["s"]);
    }

    #[test]
    fn expired_cookies_are_removed_and_never_sent() {
        let mut jar = Jar::default();
        let u = url("http://a.example/");
        jar.store(&u, "sid=abc");
        jar.store(&u, "keep=1; Max-Age=3600");
        assert_eq!(names(&jar, "http://a.example/"), ["keep", "sid"]);
        jar.store(&u, "sid=; Max-Age=0");
        assert_eq!(names(&jar, "http://a.example/"), ["keep"]);
        jar.store(&u, "keep=; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
        assert!(names(&jar, "http://a.example/").is_empty());
        // An already expired cookie is never stored.
        jar.store(&u, "old=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT");
        assert!(names(&jar, "http://a.example/").is_empty());
    }

    #[test]
    fn a_new_value_replaces_the_old_and_forget_clears_a_host() {
        let mut jar = Jar::default();
        let u = url("http://a.example/");
        jar.store(&u, "sid=1");
        jar.store(&u, "sid=2");
        assert_eq!(jar.for_url(&u).get("sid").map(String::as_str), Some("2"));
        jar.store(&url("http://b.example/"), "sid=9");
        jar.forget(&u);
        assert!(jar.for_url(&u).is_empty());
        assert_eq!(names(&jar, "http://b.example/"), ["sid"]);
    }
}
