//! What a request body must carry that an answer need not, said in the schemas the request
//! bodies name (the routes answer 422 to a body that lacks it).
//!
//! [`REQUIRED`]: members every body of a schema carries, requests and answers alike, required
//! in the schema itself. [`ON_WRITE`]: members only a request must give: an `/ias/v1`
//! resource has one wire type for its request and its answer (see [`super::lenient`]), so
//! they are required in the `…Write` twin the request bodies name (made here when the schema
//! has none), and the answers keep the plain schema. A member that must be given takes no
//! `null` (the routes read it as absent), and a lenient boolean no `""`.
//!
//! Then the rules between members, which `required` cannot say: one schema per case
//! (`oneOf`, or `anyOf` where cases overlap), each list of cases taken from the server's own
//! (`FileType::extensions`, `Scope::ALL`). The integration test `request_rules_hold` sends
//! bodies on either side of every rule to the real routes.

use super::lenient::{self, write_name};
use super::ONE_LINE;
use utoipa::openapi::schema::{
    AnyOfBuilder, ArrayItems, Object, ObjectBuilder, OneOfBuilder, SchemaType, Type,
};
use utoipa::openapi::{Components, OpenApi, Ref, RefOr, Schema};

/// Members the service refuses to go without in a request and that every answer carries:
/// required (and not `null`) in the schema itself.
pub(super) const REQUIRED: &[(&str, &str)] = &[
    ("ScanActionBody", "action"),
    // A search without a type is 422 (`unknown search type ''`).
    ("SearchRequest", "type"),
    ("OrganizationInput", "name"),
    ("ReportGeneration", "name"),
    ("ReportGeneration", "type"),
    ("ReportGeneration", "format"),
    ("NewApiKey", "role"),
    // A scan config's assignment names where its scans run (422 `must be CLOUD or
    // ON_PREMISE` without it); every answer carries it.
    ("EngineAssignment", "environment"),
];

/// Members only a request must give (422 `is required` without them): (schema, the twin
/// that the request bodies of `methods` name, methods, members). An update may keep what
/// is stored, and then its body has a twin of its own.
pub(super) const ON_WRITE: &[(&str, &str, &[&str], &[&str])] = &[
    (
        "AttackModule",
        "AttackModuleWrite",
        &["post", "put"],
        &["module_config_id", "severity", "max_findings"],
    ),
    (
        "Blackout",
        "BlackoutWrite",
        &["post", "put"],
        &["name", "enabled", "first_start", "first_end"],
    ),
    (
        "Schedule",
        "ScheduleWrite",
        &["post", "put"],
        &["enabled", "scan_config", "first_start"],
    ),
    (
        "ScanConfig",
        "ScanConfigWrite",
        &["post", "put"],
        &["app", "attack_template"],
    ),
    ("Scan", "ScanWrite", &["post"], &["scan_config"]),
    (
        "VulnerabilityComment",
        "VulnerabilityCommentWrite",
        &["post", "put"],
        &["content"],
    ),
    ("File", "FileWrite", &["post", "put"], &["name", "type"]),
    // A group's name is kept when an update leaves it out.
    ("IdentityGroup", "IdentityGroupCreate", &["post"], &["name"]),
    ("IdentityGroup", "IdentityGroupWrite", &["put"], &[]),
];

/// The members of `schema` whose schema in a request this module changes: those of
/// [`ON_WRITE`], the vulnerability's (see [`variances`], [`vulnerability_words`]), and the
/// recurrence of schedules and blackouts ([`one_recurrence`]).
#[cfg(test)]
pub(super) fn members(schema: &str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = ON_WRITE
        .iter()
        .filter(|(s, ..)| *s == schema)
        .flat_map(|(.., m)| m.iter().copied())
        .collect();
    match schema {
        "Vulnerability" => out.extend(["variances", "severity", "status"]),
        "Schedule" | "Blackout" => out.extend(["frequency", "rrule"]),
        _ => {}
    }
    out
}

/// A text with a character other than white space, and no NUL.
const NOT_BLANK: &str = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$";

/// The component a lenient boolean that must be given names.
pub(super) const GIVEN_BOOL: &str = "LenientBoolGiven";

/// Applies [`REQUIRED`] to the components (before the `…Write` twins are made, which keep it).
pub(super) fn required(components: &mut Components) {
    for (schema, member) in REQUIRED {
        give(components, schema, member);
    }
}

/// Makes the twins of [`ON_WRITE`] and the rules between members (after every other change
/// to the components, which the twins keep).
pub(super) fn apply(api: &mut OpenApi) {
    if let Some(components) = api.components.as_mut() {
        components.schemas.insert(
            GIVEN_BOOL.into(),
            RefOr::T(rampart_api_types::lenient::given_bool_schema()),
        );
    }
    for (schema, twin_name, methods, members) in ON_WRITE {
        twin(api, schema, twin_name, methods);
        let Some(components) = api.components.as_mut() else {
            return;
        };
        for member in *members {
            give(components, twin_name, member);
        }
    }
    let Some(components) = api.components.as_mut() else {
        return;
    };
    variances(components);
    vulnerability_words(components);
    module_bounds(components);
    file_names(components);
    variance_filter(components);
    grant(components);
    for name in ["IdentityGroupWrite", "IdentityGroupCreate"] {
        members_only_when_local(components, name);
    }
    oauth_scopes(components);
    report_subjects(components);
    key_owner(components);
    frequency(components);
    for name in ["ScheduleWrite", "BlackoutWrite"] {
        one_recurrence(components, name);
    }
}

/// Makes `name` the twin of `schema` that the request bodies of `methods` name: a copy of
/// the schema (or of its `…Write` twin, when the lenient booleans made one) if it is not
/// there yet.
fn twin(api: &mut OpenApi, schema: &str, name: &str, methods: &[&str]) {
    let write = write_name(schema);
    let Some(components) = api.components.as_mut() else {
        return;
    };
    if !components.schemas.contains_key(name) {
        let from = if components.schemas.contains_key(&write) {
            &write
        } else {
            schema
        };
        let Some(copy) = components.schemas.get(from).cloned() else {
            return;
        };
        components.schemas.insert(name.to_string(), copy);
    }
    for item in api.paths.paths.values_mut() {
        for (method, op) in super::operations_mut(item) {
            if !methods.contains(&method) {
                continue;
            }
            let Some(body) = op.request_body.as_mut() else {
                continue;
            };
            for content in body.content.values_mut() {
                if let Some(RefOr::Ref(r)) = content.schema.as_mut() {
                    let named = r.ref_location.rsplit('/').next().unwrap_or_default();
                    if named == schema || named == write {
                        *r = Ref::from_schema_name(name);
                    }
                }
            }
        }
    }
}

fn object_mut<'a>(components: &'a mut Components, schema: &str) -> Option<&'a mut Object> {
    match components.schemas.get_mut(schema) {
        Some(RefOr::T(Schema::Object(o))) => Some(o),
        _ => None,
    }
}

/// `member` of `schema` required, and what the routes read as absent refused: `null`, and
/// `""` in a lenient boolean.
fn give(components: &mut Components, schema: &str, member: &str) {
    let Some(o) = object_mut(components, schema) else {
        return;
    };
    if !o.required.iter().any(|r| r == member) {
        o.required.push(member.to_string());
    }
    let Some(p) = o.properties.get_mut(member) else {
        return;
    };
    match p {
        RefOr::T(Schema::Object(p)) => {
            if let SchemaType::Array(types) = &p.schema_type {
                let mut rest: Vec<Type> = types
                    .iter()
                    .filter(|t| **t != Type::Null)
                    .cloned()
                    .collect();
                p.schema_type = match rest.len() {
                    1 => SchemaType::Type(rest.remove(0)),
                    _ => SchemaType::from_iter(rest),
                };
            }
            if let Some(values) = p.enum_values.as_mut() {
                values.retain(|v| !v.is_null());
            }
            // A text the routes read as absent when blank (`""`, or white space only).
            if p.schema_type == SchemaType::Type(Type::String)
                && p.pattern.as_deref() == Some(super::NO_NUL)
            {
                p.min_length = Some(1);
                p.pattern = Some(NOT_BLANK.into());
            }
        }
        RefOr::T(Schema::Array(a)) => {
            if let SchemaType::Array(types) = &a.schema_type {
                let rest: Vec<Type> = types
                    .iter()
                    .filter(|t| **t != Type::Null)
                    .cloned()
                    .collect();
                a.schema_type = SchemaType::from_iter(rest);
            }
        }
        RefOr::T(Schema::OneOf(one)) => {
            // `Option<T>` of a component: `oneOf: [null, T]`.
            let description = one.description.clone();
            let mut rest: Vec<RefOr<Schema>> =
                one.items.iter().filter(|i| !is_null(i)).cloned().collect();
            if let [RefOr::Ref(r)] = rest.as_mut_slice() {
                if let Some(d) = description {
                    r.description = d;
                }
                *p = RefOr::Ref(r.clone());
            } else {
                one.items = rest;
            }
        }
        RefOr::Ref(r)
            if r.ref_location
                .ends_with(&format!("/{}", lenient::LENIENT_BOOL)) =>
        {
            let mut given = Ref::from_schema_name(GIVEN_BOOL);
            given.description = r.description.clone();
            *r = given;
        }
        _ => {}
    }
}

fn is_null(s: &RefOr<Schema>) -> bool {
    matches!(s, RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null))
}

fn null() -> RefOr<Schema> {
    RefOr::T(Schema::Object(
        ObjectBuilder::new().schema_type(Type::Null).build(),
    ))
}

/// `VulnerabilityWrite.variances`: each item carries its `id` (the route reads whole
/// variances, `id` included, and ignores them), which the answers mark read-only.
fn variances(components: &mut Components) {
    let Some(RefOr::T(Schema::Object(mut variance))) = components.schemas.get("Variance").cloned()
    else {
        return;
    };
    for member in variance.required.clone() {
        if let Some(RefOr::T(Schema::Object(p))) = variance.properties.get_mut(&member) {
            p.read_only = None;
        }
    }
    let twin = write_name("Variance");
    components
        .schemas
        .insert(twin.clone(), RefOr::T(Schema::Object(variance)));
    let Some(o) = object_mut(components, &write_name("Vulnerability")) else {
        return;
    };
    if let Some(RefOr::T(Schema::Array(a))) = o.properties.get_mut("variances") {
        a.items = ArrayItems::RefOrSchema(Box::new(Ref::from_schema_name(twin).into()));
    }
}

/// `VulnerabilityWrite`: the words of the only members the route changes (422 otherwise),
/// or `null`. (Only the twin: the AppSec+ answers name the plain schema too, in their
/// own words.)
fn vulnerability_words(components: &mut Components) {
    use rampart_domain::{Severity, VulnStatus};
    let Some(o) = object_mut(components, &write_name("Vulnerability")) else {
        return;
    };
    let severities = Severity::ALL.iter().map(|s| s.as_str());
    let statuses = VulnStatus::ALL.iter().map(|s| s.as_str());
    for (member, words) in [
        ("severity", severities.collect::<Vec<_>>()),
        ("status", statuses.collect()),
    ] {
        if let Some(RefOr::T(Schema::Object(p))) = o.properties.get_mut(member) {
            p.pattern = None;
            let mut values: Vec<serde_json::Value> = words.into_iter().map(Into::into).collect();
            values.push(serde_json::Value::Null);
            p.enum_values = Some(values);
        }
    }
}

/// A module's `max_findings` is a count (422 below zero).
fn module_bounds(components: &mut Components) {
    if let Some(RefOr::T(Schema::Object(p))) = object_mut(components, &write_name("AttackModule"))
        .and_then(|o| o.properties.get_mut("max_findings"))
    {
        p.minimum = Some(0.into());
    }
}

/// The characters Rust's `str::trim` removes (Unicode `White_Space`), as a class: `\s`
/// differs between regex dialects (Python's takes U+001C–U+001F, ECMA's U+FEFF), so a
/// pattern of what the server trims names them.
const TRIMMED: &str =
    "[\\t\\n\\u000b\\u000c\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";

/// The component a written `frequency` names.
const FREQUENCY_WRITE: &str = "FrequencyWrite";

/// `FrequencyWrite`: a `frequency` as `Recurrence::parse` reads it: `type` one of
/// `FrequencyKind::ALL` (any case, white space around it allowed); `ONCE` takes any
/// `interval` or none, the others an `interval` of 1 to 65535.
fn frequency(components: &mut Components) {
    use rampart_domain::recurrence::{FrequencyKind, MAX_INTERVAL};
    let Some(RefOr::T(Schema::Object(base))) = components.schemas.get("Frequency").cloned() else {
        return;
    };
    let word = |kinds: &[FrequencyKind]| -> String {
        let words: Vec<String> = kinds.iter().map(|k| any_case(k.as_str())).collect();
        format!("^{TRIMMED}*({}){TRIMMED}*$", words.join("|"))
    };
    let (once, every): (Vec<FrequencyKind>, Vec<FrequencyKind>) = FrequencyKind::ALL
        .iter()
        .copied()
        .partition(|k| *k == FrequencyKind::Once);
    let mut one_of = OneOfBuilder::new().description(base.description.clone());
    for (kinds, description) in [
        (once, "Once, at `first_start`: `interval` is not read."),
        (every, "Every `interval` hours, days, weeks or months."),
    ] {
        let mut o = base.clone();
        o.description = Some(description.into());
        o.required.push("type".into());
        if let Some(RefOr::T(Schema::Object(p))) = o.properties.get_mut("type") {
            p.schema_type = SchemaType::Type(Type::String);
            p.pattern = Some(word(&kinds[..]));
        }
        if !kinds.contains(&FrequencyKind::Once) {
            o.required.push("interval".into());
            if let Some(RefOr::T(Schema::Object(p))) = o.properties.get_mut("interval") {
                p.schema_type = SchemaType::Type(Type::Integer);
                p.minimum = Some(1.into());
                p.maximum = Some(MAX_INTERVAL.into());
            }
        }
        one_of = one_of.item(RefOr::T(Schema::Object(o)));
    }
    components.schemas.insert(
        FREQUENCY_WRITE.into(),
        RefOr::T(Schema::OneOf(one_of.build())),
    );
}

/// A schedule or a blackout recurs by exactly one of `frequency` and `rrule` (a blank
/// `rrule` is absent; 422 `either a frequency or a rrule must be provided` or `give either
/// frequency or rrule, not both`). The rule's own grammar (RFC 5545) is not stated.
fn one_recurrence(components: &mut Components, name: &str) {
    let Some(RefOr::T(Schema::Object(base))) = components.schemas.get(name).cloned() else {
        return;
    };
    let text = |pattern: &str, nullable: bool| {
        let mut b = ObjectBuilder::new().pattern(Some(pattern));
        b = if nullable {
            b.schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        } else {
            b.schema_type(Type::String).min_length(Some(1))
        };
        RefOr::T(Schema::Object(b.build()))
    };
    let mut by_frequency = base.clone();
    by_frequency.description = Some("Recurs by `frequency` (`rrule` null or blank).".into());
    by_frequency.required.push("frequency".into());
    by_frequency.properties.insert(
        "frequency".into(),
        Ref::from_schema_name(FREQUENCY_WRITE).into(),
    );
    by_frequency
        .properties
        .insert("rrule".into(), text(&format!("^{TRIMMED}*$"), true));
    let mut by_rule = base.clone();
    by_rule.description = Some("Recurs by `rrule` (an RFC 5545 rule; no `frequency`).".into());
    by_rule.required.push("rrule".into());
    by_rule
        .properties
        .insert("rrule".into(), text(NOT_BLANK, false));
    by_rule.properties.insert("frequency".into(), null());
    let one_of = OneOfBuilder::new()
        .description(base.description.clone())
        .item(RefOr::T(Schema::Object(by_frequency)))
        .item(RefOr::T(Schema::Object(by_rule)))
        .build();
    components
        .schemas
        .insert(name.into(), RefOr::T(Schema::OneOf(one_of)));
}

/// `[Aa]`-style classes: `word` in any ASCII case.
fn any_case(word: &str) -> String {
    word.chars()
        .map(|c| {
            if c.is_ascii_alphabetic() {
                format!("[{}{}]", c.to_ascii_uppercase(), c.to_ascii_lowercase())
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// `FileWrite` as one schema per file type (`FileType::ALL`), whose `name` ends with one of
/// the type's extensions (`FileType::extensions`, any case; the name is trimmed first).
fn file_names(components: &mut Components) {
    use rampart_domain::file::FileType;
    let name = write_name("File");
    let Some(RefOr::T(Schema::Object(base))) = components.schemas.get(&name).cloned() else {
        return;
    };
    let mut one_of = OneOfBuilder::new().description(base.description.clone());
    for t in FileType::ALL {
        let mut o = base.clone();
        o.description = Some(format!(
            "A `{}` file: its name ends with .{}.",
            t.as_str(),
            t.extensions().join(", .")
        ));
        if let Some(RefOr::T(Schema::Object(kind))) = o.properties.get_mut("type") {
            kind.enum_values = Some(vec![t.as_str().into()]);
        }
        if let Some(RefOr::T(Schema::Object(n))) = o.properties.get_mut("name") {
            n.pattern = Some(extension_pattern(t.extensions()));
        }
        let branch = format!(
            "{}FileWrite",
            super::title(&super::camel(&t.as_str().to_ascii_lowercase()))
        );
        components
            .schemas
            .insert(branch.clone(), RefOr::T(Schema::Object(o)));
        one_of = one_of.item(Ref::from_schema_name(branch));
    }
    components
        .schemas
        .insert(name, RefOr::T(Schema::OneOf(one_of.build())));
}

/// A one-line name ending with `.` and one of `extensions` (any ASCII case), white space
/// after it allowed (the name is trimmed).
fn extension_pattern(extensions: &[&str]) -> String {
    let ext: Vec<String> = extensions.iter().map(|e| any_case(e)).collect();
    format!(
        "^[^\\u0000-\\u001f\\u007f-\\u009f]*\\.({})[^\\S\\u0000-\\u001f\\u007f-\\u009f]*$",
        ext.join("|")
    )
}

/// `VarianceFilterRequest`: the vulnerabilities named (`vuln_ids` or `vuln_uuids`, not
/// empty) or a `scan_id`, or both (422 otherwise).
fn variance_filter(components: &mut Components) {
    let name = "VarianceFilterRequest";
    let Some(RefOr::T(Schema::Object(base))) = components.schemas.get(name).cloned() else {
        return;
    };
    let mut any_of = AnyOfBuilder::new().description(base.description.clone());
    for member in ["vuln_ids", "vuln_uuids", "scan_id"] {
        let mut o = base.clone();
        o.description = Some(format!("Names `{member}`."));
        o.required.push(member.into());
        match o.properties.get_mut(member) {
            Some(RefOr::T(Schema::Array(a))) => a.min_items = Some(1),
            Some(RefOr::T(Schema::Object(p))) => p.schema_type = SchemaType::Type(Type::String),
            _ => {}
        }
        any_of = any_of.item(RefOr::T(Schema::Object(o)));
    }
    components
        .schemas
        .insert(name.into(), RefOr::T(Schema::AnyOf(any_of.build())));
}

/// `Grant`: exactly one of `applicationId` and `tag` (a tag's name or id: a name not yet
/// used makes a tag, with a tag's name rules).
fn grant(components: &mut Components) {
    let name = "Grant";
    let Some(RefOr::T(Schema::Object(base))) = components.schemas.get(name).cloned() else {
        return;
    };
    let mut one_of = OneOfBuilder::new().description(base.description.clone());
    for (given, other) in [("applicationId", "tag"), ("tag", "applicationId")] {
        let mut o = base.clone();
        o.description = Some(format!("Grants by `{given}`."));
        o.required.push(given.into());
        if let Some(RefOr::T(Schema::Object(p))) = o.properties.get_mut(given) {
            p.schema_type = SchemaType::Type(Type::String);
            if given == "tag" {
                p.min_length = Some(1);
                p.max_length = Some(100);
                p.pattern = Some(ONE_LINE.into());
            }
        }
        o.properties.insert(other.into(), null());
        one_of = one_of.item(RefOr::T(Schema::Object(o)));
    }
    components
        .schemas
        .insert(name.into(), RefOr::T(Schema::OneOf(one_of.build())));
}

/// An identity group's `members` are written only to a `local` group (`source` left out
/// on creation makes one): either no `members`, or `source` local.
fn members_only_when_local(components: &mut Components, name: &str) {
    let Some(RefOr::T(Schema::Object(base))) = components.schemas.get(name).cloned() else {
        return;
    };
    let local = rampart_domain::GroupSource::Local.as_str();
    let mut any_of = AnyOfBuilder::new().description(base.description.clone());
    let mut without = base.clone();
    without.description = Some("Without `members`.".into());
    without.properties.insert("members".into(), null());
    let mut with = base.clone();
    with.description = Some(format!("A `{local}` group, whose `members` are written."));
    if let Some(RefOr::T(Schema::Object(p))) = with.properties.get_mut("source") {
        p.enum_values = Some(vec![local.into(), serde_json::Value::Null]);
    }
    any_of = any_of
        .item(RefOr::T(Schema::Object(without)))
        .item(RefOr::T(Schema::Object(with)));
    components
        .schemas
        .insert(name.into(), RefOr::T(Schema::AnyOf(any_of.build())));
}

/// `OAuthClientCreate`: `scopes`, when given, names at least one scope (`Scope::ALL` or
/// the aliases of `Scopes::aliases`), space-separated.
fn oauth_scopes(components: &mut Components) {
    use rampart_domain::scopes::{Scope, Scopes};
    let Some(o) = object_mut(components, "OAuthClientCreate") else {
        return;
    };
    if let Some(RefOr::T(Schema::Object(p))) = o.properties.get_mut("scopes") {
        let words: Vec<&str> = Scopes::aliases()
            .iter()
            .map(|(a, _)| *a)
            .chain(Scope::ALL.iter().map(|s| s.as_str()))
            .collect();
        let word = format!("({})", words.join("|"));
        p.pattern = Some(format!("^ *{word}( +{word})* *$"));
    }
}

/// `NewApiKey.owner`: the organization (a super key), or a user or service account by `id`.
fn key_owner(components: &mut Components) {
    let Some(RefOr::T(Schema::Object(base))) = components.schemas.get("KeyOwner").cloned() else {
        return;
    };
    let mut organization = base.clone();
    organization.description = Some("The organization: a super key.".into());
    if let Some(RefOr::T(Schema::Object(p))) = organization.properties.get_mut("type") {
        p.enum_values = Some(vec!["organization".into()]);
    }
    let mut principal = base;
    principal.description = Some("A user or a service account of the organization.".into());
    if let Some(RefOr::T(Schema::Object(p))) = principal.properties.get_mut("type") {
        p.enum_values = Some(vec!["user".into(), "service_account".into()]);
    }
    if let Some(RefOr::T(Schema::Object(p))) = principal.properties.get_mut("id") {
        p.schema_type = SchemaType::Type(Type::String);
    }
    principal.required.push("id".into());
    let owner = OneOfBuilder::new()
        .item(null())
        .item(RefOr::T(Schema::Object(organization)))
        .item(RefOr::T(Schema::Object(principal)))
        .build();
    if let Some(o) = object_mut(components, "NewApiKey") {
        o.properties
            .insert("owner".into(), RefOr::T(Schema::OneOf(owner)));
    }
}

/// `ReportGeneration` as one schema per subject and formats of its types
/// (`rampart_report::ReportType`): a report about a scan needs `scan`; a single-app
/// executive report names its app by `scan` or by `app`; an all-apps report names neither.
fn report_subjects(components: &mut Components) {
    use rampart_report::ReportType;
    let name = "ReportGeneration";
    let Some(RefOr::T(Schema::Object(base))) = components.schemas.get(name).cloned() else {
        return;
    };
    // (subject, formats) → types, in the order of `ReportType::ALL`.
    /// A subject (`scan`, `app`, `all`) and the formats of its types.
    type Key<'a> = (&'a str, Vec<&'a str>);
    let mut groups: Vec<(Key, Vec<&str>)> = Vec::new();
    for t in ReportType::ALL {
        let formats: Vec<&str> = t.formats().iter().map(|f| f.wire()).collect();
        let subjects: &[&str] = if t.all_apps() {
            &["all"]
        } else if t.needs_scan() {
            &["scan"]
        } else {
            &["scan", "app"]
        };
        for subject in subjects {
            let key = (*subject, formats.clone());
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, types)) => types.push(t.wire()),
                None => groups.push((key, vec![t.wire()])),
            }
        }
    }
    let mut one_of = OneOfBuilder::new().description(base.description.clone());
    for ((subject, formats), types) in groups {
        let mut o = base.clone();
        let words = |w: &[&str]| -> Option<Vec<serde_json::Value>> {
            Some(w.iter().map(|w| (*w).into()).collect())
        };
        if let Some(RefOr::T(Schema::Object(p))) = o.properties.get_mut("type") {
            p.enum_values = words(&types);
        }
        if let Some(RefOr::T(Schema::Object(p))) = o.properties.get_mut("format") {
            p.enum_values = words(&formats);
        }
        let about = match subject {
            "scan" => {
                o.properties
                    .insert("scan".into(), Ref::from_schema_name("IdRef").into());
                o.required.push("scan".into());
                "one scan (`scan`)"
            }
            "app" => {
                o.properties
                    .insert("app".into(), Ref::from_schema_name("IdRef").into());
                o.properties.insert("scan".into(), null());
                o.required.push("app".into());
                "one app (`app`, no `scan`)"
            }
            _ => {
                o.properties.insert("scan".into(), null());
                o.properties.insert("app".into(), null());
                "every app (no `scan`, no `app`)"
            }
        };
        o.description = Some(format!(
            "A report about {about}, in {}.",
            formats.join(", ")
        ));
        one_of = one_of.item(RefOr::T(Schema::Object(o)));
    }
    components
        .schemas
        .insert(name.into(), RefOr::T(Schema::OneOf(one_of.build())));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openapi::lenient::tests::{named, objects};
    use serde_json::{json, Value};

    fn doc() -> Value {
        serde_json::to_value(super::super::openapi()).expect("json")
    }

    /// Every member a request must give is required in every request schema of its bodies,
    /// and takes no `null` (nor a lenient `""`); the bodies of those methods name the twin,
    /// and the answers keep the plain schema, which does not require it.
    #[test]
    fn members_given_on_write_are_required_in_the_request_bodies_only() {
        let doc = doc();
        for (schema, twin, methods, members) in ON_WRITE {
            let plain = &doc["components"]["schemas"][schema];
            for o in objects(&doc, twin) {
                for member in *members {
                    assert!(
                        o["required"]
                            .as_array()
                            .is_some_and(|r| r.contains(&json!(member))),
                        "{twin}.{member} is not required"
                    );
                    let p = &o["properties"][member];
                    let text = p.to_string();
                    assert!(
                        !text.contains("\"null\"") && !text.contains("/LenientBool\""),
                        "{twin}.{member} takes null: {p}"
                    );
                    assert!(
                        !plain["required"]
                            .as_array()
                            .is_some_and(|r| r.contains(&json!(member))),
                        "{schema}.{member} is required in the answers"
                    );
                }
            }
            let mut bodies = 0;
            for (path, item) in doc["paths"].as_object().expect("paths") {
                for (method, op) in item.as_object().expect("operations") {
                    let Some(body) = op["requestBody"]["content"]["application/json"].as_object()
                    else {
                        continue;
                    };
                    let name = named(&Value::Object(body.clone())).to_string();
                    if methods.contains(&method.as_str()) {
                        assert_ne!(name, *schema, "{method} {path} names the plain schema");
                        bodies += usize::from(name == *twin);
                    }
                    for (code, r) in op["responses"].as_object().expect("responses") {
                        let answer = named(&r["content"]["application/json"]);
                        assert_ne!(answer, *twin, "{method} {path} {code} answers the twin");
                    }
                }
            }
            assert!(bodies > 0, "no request body names {twin}");
        }
    }

    /// The file name pattern of each type accepts exactly the names `FileType::name_problem`
    /// accepts (one-line names: the text rule refuses control characters first).
    #[test]
    fn file_name_patterns_say_what_the_type_takes() {
        use rampart_domain::file::FileType;
        let names = [
            "a.wsdl",
            "A.WSDL",
            "x.WsDl",
            ".wsdl",
            "a.wsdl ",
            " a.wsdl",
            "a.wsdl.json",
            "a.json",
            "a.yaml",
            "a.YML",
            "wsdl",
            "a.wsdl\u{a0}",
            "a.rec",
            "a.trec",
            "a.har",
            "a.pfx",
            "a.P12",
            "a.graphqls",
            "a.side",
            "a..wsdl",
            "a.",
            "a. wsdl",
            "a.ws dl",
        ];
        for t in FileType::ALL {
            let schema = json!({"type": "string", "pattern": extension_pattern(t.extensions())});
            let v = jsonschema::draft202012::new(&schema).expect("a valid schema");
            for name in names {
                assert_eq!(
                    v.is_valid(&json!(name)),
                    t.name_problem(name).is_none(),
                    "{} {name:?}",
                    t.as_str()
                );
            }
        }
    }

    /// The frequency's `type` patterns accept exactly the words `FrequencyKind::parse`
    /// reads, each in its own branch; an interval is bounded as the server bounds it.
    #[test]
    fn frequency_words_say_what_the_server_reads() {
        use rampart_domain::recurrence::FrequencyKind;
        let doc = doc();
        let mut schema = json!({"$ref": "#/components/schemas/FrequencyWrite"});
        schema["components"] = doc["components"].clone();
        let v = jsonschema::draft202012::new(&schema).expect("a valid schema");
        for word in [
            "ONCE",
            "once",
            " Once ",
            "DAILY",
            "daily",
            "\tWeekly\n",
            "hourly",
            "MONTHLY",
            "YEARLY",
            "",
            " ",
            "DAIL",
            "DAILYY",
            "ONCE DAILY",
            "MINUTELY",
            "\u{85}daily\u{3000}",
            "\u{a0}ONCE",
            "\u{1c}DAILY",
            "DAILY\u{1f}",
            "\u{feff}DAILY",
            "DAILY\u{200b}",
        ] {
            let reads = FrequencyKind::parse(word);
            let interval = if reads == Some(FrequencyKind::Once) {
                json!(null)
            } else {
                json!(3)
            };
            assert_eq!(
                v.is_valid(&json!({"type": word, "interval": interval})),
                reads.is_some(),
                "{word:?}"
            );
        }
        for (interval, valid) in [(json!(0), false), (json!(1), true), (json!(65535), true)] {
            assert_eq!(
                v.is_valid(&json!({"type": "DAILY", "interval": interval})),
                valid,
                "{interval}"
            );
        }
        assert!(!v.is_valid(&json!({"type": "DAILY", "interval": 65536})));
        assert!(!v.is_valid(&json!({"type": "DAILY"})));
        assert!(v.is_valid(&json!({"type": "ONCE", "interval": -4})));
        // A blank `rrule` beside a frequency is what `str::trim` empties.
        for name in ["ScheduleWrite", "BlackoutWrite"] {
            let by_frequency = &doc["components"]["schemas"][name]["oneOf"][0];
            let rrule = &by_frequency["properties"]["rrule"];
            let v = jsonschema::draft202012::new(rrule).expect("a valid schema");
            for text in [
                "",
                " \t\n",
                "\u{85}\u{3000}",
                "\u{1c}",
                "\u{feff}",
                "x",
                " FREQ=DAILY",
            ] {
                assert_eq!(
                    v.is_valid(&json!(text)),
                    text.trim().is_empty(),
                    "{name}: {text:?}"
                );
            }
            assert!(v.is_valid(&json!(null)), "{name}: null");
        }
    }

    /// The `scopes` pattern accepts exactly the lists `Scopes::parse` reads as at least one.
    #[test]
    fn the_scopes_pattern_says_what_the_server_reads() {
        use rampart_domain::scopes::Scopes;
        let doc = doc();
        let schema = &doc["components"]["schemas"]["OAuthClientCreate"]["properties"]["scopes"];
        let pattern = json!({"type": "string", "pattern": schema["pattern"]});
        let v = jsonschema::draft202012::new(&pattern).expect("a valid schema");
        for list in [
            "read",
            "admin",
            " read  admin ",
            "scans:read scans:write",
            "audit:read",
            "",
            " ",
            "reads",
            "read,admin",
            "scans:read\tread",
            "SCANS:READ",
            "scans:execute",
            "read scans:nope",
        ] {
            let reads = Scopes::parse(list).is_ok_and(|s| !s.is_empty());
            assert_eq!(v.is_valid(&json!(list)), reads, "{list:?}");
        }
    }
}
