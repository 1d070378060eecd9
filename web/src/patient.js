// The patient's page: register, records (upload with progress, list by category, open), consent
// (a doctor from the directory, categories, level, expiry, purpose; grants to revoke), and the
// trail of who did what, in words.
import { u8aToHex } from '@polkadot/util';
import QRCode from 'qrcode';
import { CATEGORIES, PURPOSES, Failure, categoryLabel, ehr, submit, directory } from './chain.js';
import * as verify from './verify.js';
import { encryptionKey } from './verify.js';
import { patientEmergencyCard } from './emergency.js';
import { messagesCard } from './messages.js';
import { fingerprint, pin, pinned } from './keys.js';
import { addVitals, amend, erase, grant, open, readingsOf, revoke, sentence, upload } from './flows.js';
import * as outbox from './outbox.js';
import { patientAppointments } from './appointments.js';
import { callCard } from './oncall.js';
import { context, refresh, refreshRoles } from './session.js';
import { act, download, field, formatSize, formatTime, h, say, shortAddress } from './ui.js';

export async function patientPage(app) {
	const ctx = await context();
	if (!app.roles.patient) return registerCard(app, ctx);
	const root = h('div');
	const names = await directoryNames(ctx.api);
	root.append(await profileCard(ctx), await recordsCard(ctx), vitalsCard(ctx), await callCard(ctx, names), await patientAppointments(ctx, names), await consentCard(ctx, names),
		await patientEmergencyCard(ctx, names), await messagesCard(ctx, names, await myDoctors(ctx, names), false),
		await trailCard(ctx, ctx.keys.address, names, 'Who did what with your records'));
	return root;
}

/** The doctors the patient may write to: those its grants name (the chain checks the rest). */
async function myDoctors(ctx, names) {
	const doctors = new Set((await directory(ctx.api)).map((d) => d.account));
	return (await ehr(ctx.api, 'patientGrants', ctx.keys.address, null))
		.filter(({ grantee }) => doctors.has(grantee)).map(({ grantee }) => [grantee, names.get(grantee) || grantee]);
}

async function registerCard(app, ctx) {
	const invited = await ctx.api.query.identity.invitations(ctx.keys.address);
	const qr = h('img', { alt: `QR code of your account ${ctx.keys.address}` });
	qr.src = await QRCode.toDataURL(ctx.keys.address, { margin: 1, width: 200 });
	const button = h('button', { type: 'button' }, 'Register as a patient');
	button.addEventListener('click', () => act(button, 'Registering', async () => {
		await submit(ctx.api, ctx.keys.pair, ctx.api.tx.identity.registerPatient(u8aToHex(ctx.keys.publicKey)));
		await refreshRoles();
		say('You are registered. You can now add records and give doctors access.', true);
		await refresh();
	}));
	return h('section', { class: 'card' }, h('h2', {}, 'Register as a patient'),
		invited.isSome
			? h('p', {}, `A hospital invited you (${shortAddress(invited.unwrap().toString())}): registering is free.`)
			: h('p', {}, 'Show this code (your account) to the hospital so that it invites you; registering is then free. Without an invitation registering pays the network fee.'),
		qr, h('p', { class: 'mono' }, ctx.keys.address), button);
}

export async function directoryNames(api) {
	const names = new Map();
	for (const doctor of await directory(api)) names.set(doctor.account, `Dr ${doctor.name.replace(/^Dr\.? /, '')}`);
	for (const [key, name] of await api.query.identity.hospitalNames.entries()) {
		names.set(key.args[0].toString(), new TextDecoder().decode(name.unwrap ? name.unwrap() : name));
	}
	return names;
}

/**
 * The patient's profile: a FHIR R4 `Patient` resource (name, birth date, phone, e-mail) kept as
 * the encrypted record of category `profile` (a new version on each change), as `ehr patient
 * profile` keeps it. Nothing of it is on chain in the clear.
 */
async function profileCard(ctx) {
	const me = ctx.keys.address;
	const current = (await ehr(ctx.api, 'patientRecords', me, 'profile', null)).find((r) => !r.erased && r.supersededBy == null);
	const name = h('input', { type: 'text', autocomplete: 'name' });
	const birth = h('input', { type: 'date', autocomplete: 'bday' });
	const phone = h('input', { type: 'text', inputmode: 'tel', autocomplete: 'tel' });
	const email = h('input', { type: 'text', inputmode: 'email', autocomplete: 'email' });
	const button = h('button', { type: 'submit' }, 'Save my profile');
	const form = h('form', { onsubmit: (e) => {
		e.preventDefault();
		act(button, 'Encrypting and saving your profile', async () => {
			if (!name.value.trim()) throw new Failure('Your name is needed.');
			const resource = { resourceType: 'Patient', name: [{ text: name.value.trim() }] };
			if (birth.value) resource.birthDate = birth.value;
			const telecom = [];
			if (phone.value.trim()) telecom.push({ system: 'phone', value: phone.value.trim() });
			if (email.value.trim()) telecom.push({ system: 'email', value: email.value.trim() });
			if (telecom.length) resource.telecom = telecom;
			const bytes = new TextEncoder().encode(JSON.stringify(resource, null, 2));
			const done = current ? await amend(ctx, current.id, bytes, undefined, { category: 'profile' }) : await upload(ctx, me, 'profile', bytes);
			say(`Profile saved (record ${done.id}), encrypted: readable by you and those you gave access to your profile.`, true);
			await refresh();
		});
	} }, field('Full name', name), field('Birth date', birth), field('Phone', phone), field('E-mail', email), button);
	if (current) {
		try {
			const opened = await open(ctx, current.id, { patient: me, category: 'profile' });
			const resource = JSON.parse(new TextDecoder().decode(opened.bytes));
			name.value = resource.name?.[0]?.text || '';
			birth.value = resource.birthDate || '';
			phone.value = resource.telecom?.find((t) => t.system === 'phone')?.value || '';
			email.value = resource.telecom?.find((t) => t.system === 'email')?.value || '';
		} catch (error) {
			say(`Your profile (record ${current.id}) could not be shown: ${error.human || error.message}`);
		}
	}
	return h('section', { class: 'card' }, h('h2', {}, 'My profile'),
		h('p', { class: 'muted' }, 'Kept encrypted as a FHIR Patient record; the chain sees only that a profile exists.'), form);
}

async function recordsCard(ctx) {
	const me = ctx.keys.address;
	const records = (await ehr(ctx.api, 'patientRecords', me, null, null)).filter((r) => !r.erased && r.supersededBy == null);
	const category = h('select', {}, CATEGORIES.map(([value, label]) => h('option', { value }, label)));
	category.value = 'lab-report';
	const file = h('input', { type: 'file' });
	const bar = h('progress', { max: '1', value: '0', 'aria-label': 'Upload progress' });
	const stage = h('span', { class: 'muted', 'aria-live': 'polite' });
	const button = h('button', { type: 'submit' }, 'Encrypt and upload');
	const form = h('form', { onsubmit: (e) => {
		e.preventDefault();
		act(button, 'Uploading', async () => {
			const chosen = file.files[0];
			if (!chosen) throw new Failure('Choose a file first.');
			if (category.value === 'profile') throw new Failure('Your profile is kept with the form "My profile" above.');
			const bytes = new Uint8Array(await chosen.arrayBuffer());
			const done = await upload(ctx, me, category.value, bytes, (what, doneBytes, total) => {
				stage.textContent = what;
				bar.max = total || 1;
				bar.value = doneBytes;
			}, chosen.name);
			bar.value = bar.max;
			stage.textContent = '';
			say(`Record ${done.id} added: encrypted on this device, readable by you and ${done.readers - 1} other reader(s).${done.unusable.length ? ` Not shared with ${done.unusable.length} reader(s) whose encryption key is unusable: they must publish a new one.` : ''}${done.changed.length ? ` Not shared with ${done.changed.length} reader(s) whose encryption key changed: see "Who may see my records".` : ''}${done.escrowed ? ' Its key is escrowed for emergencies.' : ''}${done.escrowError ? ` Its key could not be escrowed for emergencies (${done.escrowError}): save "In an emergency" again later.` : ''}`, true);
			file.value = '';
			document.getElementById('records-list').replaceWith(await recordTable(ctx, await ehr(ctx.api, 'patientRecords', me, null, null), me));
		});
	} }, field('Category', category), field('File to upload', file, 'Encrypted in this browser before it is sent.'), bar, stage, h('div', {}, button));
	return h('section', { class: 'card' }, h('h2', {}, 'My records'), await recordTable(ctx, records, me), h('h3', {}, 'Add a record'), form);
}

/** The records, by category, with a button to open each (shown and offered as a download). */
/** The measures of the readings form: the LOINC code, the label, the UCUM unit shown. */
const VITALS = [
	['8867-4', 'Heart rate', '/min'], ['8310-5', 'Temperature', '°C'], ['2708-6', 'Oxygen saturation', '%'],
	['29463-7', 'Weight', 'kg'], ['15074-8', 'Blood glucose', 'mmol/L'],
];

/** Home readings (blood pressure, heart rate, …) as one encrypted record of FHIR Observations. */
function vitalsCard(ctx) {
	const systolic = h('input', { type: 'number', inputmode: 'decimal', min: '0', step: 'any' });
	const diastolic = h('input', { type: 'number', inputmode: 'decimal', min: '0', step: 'any' });
	const inputs = VITALS.map(([code, label, unit]) => [code, h('input', { type: 'number', inputmode: 'decimal', step: 'any', 'data-code': code }), `${label} (${unit})`]);
	const button = h('button', { type: 'submit' }, 'Encrypt and store');
	const form = h('form', { onsubmit: (e) => {
		e.preventDefault();
		act(button, 'Storing your readings', async () => {
			const readings = {};
			if (systolic.value || diastolic.value) {
				if (!systolic.value || !diastolic.value) throw new Failure('Give both blood pressure values (systolic and diastolic, in mmHg).');
				readings.bp = [Number(systolic.value), Number(diastolic.value)];
			}
			for (const [code, input] of inputs) if (input.value) readings[code] = Number(input.value);
			if (!Object.keys(readings).length) throw new Failure('Enter at least one reading.');
			const done = await addVitals(ctx, readings, Date.now());
			const count = Object.keys(readings).length;
			say(`${count} observation${count === 1 ? '' : 's'} stored as record ${done.id} (one transaction), readable by you and ${done.readers - 1} other reader(s): a doctor with access to your vital signs sees them.`, true);
			for (const input of [systolic, diastolic, ...inputs.map(([, i]) => i)]) input.value = '';
			document.getElementById('records-list').replaceWith(await recordTable(ctx, await ehr(ctx.api, 'patientRecords', ctx.keys.address, null, null), ctx.keys.address));
		});
	} }, h('div', { class: 'row' }, field('Systolic (mmHg)', systolic), field('Diastolic (mmHg)', diastolic)),
	inputs.map(([, input, label]) => field(label, input)), button);
	return h('section', { class: 'card' }, h('h2', {}, 'My readings'),
		h('p', { class: 'muted' }, 'Measured at home: stored as FHIR Observations (LOINC codes, UCUM units), encrypted for you and the doctors you gave access to vital signs.'), form);
}

/** The records of `patient` (the node's list); each is proven as `patient`'s when opened. */
export async function recordTable(ctx, records, patient) {
	const live = records.filter((r) => !r.erased && r.supersededBy == null);
	const viewer = h('div', { 'aria-live': 'polite' });
	const rows = [];
	for (const [cat, label] of CATEGORIES) {
		for (const record of live.filter((r) => r.category === cat)) {
			const button = h('button', { type: 'button', class: 'secondary', 'data-record': record.id }, 'Open');
			button.addEventListener('click', () => act(button, `Opening record ${record.id}`, async () => {
				const opened = await open(ctx, record.id, { patient, category: record.category });
				const name = `record-${record.id}-${cat}`;
				const text = printable(opened.bytes);
				const readings = cat === 'observation' ? readingsOf(opened.bytes) : [];
				const logStatus = opened.queued ? h('p', { class: 'muted', 'data-testid': 'read-log' }, 'Your read is queued for the patient\'s trail (signed and kept in this browser; sent now).') : null;
				if (opened.queued) {
					outbox.follow(ctx, opened.queued, (number, failed) => {
						logStatus.textContent = failed
							? `Your read is NOT in the patient's trail: its log entry failed in block #${number}.`
							: `Your read is in the patient's trail (final in block #${number}).`;
					});
				}
				viewer.replaceChildren(h('h3', {}, `Record ${record.id} (${label})`),
					logStatus,
					opened.resource ? h('p', { class: 'muted' }, `Stored as a FHIR R4 ${opened.resource}.`) : null,
					readings.length ? h('ul', { 'data-testid': 'readings' }, readings.map((r) => h('li', {}, `${r.display}: ${r.value} ${r.unit}${r.effective ? ` (${r.effective})` : ''}`))) : null,
					text !== null ? h('pre', { class: 'file', 'data-testid': 'opened' }, text) : h('p', {}, `${formatSize(opened.bytes.length)} of binary data.`),
					h('button', { type: 'button', class: 'secondary', onclick: () => download(opened.bytes, name) }, 'Download'));
			}));
			const owner = ctx.keys.address === patient;
			const manage = owner ? [
				h('button', { type: 'button', class: 'secondary', onclick: () => viewer.replaceChildren(amendForm(ctx, record, label)) }, 'New version'),
				eraseButton(ctx, record, label),
			] : [];
			rows.push(h('tr', {}, h('td', {}, label), h('td', {}, String(record.id), record.version > 1 ? h('div', { class: 'muted' }, `version ${record.version}`) : null),
				h('td', {}, formatTime(record.createdAt)), h('td', { class: 'wide' }, formatSize(record.size)), h('td', {}, button, manage)));
		}
	}
	const table = rows.length
		? h('table', {}, h('thead', {}, h('tr', {}, ['Category', 'Record', 'Added', 'Size', ''].map((t) => h('th', { scope: 'col', class: t === 'Size' ? 'wide' : null }, t)))), h('tbody', {}, rows))
		: h('p', { class: 'muted' }, 'No records yet.');
	return h('div', { id: 'records-list' }, table, viewer);
}

function amendForm(ctx, record, label) {
	const file = h('input', { type: 'file' });
	const bar = h('progress', { max: '1', value: '0', 'aria-label': 'Upload progress of the new version' });
	const button = h('button', { type: 'submit' }, 'Encrypt and replace');
	return h('form', { onsubmit: (e) => {
		e.preventDefault();
		act(button, 'Uploading the new version', async () => {
			if (!file.files[0]) throw new Failure('Choose the file of the new version.');
			const done = await amend(ctx, record.id, new Uint8Array(await file.files[0].arrayBuffer()), (what, d, t) => { bar.max = t || 1; bar.value = d; }, { category: record.category }, file.files[0].name);
			say(`Record ${record.id} amended: the new version is record ${done.id}; the old one stays in its history.`, true);
			await refresh();
		});
	} }, h('h3', {}, `New version of record ${record.id} (${label})`), field('File of the new version', file), bar, h('div', {}, button));
}

function eraseButton(ctx, record, label) {
	const button = h('button', { type: 'button', class: 'danger' }, 'Erase');
	button.addEventListener('click', () => {
		if (!window.confirm(`Erase record ${record.id} (${label}) and all its versions? Nobody can open it afterwards, you included.`)) return;
		act(button, 'Erasing', async () => {
			await erase(ctx, record.id, { category: record.category });
			say(`Record ${record.id} erased with all its versions; the hospitals' pinning services unpin its files.`, true);
			await refresh();
		});
	});
	return button;
}

function printable(bytes) {
	if (bytes.length > 200_000) return null;
	try {
		const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
		return /[\u0000-\u0008\u000e-\u001f]/.test(text) ? null : text;
	} catch {
		return null;
	}
}

async function consentCard(ctx, names) {
	const me = ctx.keys.address;
	const doctors = (await directory(ctx.api)).filter((d) => !d.suspended);
	const grants = await ehr(ctx.api, 'patientGrants', me, null);
	const who = h('select', {}, h('option', { value: '' }, 'Choose a doctor…'),
		doctors.map((d) => h('option', { value: d.account }, `Dr ${d.name.replace(/^Dr\.? /, '')} — ${d.specialty} (${names.get(d.hospital) || shortAddress(d.hospital)})`)));
	const boxes = CATEGORIES.map(([value, label]) => h('label', { class: 'inline' }, h('input', { type: 'checkbox', value }), label));
	const level = h('select', {}, h('option', { value: 'Read' }, 'Read'), h('option', { value: 'ReadWrite' }, 'Read and write (add records)'));
	const expiry = h('input', { type: 'date' });
	const purpose = h('select', {}, PURPOSES.map(([v, l]) => h('option', { value: v }, l)));
	const print = h('div', { class: 'muted', 'data-testid': 'grantee-fingerprint', 'aria-live': 'polite' });
	// The key whose fingerprint is shown is the one records are wrapped for (grant() refuses
	// if the node then answers another).
	let shown = { account: '', key: null };
	who.addEventListener('change', async () => {
		const account = who.value;
		print.replaceChildren();
		shown = { account: '', key: null };
		if (!account) return;
		// The doctor as the chain's state holds it (proven), not as the node's directory lists it.
		const entry = await verify.doctor(ctx.api, account);
		const known = await pinned(me, account);
		if (who.value !== account) return; // another doctor was chosen meanwhile
		if (!entry || entry.status !== 'active') {
			print.textContent = entry ? 'This doctor is suspended by their hospital: access cannot be given.' : 'This account is not a doctor in the chain\'s state (the node listed it wrongly): access cannot be given.';
			return;
		}
		const key = entry.encryptionKey;
		shown = { account, key };
		print.append(h('p', { 'data-testid': 'grantee-proven' }, `Proven from the chain's state: Dr ${entry.name.replace(/^Dr\.? /, '')} — ${entry.specialty}, licence ${entry.licence}, registered by ${names.get(entry.hospital) || shortAddress(entry.hospital)}.`));
		if (!key) {
			print.append('This doctor has not published an encryption key yet: records are shared once it has and you grant again.');
		} else if (known && fingerprint(known) !== fingerprint(key)) {
			const accept = h('button', { type: 'button', class: 'secondary' }, 'Accept the new key');
			accept.addEventListener('click', () => act(accept, 'Accepting the new key', async () => {
				await pin(ctx.keys.pair, account, key);
				say(`The new key (${fingerprint(key)}) is accepted.`, true);
				who.dispatchEvent(new Event('change'));
			}));
			print.append(h('p', { class: 'bad' }, `This doctor's key changed: the new fingerprint is ${fingerprint(key)} (before: ${fingerprint(known)}). Compare it with the doctor before accepting it.`), accept);
		} else {
			print.append(`Key fingerprint of this doctor: ${fingerprint(key)}. The doctor's page shows the same: compare them (in person or by phone) the first time.`);
		}
	});
	const button = h('button', { type: 'submit' }, 'Give access');
	const form = h('form', { onsubmit: (e) => {
		e.preventDefault();
		act(button, 'Giving access and sharing your keys', async () => {
			if (!who.value) throw new Failure('Choose a doctor.');
			const chosen = boxes.map((b) => b.firstChild).filter((b) => b.checked).map((b) => b.value);
			let expiresAt = null;
			if (expiry.value) {
				expiresAt = new Date(`${expiry.value}T23:59:59`).getTime();
				if (expiresAt <= Date.now()) throw new Failure('The end date is in the past.');
			}
			if (shown.account !== who.value) throw new Failure('Wait for the doctor\'s key fingerprint to show, and compare it.');
			const done = await grant(ctx, who.value, chosen, level.value, expiresAt, purpose.value, shown.key);
			say(`Access given (proven in the chain's state at block #${done.provenAt}, verified here). ${done.shared} record key(s) shared.${done.granteeHasKey ? ` Key fingerprint ${done.fingerprint}.` : ' The doctor has not published an encryption key yet: keys are shared when you grant again after it does.'}`, true);
			document.getElementById('grants-list').replaceWith(await grantsTable(ctx, await ehr(ctx.api, 'patientGrants', me, null), names));
		});
	} }, field('Doctor', who), print, h('fieldset', {}, h('legend', {}, 'Categories'), boxes), field('Level', level),
	field('Until (optional)', expiry, 'Access ends by itself at the end of that day.'), field('Purpose', purpose), button);
	return h('section', { class: 'card' }, h('h2', {}, 'Who may see my records'), await grantsTable(ctx, grants, names), h('h3', {}, 'Give a doctor access'), form);
}

async function grantsTable(ctx, grants, names) {
	if (!grants.length) return h('p', { id: 'grants-list', class: 'muted' }, 'No one has access to your records.');
	// A grantee whose key on chain is not the one pinned on this device gets nothing wrapped until
	// the patient compares the new fingerprint with its owner and accepts it.
	// A grantee whose key was never confirmed on this device (a grant made on another device or
	// by a delegate) gets nothing wrapped either, until the patient confirms its fingerprint.
	const changedKeys = new Map();
	const unconfirmed = new Set();
	for (const { grantee } of grants) {
		const [now_, known] = [await encryptionKey(ctx.api, grantee), await pinned(ctx.keys.address, grantee)];
		if (now_ && known && fingerprint(now_) !== fingerprint(known)) changedKeys.set(grantee, now_);
		if (now_ && !known) {
			changedKeys.set(grantee, now_);
			unconfirmed.add(grantee);
		}
	}
	return h('table', { id: 'grants-list' }, h('thead', {}, h('tr', {}, ['Who', 'Categories', 'Level', 'Until', ''].map((t) => h('th', { scope: 'col' }, t)))),
		h('tbody', {}, grants.map(({ grantee, grant: g }) => {
			const newKey = changedKeys.get(grantee);
			const fresh = unconfirmed.has(grantee);
			const accept = newKey ? h('button', { type: 'button', class: 'secondary' }, fresh ? 'Confirm this key' : 'Accept the new key') : null;
			accept?.addEventListener('click', () => act(accept, 'Accepting the new key', async () => {
				await pin(ctx.keys.pair, grantee, newKey);
				say(`The new key (${fingerprint(newKey)}) is accepted: new records are shared with it.`, true);
				await refresh();
			}));
			const warning = newKey ? h('div', { class: 'bad', 'data-testid': fresh ? 'key-unconfirmed' : 'key-changed' },
				fresh ? `Not confirmed on this device: fingerprint ${fingerprint(newKey)} (access given elsewhere). Nothing new is shared with it until you compare it with the doctor and confirm it.`
					: `Key changed: new fingerprint ${fingerprint(newKey)}. Nothing new is shared until you compare it with the doctor and accept it.`, accept) : null;
			const revokeButton = h('button', { type: 'button', class: 'danger' }, 'Revoke');
			revokeButton.addEventListener('click', () => act(revokeButton, 'Revoking', async () => {
				const number = await revoke(ctx, grantee);
				say(`Access of ${names.get(grantee) || grantee} revoked: the keys it held are deleted from the chain (confirmed from the state of block #${number}, verified here).`, true);
				revokeButton.closest('tr').remove();
			}));
			const scope = g.scope === 'all' ? 'All' : g.scope.categories.map(categoryLabel).join(', ');
			return h('tr', {}, h('td', {}, names.get(grantee) || shortAddress(grantee), warning), h('td', {}, scope),
				h('td', {}, g.access === 'read' ? 'Read' : 'Read and write'), h('td', {}, g.expiresAt ? formatTime(g.expiresAt) : '—'), h('td', {}, revokeButton));
		})));
}

/** The newest entries of `patient`'s trail in words (from the node; the auditor page verifies). */
export async function trailCard(ctx, patient, names, title) {
	const first = await ehr(ctx.api, 'auditTrail', patient, 0, 1, null);
	const from = Math.max(0, first.total - 50);
	const page = first.total ? await ehr(ctx.api, 'auditTrail', patient, from, 50, null) : { entries: [] };
	const all = new Map(names);
	all.set(patient, ctx.keys.address === patient ? 'You' : 'The patient');
	const items = page.entries.slice().reverse().map(({ entry }) => h('li', {}, sentence(entry, all, formatTime)));
	return h('section', { class: 'card' }, h('h2', {}, title),
		items.length ? h('ul', { 'data-testid': 'trail' }, items) : h('p', { class: 'muted' }, 'Nothing yet.'),
		h('p', { class: 'muted' }, 'From the node. ', h('a', { href: `#/auditor?patient=${patient}` }, 'Verify this trail'), ' against the chain\'s state.'));
}
