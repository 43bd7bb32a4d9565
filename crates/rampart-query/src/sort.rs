//! The `sort` query parameter: `field[,ASC|DESC]` terms over the catalogue, and their SQL.

use crate::catalogue::{self, Field, Kind, Source};
use crate::compile::{
    binary_order, col, order, rank, relation, relation_value, scalar_source, sub_query,
};
use crate::error::QueryError;
use crate::resource::ResourceType;
use crate::Dialect;
use sea_query::{Expr, Order, SelectStatement, SimpleExpr};

/// One sort term: a catalogue field and a direction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SortKey {
    ty: ResourceType,
    field: &'static Field,
    descending: bool,
}

impl SortKey {
    pub(crate) fn new(ty: ResourceType, field: &'static Field, descending: bool) -> Self {
        Self {
            ty,
            field,
            descending,
        }
    }

    /// The full catalogue name (`scan.submit_time`), also for bare input names.
    pub fn field_name(&self) -> &str {
        self.field.name
    }

    pub fn field(&self) -> &'static Field {
        self.field
    }

    pub fn descending(&self) -> bool {
        self.descending
    }

    pub fn order(&self) -> Order {
        order(self.descending)
    }

    /// The value to order by. Severity orders by rank (SAFE lowest), not alphabetically:
    /// by its stored rank column when the catalogue names one.
    /// To-many fields order by their smallest value ascending and their largest
    /// descending, so a row sorts by its best match either way.
    pub fn expr(&self) -> SimpleExpr {
        let table = self.ty.table();
        let v = match (scalar_source(table, self.field), self.field.source) {
            (Some(v), _) => v,
            (
                None,
                Source::Many {
                    table: rel,
                    fk,
                    column,
                    join,
                },
            ) => {
                let value = relation_value(rel, column, join);
                let sel = relation(table, rel, fk, join)
                    .clear_selects()
                    .expr(value.clone())
                    .order_by_expr(value, self.order())
                    .limit(1)
                    .to_owned();
                sub_query(sel)
            }
            (None, _) => col(table, "id"),
        };
        match (self.field.kind, self.field.rank) {
            (Kind::Enum(_), Some(r)) => col(table, r),
            (Kind::Enum(e), None) if e.ordered => rank(v, e),
            _ => v,
        }
    }

    /// [`SortKey::expr`] with text compared by code point on `dialect`, so both databases
    /// return the same order whatever PostgreSQL's collation.
    pub fn expr_in(&self, dialect: Dialect) -> SimpleExpr {
        binary_order(self.expr(), self.field.kind, dialect)
    }

    /// Adds this key to `select`. Missing values sort as the largest on both databases
    /// (last ascending, first descending), as PostgreSQL does natively.
    pub fn apply(&self, select: &mut SelectStatement, dialect: Dialect) {
        let v = self.expr_in(dialect);
        if self.field.nullable {
            select.order_by_expr(Expr::expr(v.clone()).is_null(), self.order());
        }
        select.order_by_expr(v, self.order());
    }

    /// `field,DIR` as accepted by [`parse_sort`].
    pub fn to_param(&self) -> String {
        format!(
            "{},{}",
            self.field.name,
            if self.descending { "DESC" } else { "ASC" }
        )
    }
}

/// Parses a `sort` parameter such as `scan.submit_time,DESC,scan.status` or
/// `app.name,ASC,app.id`. Directions are ASCII case-insensitive and default to ascending;
/// a bare name (`name`, `generatedDate`) is looked up under the type's prefix. Empty terms
/// are skipped; a blank parameter yields the type's [`ResourceType::default_sort`].
pub fn parse_sort(ty: ResourceType, input: &str) -> Result<Vec<SortKey>, QueryError> {
    let mut keys: Vec<SortKey> = Vec::new();
    let mut directed = true;
    let mut offset = 0;
    for term in input.split(',') {
        let pos = offset + (term.len() - term.trim_start().len());
        offset += term.len() + 1;
        let term = term.trim();
        if term.is_empty() {
            continue;
        }
        let dir = if term.eq_ignore_ascii_case("asc") {
            Some(false)
        } else if term.eq_ignore_ascii_case("desc") {
            Some(true)
        } else {
            None
        };
        if let Some(desc) = dir {
            match keys.last_mut() {
                Some(last) if !directed => {
                    last.descending = desc;
                    directed = true;
                }
                _ => {
                    return Err(QueryError::new(
                        pos,
                        "sort",
                        format!("unexpected direction {term}: expected a field name before it"),
                    ))
                }
            }
            continue;
        }
        let field = resolve(ty, term).ok_or_else(|| {
            let known: Vec<&str> = catalogue::fields(ty).iter().map(|f| f.name).collect();
            QueryError::new(
                pos,
                term,
                format!(
                    "unknown sort field {term} for type {}; known fields: {}",
                    ty.as_str(),
                    known.join(", ")
                ),
            )
        })?;
        keys.push(SortKey::new(ty, field, false));
        directed = false;
    }
    if keys.is_empty() {
        return Ok(ty.default_sort());
    }
    Ok(keys)
}

fn resolve(ty: ResourceType, name: &str) -> Option<&'static Field> {
    catalogue::lookup(ty, name)
        .or_else(|| catalogue::lookup(ty, &format!("{}.{name}", ty.prefix())))
}
