//! Conformance checks for `BlackoutStore`: CRUD, scope and visibility, search, held jobs
//! and blackout pauses.

use super::scans::{new_scan, queued_scan};
use super::{app, at, is_not_found, org, user};
use crate::{BlackoutVisibility, JobState, ListRequest, NewJob, Store, Visibility};
use rampart_domain::blackout::{Blackout, BlackoutScope, FrequencySpec};
use rampart_domain::*;
use rampart_query::{parse_query, parse_sort, ResourceType};

pub(super) fn new_blackout(org: OrgId, app: Option<AppId>, name: &str) -> Blackout {
    Blackout {
        id: BlackoutId::new(),
        org,
        app,
        name: name.into(),
        enabled: true,
        first_start: "2019-10-15T21:00:00Z".into(),
        first_end: "2019-10-15T23:00:00Z".into(),
        last_start: None,
        frequency: Some(FrequencySpec {
            kind: "ONCE".into(),
            interval: Some(0),
        }),
        rrule: None,
        created_at: at(1),
        updated_at: at(1),
    }
}

fn all() -> BlackoutVisibility {
    BlackoutVisibility {
        apps: Visibility::All,
        global: true,
    }
}

async fn names(
    s: &dyn Store,
    o: OrgId,
    vis: &BlackoutVisibility,
    req: &ListRequest,
) -> Vec<String> {
    s.list_blackouts(o, vis, req)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|b| b.name)
        .collect()
}

pub async fn blackouts_crud_scope_and_visibility(s: &dyn Store) {
    let a = org(s, "a").await;
    let b = org(s, "b").await;
    let u = user(s, a, "u@a").await;
    let shop = app(s, a, "shop", Some(u.id)).await;
    let blog = app(s, a, "blog", None).await;
    let other = app(s, b, "other", None).await;

    let mut on_shop = new_blackout(a, Some(shop.id), "release freeze");
    let on_blog = new_blackout(a, Some(blog.id), "blog nights");
    let global = Blackout {
        rrule: Some("FREQ=WEEKLY;INTERVAL=1;BYDAY=SA,SU".into()),
        frequency: None,
        last_start: Some("2030-01-01T00:00:00.000000Z[Asia/Tokyo]".into()),
        ..new_blackout(a, None, "weekends")
    };
    for x in [&on_shop, &on_blog, &global] {
        s.create_blackout(x).await.unwrap();
    }
    assert_eq!(global.scope(), BlackoutScope::Global);
    assert_eq!(
        s.get_blackout(a, global.id, &all()).await.unwrap(),
        global,
        "every field round-trips, the zone form included"
    );
    assert!(
        is_not_found(
            s.create_blackout(&new_blackout(a, Some(other.id), "x"))
                .await
        ),
        "an app of another tenant"
    );
    assert!(is_not_found(s.get_blackout(b, on_shop.id, &all()).await));

    // Visibility: members see their apps' blackouts; global ones need `global`.
    let member = BlackoutVisibility {
        apps: Visibility::MemberOf(u.id),
        global: false,
    };
    assert_eq!(
        names(s, a, &member, &ListRequest::first(10)).await,
        ["release freeze"]
    );
    assert!(is_not_found(s.get_blackout(a, global.id, &member).await));
    assert!(is_not_found(s.get_blackout(a, on_blog.id, &member).await));
    let member_global = BlackoutVisibility {
        global: true,
        ..member.clone()
    };
    assert_eq!(
        names(s, a, &member_global, &ListRequest::first(10)).await,
        ["release freeze", "weekends"]
    );
    // Default sort by name; a search by scope and by app.
    assert_eq!(
        names(s, a, &all(), &ListRequest::first(10)).await,
        ["blog nights", "release freeze", "weekends"]
    );
    let mut req = ListRequest::first(10);
    req.sort = parse_sort(ResourceType::Blackout, "blackout.name,DESC").unwrap();
    assert_eq!(
        names(s, a, &all(), &req).await,
        ["weekends", "release freeze", "blog nights"]
    );
    let mut req = ListRequest::first(10);
    req.filter = Some(parse_query(ResourceType::Blackout, "blackout.scope = 'GLOBAL'").unwrap());
    assert_eq!(names(s, a, &all(), &req).await, ["weekends"]);
    req.filter = Some(
        parse_query(
            ResourceType::Blackout,
            &format!("blackout.app.id = '{}'", shop.id),
        )
        .unwrap(),
    );
    assert_eq!(names(s, a, &all(), &req).await, ["release freeze"]);

    // Update: scope follows the app.
    on_shop.app = None;
    on_shop.enabled = false;
    on_shop.name = "freeze everything".into();
    on_shop.updated_at = at(9);
    s.update_blackout(&on_shop).await.unwrap();
    let got = s.get_blackout(a, on_shop.id, &all()).await.unwrap();
    assert_eq!(got, on_shop);
    assert_eq!(got.scope(), BlackoutScope::Global);
    let mut req = ListRequest::first(10);
    req.filter = Some(parse_query(ResourceType::Blackout, "blackout.scope = 'GLOBAL'").unwrap());
    assert_eq!(
        names(s, a, &all(), &req).await,
        ["freeze everything", "weekends"]
    );
    let enabled: Vec<_> = s
        .enabled_blackouts()
        .await
        .unwrap()
        .into_iter()
        .map(|x| x.id)
        .collect();
    assert!(enabled.contains(&global.id) && enabled.contains(&on_blog.id));
    assert!(
        !enabled.contains(&on_shop.id),
        "disabled ones are not enforced"
    );

    // Delete; deleting an app deletes its blackouts.
    s.delete_blackout(a, on_shop.id).await.unwrap();
    assert!(is_not_found(s.delete_blackout(a, on_shop.id).await));
    assert!(is_not_found(s.delete_blackout(b, global.id).await));
    s.delete_app(a, blog.id).await.unwrap();
    assert!(is_not_found(s.get_blackout(a, on_blog.id, &all()).await));
}

pub async fn blackout_holds_and_pauses(s: &dyn Store) {
    let a = org(s, "a").await;
    let shop = app(s, a, "shop", None).await;
    // A scan submitted BLACKED_OUT has a held job no claim takes.
    let mut waiting = new_scan(a, shop.id, 1);
    waiting.status = ScanStatus::BlackedOut;
    let job = NewJob {
        engine_group: None,
        enqueued_at: at(1),
        recipe: None,
    };
    s.create_scan(&waiting, Some(job), &[]).await.unwrap();
    assert_eq!(
        s.get_job(a, waiting.id).await.unwrap().state,
        JobState::Held
    );
    let lease = chrono::Duration::minutes(1);
    let scope = ClaimScope::embedded();
    let claim = || s.claim_job_scoped(&scope, "w", at(2), lease, u32::MAX);
    assert!(
        claim().await.unwrap().is_none(),
        "a held job is never claimed"
    );

    let queued = queued_scan(s, a, shop.id, 2).await;
    let candidates = s.blackout_candidates().await.unwrap();
    let find =
        |c: &[crate::BlackoutCandidate], id: ScanId| c.iter().find(|x| x.scan == id).cloned();
    let w = find(&candidates, waiting.id).unwrap();
    assert_eq!(
        (w.status, w.job, w.paused_by_blackout, w.app),
        (ScanStatus::BlackedOut, Some(JobState::Held), false, shop.id)
    );
    assert_eq!(
        find(&candidates, queued.id).unwrap().job,
        Some(JobState::Queued)
    );

    // Hold and release are compare-and-set.
    assert!(s.hold_job(a, queued.id).await.unwrap());
    assert!(!s.hold_job(a, queued.id).await.unwrap());
    assert!(claim().await.unwrap().is_none());
    assert!(s.release_held_job(a, waiting.id).await.unwrap());
    assert!(!s.release_held_job(a, waiting.id).await.unwrap());
    let j = claim().await.unwrap().unwrap();
    assert_eq!(j.scan, waiting.id, "released in its place in line");
    assert!(
        !s.hold_job(a, waiting.id).await.unwrap(),
        "a leased job is not held"
    );

    // Pauses are remembered until cleared, and end with the scan.
    s.record_blackout_pause(a, waiting.id, at(3)).await.unwrap();
    s.record_blackout_pause(a, waiting.id, at(4)).await.unwrap();
    assert!(
        find(&s.blackout_candidates().await.unwrap(), waiting.id)
            .unwrap()
            .paused_by_blackout
    );
    assert!(s.clear_blackout_pause(a, waiting.id).await.unwrap());
    assert!(!s.clear_blackout_pause(a, waiting.id).await.unwrap());
    s.record_blackout_pause(a, queued.id, at(3)).await.unwrap();
    s.end_job(a, queued.id).await.unwrap();
    s.transition_scan(
        a,
        queued.id,
        ScanStatus::Pending,
        ScanStatus::Failed,
        None,
        Some(at(5)),
    )
    .await
    .unwrap();
    assert!(
        find(&s.blackout_candidates().await.unwrap(), queued.id).is_some(),
        "a recorded pause stays a candidate until cleared"
    );
    s.end_job(a, waiting.id).await.unwrap();
    let left = s.blackout_candidates().await.unwrap();
    assert!(
        find(&left, waiting.id).is_none(),
        "a finished job is not a candidate"
    );
}
