// Messages between a patient and the doctors who care for them, as the `ehr message send` and
// `ehr inbox` commands have them: the body is a FHIR `Communication` encrypted in this browser
// for the recipient and the sender, stored on IPFS; the chain keeps who, when and the wrapped
// keys. The inbox is read with a proof at a block this browser verified final (a node cannot
// forge a message or its sender), and a body that names another sender or recipient than the
// chain does is not shown.
import { u8aConcat, u8aToHex, hexToU8a } from '@polkadot/util';
import { Failure, submit } from './chain.js';
import * as ipfs from './ipfs.js';
import { checkPin, fingerprint } from './keys.js';
import * as verify from './verify.js';
import { act, field, formatTime, h, say, shortAddress } from './ui.js';

/** The most messages listed from an inbox (the newest are then proven). */
const MAX_LISTED = 20_000;
/** The newest messages shown. */
const SHOWN = 30;
const WRAPPED = 80;
const SEVERITIES = [['', 'Message'], ['info', 'Alert: for information'], ['warning', 'Alert: act soon'], ['urgent', 'Alert: act now']];

let wasm;
export function useWasm(module) { wasm = module; }

/** The messages of the signed-in user's inbox, proven, newest first, with their text. */
async function inbox(ctx) {
	const { api } = ctx;
	const me = verify.hexAccount(ctx.keys.address);
	const view = await verify.verified(api);
	const listed = JSON.stringify(await verify.listKeys(api, view, wasm.inboxPrefix(me), MAX_LISTED));
	let messages;
	try {
		const keys = wasm.keysForInbox(me, listed, MAX_LISTED, SHOWN);
		const answer = JSON.stringify(await verify.readProof(api, view, keys));
		messages = JSON.parse(view.verifier.inbox(me, listed, MAX_LISTED, SHOWN, answer));
	} catch (error) {
		throw new Failure(`Not verified: your inbox: ${error}. Use another node (Connection).`);
	}
	const newest = messages.reverse();
	// Senders named from the chain's state: a doctor's proven entry, else a patient's account.
	const proven = new Map();
	for (const message of newest) {
		message.sender = verify.ss58(message.sender);
		if (!proven.has(message.sender)) {
			const entry = await verify.doctor(api, message.sender, view);
			proven.set(message.sender, entry ? `Dr ${entry.name.replace(/^Dr\.? /, '')}` : `Patient ${shortAddress(message.sender)}`);
		}
		message.from = proven.get(message.sender);
		try {
			const sealed = await ipfs.cat(ctx.ipfs, ipfs.cidText(hexToU8a(message.cid)), Number(message.size));
			Object.assign(message, JSON.parse(ctx.keys.encryption.openMessage(hexToU8a(message.recipientKey), sealed, message.sender, ctx.keys.address)));
		} catch (error) {
			message.error = String(error.human || error.message || error);
		}
	}
	return newest;
}

/**
 * Sends `text` to `recipient` (a message, or from a doctor an alert of `severity`): the body is
 * sealed for the recipient's proven key (pinned on this device like a reader's) and the sender's.
 */
export async function send(ctx, recipient, text, severity, patient, slot) {
	const { api, keys } = ctx;
	// Whom the message is for, from the chain's state (the node's lists only offered a choice):
	// an active doctor, and care between the two (the patient's grant, or the booking just made).
	const doctor = patient === keys.address ? recipient : keys.address;
	const care = await verify.care(api, patient, doctor, slot);
	if (!care.doctor || care.doctor.status !== 'active') {
		throw new Failure(doctor === keys.address ? 'You are not an active doctor: nothing was sent.' : 'This account is not an active doctor in the chain\'s state: nothing was sent.');
	}
	if (!care.granted && !(slot != null && care.slotDoctor === doctor)) {
		throw new Failure('The chain\'s state shows no care between you (no grant from the patient to the doctor): nothing was sent.');
	}
	const key = await verify.encryptionKey(api, recipient);
	if (!key || !wasm.isUsableKey(key)) throw new Failure('This account has no usable encryption key: messages go between a registered patient and a doctor with a key.');
	if (!(await checkPin(keys.pair, recipient, key))) {
		throw new Failure(`The chain holds another encryption key for this account than the one this device saw before (now ${fingerprint(key)}): nothing was sent. Compare the new fingerprint and accept it first.`);
	}
	const body = wasm.fhirMessage(severity, text, keys.address, recipient, patient, Date.now());
	const sealed = wasm.sealRecord(body, u8aConcat(key, keys.publicKey));
	const [envelope, wrapped] = [sealed.envelope, sealed.wrapped];
	sealed.free();
	const max = api.consts.messages.maxMessageSize.toNumber();
	if (envelope.length > max) throw new Failure(`The message is ${envelope.length} bytes encrypted, more than the ${max} a message may be: upload a long text as a record instead.`);
	const cid = await ipfs.add(ctx.ipfs, envelope, keys.pair);
	const kind = severity ? { Alert: { severity: severity[0].toUpperCase() + severity.slice(1) } } : 'Message';
	const tx = api.tx.messages.send(recipient, kind, u8aToHex(ipfs.cidBytes(cid)), envelope.length,
		u8aToHex(wrapped.slice(0, WRAPPED)), u8aToHex(wrapped.slice(WRAPPED, 2 * WRAPPED)));
	await submit(api, keys.pair, tx);
	return doctor === keys.address ? `the patient ${shortAddress(recipient)}` : `Dr ${care.doctor.name.replace(/^Dr\.? /, '')}`;
}

/**
 * The messages card: the inbox (proven, newest first) and a form to write to one of `partners`
 * (`[account, label]`: a patient's doctors, a doctor's patients). `doctor`: the signed-in user
 * is a doctor (may send alerts; the patient of a message is then the recipient).
 */
export async function messagesCard(ctx, names, partners, doctor) {
	const list = h('div', { 'data-testid': 'inbox' });
	const show = async () => {
		const messages = await inbox(ctx);
		list.replaceChildren(messages.length ? h('ul', {}, messages.map((m) => h('li', { class: m.kind === 'alert' ? 'bad' : null },
			h('strong', { title: m.sender }, `${m.kind === 'alert' ? `ALERT (${m.severity}) ` : ''}${m.from}`),
			` · ${formatTime(Number(m.sentAt))}: `,
			m.error ? h('em', {}, `not shown: ${m.error}`) : h('span', { class: 'message' }, m.text))))
			: h('p', { class: 'muted' }, 'No messages.'));
	};
	await show();
	const to = h('select', {}, h('option', { value: '' }, partners.length ? 'Choose…' : (doctor ? 'No patient in your care' : 'No doctor cares for you yet')),
		partners.map(([account, label]) => h('option', { value: account }, label)));
	const severity = h('select', {}, SEVERITIES.map(([value, label]) => h('option', { value }, label)));
	const text = h('textarea', {});
	const button = h('button', { type: 'submit' }, 'Encrypt and send');
	const form = h('form', { onsubmit: (e) => {
		e.preventDefault();
		act(button, 'Sending', async () => {
			if (!to.value) throw new Failure('Choose whom to write to.');
			if (!text.value.trim()) throw new Failure('Write the message first.');
			const whom = await send(ctx, to.value, text.value, doctor ? severity.value : '', doctor ? to.value : ctx.keys.address);
			say(`Sent to ${whom}: only the two of you can read it.`, true);
			text.value = '';
		});
	} }, field('To', to), doctor ? field('Message or alert', severity) : null, field('Message', text), button);
	const reload = h('button', { type: 'button', class: 'secondary' }, 'Check for new messages');
	reload.addEventListener('click', () => act(reload, 'Reading your inbox', async () => { await show(); say('Inbox read.', true); }));
	return h('section', { class: 'card' }, h('h2', {}, 'Messages'), list, reload, h('h3', {}, 'Write'), form,
		h('p', { class: 'muted' }, 'Between a patient and a doctor who cares for them (a current grant or an open appointment). Encrypted in this browser for the two of you.'));
}
