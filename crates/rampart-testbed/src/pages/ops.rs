//! The operations console: programs run without a shell (the input is the command, or
//! arguments split on spaces), on a Linux and a Windows host, and their safe twins.

use super::{param, Params};
use crate::emu::{shell, win};
use crate::html::{esc, page};
use crate::state::Shared;
use axum::extract::{Query, State};
use axum::response::Html;
use axum::routing::get;
use axum::Router;

pub(crate) fn routes() -> Router<Shared> {
    Router::new()
        .route("/ops/", get(index))
        .route("/ops/run.php", get(run))
        .route("/ops/netcheck.php", get(netcheck))
        .route("/ops/winrun.aspx", get(winrun))
        .route("/ops/jobs.php", get(jobs))
        .route("/ops/reach.php", get(reach))
        .route("/ops/{*rest}", get(leftovers))
        .route("/ops.zip", get(archive))
}

const JOBS_SRC: &str = "<?php\n// scheduled jobs: allow-listed tasks only\n$tasks = ['uptime' => ['uptime'], 'whoami' => ['whoami']];\n\
$t = $_GET['task'] ?? 'uptime';\nif (isset($tasks[$t])) { passthru(escapeshellcmd(implode(' ', $tasks[$t]))); }\n";
const RUN_SRC: &str =
    "<?php\n// maintenance task runner\n$argv = explode(' ', $_GET['task'] ?? 'uptime');\n\
$p = proc_open($argv, [1 => ['pipe', 'w']], $pipes);\necho stream_get_contents($pipes[1]);\n";

/// Files left in the operations folder: a copy made by a file manager and a numbered
/// backup, both served as text. Anything else is a real 404.
async fn leftovers(State(st): State<Shared>, uri: http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    let name = crate::html::percent_decoded(uri.path());
    let text =
        |src: &'static str| ([(http::header::CONTENT_TYPE, "text/plain")], src).into_response();
    match name.as_str() {
        "/ops/Copy of jobs.php" if st.vulnerable("sf-copy") => text(JOBS_SRC),
        "/ops/run.php.1" if st.vulnerable("sf-numbered") => text(RUN_SRC),
        _ => super::not_found(&st, uri.path()),
    }
}

/// A zip of the operations folder, next to it.
async fn archive(State(st): State<Shared>, uri: http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if !st.vulnerable("sf-archive") {
        return super::not_found(&st, uri.path());
    }
    // A stored (uncompressed) zip entry header, then the file.
    let mut body = b"PK\x03\x04\x0a\x00\x00\x00\x00\x00".to_vec();
    body.extend_from_slice(
        b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x07\x00\x00\x00run.php",
    );
    body.extend_from_slice(RUN_SRC.as_bytes());
    ([(http::header::CONTENT_TYPE, "application/zip")], body).into_response()
}

async fn index(State(st): State<Shared>) -> Html<String> {
    page(
        &st,
        "Operations",
        "<ul><li><a href=\"/ops/run.php?task=uptime\">Run a maintenance task</a></li>\
         <li><a href=\"/ops/jobs.php?task=uptime\">Scheduled jobs</a></li>\
         <li><a href=\"/ops/netcheck.php?host=127.0.0.1\">Network check</a></li>\
         <li><a href=\"/ops/reach.php?host=127.0.0.1\">Reachability</a></li>\
         <li><a href=\"/ops/winrun.aspx?cmd=hostname\">Windows host console</a></li></ul>",
    )
}

fn form(action: &str, field: &str, value: &str) -> String {
    format!(
        "<form method=\"get\" action=\"{action}\"><input type=\"text\" name=\"{field}\" value=\"{value}\">\
         <input type=\"submit\" value=\"Run\"></form>"
    )
}

/// The allow-listed tasks of the safe consoles, as fixed argument vectors.
fn task(name: &str) -> Option<&'static [&'static str]> {
    match name {
        "uptime" => Some(&["uptime"]),
        "whoami" => Some(&["whoami"]),
        _ => None,
    }
}

fn argv(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| (*w).to_owned()).collect()
}

/// Runs an allow-listed task, or says it is unknown (echoing the name, escaped).
fn allow_listed(name: &str) -> String {
    match task(name) {
        Some(w) => shell::exec(&argv(w)).output,
        None => format!("Unknown task: {name}"),
    }
}

async fn run(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let t = param(&q, "task", "uptime");
    let out = if st.vulnerable("cmdi-exec-command") {
        // ProcessBuilder(task.split(" ")): the input is the program and its arguments.
        let r = shell::exec(&argv(&t.split_whitespace().collect::<Vec<_>>()));
        tokio::time::sleep(r.delay).await;
        r.output
    } else {
        allow_listed(&t)
    };
    let body = format!(
        "{}<pre>{}</pre>",
        form("/ops/run.php", "task", "uptime"),
        esc(&out)
    );
    page(&st, "Maintenance task", &body)
}

async fn jobs(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let t = param(&q, "task", "uptime");
    let body = format!(
        "{}<pre>{}</pre>",
        form("/ops/jobs.php", "task", "uptime"),
        esc(&allow_listed(&t))
    );
    page(&st, "Scheduled jobs", &body)
}

fn valid_host(h: &str) -> bool {
    !h.is_empty()
        && h.len() < 254
        && h.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        && !h.starts_with('-')
}

/// `ping -c 1 HOST` run without a shell; only whether the host answered is shown.
async fn netcheck(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let host = param(&q, "host", "127.0.0.1");
    let up = if st.vulnerable("cmdi-exec-arg") {
        // Runtime.exec("ping -c 1 " + host): split on spaces, so extra options get through.
        let mut a = argv(&["ping", "-c", "1"]);
        a.extend(host.split_whitespace().map(str::to_owned));
        let r = shell::exec(&a);
        tokio::time::sleep(r.delay).await;
        r.output.contains("bytes from")
    } else {
        valid_host(&host)
            && shell::exec(&argv(&["ping", "-c", "1", &host]))
                .output
                .contains("bytes from")
    };
    let msg = if up {
        "Host is up."
    } else {
        "Host unreachable."
    };
    let body = format!(
        "{}<p>{msg}</p>",
        form("/ops/netcheck.php", "host", "127.0.0.1")
    );
    page(&st, "Network check", &body)
}

/// The safe twin: one validated argument, never split.
async fn reach(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let host = param(&q, "host", "127.0.0.1");
    let up = valid_host(&host)
        && shell::exec(&argv(&["ping", "-c", "1", &host]))
            .output
            .contains("bytes from");
    let msg = if up { "Reachable." } else { "Not reachable." };
    let body = format!(
        "{}<p>{msg}</p>",
        form("/ops/reach.php", "host", "127.0.0.1")
    );
    page(&st, "Reachability", &body)
}

/// A Windows host: the input is the command line given to `CreateProcess`.
async fn winrun(State(st): State<Shared>, Query(q): Query<Params>) -> Html<String> {
    let cmd = param(&q, "cmd", "hostname");
    let out = if st.vulnerable("cmdi-exec-windows") {
        let r = win::exec(&cmd);
        tokio::time::sleep(r.delay).await;
        r.output
    } else if cmd == "hostname" {
        win::exec("hostname").output
    } else {
        format!("Command not allowed: {cmd}")
    };
    let body = format!(
        "{}<pre>{}</pre>",
        form("/ops/winrun.aspx", "cmd", "hostname"),
        esc(&out)
    );
    page(&st, "Windows host console", &body)
}
