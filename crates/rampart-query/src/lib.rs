//! The search language (skeleton).
