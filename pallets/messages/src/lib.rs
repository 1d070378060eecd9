//! # Messages pallet
//!
//! Care between visits: a patient and a doctor who cares for them write to each other, and the
//! doctor alerts the patient ("start the medication", "come to the hospital"). The chain is the
//! post office, not the letter:
//!
//! - The body is encrypted on the sender's machine (an `ehr-envelope` on IPFS, like a record).
//!   The chain keeps the sender, the recipient, the time, the kind (a message, or an alert with
//!   its [`Severity`]), the envelope's CID and size, and its content key wrapped for the
//!   recipient and for the sender. Nothing readable: who wrote to whom and when is visible to
//!   every node, what was written is not.
//! - **Who may write to whom.** A registered patient writes to an active doctor, and an active
//!   doctor to a registered patient, only while the doctor cares for the patient
//!   ([`Config::Care`]: in the runtime, a current grant for treatment of the patient to the
//!   doctor or the doctor's hospital, or an open appointment between them until a week after
//!   its end). A stranger cannot write at all;
//!   a patient stops a doctor's messages by ending the relationship (revoking the grant,
//!   cancelling the appointment). Only doctors send alerts. A suspended doctor sends nothing.
//! - **Bounded, and nobody can push out another sender's messages.** A recipient's inbox keeps
//!   at most [`Config::MaxKeptPerSender`] messages from each sender: the oldest message *of that
//!   sender* makes way for its newest. Which senders may write at all is bounded by the care
//!   relationships, so one related account flooding an inbox only ever replaces its own
//!   messages. The recipient removes messages it has read with [`Pallet::remove`].
//! - **Bounded per recipient too.** An inbox holds messages of at most
//!   [`Config::MaxSendersPerInbox`] senders (a hospital may have hundreds of doctors in care of
//!   one patient through a grant to the hospital). When a new sender finds the inbox full, the
//!   sender whose newest message is oldest makes way if that message is older than
//!   [`Config::MessageLifetime`] (read or not, a month-old message has been seen or is moot);
//!   otherwise the message is refused ([`Error::InboxFull`]) until the recipient removes some.
//! - Apps follow new messages with the `MessageSent` event of finalized blocks, or read the
//!   inbox (`Inbox`, by recipient) at any block.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod migrations;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

use ehr_primitives::{
	cid, is_usable_encryption_key, CareRelationship, Identities, Message, MessageId, MessageKind,
	Moment,
};
use frame_support::{pallet_prelude::*, traits::Time};
use frame_system::pallet_prelude::*;

pub use pallet::*;
pub use weights::WeightInfo;

/// A wrapped content key stored for `T`.
pub type WrappedKeyOf<T> = BoundedVec<u8, <T as Config>::MaxWrappedKeyLength>;
/// A CID stored for `T`.
pub type CidOf<T> = BoundedVec<u8, <T as Config>::MaxCidLength>;
/// A message stored for `T`.
pub type MessageOf<T> = Message<<T as frame_system::Config>::AccountId, CidOf<T>, WrappedKeyOf<T>>;

/// Creates identities and relationships for the benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Register `who` as a patient with an encryption key.
	fn register_patient(who: &AccountId);
	/// Register `who` as an active doctor with an encryption key.
	fn register_doctor(who: &AccountId);
	/// Make `doctor` care for `patient`, by the costliest path [`Config::Care`] checks.
	fn relate(patient: &AccountId, doctor: &AccountId);
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;

	/// The storage layout's version: 1 since [`InboxSenders`] is kept for every inbox
	/// ([`migrations::v1`](crate::migrations::v1)).
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

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
		/// Who is a patient and an active doctor, and their encryption keys.
		type Identity: Identities<Self::AccountId>;

		/// Whether a doctor cares for a patient now.
		type Care: CareRelationship<Self::AccountId>;

		/// The block time (the runtime: `pallet_timestamp`).
		type Clock: Time<Moment = Moment>;

		/// Longest CID of a message body, in bytes.
		#[pallet::constant]
		type MaxCidLength: Get<u32>;

		/// Longest wrapped content key, in bytes.
		#[pallet::constant]
		type MaxWrappedKeyLength: Get<u32>;

		/// Largest message envelope, in bytes: a client fetches no more.
		#[pallet::constant]
		type MaxMessageSize: Get<u32>;

		/// Most messages a recipient's inbox keeps from one sender; the oldest of that sender
		/// makes way.
		#[pallet::constant]
		type MaxKeptPerSender: Get<u32>;

		/// Most senders whose messages one recipient's inbox holds at once.
		#[pallet::constant]
		type MaxSendersPerInbox: Get<u32>;

		/// Age (milliseconds) after which a sender's messages make way for a new sender's when
		/// the inbox is full.
		#[pallet::constant]
		type MessageLifetime: Get<Moment>;

		/// Most messages one [`Pallet::remove`] removes.
		#[pallet::constant]
		type MaxRemove: Get<u32>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;

		/// Creates identities and relationships for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// The id the next message gets.
	#[pallet::storage]
	pub type NextMessageId<T: Config> = StorageValue<_, MessageId, ValueQuery>;

	/// Each recipient's messages, by id.
	#[pallet::storage]
	pub type Inbox<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, MessageId, MessageOf<T>>;

	/// The ids of the messages each recipient keeps from each sender, oldest first.
	#[pallet::storage]
	pub type Kept<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		BoundedVec<MessageId, T::MaxKeptPerSender>,
		ValueQuery,
	>;

	/// How many senders each recipient keeps messages of (the entries of [`Kept`]).
	#[pallet::storage]
	pub type InboxSenders<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `sender` sent `recipient` message `id` (read it from `Inbox`).
		MessageSent {
			id: MessageId,
			sender: T::AccountId,
			recipient: T::AccountId,
			kind: MessageKind,
		},
		/// Message `id` of `recipient` made way for a newer one of the same sender.
		MessageDropped { id: MessageId, recipient: T::AccountId },
		/// `recipient` removed `count` of its messages.
		MessagesRemoved { recipient: T::AccountId, count: u32 },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// Messages go between a registered patient and an active doctor, either way.
		NotPatientAndDoctor,
		/// The doctor does not care for the patient now: no current grant, no open
		/// appointment.
		NoCareRelationship,
		/// Only doctors send alerts.
		OnlyDoctorsAlert,
		/// The recipient or the sender has published no encryption key.
		NoEncryptionKey,
		/// The CID is not a well-formed CIDv1.
		InvalidCid,
		/// A wrapped key is empty.
		InvalidWrappedKey,
		/// The envelope is larger than `MaxMessageSize` (or empty).
		BadSize,
		/// No such message in the caller's inbox.
		UnknownMessage,
		/// The recipient keeps messages of [`Config::MaxSendersPerInbox`] senders, none of them
		/// older than [`Config::MessageLifetime`]: it removes read ones first.
		InboxFull,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Send an encrypted message, or (doctors) an alert, to a patient or a doctor.
		///
		/// - Origin: signed by a registered patient writing to an active doctor who cares for
		///   them, or by an active (not suspended) doctor writing to a patient it cares for
		///   ([`Config::Care`]).
		/// - `recipient`: the other side; it must have an encryption key.
		/// - `kind`: a message, or an alert with its severity (doctors only).
		/// - `cid`, `size`: the encrypted body's envelope on IPFS (at most
		///   [`Config::MaxMessageSize`] bytes).
		/// - `recipient_key`, `sender_key`: the body's content key wrapped for each side.
		///
		/// The recipient's inbox keeps at most [`Config::MaxKeptPerSender`] of this sender's
		/// messages: a newer one replaces the sender's oldest ([`Event::MessageDropped`]).
		///
		/// Emits [`Event::MessageSent`]. Errors: [`Error::NotPatientAndDoctor`],
		/// [`Error::NoCareRelationship`], [`Error::OnlyDoctorsAlert`],
		/// [`Error::NoEncryptionKey`], [`Error::InvalidCid`], [`Error::InvalidWrappedKey`],
		/// [`Error::BadSize`], [`Error::InboxFull`] (a new sender, and the inbox holds
		/// [`Config::MaxSendersPerInbox`] senders none of whose messages is stale).
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::send()
			.saturating_add(T::DbWeight::get().reads_writes(2, 1))
			.saturating_add(Pallet::<T>::max_eviction_weight()))]
		pub fn send(
			origin: OriginFor<T>,
			recipient: T::AccountId,
			kind: MessageKind,
			cid: CidOf<T>,
			size: u32,
			recipient_key: WrappedKeyOf<T>,
			sender_key: WrappedKeyOf<T>,
		) -> DispatchResultWithPostInfo {
			let sender = ensure_signed(origin)?;
			let (patient, doctor) = if T::Identity::is_active_doctor(&sender)
				&& T::Identity::is_patient(&recipient)
			{
				(&recipient, &sender)
			} else if T::Identity::is_patient(&sender) && T::Identity::is_active_doctor(&recipient)
			{
				ensure!(kind == MessageKind::Message, Error::<T>::OnlyDoctorsAlert);
				(&sender, &recipient)
			} else {
				return Err(Error::<T>::NotPatientAndDoctor.into());
			};
			ensure!(T::Care::in_care(patient, doctor), Error::<T>::NoCareRelationship);
			for who in [&recipient, &sender] {
				let key = T::Identity::encryption_key(who);
				ensure!(
					key.as_ref().is_some_and(is_usable_encryption_key),
					Error::<T>::NoEncryptionKey
				);
			}
			cid::validate_v1(&cid).map_err(|_| Error::<T>::InvalidCid)?;
			ensure!(
				!recipient_key.is_empty() && !sender_key.is_empty(),
				Error::<T>::InvalidWrappedKey
			);
			ensure!(size > 0 && size <= T::MaxMessageSize::get(), Error::<T>::BadSize);

			// The sender count (and any eviction) on top of the measured send.
			let mut weight =
				T::WeightInfo::send().saturating_add(T::DbWeight::get().reads_writes(2, 1));
			if Kept::<T>::decode_len(&recipient, &sender).unwrap_or(0) == 0 {
				if InboxSenders::<T>::get(&recipient) >= T::MaxSendersPerInbox::get() {
					let (evicted, used) = Self::evict_stale_sender(&recipient);
					weight.saturating_accrue(used);
					ensure!(evicted, Error::<T>::InboxFull);
				}
				InboxSenders::<T>::mutate(&recipient, |senders| {
					*senders = senders.saturating_add(1)
				});
			}
			let id = NextMessageId::<T>::mutate(ehr_primitives::take_id);
			Kept::<T>::mutate(&recipient, &sender, |kept| {
				if kept.is_full() {
					let oldest = kept.remove(0);
					Inbox::<T>::remove(&recipient, oldest);
					Self::deposit_event(Event::MessageDropped {
						id: oldest,
						recipient: recipient.clone(),
					});
				}
				// Room was made above when full.
				let _ = kept.try_push(id);
			});
			let message = Message {
				sender: sender.clone(),
				sent_at: T::Clock::now(),
				kind,
				cid,
				size,
				recipient_key,
				sender_key,
			};
			Inbox::<T>::insert(&recipient, id, message);
			Self::deposit_event(Event::MessageSent { id, sender, recipient, kind });
			Ok(Some(weight).into())
		}

		/// Remove messages from your inbox (read, or unwanted). Their envelopes stay on IPFS
		/// until unpinned; the chain's history keeps that they were sent.
		///
		/// - Origin: signed by the recipient.
		/// - `ids`: messages of the caller's inbox (at most [`Config::MaxRemove`]); all or none
		///   are removed.
		///
		/// Emits [`Event::MessagesRemoved`]. Errors: [`Error::UnknownMessage`].
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::remove(ids.len() as u32)
			.saturating_add(T::DbWeight::get().reads_writes(ids.len() as u64, ids.len() as u64)))]
		pub fn remove(
			origin: OriginFor<T>,
			ids: BoundedVec<MessageId, T::MaxRemove>,
		) -> DispatchResult {
			let recipient = ensure_signed(origin)?;
			for id in &ids {
				let message = Inbox::<T>::take(&recipient, id).ok_or(Error::<T>::UnknownMessage)?;
				Kept::<T>::mutate_exists(&recipient, &message.sender, |kept| {
					if let Some(list) = kept {
						list.retain(|kept| kept != id);
						if list.is_empty() {
							*kept = None;
							InboxSenders::<T>::mutate_exists(&recipient, |senders| {
								*senders =
									senders.and_then(|n| n.checked_sub(1)).filter(|n| *n > 0);
							});
						}
					}
				});
			}
			let count = ids.len() as u32;
			Self::deposit_event(Event::MessagesRemoved { recipient, count });
			Ok(())
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The most an eviction costs: every sender's list and newest message read, then one
	/// sender's messages removed.
	pub fn max_eviction_weight() -> Weight {
		let senders = u64::from(T::MaxSendersPerInbox::get());
		let kept = u64::from(T::MaxKeptPerSender::get());
		T::DbWeight::get().reads_writes(2 * senders, kept + 2)
	}

	/// Makes way in `recipient`'s full inbox: the sender whose newest message is oldest goes,
	/// with all its messages, if that message is older than [`Config::MessageLifetime`].
	/// Returns whether one went, and the weight used.
	fn evict_stale_sender(recipient: &T::AccountId) -> (bool, Weight) {
		let db = T::DbWeight::get();
		let now = T::Clock::now();
		let mut reads = 0u64;
		let mut stalest: Option<(T::AccountId, Moment)> = None;
		for (sender, kept) in Kept::<T>::iter_prefix(recipient) {
			reads += 2;
			let newest = kept.last().and_then(|id| Inbox::<T>::get(recipient, id));
			let sent_at = newest.map_or(0, |message| message.sent_at);
			if stalest.as_ref().is_none_or(|(_, oldest)| sent_at < *oldest) {
				stalest = Some((sender, sent_at));
			}
		}
		let lifetime = T::MessageLifetime::get();
		let Some((sender, _)) =
			stalest.filter(|(_, sent_at)| now.saturating_sub(*sent_at) >= lifetime)
		else {
			return (false, db.reads(reads));
		};
		let ids = Kept::<T>::take(recipient, &sender);
		for id in &ids {
			Inbox::<T>::remove(recipient, id);
			Self::deposit_event(Event::MessageDropped { id: *id, recipient: recipient.clone() });
		}
		InboxSenders::<T>::mutate_exists(recipient, |senders| {
			*senders = senders.and_then(|n| n.checked_sub(1)).filter(|n| *n > 0);
		});
		(true, db.reads_writes(reads, ids.len() as u64 + 2))
	}

	/// The pallet's invariants: every recipient's sender count is the number of senders it
	/// keeps messages of; every kept list is non-empty, within its bound, and names messages of
	/// that sender in that inbox; every message is kept.
	#[cfg(any(feature = "std", feature = "try-runtime"))]
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use alloc::collections::btree_map::BTreeMap;
		let mut senders = BTreeMap::<T::AccountId, u32>::new();
		let mut kept_messages = 0u64;
		for (recipient, sender, ids) in Kept::<T>::iter() {
			ensure!(!ids.is_empty(), "an empty kept list is stored");
			for id in &ids {
				let message = Inbox::<T>::get(&recipient, id).ok_or("a kept id has no message")?;
				ensure!(message.sender == sender, "a kept id is another sender's message");
			}
			kept_messages += ids.len() as u64;
			*senders.entry(recipient).or_default() += 1;
		}
		ensure!(
			Inbox::<T>::iter_keys().count() as u64 == kept_messages,
			"a message in an inbox is not kept"
		);
		for (recipient, count) in InboxSenders::<T>::iter() {
			ensure!(
				senders.remove(&recipient) == Some(count),
				"a sender count differs from the kept senders"
			);
		}
		ensure!(senders.is_empty(), "a recipient keeps senders without a count");
		Ok(())
	}

	/// The messages in `recipient`'s inbox, oldest first.
	pub fn inbox(recipient: &T::AccountId) -> alloc::vec::Vec<(MessageId, MessageOf<T>)> {
		let mut messages: alloc::vec::Vec<_> = Inbox::<T>::iter_prefix(recipient).collect();
		messages.sort_by_key(|(id, _)| *id);
		messages
	}
}
