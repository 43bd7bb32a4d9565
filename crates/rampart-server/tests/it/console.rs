//! The web console over real HTTP: sign-in (password, API key, first run), sign-out,
//! CSRF, session fixation, and a read-only user who sees no write control and whose
//! writes are refused anyway. Cookies are handled by hand so the tests see exactly what
//! the server sets.

use rampart_domain::{Severity, VulnStatus};
use rampart_service::UserInput;
use rampart_testkit::TestApp;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{redirect::Policy, Client, Response, StatusCode};

const PASSWORD: &str = "correct horse battery staple";

fn client() -> Client {
    Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client")
}

/// A browser's cookie jar for the console, by hand.
#[derive(Default, Clone)]
pub(crate) struct Jar(Vec<(String, String)>);

impl Jar {
    fn take(&mut self, r: &Response) {
        for v in r.headers().get_all(SET_COOKIE) {
            let v = v.to_str().expect("ascii cookie");
            let (kv, _) = v.split_once(';').unwrap_or((v, ""));
            let (k, val) = kv.split_once('=').expect("name=value");
            self.0.retain(|(n, _)| n != k);
            if !val.is_empty() && !v.contains("Max-Age=0") {
                self.0.push((k.to_string(), val.to_string()));
            }
        }
    }
    fn get(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
    fn set(&mut self, name: &str, value: &str) {
        self.0.retain(|(n, _)| n != name);
        self.0.push((name.into(), value.into()));
    }
    pub(crate) fn header(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// A browser: a jar and the server.
pub(crate) struct Browser<'a> {
    t: &'a TestApp,
    pub(crate) jar: Jar,
    http: Client,
}

impl<'a> Browser<'a> {
    pub(crate) fn new(t: &'a TestApp) -> Self {
        Self {
            t,
            jar: Jar::default(),
            http: client(),
        }
    }

    pub(crate) async fn get(&mut self, path: &str) -> (StatusCode, String, Option<String>) {
        let r = self
            .http
            .get(self.t.url(path))
            .header(COOKIE, self.jar.header())
            .send()
            .await
            .expect("GET");
        self.jar.take(&r);
        let status = r.status();
        let loc = r
            .headers()
            .get(LOCATION)
            .map(|l| l.to_str().expect("ascii").to_string());
        (status, r.text().await.expect("body"), loc)
    }

    pub(crate) async fn post(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String, Option<String>) {
        let r = self
            .http
            .post(self.t.url(path))
            .header(COOKIE, self.jar.header())
            .form(form)
            .send()
            .await
            .expect("POST");
        self.jar.take(&r);
        let status = r.status();
        let loc = r
            .headers()
            .get(LOCATION)
            .map(|l| l.to_str().expect("ascii").to_string());
        (status, r.text().await.expect("body"), loc)
    }

    /// The CSRF token of the first form of `path`.
    pub(crate) async fn csrf(&mut self, path: &str) -> String {
        let (status, html, _) = self.get(path).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {html}");
        csrf_in(&html).unwrap_or_else(|| panic!("no csrf field in {path}"))
    }

    async fn sign_in(&mut self, email: &str, password: &str) -> (StatusCode, Option<String>) {
        let pre = self.csrf("/console/sign-in").await;
        let (s, _, loc) = self
            .post(
                "/console/sign-in",
                &[("csrf", &pre), ("email", email), ("password", password)],
            )
            .await;
        (s, loc)
    }

    pub(crate) async fn sign_in_key(&mut self, key: &str) {
        let pre = self.csrf("/console/sign-in").await;
        let (s, body, loc) = self
            .post("/console/sign-in/key", &[("csrf", &pre), ("key", key)])
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
        assert_eq!(loc.as_deref(), Some("/console"));
    }
}

pub(crate) fn csrf_in(html: &str) -> Option<String> {
    let at = html.find(r#"name="csrf" value=""#)? + r#"name="csrf" value=""#.len();
    Some(html[at..].split('"').next()?.to_string())
}

async fn with_password(t: &TestApp, user: &rampart_testkit::Key) {
    t.service
        .update_user(
            &t.keys.admin.principal,
            user.id(),
            UserInput {
                password: Some(PASSWORD.into()),
                ..UserInput::default()
            },
        )
        .await
        .expect("set password");
}

#[tokio::test]
async fn console_root_opens_the_console_and_pages_need_a_session() {
    let t = TestApp::spawn().await;
    let mut b = Browser::new(&t);
    let (s, _, loc) = b.get("/").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(loc.as_deref(), Some("/console"));
    for path in ["/console", "/console/vulnerabilities"] {
        let (s, _, loc) = b.get(path).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(loc.as_deref(), Some("/console/sign-in"), "{path}");
    }
    let r = client()
        .get(t.url("/console/sign-in"))
        .send()
        .await
        .expect("GET");
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .expect("ascii");
    assert!(
        csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    let css = client()
        .get(t.url("/console/assets/console.css"))
        .send()
        .await
        .expect("GET");
    assert_eq!(css.status(), StatusCode::OK);
    assert!(css
        .text()
        .await
        .expect("css")
        .contains("prefers-color-scheme: dark"));
}

#[tokio::test]
async fn console_sign_in_with_a_password_then_sign_out() {
    let t = TestApp::spawn().await;
    with_password(&t, &t.keys.read_write).await;
    let mut b = Browser::new(&t);

    let (s, _) = b.sign_in("writer@example.test", "wrong password!!").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(b.jar.get("rampart_session"), None);

    let r = {
        let pre = b.csrf("/console/sign-in").await;
        client()
            .post(t.url("/console/sign-in"))
            .header(COOKIE, b.jar.header())
            .form(&[
                ("csrf", pre.as_str()),
                ("email", "writer@example.test"),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .expect("POST")
    };
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cookie = r
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().expect("ascii").to_string())
        .find(|v| v.starts_with("rampart_session="))
        .expect("a session cookie");
    for attr in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/console"] {
        assert!(cookie.contains(attr), "{cookie} lacks {attr}");
    }
    b.jar.take(&r);

    let (s, html, _) = b.get("/console").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("Dashboard") && html.contains("writer@example.test"),
        "{html}"
    );
    assert!(html.contains("Open vulnerabilities by severity"));

    let token = b.jar.get("rampart_session").expect("session");
    let csrf = csrf_in(&html).expect("csrf");
    let (s, _, loc) = b.post("/console/sign-out", &[("csrf", &csrf)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(loc.as_deref(), Some("/console/sign-in"));
    assert_eq!(b.jar.get("rampart_session"), None, "the cookie is cleared");
    // The token itself is dead on the server, not only forgotten by the browser.
    b.jar.set("rampart_session", &token);
    let (s, _, loc) = b.get("/console").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(loc.as_deref(), Some("/console/sign-in"));
}

#[tokio::test]
async fn console_refuses_posts_without_the_sessions_csrf_token() {
    let t = TestApp::spawn().await;
    let app = t.fx_app("shop").await;
    let (_, v) = t.fx_vulnerability(app).await;
    let mut b = Browser::new(&t);
    // The sign-in form's token must match its cookie.
    let (s, _, _) = b
        .post(
            "/console/sign-in/key",
            &[("csrf", "forged"), ("key", &t.keys.admin.token)],
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(b.jar.get("rampart_session"), None);

    b.sign_in_key(&t.keys.admin.token).await;
    let page = format!("/console/vulnerabilities/{}", v.id);
    let good = b.csrf(&page).await;
    for bad in [None, Some("forged"), Some("")] {
        let mut form = vec![("status", "IGNORED")];
        if let Some(bad) = bad {
            form.push(("csrf", bad));
        }
        let (s, _, _) = b.post(&page, &form).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "csrf {bad:?}");
    }
    let (s, _, _) = b
        .post(
            "/console/vulnerabilities/bulk",
            &[("id", &v.id.to_string()), ("status", "IGNORED")],
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = b.post("/console/sign-out", &[("csrf", "forged")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let now = t
        .service
        .get_vulnerability(&t.keys.admin.principal, v.id)
        .await
        .expect("get");
    assert_eq!(now.status, v.status, "no refused POST changed anything");
    // Another session's token is not this session's.
    let mut other = Browser::new(&t);
    other.sign_in_key(&t.keys.read_write.token).await;
    let theirs = other.csrf(&page).await;
    assert_ne!(theirs, good);
    let (s, _, _) = b
        .post(&page, &[("csrf", &theirs), ("status", "IGNORED")])
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // With the right token it works.
    let (s, _, _) = b
        .post(&page, &[("csrf", &good), ("status", "IGNORED")])
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn console_sign_in_issues_a_new_session_and_ends_a_planted_one() {
    let t = TestApp::spawn().await;
    with_password(&t, &t.keys.admin).await;
    // A session id the attacker made up is never accepted, so it cannot be promoted.
    let mut victim = Browser::new(&t);
    victim.jar.set("rampart_session", "attacker-chosen-value");
    let (s, _, loc) = victim.get("/console").await;
    assert_eq!(
        (s, loc.as_deref()),
        (StatusCode::SEE_OTHER, Some("/console/sign-in"))
    );

    // The attacker's own valid session, planted in the victim's browser…
    let mut attacker = Browser::new(&t);
    attacker.sign_in_key(&t.keys.read_only.token).await;
    let planted = attacker
        .jar
        .get("rampart_session")
        .expect("attacker session");
    victim.jar.set("rampart_session", &planted);
    // …is replaced when the victim signs in, and ends on the server.
    let (s, loc) = victim.sign_in("admin@example.test", PASSWORD).await;
    assert_eq!(
        (s, loc.as_deref()),
        (StatusCode::SEE_OTHER, Some("/console"))
    );
    let fresh = victim.jar.get("rampart_session").expect("new session");
    assert_ne!(fresh, planted);
    let (s, html, _) = victim.get("/console").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("admin@example.test"));
    let (s, _, loc) = attacker.get("/console").await;
    assert_eq!(
        (s, loc.as_deref()),
        (StatusCode::SEE_OTHER, Some("/console/sign-in")),
        "the planted session no longer works for the attacker"
    );
}

#[tokio::test]
async fn console_read_only_user_sees_no_write_control_and_writes_are_refused() {
    let t = TestApp::spawn().await;
    let app = t.fx_app("shop").await;
    let (_, v) = t.fx_vulnerability(app).await;
    let page = format!("/console/vulnerabilities/{}", v.id);

    let mut ro = Browser::new(&t);
    ro.sign_in_key(&t.keys.read_only.token).await;
    let (s, html, _) = ro.get(&page).await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Proof"), "{html}");
    for control in [
        r#"name="status""#,
        r#"name="severity""#,
        r#"name="content""#,
        "Triage",
    ] {
        assert!(!html.contains(control), "read-only page shows {control}");
    }
    let (s, list, _) = ro.get("/console/vulnerabilities").await;
    assert_eq!(s, StatusCode::OK);
    assert!(list.contains(&v.id.to_string()));
    assert!(!list.contains("Apply to selected") && !list.contains(r#"name="id""#));

    // The server refuses anyway, with a valid CSRF token (the sign-out form's).
    let csrf = csrf_in(&html).expect("sign-out form token");
    let (s, _, _) = ro
        .post(&page, &[("csrf", &csrf), ("status", "IGNORED")])
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = ro
        .post(
            "/console/vulnerabilities/bulk",
            &[
                ("csrf", &csrf),
                ("id", &v.id.to_string()),
                ("severity", "LOW"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = ro
        .post(
            &format!("{page}/comments"),
            &[("csrf", &csrf), ("content", "mine")],
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let now = t
        .service
        .get_vulnerability(&t.keys.admin.principal, v.id)
        .await
        .expect("get");
    assert_eq!((now.status, now.severity), (v.status, v.severity));

    // A read-write user triages: status, severity, comment, bulk; history records it.
    let mut rw = Browser::new(&t);
    rw.sign_in_key(&t.keys.read_write.token).await;
    let csrf = rw.csrf(&page).await;
    let (s, _, _) = rw
        .post(
            &page,
            &[
                ("csrf", &csrf),
                ("status", "VERIFIED"),
                ("severity", "CRITICAL"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _, _) = rw
        .post(
            &format!("{page}/comments"),
            &[("csrf", &csrf), ("content", "confirmed by hand")],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, html, _) = rw.get(&page).await;
    assert!(html.contains("confirmed by hand"));
    assert!(html.contains("STATUS UNREVIEWED → VERIFIED"), "{html}");
    let (_, w) = t.fx_vulnerability(app).await;
    let (s, _, loc) = rw
        .post(
            "/console/vulnerabilities/bulk",
            &[
                ("csrf", &csrf),
                ("id", &v.id.to_string()),
                ("id", &w.id.to_string()),
                ("status", "IGNORED"),
                ("back", "/console/vulnerabilities?open=1"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(loc.as_deref(), Some("/console/vulnerabilities?open=1"));
    for id in [v.id, w.id] {
        let now = t
            .service
            .get_vulnerability(&t.keys.admin.principal, id)
            .await
            .expect("get");
        assert_eq!(now.status, VulnStatus::Ignored);
    }
    let now = t
        .service
        .get_vulnerability(&t.keys.admin.principal, v.id)
        .await
        .expect("get");
    assert_eq!(now.severity, Severity::Critical);

    // A revoked key ends the sessions opened with it.
    let ro_key = t
        .service
        .list_keys(&t.keys.admin.principal, Some(t.keys.read_only.id()))
        .await
        .expect("keys");
    for k in ro_key {
        t.service
            .revoke_key(&t.keys.admin.principal, k.key.id)
            .await
            .expect("revoke");
    }
    let (s, _, loc) = ro.get("/console").await;
    assert_eq!(
        (s, loc.as_deref()),
        (StatusCode::SEE_OTHER, Some("/console/sign-in"))
    );
}

#[tokio::test]
async fn console_list_filters_with_the_search_language_and_facets() {
    let t = TestApp::spawn().await;
    let app = t.fx_app("shop").await;
    let (_, v) = t.fx_vulnerability(app).await;
    let mut b = Browser::new(&t);
    b.sign_in_key(&t.keys.admin.token).await;
    let (s, html, _) = b.get("/console/vulnerabilities?severity=HIGH").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(&v.id.to_string()));
    let (_, html, _) = b.get("/console/vulnerabilities?severity=LOW").await;
    assert!(!html.contains(&v.id.to_string()));
    let q = format!(
        "/console/vulnerabilities?q=vulnerability.root_cause.url+CONTAINS+%27{}%27",
        &v.root_cause.url[20..]
    );
    let (s, html, _) = b.get(&q).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    assert!(html.contains(&v.id.to_string()));
    let (s, html, _) = b
        .get("/console/vulnerabilities?q=vulnerability.nope+%3D+1")
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains(r#"role="alert""#), "{html}");
    // The search box offers the catalogue's field names.
    assert!(html.contains(r#"<option value="vulnerability.severity">"#));
}

#[tokio::test]
async fn console_first_run_makes_the_first_admin_once() {
    let t = TestApp::spawn().await;
    let org = t.keys.admin.org();
    for u in t.store().list_users(org).await.expect("users") {
        t.store()
            .delete_principal(org, u.id, rampart_domain::PrincipalKind::User)
            .await
            .expect("delete user");
    }
    let mut b = Browser::new(&t);
    let (s, html, _) = b.get("/console/sign-in").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("First run"), "{html}");
    let pre = csrf_in(&html).expect("csrf");
    let (s, _, _) = b
        .post(
            "/console/first-run",
            &[
                ("csrf", &pre),
                ("email", "first@example.test"),
                ("password", "short"),
                ("password2", "short"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let pre = b.csrf("/console/sign-in").await;
    let (s, _, loc) = b
        .post(
            "/console/first-run",
            &[
                ("csrf", &pre),
                ("email", "first@example.test"),
                ("password", PASSWORD),
                ("password2", PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        (s, loc.as_deref()),
        (StatusCode::SEE_OTHER, Some("/console"))
    );
    let (s, html, _) = b.get("/console").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("first@example.test · product-admin"),
        "{html}"
    );
    // Closed from now on: the page offers sign-in, and a second attempt is refused.
    let mut late = Browser::new(&t);
    let (_, html, _) = late.get("/console/sign-in").await;
    assert!(!html.contains("First run"));
    let pre = csrf_in(&html).expect("csrf");
    let (s, _, _) = late
        .post(
            "/console/first-run",
            &[
                ("csrf", &pre),
                ("email", "second@example.test"),
                ("password", PASSWORD),
                ("password2", PASSWORD),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = late.sign_in("first@example.test", PASSWORD).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
}
