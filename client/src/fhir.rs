//! Records as HL7 FHIR R4 JSON: validation against the official schema, and the resources the
//! client writes (vital signs, wrapped files, consent, audit events, messages).
//!
//! **Validation.** Every resource a user hands the client, and every resource it builds, is
//! checked against HL7's FHIR R4 JSON schema (`client/fhir/fhir.schema.json`, see the README
//! there), compiled with the `jsonschema` crate for the definition of the resource's own type. A
//! Bundle's entries are each checked against their own type's definition, so that a problem is
//! reported at its path (`/entry/2/resource/valueQuantity/value`), not as "matches none of 146
//! resource types". On top of the schema, readings for `ehr vitals` follow the vital-signs
//! profile: a LOINC code, and a UCUM unit where the code has one ([`check_readings`]).
//!
//! **Identifiers.** People are named by their chain account: an `Identifier` with system
//! [`ACCOUNT_SYSTEM`] and the SS58 address; records by [`RECORD_SYSTEM`] and the record id.

use std::{
	collections::HashMap,
	sync::{Arc, LazyLock, Mutex},
};

use ehr_primitives::{
	AccessLevel, AuditEntry, AuditEvent, Grant, MessageKind, Purpose, RecordCategory, Scope,
};
use serde_json::{json, Value};
use sp_core::crypto::Ss58Codec;
use sp_runtime::AccountId32 as AccountId;

pub use ehr_fhir::{
	attached, bundle, content_type, instant, loinc_code, measure, plain_text, plaintext, readings,
	resource_of, resources, unwrap_file, Measure, Reading, ACCOUNT_SYSTEM, ATTACHED,
	BLOOD_PRESSURE, DIASTOLIC, GLUCOSE, HEART_RATE, LOINC, MAX_WRAPPED, MEASURES, ORIGINAL_TEXT,
	OXYGEN_SATURATION, RECORD_SYSTEM, RESPIRATORY_RATE, SYSTOLIC, TEMPERATURE, UCUM, WEIGHT,
	WRAPPED_TAG,
};

/// HL7's FHIR R4 JSON schema.
static SCHEMA: LazyLock<Value> = LazyLock::new(|| {
	serde_json::from_str(include_str!("../fhir/fhir.schema.json"))
		.expect("the vendored FHIR schema is JSON")
});

/// One compiled validator per resource type, made on first use (compiling one takes a while).
static VALIDATORS: LazyLock<Mutex<HashMap<String, Arc<jsonschema::Validator>>>> =
	LazyLock::new(Default::default);

/// What is wrong with a resource, and where (a JSON pointer into it).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
	/// Where: `/entry/0/resource/valueQuantity/value` (empty: the whole document).
	pub path: String,
	/// What.
	pub message: String,
}

impl std::fmt::Display for Problem {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		let path = if self.path.is_empty() { "/" } else { &self.path };
		write!(f, "{path}: {}", self.message)
	}
}

fn problem(path: impl Into<String>, message: impl Into<String>) -> Problem {
	Problem { path: path.into(), message: message.into() }
}

/// The problems as one line each, at most ten.
pub fn describe(problems: &[Problem]) -> String {
	let mut lines: Vec<String> = problems.iter().take(10).map(|p| format!("  {p}")).collect();
	if problems.len() > 10 {
		lines.push(format!("  … and {} more", problems.len() - 10));
	}
	lines.join("\n")
}

fn validator(resource_type: &str) -> Option<Arc<jsonschema::Validator>> {
	let mut cache = VALIDATORS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
	if let Some(validator) = cache.get(resource_type) {
		return Some(validator.clone());
	}
	let known = SCHEMA["discriminator"]["mapping"].get(resource_type).is_some();
	if !known {
		return None;
	}
	// The whole schema, rooted at this type's definition.
	let schema = json!({
		"$schema": SCHEMA["$schema"],
		"id": SCHEMA["id"],
		"$ref": format!("#/definitions/{resource_type}"),
		"definitions": SCHEMA["definitions"],
	});
	let validator = Arc::new(
		jsonschema::draft6::options()
			.build(&schema)
			.expect("each definition of the vendored FHIR schema compiles"),
	);
	cache.insert(resource_type.to_string(), validator.clone());
	Some(validator)
}

fn validate_one(value: &Value, prefix: &str, problems: &mut Vec<Problem>) {
	let Some(resource_type) = value.get("resourceType").and_then(Value::as_str) else {
		problems.push(problem(
			format!("{prefix}/resourceType"),
			"missing: a FHIR resource names its type (e.g. \"Observation\")",
		));
		return;
	};
	let Some(validator) = validator(resource_type) else {
		problems.push(problem(
			format!("{prefix}/resourceType"),
			format!("\"{resource_type}\" is not a FHIR R4 resource type"),
		));
		return;
	};
	for error in validator.iter_errors(value) {
		problems.push(problem(
			format!("{prefix}{}", error.instance_path().as_str()),
			error.to_string(),
		));
	}
}

/// The deepest nesting of JSON the client validates (a resource holds a few levels; a Bundle a
/// few more).
const MAX_DEPTH: usize = 48;

/// Structure the schema cannot check cheaply: nesting at most [`MAX_DEPTH`] deep, and no
/// contained resource that contains resources itself (FHIR's rule dom-2). Each contained level
/// is checked against every resource type's definition, so without this rule a few hundred
/// bytes of nested `contained` would take the validator exponential time.
fn check_shape(
	value: &Value,
	path: &str,
	depth: usize,
	in_contained: bool,
	problems: &mut Vec<Problem>,
) {
	if depth > MAX_DEPTH {
		problems.push(problem(path, format!("nested more than {MAX_DEPTH} levels deep")));
		return;
	}
	match value {
		Value::Object(map) => {
			if in_contained && map.contains_key("contained") && map.contains_key("resourceType") {
				problems.push(problem(
					format!("{path}/contained"),
					"a contained resource cannot contain resources (FHIR dom-2)",
				));
			}
			for (key, item) in map {
				let inner = in_contained || key == "contained";
				check_shape(item, &format!("{path}/{key}"), depth + 1, inner, problems);
			}
		}
		Value::Array(items) => {
			for (index, item) in items.iter().enumerate() {
				check_shape(item, &format!("{path}/{index}"), depth + 1, in_contained, problems);
			}
		}
		_ => {}
	}
}

/// Checks `value` against the FHIR R4 schema; returns its resource type. A Bundle's entries
/// are checked each against its own type first, then the Bundle itself.
pub fn validate(value: &Value) -> Result<String, Vec<Problem>> {
	let mut problems = Vec::new();
	check_shape(value, "", 0, false, &mut problems);
	if !problems.is_empty() {
		return Err(problems);
	}
	let resource_type = value.get("resourceType").and_then(Value::as_str).unwrap_or_default();
	if resource_type == "Bundle" {
		if let Some(entries) = value.get("entry").and_then(Value::as_array) {
			for (index, entry) in entries.iter().enumerate() {
				if let Some(resource) = entry.get("resource") {
					validate_one(resource, &format!("/entry/{index}/resource"), &mut problems);
				}
			}
		}
	}
	if problems.is_empty() {
		validate_one(value, "", &mut problems);
	}
	if problems.is_empty() {
		Ok(resource_type.to_string())
	} else {
		Err(problems)
	}
}

/// The record category of a resource type: the chain's categories are FHIR's kinds.
pub fn category_of_type(resource_type: &str) -> Option<RecordCategory> {
	Some(match resource_type {
		"Patient" => RecordCategory::Profile,
		"Observation" => RecordCategory::Observation,
		"MedicationRequest" => RecordCategory::Prescription,
		"DiagnosticReport" => RecordCategory::LabReport,
		"ImagingStudy" => RecordCategory::Imaging,
		"Composition" => RecordCategory::ClinicalNote,
		"DocumentReference" => RecordCategory::Document,
		_ => return None,
	})
}

/// The record category of a valid resource or Bundle: its type's, or for a Bundle the one
/// category all its entries share; anything else is a document.
pub fn category_of(value: &Value) -> RecordCategory {
	let of = |resource: &Value| {
		resource
			.get("resourceType")
			.and_then(Value::as_str)
			.and_then(category_of_type)
			.unwrap_or(RecordCategory::Document)
	};
	let all = resources(value);
	match all.first() {
		Some(first) if all.iter().all(|r| of(r) == of(first)) => of(first),
		_ => RecordCategory::Document,
	}
}

/// Milliseconds since the Unix epoch of a FHIR `dateTime` or `instant` with a time and a zone
/// (`2026-11-26T08:05:00+01:00`), if it is one.
pub fn millis(date_time: &str) -> Option<u64> {
	chrono::DateTime::parse_from_rfc3339(date_time).ok().map(|at| at.timestamp_millis() as u64)
}

/// A FHIR time for people (`Thu 26 Nov 2026 08:05`, local time), or as written if it has no
/// time of day.
pub fn readable(date_time: &str) -> String {
	millis(date_time).map(crate::human::time).unwrap_or_else(|| date_time.to_string())
}

/// A reference to a chain account (an identifier with [`ACCOUNT_SYSTEM`] and the SS58 address).
pub fn account_reference(account: &AccountId) -> Value {
	ehr_fhir::account_reference(&account.to_ss58check())
}

/// A file wrapped in a `DocumentReference` ([`ehr_fhir::wrap_file`]).
pub fn wrap_file(
	bytes: &[u8],
	title: &str,
	content_type: &str,
	patient: &AccountId,
	now_ms: u64,
) -> Value {
	ehr_fhir::wrap_file(bytes, title, content_type, &patient.to_ss58check(), now_ms)
}

/// The resource of `category` made from a plain text ([`ehr_fhir::from_text`]).
pub fn from_text(
	category: RecordCategory,
	text: &str,
	title: &str,
	author: &AccountId,
	patient: &AccountId,
	now_ms: u64,
) -> Option<Value> {
	ehr_fhir::from_text(
		category,
		text,
		title,
		&author.to_ss58check(),
		&patient.to_ss58check(),
		now_ms,
	)
}

/// The file or text inside a resource a client made for `patient` by `author`, only if its
/// structured fields say what its text says ([`ehr_fhir::unwrap_checked`]).
pub fn unwrap_checked(value: &Value, patient: &AccountId, author: &AccountId) -> Option<Vec<u8>> {
	ehr_fhir::unwrap_checked(value, &patient.to_ss58check(), &author.to_ss58check())
}

/// A lab report that is a file, as a `DiagnosticReport` ([`ehr_fhir::report_file`]).
pub fn report_file(
	bytes: &[u8],
	title: &str,
	content_type: &str,
	author: &AccountId,
	patient: &AccountId,
	now_ms: u64,
) -> Value {
	let (author, patient) = (author.to_ss58check(), patient.to_ss58check());
	ehr_fhir::report_file(bytes, title, content_type, &author, &patient, now_ms)
}

/// The resource an uploaded file that is not FHIR already is stored as
/// ([`ehr_fhir::wrap_upload`]), a resource made from a text used only if it validates against
/// HL7's schema; `None`: too large to wrap, stored as it is.
pub fn wrap_upload(
	category: RecordCategory,
	bytes: &[u8],
	name: &str,
	author: &AccountId,
	patient: &AccountId,
	now_ms: u64,
) -> Option<Value> {
	ehr_fhir::wrap_upload(
		category,
		bytes,
		name,
		&author.to_ss58check(),
		&patient.to_ss58check(),
		now_ms,
		|made| validate(made).is_ok(),
	)
}

/// An Observation of one measure ([`ehr_fhir::reading`]).
pub fn reading(measure: Measure, value: f64, patient: &AccountId, at_ms: u64) -> Value {
	ehr_fhir::reading(measure, value, &patient.to_ss58check(), at_ms)
}

/// A blood pressure Observation ([`ehr_fhir::blood_pressure`]).
pub fn blood_pressure(systolic: f64, diastolic: f64, patient: &AccountId, at_ms: u64) -> Value {
	ehr_fhir::blood_pressure(systolic, diastolic, &patient.to_ss58check(), at_ms)
}

/// Checks the readings of a home device or app beyond the schema (the vital-signs profile):
/// only Observations, each with a LOINC code, a time, and a UCUM quantity (in the expected unit
/// for codes the client knows) as its value or in its components.
pub fn check_readings(value: &Value) -> Result<(), Vec<Problem>> {
	let mut problems = Vec::new();
	let is_bundle = value["resourceType"] == "Bundle";
	for (index, resource) in resources(value).into_iter().enumerate() {
		let at = if is_bundle { format!("/entry/{index}/resource") } else { String::new() };
		if resource["resourceType"] != "Observation" {
			problems.push(problem(format!("{at}/resourceType"), "readings are Observations"));
			continue;
		}
		if loinc_code(&resource["code"]).is_none() {
			problems
				.push(problem(format!("{at}/code"), "no LOINC coding (system http://loinc.org)"));
		}
		if resource["effectiveDateTime"].is_null()
			&& resource["effectivePeriod"].is_null()
			&& resource["effectiveInstant"].is_null()
		{
			problems
				.push(problem(format!("{at}/effectiveDateTime"), "missing: when was it measured?"));
		}
		let mut quantities = Vec::new();
		if !resource["valueQuantity"].is_null() {
			quantities.push((
				format!("{at}/valueQuantity"),
				&resource["code"],
				&resource["valueQuantity"],
			));
		}
		for (c, component) in resource["component"].as_array().into_iter().flatten().enumerate() {
			quantities.push((
				format!("{at}/component/{c}/valueQuantity"),
				&component["code"],
				&component["valueQuantity"],
			));
		}
		if quantities.is_empty() {
			problems.push(problem(format!("{at}/valueQuantity"), "missing: a reading has a value"));
		}
		for (path, concept, quantity) in quantities {
			if quantity["system"] != UCUM {
				problems.push(problem(
					format!("{path}/system"),
					"the unit must be UCUM (http://unitsofmeasure.org)",
				));
			}
			let expected = loinc_code(concept).and_then(|(code, _)| measure(&code));
			if let (Some(expected), Some(unit)) = (expected, quantity["code"].as_str()) {
				if !expected.unit.is_empty() && unit != expected.unit {
					problems.push(problem(
						format!("{path}/code"),
						format!(
							"{} is measured in {}, not {unit}",
							expected.display, expected.unit
						),
					));
				}
			}
		}
	}
	if problems.is_empty() {
		Ok(())
	} else {
		Err(problems)
	}
}

fn purpose_code(purpose: Purpose) -> (&'static str, &'static str) {
	match purpose {
		Purpose::Treatment => ("TREAT", "treatment"),
		Purpose::Emergency => ("ETREAT", "emergency treatment"),
		Purpose::Research => ("HRESCH", "healthcare research"),
		Purpose::Insurance => ("COVERAGE", "coverage under policy or program"),
		Purpose::Care => ("FAMRQT", "family requested"),
		Purpose::Other => ("HOPERAT", "healthcare operations"),
	}
}

/// The FHIR resource types of a record category (a grant's data class).
pub fn resource_type_of(category: RecordCategory) -> &'static str {
	match category {
		RecordCategory::Profile => "Patient",
		RecordCategory::Observation => "Observation",
		RecordCategory::Prescription => "MedicationRequest",
		RecordCategory::LabReport => "DiagnosticReport",
		RecordCategory::Imaging => "ImagingStudy",
		RecordCategory::ClinicalNote => "Composition",
		RecordCategory::Document => "DocumentReference",
	}
}

/// A patient's grant as a FHIR `Consent`: who (actor), may do what (action: access, and
/// correct for write access), why (purpose), to which data (class), when (period); `active`
/// while it has not expired at `now_ms`.
pub fn consent(
	patient: &AccountId,
	grantee: &AccountId,
	grant: &Grant<AccountId>,
	now_ms: u64,
) -> Value {
	let (purpose, purpose_display) = purpose_code(grant.purpose);
	let mut actions = vec![
		json!({ "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/consentaction", "code": "access" }] }),
	];
	if grant.access == AccessLevel::ReadWrite {
		actions.push(json!({ "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/consentaction", "code": "correct" }] }));
	}
	let mut period = json!({ "start": instant(grant.granted_at) });
	if let Some(end) = grant.expires_at {
		period["end"] = json!(instant(end));
	}
	let mut provision = json!({
		"type": "permit",
		"period": period,
		"actor": [{
			"role": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "IRCP", "display": "information recipient" }] },
			"reference": account_reference(grantee),
		}],
		"action": actions,
		"purpose": [{ "system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": purpose, "display": purpose_display }],
	});
	if let Scope::Categories(categories) = &grant.scope {
		provision["class"] = json!(categories
			.iter()
			.map(
				|c| json!({ "system": "http://hl7.org/fhir/resource-types", "code": resource_type_of(*c) })
			)
			.collect::<Vec<_>>());
	}
	let active = grant.expires_at.is_none_or(|end| now_ms < end);
	json!({
		"resourceType": "Consent",
		"status": if active { "active" } else { "inactive" },
		"scope": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy" }] },
		"category": [{ "coding": [{ "system": LOINC, "code": "59284-0", "display": "Patient Consent" }] }],
		"patient": account_reference(patient),
		"dateTime": instant(grant.granted_at),
		"performer": [account_reference(&grant.granted_by)],
		"policyRule": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "OPTIN" }] },
		"provision": provision,
	})
}

/// What an audit event did, as FHIR's action code: C(reate), R(ead), U(pdate), D(elete),
/// E(xecute).
fn audit_action(event: &AuditEvent<AccountId>) -> &'static str {
	match event {
		AuditEvent::RecordAdded { .. } | AuditEvent::KeyEscrowed { .. } => "C",
		AuditEvent::RecordAccessed { .. } => "R",
		AuditEvent::RecordErased { .. } | AuditEvent::KeyRemoved { .. } => "D",
		AuditEvent::EmergencyAccessOpened { .. }
		| AuditEvent::EmergencyAccessClosed { .. }
		| AuditEvent::ShareReleased { .. }
		| AuditEvent::EmergencyAccessReviewed { .. } => "E",
		_ => "U",
	}
}

/// The name of an audit event's variant (`RecordAccessed`).
fn event_name(event: &AuditEvent<AccountId>) -> String {
	match serde_json::to_value(event) {
		Ok(Value::Object(map)) => map.keys().next().cloned().unwrap_or_default(),
		Ok(Value::String(name)) => name,
		_ => String::new(),
	}
}

/// The record an audit event is about, if any.
fn audit_record(event: &AuditEvent<AccountId>) -> Option<u64> {
	match event {
		AuditEvent::RecordAdded { record, .. }
		| AuditEvent::RecordAmended { record, .. }
		| AuditEvent::KeyShared { record, .. }
		| AuditEvent::KeyRemoved { record, .. }
		| AuditEvent::RecordErased { record }
		| AuditEvent::RecordAccessed { record, .. }
		| AuditEvent::KeyEscrowed { record, .. }
		| AuditEvent::ShareReleased { record, .. } => Some(*record),
		_ => None,
	}
}

/// One entry of a patient's verified trail as a FHIR `AuditEvent`: the event (subtype), who
/// (agent), when (recorded), the patient and the record (entities), the chain block that holds
/// it (source), and the entry's own JSON (entity detail), so nothing is lost in translation.
pub fn audit_event(
	patient: &AccountId,
	index: u64,
	entry: &AuditEntry<AccountId, u32>,
	verified_at_block: u32,
) -> Value {
	let name = event_name(&entry.event);
	let mut entities = vec![json!({
		"what": account_reference(patient),
		"type": { "system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "1", "display": "Person" },
		"role": { "system": "http://terminology.hl7.org/CodeSystem/object-role", "code": "1", "display": "Patient" },
		"detail": [{
			"type": "ehr-trail-entry",
			"valueString": serde_json::to_string(&json!({ "index": index, "entry": entry })).unwrap_or_default(),
		}],
	})];
	if let Some(record) = audit_record(&entry.event) {
		entities.push(json!({
			"what": { "identifier": { "system": RECORD_SYSTEM, "value": record.to_string() } },
			"type": { "system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "2", "display": "System Object" },
		}));
	}
	let mut event = json!({
		"resourceType": "AuditEvent",
		"type": { "system": "http://dicom.nema.org/resources/ontology/DCM", "code": "110110", "display": "Patient Record" },
		"subtype": [{ "system": "urn:ehr-chain:audit-event", "code": name }],
		"action": audit_action(&entry.event),
		"recorded": instant(entry.time),
		"outcome": "0",
		"agent": [{ "who": account_reference(&entry.actor), "requestor": true }],
		"source": {
			"site": format!("block #{}", entry.block),
			"observer": { "display": format!("EHR consortium chain, trail entry #{index} verified at finalized block #{verified_at_block}") },
			"type": [{ "system": "http://terminology.hl7.org/CodeSystem/security-source-type", "code": "4", "display": "Application Server" }],
		},
		"entity": entities,
	});
	if matches!(entry.event, AuditEvent::EmergencyAccessOpened { .. }) {
		event["purposeOfEvent"] = json!([{ "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "ETREAT" }] }]);
	}
	event
}

/// A message as a FHIR `Communication` ([`ehr_fhir::communication`]).
pub fn communication(
	sender: &AccountId,
	recipient: &AccountId,
	patient: &AccountId,
	kind: MessageKind,
	text: &str,
	about: Option<u64>,
	sent_ms: u64,
) -> Value {
	let [sender, recipient, patient] = [sender, recipient, patient].map(|a| a.to_ss58check());
	ehr_fhir::communication(&sender, &recipient, &patient, kind, text, about, sent_ms)
}

pub use ehr_fhir::{communication_text, names_parties};

#[cfg(test)]
mod tests {
	use super::*;
	use ehr_primitives::Severity;

	fn someone(seed: u8) -> AccountId {
		AccountId::new([seed; 32])
	}

	#[test]
	fn what_the_client_builds_validates() {
		let patient = someone(1);
		let at = 1_767_225_600_000;
		let taken = bundle(vec![
			blood_pressure(150.0, 95.0, &patient, at),
			reading(GLUCOSE, 7.8, &patient, at),
			reading(HEART_RATE, 88.0, &patient, at),
		]);
		assert_eq!(validate(&taken), Ok("Bundle".into()));
		assert_eq!(check_readings(&taken), Ok(()));
		assert_eq!(category_of(&taken), RecordCategory::Observation);
		let found = readings(&taken);
		assert_eq!(found.len(), 4);
		assert_eq!((found[0].code.as_str(), found[0].value), ("8480-6", 150.0));

		let doctor = someone(2);
		for category in
			[RecordCategory::Prescription, RecordCategory::LabReport, RecordCategory::ClinicalNote]
		{
			let text = "Amoxicillin 500 mg\nthree times a day for 7 days <b>&</b>\n";
			let made = from_text(category, text, "rx.txt", &doctor, &patient, at).unwrap();
			assert_eq!(validate(&made).map(|t| category_of_type(&t)), Ok(Some(category)));
			assert_eq!(unwrap_file(&made).unwrap(), text.as_bytes());
		}
		let rx = from_text(
			RecordCategory::Prescription,
			"Amoxicillin 500 mg\n3 a day",
			"rx",
			&doctor,
			&patient,
			at,
		)
		.unwrap();
		assert_eq!(rx["medicationCodeableConcept"]["text"], "Amoxicillin 500 mg");
		assert_eq!(rx["dosageInstruction"][0]["text"], "3 a day");
		assert!(from_text(RecordCategory::Imaging, "x", "x", &doctor, &patient, at).is_none());
		let pdf = report_file(b"%PDF-1.7 lab", "lab.pdf", "application/pdf", &doctor, &patient, at);
		assert_eq!(validate(&pdf), Ok("DiagnosticReport".into()));
		assert_eq!(unwrap_file(&pdf).unwrap(), b"%PDF-1.7 lab");

		let wrapped = wrap_file(b"%PDF-1.7 hello", "scan.pdf", "application/pdf", &patient, at);
		assert_eq!(validate(&wrapped), Ok("DocumentReference".into()));
		assert_eq!(unwrap_file(&wrapped).unwrap(), b"%PDF-1.7 hello");
		// What the web app stores for an upload (the same function, without the schema check
		// it cannot run) is valid FHIR and gives the file back.
		for (category, bytes, name, kind) in [
			(
				RecordCategory::Prescription,
				&b"Amoxicillin 500 mg\nthree times a day"[..],
				"rx.txt",
				"MedicationRequest",
			),
			(
				RecordCategory::LabReport,
				&b"%PDF-1.7 \x00\x01 lab"[..],
				"lab.pdf",
				"DiagnosticReport",
			),
			(RecordCategory::Imaging, &b"\x00DICM"[..], "scan.dcm", "DocumentReference"),
			(RecordCategory::Document, &b"a letter"[..], "letter.txt", "DocumentReference"),
		] {
			let (author, subject) = (doctor.to_ss58check(), patient.to_ss58check());
			let made =
				ehr_fhir::wrap_upload(category, bytes, name, &author, &subject, at, |_| true)
					.unwrap();
			assert_eq!(made["resourceType"], kind, "{name}");
			assert_eq!(validate(&made), Ok(kind.to_string()), "{name}");
			assert_eq!(unwrap_file(&made).unwrap(), bytes, "{name}");
		}

		let grant = Grant {
			scope: Scope::Categories(vec![RecordCategory::LabReport].try_into().unwrap()),
			access: AccessLevel::ReadWrite,
			expires_at: Some(at + 1000),
			purpose: Purpose::Treatment,
			granted_at: at,
			granted_by: patient.clone(),
		};
		assert_eq!(validate(&consent(&patient, &someone(2), &grant, at)), Ok("Consent".into()));
		let entry = AuditEntry {
			block: 7,
			time: at,
			actor: someone(2),
			event: AuditEvent::RecordAccessed { record: 3, category: RecordCategory::LabReport },
		};
		let event = audit_event(&patient, 0, &entry, 9);
		assert_eq!(validate(&event), Ok("AuditEvent".into()));
		assert_eq!(event["action"], "R");
		let alert = communication(
			&someone(2),
			&patient,
			&patient,
			MessageKind::Alert { severity: Severity::Urgent },
			"Come to the hospital",
			Some(3),
			at,
		);
		assert_eq!(validate(&alert), Ok("Communication".into()));
		assert_eq!(communication_text(&alert), Some("Come to the hospital"));
	}

	#[test]
	fn a_problem_is_reported_at_its_path() {
		let patient = someone(1);
		let mut bad = bundle(vec![
			reading(HEART_RATE, 70.0, &patient, 0),
			reading(HEART_RATE, 71.0, &patient, 0),
		]);
		bad["entry"][1]["resource"]["valueQuantity"]["value"] = json!("high");
		let problems = validate(&bad).unwrap_err();
		assert!(
			problems.iter().any(|p| p.path == "/entry/1/resource/valueQuantity/value"),
			"{problems:?}"
		);
		let unknown = json!({ "resourceType": "Observaton", "code": {} });
		assert_eq!(validate(&unknown).unwrap_err()[0].path, "/resourceType");
		let stray = json!({ "resourceType": "Patient", "nmae": [] });
		assert!(!validate(&stray).unwrap_err().is_empty());
		let missing = json!({ "status": "final" });
		assert_eq!(validate(&missing).unwrap_err()[0].path, "/resourceType");
	}

	#[test]
	fn nested_contained_resources_are_refused_at_once() {
		let mut resource = json!({ "resourceType": "Observation", "code": { "text": "x" } });
		for _ in 0..8 {
			resource = json!({
				"resourceType": "Observation",
				"code": { "text": "x" },
				"contained": [resource],
			});
		}
		let started = std::time::Instant::now();
		let problems = validate(&resource).unwrap_err();
		assert!(started.elapsed() < std::time::Duration::from_secs(1));
		assert_eq!(problems[0].path, "/contained/0/contained");
		// One level is FHIR, and validates.
		let one = json!({
			"resourceType": "Observation",
			"code": { "text": "x" },
			"contained": [{ "resourceType": "Patient", "id": "p" }],
		});
		assert_eq!(validate(&one), Ok("Observation".into()));
		let mut deep = json!("x");
		for _ in 0..60 {
			deep = json!([deep]);
		}
		let deep = json!({ "resourceType": "Basic", "code": { "text": "x" }, "extension": deep });
		assert!(validate(&deep).unwrap_err()[0].message.contains("nested"));
	}

	#[test]
	fn readings_follow_the_vital_signs_profile() {
		let patient = someone(1);
		let mut wrong_unit = reading(TEMPERATURE, 99.0, &patient, 0);
		wrong_unit["valueQuantity"]["code"] = json!("[degF]");
		let problems = check_readings(&wrong_unit).unwrap_err();
		assert_eq!(problems[0].path, "/valueQuantity/code");
		let mut no_loinc = reading(WEIGHT, 80.0, &patient, 0);
		no_loinc["code"]["coding"][0]["system"] = json!("http://snomed.info/sct");
		assert_eq!(check_readings(&no_loinc).unwrap_err()[0].path, "/code");
		let not_a_reading = wrap_file(b"x", "x", "text/plain", &patient, 0);
		assert_eq!(check_readings(&not_a_reading).unwrap_err()[0].path, "/resourceType");
	}
}
