//! Tests of the job protocol crate: the wire shapes, the long-poll, the backoff.

mod poll;
mod wire;
