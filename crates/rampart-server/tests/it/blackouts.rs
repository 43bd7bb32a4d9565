//! `/blackouts` (reference §3.8): CRUD shapes, the EX sample's string boolean, `active`
//! computed from the clock, scope and the global-blackout permission, validation 422s
//! naming the field; on SQLite and PostgreSQL.

use crate::{id_ref, snap};
use rampart_testkit::{Backend, TestApp};
use serde_json::{json, Value};

async fn apps(backend: Backend) -> Option<TestApp> {
    TestApp::builder().backend(backend).spawn().await
}

/// The EX `create_blackout` sample's body (reference §3.8), for `app`.
fn ex_body(app: impl std::fmt::Display) -> Value {
    json!({"name": "Blackout", "enabled": "true", "app": {"id": app.to_string()},
        "first_start": "2019-10-15T21:00:00Z", "first_end": "2019-10-15T23:00:00Z",
        "frequency": {"type": "ONCE", "interval": 0}})
}

async fn crud(backend: Backend) {
    let Some(t) = apps(backend).await else { return };
    let a = t.fx_app("shop").await;
    let id = t.rw().create("/ias/v1/blackouts", ex_body(a)).await;
    let got = t
        .ro()
        .get(&format!("/ias/v1/blackouts/{id}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(got["enabled"], json!(true), "the string boolean was taken");
    assert_eq!(got["scope"], "APP");
    assert_eq!(got["active"], json!(false), "2019 is over");
    assert_eq!(got["app"], id_ref(a));
    if backend == Backend::Sqlite {
        snap!("blackout_get", got);
    }

    // The test clock starts 2026-01-02T03:04:05Z: a window around it is active.
    let now = json!({"name": "release freeze", "enabled": true, "app": {"id": a.to_string()},
        "first_start": "2026-01-02T03:00:00Z", "first_end": "2026-01-02T04:00:00Z",
        "last_start": "", "frequency": {"type": "ONCE"}});
    let freeze = t.rw().create("/ias/v1/blackouts", now.clone()).await;
    let read = |id: uuid::Uuid| {
        let t = &t;
        async move {
            t.rw()
                .get(&format!("/ias/v1/blackouts/{id}"))
                .send()
                .await
                .status(200)
                .json()
        }
    };
    assert_eq!(read(freeze).await["active"], json!(true));
    t.clock.advance(chrono::Duration::hours(1));
    assert_eq!(
        read(freeze).await["active"],
        json!(false),
        "active is computed when read, never stored"
    );

    // PUT replaces; disabling makes it inactive whatever the time.
    let mut body = now.clone();
    body["first_end"] = json!("2026-01-02T06:00:00Z");
    body["name"] = json!("longer freeze");
    t.rw()
        .put(&format!("/ias/v1/blackouts/{freeze}"))
        .json(&body)
        .send()
        .await
        .status(200);
    let got = read(freeze).await;
    assert_eq!(
        (got["name"].clone(), got["active"].clone()),
        (json!("longer freeze"), json!(true))
    );
    body["enabled"] = json!("false");
    t.rw()
        .put(&format!("/ias/v1/blackouts/{freeze}"))
        .json(&body)
        .send()
        .await
        .status(200);
    assert_eq!(read(freeze).await["active"], json!(false));

    // The list: default sort blackout.name, paged.
    let page = t
        .ro()
        .get("/ias/v1/blackouts?size=1")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(page["metadata"]["total_data"], 2);
    assert_eq!(page["data"][0]["name"], "Blackout");
    let page = t
        .ro()
        .get("/ias/v1/blackouts?sort=blackout.name,DESC")
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(page["data"][0]["name"], "longer freeze");

    t.rw()
        .delete(&format!("/ias/v1/blackouts/{freeze}"))
        .send()
        .await
        .status(204);
    t.rw()
        .get(&format!("/ias/v1/blackouts/{freeze}"))
        .send()
        .await
        .status(404);
}

#[tokio::test]
async fn blackout_crud_sqlite() {
    crud(Backend::Sqlite).await;
}

#[tokio::test]
async fn blackout_crud_postgres() {
    crud(Backend::Postgres).await;
}

async fn global_scope(backend: Backend) {
    let Some(t) = apps(backend).await else { return };
    let a = t.fx_app("shop").await;
    let mut body = ex_body(a);
    body.as_object_mut().unwrap().remove("app");
    body["name"] = json!("company holiday");
    let err = t
        .rw()
        .post("/ias/v1/blackouts")
        .json(&body)
        .send()
        .await
        .status(403)
        .error_body();
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("global blackouts"),
        "{err}"
    );
    let g = t.admin().create("/ias/v1/blackouts", body.clone()).await;
    let got = t
        .admin()
        .get(&format!("/ias/v1/blackouts/{g}"))
        .send()
        .await
        .status(200)
        .json();
    assert_eq!(got["scope"], "GLOBAL");
    assert!(got.get("app").is_none(), "{got}");
    // Read Write and Read Only have no Global Blackouts permission: they do not see it.
    for caller in [t.rw(), t.ro()] {
        caller
            .get(&format!("/ias/v1/blackouts/{g}"))
            .send()
            .await
            .status(404);
        let page = caller
            .get("/ias/v1/blackouts")
            .send()
            .await
            .status(200)
            .json();
        assert_eq!(page["metadata"]["total_data"], 0);
    }
    // An app blackout cannot be turned global by them either.
    let app_one = t.rw().create("/ias/v1/blackouts", ex_body(a)).await;
    t.rw()
        .put(&format!("/ias/v1/blackouts/{app_one}"))
        .json(&body)
        .send()
        .await
        .status(403);
    t.org()
        .put(&format!("/ias/v1/blackouts/{app_one}"))
        .json(&body)
        .send()
        .await
        .status(200);
    assert_eq!(
        t.admin()
            .get("/ias/v1/blackouts")
            .send()
            .await
            .status(200)
            .json()["metadata"]["total_data"],
        2
    );
}

#[tokio::test]
async fn global_blackouts_are_product_admin_only_sqlite() {
    global_scope(Backend::Sqlite).await;
}

#[tokio::test]
async fn global_blackouts_are_product_admin_only_postgres() {
    global_scope(Backend::Postgres).await;
}

/// Every invalid input is a 422 whose `errors[]` names the field.
#[tokio::test]
async fn blackout_validation_names_the_field() {
    let t = TestApp::spawn().await;
    let a = t.fx_app("shop").await;
    let private = t.fx_private_app("private").await;
    let base = ex_body(a);
    let cases: Vec<(Value, &str)> = vec![
        (json!({"name": ""}), "name"),
        (json!({"name": "x".repeat(201)}), "name"),
        (json!({"enabled": null}), "enabled"),
        (json!({"first_start": null}), "first_start"),
        (json!({"first_end": null}), "first_end"),
        (json!({"first_start": "next tuesday"}), "first_start"),
        (json!({"first_end": "2019-10-15T20:00:00Z"}), "first_end"),
        (
            json!({"last_start": "2019-10-14T00:00:00Z", "frequency": {"type": "DAILY", "interval": 1}}),
            "last_start",
        ),
        (json!({"frequency": null}), "frequency"),
        (json!({"rrule": "FREQ=DAILY;INTERVAL=1"}), "frequency"),
        (
            json!({"frequency": {"type": "DAILY", "interval": 0}}),
            "frequency.interval",
        ),
        (
            json!({"frequency": {"type": "FORTNIGHTLY", "interval": 1}}),
            "frequency.type",
        ),
        (json!({"app": {"id": private.to_string()}}), "app.id"),
        (
            json!({"app": {"id": uuid::Uuid::new_v4().to_string()}}),
            "app.id",
        ),
    ];
    for (patch, field) in cases {
        let mut body = base.clone();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = t.rw().post("/ias/v1/blackouts").json(&body).send().await;
        assert_eq!(r.status, 422, "{patch}: {}", r.text());
        let err = r.error_body();
        let fields: Vec<&str> = err["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["context"].as_str().unwrap())
            .collect();
        assert!(
            fields.iter().any(|f| f.starts_with(field)),
            "{patch}: expected {field} in {err}"
        );
    }
    let r = t
        .rw()
        .post("/ias/v1/blackouts")
        .json(&json!({"name": "", "enabled": "maybe"}))
        .send()
        .await;
    assert!(matches!(r.status, 400 | 422), "{}", r.text());
    assert_eq!(
        t.admin()
            .get("/ias/v1/blackouts")
            .send()
            .await
            .status(200)
            .json()["metadata"]["total_data"],
        0,
        "nothing was stored"
    );
}
