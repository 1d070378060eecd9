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
//! - Apps follow new messages with the `MessageSent` event of finalized blocks, or read the
//!   inbox (`Inbox`, by recipient) at any block.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
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

	#[pallet::pallet]
	pub struct Pallet<T>(_);

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
		/// [`Error::BadSize`].
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::send())]
		pub fn send(
			origin: OriginFor<T>,
			recipient: T::AccountId,
			kind: MessageKind,
			cid: CidOf<T>,
			size: u32,
			recipient_key: WrappedKeyOf<T>,
			sender_key: WrappedKeyOf<T>,
		) -> DispatchResult {
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
			Ok(())
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
		#[pallet::weight(T::WeightInfo::remove(ids.len() as u32))]
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
	/// The messages in `recipient`'s inbox, oldest first.
	pub fn inbox(recipient: &T::AccountId) -> alloc::vec::Vec<(MessageId, MessageOf<T>)> {
		let mut messages: alloc::vec::Vec<_> = Inbox::<T>::iter_prefix(recipient).collect();
		messages.sort_by_key(|(id, _)| *id);
		messages
	}
}
