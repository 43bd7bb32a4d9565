//! rampart's DAST engine (skeleton: the catalogue is being filled in).
use rampart_domain::catalogue::ModuleMeta;

/// Every module the engine implements, in a stable order.
pub fn catalogue() -> &'static [ModuleMeta] {
    &[]
}
