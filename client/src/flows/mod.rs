//! The user flows of [`crate::Client`], one module per concern.

mod appointments;
mod consent;
pub mod escrow;
mod identity;
mod records;
mod rotation;
