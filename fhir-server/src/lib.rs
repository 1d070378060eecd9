//! # ehr-fhir-server
//!
//! A FHIR R4 REST server that a hospital runs next to its node, so that its own systems (an
//! EHR, a lab system, a portal, SMART apps) read and write patients' records as standard FHIR
//! resources while consent, keys and the audit trail stay on the chain as they are.
//!
//! - [`smart`]: SMART App Launch 2 (authorization code with PKCE; sign-in by a signature of the
//!   user's chain account; tokens, refresh, revocation), [`scopes`]: the scope grammar.
//! - [`api`]: the resources (read, vread, history, search with paging, create,
//!   `$everything`), consent asked of the chain on every request, reads logged in the trail.
//! - [`outcome`]: errors as `OperationOutcome`s.
//! - [`capability`]: `/metadata` and the `/.well-known/` documents; [`oidc`]: id tokens.
//!
//! **Keys.** The server holds the keys of the hospital's clinicians who enrolled with it (their
//! key files, given at start): it opens a record with the key of the clinician behind the
//! token, and only records the chain's consent gives that clinician. It holds no patient's
//! key. A compromised server can read what its enrolled clinicians may read, as long as their
//! grants last (an honest server logs every record whose content answers a request in the
//! patient's trail under the clinician's name; a compromised one need not); it cannot read a record of a patient who granted none of them.

pub mod api;
pub mod capability;
pub mod clients;
pub mod communication;
pub mod oidc;
pub mod outcome;
pub mod scopes;
pub mod smart;

use std::{
	collections::HashMap,
	future::Future,
	pin::Pin,
	sync::{Arc, Mutex, MutexGuard},
	time::Duration,
};

use axum::{
	extract::{DefaultBodyLimit, Path, Query, State},
	http::{header, HeaderMap, HeaderValue, StatusCode},
	response::{Html, IntoResponse, Response},
	routing::get,
	Form, Json, Router,
};
use ehr_client::{Client, Keys, Role};
use serde::Deserialize;
use serde_json::json;
use sp_core::crypto::Ss58Codec;
use sp_runtime::AccountId32 as AccountId;

use crate::{
	outcome::ApiError,
	scopes::Scopes,
	smart::{App, Grant, Lifetimes, Login, OAuthError, Sessions, UserKind},
};

/// The server: the SDK client, the clinicians' keys, the registered apps, the sessions.
pub struct Server {
	/// The chain and the store.
	pub client: Client,
	/// The public base URL (the SMART `aud`; links are made from it), without a trailing `/`.
	pub base_url: String,
	/// The keys of the clinicians enrolled with this server, by account.
	pub keys: HashMap<AccountId, Keys>,
	/// The apps, by client id.
	pub apps: HashMap<String, App>,
	/// How long sign-ins, codes and tokens live.
	pub lifetimes: Lifetimes,
	sessions: Mutex<Sessions>,
	/// Each clinician's transactions signed one at a time (each takes the signer's next nonce);
	/// different clinicians' at once.
	turns: HashMap<AccountId, tokio::sync::Mutex<()>>,
	/// The turn of a signer the server holds no key of (none signs here today).
	other_turn: tokio::sync::Mutex<()>,
	/// Where requests that touch the store run ([`Worker`]).
	worker: Worker,
	/// The OpenID Connect id token signer.
	pub id_tokens: oidc::IdTokens,
	/// The client assertions already used (`private_key_jwt`: each works once).
	seen_assertions: Mutex<clients::Seen>,
	/// The EHR web app's address (its origin, e.g. `https://ehr.hospital.example`), if the
	/// sign-in page offers signing with it ([`Server::with_web_app`]).
	pub web_app: Option<String>,
}

/// A job for the [`Worker`].
type Job = Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = ()>>> + Send>;

/// The IPFS client's futures cannot move between threads, and axum's handlers must: requests
/// that fetch or store envelopes run on one thread of their own (a current-thread runtime with a
/// `LocalSet`), many at once, and the handler awaits the answer.
struct Worker {
	jobs: tokio::sync::mpsc::UnboundedSender<Job>,
	permits: Arc<tokio::sync::Semaphore>,
}

/// The most API requests at work at once.
pub const MAX_REQUESTS: usize = 64;
/// The longest an API request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

impl Worker {
	fn start() -> Worker {
		let (jobs, mut queue) = tokio::sync::mpsc::unbounded_channel::<Job>();
		std::thread::Builder::new()
			.name("fhir-store".into())
			.spawn(move || {
				let runtime = tokio::runtime::Builder::new_current_thread()
					.enable_all()
					.build()
					.expect("a tokio runtime");
				let local = tokio::task::LocalSet::new();
				local.block_on(&runtime, async move {
					while let Some(job) = queue.recv().await {
						tokio::task::spawn_local(job());
					}
				});
			})
			.expect("the store thread starts");
		Worker { jobs, permits: Arc::new(tokio::sync::Semaphore::new(MAX_REQUESTS)) }
	}

	/// Runs `work` on the worker's thread and returns what it returns. At most
	/// [`MAX_REQUESTS`] at once (past that: 503); a request whose client went away stops, and
	/// one that takes longer than [`REQUEST_TIMEOUT`] is ended (504).
	async fn run<T, F>(&self, work: impl FnOnce() -> F + Send + 'static) -> Result<T, ApiError>
	where
		T: Send + 'static,
		F: Future<Output = T> + 'static,
	{
		let _permit = self.permits.clone().try_acquire_owned().map_err(|_| {
			ApiError::unavailable("the server is answering as many requests as it can: retry")
		})?;
		let (answer, mut answered) = tokio::sync::oneshot::channel();
		let job: Job = Box::new(move || {
			Box::pin(async move {
				let mut answer = answer;
				tokio::select! {
					// Nobody waits any more (the client went away): stop.
					_ = answer.closed() => {}
					done = tokio::time::timeout(REQUEST_TIMEOUT, work()) => {
						if let Ok(done) = done {
							let _ = answer.send(done);
						}
					}
				}
			})
		});
		self.jobs
			.send(job)
			.map_err(|_| ApiError::unavailable("the server's store thread stopped"))?;
		(&mut answered).await.map_err(|_| {
			ApiError::new(
				StatusCode::GATEWAY_TIMEOUT,
				"timeout",
				format!(
					"the request did not finish within {} s (the node or IPFS is slow)",
					REQUEST_TIMEOUT.as_secs()
				),
			)
		})
	}
}

impl Server {
	pub fn new(
		client: Client,
		base_url: &str,
		keys: Vec<Keys>,
		apps: Vec<App>,
		lifetimes: Lifetimes,
	) -> Server {
		let keys: HashMap<AccountId, Keys> =
			keys.into_iter().map(|k| (k.account_id(), k)).collect();
		Server {
			client,
			base_url: base_url.trim_end_matches('/').to_string(),
			turns: keys.keys().map(|k| (k.clone(), tokio::sync::Mutex::new(()))).collect(),
			other_turn: tokio::sync::Mutex::new(()),
			keys,
			apps: apps.into_iter().map(|a| (a.client_id.clone(), a)).collect(),
			lifetimes,
			sessions: Mutex::new(Sessions::default()),
			worker: Worker::start(),
			id_tokens: oidc::IdTokens::generate(),
			web_app: None,
			seen_assertions: Mutex::new(clients::Seen::default()),
		}
	}

	/// Offers signing in with the EHR web app at `url` (its origin: scheme, host and port): the
	/// sign-in page links to the web app's sign-in page with the challenge, and the web app may
	/// post the signature here and read where to go next (CORS for that origin only).
	pub fn with_web_app(mut self, url: &str) -> Server {
		self.web_app = Some(url.trim_end_matches('/').to_string());
		self
	}

	/// Signs id tokens with `id_tokens` (a key kept across restarts) instead of a fresh key.
	pub fn with_id_tokens(mut self, id_tokens: oidc::IdTokens) -> Server {
		self.id_tokens = id_tokens;
		self
	}

	/// `signer`'s turn to sign a transaction (`signer` is a clinician whose key the server
	/// holds: only they sign here; anyone else would share one turn).
	async fn turn(&self, signer: &AccountId) -> tokio::sync::MutexGuard<'_, ()> {
		self.turns.get(signer).unwrap_or(&self.other_turn).lock().await
	}

	fn sessions(&self) -> MutexGuard<'_, Sessions> {
		self.sessions.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}

	/// Follows the read-log entries queued by requests until finalized blocks hold them: one
	/// pass every `every`, re-signing an entry with its clinician's key if its era ended.
	pub async fn drain_forever(self: Arc<Self>, every: Duration) {
		let Some(outbox) = self.client.outbox().cloned() else { return };
		loop {
			tokio::time::sleep(every).await;
			let Some(lock) = outbox.try_lock() else { continue };
			// First a pass that signs nothing (it follows every entry and hands the same bytes
			// to the node again), so requests are not kept waiting for their signer's turn;
			// then, only for the clinicians with an entry to sign again (its era ended, its
			// nonce went elsewhere), a pass with their key, in their turn.
			let again = match outbox.pass(&lock, &self.client.chain, None).await {
				Ok(pass) => pass
					.pending
					.iter()
					.filter(|e| pass.need_signature.iter().any(|(id, _)| *id == e.id))
					.map(|e| e.reader.clone())
					.collect::<std::collections::BTreeSet<_>>(),
				Err(error) => {
					tracing::warn!("read log drain: {error}");
					Default::default()
				}
			};
			for reader in again {
				let Some(keys) = self.keys.get(&reader) else { continue };
				let _turn = self.turn(&reader).await;
				if let Err(error) = outbox.pass(&lock, &self.client.chain, Some(keys)).await {
					tracing::warn!("read log drain for {}: {error}", keys.address());
				}
			}
			for logged in outbox.logged() {
				if let Some(why) = &logged.failed {
					tracing::error!(
						"a read of {} record(s) of {} by {} was served but the chain refused its \
						 log entry in block #{}: {why}",
						logged.entry.records.len(),
						logged.entry.patient.to_ss58check(),
						logged.entry.reader.to_ss58check(),
						logged.block
					);
				}
				tracing::info!(
					"read of {} record(s) of {} by {} logged in block #{}",
					logged.entry.records.len(),
					logged.entry.patient.to_ss58check(),
					logged.entry.reader.to_ss58check(),
					logged.block
				);
				outbox.acknowledge(&logged.entry.id);
			}
		}
	}
}

/// The HTTP routes.
pub fn router(server: Arc<Server>) -> Router {
	Router::new()
		.route("/metadata", get(capability::metadata))
		.route("/.well-known/smart-configuration", get(capability::smart_configuration))
		.route("/.well-known/openid-configuration", get(capability::openid_configuration))
		.route("/.well-known/jwks.json", get(capability::jwks))
		.route("/auth/authorize", get(authorize).post(sign_in))
		.route("/auth/token", axum::routing::post(token))
		.route("/auth/revoke", axum::routing::post(revoke))
		.route("/auth/launch", axum::routing::post(create_launch))
		// Sign-in forms are small.
		.layer(DefaultBodyLimit::max(16 << 10))
		.route("/{type}", get(search).post(create))
		.route("/{type}/{id}", get(read))
		.route("/{type}/{id}/{operation}", get(operation))
		.route("/{type}/{id}/_history/{vid}", get(vread))
		.with_state(server)
}

// --- The API's handlers: each runs its request on the worker ---

/// Runs `request` on the worker; its error becomes an `OperationOutcome`.
async fn on_worker<F>(
	server: &Arc<Server>,
	request: impl FnOnce(Arc<Server>) -> F + Send + 'static,
) -> Response
where
	F: Future<Output = Result<Response, ApiError>> + 'static,
{
	let for_worker = server.clone();
	match server.worker.run(move || async move { request(for_worker).await.into_response() }).await
	{
		Ok(response) => response,
		Err(error) => error.into_response(),
	}
}

async fn search(
	State(server): State<Arc<Server>>,
	Path(resource_type): Path<String>,
	Query(pairs): Query<Vec<(String, String)>>,
	headers: HeaderMap,
) -> Response {
	on_worker(&server, move |s| api::search(s, resource_type, pairs, headers)).await
}

async fn create(
	State(server): State<Arc<Server>>,
	Path(resource_type): Path<String>,
	headers: HeaderMap,
	body: axum::body::Body,
) -> Response {
	on_worker(&server, move |s| api::create(s, resource_type, headers, body)).await
}

async fn read(
	State(server): State<Arc<Server>>,
	Path(path): Path<(String, String)>,
	headers: HeaderMap,
) -> Response {
	on_worker(&server, move |s| api::read(s, path, headers)).await
}

async fn operation(
	State(server): State<Arc<Server>>,
	Path(path): Path<(String, String, String)>,
	Query(pairs): Query<Vec<(String, String)>>,
	headers: HeaderMap,
) -> Response {
	on_worker(&server, move |s| api::operation(s, path, pairs, headers)).await
}

async fn vread(
	State(server): State<Arc<Server>>,
	Path(path): Path<(String, String, String)>,
	headers: HeaderMap,
) -> Response {
	on_worker(&server, move |s| api::vread(s, path, headers)).await
}

// --- SMART: authorize, sign in, token, revoke ---

#[derive(Deserialize)]
pub struct AuthorizeQuery {
	response_type: Option<String>,
	client_id: Option<String>,
	redirect_uri: Option<String>,
	scope: Option<String>,
	state: Option<String>,
	aud: Option<String>,
	code_challenge: Option<String>,
	code_challenge_method: Option<String>,
	launch: Option<String>,
	nonce: Option<String>,
}

/// Where an authorization ends: back to the app with `pairs` in the query.
fn back_to(redirect_uri: &str, pairs: &[(&str, &str)]) -> Response {
	let query = serde_urlencoded::to_string(pairs).unwrap_or_default();
	let separator = if redirect_uri.contains('?') { '&' } else { '?' };
	let location = format!("{redirect_uri}{separator}{query}");
	let mut response = StatusCode::SEE_OTHER.into_response();
	if let Ok(value) = HeaderValue::from_str(&location) {
		response.headers_mut().insert(header::LOCATION, value);
	}
	response
}

fn refused_back(redirect_uri: &str, state: Option<&str>, error: &OAuthError) -> Response {
	let mut pairs = vec![("error", error.error), ("error_description", error.description.as_str())];
	if let Some(state) = state {
		pairs.push(("state", state));
	}
	back_to(redirect_uri, &pairs)
}

fn oauth_error(error: &'static str, description: impl Into<String>) -> OAuthError {
	OAuthError { error, description: description.into() }
}

/// A PKCE S256 challenge: 43 base64url characters.
fn is_s256_challenge(challenge: &str) -> bool {
	challenge.len() == 43
		&& challenge.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `GET /auth/authorize`: checks the app's request and answers with the sign-in challenge
/// (JSON for `Accept: application/json`, else a page to sign it on).
async fn authorize(
	State(server): State<Arc<Server>>,
	Query(query): Query<AuthorizeQuery>,
	headers: HeaderMap,
) -> Result<Response, ApiError> {
	// Until the app and its redirect URI are known, errors are shown here, never redirected.
	let client_id = query.client_id.as_deref().unwrap_or_default();
	let app = server
		.apps
		.get(client_id)
		.ok_or_else(|| ApiError::bad_request(format!("unknown client_id {client_id:?}")))?;
	let redirect_uri = query.redirect_uri.as_deref().unwrap_or_default();
	if !app.redirect_uris.iter().any(|uri| uri == redirect_uri) {
		return Err(ApiError::bad_request(format!(
			"redirect_uri {redirect_uri:?} is not registered for {client_id} (exact match)"
		)));
	}
	if query.state.as_ref().is_some_and(|state| state.len() > MAX_STATE) {
		return Err(ApiError::bad_request(format!("state is longer than {MAX_STATE} characters")));
	}
	if query.nonce.as_ref().is_some_and(|nonce| nonce.len() > MAX_STATE) {
		return Err(ApiError::bad_request(format!("nonce is longer than {MAX_STATE} characters")));
	}
	let state = query.state.as_deref();
	let refuse = |error: &'static str, why: &str| {
		Ok(refused_back(redirect_uri, state, &oauth_error(error, why)))
	};
	if query.response_type.as_deref() != Some("code") {
		return refuse("unsupported_response_type", "only response_type=code");
	}
	let challenge = query.code_challenge.clone().unwrap_or_default();
	if query.code_challenge_method.as_deref() != Some("S256") || !is_s256_challenge(&challenge) {
		return refuse("invalid_request", "PKCE is required: code_challenge_method=S256");
	}
	if query.aud.as_deref().map(|a| a.trim_end_matches('/')) != Some(server.base_url.as_str()) {
		return refuse("invalid_request", "aud must be this server's FHIR base URL");
	}
	let scope = query.scope.clone().unwrap_or_default();
	if scope.len() > scopes::MAX_SCOPE_LEN {
		return refuse("invalid_scope", "the scope parameter is too long");
	}
	let scopes = Scopes::parse(&scope);
	if scopes.resources.is_empty() {
		return refuse("invalid_scope", "no resource scope this server can grant");
	}
	// An EHR launch: the launch must be live; its patient is the context (named in the
	// challenge), and it is used when the clinician signs in.
	let launched = match query.launch.as_deref() {
		None if scopes.launch => {
			return refuse("invalid_request", "the launch scope needs the EHR's launch parameter")
		}
		None => None,
		Some(_) if !scopes.launch => {
			return refuse("invalid_scope", "an EHR launch needs the launch scope")
		}
		Some(id) => match server.sessions().launch(id) {
			Some(launch) if launch.client_id == app.client_id => {
				Some((id.to_string(), launch.patient.clone()))
			}
			Some(_) => return refuse("invalid_request", "the launch is for another app"),
			None => return refuse("invalid_request", "unknown, used or expired launch"),
		},
	};
	let launch_line = match &launched {
		Some((_, patient)) => {
			format!("\nLaunched from the EHR for the patient {}", patient.to_ss58check())
		}
		None => String::new(),
	};
	let lifetime = server.lifetimes.login;
	let until = chrono::Utc::now() + lifetime;
	let challenge_text = format!(
		"{}{} with the app {} ({}).\nSign this only on {}/auth/authorize: whoever sends \
		 your signature there is signed in as you.\nScopes asked: {}{}\nNonce: {}\nValid \
		 until: {}",
		ehr_client::signin::CHALLENGE_PREFIX,
		server.base_url,
		app.name,
		app.client_id,
		server.base_url,
		scopes,
		launch_line,
		smart::random_token(),
		until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
	);
	let login = Login {
		client_id: app.client_id.clone(),
		redirect_uri: redirect_uri.to_string(),
		state: query.state.clone(),
		scopes: scopes.clone(),
		code_challenge: challenge,
		challenge: challenge_text.clone(),
		nonce: query.nonce.clone(),
		launch: launched.map(|(id, _)| id),
		expires: std::time::Instant::now() + lifetime,
	};
	// The patient comes from the launch, not from a choice on the sign-in page.
	let choose_patient = scopes.launch_patient && login.launch.is_none();
	let id = match server.sessions().start(login) {
		Ok(id) => id,
		Err(error) => return Ok(refused_back(redirect_uri, state, &error)),
	};
	let wants_json = headers
		.get(header::ACCEPT)
		.and_then(|v| v.to_str().ok())
		.is_some_and(|v| v.contains("application/json"));
	let mut response = if wants_json {
		Json(json!({
			"login": id,
			"challenge": challenge_text,
			"sign": "sr25519 signature of the UTF-8 bytes <Bytes>{challenge}</Bytes>",
			"app": app.name,
			"scope": scopes.to_string(),
			"launchPatient": choose_patient,
		}))
		.into_response()
	} else {
		Html(sign_in_page(
			&id,
			&challenge_text,
			&app.name,
			choose_patient,
			server.web_app.as_deref(),
		))
		.into_response()
	};
	let headers = response.headers_mut();
	headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
	// The sign-in page is never shown inside another site's frame (clickjacking).
	headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
	headers.insert(
		header::CONTENT_SECURITY_POLICY,
		HeaderValue::from_static("frame-ancestors 'none'; default-src 'none'; form-action 'self'"),
	);
	Ok(response)
}

/// The longest `state` an app may send.
const MAX_STATE: usize = 512;

fn escape(text: &str) -> String {
	text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn sign_in_page(
	login: &str,
	challenge: &str,
	app: &str,
	patient: bool,
	web_app: Option<&str>,
) -> String {
	let patient_field = if patient {
		"<label>Patient (account address)<input name=\"patient\"></label>"
	} else {
		""
	};
	// The web app signs with the key it keeps; the challenge travels in the link's fragment,
	// which no server sees.
	let web_app_link = web_app
		.map(|web| {
			let fragment = serde_urlencoded::to_string([
				("login", login),
				("challenge", challenge),
				("patient", if patient { "1" } else { "0" }),
			])
			.unwrap_or_default();
			format!(
				"<p><a id=web-app href=\"{}\">Sign in with the EHR web app</a> (it signs with the \
				 key it keeps), or:</p>",
				escape(&format!("{web}/#/sign-in?{fragment}"))
			)
		})
		.unwrap_or_default();
	format!(
		"<!doctype html><meta charset=utf-8><title>Sign in: {app}</title>\
		 <h1>{app} asks to sign you in</h1>{web_app_link}\
		 <p>Sign this text with your chain account's key (the web app's key file, or a \
		 polkadot-js compatible extension's <code>signRaw</code>):</p><pre id=challenge>{challenge}</pre>\
		 <form method=post><input type=hidden name=login value=\"{login}\">\
		 <label>Account address<input name=account></label>\
		 <label>Signature (0x…)<input name=signature></label>{patient_field}\
		 <button>Sign in</button></form>",
		app = escape(app),
		challenge = escape(challenge),
		login = escape(login),
	)
}

#[derive(Deserialize)]
pub struct SignIn {
	login: String,
	account: String,
	signature: String,
	patient: Option<String>,
}

/// `POST /auth/authorize`: the signed challenge. One attempt per sign-in: a wrong signature
/// ends it. Asked for JSON (`Accept: application/json`, as the web app asks), the answer is
/// `{"redirect": <where the browser goes next>}` instead of the redirect itself, readable by
/// the web app's origin only.
async fn sign_in(
	State(server): State<Arc<Server>>,
	headers: HeaderMap,
	Form(form): Form<SignIn>,
) -> Response {
	let wants_json = headers
		.get(header::ACCEPT)
		.and_then(|v| v.to_str().ok())
		.is_some_and(|v| v.contains("application/json"));
	let mut response = signed_in(&server, form).await;
	if wants_json {
		if let Some(location) = response.headers().get(header::LOCATION).cloned() {
			let redirect = location.to_str().unwrap_or_default().to_string();
			response = Json(json!({ "redirect": redirect })).into_response();
		}
	}
	let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
	if let (Some(origin), Some(web_app)) = (origin, server.web_app.as_deref()) {
		if origin == web_app {
			if let Ok(value) = HeaderValue::from_str(origin) {
				response.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
				response.headers_mut().insert(header::VARY, HeaderValue::from_static("Origin"));
			}
		}
	}
	response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
	response
}

async fn signed_in(server: &Arc<Server>, form: SignIn) -> Response {
	let Some(login) = server.sessions().take_login(&form.login) else {
		return ApiError::bad_request("unknown or expired sign-in: start again from the app")
			.into_response();
	};
	let state = login.state.clone();
	let refuse = |error: &'static str, why: String| {
		refused_back(&login.redirect_uri, state.as_deref(), &oauth_error(error, why))
	};
	let Ok(account) = AccountId::from_ss58check(form.account.trim()) else {
		return refuse("access_denied", "not an account address".into());
	};
	if !smart::verify_signature(&account, &login.challenge, &form.signature) {
		return refuse(
			"access_denied",
			"the signature is not this account's over the challenge".into(),
		);
	}
	// An EHR launch is used by this sign-in, whatever comes next: it was made for one
	// clinician, once.
	let launch = match &login.launch {
		Some(id) => match server.sessions().take_launch(id) {
			Some(launch) if launch.clinician == account => Some(launch),
			Some(_) => {
				return refuse(
					"access_denied",
					"the EHR launch was made for another clinician".into(),
				)
			}
			None => {
				return refuse(
					"access_denied",
					"the EHR launch expired or was used: launch the app from the EHR again".into(),
				)
			}
		},
		None => None,
	};
	let mut scopes = login.scopes.clone();
	let (kind, patient) = match server.client.role(&account).await {
		Ok(Role::Patient) => {
			// A patient reads their own data here; nothing is written with a patient's key.
			scopes
				.resources
				.iter_mut()
				.for_each(|s| s.permissions.retain(|c| c == 'r' || c == 's'));
			(UserKind::Patient, Some(account.clone()))
		}
		Ok(Role::Doctor { suspended: false, .. }) if server.keys.contains_key(&account) => {
			// Updates and deletes are not offered: a record is amended or erased by its patient.
			scopes
				.resources
				.iter_mut()
				.for_each(|s| s.permissions.retain(|c| c == 'c' || c == 'r' || c == 's'));
			// The patient in context: the EHR launch's, or the one chosen on the sign-in page;
			// either way one who granted this clinician access, asked of the chain now.
			let chosen = if let Some(launch) = launch {
				Some(launch.patient)
			} else if scopes.launch_patient {
				let Some(chosen) = form.patient.as_deref().filter(|p| !p.trim().is_empty()) else {
					return refuse("invalid_request", "launch/patient: choose the patient".into());
				};
				let Ok(chosen) = api::parse_patient(chosen.trim()) else {
					return refuse(
						"invalid_request",
						"the patient is not an account address".into(),
					);
				};
				Some(chosen)
			} else {
				None
			};
			let patient = if let Some(chosen) = chosen {
				match server.client.patients_of(&account).await {
					Ok(patients) if patients.contains(&chosen) => Some(chosen),
					Ok(_) => {
						return refuse(
							"access_denied",
							"that patient has not granted you access".into(),
						)
					}
					Err(error) => return refuse("temporarily_unavailable", error.to_string()),
				}
			} else {
				None
			};
			(UserKind::Practitioner, patient)
		}
		Ok(Role::Doctor { suspended: false, .. }) => {
			return refuse(
				"access_denied",
				"this server holds no key of this clinician: enroll it with the hospital".into(),
			)
		}
		Ok(Role::Doctor { .. }) => {
			return refuse("access_denied", "the clinician is suspended by the hospital".into())
		}
		Ok(Role::Other) => {
			return refuse(
				"access_denied",
				"the account is neither a patient nor a clinician".into(),
			)
		}
		Err(error) => return refuse("temporarily_unavailable", error.to_string()),
	};
	if patient.is_none() {
		scopes.resources.retain(|s| s.context == scopes::Context::User);
	}
	scopes.resources.retain(|s| !s.permissions.is_empty());
	let grant = Grant { user: account, kind, patient, scopes, client_id: login.client_id.clone() };
	let issued = server.sessions().issue_code(&login, grant, &server.lifetimes);
	match issued {
		Ok(code) => {
			let mut pairs = vec![("code", code.as_str())];
			if let Some(state) = state.as_deref() {
				pairs.push(("state", state));
			}
			back_to(&login.redirect_uri, &pairs)
		}
		Err(error) => refused_back(&login.redirect_uri, state.as_deref(), &error),
	}
}

#[derive(Deserialize)]
pub struct TokenForm {
	grant_type: String,
	code: Option<String>,
	redirect_uri: Option<String>,
	code_verifier: Option<String>,
	refresh_token: Option<String>,
	/// Who the client is, and its credential ([`clients`]).
	#[serde(flatten)]
	credentials: clients::Credentials,
}

fn token_error(status: StatusCode, error: &OAuthError) -> Response {
	let mut response =
		(status, Json(json!({ "error": error.error, "error_description": error.description })))
			.into_response();
	response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
	response
}

/// `POST /auth/token`.
async fn token(
	State(server): State<Arc<Server>>,
	headers: HeaderMap,
	Form(form): Form<TokenForm>,
) -> Response {
	// The app first: a confidential one proves itself, a public one has nothing to prove.
	let token_url = format!("{}/auth/token", server.base_url);
	let authenticated = {
		let mut seen = server.seen_assertions.lock().unwrap_or_else(|p| p.into_inner());
		clients::authenticate(
			&server.apps,
			&headers,
			&form.credentials,
			&token_url,
			&mut seen,
			chrono::Utc::now().timestamp(),
		)
	};
	let client_id = match authenticated {
		Ok(app) => app.client_id.clone(),
		Err((status, error)) => {
			let mut response = token_error(status, &error);
			if headers.contains_key(header::AUTHORIZATION) {
				response.headers_mut().insert(
					header::WWW_AUTHENTICATE,
					HeaderValue::from_static("Basic realm=\"ehr-fhir\""),
				);
			}
			return response;
		}
	};
	let client_id = client_id.as_str();
	let lifetimes = server.lifetimes;
	let result = match form.grant_type.as_str() {
		"authorization_code" => server.sessions().redeem_code(
			form.code.as_deref().unwrap_or_default(),
			client_id,
			form.redirect_uri.as_deref().unwrap_or_default(),
			form.code_verifier.as_deref().unwrap_or_default(),
			&lifetimes,
		),
		"refresh_token" => {
			let token = form.refresh_token.as_deref().unwrap_or_default();
			// Who signed in is asked of the chain again: a suspended clinician, one whose key
			// the server no longer holds, gets no new token.
			let grant = server.sessions().refresh_grant(token);
			let still = match &grant {
				Some(grant) => match server.client.role(&grant.user).await {
					Ok(Role::Patient) => grant.kind == UserKind::Patient,
					Ok(Role::Doctor { suspended: false, .. }) => {
						grant.kind == UserKind::Practitioner
							&& server.keys.contains_key(&grant.user)
					}
					Ok(_) => false,
					Err(error) => {
						return token_error(
							StatusCode::SERVICE_UNAVAILABLE,
							&oauth_error("temporarily_unavailable", error.to_string()),
						)
					}
				},
				None => true,
			};
			if still {
				server.sessions().refresh(token, client_id, &lifetimes)
			} else {
				server.sessions().end_refresh_family(token);
				Err(oauth_error("invalid_grant", "the user is no longer who signed in"))
			}
		}
		_ => Err(oauth_error("unsupported_grant_type", "authorization_code or refresh_token")),
	};
	match result {
		Ok(mut tokens) => {
			if tokens.grant.scopes.openid {
				match id_token(&server, &tokens) {
					Ok(signed) => tokens.id_token = Some(signed),
					Err(error) => {
						return token_error(
							StatusCode::INTERNAL_SERVER_ERROR,
							&oauth_error("server_error", error),
						)
					}
				}
			}
			let mut response = Json(tokens).into_response();
			let headers = response.headers_mut();
			headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
			headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
			response
		}
		Err(error) => token_error(StatusCode::BAD_REQUEST, &error),
	}
}

/// The id token of a token response: who signed in (`sub`, the account), for which app (`aud`),
/// and their FHIR resource (`fhirUser`, an absolute URL).
fn id_token(server: &Server, tokens: &smart::TokenResponse) -> Result<String, String> {
	let now = chrono::Utc::now().timestamp();
	let grant = &tokens.grant;
	let mut claims = json!({
		"iss": server.base_url,
		"sub": grant.user.to_ss58check(),
		"aud": grant.client_id,
		"iat": now,
		"exp": now + tokens.expires_in as i64,
	});
	if grant.scopes.fhir_user {
		claims["fhirUser"] = json!(format!("{}/{}", server.base_url, grant.fhir_user()));
	}
	// The app's nonce, from the authorization request (never on a refresh: OIDC Core 12.2).
	if let Some(nonce) = &tokens.nonce {
		claims["nonce"] = json!(nonce);
	}
	server.id_tokens.sign(&claims)
}

#[derive(Deserialize)]
pub struct RevokeForm {
	token: String,
}

#[derive(Deserialize)]
pub struct LaunchForm {
	patient: String,
	/// The app the EHR opens: only it can use the launch.
	client_id: String,
}

/// `POST /auth/launch`: the hospital's EHR, signed in as a clinician with user scopes (a token
/// with no patient in context), makes an EHR launch of the app `client_id` for the patient open
/// on the clinician's screen. Answers `{"launch": id, "expires_in": seconds}`: the EHR opens the
/// app with `iss` (this server's base URL) and `launch`. Refused unless the patient granted this
/// clinician access now; at most [`smart::MAX_LAUNCHES`] live launches per clinician. Errors are
/// OAuth JSON (`error`, `error_description`).
async fn create_launch(
	State(server): State<Arc<Server>>,
	headers: HeaderMap,
	body: axum::body::Bytes,
) -> Response {
	let refuse = |status: StatusCode, error: &'static str, why: &str| {
		token_error(status, &oauth_error(error, why))
	};
	// The token first; the body is read only for a clinician's EHR.
	let grant = match api::bearer(&server, &headers) {
		Ok(grant) => grant,
		Err(_) => {
			return refuse(
				StatusCode::UNAUTHORIZED,
				"invalid_token",
				"no valid access token: the EHR signs in as the clinician first",
			)
		}
	};
	if grant.kind != UserKind::Practitioner || grant.patient.is_some() {
		return refuse(
			StatusCode::FORBIDDEN,
			"access_denied",
			"only a clinician's EHR makes launches: a token with user scopes and no patient in \
			 context",
		);
	}
	let Ok(form) = serde_urlencoded::from_bytes::<LaunchForm>(&body) else {
		return refuse(
			StatusCode::BAD_REQUEST,
			"invalid_request",
			"a form with the patient and the app's client_id",
		);
	};
	if !server.apps.contains_key(&form.client_id) {
		return refuse(StatusCode::BAD_REQUEST, "invalid_request", "unknown client_id");
	}
	let Ok(patient) = api::parse_patient(form.patient.trim()) else {
		return refuse(
			StatusCode::BAD_REQUEST,
			"invalid_request",
			"the patient is not an account address",
		);
	};
	match server.client.patients_of(&grant.user).await {
		Ok(patients) if patients.contains(&patient) => {}
		Ok(_) => {
			return refuse(
				StatusCode::FORBIDDEN,
				"access_denied",
				"that patient has not granted this clinician access",
			)
		}
		Err(error) => {
			return refuse(
				StatusCode::SERVICE_UNAVAILABLE,
				"temporarily_unavailable",
				&error.to_string(),
			)
		}
	}
	let lifetimes = server.lifetimes;
	let launch = smart::Launch {
		clinician: grant.user.clone(),
		patient,
		client_id: form.client_id,
		expires: std::time::Instant::now() + lifetimes.launch,
	};
	let created = server.sessions().create_launch(launch);
	match created {
		Ok(id) => {
			let mut response =
				Json(json!({ "launch": id, "expires_in": lifetimes.launch.as_secs() }))
					.into_response();
			response
				.headers_mut()
				.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
			response
		}
		Err(error) => token_error(StatusCode::TOO_MANY_REQUESTS, &error),
	}
}

/// `POST /auth/revoke` (RFC 7009): the token and every token issued with it stop working.
async fn revoke(State(server): State<Arc<Server>>, Form(form): Form<RevokeForm>) -> StatusCode {
	server.sessions().revoke(&form.token);
	StatusCode::OK
}
