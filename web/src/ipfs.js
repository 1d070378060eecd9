// IPFS through its HTTP RPC API (kubo or js-ipfs), called from the page: only envelopes (already
// encrypted) are sent, and what is read is checked against the commitment on chain when opened.
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

function unreachable(api) {
	return new Failure(`The IPFS node at ${api} does not answer (or does not allow this app's address). Check "Connection".`);
}

/**
 * Stores `bytes` (an envelope) as the `ehr` command does (CIDv1, raw leaves, pinned); calls
 * `progress(sent, total)` while uploading. Resolves to the CID in text.
 */
export function add(api, bytes, progress) {
	return new Promise((resolve, reject) => {
		const form = new FormData();
		form.append('file', new Blob([bytes]), 'envelope');
		const xhr = new XMLHttpRequest();
		xhr.open('POST', `${api}/api/v0/add?cid-version=1&raw-leaves=true&pin=true&progress=false`);
		xhr.upload.onprogress = (e) => e.lengthComputable && progress?.(e.loaded, e.total);
		xhr.onload = () => {
			if (xhr.status !== 200) return reject(new Failure(`IPFS did not store the file: ${xhr.status} ${xhr.responseText.slice(0, 200)}`));
			try {
				const lines = xhr.responseText.trim().split('\n');
				resolve(JSON.parse(lines[lines.length - 1]).Hash);
			} catch {
				reject(new Failure('IPFS answered something that is not a CID.'));
			}
		};
		xhr.onerror = () => reject(unreachable(api));
		xhr.send(form);
	});
}

/** The bytes stored under `cid` (text), at most `limit` bytes. */
export async function cat(api, cid, limit) {
	let response;
	try {
		response = await fetch(`${api}/api/v0/cat?arg=${encodeURIComponent(cid)}`, { method: 'POST' });
	} catch {
		throw unreachable(api);
	}
	if (!response.ok) {
		throw new Failure(`IPFS does not have the file ${cid} (${response.status}): the patient's or a hospital's IPFS node must be reachable.`);
	}
	// Read as a stream, and stop at the record's size: a node cannot fill the memory.
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

/** Unpins `cid` (after a refused transaction, or an erasure). Best effort. */
export async function unpin(api, cid) {
	try {
		await fetch(`${api}/api/v0/pin/rm?arg=${encodeURIComponent(cid)}`, { method: 'POST' });
	} catch { /* best effort */ }
}
