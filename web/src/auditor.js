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
import { hexToU8a, u8aEq, u8aToHex } from '@polkadot/util';
import { decodeAddress } from '@polkadot/util-crypto';
import { ehr, Failure } from './chain.js';
import { chain } from './main.js';
import { directoryNames } from './patient.js';
import { sentence } from './flows.js';
import { act, field, formatTime, h, say } from './ui.js';

const PAGE = 100;

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
		h('p', { class: 'muted' }, 'Every entry is checked in this browser against the chain\'s state with a storage proof: a node cannot hide, change, reorder or invent an entry without the check failing.'),
		form, out);
}

async function verifyTrail(app, patient) {
	const api = await chain();
	const names = await directoryNames(api).catch(() => new Map());
	names.set(patient, 'The patient');
	const lengthKey = api.query.consent.trailLength.key(patient);
	const entryType = api.query.consent.trail.creator.meta.type.asMap.value;
	const typeName = api.registry.createLookupType(entryType);
	const checks = [];
	const entries = [];
	let at = null;
	let total = null;
	let header = null;
	for (let from = 0; total === null || from < total; from += PAGE) {
		const page = await ehr(api, 'auditTrail', patient, from, PAGE, at);
		if (at === null) {
			at = page.at;
			header = await api.rpc.chain.getHeader(at);
			if (header.hash.toHex() !== at) throw new Failure(`Not verified: the node's header for block ${at} does not hash to it.`);
			if (header.number.toNumber() !== page.blockNumber) throw new Failure('Not verified: the node gave a wrong block number.');
			checks.push(`The header of block #${page.blockNumber} hashes to ${at} (computed here).`);
		} else if (page.at !== at) {
			throw new Failure('Not verified: the node answered a later page at another block.');
		}
		const keys = [lengthKey];
		const expectedCount = Math.min(PAGE, Math.max(0, Number(page.total) - from));
		for (let i = 0; i < page.entries.length; i++) keys.push(api.query.consent.trail.key(patient, from + i));
		const encodedKeys = api.createType('Vec<Bytes>', keys).toU8a();
		const encodedProof = api.createType('Vec<Bytes>', page.proof).toU8a();
		let values;
		try {
			values = api.createType('Vec<Option<Bytes>>', app.wasm.checkReadProof(header.stateRoot.toU8a(), encodedProof, encodedKeys));
		} catch (error) {
			throw new Failure(`Not verified: the storage proof does not hold (${error}). The node's answer is not the chain's state.`);
		}
		const provenTotal = values[0].isSome ? api.createType('u64', values[0].unwrap()).toNumber() : 0;
		if (provenTotal !== Number(page.total)) throw new Failure(`Not verified: the node says the trail has ${page.total} entries; the proven state says ${provenTotal}.`);
		total = provenTotal;
		if (page.entries.length !== expectedCount) throw new Failure(`Not verified: the page holds ${page.entries.length} entries where the trail has ${expectedCount} (entries left out).`);
		page.entries.forEach((sent, i) => {
			const proven = values[i + 1];
			if (sent.index !== from + i) throw new Failure(`Not verified: entry ${from + i} is missing from the page.`);
			if (proven.isNone || !u8aEq(proven.unwrap().toU8a(true), hexToU8a(sent.value))) {
				throw new Failure(`Not verified: entry ${from + i} is not the one in the chain's state.`);
			}
			entries.push({ index: from + i, entry: api.createType(typeName, proven.unwrap().toU8a(true)).toJSON() });
		});
		if (total === 0) break;
	}
	checks.push(`The trail's length (${total}) and every entry are proven against that block's state root ${header.stateRoot.toHex().slice(0, 18)}… (storage proof checked here).`);
	checks.push('The storage keys were computed here from the patient\'s account; each entry was decoded here from the proven bytes.');
	const finalized = await api.rpc.chain.getFinalizedHead();
	const finalizedHeader = await api.rpc.chain.getHeader(finalized);
	const canonical = await api.rpc.chain.getBlockHash(header.number.toNumber());
	const notes = [];
	if (canonical.toHex() === at && finalizedHeader.number.toNumber() >= header.number.toNumber()) {
		notes.push(`The node reports block #${header.number.toNumber()} as finalized. Finality itself is not verified in the browser: \`ehr audit --chain-spec\` verifies it from the chain spec.`);
	} else {
		throw new Failure('Not verified: the node\'s block is not on its own finalized chain.');
	}
	const items = entries.slice().reverse().map(({ index, entry }) =>
		h('li', {}, h('span', { class: 'check', title: 'proven' }), `#${index} `, sentence(entry, names, formatTime), ` (block #${entry.block})`));
	say(`Trail verified: ${total} entr${total === 1 ? 'y' : 'ies'}.`, true);
	return h('div', { 'data-testid': 'verified' },
		h('h3', {}, 'What was verified'), h('ul', {}, checks.map((c) => h('li', { class: 'check' }, c)), notes.map((n) => h('li', { class: 'note' }, n))),
		h('h3', {}, `The trail (${total} entries, newest first)`), items.length ? h('ol', { reversed: true }, items) : h('p', { class: 'muted' }, 'The trail is empty.'),
		h('p', { class: 'muted mono' }, `Block ${at}`));
}

export { u8aToHex };
