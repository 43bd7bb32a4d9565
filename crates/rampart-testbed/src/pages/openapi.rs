//! `/openapi.json`: an OpenAPI 3.0 description of the JSON API.

use crate::state::Shared;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

fn body(props: Value, example: Value) -> Value {
    json!({ "required": true, "content": { "application/json": {
        "schema": { "type": "object", "properties": props }, "example": example } } })
}

fn ok(desc: &str) -> Value {
    json!({ "200": { "description": desc } })
}

pub(crate) async fn spec(State(st): State<Shared>) -> Json<Value> {
    let s = |t: &str| json!({ "type": t });
    Json(json!({
        "openapi": "3.0.3",
        "info": { "title": "Acme Outdoor API", "version": "1.4.2" },
        "servers": [{ "url": st.base() }],
        "paths": {
            "/api/v1/products/{id}": { "get": {
                "summary": "Get a product", "operationId": "getProduct",
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": s("integer"), "example": 1 }],
                "responses": ok("the product") } },
            "/api/v1/products/search": { "get": {
                "summary": "Search products", "operationId": "searchProducts",
                "parameters": [{ "name": "name", "in": "query", "required": true, "schema": s("string"), "example": "tent" }],
                "responses": ok("matching products") } },
            "/api/v1/users/search": { "post": {
                "summary": "Find users by name", "operationId": "searchUsers",
                "requestBody": body(json!({ "name": s("string") }), json!({ "name": "alice" })),
                "responses": ok("matching users") } },
            "/api/v1/calc": { "post": {
                "summary": "Evaluate a price expression", "operationId": "calc",
                "requestBody": body(json!({ "expression": s("string") }), json!({ "expression": "19*3" })),
                "responses": ok("the result") } },
            "/api/v1/webhooks": { "post": {
                "summary": "Register an order webhook", "operationId": "registerWebhook",
                "requestBody": body(json!({ "callback_url": s("string") }), json!({ "callback_url": "https://hooks.example.com/orders" })),
                "responses": { "202": { "description": "registered" } } } },
            "/api/v1/profile": { "get": {
                "summary": "Current visitor's profile", "operationId": "getProfile", "responses": ok("the profile") } },
            "/api/v1/public/stats": { "get": {
                "summary": "Public shop statistics", "operationId": "getStats", "responses": ok("statistics") } },
            "/api/v1/cart": { "get": {
                "summary": "The visitor's basket", "operationId": "getCart", "responses": ok("the basket") } },
            "/api/v1/wishlist": { "get": {
                "summary": "The visitor's wishlist", "operationId": "getWishlist", "responses": ok("the wishlist") } }
        }
    }))
}
