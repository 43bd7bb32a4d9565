//! Conformance checks for `OAuthStore`: clients, revoked token ids, signing keys and the
//! shared rate-limit windows.

use super::{at, is_conflict, is_not_found, org, user};
use crate::Store;
use rampart_domain::oauth::{OAuthClient, SigningKey};
use rampart_domain::*;

fn client(org: OrgId, principal: PrincipalId, client_id: &str) -> OAuthClient {
    OAuthClient {
        id: OAuthClientId::new(),
        org,
        principal,
        kind: PrincipalKind::User,
        role: Role::ReadOnly,
        name: "ci".into(),
        client_id: client_id.into(),
        secret_hash: "h".repeat(64),
        scopes: Scopes::parse("read scans:write").unwrap(),
        created_at: at(3),
    }
}

pub async fn oauth_clients_revocations_and_keys(s: &dyn Store) {
    let a = org(s, "acme").await;
    let b = org(s, "globex").await;
    let u = user(s, a, "ci@acme.test").await;
    assert_eq!(
        s.find_principal_kind(a, u.id).await.unwrap(),
        Some(PrincipalKind::User)
    );
    assert_eq!(
        s.find_principal_kind(a, PrincipalId(a.0)).await.unwrap(),
        Some(PrincipalKind::Organization)
    );
    assert_eq!(s.find_principal_kind(b, u.id).await.unwrap(), None);

    let c = client(a, u.id, "rmpc_one");
    s.create_oauth_client(&c).await.unwrap();
    assert!(is_conflict(
        s.create_oauth_client(&client(a, u.id, "rmpc_one")).await
    ));
    assert_eq!(s.list_oauth_clients(a).await.unwrap(), vec![c.clone()]);
    assert!(s.list_oauth_clients(b).await.unwrap().is_empty());
    assert_eq!(
        s.find_oauth_client("rmpc_one").await.unwrap(),
        Some(c.clone())
    );
    assert_eq!(
        s.find_token_client("rmpc_one", "j1").await.unwrap(),
        Some(c.clone())
    );
    s.revoke_token(a, "j1", at(30)).await.unwrap();
    s.revoke_token(a, "j1", at(30)).await.unwrap();
    assert_eq!(s.find_token_client("rmpc_one", "j1").await.unwrap(), None);
    assert_eq!(
        s.find_token_client("rmpc_one", "j2").await.unwrap(),
        Some(c.clone())
    );
    assert!(
        is_not_found(s.delete_oauth_client(b, c.id).await),
        "tenant-scoped"
    );
    s.delete_oauth_client(a, c.id).await.unwrap();
    assert_eq!(s.find_oauth_client("rmpc_one").await.unwrap(), None);
    assert_eq!(s.find_token_client("rmpc_one", "j2").await.unwrap(), None);

    let key = |kid: &str, m: u32| SigningKey {
        kid: kid.into(),
        public_key: "pk".into(),
        private_sealed: "sealed".into(),
        created_at: at(m),
        sign_until: at(m + 10),
        verify_until: at(m + 20),
    };
    s.create_signing_key(&key("k1", 0)).await.unwrap();
    s.create_signing_key(&key("k2", 10)).await.unwrap();
    let kids = |v: Vec<SigningKey>| v.into_iter().map(|k| k.kid).collect::<Vec<_>>();
    assert_eq!(
        kids(s.list_signing_keys(at(5)).await.unwrap()),
        ["k2", "k1"]
    );
    assert_eq!(
        kids(s.list_signing_keys(at(20)).await.unwrap()),
        ["k2"],
        "k1 retired"
    );

    let buckets = ["t:a".to_string(), "c:x".to_string()];
    assert_eq!(s.hit_rate_windows(&buckets, 100).await.unwrap(), [1, 1]);
    assert_eq!(s.hit_rate_windows(&buckets, 100).await.unwrap(), [2, 2]);
    assert_eq!(s.hit_rate_windows(&buckets[..1], 100).await.unwrap(), [3]);
    assert_eq!(
        s.hit_rate_windows(&buckets, 200).await.unwrap(),
        [1, 1],
        "a new window"
    );
    assert_eq!(s.rate_window_hits("t:a", 200).await.unwrap(), 1);
    assert_eq!(
        s.rate_window_hits("t:a", 100).await.unwrap(),
        0,
        "old window"
    );
    assert_eq!(s.rate_window_hits("nobody", 200).await.unwrap(), 0);
    assert_eq!(
        s.rate_window_hits("t:a", 200).await.unwrap(),
        1,
        "a peek counts nothing"
    );

    // Revoked ids outlive their token only until it expires.
    s.revoke_token(a, "old", at(40)).await.unwrap();
    s.revoke_token(a, "new", at(50)).await.unwrap();
    assert_eq!(
        s.prune_revoked_tokens(at(45)).await.unwrap(),
        2,
        "j1 (30) and old (40)"
    );
    assert_eq!(s.prune_revoked_tokens(at(45)).await.unwrap(), 0);
    let c2 = client(a, u.id, "rmpc_two");
    s.create_oauth_client(&c2).await.unwrap();
    assert_eq!(s.find_token_client("rmpc_two", "new").await.unwrap(), None);
    assert!(s
        .find_token_client("rmpc_two", "old")
        .await
        .unwrap()
        .is_some());
}
