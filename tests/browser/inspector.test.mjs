// The inspector page (/emulator/ui) in a real browser: Debian's chromium-headless-shell driven by
// puppeteer-core, checked with axe-core. A person's path, once at 1280x800 (the create step by
// keyboard alone) and once at 390x844: sign in, create a webhook to the built-in sink, fire
// order.fulfilled, see the attempt and its wire exchange, resend, a validation error next to its
// field, reset to the empty state. Any console error, page error, failed request or answer >= 400
// that the step does not expect fails the test, as does any serious or critical axe violation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import puppeteer from 'puppeteer-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const BIN = process.env.INTEGRATIONSD_BIN || join(root, 'build/integrationsd');
const SHOTS = process.env.SCREENSHOT_DIR || join(root, 'build/screenshots');
const CHROME = process.env.CHROME_BIN || '/usr/bin/chromium-headless-shell';
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SESSION_KEY = 'integrationsd.inspector.session';

let server; // { proc, base, dir }
let browser;

// --- the server under test ----------------------------------------------------------------

function startServer() {
  const dir = mkdtempSync(join(tmpdir(), 'integrationsd-browser-'));
  const proc = spawn(BIN, ['--bind', '127.0.0.1', '--port', '0', '--db', join(dir, 'test.db'), '--quiet',
    '--retry-schedule', '0,30'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolveStart, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no "listening on" line within 10 s: ${out}`)), 10000);
    const onData = (chunk) => {
      out += chunk;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        proc.stdout.off('data', onData);
        proc.stdout.resume();
        resolveStart({ proc, base: m[1], dir });
      }
    };
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', onData);
    proc.stderr.on('data', (c) => process.stderr.write(c));
    proc.on('error', reject);
    proc.on('exit', (code) => reject(new Error(`integrationsd exited (${code}) before listening: ${out}`)));
  });
}

function stopServer(s) {
  if (!s || s.proc.exitCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const kill = setTimeout(() => process.kill(s.proc.pid, 'SIGKILL'), 5000);
    s.proc.once('exit', () => {
      clearTimeout(kill);
      done();
    });
    process.kill(s.proc.pid, 'SIGTERM');
  });
}

// The API, only to check what the page shows.
async function apiToken(clientId) {
  const res = await fetch(`${server.base}/oauth/access_token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: 'secret' }),
  });
  return (await res.json()).access_token;
}

async function apiGet(token, path) {
  const res = await fetch(`${server.base}${path}`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200, `GET ${path}`);
  return res.json();
}

// --- a watched page ---------------------------------------------------------------------------

// Everything that goes wrong in the page is collected; each step says which answers >= 400 it
// expects, and ends with check().
async function openPage(context, viewport) {
  const page = await context.newPage();
  await page.setViewport(viewport);
  page.setDefaultTimeout(15000);
  const watch = { problems: [], expected: [] };
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // the browser's own line for an answer >= 400: judged below, with the answer
    if (/^Failed to load resource: the server responded with a status of/.test(m.text())) return;
    watch.problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => watch.problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    const why = r.failure() ? r.failure().errorText : '';
    // the page ends its long poll of the journal when it signs out or goes away
    if (why === 'net::ERR_ABORTED' && r.url().includes('/emulator/v1/deliveries')) return;
    watch.problems.push(`request failed: ${r.method()} ${r.url()} ${why}`);
  });
  page.on('response', (r) => {
    if (r.status() < 400) return;
    const path = new URL(r.url()).pathname;
    const method = r.request().method();
    const ok = watch.expected.some((e) => e.status === r.status() && (!e.method || e.method === method) && e.path.test(path));
    if (!ok) watch.problems.push(`unexpected answer ${r.status()} to ${method} ${r.url()}`);
  });
  return { page, watch };
}

function check(watch, step) {
  assert.deepEqual(watch.problems, [], `${step}: the page had problems`);
  watch.expected = [];
}

const axeReport = [];

async function axe(page, label) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    // Runtime.evaluate is not subject to the page's Content-Security-Policy
    await page.evaluate(AXE_SOURCE);
  }
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
  axeReport.push({ label, violations });
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad, [], `${label}: axe-core found serious or critical violations`);
}

async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

const visible = (page, sel) => page.waitForSelector(sel, { visible: true });
// Clicks as a person does, through a locator: it waits until the element is there, visible and
// still, and tries again when the live updates redraw it in between.
const click = (page, sel) => page.locator(sel).click();

// Presses Tab until the focused element matches sel (at most max presses).
async function tabTo(page, sel, max = 40) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), sel)) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`Tab never reached ${sel}`);
}

async function focusIsVisible(page) {
  return page.evaluate(() => {
    const s = getComputedStyle(document.activeElement);
    return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2;
  });
}

async function text(page, sel) {
  return page.$eval(sel, (el) => el.textContent);
}

// --- the person's path ---------------------------------------------------------------------

async function walk({ name, viewport, clientId, keyboard, tokenRefused }) {
  const context = await browser.createBrowserContext();
  const { page, watch } = await openPage(context, viewport);
  const n = (i, step) => `${name}-${String(i).padStart(2, '0')}-${step}`;
  try {
    // 1. the page, signed out
    await page.goto(`${server.base}/emulator/ui`);
    await visible(page, '#signin-form');
    await shot(page, n(1, 'sign-in'));
    await axe(page, `${name}: sign-in`);
    check(watch, 'sign-in page');

    // 2. sign in: the empty store says what to do
    await page.type('#client-id', clientId);
    await page.type('#client-secret', 'secret');
    await page.keyboard.press('Enter');
    await visible(page, '#empty');
    const hint = await text(page, '#empty');
    for (const words of ['New integration', 'Use the built-in sink', 'order.fulfilled', 'Fire event', 'Deliveries']) {
      assert.ok(hint.includes(words), `the empty state names "${words}"`);
    }
    assert.equal(await page.$eval('#who-client', (el) => el.textContent), clientId);
    assert.ok(await page.evaluate((k) => JSON.parse(sessionStorage.getItem(k)).token.length > 0, SESSION_KEY),
      'the token is kept in sessionStorage');
    await shot(page, n(2, 'empty-store'));
    await axe(page, `${name}: empty store`);
    check(watch, 'sign in');

    // 3. create a webhook to the built-in sink
    if (keyboard) {
      await tabTo(page, '#new-integration');
      assert.ok(await focusIsVisible(page), 'the focused button shows its focus');
      await page.keyboard.press('Enter');
      await visible(page, '#integration-dialog[open]');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'f-name', 'the dialog starts at the name');
      await page.keyboard.press('Escape'); // Escape closes it, and the focus goes back to its button
      await page.waitForSelector('#integration-dialog:not([open])');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'new-integration');
      await page.keyboard.press('Enter');
      await visible(page, '#integration-dialog[open]');
      await page.keyboard.type('Orders to the sink');
      await tabTo(page, '#use-sink');
      assert.ok(await focusIsVisible(page), 'the sink button shows its focus');
      await page.keyboard.press('Enter');
      await tabTo(page, '#f-observes-filter');
      await page.keyboard.type('order.fulfilled');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement.value), 'order.fulfilled');
      await page.keyboard.press('Space');
      await tabTo(page, '#integration-save');
      await shot(page, n(3, 'create-form'));
      await axe(page, `${name}: create form`);
      await page.keyboard.press('Enter');
    } else {
      await click(page, '#new-integration');
      await visible(page, '#integration-dialog[open]');
      await page.type('#f-name', 'Orders to the sink');
      await click(page, '#use-sink');
      await page.type('#f-observes-filter', 'fulfilled');
      await click(page, '#f-observes-list input[value="order.fulfilled"]');
      await shot(page, n(3, 'create-form'));
      await axe(page, `${name}: create form`);
      await click(page, '#integration-save');
    }
    await page.waitForSelector('#integration-dialog:not([open])');
    await visible(page, 'table.integrations tbody tr');
    const row = await text(page, 'table.integrations tbody tr');
    assert.match(row, /Webhook/);
    assert.match(row, /Orders to the sink/);
    assert.match(row, /order\.fulfilled/);
    assert.match(row, /Enabled/);
    assert.equal(await page.$eval('#empty', (el) => el.hidden), true, 'the empty state is gone');
    const token = await apiToken(clientId);
    const stored = (await apiGet(token, '/v2/integrations')).data;
    assert.equal(stored.length, 1);
    assert.equal(stored[0].configuration.url, `${server.base}/emulator/v1/sink/inspector`);
    await shot(page, n(4, 'created'));
    check(watch, 'create');

    // 4. fire order.fulfilled: the attempt and its wire exchange appear by themselves
    await page.$eval('#fire', (el) => el.scrollIntoView());
    await page.select('#fire-trigger', 'order.fulfilled');
    await click(page, '#fire-form button[type="submit"]');
    await visible(page, '#fire-result');
    assert.match(await text(page, '#fire-result'), /1 job/);
    await visible(page, '#deliveries-list article.attempt');
    const record = (await apiGet(token, '/emulator/v1/deliveries')).data[0];
    assert.equal(await page.$eval('#deliveries-list article.attempt', (el) => el.dataset.id), record.id);
    const first = '#deliveries-list article.attempt';
    await click(page, `${first} .request details:last-of-type summary`); // the request body, folded
    const requestBody = await text(page, `${first} .request details:last-of-type pre`);
    assert.match(requestBody, /"triggered_by": "order\.fulfilled"/);
    assert.match(requestBody, /"attempt": 1/);
    assert.match(await text(page, `${first} .request .line`), /POST .*\/emulator\/v1\/sink\/inspector/);
    assert.match(await text(page, `${first} .response .line`), /^200/);
    assert.match(await text(page, `${first} .response pre`), /"received": true/);
    await page.$eval('#deliveries', (el) => el.scrollIntoView({ block: 'start' }));
    await shot(page, n(5, 'delivery'));
    await axe(page, `${name}: delivery`);
    check(watch, 'fire and see the delivery');

    // 5. resend the job: a second attempt appears
    await click(page, `${first} [data-focus^="resend:"]`);
    await page.waitForFunction(() => {
      const a = document.querySelectorAll('#deliveries-list article.attempt');
      return a.length === 2 && a[0].querySelector('.attempt-title').textContent.includes('attempt 2');
    });
    assert.equal((await apiGet(token, '/emulator/v1/deliveries')).meta.results.total, 2);
    // the integration's own jobs: one job, both attempts
    await click(page, 'table.integrations tbody tr [data-focus^="deliveries:"]');
    await page.waitForFunction(() => {
      const job = document.querySelector('#deliveries-list section.job');
      return job && job.querySelectorAll('article.attempt').length === 2;
    });
    assert.match(await text(page, '#deliveries-list section.job .job-head'), /2 attempts/);
    await page.$eval('#deliveries', (el) => el.scrollIntoView({ block: 'start' }));
    await shot(page, n(6, 'resent'));
    check(watch, 'resend');

    // 6. a validation error next to its field
    watch.expected.push({ method: 'POST', path: /^\/v2\/integrations$/, status: 400 });
    await page.$eval('#integrations', (el) => el.scrollIntoView());
    await click(page, '#new-integration');
    await visible(page, '#integration-dialog[open]');
    await page.type('#f-name', 'Broken');
    await page.type('#f-webhook-url', 'not a url');
    await page.type('#f-observes-filter', 'order.paid');
    await click(page, '#f-observes-list input[value="order.paid"]');
    await click(page, '#integration-save');
    await visible(page, '#f-webhook-url-error');
    const err = await page.$eval('#f-webhook-url', (input) => ({
      invalid: input.getAttribute('aria-invalid'),
      describedBy: input.getAttribute('aria-describedby').split(' '),
      sameField: input.closest('.field').contains(document.getElementById('f-webhook-url-error')),
      text: document.getElementById('f-webhook-url-error').textContent,
      summary: document.getElementById('form-summary').textContent,
      focused: document.activeElement.id,
    }));
    assert.equal(err.invalid, 'true');
    assert.ok(err.describedBy.includes('f-webhook-url-error'));
    assert.ok(err.sameField, 'the error is next to the URL field');
    assert.match(err.text, /Invalid format: URL/);
    assert.match(err.summary, /URL: Invalid format/);
    assert.equal(err.focused, 'form-summary');
    await shot(page, n(7, 'validation-error'));
    await axe(page, `${name}: validation error`);
    await page.keyboard.press('Escape');
    await page.waitForSelector('#integration-dialog:not([open])');
    assert.equal((await apiGet(token, '/v2/integrations')).meta.results.total, 1, 'nothing was created');
    check(watch, 'validation error');

    // 7. reset the store: the empty state again
    await page.$eval('#store', (el) => el.scrollIntoView());
    await click(page, '#reset');
    await visible(page, '#confirm-dialog[open]');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'confirm-no', 'a destructive dialog starts on Cancel');
    await shot(page, n(8, 'reset-confirm'));
    await click(page, '#confirm-yes');
    await visible(page, '#empty');
    await page.waitForFunction(() => !document.querySelector('table.integrations'));
    await page.waitForFunction(() => document.querySelector('#deliveries-list').textContent.includes('No delivery yet'));
    assert.equal((await apiGet(token, '/v2/integrations')).meta.results.total, 0);
    assert.equal((await apiGet(token, '/emulator/v1/deliveries')).meta.results.total, 0);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, n(9, 'reset'));
    await axe(page, `${name}: after reset`);
    check(watch, 'reset');

    // 8. a token the server refuses brings the sign-in back, saying why
    if (tokenRefused) {
      watch.expected.push({ path: /^\/(v2|emulator\/v1)\//, status: 401 });
      await page.evaluate((k) => {
        const s = JSON.parse(sessionStorage.getItem(k));
        sessionStorage.setItem(k, JSON.stringify({ ...s, token: '0'.repeat(64) }));
      }, SESSION_KEY);
      await page.reload();
      await visible(page, '#signin-message');
      assert.match(await text(page, '#signin-message'), /refused your token/);
      assert.equal(await page.$eval('#app', (el) => el.hidden), true);
      await shot(page, n(10, 'token-refused'));
      await axe(page, `${name}: token refused`);
      check(watch, 'token refused');
    }
  } finally {
    await context.close();
  }
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startServer();
  browser = await puppeteer.launch({ executablePath: CHROME, headless: 'shell', args: ['--no-sandbox'] });
});

after(async () => {
  if (browser) await browser.close();
  await stopServer(server);
  if (server) rmSync(server.dir, { recursive: true, force: true });
  for (const { label, violations } of axeReport) {
    const minor = violations.map((v) => `${v.id} (${v.impact})`).join(', ') || 'none';
    console.log(`axe, ${label}: ${minor === 'none' ? 'no violation' : minor}`);
  }
});

// The page keeps its own copy of the event catalogue (no route lists it): it must be the one the
// server accepts, tests/data/events.json, which the unit tests and the black-box suite check.
test('the page offers exactly the triggers the server accepts', async () => {
  const { TRIGGERS, isTrigger } = await import('../../ui/triggers.js');
  const catalogue = JSON.parse(readFileSync(join(root, 'tests/data/events.json'), 'utf8'));
  const custom = catalogue.other_observable.filter((k) => k.includes('_ext.')); // <slug>_ext.* examples
  const accepted = [
    ...catalogue.other_observable.filter((k) => !custom.includes(k)),
    ...catalogue.crud_resources.flatMap((r) => catalogue.crud_actions.map((a) => `${r}.${a}`)),
  ];
  assert.deepEqual([...TRIGGERS].sort(), [...accepted].sort());
  for (const key of custom) assert.equal(isTrigger(key), true, key);
  for (const key of catalogue.not_observable) assert.equal(isTrigger(key), false, key);
});

test('desktop 1280x800, the create step by keyboard alone', () =>
  walk({ name: 'desktop', viewport: { width: 1280, height: 800 }, clientId: 'inspector-desktop', keyboard: true, tokenRefused: true }));

test('phone 390x844', () =>
  walk({ name: 'phone', viewport: { width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 1 }, clientId: 'inspector-phone', keyboard: false }));
