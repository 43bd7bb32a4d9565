//! Recursive-descent parser over the token list, with hard limits on nesting and size.

use crate::error::QueryError;
use crate::lexer::{lex, Tok, Token};
use crate::syntax::{CmpOp, Expr, Literal, Predicate, Spanned, Test, TextOp};

/// Deepest parenthesis nesting accepted; deeper input is rejected, never recursed into.
pub const MAX_DEPTH: usize = 64;
/// Most predicates in one query (bounds SQL size and bind parameters).
pub const MAX_PREDICATES: usize = 1000;
/// Longest query text accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 4 * 1024 * 1024;

/// Parses query text into an untyped tree. Blank input is the empty `And` (match all).
pub fn parse(input: &str) -> Result<Expr, QueryError> {
    if input.len() > MAX_QUERY_BYTES {
        return Err(QueryError::syntax(
            MAX_QUERY_BYTES,
            format!("query too long: at most {MAX_QUERY_BYTES} bytes are accepted"),
        ));
    }
    let tokens = lex(input)?;
    if tokens.is_empty() {
        return Ok(Expr::And(Vec::new()));
    }
    let mut p = Parser {
        tokens,
        at: 0,
        end: input.len(),
        depth: 0,
        predicates: 0,
    };
    let expr = p.or_expr()?;
    match p.peek() {
        None => Ok(expr),
        Some(t) => Err(p.expected("`&&`, `||` or the end of the query", t)),
    }
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    end: usize,
    depth: usize,
    predicates: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn eat(&mut self, kind: &Tok) -> bool {
        if self.peek().is_some_and(|t| &t.kind == kind) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expected(&self, what: &str, found: &Token) -> QueryError {
        let mut msg = format!("expected {what}, found {}", found.kind.describe());
        if let Tok::Word(w) = &found.kind {
            if matches!(w.as_str(), "AND" | "and" | "OR" | "or") {
                msg.push_str("; combine conditions with `&&` and `||`");
            } else if ["contains", "starts", "ends", "like", "between", "is"]
                .contains(&w.to_ascii_lowercase().as_str())
                && w.chars().any(|c| c.is_ascii_lowercase())
            {
                msg.push_str("; operators are case-sensitive and written in upper case");
            }
        }
        QueryError::syntax(found.pos, msg)
    }

    fn expect_some(&mut self, what: &str) -> Result<Token, QueryError> {
        self.next().ok_or_else(|| {
            QueryError::syntax(
                self.end,
                format!("expected {what}, found the end of the query"),
            )
        })
    }

    fn or_expr(&mut self) -> Result<Expr, QueryError> {
        let mut items = vec![self.and_expr()?];
        while self.eat(&Tok::OrOr) {
            items.push(self.and_expr()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::Or(items)
        })
    }

    fn and_expr(&mut self) -> Result<Expr, QueryError> {
        let mut items = vec![self.primary()?];
        while self.eat(&Tok::AndAnd) {
            items.push(self.primary()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::And(items)
        })
    }

    fn primary(&mut self) -> Result<Expr, QueryError> {
        let t = self.expect_some("a field or `(`")?;
        match t.kind {
            Tok::LParen => {
                if self.depth >= MAX_DEPTH {
                    return Err(QueryError::syntax(
                        t.pos,
                        format!("parentheses nested deeper than {MAX_DEPTH} levels"),
                    ));
                }
                self.depth += 1;
                let inner = self.or_expr()?;
                self.depth -= 1;
                let close = self.expect_some("`)`")?;
                if close.kind != Tok::RParen {
                    return Err(self.expected("`)`", &close));
                }
                Ok(inner)
            }
            Tok::Word(field) => {
                self.predicates += 1;
                if self.predicates > MAX_PREDICATES {
                    return Err(QueryError::syntax(
                        t.pos,
                        format!("too many conditions: at most {MAX_PREDICATES} are accepted"),
                    ));
                }
                let test = self.test()?;
                Ok(Expr::Pred(Predicate {
                    field: Spanned::new(field, t.pos),
                    test,
                }))
            }
            _ => Err(self.expected("a field or `(`", &t)),
        }
    }

    fn keyword(&mut self, kw: &str) -> Result<(), QueryError> {
        let t = self.expect_some(&format!("`{kw}`"))?;
        match &t.kind {
            Tok::Word(w) if w == kw => Ok(()),
            _ => Err(self.expected(&format!("`{kw}`"), &t)),
        }
    }

    fn test(&mut self) -> Result<Test, QueryError> {
        const OPS: &str = "an operator (=, !=, >, >=, <, <=, CONTAINS, STARTS WITH, ENDS WITH, \
                           LIKE, IS NULL, IS NOT NULL, BETWEEN)";
        let t = self.expect_some(OPS)?;
        let cmp = |op| Some(op);
        let op = match &t.kind {
            Tok::Eq => cmp(CmpOp::Eq),
            Tok::Ne => cmp(CmpOp::Ne),
            Tok::Gt => cmp(CmpOp::Gt),
            Tok::Ge => cmp(CmpOp::Ge),
            Tok::Lt => cmp(CmpOp::Lt),
            Tok::Le => cmp(CmpOp::Le),
            _ => None,
        };
        if let Some(op) = op {
            return Ok(Test::Cmp(op, self.literal()?));
        }
        match &t.kind {
            Tok::Word(w) => match w.as_str() {
                "CONTAINS" => Ok(Test::Text(TextOp::Contains, self.literal()?)),
                "STARTS" => {
                    self.keyword("WITH")?;
                    Ok(Test::Text(TextOp::StartsWith, self.literal()?))
                }
                "ENDS" => {
                    self.keyword("WITH")?;
                    Ok(Test::Text(TextOp::EndsWith, self.literal()?))
                }
                "LIKE" => Ok(Test::Like(self.literal()?)),
                "BETWEEN" => {
                    let low = self.literal()?;
                    self.keyword("AND")?;
                    Ok(Test::Between(low, self.literal()?))
                }
                "IS" => {
                    let n = self.expect_some("`NULL` or `NOT NULL`")?;
                    match &n.kind {
                        Tok::Word(w) if w == "NULL" => Ok(Test::IsNull),
                        Tok::Word(w) if w == "NOT" => {
                            self.keyword("NULL")?;
                            Ok(Test::IsNotNull)
                        }
                        _ => Err(self.expected("`NULL` or `NOT NULL`", &n)),
                    }
                }
                _ => Err(self.expected(OPS, &t)),
            },
            _ => Err(self.expected(OPS, &t)),
        }
    }

    fn literal(&mut self) -> Result<Spanned<Literal>, QueryError> {
        const WHAT: &str = "a value in single quotes";
        let t = self.expect_some(WHAT)?;
        let lit = match t.kind {
            Tok::Str(s) => Literal {
                text: s,
                bare: false,
            },
            Tok::Num(n) => Literal {
                text: n,
                bare: true,
            },
            Tok::Word(ref w) if w == "true" || w == "false" => Literal {
                text: w.clone(),
                bare: true,
            },
            _ => return Err(self.expected(WHAT, &t)),
        };
        Ok(Spanned::new(lit, t.pos))
    }
}
