//! `/modules`: the catalogue, attacks, documentation.

use crate::snap;
use rampart_testkit::{sample_catalogue, TestApp};

#[tokio::test]
async fn modules_list_and_item() {
    let app = TestApp::spawn().await;
    let list = app
        .ro()
        .get("/ias/v1/modules")
        .send()
        .await
        .status(200)
        .json();
    snap!("module_list", list);
    let sqli = sample_catalogue()[0].id.0;
    let item = app
        .ro()
        .get(&format!("/ias/v1/modules/{sqli}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(
        item["id"],
        sqli.to_string(),
        "module ids are the contract's stable v5 ids"
    );
    snap!("module_item", item);
    app.ro()
        .get(&format!("/ias/v1/modules/{}", uuid::Uuid::new_v4()))
        .send()
        .await
        .status(404)
        .error_body();
}

#[tokio::test]
async fn attacks_and_documentation_with_percent_decoded_ids() {
    let app = TestApp::spawn().await;
    let sqli = sample_catalogue()[0].id.0;
    let a = app
        .ro()
        .get(&format!("/ias/v1/modules/{sqli}/attacks/SQLI_01"))
        .send()
        .await
        .status(200)
        .json();
    snap!("module_attack", a);
    let doc = app
        .ro()
        .get(&format!(
            "/ias/v1/modules/{sqli}/attacks/SQLI_01/documentation"
        ))
        .send()
        .await
        .status(200)
        .json();
    assert!(
        doc["references"]
            .as_object()
            .unwrap()
            .keys()
            .all(|k| k.split('-').next() == Some("CWE")),
        "keys like CWE-89"
    );
    snap!("module_attack_documentation", doc);
    // An attack id with spaces arrives percent-encoded.
    let a = app
        .ro()
        .get(&format!(
            "/ias/v1/modules/{sqli}/attacks/SQLI%20BOOLEAN%2002"
        ))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(a["id"], "SQLI BOOLEAN 02");
    app.ro()
        .get(&format!("/ias/v1/modules/{sqli}/attacks/NOPE"))
        .send()
        .await
        .status(404);
    app.ro()
        .get("/ias/v1/modules/not-a-uuid/attacks/SQLI_01")
        .send()
        .await
        .status(404);
    app.ro()
        .get(&format!(
            "/ias/v1/modules/{}/attacks/SQLI_01/documentation",
            uuid::Uuid::new_v4()
        ))
        .send()
        .await
        .status(404);
}

#[tokio::test]
async fn the_engine_catalogue_is_served_as_is() {
    let app = TestApp::builder()
        .engine_catalogue()
        .spawn()
        .await
        .expect("SQLite starts");
    let engine = rampart_testkit::engine_catalogue();
    let list = app
        .ro()
        .get("/ias/v1/modules")
        .send()
        .await
        .status(200)
        .json();
    let ids: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect();
    let want: Vec<String> = engine.iter().map(|m| m.id.to_string()).collect();
    assert_eq!(ids, want);
    for m in engine {
        let ns = uuid::Uuid::parse_str("6f9a3b7e-2c41-4d0a-9e55-3a1d7c0b8e21").unwrap();
        assert_eq!(
            m.id.0,
            uuid::Uuid::new_v5(&ns, m.key.as_bytes()),
            "module {} id is not the stable v5 id",
            m.key
        );
    }
    let configs = app
        .ro()
        .get("/ias/v1/attack-templates/module-configs")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(configs.as_array().unwrap().len(), engine.len());
}

/// ThreadFix's `MapAttackDocumentation` (reference §6.6): splits each reference key on
/// `-`; a first part `CWE` makes the rest the CWE number it sends on. Every module of the
/// engine, every attack: the CWE keys parse as numbers, the module's own CWE is there,
/// and the description and recommendation are set.
#[tokio::test]
async fn attack_documentation_reads_as_threadfix_parses_it() {
    let app = TestApp::builder()
        .engine_catalogue()
        .spawn()
        .await
        .expect("SQLite starts");
    for m in rampart_testkit::engine_catalogue() {
        for a in m.attacks {
            let doc = app
                .ro()
                .get(&format!(
                    "/ias/v1/modules/{}/attacks/{}/documentation",
                    m.id,
                    a.id.replace(' ', "%20")
                ))
                .send()
                .await
                .status(200)
                .json();
            let refs = doc["references"].as_object().unwrap();
            let mut cwes = Vec::new();
            for (key, url) in refs {
                let mut parts = key.splitn(2, '-');
                if parts.next() == Some("CWE") {
                    let n = parts.next().unwrap_or_default();
                    let n: u32 = n.parse().unwrap_or_else(|_| {
                        panic!("{} {}: ThreadFix would send '{n}' as the CWE", m.key, a.id)
                    });
                    cwes.push(n);
                }
                assert!(url.as_str().unwrap().starts_with("https://"), "{key}");
            }
            assert!(
                m.cwe == 0 || cwes.contains(&m.cwe),
                "{}: no CWE-{} reference in {refs:?}",
                m.key,
                m.cwe
            );
            assert!(!doc["description"].as_str().unwrap().trim().is_empty());
            assert!(!doc["recommendation"].as_str().unwrap().trim().is_empty());
        }
    }
}
