//! Tokens of the search language with their byte offsets; linear time, no recursion.

use crate::error::QueryError;

/// One token and the byte offset where it starts.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token {
    pub kind: Tok,
    pub pos: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    /// A bare word: a field (`app.name`), a keyword (`CONTAINS`) or `true`/`false`.
    Word(String),
    /// A single-quoted value with `''` unescaped.
    Str(String),
    /// A bare number such as `4` or `-2.5`.
    Num(String),
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    AndAnd,
    OrOr,
    LParen,
    RParen,
}

impl Tok {
    /// How the token reads in an error message.
    pub fn describe(&self) -> String {
        match self {
            Tok::Word(w) => format!("`{}`", truncate(w)),
            Tok::Str(s) => format!("value '{}'", truncate(s)),
            Tok::Num(n) => format!("number {}", truncate(n)),
            Tok::Eq => "`=`".into(),
            Tok::Ne => "`!=`".into(),
            Tok::Gt => "`>`".into(),
            Tok::Ge => "`>=`".into(),
            Tok::Lt => "`<`".into(),
            Tok::Le => "`<=`".into(),
            Tok::AndAnd => "`&&`".into(),
            Tok::OrOr => "`||`".into(),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
        }
    }
}

fn truncate(s: &str) -> String {
    const MAX: usize = 40;
    match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

fn is_word_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

/// Splits `input` into tokens. Whitespace between tokens is optional everywhere.
pub(crate) fn lex(input: &str) -> Result<Vec<Token>, QueryError> {
    let bytes = input.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i] as char;
        let pos = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let two = |next: u8| bytes.get(i + 1) == Some(&next);
        let (kind, len) = match c {
            '(' => (Tok::LParen, 1),
            ')' => (Tok::RParen, 1),
            '=' => (Tok::Eq, 1),
            '!' if two(b'=') => (Tok::Ne, 2),
            '>' if two(b'=') => (Tok::Ge, 2),
            '>' => (Tok::Gt, 1),
            '<' if two(b'=') => (Tok::Le, 2),
            '<' => (Tok::Lt, 1),
            '&' if two(b'&') => (Tok::AndAnd, 2),
            '|' if two(b'|') => (Tok::OrOr, 2),
            '\'' => {
                let (value, end) = lex_string(input, pos)?;
                out.push(Token {
                    kind: Tok::Str(value),
                    pos,
                });
                i = end;
                continue;
            }
            c if c.is_ascii_digit()
                || (c == '-' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)) =>
            {
                let end = lex_number(bytes, pos);
                (Tok::Num(input[pos..end].to_owned()), end - pos)
            }
            c if is_word_start(c) => {
                let end = input[pos..]
                    .find(|c: char| !is_word_char(c))
                    .map_or(input.len(), |n| pos + n);
                (Tok::Word(input[pos..end].to_owned()), end - pos)
            }
            _ => return Err(unexpected(input, pos)),
        };
        out.push(Token { kind, pos });
        i += len;
    }
    Ok(out)
}

/// Reads a quoted value starting at the opening quote; returns it and the offset past it.
fn lex_string(input: &str, open: usize) -> Result<(String, usize), QueryError> {
    let bytes = input.as_bytes();
    let mut value = String::new();
    let mut start = open + 1;
    let mut i = start;
    loop {
        match bytes.get(i) {
            None => {
                return Err(QueryError::syntax(
                    open,
                    "unterminated value: expected a closing single quote",
                ))
            }
            Some(b'\'') if bytes.get(i + 1) == Some(&b'\'') => {
                value.push_str(&input[start..=i]);
                i += 2;
                start = i;
            }
            Some(b'\'') => {
                value.push_str(&input[start..i]);
                return Ok((value, i + 1));
            }
            Some(_) => i += 1,
        }
    }
}

fn lex_number(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while bytes.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    i
}

fn unexpected(input: &str, pos: usize) -> QueryError {
    let c = input[pos..].chars().next().unwrap_or('?');
    let hint = match c {
        '"' => "; values are written in single quotes",
        '&' => "; did you mean `&&`?",
        '|' => "; did you mean `||`?",
        '!' => "; did you mean `!=`?",
        _ => "",
    };
    QueryError::syntax(
        pos,
        format!("unexpected character `{}`{hint}", c.escape_debug()),
    )
}
