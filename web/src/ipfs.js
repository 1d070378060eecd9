// IPFS through the hospital's gateway (`ehr ipfs-gateway`), never its administration API: only
// envelopes (already encrypted) are sent, signed by the person's key, and what is read is
// checked against the commitment on chain when opened.
import { stringToU8a, u8aToHex } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';
import { CID } from 'multiformats/cid';
import { Failure } from './chain.js';

/** The CID in text (bafk…) of the binary CID the chain stores. */
export function cidText(bytes) {
	return CID.decode(bytes).toString();
}

/** The binary CID the chain stores, of a CID in text. */
export function cidBytes(text) {
	return CID.parse(text).bytes;
}

function unreachable(gateway) {
	return new Failure(`The IPFS gateway at ${gateway} does not answer (or does not allow this app's address). Check "Connection".`);
}

/** The gateway's reason for a refusal, from its JSON answer. */
function reason(text) {
	try { return JSON.parse(text).error || text; } catch { return text.slice(0, 200); }
}

/**
 * Stores `bytes` (an envelope) through the hospital's IPFS gateway (`ehr ipfs-gateway`), signed
 * by `pair` (a registered patient or doctor): the gateway stores and pins it as the `ehr`
 * command does (CIDv1, raw leaves) and does nothing else for browsers; IPFS's administration API
 * is never reached from the page. Calls `progress(sent, total)` while uploading. Resolves to the
 * CID in text.
 */
export function add(gateway, bytes, pair, progress) {
	const time = Date.now();
	const digest = u8aToHex(blake2AsU8a(bytes, 256), -1, false);
	const signature = u8aToHex(pair.sign(stringToU8a(`ehr-upload:${time}:${digest}`)));
	return new Promise((resolve, reject) => {
		const xhr = new XMLHttpRequest();
		xhr.open('POST', `${gateway}/upload`);
		xhr.setRequestHeader('x-ehr-account', pair.address);
		xhr.setRequestHeader('x-ehr-time', String(time));
		xhr.setRequestHeader('x-ehr-signature', signature);
		xhr.upload.onprogress = (e) => e.lengthComputable && progress?.(e.loaded, e.total);
		xhr.onload = () => {
			if (xhr.status !== 200) return reject(new Failure(`The IPFS gateway did not store the file: ${reason(xhr.responseText)}`));
			try {
				resolve(JSON.parse(xhr.responseText).cid);
			} catch {
				reject(new Failure('The IPFS gateway answered something that is not a CID.'));
			}
		};
		xhr.onerror = () => reject(unreachable(gateway));
		xhr.send(new Blob([bytes]));
	});
}

/** The bytes stored under `cid` (text), at most `limit` bytes, from the gateway's read path. */
export async function cat(gateway, cid, limit) {
	let response;
	try {
		response = await fetch(`${gateway}/ipfs/${encodeURIComponent(cid)}`);
	} catch {
		throw unreachable(gateway);
	}
	if (!response.ok) {
		throw new Failure(`IPFS does not have the file ${cid} (${response.status}): the patient's or a hospital's IPFS node must be reachable.`);
	}
	// Read as a stream, and stop at the record's size: a gateway cannot fill the memory.
	const reader = response.body.getReader();
	const chunks = [];
	let length = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		length += value.length;
		if (limit !== undefined && length > limit) {
			await reader.cancel();
			throw new Failure('IPFS sent more bytes than the record has: refused.');
		}
		chunks.push(value);
	}
	const bytes = new Uint8Array(length);
	let offset = 0;
	for (const chunk of chunks) { bytes.set(chunk, offset); offset += chunk.length; }
	return bytes;
}
