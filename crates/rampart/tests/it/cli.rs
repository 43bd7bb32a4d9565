//! The command line as a user runs it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn rampart() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rampart"))
}

/// A fresh SQLite database, made as the server's first start makes it.
fn temp_db() -> (std::path::PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("rampart-cli-{}", uuid()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let url = format!("sqlite://{}", dir.join("r.db").display());
    create_db(&url);
    (dir, url)
}

pub fn create_db(url: &str) {
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(rampart_store_sqlite::connect(url))
        .expect("create the database");
}

/// A mistyped or relative `--database` does not silently make a new database (and print
/// a key the server would refuse): it says there is none and how to name the real one.
#[test]
fn key_create_refuses_a_database_that_does_not_exist() {
    let dir = std::env::temp_dir().join(format!("rampart-cli-none-{}", uuid()));
    let url = format!("sqlite://{}", dir.join("r.db").display());
    let out = rampart()
        .args([
            "key",
            "create",
            "--database",
            &url,
            "--role",
            "read-only",
            "--org",
        ])
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("no database at"), "{err}");
    assert!(out.stdout.is_empty(), "no key printed");
    assert!(!dir.exists(), "nothing created");
}

fn uuid() -> String {
    format!("{}-{:?}", std::process::id(), std::thread::current().id()).replace(['(', ')'], "")
}

#[test]
fn key_create_prints_only_the_key() {
    let (dir, url) = temp_db();
    let out = rampart()
        .args([
            "key",
            "create",
            "--database",
            &url,
            "--role",
            "read-write",
            "--user",
            "dev@example.test",
            "--name",
            "ci",
        ])
        .output()
        .expect("run key create");
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<_> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "exactly one line: {stdout:?}");
    assert!(
        lines[0].starts_with("rmp_") && lines[0].len() == 4 + 43,
        "a 256-bit token: {}",
        lines[0]
    );
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn key_create_explains_bad_input() {
    let (dir, url) = temp_db();
    let out = rampart()
        .args([
            "key",
            "create",
            "--database",
            &url,
            "--role",
            "boss",
            "--org",
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("use product-admin, read-write or read-only")
    );
    let out = rampart()
        .args(["key", "create", "--database", &url, "--role", "read-only"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--org"),
        "says what to do"
    );
    std::fs::remove_dir_all(dir).ok();
}

/// First start on an empty database prints a working key; the second start does not.
#[test]
fn server_bootstraps_once_and_the_key_works() {
    let (dir, url) = temp_db();
    for first in [true, false] {
        let mut child = rampart()
            .args(["server", "--database", &url, "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start server");
        let stderr = child.stderr.take().expect("stderr");
        let stdout = child.stdout.take().expect("stdout");
        // The listening address is logged; the key (first start only) goes to stdout.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(i) = line.find("addr=") {
                    let addr: String = line[i + 5..]
                        .chars()
                        .take_while(|c| !c.is_whitespace())
                        .collect();
                    let _ = tx.send(addr);
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("server logs its address");
        let mut key_line = Some(std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .find(|l| l.trim_start().starts_with("rmp_"))
        }));
        let mut printed = || key_line.take().and_then(|h| h.join().ok().flatten());
        if first {
            let key = printed()
                .expect("first start prints the key")
                .trim()
                .to_string();
            let deadline = Instant::now() + Duration::from_secs(30);
            let body = loop {
                match raw_http::blocking_get(&addr, &key) {
                    Ok(b) => break b,
                    Err(e) if Instant::now() < deadline => {
                        let _ = e;
                        std::thread::yield_now();
                    }
                    Err(e) => panic!("validate failed: {e}"),
                }
            };
            assert_eq!(body, r#"{"message":"Authorized"}"#);
        }
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let status = child.wait().expect("server exits");
        assert!(
            status.success(),
            "graceful shutdown on SIGTERM exits 0: {status:?}"
        );
        if !first {
            assert!(printed().is_none(), "no second key on restart");
        }
    }
    std::fs::remove_dir_all(dir).ok();
}

mod raw_http {
    /// `GET /validate` with the key, over a plain blocking socket.
    pub fn blocking_get(addr: &str, key: &str) -> std::io::Result<String> {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(addr)?;
        write!(s, "GET /validate HTTP/1.1\r\nHost: {addr}\r\nX-Api-Key: {key}\r\nConnection: close\r\n\r\n")?;
        let mut buf = String::new();
        s.read_to_string(&mut buf)?;
        Ok(buf.split("\r\n\r\n").nth(1).unwrap_or("").to_string())
    }
}

#[test]
fn server_refuses_a_zero_lease_and_a_bad_engine_count() {
    let (_dir, url) = temp_db();
    let out = rampart()
        .args([
            "server",
            "--database",
            &url,
            "--listen",
            "127.0.0.1:0",
            "--lease-seconds",
            "0",
        ])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--lease-seconds must be at least 1"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = rampart()
        .args(["server", "--database", &url, "--engines", "many"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "clap rejects a non-number");
}

/// `rampart oauth-client create|list|delete` on the database, as `rampart key` does.
#[test]
fn oauth_client_create_list_delete() {
    let (dir, url) = temp_db();
    let run = |args: &[&str]| {
        let out = rampart().args(args).output().expect("run");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    };
    run(&[
        "key",
        "create",
        "--database",
        &url,
        "--role",
        "product-admin",
        "--org",
    ]);
    let out = run(&[
        "oauth-client",
        "create",
        "--database",
        &url,
        "--role",
        "read-write",
        "--scopes",
        "read scans:write",
        "--name",
        "ci",
    ]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("client_id=rmpc_"), "{out}");
    assert!(lines[1].starts_with("client_secret=rmps_"), "{out}");
    assert!(
        lines[2].contains("scans:write") && !lines[2].contains("audit:read"),
        "{out}"
    );
    let client_id = lines[0].trim_start_matches("client_id=");
    let list = run(&["oauth-client", "list", "--database", &url]);
    assert!(
        list.contains(client_id) && list.contains("read-write"),
        "{list}"
    );
    assert!(!list.contains("rmps_"), "never the secret: {list}");
    let id = list.split('\t').next().expect("an id column");
    run(&["oauth-client", "delete", "--database", &url, id]);
    assert!(!run(&["oauth-client", "list", "--database", &url]).contains(client_id));
    let out = rampart()
        .args([
            "oauth-client",
            "create",
            "--database",
            &url,
            "--scopes",
            "everything",
        ])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown scope 'everything'"));
    std::fs::remove_dir_all(dir).ok();
}
