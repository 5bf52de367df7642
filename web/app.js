/*
 * app.js - the shell of the web UI: routes (real paths, History API),
 * the navigation built from the process definitions (one entry per
 * object type: a new module's process file is enough to get its list and
 * object pages), and the session (401 -> login page).
 *
 * Routes:  /login  /  (my tasks)  /me  /OBJECT  /OBJECT/new  /OBJECT/ID
 */
import {api, logout, setExpiredHandler, loggedIn} from './api.js';
import {h, put} from './ui.js';
import {loginPage, mePage, tasksPage, notFoundPage} from './pages.js';
import {listPage, newPage} from './list.js';
import {objectPage} from './object.js';

const main = document.getElementById('main');
const state = {me: null, processes: null, byObject: new Map(), defs: new Map()};

/* The definitions, loaded once per login. */
export async function processes() {
	if (!state.processes) {
		state.processes = await api('GET', '/processes');
		state.byObject = new Map();
		for (const p of state.processes)
			if (!state.byObject.has(p.object)) state.byObject.set(p.object, p);
	}
	return state.processes;
}

export function processOf(object) { return state.byObject.get(object); }

/* GET /processes/NAME, cached. */
export async function definition(name) {
	if (!state.defs.has(name)) state.defs.set(name, await api('GET', `/processes/${encodeURIComponent(name)}`));
	return state.defs.get(name);
}

export function me() { return state.me; }

/* Go to PATH inside the application (no page load). */
export function go(path, replace = false) {
	if (replace) history.replaceState(null, '', path);
	else history.pushState(null, '', path);
	route();
}

function forget() {
	state.me = null;
	state.processes = null;
	state.defs.clear();
}

setExpiredHandler(() => {
	forget();
	if (location.pathname !== '/login') {
		sessionStorage.setItem('secflow.after', location.pathname + location.search);
		go('/login?expired=1', true);
	}
});

async function shell() {
	const top = document.getElementById('top');
	if (!state.me) {
		state.me = await api('GET', '/me');
		await processes();
	}
	document.getElementById('who').textContent = state.me.name;
	const here = location.pathname;
	const link = (href, text) => h('a', {href, 'aria-current': (href === '/' ? here === '/' : here === href || here.startsWith(href + '/')) ? 'page' : null}, text);
	put(document.getElementById('nav'), h('ul',
		h('li', link('/', 'My tasks')),
		// Amendments are reached from their convention; the main
		// objects come first, in a stable order.
		[...state.byObject.values()]
			.filter(p => !p.object.endsWith('_amendments'))
			.sort((a, b) => a.title.localeCompare(b.title))
			.map(p => h('li', link('/' + p.object, p.title)))));
	top.hidden = false;
}

async function route() {
	const path = location.pathname.replace(/\/+$/, '') || '/';
	const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
	window.scrollTo(0, 0);
	try {
		if (path === '/login' || !loggedIn()) {
			document.getElementById('top').hidden = true;
			if (path !== '/login') {
				history.replaceState(null, '', '/login');
			}
			document.title = 'Log in · secflow';
			return await loginPage(main, () => {
				const after = sessionStorage.getItem('secflow.after');
				sessionStorage.removeItem('secflow.after');
				forget();
				go(after && after !== '/login' ? after : '/', true);
			});
		}
		await shell();
		put(main, h('p.muted', 'Loading…'));
		if (parts.length === 0) await tasksPage(main);
		else if (parts[0] === 'me' && parts.length === 1) await mePage(main);
		else if (!state.byObject.has(parts[0]) || parts.length > 2) notFoundPage(main);
		else if (parts.length === 1) await listPage(main, parts[0]);
		else if (parts[1] === 'new') await newPage(main, parts[0]);
		else if (/^\d+$/.test(parts[1])) await objectPage(main, parts[0], Number(parts[1]));
		else notFoundPage(main);
	} catch (e) {
		if (e.status === 401) return; /* the handler went to /login */
		if (e.status === 404) return notFoundPage(main);
		put(main, h('h1', 'Something went wrong'), h('p.error', {role: 'alert'}, e.message));
	}
	/* Move focus to the new page for keyboard and screen-reader users. */
	const h1 = main.querySelector('h1');
	if (h1) {
		document.title = `${h1.textContent} · secflow`;
		h1.setAttribute('tabindex', '-1');
		if (document.activeElement === document.body || !main.contains(document.activeElement)) h1.focus({preventScroll: true});
	}
}

/* Links inside the application route without a page load. */
document.addEventListener('click', ev => {
	const a = ev.target.closest('a[href]');
	if (!a || a.target || a.hasAttribute('download') || ev.button !== 0 ||
	    ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
	const url = new URL(a.href, location.href);
	if (url.origin !== location.origin || url.pathname.startsWith('/api/') || url.hash && url.pathname === location.pathname) return;
	ev.preventDefault();
	go(url.pathname + url.search + url.hash);
});
window.addEventListener('popstate', route);
document.getElementById('logout').addEventListener('click', async () => {
	await logout();
	forget();
	go('/login', true);
});
route();
