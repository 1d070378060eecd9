//! Signalling for video visits: the `ehr_visit*` methods.
//!
//! Two browsers set up a WebRTC call by exchanging session descriptions. The hospitals already
//! run a node that every app talks to, so the node forwards them: a party subscribes with
//! `ehr_visitListen` (proving it holds the account's key), the other sends with
//! `ehr_visitSignal`, and the node hands the message to the recipient's subscriptions on this
//! node, live. It keeps nothing (no queue, no log of contents), forwards only between the patient
//! and the doctor of a confirmed video appointment whose time it is, and bounds each message's
//! size, each sender's rate and the number of listeners. What it forwards is opaque to it: the
//! description is encrypted for the recipient and signed by the sender (the recipient checks the
//! signature and, once connected, the DTLS fingerprint the sender signed), so neither this node
//! nor a proxy in front of it can read a description or swap one unnoticed.
//!
//! `ehr_visitIceServers` gives the parties of a current visit short-lived credentials for the
//! hospital's TURN server (coturn's `--use-auth-secret`: HMAC-SHA1 of `expiry:account` under a
//! secret the two share), so that the relay serves only visits.
//!
//! The two parties' apps may talk to two hospitals' nodes: the nodes relay each message to each
//! other ([`crate::relay`]), checking it again on each node, so that it reaches the recipient's
//! subscriptions wherever they are.
//!
//! Why the node and not a separate signalling server: it is already reachable by every app, it
//! knows the appointments (the chain's state at its best block), and it authenticates accounts
//! the same way the chain does; a separate server would need all three again.

use std::{
	collections::HashMap,
	sync::{Arc, Mutex},
	time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use crate::relay::{Onward, Relayed};
use base64::Engine;
use codec::Decode;
use ehr_primitives::{AppointmentStatus, DoctorStatus, VisitKind};
use ehr_rpc_api::{
	on_call_answer_payload, on_call_listen_payload, on_call_ready_payload, on_call_ring_payload,
	visit_ice_payload, visit_listen_payload, visit_signal_payload, ErrorCode, IceServers,
	RingEvent, VisitRpcServer, VisitSignal, MAX_VISIT_SIGNAL, READY_MS, RING_MS,
	VISIT_CLOCK_SKEW_MS, VISIT_EARLY_MS, VISIT_LATE_MS,
};
use ehr_runtime::{opaque::Block, AccountId, Hash, Runtime};
use futures::{channel::mpsc, FutureExt, StreamExt};
use hmac::{Hmac, Mac};
use jsonrpsee::{
	core::{RpcResult, SubscriptionResult},
	types::ErrorObjectOwned,
	PendingSubscriptionSink, SubscriptionMessage,
};
use sc_client_api::{Backend, StorageProvider};
use sp_blockchain::HeaderBackend;
use sp_core::{sr25519, storage::StorageKey, Bytes, Pair};

/// Most open `ehr_visitListen` subscriptions of one account to one visit on one node (tabs and
/// devices).
pub const MAX_LISTENERS_PER_ACCOUNT: usize = 4;
/// Most open `ehr_visitListen` subscriptions on one node.
pub const MAX_LISTENERS: usize = 4096;
/// Messages waiting for one slow listener before further ones to it are refused.
const LISTENER_QUEUE: usize = 16;
/// A sender's burst of messages…
pub const SIGNAL_BURST: f64 = 20.0;
/// …refilled at this many per second.
pub const SIGNAL_PER_SECOND: f64 = 2.0;
/// Most senders whose rate is remembered (the idle ones are forgotten first).
const MAX_SENDERS: usize = 16_384;
/// Most messages remembered to refuse the same one sent again (each for twice the clock skew).
const MAX_SEEN: usize = 65_536;
/// The longest TURN credentials given at once (the app asks again during a longer call).
pub const TURN_CREDENTIAL_MS: u64 = 60 * 60_000;
/// How long a call that rings nobody on this node waits for other nodes to say they ring
/// someone before the patient is told that nobody is on call.
pub const RANG_WAIT: Duration = Duration::from_secs(2);

/// The TURN server a node gives credentials for.
#[derive(Clone)]
pub struct Turn {
	/// Its URLs, as browsers take them.
	pub urls: Vec<String>,
	/// The secret shared with it (coturn's `static-auth-secret`).
	pub secret: Vec<u8>,
}

/// What the node's operator configured for visits.
#[derive(Clone, Default)]
pub struct VisitConfig {
	/// The TURN server, if any.
	pub turn: Option<Turn>,
}

struct Bucket {
	tokens: f64,
	at: Instant,
}

/// Who listens: an account, to one visit.
type ListenerKey = (AccountId, u64);

#[derive(Default)]
struct HubState {
	next_id: u64,
	listeners: HashMap<ListenerKey, Vec<(u64, mpsc::Sender<VisitSignal>)>>,
	count: usize,
	senders: HashMap<AccountId, Bucket>,
	/// Hashes of the signatures of messages forwarded, until when they are remembered.
	seen: HashMap<[u8; 32], u64>,
}

/// The live listeners and the senders' rates, shared by every connection to the node.
#[derive(Default)]
pub struct VisitHub {
	state: Mutex<HubState>,
	/// The doctors on call listening and the patients' calls.
	on_call: crate::on_call::OnCallHub,
	/// What goes to the consortium's other nodes.
	relay: crate::relay::Outbox,
}

impl VisitHub {
	fn state(&self) -> std::sync::MutexGuard<'_, HubState> {
		// A panic while holding the lock leaves only counters behind: keep serving.
		self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}

	/// A new listener for `key`, or the limit it is over.
	fn listen(&self, key: &ListenerKey) -> Result<(u64, mpsc::Receiver<VisitSignal>), String> {
		let mut state = self.state();
		if state.count >= MAX_LISTENERS {
			return Err(format!(
				"this node has {MAX_LISTENERS} listeners already: try another node"
			));
		}
		let id = state.next_id;
		let (tx, rx) = mpsc::channel(LISTENER_QUEUE);
		let mine = state.listeners.entry(key.clone()).or_default();
		if mine.len() >= MAX_LISTENERS_PER_ACCOUNT {
			return Err(format!(
				"this account listens to this visit {MAX_LISTENERS_PER_ACCOUNT} times on this node already: close another tab or device first"
			));
		}
		mine.push((id, tx));
		state.next_id += 1;
		state.count += 1;
		Ok((id, rx))
	}

	fn unlisten(&self, key: &ListenerKey, id: u64) {
		let mut state = self.state();
		let Some(mine) = state.listeners.get_mut(key) else { return };
		let before = mine.len();
		mine.retain(|(other, _)| *other != id);
		let removed = before - mine.len();
		if mine.is_empty() {
			state.listeners.remove(key);
		}
		state.count -= removed;
	}

	/// Takes one message from `sender`'s allowance, or says when to try again.
	fn spend(&self, sender: &AccountId, now: Instant) -> Result<(), String> {
		let mut state = self.state();
		if state.senders.len() >= MAX_SENDERS && !state.senders.contains_key(sender) {
			// Senders idle long enough to be full again are the same as forgotten ones.
			let full_after = Duration::from_secs_f64(SIGNAL_BURST / SIGNAL_PER_SECOND);
			state.senders.retain(|_, bucket| now.duration_since(bucket.at) < full_after);
			if state.senders.len() >= MAX_SENDERS {
				return Err(
					"this node forwards for too many senders right now: try again shortly".into()
				);
			}
		}
		let bucket =
			state.senders.entry(sender.clone()).or_insert(Bucket { tokens: SIGNAL_BURST, at: now });
		let refill = now.duration_since(bucket.at).as_secs_f64() * SIGNAL_PER_SECOND;
		bucket.tokens = (bucket.tokens + refill).min(SIGNAL_BURST);
		bucket.at = now;
		if bucket.tokens < 1.0 {
			let wait = (1.0 - bucket.tokens) / SIGNAL_PER_SECOND;
			return Err(format!(
				"more than {SIGNAL_BURST} messages at once ({SIGNAL_PER_SECOND} a second after that): try again in {wait:.1} s"
			));
		}
		bucket.tokens -= 1.0;
		Ok(())
	}

	/// Whether a message with `signature` was forwarded before (and is still remembered).
	fn seen(&self, signature: &[u8]) -> bool {
		self.state().seen.contains_key(&sp_io::hashing::blake2_256(signature))
	}

	/// Remembers a forwarded message's `signature` (hashed) until `until` (ms); refused when it
	/// is remembered already (the same message twice, also at once) or when the node remembers
	/// [`MAX_SEEN`] messages that are all still within their time.
	fn remember(&self, signature: &[u8], now: u64, until: u64) -> Result<(), String> {
		let mut state = self.state();
		if state.seen.contains_key(&sp_io::hashing::blake2_256(signature)) {
			return Err("this message or proof was used before".into());
		}
		if state.seen.len() >= MAX_SEEN {
			state.seen.retain(|_, until| *until > now);
			if state.seen.len() >= MAX_SEEN {
				return Err(
					"this node forwards too many messages right now: try again shortly".into()
				);
			}
		}
		state.seen.insert(sp_io::hashing::blake2_256(signature), until);
		Ok(())
	}

	/// Hands `signal` to every listener of its recipient for its visit; how many took it.
	fn forward(&self, signal: &VisitSignal) -> u32 {
		let mut state = self.state();
		let key = (signal.to.clone(), signal.appointment);
		let Some(listeners) = state.listeners.get_mut(&key) else { return 0 };
		// A listener whose queue is full (a stalled tab) misses the message; one whose
		// subscription ended is dropped here too (and no longer counted).
		let mut delivered = 0;
		let before = listeners.len();
		listeners.retain_mut(|(_, tx)| match tx.try_send(signal.clone()) {
			Ok(()) => {
				delivered += 1;
				true
			}
			Err(error) => !error.is_disconnected(),
		});
		let removed = before - listeners.len();
		if listeners.is_empty() {
			state.listeners.remove(&key);
		}
		state.count -= removed;
		delivered
	}
}

/// Removes a listener when its subscription ends, however it ends.
struct Listening {
	hub: Arc<VisitHub>,
	key: ListenerKey,
	id: u64,
}

impl Drop for Listening {
	fn drop(&mut self) {
		self.hub.unlisten(&self.key, self.id);
	}
}

/// Serves the `ehr_visit*` methods, and checks and delivers what other nodes relay.
pub struct Visits<C, B> {
	client: Arc<C>,
	hub: Arc<VisitHub>,
	config: VisitConfig,
	genesis: Hash,
	_backend: std::marker::PhantomData<B>,
}

impl<C, B> Clone for Visits<C, B> {
	fn clone(&self) -> Self {
		Self {
			client: self.client.clone(),
			hub: self.hub.clone(),
			config: self.config.clone(),
			genesis: self.genesis,
			_backend: Default::default(),
		}
	}
}

impl<C, B> Visits<C, B>
where
	C: HeaderBackend<Block> + StorageProvider<Block, B> + Send + Sync + 'static,
	B: Backend<Block> + Send + Sync + 'static,
{
	/// Serve from `client`, with the node's one `hub`.
	pub fn new(client: Arc<C>, hub: Arc<VisitHub>, config: VisitConfig) -> Self {
		let genesis = client.info().genesis_hash;
		Self { client, hub, config, genesis, _backend: Default::default() }
	}

	/// The appointment `id` at the best block, if it is a confirmed video visit between `a` and
	/// `b` (in either order) whose window holds `now`: its end, in ms since the Unix epoch.
	fn current_visit(
		&self,
		id: u64,
		a: &AccountId,
		b: Option<&AccountId>,
		now: u64,
	) -> Result<u64, ErrorObjectOwned> {
		let refused = |why: &str| ErrorCode::VisitRefused.error(why);
		let at = self.client.info().best_hash;
		let key = pallet_ehr_appointments::Appointments::<Runtime>::hashed_key_for(id);
		let stored = self
			.client
			.storage(at, &StorageKey(key))
			.map_err(|e| ErrorCode::Runtime.error(e))?
			.ok_or_else(|| refused("no appointment has this number"))?;
		let appointment =
			pallet_ehr_appointments::AppointmentOf::<Runtime>::decode(&mut &stored.0[..])
				.map_err(|e| ErrorCode::Runtime.error(e))?;
		let parties = [&appointment.patient, &appointment.doctor];
		let is_party = |who: &AccountId| parties.contains(&who);
		if !is_party(a) || b.is_some_and(|b| !is_party(b) || b == a) {
			return Err(refused("only the patient and the doctor of the appointment take part"));
		}
		if appointment.kind != VisitKind::Video {
			return Err(refused("the appointment is in person, not by video"));
		}
		if appointment.status != AppointmentStatus::Confirmed {
			return Err(refused("the appointment is not confirmed (or has ended)"));
		}
		let end =
			appointment.start.saturating_add(u64::from(appointment.duration_minutes) * 60_000);
		if now.saturating_add(VISIT_EARLY_MS) < appointment.start {
			return Err(refused("too early: the call opens 10 minutes before the visit"));
		}
		if now > end.saturating_add(VISIT_LATE_MS) {
			return Err(refused("the visit's time is over"));
		}
		Ok(end)
	}

	/// The value at `key` in the best block's state.
	fn read<T: Decode>(&self, key: Vec<u8>) -> Result<Option<T>, ErrorObjectOwned> {
		let at = self.client.info().best_hash;
		let Some(stored) =
			self.client.storage(at, &StorageKey(key)).map_err(|e| ErrorCode::Runtime.error(e))?
		else {
			return Ok(None);
		};
		T::decode(&mut &stored.0[..]).map(Some).map_err(|e| ErrorCode::Runtime.error(e))
	}

	/// `doctor`'s hospital and the end of its shift, if it is an active doctor on call at `now`
	/// in its hospital's roster (at the best block).
	fn on_call_now(
		&self,
		doctor: &AccountId,
		now: u64,
	) -> Result<(AccountId, u64), ErrorObjectOwned> {
		let refused = |why: &str| ErrorCode::VisitRefused.error(why);
		let info: pallet_ehr_identity::DoctorOf<Runtime> = self
			.read(pallet_ehr_identity::Doctors::<Runtime>::hashed_key_for(doctor))?
			.ok_or_else(|| refused("this account is no doctor"))?;
		if info.status != DoctorStatus::Active {
			return Err(refused("this doctor is suspended"));
		}
		let roster: pallet_ehr_appointments::RosterOf<Runtime> = self
			.read(pallet_ehr_appointments::OnCall::<Runtime>::hashed_key_for(&info.hospital))?
			.unwrap_or_default();
		let shift = roster
			.iter()
			.find(|shift| &shift.doctor == doctor && shift.holds(now))
			.ok_or_else(|| refused("this doctor is not on call now in its hospital's roster"))?;
		Ok((info.hospital.clone(), shift.until))
	}

	/// Checks `signal` and hands it to its recipient's listeners on this node: how many took it.
	fn take_signal(&self, signal: &VisitSignal) -> Result<u32, ErrorObjectOwned> {
		// The cheap checks first; the signature only for a message that could be forwarded.
		if signal.sealed.len() > MAX_VISIT_SIGNAL {
			return Err(ErrorCode::VisitLimit.error(format!(
				"the message is {} bytes, more than {MAX_VISIT_SIGNAL}",
				signal.sealed.len()
			)));
		}
		let now = now_ms();
		check_time(signal.sent_at, now)?;
		self.current_visit(signal.appointment, &signal.from, Some(&signal.to), now)?;
		let payload = visit_signal_payload(&self.genesis, signal);
		check_signature(&signal.from, &payload, &signal.signature)?;
		if self.hub.seen(&signal.signature) {
			return Err(ErrorCode::VisitRefused.error("this message was sent before"));
		}
		// Only what the rate lets through is remembered (a refused flood fills nothing).
		self.hub.spend(&signal.from, Instant::now()).map_err(|e| ErrorCode::VisitLimit.error(e))?;
		let remember_until = signal.sent_at.saturating_add(2 * VISIT_CLOCK_SKEW_MS);
		self.hub
			.remember(&signal.signature, now, remember_until)
			.map_err(|e| ErrorCode::VisitLimit.error(e))?;
		Ok(self.hub.forward(signal))
	}

	/// Checks a patient's call to `hospital` signed at `at`.
	fn check_ring(
		&self,
		hospital: &AccountId,
		patient: &AccountId,
		at: u64,
		signature: &[u8],
		now: u64,
	) -> Result<(), ErrorObjectOwned> {
		check_time(at, now)?;
		let payload = on_call_ring_payload(&self.genesis, hospital, patient, at);
		check_signature(patient, &payload, signature)?;
		if self.hub.seen(signature) {
			return Err(ErrorCode::VisitRefused.error("this call was placed before"));
		}
		let registered = self
			.read::<pallet_ehr_identity::PatientOf<Runtime>>(pallet_ehr_identity::Patients::<
				Runtime,
			>::hashed_key_for(patient))?
			.is_some();
		if !registered {
			return Err(ErrorCode::VisitRefused.error("only a registered patient calls"));
		}
		Ok(())
	}

	/// The doctors listening on this node for `hospital`'s calls who are on call there now (the
	/// chain's state read without holding the hub).
	fn on_call_here(&self, hospital: &AccountId, now: u64) -> Vec<AccountId> {
		self.hub
			.on_call
			.listening(hospital)
			.into_iter()
			.filter(|doctor| self.on_call_now(doctor, now).is_ok_and(|(of, _)| &of == hospital))
			.collect()
	}

	/// Checks `doctor`'s answer to call `ring`, in progress on this node, signed at `at`.
	fn check_answer(
		&self,
		ring: u64,
		doctor: &AccountId,
		at: u64,
		signature: &[u8],
		now: u64,
	) -> Result<(), ErrorObjectOwned> {
		let refused = |why: &str| ErrorCode::VisitRefused.error(why);
		check_time(at, now)?;
		let patient =
			self.hub.on_call.caller(ring).ok_or_else(|| refused("this call has ended"))?;
		check_signature(doctor, &on_call_answer_payload(&patient, doctor, at), signature)?;
		let (hospital, _) = self.on_call_now(doctor, now)?;
		if self.hub.on_call.hospital_of(ring) != Some(hospital) {
			return Err(refused("this doctor is not on call for the hospital called"));
		}
		Ok(())
	}

	/// Checks `message`, relayed by peer `source` (its identity's bytes), and hands it to this
	/// node's listeners (and sends what follows from it to every peer): whether it goes on to
	/// the other peers.
	fn take_relayed(&self, source: &[u8], message: &Relayed) -> Result<bool, ErrorObjectOwned> {
		let now = now_ms();
		let limit = |why: String| ErrorCode::VisitLimit.error(why);
		let remember_until = |at: u64| at.saturating_add(2 * VISIT_CLOCK_SKEW_MS);
		match message {
			Relayed::Signal { appointment, from, to, sent_at, sealed, signature } => {
				if self.hub.seen(signature) {
					return Ok(false);
				}
				let signal = VisitSignal {
					appointment: *appointment,
					from: from.clone(),
					to: to.clone(),
					sent_at: *sent_at,
					sealed: sealed.clone().into(),
					signature: signature.clone().into(),
				};
				self.take_signal(&signal)?;
				Ok(true)
			}
			Relayed::Ring { hospital, patient, at, signature } => {
				if self.hub.seen(signature) {
					return Ok(false);
				}
				self.check_ring(hospital, patient, *at, signature, now)?;
				let ring = crate::on_call::ring_number(signature);
				let on_call = self.on_call_here(hospital, now);
				// The patient's calls count here too: a call over its limits stops here, and only
				// a call taken is remembered.
				let rung = self
					.hub
					.on_call
					.ring_relayed(ring, patient, hospital, Instant::now(), &on_call, source)
					.map_err(limit)?;
				if let Err(why) = self.hub.remember(signature, now, remember_until(*at)) {
					self.hub.on_call.end(ring);
					return Err(limit(why));
				}
				if !rung.is_empty() {
					self.hub.relay.send(Relayed::Rang { ring, doctors: rung });
				}
				Ok(true)
			}
			Relayed::Rang { ring, doctors } => {
				if doctors.len() > crate::relay::MAX_RANG {
					return Err(limit(format!("more than {} doctors", crate::relay::MAX_RANG)));
				}
				let Some(hospital) = self.hub.on_call.hospital_of(*ring) else { return Ok(false) };
				// Only the doctors not known here yet are read from the chain.
				let on_call: Vec<AccountId> = self
					.hub
					.on_call
					.not_known_to_ring(*ring, doctors)
					.iter()
					.filter(|doctor| {
						self.on_call_now(doctor, now).is_ok_and(|(of, _)| of == hospital)
					})
					.cloned()
					.collect();
				Ok(self.hub.on_call.rang(*ring, &on_call))
			}
			Relayed::Answer { ring, doctor, at, signature } => {
				// The same signature also travels in `Taken`: its own key here.
				let seen_as = [&b"answer:"[..], signature].concat();
				if self.hub.seen(&seen_as) {
					return Ok(false);
				}
				self.check_answer(*ring, doctor, *at, signature, now)?;
				self.hub.remember(&seen_as, now, remember_until(*at)).map_err(limit)?;
				if !self.hub.on_call.is_placed_here(*ring) {
					return Ok(true);
				}
				// The patient calls through this node: the first answer takes the call, and the
				// others learn whose it is.
				if self.hub.on_call.answer_relayed(*ring, doctor, *at, signature) {
					self.hub.relay.send(Relayed::Taken {
						ring: *ring,
						doctor: doctor.clone(),
						at: *at,
						signature: signature.clone(),
					});
				}
				Ok(false)
			}
			Relayed::Taken { ring, doctor, at, signature } => {
				let seen_as = [&b"taken:"[..], signature].concat();
				if self.hub.seen(&seen_as) {
					return Ok(false);
				}
				self.check_answer(*ring, doctor, *at, signature, now)?;
				if !self.hub.on_call.taken(*ring, doctor, source) {
					return Ok(false);
				}
				self.hub.remember(&seen_as, now, remember_until(*at)).map_err(limit)?;
				Ok(true)
			}
			Relayed::Ready { ring, appointment, patient, at, signature } => {
				if self.hub.seen(signature) {
					return Ok(false);
				}
				check_time(*at, now)?;
				let payload =
					on_call_ready_payload(&self.genesis, *ring, *appointment, patient, *at);
				check_signature(patient, &payload, signature)?;
				let doctor = self
					.hub
					.on_call
					.answered_by(*ring, patient)
					.map_err(|why| ErrorCode::VisitRefused.error(why))?;
				self.current_visit(*appointment, patient, Some(&doctor), now)?;
				self.hub.remember(signature, now, remember_until(*at)).map_err(limit)?;
				self.hub.on_call.ready(*ring, *appointment);
				Ok(true)
			}
			Relayed::Ended { ring } => Ok(self.hub.on_call.end_relayed(*ring, source)),
		}
	}
}

impl<C, B> crate::relay::Deliver for Visits<C, B>
where
	C: HeaderBackend<Block> + StorageProvider<Block, B> + Send + Sync + 'static,
	B: Backend<Block> + Send + Sync + 'static,
{
	fn relayed(&self, source: &[u8], message: Relayed) -> Onward {
		match self.take_relayed(source, &message) {
			Ok(true) => Onward::Pass(message),
			Ok(false) => Onward::Seen,
			Err(error) => Onward::Refused(error.message().to_string()),
		}
	}

	fn outbox(&self) -> &crate::relay::Outbox {
		&self.hub.relay
	}

	fn expire(&self, now: Instant) {
		self.hub.on_call.expire(now);
	}
}

fn now_ms() -> u64 {
	SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// Checks that the signed time `at` is close to the node's clock.
fn check_time(at: u64, now: u64) -> Result<(), ErrorObjectOwned> {
	if at.abs_diff(now) > VISIT_CLOCK_SKEW_MS {
		return Err(ErrorCode::VisitRefused.error(format!(
			"the signed time is {} s from this node's clock (at most {} s): check the device's clock",
			at.abs_diff(now) / 1000,
			VISIT_CLOCK_SKEW_MS / 1000
		)));
	}
	Ok(())
}

/// Checks that `account` signed `payload`.
fn check_signature(
	account: &AccountId,
	payload: &[u8],
	signature: &[u8],
) -> Result<(), ErrorObjectOwned> {
	let signature = sr25519::Signature::try_from(signature)
		.map_err(|_| ErrorCode::VisitRefused.error("a signature is 64 bytes"))?;
	let public = sr25519::Public::from_raw(*<AccountId as AsRef<[u8; 32]>>::as_ref(account));
	if !sr25519::Pair::verify(&signature, payload, &public) {
		return Err(ErrorCode::VisitRefused.error("the signature is not the account's"));
	}
	Ok(())
}

/// The TURN REST credentials for `account` until `expires` (ms since the Unix epoch).
fn turn_credentials(turn: &Turn, account: &AccountId, expires: u64) -> IceServers {
	let username = format!("{}:{}", expires / 1000, account);
	let mut mac =
		Hmac::<sha1::Sha1>::new_from_slice(&turn.secret).expect("HMAC takes keys of any length");
	mac.update(username.as_bytes());
	let credential = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
	IceServers { urls: turn.urls.clone(), username, credential, expires_at: expires }
}

#[jsonrpsee::core::async_trait]
impl<C, B> VisitRpcServer for Visits<C, B>
where
	C: HeaderBackend<Block> + StorageProvider<Block, B> + Send + Sync + 'static,
	B: Backend<Block> + Send + Sync + 'static,
{
	fn visit_signal(&self, signal: VisitSignal) -> RpcResult<u32> {
		let delivered = self.take_signal(&signal)?;
		// The recipient may listen on another node (too).
		self.hub.relay.send(Relayed::Signal {
			appointment: signal.appointment,
			from: signal.from,
			to: signal.to,
			sent_at: signal.sent_at,
			sealed: signal.sealed.0,
			signature: signal.signature.0,
		});
		Ok(delivered)
	}

	fn visit_ice_servers(
		&self,
		appointment: u64,
		account: AccountId,
		at: u64,
		signature: Bytes,
	) -> RpcResult<IceServers> {
		let turn = self.config.turn.as_ref().ok_or_else(|| {
			ErrorCode::NoTurn.error("this node gives no TURN credentials (no --turn-url)")
		})?;
		let now = now_ms();
		check_time(at, now)?;
		let end = self.current_visit(appointment, &account, None, now)?;
		let payload = visit_ice_payload(&self.genesis, appointment, &account, at);
		check_signature(&account, &payload, &signature)?;
		let expires = end.saturating_add(VISIT_LATE_MS).min(now.saturating_add(TURN_CREDENTIAL_MS));
		Ok(turn_credentials(turn, &account, expires))
	}

	async fn visit_listen(
		&self,
		pending: PendingSubscriptionSink,
		appointment: u64,
		account: AccountId,
		at: u64,
		signature: Bytes,
	) -> SubscriptionResult {
		let now = now_ms();
		let checked = check_time(at, now)
			.and_then(|()| self.current_visit(appointment, &account, None, now))
			.and_then(|end| {
				let payload = visit_listen_payload(&self.genesis, appointment, &account, at);
				check_signature(&account, &payload, &signature).map(|()| end)
			});
		let end = match checked {
			Ok(end) => end,
			Err(error) => {
				pending.reject(error).await;
				return Ok(());
			}
		};
		let key = (account, appointment);
		let (id, mut messages) = match self.hub.listen(&key) {
			Ok(listener) => listener,
			Err(why) => {
				pending.reject(ErrorCode::VisitLimit.error(why)).await;
				return Ok(());
			}
		};
		let _listening = Listening { hub: self.hub.clone(), key, id };
		let sink = pending.accept().await?;
		// The subscription ends with the visit's window (or when the client leaves).
		let left = end.saturating_add(VISIT_LATE_MS).saturating_sub(now_ms());
		let over = tokio::time::sleep(Duration::from_millis(left)).fuse();
		let closed = sink.closed().fuse();
		futures::pin_mut!(closed, over);
		loop {
			futures::select! {
				message = messages.next() => match message {
					Some(message) => sink.send(SubscriptionMessage::from_json(&message)?).await?,
					None => break,
				},
				_ = closed => break,
				_ = over => break,
			}
		}
		Ok(())
	}

	async fn on_call_listen(
		&self,
		pending: PendingSubscriptionSink,
		doctor: AccountId,
		at: u64,
		signature: Bytes,
	) -> SubscriptionResult {
		let now = now_ms();
		let checked = check_time(at, now).and_then(|()| {
			let payload = on_call_listen_payload(&self.genesis, &doctor, at);
			check_signature(&doctor, &payload, &signature)?;
			// A listening proof seen by someone else cannot take the doctor's places.
			if self.hub.seen(&signature) {
				return Err(ErrorCode::VisitRefused.error("this listening proof was used before"));
			}
			let found = self.on_call_now(&doctor, now)?;
			self.hub
				.remember(&signature, now, at.saturating_add(2 * VISIT_CLOCK_SKEW_MS))
				.map_err(|e| ErrorCode::VisitLimit.error(e))?;
			Ok(found)
		});
		let (hospital, until) = match checked {
			Ok(found) => found,
			Err(error) => {
				pending.reject(error).await;
				return Ok(());
			}
		};
		let (id, mut events) = match self.hub.on_call.listen(&hospital, &doctor) {
			Ok(listener) => listener,
			Err(why) => {
				pending.reject(ErrorCode::VisitLimit.error(why)).await;
				return Ok(());
			}
		};
		struct Unlisten<'a>(&'a crate::on_call::OnCallHub, AccountId, u64);
		impl Drop for Unlisten<'_> {
			fn drop(&mut self) {
				self.0.unlisten(&self.1, self.2);
			}
		}
		let _listening = Unlisten(&self.hub.on_call, hospital, id);
		let sink = pending.accept().await?;
		// Until the shift ends (a roster changed meanwhile is checked again on each call).
		let over = tokio::time::sleep(Duration::from_millis(until.saturating_sub(now_ms()))).fuse();
		let closed = sink.closed().fuse();
		futures::pin_mut!(closed, over);
		loop {
			futures::select! {
				event = events.next() => match event {
					Some(event) => sink.send(SubscriptionMessage::from_json(&event)?).await?,
					None => break,
				},
				_ = closed => break,
				_ = over => break,
			}
		}
		Ok(())
	}

	async fn on_call_ring(
		&self,
		pending: PendingSubscriptionSink,
		hospital: AccountId,
		patient: AccountId,
		at: u64,
		signature: Bytes,
	) -> SubscriptionResult {
		let now = now_ms();
		if let Err(error) = self.check_ring(&hospital, &patient, at, &signature, now) {
			pending.reject(error).await;
			return Ok(());
		}
		let on_call = self.on_call_here(&hospital, now);
		let ring = crate::on_call::ring_number(&signature);
		let placed =
			match self.hub.on_call.ring(ring, &patient, &hospital, Instant::now(), &on_call) {
				Ok(placed) => placed,
				Err(why) => {
					pending.reject(ErrorCode::VisitLimit.error(why)).await;
					return Ok(());
				}
			};
		if let Err(why) =
			self.hub.remember(&signature, now, at.saturating_add(2 * VISIT_CLOCK_SKEW_MS))
		{
			self.hub.on_call.end(ring);
			pending.reject(ErrorCode::VisitLimit.error(why)).await;
			return Ok(());
		}
		// The hospital's doctors may listen on other nodes.
		self.hub.relay.send(Relayed::Ring {
			hospital: hospital.clone(),
			patient: patient.clone(),
			at,
			signature: signature.0.clone(),
		});
		struct HangUp<'a>(&'a VisitHub, u64);
		impl Drop for HangUp<'_> {
			fn drop(&mut self) {
				self.0.on_call.end(self.1);
				self.0.relay.send(Relayed::Ended { ring: self.1 });
			}
		}
		let _hang_up = HangUp(&self.hub, placed.ring);
		let mut events = placed.events;
		let sink = pending.accept().await?;
		let mut first = RingEvent::Ringing { ring, doctors: placed.doctors };
		if placed.doctors == 0 && self.hub.relay.peers() > 0 {
			// Nobody rings on this node: the other nodes say whom they ring.
			if let Ok(Some(event)) = tokio::time::timeout(RANG_WAIT, events.next()).await {
				first = event;
			}
		}
		let nobody = first == RingEvent::Ringing { ring, doctors: 0 };
		sink.send(SubscriptionMessage::from_json(&first)?).await?;
		if nobody {
			return Ok(());
		}
		// Rings for RING_MS; once answered, stays for READY_MS so that the patient's app can
		// say which visit it made.
		let unanswered = tokio::time::sleep(Duration::from_millis(RING_MS)).fuse();
		let over = tokio::time::sleep(Duration::from_millis(RING_MS + READY_MS)).fuse();
		let closed = sink.closed().fuse();
		futures::pin_mut!(closed, unanswered, over);
		loop {
			futures::select! {
				event = events.next() => match event {
					Some(event) => sink.send(SubscriptionMessage::from_json(&event)?).await?,
					None => break,
				},
				_ = unanswered => if !self.hub.on_call.is_answered(ring) {
					sink.send(SubscriptionMessage::from_json(&RingEvent::NoAnswer { ring })?)
						.await?;
					break;
				},
				_ = closed => break,
				_ = over => break,
			}
		}
		Ok(())
	}

	fn on_call_answer(
		&self,
		ring: u64,
		doctor: AccountId,
		at: u64,
		signature: Bytes,
	) -> RpcResult<AccountId> {
		let now = now_ms();
		check_time(at, now)?;
		let patient = self
			.hub
			.on_call
			.caller(ring)
			.ok_or_else(|| ErrorCode::VisitRefused.error("this call has ended"))?;
		// The answer the chain checks when the patient's app makes the visit.
		let payload = on_call_answer_payload(&patient, &doctor, at);
		check_signature(&doctor, &payload, &signature)?;
		self.on_call_now(&doctor, now)?;
		// An answer is used once, on every node: one seen (here, or relayed) cannot answer
		// another call of the same patient.
		let seen_as = [&b"answer:"[..], &signature[..]].concat();
		if self.hub.seen(&seen_as) {
			return Err(ErrorCode::VisitRefused.error("this answer was used before"));
		}
		let (patient, placed_here) = self
			.hub
			.on_call
			.answer(ring, &doctor, at, &signature)
			.map_err(|why| ErrorCode::VisitRefused.error(why))?;
		self.hub
			.remember(&seen_as, now, at.saturating_add(2 * VISIT_CLOCK_SKEW_MS))
			.map_err(|e| ErrorCode::VisitLimit.error(e))?;
		// The patient's node takes the first answer it hears of and tells the others whose the
		// call is; an answer here to a call placed elsewhere goes to it.
		let (doctor, signature) = (doctor, signature.0);
		self.hub.relay.send(if placed_here {
			Relayed::Taken { ring, doctor, at, signature }
		} else {
			Relayed::Answer { ring, doctor, at, signature }
		});
		Ok(patient)
	}

	fn on_call_ready(
		&self,
		ring: u64,
		appointment: u64,
		patient: AccountId,
		at: u64,
		signature: Bytes,
	) -> RpcResult<()> {
		let now = now_ms();
		check_time(at, now)?;
		let payload = on_call_ready_payload(&self.genesis, ring, appointment, &patient, at);
		check_signature(&patient, &payload, &signature)?;
		let doctor = self
			.hub
			.on_call
			.answered_by(ring, &patient)
			.map_err(|why| ErrorCode::VisitRefused.error(why))?;
		// The visit on chain is theirs, by video, now.
		self.current_visit(appointment, &patient, Some(&doctor), now)?;
		let told = self.hub.on_call.ready(ring, appointment);
		if !self.hub.on_call.answered_here(ring) && self.hub.relay.peers() > 0 {
			// The doctor answered through another node.
			self.hub.relay.send(Relayed::Ready {
				ring,
				appointment,
				patient,
				at,
				signature: signature.0,
			});
			return Ok(());
		}
		if told == 0 {
			return Err(ErrorCode::VisitRefused
				.error("the doctor who answered no longer listens on this node (or its node is not reachable)"));
		}
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn account(seed: &str) -> (sr25519::Pair, AccountId) {
		let pair = sr25519::Pair::from_string(seed, None).unwrap();
		let account = AccountId::from(pair.public().0);
		(pair, account)
	}

	#[test]
	fn a_sender_gets_its_burst_then_its_rate() {
		let hub = VisitHub::default();
		let (_, alice) = account("//Alice");
		let start = Instant::now();
		for _ in 0..SIGNAL_BURST as usize {
			hub.spend(&alice, start).unwrap();
		}
		let refused = hub.spend(&alice, start).unwrap_err();
		assert!(refused.contains("try again in 0.5 s"), "{refused}");
		// Half a second later, one more.
		hub.spend(&alice, start + Duration::from_millis(500)).unwrap();
		assert!(hub.spend(&alice, start + Duration::from_millis(500)).is_err());
		// Another sender is not held back by Alice's rate.
		hub.spend(&account("//Bob").1, start).unwrap();
	}

	#[test]
	fn listeners_are_bounded_and_removed_when_they_end() {
		let hub = Arc::new(VisitHub::default());
		let (_, alice) = account("//Alice");
		let key = (alice.clone(), 7);
		let mut held = Vec::new();
		for _ in 0..MAX_LISTENERS_PER_ACCOUNT {
			held.push(hub.listen(&key).unwrap());
		}
		assert!(hub.listen(&key).unwrap_err().contains("close another tab"));
		let (id, _) = held.pop().unwrap();
		drop(Listening { hub: hub.clone(), key: key.clone(), id });
		hub.listen(&key).unwrap();
		assert_eq!(hub.state().count, MAX_LISTENERS_PER_ACCOUNT);
	}

	#[test]
	fn a_message_reaches_only_the_recipients_listeners() {
		let hub = VisitHub::default();
		let (_, alice) = account("//Alice");
		let (_, bob) = account("//Bob");
		let (_, mut to_alice) = hub.listen(&(alice.clone(), 0)).unwrap();
		let (_, mut to_bob) = hub.listen(&(bob.clone(), 0)).unwrap();
		// Bob listening to another visit of his hears nothing of this one.
		let (_, mut other_visit) = hub.listen(&(bob.clone(), 1)).unwrap();
		let signal = VisitSignal {
			appointment: 0,
			from: alice.clone(),
			to: bob.clone(),
			sent_at: 0,
			sealed: Bytes(vec![1, 2, 3]),
			signature: Bytes(vec![0; 64]),
		};
		assert_eq!(hub.forward(&signal), 1);
		assert_eq!(to_bob.try_recv().unwrap(), signal);
		assert!(to_alice.try_recv().is_err(), "nothing for the sender");
		assert!(other_visit.try_recv().is_err(), "nothing for another visit");
		// A listener that stopped taking messages is dropped, not waited for, nor counted.
		drop(to_bob);
		assert_eq!(hub.forward(&signal), 0);
		assert!(!hub.state().listeners.contains_key(&(bob.clone(), 0)));
		assert_eq!(hub.state().count, 2);
	}

	#[test]
	fn signatures_and_times_are_checked() {
		let (pair, alice) = account("//Alice");
		let (_, bob) = account("//Bob");
		let genesis = Hash::repeat_byte(7);
		let now = 1_800_000_000_000;
		let payload = visit_listen_payload(&genesis, 3, &alice, now);
		let signature = pair.sign(&payload);
		check_time(now, now + 1000).unwrap();
		check_signature(&alice, &payload, &signature.0).unwrap();
		// Someone else's account, another time or visit, an old proof, a short signature.
		assert!(check_signature(&bob, &payload, &signature.0).is_err());
		let later = visit_listen_payload(&genesis, 3, &alice, now + 1);
		assert!(check_signature(&alice, &later, &signature.0).is_err());
		let other = visit_listen_payload(&genesis, 4, &alice, now);
		assert!(check_signature(&alice, &other, &signature.0).is_err());
		let stale = check_time(now, now + 61_000).unwrap_err();
		assert!(stale.message().contains("check the device's clock"), "{stale:?}");
		assert!(check_signature(&alice, &payload, &signature.0[..63]).is_err());
	}

	#[test]
	fn the_same_message_is_forwarded_once() {
		let hub = VisitHub::default();
		let now = 1_800_000_000_000;
		assert!(!hub.seen(&[1; 64]));
		hub.remember(&[1; 64], now, now + 120_000).unwrap();
		assert!(hub.seen(&[1; 64]));
		// Twice (two requests at once that both passed `seen`): the second is refused.
		assert!(hub.remember(&[1; 64], now, now + 120_000).unwrap_err().contains("used before"));
		assert!(!hub.seen(&[2; 64]));
		// Full of messages still within their time: refused; once they are past it, room again.
		for i in 1..MAX_SEEN as u32 {
			hub.remember(&i.to_le_bytes(), now, now + 120_000).unwrap();
		}
		assert!(hub.remember(&[3; 64], now, now + 120_000).is_err());
		hub.remember(&[3; 64], now + 120_001, now + 240_000).unwrap();
		assert!(hub.seen(&[3; 64]) && !hub.seen(&[1; 64]));
	}

	#[test]
	fn turn_credentials_follow_the_turn_rest_scheme() {
		// coturn checks base64(HMAC-SHA1(secret, "expiry:user")); the value below is Python's
		// `base64.b64encode(hmac.new(b"s3cret", b"1800000000:5Grw…utQY", "sha1").digest())`.
		let (_, alice) = account("//Alice");
		let turn = Turn { urls: vec!["turn:127.0.0.1:3478".into()], secret: b"s3cret".to_vec() };
		let servers = turn_credentials(&turn, &alice, 1_800_000_000_999);
		assert_eq!(servers.username, "1800000000:5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
		assert_eq!(servers.credential, "PP8m5R2kV2Bh6PXFNMry7CXRM9A=");
		assert_eq!(servers.expires_at, 1_800_000_000_999);
	}
}
