//! A real `rampart server` process for crash tests and the restart benchmark: start it on a
//! database (optionally with an instance id), read its address and first key from its logs,
//! and call its API. Shared by `tests/it/crash.rs` and `examples/restart_bench.rs` (included
//! there with `#[path]`), so both drive the server the same way.

#![allow(dead_code)] // each includer uses part of it

use reqwest::Method;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running server process, its address and what it printed on stdout.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub key: Option<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start(bin: &str, database: &str, instance: Option<&str>, lease_seconds: u32) -> Server {
    let mut cmd = Command::new(bin);
    if let Some(id) = instance {
        cmd.env("RAMPART_INSTANCE_ID", id);
    }
    let mut child = cmd
        .args([
            "server",
            "--database",
            database,
            "--listen",
            "127.0.0.1:0",
            "--engines",
            "1",
            "--lease-seconds",
            &lease_seconds.to_string(),
        ])
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start rampart server");
    let stderr = child.stderr.take().expect("stderr");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(i) = line.find("addr=") {
                let addr: String = line[i + 5..]
                    .chars()
                    .take_while(|c| !c.is_whitespace() && *c != '\u{1b}')
                    .collect();
                let _ = tx.send(addr);
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("the server logs its address");
    // The key is printed before the address is logged (first start only).
    let (ktx, krx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let key = BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .find(|l| l.trim_start().starts_with("rmp_"))
            .map(|l| l.trim().to_string());
        let _ = ktx.send(key);
    });
    let key = krx.recv_timeout(Duration::from_millis(500)).ok().flatten();
    Server {
        child,
        base: format!("http://{addr}"),
        key,
    }
}

pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
    pub key: String,
}

impl Api {
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value, String) {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        };
        let mut r = self
            .http
            .request(method, url)
            .header("X-Api-Key", &self.key);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let resp = r.send().await.expect("request");
        let status = resp.status().as_u16();
        let loc = resp
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let text = resp.text().await.unwrap_or_default();
        let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, json, loc)
    }

    /// A request with `accept`: status, raw body, `Content-Type`.
    pub async fn raw(&self, method: Method, path: &str, accept: &str) -> (u16, Vec<u8>, String) {
        let resp = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("X-Api-Key", &self.key)
            .header("Accept", accept)
            .send()
            .await
            .expect("request");
        let status = resp.status().as_u16();
        let ct = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        (status, resp.bytes().await.unwrap_or_default().to_vec(), ct)
    }

    pub async fn get(&self, path: &str) -> Value {
        let (s, v, _) = self.call(Method::GET, path, None).await;
        assert_eq!(s, 200, "GET {path}: {v}");
        v
    }

    /// POST that creates: the new id from `Location`.
    pub async fn create(&self, path: &str, body: Value) -> String {
        let (s, v, loc) = self.call(Method::POST, path, Some(body)).await;
        assert!(matches!(s, 200 | 201), "POST {path}: {s} {v}");
        loc.rsplit('/').next().unwrap().to_string()
    }

    /// Every vulnerability of `scan`, through the paged search.
    pub async fn scan_vulns(&self, scan: &str) -> Vec<Value> {
        let body =
            json!({"type": "VULNERABILITY", "query": format!("vulnerability.scans.id='{scan}'")});
        let mut url = format!("{}/ias/v1/search?size=50", self.base);
        let mut out = Vec::new();
        loop {
            let (s, page, _) = self.call(Method::POST, &url, Some(body.clone())).await;
            assert_eq!(s, 200, "{page}");
            out.extend(page["data"].as_array().unwrap().iter().cloned());
            match page["links"]
                .as_array()
                .and_then(|l| l.iter().find(|l| l["rel"] == "next"))
                .and_then(|l| l["href"].as_str())
            {
                Some(n) => url = n.to_string(),
                None => return out,
            }
        }
    }
}
