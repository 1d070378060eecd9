//! Storage migrations of the messages pallet.
//!
//! - **v0 → v1** ([`v1::CountInboxSenders`]): [`InboxSenders`](crate::InboxSenders), the number
//!   of senders each recipient keeps messages of, came after the inboxes. Inboxes that existed
//!   before it had no count, so a recipient could hold more senders than
//!   [`Config::MaxSendersPerInbox`](crate::Config::MaxSendersPerInbox) allows, and the first
//!   removal would count down from nothing. The migration counts each recipient's senders from
//!   [`Kept`](crate::Kept) once, in one block: the chain's inboxes at the upgrade that adds it
//!   (a young chain's, thousands of keys) fit one block's weight; a chain with millions would
//!   need a multi-block migration (`pallet-migrations`).

use frame_support::{
	migrations::VersionedMigration, traits::UncheckedOnRuntimeUpgrade, weights::Weight,
};

/// Version 1: every recipient's sender count is stored.
pub mod v1 {
	use super::*;
	use crate::{Config, InboxSenders, Kept, Pallet};
	use alloc::collections::btree_map::BTreeMap;
	use frame_support::traits::Get;

	/// Counts every recipient's senders from [`Kept`] into [`InboxSenders`], without the
	/// version check: use [`CountInboxSenders`].
	pub struct UncheckedCountInboxSenders<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedCountInboxSenders<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut counts = BTreeMap::<T::AccountId, u32>::new();
			let mut reads = 0u64;
			// The keys only: the lists of ids are not decoded.
			for (recipient, _sender) in Kept::<T>::iter_keys() {
				reads += 1;
				*counts.entry(recipient).or_default() += 1;
			}
			// A count left without any kept sender (a stored zero) goes.
			let mut stale = alloc::vec::Vec::new();
			for recipient in InboxSenders::<T>::iter_keys() {
				reads += 1;
				if !counts.contains_key(&recipient) {
					stale.push(recipient);
				}
			}
			let writes = counts.len() as u64 + stale.len() as u64;
			for recipient in stale {
				InboxSenders::<T>::remove(recipient);
			}
			for (recipient, senders) in counts {
				InboxSenders::<T>::insert(recipient, senders);
			}
			T::DbWeight::get().reads_writes(reads, writes)
		}
	}

	/// The v0 → v1 migration: runs once, when the pallet's storage version is 0, and sets it
	/// to 1.
	pub type CountInboxSenders<T> = VersionedMigration<
		0,
		1,
		UncheckedCountInboxSenders<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
