//! Helpers shared by the checks: random operands, injection, reflection tests.

use crate::client::{SendError, Sent};
use crate::ctx::{Ctx, Hit};
use crate::finding::Confidence;
use crate::target::{InsertionPoint, Resource};
use rand::Rng;

/// A random number in `lo..hi`.
pub fn num(lo: u64, hi: u64) -> u64 {
    rand::thread_rng().gen_range(lo..hi)
}

/// Sends `r` with `value` at `p`.
pub async fn inject(
    ctx: &Ctx,
    r: &Resource,
    p: &InsertionPoint,
    value: &str,
) -> Result<Sent, SendError> {
    ctx.send(r.with_value(p, value)).await
}

/// Two large random operands and their product as text.
pub fn operands() -> (u64, u64, String) {
    let a = num(10_000, 99_999);
    let b = num(10_000, 99_999);
    (a, b, (a * b).to_string())
}

/// The product appears in the response, was not in the original, and the response is not
/// simply echoing the expression.
pub fn product_shown(orig: &str, resp: &str, product: &str) -> bool {
    resp.contains(product) && !orig.contains(product)
}

/// `value` with its original prefix, for checks that must keep a valid value in front.
pub fn after(p: &InsertionPoint, suffix: &str) -> String {
    format!("{}{suffix}", p.original)
}

/// A time-based proof: the delayed request and the measured times.
pub struct Timed {
    pub value: String,
    pub sent: Sent,
    pub proof: String,
}

/// A delay in seconds as payloads spell it: `2`, `0.25`.
pub fn secs(d: f64) -> String {
    let s = format!("{d:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Runs one time-based probe family, serialised per host. `build(d)` gives the value that
/// asks for a `d`-second delay (`fractional`: the family accepts fractions of a second). The
/// delay must show for `d1` (twice, against jitter) and `d2`, relative to a zero-delay
/// baseline measured in the same window, and grow linearly. A delay that runs once per row
/// (`k` times the request) is scaled down to `d / k` when the family accepts fractions, so
/// that the proof stays linear and every probe stays under the request timeout; a probe that
/// times out counts as the timeout's length, never as an error.
pub async fn timed(
    ctx: &Ctx,
    r: &Resource,
    p: &InsertionPoint,
    fractional: bool,
    build: impl Fn(f64) -> String,
) -> Result<Option<Timed>, SendError> {
    use std::time::Duration;
    let cap = ctx.http.plan().limits.max_time_probe.as_secs().max(2) as f64;
    let (d1, d2) = ((cap / 2.0).floor().max(1.0), cap);
    let limit = d2 * 3.0 + 10.0;
    let timeout = Some(Duration::from_secs_f64(limit));
    let _guard = ctx.http.timing_guard(&r.url).await;
    let send = |v: String| async move {
        match ctx
            .http
            .send_with_timeout(r.with_value(p, &v), crate::client::Purpose::Attack, timeout)
            .await
        {
            Ok(s) => Ok::<_, SendError>((s.response.elapsed.as_secs_f64(), Some(s), v)),
            Err(SendError::Transport(crate::http::TransportError::Timeout)) => Ok((limit, None, v)),
            Err(e) => Err(e),
        }
    };
    let (mut t1, _, _) = send(build(d1)).await?;
    // Fast path: most parameters answer quickly and cost one request.
    if t1 < d1 * 0.9 {
        return Ok(None);
    }
    let (t0, _, _) = send(build(0.0)).await?;
    // How many times the delay ran: more than once means once per row.
    let k = ((t1 - t0) / d1).round().max(1.0);
    let k = if k >= 2.0 && fractional { k } else { 1.0 };
    let (r1, r2) = (d1 / k, d2 / k);
    if k > 1.0 {
        t1 = send(build(r1)).await?.0;
    }
    let (t2, s2, v2) = send(build(r2)).await?;
    let (t1b, _, _) = send(build(r1)).await?;
    let Some(s2) = s2 else { return Ok(None) };
    let (e1, e1b, e2) = (t1 - t0, t1b - t0, t2 - t0);
    let delayed = e1 >= 0.8 * d1 && e1b >= 0.8 * d1 && e2 >= 0.8 * d2;
    let linear = e1 <= 2.5 * d1 && e2 <= 2.5 * d2 && t2 - t1.min(t1b) >= 0.5 * (d2 - d1);
    if delayed && linear {
        let scaled = if k > 1.0 {
            format!(
                "; the delay ran {k} times per request (once per row), so {}s and {}s were asked for",
                secs(r1),
                secs(r2)
            )
        } else {
            String::new()
        };
        let proof = format!(
            "delay 0: {t0:.2}s, delay {}s: {t1:.2}s and {t1b:.2}s, delay {}s: {t2:.2}s{scaled}",
            secs(d1),
            secs(d2)
        );
        return Ok(Some(Timed {
            value: v2,
            sent: s2,
            proof,
        }));
    }
    Ok(None)
}

/// A recorded response, for the checks' unit tests.
#[cfg(test)]
pub(crate) fn recorded(
    status: u16,
    headers: &[(&str, &str)],
    body: &str,
) -> crate::http::HttpResponse {
    crate::http::HttpResponse {
        status,
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        body: body.as_bytes().to_vec(),
        ..Default::default()
    }
}

/// An arithmetic probe (SSTI, code injection): payload templates with `A` and `B` standing
/// for large random operands, and the check's own verdict on each response.
pub struct ArithmeticProbe {
    pub module: &'static str,
    pub attack_id: &'static str,
    pub payloads: &'static [&'static str],
    /// Turns a filled payload into the value sent (e.g. prefixing the original value).
    pub shape: fn(&str, &InsertionPoint) -> String,
    /// `(original text, response text, value sent, a, b)`: was the expression run?
    pub ran: fn(&str, &str, &str, u64, u64) -> bool,
    pub proof_description: &'static str,
}

/// Sends each payload with fresh operands until one is run; reports it as confirmed.
pub(crate) async fn arithmetic_probe(
    ctx: &Ctx,
    r: &Resource,
    orig: &Sent,
    p: &InsertionPoint,
    probe: &ArithmeticProbe,
) -> Result<(), SendError> {
    if ctx.already(probe.module, r, Some(p)).await {
        return Ok(());
    }
    let orig_text = orig.response.text();
    for payload in probe.payloads {
        let (a, b, product) = operands();
        let filled = payload
            .replace('A', &a.to_string())
            .replace('B', &b.to_string());
        let value = (probe.shape)(&filled, p);
        let sent = inject(ctx, r, p, &value).await?;
        if (probe.ran)(&orig_text, &sent.response.text(), &value, a, b) {
            ctx.report_point(
                r,
                Some(p),
                Hit {
                    module: probe.module,
                    attack_id: probe.attack_id,
                    value: &value,
                    proof: product,
                    proof_description: probe.proof_description,
                    confidence: Confidence::Confirmed,
                    original: Some(orig),
                    attack: Some(&sent),
                },
            )
            .await;
            return Ok(());
        }
    }
    Ok(())
}
