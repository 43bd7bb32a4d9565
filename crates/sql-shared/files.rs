//! App files: metadata and content in one `files` row.

use super::rows::{self, *};
use super::{a, c, insert_err, select, t, touched, visible, SqlStore};
use rampart_domain::file::AppFile;
use rampart_domain::*;
use rampart_query::ResourceType;
use rampart_store::{FileStore, ListRequest, Page, StoreResult, Visibility};
use sea_query::{Expr, Query, SimpleExpr};

fn row_of(org: OrgId, app: AppId, id: FileId) -> [SimpleExpr; 3] {
    [
        Expr::col(a("org_id")).eq(org.0),
        Expr::col(a("app_id")).eq(app.0),
        Expr::col(a("id")).eq(id.0),
    ]
}

#[async_trait::async_trait]
impl FileStore for SqlStore {
    async fn create_file(&self, f: &AppFile) -> StoreResult<()> {
        let q = Query::insert()
            .into_table(a("files"))
            .columns(FILE_COLUMNS.iter().map(|x| a(x)))
            .values([
                f.id.0.into(),
                f.org.0.into(),
                f.app.0.into(),
                f.name.clone().into(),
                f.description.clone().into(),
                f.kind.as_str().into(),
                f.locked.into(),
                f.owner.0.into(),
                f.last_updated_by.0.into(),
                t(f.last_updated),
                Option::<i64>::None.into(),
            ])
            .map_err(insert_err)?
            .to_owned();
        self.exec(&q).await.map(|_| ())
    }

    async fn get_file(
        &self,
        org: OrgId,
        app: AppId,
        id: FileId,
        vis: &Visibility,
    ) -> StoreResult<AppFile> {
        let mut q = select("files", FILE_COLUMNS, org);
        q.and_where(c("files", "app_id").eq(app.0))
            .and_where(c("files", "id").eq(id.0));
        if let Some(v) = visible("files", "app_id", vis) {
            q.and_where(v);
        }
        rows::file(&self.one(&q).await?)
    }

    async fn update_file(&self, f: &AppFile) -> StoreResult<()> {
        let [o, p, i] = row_of(f.org, f.app, f.id);
        let q = Query::update()
            .table(a("files"))
            .values([
                (a("name"), f.name.clone().into()),
                (a("description"), f.description.clone().into()),
                (a("type"), f.kind.as_str().into()),
                (a("locked"), f.locked.into()),
                (a("last_updated_by"), f.last_updated_by.0.into()),
                (a("last_updated"), t(f.last_updated)),
            ])
            .and_where(o)
            .and_where(p)
            .and_where(i)
            .to_owned();
        touched(self.exec(&q).await?)
    }

    async fn put_file_content(
        &self,
        org: OrgId,
        app: AppId,
        id: FileId,
        content: &[u8],
        by: PrincipalId,
        at: chrono::DateTime<chrono::Utc>,
    ) -> StoreResult<()> {
        let [o, p, i] = row_of(org, app, id);
        let size = i64::try_from(content.len()).unwrap_or(i64::MAX);
        let q = Query::update()
            .table(a("files"))
            .values([
                (a("content"), content.to_vec().into()),
                (a("size"), size.into()),
                (a("last_updated_by"), by.0.into()),
                (a("last_updated"), t(at)),
            ])
            .and_where(o)
            .and_where(p)
            .and_where(i)
            .to_owned();
        touched(self.exec(&q).await?)
    }

    async fn get_file_content(
        &self,
        org: OrgId,
        app: AppId,
        id: FileId,
        vis: &Visibility,
    ) -> StoreResult<Option<Vec<u8>>> {
        let mut q = select("files", &["content"], org);
        q.and_where(c("files", "app_id").eq(app.0))
            .and_where(c("files", "id").eq(id.0));
        if let Some(v) = visible("files", "app_id", vis) {
            q.and_where(v);
        }
        get::<Option<Vec<u8>>>(&self.one(&q).await?, "content")
    }

    async fn delete_file(&self, org: OrgId, app: AppId, id: FileId) -> StoreResult<()> {
        let [o, p, i] = row_of(org, app, id);
        touched(
            self.exec(
                &Query::delete()
                    .from_table(a("files"))
                    .and_where(o)
                    .and_where(p)
                    .and_where(i)
                    .to_owned(),
            )
            .await?,
        )
    }

    async fn list_files(
        &self,
        org: OrgId,
        app: Option<AppId>,
        vis: &Visibility,
        req: &ListRequest,
    ) -> StoreResult<Page<AppFile>> {
        let mut q = select("files", FILE_COLUMNS, org);
        if let Some(app) = app {
            q.and_where(c("files", "app_id").eq(app.0));
        }
        if let Some(v) = visible("files", "app_id", vis) {
            q.and_where(v);
        }
        self.page(q, req, ResourceType::File, rows::file).await
    }

    async fn files_named(
        &self,
        org: OrgId,
        app: AppId,
        names: &[String],
    ) -> StoreResult<Vec<(AppFile, Option<Vec<u8>>)>> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let mut columns = FILE_COLUMNS.to_vec();
        columns.push("content");
        let mut q = select("files", &columns, org);
        q.and_where(c("files", "app_id").eq(app.0))
            .and_where(c("files", "name").is_in(names.iter().cloned()));
        self.all(&q)
            .await?
            .iter()
            .map(|r| Ok((rows::file(r)?, get::<Option<Vec<u8>>>(r, "content")?)))
            .collect()
    }

    async fn app_files(&self, org: OrgId, app: AppId) -> StoreResult<Vec<AppFile>> {
        let mut q = select("files", FILE_COLUMNS, org);
        q.and_where(c("files", "app_id").eq(app.0));
        self.all(&q).await?.iter().map(rows::file).collect()
    }
}
