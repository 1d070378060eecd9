//! Appointments: slots, bookings, confirmations, reschedules and visits.

use crate::*;

impl Client {
	// --- Appointments ---

	/// A doctor publishes a slot; returns its id.
	pub async fn publish_slot(
		&self,
		doctor: &Keys,
		start: Moment,
		duration_minutes: u32,
		kind: VisitKind,
	) -> Result<u64, Error> {
		let call = pallet_ehr_appointments::Call::publish_slot { start, duration_minutes, kind };
		let included = self.chain.submit(doctor, call_appointments(call)).await?;
		included
			.events
			.iter()
			.find_map(|event| match event {
				ehr_runtime::RuntimeEvent::Appointments(
					pallet_ehr_appointments::Event::SlotPublished { slot, .. },
				) => Some(*slot),
				_ => None,
			})
			.ok_or_else(|| Error::Node("no SlotPublished event".into()))
	}

	/// The free slots of `doctor` starting in `from..to`.
	pub async fn free_slots(
		&self,
		doctor: &AccountId,
		from: Moment,
		to: Moment,
	) -> Result<Vec<SlotInfo>, Error> {
		self.rpc()
			.free_slots(doctor.clone(), from, to, None)
			.await
			.map_err(rpc_error("ehr_freeSlots"))
	}

	/// The patient books `slot`; returns the appointment's id.
	pub async fn book(&self, patient: &Keys, slot: u64) -> Result<u64, Error> {
		let call = pallet_ehr_appointments::Call::book { slot, reason: None };
		let included = self.chain.submit(patient, call_appointments(call)).await?;
		included
			.events
			.iter()
			.find_map(|event| match event {
				ehr_runtime::RuntimeEvent::Appointments(
					pallet_ehr_appointments::Event::AppointmentChanged { appointment, .. },
				) => Some(*appointment),
				_ => None,
			})
			.ok_or_else(|| Error::Node("no AppointmentChanged event".into()))
	}

	/// A change to an appointment: confirm, propose a new slot, answer, cancel, complete,
	/// no-show.
	pub async fn update_appointment(
		&self,
		actor: &Keys,
		change: AppointmentAction,
	) -> Result<Included, Error> {
		use pallet_ehr_appointments::Call;
		let call = match change {
			AppointmentAction::Confirm(appointment) => Call::confirm { appointment },
			AppointmentAction::Propose(appointment, new_slot) => {
				Call::propose_reschedule { appointment, new_slot }
			}
			AppointmentAction::Answer(appointment, accept) => {
				Call::answer_reschedule { appointment, accept }
			}
			AppointmentAction::Cancel(appointment) => Call::cancel { appointment },
			AppointmentAction::Complete(appointment) => Call::complete { appointment },
			AppointmentAction::NoShow(appointment) => Call::mark_no_show { appointment },
		};
		self.chain.submit(actor, call_appointments(call)).await
	}

	/// The appointments of `patient`, newest first.
	pub async fn appointments(&self, patient: &AccountId) -> Result<Vec<AppointmentInfo>, Error> {
		self.rpc()
			.patient_appointments(patient.clone(), None)
			.await
			.map_err(rpc_error("ehr_patientAppointments"))
	}

	/// The open appointments of `doctor`, by start time.
	pub async fn doctor_appointments(
		&self,
		doctor: &AccountId,
	) -> Result<Vec<AppointmentInfo>, Error> {
		self.rpc()
			.doctor_appointments(doctor.clone(), None)
			.await
			.map_err(rpc_error("ehr_doctorAppointments"))
	}

	/// A slot by id (from the doctor's schedule, which the node lists by time).
	pub async fn slot(&self, doctor: &AccountId, id: u64) -> Result<Option<SlotInfo>, Error> {
		let schedule = self
			.rpc()
			.doctor_schedule(doctor.clone(), 0, u64::MAX, None)
			.await
			.map_err(rpc_error("ehr_doctorSchedule"))?;
		Ok(schedule.into_iter().find(|slot| slot.id == id))
	}
}
