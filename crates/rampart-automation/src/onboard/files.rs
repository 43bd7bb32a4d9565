//! Onboarding's app files: OpenAPI (and other) files read next to the onboarding file,
//! uploaded to the app under their name, and named by a config's `swagger_file_list`.

use super::{AppSpec, ConfigSpec, OnboardFile, Onboarding};
use rampart_api_types::ias::File;
use serde::Deserialize;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// A file of an app: `path` is relative to the onboarding file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSpec {
    pub path: PathBuf,
    /// The name on the server (default: the path's file name).
    pub name: Option<String>,
    /// The file type (default `SWAGGER`).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub description: Option<String>,
    /// The content, read by [`OnboardFile::read_files`].
    #[serde(skip)]
    pub content: Option<Vec<u8>>,
}

impl FileSpec {
    pub fn name(&self) -> String {
        self.name.clone().unwrap_or_else(|| {
            self.path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
    }

    fn kind(&self) -> String {
        self.kind
            .clone()
            .unwrap_or_else(|| "SWAGGER".into())
            .to_ascii_uppercase()
    }
}

impl OnboardFile {
    /// Reads every app file, relative to `base` (the onboarding file's directory).
    pub fn read_files(&mut self, base: &Path) -> Result<(), String> {
        for a in &mut self.apps {
            for f in &mut a.files {
                let p = base.join(&f.path);
                let bytes = std::fs::read(&p).map_err(|e| {
                    format!("app '{}': cannot read file {}: {e}", a.name, p.display())
                })?;
                f.content = Some(bytes);
            }
        }
        Ok(())
    }
}

/// The checks of the file parts: unique names, and configs naming only declared files.
pub(super) fn check(a: &AppSpec) -> Result<(), String> {
    let mut names = std::collections::BTreeSet::new();
    for f in &a.files {
        let n = f.name();
        if n.trim().is_empty() {
            return Err(format!(
                "app '{}': file {} has no name",
                a.name,
                f.path.display()
            ));
        }
        if !names.insert(n.clone()) {
            return Err(format!("app '{}': file '{n}' is listed twice", a.name));
        }
    }
    for c in &a.scan_configs {
        for n in &c.openapi_files {
            if !names.contains(n) {
                return Err(format!(
                    "scan config '{}' of app '{}' names openapi file '{n}', which the app's files do not list",
                    c.name, a.name
                ));
            }
        }
    }
    Ok(())
}

/// The options a config's `openapi_files` add (`web_service_config.swagger_file_list`).
pub(super) fn options(c: &ConfigSpec) -> Option<Value> {
    (!c.openapi_files.is_empty()).then(|| {
        json!({"swagger_file_list": c.openapi_files.iter().map(|n| json!({"value": n})).collect::<Vec<_>>()})
    })
}

impl Onboarding<'_> {
    /// Creates the app's files that are missing and uploads content that differs from the
    /// server's (a re-run with the same file changes nothing; a changed file is uploaded
    /// to the same-named file, never duplicated).
    pub(super) async fn files(&mut self, a: &AppSpec, app: Option<Uuid>) -> Result<(), String> {
        let existing: Vec<File> = match app {
            Some(id) => self
                .c
                .files(id)
                .all()
                .await
                .map_err(|e| format!("cannot list the files of app '{}': {e}", a.name))?,
            None => Vec::new(),
        };
        for f in &a.files {
            let name = f.name();
            let label = format!("file {} / {name}", a.name);
            let content = f
                .content
                .as_deref()
                .ok_or_else(|| format!("{label}: its content was not read"))?;
            let found = existing.iter().find(|x| x.name == name).and_then(|x| x.id);
            let Some(app) = app.filter(|_| !self.dry) else {
                if found.is_some() {
                    self.say(false, label);
                } else {
                    self.created += 1;
                    self.say(true, label);
                }
                continue;
            };
            let (id, created) = match found {
                Some(id) => {
                    let same = self.c.download_file(app, id).await.ok().as_deref() == Some(content);
                    if same {
                        self.say(false, label);
                        continue;
                    }
                    (id, false)
                }
                None => {
                    let body = File {
                        name: name.clone(),
                        description: f.description.clone(),
                        kind: Some(f.kind()),
                        ..Default::default()
                    };
                    let id = self
                        .c
                        .create_file(app, &body)
                        .await
                        .map_err(|e| format!("cannot create {label}: {e}"))?;
                    (id, true)
                }
            };
            self.c
                .upload_file(app, id, content)
                .await
                .map_err(|e| format!("cannot upload {label}: {e}"))?;
            if created {
                self.created += 1;
                self.say(true, label);
            } else {
                (self.out)(format!("~ uploaded new content of {label}"));
            }
        }
        Ok(())
    }
}
