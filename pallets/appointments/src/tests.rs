use crate::{
	mock::*, Appointments as AppointmentStore, DoctorAppointments, DoctorSlots, Error, Event,
	OpenVisits, SlotCount, Slots,
};
use ehr_primitives::{
	AppointmentChange::{self, *},
	AppointmentStatus, AuditEvent, VisitKind,
};
use frame_support::{assert_noop, assert_ok, traits::Get};

fn signed(who: u64) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn status(appointment: u64) -> AppointmentStatus {
	AppointmentStore::<Test>::get(appointment).unwrap().status
}

fn history(appointment: u64) -> Vec<(u64, AppointmentChange)> {
	AppointmentStore::<Test>::get(appointment)
		.unwrap()
		.history
		.into_iter()
		.map(|entry| (entry.by, entry.change))
		.collect()
}

#[test]
fn a_doctor_publishes_and_withdraws_slots() {
	new_test_ext().execute_with(|| {
		assert_ok!(Appointments::publish_slot(signed(DOCTOR), START + HOUR, 30, VisitKind::Video));
		let slot = Slots::<Test>::get(0).unwrap();
		assert_eq!((slot.doctor, slot.start, slot.duration_minutes), (DOCTOR, START + HOUR, 30));
		assert_eq!((slot.kind, slot.held_by), (VisitKind::Video, None));
		assert_eq!(SlotCount::<Test>::get(DOCTOR), 1);
		System::assert_last_event(
			Event::SlotPublished { slot: 0, doctor: DOCTOR, start: START + HOUR }.into(),
		);
		assert_noop!(Appointments::withdraw_slot(signed(COLLEAGUE), 0), Error::<Test>::NotYourSlot);
		assert_ok!(Appointments::withdraw_slot(signed(DOCTOR), 0));
		assert!(Slots::<Test>::get(0).is_none());
		assert!(!DoctorSlots::<Test>::contains_key(DOCTOR, 0));
		assert_eq!(SlotCount::<Test>::get(DOCTOR), 0);
		assert_noop!(Appointments::withdraw_slot(signed(DOCTOR), 0), Error::<Test>::UnknownSlot);
	});
}

#[test]
fn slots_are_checked() {
	new_test_ext().execute_with(|| {
		let publish = |who: u64, start: u64, minutes: u32| {
			Appointments::publish_slot(signed(who), start, minutes, VisitKind::InPerson)
		};
		for who in [PATIENT, UNVERIFIED, HOSPITAL] {
			assert_noop!(publish(who, START + HOUR, 30), Error::<Test>::NotActiveDoctor);
		}
		assert_noop!(publish(DOCTOR, START, 30), Error::<Test>::InThePast);
		assert_noop!(publish(DOCTOR, START + HOUR, 0), Error::<Test>::InvalidDuration);
		assert_noop!(publish(DOCTOR, START + HOUR, 241), Error::<Test>::InvalidDuration);
		assert_ok!(publish(DOCTOR, START + HOUR, 60));
		// Overlaps at either end are refused; touching is fine.
		assert_noop!(
			publish(DOCTOR, START + HOUR + 59 * MINUTE, 30),
			Error::<Test>::OverlappingSlot
		);
		assert_noop!(
			publish(DOCTOR, START + HOUR - 10 * MINUTE, 11),
			Error::<Test>::OverlappingSlot
		);
		assert_ok!(publish(DOCTOR, START + 2 * HOUR, 30));
		assert_ok!(publish(DOCTOR, START + HOUR - 10 * MINUTE, 10));
		// Another doctor's slots do not overlap this one's.
		assert_ok!(publish(COLLEAGUE, START + HOUR, 60));
		assert_ok!(publish(DOCTOR, START + 3 * HOUR, 30));
		assert_noop!(publish(DOCTOR, START + 4 * HOUR, 30), Error::<Test>::TooManySlots);
		assert_ok!(Identity::suspend_doctor(signed(HOSPITAL), COLLEAGUE));
		assert_noop!(publish(COLLEAGUE, START + 5 * HOUR, 30), Error::<Test>::NotActiveDoctor);
	});
}

#[test]
fn a_patient_books_a_free_slot_and_the_doctor_confirms_and_completes() {
	new_test_ext().execute_with(|| {
		let slot = publish(DOCTOR, 2);
		assert_ok!(Appointments::book(signed(PATIENT), slot, Some(cid(3))));
		let appointment = AppointmentStore::<Test>::get(0).unwrap();
		assert_eq!(
			(appointment.doctor, appointment.patient, appointment.slot),
			(DOCTOR, PATIENT, slot)
		);
		assert_eq!(appointment.reason.unwrap().to_vec(), cid(3));
		assert_eq!(appointment.status, AppointmentStatus::Requested);
		assert_eq!(Slots::<Test>::get(slot).unwrap().held_by, Some(0));
		assert_eq!(
			OpenVisits::<Test>::get(PATIENT).to_vec(),
			[(0, START + 2 * HOUR, START + 2 * HOUR + 30 * MINUTE)]
		);
		assert_ok!(Appointments::confirm(signed(DOCTOR), 0));
		assert_ok!(Appointments::do_try_state());
		assert_noop!(Appointments::confirm(signed(DOCTOR), 0), Error::<Test>::InvalidStatus);
		assert_noop!(Appointments::complete(signed(DOCTOR), 0), Error::<Test>::TooEarly);
		set_time(START + 2 * HOUR + 5 * MINUTE);
		assert_ok!(Appointments::complete(signed(DOCTOR), 0));
		assert_eq!(status(0), AppointmentStatus::Completed);
		assert_eq!(
			history(0),
			vec![
				(PATIENT, Booked { start: START + 2 * HOUR }),
				(DOCTOR, Confirmed),
				(DOCTOR, Completed)
			]
		);
		// Finished: the slot is gone, the appointment and its history stay.
		assert!(Slots::<Test>::get(slot).is_none());
		assert!(!DoctorAppointments::<Test>::contains_key(DOCTOR, 0));
		assert!(!OpenVisits::<Test>::contains_key(PATIENT));
		assert_eq!(Appointments::patient_appointments(&PATIENT).len(), 1);
		System::assert_last_event(
			Event::AppointmentChanged {
				appointment: 0,
				doctor: DOCTOR,
				patient: PATIENT,
				by: DOCTOR,
				change: Completed,
			}
			.into(),
		);
		// Every change is in the patient's audit trail.
		let trail: Vec<AuditEvent<u64>> =
			Consent::trail(&PATIENT, 0, 100).into_iter().map(|(_, entry)| entry.event).collect();
		assert_eq!(
			trail,
			[Booked { start: START + 2 * HOUR }, Confirmed, Completed]
				.map(|change| AuditEvent::Appointment { appointment: 0, doctor: DOCTOR, change })
		);
		assert_ok!(Appointments::do_try_state());
	});
}

#[test]
fn no_double_booking_and_no_booking_in_the_past() {
	new_test_ext().execute_with(|| {
		let slot = publish(DOCTOR, 1);
		book(PATIENT, slot);
		assert_noop!(
			Appointments::book(signed(OTHER_PATIENT), slot, None),
			Error::<Test>::SlotTaken
		);
		assert_noop!(Appointments::book(signed(PATIENT), slot, None), Error::<Test>::SlotTaken);
		let later = publish(DOCTOR, 3);
		set_time(START + 4 * HOUR);
		assert_noop!(
			Appointments::book(signed(OTHER_PATIENT), later, None),
			Error::<Test>::InThePast
		);
		assert_noop!(
			Appointments::book(signed(OTHER_PATIENT), 99, None),
			Error::<Test>::UnknownSlot
		);
	});
}

#[test]
fn bookings_are_refused_to_non_patients_for_suspended_doctors_and_with_bad_reasons() {
	new_test_ext().execute_with(|| {
		let slot = publish(DOCTOR, 1);
		for who in [UNVERIFIED, DOCTOR, HOSPITAL] {
			assert_noop!(Appointments::book(signed(who), slot, None), Error::<Test>::NotPatient);
		}
		let mut cid_v0 = cid(1);
		cid_v0.drain(..2);
		assert_noop!(
			Appointments::book(signed(PATIENT), slot, Some(cid_v0)),
			Error::<Test>::InvalidCid
		);
		assert_noop!(
			Appointments::book(signed(PATIENT), slot, Some(vec![1; 65])),
			Error::<Test>::InvalidCid
		);
		assert_ok!(Identity::suspend_doctor(signed(HOSPITAL), DOCTOR));
		assert_noop!(
			Appointments::book(signed(PATIENT), slot, None),
			Error::<Test>::DoctorUnavailable
		);
	});
}

#[test]
fn a_patient_has_a_bounded_number_of_open_appointments() {
	new_test_ext().execute_with(|| {
		let slots = [publish(DOCTOR, 1), publish(DOCTOR, 2), publish(DOCTOR, 3)];
		book(PATIENT, slots[0]);
		book(PATIENT, slots[1]);
		assert_noop!(
			Appointments::book(signed(PATIENT), slots[2], None),
			Error::<Test>::TooManyAppointments
		);
		assert_ok!(Appointments::cancel(signed(PATIENT), 0));
		assert_ok!(Appointments::book(signed(PATIENT), slots[2], None));
	});
}

#[test]
fn nobody_acts_on_someone_elses_appointment() {
	new_test_ext().execute_with(|| {
		let slot = publish(DOCTOR, 1);
		let other = publish(DOCTOR, 2);
		book(PATIENT, slot);
		for attacker in [OTHER_DOCTOR, COLLEAGUE, PATIENT, HOSPITAL] {
			assert_noop!(
				Appointments::confirm(signed(attacker), 0),
				Error::<Test>::NotYourAppointment
			);
			assert_noop!(
				Appointments::propose_reschedule(signed(attacker), 0, other),
				Error::<Test>::NotYourAppointment
			);
			assert_noop!(
				Appointments::complete(signed(attacker), 0),
				Error::<Test>::NotYourAppointment
			);
			assert_noop!(
				Appointments::mark_no_show(signed(attacker), 0),
				Error::<Test>::NotYourAppointment
			);
		}
		for attacker in [OTHER_PATIENT, GUARDIAN, COLLEAGUE, HOSPITAL] {
			assert_noop!(
				Appointments::cancel(signed(attacker), 0),
				Error::<Test>::NotYourAppointment
			);
		}
		for attacker in [OTHER_PATIENT, DOCTOR] {
			assert_noop!(
				Appointments::answer_reschedule(signed(attacker), 0, true),
				Error::<Test>::NotYourAppointment
			);
		}
		// A doctor cannot offer another doctor's slot, nor withdraw a booked one.
		let colleague_slot = publish(COLLEAGUE, 5);
		assert_noop!(
			Appointments::propose_reschedule(signed(DOCTOR), 0, colleague_slot),
			Error::<Test>::NotYourSlot
		);
		assert_noop!(Appointments::withdraw_slot(signed(DOCTOR), slot), Error::<Test>::SlotTaken);
		assert_noop!(Appointments::confirm(signed(DOCTOR), 7), Error::<Test>::UnknownAppointment);
	});
}

#[test]
fn a_suspended_doctor_cannot_confirm_or_reschedule() {
	new_test_ext().execute_with(|| {
		let slot = publish(DOCTOR, 1);
		let other = publish(DOCTOR, 2);
		book(PATIENT, slot);
		assert_ok!(Identity::suspend_doctor(signed(HOSPITAL), DOCTOR));
		assert_noop!(Appointments::confirm(signed(DOCTOR), 0), Error::<Test>::NotActiveDoctor);
		assert_noop!(
			Appointments::propose_reschedule(signed(DOCTOR), 0, other),
			Error::<Test>::NotActiveDoctor
		);
		// The patient can still cancel.
		assert_ok!(Appointments::cancel(signed(PATIENT), 0));
	});
}

#[test]
fn an_accepted_reschedule_moves_the_visit_and_withdraws_the_old_slot() {
	new_test_ext().execute_with(|| {
		let slot = publish(DOCTOR, 1);
		let new_slot = publish(DOCTOR, 5);
		book(PATIENT, slot);
		assert_noop!(
			Appointments::answer_reschedule(signed(PATIENT), 0, true),
			Error::<Test>::NoProposal
		);
		assert_ok!(Appointments::propose_reschedule(signed(DOCTOR), 0, new_slot));
		assert_ok!(Appointments::do_try_state());
		// The proposed slot is held: nobody else books it meanwhile.
		assert_noop!(
			Appointments::book(signed(OTHER_PATIENT), new_slot, None),
			Error::<Test>::SlotTaken
		);
		let third = publish(DOCTOR, 7);
		assert_noop!(
			Appointments::propose_reschedule(signed(DOCTOR), 0, third),
			Error::<Test>::ProposalPending
		);
		assert_ok!(Appointments::answer_reschedule(signed(PATIENT), 0, true));
		let appointment = AppointmentStore::<Test>::get(0).unwrap();
		assert_eq!((appointment.slot, appointment.start), (new_slot, START + 5 * HOUR));
		assert_eq!(
			(appointment.status, appointment.proposed_slot),
			(AppointmentStatus::Confirmed, None)
		);
		assert!(Slots::<Test>::get(slot).is_none());
		assert_eq!(Slots::<Test>::get(new_slot).unwrap().held_by, Some(0));
		assert_eq!(
			history(0)[1..],
			[
				(DOCTOR, RescheduleProposed { start: START + 5 * HOUR }),
				(PATIENT, RescheduleAccepted { start: START + 5 * HOUR })
			]
		);
		assert_ok!(Appointments::do_try_state());
	});
}

#[test]
fn a_declined_reschedule_keeps_the_visit_and_frees_the_proposed_slot() {
	new_test_ext().execute_with(|| {
		let slot = publish(DOCTOR, 1);
		let new_slot = publish(DOCTOR, 5);
		book(PATIENT, slot);
		assert_ok!(Appointments::confirm(signed(DOCTOR), 0));
		assert_ok!(Appointments::propose_reschedule(signed(DOCTOR), 0, new_slot));
		assert_ok!(Appointments::answer_reschedule(signed(PATIENT), 0, false));
		let appointment = AppointmentStore::<Test>::get(0).unwrap();
		assert_eq!((appointment.slot, appointment.status), (slot, AppointmentStatus::Confirmed));
		assert_eq!(Slots::<Test>::get(new_slot).unwrap().held_by, None);
		assert_eq!(history(0).last(), Some(&(PATIENT, RescheduleDeclined)));
		assert_ok!(Appointments::do_try_state());
	});
}

#[test]
fn endless_rescheduling_is_bounded_by_the_history() {
	new_test_ext().execute_with(|| {
		// The mock keeps 5 entries: the booking, one proposal and its answer, and room for the
		// confirmation and the end.
		let slot = publish(DOCTOR, 1);
		let new_slot = publish(DOCTOR, 5);
		book(PATIENT, slot);
		assert_ok!(Appointments::propose_reschedule(signed(DOCTOR), 0, new_slot));
		assert_ok!(Appointments::answer_reschedule(signed(PATIENT), 0, false));
		assert_noop!(
			Appointments::propose_reschedule(signed(DOCTOR), 0, new_slot),
			Error::<Test>::HistoryFull
		);
		// Confirmed, the end is the only entry to keep room for: still no second move.
		assert_ok!(Appointments::confirm(signed(DOCTOR), 0));
		assert_noop!(
			Appointments::propose_reschedule(signed(DOCTOR), 0, new_slot),
			Error::<Test>::HistoryFull
		);
		assert_eq!(history(0).len(), 4);
	});
}

/// Books `slot` for `PATIENT`, then `DOCTOR` proposes `other` and the patient declines, until
/// the history refuses another proposal; returns the appointment.
fn reschedule_until_refused(slot: u64, other: u64) -> u64 {
	let appointment = book(PATIENT, slot);
	let max = <Test as crate::Config>::MaxHistory::get();
	for _ in 0..max {
		if Appointments::propose_reschedule(signed(DOCTOR), appointment, other).is_err() {
			break;
		}
		assert_ok!(Appointments::answer_reschedule(signed(PATIENT), appointment, false));
	}
	assert_noop!(
		Appointments::propose_reschedule(signed(DOCTOR), appointment, other),
		Error::<Test>::HistoryFull
	);
	appointment
}

#[test]
fn a_patient_cancels_an_appointment_whose_history_is_full() {
	new_test_ext().execute_with(|| {
		let slot = publish(DOCTOR, 1);
		let other = publish(DOCTOR, 5);
		let appointment = reschedule_until_refused(slot, other);
		assert_ok!(Appointments::cancel(signed(PATIENT), appointment));
		assert_eq!(status(appointment), AppointmentStatus::Cancelled);
		assert_eq!(history(appointment).last(), Some(&(PATIENT, Cancelled)));
		// Both slots are free and the patient's count is back to zero.
		assert_eq!(Slots::<Test>::get(slot).unwrap().held_by, None);
		assert_eq!(Slots::<Test>::get(other).unwrap().held_by, None);
		assert!(!OpenVisits::<Test>::contains_key(PATIENT));
	});
}

#[test]
fn a_doctor_cancels_an_appointment_whose_history_is_full() {
	new_test_ext().execute_with(|| {
		let slot = publish(DOCTOR, 1);
		let other = publish(DOCTOR, 5);
		let appointment = reschedule_until_refused(slot, other);
		assert_ok!(Appointments::cancel(signed(DOCTOR), appointment));
		assert_eq!(status(appointment), AppointmentStatus::Cancelled);
		assert_eq!(history(appointment).last(), Some(&(DOCTOR, Cancelled)));
		assert!(Slots::<Test>::get(slot).is_none());
		assert!(!OpenVisits::<Test>::contains_key(PATIENT));
	});
}

#[test]
fn a_doctor_confirms_and_completes_or_marks_a_no_show_when_the_history_is_full() {
	new_test_ext().execute_with(|| {
		let other = publish(DOCTOR, 5);
		let completed = reschedule_until_refused(publish(DOCTOR, 1), other);
		let no_show = reschedule_until_refused(publish(DOCTOR, 2), other);
		for appointment in [completed, no_show] {
			assert_ok!(Appointments::confirm(signed(DOCTOR), appointment));
		}
		set_time(START + 3 * HOUR);
		assert_ok!(Appointments::complete(signed(DOCTOR), completed));
		assert_ok!(Appointments::mark_no_show(signed(DOCTOR), no_show));
		assert_eq!(status(completed), AppointmentStatus::Completed);
		assert_eq!(status(no_show), AppointmentStatus::NoShow);
		assert_eq!(history(completed).last(), Some(&(DOCTOR, Completed)));
		assert_eq!(history(no_show).last(), Some(&(DOCTOR, NoShow)));
		assert!(!OpenVisits::<Test>::contains_key(PATIENT));
	});
}

#[test]
fn every_proposal_the_history_takes_can_be_answered_and_the_visit_completed() {
	let max = <Test as crate::Config>::MaxHistory::get();
	let mut answered = 0;
	for confirm_first in [false, true] {
		for accept in [false, true] {
			for declined_before in 0..max {
				// Propose and decline `declined_before` times, then propose once more, answer,
				// and complete: whenever the proposal is taken, the rest must succeed.
				let done = new_test_ext().execute_with(|| {
					let appointment = book(PATIENT, publish(DOCTOR, 1));
					let other = publish(DOCTOR, 5);
					if confirm_first {
						assert_ok!(Appointments::confirm(signed(DOCTOR), appointment));
					}
					for round in 0..=declined_before {
						if Appointments::propose_reschedule(signed(DOCTOR), appointment, other)
							.is_err()
						{
							return false;
						}
						let answer = round == declined_before && accept;
						assert_ok!(Appointments::answer_reschedule(
							signed(PATIENT),
							appointment,
							answer
						));
					}
					if status(appointment) == AppointmentStatus::Requested {
						assert_ok!(Appointments::confirm(signed(DOCTOR), appointment));
					}
					set_time(START + 6 * HOUR);
					assert_ok!(Appointments::complete(signed(DOCTOR), appointment));
					assert_eq!(history(appointment).last(), Some(&(DOCTOR, Completed)));
					true
				});
				answered += u32::from(done);
			}
		}
	}
	// At least one proposal in each of the four cases.
	assert!(answered >= 4);
}

#[test]
fn an_appointment_stored_with_a_full_history_can_still_end() {
	new_test_ext().execute_with(|| {
		let slot = publish(DOCTOR, 1);
		let appointment = book(PATIENT, slot);
		// A history filled to the bound, as one written before room was kept for the end.
		let max = <<Test as crate::Config>::MaxHistory as Get<u32>>::get() as usize;
		AppointmentStore::<Test>::mutate(appointment, |stored| {
			let history = &mut stored.as_mut().unwrap().history;
			while history.len() < max {
				let change = if history.len() % 2 == 1 {
					RescheduleProposed { start: START + 5 * HOUR }
				} else {
					RescheduleDeclined
				};
				let by = if history.len() % 2 == 1 { DOCTOR } else { PATIENT };
				history.try_push(ehr_primitives::HistoryEntry { at: START, by, change }).unwrap();
			}
		});
		assert_ok!(Appointments::cancel(signed(PATIENT), appointment));
		assert_eq!(status(appointment), AppointmentStatus::Cancelled);
		let kept = history(appointment);
		assert_eq!(kept.len(), max);
		// The booking stays first and the end is last; the oldest change after the booking
		// made room (the audit trail still holds every change).
		assert_eq!(kept[0], (PATIENT, Booked { start: START + HOUR }));
		assert_eq!(kept[1], (PATIENT, RescheduleDeclined));
		assert_eq!(kept.last(), Some(&(PATIENT, Cancelled)));
		assert_eq!(Slots::<Test>::get(slot).unwrap().held_by, None);
		assert!(!OpenVisits::<Test>::contains_key(PATIENT));
		assert_ok!(Appointments::do_try_state());
	});
}

#[test]
fn a_suspended_doctor_cannot_complete_or_mark_a_no_show_but_may_cancel() {
	new_test_ext().execute_with(|| {
		let first = book(PATIENT, publish(DOCTOR, 1));
		let second_slot = publish(DOCTOR, 2);
		let second = book(OTHER_PATIENT, second_slot);
		for appointment in [first, second] {
			assert_ok!(Appointments::confirm(signed(DOCTOR), appointment));
		}
		set_time(START + 3 * HOUR);
		assert_ok!(Identity::suspend_doctor(signed(HOSPITAL), DOCTOR));
		assert_noop!(Appointments::complete(signed(DOCTOR), first), Error::<Test>::NotActiveDoctor);
		assert_noop!(
			Appointments::mark_no_show(signed(DOCTOR), first),
			Error::<Test>::NotActiveDoctor
		);
		// Cancelling frees the patient: a suspended doctor may still do it.
		assert_ok!(Appointments::cancel(signed(DOCTOR), second));
		assert_eq!(status(second), AppointmentStatus::Cancelled);
		assert!(Slots::<Test>::get(second_slot).is_none());
		assert!(!OpenVisits::<Test>::contains_key(OTHER_PATIENT));
		// Reinstated, the doctor completes the visit.
		assert_ok!(Identity::reinstate_doctor(signed(HOSPITAL), DOCTOR));
		assert_ok!(Appointments::complete(signed(DOCTOR), first));
		assert_eq!(status(first), AppointmentStatus::Completed);
	});
}

/// `doctor` publishes a slot of `minutes` starting at `start`; returns its id.
fn publish_at(doctor: u64, start: u64, minutes: u32) -> u64 {
	let id = crate::NextSlotId::<Test>::get();
	assert_ok!(Appointments::publish_slot(signed(doctor), start, minutes, VisitKind::InPerson));
	id
}

#[test]
fn a_patient_cannot_book_overlapping_appointments() {
	new_test_ext().execute_with(|| {
		// DOCTOR 1:00–1:30; OTHER_DOCTOR 1:15–1:45 and 0:30–1:00; COLLEAGUE 1:00–1:45.
		let mine = publish(DOCTOR, 1);
		let overlapping = publish_at(OTHER_DOCTOR, START + HOUR + 15 * MINUTE, 30);
		let touching = publish_at(OTHER_DOCTOR, START + 30 * MINUTE, 30);
		let containing = publish_at(COLLEAGUE, START + HOUR, 45);
		let appointment = book(PATIENT, mine);
		for slot in [overlapping, containing] {
			assert_noop!(
				Appointments::book(signed(PATIENT), slot, None),
				Error::<Test>::OverlappingAppointment
			);
		}
		// Back to back is fine, and another patient may take the overlapping time.
		book(PATIENT, touching);
		book(OTHER_PATIENT, overlapping);
		// Once the first appointment is cancelled, its time is free for the patient again.
		assert_ok!(Appointments::cancel(signed(PATIENT), appointment));
		book(PATIENT, containing);
	});
}

#[test]
fn a_patient_cannot_accept_a_new_time_that_overlaps_another_appointment() {
	new_test_ext().execute_with(|| {
		let moved = book(PATIENT, publish(DOCTOR, 1));
		let elsewhere = book(PATIENT, publish(OTHER_DOCTOR, 5));
		let clash = publish_at(DOCTOR, START + 5 * HOUR + 10 * MINUTE, 30);
		assert_ok!(Appointments::propose_reschedule(signed(DOCTOR), moved, clash));
		assert_noop!(
			Appointments::answer_reschedule(signed(PATIENT), moved, true),
			Error::<Test>::OverlappingAppointment
		);
		// Declining is always possible.
		assert_ok!(Appointments::answer_reschedule(signed(PATIENT), moved, false));
		assert_eq!(Slots::<Test>::get(clash).unwrap().held_by, None);
		assert_ok!(Appointments::cancel(signed(PATIENT), moved));
		// An accepted move takes the new time, and the old one no longer counts.
		let later = publish(OTHER_DOCTOR, 7);
		assert_ok!(Appointments::propose_reschedule(signed(OTHER_DOCTOR), elsewhere, later));
		assert_ok!(Appointments::answer_reschedule(signed(PATIENT), elsewhere, true));
		assert_eq!(
			OpenVisits::<Test>::get(PATIENT).to_vec(),
			[(elsewhere, START + 7 * HOUR, START + 7 * HOUR + 30 * MINUTE)]
		);
		let at_new_time = publish_at(DOCTOR, START + 7 * HOUR + 10 * MINUTE, 30);
		assert_noop!(
			Appointments::book(signed(PATIENT), at_new_time, None),
			Error::<Test>::OverlappingAppointment
		);
		book(PATIENT, clash);
	});
}

#[test]
fn a_patients_cancellation_frees_the_slot_and_a_doctors_withdraws_it() {
	new_test_ext().execute_with(|| {
		let first = publish(DOCTOR, 1);
		let second = publish(DOCTOR, 2);
		let proposed = publish(DOCTOR, 3);
		book(PATIENT, first);
		book(PATIENT, second);
		assert_ok!(Appointments::propose_reschedule(signed(DOCTOR), 1, proposed));
		assert_ok!(Appointments::cancel(signed(PATIENT), 0));
		assert_eq!(status(0), AppointmentStatus::Cancelled);
		assert_eq!(Slots::<Test>::get(first).unwrap().held_by, None);
		book(OTHER_PATIENT, first);
		assert_ok!(Appointments::cancel(signed(DOCTOR), 1));
		assert!(Slots::<Test>::get(second).is_none());
		// The pending proposal's slot is free again.
		assert_eq!(Slots::<Test>::get(proposed).unwrap().held_by, None);
		assert_eq!(history(1).last(), Some(&(DOCTOR, Cancelled)));
		assert_noop!(Appointments::cancel(signed(PATIENT), 1), Error::<Test>::InvalidStatus);
		assert!(!OpenVisits::<Test>::contains_key(PATIENT));
	});
}

#[test]
fn a_no_show_needs_a_confirmed_visit_that_has_started() {
	new_test_ext().execute_with(|| {
		let slot = publish(DOCTOR, 1);
		book(PATIENT, slot);
		set_time(START + 2 * HOUR);
		assert_noop!(Appointments::mark_no_show(signed(DOCTOR), 0), Error::<Test>::InvalidStatus);
		assert_ok!(Appointments::confirm(signed(DOCTOR), 0));
		assert_ok!(Appointments::mark_no_show(signed(DOCTOR), 0));
		assert_eq!(status(0), AppointmentStatus::NoShow);
		assert_noop!(Appointments::complete(signed(DOCTOR), 0), Error::<Test>::InvalidStatus);
	});
}

#[test]
fn queries_list_schedules_free_slots_and_appointments() {
	new_test_ext().execute_with(|| {
		let late = publish(DOCTOR, 8);
		let early = publish(DOCTOR, 2);
		let middle = publish(DOCTOR, 4);
		publish(COLLEAGUE, 4);
		book(PATIENT, middle);
		book(PATIENT, early);
		let ids = |slots: Vec<(u64, ehr_primitives::Slot<u64>)>| {
			slots.into_iter().map(|(id, _)| id).collect::<Vec<_>>()
		};
		assert_eq!(
			ids(Appointments::doctor_schedule(&DOCTOR, START, START + 24 * HOUR)),
			vec![early, middle, late]
		);
		assert_eq!(
			ids(Appointments::doctor_schedule(&DOCTOR, START + 3 * HOUR, START + 8 * HOUR)),
			vec![middle]
		);
		assert_eq!(ids(Appointments::free_slots(&DOCTOR, START, START + 24 * HOUR)), vec![late]);
		let mine: Vec<u64> =
			Appointments::patient_appointments(&PATIENT).into_iter().map(|(id, _)| id).collect();
		assert_eq!(mine, vec![1, 0]);
		let doctors: Vec<u64> =
			Appointments::doctor_appointments(&DOCTOR).into_iter().map(|(id, _)| id).collect();
		assert_eq!(doctors, vec![1, 0]);
		assert!(Appointments::patient_appointments(&OTHER_PATIENT).is_empty());
	});
}

/// A video slot of `doctor` at `start`, 30 minutes long.
fn video_slot(doctor: u64, start: u64) -> u64 {
	let id = crate::NextSlotId::<Test>::get();
	assert_ok!(Appointments::publish_slot(signed(doctor), start, 30, VisitKind::Video));
	id
}

/// A confirmed video appointment of PATIENT with DOCTOR, two hours from START, for 30 minutes.
fn confirmed_video() -> u64 {
	let slot = video_slot(DOCTOR, START + 2 * HOUR);
	let id = crate::NextAppointmentId::<Test>::get();
	assert_ok!(Appointments::book(signed(PATIENT), slot, None));
	assert_ok!(Appointments::confirm(signed(DOCTOR), id));
	id
}

#[test]
fn a_video_visits_call_is_recorded_when_it_starts_and_ends() {
	new_test_ext().execute_with(|| {
		let id = confirmed_video();
		// The call opens ten minutes before the start.
		set_time(START + 2 * HOUR - 11 * MINUTE);
		assert_noop!(
			Appointments::start_visit(signed(PATIENT), id),
			Error::<Test>::OutsideVisitTime
		);
		assert_noop!(Appointments::end_visit(signed(PATIENT), id), Error::<Test>::VisitNotStarted);
		set_time(START + 2 * HOUR - 9 * MINUTE);
		assert_ok!(Appointments::start_visit(signed(PATIENT), id));
		// The other party's app sends it too: refused, nothing changes.
		assert_noop!(Appointments::start_visit(signed(DOCTOR), id), Error::<Test>::VisitStarted);
		set_time(START + 2 * HOUR + 12 * MINUTE + 1);
		assert_ok!(Appointments::end_visit(signed(DOCTOR), id));
		assert_noop!(Appointments::end_visit(signed(PATIENT), id), Error::<Test>::VisitEnded);
		let times = crate::Visits::<Test>::get(id).unwrap();
		assert_eq!(times.started_at, START + 2 * HOUR - 9 * MINUTE);
		assert_eq!(times.minutes(), Some(22));
		System::assert_last_event(
			Event::AppointmentChanged {
				appointment: id,
				doctor: DOCTOR,
				patient: PATIENT,
				by: DOCTOR,
				change: VisitEnded { minutes: 22 },
			}
			.into(),
		);
		// In the trail, not in the bounded history.
		let trail: Vec<AuditEvent<u64>> =
			Consent::trail(&PATIENT, 0, 100).into_iter().map(|(_, entry)| entry.event).collect();
		assert_eq!(
			trail[2..],
			[VisitStarted, VisitEnded { minutes: 22 }].map(|change| AuditEvent::Appointment {
				appointment: id,
				doctor: DOCTOR,
				change
			})
		);
		assert_eq!(history(id).len(), 2);
		assert_eq!(Appointments::visits(&[id, id + 1]), vec![(id, times)]);
		// The doctor completes afterwards, as for any visit.
		assert_ok!(Appointments::complete(signed(DOCTOR), id));
	});
}

#[test]
fn a_call_ended_late_counts_until_the_visits_window_closes() {
	new_test_ext().execute_with(|| {
		let id = confirmed_video();
		set_time(START + 2 * HOUR);
		assert_ok!(Appointments::start_visit(signed(DOCTOR), id));
		// Ended days later: the length stops where the window does (the end + 30 minutes).
		set_time(START + 50 * HOUR);
		assert_ok!(Appointments::end_visit(signed(PATIENT), id));
		assert_eq!(crate::Visits::<Test>::get(id).unwrap().minutes(), Some(60));
	});
}

#[test]
fn only_the_parties_start_a_confirmed_video_visit_at_its_time() {
	new_test_ext().execute_with(|| {
		let id = confirmed_video();
		set_time(START + 2 * HOUR);
		for outsider in [COLLEAGUE, HOSPITAL, UNVERIFIED, OTHER_PATIENT] {
			assert_noop!(
				Appointments::start_visit(signed(outsider), id),
				Error::<Test>::NotYourAppointment
			);
		}
		assert_noop!(
			Appointments::start_visit(signed(PATIENT), 99),
			Error::<Test>::UnknownAppointment
		);
		// In person: no call.
		let in_person = publish(DOCTOR, 5);
		let other = crate::NextAppointmentId::<Test>::get();
		assert_ok!(Appointments::book(signed(PATIENT), in_person, None));
		assert_ok!(Appointments::confirm(signed(DOCTOR), other));
		set_time(START + 5 * HOUR);
		assert_noop!(Appointments::start_visit(signed(PATIENT), other), Error::<Test>::NotVideo);
		// Too late: thirty minutes after the end.
		set_time(START + 2 * HOUR + 61 * MINUTE);
		assert_noop!(
			Appointments::start_visit(signed(DOCTOR), id),
			Error::<Test>::OutsideVisitTime
		);
		// Not confirmed, or ended: no call either.
		let requested = video_slot(OTHER_DOCTOR, START + 8 * HOUR);
		let third = crate::NextAppointmentId::<Test>::get();
		assert_ok!(Appointments::book(signed(OTHER_PATIENT), requested, None));
		set_time(START + 8 * HOUR);
		let start = |who| Appointments::start_visit(signed(who), third);
		assert_noop!(start(OTHER_PATIENT), Error::<Test>::InvalidStatus);
		assert_ok!(Appointments::cancel(signed(OTHER_PATIENT), third));
		assert_noop!(start(OTHER_DOCTOR), Error::<Test>::InvalidStatus);
	});
}

fn shift(doctor: u64, from: u64, until: u64) -> ehr_primitives::Shift<u64> {
	ehr_primitives::Shift { doctor, from, until }
}

fn roster(shifts: Vec<ehr_primitives::Shift<u64>>) -> crate::RosterOf<Test> {
	shifts.try_into().unwrap()
}

thread_local! {
	static ANSWERS: core::cell::Cell<u64> = const { core::cell::Cell::new(0) };
}

/// `patient` calls and `doctor` answers now (each answer a millisecond after the last).
fn call(patient: u64, doctor: u64) -> frame_support::dispatch::DispatchResult {
	let at = pallet_timestamp::Now::<Test>::get() + ANSWERS.with(|n| {
		n.set(n.get() + 1);
		n.get()
	});
	Appointments::on_call_visit(signed(patient), doctor, at, answer(patient, doctor, at))
}

#[test]
fn a_hospital_sets_its_roster_of_its_own_doctors() {
	new_test_ext().execute_with(|| {
		let shifts = roster(vec![
			shift(COLLEAGUE, START + 8 * HOUR, START + 16 * HOUR),
			shift(DOCTOR, START - HOUR, START + 8 * HOUR),
		]);
		assert_ok!(Appointments::set_on_call(signed(HOSPITAL), shifts));
		System::assert_last_event(Event::OnCallSet { hospital: HOSPITAL, shifts: 2 }.into());
		// Stored by start time.
		let stored = crate::OnCall::<Test>::get(HOSPITAL);
		assert_eq!(stored.iter().map(|s| s.doctor).collect::<Vec<_>>(), vec![DOCTOR, COLLEAGUE]);
		assert!(Appointments::is_on_call(&DOCTOR, START));
		assert!(!Appointments::is_on_call(&COLLEAGUE, START));
		assert!(Appointments::is_on_call(&COLLEAGUE, START + 8 * HOUR));
		// Replaced whole; empty: nobody on call.
		assert_ok!(Appointments::set_on_call(signed(HOSPITAL), roster(vec![])));
		assert!(!crate::OnCall::<Test>::contains_key(HOSPITAL));
		assert!(!Appointments::is_on_call(&DOCTOR, START));
		assert_ok!(Appointments::do_try_state());
	});
}

#[test]
fn a_roster_is_refused_from_others_and_with_others_doctors_or_bad_shifts() {
	new_test_ext().execute_with(|| {
		let now = shift(DOCTOR, START, START + HOUR);
		// Only a hospital; a doctor or a patient cannot put itself on call.
		for who in [DOCTOR, PATIENT, UNVERIFIED] {
			assert_noop!(
				Appointments::set_on_call(signed(who), roster(vec![now])),
				Error::<Test>::NotHospital
			);
		}
		// Another hospital's doctor, or no doctor at all.
		for doctor in [OTHER_DOCTOR, UNVERIFIED, PATIENT] {
			assert_noop!(
				Appointments::set_on_call(
					signed(HOSPITAL),
					roster(vec![shift(doctor, START, START + HOUR)])
				),
				Error::<Test>::NotHospitalsDoctor
			);
		}
		// A suspended doctor of the hospital.
		assert_ok!(Identity::suspend_doctor(signed(HOSPITAL), COLLEAGUE));
		assert_noop!(
			Appointments::set_on_call(
				signed(HOSPITAL),
				roster(vec![shift(COLLEAGUE, START, START + HOUR)])
			),
			Error::<Test>::NotHospitalsDoctor
		);
		let day = 24 * HOUR;
		for bad in [
			shift(DOCTOR, START + HOUR, START + HOUR),              // empty
			shift(DOCTOR, START + 2 * HOUR, START + HOUR),          // backwards
			shift(DOCTOR, START, START + day + 1),                  // longer than a day
			shift(DOCTOR, START + 32 * day, START + 32 * day + HOUR), // too far ahead
		] {
			assert_noop!(
				Appointments::set_on_call(signed(HOSPITAL), roster(vec![bad])),
				Error::<Test>::InvalidShift
			);
		}
		assert_noop!(
			Appointments::set_on_call(
				signed(HOSPITAL),
				roster(vec![now, shift(DOCTOR, START + HOUR / 2, START + 2 * HOUR)])
			),
			Error::<Test>::OverlappingShift
		);
		// A shift that has ended is dropped, not refused.
		assert_ok!(Appointments::set_on_call(
			signed(HOSPITAL),
			roster(vec![shift(DOCTOR, START - 2 * HOUR, START), now])
		));
		assert_eq!(crate::OnCall::<Test>::get(HOSPITAL).into_inner(), vec![now]);
		// Back to back is fine.
		assert_ok!(Appointments::set_on_call(
			signed(HOSPITAL),
			roster(vec![now, shift(DOCTOR, START + HOUR, START + 2 * HOUR)])
		));
	});
}

#[test]
fn a_patient_calls_a_doctor_on_call_now_and_the_visit_is_a_confirmed_video_visit() {
	new_test_ext().execute_with(|| {
		assert_ok!(Appointments::set_on_call(
			signed(HOSPITAL),
			roster(vec![shift(DOCTOR, START, START + HOUR)])
		));
		let slot = crate::NextSlotId::<Test>::get();
		assert_ok!(call(PATIENT, DOCTOR));
		let visit = AppointmentStore::<Test>::get(0).unwrap();
		assert_eq!((visit.doctor, visit.patient, visit.start), (DOCTOR, PATIENT, START));
		assert_eq!((visit.kind, visit.status), (VisitKind::Video, AppointmentStatus::Confirmed));
		assert_eq!(visit.duration_minutes, ehr_primitives::ON_CALL_VISIT_MINUTES);
		// A slot number no slot has.
		assert_eq!(visit.slot, slot);
		assert!(Slots::<Test>::get(slot).is_none());
		assert_eq!(history(0), vec![(PATIENT, CalledOnCall { start: START })]);
		assert!(DoctorAppointments::<Test>::contains_key(DOCTOR, 0));
		assert_eq!(crate::OnCallOpen::<Test>::get(DOCTOR).len(), 1);
		// The call is a video visit's call.
		assert_ok!(Appointments::start_visit(signed(DOCTOR), 0));
		assert_ok!(Appointments::end_visit(signed(PATIENT), 0));
		// In the patient's trail.
		let trail = pallet_ehr_consent::Pallet::<Test>::trail(&PATIENT, 0, 100);
		assert!(trail.iter().any(|(_, entry)| matches!(
			entry.event,
			AuditEvent::Appointment { appointment: 0, change: CalledOnCall { .. }, .. }
		)));
		// Overlaps the patient's open visit: refused; once done, the doctor is free again.
		assert_noop!(
			call(PATIENT, DOCTOR),
			Error::<Test>::OverlappingAppointment
		);
		assert_ok!(Appointments::complete(signed(DOCTOR), 0));
		assert!(!crate::OnCallOpen::<Test>::contains_key(DOCTOR));
		assert_ok!(call(PATIENT, DOCTOR));
		// The patient cancels: nothing to free, the count goes down.
		assert_ok!(Appointments::cancel(signed(PATIENT), 1));
		assert!(!crate::OnCallOpen::<Test>::contains_key(DOCTOR));
		assert_ok!(Appointments::do_try_state());
	});
}

#[test]
fn only_a_doctor_on_call_now_and_not_busy_is_called() {
	new_test_ext().execute_with(|| {
		assert_ok!(Appointments::set_on_call(
			signed(HOSPITAL),
			roster(vec![
				shift(DOCTOR, START, START + HOUR),
				shift(COLLEAGUE, START + HOUR, START + 2 * HOUR)
			])
		));
		// Off call (later shift), of no roster, no doctor.
		for doctor in [COLLEAGUE, OTHER_DOCTOR, UNVERIFIED] {
			assert_noop!(
				call(PATIENT, doctor),
				Error::<Test>::NotOnCall
			);
		}
		// Only a patient calls; a doctor cannot call itself.
		assert_noop!(
			call(UNVERIFIED, DOCTOR),
			Error::<Test>::NotPatient
		);
		// Busy: at most two open on-call visits in the mock.
		assert_ok!(call(PATIENT, DOCTOR));
		assert_ok!(call(OTHER_PATIENT, DOCTOR));
		assert_noop!(
			call(GUARDIAN, DOCTOR),
			Error::<Test>::DoctorBusy
		);
		// A suspended doctor is not on call, whatever the roster says.
		assert_ok!(Identity::suspend_doctor(signed(HOSPITAL), DOCTOR));
		assert!(!Appointments::is_on_call(&DOCTOR, START));
		// The shift ends.
		set_time(START + HOUR);
		assert!(Appointments::is_on_call(&COLLEAGUE, START + HOUR));
		assert_ok!(call(GUARDIAN, COLLEAGUE));
		set_time(START + 2 * HOUR);
		assert_noop!(
			call(OTHER_PATIENT, COLLEAGUE),
			Error::<Test>::NotOnCall
		);
	});
}

#[test]
fn a_doctor_cannot_book_or_call_itself() {
	new_test_ext().execute_with(|| {
		// Identity keeps the roles apart (a doctor registers no patient account); the
		// appointments pallet also refuses a visit with oneself (`OwnAppointment`), a check
		// behind this one.
		assert!(Identity::register_patient(signed(DOCTOR), [9; 32]).is_err());
		let slot = publish(DOCTOR, 1);
		assert_noop!(Appointments::book(signed(DOCTOR), slot, None), Error::<Test>::NotPatient);
		assert_ok!(Appointments::set_on_call(
			signed(HOSPITAL),
			roster(vec![shift(DOCTOR, START, START + HOUR)])
		));
		assert_noop!(
			call(DOCTOR, DOCTOR),
			Error::<Test>::NotPatient
		);
	});
}

#[test]
fn no_visit_without_the_doctors_answer_for_this_patient_now_and_once() {
	new_test_ext().execute_with(|| {
		assert_ok!(Appointments::set_on_call(
			signed(HOSPITAL),
			roster(vec![shift(DOCTOR, START, START + HOUR)])
		));
		let visit = |patient, at, signature| {
			Appointments::on_call_visit(signed(patient), DOCTOR, at, signature)
		};
		// No answer, an answer signed by another doctor, for another patient, another time.
		let forged = sp_runtime::testing::TestSignature(DOCTOR, b"I answer".to_vec());
		assert_noop!(visit(PATIENT, START, forged), Error::<Test>::BadAnswer);
		let colleague = sp_runtime::testing::TestSignature(
			COLLEAGUE,
			ehr_primitives::on_call_answer_payload(&PATIENT, &DOCTOR, START),
		);
		assert_noop!(visit(PATIENT, START, colleague), Error::<Test>::BadAnswer);
		assert_noop!(
			visit(OTHER_PATIENT, START, answer(PATIENT, DOCTOR, START)),
			Error::<Test>::BadAnswer
		);
		assert_noop!(
			visit(PATIENT, START + 1, answer(PATIENT, DOCTOR, START)),
			Error::<Test>::BadAnswer
		);
		// Older than two minutes, or from the future.
		let old = START - 2 * MINUTE - 1;
		assert_noop!(visit(PATIENT, old, answer(PATIENT, DOCTOR, old)), Error::<Test>::AnswerExpired);
		let ahead = START + 31_000;
		assert_noop!(
			visit(PATIENT, ahead, answer(PATIENT, DOCTOR, ahead)),
			Error::<Test>::AnswerExpired
		);
		// The answer: once.
		assert_ok!(visit(PATIENT, START, answer(PATIENT, DOCTOR, START)));
		assert_ok!(Appointments::cancel(signed(PATIENT), 0));
		assert_noop!(visit(PATIENT, START, answer(PATIENT, DOCTOR, START)), Error::<Test>::AnswerUsed);
		assert_ok!(visit(PATIENT, START + 1, answer(PATIENT, DOCTOR, START + 1)));
	});
}

#[test]
fn a_visit_whose_window_closed_no_longer_keeps_the_doctor_busy() {
	new_test_ext().execute_with(|| {
		assert_ok!(Appointments::set_on_call(
			signed(HOSPITAL),
			roster(vec![shift(DOCTOR, START, START + 8 * HOUR)])
		));
		// Two open on-call visits (the mock's most), never completed.
		assert_ok!(call(PATIENT, DOCTOR));
		assert_ok!(call(OTHER_PATIENT, DOCTOR));
		assert_noop!(call(GUARDIAN, DOCTOR), Error::<Test>::DoctorBusy);
		// The doctor marks one a no-show: room for one more.
		assert_ok!(Appointments::mark_no_show(signed(DOCTOR), 1));
		assert_ok!(call(GUARDIAN, DOCTOR));
		// An hour later both open windows (30 minutes and 30 more) have closed.
		set_time(START + HOUR + MINUTE);
		assert_ok!(call(PATIENT, DOCTOR));
		assert_eq!(crate::OnCallOpen::<Test>::get(DOCTOR).len(), 1);
		assert_ok!(Appointments::do_try_state());
	});
}

#[test]
fn a_visit_on_call_or_whose_call_started_is_not_rescheduled() {
	new_test_ext().execute_with(|| {
		// A started video visit: its call record stays that of its time and kind.
		let id = confirmed_video();
		let later = video_slot(DOCTOR, START + 5 * HOUR);
		set_time(START + 2 * HOUR);
		assert_ok!(Appointments::start_visit(signed(DOCTOR), id));
		assert_noop!(
			Appointments::propose_reschedule(signed(DOCTOR), id, later),
			Error::<Test>::VisitStarted
		);
		assert_ok!(Appointments::complete(signed(DOCTOR), id));

		// A visit on call happens now: the doctor's busy count keeps its window.
		set_time(START + 3 * HOUR);
		assert_ok!(Appointments::set_on_call(
			signed(HOSPITAL),
			roster(vec![shift(DOCTOR, START + 3 * HOUR, START + 4 * HOUR)])
		));
		let on_call = crate::NextAppointmentId::<Test>::get();
		assert_ok!(call(PATIENT, DOCTOR));
		assert_noop!(
			Appointments::propose_reschedule(signed(DOCTOR), on_call, later),
			Error::<Test>::OnCallNotMovable
		);
		// A booked visit that has not started still moves.
		let booked = crate::NextAppointmentId::<Test>::get();
		let slot = video_slot(DOCTOR, START + 6 * HOUR);
		assert_ok!(Appointments::book(signed(OTHER_PATIENT), slot, None));
		assert_ok!(Appointments::propose_reschedule(signed(DOCTOR), booked, later));
	});
}

#[test]
fn try_state_catches_a_wrong_slot_count_a_lost_hold_and_a_missing_open_visit() {
	new_test_ext().execute_with(|| {
		let slot = publish(DOCTOR, 2);
		let appointment = book(PATIENT, slot);
		assert_ok!(Appointments::do_try_state());

		// A slot count one too high: the doctor would reach MaxSlotsPerDoctor early.
		SlotCount::<Test>::mutate(DOCTOR, |count| *count += 1);
		assert!(Appointments::do_try_state().is_err(), "a wrong slot count breaks the invariant");
		SlotCount::<Test>::mutate(DOCTOR, |count| *count -= 1);
		assert_ok!(Appointments::do_try_state());

		// The booked slot freed behind the appointment's back: double booking.
		Slots::<Test>::mutate(slot, |stored| stored.as_mut().unwrap().held_by = None);
		assert!(Appointments::do_try_state().is_err(), "a freed booked slot breaks it");
		Slots::<Test>::mutate(slot, |stored| stored.as_mut().unwrap().held_by = Some(appointment));
		assert_ok!(Appointments::do_try_state());

		// The patient's open visits forget the appointment: overlaps would go unseen.
		let visits = OpenVisits::<Test>::take(PATIENT);
		assert!(Appointments::do_try_state().is_err(), "a missing open visit breaks it");
		OpenVisits::<Test>::insert(PATIENT, visits);
		assert_ok!(Appointments::do_try_state());

		// Finished, yet still among the doctor's open appointments.
		assert_ok!(Appointments::cancel(signed(PATIENT), appointment));
		DoctorAppointments::<Test>::insert(DOCTOR, appointment, ());
		assert!(Appointments::do_try_state().is_err(), "a finished open appointment breaks it");
	});
}
