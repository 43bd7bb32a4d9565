//! `/graphql`: a GraphQL endpoint (described only by [`crate::definitions::GRAPHQL_SDL`])
//! with a resolver that concatenates its argument into SQL and one that binds it.

use crate::db::query;
use crate::state::Shared;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use graphql_parser::query::{Definition, OperationDefinition, Selection, Value as Gv};
use serde_json::{json, Map, Value};

pub(crate) fn routes() -> Router<Shared> {
    Router::new().route("/graphql", get(via_get).post(via_post))
}

fn errors(message: impl Into<String>) -> Response {
    Json(json!({ "data": null, "errors": [{ "message": message.into() }] })).into_response()
}

/// An argument's value: a literal, or the named variable.
fn argument(v: &Gv<'_, String>, vars: &Map<String, Value>) -> Option<String> {
    match v {
        Gv::Variable(n) => vars.get(n).map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }),
        Gv::String(s) => Some(s.clone()),
        Gv::Int(n) => n.as_i64().map(|n| n.to_string()),
        Gv::Enum(e) => Some(e.clone()),
        _ => None,
    }
}

async fn execute(st: Shared, doc: &str, vars: Map<String, Value>) -> Response {
    let parsed = match graphql_parser::parse_query::<String>(doc) {
        Ok(d) => d,
        Err(e) => return errors(format!("Syntax Error: {e}")),
    };
    let set = parsed.definitions.iter().find_map(|d| match d {
        Definition::Operation(OperationDefinition::Query(q)) => Some(&q.selection_set),
        Definition::Operation(OperationDefinition::Mutation(m)) => Some(&m.selection_set),
        Definition::Operation(OperationDefinition::SelectionSet(s)) => Some(s),
        _ => None,
    });
    let Some(Selection::Field(field)) = set.and_then(|s| s.items.first()) else {
        return errors("no operation");
    };
    let arg = |name: &str| {
        field
            .arguments
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| argument(v, &vars))
    };
    let res = match field.name.as_str() {
        "version" => return Json(json!({ "data": { "version": "2.3.1" } })).into_response(),
        "product" => {
            let Some(name) = arg("name") else {
                return errors("Argument \"name\" of required type \"String!\" was not provided.");
            };
            if st.vulnerable("sqli-graphql") {
                query(
                    format!("SELECT id, name, price FROM products WHERE name = '{name}'"),
                    vec![],
                )
                .await
            } else {
                query(
                    "SELECT id, name, price FROM products WHERE name = ?1".into(),
                    vec![name],
                )
                .await
            }
        }
        "catalogItem" => {
            let Some(sku) = arg("sku") else {
                return errors("Argument \"sku\" of required type \"String!\" was not provided.");
            };
            query(
                "SELECT id, name, price FROM products WHERE name = ?1".into(),
                vec![sku],
            )
            .await
        }
        other => return errors(format!("Cannot query field \"{other}\" on type \"Query\".")),
    };
    match res {
        Ok(rows) => {
            let items: Vec<Value> = rows
                .iter()
                .map(|r| json!({ "id": r[0], "name": r[1], "price": r[2] }))
                .collect();
            Json(json!({ "data": { field.name.clone(): items } })).into_response()
        }
        Err(e) => errors(format!("SQLITE_ERROR: {}", e.0)),
    }
}

async fn via_post(State(st): State<Shared>, body: Bytes) -> Response {
    let Ok(v) = serde_json::from_slice::<Value>(&body) else {
        return errors("the body must be JSON: {\"query\": …, \"variables\": …}");
    };
    let doc = v.get("query").and_then(Value::as_str).unwrap_or("");
    let vars = v
        .get("variables")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    execute(st, doc, vars).await
}

async fn via_get(State(st): State<Shared>, Query(q): Query<super::Params>) -> Response {
    let vars = q
        .get("variables")
        .and_then(|v| serde_json::from_str::<Map<String, Value>>(v).ok())
        .unwrap_or_default();
    execute(st, q.get("query").map_or("", String::as_str), vars).await
}
