// Video visits: a call between the patient and the doctor of a confirmed video appointment, at
// its time, from this page.
//
// Media goes browser to browser over WebRTC (DTLS-SRTP), through the hospital's TURN server
// (relay only: neither side learns the other's network address). The session descriptions go
// through the hospital's node (`ehr_visitSignal` / `ehr_visitListen`), which forwards them live
// between the two parties of the visit and keeps nothing; each one is encrypted in this browser
// for the other party's proven encryption key and signed by this account's key. The receiving
// browser opens only what the other party signed for this visit, and once connected checks that
// the DTLS certificate of the connection it got is the one the other party signed: a node, proxy
// or TURN server that swaps a description gets a refused call and a warning, never a silent man
// in the middle. The chat runs on a data channel of the same connection.
import { bnToU8a, hexToU8a, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsU8a, decodeAddress, sr25519Verify } from '@polkadot/util-crypto';
import { CATEGORIES, Failure, ehr, rpc, submit, subscribe } from './chain.js';
import { checkPin, fingerprint } from './keys.js';
import { context } from './session.js';
import { answeredOnCall } from './oncall.js';
import { patientNames } from './names.js';

/** The largest file shared in a call's chat, and the pieces it travels in. */
export const MAX_CHAT_FILE = 16 << 20;
/** The most bytes of files one call takes in (a party cannot fill the other's memory). */
const MAX_CHAT_RECEIVED = 64 << 20;
const CHUNK = 16 << 10;

import * as verify from './verify.js';
import { act, download as saveAs, formatSize, formatTime, h, readable, say, shortAddress } from './ui.js';
import { upload } from './flows.js';

const WRAPPED = 80;
const COMMITMENT = 32;
/** A party may join from this long before the start until this long after the end (as the node). */
export const EARLY_MS = 10 * 60_000;
export const LATE_MS = 30 * 60_000;
/** How long to wait for the connection's candidates before sending a description anyway. */
const GATHERING_MS = 5000;
/**
 * A message older than this (the sender's clock) is not used: a replay. The node takes senders'
 * clocks within a minute of its own, so two parties' clocks may differ by two.
 */
const MAX_AGE_MS = 150_000;
/** TURN credentials are asked again this long before they expire. */
const CREDENTIALS_MARGIN_MS = 10 * 60_000;

const u64 = (n) => bnToU8a(BigInt(n), { bitLength: 64, isLe: true });

/** What the sender of a signalling message signs (as `ehr_rpc_api::visit_signal_payload`). */
export function signalPayload(genesis, s) {
	return u8aConcat(stringToU8a('ehr-visit-signal:v1'), hexToU8a(genesis), u64(s.appointment),
		decodeAddress(s.from), decodeAddress(s.to), u64(s.sentAt), blake2AsU8a(hexToU8a(s.sealed), 256));
}
const listenPayload = (genesis, appointment, account, at) => u8aConcat(stringToU8a('ehr-visit-listen:v1'), hexToU8a(genesis), u64(appointment), decodeAddress(account), u64(at));
const icePayload = (genesis, appointment, account, at) => u8aConcat(stringToU8a('ehr-visit-ice:v1'), hexToU8a(genesis), u64(appointment), decodeAddress(account), u64(at));

/** What the chain holds of a visit's call, in words (`visit`: `{ startedAt, endedAt }`). */
export function visitText(visit) {
	if (!visit) return null;
	if (visit.endedAt == null) return `Video call since ${formatTime(visit.startedAt)}`;
	const minutes = Math.ceil(Math.max(0, visit.endedAt - visit.startedAt) / 60_000);
	return `Video call at ${formatTime(visit.startedAt)}, ${minutes} min`;
}

/** Whether `appointment` can be joined now (a confirmed video visit in its window). */
export function joinable(appointment, now = Date.now()) {
	const end = appointment.start + appointment.durationMinutes * 60_000;
	return appointment.kind === 'video' && appointment.status === 'confirmed'
		&& now + EARLY_MS >= appointment.start && now <= end + LATE_MS;
}

/** Every DTLS fingerprint a session description names (`sha-256 AB:CD…`), upper case. */
export function sdpFingerprints(sdp) {
	return [...new Set([...(sdp || '').matchAll(/^a=fingerprint:(\S+) ([0-9A-Fa-f:]+)\s*$/gm)]
		.map((m) => `${m[1].toLowerCase()} ${m[2].toUpperCase()}`))];
}

/**
 * The signalling of one visit: messages sealed for the other party and signed by this account,
 * sent through the node; messages received opened only if the other party signed them for this
 * visit and this account.
 */
class Signalling {
	constructor(ctx, wasm, appointment, peer, peerKey) {
		Object.assign(this, { ctx, wasm, appointment, peer, peerKey });
		this.genesis = ctx.api.genesisHash.toHex();
		this.me = ctx.keys.address;
	}

	async send(body) {
		const sealed = this.wasm.sealRecord(new TextEncoder().encode(JSON.stringify(body)), this.peerKey);
		const bytes = u8aConcat(sealed.wrapped, sealed.commitment, sealed.envelope);
		sealed.free();
		const signal = { appointment: this.appointment, from: this.me, to: this.peer, sentAt: Date.now(), sealed: u8aToHex(bytes) };
		signal.signature = u8aToHex(this.ctx.keys.pair.sign(signalPayload(this.genesis, signal)));
		return rpc(this.ctx.api, 'ehr_visitSignal', [signal]);
	}

	/** Opens `signal`, or throws what is wrong with it. */
	open(signal) {
		if (signal.appointment !== this.appointment || signal.to !== this.me || signal.from !== this.peer) {
			throw new Error(`a message for another visit or from another account (${shortAddress(signal.from)})`);
		}
		if (!sr25519Verify(signalPayload(this.genesis, signal), signal.signature, decodeAddress(this.peer))) {
			throw new Error('its signature is not the other party\'s: it was altered on the way');
		}
		if (Math.abs(Date.now() - signal.sentAt) > MAX_AGE_MS) throw new Error('it is an old message sent again');
		const bytes = hexToU8a(signal.sealed);
		const plain = this.ctx.keys.encryption.openRecord(bytes.subarray(0, WRAPPED),
			bytes.subarray(WRAPPED + COMMITMENT), bytes.subarray(WRAPPED, WRAPPED + COMMITMENT));
		const body = JSON.parse(new TextDecoder().decode(plain));
		if (body.appointment !== this.appointment) throw new Error('it names another visit');
		return body;
	}

	async listen(onBody, onForged) {
		// A proof signed now, each time: the subscription is made again after the connection to
		// the node drops during the call.
		const proof = () => {
			const at = Date.now();
			const signature = u8aToHex(this.ctx.keys.pair.sign(listenPayload(this.genesis, this.appointment, this.me, at)));
			return [this.appointment, this.me, at, signature];
		};
		this.stop = await subscribe(this.ctx.api, 'ehr_visitMessage', 'ehr_visitListen', 'ehr_visitUnlisten',
			proof, (error, signal) => {
				if (error || !signal) return;
				let body;
				try {
					body = this.open(signal);
				} catch (e) {
					onForged(String(e.message || e));
					return;
				}
				onBody(body, signal.sentAt);
			}, { renew: true });
	}

	/** Credentials for the hospital's TURN server; refuses the call without one. */
	async iceServers() {
		const at = Date.now();
		const signature = u8aToHex(this.ctx.keys.pair.sign(icePayload(this.genesis, this.appointment, this.me, at)));
		try {
			return await rpc(this.ctx.api, 'ehr_visitIceServers', [this.appointment, this.me, at, signature]);
		} catch (error) {
			if (/9006|no TURN/i.test(error.message)) {
				throw new Failure('This hospital\'s node offers no relay for calls, and a call without one would show your network address to the other party: the call was not started. Tell the hospital (its node needs --turn-url).');
			}
			throw error;
		}
	}
}

/** The configuration of a connection through the TURN server of `servers` only. */
const relayOnly = (servers) => ({
	iceServers: [{ urls: servers.urls, username: servers.username, credential: servers.credential }],
	iceTransportPolicy: 'relay',
});

/**
 * One call. The patient offers, the doctor answers; either may join first (a `hello` tells the
 * other one is there). Descriptions are sent complete (every candidate gathered), in one message.
 * Every message but `hello` names the page it is for (`to`), and an answer the offer it answers:
 * a message for another page of the account, or an old page of the other party's, is not used.
 */
class Call {
	constructor({ signalling, patient, ui, voiceOnly, record }) {
		Object.assign(this, { signalling, patient, ui, voiceOnly, record });
		this.id = u8aToHex(crypto.getRandomValues(new Uint8Array(8)));
		this.peerCall = null;
		this.peerSince = 0; // when the other party's current page sent its first message
		this.seq = 0;
		this.peerSeq = 0;
		this.timing = { joined: Date.now(), connected: null, firstFrame: null };
		this.ended = false;
		this.queue = Promise.resolve();
	}

	/** Fresh TURN credentials when the ones in use expire within the margin (or always). */
	async credentials(always = false) {
		if (!always && this.expires && this.expires - Date.now() > CREDENTIALS_MARGIN_MS) return;
		const servers = await this.signalling.iceServers();
		this.expires = servers.expiresAt;
		this.config = relayOnly(servers);
		this.pc?.setConfiguration(this.config);
	}

	async start() {
		await this.credentials(true);
		this.media = await navigator.mediaDevices.getUserMedia({ audio: true, video: true }).catch(() => {
			throw new Failure('The browser gave no camera or microphone: allow them for this page (the address bar\'s icon) and join again.');
		});
		// Both sides keep their credentials fresh during a long call (started only once the
		// call can go on: a refused camera leaves nothing running).
		this.refresher = setInterval(() => this.later(() => this.credentials().catch(() => {})), 60_000);
		if (this.voiceOnly) this.media.getVideoTracks().forEach((t) => { t.enabled = false; });
		this.ui.local(this.media);
		await this.signalling.listen((body, sentAt) => this.later(() => this.receive(body, sentAt)),
			(why) => this.ui.warn(`A message for this call was refused: ${why}. The call does not use it; if it does not connect, someone between you and the other party may be interfering.`));
		await this.hello();
	}

	/** Runs `work` after what is queued (messages and restarts one at a time, in order). */
	later(work) {
		this.queue = this.queue.then(work).catch((e) => this.ui.warn(`The call could not use a message: ${e.human || e.message || e}`));
		return this.queue;
	}

	async hello() {
		const reached = await this.send({ type: 'hello' });
		this.ui.status(reached ? 'Connecting…' : `Waiting for ${this.ui.peerName} to join…`);
	}

	send(body) {
		return this.signalling.send({ ...body, appointment: this.signalling.appointment, call: this.id, seq: ++this.seq });
	}

	newConnection() {
		this.pc?.close();
		const pc = new RTCPeerConnection(this.config);
		this.pc = pc;
		this.media.getTracks().forEach((track) => pc.addTrack(track, this.media));
		pc.ontrack = (event) => this.ui.remote(event.streams[0], () => {
			if (!this.timing.firstFrame) this.timing.firstFrame = Date.now();
		});
		pc.ondatachannel = (event) => this.useChannel(event.channel);
		if (this.patient) this.useChannel(pc.createDataChannel('chat'));
		pc.onconnectionstatechange = () => this.connectionChanged(pc);
		return pc;
	}

	useChannel(channel) {
		this.channel = channel;
		this.received ??= 0;
		channel.binaryType = 'arraybuffer';
		// A file arrives as its header (name, type, size) and then its bytes in chunks, in order
		// (the channel is reliable and ordered); one at a time.
		let incoming = null;
		const peer = this.ui.peerName.replace(/^the p/, 'P');
		channel.onmessage = (event) => {
			if (event.data instanceof ArrayBuffer) {
				if (!incoming) return;
				const chunk = new Uint8Array(event.data);
				if (incoming.received + chunk.length > incoming.size) {
					incoming = null;
					this.ui.chat(peer, '(a file that did not match its announced size was dropped)');
					return;
				}
				incoming.bytes.set(chunk, incoming.received);
				incoming.received += chunk.length;
				if (incoming.received === incoming.size) {
					this.ui.file(peer, incoming.name, incoming.type, incoming.bytes, false);
					incoming = null;
				}
				return;
			}
			try {
				const message = JSON.parse(event.data);
				if (typeof message.text === 'string' && message.text.length <= 4000) this.ui.chat(peer, message.text);
				const file = message.file;
				if (file && typeof file.name === 'string' && Number.isSafeInteger(file.size)) {
					if (file.size < 0 || file.size > MAX_CHAT_FILE) {
						this.ui.chat(peer, `(a file larger than ${MAX_CHAT_FILE >> 20} MiB was refused)`);
						return;
					}
					// The page keeps what arrives: at most MAX_CHAT_RECEIVED of files in one call.
					if (this.received + file.size > MAX_CHAT_RECEIVED) {
						this.ui.chat(peer, `(a file was refused: this call received ${MAX_CHAT_RECEIVED >> 20} MiB of files already)`);
						return;
					}
					this.received += file.size;
					incoming = { name: readable(file.name, 200) || 'file', type: typeof file.type === 'string' ? file.type.slice(0, 100) : '', size: file.size, bytes: new Uint8Array(file.size), received: 0 };
					if (file.size === 0) {
						this.ui.file(peer, incoming.name, incoming.type, incoming.bytes, false);
						incoming = null;
					}
				}
			} catch { /* not a chat message */ }
		};
		channel.onopen = () => this.ui.chatReady(true);
		channel.onclose = () => this.ui.chatReady(false);
	}

	chat(text) {
		if (this.channel?.readyState !== 'open') throw new Failure('The chat opens once the call is connected.');
		this.channel.send(JSON.stringify({ text }));
		this.ui.chat('You', text);
	}

	/** Sends a file to the other party over the call's data channel (end to end, not stored). */
	async share(file) {
		const channel = this.channel;
		if (channel?.readyState !== 'open') throw new Failure('Files are shared once the call is connected.');
		if (file.size > MAX_CHAT_FILE) throw new Failure(`A file shared in the call is at most ${MAX_CHAT_FILE >> 20} MiB: upload a larger one as a record.`);
		const bytes = new Uint8Array(await file.arrayBuffer());
		channel.send(JSON.stringify({ file: { name: file.name, type: file.type, size: bytes.length } }));
		channel.bufferedAmountLowThreshold = 1 << 20;
		for (let at = 0; at < bytes.length; at += CHUNK) {
			if (channel.bufferedAmount > 4 << 20) {
				await new Promise((resolve) => {
					channel.addEventListener('bufferedamountlow', resolve, { once: true });
					channel.addEventListener('close', resolve, { once: true });
				});
			}
			if (channel.readyState !== 'open') throw new Failure('The call ended while the file was being sent: share it again.');
			channel.send(bytes.slice(at, at + CHUNK));
		}
		this.ui.file('You', file.name, file.type, bytes, true);
	}

	/**
	 * The local description once its candidates are gathered (at most `GATHERING_MS`). After an
	 * ICE restart the state may still read `complete` from the last round for a moment: the
	 * description must hold candidates of its own (new) credentials.
	 */
	async describe(pc) {
		const end = Date.now() + GATHERING_MS;
		for (;;) {
			const sdp = pc.localDescription.sdp;
			if ((pc.iceGatheringState === 'complete' && /^a=candidate:/m.test(sdp)) || Date.now() > end) return sdp;
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
	}

	async offer({ restart = false } = {}) {
		await this.credentials();
		const pc = restart && this.pc ? this.pc : this.newConnection();
		await pc.setLocalDescription(await pc.createOffer({ iceRestart: restart }));
		const sdp = await this.describe(pc);
		this.offered = this.seq + 1; // the seq `send` gives this offer
		this.offeredAt = Date.now();
		await this.send({ type: 'offer', sdp, to: this.peerCall });
	}

	async receive(body, sentAt) {
		if (this.ended) return;
		if (body.type !== 'hello' && body.to !== this.id) return; // for another page of this account
		if (body.call !== this.peerCall) {
			// A page of the other party's older than the one in use: not used.
			if (sentAt < this.peerSince) return;
			this.peerCall = body.call;
			this.peerSince = sentAt;
			this.peerSeq = 0;
		}
		if (body.seq <= this.peerSeq) return; // sent again: used once
		this.peerSeq = body.seq;
		if ((body.type === 'hello' || body.type === 'hello-back') && this.patient) {
			// One offer to each page of the other party (their hello and their reply to ours cross).
			if (this.offeredTo !== this.peerCall || !this.pc) {
				this.offeredTo = this.peerCall;
				await this.offer();
			}
		} else if (body.type === 'hello') {
			await this.send({ type: 'hello-back', to: this.peerCall });
		} else if (body.type === 'offer' && !this.patient) {
			const signed = sdpFingerprints(body.sdp);
			if (!signed.length) throw new Error('the other party\'s description names no DTLS fingerprint');
			const same = this.pc?.remoteDescription && this.pc.expected?.every((f) => signed.includes(f));
			await this.credentials();
			const pc = same ? this.pc : this.newConnection();
			pc.expected = signed;
			await pc.setRemoteDescription({ type: 'offer', sdp: body.sdp });
			await pc.setLocalDescription(await pc.createAnswer());
			await this.send({ type: 'answer', sdp: await this.describe(pc), to: this.peerCall, answers: body.seq });
		} else if (body.type === 'answer' && this.patient && this.pc?.signalingState === 'have-local-offer' && body.answers === this.offered) {
			const signed = sdpFingerprints(body.sdp);
			if (!signed.length) throw new Error('the other party\'s description names no DTLS fingerprint');
			this.pc.expected = signed;
			await this.pc.setRemoteDescription({ type: 'answer', sdp: body.sdp });
		} else if (body.type === 'bye') {
			this.pc?.close();
			this.pc = null;
			clearTimeout(this.restartTimer);
			if (body.reason === 'certificate') {
				this.ui.warn(`${this.ui.peerName}'s browser refused the connection: its encryption certificate was not the one this browser signed. Someone between you may be listening; tell the hospital.`);
				this.ui.status('Call refused.');
			} else {
				this.ui.status(`${this.ui.peerName} left the call. Stay on this page to be called again.`);
				// The call happened: its end goes on chain from this side too (once, either side).
				if (this.timing.connected) this.record('endVisit');
			}
			this.ui.chatReady(false);
			this.ui.connected(false);
		}
	}

	async connectionChanged(pc) {
		if (pc !== this.pc || this.ended) return;
		const state = pc.connectionState;
		if (state === 'connected') {
			// The DTLS certificate the connection was made with must be one the other party signed.
			const got = await this.remoteFingerprint(pc);
			// Replaced, ended or dropped meanwhile: the next state change decides.
			if (pc !== this.pc || this.ended || pc.connectionState !== 'connected') return;
			if (got && !pc.expected?.includes(got)) {
				pc.close();
				this.pc = null;
				clearTimeout(this.restartTimer);
				// The other side stops trying too, and is told why.
				this.send({ type: 'bye', reason: 'certificate', to: this.peerCall }).catch(() => {});
				this.ui.warn(`The call was refused: the connection's encryption certificate (${got}) is not the one ${this.ui.peerName} signed (${pc.expected?.join(', ')}). Someone between you may be listening; tell the hospital.`);
				this.ui.status('Call refused.');
				this.ui.connected(false);
				return;
			}
			if (!this.timing.connected) {
				this.timing.connected = Date.now();
				// The doctor's app puts the start on chain; the call does not wait for it.
				if (!this.patient) this.record('startVisit');
			}
			clearTimeout(this.restartTimer);
			this.ui.status(`Connected to ${this.ui.peerName} (through the hospital's relay): end-to-end encrypted${got ? '' : ' (this browser does not show the connection\'s certificate to check it)'}.`);
			this.ui.connected(true);
		} else if (state === 'disconnected' || state === 'failed') {
			this.ui.status('The connection dropped: reconnecting…');
			this.ui.connected(false);
			// The patient's side restarts ICE (the doctor's answers), until it reconnects.
			if (this.patient) this.scheduleRestart(state === 'failed' ? 0 : 2000);
		}
	}

	/**
	 * Restarts ICE after `delay`, then again with a growing pause (5, 10, 20, 30 s) until the
	 * connection is back; an offer still waiting for its answer (under 15 s) is left to finish.
	 */
	scheduleRestart(delay, next = 5000) {
		clearTimeout(this.restartTimer);
		this.restartTimer = setTimeout(() => this.later(async () => {
			if (this.ended || !this.pc || this.pc.connectionState === 'connected') return;
			const waiting = this.pc.signalingState === 'have-local-offer' && Date.now() - this.offeredAt < 15_000;
			if (!waiting) {
				try {
					await this.offer({ restart: true });
				} catch (e) {
					this.ui.status(`Reconnecting… (${e.human || e.message || e})`);
				}
			}
			this.scheduleRestart(next, Math.min(next * 2, 30_000));
		}), delay);
	}

	/** What arrives: video frames decoded, audio samples, and whether the route is the relay. */
	async stats() {
		const out = { framesDecoded: 0, audioSamples: 0, relay: false, connected: this.pc?.connectionState === 'connected' };
		if (!this.pc) return out;
		const stats = await this.pc.getStats();
		for (const report of stats.values()) {
			if (report.type === 'inbound-rtp' && report.kind === 'video') out.framesDecoded += report.framesDecoded || 0;
			if (report.type === 'inbound-rtp' && report.kind === 'audio') out.audioSamples += report.totalSamplesReceived || 0;
			if (report.type === 'transport' && report.selectedCandidatePairId) {
				const pair = stats.get(report.selectedCandidatePairId);
				out.relay ||= stats.get(pair?.localCandidateId)?.candidateType === 'relay';
			}
		}
		return out;
	}

	/** The remote DTLS certificate's fingerprint the connection shows (null: not shown). */
	async remoteFingerprint(pc) {
		const stats = await pc.getStats();
		for (const report of stats.values()) {
			if (report.type === 'transport' && report.remoteCertificateId) {
				const cert = stats.get(report.remoteCertificateId);
				if (cert) return `${cert.fingerprintAlgorithm.toLowerCase()} ${cert.fingerprint.toUpperCase()}`;
			}
		}
		return null;
	}

	async end() {
		if (this.ended) return;
		this.ended = true;
		if (this.timing.connected) this.record('endVisit');
		clearTimeout(this.restartTimer);
		clearInterval(this.refresher);
		try { await this.send({ type: 'bye', to: this.peerCall }); } catch { /* the other side sees the connection drop */ }
		this.pc?.close();
		this.media?.getTracks().forEach((t) => t.stop());
		this.signalling.stop?.();
	}
}

let wasm;
export function useWasm(module) { wasm = module; }
let current = null;
window.addEventListener('hashchange', () => {
	if (current && !location.hash.startsWith('#/visit')) { current.end(); current = null; }
});
// Closing or reloading the tab hangs up too (the bye and the end are sent as the page goes).
window.addEventListener('pagehide', () => { current?.end(); current = null; });

/** The visit page (`#/visit?appointment=ID`): join the call, camera and microphone, chat. */
export async function visitPage(app) {
	const ctx = await context();
	const query = new URLSearchParams(location.hash.split('?')[1] || '');
	const id = Number(query.get('appointment'));
	const me = ctx.keys.address;
	const doctor = Boolean(app.roles.doctor);
	// The parties from the chain's state, proven (a node cannot put another account in the call);
	// the list only for what the chain recorded of the call so far. A visit just made on call
	// is proven once its block is final: a few seconds.
	let appointment = await verify.appointment(ctx.api, id);
	for (let waited = 0; !appointment && query.get('new') === '1' && waited < 60; waited += 2) {
		await new Promise((resolve) => setTimeout(resolve, 2000));
		appointment = await verify.appointment(ctx.api, id);
	}
	if (!appointment || (appointment.patient !== me && appointment.doctor !== me)) throw new Failure(`You have no appointment ${id}.`);
	if (appointment.patient === appointment.doctor) throw new Failure('This appointment is with yourself: there is nobody to call.');
	const listed = (await ehr(ctx.api, doctor && appointment.doctor === me ? 'doctorAppointments' : 'patientAppointments', me, null)
		.catch(() => [])).find((a) => a.id === id);
	appointment.visit = listed?.visit ?? null;
	const patient = appointment.patient === me;
	const peer = patient ? appointment.doctor : appointment.patient;
	let peerName = `the patient ${shortAddress(peer)}`;
	if (!patient) {
		// The patient's name, if the doctor may read the profile (a logged read).
		const named = (await patientNames(ctx, [peer], new Map()).catch(() => new Map())).get(peer);
		if (named) peerName = named;
	}
	if (patient) {
		const entry = await verify.doctor(ctx.api, peer);
		if (!entry || entry.status !== 'active') throw new Failure('The chain shows no active doctor for this appointment: no call is made.');
		peerName = `Dr ${entry.name.replace(/^Dr\.? /, '')}`;
	}
	const root = h('section', { class: 'card visit' }, h('h2', {}, `Video visit with ${peerName}`),
		h('p', { class: 'muted' }, `${formatTime(appointment.start)} · ${appointment.durationMinutes} min`));
	if (!joinable(appointment)) {
		root.append(h('p', {}, `The call opens ${EARLY_MS / 60_000} minutes before the visit, for a confirmed video appointment.`));
		return root;
	}
	const statusLine = h('p', { 'data-testid': 'call-status', 'aria-live': 'polite' }, 'Not joined yet.');
	// The start and end of the call go on chain (and into the patient's trail), after the fact:
	// each once per visit, whichever party's app gets there first.
	const onChain = h('p', { class: 'muted', 'data-testid': 'visit-record', 'aria-live': 'polite' }, visitText(appointment.visit) || '');
	const recorded = { startVisit: Boolean(appointment.visit), endVisit: appointment.visit?.endedAt != null };
	// A visit this doctor answered on call is done when its call ends (a doctor has only a few
	// open on-call visits at once).
	const completeOnCall = () => {
		if (patient || !answeredOnCall.delete(id)) return;
		submit(ctx.api, ctx.keys.pair, ctx.api.tx.appointments.complete(id)).then(() => {
			onChain.textContent += ' The on-call visit is marked done.';
		}).catch((error) => {
			onChain.textContent += ` The on-call visit could not be marked done (${error.human || error.message}): mark it under "Appointments".`;
		});
	};
	const record = (call) => {
		if (recorded[call]) return;
		recorded[call] = true;
		const what = call === 'startVisit' ? 'start' : 'end';
		submit(ctx.api, ctx.keys.pair, ctx.api.tx.appointments[call](id)).then(() => {
			onChain.textContent = `The call's ${what} is on chain (final) and in the patient's trail.`;
			if (call === 'endVisit') completeOnCall();
		}).catch((error) => {
			// The other party's app recorded it first: nothing to do.
			if (/VisitStarted|VisitEnded/.test(error.detail || error.message)) {
				if (call === 'endVisit') completeOnCall();
				return;
			}
			// Not started yet (the other side's start not final): the next hang-up or bye tries again.
			recorded[call] = false;
			if (/VisitNotStarted/.test(error.detail || error.message)) return;
			onChain.textContent = `The call's ${what} could not be put on chain: ${error.human || error.message}`;
		});
	};
	const warning = h('p', { class: 'bad', 'data-testid': 'call-warning', role: 'alert', hidden: true });
	const localVideo = h('video', { autoplay: true, playsinline: true, muted: true, 'aria-label': 'Your camera', 'data-testid': 'local-video' });
	const remoteVideo = h('video', { autoplay: true, playsinline: true, 'aria-label': `${peerName}'s camera`, 'data-testid': 'remote-video' });
	localVideo.muted = true;
	const log = h('ul', { 'data-testid': 'chat-log', class: 'chat' });
	const input = h('input', { type: 'text', maxlength: 4000, 'aria-label': 'Chat message', disabled: true });
	const sendButton = h('button', { type: 'submit', disabled: true }, 'Send');
	const fileInput = h('input', { type: 'file', 'aria-label': 'File to share', disabled: true });
	const shareButton = h('button', { type: 'button', class: 'secondary', disabled: true }, 'Share the file');
	shareButton.addEventListener('click', () => act(shareButton, 'Sending the file', async () => {
		const file = fileInput.files?.[0];
		if (!file) throw new Failure('Choose a file to share first.');
		await current.share(file);
		fileInput.value = '';
	}));
	// A file shared in the call: downloaded, or kept as a record of the patient (the patient's
	// own upload, or the doctor's under the patient's write access), encrypted as any record.
	const sharedFile = (who, name, type, bytes, mine) => {
		// Kept as what it is: a document someone shared, wrapped (a FHIR resource inside a file
		// is not stored as if the one keeping it had written it, e.g. a "prescription").
		const category = h('select', { 'aria-label': 'Keep as' }, CATEGORIES.filter(([c]) => c === 'document').map(([c, label]) => h('option', { value: c }, label)));
		const keep = h('button', { type: 'button', class: 'secondary' }, patient ? 'Keep in my records' : 'Save to the patient\'s records');
		keep.addEventListener('click', () => act(keep, 'Encrypting and recording the file', async () => {
			const done = await upload(ctx, appointment.patient, category.value, bytes, () => {}, `${who === 'You' ? '' : `from ${who}, `}shared in a video visit: ${name}`, { wrap: true });
			keep.disabled = true;
			say(`Record ${done.id} added from the call: ${name}, encrypted for the patient and ${done.readers - 1} other reader(s).`, true);
		}));
		const download = h('button', { type: 'button', class: 'secondary' }, 'Download');
		download.addEventListener('click', () => saveAs(bytes, name, type || 'application/octet-stream'));
		return h('li', { 'data-testid': 'shared-file' }, h('strong', {}, `${who}: `), `${mine ? 'shared' : 'shares'} ${name} (${formatSize(bytes.length)}) `,
			download, ' ', category, ' ', keep);
	};
	const camera = h('button', { type: 'button', class: 'secondary', disabled: true, 'aria-pressed': 'true' }, 'Camera off');
	const mic = h('button', { type: 'button', class: 'secondary', disabled: true, 'aria-pressed': 'true' }, 'Microphone off');
	const hangUp = h('button', { type: 'button', class: 'danger', disabled: true }, 'Hang up');
	const join = h('button', { type: 'button' }, 'Join with video');
	const voice = h('button', { type: 'button', class: 'secondary' }, 'Join by voice only');
	const ui = {
		peerName,
		status: (text) => { statusLine.textContent = text; },
		warn: (text) => { warning.textContent = text; warning.hidden = false; },
		local: (stream) => { localVideo.srcObject = stream; },
		remote: (stream, onFrame) => {
			remoteVideo.srcObject = stream;
			const frame = () => { onFrame(); };
			if (remoteVideo.requestVideoFrameCallback) remoteVideo.requestVideoFrameCallback(frame);
			else remoteVideo.addEventListener('playing', frame, { once: true });
		},
		chat: (who, text) => log.append(h('li', {}, h('strong', {}, `${who}: `), text)),
		file: (who, name, type, bytes, mine) => log.append(sharedFile(who, name, type, bytes, mine)),
		chatReady: (ready) => { input.disabled = !ready; sendButton.disabled = !ready; fileInput.disabled = !ready; shareButton.disabled = !ready; },
		connected: (yes) => { root.dataset.connected = String(yes); },
	};
	const toggle = (button, kind, on, off) => button.addEventListener('click', () => {
		const tracks = kind === 'video' ? current.media.getVideoTracks() : current.media.getAudioTracks();
		const enabled = !tracks.every((t) => t.enabled);
		tracks.forEach((t) => { t.enabled = enabled; });
		button.textContent = enabled ? off : on;
		button.setAttribute('aria-pressed', String(enabled));
	});
	toggle(camera, 'video', 'Camera on', 'Camera off');
	toggle(mic, 'audio', 'Microphone on', 'Microphone off');
	const start = (voiceOnly) => async () => {
		const key = await verify.encryptionKey(ctx.api, peer);
		if (!key || !wasm.isUsableKey(key)) throw new Failure(`${peerName} has no usable encryption key on chain: the call's messages cannot be encrypted for them.`);
		if (!(await checkPin(ctx.keys.pair, peer, key))) {
			throw new Failure(`The chain holds another encryption key for ${peerName} than the one this device saw before (now ${fingerprint(key)}): the call was not started. Compare the new fingerprint and accept it first.`);
		}
		current?.end();
		current = new Call({ signalling: new Signalling(ctx, wasm, id, peer, key), patient, ui, voiceOnly, record });
		app.call = current;
		await current.start();
		for (const b of [join, voice]) b.hidden = true;
		for (const b of [camera, mic, hangUp]) b.disabled = false;
		if (voiceOnly) { camera.textContent = 'Camera on'; camera.setAttribute('aria-pressed', 'false'); }
		say(`You joined the call with ${peerName}.`, true);
	};
	join.addEventListener('click', () => act(join, 'Joining the call', start(false)));
	voice.addEventListener('click', () => act(voice, 'Joining the call', start(true)));
	hangUp.addEventListener('click', async () => {
		await current?.end();
		current = null;
		ui.status('You left the call.');
		ui.connected(false);
		for (const b of [camera, mic, hangUp]) b.disabled = true;
		for (const b of [join, voice]) b.hidden = false;
	});
	const form = h('form', { onsubmit: (e) => {
		e.preventDefault();
		try {
			if (input.value.trim()) current.chat(input.value.trim());
			input.value = '';
		} catch (error) { say(error.human || error.message); }
	} }, input, sendButton);
	root.append(statusLine, warning, onChain, h('div', { class: 'videos' }, remoteVideo, localVideo),
		h('div', { class: 'actions' }, join, voice, camera, mic, hangUp),
		h('h3', {}, 'Chat'), log, form, h('div', { class: 'actions' }, fileInput, shareButton),
		h('p', { class: 'muted' }, 'Sound, video, chat and shared files go directly between your two devices, encrypted end to end; the hospital\'s relay passes them on without being able to read them. Nothing of the call is stored unless you keep a shared file as a record.'));
	return root;
}
