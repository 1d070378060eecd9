// The app's state shared by every page: the configuration, the chain connection, the unlocked
// keys and the account's roles; and the two things a page asks of the shell (show the page
// again, the header again), which the shell (main.js) registers. Pages import this module,
// never the shell: no page depends on the module that imports it.
import { connect, roles, Failure } from './chain.js';
import { status } from './ui.js';

export const app = {
	config: { node: 'ws://127.0.0.1:9944', ipfs: 'http://127.0.0.1:5080', idleMinutes: 10, keyFileCost: null },
	api: null,
	session: null, // { address, pair, encryption, publicKey, label, uri }
	roles: null,
};

let shell = { render: async () => {}, renderHeader: () => {} };

/** The shell registers how a page and the header are shown. */
export function useShell(render, renderHeader) {
	shell = { render, renderHeader };
}

/** The chain connection, made on first use. */
export async function chain() {
	if (!app.api) {
		status('Connecting to the chain…');
		try { app.api = await connect(app.config.node); } finally { status(''); }
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
