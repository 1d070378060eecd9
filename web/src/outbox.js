// The read outbox: a doctor sees a record as soon as it is verified and decrypted; the read's
// log entry (a signed `consent.logAccess`) was checked against the chain, signed and kept in this
// browser's storage first, and is sent until a finalized block holds it: on this page, and after
// a reload or a crash at the next sign-in (`resume`). As in the `ehr` command: a client holding a
// record's key can always read without logging; the trail records what honest clients did, and
// the outbox makes sure an honest one always logs.
import { stringToU8a, u8aToHex } from '@polkadot/util';
import { decodeAddress, sr25519Verify } from '@polkadot/util-crypto';
import { CATEGORY_VARIANT, ERA_BLOCKS, Failure, dryRun, signOnly } from './chain.js';

// Entries are kept per chain: its genesis and its block #1 (a development chain started anew from
// the same genesis is another chain: an entry signed on one is never sent to the other).
const storageKeys = new WeakMap();
async function storageKey(api) {
	if (!storageKeys.has(api)) {
		const first = (await api.rpc.chain.getBlockHash(1)).toHex();
		storageKeys.set(api, `ehr.outbox.${api.genesisHash.toHex()}.${first.slice(2, 18)}`);
	}
	return storageKeys.get(api);
}

/** The pending entries of this chain. */
export async function pending(api) {
	return read(await storageKey(api));
}

function read(key) {
	try {
		const entries = JSON.parse(localStorage.getItem(key) || '[]');
		return Array.isArray(entries) ? entries : [];
	} catch {
		return [];
	}
}

// Each change reads and writes the list with nothing awaited between (another change of this
// page cannot slip in and be lost).
async function update(api, entry) {
	const key = await storageKey(api);
	localStorage.setItem(key, JSON.stringify([...read(key).filter((e) => e.id !== entry.id), entry]));
}

async function remove(api, id) {
	const key = await storageKey(api);
	localStorage.setItem(key, JSON.stringify(read(key).filter((e) => e.id !== id)));
}

/**
 * Runs `fn` holding this origin's outbox lock (Web Locks: one tab, one sign-in at a time), so
 * that two pages never both sign one entry again.
 */
function exclusively(fn) {
	return navigator.locks ? navigator.locks.request('ehr.outbox', fn) : fn();
}

// What an entry logs (reader, patient, records, time) is sealed by the reader's key when the read
// is queued: any script of this origin can write the browser's storage, and an entry planted
// there would otherwise be signed at the next sign-in (made-up reads in a patient's trail, the
// reader's log allowance used up). Entries whose seal does not verify are dropped, never signed.
const sealMessage = (key, e) => stringToU8a(`ehr-outbox:${key}:${e.reader}:${e.patient}:${JSON.stringify(e.records)}:${e.queuedAt}`);

function sealed(key, entry) {
	try {
		return typeof entry.seal === 'string' && Array.isArray(entry.records)
			&& sr25519Verify(sealMessage(key, entry), entry.seal, decodeAddress(entry.reader));
	} catch {
		return false;
	}
}

function logCall(api, entry) {
	// A record of another patient than the entry's names its patient third (a doctor's page
	// reading its patients' profiles for their names logs them in one transaction).
	const calls = entry.records.map(([id, category, patient]) => api.tx.consent.logAccess(patient ?? entry.patient, id, CATEGORY_VARIANT[category]));
	return calls.length === 1 ? calls[0] : api.tx.utility.batchAll(calls);
}

async function sign(ctx, entry) {
	const { tx, birth, nonce } = await signOnly(ctx.api, ctx.keys.pair, logCall(ctx.api, entry));
	return { ...entry, hex: tx.toHex(), hash: tx.hash.toHex(), birth, nonce, scanned: Math.max(entry.scanned ?? 0, birth - 1), signatures: (entry.signatures ?? 0) + 1 };
}

/**
 * Queues the log of the signed-in reader's read of `records` (`[[id, category]]`, or `[[id,
 * category, patient]]` for a record of another patient) of `patient`:
 * refused at once (nothing shown) if the chain would refuse it now, else signed and stored before
 * the caller shows anything. Returns the entry; `follow` sends it.
 */
export async function queueRead(ctx, patient, records) {
	const base = { reader: ctx.keys.address, patient, records, queuedAt: Date.now() };
	await dryRun(ctx.api, ctx.keys.address, logCall(ctx.api, base));
	base.seal = u8aToHex(ctx.keys.pair.sign(sealMessage(await storageKey(ctx.api), base)));
	const best = (await ctx.api.rpc.chain.getHeader()).number.toNumber();
	const entry = await sign(ctx, { ...base, bestAtRead: best });
	entry.id = `${entry.queuedAt}-${entry.hash.slice(2, 14)}`;
	try {
		await update(ctx.api, entry);
	} catch (error) {
		throw new Failure(`This browser cannot keep the read's log entry (${error.message || error}): nothing was shown. Free some site storage and open the record again.`);
	}
	return entry;
}

/** The entries this page follows now (a pass over the outbox leaves them to their follower). */
const following = new Set();

/**
 * Sends `entry` and follows it: `onLogged(number, failed)` once a finalized block holds it (the
 * entry then leaves the outbox). A refusal or a lost connection leaves it for `resume`. Resolves
 * at the node's first word on the submission (in its pool, or refused): a transaction signed
 * after that takes the next nonce, not this one's.
 */
export function follow(ctx, entry, onLogged) {
	const { api } = ctx;
	if (following.has(entry.id)) return Promise.resolve();
	following.add(entry.id);
	let answered;
	const heard = new Promise((resolve) => { answered = resolve; });
	let unsubscribe = () => {};
	// Dropped by the pool, refused, or the connection lost: a pass over the outbox a block
	// later sends it again (or signs it again if its bytes can never be included).
	const retry = () => following.delete(entry.id) && setTimeout(() => resume(ctx, (e, number, failed) => { if (e.id === entry.id) onLogged?.(number, failed); }).catch(() => {}), 6000);
	api.rpc.author.submitAndWatchExtrinsic(entry.hex, async (status) => {
		answered();
		if (status.isInvalid || status.isDropped || status.isUsurped) {
			unsubscribe();
			retry();
			return;
		}
		if (!status.isFinalized) return;
		unsubscribe();
		following.delete(entry.id);
		const found = await find(api, entry, status.asFinalized);
		if (!found) return;
		await remove(api, entry.id);
		onLogged?.(found.number, found.failed);
	}).then((u) => { unsubscribe = u; }).catch(() => { answered(); retry(); });
	return heard;
}

/** The block `hash` (number) if it holds `entry`'s transaction, with its failure if it failed. */
async function find(api, entry, hash) {
	const block = await api.rpc.chain.getBlock(hash);
	const index = block.block.extrinsics.findIndex((x) => x.toHex() === entry.hex);
	if (index < 0) return null;
	let events;
	try {
		events = await (await api.at(hash)).query.system.events();
	} catch {
		// A node that pruned the block's state cannot say how the call ended; the transaction is
		// in the finalized chain either way.
		return { number: block.block.header.number.toNumber(), failed: false };
	}
	const failed = events.find(({ phase, event }) => phase.isApplyExtrinsic && phase.asApplyExtrinsic.toNumber() === index
		&& api.events.system.ExtrinsicFailed.is(event));
	return { number: block.block.header.number.toNumber(), failed: Boolean(failed) };
}

/**
 * At sign-in: every entry of this reader left by an earlier page (closed, reloaded, crashed) is
 * looked for in the finalized blocks since it was signed; found, it leaves the outbox; missing,
 * it is sent again, or signed again when its bytes can never be included (its era ended, or a
 * finalized block used its nonce for another transaction). Resolves with how many wait.
 */
export function resume(ctx, onLogged) {
	return exclusively(() => resumeLocked(ctx, onLogged));
}

async function resumeLocked(ctx, onLogged) {
	const { api } = ctx;
	const key = await storageKey(api);
	const ours = (await pending(api)).filter((e) => e.reader === ctx.keys.address);
	const mine = ours.filter((e) => sealed(key, e));
	for (const planted of ours.filter((e) => !sealed(key, e))) await remove(api, planted.id);
	if (!mine.length) return 0;
	const finalizedHash = await api.rpc.chain.getFinalizedHead();
	const finalized = (await api.rpc.chain.getHeader(finalizedHash)).number.toNumber();
	const finalNonce = (await (await api.at(finalizedHash)).query.system.account(ctx.keys.address)).nonce.toNumber();
	for (let entry of mine) {
		if (following.has(entry.id)) continue;
		let found = null;
		for (let n = (entry.scanned ?? entry.birth - 1) + 1; n <= finalized && !found; n += 1) {
			found = await find(api, entry, await api.rpc.chain.getBlockHash(n));
		}
		if (found) {
			await remove(api, entry.id);
			onLogged?.(entry, found.number, found.failed);
			continue;
		}
		entry = { ...entry, scanned: finalized };
		const eraOver = finalized >= entry.birth + ERA_BLOCKS - 1;
		if (eraOver || finalNonce > entry.nonce) entry = await sign(ctx, entry);
		await update(api, entry);
		follow(ctx, entry, (number, failed) => onLogged?.(entry, number, failed));
	}
	return mine.length;
}
