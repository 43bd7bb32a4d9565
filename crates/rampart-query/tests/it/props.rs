//! Property tests: print/parse round trips, and the parser never panics or slows down.

use proptest::prelude::*;
use rampart_query::parser::parse;
use rampart_query::syntax::{CmpOp, Expr, Literal, Predicate, Spanned, Test, TextOp};
use rampart_query::{parse_query, ResourceType};
use std::time::{Duration, Instant};

fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("app.name".to_owned()),
        Just("vulnerability.vulnerabilityScore".to_owned()),
        "[a-z_][a-z0-9_]{0,6}(\\.[a-z_][a-zA-Z0-9_]{0,6}){0,3}",
    ]
    .prop_filter("not a keyword", |f| !matches!(f.as_str(), "true" | "false"))
}

fn literal() -> impl Strategy<Value = Spanned<Literal>> {
    prop_oneof![
        any::<String>().prop_map(|s| Literal {
            text: s,
            bare: false
        }),
        "['a-zA-Z0-9 |&()=]{0,12}".prop_map(|s| Literal {
            text: s,
            bare: false
        }),
        "-?[0-9]{1,5}(\\.[0-9]{1,3})?".prop_map(|s| Literal {
            text: s,
            bare: true
        }),
        prop_oneof![Just("true"), Just("false")].prop_map(|s| Literal {
            text: s.into(),
            bare: true
        }),
    ]
    .prop_map(|l| Spanned::new(l, 0))
}

fn test() -> impl Strategy<Value = Test> {
    let cmp = prop_oneof![
        Just(CmpOp::Eq),
        Just(CmpOp::Ne),
        Just(CmpOp::Gt),
        Just(CmpOp::Ge),
        Just(CmpOp::Lt),
        Just(CmpOp::Le)
    ];
    let text = prop_oneof![
        Just(TextOp::Contains),
        Just(TextOp::StartsWith),
        Just(TextOp::EndsWith)
    ];
    prop_oneof![
        (cmp, literal()).prop_map(|(op, v)| Test::Cmp(op, v)),
        (text, literal()).prop_map(|(op, v)| Test::Text(op, v)),
        literal().prop_map(Test::Like),
        (literal(), literal()).prop_map(|(a, b)| Test::Between(a, b)),
        Just(Test::IsNull),
        Just(Test::IsNotNull),
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = (field(), test()).prop_map(|(f, t)| {
        Expr::Pred(Predicate {
            field: Spanned::new(f, 0),
            test: t,
        })
    });
    leaf.prop_recursive(6, 64, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..5).prop_map(Expr::And),
            prop::collection::vec(inner, 2..5).prop_map(Expr::Or),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn print_then_parse_is_identity(e in expr()) {
        let text = e.to_string();
        let back = parse(&text);
        prop_assert!(back.is_ok(), "{text:?} does not parse: {:?}", back.err());
        prop_assert_eq!(back.ok(), Some(e), "{}", text);
    }

    #[test]
    fn arbitrary_text_never_panics(s in any::<String>()) {
        let _ = parse_query(ResourceType::Vulnerability, &s);
    }

    #[test]
    fn query_shaped_text_never_panics(s in "[a-z.()'&|=!<> ]{0,200}|[A-Z ]{0,50}") {
        let _ = parse_query(ResourceType::App, &s);
    }

    #[test]
    fn deep_and_wide_nesting_stays_fast(depth in 0usize..20_000, width in 1usize..2_000) {
        let started = Instant::now();
        let open = "(".repeat(depth);
        let close = ")".repeat(depth);
        let body = vec!["app.name='x'"; width].join("&&");
        let _ = parse_query(ResourceType::App, &format!("{open}{body}{close}"));
        let _ = parse_query(ResourceType::App, &format!("{open}{open}"));
        prop_assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    }
}
