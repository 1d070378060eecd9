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

	/// The patient books `slot` and, if `categories` is not empty, grants its doctor read
	/// access to them, from now until `hours_after` hours after the visit ends, sharing the
	/// keys in the grant's transaction. A patient who already has a grant for this doctor is
	/// refused before booking (a booking must not replace broader consent).
	pub async fn book_sharing(
		&self,
		patient: &Keys,
		slot: u64,
		categories: &[RecordCategory],
		hours_after: u64,
	) -> Result<Booked, Error> {
		if categories.is_empty() {
			let appointment = self.book(patient, slot).await?;
			return Ok(Booked {
				appointment,
				shared: 0,
				doctor: None,
				grant_ends: None,
				granted_in: None,
			});
		}
		// The grant goes to the slot's doctor: with `--chain-spec` the slot is read with a
		// proof, so that a node cannot name a doctor of its own.
		let key = pallet_ehr_appointments::Slots::<Runtime>::hashed_key_for(slot);
		let found = match self.verified().await? {
			Some(state) => {
				let values = state.read(std::slice::from_ref(&key)).await?;
				verified::decode::<pallet_ehr_appointments::SlotOf<Runtime>>(
					"slot",
					values.get(&key),
				)?
			}
			None => {
				self.chain.storage::<pallet_ehr_appointments::SlotOf<Runtime>>(&key, None).await?
			}
		}
		.ok_or_else(|| {
			Error::Refused(format!("no slot {slot}: `ehr slot free <doctor>` lists free ones"))
		})?;
		let me = patient.account_id();
		if self.grants(&me).await?.iter().any(|g| g.grantee == found.doctor) {
			return Err(Error::Refused(format!(
				"you have consent for this doctor already (`ehr consent list`): book without \
				 --share, or revoke that grant first; nothing was booked"
			)));
		}
		let appointment = self.book(patient, slot).await?;
		let ends = found.end().saturating_add(hours_after.saturating_mul(3_600_000));
		let scope = Scope::Categories(
			categories
				.to_vec()
				.try_into()
				.map_err(|_| Error::Usage("at most the seven categories can be shared".into()))?,
		);
		let granted = self
			.grant(patient, &found.doctor, scope, AccessLevel::Read, Some(ends), Purpose::Treatment)
			.await
			.map_err(|error| {
				Error::Refused(format!(
					"appointment {appointment} is booked, but the grant failed ({error}): grant \
					 with `ehr consent grant`"
				))
			})?;
		Ok(Booked {
			appointment,
			shared: granted.shared,
			doctor: Some(found.doctor),
			grant_ends: Some(ends),
			granted_in: Some(granted.included.number),
		})
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

	/// The roster of `hospital`: which of its doctors is on call when, by start time (shifts
	/// that ended may still be listed until the hospital next publishes). Read as messages are
	/// (with a proof when the client verifies).
	pub async fn roster(&self, hospital: &AccountId) -> Result<Vec<Shift<AccountId>>, Error> {
		let key = pallet_ehr_appointments::OnCall::<Runtime>::hashed_key_for(hospital);
		let rosters: Vec<pallet_ehr_appointments::RosterOf<Runtime>> =
			self.read_values("roster", &[key]).await?;
		Ok(rosters.into_iter().next().map(|roster| roster.into_inner()).unwrap_or_default())
	}

	/// The hospital replaces its whole roster with `shifts` (empty: nobody is on call). The
	/// chain checks each shift (a doctor of the hospital, at most 24 hours, starting within 31
	/// days, no overlap of one doctor's shifts) and drops those that have ended.
	pub async fn set_on_call(
		&self,
		hospital: &Keys,
		shifts: Vec<Shift<AccountId>>,
	) -> Result<Included, Error> {
		let max =
			<<Runtime as pallet_ehr_appointments::Config>::MaxShifts as sp_runtime::traits::Get<
				u32,
			>>::get();
		let shifts: pallet_ehr_appointments::RosterOf<Runtime> =
			shifts.try_into().map_err(|shifts: Vec<_>| {
				Error::Usage(format!(
					"a roster holds at most {max} shifts, not {}: publish the nearest ones and the \
					 rest later (the chain takes shifts starting within 31 days)",
					shifts.len()
				))
			})?;
		let call = pallet_ehr_appointments::Call::set_on_call { shifts };
		self.chain.submit(hospital, call_appointments(call)).await
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
