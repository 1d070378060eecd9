//! What other pallets must do when a doctor loses its standing.

/// Called by the identity pallet when a doctor is suspended (by its hospital, or because its
/// hospital left the consortium).
pub trait OnDoctorSuspended<AccountId> {
	/// `doctor` was suspended by (or with) `hospital`.
	fn on_doctor_suspended(doctor: &AccountId, hospital: &AccountId);
}

impl<AccountId> OnDoctorSuspended<AccountId> for () {
	fn on_doctor_suspended(_: &AccountId, _: &AccountId) {}
}
