// The chain: one connection (@polkadot/api, which encodes every call and storage key from the
// runtime's metadata), transactions submitted and followed to finality with their failures in
// words, and the node's `ehr_*` methods.
import { ApiPromise, WsProvider } from '@polkadot/api';
import { compactFromU8a, hexToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { decodeAddress } from '@polkadot/util-crypto';

/**
 * The runtime's own transaction extension: `FreeWithinBudget` replaces CheckNonce, CheckWeight
 * and ChargeTransactionPayment and encodes as they do (the nonce, nothing, the tip). The other
 * extensions are the standard ones @polkadot/api knows.
 */
export const SIGNED_EXTENSIONS = {
	FreeWithinBudget: {
		extrinsic: { nonce: 'Compact<Index>', tip: 'Compact<Balance>' },
		payload: {},
	},
	WeightReclaim: { extrinsic: {}, payload: {} },
};

/** An error whose message is for people. */
export class Failure extends Error {
	constructor(message, detail) {
		super(message);
		this.human = message;
		this.detail = detail;
	}
}

/**
 * The metadata hash (RFC-78) of the metadata `connect` gave @polkadot/api, computed in the
 * WebAssembly; `null` until `useMetadataHasher` is called.
 */
let hashMetadata = null;
export function useMetadataHasher(fn) { hashMetadata = fn; }
const signing = new WeakMap();

/**
 * Connects to the node at `url`, and again whenever the connection drops. The runtime's
 * metadata (version 15) is fetched here, its hash
 * computed in the browser, and the same bytes handed to @polkadot/api: every call is encoded
 * from exactly the metadata whose hash the transaction signs (`CheckMetadataHash`, mode 1), so
 * a node that serves altered metadata gets transactions the chain refuses.
 */
export async function connect(url) {
	// Connecting again by itself (2.5 s after a drop), until `disconnect()`; the subscriptions
	// that need a fresh proof are made again by `subscribe`.
	const provider = new WsProvider(url, 2500);
	try {
		await new Promise((resolve, reject) => {
			const timer = setTimeout(() => reject(new Error('timeout')), 8000);
			provider.on('connected', () => { clearTimeout(timer); resolve(); });
			provider.on('error', () => { clearTimeout(timer); reject(new Error('refused')); });
			if (provider.isConnected) { clearTimeout(timer); resolve(); }
		});
	} catch {
		await provider.disconnect().catch(() => {});
		throw new Failure(`The chain's node at ${url} does not answer. Check the address under "Connection", or that the node is running.`);
	}
	// A node that fails past the handshake is let go: its provider would reconnect forever.
	try {
		const genesisHash = await provider.send('chain_getBlockHash', [0]);
		const version = await provider.send('state_getRuntimeVersion', []);
		// `Metadata_metadata_at_version(15)`: an Option<OpaqueMetadata> (0x01, compact length, bytes).
		const answer = await provider.send('state_call', ['Metadata_metadata_at_version', '0x0f000000']);
		const bytes = hexToU8a(answer);
		if (bytes[0] !== 1) throw new Failure(`The node at ${url} gives no version 15 metadata: this app cannot sign for its runtime.`);
		const [offset, length] = compactFromU8a(bytes.subarray(1));
		const metadata = u8aToHex(bytes.subarray(1 + offset, 1 + offset + length.toNumber()));
		let metadataHash;
		try {
			metadataHash = hashMetadata(hexToU8a(metadata), version.specName, version.specVersion, TOKEN.symbol, TOKEN.decimals);
		} catch (e) {
			throw new Failure(`The node's runtime metadata cannot be read (${e.message || e}): nothing will be signed through it.`);
		}
		const api = await ApiPromise.create({
			provider,
			signedExtensions: SIGNED_EXTENSIONS,
			noInitWarn: true,
			metadata: { [`${genesisHash}-${version.specVersion}`]: metadata },
		});
		providers.set(api, provider);
		signing.set(api, { specVersion: version.specVersion, metadataHash: u8aToHex(metadataHash) });
		return api;
	} catch (error) {
		await provider.disconnect().catch(() => {});
		throw error;
	}
}

/** The chain's token, as the runtime's build hashes its metadata with it. */
const TOKEN = { symbol: 'EHR', decimals: 12 };

/** The connection of each API object, for the `ehr_*` methods @polkadot/api does not know. */
const providers = new WeakMap();

/** What to do after a refusal, where the pallet's own words are not enough. */
const HINTS = {
	'consent.NotAuthorized': 'The patient has not given you access to this (or has revoked it).',
	'identity.NotInvited': 'Ask a hospital to invite this account first, or register paying the fee.',
	'identity.AlreadyRegistered': 'This account is registered already.',
	'consent.AlreadyGranted': 'Change or revoke the existing grant instead.',
	'records.NotAuthorized': 'The patient has not given you write access to this category.',
};

/** A dispatch error in words: the pallet's documentation of the error, and its name. */
export function explain(api, dispatchError) {
	if (dispatchError.isModule) {
		const { section, name, docs } = api.registry.findMetaError(dispatchError.asModule);
		const key = `${section}.${name}`;
		const words = HINTS[key] || docs.join(' ').replace(/\[`?([^\]`]+)`?\]/g, '$1').trim() || name;
		return refused(new Failure(`Refused by the chain: ${words} (${key})`, key));
	}
	if (dispatchError.isBadOrigin) return refused(new Failure('Refused by the chain: this account may not do this.', 'BadOrigin'));
	if (dispatchError.isToken) return refused(new Failure(`Refused by the chain: not enough funds (${dispatchError.asToken.type}).`, 'Token'));
	return refused(new Failure(`Refused by the chain: ${dispatchError.type}.`, dispatchError.type));
}

/** Marks a definite refusal (the transaction is in a block and failed, or the pool refused it). */
function refused(failure) {
	failure.refused = true;
	return failure;
}

/** A pool refusal (`1010: Invalid Transaction: …`) in words. */
function poolError(error) {
	const text = String(error.message || error);
	if (/^101[0-4]:.*(Inability to pay some fees|Payment)/.test(text)) {
		return refused(new Failure('Refused: this account has no free budget left and no funds to pay the fee. Registered patients and doctors transact free within their budget; wait for the next period or ask your hospital.', text));
	}
	if (/Transaction is outdated|Priority is too low|already imported/.test(text)) {
		return new Failure('Another transaction of this account is still pending: try again in a few seconds.', text);
	}
	if (/^101[0-4]:.*(ExhaustsResources|exhausts the resources)/.test(text)) {
		return refused(new Failure('The chain is busy (the block is full): try again in a few seconds.', text));
	}
	const failure = new Failure(`The node refused the transaction: ${text.replace(/^\d+: /, '')}`, text);
	// Only the pool's own refusals (1010–1014) are definite; a dropped connection is not.
	return /^101[0-4]:/.test(text) ? refused(failure) : failure;
}

/**
 * Signs `tx` with `pair`, submits it, and resolves when it is final (or in a block, with
 * `wait: 'inBlock'`) with the block hash and the events; rejects with the refusal in words.
 */
export function submit(api, pair, tx, { wait = 'finalized', onStatus } = {}) {
	return new Promise((resolve, reject) => {
		let unsubscribe = () => {};
		let done = false;
		const finish = (fn, value) => {
			if (done) return;
			done = true;
			try { unsubscribe(); } catch { /* already gone */ }
			fn(value);
		};
		const { specVersion, metadataHash } = signing.get(api) || {};
		if (!metadataHash || api.runtimeVersion.specVersion.toNumber() !== specVersion) {
			return finish(reject, new Failure('The chain\'s runtime changed since this page connected: reload the page to sign for the new one.'));
		}
		// The next nonce as the node's pool sees it (`system_accountNextIndex`): polkadot-js's
		// own (-1) asks the runtime, which does not count this account's transactions still in
		// the pool (a read's log entry the outbox just sent), and the two would take one nonce.
		// Mode 1: the signature covers the hash of the metadata the call was encoded with.
		api.rpc.system.accountNextIndex(pair.address).then((nonce) => tx.signAndSend(pair, { nonce, mode: 1, metadataHash }, (result) => {
			const { status, dispatchError, events } = result;
			if (status.isReady || status.isBroadcast) onStatus?.('sent, waiting for a block');
			if (status.isInBlock || status.isFinalized) {
				if (dispatchError) return finish(reject, explain(api, dispatchError));
				// A batch reports its failed call as an event, not as the dispatch error.
				const interrupted = events.find(({ event }) => api.events.utility?.BatchInterrupted?.is(event));
				if (interrupted) return finish(reject, explain(api, interrupted.event.data[1]));
				const block = (status.isInBlock ? status.asInBlock : status.asFinalized).toHex();
				if (status.isInBlock) onStatus?.('in a block, waiting for finality');
				if (wait === 'inBlock' || status.isFinalized) finish(resolve, { block, events });
			} else if (status.isInvalid || status.isDropped || status.isUsurped) {
				finish(reject, new Failure(`The transaction was not included (${status.type}): try again.`));
			}
		})).then((u) => { unsubscribe = u; if (done) u(); }).catch((error) => finish(reject, poolError(error)));
	});
}

/** How many blocks a transaction signed by `signOnly` stays valid, from the finalized block. */
export const ERA_BLOCKS = 256;

/**
 * Signs `tx` with `pair` without sending it (the read outbox keeps it first): the next nonce,
 * mode 1 (the metadata hash), mortal for `ERA_BLOCKS` blocks from the newest finalized one.
 * Resolves with the signed `tx`, the era's first block (`birth`) and the `nonce`.
 */
export async function signOnly(api, pair, tx) {
	const { specVersion, metadataHash } = signing.get(api) || {};
	if (!metadataHash || api.runtimeVersion.specVersion.toNumber() !== specVersion) {
		throw new Failure('The chain\'s runtime changed since this page connected: reload the page to sign for the new one.');
	}
	const finalized = await api.rpc.chain.getFinalizedHead();
	const birth = (await api.rpc.chain.getHeader(finalized)).number.toNumber();
	const era = api.registry.createType('ExtrinsicEra', { current: birth, period: ERA_BLOCKS });
	const nonce = (await api.rpc.system.accountNextIndex(pair.address)).toNumber();
	await tx.signAsync(pair, { nonce, mode: 1, metadataHash, blockHash: finalized, era });
	return { tx, birth, nonce };
}

/**
 * Whether `tx` sent by `who` would succeed on the newest block (the runtime API
 * `CallDryRunApi_dry_run`; nothing signed is handed over). Throws the refusal in words.
 */
export async function dryRun(api, who, tx) {
	let answer;
	try {
		answer = await providers.get(api).send('state_call', ['CallDryRunApi_dry_run', u8aToHex(u8aConcat(decodeAddress(who), tx.method.toU8a()))]);
	} catch (error) {
		throw new Failure(`The node could not check the transaction: ${error.message || error}`);
	}
	const bytes = hexToU8a(answer);
	if (bytes[0] === 0) return;
	throw explain(api, api.registry.createType('DispatchError', bytes.subarray(1)));
}

/** The node's `ehr_*` methods (JSON answers, camelCase fields, documented in docs/reference.md). */
export async function ehr(api, method, ...params) {
	return rpc(api, `ehr_${method}`, params);
}

/** Any JSON-RPC method of the node, answered as the node sent it. */
export async function rpc(api, method, params) {
	try {
		return await providers.get(api).send(method, params);
	} catch (error) {
		throw new Failure(`The node could not answer ${method.replace(/^ehr_/, '')}: ${error.message || error}`);
	}
}

/**
 * Subscribes to the node's `method` (notifications named `type`); `callback(error, result)` gets
 * each one. Resolves to a function that ends the subscription (with `unsubscribe`).
 *
 * The node ends a subscription when the connection to it drops. `params` may be a function
 * giving them anew (a proof signed now: the node takes a proof once, within its minute); then,
 * with `renew`, the subscription is made again once the connection is back, with fresh params
 * (polkadot-js would send the old, stale ones). Without `renew`, `callback` gets an error when
 * the connection drops: the subscription is over.
 */
export async function subscribe(api, type, method, unsubscribe, params, callback, { renew = false } = {}) {
	const provider = providers.get(api);
	const refused = (error) => new Failure(`The node refused ${method.replace(/^ehr_/, '')}: ${error.message || error}`);
	let id = null;
	let stopped = false;
	const open = async () => {
		const made = await provider.subscribe(type, method, typeof params === 'function' ? params() : params, callback);
		// Stopped while it was being made again: ended at once, not left running.
		if (stopped) provider.unsubscribe(type, unsubscribe, made).catch(() => {});
		else id = made;
	};
	try {
		await open();
	} catch (error) {
		throw refused(error);
	}
	const offDown = provider.on('disconnected', () => {
		if (id === null) return;
		// Forgotten here before polkadot-js sends it again on reconnecting.
		provider.unsubscribe(type, unsubscribe, id).catch(() => {});
		id = null;
		if (!renew) callback(new Failure('The connection to the node dropped.'), undefined);
	});
	const offUp = provider.on('connected', () => {
		if (!renew || stopped || id !== null) return;
		open().catch((error) => { if (!stopped) callback(refused(error), undefined); });
	});
	return () => {
		stopped = true;
		offDown();
		offUp();
		if (id !== null) provider.unsubscribe(type, unsubscribe, id).catch(() => {});
		id = null;
	};
}

/** The whole doctor directory, page by page (the node answers at most 100 at a time). */
export async function directory(api) {
	const all = [];
	for (let after = null; ;) {
		const page = await ehr(api, 'doctors', after, 100, null);
		all.push(...page);
		if (page.length < 100 || all.length >= 100_000) return all;
		after = page[page.length - 1].account;
	}
}

export const CATEGORIES = [
	['profile', 'Profile'],
	['observation', 'Vital signs and measurements'],
	['prescription', 'Prescriptions'],
	['lab-report', 'Lab reports'],
	['imaging', 'Imaging'],
	['clinical-note', 'Clinical notes and reports'],
	['document', 'Other documents'],
];
/** The metadata's name of a category (the JSON uses kebab-case). */
export const CATEGORY_VARIANT = {
	profile: 'Profile', observation: 'Observation', prescription: 'Prescription',
	'lab-report': 'LabReport', imaging: 'Imaging', 'clinical-note': 'ClinicalNote', document: 'Document',
};
export function categoryLabel(category) {
	const key = String(category).replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
	return (CATEGORIES.find(([k]) => k === key) || [key, key])[1];
}

export const PURPOSES = [
	['Treatment', 'Treatment'], ['Care', 'Care between visits'], ['Research', 'Research'],
	['Insurance', 'Insurance'], ['Other', 'Other'],
];

/** The role(s) of `address`: a member hospital, a doctor (and whether active), a patient. */
export async function roles(api, address) {
	const [members, doctor, patient, offer] = await Promise.all([
		api.query.hospitals.members(),
		api.query.identity.doctors(address),
		api.query.identity.patients(address),
		api.query.identity.doctorOffers(address),
	]);
	return {
		hospital: members.some((m) => m.toString() === address),
		doctor: doctor.isSome ? doctor.unwrap() : null,
		patient: patient.isSome ? patient.unwrap() : null,
		// A doctor's role a hospital offered this account, not yet accepted.
		offer: offer.isSome ? offer.unwrap() : null,
	};
}

/** The published encryption key of `address` (doctor or patient), proven, or null. */
