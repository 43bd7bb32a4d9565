//! SQL injection: error-based, boolean-based and time-based.

use super::common::{after, inject};
use crate::catalogue::{locs, module_id, OWASP_A03};
use crate::client::{SendError, Sent};
use crate::ctx::{Ctx, Hit};
use crate::finding::Confidence;
use crate::similarity::{similarity, strip};
use crate::target::{InsertionPoint, Resource};
use rampart_domain::catalogue::{AttackMeta, ModuleMeta};
use rampart_domain::{ModuleType, Severity};

pub(crate) const KEY: &str = "sqli";

pub(crate) fn meta() -> ModuleMeta {
    ModuleMeta {
        id: module_id(KEY),
        key: KEY,
        name: "SQL Injection",
        description: "<p>The application builds an SQL statement from request input without neutralising it. An attacker can read or modify the database, bypass authentication and sometimes execute commands on the database host.</p><p>The engine confirms this by database error signatures, by two independent true/false condition pairs compared by page similarity, or by response delays that grow linearly with the requested delay.</p>",
        recommendation: "Use parameterised queries (prepared statements) for every query; never concatenate input into SQL. Apply least privilege to the database account and validate input types.",
        module_type: ModuleType::Active,
        severity: Severity::High,
        cwe: 89,
        wasc: Some(19),
        owasp_2021: "A03:2021-Injection",
        cvss_vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        parameter_locations: locs::INPUTS,
        references: &[
            ("CWE-89: Improper Neutralization of Special Elements used in an SQL Command", "https://cwe.mitre.org/data/definitions/89.html"),
            ("OWASP SQL Injection Prevention Cheat Sheet", "https://cheatsheetseries.owasp.org/cheatsheets/SQL_Injection_Prevention_Cheat_Sheet.html"),
            OWASP_A03,
        ],
        attacks: &[
            AttackMeta {
                id: "SQLI_01",
                kind: "Error-based SQL injection",
                class: "Injection",
                description: "Quotes and syntax breakers that make the database report an error whose signature (MySQL/MariaDB, PostgreSQL, SQLite, MSSQL, Oracle) appears in the response.",
            },
            AttackMeta {
                id: "SQLI_02",
                kind: "Boolean-based SQL injection",
                class: "Injection",
                description: "Two independent true/false condition pairs; the true pages match the original and the false pages differ, by similarity.",
            },
            AttackMeta {
                id: "SQLI_03",
                kind: "Time-based SQL injection",
                class: "Injection",
                description: "Database sleep functions with two delays, serialised per host and repeated; the response time must grow linearly with the delay.",
            },
        ],
    }
}


fn db_error(text: &str) -> Option<(&'static str, String)> {
    let text = &crate::similarity::unescape_html(text);
    // Database error signatures, per DBMS: `signatures/sql_errors.toml`.
    super::signatures::SQL_ERRORS
        .find(text)
        .map(|(n, m)| (n, m.as_str().to_string()))
}

const BREAKERS: &[&str] = &["'", "\"", "')", "\\", "1'\"", ";"];

/// Error-based, then boolean-based, then time-based, stopping at the first proof.
pub(crate) async fn attack(
    ctx: &Ctx,
    r: &Resource,
    orig: &Sent,
    p: &InsertionPoint,
) -> Result<(), SendError> {
    if ctx.already(KEY, r, Some(p)).await {
        return Ok(());
    }
    if error_based(ctx, r, orig, p).await?
        || boolean_based(ctx, r, orig, p).await?
        || or_based(ctx, r, orig, p).await?
    {
        return Ok(());
    }
    time_based(ctx, r, orig, p).await.map(|_| ())
}

async fn error_based(
    ctx: &Ctx,
    r: &Resource,
    orig: &Sent,
    p: &InsertionPoint,
) -> Result<bool, SendError> {
    let orig_text = orig.response.text();
    if db_error(&orig_text).is_some() {
        return Ok(false);
    }
    for b in BREAKERS {
        let value = after(p, b);
        let sent = inject(ctx, r, p, &value).await?;
        let text = sent.response.text();
        let Some((dbms, evidence)) = db_error(&text) else {
            continue;
        };
        // Repair: doubling the quote (or a comment) should make the error go away.
        let repaired = match *b {
            "'" => Some(after(p, "''")),
            "\"" => Some(after(p, "\"\"")),
            _ => None,
        };
        let mut confidence = Confidence::Firm;
        if let Some(rv) = repaired {
            let fixed = inject(ctx, r, p, &rv).await?;
            if db_error(&fixed.response.text()).is_none() {
                confidence = Confidence::Confirmed;
            }
        }
        ctx.report_point(
            r,
            Some(p),
            Hit {
                module: KEY,
                attack_id: "SQLI_01",
                value: &value,
                proof: evidence,
                proof_description: &format!(
                    "{dbms} error message in the response to a syntax-breaking value"
                ),
                confidence,
                original: Some(orig),
                attack: Some(&sent),
            },
        )
        .await;
        return Ok(true);
    }
    Ok(false)
}

/// True/false condition pairs per context: (prefix-less suffixes).
fn pairs(p: &InsertionPoint, a: u64, b: u64) -> Vec<(String, String)> {
    let numeric = !p.original.is_empty() && p.original.chars().all(|c| c.is_ascii_digit());
    let mut v = Vec::new();
    if numeric {
        v.push((format!(" AND {a}={a}"), format!(" AND {a}={b}")));
    }
    v.push((format!("' AND '{a}'='{a}"), format!("' AND '{a}'='{b}")));
    v.push((format!("' AND {a}={a}-- -"), format!("' AND {a}={b}-- -")));
    v.push((
        format!("\" AND \"{a}\"=\"{a}"),
        format!("\" AND \"{a}\"=\"{b}"),
    ));
    v
}

async fn boolean_based(
    ctx: &Ctx,
    r: &Resource,
    orig: &Sent,
    p: &InsertionPoint,
) -> Result<bool, SendError> {
    // Stability of the original page: two fetches must agree.
    let again = ctx.send(orig.request.clone()).await?;
    let base = orig.response.text();
    let stable = similarity(&base, &again.response.text());
    if stable < 0.95 {
        return Ok(false);
    }
    let hi = stable.min(0.98);
    let (a1, b1) = (super::common::num(100, 999), super::common::num(100, 999));
    let (a2, b2) = (
        super::common::num(1000, 9999),
        super::common::num(1000, 9999),
    );
    if a1 == b1 || a2 == b2 {
        return Ok(false);
    }
    for (ctx_idx, (t1, f1)) in pairs(p, a1, b1).into_iter().enumerate() {
        let tv = after(p, &t1);
        let fv = after(p, &f1);
        let t = inject(ctx, r, p, &tv).await?;
        let tt = strip(&t.response.text(), &[&tv]);
        if t.response.status != orig.response.status || similarity(&base, &tt) < hi {
            continue;
        }
        let f = inject(ctx, r, p, &fv).await?;
        let ft = strip(&f.response.text(), &[&fv]);
        // The false page must differ from the original clearly more than the page's own noise.
        let t_sim = similarity(&base, &tt);
        let margin = (3.0 * (1.0 - stable)).max(0.01);
        if similarity(&base, &ft) > t_sim - margin && f.response.status == t.response.status {
            continue;
        }
        // Second, independent pair in the same context.
        let (t2, f2) = pairs(p, a2, b2).swap_remove(ctx_idx);
        let tv2 = after(p, &t2);
        let fv2 = after(p, &f2);
        let t2s = inject(ctx, r, p, &tv2).await?;
        let f2s = inject(ctx, r, p, &fv2).await?;
        let t2t = strip(&t2s.response.text(), &[&tv2]);
        let f2t = strip(&f2s.response.text(), &[&fv2]);
        let t2_sim = similarity(&base, &t2t);
        let f2_differs = similarity(&base, &f2t) <= t2_sim - margin
            || f2s.response.status != t2s.response.status;
        // Both false pages look alike (the same "nothing found"), unlike the original.
        if t2_sim >= hi && f2_differs && similarity(&ft, &f2t) > similarity(&base, &f2t) {
            ctx.report_point(r, Some(p), Hit {
                module: KEY,
                attack_id: "SQLI_02",
                value: &fv,
                proof: format!("true conditions {tv:?} and {tv2:?} return the original page; false conditions {fv:?} and {fv2:?} do not"),
                proof_description: "two independent true/false condition pairs change the page as a database would",
                confidence: Confidence::Firm,
                original: Some(orig),
                attack: Some(&f),
            })
            .await;
            return Ok(true);
        }
    }
    Ok(false)
}

/// Sleep payloads for a delay of `d` seconds (`2`, `0.25`). Uncorrelated subqueries come
/// first: they run once per statement whatever the number of rows; the per-row forms after
/// them are scaled down by [`super::common::timed`] when they multiply.
/// OR condition pairs per context: (true, false).
fn or_pairs(p: &InsertionPoint, a: u64, b: u64) -> Vec<(String, String)> {
    let numeric = !p.original.is_empty() && p.original.chars().all(|c| c.is_ascii_digit());
    let mut v = Vec::new();
    if numeric {
        v.push((format!(" OR {a}={a}"), format!(" OR {a}={b}")));
    }
    v.push((format!("' OR '{a}'='{a}"), format!("' OR '{a}'='{b}")));
    v.push((format!("' OR {a}={a}-- -"), format!("' OR {a}={b}-- -")));
    v.push((format!("\" OR \"{a}\"=\"{a}"), format!("\" OR \"{a}\"=\"{b}")));
    v
}

/// Boolean pairs for inputs whose original value matches no row, where AND pairs give the
/// same empty page twice: a false `OR` keeps the original page, a true `OR` matches every row
/// and changes it, with a second independent pair agreeing. Only for GET requests: a true
/// `OR` in a statement that writes would touch every row.
async fn or_based(
    ctx: &Ctx,
    r: &Resource,
    orig: &Sent,
    p: &InsertionPoint,
) -> Result<bool, SendError> {
    if r.method != "GET" {
        return Ok(false);
    }
    let again = ctx.send(orig.request.clone()).await?;
    let base = orig.response.text();
    let stable = similarity(&base, &again.response.text());
    if stable < 0.95 {
        return Ok(false);
    }
    let hi = stable.min(0.98);
    let margin = (3.0 * (1.0 - stable)).max(0.02);
    let base: &str = &base;
    let (a1, b1) = (super::common::num(100, 999), super::common::num(100, 999));
    let (a2, b2) = (super::common::num(1000, 9999), super::common::num(1000, 9999));
    if a1 == b1 || a2 == b2 {
        return Ok(false);
    }
    // (true page, false page) of one pair: the false one is the original page, the true
    // one clearly is not.
    let pair = |t: String, f: String| async move {
        let (tv, fv) = (after(p, &t), after(p, &f));
        let fs = inject(ctx, r, p, &fv).await?;
        let ft = strip(&fs.response.text(), &[&fv]);
        if fs.response.status != orig.response.status || similarity(base, &ft) < hi {
            return Ok::<_, SendError>(None);
        }
        let ts = inject(ctx, r, p, &tv).await?;
        let tt = strip(&ts.response.text(), &[&tv]);
        let differs = ts.response.status == orig.response.status
            && similarity(base, &tt) <= similarity(base, &ft) - margin;
        Ok(differs.then_some((tv, tt, ts)))
    };
    for (i, (t1, f1)) in or_pairs(p, a1, b1).into_iter().enumerate() {
        let Some((tv, tt, ts)) = pair(t1, f1).await? else {
            continue;
        };
        let (t2, f2) = or_pairs(p, a2, b2).swap_remove(i);
        let Some((tv2, tt2, _)) = pair(t2, f2).await? else {
            continue;
        };
        // Both true pages are the same "every row" page, unlike the original.
        if similarity(&tt, &tt2) > similarity(base, &tt2) {
            ctx.report_point(r, Some(p), Hit {
                module: KEY,
                attack_id: "SQLI_02",
                value: &tv,
                proof: format!("false conditions return the original page; true conditions {tv:?} and {tv2:?} return another, the same twice"),
                proof_description: "two independent OR true/false condition pairs change the page as a database would (the original value matches no row)",
                confidence: Confidence::Firm,
                original: Some(orig),
                attack: Some(&ts),
            })
            .await;
            return Ok(true);
        }
    }
    Ok(false)
}

fn sleepers(p: &InsertionPoint, d: f64) -> Vec<String> {
    let d = super::common::secs(d);
    let numeric = !p.original.is_empty() && p.original.chars().all(|c| c.is_ascii_digit());
    let mut v = Vec::new();
    if numeric {
        v.push(format!(" OR (SELECT SLEEP({d}))=1"));
        v.push(format!(" AND 1=(SELECT 1 FROM PG_SLEEP({d}))"));
        v.push(format!(";WAITFOR DELAY '0:0:{d}'--"));
        v.push(format!(" AND SLEEP({d})"));
    }
    v.push(format!("' OR (SELECT SLEEP({d}))=1 OR 'a'='b"));
    v.push(format!("' AND 1=(SELECT 1 FROM PG_SLEEP({d}))-- -"));
    v.push(format!("';WAITFOR DELAY '0:0:{d}'-- -"));
    v.push(format!("' AND SLEEP({d})-- -"));
    v.push(format!("' AND 1=DBMS_PIPE.RECEIVE_MESSAGE('r',{d})-- -"));
    v
}

async fn time_based(
    ctx: &Ctx,
    r: &Resource,
    orig: &Sent,
    p: &InsertionPoint,
) -> Result<bool, SendError> {
    for i in 0..sleepers(p, 1.0).len() {
        let build = |d: f64| after(p, &sleepers(p, d)[i]);
        let Some(t) = super::common::timed(ctx, r, p, true, build).await? else {
            continue;
        };
        ctx.report_point(
            r,
            Some(p),
            Hit {
                module: KEY,
                attack_id: "SQLI_03",
                value: &t.value,
                proof: t.proof,
                proof_description:
                    "the response time follows the requested database sleep, linearly",
                confidence: Confidence::Firm,
                original: Some(orig),
                attack: Some(&t.sent),
            },
        )
        .await;
        return Ok(true);
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::db_error;

    #[test]
    fn error_signatures() {
        let table: &[(&str, &str, Option<&str>)] = &[
            ("mysql", "<b>Warning</b>: You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near ''1''' at line 1", Some("MySQL/MariaDB")),
            ("mysqli warning", "Warning: mysqli_fetch_assoc() expects parameter 1 to be mysqli_result, bool given in /var/www/item.php on line 9", Some("MySQL/MariaDB")),
            ("mariadb unknown column", "Unknown column 'abc' in 'where clause'", Some("MySQL/MariaDB")),
            ("postgresql", "ERROR:  unterminated quoted string at or near \"'\"\nLINE 1: SELECT * FROM items WHERE id = '1''", Some("PostgreSQL")),
            ("postgresql jdbc", "org.postgresql.util.PSQLException: ERROR: syntax error at or near \"'\"", Some("PostgreSQL")),
            ("postgresql integer", "ERROR: invalid input syntax for type integer: \"1'\"", Some("PostgreSQL")),
            ("sqlite python", "sqlite3.OperationalError: unrecognized token: \"'1''\"", Some("SQLite")),
            ("sqlite near", "Error: near \"'\": syntax error", Some("SQLite")),
            ("mssql", "Microsoft OLE DB Provider for SQL Server error '80040e14' Unclosed quotation mark after the character string '1''.", Some("Microsoft SQL Server")),
            ("mssql .net", "System.Data.SqlClient.SqlException (0x80131904): Incorrect syntax near '1'.", Some("Microsoft SQL Server")),
            ("java is not sql server", "java.sql.SQLException: Incorrect syntax in statement", Some("Java JDBC")),
            ("oracle", "ORA-01756: quoted string not properly terminated", Some("Oracle")),
            ("html-escaped error", "You have an error in your SQL syntax near &#39;1&#39;&#39;", Some("MySQL/MariaDB")),
            ("normal page mentioning SQL", "<h1>Learn SQL</h1><p>SQL syntax basics: SELECT, INSERT and errors you may see.</p>", None),
            ("product page", "<p>Oracle Database 19c book, MySQL cookbook, PostgreSQL tips.</p>", None),
            ("no results", "<p>No items match '1''.</p>", None),
        ];
        for (name, text, want) in table {
            assert_eq!(db_error(text).map(|(d, _)| d), *want, "{name}");
        }
    }

    #[test]
    fn numeric_points_get_numeric_pairs() {
        let mut p = crate::target::InsertionPoint::for_test("id", "42");
        assert_eq!(super::pairs(&p, 1, 2)[0].0, " AND 1=1");
        assert!(super::sleepers(&p, 3.0)
            .iter()
            .any(|s| s.contains("SLEEP(3)")));
        assert!(super::sleepers(&p, 0.25)
            .iter()
            .any(|s| s.contains("SLEEP(0.25)")));
        p.original = "abc".into();
        assert!(super::pairs(&p, 1, 2)[0].0.starts_with('\''));
    }
}
