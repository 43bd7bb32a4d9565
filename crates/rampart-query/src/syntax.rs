//! The untyped syntax tree the parser builds, and its printer (the inverse of the parser).

use std::fmt;

/// A node with the byte offset it came from. Offsets are not part of equality, so a
/// re-parsed tree equals the tree it was printed from.
#[derive(Clone, Debug)]
pub struct Spanned<T> {
    pub node: T,
    pub pos: usize,
}

impl<T> Spanned<T> {
    pub fn new(node: T, pos: usize) -> Self {
        Self { node, pos }
    }
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.node == other.node
    }
}

/// A boolean expression. `And`/`Or` hold at least two children when built by the parser;
/// an empty `And` is the empty query, which matches everything.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Pred(Predicate),
}

/// `field <test>`.
#[derive(Clone, Debug, PartialEq)]
pub struct Predicate {
    pub field: Spanned<String>,
    pub test: Test,
}

/// A value as written: quoted (`'x'`) or bare (`4`, `true`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Literal {
    pub text: String,
    pub bare: bool,
}

impl Literal {
    pub fn quoted(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            bare: false,
        }
    }
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CmpOp {
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
        }
    }
}

/// Literal (non-regex) text operators; all case-sensitive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TextOp {
    Contains,
    StartsWith,
    EndsWith,
}

impl TextOp {
    pub fn as_str(self) -> &'static str {
        match self {
            TextOp::Contains => "CONTAINS",
            TextOp::StartsWith => "STARTS WITH",
            TextOp::EndsWith => "ENDS WITH",
        }
    }
}

/// What a predicate tests, with its operand(s).
#[derive(Clone, Debug, PartialEq)]
pub enum Test {
    Cmp(CmpOp, Spanned<Literal>),
    Text(TextOp, Spanned<Literal>),
    Like(Spanned<Literal>),
    Between(Spanned<Literal>, Spanned<Literal>),
    IsNull,
    IsNotNull,
}

impl Test {
    /// The operator as written, for error messages.
    pub fn op_str(&self) -> &'static str {
        match self {
            Test::Cmp(op, _) => op.as_str(),
            Test::Text(op, _) => op.as_str(),
            Test::Like(_) => "LIKE",
            Test::Between(..) => "BETWEEN",
            Test::IsNull => "IS NULL",
            Test::IsNotNull => "IS NOT NULL",
        }
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.bare {
            f.write_str(&self.text)
        } else {
            write!(f, "'{}'", self.text.replace('\'', "''"))
        }
    }
}

impl fmt::Display for Predicate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.field.node)?;
        match &self.test {
            Test::Cmp(op, v) => write!(f, "{} {}", op.as_str(), v.node),
            Test::Text(op, v) => write!(f, "{} {}", op.as_str(), v.node),
            Test::Like(v) => write!(f, "LIKE {}", v.node),
            Test::Between(a, b) => write!(f, "BETWEEN {} AND {}", a.node, b.node),
            Test::IsNull => f.write_str("IS NULL"),
            Test::IsNotNull => f.write_str("IS NOT NULL"),
        }
    }
}

impl fmt::Display for Expr {
    /// Prints with the fewest parentheses that parse back to the same tree: a child is
    /// parenthesised unless it is a predicate or an `And` inside an `Or`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (children, sep, is_or) = match self {
            Expr::Pred(p) => return p.fmt(f),
            Expr::And(c) => (c, " && ", false),
            Expr::Or(c) => (c, " || ", true),
        };
        for (i, child) in children.iter().enumerate() {
            if i > 0 {
                f.write_str(sep)?;
            }
            let bare = match child {
                Expr::Pred(_) => true,
                Expr::And(_) => is_or,
                Expr::Or(_) => false,
            };
            if bare {
                child.fmt(f)?;
            } else {
                write!(f, "({child})")?;
            }
        }
        Ok(())
    }
}
