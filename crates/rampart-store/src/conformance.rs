//! The storage conformance suite: every adapter runs it against its own database with
//! [`conformance_suite!`](crate::conformance_suite).

use crate::{ListRequest, Store, StoreError, Visibility};
use chrono::{TimeZone, Utc};
use rampart_domain::*;
use rampart_query::{parse_sort, ResourceType};

mod engines;
mod scans;
pub use engines::*;
mod vulns;
pub use scans::*;
pub use vulns::*;

/// Generates one `#[tokio::test]` per conformance check. `$factory` is an async fn
/// returning `Option<Box<dyn Store>>` (`None` only where the backend is unavailable and
/// that is allowed, e.g. PostgreSQL outside CI).
#[macro_export]
macro_rules! conformance_suite {
    ($factory:path) => {
        $crate::conformance_suite!(@each $factory;
            orgs_users_and_keys, apps_crud_and_tenant_isolation, app_visibility_follows_membership,
            paging_and_sorting, targets_rules, tags_and_app_tags, attack_templates_and_modules,
            scan_configs_and_cascade, scans_crud_and_visibility, job_claims_are_exclusive,
            job_leases_expire_and_heartbeats_extend_them, findings_ingest_idempotently,
            engine_groups_crud_and_rules, engines_credentials_and_heartbeats,
            engine_status_search_follows_the_rules, job_claims_follow_the_claim_scope,
                        scan_events_and_execution_details, job_protocol_bounds_attempts, scan_status_compare_and_set,
                        vulnerabilities_rediscovery_and_reopen, vulnerability_updates_record_history,
            vulnerability_comments_crud, verification_scans_remediate_what_they_miss);
    };
    (@each $factory:path; $($name:ident),*) => {$(
        #[tokio::test]
        async fn $name() {
            let Some(store) = $factory().await else { return };
            $crate::conformance::$name(store.as_ref()).await;
        }
    )*};
}

fn at(minute: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 2, 3, minute, 0)
        .single()
        .unwrap_or_default()
}

async fn org(s: &dyn Store, name: &str) -> OrgId {
    let o = Organization {
        id: OrgId::new(),
        name: name.into(),
        created_at: at(0),
    };
    s.create_org(&o).await.expect("create org");
    o.id
}

async fn app(s: &dyn Store, org: OrgId, name: &str, member: Option<PrincipalId>) -> App {
    let a = App {
        id: AppId::new(),
        org,
        name: name.into(),
        description: Some(format!("{name} description")),
        created_at: at(1),
        updated_at: at(1),
    };
    s.create_app(&a, member).await.expect("create app");
    a
}

async fn user(s: &dyn Store, org: OrgId, email: &str) -> User {
    let u = User {
        id: PrincipalId::new(),
        org,
        email: email.into(),
        created_at: at(2),
    };
    s.create_user(&u).await.expect("create user");
    u
}

async fn template(s: &dyn Store, org: OrgId, name: &str) -> AttackTemplate {
    let t = AttackTemplate {
        id: AttackTemplateId::new(),
        org,
        name: name.into(),
        description: None,
        system_defined: false,
        browser_encoding_enabled: false,
        attack_prioritization: AttackPrioritization::Smart,
        advanced_attacks_enabled: true,
        false_positive_regex: None,
        created_at: at(3),
    };
    s.create_attack_template(&t, &[])
        .await
        .expect("create template");
    t
}

fn is_not_found<T: std::fmt::Debug>(r: Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::NotFound))
}

fn is_conflict<T: std::fmt::Debug>(r: Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::Conflict(_)))
}

pub async fn orgs_users_and_keys(s: &dyn Store) {
    s.ping().await.expect("ping");
    assert_eq!(s.count_orgs().await.unwrap(), 0);
    let a = org(s, "acme").await;
    let b = org(s, "globex").await;
    assert_eq!(s.count_orgs().await.unwrap(), 2);
    assert_eq!(
        s.find_org_by_name("acme").await.unwrap().map(|o| o.id),
        Some(a)
    );
    assert!(s.find_org_by_name("nobody").await.unwrap().is_none());
    assert!(is_conflict(
        s.create_org(&Organization {
            id: OrgId::new(),
            name: "acme".into(),
            created_at: at(0)
        })
        .await
    ));

    let u = user(s, a, "alice@acme.test").await;
    assert_eq!(s.get_user(a, u.id).await.unwrap(), u);
    assert!(
        is_not_found(s.get_user(b, u.id).await),
        "a user is invisible to another tenant"
    );
    assert_eq!(
        s.find_user_by_email(a, "alice@acme.test").await.unwrap(),
        Some(u.clone())
    );
    assert_eq!(
        s.find_user_by_email(b, "alice@acme.test").await.unwrap(),
        None
    );
    assert!(is_conflict(
        s.create_user(&User {
            id: PrincipalId::new(),
            ..u.clone()
        })
        .await
    ));

    let key = ApiKey {
        id: ApiKeyId::new(),
        org: a,
        principal: u.id,
        kind: PrincipalKind::User,
        role: Role::ReadWrite,
        name: "ci".into(),
        prefix: "rmp_abcd".into(),
        hash: "f".repeat(64),
        created_at: at(4),
    };
    s.create_api_key(&key).await.unwrap();
    assert_eq!(
        s.find_api_key_by_hash(&"f".repeat(64)).await.unwrap(),
        Some(key)
    );
    assert_eq!(s.find_api_key_by_hash(&"e".repeat(64)).await.unwrap(), None);
    // The organization principal exists with the org's id, so org keys can point at it.
    let org_key = ApiKey {
        id: ApiKeyId::new(),
        org: a,
        principal: PrincipalId(a.0),
        kind: PrincipalKind::Organization,
        role: Role::ProductAdmin,
        name: "org".into(),
        prefix: "rmp_efgh".into(),
        hash: "0".repeat(64),
        created_at: at(4),
    };
    s.create_api_key(&org_key)
        .await
        .expect("an org key refers to the org principal");
}

pub async fn apps_crud_and_tenant_isolation(s: &dyn Store) {
    let a = org(s, "a").await;
    let b = org(s, "b").await;
    let mut x = app(s, a, "shop", None).await;
    assert_eq!(s.get_app(a, x.id, &Visibility::All).await.unwrap(), x);
    assert!(is_not_found(s.get_app(b, x.id, &Visibility::All).await));
    assert!(is_not_found(
        s.update_app(&App {
            org: b,
            ..x.clone()
        })
        .await
    ));
    assert!(is_not_found(s.delete_app(b, x.id).await));
    assert_eq!(
        s.list_apps(b, &Visibility::All, &ListRequest::first(50))
            .await
            .unwrap()
            .total,
        0
    );

    x.name = "shop-2".into();
    x.description = None;
    x.updated_at = at(9);
    s.update_app(&x).await.unwrap();
    assert_eq!(s.get_app(a, x.id, &Visibility::All).await.unwrap(), x);

    app(s, b, "shop-2", None).await; // same name, other tenant: fine
    assert!(is_conflict(
        s.create_app(
            &App {
                id: AppId::new(),
                ..x.clone()
            },
            None
        )
        .await
    ));

    s.delete_app(a, x.id).await.unwrap();
    assert!(is_not_found(s.get_app(a, x.id, &Visibility::All).await));
    assert!(is_not_found(s.delete_app(a, x.id).await));
}

pub async fn app_visibility_follows_membership(s: &dyn Store) {
    let o = org(s, "o").await;
    let alice = user(s, o, "alice@o.test").await;
    let bob = user(s, o, "bob@o.test").await;
    let mine = app(s, o, "mine", Some(alice.id)).await;
    let theirs = app(s, o, "theirs", Some(bob.id)).await;
    let va = Visibility::MemberOf(alice.id);

    let page = s.list_apps(o, &va, &ListRequest::first(50)).await.unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items, vec![mine.clone()]);
    assert!(is_not_found(s.get_app(o, theirs.id, &va).await));
    assert_eq!(
        s.list_apps(o, &Visibility::All, &ListRequest::first(50))
            .await
            .unwrap()
            .total,
        2
    );

    s.add_app_member(o, theirs.id, alice.id).await.unwrap();
    s.add_app_member(o, theirs.id, alice.id)
        .await
        .expect("adding twice is a no-op");
    assert_eq!(s.get_app(o, theirs.id, &va).await.unwrap(), theirs);
    let mut members = s.list_app_members(o, theirs.id).await.unwrap();
    members.sort();
    let mut expected = vec![alice.id, bob.id];
    expected.sort();
    assert_eq!(members, expected);

    s.remove_app_member(o, theirs.id, alice.id).await.unwrap();
    assert!(is_not_found(
        s.remove_app_member(o, theirs.id, alice.id).await
    ));
    assert!(is_not_found(s.get_app(o, theirs.id, &va).await));
}

pub async fn paging_and_sorting(s: &dyn Store) {
    let o = org(s, "o").await;
    let names = [
        "delta", "alpha", "echo", "charlie", "bravo", "golf", "foxtrot",
    ];
    for n in names {
        app(s, o, n, None).await;
    }
    let mut req = ListRequest::first(3);
    let p0 = s.list_apps(o, &Visibility::All, &req).await.unwrap();
    assert_eq!(p0.total, 7);
    let got: Vec<_> = p0.items.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        got,
        ["alpha", "bravo", "charlie"],
        "default sort is name ascending"
    );
    req.index = 2;
    let p2 = s.list_apps(o, &Visibility::All, &req).await.unwrap();
    assert_eq!(
        p2.items.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
        ["golf"]
    );
    req.index = 3;
    assert!(s
        .list_apps(o, &Visibility::All, &req)
        .await
        .unwrap()
        .items
        .is_empty());

    let desc = ListRequest {
        index: 0,
        size: 2,
        sort: parse_sort(ResourceType::App, "app.name,DESC").unwrap(),
        filter: None,
    };
    let p = s.list_apps(o, &Visibility::All, &desc).await.unwrap();
    assert_eq!(
        p.items.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
        ["golf", "foxtrot"]
    );
}

pub async fn targets_rules(s: &dyn Store) {
    let o = org(s, "o").await;
    let other = org(s, "other").await;
    let mut t = Target {
        id: TargetId::new(),
        org: o,
        domain: "shop.example.test".into(),
        enabled: true,
        archived: false,
        scanned: false,
        created_at: at(5),
    };
    s.create_target(&t).await.unwrap();
    assert_eq!(s.get_target(o, t.id).await.unwrap(), t);
    assert!(is_not_found(s.get_target(other, t.id).await));
    assert!(is_conflict(
        s.create_target(&Target {
            id: TargetId::new(),
            ..t.clone()
        })
        .await
    ));
    for d in ["b.test", "a.test"] {
        s.create_target(&Target {
            id: TargetId::new(),
            domain: d.into(),
            ..t.clone()
        })
        .await
        .unwrap();
    }
    let page = s.list_targets(o, &ListRequest::first(50)).await.unwrap();
    let domains: Vec<_> = page.items.iter().map(|x| x.domain.as_str()).collect();
    assert_eq!(
        domains,
        ["a.test", "b.test", "shop.example.test"],
        "default sort is domain ascending"
    );

    t.scanned = true;
    t.enabled = false;
    s.update_target(&t).await.unwrap();
    assert_eq!(s.get_target(o, t.id).await.unwrap(), t);
    assert!(
        is_conflict(s.delete_target(o, t.id).await),
        "a scanned target cannot be deleted"
    );
    let fresh = &page.items[0];
    s.delete_target(o, fresh.id).await.unwrap();
    assert!(is_not_found(s.delete_target(o, fresh.id).await));
}

pub async fn tags_and_app_tags(s: &dyn Store) {
    let o = org(s, "o").await;
    let u = user(s, o, "u@o.test").await;
    let x = app(s, o, "x", None).await;
    let mut tag = Tag {
        id: TagId::new(),
        org: o,
        name: "pci".into(),
        creator: u.id,
        created_at: at(6),
    };
    s.create_tag(&tag).await.unwrap();
    assert!(is_conflict(
        s.create_tag(&Tag {
            id: TagId::new(),
            ..tag.clone()
        })
        .await
    ));
    tag.name = "pci-dss".into();
    s.update_tag(&tag).await.unwrap();
    assert_eq!(s.get_tag(o, tag.id).await.unwrap(), tag);

    s.add_app_tag(o, x.id, tag.id).await.unwrap();
    s.add_app_tag(o, x.id, tag.id)
        .await
        .expect("tagging twice is a no-op");
    assert_eq!(s.list_app_tags(o, x.id).await.unwrap(), vec![tag.clone()]);
    assert!(
        is_conflict(s.delete_tag(o, tag.id, false).await),
        "an applied tag needs cascade"
    );
    assert_eq!(
        s.list_app_tags(o, x.id).await.unwrap().len(),
        1,
        "a refused delete changes nothing"
    );
    s.delete_tag(o, tag.id, true).await.unwrap();
    assert!(s.list_app_tags(o, x.id).await.unwrap().is_empty());
    assert!(is_not_found(s.get_tag(o, tag.id).await));
    assert!(is_not_found(s.remove_app_tag(o, x.id, tag.id).await));
    assert_eq!(
        s.list_tags(o, &ListRequest::first(10)).await.unwrap().total,
        0
    );
}

pub async fn attack_templates_and_modules(s: &dyn Store) {
    let o = org(s, "o").await;
    let other = org(s, "other").await;
    let mut t = template(s, o, "Custom").await;
    assert!(is_conflict(
        s.create_attack_template(
            &AttackTemplate {
                id: AttackTemplateId::new(),
                ..t.clone()
            },
            &[]
        )
        .await
    ));
    assert!(is_not_found(s.get_attack_template(other, t.id).await));
    t.description = Some("mine".into());
    t.attack_prioritization = AttackPrioritization::Randomized;
    s.update_attack_template(&t).await.unwrap();
    assert_eq!(s.get_attack_template(o, t.id).await.unwrap(), t);

    let mut m = AttackModule {
        id: AttackModuleId::new(),
        template: t.id,
        module: ModuleId::new(),
        enabled: true,
        parameter_locations: vec![ParameterLocation::Query, ParameterLocation::Post],
        severity: Severity::High,
        max_findings: 10,
    };
    s.create_attack_module(o, &m).await.unwrap();
    assert_eq!(
        s.list_attack_modules(o, t.id).await.unwrap(),
        vec![m.clone()]
    );
    m.enabled = false;
    m.parameter_locations = vec![];
    m.severity = Severity::Low;
    s.update_attack_module(o, &m).await.unwrap();
    assert_eq!(s.get_attack_module(o, t.id, m.id).await.unwrap(), m);
    assert!(is_not_found(s.get_attack_module(other, t.id, m.id).await));
    s.delete_attack_module(o, t.id, m.id).await.unwrap();
    assert!(is_not_found(s.delete_attack_module(o, t.id, m.id).await));

    let seeded = AttackTemplate {
        id: AttackTemplateId::new(),
        name: "Seeded".into(),
        system_defined: true,
        ..t.clone()
    };
    let mods: Vec<_> = (0..3)
        .map(|_| AttackModule {
            id: AttackModuleId::new(),
            template: seeded.id,
            module: ModuleId::new(),
            ..m.clone()
        })
        .collect();
    s.create_attack_template(&seeded, &mods).await.unwrap();
    assert_eq!(s.list_attack_modules(o, seeded.id).await.unwrap().len(), 3);
    assert_eq!(
        s.list_attack_templates(o, &ListRequest::first(10))
            .await
            .unwrap()
            .total,
        2
    );
    s.delete_attack_template(o, t.id).await.unwrap();
    assert!(is_not_found(s.delete_attack_template(o, t.id).await));
}

pub async fn scan_configs_and_cascade(s: &dyn Store) {
    let o = org(s, "o").await;
    let u = user(s, o, "u@o.test").await;
    let x = app(s, o, "x", Some(u.id)).await;
    let y = app(s, o, "y", None).await;
    let t = template(s, o, "T").await;
    let mut cfg = ScanConfig {
        id: ScanConfigId::new(),
        org: o,
        app: x.id,
        name: "weekly".into(),
        description: None,
        attack_template: t.id,
        incremental: false,
        assignment: Assignment::default(),
        options: serde_json::json!({"crawl_config": {"seed_url_list": [{"value": "http://x.test"}]}}),
        created_at: at(7),
        updated_at: at(7),
    };
    s.create_scan_config(&cfg).await.unwrap();
    let in_y = ScanConfig {
        id: ScanConfigId::new(),
        app: y.id,
        ..cfg.clone()
    };
    s.create_scan_config(&in_y).await.unwrap();
    assert_eq!(
        s.get_scan_config(o, cfg.id, &Visibility::All)
            .await
            .unwrap(),
        cfg
    );
    let vu = Visibility::MemberOf(u.id);
    assert_eq!(
        s.list_scan_configs(o, &vu, &ListRequest::first(10))
            .await
            .unwrap()
            .items,
        vec![cfg.clone()]
    );
    assert!(is_not_found(s.get_scan_config(o, in_y.id, &vu).await));

    cfg.assignment = Assignment {
        kind: AssignmentType::EngineGroup,
        engine_group: Some(EngineGroupId::new()),
        environment: Environment::OnPremise,
    };
    cfg.options = serde_json::json!({"crawl_config": {}});
    cfg.updated_at = at(8);
    s.update_scan_config(&cfg).await.unwrap();
    assert_eq!(
        s.get_scan_config(o, cfg.id, &Visibility::All)
            .await
            .unwrap(),
        cfg
    );

    assert!(
        is_conflict(s.delete_attack_template(o, t.id).await),
        "a template in use cannot be deleted"
    );
    s.delete_app(o, x.id).await.unwrap();
    assert!(
        is_not_found(s.get_scan_config(o, cfg.id, &Visibility::All).await),
        "deleting an app deletes its configs"
    );
    s.delete_scan_config(o, in_y.id).await.unwrap();
    assert!(is_not_found(s.delete_scan_config(o, in_y.id).await));
    s.delete_attack_template(o, t.id).await.expect("unused now");
}
