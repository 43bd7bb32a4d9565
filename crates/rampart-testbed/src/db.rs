//! The shop's SQLite database: a fresh in-memory copy per query, with `sleep()` emulated.
//!
//! A fresh connection per query keeps injected `sleep` calls from blocking other requests and
//! keeps attacks from changing what later requests see.

use rusqlite::functions::FunctionFlags;
use rusqlite::types::ValueRef;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

const SCHEMA: &str = "
CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT, description TEXT, price INTEGER);
INSERT INTO products VALUES (1,'Trail Tent 3000','Three-person tent, 2.1 kg',199),
 (2,'Camp Lamp','Rechargeable LED lamp',25),(3,'Hiking Boots','Waterproof leather boots',129),
 (4,'Sleeping Bag','Comfort down to -5 C',89),(5,'Tent Pegs (10)','Aluminium pegs',9);
CREATE TABLE news (id INTEGER PRIMARY KEY, title TEXT, body TEXT);
INSERT INTO news VALUES (1,'Summer sale','All tents 20% off until August. Pitch early, sleep well.'),
 (2,'New store in Leeds','Visit our new store on Briggate, open every day from 9 am.'),
 (3,'Boot care guide','Clean, dry, wax: three steps to boots that last a decade.');
CREATE TABLE orders (id INTEGER PRIMARY KEY, username TEXT, status TEXT, item TEXT, total INTEGER);
INSERT INTO orders VALUES (1001,'alice','shipped','Trail Tent 3000',199),
 (1002,'alice','pending','Camp Lamp',25),(1003,'bob','shipped','Hiking Boots',129),
 (1004,'alice','delivered','Tent Pegs (10)',9);
CREATE TABLE parcels (code TEXT PRIMARY KEY, status TEXT);
INSERT INTO parcels VALUES ('AC1001','in transit'),('AC1002','delivered');
CREATE TABLE i18n (lang TEXT PRIMARY KEY, greeting TEXT);
INSERT INTO i18n VALUES ('en','Welcome back, explorer!'),('fr','Bon retour, explorateur !'),
 ('de','Willkommen zurück!');
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, email TEXT, role TEXT);
INSERT INTO users VALUES (1,'alice','alice@acme.test','customer'),(2,'bob','bob@acme.test','customer'),
 (3,'admin','admin@acme.test','admin');
";

/// Rows as text, at most this many.
const MAX_ROWS: usize = 100;

/// Database error text, as the driver reports it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct DbError(pub String);

fn open() -> rusqlite::Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open_in_memory()?;
    conn.execute_batch(SCHEMA)?;
    // Millisecond budget shared by every sleep() of this query.
    let budget = Arc::new(AtomicU64::new(crate::emu::MAX_DELAY.as_millis() as u64));
    for name in ["sleep", "pg_sleep"] {
        let budget = Arc::clone(&budget);
        conn.create_scalar_function(name, 1, FunctionFlags::SQLITE_UTF8, move |ctx| {
            let secs: f64 = ctx.get::<f64>(0).unwrap_or(0.0);
            let want = crate::emu::capped_delay(secs).as_millis() as u64;
            let left = budget.load(Ordering::Relaxed);
            let take = want.min(left);
            budget.store(left - take, Ordering::Relaxed);
            std::thread::sleep(Duration::from_millis(take));
            Ok(0i64)
        })?;
    }
    Ok(conn)
}

fn text(v: ValueRef<'_>) -> String {
    match v {
        ValueRef::Null => String::new(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(f) => f.to_string(),
        ValueRef::Text(t) | ValueRef::Blob(t) => String::from_utf8_lossy(t).into_owned(),
    }
}

fn run(sql: &str, params: &[String]) -> rusqlite::Result<Vec<Vec<String>>> {
    let conn = open()?;
    let mut stmt = conn.prepare(sql)?;
    let cols = stmt.column_count();
    let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        if out.len() == MAX_ROWS {
            break;
        }
        let mut r = Vec::with_capacity(cols);
        for i in 0..cols {
            r.push(text(row.get_ref(i)?));
        }
        out.push(r);
    }
    Ok(out)
}

/// Runs one query (blocking work off the async runtime).
pub(crate) async fn query(sql: String, params: Vec<String>) -> Result<Vec<Vec<String>>, DbError> {
    tokio::task::spawn_blocking(move || run(&sql, &params))
        .await
        .map_err(|e| DbError(e.to_string()))?
        .map_err(|e| DbError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn concatenation_and_sleep() {
        let rows = query(
            "SELECT name FROM products WHERE id = 1 AND 1=1".into(),
            vec![],
        )
        .await;
        assert_eq!(rows.map(|r| r.len()).ok(), Some(1));
        let err = query("SELECT name FROM products WHERE id = 1'".into(), vec![]).await;
        assert!(err.is_err());
        let t = std::time::Instant::now();
        let _ = query("SELECT 1 WHERE sleep(0.3) = 0".into(), vec![]).await;
        assert!(t.elapsed() >= Duration::from_millis(300));
        let rows = query(
            "SELECT name FROM products WHERE id = ?1".into(),
            vec!["1 AND 1=1".into()],
        )
        .await;
        assert_eq!(rows.map(|r| r.len()).ok(), Some(0));
    }
}
