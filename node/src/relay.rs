//! The consortium's nodes relay video visits' signalling and on-call calls to each other.
//!
//! A patient's app talks to one node, a doctor's app to its hospital's node: for a visit's two
//! parties to reach each other, and for a patient's call to ring a hospital's doctors on call,
//! the nodes pass on what their apps send. They do it over a notification protocol of the
//! chain's peer-to-peer network (`/<genesis hash>/ehr-visits/1`), opened with every peer the node
//! syncs with, as the transaction pool's gossip is: no new port, no new server, and the same
//! peers the hospitals already let in.
//!
//! Each node passes a message it has not seen before on to its other peers, once: the consortium's
//! few nodes need not all be connected to each other. What a node keeps is what the apps'
//! messages need on the node itself (the calls in progress, the messages seen for their
//! minute); nothing is stored.
//!
//! **A node takes no peer's word.** A message from a peer is checked as if an app had sent it:
//! a visit's signal, a patient's call, a doctor's answer and a patient's "the visit is made"
//! each carry the signature of the account behind it and are checked against this node's view
//! of the chain (the appointment, the roster, the registration) and clock, with the same rate
//! limits (a patient's calls, a sender's messages), and each is used once. Whose a call is and
//! that it ended are heard only from the peer that relayed the call to this node first (the
//! patient's node, or one that passed its word on); a node's report of the doctors it rang is
//! a count the patient sees, each doctor checked to be on call for the hospital. A peer's
//! messages are bounded in size and rate, and a peer that sends something undecodable loses
//! reputation. Which peers take part is the chain's network's: the hospitals' firewalls open
//! the peer-to-peer port to each other's nodes only.

use std::{
	collections::HashMap,
	sync::{
		atomic::{AtomicUsize, Ordering},
		Arc, OnceLock,
	},
	time::{Duration, Instant},
};

use codec::{Decode, DecodeAll, Encode};
use ehr_rpc_api::MAX_VISIT_SIGNAL;
use ehr_runtime::{opaque::Block, AccountId, Hash};
use futures::StreamExt;
use sc_network::{
	config::{NonReservedPeerMode, SetConfig},
	multiaddr,
	peer_store::PeerStoreProvider,
	service::traits::{NotificationEvent, NotificationService, ValidationResult},
	NetworkBackend, NetworkPeers, NotificationMetrics, PeerId, ProtocolName, ReputationChange,
};
use sc_network_sync::{SyncEvent, SyncEventStream};
use substrate_prometheus_endpoint::{
	register, Counter, CounterVec, Gauge, Opts, PrometheusError, Registry, U64,
};

/// The protocol's name after the genesis hash.
pub const PROTOCOL: &str = "ehr-visits/1";
/// The largest message between nodes: a signal's body with its envelope.
pub const MAX_RELAYED: usize = MAX_VISIT_SIGNAL + 1024;
/// Most doctors in one node's report of the doctors it rang.
pub const MAX_RANG: usize = 64;
/// A peer's messages in a burst…
const PEER_BURST: f64 = 400.0;
/// …then this many a second.
const PEER_PER_SECOND: f64 = 100.0;
/// Messages of this node's apps waiting to go out before further ones are dropped.
const OUTBOX: usize = 1024;
/// A peer that sends what does not decode.
const UNDECODABLE: ReputationChange = ReputationChange::new(-(1 << 12), "ehr-visits: undecodable");

/// What the nodes pass each other (SCALE-encoded).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum Relayed {
	/// A visit's signal, as `ehr_visitSignal` takes it.
	Signal {
		appointment: u64,
		from: AccountId,
		to: AccountId,
		sent_at: u64,
		sealed: Vec<u8>,
		signature: Vec<u8>,
	},
	/// A patient's call to a hospital, as `ehr_onCallRing` takes it; its number is
	/// [`crate::on_call::ring_number`] of the signature.
	Ring { hospital: AccountId, patient: AccountId, at: u64, signature: Vec<u8> },
	/// A node rang these doctors for call `ring`.
	Rang { ring: u64, doctors: Vec<AccountId> },
	/// A doctor answered call `ring` (its signed answer, as `ehr_onCallAnswer` takes it), on its
	/// way to the patient's node.
	Answer { ring: u64, doctor: AccountId, at: u64, signature: Vec<u8> },
	/// The patient's node gave call `ring` to the doctor of this answer.
	Taken { ring: u64, doctor: AccountId, at: u64, signature: Vec<u8> },
	/// The patient made call `ring`'s visit (as `ehr_onCallReady` takes it).
	Ready { ring: u64, appointment: u64, patient: AccountId, at: u64, signature: Vec<u8> },
	/// The patient's node ended call `ring`.
	Ended { ring: u64 },
}

/// Where this node's apps' messages leave for the other nodes, and how many peers take them.
#[derive(Default)]
pub struct Outbox {
	tx: OnceLock<tokio::sync::mpsc::Sender<Relayed>>,
	peers: AtomicUsize,
}

impl Outbox {
	/// Sends `message` to every peer (dropped when no relay runs or too many wait).
	pub fn send(&self, message: Relayed) {
		if let Some(tx) = self.tx.get() {
			if tx.try_send(message).is_err() {
				log::debug!(target: "ehr-visits", "the relay's queue is full: a message was dropped");
			}
		}
	}

	/// How many peers the relay reaches now.
	pub fn peers(&self) -> usize {
		self.peers.load(Ordering::Relaxed)
	}

	fn open(&self) -> Option<tokio::sync::mpsc::Receiver<Relayed>> {
		let (tx, rx) = tokio::sync::mpsc::channel(OUTBOX);
		self.tx.set(tx).ok().map(|()| rx)
	}
}

/// The protocol's half that the network keeps, before the node starts.
pub struct Relay {
	service: Box<dyn NotificationService>,
	protocol: ProtocolName,
}

/// The protocol's configuration for the network, and the relay that serves it.
pub fn config<N: NetworkBackend<Block, Hash>>(
	genesis: &Hash,
	metrics: NotificationMetrics,
	peer_store: Arc<dyn PeerStoreProvider>,
) -> (N::NotificationProtocolConfig, Relay) {
	let protocol: ProtocolName = format!("/{}/{PROTOCOL}", hex(genesis.as_ref())).into();
	let (config, service) = N::notification_config(
		protocol.clone(),
		Vec::new(),
		MAX_RELAYED as u64,
		None,
		// Peers join as they connect for syncing (see `run`), not through slots of their own.
		SetConfig {
			in_peers: 0,
			out_peers: 0,
			reserved_nodes: Vec::new(),
			non_reserved_mode: NonReservedPeerMode::Deny,
		},
		metrics,
		peer_store,
	);
	(config, Relay { service, protocol })
}

fn hex(bytes: &[u8]) -> String {
	bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What a node does with a message from a peer.
#[derive(Debug, PartialEq, Eq)]
pub enum Onward {
	/// Nothing more: seen before, or nothing in it is news here.
	Seen,
	/// Nothing more: refused by the checks (why, for the log).
	Refused(String),
	/// Passes it on to its other peers.
	Pass(Relayed),
}

/// The relay's metrics, on the node's Prometheus endpoint (`ops/prometheus/alerts.yml` uses
/// them): `ehr_visits_relay_peers`, the peers it relays with now;
/// `ehr_visits_relay_received_total{outcome}`, the messages from peers by what became of them
/// (`passed`: delivered here and passed on; `seen`: seen before or no news; `refused`: failed
/// the checks; `over_rate`, `undecodable`); `ehr_visits_relay_sent_total`, the messages of this
/// node's apps sent to its peers.
#[derive(Clone)]
pub struct Metrics {
	peers: Gauge<U64>,
	received: CounterVec<U64>,
	sent: Counter<U64>,
}

impl Metrics {
	/// Registers the relay's metrics in `registry`.
	pub fn register(registry: &Registry) -> Result<Self, PrometheusError> {
		Ok(Self {
			peers: register(
				Gauge::new(
					"ehr_visits_relay_peers",
					"Peers this node relays video visits and on-call calls with",
				)?,
				registry,
			)?,
			received: register(
				CounterVec::new(
					Opts::new(
						"ehr_visits_relay_received_total",
						"Messages from peers, by what became of them",
					),
					&["outcome"],
				)?,
				registry,
			)?,
			sent: register(
				Counter::new(
					"ehr_visits_relay_sent_total",
					"Messages of this node's apps sent to its peers",
				)?,
				registry,
			)?,
		})
	}

	fn received(&self, outcome: &str) {
		self.received.with_label_values(&[outcome]).inc();
	}
}

/// A node's checks and deliveries of the messages its peers relay.
pub trait Deliver: Send + 'static {
	/// Checks `message` from peer `source` (its identity's bytes), hands it to this node's
	/// listeners, and says whether it goes on (messages for every peer go through the outbox).
	fn relayed(&self, source: &[u8], message: Relayed) -> Onward;
	/// The outbox of this node's apps' messages.
	fn outbox(&self) -> &Outbox;
	/// Forgets the calls relayed here that outlived their time.
	fn expire(&self, now: Instant);
}

struct Peer {
	tokens: f64,
	at: Instant,
}

impl Peer {
	fn take(&mut self, now: Instant) -> bool {
		let refill = now.saturating_duration_since(self.at).as_secs_f64() * PEER_PER_SECOND;
		self.tokens = (self.tokens + refill).min(PEER_BURST);
		self.at = now;
		if self.tokens < 1.0 {
			return false;
		}
		self.tokens -= 1.0;
		true
	}
}

/// Runs the relay until the network stops: opens the protocol with each peer the node syncs
/// with, sends this node's apps' messages to every peer, and checks, delivers and passes on
/// the peers' messages.
pub async fn run<D, N, S>(
	relay: Relay,
	node: D,
	network: Arc<N>,
	sync: Arc<S>,
	metrics: Option<Metrics>,
) where
	D: Deliver,
	N: NetworkPeers + ?Sized,
	S: SyncEventStream + ?Sized,
{
	let Relay { mut service, protocol } = relay;
	let Some(mut outbox) = node.outbox().open() else {
		log::error!(target: "ehr-visits", "the relay runs once per node");
		return;
	};
	let mut sync_events = sync.event_stream("ehr-visits");
	let mut peers: HashMap<PeerId, Peer> = HashMap::new();
	let mut tick = tokio::time::interval(Duration::from_secs(1));
	let send = |service: &mut Box<dyn NotificationService>,
	            peers: &HashMap<PeerId, Peer>,
	            except: Option<PeerId>,
	            message: &Relayed| {
		let bytes = message.encode();
		for peer in peers.keys().filter(|peer| Some(**peer) != except) {
			service.send_sync_notification(peer, bytes.clone());
		}
	};
	loop {
		tokio::select! {
			event = service.next_event() => match event {
				None => return,
				Some(NotificationEvent::ValidateInboundSubstream { result_tx, .. }) => {
					// Any peer may take part: what it sends is checked, not trusted.
					let _ = result_tx.send(ValidationResult::Accept);
				},
				Some(NotificationEvent::NotificationStreamOpened { peer, .. }) => {
					peers.insert(peer, Peer { tokens: PEER_BURST, at: Instant::now() });
					node.outbox().peers.store(peers.len(), Ordering::Relaxed);
					metrics.iter().for_each(|m| m.peers.set(peers.len() as u64));
					log::info!(target: "ehr-visits", "relaying visits with {peer} ({} peers)", peers.len());
				},
				Some(NotificationEvent::NotificationStreamClosed { peer }) => {
					peers.remove(&peer);
					node.outbox().peers.store(peers.len(), Ordering::Relaxed);
					metrics.iter().for_each(|m| m.peers.set(peers.len() as u64));
					log::info!(target: "ehr-visits", "no longer relaying with {peer} ({} peers)", peers.len());
				},
				Some(NotificationEvent::NotificationReceived { peer, notification }) => {
					let Some(allowance) = peers.get_mut(&peer) else { continue };
					if !allowance.take(Instant::now()) {
						log::debug!(target: "ehr-visits", "{peer} sends too fast: a message was dropped");
						metrics.iter().for_each(|m| m.received("over_rate"));
						continue;
					}
					let Ok(message) = Relayed::decode_all(&mut &notification[..]) else {
						network.report_peer(peer, UNDECODABLE);
						metrics.iter().for_each(|m| m.received("undecodable"));
						continue;
					};
					match node.relayed(&peer.to_bytes(), message) {
						Onward::Pass(message) => {
							metrics.iter().for_each(|m| m.received("passed"));
							send(&mut service, &peers, Some(peer), &message)
						},
						Onward::Seen => metrics.iter().for_each(|m| m.received("seen")),
						Onward::Refused(why) => {
							metrics.iter().for_each(|m| m.received("refused"));
							log::debug!(target: "ehr-visits", "from {peer}: {why}")
						},
					}
				},
			},
			Some(message) = outbox.recv() => {
				metrics.iter().for_each(|m| m.sent.inc());
				send(&mut service, &peers, None, &message)
			},
			Some(event) = sync_events.next() => match event {
				SyncEvent::PeerConnected { peer_id, .. } => {
					let address: multiaddr::Multiaddr =
						std::iter::once(multiaddr::Protocol::P2p(peer_id.into())).collect();
					if let Err(error) = network
						.add_peers_to_reserved_set(protocol.clone(), std::iter::once(address).collect())
					{
						log::warn!(target: "ehr-visits", "cannot relay with {peer_id}: {error}");
					}
				},
				SyncEvent::PeerDisconnected(peer_id) => {
					let _ = network.remove_peers_from_reserved_set(protocol.clone(), vec![peer_id]);
				},
			},
			_ = tick.tick() => node.expire(Instant::now()),
		}
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
	fn messages_round_trip_and_the_largest_fits_the_protocol() {
		let signal = Relayed::Signal {
			appointment: 7,
			from: account("//Alice"),
			to: account("//Bob"),
			sent_at: 1,
			sealed: vec![1; MAX_VISIT_SIGNAL],
			signature: vec![2; 64],
		};
		let bytes = signal.encode();
		assert!(bytes.len() <= MAX_RELAYED, "{} bytes", bytes.len());
		assert_eq!(Relayed::decode_all(&mut &bytes[..]).unwrap(), signal);
		let rang = Relayed::Rang { ring: 3, doctors: vec![account("//Bob"); MAX_RANG] };
		assert!(rang.encode().len() <= MAX_RELAYED);
		// Trailing bytes, an unknown kind and a length beyond the message are refused.
		let mut longer = Relayed::Ended { ring: 1 }.encode();
		longer.push(0);
		assert!(Relayed::decode_all(&mut &longer[..]).is_err());
		assert!(Relayed::decode_all(&mut &[200u8, 0, 0][..]).is_err());
		let mut lying = Relayed::Rang { ring: 1, doctors: vec![] }.encode();
		lying.truncate(9);
		lying.extend([0xfe, 0xff, 0xff, 0xff]);
		assert!(Relayed::decode_all(&mut &lying[..]).is_err());
	}

	#[test]
	fn a_peer_gets_its_burst_then_its_rate() {
		let start = Instant::now();
		let mut peer = Peer { tokens: PEER_BURST, at: start };
		for _ in 0..PEER_BURST as usize {
			assert!(peer.take(start));
		}
		assert!(!peer.take(start));
		assert!(peer.take(start + Duration::from_millis(10)));
		assert!(!peer.take(start + Duration::from_millis(10)));
	}
}
