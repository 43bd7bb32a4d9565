//! Conformance checks for `TenancyStore`: organizations, users, API keys.

use super::{at, is_conflict, is_not_found, org, user};
use crate::Store;
use rampart_domain::*;

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
