//! The doctor on call: patients' calls to a hospital ring its doctors on call, live.
//!
//! A doctor on call keeps an `ehr_onCallListen` subscription open on its hospital's node. A
//! patient who calls the hospital (`ehr_onCallRing`) rings every one of them who is on call now
//! (the roster at the best block) and listens on this node; the first `ehr_onCallAnswer` takes
//! the call, and the others are told to stop. The patient's app then makes the visit on chain
//! (`on_call_visit`, with the consent the patient chose) and tells the doctor its number
//! (`ehr_onCallReady`); from there the call is a video visit's call like a booked one.
//!
//! The doctors of a hospital listen on its node, and a patient calls through whichever node its
//! app talks to: the consortium's nodes relay the call, the answers and the visit's number to
//! each other ([`crate::relay`]). The node the patient calls through keeps the call (it tells the
//! patient, and the first answer it learns of takes the call); the other nodes ring their own
//! listeners, pass answers on, and follow what the patient's node settled.
//!
//! What this keeps: the listeners and the calls ringing or answered, in memory, each removed
//! when its subscription ends (a call relayed from another node: when that node says it ended,
//! or after its time). What it bounds, on each node: listeners
//! ([`MAX_ON_CALL_LISTENERS`], [`MAX_ON_CALL_LISTENERS_PER_DOCTOR`] per doctor), calls at once
//! ([`MAX_RINGS`]), one call at a time per patient, and each patient's calls ([`RING_BURST`],
//! then one every [`RING_REFILL_SECONDS`]), so that nobody can keep a hospital's doctors
//! ringing. The chain does not take the node's word for an answer: the visit needs the
//! doctor's signed answer for that patient (`on_call_visit`).

use std::{
	collections::HashMap,
	sync::Mutex,
	time::{Duration, Instant},
};

use ehr_rpc_api::{OnCallEvent, RingEvent, READY_MS, RING_MS};
use ehr_runtime::AccountId;
use futures::channel::mpsc;

/// Most `ehr_onCallListen` subscriptions of one doctor on one node (tabs and devices).
pub const MAX_ON_CALL_LISTENERS_PER_DOCTOR: usize = 4;
/// Most `ehr_onCallListen` subscriptions on one node.
pub const MAX_ON_CALL_LISTENERS: usize = 4096;
/// Most calls ringing or waiting for their visit at once on one node.
pub const MAX_RINGS: usize = 1024;
/// A patient's calls in a row…
pub const RING_BURST: f64 = 3.0;
/// …then one more every this many seconds.
pub const RING_REFILL_SECONDS: f64 = 20.0;
/// Events waiting for one slow listener before further ones to it are dropped.
const QUEUE: usize = 16;

struct Listener {
	id: u64,
	doctor: AccountId,
	tx: mpsc::Sender<OnCallEvent>,
}

struct Ring {
	patient: AccountId,
	hospital: AccountId,
	/// The doctors it rang on this node.
	rung: Vec<AccountId>,
	/// The doctors other nodes said they rang (for the count the patient sees).
	rung_elsewhere: Vec<AccountId>,
	answered_by: Option<AccountId>,
	/// Whether the doctor who answered listens on this node.
	answered_here: bool,
	/// Whether the answer is the call's (the patient's node took it); a doctor of this node
	/// who answered a call relayed from another node holds it only until that node settles.
	settled: bool,
	/// Whether the doctor who answered was told the visit's number.
	ready: bool,
	/// The patient's subscription, when the patient calls through this node.
	tx: Option<mpsc::Sender<RingEvent>>,
	/// The peer that relayed the call here first (its identity's bytes), when the patient
	/// calls through another node: the only peer whose word on the call's outcome is taken.
	source: Option<Vec<u8>>,
	/// When it started ringing here.
	placed: Instant,
	/// Updates of the count of doctors ringing sent to the patient.
	updates: u8,
}

#[derive(Default)]
struct State {
	next_id: u64,
	/// The doctors on call listening, by hospital.
	listeners: HashMap<AccountId, Vec<Listener>>,
	count: usize,
	rings: HashMap<u64, Ring>,
	/// Each patient's call in progress.
	calling: HashMap<AccountId, u64>,
	/// Each patient's allowance of calls: (tokens, when counted).
	allowance: HashMap<AccountId, (f64, Instant)>,
}

/// The doctors on call listening and the calls in progress on this node.
#[derive(Default)]
pub struct OnCallHub {
	state: Mutex<State>,
}

/// A new call: its number, how many doctors it rang, and what the patient will be told.
#[derive(Debug)]
pub struct Placed {
	pub ring: u64,
	pub doctors: u32,
	pub events: mpsc::Receiver<RingEvent>,
}

/// The number of the call a patient placed with `signature` (its signature of the call), the
/// same on every node: 53 bits of its hash, so that JavaScript reads it exactly.
pub fn ring_number(signature: &[u8]) -> u64 {
	let hash = sp_io::hashing::blake2_256(signature);
	u64::from_le_bytes(hash[..8].try_into().expect("8 of 32 bytes")) >> 11
}

/// How a call relayed from another node is forgotten here when that node does not say it ended:
/// unanswered after [`RING_MS`], answered after [`RING_MS`] and [`READY_MS`], each with a margin
/// for the network.
const RELAYED_MARGIN: Duration = Duration::from_secs(10);
/// Most updates of the count of doctors ringing one call sends the patient (the rest are
/// dropped, so that they never crowd out the answer in the patient's queue).
const MAX_UPDATES: u8 = 4;

impl OnCallHub {
	fn state(&self) -> std::sync::MutexGuard<'_, State> {
		self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}

	/// A new listener for `doctor`, on call for `hospital`, or the limit it is over.
	pub fn listen(
		&self,
		hospital: &AccountId,
		doctor: &AccountId,
	) -> Result<(u64, mpsc::Receiver<OnCallEvent>), String> {
		let mut state = self.state();
		if state.count >= MAX_ON_CALL_LISTENERS {
			return Err(format!(
				"this node has {MAX_ON_CALL_LISTENERS} doctors on call listening already: try another node"
			));
		}
		let id = state.next_id;
		let mine = state.listeners.entry(hospital.clone()).or_default();
		if mine.iter().filter(|l| &l.doctor == doctor).count() >= MAX_ON_CALL_LISTENERS_PER_DOCTOR {
			return Err(format!(
				"this doctor listens for calls {MAX_ON_CALL_LISTENERS_PER_DOCTOR} times on this node already: close another tab or device first"
			));
		}
		let (tx, rx) = mpsc::channel(QUEUE);
		mine.push(Listener { id, doctor: doctor.clone(), tx });
		state.next_id += 1;
		state.count += 1;
		Ok((id, rx))
	}

	/// Removes listener `id` of `hospital`.
	pub fn unlisten(&self, hospital: &AccountId, id: u64) {
		let mut state = self.state();
		let Some(mine) = state.listeners.get_mut(hospital) else { return };
		let before = mine.len();
		mine.retain(|l| l.id != id);
		let removed = before - mine.len();
		if mine.is_empty() {
			state.listeners.remove(hospital);
		}
		state.count -= removed;
	}

	/// The doctors listening for `hospital`'s calls (each once).
	pub fn listening(&self, hospital: &AccountId) -> Vec<AccountId> {
		let state = self.state();
		let mut doctors: Vec<AccountId> = Vec::new();
		for listener in state.listeners.get(hospital).into_iter().flatten() {
			if !doctors.contains(&listener.doctor) {
				doctors.push(listener.doctor.clone());
			}
		}
		doctors
	}

	/// `patient` calls `hospital` through this node with call number `ring` ([`ring_number`]):
	/// rings the listening doctors among `on_call` (those the caller found on call now, from
	/// [`Self::listening`]).
	pub fn ring(
		&self,
		ring: u64,
		patient: &AccountId,
		hospital: &AccountId,
		now: Instant,
		on_call: &[AccountId],
	) -> Result<Placed, String> {
		let (tx, events) = mpsc::channel(QUEUE);
		let rung = self.place(ring, patient, hospital, now, on_call, Some(tx), None)?;
		Ok(Placed { ring, doctors: rung.len() as u32, events })
	}

	/// Call `ring` of `patient` to `hospital`, placed through another node and relayed here
	/// first by peer `source`: rings this node's listening doctors among `on_call`; the doctors
	/// it rang.
	pub fn ring_relayed(
		&self,
		ring: u64,
		patient: &AccountId,
		hospital: &AccountId,
		now: Instant,
		on_call: &[AccountId],
		source: &[u8],
	) -> Result<Vec<AccountId>, String> {
		self.place(ring, patient, hospital, now, on_call, None, Some(source.to_vec()))
	}

	fn place(
		&self,
		ring: u64,
		patient: &AccountId,
		hospital: &AccountId,
		now: Instant,
		on_call: &[AccountId],
		tx: Option<mpsc::Sender<RingEvent>>,
		source: Option<Vec<u8>>,
	) -> Result<Vec<AccountId>, String> {
		let mut state = self.state();
		if let Some(&earlier) = state.calling.get(patient) {
			let relayed = |ring: u64| state.rings.get(&ring).is_some_and(|c| c.tx.is_none());
			if tx.is_some() || !relayed(earlier) {
				return Err("this patient is calling already: hang up first".into());
			}
			// A newer call relayed here: the patient's earlier one ended (its end was lost, or
			// the patient calls through two nodes; the newer rings).
			let call = state.rings.remove(&earlier).expect("just found");
			Self::ended(&mut state, earlier, call);
		}
		if state.rings.len() >= MAX_RINGS {
			return Err("this node has too many calls in progress: try again shortly".into());
		}
		if state.rings.contains_key(&ring) {
			return Err("a call with this number is in progress: call again".into());
		}
		// The allowance: idle patients' full allowances are the same as forgotten ones.
		let full_after = Duration::from_secs_f64(RING_BURST * RING_REFILL_SECONDS);
		if state.allowance.len() >= 16_384 {
			state.allowance.retain(|_, (_, at)| now.duration_since(*at) < full_after);
		}
		let (tokens, at) = state.allowance.entry(patient.clone()).or_insert((RING_BURST, now));
		*tokens =
			(*tokens + now.duration_since(*at).as_secs_f64() / RING_REFILL_SECONDS).min(RING_BURST);
		*at = now;
		if *tokens < 1.0 {
			let wait = (1.0 - *tokens) * RING_REFILL_SECONDS;
			return Err(format!(
				"more than {RING_BURST} calls in a row: call again in {wait:.0} s"
			));
		}
		*tokens -= 1.0;
		let mut rung: Vec<AccountId> = Vec::new();
		let event =
			OnCallEvent::Ring { ring, patient: patient.clone(), hospital: hospital.clone() };
		if let Some(listeners) = state.listeners.get_mut(hospital) {
			for listener in listeners.iter_mut() {
				if !rung.contains(&listener.doctor) && on_call.contains(&listener.doctor) {
					rung.push(listener.doctor.clone());
				}
				if rung.contains(&listener.doctor) {
					let _ = listener.tx.try_send(event.clone());
				}
			}
		}
		state.rings.insert(
			ring,
			Ring {
				patient: patient.clone(),
				hospital: hospital.clone(),
				rung: rung.clone(),
				rung_elsewhere: Vec::new(),
				answered_by: None,
				answered_here: false,
				settled: false,
				ready: false,
				tx,
				source,
				placed: now,
				updates: 0,
			},
		);
		state.calling.insert(patient.clone(), ring);
		Ok(rung)
	}

	/// The hospital call `ring` is for, if it is in progress here.
	pub fn hospital_of(&self, ring: u64) -> Option<AccountId> {
		self.state().rings.get(&ring).map(|c| c.hospital.clone())
	}

	/// Whether the patient of call `ring` calls through this node.
	pub fn is_placed_here(&self, ring: u64) -> bool {
		self.state().rings.get(&ring).is_some_and(|c| c.tx.is_some())
	}

	/// Of `doctors`, those not known here to ring for call `ring` (each once; none when the
	/// call is not in progress here).
	pub fn not_known_to_ring(&self, ring: u64, doctors: &[AccountId]) -> Vec<AccountId> {
		let state = self.state();
		let Some(call) = state.rings.get(&ring) else { return Vec::new() };
		let mut new: Vec<AccountId> = Vec::new();
		for doctor in doctors {
			let known = call.rung.contains(doctor) || call.rung_elsewhere.contains(doctor);
			if !known && !new.contains(doctor) {
				new.push(doctor.clone());
			}
		}
		new
	}

	/// Another node rang `doctors` (checked by the caller to be on call for the call's
	/// hospital) for call `ring`: whether any was not known here yet. The patient, if it calls
	/// through this node, is told how many doctors ring in all (a few times at most).
	pub fn rang(&self, ring: u64, doctors: &[AccountId]) -> bool {
		let mut state = self.state();
		let Some(call) = state.rings.get_mut(&ring) else { return false };
		let mut new = false;
		for doctor in doctors {
			if !call.rung.contains(doctor) && !call.rung_elsewhere.contains(doctor) {
				call.rung_elsewhere.push(doctor.clone());
				new = true;
			}
		}
		if new && call.answered_by.is_none() && call.updates < MAX_UPDATES {
			let doctors = (call.rung.len() + call.rung_elsewhere.len()) as u32;
			if let Some(tx) = call.tx.as_mut() {
				call.updates += 1;
				let _ = tx.try_send(RingEvent::Ringing { ring, doctors });
			}
		}
		new
	}

	/// Who placed call `ring`, if it is in progress.
	pub fn caller(&self, ring: u64) -> Option<AccountId> {
		self.state().rings.get(&ring).map(|c| c.patient.clone())
	}

	/// `doctor`, listening on this node, answers call `ring` with its signed answer (checked by
	/// the caller): the patient who called and whether it calls through this node, or why not.
	/// The other doctors it rang here stop. When the patient calls through this node, it is told,
	/// with the answer, and the call is the doctor's; otherwise the doctor holds it until the
	/// patient's node settles it ([`Self::taken`]).
	pub fn answer(
		&self,
		ring: u64,
		doctor: &AccountId,
		answered_at: u64,
		answer: &[u8],
	) -> Result<(AccountId, bool), String> {
		let mut state = self.state();
		// One call at a time: an answer not yet followed by its visit holds the doctor (its
		// answers count on chain in time order, so a second would void the first).
		let busy = state.rings.iter().any(|(other, call)| {
			*other != ring && call.answered_by.as_ref() == Some(doctor) && !call.ready
		});
		if busy {
			return Err("this doctor answered another call whose visit is being made".into());
		}
		let call = state.rings.get_mut(&ring).ok_or("this call has ended")?;
		if !call.rung.contains(doctor) {
			return Err("this call did not ring this doctor".into());
		}
		let here = call.tx.is_some();
		match &call.answered_by {
			Some(by) if by == doctor => return Ok((call.patient.clone(), here)),
			Some(_) => return Err("another doctor answered this call".into()),
			None => {}
		}
		call.answered_by = Some(doctor.clone());
		call.answered_here = true;
		call.settled = here;
		if let Some(tx) = call.tx.as_mut() {
			let _ = tx.try_send(RingEvent::Answered {
				ring,
				doctor: doctor.clone(),
				answered_at,
				answer: answer.to_vec().into(),
			});
		}
		let patient = call.patient.clone();
		let hospital = call.hospital.clone();
		let stop = OnCallEvent::Stopped { ring, answered_by: Some(doctor.clone()) };
		Self::tell(&mut state, &hospital, ring, |d| d != doctor, &stop);
		Ok((patient, here))
	}

	/// `doctor` answered call `ring` on another node (its signed answer checked by the caller).
	/// When the patient calls through this node and nobody answered yet, the call is the
	/// doctor's: the patient is told, the doctors rung here stop, and `true` says to tell the
	/// other nodes ([`Self::taken`]).
	pub fn answer_relayed(
		&self,
		ring: u64,
		doctor: &AccountId,
		answered_at: u64,
		answer: &[u8],
	) -> bool {
		let mut state = self.state();
		let Some(call) = state.rings.get_mut(&ring) else { return false };
		let Some(tx) = call.tx.as_mut() else { return false };
		if call.answered_by.is_some() {
			return false;
		}
		let _ = tx.try_send(RingEvent::Answered {
			ring,
			doctor: doctor.clone(),
			answered_at,
			answer: answer.to_vec().into(),
		});
		call.answered_by = Some(doctor.clone());
		call.answered_here = false;
		call.settled = true;
		let hospital = call.hospital.clone();
		let stop = OnCallEvent::Stopped { ring, answered_by: Some(doctor.clone()) };
		Self::tell(&mut state, &hospital, ring, |_| true, &stop);
		true
	}

	/// The patient's node says, through `source`, call `ring` (relayed here) is `doctor`'s:
	/// the doctors rung here, including one of this node who answered too late, stop. Whether
	/// it was news here (only the peer that relayed the call here is heard).
	pub fn taken(&self, ring: u64, doctor: &AccountId, source: &[u8]) -> bool {
		let mut state = self.state();
		let Some(call) = state.rings.get_mut(&ring) else { return false };
		if call.source.as_deref() != Some(source) || call.settled {
			return false;
		}
		call.settled = true;
		if call.answered_by.as_ref() == Some(doctor) {
			return true;
		}
		call.answered_by = Some(doctor.clone());
		call.answered_here = false;
		let hospital = call.hospital.clone();
		let stop = OnCallEvent::Stopped { ring, answered_by: Some(doctor.clone()) };
		Self::tell(&mut state, &hospital, ring, |d| d != doctor, &stop);
		true
	}

	/// Whether the doctor who answered call `ring` listens on this node.
	pub fn answered_here(&self, ring: u64) -> bool {
		self.state().rings.get(&ring).is_some_and(|c| c.answered_here)
	}

	/// The doctor who answered `patient`'s call `ring`, or why there is none.
	pub fn answered_by(&self, ring: u64, patient: &AccountId) -> Result<AccountId, String> {
		let state = self.state();
		let call = state.rings.get(&ring).filter(|c| &c.patient == patient);
		let call = call.ok_or("no call of this patient has this number")?;
		call.answered_by.clone().ok_or_else(|| "no doctor answered this call yet".into())
	}

	/// Tells the doctor who answered call `ring` that its visit is `appointment`.
	pub fn ready(&self, ring: u64, appointment: u64) -> u32 {
		let mut state = self.state();
		let Some(call) = state.rings.get_mut(&ring) else { return 0 };
		call.ready = true;
		let (Some(doctor), hospital) = (call.answered_by.clone(), call.hospital.clone()) else {
			return 0;
		};
		Self::tell(
			&mut state,
			&hospital,
			ring,
			|d| d == &doctor,
			&OnCallEvent::Ready { ring, appointment },
		)
	}

	/// Ends call `ring` (the patient hung up, or its time passed): the doctors it still rings
	/// stop, as does the one who answered if no visit followed, and the patient may call again.
	pub fn end(&self, ring: u64) {
		let mut state = self.state();
		let Some(call) = state.rings.remove(&ring) else { return };
		Self::ended(&mut state, ring, call);
	}

	/// The patient's node says, through `source`, call `ring` ended: ends it here if it was
	/// relayed here by that peer; whether it was.
	pub fn end_relayed(&self, ring: u64, source: &[u8]) -> bool {
		let mut state = self.state();
		if !state.rings.get(&ring).is_some_and(|c| c.source.as_deref() == Some(source)) {
			return false;
		}
		let call = state.rings.remove(&ring).expect("just found");
		Self::ended(&mut state, ring, call);
		true
	}

	/// Ends the calls relayed here that outlived their time (their node did not say they ended,
	/// or its word was lost); how many.
	pub fn expire(&self, now: Instant) -> usize {
		let mut state = self.state();
		let ringing = Duration::from_millis(RING_MS) + RELAYED_MARGIN;
		let answered = Duration::from_millis(RING_MS + READY_MS) + RELAYED_MARGIN;
		let over: Vec<u64> = state
			.rings
			.iter()
			.filter(|(_, call)| {
				let age = now.saturating_duration_since(call.placed);
				call.tx.is_none()
					&& (age > answered || (call.answered_by.is_none() && age > ringing))
			})
			.map(|(ring, _)| *ring)
			.collect();
		for ring in &over {
			let call = state.rings.remove(ring).expect("just found");
			Self::ended(&mut state, *ring, call);
		}
		over.len()
	}

	fn ended(state: &mut State, ring: u64, call: Ring) {
		if state.calling.get(&call.patient) == Some(&ring) {
			state.calling.remove(&call.patient);
		}
		let stop = OnCallEvent::Stopped { ring, answered_by: None };
		match (&call.answered_by, call.ready) {
			(None, _) => {
				Self::tell_rung(state, &call.hospital, &call.rung, |_| true, &stop);
			}
			(Some(doctor), false) => {
				Self::tell_rung(state, &call.hospital, &call.rung, |d| d == doctor, &stop);
			}
			(Some(_), true) => {}
		}
	}

	/// Whether call `ring` was answered.
	pub fn is_answered(&self, ring: u64) -> bool {
		self.state().rings.get(&ring).is_some_and(|c| c.answered_by.is_some())
	}

	/// Sends `event` to the listeners of the doctors call `ring` rang for whom `to` holds.
	fn tell(
		state: &mut State,
		hospital: &AccountId,
		ring: u64,
		to: impl Fn(&AccountId) -> bool,
		event: &OnCallEvent,
	) -> u32 {
		let rung = state.rings.get(&ring).map(|c| c.rung.clone()).unwrap_or_default();
		Self::tell_rung(state, hospital, &rung, to, event)
	}

	fn tell_rung(
		state: &mut State,
		hospital: &AccountId,
		rung: &[AccountId],
		to: impl Fn(&AccountId) -> bool,
		event: &OnCallEvent,
	) -> u32 {
		let Some(listeners) = state.listeners.get_mut(hospital) else { return 0 };
		let mut delivered = 0;
		for listener in listeners.iter_mut() {
			if rung.contains(&listener.doctor)
				&& to(&listener.doctor)
				&& listener.tx.try_send(event.clone()).is_ok()
			{
				delivered += 1;
			}
		}
		delivered
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_core::{sr25519, Pair};

	fn account(seed: &str) -> AccountId {
		AccountId::from(sr25519::Pair::from_string(seed, None).unwrap().public().0)
	}

	#[test]
	fn the_first_doctor_to_answer_takes_the_call_and_the_others_stop() {
		let hub = OnCallHub::default();
		let (hospital, other_hospital) = (account("//Alice"), account("//Charlie"));
		let (bob, dave, ferdie, elsewhere) =
			(account("//Bob"), account("//Dave"), account("//Ferdie"), account("//Eve//d"));
		let patient = account("//Eve");
		let (_, mut to_bob) = hub.listen(&hospital, &bob).unwrap();
		let (_, mut to_dave) = hub.listen(&hospital, &dave).unwrap();
		// Ferdie listens but is off call now; another hospital's doctor listens there.
		let (_, mut to_ferdie) = hub.listen(&hospital, &ferdie).unwrap();
		let (_, mut to_elsewhere) = hub.listen(&other_hospital, &elsewhere).unwrap();
		let mut placed =
			hub.ring(1, &patient, &hospital, Instant::now(), &[bob.clone(), dave.clone()]).unwrap();
		assert_eq!(placed.doctors, 2);
		let ring = placed.ring;
		let rang = OnCallEvent::Ring { ring, patient: patient.clone(), hospital: hospital.clone() };
		assert_eq!(to_bob.try_recv().unwrap(), rang);
		assert_eq!(to_dave.try_recv().unwrap(), rang);
		assert!(to_ferdie.try_recv().is_err(), "a doctor off call is not rung");
		assert!(to_elsewhere.try_recv().is_err(), "another hospital's doctor is not rung");
		// Ferdie cannot take it; Dave answers first; Bob is told to stop and cannot take it.
		assert!(hub.answer(ring, &ferdie, 1, &[1; 64]).unwrap_err().contains("did not ring"));
		assert_eq!(hub.caller(ring), Some(patient.clone()));
		assert_eq!(hub.answer(ring, &dave, 1, &[2; 64]).unwrap(), (patient.clone(), true));
		assert_eq!(
			placed.events.try_recv().unwrap(),
			RingEvent::Answered {
				ring,
				doctor: dave.clone(),
				answered_at: 1,
				answer: vec![2; 64].into()
			}
		);
		assert_eq!(
			to_bob.try_recv().unwrap(),
			OnCallEvent::Stopped { ring, answered_by: Some(dave.clone()) }
		);
		assert!(to_dave.try_recv().is_err(), "nothing more for the one who answered");
		assert!(hub.answer(ring, &bob, 1, &[3; 64]).unwrap_err().contains("another doctor"));
		// Answering twice is the same answer.
		assert_eq!(hub.answer(ring, &dave, 2, &[2; 64]).unwrap(), (patient.clone(), true));
		// The visit's number reaches Dave only.
		assert_eq!(hub.answered_by(ring, &patient).unwrap(), dave);
		assert!(hub.answered_by(ring, &bob).is_err(), "only the caller asks");
		assert_eq!(hub.ready(ring, 42), 1);
		assert_eq!(to_dave.try_recv().unwrap(), OnCallEvent::Ready { ring, appointment: 42 });
		assert!(to_bob.try_recv().is_err());
		hub.end(ring);
		assert!(hub.answer(ring, &dave, 3, &[2; 64]).is_err());
		assert!(to_dave.try_recv().is_err(), "the visit was made: nothing to stop");
	}

	#[test]
	fn a_call_answered_but_never_made_a_visit_stops_the_doctor_who_answered() {
		let hub = OnCallHub::default();
		let (hospital, bob, patient) = (account("//Alice"), account("//Bob"), account("//Eve"));
		let (_, mut to_bob) = hub.listen(&hospital, &bob).unwrap();
		let placed = hub.ring(1, &patient, &hospital, Instant::now(), &[bob.clone()]).unwrap();
		let _ = to_bob.try_recv();
		hub.answer(placed.ring, &bob, 1, &[1; 64]).unwrap();
		// Another patient's call meanwhile: Bob cannot take it until this one is settled.
		let other =
			hub.ring(2, &account("//Ferdie"), &hospital, Instant::now(), &[bob.clone()]).unwrap();
		assert!(hub.answer(other.ring, &bob, 2, &[2; 64]).unwrap_err().contains("another call"));
		let _ = to_bob.try_recv();
		hub.end(placed.ring);
		assert_eq!(
			to_bob.try_recv().unwrap(),
			OnCallEvent::Stopped { ring: placed.ring, answered_by: None }
		);
	}

	#[test]
	fn a_call_hung_up_unanswered_stops_every_doctor_and_calls_are_bounded() {
		let hub = OnCallHub::default();
		let hospital = account("//Alice");
		let (bob, patient) = (account("//Bob"), account("//Eve"));
		let (_, mut to_bob) = hub.listen(&hospital, &bob).unwrap();
		let start = Instant::now();
		let placed = hub.ring(1, &patient, &hospital, start, &[bob.clone()]).unwrap();
		// One call at a time.
		assert!(hub
			.ring(2, &patient, &hospital, start, &[bob.clone()])
			.unwrap_err()
			.contains("hang up"));
		let _ = to_bob.try_recv();
		hub.end(placed.ring);
		assert_eq!(
			to_bob.try_recv().unwrap(),
			OnCallEvent::Stopped { ring: placed.ring, answered_by: None }
		);
		// Three calls in a row, then one every 20 s.
		for n in 0..2 {
			let placed = hub.ring(3 + n, &patient, &hospital, start, &[bob.clone()]).unwrap();
			hub.end(placed.ring);
		}
		let refused = hub.ring(5, &patient, &hospital, start, &[bob.clone()]).unwrap_err();
		assert!(refused.contains("call again in 20 s"), "{refused}");
		let later = start + Duration::from_secs(20);
		hub.ring(6, &patient, &hospital, later, &[bob.clone()]).unwrap();
		// Two calls never share a number.
		let taken =
			hub.ring(6, &account("//Ferdie"), &hospital, later, &[bob.clone()]).unwrap_err();
		assert!(taken.contains("this number"), "{taken}");
		// Nobody listening: the call rings nobody.
		let nobody = hub.ring(7, &bob, &account("//Charlie"), start, &[bob.clone()]).unwrap();
		assert_eq!(nobody.doctors, 0);
	}

	#[test]
	fn a_call_relayed_to_other_nodes_rings_there_and_the_patients_node_settles_it() {
		// The patient calls through node A; Bob and Dave listen on node B, Ferdie on node C.
		let (a, b, c) = (OnCallHub::default(), OnCallHub::default(), OnCallHub::default());
		let (hospital, patient) = (account("//Alice"), account("//Eve"));
		let (bob, dave, ferdie) = (account("//Bob"), account("//Dave"), account("//Ferdie"));
		let (_, mut to_bob) = b.listen(&hospital, &bob).unwrap();
		let (_, mut to_dave) = b.listen(&hospital, &dave).unwrap();
		let (_, mut to_ferdie) = c.listen(&hospital, &ferdie).unwrap();
		let ring = ring_number(&[7; 64]);
		assert!(ring < 1 << 53, "JavaScript reads the number exactly");
		let now = Instant::now();
		let mut placed = a.ring(ring, &patient, &hospital, now, &[]).unwrap();
		assert_eq!(placed.doctors, 0, "nobody listens on A");
		assert!(a.is_placed_here(ring) && !a.answered_here(ring));
		let on_call = [bob.clone(), dave.clone(), ferdie.clone()];
		assert_eq!(
			b.ring_relayed(ring, &patient, &hospital, now, &on_call, b"A").unwrap(),
			[bob.clone(), dave.clone()]
		);
		assert_eq!(
			c.ring_relayed(ring, &patient, &hospital, now, &on_call, b"A").unwrap(),
			[ferdie.clone()]
		);
		assert!(!b.is_placed_here(ring));
		let rang = OnCallEvent::Ring { ring, patient: patient.clone(), hospital: hospital.clone() };
		assert_eq!(to_bob.try_recv().unwrap(), rang);
		assert_eq!(to_ferdie.try_recv().unwrap(), rang);
		let _ = to_dave.try_recv();
		// The reports of the doctors rung reach the patient as counts; a report seen before is
		// not news (and is not passed on).
		assert!(a.rang(ring, &[bob.clone(), dave.clone()]));
		assert_eq!(placed.events.try_recv().unwrap(), RingEvent::Ringing { ring, doctors: 2 });
		assert!(!a.rang(ring, &[bob.clone()]));
		assert!(a.rang(ring, &[ferdie.clone()]));
		assert_eq!(placed.events.try_recv().unwrap(), RingEvent::Ringing { ring, doctors: 3 });
		assert_eq!(
			a.not_known_to_ring(ring, &[bob.clone(), patient.clone(), patient.clone()]),
			[patient.clone()]
		);
		// The updates are few: reports of more doctors no longer reach the patient's queue, so
		// that they never crowd out the answer.
		for n in 0..8 {
			assert!(a.rang(ring, &[account(&format!("//Doctor{n}"))]));
		}
		let mut updates = 0;
		while placed.events.try_recv().is_ok() {
			updates += 1;
		}
		assert_eq!(updates, usize::from(MAX_UPDATES) - 2);
		// Bob (on B) and Ferdie (on C) both answer; each holds the call on its own node, and Dave
		// stops on B.
		assert_eq!(b.answer(ring, &bob, 1, &[1; 64]).unwrap(), (patient.clone(), false));
		assert_eq!(
			to_dave.try_recv().unwrap(),
			OnCallEvent::Stopped { ring, answered_by: Some(bob.clone()) }
		);
		assert_eq!(c.answer(ring, &ferdie, 2, &[2; 64]).unwrap(), (patient.clone(), false));
		// Bob's answer reaches A first: the call is Bob's; Ferdie's comes too late.
		assert!(a.answer_relayed(ring, &bob, 1, &[1; 64]));
		assert_eq!(
			placed.events.try_recv().unwrap(),
			RingEvent::Answered {
				ring,
				doctor: bob.clone(),
				answered_at: 1,
				answer: vec![1; 64].into()
			}
		);
		assert!(!a.answer_relayed(ring, &ferdie, 2, &[2; 64]));
		assert!(placed.events.try_recv().is_err());
		assert!(!b.answer_relayed(ring, &bob, 1, &[1; 64]), "only the patient's node settles");
		// A says the call is Bob's: news on B (nothing to tell Bob) and on C, where Ferdie stops.
		assert!(!b.taken(ring, &dave, b"X"), "only the peer that relayed the call is heard");
		assert!(b.taken(ring, &bob, b"A"));
		assert!(!b.taken(ring, &bob, b"A"), "said once");
		assert!(to_bob.try_recv().is_err());
		assert!(c.taken(ring, &bob, b"A"));
		assert_eq!(
			to_ferdie.try_recv().unwrap(),
			OnCallEvent::Stopped { ring, answered_by: Some(bob.clone()) }
		);
		assert!(!a.taken(ring, &bob, b"A"), "the patient's node took it already");
		// The visit's number: A has nobody to tell; B tells Bob.
		assert_eq!(a.answered_by(ring, &patient).unwrap(), bob);
		assert!(!a.answered_here(ring) && b.answered_here(ring));
		assert_eq!(a.ready(ring, 42), 0);
		assert_eq!(b.ready(ring, 42), 1);
		assert_eq!(to_bob.try_recv().unwrap(), OnCallEvent::Ready { ring, appointment: 42 });
		// The patient hangs up on A: B ends its copy once; A's own call is not ended by a peer.
		a.end(ring);
		assert!(!b.end_relayed(ring, b"X"), "only the peer that relayed the call ends it");
		assert!(b.end_relayed(ring, b"A"));
		assert!(!b.end_relayed(ring, b"A"));
		let again = a.ring(ring_number(&[8; 64]), &patient, &hospital, now, &[]).unwrap();
		assert!(!a.end_relayed(again.ring, b"A"), "a peer cannot end a call placed here");
		// C never heard the end: its copy goes after its time, and Ferdie may answer again.
		assert_eq!(c.expire(now + Duration::from_secs(60)), 0);
		assert_eq!(
			c.expire(now + Duration::from_millis(RING_MS + READY_MS) + RELAYED_MARGIN * 2),
			1
		);
		assert!(c.caller(ring).is_none());
	}

	#[test]
	fn an_unanswered_relayed_call_is_forgotten_after_its_ringing_time() {
		let b = OnCallHub::default();
		let (hospital, patient, bob) = (account("//Alice"), account("//Eve"), account("//Bob"));
		let (_, mut to_bob) = b.listen(&hospital, &bob).unwrap();
		let now = Instant::now();
		let ring = ring_number(&[9; 64]);
		b.ring_relayed(ring, &patient, &hospital, now, &[bob.clone()], b"A").unwrap();
		let _ = to_bob.try_recv();
		assert_eq!(b.expire(now + Duration::from_millis(RING_MS)), 0);
		assert_eq!(b.expire(now + Duration::from_millis(RING_MS) + RELAYED_MARGIN * 2), 1);
		assert_eq!(to_bob.try_recv().unwrap(), OnCallEvent::Stopped { ring, answered_by: None });
		// The patient may call again through B.
		let here =
			b.ring(ring_number(&[10; 64]), &patient, &hospital, now, &[bob.clone()]).unwrap();
		let _ = to_bob.try_recv();
		// While it does, a call of the patient relayed from elsewhere is refused here…
		let later = now + Duration::from_secs(60);
		let refused = b.ring_relayed(ring_number(&[11; 64]), &patient, &hospital, later, &[], b"A");
		assert!(refused.unwrap_err().contains("hang up first"));
		b.end(here.ring);
		let _ = to_bob.try_recv();
		// …and a newer relayed call takes the place of an older one whose end was lost.
		let older = ring_number(&[12; 64]);
		b.ring_relayed(older, &patient, &hospital, later, &[bob.clone()], b"A").unwrap();
		let _ = to_bob.try_recv();
		let newer = ring_number(&[13; 64]);
		b.ring_relayed(newer, &patient, &hospital, later, &[bob.clone()], b"C").unwrap();
		assert_eq!(
			to_bob.try_recv().unwrap(),
			OnCallEvent::Stopped { ring: older, answered_by: None }
		);
		assert_eq!(
			to_bob.try_recv().unwrap(),
			OnCallEvent::Ring { ring: newer, patient: patient.clone(), hospital: hospital.clone() }
		);
		assert!(b.caller(older).is_none());
	}

	#[test]
	fn listeners_are_bounded_per_doctor_and_removed() {
		let hub = OnCallHub::default();
		let (hospital, bob) = (account("//Alice"), account("//Bob"));
		let ids: Vec<u64> = (0..MAX_ON_CALL_LISTENERS_PER_DOCTOR)
			.map(|_| hub.listen(&hospital, &bob).unwrap().0)
			.collect();
		assert!(hub.listen(&hospital, &bob).unwrap_err().contains("close another tab"));
		hub.unlisten(&hospital, ids[0]);
		hub.listen(&hospital, &bob).unwrap();
		assert_eq!(hub.state().count, MAX_ON_CALL_LISTENERS_PER_DOCTOR);
	}
}
