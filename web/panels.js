/*
 * panels.js - optional views of one module's data on its object page.
 * A module without a panel gets the generic one (every data field shown
 * as it comes); a panel only arranges what the API already returns.
 * To add one: a function (obj, ctx) -> Node, registered in PANELS.
 */
import {api, download} from './api.js';
import {h, put, time, words, show, table, facts, errorBox} from './ui.js';

/* The short name of an object: number, reference, title... */
export function objectLabel(o) {
	const d = o.data || {};
	return d.number || o.number || d.reference || d.title || d.name || `#${o.id}`;
}

function section(title, ...kids) {
	const id = 'h-' + title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
	return h('section.panel', {'aria-labelledby': id}, h('h2', {id}, title), kids);
}

/* A section across the whole page, for wide tables. */
function wide(title, ...kids) {
	const s = section(title, ...kids);
	s.classList.add('wide');
	return s;
}

function downloadButton(text, path, name) {
	const msg = h('span', {'aria-live': 'polite'});
	return h('span.dl', h('button', {type: 'button', onclick: async () => {
		put(msg);
		try { await download(path, name); } catch (e) { put(msg, errorBox(e)); }
	}}, text), msg);
}

function generic(obj) {
	const d = {...obj.data};
	return section('Data', show(d));
}

/* What no panel showed, folded away. */
function rest(data, used) {
	const left = Object.entries(data || {}).filter(([k, v]) => !used.includes(k) && v !== null &&
		!(Array.isArray(v) && !v.length) && v !== '');
	return left.length ? h('details.more', h('summary', 'All data'), show(Object.fromEntries(left))) : null;
}

/* ---- conventions (seed 000) ---- */

async function conventions(obj) {
	const d = obj.data || {};
	const out = [];
	out.push(section('Convention', facts([
		['Number', d.number || h('span.muted', 'not assigned yet')], ['DG', d.dg], ['Company', d.company],
		['Hosting', words(d.hosting || '')], ['Contract', d.contract], ['Expires', time(d.expires)],
		['Phase', words(d.phase || obj.state)]])));
	const p2 = d.part2;
	out.push(section('Parts',
		h('h3', 'Part 1'),
		// Part 1 is only in the answer for DS and the company (SPEC 2).
		!Array.isArray(obj.part1) ? h('p.muted', 'Handled only between the company and DS.')
			: obj.part1.length ? (() => {
				const last = obj.part1[obj.part1.length - 1];
				return [facts([['Version', String(last.version)], ['File', last.filename],
					['Size', `${last.size} bytes`], ['Uploaded', time(last.uploaded)], ['By', last.by]]),
					downloadButton('Download Part 1', `/conventions/${obj.id}/part1`, last.filename || 'part1')];
			})() : h('p.muted', 'Not submitted yet.'),
		h('h3', 'Part 2'),
		p2 ? facts(Object.entries(p2).map(([k, v]) => [words(k), show(v)])) : h('p.muted', 'Not filled in yet.'),
		(d.part2_versions || []).length > 1 ? h('p.muted', `${d.part2_versions.length} versions`) : null));
	out.push(section('Access list (Annex V)', (d.accesses || []).length
		? table(d.accesses, ['id', 'application', 'environment', 'component', 'protocol', 'hosts', 'ports', 'start', 'end', 'state'])
		: h('p.muted', 'No access yet.')));
	if ((d.signatures || []).length) out.push(section('Signatures', table(d.signatures)));
	if ((d.tickets || []).length) out.push(section('SMT tickets', table(d.tickets)));
	out.push(section('Tokens', (d.tokens || []).length ? table(d.tokens) : h('p.muted', 'No token yet.')));
	if ((obj.amendments || []).length) out.push(section('Amendments', table(obj.amendments)));
	/* The progress report: phases and steps, and its Markdown download. */
	const prog = h('div', h('p.muted', 'Loading…'));
	out.push(section('Progress report', prog));
	api('GET', `/conventions/${obj.id}/progress`).then(p => put(prog,
		(p.phases || []).map(ph => h('div.phase', h('h3', words(ph.phase), ' ', h('span.muted', time(ph.started), ' – ', ph.ended ? time(ph.ended) : 'under way')),
			table((ph.steps || []).map(s => ({...s, step: words(s.step)})), ['step', 'state', 'completed', 'by']))),
		h('p', downloadButton('Download the progress report (Markdown)', `/conventions/${obj.id}/progress?format=md`,
			`progress-${d.number || obj.id}.md`))), e => put(prog, errorBox(e)));
	out.push(rest(d, ['number', 'dg', 'company', 'hosting', 'contract', 'expires', 'phase', 'part1', 'part2',
		'part2_versions', 'accesses', 'signatures', 'tickets', 'tokens']));
	return out;
}

/* ---- incidents (seed 001 §6, 002 SEC.4) ---- */

const enc = new TextEncoder(), dec = new TextDecoder();

/* TEXT with the keyword matches of FIELD marked; offsets are bytes of
 * the UTF-8 text, as the scanner reports them. */
export function highlight(text, matches, field) {
	const bytes = enc.encode(text || '');
	const ms = (matches || []).filter(m => m.field === field)
		.map(m => ({at: m.offset, len: enc.encode(m.keyword).length, kw: m.keyword}))
		.sort((a, b) => a.at - b.at);
	const out = [];
	let pos = 0;
	for (const m of ms) {
		if (m.at < pos || m.at + m.len > bytes.length) continue;
		out.push(dec.decode(bytes.slice(pos, m.at)));
		out.push(h('mark', {title: `keyword: ${m.kw}`}, dec.decode(bytes.slice(m.at, m.at + m.len))));
		pos = m.at + m.len;
	}
	out.push(dec.decode(bytes.slice(pos)));
	return out;
}

async function incidents(obj) {
	const d = {...obj.data, ...obj};
	const m = d.matches || [];
	const out = [];
	const texts = ['title', 'description', ...new Set(m.map(x => x.field).filter(f => !['title', 'description'].includes(f)))];
	out.push(section('Incident',
		d.flagged ? h('p', h('span.badge.overdue', 'flagged'), ` ${m.length} keyword match${m.length === 1 ? '' : 'es'}: `,
			[...new Set(m.map(x => x.keyword))].join(', ')) : h('p.muted', 'No keyword matched.'),
		facts([...texts.filter(f => d[f]).map(f => [words(f).replace(/^./, c => c.toUpperCase()),
			highlight(String(d[f]), m, f)]),
		['Reference', d.reference], ['NA', d.na], ['Systems', (d.systems || []).join(', ')],
			['Reporter', d.reporter], ['Source', d.source], ['High impact', d.high_impact ? 'yes' : 'no'],
			['Indicators', (d.indicators || []).join(', ')],
			['Screening', d.screening ? `${words(d.screening.outcome || '')} by ${d.screening.by || ''}` : '']])));
	out.push(section('Correlation candidates', (d.correlations || []).length
		? h('ul', d.correlations.map(c => h('li', h('a', {href: `/incidents/${c.incident}`}, c.reference || `#${c.incident}`),
			' — ', (c.reasons || []).join('; '))))
		: h('p.muted', 'None proposed.')));
	if (d.evidence && (!Array.isArray(d.evidence) || d.evidence.length)) out.push(section('Evidence', show(d.evidence)));
	out.push(section('Emergency actions', (d.actions || []).length
		? table(d.actions, ['id', 'system', 'impact', 'urgency', 'assignee', 'state', 'result'])
		: h('p.muted', 'None requested.')));
	if (d.impact || d.assessment) out.push(section('Impact assessment', show(d.impact || d.assessment)));
	const ref = d.reference || obj.id;
	out.push(section('Security Incident Report', obj.data?.report_ready ? h('p', 'Download: ',
		['md', 'html', 'pdf'].map(f => downloadButton(f === 'md' ? 'Markdown' : f.toUpperCase(),
			`/incidents/${obj.id}/report?format=${f}`, `incident-${ref}.${f}`)))
		: h('p.muted', 'No report yet: a flagged, specific, high-impact incident gets one from "start report" on.')));
	out.push(rest(obj.data, ['reference', 'title', 'description', 'na', 'systems', 'reporter', 'flagged', 'matches',
		'source', 'indicators', 'screening', 'actions', 'correlations', 'evidence', 'high_impact',
		'ilso_teams', 'nisos', 'actions_open', 'report_ready']));
	return out;
}

/* ---- reviews (seed 002 SEC.5) ---- */

async function reviews(obj) {
	const out = [];
	out.push(section('Campaign', facts([['Quarter', obj.quarter || (obj.data || {}).quarter],
		['State', words(obj.state || '')]])));
	out.push(wide('Resources (Table 3)', table(obj.resources || [],
		['resource', 'provider', 'authoritative_source'])));
	out.push(wide('Imported lists', (obj.imports || []).length
		? [table(obj.imports.map(i => ({...i, imported: time(new Date(i.imported * 1000).toISOString()),
			row_errors: (i.row_errors || []).length})),
			['id', 'resource', 'scope', 'kind', 'filename', 'nrows', 'row_errors', 'imported', 'by']),
			...obj.imports.filter(i => (i.row_errors || []).length).map(i =>
				h('details', h('summary', `Row errors of ${i.filename}`),
					table(i.row_errors, ['sheet', 'line', 'message'])))]
		: h('p.muted', 'No list imported yet.')));
	out.push(wide('Workbooks', (obj.workbooks || []).length
		? table(obj.workbooks, ['kind', 'scope', 'filename', 'users', 'rows'])
		: h('p.muted', 'Not sent yet.')));
	out.push(wide('E-mails', (obj.emails || []).length
		? table(obj.emails.map(m => ({...m, to: (m.to || []).concat(m.bcc || []).join(', '),
			attachments: (m.attachments || []).join(', ')})), ['scope', 'subject', 'to', 'attachments'])
		: h('p.muted', 'None yet.')));
	const answers = Object.entries(obj.answers || {}).map(([scope, a]) => ({scope, ...a}));
	out.push(wide('Answers', answers.length
		? table(answers, ['scope', 'file', 'answered', 'accepted', 'queries'])
		: h('p.muted', 'No answer yet.')));
	out.push(wide('Quality-check findings', (obj.findings || []).length
		? table(obj.findings, ['scope', 'kind', 'message', 'uid'])
		: h('p.muted', 'None.')));
	out.push(h('div', downloadButton('Download the result (Markdown)', `/reviews/${obj.id}/result?format=md`,
		`review-${obj.quarter || obj.id}.md`), ' ',
	downloadButton('Download the result (XLSX)', `/reviews/${obj.id}/result?format=xlsx`,
		`review-${obj.quarter || obj.id}.xlsx`)));
	return out;
}

const PANELS = {conventions, incidents, reviews};

/* The panel of OBJECT's module for OBJ, or the generic one. */
export async function panelFor(object, obj, ctx) {
	const p = PANELS[object];
	return h('div.panels', p ? await p(obj, ctx) : generic(obj));
}
