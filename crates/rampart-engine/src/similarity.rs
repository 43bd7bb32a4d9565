//! Page similarity: a token multiset ratio used by boolean SQLi and soft-404 detection.

use std::collections::HashMap;

fn tokens(text: &str) -> HashMap<&str, u32> {
    let mut m = HashMap::new();
    for t in text
        .split(|c: char| !(c.is_alphanumeric() || c == '<' || c == '/' || c == '_'))
        .filter(|t| !t.is_empty())
    {
        *m.entry(t).or_insert(0) += 1;
    }
    m
}

/// 1.0 for identical token multisets, 0.0 for disjoint ones.
pub fn similarity(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    let (ta, tb) = (tokens(a), tokens(b));
    let mut inter = 0u64;
    let mut union = 0u64;
    for (k, &ca) in &ta {
        let cb = tb.get(k).copied().unwrap_or(0);
        inter += u64::from(ca.min(cb));
        union += u64::from(ca.max(cb));
    }
    for (k, &cb) in &tb {
        if !ta.contains_key(k) {
            union += u64::from(cb);
        }
    }
    if union == 0 {
        1.0
    } else {
        inter as f64 / union as f64
    }
}

/// Decodes the common HTML entities (error messages are often shown escaped).
pub fn unescape_html(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Removes reflections of the injected values (raw and common encodings) before comparing.
pub fn strip(body: &str, needles: &[&str]) -> String {
    let mut s = body.to_string();
    for n in needles.iter().filter(|n| n.len() >= 2) {
        let encoded: String = url::form_urlencoded::byte_serialize(n.as_bytes()).collect();
        let html = n
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#x27;");
        let html2 = html.replace("&#x27;", "&#39;");
        for v in [n.to_string(), encoded, html, html2] {
            s = s.replace(&v, "");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn similar_pages_score_high_and_different_ones_low() {
        let a = "<html><body><h1>Item</h1><p>red apple 42</p></body></html>";
        let b = "<html><body><h1>Item</h1><p>red apple 43</p></body></html>";
        let c = "<html><body><h1>Not found</h1></body></html>";
        assert!(similarity(a, b) > 0.8);
        assert!(similarity(a, c) < 0.6);
        assert_eq!(strip("you searched x'1", &["x'1"]), "you searched ");
    }
}
