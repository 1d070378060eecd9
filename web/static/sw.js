// The service worker: the app's own files are served from the cache (fetched past the HTTP
// cache at install, so one version's files are never mixed with another's), so the app opens (and
// can be installed) without a network; the node and IPFS are never cached (they are other
// origins or POST requests). The build replaces the version and the files with their SHA-256.
//
// Any script of this origin can write the browser's caches (Cache Storage is shared with the
// pages): a cached file is served only if its bytes hash to what this build made, otherwise it
// is fetched again. config.json and chain.json (the node to talk to, the chain's trust anchor)
// are never served from a cache.
const CACHE = 'ehr-web-__VERSION__';
const FILES = __FILES__;

const url = (file) => new URL(file, self.registration.scope).href;
const expected = new Map(Object.entries(FILES).map(([file, hash]) => [url(file), hash]));

const hex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');

/** The cached response for `request` if its body is exactly this build's file, else the network's. */
async function verified(request) {
	const want = expected.get(new URL(request.url).origin + new URL(request.url).pathname);
	const cache = await caches.open(CACHE);
	const hit = await cache.match(request, { ignoreSearch: true });
	if (hit && hex(await crypto.subtle.digest('SHA-256', await hit.clone().arrayBuffer())) === want) return hit;
	const fresh = await fetch(request, { cache: 'reload' });
	if (fresh.ok && hex(await crypto.subtle.digest('SHA-256', await fresh.clone().arrayBuffer())) === want) {
		await cache.put(request, fresh.clone());
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
	if (!expected.has(where.origin + where.pathname)) return;
	event.respondWith(verified(event.request));
});
