/*
 * object.js - the page of one object, for every object type: its data
 * (a module panel when one is registered in panels.js, a generic view
 * otherwise), the steps the user may perform now as buttons, each opening
 * a form generated from the step's field declarations, the process
 * diagram with the object's position, and the audit history beside it.
 */
import {api, postWithProgress} from './api.js';
import {h, put, time, toast, words, show} from './ui.js';
import {processOf, definition, go} from './app.js';
import {generatedForm} from './form.js';
import {processDiagram} from './diagram.js';
import {panelFor, objectLabel} from './panels.js';

function hasFile(fields) {
	return (fields || []).some(f => f.type === 'file' || /_b64$/.test(f.name) || hasFile(f.fields));
}

function stepForm(object, id, step, def, reload) {
	const sd = def.steps.find(s => s.id === step.step) || {};
	const form = generatedForm(step.fields || [], {
		submitLabel: step.title || words(step.step),
		submit: async (body, progress) => {
			const path = `/${object}/${id}/steps/${encodeURIComponent(step.step)}`;
			if (hasFile(step.fields)) await postWithProgress(path, body, progress);
			else await api('POST', path, body);
			toast(`Done: ${step.title || words(step.step)}`);
			if (location.hash) history.replaceState(null, '', location.pathname);
			await reload();
		},
	});
	return h('section.step-form', {id: `form-${step.step}`, 'aria-labelledby': `h-${step.step}`},
		h('h3', {id: `h-${step.step}`}, step.title || words(step.step)),
		sd.description ? h('p.muted', sd.description) : null,
		step.due ? h('p', 'Due ', time(step.due), step.overdue ? h('span.badge.overdue', 'overdue') : null) : null,
		form.el);
}

function historySection(entries, def) {
	const title = new Map(def.steps.map(s => [s.id, s.title]));
	const what = a => {
		if (a.startsWith('step:')) return title.get(a.slice(5)) || words(a.slice(5));
		return words(a.replace(':', ': '));
	};
	return h('section.history', {'aria-labelledby': 'h-history'},
		h('h2', {id: 'h-history'}, 'History'),
		entries.length ? h('ol', entries.slice().reverse().map(e => h('li',
			h('div', h('strong', what(e.action))),
			h('div.muted', time(e.at), ' · ', e.user || 'secflow', e.role ? ` (${words(e.role)})` : '',
				e.acting_for ? ` for ${e.acting_for}` : '')))) : h('p.muted', 'No history visible to you.'));
}

export async function objectPage(main, object, id) {
	const reload = () => objectPage(main, object, id);
	const obj = await api('GET', `/${object}/${id}`);
	const proc = processOf(object);
	const def = await definition(obj.process);
	let audit = [];
	try { audit = await api('GET', `/audit?object=${encodeURIComponent(`${object}/${id}`)}`); } catch (e) {
		if (e.status === 401) throw e;
	}
	const mine = (obj.active_steps || []).filter(s => s.can_perform);
	const others = (obj.active_steps || []).filter(s => !s.can_perform);
	const formBox = h('div.form-box');
	const open = step => {
		put(formBox, stepForm(object, id, step, def, reload));
		for (const b of main.querySelectorAll('.step-buttons button')) b.setAttribute('aria-pressed', b.dataset.step === step.step ? 'true' : 'false');
		const first = formBox.querySelector('input, select, textarea, button');
		if (first) first.focus();
	};
	const state = obj.data?.phase || obj.state;
	put(main,
		h('div.head',
			h('h1', `${proc?.title || words(object)} ${objectLabel(obj)}`),
			h('span', {class: `badge state-${state}`}, words(state))),
		h('p.muted', `#${obj.id} · ${def.title} v${obj.version} · started `, time(obj.created), ' · updated ', time(obj.updated)),
		h('section.steps', {'aria-labelledby': 'h-steps'},
			h('h2', {id: 'h-steps'}, 'What you can do now'),
			mine.length ? h('div.step-buttons', mine.map(s => h('button', {type: 'button', 'data-step': s.step,
				'aria-pressed': 'false', 'aria-controls': 'step-form-area',
				class: s.overdue ? 'overdue' : null, onclick: () => open(s)},
			s.title || words(s.step), s.due ? h('span.due', ' · due ', time(s.due)) : null)))
				: h('p.muted', 'Nothing waits for you here.'),
			others.length ? h('p.waiting', 'Waiting for others: ', others.map((s, i) => [i ? '; ' : '',
				h('span', {class: s.overdue ? 'overdue' : null}, `${s.title || words(s.step)} (${(s.roles || []).map(words).join(', ')})`,
					s.due ? [' due ', time(s.due)] : '', s.overdue ? ' — overdue' : '')])) : null,
			h('div#step-form-area', formBox)),
		await panelFor(object, obj, {reload}),
		h('div.process-grid',
			h('section.process', {'aria-labelledby': 'h-process'},
				h('h2', {id: 'h-process'}, 'Process'), processDiagram(def, obj)),
			historySection(audit, def)));
	const want = location.hash.startsWith('#step-') ? location.hash.slice(6) : null;
	const s = want && mine.find(x => x.step === want);
	if (s) open(s);
}

export {show, go};
