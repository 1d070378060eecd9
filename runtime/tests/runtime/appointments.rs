//! Appointments on the real runtime (`dev` preset: Alice is the hospital), every step a signed
//! extrinsic applied through `Executive`, in blocks that carry an Aura slot and the timestamp
//! inherent as an author's would: a suspended doctor cannot complete a visit, a patient cannot
//! hold overlapping appointments with two doctors, and an appointment whose history took every
//! reschedule it could still ends.

use crate::common::*;
use codec::{Decode, Encode};
use ehr_primitives::{AppointmentChange, AppointmentStatus, VisitKind};
use ehr_runtime::{Runtime, RuntimeCall};
use frame_support::traits::Get;
use pallet_ehr_appointments::{Appointments, Error, NextAppointmentId, NextSlotId, OpenVisits};
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Dave, Eve, Ferdie};
use sp_runtime::DispatchError;

/// 2026-01-01T00:00:00Z.
const T0: u64 = 1_767_225_600_000;
const MINUTE: u64 = 60_000;
const HOUR: u64 = 60 * MINUTE;

fn appointments(call: pallet_ehr_appointments::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Appointments(call)
}

fn identity(call: pallet_ehr_identity::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Identity(call)
}

/// What the call's dispatch returned (the transaction itself must be valid).
fn dispatch(signer: Sr25519Keyring, call: RuntimeCall) -> Result<(), DispatchError> {
	apply(signer, call).expect("a valid transaction")
}

fn refused(error: Error<Runtime>) -> Result<(), DispatchError> {
	Err(error.into())
}

/// The `dev` chain at block 1 (time `T0`): Alice, the hospital, has verified `doctors` and
/// invited `patients`, who registered.
fn chain(doctors: &[Sr25519Keyring], patients: &[Sr25519Keyring], test: impl FnOnce()) {
	ext_from_preset(DEV).execute_with(|| {
		block_at(1, T0);
		for doctor in doctors {
			let register = identity(pallet_ehr_identity::Call::register_doctor {
				doctor: account(*doctor),
				name: b"Dr.".to_vec(),
				specialty: b"general".to_vec(),
				licence: b"MD-1".to_vec(),
			});
			assert_eq!(dispatch(Alice, register), Ok(()));
			let accept = identity(pallet_ehr_identity::Call::accept_doctor {
				hospital: account(Alice),
				encryption_key: [8; 32],
			});
			assert_eq!(dispatch(*doctor, accept), Ok(()));
		}
		for patient in patients {
			let invite =
				identity(pallet_ehr_identity::Call::invite_patient { patient: account(*patient) });
			assert_eq!(dispatch(Alice, invite), Ok(()));
			let register =
				identity(pallet_ehr_identity::Call::register_patient { encryption_key: [7; 32] });
			assert_eq!(dispatch(*patient, register), Ok(()));
		}
		test();
	});
}

/// `doctor` publishes a slot of `minutes` starting at `start`; returns its id.
fn publish(doctor: Sr25519Keyring, start: u64, minutes: u32) -> u64 {
	let id = NextSlotId::<Runtime>::get();
	let call = appointments(pallet_ehr_appointments::Call::publish_slot {
		start,
		duration_minutes: minutes,
		kind: VisitKind::Video,
	});
	assert_eq!(dispatch(doctor, call), Ok(()));
	id
}

fn book_call(slot: u64) -> RuntimeCall {
	appointments(pallet_ehr_appointments::Call::book { slot, reason: None })
}

/// `patient` books `slot`; returns the appointment's id.
fn book(patient: Sr25519Keyring, slot: u64) -> u64 {
	let id = NextAppointmentId::<Runtime>::get();
	assert_eq!(dispatch(patient, book_call(slot)), Ok(()));
	id
}

fn status(appointment: u64) -> AppointmentStatus {
	Appointments::<Runtime>::get(appointment).expect("stored").status
}

#[test]
fn a_suspended_doctor_cannot_complete_a_visit() {
	chain(&[Bob], &[Eve], || {
		let appointment = book(Eve, publish(Bob, T0 + HOUR, 30));
		let confirm = appointments(pallet_ehr_appointments::Call::confirm { appointment });
		assert_eq!(dispatch(Bob, confirm), Ok(()));
		let suspend = identity(pallet_ehr_identity::Call::suspend_doctor { doctor: account(Bob) });
		assert_eq!(dispatch(Alice, suspend), Ok(()));

		block_at(2, T0 + 2 * HOUR);
		let complete = appointments(pallet_ehr_appointments::Call::complete { appointment });
		let no_show = appointments(pallet_ehr_appointments::Call::mark_no_show { appointment });
		assert_eq!(dispatch(Bob, complete.clone()), refused(Error::NotActiveDoctor));
		assert_eq!(dispatch(Bob, no_show), refused(Error::NotActiveDoctor));
		assert_eq!(status(appointment), AppointmentStatus::Confirmed);

		// Reinstated by its hospital, the doctor completes the visit.
		let reinstate =
			identity(pallet_ehr_identity::Call::reinstate_doctor { doctor: account(Bob) });
		assert_eq!(dispatch(Alice, reinstate), Ok(()));
		assert_eq!(dispatch(Bob, complete), Ok(()));
		assert_eq!(status(appointment), AppointmentStatus::Completed);
	});
}

#[test]
fn a_patient_cannot_book_overlapping_appointments_with_two_doctors() {
	chain(&[Bob, Dave], &[Eve, Ferdie], || {
		// Bob 1:00–1:30; Dave 1:15–1:45, and 0:30–1:00 (back to back with Bob's).
		let with_bob = publish(Bob, T0 + HOUR, 30);
		let overlapping = publish(Dave, T0 + HOUR + 15 * MINUTE, 30);
		let before = publish(Dave, T0 + 30 * MINUTE, 30);
		book(Eve, with_bob);
		assert_eq!(dispatch(Eve, book_call(overlapping)), refused(Error::OverlappingAppointment));
		// Another patient may take that time; back to back is fine.
		book(Ferdie, overlapping);
		book(Eve, before);
		assert_eq!(OpenVisits::<Runtime>::get(account(Eve)).len(), 2);
	});
}

#[test]
fn an_appointment_whose_history_took_every_reschedule_still_ends() {
	chain(&[Bob], &[Eve], || {
		let other = publish(Bob, T0 + 5 * HOUR, 30);
		let completed = book(Eve, publish(Bob, T0 + HOUR, 30));
		let cancelled = book(Eve, publish(Bob, T0 + 3 * HOUR, 30));
		let max_history: u32 = <Runtime as pallet_ehr_appointments::Config>::MaxHistory::get();
		for appointment in [completed, cancelled] {
			let propose = appointments(pallet_ehr_appointments::Call::propose_reschedule {
				appointment,
				new_slot: other,
			});
			let decline = appointments(pallet_ehr_appointments::Call::answer_reschedule {
				appointment,
				accept: false,
			});
			let mut rounds = 0;
			while dispatch(Bob, propose.clone()).is_ok() {
				assert_eq!(dispatch(Eve, decline.clone()), Ok(()));
				rounds += 1;
				assert!(rounds <= max_history, "the history bounds the reschedules");
			}
			// As configured: the booking, six reschedules declined, room for the rest.
			assert_eq!(rounds, 6);
			assert_eq!(dispatch(Bob, propose), refused(Error::HistoryFull));
		}

		// The patient cancels one; the doctor confirms and completes the other.
		let cancel = appointments(pallet_ehr_appointments::Call::cancel { appointment: cancelled });
		assert_eq!(dispatch(Eve, cancel), Ok(()));
		let confirm =
			appointments(pallet_ehr_appointments::Call::confirm { appointment: completed });
		assert_eq!(dispatch(Bob, confirm), Ok(()));
		block_at(2, T0 + 2 * HOUR);
		let complete =
			appointments(pallet_ehr_appointments::Call::complete { appointment: completed });
		assert_eq!(dispatch(Bob, complete), Ok(()));

		assert_eq!(status(cancelled), AppointmentStatus::Cancelled);
		assert_eq!(status(completed), AppointmentStatus::Completed);
		let history = Appointments::<Runtime>::get(completed).expect("stored").history;
		assert_eq!(history.last().map(|entry| entry.change), Some(AppointmentChange::Completed));
		assert!(history.len() <= max_history as usize);
		// Nothing is held any more: the patient is free, the proposed slot too.
		assert!(!OpenVisits::<Runtime>::contains_key(account(Eve)));
		let free = pallet_ehr_appointments::Slots::<Runtime>::get(other).expect("published");
		assert_eq!(free.held_by, None);
	});
}

#[test]
fn only_the_two_parties_record_a_video_visit_and_only_at_its_time() {
	chain(&[Bob, Dave], &[Eve, Ferdie], || {
		let appointment = book(Eve, publish(Bob, T0 + HOUR, 30));
		let confirm = appointments(pallet_ehr_appointments::Call::confirm { appointment });
		assert_eq!(dispatch(Bob, confirm), Ok(()));
		let start = appointments(pallet_ehr_appointments::Call::start_visit { appointment });
		let end = appointments(pallet_ehr_appointments::Call::end_visit { appointment });
		// Before the call opens (ten minutes ahead): refused.
		assert_eq!(dispatch(Eve, start.clone()), refused(Error::OutsideVisitTime));

		block_at(2, T0 + HOUR - 5 * MINUTE);
		// Another doctor, another patient, the hospital: not theirs, also in a batch or as a
		// derivative account of a party.
		for outsider in [Dave, Ferdie, Alice] {
			assert_eq!(dispatch(outsider, start.clone()), refused(Error::NotYourAppointment));
		}
		let batch =
			RuntimeCall::Utility(pallet_utility::Call::batch_all { calls: vec![start.clone()] });
		assert!(dispatch(Alice, batch).is_err());
		let derivative = RuntimeCall::Utility(pallet_utility::Call::as_derivative {
			index: 0,
			call: Box::new(start.clone()),
		});
		assert!(apply(Eve, derivative).map_or(true, |outcome| outcome.is_err()));
		assert!(pallet_ehr_appointments::Visits::<Runtime>::get(appointment).is_none());

		assert_eq!(dispatch(Eve, start.clone()), Ok(()));
		assert_eq!(dispatch(Bob, start), refused(Error::VisitStarted));
		block_at(3, T0 + HOUR + 14 * MINUTE);
		assert_eq!(dispatch(Ferdie, end.clone()), refused(Error::NotYourAppointment));
		assert_eq!(dispatch(Bob, end.clone()), Ok(()));
		assert_eq!(dispatch(Eve, end), refused(Error::VisitEnded));
		let times = pallet_ehr_appointments::Visits::<Runtime>::get(appointment).expect("recorded");
		assert_eq!(times.minutes(), Some(19));
		// Both ends are in Eve's trail, by whoever recorded them.
		let trail = pallet_ehr_consent::Pallet::<Runtime>::trail(&account(Eve), 0, 100);
		let calls: Vec<_> = trail
			.iter()
			.filter_map(|(_, entry)| match entry.event {
				ehr_primitives::AuditEvent::Appointment { change, .. }
					if matches!(
						change,
						AppointmentChange::VisitStarted | AppointmentChange::VisitEnded { .. }
					) =>
				{
					Some((entry.actor.clone(), change))
				}
				_ => None,
			})
			.collect();
		assert_eq!(
			calls,
			vec![
				(account(Eve), AppointmentChange::VisitStarted),
				(account(Bob), AppointmentChange::VisitEnded { minutes: 19 }),
			]
		);
	});
}

fn roster(shifts: Vec<ehr_primitives::Shift<ehr_runtime::AccountId>>) -> RuntimeCall {
	appointments(pallet_ehr_appointments::Call::set_on_call {
		shifts: shifts.try_into().expect("at most MaxShifts"),
	})
}

fn on_call(
	doctor: Sr25519Keyring,
	from: u64,
	until: u64,
) -> ehr_primitives::Shift<ehr_runtime::AccountId> {
	ehr_primitives::Shift { doctor: account(doctor), from, until }
}

/// `patient`'s visit with `doctor` on call, with the doctor's answer signed at `at`.
fn on_call_visit(patient: Sr25519Keyring, doctor: Sr25519Keyring, at: u64) -> RuntimeCall {
	let payload = ehr_primitives::on_call_answer_payload(&account(patient), &account(doctor), at);
	appointments(pallet_ehr_appointments::Call::on_call_visit {
		doctor: account(doctor),
		answered_at: at,
		answer: doctor.sign(&payload).into(),
	})
}

#[test]
fn only_the_hospital_puts_its_doctors_on_call_and_patients_call_only_those_on_call_now() {
	chain(&[Bob, Dave], &[Eve, Ferdie], || {
		// A doctor cannot put itself on call, nor a patient; the hospital only its doctors.
		let bob_now = on_call(Bob, T0, T0 + 8 * HOUR);
		for insider in [Bob, Eve] {
			assert_eq!(
				dispatch(insider, roster(vec![bob_now.clone()])),
				refused(Error::NotHospital)
			);
		}
		let ferdie = on_call(Ferdie, T0, T0 + HOUR);
		assert_eq!(dispatch(Alice, roster(vec![ferdie])), refused(Error::NotHospitalsDoctor));
		let dave_later = on_call(Dave, T0 + 8 * HOUR, T0 + 16 * HOUR);
		assert_eq!(dispatch(Alice, roster(vec![bob_now.clone(), dave_later])), Ok(()));

		// More shifts than the roster holds do not even decode as a call.
		let max: u32 = <Runtime as pallet_ehr_appointments::Config>::MaxShifts::get();
		let too_many = vec![bob_now; max as usize + 1];
		let mut encoded = roster(vec![]).encode();
		encoded.truncate(2);
		encoded.extend(too_many.encode());
		assert!(RuntimeCall::decode(&mut &encoded[..]).is_err());

		// Eve calls Dave, who is off call: refused, also in a batch; Bob, on call: a visit.
		let call_dave = on_call_visit(Eve, Dave, T0);
		assert_eq!(dispatch(Eve, call_dave.clone()), refused(Error::NotOnCall));
		let batch =
			RuntimeCall::Utility(pallet_utility::Call::batch_all { calls: vec![call_dave] });
		assert!(dispatch(Eve, batch).is_err());
		// The hospital or a doctor cannot make a visit in a patient's name, also as a derivative.
		let call_bob = on_call_visit(Eve, Bob, T0);
		assert_eq!(dispatch(Alice, call_bob.clone()), refused(Error::NotPatient));
		assert_eq!(dispatch(Dave, call_bob.clone()), refused(Error::NotPatient));
		// Bob's answer to Eve does not make Ferdie's visit; a visit Bob never answered neither.
		assert_eq!(dispatch(Ferdie, call_bob.clone()), refused(Error::BadAnswer));
		let unanswered = appointments(pallet_ehr_appointments::Call::on_call_visit {
			doctor: account(Bob),
			answered_at: T0,
			answer: Eve.sign(b"Bob answers").into(),
		});
		assert_eq!(dispatch(Eve, unanswered), refused(Error::BadAnswer));
		let derivative = RuntimeCall::Utility(pallet_utility::Call::as_derivative {
			index: 0,
			call: Box::new(call_bob.clone()),
		});
		assert!(apply(Eve, derivative).map_or(true, |outcome| outcome.is_err()));

		let appointment = NextAppointmentId::<Runtime>::get();
		assert_eq!(dispatch(Eve, call_bob.clone()), Ok(()));
		let visit = Appointments::<Runtime>::get(appointment).expect("made");
		assert_eq!((visit.doctor, visit.patient), (account(Bob), account(Eve)));
		assert_eq!((visit.start, visit.kind), (T0, VisitKind::Video));
		assert_eq!(visit.status, AppointmentStatus::Confirmed);
		// Its call is recorded as a booked visit's is.
		let start = appointments(pallet_ehr_appointments::Call::start_visit { appointment });
		assert_eq!(dispatch(Bob, start), Ok(()));

		// Suspended: off call whatever the roster says.
		let suspend = identity(pallet_ehr_identity::Call::suspend_doctor { doctor: account(Bob) });
		assert_eq!(dispatch(Alice, suspend), Ok(()));
		assert_eq!(dispatch(Ferdie, on_call_visit(Ferdie, Bob, T0 + 1)), refused(Error::NotOnCall));
		// Dave's shift begins; an answer of long ago does not count.
		block_at(2, T0 + 8 * HOUR);
		assert_eq!(
			dispatch(Ferdie, on_call_visit(Ferdie, Dave, T0)),
			refused(Error::AnswerExpired)
		);
		assert_eq!(dispatch(Ferdie, on_call_visit(Ferdie, Dave, T0 + 8 * HOUR)), Ok(()));
	});
}
