// Appointments: the patient books a doctor's free time from a calendar, answers a proposed new
// time, cancels; the doctor publishes and withdraws free times, confirms, proposes another time,
// completes, marks a no-show, cancels. Everything is a transaction of the appointments pallet;
// the history is on chain and in the patient's trail.
import { Failure, ehr, submit, directory } from './chain.js';
import { send } from './messages.js';
import { joinable, visitText } from './visit.js';
import { refresh } from './session.js';
import { act, field, formatTime, h, say, shortAddress } from './ui.js';

const DAY = 24 * 60 * 60 * 1000;
const STATUS = { requested: 'Requested', confirmed: 'Confirmed', cancelled: 'Cancelled', completed: 'Completed', 'no-show': 'Missed' };
const KIND = { 'in-person': 'in person', video: 'video' };
const open = (a) => a.status === 'requested' || a.status === 'confirmed';

function dayLabel(ms) {
	return new Date(ms).toLocaleDateString(undefined, { weekday: 'long', day: 'numeric', month: 'long' });
}

function timeLabel(ms) {
	return new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** A link to the call of a video visit that can be joined now. */
function joinLink(a) {
	return joinable(a) ? h('a', { class: 'button', href: `#/visit?appointment=${a.id}` }, 'Join the video call') : null;
}

/** A row of buttons, each running one transaction with its success message. */
function actions(ctx, list) {
	return list.filter(Boolean).map(([label, what, call, done, cls]) => {
		const button = h('button', { type: 'button', class: cls || 'secondary' }, label);
		button.addEventListener('click', () => act(button, what, async () => {
			await submit(ctx.api, ctx.keys.pair, call());
			say(done, true);
			await refresh();
		}));
		return button;
	});
}

// --- The patient ---

export async function patientAppointments(ctx, names) {
	const mine = (await ehr(ctx.api, 'patientAppointments', ctx.keys.address, null))
		.sort((a, b) => b.start - a.start);
	const rows = mine.map((a) => {
		const buttons = open(a) ? actions(ctx, [
			a.proposedSlot != null && ['Accept the new time', 'Accepting', () => ctx.api.tx.appointments.answerReschedule(a.id, true), 'The appointment moved to the new time.', ''],
			a.proposedSlot != null && ['Keep the old time', 'Declining', () => ctx.api.tx.appointments.answerReschedule(a.id, false), 'You kept the original time.'],
			['Cancel', 'Cancelling', () => ctx.api.tx.appointments.cancel(a.id), 'The appointment is cancelled.', 'danger'],
		]) : [];
		return h('tr', {}, h('td', {}, `${formatTime(a.start)} (${a.durationMinutes} min, ${KIND[a.kind] || a.kind})`),
			h('td', {}, names.get(a.doctor) || shortAddress(a.doctor)),
			h('td', {}, STATUS[a.status] || a.status, a.proposedSlot != null ? h('div', { class: 'muted' }, 'The doctor proposes another time') : null,
				a.visit ? h('div', { class: 'muted' }, visitText(a.visit)) : null),
			h('td', {}, joinLink(a), buttons));
	});
	const doctors = (await directory(ctx.api)).filter((d) => !d.suspended);
	const who = h('select', {}, h('option', { value: '' }, 'Choose a doctor…'),
		doctors.map((d) => h('option', { value: d.account }, `${names.get(d.account) || d.name} — ${d.specialty}`)));
	const calendar = h('div', { 'aria-live': 'polite' });
	// The reason goes to the doctor as a message once the booking holds (an open appointment
	// lets the two write to each other): encrypted for the two of them, never on chain.
	const reason = h('textarea', { 'aria-describedby': 'reason-hint' });
	who.addEventListener('change', () => showFreeTimes(ctx, who.value, calendar, reason));
	return h('section', { class: 'card' }, h('h2', {}, 'My appointments'),
		rows.length ? h('table', {}, h('thead', {}, h('tr', {}, ['When', 'Doctor', 'Status', ''].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', {}, rows))
			: h('p', { class: 'muted' }, 'No appointments.'),
		h('h3', {}, 'Book an appointment'), field('Doctor to see', who),
		field('Reason for the visit (optional)', reason), h('p', { id: 'reason-hint', class: 'muted' }, 'Sent to the doctor as an encrypted message when you book: only the two of you can read it.'),
		calendar);
}

async function showFreeTimes(ctx, doctor, calendar, reason) {
	calendar.replaceChildren();
	if (!doctor) return;
	const now = Date.now();
	const slots = await ehr(ctx.api, 'freeSlots', doctor, now, now + 28 * DAY, null);
	if (!slots.length) {
		calendar.append(h('p', { class: 'muted' }, 'This doctor has no free time in the next four weeks.'));
		return;
	}
	const days = new Map();
	for (const slot of slots.sort((a, b) => a.start - b.start)) {
		const key = new Date(slot.start).toDateString();
		if (!days.has(key)) days.set(key, []);
		days.get(key).push(slot);
	}
	calendar.append(h('p', {}, 'Free times (choose one to book):'));
	for (const list of days.values()) {
		calendar.append(h('div', { class: 'day', role: 'group', 'aria-label': dayLabel(list[0].start) },
			h('h4', {}, dayLabel(list[0].start)),
			list.map((slot) => {
				const button = h('button', { type: 'button', class: 'secondary', 'data-slot': slot.id }, `${timeLabel(slot.start)} · ${slot.durationMinutes} min · ${KIND[slot.kind] || slot.kind}`);
				button.addEventListener('click', () => act(button, 'Booking', async () => {
					await submit(ctx.api, ctx.keys.pair, ctx.api.tx.appointments.book(slot.id, null));
					let sent = '';
					if (reason.value.trim()) {
						try {
							await send(ctx, doctor, `Reason for the visit on ${formatTime(slot.start)}: ${reason.value.trim()}`, '', ctx.keys.address, slot.id);
							sent = ' Your reason was sent to the doctor (encrypted, in the doctor\'s messages).';
							reason.value = '';
						} catch (error) {
							sent = ` Your reason could not be sent (${error.human || error.message}): send it under "Messages".`;
						}
					}
					say(`Booked for ${formatTime(slot.start)}. The doctor confirms it.${sent}`, true);
					if (!reason.value) await refresh();
				}));
				return button;
			})));
	}
}

// --- The doctor ---

export async function doctorAppointments(ctx, names) {
	const me = ctx.keys.address;
	const now = Date.now();
	const schedule = await ehr(ctx.api, 'doctorSchedule', me, now, now + 60 * DAY, null);
	const free = schedule.filter((s) => s.heldBy == null).sort((a, b) => a.start - b.start);
	const appointments = (await ehr(ctx.api, 'doctorAppointments', me, null)).filter(open).sort((a, b) => a.start - b.start);
	const rows = appointments.map((a) => {
		const move = h('select', { 'aria-label': 'Another free time' }, h('option', { value: '' }, 'Propose another time…'),
			free.map((s) => h('option', { value: s.id }, formatTime(s.start))));
		const propose = h('button', { type: 'button', class: 'secondary' }, 'Propose');
		propose.addEventListener('click', () => act(propose, 'Proposing a new time', async () => {
			if (!move.value) throw new Failure('Choose one of your free times first.');
			await submit(ctx.api, ctx.keys.pair, ctx.api.tx.appointments.proposeReschedule(a.id, Number(move.value)));
			say('New time proposed: the patient accepts or keeps the old one.', true);
			await refresh();
		}));
		return h('tr', {}, h('td', {}, formatTime(a.start)), h('td', {}, names.get(a.patient) || shortAddress(a.patient)),
			h('td', {}, STATUS[a.status], a.visit ? h('div', { class: 'muted' }, visitText(a.visit)) : null),
			h('td', {}, joinLink(a), actions(ctx, [
				a.status === 'requested' && ['Confirm', 'Confirming', () => ctx.api.tx.appointments.confirm(a.id), 'Confirmed.', ''],
				['Completed', 'Completing', () => ctx.api.tx.appointments.complete(a.id), 'Marked completed.'],
				['No-show', 'Marking a no-show', () => ctx.api.tx.appointments.markNoShow(a.id), 'Marked as missed.'],
				['Cancel', 'Cancelling', () => ctx.api.tx.appointments.cancel(a.id), 'Cancelled: the patient sees it.', 'danger'],
			]), free.length ? h('div', {}, move, propose) : null));
	});
	const start = h('input', { type: 'datetime-local' });
	const minutes = h('input', { type: 'text', inputmode: 'numeric', value: '30' });
	const kind = h('select', {}, h('option', { value: 'InPerson' }, 'In person'), h('option', { value: 'Video' }, 'Video'));
	const button = h('button', { type: 'submit' }, 'Publish the free time');
	const form = h('form', { onsubmit: (e) => {
		e.preventDefault();
		act(button, 'Publishing', async () => {
			const when = new Date(start.value).getTime();
			if (!start.value || Number.isNaN(when)) throw new Failure('Choose the day and time.');
			if (when <= Date.now()) throw new Failure('That time is in the past.');
			const length = Number(minutes.value);
			if (!Number.isInteger(length) || length <= 0) throw new Failure('The length is a number of minutes.');
			await submit(ctx.api, ctx.keys.pair, ctx.api.tx.appointments.publishSlot(when, length, kind.value));
			say(`Free time published: ${formatTime(when)}.`, true);
			await refresh();
		});
	} }, field('Starts', start), field('Length (minutes)', minutes), field('Kind of visit', kind), button);
	const freeList = free.length ? h('ul', {}, free.map((s) => h('li', {}, `${formatTime(s.start)} · ${s.durationMinutes} min `,
		actions(ctx, [['Withdraw', 'Withdrawing', () => ctx.api.tx.appointments.withdrawSlot(s.id), 'Free time withdrawn.', 'danger']]))))
		: h('p', { class: 'muted' }, 'No free times published.');
	return h('section', { class: 'card' }, h('h2', {}, 'Appointments'),
		appointments.length ? h('table', {}, h('thead', {}, h('tr', {}, ['When', 'Patient', 'Status', ''].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', {}, rows))
			: h('p', { class: 'muted' }, 'No open appointments.'),
		h('h3', {}, 'My free times'), freeList, h('h3', {}, 'Publish a free time'), form);
}
