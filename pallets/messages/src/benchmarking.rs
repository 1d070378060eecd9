//! Benchmarks for `pallet_ehr_messages`: each call on its most expensive path.

use super::*;
use alloc::vec;
use ehr_primitives::Severity;
use frame_benchmarking::v2::*;
use frame_system::RawOrigin;

/// A patient and a doctor who cares for them (by the costliest relationship to check).
fn pair<T: Config>() -> (T::AccountId, T::AccountId) {
	let patient: T::AccountId = account("patient", 0, 0);
	let doctor: T::AccountId = account("doctor", 0, 0);
	T::BenchmarkHelper::register_patient(&patient);
	T::BenchmarkHelper::register_doctor(&doctor);
	T::BenchmarkHelper::relate(&patient, &doctor);
	(patient, doctor)
}

/// The longest CID allowed: a CIDv1 whose multihash digest fills the bound.
fn longest_cid<T: Config>() -> CidOf<T> {
	let max = T::MaxCidLength::get() as usize;
	let digest = max.saturating_sub(4).min(127);
	let mut bytes = vec![0x01, 0x55, 0x12, digest as u8];
	bytes.resize(4 + digest, 7);
	bytes.try_into().expect("within the bound")
}

fn longest_key<T: Config>() -> WrappedKeyOf<T> {
	vec![3u8; T::MaxWrappedKeyLength::get() as usize].try_into().expect("within the bound")
}

/// `count` messages from `doctor` to `patient`.
fn fill<T: Config>(patient: &T::AccountId, doctor: &T::AccountId, count: u32) {
	for _ in 0..count {
		Pallet::<T>::send(
			RawOrigin::Signed(doctor.clone()).into(),
			patient.clone(),
			MessageKind::Message,
			longest_cid::<T>(),
			T::MaxMessageSize::get(),
			longest_key::<T>(),
			longest_key::<T>(),
		)
		.expect("a message");
	}
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// An alert to an inbox already keeping the most messages of this sender: the oldest is
	/// dropped.
	#[benchmark]
	fn send() {
		let (patient, doctor) = pair::<T>();
		fill::<T>(&patient, &doctor, T::MaxKeptPerSender::get());

		#[extrinsic_call]
		_(
			RawOrigin::Signed(doctor.clone()),
			patient.clone(),
			MessageKind::Alert { severity: Severity::Urgent },
			longest_cid::<T>(),
			T::MaxMessageSize::get(),
			longest_key::<T>(),
			longest_key::<T>(),
		);

		assert_eq!(Kept::<T>::get(&patient, &doctor).len() as u32, T::MaxKeptPerSender::get());
	}

	/// `n` messages removed, each from another sender whose list is full (every removal reads,
	/// scans and writes a list of its own).
	#[benchmark]
	fn remove(n: Linear<1, { T::MaxRemove::get() }>) {
		let patient: T::AccountId = account("patient", 0, 0);
		let mut ids = alloc::vec::Vec::new();
		for index in 0..n {
			let sender: T::AccountId = account("sender", index, 0);
			let id = NextMessageId::<T>::mutate(ehr_primitives::take_id);
			let message = Message {
				sender: sender.clone(),
				sent_at: 0,
				kind: MessageKind::Message,
				cid: longest_cid::<T>(),
				size: T::MaxMessageSize::get(),
				recipient_key: longest_key::<T>(),
				sender_key: longest_key::<T>(),
			};
			Inbox::<T>::insert(&patient, id, message);
			// The sender's list is full, with this message last: the removal scans all of it.
			let mut kept: alloc::vec::Vec<MessageId> =
				(1..T::MaxKeptPerSender::get()).map(|k| u64::MAX - u64::from(k)).collect();
			kept.push(id);
			Kept::<T>::insert(&patient, &sender, BoundedVec::truncate_from(kept));
			ids.push(id);
		}
		let ids: BoundedVec<MessageId, T::MaxRemove> = ids.try_into().expect("at most MaxRemove");

		#[extrinsic_call]
		_(RawOrigin::Signed(patient.clone()), ids);

		assert_eq!(Inbox::<T>::iter_prefix(&patient).count(), 0);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
