//! `rampart search --type T --query Q [--format table|json]`.

use crate::remote::{fail, ServerArgs};
use clap::Args;
use serde_json::Value;
use std::process::ExitCode;

/// Arguments of `rampart search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    #[command(flatten)]
    pub server: ServerArgs,
    /// APP, SCAN, SCAN_CONFIG, VULNERABILITY, ATTACK_TEMPLATE, TARGET, TAG, ENGINE_GROUP, …
    #[arg(long = "type", value_name = "TYPE")]
    pub kind: String,
    /// A search-language query, e.g. `app.name CONTAINS 'shop'`.
    #[arg(long)]
    pub query: String,
    /// table (aligned columns) or json (the array of results).
    #[arg(long, default_value = "table", value_parser = ["table", "json"])]
    pub format: String,
    /// Stop after this many results.
    #[arg(long)]
    pub limit: Option<usize>,
}

/// A cell: scalars as text, `{"id": …}` references as the id, the rest as compact JSON.
fn cell(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.replace(['\n', '\r', '\t'], " "),
        Value::Object(o) if o.len() == 1 && o.contains_key("id") => cell(&o["id"]),
        Value::Array(a) => format!("[{}]", a.len()),
        other => other.to_string(),
    }
}

/// Prints a list command's result: pretty JSON for `--format json`, else a table of `row`s,
/// or `none` on stderr when the list is empty.
pub fn print_list<T: serde::Serialize>(
    items: &[T],
    format: &str,
    none: &str,
    row: impl Fn(&T) -> Value,
) {
    if format == "json" {
        println!(
            "{}",
            serde_json::to_string_pretty(items).unwrap_or_default()
        );
    } else if items.is_empty() {
        eprintln!("{none}");
    } else {
        let rows: Vec<Value> = items.iter().map(row).collect();
        println!("{}", table(&rows));
    }
}

/// The columns: every top-level field but `links` (alphabetical within an object, new ones
/// appended as they are seen), `id` first.
pub fn table(rows: &[Value]) -> String {
    let mut cols: Vec<String> = vec![];
    for r in rows {
        if let Value::Object(o) = r {
            for k in o.keys() {
                if k != "links" && !cols.contains(k) {
                    cols.push(k.clone());
                }
            }
        }
    }
    if let Some(i) = cols.iter().position(|c| c == "id") {
        let id = cols.remove(i);
        cols.insert(0, id);
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| cols.iter().map(|c| cell(&r[c.as_str()])).collect())
        .collect();
    let headers: Vec<String> = cols.iter().map(|c| c.to_uppercase()).collect();
    crate::term::aligned(&headers, &cells)
}

pub async fn run(args: SearchArgs) -> ExitCode {
    let client = match args.server.client() {
        Ok(c) => c,
        Err(e) => return fail("search", e),
    };
    let kind = args.kind.trim().to_ascii_uppercase();
    let mut pager = client.search_json(&kind, &args.query);
    let mut rows: Vec<Value> = vec![];
    loop {
        match pager.next_page().await {
            Ok(Some(mut page)) => rows.append(&mut page),
            Ok(None) => break,
            Err(e) => return fail("search", e),
        }
        if args.limit.is_some_and(|l| rows.len() >= l) {
            break;
        }
    }
    if let Some(l) = args.limit {
        rows.truncate(l);
    }
    print_list(&rows, &args.format, "no results", Clone::clone);
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    #[test]
    fn tables_align_and_flatten_references() {
        let rows = vec![
            serde_json::json!({"name": "a", "id": "1", "app": {"id": "x"}, "links": [{}]}),
            serde_json::json!({"id": "22", "name": "long name", "errors": ["e"]}),
        ];
        assert_eq!(
            super::table(&rows),
            "ID  APP  NAME       ERRORS\n1   x    a\n22       long name  [1]"
        );
    }
}
