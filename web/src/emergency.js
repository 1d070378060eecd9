// Emergencies in the browser, as the `ehr` command has them (docs/guides/custodian.md):
// - the patient chooses the categories openable in an emergency, and the keys of those records
//   are escrowed as threshold shares for the hospitals' escrow committee, which is proven
//   against a verified block first (a node answering a committee of its own would get the
//   shares); new records are escrowed as they are added;
// - the patient sees who opened emergency access and may end it;
// - a doctor opens emergency access with a coded reason and, optionally, a note kept off chain
//   (the chain keeps the SHA-256 of a fresh salt and the note; the salt is shown to keep with
//   the note for the hospital's review), and opens the patient's openable records with the
//   shares the custodians release (flows.open).
import { u8aConcat, u8aToHex, hexToU8a } from '@polkadot/util';
import { CATEGORIES, CATEGORY_VARIANT, Failure, categoryLabel, ehr, submit } from './chain.js';
import * as verify from './verify.js';
import { act, field, formatTime, h, say, shortAddress } from './ui.js';

/** The coded reasons the chain keeps (`EmergencyReason`). */
export const REASONS = [
	['Unconscious', 'The patient is unconscious'],
	['LifeThreatening', 'The patient\'s life is in danger now'],
	['CannotCommunicate', 'The patient cannot communicate, and no delegate is there'],
	['UrgentTreatment', 'Treatment that cannot wait for consent'],
	['Other', 'Another emergency (say which in the note)'],
];
/** The categories suggested as openable (as `ehr patient register`). */
const SUGGESTED = ['profile', 'prescription', 'lab-report'];
/** Records escrowed per transaction (as `ehr emergency sync`). */
const ESCROWS_PER_TRANSACTION = 16;
const STANZA = 81;

/** The escrow committee and `patient`'s openable categories, proven. */
export const escrowState = (api, patient) => verify.escrow(api, patient);

/**
 * The escrow of the record `written` describes (`{ patient, category, author, commitment }`,
 * the commitment hex or bytes), from its key wrapped for this user (`stanza`):
 * `[epoch, [[hospital, share], …]]`, as `escrow_key` and the upload take it. The shares are
 * wrapped with the record's patient, category, author and commitment, not its number.
 */
function escrowShares(ctx, escrow, written, stanza) {
	const committee = u8aConcat(...escrow.committee.map((m) => hexToU8a(m.key)));
	const { patient, category, author, commitment } = written;
	const bytes = typeof commitment === 'string' ? hexToU8a(commitment) : commitment;
	const shares = ctx.keys.encryption.escrowShares(stanza, verify.hexAccount(patient), category,
		verify.hexAccount(author), bytes, committee, escrow.threshold);
	return [escrow.epoch, escrow.committee.map((m, i) =>
		[verify.ss58(m.hospital), u8aToHex(shares.slice(i * STANZA, (i + 1) * STANZA))])];
}

/**
 * The escrow a new record of `category` for `patient`, signed by this user, carries in the
 * transaction that adds it (its commitment and content key wrapped for this user: `stanza`), or
 * null if the category is not openable for the patient or there is no committee.
 */
export async function escrowForUpload(ctx, patient, category, commitment, stanza) {
	const escrow = await escrowState(ctx.api, patient);
	if (!escrow.committee.length || !escrow.openable.includes(category)) return null;
	return escrowShares(ctx, escrow, { patient, category, author: ctx.keys.address, commitment }, stanza);
}

/**
 * Escrows every record of the signed-in patient in an openable category not yet escrowed by the
 * patient for the current committee (older records, records a doctor wrote, all of them after
 * the committee changed), as `ehr emergency sync`. Resolves to the number escrowed.
 */
export async function escrowSync(ctx, progress) {
	const me = ctx.keys.address;
	const escrow = await escrowState(ctx.api, me);
	if (!escrow.committee.length || !escrow.openable.length) return 0;
	const first = verify.ss58(escrow.committee[0].hospital);
	const calls = [];
	const view = await verify.verified(ctx.api);
	for (const listed of await ehr(ctx.api, 'patientRecords', me, null, null)) {
		if (listed.erased || !escrow.openable.includes(listed.category)) continue;
		// The node's list names the records; what is escrowed is decided on the proven record
		// and its proven escrow (escrowed by the patient for this committee: nothing to do).
		const record = await verify.record(ctx.api, listed.id, me, view);
		if (!record?.wrappedKey || record.erased || record.patient !== me || !escrow.openable.includes(record.category)) continue;
		const done = await verify.escrowed(ctx.api, listed.id, first, view);
		if (done.by === me && done.epoch === escrow.epoch) continue;
		const [epoch, shares] = escrowShares(ctx, escrow, { patient: me, category: record.category,
			author: record.author, commitment: record.contentHash }, hexToU8a(record.wrappedKey));
		calls.push(ctx.api.tx.escrow.escrowKey(listed.id, epoch, shares));
	}
	for (let i = 0; i < calls.length; i += ESCROWS_PER_TRANSACTION) {
		await submit(ctx.api, ctx.keys.pair, ctx.api.tx.utility.batchAll(calls.slice(i, i + ESCROWS_PER_TRANSACTION)));
		progress?.(Math.min(i + ESCROWS_PER_TRANSACTION, calls.length), calls.length);
	}
	return calls.length;
}

/** The open emergency accesses to `patient`'s records (patient, doctor, access), from the node. */
async function accessesTo(api, patient) {
	const open = [];
	for (const [key, value] of await api.query.consent.emergencyAccesses.entries(patient)) {
		const access = value.unwrap();
		if (access.expiresAt.toNumber() > Date.now()) open.push({ doctor: key.args[1].toString(), access });
	}
	return open;
}

/** The patients a doctor holds open emergency access to, from the node. */
export async function emergencyPatients(api, doctor) {
	const patients = [];
	for (const [key, value] of await api.query.consent.emergencyAccesses.entries()) {
		const [patient, holder] = key.args.map((a) => a.toString());
		if (holder === doctor && value.unwrap().expiresAt.toNumber() > Date.now()) patients.push(patient);
	}
	return patients;
}

/** The patient's card: what is openable in an emergency, and who opened emergency access. */
export async function patientEmergencyCard(ctx, names) {
	const me = ctx.keys.address;
	const escrow = await escrowState(ctx.api, me);
	const chosen = escrow.openable.length ? escrow.openable : [];
	const boxes = CATEGORIES.map(([value, label]) => h('label', { class: 'inline' },
		h('input', { type: 'checkbox', value, ...(chosen.includes(value) ? { checked: '' } : {}) }), label));
	const progress = h('p', { class: 'muted', 'aria-live': 'polite' });
	const button = h('button', { type: 'submit' }, 'Save and escrow my keys');
	const form = h('form', { onsubmit: (e) => {
		e.preventDefault();
		act(button, 'Saving your emergency choice', async () => {
			const categories = boxes.map((b) => b.firstChild).filter((b) => b.checked).map((b) => b.value);
			await submit(ctx.api, ctx.keys.pair, ctx.api.tx.escrow.setEmergencyCategories(me, categories.map((c) => CATEGORY_VARIANT[c])));
			// The keys are escrowed for the choice as the chain's state (verified here) holds it:
			// wait for a verified block that shows it, not a view from before the transaction.
			await verify.confirmed(ctx.api, async (view) => {
				const { openable } = await verify.escrow(ctx.api, me, view);
				return openable.length === categories.length && categories.every((c) => openable.includes(c));
			}, (number) => `The node reported your choice, but the chain's state at block #${number} (verified here) does not show it. Use another node (Connection) and save again.`);
			const escrowed = categories.length ? await escrowSync(ctx, (done, total) => { progress.textContent = `Escrowed ${done} of ${total} record key(s)…`; }) : 0;
			say(categories.length
				? `Saved: ${categories.map((c) => categoryLabel(c).toLowerCase()).join(', ')} can be opened in an emergency. ${escrowed} record key(s) escrowed for the hospitals' committee.`
				: 'Saved: nothing can be opened in an emergency.', true);
		});
	} }, h('fieldset', {}, h('legend', {}, 'Openable in an emergency'), boxes),
	h('p', { class: 'muted' }, escrow.committee.length
		? `The keys of these records are split among ${escrow.committee.length} hospital(s) of the escrow committee; ${escrow.threshold} of them together can open a record, only for a doctor with open emergency access, and each release is in your trail. Suggested: ${SUGGESTED.map((c) => categoryLabel(c).toLowerCase()).join(', ')}.`
		: 'The hospitals have not named an escrow committee yet: nothing can be escrowed.'),
	progress, button);
	const accesses = await accessesTo(ctx.api, me);
	const list = accesses.length ? h('ul', { 'data-testid': 'emergency-accesses' }, accesses.map(({ doctor, access }) => {
		const end = h('button', { type: 'button', class: 'danger' }, 'End it');
		end.addEventListener('click', () => act(end, 'Ending the emergency access', async () => {
			await submit(ctx.api, ctx.keys.pair, ctx.api.tx.consent.endEmergencyAccess(me, doctor));
			say(`The emergency access of ${names.get(doctor) || doctor} is ended: the key shares released for it leave the chain.`, true);
			end.closest('li').remove();
		}));
		return h('li', {}, `${names.get(doctor) || shortAddress(doctor)} opened emergency access on ${formatTime(access.openedAt.toNumber())} (${reasonLabel(access.code.toString())}); it closes by itself on ${formatTime(access.expiresAt.toNumber())}. `, end);
	})) : h('p', { class: 'muted' }, 'No one has emergency access to your records.');
	return h('section', { class: 'card' }, h('h2', {}, 'In an emergency'), form, h('h3', {}, 'Emergency accesses'), list);
}

function reasonLabel(code) {
	return (REASONS.find(([variant]) => variant === code) || [code, code])[1];
}

/** The note commitment the chain keeps: SHA-256 of a fresh 32-byte salt followed by the note. */
async function commitNote(note) {
	const salt = crypto.getRandomValues(new Uint8Array(32));
	const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', u8aConcat(salt, new TextEncoder().encode(note))));
	return { salt: u8aToHex(salt), commitment: u8aToHex(digest) };
}

/** The doctor's card: open emergency access to a patient, with its reason. */
export function doctorEmergencyCard(ctx, opened) {
	const patient = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
	const reason = h('select', {}, REASONS.map(([value, label]) => h('option', { value }, label)));
	const note = h('textarea', { 'aria-describedby': 'note-hint' });
	const button = h('button', { type: 'submit', class: 'danger' }, 'Open emergency access');
	const form = h('form', { onsubmit: (e) => {
		e.preventDefault();
		act(button, 'Opening emergency access', async () => {
			const who = patient.value.trim();
			try { verify.hexAccount(who); } catch { throw new Failure('That is not an account address.'); }
			const committed = note.value.trim() ? await commitNote(note.value.trim()) : null;
			const included = await submit(ctx.api, ctx.keys.pair, ctx.api.tx.consent.openEmergencyAccess(who, reason.value, committed?.commitment ?? null));
			const event = included.events.find(({ event: ev }) => ctx.api.events.consent.EmergencyAccessOpened?.is(ev));
			const until = event?.event.data.expiresAt ? ` until ${formatTime(event.event.data.expiresAt.toNumber())}` : '';
			say(`Emergency access to ${shortAddress(who)} is open${until}; it is in the patient's trail and your hospital reviews it. The hospitals' custodians now release the keys of the records the patient made openable.${committed ? ` Keep this salt with your note for the review: ${committed.salt}` : ''}`, true);
			patient.value = '';
			note.value = '';
			await opened?.(who);
		});
	} }, field("Patient's account", patient), field('Reason', reason),
	field('Note (optional, kept off the chain)', note), h('p', { id: 'note-hint', class: 'muted' }, 'Only a commitment to the note goes on chain; keep the note and the salt shown for your hospital\'s review.'), button);
	return h('section', { class: 'card' }, h('h2', {}, 'Emergency access (break-glass)'),
		h('p', {}, 'For a patient who cannot give consent: every emergency access is in the patient\'s trail, reviewed by your hospital, limited in number, and closes by itself after 24 hours.'), form);
}

/**
 * The content of record `record` opened with the key shares released to this doctor for an
 * open emergency access (the envelope fetched with `fetch()` only then), or null if the doctor
 * holds no such access.
 */
export async function openReleased(ctx, record, fetch) {
	const me = ctx.keys.address;
	const access = await ctx.api.query.consent.emergencyAccesses(record.patient, me);
	if (access.isNone || access.unwrap().expiresAt.toNumber() <= Date.now()) return null;
	const released = await ctx.api.query.escrow.released(record.patient, me, record.id);
	const current = released.isSome && released.unwrap().openedAt.eq(access.unwrap().openedAt) ? released.unwrap() : null;
	if (!current) {
		const escrow = await escrowState(ctx.api, record.patient);
		throw new Failure(escrow.openable.includes(record.category)
			? `Record ${record.id} holds no key for you; you have emergency access, but no key shares have been released yet: the hospitals' custodians release them within a few blocks of the emergency access; try again shortly.`
			: `Record ${record.id} holds no key for you; you have emergency access, but the patient did not make ${categoryLabel(record.category).toLowerCase()} openable in an emergency.`);
	}
	const stanzas = u8aConcat(...current.shares.map(([, stanza]) => stanza.toU8a(true)));
	const sealed = await fetch();
	try {
		return ctx.keys.encryption.openWithShares(stanzas, current.threshold.toNumber(), record.id,
			verify.hexAccount(record.patient), verify.hexAccount(me), sealed, hexToU8a(record.contentHash));
	} catch (error) {
		throw new Failure(`Record ${record.id} holds no key for you; you have emergency access, but ${error}`);
	}
}
