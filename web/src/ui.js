// Small DOM helpers: elements built from code (no HTML strings, so nothing from the chain or a
// file is ever parsed as markup), the status line, the alert box, and busy buttons.

/** An element: h('button', { onclick, class: 'x' }, 'text', child…). */
export function h(tag, attrs = {}, ...children) {
	const el = document.createElement(tag);
	for (const [key, value] of Object.entries(attrs || {})) {
		if (value === undefined || value === null || value === false) continue;
		if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
		else if (key === 'class') el.className = value;
		else if (key === 'text') el.textContent = value;
		else if (value === true) el.setAttribute(key, '');
		else el.setAttribute(key, value);
	}
	for (const child of children.flat(Infinity)) {
		if (child === undefined || child === null || child === false) continue;
		el.append(child instanceof Node ? child : document.createTextNode(String(child)));
	}
	return el;
}

let idCounter = 0;
/** A labelled field: the label points to the control (screen readers read them together). */
export function field(label, control, hint) {
	const id = control.id || `f${++idCounter}`;
	control.id = id;
	const hintEl = hint ? h('div', { class: 'muted', id: `${id}-hint` }, hint) : null;
	if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
	return h('div', {}, h('label', { for: id }, label), control, hintEl);
}

export function status(text) {
	document.getElementById('status').textContent = text || '';
}

/** Shows a message people understand; `ok` for success, otherwise an error. */
export function say(text, ok = false) {
	const box = document.getElementById('alert');
	box.textContent = text;
	box.className = ok ? 'alert ok' : 'alert';
	box.setAttribute('role', ok ? 'status' : 'alert');
	box.hidden = !text;
}

export function clearSay() {
	say('');
}

/**
 * Runs `work` for a button: disabled while it runs, the status line says what happens, the
 * error (already in words) goes to the alert box. Nothing the user typed is cleared on failure:
 * the forms are only reset by the caller after success.
 */
export async function act(button, what, work) {
	clearSay();
	button.disabled = true;
	button.setAttribute('aria-busy', 'true');
	status(what + '…');
	try {
		const result = await work();
		return result;
	} catch (error) {
		// Refusals and failures the app explains carry `human`; anything else is a fault of
		// the app itself, said as such (not as an encoding dump).
		say(error.human || `Something went wrong in the app, nothing was changed: ${String(error.message || error).slice(0, 160)}`);
		if (!error.human) console.error(error);
		return undefined;
	} finally {
		button.disabled = false;
		button.removeAttribute('aria-busy');
		status('');
	}
}

/**
 * Text someone else chose (a name, a file name), for reading: no control or direction
 * characters (which could fake lines or reverse what is shown), trimmed, at most `max`.
 */
export function readable(text, max) {
	return text.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, '').trim().slice(0, max);
}

export function shortAddress(address) {
	return address ? `${address.slice(0, 6)}…${address.slice(-6)}` : '';
}

export function formatTime(ms) {
	return new Date(Number(ms)).toLocaleString(undefined, {
		day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit',
	});
}

export function formatSize(bytes) {
	const n = Number(bytes);
	if (n < 1024) return `${n} bytes`;
	if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
	return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** Offers `bytes` as a download named `name`. */
export function download(bytes, name, type = 'application/octet-stream') {
	const url = URL.createObjectURL(new Blob([bytes], { type }));
	const a = h('a', { href: url, download: name });
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
