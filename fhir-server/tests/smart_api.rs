//! The FHIR server against a real `ehr-node --dev`: SMART sign-in with PKCE and its attacks,
//! then a clinician's and a patient's stories through the REST API. Every resource and Bundle
//! the server returns is checked against HL7's R4 JSON schema.

use std::{
	path::Path,
	sync::Arc,
	time::{Duration, Instant},
};

use ehr_client::{fhir, outbox::Outbox, Client, Keys, Store};
use ehr_fhir_server::{
	router,
	smart::{pkce_challenge, signed_message, App, Lifetimes},
	Server,
};
use ehr_primitives::{AccessLevel, Purpose, RecordCategory, Scope};
use reqwest::{redirect::Policy, StatusCode};
use serde_json::{json, Value};

// The end-to-end tests' helpers (a node on loopback, waiting for it), shared with the client's.
#[path = "../../client/tests/common/mod.rs"]
mod common;
use common::{node_binary, start_node, wait_for};

async fn connect(node: &str, store: &Path) -> Client {
	let client = wait_for("the node", || async {
		Client::connect(node, Store::local(store).unwrap()).await
	})
	.await;
	client.development()
}

const APP: &str = "lab-viewer";
const REDIRECT: &str = "http://127.0.0.1:1/callback";
const VERIFIER: &str = "a-verifier-of-at-least-forty-three-characters-0123456789";
/// The secret of the confidential symmetric app.
const SECRET: &str = "the-lab-backend-secret-kept-in-its-vault";

/// The hospital's web app, which may sign users in (its origin).
const WEB_APP: &str = "http://127.0.0.1:7";

/// Every FHIR resource the server answers validates against the R4 schema.
fn valid(value: &Value) -> &Value {
	if let Err(problems) = fhir::validate(value) {
		panic!("not valid FHIR R4: {}\n{value:#}", fhir::describe(&problems));
	}
	value
}

struct Http {
	base: String,
	http: reqwest::Client,
}

impl Http {
	/// GET with a bearer token: (status, body as JSON).
	async fn get(&self, token: &str, path: &str) -> (StatusCode, Value) {
		let url = if path.starts_with("http") {
			path.to_string()
		} else {
			format!("{}/{path}", self.base)
		};
		let response = self.http.get(url).bearer_auth(token).send().await.unwrap();
		let status = response.status();
		let body: Value = response.json().await.unwrap_or(Value::Null);
		if body.get("resourceType").is_some() {
			valid(&body);
		}
		(status, body)
	}

	async fn post(&self, token: &str, path: &str, body: Vec<u8>) -> (StatusCode, Value) {
		let response = self
			.http
			.post(format!("{}/{path}", self.base))
			.bearer_auth(token)
			.header("content-type", "application/fhir+json")
			.body(body)
			.send()
			.await
			.unwrap();
		let status = response.status();
		let body: Value = response.json().await.unwrap_or(Value::Null);
		if body.get("resourceType").is_some() {
			valid(&body);
		}
		(status, body)
	}

	/// The authorize request; returns the redirect (Location) or the JSON challenge.
	async fn authorize(
		&self,
		scope: &str,
		redirect: &str,
		challenge: Option<&str>,
	) -> reqwest::Response {
		self.authorize_launched(scope, redirect, challenge, None).await
	}

	/// The authorize request of an app the EHR launched with `launch` (if any).
	async fn authorize_launched(
		&self,
		scope: &str,
		redirect: &str,
		challenge: Option<&str>,
		launch: Option<&str>,
	) -> reqwest::Response {
		self.authorize_as(APP, scope, redirect, challenge, launch).await
	}

	/// The authorize request of the app `client_id`.
	async fn authorize_as(
		&self,
		client_id: &str,
		scope: &str,
		redirect: &str,
		challenge: Option<&str>,
		launch: Option<&str>,
	) -> reqwest::Response {
		let mut query = vec![
			("response_type", "code".to_string()),
			("client_id", client_id.to_string()),
			("redirect_uri", redirect.to_string()),
			("scope", scope.to_string()),
			("state", "s-123".to_string()),
			("nonce", "n-456".to_string()),
			("aud", self.base.clone()),
		];
		if let Some(challenge) = challenge {
			query.push(("code_challenge", challenge.to_string()));
			query.push(("code_challenge_method", "S256".to_string()));
		}
		if let Some(launch) = launch {
			query.push(("launch", launch.to_string()));
		}
		self.http
			.get(format!("{}/auth/authorize", self.base))
			.query(&query)
			.header("accept", "application/json")
			.send()
			.await
			.unwrap()
	}

	/// Signs in as `who` and returns the code (or the redirect's error).
	async fn code(
		&self,
		who: &Keys,
		scope: &str,
		patient: Option<&Keys>,
	) -> Result<String, String> {
		self.code_launched(who, scope, patient, None).await.map_err(|(error, _)| error)
	}

	/// Signs in as `who` in an app the EHR launched with `launch` (if any).
	async fn code_launched(
		&self,
		who: &Keys,
		scope: &str,
		patient: Option<&Keys>,
		launch: Option<&str>,
	) -> Result<String, (String, String)> {
		self.code_as(APP, who, scope, patient, launch).await
	}

	/// Signs in as `who` to the app `client_id` (launched with `launch`, if any).
	async fn code_as(
		&self,
		client_id: &str,
		who: &Keys,
		scope: &str,
		patient: Option<&Keys>,
		launch: Option<&str>,
	) -> Result<String, (String, String)> {
		let started: Value = self
			.authorize_as(client_id, scope, REDIRECT, Some(&pkce_challenge(VERIFIER)), launch)
			.await
			.json()
			.await
			.unwrap();
		let challenge = started["challenge"].as_str().expect("a challenge");
		assert!(challenge.contains(&self.base), "the challenge names the server");
		let signature = hex::encode(who.sign(&signed_message(challenge)).unwrap().0);
		let mut form = vec![
			("login", started["login"].as_str().unwrap().to_string()),
			("account", who.address()),
			("signature", signature),
		];
		if let Some(patient) = patient {
			form.push(("patient", patient.address()));
		}
		let response = self
			.http
			.post(format!("{}/auth/authorize", self.base))
			.form(&form)
			.send()
			.await
			.unwrap();
		assert_eq!(response.status(), StatusCode::SEE_OTHER);
		let location = response.headers()["location"].to_str().unwrap().to_string();
		assert!(location.starts_with(REDIRECT), "{location}");
		let url = reqwest::Url::parse(&location).unwrap();
		let get =
			|name: &str| url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
		assert_eq!(get("state").as_deref(), Some("s-123"));
		get("code").ok_or_else(|| {
			(get("error").unwrap_or_default(), get("error_description").unwrap_or_default())
		})
	}

	/// A code for `who` signed in to the app `client_id` with `scope` (no patient chosen).
	async fn code_for_app(&self, client_id: &str, who: &Keys, scope: &str) -> String {
		self.code_as(client_id, who, scope, None, None).await.expect("a code")
	}

	/// Redeems `code` for `client_id` with `credentials` added (form pairs) and HTTP Basic.
	async fn redeem_as(
		&self,
		client_id: &str,
		code: &str,
		credentials: &[(&str, &str)],
		basic: Option<(&str, &str)>,
	) -> (StatusCode, Value) {
		let mut form = vec![
			("grant_type", "authorization_code"),
			("code", code),
			("redirect_uri", REDIRECT),
			("client_id", client_id),
			("code_verifier", VERIFIER),
		];
		form.extend_from_slice(credentials);
		let mut request = self.http.post(format!("{}/auth/token", self.base)).form(&form);
		if let Some((user, password)) = basic {
			request = request.basic_auth(user, Some(password));
		}
		let response = request.send().await.unwrap();
		(response.status(), response.json().await.unwrap())
	}

	/// The EHR's `POST /auth/launch` of the app for `patient`, with a clinician's `token`.
	async fn launch(&self, token: &str, patient: &str) -> (StatusCode, Value) {
		self.launch_of(token, patient, APP).await
	}

	/// The EHR's `POST /auth/launch` of the app `client_id` for `patient`.
	async fn launch_of(&self, token: &str, patient: &str, client_id: &str) -> (StatusCode, Value) {
		let response = self
			.http
			.post(format!("{}/auth/launch", self.base))
			.bearer_auth(token)
			.form(&[("patient", patient), ("client_id", client_id)])
			.send()
			.await
			.unwrap();
		(response.status(), response.json().await.unwrap_or(Value::Null))
	}

	async fn token(&self, form: &[(&str, &str)]) -> (StatusCode, Value) {
		let response =
			self.http.post(format!("{}/auth/token", self.base)).form(form).send().await.unwrap();
		(response.status(), response.json().await.unwrap())
	}

	async fn redeem(&self, code: &str, verifier: &str) -> (StatusCode, Value) {
		self.token(&[
			("grant_type", "authorization_code"),
			("code", code),
			("redirect_uri", REDIRECT),
			("client_id", APP),
			("code_verifier", verifier),
		])
		.await
	}

	/// A full sign-in: the access token and the token response.
	async fn sign_in(&self, who: &Keys, scope: &str, patient: Option<&Keys>) -> (String, Value) {
		let code = self.code(who, scope, patient).await.expect("signed in");
		let (status, tokens) = self.redeem(&code, VERIFIER).await;
		assert_eq!(status, StatusCode::OK, "{tokens}");
		(tokens["access_token"].as_str().unwrap().to_string(), tokens)
	}
}

fn entries(bundle: &Value) -> Vec<&Value> {
	bundle["entry"]
		.as_array()
		.map(|e| e.iter().map(|e| &e["resource"]).collect())
		.unwrap_or_default()
}

fn next_link(bundle: &Value) -> Option<String> {
	bundle["link"].as_array()?.iter().find(|l| l["relation"] == "next")?["url"]
		.as_str()
		.map(String::from)
}

#[tokio::test(flavor = "multi_thread")]
async fn smart_sign_in_and_the_clinicians_and_patients_stories() {
	let dir = tempfile::tempdir().unwrap();
	let (_node, node) = start_node(dir.path());
	let store = dir.path().join("store");
	std::fs::create_dir_all(&store).unwrap();
	let setup = connect(&node, &store).await;

	// The hospital verifies two clinicians; two patients register; the first grants Dr. Bob
	// read and write access, the second grants Dr. Charlie.
	let hospital = Keys::from_uri("//Alice").unwrap();
	let bob = Keys::from_uri("//Bob").unwrap();
	let charlie = Keys::from_uri("//Charlie").unwrap();
	for (doctor, name) in [(&bob, "Dr. Bob"), (&charlie, "Dr. Charlie")] {
		setup
			.register_doctor(&hospital, &doctor.account_id(), name, "cardiology", name)
			.await
			.unwrap();
		setup.accept_doctor(doctor, &hospital.account_id()).await.unwrap();
	}
	let (ana, ana_phrase) = Keys::generate();
	let (ben, _) = Keys::generate();
	for patient in [&ana, &ben] {
		setup.invite_patient(&hospital, &patient.account_id()).await.unwrap();
		setup.register_patient(patient).await.unwrap();
	}
	// Ben's readings open in an emergency (their keys escrowed with the hospitals' committee).
	setup
		.set_emergency_categories(&ben, &ben.account_id(), vec![RecordCategory::Observation])
		.await
		.unwrap();
	setup
		.grant(
			&ana,
			&bob.account_id(),
			Scope::All,
			AccessLevel::ReadWrite,
			None,
			Purpose::Treatment,
		)
		.await
		.unwrap();
	setup
		.grant(&ben, &charlie.account_id(), Scope::All, AccessLevel::Read, None, Purpose::Treatment)
		.await
		.unwrap();

	// Ana's records: three vital signs in one Bundle, a PDF as a DocumentReference, a note that
	// is not FHIR, and one of Ben's.
	let ana_address = ana.address();
	let at = 1_796_000_000_000u64;
	let vitals = fhir::bundle(vec![
		fhir::reading(fhir::HEART_RATE, 72.0, &ana.account_id(), at),
		fhir::reading(fhir::HEART_RATE, 75.0, &ana.account_id(), at + 60_000),
		fhir::reading(fhir::TEMPERATURE, 36.8, &ana.account_id(), at + 120_000),
	]);
	valid(&vitals);
	let vitals_record = setup
		.upload_bytes(
			&ana,
			&ana.account_id(),
			RecordCategory::Observation,
			&serde_json::to_vec(&vitals).unwrap(),
		)
		.await
		.unwrap()
		.record;
	let pdf: Vec<u8> = (0..100_000u32).map(|i| (i * 7 + 3) as u8).collect();
	let document = fhir::wrap_file(&pdf, "scan.pdf", "application/pdf", &ana.account_id(), at);
	let document_record = setup
		.upload_bytes(
			&ana,
			&ana.account_id(),
			RecordCategory::Document,
			&serde_json::to_vec(&document).unwrap(),
		)
		.await
		.unwrap()
		.record;
	let note_record = setup
		.upload_bytes(&ana, &ana.account_id(), RecordCategory::Document, b"plain text, not FHIR")
		.await
		.unwrap()
		.record;
	let ben_record = setup
		.upload_bytes(
			&ben,
			&ben.account_id(),
			RecordCategory::Observation,
			&serde_json::to_vec(&fhir::reading(fhir::HEART_RATE, 60.0, &ben.account_id(), at))
				.unwrap(),
		)
		.await
		.unwrap()
		.record;

	// The server: Bob's and Charlie's keys, one app, its own outbox.
	let server_client = connect(&node, &store).await;
	let first = server_client.chain.block_hash(1).await.unwrap();
	let outbox =
		Outbox::open(&dir.path().join("server"), server_client.chain.genesis(), first).unwrap();
	let server_client = server_client.with_outbox(outbox);
	let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
	let base = format!("http://{}", listener.local_addr().unwrap());
	let app = App {
		client_id: APP.into(),
		name: "Lab viewer".into(),
		redirect_uris: vec![REDIRECT.into()],
		client_secret_sha256: None,
		jwks: None,
	};
	// Two confidential apps: one with a secret (its SHA-256 registered), one with its public key.
	let backend_key = ehr_fhir_server::oidc::IdTokens::generate();
	let confidential = [
		App {
			client_id: "lab-backend".into(),
			name: "Lab backend".into(),
			redirect_uris: vec![REDIRECT.into()],
			client_secret_sha256: Some(hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
				SECRET.as_bytes(),
			))),
			jwks: None,
		},
		App {
			client_id: "lab-signed".into(),
			name: "Lab signed".into(),
			redirect_uris: vec![REDIRECT.into()],
			client_secret_sha256: None,
			jwks: Some(backend_key.jwks()),
		},
	];
	let server = Arc::new(
		Server::new(
			server_client,
			&base,
			vec![bob.clone(), charlie.clone()],
			[vec![app], confidential.to_vec()].concat(),
			Lifetimes::default(),
		)
		.with_web_app(WEB_APP),
	);
	tokio::spawn(server.clone().drain_forever(Duration::from_secs(2)));
	tokio::spawn(async move { axum::serve(listener, router(server)).await.unwrap() });
	let http = Http {
		base: base.clone(),
		http: reqwest::Client::builder().redirect(Policy::none()).build().unwrap(),
	};

	// What the server says it does, valid R4.
	let (status, capability) = http.get("", "metadata").await;
	assert_eq!((status, capability["fhirVersion"].as_str()), (StatusCode::OK, Some("4.0.1")));
	let smart: Value = http
		.http
		.get(format!("{base}/.well-known/smart-configuration"))
		.send()
		.await
		.unwrap()
		.json()
		.await
		.unwrap();
	assert_eq!(smart["code_challenge_methods_supported"], json!(["S256"]));

	// --- The attacks on sign-in ---
	// A redirect URI not registered: refused on the spot, never redirected to.
	let response = http
		.authorize("user/*.rs", "http://127.0.0.1:1/evil", Some(&pkce_challenge(VERIFIER)))
		.await;
	assert_eq!(response.status(), StatusCode::BAD_REQUEST);
	assert!(response.headers().get("location").is_none());
	// No PKCE: back to the app with invalid_request.
	let response = http.authorize("user/*.rs", REDIRECT, None).await;
	assert_eq!(response.status(), StatusCode::SEE_OTHER);
	assert!(response.headers()["location"].to_str().unwrap().contains("error=invalid_request"));
	// A signature by another key than the account's: access_denied.
	let started: Value = http
		.authorize("user/*.rs", REDIRECT, Some(&pkce_challenge(VERIFIER)))
		.await
		.json()
		.await
		.unwrap();
	let forged = hex::encode(
		charlie.sign(&signed_message(started["challenge"].as_str().unwrap())).unwrap().0,
	);
	let response = http
		.http
		.post(format!("{base}/auth/authorize"))
		.form(&[
			("login", started["login"].as_str().unwrap()),
			("account", &bob.address()),
			("signature", &forged),
		])
		.send()
		.await
		.unwrap();
	assert!(response.headers()["location"].to_str().unwrap().contains("error=access_denied"));
	// An outsider (neither patient nor clinician) signs correctly and is still refused.
	let (outsider, _) = Keys::generate();
	assert_eq!(http.code(&outsider, "user/*.rs", None).await.unwrap_err(), "access_denied");
	// A wrong verifier: invalid_grant, and the code is used up.
	let code = http
		.code(&bob, "launch/patient patient/*.crs offline_access fhirUser", Some(&ana))
		.await
		.unwrap();
	let (status, error) = http.redeem(&code, &"x".repeat(50)).await;
	assert_eq!((status, error["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
	assert_eq!(http.redeem(&code, VERIFIER).await.0, StatusCode::BAD_REQUEST);
	// A replayed code: refused, and the tokens issued from it stop working.
	let code = http
		.code(&bob, "launch/patient patient/*.crs offline_access fhirUser", Some(&ana))
		.await
		.unwrap();
	let (status, tokens) = http.redeem(&code, VERIFIER).await;
	assert_eq!(status, StatusCode::OK);
	let replayed_token = tokens["access_token"].as_str().unwrap().to_string();
	assert_eq!(http.get(&replayed_token, "Consent").await.0, StatusCode::OK);
	assert_eq!(http.redeem(&code, VERIFIER).await.0, StatusCode::BAD_REQUEST);
	assert_eq!(http.get(&replayed_token, "Consent").await.0, StatusCode::UNAUTHORIZED);
	// A token this server never issued.
	let (status, outcome) =
		http.get("eyJhbGciOiJSUzI1NiJ9.from-another-server", "Observation").await;
	assert_eq!(
		(status, outcome["resourceType"].as_str()),
		(StatusCode::UNAUTHORIZED, Some("OperationOutcome"))
	);
	// The web app's way: the page links to it with the challenge in the fragment; the signature
	// posted from its origin is answered in JSON, readable by that origin only.
	let page = http
		.http
		.get(format!("{base}/auth/authorize"))
		.query(&[
			("response_type", "code"),
			("client_id", APP),
			("redirect_uri", REDIRECT),
			("scope", "user/*.rs"),
			("state", "s-123"),
			("aud", base.as_str()),
			("code_challenge", pkce_challenge(VERIFIER).as_str()),
			("code_challenge_method", "S256"),
		])
		.send()
		.await
		.unwrap()
		.text()
		.await
		.unwrap();
	assert!(page.contains(&format!("href=\"{WEB_APP}/#/sign-in?login=")), "{page}");
	for (origin, readable) in [(WEB_APP, true), ("http://127.0.0.1:6", false)] {
		let started: Value = http
			.authorize("user/*.rs", REDIRECT, Some(&pkce_challenge(VERIFIER)))
			.await
			.json()
			.await
			.unwrap();
		let challenge = started["challenge"].as_str().unwrap();
		let response = http
			.http
			.post(format!("{base}/auth/authorize"))
			.header("accept", "application/json")
			.header("origin", origin)
			.form(&[
				("login", started["login"].as_str().unwrap().to_string()),
				("account", bob.address()),
				("signature", hex::encode(bob.sign(&signed_message(challenge)).unwrap().0)),
			])
			.send()
			.await
			.unwrap();
		assert_eq!(response.status(), StatusCode::OK);
		let allowed = response.headers().get("access-control-allow-origin").cloned();
		assert_eq!(allowed.is_some(), readable, "{origin}: {allowed:?}");
		let answer: Value = response.json().await.unwrap();
		let redirect = answer["redirect"].as_str().expect("where to go next");
		assert!(redirect.starts_with(REDIRECT) && redirect.contains("code="), "{redirect}");
	}
	// --- Confidential apps ---
	// A secret: without it, with a wrong one, or sent by a public app, invalid_client (401).
	let code = http.code_for_app("lab-backend", &bob, "user/*.rs").await;
	for (credentials, basic) in [
		(vec![], None),
		(vec![], Some(("lab-backend", "not-the-secret"))),
		(vec![("client_secret", "not-the-secret")], None),
	] {
		let (status, error) = http.redeem_as("lab-backend", &code, &credentials, basic).await;
		assert_eq!(
			(status, error["error"].as_str()),
			(StatusCode::UNAUTHORIZED, Some("invalid_client"))
		);
	}
	let (status, tokens) =
		http.redeem_as("lab-backend", &code, &[], Some(("lab-backend", SECRET))).await;
	assert_eq!(status, StatusCode::OK, "{tokens}");
	let code = http.code_for_app("lab-backend", &bob, "user/*.rs").await;
	let (status, _) =
		http.redeem_as("lab-backend", &code, &[("client_secret", SECRET)], None).await;
	assert_eq!(status, StatusCode::OK, "client_secret_post");
	let public = http.code(&bob, "user/*.rs", None).await.unwrap();
	let (status, error) = http.redeem_as(APP, &public, &[("client_secret", SECRET)], None).await;
	assert_eq!(
		(status, error["error"].as_str()),
		(StatusCode::UNAUTHORIZED, Some("invalid_client"))
	);
	// A signed JWT (private_key_jwt): once, for this server's token endpoint, by the app's key.
	let now = chrono::Utc::now().timestamp();
	let assertion = |key: &ehr_fhir_server::oidc::IdTokens, aud: &str, jti: &str, exp: i64| {
		key.sign(
			&json!({ "iss": "lab-signed", "sub": "lab-signed", "aud": aud, "jti": jti, "exp": exp }),
		)
		.unwrap()
	};
	let token_url = format!("{base}/auth/token");
	let stranger_key = ehr_fhir_server::oidc::IdTokens::generate();
	let code = http.code_for_app("lab-signed", &bob, "user/*.rs").await;
	for bad in [
		assertion(&stranger_key, &token_url, "a-1", now + 60),
		assertion(&backend_key, "https://another.example/auth/token", "a-2", now + 60),
		assertion(&backend_key, &token_url, "a-3", now + 3_600),
		assertion(&backend_key, &token_url, "a-4", now - 10),
	] {
		let (status, error) = http
			.redeem_as(
				"lab-signed",
				&code,
				&[
					("client_assertion_type", ehr_fhir_server::clients::JWT_BEARER),
					("client_assertion", &bad),
				],
				None,
			)
			.await;
		assert_eq!(
			(status, error["error"].as_str()),
			(StatusCode::UNAUTHORIZED, Some("invalid_client")),
			"{error}"
		);
	}
	let (status, error) = http.redeem_as("lab-signed", &code, &[], None).await;
	assert_eq!(status, StatusCode::UNAUTHORIZED, "no assertion: {error}");
	let good = assertion(&backend_key, &token_url, "a-5", now + 120);
	let signed = [
		("client_assertion_type", ehr_fhir_server::clients::JWT_BEARER),
		("client_assertion", good.as_str()),
	];
	let (status, tokens) = http.redeem_as("lab-signed", &code, &signed, None).await;
	assert_eq!(status, StatusCode::OK, "{tokens}");
	// The same assertion again: refused (each works once).
	let code = http.code_for_app("lab-signed", &bob, "user/*.rs").await;
	let (status, error) = http.redeem_as("lab-signed", &code, &signed, None).await;
	assert_eq!(
		(status, error["error"].as_str()),
		(StatusCode::UNAUTHORIZED, Some("invalid_client")),
		"{error}"
	);

	// A clinician choosing a patient who granted nothing: refused.
	assert_eq!(
		http.code(&bob, "launch/patient patient/*.rs", Some(&ben)).await.unwrap_err(),
		"access_denied"
	);

	// --- EHR launch ---
	// The hospital's EHR, signed in as Bob with user scopes, makes a launch of the app for Ana
	// (open on Bob's screen); not for Ben, who granted Bob nothing, not with a patient's token,
	// not with an app's token that has a patient in context, not with a made-up token, not for
	// an app the hospital did not register.
	let (ehr_token, _) = http.sign_in(&bob, "user/*.rs", None).await;
	let (status, made) = http.launch(&ehr_token, &ana_address).await;
	assert_eq!(status, StatusCode::OK, "{made}");
	let launch = made["launch"].as_str().expect("a launch id").to_string();
	let (status, refused) = http.launch(&ehr_token, &ben.address()).await;
	assert_eq!(status, StatusCode::FORBIDDEN);
	assert!(refused["error_description"].as_str().unwrap().contains("has not granted"));
	let (ana_token, _) = http.sign_in(&ana, "patient/*.rs", None).await;
	let (in_context, _) = http.sign_in(&bob, "launch/patient patient/*.rs", Some(&ana)).await;
	for token in [&ana_token, &in_context] {
		let (status, refused) = http.launch(token, &ana_address).await;
		assert_eq!(status, StatusCode::FORBIDDEN);
		assert!(refused["error_description"].as_str().unwrap().contains("only a clinician's EHR"));
	}
	let (status, refused) = http.launch("made-up", &ana_address).await;
	assert_eq!(
		(status, refused["error"].as_str()),
		(StatusCode::UNAUTHORIZED, Some("invalid_token"))
	);
	assert_eq!(
		http.launch_of(&ehr_token, &ana_address, "other-app").await.0,
		StatusCode::BAD_REQUEST
	);
	let refused_with = |response: reqwest::Response| {
		let location = response.headers()["location"].to_str().unwrap().to_string();
		let url = reqwest::Url::parse(&location).unwrap();
		url.query_pairs().find(|(k, _)| k == "error").map(|(_, v)| v.into_owned())
	};
	let challenge = pkce_challenge(VERIFIER);
	// The launch without the launch scope, the scope without a launch, a made-up launch.
	let response =
		http.authorize_launched("patient/*.rs", REDIRECT, Some(&challenge), Some(&launch)).await;
	assert_eq!(refused_with(response).as_deref(), Some("invalid_scope"));
	let response =
		http.authorize_launched("launch patient/*.rs", REDIRECT, Some(&challenge), None).await;
	assert_eq!(refused_with(response).as_deref(), Some("invalid_request"));
	let response = http
		.authorize_launched("launch patient/*.rs", REDIRECT, Some(&challenge), Some("made-up"))
		.await;
	assert_eq!(refused_with(response).as_deref(), Some("invalid_request"));
	// Another clinician cannot sign in through Bob's launch, and the attempt uses it up.
	let (error, why) =
		http.code_launched(&charlie, "launch patient/*.rs", None, Some(&launch)).await.unwrap_err();
	assert_eq!(error, "access_denied");
	assert!(why.contains("another clinician"), "{why}");
	let response = http
		.authorize_launched("launch patient/*.rs", REDIRECT, Some(&challenge), Some(&launch))
		.await;
	assert_eq!(refused_with(response).as_deref(), Some("invalid_request"));
	// Nor can the patient herself (she would get a token for her own data through Bob's launch).
	let launch =
		http.launch(&ehr_token, &ana_address).await.1["launch"].as_str().unwrap().to_string();
	let (error, why) =
		http.code_launched(&ana, "launch patient/*.rs", None, Some(&launch)).await.unwrap_err();
	assert_eq!(error, "access_denied");
	assert!(why.contains("another clinician"), "{why}");
	// A fresh launch: Bob signs in through it, and Ana is in context without being chosen (a
	// patient posted with the form, Ben here, is not taken).
	let launch =
		http.launch(&ehr_token, &ana_address).await.1["launch"].as_str().unwrap().to_string();
	let scope = "launch launch/patient patient/*.rs";
	let started: Value = http
		.authorize_launched(scope, REDIRECT, Some(&challenge), Some(&launch))
		.await
		.json()
		.await
		.unwrap();
	assert_eq!(started["launchPatient"], json!(false), "the launch names the patient");
	assert!(started["challenge"].as_str().unwrap().contains(&ana_address), "{started}");
	let code = http.code_launched(&bob, scope, Some(&ben), Some(&launch)).await.unwrap();
	let (status, launched) = http.redeem(&code, VERIFIER).await;
	assert_eq!(status, StatusCode::OK, "{launched}");
	assert_eq!(launched["patient"].as_str(), Some(ana_address.as_str()));
	let launched_token = launched["access_token"].as_str().unwrap();
	assert_eq!(http.get(launched_token, "Consent").await.0, StatusCode::OK);
	// Used once.
	let response = http
		.authorize_launched("launch patient/*.rs", REDIRECT, Some(&challenge), Some(&launch))
		.await;
	assert_eq!(refused_with(response).as_deref(), Some("invalid_request"));

	// --- The clinician's story ---
	let (token, tokens) = http
		.sign_in(&bob, "openid fhirUser launch/patient patient/*.crs offline_access", Some(&ana))
		.await;
	assert_eq!(tokens["patient"].as_str(), Some(ana_address.as_str()));
	// The id token: signed by the key the server publishes, for this app, naming Bob.
	let jwks: jsonwebtoken::jwk::JwkSet = http
		.http
		.get(format!("{base}/.well-known/jwks.json"))
		.send()
		.await
		.unwrap()
		.json()
		.await
		.unwrap();
	let key = jsonwebtoken::DecodingKey::from_jwk(&jwks.keys[0]).unwrap();
	let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
	validation.set_audience(&[APP]);
	validation.set_issuer(&[&base]);
	let id = jsonwebtoken::decode::<Value>(
		tokens["id_token"].as_str().expect("an id token"),
		&key,
		&validation,
	)
	.expect("the id token verifies");
	assert_eq!(id.claims["sub"].as_str(), Some(bob.address().as_str()));
	assert_eq!(
		id.claims["fhirUser"].as_str(),
		Some(format!("{base}/Practitioner/{}", bob.address()).as_str())
	);
	assert_eq!(id.claims["nonce"].as_str(), Some("n-456"));
	// The fhirUser is a resource the server serves: Bob, from the chain's directory.
	let (status, me) = http.get(&token, id.claims["fhirUser"].as_str().unwrap()).await;
	assert_eq!((status, me["name"][0]["text"].as_str()), (StatusCode::OK, Some("Dr. Bob")));
	assert_eq!(
		tokens["fhirUser"].as_str(),
		Some(format!("Practitioner/{}", bob.address()).as_str())
	);
	assert!(tokens["refresh_token"].is_string());

	// Vital signs, two a page.
	let (status, page) = http.get(&token, "Observation?category=vital-signs&_count=2").await;
	assert_eq!(status, StatusCode::OK, "{page}");
	assert_eq!(entries(&page).len(), 2);
	let next = next_link(&page).expect("a next page");
	// A record added meanwhile (the newest) does not shift the next page.
	let weight = fhir::reading(fhir::WEIGHT, 70.0, &ana.account_id(), at - 86_400_000);
	setup
		.upload_bytes(
			&ana,
			&ana.account_id(),
			RecordCategory::Observation,
			&serde_json::to_vec(&weight).unwrap(),
		)
		.await
		.unwrap();
	let (_, rest) = http.get(&token, &next).await;
	assert_eq!(entries(&rest).len(), 1);
	assert!(next_link(&rest).is_none());
	let mut ids: Vec<String> = entries(&page)
		.iter()
		.chain(entries(&rest).iter())
		.map(|r| r["id"].as_str().unwrap().to_string())
		.collect();
	ids.sort();
	assert_eq!(ids, (0..3).map(|i| format!("{vitals_record}-{i}")).collect::<Vec<_>>());
	// By code and date.
	let (_, hearts) = http.get(&token, "Observation?code=http://loinc.org|8867-4").await;
	assert_eq!(entries(&hearts).len(), 2);
	let (_, later) =
		http.get(&token, &format!("Observation?date=ge{}", fhir::instant(at + 60_000))).await;
	assert_eq!(entries(&later).len(), 2);
	// An unknown search parameter is refused, not ignored.
	assert_eq!(
		http.get(&token, "Observation?value-quantity=gt100").await.0,
		StatusCode::BAD_REQUEST
	);
	// One reading by id, and its version.
	let (status, one) = http.get(&token, &format!("Observation/{vitals_record}-2")).await;
	assert_eq!((status, one["valueQuantity"]["value"].as_f64()), (StatusCode::OK, Some(36.8)));
	assert_eq!(
		http.get(&token, &format!("Observation/{vitals_record}-2/_history/1")).await.0,
		StatusCode::OK
	);
	assert_eq!(
		http.get(&token, &format!("Observation/{vitals_record}-2/_history/2")).await.0,
		StatusCode::NOT_FOUND
	);
	// The document, and the original bytes in it.
	let (status, doc) = http.get(&token, &format!("DocumentReference/{document_record}")).await;
	assert_eq!(status, StatusCode::OK);
	assert_eq!(fhir::unwrap_file(&doc).expect("the file"), pdf);
	// A file that is not FHIR comes as a DocumentReference holding it.
	let (_, note) = http.get(&token, &format!("DocumentReference/{note_record}")).await;
	assert_eq!(fhir::unwrap_file(&note).unwrap(), b"plain text, not FHIR");
	// Another patient's record, with a token for Ana: refused.
	let (status, _) = http.get(&token, &format!("Observation/{ben_record}")).await;
	assert_eq!(status, StatusCode::FORBIDDEN);
	assert_eq!(
		http.get(&token, &format!("Observation?patient={}", ben.address())).await.0,
		StatusCode::FORBIDDEN
	);

	// The clinician writes an Observation: it becomes Ana's encrypted record.
	let written = fhir::reading(fhir::HEART_RATE, 88.0, &ana.account_id(), at + 3_600_000);
	let (status, created) =
		http.post(&token, "Observation", serde_json::to_vec(&written).unwrap()).await;
	assert_eq!(status, StatusCode::CREATED, "{created}");
	let new_record: u64 = created["id"].as_str().unwrap().parse().unwrap();
	let mut plain = Vec::new();
	let (info, _) = setup.open(&ana, new_record, &mut plain, |_, _| ()).await.unwrap();
	assert_eq!((info.author, info.category), (bob.account_id(), RecordCategory::Observation));
	assert_eq!(serde_json::from_slice::<Value>(&plain).unwrap(), written);
	// Not valid FHIR: 422; too large: 413; nested past any sense: 400; the wrong type: 400.
	let mut invalid = written.clone();
	invalid["status"] = json!("not-a-status");
	assert_eq!(
		http.post(&token, "Observation", serde_json::to_vec(&invalid).unwrap()).await.0,
		StatusCode::UNPROCESSABLE_ENTITY
	);
	// (The server may answer before the body is sent, and close: a reset is a refusal too.)
	let huge = http
		.http
		.post(format!("{base}/Observation"))
		.bearer_auth(&token)
		.body(vec![b' '; 17 << 20])
		.send()
		.await;
	assert!(huge.is_err() || huge.unwrap().status() == StatusCode::PAYLOAD_TOO_LARGE);
	// Without a token the body is not even read.
	let (status, _) = http.post("", "Observation", serde_json::to_vec(&written).unwrap()).await;
	assert_eq!(status, StatusCode::UNAUTHORIZED);
	let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
	assert_eq!(
		http.post(&token, "Observation", nested.into_bytes()).await.0,
		StatusCode::BAD_REQUEST
	);
	assert_eq!(
		http.post(&token, "DocumentReference", serde_json::to_vec(&written).unwrap()).await.0,
		StatusCode::BAD_REQUEST
	);

	// The same story through SMART's own Python client (fhir-server/tests/story.py): sign-in
	// with PKCE, vital signs page by page, the document's bytes, an Observation written.
	let bin = node_binary().parent().unwrap().to_path_buf();
	let story = tokio::process::Command::new("python3")
		.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/story.py"))
		.env("FHIR_BASE", &base)
		.env("EHR_CLI", bin.join("ehr"))
		.env("EHR_NODE_URL", &node)
		.env("DOCTOR_URI", "//Bob")
		.env("PATIENT", &ana_address)
		.env("DOCUMENT_ID", document_record.to_string())
		.env("DOCUMENT_SHA256", hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&pdf)))
		.output()
		.await
		.expect("python3 runs (scripts/setup.sh installs fhirclient)");
	assert!(story.status.success(), "story.py: {}", String::from_utf8_lossy(&story.stderr));
	let told: Value = serde_json::from_slice(&story.stdout).expect("story.py prints its result");
	let python_record: u64 = told["created"].as_str().unwrap().parse().unwrap();
	// What fhirclient wrote is Ana's record, written by Bob, and `ehr record get` opens it.
	let record = setup.record(python_record, None).await.unwrap();
	assert_eq!((record.patient, record.author), (ana.account_id(), bob.account_id()));
	let out = dir.path().join("from-python.json");
	let got = std::process::Command::new(bin.join("ehr"))
		.args(["--dev", "--node", &node, "--store-dir"])
		.arg(&store)
		.args(["--state-dir"])
		.arg(dir.path().join("cli-state"))
		.args(["record", "get", &python_record.to_string(), "--out"])
		.arg(&out)
		.env("EHR_SURI", ana_phrase.as_str())
		.output()
		.unwrap();
	assert!(got.status.success(), "ehr record get: {}", String::from_utf8_lossy(&got.stderr));
	let written_by_python: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
	assert_eq!(written_by_python["valueQuantity"]["value"], json!(64));

	// Everything about Ana the clinician may read.
	let (status, everything) =
		http.get(&token, &format!("Patient/{ana_address}/$everything")).await;
	assert_eq!(status, StatusCode::OK);
	assert_eq!(entries(&everything).len(), 1 + 4 + 1 + 1 + 2, "{everything:#}");

	// --- Messages as Communication ---
	// Bob alerts Ana about her vital signs; she answers from her own app (the SDK).
	let alert = json!({
		"resourceType": "Communication",
		"status": "completed",
		"category": [{ "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/communication-category", "code": "alert" }] }],
		"priority": "stat",
		"subject": { "reference": format!("Patient/{ana_address}") },
		"about": [{ "reference": format!("Observation/{vitals_record}-0") }],
		"payload": [{ "contentString": "Your heart rate: please come in today." }],
	});
	let (status, sent) =
		http.post(&token, "Communication", serde_json::to_vec(&alert).unwrap()).await;
	assert_eq!(status, StatusCode::CREATED, "{sent}");
	assert_eq!(sent["sender"]["identifier"]["value"].as_str(), Some(bob.address().as_str()));
	let sent_id = sent["id"].as_str().unwrap().to_string();
	assert!(sent_id.ends_with(&format!("-{ana_address}")), "{sent_id}");
	let inbox = setup.inbox(&ana, None).await.unwrap();
	let got = inbox.iter().find(|m| m.sender == bob.account_id()).expect("Bob's alert");
	assert_eq!(
		(got.kind, got.about, got.text.as_deref()),
		(
			ehr_primitives::MessageKind::Alert { severity: ehr_primitives::Severity::Urgent },
			Some(vitals_record),
			Some("Your heart rate: please come in today.")
		)
	);
	setup
		.send_message(
			&ana,
			&bob.account_id(),
			ehr_primitives::MessageKind::Message,
			"On my way.",
			None,
		)
		.await
		.unwrap();
	// Bob's app lists the conversation, newest first, a page at a time.
	let (status, page) = http.get(&token, "Communication?_count=1").await;
	assert_eq!(status, StatusCode::OK, "{page}");
	let first = entries(&page);
	assert_eq!(first.len(), 1);
	assert_eq!(first[0]["payload"][0]["contentString"].as_str(), Some("On my way."));
	assert_eq!(first[0]["sender"]["identifier"]["value"].as_str(), Some(ana_address.as_str()));
	assert_eq!(first[0]["subject"]["identifier"]["value"].as_str(), Some(ana_address.as_str()));
	let (_, rest) = http.get(&token, &next_link(&page).expect("a next page")).await;
	assert_eq!(entries(&rest).len(), 1);
	assert_eq!(entries(&rest)[0]["id"].as_str(), Some(sent_id.as_str()));
	assert!(next_link(&rest).is_none());
	let (_, alerts) = http.get(&token, "Communication?category=alert").await;
	assert_eq!(entries(&alerts).len(), 1);
	// One message by id: Ana's answer, opened with Bob's key.
	let answer_id = first[0]["id"].as_str().unwrap().to_string();
	assert!(answer_id.ends_with(&format!("-{}", bob.address())), "{answer_id}");
	let (status, answer) = http.get(&token, &format!("Communication/{answer_id}")).await;
	assert_eq!(
		(status, answer["payload"][0]["contentString"].as_str()),
		(StatusCode::OK, Some("On my way."))
	);
	// A token without Communication scopes reads none, even its user's own.
	let (observations_only, _) =
		http.sign_in(&bob, "launch/patient patient/Observation.rs", Some(&ana)).await;
	for path in [format!("Communication/{answer_id}"), "Communication".to_string()] {
		assert_eq!(http.get(&observations_only, &path).await.0, StatusCode::FORBIDDEN, "{path}");
	}
	// A message cannot be posted for someone else, nor as a file, nor with a made-up priority.
	let mut to_ben = alert.clone();
	to_ben["recipient"] = json!([{ "reference": format!("Patient/{}", ben.address()) }]);
	let mut as_file = alert.clone();
	as_file["payload"] =
		json!([{ "contentAttachment": { "contentType": "text/plain", "data": "aGk=" } }]);
	let mut odd = alert.clone();
	odd["priority"] = json!("whenever");
	for bad in [to_ben, as_file, odd] {
		let (status, outcome) =
			http.post(&token, "Communication", serde_json::to_vec(&bad).unwrap()).await;
		assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{outcome}");
	}
	// Dr. Charlie (Ben's) neither reads Bob's and Ana's messages nor lists them.
	let (charlie_token, _) = http
		.sign_in(&charlie, "launch/patient patient/*.crs user/Communication.crs", Some(&ben))
		.await;
	let (status, _) = http.get(&charlie_token, &format!("Communication/{answer_id}")).await;
	assert_eq!(status, StatusCode::NOT_FOUND);
	let (_, theirs) =
		http.get(&charlie_token, &format!("Communication?patient={ana_address}")).await;
	assert_eq!(entries(&theirs).len(), 0, "{theirs}");
	// Bob writes to Ben, who is not in his care: the chain refuses it.
	let (user_token, _) = http.sign_in(&bob, "user/Communication.crs", None).await;
	let mut to_ben = alert.clone();
	to_ben["subject"] = json!({ "reference": format!("Patient/{}", ben.address()) });
	to_ben["about"] = Value::Null;
	to_ben.as_object_mut().unwrap().remove("about");
	let (status, outcome) =
		http.post(&user_token, "Communication", serde_json::to_vec(&to_ben).unwrap()).await;
	assert_eq!(status, StatusCode::FORBIDDEN, "{outcome}");
	assert!(
		outcome["issue"][0]["diagnostics"].as_str().unwrap().contains("no care relationship"),
		"{outcome}"
	);
	// A patient's token: this server holds no patient's key.
	assert_eq!(http.get(&ana_token, "Communication").await.0, StatusCode::FORBIDDEN);
	assert_eq!(
		http.get(&ana_token, &format!("Communication/{answer_id}")).await.0,
		StatusCode::FORBIDDEN
	);

	// --- Break-glass: what the custodians released to a clinician's emergency access ---
	let ben_address = ben.address();
	let (emergency_token, _) = http.sign_in(&bob, "user/*.rs", None).await;
	let search = format!("Observation?patient={ben_address}");
	assert_eq!(http.get(&emergency_token, &search).await.0, StatusCode::FORBIDDEN);
	setup
		.emergency_access(
			&bob,
			&ben.account_id(),
			ehr_primitives::EmergencyReason::Unconscious,
			None,
		)
		.await
		.unwrap();
	let released = setup.custodian_pass(&hospital).await.unwrap();
	assert!(!released.is_empty(), "the committee's custodian released Ben's shares to Bob");
	let (status, page) = http.get(&emergency_token, &search).await;
	assert_eq!(status, StatusCode::OK, "{page}");
	let found = entries(&page);
	assert_eq!(found.len(), 1, "{page}");
	assert_eq!(found[0]["meta"]["security"][0]["code"].as_str(), Some("BTG"), "{page}");
	let (status, one) = http.get(&emergency_token, &format!("Observation/{ben_record}")).await;
	assert_eq!((status, one["valueQuantity"]["value"].as_f64()), (StatusCode::OK, Some(60.0)));
	assert_eq!(one["meta"]["security"][0]["code"].as_str(), Some("BTG"));
	// Bob's own patient's records carry no such label: opened with the key of consent.
	assert!(entries(&http.get(&token, "Observation").await.1)
		.iter()
		.all(|r| r["meta"].get("security").is_none()));

	// Every read is in Ana's trail under Bob's name, within a few blocks.
	let deadline = Instant::now() + Duration::from_secs(60);
	loop {
		let (_, events) =
			http.get(&token, &format!("AuditEvent?patient={ana_address}&_count=100")).await;
		let reads = entries(&events)
			.iter()
			.filter(|e| {
				e["subtype"][0]["code"] == "recordAccessed"
					&& e["agent"][0]["who"]["identifier"]["value"] == bob.address()
			})
			.count();
		if reads >= 3 {
			break;
		}
		assert!(Instant::now() < deadline, "Bob's reads are not in the trail: {events:#}");
		tokio::time::sleep(Duration::from_secs(2)).await;
	}

	// The patient erases the document: 410 from then on.
	setup.erase(&ana, document_record).await.unwrap();
	let (status, outcome) = http.get(&token, &format!("DocumentReference/{document_record}")).await;
	assert_eq!((status, outcome["issue"][0]["code"].as_str()), (StatusCode::GONE, Some("deleted")));

	// The refresh token rotates.
	let refresh = tokens["refresh_token"].as_str().unwrap();
	let (status, refreshed) = http
		.token(&[("grant_type", "refresh_token"), ("refresh_token", refresh), ("client_id", APP)])
		.await;
	assert_eq!(status, StatusCode::OK);
	let token = refreshed["access_token"].as_str().unwrap().to_string();
	assert_eq!(http.get(&token, "Consent").await.0, StatusCode::OK);
	// The rotated refresh token used again: someone copied it, and the whole sign-in ends.
	assert_eq!(
		http.token(&[
			("grant_type", "refresh_token"),
			("refresh_token", refresh),
			("client_id", APP)
		])
		.await
		.0,
		StatusCode::BAD_REQUEST
	);
	assert_eq!(http.get(&token, "Consent").await.0, StatusCode::UNAUTHORIZED);
	let (token, _) = http.sign_in(&bob, "launch/patient patient/*.rs", Some(&ana)).await;

	// Ana revokes Bob's access: the very next request is refused.
	setup.revoke(&ana, &bob.account_id()).await.unwrap();
	let (status, outcome) = http.get(&token, "Observation").await;
	assert_eq!(status, StatusCode::FORBIDDEN, "{outcome}");
	assert_eq!(
		http.get(&token, &format!("Observation/{vitals_record}-0")).await.0,
		StatusCode::FORBIDDEN
	);

	// --- The patient's story ---
	// Ana asks for more than a patient gets here: writing is dropped from the grant.
	let (token, tokens) =
		http.sign_in(&ana, "launch/patient patient/*.cruds user/*.cruds", None).await;
	assert_eq!(tokens["patient"].as_str(), Some(ana_address.as_str()));
	assert!(!tokens["scope"].as_str().unwrap().contains(".c"), "{tokens}");
	let (status, consents) = http.get(&token, "Consent").await;
	assert_eq!(status, StatusCode::OK);
	assert!(entries(&consents)
		.iter()
		.all(|c| c["patient"]["identifier"]["value"] == ana_address.as_str()));
	let (status, trail) = http.get(&token, "AuditEvent?_count=5").await;
	assert_eq!((status, entries(&trail).len()), (StatusCode::OK, 5));
	assert!(next_link(&trail).is_some());
	assert_eq!(http.get(&token, &format!("Patient/{ana_address}")).await.0, StatusCode::OK);
	// Not another patient's, and no writing.
	assert_eq!(
		http.get(&token, &format!("Consent?patient={}", ben.address())).await.0,
		StatusCode::FORBIDDEN
	);
	assert_eq!(
		http.get(&token, &format!("Patient/{}", ben.address())).await.0,
		StatusCode::FORBIDDEN
	);
	assert_eq!(
		http.post(&token, "Observation", serde_json::to_vec(&written).unwrap()).await.0,
		StatusCode::FORBIDDEN
	);
	// The server holds no patient key: records are opened by the patient's own app.
	assert_eq!(http.get(&token, "Observation").await.0, StatusCode::FORBIDDEN);

	// Revoking the refresh token signs the app out.
	let (_, tokens) = http.sign_in(&ana, "patient/*.rs offline_access", None).await;
	let access = tokens["access_token"].as_str().unwrap();
	http.http
		.post(format!("{base}/auth/revoke"))
		.form(&[("token", tokens["refresh_token"].as_str().unwrap())])
		.send()
		.await
		.unwrap();
	assert_eq!(http.get(access, "Consent").await.0, StatusCode::UNAUTHORIZED);
}
