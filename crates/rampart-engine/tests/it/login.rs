//! Form login, session-loss detection, re-login and the event when login fails.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{any, get};
use rampart_engine::plan::FormLogin;
use rampart_engine::{Event, ScanPlan};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use url::Url;

#[derive(Clone, Default)]
struct S {
    session: Arc<Mutex<Option<String>>>,
    logins: Arc<AtomicU32>,
    hits: Arc<AtomicU32>,
    login_posts: Arc<AtomicU32>,
    seen: Arc<Mutex<Vec<String>>>,
}

fn authed(s: &S, h: &HeaderMap) -> bool {
    let cookie = h.get("cookie").and_then(|v| v.to_str().ok()).unwrap_or("");
    let cur = s.session.lock().unwrap().clone();
    // The server drops the session every 8 authenticated hits.
    if s.hits.fetch_add(1, Ordering::SeqCst) % 8 == 7 {
        *s.session.lock().unwrap() = None;
        return false;
    }
    cur.is_some_and(|sid| cookie.contains(&format!("sid={sid}")))
}

async fn login_page() -> Html<&'static str> {
    Html("<html><body><form method=post action=/login><input name=user><input type=password name=pass><input type=hidden name=csrf value=abcdef0123456789abcdef><button type=submit>Go</button></form></body></html>")
}

async fn login_post(State(s): State<S>, body: Bytes) -> Response {
    s.login_posts.fetch_add(1, Ordering::SeqCst);
    let f: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let ok = f.contains(&("user".into(), "alice".into()))
        && f.contains(&("pass".into(), "s3cret".into()));
    if !ok {
        return Html("<html><body>bad credentials<form method=post action=/login><input name=user><input type=password name=pass></form></body></html>").into_response();
    }
    let n = s.logins.fetch_add(1, Ordering::SeqCst);
    let sid = format!("{:032x}", 0xfeed_u128 * 7919 + n as u128 * 104729);
    *s.session.lock().unwrap() = Some(sid.clone());
    (
        StatusCode::FOUND,
        [
            ("location", "/account".to_string()),
            ("set-cookie", format!("sid={sid}; HttpOnly; SameSite=Lax")),
        ],
    )
        .into_response()
}

async fn account(State(s): State<S>, h: HeaderMap, uri: axum::http::Uri) -> Response {
    s.seen.lock().unwrap().push(uri.to_string());
    if !authed(&s, &h) {
        return Html("<html><body>Please log in <a href=/login>login</a></body></html>")
            .into_response();
    }
    let links: String = (1..12)
        .map(|i| format!("<a href=\"/account/page{i}\">p</a>"))
        .collect();
    Html(format!(
        "<html><body>Welcome alice {links}<a href=\"/account/logout\">logout</a></body></html>"
    ))
    .into_response()
}

async fn start_app() -> (S, std::net::SocketAddr) {
    let s = S::default();
    let router = axum::Router::new()
        .route("/login", get(login_page).post(login_post))
        .route("/account", any(account))
        .route("/account/{p}", any(account))
        .with_state(s.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (s, addr)
}

fn plan(addr: std::net::SocketAddr, password: &str) -> ScanPlan {
    let base = Url::parse(&format!("http://{addr}/")).unwrap();
    let mut plan = ScanPlan::for_url(base.join("account").unwrap());
    plan.modules = rampart_engine::plan::Modules::template("Crawl Only").unwrap();
    plan.session.login = Some(FormLogin {
        url: base.join("login").unwrap(),
        username: "alice".into(),
        password: password.into(),
        username_field: None,
        password_field: None,
        logged_in_regex: Some("Welcome alice".into()),
        session_loss_regex: Some("Please log in".into()),
    });
    plan
}

#[tokio::test]
async fn logs_in_detects_session_loss_and_logs_in_again() {
    let (s, addr) = start_app().await;
    let (summary, events) = crate::run(plan(addr, "s3cret")).await;
    let logins = events
        .iter()
        .filter(|e| matches!(e, Event::LoggedIn))
        .count();
    assert!(logins >= 2, "expected a re-login, got {logins}");
    // Each re-login says what triggered it.
    let relogins: Vec<&String> = events
        .iter()
        .filter_map(|e| match e {
            Event::Log { message, .. } if message.starts_with("session lost (") => Some(message),
            _ => None,
        })
        .collect();
    assert!(
        relogins
            .iter()
            .any(|m| m.contains("/account") && m.contains("re-login 1 of")),
        "{relogins:?}"
    );
    assert!(s.logins.load(Ordering::SeqCst) >= 2);
    assert!(summary.progress.logged_in);
    assert!(summary
        .crawled
        .iter()
        .any(|u| u.ends_with("/account/page11")));
    assert!(!s.seen.lock().unwrap().iter().any(|u| u.contains("logout")));
}

#[tokio::test]
async fn failed_login_is_reported_not_silent() {
    let (_, addr) = start_app().await;
    let (summary, events) = crate::run(plan(addr, "wrong")).await;
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::SessionLost { .. })));
    assert!(!summary.progress.logged_in);
}

/// The scan's own login form is attacked only when asked (`attack_login`): by default the
/// parameter checks leave it alone and an event says so.
#[tokio::test]
async fn the_login_form_is_attacked_only_when_asked() {
    let mut posts = Vec::new();
    for attack_login in [false, true] {
        let (s, addr) = start_app().await;
        let mut plan = plan(addr, "s3cret");
        plan.modules = rampart_engine::plan::Modules::template("SQL Injection").unwrap();
        plan.session.attack_login = attack_login;
        let (_, events) = crate::run(plan).await;
        let said = events.iter().any(|e| {
            matches!(e, Event::Log { message, .. } if message.starts_with("the login request is not attacked"))
        });
        assert_eq!(
            said, !attack_login,
            "the event says when the login is left alone"
        );
        posts.push(s.login_posts.load(Ordering::SeqCst));
    }
    // Left alone, the form only sees the scan's own logins (the first, the session-id
    // samples, the re-logins); attacked, every SQL payload on `user` and `pass` too.
    assert!(
        posts[1] >= posts[0] + 20,
        "logins posted without / with attack_login: {posts:?}"
    );
}

/// Where a member page sends a visitor whose session is gone.
#[derive(Clone, Copy, PartialEq)]
enum Away {
    /// To the login page (`302 /login?next=…`), with no text at all.
    Login,
    /// To a notice page whose body matches the session-loss pattern.
    Notice,
}

async fn member_app(away: Away) -> (S, std::net::SocketAddr) {
    let s = S::default();
    let page = move |State(s): State<S>,
                     h: HeaderMap,
                     uri: axum::http::Uri,
                     q: axum::extract::Query<Vec<(String, String)>>| async move {
        s.seen.lock().unwrap().push(uri.to_string());
        if !authed(&s, &h) {
            let to = match away {
                Away::Login => format!("/login?next={}", uri.path()),
                Away::Notice => "/signed-out".to_string(),
            };
            return (StatusCode::FOUND, [("location", to)], "").into_response();
        }
        let echo: String =
            q.0.iter()
                .map(|(k, v)| format!("<p>{k}: {v}</p>"))
                .collect();
        Html(format!(
            "<html><body>Welcome alice <form action=/member/search><input name=q value=tent></form>{echo}</body></html>"
        ))
        .into_response()
    };
    let router = axum::Router::new()
        .route("/login", get(login_page).post(login_post))
        .route("/account", any(account))
        .route("/member", get(page))
        .route("/member/search", get(page))
        .route(
            "/signed-out",
            get(|| async { Html("<html><body>Please log in again</body></html>") }),
        )
        .with_state(s.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (s, addr)
}

/// An attack answered with a redirect (to the login page, or to a page that says the
/// session is gone) is a lost session too: the scan logs in again, and says which attack
/// answer showed it.
#[tokio::test]
async fn a_session_lost_behind_a_redirect_is_detected_on_attack_answers() {
    for away in [Away::Login, Away::Notice] {
        let (s, addr) = member_app(away).await;
        let mut plan = plan(addr, "s3cret");
        plan.seeds = vec![Url::parse(&format!("http://{addr}/member")).unwrap()];
        plan.modules = rampart_engine::plan::Modules::from_keys(["xss_reflected"]);
        let (_, events) = crate::run(plan).await;
        let by_attacks: Vec<&String> = events
            .iter()
            .filter_map(|e| match e {
                Event::Log { message, .. }
                    if message.starts_with("session lost (the answer to GET ")
                        && message.contains("/member/search?") =>
                {
                    Some(message)
                }
                _ => None,
            })
            .collect();
        let name = if away == Away::Login {
            "login"
        } else {
            "notice"
        };
        assert!(
            !by_attacks.is_empty(),
            "{name}: no re-login after an attack answered with a redirect; seen: {:?}",
            s.seen.lock().unwrap()
        );
        assert!(s.logins.load(Ordering::SeqCst) >= 2, "{name}");
    }
}
