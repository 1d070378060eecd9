// The flows the roles share: a record sealed for its readers and stored, a record opened (and
// the read logged), access granted with the patient's keys shared, the trail in words. What
// they act on (keys, grants, records) is proven against a block this browser verified final
// (verify.js); lists only shown (which records exist) come from the node.
import { hexToU8a, u8aEq, u8aToHex } from '@polkadot/util';
import { CATEGORY_VARIANT, Failure, categoryLabel, ehr, submit } from './chain.js';
import * as ipfs from './ipfs.js';
import { checkPin, fingerprint, pinState } from './keys.js';
import * as verify from './verify.js';
import * as emergency from './emergency.js';
import * as outbox from './outbox.js';

let wasm;
export function useWasm(module) { wasm = module; }

const WRAPPED = 80;
const MAX_KEYS_PER_SHARE = 64;
/** Records above this are not parsed as FHIR (as the WebAssembly module): a file as it is. */
const MAX_PARSED = (64 << 20) / 3 * 4 + (64 << 10);
/** Files above this are refused before anything is encrypted (the browser holds them whole). */
export const MAX_UPLOAD = 256 * 1024 * 1024;

/**
 * The accounts a new record of `category` of `patient` is wrapped for, with their keys, proven:
 * the patient, and every grantee whose grant covers the category now (no grant can be hidden).
 * The signed-in user's own key must be the one derived here; keys the chain's rule calls
 * unusable are left out (returned second), and so are keys that differ from the ones this
 * device pinned (returned third), until accepted.
 */
export async function readers(ctx, patient, category) {
	const { api, keys } = ctx;
	const proven = await verify.readers(api, patient, category);
	const [[, patientKey]] = proven;
	if (patient === keys.address && !u8aEq(patientKey, keys.publicKey)) {
		throw new Failure('The chain holds another encryption key for you than the one this phrase derives: nothing was encrypted. Publish your key again (or restore the key you registered with).');
	}
	// A doctor writing for a patient: the patient's key is pinned as any other's.
	if (patient !== keys.address && (!wasm.isUsableKey(patientKey) || !(await checkPin(keys.pair, patient, patientKey)))) {
		throw new Failure('The chain holds another encryption key for this patient than the one this device saw before: nothing was encrypted. Compare the new fingerprint with the patient and accept it.');
	}
	const list = [[patient, patientKey]];
	const unusable = [];
	const changed = [];
	for (const [grantee, key] of proven.slice(1)) {
		// The signed-in reader's own key must be the one derived here.
		if (grantee === keys.address) {
			if (u8aEq(key, keys.publicKey)) list.push([grantee, keys.publicKey]); else changed.push(grantee);
			continue;
		}
		if (!wasm.isUsableKey(key)) unusable.push(grantee);
		// The patient wraps for a grantee's key only once confirmed on this device (a grant made
		// here pins it): never pinned silently on first use, as a grant made on another device or
		// by a delegate would be. (A doctor writing pins the others' keys on first use, as before:
		// it has no one to compare them with.)
		else if (patient === keys.address ? (await pinState(keys.address, grantee, key)) !== 'same'
			: !(await checkPin(keys.pair, grantee, key))) changed.push(grantee);
		else list.push([grantee, key]);
	}
	return [list, unusable, changed];
}

/**
 * Encrypts `bytes` as a record of `category` for `patient`, stores it on IPFS and points to it
 * on chain (signed by the patient, or a doctor with write access). `progress(stage, done,
 * total)`. Resolves to the record id.
 */
export async function upload(ctx, patient, category, bytes, progress, name, { wrap = false } = {}) {
	return store(ctx, patient, category, asRecord(ctx, patient, category, bytes, name, wrap), progress, (cid, commitment, size, keys, escrow) =>
		ctx.api.tx.records.addRecord(patient, CATEGORY_VARIANT[category], cid, commitment, size, keys, escrow), 'RecordAdded');
}

/**
 * What a file named `name` is stored as, as the `ehr` command stores it: a FHIR resource as it
 * is; otherwise a FHIR R4 resource around it (a plain text as the category's own resource, e.g. a
 * prescription as a `MedicationRequest`; a lab report's file presented by a `DiagnosticReport`;
 * anything else in a `DocumentReference`), which gives the file back when opened. Without a
 * name (the profile form's own FHIR `Patient`), as it is; with `wrap`, always wrapped.
 */
function asRecord(ctx, patient, category, bytes, name, wrap = false) {
	if (name == null) return bytes;
	// (`wrap`: a file from someone else, e.g. shared in a call, is always wrapped: a resource in
	// it is not stored as if the uploader had written it.)
	try {
		if (!wrap && JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))?.resourceType) return bytes;
	} catch { /* not JSON */ }
	return wasm.fhirWrap(category, bytes, name, ctx.keys.address, patient, Date.now()) ?? bytes;
}

/** A new version of record `record` (same category, same readers rule); resolves to its id. */
export async function amend(ctx, record, bytes, progress, expected = {}, name) {
	const current = await provenAsShown(ctx, record, expected);
	const stored = asRecord(ctx, current.patient, current.category, bytes, name);
	return store(ctx, current.patient, current.category, stored, progress, (cid, commitment, size, keys, escrow) =>
		ctx.api.tx.records.amendRecord(record, cid, commitment, size, keys, escrow), 'RecordAmended');
}

/**
 * Record `id` as the chain's state holds it (proven), refused unless it is the signed-in patient's,
 * live, and of the category the row showed: a node cannot relabel a row so that the patient
 * erases or replaces another record.
 */
async function provenAsShown(ctx, id, expected) {
	const record = await verify.record(ctx.api, id, ctx.keys.address);
	if (!record || record.erased) throw new Failure(`There is no record ${id}.`);
	if (record.patient !== ctx.keys.address || (expected.category && record.category !== expected.category)) {
		throw new Failure(`The node listed record ${id} as another record than the chain holds: nothing was changed. Use another node (Connection).`);
	}
	return record;
}

/**
 * The patient erases record `id` with all its versions. The hospitals' pinning services unpin
 * the envelopes of erased records; the page has no access to IPFS's pins.
 */
export async function erase(ctx, id, expected = {}) {
	await provenAsShown(ctx, id, expected);
	const included = await submit(ctx.api, ctx.keys.pair, ctx.api.tx.records.eraseRecord(id));
	// Erased in the chain's state (proven), not only in the node's report.
	await verify.confirmed(ctx.api, async (view) => (await verify.record(ctx.api, id, null, view))?.erased === true,
		(number) => `The node reported the erasure, but the chain's state at block #${number} (verified here) does not show record ${id} erased. Use another node (Connection) and erase it again.`);
	return included;
}

async function store(ctx, patient, category, bytes, progress, call, addedEvent) {
	if (bytes.length > MAX_UPLOAD) throw new Failure(`The file is larger than ${MAX_UPLOAD / 1024 / 1024} MiB.`);
	const [list, unusable, changed] = await readers(ctx, patient, category);
	progress?.('encrypting', 0, bytes.length);
	const keys = new Uint8Array(list.length * 32);
	list.forEach(([, key], i) => keys.set(key, i * 32));
	const sealed = wasm.sealRecord(bytes, keys);
	const envelope = sealed.envelope;
	const wrapped = sealed.wrapped;
	const commitment = sealed.commitment;
	sealed.free();
	progress?.('uploading', 0, envelope.length);
	const cid = await ipfs.add(ctx.ipfs, envelope, ctx.keys.pair, (done, total) => progress?.('uploading', done, total));
	// Byte arguments go as hex: @polkadot/api reads a bare Uint8Array as already SCALE-encoded.
	const readerKeys = list.map(([account], i) => [account, u8aToHex(wrapped.slice(i * WRAPPED, (i + 1) * WRAPPED))]);
	// A record of a category the patient made openable in an emergency carries its key's shares
	// for the hospitals' committee in the same transaction, as the `ehr` command does (wrapped
	// with the record's patient, category, author and commitment, so the record's number is not
	// needed). If they cannot
	// be made (the committee is not proven), the record goes without and the reason is shown.
	let escrow = null;
	let escrowError = null;
	const mine = list.findIndex(([account]) => account === ctx.keys.address);
	if (mine >= 0) {
		try {
			escrow = await emergency.escrowForUpload(ctx, patient, category, commitment, wrapped.slice(mine * WRAPPED, (mine + 1) * WRAPPED));
		} catch (error) {
			escrowError = error.human || error.message;
		}
	}
	const tx = (withEscrow) => call(u8aToHex(ipfs.cidBytes(cid)), u8aToHex(commitment), envelope.length, readerKeys, withEscrow);
	progress?.('recording on the chain', 0, 1);
	// A refused transaction leaves the envelope (encrypted, referenced by nothing) on the
	// gateway's node: the page cannot unpin.
	const options = { onStatus: (s) => progress?.(s, 0, 1) };
	let included;
	try {
		included = await submit(ctx.api, ctx.keys.pair, tx(escrow), options);
	} catch (error) {
		// Only the escrow refused (the committee changed or lost a hospital since it was read,
		// the category stopped being openable): the record goes without it, as before.
		if (escrow === null || !error.refused || !String(error.detail ?? '').startsWith('escrow.')) throw error;
		escrowError = error.human || error.message;
		escrow = null;
		included = await submit(ctx.api, ctx.keys.pair, tx(null), options);
	}
	const added = included.events.find(({ event }) => ctx.api.events.records[addedEvent].is(event));
	const data = added.event.data;
	const id = (addedEvent === 'RecordAdded' ? data.record : data.newVersion).toNumber();
	// The record the node names by this id must be the one just sealed (its CID and commitment,
	// patient and category, proven at a block this browser verified final): a node cannot pass
	// another record off as the one added. This also brings the verified view up to the record.
	const cidHex = u8aToHex(ipfs.cidBytes(cid));
	await verify.confirmed(ctx.api, async (view) => {
		const stored = await verify.record(ctx.api, id, null, view);
		return stored?.cid === cidHex && stored.contentHash === u8aToHex(commitment) && stored.patient === patient && stored.category === category;
	}, (number) => `The chain's state at block #${number} (verified here) does not show record ${id} as the one just added. Use another node (Connection).`, 30);
	return { id, cid, readers: list.length, unusable, changed, escrowed: escrow !== null, escrowError };
}

/**
 * The patient revokes `grantee`'s access; resolves once the chain's state (proven, at a block
 * this browser verified final) holds no grant: a node cannot report a revocation that did not
 * happen.
 */
export async function revoke(ctx, grantee) {
	await submit(ctx.api, ctx.keys.pair, ctx.api.tx.consent.revokeAccess(ctx.keys.address, grantee));
	return verify.confirmed(ctx.api, async (view) => !(await verify.hasGrant(ctx.api, ctx.keys.address, grantee, view)),
		(number) => `The node reported the revocation, but the chain's state at block #${number} (verified here) still holds the grant. Use another node (Connection) and revoke again.`);
}

/**
 * Opens record `id` for the signed-in user: its key, the envelope from IPFS, decrypted and
 * checked against the commitment on chain; for a reader other than the patient, the read's log
 * entry is queued in the outbox (`queued`) before anything is returned.
 */
export async function open(ctx, id, expected = {}) {
	const me = ctx.keys.address;
	// The record and its key for this reader, proven: the node cannot serve another's.
	const record = await verify.record(ctx.api, id, me);
	if (!record) throw new Failure(`There is no record ${id}.`);
	// The record shown in the (node's) list must be the one proven.
	if ((expected.patient && record.patient !== expected.patient)
		|| (expected.category && record.category !== expected.category)) {
		throw new Failure(`The node listed record ${id} as another patient's or category than the chain holds: nothing was opened. Use another node (Connection).`);
	}
	if (record.erased) throw new Failure(`Record ${id} was erased by the patient.`);
	const fetch = () => ipfs.cat(ctx.ipfs, ipfs.cidText(hexToU8a(record.cid)), Number(record.size));
	let bytes;
	if (record.wrappedKey) {
		const sealed = await fetch();
		try {
			bytes = ctx.keys.encryption.openRecord(hexToU8a(record.wrappedKey), sealed, hexToU8a(record.contentHash));
		} catch (error) {
			throw new Failure(`The record does not open: ${error}. Nothing was shown.`);
		}
	} else {
		// No key of its own: a doctor with open emergency access opens it with released shares.
		bytes = me === record.patient ? null : await emergency.openReleased(ctx, record, fetch);
		if (!bytes) {
			throw new Failure(me === record.patient
				? `Record ${id} holds no key for this account.`
				: `You may not open this record: the patient has not given you access to ${categoryLabel(record.category).toLowerCase()}, or has revoked it.`);
		}
	}
	// A file or text the client wrapped in FHIR comes back as it was written.
	// A binary file travels beside its resource (not in base64): given back as the file, or,
	// if the resource is not what a client makes of it, as the resource (the file inline).
	const stored = bytes;
	bytes = wasm.fhirUnwrap(stored, record.patient, record.author) ?? wasm.fhirInline(stored) ?? stored;
	const resource = stored.length <= MAX_PARSED ? (wasm.fhirResourceType(stored) ?? null) : null;
	// A reader other than the patient: the log entry is checked against the chain (a revoked
	// grant shows nothing), signed and kept in this browser before anything is shown; the
	// caller sends it (`outbox.follow`) and says when a finalized block holds it.
	// (`expected.log === false`: the caller logs this read, with others, before showing it.)
	const queued = me === record.patient || expected.log === false ? null : await outbox.queueRead(ctx, record.patient, [[id, record.category]]);
	return { record, bytes, resource, queued };
}

/**
 * The patient grants `grantee` access and shares the keys of the records it covers, wrapped for
 * `shownKey`: the key whose fingerprint the patient saw (null if the grantee had none); a node
 * that answers another key now is refused.
 */
export async function grant(ctx, grantee, categories, access, expiresAt, purpose, shownKey) {
	const { api, keys } = ctx;
	if (grantee === keys.address) throw new Failure('You do not need to grant access to yourself.');
	if (!categories.length) throw new Failure('Choose at least one category.');
	const scope = categories.length === 7 ? 'All' : { Categories: categories.map((c) => CATEGORY_VARIANT[c]) };
	const calls = [api.tx.consent.grantAccess(keys.address, grantee, scope, access, expiresAt, purpose)];
	const key = await verify.encryptionKey(api, grantee);
	if ((key === null) !== (shownKey == null) || (key && !u8aEq(key, shownKey))) {
		throw new Failure('The chain now holds another encryption key for this doctor than the one shown: nothing was shared. Choose the doctor again and compare the fingerprint.');
	}
	if (key && !wasm.isUsableKey(key)) {
		throw new Failure('This doctor\'s encryption key is unusable: the doctor must publish a new one before you share records.');
	}
	if (key && !(await checkPin(keys.pair, grantee, key))) {
		throw new Failure(`The chain holds another encryption key for this account than the one this device saw before (now ${fingerprint(key)}): nothing was shared. Compare the fingerprint with the doctor, then accept the new key under "Who may see my records".`);
	}
	let shared = 0;
	if (key) {
		const mine = await ehr(api, 'patientRecords', keys.address, null, null);
		const keysToShare = [];
		for (const listed of mine) {
			// The node's list names the records; what is shared is decided on the proven record.
			const full = await verify.record(api, listed.id, keys.address);
			if (!full?.wrappedKey || full.patient !== keys.address || full.erased || full.supersededBy != null
				|| !categories.includes(full.category)) continue;
			keysToShare.push([full.id, u8aToHex(keys.encryption.rewrap(hexToU8a(full.wrappedKey), key))]);
		}
		for (let i = 0; i < keysToShare.length; i += MAX_KEYS_PER_SHARE) {
			calls.push(api.tx.records.shareKeys(grantee, keysToShare.slice(i, i + MAX_KEYS_PER_SHARE)));
		}
		shared = keysToShare.length;
	}
	await submit(api, keys.pair, api.tx.utility.batchAll(calls));
	// Read back with a proof at a block this browser verified final: the node's word that the
	// transaction went in is not taken for the grant.
	const provenAt = await verify.confirmed(api, (view) => verify.hasGrant(api, keys.address, grantee, view),
		(number) => `The node reported the grant, but the chain's state at block #${number} (verified here) does not show it. Use another node (Connection) and give access again.`);
	return { shared, granteeHasKey: Boolean(key), fingerprint: key ? fingerprint(key) : null, provenAt };
}

/** The readings in a record's bytes (a FHIR Observation or a Bundle of them), or `[]`. */
export function readingsOf(bytes) {
	return JSON.parse(wasm.fhirReadings(bytes));
}

/**
 * Home readings (`{ bp: [systolic, diastolic], '<LOINC code>': value }`) stored as one record of
 * category `observation`: the FHIR Bundle `ehr vitals add` makes, one transaction.
 */
export async function addVitals(ctx, readings, at, progress) {
	let bytes;
	try {
		bytes = wasm.fhirVitals(JSON.stringify(readings), ctx.keys.address, at);
	} catch (error) {
		throw new Failure(`The readings cannot be stored: ${error}.`);
	}
	return upload(ctx, ctx.keys.address, 'observation', bytes, progress);
}

/** One trail entry in words ("Dr Kelso read your lab report on 3 March at 10:02"). */
export function sentence(entry, names, time) {
	const who = (account) => names.get(account) || account;
	const event = entry.event;
	const [kind] = Object.keys(event);
	const data = event[kind] || {};
	const when = time(entry.time);
	const actor = who(entry.actor);
	const cat = (c) => categoryLabel(c).toLowerCase();
	switch (kind) {
		case 'consentGranted': return `${actor} gave ${who(data.grantee)} access on ${when}`;
		case 'consentChanged': return `${actor} changed the access of ${who(data.grantee)} on ${when}`;
		case 'consentRevoked': return `${actor} revoked the access of ${who(data.grantee)} on ${when}`;
		case 'consentExpired': return `The access of ${who(data.grantee)} expired on ${when}`;
		case 'recordAdded': return `${actor} added record ${data.record} (${cat(data.category)}) on ${when}`;
		case 'recordAccessed': return `${actor} read record ${data.record} (${cat(data.category)}) on ${when}`;
		case 'recordAmended': return `${actor} amended record ${data.record ?? ''} on ${when}`;
		case 'recordErased': return `${actor} erased record ${data.record ?? ''} on ${when}`;
		case 'keyShared': return `${actor} shared the key of record ${data.record} with ${who(data.reader)} on ${when}`;
		case 'emergencyAccessOpened': return `${who(data.doctor)} opened emergency access (${data.code}) on ${when}`;
		case 'emergencyAccessClosed': return `The emergency access of ${who(data.doctor)} closed on ${when}`;
		case 'shareReleased': return `${who(data.hospital)} released its share of the key of record ${data.record} to ${who(data.doctor)} (emergency access) on ${when}`;
		case 'appointment': {
			const change = typeof data.change === 'string' ? data.change : Object.keys(data.change || {})[0] || '';
			const visit = `the video call of appointment ${data.appointment} with ${who(data.doctor)}`;
			if (/^visit-?started$/i.test(change)) return `${actor} started ${visit} on ${when}`;
			if (/^visit-?ended$/i.test(change)) {
				const minutes = data.minutes ?? data.change?.visitEnded?.minutes;
				return `${actor} ended ${visit} on ${when}${minutes != null ? ` (${minutes} min)` : ''}`;
			}
			return `${actor}: appointment ${data.appointment} with ${who(data.doctor)} ${change.replace(/-/g, ' ').replace(/([A-Z])/g, ' $1').toLowerCase()} on ${when}`;
		}
		case 'emergencyAccessReviewed': return `${actor} reviewed the emergency access of ${who(data.doctor)}: ${data.verdict} on ${when}`;
		default: return `${actor}: ${kind.replace(/([A-Z])/g, ' $1').toLowerCase()} on ${when}`;
	}
}

export { u8aToHex };
