// The service worker: the app's own files are served from the cache (fetched past the HTTP
// cache at install, so one version's files are never mixed with another's), so the app opens (and
// can be installed) without a network; the node and IPFS are never cached (they are other
// origins or POST requests). The build replaces the version and the file list.
const CACHE = 'ehr-web-__VERSION__';
const FILES = __FILES__;

self.addEventListener('install', (event) => {
	event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(FILES.map((file) => new Request(file, { cache: 'reload' })))).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
	event.waitUntil(
		caches.keys()
			.then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
			.then(() => self.clients.claim()),
	);
});

self.addEventListener('fetch', (event) => {
	const url = new URL(event.request.url);
	if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
	// config.json names the node and IPFS: always fresh when the network is there.
	if (url.pathname.endsWith('/config.json')) {
		event.respondWith(fetch(event.request).catch(() => caches.match(event.request)));
		return;
	}
	event.respondWith(caches.match(event.request, { ignoreSearch: true }).then((hit) => hit || fetch(event.request)));
});
