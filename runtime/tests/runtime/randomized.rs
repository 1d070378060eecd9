//! A randomized attack on the real runtime: random signed transactions from hospitals, doctors,
//! patients, delegates and strangers, with random and oversized arguments, block after block
//! (with the real block hooks), checking the chain's invariants after every block.
//!
//! `cargo test -p ehr-runtime --test runtime randomized::` runs a fixed seed for a few hundred
//! blocks (2,000 with `EHR_LONG=1`). A longer or different run: `EHR_FUZZ_BLOCKS=5000
//! EHR_FUZZ_SEED=7 cargo test … --release`. A failure prints the seed and block to replay it.

use crate::common::*;
use codec::{Decode, Encode};
use ehr_primitives::{
	AccessLevel, AuditEvent, ConsentProvider, EmergencyReason, Purpose, RecordCategory, Scope,
	VisitKind,
};
use ehr_runtime::{
	Balances, Executive, Header, Runtime, RuntimeCall, RuntimeEvent, SignedPayload, System,
	UncheckedExtrinsic,
};
use frame_support::traits::Get;
use rand::{rngs::StdRng, seq::SliceRandom, Rng, SeedableRng};
use sp_core::{sr25519, Pair};
use sp_runtime::{
	generic::{Digest, DigestItem},
	traits::Header as _,
	AccountId32 as AccountId, MultiSignature,
};
use std::collections::BTreeMap;

const DEFAULT_SEED: u64 = 0x00e4_2026;
const DEFAULT_BLOCKS: u32 = 300;
/// With `EHR_LONG=1` (the test command's long runs).
const LONG_BLOCKS: u32 = 2_000;
const SLOT_MS: u64 = ehr_runtime::SLOT_DURATION;

type Consent = pallet_ehr_consent::Pallet<Runtime>;
type Records = pallet_ehr_records::Pallet<Runtime>;

/// The people of the test, by role.
struct People {
	hospitals: Vec<sr25519::Pair>,
	doctors: Vec<sr25519::Pair>,
	patients: Vec<sr25519::Pair>,
	strangers: Vec<sr25519::Pair>,
}

impl People {
	fn new() -> Self {
		let pairs = |role: &str, n: usize| -> Vec<sr25519::Pair> {
			(0..n)
				.map(|i| sr25519::Pair::from_string(&format!("//{role}{i}"), None).unwrap())
				.collect()
		};
		Self {
			// The `local` preset's hospitals.
			hospitals: ["//Alice", "//Bob", "//Charlie"]
				.iter()
				.map(|uri| sr25519::Pair::from_string(uri, None).unwrap())
				.collect(),
			doctors: pairs("doctor", 6),
			patients: pairs("patient", 8),
			strangers: pairs("stranger", 3),
		}
	}

	fn everyone(&self) -> Vec<&sr25519::Pair> {
		self.hospitals
			.iter()
			.chain(&self.doctors)
			.chain(&self.patients)
			.chain(&self.strangers)
			.collect()
	}
}

fn id(pair: &sr25519::Pair) -> AccountId {
	AccountId::from(pair.public())
}

fn sign(pair: &sr25519::Pair, call: RuntimeCall) -> UncheckedExtrinsic {
	let who = id(pair);
	let extension = ehr_runtime::tx_extension(System::account_nonce(&who), 0);
	let payload = SignedPayload::new(call.clone(), extension.clone()).expect("implicit data");
	let signature = MultiSignature::from(payload.using_encoded(|bytes| pair.sign(bytes)));
	UncheckedExtrinsic::new_signed(call, who.into(), signature, extension)
}

/// The chain under test: block production with real Aura slots and timestamps.
struct Chain {
	number: u32,
	parent: sp_core::H256,
	now: u64,
}

impl Chain {
	fn start_block(&mut self, advance_ms: u64) {
		self.number += 1;
		self.now += advance_ms.max(SLOT_MS) / SLOT_MS * SLOT_MS;
		let slot = sp_consensus_aura::Slot::from(self.now / SLOT_MS);
		let digest = Digest {
			logs: vec![DigestItem::PreRuntime(sp_consensus_aura::AURA_ENGINE_ID, slot.encode())],
		};
		Executive::initialize_block(&Header::new(
			self.number,
			Default::default(),
			Default::default(),
			self.parent,
			digest,
		));
		let timestamp =
			UncheckedExtrinsic::new_bare(RuntimeCall::Timestamp(pallet_timestamp::Call::set {
				now: self.now,
			}));
		Executive::apply_extrinsic(timestamp).unwrap().unwrap();
	}

	fn finalize_block(&mut self) {
		let header = Executive::finalize_block();
		self.parent = header.hash();
	}
}

fn cid(seed: u8) -> Vec<u8> {
	let mut cid = vec![0x01, 0x55, 0x12, 0x20];
	cid.extend([seed; 32]);
	cid
}

/// Random calls, valid and invalid, from every pallet a user can reach.
struct Generator<'a> {
	rng: StdRng,
	people: &'a People,
	now: u64,
	/// The signer of the transaction being made: most calls are what its role would send.
	me: AccountId,
}

impl<'a> Generator<'a> {
	fn pick<'p>(&mut self, from: &'p [sr25519::Pair]) -> &'p sr25519::Pair {
		from.choose(&mut self.rng).unwrap()
	}

	fn anyone(&mut self) -> AccountId {
		let everyone = self.people.everyone();
		id(everyone.choose(&mut self.rng).unwrap())
	}

	fn patient(&mut self) -> AccountId {
		let me_a_patient = self.people.patients.iter().any(|p| id(p) == self.me);
		if me_a_patient && self.rng.gen_bool(0.7) {
			return self.me.clone();
		}
		// A doctor mostly acts on patients who granted it.
		if self.rng.gen_bool(0.5) {
			let mine = Consent::patients_of(&self.me);
			if let Some(patient) = mine.choose(&mut self.rng) {
				return patient.clone();
			}
		}
		if self.rng.gen_bool(0.9) {
			id(self.pick(&self.people.patients))
		} else {
			self.anyone()
		}
	}

	fn category(&mut self) -> RecordCategory {
		*RecordCategory::ALL.choose(&mut self.rng).unwrap()
	}

	fn scope(&mut self) -> Scope {
		if self.rng.gen_bool(0.4) {
			Scope::All
		} else {
			let n = self.rng.gen_range(1..=3);
			let mut categories: Vec<_> = (0..n).map(|_| self.category()).collect();
			categories.sort();
			categories.dedup();
			Scope::Categories(categories.try_into().unwrap())
		}
	}

	fn bytes(&mut self, max: usize) -> Vec<u8> {
		let len = self.rng.gen_range(0..=max);
		(0..len).map(|_| self.rng.gen()).collect()
	}

	fn record(&mut self) -> u64 {
		// Mostly a record the signer holds a key for.
		if self.rng.gen_bool(0.6) {
			let held = Records::reader_records(&self.me, None);
			if let Some(entry) = held.choose(&mut self.rng) {
				return entry.id;
			}
		}
		let next = pallet_ehr_records::NextRecordId::<Runtime>::get();
		self.rng.gen_range(0..next + 2)
	}

	/// Mostly one of `patient`'s current grantees.
	fn grantee_of(&mut self, patient: &AccountId) -> AccountId {
		if self.rng.gen_bool(0.7) {
			let grants = Consent::grants_of(patient);
			if let Some((grantee, _)) = grants.choose(&mut self.rng) {
				return grantee.clone();
			}
		}
		if self.rng.gen_bool(0.6) {
			id(self.pick(&self.people.doctors))
		} else {
			self.anyone()
		}
	}

	fn appointment(&mut self) -> u64 {
		self.rng.gen_range(0..pallet_ehr_appointments::NextAppointmentId::<Runtime>::get() + 2)
	}

	fn slot(&mut self) -> u64 {
		self.rng.gen_range(0..pallet_ehr_appointments::NextSlotId::<Runtime>::get() + 2)
	}

	fn expiry(&mut self) -> Option<u64> {
		match self.rng.gen_range(0..4) {
			0 => None,
			1 => Some(self.now.saturating_sub(1_000)),
			_ => Some(self.now + self.rng.gen_range(1..6) * 60_000),
		}
	}

	fn wrapped_keys(
		&mut self,
		patient: &AccountId,
		category: RecordCategory,
	) -> pallet_ehr_records::ReaderKeysOf<Runtime> {
		let mut readers = vec![patient.clone()];
		// Mostly the patient's current readers of the category, sometimes anyone.
		for reader in Consent::readers(patient, category) {
			if reader != *patient && self.rng.gen_bool(0.8) {
				readers.push(reader);
			}
		}
		for _ in 0..self.rng.gen_range(0..2) {
			readers.push(self.anyone());
		}
		readers.truncate(32);
		if self.rng.gen_bool(0.1) {
			readers.push(patient.clone());
		}
		readers
			.into_iter()
			.map(|reader| {
				let len = if self.rng.gen_bool(0.9) { 80 } else { self.rng.gen_range(0..=128) };
				(reader, vec![self.rng.gen(); len].try_into().unwrap())
			})
			.collect::<Vec<_>>()
			.try_into()
			.unwrap()
	}

	fn ehr_call(&mut self) -> RuntimeCall {
		use pallet_ehr_appointments::Call as A;
		use pallet_ehr_consent::Call as C;
		use pallet_ehr_identity::Call as I;
		use pallet_ehr_records::Call as R;
		let text_len = if self.rng.gen_bool(0.9) { 16 } else { 300 };
		match self.rng.gen_range(0..30) {
			0 => RuntimeCall::Identity(I::set_hospital_name { name: self.bytes(text_len) }),
			1 => RuntimeCall::Identity(I::register_doctor {
				doctor: self.anyone(),
				name: self.bytes(text_len),
				specialty: self.bytes(16),
				licence: self.bytes(8),
			}),
			2 => RuntimeCall::Identity(I::suspend_doctor { doctor: self.anyone() }),
			3 => RuntimeCall::Identity(I::reinstate_doctor { doctor: self.anyone() }),
			4 => RuntimeCall::Identity(I::invite_patient { patient: self.anyone() }),
			5 => RuntimeCall::Identity(I::register_patient { encryption_key: self.rng.gen() }),
			6 if self.rng.gen_bool(0.5) => RuntimeCall::Identity(I::accept_doctor {
				hospital: id(self.pick(&self.people.hospitals)),
				encryption_key: self.rng.gen(),
			}),
			6 => RuntimeCall::Identity(I::set_encryption_key { key: self.rng.gen() }),
			7 => RuntimeCall::Identity(I::add_delegate { delegate: self.anyone() }),
			8 => RuntimeCall::Identity(I::remove_delegate { delegate: self.anyone() }),
			9 | 10 => RuntimeCall::Consent(C::grant_access {
				patient: self.patient(),
				grantee: if self.rng.gen_bool(0.6) {
					id(self.pick(&self.people.doctors))
				} else {
					self.anyone()
				},
				scope: self.scope(),
				access: if self.rng.gen() { AccessLevel::Read } else { AccessLevel::ReadWrite },
				expires_at: self.expiry(),
				purpose: Purpose::Treatment,
			}),
			11 => {
				let patient = self.patient();
				RuntimeCall::Consent(C::change_access {
					grantee: self.grantee_of(&patient),
					patient,
					scope: self.scope(),
					access: if self.rng.gen() { AccessLevel::Read } else { AccessLevel::ReadWrite },
					expires_at: self.expiry(),
					purpose: Purpose::Research,
				})
			}
			12 => {
				let patient = self.patient();
				RuntimeCall::Consent(C::revoke_access {
					grantee: self.grantee_of(&patient),
					patient,
				})
			}
			13 => RuntimeCall::Consent(C::open_emergency_access {
				patient: self.patient(),
				code: EmergencyReason::Unconscious,
				commitment: self.rng.gen_bool(0.5).then(|| self.rng.gen()),
			}),
			14 => RuntimeCall::Consent(C::close_emergency_access {
				patient: self.patient(),
				doctor: self.anyone(),
			}),
			15 => RuntimeCall::Consent(C::end_emergency_access {
				patient: self.patient(),
				doctor: self.anyone(),
			}),
			16 | 17 => RuntimeCall::Consent(C::log_access {
				patient: self.patient(),
				record: self.record(),
				category: self.category(),
			}),
			18 | 19 | 20 => {
				let patient = self.patient();
				let category = self.category();
				let cid = if self.rng.gen_bool(0.9) { cid(self.rng.gen()) } else { self.bytes(40) };
				RuntimeCall::Records(R::add_record {
					patient: patient.clone(),
					category,
					cid: cid.try_into().unwrap(),
					content_hash: self.rng.gen(),
					size: self.rng.gen_range(0..10_000),
					keys: self.wrapped_keys(&patient, category),
					escrow: None,
				})
			}
			21 => {
				let record = self.record();
				let (patient, category) = pallet_ehr_records::Records::<Runtime>::get(record)
					.map(|r| (r.patient, r.category))
					.unwrap_or_else(|| (self.patient(), self.category()));
				RuntimeCall::Records(R::amend_record {
					record,
					cid: cid(self.rng.gen()).try_into().unwrap(),
					content_hash: self.rng.gen(),
					size: 1 + self.rng.gen_range(0..10_000),
					keys: self.wrapped_keys(&patient, category),
					escrow: None,
				})
			}
			22 | 23 => {
				let n = self.rng.gen_range(1..4);
				let keys: Vec<_> = (0..n)
					.map(|_| (self.record(), vec![self.rng.gen(); 80].try_into().unwrap()))
					.collect();
				let patient = self.patient();
				RuntimeCall::Records(R::share_keys {
					reader: self.grantee_of(&patient),
					keys: keys.try_into().unwrap(),
				})
			}
			24 => {
				RuntimeCall::Records(R::remove_key { record: self.record(), reader: self.anyone() })
			}
			25 => RuntimeCall::Records(R::erase_record { record: self.record() }),
			26 => RuntimeCall::Appointments(A::publish_slot {
				start: self.now + self.rng.gen_range(0..3) * 3_600_000 + 60_000,
				duration_minutes: self.rng.gen_range(0..60),
				kind: VisitKind::InPerson,
			}),
			27 => RuntimeCall::Appointments(A::book { slot: self.slot(), reason: None }),
			28 => match self.rng.gen_range(0..5) {
				0 => RuntimeCall::Appointments(A::confirm { appointment: self.appointment() }),
				1 => RuntimeCall::Appointments(A::cancel { appointment: self.appointment() }),
				2 => RuntimeCall::Appointments(A::complete { appointment: self.appointment() }),
				3 => RuntimeCall::Appointments(A::mark_no_show { appointment: self.appointment() }),
				_ => RuntimeCall::Appointments(A::propose_reschedule {
					appointment: self.appointment(),
					new_slot: self.slot(),
				}),
			},
			_ => RuntimeCall::Appointments(A::answer_reschedule {
				appointment: self.appointment(),
				accept: self.rng.gen(),
			}),
		}
	}

	/// A call of any kind: mostly EHR calls, sometimes batches, derivative calls, remarks and
	/// transfers that must not be free.
	fn call(&mut self, depth: u32) -> RuntimeCall {
		match self.rng.gen_range(0..20) {
			0 if depth < 2 => {
				let n = self.rng.gen_range(1..5);
				let calls = (0..n).map(|_| self.call(depth + 1)).collect();
				if self.rng.gen() {
					RuntimeCall::Utility(pallet_utility::Call::batch { calls })
				} else {
					RuntimeCall::Utility(pallet_utility::Call::batch_all { calls })
				}
			}
			1 if depth < 2 => RuntimeCall::Utility(pallet_utility::Call::as_derivative {
				index: self.rng.gen(),
				call: Box::new(self.call(depth + 1)),
			}),
			2 => RuntimeCall::System(frame_system::Call::remark {
				remark: vec![0; self.rng.gen_range(0..100_000)],
			}),
			3 => RuntimeCall::Balances(pallet_balances::Call::transfer_allow_death {
				dest: self.anyone().into(),
				value: self.rng.gen_range(0..1_000_000_000_000),
			}),
			_ => self.ehr_call(),
		}
	}
}

/// What the invariants compare block to block.
#[derive(Default)]
struct Seen {
	trails: BTreeMap<AccountId, Vec<Vec<u8>>>,
}

fn pending_key_cleanup(patient: &AccountId, reader: &AccountId) -> bool {
	pallet_ehr_records::ReadersToClear::<Runtime>::contains_key(reader)
		|| pallet_ehr_records::KeysToReconcile::<Runtime>::contains_key(reader, patient)
		|| pallet_ehr_consent::Pallet::<Runtime>::cleanup_pending(patient, reader)
}

/// Whether a trail entry is explained by an event of the block.
fn explained(patient: &AccountId, event: &AuditEvent<AccountId>, events: &[RuntimeEvent]) -> bool {
	use pallet_ehr_consent::Event as C;
	use pallet_ehr_records::Event as R;
	events.iter().any(|e| match (event, e) {
		(
			AuditEvent::ConsentGranted { grantee, .. },
			RuntimeEvent::Consent(C::ConsentGranted { patient: p, grantee: g, .. }),
		)
		| (
			AuditEvent::ConsentChanged { grantee, .. },
			RuntimeEvent::Consent(C::ConsentChanged { patient: p, grantee: g, .. }),
		)
		| (
			AuditEvent::ConsentRevoked { grantee },
			RuntimeEvent::Consent(C::ConsentRevoked { patient: p, grantee: g, .. }),
		)
		| (
			AuditEvent::ConsentExpired { grantee },
			RuntimeEvent::Consent(C::ConsentExpired { patient: p, grantee: g }),
		) => p == patient && g == grantee,
		(
			AuditEvent::EmergencyAccessOpened { doctor, .. },
			RuntimeEvent::Consent(C::EmergencyAccessOpened { patient: p, doctor: d, .. }),
		)
		| (
			AuditEvent::EmergencyAccessClosed { doctor, .. },
			RuntimeEvent::Consent(C::EmergencyAccessClosed { patient: p, doctor: d, .. }),
		) => p == patient && d == doctor,
		(
			AuditEvent::RecordAccessed { record, .. },
			RuntimeEvent::Consent(C::AccessLogged { patient: p, record: r, .. }),
		) => p == patient && r == record,
		(
			AuditEvent::RecordAdded { record, .. },
			RuntimeEvent::Records(R::RecordAdded { record: r, patient: p, .. }),
		) => p == patient && r == record,
		(
			AuditEvent::RecordAmended { new_version, .. },
			RuntimeEvent::Records(R::RecordAmended { new_version: n, .. }),
		) => n == new_version,
		(
			AuditEvent::KeyShared { record, reader },
			RuntimeEvent::Records(R::KeyShared { record: r, reader: w }),
		) => r == record && w == reader,
		// Keys wrapped with a new version are trailed as shares of that version.
		(
			AuditEvent::KeyShared { record, .. },
			RuntimeEvent::Records(R::RecordAdded { record: r, .. }),
		)
		| (
			AuditEvent::KeyShared { record, .. },
			RuntimeEvent::Records(R::RecordAmended { new_version: r, .. }),
		) => r == record,
		(
			AuditEvent::KeyRemoved { record, reader },
			RuntimeEvent::Records(R::KeyRemoved { record: r, reader: w }),
		) => r == record && w == reader,
		(
			AuditEvent::KeyRemoved { reader, .. },
			RuntimeEvent::Records(R::SuspendedReaderKeysRemoved { reader: w, .. }),
		)
		| (
			AuditEvent::KeyRemoved { reader, .. },
			RuntimeEvent::Records(R::OutOfConsentKeysRemoved { reader: w, .. }),
		) => w == reader,
		(
			AuditEvent::RecordErased { record },
			RuntimeEvent::Records(R::RecordErased { record: r, patient: p, .. }),
		) => p == patient && r == record,
		(AuditEvent::Appointment { .. }, RuntimeEvent::Appointments(_)) => true,
		_ => false,
	})
}

/// The invariants, checked after every block. Returns the first violation.
fn check(seen: &mut Seen, issuance_before: u128, length: u32) -> Result<(), String> {
	let number = System::block_number();
	let events: Vec<RuntimeEvent> = System::events().into_iter().map(|r| r.event).collect();

	// Block weight and length within the limits of each class. (Mandatory work may exceed the
	// block: a session rotation claims the whole block in `pallet_session`, by design.)
	use frame_support::dispatch::DispatchClass;
	let limits = <Runtime as frame_system::Config>::BlockWeights::get();
	let weight = System::block_weight();
	for class in [DispatchClass::Normal, DispatchClass::Operational] {
		if let Some(max) = limits.get(class).max_total {
			if weight.get(class).any_gt(max) {
				return Err(format!("{class:?} weight {:?} beyond {max:?}", weight.get(class)));
			}
		}
	}
	let session_period = ehr_runtime::configs::SessionPeriod::get();
	if weight.get(DispatchClass::Mandatory).any_gt(limits.max_block) && number % session_period != 0
	{
		return Err(format!(
			"mandatory weight {weight:?} beyond the block outside a session change"
		));
	}
	let max_length =
		*<Runtime as frame_system::Config>::BlockLength::get().max.get(DispatchClass::Normal);
	if length > max_length {
		return Err(format!("block length {length} beyond {max_length}"));
	}

	// Every project pallet's own invariants: what its `try_state` hook checks on a live chain.
	type TryState = fn() -> Result<(), sp_runtime::TryRuntimeError>;
	let pallets: [(&str, TryState); 8] = [
		("consortium", pallet_consortium::Pallet::<Runtime>::do_try_state),
		("fee-quota", pallet_fee_quota::Pallet::<Runtime>::do_try_state),
		("identity", pallet_ehr_identity::Pallet::<Runtime>::do_try_state),
		("consent", pallet_ehr_consent::Pallet::<Runtime>::do_try_state),
		("records", pallet_ehr_records::Pallet::<Runtime>::do_try_state),
		("escrow", pallet_ehr_escrow::Pallet::<Runtime>::do_try_state),
		("appointments", pallet_ehr_appointments::Pallet::<Runtime>::do_try_state),
		("messages", pallet_ehr_messages::Pallet::<Runtime>::do_try_state),
	];
	for (pallet, try_state) in pallets {
		try_state().map_err(|error| format!("the {pallet} pallet's invariants: {error:?}"))?;
	}

	// Every stored wrapped key belongs to a reader who may read the record now (or whose keys
	// are queued for removal), and only live records have keys. Not a pallet invariant, so it
	// stays here: it needs the consent pallet's `cleanup_pending`, and it is false for a few
	// blocks after a hospital leaves (its doctors are refused at once, but their keys are
	// queued only when the identity pallet's `on_idle` suspends them, a few per block). The
	// random calls here never make a hospital leave.
	for (record, reader, _) in pallet_ehr_records::WrappedKeys::<Runtime>::iter() {
		let Some(stored) = pallet_ehr_records::Records::<Runtime>::get(record) else {
			return Err(format!("a key to the unknown record {record}"));
		};
		if stored.erased {
			return Err(format!("a key to the erased record {record}"));
		}
		let patient = stored.patient;
		let may_read = reader == patient
			|| Consent::may_access(&reader, &patient, stored.category, AccessLevel::Read);
		if !may_read && !pending_key_cleanup(&patient, &reader) {
			return Err(format!("{reader} holds a key to record {record} without consent"));
		}
	}

	// Trails only grow; every new entry is of this block and explained by one of its events.
	for (patient, length) in pallet_ehr_consent::TrailLength::<Runtime>::iter() {
		let old = seen.trails.entry(patient.clone()).or_default();
		if (length as usize) < old.len() {
			return Err(format!("the trail of {patient} shrank"));
		}
		for (index, entry) in old.iter().enumerate() {
			let now = pallet_ehr_consent::Trail::<Runtime>::get(&patient, index as u64)
				.map(|e| e.encode());
			if now.as_ref() != Some(entry) {
				return Err(format!("entry {index} of the trail of {patient} changed"));
			}
		}
		for index in old.len() as u64..length {
			let entry = pallet_ehr_consent::Trail::<Runtime>::get(&patient, index)
				.ok_or_else(|| format!("entry {index} of {patient} missing"))?;
			if entry.block != number {
				return Err(format!("entry {index} of {patient} is dated block {}", entry.block));
			}
			if !explained(&patient, &entry.event, &events) {
				return Err(format!("entry {index} of {patient} has no event: {:?}", entry.event));
			}
			old.push(entry.encode());
		}
	}

	// Free budgets never go below zero.
	let ref_time: u64 = <Runtime as pallet_fee_quota::Config>::FreeRefTimePerPeriod::get();
	let bytes: u32 = <Runtime as pallet_fee_quota::Config>::FreeBytesPerPeriod::get();
	for (who, usage) in pallet_fee_quota::Usage::<Runtime>::iter() {
		if usage.ref_time > ref_time || usage.bytes > bytes {
			return Err(format!("{who} used more than its budget: {usage:?}"));
		}
	}

	// Total issuance changes only by the fees paid (burned) and dust removed.
	let mut burned = 0u128;
	for event in &events {
		match event {
			RuntimeEvent::TransactionPayment(
				pallet_transaction_payment::Event::TransactionFeePaid { actual_fee, .. },
			) => burned += actual_fee,
			RuntimeEvent::Balances(pallet_balances::Event::DustLost { amount, .. }) => {
				burned += amount
			}
			_ => {}
		}
	}
	let issuance = Balances::total_issuance();
	if issuance_before.checked_sub(burned) != Some(issuance) {
		return Err(format!(
			"issuance went from {issuance_before} to {issuance}, fees and dust were {burned}"
		));
	}
	Ok(())
}

#[test]
fn random_transactions_never_break_the_invariants() {
	let seed =
		std::env::var("EHR_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(DEFAULT_SEED);
	let blocks = std::env::var("EHR_FUZZ_BLOCKS").ok().and_then(|s| s.parse().ok()).unwrap_or(
		if std::env::var_os("EHR_LONG").is_some() { LONG_BLOCKS } else { DEFAULT_BLOCKS },
	);
	let people = People::new();
	let mut ext = ext_from_preset(LOCAL);
	ext.execute_with(|| {
		// Fund the strangers, so that paid paths (and their fees) are exercised too.
		for stranger in &people.strangers {
			let _ = <Balances as frame_support::traits::fungible::Mutate<AccountId>>::mint_into(
				&id(stranger),
				1_000 * ehr_runtime::UNIT,
			);
		}
		// No waiting time for new doctors, so that random break-glass accesses are opened (the
		// wait itself is tested in `consent_attacks`); the hospitals' daily limit stays.
		pallet_ehr_consent::Policy::<Runtime>::mutate(|policy| policy.new_doctor_wait = 0);
		let mut chain = Chain { number: 0, parent: Default::default(), now: 1_800_000_000_000 };
		let mut seen = Seen::default();

		// Block 1: the hospitals verify doctors and invite patients, who register.
		chain.start_block(SLOT_MS);
		for (i, doctor) in people.doctors.iter().enumerate() {
			let hospital = &people.hospitals[i % people.hospitals.len()];
			let call = RuntimeCall::Identity(pallet_ehr_identity::Call::register_doctor {
				doctor: id(doctor),
				name: b"Dr.".to_vec(),
				specialty: b"general".to_vec(),
				licence: b"L".to_vec(),
			});
			assert_eq!(Executive::apply_extrinsic(sign(hospital, call)), Ok(Ok(())));
			let accept = RuntimeCall::Identity(pallet_ehr_identity::Call::accept_doctor {
				hospital: id(hospital),
				encryption_key: [i as u8 + 1; 32],
			});
			assert_eq!(Executive::apply_extrinsic(sign(doctor, accept)), Ok(Ok(())));
		}
		for (i, patient) in people.patients.iter().enumerate() {
			let invite = RuntimeCall::Identity(pallet_ehr_identity::Call::invite_patient {
				patient: id(patient),
			});
			assert_eq!(Executive::apply_extrinsic(sign(&people.hospitals[0], invite)), Ok(Ok(())));
			let register = RuntimeCall::Identity(pallet_ehr_identity::Call::register_patient {
				encryption_key: [100 + i as u8; 32],
			});
			assert_eq!(Executive::apply_extrinsic(sign(patient, register)), Ok(Ok(())));
		}
		chain.finalize_block();

		let mut generator = Generator {
			rng: StdRng::seed_from_u64(seed),
			people: &people,
			now: chain.now,
			me: id(&people.patients[0]),
		};
		let (mut included, mut failed, mut refused) = (0u32, 0u32, 0u32);
		for _ in 0..blocks {
			// Mostly one slot later; now and then hours later, so that grants and accesses expire.
			let advance = if generator.rng.gen_bool(0.05) {
				generator.rng.gen_range(1..30) * 600_000
			} else {
				SLOT_MS
			};
			let issuance_before = Balances::total_issuance();
			chain.start_block(advance);
			generator.now = chain.now;
			let mut length = 0u32;
			for _ in 0..generator.rng.gen_range(1..30) {
				let everyone = people.everyone();
				let signer = *everyone.choose(&mut generator.rng).unwrap();
				generator.me = id(signer);
				let extrinsic = sign(signer, generator.call(0));
				let size = extrinsic.encoded_size() as u32;
				match Executive::apply_extrinsic(extrinsic) {
					Ok(Ok(())) => included += 1,
					Ok(Err(_)) => failed += 1,
					Err(_) => {
						refused += 1;
						continue;
					}
				}
				length += size;
			}
			// Oversized lists never decode: a `share_keys` one key beyond the bound.
			let limit: u32 = <Runtime as pallet_ehr_records::Config>::MaxKeysPerShare::get();
			let mut raw = vec![32u8, 2];
			(
				id(&people.doctors[0]),
				(0..=limit as u64).map(|r| (r, vec![1u8; 80])).collect::<Vec<_>>(),
			)
				.encode_to(&mut raw);
			assert!(RuntimeCall::decode(&mut raw.as_slice()).is_err());

			chain.finalize_block();
			if let Err(violation) = check(&mut seen, issuance_before, length) {
				panic!(
					"invariant violated at block {} (seed {seed}; replay with EHR_FUZZ_SEED={seed} \
					 EHR_FUZZ_BLOCKS={blocks}): {violation}",
					chain.number
				);
			}
		}
		println!(
			"seed {seed}: {blocks} blocks, {included} transactions included, {failed} failed in \
			 the call, {refused} refused"
		);
		// The run exercised the chain: some transactions went through, some were refused.
		assert!(included > blocks && refused > 0 && failed > 0);
	});
}
