//! The runtime's side of the benchmarks' worst cases, on the dev genesis: the state the
//! benchmark helpers build is the one the benchmarks claim to measure. (`benchmark pallet` runs
//! the benchmarks themselves in wasm; their logic is tested on each pallet's test runtime.)
//!
//! Needs `--features runtime-benchmarks`.

#![cfg(feature = "runtime-benchmarks")]

use crate::common::*;
use ehr_primitives::{AccessLevel, ConsentProvider, Identities, RecordCategory};
use ehr_runtime::{
	configs::{ProtectiveCalls, RegisteredAccounts},
	AccountId, Consent, Consortium, Hospitals, Identity, Runtime,
};
use frame_support::traits::{Contains, ContainsPair};
use pallet_ehr_records::BenchmarkHelper as _;
use pallet_fee_quota::BenchmarkHelper as _;

type FeeQuotaHelper = <Runtime as pallet_fee_quota::Config>::BenchmarkHelper;
type RecordsHelper = <Runtime as pallet_ehr_records::Config>::BenchmarkHelper;

#[test]
fn the_fee_quota_benchmark_account_takes_every_check_of_the_free_path() {
	ext_from_preset(DEV).execute_with(|| {
		let who: AccountId = frame_benchmarking::account("caller", 0, 0);
		FeeQuotaHelper::register(&who);
		// Every registration check reads and misses: no hospital, validator, doctor, custodian,
		// open invitation or offer; the invitation it registered with names a hospital that left.
		assert!(!RegisteredAccounts::contains(&who));
		assert!(!Hospitals::contains(&who));
		assert!(!Consortium::contains(&who));
		assert!(pallet_ehr_identity::Doctors::<Runtime>::get(&who).is_none());
		let inviter = pallet_ehr_identity::InvitedPatients::<Runtime>::get(&who)
			.expect("registered through an invitation");
		assert!(!Hospitals::contains(&inviter));
		assert!(!pallet_ehr_identity::Invitations::<Runtime>::contains_key(&who));
		assert!(!pallet_ehr_identity::DoctorOffers::<Runtime>::contains_key(&who));
		assert!(!pallet_ehr_escrow::CustodianOf::<Runtime>::contains_key(&who));
		// Then the protective check reads the patient and finds the call free.
		let call = FeeQuotaHelper::free_call(&who);
		assert!(pallet_ehr_identity::Patients::<Runtime>::contains_key(&who));
		assert!(<ProtectiveCalls as ContainsPair<_, _>>::contains(&who, &call));
		assert!(pallet_fee_quota::Pallet::<Runtime>::eligible(&who, &call));
	});
}

#[test]
fn the_records_benchmarks_take_every_grant_slot_of_the_patient() {
	ext_from_preset(DEV).execute_with(|| {
		// As `add_record` and `amend_record` set up: a doctor with consent through its hospital
		// and doctors with grants of their own in every slot left.
		let patient: AccountId = frame_benchmarking::account("patient", 0, 0);
		RecordsHelper::register_patient(&patient);
		let author: AccountId = frame_benchmarking::account("author", 0, 0);
		RecordsHelper::register_doctor(&author);
		let hospital = Identity::hospital_of(&author).expect("a doctor has a hospital");
		RecordsHelper::grant(&patient, &hospital);
		let max = RecordsHelper::max_grants();
		assert_eq!(max, 64);
		for index in 0..max - 1 {
			let doctor: AccountId = frame_benchmarking::account("doctor", index, 0);
			RecordsHelper::register_doctor(&doctor);
			RecordsHelper::grant(&patient, &doctor);
			assert!(Identity::encryption_key(&doctor).is_some());
		}

		let readers = Consent::readers(&patient, RecordCategory::LabReport);
		assert_eq!(readers.len() as u32, 1 + max);
		assert!(pallet_ehr_consent::Grants::<Runtime>::get(&patient, &author).is_none());
		assert!(Consent::may_access(
			&author,
			&patient,
			RecordCategory::LabReport,
			AccessLevel::ReadWrite
		));
	});
}
