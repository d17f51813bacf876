// Staff and keys (owner only, #admin): staff users (add with a role and a first password, change
// the role, disable or enable, reset the password), API keys (create: the secret is shown once,
// with a Copy button; revoke after a confirmation), webhooks (add a URL and its events: the
// signing secret is shown once; delete after a confirmation) and locations (their join page;
// add, rename). Every change is one call of the owner's API (/api/v1/users, apikeys, webhooks,
// locations); a refusal is shown under the field it names. All texts from web/i18n (admin.*).
import { api } from './api.js';
import { el } from './dom.js';
import { t } from './i18n.js';
import { intlLocale } from './money.js';
import { describe, say } from './status.js';

const $ = (id) => document.getElementById(id);
const st = {
  wired: false,
  self: '', // the logged-in owner's username
  users: [],
  keys: [],
  hooks: [],
  locations: [],
  loaded: false,
  onSessionEnded: () => {},
};

const ROLES = () => [['cashier', t('role.cashier')], ['manager', t('role.manager')], ['owner', t('role.owner')]];
const roleName = (r) => (ROLES().find(([v]) => v === r) || [r, r])[1];
// the event kinds of a webhook (docs/webhooks.md) with their names for people
const EVENTS = () => [
  ['member.created', t('admin.event.member_created')],
  ['purchase.recorded', t('admin.event.purchase_recorded')],
  ['purchase.refunded', t('admin.event.purchase_refunded')],
  ['reward.redeemed', t('admin.event.reward_redeemed')],
  ['reward.available', t('admin.event.reward_available')],
  ['tier.changed', t('admin.event.tier_changed')],
  ['points.expiring', t('admin.event.points_expiring')],
  ['points.expired', t('admin.event.points_expired')],
  ['bonus.welcome', t('admin.event.bonus_welcome')],
  ['bonus.birthday', t('admin.event.bonus_birthday')],
  ['bonus.anniversary', t('admin.event.bonus_anniversary')],
  ['stamps.card_full', t('admin.event.stamps_card_full')],
  ['feedback.received', t('admin.event.feedback_received')],
];
const eventName = (k) => (EVENTS().find(([v]) => v === k) || [k, k])[1];

function dateTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(intlLocale(), { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

// ---- errors: under the field the server names, else on the form's own line ----

function clearErrors(prefix) {
  for (const e of document.querySelectorAll(`[id^="${prefix}-"][id$="-error"]`)) {
    e.hidden = true;
    e.textContent = '';
  }
  for (const i of document.querySelectorAll(`[id^="${prefix}-"][aria-invalid]`)) i.removeAttribute('aria-invalid');
}

function showError(prefix, err) {
  if (err && err.status === 401) {
    st.onSessionEnded();
    return;
  }
  const text = err && (err.status === 400 || err.status === 409 || err.status === 422)
    ? t('admin.not_saved', { message: err.message }) : describe(err);
  const field = String((err && err.field) || '').replace(/\[.*$/, '').split('.')[0];
  const line = (field && $(`${prefix}-${field}-error`)) || $(`${prefix}-error`);
  say(text, 'error');
  if (!line) return;
  line.textContent = text;
  line.hidden = false;
  const input = field && $(`${prefix}-${field}`);
  if (input && line.id !== `${prefix}-error`) {
    input.setAttribute('aria-invalid', 'true');
    const target = input.tagName === 'FIELDSET' ? input.querySelector('input') : input;
    if (target) target.focus();
  }
}

// ---- a confirmation in a modal dialog; resolves true when confirmed ----

function confirmDialog(text, yes) {
  const d = $('admin-confirm');
  const back = document.activeElement;
  $('admin-confirm-text').textContent = text;
  $('admin-confirm-yes').textContent = yes;
  return new Promise((resolve) => {
    const finish = (v) => {
      $('admin-confirm-yes').removeEventListener('click', onYes);
      $('admin-confirm-no').removeEventListener('click', onNo);
      d.removeEventListener('cancel', onCancel);
      d.close();
      if (back && back.isConnected) back.focus();
      resolve(v);
    };
    const onYes = () => finish(true);
    const onNo = () => finish(false);
    const onCancel = (e) => { e.preventDefault(); finish(false); };
    $('admin-confirm-yes').addEventListener('click', onYes);
    $('admin-confirm-no').addEventListener('click', onNo);
    d.addEventListener('cancel', onCancel);
    d.showModal();
    $('admin-confirm-no').focus();
  });
}

// ---- secrets shown once ----

function showSecret(prefix, value) {
  $(`${prefix}-secret-value`).value = value;
  $(`${prefix}-secret`).hidden = false;
  $(`${prefix}-secret-value`).focus();
  $(`${prefix}-secret-value`).select();
}

function hideSecret(prefix) {
  $(`${prefix}-secret-value`).value = '';
  $(`${prefix}-secret`).hidden = true;
}

async function copySecret(prefix) {
  const input = $(`${prefix}-secret-value`);
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    input.select();
    document.execCommand('copy'); // without the clipboard API (a plain-HTTP address)
  }
  say(t('admin.copied'), 'ok');
}

// ---- users ----

// One labelled control with its error line: [label, control, error].
function labelled(id, label, control) {
  control.id = id;
  control.setAttribute('aria-describedby', `${id}-error`);
  return [el('label', { for: id, text: label }), control, el('p', { id: `${id}-error`, class: 'error', hidden: '' })];
}

function userItem(u) {
  const p = `admin-u-${u.id}`;
  const li = el('li', { class: 'admin-item', 'data-username': u.username });
  li.append(el('div', { class: 'admin-item-head' },
    el('strong', { class: 'admin-item-name', text: u.name }),
    el('span', { class: 'code', text: u.username }),
    el('span', { class: 'admin-badge', text: roleName(u.role) }),
    el('span', { class: `admin-badge ${u.disabled ? 'off' : 'on'}`, 'data-state': u.disabled ? 'disabled' : 'active',
      text: u.disabled ? t('admin.users.disabled') : t('admin.users.active') })));

  const role = el('select', { 'data-action': 'role' });
  for (const [v, l] of ROLES()) role.append(el('option', { value: v, text: l }));
  role.value = u.role;
  const save = el('button', { type: 'button', class: 'secondary small', 'data-action': 'save-role',
    text: t('admin.users.change_role'), 'aria-label': t('admin.users.change_role_named', { name: u.name }) });
  save.disabled = true;
  role.addEventListener('change', () => { save.disabled = role.value === u.role; });
  save.addEventListener('click', () => patchUser(u, { role: role.value }, t('admin.users.role_changed', { name: u.name, role: roleName(role.value) })));
  const [roleLabel, , roleError] = labelled(`${p}-role`, t('admin.users.role_of', { name: u.name }), role);

  const toggle = el('button', { type: 'button', class: 'secondary small', id: `${p}-disabled`, 'data-action': u.disabled ? 'enable' : 'disable',
    'aria-describedby': `${p}-disabled-error`,
    text: u.disabled ? t('admin.users.enable') : t('admin.users.disable'),
    'aria-label': u.disabled ? t('admin.users.enable_named', { name: u.name }) : t('admin.users.disable_named', { name: u.name }) });
  toggle.addEventListener('click', async () => {
    if (!u.disabled && !(await confirmDialog(t('admin.users.disable_confirm', { name: u.name }), t('admin.users.disable')))) return;
    await patchUser(u, { disabled: !u.disabled },
      u.disabled ? t('admin.users.enabled', { name: u.name }) : t('admin.users.disabled_done', { name: u.name }));
  });
  const reset = el('button', { type: 'button', class: 'secondary small', 'data-action': 'reset',
    'aria-expanded': 'false', 'aria-controls': `${p}-pwform`,
    text: t('admin.users.reset'), 'aria-label': t('admin.users.reset_named', { name: u.name }) });

  const pw = el('input', { type: 'password', autocomplete: 'new-password' });
  const pwForm = el('form', { id: `${p}-pwform`, class: 'admin-inline', novalidate: '', hidden: '' },
    ...labelled(`${p}-password`, t('admin.users.new_password', { name: u.name }), pw),
    el('p', { class: 'hint', text: t('admin.users.password_hint') }),
    el('div', { class: 'form-actions' },
      el('button', { type: 'submit', class: 'small', text: t('admin.users.set_password') }),
      el('button', { type: 'button', class: 'secondary small', 'data-action': 'cancel', text: t('admin.cancel') })));
  const closePw = () => { pwForm.hidden = true; pw.value = ''; reset.setAttribute('aria-expanded', 'false'); };
  reset.addEventListener('click', () => {
    pwForm.hidden = !pwForm.hidden;
    reset.setAttribute('aria-expanded', String(!pwForm.hidden));
    if (!pwForm.hidden) pw.focus();
  });
  pwForm.querySelector('[data-action="cancel"]').addEventListener('click', () => { closePw(); reset.focus(); });
  pwForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (await patchUser(u, { password: pw.value }, t('admin.users.password_set', { name: u.name }), false)) closePw();
  });

  li.append(
    el('div', { class: 'admin-row' }, el('div', { class: 'admin-field' }, roleLabel, role), save),
    roleError,
    el('div', { class: 'admin-row' }, u.username === st.self ? null : toggle, reset), // nobody disables themselves
    el('p', { id: `${p}-disabled-error`, class: 'error', hidden: '' }),
    pwForm,
    el('p', { id: `${p}-error`, class: 'error', role: 'alert', hidden: '' }),
  );
  if (u.username === st.self) li.append(el('p', { class: 'hint', text: t('admin.users.is_you') }));
  return li;
}

// PATCH /api/v1/users/{username}; true when saved. `reload` false keeps the list as it is (a
// password change shows nothing new).
async function patchUser(u, body, done, reload = true) {
  const p = `admin-u-${u.id}`;
  clearErrors(p);
  try {
    await api('PATCH', `/api/v1/users/${encodeURIComponent(u.username)}`, { body });
    say(done, 'ok');
    if (reload) {
      await loadUsers();
      const again = $('admin-users').querySelector(`li[data-username="${CSS.escape(u.username)}"] [data-action]`);
      if (again) again.focus();
    }
    return true;
  } catch (err) {
    showError(p, err);
    return false;
  }
}

function renderUsers() {
  const ul = $('admin-users');
  ul.replaceChildren(...st.users.map(userItem));
  if (!st.users.length) ul.append(el('li', { class: 'hint', text: t('admin.users.none') }));
}

async function loadUsers() {
  st.users = (await api('GET', '/api/v1/users')).users || [];
  renderUsers();
}

async function addUser(ev) {
  ev.preventDefault();
  clearErrors('admin-user');
  const body = {
    username: $('admin-user-username').value.trim(),
    role: $('admin-user-role').value,
    password: $('admin-user-password').value,
  };
  const name = $('admin-user-name').value.trim();
  if (name) body.name = name;
  const b = $('admin-user-submit');
  b.disabled = true;
  try {
    const u = await api('POST', '/api/v1/users', { body });
    $('admin-user-form').reset();
    say(t('admin.users.added', { name: u.name, role: roleName(u.role) }), 'ok');
    await loadUsers();
  } catch (err) {
    showError('admin-user', err);
  } finally {
    b.disabled = false;
  }
}

// ---- API keys ----

function keyItem(k) {
  const li = el('li', { class: 'admin-item', 'data-key-id': String(k.id), 'data-prefix': k.prefix });
  li.append(el('div', { class: 'admin-item-head' },
    el('strong', { class: 'admin-item-name', text: k.name }),
    el('span', { class: 'code', text: `${k.prefix}…` }),
    el('span', { class: 'admin-badge', text: roleName(k.role) }),
    el('span', { class: `admin-badge ${k.revoked_at ? 'off' : 'on'}`, 'data-state': k.revoked_at ? 'revoked' : 'active',
      text: k.revoked_at ? t('admin.keys.revoked', { when: dateTime(k.revoked_at) }) : t('admin.keys.active') })));
  li.append(el('p', { class: 'hint', text: t('admin.keys.created', { when: dateTime(k.created_at) }) }),
    el('p', { class: 'hint', text: k.last_used_at ? t('admin.keys.last_used', { when: dateTime(k.last_used_at) }) : t('admin.keys.never_used') }));
  if (!k.revoked_at) {
    const b = el('button', { type: 'button', class: 'secondary small danger', 'data-action': 'revoke',
      text: t('admin.keys.revoke'), 'aria-label': t('admin.keys.revoke_named', { name: k.name }) });
    b.addEventListener('click', () => revokeKey(k));
    li.append(b, el('p', { id: `admin-k-${k.id}-error`, class: 'error', role: 'alert', hidden: '' }));
  }
  return li;
}

async function revokeKey(k) {
  if (!(await confirmDialog(t('admin.keys.revoke_confirm', { name: k.name, prefix: k.prefix }), t('admin.keys.revoke')))) return;
  try {
    await api('DELETE', `/api/v1/apikeys/${k.id}`);
    say(t('admin.keys.revoked_done', { name: k.name }), 'ok');
    await loadKeys();
    $('admin-keys-heading').setAttribute('tabindex', '-1');
    $('admin-keys-heading').focus();
  } catch (err) {
    showError(`admin-k-${k.id}`, err);
  }
}

function renderKeys() {
  const ul = $('admin-keys');
  ul.replaceChildren(...st.keys.map(keyItem));
  if (!st.keys.length) ul.append(el('li', { class: 'hint', text: t('admin.keys.none') }));
}

async function loadKeys() {
  st.keys = (await api('GET', '/api/v1/apikeys')).keys || [];
  renderKeys();
}

async function addKey(ev) {
  ev.preventDefault();
  clearErrors('admin-key');
  hideSecret('admin-key');
  const b = $('admin-key-submit');
  b.disabled = true;
  try {
    const k = await api('POST', '/api/v1/apikeys', { body: { name: $('admin-key-name').value.trim(), role: $('admin-key-role').value } });
    $('admin-key-form').reset();
    await loadKeys();
    say(t('admin.keys.added', { name: k.name }), 'ok');
    showSecret('admin-key', k.key);
  } catch (err) {
    showError('admin-key', err);
  } finally {
    b.disabled = false;
  }
}

// ---- webhooks ----

function hookItem(h) {
  const li = el('li', { class: 'admin-item', 'data-hook-id': String(h.id) });
  const d = h.deliveries || {};
  li.append(el('div', { class: 'admin-item-head' }, el('strong', { class: 'admin-item-name code', text: h.url })),
    el('p', { class: 'hint', text: (h.events || []).map(eventName).join(', ') }),
    el('p', { class: 'hint', text: t('admin.hooks.deliveries', { pending: d.pending || 0, delivered: d.delivered || 0, failed: d.failed || 0 }) }),
    el('p', { class: 'hint', text: t('admin.hooks.created', { when: dateTime(h.created_at) }) }));
  const b = el('button', { type: 'button', class: 'secondary small danger', 'data-action': 'delete',
    text: t('admin.hooks.delete'), 'aria-label': t('admin.hooks.delete_named', { url: h.url }) });
  b.addEventListener('click', async () => {
    if (!(await confirmDialog(t('admin.hooks.delete_confirm', { url: h.url }), t('admin.hooks.delete')))) return;
    try {
      await api('DELETE', `/api/v1/webhooks/${h.id}`);
      say(t('admin.hooks.deleted', { url: h.url }), 'ok');
      await loadHooks();
      $('admin-hooks-heading').setAttribute('tabindex', '-1');
      $('admin-hooks-heading').focus();
    } catch (err) {
      showError(`admin-h-${h.id}`, err);
    }
  });
  li.append(b, el('p', { id: `admin-h-${h.id}-error`, class: 'error', role: 'alert', hidden: '' }));
  return li;
}

function renderHooks() {
  const ul = $('admin-hooks');
  ul.replaceChildren(...st.hooks.map(hookItem));
  if (!st.hooks.length) ul.append(el('li', { class: 'hint', text: t('admin.hooks.none') }));
}

// the event check boxes, keeping what is ticked
function renderEvents() {
  const fs = $('admin-hook-events');
  const ticked = new Set([...fs.querySelectorAll('input:checked')].map((i) => i.value));
  const legend = fs.querySelector('legend');
  fs.replaceChildren(legend, ...EVENTS().map(([kind, name]) => {
    const id = `admin-hook-event-${kind.replace(/\W/g, '-')}`;
    const box = el('input', { type: 'checkbox', id, value: kind });
    box.checked = ticked.has(kind);
    return el('div', { class: 'admin-check' }, box, el('label', { for: id, text: name }));
  }));
}

async function loadHooks() {
  st.hooks = (await api('GET', '/api/v1/webhooks')).webhooks || [];
  renderHooks();
}

async function addHook(ev) {
  ev.preventDefault();
  clearErrors('admin-hook');
  hideSecret('admin-hook');
  const events = [...$('admin-hook-events').querySelectorAll('input:checked')].map((i) => i.value);
  const b = $('admin-hook-submit');
  b.disabled = true;
  try {
    const h = await api('POST', '/api/v1/webhooks', { body: { url: $('admin-hook-url').value.trim(), events } });
    $('admin-hook-form').reset();
    await loadHooks();
    say(t('admin.hooks.added', { url: h.url }), 'ok');
    showSecret('admin-hook', h.secret);
  } catch (err) {
    showError('admin-hook', err);
  } finally {
    b.disabled = false;
  }
}

// ---- locations ----

function locationItem(l) {
  const p = `admin-l-${l.id}`;
  const url = new URL(l.join, location.origin).href;
  const li = el('li', { class: 'admin-item', 'data-code': l.code });
  li.append(el('div', { class: 'admin-item-head' },
    el('strong', { class: 'admin-item-name', text: l.name }),
    el('span', { class: 'code', text: l.code })),
  el('p', {}, el('span', { text: t('admin.locations.join') }), ' ',
    el('a', { href: l.join, target: '_blank', rel: 'noopener', class: 'code', 'data-action': 'join', text: url })),
  el('p', { class: 'hint', text: t('admin.locations.poster', { command: `loyalty poster ${l.code} --url ${location.origin}` }) }));
  const name = el('input', { autocomplete: 'off' });
  name.value = l.name;
  const form = el('form', { class: 'admin-inline', novalidate: '' },
    el('div', { class: 'admin-row' },
      el('div', { class: 'admin-field' }, ...labelled(`${p}-name`, t('admin.locations.rename_label', { code: l.code }), name).slice(0, 2)),
      el('button', { type: 'submit', class: 'secondary small', 'data-action': 'rename', text: t('admin.locations.rename') })),
    el('p', { id: `${p}-name-error`, class: 'error', hidden: '' }),
    el('p', { id: `${p}-error`, class: 'error', role: 'alert', hidden: '' }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(p);
    try {
      const r = await api('PATCH', `/api/v1/locations/${encodeURIComponent(l.code)}`, { body: { name: name.value.trim() } });
      say(t('admin.locations.renamed', { code: l.code, name: r.location.name }), 'ok');
      await loadLocations();
      const again = $(`${p}-name`);
      if (again) again.focus();
    } catch (err) {
      showError(p, err);
    }
  });
  li.append(form);
  return li;
}

function renderLocations() {
  const ul = $('admin-locations');
  ul.replaceChildren(...st.locations.map(locationItem));
  if (!st.locations.length) ul.append(el('li', { class: 'hint', text: t('admin.locations.none') }));
}

async function loadLocations() {
  st.locations = (await api('GET', '/api/v1/locations')).locations || [];
  renderLocations();
}

async function addLocation(ev) {
  ev.preventDefault();
  clearErrors('admin-location');
  const b = $('admin-location-submit');
  b.disabled = true;
  try {
    const r = await api('POST', '/api/v1/locations', { body: { code: $('admin-location-code').value.trim(), name: $('admin-location-name').value.trim() } });
    $('admin-location-form').reset();
    say(t('admin.locations.added', { code: r.location.code, name: r.location.name }), 'ok');
    await loadLocations();
  } catch (err) {
    showError('admin-location', err);
  } finally {
    b.disabled = false;
  }
}

// ---- the page ----

function wire() {
  $('admin-user-form').addEventListener('submit', addUser);
  $('admin-key-form').addEventListener('submit', addKey);
  $('admin-hook-form').addEventListener('submit', addHook);
  $('admin-location-form').addEventListener('submit', addLocation);
  for (const [p, next] of [['admin-key', 'admin-key-name'], ['admin-hook', 'admin-hook-url']]) {
    $(`${p}-copy`).addEventListener('click', () => copySecret(p));
    $(`${p}-done`).addEventListener('click', () => { hideSecret(p); $(next).focus(); });
  }
}

export async function showAdmin(opts = {}) {
  st.self = opts.self || '';
  st.onSessionEnded = opts.onSessionEnded || (() => {});
  if (!st.wired) { wire(); st.wired = true; }
  renderEvents();
  $('admin').hidden = false;
  $('admin').dataset.ready = 'false';
  try {
    await Promise.all([loadUsers(), loadKeys(), loadHooks(), loadLocations()]);
    st.loaded = true;
    $('admin').dataset.ready = 'true';
  } catch (err) {
    if (err.status === 401) st.onSessionEnded();
    else say(describe(err), 'error');
  }
}

export function hideAdmin() {
  $('admin').hidden = true;
}

// Logout: nothing of the page stays, above all no secret shown once.
export function stopAdmin() {
  st.users = [];
  st.keys = [];
  st.hooks = [];
  st.locations = [];
  st.loaded = false;
  hideSecret('admin-key');
  hideSecret('admin-hook');
  for (const id of ['admin-users', 'admin-keys', 'admin-hooks', 'admin-locations']) $(id).replaceChildren();
  for (const f of ['admin-user', 'admin-key', 'admin-hook', 'admin-location']) {
    $(`${f}-form`).reset();
    clearErrors(f);
  }
  if ($('admin-confirm').open) $('admin-confirm').close();
  $('admin').hidden = true;
  $('admin').dataset.ready = 'false';
}

export function rerenderAdmin() {
  if (!st.loaded) return;
  renderUsers();
  renderKeys();
  renderHooks();
  renderEvents();
  renderLocations();
}
