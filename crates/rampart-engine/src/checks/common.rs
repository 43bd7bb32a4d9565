//! Helpers shared by the checks: random operands, injection, reflection tests.

use crate::client::{SendError, Sent};
use crate::ctx::Ctx;
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
