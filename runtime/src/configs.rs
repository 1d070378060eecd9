//! Configuration of each pallet of the runtime.

use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{
		ConstBool, ConstU128, ConstU32, ConstU64, ConstU8, Contains, ContainsPair, EitherOfDiverse,
		VariantCountOf,
	},
	weights::{
		constants::{WEIGHT_REF_TIME_PER_MILLIS, WEIGHT_REF_TIME_PER_SECOND},
		IdentityFee, Weight,
	},
};
use frame_system::{
	limits::{BlockLength, BlockWeights},
	EnsureRoot,
};
use pallet_transaction_payment::{ConstFeeMultiplier, FungibleAdapter, Multiplier};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::{
	traits::{ConvertInto, One, OpaqueKeys},
	Perbill,
};
use sp_version::RuntimeVersion;

use super::{
	AccountId, Appointments, Aura, Balance, Balances, Block, BlockNumber, Consent, Consortium,
	Escrow, Hash, HospitalCouncil, Hospitals, Identity, Nonce, OriginCaller, PalletInfo, Records,
	Runtime, RuntimeCall, RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason, RuntimeOrigin,
	RuntimeTask, SessionKeys, System, Timestamp, BLOCK_COMPUTE_MILLIS, DAYS, EXISTENTIAL_DEPOSIT,
	HOURS, MINUTES, SLOT_DURATION, VERSION,
};

const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

parameter_types! {
	pub const BlockHashCount: BlockNumber = 2400;
	pub const Version: RuntimeVersion = VERSION;
	/// A third of the block time in compute (`BLOCK_COMPUTE_MILLIS`).
	pub RuntimeBlockWeights: BlockWeights = BlockWeights::with_sensible_defaults(
		Weight::from_parts(BLOCK_COMPUTE_MILLIS * WEIGHT_REF_TIME_PER_MILLIS, u64::MAX),
		NORMAL_DISPATCH_RATIO,
	);
	/// 5 MiB blocks, of which normal transactions may fill 75 %.
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(5 * 1024 * 1024)
		.modify_max_length_for_class(DispatchClass::Normal, |max| {
			*max = NORMAL_DISPATCH_RATIO * *max
		})
		.build();
	pub const SS58Prefix: u8 = 42;
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	// The node stores its state in parity-db: its read and write costs as `scripts/benchmark.sh`
	// measures them (RocksDB's conservative figures until it has).
	type DbWeight = crate::weights::ParityDbWeight;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
}

impl pallet_timestamp::Config for Runtime {
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = ();
}

impl pallet_balances::Config for Runtime {
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ();
	type ReserveIdentifier = [u8; 8];
	type Balance = Balance;
	type RuntimeEvent = RuntimeEvent;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type DoneSlashHandler = ();
}

parameter_types! {
	pub FeeMultiplier: Multiplier = Multiplier::one();
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type OnChargeTransaction = FungibleAdapter<Balances, ()>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = IdentityFee<Balance>;
	type LengthToFee = IdentityFee<Balance>;
	type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}

/// Accounts that use the chain without tokens: member hospitals, validators, doctors, patients,
/// accounts a hospital invited to register or offered a doctor's role, and the custodians the
/// hospitals named (each with a budget of its own, not its hospital's).
pub type RegisteredAccounts = (Hospitals, Consortium, Identity, Escrow);

/// The calls a registered account may make for free (within its budget): the EHR pallets, the
/// council's work for member hospitals (whose votes are operational-class), session keys for
/// validators, and batches of only such calls. Everything else is charged: remarks, token
/// transfers, `Utility.as_derivative` and `dispatch_as` (they would let one account act for
/// many), and council or session calls by anyone else.
pub struct FreeCalls;
impl FreeCalls {
	/// Batches nest at most this deep to stay free (`Utility` itself caps the nesting).
	const MAX_DEPTH: u32 = 2;

	fn allowed(who: &AccountId, call: &RuntimeCall, depth: u32) -> bool {
		// A hospital's custodian account releases shares and cleans up, and nothing else, for
		// free.
		if pallet_ehr_escrow::CustodianOf::<Runtime>::contains_key(who) {
			return matches!(
				call,
				RuntimeCall::Escrow(
					pallet_ehr_escrow::Call::release_shares { .. }
						| pallet_ehr_escrow::Call::clear_released { .. }
				)
			);
		}
		match call {
			RuntimeCall::Identity(_)
			| RuntimeCall::Consent(_)
			| RuntimeCall::Records(_)
			| RuntimeCall::Escrow(_)
			| RuntimeCall::Appointments(_)
			| RuntimeCall::Messages(_) => true,
			RuntimeCall::HospitalCouncil(
				pallet_collective::Call::propose { .. }
				| pallet_collective::Call::vote { .. }
				| pallet_collective::Call::close { .. },
			) => Hospitals::contains(who),
			RuntimeCall::Session(
				pallet_session::Call::set_keys { .. } | pallet_session::Call::purge_keys { .. },
			) => Consortium::contains(who),
			RuntimeCall::Utility(
				pallet_utility::Call::batch { calls }
				| pallet_utility::Call::batch_all { calls }
				| pallet_utility::Call::force_batch { calls },
			) => {
				depth < Self::MAX_DEPTH
					&& calls.iter().all(|call| Self::allowed(who, call, depth + 1))
			}
			_ => false,
		}
	}
}
impl ContainsPair<AccountId, RuntimeCall> for FreeCalls {
	fn contains(who: &AccountId, call: &RuntimeCall) -> bool {
		Self::allowed(who, call, 0)
	}
}

/// Calls by which a registered patient protects its own data: withdrawing a grant, ending an
/// emergency access, opting out of break-glass, removing a delegate, removing a reader's key and
/// erasing a record. They are free within the patient's budget even when the patient has no
/// free use otherwise (its inviting hospital left the consortium, or it registered paying), so
/// that nobody needs tokens to take back access. Acting for another patient (as a delegate) is
/// not covered: the delegate's own standing decides.
pub struct ProtectiveCalls;
impl ContainsPair<AccountId, RuntimeCall> for ProtectiveCalls {
	fn contains(who: &AccountId, call: &RuntimeCall) -> bool {
		use pallet_ehr_consent::Call as Consent;
		let own = |patient: &AccountId| patient == who;
		let protective = match call {
			RuntimeCall::Consent(
				Consent::revoke_access { patient, .. }
				| Consent::end_emergency_access { patient, .. },
			) => own(patient),
			RuntimeCall::Escrow(pallet_ehr_escrow::Call::set_emergency_categories {
				patient,
				categories,
			}) => own(patient) && categories.is_empty(),
			RuntimeCall::Identity(pallet_ehr_identity::Call::remove_delegate { .. })
			| RuntimeCall::Records(
				pallet_ehr_records::Call::remove_key { .. }
				| pallet_ehr_records::Call::erase_record { .. },
			) => true,
			_ => false,
		};
		protective && pallet_ehr_identity::Patients::<Runtime>::contains_key(who)
	}
}

/// The one call that costs no budget when it succeeds (it reports `Pays::No` only then): a
/// release of shares, which succeeds only for the releasing account of a committee hospital (its
/// named custodian, or its admin key if it named none) and an open emergency access, once per
/// hospital, access and category: doctors opening and closing emergency accesses cannot starve
/// the releases, and the releases are bounded by the accesses the break-glass policy allows.
/// Alone, not in a batch. A council member's first vote on a motion, which the council also
/// makes `Pays::No`, spends the hospital's budget as every other call does.
pub struct Unmetered;
impl ContainsPair<AccountId, RuntimeCall> for Unmetered {
	fn contains(_who: &AccountId, call: &RuntimeCall) -> bool {
		matches!(call, RuntimeCall::Escrow(pallet_ehr_escrow::Call::release_shares { .. }))
	}
}

parameter_types! {
	pub const QuotaPeriod: BlockNumber = HOURS;
}

impl pallet_fee_quota::Config for Runtime {
	type IsRegistered = RegisteredAccounts;
	type FreeCalls = FreeCalls;
	type ProtectiveCalls = ProtectiveCalls;
	type Unmetered = Unmetered;
	type Period = QuotaPeriod;
	/// Half a second of execution time an hour: hundreds of ordinary EHR transactions (an
	/// active doctor's hour), while 900 s of normal-class weight an hour (1,200 blocks) would
	/// take 1,800 registered accounts spending everything to fill every block.
	type FreeRefTimePerPeriod = ConstU64<{ WEIGHT_REF_TIME_PER_SECOND / 2 }>;
	/// 256 KiB an hour: records, keys and grants are small; the 2.25 GiB of normal-class
	/// block space an hour would take 9,000 accounts.
	type FreeBytesPerPeriod = ConstU32<{ 256 * 1024 }>;
	/// A client may queue a few transactions without waiting for each.
	type MaxPendingFree = ConstU32<8>;
	/// Free transactions take at most 90 % of a block's normal-class time (0.675 s of 0.75 s):
	/// paid transactions go first ([`pallet_fee_quota::PAID_FIRST`]) and always find the
	/// remaining tenth, whoever floods the pool with free work.
	type MaxFreeRefTimePerBlock =
		ConstU64<{ BLOCK_COMPUTE_MILLIS * WEIGHT_REF_TIME_PER_MILLIS * 3 / 4 * 9 / 10 }>;

	type WeightInfo = pallet_fee_quota::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmark_helpers::Helper;
}

/// The collective of member hospitals.
pub type HospitalCollective = pallet_collective::Instance1;

/// At least two thirds of the member hospitals (or `Root`, which only such a vote reaches).
///
/// Every decision that can lead to `Root` needs it: the membership (a smaller majority could
/// remove the other hospitals, add its own, then pass anything), the validator set, and `Root`
/// itself (`Consortium.dispatch_as_root`, e.g. a runtime upgrade). The council's origin for a
/// motion is "ayes of members", so the proportion counts the ayes, never the abstentions (see
/// [`AbstentionsAreNays`]).
pub type TwoThirdsOfHospitals = EitherOfDiverse<
	EnsureRoot<AccountId>,
	pallet_collective::EnsureProportionAtLeast<AccountId, HospitalCollective, 2, 3>,
>;

/// How the hospitals' council counts the members who did not vote when a motion is closed after
/// its voting period: as nays, always.
///
/// A motion then passes only with as many ayes as its threshold, and it executes with the
/// origin "ayes of members". Neither a majority of the voters nor the prime member votes for
/// those who abstained, unlike pallet-collective's `MoreThanMajorityThenPrimeDefaultVote` (which
/// would let three of five, or a prime alone, pass a motion asking for four of five) and
/// `PrimeDefaultVote` (a prime alone). The prime member has no say in the council's counting.
pub struct AbstentionsAreNays;

impl pallet_collective::DefaultVote for AbstentionsAreNays {
	fn default_vote(
		_prime_vote: Option<bool>,
		_yes_votes: pallet_collective::MemberCount,
		_no_votes: pallet_collective::MemberCount,
		_len: pallet_collective::MemberCount,
	) -> bool {
		false
	}
}

parameter_types! {
	pub const MaxHospitals: u32 = 64;
	pub const MotionDuration: BlockNumber = 7 * DAYS;
	pub MaxProposalWeight: Weight = Perbill::from_percent(50) * RuntimeBlockWeights::get().max_block;
}

impl pallet_collective::Config<HospitalCollective> for Runtime {
	type RuntimeOrigin = RuntimeOrigin;
	type Proposal = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type MotionDuration = MotionDuration;
	type MaxProposals = ConstU32<100>;
	type MaxMembers = MaxHospitals;
	type DefaultVote = AbstentionsAreNays;
	type WeightInfo = pallet_collective::weights::SubstrateWeight<Runtime>;
	// Members change only through `Hospitals` (the membership pallet).
	type SetMembersOrigin = EnsureRoot<AccountId>;
	type MaxProposalWeight = MaxProposalWeight;
	type DisapproveOrigin = EnsureRoot<AccountId>;
	type KillOrigin = EnsureRoot<AccountId>;
	type Consideration = ();
}

impl pallet_membership::Config<pallet_membership::Instance1> for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type AddOrigin = TwoThirdsOfHospitals;
	type RemoveOrigin = TwoThirdsOfHospitals;
	type SwapOrigin = TwoThirdsOfHospitals;
	type ResetOrigin = TwoThirdsOfHospitals;
	type PrimeOrigin = TwoThirdsOfHospitals;
	type MembershipInitialized = pallet_consortium::KeepMembersAlive<Runtime, HospitalCouncil>;
	// A hospital that leaves loses its vote at once, and its doctors are suspended.
	type MembershipChanged = pallet_consortium::KeepMembersAlive<
		Runtime,
		pallet_ehr_identity::SuspendDoctorsOfLeavers<Runtime, HospitalCouncil>,
	>;
	type MaxMembers = MaxHospitals;
	type WeightInfo = pallet_membership::weights::SubstrateWeight<Runtime>;
}

impl pallet_consortium::Config for Runtime {
	type RuntimeCall = RuntimeCall;
	type ValidatorOrigin = TwoThirdsOfHospitals;
	type RootOrigin = TwoThirdsOfHospitals;
	type MaxValidators = ConstU32<32>;
	type MinValidators = ConstU32<1>;
	type WeightInfo = pallet_consortium::weights::SubstrateWeight<Runtime>;
}

parameter_types! {
	pub const SessionPeriod: BlockNumber = 10 * MINUTES;
	pub const SessionOffset: BlockNumber = 0;
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = pallet_session::PeriodicSessions<SessionPeriod, SessionOffset>;
	type NextSessionRotation = pallet_session::PeriodicSessions<SessionPeriod, SessionOffset>;
	type SessionManager = Consortium;
	type SessionHandler = <SessionKeys as OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	type DisablingStrategy = ();
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type KeyDeposit = ConstU128<0>;
}

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<32>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<32>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

impl pallet_ehr_identity::Config for Runtime {
	// A suspended doctor loses its wrapped record keys.
	type OnSuspended = Records;
	type MaxSuspensionsPerBlock = ConstU32<64>;
	/// Each unused invitation is an account that transacts for free.
	type MaxOpenInvitations = ConstU32<1024>;
	/// A hospital makes at most 5,000 invitations, doctor offers and take-overs a day (used,
	/// withdrawn or open): a large hospital group registers a few hundred new patients a
	/// day, and a vaccination or screening campaign a few thousand; every one is an account
	/// that transacts for free, so the hospitals lower it by vote if one mints accounts.
	type DefaultInviteesPerPeriod = ConstU32<5_000>;
	// A custodian account is never made a patient or a doctor.
	type Custodians = pallet_ehr_escrow::AnyCustodian<Runtime>;
	type InvitationPeriod = ConstU32<DAYS>;
	type Hospitals = Hospitals;
	type MaxTextLength = ConstU32<128>;
	type MaxDelegates = ConstU32<8>;
	type WeightInfo = pallet_ehr_identity::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmark_helpers::Helper;
}

impl pallet_ehr_consent::Config for Runtime {
	type Identity = Identity;
	type Clock = Timestamp;
	// A reader who loses consent loses its wrapped record keys with it.
	type OnAccessEnded = Records;
	// `log_access` checks the record it names against the records pallet.
	type Records = Records;
	type MaxGrantsPerPatient = ConstU32<64>;
	/// Break-glass access lasts one day unless the hospital closes it earlier.
	type EmergencyAccessDuration = ConstU64<{ 24 * 60 * 60 * 1000 }>;
	/// A doctor has at most 8 break-glass accesses open, and opens at most 16 a day.
	type MaxOpenEmergencyAccesses = ConstU32<8>;
	type MaxEmergencyAccessesPerDay = ConstU32<16>;
	/// The break-glass policy is the hospitals' decision (two thirds), as the escrow committee.
	type PolicyOrigin = TwoThirdsOfHospitals;
	/// A doctor breaks glass from 24 hours after it accepted its hospital's offer (28,800
	/// blocks of 3 s): a hospital cannot create doctors and read through them the same day.
	type DefaultNewDoctorWait = ConstU32<DAYS>;
	/// One hospital's doctors open at most 50 emergency accesses a day together: a large
	/// emergency department (about 300 visits a day) sees perhaps 15 to 30 patients who cannot
	/// consent (trauma, stroke, arrest, sedation), and 50 leaves room for a mass-casualty day
	/// without allowing bulk reading. The hospitals raise it by vote in a disaster.
	type DefaultHospitalEmergenciesPerDay = ConstU32<50>;
	/// The expiry clean-up of one block: at most 32 grants or emergency accesses and 256 record
	/// keys (about 140 ms of the 2 s block with the measured weights); the rest carries over.
	type MaxExpiriesPerBlock = ConstU32<32>;
	type MaxExpiredKeysPerBlock = ConstU32<256>;
	/// A reader logs at most 60 reads of one patient an hour.
	type AccessLogPeriod = ConstU64<{ 60 * 60 * 1000 }>;
	type MaxAccessLogsPerPeriod = ConstU32<60>;
	/// An account makes at most 64 settings changes an hour (grants, changes, emergency
	/// categories chosen), each a permanent trail entry written without tokens; revoking and
	/// opting out are never held back.
	type MaxSettingsChangesPerPeriod = ConstU32<64>;
	// The shares released for an emergency access go once it ends.
	type OnEmergencyClosed = Escrow;
	type WeightInfo = pallet_ehr_consent::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmark_helpers::Helper;
}

impl pallet_ehr_records::Config for Runtime {
	type Identity = Identity;
	type Consent = Consent;
	type Clock = Timestamp;
	/// A CIDv1 with a 64-byte digest (e.g. sha2-512, blake2b-512) and large codec codes fits.
	type MaxCidLength = ConstU32<96>;
	/// The client's X25519 + ChaCha20-Poly1305 stanza is 32 + 32 + 16 bytes; room to evolve.
	type MaxWrappedKeyLength = ConstU32<128>;
	type MaxReadersPerRecord = ConstU32<32>;
	type MaxRecordsPerPatient = ConstU32<1024>;
	type MaxVersions = ConstU32<16>;
	/// A grant shares the keys in scope in batches of this many.
	type MaxKeysPerShare = ConstU32<64>;
	// An erased record's escrowed shares go with it.
	type OnErased = Escrow;
	// An upload's escrow shares, in the call that adds the record, with `escrow_key`'s checks.
	type KeyEscrow = Escrow;
	type WeightInfo = pallet_ehr_records::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmark_helpers::Helper;
}

impl pallet_ehr_appointments::Config for Runtime {
	type Identity = Identity;
	type Consent = Consent;
	type Clock = Timestamp;
	/// About a month of half-hour slots at 8 a day.
	type MaxSlotsPerDoctor = ConstU32<256>;
	type MaxOpenAppointmentsPerPatient = ConstU32<16>;
	type MaxSlotMinutes = ConstU32<480>;
	/// Booking, confirmation, the end, and up to six reschedules answered.
	type MaxHistory = ConstU32<16>;
	type MaxCidLength = ConstU32<96>;
	/// A week of three eight-hour shifts with two doctors each, and room to spare.
	type MaxShifts = ConstU32<64>;
	/// A doctor on call sees one patient at a time; a few open visits while notes are written.
	type MaxOnCallVisitsPerDoctor = ConstU32<4>;
	type AnswerSignature = super::Signature;
	type AnswerSigner = <super::Signature as sp_runtime::traits::Verify>::Signer;
	type WeightInfo = pallet_ehr_appointments::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmark_helpers::Helper;
}

/// Messages and alerts between patients and the doctors who care for them: a current grant to
/// the doctor or its hospital, or an open appointment.
impl pallet_ehr_messages::Config for Runtime {
	type Identity = Identity;
	type Care = (Consent, Appointments);
	type Clock = Timestamp;
	type MaxCidLength = ConstU32<96>;
	type MaxWrappedKeyLength = ConstU32<128>;
	/// A message of a few pages: 64 KiB of envelope.
	type MaxMessageSize = ConstU32<{ 64 * 1024 }>;
	/// A recipient keeps the newest 16 messages of each sender, from at most 256 senders (a
	/// doctor's patients writing at once): at most 4,096 messages, about 1.5 MB, per inbox.
	type MaxKeptPerSender = ConstU32<16>;
	type MaxSendersPerInbox = ConstU32<256>;
	/// A full inbox lets a sender whose newest message is a month old make way for a new one.
	type MessageLifetime = ConstU64<{ 30 * 24 * 60 * 60 * 1000 }>;
	type MaxRemove = ConstU32<64>;
	type WeightInfo = pallet_ehr_messages::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmark_helpers::Helper;
}

/// Break-glass: record keys of the categories each patient chose, split `t`-of-`n` among the
/// escrow committee that two thirds of the hospitals name.
impl pallet_ehr_escrow::Config for Runtime {
	type Identity = Identity;
	type Consent = Consent;
	type Emergency = Consent;
	type Records = Records;
	type CommitteeOrigin = TwoThirdsOfHospitals;
	/// Share identifiers are bytes; a consortium's committee is a handful of hospitals.
	type MaxCommittee = ConstU32<16>;
	/// A custodian releases up to this many records of one patient per transaction (a larger
	/// history takes several).
	type MaxReleasePerCall = ConstU32<64>;
	type WeightInfo = pallet_ehr_escrow::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = benchmark_helpers::Helper;
}

/// Batches: a patient's client grants access and shares record keys in one atomic call.
impl pallet_utility::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type PalletsOrigin = OriginCaller;
	type WeightInfo = pallet_utility::weights::SubstrateWeight<Runtime>;
}

#[cfg(feature = "runtime-benchmarks")]
mod benchmark_helpers {
	use super::*;

	/// Makes hospitals, doctors and patients for the benchmarks.
	pub struct Helper;

	impl pallet_fee_quota::BenchmarkHelper<AccountId, RuntimeCall> for Helper {
		/// A patient whose inviting hospital left: [`RegisteredAccounts`] looks through the
		/// hospitals, the validators, the doctors, the patient's invitation (and its hospital's
		/// membership), open invitations, doctor offers and custodians and finds nothing; then
		/// [`ProtectiveCalls`] finds the patient withdrawing a grant. Every storage item that
		/// [`pallet_fee_quota::Pallet::eligible`] can read is read on this path.
		fn register(who: &AccountId) {
			let hospital: AccountId = frame_benchmarking::account("hospital", 0, 0);
			<Helper as pallet_ehr_identity::BenchmarkHelper<AccountId>>::make_hospital(&hospital);
			Identity::invite_patient(RuntimeOrigin::signed(hospital.clone()), who.clone())
				.expect("a member hospital invites a new account");
			Identity::register_patient(RuntimeOrigin::signed(who.clone()), [5; 32])
				.expect("the invited account registers");
			pallet_membership::Pallet::<Runtime, pallet_membership::Instance1>::remove_member(
				frame_system::RawOrigin::Root.into(),
				hospital.into(),
			)
			.expect("the hospital leaves");
			assert!(!<RegisteredAccounts as Contains<AccountId>>::contains(who));
		}

		fn free_call(who: &AccountId) -> RuntimeCall {
			RuntimeCall::Consent(pallet_ehr_consent::Call::revoke_access {
				patient: who.clone(),
				grantee: frame_benchmarking::account("grantee", 0, 0),
			})
		}
	}

	impl pallet_ehr_identity::BenchmarkHelper<AccountId> for Helper {
		fn make_hospital(who: &AccountId) {
			let _ = pallet_membership::Pallet::<Runtime, pallet_membership::Instance1>::add_member(
				frame_system::RawOrigin::Root.into(),
				who.clone().into(),
			);
		}
	}

	impl pallet_ehr_consent::BenchmarkHelper<AccountId> for Helper {
		fn register_patient(who: &AccountId) {
			let _ = Identity::register_patient(RuntimeOrigin::signed(who.clone()), [5; 32]);
		}

		fn register_doctor(who: &AccountId) {
			let hospital: AccountId = frame_benchmarking::account("hospital", 0, 0);
			<Helper as pallet_ehr_identity::BenchmarkHelper<AccountId>>::make_hospital(&hospital);
			let _ = Identity::register_doctor(
				RuntimeOrigin::signed(hospital.clone()),
				who.clone(),
				b"Dr.".to_vec(),
				b"general".to_vec(),
				b"L".to_vec(),
			);
			let _ = Identity::accept_doctor(RuntimeOrigin::signed(who.clone()), hospital, [7; 32]);
		}

		fn set_time(now: u64) {
			// Straight to storage: `set_timestamp` would also move Aura's slot, which must not
			// go back within a block.
			pallet_timestamp::Now::<Runtime>::put(now);
		}

		fn add_record(
			patient: &AccountId,
			category: ehr_primitives::RecordCategory,
		) -> ehr_primitives::RecordId {
			let id = pallet_ehr_records::NextRecordId::<Runtime>::get();
			// A CIDv1 (raw, sha2-256) and the patient's own wrapped key.
			let mut cid = alloc::vec![0x01, 0x55, 0x12, 0x20];
			cid.extend([id as u8; 32]);
			let _ = Records::add_record(
				RuntimeOrigin::signed(patient.clone()),
				patient.clone(),
				category,
				cid.try_into().expect("36 bytes fit the CID bound"),
				[1; 32],
				1,
				alloc::vec![(
					patient.clone(),
					alloc::vec![7; 80].try_into().expect("80 bytes fit the key bound"),
				)]
				.try_into()
				.expect("one key fits the reader bound"),
				None,
			);
			id
		}
	}

	impl pallet_ehr_records::BenchmarkHelper<AccountId> for Helper {
		fn register_patient(who: &AccountId) {
			<Helper as pallet_ehr_consent::BenchmarkHelper<AccountId>>::register_patient(who);
		}

		fn register_doctor(who: &AccountId) {
			<Helper as pallet_ehr_consent::BenchmarkHelper<AccountId>>::register_doctor(who);
			let _ = Identity::set_encryption_key(RuntimeOrigin::signed(who.clone()), [7; 32]);
		}

		fn grant(patient: &AccountId, grantee: &AccountId) {
			let _ = Consent::grant_access(
				RuntimeOrigin::signed(patient.clone()),
				patient.clone(),
				grantee.clone(),
				ehr_primitives::Scope::All,
				ehr_primitives::AccessLevel::ReadWrite,
				None,
				ehr_primitives::Purpose::Treatment,
			);
		}

		fn max_grants() -> u32 {
			use frame_support::traits::Get;
			<Runtime as pallet_ehr_consent::Config>::MaxGrantsPerPatient::get()
		}
	}

	impl pallet_ehr_escrow::BenchmarkHelper<AccountId> for Helper {
		fn hospitals(count: u32) -> alloc::vec::Vec<AccountId> {
			(0..count)
				.map(|index| {
					let hospital: AccountId = frame_benchmarking::account("custodian", index, 0);
					<Helper as pallet_ehr_identity::BenchmarkHelper<AccountId>>::make_hospital(
						&hospital,
					);
					hospital
				})
				.collect()
		}

		fn patient_with_delegate() -> (AccountId, AccountId) {
			let patient: AccountId = frame_benchmarking::account("patient", 0, 0);
			let delegate: AccountId = frame_benchmarking::account("delegate", 0, 0);
			for who in [&patient, &delegate] {
				<Helper as pallet_ehr_consent::BenchmarkHelper<AccountId>>::register_patient(who);
			}
			let _ =
				Identity::add_delegate(RuntimeOrigin::signed(patient.clone()), delegate.clone());
			(patient, delegate)
		}

		fn doctor() -> AccountId {
			let doctor: AccountId = frame_benchmarking::account("doctor", 0, 0);
			<Helper as pallet_ehr_records::BenchmarkHelper<AccountId>>::register_doctor(&doctor);
			doctor
		}

		fn add_record(
			patient: &AccountId,
			category: ehr_primitives::RecordCategory,
		) -> ehr_primitives::RecordId {
			<Helper as pallet_ehr_consent::BenchmarkHelper<AccountId>>::add_record(
				patient, category,
			)
		}

		fn open_emergency(doctor: &AccountId, patient: &AccountId) {
			Consent::open_emergency_access(
				RuntimeOrigin::signed(doctor.clone()),
				patient.clone(),
				ehr_primitives::EmergencyReason::Unconscious,
				None,
			)
			.expect("an active doctor opens emergency access to a patient");
		}

		fn end_emergency(doctor: &AccountId, patient: &AccountId) {
			Consent::end_emergency_access(
				RuntimeOrigin::signed(patient.clone()),
				patient.clone(),
				doctor.clone(),
			)
			.expect("the patient ends the emergency access");
		}
	}

	impl pallet_ehr_messages::BenchmarkHelper<AccountId> for Helper {
		fn register_patient(who: &AccountId) {
			<Helper as pallet_ehr_consent::BenchmarkHelper<AccountId>>::register_patient(who);
		}

		fn register_doctor(who: &AccountId) {
			<Helper as pallet_ehr_records::BenchmarkHelper<AccountId>>::register_doctor(who);
		}

		/// The costliest check: no grant (to the doctor or its hospital), and the most open
		/// appointments, the doctor's last.
		fn relate(patient: &AccountId, doctor: &AccountId) {
			use frame_support::traits::Get;
			let most =
				<Runtime as pallet_ehr_appointments::Config>::MaxOpenAppointmentsPerPatient::get();
			let other: AccountId = frame_benchmarking::account("other doctor", 0, 0);
			let mut visits = pallet_ehr_appointments::OpenVisits::<Runtime>::get(patient);
			for index in 0..most {
				let id = pallet_ehr_appointments::NextAppointmentId::<Runtime>::mutate(
					ehr_primitives::take_id,
				);
				// Future visits: each one counts, so each one's appointment is read.
				let start = pallet_timestamp::Now::<Runtime>::get()
					.saturating_add(3_600_000 * (1 + u64::from(index)));
				let appointment = ehr_primitives::Appointment {
					doctor: if index + 1 == most { doctor.clone() } else { other.clone() },
					patient: patient.clone(),
					slot: u64::from(index),
					start,
					duration_minutes: 30,
					kind: ehr_primitives::VisitKind::InPerson,
					reason: None,
					status: ehr_primitives::AppointmentStatus::Confirmed,
					proposed_slot: None,
					history: Default::default(),
				};
				pallet_ehr_appointments::Appointments::<Runtime>::insert(id, appointment);
				let _ = visits.try_push((id, start, start + 1_800_000));
			}
			pallet_ehr_appointments::OpenVisits::<Runtime>::insert(patient, visits);
		}
	}

	impl pallet_ehr_appointments::BenchmarkHelper<AccountId, crate::Signature> for Helper {
		fn signer() -> AccountId {
			// A key of the benchmark's keystore.
			sp_io::crypto::sr25519_generate(sp_core::crypto::KeyTypeId(*b"ehrb"), None).into()
		}

		fn sign(signer: &AccountId, message: &[u8]) -> crate::Signature {
			let public =
				sp_core::sr25519::Public::from_raw(*<AccountId as AsRef<[u8; 32]>>::as_ref(signer));
			sp_io::crypto::sr25519_sign(sp_core::crypto::KeyTypeId(*b"ehrb"), &public, message)
				.expect("the keystore holds the signer's key")
				.into()
		}

		fn register_patient(who: &AccountId) {
			<Helper as pallet_ehr_consent::BenchmarkHelper<AccountId>>::register_patient(who);
		}

		fn register_doctor(who: &AccountId) {
			<Helper as pallet_ehr_consent::BenchmarkHelper<AccountId>>::register_doctor(who);
		}

		fn set_time(now: u64) {
			// Straight to storage: `set_timestamp` would also move Aura's slot, which must not
			// go back within a block.
			pallet_timestamp::Now::<Runtime>::put(now);
		}
	}
}
