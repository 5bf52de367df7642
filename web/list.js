/*
 * list.js - the list of one object type and the form that starts a new
 * one, both generic: columns and filters come from what the objects hold
 * (the API decides what the user may see), the start form from the
 * process's instance fields.
 *
 * Paging is the API's (?limit=&before=, X-Next-Before); search and the
 * filters work on the page loaded (the API has no server-side filters).
 */
import {api, apiPage} from './api.js';
import {h, put, time, words, uid} from './ui.js';
import {processOf, definition, me, go} from './app.js';
import {generatedForm} from './form.js';

const PAGE = 25;
/* Data fields that identify an object in a list, first found wins. */
const LABELS = ['number', 'reference', 'title', 'name', 'quarter'];
/* Data fields offered as filters when the objects have them. */
const FILTERS = [['dg', 'DG'], ['company', 'Company'], ['na', 'NA']];

function stateOf(o) { return o.data?.phase || o.state; }
function labelOf(o) {
	for (const k of LABELS) if (o.data?.[k]) return String(o.data[k]);
	return '';
}

function maySart(def) {
	const mine = new Set((me()?.roles || []).map(r => r.role));
	return (def.starters || []).some(r => mine.has(r));
}

export async function listPage(main, object) {
	const proc = processOf(object);
	const def = await definition(proc.name);
	const st = {before: null, stack: [], items: [], next: null, details: new Map()};
	const q = new URLSearchParams(location.search);

	const ctl = {};
	const sId = uid();
	ctl.search = h('input', {id: sId, type: 'search', value: q.get('q') || '', placeholder: 'words in any field'});
	const selects = [['state', 'State'], ...FILTERS].map(([k, lab]) => {
		const id = uid();
		const sel = h('select', {id, 'data-filter': k}, h('option', {value: ''}, 'all'));
		ctl[k] = sel;
		return h('div.field.inline', h('label', {for: id}, lab), sel);
	});
	const oId = uid();
	ctl.overdue = h('input', {id: oId, type: 'checkbox'});
	const filters = h('form.filters', {role: 'search', 'aria-label': `Filter ${proc.title}`},
		h('div.field.inline', h('label', {for: sId}, 'Search'), ctl.search), selects,
		h('div.field.inline.check', ctl.overdue, h('label', {for: oId}, 'Overdue only')));
	filters.addEventListener('submit', ev => ev.preventDefault());
	const status = h('p.muted', {'aria-live': 'polite'});
	const body = h('div');
	const prev = h('button', {type: 'button', disabled: true}, '← Newer');
	const next = h('button', {type: 'button', disabled: true}, 'Older →');
	const pager = h('nav.pager', {'aria-label': 'Pages'}, prev, next);

	const fillSelect = (sel, values) => {
		const keep = sel.value;
		put(sel, h('option', {value: ''}, 'all'), [...values].sort().map(v => h('option', {value: v}, words(v))));
		sel.value = [...values].includes(keep) ? keep : '';
		sel.parentElement.hidden = values.size === 0;
	};

	/* Overdue needs each object's active steps: read only when asked. */
	const overdueOf = async o => {
		if (!st.details.has(o.id)) {
			try {
				const d = await api('GET', `/${object}/${o.id}`);
				st.details.set(o.id, (d.active_steps || []).some(s => s.overdue));
			} catch { st.details.set(o.id, false); }
		}
		return st.details.get(o.id);
	};

	const render = async () => {
		const words_ = ctl.search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
		let rows = st.items.filter(o => {
			if (ctl.state.value && stateOf(o) !== ctl.state.value) return false;
			for (const [k] of FILTERS) if (ctl[k].value && o.data?.[k] !== ctl[k].value) return false;
			const text = JSON.stringify(o.data || {}).toLowerCase() + ' ' + o.id;
			return words_.every(w => text.includes(w));
		});
		if (ctl.overdue.checked) {
			const late = await Promise.all(rows.map(overdueOf));
			rows = rows.filter((o, i) => late[i]);
		}
		const extra = FILTERS.filter(([k]) => st.items.some(o => o.data?.[k]));
		put(status, `${rows.length} of ${st.items.length} on this page`);
		put(body, rows.length ? h('div.scroll', h('table.list',
			h('thead', h('tr', h('th', {scope: 'col'}, '#'), h('th', {scope: 'col'}, 'Name'),
				h('th', {scope: 'col'}, 'State'), extra.map(([, l]) => h('th', {scope: 'col'}, l)),
				h('th', {scope: 'col'}, 'Updated'))),
			h('tbody', rows.map(o => h('tr',
				h('td', h('a', {href: `/${object}/${o.id}`}, String(o.id))),
				h('td', h('a', {href: `/${object}/${o.id}`}, labelOf(o) || `${proc.title} #${o.id}`),
					o.data?.title && labelOf(o) !== o.data.title ? h('div.muted', o.data.title) : null),
				h('td', h('span', {class: `badge state-${stateOf(o)}`}, words(stateOf(o)))),
				extra.map(([k]) => h('td', o.data?.[k] || '')),
				h('td', time(o.updated)))))))
			: h('p.empty', st.items.length ? 'Nothing matches the filters.' : `No ${proc.title.toLowerCase()} to show.`));
	};

	const load = async () => {
		const page = await apiPage(`/${object}`, PAGE, st.before);
		st.items = page.items;
		st.next = page.next;
		fillSelect(ctl.state, new Set(st.items.map(stateOf)));
		for (const [k] of FILTERS) fillSelect(ctl[k], new Set(st.items.map(o => o.data?.[k]).filter(Boolean)));
		prev.disabled = st.stack.length === 0;
		next.disabled = !st.next;
		await render();
	};
	prev.addEventListener('click', async () => { st.before = st.stack.pop() || null; await load(); });
	next.addEventListener('click', async () => { st.stack.push(st.before); st.before = st.next; await load(); });
	for (const el of Object.values(ctl)) el.addEventListener(el.type === 'search' ? 'input' : 'change', render);

	put(main,
		h('div.head', h('h1', proc.title),
			maySart(def) ? h('a.button.primary', {href: `/${object}/new`}, `New ${proc.title.toLowerCase()}`) : null),
		filters, status, body, pager);
	await load();
}

/* The start form: the process's instance fields (those secflow sets
 * itself, labelled "Set by secflow", are left out). */
export async function newPage(main, object) {
	const proc = processOf(object);
	const def = await definition(proc.name);
	const fields = (def.fields || []).filter(f => !/^set by secflow/i.test(f.label || ''));
	const mine = me()?.roles || [];
	const initial = {};
	/* Prefill a scope field with the user's own scope (their DG, NA...). */
	for (const [role, field] of Object.entries(def.scopes || {})) {
		const r = mine.find(x => x.role === role && x.scope);
		if (r && fields.some(f => f.name === field)) initial[field] = r.scope;
	}
	const form = generatedForm(fields, {submitLabel: 'Start', withComment: false, initial,
		submit: async body => {
			const o = await api('POST', `/${object}`, body);
			go(`/${object}/${o.id}`);
		}});
	put(main, h('h1', `New ${proc.title.toLowerCase()}`),
		def.description ? h('p', def.description) : null, form.el);
}
