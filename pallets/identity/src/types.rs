//! Types of the identity pallet, defined in `ehr-primitives` so that clients decode proven
//! storage with the same definitions.

pub use ehr_primitives::{DoctorInfo, DoctorStatus, PatientInfo};
