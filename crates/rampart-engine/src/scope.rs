//! The scope gate every request passes. Its one home is `rampart_domain::scope`, shared with
//! the platform's plan compilation at submit; the engine re-exports it under its own path.

pub use rampart_domain::scope::{
    MatchKind, OutOfScope, RuleKind, ScopeError, ScopeGate, ScopeRule,
};
