//! Conformance checks for `InventoryStore`: targets and tags.

use super::*;

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
    let untagged = app(s, o, "untagged", Some(u.id)).await;
    let z = app(s, o, "z", None).await;
    s.add_app_tag(o, z.id, tag.id).await.unwrap();
    let other = Tag {
        id: TagId::new(),
        org: o,
        name: "a-first".into(),
        creator: u.id,
        created_at: at(6),
    };
    s.create_tag(&other).await.unwrap();
    s.add_app_tag(o, z.id, other.id).await.unwrap();
    assert_eq!(
        s.list_apps_with_tags(o, &Visibility::All).await.unwrap(),
        vec![
            (untagged.clone(), vec![]),
            (x.clone(), vec![tag.clone()]),
            (z.clone(), vec![other.clone(), tag.clone()]),
        ],
        "every app by name, each with its tags by name"
    );
    assert_eq!(
        s.list_apps_with_tags(o, &Visibility::MemberOf(u.id))
            .await
            .unwrap(),
        vec![(untagged.clone(), vec![])],
        "only the apps the principal may see"
    );
    assert!(s
        .list_apps_with_tags(OrgId::new(), &Visibility::All)
        .await
        .unwrap()
        .is_empty());
    s.delete_app(o, z.id).await.unwrap();
    s.delete_tag(o, other.id, false).await.unwrap();
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
