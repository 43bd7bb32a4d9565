//! Conformance checks for `ScanConfigStore`.

use super::*;

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
