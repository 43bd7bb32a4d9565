//! Form login and session upkeep: logged-in / session-loss checks and re-login.

use crate::client::{Http, Purpose};
use crate::crawl::html::extract;
use crate::events::Event;
use crate::http::{HttpRequest, HttpResponse};
use crate::plan::FormLogin;
use regex::Regex;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use tokio::sync::Mutex;

/// At most this many re-logins per scan, so a broken login cannot loop.
const MAX_RELOGINS: u32 = 20;

pub(crate) struct SessionKeeper {
    login: Option<FormLogin>,
    logged_in: Option<Regex>,
    loss: Option<Regex>,
    state: Mutex<u32>,
}

impl SessionKeeper {
    pub fn new(login: Option<FormLogin>) -> Result<Self, regex::Error> {
        let logged_in = login
            .as_ref()
            .and_then(|l| l.logged_in_regex.as_deref())
            .map(Regex::new)
            .transpose()?;
        let loss = login
            .as_ref()
            .and_then(|l| l.session_loss_regex.as_deref())
            .map(Regex::new)
            .transpose()?;
        Ok(Self {
            login,
            logged_in,
            loss,
            state: Mutex::new(0),
        })
    }

    pub fn enabled(&self) -> bool {
        self.login.is_some()
    }

    /// The response shows that the session is gone.
    pub fn lost(&self, resp: &HttpResponse) -> bool {
        if self.login.is_none() {
            return false;
        }
        let body = resp.text();
        if let Some(r) = &self.loss {
            return r.is_match(&body);
        }
        false
    }

    /// Logs in; `true` on success. Emits `LoggedIn` or `SessionLost`.
    pub async fn login(&self, http: &Arc<Http>) -> bool {
        let Some(cfg) = &self.login else { return true };
        let mut count = self.state.lock().await;
        if *count >= MAX_RELOGINS {
            return false;
        }
        *count += 1;
        let mut ok = self.try_login(http, cfg).await;
        if ok
            && *count == 1
            && http
                .plan()
                .modules
                .enabled
                .contains_key("predictable_session_id")
        {
            // Sample a few more session ids (passive analysis sees each Set-Cookie).
            for _ in 0..2 {
                if let Ok(mut jar) = http.jar.lock() {
                    jar.forget(&cfg.url);
                }
                ok = self.try_login(http, cfg).await;
            }
        }
        http.counters.logged_in.store(ok, Relaxed);
        if ok {
            http.emit(Event::LoggedIn).await;
        } else {
            http.emit(Event::SessionLost {
                message: format!(
                    "form login at {} failed; the scan continues unauthenticated",
                    cfg.url
                ),
            })
            .await;
        }
        ok
    }

    async fn try_login(&self, http: &Arc<Http>, cfg: &FormLogin) -> bool {
        let Ok((page, _)) = http
            .send_follow(HttpRequest::get(cfg.url.clone()), Purpose::Login)
            .await
        else {
            return false;
        };
        let ex = extract(&page.request.url, &page.response.text());
        let Some(form) = ex.forms.iter().find(|f| !f.password_fields.is_empty()) else {
            return false;
        };
        let mut form = form.clone();
        let pw_field = cfg
            .password_field
            .clone()
            .unwrap_or_else(|| form.password_fields[0].clone());
        let user_field = cfg
            .username_field
            .clone()
            .or_else(|| form.text_fields.first().cloned());
        for (k, v) in form.fields.iter_mut() {
            if *k == pw_field {
                *v = cfg.password.clone();
            } else if Some(&*k) == user_field.as_ref() {
                *v = cfg.username.clone();
            }
        }
        let req = form.resource(&page.request.url, 0).to_request();
        let Ok((after, _)) = http.send_follow(req, Purpose::Login).await else {
            return false;
        };
        let body = after.response.text();
        if let Some(r) = &self.logged_in {
            if r.is_match(&body) {
                return true;
            }
            // The landing page may not show it: check the login URL again.
            if let Ok((again, _)) = http
                .send_follow(HttpRequest::get(cfg.url.clone()), Purpose::Login)
                .await
            {
                return r.is_match(&again.response.text());
            }
            return false;
        }
        if let Some(r) = &self.loss {
            if r.is_match(&body) {
                return false;
            }
        }
        after.response.status < 400
            && !extract(&after.request.url, &body)
                .forms
                .iter()
                .any(|f| !f.password_fields.is_empty())
    }
}
