//! FHIR R4 resources the clients make from what people type or upload, and the file back from
//! them: shared by the `ehr` command and the web app (compiled to WebAssembly there), so that a
//! prescription written in the browser is the same `MedicationRequest` the command writes, and
//! either reads back the text exactly as written.
//!
//! People are named by their chain account: an `Identifier` with system [`ACCOUNT_SYSTEM`] and
//! the SS58 address. The command validates every resource against HL7's schema before it is
//! stored (`ehr-client`'s `fhir` module); its tests check these builders' output.

#![warn(missing_docs)]

use base64::Engine;
use ehr_primitives::{MessageKind, RecordCategory, Severity};
use serde_json::{json, Value};

/// The identifier system of chain accounts (SS58 addresses).
pub const ACCOUNT_SYSTEM: &str = "urn:ehr-chain:account";
/// The identifier system of records (their ids on the chain).
pub const RECORD_SYSTEM: &str = "urn:ehr-chain:record";
/// The tag on a resource the client made around a file or a text (unwrapped on reading).
pub const WRAPPED_TAG: &str = "urn:ehr-chain:wrapped-file";
/// LOINC's system.
pub const LOINC: &str = "http://loinc.org";
/// UCUM's system (units).
pub const UCUM: &str = "http://unitsofmeasure.org";
const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";

/// An ISO 8601 instant (`2026-11-26T10:02:00.000Z`) from milliseconds since the Unix epoch.
pub fn instant(ms: u64) -> String {
	chrono::DateTime::from_timestamp_millis(ms as i64)
		.unwrap_or_default()
		.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A reference to a chain account, by its SS58 address.
pub fn account_reference(ss58: &str) -> Value {
	json!({ "identifier": { "system": ACCOUNT_SYSTEM, "value": ss58 } })
}

/// A file wrapped in a `DocumentReference` (its bytes inline, base64), tagged so that reading
/// the record gives the file back.
pub fn wrap_file(
	bytes: &[u8],
	title: &str,
	content_type: &str,
	patient: &str,
	now_ms: u64,
) -> Value {
	json!({
		"resourceType": "DocumentReference",
		"meta": { "tag": [{ "system": WRAPPED_TAG, "code": "file" }] },
		"status": "current",
		"subject": account_reference(patient),
		"date": instant(now_ms),
		"description": title,
		"content": [{
			"attachment": {
				"contentType": content_type,
				"data": base64::engine::general_purpose::STANDARD.encode(bytes),
				"size": bytes.len(),
				"title": title,
				"creation": instant(now_ms),
			}
		}]
	})
}

/// The file inside a `DocumentReference` made by [`wrap_file`], if `value` is one.
pub fn unwrap_file(value: &Value) -> Option<Vec<u8>> {
	let tagged = value["meta"]["tag"].as_array()?.iter().any(|tag| tag["system"] == WRAPPED_TAG);
	if !tagged {
		return None;
	}
	// A text kept as written (a prescription, a report, a note made from a text file).
	if let Some(text) = value["extension"]
		.as_array()
		.and_then(|all| all.iter().find(|e| e["url"] == ORIGINAL_TEXT))
		.and_then(|e| e["valueString"].as_str())
	{
		return Some(text.as_bytes().to_vec());
	}
	let attachment = match value["resourceType"].as_str()? {
		"DocumentReference" => &value["content"][0]["attachment"],
		"DiagnosticReport" => &value["presentedForm"][0],
		_ => return None,
	};
	let file =
		base64::engine::general_purpose::STANDARD.decode(attachment["data"].as_str()?).ok()?;
	// A declared size that is not the data's: not a wrapper the client made.
	match attachment["size"].as_u64() {
		Some(size) if size != file.len() as u64 => None,
		_ => Some(file),
	}
}

/// The start of a record's plaintext in which a file travels beside its FHIR resource, as its
/// own bytes, instead of inside it in base64 (which makes it a third larger): this marker, the
/// resource's JSON length (4 bytes, big-endian), the resource's JSON, then the file. It begins
/// with a NUL byte, so that no JSON document and no text is mistaken for one. Clients store
/// the files they wrap ([`wrap_file`], [`report_file`]) this way ([`plaintext`]) and read both
/// ways ([`resource_of`]); records stored before, with the file inline, read as they are.
pub const ATTACHED: &[u8; 16] = b"\0ehr-attached/1\n";

/// The `url` of an attachment whose data is the file beside its resource ([`ATTACHED`]).
pub const ATTACHED_URL: &str = "urn:ehr-chain:attached-file";

/// The largest resource JSON a plaintext of [`ATTACHED`] may carry before its file (a wrapper
/// the clients make is well under a kilobyte).
pub const MAX_ATTACHED_HEADER: usize = 64 << 10;

/// Whether `resource` is a file a client wrapped (tagged `file`).
fn is_wrapped_file(resource: &Value) -> bool {
	resource["meta"]["tag"]
		.as_array()
		.is_some_and(|tags| tags.iter().any(|t| t["system"] == WRAPPED_TAG && t["code"] == "file"))
}

/// The attachment of a wrapped file: a `DocumentReference`'s first content, a
/// `DiagnosticReport`'s first presented form.
fn attachment_mut(resource: &mut Value) -> Option<&mut Value> {
	match resource["resourceType"].as_str()? {
		"DocumentReference" => resource.get_mut("content")?.get_mut(0)?.get_mut("attachment"),
		"DiagnosticReport" => resource.get_mut("presentedForm")?.get_mut(0),
		_ => None,
	}
}

/// Takes a wrapped file's data out of `resource`, its attachment then pointing beside it
/// ([`ATTACHED_URL`]): the data taken out and the file. `None`, the resource untouched, for
/// anything else (not a wrapped file, no data, data that is not base64, already beside).
fn take_file(resource: &mut Value) -> Option<(Value, Vec<u8>)> {
	if !is_wrapped_file(resource) {
		return None;
	}
	let fields = attachment_mut(resource)?.as_object_mut()?;
	if fields.contains_key("url") {
		return None;
	}
	let file =
		base64::engine::general_purpose::STANDARD.decode(fields.get("data")?.as_str()?).ok()?;
	let data = fields.remove("data")?;
	fields.insert("url".into(), ATTACHED_URL.into());
	Some((data, file))
}

/// The bytes a client stores for `resource`: a file it wrapped ([`wrap_file`], [`report_file`])
/// beside the resource ([`ATTACHED`]), so that the record is the size of the file and not a
/// third more; any other resource (and anything [`attached`] would not read back) as its JSON.
pub fn plaintext(mut resource: Value) -> Vec<u8> {
	// The data is taken out, not copied: a file of 64 MiB is 85 MiB of base64.
	if let Some((data, file)) = take_file(&mut resource) {
		let header = resource.to_string().into_bytes();
		let mut out = Vec::with_capacity(ATTACHED.len() + 4 + header.len() + file.len());
		out.extend_from_slice(ATTACHED);
		out.extend_from_slice(&(header.len() as u32).to_be_bytes());
		out.extend_from_slice(&header);
		out.extend_from_slice(&file);
		if attached(&out).is_some() {
			return out;
		}
		// A resource a reader would refuse this way (its size is not the file's, a header too
		// large, a file too large): stored inline, as it came.
		let fields = attachment_mut(&mut resource)
			.and_then(Value::as_object_mut)
			.expect("the attachment the data was taken from");
		fields.remove("url");
		fields.insert("data".into(), data);
	}
	resource.to_string().into_bytes()
}

/// The resource and the file of a plaintext [`plaintext`] made ([`ATTACHED`]): the resource as
/// stored (its attachment pointing to [`ATTACHED_URL`], without data) and the file. `None` if
/// `plaintext` is not one, or not a well-formed one: a header that is not a wrapped file's
/// resource, that carries data of its own, or whose attachment declares another size than the
/// file's.
pub fn attached(plaintext: &[u8]) -> Option<(Value, &[u8])> {
	let rest = plaintext.strip_prefix(ATTACHED.as_slice())?;
	let length = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?) as usize;
	if length > MAX_ATTACHED_HEADER {
		return None;
	}
	let header = rest.get(4..4 + length)?;
	let file = &rest[4 + length..];
	// Clients wrap files up to MAX_WRAPPED: a larger one is not theirs, and would be held
	// whole, a third larger, once put back inline.
	if file.len() as u64 > MAX_WRAPPED {
		return None;
	}
	let mut resource: Value = serde_json::from_slice(header).ok()?;
	if !is_wrapped_file(&resource) {
		return None;
	}
	let attachment = attachment_mut(&mut resource)?;
	let declared = (attachment["url"].as_str(), attachment["size"].as_u64());
	if declared != (Some(ATTACHED_URL), Some(file.len() as u64)) || attachment.get("data").is_some()
	{
		return None;
	}
	Some((resource, file))
}

/// The FHIR resource in a record's plaintext: its JSON as written, or, for a file stored
/// beside its resource ([`ATTACHED`]), the resource with the file back inline (base64), as a
/// FHIR reader expects it (and as [`unwrap_checked`] checks it). `None` for anything else: a
/// file stored as it is, a malformed plaintext.
pub fn resource_of(plaintext: &[u8]) -> Option<Value> {
	if !plaintext.starts_with(ATTACHED) {
		return serde_json::from_slice::<Value>(plaintext)
			.ok()
			.filter(|value| value.get("resourceType").is_some());
	}
	let (mut resource, file) = attached(plaintext)?;
	let fields = attachment_mut(&mut resource)?.as_object_mut()?;
	fields.remove("url");
	fields.insert("data".into(), base64::engine::general_purpose::STANDARD.encode(file).into());
	Some(resource)
}

/// The extension that keeps, in a resource the client made from a text file, the text exactly
/// as written (reading the record gives it back byte for byte).
pub const ORIGINAL_TEXT: &str = "urn:ehr-chain:original-text";

/// The `meta` of a resource the client made (`file` or `text`).
pub fn tag(code: &str) -> Value {
	json!({ "tag": [{ "system": WRAPPED_TAG, "code": code }] })
}

/// The resource of `category` made from a plain text a doctor or patient wrote: a prescription
/// as a `MedicationRequest` (the first line the medication, the rest the dosage), a lab report
/// as a `DiagnosticReport` (the text its conclusion), a clinical note as a `Composition` (the
/// text its section); the text itself kept as written. `None` for other categories.
pub fn from_text(
	category: RecordCategory,
	text: &str,
	title: &str,
	author: &str,
	patient: &str,
	now_ms: u64,
) -> Option<Value> {
	let kept = json!([{ "url": ORIGINAL_TEXT, "valueString": text }]);
	let mut lines = text.lines().map(str::trim).filter(|line| !line.is_empty());
	let first = lines.next().unwrap_or(title).to_string();
	let rest: Vec<&str> = lines.collect();
	Some(match category {
		RecordCategory::Prescription => {
			let mut request = json!({
				"resourceType": "MedicationRequest",
				"meta": tag("text"),
				"extension": kept,
				"status": "active",
				"intent": "order",
				"medicationCodeableConcept": { "text": first },
				"subject": account_reference(patient),
				"authoredOn": instant(now_ms),
				"requester": account_reference(author),
				"note": [{ "text": text }],
			});
			if !rest.is_empty() {
				request["dosageInstruction"] = json!([{ "text": rest.join("\n") }]);
			}
			request
		}
		RecordCategory::LabReport => json!({
			"resourceType": "DiagnosticReport",
			"meta": tag("text"),
			"extension": kept,
			"status": "final",
			"category": laboratory(),
			"code": { "text": title },
			"subject": account_reference(patient),
			"issued": instant(now_ms),
			"performer": [account_reference(author)],
			"conclusion": text,
		}),
		RecordCategory::ClinicalNote => {
			let escaped = text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
			json!({
				"resourceType": "Composition",
				"meta": tag("text"),
				"extension": kept,
				"status": "final",
				"type": { "coding": [{ "system": LOINC, "code": "11506-3", "display": "Progress note" }] },
				"subject": account_reference(patient),
				"date": instant(now_ms),
				"author": [account_reference(author)],
				"title": title,
				"section": [{
					"title": title,
					"text": {
						"status": "generated",
						"div": format!("<div xmlns=\"http://www.w3.org/1999/xhtml\"><pre>{escaped}</pre></div>"),
					},
				}],
			})
		}
		_ => return None,
	})
}

/// The `category` of a laboratory `DiagnosticReport` (HL7 v2 table 0074, `LAB`).
fn laboratory() -> Value {
	json!([{ "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/v2-0074", "code": "LAB", "display": "Laboratory" }] }])
}

/// A lab report that is a file (a PDF from the laboratory) as a `DiagnosticReport` presenting
/// it, tagged so that reading the record gives the file back.
pub fn report_file(
	bytes: &[u8],
	title: &str,
	content_type: &str,
	author: &str,
	patient: &str,
	now_ms: u64,
) -> Value {
	json!({
		"resourceType": "DiagnosticReport",
		"meta": tag("file"),
		"status": "final",
		"category": laboratory(),
		"code": { "text": title },
		"subject": account_reference(patient),
		"issued": instant(now_ms),
		"performer": [account_reference(author)],
		"presentedForm": [{
			"contentType": content_type,
			"data": base64::engine::general_purpose::STANDARD.encode(bytes),
			"size": bytes.len(),
			"title": title,
			"creation": instant(now_ms),
		}],
	})
}

/// The media type of a file, from its name (`application/octet-stream` when unknown).
pub fn content_type(name: &str) -> &'static str {
	let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
	match extension.as_str() {
		"pdf" => "application/pdf",
		"json" => "application/json",
		"txt" | "text" => "text/plain",
		"csv" => "text/csv",
		"xml" => "application/xml",
		"html" | "htm" => "text/html",
		"png" => "image/png",
		"jpg" | "jpeg" => "image/jpeg",
		"gif" => "image/gif",
		"tif" | "tiff" => "image/tiff",
		"dcm" => "application/dicom",
		"doc" => "application/msword",
		"docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		_ => "application/octet-stream",
	}
}

/// The largest file a client wraps in a resource (base64 inline); larger ones are stored as
/// they are.
pub const MAX_WRAPPED: u64 = 64 << 20;

/// The text of `bytes` if they are a plain text a resource can carry: UTF-8, not empty, up to
/// 1 MiB (a resource holds it two or three times), no control characters but line breaks and
/// tabs.
pub fn plain_text(bytes: &[u8]) -> Option<&str> {
	core::str::from_utf8(bytes)
		.ok()
		.filter(|text| text.len() <= 1 << 20 && !text.trim().is_empty())
		.filter(|text| text.chars().all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t')))
}

/// The resource a client stores for an uploaded file named `name` that is not FHIR already: a
/// plain text becomes the category's own resource ([`from_text`]); a lab report's file is
/// presented by a `DiagnosticReport` ([`report_file`]); anything else, or a made resource that
/// `valid` refuses (the command checks HL7's schema), is wrapped in a `DocumentReference`
/// ([`wrap_file`]). Reading the record gives the file back ([`unwrap_file`]). `None`: larger
/// than [`MAX_WRAPPED`], stored as it is.
pub fn wrap_upload(
	category: RecordCategory,
	bytes: &[u8],
	name: &str,
	author: &str,
	patient: &str,
	now_ms: u64,
	valid: impl Fn(&Value) -> bool,
) -> Option<Value> {
	if bytes.len() as u64 > MAX_WRAPPED {
		return None;
	}
	let media = content_type(name);
	let made = match (plain_text(bytes), category) {
		(Some(text), _) => from_text(category, text, name, author, patient, now_ms),
		(None, RecordCategory::LabReport) => {
			Some(report_file(bytes, name, media, author, patient, now_ms))
		}
		_ => None,
	}
	.filter(|made| valid(made));
	Some(made.unwrap_or_else(|| wrap_file(bytes, name, media, patient, now_ms)))
}

/// A message between a patient and a doctor as a FHIR `Communication`: an alert with its
/// priority, or a notification; `about` names the record it concerns.
pub fn communication(
	sender: &str,
	recipient: &str,
	patient: &str,
	kind: MessageKind,
	text: &str,
	about: Option<u64>,
	sent_ms: u64,
) -> Value {
	let (category, priority) = match kind {
		MessageKind::Message => ("notification", "routine"),
		MessageKind::Alert { severity: Severity::Info } => ("alert", "routine"),
		MessageKind::Alert { severity: Severity::Warning } => ("alert", "urgent"),
		MessageKind::Alert { severity: Severity::Urgent } => ("alert", "stat"),
	};
	let mut message = json!({
		"resourceType": "Communication",
		"status": "completed",
		"category": [{ "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/communication-category", "code": category }] }],
		"priority": priority,
		"subject": account_reference(patient),
		"sent": instant(sent_ms),
		"sender": account_reference(sender),
		"recipient": [account_reference(recipient)],
		"payload": [{ "contentString": text }],
	});
	if let Some(record) = about {
		message["about"] =
			json!([{ "identifier": { "system": RECORD_SYSTEM, "value": record.to_string() } }]);
	}
	message
}

/// The text of a `Communication` (its first string payload).
pub fn communication_text(value: &Value) -> Option<&str> {
	value["payload"].as_array()?.iter().find_map(|p| p["contentString"].as_str())
}

/// Whether a message body names `sender` and `recipient` (SS58) as the chain does: a body that
/// names others is a copy of someone else's message, sent again under another name, and is not
/// shown.
pub fn names_parties(body: &Value, sender: &str, recipient: &str) -> bool {
	let name = |field: &Value| field["identifier"]["value"].as_str().map(str::to_string);
	name(&body["sender"]).as_deref() == Some(sender)
		&& body["recipient"].as_array().and_then(|r| r.first()).and_then(name).as_deref()
			== Some(recipient)
}

/// The resources of `value`: itself, or a Bundle's entries.
pub fn resources(value: &Value) -> Vec<&Value> {
	if value.get("resourceType").and_then(Value::as_str) == Some("Bundle") {
		value
			.get("entry")
			.and_then(Value::as_array)
			.map(|entries| entries.iter().filter_map(|entry| entry.get("resource")).collect())
			.unwrap_or_default()
	} else {
		vec![value]
	}
}

/// A vital sign or home measurement the client knows: its LOINC code and UCUM unit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Measure {
	/// The LOINC code.
	pub code: &'static str,
	/// What it is, for people.
	pub display: &'static str,
	/// The UCUM unit code.
	pub unit: &'static str,
	/// The observation category (`vital-signs`, or `laboratory` for blood glucose).
	pub category: &'static str,
}

/// Systolic blood pressure (a component of [`BLOOD_PRESSURE`]).
pub const SYSTOLIC: Measure = Measure {
	code: "8480-6",
	display: "Systolic blood pressure",
	unit: "mm[Hg]",
	category: "vital-signs",
};
/// Diastolic blood pressure (a component of [`BLOOD_PRESSURE`]).
pub const DIASTOLIC: Measure = Measure {
	code: "8462-4",
	display: "Diastolic blood pressure",
	unit: "mm[Hg]",
	category: "vital-signs",
};
/// The blood pressure panel, with the systolic and diastolic components.
pub const BLOOD_PRESSURE: Measure = Measure {
	code: "85354-9",
	display: "Blood pressure panel with all children optional",
	unit: "",
	category: "vital-signs",
};
/// Heart rate.
pub const HEART_RATE: Measure =
	Measure { code: "8867-4", display: "Heart rate", unit: "/min", category: "vital-signs" };
/// Body temperature.
pub const TEMPERATURE: Measure =
	Measure { code: "8310-5", display: "Body temperature", unit: "Cel", category: "vital-signs" };
/// Oxygen saturation.
pub const OXYGEN_SATURATION: Measure = Measure {
	code: "2708-6",
	display: "Oxygen saturation in Arterial blood",
	unit: "%",
	category: "vital-signs",
};
/// Body weight.
pub const WEIGHT: Measure =
	Measure { code: "29463-7", display: "Body weight", unit: "kg", category: "vital-signs" };
/// Respiratory rate.
pub const RESPIRATORY_RATE: Measure =
	Measure { code: "9279-1", display: "Respiratory rate", unit: "/min", category: "vital-signs" };
/// Blood glucose (a home meter's reading, mmol/L).
pub const GLUCOSE: Measure = Measure {
	code: "15074-8",
	display: "Glucose [Moles/volume] in Blood",
	unit: "mmol/L",
	category: "laboratory",
};

/// Every measure the client knows.
pub const MEASURES: [Measure; 9] = [
	SYSTOLIC,
	DIASTOLIC,
	BLOOD_PRESSURE,
	HEART_RATE,
	TEMPERATURE,
	OXYGEN_SATURATION,
	WEIGHT,
	RESPIRATORY_RATE,
	GLUCOSE,
];

/// The values a person can have for a measure the clients know (a typo such as 1500 for a
/// systolic pressure is refused before it is stored): `(low, high)` inclusive, in its unit.
pub fn plausible(code: &str) -> Option<(f64, f64)> {
	Some(match code {
		"8480-6" => (40.0, 300.0),
		"8462-4" => (20.0, 200.0),
		"8867-4" => (20.0, 300.0),
		"8310-5" => (25.0, 45.0),
		"2708-6" => (50.0, 100.0),
		"29463-7" => (0.3, 600.0),
		"9279-1" => (3.0, 80.0),
		"15074-8" => (0.5, 60.0),
		_ => return None,
	})
}

/// The measure of a LOINC code, if the client knows it.
pub fn measure(code: &str) -> Option<Measure> {
	MEASURES.into_iter().find(|m| m.code == code)
}

fn coded(measure: Measure) -> Value {
	json!({
		"coding": [{ "system": LOINC, "code": measure.code, "display": measure.display }],
		"text": measure.display,
	})
}

fn quantity(measure: Measure, value: f64) -> Value {
	json!({ "value": value, "unit": measure.unit, "system": UCUM, "code": measure.unit })
}

fn observation(measure: Measure, patient: &str, at_ms: u64) -> Value {
	json!({
		"resourceType": "Observation",
		"status": "final",
		"category": [{
			"coding": [{ "system": OBSERVATION_CATEGORY, "code": measure.category }]
		}],
		"code": coded(measure),
		"subject": account_reference(patient),
		"effectiveDateTime": instant(at_ms),
	})
}

/// An Observation of one measure (vital-signs profile: LOINC code, UCUM unit).
pub fn reading(measure: Measure, value: f64, patient: &str, at_ms: u64) -> Value {
	let mut resource = observation(measure, patient, at_ms);
	resource["valueQuantity"] = quantity(measure, value);
	resource
}

/// A blood pressure Observation: the panel with systolic and diastolic components.
pub fn blood_pressure(systolic: f64, diastolic: f64, patient: &str, at_ms: u64) -> Value {
	let mut resource = observation(BLOOD_PRESSURE, patient, at_ms);
	resource["component"] = json!([
		{ "code": coded(SYSTOLIC), "valueQuantity": quantity(SYSTOLIC, systolic) },
		{ "code": coded(DIASTOLIC), "valueQuantity": quantity(DIASTOLIC, diastolic) },
	]);
	resource
}

/// A Bundle (`collection`) of `resources`.
pub fn bundle(resources: Vec<Value>) -> Value {
	json!({
		"resourceType": "Bundle",
		"type": "collection",
		"entry": resources.into_iter().map(|resource| json!({ "resource": resource })).collect::<Vec<_>>(),
	})
}

/// One number read from an Observation: a value, or a component's.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reading {
	/// The LOINC code of what was measured (the component's, for a panel).
	pub code: String,
	/// What it is.
	pub display: String,
	/// The value.
	pub value: f64,
	/// The unit (UCUM code).
	pub unit: String,
	/// When (`effectiveDateTime`, or the start of `effectivePeriod`), as written.
	pub effective: Option<String>,
}

/// The LOINC code and its display of a `CodeableConcept`, if it has one.
pub fn loinc_code(concept: &Value) -> Option<(String, String)> {
	concept["coding"].as_array()?.iter().find(|c| c["system"] == LOINC).map(|c| {
		let code = c["code"].as_str().unwrap_or_default().to_string();
		let display = c["display"]
			.as_str()
			.or_else(|| concept["text"].as_str())
			.map(str::to_string)
			.or_else(|| measure(&code).map(|m| m.display.to_string()))
			.unwrap_or_else(|| code.clone());
		(code, display)
	})
}

fn quantity_value(quantity: &Value) -> Option<(f64, String)> {
	let value = quantity["value"].as_f64()?;
	let unit = quantity["code"].as_str().or_else(|| quantity["unit"].as_str()).unwrap_or_default();
	Some((value, unit.to_string()))
}

/// The numbers in `value` (an Observation or a Bundle of them): each value and component with
/// a LOINC code and a quantity.
pub fn readings(value: &Value) -> Vec<Reading> {
	let mut found = Vec::new();
	for resource in resources(value) {
		if resource["resourceType"] != "Observation" {
			continue;
		}
		let effective = resource["effectiveDateTime"]
			.as_str()
			.or_else(|| resource["effectivePeriod"]["start"].as_str())
			.or_else(|| resource["effectiveInstant"].as_str())
			.map(str::to_string);
		let mut push = |concept: &Value, quantity: &Value| {
			if let (Some((code, display)), Some((value, unit))) =
				(loinc_code(concept), quantity_value(quantity))
			{
				found.push(Reading { code, display, value, unit, effective: effective.clone() });
			}
		};
		push(&resource["code"], &resource["valueQuantity"]);
		for component in resource["component"].as_array().into_iter().flatten() {
			push(&component["code"], &component["valueQuantity"]);
		}
	}
	found
}

/// The file or text inside a resource a client made ([`unwrap_file`]), only if the resource is
/// exactly what a client makes from that file for the record's `patient` and `author` (SS58):
/// rebuilt from the file, its title, media type and time, it must equal `value`. A resource
/// whose structured fields say something else than its kept text (a `MedicationRequest` naming
/// another medication than the text, another requester, another patient) gives nothing back,
/// and is shown as the resource it is.
pub fn unwrap_checked(value: &Value, patient: &str, author: &str) -> Option<Vec<u8>> {
	let file = unwrap_file(value)?;
	let millis = |field: &Value| {
		chrono::DateTime::parse_from_rfc3339(field.as_str()?)
			.ok()
			.map(|at| at.timestamp_millis() as u64)
	};
	let tag = value["meta"]["tag"].as_array()?.iter().find(|t| t["system"] == WRAPPED_TAG)?;
	let rebuilt = match (tag["code"].as_str()?, value["resourceType"].as_str()?) {
		("text", kind) => {
			let text = core::str::from_utf8(&file).ok()?;
			let (category, title, at) = match kind {
				"MedicationRequest" => (RecordCategory::Prescription, "", &value["authoredOn"]),
				"DiagnosticReport" => {
					(RecordCategory::LabReport, value["code"]["text"].as_str()?, &value["issued"])
				}
				"Composition" => {
					(RecordCategory::ClinicalNote, value["title"].as_str()?, &value["date"])
				}
				_ => return None,
			};
			from_text(category, text, title, author, patient, millis(at)?)?
		}
		("file", "DocumentReference") => {
			let attachment = &value["content"][0]["attachment"];
			let (title, media) =
				(attachment["title"].as_str()?, attachment["contentType"].as_str()?);
			wrap_file(&file, title, media, patient, millis(&value["date"])?)
		}
		("file", "DiagnosticReport") => {
			let form = &value["presentedForm"][0];
			let (title, media) = (form["title"].as_str()?, form["contentType"].as_str()?);
			report_file(&file, title, media, author, patient, millis(&value["issued"])?)
		}
		_ => return None,
	};
	(rebuilt == *value).then_some(file)
}

#[cfg(test)]
mod tests {
	use super::*;

	const PATIENT: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
	const DOCTOR: &str = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty";
	const AT: u64 = 1_767_225_600_123;

	/// What a client makes gives the file back, checked; a resource whose structured fields
	/// differ from its text, or that names another patient or author, gives nothing back.
	#[test]
	fn a_wrapped_file_comes_back_only_if_the_resource_is_what_a_client_makes() {
		let accept = |_: &Value| true;
		for (category, bytes, name) in [
			(RecordCategory::Prescription, &b"Amoxicillin 500 mg\n3 a day"[..], "rx.txt"),
			(RecordCategory::LabReport, &b"Haemoglobin 13.9"[..], "lab.txt"),
			(RecordCategory::ClinicalNote, &b"Seen today <b>&</b>"[..], "note.txt"),
			(RecordCategory::LabReport, &b"%PDF-1.7 \x00 lab"[..], "lab.pdf"),
			(RecordCategory::Imaging, &b"\x00DICM"[..], "scan.dcm"),
		] {
			let made = wrap_upload(category, bytes, name, DOCTOR, PATIENT, AT, accept).unwrap();
			assert_eq!(unwrap_checked(&made, PATIENT, DOCTOR).as_deref(), Some(bytes), "{name}");
			assert_eq!(unwrap_checked(&made, DOCTOR, DOCTOR), None, "{name}: another patient");
		}
		let mut forged =
			from_text(RecordCategory::Prescription, "Paracetamol 1 g", "", DOCTOR, PATIENT, AT)
				.unwrap();
		forged["medicationCodeableConcept"]["text"] = json!("Oxycodone 80 mg");
		assert_eq!(unwrap_file(&forged).as_deref(), Some(&b"Paracetamol 1 g"[..]));
		assert_eq!(unwrap_checked(&forged, PATIENT, DOCTOR), None);
		let made =
			from_text(RecordCategory::Prescription, "Paracetamol 1 g", "", DOCTOR, PATIENT, AT)
				.unwrap();
		assert_eq!(unwrap_checked(&made, PATIENT, PATIENT), None, "another author");
	}

	/// A wrapped file travels beside its resource, not inside it: the plaintext is the file's size
	/// and a small header (at short, chunk-sized and long files), and reads back as the very
	/// resource a client made, which gives the file back checked; texts stay JSON; records
	/// stored before (the file inline) read as they are; malformed plaintexts are nothing.
	#[test]
	fn a_wrapped_file_is_stored_beside_its_resource_not_in_base64() {
		let accept = |_: &Value| true;
		for len in [1usize, 100, 64 << 10, (64 << 10) + 1, 2 << 20] {
			let mut file: Vec<u8> = (0..len).map(|i| (i * 7 + i / 251) as u8).collect();
			file[0] = 0xff; // not UTF-8: a binary file
			for (category, name) in
				[(RecordCategory::Document, "scan.pdf"), (RecordCategory::LabReport, "lab.pdf")]
			{
				let made = wrap_upload(category, &file, name, DOCTOR, PATIENT, AT, accept).unwrap();
				let stored = plaintext(made.clone());
				assert!(stored.starts_with(ATTACHED), "{name} {len}");
				assert!(stored.len() < len + 1024, "{name} {len}: {} bytes stored", stored.len());
				assert!(stored.ends_with(&file));
				let read = resource_of(&stored).unwrap();
				assert_eq!(read, made, "{name} {len}: the resource as made");
				assert_eq!(unwrap_checked(&read, PATIENT, DOCTOR).as_deref(), Some(&file[..]));
				// Inline, as stored before: the same resource, a third larger.
				let inline = made.to_string().into_bytes();
				assert!(inline.len() > len * 4 / 3);
				assert_eq!(resource_of(&inline).unwrap(), made);
			}
		}
		// A text stays the category's own resource, as JSON.
		let rx = wrap_upload(
			RecordCategory::Prescription,
			b"Amoxicillin",
			"rx.txt",
			DOCTOR,
			PATIENT,
			AT,
			accept,
		)
		.unwrap();
		assert_eq!(serde_json::from_slice::<Value>(&plaintext(rx.clone())).unwrap(), rx);
		// A resource whose declared size is not its data's is stored as it came (inline), not
		// as a plaintext no reader would read.
		let mut lying = wrap_file(b"\xff\x00PNG", "x.png", "image/png", PATIENT, AT);
		lying["content"][0]["attachment"]["size"] = json!(4);
		let stored = plaintext(lying.clone());
		assert!(!stored.starts_with(ATTACHED));
		assert_eq!(serde_json::from_slice::<Value>(&stored).unwrap(), lying);
		// Malformed: each is nothing, never a panic.
		let made = wrap_file(b"\xff\x00PNG", "x.png", "image/png", PATIENT, AT);
		let good = plaintext(made.clone());
		// Well formed, but made for another patient: read, and no file is given back for it.
		let other = plaintext(wrap_file(b"\xff\x00PNG", "x.png", "image/png", DOCTOR, AT));
		let read = resource_of(&other).unwrap();
		assert_eq!(unwrap_checked(&read, PATIENT, PATIENT), None, "another patient's");
		assert!(unwrap_checked(&read, DOCTOR, PATIENT).is_some());
		let header_len = u32::from_be_bytes(good[16..20].try_into().unwrap()) as usize;
		let mut longer = good.clone();
		longer.push(0);
		let mut huge = good.clone();
		huge[16..20].copy_from_slice(&u32::MAX.to_be_bytes());
		let mut with_data = made.clone();
		with_data["content"][0]["attachment"]["url"] = json!(ATTACHED_URL);
		let mut forged = ATTACHED.to_vec();
		let header = with_data.to_string().into_bytes();
		forged.extend_from_slice(&(header.len() as u32).to_be_bytes());
		forged.extend_from_slice(&header);
		forged.extend_from_slice(b"\xff\x00PNG");
		for (bad, why) in [
			(&good[..10], "cut in the marker"),
			(&good[..18], "cut in the length"),
			(&good[..20 + header_len - 1], "cut in the header"),
			(&longer[..], "a file longer than declared"),
			(&good[..good.len() - 1], "a file shorter than declared"),
			(&huge[..], "a header length beyond the limit"),
			(&forged[..], "data inside the header"),
		] {
			assert_eq!(resource_of(bad), None, "{why}");
			assert_eq!(attached(bad).map(|(r, _)| r), None, "{why}");
		}
		assert_eq!(resource_of(b"%PDF-1.7 not FHIR"), None);
		assert_eq!(resource_of(b"{\"no\": \"resourceType\"}"), None);
	}

	#[test]
	fn a_message_must_name_its_parties() {
		let body = communication(DOCTOR, PATIENT, PATIENT, MessageKind::Message, "hi", None, AT);
		assert!(names_parties(&body, DOCTOR, PATIENT));
		assert!(!names_parties(&body, PATIENT, DOCTOR));
		assert_eq!(communication_text(&body), Some("hi"));
	}

	#[test]
	fn implausible_readings_are_known() {
		assert_eq!(plausible("8480-6"), Some((40.0, 300.0)));
		assert_eq!(plausible("unknown"), None);
		assert!(MEASURES
			.iter()
			.filter(|m| !m.unit.is_empty())
			.all(|m| plausible(m.code).is_some()));
	}
}
