// Signing in to a hospital's app through its FHIR server (SMART App Launch), with the key this
// web app keeps: `#/sign-in?login=…&challenge=…&patient=0|1`, the link the FHIR server's sign-in
// page offers. The challenge travels in the URL's fragment (no server sees it). The page signs
// only a FHIR server's sign-in challenge naming one of the hospital's FHIR servers (config.json
// `fhirServers`), shows what it signs and for which app, and sends the signature only to the
// server the challenge names (`Sign this only on <server>/auth/authorize`), which answers where
// the browser goes next: back to the app (an http or https address), with its one-time code.

import { stringToU8a, u8aToHex } from '@polkadot/util';
import { Failure, ehr } from './chain.js';
import { app, context } from './session.js';
import { act, field, h, say, shortAddress } from './ui.js';

/** How every challenge of a FHIR server begins (as `ehr key sign-in` checks). */
export const CHALLENGE_PREFIX = 'Sign in to the FHIR server ';

/**
 * What a challenge says: the server (the first line's, which must be the one the second line
 * names for the signature), the app, the scopes. Null if it is not a FHIR server's challenge.
 */
export function readChallenge(challenge) {
	if (typeof challenge !== 'string' || !challenge.startsWith(CHALLENGE_PREFIX) || challenge.length > 4000) return null;
	const first = /^Sign in to the FHIR server (\S+) with the app (.+) \(([^)]*)\)\.$/.exec(challenge.split('\n')[0]);
	const only = /^Sign this only on (\S+)\/auth\/authorize: /m.exec(challenge);
	if (!first || !only || first[1] !== only[1]) return null;
	let server;
	try {
		server = new URL(first[1]);
	} catch {
		return null;
	}
	if (!['http:', 'https:'].includes(server.protocol) || server.href.replace(/\/$/, '') !== first[1]) return null;
	const scopes = /^Scopes asked: (.*)$/m.exec(challenge)?.[1] ?? '';
	return { server: first[1], app: first[2], clientId: first[3], scopes };
}

/** The page. */
export async function appSignInPage() {
	const ctx = await context();
	const query = new URLSearchParams(location.hash.split('?')[1] || '');
	const challenge = query.get('challenge') || '';
	const login = query.get('login') || '';
	const said = readChallenge(challenge);
	const root = h('section', { class: 'card', 'data-testid': 'app-sign-in' }, h('h2', {}, 'Sign in to an app'));
	if (!said || !login) {
		root.append(h('p', { class: 'bad' }, 'This link does not carry a FHIR server\'s sign-in challenge: nothing is signed. Start again from the app.'));
		return root;
	}
	// Only the hospital's own FHIR servers (config.json `fhirServers`): a link naming any other
	// would make this app vouch for a stranger's page.
	const known = Array.isArray(app.config.fhirServers) ? app.config.fhirServers.map((u) => String(u).replace(/\/$/, '')) : [];
	if (!known.includes(said.server)) {
		root.append(h('p', { class: 'bad', 'data-testid': 'unknown-server' }, `${said.server} is not one of your hospital's FHIR servers${known.length ? ` (${known.join(', ')})` : ''}: nothing is signed. Sign in only from the apps your hospital gives you.`));
		return root;
	}
	root.append(h('p', {}, h('strong', {}, said.app), ` (${said.clientId}) asks to sign you in, as ${shortAddress(ctx.keys.address)}, at the hospital's FHIR server `, h('strong', {}, said.server), '.'),
		h('p', { class: 'muted' }, `It asks for: ${said.scopes || 'nothing but who you are'}. What it may read is still decided by your consent on chain.`),
		h('pre', { class: 'file', 'data-testid': 'challenge' }, challenge));
	// A clinician whose app asks for a patient in context chooses one who granted them access.
	let patient = null;
	if (query.get('patient') === '1') {
		const patients = await ehr(ctx.api, 'doctorPatients', ctx.keys.address, null).catch(() => []);
		patient = h('select', {}, h('option', { value: '' }, patients.length ? 'Choose the patient…' : 'No patient has given you access'),
			patients.map((p) => h('option', { value: p }, p)));
		root.append(field('Patient for the app', patient));
	}
	const button = h('button', { type: 'button' }, 'Sign and sign in');
	button.addEventListener('click', () => act(button, 'Signing in', async () => {
		if (patient && !patient.value) throw new Failure('Choose the patient the app is for.');
		const signature = u8aToHex(ctx.keys.pair.sign(stringToU8a(`<Bytes>${challenge}</Bytes>`)));
		const form = new URLSearchParams({ login, account: ctx.keys.address, signature });
		if (patient) form.set('patient', patient.value);
		let answer;
		try {
			const response = await fetch(`${said.server}/auth/authorize`, { method: 'POST', body: form, headers: { accept: 'application/json' } });
			answer = await response.json();
		} catch (error) {
			throw new Failure(`The FHIR server ${said.server} did not answer (${error.message || error}). Start again from the app.`);
		}
		if (typeof answer.redirect !== 'string') {
			throw new Failure(`The FHIR server refused: ${answer.issue?.[0]?.diagnostics || 'no reason given'}. Start again from the app.`);
		}
		// Back to the app (its registered address), with its code or the reason it was refused.
		let back;
		try {
			back = new URL(answer.redirect);
		} catch {
			throw new Failure('The FHIR server answered no address to go back to. Start again from the app.');
		}
		if (!['http:', 'https:'].includes(back.protocol)) throw new Failure(`The FHIR server answered an address that is no web page (${back.protocol}): not followed.`);
		say(`Signed in: going back to ${said.app} at ${back.origin}.`, true);
		location.assign(back.href);
	}));
	root.append(button, h('p', { class: 'muted' }, 'Your key never leaves this browser: only the signature goes to the server, and only there.'));
	return root;
}
