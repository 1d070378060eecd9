//! # Who the app is: client authentication at the token endpoint
//!
//! SMART App Launch 2 knows three kinds of app, and the registry (`--apps`) says which each is:
//!
//! - **Public** (a browser or phone app that cannot keep a secret): no credential; PKCE binds
//!   the code to the app that asked for it.
//! - **Confidential asymmetric** (`jwks`: the app's public keys, a JWK Set of EC P-256/P-384 or
//!   RSA keys): the app proves itself with a JWT it signs (`private_key_jwt`, SMART's recommended
//!   way): `client_assertion_type` `urn:ietf:params:oauth:client-assertion-type:jwt-bearer`,
//!   `client_assertion` signed ES256, ES384, RS256 or RS384, with `iss` and `sub` the client id,
//!   `aud` this server's token endpoint, `exp` at most five minutes ahead and a `jti` never used
//!   before (each assertion works once). No shared secret exists.
//! - **Confidential symmetric** (`clientSecretSha256`: the hex SHA-256 of its secret; the server
//!   keeps no secret): HTTP Basic (`client_secret_basic`) or the form's `client_secret`
//!   (`client_secret_post`).
//!
//! A confidential app that does not prove itself gets `invalid_client` (401), and so does a
//! public app that sends a credential (its registration says it has none). PKCE is required of
//! every app, confidential or not.

use std::collections::HashMap;

use axum::http::{header, HeaderMap, StatusCode};
use base64::{engine::general_purpose::STANDARD, Engine};
use jsonwebtoken::{jwk::AlgorithmParameters, Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::smart::{App, OAuthError};

/// The assertion type of `private_key_jwt`.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// The signing algorithms taken for client assertions (SMART: ES384 and RS384 at least).
pub const ALGORITHMS: [Algorithm; 4] =
	[Algorithm::ES256, Algorithm::ES384, Algorithm::RS256, Algorithm::RS384];
/// How far ahead an assertion's `exp` may be (SMART: five minutes).
pub const MAX_ASSERTION_SECONDS: i64 = 300;
/// The most assertion ids remembered at once (each until its `exp`).
pub const MAX_SEEN: usize = 50_000;

/// What the token request says about its client.
#[derive(Default, Deserialize)]
pub struct Credentials {
	pub client_id: Option<String>,
	pub client_secret: Option<String>,
	pub client_assertion_type: Option<String>,
	pub client_assertion: Option<String>,
}

/// The assertion ids already used, with their expiry (seconds since the epoch).
#[derive(Default)]
pub struct Seen {
	ids: HashMap<String, i64>,
}

impl Seen {
	/// Records `id` (of `client`) until `exp`; false if it was used already or no room is left.
	fn first_use(&mut self, client: &str, id: &str, exp: i64, now: i64) -> bool {
		self.ids.retain(|_, until| *until >= now);
		let key = format!("{client}\u{0}{id}");
		if self.ids.contains_key(&key) || self.ids.len() >= MAX_SEEN {
			return false;
		}
		self.ids.insert(key, exp);
		true
	}
}

fn refused(description: impl Into<String>) -> (StatusCode, OAuthError) {
	(
		StatusCode::UNAUTHORIZED,
		OAuthError { error: "invalid_client", description: description.into() },
	)
}

/// HTTP Basic credentials (`client_id:secret`), if the request has them.
fn basic(headers: &HeaderMap) -> Option<(String, String)> {
	let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
	let encoded = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic "))?;
	let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
	let (id, secret) = decoded.split_once(':')?;
	Some((id.to_string(), secret.to_string()))
}

/// The claims of an assertion, read without checking it (to know which app's keys check it).
fn unverified_issuer(assertion: &str) -> Option<String> {
	let payload = assertion.split('.').nth(1)?;
	let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).ok()?;
	serde_json::from_slice::<Value>(&bytes).ok()?["iss"].as_str().map(String::from)
}

/// Whether two byte strings are equal, in time independent of where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
	a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The app the token request comes from, authenticated as its registration asks. `token_url` is
/// this server's token endpoint (an assertion's audience); `now` in seconds.
pub fn authenticate<'a>(
	apps: &'a HashMap<String, App>,
	headers: &HeaderMap,
	credentials: &Credentials,
	token_url: &str,
	seen: &mut Seen,
	now: i64,
) -> Result<&'a App, (StatusCode, OAuthError)> {
	let basic = basic(headers);
	let assertion = credentials.client_assertion.as_deref();
	if assertion.is_some() && credentials.client_assertion_type.as_deref() != Some(JWT_BEARER) {
		return Err(refused(format!("client_assertion_type must be {JWT_BEARER}")));
	}
	let named = [
		credentials.client_id.clone(),
		basic.as_ref().map(|(id, _)| id.clone()),
		assertion.and_then(unverified_issuer),
	];
	let mut ids = named.iter().flatten();
	let client_id = ids.next().ok_or_else(|| refused("name the client (client_id)"))?;
	if ids.any(|other| other != client_id) {
		return Err(refused("the request names two different clients"));
	}
	let app = apps.get(client_id).ok_or_else(|| refused("unknown client_id"))?;
	let secret = match (&basic, &credentials.client_secret) {
		(Some(_), Some(_)) => return Err(refused("one client authentication method at a time")),
		(Some((_, secret)), None) => Some(secret.as_str()),
		(None, Some(secret)) => Some(secret.as_str()),
		(None, None) => None,
	};
	match (&app.jwks, &app.client_secret_sha256) {
		(Some(jwks), _) => {
			if secret.is_some() {
				return Err(refused("this app authenticates with a signed JWT, not a secret"));
			}
			let assertion = assertion.ok_or_else(|| {
				refused("this app is confidential: authenticate with client_assertion (private_key_jwt)")
			})?;
			let header = jsonwebtoken::decode_header(assertion)
				.map_err(|e| refused(format!("client_assertion is not a JWT: {e}")))?;
			if !ALGORITHMS.contains(&header.alg) {
				return Err(refused(format!(
					"{:?} is not taken: ES256, ES384, RS256 or RS384",
					header.alg
				)));
			}
			let mut validation = Validation::new(header.alg);
			validation.set_audience(&[token_url]);
			validation.set_issuer(&[client_id.as_str()]);
			validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
			validation.leeway = 0;
			let keys = jwks
				.keys
				.iter()
				.filter(|jwk| header.kid.is_none() || jwk.common.key_id == header.kid);
			let mut claims = None;
			for jwk in keys {
				// Asymmetric keys only: a shared key in a JWK Set would be a secret in the registry.
				if !matches!(
					jwk.algorithm,
					AlgorithmParameters::EllipticCurve(_) | AlgorithmParameters::RSA(_)
				) {
					continue;
				}
				let Ok(key) = DecodingKey::from_jwk(jwk) else { continue };
				if let Ok(data) = jsonwebtoken::decode::<Value>(assertion, &key, &validation) {
					claims = Some(data.claims);
					break;
				}
			}
			let claims = claims.ok_or_else(|| {
				refused("client_assertion does not verify with the app's keys (or its iss, aud or exp is wrong)")
			})?;
			if claims["sub"].as_str() != Some(client_id.as_str()) {
				return Err(refused("client_assertion: sub must be the client id"));
			}
			let exp = claims["exp"].as_i64().unwrap_or_default();
			if exp > now + MAX_ASSERTION_SECONDS {
				return Err(refused("client_assertion: exp at most five minutes ahead"));
			}
			let jti = claims["jti"].as_str().filter(|j| !j.is_empty() && j.len() <= 256);
			let jti = jti.ok_or_else(|| refused("client_assertion: a jti is needed"))?;
			if !seen.first_use(client_id, jti, exp, now) {
				return Err(refused("client_assertion was used already (its jti)"));
			}
			Ok(app)
		}
		(None, Some(hash)) => {
			if assertion.is_some() {
				return Err(refused("this app authenticates with its secret, not a JWT"));
			}
			let secret = secret.ok_or_else(|| {
				refused("this app is confidential: authenticate with its secret (HTTP Basic)")
			})?;
			let expected = hex::decode(hash).unwrap_or_default();
			if same(&Sha256::digest(secret.as_bytes()), &expected) {
				Ok(app)
			} else {
				Err(refused("the client secret is wrong"))
			}
		}
		(None, None) => {
			if secret.is_some() || assertion.is_some() {
				return Err(refused("this app is registered as public: it has no credential"));
			}
			Ok(app)
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn an_assertion_id_works_once_and_room_is_bounded() {
		let mut seen = Seen::default();
		assert!(seen.first_use("app", "1", 100, 0));
		assert!(!seen.first_use("app", "1", 100, 50));
		assert!(seen.first_use("other", "1", 100, 50), "ids are per client");
		// Once expired, forgotten (and the assertion itself is refused by its exp).
		assert!(seen.first_use("app", "1", 300, 101));
		assert!(same(b"abc", b"abc") && !same(b"abc", b"abd") && !same(b"abc", b"ab"));
	}
}
