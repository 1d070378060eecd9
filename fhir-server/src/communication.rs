//! # Communication: the messages between a patient and a clinician
//!
//! A message on this chain is already a FHIR `Communication`: its sender's client writes one,
//! encrypts it for the recipient and for itself, and the chain keeps who wrote to whom, when, and
//! the kind (a message, or an alert with its severity) beside the pointer
//! ([`pallet_ehr_messages`]). This module serves them to the clinician behind a token, opened
//! with the clinician's own key: the clinician is a party of every message it serves.
//!
//! - **Search** (`Communication?patient=…`) lists the messages the clinician and the patient
//!   exchanged that the two inboxes still keep (at most 16 each way: a recipient's inbox keeps
//!   a sender's newest 16, and the recipient removes the ones it read), newest first, paged by
//!   `_count` and `_cursor`; `category` (`alert`, `notification`) and `date` (when it was sent)
//!   narrow it. A message whose body cannot be opened is left out with an `OperationOutcome`
//!   entry saying why.
//! - **Read** (`Communication/{id}`): `id` is `<message id>-<recipient's address>`, where the
//!   message lives on chain (a recipient's inbox, by number). A message the inbox no longer
//!   keeps is 404.
//! - **Create** (`POST /Communication`): the clinician writes to the patient of `subject` (a
//!   message, or with `category` `alert` an alert whose severity is the `priority`: routine,
//!   urgent or asap, stat), about a record if `about` names one. The chain decides whether they
//!   may write to each other (a current grant for treatment or an open appointment between them),
//!   as for `ehr message send`; the stored `Communication` (the text, kind and record it is
//!   about, in the form every client of the chain writes) is in the response.
//! - Messages are not records: reading one's own messages is not logged in a trail, and no
//!   consent is asked to read them; the chain's rule of who may write to whom is the consent.
//!   A patient's token is refused, as for records: this server holds no patient's key.
//! - Served fields come from the chain, not from the body: `sender`, `recipient` (checked against
//!   the chain before anything is shown), `subject` (the patient) and `sent` (the block's time).

use std::sync::Arc;

use axum::{
	body::Body,
	http::{header, HeaderMap, HeaderValue, StatusCode},
	response::Response,
};
use ehr_client::{fhir, Exchanged};
use ehr_primitives::{MessageId, MessageKind, RecordId, Severity};
use serde_json::{json, Value};
use sp_core::crypto::Ss58Codec;
use sp_runtime::AccountId32 as AccountId;

use crate::{
	api::{
		bearer, canonical_number, clinician_key, posted_resource, read_body,
		resource_type_of_value, searchset, subject_of, Access, Search, MAX_COUNT, RECORD_TYPES,
	},
	outcome::{fhir_response, ApiError},
	scopes::Op,
	Server,
};

/// The resource type.
pub const COMMUNICATION: &str = "Communication";
/// The largest `Communication` body taken by create (a message's envelope is at most 64 KiB).
pub const MAX_MESSAGE_BODY: usize = 64 << 10;

/// The resource's logical id: the message's number and its recipient.
fn logical_id(message: &Exchanged) -> String {
	format!("{}-{}", message.id, message.recipient.to_ss58check())
}

/// `<message id>-<recipient address>`.
fn parse_id(id: &str) -> Option<(MessageId, AccountId)> {
	let (number, address) = id.split_once('-')?;
	let number = canonical_number(number)?;
	let recipient = AccountId::from_ss58check(address).ok()?;
	// One spelling per message: the address as this server prints it.
	(recipient.to_ss58check() == address).then_some((number, recipient))
}

/// The patient of a message between `clinician` and someone: the other party.
fn patient_of(message: &Exchanged, clinician: &AccountId) -> AccountId {
	if message.sender == *clinician {
		message.recipient.clone()
	} else {
		message.sender.clone()
	}
}

/// What the chain says of a message, as a `Communication`: sender, recipient, subject (the
/// patient), time, and the category and priority of its kind; no content.
fn chain_facts(message: &Exchanged, patient: &AccountId) -> Value {
	let mut facts = fhir::communication(
		&message.sender,
		&message.recipient,
		patient,
		message.kind,
		"",
		None,
		message.sent_at,
	);
	facts["id"] = json!(logical_id(message));
	facts["meta"] = json!({
		"versionId": "1",
		"lastUpdated": fhir::instant(message.sent_at),
		"source": format!("urn:ehr-chain:message:{}", message.id),
	});
	facts
}

/// The message as served: the chain's facts, with the content its sender wrote (the payload,
/// and the record it says it is about) from the opened body. A body that cannot be opened is an
/// error of the store (503, 502) or of its sender (a note: not JSON, naming other parties, not
/// a valid `Communication`).
async fn served(
	server: &Server,
	clinician: &ehr_client::Keys,
	message: &Exchanged,
	patient: &AccountId,
) -> Result<Result<Value, String>, ApiError> {
	let body = match server.client.open_exchanged(clinician, message).await {
		Ok(body) => body,
		Err(error @ (ehr_client::Error::Refused(_) | ehr_client::Error::Invalid(_))) => {
			return Ok(Err(format!("message {}: {error}", message.id)))
		}
		Err(error) => return Err(error.into()),
	};
	if resource_type_of_value(&body) != COMMUNICATION {
		return Ok(Err(format!("message {} is not a Communication", message.id)));
	}
	let mut resource = chain_facts(message, patient);
	resource["payload"] = body["payload"].clone();
	if let Some(about) = body.get("about") {
		resource["about"] = about.clone();
	}
	Ok(fhir::validate(&resource).map(|_| resource.clone()).map_err(|problems| {
		format!(
			"message {} is not a valid Communication: {}",
			message.id,
			fhir::describe(&problems)
		)
	}))
}

/// `GET /Communication?patient=…`: the messages the clinician and the patient exchanged.
pub async fn search(
	server: &Server,
	grant: Arc<crate::smart::Grant>,
	search: &Search,
) -> Result<Response, ApiError> {
	if !search.codes.is_empty() {
		return Err(ApiError::bad_request(
			"Communication is searched by patient, category, date, _count and _cursor",
		));
	}
	let access = Access::resolve(grant, search.patient.as_deref(), COMMUNICATION, Op::Search)?;
	let clinician = access.reader(server)?;
	let all = server.client.conversation(clinician, &access.patient).await?;
	// Newest first; a page starts after the cursor's message (its time and number). Category
	// and date are the chain's: only the bodies of the page's messages are opened.
	let start = match search.cursor {
		None => 0,
		Some((at, id, _)) => {
			all.iter().position(|m| (m.sent_at, m.id) < (at, id)).unwrap_or(all.len())
		}
	};
	let (mut page, mut notes, mut next) = (Vec::new(), Vec::new(), None);
	let mut taken = 0;
	for message in all.iter().skip(start) {
		if !search.matches(&chain_facts(message, &access.patient)) {
			continue;
		}
		if taken == search.count.min(MAX_COUNT) {
			next = Some((message.sent_at, message.id.saturating_add(1), 0));
			break;
		}
		taken += 1;
		match served(server, clinician, message, &access.patient).await? {
			Ok(resource) => page.push(resource),
			Err(why) => notes.push(why),
		}
	}
	Ok(fhir_response(StatusCode::OK, &searchset(server, COMMUNICATION, search, page, notes, next)))
}

/// `GET /Communication/{id}`.
pub async fn read(server: &Server, headers: &HeaderMap, id: &str) -> Result<Response, ApiError> {
	let grant = bearer(server, headers)?;
	let (number, recipient) =
		parse_id(id).ok_or_else(|| ApiError::not_found(format!("no Communication/{id}")))?;
	// The clinician's key first: a patient's token is refused before anything is looked up.
	let clinician = clinician_key(server, &grant)?;
	let message = server
		.client
		.message(clinician, &recipient, number)
		.await?
		.ok_or_else(|| ApiError::not_found(format!("no Communication/{id} (or not yours)")))?;
	// The token's scopes before the body is fetched.
	let patient = patient_of(&message, &grant.user);
	let access = Access::resolve(grant, Some(&patient.to_ss58check()), COMMUNICATION, Op::Read)?;
	let resource = served(server, clinician, &message, &access.patient)
		.await?
		.map_err(ApiError::unprocessable)?;
	Ok(fhir_response(StatusCode::OK, &resource))
}

/// The kind of message a posted `Communication` asks for: an alert (category `alert`) with the
/// severity of its priority, or a message.
fn kind_of(resource: &Value) -> Result<MessageKind, ApiError> {
	let alert = resource["category"].as_array().into_iter().flatten().any(|concept| {
		concept["coding"].as_array().into_iter().flatten().any(|c| c["code"] == "alert")
	});
	if !alert {
		return Ok(MessageKind::Message);
	}
	let severity = match resource["priority"].as_str().unwrap_or("routine") {
		"routine" => Severity::Info,
		"urgent" | "asap" => Severity::Warning,
		"stat" => Severity::Urgent,
		other => {
			return Err(ApiError::unprocessable(format!("priority {other} is not a FHIR priority")))
		}
	};
	Ok(MessageKind::Alert { severity })
}

/// The record a posted `Communication` is `about`: an identifier of the chain's records, or a
/// reference to a record's resource (`Observation/42`).
fn about_of(resource: &Value) -> Result<Option<RecordId>, ApiError> {
	let Some(first) = resource["about"].as_array().and_then(|about| about.first()) else {
		return Ok(None);
	};
	let bad = || {
		ApiError::unprocessable(
			"about names a record of this chain: an identifier (urn:ehr-chain:record) or a \
			 reference such as Observation/42",
		)
	};
	if let Some(value) = first["identifier"]["value"].as_str() {
		if first["identifier"]["system"] != fhir::RECORD_SYSTEM {
			return Err(bad());
		}
		return value.parse().map(Some).map_err(|_| bad());
	}
	let reference = first["reference"].as_str().ok_or_else(bad)?;
	let (kind, id) = reference.split_once('/').ok_or_else(bad)?;
	if !RECORD_TYPES.iter().any(|(name, _)| *name == kind) {
		return Err(bad());
	}
	let root = id.split('-').next().unwrap_or_default();
	root.parse().map(Some).map_err(|_| bad())
}

/// `POST /Communication`: the clinician writes to the patient of `subject`.
pub async fn create(
	server: &Server,
	headers: &HeaderMap,
	body: Body,
) -> Result<Response, ApiError> {
	let grant = bearer(server, headers)?;
	let body = read_body(body, MAX_MESSAGE_BODY, |_| {
		format!(
			"a Communication is at most {} KiB: upload a long text or a file as a record",
			MAX_MESSAGE_BODY >> 10
		)
	})
	.await?;
	let resource = posted_resource(&body, COMMUNICATION)?;
	let subject = subject_of(&resource).ok_or_else(|| {
		ApiError::unprocessable("name the patient in subject (Patient/<address>)")
	})?;
	let access = Access::resolve(grant, Some(&subject), COMMUNICATION, Op::Create)?;
	let clinician = access.reader(server)?;
	let names_only = |field: &Value, kind: &str, who: &AccountId| match field {
		Value::Null => true,
		Value::Array(items) => items.len() == 1 && same_party(&items[0], kind, who),
		one => same_party(one, kind, who),
	};
	if !names_only(&resource["recipient"], "Patient", &access.patient) {
		return Err(ApiError::unprocessable(
			"a clinician writes to the patient of subject: recipient names that patient only",
		));
	}
	if !names_only(&resource["sender"], "Practitioner", &access.grant.user) {
		return Err(ApiError::unprocessable("the sender is the clinician behind the token"));
	}
	let text = fhir::communication_text(&resource)
		.filter(|text| !text.trim().is_empty())
		.ok_or_else(|| {
			ApiError::unprocessable(
				"the message is a payload with contentString (a file goes as a record)",
			)
		})?
		.to_string();
	let kind = kind_of(&resource)?;
	let about = about_of(&resource)?;
	let sent = {
		// The clinician's transactions one at a time (nonces).
		let _turn = server.turn(&clinician.account_id()).await;
		// The chain says why it refuses (no care relationship: a 403).
		server.client.send_message(clinician, &access.patient, kind, &text, about).await.map_err(
			|error| match error {
				// The text makes an envelope larger than a message may be.
				ehr_client::Error::Usage(why) => {
					ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too-costly", why)
				}
				ehr_client::Error::Invalid(why) => ApiError::unprocessable(why),
				other => other.into(),
			},
		)?
	};
	let message =
		server.client.message(clinician, &access.patient, sent.id).await?.ok_or_else(|| {
			ApiError::unavailable("the message sent is not in the inbox at the final block")
		})?;
	let resource = served(server, clinician, &message, &access.patient)
		.await?
		.map_err(ApiError::unprocessable)?;
	let mut response = fhir_response(StatusCode::CREATED, &resource);
	let location = format!("{}/{COMMUNICATION}/{}", server.base_url, logical_id(&message));
	if let Ok(value) = HeaderValue::from_str(&location) {
		response.headers_mut().insert(header::LOCATION, value);
	}
	Ok(response)
}

/// Whether reference `given` names `who`: `{kind}/<address>`, or the account identifier.
fn same_party(given: &Value, kind: &str, who: &AccountId) -> bool {
	let address = who.to_ss58check();
	match given["reference"].as_str() {
		Some(reference) => reference == format!("{kind}/{address}"),
		None => {
			given["identifier"]["system"] == fhir::ACCOUNT_SYSTEM
				&& given["identifier"]["value"] == address.as_str()
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn ids_have_one_spelling() {
		let alice = ehr_client::Keys::from_uri("//Alice").unwrap().account_id();
		let id = format!("42-{}", alice.to_ss58check());
		assert_eq!(parse_id(&id), Some((42, alice.clone())));
		for bad in [
			format!("042-{}", alice.to_ss58check()),
			format!("-{}", alice.to_ss58check()),
			format!("4a-{}", alice.to_ss58check()),
			"42".to_string(),
			"42-nobody".to_string(),
			format!("42-{}", alice.to_ss58check_with_version(0u16.into())),
		] {
			assert_eq!(parse_id(&bad), None, "{bad}");
		}
	}

	#[test]
	fn a_posted_alert_keeps_its_priority_and_what_it_is_about() {
		let alert = json!({
			"category": [{ "coding": [{ "code": "alert" }] }],
			"priority": "stat",
			"about": [{ "reference": "Observation/42-1" }],
		});
		assert_eq!(kind_of(&alert), Ok(MessageKind::Alert { severity: Severity::Urgent }));
		assert_eq!(about_of(&alert), Ok(Some(42)));
		assert_eq!(kind_of(&json!({ "priority": "stat" })), Ok(MessageKind::Message));
		let odd = json!({ "category": [{ "coding": [{ "code": "alert" }] }], "priority": "soon" });
		assert_eq!(kind_of(&odd).unwrap_err().status, StatusCode::UNPROCESSABLE_ENTITY);
		for bad in [
			json!({ "about": [{ "reference": "Patient/42" }] }),
			json!({ "about": [{ "identifier": { "system": "urn:other", "value": "42" } }] }),
			json!({ "about": [{ "display": "the last one" }] }),
		] {
			assert!(about_of(&bad).is_err(), "{bad}");
		}
	}
}
