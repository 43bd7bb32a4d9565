//! The InsightAppSec search language: lexer, parser, typed AST, the field catalogue of every
//! searchable type, and compilation to a sea-query condition for SQLite and PostgreSQL.
//!
//! Role: turn `POST /search` bodies (`{"type", "query"}`) and `sort` parameters into SQL
//! fragments that the store combines with its own tenant and visibility filters.
//!
//! Invariants:
//! - Pure: no IO, no database driver. [`compile`] returns a [`sea_query::SimpleExpr`] over
//!   [`ResourceType::table`]; every column is qualified with that table name, and the
//!   compiler never mentions `org_id` (tenant filtering is the store's job).
//! - User values are always bound parameters, never written into SQL text. Values are
//!   typed against the catalogue first: ids are UUIDs, dates are microseconds since the
//!   epoch (UTC), numbers are `f64`, booleans are `bool`.
//! - Parsing is linear in the input and bounded: at most [`parser::MAX_DEPTH`] nested
//!   parentheses, [`parser::MAX_PREDICATES`] conditions and [`parser::MAX_QUERY_BYTES`]
//!   bytes; beyond that a clean [`QueryError`] is returned, never a stack overflow.
//!
//! # Grammar
//!
//! ```text
//! query     := ws* ( or_expr )? ws*            -- blank input matches every row
//! or_expr   := and_expr ( "||" and_expr )*     -- && binds tighter than ||
//! and_expr  := primary ( "&&" primary )*
//! primary   := "(" or_expr ")" | predicate
//! predicate := FIELD test
//! test      := ( "=" | "!=" | ">" | ">=" | "<" | "<=" ) value
//!            | "CONTAINS" value | "STARTS" "WITH" value | "ENDS" "WITH" value
//!            | "LIKE" value | "IS" "NULL" | "IS" "NOT" "NULL"
//!            | "BETWEEN" value "AND" value
//! value     := "'" ( any char but "'" | "''" )* "'"  -- '' is an escaped quote
//!            | NUMBER | "true" | "false"            -- bare forms, as in `score > 4`
//! FIELD     := [A-Za-z_][A-Za-z0-9_.]*             -- case-sensitive catalogue name
//! NUMBER    := "-"? [0-9]+ ( "." [0-9]+ )?
//! ```
//!
//! Whitespace is optional between tokens (`a='x'&&b='y'`). Keywords and field names are
//! case-sensitive.
//!
//! # Semantics
//!
//! - `=` on enums is exact and case-sensitive; the value must be a member.
//! - `!=` also matches rows where the value is absent (NULL): "not equal to x" includes
//!   "has no value". For to-many relations (`vulnerability.scans.id`) `!=` means no element
//!   equals the value, `IS NULL` means no element exists, every other test means some
//!   element passes (compiled as `id IN (SELECT fk …)`).
//! - `>`, `<`, `BETWEEN` (inclusive) work on strings, numbers, date-times and severity
//!   (by rank, `SAFE` lowest). Date-only values mean midnight UTC.
//! - `CONTAINS`, `STARTS WITH`, `ENDS WITH` are literal and case-sensitive.
//! - `LIKE` is a regular expression matched against the whole value (`^(?:pat)$`),
//!   checked with the `regex` crate; SQLite evaluates it with the same crate (sqlx's
//!   `regexp` feature), PostgreSQL with `~` (its ARE dialect: the common syntax agrees).

#![deny(clippy::unwrap_used, clippy::expect_used)]

pub mod catalogue;
mod check;
mod compile;
pub mod enums;
mod error;
mod lexer;
pub mod parser;
mod resource;
mod sort;
pub mod syntax;
pub mod value;

pub use catalogue::{Field, Kind, Source};
pub use check::{Check, Node, Pred};
pub use compile::{compile, Dialect};
pub use error::{FieldError, QueryError};
pub use resource::ResourceType;
pub use sort::{parse_sort, SortKey};

/// A parsed and type-checked query over one resource type.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    ty: ResourceType,
    root: Node,
    syntax: syntax::Expr,
}

impl Query {
    pub fn resource_type(&self) -> ResourceType {
        self.ty
    }

    /// The checked tree.
    pub fn root(&self) -> &Node {
        &self.root
    }

    /// The tree as parsed, before type checking.
    pub fn syntax(&self) -> &syntax::Expr {
        &self.syntax
    }
}

impl std::fmt::Display for Query {
    /// The query in normal form (single spaces, minimal parentheses); parses back equal.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.syntax.fmt(f)
    }
}

/// Lexes, parses and type-checks `input` against `ty`'s catalogue.
pub fn parse_query(ty: ResourceType, input: &str) -> Result<Query, QueryError> {
    let syntax = parser::parse(input)?;
    let root = check::check(ty, &syntax)?;
    Ok(Query { ty, root, syntax })
}
