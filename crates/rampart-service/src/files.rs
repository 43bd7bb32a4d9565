//! App files (reference §3.9): metadata, content checked against the declared type, the
//! owner's lock, and the files a scan config's options name.

use crate::error::Checks;
use crate::file_content::content_problem;
use crate::{require, Problem, Service, ServiceError, ServiceResult};
use rampart_domain::file::{AppFile, FileType};
use rampart_domain::file_refs::FileFacts;
use rampart_domain::options;
use rampart_domain::plan::PlanFile;
use rampart_domain::*;
use rampart_store::{ListRequest, Page, Visibility};

/// The writable fields of a file.
#[derive(Clone, Debug)]
pub struct FileInput {
    pub name: String,
    pub description: Option<String>,
    pub kind: FileType,
    pub locked: bool,
}

fn check_input(input: &FileInput) -> ServiceResult<()> {
    let mut c = Checks::default();
    c.text("name", &input.name, 1, 255);
    if !input.name.trim().is_empty() {
        if let Some(problem) = input.kind.name_problem(&input.name) {
            c.push(Problem::property("name", problem));
        }
    }
    c.opt_lines("description", input.description.as_deref(), 2000);
    c.finish()
}

fn content_invalid(message: String) -> ServiceError {
    ServiceError::Validation {
        message: format!("the content does not match the file's type: {message}"),
        problems: vec![Problem::property("content", message)],
    }
}

/// 403 when the file is locked and `p` is not its owner.
fn check_lock(p: &Principal, f: &AppFile) -> ServiceResult<()> {
    if f.locked && f.owner != p.id {
        return Err(ServiceError::Forbidden(format!(
            "file '{}' is locked: only its owner may change it",
            f.name
        )));
    }
    Ok(())
}

impl Service {
    /// The app, visible to `p` (else `NotFound`).
    async fn file_app(&self, p: &Principal, app: AppId) -> ServiceResult<()> {
        self.store.get_app(p.org, app, &Visibility::of(p)).await?;
        Ok(())
    }

    pub async fn create_file(
        &self,
        p: &Principal,
        app: AppId,
        input: FileInput,
    ) -> ServiceResult<FileId> {
        self.file_app(p, app).await?;
        require(p, Resource::Files, Action::Manage)?;
        check_input(&input)?;
        let f = AppFile {
            id: FileId::new(),
            org: p.org,
            app,
            name: input.name.trim().to_string(),
            description: input.description,
            kind: input.kind,
            locked: input.locked,
            owner: p.id,
            last_updated_by: p.id,
            last_updated: self.now(),
            size: None,
        };
        self.store.create_file(&f).await?;
        Ok(f.id)
    }

    pub async fn get_file(&self, p: &Principal, app: AppId, id: FileId) -> ServiceResult<AppFile> {
        require(p, Resource::Files, Action::Read)?;
        Ok(self
            .store
            .get_file(p.org, app, id, &Visibility::of(p))
            .await?)
    }

    /// The file and its content; `Conflict` while no content was uploaded.
    pub async fn file_content(
        &self,
        p: &Principal,
        app: AppId,
        id: FileId,
    ) -> ServiceResult<(AppFile, Vec<u8>)> {
        let f = self.get_file(p, app, id).await?;
        match self
            .store
            .get_file_content(p.org, app, id, &Visibility::of(p))
            .await?
        {
            Some(bytes) => Ok((f, bytes)),
            None => Err(ServiceError::Conflict(format!(
                "file '{}' has no content yet: upload it with POST and Content-Type: application/octet-stream",
                f.name
            ))),
        }
    }

    pub async fn update_file(
        &self,
        p: &Principal,
        app: AppId,
        id: FileId,
        input: FileInput,
    ) -> ServiceResult<()> {
        let mut f = self.get_file(p, app, id).await?;
        require(p, Resource::Files, Action::Manage)?;
        check_lock(p, &f)?;
        check_input(&input)?;
        // A new type must still fit the content already uploaded.
        if input.kind != f.kind && f.content_available() {
            if let Some(bytes) = self
                .store
                .get_file_content(p.org, app, id, &Visibility::All)
                .await?
            {
                if let Some(problem) = content_problem(input.kind, &input.name, &bytes) {
                    return Err(content_invalid(problem));
                }
            }
        }
        f.name = input.name.trim().to_string();
        f.description = input.description;
        f.kind = input.kind;
        f.locked = input.locked;
        f.last_updated_by = p.id;
        f.last_updated = self.now();
        Ok(self.store.update_file(&f).await?)
    }

    /// Stores `content` after checking it against the file's type (nothing is stored
    /// when it does not match).
    pub async fn upload_file(
        &self,
        p: &Principal,
        app: AppId,
        id: FileId,
        content: &[u8],
    ) -> ServiceResult<()> {
        let f = self.get_file(p, app, id).await?;
        require(p, Resource::Files, Action::Manage)?;
        check_lock(p, &f)?;
        if let Some(problem) = content_problem(f.kind, &f.name, content) {
            return Err(content_invalid(problem));
        }
        Ok(self
            .store
            .put_file_content(p.org, app, id, content, p.id, self.now())
            .await?)
    }

    pub async fn delete_file(&self, p: &Principal, app: AppId, id: FileId) -> ServiceResult<()> {
        let f = self.get_file(p, app, id).await?;
        require(p, Resource::Files, Action::Manage)?;
        check_lock(p, &f)?;
        Ok(self.store.delete_file(p.org, app, id).await?)
    }

    pub async fn list_files(
        &self,
        p: &Principal,
        app: AppId,
        req: &ListRequest,
    ) -> ServiceResult<Page<AppFile>> {
        self.file_app(p, app).await?;
        require(p, Resource::Files, Action::Read)?;
        Ok(self
            .store
            .list_files(p.org, Some(app), &Visibility::of(p), req)
            .await?)
    }

    /// What the app holds, for a config's `errors[]`.
    pub(crate) async fn file_facts(&self, org: OrgId, app: AppId) -> ServiceResult<Vec<FileFacts>> {
        Ok(self
            .store
            .app_files(org, app)
            .await?
            .into_iter()
            .map(|f| FileFacts {
                content_available: f.content_available(),
                name: f.name,
                kind: f.kind,
            })
            .collect())
    }

    /// The app's files an options document names, with content, for admission.
    pub(crate) async fn plan_files(
        &self,
        org: OrgId,
        app: AppId,
        doc: &serde_json::Value,
    ) -> ServiceResult<Vec<PlanFile>> {
        let Ok(view) = options::view(doc) else {
            return Ok(Vec::new()); // the compilation reports the malformed document
        };
        let names: Vec<String> = rampart_domain::file_refs::file_refs(&view)
            .into_iter()
            .map(|r| r.name)
            .filter(|n| !n.is_empty())
            .collect();
        Ok(self
            .store
            .files_named(org, app, &names)
            .await?
            .into_iter()
            .map(|(f, content)| PlanFile {
                name: f.name,
                kind: f.kind,
                content,
            })
            .collect())
    }
}
