//! The ground truth: every vulnerable case and safe twin the testbed serves, with stable ids.

use rampart_domain::model::ParameterLocation;
use serde::{Deserialize, Serialize};

/// One case of the testbed: a place where a scanner must (`vulnerable`) or must not report a
/// finding of `module_key`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// Stable identifier, used by the toggles (`/__testbed/cases/{id}/fixed`).
    pub id: String,
    /// Engine module key (see the team contract), e.g. `sqli`.
    pub module_key: String,
    /// HTTP method of the request that shows the behaviour.
    pub method: String,
    /// Path (no query) of that request; `{id}` marks a path parameter.
    pub path: String,
    /// The injectable parameter, if the case is about one.
    pub parameter: Option<String>,
    /// Where that parameter lives; `None` for cases about a whole page or response.
    pub location: Option<ParameterLocation>,
    /// `true` for a vulnerable case, `false` for a safe twin.
    pub vulnerable: bool,
    /// Whether a session from the form login (`/login`) is needed to reach it.
    pub requires_login: bool,
    /// Whether the case only shows on the HTTPS listener (`TestbedHandle::https_url`).
    pub tls: bool,
    /// What the page does, in the words of its (bad) developer.
    pub description: String,
    /// Reachable only through an API definition or recorded traffic given to the scan
    /// ([`crate::definitions`]), never by links: a crawl alone cannot find it.
    #[serde(default)]
    pub needs_definition: bool,
    /// Shows only when the page's script runs (DOM-based cases): a scan without the browser
    /// crawler cannot find it.
    #[serde(default)]
    pub needs_browser: bool,
}

type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<ParameterLocation>,
    bool,
    bool,
    bool,
    &'static str,
);

use ParameterLocation::{Cookie, Directory, File, Fragment, Path, Post, Query, Referer};

const V: bool = true;
const S: bool = false;
const LOGIN: bool = true;
const ANON: bool = false;
const TLS: bool = true;
const PLAIN: bool = false;

/// (id, module, method, path, parameter, location, vulnerable, login, tls, description)
#[rustfmt::skip]
const ROWS: &[Row] = &[
    // --- sqli
    ("sqli-error-numeric", "sqli", "GET", "/products.php", Some("id"), Some(Query), V, ANON, PLAIN, "product page: numeric id concatenated into SQL, database errors shown"),
    ("sqli-error-string", "sqli", "GET", "/search.php", Some("q"), Some(Query), V, ANON, PLAIN, "product search: LIKE '%q%' concatenated, database errors shown"),
    ("sqli-boolean-numeric", "sqli", "GET", "/news.php", Some("id"), Some(Query), V, ANON, PLAIN, "news article: numeric id concatenated, errors hidden (blind, boolean)"),
    ("sqli-boolean-string", "sqli", "GET", "/account/orders.php", Some("status"), Some(Query), V, LOGIN, PLAIN, "order history filter: status string concatenated, errors hidden (blind, boolean)"),
    ("sqli-time", "sqli", "GET", "/track.php", Some("code"), Some(Query), V, ANON, PLAIN, "parcel tracking: code string concatenated, constant output (time-based only)"),
    ("sqli-cookie", "sqli", "GET", "/welcome.php", Some("lang"), Some(Cookie), V, ANON, PLAIN, "greeting chosen by the lang cookie, concatenated, errors shown"),
    ("sqli-cookie-session", "sqli", "GET", "/prices.php", Some("region"), Some(Cookie), V, ANON, PLAIN, "prices for the region cookie set by another page (/setregion.php), concatenated, errors shown"),
    ("sqli-cookie-session-safe", "sqli", "GET", "/rates.php", Some("region"), Some(Cookie), S, ANON, PLAIN, "delivery rates for the same region cookie, parameterised"),
    ("sqli-api-path", "sqli", "GET", "/api/v1/products/{id}", Some("id"), Some(Path), V, ANON, PLAIN, "JSON API: numeric path segment concatenated, errors in JSON"),
    ("sqli-api-json", "sqli", "POST", "/api/v1/users/search", Some("name"), Some(Post), V, ANON, PLAIN, "JSON API: name from a JSON body concatenated, errors in JSON"),
    ("sqli-boolean-or", "sqli", "GET", "/giftcard.php", Some("code"), Some(Query), V, ANON, PLAIN, "gift card balance: code string concatenated, errors hidden, the linked code matches no card (blind, only OR conditions change the page)"),
    ("sqli-safe-or", "sqli", "GET", "/voucher.php", Some("code"), Some(Query), S, ANON, PLAIN, "voucher balance: parameterised, the linked code matches no voucher"),
    ("sqli-safe-numeric", "sqli", "GET", "/catalog.php", Some("id"), Some(Query), S, ANON, PLAIN, "catalogue item: parameterised query"),
    ("sqli-safe-string", "sqli", "GET", "/find.php", Some("q"), Some(Query), S, ANON, PLAIN, "store finder: parameterised LIKE query"),
    ("sqli-safe-time", "sqli", "GET", "/status.php", Some("code"), Some(Query), S, ANON, PLAIN, "order status: parameterised, constant output"),
    ("sqli-safe-api", "sqli", "GET", "/api/v1/products/search", Some("name"), Some(Query), S, ANON, PLAIN, "JSON API: parameterised product search"),
    // --- xss_reflected
    ("xss-text", "xss_reflected", "GET", "/greet.php", Some("name"), Some(Query), V, ANON, PLAIN, "name reflected in HTML text"),
    ("xss-attr", "xss_reflected", "GET", "/newsletter.php", Some("email"), Some(Query), V, ANON, PLAIN, "email reflected inside a double-quoted attribute"),
    ("xss-script", "xss_reflected", "GET", "/stats.php", Some("ref"), Some(Query), V, ANON, PLAIN, "ref reflected inside a single-quoted <script> string"),
    ("xss-post", "xss_reflected", "POST", "/feedback.php", Some("message"), Some(Post), V, ANON, PLAIN, "feedback message reflected in HTML text after a POST"),
    ("xss-account", "xss_reflected", "GET", "/account/search.php", Some("q"), Some(Query), V, LOGIN, PLAIN, "account search term reflected in HTML text"),
    ("xss-page-selected", "xss_reflected", "GET", "/help.php", Some("name"), Some(Query), V, ANON, PLAIN, "help centre: every page is help.php?topic=NAME (more than a crawl budget per pattern); the last topic's call-back form reflects the name unescaped"),
    ("xss-safe-page-selected", "xss_reflected", "GET", "/manual.php", Some("name"), Some(Query), S, ANON, PLAIN, "manual: the same pages as the help centre, the call-back name HTML-escaped"),
    ("xss-safe-text", "xss_reflected", "GET", "/hello.php", Some("name"), Some(Query), S, ANON, PLAIN, "name reflected HTML-escaped"),
    ("xss-safe-attr", "xss_reflected", "GET", "/subscribe.php", Some("email"), Some(Query), S, ANON, PLAIN, "email reflected HTML-escaped in an attribute"),
    ("xss-safe-script", "xss_reflected", "GET", "/analytics.php", Some("ref"), Some(Query), S, ANON, PLAIN, "ref reflected JSON-escaped in a <script> string"),
    ("xss-js-url", "xss_reflected", "GET", "/links/visit.php", Some("site"), Some(Query), V, ANON, PLAIN, "partner link: the URL HTML-escaped in an href, any scheme allowed (javascript: runs on click)"),
    ("xss-safe-js-url", "xss_reflected", "GET", "/links/go.php", Some("site"), Some(Query), S, ANON, PLAIN, "partner link: only http(s) and local URLs kept"),
    ("xss-safe-script-src", "xss_reflected", "GET", "/links/embed.php", Some("cdn"), Some(Query), S, ANON, PLAIN, "widget: the URL HTML-escaped in <script src> (a javascript: URL never runs there)"),
    ("xss-js-line-comment", "xss_reflected", "GET", "/links/track.php", Some("campaign"), Some(Query), V, ANON, PLAIN, "campaign written into a // comment of a script, angle brackets removed (a line break ends the comment)"),
    ("xss-js-block-comment", "xss_reflected", "GET", "/links/promo.php", Some("code"), Some(Query), V, ANON, PLAIN, "promotion code written into a /* */ comment, angle brackets removed"),
    ("xss-safe-js-comment", "xss_reflected", "GET", "/links/banner.php", Some("name"), Some(Query), S, ANON, PLAIN, "banner name in script comments with line breaks, slashes, stars and brackets removed"),
    ("xss-tag-name", "xss_reflected", "GET", "/links/heading.php", Some("level"), Some(Query), V, ANON, PLAIN, "heading level used as the tag name (HTML-escaped, which does not help)"),
    ("xss-safe-tag-name", "xss_reflected", "GET", "/links/title.php", Some("level"), Some(Query), S, ANON, PLAIN, "heading level from an allow-list"),
    ("xss-attr-name", "xss_reflected", "GET", "/links/widget.php", Some("flag"), Some(Query), V, ANON, PLAIN, "display flag used as an attribute name (HTML-escaped, which does not help)"),
    ("xss-quote-only", "xss_reflected", "GET", "/links/signup.php", Some("username"), Some(Query), V, ANON, PLAIN, "user name echoed, unescaped, only in the error shown when it holds a quote, bracket or backslash"),
    ("xss-safe-quote-only", "xss_reflected", "GET", "/links/register.php", Some("username"), Some(Query), S, ANON, PLAIN, "the same error, escaped"),
    ("xss-filtered", "xss_reflected", "GET", "/links/motto.php", Some("motto"), Some(Query), V, ANON, PLAIN, "motto with spaces, parentheses and the first 'script' removed, otherwise raw"),
    ("xss-safe-filtered", "xss_reflected", "GET", "/links/quote.php", Some("text"), Some(Query), S, ANON, PLAIN, "quote with angle brackets and quotes removed"),
    ("xss-sniffed", "xss_reflected", "GET", "/links/echo", Some("msg"), Some(Query), V, ANON, PLAIN, "echo service: the message returned raw with no Content-Type (browsers sniff HTML)"),
    ("xss-safe-sniffed", "xss_reflected", "GET", "/links/echo-typed", Some("msg"), Some(Query), S, ANON, PLAIN, "echo service: text/plain with nosniff"),
    ("xss-param-value", "xss_reflected", "GET", "/links/player.php", Some("clip"), Some(Query), V, ANON, PLAIN, "video player: the clip name written raw into a <param value> of the player's <object> (a handler on <param> never fires; breaking out of it does)"),
    ("xss-safe-param-value", "xss_reflected", "GET", "/links/player-safe.php", Some("clip"), Some(Query), S, ANON, PLAIN, "video player: the clip name HTML-escaped in the <param value>"),
    ("xss-js-url-leave", "xss_reflected", "GET", "/leave.php", Some("dest"), Some(Query), V, ANON, PLAIN, "leaving page: any destination HTML-escaped into its link (a javascript: destination runs on click)"),
    ("xss-safe-js-url-stay", "xss_reflected", "GET", "/stay.php", Some("dest"), Some(Query), S, ANON, PLAIN, "the same page restricted to local paths"),
    // --- xss_stored
    ("xss-stored-guestbook", "xss_stored", "POST", "/guestbook.php", Some("message"), Some(Post), V, ANON, PLAIN, "guestbook messages stored and shown unescaped on /guestbook.php"),
    ("xss-stored-safe", "xss_stored", "POST", "/reviews.php", Some("text"), Some(Post), S, ANON, PLAIN, "reviews stored and shown escaped on /reviews.php"),
    ("xss-stored-header", "xss_stored", "GET", "/promo.php", Some("User-Agent"), Some(ParameterLocation::HttpHeader), V, ANON, PLAIN, "promotion page logs each visitor's User-Agent; /promo/visitors.php lists them unescaped"),
    ("xss-stored-header-safe", "xss_stored", "GET", "/event.php", Some("User-Agent"), Some(ParameterLocation::HttpHeader), S, ANON, PLAIN, "event page logs each visitor's User-Agent; /event/visitors.php lists them escaped"),
    // --- cmdi
    ("cmdi-output", "cmdi", "GET", "/tools/ping.php", Some("host"), Some(Query), V, ANON, PLAIN, "ping tool: host concatenated into a shell command, output shown"),
    ("cmdi-blind", "cmdi", "POST", "/tools/lookup.php", Some("host"), Some(Post), V, ANON, PLAIN, "DNS lookup: host concatenated into a shell command, output hidden (time-based)"),
    ("cmdi-safe", "cmdi", "GET", "/tools/whois.php", Some("domain"), Some(Query), S, ANON, PLAIN, "whois tool: domain validated before use"),
    ("cmdi-exec-command", "cmdi", "GET", "/ops/run.php", Some("task"), Some(Query), V, ANON, PLAIN, "maintenance task: the input split on spaces and run as a program without a shell, output shown"),
    ("cmdi-exec-arg", "cmdi", "GET", "/ops/netcheck.php", Some("host"), Some(Query), V, ANON, PLAIN, "network check: ping -c 1 plus the host split on spaces, no shell, only up/down shown (extra options reach ping)"),
    ("cmdi-exec-windows", "cmdi", "GET", "/ops/winrun.aspx", Some("cmd"), Some(Query), V, ANON, PLAIN, "Windows console: the input is the command line given to CreateProcess, output shown"),
    ("cmdi-exec-safe", "cmdi", "GET", "/ops/jobs.php", Some("task"), Some(Query), S, ANON, PLAIN, "scheduled jobs: allow-listed task names mapped to fixed argument vectors, unknown names echoed escaped"),
    ("cmdi-exec-arg-safe", "cmdi", "GET", "/ops/reach.php", Some("host"), Some(Query), S, ANON, PLAIN, "reachability: the host validated and passed as one argument"),
    // --- path_traversal
    ("pt-page", "path_traversal", "GET", "/page.php", Some("file"), Some(Query), V, ANON, PLAIN, "static page loader: file joined to the pages directory (php://filter works)"),
    ("pt-download", "path_traversal", "GET", "/download.php", Some("file"), Some(Query), V, ANON, PLAIN, "download: file joined to the downloads directory, Windows separators accepted"),
    ("pt-safe", "path_traversal", "GET", "/view.php", Some("doc"), Some(Query), S, ANON, PLAIN, "document viewer: whitelisted base names only"),
    ("pt-webinf", "path_traversal", "GET", "/library/content.jsp", Some("page"), Some(Query), V, ANON, PLAIN, "Java content page: the name resolved inside the web application (.. stops at its root), WEB-INF served"),
    ("pt-safe-webinf", "path_traversal", "GET", "/library/resource.jsp", Some("page"), Some(Query), S, ANON, PLAIN, "Java resources: resolved inside the web application, WEB-INF and META-INF refused"),
    ("pt-dotenv", "path_traversal", "GET", "/library/render.php", Some("tpl"), Some(Query), V, ANON, PLAIN, "template reader under an open_basedir of the application: system files refused, the application's .env readable"),
    ("pt-safe-template", "path_traversal", "GET", "/library/layout.php", Some("tpl"), Some(Query), S, ANON, PLAIN, "layout: the template's base name only"),
    ("pt-double-decode", "path_traversal", "GET", "/library/asset.php", Some("f"), Some(Query), V, ANON, PLAIN, "asset reader: '..' refused in the value, which is then URL-decoded once more"),
    // --- remote_file_inclusion
    ("rfi-scheme-variants", "remote_file_inclusion", "GET", "/library/embed.php", Some("src"), Some(Query), V, ANON, PLAIN, "module loader: lower-case http:// and https:// refused, scheme-relative //host and upper-case HTTP:// fetched and included (loopback only)"),
    ("rfi-safe-scheme", "remote_file_inclusion", "GET", "/library/frame.php", Some("src"), Some(Query), S, ANON, PLAIN, "framed module: module names only"),
    ("rfi-include", "remote_file_inclusion", "GET", "/portal.php", Some("page"), Some(Query), V, ANON, PLAIN, "portal: page URL fetched and included (loopback only)"),
    ("rfi-safe", "remote_file_inclusion", "GET", "/theme.php", Some("skin"), Some(Query), S, ANON, PLAIN, "theme switcher: whitelisted skin names, never fetched"),
    // --- ssti
    ("ssti-preview", "ssti", "GET", "/preview.php", Some("title"), Some(Query), V, ANON, PLAIN, "title rendered as template source ({{ }}, ${ }, <%= %>, #{ })"),
    ("ssti-invite", "ssti", "POST", "/invite.php", Some("message"), Some(Post), V, ANON, PLAIN, "invitation text rendered as template source"),
    ("ssti-safe", "ssti", "GET", "/card.php", Some("name"), Some(Query), S, ANON, PLAIN, "greeting card: name passed as template data"),
    // --- code_injection
    ("code-php-eval", "code_injection", "GET", "/calc.php", Some("expr"), Some(Query), V, ANON, PLAIN, "calculator: eval('$result = ' . expr . ';')"),
    ("code-node-eval", "code_injection", "POST", "/api/v1/calc", Some("expression"), Some(Post), V, ANON, PLAIN, "JSON API: eval(expression), result returned"),
    ("code-safe", "code_injection", "GET", "/convert.php", Some("amount"), Some(Query), S, ANON, PLAIN, "currency converter: amount parsed as a number"),
    // --- ssrf
    ("ssrf-fetch", "ssrf", "GET", "/fetch.php", Some("url"), Some(Query), V, ANON, PLAIN, "feed reader: fetches url server-side and shows it (loopback only)"),
    ("ssrf-webhook", "ssrf", "POST", "/api/v1/webhooks", Some("callback_url"), Some(Post), V, ANON, PLAIN, "JSON API: pings callback_url in the background (blind)"),
    ("ssrf-safe", "ssrf", "GET", "/image-proxy.php", Some("src"), Some(Query), S, ANON, PLAIN, "image proxy: only an allow-listed CDN host, never fetched here"),
    // --- xxe
    ("xxe-import", "xxe", "POST", "/import.php", Some("xml"), Some(Post), V, ANON, PLAIN, "product import: XML parsed with external entities resolved (file and loopback http)"),
    ("xxe-safe", "xxe", "POST", "/catalog/import.php", Some("xml"), Some(Post), S, ANON, PLAIN, "catalogue import: DTDs rejected"),
    ("xxe-script", "xxe", "POST", "/library/api/import", None, Some(Post), V, ANON, PLAIN, "catalogue import API posted to from the page's inline script only (fetch with an XML body), external entities resolved"),
    ("xxe-json-xml", "xxe", "POST", "/library/api/notes", None, Some(Post), V, ANON, PLAIN, "notes API called with JSON from a linked script; the framework also binds XML bodies, external entities resolved"),
    ("xxe-safe-json", "xxe", "POST", "/library/api/labels", None, Some(Post), S, ANON, PLAIN, "labels API called through XMLHttpRequest: JSON only, XML refused with 415"),
    // --- open_redirect
    ("redir-location", "open_redirect", "GET", "/redirect.php", Some("url"), Some(Query), V, ANON, PLAIN, "redirect via Location header"),
    ("redir-meta", "open_redirect", "GET", "/goto.php", Some("next"), Some(Query), V, ANON, PLAIN, "redirect via meta refresh"),
    ("redir-js", "open_redirect", "GET", "/out.php", Some("to"), Some(Query), V, ANON, PLAIN, "redirect via window.location in a script"),
    ("redir-safe", "open_redirect", "GET", "/return.php", Some("returnTo"), Some(Query), S, ANON, PLAIN, "redirect restricted to local paths"),
    ("redir-meta-bare", "open_redirect", "GET", "/leave.php", Some("dest"), Some(Query), V, ANON, PLAIN, "redirect via a meta refresh written without url= (content=\"0; TARGET\")"),
    ("redir-meta-bare-safe", "open_redirect", "GET", "/stay.php", Some("dest"), Some(Query), S, ANON, PLAIN, "the same bare meta refresh, restricted to local paths"),
    ("redir-js-uncalled", "open_redirect", "GET", "/exit.php", Some("to"), Some(Query), S, ANON, PLAIN, "the target written into a redirect function nothing calls"),
    // --- crlf_injection
    ("crlf-cookie", "crlf_injection", "GET", "/setlang.php", Some("lang"), Some(Query), V, ANON, PLAIN, "lang copied raw into a Set-Cookie header"),
    ("crlf-safe", "crlf_injection", "GET", "/settheme.php", Some("theme"), Some(Query), S, ANON, PLAIN, "theme copied into Set-Cookie with CR and LF stripped"),
    ("crlf-encoded", "crlf_injection", "GET", "/export.php", Some("filename"), Some(Query), V, ANON, PLAIN, "export file name: CR and LF stripped, then URL-decoded again into Content-Disposition (an encoded %0d%0a gets through)"),
    ("crlf-encoded-safe", "crlf_injection", "GET", "/export-safe.php", Some("filename"), Some(Query), S, ANON, PLAIN, "export file name decoded first, CR and LF stripped after"),
    // --- cors
    ("cors-reflect", "cors", "GET", "/api/v1/profile", Some("Origin"), Some(ParameterLocation::HttpHeader), V, ANON, PLAIN, "any Origin (and null) reflected with credentials allowed"),
    ("cors-safe", "cors", "GET", "/api/v1/public/stats", Some("Origin"), Some(ParameterLocation::HttpHeader), S, ANON, PLAIN, "fixed allow-listed origin"),
    ("cors-preflight", "cors", "GET", "/api/v1/cart", Some("Origin"), Some(ParameterLocation::HttpHeader), V, ANON, PLAIN, "no CORS headers on GET; the OPTIONS preflight reflects any origin with credentials"),
    ("cors-preflight-safe", "cors", "GET", "/api/v1/wishlist", Some("Origin"), Some(ParameterLocation::HttpHeader), S, ANON, PLAIN, "the OPTIONS preflight allows only the fixed origin"),
    // --- http_methods
    ("trace-echo", "http_methods", "TRACE", "/", None, None, V, ANON, PLAIN, "TRACE echoes the request, headers included"),
    ("trace-safe", "http_methods", "TRACE", "/secure/", None, None, S, ANON, PLAIN, "TRACE refused with 405"),
    ("put-dav", "http_methods", "PUT", "/dav/", None, Some(File), V, ANON, PLAIN, "WebDAV-style share: PUT /dav/<file> stores it, GET serves it back, DELETE removes it"),
    ("put-safe", "http_methods", "PUT", "/static/app.js", None, Some(File), S, ANON, PLAIN, "static file: PUT and DELETE refused with 405"),
    // --- sensitive_files
    ("sf-git", "sensitive_files", "GET", "/.git/HEAD", None, Some(File), V, ANON, PLAIN, "git metadata left in the web root"),
    ("sf-backup-sql", "sensitive_files", "GET", "/backup.sql", None, Some(File), V, ANON, PLAIN, "database dump in the web root"),
    ("sf-bak", "sensitive_files", "GET", "/index.php.bak", None, Some(File), V, ANON, PLAIN, "editor backup of index.php (PHP source)"),
    ("sf-env", "sensitive_files", "GET", "/.env", None, Some(File), V, ANON, PLAIN, "environment file with credentials"),
    ("sf-copy", "sensitive_files", "GET", "/ops/Copy%20of%20jobs.php", None, Some(File), V, ANON, PLAIN, "a copy of jobs.php left by a file manager, served as text"),
    ("sf-numbered", "sensitive_files", "GET", "/ops/run.php.1", None, Some(File), V, ANON, PLAIN, "a numbered backup of run.php, served as text"),
    ("sf-archive", "sensitive_files", "GET", "/ops.zip", None, Some(File), V, ANON, PLAIN, "a zip of the /ops/ folder left next to it"),
    ("sf-safe-copy", "sensitive_files", "GET", "/library/Copy%20of%20layout.php", None, Some(File), S, ANON, PLAIN, "soft 404: the library answers 200 with a not-found page for any path"),
    ("sf-safe-archive", "sensitive_files", "GET", "/library/inc.zip", None, Some(File), S, ANON, PLAIN, "soft 404: the library answers 200 with a not-found page for any path"),
    ("sf-safe-git", "sensitive_files", "GET", "/docs/.git/HEAD", None, Some(File), S, ANON, PLAIN, "soft 404: the docs area answers 200 for any path"),
    ("sf-safe-env", "sensitive_files", "GET", "/docs/.env", None, Some(File), S, ANON, PLAIN, "soft 404: the docs area answers 200 for any path"),
    // --- secrets_exposure
    ("secrets-include", "secrets_exposure", "GET", "/library/inc/db.inc", None, None, V, ANON, PLAIN, "include file served as text with the database password in clear"),
    ("secrets-script", "secrets_exposure", "GET", "/library/widget-config.js", None, None, V, ANON, PLAIN, "widget configuration script carrying an AWS access key and its secret"),
    ("secrets-safe", "secrets_exposure", "GET", "/library/setup.html", None, None, S, ANON, PLAIN, "installation guide with placeholder credentials only"),
    // --- directory_listing
    ("dirlist-apache", "directory_listing", "GET", "/files/", None, Some(Directory), V, ANON, PLAIN, "Apache-style auto-index"),
    ("dirlist-safe", "directory_listing", "GET", "/downloads/", None, Some(Directory), S, ANON, PLAIN, "a designed downloads page listing files"),
    // --- file_upload
    ("upload-any", "file_upload", "POST", "/upload.php", Some("file"), Some(Post), V, ANON, PLAIN, "attachment upload: any extension kept, served from /uploads/ (.php executed)"),
    ("upload-safe", "file_upload", "POST", "/profile/photo.php", Some("photo"), Some(Post), S, ANON, PLAIN, "photo upload: images only, renamed, served as image/png"),
    ("upload-prose", "file_upload", "POST", "/support/tickets/attach.php", Some("attachment"), Some(Post), V, ANON, PLAIN, "ticket attachment: the answer names the stored file in prose relative to the form (`../../storage/tickets/NAME succesfully uploaded!`), served by extension (.php executed)"),
    ("upload-prose-safe", "file_upload", "POST", "/support/notes/attach.php", Some("attachment"), Some(Post), S, ANON, PLAIN, "note attachment: the same prose, the stored file only ever served as a download"),
    // --- weak_credentials
    ("weak-creds-staff", "weak_credentials", "POST", "/staff/login.php", Some("username"), Some(Post), V, ANON, PLAIN, "staff sign-in: the admin account still has its installer password (admin)"),
    ("weak-creds-safe", "weak_credentials", "POST", "/partners/login.php", Some("username"), Some(Post), S, ANON, PLAIN, "partner sign-in: strong passwords; every sign-in refused with 429 after five failed attempts"),
    // --- access_control (needs the second account: `LoginInfo::second_username`)
    ("idor-notes", "access_control", "GET", "/account/notes/view.php", Some("id"), Some(Query), V, LOGIN, PLAIN, "private notes opened by id without checking their owner: any signed-in user reads any note"),
    ("idor-safe", "access_control", "GET", "/account/notes/read.php", Some("id"), Some(Query), S, LOGIN, PLAIN, "read-only note view: another user's note id gives 404"),
    // --- csrf
    ("csrf-profile", "csrf", "POST", "/account/profile.php", None, Some(Post), V, LOGIN, PLAIN, "profile update form without anti-CSRF token"),
    ("csrf-prefs", "csrf", "POST", "/preferences.php", None, Some(Post), V, ANON, PLAIN, "site preferences form without anti-CSRF token"),
    ("csrf-token-unchecked", "csrf", "POST", "/account/address.php", None, Some(Post), V, LOGIN, PLAIN, "delivery address form with a csrf_token field the server never checks"),
    ("csrf-safe", "csrf", "POST", "/account/email.php", None, Some(Post), S, LOGIN, PLAIN, "email change form with a per-session token"),
    ("csrf-get", "csrf", "GET", "/wishlist/add.php", None, Some(Query), V, ANON, PLAIN, "wishlist: the add-an-item form is a GET with no token, and the item shows on the list"),
    ("csrf-get-token-safe", "csrf", "GET", "/giftlist/add.php", None, Some(Query), S, ANON, PLAIN, "gift list: the same GET form with a token the server checks against the visitor's cookie"),
    ("csrf-get-readonly", "csrf", "GET", "/timetable.php", None, Some(Query), S, ANON, PLAIN, "bus timetable: a GET form that only looks departures up (read-only, not state-changing)"),
    // --- passive: headers
    ("csp-missing", "csp", "GET", "/", None, None, V, ANON, PLAIN, "no Content-Security-Policy on the main site"),
    ("csp-weak", "csp", "GET", "/blog.php", None, None, V, ANON, PLAIN, "CSP with unsafe-inline, unsafe-eval and wildcards"),
    ("csp-safe", "csp", "GET", "/secure/", None, None, S, ANON, PLAIN, "strict CSP"),
    ("xfo-missing", "x_frame_options", "GET", "/", None, None, V, ANON, PLAIN, "no X-Frame-Options nor frame-ancestors"),
    ("xfo-safe", "x_frame_options", "GET", "/secure/", None, None, S, ANON, PLAIN, "X-Frame-Options DENY"),
    ("xcto-missing", "x_content_type_options", "GET", "/", None, None, V, ANON, PLAIN, "no X-Content-Type-Options"),
    ("xcto-safe", "x_content_type_options", "GET", "/secure/", None, None, S, ANON, PLAIN, "X-Content-Type-Options nosniff"),
    ("hsts-missing", "hsts", "GET", "/", None, None, V, ANON, TLS, "HTTPS without Strict-Transport-Security"),
    ("hsts-safe", "hsts", "GET", "/secure/", None, None, S, ANON, TLS, "HTTPS with a one-year HSTS"),
    ("referrer-missing", "referrer_policy", "GET", "/", None, None, V, ANON, PLAIN, "no Referrer-Policy"),
    ("referrer-weak", "referrer_policy", "GET", "/blog.php", None, None, V, ANON, PLAIN, "Referrer-Policy unsafe-url"),
    ("referrer-safe", "referrer_policy", "GET", "/secure/", None, None, S, ANON, PLAIN, "Referrer-Policy no-referrer"),
    // --- passive: cookies and sessions
    ("cookie-session", "cookie_flags", "POST", "/login", None, None, V, ANON, PLAIN, "PHPSESSID set without Secure, HttpOnly or SameSite"),
    ("cookie-visitor", "cookie_flags", "GET", "/", None, None, V, ANON, PLAIN, "visitor cookie without flags"),
    ("cookie-safe", "cookie_flags", "GET", "/secure/", None, None, S, ANON, PLAIN, "cookie with Secure, HttpOnly and SameSite=Strict"),
    ("session-sequential", "predictable_session_id", "POST", "/login", None, None, V, ANON, PLAIN, "PHPSESSID values are sequential across logins"),
    ("session-random", "predictable_session_id", "POST", "/secure/login", None, None, S, ANON, PLAIN, "session ids are 128 random bits"),
    // --- passive: disclosure
    ("version-banner", "version_disclosure", "GET", "/", None, None, V, ANON, PLAIN, "Server and X-Powered-By carry versions"),
    ("version-safe", "version_disclosure", "GET", "/secure/", None, None, S, ANON, PLAIN, "no version banners"),
    ("error-stacktrace", "error_disclosure", "GET", "/legacy/invoice.jsp", None, None, V, ANON, PLAIN, "Java stack trace shown"),
    ("error-stacktrace-bare", "error_disclosure", "GET", "/legacy/statement.jsp", None, None, V, ANON, PLAIN, "servlet error page listing Java frames without the at prefix"),
    ("error-safe-notes", "error_disclosure", "GET", "/legacy/notes.jsp", None, None, S, ANON, PLAIN, "release notes naming an exception class, no trace"),
    ("error-sql", "error_disclosure", "GET", "/reports.php", None, None, V, ANON, PLAIN, "MySQL error text shown"),
    ("error-safe", "error_disclosure", "GET", "/maintenance.php", None, None, S, ANON, PLAIN, "generic error page with a reference number"),
    ("private-ip", "private_ip_disclosure", "GET", "/contact.php", None, None, V, ANON, PLAIN, "internal 10.x and 192.168.x addresses in the page"),
    ("private-ip-safe", "private_ip_disclosure", "GET", "/about.php", None, None, S, ANON, PLAIN, "public documentation address and dotted version numbers only"),
    // --- passive: passwords and content
    ("password-http", "password_over_http", "GET", "/login", None, None, V, ANON, PLAIN, "login form served over plain HTTP"),
    ("password-http-safe", "password_over_http", "GET", "/secure/login", None, None, S, ANON, TLS, "login form served over HTTPS"),
    ("password-get", "password_in_get", "GET", "/members/signin.php", None, None, V, ANON, PLAIN, "login form with method GET"),
    ("password-get-safe", "password_in_get", "GET", "/login", None, None, S, ANON, PLAIN, "login form with method POST"),
    ("autocomplete-on", "password_autocomplete", "GET", "/members/signin.php", None, None, V, ANON, PLAIN, "password field without autocomplete=off"),
    ("autocomplete-safe", "password_autocomplete", "GET", "/login", None, None, S, ANON, PLAIN, "password field with autocomplete=off"),
    ("autocomplete-unnamed", "password_autocomplete", "GET", "/members/pin.php", None, None, V, ANON, PLAIN, "PIN input without a name (sent by script), autocomplete allowed"),
    ("autocomplete-unnamed-safe", "password_autocomplete", "GET", "/members/pin-safe.php", None, None, S, ANON, PLAIN, "the same unnamed PIN input with autocomplete=off"),
    ("mixed-content", "mixed_content", "GET", "/checkout.php", None, None, V, ANON, TLS, "HTTPS page loading a script over http://"),
    ("mixed-content-safe", "mixed_content", "GET", "/secure/", None, None, S, ANON, TLS, "HTTPS page with same-origin resources only"),
    // --- xss_dom (the script runs in a browser; `spa.rs`)
    ("dom-xss-hash", "xss_dom", "GET", "/dom/welcome.html", Some("location.hash"), Some(Fragment), V, ANON, PLAIN, "the fragment, URL-decoded, written to innerHTML"),
    ("dom-xss-search", "xss_dom", "GET", "/dom/results.html", Some("location.search"), Some(Query), V, ANON, PLAIN, "a query parameter written with document.write"),
    ("dom-xss-referrer", "xss_dom", "GET", "/dom/back.html", Some("document.referrer"), Some(Referer), V, ANON, PLAIN, "the referrer, URL-decoded, put in a link built as HTML"),
    ("dom-xss-name", "xss_dom", "GET", "/dom/config.html", Some("window.name"), None, V, ANON, PLAIN, "window.name concatenated into a string that is eval'd"),
    ("dom-xss-message", "xss_dom", "GET", "/dom/chat.html", Some("postMessage"), None, V, ANON, PLAIN, "any window message shown with a jQuery-style html()"),
    ("dom-xss-storage", "xss_dom", "GET", "/dom/greeting.html", Some("web storage"), None, V, ANON, PLAIN, "a localStorage value concatenated into a setTimeout string"),
    ("dom-xss-location", "xss_dom", "GET", "/dom/continue.html", Some("location.search"), Some(Query), V, ANON, PLAIN, "the next parameter assigned to location.href (javascript: URLs run)"),
    ("dom-safe-hash", "xss_dom", "GET", "/dom/welcome-safe.html", Some("location.hash"), Some(Fragment), S, ANON, PLAIN, "the fragment written with textContent"),
    ("dom-safe-search", "xss_dom", "GET", "/dom/results-safe.html", Some("location.search"), Some(Query), S, ANON, PLAIN, "the query parameter HTML-escaped before document.write"),
    ("dom-safe-referrer", "xss_dom", "GET", "/dom/back-safe.html", Some("document.referrer"), Some(Referer), S, ANON, PLAIN, "the referrer set as a link's href property"),
    ("dom-safe-name", "xss_dom", "GET", "/dom/config-safe.html", Some("window.name"), None, S, ANON, PLAIN, "window.name used as data, never evaluated"),
    ("dom-safe-message", "xss_dom", "GET", "/dom/chat-safe.html", Some("postMessage"), None, S, ANON, PLAIN, "messages from other origins than the chat server are ignored"),
    ("dom-safe-storage", "xss_dom", "GET", "/dom/greeting-safe.html", Some("web storage"), None, S, ANON, PLAIN, "the stored value passed to a function, setTimeout given a function"),
    ("dom-safe-location", "xss_dom", "GET", "/dom/continue-safe.html", Some("location.search"), Some(Query), S, ANON, PLAIN, "only same-site paths are followed"),
    // --- the API area reached only through definitions (OpenAPI, GraphQL, HAR)
    ("sqli-api2-json", "sqli", "POST", "/api/v2/orders/search", Some("customer"), Some(Post), V, ANON, PLAIN, "API v2: customer from a JSON body concatenated into SQL, errors in JSON"),
    ("sqli-api2-safe", "sqli", "POST", "/api/v2/invoices/search", Some("customer"), Some(Post), S, ANON, PLAIN, "API v2: parameterised invoice search"),
    ("xss-api2-query", "xss_reflected", "GET", "/api/v2/preview", Some("title"), Some(Query), V, ANON, PLAIN, "API v2: HTML preview of a title, reflected unescaped"),
    ("xss-api2-safe", "xss_reflected", "GET", "/api/v2/render", Some("title"), Some(Query), S, ANON, PLAIN, "API v2: HTML rendering of a title, escaped"),
    ("sqli-graphql", "sqli", "POST", "/graphql", Some("variables.product_name"), Some(Post), V, ANON, PLAIN, "GraphQL: the product resolver concatenates its name argument into SQL"),
    ("sqli-graphql-safe", "sqli", "POST", "/graphql", Some("variables.catalogItem_sku"), Some(Post), S, ANON, PLAIN, "GraphQL: the catalogItem resolver binds its sku argument"),
];

/// Client-side cases only a browser shows (`pages/client.rs`): the page's script must run.
#[rustfmt::skip]
const BROWSER_ROWS: &[Row] = &[
    ("jslib-jquery", "vulnerable_js_library", "GET", "/client/catalog.html", Some("jQuery"), None, V, ANON, PLAIN, "jQuery 1.8.3 loaded as jquery-1.8.3.min.js"),
    ("jslib-angular", "vulnerable_js_library", "GET", "/client/dashboard.html", Some("AngularJS"), None, V, ANON, PLAIN, "AngularJS 1.5.8 inside app.bundle.js: only the running page tells"),
    ("jslib-lodash", "vulnerable_js_library", "GET", "/client/reports.html", Some("Lodash"), None, V, ANON, PLAIN, "Lodash 4.17.15 as vendor.js: its banner tells"),
    ("jslib-current", "vulnerable_js_library", "GET", "/client/catalog-new.html", None, None, S, ANON, PLAIN, "jQuery 3.7.1, Lodash 4.17.21 and Moment 2.30.1: current versions"),
    ("storage-token", "sensitive_web_storage", "GET", "/client/account.html", Some("localStorage.access_token"), None, V, ANON, PLAIN, "the API token (a JWT) kept in localStorage"),
    ("storage-prefs", "sensitive_web_storage", "GET", "/client/preferences.html", None, None, S, ANON, PLAIN, "only display preferences in web storage"),
    ("postmessage-any", "postmessage_origin", "GET", "/client/widget.html", Some("message listener"), None, V, ANON, PLAIN, "the support widget shows any window message"),
    ("postmessage-checked", "postmessage_origin", "GET", "/client/widget-checked.html", Some("message listener"), None, S, ANON, PLAIN, "messages from other origins are dropped"),
    ("mixed-runtime", "mixed_content", "GET", "/client/gallery.html", None, None, V, ANON, TLS, "the HTTPS gallery's script loads its images over http://"),
    ("xss-template", "xss_reflected", "GET", "/links/card.php", Some("greeting"), Some(Query), V, ANON, PLAIN, "greeting card: the greeting raw (closing tags removed) in a <template> that the page's script stamps into the page"),
    ("xss-safe-template", "xss_reflected", "GET", "/links/cards.php", Some("greeting"), Some(Query), S, ANON, PLAIN, "card gallery: the same template, which nothing stamps (the greeting stays inert)"),
    ("xss-stored-template", "xss_stored", "POST", "/links/wish.php", Some("wish"), Some(Post), V, ANON, PLAIN, "birthday wall (/links/wall.php): wishes shown escaped, the newest raw (closing tags removed) in a <template> that the page's script stamps into the page"),
    ("xss-stored-safe-template", "xss_stored", "POST", "/links/note.php", Some("note"), Some(Post), S, ANON, PLAIN, "notice board (/links/board.php): notes shown escaped; the old template there still holds the newest raw, but nothing stamps it"),
    ("mixed-runtime-safe", "mixed_content", "GET", "/client/gallery-safe.html", None, None, S, ANON, TLS, "the gallery's script loads images relative to the page"),
];

/// Cases of the API area that no link leads to (see [`crate::definitions`]).
const NEEDS_DEFINITION: &[&str] = &[
    "sqli-api2-json",
    "sqli-api2-safe",
    "xss-api2-query",
    "xss-api2-safe",
    "sqli-graphql",
    "sqli-graphql-safe",
];

/// Every case of the testbed, in a stable order.
pub fn manifest() -> Vec<Case> {
    ROWS.iter()
        .chain(BROWSER_ROWS)
        .map(|r| Case {
            id: r.0.to_owned(),
            module_key: r.1.to_owned(),
            method: r.2.to_owned(),
            path: r.3.to_owned(),
            parameter: r.4.map(str::to_owned),
            location: r.5,
            vulnerable: r.6,
            requires_login: r.7,
            tls: r.8,
            description: r.9.to_owned(),
            needs_definition: NEEDS_DEFINITION.contains(&r.0),
            needs_browser: r.1 == "xss_dom" || BROWSER_ROWS.iter().any(|b| b.0 == r.0),
        })
        .collect()
}

/// Whether `id` names a case.
pub fn is_case(id: &str) -> bool {
    ROWS.iter().chain(BROWSER_ROWS).any(|r| r.0 == id)
}

/// How to log in to the `/account/` area, for scan configurations and tests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginInfo {
    pub login_path: String,
    pub username_field: String,
    pub password_field: String,
    pub username: String,
    pub password: String,
    /// Matches a page seen while logged in.
    pub logged_in_regex: String,
    /// Matches a page seen after the session was lost.
    pub session_loss_regex: String,
    /// The link that destroys the session when followed.
    pub logout_path: String,
    pub session_cookie: String,
    /// A second account of the same login form (access control between two users).
    pub second_username: String,
    pub second_password: String,
}

/// The login facts of this testbed.
pub fn login_info() -> LoginInfo {
    LoginInfo {
        login_path: "/login".into(),
        username_field: "username".into(),
        password_field: "password".into(),
        username: crate::auth::USERNAME.into(),
        password: crate::auth::PASSWORD.into(),
        logged_in_regex: "Signed in as <b>".into(),
        session_loss_regex: "Please sign in to continue".into(),
        logout_path: "/logout.php".into(),
        session_cookie: "PHPSESSID".into(),
        second_username: crate::auth::USERNAME2.into(),
        second_password: crate::auth::PASSWORD2.into(),
    }
}

impl Case {
    /// Whether a finding of module `module_key` at `url` (absolute) on `parameter` is this
    /// case: same module, a path matching the case's (`{id}` matches one segment), the same
    /// listener (HTTPS or not), and the case's parameter when both name one (case-insensitive).
    /// The comparison the end-to-end tests make between what a scan reports and the manifest.
    pub fn matches(&self, module_key: &str, url: &str, parameter: Option<&str>) -> bool {
        let Ok(u) = url::Url::parse(url) else {
            return false;
        };
        let re = format!(
            "^{}$",
            regex::escape(&self.path).replace(r"\{id\}", "[^/]+")
        );
        module_key == self.module_key
            && regex::Regex::new(&re).is_ok_and(|r| r.is_match(u.path()))
            && (u.scheme() == "https") == self.tls
            && match (&self.parameter, parameter) {
                (Some(p), Some(fp)) => fp.eq_ignore_ascii_case(p),
                _ => true,
            }
    }
}
