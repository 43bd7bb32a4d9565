//! Compilation of a checked query to a sea-query condition over the type's table.
//!
//! User values are always bound parameters. Catalogue constants (enum spellings, ranks) are
//! the only literals written into the SQL text.

use crate::catalogue::{Field, Join, Kind, Source};
use crate::check::{Check, Node, Pred};
use crate::enums::EnumDef;
use crate::syntax::{CmpOp, TextOp};
use crate::value::Value;
use crate::Query;
use sea_query::{Alias, BinOper, Expr, LikeExpr, Order, SelectStatement, SimpleExpr};

/// The SQL flavour to compile for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// Needs a `regexp(pattern, value)` function registered (sqlx's `regexp` feature).
    Sqlite,
    Postgres,
}

/// The escape character used in PostgreSQL `LIKE` patterns.
const LIKE_ESCAPE: char = '!';

/// A condition over `query`'s table, to be `and_where`-ed into a select from that table.
pub fn compile(query: &Query, dialect: Dialect) -> SimpleExpr {
    node(query.resource_type().table(), query.root(), dialect)
}

fn node(table: &'static str, n: &Node, dialect: Dialect) -> SimpleExpr {
    match n {
        Node::All(items) => fold(
            items.iter().map(|n| node(table, n, dialect)).collect(),
            true,
        ),
        Node::Any(items) => fold(
            items.iter().map(|n| node(table, n, dialect)).collect(),
            false,
        ),
        Node::Pred(p) => pred(table, p, dialect),
    }
}

/// Joins with AND / OR as a balanced tree, so that long flat lists render with shallow
/// recursion.
fn fold(mut items: Vec<SimpleExpr>, and: bool) -> SimpleExpr {
    if items.is_empty() {
        return Expr::cust(if and { "1 = 1" } else { "1 = 0" });
    }
    while items.len() > 1 {
        let mut next = Vec::with_capacity(items.len().div_ceil(2));
        let mut iter = items.into_iter();
        while let Some(a) = iter.next() {
            next.push(match iter.next() {
                Some(b) if and => a.and(b),
                Some(b) => a.or(b),
                None => a,
            });
        }
        items = next;
    }
    items.pop().unwrap_or_else(|| Expr::cust("1 = 1"))
}

pub(crate) fn col(table: &str, column: &str) -> SimpleExpr {
    Expr::col((Alias::new(table), Alias::new(column))).into()
}

fn konst(v: impl Into<sea_query::Value>) -> SimpleExpr {
    SimpleExpr::Constant(v.into())
}

fn bind(v: &Value) -> SimpleExpr {
    match v {
        Value::Id(u) => Expr::val(*u).into(),
        Value::Str(s) => Expr::val(s.as_str()).into(),
        Value::Bool(b) => Expr::val(*b).into(),
        Value::Num(n) => Expr::val(*n).into(),
        Value::Time(t) | Value::Rank(t) => Expr::val(*t).into(),
    }
}

/// `CASE WHEN v = 'SAFE' THEN 0 … ELSE -1 END`: an ordered enum's rank.
pub(crate) fn rank(v: SimpleExpr, e: &EnumDef) -> SimpleExpr {
    let mut case = sea_query::CaseStatement::new();
    for (i, name) in e.values.iter().enumerate() {
        let i = i64::try_from(i).unwrap_or(i64::MAX);
        case = case.case(Expr::expr(v.clone()).eq(konst(*name)), konst(i));
    }
    case.finally(konst(-1i64)).into()
}

/// The scalar value of a to-one field; `None` for to-many relations.
pub(crate) fn scalar_source(table: &'static str, field: &Field) -> Option<SimpleExpr> {
    match field.source {
        Source::Column(c) => Some(col(table, c)),
        Source::Lookup {
            table: other,
            column,
            key,
        } => {
            let sel = sea_query::Query::select()
                .expr(col(other, column))
                .from(Alias::new(other))
                .and_where(Expr::expr(col(other, "id")).eq(col(table, key)))
                .to_owned();
            Some(sub_query(sel))
        }
        Source::Many { .. } => None,
    }
}

pub(crate) fn sub_query(sel: SelectStatement) -> SimpleExpr {
    SimpleExpr::SubQuery(None, Box::new(sel.into_sub_query_statement()))
}

/// `SELECT 1 FROM table [JOIN …] WHERE table.fk = outer.id`: the rows of a to-many relation.
pub(crate) fn relation(
    outer: &'static str,
    table: &'static str,
    fk: &'static str,
    join: Option<Join>,
) -> SelectStatement {
    let mut sel = sea_query::Query::select();
    sel.expr(Expr::cust("1")).from(Alias::new(table));
    if let Some(j) = join {
        sel.inner_join(
            Alias::new(j.table),
            Expr::expr(col(j.table, "id")).eq(col(table, j.key)),
        );
    }
    sel.and_where(Expr::expr(col(table, fk)).eq(col(outer, "id")));
    sel
}

pub(crate) fn relation_value(
    table: &'static str,
    column: &'static str,
    join: Option<Join>,
) -> SimpleExpr {
    col(join.map_or(table, |j| j.table), column)
}

fn pred(table: &'static str, p: &Pred, dialect: Dialect) -> SimpleExpr {
    if let Some(v) = scalar_source(table, p.field) {
        let rank_col = p.field.rank.map(|r| col(table, r));
        return test(v, rank_col, p.field.kind, &p.test, dialect);
    }
    let Source::Many {
        table: rel,
        fk,
        column,
        join,
    } = p.field.source
    else {
        return Expr::cust("1 = 0");
    };
    let base = relation(table, rel, fk, join);
    let value = relation_value(rel, column, join);
    // A relation holds a set of values: `!=` means no element equals the value, IS NULL
    // means the set is empty; every other test means some element passes.
    match &p.test {
        Check::IsNull => Expr::exists(base).not(),
        Check::IsNotNull => Expr::exists(base),
        Check::Cmp(CmpOp::Ne, v) => {
            let inner = base
                .to_owned()
                .and_where(Expr::expr(value).eq(bind(v)))
                .to_owned();
            Expr::exists(inner).not()
        }
        other => {
            // `id IN (SELECT fk FROM rel WHERE cond)`, not a correlated EXISTS: both
            // databases then drive the query from the relation's index (e.g. the discoveries
            // of one scan) instead of probing it once per row of the outer table.
            let cond = test(value, None, p.field.kind, other, dialect);
            let mut sel = sea_query::Query::select();
            sel.expr(col(rel, fk)).from(Alias::new(rel));
            if let Some(j) = join {
                sel.inner_join(
                    Alias::new(j.table),
                    Expr::expr(col(j.table, "id")).eq(col(rel, j.key)),
                );
            }
            sel.and_where(cond);
            Expr::expr(col(table, "id")).in_subquery(sel)
        }
    }
}

/// Applies `check` to the scalar `v` (`rank_col`: the stored rank of an ordered enum).
fn test(
    v: SimpleExpr,
    rank_col: Option<SimpleExpr>,
    kind: Kind,
    check: &Check,
    dialect: Dialect,
) -> SimpleExpr {
    let ranked = |v: SimpleExpr, val: &Value| match (kind, val, &rank_col) {
        (Kind::Enum(_), Value::Rank(_), Some(r)) => r.clone(),
        (Kind::Enum(e), Value::Rank(_), None) => rank(v, e),
        _ => v,
    };
    match check {
        Check::IsNull => Expr::expr(v).is_null(),
        Check::IsNotNull => Expr::expr(v).is_not_null(),
        Check::Cmp(op, val) => {
            let ordered = if matches!(op, CmpOp::Eq | CmpOp::Ne) {
                ranked(v.clone(), val)
            } else {
                binary_order(ranked(v.clone(), val), kind, dialect)
            };
            let lhs = Expr::expr(ordered);
            let rhs = bind(val);
            match op {
                CmpOp::Eq => lhs.eq(rhs),
                CmpOp::Ne => Expr::expr(v).is_null().or(lhs.ne(rhs)),
                CmpOp::Gt => lhs.gt(rhs),
                CmpOp::Ge => lhs.gte(rhs),
                CmpOp::Lt => lhs.lt(rhs),
                CmpOp::Le => lhs.lte(rhs),
            }
        }
        Check::Between(lo, hi) => {
            Expr::expr(binary_order(ranked(v, lo), kind, dialect)).between(bind(lo), bind(hi))
        }
        Check::Text(op, needle) => text(v, *op, needle, dialect),
        Check::Regex(pattern) => {
            let op = match dialect {
                Dialect::Sqlite => "REGEXP",
                Dialect::Postgres => "~",
            };
            let anchored = format!("^(?:{pattern})$");
            Expr::expr(v).binary(BinOper::Custom(op), Expr::val(anchored))
        }
    }
}

/// Literal, case-sensitive substring tests. SQLite's `LIKE` ignores ASCII case, so SQLite
/// uses `instr`/`substr`; PostgreSQL uses `LIKE … ESCAPE '!'` with the pattern escaped.
fn text(v: SimpleExpr, op: TextOp, needle: &str, dialect: Dialect) -> SimpleExpr {
    if needle.is_empty() {
        return Expr::expr(v).is_not_null();
    }
    match dialect {
        Dialect::Sqlite => {
            let func = |name: &str| sea_query::Func::cust(Alias::new(name));
            let instr = || -> SimpleExpr { func("instr").arg(v.clone()).arg(needle).into() };
            match op {
                TextOp::Contains => Expr::expr(instr()).gt(0),
                TextOp::StartsWith => Expr::expr(instr()).eq(1),
                TextOp::EndsWith => {
                    let len: SimpleExpr = func("length").arg(needle).into();
                    let tail: SimpleExpr =
                        func("substr").arg(v).arg(Expr::expr(len).mul(-1)).into();
                    Expr::expr(tail).eq(needle)
                }
            }
        }
        Dialect::Postgres => {
            let mut escaped = String::with_capacity(needle.len() + 2);
            for c in needle.chars() {
                if matches!(c, '%' | '_') || c == LIKE_ESCAPE {
                    escaped.push(LIKE_ESCAPE);
                }
                escaped.push(c);
            }
            let pattern = match op {
                TextOp::Contains => format!("%{escaped}%"),
                TextOp::StartsWith => format!("{escaped}%"),
                TextOp::EndsWith => format!("%{escaped}"),
            };
            Expr::expr(v).like(LikeExpr::new(pattern).escape(LIKE_ESCAPE))
        }
    }
}

/// Orders text by code point on both databases: SQLite's default `BINARY` collation does,
/// PostgreSQL's database collation may not (`en_US` ignores case and punctuation), so
/// PostgreSQL text gets `COLLATE "C"`. Ranked enums are integers and stay as they are.
pub(crate) fn binary_order(v: SimpleExpr, kind: Kind, dialect: Dialect) -> SimpleExpr {
    let text = match kind {
        Kind::String => true,
        Kind::Enum(e) => !e.ordered,
        _ => false,
    };
    if text && dialect == Dialect::Postgres {
        Expr::cust_with_expr("$1 COLLATE \"C\"", v)
    } else {
        v
    }
}

/// The order a sort key asks for.
pub(crate) fn order(descending: bool) -> Order {
    if descending {
        Order::Desc
    } else {
        Order::Asc
    }
}
