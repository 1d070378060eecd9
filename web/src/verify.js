// What the page acts on, verified in this browser instead of taken from the node: the app
// follows GRANDPA finality from the chain spec it was served with (the trust anchor, like the
// `ehr` command's --chain-spec), and reads encryption keys, the readers of a new record, a
// record with its wrapped key, a doctor's entry and the audit trail with storage proofs
// against the newest block it verified final. The checks are the command's own (the
// `ehr-verify` crate, in WebAssembly); storage keys are computed there, not taken from the
// node's metadata. A lying node can withhold (and is then named), not substitute.
import { hexToU8a, stringToU8a, u8aToHex } from '@polkadot/util';
import { decodeAddress, encodeAddress, signatureVerify } from '@polkadot/util-crypto';
import { Failure, rpc } from './chain.js';

let wasm;
let config = {};
export function useWasm(module, appConfig) { wasm = module; config = appConfig; }

/** The newest verified block may be this old at most (as `ehr --chain-spec`): an older one
 * means the node hides newer blocks, or finality has stalled. */
export const MAX_AGE_MS = 10 * 60 * 1000;
/** The runtime's `MaxGrantsPerPatient`: bounds what the node may list; the proven count decides. */
const MAX_GRANTS = 64;
/** A verified view is reused this long before the next walk (one user action, several reads). */
const REUSE_MS = 3000;

export const hexAccount = (address) => u8aToHex(decodeAddress(address));
export const ss58 = (hex) => encodeAddress(hex, 42);

let states = new WeakMap(); // api → { verifier, view, at, busy }
let spec = null;

async function chainSpec() {
	if (spec) return spec;
	if (!config.chainSpec) {
		throw new Failure('This copy of the app was served without the chain\'s spec (chain.json), so it cannot check what the node says: nothing was done. Whoever serves the app must add it (scripts/web.sh serve does).');
	}
	const answer = await fetch(config.chainSpec, { cache: 'no-store' }).catch(() => null);
	if (!answer?.ok) throw new Failure(`The chain spec ${config.chainSpec} could not be loaded: nothing was done.`);
	spec = new Uint8Array(await answer.arrayBuffer());
	return spec;
}

const savedKey = (genesis) => `ehr-finality-${genesis}`;

/**
 * The unlocked account that signs this device's checkpoint, or null while locked. The
 * checkpoint is the trust anchor of every proof (the authority set that signs finality): any
 * script of this origin can write the browser's storage, so a checkpoint is used only if the
 * person's own key signed it here. Without it (locked, another account, altered), verification
 * starts again from the chain spec's genesis, which is as safe, only a few proofs longer.
 */
let anchor = null;
export function bindToKey(pair) {
	anchor = pair;
	// Views made under another binding are dropped: the next read starts from this key's own
	// checkpoint (or the chain spec).
	states = new WeakMap();
}

const checkpointMessage = (genesis, checkpoint) => stringToU8a(`ehr-checkpoint:${genesis}:${checkpoint}`);

/** The checkpoint saved for `genesis` if the unlocked key signed it, else undefined. */
function savedCheckpoint(genesis) {
	if (!anchor) return undefined;
	let saved;
	try { saved = JSON.parse(localStorage.getItem(savedKey(genesis)) || 'null'); } catch { return undefined; }
	if (!saved || saved.account !== anchor.address || typeof saved.checkpoint !== 'string') return undefined;
	try {
		const { isValid } = signatureVerify(checkpointMessage(genesis, saved.checkpoint), saved.signature, anchor.address);
		return isValid ? hexToU8a(saved.checkpoint) : undefined;
	} catch {
		return undefined;
	}
}

function saveCheckpoint(genesis, bytes) {
	if (!anchor || anchor.isLocked) return;
	const checkpoint = u8aToHex(bytes);
	const signature = u8aToHex(anchor.sign(checkpointMessage(genesis, checkpoint)));
	localStorage.setItem(savedKey(genesis), JSON.stringify({ account: anchor.address, checkpoint, signature }));
}

function notVerified(error, what) {
	return new Failure(`Not verified: ${what}: ${error}. Nothing was done with the node's answer; use another node (Connection) and tell your hospital.`);
}

/**
 * The newest block this browser verified final, after following the node's finality proofs from
 * its checkpoint (saved per chain on this device) and checking the block's proven time is recent.
 * Resolves to a frozen view `{ verifier, number, hash, time, authorities }`.
 */
export async function verified(api) {
	let state = states.get(api);
	if (!state) {
		let verifier;
		const saved = savedCheckpoint(api.genesisHash.toHex());
		try {
			verifier = new wasm.Verifier(await chainSpec(), saved);
		} catch (error) {
			if (error instanceof Failure) throw error;
			throw new Failure(`The app's chain spec cannot be used: ${error}.`);
		}
		if (verifier.genesis !== api.genesisHash.toHex()) {
			throw new Failure(`This node serves another chain (genesis ${api.genesisHash.toHex().slice(0, 10)}…) than the one this app was made for (${verifier.genesis.slice(0, 10)}…): nothing was done. Check the node's address under Connection.`);
		}
		state = { verifier, view: null, at: 0, busy: null };
		states.set(api, state);
	}
	if (state.view && Date.now() - state.at < REUSE_MS) return state.view;
	// One walk at a time; callers during a walk share its result.
	if (!state.busy) {
		state.busy = walk(api, state).finally(() => { state.busy = null; });
	}
	return state.busy;
}

async function walk(api, state) {
	const { verifier } = state;
	for (let steps = 0; steps < 100_000; steps++) {
		const proof = await rpc(api, 'ehr_finalityProof', [verifier.number]);
		if (!proof) break;
		try {
			verifier.advance(hexToU8a(proof));
		} catch (error) {
			throw notVerified(error, `the node's proof of finality after block #${verifier.number}`);
		}
		saveCheckpoint(verifier.genesis, verifier.checkpoint());
	}
	const hash = verifier.hash;
	const answer = await rpc(api, 'state_getReadProof', [JSON.parse(wasm.keysForNow()), hash]);
	let time;
	try {
		time = verifier.fresh(JSON.stringify(answer), Date.now(), MAX_AGE_MS);
	} catch (error) {
		throw notVerified(error, 'the newest final block');
	}
	// A frozen copy: every read of the view is checked against this one block.
	state.view = { verifier: verifier.snapshot(), number: verifier.number, hash, time, authorities: verifier.authorities };
	state.at = Date.now();
	return state.view;
}

/** The node's read proof of `keys` (JSON list of hex) at the verified `view`. */
export async function readProof(api, view, keys) {
	return rpc(api, 'state_getReadProof', [JSON.parse(keys), view.hash]);
}

/** `check(answer)` on the node's read proof of `keys` at the verified `view`. */
async function proven(api, view, keys, check, what) {
	const answer = JSON.stringify(await readProof(api, view, keys));
	try {
		return check(answer);
	} catch (error) {
		throw notVerified(error, what);
	}
}

/** The published encryption key of `address` (doctor or patient), proven, or null. */
export async function encryptionKey(api, address, view) {
	view ??= await verified(api);
	const who = hexAccount(address);
	const key = await proven(api, view, wasm.keysForEncryptionKey(who), (answer) => view.verifier.encryptionKey(who, answer), 'an encryption key');
	return key ?? null;
}

/**
 * Appointment `id` as stored, proven, or null: `{ doctor, patient (SS58), start,
 * durationMinutes, kind, status }`. A call is made only with the parties the chain names.
 */
export async function appointment(api, id, view) {
	view ??= await verified(api);
	const found = JSON.parse(await proven(api, view, wasm.keysForAppointment(id), (answer) => view.verifier.appointment(id, answer), 'the appointment'));
	if (!found) return null;
	return { ...found, doctor: ss58(found.doctor), patient: ss58(found.patient) };
}

/** The doctor `address` as stored (name, specialty, hospital, key, status), proven, or null. */
export async function doctor(api, address, view) {
	view ??= await verified(api);
	const who = hexAccount(address);
	const found = JSON.parse(await proven(api, view, wasm.keysForDoctor(who), (answer) => view.verifier.doctor(who, answer), 'the doctor\'s entry'));
	if (!found) return null;
	return { ...found, hospital: ss58(found.hospital), encryptionKey: found.encryptionKey ? hexToU8a(found.encryptionKey) : null };
}

/**
 * The readers a new record of `category` of `patient` is wrapped for, proven: `[account, key]`
 * pairs, the patient first; a grant the node leaves out of its listing is caught.
 */
export async function readers(api, patient, category) {
	const view = await verified(api);
	const who = hexAccount(patient);
	const listed = JSON.stringify(await rpc(api, 'state_getKeysPaged', [wasm.grantsPrefix(who), MAX_GRANTS + 1, null, view.hash]));
	let keys;
	try {
		keys = wasm.keysForReaders(who, listed, MAX_GRANTS);
	} catch (error) {
		throw notVerified(error, 'the patient\'s grants');
	}
	const list = JSON.parse(await proven(api, view, keys, (answer) => view.verifier.readers(who, category, listed, MAX_GRANTS, answer), 'the patient\'s grants'));
	return list.map(({ account, key }) => [ss58(account), hexToU8a(key)]);
}

/** Record `id` as stored, with its key wrapped for `reader` (if given), proven, or null. */
export async function record(api, id, reader, view) {
	view ??= await verified(api);
	const who = reader ? hexAccount(reader) : undefined;
	const found = JSON.parse(await proven(api, view, wasm.keysForRecord(id, who), (answer) => view.verifier.record(id, who, answer), `record ${id}`));
	if (!found) return null;
	return { ...found, patient: ss58(found.patient), author: ss58(found.author) };
}

/**
 * Whether `patient` and `doctor` may write to each other, proven: the doctor's entry (null if not
 * a doctor), whether the patient's grant to the doctor exists, and the doctor of slot `slot` (a
 * booking just made) if given.
 */
export async function care(api, patient, doctor, slot, view) {
	view ??= await verified(api);
	const [p, d] = [hexAccount(patient), hexAccount(doctor)];
	const found = JSON.parse(await proven(api, view, wasm.keysForCare(p, d, slot ?? undefined),
		(answer) => view.verifier.care(p, d, slot ?? undefined, answer), 'the care between patient and doctor'));
	return { doctor: found.doctor, granted: found.granted, slotDoctor: found.slotDoctor ? ss58(found.slotDoctor) : null };
}

/** The escrow committee (`{hospital, key}` in hex), threshold, epoch and `patient`'s openable categories, proven. */
export async function escrow(api, patient, view) {
	view ??= await verified(api);
	const who = hexAccount(patient);
	return JSON.parse(await proven(api, view, wasm.keysForEscrow(who), (answer) => view.verifier.escrow(who, answer), 'the escrow committee'));
}

/** Who escrowed record `id` (SS58 or null) and the committee epoch of `member`'s share, proven. */
export async function escrowed(api, id, member, view) {
	view ??= await verified(api);
	const m = hexAccount(member);
	const found = JSON.parse(await proven(api, view, wasm.keysForEscrowed(id, m), (answer) => view.verifier.escrowed(id, m, answer), `the escrow of record ${id}`));
	return { by: found.by ? ss58(found.by) : null, epoch: found.epoch };
}

/** Every storage key under `prefix` at the verified `view`, as the node lists them (at most `max`). */
export async function listKeys(api, view, prefix, max) {
	const all = [];
	for (let start = null; all.length <= max;) {
		const page = await rpc(api, 'state_getKeysPaged', [prefix, 1000, start, view.hash]);
		all.push(...page);
		if (page.length < 1000) break;
		start = page[page.length - 1];
	}
	return all;
}

/** Whether `patient`'s grant to `grantee` exists, proven. */
export async function hasGrant(api, patient, grantee, view) {
	view ??= await verified(api);
	const [p, g] = [hexAccount(patient), hexAccount(grantee)];
	return proven(api, view, wasm.keysForGrant(p, g), (answer) => view.verifier.hasGrant(p, g, answer), 'the grant');
}

/**
 * Waits until the state of a block this browser verified final shows `done(view)` (a node's report that
 * a transaction is final is not taken for it): resolves to that block's number, or fails after
 * `seconds` with `failure`.
 */
export async function confirmed(api, done, failure, seconds = 60) {
	const end = Date.now() + seconds * 1000;
	for (;;) {
		const view = await verified(api);
		if (await done(view)) return view.number;
		if (Date.now() > end) throw new Failure(failure(view.number));
		await new Promise((resolve) => setTimeout(resolve, 1000));
	}
}

/** Verifies the node's page of `patient`'s trail (entries `from..from + limit`) at `view`. */
export function trailPage(view, patient, from, limit, answer) {
	try {
		return JSON.parse(view.verifier.trailPage(hexAccount(patient), from, limit, JSON.stringify(answer)));
	} catch (error) {
		throw new Failure(`Not verified: ${error}.`);
	}
}
