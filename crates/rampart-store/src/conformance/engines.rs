//! Conformance checks for engine groups, engines, engine credentials and heartbeats.

use super::{app, at, is_conflict, is_not_found, org, template};
use crate::{ListRequest, Store};
use chrono::Duration;
use rampart_domain::*;
use rampart_query::{parse_query, parse_sort, ResourceType};

pub(super) fn new_group(org: OrgId, name: &str) -> EngineGroup {
    EngineGroup {
        id: EngineGroupId::new(),
        org,
        name: name.into(),
        description: None,
        created_at: at(4),
    }
}

fn new_engine(org: OrgId, name: &str, group: Option<EngineGroupId>) -> Engine {
    Engine {
        id: EngineId::new(),
        org,
        name: name.into(),
        group,
        auto_upgrade: false,
        version: None,
        last_heartbeat: None,
        active_scans: 0,
        failure_reason: None,
        upgrade_requested: false,
        created_at: at(5),
    }
}

fn cred(e: &Engine, token: &str) -> EngineCredential {
    EngineCredential {
        engine: e.id,
        org: e.org,
        prefix: token.chars().take(12).collect(),
        hash: format!("hash-of-{token}"),
        sealed: format!("sealed-{token}"),
        created_at: at(5),
    }
}

async fn engine(s: &dyn Store, org: OrgId, name: &str, group: Option<EngineGroupId>) -> Engine {
    let e = new_engine(org, name, group);
    s.create_engine(&e, &cred(&e, &format!("tok-{name}")))
        .await
        .expect("create engine");
    e
}

fn filtered(ty: ResourceType, query: &str) -> ListRequest {
    ListRequest {
        filter: Some(parse_query(ty, query).expect("a valid query")),
        ..ListRequest::first(100)
    }
}

fn beat(minute: u32, scans: u32) -> EngineBeat {
    EngineBeat {
        at: at(minute),
        active_scans: scans,
        version: "1.2.3".into(),
        failure_reason: None,
        upgrade_settled: false,
    }
}

pub async fn engine_groups_crud_and_rules(s: &dyn Store) {
    let o = org(s, "o").await;
    let other = org(s, "other").await;
    let mut g = new_group(o, "Working Engines");
    s.create_engine_group(&g).await.unwrap();
    assert!(is_conflict(
        s.create_engine_group(&new_group(o, "Working Engines"))
            .await
    ));
    s.create_engine_group(&new_group(other, "Working Engines"))
        .await
        .expect("names are unique per organization only");
    assert_eq!(s.get_engine_group(o, g.id).await.unwrap(), g);
    assert!(is_not_found(s.get_engine_group(other, g.id).await));

    g.name = "Lab".into();
    g.description = Some("lab engines".into());
    s.update_engine_group(&g).await.unwrap();
    assert_eq!(s.get_engine_group(o, g.id).await.unwrap(), g);
    let mut foreign = g.clone();
    foreign.org = other;
    assert!(is_not_found(s.update_engine_group(&foreign).await));

    s.create_engine_group(&new_group(o, "Zoo")).await.unwrap();
    let page = s
        .list_engine_groups(o, &ListRequest::first(10))
        .await
        .unwrap();
    assert_eq!(page.total, 2);
    assert_eq!(page.items[0].name, "Lab", "default sort is by name");
    let found = s
        .list_engine_groups(
            o,
            &filtered(ResourceType::EngineGroup, "enginegroup.name='Lab'"),
        )
        .await
        .unwrap();
    assert_eq!(found.items, vec![g.clone()]);

    // A group with engines, or named by a scan config, cannot be deleted.
    let e = engine(s, o, "e1", Some(g.id)).await;
    assert!(is_conflict(s.delete_engine_group(o, g.id).await));
    s.delete_engine(o, e.id).await.unwrap();
    let a = app(s, o, "a", None).await;
    let tpl = template(s, o, "T").await;
    let cfg = ScanConfig {
        id: ScanConfigId::new(),
        org: o,
        app: a.id,
        name: "on-prem".into(),
        description: None,
        attack_template: tpl.id,
        incremental: false,
        assignment: Assignment {
            kind: AssignmentType::EngineGroup,
            engine_group: Some(g.id),
            environment: Environment::OnPremise,
        },
        options: serde_json::json!({}),
        created_at: at(6),
        updated_at: at(6),
    };
    s.create_scan_config(&cfg).await.unwrap();
    assert!(is_conflict(s.delete_engine_group(o, g.id).await));
    s.delete_scan_config(o, cfg.id).await.unwrap();
    assert!(is_not_found(s.delete_engine_group(other, g.id).await));
    s.delete_engine_group(o, g.id).await.unwrap();
    assert!(is_not_found(s.get_engine_group(o, g.id).await));
}

pub async fn engines_credentials_and_heartbeats(s: &dyn Store) {
    let o = org(s, "o").await;
    let other = org(s, "other").await;
    let g = new_group(o, "G");
    s.create_engine_group(&g).await.unwrap();
    let mut e = engine(s, o, "scanner-1", None).await;
    assert_eq!(s.get_engine(o, e.id).await.unwrap(), e);
    assert!(is_not_found(s.get_engine(other, e.id).await));
    let dup = new_engine(o, "scanner-1", None);
    assert!(is_conflict(s.create_engine(&dup, &cred(&dup, "dup")).await));
    let twin = new_engine(other, "scanner-1", None);
    s.create_engine(&twin, &cred(&twin, "twin"))
        .await
        .expect("engine names are unique per organization only");

    // Authentication by token hash, across tenants.
    let found = s
        .find_engine_by_token_hash("hash-of-tok-scanner-1")
        .await
        .unwrap();
    assert_eq!(found.map(|x| (x.id, x.org)), Some((e.id, o)));
    assert!(s.find_engine_by_token_hash("nope").await.unwrap().is_none());
    let c = s.get_engine_credential(o, e.id).await.unwrap();
    assert_eq!(
        (c.prefix.as_str(), c.sealed.as_str()),
        ("tok-scanner-", "sealed-tok-scanner-1")
    );
    assert!(is_not_found(s.get_engine_credential(other, e.id).await));

    // Regenerating replaces the old token at once.
    s.replace_engine_credential(&cred(&e, "second"))
        .await
        .unwrap();
    assert!(s
        .find_engine_by_token_hash("hash-of-tok-scanner-1")
        .await
        .unwrap()
        .is_none());
    assert!(s
        .find_engine_by_token_hash("hash-of-second")
        .await
        .unwrap()
        .is_some());
    let mut foreign = cred(&e, "foreign");
    foreign.org = other;
    assert!(is_not_found(s.replace_engine_credential(&foreign).await));
    // Revoking removes it; a new credential can be issued again.
    s.delete_engine_credential(o, e.id).await.unwrap();
    assert!(s
        .find_engine_by_token_hash("hash-of-second")
        .await
        .unwrap()
        .is_none());
    assert!(is_not_found(s.get_engine_credential(o, e.id).await));
    assert!(is_not_found(s.delete_engine_credential(o, e.id).await));
    s.replace_engine_credential(&cred(&e, "third"))
        .await
        .unwrap();
    assert!(s
        .find_engine_by_token_hash("hash-of-third")
        .await
        .unwrap()
        .is_some());

    // Update writes name, group and auto_upgrade.
    e.name = "scanner-one".into();
    e.group = Some(g.id);
    e.auto_upgrade = true;
    s.update_engine(&e).await.unwrap();
    assert_eq!(s.get_engine(o, e.id).await.unwrap(), e);
    let mut moved = e.clone();
    moved.org = other;
    assert!(is_not_found(s.update_engine(&moved).await));

    // Heartbeats, upgrades and the online count.
    assert_eq!(
        s.count_online_engines(o, Some(g.id), at(0)).await.unwrap(),
        0
    );
    s.record_engine_heartbeat(o, e.id, &beat(20, 2))
        .await
        .unwrap();
    s.set_engine_upgrade_requested(o, e.id, true).await.unwrap();
    let got = s.get_engine(o, e.id).await.unwrap();
    assert_eq!(
        (
            got.last_heartbeat,
            got.active_scans,
            got.version.as_deref(),
            got.upgrade_requested
        ),
        (Some(at(20)), 2, Some("1.2.3"), true)
    );
    let mut failed = beat(21, 0);
    failed.failure_reason = Some(EngineFailureReason::UpgradeFailed);
    s.record_engine_heartbeat(o, e.id, &failed).await.unwrap();
    let got = s.get_engine(o, e.id).await.unwrap();
    assert_eq!(got.failure_reason, Some(EngineFailureReason::UpgradeFailed));
    assert!(
        got.upgrade_requested,
        "only upgrade_settled clears the request"
    );
    let mut settled = beat(22, 0);
    settled.upgrade_settled = true;
    s.record_engine_heartbeat(o, e.id, &settled).await.unwrap();
    let got = s.get_engine(o, e.id).await.unwrap();
    assert_eq!((got.failure_reason, got.upgrade_requested), (None, false));
    assert!(is_not_found(
        s.record_engine_heartbeat(other, e.id, &beat(23, 0)).await
    ));
    assert!(is_not_found(
        s.set_engine_upgrade_requested(other, e.id, true).await
    ));
    assert_eq!(
        s.count_online_engines(o, Some(g.id), at(22)).await.unwrap(),
        1
    );
    assert_eq!(
        s.count_online_engines(o, Some(g.id), at(23)).await.unwrap(),
        0
    );
    assert_eq!(s.count_online_engines(o, None, at(0)).await.unwrap(), 0);
    assert_eq!(
        s.count_online_engines(other, Some(g.id), at(0))
            .await
            .unwrap(),
        0
    );

    // Deleting the engine deletes its credential.
    assert!(is_not_found(s.delete_engine(other, e.id).await));
    s.delete_engine(o, e.id).await.unwrap();
    assert!(is_not_found(s.get_engine(o, e.id).await));
    assert!(s
        .find_engine_by_token_hash("hash-of-third")
        .await
        .unwrap()
        .is_none());
}

/// `engine.status` in search and sort follows [`Engine::status`] exactly.
pub async fn engine_status_search_follows_the_rules(s: &dyn Store) {
    let o = org(s, "o").await;
    let other = org(s, "other").await;
    let g = new_group(o, "Working Engines");
    s.create_engine_group(&g).await.unwrap();
    let now = at(30);
    let offline_after = Duration::minutes(2);
    let cutoff = now - offline_after;

    let never = engine(s, o, "never", None).await;
    let stale = engine(s, o, "stale", Some(g.id)).await;
    s.record_engine_heartbeat(o, stale.id, &beat(27, 1))
        .await
        .unwrap();
    let idle = engine(s, o, "idle", Some(g.id)).await;
    s.record_engine_heartbeat(o, idle.id, &beat(28, 0))
        .await
        .unwrap();
    let busy = engine(s, o, "busy", Some(g.id)).await;
    s.record_engine_heartbeat(o, busy.id, &beat(29, 3))
        .await
        .unwrap();
    let upgrading = engine(s, o, "upgrading", None).await;
    s.record_engine_heartbeat(o, upgrading.id, &beat(30, 0))
        .await
        .unwrap();
    s.set_engine_upgrade_requested(o, upgrading.id, true)
        .await
        .unwrap();
    let failed = engine(s, o, "failed", None).await;
    let mut f = beat(30, 0);
    f.failure_reason = Some(EngineFailureReason::GeneralFailure);
    s.record_engine_heartbeat(o, failed.id, &f).await.unwrap();
    engine(s, other, "elsewhere", None).await;

    let all = s
        .list_engines(o, None, cutoff, &ListRequest::first(100))
        .await
        .unwrap();
    assert_eq!(all.total, 6, "another tenant's engines are not listed");
    for status in EngineStatus::ALL {
        let query = format!("engine.status = '{}'", status.as_str());
        let page = s
            .list_engines(o, None, cutoff, &filtered(ResourceType::Engine, &query))
            .await
            .unwrap();
        let mut got: Vec<String> = page.items.iter().map(|e| e.name.clone()).collect();
        let mut want: Vec<String> = all
            .items
            .iter()
            .filter(|e| e.status(now, offline_after) == *status)
            .map(|e| e.name.clone())
            .collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{query}");
    }
    let named = |q: &str| {
        let req = filtered(ResourceType::Engine, q);
        async move {
            let page = s.list_engines(o, None, cutoff, &req).await.unwrap();
            let mut names: Vec<String> = page.items.into_iter().map(|e| e.name).collect();
            names.sort();
            names
        }
    };
    assert_eq!(named("engine.status = 'OFFLINE'").await, ["never", "stale"]);
    assert_eq!(
        named("engine.engine_group.name = 'Working Engines' && engine.status != 'OFFLINE'").await,
        ["busy", "idle"]
    );
    assert_eq!(
        named("engine.engine_group.id IS NULL").await,
        ["failed", "never", "upgrading"]
    );

    // Only the group's engines; sorted by the derived status.
    let req = ListRequest {
        sort: parse_sort(ResourceType::Engine, "engine.status,DESC,engine.name").unwrap(),
        ..ListRequest::first(10)
    };
    let page = s.list_engines(o, Some(g.id), cutoff, &req).await.unwrap();
    let names: Vec<&str> = page.items.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        ["busy", "stale", "idle"],
        "SCANNING > OFFLINE > IDLE"
    );
    assert_eq!(page.total, 3);
    let _ = never;
}
