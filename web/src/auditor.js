// The auditor's page: a patient's trail verified in this browser, and what was verified shown
// next to it. The page follows GRANDPA finality from the app's chain spec itself (verify.js:
// the `ehr audit --chain-spec` command's own checks, in WebAssembly), asks the node for the
// trail at the newest block it verified final, and checks every page with the storage proof
// the node sends against that block's state root: the storage keys are computed here from the
// pallets' layout, the trail's length is proven, each entry is the proven value, decoded here
// with the chain's own types, none missing, none added.
import { decodeAddress, encodeAddress } from '@polkadot/util-crypto';
import { ehr, Failure } from './chain.js';
import { chain } from './session.js';
import { directoryNames } from './patient.js';
import { sentence } from './flows.js';
import { act, field, formatTime, h, say } from './ui.js';
import * as verify from './verify.js';

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
		h('p', { class: 'muted' }, 'Every entry is checked in this browser with a storage proof against the state of the newest block this browser verified final itself (GRANDPA, from the chain spec): a node cannot hide, change, reorder or invent an entry without the check failing.'),
		form, out);
}

async function verifyTrail(app, patient) {
	const api = await chain();
	const names = await directoryNames(api).catch(() => new Map());
	names.set(patient, 'The patient');
	const checks = [];
	const notes = [];
	// The block: the newest this browser verified final, followed from the chain spec.
	const view = await verify.verified(api);
	checks.push(`Block #${view.number} (${view.hash.slice(0, 18)}…) is final: this browser followed the GRANDPA justifications from the chain's genesis in the app's chain spec, each signed by more than two thirds of the hospitals' finality keys (${view.authorities}), every header linked to the one before.`);
	checks.push(`Block #${view.number} was made at ${formatTime(view.time)} (its time proven from its state), within the last 10 minutes: the node is not hiding newer blocks.`);
	const entries = [];
	let total = null;
	for (let from = 0; total === null || from < total; from += PAGE) {
		const answer = await ehr(api, 'auditTrail', patient, from, PAGE, view.hash);
		const page = verify.trailPage(view, patient, from, PAGE, answer);
		total = page.total;
		for (const { index, entry } of page.entries) {
			entries.push({ index, entry: JSON.parse(JSON.stringify(entry), (key, v) => (typeof v === 'string' && /^0x[0-9a-f]{64}$/.test(v) ? encodeAddress(v, 42) : v)) });
		}
		if (total === 0) break;
	}
	checks.push(`The trail's length (${total}) and every entry are proven against that block's state root (storage proof checked here).`);
	checks.push('The storage keys were computed here from the pallets\' layout and the patient\'s account, and each entry was decoded here with the chain\'s own types (the node\'s metadata is not used).');
	notes.push('Names come from the doctor directory as the node gives it and are not proven; hover a name for its account.');
	const items = entries.slice().reverse().map(({ index, entry }) =>
		h('li', {}, h('span', { class: 'check', title: 'proven' }), `#${index} `, sentence(entry, names, formatTime), ` (block #${entry.block}, by ${entry.actor})`));
	say(`Trail verified: ${total} entr${total === 1 ? 'y' : 'ies'}.`, true);
	return h('div', { 'data-testid': 'verified' },
		h('h3', {}, 'What was verified'), h('ul', {}, checks.map((c) => h('li', { class: 'check' }, c)), notes.map((n) => h('li', { class: 'note' }, n))),
		h('h3', {}, `The trail (${total} entries, newest first)`), items.length ? h('ol', { reversed: true }, items) : h('p', { class: 'muted' }, 'The trail is empty.'),
		h('p', { class: 'muted mono' }, `Block ${view.hash}`));
}
