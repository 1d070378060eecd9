// The envelope's test vectors, run in this browser by the WebAssembly build of the envelope
// crate: every positive vector reproduced byte for byte (SHA-256 by WebCrypto) with its
// commitment and opened again; every negative one refused with the expected error.
import { hexToU8a, u8aToHex } from '@polkadot/util';
import { h } from './ui.js';

function sample(length) {
	const out = new Uint8Array(length);
	for (let i = 0; i < length; i++) out[i] = (i * 31) % 251;
	return out;
}
const hex = (bytes) => u8aToHex(bytes, -1, false);
const unhex = (text) => hexToU8a(`0x${text}`);

/** Runs `vectors` (the JSON of envelope/tests/vectors/v2.json); returns one line per vector. */
export async function runVectors(wasm, vectors) {
	const key = unhex(vectors.key);
	const salt = unhex(vectors.salt);
	const results = [];
	for (const v of vectors.positive) {
		const plain = sample(v.length);
		const sealed = wasm.vectorSeal(key, salt, plain);
		const envelope = sealed.envelope;
		const digest = hex(new Uint8Array(await crypto.subtle.digest('SHA-256', envelope)));
		const opened = wasm.vectorOpen(key, envelope);
		const ok = envelope.length === v.envelopeLength && digest === v.envelopeSha256 && hex(sealed.commitment) === v.commitment
			&& opened.length === plain.length && opened.every((b, i) => b === plain[i]);
		sealed.free();
		results.push({ name: v.name, ok, detail: ok ? 'reproduced and opened' : `got ${envelope.length} bytes, sha256 ${digest}` });
	}
	for (const v of vectors.negative) {
		let error = 'opened';
		try { wasm.vectorOpen(key, unhex(v.envelope)); } catch (e) { error = String(e).split(':')[0]; }
		results.push({ name: v.name, ok: error === v.error, detail: `refused: ${error} (expected ${v.error})` });
	}
	return results;
}

export async function vectorsPage(app) {
	const out = h('ul', { 'data-testid': 'vectors' });
	const input = h('input', { type: 'file', accept: '.json' });
	input.addEventListener('change', async () => {
		let results;
		try {
			results = await runVectors(app.wasm, JSON.parse(await input.files[0].text()));
		} catch (error) {
			out.replaceChildren(h('li', { class: 'cross' }, `This is not the vectors file (envelope/tests/vectors/v2.json): ${error.message || error}`));
			return;
		}
		out.replaceChildren(...results.map((r) => h('li', { class: r.ok ? 'check' : 'cross' }, `${r.name}: ${r.detail}`)));
	});
	return h('section', { class: 'card' }, h('h2', {}, 'Self-test: the envelope format in this browser'),
		h('p', { class: 'muted' }, 'Choose envelope/tests/vectors/v2.json from the source tree: each vector is run by the same code that encrypts your files here.'),
		h('label', { for: 'vectors-file' }, 'Vectors file'), Object.assign(input, { id: 'vectors-file' }), out);
}
