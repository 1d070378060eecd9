//! Signing in to a hospital's FHIR server (SMART App Launch) with a chain account: the server
//! shows a challenge, the user's key signs it, the server checks the signature against the
//! account. The challenge is signed in polkadot-js's `<Bytes>…</Bytes>` wrapping (as a browser
//! extension's `signRaw` does), so a sign-in signature can never be a transaction's; and only a
//! text that says it is a sign-in ([`CHALLENGE_PREFIX`]) is signed, so that this signer cannot
//! be used to sign anything else the account's key vouches for.

use sp_core::{sr25519, Pair as _};
use sp_runtime::AccountId32 as AccountId;

use crate::{Error, Keys};

/// How every sign-in challenge begins.
pub const CHALLENGE_PREFIX: &str = "Sign in to the FHIR server ";

/// The bytes signed for `challenge`.
pub fn message(challenge: &str) -> Vec<u8> {
	format!("<Bytes>{challenge}</Bytes>").into_bytes()
}

/// `keys`' signature of a sign-in `challenge`, hex with `0x`; any other text is refused.
pub fn sign(keys: &Keys, challenge: &str) -> Result<String, Error> {
	if !challenge.starts_with(CHALLENGE_PREFIX) {
		return Err(Error::Invalid(format!(
			"not a sign-in challenge (it must begin with \"{CHALLENGE_PREFIX}\"): nothing signed"
		)));
	}
	Ok(format!("0x{}", hex::encode(keys.sign(&message(challenge))?.0)))
}

/// Whether `signature` (hex, 64 bytes, `0x` optional) is `account`'s signature of the sign-in
/// `challenge`.
pub fn verify(account: &AccountId, challenge: &str, signature: &str) -> bool {
	let Ok(bytes) = hex::decode(signature.trim().trim_start_matches("0x")) else { return false };
	let Ok(raw) = <[u8; 64]>::try_from(bytes.as_slice()) else { return false };
	let public = sr25519::Public::from_raw(*<AccountId as AsRef<[u8; 32]>>::as_ref(account));
	challenge.starts_with(CHALLENGE_PREFIX)
		&& sr25519::Pair::verify(&sr25519::Signature::from_raw(raw), message(challenge), &public)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_sign_in_signature_is_the_accounts_over_the_wrapped_challenge() {
		let alice = Keys::from_uri("//Alice").unwrap();
		let challenge = format!("{CHALLENGE_PREFIX}http://127.0.0.1:8090. Nonce: 1");
		let signature = sign(&alice, &challenge).unwrap();
		assert!(verify(&alice.account_id(), &challenge, &signature));
		assert!(!verify(&alice.account_id(), &format!("{challenge}2"), &signature));
		// The bare challenge signed (not wrapped) is refused: it could be a transaction.
		let bare = hex::encode(alice.sign(challenge.as_bytes()).unwrap().0);
		assert!(!verify(&alice.account_id(), &challenge, &bare));
		let bob = Keys::from_uri("//Bob").unwrap();
		assert!(!verify(&bob.account_id(), &challenge, &signature));
		assert!(!verify(&alice.account_id(), &challenge, "0x1234"));
		// Nothing but a sign-in is signed.
		assert!(sign(&alice, "Transfer everything").is_err());
	}
}
