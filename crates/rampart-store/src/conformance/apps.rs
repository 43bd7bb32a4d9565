//! Conformance checks for `AppStore`: apps, visibility by membership, paging.

use super::*;

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
    let mut members: Vec<PrincipalId> = s
        .list_app_members(o, theirs.id)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect();
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
