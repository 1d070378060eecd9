// The doctor's page: publish the encryption key, my patients and each one's records (opened with
// every check, the read logged on chain first), and a prescription or report written for a
// patient who gave write access.
import { u8aToHex } from '@polkadot/util';
import { encryptionKey } from './verify.js';
import { ehr, submit, Failure } from './chain.js';
import { fingerprint, pin, pinned } from './keys.js';
import { upload } from './flows.js';
import { context, refresh, refreshRoles } from './session.js';
import { directoryNames, recordTable, trailCard } from './patient.js';
import { doctorAppointments } from './appointments.js';
import { onCallCard } from './oncall.js';
import { doctorEmergencyCard, emergencyPatients } from './emergency.js';
import { messagesCard } from './messages.js';
import { patientNames } from './names.js';
import { act, field, h, say, shortAddress } from './ui.js';

export async function doctorPage(app) {
	const ctx = await context();
	const doctor = app.roles.doctor;
	if (!doctor && app.roles.offer) return offerCard(ctx, app.roles.offer);
	if (!doctor) return h('section', { class: 'card' }, h('h2', {}, 'Doctor'), h('p', {}, 'This account is not a verified doctor. A member hospital offers the role; you accept it here.'));
	const root = h('div');
	const name = new TextDecoder().decode(doctor.name.toU8a(true));
	root.append(h('section', { class: 'card' }, h('h2', {}, `Dr ${name.replace(/^Dr\.? /, '')}`),
		h('p', { class: 'muted' }, `${new TextDecoder().decode(doctor.specialty.toU8a(true))} · account ${ctx.keys.address}`),
		h('p', {}, 'Your key fingerprint: ', h('strong', { 'data-testid': 'own-fingerprint' }, fingerprint(ctx.keys.publicKey)),
			h('span', { class: 'muted' }, ' (patients compare it with theirs before sharing)')),
		doctor.status.isSuspended ? h('p', { class: 'bad' }, 'Your hospital has suspended you: you cannot read or write records.') : null));
	if (doctor.encryptionKey.isNone) {
		const button = h('button', { type: 'button' }, 'Publish my encryption key');
		button.addEventListener('click', () => act(button, 'Publishing your encryption key', async () => {
			await submit(ctx.api, ctx.keys.pair, ctx.api.tx.identity.setEncryptionKey(u8aToHex(ctx.keys.publicKey)));
			await refreshRoles();
			say('Your encryption key is published: patients can now share their records with you.', true);
			await refresh();
		}));
		root.append(h('section', { class: 'card' }, h('h2', {}, 'Before patients can share with you'),
			h('p', {}, 'Publish your encryption key: records are encrypted for it, and only this key can open them.'), button));
		return root;
	}
	const patients = await ehr(ctx.api, 'doctorPatients', ctx.keys.address, null);
	const urgent = (await emergencyPatients(ctx.api, ctx.keys.address)).filter((p) => !patients.includes(p));
	// Patients by the name of their profile where the doctor may read it (a logged read).
	const names = await patientNames(ctx, patients, await directoryNames(ctx.api));
	const label = (p) => names.get(p) || p;
	const select = h('select', {}, h('option', { value: '' }, patients.length + urgent.length ? 'Choose a patient…' : 'No patient has given you access'),
		patients.map((p) => h('option', { value: p }, label(p))), urgent.map((p) => h('option', { value: p }, `${label(p)} (emergency access)`)));
	// "My patients" searched by name or address: the list keeps the options that match.
	const search = h('input', { type: 'search', placeholder: 'Name or address', autocomplete: 'off' });
	search.addEventListener('input', () => {
		const wanted = search.value.trim().toLowerCase();
		for (const option of select.options) {
			if (option.value) option.hidden = Boolean(wanted) && !option.textContent.toLowerCase().includes(wanted);
		}
	});
	const view = h('div');
	select.addEventListener('change', async () => {
		view.replaceChildren();
		if (!select.value) return;
		try {
			view.append(await patientView(ctx, select.value, names));
		} catch (error) {
			say(error.human || error.message);
		}
	});
	root.append(h('section', { class: 'card' }, h('h2', {}, 'My patients'), field('Find a patient', search), field('Patient', select),
		!patients.some((p) => names.has(p)) ? null : h('p', { class: 'muted' }, 'Names come from the profiles your patients let you read; reading them is in their trails.'), view),
		await onCallCard(ctx, doctor.hospital.toString()),
		doctorEmergencyCard(ctx, () => refresh()),
		await messagesCard(ctx, names, patients.map((p) => [p, label(p)]), true),
		await doctorAppointments(ctx, names));
	return root;
}

/**
 * A hospital offered this account a doctor's role: nothing is shared with it until the doctor
 * accepts, naming that hospital and publishing the encryption key in the same transaction (or
 * declines). The hospital is named from the chain's own list of hospital names.
 */
async function offerCard(ctx, offer) {
	const hospital = offer.hospital.toString();
	const named = await ctx.api.query.identity.hospitalNames(hospital);
	const hospitalName = named.isSome ? new TextDecoder().decode(named.unwrap().toU8a(true)) : hospital;
	const text = (field_) => new TextDecoder().decode(field_.toU8a(true));
	const accept = h('button', { type: 'button' }, 'Accept and publish my encryption key');
	accept.addEventListener('click', () => act(accept, 'Accepting the offer', async () => {
		await submit(ctx.api, ctx.keys.pair, ctx.api.tx.identity.acceptDoctor(hospital, u8aToHex(ctx.keys.publicKey)));
		await refreshRoles();
		say(`You are a doctor of ${hospitalName} now, and your encryption key is published: patients can share their records with you.`, true);
		await refresh();
	}));
	const decline = h('button', { type: 'button', class: 'secondary' }, 'Decline');
	decline.addEventListener('click', () => act(decline, 'Declining the offer', async () => {
		await submit(ctx.api, ctx.keys.pair, ctx.api.tx.identity.declineDoctor());
		await refreshRoles();
		say('You declined the offer: this account is no doctor.', true);
		await refresh();
	}));
	return h('section', { class: 'card' }, h('h2', {}, 'A hospital offers you a doctor\'s role'),
		h('p', {}, h('strong', { 'data-testid': 'offering-hospital' }, hospitalName), ` (account ${hospital})`, ` offers this account the role of its doctor: Dr ${text(offer.name).replace(/^Dr\.? /, '')}, ${text(offer.specialty)}, licence ${text(offer.licence)}.`),
		h('p', { class: 'muted' }, 'Nobody becomes a doctor without accepting: check that the hospital and the details are yours. Accepting publishes your encryption key: records are encrypted for it, and only this key can open them.'),
		h('p', {}, accept, ' ', decline));
}

/**
 * A warning, with the way to accept, when the patient's key on chain is not the one this device
 * pinned (a rotation, or a node answering another key): nothing is written for the patient
 * until the doctor compared the new fingerprint with the patient and accepted it.
 */
async function patientKeyNotice(ctx, patient) {
	const key = await encryptionKey(ctx.api, patient);
	const known = await pinned(ctx.keys.address, patient);
	if (!key) return null;
	if (!known || fingerprint(known) === fingerprint(key)) {
		return h('p', { class: 'muted' }, `The patient's key fingerprint: ${fingerprint(key)}.`);
	}
	const accept = h('button', { type: 'button', class: 'secondary' }, 'Accept the new key');
	accept.addEventListener('click', () => act(accept, 'Accepting the new key', async () => {
		await pin(ctx.keys.pair, patient, key);
		say(`The patient's new key (${fingerprint(key)}) is accepted.`, true);
		accept.closest('div').replaceWith(await patientKeyNotice(ctx, patient));
	}));
	return h('div', { class: 'bad', 'data-testid': 'patient-key-changed' },
		`The patient's key changed: the new fingerprint is ${fingerprint(key)} (before: ${fingerprint(known)}). Nothing is written for the patient until you compare it with the patient and accept it. `, accept);
}

async function patientView(ctx, patient, names) {
	const records = await ehr(ctx.api, 'patientRecords', patient, null, null);
	const text = h('textarea', { 'aria-describedby': 'rx-hint' });
	const kind = h('select', {}, h('option', { value: 'prescription' }, 'Prescription'), h('option', { value: 'clinical-note' }, 'Report (clinical note)'));
	const button = h('button', { type: 'submit' }, 'Sign and send');
	const form = h('form', { onsubmit: (e) => {
		e.preventDefault();
		act(button, 'Encrypting and recording', async () => {
			if (!text.value.trim()) throw new Failure('Write the prescription or report first.');
			// As the ehr command: a prescription becomes a FHIR MedicationRequest (the first line the
			// medication, the rest the dosage), a report a Composition; the text kept as written.
			const done = await upload(ctx, patient, kind.value, new TextEncoder().encode(text.value), () => {}, `${kind.value}.txt`);
			say(`Record ${done.id} written for the patient, encrypted for the patient and ${done.readers - 1} other reader(s).${done.changed.length ? ` Not for ${done.changed.length} reader(s) whose key changed since this device last shared with them.` : ''}${done.escrowed ? ' Its key is escrowed for emergencies.' : ''}${done.escrowError ? ` Its key could not be escrowed for emergencies (${done.escrowError}): save "In an emergency" again later.` : ''}`, true);
			text.value = '';
			document.getElementById('records-list').replaceWith(await recordTable(ctx, await ehr(ctx.api, 'patientRecords', patient, null, null), patient));
		});
	} }, field('Kind', kind), field('Text', text), h('p', { id: 'rx-hint', class: 'muted' }, 'For a prescription: the medicine on the first line, the dosage below. Needs the patient\'s write access.'), button);
	return h('div', {}, h('h3', {}, `Records of ${names.get(patient) || shortAddress(patient)}`), await patientKeyNotice(ctx, patient),
		h('p', { class: 'muted' }, 'Opening a record logs your read in the patient\'s trail first.'),
		await recordTable(ctx, records, patient), h('h3', {}, 'Write a prescription or report'), form,
		await trailCard(ctx, patient, names, 'This patient\'s trail'));
}
