//! Type checking: resolves fields against the catalogue and turns literals into typed values.

use crate::catalogue::{self, Field, Kind};
use crate::error::QueryError;
use crate::resource::ResourceType;
use crate::syntax::{CmpOp, Expr, Literal, Predicate, Spanned, Test, TextOp};
use crate::value::{self, Value};

/// Largest compiled size accepted for a `LIKE` regular expression.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// A checked boolean expression over one resource type.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// All children hold; the empty list holds for every row.
    All(Vec<Node>),
    /// At least one child holds.
    Any(Vec<Node>),
    Pred(Pred),
}

/// A checked predicate: a catalogue field and a typed test.
#[derive(Clone, Debug, PartialEq)]
pub struct Pred {
    pub field: &'static Field,
    pub test: Check,
}

/// A test with typed operands.
#[derive(Clone, Debug, PartialEq)]
pub enum Check {
    Cmp(CmpOp, Value),
    Between(Value, Value),
    /// Literal, case-sensitive text matching.
    Text(TextOp, String),
    /// A whole-value regular expression match; holds the pattern as written.
    Regex(String),
    IsNull,
    IsNotNull,
}

/// Checks every predicate of `expr`, collecting all errors.
pub(crate) fn check(ty: ResourceType, expr: &Expr) -> Result<Node, QueryError> {
    let mut errors = Vec::new();
    let node = walk(ty, expr, &mut errors);
    match QueryError::merge(errors) {
        Some(e) => Err(e),
        None => Ok(node),
    }
}

fn walk(ty: ResourceType, expr: &Expr, errors: &mut Vec<QueryError>) -> Node {
    match expr {
        Expr::And(items) => Node::All(items.iter().map(|e| walk(ty, e, errors)).collect()),
        Expr::Or(items) => Node::Any(items.iter().map(|e| walk(ty, e, errors)).collect()),
        Expr::Pred(p) => match predicate(ty, p) {
            Ok(p) => Node::Pred(p),
            Err(e) => {
                errors.push(e);
                Node::All(Vec::new())
            }
        },
    }
}

fn predicate(ty: ResourceType, p: &Predicate) -> Result<Pred, QueryError> {
    let name = &p.field.node;
    let field = catalogue::lookup(ty, name).ok_or_else(|| unknown_field(ty, &p.field))?;
    let bad_op = || {
        QueryError::new(
            p.field.pos,
            field.name,
            format!(
                "operator {} cannot be used on {} field {}",
                p.test.op_str(),
                field.kind.describe(),
                field.name
            ),
        )
    };
    let test = match &p.test {
        Test::IsNull => Check::IsNull,
        Test::IsNotNull => Check::IsNotNull,
        Test::Cmp(op, lit) => {
            let ordered = match field.kind {
                Kind::String | Kind::Number | Kind::DateTime => true,
                Kind::Enum(e) => e.ordered,
                Kind::Id | Kind::Boolean => false,
            };
            if !ordered && !matches!(op, CmpOp::Eq | CmpOp::Ne) {
                return Err(bad_op());
            }
            let ranked = !matches!(op, CmpOp::Eq | CmpOp::Ne);
            Check::Cmp(*op, typed(field, lit, ranked)?)
        }
        Test::Between(lo, hi) => match field.kind {
            Kind::String | Kind::Number | Kind::DateTime => {
                Check::Between(typed(field, lo, true)?, typed(field, hi, true)?)
            }
            Kind::Enum(e) if e.ordered => {
                Check::Between(typed(field, lo, true)?, typed(field, hi, true)?)
            }
            _ => return Err(bad_op()),
        },
        Test::Text(op, lit) => match field.kind {
            Kind::String | Kind::Enum(_) => Check::Text(*op, text(field, lit)?),
            _ => return Err(bad_op()),
        },
        Test::Like(lit) => match field.kind {
            Kind::String | Kind::Enum(_) => Check::Regex(regex(field, lit)?),
            _ => return Err(bad_op()),
        },
    };
    Ok(Pred { field, test })
}

fn unknown_field(ty: ResourceType, name: &Spanned<String>) -> QueryError {
    let hint = match catalogue::near_miss(ty, &name.node) {
        Some(f) => format!("; fields are case-sensitive, did you mean {}?", f.name),
        None => {
            let known: Vec<&str> = catalogue::fields(ty).iter().map(|f| f.name).collect();
            format!("; known fields: {}", known.join(", "))
        }
    };
    QueryError::new(
        name.pos,
        &name.node,
        format!("unknown field {} for type {}{hint}", name.node, ty.as_str()),
    )
}

fn invalid(field: &Field, lit: &Spanned<Literal>, expected: &str) -> QueryError {
    let shown: String = lit.node.text.chars().take(60).collect();
    QueryError::new(
        lit.pos,
        field.name,
        format!(
            "invalid value '{shown}' for {}: expected {expected}",
            field.name
        ),
    )
}

fn text(field: &Field, lit: &Spanned<Literal>) -> Result<String, QueryError> {
    if lit.node.text.contains('\0') {
        return Err(QueryError::new(
            lit.pos,
            field.name,
            format!(
                "invalid value for {}: values must not contain NUL characters",
                field.name
            ),
        ));
    }
    Ok(lit.node.text.clone())
}

/// Converts a literal to the field's type; `ranked` asks for an ordered enum's rank.
fn typed(field: &Field, lit: &Spanned<Literal>, ranked: bool) -> Result<Value, QueryError> {
    let s = text(field, lit)?;
    match field.kind {
        Kind::String => Ok(Value::Str(s)),
        Kind::Id => uuid::Uuid::parse_str(s.trim()).map(Value::Id).map_err(|_| {
            invalid(
                field,
                lit,
                "a uuid such as 12345678-1234-1234-1234-123456789012",
            )
        }),
        Kind::Boolean => value::parse_bool(&s)
            .map(Value::Bool)
            .ok_or_else(|| invalid(field, lit, "'true' or 'false'")),
        Kind::Number => value::parse_number(&s)
            .map(Value::Num)
            .ok_or_else(|| invalid(field, lit, "a number")),
        Kind::DateTime => value::parse_datetime(&s)
            .map(Value::Time)
            .ok_or_else(|| invalid(field, lit, "a date-time such as 2018-11-01T00:00:00")),
        Kind::Enum(e) => match e.rank(&s) {
            Some(rank) if ranked => Ok(Value::Rank(i64::try_from(rank).unwrap_or(i64::MAX))),
            Some(_) => Ok(Value::Str(s)),
            None => Err(invalid(
                field,
                lit,
                &format!("one of {}", e.values.join(", ")),
            )),
        },
    }
}

fn regex(field: &Field, lit: &Spanned<Literal>) -> Result<String, QueryError> {
    let pattern = text(field, lit)?;
    // Checking the bare pattern (not the anchored one) rejects input such as `a)|(b` that
    // would only become valid, with other anchoring, once wrapped.
    regex::RegexBuilder::new(&pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| {
            let first = e
                .to_string()
                .lines()
                .last()
                .unwrap_or_default()
                .trim()
                .to_owned();
            QueryError::new(
                lit.pos,
                field.name,
                format!("invalid regular expression for {}: {first}", field.name),
            )
        })?;
    Ok(pattern)
}
