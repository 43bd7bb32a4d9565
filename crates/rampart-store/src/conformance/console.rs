//! Conformance checks for `ConsoleStore`.

use super::*;
use crate::ConsoleSession;

pub async fn console_sessions_expire_and_end(s: &dyn Store) {
    let o = org(s, "o").await;
    let u = user(s, o, "u@o.test").await;
    let session = ConsoleSession {
        hash: "h1".into(),
        org: o,
        principal: u.id,
        key_hash: None,
        csrf: "c1".into(),
        created_at: at(1),
        expires_at: at(10),
    };
    s.create_console_session(&session).await.expect("create");
    let keyed = ConsoleSession {
        hash: "h2".into(),
        key_hash: Some("k".into()),
        expires_at: at(20),
        ..session.clone()
    };
    s.create_console_session(&keyed).await.expect("create");
    assert_eq!(
        s.find_console_session("h1", at(5)).await.unwrap(),
        Some(session.clone())
    );
    assert_eq!(
        s.find_console_session("h2", at(5)).await.unwrap(),
        Some(keyed.clone())
    );
    assert_eq!(s.find_console_session("nope", at(5)).await.unwrap(), None);
    // Expired at its expiry.
    assert_eq!(s.find_console_session("h1", at(10)).await.unwrap(), None);
    assert!(matches!(
        s.create_console_session(&session).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(s.purge_console_sessions(at(15)).await.unwrap(), 1);
    assert!(s
        .find_console_session("h2", at(15))
        .await
        .unwrap()
        .is_some());
    s.delete_console_session("h2").await.expect("delete");
    s.delete_console_session("h2").await.expect("delete twice");
    assert_eq!(s.find_console_session("h2", at(15)).await.unwrap(), None);
    // Deleting the user ends its sessions.
    s.create_console_session(&session)
        .await
        .expect("create again");
    s.delete_principal(o, u.id, PrincipalKind::User)
        .await
        .expect("delete user");
    assert_eq!(s.find_console_session("h1", at(5)).await.unwrap(), None);
}
