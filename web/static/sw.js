// The service worker: the app's own files are served from the cache (fetched past the HTTP
// cache at install, so one version's files are never mixed with another's), so the app opens (and
// can be installed) without a network; the node and IPFS are never cached (they are other
// origins or POST requests). The build replaces the version and the files with their SHA-256.
//
// Any script of this origin can write the browser's caches (Cache Storage is shared with the
// pages): a cached file is served only if its bytes hash to what this build made, and then as a
// new response with headers the worker sets (a stored response's own headers, e.g. a `Refresh`,
// are never passed on); otherwise it is fetched again. config.json and chain.json (the node to
// talk to, the chain's trust anchor) are never served from a cache.
const CACHE = 'ehr-web-__VERSION__';
const FILES = __FILES__;

const TYPES = { html: 'text/html', js: 'text/javascript', css: 'text/css', wasm: 'application/wasm',
	svg: 'image/svg+xml', webmanifest: 'application/manifest+json', json: 'application/json' };

/** Each file's address (without query) → its SHA-256 and content type. */
const expected = new Map(Object.entries(FILES).map(([file, hash]) => {
	const name = file === './' ? 'index.html' : file;
	const type = TYPES[name.split('.').pop()] || 'application/octet-stream';
	return [new URL(file, self.location.href).href, { hash, type }];
}));

const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');

/** This build's file for `address` from the cache if its bytes check, else from the network. */
async function verified(request, address, { hash, type }) {
	const cache = await caches.open(CACHE);
	const hit = await cache.match(address);
	if (hit) {
		const bytes = await hit.arrayBuffer();
		if (hex(await crypto.subtle.digest('SHA-256', bytes)) === hash) {
			return new Response(bytes, { headers: { 'content-type': type } });
		}
	}
	const fresh = await fetch(address, { cache: 'reload' });
	const bytes = await fresh.clone().arrayBuffer();
	if (fresh.ok && hex(await crypto.subtle.digest('SHA-256', bytes)) === hash) {
		// Kept for offline use; a full storage quota only means fetching again next time.
		await cache.put(address, new Response(bytes, { headers: { 'content-type': type } })).catch(() => {});
	}
	return fresh;
}

self.addEventListener('install', (event) => {
	event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(Object.keys(FILES).map((file) => new Request(file, { cache: 'reload' })))).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
	event.waitUntil(
		caches.keys()
			.then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
			.then(() => self.clients.claim()),
	);
});

self.addEventListener('fetch', (event) => {
	const where = new URL(event.request.url);
	if (event.request.method !== 'GET' || where.origin !== self.location.origin) return;
	// Only this build's own files come from the cache, checked; everything else (config.json,
	// chain.json) from the network only.
	const address = where.origin + where.pathname;
	const file = expected.get(address);
	if (!file) return;
	event.respondWith(verified(event.request, address, file));
});
