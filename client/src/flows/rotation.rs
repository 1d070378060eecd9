//! Key rotation: the phrase's next encryption key, published, then every held content key
//! wrapped again for it.

use crate::*;

impl Client {
	/// Rotates the encryption key of `keys`' account: publishes the phrase's next encryption
	/// key, hands the new keys to `save` (write the key file now: from here on the chain holds
	/// the new key), then re-wraps for it every content key the account holds (as a patient and
	/// as a reader of other patients' records), in transactions of at most `MaxKeysPerShare`
	/// keys; a transaction the chain refuses is retried key by key and the keys it still
	/// refuses are reported. `progress` gets (keys re-wrapped, keys to re-wrap). Afterwards no
	/// key on chain opens with the old secret (old wrapped keys remain in historical blocks).
	/// With proofs (a verifying client) the records re-wrapped are the chain's.
	pub async fn rotate_key(
		&self,
		keys: &Keys,
		save: impl FnOnce(&Keys) -> Result<(), Error>,
		mut progress: impl FnMut(usize, usize) + Send,
	) -> Result<Rotated, Error> {
		let new = keys.rotated()?;
		let published = self.set_encryption_key(&new).await?;
		save(&new)?;
		let me = new.account_id();
		let state = self.verified().await?;
		let mut patients = vec![me.clone()];
		patients.extend(self.patients_of(&me).await?.into_iter().filter(|p| *p != me));
		let public = new.encryption_key();
		let (mut rewrapped, mut unopenable) = (Vec::new(), Vec::new());
		for patient in &patients {
			for record in self.held_records(state.as_ref(), &me, patient).await? {
				let Some(wrapped) = record.wrapped_key else { continue };
				if !new.opens_only_with_earlier_key(&wrapped) {
					if new.unwrap(&wrapped).is_err() {
						unopenable.push(record.id);
					}
					continue;
				}
				let key = new.unwrap(&wrapped)?;
				rewrapped.push((
					record.id,
					bounded_wrapped_key(envelope::wrap(&key, &public)?.to_vec())?,
				));
			}
		}
		let total = rewrapped.len();
		progress(0, total);
		let (mut done, mut refused) = (0, Vec::new());
		for chunk in rewrapped.chunks(max_keys_per_share()) {
			match self.chain.submit(&new, share_call(&me, chunk)).await {
				Ok(_) => done += chunk.len(),
				// One key the chain no longer takes (an expired grant, an erased record) must
				// not hold back the others.
				Err(Error::Refused(_)) => {
					for single in chunk.chunks(1) {
						match self.chain.submit(&new, share_call(&me, single)).await {
							Ok(_) => done += 1,
							Err(Error::Refused(reason)) => refused.push((single[0].0, reason)),
							Err(other) => return Err(other),
						}
					}
				}
				Err(other) => return Err(other),
			}
			progress(done, total);
		}
		Ok(Rotated { keys: new, published, rewrapped: done, unopenable, refused })
	}
}
