// Video visits in a real browser: two Chromium contexts (the patient and the doctor) with
// Chromium's fake camera and microphone, a dev node started with a TURN secret, and Debian's
// coturn on loopback. Every call is forced through the relay (the app uses `relay` only when
// the node gives TURN credentials), so the TURN route is what is tested.
//   - both sides decode the other's video and receive audio through coturn; the chat delivers;
//     a file shared in the call arrives byte for byte and is kept as a record the command
//     opens; the camera switches off;
//   - coturn killed mid-call (the network cut) and started again: the call reconnects (ICE
//     restart) without a new appointment;
//   - a relay in front of the node that alters a session description: the doctor's browser
//     refuses the message, shows a warning, and no call is made;
//   - from the attacker's side, against the node: a third account cannot send into the visit,
//     listen as a party, get TURN credentials or read the signalling; a stale or oversized
//     message and a burst over the rate are refused;
//   - the doctor on call: the hospital's page puts two doctors on call; a patient's call rings
//     both and not the doctor off call, one of them listening on a second node of the chain
//     (the nodes relay the call, the answer, the visit's number and the call's signalling);
//     the first to answer takes it, the other stops ringing;
//     the visit is made on chain, with the access the patient chose, and the call connects;
//     a doctor off call cannot listen for calls and someone who is no patient cannot ring;
//   - call set-up (the second party's join to the first remote frame on both sides), over
//     EHR_VISIT_CALLS calls (3; 12 with EHR_LONG=1), p50 and p95 printed and written to
//     $EHR_SHOTS/visit-setup.json.
//
//   node web/tests/video.mjs        (scripts/test.sh runs it; scripts/web.sh build first)
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import { bnToU8a, hexToU8a, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { blake2AsU8a, cryptoWaitReady, decodeAddress } from '@polkadot/util-crypto';
import { expect, harness, outcome, percentile, restore, waitFor } from './harness.mjs';

const NODE_BIN = process.env.EHR_NODE;
const CLI = process.env.EHR_CLI;
const APP = join(process.env.EHR_WEB, 'app');
const SHOTS = process.env.EHR_SHOTS || join(process.env.EHR_WEB, 'screenshots');
const BROWSER = process.env.EHR_CHROMIUM || '/usr/bin/chromium';
const CALLS = Number(process.env.EHR_VISIT_CALLS || (process.env.EHR_LONG ? 12 : 3));
const base = 25000 + (process.pid % 400) * 10;
// IPFS takes two ports (its API and the next one); the app reaches it through the gateway.
const PORTS = { rpc: base, p2p: base + 1, web: base + 2, turn: base + 3, ipfs: base + 4, gateway: base + 6, rpcB: base + 7, p2pB: base + 8, relayMin: 50000 + (process.pid % 50) * 200 };
const IPFS_URL = `http://127.0.0.1:${PORTS.ipfs}`;
const GATEWAY_URL = `http://127.0.0.1:${PORTS.gateway}`;
const ROOT = process.env.EHR_ROOT;
const ORIGIN = `http://127.0.0.1:${PORTS.web}`;
const NODE_URL = `ws://127.0.0.1:${PORTS.rpc}`;
// A second hospital's node of the same chain, where the doctor who answers the on-call call listens.
const NODE_B_URL = `ws://127.0.0.1:${PORTS.rpcB}`;
const SECRET = `turn-${Date.now()}-${Math.random().toString(36).slice(2)}`;
mkdirSync(SHOTS, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'ehr-video-test-'));
const t = harness('video');
const { log } = t;

function ehr(...args) {
	return execFileSync(CLI, ['--node', NODE_URL, '--ipfs', IPFS_URL, ...args], { encoding: 'utf8', env: { ...process.env, EHR_STATE_DIR: join(work, 'state') } });
}

function startTurn() {
	// Loopback peers only because both browsers are on this machine (never in a hospital's setup).
	return t.start('turnserver', ['-n', '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${PORTS.turn}`,
		`--min-port=${PORTS.relayMin}`, `--max-port=${PORTS.relayMin + 199}`, '--use-auth-secret', `--static-auth-secret=${SECRET}`,
		'--realm=ehr.test', `--pidfile=${join(work, 'turn.pid')}`, `--db=${join(work, 'turndb')}`, '--no-tls', '--no-dtls', '--allow-loopback-peers', '--no-cli', '--log-file=stdout', '--simple-log'], 'coturn');
}

const results = [];
async function story(name, work) {
	const started = Date.now();
	log(`${name} …`);
	await work();
	results.push(name);
	log(`${name}: ok (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

/** What arrives on `page`'s call (frames decoded, audio samples, the route). */
const stats = (page) => page.evaluate(() => window.ehrApp.call?.stats() ?? null);

async function flowing(page, what, seconds = 30) {
	let last;
	await waitFor(`${what}: video and audio through the relay (last: ${JSON.stringify(last)})`, async () => {
		last = await stats(page);
		return last && last.connected && last.relay && last.framesDecoded > 0 && last.audioSamples > 0;
	}, seconds);
	return last;
}

async function joinCall(page) {
	await page.getByRole('button', { name: 'Join with video' }).click();
	await outcome(page, /You joined the call/, 30);
}

async function hangUp(page) {
	await page.getByRole('button', { name: 'Hang up' }).click();
	await page.getByRole('button', { name: 'Join with video' }).waitFor({ state: 'visible', timeout: 10000 });
}

async function main() {
	await cryptoWaitReady();
	const secretFile = join(work, 'turn-secret');
	writeFileSync(secretFile, SECRET);
	chmodSync(secretFile, 0o600);
	t.start(NODE_BIN, ['--dev', '--tmp', '--rpc-port', String(PORTS.rpc), '--port', String(PORTS.p2p),
		'--rpc-cors', ORIGIN, '--no-prometheus', '--no-telemetry', '--no-mdns',
		'--turn-url', `turn:127.0.0.1:${PORTS.turn}?transport=udp`, '--turn-secret-file', secretFile], 'node');
	let turn = startTurn();
	t.start('bash', [join(ROOT, 'scripts/ipfs.sh'), join(work, 'ipfs'), String(PORTS.ipfs)], 'ipfs');
	const web = await t.serveApp({ app: APP, port: PORTS.web, nodeBin: NODE_BIN, work,
		config: { node: NODE_URL, ipfs: GATEWAY_URL, chainSpec: 'chain.json' } });
	await waitFor('the node', async () => (await fetch(`http://127.0.0.1:${PORTS.rpc}/health`)).ok, 120);
	// The second node syncs from the first; the two relay visits to each other.
	const listening = await (await fetch(`http://127.0.0.1:${PORTS.rpc}`, { method: 'POST', headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'system_localListenAddresses', params: [] }) })).json();
	const bootnode = listening.result.find((a) => a.startsWith(`/ip4/127.0.0.1/tcp/${PORTS.p2p}/`));
	t.start(NODE_BIN, ['--chain', 'dev', '--tmp', '--rpc-port', String(PORTS.rpcB), '--port', String(PORTS.p2pB),
		'--rpc-cors', ORIGIN, '--no-prometheus', '--no-telemetry', '--no-mdns', '--bootnodes', bootnode,
		'--turn-url', `turn:127.0.0.1:${PORTS.turn}?transport=udp`, '--turn-secret-file', secretFile], 'node-b');
	await waitFor('the second node', async () => (await fetch(`http://127.0.0.1:${PORTS.rpcB}/health`)).ok, 120);
	// A file shared in the call can be kept as a record: IPFS, and the gateway the app uses.
	await waitFor('IPFS', async () => (await fetch(`${IPFS_URL}/api/v0/id`, { method: 'POST' })).ok, 120);
	t.start(CLI, ['--node', NODE_URL, '--ipfs', IPFS_URL, '--chain-spec', join(work, 'chain.json'), 'ipfs-gateway',
		'--listen', `127.0.0.1:${PORTS.gateway}`, '--allow-origin', ORIGIN, '--max-size', '8'], 'gateway',
	{ EHR_STATE_DIR: join(work, 'gateway-state') });
	await waitFor('the IPFS gateway', async () => (await fetch(`${GATEWAY_URL}/ipfs/nothing`)).status === 400, 60);
	log(`nodes ${NODE_URL} and ${NODE_B_URL}, coturn 127.0.0.1:${PORTS.turn}, app ${ORIGIN}`);

	// The visit: Dr Bob Kelso (verified by Alice's hospital) and the patient Dave, a confirmed
	// video appointment starting in a few minutes (the call opens ten minutes before).
	const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
	const [alice, bob, dave, eve] = ['//Alice', '//Bob', '//Dave', '//Eve'].map((uri) => keyring.addFromUri(uri));
	ehr('--dev', '--suri', '//Alice', 'hospital', 'register-doctor', bob.address, '--name', 'Dr. Bob Kelso', '--specialty', 'internal medicine', '--licence', 'MD-1001');
	ehr('--dev', '--suri', '//Bob', 'doctor', 'accept', alice.address);
	ehr('--dev', '--suri', '//Alice', 'hospital', 'invite-patient', dave.address);
	ehr('--dev', '--suri', '//Dave', 'patient', 'register');
	const slot = JSON.parse(ehr('--json', '--dev', '--suri', '//Bob', 'slot', 'publish', '--in-minutes', '4', '--minutes', '30', '--video')).slot;
	const appointment = JSON.parse(ehr('--json', '--dev', '--suri', '//Dave', 'appointment', 'book', String(slot))).appointment;
	ehr('--dev', '--suri', '//Bob', 'appointment', 'confirm', String(appointment));
	log(`appointment ${appointment}: Dave sees Dr Kelso by video`);

	const browser = await chromium.launch({ executablePath: BROWSER, args: ['--no-sandbox',
		'--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required'] });
	const device = async () => {
		const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
		await context.grantPermissions(['camera', 'microphone'], { origin: ORIGIN });
		return context;
	};
	const patientDevice = await device();
	const doctorDevice = await device();
	const patient = await t.open(patientDevice, `${ORIGIN}/`);
	const doctor = await t.open(doctorDevice, `${ORIGIN}/`);
	await restore(patient, '//Dave', 'Dave');
	await restore(doctor, '//Bob', 'Dr Kelso');
	const visitUrl = `${ORIGIN}/#/visit?appointment=${appointment}`;

	await story('a call: video and audio both ways through coturn, chat, camera off', async () => {
		await patient.getByRole('link', { name: 'Join the video call' }).click();
		await doctor.getByRole('link', { name: 'Join the video call' }).click();
		await patient.waitForSelector('body[data-page="#/visit"]');
		await doctor.waitForSelector('body[data-page="#/visit"]');
		await joinCall(patient);
		expect(/Waiting for Dr Bob Kelso/.test(await patient.getByTestId('call-status').textContent()), 'the patient waits for the doctor');
		await joinCall(doctor);
		const [p, d] = [await flowing(patient, 'the patient'), await flowing(doctor, 'the doctor')];
		await doctor.getByTestId('visit-record').filter({ hasText: 'The call\'s start is on chain' }).waitFor({ timeout: 60000 });
		log(`  patient decoded ${p.framesDecoded} frames, doctor ${d.framesDecoded}; both through the relay`);
		expect(/Connected to Dr Bob Kelso \(through the hospital's relay\)/.test(await patient.getByTestId('call-status').textContent()), 'the patient sees the call connected');
		await patient.getByLabel('Chat message').fill('Can you hear me, doctor?');
		await patient.getByRole('button', { name: 'Send' }).click();
		await doctor.getByTestId('chat-log').filter({ hasText: 'Can you hear me, doctor?' }).waitFor({ timeout: 10000 });
		await doctor.getByLabel('Chat message').fill('Loud and clear.');
		await doctor.getByRole('button', { name: 'Send' }).click();
		await patient.getByTestId('chat-log').filter({ hasText: 'Loud and clear.' }).waitFor({ timeout: 10000 });
		// A file through the call: the doctor shares a note, the patient keeps it as a record
		// (encrypted, on IPFS through the gateway) that the command then opens byte for byte.
		const note = Buffer.from(`Dressing: change daily, keep dry. ${'x'.repeat(40000)}\n`);
		await doctor.getByLabel('File to share').setInputFiles({ name: 'after-care.txt', mimeType: 'text/plain', buffer: note });
		await doctor.getByRole('button', { name: 'Share the file' }).click();
		const shared = patient.getByTestId('shared-file').filter({ hasText: 'after-care.txt' });
		await shared.waitFor({ timeout: 20000 });
		expect(/Dr Bob Kelso: shares after-care\.txt \(39\.1 KiB\)/.test(await shared.textContent()), `the patient sees the file from the doctor: ${await shared.textContent()}`);
		const [download] = await Promise.all([patient.waitForEvent('download'), shared.getByRole('button', { name: 'Download' }).click()]);
		expect(readFileSync(await download.path()).equals(note), 'the file arrives byte for byte');
		await shared.getByRole('button', { name: 'Keep in my records' }).click();
		const kept = await outcome(patient, /Record \d+ added from the call: after-care\.txt/, 60);
		const keptId = kept.match(/Record (\d+)/)[1];
		const out = join(work, 'kept.txt');
		ehr('--dev', '--suri', '//Dave', 'record', 'get', keptId, '--out', out);
		expect(readFileSync(out).equals(note), 'the record kept from the call opens to the same bytes');
		log(`  a file shared in the call kept as record ${keptId} and opened by the command`);
		await patient.waitForTimeout(1000);
		await patient.screenshot({ path: join(SHOTS, 'visit-patient.png'), fullPage: true });
		await doctor.screenshot({ path: join(SHOTS, 'visit-doctor.png'), fullPage: true });
		await patient.getByRole('button', { name: 'Camera off' }).click();
		expect(await patient.evaluate(() => window.ehrApp.call.media.getVideoTracks().every((track) => !track.enabled)), 'the camera is off');
		await patient.getByRole('button', { name: 'Camera on' }).click();
		expect(await patient.evaluate(() => window.ehrApp.call.media.getVideoTracks().every((track) => track.enabled)), 'the camera is on again');
	});

	await story('a cut network (coturn killed, then back): the call reconnects by itself', async () => {
		const before = (await stats(doctor)).framesDecoded;
		t.stop(turn, 'SIGKILL');
		await patient.getByTestId('call-status').filter({ hasText: 'reconnecting' }).waitFor({ timeout: 30000 });
		log('  the relay is gone: the patient\'s side sees the call drop');
		turn = startTurn();
		await patient.getByTestId('call-status').filter({ hasText: 'Connected' }).waitFor({ timeout: 60000 });
		await waitFor('frames again after the reconnection', async () => (await stats(doctor)).framesDecoded > before + 10, 30);
		log('  reconnected through the restarted relay (ICE restart), same appointment');
	});

	await story(`call set-up over ${CALLS} calls: join to the first remote frame on both sides`, async () => {
		const setups = [];
		for (let i = 0; i < CALLS; i += 1) {
			await hangUp(patient);
			await hangUp(doctor);
			await joinCall(doctor);
			const joined = Date.now();
			await joinCall(patient);
			await flowing(patient, 'the patient', 30);
			await flowing(doctor, 'the doctor', 30);
			setups.push(Date.now() - joined);
		}
		const figures = { calls: setups.length, p50Ms: percentile(setups, 50), p95Ms: percentile(setups, 95), setupsMs: setups };
		writeFileSync(join(SHOTS, 'visit-setup.json'), JSON.stringify(figures, null, 2));
		log(`  call set-up: p50 ${figures.p50Ms} ms, p95 ${figures.p95Ms} ms over ${setups.length} calls (${setups.join(', ')})`);
	});

	await story('the visit is on chain: its start and end in the patient\'s trail, its length in the list', async () => {
		await hangUp(patient);
		await hangUp(doctor);
		await waitFor('the end of the first call on chain', () => /video call at .*, \d+ min/.test(ehr('--dev', '--suri', '//Dave', 'appointment', 'list')), 60);
		const listed = ehr('--dev', '--suri', '//Dave', 'appointment', 'list');
		const minutes = Number(/video call at .*, (\d+) min/.exec(listed)[1]);
		expect(minutes >= 1 && minutes <= 5, `the first call lasted a minute or so, not ${minutes}`);
		const trail = ehr('--chain-spec', join(work, 'chain.json'), 'audit', dave.address);
		expect(/video call started/.test(trail) && /video call ended after \d+ min/.test(trail), `the trail shows the call: ${trail}`);
		log(`  ${listed.split('\n').find((line) => line.includes('video call'))}`);
		log(`  ${trail.split('\n').filter((line) => line.includes('video call')).join('\n  ')}`);
		// Dave's own page lists it with its length.
		await patient.goto(`${ORIGIN}/#/patient`);
		await patient.getByRole('row', { name: /Video call at .*, \d+ min/ }).waitFor({ timeout: 30000 });
		await patient.goto(visitUrl);
		await patient.waitForSelector('body[data-page="#/visit"]');
	});

	await story('a relay that alters a session description: refused, with a warning, no call', async () => {
		// The doctor's connection to the node goes through a relay that flips one byte of every
		// large message (a description, not a hello) it forwards. (Another device of the doctor.)
		const tamperedDevice = await device();
		let altered = 0;
		await tamperedDevice.routeWebSocket(new RegExp(`127\\.0\\.0\\.1:${PORTS.rpc}`), (ws) => {
			const server = ws.connectToServer();
			ws.onMessage((message) => server.send(message));
			server.onMessage((message) => {
				const text = String(message);
				if (text.includes('"ehr_visitMessage"') && text.length > 2000) {
					const json = JSON.parse(text);
					const sealed = json.params.result.sealed;
					const at = sealed.length - 40;
					json.params.result.sealed = sealed.slice(0, at) + (sealed[at] === '0' ? '1' : '0') + sealed.slice(at + 1);
					altered += 1;
					return ws.send(JSON.stringify(json));
				}
				ws.send(message);
			});
		});
		const tampered = await t.open(tamperedDevice, `${ORIGIN}/`);
		await restore(tampered, '//Bob', 'Dr Kelso');
		await tampered.goto(visitUrl);
		await tampered.waitForSelector('body[data-page="#/visit"]');
		await joinCall(tampered);
		await joinCall(patient);
		const warning = tampered.getByTestId('call-warning');
		await warning.waitFor({ state: 'visible', timeout: 30000 });
		const said = await warning.textContent();
		expect(/refused: its signature is not the other party's: it was altered on the way/.test(said), `the doctor is warned: ${said}`);
		await patient.waitForTimeout(3000);
		const s = await stats(tampered);
		expect(altered > 0 && !s?.connected && !(s?.framesDecoded > 0), `no call over an altered description (${altered} altered, ${JSON.stringify(s)})`);
		log(`  ${altered} description(s) altered; the doctor saw: ${said}`);
		await tampered.screenshot({ path: join(SHOTS, 'visit-tampered.png') });
		await tamperedDevice.close();
		await hangUp(patient);
	});

	await story('a connection whose certificate is not the one signed: refused, with a warning', async () => {
		// As a browser whose DTLS connection came up with another certificate than the signed
		// description named: the doctor's page sees another fingerprint in its statistics.
		await joinCall(doctor);
		await doctor.evaluate(() => {
			window.ehrApp.call.remoteFingerprint = async () => `sha-256 ${Array(32).fill('AB').join(':')}`;
		});
		await joinCall(patient);
		const warning = doctor.getByTestId('call-warning');
		await warning.filter({ hasText: 'is not the one' }).waitFor({ timeout: 30000 });
		const said = await warning.textContent();
		expect(/The call was refused: the connection's encryption certificate \(sha-256 AB:AB.*\) is not the one .* signed \(sha-256 [0-9A-F:]+\)/.test(said), `the doctor is warned: ${said}`);
		expect(!(await stats(doctor)).connected, 'no call over it');
		// The patient's side is told, and stops trying.
		await patient.getByTestId('call-warning').filter({ hasText: 'browser refused the connection' }).waitFor({ timeout: 15000 });
		log(`  the doctor saw: ${said.slice(0, 160)}…`);
		await hangUp(doctor);
		await hangUp(patient);
	});

	await story('from outside the visit: a third account is refused; stale, oversized and bursts too', async () => {
		const provider = new WsProvider(NODE_URL, false);
		await provider.connect();
		await waitFor('a connection to the node', () => provider.isConnected, 10);
		const genesis = await provider.send('chain_getBlockHash', [0]);
		const u64 = (n) => bnToU8a(BigInt(n), { bitLength: 64, isLe: true });
		const signal = (from, to, { sealed = '0x00', sentAt = Date.now(), signer = from } = {}) => {
			const s = { appointment, from: from.address, to: to.address, sentAt, sealed };
			const payload = u8aConcat(stringToU8a('ehr-visit-signal:v1'), hexToU8a(genesis), u64(appointment),
				decodeAddress(s.from), decodeAddress(s.to), u64(sentAt), blake2AsU8a(hexToU8a(sealed), 256));
			return { ...s, signature: u8aToHex(signer.sign(payload)) };
		};
		const refused = async (what, method, params, pattern) => {
			try {
				await provider.send(method, params);
			} catch (error) {
				expect(pattern.test(error.message), `${what}: refused for the right reason: ${error.message}`);
				log(`  ${what}: ${error.message}`);
				return;
			}
			throw new Error(`${what}: accepted`);
		};
		const listenSig = (who, signer, at) => u8aToHex(signer.sign(u8aConcat(stringToU8a('ehr-visit-listen:v1'), hexToU8a(genesis), u64(appointment), decodeAddress(who.address), u64(at))));
		const listenAt = Date.now();
		await refused('Eve listens to the visit (her own signature)', 'ehr_visitListen', [appointment, eve.address, listenAt, listenSig(eve, eve, listenAt)], /only the patient and the doctor/);
		await refused('Eve sends into the visit', 'ehr_visitSignal', [signal(eve, bob)], /9004|only the patient and the doctor/);
		await refused('Eve sends as Dave (her own signature)', 'ehr_visitSignal', [signal(dave, bob, { signer: eve })], /not the account's/);
		await refused('Eve listens as Dave', 'ehr_visitListen', [appointment, dave.address, listenAt, listenSig(dave, eve, listenAt)], /not the account's/);
		const iceAt = Date.now();
		const iceSig = (who, signer) => u8aToHex(signer.sign(u8aConcat(stringToU8a('ehr-visit-ice:v1'), hexToU8a(genesis), u64(appointment), decodeAddress(who.address), u64(iceAt))));
		await refused('Eve asks for TURN credentials', 'ehr_visitIceServers', [appointment, eve.address, iceAt, iceSig(eve, eve)], /only the patient and the doctor/);
		await refused('Dave sends to Eve', 'ehr_visitSignal', [signal(dave, eve)], /only the patient and the doctor/);
		await refused('a message signed two minutes ago', 'ehr_visitSignal', [signal(dave, bob, { sentAt: Date.now() - 120_000 })], /from this node's clock/);
		await refused('a 17 KiB message', 'ehr_visitSignal', [signal(dave, bob, { sealed: u8aToHex(new Uint8Array(17 * 1024)) })], /9005|more than 16384/);
		// The same message sent again (by anyone who saw it) is refused.
		const once = signal(dave, bob);
		await provider.send('ehr_visitSignal', [once]);
		await refused('the same message sent again', 'ehr_visitSignal', [once], /sent before/);
		const ice = await provider.send('ehr_visitIceServers', [appointment, dave.address, iceAt, iceSig(dave, dave)]);
		expect(ice.urls[0].startsWith('turn:') && ice.username.endsWith(dave.address), `Dave gets credentials: ${JSON.stringify(ice)}`);
		let sent = 0;
		let limited = null;
		for (let i = 0; i < 30 && !limited; i += 1) {
			try {
				await provider.send('ehr_visitSignal', [signal(dave, bob)]);
				sent += 1;
			} catch (error) {
				limited = error.message;
			}
		}
		expect(limited && /9005|try again in/.test(limited) && sent >= 15, `a burst is held back after ${sent}: ${limited}`);
		log(`  a burst: ${sent} forwarded, then: ${limited}`);
		await provider.disconnect();
	});

	await story('the doctor on call: a call rings the two doctors on call, not the one off call; the first answer takes it', async () => {
		// Two more doctors of Alice's hospital, and a patient who calls the hospital.
		const [charlie, ferdie, olivia] = ['//Charlie', '//Ferdie', '//Olivia'].map((uri) => keyring.addFromUri(uri));
		for (const [who, uri, name, licence] of [[charlie, '//Charlie', 'Dr. Carla Espinosa', 'MD-2002'], [ferdie, '//Ferdie', 'Dr. Perry Cox', 'MD-2003']]) {
			ehr('--dev', '--suri', '//Alice', 'hospital', 'register-doctor', who.address, '--name', name, '--specialty', 'emergency medicine', '--licence', licence);
			ehr('--dev', '--suri', uri, 'doctor', 'accept', alice.address);
		}
		ehr('--dev', '--suri', '//Alice', 'hospital', 'invite-patient', olivia.address);
		ehr('--dev', '--suri', '//Olivia', 'patient', 'register');
		const go = async (page, hash) => {
			await page.evaluate((h) => { location.hash = h; }, hash);
			await page.waitForSelector(`body[data-page="${hash}"]`);
		};
		// The hospital puts Carla and Perry on call from its page; Dr Kelso stays off call.
		const hospital = await t.open(await device(), `${ORIGIN}/`);
		await restore(hospital, '//Alice', 'Hospital');
		await go(hospital, '#/hospital');
		for (const name of ['Dr. Carla Espinosa', 'Dr. Perry Cox']) {
			const roster = hospital.getByTestId('roster');
			await roster.getByLabel('Doctor').selectOption({ label: name });
			await roster.getByLabel('Hours').fill('2');
			await roster.getByRole('button', { name: 'Add the shift' }).click();
			await outcome(hospital, new RegExp(`${name} is on call`), 90);
		}
		await hospital.getByTestId('roster').filter({ hasText: 'Dr. Perry Cox' }).waitFor({ timeout: 30000 });
		await hospital.screenshot({ path: join(SHOTS, 'on-call-roster.png'), fullPage: true });
		// Dr Espinosa's connection to the node goes through a route the test can cut.
		const carlaDevice = await device();
		const carlaSockets = [];
		// The node's acceptances of her requests to listen (a refused proof is not counted).
		let carlaListens = 0;
		await carlaDevice.routeWebSocket(new RegExp(`127\\.0\\.0\\.1:${PORTS.rpc}`), (ws) => {
			const server = ws.connectToServer();
			const asked = new Set();
			ws.onMessage((message) => {
				const text = String(message);
				if (text.includes('"ehr_onCallListen"')) asked.add(JSON.parse(text).id);
				server.send(message);
			});
			server.onMessage((message) => {
				const text = String(message);
				if (text.startsWith('{') && text.includes('"id"')) {
					const answer = JSON.parse(text);
					if (asked.has(answer.id) && answer.result !== undefined) carlaListens += 1;
				}
				ws.send(message);
			});
			carlaSockets.push({ ws, server });
		});
		const carla = await t.open(carlaDevice, `${ORIGIN}/`);
		// Dr Cox's app talks to the second hospital's node (chosen on the Connection page before
		// the key is unlocked); Olivia and Dr Espinosa use the first: the call, the answer, the
		// visit's number and the call's signalling cross between the two nodes.
		const perry = await t.open(await device(), `${ORIGIN}/#/settings`);
		const connection = perry.locator('section', { hasText: 'Connection' });
		await connection.getByLabel('Node (WebSocket)').fill(NODE_B_URL);
		await connection.getByRole('button', { name: 'Save' }).click();
		await outcome(perry, new RegExp(`talks to ${NODE_B_URL}`), 30);
		const perrySockets = [];
		perry.on('websocket', (ws) => perrySockets.push(ws.url()));
		await perry.evaluate(() => { location.hash = '#/'; });
		const caller = await t.open(await device(), `${ORIGIN}/`);
		await restore(carla, '//Charlie', 'Dr Espinosa');
		await restore(perry, '//Ferdie', 'Dr Cox');
		await restore(caller, '//Olivia', 'Olivia');
		for (const page of [carla, perry, doctor]) await go(page, '#/doctor');
		for (const page of [carla, perry]) await page.getByTestId('on-call-status').filter({ hasText: 'You are on call until' }).waitFor({ timeout: 30000 });
		await doctor.getByTestId('on-call-status').filter({ hasText: 'not on call' }).waitFor({ timeout: 30000 });
		// Dr Espinosa's connection to the node drops and comes back: her app listens again with a
		// proof signed anew (the node takes a proof once), so calls still ring on her page.
		await waitFor('Dr Espinosa listening for calls', () => carlaListens >= 1, 30);
		for (const { ws, server } of carlaSockets.splice(0)) {
			await server.close();
			await ws.close({ code: 1012, reason: 'the test cuts the connection' });
		}
		await waitFor('Dr Espinosa listening again after the cut', () => carlaListens >= 2 && carlaSockets.length > 0, 60);
		await carla.waitForTimeout(2000);
		log('  Dr Espinosa\'s connection to the node was cut and came back; she listens again');

		// From the attacker's side: a doctor off call cannot listen for calls, nor can someone
		// who is no patient ring the hospital.
		const provider = new WsProvider(NODE_URL, false);
		await provider.connect();
		await waitFor('a connection to the node', () => provider.isConnected, 10);
		const genesis = await provider.send('chain_getBlockHash', [0]);
		const u64 = (n) => bnToU8a(BigInt(n), { bitLength: 64, isLe: true });
		const at = Date.now();
		const listen = u8aToHex(bob.sign(u8aConcat(stringToU8a('ehr-oncall-listen:v1'), hexToU8a(genesis), decodeAddress(bob.address), u64(at))));
		const ring = u8aToHex(eve.sign(u8aConcat(stringToU8a('ehr-oncall-ring:v1'), hexToU8a(genesis), decodeAddress(alice.address), decodeAddress(eve.address), u64(at))));
		for (const [what, method, params, pattern] of [
			['Dr Kelso, off call, listens for calls', 'ehr_onCallListen', [bob.address, at, listen], /not on call now/],
			['Eve, no patient, rings the hospital', 'ehr_onCallRing', [alice.address, eve.address, at, ring], /only a registered patient/],
			['Eve rings as Olivia (her own signature)', 'ehr_onCallRing', [alice.address, olivia.address, at, ring], /not the account's/],
		]) {
			const answer = await provider.subscribe('ehr_onCallEvent', method, params, () => {}).then(() => null, (error) => error.message);
			expect(answer && pattern.test(answer), `${what}: refused for the right reason (${answer})`);
			log(`  ${what}: ${answer}`);
		}
		await provider.disconnect();

		// Olivia calls, sharing her vital signs with whoever answers.
		await go(caller, '#/patient');
		const card = caller.getByTestId('call-now');
		await card.getByLabel('Vital signs and measurements').check();
		await card.getByRole('button', { name: 'Call' }).click();
		await caller.getByTestId('call-progress').filter({ hasText: 'Ringing 2 doctors on call' }).waitFor({ timeout: 30000 });
		await carla.getByTestId('answer-call').waitFor({ timeout: 30000 });
		await perry.getByTestId('answer-call').waitFor({ timeout: 30000 });
		await perry.screenshot({ path: join(SHOTS, 'on-call-ringing.png'), fullPage: true });
		expect(await doctor.getByTestId('answer-call').count() === 0, 'the doctor off call does not ring');
		await perry.getByTestId('answer-call').click();
		await carla.getByTestId('call-stopped').filter({ hasText: 'Another doctor on call answered' }).waitFor({ timeout: 30000 });
		// The visit is made on chain and both go to its call.
		await caller.waitForSelector('body[data-page="#/visit"]', { timeout: 90000 });
		await perry.waitForSelector('body[data-page="#/visit"]', { timeout: 90000 });
		await joinCall(caller);
		await joinCall(perry);
		await flowing(caller, 'the caller');
		await flowing(perry, 'the doctor on call');
		expect(perrySockets.length > 0 && perrySockets.every((url) => url.startsWith(NODE_B_URL)),
			`Dr Cox's app talked to the second node only: ${perrySockets.join(', ')}`);
		// The access Olivia chose is given in the background; its message may come before the
		// call's own "You joined" replaces it, so the chain is asked.
		await waitFor('the access Olivia chose, given to Dr Perry Cox', () =>
			/Perry Cox.*may read/.test(ehr('--dev', '--suri', '//Olivia', 'consent', 'list')), 120);
		await perry.getByTestId('visit-record').filter({ hasText: 'The call\'s start is on chain' }).waitFor({ timeout: 60000 });
		await perry.getByRole('button', { name: 'Hang up' }).click();
		await perry.getByTestId('visit-record').filter({ hasText: 'The on-call visit is marked done' }).waitFor({ timeout: 90000 });
		// Olivia's list: the on-call visit, by video, done, with its call's length.
		let list = '';
		await waitFor('the visit\'s end in Olivia\'s list', () => {
			list = ehr('--dev', '--suri', '//Olivia', 'appointment', 'list');
			return /Perry Cox.*video call at .*, \d+ min/.test(list);
		}, 60);
		log(`  ${list.trim().split('\n').find((l) => /Perry Cox/.test(l))}`);
	});

	await browser.close();
	web.close();
	log(`all ${results.length} video stories passed`);
	console.log(`video tests: ${results.length} passed, 0 failed`);
}

t.run(main, SHOTS);
