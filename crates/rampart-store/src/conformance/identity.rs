//! Conformance checks for `IdentityStore`: groups, members, grants and the visibility
//! they give on every app-scoped read.

use super::{app, at, is_conflict, is_not_found, org, user};
use crate::{ListRequest, Store, Visibility};
use rampart_domain::*;

fn group(org: OrgId, name: &str) -> IdentityGroup {
    IdentityGroup {
        id: IdentityGroupId::new(),
        org,
        name: name.into(),
        description: None,
        source: GroupSource::Local,
        external_id: None,
        created_at: at(1),
        updated_at: at(1),
    }
}

async fn tag(s: &dyn Store, org: OrgId, name: &str) -> Tag {
    let t = Tag {
        id: TagId::new(),
        org,
        name: name.into(),
        creator: PrincipalId(org.0),
        created_at: at(1),
    };
    s.create_tag(&t).await.unwrap();
    t
}

pub async fn groups_crud_members_and_grants(s: &dyn Store) {
    let a = org(s, "acme").await;
    let b = org(s, "globex").await;
    let alice = user(s, a, "alice@acme.test").await;
    let mut g = group(a, "payments-team");
    s.create_group(&g).await.unwrap();
    assert!(is_conflict(
        s.create_group(&group(a, "payments-team")).await
    ));
    s.create_group(&group(b, "payments-team"))
        .await
        .expect("names are unique per tenant only");
    assert!(is_not_found(s.get_group(b, g.id).await));
    assert_eq!(
        s.find_group_by_name(a, "payments-team").await.unwrap(),
        Some(g.clone())
    );

    s.add_group_member(a, g.id, alice.id).await.unwrap();
    s.add_group_member(a, g.id, alice.id)
        .await
        .expect("adding twice is a no-op");
    let shop = app(s, a, "shop", None).await;
    s.grant_group_app(a, g.id, shop.id).await.unwrap();
    let payments = tag(s, a, "payments").await;
    s.grant_group_tag(a, g.id, payments.id).await.unwrap();
    let v = s.get_group(a, g.id).await.unwrap();
    assert_eq!(v.members.len(), 1);
    assert_eq!(v.members[0].id, alice.id);
    assert_eq!(v.members[0].display, "alice@acme.test");
    assert_eq!(v.apps, vec![shop.id]);
    assert_eq!(v.tags, vec![payments.clone()]);
    assert!(
        s.list_app_members(a, shop.id).await.unwrap().is_empty(),
        "a group grant is not listed as an app member"
    );

    g.description = Some("pays".into());
    g.updated_at = at(5);
    s.update_group(&g).await.unwrap();
    let listed = s.list_groups(a).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].group, g);

    s.revoke_group_tag(a, g.id, payments.id).await.unwrap();
    assert!(is_not_found(s.revoke_group_tag(a, g.id, payments.id).await));
    s.revoke_group_app(a, g.id, shop.id).await.unwrap();
    s.remove_group_member(a, g.id, alice.id).await.unwrap();
    assert!(is_not_found(s.remove_group_member(a, g.id, alice.id).await));
    s.grant_group_app(a, g.id, shop.id).await.unwrap();
    s.delete_group(a, g.id).await.unwrap();
    assert!(is_not_found(s.get_group(a, g.id).await));
    assert!(is_not_found(s.delete_group(a, g.id).await));
    let other = group(a, "other");
    s.create_group(&other).await.unwrap();
    // Deleting the group removed its app grant (app_members has no foreign key to it).
    s.grant_group_app(a, other.id, shop.id).await.unwrap();
    assert_eq!(s.get_group(a, other.id).await.unwrap().apps, vec![shop.id]);
}

pub async fn visibility_follows_groups_and_tag_grants(s: &dyn Store) {
    let a = org(s, "acme").await;
    let alice = user(s, a, "alice@acme.test").await;
    let bob = user(s, a, "bob@acme.test").await;
    let va = Visibility::MemberOf(alice.id);
    let vb = Visibility::MemberOf(bob.id);
    let shop = app(s, a, "shop", None).await;
    let billing = app(s, a, "billing", None).await;
    let later = app(s, a, "later", None).await;
    let g = group(a, "team");
    s.create_group(&g).await.unwrap();
    s.add_group_member(a, g.id, alice.id).await.unwrap();
    let names = |v: &Visibility| {
        let v = v.clone();
        async move {
            s.list_apps(a, &v, &ListRequest::first(50))
                .await
                .unwrap()
                .items
                .into_iter()
                .map(|x| x.name)
                .collect::<Vec<_>>()
        }
    };
    assert!(names(&va).await.is_empty());

    // By app.
    s.grant_group_app(a, g.id, shop.id).await.unwrap();
    assert_eq!(names(&va).await, ["shop"]);
    assert_eq!(s.get_app(a, shop.id, &va).await.unwrap().id, shop.id);
    assert!(names(&vb).await.is_empty(), "bob is in no group");

    // By tag: an app tagged after the grant becomes visible.
    let payments = tag(s, a, "payments").await;
    s.add_app_tag(a, billing.id, payments.id).await.unwrap();
    s.grant_group_tag(a, g.id, payments.id).await.unwrap();
    assert_eq!(names(&va).await, ["billing", "shop"]);
    assert!(is_not_found(s.get_app(a, later.id, &va).await));
    s.add_app_tag(a, later.id, payments.id).await.unwrap();
    assert_eq!(names(&va).await, ["billing", "later", "shop"]);
    assert_eq!(s.get_app(a, later.id, &va).await.unwrap().id, later.id);
    // Untagging hides it again; leaving the group hides everything.
    s.remove_app_tag(a, later.id, payments.id).await.unwrap();
    assert!(is_not_found(s.get_app(a, later.id, &va).await));
    s.remove_group_member(a, g.id, alice.id).await.unwrap();
    assert!(names(&va).await.is_empty());
    // A direct membership still counts.
    s.add_app_member(a, later.id, bob.id).await.unwrap();
    assert_eq!(names(&vb).await, ["later"]);
}
