/*
 * api.js - every call to /api/v1 goes through here.
 *
 * The session cookie is HttpOnly: this code never sees it.  What it keeps
 * is the CSRF token given at login (sessionStorage, so a reload keeps it
 * and closing the tab drops it), sent as X-CSRF-Token on every call that
 * is not a GET.  A 401 anywhere means the session is over: forget the
 * token and go back to the login page.  Nothing secret goes in a URL.
 */

const KEY = 'secflow.csrf';

export class ApiError extends Error {
	constructor(status, body) {
		const e = (body && body.error) || {};
		super(e.message || `HTTP ${status}`);
		this.status = status;
		this.code = e.code || '';
		this.field = e.field || '';
	}
}

let onExpired = () => {};
/* Called with no argument when a call answers 401. */
export function setExpiredHandler(fn) { onExpired = fn; }

export function loggedIn() { return !!sessionStorage.getItem(KEY); }

function headers(method, extra) {
	const hd = {'Accept': 'application/json', ...extra};
	const csrf = sessionStorage.getItem(KEY);
	if (method !== 'GET' && method !== 'HEAD' && csrf) hd['X-CSRF-Token'] = csrf;
	return hd;
}

async function check(res) {
	if (res.ok) return res;
	let body = null;
	try { body = await res.json(); } catch { /* not JSON */ }
	const err = new ApiError(res.status, body);
	if (res.status === 401) {
		sessionStorage.removeItem(KEY);
		onExpired();
	}
	throw err;
}

/* METHOD PATH (under /api/v1) with an optional JSON BODY; the parsed
 * answer, or throws ApiError. */
export async function api(method, path, body) {
	const init = {method, headers: headers(method), credentials: 'same-origin'};
	if (body !== undefined) {
		init.body = JSON.stringify(body);
		init.headers['Content-Type'] = 'application/json';
	}
	const res = await check(await fetch('/api/v1' + path, init));
	const type = res.headers.get('Content-Type') || '';
	return type.startsWith('application/json') ? res.json() : res.text();
}

/* A page of a list: {items, next} where NEXT is the X-Next-Before id. */
export async function apiPage(path, limit, before) {
	const q = new URLSearchParams();
	if (limit) q.set('limit', limit);
	if (before) q.set('before', before);
	const sep = path.includes('?') ? '&' : '?';
	const res = await check(await fetch(`/api/v1${path}${q.size ? sep + q : ''}`,
		{headers: headers('GET'), credentials: 'same-origin'}));
	return {items: await res.json(), next: res.headers.get('X-Next-Before')};
}

export async function login(user, password) {
	const res = await fetch('/api/v1/session', {
		method: 'POST', credentials: 'same-origin',
		headers: {'Content-Type': 'application/json', 'Accept': 'application/json'},
		body: JSON.stringify({user, password}),
	});
	if (!res.ok) {
		let body = null;
		try { body = await res.json(); } catch { /* not JSON */ }
		throw new ApiError(res.status, body);
	}
	const j = await res.json();
	/* The bearer token in J is not kept: the cookie carries the session. */
	sessionStorage.setItem(KEY, j.csrf);
}

export async function logout() {
	try { await api('DELETE', '/session'); } catch { /* gone already */ }
	sessionStorage.removeItem(KEY);
}

/*
 * POST a JSON body with upload progress (XMLHttpRequest reports it; fetch
 * does not): ONPROGRESS(fraction) while the body goes out.  Resolves with
 * the parsed answer, rejects with ApiError.
 */
export function postWithProgress(path, body, onprogress) {
	return new Promise((resolve, reject) => {
		const x = new XMLHttpRequest();
		x.open('POST', '/api/v1' + path);
		for (const [k, v] of Object.entries(headers('POST', {'Content-Type': 'application/json'})))
			x.setRequestHeader(k, v);
		x.upload.onprogress = ev => { if (ev.lengthComputable) onprogress(ev.loaded / ev.total); };
		x.onerror = () => reject(new ApiError(0, {error: {message: 'network error'}}));
		x.onload = () => {
			let j = null;
			try { j = JSON.parse(x.responseText); } catch { /* not JSON */ }
			if (x.status >= 200 && x.status < 300) return resolve(j);
			if (x.status === 401) { sessionStorage.removeItem(KEY); onExpired(); }
			reject(new ApiError(x.status, j));
		};
		x.send(JSON.stringify(body));
	});
}

/* Fetch PATH and hand it to the browser as a download named NAME. */
export async function download(path, name) {
	const res = await check(await fetch('/api/v1' + path,
		{headers: headers('GET', {'Accept': '*/*'}), credentials: 'same-origin'}));
	const url = URL.createObjectURL(await res.blob());
	const a = document.createElement('a');
	a.href = url;
	a.download = name;
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 10000);
}

/* A File as standard base64 (for document_b64 and file fields), with
 * progress while reading large files. */
export function fileToBase64(file, onprogress) {
	return new Promise((resolve, reject) => {
		const r = new FileReader();
		r.onprogress = ev => { if (onprogress && ev.lengthComputable) onprogress(ev.loaded / ev.total); };
		r.onerror = () => reject(r.error);
		r.onload = () => resolve(String(r.result).replace(/^data:[^,]*,/, ''));
		r.readAsDataURL(file);
	});
}
