//! Soft-404 detection: compares a page with not-found probes of the same directory and
//! extension by status and structural similarity.

use crate::client::{Http, Purpose};
use crate::http::{HttpRequest, HttpResponse};
use crate::similarity::{similarity, strip};
use std::collections::HashMap;
use tokio::sync::Mutex;
use url::Url;

#[derive(Clone, Debug)]
struct Probe {
    status: u16,
    body: String,
    location: Option<String>,
}

/// Not-found baselines per (directory, extension).
#[derive(Default)]
pub(crate) struct Soft404 {
    cache: Mutex<HashMap<String, Option<Probe>>>,
}

fn dir_and_ext(url: &Url) -> (Url, String) {
    let path = url.path();
    let (dir, file) = match path.rfind('/') {
        Some(i) => (&path[..=i], &path[i + 1..]),
        None => ("/", path),
    };
    let ext = file
        .rfind('.')
        .map(|i| file[i..].to_string())
        .unwrap_or_default();
    let mut d = url.clone();
    d.set_query(None);
    d.set_fragment(None);
    d.set_path(dir);
    (d, ext)
}

impl Soft404 {
    /// `true` when `resp` for `url` is a not-found page (real or soft).
    pub async fn is_not_found(&self, http: &Http, url: &Url, resp: &HttpResponse) -> bool {
        if matches!(resp.status, 404 | 410) {
            return true;
        }
        let (dir, ext) = dir_and_ext(url);
        let key = format!("{dir}{ext}");
        let probe = {
            let cached = self.cache.lock().await.get(&key).cloned();
            match cached {
                Some(p) => p,
                None => {
                    let name = format!("rmp{}{ext}", crate::rand_id(10));
                    let p = match dir.join(&name) {
                        Ok(u) => http
                            .send(HttpRequest::get(u), Purpose::Attack)
                            .await
                            .ok()
                            .map(|s| Probe {
                                status: s.response.status,
                                body: strip(&s.response.text(), &[&name]),
                                location: s.response.header("location").map(str::to_string),
                            }),
                        Err(_) => None,
                    };
                    self.cache.lock().await.insert(key, p.clone());
                    p
                }
            }
        };
        let Some(p) = probe else { return false };
        if p.status != resp.status {
            return false;
        }
        if resp.is_redirect() {
            return p.location.as_deref() == resp.header("location");
        }
        let file = url.path().rsplit('/').next().unwrap_or("");
        let body = strip(&resp.text(), &[file]);
        similarity(&p.body, &body) >= 0.9
    }
}
