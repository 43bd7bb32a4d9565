//! The files that describe the API area no link leads to (`/api/v2/*`, `/graphql`): tests
//! and benchmarks give them to a scan; the testbed never serves them.

/// OpenAPI 3.0 (YAML) of `/api/v2`; its server URL is relative, so it resolves against the
/// scan's seed or the definition's endpoint.
pub const OPENAPI_YAML: &str = r#"openapi: 3.0.3
info:
  title: Acme Outdoor API
  version: 2.0.0
servers:
  - url: /api/v2
paths:
  /orders/search:
    post:
      operationId: searchOrders
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/CustomerQuery'
      responses:
        '200': { description: matching orders }
  /invoices/search:
    post:
      operationId: searchInvoices
      requestBody:
        required: true
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/CustomerQuery'
      responses:
        '200': { description: matching invoices }
  /preview:
    get:
      operationId: previewTitle
      parameters:
        - { name: title, in: query, required: true, schema: { type: string, example: Tents } }
      responses:
        '200': { description: an HTML preview }
  /render:
    get:
      operationId: renderTitle
      parameters:
        - { name: title, in: query, required: true, schema: { type: string, example: Tents } }
      responses:
        '200': { description: an HTML rendering }
components:
  schemas:
    CustomerQuery:
      type: object
      required: [customer]
      properties:
        customer: { type: string, example: alice }
"#;

/// GraphQL SDL of `/graphql`.
pub const GRAPHQL_SDL: &str = r#"
"A product of the catalogue."
type Product { id: ID! name: String price: Int }

type Query {
  "Products by exact name."
  product(name: String!): [Product]
  "Catalogue items by stock-keeping unit."
  catalogItem(sku: String!): [Product]
  version: String
}
"#;

/// A HAR recording of a browser session using `/api/v2` on the testbed at `base` (no
/// trailing slash).
pub fn har(base: &str) -> String {
    let post = |path: &str, body: &str| {
        serde_json::json!({
            "startedDateTime": "2026-12-01T10:00:00.000Z",
            "request": {
                "method": "POST", "url": format!("{base}{path}"), "httpVersion": "HTTP/1.1",
                "headers": [
                    {"name": "Host", "value": base.trim_start_matches("http://")},
                    {"name": "Content-Type", "value": "application/json"},
                    {"name": "Accept", "value": "application/json"},
                    {"name": "Cookie", "value": "visitor=recorded"},
                    {"name": "Connection", "value": "keep-alive"}
                ],
                "queryString": [], "cookies": [],
                "postData": {"mimeType": "application/json", "text": body}
            },
            "response": {"status": 200}
        })
    };
    let get = |path: &str| {
        serde_json::json!({
            "startedDateTime": "2026-12-01T10:00:01.000Z",
            "request": {
                "method": "GET", "url": format!("{base}{path}"), "httpVersion": "HTTP/1.1",
                "headers": [{"name": "Accept", "value": "text/html"}],
                "queryString": [], "cookies": []
            },
            "response": {"status": 200}
        })
    };
    serde_json::json!({"log": {"version": "1.2", "creator": {"name": "browser", "version": "1"},
    "entries": [
        post("/api/v2/orders/search", r#"{"customer":"alice"}"#),
        post("/api/v2/orders/search", r#"{"customer":"alice"}"#),
        post("/api/v2/invoices/search", r#"{"customer":"alice"}"#),
        get("/api/v2/preview?title=Tents"),
        get("/api/v2/render?title=Tents"),
    ]}})
    .to_string()
}
