// The auditor's page: a patient's trail, every entry checked in this browser against the state
// root of a finalized block with the storage proof the node sends (WebAssembly: the trie proof
// check of polkadot-sdk's sp-trie), and what was verified shown next to it.
//
// Checked here: the block's header hashes to the block the node answered at; the storage keys
// are computed here from the metadata (the node's keys are not used); the proof holds against
// that header's state root for the trail's length and for every entry of the page; each entry
// is decoded here from the proven bytes, the page holds exactly the entries the proven length
// says, in order. Not checked here: that the block is final. The node says so; the `ehr audit
// --chain-spec` command verifies finality itself from the chain spec (GRANDPA).
import { bnToU8a, hexToU8a, u8aConcat, u8aEq, u8aToBn, u8aToHex } from '@polkadot/util';
import { blake2AsU8a, decodeAddress, encodeAddress, xxhashAsU8a } from '@polkadot/util-crypto';
import { ehr, Failure } from './chain.js';
import { chain } from './main.js';
import { directoryNames } from './patient.js';
import { sentence } from './flows.js';
import { act, field, formatTime, h, say } from './ui.js';

const PAGE = 100;
/** The newest final block the page accepts, as the `ehr audit` command (older: the node may be
 * hiding the newest entries, or finality is stalled). */
const MAX_AGE_MS = 10 * 60 * 1000;

// Storage keys computed here from the pallets' fixed names and hashers (as the runtime lays them
// out), not from the metadata the node serves: a node cannot point the proof at another key.
const prefix = (pallet, item) => u8aConcat(xxhashAsU8a(pallet, 128), xxhashAsU8a(item, 128));
const blake2_128Concat = (bytes) => u8aConcat(blake2AsU8a(bytes, 128), bytes);
const twox64Concat = (bytes) => u8aConcat(xxhashAsU8a(bytes, 64), bytes);
const u64 = (n) => bnToU8a(n, { bitLength: 64, isLe: true });
export const storageKeys = {
	trailLength: (patient) => u8aConcat(prefix('Consent', 'TrailLength'), blake2_128Concat(decodeAddress(patient))),
	trail: (patient, index) => u8aConcat(prefix('Consent', 'Trail'), blake2_128Concat(decodeAddress(patient)), twox64Concat(u64(index))),
	now: () => prefix('Timestamp', 'Now'),
};

/** The values of `keys` proven against `stateRoot` (null for a key proven absent). */
function proven(app, stateRoot, proof, keys) {
	const encode = (list) => app.api.createType('Vec<Bytes>', list.map((b) => u8aToHex(b))).toU8a();
	let values;
	try {
		values = app.api.createType('Vec<Option<Bytes>>', app.wasm.checkReadProof(stateRoot, encode(proof), encode(keys)));
	} catch (error) {
		throw new Failure(`Not verified: the storage proof does not hold (${error}). The node's answer is not the chain's state.`);
	}
	return values.map((v) => (v.isSome ? v.unwrap().toU8a(true) : null));
}

export async function auditorPage(app) {
	const query = new URLSearchParams((location.hash.split('?')[1]) || '');
	const who = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', value: query.get('patient') || app.session?.address || '' });
	const button = h('button', { type: 'submit' }, 'Verify the trail');
	const out = h('div', { 'aria-live': 'polite' });
	const form = h('form', { onsubmit: (e) => {
		e.preventDefault();
		act(button, 'Reading and verifying the trail', async () => {
			out.replaceChildren();
			try { decodeAddress(who.value.trim()); } catch { throw new Failure('That is not an account address.'); }
			out.append(await verifyTrail(app, who.value.trim()));
		});
	} }, field("Patient's account", who), button);
	return h('section', { class: 'card' }, h('h2', {}, 'Verify an audit trail'),
		h('p', { class: 'muted' }, 'Every entry is checked in this browser with a storage proof against the state of the newest block the node says is final: a node cannot hide, change, reorder or invent an entry of that block without the check failing.'),
		form, out);
}

async function verifyTrail(app, patient) {
	const api = await chain();
	app.api = api;
	const names = await directoryNames(api).catch(() => new Map());
	names.set(patient, 'The patient');
	const checks = [];
	const notes = [];
	// The block: the newest the node says is final, named by us (not chosen by the node's answer).
	const at = (await api.rpc.chain.getFinalizedHead()).toHex();
	const header = await api.rpc.chain.getHeader(at);
	if (header.hash.toHex() !== at) throw new Failure(`Not verified: the node's header for block ${at} does not hash to it.`);
	const number = header.number.toNumber();
	const stateRoot = header.stateRoot.toU8a();
	checks.push(`The header of block #${number} hashes to ${at} (computed here).`);
	// Its time, proven: an old block would leave out the newest entries.
	const timeProof = await api.rpc.state.getReadProof([u8aToHex(storageKeys.now())], at);
	const [rawTime] = proven(app, stateRoot, timeProof.proof.map((p) => p.toU8a(true)), [storageKeys.now()]);
	if (!rawTime) throw new Failure('Not verified: the block\'s time is not in its state.');
	const blockTime = u8aToBn(rawTime, { isLe: true }).toNumber();
	if (Date.now() - blockTime > MAX_AGE_MS) {
		throw new Failure(`Not verified: the newest final block the node offers (#${number}) is from ${formatTime(blockTime)}, more than 10 minutes ago: the node may be leaving out the newest entries, or finality is stalled.`);
	}
	checks.push(`Block #${number} was made at ${formatTime(blockTime)} (its time proven from its state), within the last 10 minutes.`);
	const entries = [];
	let total = null;
	for (let from = 0; total === null || from < total; from += PAGE) {
		const page = await ehr(api, 'auditTrail', patient, from, PAGE, at);
		if (page.at !== at) throw new Failure(`Not verified: the node answered at block ${page.at}, not at the final block ${at} it was asked for.`);
		const keys = [storageKeys.trailLength(patient)];
		for (let i = 0; i < page.entries.length; i++) keys.push(storageKeys.trail(patient, from + i));
		const values = proven(app, stateRoot, page.proof.map((p) => hexToU8a(p)), keys);
		const provenTotal = values[0] ? u8aToBn(values[0], { isLe: true }).toNumber() : 0;
		if (provenTotal !== Number(page.total)) throw new Failure(`Not verified: the node says the trail has ${page.total} entries; the proven state says ${provenTotal}.`);
		total = provenTotal;
		const expectedCount = Math.min(PAGE, Math.max(0, total - from));
		if (page.entries.length !== expectedCount) throw new Failure(`Not verified: the page holds ${page.entries.length} entries where the trail has ${expectedCount} (entries left out).`);
		page.entries.forEach((sent, i) => {
			const value = values[i + 1];
			if (sent.index !== from + i) throw new Failure(`Not verified: entry ${from + i} is missing from the page.`);
			if (!value || !u8aEq(value, hexToU8a(sent.value))) throw new Failure(`Not verified: entry ${from + i} is not the one in the chain's state.`);
			let entry;
			try {
				entry = JSON.parse(app.wasm.decodeAuditEntry(value), (key, v) => (typeof v === 'string' && /^0x[0-9a-f]{64}$/.test(v) ? encodeAddress(v, 42) : v));
			} catch (error) {
				throw new Failure(`Not verified: entry ${from + i} is not an audit entry (${error}).`);
			}
			entries.push({ index: from + i, entry });
		});
		if (total === 0) break;
	}
	checks.push(`The trail's length (${total}) and every entry are proven against that block's state root ${u8aToHex(stateRoot).slice(0, 18)}… (storage proof checked here).`);
	checks.push('The storage keys were computed here from the pallets\' names and the patient\'s account, and each entry was decoded here with the chain\'s own types (the node\'s metadata is not used).');
	notes.push(`The node says block #${number} is final. Finality itself is not verified in the browser: \`ehr audit --chain-spec\` verifies it from the chain spec (GRANDPA).`);
	notes.push('Names come from the doctor directory as the node gives it and are not proven; hover a name for its account.');
	const items = entries.slice().reverse().map(({ index, entry }) =>
		h('li', {}, h('span', { class: 'check', title: 'proven' }), `#${index} `, sentence(entry, names, formatTime), ` (block #${entry.block}, by ${entry.actor})`));
	say(`Trail verified: ${total} entr${total === 1 ? 'y' : 'ies'}.`, true);
	return h('div', { 'data-testid': 'verified' },
		h('h3', {}, 'What was verified'), h('ul', {}, checks.map((c) => h('li', { class: 'check' }, c)), notes.map((n) => h('li', { class: 'note' }, n))),
		h('h3', {}, `The trail (${total} entries, newest first)`), items.length ? h('ol', { reversed: true }, items) : h('p', { class: 'muted' }, 'The trail is empty.'),
		h('p', { class: 'muted mono' }, `Block ${at}`));
}

export { u8aToHex };
