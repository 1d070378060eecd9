//! The runtime's database weights.

pub mod paritydb_weights;

pub use paritydb_weights::constants::ParityDbWeight;
