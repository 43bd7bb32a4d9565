//! The SQL text the compiler emits: its shape per operator, and that values stay bound.

use rampart_query::{compile, parse_query, Dialect, ResourceType};
use sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};

/// Asserts the WHERE clause compiled from `query` for `dialect`, and the number of bound
/// values.
fn check(ty: ResourceType, query: &str, dialect: Dialect, want_sql: &str, want_values: usize) {
    let q = parse_query(ty, query).unwrap_or_else(|e| panic!("{query}: {e}"));
    let sel = crate::exec::select(ty, compile(&q, dialect), None);
    let (sql, values) = match dialect {
        Dialect::Sqlite => sel.build(SqliteQueryBuilder),
        Dialect::Postgres => sel.build(PostgresQueryBuilder),
    };
    let table = ty.table();
    let prefix = format!("SELECT \"{table}\".\"id\" FROM \"{table}\" WHERE ");
    let condition = sql.strip_prefix(&prefix).unwrap_or(&sql);
    assert_eq!(condition, want_sql, "{query} on {dialect:?}");
    assert_eq!(
        values.0.len(),
        want_values,
        "{query} on {dialect:?}: {values:?}"
    );
}

#[test]
fn each_operator_compiles_to_the_documented_sql() {
    use Dialect::*;
    use ResourceType::*;
    check(App, "app.name = 'x'", Sqlite, r#""apps"."name" = ?"#, 1);
    check(
        App,
        "app.name != 'x'",
        Postgres,
        r#""apps"."name" IS NULL OR "apps"."name" <> $1"#,
        1,
    );
    check(
        App,
        "app.name CONTAINS 'x'",
        Sqlite,
        r#"instr("apps"."name", ?) > ?"#,
        2,
    );
    check(
        App,
        "app.name STARTS WITH 'x'",
        Sqlite,
        r#"instr("apps"."name", ?) = ?"#,
        2,
    );
    check(
        App,
        "app.name ENDS WITH 'x'",
        Sqlite,
        r#"substr("apps"."name", length(?) * ?) = ?"#,
        3,
    );
    check(
        App,
        "app.name CONTAINS 'x'",
        Postgres,
        r#""apps"."name" LIKE $1 ESCAPE '!'"#,
        1,
    );
    check(
        App,
        "app.name LIKE 'a.*'",
        Sqlite,
        r#""apps"."name" REGEXP ?"#,
        1,
    );
    check(
        App,
        "app.name LIKE 'a.*'",
        Postgres,
        r#""apps"."name" ~ $1"#,
        1,
    );
    check(
        App,
        "app.name > 'a'",
        Postgres,
        r#"("apps"."name" COLLATE "C") > $1"#,
        1,
    );
    check(App, "", Postgres, "1 = 1", 0);
    check(
        Vulnerability,
        "vulnerability.scans.id = '12345678-1234-1234-1234-123456789012'",
        Postgres,
        r#""vulnerabilities"."id" IN (SELECT "vulnerability_discoveries"."vulnerability_id" FROM "vulnerability_discoveries" WHERE "vulnerability_discoveries"."scan_id" = $1)"#,
        1,
    );
    check(
        Vulnerability,
        "vulnerability.app.name = 'x'",
        Sqlite,
        r#"(SELECT "apps"."name" FROM "apps" WHERE "apps"."id" = "vulnerabilities"."app_id") = ?"#,
        1,
    );
    check(
        App,
        "app.tags.name IS NULL",
        Sqlite,
        r#"NOT EXISTS(SELECT 1 FROM "app_tags" INNER JOIN "tags" ON "tags"."id" = "app_tags"."tag_id" WHERE "app_tags"."app_id" = "apps"."id")"#,
        0,
    );
    check(
        App,
        "app.name = 'a' || app.name = 'b' && app.description IS NULL",
        Sqlite,
        r#""apps"."name" = ? OR ("apps"."name" = ? AND "apps"."description" IS NULL)"#,
        2,
    );
}

#[test]
fn values_are_never_written_into_the_sql() {
    let nasty = [
        "' OR 1=1 --",
        "\\'",
        "x'); DROP TABLE apps; --",
        "%_!",
        "$1",
    ];
    for v in nasty {
        let escaped = v.replace('\'', "''");
        for op in [
            "=",
            "!=",
            ">",
            "CONTAINS",
            "STARTS WITH",
            "ENDS WITH",
            "LIKE",
        ] {
            let text = format!("app.name {op} '{escaped}'");
            let q = match parse_query(ResourceType::App, &text) {
                Ok(q) => q,
                Err(e) if op == "LIKE" => {
                    assert!(e.message.contains("regular expression"), "{text}: {e}");
                    continue;
                }
                Err(e) => panic!("{text}: {e}"),
            };
            for dialect in [Dialect::Sqlite, Dialect::Postgres] {
                let sel = crate::exec::select(ResourceType::App, compile(&q, dialect), None);
                let (sql, _) = match dialect {
                    Dialect::Sqlite => sel.build(SqliteQueryBuilder),
                    Dialect::Postgres => sel.build(PostgresQueryBuilder),
                };
                assert!(!sql.contains("1=1") && !sql.contains("DROP"), "{sql}");
                assert!(!sql.contains("OR 1") && !sql.contains("\\'"), "{sql}");
            }
        }
    }
}
