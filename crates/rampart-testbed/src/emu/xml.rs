//! A naive XML reader that, like a misconfigured parser, resolves external entities.

use super::{fetch, fs};
use regex::Regex;
use std::sync::LazyLock;

#[allow(clippy::expect_used)] // constant patterns, checked by the unit tests
static DOCTYPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?s)<!DOCTYPE\s+[\w:.-]+(?:\s+(?:SYSTEM|PUBLIC\s+["'][^"']*["'])\s*["']([^"']+)["'])?\s*(?:\[(.*?)\])?\s*>"#,
    )
    .expect("valid regex")
});
#[allow(clippy::expect_used)] // constant pattern
static ENTITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"<!ENTITY\s+(%\s*)?([\w.-]+)\s+(?:(SYSTEM|PUBLIC\s+["'][^"']*["'])\s+)?["']([^"']*)["']\s*>"#,
    )
    .expect("valid regex")
});
#[allow(clippy::expect_used)] // constant pattern
static FIELD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"<([\w-]+)>([^<]*)</([\w-]+)>").expect("valid regex"));

/// The leaf elements of a document, in order.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Doc {
    pub fields: Vec<(String, String)>,
}

impl Doc {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

async fn load(client: &reqwest::Client, uri: &str) -> Result<String, String> {
    if uri.starts_with("http://") || uri.starts_with("https://") {
        return fetch::fetch(client, uri).await.map_err(|e| e.to_string());
    }
    let path = uri.strip_prefix("file://").unwrap_or(uri);
    fs::read(&fs::resolve("/var/www/html", path))
        .map(|c| c.into_owned())
        .ok_or_else(|| format!("failed to load external entity \"{uri}\""))
}

/// Parses `src`; with `external` false any DOCTYPE is refused, as a hardened parser does.
pub(crate) async fn parse(
    client: &reqwest::Client,
    src: &str,
    external: bool,
) -> Result<Doc, String> {
    let mut entities: Vec<(String, String)> = Vec::new();
    let body = match DOCTYPE.captures(src) {
        None => src.to_owned(),
        Some(_) if !external => {
            return Err("DOCTYPE is disallowed when the feature \
                        \"http://apache.org/xml/features/disallow-doctype-decl\" is set"
                .into())
        }
        Some(c) => {
            if let Some(dtd) = c.get(1) {
                let text = load(client, dtd.as_str()).await?;
                declare(client, &text, &mut entities).await?;
            }
            if let Some(subset) = c.get(2) {
                declare(client, subset.as_str(), &mut entities).await?;
            }
            let whole = c.get(0).map(|m| m.range()).unwrap_or(0..0);
            format!("{}{}", &src[..whole.start], &src[whole.end..])
        }
    };
    let mut body = body;
    for (name, value) in &entities {
        body = body.replace(&format!("&{name};"), value);
    }
    let fields = FIELD
        .captures_iter(&body)
        .filter(|c| c[1] == c[3])
        .map(|c| (c[1].to_owned(), c[2].trim().to_owned()))
        .collect();
    Ok(Doc { fields })
}

async fn declare(
    client: &reqwest::Client,
    subset: &str,
    entities: &mut Vec<(String, String)>,
) -> Result<(), String> {
    for c in ENTITY.captures_iter(subset) {
        let name = c[2].to_owned();
        let raw = c[4].to_owned();
        let value = if c.get(3).is_some() {
            load(client, &raw).await?
        } else {
            raw
        };
        if c.get(1).is_none() {
            entities.push((name, value));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn file_entity_is_expanded() {
        let c = reqwest::Client::new();
        let x = r#"<?xml version="1.0"?><!DOCTYPE p [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><product><name>&xxe;</name></product>"#;
        let d = parse(&c, x, true).await.unwrap_or_default();
        assert!(d.get("name").unwrap_or("").contains("root:x:0:0"));
        assert!(parse(&c, x, false).await.is_err());
        let plain = parse(&c, "<product><name>Tent</name></product>", false).await;
        assert_eq!(
            plain
                .ok()
                .and_then(|d| d.get("name").map(str::to_owned))
                .as_deref(),
            Some("Tent")
        );
    }
}
