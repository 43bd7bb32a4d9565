//! Form login in the browser, for login forms a page builds by script: the page is rendered,
//! the password field (and the user-name field before it) filled as a user would (native value
//! setter, `input` and `change` events, so framework-bound fields see it), the form submitted,
//! and the browser's cookies for the login URL returned as `Set-Cookie` lines.

use crate::gate::Recorder;
use crate::page::{self, Probe, Tab};
use chromiumoxide::cdp::browser_protocol::network::GetCookiesParams;
use chromiumoxide::Browser;
use rampart_engine::crawl::BrowserScope;
use rampart_engine::plan::FormLogin;
use regex::Regex;
use serde_json::Value;
use std::time::{Duration, Instant};

/// Fills and submits the login form; answers `"submitted"` or why not.
const FILL: &str = r#"(function (user, pass, userField, passField) {
  const visible = el => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const byName = n => n ? [...document.querySelectorAll('input')].find(i => i.name === n || i.id === n) : null;
  const pw = byName(passField) || [...document.querySelectorAll('input[type=password]')].find(visible);
  if (!pw) return 'no password field';
  const scope = pw.form || document;
  const inputs = [...scope.querySelectorAll('input')].filter(i => visible(i) && /^(text|email|tel|)$/.test((i.getAttribute('type') || '').toLowerCase()));
  let u = byName(userField);
  if (!u) {
    const before = inputs.filter(i => i.compareDocumentPosition(pw) & Node.DOCUMENT_POSITION_FOLLOWING);
    u = before.length ? before[before.length - 1] : inputs[0];
  }
  const set = (el, v) => {
    const d = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value');
    d.set.call(el, v);
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  };
  if (u) set(u, user);
  set(pw, pass);
  if (pw.form) {
    const b = pw.form.querySelector('button[type=submit], input[type=submit], button:not([type])');
    if (b) b.click(); else if (pw.form.requestSubmit) pw.form.requestSubmit(); else pw.form.submit();
    return 'submitted';
  }
  const b = [...document.querySelectorAll('button, input[type=submit], input[type=button], [role=button]')]
    .find(e => visible(e) && /log ?in|sign ?in|submit|continue|enter/i.test(e.textContent + ' ' + (e.value || '')));
  if (!b) return 'no submit button';
  b.click();
  return 'submitted';
})"#;

/// Logs in on `browser`; the session cookies for the login URL.
pub(crate) async fn login(
    browser: &Browser,
    scope: &BrowserScope,
    cfg: &FormLogin,
    budget: Duration,
) -> Result<Vec<String>, String> {
    let mut tab = Tab::open(browser, scope, &Probe::default()).await?;
    let rec = Recorder::default();
    // The login page's own links are not followed, so no logout pattern is needed here.
    let never = Regex::new("$^").map_err(|e| e.to_string())?;
    let page = tab.page.clone();
    let work = async {
        page::navigate(&page, &cfg.url, None).await;
        page::settle(&page, Duration::from_secs(5)).await;
        // A form built by script may come after the first settle: wait for it a little.
        let until = Instant::now() + Duration::from_secs(5);
        let expr = format!(
            "{FILL}({}, {}, {}, {})",
            js(&cfg.username),
            js(&cfg.password),
            js_opt(cfg.username_field.as_deref()),
            js_opt(cfg.password_field.as_deref())
        );
        let outcome = loop {
            let r = page::eval(&page, &expr).await;
            let said = r
                .as_ref()
                .and_then(Value::as_str)
                .unwrap_or("no answer")
                .to_string();
            if said == "submitted" || Instant::now() >= until {
                break said;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        if outcome != "submitted" {
            return Err(format!("{} ({outcome})", cfg.url));
        }
        page::settle(&page, Duration::from_secs(5)).await;
        let cookies = page
            .execute(GetCookiesParams {
                urls: Some(vec![cfg.url.to_string()]),
            })
            .await
            .map_err(|e| e.to_string())?;
        Ok(cookies
            .result
            .cookies
            .iter()
            .map(|c| {
                let mut line = format!("{}={}; Path={}", c.name, c.value, c.path);
                if !c.domain.is_empty() && c.domain.starts_with('.') {
                    line.push_str(&format!("; Domain={}", c.domain.trim_start_matches('.')));
                }
                if c.secure {
                    line.push_str("; Secure");
                }
                if c.http_only {
                    line.push_str("; HttpOnly");
                }
                line
            })
            .collect::<Vec<_>>())
    };
    let r = tab.run(scope, &rec, &never, budget, work).await;
    tab.close().await;
    let cookies =
        r.ok_or_else(|| "the login page took longer than the page budget".to_string())??;
    if cookies.is_empty() {
        return Err("the browser holds no cookie for the login URL after submitting".into());
    }
    Ok(cookies)
}

fn js(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn js_opt(s: Option<&str>) -> String {
    s.map(js).unwrap_or_else(|| "null".into())
}
