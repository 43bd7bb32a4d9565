//! AppSec+ connectors over real HTTP on SQLite and PostgreSQL: integration types and
//! their contracts, secrets that are sealed and never read back, a webhook connector's
//! signed test ping (verified by Python's `hmac`) and its recorded outcome, placeholder
//! types that say so, and the engines as agent connectors with heartbeat health.

use crate::webhooks::{python_verifies, until, Receiver};
use rampart_testkit::TestApp;
use serde_json::{json, Value};

async fn connectors(t: &TestApp) {
    let types = t
        .ro()
        .get("/connector-types")
        .send()
        .await
        .status(200)
        .json();
    let names: Vec<&str> = types
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["webhook", "jira", "servicenow"]);
    let jira = t
        .ro()
        .get("/v1/connector-types/jira")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(jira["implemented"], false);
    assert!(jira["fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["name"] == "apiToken" && f["secret"] == true && f["required"] == true));
    t.ro()
        .get("/connector-types/gitlab")
        .send()
        .await
        .status(404);

    // The contract is checked: members, secrets, required ones, URLs.
    for (bad, member) in [
        (
            json!({"name": "j", "type": "jira", "config": {"baseUrl": "https://j.example.test", "projectKey": "SEC"}}),
            "secrets.apiToken",
        ),
        (
            json!({"name": "j", "type": "jira", "config": {"baseUrl": "https://j.example.test", "projectKey": "SEC", "apiToken": "x"}, "secrets": {"apiToken": "x"}}),
            "config.apiToken",
        ),
        (
            json!({"name": "j", "type": "jira", "config": {"baseUrl": "ftp://j", "projectKey": "SEC"}, "secrets": {"apiToken": "x"}}),
            "config.baseUrl",
        ),
        (
            json!({"name": "j", "type": "jira", "config": {"projectKey": "SEC", "color": "red"}, "secrets": {"apiToken": "x"}}),
            "config.color",
        ),
        (json!({"name": "j", "type": "gitlab"}), "type"),
        (json!({"name": "j", "kind": "proxy"}), "kind"),
        (
            json!({"name": "j", "kind": "agent", "type": "jira"}),
            "type",
        ),
        (
            json!({"name": "j", "type": "webhook", "status": "error", "config": {"url": "https://h.example.test"}}),
            "status",
        ),
    ] {
        let p = t
            .admin()
            .post("/connectors")
            .json(&bad)
            .send()
            .await
            .status(422)
            .json();
        let pointer = format!("\"/{}\"", member.replace('.', "/"));
        assert!(p.to_string().contains(&pointer), "{member}: {p}");
    }
    t.ro()
        .post("/connectors")
        .json(&json!({"name": "j", "type": "webhook", "config": {"url": "https://h.example.test"}}))
        .send()
        .await
        .status(403);

    // A Jira placeholder: stored, its token sealed and never returned.
    let token = "jira-token-that-must-never-be-shown";
    let made = t
        .admin()
        .post("/connectors")
        .json(&json!({"name": "tickets", "type": "jira",
            "config": {"baseUrl": "https://jira.example.test", "projectKey": "SEC"},
            "secrets": {"apiToken": token}}))
        .send()
        .await
        .status(201);
    let c = made.json();
    assert!(!c.to_string().contains(token), "{c}");
    assert_eq!(c["kind"], "integration");
    assert_eq!(c["secretFields"], json!(["apiToken"]));
    let jira_id = c["id"].as_str().unwrap().to_string();
    let read = t
        .ro()
        .get(&format!("/connectors/{jira_id}"))
        .send()
        .await
        .status(200)
        .json();
    assert!(!read.to_string().contains(token));
    assert_eq!(read["config"]["projectKey"], "SEC");
    t.admin()
        .post("/connectors")
        .json(&json!({"name": "tickets", "type": "jira",
            "config": {"baseUrl": "https://jira.example.test", "projectKey": "SEC"},
            "secrets": {"apiToken": "x"}}))
        .send()
        .await
        .status(409);
    let tested = t
        .admin()
        .post(&format!("/connectors/{jira_id}/test"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(tested["ok"], false);
    assert!(
        tested["message"].as_str().unwrap().contains("placeholder"),
        "{tested}"
    );
    // An update keeps the secret when none is sent.
    let upd = t
        .admin()
        .put(&format!("/connectors/{jira_id}"))
        .json(&json!({"name": "tickets", "status": "inactive",
            "config": {"baseUrl": "https://jira.example.test", "projectKey": "OPS"}}))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(upd["status"], "inactive");
    assert_eq!(upd["secretFields"], json!(["apiToken"]));
    // … and removing a required secret is refused.
    t.admin()
        .put(&format!("/connectors/{jira_id}"))
        .json(&json!({"name": "tickets", "secrets": {"apiToken": null},
            "config": {"baseUrl": "https://jira.example.test", "projectKey": "OPS"}}))
        .send()
        .await
        .status(422);
    // The database holds no clear secret.
    assert!(
        !t.dump_text().await.contains(token),
        "the token is stored sealed"
    );

    // A webhook connector: its test is a signed ping to the receiver.
    let rx = Receiver::start(0, 500).await;
    let hook = t
        .admin()
        .post("/v1/connectors")
        .json(
            &json!({"name": "ci hook", "type": "webhook", "config": {"url": rx.url},
            "secrets": {"secret": "whsec_connector_test_secret"}}),
        )
        .send()
        .await
        .status(201)
        .json();
    let hook_id = hook["id"].as_str().unwrap().to_string();
    let r = t
        .admin()
        .post(&format!("/connectors/{hook_id}/test"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(
        (r["ok"].as_bool(), r["responseStatus"].as_u64()),
        (Some(true), Some(204)),
        "{r}"
    );
    assert_eq!(r["connector"]["status"], "active");
    assert!(r["connector"]["lastSyncAt"].is_string());
    let pings = until(t, chrono::Duration::zero(), || {
        let g = rx.of("connector.test");
        (!g.is_empty()).then_some(g)
    })
    .await;
    assert!(python_verifies("whsec_connector_test_secret", &pings[0]));
    let ping: Value = serde_json::from_str(&pings[0].body).unwrap();
    assert_eq!(ping["data"]["connectorId"].as_str(), Some(hook_id.as_str()));
    // A receiver that refuses: the connector is in error, with the reason.
    let refusing = Receiver::start(10, 410).await;
    t.admin()
        .put(&format!("/connectors/{hook_id}"))
        .json(&json!({"name": "ci hook", "config": {"url": refusing.url}}))
        .send()
        .await
        .status(200);
    let r = t
        .admin()
        .post(&format!("/connectors/{hook_id}/test"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(r["ok"], false);
    assert_eq!(r["connector"]["status"], "error");
    assert_eq!(
        r["connector"]["lastError"]["message"],
        "the receiver answered 410"
    );

    // Agents: a new one is an engine with a one-time registration token.
    let agent = t
        .admin()
        .post("/connectors")
        .json(&json!({"name": "dmz scanner", "kind": "agent", "autoUpgrade": true}))
        .send()
        .await
        .status(201)
        .json();
    let token = agent["registrationToken"].as_str().unwrap().to_string();
    assert!(token.starts_with("rmpe_"), "{agent}");
    assert_eq!(
        (agent["health"].as_str(), agent["status"].as_str()),
        (Some("offline"), Some("inactive"))
    );
    let agent_id = agent["id"].as_str().unwrap().to_string();
    let read = t
        .ro()
        .get(&format!("/connectors/{agent_id}"))
        .send()
        .await
        .status(200)
        .json();
    assert!(read.get("registrationToken").is_none());
    // It is the same engine as on /ias/v1, and its heartbeat makes it online.
    t.ro()
        .get(&format!("/ias/v1/engines/{agent_id}"))
        .send()
        .await
        .status(200);
    t.fx_engine_heartbeat(
        rampart_domain::EngineId(agent_id.parse().unwrap()),
        rampart_service::SERVER_VERSION,
        1,
    )
    .await;
    let list = t
        .ro()
        .get("/connectors?kind=agent")
        .send()
        .await
        .status(200)
        .json();
    let me = list
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == agent_id.as_str())
        .expect("listed")
        .clone();
    assert_eq!(
        (
            me["health"].as_str(),
            me["status"].as_str(),
            me["currentJobs"].as_u64()
        ),
        (Some("online"), Some("active"), Some(1))
    );
    assert!(me["lastSeenAt"].is_string() && me["version"].is_string());
    let all = t.ro().get("/connectors").send().await.status(200).json();
    assert!(all.as_array().unwrap().len() >= 3);
    let integrations = t
        .ro()
        .get("/connectors?kind=integration")
        .send()
        .await
        .status(200)
        .json();
    assert!(integrations
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["kind"] == "integration"));
    t.ro()
        .get("/connectors?kind=robot")
        .send()
        .await
        .status(422);
    let tested = t
        .admin()
        .post(&format!("/connectors/{agent_id}/test"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(tested["ok"], true, "{tested}");
    // Its kind is fixed; deleting it deletes the engine.
    t.admin()
        .put(&format!("/connectors/{agent_id}"))
        .json(&json!({"name": "x", "kind": "integration", "type": "jira"}))
        .send()
        .await
        .status(422);
    t.admin()
        .delete(&format!("/connectors/{agent_id}"))
        .send()
        .await
        .status(204);
    t.ro()
        .get(&format!("/ias/v1/engines/{agent_id}"))
        .send()
        .await
        .status(404);
    t.admin()
        .delete(&format!("/connectors/{jira_id}"))
        .send()
        .await
        .status(204);
    t.ro()
        .get(&format!("/connectors/{jira_id}"))
        .send()
        .await
        .status(404);
}

#[tokio::test]
async fn connectors_integrations_and_agents() {
    connectors(&TestApp::spawn().await).await;
}

#[tokio::test]
async fn pg_connectors_integrations_and_agents() {
    let Some(t) = TestApp::spawn_postgres().await else {
        return;
    };
    connectors(&t).await;
}
