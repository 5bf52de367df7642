/*
 * diagram.js - the process diagram of one object, drawn as SVG from the
 * definition (GET /processes/{name}: steps and their outcomes' next
 * steps), top to bottom, with the object's position marked: steps done
 * (from its history), current (its active steps) and overdue.
 *
 * Layout: back edges (loops such as revise -> review) are found by a
 * depth-first walk from the start steps; the rest is a DAG, layered by
 * longest path, ordered in each layer by the mean position of parents.
 */
import {h, words} from './ui.js';

const W = 150, H = 46, GX = 16, GY = 32, PAD = 16;

function graph(def) {
	const ids = def.steps.map(s => s.id);
	const next = new Map(ids.map(id => [id, []]));
	let hasEnd = false;
	for (const s of def.steps)
		for (const o of s.outcomes || []) {
			for (const n of o.next || []) {
				if (n === 'end') hasEnd = true;
				if (!next.get(s.id).includes(n)) next.get(s.id).push(n);
			}
			if (o.end) { hasEnd = true; if (!next.get(s.id).includes('end')) next.get(s.id).push('end'); }
		}
	if (hasEnd) { ids.push('end'); next.set('end', []); }
	return {ids, next, start: def.start || [ids[0]]};
}

function layout(g) {
	/* Back edges by DFS (iterative order: start steps first). */
	const state = new Map(), back = new Set();
	const visit = (u) => {
		state.set(u, 1);
		for (const v of g.next.get(u) || []) {
			if (!g.next.has(v)) continue;
			if (state.get(v) === 1) back.add(`${u}>${v}`);
			else if (!state.has(v)) visit(v);
		}
		state.set(u, 2);
	};
	for (const s of g.start) if (!state.has(s)) visit(s);
	for (const u of g.ids) if (!state.has(u)) visit(u);
	/* Longest-path layers over forward edges. */
	const layer = new Map(g.ids.map(id => [id, 0]));
	const indeg = new Map(g.ids.map(id => [id, 0]));
	for (const u of g.ids) for (const v of g.next.get(u)) if (!back.has(`${u}>${v}`) && indeg.has(v)) indeg.set(v, indeg.get(v) + 1);
	const queue = g.ids.filter(id => indeg.get(id) === 0);
	while (queue.length) {
		const u = queue.shift();
		for (const v of g.next.get(u)) {
			if (back.has(`${u}>${v}`) || !indeg.has(v)) continue;
			layer.set(v, Math.max(layer.get(v), layer.get(u) + 1));
			indeg.set(v, indeg.get(v) - 1);
			if (indeg.get(v) === 0) queue.push(v);
		}
	}
	const layers = [];
	for (const id of g.ids) (layers[layer.get(id)] ||= []).push(id);
	/* Order by the mean x of parents, one downward pass. */
	const pos = new Map();
	layers.forEach((ls, li) => {
		if (li > 0) {
			const parentX = id => {
				const ps = g.ids.filter(p => g.next.get(p).includes(id) && layer.get(p) < li);
				return ps.length ? ps.reduce((a, p) => a + pos.get(p), 0) / ps.length : 0;
			};
			ls.sort((a, b) => parentX(a) - parentX(b));
		}
		ls.forEach((id, i) => pos.set(id, i - (ls.length - 1) / 2));
	});
	const widest = Math.max(...layers.map(l => l.length));
	const width = widest * (W + GX) + 2 * PAD;
	const xy = new Map();
	for (const id of g.ids)
		xy.set(id, {x: width / 2 + pos.get(id) * (W + GX) - W / 2, y: PAD + layer.get(id) * (H + GY)});
	return {xy, back, width, height: PAD * 2 + layers.length * (H + GY) - GY};
}

/* Up to two lines of about N characters. */
function wrap(text, n = 24) {
	const out = [''];
	for (const w of text.split(/\s+/)) {
		const cur = out[out.length - 1];
		if ((cur + ' ' + w).trim().length > n && cur) {
			if (out.length === 2) { out[1] = out[1].replace(/.?$/, '…'); break; }
			out.push(w);
		} else out[out.length - 1] = (cur + ' ' + w).trim();
	}
	return out;
}

/*
 * The diagram for definition DEF and object OBJ ({active_steps, history}).
 * Returns a <figure> with the SVG and a text legend.
 */
export function processDiagram(def, obj) {
	const g = graph(def);
	const {xy, back, width, height} = layout(g);
	const active = new Map((obj.active_steps || []).map(s => [s.step, s]));
	const done = new Set((obj.history || []).filter(s => s.state === 'done').map(s => s.step));
	const wasLate = new Set((obj.history || []).filter(s => s.overdue).map(s => s.step));
	const title = new Map(def.steps.map(s => [s.id, s.title || words(s.id)]));
	const roles = new Map(def.steps.map(s => [s.id, (s.roles || []).join(', ')]));
	const finished = obj.instance_state === 'done' || obj.state === 'done';

	const edges = h('g.edges');
	for (const u of g.ids)
		for (const v of g.next.get(u)) {
			const a = xy.get(u), b = xy.get(v);
			if (!a || !b) continue;
			if (back.has(`${u}>${v}`)) {
				/* A loop back: out of the right side, up, into the right side. */
				const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x + W, y2 = b.y + H / 2;
				const bend = Math.max(x1, x2) + 24;
				edges.append(h('path.back', {d: `M${x1},${y1} C${bend},${y1} ${bend},${y2} ${x2 + 6},${y2}`,
					'marker-end': 'url(#arrow)'}));
			} else {
				edges.append(h('path', {d: `M${a.x + W / 2},${a.y + H} C${a.x + W / 2},${a.y + H + GY / 2} ${b.x + W / 2},${b.y - GY / 2} ${b.x + W / 2},${b.y - 2}`,
					'marker-end': 'url(#arrow)'}));
			}
		}
	const nodes = h('g.nodes');
	for (const id of g.ids) {
		const {x, y} = xy.get(id);
		if (id === 'end') {
			nodes.append(h('g', {class: 'node end' + (finished ? ' done' : ''), 'data-step': 'end'},
				h('title', 'End'),
				h('rect', {x: x + W / 2 - 30, y: y + 8, width: 60, height: H - 16, rx: 15}),
				h('text', {x: x + W / 2, y: y + H / 2 + 4, 'text-anchor': 'middle'}, 'end')));
			continue;
		}
		const a = active.get(id);
		const cls = ['node'];
		let status = 'not reached';
		if (a) { cls.push('current'); status = 'current'; if (a.overdue) { cls.push('overdue'); status = 'current, overdue'; } }
		else if (done.has(id)) { cls.push('done'); status = 'done'; if (wasLate.has(id)) cls.push('late'); }
		const lines = wrap(title.get(id));
		nodes.append(h('g', {class: cls.join(' '), 'data-step': id, 'data-status': status},
			h('title', `${title.get(id)} [${id}] — ${roles.get(id)} — ${status}`),
			h('rect', {x, y, width: W, height: H, rx: 7}),
			lines.map((l, i) => h('text', {x: x + W / 2, y: y + 17 + i * 14 - (lines.length === 1 ? -7 : 0), 'text-anchor': 'middle'}, l)),
			a ? h('circle', {cx: x + W - 1, cy: y + 1, r: 4.5}) : null));
	}
	const svg = h('svg', {viewBox: `0 0 ${width + 40} ${height}`, width: width + 40, height,
		role: 'img', 'aria-labelledby': 'diagram-title', class: 'diagram'},
	h('title', {id: 'diagram-title'}, `Process ${def.title || def.name}`),
	h('defs', h('marker', {id: 'arrow', viewBox: '0 0 10 10', refX: '9', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse'},
		h('path', {d: 'M0,0 L10,5 L0,10 z'}))),
	edges, nodes);
	const cur = [...active.values()].map(s => `${s.title || words(s.step)}${s.overdue ? ' (overdue)' : ''}`);
	return h('figure.diagram-box',
		/* Focusable, so the keyboard can scroll a large diagram. */
		h('div.scroll', {tabindex: '0', role: 'group', 'aria-label': 'Process diagram (scrollable)'}, svg),
		h('figcaption',
			h('ul.legend', h('li.l-done', 'done'), h('li.l-current', 'current'), h('li.l-overdue', 'overdue'), h('li.l-ahead', 'not reached')),
			h('p', cur.length ? `Now: ${cur.join('; ')}` : finished ? 'Finished.' : 'No step is active.')));
}
