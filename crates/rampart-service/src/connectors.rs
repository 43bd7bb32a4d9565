//! AppSec+ connectors (reference appsecplus C1, §3.5): one resource over two stores.
//! Agents are the tenant's remote engines (created here or as `/ias/v1/engines`, with
//! health from their heartbeats); integrations are stored connectors of a
//! [`ConnectorType`] whose secrets are sealed with the server key and never read back.
//! Permissions are the engines': every role reads, Product Admins manage.

use crate::engines::{EngineInput, EngineView};
use crate::error::Checks;
use crate::{require, Problem, Service, ServiceError, ServiceResult};
use rampart_domain::*;
use rampart_store::{ListRequest, StoreError};
use serde_json::{Map, Value};

/// The writable fields of a connector. Integrations use `kind_type`, `status`, `config`
/// and `secrets`; agents `engine_group` and `auto_upgrade`.
#[derive(Clone, Debug, Default)]
pub struct ConnectorInput {
    pub name: String,
    /// Default `integration` on create; on update, the connector's own kind.
    pub kind: Option<ConnectorKind>,
    pub kind_type: Option<String>,
    pub status: Option<ConnectorStatus>,
    pub config: Map<String, Value>,
    /// Secret members to set; a `null` member removes it; absent members are kept.
    pub secrets: Map<String, Value>,
    pub engine_group: Option<EngineGroupId>,
    pub auto_upgrade: Option<bool>,
}

/// A connector as read.
#[derive(Clone, Debug, PartialEq)]
pub enum ConnectorView {
    Integration(Connector),
    Agent(EngineView),
}

impl ConnectorView {
    pub fn id(&self) -> uuid::Uuid {
        match self {
            ConnectorView::Integration(c) => c.id.0,
            ConnectorView::Agent(e) => e.engine.id.0,
        }
    }
}

/// A created connector; an agent's registration token (its engine credential) is shown
/// once, here.
#[derive(Clone, Debug)]
pub struct NewConnector {
    pub connector: ConnectorView,
    pub registration_token: Option<String>,
}

/// What testing a connector takes.
#[derive(Clone, Debug, PartialEq)]
pub enum ConnectorProbe {
    /// POST `body` to `url`, signed with `secret` when set (a webhook connector).
    Post {
        url: String,
        secret: Option<String>,
        body: String,
    },
    /// Nothing to contact: the answer is known (an agent's health, a placeholder type).
    Known { ok: bool, message: String },
}

/// The health of an agent from its engine's status.
pub fn agent_health(status: EngineStatus) -> ConnectorHealth {
    match status {
        EngineStatus::Idle | EngineStatus::Scanning => ConnectorHealth::Online,
        EngineStatus::Offline | EngineStatus::Parked | EngineStatus::Terminating => {
            ConnectorHealth::Offline
        }
        _ => ConnectorHealth::Degraded,
    }
}

/// An agent's `status` (returned beside `health`, contradiction C1).
pub fn agent_status(status: EngineStatus) -> ConnectorStatus {
    match agent_health(status) {
        ConnectorHealth::Online => ConnectorStatus::Active,
        ConnectorHealth::Offline => ConnectorStatus::Inactive,
        ConnectorHealth::Degraded => ConnectorStatus::Error,
    }
}

fn secret_context(org: OrgId, id: ConnectorId) -> Vec<u8> {
    format!("connector-secrets:{}:{}", org.0, id.0).into_bytes()
}

fn conflict(e: StoreError) -> ServiceError {
    match e {
        StoreError::Conflict(_) => {
            ServiceError::Conflict("a connector with this name already exists".into())
        }
        other => other.into(),
    }
}

impl Service {
    /// Integrations (by name) then agents (by name); `kind` narrows.
    pub async fn list_connectors(
        &self,
        p: &Principal,
        kind: Option<ConnectorKind>,
    ) -> ServiceResult<Vec<ConnectorView>> {
        require(p, Resource::Engines, Action::Read)?;
        let mut out = Vec::new();
        if kind.is_none_or(|k| k == ConnectorKind::Integration) {
            out.extend(
                self.store()
                    .list_connectors(p.org)
                    .await?
                    .into_iter()
                    .map(ConnectorView::Integration),
            );
        }
        if kind.is_none_or(|k| k == ConnectorKind::Agent) {
            let engines = self.list_engines(p, &ListRequest::first(1000)).await?;
            out.extend(engines.items.into_iter().map(ConnectorView::Agent));
        }
        Ok(out)
    }

    pub async fn get_connector(
        &self,
        p: &Principal,
        id: uuid::Uuid,
    ) -> ServiceResult<ConnectorView> {
        require(p, Resource::Engines, Action::Read)?;
        match self.store().get_connector(p.org, ConnectorId(id)).await {
            Ok(c) => Ok(ConnectorView::Integration(c)),
            Err(StoreError::NotFound) => Ok(ConnectorView::Agent(
                self.get_engine(p, EngineId(id)).await?,
            )),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn create_connector(
        &self,
        p: &Principal,
        input: ConnectorInput,
    ) -> ServiceResult<NewConnector> {
        require(p, Resource::Engines, Action::Manage)?;
        match input.kind.unwrap_or(ConnectorKind::Integration) {
            ConnectorKind::Integration => {}
            ConnectorKind::Agent => return self.create_agent(p, input).await,
        }
        let now = self.now();
        let mut c = Connector {
            id: ConnectorId::new(),
            org: p.org,
            name: input.name.clone(),
            kind_type: input.kind_type.clone().unwrap_or_default(),
            status: ConnectorStatus::Active,
            config: Map::new(),
            secrets_sealed: None,
            secret_names: Vec::new(),
            last_sync_at: None,
            last_error_at: None,
            last_error: None,
            created_at: now,
            updated_at: now,
        };
        self.write_integration(&mut c, input, Map::new())?;
        self.store().create_connector(&c).await.map_err(conflict)?;
        Ok(NewConnector {
            connector: ConnectorView::Integration(c),
            registration_token: None,
        })
    }

    async fn create_agent(
        &self,
        p: &Principal,
        input: ConnectorInput,
    ) -> ServiceResult<NewConnector> {
        check_agent_input(&input)?;
        let id = self
            .create_engine(
                p,
                EngineInput {
                    name: input.name,
                    engine_group: input.engine_group,
                    auto_upgrade: input.auto_upgrade,
                },
            )
            .await?;
        let token = self.engine_credential(p, id).await?;
        Ok(NewConnector {
            connector: ConnectorView::Agent(self.get_engine(p, id).await?),
            registration_token: Some(token),
        })
    }

    /// Overwrites the connector's writable fields (secrets: see [`ConnectorInput`]).
    pub async fn update_connector(
        &self,
        p: &Principal,
        id: uuid::Uuid,
        input: ConnectorInput,
    ) -> ServiceResult<ConnectorView> {
        let current = self.get_connector(p, id).await?;
        require(p, Resource::Engines, Action::Manage)?;
        match current {
            ConnectorView::Agent(view) => {
                if input.kind.is_some_and(|k| k != ConnectorKind::Agent) {
                    return Err(kind_is_fixed());
                }
                check_agent_input(&input)?;
                self.update_engine(
                    p,
                    view.engine.id,
                    EngineInput {
                        name: input.name,
                        engine_group: input.engine_group,
                        auto_upgrade: input.auto_upgrade,
                    },
                )
                .await?;
                Ok(ConnectorView::Agent(
                    self.get_engine(p, view.engine.id).await?,
                ))
            }
            ConnectorView::Integration(mut c) => {
                if input.kind.is_some_and(|k| k != ConnectorKind::Integration) {
                    return Err(kind_is_fixed());
                }
                let kept = self.open_secrets(&c);
                c.name = input.name.clone();
                c.kind_type = input.kind_type.clone().unwrap_or(c.kind_type.clone());
                self.write_integration(&mut c, input, kept)?;
                c.updated_at = self.now();
                self.store().update_connector(&c).await.map_err(conflict)?;
                Ok(ConnectorView::Integration(c))
            }
        }
    }

    /// Deletes an integration, or an agent's engine (its scans go back to the queue when
    /// their lease expires).
    pub async fn delete_connector(&self, p: &Principal, id: uuid::Uuid) -> ServiceResult<()> {
        match self.get_connector(p, id).await? {
            ConnectorView::Integration(c) => {
                require(p, Resource::Engines, Action::Manage)?;
                Ok(self.store().delete_connector(p.org, c.id).await?)
            }
            ConnectorView::Agent(e) => self.delete_engine(p, e.engine.id).await,
        }
    }

    /// What testing the connector takes (the HTTP edge sends a webhook connector's ping
    /// and records the answer with [`Service::record_connector_test`]).
    pub async fn connector_probe(
        &self,
        p: &Principal,
        id: uuid::Uuid,
    ) -> ServiceResult<ConnectorProbe> {
        let view = self.get_connector(p, id).await?;
        require(p, Resource::Engines, Action::Manage)?;
        Ok(match view {
            ConnectorView::Agent(e) => {
                let health = agent_health(e.status);
                ConnectorProbe::Known {
                    ok: health == ConnectorHealth::Online,
                    message: match e.engine.last_heartbeat {
                        Some(at) => format!(
                            "{}: last heartbeat {}",
                            health.as_str(),
                            at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                        ),
                        None => "offline: the engine never called in; start `rampart engine` with its registration token".into(),
                    },
                }
            }
            ConnectorView::Integration(c) => {
                let Some(t) = ConnectorType::find(&c.kind_type).filter(|t| t.implemented) else {
                    return Ok(ConnectorProbe::Known {
                        ok: false,
                        message: format!(
                            "the {} connector is a placeholder: its configuration is stored and checked against the documented contract, but rampart does not act on it yet",
                            c.kind_type
                        ),
                    });
                };
                let url = c
                    .config
                    .get("url")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string();
                let secret = self
                    .open_secrets(&c)
                    .get("secret")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                let body = serde_json::json!({
                    "eventId": uuid::Uuid::new_v4(),
                    "eventType": "connector.test",
                    "timestamp": self.now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                    "data": {"connectorId": c.id, "name": c.name, "type": t.name},
                })
                .to_string();
                ConnectorProbe::Post { url, secret, body }
            }
        })
    }

    /// Records a test's outcome on an integration: `active` and `lastSyncAt` when it
    /// passed, `error` and `lastError` when not. An agent's state is its heartbeats'.
    pub async fn record_connector_test(
        &self,
        p: &Principal,
        id: uuid::Uuid,
        outcome: Result<(), String>,
    ) -> ServiceResult<ConnectorView> {
        let view = self.get_connector(p, id).await?;
        require(p, Resource::Engines, Action::Manage)?;
        let ConnectorView::Integration(mut c) = view else {
            return Ok(view);
        };
        let implemented = ConnectorType::find(&c.kind_type).is_some_and(|t| t.implemented);
        if !implemented {
            return Ok(ConnectorView::Integration(c));
        }
        let now = self.now();
        match outcome {
            Ok(()) => {
                c.last_sync_at = Some(now);
                if c.status == ConnectorStatus::Error {
                    c.status = ConnectorStatus::Active;
                }
            }
            Err(message) => {
                c.status = ConnectorStatus::Error;
                c.last_error_at = Some(now);
                c.last_error = Some(message);
            }
        }
        c.updated_at = now;
        self.store().update_connector(&c).await?;
        Ok(ConnectorView::Integration(c))
    }

    fn open_secrets(&self, c: &Connector) -> Map<String, Value> {
        c.secrets_sealed
            .as_deref()
            .and_then(|s| self.secret_key.open(s, &secret_context(c.org, c.id)))
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default()
    }

    /// Validates an integration's fields against its type's contract and writes them into
    /// `c` (secrets merged into `kept` and sealed).
    fn write_integration(
        &self,
        c: &mut Connector,
        input: ConnectorInput,
        mut kept: Map<String, Value>,
    ) -> ServiceResult<()> {
        let mut checks = Checks::default();
        checks.text("name", &input.name, 1, 200);
        let Some(t) = ConnectorType::find(&c.kind_type) else {
            let names: Vec<&str> = CONNECTOR_TYPES.iter().map(|t| t.name).collect();
            checks.push(Problem::property(
                "type",
                format!(
                    "must be one of {} (see GET /connector-types)",
                    names.join(", ")
                ),
            ));
            return checks.finish();
        };
        if let Some(s) = input.status {
            if s == ConnectorStatus::Error {
                checks.push(Problem::property(
                    "status",
                    "must be active or inactive (error is set by a failed test)",
                ));
            }
            c.status = s;
        }
        for (k, v) in &input.config {
            let ctx = format!("config.{k}");
            match t.field(k) {
                None => checks.push(Problem::property(
                    &ctx,
                    format!("is not a member of a {} connector's config", t.name),
                )),
                Some(f) if f.secret => checks.push(Problem::property(
                    &ctx,
                    "is secret: send it in secrets, not config",
                )),
                Some(f) => match v.as_str() {
                    None => checks.push(Problem::property(&ctx, "must be a string")),
                    Some(s) if f.url => self.check_receiver(&mut checks, &ctx, s),
                    Some(s) => checks.text(&ctx, s, 1, 500),
                },
            }
        }
        for (k, v) in input.secrets {
            let ctx = format!("secrets.{k}");
            match t.field(&k) {
                Some(f) if f.secret => match v {
                    Value::Null => {
                        kept.remove(&k);
                    }
                    Value::String(s) => {
                        checks.text(&ctx, &s, 1, 2000);
                        kept.insert(k, Value::String(s));
                    }
                    _ => checks.push(Problem::property(
                        &ctx,
                        "must be a string (or null to remove it)",
                    )),
                },
                _ => checks.push(Problem::property(
                    &ctx,
                    format!("is not a secret of a {} connector", t.name),
                )),
            }
        }
        for f in t.fields.iter().filter(|f| f.required) {
            let present = if f.secret {
                kept.contains_key(f.name)
            } else {
                input.config.contains_key(f.name)
            };
            if !present {
                let place = if f.secret { "secrets" } else { "config" };
                checks.push(Problem::property(
                    format!("{place}.{}", f.name),
                    format!("is required for a {} connector: {}", t.name, f.description),
                ));
            }
        }
        checks.finish()?;
        c.config = input.config;
        let mut names: Vec<String> = kept.keys().cloned().collect();
        names.sort();
        c.secret_names = names;
        c.secrets_sealed = (!kept.is_empty()).then(|| {
            self.secret_key.seal(
                &Value::Object(kept).to_string(),
                &secret_context(c.org, c.id),
            )
        });
        Ok(())
    }
}

fn kind_is_fixed() -> ServiceError {
    ServiceError::invalid(vec![Problem::property(
        "kind",
        "cannot change a connector's kind: delete it and create another",
    )])
}

fn check_agent_input(input: &ConnectorInput) -> ServiceResult<()> {
    let mut c = Checks::default();
    for (given, name) in [
        (input.kind_type.is_some(), "type"),
        (!input.config.is_empty(), "config"),
        (!input.secrets.is_empty(), "secrets"),
        (input.status.is_some(), "status"),
    ] {
        if given {
            c.push(Problem::property(
                name,
                "an agent has no such field: its state comes from its heartbeats",
            ));
        }
    }
    c.finish()
}
