//! The storage conformance suite: every adapter runs it against its own database with
//! [`conformance_suite!`](crate::conformance_suite).

// The conformance suite is tests shipped as library code (feature `testkit`) so that every
// adapter runs the same checks: a failed expectation is a test failure, so unwrap is the point.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::{ListRequest, Store, StoreError, Visibility};
use chrono::{TimeZone, Utc};
use rampart_domain::*;
use rampart_query::{parse_sort, ResourceType};

// One module per storage area (trait), in the order of `Store`'s supertraits.
mod apps;
mod audit;
mod blackouts;
mod connectors;
mod console;
mod coverage;
mod engines;
mod files;
mod identity;
mod inventory;
mod jobs;
mod leader;
mod oauth;
mod plus;
mod reports;
mod scan_configs;
mod scans;
mod schedules;
mod templates;
mod tenancy;
mod vulns;
mod webhooks;
pub use apps::*;
pub use audit::*;
pub use blackouts::*;
pub use connectors::*;
pub use console::*;
pub use coverage::*;
pub use engines::*;
pub use files::*;
pub use identity::*;
pub use inventory::*;
pub use jobs::*;
pub use leader::*;
pub use oauth::*;
pub use plus::*;
pub use reports::*;
pub use scan_configs::*;
pub use scans::*;
pub use schedules::*;
pub use templates::*;
pub use tenancy::*;
pub use vulns::*;
pub use webhooks::*;

/// Generates one `#[tokio::test]` per conformance check. `$factory` is an async fn
/// returning `Option<Box<dyn Store>>` (the adapters' factories always return `Some`: a
/// backend that is unavailable fails the test).
#[macro_export]
macro_rules! conformance_suite {
    ($factory:path) => {
        $crate::conformance_suite!(@each $factory;
            // tenancy
            orgs_users_and_keys, keys_list_revoke_rotate_and_touch, disabled_owner_stops_keys,
            service_accounts_and_passwords, orgs_rename_delete_and_principals_delete,
            // identity groups
            groups_crud_members_and_grants, visibility_follows_groups_and_tag_grants,
            // apps
            apps_crud_and_tenant_isolation, app_visibility_follows_membership, paging_and_sorting,
            // inventory
            targets_rules, tags_and_app_tags,
            // templates
            attack_templates_and_modules,
            // scan configs
            scan_configs_and_cascade,
            // scans
            scans_crud_and_visibility, submitting_a_scan_is_one_transaction,
            scan_events_and_execution_details, scan_status_compare_and_set,
            scan_coverage_is_replaced_tenant_scoped_and_goes_with_the_scan,
            // job queue
            job_claims_are_exclusive, job_leases_expire_and_heartbeats_extend_them,
            job_protocol_bounds_attempts, job_claims_follow_the_claim_scope,
            a_job_carries_its_recipe_to_the_claim,
            // vulnerabilities
            findings_ingest_idempotently, vulnerabilities_rediscovery_and_reopen,
            vulnerability_updates_record_history, vulnerability_comments_crud,
            verification_scans_remediate_what_they_miss, a_rerun_adds_no_duplicate_variance,
            vulnerability_pages_and_totals_stay_exact,
            // engines
            engine_groups_crud_and_rules, engines_credentials_and_heartbeats,
            engine_status_search_follows_the_rules,
            // files
            files_content_visibility_and_cascade,
            // leadership
            a_store_leads_a_duty_it_leads,
            // schedules
            schedules_crud_visibility_and_orphans, firing_a_schedule_is_compare_and_set,
            // blackouts
            blackouts_crud_scope_and_visibility, blackout_holds_and_pauses,
            // oauth
            oauth_clients_revocations_and_keys,
            // AppSec+
            app_profiles_round_trip, plus_imports_apply_and_filter,
            plus_reimport_reads_seen_from_the_stream, policies_crud_and_tenants,
            triage_records_and_sla_breaches,
            // reports
            reports_crud_visibility_and_cascade, report_claims_are_exclusive_and_leases_expire,
            // webhooks
            webhooks_crud_and_tenants, webhook_outbox_claims_are_exclusive_and_leases_expire,
            // connectors
            connectors_crud_and_tenants,
            // audit log
            audit_log_pages_filters_tenants_and_purge,
            // console sessions
            console_sessions_expire_and_end);
    };
    (@each $factory:path; $($name:ident),*) => {$(
        #[tokio::test]
        async fn $name() {
            let Some(store) = $factory().await else { return };
            $crate::conformance::$name(store.as_ref()).await;
        }
    )*};
}

fn at(minute: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 2, 3, minute, 0)
        .single()
        .unwrap_or_default()
}

async fn org(s: &dyn Store, name: &str) -> OrgId {
    let o = Organization {
        id: OrgId::new(),
        name: name.into(),
        created_at: at(0),
        operator: false,
    };
    s.create_org(&o).await.expect("create org");
    o.id
}

async fn app(s: &dyn Store, org: OrgId, name: &str, member: Option<PrincipalId>) -> App {
    let a = App {
        id: AppId::new(),
        org,
        name: name.into(),
        description: Some(format!("{name} description")),
        profile: AppProfile::default(),
        created_at: at(1),
        updated_at: at(1),
    };
    s.create_app(&a, member).await.expect("create app");
    a
}

async fn user(s: &dyn Store, org: OrgId, email: &str) -> User {
    let u = User {
        id: PrincipalId::new(),
        org,
        email: email.into(),
        display_name: None,
        role: None,
        status: PrincipalStatus::Active,
        created_at: at(2),
    };
    s.create_user(&u).await.expect("create user");
    u
}

async fn template(s: &dyn Store, org: OrgId, name: &str) -> AttackTemplate {
    let t = AttackTemplate {
        id: AttackTemplateId::new(),
        org,
        name: name.into(),
        description: None,
        system_defined: false,
        browser_encoding_enabled: false,
        attack_prioritization: AttackPrioritization::Smart,
        advanced_attacks_enabled: true,
        false_positive_regex: None,
        created_at: at(3),
    };
    s.create_attack_template(&t, &[])
        .await
        .expect("create template");
    t
}

fn is_not_found<T: std::fmt::Debug>(r: Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::NotFound))
}

fn is_conflict<T: std::fmt::Debug>(r: Result<T, StoreError>) -> bool {
    matches!(r, Err(StoreError::Conflict(_)))
}
