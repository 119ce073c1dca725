'use strict';
// Contract test of integrationsd through the official Elastic Path JS SDK
// (@elasticpath/js-sdk, pinned in package-lock.json). The SDK is used exactly as a
// front-end developer would use it: gateway({client_id, client_secret, host, protocol,
// storage, custom_fetch}). `custom_fetch` is a documented SDK option; here it only
// passes every request to Node's global fetch and records method, URL, status, the
// response body and some headers, so that the tests can tell which path the SDK took
// (e.g. 401 -> re-authenticate -> retry).
//
// Contract: shared/spec/API.md. Harness: $INTEGRATIONSD_BIN or <repo>/build/integrationsd,
// started with --port/--db[/--token-ttl], ready on "listening on http://127.0.0.1:PORT".

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { randomUUID } = require('node:crypto');
const { gateway, MemoryStorageFactory } = require('@elasticpath/js-sdk');

const REPO = path.resolve(__dirname, '..', '..');
const BIN = process.env.INTEGRATIONSD_BIN || path.join(REPO, 'build', 'integrationsd');
const SANITIZER_RE = /AddressSanitizer|LeakSanitizer|runtime error:/;
const UUID_V4_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TS_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const RESOURCE_KEYS = ['id', 'type', 'integration_type', 'name', 'description', 'enabled',
  'configuration', 'observes', 'links', 'meta'];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- server harness

const running = new Set();
const tmpDirs = [];

function makeDbPath() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'integrationsd-sdk-'));
  tmpDirs.push(dir);
  return path.join(dir, 'db.sqlite');
}

function startServer({ port = 0, db, tokenTtl } = {}) {
  if (!fs.existsSync(BIN)) {
    throw new Error(`server binary not found: ${BIN} (build it or set INTEGRATIONSD_BIN)`);
  }
  const args = ['--port', String(port), '--db', db];
  if (tokenTtl !== undefined) args.push('--token-ttl', String(tokenTtl));
  const proc = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const srv = { proc, args, stdout: '', stderr: '', port: null, exited: null };
  running.add(srv);
  srv.exitPromise = new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      srv.exited = { code, signal };
      running.delete(srv);
      resolve(srv.exited);
    });
  });
  proc.stderr.on('data', (d) => { srv.stderr += d; });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`server did not print "listening on http://127.0.0.1:PORT" within 15 s\n` +
        `args: ${args.join(' ')}\nstdout:\n${srv.stdout}\nstderr:\n${srv.stderr}`));
    }, 15000);
    proc.stdout.on('data', (d) => {
      srv.stdout += d;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(srv.stdout);
      if (m && srv.port === null) {
        srv.port = Number(m[1]);
        clearTimeout(timer);
        resolve(srv);
      }
    });
    proc.on('error', (e) => { clearTimeout(timer); reject(e); });
    srv.exitPromise.then(({ code, signal }) => {
      if (srv.port === null) {
        clearTimeout(timer);
        reject(new Error(`server exited before it was ready (code ${code}, signal ${signal})\n` +
          `args: ${args.join(' ')}\nstdout:\n${srv.stdout}\nstderr:\n${srv.stderr}`));
      }
    });
  });
}

// SIGTERM, wait for the exit; returns {code, signal, stderr}.
async function stopServer(srv) {
  if (!srv) return null;
  if (!srv.exited) {
    srv.proc.kill('SIGTERM');
    const t = setTimeout(() => { if (!srv.exited) srv.proc.kill('SIGKILL'); }, 10000);
    await srv.exitPromise;
    clearTimeout(t);
  }
  return { ...srv.exited, stderr: srv.stderr };
}

// Stop and assert a clean exit: code 0 and no sanitizer report on stderr.
async function stopCleanly(srv) {
  const r = await stopServer(srv);
  assert.ok(!SANITIZER_RE.test(r.stderr), `sanitizer report on server stderr:\n${r.stderr}`);
  assert.equal(r.signal, null, `server killed by signal ${r.signal} (did not exit on SIGTERM within 10 s)\nstderr:\n${r.stderr}`);
  assert.equal(r.code, 0, `server exit code after SIGTERM\nstderr:\n${r.stderr}`);
}

async function killAll() {
  for (const srv of [...running]) await stopServer(srv);
}

process.on('exit', () => {
  for (const srv of running) { try { srv.proc.kill('SIGKILL'); } catch (_) { /* gone */ } }
  for (const d of tmpDirs) { try { fs.rmSync(d, { recursive: true, force: true }); } catch (_) { /* ignore */ } }
});

// ---------------------------------------------------------------- SDK client

// One SDK gateway with its own in-memory credential storage and a recording fetch.
function makeClient(port, { clientId = 'sdk-contract-client', clientSecret = 'sdk-contract-secret', name } = {}) {
  const log = [];
  const custom_fetch = async (url, init = {}) => {
    const res = await fetch(url, init);
    let body = '';
    try { body = await res.clone().text(); } catch (_) { /* keep '' */ }
    log.push({
      method: init.method || 'GET',
      url: String(url),
      status: res.status,
      reqHeaders: { ...(init.headers || {}) },
      reqBody: init.body,
      contentType: res.headers.get('content-type'),
      requestId: res.headers.get('x-moltin-request-id'),
      acao: res.headers.get('access-control-allow-origin'),
      body,
    });
    return res;
  };
  const storage = new MemoryStorageFactory();
  const ep = gateway({
    name,
    client_id: clientId,
    client_secret: clientSecret,
    host: `127.0.0.1:${port}`,
    protocol: 'http',
    storage,
    custom_fetch,
    disableCart: true,
  });
  return { ep, log, storage, port };
}

const isAuthCall = (e) => e.method === 'POST' && new URL(e.url).pathname === '/oauth/access_token';
const fmtLog = (log) => log.map((e) => `${e.method} ${e.url} -> ${e.status} ${e.body.slice(0, 300)}`).join('\n');

// Await an SDK call that must reject; return what the SDK threw (the parsed body).
async function sdkThrows(promise) {
  let value;
  try {
    value = await promise;
  } catch (e) {
    return e;
  }
  assert.fail(`expected the SDK call to throw, it resolved with ${JSON.stringify(value)}`);
}

// The essential part of an error envelope, for comparisons.
function errorSummary(thrown) {
  assert.ok(thrown && typeof thrown === 'object' && Array.isArray(thrown.errors),
    `the SDK threw ${JSON.stringify(thrown)}, expected a parsed {"errors":[...]} body`);
  return thrown.errors.map((e) => ({ status: e.status, title: e.title, source: e.source }));
}

function assertValidationErrors(thrown, expected) {
  const got = errorSummary(thrown);
  for (const e of thrown.errors) {
    assert.equal(typeof e.detail, 'string', `4xx validation error without detail: ${JSON.stringify(e)}`);
    assert.ok(e.detail.length > 0, `empty detail: ${JSON.stringify(e)}`);
  }
  assert.deepEqual(got, expected.map((e) => ({ status: 400, ...e })));
}

function mask(s) {
  return s.length <= 4 ? '*'.repeat(s.length) : '*'.repeat(s.length - 4) + s.slice(-4);
}

function assertIntegrationShape(d, port) {
  assert.deepEqual(Object.keys(d), RESOURCE_KEYS, 'resource keys and their order (spec §3)');
  assert.match(d.id, UUID_V4_RE);
  assert.equal(d.type, 'integration');
  assert.deepEqual(d.links, { self: `http://127.0.0.1:${port}/v2/integrations/${d.id}` });
  assert.match(d.meta.timestamps.created_at, TS_RE);
  assert.match(d.meta.timestamps.updated_at, TS_RE);
}

function pageParams(link) {
  assert.equal(typeof link, 'string', `link should be a URL string, got ${JSON.stringify(link)}`);
  const u = new URL(link); // absolute URL or this throws
  return {
    base: `${u.origin}${u.pathname.replace(/\/$/, '')}`,
    limit: u.searchParams.get('page[limit]'),
    offset: u.searchParams.get('page[offset]') ?? '0',
  };
}

// ---------------------------------------------------------------- fixtures

const WEBHOOK = {
  integration_type: 'webhook',
  name: 'Order shipping notification',
  description: 'Send a shipping notification via email with discount code.',
  enabled: true,
  configuration: { url: 'https://yourwebsite.com/order-created-notification' },
  observes: ['order.fulfilled'],
};

const SQS_CONFIG = {
  url: 'https://sqs.eu-west-1.amazonaws.com/123456789012/order-events',
  aws_access_key_id: 'AKIAIOSFODNN7EXAMPLE',
  aws_secret_access_key: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  region: 'eu-west-1',
};
const SQS = {
  integration_type: 'aws_sqs',
  name: 'Orders to SQS',
  configuration: SQS_CONFIG,
  observes: ['order.created', 'order.paid'],
};

const STOMP_CONFIG = {
  addresses: ['stomp://mq1.example.com:61613', 'stomp+ssl://mq2.example.com:61614'],
  destination: '/queue/orders',
  username: 'shop',
  password: 'correct-horse-battery',
};
const STOMP = {
  integration_type: 'stomp',
  name: 'Orders to ActiveMQ',
  description: 'Broker feed',
  enabled: false,
  configuration: STOMP_CONFIG,
  observes: ['order.paid'],
};

// ---------------------------------------------------------------- scenarios 1-5, 7

describe('integrationsd through @elasticpath/js-sdk', { timeout: 40000 }, () => {
  let srv;
  let c; // main client
  const ids = {};
  const created = {};

  before(async () => {
    srv = await startServer({ db: makeDbPath() });
    c = makeClient(srv.port);
  });
  after(killAll);

  it('1. authenticates with client_credentials and stores a usable token', async () => {
    const before = Math.floor(Date.now() / 1000);
    const auth = await c.ep.Authenticate();
    const afterT = Math.floor(Date.now() / 1000);
    // what went over the wire
    assert.equal(c.log.length, 1, fmtLog(c.log));
    const call = c.log[0];
    assert.equal(call.url, `http://127.0.0.1:${srv.port}/oauth/access_token`);
    assert.equal(call.method, 'POST');
    assert.equal(call.reqHeaders['Content-Type'], 'application/x-www-form-urlencoded');
    assert.equal(call.status, 200, fmtLog(c.log));
    // the token document (spec §2.1)
    assert.deepEqual(Object.keys(auth).sort(),
      ['access_token', 'expires', 'expires_in', 'identifier', 'token_type']);
    assert.equal(auth.identifier, 'client_credentials');
    assert.equal(auth.token_type, 'Bearer');
    assert.equal(auth.expires_in, 3600);
    assert.match(auth.access_token, /^[0-9a-fA-F]{32,}$/);
    assert.ok(Number.isInteger(auth.expires), `expires must be integer epoch seconds: ${auth.expires}`);
    assert.ok(auth.expires >= before + 3600 - 5 && auth.expires <= afterT + 3600 + 5,
      `expires must be absolute (now+3600), got ${auth.expires}, now ${afterT}`);
    // the SDK stored it and considers it valid
    const cred = c.ep.credentials();
    assert.equal(cred.access_token, auth.access_token);
    assert.equal(cred.expires, auth.expires);
    assert.equal(cred.client_id, 'sdk-contract-client');
    assert.equal(c.ep.tokenInvalid(), false);
  });

  it('2. creates webhook, aws_sqs and stomp integrations (masked secrets)', async () => {
    const token = c.ep.credentials().access_token;

    const w = await c.ep.Integrations.Create(WEBHOOK);
    assert.deepEqual(Object.keys(w), ['data']);
    const wd = w.data;
    assertIntegrationShape(wd, srv.port);
    assert.equal(wd.integration_type, 'webhook');
    assert.equal(wd.name, WEBHOOK.name);
    assert.equal(wd.description, WEBHOOK.description);
    assert.equal(wd.enabled, true);
    assert.deepEqual(wd.configuration, WEBHOOK.configuration, 'no secret_key key when none set');
    assert.deepEqual(wd.observes, ['order.fulfilled']);
    assert.equal(wd.meta.timestamps.updated_at, wd.meta.timestamps.created_at);
    const post = c.log[c.log.length - 1];
    assert.equal(post.method, 'POST');
    assert.equal(post.url, `http://127.0.0.1:${srv.port}/v2/integrations`);
    assert.equal(post.status, 201, fmtLog(c.log));
    assert.equal(post.reqHeaders.Authorization, `Bearer ${token}`);
    ids.webhook = wd.id; created.webhook = wd;

    const s = (await c.ep.Integrations.Create(SQS)).data;
    assertIntegrationShape(s, srv.port);
    assert.equal(s.integration_type, 'aws_sqs');
    assert.equal(s.description, null, 'description is null when never given');
    assert.equal(s.enabled, false, 'enabled defaults to false');
    assert.deepEqual(s.configuration, {
      url: SQS_CONFIG.url,
      aws_access_key_id: '****************MPLE',
      aws_secret_access_key: '************************************EKEY',
      region: 'eu-west-1',
    });
    assert.equal(s.configuration.aws_access_key_id, mask(SQS_CONFIG.aws_access_key_id));
    assert.deepEqual(s.observes, ['order.created', 'order.paid']);
    ids.sqs = s.id; created.sqs = s;

    const t = (await c.ep.Integrations.Create(STOMP)).data;
    assertIntegrationShape(t, srv.port);
    assert.equal(t.integration_type, 'stomp');
    assert.equal(t.enabled, false);
    assert.equal(t.description, 'Broker feed');
    assert.deepEqual(t.configuration, { ...STOMP_CONFIG, password: '*****************tery' });
    ids.stomp = t.id; created.stomp = t;

    assert.equal(new Set([ids.webhook, ids.sqs, ids.stomp]).size, 3);
    // `expires` was absolute: the SDK did not fetch a new token before these calls
    assert.equal(c.log.filter(isAuthCall).length, 1, `unexpected re-authentication:\n${fmtLog(c.log)}`);
  });

  it('3. lists with Limit(2).Offset(1): page, meta.page, links, results.total', async () => {
    const r = await c.ep.Integrations.Limit(2).Offset(1).All();
    const get = c.log[c.log.length - 1];
    const sent = new URL(get.url);
    assert.equal(sent.pathname, '/v2/integrations');
    assert.equal(sent.searchParams.get('page[limit]'), '2');
    assert.equal(sent.searchParams.get('page[offset]'), '1');

    assert.deepEqual(r.data.map((d) => d.id), [ids.sqs, ids.stomp], 'oldest first, offset 1, limit 2');
    assert.deepEqual(r.data[0], created.sqs, 'list items equal the created documents (masked)');
    assert.deepEqual(r.data[1], created.stomp);
    assert.deepEqual(r.meta.page, { limit: 2, offset: 1, current: 1, total: 2 });
    assert.deepEqual(r.meta.results, { total: 3 });
    assert.deepEqual(r.results, { total: 3 });

    const base = `http://127.0.0.1:${srv.port}/v2/integrations`;
    assert.deepEqual(Object.keys(r.links).sort(), ['current', 'first', 'last', 'next', 'prev']);
    assert.deepEqual(pageParams(r.links.current), { base, limit: '2', offset: '1' });
    assert.deepEqual(pageParams(r.links.first), { base, limit: '2', offset: '0' });
    assert.deepEqual(pageParams(r.links.last), { base, limit: '2', offset: '2' },
      'last = offset of the last page = (ceil(3/2)-1)*2');
    assert.deepEqual(pageParams(r.links.prev), { base, limit: '2', offset: '0' });
    assert.equal(r.links.next, null, 'offset 1 + limit 2 reaches the end');

    // default page after that (the SDK resets Limit/Offset after a call)
    const all = await c.ep.Integrations.All();
    assert.equal(new URL(c.log[c.log.length - 1].url).search, '', 'SDK sends no paging params now');
    assert.deepEqual(all.data.map((d) => d.id), [ids.webhook, ids.sqs, ids.stomp]);
    assert.deepEqual(all.meta.page, { limit: 25, offset: 0, current: 1, total: 1 });
    assert.deepEqual(all.results, { total: 3 });
    assert.deepEqual(all.meta.results, { total: 3 });
    assert.equal(all.links.prev, null);
    assert.equal(all.links.next, null);
    assert.deepEqual(pageParams(all.links.first).offset, '0');
    assert.deepEqual(pageParams(all.links.last).offset, '0');
  });

  it('4. get, partial update (updated_at bump), delete, then get throws 404', async () => {
    const g = await c.ep.Integrations.Get(ids.webhook);
    assert.deepEqual(g, { data: created.webhook });
    const gs = await c.ep.Integrations.Get(ids.sqs);
    assert.deepEqual(gs.data.configuration, created.sqs.configuration, 'masked on get too');

    await sleep(25); // so that updated_at (ms resolution) must move
    const u = await c.ep.Integrations.Update(ids.webhook, {
      name: 'Order shipping notification (v2)',
      enabled: false,
    });
    const put = c.log[c.log.length - 1];
    assert.equal(put.method, 'PUT');
    assert.equal(put.url, `http://127.0.0.1:${srv.port}/v2/integrations/${ids.webhook}`);
    assert.deepEqual(JSON.parse(put.reqBody), {
      data: { name: 'Order shipping notification (v2)', enabled: false, type: 'integration' },
    }, 'what the SDK sends for a partial update');
    const ud = u.data;
    assertIntegrationShape(ud, srv.port);
    assert.equal(ud.id, ids.webhook);
    assert.equal(ud.name, 'Order shipping notification (v2)');
    assert.equal(ud.enabled, false);
    assert.equal(ud.description, WEBHOOK.description, 'absent keys keep their values');
    assert.deepEqual(ud.configuration, WEBHOOK.configuration);
    assert.deepEqual(ud.observes, WEBHOOK.observes);
    assert.equal(ud.integration_type, 'webhook');
    assert.equal(ud.meta.timestamps.created_at, created.webhook.meta.timestamps.created_at);
    assert.ok(ud.meta.timestamps.updated_at > created.webhook.meta.timestamps.updated_at,
      `updated_at must move forward: ${created.webhook.meta.timestamps.updated_at} -> ${ud.meta.timestamps.updated_at}`);
    const g2 = await c.ep.Integrations.Get(ids.webhook);
    assert.deepEqual(g2.data, ud, 'get sees the update');

    // configuration replaced whole; a password of <= 4 chars is all stars
    const u2 = await c.ep.Integrations.Update(ids.stomp, {
      configuration: { addresses: ['stomp://mq3.example.com:61613'], destination: '/queue/x', password: 'abc' },
    });
    assert.deepEqual(u2.data.configuration,
      { addresses: ['stomp://mq3.example.com:61613'], destination: '/queue/x', password: '***' });

    const del = await c.ep.Integrations.Delete(ids.webhook);
    assert.deepEqual(del, { data: { type: 'integration', id: ids.webhook } });

    const thrown = await sdkThrows(c.ep.Integrations.Get(ids.webhook));
    const last = c.log[c.log.length - 1];
    assert.equal(last.status, 404, fmtLog(c.log.slice(-2)));
    assert.equal(thrown.errors[0].status, 404);
    assert.equal(thrown.errors[0].title, 'Integration not found');
    assert.equal(typeof thrown.errors[0].detail, 'string');

    const thrown2 = await sdkThrows(c.ep.Integrations.Get('not-a-uuid'));
    assert.equal(thrown2.errors[0].status, 404, 'a malformed id is 404 too');
    assert.equal(thrown2.errors[0].title, 'Integration not found');

    const thrown3 = await sdkThrows(c.ep.Integrations.Update(ids.webhook, { name: 'gone' }));
    assert.equal(thrown3.errors[0].status, 404, 'update of a deleted integration');
    assert.equal(thrown3.errors[0].title, 'Integration not found');

    const thrown4 = await sdkThrows(c.ep.Integrations.Delete(ids.webhook));
    assert.equal(thrown4.errors[0].status, 404, 'second delete');
    assert.equal(thrown4.errors[0].title, 'Integration not found');
  });

  it('5. rejects invalid creates with 400 errors (titles and sources of spec §4.1)', async () => {
    const base = { integration_type: 'webhook', name: 'x', configuration: { url: 'https://example.com/hook' }, observes: ['order.paid'] };
    const without = (k) => { const o = { ...base }; delete o[k]; return o; };

    // missing name
    assertValidationErrors(await sdkThrows(c.ep.Integrations.Create(without('name'))), [
      { title: 'Missing required property: name', source: 'data.name' },
    ]);
    assert.equal(c.log[c.log.length - 1].status, 400);

    // every required key missing at once, in the resource's key order
    assertValidationErrors(await sdkThrows(c.ep.Integrations.Create({ description: 'only this' })), [
      { title: 'Missing required property: integration_type', source: 'data.integration_type' },
      { title: 'Missing required property: name', source: 'data.name' },
      { title: 'Missing required property: configuration', source: 'data.configuration' },
      { title: 'Missing required property: observes', source: 'data.observes' },
    ]);

    // bad observes: unknown key and a duplicate (source = the later occurrence)
    assertValidationErrors(await sdkThrows(c.ep.Integrations.Create({
      ...base, observes: ['order.paid', 'order.shipped', 'order.paid'],
    })), [
      { title: 'No enum match for: "order.shipped"', source: 'data.observes[1]' },
      { title: 'Array items are not unique', source: 'data.observes[2]' },
    ]);

    // empty observes
    assertValidationErrors(await sdkThrows(c.ep.Integrations.Create({ ...base, observes: [] })), [
      { title: 'Array is too short (0), minimum 1', source: 'data.observes' },
    ]);

    // wrong integration_type
    const wrongType = await sdkThrows(c.ep.Integrations.Create({ ...base, integration_type: 'email' }));
    const wt = errorSummary(wrongType);
    assert.ok(wt.length >= 1 && wt.every((e) => e.status === 400), JSON.stringify(wrongType));
    assert.deepEqual(wt[0], { status: 400, title: 'No enum match for: "email"', source: 'data.integration_type' });

    // wrong JSON types
    assertValidationErrors(await sdkThrows(c.ep.Integrations.Create({
      ...base, name: 5, enabled: 'yes', observes: 'order.paid',
    })), [
      { title: 'Invalid type: number (expected string)', source: 'data.name' },
      { title: 'Invalid type: string (expected boolean)', source: 'data.enabled' },
      { title: 'Invalid type: string (expected array)', source: 'data.observes' },
    ]);

    // several problems at once: empty name, sqs configuration keys missing, > 5 observes
    assertValidationErrors(await sdkThrows(c.ep.Integrations.Create({
      integration_type: 'aws_sqs',
      name: '',
      configuration: { url: SQS_CONFIG.url },
      observes: ['order.created', 'order.updated', 'order.paid', 'order.authorized', 'order.fulfilled', 'order.cancelled'],
    })), [
      { title: 'String is too short (0 chars), minimum 1', source: 'data.name' },
      { title: 'Missing required property: aws_access_key_id', source: 'data.configuration.aws_access_key_id' },
      { title: 'Missing required property: aws_secret_access_key', source: 'data.configuration.aws_secret_access_key' },
      { title: 'Missing required property: region', source: 'data.configuration.region' },
      { title: 'You have reached the integration event limit of 5', source: 'data.observes' },
    ]);

    // bad webhook URL
    const badUrl = errorSummary(await sdkThrows(c.ep.Integrations.Create({ ...base, configuration: { url: 'not a url' } })));
    assert.equal(badUrl.length, 1, JSON.stringify(badUrl));
    assert.equal(badUrl[0].status, 400);
    assert.equal(badUrl[0].source, 'data.configuration.url');
    assert.match(badUrl[0].title, /^Invalid format: /);

    // stomp without destination, with a bad address
    const badStomp = errorSummary(await sdkThrows(c.ep.Integrations.Create({
      ...base, integration_type: 'stomp', configuration: { addresses: ['http://mq.example.com'] },
    })));
    assert.equal(badStomp.length, 2, JSON.stringify(badStomp));
    assert.equal(badStomp[0].status, 400);
    assert.match(badStomp[0].source, /^data\.configuration\.addresses/);
    assert.match(badStomp[0].title, /^Invalid format: /);
    assert.deepEqual(badStomp[1], { status: 400, title: 'Missing required property: destination', source: 'data.configuration.destination' });

    // nothing was created by the rejected requests (webhook deleted in 4, sqs + stomp left)
    const all = await c.ep.Integrations.All();
    assert.deepEqual(all.data.map((d) => d.id), [ids.sqs, ids.stomp]);
    assert.equal(all.results.total, 2);
  });

  it('7. logs and jobs of a new integration are empty lists', async () => {
    const n = (await c.ep.Integrations.Create({
      integration_type: 'webhook', name: 'Quiet hook', enabled: false,
      configuration: { url: 'http://127.0.0.1:9/hook', secret_key: 'whsec_c2VjcmV0' },
      observes: ['cart.updated'],
    })).data;
    assert.equal(n.configuration.secret_key, 'whsec_c2VjcmV0', 'webhook secret_key is returned in clear');

    const emptyList = (r, what) => {
      assert.deepEqual(r.data, [], `${what}: data`);
      assert.deepEqual(r.results, { total: 0 }, `${what}: results`);
      assert.equal(r.meta.page.total, 0, `${what}: meta.page.total`);
      assert.equal(r.meta.page.offset, 0, `${what}: meta.page.offset`);
      assert.equal(r.links.prev, null, `${what}: links.prev`);
      assert.equal(r.links.next, null, `${what}: links.next`);
    };
    emptyList(await c.ep.Integrations.GetLogs(n.id), 'GetLogs');
    assert.equal(new URL(c.log[c.log.length - 1].url).pathname, `/v2/integrations/${n.id}/logs`);
    emptyList(await c.ep.Integrations.GetJobs(n.id), 'GetJobs');
    assert.equal(new URL(c.log[c.log.length - 1].url).pathname, `/v2/integrations/${n.id}/jobs`);
    emptyList(await c.ep.Integrations.GetAllLogs(), 'GetAllLogs');
    assert.equal(new URL(c.log[c.log.length - 1].url).pathname, '/v2/integrations/logs');

    const noJob = await sdkThrows(c.ep.Integrations.GetAllLogsForJob(n.id, randomUUID()));
    assert.equal(noJob.errors[0].status, 404);
    assert.equal(noJob.errors[0].title, 'Job not found');

    const noIntegration = await sdkThrows(c.ep.Integrations.GetLogs(randomUUID()));
    assert.equal(noIntegration.errors[0].status, 404);
    assert.equal(noIntegration.errors[0].title, 'Integration not found');
    const noIntegrationJobs = await sdkThrows(c.ep.Integrations.GetJobs(randomUUID()));
    assert.equal(noIntegrationJobs.errors[0].status, 404);
    assert.equal(noIntegrationJobs.errors[0].title, 'Integration not found');
  });

  it('8. a fault rule of the store makes the list call fail with 503: the SDK surfaces the error', async () => {
    // the front-end developer's way to see an error state: the SDK cannot set headers, a rule can
    const base = `http://127.0.0.1:${srv.port}`;
    const tok = await (await fetch(`${base}/oauth/access_token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=sdk-contract-client&client_secret=sdk-contract-secret',
    })).json();
    const auth = { Authorization: `Bearer ${tok.access_token}`, 'Content-Type': 'application/json' };
    const put = await fetch(`${base}/emulator/v1/faults`, {
      method: 'PUT', headers: auth,
      body: JSON.stringify({ data: [{ method: 'GET', path: '/v2/integrations', status: 503 }] }),
    });
    assert.equal(put.status, 200);
    const rule = (await put.json()).data[0];
    try {
      const thrown = await sdkThrows(c.ep.Integrations.All());
      assert.equal(thrown.errors[0].status, 503);
      assert.equal(thrown.errors[0].title, 'Service Unavailable');
      assert.equal(thrown.errors[0].detail, `Forced by fault rule ${rule.id}`);
      assert.equal(c.log[c.log.length - 1].status, 503, fmtLog(c.log.slice(-2)));
    } finally {
      const del = await fetch(`${base}/emulator/v1/faults`, { method: 'DELETE', headers: auth });
      assert.equal(del.status, 204);
    }
    const after = await c.ep.Integrations.All();
    assert.ok(Array.isArray(after.data), 'with the rule gone the list answers again');
  });

  it('every response the SDK received: JSON, X-Moltin-Request-Id (unique), CORS origin', async () => {
    assert.ok(c.log.length > 20, `only ${c.log.length} requests recorded`);
    const bad = c.log.filter((e) => !/^application\/json(;\s*charset=utf-8)?$/i.test(e.contentType || '') ||
      !e.requestId || !e.acao);
    assert.deepEqual(bad.map((e) => `${e.method} ${e.url} -> ${e.status} ct=${e.contentType} rid=${e.requestId} acao=${e.acao}`), []);
    for (const e of c.log) JSON.parse(e.body); // every body is JSON
    const rids = c.log.map((e) => e.requestId);
    assert.equal(new Set(rids).size, rids.length, 'X-Moltin-Request-Id unique per request');
  });

  it('the server stops on SIGTERM with exit 0 and no sanitizer report', async () => {
    await stopCleanly(srv);
  });
});

// ---------------------------------------------------------------- scenario 6

describe('6. stale and expired tokens: the SDK recovers', { timeout: 40000 }, () => {
  after(killAll);

  it('6a. restart on the same port: stored tokens survive; a fresh database makes the SDK re-authenticate on 401', async () => {
    const dbA = makeDbPath();
    let srv = await startServer({ port: 0, db: dbA });
    const port = srv.port;
    const c = makeClient(port);
    const auth = await c.ep.Authenticate();
    const made = (await c.ep.Integrations.Create({ ...WEBHOOK, name: 'Survives restart' })).data;
    await stopCleanly(srv);

    // same port, same database: the token is still valid, data still there, no re-auth
    srv = await startServer({ port, db: dbA });
    assert.equal(srv.port, port);
    let mark = c.log.length;
    const again = await c.ep.Integrations.Get(made.id);
    assert.equal(again.data.id, made.id);
    assert.deepEqual(c.log.slice(mark).map((e) => [e.method, new URL(e.url).pathname, e.status]),
      [['GET', `/v2/integrations/${made.id}`, 200]], `tokens must survive a restart:\n${fmtLog(c.log.slice(mark))}`);
    await stopCleanly(srv);

    // same port, FRESH database: the SDK's token is unknown -> 401 -> re-authenticate -> retry
    srv = await startServer({ port, db: makeDbPath() });
    assert.equal(srv.port, port);
    assert.equal(c.ep.tokenInvalid(), false, 'the SDK still believes its token is good');
    mark = c.log.length;
    const list = await c.ep.Integrations.All();
    const trail = c.log.slice(mark);
    assert.deepEqual(trail.map((e) => [e.method, new URL(e.url).pathname, e.status]), [
      ['GET', '/v2/integrations', 401],
      ['POST', '/oauth/access_token', 200],
      ['GET', '/v2/integrations', 200],
    ], fmtLog(trail));
    const unauth = JSON.parse(trail[0].body);
    assert.equal(unauth.errors[0].status, 401);
    assert.equal(unauth.errors[0].title, 'Unable to validate access token');
    assert.deepEqual(list.data, [], 'a fresh database has no integrations');
    const cred = c.ep.credentials();
    assert.notEqual(cred.access_token, auth.access_token, 'the SDK stored a new token');
    assert.equal(trail[2].reqHeaders.Authorization, `Bearer ${cred.access_token}`, 'retry used the new token');
    await stopCleanly(srv);
  });

  it('6b. expired token (--token-ttl 2): proactive refresh and 401 refresh both succeed', async () => {
    const srv = await startServer({ port: 0, db: makeDbPath(), tokenTtl: 2 });
    // client A: plain SDK, notices expiry itself (credentials.expires is absolute)
    const a = makeClient(srv.port, { name: 'a' });
    // client B: same, but its stored expiry is pushed forward as if its clock lagged,
    // so it sends the expired token and must recover through the server's 401
    const b = makeClient(srv.port, { name: 'b' });
    const authA = await a.ep.Authenticate();
    const authB = await b.ep.Authenticate();
    assert.equal(authA.expires_in, 2, '--token-ttl is reported in expires_in');
    const now = Math.floor(Date.now() / 1000);
    assert.ok(authA.expires >= now + 1 && authA.expires <= now + 3,
      `expires must be absolute now+2, got ${authA.expires} (now ${now})`);
    const credB = b.ep.credentials();
    b.storage.set('b_ep_credentials', JSON.stringify({ ...credB, expires: now + 3600 }));
    assert.equal(b.ep.tokenInvalid(), false);

    // wait until the tokens are expired for both sides
    const until = Math.max(authA.expires, authB.expires) * 1000 + 1200;
    await sleep(Math.max(0, until - Date.now()));

    assert.equal(a.ep.tokenInvalid(), true, 'SDK sees its token expired');
    let mark = a.log.length;
    const ra = await a.ep.Integrations.All();
    assert.deepEqual(ra.data, []);
    const trailA = a.log.slice(mark);
    assert.deepEqual(trailA.map((e) => [e.method, new URL(e.url).pathname, e.status]), [
      ['POST', '/oauth/access_token', 200],
      ['GET', '/v2/integrations', 200],
    ], fmtLog(trailA));
    assert.notEqual(a.ep.credentials().access_token, authA.access_token, 'a new token was obtained');

    mark = b.log.length;
    const rb = await b.ep.Integrations.All();
    assert.deepEqual(rb.data, []);
    const trailB = b.log.slice(mark);
    assert.deepEqual(trailB.map((e) => [e.method, new URL(e.url).pathname, e.status]), [
      ['GET', '/v2/integrations', 401],
      ['POST', '/oauth/access_token', 200],
      ['GET', '/v2/integrations', 200],
    ], `an expired token must answer 401 (never 403):\n${fmtLog(trailB)}`);
    assert.equal(trailB[0].reqHeaders.Authorization, `Bearer ${authB.access_token}`);
    assert.equal(JSON.parse(trailB[0].body).errors[0].title, 'Unable to validate access token');
    assert.notEqual(b.ep.credentials().access_token, authB.access_token, 'a new token was obtained');

    await stopCleanly(srv);
  });
});
