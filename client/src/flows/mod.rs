//! The user flows of [`crate::Client`], one module per concern.

mod appointments;
mod consent;
mod identity;
mod records;
mod rotation;
