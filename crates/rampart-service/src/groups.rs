//! Identity groups (Product Admin only): members, and grants of app access by app and by
//! app tag. What a grant lets a member see is decided by the store's `Visibility`, in SQL.

use crate::error::Checks;
use crate::{require, Problem, Service, ServiceError, ServiceResult};
use rampart_domain::*;
use rampart_store::{GroupView, StoreError, Visibility};

/// The writable fields of a group. `None` on update keeps what is stored; a list given
/// replaces the stored one (members only for `source=local` groups).
#[derive(Clone, Debug, Default)]
pub struct GroupInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub source: Option<GroupSource>,
    pub external_id: Option<String>,
    pub members: Option<Vec<PrincipalId>>,
    pub apps: Option<Vec<AppId>>,
    /// Tag names or ids; a name not yet used is created as a tag.
    pub tags: Option<Vec<String>>,
}

fn conflict(e: StoreError) -> ServiceError {
    match e {
        StoreError::Conflict(_) => {
            ServiceError::Conflict("an identity group with this name already exists".into())
        }
        other => other.into(),
    }
}

impl Service {
    pub async fn list_groups(&self, p: &Principal) -> ServiceResult<Vec<GroupView>> {
        require(p, Resource::Identity, Action::Manage)?;
        Ok(self.store.list_groups(p.org).await?)
    }

    pub async fn get_group(&self, p: &Principal, id: IdentityGroupId) -> ServiceResult<GroupView> {
        require(p, Resource::Identity, Action::Manage)?;
        Ok(self.store.get_group(p.org, id).await?)
    }

    /// A group by name or id (the CLI's way to name one).
    pub async fn find_group(&self, p: &Principal, name_or_id: &str) -> ServiceResult<GroupView> {
        require(p, Resource::Identity, Action::Manage)?;
        if let Ok(id) = name_or_id.parse::<IdentityGroupId>() {
            return Ok(self.store.get_group(p.org, id).await?);
        }
        let g = self.store.find_group_by_name(p.org, name_or_id).await?;
        let g = g.ok_or(ServiceError::NotFound)?;
        Ok(self.store.get_group(p.org, g.id).await?)
    }

    pub async fn create_group(&self, p: &Principal, input: GroupInput) -> ServiceResult<GroupView> {
        require(p, Resource::Identity, Action::Manage)?;
        let now = self.now();
        let g = IdentityGroup {
            id: IdentityGroupId::new(),
            org: p.org,
            name: input.name.clone().unwrap_or_default(),
            description: input.description.clone(),
            source: input.source.unwrap_or(GroupSource::Local),
            external_id: input.external_id.clone(),
            created_at: now,
            updated_at: now,
        };
        check(&g, &input)?;
        let plan = self.resolve(p, &input).await?;
        self.store.create_group(&g).await.map_err(conflict)?;
        self.apply(
            p.org,
            &GroupView {
                group: g.clone(),
                members: vec![],
                apps: vec![],
                tags: vec![],
            },
            plan,
        )
        .await?;
        Ok(self.store.get_group(p.org, g.id).await?)
    }

    pub async fn update_group(
        &self,
        p: &Principal,
        id: IdentityGroupId,
        input: GroupInput,
    ) -> ServiceResult<GroupView> {
        let current = self.get_group(p, id).await?;
        let mut g = current.group.clone();
        if let Some(n) = &input.name {
            g.name = n.clone();
        }
        if input.description.is_some() {
            g.description = input.description.clone();
        }
        if let Some(s) = input.source {
            g.source = s;
        }
        if input.external_id.is_some() {
            g.external_id = input.external_id.clone();
        }
        g.updated_at = self.now();
        check(&g, &input)?;
        let plan = self.resolve(p, &input).await?;
        self.store.update_group(&g).await.map_err(conflict)?;
        self.apply(p.org, &current, plan).await?;
        Ok(self.store.get_group(p.org, id).await?)
    }

    pub async fn delete_group(&self, p: &Principal, id: IdentityGroupId) -> ServiceResult<()> {
        require(p, Resource::Identity, Action::Manage)?;
        Ok(self.store.delete_group(p.org, id).await?)
    }

    /// Adds a user or service account (of the tenant) to a local group.
    pub async fn add_group_member(
        &self,
        p: &Principal,
        id: IdentityGroupId,
        member: PrincipalId,
    ) -> ServiceResult<()> {
        let g = self.get_group(p, id).await?;
        local_only(&g.group)?;
        self.member(p.org, member).await?;
        Ok(self.store.add_group_member(p.org, id, member).await?)
    }

    pub async fn remove_group_member(
        &self,
        p: &Principal,
        id: IdentityGroupId,
        member: PrincipalId,
    ) -> ServiceResult<()> {
        let g = self.get_group(p, id).await?;
        local_only(&g.group)?;
        Ok(self.store.remove_group_member(p.org, id, member).await?)
    }

    /// Every member of the group sees the app.
    pub async fn grant_group_app(
        &self,
        p: &Principal,
        id: IdentityGroupId,
        app: AppId,
    ) -> ServiceResult<()> {
        self.get_group(p, id).await?;
        self.granted_app(p.org, app).await?;
        Ok(self.store.grant_group_app(p.org, id, app).await?)
    }

    pub async fn revoke_group_app(
        &self,
        p: &Principal,
        id: IdentityGroupId,
        app: AppId,
    ) -> ServiceResult<()> {
        self.get_group(p, id).await?;
        Ok(self.store.revoke_group_app(p.org, id, app).await?)
    }

    /// Every member of the group sees every app tagged `tag` (a name or an id; a new name
    /// creates the tag), now and later.
    pub async fn grant_group_tag(
        &self,
        p: &Principal,
        id: IdentityGroupId,
        tag: &str,
    ) -> ServiceResult<Tag> {
        self.get_group(p, id).await?;
        let t = self.tag_named(p, tag, true).await?;
        self.store.grant_group_tag(p.org, id, t.id).await?;
        Ok(t)
    }

    pub async fn revoke_group_tag(
        &self,
        p: &Principal,
        id: IdentityGroupId,
        tag: &str,
    ) -> ServiceResult<()> {
        self.get_group(p, id).await?;
        let t = self.tag_named(p, tag, false).await?;
        Ok(self.store.revoke_group_tag(p.org, id, t.id).await?)
    }

    async fn tag_named(&self, p: &Principal, tag: &str, create: bool) -> ServiceResult<Tag> {
        let tag = tag.trim();
        if let Ok(id) = tag.parse::<TagId>() {
            return match self.store.get_tag(p.org, id).await {
                Err(StoreError::NotFound) => {
                    Err(no_such("tag", "no such tag in this organization"))
                }
                other => Ok(other?),
            };
        }
        if let Some(t) = self.store.find_tag_by_name(p.org, tag).await? {
            return Ok(t);
        }
        if !create {
            return Err(ServiceError::NotFound);
        }
        let id = self
            .create_tag(
                p,
                crate::TagInput {
                    name: tag.to_string(),
                },
            )
            .await?;
        Ok(self.store.get_tag(p.org, id).await?)
    }

    async fn granted_app(&self, org: OrgId, app: AppId) -> ServiceResult<()> {
        match self.store.get_app(org, app, &Visibility::All).await {
            Ok(_) => Ok(()),
            Err(StoreError::NotFound) => Err(no_such(
                "applicationId",
                "no such application in this organization",
            )),
            Err(e) => Err(e.into()),
        }
    }

    async fn member(&self, org: OrgId, id: PrincipalId) -> ServiceResult<()> {
        match self.store.get_principal(org, id).await {
            Ok(m) if m.kind != PrincipalKind::Organization => Ok(()),
            Ok(_) | Err(StoreError::NotFound) => Err(no_such(
                "members",
                "a member is a user or a service account of this organization",
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// Checks every member, app and tag named before anything is written.
    async fn resolve(&self, p: &Principal, input: &GroupInput) -> ServiceResult<Plan> {
        let mut plan = Plan::default();
        if let Some(ms) = &input.members {
            for m in ms {
                self.member(p.org, *m).await?;
            }
            plan.members = Some(ms.clone());
        }
        if let Some(apps) = &input.apps {
            for a in apps {
                self.granted_app(p.org, *a).await?;
            }
            plan.apps = Some(apps.clone());
        }
        if let Some(tags) = &input.tags {
            let mut ids = Vec::new();
            for t in tags {
                ids.push(self.tag_named(p, t, true).await?.id);
            }
            plan.tags = Some(ids);
        }
        Ok(plan)
    }

    /// Replaces the lists the plan names (adds what is missing, removes what is extra).
    async fn apply(&self, org: OrgId, current: &GroupView, plan: Plan) -> ServiceResult<()> {
        let id = current.group.id;
        if let Some(ms) = plan.members {
            let have: Vec<PrincipalId> = current.members.iter().map(|m| m.id).collect();
            for m in ms.iter().filter(|m| !have.contains(m)) {
                self.store.add_group_member(org, id, *m).await?;
            }
            for m in have.iter().filter(|m| !ms.contains(m)) {
                self.store.remove_group_member(org, id, *m).await?;
            }
        }
        if let Some(apps) = plan.apps {
            for a in apps.iter().filter(|a| !current.apps.contains(a)) {
                self.store.grant_group_app(org, id, *a).await?;
            }
            for a in current.apps.iter().filter(|a| !apps.contains(a)) {
                self.store.revoke_group_app(org, id, *a).await?;
            }
        }
        if let Some(tags) = plan.tags {
            let have: Vec<TagId> = current.tags.iter().map(|t| t.id).collect();
            for t in tags.iter().filter(|t| !have.contains(t)) {
                self.store.grant_group_tag(org, id, *t).await?;
            }
            for t in have.iter().filter(|t| !tags.contains(t)) {
                self.store.revoke_group_tag(org, id, *t).await?;
            }
        }
        Ok(())
    }
}

#[derive(Default)]
struct Plan {
    members: Option<Vec<PrincipalId>>,
    apps: Option<Vec<AppId>>,
    tags: Option<Vec<TagId>>,
}

fn check(g: &IdentityGroup, input: &GroupInput) -> ServiceResult<()> {
    let mut c = Checks::default();
    c.text("name", &g.name, 1, 200);
    c.opt_lines("description", g.description.as_deref(), 2000);
    c.opt_text("externalId", g.external_id.as_deref(), 200);
    if input.members.is_some() && g.source != GroupSource::Local {
        c.push(Problem::property(
            "members",
            "members are writable only for source=local groups (others are synchronised from the identity provider)",
        ));
    }
    c.finish()
}

fn local_only(g: &IdentityGroup) -> ServiceResult<()> {
    if g.source == GroupSource::Local {
        Ok(())
    } else {
        Err(no_such(
            "members",
            "members are writable only for source=local groups (others are synchronised from the identity provider)",
        ))
    }
}

fn no_such(context: &str, explanation: &str) -> ServiceError {
    ServiceError::invalid(vec![Problem::property(context, explanation)])
}
