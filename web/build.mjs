// Builds the web app into one directory of static files: the bundled JavaScript (with
// @polkadot/api and everything else it imports: no CDN), the envelope's WebAssembly, the page,
// its styles, icon, manifest and service worker.
//   node web/build.mjs OUT_DIR WASM_PKG_DIR
import { build } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [out, pkg] = process.argv.slice(2);
if (!out || !pkg) {
	console.error('usage: node web/build.mjs OUT_DIR WASM_PKG_DIR');
	process.exit(2);
}
mkdirSync(out, { recursive: true });
await build({
	entryPoints: [join(here, 'src/main.js')],
	bundle: true,
	format: 'esm',
	target: 'es2022',
	minify: true,
	sourcemap: false,
	outfile: join(out, 'app.js'),
	alias: { 'ehr-web-wasm': join(pkg, 'ehr_web_wasm.js') },
	logLevel: 'warning',
	legalComments: 'none',
});
cpSync(join(pkg, 'ehr_web_wasm_bg.wasm'), join(out, 'ehr_web_wasm_bg.wasm'));
for (const file of readdirSync(join(here, 'static'))) {
	cpSync(join(here, 'static', file), join(out, file));
}
// The service worker caches exactly the files built, under a name that changes with them, so
// an installed app updates when the files do.
const files = readdirSync(out).filter((f) => f !== 'sw.js' && f !== 'config.json').sort();
const digest = createHash('sha256');
for (const f of files) digest.update(f).update(readFileSync(join(out, f)));
// Each file with its SHA-256: the worker serves a cached file only if it still hashes to it.
const hashes = Object.fromEntries(files.map((f) => ['./' + f, createHash('sha256').update(readFileSync(join(out, f))).digest('hex')]));
hashes['./'] = hashes['./index.html'];
const sw = readFileSync(join(here, 'static/sw.js'), 'utf8')
	.replace('__VERSION__', digest.digest('hex').slice(0, 16))
	.replace('__FILES__', JSON.stringify(hashes));
writeFileSync(join(out, 'sw.js'), sw);
console.log(`web app built in ${out} (${files.length} files)`);
