// The user's keys in the browser. A key is a BIP-39 phrase (or a secret URI with a derivation
// path, as Substrate wallets write them); from it come the sr25519 account key (signing, by
// @polkadot/keyring) and the X25519 encryption key (ehr-envelope in WebAssembly, the derivation
// the `ehr` command uses). At rest the phrase is kept only as a key file (the format of
// `ehr key generate`: scrypt at 2^18, then ChaCha20-Poly1305) in IndexedDB; unlocked, it lives in
// this page's memory until the app locks (after inactivity, or on "Lock").
import { Keyring } from '@polkadot/keyring';
import { hexToU8a, stringToU8a, u8aEq, u8aToHex } from '@polkadot/util';
import { blake2AsHex, cryptoWaitReady, decodeAddress, keyExtractSuri, sr25519Verify } from '@polkadot/util-crypto';
import { Failure } from './chain.js';

let wasm;
export function useWasm(module) { wasm = module; }

/** Substrate's public development phrase (`//Alice` and friends derive from it). */
export const DEV_PHRASE = 'bottom drive obey lake curtain smoke basket hold race lonely fit walk';

/** The keys of secret URI `uri`: { address, pair, encryption (wasm UserKeys), publicKey }. */
export async function derive(uri, keyIndex = 0) {
	await cryptoWaitReady();
	let parts;
	// `//Alice` alone: the development phrase with that path (as Substrate and Keyring read it).
	// Words pasted over several lines, or with double spaces, are the same phrase.
	const trimmed = uri.trim();
	const slash = trimmed.indexOf('/');
	const words = slash < 0 ? trimmed : trimmed.slice(0, slash);
	const clean = words.replace(/\s+/g, ' ').trim() + (slash < 0 ? '' : trimmed.slice(slash));
	const full = clean.startsWith('/') ? `${DEV_PHRASE}${clean}` : clean;
	try {
		parts = keyExtractSuri(full);
	} catch {
		throw new Failure('That is not a recovery phrase: check the words and their order.');
	}
	const phrase = parts.phrase;
	if (!wasm.isValidPhrase(phrase)) {
		throw new Failure('That is not a valid recovery phrase: a word is misspelled, missing, or in the wrong place.');
	}
	// Junctions the `ehr` command reads differently are refused rather than giving other keys:
	// it reads a number only up to 2^64 and `0x…` as text, @polkadot/util-crypto otherwise.
	for (const part of (parts.derivePath.match(/\/\/?[^/]+/g) || [])) {
		const value = part.replace(/^\/+/, '');
		if (/^0x/i.test(value) || (/^\d+$/.test(value) && BigInt(value) > 18446744073709551615n)) {
			throw new Failure(`The derivation path "${part}" is not supported here (hex, or a number above 2^64): use the ehr command for this key.`);
		}
	}
	const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
	const pair = keyring.addFromUri(full);
	// The derivation path as the X25519 derivation takes it: per junction, 1 if hard, and the
	// 32-byte chain code.
	const path = new Uint8Array(parts.path.length * 33);
	parts.path.forEach((junction, i) => {
		path[i * 33] = junction.isHard ? 1 : 0;
		path.set(junction.chainCode, i * 33 + 1);
	});
	const encryption = new wasm.UserKeys(phrase, parts.password || '', path, keyIndex);
	const publicKey = encryption.publicKey();
	return { address: pair.address, pair, encryption, publicKey, keyIndex, development: phrase === DEV_PHRASE };
}

// --- IndexedDB: the key files of this browser ---

function db() {
	return new Promise((resolve, reject) => {
		// Version 2 adds the pinned encryption keys of the people this device shares with.
		const request = indexedDB.open('ehr-web', 2);
		request.onupgradeneeded = () => {
			const names = request.result.objectStoreNames;
			if (!names.contains('keys')) request.result.createObjectStore('keys', { keyPath: 'address' });
			if (!names.contains('pins')) request.result.createObjectStore('pins', { keyPath: 'id' });
		};
		request.onblocked = () => reject(new Failure('The app is open in another tab with an older version: close the other tabs, then reload.'));
		request.onsuccess = () => {
			// A newer version elsewhere must be able to upgrade: step aside.
			request.result.onversionchange = () => request.result.close();
			resolve(request.result);
		};
		request.onerror = () => reject(new Failure('This browser does not let the app keep keys (IndexedDB is off, e.g. in a private window).'));
	});
}

async function store(mode, work, name = 'keys') {
	const database = await db();
	return new Promise((resolve, reject) => {
		const tx = database.transaction(name, mode);
		const request = work(tx.objectStore(name));
		tx.oncomplete = () => { database.close(); resolve(request.result); };
		tx.onerror = () => { database.close(); reject(new Failure(`The key store failed: ${tx.error}`)); };
		tx.onabort = () => { database.close(); reject(new Failure(`The key store failed: ${tx.error || 'aborted'}`)); };
	});
}

export const listKeys = () => store('readonly', (s) => s.getAll());

// --- Pinned encryption keys (trust on first use) ---
//
// The first time this device shares with an account, it keeps the encryption key the node gave
// for it; later, a different key from the node is not used until the user has compared the new
// key's fingerprint with its owner and accepted it. A node that swaps a doctor's key after that
// first time gets nothing wrapped for its own key.

/** A key's fingerprint to compare by voice or on paper: 16 hex digits of BLAKE2 in 4 groups. */
export function fingerprint(key) {
	return blake2AsHex(key, 256).slice(2, 18).toUpperCase().match(/..../g).join(' ');
}

const pinId = (owner, account) => `${owner}/${account}`;
const pinMessage = (owner, account, key) => stringToU8a(`ehr-pin:${owner}:${account}:${key}`);

/**
 * The key pinned by `owner` (this device's signed-in account) for `account`, or null. A pin
 * counts only if the owner's key signed it on this device: any script of this origin can write
 * the browser's storage, and a planted pin would make the device wrap records for a key nobody
 * compared (or refuse the right one). An unsigned or altered pin is no pin.
 */
export async function pinned(owner, account) {
	const pin = await store('readonly', (s) => s.get(pinId(owner, account)), 'pins');
	if (!pin || typeof pin.key !== 'string' || typeof pin.signature !== 'string') return null;
	try {
		return sr25519Verify(pinMessage(owner, account, pin.key), pin.signature, decodeAddress(owner)) ? hexToU8a(pin.key) : null;
	} catch {
		return null;
	}
}

/** `pair` (unlocked) pins `key` for `account`, signed. */
export function pin(pair, account, key) {
	const hex = u8aToHex(key);
	const signature = u8aToHex(pair.sign(pinMessage(pair.address, account, hex)));
	return store('readwrite', (s) => s.put({ id: pinId(pair.address, account), key: hex, signature, at: Date.now() }), 'pins');
}

/**
 * Checks `key`, as the node gave it for `account`, against the pin of `pair`'s account: pins it
 * if there is none yet; returns false (and pins nothing) if another key is pinned.
 */
export async function checkPin(pair, account, key) {
	const known = await pinned(pair.address, account);
	if (!known) {
		await pin(pair, account, key);
		return true;
	}
	return u8aEq(known, key);
}
/**
 * Checks `key` for `account` against this device's pin without pinning anything: 'same',
 * 'changed' (another key is pinned) or 'unconfirmed' (none pinned yet: a grant made on another
 * device, or by a delegate, until the patient compares the fingerprint here).
 */
export async function pinState(owner, account, key) {
	const known = await pinned(owner, account);
	if (!known) return 'unconfirmed';
	return u8aEq(known, key) ? 'same' : 'changed';
}
export const forgetKey = (address) => store('readwrite', (s) => s.delete(address));

/** Saves `keys` (from `derive`) under `passphrase`, with a label the user chose. */
export async function saveKey(uri, keys, label, passphrase, cost) {
	if (!passphrase || passphrase.length < 8) {
		throw new Failure('Choose a passphrase of at least 8 characters: it protects your keys on this device.');
	}
	const keyFile = wasm.sealKeyFile(uri.trim(), keys.address, u8aToHex(keys.publicKey).slice(2),
		keys.keyIndex, passphrase, cost ?? wasm.keyFileCost());
	await store('readwrite', (s) => s.put({ address: keys.address, label, keyFile, savedAt: Date.now() }));
	return keyFile;
}

/** Opens a saved key with its passphrase; checks the file's clear fields against the keys. */
export async function unlock(entry, passphrase) {
	let uri;
	try {
		uri = wasm.openKeyFile(entry.keyFile, passphrase);
	} catch (error) {
		throw new Failure(/passphrase/.test(String(error)) ? 'Wrong passphrase.' : `This key cannot be opened: ${error}`);
	}
	const file = JSON.parse(entry.keyFile);
	const keys = await derive(uri, file.keyIndex || 0);
	if (keys.address !== file.address || keys.address !== entry.address || u8aToHex(keys.publicKey).slice(2) !== file.encryptionKey) {
		throw new Failure('This key file does not match its own keys: it was altered.');
	}
	// The phrase itself is not kept: the account pair and the X25519 keys are all the page needs.
	return { ...keys, label: entry.label };
}

/** Imports a key file written by `ehr key generate` (JSON text). */
export async function importKeyFile(text, label) {
	let file;
	try { file = JSON.parse(text); } catch { throw new Failure('That file is not a key file (not JSON).'); }
	if (!file.address || !file.ciphertext) throw new Failure('That file is not a key file.');
	await store('readwrite', (s) => s.put({ address: file.address, label, keyFile: text, savedAt: Date.now() }));
	return file.address;
}

// --- Locking after inactivity ---

let timer;
let onLock = () => {};
let idleMs = 10 * 60 * 1000;

export function lockAfterIdle(ms, callback) {
	idleMs = ms;
	onLock = callback;
	for (const type of ['pointerdown', 'keydown', 'scroll']) {
		document.addEventListener(type, touch, { passive: true });
	}
	touch();
}

function touch() {
	clearTimeout(timer);
	timer = setTimeout(() => onLock('after inactivity'), idleMs);
}

export function stopIdleTimer() { clearTimeout(timer); }
