// The web app's shell: loads the WebAssembly, connects to the node, keeps the user's keys
// (create, restore, import, unlock, lock), and routes to each role's page.
import init, * as wasm from 'ehr-web-wasm';
import { roles, Failure, useMetadataHasher } from './chain.js';
import { app, chain, useShell, savedConnection, saveConnection, useConnection } from './session.js';
import * as keys from './keys.js';
import * as flows from './flows.js';
import * as verify from './verify.js';
import * as messages from './messages.js';
import * as ipfs from './ipfs.js';
import * as outbox from './outbox.js';
import { h, field, say, clearSay, status, act, shortAddress } from './ui.js';
import { patientPage } from './patient.js';
import { doctorPage } from './doctor.js';
import { hospitalPage } from './hospital.js';
import { auditorPage } from './auditor.js';
import { vectorsPage } from './vectors.js';
import * as visit from './visit.js';
import { appSignInPage } from './appsignin.js';

// The browser tests' self-checks reach the state, the WebAssembly and the gateway calls here.
Object.assign(app, { wasm, ipfs });
window.ehrApp = app; // for the browser tests' self-checks only; holds nothing secret at rest

const main = () => document.getElementById('main');

async function loadConfig() {
	try {
		const served = await (await fetch('config.json', { cache: 'no-store' })).json();
		Object.assign(app.config, served);
	} catch { /* served without a config: the defaults of the dev chain */ }
	app.served = { ...app.config };
	// Settings an earlier version kept unsigned (any script of this origin could have written
	// them: a node, a weaker key-file cost, a longer idle time) are dropped; saved connections
	// are signed by a key and used once it is unlocked (session.js).
	localStorage.removeItem('ehr-connection');
}

function lock(reason) {
	if (!app.session) return;
	try { app.session.encryption.free(); } catch { /* freed already */ }
	try { app.session.pair.lock(); } catch { /* nothing to lock */ }
	app.session = null;
	app.roles = null;
	verify.bindToKey(null);
	// The next person on this device starts from the served connection.
	useConnection(servedConnection());
	keys.stopIdleTimer();
	// No hashchange event: it would clear the message below.
	history.replaceState(null, '', '#/');
	render();
	say(`Locked ${reason}: your keys are no longer in this page's memory. Unlock with your passphrase.`, true);
}

const servedConnection = () => ({ node: app.served.node, gateway: app.served.ipfs });

/**
 * Chooses the connection for the key being unlocked: one typed on the Connection page before
 * unlocking, else the one this key saved, else the served one; a saved node that does not answer
 * gives way to the served one. A key of the public development phrase signs nothing anyone
 * could not: its saved settings are not used. Returns a warning, if any.
 */
async function connectFor(session) {
	if (app.typed) {
		useConnection(app.typed);
		return null;
	}
	const saved = session.development ? null : savedConnection(session.pair);
	if (saved?.ignored) {
		useConnection(servedConnection());
		return `Connection settings on this device were not saved with your key (another script or an older version of this app wrote them): they are ignored and removed, and the app talks to ${app.config.node}. Save your own under "Connection" if you need others.`;
	}
	useConnection(saved || servedConnection());
	if (!saved) return null;
	try {
		await chain();
		return null;
	} catch (error) {
		useConnection(servedConnection());
		return `The node you saved (${saved.node}) does not answer; the app talks to ${app.config.node} instead. Change it under "Connection".`;
	}
}

async function signIn(session) {
	try {
		await signInWith(session);
	} catch (error) {
		// The next attempt, and the auditor's page, start from the served connection.
		if (!app.session) useConnection(app.typed || servedConnection());
		throw error;
	}
}

async function signInWith(session) {
	const warning = await connectFor(session);
	const api = await chain();
	// A key of the public development phrase (//Alice…) is anyone's: only on a development chain.
	if (session.development && !(await api.rpc.system.chainType()).isDevelopment) {
		session.encryption.free();
		throw new Failure('This key comes from the public development phrase: anyone can compute it. It is refused on this chain; use your own recovery phrase.');
	}
	app.roles = await roles(api, session.address);
	app.session = session;
	// A connection typed before unlocking, now that it answered: kept, signed by this key.
	if (app.typed && !session.development) saveConnection(session.pair, app.typed.node, app.typed.gateway);
	app.typed = null;
	// The device's finality checkpoint is used, and saved, only signed by this key (never by a
	// development key, whose secret anyone can compute).
	verify.bindToKey(session.development ? null : session.pair);
	keys.lockAfterIdle(app.config.idleMinutes * 60 * 1000, lock);
	// Reads of an earlier page whose log entries no finalized block holds yet are sent again.
	outbox.resume({ api, keys: session }, (entry, number, failed) => {
		if (failed) say(`Your read of record ${entry.records.map(([id]) => id).join(', ')} is NOT in the patient's trail: its log entry failed in block #${number}.`, true);
	}).catch((error) => say(`Reads waiting to be logged could not be sent (${error.human || error.message}); they are sent at the next sign-in.`, true));
	const home = app.roles.hospital ? '#/hospital' : app.roles.doctor || app.roles.offer ? '#/doctor' : '#/patient';
	if (warning) notice = warning;
	// A link that brought the user here to sign in to an app stays where it was.
	if (location.hash === home || location.hash.startsWith('#/sign-in?')) render(); else location.hash = home;
}

// --- The header: sections and who is signed in ---

function renderHeader() {
	const nav = document.getElementById('nav');
	const who = document.getElementById('who');
	nav.replaceChildren();
	who.replaceChildren();
	const route = location.hash || '#/';
	const link = (href, text) => h('a', { href, 'aria-current': route === href ? 'page' : null }, text);
	if (app.session) {
		const r = app.roles || {};
		if (r.hospital) nav.append(link('#/hospital', 'Hospital'));
		if (r.doctor || r.offer) nav.append(link('#/doctor', 'Doctor'));
		if (!r.hospital && !r.doctor && !r.offer) nav.append(link('#/patient', 'My records'));
		nav.append(link('#/auditor', 'Audit'));
		if (app.session.development) who.append(h('span', { class: 'badge', title: 'A key of the public development phrase: for development chains only' }, 'development key'));
		who.append(h('span', { title: app.session.address }, `${app.session.label} · ${shortAddress(app.session.address)}`),
			h('button', { type: 'button', onclick: () => lock('on request') }, 'Lock'));
	} else {
		nav.append(link('#/', 'Sign in'), link('#/auditor', 'Audit'));
	}
}

// --- Sign in: unlock a saved key, create one, restore one, import a key file ---

async function signInPage() {
	const saved = await keys.listKeys();
	const root = h('div');
	if (saved.length) {
		const select = h('select', {}, saved.map((k) => h('option', { value: k.address }, `${k.label} (${shortAddress(k.address)})`)));
		const pass = h('input', { type: 'password', autocomplete: 'current-password' });
		const button = h('button', { type: 'submit' }, 'Unlock');
		root.append(h('section', { class: 'card' }, h('h2', {}, 'Unlock your key'),
			h('form', { onsubmit: (e) => {
				e.preventDefault();
				act(button, 'Opening your key (this takes a second: the passphrase is stretched)', async () => {
					const entry = saved.find((k) => k.address === select.value);
					const session = await keys.unlock(entry, pass.value);
					pass.value = '';
					await signIn(session);
				});
			} }, field('Key', select), field('Passphrase', pass), button)));
	}
	root.append(h('div', { class: 'row' }, createCard(), restoreCard()));
	root.append(importCard());
	return root;
}

function passphraseFields() {
	const pass = h('input', { type: 'password', autocomplete: 'new-password', minlength: '8' });
	const again = h('input', { type: 'password', autocomplete: 'new-password' });
	return {
		pass, again,
		fields: [field('Passphrase (to unlock on this device)', pass, 'At least 8 characters. It never leaves this device.'), field('Passphrase again', again)],
		check() {
			if (pass.value !== again.value) throw new Failure('The two passphrases differ.');
			return pass.value;
		},
	};
}

function createCard() {
	const label = h('input', { type: 'text', value: 'My key', autocomplete: 'off' });
	const p = passphraseFields();
	const button = h('button', { type: 'submit' }, 'Create a new key');
	const card = h('section', { class: 'card' }, h('h2', {}, 'New here? Create your key'),
		h('p', { class: 'muted' }, 'Your key is 24 words. Anyone with them can read your records: write them on paper and keep it safe. They are shown once.'));
	card.append(h('form', { onsubmit: (e) => {
		e.preventDefault();
		act(button, 'Creating your key', async () => {
			const passphrase = p.check();
			const phrase = wasm.newPhrase();
			const derived = await keys.derive(phrase);
			await keys.saveKey(phrase, derived, label.value || 'My key', passphrase, app.config.keyFileCost);
			derived.encryption.free();
			const done = h('input', { type: 'checkbox' });
			const go = h('button', { type: 'button', disabled: true }, 'Continue');
			done.addEventListener('change', () => { go.disabled = !done.checked; });
			go.addEventListener('click', () => act(go, 'Opening your key', async () => {
				await signIn(await keys.unlock((await keys.listKeys()).find((k) => k.address === derived.address), passphrase));
			}));
			card.replaceChildren(h('h2', {}, 'Write down your recovery phrase'),
				h('p', {}, 'These 24 words restore your key on any device. They are not shown again.'),
				h('p', { class: 'phrase', 'data-testid': 'phrase' }, phrase),
				h('p', { class: 'muted' }, `Your account: ${derived.address}`),
				h('label', { class: 'inline' }, done, 'I have written the words down'), go);
		});
	} }, field('Name for this key', label), p.fields, button));
	return card;
}

function restoreCard() {
	const phrase = h('textarea', { autocomplete: 'off', spellcheck: 'false' });
	const label = h('input', { type: 'text', value: 'Restored key', autocomplete: 'off' });
	const p = passphraseFields();
	const button = h('button', { type: 'submit' }, 'Restore');
	return h('section', { class: 'card' }, h('h2', {}, 'Restore your key'),
		h('form', { onsubmit: (e) => {
			e.preventDefault();
			act(button, 'Restoring your key', async () => {
				const passphrase = p.check();
				const derived = await keys.derive(phrase.value);
				await keys.saveKey(phrase.value, derived, label.value || 'Restored key', passphrase, app.config.keyFileCost);
				derived.encryption.free();
				phrase.value = '';
				await signIn(await keys.unlock((await keys.listKeys()).find((k) => k.address === derived.address), passphrase));
			});
		} }, field('Recovery phrase', phrase, 'The 24 (or 12) words, separated by spaces. A development account may be written //Alice.'),
		field('Name for this key', label), p.fields, button));
}

function importCard() {
	const file = h('input', { type: 'file', accept: '.json,application/json' });
	const button = h('button', { type: 'submit', class: 'secondary' }, 'Import');
	return h('section', { class: 'card' }, h('h2', {}, 'Use a key file of the ehr command'),
		h('form', { onsubmit: (e) => {
			e.preventDefault();
			act(button, 'Importing the key file', async () => {
				if (!file.files[0]) throw new Failure('Choose the key file first.');
				await keys.importKeyFile(await file.files[0].text(), file.files[0].name.replace(/\.json$/, ''));
				say('Key file imported: unlock it with its passphrase.', true);
				render();
			});
		} }, field('Key file (from `ehr key generate`)', file), button));
}

function settingsPage() {
	const node = h('input', { type: 'text', value: app.config.node });
	const ipfsApi = h('input', { type: 'text', value: app.config.ipfs });
	const button = h('button', { type: 'submit' }, 'Save');
	const kept = app.session
		? 'Saved on this device signed by your key, and used each time you unlock it: no other script of this site can change them.'
		: 'Used until this page is reloaded, and saved signed by your key if you unlock it before then.';
	return h('section', { class: 'card' }, h('h2', {}, 'Connection'),
		h('p', { class: 'muted' }, 'The node of a hospital you trust for answers, and its IPFS gateway for the encrypted files. The app talks to them directly; no server sees your keys or files.'),
		h('p', { class: 'muted' }, kept),
		h('form', { onsubmit: (e) => {
			e.preventDefault();
			const checkUrl = (value, schemes, what) => {
				let url;
				try { url = new URL(value.trim()); } catch { url = null; }
				if (!url || !schemes.includes(url.protocol)) {
					say(`The ${what} address must start with ${schemes.join(' or ')}//, e.g. ${what === 'node' ? 'ws://127.0.0.1:9944' : 'http://127.0.0.1:5080'}.`);
					return false;
				}
				return true;
			};
			if (!checkUrl(node.value, ['ws:', 'wss:'], 'node') || !checkUrl(ipfsApi.value, ['http:', 'https:'], 'IPFS gateway')) return;
			const chosen = { node: node.value.trim(), gateway: ipfsApi.value.trim() };
			if (app.session) saveConnection(app.session.pair, chosen.node, chosen.gateway);
			else app.typed = chosen;
			useConnection(chosen);
			say(app.session ? `Saved: the app talks to ${chosen.node} and ${chosen.gateway}.` : `The app talks to ${chosen.node} and ${chosen.gateway} until this page is reloaded; they are saved with your key when you unlock it.`, true);
		} }, field('Node (WebSocket)', node), field('IPFS gateway', ipfsApi), button));
}

// --- Routing ---

const pages = {
	'#/patient': () => patientPage(app),
	'#/doctor': () => doctorPage(app),
	'#/hospital': () => hospitalPage(app),
	'#/auditor': () => auditorPage(app),
	'#/vectors': () => vectorsPage(app),
	'#/visit': () => visit.visitPage(app),
	'#/sign-in': () => appSignInPage(),
	'#/settings': () => settingsPage(),
};

let renderToken = 0;
/** A message for the next page shown (a navigation clears the one before). */
let notice = null;

async function render() {
	const token = ++renderToken;
	renderHeader();
	const route = (location.hash || '#/').split('?')[0];
	let page = pages[route];
	const open = ['#/auditor', '#/vectors', '#/settings'];
	if (!app.session && !open.includes(route)) page = signInPage;
	const target = main();
	target.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
	delete document.body.dataset.page;
	try {
		const content = await (page ? page() : signInPage());
		// A newer render (the user moved on) wins over this one.
		if (token !== renderToken) return;
		target.replaceChildren(content);
		if (notice) { say(notice); notice = null; }
	} catch (error) {
		if (token !== renderToken) return;
		target.replaceChildren(h('p', {}, 'This page could not be shown.'));
		say(error.human || error.message || String(error));
	}
	document.body.dataset.page = app.session || open.includes(route) ? route : '#/';
	document.title = `Health records — ${target.querySelector('h2')?.textContent || 'sign in'}`;
}

window.addEventListener('hashchange', () => { clearSay(); render(); });

useShell(render, renderHeader);

async function start() {
	// The app holds keys: it does not run inside another site's frame (clickjacking).
	if (window.top !== window.self) {
		document.getElementById('main').textContent = 'This app does not run inside another page: open it in its own tab.';
		return;
	}
	await init({ module_or_path: 'ehr_web_wasm_bg.wasm' });
	keys.useWasm(wasm);
	flows.useWasm(wasm);
	useMetadataHasher(wasm.metadataHash);
	messages.useWasm(wasm);
	visit.useWasm(wasm);
	await loadConfig();
	verify.useWasm(wasm, app.config);
	if ('serviceWorker' in navigator && location.protocol !== 'file:') {
		navigator.serviceWorker.register('sw.js').catch(() => { /* the app works without it */ });
	}
	await render();
	document.body.dataset.ready = 'true';
}

start().catch((error) => say(`The app could not start: ${error.human || error.message || error}`));
