// The doctor on call: the hospital's roster, the doctor's ringing page, the patient's call.
//
// A hospital publishes which of its doctors is on call when (`appointments.setOnCall`, replaced
// whole). A doctor on call keeps its page open: the node rings it when a patient calls the
// hospital (`ehr_onCallListen`). The patient calls the hospital (`ehr_onCallRing`): every doctor
// on call there who is online rings, the first to answer (`ehr_onCallAnswer`) takes the call
// and the others stop. The patient's app then makes the visit on chain (`onCallVisit`), tells the
// doctor its number (`ehr_onCallReady`), and gives the doctor the access the patient chose when
// calling, as a booking does (for treatment, until three days after the visit). From there the
// call is a video visit's call (visit.js).
import { stringToU8a, u8aConcat, u8aToHex, hexToU8a, bnToU8a } from '@polkadot/util';
import { decodeAddress, sr25519Verify } from '@polkadot/util-crypto';
import { CATEGORIES, Failure, directory, ehr, rpc, submit, subscribe } from './chain.js';
import { grant } from './flows.js';
import { refresh } from './session.js';
import * as verify from './verify.js';
import { act, field, formatTime, h, say, shortAddress } from './ui.js';

const HOUR = 60 * 60_000;
/** How long after an on-call visit the access given when calling lasts (as a booking's). */
const SHARE_AFTER_MS = 72 * HOUR;
/** The length of an on-call visit (the runtime's `ON_CALL_VISIT_MINUTES`). */
const VISIT_MINUTES = 30;

const u64 = (n) => bnToU8a(BigInt(n), { bitLength: 64, isLe: true });
const payload = (domain, genesis, ...parts) => u8aConcat(stringToU8a(domain), hexToU8a(genesis), ...parts);
const sign = (ctx, bytes) => u8aToHex(ctx.keys.pair.sign(bytes));
const genesisOf = (ctx) => ctx.api.genesisHash.toHex();
/**
 * What a doctor signs to answer `patient`'s call at `at`, and what the chain checks before it
 * makes the visit (as `ehr_primitives::on_call_answer_payload`).
 */
export const answerPayload = (patient, doctor, at) => u8aConcat(stringToU8a('ehr-oncall-answer:v1'),
	decodeAddress(patient), decodeAddress(doctor), u64(at));
/** How long the patient's app has to make the visit after an answer (the node's `READY_MS`). */
const READY_MS = 120_000;

/** The appointments this browser's doctor answered on call (the visit page completes them). */
export const answeredOnCall = new Set();

/** The shifts of `hospital`'s roster as plain objects `{ doctor, from, until }`. */
async function roster(api, hospital) {
	const shifts = await api.query.appointments.onCall(hospital);
	return shifts.map((s) => ({ doctor: s.doctor.toString(), from: s.from.toNumber(), until: s.until.toNumber() }));
}

// --- The hospital ---

/** The hospital's roster: who is on call when; add and remove shifts. */
export async function rosterCard(ctx) {
	const me = ctx.keys.address;
	const doctors = (await directory(ctx.api)).filter((d) => d.hospital === me);
	const name = (account) => doctors.find((d) => d.account === account)?.name || shortAddress(account);
	const now = Date.now();
	const shifts = (await roster(ctx.api, me)).filter((s) => s.until > now);
	const save = async (list, what) => {
		const call = ctx.api.tx.appointments.setOnCall(list.map((s) => ({ doctor: s.doctor, from: s.from, until: s.until })));
		await submit(ctx.api, ctx.keys.pair, call);
		say(what, true);
		await refresh();
	};
	const rows = shifts.map((s, i) => {
		const remove = h('button', { type: 'button', class: 'secondary' }, 'Remove');
		remove.addEventListener('click', () => act(remove, 'Removing the shift', () =>
			save(shifts.filter((_, j) => j !== i), `The shift of ${name(s.doctor)} is removed.`)));
		const current = s.from <= now && now < s.until;
		return h('tr', {}, h('td', {}, name(s.doctor)), h('td', {}, formatTime(s.from)), h('td', {}, formatTime(s.until)),
			h('td', {}, current ? 'On call now' : ''), h('td', {}, remove));
	});
	const who = h('select', {}, h('option', { value: '' }, 'Choose a doctor…'),
		doctors.filter((d) => !d.suspended).map((d) => h('option', { value: d.account }, d.name)));
	const from = h('input', { type: 'datetime-local' });
	const hours = h('input', { type: 'number', min: 1, max: 24, value: 8 });
	const button = h('button', { type: 'submit' }, 'Add the shift');
	const form = h('form', { onsubmit: (e) => {
		e.preventDefault();
		act(button, 'Publishing the roster', async () => {
			if (!who.value) throw new Failure('Choose a doctor.');
			const start = from.value ? new Date(from.value).getTime() : Date.now();
			const length = Number(hours.value);
			if (!(length >= 1 && length <= 24)) throw new Failure('A shift lasts 1 to 24 hours.');
			const shift = { doctor: who.value, from: start, until: start + length * HOUR };
			if (shift.until <= Date.now()) throw new Failure('This shift is over already.');
			await save([...shifts, shift], `${name(who.value)} is on call from ${formatTime(shift.from)} to ${formatTime(shift.until)}.`);
		});
	} }, field('Doctor', who), field('From (empty: now)', from), field('Hours', hours, 'At most 24 hours a shift, within the next 31 days.'), button);
	return h('section', { class: 'card', 'data-testid': 'roster' }, h('h2', {}, 'Doctors on call'),
		h('p', { class: 'muted' }, 'Patients who call the hospital ring the doctors on call who have their page open; the first to answer takes the call.'),
		rows.length ? h('table', {}, h('thead', {}, h('tr', {}, ['Doctor', 'From', 'Until', '', ''].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', {}, rows))
			: h('p', { class: 'muted' }, 'Nobody is on call.'),
		h('h3', {}, 'Put a doctor on call'), form);
}

// --- The doctor ---

/**
 * The doctor's subscription for calls: one per page load, kept across re-renders of the
 * doctor's page; its box is moved into each new render.
 */
let listening = null;

class OnCallListener {
	constructor(ctx, until) {
		this.ctx = ctx;
		this.until = until;
		this.box = h('div', { 'data-testid': 'on-call-rings', 'aria-live': 'assertive' });
		this.rings = new Map();
		this.answered = null;
	}

	async start() {
		const me = this.ctx.keys.address;
		// A proof signed now, each time: the node takes one once, so calls ring here again after
		// the connection to the node drops and comes back.
		const proof = () => {
			const at = Date.now();
			return [me, at, sign(this.ctx, payload('ehr-oncall-listen:v1', genesisOf(this.ctx), decodeAddress(me), u64(at)))];
		};
		this.stop = await subscribe(this.ctx.api, 'ehr_onCallEvent', 'ehr_onCallListen', 'ehr_onCallUnlisten',
			proof, (error, event) => {
				if (error) {
					// Listening again after the connection dropped was refused: said on the card.
					this.box.prepend(h('p', { class: 'bad', 'data-testid': 'on-call-lost' },
						`Calls no longer ring here: ${error.human || error.message}. Reload the page.`));
					return;
				}
				if (!event) return;
				if (event.ring) this.ring(event.ring);
				else if (event.stopped) this.stopped(event.stopped);
				else if (event.ready) this.ready(event.ready);
			}, { renew: true });
	}

	ring({ ring, patient }) {
		const answer = h('button', { type: 'button', 'data-testid': 'answer-call' }, 'Answer');
		const line = h('div', { class: 'ringing', 'data-ring': ring },
			h('p', {}, h('strong', {}, 'A patient is calling: '), h('span', { class: 'mono' }, shortAddress(patient))), answer);
		answer.addEventListener('click', () => act(answer, 'Answering', async () => {
			const at = Date.now();
			const me = this.ctx.keys.address;
			// The answer the chain checks: no visit is made in this doctor's name without it.
			const signature = sign(this.ctx, answerPayload(patient, me, at));
			try {
				await rpc(this.ctx.api, 'ehr_onCallAnswer', [ring, me, at, signature]);
			} catch (error) {
				line.replaceChildren(h('p', { class: 'muted' }, `Not yours: ${error.human || error.message}`));
				return;
			}
			this.answered = ring;
			line.replaceChildren(h('p', { 'data-testid': 'call-answered' }, 'You answered. The patient\'s app is making the visit; the call opens in a moment…'));
			setTimeout(() => {
				if (this.answered !== ring || !this.rings.has(ring)) return;
				this.rings.delete(ring);
				line.replaceChildren(h('p', { class: 'muted' }, 'No visit followed your answer (the patient hung up, or the chain refused it).'));
			}, READY_MS + 10_000);
		}));
		this.rings.set(ring, line);
		this.box.append(line);
	}

	stopped({ ring, answeredBy }) {
		const line = this.rings.get(ring);
		if (!line) return;
		this.rings.delete(ring);
		const mine = ring === this.answered;
		line.replaceChildren(h('p', { class: 'muted', 'data-testid': 'call-stopped' },
			answeredBy ? 'Another doctor on call answered this call.'
				: mine ? 'No visit followed your answer (the patient hung up, or the chain refused it).'
					: 'The patient hung up (or nobody answered in time).'));
		setTimeout(() => line.remove(), 10_000);
	}

	ready({ ring, appointment }) {
		if (ring !== this.answered) return;
		answeredOnCall.add(appointment);
		this.rings.delete(ring);
		location.hash = `#/visit?appointment=${appointment}&new=1`;
	}
}

/** The doctor's on-call card: on call now or not, and the calls ringing. */
export async function onCallCard(ctx, hospital) {
	const me = ctx.keys.address;
	const now = Date.now();
	const shifts = (await roster(ctx.api, hospital)).filter((s) => s.doctor === me && s.until > now);
	const current = shifts.find((s) => s.from <= now);
	const next = shifts.filter((s) => s.from > now).sort((a, b) => a.from - b.from)[0];
	const card = h('section', { class: 'card', 'data-testid': 'on-call' }, h('h2', {}, 'On call'));
	if (!current) {
		if (listening?.ctx.keys.address === me) { listening.stop?.(); listening = null; }
		card.append(h('p', { class: 'muted', 'data-testid': 'on-call-status' },
			next ? `You are not on call now; your next shift starts ${formatTime(next.from)}.` : 'You are not on call: your hospital puts you on its roster.'));
		return card;
	}
	if (!listening || listening.ctx.keys.address !== me || listening.until !== current.until) {
		listening?.stop?.();
		listening = new OnCallListener(ctx, current.until);
		try {
			await listening.start();
		} catch (error) {
			listening = null;
			card.append(h('p', { class: 'bad' }, `Calls cannot ring here: ${error.human || error.message}`));
			return card;
		}
	}
	card.append(h('p', { 'data-testid': 'on-call-status' }, `You are on call until ${formatTime(current.until)}. Patients' calls ring here while this page is open.`),
		listening.box);
	return card;
}

// --- The patient ---

let calling = null;

/** The patient's "Call a doctor now": a hospital, what to share, ringing, then the visit. */
export async function callCard(ctx, names) {
	const now = Date.now();
	const hospitals = new Map();
	for (const [key, value] of await ctx.api.query.appointments.onCall.entries()) {
		const onCallNow = value.some((s) => s.from.toNumber() <= now && now < s.until.toNumber());
		if (onCallNow) hospitals.set(key.args[0].toString(), true);
	}
	const card = h('section', { class: 'card', 'data-testid': 'call-now' }, h('h2', {}, 'Call a doctor now'));
	if (!hospitals.size) {
		card.append(h('p', { class: 'muted' }, 'No hospital has a doctor on call right now.'));
		return card;
	}
	const which = h('select', {}, [...hospitals.keys()].map((a) => h('option', { value: a }, names.get(a) || shortAddress(a))));
	const boxes = CATEGORIES.map(([value, label]) => h('label', { class: 'inline' }, h('input', { type: 'checkbox', value }), label));
	const status = h('p', { 'data-testid': 'call-progress', 'aria-live': 'polite' });
	const button = h('button', { type: 'submit' }, 'Call');
	const hangUp = h('button', { type: 'button', class: 'danger', hidden: true }, 'Hang up');
	hangUp.addEventListener('click', () => { calling?.(); calling = null; status.textContent = 'You hung up.'; hangUp.hidden = true; button.disabled = false; });
	const form = h('form', { onsubmit: (e) => {
		e.preventDefault();
		const chosen = boxes.map((b) => b.firstChild).filter((b) => b.checked).map((b) => b.value);
		button.disabled = true;
		hangUp.hidden = false;
		status.textContent = 'Calling…';
		place(ctx, which.value, chosen, status).catch((error) => {
			status.textContent = error.human || error.message;
		}).finally(() => { button.disabled = false; hangUp.hidden = true; });
	} }, field('Hospital', which), h('fieldset', {}, h('legend', {}, 'What the doctor who answers may read (until three days after the visit)'), boxes), button, hangUp);
	card.append(h('p', { class: 'muted' }, 'Every doctor on call at the hospital who is online rings; the first to answer sees you by video.'), form, status);
	return card;
}

/** Rings `hospital`; once a doctor answers, makes the visit, tells the doctor, gives access. */
async function place(ctx, hospital, categories, status) {
	const me = ctx.keys.address;
	const at = Date.now();
	const signature = sign(ctx, payload('ehr-oncall-ring:v1', genesisOf(ctx), decodeAddress(hospital), decodeAddress(me), u64(at)));
	const answered = await new Promise((resolve, reject) => {
		let stop = () => {};
		let ended = false;
		let answeredYet = false;
		const end = (fn, value) => { if (ended) return; ended = true; stop(); calling = null; fn(value); };
		subscribe(ctx.api, 'ehr_onCallRinging', 'ehr_onCallRing', 'ehr_onCallHangUp', [hospital, me, at, signature], (error, event) => {
			// The connection to the node dropped before an answer: the node hung up. (After one,
			// the visit is being made; the subscription has nothing more to say.)
			if (error) {
				if (!answeredYet) end(reject, new Failure(`${error.message} The call ended: call again.`));
				return;
			}
			if (!event) return;
			if (event.ringing) {
				if (event.ringing.doctors === 0) end(reject, new Failure('No doctor on call is online at this hospital right now: try again in a moment, or book an appointment.'));
				else status.textContent = `Ringing ${event.ringing.doctors} doctor${event.ringing.doctors === 1 ? '' : 's'} on call…`;
			} else if (event.answered) {
				answeredYet = true;
				resolve({ ...event.answered, stop: () => stop(), hungUp: () => ended });
			} else if (event.noAnswer) {
				end(reject, new Failure('Nobody answered within a minute: try again, or book an appointment.'));
			}
		}).then((s) => { stop = s; calling = () => end(reject, new Failure('You hung up.')); if (ended) s(); }, (error) => end(reject, error));
	});
	const { ring, doctor, answeredAt, answer } = answered;
	try {
		// The doctor as the chain's state holds it, proven, of the hospital called, and its own
		// signed answer to this patient: a node cannot put another account in the call.
		const entry = await verify.doctor(ctx.api, doctor);
		if (!entry || entry.status !== 'active' || entry.hospital !== hospital) throw new Failure('The node named as the answering doctor an account the chain shows no active doctor of this hospital for: no visit was made.');
		if (!sr25519Verify(answerPayload(me, doctor, answeredAt), answer, decodeAddress(doctor))) {
			throw new Failure('The answer the node passed on is not the doctor\'s signature: no visit was made. Call again, or use another node (Connection).');
		}
		const title = `Dr ${entry.name.replace(/^Dr\.? /, '')}`;
		// The patient hung up while the answer was being checked: no visit.
		if (answered.hungUp()) throw new Failure('You hung up.');
		status.textContent = `${title} answered. Opening the visit…`;
		// In a block is enough for the node to let the two meet; finality follows.
		const visit = ctx.api.tx.appointments.onCallVisit(doctor, answeredAt, { Sr25519: answer });
		const { events } = await submit(ctx.api, ctx.keys.pair, visit, { wait: 'inBlock' });
		const made = events.find(({ event }) => ctx.api.events.appointments.AppointmentChanged.is(event));
		if (!made) throw new Failure('The visit was made but the node did not report its number: see "My appointments".');
		const appointment = made.event.data[0].toNumber();
		const readyAt = Date.now();
		const readySignature = sign(ctx, payload('ehr-oncall-ready:v1', genesisOf(ctx), u64(ring), u64(appointment), decodeAddress(me), u64(readyAt)));
		try {
			await rpc(ctx.api, 'ehr_onCallReady', [ring, appointment, me, readyAt, readySignature]);
		} catch (error) {
			// The doctor cannot be told: the visit is cancelled rather than left open.
			const cancelled = await submit(ctx.api, ctx.keys.pair, ctx.api.tx.appointments.cancel(appointment))
				.then(() => 'it was cancelled', (e) => `cancelling it failed too (${e.human || e.message}): cancel appointment ${appointment} under "My appointments"`);
			throw new Failure(`The doctor could not be told the visit's number (${error.human || error.message}); ${cancelled}. Call again.`);
		}
		status.textContent = `${title} answered: the visit is appointment ${appointment}.`;
		if (categories.length) shareFor(ctx, doctor, entry, categories, readyAt + VISIT_MINUTES * 60_000 + SHARE_AFTER_MS);
		location.hash = `#/visit?appointment=${appointment}&new=1`;
	} finally {
		answered.stop();
	}
}

/** Gives the doctor who answered what the patient chose, as a booking does; said when done. */
function shareFor(ctx, doctor, entry, categories, until) {
	(async () => {
		const grants = await ehr(ctx.api, 'patientGrants', ctx.keys.address, null);
		if (grants.some((g) => g.grantee === doctor)) {
			say('You had given this doctor access before: it was left as it is.', true);
			return;
		}
		const done = await grant(ctx, doctor, categories, 'Read', until, 'Treatment', entry.encryptionKey);
		say(`The doctor on call may read what you chose until ${formatTime(until)} (${done.shared} record key(s) shared).`, true);
	})().catch((error) => say(`The access you chose could not be given (${error.human || error.message}): give it under "Who may see my records".`));
}
