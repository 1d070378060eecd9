//! Insiders against patients, on the real runtime (`local` preset: four hospitals; the escrow
//! committee of Alice, Bob and Charlie with t = 2; the break-glass policy of the runtime: 24
//! hours of waiting for a new doctor, 50 emergency accesses a day per hospital). Every step is a
//! signed extrinsic applied through `Executive` in real blocks, by accounts without tokens where
//! people have none:
//!
//! - a hospital cannot make an account its doctor without that account's signature (not in a
//!   batch, not through a derivative account), cannot take over another hospital's offer, and
//!   cannot make a hospital, a patient or an invited account a doctor;
//! - a doctor made today cannot break glass today, and one hospital's doctors together open at
//!   most the policy's number a day; only two thirds of the hospitals change the policy;
//! - a hospital's custodian never releases to its own hospital's doctors, so `t` shares come
//!   from other hospitals; a custodian is an account of its own that releases and does nothing
//!   else, and the admin key no longer releases once a custodian is named;
//! - a delegate grants only to clinicians: access for a patient account (a second account of
//!   the delegate's own) needs the patient's signature.

use crate::common::*;
use ehr_primitives::{AccessLevel, EmergencyReason, Identities, Purpose, RecordCategory, Scope};
use ehr_runtime::{Identity, Runtime, RuntimeCall};
use pallet_ehr_consent::{EmergencyPolicy, Policy};
use pallet_ehr_escrow::{Custodians, Released, ShareStanza};
use pallet_ehr_identity::{DoctorOffers, Error as IdentityError};
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Charlie, Dave, Eve, Ferdie, One, Two};
use sp_runtime::DispatchError;

/// 2026-01-01T00:00:00Z.
const T0: u64 = 1_767_225_600_000;
const BLOCK: u64 = ehr_runtime::MILLI_SECS_PER_BLOCK;
const DAY: u64 = 24 * 60 * 60 * 1_000;

fn dispatch(signer: Sr25519Keyring, call: RuntimeCall) -> Result<(), DispatchError> {
	apply(signer, call).expect("a valid transaction (free for this signer)")
}

fn identity(call: pallet_ehr_identity::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Identity(call)
}

fn consent(call: pallet_ehr_consent::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Consent(call)
}

fn escrow(call: pallet_ehr_escrow::Call<Runtime>) -> RuntimeCall {
	RuntimeCall::Escrow(call)
}

fn offer(doctor: Sr25519Keyring) -> RuntimeCall {
	identity(pallet_ehr_identity::Call::register_doctor {
		doctor: account(doctor),
		name: b"Dr. Insider".to_vec(),
		specialty: b"emergency medicine".to_vec(),
		licence: b"MD-666".to_vec(),
	})
}

fn accept(hospital: Sr25519Keyring, key: u8) -> RuntimeCall {
	identity(pallet_ehr_identity::Call::accept_doctor {
		hospital: account(hospital),
		encryption_key: [key; 32],
	})
}

/// `hospital` offers `doctor` the role and the doctor accepts it.
fn doctor_of(hospital: Sr25519Keyring, doctor: Sr25519Keyring, key: u8) {
	dispatch(hospital, offer(doctor)).expect("the hospital offers the role");
	dispatch(doctor, accept(hospital, key)).expect("the account accepts");
}

/// Alice's hospital invites `patient`, who registers.
fn patient(patient: Sr25519Keyring, key: u8) {
	dispatch(
		Alice,
		identity(pallet_ehr_identity::Call::invite_patient { patient: account(patient) }),
	)
	.expect("a hospital invites");
	dispatch(
		patient,
		identity(pallet_ehr_identity::Call::register_patient { encryption_key: [key; 32] }),
	)
	.expect("the invited account registers");
}

fn open_emergency(doctor: Sr25519Keyring, patient: Sr25519Keyring) -> Result<(), DispatchError> {
	dispatch(
		doctor,
		consent(pallet_ehr_consent::Call::open_emergency_access {
			patient: account(patient),
			code: EmergencyReason::Unconscious,
			commitment: None,
		}),
	)
}

fn set_policy(new_doctor_wait: u32, hospital_daily_limit: u32) -> RuntimeCall {
	consent(pallet_ehr_consent::Call::set_emergency_policy {
		policy: EmergencyPolicy { new_doctor_wait, hospital_daily_limit },
	})
}

/// Three of the four hospitals (two thirds) set the break-glass policy.
fn voted_policy(new_doctor_wait: u32, hospital_daily_limit: u32) {
	council_motion(set_policy(new_doctor_wait, hospital_daily_limit), 3, &[Alice, Bob, Charlie])
		.expect("the motion closes");
	assert_eq!(Policy::<Runtime>::get(), EmergencyPolicy { new_doctor_wait, hospital_daily_limit });
}

fn stanza(id: u8) -> ShareStanza {
	let mut stanza = [id; 81];
	stanza[0] = id;
	stanza
}

#[test]
fn a_hospital_makes_no_account_its_doctor_without_the_accounts_own_signature() {
	ext_from_preset(LOCAL).execute_with(|| {
		block_at(1, T0);
		// The offer alone makes nobody a doctor: no directory entry, no standing.
		dispatch(Alice, offer(Ferdie)).unwrap();
		assert!(DoctorOffers::<Runtime>::contains_key(account(Ferdie)));
		assert!(!Identity::is_active_doctor(&account(Ferdie)));
		assert!(pallet_ehr_identity::Doctors::<Runtime>::get(account(Ferdie)).is_none());
		// Another hospital cannot offer over it, nor have the account accept its own offer.
		assert_eq!(
			dispatch(Bob, offer(Ferdie)),
			Err(IdentityError::<Runtime>::AlreadyOffered.into())
		);
		assert_eq!(dispatch(Ferdie, accept(Bob, 2)), Err(IdentityError::<Runtime>::NoOffer.into()));
		// Nobody accepts for the account: not the hospital in a batch, nor through a
		// derivative account of its own.
		let batch = RuntimeCall::Utility(pallet_utility::Call::batch_all {
			calls: vec![offer(Two), accept(Alice, 3)],
		});
		assert!(dispatch(Alice, batch).is_err());
		let derivative = RuntimeCall::Utility(pallet_utility::Call::as_derivative {
			index: 0,
			call: Box::new(accept(Alice, 3)),
		});
		assert!(apply(Alice, derivative).map_or(true, |outcome| outcome.is_err()));
		assert!(!DoctorOffers::<Runtime>::contains_key(account(Two)));
		assert!(!Identity::is_active_doctor(&account(Two)));
		// The account accepts with its own signature, without tokens, naming the hospital.
		dispatch(Ferdie, accept(Alice, 2)).unwrap();
		assert!(Identity::is_active_doctor(&account(Ferdie)));
		assert_eq!(Identity::hospital_of(&account(Ferdie)), Some(account(Alice)));
		assert_eq!(Identity::encryption_key(&account(Ferdie)), Some([2; 32]));
		assert_eq!(Identity::doctor_registered_at(&account(Ferdie)), Some(1));
		assert!(!DoctorOffers::<Runtime>::contains_key(account(Ferdie)));

		// A member hospital, a patient, an account invited as a patient: never a doctor.
		assert_eq!(
			dispatch(Alice, offer(Bob)),
			Err(IdentityError::<Runtime>::AccountIsHospital.into())
		);
		dispatch(
			Alice,
			identity(pallet_ehr_identity::Call::invite_patient { patient: account(Eve) }),
		)
		.unwrap();
		assert_eq!(dispatch(Bob, offer(Eve)), Err(IdentityError::<Runtime>::AlreadyInvited.into()));
		dispatch(
			Eve,
			identity(pallet_ehr_identity::Call::register_patient { encryption_key: [4; 32] }),
		)
		.unwrap();
		assert_eq!(
			dispatch(Bob, offer(Eve)),
			Err(IdentityError::<Runtime>::AlreadyRegistered.into())
		);
		// An offered account is no patient either until the offer ends.
		dispatch(Bob, offer(One)).unwrap();
		assert_eq!(
			dispatch(
				One,
				identity(pallet_ehr_identity::Call::register_patient { encryption_key: [5; 32] })
			),
			Err(IdentityError::<Runtime>::AlreadyOffered.into())
		);
		// Only the offering hospital withdraws it; the account may decline it.
		let cancel =
			identity(pallet_ehr_identity::Call::cancel_invitation { patient: account(One) });
		assert_eq!(
			dispatch(Charlie, cancel.clone()),
			Err(IdentityError::<Runtime>::NotInvitingHospital.into())
		);
		dispatch(One, identity(pallet_ehr_identity::Call::decline_doctor {})).unwrap();
		assert!(!DoctorOffers::<Runtime>::contains_key(account(One)));
		// Declined, the account no longer transacts for free (it holds no tokens): its
		// acceptance is not even a valid transaction.
		assert!(apply(One, accept(Bob, 5)).is_err());
		dispatch(Bob, offer(One)).unwrap();
		dispatch(Bob, cancel).unwrap();
		assert!(!DoctorOffers::<Runtime>::contains_key(account(One)));
	});
}

#[test]
fn a_doctor_made_today_cannot_break_glass_today_nor_a_hospital_in_bulk() {
	ext_from_preset(LOCAL).execute_with(|| {
		block_at(1, T0);
		assert_eq!(
			Policy::<Runtime>::get(),
			EmergencyPolicy { new_doctor_wait: ehr_runtime::DAYS, hospital_daily_limit: 50 }
		);
		// (The doctor is made in block 2: the jumps below then avoid the session boundary at
		// block `DAYS`, whose session rotation fills its block.)
		block_at(2, T0 + BLOCK);
		doctor_of(Dave, Ferdie, 2);
		patient(Eve, 4);
		patient(Two, 6);
		// Made today: refused, also inside a batch.
		let refused: Result<(), DispatchError> =
			Err(pallet_ehr_consent::Error::<Runtime>::DoctorTooNew.into());
		assert_eq!(open_emergency(Ferdie, Eve), refused);
		let batch = RuntimeCall::Utility(pallet_utility::Call::batch_all {
			calls: vec![consent(pallet_ehr_consent::Call::open_emergency_access {
				patient: account(Eve),
				code: EmergencyReason::LifeThreatening,
				commitment: None,
			})],
		});
		assert!(dispatch(Ferdie, batch).is_err());
		// One block short of 24 hours: still refused. From 24 hours on: opened.
		let wait = u64::from(Policy::<Runtime>::get().new_doctor_wait);
		// Straight to the block before 24 hours are up (its number in the chain's state).
		frame_system::Pallet::<Runtime>::set_block_number(wait as u32);
		block_at(wait as u32 + 1, T0 + wait * BLOCK);
		assert_eq!(open_emergency(Ferdie, Eve), refused);
		block_at(wait as u32 + 2, T0 + (wait + 1) * BLOCK);
		assert_eq!(open_emergency(Ferdie, Eve), Ok(()));

		// One hospital cannot change the policy; two thirds of them can.
		assert_eq!(dispatch(Dave, set_policy(0, 1_000)), Err(DispatchError::BadOrigin));
		let batch = RuntimeCall::Utility(pallet_utility::Call::batch_all {
			calls: vec![set_policy(0, 1_000)],
		});
		assert!(dispatch(Dave, batch).is_err());
		voted_policy(14_400, 1);
		// Dave's doctors opened one today: the next one is refused, for any of its doctors.
		assert_eq!(
			open_emergency(Ferdie, Two),
			Err(pallet_ehr_consent::Error::<Runtime>::HospitalEmergencyLimit.into())
		);
		// Another hospital's doctors are not held by Dave's count.
		doctor_of(Charlie, One, 8);
		voted_policy(0, 1);
		assert_eq!(open_emergency(One, Two), Ok(()));
		// The next day, Dave's doctors open again.
		let next_day = T0 + (wait + 1) * BLOCK + DAY;
		block_at(wait as u32 + 3, next_day);
		assert_eq!(open_emergency(Ferdie, Two), Ok(()));
	});
}

#[test]
fn no_hospital_opens_its_own_doctors_request_and_custodians_only_release() {
	ext_from_preset(LOCAL).execute_with(|| {
		block_at(1, T0);
		voted_policy(0, 50);
		// Alice's hospital (a committee member) has a doctor; Eve is a patient who made lab
		// reports openable and escrowed one for the committee.
		doctor_of(Alice, Ferdie, 2);
		patient(Eve, 4);
		dispatch(
			Eve,
			escrow(pallet_ehr_escrow::Call::set_emergency_categories {
				patient: account(Eve),
				categories: vec![RecordCategory::LabReport].try_into().unwrap(),
			}),
		)
		.unwrap();
		let lab = pallet_ehr_records::NextRecordId::<Runtime>::get();
		let mut cid = vec![0x01, 0x55, 0x12, 0x20];
		cid.extend([7; 32]);
		dispatch(
			Eve,
			RuntimeCall::Records(pallet_ehr_records::Call::add_record {
				patient: account(Eve),
				category: RecordCategory::LabReport,
				cid: cid.try_into().unwrap(),
				content_hash: [7; 32],
				size: 1_000,
				keys: vec![(account(Eve), vec![7; 80].try_into().unwrap())].try_into().unwrap(),
				escrow: None,
			}),
		)
		.unwrap();
		dispatch(
			Eve,
			escrow(pallet_ehr_escrow::Call::escrow_key {
				record: lab,
				epoch: 1,
				shares: vec![
					(account(Alice), stanza(1)),
					(account(Bob), stanza(2)),
					(account(Charlie), stanza(3)),
				]
				.try_into()
				.unwrap(),
			}),
		)
		.unwrap();

		// Bob's hospital names a custodian account (no tokens): its admin key releases no more.
		let name = |custodian: Sr25519Keyring| {
			escrow(pallet_ehr_escrow::Call::set_custodian { custodian: Some(account(custodian)) })
		};
		let not_free: Result<(), DispatchError> =
			Err(pallet_ehr_escrow::Error::<Runtime>::CustodianNotFree.into());
		// Not a hospital, a patient or a doctor; not another hospital's custodian.
		assert_eq!(dispatch(Bob, name(Dave)), not_free);
		assert_eq!(dispatch(Bob, name(Eve)), not_free);
		assert_eq!(dispatch(Bob, name(Ferdie)), not_free);
		dispatch(Bob, name(One)).unwrap();
		assert_eq!(Custodians::<Runtime>::get(account(Bob)), Some(account(One)));
		assert_eq!(dispatch(Charlie, name(One)), not_free);
		assert_eq!(
			dispatch(Eve, name(Two)),
			Err(pallet_ehr_escrow::Error::<Runtime>::NotMemberHospital.into())
		);

		open_emergency(Ferdie, Eve).unwrap();
		let release = |id: u8| {
			escrow(pallet_ehr_escrow::Call::release_shares {
				patient: account(Eve),
				doctor: account(Ferdie),
				shares: vec![(lab, stanza(id))].try_into().unwrap(),
			})
		};
		// The doctor's own hospital releases nothing to it, alone or in a batch.
		assert_eq!(
			dispatch(Alice, release(1)),
			Err(pallet_ehr_escrow::Error::<Runtime>::OwnHospital.into())
		);
		let batch =
			RuntimeCall::Utility(pallet_utility::Call::batch_all { calls: vec![release(1)] });
		assert!(dispatch(Alice, batch).is_err());
		// Bob's admin key no longer releases; its custodian does, for Bob's share.
		assert_eq!(
			dispatch(Bob, release(2)),
			Err(pallet_ehr_escrow::Error::<Runtime>::NotCustodian.into())
		);
		dispatch(One, release(2)).unwrap();
		// Naming the same custodian again keeps its account, and so its nonce: its signed
		// releases cannot be replayed.
		let nonce = frame_system::Pallet::<Runtime>::account_nonce(account(One));
		assert!(nonce > 0);
		dispatch(Bob, name(One)).unwrap();
		assert_eq!(frame_system::Pallet::<Runtime>::account_nonce(account(One)), nonce);
		// A release that went through costs the custodian none of its free budget: doctors
		// opening accesses cannot starve it.
		use frame_support::traits::Get;
		assert_eq!(
			pallet_fee_quota::Pallet::<Runtime>::remaining(&account(One)),
			(
				<Runtime as pallet_fee_quota::Config>::FreeRefTimePerPeriod::get(),
				<Runtime as pallet_fee_quota::Config>::FreeBytesPerPeriod::get()
			)
		);
		dispatch(Charlie, release(3)).unwrap();
		let released = Released::<Runtime>::get((account(Eve), account(Ferdie), lab)).unwrap();
		let by: Vec<_> = released.shares.iter().map(|(hospital, _)| hospital.clone()).collect();
		assert_eq!(by, vec![account(Bob), account(Charlie)]);
		assert_eq!(released.threshold, 2);

		// The custodian can do nothing else for free (it holds no tokens): no other call is even
		// a valid transaction of it; nor may it become a patient or a doctor.
		let done = |outcome: sp_runtime::ApplyExtrinsicResult| matches!(outcome, Ok(Ok(())));
		assert!(!done(apply(One, offer(Two))));
		assert!(!done(apply(
			One,
			escrow(pallet_ehr_escrow::Call::set_emergency_categories {
				patient: account(Eve),
				categories: Default::default(),
			})
		)));
		assert!(!done(apply(One, name(Two))));
		assert!(!done(apply(
			One,
			identity(pallet_ehr_identity::Call::register_patient { encryption_key: [9; 32] })
		)));
		let custodian: Result<(), DispatchError> =
			Err(IdentityError::<Runtime>::AccountIsCustodian.into());
		assert_eq!(
			dispatch(
				Alice,
				identity(pallet_ehr_identity::Call::invite_patient { patient: account(One) })
			),
			custodian
		);
		assert_eq!(dispatch(Alice, offer(One)), custodian);
		// An empty release does nothing, and is refused (it would cost nothing).
		let empty = escrow(pallet_ehr_escrow::Call::release_shares {
			patient: account(Eve),
			doctor: account(Ferdie),
			shares: Default::default(),
		});
		assert_eq!(dispatch(One, empty), Err(pallet_ehr_escrow::Error::<Runtime>::NoShares.into()));
		// Replaced, the old custodian releases nothing more.
		dispatch(Bob, name(Two)).unwrap();
		dispatch(
			Ferdie,
			consent(pallet_ehr_consent::Call::close_emergency_access {
				patient: account(Eve),
				doctor: account(Ferdie),
			}),
		)
		.unwrap();
		block_at(2, T0 + BLOCK);
		open_emergency(Ferdie, Eve).unwrap_or_else(|error| panic!("reopened: {error:?}"));
		// The old custodian is not even a free account any more (it holds no tokens): its
		// release is no valid transaction, and a hospital's admin key still releases nothing.
		assert!(apply(One, release(2)).is_err());
		assert_eq!(
			dispatch(Bob, release(2)),
			Err(pallet_ehr_escrow::Error::<Runtime>::NotCustodian.into())
		);
		dispatch(Two, release(2)).unwrap();
	});
}

#[test]
fn a_delegate_grants_only_to_clinicians() {
	ext_from_preset(LOCAL).execute_with(|| {
		block_at(1, T0);
		doctor_of(Alice, Ferdie, 2);
		patient(Eve, 4);
		patient(Two, 6);
		patient(One, 8);
		dispatch(Eve, identity(pallet_ehr_identity::Call::add_delegate { delegate: account(Two) }))
			.unwrap();
		let grant = |grantee: Sr25519Keyring| {
			consent(pallet_ehr_consent::Call::grant_access {
				patient: account(Eve),
				grantee: account(grantee),
				scope: Scope::All,
				access: AccessLevel::Read,
				expires_at: None,
				purpose: Purpose::Treatment,
			})
		};
		// The delegate names a second account of its own ("family"): refused, also batched.
		let refused: Result<(), DispatchError> =
			Err(pallet_ehr_consent::Error::<Runtime>::DelegateGrantsToClinicians.into());
		assert_eq!(dispatch(Two, grant(One)), refused);
		let batch =
			RuntimeCall::Utility(pallet_utility::Call::batch_all { calls: vec![grant(One)] });
		assert!(dispatch(Two, batch).is_err());
		assert!(pallet_ehr_consent::Grants::<Runtime>::get(account(Eve), account(One)).is_none());
		// To a doctor or a hospital, the delegate may.
		dispatch(Two, grant(Ferdie)).unwrap();
		dispatch(Two, grant(Bob)).unwrap();
		// The patient's own signature gives a family member access; the delegate cannot then
		// change its terms either.
		dispatch(Eve, grant(One)).unwrap();
		let change = consent(pallet_ehr_consent::Call::change_access {
			patient: account(Eve),
			grantee: account(One),
			scope: Scope::All,
			access: AccessLevel::Read,
			expires_at: None,
			purpose: Purpose::Treatment,
		});
		assert_eq!(dispatch(Two, change.clone()), refused);
		dispatch(Eve, change).unwrap();
	});
}

#[test]
fn other_hospitals_review_every_emergency_access_in_the_patients_trail() {
	ext_from_preset(LOCAL).execute_with(|| {
		block_at(1, T0);
		voted_policy(0, 50);
		doctor_of(Bob, Ferdie, 2);
		patient(Eve, 4);
		// Entry 0 of Eve's trail: a grant (no emergency access).
		dispatch(
			Eve,
			consent(pallet_ehr_consent::Call::grant_access {
				patient: account(Eve),
				grantee: account(Dave),
				scope: Scope::All,
				access: AccessLevel::Read,
				expires_at: None,
				purpose: Purpose::Treatment,
			}),
		)
		.unwrap();
		open_emergency(Ferdie, Eve).unwrap();
		let opened = pallet_ehr_consent::TrailLength::<Runtime>::get(account(Eve)) - 1;
		assert_eq!(opened, 1);
		let review = |entry: u64, verdict: ehr_primitives::ReviewVerdict| {
			consent(pallet_ehr_consent::Call::review_emergency_access {
				patient: account(Eve),
				entry,
				verdict,
			})
		};
		use ehr_primitives::ReviewVerdict::*;
		use pallet_ehr_consent::Error as E;
		// The doctor's own hospital does not judge its doctor; nor does anyone but a hospital.
		assert_eq!(
			dispatch(Bob, review(opened, Justified)),
			Err(E::<Runtime>::OwnDoctorsAccess.into())
		);
		assert_eq!(
			dispatch(Eve, review(opened, Unjustified)),
			Err(E::<Runtime>::NotReviewer.into())
		);
		assert_eq!(
			dispatch(Ferdie, review(opened, Justified)),
			Err(E::<Runtime>::NotReviewer.into())
		);
		// Only an entry that opened an emergency access is reviewed.
		assert_eq!(
			dispatch(Charlie, review(0, Justified)),
			Err(E::<Runtime>::NotAnEmergencyAccess.into())
		);
		assert_eq!(
			dispatch(Charlie, review(opened + 100, Justified)),
			Err(E::<Runtime>::NotAnEmergencyAccess.into())
		);
		// Each other hospital once; the verdict is in the patient's trail.
		dispatch(Charlie, review(opened, Questionable)).unwrap();
		assert_eq!(
			dispatch(Charlie, review(opened, Justified)),
			Err(E::<Runtime>::AlreadyReviewed.into())
		);
		dispatch(Alice, review(opened, Justified)).unwrap();
		let length = pallet_ehr_consent::TrailLength::<Runtime>::get(account(Eve));
		let last = pallet_ehr_consent::Trail::<Runtime>::get(account(Eve), length - 1).unwrap();
		assert_eq!(last.actor, account(Alice));
		assert_eq!(
			last.event,
			ehr_primitives::AuditEvent::EmergencyAccessReviewed {
				entry: opened,
				doctor: account(Ferdie),
				verdict: Justified
			}
		);
		// A closed access is still reviewed.
		dispatch(
			Ferdie,
			consent(pallet_ehr_consent::Call::close_emergency_access {
				patient: account(Eve),
				doctor: account(Ferdie),
			}),
		)
		.unwrap();
		dispatch(Dave, review(opened, Unjustified)).unwrap();
	});
}

#[test]
fn an_account_grows_the_trail_by_at_most_64_settings_changes_an_hour() {
	use frame_support::traits::UnfilteredDispatchable;
	ext_from_preset(LOCAL).execute_with(|| {
		block_at(1, T0);
		doctor_of(Alice, Ferdie, 2);
		patient(Eve, 4);
		let grant = consent(pallet_ehr_consent::Call::grant_access {
			patient: account(Eve),
			grantee: account(Ferdie),
			scope: Scope::All,
			access: AccessLevel::Read,
			expires_at: None,
			purpose: Purpose::Treatment,
		});
		let revoke = consent(pallet_ehr_consent::Call::revoke_access {
			patient: account(Eve),
			grantee: account(Ferdie),
		});
		// Dispatched straight (the free budget is another limit, tested in `fees`): only the
		// count of settings changes stops the churn. Revocations are not held back (each
		// follows a counted grant).
		let run = |call: &RuntimeCall| call.clone().dispatch_bypass_filter(signed(Eve));
		let categories = escrow(pallet_ehr_escrow::Call::set_emergency_categories {
			patient: account(Eve),
			categories: vec![RecordCategory::LabReport].try_into().unwrap(),
		});
		run(&categories).unwrap();
		for _ in 0..63 {
			run(&grant).unwrap();
			run(&revoke).unwrap();
		}
		let before = pallet_ehr_consent::TrailLength::<Runtime>::get(account(Eve));
		let refused = run(&grant).unwrap_err().error;
		assert_eq!(refused, pallet_ehr_consent::Error::<Runtime>::TooManySettingsChanges.into());
		assert_eq!(
			run(&categories).unwrap_err().error,
			pallet_ehr_consent::Error::<Runtime>::TooManySettingsChanges.into()
		);
		assert_eq!(pallet_ehr_consent::TrailLength::<Runtime>::get(account(Eve)), before);
		// Opting out of a choice is never held back; "opting out" again, with nothing
		// openable, is a settings change like any other.
		let opt_out = escrow(pallet_ehr_escrow::Call::set_emergency_categories {
			patient: account(Eve),
			categories: Default::default(),
		});
		run(&opt_out).unwrap();
		assert_eq!(
			run(&opt_out).unwrap_err().error,
			pallet_ehr_consent::Error::<Runtime>::TooManySettingsChanges.into()
		);
		// The next hour, the patient changes its settings again.
		block_at(2, T0 + 60 * 60 * 1_000);
		run(&grant).unwrap();
		run(&categories).unwrap();
	});
}

#[test]
fn free_use_is_bounded_per_hospital_and_ends_with_the_hospital_but_no_data_does() {
	ext_from_preset(LOCAL).execute_with(|| {
		block_at(1, T0);
		// Only governance sets the rate.
		let rate = |rate: u32| identity(pallet_ehr_identity::Call::set_invitation_rate { rate });
		assert_eq!(dispatch(Alice, rate(1)), Err(DispatchError::BadOrigin));
		assert_eq!(
			pallet_ehr_identity::InvitationRate::<Runtime>::get(),
			5_000,
			"the runtime's default"
		);
		use frame_support::traits::UnfilteredDispatchable;
		rate(2).dispatch_bypass_filter(ehr_runtime::RuntimeOrigin::root()).unwrap();
		// Two invitations (registered or open) a day for Alice's hospital; the third waits.
		patient(Eve, 4);
		dispatch(
			Alice,
			identity(pallet_ehr_identity::Call::invite_patient { patient: account(Two) }),
		)
		.unwrap();
		assert_eq!(
			dispatch(
				Alice,
				identity(pallet_ehr_identity::Call::invite_patient { patient: account(One) })
			),
			Err(IdentityError::<Runtime>::InvitationRateReached.into())
		);
		// A doctor's offer counts too.
		assert_eq!(
			dispatch(Alice, offer(Ferdie)),
			Err(IdentityError::<Runtime>::InvitationRateReached.into())
		);
		// Another hospital is not held by Alice's count.
		dispatch(
			Bob,
			identity(pallet_ehr_identity::Call::invite_patient { patient: account(One) }),
		)
		.unwrap();

		// Eve adds a record for free; then Alice's hospital is voted out.
		dispatch(
			Eve,
			RuntimeCall::Records(pallet_ehr_records::Call::add_record {
				patient: account(Eve),
				category: RecordCategory::Document,
				cid: {
					let mut cid = vec![0x01, 0x55, 0x12, 0x20];
					cid.extend([9; 32]);
					cid.try_into().unwrap()
				},
				content_hash: [9; 32],
				size: 100,
				keys: vec![(account(Eve), vec![9; 80].try_into().unwrap())].try_into().unwrap(),
				escrow: None,
			}),
		)
		.unwrap();
		// Alice's hospital names a custodian before it leaves.
		dispatch(
			Alice,
			escrow(pallet_ehr_escrow::Call::set_custodian { custodian: Some(account(Ferdie)) }),
		)
		.unwrap();
		let remove_alice = RuntimeCall::Hospitals(pallet_membership::Call::remove_member {
			who: account(Alice).into(),
		});
		council_motion(remove_alice, 3, &[Bob, Charlie, Dave]).expect("the motion closes");
		assert!(!<ehr_runtime::Hospitals as frame_support::traits::Contains<_>>::contains(
			&account(Alice)
		));
		// Its custodian stays named (were Alice's hospital voted back, it would release its
		// shares again): no other hospital makes it a patient or a doctor meanwhile, which
		// would let it release Alice's share to itself.
		let custodian: Result<(), DispatchError> =
			Err(IdentityError::<Runtime>::AccountIsCustodian.into());
		assert_eq!(
			dispatch(
				Bob,
				identity(pallet_ehr_identity::Call::invite_patient { patient: account(Ferdie) })
			),
			custodian
		);
		assert_eq!(dispatch(Bob, offer(Ferdie)), custodian);
		// Alice's unused invitation gives no free use any more.
		assert!(apply(
			Two,
			identity(pallet_ehr_identity::Call::register_patient { encryption_key: [6; 32] })
		)
		.is_err());
		// Free use ended at once: Eve (no tokens) has no valid transaction; its record stays.
		let set_key = identity(pallet_ehr_identity::Call::set_encryption_key { key: [5; 32] });
		assert!(apply(Eve, set_key.clone()).is_err());
		assert!(
			pallet_ehr_records::Records::<Runtime>::iter().any(|(_, r)| r.patient == account(Eve))
		);
		assert!(pallet_ehr_identity::Patients::<Runtime>::contains_key(account(Eve)));
		// Protecting its own data stays free: Eve erases the record (no tokens needed), and the
		// same call for someone else's record, or any other call, is not free for Eve.
		let eve_record = pallet_ehr_records::Records::<Runtime>::iter()
			.find(|(_, r)| r.patient == account(Eve))
			.map(|(id, _)| id)
			.unwrap();
		let erase =
			|record| RuntimeCall::Records(pallet_ehr_records::Call::erase_record { record });
		let ones_record = {
			// A patient of Bob's (One, invited above) with a record of its own.
			dispatch(
				One,
				identity(pallet_ehr_identity::Call::register_patient { encryption_key: [7; 32] }),
			)
			.unwrap();
			dispatch(
				One,
				RuntimeCall::Records(pallet_ehr_records::Call::add_record {
					patient: account(One),
					category: RecordCategory::Document,
					cid: {
						let mut cid = vec![0x01, 0x55, 0x12, 0x20];
						cid.extend([8; 32]);
						cid.try_into().unwrap()
					},
					content_hash: [8; 32],
					size: 100,
					keys: vec![(account(One), vec![8; 80].try_into().unwrap())].try_into().unwrap(),
					escrow: None,
				}),
			)
			.unwrap();
			pallet_ehr_records::Records::<Runtime>::iter()
				.find(|(_, r)| r.patient == account(One))
				.map(|(id, _)| id)
				.unwrap()
		};
		// Eve's erasure of One's record is refused by the pallet (it is free, as a protective
		// call of a patient, and fails: nothing of One's is touched).
		assert_eq!(
			dispatch(Eve, erase(ones_record)),
			Err(pallet_ehr_records::Error::<Runtime>::NotAuthorized.into())
		);
		assert!(pallet_ehr_records::Records::<Runtime>::contains_key(ones_record));
		// Ending break-glass for herself: opting out of every category is free.
		assert_eq!(
			dispatch(
				Eve,
				escrow(pallet_ehr_escrow::Call::set_emergency_categories {
					patient: account(Eve),
					categories: Default::default(),
				})
			),
			Ok(())
		);
		// Opting in is not protective: charged, and Eve has no tokens.
		assert!(apply(
			Eve,
			escrow(pallet_ehr_escrow::Call::set_emergency_categories {
				patient: account(Eve),
				categories: vec![RecordCategory::Document].try_into().unwrap(),
			})
		)
		.is_err());
		assert_eq!(dispatch(Eve, erase(eve_record)), Ok(()));
		assert!(pallet_ehr_records::Records::<Runtime>::get(eve_record).is_some_and(|r| r.erased));
		// Another member hospital takes the patient over: free again, nothing lost.
		dispatch(
			Bob,
			identity(pallet_ehr_identity::Call::invite_patient { patient: account(Eve) }),
		)
		.unwrap();
		assert_eq!(dispatch(Eve, set_key), Ok(()));
		// A patient whose hospital is a member is not taken over by another.
		assert_eq!(
			dispatch(
				Charlie,
				identity(pallet_ehr_identity::Call::invite_patient { patient: account(Eve) })
			),
			Err(IdentityError::<Runtime>::AlreadyRegistered.into())
		);
	});
}
