/*
 * run.mjs - end-to-end tests of the web UI in Debian's headless Chromium,
 * driven by playwright-core (no browser download: /usr/bin/chromium).
 *
 * Starts a real `secflow serve` on a free loopback port over a temporary
 * SQLite database filled by `secflow demo`, with "now" fixed, and walks
 * what the users of the issue do.  Screenshots of the main pages go to
 * tests/browser/screenshots/ (gitignored).  Prints one line per test and
 * "N passed, N failed"; exits 1 when a test failed.
 *
 *   SECFLOW_BIN   the binary (default: build/secflow of the checkout)
 *   CHROMIUM      the browser (default: /usr/bin/chromium)
 *   HEADED=1      show the browser (needs a display)
 */
import {spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync, mkdirSync, readFileSync, existsSync} from 'node:fs';
import {tmpdir} from 'node:os';
import net from 'node:net';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

let chromium;
try {
	({chromium} = await import('playwright-core'));
} catch {
	console.log('not ok - playwright-core is not installed: run scripts/deps.sh (npm ci in tests/browser)');
	console.log('0 passed, 1 failed');
	process.exit(1);
}
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!existsSync(chromiumPath)) {
	console.log(`not ok - no browser at ${chromiumPath}: run scripts/deps.sh (Debian's chromium)`);
	console.log('0 passed, 1 failed');
	process.exit(1);
}

const here = path.dirname(fileURLToPath(import.meta.url));
const top = path.resolve(here, '../..');
const bin = process.env.SECFLOW_BIN || path.join(top, 'build/secflow');
const shots = path.join(here, 'screenshots');
const NOW = '2026-12-01T09:00:00Z';
const PASSWORD = 'secflow-demo';

function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.on('error', reject);
		s.listen(0, '127.0.0.1', () => { const {port} = s.address(); s.close(() => resolve(port)); });
	});
}

async function waitUp(base, child) {
	for (let i = 0; i < 100; i++) {
		if (child.exitCode !== null) throw new Error(`secflow serve exited with ${child.exitCode}`);
		try { if ((await fetch(base + '/healthz')).ok) return; } catch { /* not yet */ }
		await new Promise(r => setTimeout(r, 100));
	}
	throw new Error('secflow serve did not come up in 10 s');
}

function assert(cond, msg) { if (!cond) throw new Error(msg); }

const dir = mkdtempSync(path.join(tmpdir(), 'secflow-browser-'));
const db = path.join(dir, 'secflow.db');
const env = {...process.env, SECFLOW_NOW: NOW};
const demo = spawnSync(bin, ['--db', db, 'demo'], {env, cwd: dir, encoding: 'utf8'});
if (demo.status !== 0) {
	console.log(`not ok - secflow demo: ${demo.stderr || demo.error}`);
	console.log('0 passed, 1 failed');
	process.exit(1);
}
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const server = spawn(bin, ['--db', db, 'serve', '--listen', `127.0.0.1:${port}`],
	{env, cwd: dir, stdio: ['ignore', 'ignore', 'pipe']});
let serverLog = '';
server.stderr.on('data', d => { serverLog += d; });
mkdirSync(shots, {recursive: true});

let browser;
let lastPage = null; /* for a screenshot when a test fails */
const results = [];
const problems = []; /* page errors and CSP reports, all pages */

async function session(user) {
	const ctx = await browser.newContext({baseURL: base, acceptDownloads: true,
		viewport: {width: 1366, height: 800}, locale: 'en-GB', timezoneId: 'Europe/Brussels'});
	const page = await ctx.newPage();
	page.setDefaultTimeout(8000);
	lastPage = page;
	page.on('pageerror', e => problems.push(`${user}: page error: ${e.message}`));
	page.on('console', m => {
		/* Refusals the tests provoke (401 after expiry, 404 for another
		 * company's convention, 422 for the bad host) are logged by the
		 * browser; not a fault. */
		if (m.type() === 'error' && !/status of (401|404|422)/.test(m.text()))
			problems.push(`${user}: console: ${m.text()}`);
	});
	if (user) await login(page, user);
	return {ctx, page};
}

async function login(page, user) {
	await page.goto('/login');
	await page.getByLabel('User name').fill(user);
	await page.getByLabel('Password').fill(PASSWORD);
	await page.getByRole('button', {name: 'Log in'}).click();
	await page.getByRole('heading', {name: 'My tasks'}).waitFor();
}

async function shot(page, name) {
	await page.screenshot({path: path.join(shots, `${name}.png`), fullPage: true});
}

async function test(name, fn) {
	const t0 = Date.now();
	try {
		await fn();
		results.push(true);
		console.log(`ok - ${name} (${Date.now() - t0} ms)`);
	} catch (e) {
		results.push(false);
		console.log(`not ok - ${name}: ${e.message.split('\n')[0]}`);
		if (lastPage && !lastPage.isClosed()) {
			const file = `FAILED-${results.length}.png`;
			await lastPage.screenshot({path: path.join(shots, file), fullPage: true}).catch(() => {});
			console.log(`#   page ${lastPage.url()}, screenshot ${file}`);
		}
	}
}

/* The convention the tests start, shared by the tests that follow. */
let conv = null;

try {
	await waitUp(base, server);
	browser = await chromium.launch({
		executablePath: chromiumPath,
		headless: !process.env.HEADED,
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync'],
	});

	await test('the UI is served with its security headers; client routes get index.html', async () => {
		const r = await fetch(base + '/conventions/1');
		assert(r.status === 200, `GET /conventions/1: ${r.status}`);
		assert((r.headers.get('content-type') || '').startsWith('text/html'), 'not HTML');
		const csp = r.headers.get('content-security-policy') || '';
		assert(csp.includes("script-src 'self'") && csp.includes("frame-ancestors 'none'"), `CSP: ${csp}`);
		assert(r.headers.get('x-content-type-options') === 'nosniff', 'no nosniff');
		assert(r.headers.get('referrer-policy') === 'no-referrer', 'no Referrer-Policy');
		const js = await fetch(base + '/app.js');
		assert((js.headers.get('content-type') || '').startsWith('text/javascript'), 'app.js type');
		const etag = js.headers.get('etag');
		const again = await fetch(base + '/app.js', {headers: {'If-None-Match': etag}});
		assert(again.status === 304, `If-None-Match: ${again.status}`);
		assert((await fetch(base + '/nope.js')).status === 404, 'a missing file is not 404');
		assert((await fetch(base + '/api/v1/nope')).status === 404, 'API 404');
		const h = readFileSync(path.join(top, 'web/index.html'), 'utf8');
		assert(!/<script(?![^>]*\bsrc=)[^>]*>/.test(h) && !/\sstyle=/.test(h) && !/\son[a-z]+=/.test(h),
			'inline script or style in index.html');
	});

	await test('log in as a DG requester: My tasks is the landing page', async () => {
		const {ctx, page} = await session(null);
		await page.goto('/');
		await page.getByRole('heading', {name: 'Log in to secflow'}).waitFor();
		await shot(page, '01-login');
		await page.getByLabel('User name').fill('taxud.requester');
		await page.getByLabel('Password').fill('wrong');
		await page.getByRole('button', {name: 'Log in'}).click();
		await page.getByText('Wrong user name or password.').waitFor();
		await page.getByLabel('Password').fill(PASSWORD);
		await page.getByRole('button', {name: 'Log in'}).click();
		await page.getByRole('heading', {name: 'My tasks'}).waitFor();
		const rows = await page.locator('table.tasks tbody tr').count();
		assert(rows > 0, 'no task for taxud.requester');
		assert(!page.url().includes(PASSWORD), 'the password is in the URL');
		await shot(page, '02-my-tasks');
		await ctx.close();
	});

	await test('a DG requester starts a convention for ACME', async () => {
		const {ctx, page} = await session('taxud.requester');
		await page.getByRole('navigation', {name: 'Main'}).getByRole('link', {name: 'Security convention'}).click();
		await page.getByRole('heading', {name: 'Security convention'}).waitFor();
		await shot(page, '03-conventions-list');
		await page.getByRole('link', {name: 'New security convention'}).click();
		assert(await page.getByLabel('Requesting DG').inputValue() === 'TAXUD', 'DG not prefilled');
		await page.getByLabel('External company').fill('ACME');
		await page.getByLabel('Hosting').selectOption('digit_dc');
		await page.getByLabel('Contract references').fill('TAXUD/2026/OP/0001');
		await page.getByLabel('Expiry date (end of the contract)').fill('2027-06-30');
		await shot(page, '04-new-convention');
		await page.getByRole('button', {name: 'Start'}).click();
		await page.waitForURL(/\/conventions\/\d+$/);
		conv = Number(page.url().match(/(\d+)$/)[1]);
		await page.getByRole('button', {name: 'Ask DS for the convention number'}).click();
		await page.locator('#form-request_number').getByRole('button', {name: 'Ask DS for the convention number'}).click();
		await page.getByText('Nothing waits for you here.').waitFor();
		await ctx.close();
	});

	await test('DS assigns the number from its task list', async () => {
		assert(conv, 'no convention started');
		const {ctx, page} = await session('ds.officer');
		const link = page.locator(`table.tasks a[href="/conventions/${conv}#step-assign_number"]`);
		await link.click();
		await page.locator('#form-assign_number').waitFor();
		await page.locator('#form-assign_number').getByRole('button', {name: 'Assign the convention number'}).click();
		await page.getByRole('heading', {name: /Security convention TAXUD\.\d+\.T1/}).waitFor();
		await shot(page, '05-convention-numbered');
		await ctx.close();
	});

	await test('the process diagram marks done and current steps', async () => {
		const {ctx, page} = await session('taxud.requester');
		await page.goto(`/conventions/${conv}`);
		const svg = page.locator('svg.diagram');
		await svg.waitFor();
		for (const s of ['send_part1', 'fill_part2'])
			assert(await svg.locator(`g.node.current[data-step="${s}"]`).count() === 1, `${s} not current`);
		for (const s of ['request_number', 'assign_number'])
			assert(await svg.locator(`g.node.done[data-step="${s}"]`).count() === 1, `${s} not done`);
		assert(await svg.locator('g.node.current').count() === 2, 'other steps marked current');
		assert(await page.locator('.history li').count() >= 3, 'no history beside the diagram');
		await page.locator('section.process').screenshot({path: path.join(shots, '06-diagram.png')});
		await shot(page, '06-convention-page');
		await ctx.close();
	});

	await test('a step form shows the server\'s field error next to the field (fill_part2)', async () => {
		const {ctx, page} = await session('taxud.requester');
		await page.goto(`/conventions/${conv}#step-fill_part2`);
		const form = page.locator('#form-fill_part2');
		await form.waitFor();
		await form.getByLabel('Application or information system').fill('CUST customs system');
		const row = form.locator('table.edit tbody tr').first();
		const cell = name => row.locator(`[data-path="accesses[0].${name}"]`);
		await cell('application').fill('CUST');
		await cell('environment').selectOption('Production');
		await cell('component').fill('WebLogic');
		await cell('protocol').selectOption('HTTPS');
		await cell('hosts').fill('10.20.1.7/24');
		await cell('ports').fill('443');
		await cell('start').fill('2026-12-15');
		await cell('end').fill('2027-06-30');
		/* The cells are labelled for assistive technology too. */
		assert(await row.getByLabel('Ports').count() === 1, 'a table cell without its label');
		await form.getByRole('button', {name: 'Fill in Part 2 and the access list (Annex V)'}).click();
		const hostCell = row.locator('td', {has: page.locator('[data-path="accesses[0].hosts"]')});
		const err = hostCell.locator('.field-error');
		await err.filter({hasText: /host bits/}).waitFor();
		assert(await row.locator('[data-path="accesses[0].hosts"]').getAttribute('aria-invalid') === 'true', 'field not marked invalid');
		await shot(page, '07-field-error');
		await cell('hosts').fill('10.20.1.0/24\ncust.taxud.example.eu');
		await form.getByRole('button', {name: 'Fill in Part 2 and the access list (Annex V)'}).click();
		await page.getByRole('button', {name: 'Submit Part 2'}).waitFor();
		const acc = page.locator('section.panel', {has: page.getByRole('heading', {name: 'Access list (Annex V)'})});
		await acc.getByText('cust.taxud.example.eu').waitFor();
		await ctx.close();
	});

	await test('a report downloads (the convention progress report, Markdown)', async () => {
		const {ctx, page} = await session('taxud.requester');
		await page.goto(`/conventions/${conv}`);
		const wait = page.waitForEvent('download');
		await page.getByRole('button', {name: 'Download the progress report (Markdown)'}).click();
		const dl = await wait;
		const text = readFileSync(await dl.path(), 'utf8');
		assert(/^# Progress report: security convention TAXUD\.\d+\.T1/m.test(text), `report: ${text.slice(0, 80)}`);
		assert(dl.suggestedFilename().endsWith('.md'), dl.suggestedFilename());
		await ctx.close();
	});

	await test('an incident shows its texts with the matched keywords highlighted', async () => {
		const {ctx, page} = await session('secmgr');
		await page.getByRole('navigation', {name: 'Main'}).getByRole('link', {name: 'Security incident'}).click();
		await page.getByRole('link', {name: 'SD-2026-0411'}).click();
		await page.locator('mark', {hasText: /^suspicious$/i}).first().waitFor();
		assert(await page.locator('mark', {hasText: /^intrusion$/}).count() === 1, 'intrusion not highlighted');
		assert(await page.locator('dd', {hasText: 'gw1.ccn.example.eu'}).count() >= 1, 'indicators');
		await shot(page, '08-incident');
		await ctx.close();
	});

	await test('a company user cannot open another company\'s convention (404 page)', async () => {
		const {ctx, page} = await session('globex.security');
		await page.goto(`/conventions/${conv}`);
		await page.getByRole('heading', {name: 'Not found'}).waitFor();
		await shot(page, '09-not-found');
		await page.goto('/conventions');
		await page.getByRole('heading', {name: 'Security convention'}).waitFor();
		await page.locator('p[aria-live]').filter({hasText: 'on this page'}).waitFor();
		assert(await page.locator('table.list td', {hasText: 'ACME'}).count() === 0, 'GLOBEX sees ACME');
		await ctx.close();
	});

	await test('an NPM and a NISO see only their NA', async () => {
		for (const [user, mine] of [['npm.be', null], ['niso.be', 'SD-2026-0411']]) {
			const {ctx, page} = await session(user);
			const tasks = await page.locator('table.tasks tbody tr').allTextContents();
			assert(!tasks.some(t => /SD-2026-0412|FR/.test(t)), `${user} has a task of FR`);
			await page.goto('/incidents');
			await page.locator('p[aria-live]').filter({hasText: 'on this page'}).waitFor();
			const body = await page.locator('main').textContent();
			assert(!body.includes('SD-2026-0412'), `${user} sees FR's incident`);
			if (mine) assert(body.includes(mine), `${user} does not see ${mine}`);
			if (user === 'niso.be') await shot(page, '10-niso-incidents');
			await ctx.close();
		}
	});

	await test('list search, filters and paging', async () => {
		const {ctx, page} = await session('ds.officer');
		await page.goto('/conventions');
		const status = page.locator('p[aria-live]').filter({hasText: 'on this page'});
		await status.waitFor();
		const all = await page.locator('table.list tbody tr').count();
		assert(all > 1, 'DS sees fewer than two conventions');
		await page.getByLabel('Search').fill('GLOBEX');
		const some = await page.locator('table.list tbody tr').count();
		assert(some < all && some >= 1, `search: ${some} of ${all}`);
		await page.getByLabel('Search').fill('');
		await page.getByLabel('Company').selectOption('ACME');
		assert(await page.locator('table.list tbody tr', {hasText: 'GLOBEX'}).count() === 0, 'company filter');
		await ctx.close();
	});

	await test('me: roles, a delegation, keyboard focus; session expiry returns to login', async () => {
		const {ctx, page} = await session('npm.be');
		await page.goto('/me');
		await page.getByRole('heading', {name: 'My roles'}).waitFor();
		await page.getByLabel('Role to delegate').selectOption('npm');
		await page.getByLabel('Scope (e.g. your DG or NA)').fill('BE');
		await page.getByLabel('Delegate to (user name)').fill('niso.be');
		await page.getByLabel('Until').fill('2026-12-31');
		await page.getByRole('button', {name: 'Delegate'}).click();
		await page.getByText('Delegation created.').waitFor();
		await shot(page, '11-me');
		/* Every input of the page has a label. */
		const unlabelled = await page.locator('main input, main select, main textarea').evaluateAll(
			els => els.filter(e => !e.labels?.length && !e.getAttribute('aria-label')).map(e => e.name || e.id));
		assert(unlabelled.length === 0, `inputs without a label: ${unlabelled}`);
		/* Keyboard: a new page puts focus on its heading, the next Tab
		 * goes into the page, and the focused element is outlined. */
		await page.goto('/');
		await page.getByRole('heading', {name: 'My tasks'}).waitFor();
		assert(await page.evaluate(() => document.activeElement.tagName) === 'H1', 'focus not on the heading');
		await page.goto('/me');
		await page.getByRole('heading', {name: 'My roles'}).waitFor();
		await page.keyboard.press('Tab');
		const f = await page.evaluate(() => {
			const e = document.activeElement;
			return {inMain: !!e.closest('main'), outline: getComputedStyle(e).outlineStyle};
		});
		assert(f.inMain && f.outline !== 'none', `focus after Tab: ${JSON.stringify(f)}`);
		await ctx.clearCookies();
		await page.goto('/');
		await page.getByText('Your session has ended').waitFor();
		await ctx.close();
	});

	await test('no page error and no CSP violation on any page', async () => {
		assert(problems.length === 0, problems.slice(0, 3).join(' | '));
	});

	await test('the server logged no sanitizer report (with a build-asan binary)', async () => {
		assert(!/AddressSanitizer|LeakSanitizer|runtime error:/.test(serverLog), serverLog.slice(0, 300));
	});
} catch (e) {
	results.push(false);
	console.log(`not ok - setup: ${e.message}`);
} finally {
	if (browser) await browser.close();
	server.kill('SIGTERM');
	await new Promise(r => server.exitCode !== null ? r() : server.once('exit', r));
	rmSync(dir, {recursive: true, force: true});
}
const passed = results.filter(Boolean).length;
const failed = results.length - passed;
if (failed && serverLog) console.log(serverLog.split('\n').slice(-10).join('\n'));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
