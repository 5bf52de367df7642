/*
 * ui.js - small DOM helpers shared by every page: element building
 * (no innerHTML of data, ever), dates in the user's locale, messages.
 */

/* h('tag.class#id', {attr: value, onclick: fn}, ...children) */
export function h(spec, attrs, ...kids) {
	const m = /^([a-z0-9]+)?((?:[.#][\w-]+)*)$/i.exec(spec);
	const svg = ['svg', 'g', 'rect', 'text', 'line', 'path', 'title', 'marker', 'defs', 'polyline', 'tspan', 'circle'].includes(m[1]);
	const el = svg ? document.createElementNS('http://www.w3.org/2000/svg', m[1])
		: document.createElement(m[1] || 'div');
	for (const part of (m[2] || '').match(/[.#][\w-]+/g) || []) {
		if (part[0] === '.') el.classList.add(part.slice(1));
		else el.id = part.slice(1);
	}
	if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
		kids.unshift(attrs);
		attrs = null;
	}
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === null || v === undefined || v === false) continue;
		if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
		else if (k === 'class') for (const c of String(v).split(/\s+/).filter(Boolean)) el.classList.add(c);
		else if (k === 'value' && !svg) el.value = v;
		else if (k === 'checked') el.checked = !!v;
		else el.setAttribute(k, v === true ? '' : v);
	}
	append(el, kids);
	return el;
}

function append(el, kids) {
	for (const k of kids) {
		if (k === null || k === undefined || k === false) continue;
		if (Array.isArray(k)) append(el, k);
		else el.append(k instanceof Node ? k : String(k));
	}
}

/* Replace the children of EL. */
export function put(el, ...kids) {
	el.replaceChildren();
	append(el, kids);
	return el;
}

const dateOnly = /^\d{4}-\d{2}-\d{2}$/;

/* A date or date-time from the API, in the user's locale. */
export function fmtDate(s) {
	if (!s) return '';
	/* List pages give Unix seconds, object pages RFC 3339. */
	if (typeof s === 'number') s = new Date(s * 1000).toISOString();
	if (dateOnly.test(s)) {
		const [y, mo, d] = s.split('-').map(Number);
		return new Date(y, mo - 1, d).toLocaleDateString();
	}
	const d = new Date(s);
	if (isNaN(d)) return s;
	return d.toLocaleString(undefined, {dateStyle: 'medium', timeStyle: 'short'});
}

/* A <time> element with the machine value and the local text. */
export function time(s) {
	if (typeof s === 'number') s = new Date(s * 1000).toISOString();
	return s ? h('time', {datetime: s}, fmtDate(s)) : '';
}

let ids = 0;
/* A fresh id for label/input pairs. */
export function uid(prefix = 'f') {
	return `${prefix}-${++ids}`;
}

/* A passing message in the live region. */
export function toast(text, kind = 'ok') {
	const t = document.getElementById('toast');
	t.className = kind;
	t.textContent = text;
	clearTimeout(toast.timer);
	toast.timer = setTimeout(() => { t.textContent = ''; t.className = ''; }, 6000);
}

/* An error box for a failed API call (role=alert: read out at once). */
export function errorBox(e) {
	const where = e.field ? ` (${e.field})` : '';
	return h('p.error', {role: 'alert'}, `${e.message || e}${where}`);
}

/* Words from an identifier: fill_part2 -> "fill part2". */
export function words(s) {
	return String(s).replace(/_/g, ' ');
}

/* A definition list of KEY: VALUE rows for a flat object. */
export function facts(pairs) {
	return h('dl.facts', pairs.filter(([, v]) => v !== undefined && v !== null && v !== '')
		.map(([k, v]) => [h('dt', k), h('dd', v)]));
}

/* A compact rendering of any JSON value. */
export function show(v) {
	if (v === null || v === undefined) return '';
	if (Array.isArray(v)) {
		if (v.every(x => typeof x !== 'object' || x === null)) return v.join(', ');
		return table(v);
	}
	if (typeof v === 'object') return facts(Object.entries(v).map(([k, x]) => [words(k), show(x)]));
	if (typeof v === 'boolean') return v ? 'yes' : 'no';
	if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/.test(v)) return time(v);
	return String(v);
}

/* A table from a list of objects: one column per key seen. */
export function table(rows, cols) {
	cols = cols || [...new Set(rows.flatMap(r => Object.keys(r || {})))];
	return h('div.scroll', h('table',
		h('thead', h('tr', cols.map(c => h('th', {scope: 'col'}, words(c))))),
		h('tbody', rows.map(r => h('tr', cols.map(c => h('td', show(r?.[c]))))))));
}
