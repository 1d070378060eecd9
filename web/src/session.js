// The app's state shared by every page: the configuration, the chain connection, the unlocked
// keys and the account's roles; and the two things a page asks of the shell (show the page
// again, the header again), which the shell (main.js) registers. Pages import this module,
// never the shell: no page depends on the module that imports it.
import { stringToU8a, u8aToHex } from '@polkadot/util';
import { decodeAddress, sr25519Verify } from '@polkadot/util-crypto';
import { connect, roles, Failure } from './chain.js';
import { status } from './ui.js';

export const app = {
	config: { node: 'ws://127.0.0.1:9944', ipfs: 'http://127.0.0.1:5080', idleMinutes: 10, keyFileCost: null },
	served: null, // the configuration as served (config.json), before any saved connection
	typed: null, // a connection chosen on the Connection page while locked, for this page load
	api: null,
	session: null, // { address, pair, encryption, publicKey, label, uri }
	roles: null,
};

let shell = { render: async () => {}, renderHeader: () => {} };

/** The shell registers how a page and the header are shown. */
export function useShell(render, renderHeader) {
	shell = { render, renderHeader };
}

// --- Connection settings, bound to the person's key ---
//
// Which node answers and which gateway serves the files decides what the app is shown (it still
// verifies, but a node of an attacker's choice sees every request). Any script of this origin can
// write the browser's storage, so settings a person saves are kept signed by the unlocked key and
// used only after that key is unlocked again; until then (and for the auditor without a key) the
// served configuration holds. Settings nobody signed, or another key signed, are ignored.

const settingsKey = (address) => `ehr-settings-${address}`;
const settingsMessage = (address, node, gateway) => stringToU8a(`ehr-settings:${address}:${JSON.stringify([node, gateway])}`);

/**
 * The connection `pair` saved on this device: `{ node, gateway }`, `null` if none, or
 * `{ ignored: true }` if what is saved under its name was not signed by it (it is removed).
 */
export function savedConnection(pair) {
	const raw = localStorage.getItem(settingsKey(pair.address));
	if (raw === null) return null;
	try {
		const { node, gateway, signature } = JSON.parse(raw);
		if (typeof node === 'string' && typeof gateway === 'string'
			&& sr25519Verify(settingsMessage(pair.address, node, gateway), signature, decodeAddress(pair.address))) {
			return { node, gateway };
		}
	} catch { /* not ours */ }
	localStorage.removeItem(settingsKey(pair.address));
	return { ignored: true };
}

/** Keep `node` and `gateway` for `pair` on this device, signed by it. */
export function saveConnection(pair, node, gateway) {
	const signature = u8aToHex(pair.sign(settingsMessage(pair.address, node, gateway)));
	localStorage.setItem(settingsKey(pair.address), JSON.stringify({ node, gateway, signature }));
}

/** Talk to `node` and `gateway` from now on (the next chain call connects again if it changed). */
export function useConnection({ node, gateway }) {
	if (gateway) app.config.ipfs = gateway;
	if (node && node !== app.config.node) {
		app.config.node = node;
		const old = app.api;
		app.api = null;
		old?.disconnect().catch(() => {});
	}
}

/** The chain connection, made on first use (to the node configured when it completes). */
export async function chain() {
	while (!app.api) {
		const node = app.config.node;
		status('Connecting to the chain…');
		let api;
		try { api = await connect(node); } finally { status(''); }
		// The connection changed while connecting (a lock, a sign-in): this one is not used.
		if (app.config.node !== node || app.api) {
			api.disconnect().catch(() => {});
			continue;
		}
		app.api = api;
	}
	return app.api;
}

/** The context the flows take: the chain, the unlocked keys, the IPFS gateway. */
export async function context() {
	if (!app.session) throw new Failure('Unlock your key first.');
	return { api: await chain(), keys: app.session, ipfs: app.config.ipfs };
}

/** Reads the account's roles again (after accepting an offer, registering) and redraws the header. */
export async function refreshRoles() {
	app.roles = await roles(await chain(), app.session.address);
	shell.renderHeader();
}

/** Shows the current page again with fresh data (after an action; its message stays). */
export function refresh() {
	return shell.render();
}
