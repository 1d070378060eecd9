//! Benchmarks for `pallet_ehr_escrow`: each call on its most expensive path.

use super::*;
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_system::RawOrigin;

/// `hospitals` (at least two) with distinct escrow keys, and the lowest threshold allowed.
fn members<T: Config>(
	hospitals: &[T::AccountId],
) -> (BoundedVec<(T::AccountId, EncryptionKey), T::MaxCommittee>, u8) {
	let members = hospitals
		.iter()
		.enumerate()
		.map(|(index, hospital)| (hospital.clone(), [9 + index as u8; 32]))
		.collect::<Vec<_>>()
		.try_into()
		.expect("at most MaxCommittee");
	(members, 2)
}

/// A committee of `count` hospitals.
fn committee<T: Config>(count: u32) -> Vec<T::AccountId> {
	let hospitals = T::BenchmarkHelper::hospitals(count);
	let (members, threshold) = members::<T>(&hospitals);
	Pallet::<T>::set_committee(RawOrigin::Root.into(), members, threshold).expect("a committee");
	hospitals
}

/// A patient who made every category openable.
fn opted_in_patient<T: Config>() -> T::AccountId {
	let (patient, _) = T::BenchmarkHelper::patient_with_delegate();
	Pallet::<T>::set_emergency_categories(
		RawOrigin::Signed(patient.clone()).into(),
		patient.clone(),
		all_categories(),
	)
	.expect("categories");
	patient
}

/// The largest committee, `count` escrowed records of an opted-in patient, and a doctor with an
/// open emergency access to them.
struct Emergency<T: Config> {
	hospitals: Vec<T::AccountId>,
	patient: T::AccountId,
	records: Vec<RecordId>,
	doctor: T::AccountId,
}

fn emergency<T: Config>(count: u32) -> Emergency<T> {
	let hospitals = committee::<T>(T::MaxCommittee::get());
	let patient = opted_in_patient::<T>();
	let records = escrowed::<T>(&patient, &hospitals, count);
	let doctor = T::BenchmarkHelper::doctor();
	T::BenchmarkHelper::open_emergency(&doctor, &patient);
	Emergency { hospitals, patient, records, doctor }
}

/// The share with identifier `id` of each of `records`, as a custodian releases them.
fn release_list<T: Config>(
	records: &[RecordId],
	id: u8,
) -> BoundedVec<(RecordId, ShareStanza), T::MaxReleasePerCall> {
	records
		.iter()
		.map(|record| (*record, stanza(id)))
		.collect::<Vec<_>>()
		.try_into()
		.expect("at most MaxReleasePerCall")
}

fn stanza(id: u8) -> ShareStanza {
	let mut stanza = [0x5a; 81];
	stanza[0] = id;
	stanza
}

/// A share for each of `hospitals`, identifiers 1, 2, ….
fn shares<T: Config>(
	hospitals: &[T::AccountId],
) -> BoundedVec<(T::AccountId, ShareStanza), T::MaxCommittee> {
	hospitals
		.iter()
		.enumerate()
		.map(|(index, hospital)| (hospital.clone(), stanza(index as u8 + 1)))
		.collect::<Vec<_>>()
		.try_into()
		.expect("at most MaxCommittee")
}

/// Every category, opted in by the patient.
fn all_categories() -> Categories {
	RecordCategory::ALL.to_vec().try_into().expect("seven categories")
}

/// `count` escrowed lab reports of `patient`, for the committee `hospitals`.
fn escrowed<T: Config>(
	patient: &T::AccountId,
	hospitals: &[T::AccountId],
	count: u32,
) -> Vec<RecordId> {
	(0..count)
		.map(|_| {
			let record = T::BenchmarkHelper::add_record(patient, RecordCategory::LabReport);
			Pallet::<T>::escrow_key(
				RawOrigin::Signed(patient.clone()).into(),
				record,
				Epoch::<T>::get(),
				shares::<T>(hospitals),
			)
			.expect("escrowed");
			record
		})
		.collect()
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// A committee of `n` hospitals (each checked to be a hospital, once, with a distinct key).
	#[benchmark]
	fn set_committee(n: Linear<2, { T::MaxCommittee::get() }>) {
		let (members, threshold) = members::<T>(&T::BenchmarkHelper::hospitals(n));
		#[extrinsic_call]
		_(RawOrigin::Root, members, threshold);
		assert_eq!(Committee::<T>::get().len() as u32, n);
	}

	/// A delegate sets all seven categories (the delegate check and the longest list).
	#[benchmark]
	fn set_emergency_categories() {
		let (patient, delegate) = T::BenchmarkHelper::patient_with_delegate();
		#[extrinsic_call]
		_(RawOrigin::Signed(delegate), patient.clone(), all_categories());
		assert!(Pallet::<T>::openable(&patient, RecordCategory::Document));
	}

	/// The patient escrows a record again for the largest committee, after the committee
	/// changed: the old shares removed, new ones written, one per seat.
	#[benchmark]
	fn escrow_key(n: Linear<2, { T::MaxCommittee::get() }>) {
		let hospitals = committee::<T>(n);
		let patient = opted_in_patient::<T>();
		let record = escrowed::<T>(&patient, &hospitals, 1)[0];
		let (members, threshold) = members::<T>(&hospitals);
		Pallet::<T>::set_committee(RawOrigin::Root.into(), members, threshold)
			.expect("a new epoch");
		#[extrinsic_call]
		_(RawOrigin::Signed(patient), record, Epoch::<T>::get(), shares::<T>(&hospitals));
		assert_eq!(EscrowedShares::<T>::iter_prefix(record).count() as u32, n);
	}

	/// The last custodian of the largest committee releases `n` shares, each into an entry that
	/// the other custodians filled already.
	#[benchmark]
	fn release_shares(n: Linear<1, { T::MaxReleasePerCall::get() }>) {
		let Emergency { hospitals, patient, records, doctor } = emergency::<T>(n);
		let (last, others) = hospitals.split_last().expect("a committee");
		for (index, hospital) in others.iter().enumerate() {
			Pallet::<T>::release_shares(
				RawOrigin::Signed(hospital.clone()).into(),
				patient.clone(),
				doctor.clone(),
				release_list::<T>(&records, index as u8 + 1),
			)
			.expect("released");
		}
		let mine = release_list::<T>(&records, hospitals.len() as u8);
		#[extrinsic_call]
		_(RawOrigin::Signed(last.clone()), patient.clone(), doctor.clone(), mine);
		let released = Released::<T>::get((&patient, &doctor, records[0])).expect("released");
		assert_eq!(released.shares.len(), hospitals.len());
	}

	/// `l` records' released shares of an ended access removed.
	#[benchmark]
	fn clear_released(l: Linear<1, { T::MaxReleasePerCall::get() }>) {
		let Emergency { hospitals, patient, records, doctor } = emergency::<T>(l);
		Pallet::<T>::release_shares(
			RawOrigin::Signed(hospitals[0].clone()).into(),
			patient.clone(),
			doctor.clone(),
			release_list::<T>(&records, 1),
		)
		.expect("released");
		T::BenchmarkHelper::end_emergency(&doctor, &patient);
		let caller: T::AccountId = whitelisted_caller();
		#[extrinsic_call]
		_(RawOrigin::Signed(caller), patient.clone(), doctor.clone(), l);
		assert_eq!(Released::<T>::iter_prefix((&patient, &doctor)).count(), 0);
	}

	/// Replacing a named custodian: the most work (the old one's entries and reference go).
	#[benchmark]
	fn set_custodian() {
		let hospital = T::BenchmarkHelper::hospitals(1).remove(0);
		let old: T::AccountId = account("custodian", 0, 0);
		let new: T::AccountId = account("custodian", 1, 0);
		Pallet::<T>::set_custodian(RawOrigin::Signed(hospital.clone()).into(), Some(old.clone()))
			.expect("named");
		#[extrinsic_call]
		_(RawOrigin::Signed(hospital.clone()), Some(new.clone()));
		assert_eq!(Custodians::<T>::get(&hospital), Some(new));
		assert!(CustodianOf::<T>::get(&old).is_none());
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
