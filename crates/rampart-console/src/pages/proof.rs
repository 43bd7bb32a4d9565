//! The proof viewer: the original and the attack exchange side by side, the payload
//! marked in the attack request and the proof marked in the attack response.

use maud::{html, Markup};
use rampart_domain::{Exchange, Variance};

/// The most of one message shown (a long body is cut, and says so).
const SHOWN: usize = 64 * 1024;

/// `text` with every occurrence of the non-empty `needles` in `<mark>`.
pub fn highlight(text: &str, needles: &[&str]) -> Markup {
    let (text, cut) = match text.char_indices().nth(SHOWN) {
        Some((i, _)) => (&text[..i], true),
        None => (text, false),
    };
    let needles: Vec<&str> = needles.iter().copied().filter(|n| !n.is_empty()).collect();
    let mut pieces: Vec<(&str, bool)> = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let next = needles
            .iter()
            .filter_map(|n| rest.find(n).map(|i| (i, n.len())))
            .min_by_key(|(i, len)| (*i, usize::MAX - len));
        match next {
            Some((i, len)) => {
                pieces.push((&rest[..i], false));
                pieces.push((&rest[i..i + len], true));
                rest = &rest[i + len..];
            }
            None => {
                pieces.push((rest, false));
                rest = "";
            }
        }
    }
    html! {
        @for (p, marked) in pieces {
            @if marked { mark { (p) } } @else { (p) }
        }
        @if cut { "\n… (cut at 64 KiB)" }
    }
}

fn exchange(label: &str, e: Option<&Exchange>, req_marks: &[&str], res_marks: &[&str]) -> Markup {
    html! {
        div.exchange {
            h4 { (label) }
            @match e {
                Some(e) => {
                    h5 { "Request" }
                    pre tabindex="0" { code { (highlight(&e.request, req_marks)) } }
                    h5 { "Response" }
                    pre tabindex="0" { code { (highlight(&e.response, res_marks)) } }
                }
                None => p.muted { "Not recorded." }
            }
        }
    }
}

/// One variance: what was sent, what proved it, and the two exchanges.
pub fn variance(n: usize, v: &Variance) -> Markup {
    let payload = v.attack_value.as_deref().unwrap_or("");
    let proof = v.proof.as_deref().unwrap_or("");
    let original = v.original_value.as_deref().unwrap_or("");
    html! {
        article.variance {
            h3 { "Variance " (n + 1) " · attack " code { (v.attack_id) } }
            dl.facts {
                @if let Some(m) = &v.message { dt { "Message" } dd { (m) } }
                @if !payload.is_empty() { dt { "Payload" } dd { mark.payload { (payload) } } }
                @if !proof.is_empty() { dt { "Proof" } dd { mark.proof { (proof) } } }
                @if let Some(d) = &v.proof_description { dt { "Why it proves it" } dd { (d) } }
                @if let Some(c) = &v.confidence { dt { "Confidence" } dd { (c) } }
            }
            div.side-by-side {
                (exchange("Original", v.original_exchange.as_ref(), &[original], &[]))
                (exchange("Attack", v.attack_exchanges.first(), &[payload], &[proof]))
            }
            @if v.attack_exchanges.len() > 1 {
                details {
                    summary { (v.attack_exchanges.len() - 1) " more attack exchanges" }
                    @for e in v.attack_exchanges.iter().skip(1) {
                        (exchange("Attack", Some(e), &[payload], &[proof]))
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::highlight;

    #[test]
    fn marks_every_occurrence_and_escapes_the_rest() {
        let m = highlight("a<b>PAY x PAY", &["PAY"]).into_string();
        assert_eq!(m, "a&lt;b&gt;<mark>PAY</mark> x <mark>PAY</mark>");
        let m = highlight("plain", &[""]).into_string();
        assert_eq!(m, "plain");
        // The longer of two needles at the same place wins.
        let m = highlight("abcd", &["ab", "abc"]).into_string();
        assert_eq!(m, "<mark>abc</mark>d");
    }
}
