//! A real runtime upgrade (`System.set_code`) through the council: two thirds of the hospitals
//! decide it, the new code must declare a higher `spec_version`, and the chain's data is intact
//! afterwards and readable by the stored code.
//!
//! The new code is this runtime's own wasm (`ehr_runtime::WASM_BINARY`) with the
//! `runtime_version` custom section rewritten to declare a higher `spec_version`. That section
//! is what a node reads to learn a runtime's version without running it, and what
//! `frame_system::Pallet::set_code` checks (through `sp_io::misc::runtime_version`, here served
//! by the node's own `WasmExecutor`). The program in the wasm is unchanged, so its compiled-in
//! `VERSION` still says the old number when it runs: this tests the governance and the checks
//! of an upgrade, not a migration.
//!
//! The two-step way the hospitals upgrade (the council authorizes a hash, the code goes in
//! unsigned) is tested with the real next runtime, `ehr_runtime::next`: this runtime built a
//! second time with the next `spec_version` (the `upgrade-test` feature).

use crate::common::*;
use codec::{Decode, Encode};
use ehr_primitives::DoctorEntry;
use ehr_runtime::{
	configs::RuntimeBlockLength, AccountId, Hospitals, Identity, Runtime, RuntimeCall,
	RuntimeEvent, System, VERSION,
};
use frame_support::{assert_ok, traits::Contains};
use sc_executor::WasmExecutor;
use sp_core::{
	storage::well_known_keys::CODE,
	traits::{CallContext, CodeExecutor, ReadRuntimeVersion, ReadRuntimeVersionExt, RuntimeCode},
};
use sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie, Dave, Eve, Ferdie, One};
use sp_maybe_compressed_blob::CODE_BLOB_BOMB_LIMIT;
use sp_runtime::{traits::Hash as _, DispatchError};
use sp_version::RuntimeVersion;

/// The executor a node uses (`ehr-node` runs `WasmExecutor<sp_io::SubstrateHostFunctions>`).
fn executor() -> WasmExecutor<sp_io::SubstrateHostFunctions> {
	WasmExecutor::builder().build()
}

/// [`five_hospitals`] with what a node gives the runtime to read the version of new code.
fn five_hospitals_with_executor() -> sp_io::TestExternalities {
	let mut ext = five_hospitals();
	ext.register_extension(ReadRuntimeVersionExt::new(executor()));
	ext
}

/// Read an unsigned LEB128 number at `*position` and move past it.
fn read_leb128(bytes: &[u8], position: &mut usize) -> u32 {
	let mut value = 0u32;
	for shift in (0..35).step_by(7) {
		let byte = bytes[*position];
		*position += 1;
		value |= u32::from(byte & 0x7f) << shift;
		if byte & 0x80 == 0 {
			return value;
		}
	}
	panic!("LEB128 number longer than 5 bytes");
}

fn write_leb128(mut value: u32, out: &mut Vec<u8>) {
	loop {
		let byte = (value & 0x7f) as u8;
		value >>= 7;
		if value == 0 {
			out.push(byte);
			return;
		}
		out.push(byte | 0x80);
	}
}

/// `wasm` (a plain wasm module) with the payload of its custom section `name` replaced by
/// `rewrite(payload)`; every other section is copied byte for byte. Panics unless the module has
/// exactly one such section.
fn rewrite_custom_section(
	wasm: &[u8],
	name: &str,
	rewrite: impl FnOnce(&[u8]) -> Vec<u8>,
) -> Vec<u8> {
	const HEADER: &[u8] = b"\0asm\x01\0\0\0";
	assert_eq!(&wasm[..HEADER.len()], HEADER, "a wasm module, version 1");
	let mut rewrite = Some(rewrite);
	let mut out = HEADER.to_vec();
	let mut position = HEADER.len();
	while position < wasm.len() {
		let start = position;
		let id = wasm[position];
		position += 1;
		let size = read_leb128(wasm, &mut position) as usize;
		let body = &wasm[position..position + size];
		position += size;
		if id == 0 {
			let mut name_end = 0;
			let name_length = read_leb128(body, &mut name_end) as usize;
			let (section_name, payload) = body[name_end..].split_at(name_length);
			if section_name == name.as_bytes() {
				let rewrite = rewrite.take().expect("one custom section of that name");
				let mut new_body = Vec::new();
				write_leb128(name_length as u32, &mut new_body);
				new_body.extend_from_slice(section_name);
				new_body.extend(rewrite(payload));
				out.push(0);
				write_leb128(new_body.len() as u32, &mut out);
				out.extend(new_body);
				continue;
			}
		}
		out.extend_from_slice(&wasm[start..position]);
	}
	assert!(rewrite.is_none(), "the module has no custom section {name}");
	out
}

/// This runtime's wasm declaring `spec_version`, compressed (more weakly than the build does,
/// which is quicker and gives a larger blob).
fn runtime_declaring_spec_version(spec_version: u32) -> Vec<u8> {
	let built = ehr_runtime::WASM_BINARY
		.expect("the runtime wasm is needed: run these tests without SKIP_WASM_BUILD");
	let wasm = sp_maybe_compressed_blob::decompress(built, CODE_BLOB_BOMB_LIMIT)
		.expect("the built runtime decompresses");
	let rewritten = rewrite_custom_section(&wasm, "runtime_version", |section| {
		// The section holds the SCALE-encoded `RuntimeVersion` with an empty `apis` list, so
		// its encoding generation comes from the `Core` API version, as the node decodes it.
		let mut version = RuntimeVersion::decode_with_version_hint(
			&mut &section[..],
			sp_version::core_version_from_apis(&VERSION.apis),
		)
		.expect("the runtime_version section decodes");
		assert_eq!(version.encode(), section, "the section re-encodes byte for byte");
		assert_eq!(version.spec_version, VERSION.spec_version);
		version.spec_version = spec_version;
		version.encode()
	});
	sp_maybe_compressed_blob::compress_weakly(&rewritten, CODE_BLOB_BOMB_LIMIT)
		.expect("the runtime compresses within the bomb limit")
}

/// `System.set_code(code)` dispatched as `Root` by the consortium.
fn upgrade(code: Vec<u8>) -> RuntimeCall {
	RuntimeCall::Consortium(pallet_consortium::Call::dispatch_as_root {
		call: Box::new(RuntimeCall::System(frame_system::Call::set_code { code })),
	})
}

/// The last `Executed` result of the council.
fn last_execution() -> Option<Result<(), DispatchError>> {
	System::events().into_iter().rev().find_map(|record| match record.event {
		RuntimeEvent::HospitalCouncil(pallet_collective::Event::Executed { result, .. }) => {
			Some(result)
		}
		_ => None,
	})
}

/// The result of the last call the consortium dispatched as `Root`.
fn last_root_result() -> Option<Result<(), DispatchError>> {
	System::events().into_iter().rev().find_map(|record| match record.event {
		RuntimeEvent::Consortium(pallet_consortium::Event::DispatchedAsRoot { result }) => {
			Some(result)
		}
		_ => None,
	})
}

fn stored_code() -> Option<Vec<u8>> {
	sp_io::storage::get(CODE).map(|code| code.to_vec())
}

/// What the chain holds before the upgrade and must still hold after it: a verified doctor, a
/// registered patient, the five hospitals and the validators.
struct Snapshot {
	doctor: Option<pallet_ehr_identity::DoctorOf<Runtime>>,
	patient: Option<pallet_ehr_identity::PatientOf<Runtime>>,
	hospitals: Vec<AccountId>,
	validators: Vec<AccountId>,
}

fn snapshot() -> Snapshot {
	Snapshot {
		doctor: pallet_ehr_identity::Doctors::<Runtime>::get(account(Ferdie)),
		patient: pallet_ehr_identity::Patients::<Runtime>::get(account(One)),
		hospitals: pallet_membership::Members::<Runtime, pallet_membership::Instance1>::get()
			.to_vec(),
		validators: pallet_consortium::Pallet::<Runtime>::validators(),
	}
}

#[test]
fn a_runtime_upgrade_needs_two_thirds_and_keeps_the_data() {
	let new_spec_version = VERSION.spec_version + 1;
	let code = runtime_declaring_spec_version(new_spec_version);
	// A node reads the new code's version from the section rewritten above: everything but
	// `spec_version` is this runtime's.
	let declared = ReadRuntimeVersion::read_runtime_version(
		&executor(),
		&code,
		&mut sp_io::TestExternalities::default().ext(),
	)
	.expect("the version of the new code reads");
	let mut declared = RuntimeVersion::decode(&mut &declared[..]).expect("a runtime version");
	let mut expected = RuntimeVersion { spec_version: new_spec_version, ..VERSION };
	// The same APIs, perhaps in another order.
	declared.apis.to_mut().sort();
	expected.apis.to_mut().sort();
	assert_eq!(declared, expected);

	let mut ext = five_hospitals_with_executor();
	let before = ext.execute_with(|| {
		assert_ok!(Identity::register_doctor(
			signed(Alice),
			account(Ferdie),
			b"Dr. Ferdie".to_vec(),
			b"cardiology".to_vec(),
			b"MD-2002".to_vec(),
		));
		assert_ok!(Identity::accept_doctor(signed(Ferdie), account(Alice), [8; 32]));
		// (A member hospital's account is never a patient: another account registers.)
		assert_ok!(Identity::register_patient(signed(One), [9; 32]));
		let before = snapshot();
		let genesis_code = stored_code();
		assert!(before.doctor.is_some() && before.patient.is_some());
		assert_eq!(before.hospitals.len(), 5);

		let call = upgrade(code.clone());
		// The proposal fits in one normal transaction, as a hospital's `propose` must.
		assert!(
			call.encoded_size()
				< *RuntimeBlockLength::get().max.get(frame_support::dispatch::DispatchClass::Normal)
					as usize
		);

		// Three of five: the council passes its own motion, the consortium refuses the origin.
		assert_ok!(council_motion(call.clone(), 3, &[Alice, Bob, Charlie]));
		assert_eq!(last_execution(), Some(Err(DispatchError::BadOrigin)));
		assert_eq!(last_root_result(), None);
		assert_eq!(stored_code(), genesis_code);

		// Four of five: upgraded.
		assert_ok!(council_motion(call, 4, &[Alice, Bob, Charlie, Eve]));
		assert_eq!(last_execution(), Some(Ok(())));
		assert_eq!(last_root_result(), Some(Ok(())));
		System::assert_has_event(RuntimeEvent::System(frame_system::Event::CodeUpdated {
			hash: <Runtime as frame_system::Config>::Hashing::hash(&code),
		}));
		assert_eq!(stored_code().as_ref(), Some(&code));

		let after = snapshot();
		assert_eq!(after.doctor.encode(), before.doctor.encode());
		assert_eq!(after.patient.encode(), before.patient.encode());
		assert_eq!(after.hospitals, before.hospitals);
		assert_eq!(after.validators, before.validators);
		assert!(Hospitals::contains(&account(Dave)));
		before
	});

	// The code now stored runs on the upgraded state and finds the doctor, as the node's
	// `ehr_doctors` RPC asks it.
	let stored = ext.execute_with(stored_code).expect("code is stored");
	let runtime_code = RuntimeCode {
		code_fetcher: &sp_core::traits::WrappedRuntimeCode(stored.as_slice().into()),
		heap_pages: None,
		hash: sp_io::hashing::blake2_256(&stored).to_vec(),
	};
	let (result, _) = executor().call(
		&mut ext.ext(),
		&runtime_code,
		"EhrApi_doctors",
		&(None::<AccountId>, 10u32).encode(),
		CallContext::Offchain,
	);
	let doctors =
		Vec::<DoctorEntry<AccountId>>::decode(&mut &result.expect("the stored code answers")[..])
			.expect("a list of doctors");
	assert_eq!(doctors.len(), 1);
	assert_eq!(doctors[0].account, account(Ferdie));
	assert_eq!(doctors[0].hospital, account(Alice));
	assert_eq!(Some(doctors[0].name.clone()), before.doctor.map(|doctor| doctor.name.to_vec()));
}

#[test]
fn an_upgrade_must_raise_the_spec_version() {
	let mut ext = five_hospitals_with_executor();
	ext.execute_with(|| {
		let genesis_code = stored_code();
		for spec_version in [VERSION.spec_version, VERSION.spec_version - 1] {
			let code = runtime_declaring_spec_version(spec_version);
			assert_ok!(council_motion(upgrade(code), 4, &[Alice, Bob, Charlie, Dave]));
			// Two thirds decided, so the consortium dispatched it; `set_code` refused.
			assert_eq!(last_execution(), Some(Ok(())));
			assert_eq!(
				last_root_result(),
				Some(Err(frame_system::Error::<Runtime>::SpecVersionNeedsToIncrease.into()))
			);
			assert_eq!(stored_code(), genesis_code);
		}
	});
}

/// Whether an upgrade is authorized (`System::AuthorizedUpgrade` is private to frame-system).
fn authorized() -> bool {
	sp_io::storage::exists(&frame_support::storage::storage_prefix(b"System", b"AuthorizedUpgrade"))
}

/// The way the hospitals upgrade (docs/consortium.md, Governance): the council authorizes the new code's
/// hash, then anyone hands the code in as an unsigned `apply_authorized_upgrade`, free. From
/// the attacker's side: no code goes in unauthorized (the pool's check and the block both
/// refuse it); fewer than two thirds cannot authorize; once a hash is authorized, other code is
/// still refused; the authorized code, `ehr_runtime::next` (this runtime built with the next
/// `spec_version`), goes in once.
#[test]
fn only_the_code_two_thirds_authorized_goes_in_unsigned() {
	use ehr_runtime::{Executive, UncheckedExtrinsic};
	use sp_runtime::transaction_validity::TransactionSource;
	let next = ehr_runtime::next::WASM_BINARY.expect("the next runtime is built").to_vec();
	let other = runtime_declaring_spec_version(VERSION.spec_version + 1);
	let hash = <Runtime as frame_system::Config>::Hashing::hash(&next);
	let bare = |code: &Vec<u8>| {
		UncheckedExtrinsic::new_bare(RuntimeCall::System(
			frame_system::Call::apply_authorized_upgrade { code: code.clone() },
		))
	};
	let authorize = RuntimeCall::Consortium(pallet_consortium::Call::dispatch_as_root {
		call: Box::new(RuntimeCall::System(frame_system::Call::authorize_upgrade {
			code_hash: hash,
		})),
	});
	let mut ext = five_hospitals_with_executor();
	ext.execute_with(|| {
		let genesis_code = stored_code();
		let pool = |code: &Vec<u8>| {
			Executive::validate_transaction(
				TransactionSource::External,
				bare(code),
				System::parent_hash(),
			)
		};
		assert!(pool(&next).is_err(), "nothing is authorized yet");
		assert!(Executive::apply_extrinsic(bare(&next)).is_err());

		// Three of five: the council passes its motion, the consortium refuses the origin.
		assert_ok!(council_motion(authorize.clone(), 3, &[Alice, Bob, Charlie]));
		assert_eq!(last_execution(), Some(Err(DispatchError::BadOrigin)));
		assert!(!authorized());
		assert!(pool(&next).is_err());

		// Four of five authorize the hash: other code is still refused.
		assert_ok!(council_motion(authorize, 4, &[Alice, Bob, Charlie, Eve]));
		assert_eq!(last_root_result(), Some(Ok(())));
		assert!(pool(&other).is_err());
		assert!(Executive::apply_extrinsic(bare(&other)).is_err());
		assert_eq!(stored_code(), genesis_code);

		// The authorized code: valid without a signature, and applied.
		assert!(pool(&next).is_ok());
		assert_ok!(Executive::apply_extrinsic(bare(&next)).expect("included"));
		assert_eq!(stored_code().as_ref(), Some(&next));
		// Once: the authorization is used up.
		assert!(!authorized());
		assert!(pool(&next).is_err());
	});
}
