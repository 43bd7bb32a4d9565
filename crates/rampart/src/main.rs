//! The `rampart` binary (placeholder while the workspace is assembled).
fn main() {}
