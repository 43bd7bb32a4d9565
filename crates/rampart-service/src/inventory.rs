//! Targets (allow-listed domains) and tags.

use crate::error::Checks;
use crate::{require, Problem, Service, ServiceError, ServiceResult};
use rampart_domain::*;
use rampart_store::{ListRequest, Page, StoreError};

/// The writable fields of a target.
#[derive(Clone, Debug)]
pub struct TargetInput {
    pub domain: String,
    pub enabled: bool,
    pub archived: bool,
}

/// The writable fields of a tag.
#[derive(Clone, Debug)]
pub struct TagInput {
    pub name: String,
}

/// A host name (or IP literal), optionally with `:port`, lower-cased; `None` when it
/// is not one (a URL, a path, spaces…). The rule is `rampart_domain::target`'s.
pub fn normalize_domain(raw: &str) -> Option<String> {
    rampart_domain::target::TargetDomain::from_input(raw).map(|t| t.to_string())
}

fn check_target(input: &TargetInput) -> ServiceResult<String> {
    match normalize_domain(&input.domain) {
        Some(d) => Ok(d),
        None => Err(ServiceError::invalid(vec![Problem::property(
            "domain",
            "must be a fully qualified domain name (optionally with :port), without scheme or path",
        )])),
    }
}

fn unique(what: &'static str) -> impl Fn(StoreError) -> ServiceError {
    move |e| match e {
        StoreError::Conflict(_) => ServiceError::Conflict(format!("{what} already exists")),
        other => other.into(),
    }
}

impl Service {
    pub async fn create_target(
        &self,
        p: &Principal,
        input: TargetInput,
    ) -> ServiceResult<TargetId> {
        require(p, Resource::Targets, Action::Manage)?;
        let domain = check_target(&input)?;
        let t = Target {
            id: TargetId::new(),
            org: p.org,
            domain,
            enabled: input.enabled,
            archived: input.archived,
            scanned: false,
            created_at: self.now(),
        };
        self.store
            .create_target(&t)
            .await
            .map_err(unique("a target for this domain"))?;
        Ok(t.id)
    }

    pub async fn get_target(&self, p: &Principal, id: TargetId) -> ServiceResult<Target> {
        require(p, Resource::Targets, Action::Read)?;
        Ok(self.store.get_target(p.org, id).await?)
    }

    pub async fn update_target(
        &self,
        p: &Principal,
        id: TargetId,
        input: TargetInput,
    ) -> ServiceResult<()> {
        let mut t = self.get_target(p, id).await?;
        require(p, Resource::Targets, Action::Manage)?;
        t.domain = check_target(&input)?;
        t.enabled = input.enabled;
        t.archived = input.archived;
        self.store
            .update_target(&t)
            .await
            .map_err(unique("a target for this domain"))
    }

    pub async fn delete_target(&self, p: &Principal, id: TargetId) -> ServiceResult<()> {
        self.get_target(p, id).await?;
        require(p, Resource::Targets, Action::Manage)?;
        Ok(self.store.delete_target(p.org, id).await?)
    }

    pub async fn list_targets(
        &self,
        p: &Principal,
        req: &ListRequest,
    ) -> ServiceResult<Page<Target>> {
        require(p, Resource::Targets, Action::Read)?;
        Ok(self.store.list_targets(p.org, req).await?)
    }

    pub async fn create_tag(&self, p: &Principal, input: TagInput) -> ServiceResult<TagId> {
        require(p, Resource::Tags, Action::Manage)?;
        let mut c = Checks::default();
        c.text("name", &input.name, 1, 100);
        c.finish()?;
        let t = Tag {
            id: TagId::new(),
            org: p.org,
            name: input.name,
            creator: p.id,
            created_at: self.now(),
        };
        self.store
            .create_tag(&t)
            .await
            .map_err(unique("a tag with this name"))?;
        Ok(t.id)
    }

    pub async fn get_tag(&self, p: &Principal, id: TagId) -> ServiceResult<Tag> {
        require(p, Resource::Tags, Action::Read)?;
        Ok(self.store.get_tag(p.org, id).await?)
    }

    pub async fn update_tag(&self, p: &Principal, id: TagId, input: TagInput) -> ServiceResult<()> {
        let mut t = self.get_tag(p, id).await?;
        require(p, Resource::Tags, Action::Manage)?;
        let mut c = Checks::default();
        c.text("name", &input.name, 1, 100);
        c.finish()?;
        t.name = input.name;
        self.store
            .update_tag(&t)
            .await
            .map_err(unique("a tag with this name"))
    }

    pub async fn delete_tag(&self, p: &Principal, id: TagId, cascade: bool) -> ServiceResult<()> {
        self.get_tag(p, id).await?;
        require(p, Resource::Tags, Action::Manage)?;
        Ok(self.store.delete_tag(p.org, id, cascade).await?)
    }

    pub async fn list_tags(&self, p: &Principal, req: &ListRequest) -> ServiceResult<Page<Tag>> {
        require(p, Resource::Tags, Action::Read)?;
        Ok(self.store.list_tags(p.org, req).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_domain;

    #[test]
    fn domains() {
        assert_eq!(
            normalize_domain("Shop.Example.TEST"),
            Some("shop.example.test".into())
        );
        assert_eq!(
            normalize_domain("localhost:8080"),
            Some("localhost:8080".into())
        );
        assert_eq!(normalize_domain("127.0.0.1"), Some("127.0.0.1".into()));
        assert_eq!(normalize_domain("https://x.test"), None);
        assert_eq!(normalize_domain("x.test/path"), None);
        assert_eq!(normalize_domain("a b"), None);
        assert_eq!(normalize_domain(""), None);
    }
}
