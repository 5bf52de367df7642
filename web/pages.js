/*
 * pages.js - the pages that are not about one object type: log in, me
 * (roles, delegations, password), my tasks (the landing page), not found.
 */
import {api, login} from './api.js';
import {h, put, time, toast, errorBox, words, uid} from './ui.js';
import {processOf} from './app.js';
import {generatedForm} from './form.js';

export async function loginPage(main, done) {
	const expired = new URLSearchParams(location.search).has('expired');
	const uId = uid(), pId = uid();
	const user = h('input', {id: uId, name: 'username', autocomplete: 'username', required: true});
	const pw = h('input', {id: pId, name: 'password', type: 'password', autocomplete: 'current-password', required: true});
	const msg = h('div', {'aria-live': 'assertive'});
	const form = h('form.login', {novalidate: true},
		h('h1', 'Log in to secflow'),
		expired ? h('p.notice', 'Your session has ended. Please log in again.') : null,
		msg,
		h('div.field', h('label', {for: uId}, 'User name'), user),
		h('div.field', h('label', {for: pId}, 'Password'), pw),
		h('div.actions', h('button.primary', {type: 'submit'}, 'Log in')));
	form.addEventListener('submit', async ev => {
		ev.preventDefault();
		put(msg);
		try {
			await login(user.value.trim(), pw.value);
			pw.value = '';
			done();
		} catch (e) {
			put(msg, errorBox(e.status === 401 || e.status === 403 ? {message: 'Wrong user name or password.'} : e));
			pw.value = '';
			pw.focus();
		}
	});
	put(main, h('div.login-box', form));
	user.focus();
}

export function notFoundPage(main) {
	put(main, h('h1', 'Not found'),
		h('p', 'There is nothing here, or you may not see it.'),
		h('p', h('a', {href: '/'}, 'Back to my tasks')));
}

function objectLabel(t) {
	const p = processOf(t.object);
	return `${p ? p.title : words(t.object)} #${t.id}`;
}

/* My tasks: every step waiting for me, soonest due first, overdue in red. */
export async function tasksPage(main) {
	const tasks = await api('GET', '/tasks');
	const counts = new Map();
	for (const t of tasks) {
		const c = counts.get(t.object) || {n: 0, late: 0};
		c.n++;
		if (t.overdue) c.late++;
		counts.set(t.object, c);
	}
	const late = tasks.filter(t => t.overdue).length;
	put(main,
		h('h1', 'My tasks'),
		h('p.lead', tasks.length
			? `${tasks.length} step${tasks.length > 1 ? 's' : ''} waiting for you` + (late ? `, ${late} overdue.` : '.')
			: 'Nothing is waiting for you.'),
		counts.size ? h('ul.counts', {'aria-label': 'Tasks per module'},
			[...counts].map(([obj, c]) => h('li', h('a', {href: '/' + obj},
				h('strong', String(c.n)), ' ', processOf(obj)?.title || words(obj)),
			c.late ? h('span.badge.overdue', `${c.late} overdue`) : null))) : null,
		tasks.length ? h('div.scroll', h('table.tasks',
			h('thead', h('tr', ['Step', 'Object', 'Process', 'Your role', 'Due'].map(c => h('th', {scope: 'col'}, c)))),
			h('tbody', tasks.map(t => h('tr', {class: t.overdue ? 'overdue' : null},
				h('td', h('a', {href: `/${t.object}/${t.id}#step-${t.step}`}, t.title || words(t.step))),
				h('td', h('a', {href: `/${t.object}/${t.id}`}, objectLabel(t))),
				h('td', t.process),
				h('td', (t.roles || []).map(words).join(', ')),
				h('td', t.due ? time(t.due) : h('span.muted', 'no deadline'),
					t.overdue ? h('span.badge.overdue', 'overdue') : null)))))) : null);
}

/* Me: roles, delegations given and received, a new delegation, password. */
export async function mePage(main) {
	const me = await api('GET', '/me');
	const roles = me.roles || [];
	const scoped = roles.filter(r => r.scope);
	const delegation = generatedForm([
		{name: 'role', type: 'enum', required: true, label: 'Role to delegate',
			values: [...new Set(roles.map(r => r.role))]},
		{name: 'scope', type: 'string', label: 'Scope (e.g. your DG or NA)', help: scoped.length ? `Yours: ${scoped.map(r => r.scope).join(', ')}` : null},
		{name: 'to', type: 'string', required: true, label: 'Delegate to (user name)'},
		{name: 'until', type: 'date', required: true, label: 'Until'},
	], {submitLabel: 'Delegate', withComment: false, submit: async body => {
		await api('POST', '/me/delegations', body);
		toast('Delegation created.');
		await mePage(main);
	}});
	const password = generatedForm([
		{name: 'password', type: 'password', required: true, label: 'Current password'},
		{name: 'new_password', type: 'password', required: true, label: 'New password'},
	], {submitLabel: 'Change password', withComment: false, submit: async body => {
		await api('POST', '/me/password', body);
		toast('Password changed.');
	}});
	for (const i of password.el.querySelectorAll('input')) {
		i.type = 'password';
		i.autocomplete = i.name === 'password' ? 'current-password' : 'new-password';
	}
	put(main,
		h('h1', me.name),
		me.email ? h('p.muted', me.email) : null,
		h('section', h('h2', 'My roles'),
			roles.length ? h('ul', roles.map(r => h('li', words(r.role), r.scope ? ` (${r.scope})` : '',
				r.acting_for ? ` — on behalf of ${r.acting_for}` : '', r.until ? [' until ', time(r.until)] : ''))) : h('p', 'No role.')),
		h('section', h('h2', 'Roles delegated to me'),
			(me.delegations || []).length ? h('ul', me.delegations.map(d => h('li',
				`${words(d.role)}${d.scope ? ` (${d.scope})` : ''} from ${d.from || '?'}`, d.until ? [' until ', time(d.until)] : ''))) : h('p.muted', 'None.'),
			h('h3', 'Delegate a role'), delegation.el),
		h('section', h('h2', 'Change my password'), password.el));
}
