//! A custodian's written release policy, and its ledger of what it released, held and refused.
//!
//! The threshold keeps any one custodian from opening a record; it does not keep one hospital's
//! doctors from asking every custodian for everything. So each hospital's custodian applies its
//! own hospital's policy to every emergency access before it releases a share:
//!
//! - at most `perHospitalPerDay` emergency accesses of one requesting hospital's doctors a day
//!   (UTC), every record of an access counting once;
//! - only the reason codes listed in `reasons` (all, if absent);
//! - beyond that, `beyond`: `"hold"` keeps the request until a person approves it
//!   (`ehr custodian approve PATIENT DOCTOR`), `"refuse"` releases nothing for it.
//!
//! The ledger is a JSON file in the state directory, so that the hospital's staff see what was
//! held and refused (`ehr custodian status`), approvals survive a restart, and the daily counts
//! are not reset by one. Example policy:
//!
//! ```json
//! { "perHospitalPerDay": 10, "reasons": ["unconscious", "life-threatening"], "beyond": "hold" }
//! ```

use std::{
	collections::{BTreeMap, BTreeSet},
	path::{Path, PathBuf},
};

use ehr_primitives::{EmergencyReason, Moment};
use serde::{Deserialize, Serialize};
use sp_core::crypto::Ss58Codec;
use sp_runtime::AccountId32 as AccountId;

use crate::Error;

/// Milliseconds per day: the period of the per-hospital count.
const DAY: Moment = 24 * 60 * 60 * 1000;

/// What a custodian does with an emergency access beyond its policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Beyond {
	/// Keep it until a person approves it.
	Hold,
	/// Release nothing for it.
	Refuse,
}

/// A hospital's written policy for its custodian.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Policy {
	/// Most emergency accesses of one requesting hospital's doctors released to per day.
	pub per_hospital_per_day: u32,
	/// The reason codes released to (all if absent).
	#[serde(default)]
	pub reasons: Option<Vec<EmergencyReason>>,
	/// What happens beyond the policy.
	pub beyond: Beyond,
}

impl Policy {
	/// The policy in the JSON file at `path`, with a message naming what is wrong.
	pub fn load(path: &Path) -> Result<Self, Error> {
		let text = std::fs::read_to_string(path)
			.map_err(|e| Error::Usage(format!("cannot read the policy {}: {e}", path.display())))?;
		serde_json::from_str(&text).map_err(|e| {
			Error::Usage(format!(
				"the policy {} is not valid ({e}); it looks like {{\"perHospitalPerDay\": 10, \
				 \"reasons\": [\"unconscious\", \"life-threatening\"], \"beyond\": \"hold\"}}",
				path.display()
			))
		})
	}
}

/// One emergency access as a custodian sees it before releasing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Request {
	/// The patient.
	pub patient: AccountId,
	/// The doctor with the open access.
	pub doctor: AccountId,
	/// The doctor's hospital.
	pub hospital: AccountId,
	/// The access's coded reason.
	pub code: EmergencyReason,
	/// When the access was opened (milliseconds): one access, whatever records it needs.
	pub opened_at: Moment,
}

impl Request {
	/// The access it is about: (patient, doctor, opened at).
	pub fn key(&self) -> (AccountId, AccountId, Moment) {
		(self.patient.clone(), self.doctor.clone(), self.opened_at)
	}
}

/// What a custodian does about one request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "decision", content = "why")]
pub enum Decision {
	/// Release this hospital's shares for it.
	Release,
	/// Keep it for a person's approval, and why.
	Hold(String),
	/// Release nothing for it, and why.
	Refuse(String),
}

/// A request held or refused, with why and when it was first seen.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Noted {
	/// The request.
	pub request: Request,
	/// Why it was held or refused.
	pub why: String,
	/// When the custodian first decided so (milliseconds).
	pub since: Moment,
}

/// What a custodian released (today), held, refused and had approved: kept in a file.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ledger {
	/// The day (time / one day) that `released` counts.
	pub day: u64,
	/// The accesses released to today, by requesting hospital (SS58).
	pub released: BTreeMap<String, BTreeSet<(AccountId, AccountId, Moment)>>,
	/// Requests waiting for a person's approval.
	pub held: Vec<Noted>,
	/// Requests refused.
	pub refused: Vec<Noted>,
	/// Requests a person approved (released whatever the policy says).
	pub approved: BTreeSet<(AccountId, AccountId, Moment)>,
	#[serde(skip)]
	path: Option<PathBuf>,
}

impl Ledger {
	/// The ledger of the custodian `custodian` in `state_dir` (empty if none yet).
	pub fn open(state_dir: &Path, custodian: &AccountId) -> Result<Self, Error> {
		let path = state_dir.join("custodian").join(format!("{}.json", custodian.to_ss58check()));
		let mut ledger: Ledger = match std::fs::read(&path) {
			Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
				Error::Storage(format!("the custodian's ledger {} is damaged: {e}", path.display()))
			})?,
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ledger::default(),
			Err(e) => return Err(Error::Storage(format!("cannot read {}: {e}", path.display()))),
		};
		ledger.path = Some(path);
		Ok(ledger)
	}

	/// Writes the ledger back (to a temporary file, then renamed into place).
	pub fn save(&self) -> Result<(), Error> {
		let Some(path) = &self.path else { return Ok(()) };
		let io =
			|e: std::io::Error| Error::Storage(format!("cannot write {}: {e}", path.display()));
		if let Some(dir) = path.parent() {
			std::fs::create_dir_all(dir).map_err(io)?;
		}
		let temporary = path.with_extension("json.new");
		let bytes = serde_json::to_vec_pretty(self).expect("the ledger serializes");
		std::fs::write(&temporary, bytes).map_err(io)?;
		std::fs::rename(&temporary, path).map_err(io)
	}

	/// Decides about `request` at time `now` under `policy`, and notes the decision.
	pub fn decide(&mut self, policy: &Policy, request: &Request, now: Moment) -> Decision {
		let today = now / DAY;
		if self.day != today {
			self.day = today;
			self.released.clear();
		}
		let key = request.key();
		let hospital = request.hospital.to_ss58check();
		let counted = self.released.get(&hospital).is_some_and(|set| set.contains(&key));
		if self.approved.contains(&key) || counted {
			self.held.retain(|noted| noted.request.key() != key);
			return Decision::Release;
		}
		if let Some(noted) = self.refused.iter().find(|noted| noted.request.key() == key) {
			return Decision::Refuse(noted.why.clone());
		}
		if let Some(noted) = self.held.iter().find(|noted| noted.request.key() == key) {
			return Decision::Hold(noted.why.clone());
		}
		let beyond =
			if policy.reasons.as_ref().is_some_and(|reasons| !reasons.contains(&request.code)) {
				Some(format!("the reason {:?} is not among the policy's reasons", request.code))
			} else if self.released.get(&hospital).map_or(0, |set| set.len()) as u32
				>= policy.per_hospital_per_day
			{
				Some(format!(
					"{} emergency accesses of {hospital}'s doctors released to today already (the \
				 policy's daily number)",
					policy.per_hospital_per_day
				))
			} else {
				None
			};
		match beyond {
			None => {
				self.released.entry(hospital).or_default().insert(key);
				Decision::Release
			}
			Some(why) => {
				let noted = Noted { request: request.clone(), why: why.clone(), since: now };
				match policy.beyond {
					Beyond::Hold => {
						self.held.push(noted);
						Decision::Hold(why)
					}
					Beyond::Refuse => {
						self.refused.push(noted);
						Decision::Refuse(why)
					}
				}
			}
		}
	}

	/// A person approves the held requests of `doctor` for `patient`: they are released on the
	/// next pass. Returns how many were approved.
	pub fn approve(&mut self, patient: &AccountId, doctor: &AccountId) -> usize {
		let (approved, kept): (Vec<_>, Vec<_>) =
			std::mem::take(&mut self.held).into_iter().partition(|noted| {
				noted.request.patient == *patient && noted.request.doctor == *doctor
			});
		self.held = kept;
		for noted in &approved {
			self.approved.insert(noted.request.key());
		}
		approved.len()
	}

	/// Takes in the approvals written to the ledger file since this ledger was read (by `ehr
	/// custodian approve`, while a pass ran), so that saving does not lose them.
	pub fn merge_approvals(&mut self, on_disk: Ledger) {
		for key in on_disk.approved {
			self.held.retain(|noted| noted.request.key() != key);
			self.approved.insert(key);
		}
	}

	/// Forgets what is about accesses that are no longer open (`open` holds the keys of the
	/// open ones): the lists stay short.
	pub fn retain_open(&mut self, open: &BTreeSet<(AccountId, AccountId, Moment)>) {
		self.held.retain(|noted| open.contains(&noted.request.key()));
		self.approved.retain(|key| open.contains(key));
		self.refused.retain(|noted| open.contains(&noted.request.key()));
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_keyring::Sr25519Keyring::{Alice, Bob, Charlie, Dave, Eve, Ferdie};

	fn request(
		patient: AccountId,
		hospital: AccountId,
		code: EmergencyReason,
		at: Moment,
	) -> Request {
		Request { patient, doctor: Dave.to_account_id(), hospital, code, opened_at: at }
	}

	#[test]
	fn the_policy_counts_per_requesting_hospital_and_day_and_holds_the_rest_for_a_person() {
		let policy = Policy {
			per_hospital_per_day: 2,
			reasons: Some(vec![EmergencyReason::Unconscious, EmergencyReason::LifeThreatening]),
			beyond: Beyond::Hold,
		};
		let mut ledger = Ledger::default();
		let now = 1_767_225_600_000;
		let bob = Bob.to_account_id();
		let first = request(Alice.to_account_id(), bob.clone(), EmergencyReason::Unconscious, now);
		assert_eq!(ledger.decide(&policy, &first, now), Decision::Release);
		// The same access again (more records): still one.
		assert_eq!(ledger.decide(&policy, &first, now + 1), Decision::Release);
		let second =
			request(Charlie.to_account_id(), bob.clone(), EmergencyReason::Unconscious, now);
		assert_eq!(ledger.decide(&policy, &second, now), Decision::Release);
		let third =
			request(Eve.to_account_id(), bob.clone(), EmergencyReason::LifeThreatening, now);
		assert!(matches!(ledger.decide(&policy, &third, now), Decision::Hold(_)));
		// Another hospital's doctors have their own count; a reason outside the policy waits.
		let other = request(
			Eve.to_account_id(),
			Charlie.to_account_id(),
			EmergencyReason::Unconscious,
			now + 3,
		);
		assert_eq!(ledger.decide(&policy, &other, now), Decision::Release);
		let reason = request(
			Ferdie.to_account_id(),
			Charlie.to_account_id(),
			EmergencyReason::Other,
			now + 5,
		);
		assert!(
			matches!(ledger.decide(&policy, &reason, now), Decision::Hold(why) if why.contains("reason"))
		);
		assert_eq!(ledger.held.len(), 2);
		// A person approves: released on the next pass, whatever the count.
		assert_eq!(ledger.approve(&third.patient, &third.doctor), 1);
		assert_eq!(ledger.decide(&policy, &third, now + 2), Decision::Release);
		assert_eq!(ledger.held.len(), 1);
		// The next day counts anew.
		let tomorrow = request(Eve.to_account_id(), bob, EmergencyReason::Unconscious, now + DAY);
		assert_eq!(ledger.decide(&policy, &tomorrow, now + DAY), Decision::Release);
		// Refusing instead of holding: nothing for it, and it stays refused.
		let strict = Policy { beyond: Beyond::Refuse, ..policy };
		let mut ledger = Ledger::default();
		let odd = request(Alice.to_account_id(), Bob.to_account_id(), EmergencyReason::Other, now);
		assert!(matches!(ledger.decide(&strict, &odd, now), Decision::Refuse(_)));
		assert!(matches!(ledger.decide(&strict, &odd, now + 1), Decision::Refuse(_)));
		assert_eq!(ledger.refused.len(), 1);
	}

	#[test]
	fn a_policy_file_with_a_mistake_is_refused_with_an_example() {
		let dir = std::env::temp_dir().join(format!("ehr-policy-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		let path = dir.join("policy.json");
		std::fs::write(&path, r#"{"perHospitalPerDay": 3, "beyond": "hold"}"#).unwrap();
		assert_eq!(Policy::load(&path).unwrap().per_hospital_per_day, 3);
		std::fs::write(&path, r#"{"perHospitalPerDay": 3, "beyond": "maybe"}"#).unwrap();
		let error = Policy::load(&path).unwrap_err().to_string();
		assert!(error.contains("beyond") && error.contains("perHospitalPerDay"), "{error}");
		std::fs::write(&path, r#"{"perHospitalPerday": 3, "beyond": "hold"}"#).unwrap();
		assert!(Policy::load(&path).is_err(), "an unknown field is a mistake");
		std::fs::remove_dir_all(&dir).unwrap();
	}
}
