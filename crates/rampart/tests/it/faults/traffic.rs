//! Mixed API traffic (list, get, create, search over `/ias/v1` and `/v1`) from one task
//! until stopped, every answer recorded and its error shape checked.

use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One answer (status 0: no answer within the client's timeout, or a broken connection).
#[derive(Clone, Debug)]
pub struct Answer {
    pub at: Instant,
    pub took: Duration,
    pub what: String,
    pub status: u16,
    /// Set when the answer breaks the rules: not 2xx or 503, or a 503 without the
    /// documented body and `Retry-After`.
    pub wrong: Option<String>,
}

/// A running traffic task.
pub struct Traffic {
    stop: Arc<AtomicBool>,
    answers: Arc<Mutex<Vec<Answer>>>,
    created: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

/// The longest any request may take: more is a hang.
pub const HANG: Duration = Duration::from_secs(20);

/// The least time between two requests' starts: 40 a second.
const PACE: Duration = Duration::from_millis(25);

impl Traffic {
    pub fn start(base: &str, key: &str) -> Traffic {
        let stop = Arc::new(AtomicBool::new(false));
        let answers = Arc::new(Mutex::new(Vec::new()));
        let created = Arc::new(Mutex::new(Vec::new()));
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(HANG)
            .build()
            .unwrap();
        let task = tokio::spawn(run(
            http,
            base.to_string(),
            key.to_string(),
            stop.clone(),
            answers.clone(),
            created.clone(),
        ));
        Traffic {
            stop,
            answers,
            created,
            task,
        }
    }

    pub fn answers(&self) -> Vec<Answer> {
        self.answers.lock().unwrap().clone()
    }

    /// Ids of the apps whose creation was answered 201.
    pub fn created(&self) -> Vec<String> {
        self.created.lock().unwrap().clone()
    }

    pub async fn stop(self) -> (Vec<Answer>, Vec<String>) {
        self.stop.store(true, Ordering::SeqCst);
        self.task.await.unwrap();
        let a = self.answers.lock().unwrap().clone();
        let c = self.created.lock().unwrap().clone();
        (a, c)
    }
}

async fn run(
    http: reqwest::Client,
    base: String,
    key: String,
    stop: Arc<AtomicBool>,
    answers: Arc<Mutex<Vec<Answer>>>,
    created: Arc<Mutex<Vec<String>>>,
) {
    let mut n = 0u64;
    // One client at a steady pace below the server's per-credential rate limit (3,000 a
    // minute by default): the faults under test are the database's, not a 429.
    let mut pace = tokio::time::interval(PACE);
    pace.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while !stop.load(Ordering::SeqCst) {
        pace.tick().await;
        n += 1;
        let last = created.lock().unwrap().last().cloned();
        let (method, path, body) = match n % 5 {
            0 => ("GET", "/ias/v1/apps?size=5".to_string(), None),
            1 => (
                "POST",
                "/ias/v1/apps".to_string(),
                Some(json!({"name": format!("traffic {}", uuid::Uuid::new_v4())})),
            ),
            2 => match last {
                Some(id) => ("GET", format!("/ias/v1/apps/{id}"), None),
                None => ("GET", "/ias/v1/apps?size=1".to_string(), None),
            },
            3 => (
                "POST",
                "/ias/v1/search?size=5".to_string(),
                Some(json!({"type": "APP", "query": "app.name CONTAINS 'traffic'"})),
            ),
            _ => ("GET", "/v1/applications?size=5".to_string(), None),
        };
        let started = Instant::now();
        let mut req = http
            .request(method.parse().unwrap(), format!("{base}{path}"))
            .header("X-Api-Key", &key);
        if let Some(b) = &body {
            req = req.json(b);
        }
        let what = format!("{method} {path}");
        let answer = match req.send().await {
            Err(e) => Answer {
                at: started,
                took: started.elapsed(),
                what,
                status: 0,
                wrong: Some(format!("no answer: {e}")),
            },
            Ok(r) => {
                let status = r.status().as_u16();
                let retry_after = r.headers().get("retry-after").cloned();
                let location = r
                    .headers()
                    .get("location")
                    .and_then(|l| l.to_str().ok())
                    .map(str::to_string);
                let text = r.text().await.unwrap_or_default();
                let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                let wrong = match status {
                    200..=299 => None,
                    503 if retry_after.is_none() => {
                        Some(format!("503 without Retry-After: {text}"))
                    }
                    503 if path.starts_with("/v1/") => (v["code"] != "service_unavailable"
                        || v["status"] != 503)
                        .then(|| format!("503 without the problem shape: {text}")),
                    503 => (v["status"] != "503 SERVICE_UNAVAILABLE"
                        || !v["message"]
                            .as_str()
                            .is_some_and(|m| m.contains("database")))
                    .then(|| format!("503 without the error body: {text}")),
                    _ => Some(format!("{status}: {text}")),
                };
                if status == 201 {
                    if let Some(id) =
                        location.and_then(|l| l.rsplit('/').next().map(str::to_string))
                    {
                        created.lock().unwrap().push(id);
                    }
                }
                Answer {
                    at: started,
                    took: started.elapsed(),
                    what,
                    status,
                    wrong,
                }
            }
        };
        answers.lock().unwrap().push(answer);
    }
}
