//! # Consortium pallet
//!
//! The validator set and the root powers of the hospital consortium.
//!
//! Member hospitals govern the chain through a collective (see the runtime): this pallet holds
//! what the collective decides beyond membership itself.
//!
//! - [`Pallet::add_validator`] / [`Pallet::remove_validator`]: change the validator set. The
//!   change takes effect at the next session change, through [`pallet_session::SessionManager`].
//! - [`Pallet::dispatch_as_root`]: dispatch any call as `Root`, for example a runtime upgrade.
//!
//! The runtime gives both origins the same bar, two thirds of the hospitals: whoever changes
//! the validators controls block production and finality, so that is no smaller decision than
//! `Root`.
//!
//! The validator set is bounded by [`Config::MaxValidators`] and never drops below
//! [`Config::MinValidators`], so that governance cannot stall block production by mistake.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

use alloc::{boxed::Box, vec::Vec};
use frame_support::{
	dispatch::GetDispatchInfo,
	pallet_prelude::*,
	traits::{EnsureOrigin, UnfilteredDispatchable},
};
use frame_system::pallet_prelude::*;
use sp_staking::SessionIndex;

pub use pallet::*;
pub use weights::WeightInfo;

const LOG_TARGET: &str = "runtime::consortium";

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	/// The storage layout's version: 0, as it has been since genesis (the pallet declared
	/// none until now, and an undeclared version reads as 0: no migration is due).
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The call type that [`Pallet::dispatch_as_root`] dispatches.
		type RuntimeCall: Parameter
			+ UnfilteredDispatchable<RuntimeOrigin = Self::RuntimeOrigin>
			+ GetDispatchInfo
			+ From<frame_system::Call<Self>>;

		/// Who may add or remove a validator (the runtime: two thirds of member hospitals).
		type ValidatorOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Who may dispatch a call as `Root` (the runtime: two thirds of member hospitals).
		type RootOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Upper bound of the validator set.
		#[pallet::constant]
		type MaxValidators: Get<u32>;

		/// The validator set never shrinks below this many validators.
		#[pallet::constant]
		type MinValidators: Get<u32>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// The validators that the next session change activates, sorted by account.
	#[pallet::storage]
	pub type Validators<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxValidators>, ValueQuery>;

	/// Whether [`Validators`] changed since the last session change.
	#[pallet::storage]
	pub type ValidatorsChanged<T: Config> = StorageValue<_, bool, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The validators of the first session.
		pub validators: Vec<T::AccountId>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let mut validators = self.validators.clone();
			validators.sort();
			validators.dedup();
			for validator in &validators {
				frame_system::Pallet::<T>::inc_providers(validator);
			}
			let bounded = BoundedVec::<T::AccountId, T::MaxValidators>::try_from(validators)
				.expect("genesis has more validators than MaxValidators");
			Validators::<T>::put(bounded);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A validator joins the set at the next session change.
		ValidatorAdded { validator: T::AccountId },
		/// A validator leaves the set at the next session change.
		ValidatorRemoved { validator: T::AccountId },
		/// A call was dispatched as `Root` by the consortium.
		DispatchedAsRoot { result: DispatchResult },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account is a validator already.
		AlreadyValidator,
		/// The account is not a validator.
		NotValidator,
		/// The validator set is full ([`Config::MaxValidators`]).
		TooManyValidators,
		/// Removing the validator would leave fewer than [`Config::MinValidators`].
		TooFewValidators,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Add `validator` to the set; it starts validating at the next session change, once
		/// it has set its session keys.
		///
		/// The origin must be [`Config::ValidatorOrigin`] (else `BadOrigin`). Fails with
		/// [`Error::AlreadyValidator`] if `validator` is in the set, and with
		/// [`Error::TooManyValidators`] if the set is full. Emits [`Event::ValidatorAdded`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::add_validator(T::MaxValidators::get()))]
		pub fn add_validator(origin: OriginFor<T>, validator: T::AccountId) -> DispatchResult {
			T::ValidatorOrigin::ensure_origin(origin)?;
			Validators::<T>::try_mutate(|validators| -> DispatchResult {
				let index = validators
					.binary_search(&validator)
					.err()
					.ok_or(Error::<T>::AlreadyValidator)?;
				validators
					.try_insert(index, validator.clone())
					.map_err(|_| Error::<T>::TooManyValidators)?;
				Ok(())
			})?;
			// The consortium keeps its validators' accounts alive, so that a validator with no
			// balance can still set its session keys.
			frame_system::Pallet::<T>::inc_providers(&validator);
			ValidatorsChanged::<T>::put(true);
			Self::deposit_event(Event::ValidatorAdded { validator });
			Ok(())
		}

		/// Remove `validator` from the set; it stops validating at the next session change.
		///
		/// The origin must be [`Config::ValidatorOrigin`] (else `BadOrigin`). Fails with
		/// [`Error::NotValidator`] if `validator` is not in the set, and with
		/// [`Error::TooFewValidators`] if the set would drop below [`Config::MinValidators`].
		/// Emits [`Event::ValidatorRemoved`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::remove_validator(T::MaxValidators::get()))]
		pub fn remove_validator(origin: OriginFor<T>, validator: T::AccountId) -> DispatchResult {
			T::ValidatorOrigin::ensure_origin(origin)?;
			Validators::<T>::try_mutate(|validators| -> DispatchResult {
				let index =
					validators.binary_search(&validator).map_err(|_| Error::<T>::NotValidator)?;
				ensure!(
					validators.len() > T::MinValidators::get() as usize,
					Error::<T>::TooFewValidators
				);
				validators.remove(index);
				Ok(())
			})?;
			// Fails only while the account still has session keys; it then stays alive until
			// they are purged, which is harmless.
			if let Err(e) = frame_system::Pallet::<T>::dec_providers(&validator) {
				log::debug!(target: LOG_TARGET, "validator account kept alive: {e:?}");
			}
			ValidatorsChanged::<T>::put(true);
			Self::deposit_event(Event::ValidatorRemoved { validator });
			Ok(())
		}

		/// Dispatch `call` with the `Root` origin, for example `System::set_code`.
		///
		/// The origin must be [`Config::RootOrigin`] (else `BadOrigin`). The outcome of `call`,
		/// its error included, is in the [`Event::DispatchedAsRoot`] event; this call itself
		/// succeeds once the origin is checked.
		#[pallet::call_index(2)]
		#[pallet::weight({
			let info = call.get_dispatch_info();
			(T::WeightInfo::dispatch_as_root().saturating_add(info.call_weight), info.class)
		})]
		pub fn dispatch_as_root(
			origin: OriginFor<T>,
			call: Box<<T as Config>::RuntimeCall>,
		) -> DispatchResultWithPostInfo {
			T::RootOrigin::ensure_origin(origin)?;
			let result = call.dispatch_bypass_filter(frame_system::RawOrigin::Root.into());
			Self::deposit_event(Event::DispatchedAsRoot {
				result: result.map(|_| ()).map_err(|e| e.error),
			});
			Ok(Pays::No.into())
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The current validator set (the one the next session change activates).
	pub fn validators() -> Vec<T::AccountId> {
		Validators::<T>::get().into_inner()
	}

	/// The pallet's invariants: the validators are sorted by account with none twice (what
	/// the binary searches of `add_validator`, `remove_validator` and `contains` rely on);
	/// there are at least [`Config::MinValidators`] of them (the removal never goes below; the
	/// genesis must start there); and every validator's account has a provider reference (the
	/// one this pallet took when it added it, so that it can set its session keys).
	#[cfg(any(feature = "std", feature = "try-runtime"))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let validators = Validators::<T>::get();
		ensure!(
			validators.windows(2).all(|pair| pair[0] < pair[1]),
			"the validators are not sorted, or one is there twice"
		);
		ensure!(
			validators.len() >= T::MinValidators::get() as usize,
			"fewer validators than MinValidators"
		);
		for validator in validators.iter() {
			ensure!(
				frame_system::Pallet::<T>::providers(validator) > 0,
				"a validator's account has no provider reference"
			);
		}
		Ok(())
	}
}

impl<T: Config> pallet_session::SessionManager<T::AccountId> for Pallet<T> {
	fn new_session(new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
		// Genesis (index 0 and 1) always takes the configured set.
		if new_index > 1 && !ValidatorsChanged::<T>::take() {
			return None;
		}
		log::info!(target: LOG_TARGET, "validator set for session {new_index} changes");
		Some(Self::validators())
	}

	fn end_session(_end_index: SessionIndex) {}

	fn start_session(_start_index: SessionIndex) {}
}

impl<T: Config> frame_support::traits::Contains<T::AccountId> for Pallet<T> {
	fn contains(who: &T::AccountId) -> bool {
		Validators::<T>::get().binary_search(who).is_ok()
	}
}

/// Forwards membership changes of the hospitals to `Inner` (the hospitals' collective) and
/// gives each member account a "sufficient" reference, so that a hospital with no balance can
/// still sign transactions (`CheckNonce` refuses accounts that do not exist).
pub struct KeepMembersAlive<T, Inner>(core::marker::PhantomData<(T, Inner)>);

impl<T, Inner> frame_support::traits::ChangeMembers<T::AccountId> for KeepMembersAlive<T, Inner>
where
	T: frame_system::Config,
	Inner: frame_support::traits::ChangeMembers<T::AccountId>,
{
	fn change_members_sorted(
		incoming: &[T::AccountId],
		outgoing: &[T::AccountId],
		sorted_new: &[T::AccountId],
	) {
		for who in incoming {
			frame_system::Pallet::<T>::inc_sufficients(who);
		}
		for who in outgoing {
			frame_system::Pallet::<T>::dec_sufficients(who);
		}
		Inner::change_members_sorted(incoming, outgoing, sorted_new);
	}

	fn set_prime(prime: Option<T::AccountId>) {
		Inner::set_prime(prime);
	}

	fn get_prime() -> Option<T::AccountId> {
		Inner::get_prime()
	}
}

impl<T, Inner> frame_support::traits::InitializeMembers<T::AccountId> for KeepMembersAlive<T, Inner>
where
	T: frame_system::Config,
	Inner: frame_support::traits::InitializeMembers<T::AccountId>,
{
	fn initialize_members(members: &[T::AccountId]) {
		for who in members {
			frame_system::Pallet::<T>::inc_sufficients(who);
		}
		Inner::initialize_members(members);
	}
}
