//! # SMART App Launch 2: the authorization server
//!
//! Apps are public OAuth 2.0 clients registered by the hospital (a client id and its exact
//! redirect URIs); they use the authorization code flow with PKCE (S256 only):
//!
//! 1. The app sends the user to `GET /auth/authorize` with `response_type=code`, its
//!    `client_id`, a registered `redirect_uri`, `scope`, `state`, `aud` (this server's base URL)
//!    and `code_challenge` (`code_challenge_method=S256`). A redirect URI that is not registered
//!    exactly is refused on the page, never redirected to.
//! 2. The server answers with a sign-in challenge: a text naming this server, the app, the
//!    scopes and a fresh nonce. The user signs it with their chain account's key (sr25519, in
//!    the polkadot-js `<Bytes>…</Bytes>` wrapping, as a browser extension or the web app's key
//!    file signs), and posts `login`, `account`, `signature` (and, for a clinician asking for
//!    `launch/patient`, the `patient` chosen) back to `POST /auth/authorize`. No phrase or key
//!    ever reaches the server.
//! 3. The server checks the signature and who the account is on chain: a patient, or a doctor
//!    whose key this server holds (the doctor enrolled it with the hospital). It redirects to the
//!    app with a one-time `code` (valid 60 s).
//! 4. The app posts the code with its `code_verifier` to `POST /auth/token` and gets a bearer
//!    access token (15 minutes by default), the patient in context, `fhirUser`, and with
//!    `offline_access` or `online_access` a refresh token (rotated at each use; revocable at
//!    `POST /auth/revoke`). A code used twice revokes every token issued from it.
//!
//! **EHR launch.** The hospital's EHR, signed in as the clinician with a token of this server,
//! posts the patient open on the clinician's screen to `POST /auth/launch` and gets a `launch`
//! id (one use, five minutes); it opens the app with `iss` and `launch`. The app asks
//! `/auth/authorize` with `launch` and the `launch` scope; the patient in context is the
//! launch's, and only the clinician the launch was made for can sign in with it. The chain's
//! consent is asked again when the launch is made and when it is used.
//!
//! Tokens are random 256-bit strings, kept only as their SHA-256 in memory: a token from another
//! server, an expired one or a revoked one is 401. Restarting the server signs everyone out.
//! What a token allows is at most its scopes; what the chain's consent allows is asked on every
//! request by the API ([`crate::api`]).

use std::{
	collections::HashMap,
	sync::Arc,
	time::{Duration, Instant},
};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sp_core::crypto::Ss58Codec;
use sp_runtime::AccountId32 as AccountId;

use crate::scopes::Scopes;

/// An app the hospital registered.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct App {
	/// The OAuth `client_id`.
	pub client_id: String,
	/// Its name, shown when signing in.
	pub name: String,
	/// The redirect URIs, matched exactly.
	pub redirect_uris: Vec<String>,
	/// A confidential symmetric client: the hex SHA-256 of its secret (the server keeps no
	/// secret). It authenticates at the token endpoint with HTTP Basic or `client_secret`.
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub client_secret_sha256: Option<String>,
	/// A confidential asymmetric client: its public keys (a JWK Set). It authenticates with a
	/// JWT it signs (`private_key_jwt`). See [`crate::clients`].
	#[serde(default, skip_serializing_if = "Option::is_none")]
	pub jwks: Option<jsonwebtoken::jwk::JwkSet>,
}

/// Who signed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserKind {
	/// A doctor whose key this server holds.
	Practitioner,
	/// A registered patient.
	Patient,
}

/// What a token stands for.
#[derive(Clone, Debug)]
pub struct Grant {
	/// The account that signed in.
	pub user: AccountId,
	pub kind: UserKind,
	/// The patient in context (the patient user, or the one a clinician chose).
	pub patient: Option<AccountId>,
	/// The scopes granted.
	pub scopes: Scopes,
	/// The app.
	pub client_id: String,
}

impl Grant {
	/// `Practitioner/<address>` or `Patient/<address>`.
	pub fn fhir_user(&self) -> String {
		let kind = match self.kind {
			UserKind::Practitioner => "Practitioner",
			UserKind::Patient => "Patient",
		};
		format!("{kind}/{}", self.user.to_ss58check())
	}
}

/// A sign-in waiting for its signature.
#[derive(Clone, Debug)]
pub struct Login {
	pub client_id: String,
	pub redirect_uri: String,
	pub state: Option<String>,
	pub scopes: Scopes,
	pub code_challenge: String,
	/// The text to sign.
	pub challenge: String,
	/// The app's OpenID Connect nonce, for the id token.
	pub nonce: Option<String>,
	/// The EHR launch this sign-in continues (its id), if any.
	pub launch: Option<String>,
	pub expires: Instant,
}

/// An EHR launch: the clinician whose EHR made it, the patient open there, the app it opens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Launch {
	pub clinician: AccountId,
	pub patient: AccountId,
	pub client_id: String,
	pub expires: Instant,
}

/// The most live EHR launches of one clinician.
pub const MAX_LAUNCHES: usize = 20;

#[derive(Clone, Debug)]
struct Code {
	redirect_uri: String,
	code_challenge: String,
	grant: Arc<Grant>,
	expires: Instant,
	used: bool,
	/// Tokens issued from this code share it: a replayed code revokes them all.
	family: String,
	nonce: Option<String>,
}

#[derive(Clone, Debug)]
struct Issued {
	grant: Arc<Grant>,
	expires: Instant,
	family: String,
}

/// How long things live.
#[derive(Clone, Copy, Debug)]
pub struct Lifetimes {
	pub login: Duration,
	/// An EHR launch, from `POST /auth/launch` to the app's sign-in.
	pub launch: Duration,
	pub code: Duration,
	pub access: Duration,
	pub refresh: Duration,
}

impl Default for Lifetimes {
	fn default() -> Self {
		Lifetimes {
			login: Duration::from_secs(300),
			launch: Duration::from_secs(300),
			code: Duration::from_secs(60),
			access: Duration::from_secs(900),
			refresh: Duration::from_secs(30 * 24 * 3600),
		}
	}
}

/// The most sign-ins waiting, codes and tokens alive at once (each map): past it, new ones are
/// refused until old ones expire, so that a flood of `/authorize` cannot grow memory.
pub const MAX_LIVE: usize = 50_000;

/// An OAuth error: `error` code and description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthError {
	pub error: &'static str,
	pub description: String,
}

fn oauth(error: &'static str, description: impl Into<String>) -> OAuthError {
	OAuthError { error, description: description.into() }
}

/// The in-memory state of the authorization server.
#[derive(Default)]
pub struct Sessions {
	logins: HashMap<String, Login>,
	/// EHR launches, by the SHA-256 of their id.
	launches: HashMap<String, Launch>,
	codes: HashMap<String, Code>,
	access: HashMap<String, Issued>,
	refresh: HashMap<String, Issued>,
	/// Refresh tokens already rotated, with their family: one used again means it was stolen,
	/// and the family goes.
	rotated: HashMap<String, Issued>,
}

/// A fresh random token (256 bits, base64url).
pub fn random_token() -> String {
	let mut bytes = [0u8; 32];
	OsRng.fill_bytes(&mut bytes);
	URL_SAFE_NO_PAD.encode(bytes)
}

/// What a token is kept as: its SHA-256 (a memory dump does not give out live tokens).
fn digest(token: &str) -> String {
	hex::encode(Sha256::digest(token.as_bytes()))
}

/// The S256 PKCE challenge of `verifier`.
pub fn pkce_challenge(verifier: &str) -> String {
	URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

pub use ehr_client::signin::{message as signed_message, verify as verify_signature};

fn purge<T>(map: &mut HashMap<String, T>, expires: impl Fn(&T) -> Instant) {
	let now = Instant::now();
	map.retain(|_, value| expires(value) > now);
}

fn room<T>(
	map: &mut HashMap<String, T>,
	expires: impl Fn(&T) -> Instant,
) -> Result<(), OAuthError> {
	if map.len() >= MAX_LIVE {
		purge(map, expires);
	}
	if map.len() >= MAX_LIVE {
		return Err(oauth("temporarily_unavailable", "too many sign-ins at once: try again soon"));
	}
	Ok(())
}

/// A token response.
#[derive(Clone, Debug, Serialize)]
pub struct TokenResponse {
	pub access_token: String,
	pub token_type: &'static str,
	pub expires_in: u64,
	pub scope: String,
	#[serde(skip_serializing_if = "Option::is_none")]
	pub refresh_token: Option<String>,
	#[serde(skip_serializing_if = "Option::is_none")]
	pub patient: Option<String>,
	#[serde(rename = "fhirUser", skip_serializing_if = "Option::is_none")]
	pub fhir_user: Option<String>,
	/// The nonce to put in the id token (from the authorization request; not sent here).
	#[serde(skip)]
	pub nonce: Option<String>,
	/// With `openid`: the OpenID Connect id token ([`crate::oidc`]).
	#[serde(skip_serializing_if = "Option::is_none")]
	pub id_token: Option<String>,
	/// What the tokens stand for (not sent).
	#[serde(skip)]
	pub grant: Arc<Grant>,
}

impl Sessions {
	/// Starts a sign-in; returns its id.
	pub fn start(&mut self, login: Login) -> Result<String, OAuthError> {
		room(&mut self.logins, |l| l.expires)?;
		let id = random_token();
		self.logins.insert(id.clone(), login);
		Ok(id)
	}

	/// The sign-in `id`, if it is waiting.
	pub fn login(&self, id: &str) -> Option<&Login> {
		self.logins.get(id).filter(|l| l.expires > Instant::now())
	}

	/// Keeps `launch`; returns its id. At most [`MAX_LAUNCHES`] live ones per clinician.
	pub fn create_launch(&mut self, launch: Launch) -> Result<String, OAuthError> {
		room(&mut self.launches, |l| l.expires)?;
		let now = Instant::now();
		let live = self
			.launches
			.values()
			.filter(|l| l.clinician == launch.clinician && l.expires > now)
			.count();
		if live >= MAX_LAUNCHES {
			return Err(oauth(
				"temporarily_unavailable",
				format!("{MAX_LAUNCHES} launches of this clinician wait already: use or let them expire"),
			));
		}
		let id = random_token();
		self.launches.insert(digest(&id), launch);
		Ok(id)
	}

	/// The EHR launch `id`, if it is live (not used, not expired).
	pub fn launch(&self, id: &str) -> Option<&Launch> {
		self.launches.get(&digest(id)).filter(|l| l.expires > Instant::now())
	}

	/// Uses the EHR launch `id`: it cannot be used again.
	pub fn take_launch(&mut self, id: &str) -> Option<Launch> {
		self.launches.remove(&digest(id)).filter(|l| l.expires > Instant::now())
	}

	/// Ends sign-in `id` (signed or abandoned).
	pub fn take_login(&mut self, id: &str) -> Option<Login> {
		self.logins.remove(id).filter(|l| l.expires > Instant::now())
	}

	/// A one-time code for `grant`, to be redeemed with the verifier of `login`'s challenge.
	pub fn issue_code(
		&mut self,
		login: &Login,
		grant: Grant,
		lifetimes: &Lifetimes,
	) -> Result<String, OAuthError> {
		room(&mut self.codes, |c| c.expires)?;
		let code = random_token();
		self.codes.insert(
			digest(&code),
			Code {
				redirect_uri: login.redirect_uri.clone(),
				code_challenge: login.code_challenge.clone(),
				grant: Arc::new(grant),
				expires: Instant::now() + lifetimes.code,
				used: false,
				family: random_token(),
				nonce: login.nonce.clone(),
			},
		);
		Ok(code)
	}

	fn revoke_family(&mut self, family: &str) {
		self.access.retain(|_, t| t.family != family);
		self.refresh.retain(|_, t| t.family != family);
		self.rotated.retain(|_, t| t.family != family);
	}

	/// New tokens for `grant`; the refresh token (if any) lives until `family_ends`: rotating
	/// it never extends the sign-in.
	fn tokens(
		&mut self,
		grant: Arc<Grant>,
		family: String,
		family_ends: Instant,
		lifetimes: &Lifetimes,
	) -> Result<TokenResponse, OAuthError> {
		room(&mut self.access, |t| t.expires)?;
		room(&mut self.refresh, |t| t.expires)?;
		let access_token = random_token();
		let now = Instant::now();
		self.access.insert(
			digest(&access_token),
			Issued {
				grant: grant.clone(),
				expires: now + lifetimes.access,
				family: family.clone(),
			},
		);
		let refresh_token =
			(grant.scopes.offline_access || grant.scopes.online_access).then(|| {
				let token = random_token();
				self.refresh.insert(
					digest(&token),
					Issued { grant: grant.clone(), expires: family_ends, family },
				);
				token
			});
		Ok(TokenResponse {
			access_token,
			token_type: "Bearer",
			expires_in: lifetimes.access.as_secs(),
			scope: grant.scopes.to_string(),
			refresh_token,
			patient: grant.patient.as_ref().map(|p| p.to_ss58check()),
			fhir_user: grant.scopes.fhir_user.then(|| grant.fhir_user()),
			id_token: None,
			nonce: None,
			grant,
		})
	}

	/// Redeems an authorization code.
	pub fn redeem_code(
		&mut self,
		code: &str,
		client_id: &str,
		redirect_uri: &str,
		verifier: &str,
		lifetimes: &Lifetimes,
	) -> Result<TokenResponse, OAuthError> {
		let key = digest(code);
		let Some(found) = self.codes.get_mut(&key) else {
			return Err(oauth("invalid_grant", "unknown or expired authorization code"));
		};
		if found.used {
			// A replayed code: whoever holds it is not the app that redeemed it first, or the
			// app was attacked; either way the tokens issued from it go.
			let family = found.family.clone();
			self.revoke_family(&family);
			return Err(oauth("invalid_grant", "the authorization code was used already"));
		}
		found.used = true;
		let found = found.clone();
		if found.expires <= Instant::now() {
			return Err(oauth("invalid_grant", "the authorization code expired"));
		}
		if found.grant.client_id != client_id || found.redirect_uri != redirect_uri {
			return Err(oauth(
				"invalid_grant",
				"the code was issued to another client or redirect_uri",
			));
		}
		if !(43..=128).contains(&verifier.len()) || pkce_challenge(verifier) != found.code_challenge
		{
			return Err(oauth(
				"invalid_grant",
				"the code_verifier does not match the code_challenge",
			));
		}
		let family_ends = Instant::now() + lifetimes.refresh;
		let mut tokens = self.tokens(found.grant, found.family, family_ends, lifetimes)?;
		tokens.nonce = found.nonce;
		Ok(tokens)
	}

	/// The grant behind a live refresh token (to check again who the user is before
	/// [`Sessions::refresh`]).
	pub fn refresh_grant(&self, token: &str) -> Option<Arc<Grant>> {
		self.refresh
			.get(&digest(token))
			.filter(|t| t.expires > Instant::now())
			.map(|t| t.grant.clone())
	}

	/// Ends the sign-in of the refresh token `token` (its user is no longer who signed in).
	pub fn end_refresh_family(&mut self, token: &str) {
		if let Some(family) = self.refresh.get(&digest(token)).map(|t| t.family.clone()) {
			self.revoke_family(&family);
		}
	}

	/// Redeems a refresh token (rotated: the old one stops working).
	pub fn refresh(
		&mut self,
		token: &str,
		client_id: &str,
		lifetimes: &Lifetimes,
	) -> Result<TokenResponse, OAuthError> {
		let key = digest(token);
		if let Some(stolen) = self.rotated.get(&key).map(|t| t.family.clone()) {
			// Rotated already: the app holds a newer one, so this copy is someone else's.
			self.revoke_family(&stolen);
			return Err(oauth("invalid_grant", "the refresh token was used already"));
		}
		let Some(found) = self.refresh.get(&key).cloned() else {
			return Err(oauth("invalid_grant", "unknown, revoked or expired refresh token"));
		};
		if found.expires <= Instant::now() || found.grant.client_id != client_id {
			return Err(oauth("invalid_grant", "unknown, revoked or expired refresh token"));
		}
		self.refresh.remove(&key);
		room(&mut self.rotated, |t| t.expires)?;
		self.rotated.insert(key, found.clone());
		self.tokens(found.grant, found.family, found.expires, lifetimes)
	}

	/// Revokes `token` (access or refresh) and every token issued with it (RFC 7009: unknown
	/// tokens are not an error).
	pub fn revoke(&mut self, token: &str) {
		let key = digest(token);
		let family =
			self.refresh.get(&key).or_else(|| self.access.get(&key)).map(|t| t.family.clone());
		if let Some(family) = family {
			self.revoke_family(&family);
		}
	}

	/// The grant behind a bearer access token, if it is live.
	pub fn bearer(&self, token: &str) -> Option<Arc<Grant>> {
		self.access
			.get(&digest(token))
			.filter(|t| t.expires > Instant::now())
			.map(|t| t.grant.clone())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn login() -> Login {
		Login {
			client_id: "app".into(),
			redirect_uri: "http://127.0.0.1:1/cb".into(),
			state: None,
			scopes: Scopes::parse("patient/*.rs offline_access"),
			code_challenge: pkce_challenge(&"v".repeat(43)),
			challenge: "c".into(),
			nonce: None,
			launch: None,
			expires: Instant::now() + Duration::from_secs(60),
		}
	}

	fn grant() -> Grant {
		Grant {
			user: AccountId::new([1; 32]),
			kind: UserKind::Patient,
			patient: Some(AccountId::new([1; 32])),
			scopes: Scopes::parse("patient/*.rs offline_access"),
			client_id: "app".into(),
		}
	}

	#[test]
	fn pkce_is_rfc_7636s_s256() {
		// RFC 7636, appendix B.
		assert_eq!(
			pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
			"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
		);
	}

	#[test]
	fn a_code_is_redeemed_once_with_its_verifier_and_a_replay_revokes_its_tokens() {
		let lifetimes = Lifetimes::default();
		let mut sessions = Sessions::default();
		let code = sessions.issue_code(&login(), grant(), &lifetimes).unwrap();
		let uri = "http://127.0.0.1:1/cb";
		// A wrong verifier uses the code up.
		let wrong = sessions.redeem_code(&code, "app", uri, &"w".repeat(43), &lifetimes);
		assert_eq!(wrong.unwrap_err().error, "invalid_grant");
		let code = sessions.issue_code(&login(), grant(), &lifetimes).unwrap();
		assert!(sessions.redeem_code(&code, "other", uri, &"v".repeat(43), &lifetimes).is_err());
		let code = sessions.issue_code(&login(), grant(), &lifetimes).unwrap();
		let tokens = sessions.redeem_code(&code, "app", uri, &"v".repeat(43), &lifetimes).unwrap();
		assert!(sessions.bearer(&tokens.access_token).is_some());
		let replay = sessions.redeem_code(&code, "app", uri, &"v".repeat(43), &lifetimes);
		assert_eq!(replay.unwrap_err().error, "invalid_grant");
		assert!(sessions.bearer(&tokens.access_token).is_none(), "a replay revokes the tokens");
		let refresh = tokens.refresh_token.unwrap();
		assert!(sessions.refresh(&refresh, "app", &lifetimes).is_err());
	}

	#[test]
	fn refresh_tokens_rotate_and_revocation_ends_the_family() {
		let lifetimes = Lifetimes::default();
		let mut sessions = Sessions::default();
		let code = sessions.issue_code(&login(), grant(), &lifetimes).unwrap();
		let uri = "http://127.0.0.1:1/cb";
		let first = sessions.redeem_code(&code, "app", uri, &"v".repeat(43), &lifetimes).unwrap();
		let second =
			sessions.refresh(first.refresh_token.as_ref().unwrap(), "app", &lifetimes).unwrap();
		// The rotated token used again: stolen, and the whole sign-in ends.
		assert!(sessions
			.refresh(first.refresh_token.as_ref().unwrap(), "app", &lifetimes)
			.is_err());
		assert!(sessions.bearer(&second.access_token).is_none());
		let code = sessions.issue_code(&login(), grant(), &lifetimes).unwrap();
		let second = sessions.redeem_code(&code, "app", uri, &"v".repeat(43), &lifetimes).unwrap();
		sessions.revoke(second.refresh_token.as_ref().unwrap());
		assert!(sessions.bearer(&second.access_token).is_none());
		assert!(sessions.bearer(&first.access_token).is_none());
	}

	#[test]
	fn an_ehr_launch_is_used_once_and_expires() {
		let mut sessions = Sessions::default();
		let (clinician, patient) = (AccountId::new([2; 32]), AccountId::new([3; 32]));
		let launch = |clinician: &AccountId, lifetime: Duration| Launch {
			clinician: clinician.clone(),
			patient: patient.clone(),
			client_id: "app".into(),
			expires: Instant::now() + lifetime,
		};
		let minutes = Duration::from_secs(300);
		let id = sessions.create_launch(launch(&clinician, minutes)).unwrap();
		// Looking does not use it; only the sign-in that continues it does, once.
		assert_eq!(sessions.launch(&id).map(|l| &l.patient), Some(&patient));
		assert!(sessions.launch(&random_token()).is_none(), "a made-up launch is unknown");
		let used = sessions.take_launch(&id).unwrap();
		assert_eq!((used.clinician, used.patient), (clinician.clone(), patient.clone()));
		assert!(sessions.take_launch(&id).is_none(), "a launch is used once");
		assert!(sessions.launch(&id).is_none());
		// An expired launch is gone for both.
		let id = sessions.create_launch(launch(&clinician, Duration::ZERO)).unwrap();
		assert!(sessions.launch(&id).is_none());
		assert!(sessions.take_launch(&id).is_none());
		// One clinician's EHR cannot fill the server's launches: 20 live ones at most; another
		// clinician's still work.
		for _ in 0..MAX_LAUNCHES {
			sessions.create_launch(launch(&clinician, minutes)).unwrap();
		}
		let refused = sessions.create_launch(launch(&clinician, minutes)).unwrap_err();
		assert_eq!(refused.error, "temporarily_unavailable");
		assert!(sessions.create_launch(launch(&AccountId::new([4; 32]), minutes)).is_ok());
	}
}
