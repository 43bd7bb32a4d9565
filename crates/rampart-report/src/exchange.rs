//! Lenient parsing of the raw HTTP/1.1 text the engine keeps for a request or response.

/// A raw HTTP message split into its parts.
pub(crate) struct Message<'a> {
    /// `GET /p HTTP/1.1` or `HTTP/1.1 200 OK`.
    pub start: &'a str,
    pub headers: Vec<(&'a str, &'a str)>,
    pub body: &'a str,
}

pub(crate) fn parse(raw: &str) -> Message<'_> {
    let (head, body) = match raw.find("\r\n\r\n") {
        Some(i) => (&raw[..i], &raw[i + 4..]),
        None => match raw.find("\n\n") {
            Some(i) => (&raw[..i], &raw[i + 2..]),
            None => (raw, ""),
        },
    };
    let mut lines = head.lines();
    let start = lines.next().unwrap_or("").trim_end_matches('\r');
    let headers = lines
        .filter_map(|l| l.trim_end_matches('\r').split_once(':'))
        .map(|(n, v)| (n.trim(), v.trim()))
        .collect();
    Message {
        start,
        headers,
        body,
    }
}
