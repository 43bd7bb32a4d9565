//! Conformance checks for `ConnectorStore`.

use super::*;

pub async fn connectors_crud_and_tenants(s: &dyn Store) {
    let o = org(s, "o").await;
    let other = org(s, "other").await;
    let mut config = serde_json::Map::new();
    config.insert("baseUrl".into(), "https://jira.example.test".into());
    config.insert("projectKey".into(), "SEC".into());
    let mut x = Connector {
        id: ConnectorId::new(),
        org: o,
        name: "jira".into(),
        kind_type: "jira".into(),
        status: ConnectorStatus::Active,
        config,
        secrets_sealed: Some("sealed".into()),
        secret_names: vec!["apiToken".into()],
        last_sync_at: None,
        last_error_at: None,
        last_error: None,
        created_at: at(1),
        updated_at: at(1),
    };
    s.create_connector(&x).await.unwrap();
    assert_eq!(s.get_connector(o, x.id).await.unwrap(), x);
    assert!(is_not_found(s.get_connector(other, x.id).await));
    assert!(is_conflict(
        s.create_connector(&Connector {
            id: ConnectorId::new(),
            ..x.clone()
        })
        .await
    ));
    // The same name in another tenant is another connector.
    s.create_connector(&Connector {
        id: ConnectorId::new(),
        org: other,
        ..x.clone()
    })
    .await
    .unwrap();
    x.status = ConnectorStatus::Error;
    x.last_error_at = Some(at(3));
    x.last_error = Some("refused".into());
    x.last_sync_at = Some(at(2));
    x.secrets_sealed = None;
    x.secret_names.clear();
    x.updated_at = at(3);
    s.update_connector(&x).await.unwrap();
    assert_eq!(s.list_connectors(o).await.unwrap(), vec![x.clone()]);
    assert!(is_not_found(
        s.update_connector(&Connector {
            org: OrgId::new(),
            ..x.clone()
        })
        .await
    ));
    assert!(is_not_found(s.delete_connector(other, x.id).await));
    s.delete_connector(o, x.id).await.unwrap();
    assert!(is_not_found(s.get_connector(o, x.id).await));
    assert_eq!(s.list_connectors(other).await.unwrap().len(), 1);
}
