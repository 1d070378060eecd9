//! # The FHIR R4 REST API
//!
//! **Records as resources.** Every record on chain is an encrypted file; the clients write FHIR
//! JSON (a resource, or a Bundle of them: `ehr vitals` writes one Observation per reading), and
//! any other file is served as a `DocumentReference` holding it. A resource's logical id is the
//! id of its record's first version (`Observation/42`), with `-n` for the n-th resource of a
//! Bundle (`Observation/42-1`); `meta.versionId` is the record's version (1, then one more per
//! amendment), so `_history/2` is the first amendment.
//!
//! **Who decides.** The token's scopes narrow what a request may do; the chain's consent decides:
//! every request asks the chain whether the clinician may read (or write) this patient's records
//! of this category now (`ehr_checkAccess`), and every record whose content answers the request
//! (shown, or matched against a search) is logged in the patient's trail, under the clinician's
//! own account, before the response leaves: the log transaction is
//! dry-run against the newest block (a grant revoked a moment ago refuses it: 403), signed with
//! the clinician's key, queued on disk and handed to the node; the server's drainer follows it to
//! a finalized block ([`Server::drain_forever`]). Plaintext lives in memory for the request only.
//!
//! **Bounds.** A page opens at most [`MAX_OPENED`] records and [`MAX_PAGE_BYTES`] of them,
//! whatever `_count` says, opening them a few at a time until the page is full; a search that
//! would walk more returns what it found with a `next` link. `_count` is at most [`MAX_COUNT`]:
//! the chain lets a reader log at most 60 reads of one patient an hour, and a page's reads are
//! logged in one transaction. A request body is at most [`MAX_BODY`] bytes (read only after the
//! token is checked), JSON nesting at most serde's 128 levels. A record larger than
//! [`MAX_SERVED`] is not served as FHIR (`ehr record get` fetches it). A record that cannot be
//! opened (too large, no key for this clinician) is left out of a page with an
//! `OperationOutcome` entry saying so, not logged, and does not fail the page.

use std::{collections::HashMap, sync::Arc};

use axum::{
	body::Body,
	http::{header, HeaderMap, HeaderValue, StatusCode},
	response::Response,
};
use ehr_client::{fhir, Keys, RecordInfo, Role};
use ehr_primitives::{AccessLevel, RecordCategory, RecordId};
use futures::{stream, StreamExt, TryStreamExt};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use sp_core::crypto::Ss58Codec;
use sp_runtime::AccountId32 as AccountId;

use crate::{
	outcome::{fhir_response, ApiError},
	scopes::Op,
	smart::{Grant, UserKind},
	Server,
};

/// The most resources a page holds.
pub const MAX_COUNT: usize = 50;
/// The page size when `_count` is not given.
pub const DEFAULT_COUNT: usize = 20;
/// The most records one request opens (decrypts).
pub const MAX_OPENED: usize = 50;
/// The most plaintext one request decrypts (the records' envelope sizes, summed).
pub const MAX_PAGE_BYTES: u64 = 64 << 20;
/// The largest request body.
pub const MAX_BODY: usize = 16 << 20;
/// The largest record served as FHIR JSON.
pub const MAX_SERVED: u64 = 16 << 20;
/// How many records are fetched and decrypted at once for a page.
const PARALLEL_OPENS: usize = 8;

/// The resource types that are records, with their categories.
pub const RECORD_TYPES: [(&str, RecordCategory); 6] = [
	("Observation", RecordCategory::Observation),
	("DocumentReference", RecordCategory::Document),
	("MedicationRequest", RecordCategory::Prescription),
	("DiagnosticReport", RecordCategory::LabReport),
	("Composition", RecordCategory::ClinicalNote),
	("ImagingStudy", RecordCategory::Imaging),
];

fn category_of(resource_type: &str) -> Option<RecordCategory> {
	RECORD_TYPES.iter().find(|(name, _)| *name == resource_type).map(|(_, c)| *c)
}

/// An account from `Patient/<address>`, `<address>` or `urn:ehr-chain:account|<address>`.
pub fn parse_patient(text: &str) -> Result<AccountId, ApiError> {
	let address = text
		.strip_prefix("Patient/")
		.or_else(|| text.strip_prefix(&format!("{}|", fhir::ACCOUNT_SYSTEM)))
		.unwrap_or(text);
	AccountId::from_ss58check(address)
		.map_err(|_| ApiError::bad_request(format!("not a patient's account address: {text}")))
}

/// The bearer token's grant.
pub fn bearer(server: &Server, headers: &HeaderMap) -> Result<Arc<Grant>, ApiError> {
	let token = headers
		.get(header::AUTHORIZATION)
		.and_then(|value| value.to_str().ok())
		.and_then(|value| value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")))
		.ok_or_else(|| {
			ApiError::unauthorized("no bearer token: sign in with SMART App Launch (see /metadata)")
		})?;
	server
		.sessions()
		.bearer(token.trim())
		.ok_or_else(|| ApiError::unauthorized("the access token is unknown, expired or revoked"))
}

/// The key of the clinician behind `grant`, for a request that opens records or messages.
/// Patients read theirs with their own app: this server holds no patient's key.
pub(crate) fn clinician_key<'a>(server: &'a Server, grant: &Grant) -> Result<&'a Keys, ApiError> {
	if grant.kind == UserKind::Patient {
		return Err(ApiError::forbidden(
			"this server opens records with the keys of the hospital's clinicians only; a \
			 patient reads their records with their own key (the web app or `ehr record get`)",
		));
	}
	server
		.keys
		.get(&grant.user)
		.ok_or_else(|| ApiError::forbidden("this server no longer holds the clinician's key"))
}

/// One request's patient, with what the token and the chain allow.
pub(crate) struct Access {
	pub(crate) grant: Arc<Grant>,
	pub(crate) patient: AccountId,
}

impl Access {
	/// The patient a request is about: the one it names, or the token's; checked against the
	/// token's scopes for `resource_type` and `op`.
	pub(crate) fn resolve(
		grant: Arc<Grant>,
		named: Option<&str>,
		resource_type: &str,
		op: Op,
	) -> Result<Access, ApiError> {
		let patient =
			match (named, &grant.patient) {
				(Some(text), _) => parse_patient(text)?,
				(None, Some(patient)) => patient.clone(),
				(None, None) => return Err(ApiError::bad_request(
					"name the patient (?patient=<address>): the token has no patient in context",
				)),
			};
		if grant.kind == UserKind::Patient && patient != grant.user {
			return Err(ApiError::forbidden("a patient's token reads only that patient's data"));
		}
		let in_context = grant.patient.as_ref() == Some(&patient);
		if !grant.scopes.allows(resource_type, op, in_context) {
			return Err(ApiError::forbidden(format!(
				"the token's scopes ({}) do not allow this on {resource_type}{}",
				grant.scopes,
				if in_context { "" } else { " outside its patient context" }
			)));
		}
		Ok(Access { grant, patient })
	}

	/// The clinician's key, for a request that opens records ([`clinician_key`]).
	pub(crate) fn reader<'a>(&self, server: &'a Server) -> Result<&'a Keys, ApiError> {
		clinician_key(server, &self.grant)
	}

	/// Whether the chain's consent lets the clinician access `category` at `level` now.
	async fn consented(
		&self,
		server: &Server,
		category: RecordCategory,
		level: AccessLevel,
	) -> Result<bool, ApiError> {
		use ehr_client::rpc::EhrApiClient;
		server
			.client
			.rpc()
			.check_access(self.grant.user.clone(), self.patient.clone(), category, level, None)
			.await
			.map_err(|e| ApiError::unavailable(format!("ehr_checkAccess: {e}")))
	}

	async fn require_consent(
		&self,
		server: &Server,
		category: RecordCategory,
		level: AccessLevel,
	) -> Result<(), ApiError> {
		if self.consented(server, category, level).await? {
			Ok(())
		} else {
			Err(ApiError::forbidden(format!(
				"the patient's consent on chain does not give {} {} access to {category:?} \
				 records now",
				self.grant.user.to_ss58check(),
				if level == AccessLevel::Read { "read" } else { "write" },
			)))
		}
	}
}

/// A record opened: its resources.
struct Opened {
	record: RecordInfo,
	root: RecordId,
	resources: Vec<Value>,
}

/// The resources inside a record's plaintext: FHIR JSON as written (a file stored beside its
/// resource put back inline), anything else a `DocumentReference` holding the file.
fn resources_of(bytes: &[u8], record: &RecordInfo) -> Vec<Value> {
	// JSON as written, or a file stored beside its resource (`ehr_fhir::ATTACHED`), served
	// with the file inline as FHIR readers expect.
	match fhir::resource_of(bytes) {
		Some(value) => fhir::resources(&value)
			.into_iter()
			.filter(|resource| resource.is_object())
			.cloned()
			.collect(),
		_ => vec![fhir::wrap_file(
			bytes,
			&format!("record {}", record.id),
			"application/octet-stream",
			&record.patient,
			record.created_at,
		)],
	}
}

/// Opens `record` (as listed) with the key wrapped for `reader` by consent, in memory; the
/// record's details are the ones `open` read (proven when the server verifies), and must agree
/// with the listing. Does not log.
async fn open(
	server: &Server,
	reader: &Keys,
	record: RecordInfo,
	root: RecordId,
) -> Result<Opened, ApiError> {
	if record.size > MAX_SERVED {
		return Err(ApiError::unprocessable(format!(
			"record {} is larger than this server serves as FHIR ({} MiB): fetch it with `ehr \
			 record get`",
			record.id,
			MAX_SERVED >> 20
		)));
	}
	let mut plain = Vec::new();
	// With the key wrapped for the clinician by consent, or, under an open emergency access,
	// with the key shares the hospitals' custodians released to the clinician (break-glass).
	let (opened, _) = server.client.open(reader, record.id, &mut plain, |_, _| ()).await?;
	if (&opened.patient, opened.category, opened.version, opened.erased)
		!= (&record.patient, record.category, record.version, false)
	{
		return Err(ApiError::new(
			StatusCode::BAD_GATEWAY,
			"integrity",
			format!("the node's listing of record {} does not match the record", record.id),
		));
	}
	let resources = resources_of(&plain, &opened);
	Ok(Opened { record: opened, root, resources })
}

/// Logs the reads of `opened` in the patient's trail (one transaction): the dry run refuses a
/// read the chain's consent no longer allows, and then nothing is returned.
async fn log(
	server: &Server,
	reader: &Keys,
	patient: &AccountId,
	opened: &[&RecordInfo],
) -> Result<(), ApiError> {
	if opened.is_empty() {
		return Ok(());
	}
	// One log transaction of this reader at a time: each takes the reader's next nonce.
	let _turn = server.turn(&reader.account_id()).await;
	server.client.log_reads(reader, patient, opened).await.map_err(|error| match error {
		ehr_client::Error::Refused(why) if why.contains("TooManyAccessLogs") => ApiError::new(
			StatusCode::TOO_MANY_REQUESTS,
			"throttled",
			format!("the chain allows a reader 60 logged reads of one patient an hour: {why}"),
		),
		ehr_client::Error::Refused(why) => ApiError::forbidden(format!(
			"the chain refuses to log this read (consent revoked or ended?): {why}"
		)),
		other => other.into(),
	})?;
	Ok(())
}

/// The resource `index` of `opened` as served: its logical id, version and last update.
fn served(opened: &Opened, index: usize) -> Value {
	let mut resource = opened.resources[index].clone();
	let id = if opened.resources.len() == 1 {
		opened.root.to_string()
	} else {
		format!("{}-{index}", opened.root)
	};
	resource["id"] = json!(id);
	let mut meta = resource.get("meta").cloned().filter(Value::is_object).unwrap_or(json!({}));
	meta["versionId"] = json!(opened.record.version.to_string());
	meta["lastUpdated"] = json!(fhir::instant(opened.record.created_at));
	meta["source"] = json!(format!("{}:{}", fhir::RECORD_SYSTEM, opened.record.id));
	if opened.record.wrapped_key.is_none() {
		// Opened by break-glass (no key of consent): labelled so, as HL7's ActReason says.
		let mut security =
			meta.get("security").and_then(Value::as_array).cloned().unwrap_or_default();
		security.push(json!({
			"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason",
			"code": "BTG",
			"display": "break the glass",
		}));
		meta["security"] = json!(security);
	}
	resource["meta"] = meta;
	resource
}

fn resource_type(value: &Value) -> &str {
	value.get("resourceType").and_then(Value::as_str).unwrap_or_default()
}

/// `42` or `42-1`: the record's first version, and the resource's place in it.
fn parse_id(id: &str) -> Option<(RecordId, Option<usize>)> {
	match id.split_once('-') {
		Some((root, index)) => Some((canonical_number(root)?, Some(canonical_number(index)?))),
		None => Some((canonical_number(id)?, None)),
	}
}

/// A number in an id: digits only, no leading zero (one spelling per resource).
pub(crate) fn canonical_number<T: std::str::FromStr>(text: &str) -> Option<T> {
	(!text.is_empty()
		&& text.bytes().all(|b| b.is_ascii_digit())
		&& (text == "0" || !text.starts_with('0')))
	.then(|| text.parse().ok())
	.flatten()
}

/// The versions of the record whose first version is `root`, oldest first.
async fn versions(server: &Server, root: RecordId) -> Result<Vec<RecordInfo>, ApiError> {
	let mut all = server.client.versions(root).await?;
	all.sort_by_key(|v| v.version);
	match all.first() {
		Some(first) if first.id == root => Ok(all),
		_ => Err(ApiError::not_found(format!("no record {root}"))),
	}
}

// --- Read, vread, history ---

/// `GET /{type}/{id}`, `GET /{type}/{id}/_history/{vid}`.
async fn read_version(
	server: &Server,
	headers: &HeaderMap,
	resource_type: &str,
	id: &str,
	version: Option<&str>,
) -> Result<Response, ApiError> {
	let grant = bearer(server, headers)?;
	let category = category_of(resource_type).ok_or_else(|| unsupported(resource_type))?;
	let (root, index) =
		parse_id(id).ok_or_else(|| ApiError::not_found(format!("no {resource_type}/{id}")))?;
	let all = versions(server, root).await?;
	let record = match version {
		None => all.iter().find(|v| v.superseded_by.is_none()).or(all.last()),
		Some(vid) => all.iter().find(|v| v.version.to_string() == vid),
	}
	.cloned()
	.ok_or_else(|| {
		ApiError::not_found(format!("no version {version:?} of {resource_type}/{id}"))
	})?;
	// The token and the chain's consent first: nothing about the record is told before.
	let access =
		Access::resolve(grant, Some(&record.patient.to_ss58check()), resource_type, Op::Read)?;
	let reader = access.reader(server)?;
	access.require_consent(server, category, AccessLevel::Read).await?;
	if record.category != category {
		return Err(ApiError::not_found(format!("no {resource_type}/{id}")));
	}
	if record.erased || all.iter().any(|v| v.erased) {
		return Err(ApiError::gone(format!("{resource_type}/{id} was erased by the patient")));
	}
	let opened = open(server, reader, record, root).await?;
	let index = index.unwrap_or(0);
	if index >= opened.resources.len()
		|| resource_type_of_opened(&opened, index) != resource_type
		|| (opened.resources.len() > 1) != id.contains('-')
	{
		return Err(ApiError::not_found(format!("no {resource_type}/{id}")));
	}
	log(server, reader, &access.patient, &[&opened.record]).await?;
	let resource = served(&opened, index);
	let mut response = fhir_response(StatusCode::OK, &resource);
	if let Ok(etag) = HeaderValue::from_str(&format!("W/\"{}\"", opened.record.version)) {
		response.headers_mut().insert(header::ETAG, etag);
	}
	Ok(response)
}

fn resource_type_of_opened(opened: &Opened, index: usize) -> &str {
	resource_type(&opened.resources[index])
}

fn unsupported(resource_type: &str) -> ApiError {
	ApiError::not_found(format!(
		"this server does not serve {resource_type} (GET /metadata lists what it serves)"
	))
}

// --- Search ---

/// Where a page starts. For records: the newest version's time and the record's first
/// version of the record to start at (records newer than that, added while paging, do not shift
/// the pages), and how many matches of that record the previous page took. For the trail: the
/// entry's index.
pub(crate) type Cursor = (u64, u64, usize);

/// A search's parameters.
#[derive(Default)]
pub struct Search {
	pub(crate) patient: Option<String>,
	pub(crate) categories: Vec<String>,
	pub(crate) codes: Vec<(Option<String>, String)>,
	pub(crate) dates: Vec<(String, i64, i64)>,
	pub(crate) count: usize,
	/// Where the page starts ([`Cursor`]).
	pub(crate) cursor: Option<Cursor>,
	/// The query as given, minus `_cursor`, for the page links.
	pub(crate) query: Vec<(String, String)>,
}

/// `[start, end)` in ms of a FHIR date, dateTime or instant (`2026`, `2026-11`, `2026-11-26`,
/// `2026-11-26T08:05:00+01:00`).
pub fn date_range(text: &str) -> Option<(i64, i64)> {
	use chrono::{DateTime, Datelike, NaiveDate};
	if let Ok(at) = DateTime::parse_from_rfc3339(text) {
		let ms = at.timestamp_millis();
		return Some((ms, ms + 1));
	}
	let day = |y: i32, m: u32, d: u32| {
		NaiveDate::from_ymd_opt(y, m, d)
			.and_then(|date| date.and_hms_opt(0, 0, 0))
			.map(|t| t.and_utc().timestamp_millis())
	};
	let parts: Vec<&str> = text.split('-').collect();
	let num = |s: &str, len: usize| (s.len() == len).then(|| s.parse::<u32>().ok()).flatten();
	match parts.as_slice() {
		[y] => {
			let y = num(y, 4)? as i32;
			Some((day(y, 1, 1)?, day(y + 1, 1, 1)?))
		}
		[y, m] => {
			let (y, m) = (num(y, 4)? as i32, num(m, 2)?);
			let next = if m == 12 { day(y + 1, 1, 1)? } else { day(y, m + 1, 1)? };
			Some((day(y, m, 1)?, next))
		}
		[y, m, d] => {
			let date = NaiveDate::from_ymd_opt(num(y, 4)? as i32, num(m, 2)?, num(d, 2)?)?;
			let start = day(date.year(), date.month(), date.day())?;
			Some((start, start + 86_400_000))
		}
		_ => None,
	}
}

/// The clinical date of a resource: when it was observed, issued, authored or dated.
fn clinical_date(resource: &Value) -> Option<(i64, i64)> {
	[
		"/effectiveDateTime",
		"/effectivePeriod/start",
		"/effectiveInstant",
		"/issued",
		"/authoredOn",
		"/date",
		"/started",
		"/sent",
	]
	.iter()
	.find_map(|pointer| resource.pointer(pointer).and_then(Value::as_str).and_then(date_range))
}

impl Search {
	pub(crate) fn parse(pairs: &[(String, String)]) -> Result<Search, ApiError> {
		let mut search = Search { count: DEFAULT_COUNT, ..Default::default() };
		for (name, value) in pairs {
			match name.as_str() {
				"patient" | "subject" | "patient:Patient" | "subject:Patient" => {
					if search.patient.replace(value.clone()).is_some() {
						return Err(ApiError::bad_request("name one patient"));
					}
				}
				"category" => search.categories.extend(
					value
						.split(',')
						.map(|c| c.rsplit_once('|').map(|(_, code)| code).unwrap_or(c).to_string()),
				),
				"code" | "type" => {
					for code in value.split(',') {
						search.codes.push(match code.split_once('|') {
							Some(("", code)) => (None, code.to_string()),
							Some((system, code)) => (Some(system.to_string()), code.to_string()),
							None => (None, code.to_string()),
						});
					}
				}
				"date" => {
					let (prefix, date) = match value.get(..2) {
						Some(p @ ("eq" | "ne" | "ge" | "gt" | "le" | "lt")) => (p, &value[2..]),
						_ => ("eq", value.as_str()),
					};
					let (start, end) = date_range(date)
						.ok_or_else(|| ApiError::bad_request(format!("not a FHIR date: {date}")))?;
					search.dates.push((prefix.to_string(), start, end));
				}
				"_count" => {
					let count: usize =
						value.parse().map_err(|_| ApiError::bad_request("_count is a number"))?;
					search.count = count.clamp(1, MAX_COUNT);
				}
				"_cursor" => {
					let bad = || ApiError::bad_request("bad _cursor: take it from a next link");
					let parts: Vec<u64> = value
						.split('.')
						.map(|part| part.parse::<u64>().map_err(|_| bad()))
						.collect::<Result<_, _>>()?;
					let [at, record, skip] = parts[..] else { return Err(bad()) };
					search.cursor = Some((at, record, skip as usize));
					continue;
				}
				"_format" if value.contains("json") => {}
				other => {
					return Err(ApiError::bad_request(format!(
						"search parameter {other} is not supported (GET /metadata lists those \
						 that are): refused rather than ignored, so that no search returns more \
						 than asked"
					)))
				}
			}
			search.query.push((name.clone(), value.clone()));
		}
		Ok(search)
	}

	pub(crate) fn matches(&self, resource: &Value) -> bool {
		let codings = |field: &str| -> Vec<(Option<String>, String)> {
			let concepts = match resource.get(field) {
				Some(Value::Array(items)) => items.clone(),
				Some(item) => vec![item.clone()],
				None => vec![],
			};
			concepts
				.iter()
				.filter_map(|c| c.get("coding").and_then(Value::as_array))
				.flatten()
				.filter_map(|coding| {
					let code = coding.get("code")?.as_str()?.to_string();
					Some((coding.get("system").and_then(Value::as_str).map(String::from), code))
				})
				.collect()
		};
		if !self.categories.is_empty() {
			let have = codings("category");
			if !have.iter().any(|(_, code)| self.categories.contains(code)) {
				return false;
			}
		}
		if !self.codes.is_empty() {
			let mut have = codings("code");
			have.extend(codings("type"));
			let hit = self.codes.iter().any(|(system, code)| {
				have.iter().any(|(s, c)| c == code && (system.is_none() || s == system))
			});
			if !hit {
				return false;
			}
		}
		if !self.dates.is_empty() {
			let Some((start, end)) = clinical_date(resource) else { return false };
			for (prefix, from, to) in &self.dates {
				let ok = match prefix.as_str() {
					"eq" => start >= *from && end <= *to,
					"ne" => !(start >= *from && end <= *to),
					"ge" => start >= *from,
					"gt" => start >= *to,
					"le" => start < *to,
					"lt" => start < *from,
					_ => false,
				};
				if !ok {
					return false;
				}
			}
		}
		true
	}

	fn link(&self, server: &Server, path: &str, cursor: Option<Cursor>) -> String {
		let mut query = self.query.clone();
		if let Some((at, record, skip)) = cursor {
			query.push(("_cursor".into(), format!("{at}.{record}.{skip}")));
		}
		let query = serde_urlencoded::to_string(&query).unwrap_or_default();
		format!("{}/{path}?{query}", server.base_url)
	}
}

/// The newest version of each record of `patient` in `categories`, newest first, with the id of
/// each one's first version.
async fn latest_records(
	server: &Server,
	patient: &AccountId,
	categories: &[RecordCategory],
) -> Result<Vec<(RecordInfo, RecordId)>, ApiError> {
	let mut all = Vec::new();
	for category in categories {
		all.extend(server.client.records(patient, Some(*category)).await?);
	}
	let by_id: HashMap<RecordId, &RecordInfo> = all.iter().map(|r| (r.id, r)).collect();
	let root_of = |record: &RecordInfo| {
		let (mut root, mut previous) = (record.id, record.supersedes);
		// At most as many steps as there are versions (a listing with a loop ends too).
		for _ in 0..by_id.len() {
			match previous.and_then(|id| by_id.get(&id)) {
				Some(version) => (root, previous) = (version.id, version.supersedes),
				None => break,
			}
		}
		root
	};
	let mut latest: Vec<(RecordInfo, RecordId)> = all
		.iter()
		.filter(|r| r.superseded_by.is_none() && !r.erased)
		.map(|r| (r.clone(), root_of(r)))
		.collect();
	latest.sort_by(|a, b| (b.0.created_at, b.1).cmp(&(a.0.created_at, a.1)));
	Ok(latest)
}

/// One page of matches among `types`' records: the resources, notes on records left out, and
/// the cursor of the next page. Records are opened a few at a time, in order, until the page is
/// full or a bound is reached; every record whose content answered the search (shown, or
/// matched against it) is logged, in one transaction. Records opened in the last batch after
/// the page was full are neither used nor logged.
async fn search_page(
	server: &Server,
	access: &Access,
	types: &[&str],
	search: &Search,
) -> Result<(Vec<Value>, Vec<String>, Option<Cursor>), ApiError> {
	let reader = access.reader(server)?;
	let mut categories = Vec::new();
	for name in types {
		let category = category_of(name).ok_or_else(|| unsupported(name))?;
		if access.consented(server, category, AccessLevel::Read).await? {
			categories.push(category);
		} else if types.len() == 1 {
			access.require_consent(server, category, AccessLevel::Read).await?;
		}
	}
	let records = latest_records(server, &access.patient, &categories).await?;
	let (start, mut skip) = match search.cursor {
		None => (0, 0),
		Some((at, root, skip)) => {
			let start = records
				.iter()
				.position(|(record, first)| (record.created_at, *first) <= (at, root))
				.unwrap_or(records.len());
			// The record the last page stopped in, unless it changed since (amended: it moved).
			let same =
				records.get(start).is_some_and(|(r, first)| (r.created_at, *first) == (at, root));
			(start, if same { skip } else { 0 })
		}
	};
	let end = records.len().min(start.saturating_add(MAX_OPENED));
	let (mut page, mut notes, mut evaluated) = (Vec::new(), Vec::new(), Vec::new());
	let mut next = None;
	let (mut place, mut bytes) = (start, 0u64);
	'walk: while place < end {
		// The next few records, within the byte budget. A record larger than the server serves
		// is refused by `open` before anything is fetched: it costs nothing.
		let mut batch = Vec::new();
		let mut budget_spent = false;
		while place + batch.len() < end && batch.len() < PARALLEL_OPENS {
			let (record, _) = &records[place + batch.len()];
			// A file stored beside its resource is served inline, a third larger (base64).
			let cost = if record.size > MAX_SERVED { 0 } else { record.size.saturating_mul(4) / 3 };
			if bytes.saturating_add(cost) > MAX_PAGE_BYTES && bytes > 0 {
				budget_spent = true;
				break;
			}
			bytes = bytes.saturating_add(cost);
			batch.push(records[place + batch.len()].clone());
		}
		if batch.is_empty() {
			break;
		}
		let opened: Vec<Result<Opened, ApiError>> = stream::iter(batch)
			.map(|(record, root)| open(server, reader, record, root))
			.buffered(PARALLEL_OPENS)
			.collect()
			.await;
		for result in opened {
			let opened = match result {
				Ok(opened) => opened,
				// One record that cannot be opened here does not hide the others.
				Err(error)
					if matches!(
						error.status,
						StatusCode::FORBIDDEN | StatusCode::UNPROCESSABLE_ENTITY
					) =>
				{
					notes.push(error.message);
					place += 1;
					skip = 0;
					continue;
				}
				Err(error) => return Err(error),
			};
			// Its content answers the search (shown or not): it is logged.
			evaluated.push(opened.record.clone());
			let matching: Vec<usize> = (0..opened.resources.len())
				.filter(|&index| {
					let resource = &opened.resources[index];
					types.contains(&resource_type(resource)) && search.matches(resource)
				})
				.collect();
			let mut taken = skip;
			for &index in matching.iter().skip(skip) {
				page.push(served(&opened, index));
				taken += 1;
				if page.len() == search.count {
					// Full: the next page goes on from here, without looking further ahead
					// (a link naming a record nobody read would tell it matches).
					next = if taken < matching.len() {
						Some((place, taken))
					} else if place + 1 < records.len() {
						Some((place + 1, 0))
					} else {
						None
					};
					break 'walk;
				}
			}
			place += 1;
			skip = 0;
		}
		if budget_spent {
			break;
		}
	}
	if next.is_none() && page.len() < search.count && place < records.len() {
		next = Some((place, 0));
	}
	let evaluated: Vec<&RecordInfo> = evaluated.iter().collect();
	log(server, reader, &access.patient, &evaluated).await?;
	let next = next.map(|(place, skip): (usize, usize)| {
		let (record, first) = &records[place];
		(record.created_at, *first, skip)
	});
	Ok((page, notes, next))
}

pub(crate) fn searchset(
	server: &Server,
	path: &str,
	search: &Search,
	resources: Vec<Value>,
	notes: Vec<String>,
	next: Option<Cursor>,
) -> Value {
	let mut links =
		vec![json!({ "relation": "self", "url": search.link(server, path, search.cursor) })];
	if let Some(next) = next {
		links.push(json!({ "relation": "next", "url": search.link(server, path, Some(next)) }));
	}
	let mut entries: Vec<Value> = resources
		.into_iter()
		.map(|resource| {
			let full = format!(
				"{}/{}/{}",
				server.base_url,
				resource_type(&resource),
				resource.get("id").and_then(Value::as_str).unwrap_or_default()
			);
			json!({ "fullUrl": full, "resource": resource, "search": { "mode": "match" } })
		})
		.collect();
	let matches = entries.len();
	entries.extend(notes.iter().map(|note| {
		json!({
			"resource": crate::outcome::operation_outcome("warning", "suppressed", &format!("left out of this page: {note}")),
			"search": { "mode": "outcome" },
		})
	}));
	let mut bundle =
		json!({ "resourceType": "Bundle", "type": "searchset", "link": links, "entry": entries });
	if next.is_none() && search.cursor.is_none() {
		bundle["total"] = json!(matches);
	}
	bundle
}

/// `GET /{type}?…`
pub async fn search(
	server: Arc<Server>,
	resource_type: String,
	pairs: Vec<(String, String)>,
	headers: HeaderMap,
) -> Result<Response, ApiError> {
	let grant = bearer(&server, &headers)?;
	if resource_type == "Patient" {
		return patients(&server, grant, &pairs).await;
	}
	let search = Search::parse(&pairs)?;
	match resource_type.as_str() {
		"Consent" | "AuditEvent"
			if !(search.codes.is_empty()
				&& search.categories.is_empty()
				&& search.dates.is_empty()) =>
		{
			return Err(ApiError::bad_request(format!(
				"{resource_type} is searched by patient, _count and _cursor only"
			)))
		}
		"Consent" => return consents(&server, grant, &search).await,
		crate::communication::COMMUNICATION => {
			return crate::communication::search(&server, grant, &search).await
		}
		"AuditEvent" => return audit_events(&server, grant, &search).await,
		name if category_of(name).is_none() => return Err(unsupported(name)),
		_ => {}
	}
	let access = Access::resolve(grant, search.patient.as_deref(), &resource_type, Op::Search)?;
	let (page, notes, next) = search_page(&server, &access, &[&resource_type], &search).await?;
	Ok(fhir_response(
		StatusCode::OK,
		&searchset(&server, &resource_type, &search, page, notes, next),
	))
}

/// `GET /Patient/{id}/$everything`: the patient and a page of every record the clinician may
/// read (records of categories the consent does not cover are left out).
async fn everything(
	server: &Server,
	headers: &HeaderMap,
	id: &str,
	pairs: &[(String, String)],
) -> Result<Response, ApiError> {
	let grant = bearer(server, headers)?;
	let mut search = Search::parse(pairs)?;
	if search.patient.is_some() || !search.codes.is_empty() || !search.categories.is_empty() {
		return Err(ApiError::bad_request("$everything takes only _count, _cursor and date"));
	}
	search.patient = Some(id.to_string());
	let in_context = grant.patient.as_ref() == Some(&parse_patient(id)?);
	let types: Vec<&str> = RECORD_TYPES
		.iter()
		.map(|(name, _)| *name)
		.filter(|name| grant.scopes.allows(name, Op::Read, in_context))
		.collect();
	let access = Access::resolve(grant, Some(id), "Patient", Op::Read)?;
	let mut resources = Vec::new();
	if search.cursor.is_none() {
		resources.push(patient_resource(&access.patient));
	}
	let (page, notes, next) = search_page(server, &access, &types, &search).await?;
	resources.extend(page);
	let path = format!("Patient/{id}/$everything");
	Ok(fhir_response(StatusCode::OK, &searchset(server, &path, &search, resources, notes, next)))
}

// --- Patient, Consent, AuditEvent: from the chain, no decryption ---

fn patient_resource(patient: &AccountId) -> Value {
	let address = patient.to_ss58check();
	json!({
		"resourceType": "Patient",
		"id": address,
		"identifier": [{ "system": fhir::ACCOUNT_SYSTEM, "value": address }],
		"active": true,
	})
}

/// Whether the user may see chain data about `patient` (the grants, the trail, that the patient
/// exists): the patient, or an active clinician holding a grant of the patient that has not
/// ended.
async fn knows(server: &Server, grant: &Grant, patient: &AccountId) -> Result<(), ApiError> {
	if grant.kind == UserKind::Patient {
		return Ok(());
	}
	if !matches!(server.client.role(&grant.user).await?, Role::Doctor { suspended: false, .. }) {
		return Err(ApiError::forbidden("the clinician is not an active doctor on chain"));
	}
	let now = server.client.chain.now().await?;
	let grants = server.client.grants(patient).await?;
	let granted = grants
		.iter()
		.any(|g| g.grantee == grant.user && g.grant.expires_at.is_none_or(|end| now < end));
	if granted {
		Ok(())
	} else {
		Err(ApiError::forbidden("the patient has not granted this clinician access"))
	}
}

async fn read_patient(
	server: &Server,
	headers: &HeaderMap,
	id: &str,
) -> Result<Response, ApiError> {
	let grant = bearer(server, headers)?;
	let access = Access::resolve(grant, Some(id), "Patient", Op::Read)?;
	knows(server, &access.grant, &access.patient).await?;
	if server.client.role(&access.patient).await? != Role::Patient {
		return Err(ApiError::not_found(format!("no patient {id}")));
	}
	Ok(fhir_response(StatusCode::OK, &patient_resource(&access.patient)))
}

/// `GET /Practitioner/{address}`: a doctor of the chain's public directory (the `fhirUser` of a
/// clinician's id token), for any signed-in user.
async fn read_practitioner(
	server: &Server,
	headers: &HeaderMap,
	id: &str,
) -> Result<Response, ApiError> {
	bearer(server, headers)?;
	let account = AccountId::from_ss58check(id)
		.map_err(|_| ApiError::not_found(format!("no Practitioner/{id}")))?;
	let Role::Doctor { name, suspended, .. } = server.client.role(&account).await? else {
		return Err(ApiError::not_found(format!("no Practitioner/{id}")));
	};
	let address = account.to_ss58check();
	Ok(fhir_response(
		StatusCode::OK,
		&json!({
			"resourceType": "Practitioner",
			"id": address,
			"identifier": [{ "system": fhir::ACCOUNT_SYSTEM, "value": address }],
			"active": !suspended,
			"name": [{ "text": name }],
		}),
	))
}

async fn patients(
	server: &Server,
	grant: Arc<Grant>,
	pairs: &[(String, String)],
) -> Result<Response, ApiError> {
	let id = pairs
		.iter()
		.find(|(name, _)| name == "_id" || name == "identifier")
		.map(|(_, value)| value.clone())
		.or_else(|| grant.patient.as_ref().map(|p| p.to_ss58check()))
		.ok_or_else(|| ApiError::bad_request("search Patient by _id or identifier"))?;
	let access = Access::resolve(grant, Some(&id), "Patient", Op::Search)?;
	knows(server, &access.grant, &access.patient).await?;
	let search = Search { query: pairs.to_vec(), count: DEFAULT_COUNT, ..Default::default() };
	let found = server.client.role(&access.patient).await? == Role::Patient;
	let resources = if found { vec![patient_resource(&access.patient)] } else { vec![] };
	Ok(fhir_response(
		StatusCode::OK,
		&searchset(server, "Patient", &search, resources, vec![], None),
	))
}

fn codec_pair(pair: &(AccountId, AccountId)) -> Vec<u8> {
	let mut bytes = AsRef::<[u8]>::as_ref(&pair.0).to_vec();
	bytes.extend_from_slice(pair.1.as_ref());
	bytes
}

/// The IHE Privacy Consent on FHIR policy a grant follows: the patient opts in to sharing
/// with one recipient, for a purpose, a period and classes of data.
const CONSENT_POLICY: &str = "urn:ehr-chain:policy:grant";

async fn consents(
	server: &Server,
	grant: Arc<Grant>,
	search: &Search,
) -> Result<Response, ApiError> {
	let access = Access::resolve(grant, search.patient.as_deref(), "Consent", Op::Search)?;
	knows(server, &access.grant, &access.patient).await?;
	let now = server.client.chain.now().await?;
	let grants = server.client.grants(&access.patient).await?;
	let resources: Vec<Value> = grants
		.iter()
		.map(|g| {
			let mut consent = fhir::consent(&access.patient, &g.grantee, &g.grant, now);
			// FHIR ids are at most 64 characters: a digest of the pair, not the addresses.
			let pair = (access.patient.clone(), g.grantee.clone());
			consent["id"] = json!(hex::encode(&Sha256::digest(codec_pair(&pair))[..16]));
			consent["policy"] = json!([{ "uri": CONSENT_POLICY }]);
			consent
		})
		.take(MAX_COUNT)
		.collect();
	Ok(fhir_response(
		StatusCode::OK,
		&searchset(server, "Consent", search, resources, vec![], None),
	))
}

async fn audit_events(
	server: &Server,
	grant: Arc<Grant>,
	search: &Search,
) -> Result<Response, ApiError> {
	let access = Access::resolve(grant, search.patient.as_deref(), "AuditEvent", Op::Search)?;
	knows(server, &access.grant, &access.patient).await?;
	let from = search.cursor.map_or(0, |(index, _, _)| index);
	let (total, entries, at_block) =
		server.client.trail_page(&access.patient, from, search.count as u32).await?;
	let resources: Vec<Value> = entries
		.iter()
		.map(|(index, entry)| {
			let mut event =
				fhir::audit_event(&access.patient, *index, entry, at_block.unwrap_or(0));
			// The patient's digest and the entry's place: an id within FHIR's 64 characters.
			event["id"] = json!(format!(
				"{}-{index}",
				hex::encode(&Sha256::digest(AsRef::<[u8]>::as_ref(&access.patient))[..8])
			));
			event
		})
		.collect();
	let next_from = from + entries.len() as u64;
	let next = (!entries.is_empty() && next_from < total).then_some((next_from, 0, 0));
	let mut bundle = searchset(server, "AuditEvent", search, resources, vec![], next);
	bundle["total"] = json!(total);
	Ok(fhir_response(StatusCode::OK, &bundle))
}

// --- Create ---

/// The patient a resource is about (`subject` or `patient`: a `Patient/<address>` reference or
/// an account identifier).
pub(crate) fn subject_of(resource: &Value) -> Option<String> {
	["subject", "patient"].iter().find_map(|field| {
		let reference = resource.get(*field)?;
		reference.get("reference").and_then(Value::as_str).map(String::from).or_else(|| {
			let identifier = reference.get("identifier")?;
			(identifier.get("system")?.as_str()? == fhir::ACCOUNT_SYSTEM)
				.then(|| identifier.get("value")?.as_str().map(String::from))?
		})
	})
}

/// A request's body, at most `max` bytes (413 otherwise, `too_large` saying why from the error).
/// Read only after the token was checked.
pub(crate) async fn read_body(
	body: Body,
	max: usize,
	too_large: impl FnOnce(String) -> String,
) -> Result<axum::body::Bytes, ApiError> {
	axum::body::to_bytes(body, max).await.map_err(|error| {
		ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too-costly", too_large(error.to_string()))
	})
}

/// A posted resource of `resource_type` from `body`: JSON (400 otherwise), of that type (400),
/// without the id and meta a client sent (the server names the resource: they are not the
/// patient's data), valid against HL7's R4 schema (422).
pub(crate) fn posted_resource(body: &[u8], resource_type: &str) -> Result<Value, ApiError> {
	let mut resource: Value = serde_json::from_slice(body)
		.map_err(|e| ApiError::bad_request(format!("not JSON: {e}")))?;
	if resource_type_of_value(&resource) != resource_type {
		return Err(ApiError::bad_request(format!(
			"the body is a {}, posted to {resource_type}",
			resource_type_of_value(&resource)
		)));
	}
	if let Some(object) = resource.as_object_mut() {
		object.remove("id");
		object.remove("meta");
	}
	fhir::validate(&resource).map_err(|problems| {
		ApiError::unprocessable(format!(
			"the resource does not validate against FHIR R4: {}",
			fhir::describe(&problems)
		))
	})?;
	Ok(resource)
}

/// `POST /{type}`: a clinical resource becomes an encrypted record of its patient, written by
/// the clinician under the patient's write consent.
pub async fn create(
	server: Arc<Server>,
	resource_type: String,
	headers: HeaderMap,
	body: Body,
) -> Result<Response, ApiError> {
	if resource_type == crate::communication::COMMUNICATION {
		return crate::communication::create(&server, &headers, body).await;
	}
	// The token before the body: nobody makes the server read 16 MiB without one.
	let grant = bearer(&server, &headers)?;
	let body = read_body(body, MAX_BODY, |error| {
		format!("the body was not read: {error} (at most {} MiB)", MAX_BODY >> 20)
	})
	.await?;
	let category = category_of(&resource_type).ok_or_else(|| unsupported(&resource_type))?;
	let mut resource = posted_resource(&body, &resource_type)?;
	let subject = subject_of(&resource).ok_or_else(|| {
		ApiError::unprocessable("name the patient in subject (Patient/<address>)")
	})?;
	let access = Access::resolve(grant, Some(&subject), &resource_type, Op::Create)?;
	let author = access.reader(&server)?;
	access.require_consent(&server, category, AccessLevel::ReadWrite).await?;
	let bytes = serde_json::to_vec(&resource).expect("a JSON value serializes");
	let uploaded = {
		// The clinician's transactions one at a time (nonces).
		let _turn = server.turn(&author.account_id()).await;
		server.client.upload_bytes(author, &access.patient, category, &bytes).await?
	};
	let id = uploaded.record;
	resource["id"] = json!(id.to_string());
	resource["meta"] = json!({
		"versionId": "1",
		"source": format!("{}:{id}", fhir::RECORD_SYSTEM),
	});
	let mut response = fhir_response(StatusCode::CREATED, &resource);
	let location = format!("{}/{resource_type}/{id}/_history/1", server.base_url);
	if let Ok(value) = HeaderValue::from_str(&location) {
		response.headers_mut().insert(header::LOCATION, value);
	}
	Ok(response)
}

pub(crate) fn resource_type_of_value(value: &Value) -> String {
	resource_type(value).to_string()
}

// --- Routing of /{type}/{id}[/{op}[/{vid}]] ---

/// `GET /{type}/{id}`.
pub async fn read(
	server: Arc<Server>,
	(resource_type, id): (String, String),
	headers: HeaderMap,
) -> Result<Response, ApiError> {
	match resource_type.as_str() {
		"Patient" => read_patient(&server, &headers, &id).await,
		"Practitioner" => read_practitioner(&server, &headers, &id).await,
		crate::communication::COMMUNICATION => {
			crate::communication::read(&server, &headers, &id).await
		}
		_ => read_version(&server, &headers, &resource_type, &id, None).await,
	}
}

/// `GET /{type}/{id}/{operation}`: `_history` and `$everything`.
pub async fn operation(
	server: Arc<Server>,
	(resource_type, id, operation): (String, String, String),
	pairs: Vec<(String, String)>,
	headers: HeaderMap,
) -> Result<Response, ApiError> {
	match (resource_type.as_str(), operation.as_str()) {
		("Patient", "$everything") => everything(&server, &headers, &id, &pairs).await,
		(crate::communication::COMMUNICATION, "_history") => {
			Err(ApiError::not_found("a message has one version: read Communication/{id}"))
		}
		(_, "_history") => history(&server, &headers, &resource_type, &id).await,
		_ => Err(ApiError::not_found(format!("no operation {operation} on {resource_type}"))),
	}
}

/// `GET /{type}/{id}/_history/{vid}`.
pub async fn vread(
	server: Arc<Server>,
	(resource_type, id, version): (String, String, String),
	headers: HeaderMap,
) -> Result<Response, ApiError> {
	read_version(&server, &headers, &resource_type, &id, Some(&version)).await
}

/// `GET /{type}/{id}/_history`: the newest versions (up to eight), newest first.
async fn history(
	server: &Server,
	headers: &HeaderMap,
	resource_type: &str,
	id: &str,
) -> Result<Response, ApiError> {
	let grant = bearer(server, headers)?;
	let category = category_of(resource_type).ok_or_else(|| unsupported(resource_type))?;
	let (root, index) =
		parse_id(id).ok_or_else(|| ApiError::not_found(format!("no {resource_type}/{id}")))?;
	let all = versions(server, root).await?;
	let first = all.first().expect("versions returns at least the first");
	let access =
		Access::resolve(grant, Some(&first.patient.to_ss58check()), resource_type, Op::Read)?;
	let reader = access.reader(server)?;
	access.require_consent(server, category, AccessLevel::Read).await?;
	if first.category != category {
		return Err(ApiError::not_found(format!("no {resource_type}/{id}")));
	}
	if all.iter().any(|v| v.erased) {
		return Err(ApiError::gone(format!("{resource_type}/{id} was erased by the patient")));
	}
	// The newest versions, as many as one batch opens (each at most MAX_SERVED).
	let opened: Vec<Opened> = stream::iter(all.into_iter().rev().take(PARALLEL_OPENS))
		.map(|record| open(server, reader, record, root))
		.buffered(PARALLEL_OPENS)
		.try_collect()
		.await?;
	let index = index.unwrap_or(0);
	// Only versions where this id names a resource of this type (a Bundle's entry `n`).
	let shown: Vec<&Opened> = opened
		.iter()
		.filter(|o| {
			index < o.resources.len()
				&& resource_type_of_opened(o, index) == resource_type
				&& (o.resources.len() > 1) == id.contains('-')
		})
		.collect();
	if shown.is_empty() {
		return Err(ApiError::not_found(format!("no {resource_type}/{id}")));
	}
	let read: Vec<&RecordInfo> = shown.iter().map(|o| &o.record).collect();
	log(server, reader, &access.patient, &read).await?;
	let entries: Vec<Value> = shown
		.iter()
		.map(|o| {
			json!({
				"fullUrl": format!("{}/{resource_type}/{id}", server.base_url),
				"resource": served(o, index),
				"request": { "method": if o.record.version == 1 { "POST" } else { "PUT" }, "url": format!("{resource_type}/{id}") },
				"response": { "status": "200", "lastModified": fhir::instant(o.record.created_at) },
			})
		})
		.collect();
	let bundle = json!({
		"resourceType": "Bundle",
		"type": "history",
		"total": entries.len(),
		"entry": entries,
	});
	Ok(fhir_response(StatusCode::OK, &bundle))
}
