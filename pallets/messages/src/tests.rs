//! The messages pallet from both sides: who may write to whom, and what an attacker cannot do.

use crate::{mock::*, Error, Event, Inbox, InboxSenders, Kept};
use ehr_primitives::{MessageKind, Severity};
use frame_support::{assert_noop, assert_ok, BoundedVec};

const ALERT: MessageKind = MessageKind::Alert { severity: Severity::Urgent };

fn send(from: u64, to: u64, kind: MessageKind) -> sp_runtime::DispatchResult {
	send_with(from, to, kind, cid(7), 100)
}

fn send_with(
	from: u64,
	to: u64,
	kind: MessageKind,
	cid: Vec<u8>,
	size: u32,
) -> sp_runtime::DispatchResult {
	Messages::send(
		RuntimeOrigin::signed(from),
		to,
		kind,
		cid.try_into().unwrap(),
		size,
		vec![1; 80].try_into().unwrap(),
		vec![2; 80].try_into().unwrap(),
	)
	.map(|_| ())
	.map_err(|error| error.error)
}

fn last_id() -> u64 {
	crate::NextMessageId::<Test>::get() - 1
}

#[test]
fn a_doctor_with_consent_and_the_patient_write_to_each_other() {
	new_test_ext().execute_with(|| {
		grant(PATIENT, DOCTOR, None);
		assert_ok!(send(DOCTOR, PATIENT, ALERT));
		let id = last_id();
		System::assert_last_event(
			Event::MessageSent { id, sender: DOCTOR, recipient: PATIENT, kind: ALERT }.into(),
		);
		let stored = Inbox::<Test>::get(PATIENT, id).unwrap();
		assert_eq!((stored.sender, stored.sent_at, stored.kind), (DOCTOR, START, ALERT));
		assert_eq!(stored.cid.to_vec(), cid(7));
		assert_ok!(send(PATIENT, DOCTOR, MessageKind::Message));
		assert_eq!(Messages::inbox(&DOCTOR).len(), 1);
		assert_ok!(Messages::do_try_state());
	});
}

#[test]
fn a_grant_to_the_doctors_hospital_or_an_open_appointment_is_a_relationship() {
	new_test_ext().execute_with(|| {
		grant(PATIENT, HOSPITAL, None);
		assert_ok!(send(COLLEAGUE, PATIENT, MessageKind::Message));
		// OTHER_DOCTOR is of hospital 2: nothing yet.
		assert_noop!(
			send(OTHER_DOCTOR, PATIENT, MessageKind::Message),
			Error::<Test>::NoCareRelationship
		);
		let slot = pallet_ehr_appointments::NextSlotId::<Test>::get();
		assert_ok!(Appointments::publish_slot(
			RuntimeOrigin::signed(OTHER_DOCTOR),
			START + 2 * HOUR,
			30,
			ehr_primitives::VisitKind::InPerson,
		));
		let appointment = pallet_ehr_appointments::NextAppointmentId::<Test>::get();
		assert_ok!(Appointments::book(RuntimeOrigin::signed(PATIENT), slot, None));
		assert_ok!(send(OTHER_DOCTOR, PATIENT, MessageKind::Message));
		assert_ok!(send(PATIENT, OTHER_DOCTOR, MessageKind::Message));
		// The patient cancels: the relationship ends with it.
		assert_ok!(Appointments::cancel(RuntimeOrigin::signed(PATIENT), appointment));
		assert_noop!(
			send(OTHER_DOCTOR, PATIENT, MessageKind::Message),
			Error::<Test>::NoCareRelationship
		);
		assert_ok!(Messages::do_try_state());
	});
}

#[test]
fn a_stranger_cannot_write_to_a_patient_or_a_doctor() {
	new_test_ext().execute_with(|| {
		// No relationship: another doctor, the doctor before any grant, another patient.
		assert_noop!(send(DOCTOR, PATIENT, ALERT), Error::<Test>::NoCareRelationship);
		assert_noop!(
			send(PATIENT, DOCTOR, MessageKind::Message),
			Error::<Test>::NoCareRelationship
		);
		// Patient to patient, doctor to doctor, an unverified account, a hospital: never.
		for (from, to) in [
			(OTHER_PATIENT, PATIENT),
			(COLLEAGUE, DOCTOR),
			(UNVERIFIED, PATIENT),
			(HOSPITAL, PATIENT),
			(PATIENT, HOSPITAL),
		] {
			assert_noop!(send(from, to, MessageKind::Message), Error::<Test>::NotPatientAndDoctor);
		}
		assert_ok!(Messages::do_try_state());
	});
}

#[test]
fn revoking_or_expiry_stops_a_doctors_messages() {
	new_test_ext().execute_with(|| {
		grant(PATIENT, DOCTOR, Some(START + HOUR));
		assert_ok!(send(DOCTOR, PATIENT, MessageKind::Message));
		Timestamp::set_timestamp(START + HOUR);
		assert_noop!(send(DOCTOR, PATIENT, ALERT), Error::<Test>::NoCareRelationship);

		grant(OTHER_PATIENT, DOCTOR, None);
		assert_ok!(send(DOCTOR, OTHER_PATIENT, ALERT));
		assert_ok!(Consent::revoke_access(
			RuntimeOrigin::signed(OTHER_PATIENT),
			OTHER_PATIENT,
			DOCTOR
		));
		assert_noop!(send(DOCTOR, OTHER_PATIENT, ALERT), Error::<Test>::NoCareRelationship);
		assert_ok!(Messages::do_try_state());
	});
}

#[test]
fn a_suspended_doctor_sends_nothing_and_only_doctors_alert() {
	new_test_ext().execute_with(|| {
		grant(PATIENT, DOCTOR, None);
		assert_noop!(send(PATIENT, DOCTOR, ALERT), Error::<Test>::OnlyDoctorsAlert);
		assert_ok!(Identity::suspend_doctor(RuntimeOrigin::signed(HOSPITAL), DOCTOR));
		assert_noop!(send(DOCTOR, PATIENT, ALERT), Error::<Test>::NotPatientAndDoctor);
		assert_noop!(
			send(PATIENT, DOCTOR, MessageKind::Message),
			Error::<Test>::NotPatientAndDoctor
		);
		assert_ok!(Messages::do_try_state());
	});
}

#[test]
fn bad_pointers_and_sizes_are_refused() {
	new_test_ext().execute_with(|| {
		grant(PATIENT, DOCTOR, None);
		let kind = MessageKind::Message;
		assert_noop!(
			send_with(DOCTOR, PATIENT, kind, vec![1, 2, 3], 10),
			Error::<Test>::InvalidCid
		);
		assert_noop!(send_with(DOCTOR, PATIENT, kind, cid(1), 0), Error::<Test>::BadSize);
		assert_noop!(send_with(DOCTOR, PATIENT, kind, cid(1), 4097), Error::<Test>::BadSize);
		assert_noop!(
			Messages::send(
				RuntimeOrigin::signed(DOCTOR),
				PATIENT,
				kind,
				cid(1).try_into().unwrap(),
				10,
				BoundedVec::new(),
				vec![2; 80].try_into().unwrap(),
			),
			Error::<Test>::InvalidWrappedKey
		);
		assert_ok!(Messages::do_try_state());
	});
}

#[test]
fn a_flood_only_replaces_the_senders_own_messages() {
	new_test_ext().execute_with(|| {
		grant(PATIENT, DOCTOR, None);
		grant(PATIENT, COLLEAGUE, None);
		assert_ok!(send(COLLEAGUE, PATIENT, ALERT));
		let colleagues = last_id();
		for _ in 0..3 * KEPT {
			assert_ok!(send(DOCTOR, PATIENT, MessageKind::Message));
		}
		let inbox = Messages::inbox(&PATIENT);
		assert_eq!(inbox.len() as u32, KEPT + 1);
		// The colleague's alert is still there; the doctor keeps only its newest KEPT.
		assert!(inbox.iter().any(|(id, _)| *id == colleagues));
		let newest: Vec<u64> = (last_id() + 1 - KEPT as u64..=last_id()).collect();
		assert_eq!(Kept::<Test>::get(PATIENT, DOCTOR).to_vec(), newest);
		System::assert_has_event(
			Event::MessageDropped { id: colleagues + 1, recipient: PATIENT }.into(),
		);
		assert_ok!(Messages::do_try_state());
	});
}

#[test]
fn only_the_recipient_removes_its_messages_all_or_none() {
	new_test_ext().execute_with(|| {
		grant(PATIENT, DOCTOR, None);
		assert_ok!(send(DOCTOR, PATIENT, ALERT));
		let first = last_id();
		assert_ok!(send(DOCTOR, PATIENT, ALERT));
		let second = last_id();
		let ids = |ids: Vec<u64>| -> BoundedVec<u64, _> { ids.try_into().unwrap() };
		// The sender cannot delete what it sent; nobody else can either.
		for who in [DOCTOR, OTHER_PATIENT] {
			assert_noop!(
				Messages::remove(RuntimeOrigin::signed(who), ids(vec![first])),
				Error::<Test>::UnknownMessage
			);
		}
		// One unknown id: nothing is removed.
		assert_noop!(
			Messages::remove(RuntimeOrigin::signed(PATIENT), ids(vec![first, 999])),
			Error::<Test>::UnknownMessage
		);
		assert_ok!(Messages::remove(RuntimeOrigin::signed(PATIENT), ids(vec![first])));
		assert_eq!(Kept::<Test>::get(PATIENT, DOCTOR).to_vec(), vec![second]);
		assert_ok!(Messages::remove(RuntimeOrigin::signed(PATIENT), ids(vec![second])));
		assert!(!Kept::<Test>::contains_key(PATIENT, DOCTOR));
		assert!(Messages::inbox(&PATIENT).is_empty());
		assert_ok!(Messages::do_try_state());
	});
}

#[test]
fn a_grant_for_research_is_no_care_relationship() {
	new_test_ext().execute_with(|| {
		Consent::grant_access(
			RuntimeOrigin::signed(PATIENT),
			PATIENT,
			DOCTOR,
			ehr_primitives::Scope::All,
			ehr_primitives::AccessLevel::Read,
			None,
			ehr_primitives::Purpose::Research,
		)
		.unwrap();
		assert_noop!(send(DOCTOR, PATIENT, ALERT), Error::<Test>::NoCareRelationship);
		assert_noop!(
			send(PATIENT, DOCTOR, MessageKind::Message),
			Error::<Test>::NoCareRelationship
		);
		assert_ok!(Messages::do_try_state());
	});
}

#[test]
fn an_appointment_never_closed_stops_counting_a_week_after_its_end() {
	new_test_ext().execute_with(|| {
		let slot = pallet_ehr_appointments::NextSlotId::<Test>::get();
		assert_ok!(Appointments::publish_slot(
			RuntimeOrigin::signed(DOCTOR),
			START + HOUR,
			30,
			ehr_primitives::VisitKind::InPerson,
		));
		assert_ok!(Appointments::book(RuntimeOrigin::signed(PATIENT), slot, None));
		let end = START + HOUR + 30 * 60_000;
		Timestamp::set_timestamp(end + pallet_ehr_appointments::CARE_AFTER_VISIT);
		assert_ok!(send(DOCTOR, PATIENT, MessageKind::Message));
		Timestamp::set_timestamp(end + pallet_ehr_appointments::CARE_AFTER_VISIT + 1);
		assert_noop!(send(DOCTOR, PATIENT, ALERT), Error::<Test>::NoCareRelationship);
		assert_ok!(Messages::do_try_state());
	});
}

#[test]
fn an_inbox_holds_a_bounded_number_of_senders_and_only_stale_ones_make_way() {
	new_test_ext().execute_with(|| {
		const NEWCOMER: u64 = 14;
		assert_ok!(Identity::register_doctor(
			RuntimeOrigin::signed(HOSPITAL),
			NEWCOMER,
			b"Dr. New".to_vec(),
			b"general".to_vec(),
			b"L".to_vec(),
		));
		assert_ok!(Identity::accept_doctor(RuntimeOrigin::signed(NEWCOMER), HOSPITAL, [14; 32]));
		// A grant to each hospital: every one of their doctors may write (MaxSendersPerInbox 3).
		grant(PATIENT, HOSPITAL, None);
		grant(PATIENT, OTHER_HOSPITAL, None);
		assert_ok!(send(COLLEAGUE, PATIENT, MessageKind::Message));
		Timestamp::set_timestamp(START + HOUR);
		assert_ok!(send(OTHER_DOCTOR, PATIENT, MessageKind::Message));
		Timestamp::set_timestamp(START + 2 * HOUR);
		assert_ok!(send(DOCTOR, PATIENT, MessageKind::Message));
		assert_eq!(crate::InboxSenders::<Test>::get(PATIENT), 3);
		// A fourth sender is refused while nobody's messages are a month old; the senders kept
		// still write (replacing their own oldest).
		assert_noop!(send(NEWCOMER, PATIENT, MessageKind::Message), Error::<Test>::InboxFull);
		assert_ok!(send(DOCTOR, PATIENT, ALERT));
		// A month on, the sender whose newest message is oldest makes way, all its messages.
		Timestamp::set_timestamp(START + 31 * 24 * HOUR);
		assert_ok!(send(NEWCOMER, PATIENT, MessageKind::Message));
		assert_eq!(Kept::<Test>::get(PATIENT, COLLEAGUE).len(), 0);
		assert_eq!(Kept::<Test>::get(PATIENT, OTHER_DOCTOR).len(), 1);
		assert_eq!(crate::InboxSenders::<Test>::get(PATIENT), 3);
		assert_eq!(Messages::inbox(&PATIENT).len(), 4);
		// The recipient removing a sender's last message frees its place.
		let other: Vec<u64> = Kept::<Test>::get(PATIENT, OTHER_DOCTOR).into_inner();
		assert_ok!(Messages::remove(RuntimeOrigin::signed(PATIENT), other.try_into().unwrap()));
		assert_eq!(crate::InboxSenders::<Test>::get(PATIENT), 2);
		assert_ok!(send(COLLEAGUE, PATIENT, MessageKind::Message));
		assert_ok!(Messages::do_try_state());
	});
}

#[test]
fn the_v1_migration_counts_the_senders_of_inboxes_made_before_the_count() {
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	new_test_ext().execute_with(|| {
		grant(PATIENT, DOCTOR, None);
		grant(PATIENT, OTHER_DOCTOR, None);
		assert_ok!(send(DOCTOR, PATIENT, ALERT));
		assert_ok!(send(OTHER_DOCTOR, PATIENT, MessageKind::Message));
		assert_ok!(send(PATIENT, DOCTOR, MessageKind::Message));
		// The state a v0 chain has: kept senders without counts, one stale zero, version 0.
		for recipient in [PATIENT, DOCTOR] {
			InboxSenders::<Test>::remove(recipient);
		}
		InboxSenders::<Test>::insert(OTHER_PATIENT, 0);
		StorageVersion::new(0).put::<Messages>();
		assert!(Messages::do_try_state().is_err(), "the v0 state breaks the invariant");

		crate::migrations::v1::CountInboxSenders::<Test>::on_runtime_upgrade();
		assert_eq!(InboxSenders::<Test>::get(PATIENT), 2);
		assert_eq!(InboxSenders::<Test>::get(DOCTOR), 1);
		assert!(!InboxSenders::<Test>::contains_key(OTHER_PATIENT));
		assert_eq!(Messages::on_chain_storage_version(), 1);
		assert_ok!(Messages::do_try_state());

		// Once only: at version 1 it changes nothing.
		InboxSenders::<Test>::insert(PATIENT, 7);
		crate::migrations::v1::CountInboxSenders::<Test>::on_runtime_upgrade();
		assert_eq!(InboxSenders::<Test>::get(PATIENT), 7);
	});
}
