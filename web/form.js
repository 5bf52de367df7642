/*
 * form.js - forms generated from a process's field declarations
 * (GET /processes/{name}, or active_steps[].fields of an object).  No
 * form is written by hand: every type of docs/process-format.md has a
 * widget, lists of objects are editable tables, and the server's
 * validation error ({"field": "accesses[1].hosts[0]"}) is shown next to
 * the widget of that path (or of its nearest parent).
 *
 * The browser's own validation is off (novalidate): the server is the one
 * place input rules live, and its message is what the user sees.
 */
import {h, put, uid, words} from './ui.js';
import {fileToBase64} from './api.js';

/* Registry of error slots: path -> {slot, input}. */
class Slots {
	constructor() { this.map = new Map(); }
	add(path, slot, input) { this.map.set(path, {slot, input}); }
	find(path) {
		let p = path;
		while (p) {
			if (this.map.has(p)) return this.map.get(p);
			const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
			if (cut <= 0) break;
			p = p.slice(0, cut);
		}
		return null;
	}
	clear() {
		for (const {slot, input} of this.map.values()) {
			slot.textContent = '';
			if (input) input.removeAttribute('aria-invalid');
		}
	}
}

function label(f) { return f.label || words(f.name); }

function isEmpty(v) {
	return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

/* One widget: {el, get()} for field F at PATH; SLOTS gets its error slot.
 * COMPACT: inside a table cell (label visually hidden). */
function widget(f, path, slots, ctx, compact = false) {
	const id = uid();
	const errId = id + '-err';
	const err = h('span.field-error', {id: errId, 'aria-live': 'polite'});
	const help = f.help ? h('span.help', {id: id + '-help'}, f.help) : null;
	const describedby = [errId, help ? id + '-help' : ''].filter(Boolean).join(' ');
	const common = {id, name: path, 'aria-describedby': describedby, 'aria-required': f.required ? 'true' : null,
		'data-path': path};
	let input, get;

	switch (f.type) {
	case 'text':
		if (/_b64$/.test(f.name)) return fileAsBase64(f, path, slots, ctx, id, err, common);
		input = h('textarea', {...common, rows: compact ? 2 : 4});
		get = () => input.value;
		break;
	case 'integer':
	case 'number':
		input = h('input', {...common, type: 'number', step: f.type === 'integer' ? '1' : 'any',
			min: f.min, max: f.max});
		get = () => input.value === '' ? undefined : Number(input.value);
		break;
	case 'boolean':
		input = h('input', {...common, type: 'checkbox'});
		get = () => input.checked;
		break;
	case 'date':
		input = h('input', {...common, type: 'date'});
		get = () => input.value;
		break;
	case 'datetime':
		input = h('input', {...common, type: 'datetime-local'});
		get = () => input.value ? new Date(input.value).toISOString() : '';
		break;
	case 'enum':
		input = h('select', common, h('option', {value: ''}, f.required ? '— choose —' : '—'),
			(f.values || []).map(v => h('option', {value: v}, words(v))));
		get = () => input.value;
		break;
	case 'email':
		input = h('input', {...common, type: 'email', autocomplete: 'email'});
		get = () => input.value.trim();
		break;
	case 'file': {
		input = h('input', {...common, type: 'file'});
		get = async () => {
			const file = input.files[0];
			if (!file) return undefined;
			return {filename: file.name, content_type: file.type || undefined,
				content_b64: await fileToBase64(file, ctx.progress)};
		};
		break;
	}
	case 'list':
		if (f.items === 'object' || f.fields) return objectList(f, path, slots, ctx, id, err);
		if (f.values) {
			const boxes = f.values.map(v => {
				const bid = uid();
				const b = h('input', {type: 'checkbox', id: bid, value: v});
				return {b, el: h('span.check', b, h('label', {for: bid}, words(v)))};
			});
			input = h('fieldset.inline', {id, 'aria-describedby': describedby},
				h('legend.sr', label(f)), boxes.map(x => x.el));
			get = () => boxes.filter(x => x.b.checked).map(x => x.b.value);
			break;
		}
		/* A list of scalars: one per line (commas also split). */
		input = h('textarea', {...common, rows: compact ? 2 : 3,
			placeholder: f.items === 'host' ? 'one per line: 10.0.0.0/24, app.example.eu' : 'one per line'});
		get = () => input.value.split(/[\n,]/).map(s => s.trim()).filter(Boolean)
			.map(s => ['integer', 'number'].includes(f.items) ? Number(s) : s);
		break;
	case 'object': {
		const sub = fieldset(f.fields || [], path, slots, ctx);
		const fs = h('fieldset.object', h('legend', label(f)), sub.el, err);
		slots.add(path, err, null);
		return {el: fs, get: sub.get, set: sub.set};
	}
	default: /* string, host, ports and anything new */
		input = h('input', {...common, type: 'text',
			inputmode: f.type === 'ports' ? 'numeric' : null,
			placeholder: f.type === 'ports' ? '443 or 8000-8100' : f.type === 'host' ? '10.0.0.1, 10.0.0.0/24 or host.example.eu' : null});
		get = () => input.value;
	}
	slots.add(path, err, input);
	const set = v => {
		if (f.type === 'boolean') input.checked = !!v;
		else if (Array.isArray(v)) input.value = v.join('\n');
		else if (f.type === 'datetime' && v) input.value = String(v).slice(0, 16);
		else if (v !== undefined && v !== null && input.value !== undefined) input.value = v;
	};
	const lab = h('label', {for: id, class: compact ? 'sr' : null}, label(f), f.required ? h('span.req', {'aria-hidden': 'true'}, ' *') : '');
	const el = f.type === 'boolean'
		? h('div.field.check', input, lab, help, err)
		: h('div.field', lab, input, help, err);
	return {el, get, set, input};
}

/* A text field holding base64 (document_b64): the user picks a file; a
 * sibling "filename" field is filled from it. */
function fileAsBase64(f, path, slots, ctx, id, err, common) {
	const input = h('input', {...common, type: 'file'});
	slots.add(path, err, input);
	input.addEventListener('change', () => {
		const file = input.files[0];
		if (file && ctx.onFileName) ctx.onFileName(file.name);
	});
	const get = async () => {
		const file = input.files[0];
		return file ? fileToBase64(file, ctx.progress) : undefined;
	};
	const el = h('div.field', h('label', {for: id}, label(f).replace(/\s*\(base64\)/, ''),
		f.required ? h('span.req', {'aria-hidden': 'true'}, ' *') : ''), input, err);
	return {el, get, set: () => {}};
}

/* A list of objects as an editable table: a row per item, a column per
 * field; errors of accesses[i].x appear in row i, column x. */
function objectList(f, path, slots, ctx, id, err) {
	const cols = f.fields || [];
	const body = h('tbody');
	const rows = [];
	const addRow = (value) => {
		const i = rows.length;
		const cells = cols.map(c => ({c, w: widget(c, `${path}[${i}].${c.name}`, slots, ctx, true)}));
		const rowErr = h('span.field-error', {'aria-live': 'polite'});
		slots.add(`${path}[${i}]`, rowErr, null);
		const del = h('button.small', {type: 'button', 'aria-label': `Remove row ${i + 1}`,
			onclick: () => { row.removed = true; tr.hidden = true; }}, '✕');
		const tr = h('tr', h('th', {scope: 'row'}, String(i + 1), rowErr),
			cells.map(({w}) => h('td', w.el)), h('td', del));
		const row = {tr, cells, removed: false};
		rows.push(row);
		body.append(tr);
		if (value) for (const {c, w} of cells) w.set && w.set(value[c.name]);
		return row;
	};
	slots.add(path, err, null);
	const el = h('fieldset.list', {id},
		h('legend', label(f), f.required ? h('span.req', {'aria-hidden': 'true'}, ' *') : ''),
		h('div.scroll', h('table.edit',
			h('thead', h('tr', h('th', {scope: 'col'}, '#'),
				cols.map(c => h('th', {scope: 'col'}, label(c), c.required ? h('span.req', {'aria-hidden': 'true'}, ' *') : '')),
				h('th', h('span.sr', 'remove')))),
			body)),
		h('button.small', {type: 'button', onclick: () => {
			const r = addRow();
			r.cells[0]?.w.input?.focus();
		}}, `Add a row`), err);
	addRow();
	const get = async () => {
		const out = [];
		for (const r of rows) {
			if (r.removed) continue;
			const o = {};
			for (const {c, w} of r.cells) {
				const v = await w.get();
				if (!isEmpty(v)) o[c.name] = v;
			}
			if (Object.keys(o).length) out.push(o);
		}
		return out;
	};
	const set = list => {
		body.replaceChildren();
		rows.length = 0;
		for (const v of list || []) addRow(v);
		if (!rows.length) addRow();
	};
	return {el, get, set};
}

function fieldset(fields, prefix, slots, ctx) {
	const ws = fields.map(f => ({f, w: widget(f, prefix ? `${prefix}.${f.name}` : f.name, slots, ctx)}));
	const byName = Object.fromEntries(ws.map(({f, w}) => [f.name, w]));
	ctx.onFileName = ctx.onFileName || (name => byName.filename?.set(name));
	return {
		el: ws.map(({w}) => w.el),
		get: async () => {
			const o = {};
			for (const {f, w} of ws) {
				const v = await w.get();
				if (f.type === 'boolean' || !isEmpty(v)) o[f.name] = v;
			}
			return o;
		},
		set: v => { for (const {f, w} of ws) if (v && f.name in v) w.set && w.set(v[f.name]); },
	};
}

/*
 * A form for FIELDS.  SUBMIT(body, progress) is awaited on submit and may
 * throw an ApiError, whose field is then shown next to its widget.
 * Returns {el, setValues(obj)}.
 */
export function generatedForm(fields, {submitLabel = 'Submit', submit, withComment = true, initial}) {
	const slots = new Slots();
	const bar = h('progress', {max: '1', value: '0', hidden: true, 'aria-label': 'Upload progress'});
	const ctx = {progress: fr => { bar.hidden = false; bar.value = fr; }};
	const all = withComment && !fields.some(f => f.name === 'comment')
		? [...fields, {name: 'comment', type: 'text', label: 'Comment (optional)'}] : fields;
	const fs = fieldset(all, '', slots, ctx);
	const top = h('div.form-error', {'aria-live': 'assertive'});
	const btn = h('button.primary', {type: 'submit'}, submitLabel);
	const form = h('form.generated', {novalidate: true}, top, fs.el, h('div.actions', btn, bar));
	if (initial) fs.set(initial);
	form.addEventListener('submit', async ev => {
		ev.preventDefault();
		slots.clear();
		put(top);
		btn.disabled = true;
		try {
			const body = await fs.get();
			await submit(body, ctx.progress);
		} catch (e) {
			const s = e.field ? slots.find(e.field) : null;
			if (s) {
				/* Name the row when the message does not already. */
				s.slot.textContent = e.field.includes('[') && !e.message.includes(e.field)
					? `${e.message} (${e.field})` : e.message;
				if (s.input) {
					s.input.setAttribute('aria-invalid', 'true');
					s.input.focus();
				}
			}
			if (!s || !s.input)
				put(top, h('p.error', {role: 'alert'}, e.message + (e.field && !s ? ` (${e.field})` : '')));
		} finally {
			btn.disabled = false;
			bar.hidden = true;
		}
	});
	return {el: form, setValues: fs.set};
}
