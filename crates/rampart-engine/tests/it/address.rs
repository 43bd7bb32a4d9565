//! The scanner's own safety: a scan whose scope rules admit every URL still never contacts
//! a loopback host it does not name, the rampart server it runs in, or a metadata address —
//! whether a link or a redirect leads there. A host it does name (another port of the seed's
//! host) is crawled, so the refusals are the address policy's, not the crawler's.

use axum::response::{Html, IntoResponse, Redirect};
use axum::routing::get;
use rampart_engine::scope::{MatchKind, RuleKind, ScopeRule};
use rampart_engine::ScanPlan;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use url::Url;

/// A server on `bind` that answers every path and counts the requests it gets.
async fn counting(bind: &str) -> (SocketAddr, Arc<AtomicUsize>) {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let router = axum::Router::new().fallback(move || {
        let h = h.clone();
        async move {
            h.fetch_add(1, Ordering::SeqCst);
            Html("<html><body>reached</body></html>")
        }
    });
    let listener = tokio::net::TcpListener::bind(bind).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (addr, hits)
}

#[tokio::test]
async fn unnamed_loopback_hosts_the_server_itself_and_metadata_are_never_contacted() {
    // 127.0.0.2 is loopback like the seed's host, but the scan does not name it.
    let (other_host, other_hits) = counting("127.0.0.2:0").await;
    // Stands for the rampart server running the scan.
    let (own, own_hits) = counting("127.0.0.1:0").await;
    // Another port of the seed's host: named, so crawled.
    let (sibling, sibling_hits) = counting("127.0.0.1:0").await;

    let page = format!(
        "<html><body>\
         <a href=\"http://{other_host}/leak\">a</a>\
         <a href=\"http://{own}/ias/v1/apps\">b</a>\
         <a href=\"http://169.254.169.254/latest/meta-data/\">c</a>\
         <a href=\"http://{sibling}/fine\">d</a>\
         <a href=\"/go\">e</a>\
         </body></html>"
    );
    let site = page_site(page, format!("http://{other_host}/redirected")).await;

    let mut plan = ScanPlan::for_url(Url::parse(&format!("http://{site}/")).unwrap());
    // Scope rules that admit everything: only the address policy stands in the way.
    plan.scope = vec![ScopeRule {
        kind: RuleKind::Include,
        matcher: MatchKind::Regex,
        pattern: ".*".into(),
        method: None,
    }];
    plan.own_sockets = vec![own];
    plan.modules = rampart_engine::plan::Modules::template("Passive Only").unwrap();
    let (summary, _events) = crate::run(plan).await;

    assert!(
        sibling_hits.load(Ordering::SeqCst) > 0,
        "the named host's other port was crawled"
    );
    assert_eq!(
        other_hits.load(Ordering::SeqCst),
        0,
        "unnamed loopback host"
    );
    assert_eq!(
        own_hits.load(Ordering::SeqCst),
        0,
        "the rampart server itself"
    );
    assert!(summary.progress.requests > 0);
}

#[tokio::test]
async fn a_seed_that_is_the_server_itself_is_refused() {
    let (own, own_hits) = counting("127.0.0.1:0").await;
    let mut plan = ScanPlan::for_url(Url::parse(&format!("http://{own}/")).unwrap());
    plan.own_sockets = vec![own];
    plan.modules = rampart_engine::plan::Modules::template("Passive Only").unwrap();
    let (_summary, _events) = crate::run(plan).await;
    assert_eq!(own_hits.load(Ordering::SeqCst), 0);
}

/// Every request the engine hands to its transport — the last step before the network —
/// recorded; hosts in `fake` are answered here, so no packet leaves for them.
struct Recording {
    inner: rampart_engine::http::ReqwestTransport,
    fake: Vec<&'static str>,
    sent: std::sync::Mutex<Vec<Url>>,
}

#[async_trait::async_trait]
impl rampart_engine::http::Transport for Recording {
    async fn send(
        &self,
        req: &rampart_engine::http::HttpRequest,
        max_body: usize,
        timeout: std::time::Duration,
    ) -> Result<rampart_engine::http::HttpResponse, rampart_engine::http::TransportError> {
        self.sent.lock().unwrap().push(req.url.clone());
        if self.fake.contains(&req.url.host_str().unwrap_or_default()) {
            return Ok(rampart_engine::http::HttpResponse {
                status: 200,
                headers: vec![("content-type".into(), "text/html".into())],
                body: b"<html><body>answered by the test</body></html>".to_vec(),
                ..Default::default()
            });
        }
        self.inner.send(req, max_body, timeout).await
    }

    fn pin(&self, host: &str, addrs: &[SocketAddr]) {
        rampart_engine::http::Transport::pin(&self.inner, host, addrs);
    }
}

/// The hosts a page links and redirects to that a scan must not reach unless it names
/// them: metadata (IPv4 and IPv6, AWS and Alibaba), link-local, private ranges,
/// a loopback name the scan does not use, and the rampart server itself.
const FORBIDDEN: [&str; 7] = [
    "169.254.169.254",
    "100.100.100.200",
    "[fd00:ec2::254]",
    "[fe80::1]",
    "10.255.255.1",
    "192.168.77.1",
    "172.16.5.5",
];

/// A site on 127.0.0.1 linking to every forbidden host, to `localhost` (loopback, not the
/// seed's name) and to `own`, and redirecting to each of them (301, 302, 307, 308).
async fn luring_site(own: SocketAddr) -> SocketAddr {
    let mut targets: Vec<String> = FORBIDDEN
        .iter()
        .map(|h| format!("http://{h}/latest/meta-data/"))
        .collect();
    targets.push(format!("http://localhost:{}/", own.port()));
    targets.push(format!("http://{own}/ias/v1/apps"));
    let links: String = targets
        .iter()
        .enumerate()
        .map(|(i, t)| format!("<a href=\"{t}\">l{i}</a><a href=\"/r/{i}\">r{i}</a>"))
        .collect();
    let page = format!("<html><body>{links}</body></html>");
    let redirect = move |axum::extract::Path(i): axum::extract::Path<usize>| {
        let targets = targets.clone();
        async move {
            let status = [301u16, 302, 307, 308][i % 4];
            (
                axum::http::StatusCode::from_u16(status).unwrap(),
                [(axum::http::header::LOCATION, targets[i].clone())],
            )
                .into_response()
        }
    };
    let router = axum::Router::new()
        .route("/", get(move || async move { Html(page) }))
        .route("/r/{i}", get(redirect));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let site = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    site
}

async fn run_recorded(plan: ScanPlan, fake: Vec<&'static str>) -> Vec<Url> {
    let transport = Arc::new(Recording {
        inner: rampart_engine::http::ReqwestTransport::new(false).unwrap(),
        fake,
        sent: std::sync::Mutex::new(Vec::new()),
    });
    let (handle, mut rx) = rampart_engine::start(plan, transport.clone(), None).unwrap();
    while let Some(e) = rx.recv().await {
        if matches!(e, rampart_engine::Event::Finished(_)) {
            break;
        }
    }
    tokio::time::timeout(std::time::Duration::from_secs(30), handle.wait())
        .await
        .unwrap()
        .unwrap();
    let sent = transport.sent.lock().unwrap().clone();
    sent
}

fn admit_everything(plan: &mut ScanPlan) {
    plan.scope = vec![ScopeRule {
        kind: RuleKind::Include,
        matcher: MatchKind::Regex,
        pattern: ".*".into(),
        method: None,
    }];
    plan.modules = rampart_engine::plan::Modules::template("Passive Only").unwrap();
}

#[tokio::test]
async fn links_and_redirects_to_metadata_private_ranges_or_the_server_are_never_sent() {
    let (own, own_hits) = counting("127.0.0.1:0").await;
    let site = luring_site(own).await;
    let mut plan = ScanPlan::for_url(Url::parse(&format!("http://{site}/")).unwrap());
    admit_everything(&mut plan);
    plan.own_sockets = vec![own];
    // Answered by the recorder if ever asked, so a failure is a recorded request, not a
    // packet to a real network.
    let sent = run_recorded(plan, FORBIDDEN.to_vec()).await;
    let hosts: std::collections::BTreeSet<String> = sent
        .iter()
        .map(|u| {
            format!(
                "{}:{}",
                u.host_str().unwrap_or_default(),
                u.port_or_known_default().unwrap_or(0)
            )
        })
        .collect();
    assert_eq!(
        hosts,
        [site.to_string()].into_iter().collect(),
        "only the named site is ever sent a request: {sent:#?}"
    );
    // The redirects were fetched (so their targets were seen and refused, not missed).
    for i in 0..FORBIDDEN.len() + 2 {
        assert!(
            sent.iter().any(|u| u.path() == format!("/r/{i}")),
            "redirect {i} fetched: {sent:#?}"
        );
    }
    assert_eq!(own_hits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn private_and_metadata_addresses_named_as_targets_are_scanned_but_never_the_server() {
    let (own, own_hits) = counting("127.0.0.1:0").await;
    let site = luring_site(own).await;
    let mut plan = ScanPlan::for_url(Url::parse(&format!("http://{site}/")).unwrap());
    admit_everything(&mut plan);
    plan.own_sockets = vec![own];
    // The scan's targets name a private address and the metadata address, and loopback
    // (which would take in the server's own port, were it not the server).
    plan.allowed_domains = vec![
        "127.0.0.1".into(),
        "10.255.255.1".into(),
        "169.254.169.254".into(),
    ];
    let sent = run_recorded(plan, FORBIDDEN.to_vec()).await;
    for named in ["10.255.255.1", "169.254.169.254"] {
        assert!(
            sent.iter()
                .any(|u| u.host_str() == Some(named) && u.path() == "/latest/meta-data/"),
            "{named}, named as a target, is scanned (link or redirect): {sent:#?}"
        );
    }
    for other in [
        "192.168.77.1",
        "172.16.5.5",
        "100.100.100.200",
        "[fe80::1]",
        "[fd00:ec2::254]",
    ] {
        assert!(
            !sent.iter().any(|u| u.host_str() == Some(other)),
            "{other} is not named: {sent:#?}"
        );
    }
    assert!(
        !sent
            .iter()
            .any(|u| u.port_or_known_default() == Some(own.port())),
        "never the server itself, even on a named host: {sent:#?}"
    );
    assert_eq!(own_hits.load(Ordering::SeqCst), 0);
}

/// A DNS whose answer for `name` changes after its first lookup: `first` (`None`: the name
/// does not resolve), then `then` at every later lookup; other names do not resolve.
struct Rebinding {
    name: &'static str,
    first: Option<std::net::IpAddr>,
    then: std::net::IpAddr,
    lookups: AtomicUsize,
}

#[async_trait::async_trait]
impl rampart_engine::http::Dns for Rebinding {
    async fn lookup(&self, host: &str, port: u16) -> std::io::Result<Vec<SocketAddr>> {
        let not_found = || std::io::Error::new(std::io::ErrorKind::NotFound, "no such name");
        if host != self.name {
            return Err(not_found());
        }
        let ip = match self.lookups.fetch_add(1, Ordering::SeqCst) {
            0 => self.first,
            _ => Some(self.then),
        };
        ip.map(|ip| vec![SocketAddr::new(ip, port)])
            .ok_or_else(not_found)
    }
}

/// A site on 127.0.0.1 whose page links three paths of `http://{name}:{port}/` and
/// redirects (`/go`) to a fourth.
async fn linking_site(name: &str, port: u16) -> SocketAddr {
    let base = format!("http://{name}:{port}");
    let page = format!(
        "<html><body><a href=\"{base}/a\">a</a><a href=\"{base}/b\">b</a>\
         <a href=\"{base}/c\">c</a><a href=\"/go\">go</a></body></html>"
    );
    page_site(page, format!("{base}/d")).await
}

/// A site on 127.0.0.1 serving `page` at `/` and redirecting `/go` to `to`.
async fn page_site(page: String, to: String) -> SocketAddr {
    let router = axum::Router::new()
        .route("/", get(move || async move { Html(page) }))
        .route(
            "/go",
            get(move || async move { Redirect::temporary(&to).into_response() }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let site = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    site
}

/// Runs `plan` on the production transport looking names up in `dns`.
async fn run_with_dns(plan: ScanPlan, dns: Arc<Rebinding>) -> rampart_engine::Summary {
    let transport = Arc::new(rampart_engine::http::ReqwestTransport::with_dns(false, dns).unwrap());
    let (handle, mut rx) = rampart_engine::start(plan, transport, None).unwrap();
    while let Some(e) = rx.recv().await {
        if matches!(e, rampart_engine::Event::Finished(_)) {
            break;
        }
    }
    tokio::time::timeout(std::time::Duration::from_secs(30), handle.wait())
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn a_name_that_did_not_resolve_at_its_check_is_never_connected_when_it_resolves_later() {
    // Where the name points at its second lookup: loopback, which the scan does not name.
    let (trap, trap_hits) = counting("127.0.0.1:0").await;
    let site = linking_site("rebind.test", trap.port()).await;
    let dns = Arc::new(Rebinding {
        name: "rebind.test",
        first: None,
        then: trap.ip(),
        lookups: AtomicUsize::new(0),
    });
    let mut plan = ScanPlan::for_url(Url::parse(&format!("http://{site}/")).unwrap());
    admit_everything(&mut plan);
    let summary = run_with_dns(plan, dns.clone()).await;

    assert!(
        dns.lookups.load(Ordering::SeqCst) >= 2,
        "the name was looked up again after it failed, and answered loopback"
    );
    assert_eq!(
        trap_hits.load(Ordering::SeqCst),
        0,
        "no connection to the second answer: {:#?}",
        summary.skipped_sample
    );
    let reasons: Vec<_> = summary
        .skipped_sample
        .iter()
        .filter(|(u, _)| u.contains("rebind.test"))
        .map(|(_, r)| *r)
        .collect();
    assert!(
        reasons.contains(&rampart_engine::events::SkipReason::RequestFailed)
            && reasons.contains(&rampart_engine::events::SkipReason::OutOfScope),
        "failed while unresolved, then refused by the address policy: {:#?}",
        summary.skipped_sample
    );
}

#[tokio::test]
async fn a_dns_answer_that_changes_after_the_check_never_moves_the_connection() {
    // One port on two loopback addresses: 127.0.0.1 is the vetted answer; 127.0.0.2 stands
    // for the rampart server itself, the answer the name turns to after its check.
    let (vetted, vetted_hits, own, own_hits) = loop {
        let (own, own_hits) = counting("127.0.0.2:0").await;
        if tokio::net::TcpListener::bind(("127.0.0.1", own.port()))
            .await
            .is_ok()
        {
            let (vetted, vetted_hits) = counting(&format!("127.0.0.1:{}", own.port())).await;
            break (vetted, vetted_hits, own, own_hits);
        }
    };
    let site = linking_site("rebind.test", vetted.port()).await;
    let dns = Arc::new(Rebinding {
        name: "rebind.test",
        first: Some(vetted.ip()),
        then: own.ip(),
        lookups: AtomicUsize::new(0),
    });
    let mut plan = ScanPlan::for_url(Url::parse(&format!("http://{site}/")).unwrap());
    admit_everything(&mut plan);
    // The scan names the host, so its loopback answer is allowed.
    plan.allowed_domains = vec!["127.0.0.1".into(), "rebind.test".into()];
    plan.own_sockets = vec![own];
    let summary = run_with_dns(plan, dns.clone()).await;

    assert_eq!(
        dns.lookups.load(Ordering::SeqCst),
        1,
        "one lookup per host and scan; the connections never ask the DNS again"
    );
    assert!(
        vetted_hits.load(Ordering::SeqCst) >= 4,
        "every link and the redirect went to the vetted address: {:#?}",
        summary.skipped_sample
    );
    assert_eq!(own_hits.load(Ordering::SeqCst), 0, "the second answer");
}
