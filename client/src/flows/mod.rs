//! The user flows of [`crate::Client`], one module per concern.

mod appointments;
pub mod care;
mod consent;
pub mod escrow;
pub mod identity;
pub mod pinning;
mod records;
mod rotation;
