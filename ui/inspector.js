// The inspector page (/emulator/ui): the store's integrations, events, deliveries and the
// emulator's controls, through the same HTTP API any client uses. No framework: the DOM is built
// with h() (never from HTML text), and every network call goes through api().
import { TRIGGERS, samplePayload } from './triggers.js';

const SESSION_KEY = 'integrationsd.inspector.session';
const SINK_NAME = 'inspector';
const INTEGRATIONS_PER_PAGE = 10;
const DELIVERIES_PER_PAGE = 10;
const JOBS_PER_PAGE = 5;
const ATTEMPTS_PER_JOB = 10;
const FOLD_AT = 400; // a body longer than this (characters) starts folded

const $ = (id) => document.getElementById(id);

// --- small DOM helpers ---------------------------------------------------------------------

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'open' || k === 'disabled' || k === 'hidden' || k === 'checked') el[k] = Boolean(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const hidden = (text) => h('span', { class: 'visually-hidden' }, text);

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });
const numberFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

function timeEl(iso) {
  if (!iso) return h('span', {}, '—');
  const d = new Date(iso);
  return h('time', { datetime: iso, title: iso }, Number.isNaN(d.getTime()) ? iso : dateFormat.format(d));
}

const shortId = (id) => (id ? id.slice(0, 8) : '');

function bytes(n) {
  if (n < 1024) return `${numberFormat.format(n)} bytes`;
  return `${numberFormat.format(n / 1024)} KB`;
}

// Pretty JSON when the text is JSON; the text as it is otherwise.
function pretty(text) {
  if (typeof text !== 'string') return { text: JSON.stringify(text, null, 2), json: true };
  try {
    return { text: JSON.stringify(JSON.parse(text), null, 2), json: true };
  } catch {
    return { text, json: false };
  }
}

// Re-renders a container, keeping which <details> were open and where the focus was.
function rerender(container, build) {
  const active = document.activeElement;
  const focusKey = container.contains(active) && active.dataset ? active.dataset.focus : null;
  const open = new Set([...container.querySelectorAll('details[data-key]')].filter((d) => d.open).map((d) => d.dataset.key));
  container.replaceChildren(...build(open).filter(Boolean));
  if (focusKey) {
    const el = container.querySelector(`[data-focus="${CSS.escape(focusKey)}"]`);
    if (el && !el.disabled) el.focus({ preventScroll: true });
    else focusHeading(container.closest('section'));
  }
}

function focusHeading(section) {
  const hd = section && section.querySelector('h2');
  if (!hd) return;
  hd.setAttribute('tabindex', '-1');
  hd.focus();
}

// A <details> whose open state survives re-renders (key: what it shows).
function fold(key, open, summary, ...content) {
  return h('details', { 'data-key': key, open: open.has(key) }, h('summary', {}, summary), ...content);
}

// --- status messages -----------------------------------------------------------------------

let statusTimer = 0;
function announce(message, kind = 'info') {
  const el = $('status');
  clearTimeout(statusTimer);
  el.className = `status show ${kind}`;
  el.textContent = '';
  // a change the screen reader notices even when the same text comes twice
  requestAnimationFrame(() => {
    el.textContent = message;
  });
  statusTimer = setTimeout(() => {
    el.className = 'status';
    el.textContent = '';
  }, kind === 'error' ? 12000 : 6000);
}

// --- the API -------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, errors) {
    super(errors.map((e) => errorText(e)).join(' '));
    this.status = status;
    this.errors = errors;
  }
}
class SignedOut extends Error {}

function errorText(e) {
  const generic = !e.title || /^(Bad Request|Not Found|Service Unavailable|Internal Server Error)$/.test(e.title);
  return generic && e.detail ? e.detail : e.title || e.detail || 'Error';
}

let session = null;

async function api(path, { method = 'GET', body, signal } = {}) {
  if (!session) throw new SignedOut();
  const headers = { Authorization: `Bearer ${session.token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  if (res.status === 401) {
    signOut('The server refused your token (401): it has expired or is not valid any more. Sign in again to go on.');
    throw new SignedOut();
  }
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const errors = json && Array.isArray(json.errors) ? json.errors : [{ title: `${res.status} ${res.statusText}` }];
    throw new ApiError(res.status, errors);
  }
  return json;
}

// What a failed call says to the person (SignedOut says nothing: the sign-in form does).
function failed(what, e) {
  if (e instanceof SignedOut || (e && e.name === 'AbortError')) return;
  announce(`${what}: ${e instanceof ApiError ? `${e.status}, ${e.message}` : e.message}`, 'error');
}

// --- sign in / sign out --------------------------------------------------------------------

let expiryTimer = 0;

function saveSession(s) {
  session = s;
  if (s) sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
  else sessionStorage.removeItem(SESSION_KEY);
}

function loadSession() {
  try {
    const s = JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
    return s && typeof s.token === 'string' ? s : null;
  } catch {
    return null;
  }
}

function showSignIn(message) {
  $('app').hidden = true;
  $('who').hidden = true;
  $('sections').hidden = true;
  $('signin').hidden = false;
  const m = $('signin-message');
  m.hidden = !message;
  m.textContent = message || '';
  $('client-secret').value = '';
  const id = $('client-id');
  if (!id.value && session) id.value = session.client_id;
  id.focus();
}

function signOut(message) {
  clearTimeout(expiryTimer);
  stopPolling();
  for (const d of document.querySelectorAll('dialog[open]')) d.close();
  saveSession(null);
  showSignIn(message);
}

async function signIn(event) {
  event.preventDefault();
  const clientId = $('client-id').value.trim();
  const secret = $('client-secret').value;
  clearFieldError('client-id');
  clearFieldError('client-secret');
  $('signin-error').hidden = true;
  let bad = false;
  if (!clientId) bad = setFieldError('client-id', 'Enter a client id.');
  if (!secret) bad = setFieldError('client-secret', 'Enter a client secret.');
  if (bad) {
    (clientId ? $('client-secret') : $('client-id')).focus();
    return;
  }
  let res;
  let doc = null;
  try {
    res = await fetch('/oauth/access_token', {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }),
    });
    doc = await res.json().catch(() => null);
  } catch (e) {
    showSignInError(`The server did not answer: ${e.message}`);
    return;
  }
  if (!res.ok || !doc || !doc.access_token) {
    const errors = doc && doc.errors ? doc.errors.map(errorText).join(' ') : `${res.status} ${res.statusText}`;
    showSignInError(res.status === 401 ? `This client id and secret were refused: ${errors}` : errors);
    return;
  }
  saveSession({ token: doc.access_token, expires: doc.expires, client_id: clientId });
  start();
  announce(`Signed in as ${clientId}.`);
}

function showSignInError(text) {
  const el = $('signin-error');
  el.textContent = text;
  el.hidden = false;
  $('client-id').focus();
}

function start() {
  $('signin').hidden = true;
  $('app').hidden = false;
  $('who').hidden = false;
  $('sections').hidden = false;
  $('who-client').textContent = session.client_id;
  clearTimeout(expiryTimer);
  if (session.expires) {
    const ms = session.expires * 1000 - Date.now();
    const at = timeFormat.format(new Date(session.expires * 1000));
    if (ms <= 0) {
      signOut(`Your token expired at ${at}. Sign in again to go on.`);
      return;
    }
    expiryTimer = setTimeout(() => signOut(`Your token expired at ${at}. Sign in again to go on.`), Math.min(ms, 2 ** 31 - 1));
  }
  state.int.offset = 0;
  state.del = { offset: 0, integrationId: null };
  state.lastSig = null;
  $('fire-result').hidden = true;
  fillTriggers();
  $('main').focus({ preventScroll: true });
  refreshAll().then(startPolling);
}

// --- field errors --------------------------------------------------------------------------

function setFieldError(id, message, append = false) {
  const err = $(`${id}-error`);
  if (!err) return false;
  err.textContent = append && err.textContent ? `${err.textContent} ${message}` : message;
  err.hidden = false;
  const control = $(id);
  if (control && control.tagName !== 'FIELDSET') control.setAttribute('aria-invalid', 'true');
  return true;
}

function clearFieldError(id) {
  const err = $(`${id}-error`);
  if (err) {
    err.textContent = '';
    err.hidden = true;
  }
  const control = $(id);
  if (control) control.removeAttribute('aria-invalid');
}

// --- state ---------------------------------------------------------------------------------

const state = {
  int: { offset: 0, total: 0, items: [], last: [], sig: '' },
  del: { offset: 0, integrationId: null },
  delSig: '',
  names: new Map(), // integration id -> name, from the pages seen
  lastSig: null, // the newest delivery record and the count, as last polled
  lastTotal: -1,
};

async function refreshAll() {
  await Promise.all([loadIntegrations(), loadDeliveries(), loadFaults()]);
}

// --- integrations --------------------------------------------------------------------------

let intSeq = 0;

// The reads under way: a reset or a delete waits for them, so that none of them asks after
// what is about to go (a 404 the person would not understand).
const loading = new Set();
function tracked(fn) {
  return (...args) => {
    const p = fn(...args);
    loading.add(p);
    p.finally(() => loading.delete(p));
    return p;
  };
}

async function quiesce() {
  stopPolling();
  while (loading.size) await Promise.allSettled([...loading]);
}

const loadIntegrations = tracked(async function loadIntegrationsNow() {
  const seq = ++intSeq;
  const { offset } = state.int;
  let doc;
  try {
    doc = await api(`/v2/integrations?page[limit]=${INTEGRATIONS_PER_PAGE}&page[offset]=${offset}`);
  } catch (e) {
    if (seq !== intSeq || e instanceof SignedOut) return;
    rerender($('integrations-list'), () => [
      h('div', { class: 'load-error', role: 'alert' },
        h('p', {}, `The integrations could not be read: ${e.status || ''} ${e.message}`),
        h('button', { type: 'button', onclick: () => loadIntegrations(), 'data-focus': 'retry-integrations' }, 'Try again')),
    ]);
    return;
  }
  if (seq !== intSeq) return;
  const total = doc.meta.results.total;
  if (doc.data.length === 0 && offset > 0 && total > 0) {
    state.int.offset = Math.floor((total - 1) / INTEGRATIONS_PER_PAGE) * INTEGRATIONS_PER_PAGE;
    return loadIntegrationsNow();
  }
  for (const it of doc.data) state.names.set(it.id, it.name);
  const last = await Promise.all(doc.data.map((it) =>
    api(`/v2/integrations/${it.id}/logs?page[limit]=1`).then((d) => d.data[0] || null, () => undefined)));
  if (seq !== intSeq) return;
  state.int.total = total;
  state.int.items = doc.data;
  state.int.last = last;
  renderIntegrations();
  fillTriggers();
});

function renderIntegrations() {
  const { items, last, total, offset } = state.int;
  const sig = JSON.stringify([items, last, total, offset]);
  $('empty').hidden = total !== 0;
  if (sig === state.int.sig) return;
  state.int.sig = sig;
  rerender($('integrations-list'), () => (items.length === 0 ? [] : [integrationsTable(items, last)]));
  renderPager($('integrations-pager'), { offset, limit: INTEGRATIONS_PER_PAGE, total, noun: 'integrations' }, (o) => {
    state.int.offset = o;
    loadIntegrations();
  });
}

const TYPE_NAMES = { webhook: 'Webhook', aws_sqs: 'AWS SQS', stomp: 'STOMP' };

function lastDelivery(log) {
  if (log === undefined) return h('span', { class: 'muted' }, 'could not be read');
  if (!log) return h('span', { class: 'muted' }, 'none yet');
  const code = log.status_code === null || log.status_code === undefined ? 'no answer' : `HTTP ${log.status_code}`;
  return h('span', { class: 'last' },
    h('span', { class: `badge ${log.succeeded ? 'ok' : 'fail'}` }, log.succeeded ? 'Delivered' : 'Failed'),
    ' ', code, ', attempt ', String(log.attempt), h('br'), timeEl(log.meta && log.meta.timestamps.created_at),
    log.succeeded || !log.error_detail ? null : h('span', { class: 'detail' }, log.error_detail));
}

function integrationsTable(items, last) {
  const pages = Math.max(1, Math.ceil(state.int.total / INTEGRATIONS_PER_PAGE));
  const page = Math.floor(state.int.offset / INTEGRATIONS_PER_PAGE) + 1;
  return h('table', { class: 'integrations' },
    h('caption', { class: 'visually-hidden' }, `The store's integrations, page ${page} of ${pages}`),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Enabled'),
      h('th', { scope: 'col' }, 'Observes'), h('th', { scope: 'col' }, 'Last delivery'),
      h('th', { scope: 'col' }, 'Actions'))),
    h('tbody', {}, items.map((it, i) => h('tr', { 'data-id': it.id },
      h('td', { 'data-label': 'Type' }, TYPE_NAMES[it.integration_type] || it.integration_type),
      h('th', { scope: 'row', 'data-label': 'Name', class: 'name' }, it.name,
        it.description ? h('span', { class: 'description' }, it.description) : null),
      h('td', { 'data-label': 'Enabled' },
        h('span', { class: `badge ${it.enabled ? 'on' : 'off'}` }, it.enabled ? 'Enabled' : 'Disabled')),
      h('td', { 'data-label': 'Observes' }, h('ul', { class: 'chips' }, it.observes.map((o) => h('li', {}, o)))),
      h('td', { 'data-label': 'Last delivery' }, lastDelivery(last[i])),
      h('td', { 'data-label': 'Actions' }, h('div', { class: 'row-actions' },
        h('button', { type: 'button', 'data-focus': `deliveries:${it.id}`, onclick: () => showDeliveriesOf(it) },
          'Deliveries', hidden(` of ${it.name}`)),
        h('button', { type: 'button', 'data-focus': `edit:${it.id}`, onclick: (e) => openIntegration(it, e.currentTarget) },
          'Edit', hidden(` ${it.name}`)),
        h('button', { type: 'button', 'data-focus': `toggle:${it.id}`, onclick: () => toggleEnabled(it) },
          it.enabled ? 'Disable' : 'Enable', hidden(` ${it.name}`)),
        h('button', { type: 'button', class: 'danger', 'data-focus': `delete:${it.id}`, onclick: (e) => deleteIntegration(it, e.currentTarget) },
          'Delete', hidden(` ${it.name}`))))))));
}

async function toggleEnabled(it) {
  try {
    await api(`/v2/integrations/${it.id}`, { method: 'PUT', body: { data: { type: 'integration', enabled: !it.enabled } } });
    announce(`${it.name} is now ${it.enabled ? 'disabled' : 'enabled'}.`);
    await loadIntegrations();
  } catch (e) {
    failed(`${it.name} could not be changed`, e);
  }
}

async function deleteIntegration(it, opener) {
  const yes = await confirmAction(`Delete ${it.name}?`,
    'The integration, its jobs and its logs are deleted, and its pending retries stop. This cannot be undone.',
    'Delete integration', opener);
  if (!yes) return;
  await quiesce();
  try {
    await api(`/v2/integrations/${it.id}`, { method: 'DELETE' });
    announce(`${it.name} was deleted.`);
    if (state.del.integrationId === it.id) state.del = { offset: 0, integrationId: null };
    await Promise.all([loadIntegrations(), loadDeliveries()]);
    focusHeading($('integrations'));
  } catch (e) {
    failed(`${it.name} could not be deleted`, e);
  }
  startPolling();
}

// --- pager ---------------------------------------------------------------------------------

function renderPager(nav, { offset, limit, total, noun }, go) {
  const pages = Math.ceil(total / limit);
  nav.hidden = pages <= 1;
  if (pages <= 1) {
    nav.replaceChildren();
    return;
  }
  const page = Math.floor(offset / limit) + 1;
  const key = nav.id;
  rerender(nav, () => [
    h('button', { type: 'button', 'data-focus': `${key}:first`, disabled: page === 1, onclick: () => go(0) }, 'First'),
    h('button', { type: 'button', 'data-focus': `${key}:prev`, disabled: page === 1, onclick: () => go(offset - limit) }, 'Previous'),
    h('span', { class: 'page-of' }, `Page ${page} of ${pages} (${total} ${noun})`),
    h('button', { type: 'button', 'data-focus': `${key}:next`, disabled: page === pages, onclick: () => go(offset + limit) }, 'Next'),
    h('button', { type: 'button', 'data-focus': `${key}:last`, disabled: page === pages, onclick: () => go((pages - 1) * limit) }, 'Last'),
  ]);
}

// --- the integration form ------------------------------------------------------------------

const form = {
  editing: null, // the integration being edited, or null for a new one
  observes: [], // in the order picked
  custom: [], // triggers outside the catalogue, added by hand
  opener: null,
};

function currentType() {
  return document.querySelector('input[name="integration_type"]:checked').value;
}

function showType(type) {
  for (const fs of document.querySelectorAll('fieldset.config')) fs.hidden = fs.dataset.type !== type;
}

function sinkUrl() {
  return `${location.origin}/emulator/v1/sink/${SINK_NAME}`;
}

function clearFormErrors() {
  const f = $('integration-form');
  for (const el of f.querySelectorAll('.field-error')) {
    el.textContent = '';
    el.hidden = true;
  }
  for (const el of f.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  const s = $('form-summary');
  s.hidden = true;
  s.replaceChildren();
}

async function openIntegration(it, opener) {
  const dlg = $('integration-dialog');
  const f = $('integration-form');
  f.reset();
  clearFormErrors();
  form.editing = it;
  form.opener = opener;
  form.observes = it ? [...it.observes] : [];
  form.custom = form.observes.filter((o) => !TRIGGERS.includes(o));
  $('integration-dialog-h').textContent = it ? `Edit ${it.name}` : 'New integration';
  $('integration-save').textContent = it ? 'Save changes' : 'Create integration';
  const type = it ? it.integration_type : 'webhook';
  for (const r of document.querySelectorAll('input[name="integration_type"]')) r.checked = r.value === type;
  showType(type);
  $('f-name').value = it ? it.name : '';
  $('f-description').value = it && it.description ? it.description : '';
  $('f-enabled').checked = it ? it.enabled : true;
  $('f-observes-filter').value = '';
  $('f-observes-custom').value = '';
  for (const input of document.querySelectorAll('fieldset.config [data-key]')) input.value = '';
  if (it) {
    // The API masks secrets and an update replaces the configuration as a whole: the real values
    // come from the store's state document.
    let cfg = it.configuration;
    try {
      const st = await api('/emulator/v1/state');
      const real = st.stores[0].integrations.find((x) => x.id === it.id);
      if (real) cfg = real.configuration;
    } catch (e) {
      if (e instanceof SignedOut) return;
    }
    for (const input of document.querySelectorAll(`fieldset.config[data-type="${type}"] [data-key]`)) {
      const v = cfg[input.dataset.key];
      input.value = Array.isArray(v) ? v.join('\n') : v === undefined || v === null ? '' : String(v);
    }
  }
  renderObserves();
  dlg.showModal();
  $('f-name').focus();
}

function closeIntegration() {
  $('integration-dialog').close();
}

function renderObserves() {
  const list = $('f-observes-list');
  const filter = $('f-observes-filter').value.trim().toLowerCase();
  const all = [...form.custom, ...TRIGGERS];
  const full = form.observes.length >= 5;
  const active = document.activeElement;
  const focusValue = list.contains(active) ? active.value : null;
  list.replaceChildren(...all.map((t, i) => {
    const checked = form.observes.includes(t);
    return h('label', { hidden: Boolean(filter) && !t.includes(filter) && !checked },
      h('input', {
        type: 'checkbox', value: t, id: `f-observe-${i}`, checked, disabled: full && !checked,
        onchange: (e) => {
          if (e.target.checked) { if (!form.observes.includes(t)) form.observes.push(t); }
          else form.observes = form.observes.filter((x) => x !== t);
          renderObserves();
        },
      }), ` ${t}`);
  }));
  if (focusValue) {
    const el = list.querySelector(`input[value="${CSS.escape(focusValue)}"]`);
    if (el) el.focus();
  }
  $('f-observes-count').textContent = form.observes.length === 0
    ? 'None picked yet.'
    : `${form.observes.length} of 5 picked: ${form.observes.join(', ')}.${full ? ' Untick one to pick another.' : ''}`;
}

function addCustomObserve() {
  const input = $('f-observes-custom');
  const t = input.value.trim();
  if (!t) {
    input.focus();
    return;
  }
  if (!TRIGGERS.includes(t) && !form.custom.includes(t)) form.custom.unshift(t);
  if (!form.observes.includes(t)) form.observes.push(t);
  input.value = '';
  renderObserves();
  announce(`${t} added to the events observed.`);
}

// The field a 400's source names, by its id; null when the form has none.
function fieldOfSource(source, type) {
  if (!source) return null;
  if (source === 'data.name') return 'f-name';
  if (source === 'data.description') return 'f-description';
  if (source === 'data.enabled') return 'f-enabled';
  if (source === 'data.integration_type') return 'f-type';
  if (source === 'data.observes' || /^data\.observes\[\d+\]$/.test(source)) return 'f-observes';
  const m = /^data\.configuration\.([a-z_]+)(\[\d+\])?$/.exec(source);
  if (m && $(`f-${type}-${m[1]}`)) return `f-${type}-${m[1]}`;
  return null;
}

function fieldLabel(id) {
  if (id === 'f-type') return 'Type';
  if (id === 'f-observes') return 'Observes';
  const label = document.querySelector(`label[for="${id}"]`);
  if (label) return label.firstChild.textContent.trim();
  return $(id).closest('label') ? $(id).closest('label').textContent.trim() : id;
}

function showFormErrors(errors, type) {
  clearFormErrors();
  const items = [];
  for (const e of errors) {
    const id = fieldOfSource(e.source, type);
    const text = errorText(e);
    const errId = id === 'f-type' ? 'f-type' : id === 'f-observes' ? 'f-observes' : id;
    if (id && setFieldError(errId, text, true)) {
      const target = id === 'f-type' ? document.querySelector('input[name="integration_type"]:checked')
        : id === 'f-observes' ? $('f-observes-filter') : $(id);
      items.push(h('li', {}, h('a', {
        href: `#${target.id}`,
        onclick: (ev) => { ev.preventDefault(); target.focus(); },
      }, `${fieldLabel(id)}: ${text}`)));
    } else {
      items.push(h('li', {}, e.source ? `${e.source}: ${text}` : text));
    }
  }
  const s = $('form-summary');
  s.replaceChildren(
    h('h3', {}, errors.length === 1 ? 'The server did not accept this: 1 problem' : `The server did not accept this: ${errors.length} problems`),
    h('ul', {}, items));
  s.hidden = false;
  s.focus();
}

async function saveIntegration(event) {
  event.preventDefault();
  const type = currentType();
  const it = form.editing;
  const configuration = {};
  for (const input of document.querySelectorAll(`fieldset.config[data-type="${type}"] [data-key]`)) {
    const key = input.dataset.key;
    if (key === 'addresses') {
      const list = input.value.split('\n').map((s) => s.trim()).filter(Boolean);
      if (list.length) configuration[key] = list;
    } else if (input.value.trim() !== '') {
      configuration[key] = input.value.trim();
    }
  }
  const data = {
    type: 'integration',
    integration_type: type,
    name: $('f-name').value.trim(),
    enabled: $('f-enabled').checked,
    configuration,
    observes: form.observes,
  };
  const description = $('f-description').value.trim();
  if (description) data.description = description;
  else if (it && it.description) data.description = null;
  const save = $('integration-save');
  save.disabled = true;
  try {
    const doc = it
      ? await api(`/v2/integrations/${it.id}`, { method: 'PUT', body: { data } })
      : await api('/v2/integrations', { method: 'POST', body: { data } });
    closeIntegration();
    announce(it ? `${doc.data.name} was saved.` : `${doc.data.name} was created. Fire an event it observes to see a delivery.`);
    if (!it) state.int.offset = 0;
    await loadIntegrations();
    const row = document.querySelector(`tr[data-id="${doc.data.id}"] [data-focus^="edit:"]`);
    if (row) row.focus();
  } catch (e) {
    if (e instanceof ApiError && e.status === 400) showFormErrors(e.errors, type);
    else if (e instanceof ApiError) showFormErrors(e.errors.map((x) => ({ ...x, source: null })), type);
    else failed('The integration could not be saved', e);
  } finally {
    save.disabled = false;
  }
}

// --- confirmation --------------------------------------------------------------------------

function confirmAction(title, text, yesLabel, opener) {
  const dlg = $('confirm-dialog');
  $('confirm-h').textContent = title;
  $('confirm-text').textContent = text;
  $('confirm-yes').textContent = yesLabel;
  return new Promise((resolve) => {
    let answer = false;
    const f = $('confirm-form');
    const onSubmit = (e) => {
      e.preventDefault();
      answer = true;
      dlg.close();
    };
    const onClose = () => {
      f.removeEventListener('submit', onSubmit);
      dlg.removeEventListener('close', onClose);
      if (opener && document.contains(opener) && !answer) opener.focus();
      resolve(answer);
    };
    f.addEventListener('submit', onSubmit);
    dlg.addEventListener('close', onClose);
    dlg.showModal();
    $('confirm-no').focus();
  });
}

// --- fire an event -------------------------------------------------------------------------

function fillTriggers() {
  const select = $('fire-trigger');
  const current = select.value || 'order.fulfilled';
  const custom = new Set();
  for (const it of state.int.items) for (const o of it.observes) if (!TRIGGERS.includes(o)) custom.add(o);
  const want = [...custom, ...TRIGGERS].join('\n');
  if (select.dataset.options === want) return;
  select.dataset.options = want;
  const groups = [];
  if (custom.size) groups.push(h('optgroup', { label: 'Custom flows' }, [...custom].map((t) => h('option', { value: t }, t))));
  groups.push(h('optgroup', { label: 'Orders' }, TRIGGERS.filter((t) => t.startsWith('order.')).map((t) => h('option', { value: t }, t))));
  groups.push(h('optgroup', { label: 'Everything else' }, TRIGGERS.filter((t) => !t.startsWith('order.')).map((t) => h('option', { value: t }, t))));
  select.replaceChildren(...groups);
  select.value = [...custom, ...TRIGGERS].includes(current) ? current : 'order.fulfilled';
}

async function fireEvent(event) {
  event.preventDefault();
  clearFieldError('fire-payload');
  clearFieldError('fire-trigger');
  $('fire-error').hidden = true;
  const trigger = $('fire-trigger').value;
  const text = $('fire-payload').value.trim();
  const data = { type: 'event', trigger };
  if (text) {
    try {
      data.payload = JSON.parse(text);
    } catch (e) {
      setFieldError('fire-payload', `This is not JSON: ${e.message}`);
      $('fire-payload').focus();
      return;
    }
  }
  let doc;
  try {
    doc = await api('/emulator/v1/events', { method: 'POST', body: { data } });
  } catch (e) {
    if (e instanceof ApiError && e.status === 400) {
      const other = [];
      for (const x of e.errors) {
        if (x.source === 'data.payload' || (x.source || '').startsWith('data.payload')) setFieldError('fire-payload', errorText(x), true);
        else if (x.source === 'data.trigger') setFieldError('fire-trigger', errorText(x), true);
        else other.push(errorText(x));
      }
      if (other.length) {
        $('fire-error').textContent = other.join(' ');
        $('fire-error').hidden = false;
      }
      announce('The event was not accepted: see the form.', 'error');
      return;
    }
    failed('The event could not be fired', e);
    return;
  }
  const jobs = doc.data.jobs || [];
  const result = $('fire-result');
  const now = new Date().toISOString();
  result.replaceChildren(
    h('h3', {}, `${trigger} fired`, ' ', h('span', { class: 'muted' }, '(', timeEl(now), ')')),
    jobs.length === 0
      ? h('p', {}, `No enabled integration observes ${trigger}, so no job was made. Create or enable one that observes it, then fire again.`)
      : h('div', {},
        h('p', {}, jobs.length === 1 ? 'It made 1 job:' : `It made ${jobs.length} jobs:`),
        h('ul', { class: 'jobs' }, jobs.map((j) => h('li', {},
          `Job `, h('code', {}, shortId(j.id)), ` for `, h('strong', {}, state.names.get(j.integration_id) || shortId(j.integration_id)), ' ',
          h('button', { type: 'button', class: 'link', onclick: () => showDeliveriesOf({ id: j.integration_id, name: state.names.get(j.integration_id) }) },
            'See its deliveries')))),
        h('p', { class: 'hint' }, 'Its attempts appear under Deliveries as soon as they are made.')));
  result.hidden = false;
  announce(jobs.length === 0 ? `${trigger} fired: no integration observes it.` : `${trigger} fired: ${jobs.length} job${jobs.length === 1 ? '' : 's'} made.`);
  // each job's first attempt: wait for it on the journal, then show it
  for (const j of jobs) {
    api(`/emulator/v1/deliveries?job_id=${j.id}&page[limit]=1&wait=10`).then(() => refreshLive(), () => {});
  }
  speedUp();
}

// --- deliveries ----------------------------------------------------------------------------

let delSeq = 0;

function showDeliveriesOf(it) {
  state.del = { offset: 0, integrationId: it.id };
  if (it.name) state.names.set(it.id, it.name);
  loadDeliveries().then(() => {
    const sec = $('deliveries');
    sec.scrollIntoView({ block: 'start' });
    focusHeading(sec);
  });
}

function renderScope() {
  const scope = $('deliveries-scope');
  const id = state.del.integrationId;
  if (!id) {
    scope.replaceChildren('Every attempt of the store, newest first. Pick an integration\'s ', h('strong', {}, 'Deliveries'), ' button to see its jobs.');
    return;
  }
  scope.replaceChildren('Jobs of ', h('strong', {}, state.names.get(id) || shortId(id)), ', newest first. ',
    h('button', { type: 'button', class: 'link', onclick: () => { state.del = { offset: 0, integrationId: null }; loadDeliveries(); } },
      'Show every integration'));
}

const loadDeliveries = tracked(async function loadDeliveriesNow() {
  const seq = ++delSeq;
  const { offset, integrationId } = state.del;
  renderScope();
  try {
    if (!integrationId) {
      const doc = await api(`/emulator/v1/deliveries?page[limit]=${DELIVERIES_PER_PAGE}&page[offset]=${offset}`);
      if (seq !== delSeq) return;
      const total = doc.meta.results.total;
      if (doc.data.length === 0 && offset > 0 && total > 0) {
        state.del.offset = 0;
        return loadDeliveriesNow();
      }
      renderDeliveries({ mode: 'all', records: doc.data, total });
    } else {
      const doc = await api(`/v2/integrations/${integrationId}/jobs?page[limit]=${JOBS_PER_PAGE}&page[offset]=${offset}`);
      const attempts = await Promise.all(doc.data.map((j) =>
        api(`/emulator/v1/deliveries?job_id=${j.id}&page[limit]=${ATTEMPTS_PER_JOB}`)));
      if (seq !== delSeq) return;
      renderDeliveries({ mode: 'jobs', jobs: doc.data.map((j, i) => ({ job: j, attempts: attempts[i].data, total: attempts[i].meta.results.total })), total: doc.meta.results.total });
    }
  } catch (e) {
    if (seq !== delSeq || e instanceof SignedOut) return;
    if (e instanceof ApiError && e.status === 404 && integrationId) {
      state.del = { offset: 0, integrationId: null };
      return loadDeliveriesNow();
    }
    state.delSig = '';
    rerender($('deliveries-list'), () => [
      h('div', { class: 'load-error', role: 'alert' },
        h('p', {}, `The deliveries could not be read: ${e.status || ''} ${e.message}`),
        h('button', { type: 'button', onclick: () => loadDeliveries(), 'data-focus': 'retry-deliveries' }, 'Try again')),
    ]);
  }
});

function renderDeliveries(view) {
  const sig = JSON.stringify([view, state.del]);
  if (sig === state.delSig) return;
  state.delSig = sig;
  const list = $('deliveries-list');
  rerender(list, (open) => {
    if (view.total === 0) {
      return [h('p', { class: 'empty-list' }, view.mode === 'all'
        ? 'No delivery yet. Fire an event that an enabled integration observes: its attempts appear here.'
        : 'This integration has no job yet. Fire an event it observes.')];
    }
    if (view.mode === 'all') return view.records.map((d) => attempt(d, open, 3));
    return view.jobs.map(({ job, attempts, total }) => jobCard(job, attempts, total, open));
  });
  const limit = view.mode === 'all' ? DELIVERIES_PER_PAGE : JOBS_PER_PAGE;
  renderPager($('deliveries-pager'), { offset: state.del.offset, limit, total: view.total, noun: view.mode === 'all' ? 'attempts' : 'jobs' }, (o) => {
    state.del.offset = o;
    loadDeliveries();
  });
}

function jobCard(job, attempts, total, open) {
  const trigger = attempts[0] ? attempts[0].trigger : null;
  return h('section', { class: 'job', 'aria-label': `Job ${shortId(job.id)}` },
    h('div', { class: 'job-head' },
      h('h3', {}, 'Job ', h('code', {}, shortId(job.id)), trigger ? ` · ${trigger}` : ''),
      h('span', { class: 'muted' }, total === 1 ? '1 attempt' : `${total} attempts`),
      resendButton(job.id, `job:${job.id}`)),
    attempts.length === 0 ? h('p', { class: 'muted' }, 'Waiting for its first attempt…') : null,
    attempts.map((d) => attempt(d, open, 4, false)),
    total > attempts.length ? h('p', { class: 'muted' }, `The newest ${attempts.length} of ${total} attempts are shown.`) : null);
}

function resendButton(jobId, key) {
  return h('button', { type: 'button', 'data-focus': `resend:${key}`, onclick: (e) => resend(jobId, e.currentTarget) },
    'Resend job', hidden(` ${shortId(jobId)}`));
}

function headersList(headers) {
  const entries = Object.entries(headers || {});
  return h('dl', { class: 'headers' }, entries.map(([k, v]) => [h('dt', {}, k), h('dd', {}, String(v))]));
}

function bodyBlock(key, open, label, body, truncated) {
  if (body === undefined || body === null || body === '') return h('p', { class: 'muted' }, `${label}: empty`);
  const { text, json } = pretty(body);
  const size = new TextEncoder().encode(typeof body === 'string' ? body : text).length;
  const note = `${label} (${bytes(size)}${json ? ', JSON' : ''}${truncated ? ', cut at 64 KiB' : ''})`;
  const pre = h('pre', { class: 'body', tabindex: '0' }, text);
  if (text.length <= FOLD_AT) return h('div', { class: 'body-wrap' }, h('p', { class: 'body-label' }, note), pre);
  return fold(key, open, note, pre);
}

function attempt(d, open, level, showJob = true) {
  const req = d.request || {};
  const res = d.response;
  const answer = !res ? 'no answer' : res.status !== null && res.status !== undefined ? String(res.status)
    : (res.headers && res.headers.command) || 'answered';
  const ts = (d.meta && d.meta.timestamps) || {};
  const heading = h(`h${level}`, { class: 'attempt-title' },
    h('span', { class: `badge ${d.succeeded ? 'ok' : 'fail'}` }, d.succeeded ? 'Delivered' : 'Failed'),
    ' ', d.trigger, h('span', { class: 'muted' }, ` · attempt ${d.attempt}`));
  return h('article', { class: `attempt ${d.succeeded ? 'ok' : 'fail'}`, 'data-id': d.id },
    h('div', { class: 'attempt-head' }, heading,
      h('p', { class: 'attempt-meta' },
        timeEl(ts.started_at), ' · ', `${numberFormat.format(d.duration_ms)} ms`, ' · ', TYPE_NAMES[d.transport] || d.transport,
        ' to ', h('strong', {}, state.names.get(d.integration_id) || shortId(d.integration_id)),
        showJob ? [' · job ', h('code', {}, shortId(d.job_id))] : null),
      showJob ? resendButton(d.job_id, d.id) : null),
    d.error_detail ? h('p', { class: 'error-detail' }, d.error_detail) : null,
    h('div', { class: 'exchange' },
      h('div', { class: 'wire request' },
        h(`h${level + 1}`, {}, 'Request'),
        h('p', { class: 'line' }, h('strong', {}, req.method || ''), ' ', h('span', { class: 'url' }, req.url || '')),
        fold(`${d.id}:req-headers`, open, `Headers (${Object.keys(req.headers || {}).length})`, headersList(req.headers)),
        bodyBlock(`${d.id}:req-body`, open, 'Body', req.body, req.truncated)),
      h('div', { class: 'wire response' },
        h(`h${level + 1}`, {}, 'Answer'),
        h('p', { class: 'line' }, h('strong', { class: `code ${d.succeeded ? 'ok' : 'fail'}` }, answer),
          ts.finished_at ? [' at ', timeEl(ts.finished_at)] : null),
        res ? fold(`${d.id}:res-headers`, open, `Headers (${Object.keys(res.headers || {}).length})`, headersList(res.headers)) : null,
        res ? bodyBlock(`${d.id}:res-body`, open, 'Body', res.body, res.truncated) : null)));
}

async function resend(jobId, button) {
  button.disabled = true;
  try {
    const doc = await api(`/emulator/v1/jobs/${jobId}/resend`, { method: 'POST' });
    announce(`Job ${shortId(jobId)} sent again: attempt ${doc.data.attempt}.`);
    speedUp();
  } catch (e) {
    failed(`Job ${shortId(jobId)} could not be sent again`, e);
  } finally {
    button.disabled = false;
  }
}

async function flush() {
  try {
    const doc = await api('/emulator/v1/jobs/flush', { method: 'POST' });
    const n = doc.data.jobs;
    announce(n === 0 ? 'No job was waiting for a retry.' : `${n} pending job${n === 1 ? ' is' : 's are'} due now.`);
    speedUp();
  } catch (e) {
    failed('The pending jobs could not be flushed', e);
  }
}

// --- live updates: the wire journal, polled while the page is visible ----------------------

let poll = null; // { ctl: AbortController, wake: () => void }
let fastUntil = 0;

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      if (poll) poll.wake = null;
      resolve();
    }
    signal.addEventListener('abort', done);
    if (poll) poll.wake = done;
  });
}

function speedUp() {
  fastUntil = Date.now() + 8000;
  if (poll && poll.wake) poll.wake();
}

function startPolling() {
  stopPolling();
  if (!session || document.hidden) return;
  const ctl = new AbortController();
  poll = { ctl, wake: null };
  pollLoop(ctl.signal);
}

function stopPolling() {
  if (poll) {
    poll.ctl.abort();
    poll = null;
  }
}

async function pollLoop(signal) {
  while (!signal.aborted) {
    // while the journal is empty the server holds the answer until the first record comes;
    // after that the newest record and the count tell whether anything changed
    const waitS = state.lastTotal === 0 ? 25 : 0;
    let doc;
    try {
      doc = await api(`/emulator/v1/deliveries?page[limit]=1${waitS ? `&wait=${waitS}` : ''}`, { signal });
    } catch (e) {
      if (signal.aborted || e instanceof SignedOut) return;
      await sleep(5000, signal);
      continue;
    }
    if (signal.aborted) return;
    const total = doc.meta.results.total;
    const sig = `${total}:${doc.data[0] ? doc.data[0].id : ''}`;
    state.lastTotal = total;
    if (sig !== state.lastSig) {
      const first = state.lastSig === null;
      state.lastSig = sig;
      if (!first) await refreshLive();
    }
    if (total > 0) await sleep(Date.now() < fastUntil ? 250 : 2000, signal);
  }
}

let liveBusy = null;
function refreshLive() {
  if (!liveBusy) {
    liveBusy = Promise.all([loadIntegrations(), loadDeliveries()]).finally(() => {
      liveBusy = null;
    });
  }
  return liveBusy;
}

document.addEventListener('visibilitychange', () => {
  if (document.hidden) stopPolling();
  else if (session) {
    refreshLive();
    startPolling();
  }
});

// --- fault rules ---------------------------------------------------------------------------

function rulesText(rules) {
  return JSON.stringify(rules.map(({ id, ...r }) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null))), null, 2);
}

async function loadFaults() {
  try {
    const doc = await api('/emulator/v1/faults');
    $('faults-text').value = rulesText(doc.data);
  } catch (e) {
    failed('The fault rules could not be read', e);
  }
}

function showFaultErrors(messages) {
  const el = $('faults-error');
  el.replaceChildren(h('ul', {}, messages.map((m) => h('li', {}, m))));
  el.hidden = false;
  $('faults-text').setAttribute('aria-invalid', 'true');
}

function faultSource(source) {
  const m = /^data\[(\d+)\]\.?(.*)$/.exec(source || '');
  if (m) return `Rule ${Number(m[1]) + 1}${m[2] ? `, ${m[2]}` : ''}`;
  return source || 'Rules';
}

async function saveFaults(event) {
  event.preventDefault();
  clearFieldError('faults-text');
  const el = $('faults-error');
  el.hidden = true;
  el.replaceChildren();
  let rules;
  try {
    rules = JSON.parse($('faults-text').value.trim() || '[]');
  } catch (e) {
    showFaultErrors([`This is not JSON: ${e.message}`]);
    $('faults-text').focus();
    return;
  }
  if (!Array.isArray(rules)) {
    showFaultErrors(['Write a JSON array of rules: [ { … }, … ].']);
    $('faults-text').focus();
    return;
  }
  try {
    const doc = await api('/emulator/v1/faults', { method: 'PUT', body: { data: rules } });
    $('faults-text').value = rulesText(doc.data);
    announce(doc.data.length === 0 ? 'No fault rule now.' : `${doc.data.length} fault rule${doc.data.length === 1 ? '' : 's'} saved. They apply to this page's requests too.`);
  } catch (e) {
    if (e instanceof ApiError && e.status === 400) {
      showFaultErrors(e.errors.map((x) => `${faultSource(x.source)}: ${errorText(x)}`));
      announce('The fault rules were not accepted: see the list below the rules.', 'error');
      $('faults-text').focus();
    } else failed('The fault rules could not be saved', e);
  }
}

function addExampleRule() {
  let rules = [];
  try {
    rules = JSON.parse($('faults-text').value.trim() || '[]');
    if (!Array.isArray(rules)) rules = [];
  } catch {
    rules = [];
  }
  rules.push({ method: 'GET', path: '/v2/integrations', status: 503, times: 1 });
  $('faults-text').value = JSON.stringify(rules, null, 2);
  $('faults-text').focus();
}

async function clearFaults() {
  try {
    await api('/emulator/v1/faults', { method: 'DELETE' });
    $('faults-text').value = '[]';
    clearFieldError('faults-text');
    announce('Every fault rule was removed.');
  } catch (e) {
    failed('The fault rules could not be removed', e);
  }
}

// --- reset ---------------------------------------------------------------------------------

async function resetStore(event) {
  const yes = await confirmAction('Reset the store?',
    'Every integration, job, log and delivery record of this store is deleted, and its fault rules too. Clients and tokens stay. This cannot be undone.',
    'Reset the store', event.currentTarget);
  if (!yes) return;
  await quiesce();
  try {
    await api('/emulator/v1/reset', { method: 'POST' });
  } catch (e) {
    failed('The store could not be reset', e);
    startPolling();
    return;
  }
  state.int.offset = 0;
  state.del = { offset: 0, integrationId: null };
  state.lastSig = null;
  state.lastTotal = -1;
  $('fire-result').hidden = true;
  await refreshAll();
  startPolling();
  announce('The store was reset: no integration, job or delivery is left.');
  focusHeading($('integrations'));
}

// --- wiring --------------------------------------------------------------------------------

function wire() {
  $('signin-form').addEventListener('submit', signIn);
  $('sign-out').addEventListener('click', () => signOut('You signed out.'));
  $('new-integration').addEventListener('click', (e) => openIntegration(null, e.currentTarget));
  $('integration-form').addEventListener('submit', saveIntegration);
  for (const b of document.querySelectorAll('[data-close]')) b.addEventListener('click', () => b.closest('dialog').close());
  $('integration-dialog').addEventListener('close', () => {
    if (form.opener && document.contains(form.opener)) form.opener.focus();
  });
  for (const r of document.querySelectorAll('input[name="integration_type"]')) r.addEventListener('change', () => showType(currentType()));
  $('use-sink').addEventListener('click', () => {
    const url = $('f-webhook-url');
    url.value = sinkUrl();
    clearFieldError('f-webhook-url');
    if (!$('f-name').value.trim()) $('f-name').value = 'Orders to the built-in sink';
    announce(`The URL is now this server's sink: ${url.value}`);
  });
  $('f-observes-filter').addEventListener('input', renderObserves);
  $('f-observes-add').addEventListener('click', addCustomObserve);
  $('f-observes-custom').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      addCustomObserve();
    }
  });
  $('f-observes-filter').addEventListener('keydown', (e) => {
    if (e.key === 'Enter') e.preventDefault(); // Enter in the search box does not submit the form
  });
  $('fire-form').addEventListener('submit', fireEvent);
  $('fire-sample').addEventListener('click', () => {
    $('fire-payload').value = JSON.stringify(samplePayload($('fire-trigger').value), null, 2);
    clearFieldError('fire-payload');
  });
  $('flush').addEventListener('click', flush);
  $('faults-form').addEventListener('submit', saveFaults);
  $('faults-example').addEventListener('click', addExampleRule);
  $('faults-clear').addEventListener('click', clearFaults);
  $('reset').addEventListener('click', resetStore);
}

wire();
session = loadSession();
if (session) start();
else showSignIn(null);
