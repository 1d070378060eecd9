//! The doctor on call: patients' calls to a hospital ring its doctors on call, live.
//!
//! A doctor on call keeps an `ehr_onCallListen` subscription open on its hospital's node. A
//! patient who calls the hospital (`ehr_onCallRing`) rings every one of them who is on call now
//! (the roster at the best block) and listens on this node; the first `ehr_onCallAnswer` takes
//! the call, and the others are told to stop. The patient's app then makes the visit on chain
//! (`on_call_visit`, with the consent the patient chose) and tells the doctor its number
//! (`ehr_onCallReady`); from there the call is a video visit's call like a booked one.
//!
//! What this keeps: the listeners and the calls ringing or answered, in memory, each removed
//! when its subscription ends. What it bounds, on each node: listeners
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

use ehr_rpc_api::{OnCallEvent, RingEvent};
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
	/// The doctors it rang.
	rung: Vec<AccountId>,
	answered_by: Option<AccountId>,
	/// Whether the doctor who answered was told the visit's number.
	ready: bool,
	tx: mpsc::Sender<RingEvent>,
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
		if mine.iter().filter(|l| &l.doctor == doctor).count() >= MAX_ON_CALL_LISTENERS_PER_DOCTOR
		{
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

	/// `patient` calls `hospital`: rings the listening doctors among `on_call` (those the
	/// caller found on call now, from [`Self::listening`]).
	pub fn ring(
		&self,
		patient: &AccountId,
		hospital: &AccountId,
		now: Instant,
		on_call: &[AccountId],
	) -> Result<Placed, String> {
		let mut state = self.state();
		if state.calling.contains_key(patient) {
			return Err("this patient is calling already: hang up first".into());
		}
		if state.rings.len() >= MAX_RINGS {
			return Err("this node has too many calls in progress: try again shortly".into());
		}
		// The allowance: idle patients' full allowances are the same as forgotten ones.
		let full_after = Duration::from_secs_f64(RING_BURST * RING_REFILL_SECONDS);
		if state.allowance.len() >= 16_384 {
			state.allowance.retain(|_, (_, at)| now.duration_since(*at) < full_after);
		}
		let (tokens, at) = state.allowance.entry(patient.clone()).or_insert((RING_BURST, now));
		*tokens = (*tokens + now.duration_since(*at).as_secs_f64() / RING_REFILL_SECONDS)
			.min(RING_BURST);
		*at = now;
		if *tokens < 1.0 {
			let wait = (1.0 - *tokens) * RING_REFILL_SECONDS;
			return Err(format!(
				"more than {RING_BURST} calls in a row: call again in {wait:.0} s"
			));
		}
		*tokens -= 1.0;
		let ring = state.next_id;
		state.next_id += 1;
		let (tx, events) = mpsc::channel(QUEUE);
		let mut rung: Vec<AccountId> = Vec::new();
		let event = OnCallEvent::Ring { ring, patient: patient.clone(), hospital: hospital.clone() };
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
		let doctors = rung.len() as u32;
		state.rings.insert(
			ring,
			Ring {
				patient: patient.clone(),
				hospital: hospital.clone(),
				rung,
				answered_by: None,
				ready: false,
				tx,
			},
		);
		state.calling.insert(patient.clone(), ring);
		Ok(Placed { ring, doctors, events })
	}

	/// Who placed call `ring`, if it is in progress.
	pub fn caller(&self, ring: u64) -> Option<AccountId> {
		self.state().rings.get(&ring).map(|c| c.patient.clone())
	}

	/// `doctor` answers call `ring` with its signed answer (checked by the caller): the
	/// patient who called, or why not. The patient is told, with the answer, and the other
	/// doctors it rang stop.
	pub fn answer(
		&self,
		ring: u64,
		doctor: &AccountId,
		answered_at: u64,
		answer: &[u8],
	) -> Result<AccountId, String> {
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
		match &call.answered_by {
			Some(by) if by == doctor => return Ok(call.patient.clone()),
			Some(_) => return Err("another doctor answered this call".into()),
			None => {},
		}
		call.answered_by = Some(doctor.clone());
		let _ = call.tx.try_send(RingEvent::Answered {
			ring,
			doctor: doctor.clone(),
			answered_at,
			answer: answer.to_vec().into(),
		});
		let patient = call.patient.clone();
		let hospital = call.hospital.clone();
		let stop = OnCallEvent::Stopped { ring, answered_by: Some(doctor.clone()) };
		Self::tell(&mut state, &hospital, ring, |d| d != doctor, &stop);
		Ok(patient)
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
		Self::tell(&mut state, &hospital, ring, |d| d == &doctor, &OnCallEvent::Ready {
			ring,
			appointment,
		})
	}

	/// Ends call `ring` (the patient hung up, or its time passed): the doctors it still rings
	/// stop, as does the one who answered if no visit followed, and the patient may call again.
	pub fn end(&self, ring: u64) {
		let mut state = self.state();
		let Some(call) = state.rings.remove(&ring) else { return };
		state.calling.remove(&call.patient);
		let stop = OnCallEvent::Stopped { ring, answered_by: None };
		match (&call.answered_by, call.ready) {
			(None, _) => {
				Self::tell_rung(&mut state, &call.hospital, &call.rung, |_| true, &stop);
			},
			(Some(doctor), false) => {
				Self::tell_rung(&mut state, &call.hospital, &call.rung, |d| d == doctor, &stop);
			},
			(Some(_), true) => {},
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
			if rung.contains(&listener.doctor) &&
				to(&listener.doctor) &&
				listener.tx.try_send(event.clone()).is_ok()
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
			hub.ring(&patient, &hospital, Instant::now(), &[bob.clone(), dave.clone()]).unwrap();
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
		assert_eq!(hub.answer(ring, &dave, 1, &[2; 64]).unwrap(), patient);
		assert_eq!(
			placed.events.try_recv().unwrap(),
			RingEvent::Answered { ring, doctor: dave.clone(), answered_at: 1, answer: vec![2; 64].into() }
		);
		assert_eq!(
			to_bob.try_recv().unwrap(),
			OnCallEvent::Stopped { ring, answered_by: Some(dave.clone()) }
		);
		assert!(to_dave.try_recv().is_err(), "nothing more for the one who answered");
		assert!(hub.answer(ring, &bob, 1, &[3; 64]).unwrap_err().contains("another doctor"));
		// Answering twice is the same answer.
		assert_eq!(hub.answer(ring, &dave, 2, &[2; 64]).unwrap(), patient);
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
		let placed = hub.ring(&patient, &hospital, Instant::now(), &[bob.clone()]).unwrap();
		let _ = to_bob.try_recv();
		hub.answer(placed.ring, &bob, 1, &[1; 64]).unwrap();
		// Another patient's call meanwhile: Bob cannot take it until this one is settled.
		let other = hub.ring(&account("//Ferdie"), &hospital, Instant::now(), &[bob.clone()]).unwrap();
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
		let placed = hub.ring(&patient, &hospital, start, &[bob.clone()]).unwrap();
		// One call at a time.
		assert!(hub.ring(&patient, &hospital, start, &[bob.clone()]).unwrap_err().contains("hang up"));
		let _ = to_bob.try_recv();
		hub.end(placed.ring);
		assert_eq!(
			to_bob.try_recv().unwrap(),
			OnCallEvent::Stopped { ring: placed.ring, answered_by: None }
		);
		// Three calls in a row, then one every 20 s.
		for _ in 0..2 {
			let placed = hub.ring(&patient, &hospital, start, &[bob.clone()]).unwrap();
			hub.end(placed.ring);
		}
		let refused = hub.ring(&patient, &hospital, start, &[bob.clone()]).unwrap_err();
		assert!(refused.contains("call again in 20 s"), "{refused}");
		let later = start + Duration::from_secs(20);
		hub.ring(&patient, &hospital, later, &[bob.clone()]).unwrap();
		// Nobody listening: the call rings nobody.
		let nobody = hub.ring(&bob, &account("//Charlie"), start, &[bob.clone()]).unwrap();
		assert_eq!(nobody.doctors, 0);
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
