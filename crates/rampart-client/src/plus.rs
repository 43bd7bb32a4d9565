//! Typed calls of the AppSec+ routes the CLI uses (under `/v1`): policies and their
//! evaluation.

use super::{to_value, Client, Error, Result};
use rampart_api_types::plus::{Policy, PolicyEvaluateRequest, PolicyEvaluation};
use reqwest::Method;
use uuid::Uuid;

impl Client {
    /// Every policy of the organization.
    pub async fn policies(&self) -> Result<Vec<Policy>> {
        self.get("v1/policies").await
    }

    /// A policy by id, or by exact name (case-insensitive) when `name_or_id` is not a UUID.
    pub async fn find_policy(&self, name_or_id: &str) -> Result<Policy> {
        let all = self.policies().await?;
        let found: Vec<&Policy> = match Uuid::parse_str(name_or_id.trim()) {
            Ok(id) => all.iter().filter(|p| p.id == id).collect(),
            Err(_) => all
                .iter()
                .filter(|p| p.name.eq_ignore_ascii_case(name_or_id.trim()))
                .collect(),
        };
        match found.as_slice() {
            [one] => Ok((*one).clone()),
            [] => Err(Error::Usage(format!(
                "no policy named {name_or_id:?}: `GET /v1/policies` lists them ({} in all)",
                all.len()
            ))),
            _ => Err(Error::Usage(format!(
                "{} policies are named {name_or_id:?}: give its id",
                found.len()
            ))),
        }
    }

    /// Evaluates a policy now (over one application's findings with `app`).
    pub async fn evaluate_policy(&self, id: Uuid, app: Option<Uuid>) -> Result<PolicyEvaluation> {
        let body = to_value(&PolicyEvaluateRequest {
            application_id: app,
        })?;
        let path = format!("v1/policies/{id}/evaluate");
        let a = self.send(Method::POST, &path, Some(&body)).await?;
        super::decode(&path, &a.body)
    }
}
