// What the browser tests share: child processes started and stopped as a group, waiting for a
// service, the app served with its config, pages opened and unlocked, the app's answers read.
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join } from 'node:path';

export const PASS = 'correct horse battery';
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm',
	'.svg': 'image/svg+xml', '.webmanifest': 'application/manifest+json', '.json': 'application/json' };

export function fail(text) { throw new Error(text); }
export function expect(condition, text) { if (!condition) fail(text); }

/** A test run: its name (log prefix), its children, its pages. */
export function harness(name) {
	const children = [];
	const pages = [];
	const log = (text) => console.log(`[${name}] ${text}`);

	function start(cmd, args, label, env = {}) {
		const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
		const out = [];
		child.stdout.on('data', (d) => out.push(d));
		child.stderr.on('data', (d) => out.push(d));
		child.output = () => Buffer.concat(out).toString();
		child.name = label;
		children.push(child);
		return child;
	}

	function stop(child, signal = 'SIGTERM') {
		try { process.kill(-child.pid, signal); } catch { /* gone */ }
	}

	function stopAll() {
		for (const child of children) stop(child);
	}

	/** Serves the built app from `app` on `port`, with `config` as config.json and the dev chain's spec. */
	function serveApp({ app, port, config, nodeBin, work }) {
		const spec = execFileSync(nodeBin, ['build-spec', '--chain', 'dev', '--raw'], { stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
		writeFileSync(join(work, 'chain.json'), spec);
		const origin = `http://127.0.0.1:${port}`;
		const server = createServer((req, res) => {
			const path = decodeURIComponent(new URL(req.url, origin).pathname);
			if (path === '/config.json' || path === '/chain.json') {
				res.writeHead(200, { 'content-type': 'application/json' });
				return res.end(path === '/config.json' ? JSON.stringify(config) : spec);
			}
			const file = join(app, path === '/' ? 'index.html' : path.replace(/^\/+/, ''));
			if (!file.startsWith(app) || !existsSync(file)) { res.writeHead(404); return res.end(); }
			res.writeHead(200, { 'content-type': TYPES[extname(file)] || 'application/octet-stream' });
			res.end(readFileSync(file));
		});
		return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
	}

	async function open(context, url) {
		const page = await context.newPage();
		pages.push(page);
		page.on('pageerror', (e) => log(`page error: ${e.message}`));
		page.on('console', (m) => m.type() === 'error' && log(`console: ${m.text().slice(0, 300)}`));
		await page.goto(url);
		await page.waitForSelector('body[data-ready=true]', { timeout: 60000 });
		return page;
	}

	/** Runs `main`, then stops every child; on failure, shows each page's message and each child's log. */
	function run(main, shots) {
		main().then(() => { stopAll(); process.exit(0); }).catch(async (error) => {
			console.error(`[${name}] FAILED: ${error.stack || error}`);
			for (const [i, page] of pages.entries()) {
				try {
					await page.screenshot({ path: join(shots, `${name}-failure-${i}.png`), fullPage: true, timeout: 5000 });
					console.error(`[${name}] page ${i} (${page.url()}): ${(await page.locator('#alert').textContent({ timeout: 2000 })) || 'no message'}`);
				} catch { /* closed */ }
			}
			for (const child of children) {
				console.error(`--- ${child.name} log (tail) ---\n${child.output().split('\n').slice(-20).join('\n')}`);
			}
			stopAll();
			process.exit(1);
		});
	}

	return { log, start, stop, stopAll, serveApp, open, run, pages };
}

export async function waitFor(what, check, seconds = 60) {
	const end = Date.now() + seconds * 1000;
	for (;;) {
		try { if (await check()) return; } catch { /* not yet */ }
		if (Date.now() > end) fail(`${what} did not come up in ${seconds} s`);
		await new Promise((r) => setTimeout(r, 250));
	}
}

/** Waits for the app's answer to an action: the success message, or fails with the error. */
export async function outcome(page, pattern, seconds = 90) {
	const alert = page.locator('#alert');
	const end = Date.now() + seconds * 1000;
	for (;;) {
		const visible = await alert.isVisible();
		const text = visible ? await alert.textContent() : '';
		const ok = visible && (await alert.getAttribute('class')).includes('ok');
		if (visible && pattern.test(text)) return text;
		if (visible && !ok && text) fail(`the app said: ${text}`);
		if (Date.now() > end) fail(`no message matching ${pattern} in ${seconds} s (last: ${text})`);
		await page.waitForTimeout(250);
	}
}

/** Restores the key of `uri` on `page` under `label` (the sign-in page). */
export async function restore(page, uri, label) {
	const card = page.locator('section', { hasText: 'Restore your key' });
	await card.getByLabel('Recovery phrase').fill(uri);
	await card.getByLabel('Name for this key').fill(label);
	await card.getByLabel('Passphrase (to unlock on this device)').fill(PASS);
	await card.getByLabel('Passphrase again').fill(PASS);
	await card.getByRole('button', { name: 'Restore' }).click();
	await page.locator('#who').filter({ hasText: label }).waitFor({ timeout: 60000 });
	await page.waitForSelector('body[data-page]:not([data-page="#/"])', { timeout: 60000 });
}

/** The p-th percentile (0–100) of `values`, nearest rank. */
export function percentile(values, p) {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}
