// Hospital staff: register doctors, suspend and reinstate them, invite patients (a printable
// invitation with a QR code), and the hospital's emergency accesses to review.
import QRCode from 'qrcode';
import { u8aToHex } from '@polkadot/util';
import { decodeAddress } from '@polkadot/util-crypto';
import { ehr, submit, Failure, directory } from './chain.js';
import { rosterCard } from './oncall.js';
import { context, refresh } from './session.js';
import { act, field, formatTime, h, say, shortAddress } from './ui.js';

function account(value) {
	const text = value.trim();
	try {
		decodeAddress(text);
		return text;
	} catch {
		throw new Failure(`"${text.slice(0, 60)}" is not an account address (SS58, like 5F…).`);
	}
}

export async function hospitalPage(app) {
	const ctx = await context();
	if (!app.roles.hospital) return h('section', { class: 'card' }, h('h2', {}, 'Hospital'), h('p', {}, 'This account is not a member hospital of the consortium.'));
	const root = h('div');
	root.append(await doctorsCard(ctx), await rosterCard(ctx), inviteCard(ctx, app), await emergencyCard(ctx));
	return root;
}

async function doctorsCard(ctx) {
	const me = ctx.keys.address;
	const mine = (await directory(ctx.api)).filter((d) => d.hospital === me);
	const rows = mine.map((d) => {
		const button = h('button', { type: 'button', class: d.suspended ? 'secondary' : 'danger' }, d.suspended ? 'Reinstate' : 'Suspend');
		button.addEventListener('click', () => act(button, d.suspended ? 'Reinstating' : 'Suspending', async () => {
			const call = d.suspended ? ctx.api.tx.identity.reinstateDoctor(d.account) : ctx.api.tx.identity.suspendDoctor(d.account);
			await submit(ctx.api, ctx.keys.pair, call);
			say(`Dr ${d.name} ${d.suspended ? 'reinstated' : 'suspended: no reads or writes until reinstated'}.`, true);
			await refresh();
		}));
		return h('tr', {}, h('td', {}, d.name), h('td', {}, d.specialty), h('td', {}, d.licence),
			h('td', {}, d.suspended ? 'Suspended' : d.encryptionKey ? 'Active' : 'Active (no key yet)'), h('td', {}, button));
	});
	// Offers the accounts have not accepted yet: no doctor until the account signs.
	const text = (field_) => new TextDecoder().decode(field_.toU8a(true));
	for (const [key, value] of await ctx.api.query.identity.doctorOffers.entries()) {
		const offer = value.unwrap();
		if (offer.hospital.toString() !== me) continue;
		const who = key.args[0].toString();
		const withdraw = h('button', { type: 'button', class: 'secondary' }, 'Withdraw');
		withdraw.addEventListener('click', () => act(withdraw, 'Withdrawing the offer', async () => {
			await submit(ctx.api, ctx.keys.pair, ctx.api.tx.identity.cancelInvitation(who));
			say(`The offer to ${shortAddress(who)} is withdrawn.`, true);
			await refresh();
		}));
		rows.push(h('tr', {}, h('td', {}, text(offer.name)), h('td', {}, text(offer.specialty)), h('td', {}, text(offer.licence)),
			h('td', {}, 'Offered: waiting for the doctor to accept'), h('td', {}, withdraw)));
	}
	const who = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
	const name = h('input', { type: 'text' });
	const specialty = h('input', { type: 'text' });
	const licence = h('input', { type: 'text' });
	const button = h('button', { type: 'submit' }, 'Register the doctor');
	const form = h('form', { onsubmit: (e) => {
		e.preventDefault();
		act(button, 'Registering the doctor', async () => {
			if (!name.value.trim() || !licence.value.trim()) throw new Failure('Name and licence number are needed.');
			// Text as UTF-8 bytes (a string that looks like hex would otherwise be read as hex).
			const text = (field_) => u8aToHex(new TextEncoder().encode(field_.value.trim()));
			await submit(ctx.api, ctx.keys.pair, ctx.api.tx.identity.registerDoctor(account(who.value), text(name), text(specialty), text(licence)));
			say(`The role is offered to Dr ${name.value.trim()}. The doctor signs in and accepts it (nobody becomes your doctor without accepting).`, true);
			await refresh();
		});
	} }, field("Doctor's account", who, 'The doctor creates a key in this app and gives you the account.'),
	field('Full name', name), field('Specialty', specialty), field('Licence number', licence), button);
	return h('section', { class: 'card' }, h('h2', {}, 'Our doctors'),
		rows.length ? h('table', {}, h('thead', {}, h('tr', {}, ['Name', 'Specialty', 'Licence', 'Status', ''].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', {}, rows))
			: h('p', { class: 'muted' }, 'No doctors registered yet.'),
		h('h3', {}, 'Register a doctor'), form);
}

function inviteCard(ctx) {
	const who = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
	const button = h('button', { type: 'submit' }, 'Invite');
	const printable = h('div');
	const form = h('form', { onsubmit: (e) => {
		e.preventDefault();
		act(button, 'Inviting', async () => {
			const patient = account(who.value);
			await submit(ctx.api, ctx.keys.pair, ctx.api.tx.identity.invitePatient(patient));
			const link = `${location.origin}${location.pathname}#/patient`;
			const img = h('img', { alt: `QR code of the app's address ${link}` });
			img.src = await QRCode.toDataURL(link, { margin: 1, width: 200 });
			printable.replaceChildren(h('section', { class: 'card print invitation', 'data-testid': 'invitation' },
				h('h2', {}, 'Your invitation to your health records'),
				h('p', {}, 'Open this address on your phone or computer, unlock your key and choose "Register as a patient". Registering is free for you.'),
				img, h('p', { class: 'mono' }, link), h('p', {}, 'Invited account: ', h('span', { class: 'mono' }, patient)),
				h('p', { class: 'muted' }, `Invited on ${formatTime(Date.now())}.`),
				h('button', { type: 'button', onclick: () => window.print() }, 'Print')));
			say(`Invited ${shortAddress(patient)}: the patient registers for free.`, true);
			who.value = '';
		});
	} }, field("Patient's account", who, 'The patient creates a key in this app and shows you the account (or its QR code).'), button);
	return h('section', { class: 'card' }, h('h2', {}, 'Invite a patient'), form, printable);
}

async function emergencyCard(ctx) {
	const me = ctx.keys.address;
	const ours = new Map((await directory(ctx.api)).filter((d) => d.hospital === me).map((d) => [d.account, d.name]));
	// Every open emergency access (a bounded list: each doctor may hold only a few), ours kept.
	const rows = [];
	for (const [key, value] of await ctx.api.query.consent.emergencyAccesses.entries()) {
		const [patient, doctor] = key.args.map((a) => a.toString());
		if (!ours.has(doctor)) continue;
		const access = value.unwrap();
		// Expired but not yet cleaned up by the chain: no longer open.
		if (access.expiresAt.toNumber() <= Date.now()) continue;
		rows.push(h('tr', {}, h('td', {}, ours.get(doctor)), h('td', {}, shortAddress(patient)), h('td', {}, access.code.toString()),
			h('td', {}, formatTime(access.openedAt.toNumber())), h('td', {}, formatTime(access.expiresAt.toNumber()))));
	}
	return h('section', { class: 'card' }, h('h2', {}, 'Emergency accesses to review'),
		rows.length ? h('table', {}, h('thead', {}, h('tr', {}, ['Doctor', 'Patient', 'Reason', 'Opened', 'Closes'].map((t) => h('th', { scope: 'col' }, t)))), h('tbody', {}, rows))
			: h('p', { class: 'muted' }, 'No open emergency access by our doctors.'));
}
