//! Request helpers over reqwest: a caller (a key or none), a request, a response that
//! knows its body and checks the correlation header.

use crate::{Key, TestApp};
use reqwest::Method;
use serde_json::Value;
use uuid::Uuid;

/// Who sends: one key, or none.
#[derive(Clone, Copy)]
pub struct Caller<'a> {
    app: &'a TestApp,
    key: Option<&'a Key>,
    bearer: Option<&'a str>,
}

impl<'a> Caller<'a> {
    pub(crate) fn new(app: &'a TestApp, key: Option<&'a Key>) -> Self {
        Self {
            app,
            key,
            bearer: None,
        }
    }

    pub(crate) fn bearer(app: &'a TestApp, token: &'a str) -> Self {
        Self {
            app,
            key: None,
            bearer: Some(token),
        }
    }

    /// A request of any method; `path` is `/ias/v1/…` or an absolute URL.
    pub fn request(&self, method: Method, path: &str) -> Req {
        let mut rb = self.app.http().request(method.clone(), self.app.url(path));
        if let Some(k) = self.key {
            rb = rb.header("X-Api-Key", &k.token);
        }
        if let Some(t) = self.bearer {
            rb = rb.header("Authorization", format!("Bearer {t}"));
        }
        let who = match (self.key, self.bearer) {
            (Some(k), _) => k.label,
            (None, Some(_)) => "bearer token",
            (None, None) => "no key",
        };
        Req {
            rb,
            what: format!("{method} {path} as {who}"),
        }
    }
    pub fn get(&self, path: &str) -> Req {
        self.request(Method::GET, path)
    }
    pub fn post(&self, path: &str) -> Req {
        self.request(Method::POST, path)
    }
    pub fn put(&self, path: &str) -> Req {
        self.request(Method::PUT, path)
    }
    pub fn patch(&self, path: &str) -> Req {
        self.request(Method::PATCH, path)
    }
    pub fn delete(&self, path: &str) -> Req {
        self.request(Method::DELETE, path)
    }

    /// `POST path` with `body`, asserting 201 and returning the id at the end of `Location`.
    pub async fn create(&self, path: &str, body: Value) -> Uuid {
        self.post(path)
            .json(&body)
            .send()
            .await
            .status(201)
            .location_id()
    }
}

/// A request being built.
pub struct Req {
    rb: reqwest::RequestBuilder,
    what: String,
}

impl Req {
    /// A JSON body with `Content-Type: application/json`.
    pub fn json(mut self, v: &Value) -> Self {
        self.rb = self
            .rb
            .header("Content-Type", "application/json")
            .body(v.to_string());
        self
    }
    /// A raw body (no content type is added).
    pub fn body(mut self, b: impl Into<String>) -> Self {
        self.rb = self.rb.body(b.into());
        self
    }
    /// Raw bytes with `Content-Type: application/octet-stream`.
    pub fn octets(mut self, b: impl Into<Vec<u8>>) -> Self {
        self.rb = self
            .rb
            .header("Content-Type", "application/octet-stream")
            .body(b.into());
        self
    }
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.rb = self.rb.header(name, value);
        self
    }
    pub fn query(mut self, q: &[(&str, &str)]) -> Self {
        self.rb = self.rb.query(q);
        self
    }

    pub async fn send(self) -> Resp {
        let res = self
            .rb
            .send()
            .await
            .unwrap_or_else(|e| panic!("{}: request failed: {e}", self.what));
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = res
            .bytes()
            .await
            .unwrap_or_else(|e| panic!("{}: reading the body failed: {e}", self.what))
            .to_vec();
        let r = Resp {
            what: self.what,
            status,
            headers,
            body,
        };
        r.assert_correlation_id();
        r
    }
}

/// A response, fully read.
#[derive(Debug)]
pub struct Resp {
    /// `METHOD path as caller`, for failure messages.
    pub what: String,
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Panics (showing the body) unless the status is `expected`.
    #[track_caller]
    pub fn status(self, expected: u16) -> Self {
        assert_eq!(
            self.status,
            expected,
            "{}: expected {expected}, got {} with body {}",
            self.what,
            self.status,
            self.text()
        );
        self
    }

    /// The body as JSON.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{}: body is not JSON ({e}): {}", self.what, self.text()))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap_or("<non-ascii>").to_string())
    }

    pub fn location(&self) -> Option<String> {
        self.header("location")
    }

    /// The UUID that ends the `Location` header (how every real client reads ids).
    #[track_caller]
    pub fn location_id(&self) -> Uuid {
        let loc = self
            .location()
            .unwrap_or_else(|| panic!("{}: no Location header", self.what));
        let last = loc.rsplit('/').next().unwrap_or_default();
        Uuid::parse_str(last)
            .unwrap_or_else(|_| panic!("{}: Location {loc} does not end in a UUID", self.what))
    }

    #[track_caller]
    fn assert_correlation_id(&self) {
        let id = self.header("r7-correlation-id");
        let id = id.unwrap_or_else(|| {
            panic!(
                "{}: no r7-correlation-id header on a {}",
                self.what, self.status
            )
        });
        assert!(
            Uuid::parse_str(&id).is_ok(),
            "{}: r7-correlation-id {id} is not a UUID",
            self.what
        );
    }

    /// Asserts the §10.1 error body: `status` is `"<code> <REASON>"` and `message` is set;
    /// returns the body.
    #[track_caller]
    pub fn error_body(&self) -> Value {
        let v = self.json();
        let status = v["status"]
            .as_str()
            .unwrap_or_else(|| panic!("{}: error body without status: {v}", self.what));
        assert!(
            status.starts_with(&format!("{} ", self.status)),
            "{}: status {status} does not match {}",
            self.what,
            self.status
        );
        assert!(
            v["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{}: error body without message: {v}",
            self.what
        );
        v
    }
}
