//! Apps, app members and app tags.

use crate::error::Checks;
use crate::{require, Problem, Service, ServiceError, ServiceResult};
use rampart_domain::*;
use rampart_store::{ListRequest, Page, StoreError, Visibility};

/// The writable fields of an app.
#[derive(Clone, Debug, Default)]
pub struct AppInput {
    pub name: String,
    pub description: Option<String>,
}

/// How a request names an app member.
#[derive(Clone, Debug, PartialEq)]
pub enum MemberRef {
    Id(PrincipalId),
    Email(String),
}

pub(crate) fn check(input: &AppInput) -> ServiceResult<()> {
    let mut c = Checks::default();
    c.text("name", &input.name, 1, 200);
    c.opt_lines("description", input.description.as_deref(), 2000);
    c.finish()
}

pub(crate) fn name_conflict(e: StoreError) -> ServiceError {
    match e {
        StoreError::Conflict(_) => {
            ServiceError::Conflict("an app with this name already exists".into())
        }
        other => other.into(),
    }
}

impl Service {
    /// A user key's user becomes the first member; an organization key adds nobody.
    pub async fn create_app(&self, p: &Principal, input: AppInput) -> ServiceResult<AppId> {
        self.create_app_with(p, input, AppProfile::default()).await
    }

    /// [`create_app`](Self::create_app) with the AppSec+ fields.
    pub(crate) async fn create_app_with(
        &self,
        p: &Principal,
        input: AppInput,
        profile: AppProfile,
    ) -> ServiceResult<AppId> {
        require(p, Resource::Apps, Action::Manage)?;
        check(&input)?;
        let now = self.now();
        let app = App {
            id: AppId::new(),
            org: p.org,
            name: input.name,
            description: input.description,
            profile,
            created_at: now,
            updated_at: now,
        };
        let member = (p.kind != PrincipalKind::Organization).then_some(p.id);
        self.store
            .create_app(&app, member)
            .await
            .map_err(name_conflict)?;
        Ok(app.id)
    }

    pub async fn get_app(&self, p: &Principal, id: AppId) -> ServiceResult<App> {
        require(p, Resource::Apps, Action::Read)?;
        Ok(self.store.get_app(p.org, id, &Visibility::of(p)).await?)
    }

    pub async fn update_app(&self, p: &Principal, id: AppId, input: AppInput) -> ServiceResult<()> {
        let mut app = self.get_app(p, id).await?;
        require(p, Resource::Apps, Action::Manage)?;
        check(&input)?;
        app.name = input.name;
        app.description = input.description;
        app.updated_at = self.now();
        self.store.update_app(&app).await.map_err(name_conflict)
    }

    pub async fn delete_app(&self, p: &Principal, id: AppId) -> ServiceResult<()> {
        self.get_app(p, id).await?;
        require(p, Resource::Apps, Action::Manage)?;
        Ok(self.store.delete_app(p.org, id).await?)
    }

    pub async fn list_apps(&self, p: &Principal, req: &ListRequest) -> ServiceResult<Page<App>> {
        require(p, Resource::Apps, Action::Read)?;
        Ok(self.store.list_apps(p.org, &Visibility::of(p), req).await?)
    }

    /// The users and service accounts that are members of the app.
    pub async fn app_users(&self, p: &Principal, app: AppId) -> ServiceResult<Vec<PrincipalRef>> {
        self.get_app(p, app).await?;
        Ok(self.store.list_app_members(p.org, app).await?)
    }

    /// Adds a member named by id (a user or service account, as `GET /users` and
    /// `GET /service-accounts` show them) or by a user's email.
    pub async fn add_app_user(
        &self,
        p: &Principal,
        app: AppId,
        who: MemberRef,
    ) -> ServiceResult<PrincipalId> {
        self.get_app(p, app).await?;
        require(p, Resource::Apps, Action::Manage)?;
        let id = match who {
            MemberRef::Id(id) => match self.store.get_principal(p.org, id).await {
                Ok(m) if m.kind != PrincipalKind::Organization => Some(id),
                Ok(_) | Err(StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            },
            MemberRef::Email(email) => self
                .store
                .find_user_by_email(p.org, email.trim())
                .await?
                .map(|u| u.id),
        };
        let Some(id) = id else {
            return Err(ServiceError::invalid(vec![Problem::property(
                "id",
                "no such user in this organization: give a user's id or email",
            )]));
        };
        self.store.add_app_member(p.org, app, id).await?;
        Ok(id)
    }

    pub async fn remove_app_user(
        &self,
        p: &Principal,
        app: AppId,
        user: PrincipalId,
    ) -> ServiceResult<()> {
        self.get_app(p, app).await?;
        require(p, Resource::Apps, Action::Manage)?;
        Ok(self.store.remove_app_member(p.org, app, user).await?)
    }

    pub async fn app_tags(&self, p: &Principal, app: AppId) -> ServiceResult<Vec<Tag>> {
        self.get_app(p, app).await?;
        require(p, Resource::Tags, Action::Read)?;
        Ok(self.store.list_app_tags(p.org, app).await?)
    }

    pub async fn add_app_tag(&self, p: &Principal, app: AppId, tag: TagId) -> ServiceResult<()> {
        self.get_app(p, app).await?;
        require(p, Resource::Apps, Action::Manage)?;
        if let Err(StoreError::NotFound) = self.store.get_tag(p.org, tag).await {
            return Err(ServiceError::invalid(vec![Problem::property(
                "id",
                "no such tag in this organization",
            )]));
        }
        Ok(self.store.add_app_tag(p.org, app, tag).await?)
    }

    pub async fn remove_app_tag(&self, p: &Principal, app: AppId, tag: TagId) -> ServiceResult<()> {
        self.get_app(p, app).await?;
        require(p, Resource::Apps, Action::Manage)?;
        Ok(self.store.remove_app_tag(p.org, app, tag).await?)
    }
}
