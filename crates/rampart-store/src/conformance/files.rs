//! Conformance checks for `FileStore`.

use super::*;
use rampart_domain::file::{AppFile, FileType};

fn file(org: OrgId, app: AppId, name: &str, owner: PrincipalId) -> AppFile {
    AppFile {
        id: FileId::new(),
        org,
        app,
        name: name.into(),
        description: Some("d".into()),
        kind: FileType::Swagger,
        locked: false,
        owner,
        last_updated_by: owner,
        last_updated: at(4),
        size: None,
    }
}

pub async fn files_content_visibility_and_cascade(s: &dyn Store) {
    let o = org(s, "o").await;
    let other = org(s, "other").await;
    let u = user(s, o, "u@o.test").await;
    let x = app(s, o, "x", Some(u.id)).await;
    let y = app(s, o, "y", None).await;
    let mut f = file(o, x.id, "b.json", u.id);
    s.create_file(&f).await.expect("create");
    let g = file(o, x.id, "a.yaml", u.id);
    s.create_file(&g).await.expect("create");
    s.create_file(&file(o, y.id, "c.json", u.id))
        .await
        .expect("create");
    // Names are unique per app, not per organization.
    assert!(is_conflict(
        s.create_file(&file(o, x.id, "b.json", u.id)).await
    ));
    s.create_file(&file(o, y.id, "b.json", u.id))
        .await
        .expect("same name, other app");

    let got = s.get_file(o, x.id, f.id, &Visibility::All).await.unwrap();
    assert_eq!(got, f);
    assert!(!got.content_available());
    assert_eq!(
        s.get_file_content(o, x.id, f.id, &Visibility::All)
            .await
            .unwrap(),
        None
    );
    // Tenant, app and visibility scoping.
    assert!(is_not_found(
        s.get_file(other, x.id, f.id, &Visibility::All).await
    ));
    assert!(is_not_found(
        s.get_file(o, y.id, f.id, &Visibility::All).await
    ));
    let stranger = Visibility::MemberOf(PrincipalId::new());
    assert!(is_not_found(s.get_file(o, x.id, f.id, &stranger).await));
    assert!(is_not_found(
        s.get_file_content(o, x.id, f.id, &stranger).await
    ));
    let member = Visibility::MemberOf(u.id);
    assert!(s.get_file(o, x.id, f.id, &member).await.is_ok());

    // Content: every byte value survives, and the size follows it.
    let bytes: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    s.put_file_content(o, x.id, f.id, &bytes, u.id, at(5))
        .await
        .unwrap();
    let got = s.get_file(o, x.id, f.id, &Visibility::All).await.unwrap();
    assert_eq!(got.size, Some(70_000));
    assert_eq!(got.last_updated, at(5));
    assert_eq!(
        s.get_file_content(o, x.id, f.id, &Visibility::All)
            .await
            .unwrap(),
        Some(bytes.clone())
    );
    assert!(is_not_found(
        s.put_file_content(o, y.id, f.id, b"x", u.id, at(5)).await
    ));

    // Metadata updates keep the content.
    f.name = "renamed.json".into();
    f.locked = true;
    f.last_updated = at(6);
    s.update_file(&f).await.unwrap();
    let got = s.get_file(o, x.id, f.id, &Visibility::All).await.unwrap();
    assert_eq!(
        (got.name.as_str(), got.locked, got.size),
        ("renamed.json", true, Some(70_000))
    );

    // Lists: one app in name order, or every visible app.
    let page = s
        .list_files(o, Some(x.id), &Visibility::All, &ListRequest::first(10))
        .await
        .unwrap();
    let names: Vec<_> = page.items.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["a.yaml", "renamed.json"]);
    assert_eq!(page.total, 2);
    let all = s
        .list_files(o, None, &Visibility::All, &ListRequest::first(10))
        .await
        .unwrap();
    assert_eq!(all.total, 4);
    let mine = s
        .list_files(o, None, &member, &ListRequest::first(10))
        .await
        .unwrap();
    assert_eq!(mine.total, 2);

    // Admission reads by name, with content.
    let named = s
        .files_named(
            o,
            x.id,
            &["renamed.json".into(), "a.yaml".into(), "zzz".into()],
        )
        .await
        .unwrap();
    assert_eq!(named.len(), 2);
    let with = named
        .iter()
        .find(|(f, _)| f.name == "renamed.json")
        .unwrap();
    assert_eq!(with.1.as_deref(), Some(bytes.as_slice()));
    assert_eq!(s.app_files(o, x.id).await.unwrap().len(), 2);

    // Delete, then the app cascade.
    s.delete_file(o, x.id, g.id).await.unwrap();
    assert!(is_not_found(s.delete_file(o, x.id, g.id).await));
    s.delete_app(o, x.id).await.unwrap();
    assert!(is_not_found(
        s.get_file(o, x.id, f.id, &Visibility::All).await
    ));
    assert_eq!(
        s.list_files(o, None, &Visibility::All, &ListRequest::first(10))
            .await
            .unwrap()
            .total,
        2
    );
}
