// Patients' names on a doctor's pages: from the profile the doctor may read (the patient's FHIR
// `Patient` record, category `profile`), opened in this browser with the doctor's key. Reading a
// profile is reading a record: the profiles opened are logged in their patients' trails (one
// transaction for all of them, each read checked against the chain first, signed and kept in
// the outbox before any name is shown; a read the chain then refuses takes the names back and
// says so). What a profile gave (a name, or none) is kept in this page's memory only, by the
// profile's record id: a page reads each profile version once, nothing of it is stored on the
// device, and a reload reads again. A name is shown with the account's short address, never in
// place of a name from the chain's directory. A patient whose grant leaves out the profile, or
// whose profile is larger than a profile needs to be, is shown by address.

import { CATEGORY_VARIANT, dryRun, ehr } from './chain.js';
import { open } from './flows.js';
import * as outbox from './outbox.js';
import { refresh } from './session.js';
import { readable, say, shortAddress } from './ui.js';

/** The most patients whose profiles one page opens (the rest are shown by address). */
export const MAX_NAMED = 40;
/** The largest profile opened for a name (a FHIR `Patient` is a few hundred bytes). */
export const MAX_PROFILE = 64 * 1024;

/** What profiles gave on this page: `${reader}:${record id}` → name, or null for none. */
const known = new Map();

/** The name a FHIR `Patient` gives (its first name's text, or given and family), or null. */
export function nameOf(bytes) {
	let resource;
	try {
		resource = JSON.parse(new TextDecoder().decode(bytes));
	} catch {
		return null;
	}
	if (resource?.resourceType !== 'Patient') return null;
	const first = Array.isArray(resource.name) ? resource.name[0] : null;
	const text = typeof first?.text === 'string' && first.text.trim()
		? first.text
		: [...(Array.isArray(first?.given) ? first.given : []), first?.family].filter((part) => typeof part === 'string').join(' ');
	return readable(text, 80) || null;
}

/**
 * Puts in `names` the name of each of `patients` whose current profile the signed-in doctor
 * holds a key for (at most MAX_NAMED of them), reading the profiles not read yet on this page;
 * their reads are logged first. Returns `names`.
 */
export function patientNames(ctx, patients, names) {
	// One at a time: a page rendered twice at once reads (and logs) each profile once, and its
	// log transactions do not take each other's nonce.
	const run = inTurn.then(() => readNames(ctx, patients, names));
	inTurn = run.catch(() => {});
	return run;
}

let inTurn = Promise.resolve();

function show(names, patient, name) {
	if (name && !names.has(patient)) names.set(patient, `${name} (${shortAddress(patient)})`);
}

async function readNames(ctx, patients, names) {
	const me = ctx.keys.address;
	const wanted = new Set(patients.slice(0, MAX_NAMED));
	let held;
	try {
		held = await ehr(ctx.api, 'readerRecords', me, null, null);
	} catch {
		return names;
	}
	const unread = [];
	for (const r of held) {
		if (r.category !== 'profile' || !wanted.has(r.patient) || r.erased || r.supersededBy != null) continue;
		const key = `${me}:${r.id}`;
		if (known.has(key)) show(names, r.patient, known.get(key));
		else if (Number(r.size) <= MAX_PROFILE) unread.push([r.patient, r.id]);
	}
	// Each read the chain would refuse now (a grant just revoked, the hour's reads used) is left
	// out before anything is opened: one patient does not keep the others' names away.
	const allowed = [];
	for (const [patient, id] of unread) {
		try {
			await dryRun(ctx.api, me, ctx.api.tx.consent.logAccess(patient, id, CATEGORY_VARIANT.profile));
			allowed.push([patient, id]);
		} catch { /* not read, not logged */ }
	}
	const opened = [];
	for (const [patient, id] of allowed) {
		try {
			const { bytes } = await open(ctx, id, { patient, category: 'profile', log: false });
			opened.push([patient, id, nameOf(bytes)]);
		} catch {
			// Not opened: not logged.
		}
	}
	if (!opened.length) return names;
	try {
		const entry = await outbox.queueRead(ctx, opened[0][0], opened.map(([patient, id]) => [id, 'profile', patient]));
		// In the node's pool before the page goes on: the next transaction takes the next nonce.
		const sent = outbox.follow(ctx, entry, (number, failed) => {
			if (!failed) return;
			// The chain refused the reads after all: the names go, and the doctor is told.
			for (const [, id] of opened) known.delete(`${me}:${id}`);
			say(`Your reads of ${opened.length} patient profile(s) for their names are NOT in the patients' trails: their log failed in block #${number}. The names are no longer shown.`);
			refresh();
		});
		// In the node's pool before the page goes on: a transaction the doctor signs next takes
		// the next nonce (signers ask the pool for it), at most 5 s.
		await Promise.race([sent, new Promise((resolve) => setTimeout(resolve, 5000))]);
	} catch {
		return names;
	}
	for (const [patient, id, name] of opened) {
		known.set(`${me}:${id}`, name);
		show(names, patient, name);
	}
	return names;
}
