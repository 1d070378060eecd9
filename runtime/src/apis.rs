//! The runtime APIs that the node and clients call.

use alloc::vec::Vec;
use frame_support::{
	genesis_builder_helper::{build_state, get_preset},
	view_functions::{ViewFunctionDispatchError, ViewFunctionId},
	weights::Weight,
};
use pallet_grandpa::AuthorityId as GrandpaId;
use pallet_transaction_payment::{FeeDetails, RuntimeDispatchInfo};
use sp_api::impl_runtime_apis;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::{AuthorityList, EquivocationProof, OpaqueKeyOwnershipProof, SetId};
use sp_core::{crypto::KeyTypeId, OpaqueMetadata};
use sp_inherents::{CheckInherentsResult, InherentData};
use sp_runtime::{
	traits::{Block as BlockT, NumberFor},
	transaction_validity::{TransactionSource, TransactionValidity},
	ApplyExtrinsicResult, ExtrinsicInclusionMode,
};
use sp_version::RuntimeVersion;

use ehr_primitives::{
	AccessLevel, AppointmentEntry, ConsentProvider, DoctorEntry, EmergencyEntry, Grant, Identities,
	Moment, RecordCategory, RecordEntry, RecordId, Slot, SlotId, TrailPage,
};

use super::{
	AccountId, Appointments, Aura, Balance, Block, BlockNumber, Consent, Executive, FeeQuota,
	Grandpa, Identity, InherentDataExt, Nonce, Records, Runtime, RuntimeCall, RuntimeGenesisConfig,
	SessionKeys, System, TransactionPayment, VERSION,
};

type Extrinsic = <Block as BlockT>::Extrinsic;
type BlockHeader = <Block as BlockT>::Header;

impl_runtime_apis! {
	impl sp_api::Core<Block> for Runtime {
		fn version() -> RuntimeVersion {
			VERSION
		}

		fn execute_block(block: <Block as BlockT>::LazyBlock) {
			Executive::execute_block(block);
		}

		fn initialize_block(header: &BlockHeader) -> ExtrinsicInclusionMode {
			Executive::initialize_block(header)
		}
	}

	impl sp_api::Metadata<Block> for Runtime {
		fn metadata() -> OpaqueMetadata {
			OpaqueMetadata::new(Runtime::metadata().into())
		}

		fn metadata_at_version(version: u32) -> Option<OpaqueMetadata> {
			Runtime::metadata_at_version(version)
		}

		fn metadata_versions() -> Vec<u32> {
			Runtime::metadata_versions()
		}
	}

	impl frame_support::view_functions::runtime_api::RuntimeViewFunction<Block> for Runtime {
		fn execute_view_function(
			id: ViewFunctionId,
			input: Vec<u8>,
		) -> Result<Vec<u8>, ViewFunctionDispatchError> {
			Runtime::execute_view_function(id, input)
		}
	}

	impl sp_block_builder::BlockBuilder<Block> for Runtime {
		fn apply_extrinsic(extrinsic: Extrinsic) -> ApplyExtrinsicResult {
			Executive::apply_extrinsic(extrinsic)
		}

		fn finalize_block() -> BlockHeader {
			Executive::finalize_block()
		}

		fn inherent_extrinsics(data: InherentData) -> Vec<Extrinsic> {
			data.create_extrinsics()
		}

		fn check_inherents(
			block: <Block as BlockT>::LazyBlock,
			data: InherentData,
		) -> CheckInherentsResult {
			data.check_extrinsics(&block)
		}
	}

	impl sp_transaction_pool::runtime_api::TaggedTransactionQueue<Block> for Runtime {
		fn validate_transaction(
			source: TransactionSource,
			tx: Extrinsic,
			block_hash: <Block as BlockT>::Hash,
		) -> TransactionValidity {
			Executive::validate_transaction(source, tx, block_hash)
		}
	}

	impl sp_offchain::OffchainWorkerApi<Block> for Runtime {
		fn offchain_worker(header: &BlockHeader) {
			Executive::offchain_worker(header)
		}
	}

	impl sp_consensus_aura::AuraApi<Block, AuraId> for Runtime {
		fn slot_duration() -> sp_consensus_aura::SlotDuration {
			sp_consensus_aura::SlotDuration::from_millis(Aura::slot_duration())
		}

		fn authorities() -> Vec<AuraId> {
			pallet_aura::Authorities::<Runtime>::get().into_inner()
		}
	}

	impl sp_session::SessionKeys<Block> for Runtime {
		fn generate_session_keys(
			owner: Vec<u8>,
			seed: Option<Vec<u8>>,
		) -> sp_session::OpaqueGeneratedSessionKeys {
			SessionKeys::generate(&owner, seed).into()
		}

		fn decode_session_keys(encoded: Vec<u8>) -> Option<Vec<(Vec<u8>, KeyTypeId)>> {
			SessionKeys::decode_into_raw_public_keys(&encoded)
		}
	}

	impl sp_consensus_grandpa::GrandpaApi<Block> for Runtime {
		fn grandpa_authorities() -> AuthorityList {
			Grandpa::grandpa_authorities()
		}

		fn current_set_id() -> SetId {
			Grandpa::current_set_id()
		}

		// Equivocations are not reported on chain: validators are known hospitals, and a
		// misbehaving one is removed by a vote of the others.
		fn submit_report_equivocation_unsigned_extrinsic(
			_proof: EquivocationProof<<Block as BlockT>::Hash, NumberFor<Block>>,
			_key_owner_proof: OpaqueKeyOwnershipProof,
		) -> Option<()> {
			None
		}

		fn generate_key_ownership_proof(
			_set_id: SetId,
			_authority_id: GrandpaId,
		) -> Option<OpaqueKeyOwnershipProof> {
			None
		}
	}

	impl ehr_primitives::FeeBudgetApi<Block, AccountId, BlockNumber> for Runtime {
		fn free_budget(who: AccountId) -> ehr_primitives::FreeBudget<BlockNumber> {
			FeeQuota::free_budget(&who)
		}
	}

	impl ehr_primitives::CallDryRunApi<Block, AccountId, RuntimeCall> for Runtime {
		fn dry_run(who: AccountId, call: RuntimeCall) -> Result<(), sp_runtime::DispatchError> {
			use frame_support::dispatch::GetDispatchInfo;
			use sp_runtime::traits::Dispatchable;
			// No more work than one block may hold: a call that big is refused, not run.
			let max = <Runtime as frame_system::Config>::BlockWeights::get().max_block;
			if call.get_dispatch_info().total_weight().any_gt(max) {
				return Err(sp_runtime::DispatchError::Exhausted);
			}
			// Rolled back whatever happens: a dry run keeps nothing, wherever it is called from
			// (`state_call` drops its changes too).
			frame_support::storage::with_transaction(|| {
				let outcome = call.dispatch(crate::RuntimeOrigin::signed(who));
				frame_support::storage::TransactionOutcome::Rollback(Ok::<_, sp_runtime::DispatchError>(
					outcome.map(|_| ()).map_err(|e| e.error),
				))
			})?
		}
	}

	impl frame_system_rpc_runtime_api::AccountNonceApi<Block, AccountId, Nonce> for Runtime {
		fn account_nonce(account: AccountId) -> Nonce {
			System::account_nonce(account)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentApi<Block, Balance>
		for Runtime
	{
		// A transaction that will be free is reported with no fee (only its tip is paid).
		fn query_info(uxt: Extrinsic, len: u32) -> RuntimeDispatchInfo<Balance> {
			let free = super::is_free_transaction(&uxt, len);
			let mut info = TransactionPayment::query_info(uxt, len);
			if free {
				info.partial_fee = 0;
			}
			info
		}

		fn query_fee_details(uxt: Extrinsic, len: u32) -> FeeDetails<Balance> {
			let free = super::is_free_transaction(&uxt, len);
			let mut details = TransactionPayment::query_fee_details(uxt, len);
			if free {
				details.inclusion_fee = None;
			}
			details
		}

		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}

		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentCallApi<
		Block,
		Balance,
		RuntimeCall,
	> for Runtime {
		fn query_call_info(call: RuntimeCall, len: u32) -> RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_call_info(call, len)
		}

		fn query_call_fee_details(call: RuntimeCall, len: u32) -> FeeDetails<Balance> {
			TransactionPayment::query_call_fee_details(call, len)
		}

		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}

		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl ehr_primitives::EhrApi<Block, AccountId, BlockNumber> for Runtime {
		fn doctors(after: Option<AccountId>, limit: u32) -> Vec<DoctorEntry<AccountId>> {
			Identity::doctor_directory(after, limit)
				.into_iter()
				.map(|(account, doctor)| DoctorEntry {
					account,
					hospital: doctor.hospital,
					name: doctor.name.into_inner(),
					specialty: doctor.specialty.into_inner(),
					licence: doctor.licence.into_inner(),
					encryption_key: doctor.encryption_key,
					suspended: doctor.status == pallet_ehr_identity::DoctorStatus::Suspended,
				})
				.collect()
		}

		fn doctor_patients(doctor: AccountId) -> Vec<AccountId> {
			let mut patients = Consent::patients_of(&doctor);
			if let Some(hospital) = <Identity as Identities<AccountId>>::hospital_of(&doctor) {
				patients.extend(Consent::patients_of(&hospital));
			}
			patients.sort();
			patients.dedup();
			patients
		}

		fn patient_grants(patient: AccountId) -> Vec<(AccountId, Grant<AccountId>)> {
			Consent::grants_of(&patient)
		}

		fn check_access(
			who: AccountId,
			patient: AccountId,
			category: RecordCategory,
			level: AccessLevel,
		) -> bool {
			<Consent as ConsentProvider<AccountId>>::may_access(&who, &patient, category, level)
		}

		fn audit_trail(
			patient: AccountId,
			from: u64,
			limit: u32,
		) -> TrailPage<AccountId, BlockNumber> {
			TrailPage {
				total: pallet_ehr_consent::TrailLength::<Runtime>::get(&patient),
				entries: Consent::trail(&patient, from, limit),
			}
		}

		fn emergency_accesses(patient: AccountId) -> Vec<EmergencyEntry<AccountId>> {
			Consent::emergency_accesses_of(&patient)
				.into_iter()
				.map(|(doctor, access)| EmergencyEntry {
					doctor,
					code: access.code,
					commitment: access.commitment,
					opened_at: access.opened_at,
					expires_at: access.expires_at,
				})
				.collect()
		}
	}

	impl ehr_primitives::RecordsApi<Block, AccountId, BlockNumber> for Runtime {
		fn patient_records(
			patient: AccountId,
			category: Option<RecordCategory>,
		) -> Vec<RecordEntry<AccountId, BlockNumber>> {
			Records::patient_records(&patient, category)
		}

		fn reader_records(
			reader: AccountId,
			patient: Option<AccountId>,
		) -> Vec<RecordEntry<AccountId, BlockNumber>> {
			Records::reader_records(&reader, patient.as_ref())
		}

		fn record(
			id: RecordId,
			reader: Option<AccountId>,
		) -> Option<RecordEntry<AccountId, BlockNumber>> {
			Records::record(id, reader.as_ref())
		}

		fn record_versions(id: RecordId) -> Vec<RecordEntry<AccountId, BlockNumber>> {
			Records::record_versions(id)
		}
	}

	impl ehr_primitives::AppointmentsApi<Block, AccountId> for Runtime {
		fn doctor_schedule(
			doctor: AccountId,
			from: Moment,
			to: Moment,
		) -> Vec<(SlotId, Slot<AccountId>)> {
			Appointments::doctor_schedule(&doctor, from, to)
		}

		fn free_slots(doctor: AccountId, from: Moment, to: Moment) -> Vec<(SlotId, Slot<AccountId>)> {
			Appointments::free_slots(&doctor, from, to)
		}

		fn patient_appointments(patient: AccountId) -> Vec<AppointmentEntry<AccountId>> {
			Appointments::patient_appointments(&patient)
		}

		fn doctor_appointments(doctor: AccountId) -> Vec<AppointmentEntry<AccountId>> {
			Appointments::doctor_appointments(&doctor)
		}
	}

	impl ehr_primitives::VisitsApi<Block> for Runtime {
		fn visits(
			appointments: Vec<ehr_primitives::AppointmentId>,
		) -> Vec<(ehr_primitives::AppointmentId, ehr_primitives::VisitTimes)> {
			Appointments::visits(&appointments)
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	impl frame_benchmarking::Benchmark<Block> for Runtime {
		fn benchmark_metadata(
			extra: bool,
		) -> (Vec<frame_benchmarking::BenchmarkList>, Vec<frame_support::traits::StorageInfo>) {
			use frame_benchmarking::BenchmarkList;
			use frame_support::traits::StorageInfoTrait;
			use crate::*;

			let mut list = Vec::<BenchmarkList>::new();
			list_benchmarks!(list, extra);
			(list, crate::AllPalletsWithSystem::storage_info())
		}

		fn dispatch_benchmark(
			config: frame_benchmarking::BenchmarkConfig,
		) -> Result<Vec<frame_benchmarking::BenchmarkBatch>, alloc::string::String> {
			use frame_benchmarking::BenchmarkBatch;
			use frame_support::traits::WhitelistedStorageKeys;
			use crate::*;

			let whitelist = crate::AllPalletsWithSystem::whitelisted_storage_keys();
			let mut batches = Vec::<BenchmarkBatch>::new();
			let params = (&config, &whitelist);
			add_benchmarks!(params, batches);
			Ok(batches)
		}
	}

	#[cfg(feature = "try-runtime")]
	impl frame_try_runtime::TryRuntime<Block> for Runtime {
		fn on_runtime_upgrade(checks: frame_try_runtime::UpgradeCheckSelect) -> (Weight, Weight) {
			// Only `try-runtime-cli` calls this, never a block: the API returns plain weights, so
			// a failed migration check stops the tool here with its backtrace. (`Executive` runs
			// the runtime's `Migrations`.)
			let weight = Executive::try_runtime_upgrade(checks).unwrap();
			(weight, crate::configs::RuntimeBlockWeights::get().max_block)
		}

		fn execute_block(
			block: <Block as BlockT>::LazyBlock,
			state_root_check: bool,
			signature_check: bool,
			select: frame_try_runtime::TryStateSelect,
		) -> Weight {
			// As above: only the tool calls this, and a failed check stops it here.
			Executive::try_execute_block(block, state_root_check, signature_check, select)
				.expect("execute-block failed")
		}
	}

	impl sp_genesis_builder::GenesisBuilder<Block> for Runtime {
		fn build_state(config: Vec<u8>) -> sp_genesis_builder::Result {
			build_state::<RuntimeGenesisConfig>(config)
		}

		fn get_preset(id: &Option<sp_genesis_builder::PresetId>) -> Option<Vec<u8>> {
			get_preset::<RuntimeGenesisConfig>(id, crate::genesis_config_presets::get_preset)
		}

		fn preset_names() -> Vec<sp_genesis_builder::PresetId> {
			crate::genesis_config_presets::preset_names()
		}
	}
}
