//! OpenID Connect for SMART's `openid fhirUser`: an id token (a JWT signed ES256) naming the
//! user who signed in (`sub`, the account address) and their FHIR resource (`fhirUser`), with
//! the key published at `/.well-known/jwks.json` so that an app checks it itself.
//!
//! The signing key is the server's own P-256 key, kept in `--state-dir` (`id-token-key.der`,
//! PKCS#8, readable by the server's user only) so that tokens stay verifiable across restarts.

use std::path::Path;

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use jsonwebtoken::{
	jwk::{
		AlgorithmParameters, CommonParameters, EllipticCurve, EllipticCurveKeyParameters,
		EllipticCurveKeyType, Jwk, JwkSet, KeyAlgorithm, PublicKeyUse,
	},
	Algorithm, EncodingKey, Header,
};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rand_core::OsRng;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The server's id token signer.
pub struct IdTokens {
	key: EncodingKey,
	jwk: Jwk,
}

impl IdTokens {
	/// A fresh key (a server that keeps no state: its tokens die with it).
	pub fn generate() -> IdTokens {
		Self::from_secret(&p256::SecretKey::random(&mut OsRng))
	}

	/// The key kept at `path`, made there (readable by this user only) if there is none.
	pub fn load_or_create(path: &Path) -> Result<IdTokens, String> {
		let named = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
		if path.exists() {
			let der = std::fs::read(path).map_err(|e| named(&e))?;
			let secret = p256::SecretKey::from_pkcs8_der(&der).map_err(|e| named(&e))?;
			return Ok(Self::from_secret(&secret));
		}
		let secret = p256::SecretKey::random(&mut OsRng);
		let der = secret.to_pkcs8_der().map_err(|e| named(&e))?;
		// Whole or not at all, readable by this user only: a crash never leaves half a key.
		ehr_client::keys::write_atomically(path, der.as_bytes(), ehr_client::keys::Replace::No)
			.map_err(|e| named(&e))?;
		Ok(Self::from_secret(&secret))
	}

	fn from_secret(secret: &p256::SecretKey) -> IdTokens {
		let der = secret.to_pkcs8_der().expect("a P-256 key encodes as PKCS#8");
		let point = p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(
			&secret.public_key(),
			false,
		);
		let (x, y) = (point.x().expect("uncompressed"), point.y().expect("uncompressed"));
		let kid = hex::encode(&Sha256::digest([x.as_slice(), y.as_slice()].concat())[..8]);
		let jwk = Jwk {
			common: CommonParameters {
				public_key_use: Some(PublicKeyUse::Signature),
				key_algorithm: Some(KeyAlgorithm::ES256),
				key_id: Some(kid),
				..Default::default()
			},
			algorithm: AlgorithmParameters::EllipticCurve(EllipticCurveKeyParameters {
				key_type: EllipticCurveKeyType::EC,
				curve: EllipticCurve::P256,
				x: URL_SAFE_NO_PAD.encode(x),
				y: URL_SAFE_NO_PAD.encode(y),
			}),
		};
		IdTokens { key: EncodingKey::from_ec_der(der.as_bytes()), jwk }
	}

	/// The public key set (`/.well-known/jwks.json`).
	pub fn jwks(&self) -> JwkSet {
		JwkSet { keys: vec![self.jwk.clone()] }
	}

	/// `claims` signed (ES256, with the key's id).
	pub fn sign(&self, claims: &Value) -> Result<String, String> {
		let mut header = Header::new(Algorithm::ES256);
		header.kid = self.jwk.common.key_id.clone();
		jsonwebtoken::encode(&header, claims, &self.key).map_err(|e| e.to_string())
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use jsonwebtoken::{DecodingKey, Validation};

	#[test]
	fn an_id_token_verifies_with_the_published_key_and_the_key_survives_a_restart() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("id-token-key.der");
		let first = IdTokens::load_or_create(&path).unwrap();
		let again = IdTokens::load_or_create(&path).unwrap();
		assert_eq!(first.jwk, again.jwk);
		let token = first
			.sign(
				&serde_json::json!({ "iss": "http://x", "aud": "app", "sub": "me", "exp": 4_000_000_000u64 }),
			)
			.unwrap();
		let key = DecodingKey::from_jwk(&again.jwks().keys[0]).unwrap();
		let mut validation = Validation::new(Algorithm::ES256);
		validation.set_audience(&["app"]);
		let data = jsonwebtoken::decode::<Value>(&token, &key, &validation).unwrap();
		assert_eq!(data.claims["sub"], "me");
		// Another server's key does not verify it.
		let other = DecodingKey::from_jwk(&IdTokens::generate().jwks().keys[0]).unwrap();
		assert!(jsonwebtoken::decode::<Value>(&token, &other, &validation).is_err());
	}
}
