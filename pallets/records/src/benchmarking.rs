//! Benchmarks for `pallet_ehr_records`: each call on its most expensive path.

use super::*;
use alloc::vec;
use frame_benchmarking::v2::*;
use frame_system::RawOrigin;

fn patient<T: Config>() -> T::AccountId {
	let patient: T::AccountId = account("patient", 0, 0);
	T::BenchmarkHelper::register_patient(&patient);
	patient
}

/// `count` doctors with encryption keys, each granted read-write access by `patient`.
fn readers<T: Config>(patient: &T::AccountId, count: u32) -> Vec<T::AccountId> {
	(0..count)
		.map(|index| {
			let doctor: T::AccountId = account("doctor", index, 0);
			T::BenchmarkHelper::register_doctor(&doctor);
			T::BenchmarkHelper::grant(patient, &doctor);
			doctor
		})
		.collect()
}

/// A doctor with an encryption key whose write consent comes through its hospital's grant: the
/// costliest consent check, which looks up the doctor's own grant and misses first.
fn author_through_hospital<T: Config>(patient: &T::AccountId) -> T::AccountId {
	let author: T::AccountId = account("author", 0, 0);
	T::BenchmarkHelper::register_doctor(&author);
	let hospital = T::Identity::hospital_of(&author).expect("a doctor has a hospital");
	T::BenchmarkHelper::grant(patient, &hospital);
	author
}

/// Doctors with encryption keys and grants of their own in every grant slot of `patient` left
/// after `taken`: each walk of the patient's readers (`ConsentProvider::readers`) goes through
/// as many grants as it ever can.
fn fill_grants<T: Config>(patient: &T::AccountId, taken: u32) -> Vec<T::AccountId> {
	let max = T::BenchmarkHelper::max_grants();
	let doctors = readers::<T>(patient, max - taken);
	let readers = T::Consent::readers(patient, RecordCategory::LabReport);
	assert_eq!(readers.len() as u32, 1 + max, "every grant slot of the patient is taken");
	doctors
}

fn cid<T: Config>() -> CidOf<T> {
	// A CIDv1 with the longest digest that fits.
	let digest = T::MaxCidLength::get() as usize - 4;
	let mut cid = vec![0x01, 0x55, 0x12, digest as u8];
	cid.resize(T::MaxCidLength::get() as usize, 0xab);
	cid.try_into().expect("sized to the bound")
}

fn wrapped<T: Config>() -> WrappedKeyOf<T> {
	vec![0x5a; T::MaxWrappedKeyLength::get() as usize].try_into().expect("sized to the bound")
}

/// The patient's key and one for each of `readers`.
fn keys_for<T: Config>(patient: &T::AccountId, readers: &[T::AccountId]) -> ReaderKeysOf<T> {
	core::iter::once(patient.clone())
		.chain(readers.iter().cloned())
		.map(|reader| (reader, wrapped::<T>()))
		.collect::<Vec<_>>()
		.try_into()
		.expect("at most the reader limit")
}

fn add<T: Config>(patient: &T::AccountId, readers: &[T::AccountId]) -> RecordId {
	let id = NextRecordId::<T>::get();
	Pallet::<T>::add_record(
		RawOrigin::Signed(patient.clone()).into(),
		patient.clone(),
		RecordCategory::LabReport,
		cid::<T>(),
		[1; 32],
		1 << 20,
		keys_for::<T>(patient, readers),
		None,
	)
	.expect("the patient adds a record");
	id
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// A doctor with write consent through its hospital adds a record wrapped for the patient
	/// and `k - 1` readers, while the patient holds as many grants as it may (the readers are
	/// checked against all of them).
	#[benchmark]
	fn add_record(k: Linear<1, { T::MaxReadersPerRecord::get() }>) {
		let patient = patient::<T>();
		let author = author_through_hospital::<T>(&patient);
		let granted = fill_grants::<T>(&patient, 1);
		let keys = keys_for::<T>(&patient, &granted[..(k - 1) as usize]);
		#[extrinsic_call]
		_(
			RawOrigin::Signed(author),
			patient.clone(),
			RecordCategory::LabReport,
			cid::<T>(),
			[1; 32],
			1 << 20,
			keys,
			None,
		);
		assert_eq!(RecordCount::<T>::get(&patient), 1);
	}

	/// As `add_record`, for a new version of a record.
	#[benchmark]
	fn amend_record(k: Linear<1, { T::MaxReadersPerRecord::get() }>) {
		let patient = patient::<T>();
		let author = author_through_hospital::<T>(&patient);
		let granted = fill_grants::<T>(&patient, 1);
		let record = add::<T>(&patient, &[]);
		let keys = keys_for::<T>(&patient, &granted[..(k - 1) as usize]);
		#[extrinsic_call]
		_(RawOrigin::Signed(author), record, cid::<T>(), [2; 32], 1 << 20, keys, None);
		assert!(Records::<T>::get(record).unwrap().superseded_by.is_some());
	}

	/// A reader holding keys (the costlier path: its own key and current consent are checked)
	/// shares `n` records with a new reader, while the patient holds as many grants as it may
	/// (the new reader is looked for among all of them, for each record).
	#[benchmark]
	fn share_keys(n: Linear<1, { T::MaxKeysPerShare::get() }>) {
		let patient = patient::<T>();
		let mut readers = fill_grants::<T>(&patient, 0);
		let (sharer, reader) = (readers.remove(0), readers.remove(0));
		let records: Vec<RecordId> =
			(0..n).map(|_| add::<T>(&patient, core::slice::from_ref(&sharer))).collect();
		let keys: SharedKeysOf<T> = records
			.iter()
			.map(|id| (*id, wrapped::<T>()))
			.collect::<Vec<_>>()
			.try_into()
			.expect("at most the share limit");
		#[extrinsic_call]
		_(RawOrigin::Signed(sharer), reader.clone(), keys);
		assert_eq!(Pallet::<T>::reader_records(&reader, None).len() as u32, n);
	}

	#[benchmark]
	fn remove_key() {
		let patient = patient::<T>();
		let readers = readers::<T>(&patient, 1);
		let record = add::<T>(&patient, &readers);
		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()), record, readers[0].clone());
		assert!(!WrappedKeys::<T>::contains_key(record, &readers[0]));
	}

	/// Erase a record of `v` versions whose first version is wrapped for `k` readers.
	#[benchmark]
	fn erase_record(
		v: Linear<1, { T::MaxVersions::get() }>,
		k: Linear<1, { T::MaxReadersPerRecord::get() }>,
	) {
		let patient = patient::<T>();
		let readers = readers::<T>(&patient, k - 1);
		let mut latest = add::<T>(&patient, &readers);
		for _ in 1..v {
			Pallet::<T>::amend_record(
				RawOrigin::Signed(patient.clone()).into(),
				latest,
				cid::<T>(),
				[3; 32],
				1 << 20,
				keys_for::<T>(&patient, &[]),
				None,
			)
			.expect("the patient amends the latest version");
			latest += 1;
		}
		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()), latest);
		assert_eq!(RecordCount::<T>::get(&patient), 0);
	}

	/// A reader with keys to `n` records of the patient loses consent.
	#[benchmark]
	fn remove_reader_keys(n: Linear<0, { T::MaxRecordsPerPatient::get() }>) {
		let patient = patient::<T>();
		let reader = readers::<T>(&patient, 1).remove(0);
		for _ in 0..n {
			add::<T>(&patient, core::slice::from_ref(&reader));
		}
		#[block]
		{
			Pallet::<T>::on_access_ended(&patient, &reader);
		}
		assert!(Pallet::<T>::reader_records(&reader, None).is_empty());
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
