// Patients' names on a doctor's pages: from the profile the doctor may read (the patient's FHIR
// `Patient` record, category `profile`), opened in this browser with the doctor's key. Reading a
// profile is reading a record: every profile opened is logged in its patient's trail (one
// transaction for all of them, checked against the chain, signed and kept in the outbox before
// any name is shown). A name is kept in this page's memory only, by the profile's record id, so
// a page reads each profile version once and nothing of it is stored on the device; a reload
// reads again. A patient whose grant does not cover the profile is shown by address.

import { ehr } from './chain.js';
import { open } from './flows.js';
import * as outbox from './outbox.js';

/** The most patients whose profiles one page opens (the rest are shown by address). */
export const MAX_NAMED = 40;

/** Names learned on this page: `${reader}:${record id}` → name. */
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
	// For reading only: no control characters (a name must not fake lines), a sane length.
	const clean = text.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, '').trim().slice(0, 80);
	return clean || null;
}

/**
 * Puts in `names` the name of each of `patients` whose current profile the signed-in doctor
 * holds a key for (at most MAX_NAMED of them), reading the profiles not read yet on this page;
 * their reads are logged first. A refusal (a grant revoked a moment ago) or a profile that does
 * not open leaves those patients named by address. Returns `names`.
 */
export function patientNames(ctx, patients, names) {
	// One at a time: a page rendered twice at once reads (and logs) each profile once, and its
	// log transactions do not take each other's nonce.
	const run = inTurn.then(() => readNames(ctx, patients, names));
	inTurn = run.catch(() => {});
	return run;
}

let inTurn = Promise.resolve();

async function readNames(ctx, patients, names) {
	const me = ctx.keys.address;
	const unread = [];
	for (const patient of patients.slice(0, MAX_NAMED)) {
		let profile;
		try {
			profile = (await ehr(ctx.api, 'readerRecords', me, patient, null))
				.find((r) => r.category === 'profile' && r.patient === patient && !r.erased && r.supersededBy == null);
		} catch {
			continue;
		}
		if (!profile) continue;
		const name = known.get(`${me}:${profile.id}`);
		if (name) names.set(patient, name);
		else unread.push([patient, profile.id]);
	}
	const opened = [];
	for (const [patient, id] of unread) {
		try {
			const { bytes } = await open(ctx, id, { patient, category: 'profile', log: false });
			opened.push([patient, id, nameOf(bytes)]);
		} catch {
			// Not shown, not read: not logged.
		}
	}
	if (!opened.length) return names;
	try {
		const entry = await outbox.queueRead(ctx, opened[0][0], opened.map(([patient, id]) => [id, 'profile', patient]));
		// In the node's pool before the page goes on: the next transaction takes the next nonce.
		await Promise.race([outbox.follow(ctx, entry), new Promise((resolve) => setTimeout(resolve, 5000))]);
	} catch {
		return names;
	}
	for (const [patient, id, name] of opened) {
		if (!name) continue;
		known.set(`${me}:${id}`, name);
		names.set(patient, name);
	}
	return names;
}
