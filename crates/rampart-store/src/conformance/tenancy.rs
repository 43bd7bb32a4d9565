//! Conformance checks for `TenancyStore`: organizations, users, API keys.

use super::{app, at, is_conflict, is_not_found, org, user};
use crate::{LiveKey, Store, Visibility};
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
            created_at: at(0),
            operator: false,
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
        last_used_at: None,
    };
    s.create_api_key(&key).await.unwrap();
    assert_eq!(
        s.find_live_key(&"f".repeat(64)).await.unwrap(),
        Some(LiveKey {
            key,
            owner_role: None
        })
    );
    assert_eq!(s.find_live_key(&"e".repeat(64)).await.unwrap(), None);
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
        last_used_at: None,
    };
    s.create_api_key(&org_key)
        .await
        .expect("an org key refers to the org principal");
}

fn key_of(org: OrgId, owner: PrincipalId, kind: PrincipalKind, hash: char, minute: u32) -> ApiKey {
    ApiKey {
        id: ApiKeyId::new(),
        org,
        principal: owner,
        kind,
        role: Role::ReadWrite,
        name: format!("key {hash}"),
        prefix: format!("rmp_{hash}"),
        hash: hash.to_string().repeat(64),
        created_at: at(minute),
        last_used_at: None,
    }
}

pub async fn keys_list_revoke_rotate_and_touch(s: &dyn Store) {
    let a = org(s, "acme").await;
    let b = org(s, "globex").await;
    assert_eq!(
        s.list_orgs()
            .await
            .unwrap()
            .iter()
            .map(|o| o.name.as_str())
            .collect::<Vec<_>>(),
        ["acme", "globex"]
    );
    assert_eq!(s.get_org(b).await.unwrap().name, "globex");
    let alice = user(s, a, "alice@acme.test").await;
    let k1 = key_of(a, alice.id, PrincipalKind::User, '1', 1);
    let k2 = key_of(a, PrincipalId(a.0), PrincipalKind::Organization, '2', 2);
    let other = key_of(b, PrincipalId(b.0), PrincipalKind::Organization, '3', 3);
    for k in [&k1, &k2, &other] {
        s.create_api_key(k).await.unwrap();
    }
    let listed = s.list_api_keys(a, None).await.unwrap();
    assert_eq!(
        listed.iter().map(|l| l.key.id).collect::<Vec<_>>(),
        [k2.id, k1.id],
        "newest first, the tenant's only"
    );
    assert_eq!(listed[1].owner.display, "alice@acme.test");
    assert_eq!(listed[1].owner.kind, PrincipalKind::User);
    assert_eq!(listed[0].owner.kind, PrincipalKind::Organization);
    assert_eq!(
        s.list_api_keys(a, Some(alice.id)).await.unwrap().len(),
        1,
        "filtered by owner"
    );
    assert!(is_not_found(s.get_api_key(b, k1.id).await));

    // last_used_at: written once per interval.
    s.touch_api_key(k1.id, at(10), at(9)).await.unwrap();
    assert_eq!(
        s.get_api_key(a, k1.id).await.unwrap().key.last_used_at,
        Some(at(10))
    );
    s.touch_api_key(
        k1.id,
        at(10) + chrono::Duration::seconds(30),
        at(9) + chrono::Duration::seconds(30),
    )
    .await
    .unwrap();
    assert_eq!(
        s.get_api_key(a, k1.id).await.unwrap().key.last_used_at,
        Some(at(10)),
        "a use within the interval writes nothing"
    );
    s.touch_api_key(k1.id, at(12), at(11)).await.unwrap();
    assert_eq!(
        s.get_api_key(a, k1.id).await.unwrap().key.last_used_at,
        Some(at(12))
    );

    // Revocation: gone from authentication and from the list; twice is NotFound.
    assert!(
        is_not_found(s.revoke_api_key(b, k2.id, at(13)).await),
        "another tenant's key"
    );
    s.revoke_api_key(a, k2.id, at(13)).await.unwrap();
    assert_eq!(s.find_live_key(&k2.hash).await.unwrap(), None);
    assert!(is_not_found(s.revoke_api_key(a, k2.id, at(14)).await));
    assert!(is_not_found(s.get_api_key(a, k2.id).await));

    // Rotation: the old key stops, the new one works; a revoked key cannot be rotated.
    let k1b = ApiKey {
        id: ApiKeyId::new(),
        hash: "4".repeat(64),
        prefix: "rmp_4".into(),
        created_at: at(15),
        ..k1.clone()
    };
    s.rotate_api_key(a, k1.id, &k1b, at(15)).await.unwrap();
    assert_eq!(s.find_live_key(&k1.hash).await.unwrap(), None);
    assert_eq!(
        s.find_live_key(&k1b.hash).await.unwrap().unwrap().key.id,
        k1b.id
    );
    let k1c = ApiKey {
        id: ApiKeyId::new(),
        hash: "5".repeat(64),
        ..k1.clone()
    };
    assert!(is_not_found(s.rotate_api_key(a, k1.id, &k1c, at(16)).await));
    assert_eq!(
        s.find_live_key(&k1c.hash).await.unwrap(),
        None,
        "nothing written"
    );
}

pub async fn disabled_owner_stops_keys(s: &dyn Store) {
    let a = org(s, "acme").await;
    let mut bob = user(s, a, "bob@acme.test").await;
    bob.role = Some(Role::ReadOnly);
    bob.display_name = Some("Bob".into());
    s.update_user(&bob).await.unwrap();
    assert_eq!(s.get_user(a, bob.id).await.unwrap(), bob);
    let k = key_of(a, bob.id, PrincipalKind::User, '6', 1);
    s.create_api_key(&k).await.unwrap();
    assert_eq!(
        s.find_live_key(&k.hash).await.unwrap().unwrap().owner_role,
        Some(Role::ReadOnly)
    );
    bob.status = PrincipalStatus::Disabled;
    s.update_user(&bob).await.unwrap();
    assert_eq!(s.find_live_key(&k.hash).await.unwrap(), None);
    assert_eq!(s.list_users(a).await.unwrap(), vec![bob.clone()]);
    bob.status = PrincipalStatus::Active;
    s.update_user(&bob).await.unwrap();
    assert!(s.find_live_key(&k.hash).await.unwrap().is_some());
}

pub async fn service_accounts_and_passwords(s: &dyn Store) {
    let a = org(s, "acme").await;
    let b = org(s, "globex").await;
    let sa = ServiceAccount {
        id: PrincipalId::new(),
        org: a,
        name: "ci".into(),
        role: Role::ReadWrite,
        status: PrincipalStatus::Active,
        created_at: at(1),
    };
    s.create_service_account(&sa).await.unwrap();
    assert!(is_conflict(
        s.create_service_account(&ServiceAccount {
            id: PrincipalId::new(),
            ..sa.clone()
        })
        .await
    ));
    assert_eq!(s.get_service_account(a, sa.id).await.unwrap(), sa);
    assert!(is_not_found(s.get_service_account(b, sa.id).await));
    assert_eq!(s.list_service_accounts(a).await.unwrap(), vec![sa.clone()]);
    let mut sa2 = sa.clone();
    sa2.status = PrincipalStatus::Disabled;
    s.update_service_account(&sa2).await.unwrap();
    assert_eq!(s.get_service_account(a, sa.id).await.unwrap(), sa2);
    assert_eq!(s.get_principal(a, sa.id).await.unwrap().display, "ci");
    assert!(is_not_found(s.get_principal(b, sa.id).await));
    // A service account is not a user.
    assert!(is_not_found(s.get_user(a, sa.id).await));

    let u = user(s, a, "carol@acme.test").await;
    assert_eq!(
        s.find_password_hash(a, "carol@acme.test").await.unwrap(),
        Some((u.clone(), None))
    );
    s.set_password_hash(a, u.id, Some("$argon2id$x"))
        .await
        .unwrap();
    assert_eq!(
        s.find_password_hash(a, "carol@acme.test").await.unwrap(),
        Some((u.clone(), Some("$argon2id$x".into())))
    );
    assert_eq!(
        s.find_password_hash(b, "carol@acme.test").await.unwrap(),
        None
    );
    assert!(is_not_found(s.set_password_hash(a, sa.id, Some("x")).await));
}

pub async fn orgs_rename_delete_and_principals_delete(s: &dyn Store) {
    let a = org(s, "acme").await;
    let b = org(s, "globex").await;
    let op = Organization {
        id: OrgId::new(),
        name: "operator".into(),
        created_at: at(0),
        operator: true,
    };
    s.create_org(&op).await.unwrap();
    assert!(s.get_org(op.id).await.unwrap().operator);
    assert!(!s.get_org(a).await.unwrap().operator);

    s.rename_org(a, "acme two").await.unwrap();
    assert_eq!(s.get_org(a).await.unwrap().name, "acme two");
    assert_eq!(
        s.get_principal(a, PrincipalId(a.0)).await.unwrap().display,
        "acme two"
    );
    assert!(is_conflict(s.rename_org(a, "globex").await));
    assert!(is_not_found(s.rename_org(OrgId::new(), "x").await));

    // Deleting a principal takes its keys, clients, group and app memberships.
    let u = user(s, a, "bob@acme.test").await;
    let x = app(s, a, "shop", Some(u.id)).await;
    let k = key_of(a, u.id, PrincipalKind::User, '7', 1);
    s.create_api_key(&k).await.unwrap();
    assert!(s.find_live_key(&k.hash).await.unwrap().is_some());
    assert!(
        is_not_found(
            s.delete_principal(a, u.id, PrincipalKind::ServiceAccount)
                .await
        ),
        "the kind must match"
    );
    assert!(is_not_found(
        s.delete_principal(b, u.id, PrincipalKind::User).await
    ));
    s.delete_principal(a, u.id, PrincipalKind::User)
        .await
        .unwrap();
    assert_eq!(s.find_live_key(&k.hash).await.unwrap(), None);
    assert!(is_not_found(s.get_user(a, u.id).await));
    assert!(s.list_app_members(a, x.id).await.unwrap().is_empty());
    assert!(is_not_found(
        s.delete_principal(a, u.id, PrincipalKind::User).await
    ));

    // Deleting an organization takes everything it owns, and nothing of another.
    let ub = user(s, b, "carol@globex.test").await;
    let v = user(s, a, "dave@acme.test").await;
    let kv = key_of(a, v.id, PrincipalKind::User, '8', 1);
    s.create_api_key(&kv).await.unwrap();
    s.delete_org(a).await.unwrap();
    assert!(is_not_found(s.get_org(a).await));
    assert!(is_not_found(s.get_app(a, x.id, &Visibility::All).await));
    assert!(is_not_found(s.get_user(a, v.id).await));
    assert_eq!(s.find_live_key(&kv.hash).await.unwrap(), None);
    assert!(is_not_found(s.delete_org(a).await));
    assert_eq!(s.get_user(b, ub.id).await.unwrap(), ub);
    assert_eq!(s.count_orgs().await.unwrap(), 2);
}
