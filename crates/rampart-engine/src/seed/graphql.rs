//! GraphQL schemas (SDL or an introspection result) turned into one query per Query field and
//! one mutation per Mutation field, with arguments passed as variables.

use crate::target::{Body, Resource};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use url::Url;

/// Selections and input objects are expanded this deep, no further.
const MAX_DEPTH: usize = 3;

/// Input values one operation's variables may expand (wide input objects).
const NODE_BUDGET: usize = 2_000;

#[derive(Clone, Debug)]
enum TypeRef {
    Named(String),
    List(Box<TypeRef>),
    NonNull(Box<TypeRef>),
}

impl TypeRef {
    fn named(&self) -> &str {
        match self {
            TypeRef::Named(n) => n,
            TypeRef::List(t) | TypeRef::NonNull(t) => t.named(),
        }
    }

    /// The type as written in a variable definition (`[String!]!`).
    fn sdl(&self) -> String {
        match self {
            TypeRef::Named(n) => n.clone(),
            TypeRef::List(t) => format!("[{}]", t.sdl()),
            TypeRef::NonNull(t) => format!("{}!", t.sdl()),
        }
    }
}

#[derive(Clone, Debug)]
struct InputValue {
    name: String,
    ty: TypeRef,
}

#[derive(Clone, Debug)]
struct Field {
    name: String,
    args: Vec<InputValue>,
    ty: TypeRef,
}

#[derive(Clone, Debug)]
enum TypeDef {
    Object(Vec<Field>),
    Input(Vec<InputValue>),
    Enum(Vec<String>),
    Union,
    Scalar,
}

/// The parts of a schema operations are generated from.
#[derive(Debug, Default)]
struct Schema {
    query: Option<String>,
    mutation: Option<String>,
    types: HashMap<String, TypeDef>,
    budget: std::cell::Cell<usize>,
}

/// Parses SDL, or an introspection result (`{"data": {"__schema": …}}` or `{"__schema": …}`).
fn parse(text: &str) -> Result<Schema, String> {
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        let s = v
            .pointer("/data/__schema")
            .or_else(|| v.get("__schema"))
            .ok_or("JSON without `__schema`: not an introspection result")?;
        return Ok(from_introspection(s));
    }
    let doc = graphql_parser::parse_schema::<String>(text).map_err(|e| e.to_string())?;
    Ok(from_sdl(doc))
}

fn from_sdl(doc: graphql_parser::schema::Document<'_, String>) -> Schema {
    use graphql_parser::schema::{Definition as D, Type, TypeDefinition as T, TypeExtension as X};
    fn ty(t: &Type<'_, String>) -> TypeRef {
        match t {
            Type::NamedType(n) => TypeRef::Named(n.clone()),
            Type::ListType(t) => TypeRef::List(Box::new(ty(t))),
            Type::NonNullType(t) => TypeRef::NonNull(Box::new(ty(t))),
        }
    }
    let input = |v: &graphql_parser::schema::InputValue<'_, String>| InputValue {
        name: v.name.clone(),
        ty: ty(&v.value_type),
    };
    let field = |f: &graphql_parser::schema::Field<'_, String>| Field {
        name: f.name.clone(),
        args: f.arguments.iter().map(input).collect(),
        ty: ty(&f.field_type),
    };
    let mut s = Schema::default();
    for d in &doc.definitions {
        match d {
            D::SchemaDefinition(sd) => {
                s.query = sd.query.clone();
                s.mutation = sd.mutation.clone();
            }
            D::TypeDefinition(t) => {
                let (name, def) = match t {
                    T::Object(o) => (
                        &o.name,
                        TypeDef::Object(o.fields.iter().map(field).collect()),
                    ),
                    T::Interface(o) => (
                        &o.name,
                        TypeDef::Object(o.fields.iter().map(field).collect()),
                    ),
                    T::InputObject(o) => (
                        &o.name,
                        TypeDef::Input(o.fields.iter().map(input).collect()),
                    ),
                    T::Enum(e) => (
                        &e.name,
                        TypeDef::Enum(e.values.iter().map(|v| v.name.clone()).collect()),
                    ),
                    T::Union(u) => (&u.name, TypeDef::Union),
                    T::Scalar(sc) => (&sc.name, TypeDef::Scalar),
                };
                s.types.insert(name.clone(), def);
            }
            D::TypeExtension(X::Object(o)) => {
                if let Some(TypeDef::Object(fields)) = s.types.get_mut(&o.name) {
                    fields.extend(o.fields.iter().map(field));
                } else {
                    s.types.insert(
                        o.name.clone(),
                        TypeDef::Object(o.fields.iter().map(field).collect()),
                    );
                }
            }
            _ => {}
        }
    }
    s.query = s
        .query
        .or_else(|| s.types.contains_key("Query").then(|| "Query".into()));
    s.mutation = s
        .mutation
        .or_else(|| s.types.contains_key("Mutation").then(|| "Mutation".into()));
    s
}

fn from_introspection(v: &Value) -> Schema {
    fn ty(v: &Value) -> TypeRef {
        let of = || Box::new(ty(v.get("ofType").unwrap_or(&Value::Null)));
        match v.get("kind").and_then(Value::as_str) {
            Some("NON_NULL") => TypeRef::NonNull(of()),
            Some("LIST") => TypeRef::List(of()),
            _ => TypeRef::Named(
                v.get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("String")
                    .to_string(),
            ),
        }
    }
    let inputs = |a: Option<&Value>| -> Vec<InputValue> {
        a.and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|i| InputValue {
                name: i.get("name").and_then(Value::as_str).unwrap_or("").into(),
                ty: ty(i.get("type").unwrap_or(&Value::Null)),
            })
            .collect()
    };
    let name_of = |p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_string);
    let mut s = Schema {
        query: name_of("/queryType/name"),
        mutation: name_of("/mutationType/name"),
        types: HashMap::new(),
        budget: Default::default(),
    };
    for t in v
        .get("types")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(name) = t.get("name").and_then(Value::as_str) else {
            continue;
        };
        let def = match t.get("kind").and_then(Value::as_str) {
            Some("OBJECT" | "INTERFACE") => TypeDef::Object(
                t.get("fields")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|f| Field {
                        name: f.get("name").and_then(Value::as_str).unwrap_or("").into(),
                        args: inputs(f.get("args")),
                        ty: ty(f.get("type").unwrap_or(&Value::Null)),
                    })
                    .collect(),
            ),
            Some("INPUT_OBJECT") => TypeDef::Input(inputs(t.get("inputFields"))),
            Some("ENUM") => TypeDef::Enum(
                t.get("enumValues")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|e| e.get("name").and_then(Value::as_str).map(str::to_string))
                    .collect(),
            ),
            Some("UNION") => TypeDef::Union,
            _ => TypeDef::Scalar,
        };
        s.types.insert(name.to_string(), def);
    }
    s
}

impl Schema {
    fn value(&self, t: &TypeRef, name: &str, depth: usize) -> Value {
        if self.budget.get() == 0 {
            return Value::Null;
        }
        self.budget.set(self.budget.get() - 1);
        match t {
            TypeRef::NonNull(t) => self.value(t, name, depth),
            TypeRef::List(t) => Value::Array(vec![self.value(t, name, depth)]),
            TypeRef::Named(n) => match (n.as_str(), self.types.get(n)) {
                ("Int", _) => Value::from(1),
                ("Float", _) => Value::from(1.5),
                ("Boolean", _) => Value::Bool(true),
                ("ID", _) => Value::from("1"),
                (_, Some(TypeDef::Enum(values))) => values
                    .first()
                    .map(|v| Value::from(v.as_str()))
                    .unwrap_or(Value::Null),
                (_, Some(TypeDef::Input(fields))) if depth < MAX_DEPTH => {
                    let mut m = Map::new();
                    for f in fields {
                        m.insert(f.name.clone(), self.value(&f.ty, &f.name, depth + 1));
                    }
                    Value::Object(m)
                }
                (_, Some(TypeDef::Input(_))) => Value::Object(Map::new()),
                _ => Value::from(crate::crawl::html::default_value(name, "text")),
            },
        }
    }

    fn is_leaf(&self, t: &TypeRef) -> bool {
        !matches!(
            self.types.get(t.named()),
            Some(TypeDef::Object(_) | TypeDef::Union)
        )
    }

    /// The selection of a field returning `t`: its scalar and enum fields, nested objects
    /// down to [`MAX_DEPTH`] (cyclic types stop there); `None` for a leaf type.
    fn selection(&self, t: &TypeRef, depth: usize) -> Option<String> {
        match self.types.get(t.named()) {
            Some(TypeDef::Object(fields)) => {
                let mut parts = Vec::new();
                for f in fields
                    .iter()
                    .filter(|f| !f.args.iter().any(|a| matches!(a.ty, TypeRef::NonNull(_))))
                {
                    if self.is_leaf(&f.ty) {
                        parts.push(f.name.clone());
                    } else if depth + 1 < MAX_DEPTH {
                        match self.selection(&f.ty, depth + 1) {
                            Some(sub) if sub != "{ __typename }" => {
                                parts.push(format!("{} {sub}", f.name))
                            }
                            _ => {}
                        }
                    }
                }
                if parts.is_empty() {
                    parts.push("__typename".into());
                }
                Some(format!("{{ {} }}", parts.join(" ")))
            }
            Some(TypeDef::Union) => Some("{ __typename }".into()),
            _ => None,
        }
    }

    /// One request body per field of the root type `root` (`query` or `mutation`).
    fn operations(&self, root: &str, keyword: &str) -> Vec<(String, Value)> {
        let Some(TypeDef::Object(fields)) = self.types.get(root) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for f in fields.iter().filter(|f| !f.name.starts_with("__")) {
            // Variables are named after the field too, so that two operations with an
            // argument of the same name are two different parameters of the endpoint.
            let var = |a: &InputValue| format!("{}_{}", f.name, a.name);
            let defs: Vec<String> = f
                .args
                .iter()
                .map(|a| format!("${}: {}", var(a), a.ty.sdl()))
                .collect();
            let args: Vec<String> = f
                .args
                .iter()
                .map(|a| format!("{}: ${}", a.name, var(a)))
                .collect();
            let mut variables = Map::new();
            self.budget.set(NODE_BUDGET);
            for a in &f.args {
                variables.insert(var(a), self.value(&a.ty, &a.name, 0));
            }
            let mut q = format!("{keyword} {}", f.name);
            if !defs.is_empty() {
                q.push_str(&format!("({})", defs.join(", ")));
            }
            q.push_str(&format!(" {{ {}", f.name));
            if !args.is_empty() {
                q.push_str(&format!("({})", args.join(", ")));
            }
            if let Some(sel) = self.selection(&f.ty, 0) {
                q.push(' ');
                q.push_str(&sel);
            }
            q.push_str(" }");
            out.push((
                f.name.clone(),
                json!({"query": q, "operationName": f.name, "variables": variables}),
            ));
        }
        out
    }
}

/// The schema's queries and mutations as requests to `endpoint`: `POST` JSON
/// `{query, operationName, variables}`, or `GET` with them in the query string.
pub fn resources(text: &str, endpoint: &Url, verb: Option<&str>) -> Result<Vec<Resource>, String> {
    let s = parse(text)?;
    let mut ops = Vec::new();
    if let Some(q) = &s.query {
        ops.extend(s.operations(q, "query"));
    }
    if let Some(m) = &s.mutation {
        ops.extend(s.operations(m, "mutation"));
    }
    if ops.is_empty() {
        return Err("the schema has no Query or Mutation field".into());
    }
    let get = verb.is_some_and(|v| v.eq_ignore_ascii_case("GET"));
    Ok(ops
        .into_iter()
        .map(|(_, body)| {
            if get {
                let mut url = endpoint.clone();
                {
                    let mut q = url.query_pairs_mut();
                    for k in ["query", "operationName"] {
                        q.append_pair(k, body[k].as_str().unwrap_or(""));
                    }
                    q.append_pair("variables", &body["variables"].to_string());
                }
                Resource::get(url)
            } else {
                Resource {
                    method: "POST".into(),
                    body: Body::Json(body),
                    ..Resource::get(endpoint.clone())
                }
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SDL: &str = r#"
        enum Sort { NAME PRICE }
        input Filter { name: String! max: Int sort: Sort }
        type Product { id: ID! name: String price: Float reviews(first: Int!): [Review] maker: Maker }
        type Maker { name: String }
        type Review { text: String }
        type Query { product(name: String!): [Product] search(filter: Filter): [Product] version: String }
        type Mutation { rate(id: ID!, stars: Int!): Boolean }
    "#;

    fn bodies(text: &str) -> Vec<Value> {
        let ep = Url::parse("http://h/graphql").unwrap();
        resources(text, &ep, None)
            .unwrap()
            .into_iter()
            .map(|r| match r.body {
                Body::Json(v) => v,
                b => panic!("{b:?}"),
            })
            .collect()
    }

    #[test]
    fn every_query_and_mutation_field_becomes_an_operation() {
        let b = bodies(SDL);
        assert_eq!(b.len(), 4);
        assert_eq!(
            b[0]["query"],
            "query product($product_name: String!) { product(name: $product_name) { id name price maker { name } } }"
        );
        assert_eq!(b[0]["variables"], json!({"product_name": "rampart"}));
        assert_eq!(
            b[1]["variables"],
            json!({"search_filter": {"name": "rampart", "max": 1, "sort": "NAME"}})
        );
        assert_eq!(b[2]["query"], "query version { version }");
        assert_eq!(b[3]["operationName"], "rate");
        assert!(b[3]["query"]
            .as_str()
            .unwrap()
            .starts_with("mutation rate($rate_id: ID!, $rate_stars: Int!)"));
        for x in &b {
            graphql_parser::parse_query::<String>(x["query"].as_str().unwrap()).unwrap();
        }
    }

    #[test]
    fn cyclic_types_are_selected_to_a_bounded_depth() {
        let b = bodies(
            "type A { id: ID b: B } type B { name: String a: A } \
             input F { f: F n: Int } type Query { a(f: F): A }",
        );
        assert_eq!(
            b[0]["query"],
            "query a($a_f: F) { a(f: $a_f) { id b { name a { id } } } }"
        );
        assert_eq!(
            b[0]["variables"],
            json!({"a_f": {"f": {"f": {"f": {}, "n": 1}, "n": 1}, "n": 1}})
        );
    }

    #[test]
    fn introspection_results_give_the_same_operations() {
        let named = |n: &str| json!({"kind": "SCALAR", "name": n});
        let nn = |t: Value| json!({"kind": "NON_NULL", "ofType": t});
        let intro = json!({"data": {"__schema": {
        "queryType": {"name": "Query"},
        "types": [
            {"kind": "OBJECT", "name": "Query", "fields": [
                {"name": "product", "args": [{"name": "name", "type": nn(named("String"))}],
                 "type": {"kind": "LIST", "ofType": {"kind": "OBJECT", "name": "Product"}}}]},
            {"kind": "OBJECT", "name": "Product", "fields": [
                {"name": "id", "args": [], "type": nn(named("ID"))}]}
        ]}}});
        let b = bodies(&intro.to_string());
        assert_eq!(b.len(), 1);
        assert_eq!(
            b[0]["query"],
            "query product($product_name: String!) { product(name: $product_name) { id } }"
        );
    }

    #[test]
    fn get_puts_the_operation_in_the_query_string_and_bad_schemas_say_why() {
        let ep = Url::parse("http://h/graphql").unwrap();
        let r = resources("type Query { a: Int }", &ep, Some("GET")).unwrap();
        assert_eq!(r[0].method, "GET");
        assert!(r[0].url.query().unwrap().contains("operationName=a"));
        assert!(resources("type Query {", &ep, None).is_err());
        assert!(resources("{\"x\": 1}", &ep, None)
            .unwrap_err()
            .contains("__schema"));
        assert!(resources("scalar X", &ep, None)
            .unwrap_err()
            .contains("no Query"));
    }
}
