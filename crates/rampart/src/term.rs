//! What the CLI prints from server data: never a raw control character (an app named with
//! an escape sequence must not steer the terminal), and aligned tables.

use std::borrow::Cow;

/// `s` with every control character (C0, DEL, C1) written as a visible escape (`\u{1b}`);
/// line breaks and tabs become spaces so a table row stays one line.
pub fn safe(s: &str) -> Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Columns two spaces apart under their headers, no trailing blanks; every cell through
/// [`safe`].
pub fn aligned(headers: &[String], rows: &[Vec<String>]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| safe(c).into_owned()).collect())
        .collect();
    let widths: Vec<usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|c| c.chars().count())
                .chain([h.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        parts.join("  ").trim_end().to_string()
    };
    let mut out = vec![line(headers)];
    out.extend(rows.iter().map(|r| line(r)));
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(safe("Shop"), "Shop");
        assert_eq!(safe("a\u{1b}[31mred"), "a\\u{1b}[31mred");
        assert_eq!(safe("x\u{9b}2J\0"), "x\\u{9b}2J\\u{0}");
        assert_eq!(safe("two\nlines"), "two lines");
    }

    #[test]
    fn columns_align_without_trailing_blanks() {
        let t = aligned(
            &["ID".into(), "NAME".into()],
            &[
                vec!["1".into(), "a\u{1b}".into()],
                vec!["22".into(), "".into()],
            ],
        );
        assert_eq!(t, "ID  NAME\n1   a\\u{1b}\n22");
    }
}
