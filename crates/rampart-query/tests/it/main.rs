//! Integration tests of rampart-query: parsing, typing, round trips and execution on real
//! SQLite and PostgreSQL databases.

mod db;
mod exec;
mod fixture;
mod parse;
mod props;
mod sort;
mod sql;
