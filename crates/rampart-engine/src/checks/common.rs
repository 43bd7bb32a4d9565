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

/// Runs one time-based probe family, serialised per host. `build(d)` gives the value that
/// asks for a `d`-second delay. The delay must show for `d1` (twice, against jitter) and
/// `d2`, relative to a zero-delay baseline measured in the same window, and grow roughly
/// linearly (a "sleep × rows" amplification is rejected).
pub async fn timed(
    ctx: &Ctx,
    r: &Resource,
    p: &InsertionPoint,
    build: impl Fn(u64) -> String,
) -> Result<Option<Timed>, SendError> {
    use std::time::Duration;
    let cap = ctx.http.plan().limits.max_time_probe.as_secs().max(2);
    let (d1, d2) = ((cap / 2).max(1), cap);
    let timeout = Some(Duration::from_secs(d2 * 3 + 10));
    let _guard = ctx.http.timing_guard(&r.url).await;
    let send = |v: String| async move {
        let s = ctx
            .http
            .send_with_timeout(r.with_value(p, &v), crate::client::Purpose::Attack, timeout)
            .await?;
        Ok::<_, SendError>((s.response.elapsed.as_secs_f64(), s, v))
    };
    let (t1, _, _) = send(build(d1)).await?;
    // Fast path: most parameters answer quickly and cost one request.
    if t1 < d1 as f64 * 0.9 {
        return Ok(None);
    }
    let (t0, _, _) = send(build(0)).await?;
    let (t2, s2, v2) = send(build(d2)).await?;
    let (t1b, _, _) = send(build(d1)).await?;
    let (e1, e1b, e2) = (t1 - t0, t1b - t0, t2 - t0);
    let (f1, f2) = (d1 as f64, d2 as f64);
    let delayed = e1 >= 0.8 * f1 && e1b >= 0.8 * f1 && e2 >= 0.8 * f2;
    let linear = e1 <= 2.5 * f1 && e2 <= 2.5 * f2 && t2 - t1.min(t1b) >= 0.5 * (f2 - f1);
    if delayed && linear {
        let proof = format!(
            "delay 0: {t0:.2}s, delay {d1}s: {t1:.2}s and {t1b:.2}s, delay {d2}s: {t2:.2}s"
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
