// The web app in a real browser (Debian's Chromium, headless, driven by playwright-core)
// against a dev node and a js-ipfs daemon this test starts on loopback. One story per role:
//   - the envelope's vectors run in the browser;
//   - the hospital (//Alice) offers a doctor's role (the doctor accepts it) and invites a patient
//     (printable invitation);
//   - the patient registers, uploads a lab report with a progress bar, and grants the doctor;
//   - the doctor reads the original bytes (the read logged first), and writes a prescription
//     that the patient then opens; the `ehr` command reads the browser's record too;
//   - the auditor verifies the trail in the browser, and a lying node (answers altered on the
//     WebSocket) is caught;
//   - a revoked doctor is refused with a clear message, and what it typed stays;
//   - the app loads nothing from outside loopback, labels every control, installs (service
//     worker and manifest), and locks after inactivity.
// Screenshots of each role's main page go to EHR_SHOTS (default $EHR_WEB/screenshots).
//
//   node web/tests/browser.mjs        (scripts/test.sh runs it; scripts/web.sh build first)
import { spawn, execFileSync } from 'node:child_process';
import { createServer, request as httpRequest } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';

const ROOT = process.env.EHR_ROOT;
const NODE_BIN = process.env.EHR_NODE;
const CLI = process.env.EHR_CLI;
const APP = join(process.env.EHR_WEB, 'app');
const SHOTS = process.env.EHR_SHOTS || join(process.env.EHR_WEB, 'screenshots');
const BROWSER = process.env.EHR_CHROMIUM || '/usr/bin/chromium';
const base = 21000 + (process.pid % 500) * 8;
// IPFS takes two ports (its API, and the next one for its gRPC endpoint).
const PORTS = { rpc: base, p2p: base + 1, ipfs: base + 2, web: base + 4, gateway: base + 5 };
const ORIGIN = `http://127.0.0.1:${PORTS.web}`;
const NODE_URL = `ws://127.0.0.1:${PORTS.rpc}`;
const IPFS_URL = `http://127.0.0.1:${PORTS.ipfs}`;
// The app reaches IPFS only through the gateway; IPFS's API is for the command and the gateway.
const GATEWAY_URL = `http://127.0.0.1:${PORTS.gateway}`;
const GATEWAY_MAX_MIB = 8;
// The hospital's FHIR server (ehr-fhir-server), for a SMART app's sign-in through this web app.
const FHIR_URL = `http://127.0.0.1:${base + 6}`;
const PASS = 'correct horse battery';
mkdirSync(SHOTS, { recursive: true });
const work = mkdtempSync(join(tmpdir(), 'ehr-web-test-'));
const children = [];

function log(text) { console.log(`[browser] ${text}`); }
function fail(text) { throw new Error(text); }
function expect(condition, text) { if (!condition) fail(text); }

// --- The services: node, IPFS, the static files ---

function start(cmd, args, name, env = {}) {
	const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
	const out = [];
	child.stdout.on('data', (d) => out.push(d));
	child.stderr.on('data', (d) => out.push(d));
	child.output = () => Buffer.concat(out).toString();
	child.name = name;
	children.push(child);
	return child;
}

async function waitFor(what, check, seconds = 60) {
	const end = Date.now() + seconds * 1000;
	for (;;) {
		try { if (await check()) return; } catch { /* not yet */ }
		if (Date.now() > end) fail(`${what} did not come up in ${seconds} s`);
		await new Promise((r) => setTimeout(r, 500));
	}
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm',
	'.svg': 'image/svg+xml', '.webmanifest': 'application/manifest+json', '.json': 'application/json' };

/** What the test's server gives as config.json (a story may change it, as a hospital would). */
const servedConfig = { node: NODE_URL, ipfs: GATEWAY_URL, chainSpec: 'chain.json', fhirServers: [FHIR_URL] };

function serveApp() {
	// The trust anchor the app verifies finality from: the dev chain's raw spec.
	const spec = execFileSync(NODE_BIN, ['build-spec', '--chain', 'dev', '--raw'], { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
	writeFileSync(join(work, 'chain.json'), spec);
	const server = createServer((req, res) => {
		const path = decodeURIComponent(new URL(req.url, ORIGIN).pathname);
		if (path === '/config.json' || path === '/chain.json') {
			res.writeHead(200, { 'content-type': 'application/json' });
			return res.end(path === '/config.json' ? JSON.stringify(servedConfig) : spec);
		}
		const file = join(APP, path === '/' ? 'index.html' : path.replace(/^\/+/, ''));
		if (!file.startsWith(APP) || !existsSync(file)) { res.writeHead(404); return res.end(); }
		res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream' });
		res.end(readFileSync(file));
	});
	return new Promise((resolve) => server.listen(PORTS.web, '127.0.0.1', () => resolve(server)));
}

// --- Page helpers ---

/** Waits for the app's answer to an action: the success message, or fails with the error. */
async function outcome(page, pattern, seconds = 90) {
	const alert = page.locator('#alert');
	const end = Date.now() + seconds * 1000;
	for (;;) {
		const visible = await alert.isVisible();
		const text = visible ? await alert.textContent() : '';
		const ok = visible && (await alert.getAttribute('class')).includes('ok');
		if (visible && pattern.test(text)) return text;
		if (visible && !ok && text) fail(`the app said: ${text}`);
		if (Date.now() > end) await page.screenshot({ path: join(SHOTS, 'failure.png'), fullPage: true });
		if (Date.now() > end) fail(`no message matching ${pattern} in ${seconds} s (last: ${text}; status: ${await page.locator('#status').textContent()})`);
		await page.waitForTimeout(250);
	}
}

async function refusal(page, pattern, seconds = 90) {
	const alert = page.locator('#alert');
	await alert.filter({ hasText: pattern }).waitFor({ timeout: seconds * 1000 });
	const text = await alert.textContent();
	expect(!(await alert.getAttribute('class')).includes('ok'), `expected a refusal, got: ${text}`);
	return text;
}

const pages = [];

async function open(context, hash = '') {
	const page = await context.newPage();
	pages.push(page);
	page.on('pageerror', (e) => log(`page error: ${e.message}`));
	page.on('console', (m) => m.type() === 'error' && log(`console: ${m.text().slice(0, 300)}`));
	await page.goto(`${ORIGIN}/${hash}`);
	await page.waitForSelector('body[data-ready=true]', { timeout: 60000 });
	return page;
}

/** Waits until the app shows `route` (rendered, not loading). */
async function shown(page, route) {
	await page.waitForSelector(`body[data-page="${route}"]`, { timeout: 60000 });
}

/** Reloads the page (which locks the app) and unlocks the saved key again. */
async function reopen(page, { keyboard = false } = {}) {
	await page.reload();
	await page.waitForSelector('body[data-ready=true][data-page="#/"]', { timeout: 60000 });
	const pass = page.getByLabel('Passphrase', { exact: true });
	await pass.fill(PASS);
	if (keyboard) await pass.press('Enter');
	else await page.getByRole('button', { name: 'Unlock' }).click();
	await page.waitForSelector('body[data-page]:not([data-page="#/"])', { timeout: 60000 });
}

async function restore(page, uri, label) {
	const card = page.locator('section', { hasText: 'Restore your key' });
	await card.getByLabel('Recovery phrase').fill(uri);
	await card.getByLabel('Name for this key').fill(label);
	await card.getByLabel('Passphrase (to unlock on this device)').fill(PASS);
	await card.getByLabel('Passphrase again').fill(PASS);
	await card.getByRole('button', { name: 'Restore' }).click();
	await page.locator('#who').filter({ hasText: label }).waitFor({ timeout: 60000 });
	await page.waitForSelector('body[data-page]:not([data-page="#/"])', { timeout: 60000 });
}

async function create(page, label) {
	const card = page.locator('section', { hasText: 'New here? Create your key' });
	await card.getByLabel('Name for this key').fill(label);
	await card.getByLabel('Passphrase (to unlock on this device)').fill(PASS);
	await card.getByLabel('Passphrase again').fill(PASS);
	await card.getByRole('button', { name: 'Create a new key' }).click();
	const phrase = (await page.getByTestId('phrase').textContent({ timeout: 60000 })).trim();
	expect(phrase.split(' ').length === 24, `a 24-word phrase, got ${phrase.split(' ').length}`);
	const address = (await page.locator('p', { hasText: 'Your account:' }).textContent()).split(': ')[1].trim();
	const go = page.getByRole('button', { name: 'Continue' });
	expect(await go.isDisabled(), 'Continue waits until the phrase is written down');
	await page.getByLabel('I have written the words down').check();
	await go.click();
	await page.locator('#who').filter({ hasText: label }).waitFor({ timeout: 60000 });
	await page.waitForSelector('body[data-page]:not([data-page="#/"])', { timeout: 60000 });
	return { phrase, address };
}

/** Makes the key `owner`'s device pinned for `account` differ from the one on chain. */
/**
 * Pins another key for `account` on `owner`'s device: `signed` by the owner's unlocked key, as a
 * pin the device made before the key changed on chain; unsigned, as another script of the
 * origin would plant it.
 */
function forgePin(page, owner, account, { signed }) {
	return page.evaluate(([o, a, signed]) => new Promise((resolve, reject) => {
		const key = `0x${'ab'.repeat(32)}`;
		const hex = (bytes) => `0x${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
		const signature = signed ? hex(window.ehrApp.session.pair.sign(new TextEncoder().encode(`ehr-pin:${o}:${a}:${key}`))) : `0x${'22'.repeat(64)}`;
		const request = indexedDB.open('ehr-web', 2);
		request.onsuccess = () => {
			const tx = request.result.transaction('pins', 'readwrite');
			tx.objectStore('pins').put({ id: `${o}/${a}`, key, signature, at: Date.now() });
			tx.oncomplete = () => { request.result.close(); resolve(); };
			tx.onerror = reject;
		};
	}), [owner, account, signed]);
}

/** Runs the `ehr` command, which must fail; returns what it said. */
function commandFails(args) {
	try {
		const out = execFileSync(CLI, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
		return fail(`the command succeeded: ${out}`);
	} catch (error) {
		if (error.status === undefined || error.status === 0) throw error;
		return `${error.stdout}${error.stderr}`;
	}
}

async function shot(page, name) {
	await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

// --- The stories ---

const results = [];
async function story(name, work) {
	const started = Date.now();
	log(`${name} …`);
	await work();
	const seconds = ((Date.now() - started) / 1000).toFixed(1);
	results.push([name, seconds]);
	log(`${name}: ok (${seconds} s)`);
}

async function main() {
	start(NODE_BIN, ['--dev', '--tmp', '--rpc-port', String(PORTS.rpc), '--port', String(PORTS.p2p),
		'--rpc-cors', ORIGIN, '--no-prometheus', '--no-telemetry'], 'node');
	// IPFS's API allows no browser origin: the page cannot use it.
	start('bash', [join(ROOT, 'scripts/ipfs.sh'), join(work, 'ipfs'), String(PORTS.ipfs)], 'ipfs');
	const web = await serveApp();
	await waitFor('the node', async () => (await fetch(`http://127.0.0.1:${PORTS.rpc}/health`)).ok, 120);
	await waitFor('IPFS', async () => (await fetch(`${IPFS_URL}/api/v0/id`, { method: 'POST' })).ok, 120);
	start(CLI, ['--node', NODE_URL, '--ipfs', IPFS_URL, '--chain-spec', join(work, 'chain.json'), 'ipfs-gateway',
		'--listen', `127.0.0.1:${PORTS.gateway}`, '--allow-origin', ORIGIN, '--max-size', String(GATEWAY_MAX_MIB)], 'gateway',
	{ EHR_STATE_DIR: join(work, 'gateway-state') });
	await waitFor('the IPFS gateway', async () => (await fetch(`${GATEWAY_URL}/ipfs/nothing`)).status === 400, 60);
	log(`node ${NODE_URL}, IPFS ${IPFS_URL} (gateway ${GATEWAY_URL}), app ${ORIGIN}`);

	const browser = await chromium.launch({ executablePath: BROWSER, args: ['--no-sandbox'] });
	const outside = [];
	const toIpfsApi = [];
	const device = async (viewport = { width: 1100, height: 900 }) => {
		const context = await browser.newContext({ viewport, acceptDownloads: true });
		context.on('request', (request) => {
			const url = new URL(request.url());
			if (!['127.0.0.1'].includes(url.hostname) && !['data:', 'blob:'].includes(url.protocol)) outside.push(request.url());
			if (url.port === String(PORTS.ipfs)) toIpfsApi.push(request.url());
		});
		return context;
	};
	const hospitalDevice = await device();
	const doctorDevice = await device();
	const patientDevice = await device({ width: 390, height: 844 }); // a phone
	const hospital = await open(hospitalDevice);
	const doctor = await open(doctorDevice);
	const patient = await open(patientDevice);
	const labReport = `Haemoglobin 13.9 g/dL\nLeukocytes 6.1 G/L\nUnicode kept: é ü 漢字 ${Date.now()}\n`;
	const prescription = 'Amoxicillin 500 mg\n1 capsule three times a day for 7 days';
	let doctorKeys;
	let patientKeys;
	let recordId;
	let doctorFingerprint;

	await story('the app\'s modules import in layers, no circle', async () => {
		// Each module of web/src and the modules it imports; a circle (a page importing the shell
		// that imports it) would make the order of evaluation matter again.
		const dir = join(ROOT, 'web/src');
		const graph = new Map(readdirSync(dir).filter((f) => f.endsWith('.js')).map((f) => [f,
			[...readFileSync(join(dir, f), 'utf8').matchAll(/from '\.\/([a-z]+\.js)'/g)].map((m) => m[1])]));
		const circles = [];
		const walk = (start, at, path) => {
			for (const next of graph.get(at) || []) {
				if (next === start) circles.push([...path, next].join(' → '));
				else if (!path.includes(next)) walk(start, next, [...path, next]);
			}
		};
		for (const file of graph.keys()) walk(file, file, [file]);
		expect(graph.size > 10 && circles.length === 0, `no import circle: ${circles.slice(0, 3).join('; ')}`);
	});

	await story('the envelope vectors run in the browser', async () => {
		const page = await open(hospitalDevice, '#/vectors');
		await page.getByLabel('Vectors file').setInputFiles(join(ROOT, 'envelope/tests/vectors/v2.json'));
		const list = page.getByTestId('vectors').locator('li');
		await list.nth(11).waitFor({ timeout: 30000 });
		const count = await list.count();
		const passed = await page.getByTestId('vectors').locator('li.check').count();
		expect(count === 12 && passed === 12, `12 vectors pass in the browser, got ${passed} of ${count}: ${await page.getByTestId('vectors').textContent()}`);
		await page.close();
	});

	await story('keys: created in the browser, the same keys as the ehr command', async () => {
		doctorKeys = await create(doctor, 'Dr Kelso');
		patientKeys = await create(patient, 'Elliot');
		await restore(hospital, '//Alice', 'Sacred Heart');
		const cli = JSON.parse(execFileSync(CLI, ['--dev', '--suri', '//Alice', '--json', 'key', 'show'], { encoding: 'utf8' }));
		const browserKey = await hospital.evaluate(() => Array.from(window.ehrApp.session.publicKey, (b) => b.toString(16).padStart(2, '0')).join(''));
		expect(cli.encryptionKey.replace(/^0x/, '') === browserKey, `the browser derives Alice's encryption key as the command does (${browserKey} vs ${cli.encryptionKey})`);
		expect(cli.address === (await hospital.evaluate(() => window.ehrApp.session.address)), 'the same account');
		// The key at rest is a key file (IndexedDB) that needs the passphrase.
		const stored = await doctor.evaluate(() => new Promise((resolve) => {
			indexedDB.open('ehr-web').onsuccess = (e) => {
				e.target.result.transaction('keys').objectStore('keys').getAll().onsuccess = (r) => resolve(r.target.result);
			};
		}));
		expect(stored.length === 1 && !JSON.stringify(stored).includes(doctorKeys.phrase.split(' ')[0] + ' '), 'only the encrypted key file is stored');
		expect(JSON.parse(stored[0].keyFile).scryptLogN === 18, 'the key file has the work factor of the command (2^18)');
	});

	await story('hospital: offers a doctor the role and invites a patient', async () => {
		await hospital.getByLabel("Doctor's account").fill(doctorKeys.address);
		await hospital.getByLabel('Full name').fill('Perry Cox');
		await hospital.getByLabel('Specialty').fill('internal medicine');
		await hospital.getByLabel('Licence number').fill('MD-4242');
		await hospital.getByRole('button', { name: 'Register the doctor' }).click();
		await outcome(hospital, /The role is offered to Dr Perry Cox/);
		// A bad address is refused before anything is sent, and the other fields stay.
		await hospital.getByLabel("Patient's account").fill('not-an-address');
		await hospital.getByRole('button', { name: 'Invite' }).click();
		await refusal(hospital, /is not an account address/);
		await hospital.getByLabel("Patient's account").fill(patientKeys.address);
		await hospital.getByRole('button', { name: 'Invite' }).click();
		await outcome(hospital, /Invited/);
		const invitation = hospital.getByTestId('invitation');
		expect((await invitation.textContent()).includes(patientKeys.address), 'the invitation names the patient');
		expect(await invitation.locator('img[src^="data:image/png"]').count() === 1, 'the invitation has its QR code');
		await reopen(hospital);
		await hospital.getByRole('cell', { name: 'Perry Cox' }).waitFor({ timeout: 30000 });
		// Listed as an offer, not yet a doctor.
		await hospital.getByRole('row', { name: /Perry Cox/ }).filter({ hasText: /waiting for the doctor to accept/ }).waitFor({ timeout: 30000 });
		await shot(hospital, 'hospital');
	});

	await story('doctor: accepts the hospital\'s offer, publishing the encryption key', async () => {
		// Reloading locked the app: unlock with the passphrase, by keyboard.
		await reopen(doctor, { keyboard: true });
		// Nobody is a doctor before accepting: the page shows the offer, naming the hospital.
		await doctor.getByTestId('offering-hospital').waitFor({ timeout: 30000 });
		await doctor.getByRole('button', { name: 'Accept and publish my encryption key' }).click();
		await outcome(doctor, /encryption key is published/);
		doctorFingerprint = (await doctor.getByTestId('own-fingerprint').textContent({ timeout: 30000 })).trim();
		expect(/^[0-9A-F]{4}( [0-9A-F]{4}){3}$/.test(doctorFingerprint), `the doctor's page shows its key fingerprint: ${doctorFingerprint}`);
	});

	await story('patient: registers (invited), uploads a lab report, grants the doctor', async () => {
		await reopen(patient);
		await patient.getByText('A hospital invited you').waitFor({ timeout: 60000 });
		await patient.getByRole('button', { name: 'Register as a patient' }).click();
		await outcome(patient, /You are registered/);
		await patient.getByRole('heading', { name: 'My records', exact: true }).waitFor({ timeout: 60000 });
		// The profile: a FHIR Patient, encrypted, shown again after a reload.
		await patient.getByLabel('Full name').fill('Elliot Reid');
		await patient.getByLabel('Birth date').fill('1980-05-01');
		await patient.getByRole('button', { name: 'Save my profile' }).click();
		await outcome(patient, /Profile saved/);
		await reopen(patient);
		expect((await patient.getByLabel('Full name').inputValue()) === 'Elliot Reid', 'the profile is read back from its encrypted record');
		await patient.getByLabel('Category', { exact: true }).selectOption('lab-report');
		await patient.getByLabel('File to upload').setInputFiles({ name: 'lab.txt', mimeType: 'text/plain', buffer: Buffer.from(labReport) });
		await patient.getByRole('button', { name: 'Encrypt and upload' }).click();
		const added = await outcome(patient, /Record \d+ added/);
		recordId = Number(added.match(/Record (\d+)/)[1]);
		const bar = patient.getByLabel('Upload progress');
		expect(Number(await bar.getAttribute('value')) > 0, 'the progress bar moved');
		await patient.getByLabel('Doctor', { exact: true }).selectOption(doctorKeys.address);
		await patient.getByTestId('grantee-fingerprint').filter({ hasText: doctorFingerprint }).waitFor({ timeout: 30000 });
		const grantForm = patient.locator('section', { hasText: 'Who may see my records' });
		await grantForm.getByLabel('Lab reports').check();
		await grantForm.getByLabel('Prescriptions').check();
		await grantForm.getByLabel('Profile', { exact: true }).check();
		await patient.getByLabel('Level').selectOption('ReadWrite');
		await patient.getByRole('button', { name: 'Give access' }).click();
		await outcome(patient, /Access given \(proven in the chain.s state at block #\d+, verified here\)\. 2 record key\(s\) shared/);
	});

	await story('doctor: reads the original bytes, logged, and writes a prescription', async () => {
		await reopen(doctor);
		// The patient by the name of the profile the doctor may read; found by searching it.
		const option = doctor.getByLabel('Patient', { exact: true }).locator(`option[value="${patientKeys.address}"]`);
		expect((await option.textContent()).startsWith('Elliot Reid ('), `the patient is named: ${await option.textContent()}`);
		await doctor.getByLabel('Find a patient').fill('nobody like this');
		expect(await option.evaluate((o) => o.hidden), 'a search for another name hides the patient');
		await doctor.getByLabel('Find a patient').fill('elliot');
		expect(!(await option.evaluate((o) => o.hidden)), 'a search for the name keeps the patient');
		await doctor.getByLabel('Patient', { exact: true }).selectOption(patientKeys.address);
		await doctor.getByRole('heading', { name: 'Records of Elliot Reid' }).waitFor({ timeout: 30000 });
		await doctor.locator(`button[data-record="${recordId}"]`).click();
		const opened = doctor.getByTestId('opened');
		await opened.waitFor({ timeout: 60000 });
		expect((await opened.textContent()) === labReport, 'the doctor sees the original text');
		const [download] = await Promise.all([doctor.waitForEvent('download'), doctor.getByRole('button', { name: 'Download' }).click()]);
		const saved = readFileSync(await download.path());
		expect(saved.equals(Buffer.from(labReport)), 'the download is the original bytes');
		// Shown before its log entry is in a block; the entry (kept in the outbox) becomes final.
		const readLog = doctor.getByTestId('read-log');
		await readLog.filter({ hasText: /final in block #\d+/ }).waitFor({ timeout: 60000 });
		expect(await doctor.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('ehr.outbox.')).every((k) => JSON.parse(localStorage.getItem(k)).length === 0)),
			'the final entry left the outbox');
		await doctor.getByLabel('Kind', { exact: true }).selectOption('prescription');
		await doctor.getByLabel('Text', { exact: true }).fill(prescription);
		await doctor.getByRole('button', { name: 'Sign and send' }).click();
		await outcome(doctor, /written for the patient/);
		await shot(doctor, 'doctor');
	});

	await story('the ehr command reads the record the browser wrote', async () => {
		const out = join(work, 'by-cli.txt');
		execFileSync(CLI, ['--node', NODE_URL, '--ipfs', IPFS_URL, '--suri', doctorKeys.phrase, 'record', 'get', String(recordId), '--out', out], { encoding: 'utf8' });
		expect(readFileSync(out).equals(Buffer.from(labReport)), 'the command opens the browser\'s envelope to the original bytes');
	});

	await story('a SMART app signs the doctor in through the web app (the FHIR server never sees a key)', async () => {
		// The hospital's FHIR server with the doctor's key, one registered app, this web app named.
		const apps = join(work, 'apps.json');
		const redirect = 'http://127.0.0.1:9/callback';
		writeFileSync(apps, JSON.stringify([{ clientId: 'chart', name: 'Chart viewer', redirectUris: [redirect] }]));
		start(join(dirname(CLI), 'ehr-fhir-server'), ['--dev', '--node', NODE_URL, '--ipfs', IPFS_URL, '--apps', apps,
			'--clinician-uri', doctorKeys.phrase, '--listen', FHIR_URL.slice('http://'.length), '--web-app', ORIGIN,
			'--state-dir', join(work, 'fhir-state')], 'fhir');
		await waitFor('the FHIR server', async () => (await fetch(`${FHIR_URL}/metadata`)).ok, 60);
		const verifier = randomBytes(32).toString('base64url');
		const challenge = createHash('sha256').update(verifier).digest('base64url');
		const authorize = new URL(`${FHIR_URL}/auth/authorize`);
		for (const [k, v] of Object.entries({ response_type: 'code', client_id: 'chart', redirect_uri: redirect, scope: 'launch/patient patient/*.rs',
			state: 'st-1', aud: FHIR_URL, code_challenge: challenge, code_challenge_method: 'S256' })) authorize.searchParams.set(k, v);
		// The app's redirect: caught here (nothing listens there).
		let landed = null;
		await doctor.route('http://127.0.0.1:9/**', (route) => { landed = route.request().url(); return route.fulfill({ body: 'back in the app' }); });
		await doctor.goto(authorize.href);
		await doctor.getByRole('link', { name: 'Sign in with the EHR web app' }).click();
		// Back in the web app, unlocked again: it shows what it signs, for which app and server.
		await doctor.waitForSelector('body[data-ready=true]', { timeout: 60000 });
		await doctor.getByLabel('Passphrase', { exact: true }).fill(PASS);
		await doctor.getByRole('button', { name: 'Unlock' }).click();
		const card = doctor.getByTestId('app-sign-in');
		await card.waitFor({ timeout: 60000 });
		expect((await card.textContent()).includes(`Chart viewer (chart) asks to sign you in`) && (await card.textContent()).includes(FHIR_URL),
			`the page names the app and the server: ${await card.textContent()}`);
		await card.getByLabel('Patient for the app').selectOption(patientKeys.address);
		await card.getByRole('button', { name: 'Sign and sign in' }).click();
		await waitFor('the app\'s redirect with its code', async () => landed !== null, 30);
		const back = new URL(landed);
		expect(back.searchParams.get('state') === 'st-1' && back.searchParams.get('code'), `back in the app with a code: ${landed}`);
		// The app redeems the code with its PKCE verifier, and reads with the token.
		const tokens = await (await fetch(`${FHIR_URL}/auth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code',
			code: back.searchParams.get('code'), redirect_uri: redirect, client_id: 'chart', code_verifier: verifier }) })).json();
		expect(tokens.patient === patientKeys.address && typeof tokens.access_token === 'string', `a token for the patient chosen: ${JSON.stringify(tokens)}`);
		const consents = await (await fetch(`${FHIR_URL}/Consent`, { headers: { authorization: `Bearer ${tokens.access_token}` } })).json();
		expect(consents.resourceType === 'Bundle' && consents.entry?.length >= 1, `the token reads the patient's consents: ${JSON.stringify(consents).slice(0, 300)}`);
		// A well-formed challenge of a server that is not the hospital's: nothing is signed.
		const stranger = 'http://127.0.0.1:10';
		const foreign = `Sign in to the FHIR server ${stranger} with the app Chart viewer (chart).\nSign this only on ${stranger}/auth/authorize: whoever sends your signature there is signed in as you.\nScopes asked: user/*.rs\nNonce: x\nValid until: 2099-01-01T00:00:00Z`;
		await doctor.goto(`${ORIGIN}/#/sign-in?login=x&challenge=${encodeURIComponent(foreign)}`);
		await doctor.getByLabel('Passphrase', { exact: true }).fill(PASS);
		await doctor.getByRole('button', { name: 'Unlock' }).click();
		await doctor.getByTestId('unknown-server').waitFor({ timeout: 60000 });
		expect(await card.getByRole('button', { name: 'Sign and sign in' }).count() === 0, 'no button to sign for a stranger');
		// A made-up challenge is not signed: the page says so and signs nothing.
		// (Only the fragment changes: the page stays unlocked.)
		await doctor.goto(`${ORIGIN}/#/sign-in?login=x&challenge=${encodeURIComponent('Please sign: pay 100 tokens')}`);
		await card.filter({ hasText: 'does not carry a FHIR server' }).waitFor({ timeout: 60000 });
		await doctor.unroute('http://127.0.0.1:9/**');
		await doctor.goto(`${ORIGIN}/`);
		await doctor.waitForSelector('body[data-ready=true]', { timeout: 60000 });
		log('  signed in by the web app\'s key: code, PKCE, a token for the chosen patient; a made-up challenge refused');
	});

	await story('patient: opens the prescription and reads the trail in words', async () => {
		await reopen(patient);
		const row = patient.locator('tr', { hasText: 'Prescriptions' });
		await row.getByRole('button', { name: 'Open' }).click();
		await patient.getByTestId('opened').filter({ hasText: 'Amoxicillin' }).waitFor({ timeout: 60000 });
		expect((await patient.getByTestId('opened').textContent()) === prescription, 'the patient reads the prescription as written');
		// Stored as the ehr command stores it: a FHIR MedicationRequest keeping the text as written.
		expect(await patient.getByText('Stored as a FHIR R4 MedicationRequest.').count() === 1, 'the prescription is a FHIR MedicationRequest');
		const trail = await patient.getByTestId('trail').textContent();
		expect(new RegExp(`Dr Perry Cox read record ${recordId} \\(lab reports\\)`).test(trail), `the trail says the doctor read the lab report: ${trail}`);
		expect(/Dr Perry Cox read record \d+ \(profile\)/.test(trail), `the trail says the doctor read the profile for the patient's name: ${trail}`);
	});

	await story('patient: a JPEG goes beside its FHIR resource, at its own size, and comes back', async () => {
		const jpeg = readFileSync(join(ROOT, 'client/tests/data/scan.jpg'));
		await reopen(patient);
		await patient.getByLabel('Category', { exact: true }).selectOption('imaging');
		await patient.getByLabel('File to upload').setInputFiles({ name: 'scan.jpg', mimeType: 'image/jpeg', buffer: jpeg });
		await patient.getByRole('button', { name: 'Encrypt and upload' }).click();
		const added = await outcome(patient, /Record \d+ added/);
		const id = Number(added.match(/Record (\d+)/)[1]);
		await reopen(patient);
		await patient.locator('tr', { hasText: 'Imaging' }).getByRole('button', { name: 'Open' }).click();
		await patient.getByText('Stored as a FHIR R4 DocumentReference.').waitFor({ timeout: 60000 });
		const [download] = await Promise.all([patient.waitForEvent('download'), patient.getByRole('button', { name: 'Download' }).click()]);
		expect(readFileSync(await download.path()).equals(jpeg), 'the download is the JPEG byte for byte');
		// The command reads what the browser stored (the same plaintext), and the chain holds an
		// envelope of the file's own size and a small header, not a third more in base64.
		const out = join(work, 'scan-by-cli.jpg');
		execFileSync(CLI, ['--node', NODE_URL, '--ipfs', IPFS_URL, '--suri', patientKeys.phrase, 'record', 'get', String(id), '--out', out]);
		expect(readFileSync(out).equals(jpeg), 'the command gives the JPEG back byte for byte');
		const listed = JSON.parse(execFileSync(CLI, ['--json', '--node', NODE_URL, '--suri', patientKeys.phrase, 'record', 'list', '--category', 'imaging'], { encoding: 'utf8' }));
		const size = listed.find((r) => r.id === id).size;
		expect(size < jpeg.length * 1.01, `stored ${size} bytes for a ${jpeg.length}-byte JPEG`);
	});

	await story('messages: the patient writes to the doctor, the doctor answers with an alert', async () => {
		const inbox = (page) => page.locator('section', { hasText: 'Messages' });
		await inbox(patient).getByLabel('To').selectOption(doctorKeys.address);
		await inbox(patient).getByLabel('Message', { exact: true }).fill('Started the medication this morning.');
		await inbox(patient).getByRole('button', { name: 'Encrypt and send' }).click();
		await outcome(patient, /Sent to .*only the two of you can read it/);
		await reopen(doctor);
		await doctor.getByTestId('inbox').filter({ hasText: 'Started the medication this morning.' }).waitFor({ timeout: 30000 });
		await inbox(doctor).getByLabel('To').selectOption(patientKeys.address);
		await inbox(doctor).getByLabel('Message or alert').selectOption('warning');
		await inbox(doctor).getByLabel('Message', { exact: true }).fill('Please book a visit this week.');
		await inbox(doctor).getByRole('button', { name: 'Encrypt and send' }).click();
		await outcome(doctor, /Sent to/);
		await inbox(patient).getByRole('button', { name: 'Check for new messages' }).click();
		await patient.getByTestId('inbox').filter({ hasText: /ALERT \(warning\) Dr Perry Cox.*Please book a visit this week\./ }).waitFor({ timeout: 30000 });
		// The command reads the browser's message too (the same FHIR Communication).
		const read = execFileSync(CLI, ['--node', NODE_URL, '--ipfs', IPFS_URL, '--suri', doctorKeys.phrase, 'inbox'], { encoding: 'utf8' });
		expect(/Started the medication this morning\./.test(read), `the ehr command reads the browser's message: ${read}`);
	});

	await story('vitals: the patient stores home readings as FHIR Observations; the ehr command lists them', async () => {
		const card = patient.locator('section', { hasText: 'My readings' });
		await card.getByLabel('Systolic (mmHg)').fill('150');
		await card.getByLabel('Diastolic (mmHg)').fill('95');
		await card.getByLabel('Heart rate (/min)').fill('88');
		await card.getByRole('button', { name: 'Encrypt and store' }).click();
		const said = await outcome(patient, /2 observations stored as record \d+/);
		const id = said.match(/record (\d+)/)[1];
		await patient.locator(`button[data-record="${id}"]`).click();
		await patient.getByTestId('readings').filter({ hasText: 'Systolic blood pressure: 150 mm[Hg]' }).waitFor({ timeout: 60000 });
		const listed = execFileSync(CLI, ['--node', NODE_URL, '--ipfs', IPFS_URL, '--suri', patientKeys.phrase, 'vitals', 'list'], { encoding: 'utf8' });
		expect(/150/.test(listed) && /88/.test(listed), `the ehr command lists the browser's readings: ${listed}`);
	});

	await story('appointments: the doctor publishes free times, the patient books, a new time is agreed', async () => {
		const local = (ms) => {
			const d = new Date(ms);
			const pad = (n) => String(n).padStart(2, '0');
			return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
		};
		const day = 24 * 3600 * 1000;
		const first = Math.floor((Date.now() + 2 * day) / 3600000) * 3600000;
		for (const when of [first, first + day]) {
			await doctor.getByLabel('Starts').fill(local(when));
			await doctor.getByLabel('Length (minutes)').fill('30');
			await doctor.getByRole('button', { name: 'Publish the free time' }).click();
			await outcome(doctor, /Free time published/);
		}
		// A time in the past is refused before anything is sent.
		await doctor.getByLabel('Starts').fill(local(Date.now() - day));
		await doctor.getByRole('button', { name: 'Publish the free time' }).click();
		await refusal(doctor, /in the past/);
		await patient.getByLabel('Doctor to see').selectOption(doctorKeys.address);
		const slot = patient.locator('button[data-slot]').first();
		await slot.waitFor({ timeout: 30000 });
		expect(await patient.locator('button[data-slot]').count() === 2, 'the calendar shows the two free times');
		await patient.getByLabel('Reason for the visit (optional)').fill('Chest pain when climbing stairs.');
		await slot.click();
		await outcome(patient, /Booked for .*Your reason was sent to the doctor/);
		await reopen(doctor);
		await doctor.getByTestId('inbox').filter({ hasText: /Reason for the visit on .*: Chest pain when climbing stairs\./ }).waitFor({ timeout: 30000 });
		const row = doctor.getByRole('row', { name: /Requested/ });
		await row.getByRole('button', { name: 'Confirm' }).click();
		await outcome(doctor, /Confirmed\./);
		const confirmed = doctor.getByRole('row', { name: /Confirmed/ });
		await confirmed.getByLabel('Another free time').selectOption({ index: 1 });
		await confirmed.getByRole('button', { name: 'Propose' }).click();
		await outcome(doctor, /New time proposed/);
		await reopen(patient);
		await patient.getByRole('button', { name: 'Accept the new time' }).click();
		await outcome(patient, /moved to the new time/);
		const mine = await patient.getByRole('row', { name: /Dr Perry Cox/ }).filter({ hasText: /Confirmed|Requested/ }).first().textContent();
		expect(mine.includes(new Date(first + day).getDate().toString()), `the appointment is at the new time: ${mine}`);
		await shot(patient, 'patient');
	});

	await story('a doctor\'s key that changes is not used until the patient accepts it', async () => {
		// The device pinned the doctor's key when granting; make the pin differ, as when a node
		// (or a rotation) answers another key for the doctor than the one compared.
		// A pin planted by another script (not signed by the patient's key) is no pin: the
		// doctor's key is shown as unconfirmed, not as changed, and nothing is wrapped for it
		// until the patient confirms it.
		await forgePin(patient, patientKeys.address, doctorKeys.address, { signed: false });
		await reopen(patient);
		await patient.getByTestId('key-unconfirmed').waitFor({ timeout: 30000 });
		expect(await patient.getByTestId('key-changed').count() === 0, 'a planted pin is ignored');
		await patient.getByRole('button', { name: 'Confirm this key' }).click();
		await outcome(patient, /new key .* is accepted/);
		log('  a pin planted by another script: ignored (the key is unconfirmed until the patient confirms it)');
		await forgePin(patient, patientKeys.address, doctorKeys.address, { signed: true });
		await reopen(patient);
		await patient.getByTestId('key-changed').waitFor({ timeout: 30000 });
		await patient.getByLabel('Category', { exact: true }).selectOption('lab-report');
		await patient.getByLabel('File to upload').setInputFiles({ name: 'x.txt', mimeType: 'text/plain', buffer: Buffer.from('kept from a changed key') });
		await patient.getByRole('button', { name: 'Encrypt and upload' }).click();
		const said = await outcome(patient, /added/);
		expect(/readable by you and 0 other reader\(s\)\. Not shared with 1 reader\(s\) whose encryption key changed/.test(said), `the doctor's changed key got nothing: ${said}`);
		await patient.getByRole('button', { name: 'Accept the new key' }).click();
		await outcome(patient, /new key .* is accepted/);
		expect(await patient.getByTestId('key-changed').count() === 0, 'accepted, the warning is gone');
		// The same on the doctor's side, for the patient's key: nothing is written until accepted.
		await forgePin(doctor, doctorKeys.address, patientKeys.address, { signed: true });
		await reopen(doctor);
		await doctor.getByLabel('Patient', { exact: true }).selectOption(patientKeys.address);
		await doctor.getByTestId('patient-key-changed').waitFor({ timeout: 30000 });
		await doctor.getByLabel('Text', { exact: true }).fill('Paracetamol 1 g');
		await doctor.getByRole('button', { name: 'Sign and send' }).click();
		await refusal(doctor, /another encryption key for this patient/);
		await doctor.getByRole('button', { name: 'Accept the new key' }).click();
		await outcome(doctor, /new key .* is accepted/);
		expect(await doctor.getByTestId('patient-key-changed').count() === 0, 'accepted, the doctor\'s warning is gone');
	});

	await story('auditor: the trail verifies in the browser', async () => {
		const auditor = await open(await device(), `#/auditor?patient=${patientKeys.address}`);
		await auditor.getByRole('button', { name: 'Verify the trail' }).click();
		await outcome(auditor, /Trail verified: \d+ entries/);
		const verified = await auditor.getByTestId('verified').textContent();
		expect(/storage proof checked here/.test(verified) && /followed the GRANDPA justifications from the chain's genesis/.test(verified), 'what was verified is shown: finality and the proofs');
		expect(/read record/.test(verified), 'the read is in the verified trail');
		await shot(auditor, 'auditor');
		// A lying node: the same page, with the node's answers altered on the way.
		for (const [lie, expected] of [
			['drops an entry', /entries where the trail has|missing from the page/],
			['alters an entry', /not the one in the verified state|does not check/],
			['claims a shorter trail', /the verified state says/],
		]) {
			const page = await (await device()).newPage();
			await page.routeWebSocket(NODE_URL, (ws) => {
				const server = ws.connectToServer();
				ws.onMessage((m) => server.send(m));
				server.onMessage((m) => {
					const message = JSON.parse(m);
					const page_ = message.result;
					if (page_ && Array.isArray(page_.entries) && page_.proof) {
						if (lie === 'drops an entry') page_.entries.splice(1, 1);
						if (lie === 'alters an entry') page_.entries[0].value = page_.entries[0].value.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
						if (lie === 'claims a shorter trail') { page_.total -= 1; page_.entries.pop(); }
						return ws.send(JSON.stringify(message));
					}
					ws.send(m);
				});
			});
			await page.goto(`${ORIGIN}/#/auditor?patient=${patientKeys.address}`);
			await page.waitForSelector('body[data-ready=true]');
			await page.getByRole('button', { name: 'Verify the trail' }).click();
			const said = await refusal(page, expected);
			expect(/Not verified/.test(said), `a lying node that ${lie} is caught: ${said}`);
			log(`  a node that ${lie}: ${said}`);
		}
	});

	await story('a lying node: forged finality, a withheld chain, a hidden grant and a forged proof are refused', async () => {
		// Each lie rewrites the node's answers to one method on the way to the page.
		const liar = async (context, hash, lie) => {
			const page = await context.newPage();
			pages.push(page);
			const methods = new Map();
			await page.routeWebSocket(NODE_URL, (ws) => {
				const server = ws.connectToServer();
				ws.onMessage((m) => {
					try { const request = JSON.parse(m); methods.set(request.id, request.method); } catch { /* not JSON */ }
					server.send(m);
				});
				server.onMessage((m) => {
					const message = JSON.parse(m);
					const method = methods.get(message.id);
					const changed = method && 'result' in message && lie.current ? lie.current(method, message.result) : undefined;
					if (changed === undefined) return ws.send(m);
					message.result = changed;
					ws.send(JSON.stringify(message));
				});
			});
			await page.goto(`${ORIGIN}/${hash}`);
			await page.waitForSelector('body[data-ready=true]', { timeout: 60000 });
			return page;
		};
		const flip = (hex, at) => hex.slice(0, at) + (hex[at] === '0' ? '1' : '0') + hex.slice(at + 1);
		// A new device (no checkpoint yet) follows finality from genesis: a justification whose
		// signature is altered, or a header altered, is refused.
		for (const [name, forge] of [
			// 0x, block hash (64), the justification's length (4), round (16), target (64 + 8),
			// the number of votes (2), the vote's target (64 + 8), then its signature.
			['an altered signature', (proof) => flip(proof, 2 + 64 + 4 + 16 + 72 + 2 + 72 + 10)],
			['an altered header', (proof) => flip(proof, proof.length - 3)],
		]) {
			const lie = { current: (method, result) => (method === 'ehr_finalityProof' && result ? forge(result) : undefined) };
			const page = await liar(await device(), `#/auditor?patient=${patientKeys.address}`, lie);
			await page.getByRole('button', { name: 'Verify the trail' }).click();
			const said = await refusal(page, /Not verified/);
			expect(/proof of finality/.test(said) && /(too few valid signatures|forged header|does not decode|another block)/.test(said), `${name} is refused: ${said}`);
			log(`  ${name}: ${said}`);
		}
		// A node that proves no finality at all: the genesis is too old to be the newest block.
		{
			const lie = { current: (method) => (method === 'ehr_finalityProof' ? null : undefined) };
			const page = await liar(await device(), `#/auditor?patient=${patientKeys.address}`, lie);
			await page.getByRole('button', { name: 'Verify the trail' }).click();
			const said = await refusal(page, /Not verified/);
			expect(/proves no block final after the chain's genesis/.test(said), `a node withholding finality is caught by the clock: ${said}`);
			log(`  withholding finality: ${said}`);
		}
		// The patient's own device, through a lying node: an upload is refused, the file kept.
		const lie = { current: null };
		const page = await liar(patientDevice, '', lie);
		// Another script of the app's origin replaces the device's finality checkpoint (the
		// authority set every proof is checked against) with one naming other authorities. It
		// cannot sign it with the patient's key: the app ignores it and starts from the chain
		// spec, so the proofs below are still checked, and the refusals name what the node hid.
		const forged = await page.evaluate(() => {
			const key = Object.keys(localStorage).find((k) => k.startsWith('ehr-finality-'));
			const saved = JSON.parse(localStorage.getItem(key));
			// 0x, genesis (64), set id (16), the authorities' count (2), then the first key.
			const at = 2 + 64 + 16 + 2 + 10;
			const checkpoint = saved.checkpoint.slice(0, at) + (saved.checkpoint[at] === '0' ? '1' : '0') + saved.checkpoint.slice(at + 1);
			localStorage.setItem(key, JSON.stringify({ ...saved, checkpoint }));
			return { key, checkpoint };
		});
		await page.reload();
		await page.waitForSelector('body[data-ready=true]', { timeout: 60000 });
		await page.getByLabel('Passphrase', { exact: true }).fill(PASS);
		await page.getByRole('button', { name: 'Unlock' }).click();
		await page.waitForSelector('body[data-page="#/patient"]', { timeout: 60000 });
		await page.getByLabel('Category', { exact: true }).selectOption('lab-report');
		await page.getByLabel('File to upload').setInputFiles({ name: 'y.txt', mimeType: 'text/plain', buffer: Buffer.from('never for a node') });
		// The grant to the doctor left out of the node's listing.
		lie.current = (method) => (method === 'state_getKeysPaged' ? [] : undefined);
		await page.getByRole('button', { name: 'Encrypt and upload' }).click();
		let said = await refusal(page, /Not verified/);
		expect(/left out entries: the patient has 1 grants and the node listed 0/.test(said), `a hidden grant is caught: ${said}`);
		log(`  a hidden grant: ${said}`);
		const resaved = await page.evaluate((key) => JSON.parse(localStorage.getItem(key)), forged.key);
		expect(resaved.checkpoint !== forged.checkpoint && resaved.account === patientKeys.address, `the forged checkpoint was ignored and a signed one saved: ${JSON.stringify(resaved).slice(0, 120)}`);
		log('  a checkpoint written by another script: ignored');
		// A read proof with a trie node left out (as when a value is swapped: it no longer proves).
		lie.current = (method, result) => (method === 'state_getReadProof' ? { ...result, proof: result.proof.slice(1) } : undefined);
		await page.waitForTimeout(3500); // past the reuse of the verified view
		await page.getByRole('button', { name: 'Encrypt and upload' }).click();
		said = await refusal(page, /Not verified/);
		expect(/storage proof does not check|proof/.test(said), `a forged proof is caught: ${said}`);
		log(`  a forged read proof: ${said}`);
		expect(await page.getByLabel('File to upload').evaluate((input) => input.files.length) === 1, 'the chosen file is kept');
		await page.close();
	});

	await story('a revoked doctor is refused, and keeps what it typed', async () => {
		// The doctor has the patient's records on screen when the patient revokes.
		await doctor.getByLabel('Patient', { exact: true }).selectOption(patientKeys.address);
		await doctor.locator(`button[data-record="${recordId}"]`).waitFor({ timeout: 60000 });
		await patient.getByRole('row', { name: /Perry Cox/ }).getByRole('button', { name: 'Revoke' }).click();
		await outcome(patient, /revoked/);
		// The doctor's page still shows the patient's records from before the revocation. Its key
		// may still be in the state for a few blocks (removed block by block), but the read must
		// be logged first, and the chain refuses the log: nothing is shown.
		await doctor.locator(`button[data-record="${recordId}"]`).click();
		const refused = await refusal(doctor, /You may not open this record|has not given you access to this \(or has revoked it\)/);
		expect(await doctor.getByTestId('opened').count() === 0, 'nothing of the record is shown');
		log(`  open: ${refused}`);
		const note = 'Ibuprofen 400 mg\nas needed, at most 3 a day';
		await doctor.getByLabel('Text', { exact: true }).fill(note);
		await doctor.getByRole('button', { name: 'Sign and send' }).click();
		const said = await refusal(doctor, /Refused by the chain/);
		log(`  write: ${said}`);
		expect(!/0x[0-9a-f]{16}|\{"/.test(said), `the refusal is in words, not an encoding dump: ${said}`);
		expect((await doctor.getByLabel('Text', { exact: true }).inputValue()) === note, 'what the doctor typed is still there');
		await shot(doctor, 'doctor-refused');
		// After a reload the patient is gone from the doctor's list.
		await reopen(doctor);
		await doctor.getByRole('heading', { name: 'My patients' }).waitFor({ timeout: 60000 });
		const listed = await doctor.locator(`option[value="${patientKeys.address}"]`).count();
		expect(listed === 0, 'the patient is gone from the doctor\'s list');
	});

	await story('patient: a new version of a record, then its erasure', async () => {
		await reopen(patient);
		const row = patient.locator('tr', { has: patient.locator(`button[data-record="${recordId}"]`) });
		await row.getByRole('button', { name: 'New version' }).click();
		await patient.getByLabel('File of the new version').setInputFiles({ name: 'lab2.txt', mimeType: 'text/plain', buffer: Buffer.from('Haemoglobin 14.1 g/dL (corrected)\n') });
		await patient.getByRole('button', { name: 'Encrypt and replace' }).click();
		const said = await outcome(patient, /amended: the new version is record \d+/);
		const newest = Number(said.match(/record (\d+);/)[1]);
		await patient.locator(`button[data-record="${newest}"]`).click();
		await patient.getByTestId('opened').filter({ hasText: '14.1' }).waitFor({ timeout: 60000 });
		patient.once('dialog', (dialog) => dialog.accept());
		await patient.locator('tr', { has: patient.locator(`button[data-record="${newest}"]`) }).getByRole('button', { name: 'Erase' }).click();
		await outcome(patient, /erased with all its versions/);
		expect(await patient.locator(`button[data-record="${newest}"]`).count() === 0, 'the erased record is gone from the list');
		// The command agrees: the erased record opens for nobody, the patient included.
		const refused = commandFails(['--node', NODE_URL, '--ipfs', IPFS_URL, '--suri', patientKeys.phrase, 'record', 'get', String(newest), '--out', join(work, 'erased.txt')]);
		expect(/erased/.test(refused), `the command says the record was erased: ${refused}`);
	});

	await story('emergency: the patient makes records openable, a doctor breaks the glass with its reason, the patient ends it', async () => {
		// The patient chooses what opens in an emergency; the keys are escrowed for the committee.
		await reopen(patient);
		const card = patient.locator('section', { hasText: 'In an emergency' });
		await card.getByLabel('Profile', { exact: true }).check();
		await card.getByLabel('Prescriptions', { exact: true }).check();
		await card.getByRole('button', { name: 'Save and escrow my keys' }).click();
		const saved = await outcome(patient, /can be opened in an emergency/);
		const escrowed = Number(saved.match(/(\d+) record key\(s\) escrowed/)[1]);
		expect(escrowed >= 2, `the profile and the prescription are escrowed: ${saved}`);
		// A prescription added now carries its key's shares in the transaction that adds it.
		await reopen(patient);
		await patient.getByLabel('Category', { exact: true }).selectOption('prescription');
		await patient.getByLabel('File to upload').setInputFiles({ name: 'rx.txt', mimeType: 'text/plain', buffer: Buffer.from('Amoxicillin 500 mg three times a day for 7 days') });
		await patient.getByRole('button', { name: 'Encrypt and upload' }).click();
		const withShares = await outcome(patient, /Record \d+ added/);
		expect(withShares.includes('Its key is escrowed for emergencies.'), `the new prescription is escrowed with it: ${withShares}`);
		// The doctor (whose access was revoked) opens emergency access, with a reason and a note.
		await reopen(doctor);
		await doctor.getByLabel("Patient's account").fill(patientKeys.address);
		await doctor.getByLabel('Reason').selectOption('Unconscious');
		await doctor.getByLabel('Note (optional, kept off the chain)').fill('found collapsed, ER bay 3');
		await doctor.getByRole('button', { name: 'Open emergency access' }).click();
		const opened = await outcome(doctor, /Emergency access to .* is open/);
		expect(/Keep this salt with your note for the review: 0x[0-9a-f]{64}/.test(opened), `the note's salt is shown: ${opened}`);
		// Before the custodians release anything, the doctor is told to wait.
		await doctor.getByLabel('Patient', { exact: true }).selectOption(patientKeys.address);
		const table = doctor.locator('#records-list');
		await table.waitFor({ timeout: 30000 });
		const profileRow = table.locator('tr', { hasText: 'Profile' }).first();
		await profileRow.getByRole('button', { name: 'Open' }).click();
		const waiting = await refusal(doctor, /no key shares have been released yet/);
		log(`  before the custodians: ${waiting}`);
		// The committee's custodian (Alice on the dev chain) releases its shares to the doctor.
		const released = execFileSync(CLI, ['--node', NODE_URL, '--ipfs', IPFS_URL, '--dev', '--suri', '//Alice', 'custodian', '--once'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
		log(`  custodian: ${released.trim().split('\n').pop()}`);
		expect(!/does not open with its key|could not release/i.test(released), `the custodian opened every share the browser made: ${released}`);
		await profileRow.getByRole('button', { name: 'Open' }).click();
		await doctor.getByTestId('opened').filter({ hasText: 'Elliot Reid' }).waitFor({ timeout: 60000 });
		// The hospital reviews it.
		await reopen(hospital);
		const row = hospital.getByRole('row', { name: /Perry Cox/ }).filter({ hasText: /Unconscious/i });
		await row.waitFor({ timeout: 30000 });
		expect((await row.textContent()).includes(patientKeys.address.slice(0, 6)), 'the review names the patient');
		await shot(hospital, 'hospital');
		// The patient sees it, and ends it; the doctor's next open is refused.
		await reopen(patient);
		const accesses = patient.getByTestId('emergency-accesses');
		await accesses.filter({ hasText: /Perry Cox opened emergency access .*unconscious/i }).waitFor({ timeout: 30000 });
		await accesses.getByRole('button', { name: 'End it' }).click();
		await outcome(patient, /emergency access of .* is ended/);
		await reopen(doctor);
		await doctor.getByLabel('Patient', { exact: true }).selectOption({ index: 0 });
		expect(await doctor.locator('option', { hasText: '(emergency access)' }).count() === 0, 'the ended access is gone from the doctor\'s list');
	});

	await story('the IPFS gateway stores only what a registered person signs, and administers nothing', async () => {
		// Every upload and read of the stories above went through the gateway.
		expect(toIpfsApi.length === 0, `the pages never called IPFS's API: ${toIpfsApi.join(', ')}`);
		const unsigned = await fetch(`${GATEWAY_URL}/upload`, { method: 'POST', body: 'not signed' });
		expect(unsigned.status === 401, `an unsigned upload is refused: ${unsigned.status}`);
		for (const path of ['/api/v0/pin/rm?arg=x', '/api/v0/repo/gc', '/api/v0/shutdown', '/api/v0/config/show', '/api/v0/add']) {
			const answer = await fetch(`${GATEWAY_URL}${path}`, { method: 'POST' });
			expect(answer.status === 404, `${path} is not served: ${answer.status}`);
		}
		// Signed by the hospital's key: a member, but no patient or doctor with an encryption key.
		const byHospital = await hospital.evaluate(async (gateway) => {
			const { ipfs, session } = window.ehrApp;
			return ipfs.add(gateway, new Uint8Array([1, 2, 3]), session.pair).then((cid) => `stored ${cid}`, (e) => e.message);
		}, GATEWAY_URL);
		expect(/is not a patient or active doctor with an encryption key/.test(byHospital), `an account that is no patient or doctor is refused: ${byHospital}`);
		// The patient's key signing the right message (time, body) but naming the doctor's
		// account; then the patient's own signature replayed.
		const forged = await patient.evaluate(async ({ gateway, other }) => {
			const { ipfs, session } = window.ehrApp;
			const posing = { address: other, sign: (message) => session.pair.sign(message) };
			return ipfs.add(gateway, new Uint8Array([1, 2, 3]), posing).then((cid) => `stored ${cid}`, (e) => e.message);
		}, { gateway: GATEWAY_URL, other: doctorKeys.address });
		expect(/signature does not match/.test(forged), `a signature for another account is refused: ${forged}`);
		// Too large: refused from its declared length, before the body is read or checked.
		const large = await new Promise((resolve, reject) => {
			const request = httpRequest(`${GATEWAY_URL}/upload`, { method: 'POST', headers: {
				'content-length': (GATEWAY_MAX_MIB << 20) + 1, 'x-ehr-account': patientKeys.address,
				'x-ehr-time': String(Date.now()), 'x-ehr-signature': `0x${'00'.repeat(64)}` } }, resolve);
			request.on('error', reject);
			request.flushHeaders();
		});
		large.resume();
		expect(large.statusCode === 413, `an envelope over the gateway's limit is refused: ${large.statusCode}`);
		// The patient's own upload goes through and reads back by its CID; the same signed
		// request sent again (a replay) stores and counts nothing.
		const stored = await patient.evaluate(async (gateway) => {
			const { ipfs, session } = window.ehrApp;
			let signed;
			const recording = { address: session.address, sign: (message) => { signed = [message, session.pair.sign(message)]; return signed[1]; } };
			const body = new Uint8Array([7, 7, 7]);
			const cid = await ipfs.add(gateway, body, recording);
			const hex = (bytes) => `0x${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
			const time = new TextDecoder().decode(signed[0]).split(':')[1];
			const replay = await fetch(`${gateway}/upload`, { method: 'POST', body,
				headers: { 'x-ehr-account': session.address, 'x-ehr-time': time, 'x-ehr-signature': hex(signed[1]) } });
			return [cid, Array.from(await ipfs.cat(gateway, cid, 3)), replay.status];
		}, GATEWAY_URL);
		expect(/^baf/.test(stored[0]) && stored[1].join() === '7,7,7', `a registered patient's signed upload is stored: ${stored}`);
		expect(stored[2] === 409, `a replayed upload is refused: ${stored[2]}`);
		log('  unsigned, administration paths, an unregistered signer, a forged signature, too large, a replay: refused');
	});

	await story('connection settings count only when the unlocked key saved them', async () => {
		const page = await open(patientDevice);
		// Another script of the app's origin names its own node and gateway under the patient's
		// address (it cannot sign them), and writes the unsigned settings an older version kept:
		// a node, a key-file cost that makes passphrases cheap to guess, a lock that never comes.
		const planted = 'ws://127.0.0.1:1';
		await page.evaluate(({ address, planted }) => {
			localStorage.setItem(`ehr-settings-${address}`, JSON.stringify({ node: planted, gateway: 'http://127.0.0.1:1', signature: `0x${'11'.repeat(64)}` }));
			localStorage.setItem('ehr-connection', JSON.stringify({ node: planted, keyFileCost: 1, idleMinutes: 100000 }));
			// It also plants its own app and config in the caches the service worker serves from,
			// and the page itself with its true bytes but a header sending the browser elsewhere.
			return caches.keys().then(async (names) => {
				const index = await (await fetch('./index.html')).arrayBuffer();
				for (const name of [...names, 'ehr-web-planted']) {
					const cache = await caches.open(name);
					for (const path of ['./', './index.html']) {
						await cache.put(path, new Response(index, { headers: { 'content-type': 'text/html', refresh: '0; url=about:blank#planted' } }));
					}
					await cache.put('./app.js', new Response('document.title = "planted";', { headers: { 'content-type': 'text/javascript' } }));
					await cache.put('./config.json', new Response(JSON.stringify({ node: planted, idleMinutes: 100000 }), { headers: { 'content-type': 'application/json' } }));
				}
				return names.length;
			});
		}, { address: patientKeys.address, planted });
		// And a read-log entry in the outbox, in the patient's name, that no key sealed: it would
		// be signed at sign-in (a made-up read in someone's trail).
		const rpc = async (method, params) => (await (await fetch(NODE_URL.replace('ws:', 'http:'), { method: 'POST',
			headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) })).json()).result;
		const outboxKey = `ehr.outbox.${await rpc('chain_getBlockHash', [0])}.${(await rpc('chain_getBlockHash', [1])).slice(2, 18)}`;
		await page.evaluate(({ outboxKey, reader, patient }) => localStorage.setItem(outboxKey, JSON.stringify([{ id: 'planted', reader, patient,
			records: [[0, 'lab-report']], queuedAt: 1, birth: 0, nonce: 0, scanned: 0, hex: '0x00', hash: '0x00' }])),
		{ outboxKey, reader: patientKeys.address, patient: doctorKeys.address });
		await reopen(page);
		expect(await page.title() !== 'planted', 'a file planted in the caches is not served');
		expect(page.url().startsWith(ORIGIN), `a planted header is not passed on: ${page.url()}`);
		await shown(page, '#/patient');
		const said = await refusal(page, /not saved with your key/);
		let config = await page.evaluate(() => ({ ...window.ehrApp.config }));
		log(`  planted files in Cache Storage: not served (the worker checks each file's hash and sets the headers)`);
		expect(config.node === NODE_URL && config.ipfs === GATEWAY_URL && config.idleMinutes !== 100000 && config.keyFileCost !== 1,
			`the planted settings are ignored: ${JSON.stringify(config)}`);
		log(`  planted settings: ${said}`);
		await waitFor('the planted outbox entry dropped', () => page.evaluate((k) => !(localStorage.getItem(k) || '').includes('planted'), outboxKey), 20);
		log('  a planted read-log entry: dropped, never signed');
		// The patient's own choice (the same node named with a path), saved while signed in:
		// kept signed by the key and used at the next unlock, with no warning.
		const chosen = `${NODE_URL}/`;
		await page.evaluate(() => { location.hash = '#/settings'; });
		await shown(page, '#/settings');
		await page.getByLabel('Node (WebSocket)').fill(chosen);
		await page.getByRole('button', { name: 'Save' }).click();
		await outcome(page, /Saved: the app talks to/);
		await page.evaluate(() => { location.hash = '#/'; }); // reopened at the sign-in page
		await reopen(page);
		await shown(page, '#/patient');
		await page.getByRole('heading', { name: 'My records' }).first().waitFor({ timeout: 60000 });
		config = await page.evaluate(() => ({ ...window.ehrApp.config, alert: document.getElementById('alert').hidden ? '' : document.getElementById('alert').textContent }));
		expect(config.node === chosen && !/not saved with your key/.test(config.alert), `the patient's own settings are used: ${JSON.stringify(config)}`);
		const stored = await page.evaluate((address) => {
			const mine = JSON.parse(localStorage.getItem(`ehr-settings-${address}`));
			localStorage.removeItem(`ehr-settings-${address}`); // the later stories use the served node
			return mine;
		}, patientKeys.address);
		expect(/^0x[0-9a-f]{128}$/.test(stored.signature) && stored.node === chosen, `saved signed by the key: ${JSON.stringify(stored)}`);
		await page.close();
		log('  the patient\'s own settings: signed by the key, used after unlocking');
	});

	await story('the app: nothing from outside, labelled controls, installable, locks when idle', async () => {
		expect(outside.length === 0, `no request leaves loopback: ${outside.join(', ')}`);
		const unlabelled = await hospital.evaluate(() => Array.from(document.querySelectorAll('input, select, textarea'))
			.filter((el) => el.type !== 'hidden' && !(el.labels?.length || el.getAttribute('aria-label'))).map((el) => el.outerHTML));
		expect(unlabelled.length === 0, `every control has a label: ${unlabelled.join(' ')}`);
		const installed = await hospital.evaluate(async () => {
			const registration = await navigator.serviceWorker.ready;
			const manifest = await (await fetch(document.querySelector('link[rel=manifest]').href)).json();
			return { worker: Boolean(registration.active), cached: (await caches.keys()).length, name: manifest.name };
		});
		expect(installed.worker && installed.cached === 1 && installed.name, `installable: ${JSON.stringify(installed)}`);
		// The hospital serving the app sets a short idle time (a page's storage cannot: see the
		// connection story).
		servedConfig.idleMinutes = 0.05;
		await reopen(hospital);
		await hospital.getByRole('heading', { name: 'Our doctors' }).waitFor({ timeout: 60000 });
		await outcome(hospital, /Locked after inactivity/, 30);
		expect(await hospital.evaluate(() => window.ehrApp.session === null), 'the keys are dropped when locked');
	});

	await browser.close();
	web.close();
	log(`all ${results.length} browser stories passed`);
	console.log(`browser tests: ${results.length} passed, 0 failed`);
}

function stopAll() {
	for (const child of children) {
		try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
	}
}

main().then(() => { stopAll(); process.exit(0); }).catch(async (error) => {
	console.error(`[browser] FAILED: ${error.stack || error}`);
	// What each page showed, for the failure's diagnosis.
	for (const [i, page] of pages.entries()) {
		try {
			await page.screenshot({ path: join(SHOTS, `failure-${i}.png`), fullPage: true, timeout: 5000 });
			console.error(`[browser] page ${i} (${page.url()}): ${(await page.locator('#alert').textContent({ timeout: 2000 })) || 'no message'}`);
		} catch { /* closed */ }
	}
	for (const child of children) {
		console.error(`--- ${child.name} log (tail) ---\n${child.output().split('\n').slice(-20).join('\n')}`);
	}
	stopAll();
	process.exit(1);
});
