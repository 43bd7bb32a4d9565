//! A recipe's files, from the job to findings: the worker maps definitions, the client
//! certificate and the recorded login onto the engine plan, and the engine uses them.

use crate::fake::FakeSource;
use crate::{config, modules, options, spec, testbed};
use rampart_domain::file::FileType;
use rampart_domain::job::JobOutcome;
use rampart_domain::plan::{RecipeCertificate, RecipeDefinition, RecipeFileContent};
use rampart_domain::scan::FailureReason;
use rampart_engine::plan::{DefinitionKind, LoginScriptKind};
use rampart_worker::{build_plan, PlanSettings, Worker};
use serde_json::json;
use std::time::Duration;

fn file(name: &str, kind: FileType, content: &[u8]) -> RecipeFileContent {
    RecipeFileContent {
        name: name.into(),
        kind,
        content: content.to_vec(),
    }
}

fn definition(name: &str, kind: FileType, content: &str) -> RecipeDefinition {
    RecipeDefinition {
        file: file(name, kind, content.as_bytes()),
        endpoint: None,
        verb: None,
    }
}

/// Options of a scan of the API area only: seeded at `/api/v2/`, scope `/api/v2/*`.
fn api_options(base: &str) -> serde_json::Value {
    rampart_domain::options::overlay(
        &options(base),
        &json!({"crawl_config": {
            "seed_url_list": [{"value": format!("{base}/api/v2/")}],
            "scope_constraint_list": [{"url": format!("{base}/api/v2/*"), "exclusion": "INCLUDE"}]
        }}),
    )
}

#[test]
fn the_recipe_s_files_become_engine_settings() {
    let mut s = spec(api_options("http://127.0.0.1:8080"), modules(&["sqli"]));
    s.recipe.definitions = vec![
        definition("api.yaml", FileType::Swagger, "openapi: 3.0.0"),
        RecipeDefinition {
            endpoint: Some("http://127.0.0.1:8080/graphql".parse().unwrap()),
            verb: Some("GET".into()),
            ..definition("schema.graphql", FileType::Graphql, "type Query { a: Int }")
        },
        definition("session.har", FileType::RecordedTraffic, "{}"),
        definition("service.wsdl", FileType::Wsdl, "<definitions/>"),
    ];
    s.recipe.client_certificate = Some(RecipeCertificate {
        file: file("client.p12", FileType::Certificate, b"p12"),
        password: "pw".into(),
    });
    s.recipe.login_script = Some(file("login.side", FileType::Selenium, b"{}"));
    let built = build_plan(&s, &PlanSettings::default()).unwrap();
    let kinds: Vec<(String, DefinitionKind)> = built
        .plan
        .definitions
        .iter()
        .map(|d| (d.name.clone(), d.kind))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("api.yaml".into(), DefinitionKind::OpenApi),
            ("schema.graphql".into(), DefinitionKind::GraphQl),
            ("session.har".into(), DefinitionKind::Har),
        ]
    );
    let gql = &built.plan.definitions[1];
    assert_eq!(gql.verb.as_deref(), Some("GET"));
    assert_eq!(gql.endpoint.as_ref().unwrap().path(), "/graphql");
    assert!(
        built
            .notes
            .iter()
            .any(|n| n == "file service.wsdl of type WSDL cannot seed a scan: skipped"),
        "{:?}",
        built.notes
    );
    let cert = built.plan.client_certificate.as_ref().unwrap();
    assert_eq!(
        (cert.name.as_str(), cert.password.as_str()),
        ("client.p12", "pw")
    );
    assert!(
        !format!("{cert:?}").contains("pw\""),
        "the password is never printed"
    );
    let login = built.plan.login_script.as_ref().unwrap();
    assert_eq!(login.kind, LoginScriptKind::Selenium);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_with_an_openapi_file_reports_the_api_area_it_seeds() {
    let tb = testbed().await;
    let base = tb.base_url().trim_end_matches('/').to_string();
    let run = |with_file: bool| {
        let base = base.clone();
        async move {
            let source = FakeSource::new();
            let mut job = spec(api_options(&base), modules(&["sqli", "xss_reflected"]));
            if with_file {
                job.recipe.definitions = vec![definition(
                    "api.yaml",
                    FileType::Swagger,
                    rampart_testbed::definitions::OPENAPI_YAML,
                )];
            }
            source.push(job);
            let worker = Worker::new(config()).spawn(source.clone()).unwrap();
            source
                .wait_for("the job's outcome", Duration::from_secs(120), |st| {
                    st.outcome().is_some()
                })
                .await;
            worker.shutdown();
            worker.join().await;
            source
        }
    };
    let key = |f: &rampart_domain::scan::Finding| {
        rampart_engine::catalogue()
            .iter()
            .find(|m| m.id == f.module)
            .map(|m| m.key)
            .unwrap_or("?")
    };
    let case = |id: &str| tb.manifest().into_iter().find(|c| c.id == id).unwrap();
    for with_file in [true, false] {
        let source = run(with_file).await;
        let st = source.state.lock().unwrap();
        assert_eq!(st.outcome(), Some(JobOutcome::Completed { partial: false }));
        let findings = st.findings();
        let hit = |id: &str| {
            let c = case(id);
            findings
                .iter()
                .any(|f| c.matches(key(f), &f.root_cause.url, f.root_cause.parameter.as_deref()))
        };
        assert_eq!(
            hit("sqli-api2-json"),
            with_file,
            "SQL injection iff the file"
        );
        assert_eq!(
            hit("xss-api2-query"),
            with_file,
            "reflected XSS iff the file"
        );
        assert!(
            !hit("sqli-api2-safe") && !hit("xss-api2-safe"),
            "safe twins"
        );
        let events = st.events();
        assert_eq!(
            events.iter().any(|e| e
                .contains("OpenAPI file api.yaml: 4 operations seeded, 0 out of scope skipped")),
            with_file,
            "{events:?}"
        );
    }
    tb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_client_certificate_fails_the_job_as_a_configuration_error() {
    let source = FakeSource::new();
    let mut job = spec(options("http://127.0.0.1:9"), modules(&["sqli"]));
    job.recipe.client_certificate = Some(RecipeCertificate {
        file: file("client.p12", FileType::Certificate, b"not pkcs12"),
        password: "pw".into(),
    });
    source.push(job);
    let worker = Worker::new(config()).spawn(source.clone()).unwrap();
    source
        .wait_for("the job's outcome", Duration::from_secs(30), |st| {
            st.outcome().is_some()
        })
        .await;
    worker.shutdown();
    worker.join().await;
    let st = source.state.lock().unwrap();
    let Some(JobOutcome::Failed { reason, message }) = st.outcome() else {
        panic!("failed: {:?}", st.outcome());
    };
    assert_eq!(reason, FailureReason::ConfigurationInvalid);
    assert!(
        message.contains("client certificate file client.p12: cannot be opened"),
        "{message}"
    );
    assert!(
        st.events()
            .iter()
            .any(|e| e.starts_with("ERROR: the scan cannot start") && e.contains("client.p12")),
        "{:?}",
        st.events()
    );
}
