//! What the chain says, in words a patient, a doctor or an auditor reads without knowing
//! Substrate: names from the directory next to SS58 addresses, local dates and times, durations,
//! categories, access levels, purposes and trail entries in plain language.
//!
//! Every list the `ehr` command prints goes through here; the tests check that none of it
//! contains Rust's debug forms (`BoundedVec(`, `Some(`) or a raw millisecond time.

use std::collections::HashMap;

use chrono::{Local, TimeZone};
use ehr_primitives::{
	AccessLevel, AppointmentChange, AppointmentStatus, AuditEntry, AuditEvent, EmergencyReason,
	Grant, Moment, Purpose, RecordCategory, ReviewVerdict, Scope, VisitKind,
};
use sp_core::crypto::Ss58Codec;
use sp_runtime::AccountId32 as AccountId;

use crate::{Client, Error};

/// A block time (ms since the Unix epoch) as a local date and time: `Thu 26 Nov 2026 10:02`.
pub fn time(ms: Moment) -> String {
	match Local.timestamp_millis_opt(ms as i64).single() {
		Some(at) => at.format("%a %-d %b %Y %H:%M").to_string(),
		None => "an unreadable time".into(),
	}
}

/// How far `ms` is from `now`: `in 2 days 3 h`, `5 min ago`, `now`.
pub fn relative(ms: Moment, now: Moment) -> String {
	let (ahead, gap) = if ms >= now { (true, ms - now) } else { (false, now - ms) };
	let minutes = gap / 60_000;
	if minutes == 0 {
		return "now".into();
	}
	let span = duration(minutes);
	if ahead {
		format!("in {span}")
	} else {
		format!("{span} ago")
	}
}

/// A duration in minutes, in the two largest units: `45 min`, `2 h 5 min`, `3 days 4 h`.
pub fn duration(minutes: u64) -> String {
	let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
	let day_word = |d: u64| if d == 1 { "1 day".to_string() } else { format!("{d} days") };
	match (days, hours, mins) {
		(0, 0, m) => format!("{m} min"),
		(0, h, 0) => format!("{h} h"),
		(0, h, m) => format!("{h} h {m} min"),
		(d, 0, _) => day_word(d),
		(d, h, _) => format!("{} {h} h", day_word(d)),
	}
}

/// A record category in words: `lab report`.
pub fn category(category: RecordCategory) -> &'static str {
	match category {
		RecordCategory::Profile => "profile",
		RecordCategory::Observation => "observation",
		RecordCategory::Prescription => "prescription",
		RecordCategory::LabReport => "lab report",
		RecordCategory::Imaging => "imaging",
		RecordCategory::ClinicalNote => "clinical note",
		RecordCategory::Document => "document",
	}
}

/// What a category holds, for help texts.
pub fn category_meaning(category: RecordCategory) -> &'static str {
	match category {
		RecordCategory::Profile => "who the patient is (identifying: name, birth date, contact)",
		RecordCategory::Observation => "measurements: vital signs, observations",
		RecordCategory::Prescription => "a prescription",
		RecordCategory::LabReport => "a laboratory report",
		RecordCategory::Imaging => "images and imaging reports",
		RecordCategory::ClinicalNote => "a clinical note",
		RecordCategory::Document => "any other document",
	}
}

/// What a scope covers: `every record, your profile included` or `profile, prescription`.
pub fn scope(scope: &Scope) -> String {
	match scope {
		Scope::All => "every record, the identifying profile included".into(),
		Scope::Categories(list) => list.iter().map(|c| category(*c)).collect::<Vec<_>>().join(", "),
	}
}

/// An access level: `read` or `read and add records`.
pub fn access(level: AccessLevel) -> &'static str {
	match level {
		AccessLevel::Read => "read",
		AccessLevel::ReadWrite => "read and add records",
	}
}

/// A purpose of use in words.
pub fn purpose(purpose: Purpose) -> &'static str {
	match purpose {
		Purpose::Treatment => "treatment",
		Purpose::Research => "research",
		Purpose::Insurance => "insurance",
		Purpose::Care => "care",
		Purpose::Emergency => "an emergency",
		Purpose::Other => "another purpose",
	}
}

/// The coded reason of an emergency access in words.
pub fn reason(code: EmergencyReason) -> &'static str {
	match code {
		EmergencyReason::Unconscious => "the patient is unconscious",
		EmergencyReason::LifeThreatening => "the patient's life is in danger",
		EmergencyReason::CannotCommunicate => "the patient cannot communicate",
		EmergencyReason::UrgentTreatment => "treatment cannot wait for consent",
		EmergencyReason::Other => "another emergency",
	}
}

/// A visit's kind in words.
pub fn visit(kind: VisitKind) -> &'static str {
	match kind {
		VisitKind::InPerson => "in person",
		VisitKind::Video => "by video",
	}
}

/// An appointment's state in words.
pub fn status(status: AppointmentStatus) -> &'static str {
	match status {
		AppointmentStatus::Requested => "requested, waiting for the doctor to confirm",
		AppointmentStatus::Confirmed => "confirmed",
		AppointmentStatus::Completed => "done",
		AppointmentStatus::Cancelled => "cancelled",
		AppointmentStatus::NoShow => "missed (the patient did not come)",
	}
}

/// A grant's terms: `may read: lab report, prescription; for treatment; until Thu 26 Nov …
/// (in 3 days)`.
pub fn grant(grant: &Grant<AccountId>, now: Moment) -> String {
	let until = match grant.expires_at {
		Some(end) if end <= now => format!("expired {} ({})", time(end), relative(end, now)),
		Some(end) => format!("until {} ({})", time(end), relative(end, now)),
		None => "until revoked".into(),
	};
	format!(
		"may {}: {}; for {}; {until}",
		access(grant.access),
		scope(&grant.scope),
		purpose(grant.purpose)
	)
}

/// Who is who: names from the chain's directory (doctors, hospitals) next to SS58 addresses,
/// and `you` for the account using the command.
#[derive(Default)]
pub struct Names {
	known: HashMap<AccountId, String>,
	doctors: std::collections::HashSet<AccountId>,
	me: Option<AccountId>,
	patient: Option<AccountId>,
}

impl Names {
	/// The directory as the node has it now (names are for reading, not for deciding: every
	/// decision uses the address), with `me` shown as `you`.
	pub async fn load(client: &Client, me: Option<&AccountId>) -> Result<Names, Error> {
		let directory = client.doctors(None).await?;
		let doctors = directory.iter().map(|doctor| doctor.account.clone()).collect();
		let mut known: HashMap<AccountId, String> =
			directory.into_iter().map(|doctor| (doctor.account, printable(&doctor.name))).collect();
		for (hospital, name) in client.hospital_names().await? {
			known.insert(hospital, printable(&name));
		}
		Ok(Names { known, doctors, me: me.cloned(), patient: None })
	}

	/// Whether `who` is in the doctor directory (as the node lists it).
	pub fn is_doctor(&self, who: &AccountId) -> bool {
		self.doctors.contains(who)
	}

	/// With `patient` shown as `the patient` (in a trail, where it is everywhere).
	pub fn with_patient(mut self, patient: &AccountId) -> Names {
		self.patient = Some(patient.clone());
		self
	}

	/// With `name` known for `who` (a test, or a name learned elsewhere).
	pub fn with(mut self, who: AccountId, name: &str) -> Names {
		self.known.insert(who, name.into());
		self
	}

	/// `Dr. Bob Kelso (5FHneW46…694ty)`, `you`, or the full SS58 address when unknown.
	pub fn of(&self, who: &AccountId) -> String {
		if self.me.as_ref() == Some(who) {
			return "you".into();
		}
		if self.patient.as_ref() == Some(who) {
			return "the patient".into();
		}
		let address = who.to_ss58check();
		match self.known.get(who) {
			Some(name) => format!("{name} ({}…{})", &address[..8], &address[address.len() - 5..]),
			None => address,
		}
	}
}

/// A name as the chain has it, without control characters (a name with a line break or a
/// terminal escape could otherwise fake lines of a list or the trail). Names come from the
/// directory the node serves: they are for reading; every decision uses the address.
pub fn printable(name: &str) -> String {
	name.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// A trail entry in plain language: `Thu 26 Nov 2026 10:02 (block #42): Dr. Bob Kelso read
/// record 3 (lab report)`.
pub fn audit_entry(entry: &AuditEntry<AccountId, u32>, names: &Names) -> String {
	let actor = names.of(&entry.actor);
	let what = match &entry.event {
		AuditEvent::ConsentGranted { grantee, grant: terms } => {
			format!("{actor} granted {} access: {}", names.of(grantee), grant(terms, entry.time))
		}
		AuditEvent::ConsentChanged { grantee, grant: terms } => format!(
			"{actor} changed the access of {}: {}",
			names.of(grantee),
			grant(terms, entry.time)
		),
		AuditEvent::ConsentRevoked { grantee } => {
			format!("{actor} revoked the access of {}", names.of(grantee))
		}
		AuditEvent::ConsentExpired { grantee } => {
			format!("the access of {} expired", names.of(grantee))
		}
		AuditEvent::EmergencyAccessOpened { doctor, code, commitment, expires_at } => format!(
			"{} opened emergency access ({}){}, until {}",
			names.of(doctor),
			reason(*code),
			if commitment.is_some() { ", with a note kept off chain" } else { "" },
			time(*expires_at)
		),
		AuditEvent::EmergencyAccessClosed { doctor, expired: true } => {
			format!("the emergency access of {} expired", names.of(doctor))
		}
		AuditEvent::EmergencyAccessClosed { doctor, expired: false } => {
			format!("{actor} ended the emergency access of {}", names.of(doctor))
		}
		AuditEvent::RecordAdded { record, category: c } => {
			format!("{actor} added record {record} ({})", category(*c))
		}
		AuditEvent::RecordAmended { record, new_version } => {
			format!("{actor} amended record {record} with version {new_version}")
		}
		AuditEvent::KeyShared { record, reader } if *reader == entry.actor => {
			format!("{actor} got the key of record {record}")
		}
		AuditEvent::KeyShared { record, reader } => {
			format!("{actor} gave {} the key of record {record}", names.of(reader))
		}
		AuditEvent::KeyRemoved { record, reader } => {
			format!("the key of {} to record {record} was removed", names.of(reader))
		}
		AuditEvent::RecordErased { record } => format!("{actor} erased record {record}"),
		AuditEvent::RecordAccessed { record, category: c } => {
			format!("{actor} read record {record} ({})", category(*c))
		}
		AuditEvent::EmergencyCategoriesSet { categories } if categories.is_empty() => {
			format!("{actor} made no records openable in an emergency")
		}
		AuditEvent::EmergencyCategoriesSet { categories } => format!(
			"{actor} made these records openable in an emergency by the hospitals' escrow: {}",
			categories.iter().map(|c| category(*c)).collect::<Vec<_>>().join(", ")
		),
		AuditEvent::KeyEscrowed { record, .. } => {
			format!("{actor} escrowed the key of record {record} with the hospitals")
		}
		AuditEvent::ShareReleased { record, doctor, hospital } => format!(
			"{} released its share of the key of record {record} to {} (emergency access)",
			names.of(hospital),
			names.of(doctor)
		),
		AuditEvent::EmergencyAccessReviewed { entry: opened, doctor, verdict } => format!(
			"{actor} reviewed the emergency access of {} (entry {opened}): {}",
			names.of(doctor),
			match verdict {
				ReviewVerdict::Justified => "justified",
				ReviewVerdict::Questionable =>
					"questionable, the doctor's hospital is asked to explain",
				ReviewVerdict::Unjustified => "not justified",
			}
		),
		AuditEvent::Appointment { appointment, doctor, change } => {
			let change = match change {
				AppointmentChange::Booked { start } => format!("booked for {}", time(*start)),
				AppointmentChange::Confirmed => "confirmed".into(),
				AppointmentChange::RescheduleProposed { start } => {
					format!("proposed to move to {}", time(*start))
				}
				AppointmentChange::RescheduleAccepted { start } => {
					format!("moved to {}", time(*start))
				}
				AppointmentChange::RescheduleDeclined => "kept at its time (move declined)".into(),
				AppointmentChange::Cancelled => "cancelled".into(),
				AppointmentChange::Completed => "marked done".into(),
				AppointmentChange::NoShow => "marked missed".into(),
				AppointmentChange::VisitStarted => "video call started".into(),
				AppointmentChange::VisitEnded { minutes } => {
					format!("video call ended after {minutes} min")
				}
				AppointmentChange::CalledOnCall { start } => {
					format!("called on call and answered at {}", time(*start))
				}
			};
			format!("{actor}: appointment {appointment} with {} {change}", names.of(doctor))
		}
	};
	format!("{} (block #{}): {what}", time(entry.time), entry.block)
}

/// Reads a local date and time (`2026-11-27 10:00`, or `2026-11-27T10:00`) as ms since the
/// Unix epoch.
pub fn parse_local_time(text: &str) -> Result<Moment, Error> {
	let usage = || {
		Error::Usage(format!(
			"{text} is not a local date and time: write it as YYYY-MM-DD HH:MM (e.g. 2026-11-27 \
			 10:00)"
		))
	};
	let naive = chrono::NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M")
		.or_else(|_| chrono::NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M"))
		.map_err(|_| usage())?;
	let local = Local.from_local_datetime(&naive).earliest().ok_or_else(usage)?;
	u64::try_from(local.timestamp_millis()).map_err(|_| usage())
}

/// Whether `text` shows a Rust debug form or a raw millisecond time: what the human output of
/// the command must never contain (checked by the tests).
pub fn looks_raw(text: &str) -> Option<String> {
	for form in ["BoundedVec(", "Some("] {
		if text.contains(form) {
			return Some(form.into());
		}
	}
	let mut run = 0;
	for c in text.chars() {
		if c.is_ascii_digit() {
			run += 1;
			if run >= 13 {
				return Some("a 13-digit number (a raw millisecond time?)".into());
			}
		} else {
			run = 0;
		}
	}
	None
}

#[cfg(test)]
mod tests {
	use super::*;
	use ehr_primitives::{AccessLevel, Purpose};

	fn account(byte: u8) -> AccountId {
		AccountId::new([byte; 32])
	}

	#[test]
	fn durations_and_relative_times_read_as_words() {
		assert_eq!(duration(45), "45 min");
		assert_eq!(duration(120), "2 h");
		assert_eq!(duration(125), "2 h 5 min");
		assert_eq!(duration(1440), "1 day");
		assert_eq!(duration(3 * 1440 + 4 * 60 + 9), "3 days 4 h");
		assert_eq!(relative(1_000_000 + 90 * 60_000, 1_000_000), "in 1 h 30 min");
		assert_eq!(relative(1_000_000, 1_000_000 + 5 * 60_000), "5 min ago");
		assert_eq!(relative(1_000_000, 1_000_000), "now");
	}

	#[test]
	fn local_times_parse_and_print_back() {
		let at = parse_local_time("2026-11-27 10:00").unwrap();
		assert_eq!(time(at), "Fri 27 Nov 2026 10:00");
		assert_eq!(parse_local_time("2026-11-27T10:00").unwrap(), at);
		let error = parse_local_time("tomorrow").unwrap_err();
		assert_eq!(error.kind(), crate::ErrorKind::Usage);
		assert!(error.to_string().contains("YYYY-MM-DD HH:MM"));
	}

	#[test]
	fn grants_and_trail_entries_have_no_debug_forms_or_raw_times() {
		let names = Names::default().with(account(2), "Dr. Bob Kelso");
		let terms = Grant {
			scope: Scope::Categories(
				vec![RecordCategory::Profile, RecordCategory::Prescription].try_into().unwrap(),
			),
			access: AccessLevel::ReadWrite,
			granted_at: 1_795_000_000_000,
			expires_at: Some(1_795_894_614_006),
			purpose: Purpose::Care,
			granted_by: account(1),
		};
		let text = grant(&terms, 1_795_000_000_000);
		assert!(
			text.starts_with("may read and add records: profile, prescription; for care; until ")
		);
		assert_eq!(looks_raw(&text), None, "{text}");
		let events = [
			AuditEvent::ConsentGranted { grantee: account(2), grant: terms.clone() },
			AuditEvent::EmergencyAccessOpened {
				doctor: account(2),
				code: EmergencyReason::Unconscious,
				commitment: Some([7; 32]),
				expires_at: 1_795_086_400_000,
			},
			AuditEvent::RecordAccessed { record: 3, category: RecordCategory::LabReport },
			AuditEvent::Appointment {
				appointment: 0,
				doctor: account(2),
				change: AppointmentChange::Booked { start: 1_795_003_600_000 },
			},
		];
		for event in events {
			let entry = AuditEntry { block: 42, time: 1_795_000_000_000, actor: account(2), event };
			let text = audit_entry(&entry, &names);
			assert_eq!(looks_raw(&text), None, "{text}");
			assert!(text.contains("Dr. Bob Kelso"), "{text}");
			assert!(text.contains("(block #42)"), "{text}");
		}
		let read = AuditEntry {
			block: 42,
			time: 1_795_000_000_000,
			actor: account(2),
			event: AuditEvent::RecordAccessed { record: 3, category: RecordCategory::LabReport },
		};
		let address = account(2).to_ss58check();
		let short = format!("{}…{}", &address[..8], &address[address.len() - 5..]);
		let text = audit_entry(&read, &names);
		assert!(
			text.ends_with(&format!("Dr. Bob Kelso ({short}) read record 3 (lab report)")),
			"{text}"
		);
	}

	/// One JSON naming convention: camelCase fields, also inside the trail's events.
	#[test]
	fn json_fields_are_camel_case_everywhere() {
		let events = [
			AuditEvent::EmergencyAccessOpened {
				doctor: account(2),
				code: EmergencyReason::Unconscious,
				commitment: None,
				expires_at: 1,
			},
			AuditEvent::RecordAmended { record: 1, new_version: 2 },
		];
		for event in events {
			let entry = AuditEntry { block: 1, time: 1, actor: account(1), event };
			let text = serde_json::to_string(&entry).unwrap();
			assert!(!text.contains('_'), "{text}");
		}
		// A note's commitment is hex, not an array of numbers, and reads back.
		let opened = AuditEvent::EmergencyAccessOpened {
			doctor: account(2),
			code: EmergencyReason::Unconscious,
			commitment: Some([0xab; 32]),
			expires_at: 1,
		};
		let text = serde_json::to_string(&opened).unwrap();
		assert!(text.contains(&format!("\"commitment\":\"0x{}\"", "ab".repeat(32))), "{text}");
		assert_eq!(serde_json::from_str::<AuditEvent<AccountId>>(&text).unwrap(), opened);
		let text = serde_json::to_string(&AuditEvent::<AccountId>::RecordAmended {
			record: 1,
			new_version: 2,
		})
		.unwrap();
		assert!(text.contains("newVersion"), "{text}");
	}

	#[test]
	fn the_raw_check_catches_what_it_is_for() {
		assert!(looks_raw("Categories(BoundedVec([Profile], 7))").is_some());
		assert!(looks_raw("until Some(1795894614006)").is_some());
		assert!(looks_raw("at 1795894614006").is_some());
		assert_eq!(looks_raw("record 3 (lab report), 20480 bytes"), None);
	}

	#[test]
	fn names_cannot_fake_lines() {
		assert_eq!(printable("Dr. X\n#3 you erased\u{1b}[2J"), "Dr. X #3 you erased [2J");
	}

	#[test]
	fn names_show_the_directory_name_or_the_address_and_you() {
		let names = Names { me: Some(account(1)), ..Default::default() }
			.with(account(2), "Dr. X")
			.with_patient(&account(4));
		assert_eq!(names.of(&account(1)), "you");
		assert_eq!(names.of(&account(4)), "the patient");
		assert!(names.of(&account(2)).starts_with("Dr. X (5C7LYpP2…"));
		assert_eq!(names.of(&account(3)), account(3).to_ss58check());
	}
}
