// The member profile (/console#member/{id}): details and consents, balances, tier, favourite
// product, P(alive) and CLV (when a model is fitted), the ledger with each entry's rule or reason,
// and the visits (purchases); details can be changed by every role (PATCH, the API's errors shown
// next to the field they name), points and stamps adjusted with a reason by managers and owners,
// consents changed by managers and owners (recorded with source "console" and the time). Owners
// also export the member's data (a JSON download) and erase their personal data (a confirm step
// with a reason; the profile then shows the pseudonym, in the console's language).
import { api, uuid, ApiError } from './api.js';
import { el, localName, tierNameIn } from './dom.js';
import { currentLang, t } from './i18n.js';
import { formatDate, formatMoney, formatNumber, intlLocale } from './money.js';
import { describe, say } from './status.js';
import { renderReferrals } from './referrals.js';

function tierName(id, fallback) {
  return tierNameIn(st.programme && st.programme.tiers && st.programme.tiers.levels, id, fallback);
}

const $ = (id) => document.getElementById(id);
const PAGE = 20;
// the edit form's inputs by the API field they change
const FIELDS = {
  name: 'profile-edit-name',
  phone: 'profile-phone',
  email: 'profile-email',
  birthday: 'profile-birthday',
  locale: 'profile-locale',
  location: 'profile-location',
  tags: 'profile-tags',
  notes: 'profile-notes',
};

const st = {
  wired: false,
  id: 0,
  role: '',
  view: null, // GET /api/v1/members/{id}
  ledger: [],
  ledgerNext: null,
  visits: [],
  visitsNext: null,
  locations: null,
  programme: null,
  adjustPending: null, // {key, body}: the last adjustment not known to be recorded
  seq: 0,
  consentDirty: false, // the consent boxes were changed and not yet saved
  onSessionEnded: () => {},
};


function failed(err) {
  if (err && err.status === 401) {
    st.onSessionEnded();
    return;
  }
  say(describe(err), 'error');
}

const mayAdjust = () => st.role === 'owner' || st.role === 'manager';
const mayPrivacy = () => st.role === 'owner';
const erased = () => !!(st.view && st.view.member.erased_at);

// The name to show: an erased member's pseudonym in the console's language.
function displayName(m) {
  if (!m) return '';
  return m.erased_at ? t('privacy.pseudonym', { id: m.id }) : m.name || `#${m.id}`;
}

function dateTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(intlLocale(), { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}



function langName(code) {
  const names = { en: t('lang.en'), ms: t('lang.ms'), hu: t('lang.hu'), bn: t('lang.bn') };
  return names[code] || code || '';
}

function locationName(code) {
  const l = (st.locations || []).find((x) => x.code === code);
  return l ? `${l.name} (${l.code})` : code || '';
}

// "--07-02" (day and month only) or "1990-07-02" -> what the form shows and the API takes back
const birthdayText = (b) => (b ? b.replace(/^--/, '') : '');

function birthdayShown(b) {
  if (!b) return '';
  const m = /^(?:(\d{4})|-)-(\d{2})-(\d{2})$/.exec(b);
  if (!m) return b;
  const d = new Date(Date.UTC(m[1] ? Number(m[1]) : 2000, Number(m[2]) - 1, Number(m[3])));
  const opts = m[1] ? { dateStyle: 'long', timeZone: 'UTC' } : { day: 'numeric', month: 'long', timeZone: 'UTC' };
  return new Intl.DateTimeFormat(intlLocale(), opts).format(d);
}

/* ---- the view ---- */

function figure(label, value, id) {
  const dd = el('dd', { text: value });
  if (id) dd.id = id;
  return el('div', {}, el('dt', { text: label }), dd);
}

function renderHead() {
  const v = st.view;
  if (!v) return;
  const m = v.member;
  const b = v.balances || {};
  const tier = v.tier || {};
  $('profile-name').textContent = displayName(m);
  $('profile-summary').textContent = t('profile.summary', {
    date: formatDate(m.joined_at),
    n: formatNumber(m.purchases || 0),
  });
  const figs = [
    figure(t('profile.fig.tier'), tierName(tier.id || m.tier, tier.name), 'profile-tier'),
    figure(t('profile.fig.points'), formatNumber(b.points || 0), 'profile-points'),
    figure(t('profile.fig.pending'), formatNumber(b.pending || 0), 'profile-pending'),
    figure(t('profile.fig.stamps'), formatNumber(b.stamps || 0), 'profile-stamps'),
    figure(t('profile.fig.favourite'), m.favourite || t('profile.none'), 'profile-favourite'),
  ];
  if (v.model) {
    figs.push(figure(t('profile.fig.alive'), t('profile.percent', { n: formatNumber(Math.round((v.model.p_alive || 0) * 100)) }), 'profile-alive'));
    figs.push(figure(t('profile.fig.clv', { weeks: formatNumber(v.model.weeks || 52) }), formatMoney(v.model.clv || 0, v.currency || 'MYR'), 'profile-clv'));
  }
  $('profile-figures').replaceChildren(...figs);
  $('profile-points').dataset.value = String(b.points || 0);
  $('profile-stamps').dataset.value = String(b.stamps || 0);
  $('profile-model-none').hidden = !!v.model;
}

function renderDetails() {
  const v = st.view;
  if (!v) return;
  const m = v.member;
  const rows = [
    [t('profile.field.name'), displayName(m)],
    [t('profile.field.phone'), m.phone],
    [t('profile.field.email'), m.email],
    [t('profile.field.birthday'), birthdayShown(m.birthday)],
    [t('profile.field.locale'), langName(m.locale)],
    [t('profile.field.location'), locationName(m.location)],
    [t('profile.field.tags'), (m.tags || '').split(',').filter(Boolean).join(', ')],
    [t('profile.field.notes'), m.notes],
    [t('profile.field.joined'), formatDate(m.joined_at)],
    [t('profile.field.last_visit'), m.last_purchase_at ? formatDate(m.last_purchase_at) : ''],
  ];
  $('profile-details').replaceChildren(...rows.map(([k, val]) => figure(k, val || t('profile.none'))));

  const ul = $('profile-consents');
  ul.replaceChildren();
  const consent = m.consent || {};
  for (const [ch, label] of [['email', t('profile.consent.email')], ['sms', t('profile.consent.sms')]]) {
    const c = consent[ch] || {};
    const state = c.granted ? t('profile.consent.granted') : t('profile.consent.not_granted');
    const when = c.at
      ? t('profile.consent.when', { source: c.source || t('profile.consent.unknown_source'), date: dateTime(c.at) })
      : t('profile.consent.never');
    ul.append(el('li', { 'data-channel': ch, 'data-granted': String(!!c.granted) },
      el('strong', { text: `${label}: ${state}` }), el('span', { class: 'hint', text: when })));
  }
}

function fillForm() {
  const m = st.view.member;
  $('profile-edit-name').value = m.name || '';
  $('profile-phone').value = m.phone || '';
  $('profile-email').value = m.email || '';
  $('profile-birthday').value = birthdayText(m.birthday);
  $('profile-locale').value = m.locale || 'en';
  const loc = $('profile-location');
  loc.replaceChildren(el('option', { value: '', text: t('profile.none') }),
    ...(st.locations || []).map((l) => el('option', { value: l.code, text: `${l.name} (${l.code})` })));
  if (m.location && !(st.locations || []).some((l) => l.code === m.location))
    loc.append(el('option', { value: m.location, text: m.location }));
  loc.value = m.location || '';
  $('profile-tags').value = (m.tags || '').split(',').filter(Boolean).join(', ');
  $('profile-notes').value = m.notes || '';
  clearErrors();
}

const KINDS = () => ({
  earn: t('profile.kind.earn'),
  bonus: t('profile.kind.bonus'),
  redeem: t('profile.kind.redeem'),
  tender: t('profile.kind.tender'),
  expire: t('profile.kind.expire'),
  reverse: t('profile.kind.reverse'),
  adjust: t('profile.kind.adjust'),
  activate: t('profile.kind.activate'),
  settle: t('profile.kind.settle'),
  referral: t('profile.kind.referral'),
  restore: t('profile.kind.restore'),
});

function amountText(e) {
  const n = (e.amount > 0 ? '+' : '') + formatNumber(e.amount);
  if (e.account === 'stamps') return t('profile.amount.stamps', { n });
  if (e.account === 'pending') return t('profile.amount.pending', { n });
  if (e.account === 'giving') return t('profile.amount.giving', { amount: (e.amount > 0 ? '+' : '') + formatMoney(e.amount, (st.view && st.view.currency) || 'MYR') });
  return t('profile.amount.points', { n });
}

function why(e) {
  const parts = [];
  if (e.reason) parts.push(t('profile.ledger.reason', { reason: e.reason }));
  if (e.rule) parts.push(t('profile.ledger.rule', { rule: e.rule }));
  if (e.ref_type === 'purchase') parts.push(t('profile.ledger.purchase', { id: e.ref_id }));
  else if (e.ref_type === 'redemption') parts.push(t('profile.ledger.redemption', { id: e.ref_id }));
  else if (e.ref_type === 'adjustment') parts.push(t('profile.ledger.adjustment', { id: e.ref_id }));
  else if (e.ref_type === 'refund') parts.push(t('profile.ledger.refund', { id: e.ref_id }));
  return parts.join(' · ');
}

function renderLedger() {
  const kinds = KINDS();
  const ul = $('profile-ledger');
  ul.replaceChildren(...st.ledger.map((e) => el('li', { 'data-entry-id': String(e.id), 'data-kind': e.kind, 'data-account': e.account, 'data-amount': String(e.amount) },
    el('span', { class: 'when', text: dateTime(e.at) }),
    el('span', { class: `delta ${e.amount < 0 ? 'minus' : 'plus'}`, text: amountText(e) }),
    el('span', { class: 'kind', text: kinds[e.kind] || e.kind }),
    el('span', { class: 'why hint', text: why(e) }))));
  $('profile-ledger-empty').hidden = st.ledger.length > 0;
  $('profile-ledger-more').hidden = st.ledgerNext == null;
}

function renderVisits() {
  const cur = (st.view && st.view.currency) || 'MYR';
  const ul = $('profile-visits');
  ul.replaceChildren(...st.visits.map((p) => {
    const li = el('li', { 'data-purchase-id': String(p.id), 'data-amount': String(p.amount) },
      el('span', { class: 'when', text: dateTime(p.occurred_at) }),
      el('span', { class: 'delta', text: formatMoney(p.amount, p.currency || cur) }),
      el('span', { class: 'kind', text: p.location ? locationName(p.location) : '' }));
    if (p.refunded) li.append(el('span', { class: 'why hint', text: t('profile.visit.refunded', { amount: formatMoney(p.refunded, p.currency || cur) }) }));
    return li;
  }));
  $('profile-visits-empty').hidden = st.visits.length > 0;
  $('profile-visits-more').hidden = st.visitsNext == null;
}

// Consents (managers, owners), the edit form (not for an erased member) and the privacy box
// (owners): what this role may do with this member.
function renderPrivacy() {
  const v = st.view;
  if (!v) return;
  const m = v.member;
  const gone = erased();
  $('profile-edit-form').closest('section').hidden = gone;
  const cf = $('consent-form');
  cf.hidden = !mayAdjust() || gone;
  if (!cf.hidden && !st.consentDirty) {
    $('consent-email').checked = !!(m.consent && m.consent.email && m.consent.email.granted);
    $('consent-sms').checked = !!(m.consent && m.consent.sms && m.consent.sms.granted);
  }
  $('privacy-box').hidden = !mayPrivacy();
  $('privacy-erase').hidden = gone;
  const note = $('privacy-erased');
  note.hidden = !gone;
  note.textContent = gone ? t('privacy.erased_on', { date: dateTime(m.erased_at) }) : '';
  if (gone) closeErase();
  else if (!$('erase-form').hidden) explainErase();
}

function renderAll() {
  renderHead();
  renderDetails();
  renderLedger();
  renderVisits();
  renderReferrals(st.view); // referrals.js: code, link, members referred
  $('adjust-box').hidden = !mayAdjust();
  renderPrivacy();
}

/* ---- loading ---- */

async function loadView() {
  st.view = await api('GET', `/api/v1/members/${st.id}`);
}

async function loadLedger(more) {
  const q = more && st.ledgerNext != null ? `&before=${st.ledgerNext}` : '';
  const r = await api('GET', `/api/v1/members/${st.id}/ledger?limit=${PAGE}${q}`);
  st.ledger = more ? st.ledger.concat(r.entries || []) : r.entries || [];
  st.ledgerNext = r.next_before ?? null;
}

async function loadVisits(more) {
  const q = more && st.visitsNext != null ? `&before=${st.visitsNext}` : '';
  const r = await api('GET', `/api/v1/purchases?member=${st.id}&limit=${PAGE}${q}`);
  st.visits = more ? st.visits.concat(r.purchases || []) : r.purchases || [];
  st.visitsNext = r.next_before ?? null;
}

// Opens the profile of member id; opts: {role, onSessionEnded}.
export async function showProfile(id, opts) {
  wire();
  st.role = opts.role || '';
  st.onSessionEnded = opts.onSessionEnded || (() => {});
  const seq = ++st.seq;
  const same = st.id === id && st.view;
  st.id = id;
  if (!same) {
    st.view = null;
    st.adjustPending = null;
    st.consentDirty = false;
    $('adjust-form').reset();
    clearAdjustError();
    closeErase();
    clearConsentError();
  }
  const box = $('profile');
  box.hidden = false;
  box.dataset.ready = 'false';
  $('profile-loading').hidden = false;
  try {
    if (!st.locations) st.locations = (await api('GET', '/api/v1/locations')).locations || [];
    if (!st.programme) st.programme = (await api('GET', '/api/v1/programme')).programme || null;
    await Promise.all([loadView(), loadLedger(false), loadVisits(false)]);
    if (seq !== st.seq) return;
    $('profile-body').hidden = false;
    renderAll();
    fillForm();
    box.dataset.memberId = String(id);
    box.dataset.ready = 'true';
    $('profile-name').focus();
  } catch (err) {
    if (seq !== st.seq) return;
    if (err.status === 404) {
      $('profile-body').hidden = true;
      $('profile-name').textContent = t('profile.not_found');
      $('profile-summary').textContent = '';
      $('profile-figures').replaceChildren();
      box.dataset.ready = 'true';
    } else failed(err);
  } finally {
    if (seq === st.seq) $('profile-loading').hidden = true;
  }
}

export function hideProfile() {
  st.seq++;
  if ($('profile')) $('profile').hidden = true;
}

export function stopProfile() {
  hideProfile();
  st.id = 0;
  st.view = null;
  st.ledger = [];
  st.visits = [];
  st.locations = null;
  st.programme = null;
}

export function profileMemberId() { return st.view ? st.view.member.id : st.id; }

// After a language change: every text the profile wrote itself.
export function rerenderProfile() {
  if (!st.view || $('profile').hidden) return;
  renderAll();
  const loc = $('profile-location').value;
  fillForm();
  $('profile-location').value = loc;
}

/* ---- edit ---- */

function clearErrors() {
  for (const id of Object.values(FIELDS)) {
    const e = $(`${id}-error`);
    e.hidden = true;
    e.textContent = '';
    $(id).removeAttribute('aria-invalid');
  }
  const g = $('profile-edit-error');
  g.hidden = true;
  g.textContent = '';
}

function fieldError(field, message) {
  const id = FIELDS[field];
  if (!id) {
    const g = $('profile-edit-error');
    g.textContent = message;
    g.hidden = false;
    return;
  }
  const e = $(`${id}-error`);
  e.textContent = message;
  e.hidden = false;
  $(id).setAttribute('aria-invalid', 'true');
  $(id).focus();
}

const tagList = (s) => s.split(/[,\s]+/).map((x) => x.trim()).filter(Boolean);

// What the form changes: only the fields that differ from the member as loaded.
function changes() {
  const m = st.view.member;
  const out = {};
  const text = (f, cur, was) => {
    if (cur !== (was || '')) out[f] = cur === '' ? null : cur;
  };
  text('name', $('profile-edit-name').value.trim(), m.name);
  text('phone', $('profile-phone').value.trim(), m.phone);
  text('email', $('profile-email').value.trim(), m.email);
  text('birthday', $('profile-birthday').value.trim(), birthdayText(m.birthday));
  if ($('profile-locale').value !== m.locale) out.locale = $('profile-locale').value;
  if ($('profile-location').value && $('profile-location').value !== (m.location || '')) out.location = $('profile-location').value;
  const tags = tagList($('profile-tags').value);
  if (tags.join(',') !== (m.tags || '')) out.tags = tags;
  const notes = $('profile-notes').value;
  if (notes.trim() !== (m.notes || '').trim()) out.notes = notes.trim();
  return out;
}

async function onSave(ev) {
  ev.preventDefault();
  if (!st.view) return;
  clearErrors();
  if (!$('profile-edit-name').value.trim()) {
    fieldError('name', t('profile.edit.name_missing'));
    return;
  }
  const body = changes();
  if (!Object.keys(body).length) {
    say(t('profile.edit.unchanged'));
    return;
  }
  $('profile-save').disabled = true;
  try {
    await api('PATCH', `/api/v1/members/${st.id}`, { body });
    await loadView();
    renderAll();
    fillForm();
    say(t('profile.edit.saved', { name: displayName(st.view.member) }), 'ok');
  } catch (err) {
    if (err.status === 400 || err.status === 422 || err.status === 409) {
      const field = String(err.field || '').split(/[.[]/)[0];
      fieldError(field, t('profile.edit.refused', { message: err.message }));
    } else failed(err);
  } finally {
    $('profile-save').disabled = false;
  }
}

/* ---- adjust ---- */

function clearAdjustError() {
  const e = $('adjust-error');
  e.hidden = true;
  e.textContent = '';
}

function adjustError(text) {
  const e = $('adjust-error');
  e.textContent = text;
  e.hidden = false;
}

async function onAdjust(ev) {
  ev.preventDefault();
  if (!st.view || !mayAdjust()) return;
  clearAdjustError();
  const account = $('adjust-account').value;
  const deltaText = $('adjust-delta').value.trim().replace(/^\+/, '');
  const delta = Number(deltaText);
  const reason = $('adjust-reason').value.trim();
  if (!/^-?\d+$/.test(deltaText) || !Number.isSafeInteger(delta) || delta === 0) {
    adjustError(t('profile.adjust.bad_delta'));
    $('adjust-delta').focus();
    return;
  }
  if (!reason) {
    adjustError(t('profile.adjust.no_reason'));
    $('adjust-reason').focus();
    return;
  }
  const body = { member: st.id, account, delta, reason };
  // the same adjustment sent again (after a lost answer) keeps its key: it is recorded once
  const same = st.adjustPending && JSON.stringify(st.adjustPending.body) === JSON.stringify(body);
  if (!same) st.adjustPending = { key: uuid(), body };
  $('adjust-submit').disabled = true;
  try {
    const r = await api('POST', '/api/v1/adjustments', { body, key: st.adjustPending.key });
    st.adjustPending = null;
    $('adjust-form').reset();
    const n = (delta > 0 ? '+' : '') + formatNumber(delta);
    say(account === 'stamps'
      ? t('profile.adjust.done_stamps', { n, name: displayName(st.view.member), balance: formatNumber((r.balances || {}).stamps || 0) })
      : t('profile.adjust.done_points', { n, name: displayName(st.view.member), balance: formatNumber((r.balances || {}).points || 0) }), 'ok');
    await Promise.all([loadView(), loadLedger(false)]);
    renderAll();
  } catch (err) {
    if (err.status === 400 || err.status === 422) {
      st.adjustPending = null;
      adjustError(t('profile.adjust.refused', { message: err.message }));
    } else if (err.status === 403) adjustError(t('profile.adjust.forbidden'));
    else failed(err);
  } finally {
    $('adjust-submit').disabled = false;
  }
}

/* ---- consents ---- */

function clearConsentError() {
  const e = $('consent-error');
  e.hidden = true;
  e.textContent = '';
}

async function onConsentSave(ev) {
  ev.preventDefault();
  if (!st.view || !mayAdjust() || erased()) return;
  clearConsentError();
  const c = st.view.member.consent || {};
  const consent = {};
  const email = $('consent-email').checked;
  const sms = $('consent-sms').checked;
  if (email !== !!(c.email && c.email.granted)) consent.email = email;
  if (sms !== !!(c.sms && c.sms.granted)) consent.sms = sms;
  if (!Object.keys(consent).length) {
    st.consentDirty = false;
    say(t('profile.consent.unchanged'));
    return;
  }
  $('consent-save').disabled = true;
  try {
    // the source says where the consent was given or withdrawn; the time is the server's
    await api('PATCH', `/api/v1/members/${st.id}`, { body: { consent, consent_source: 'console' } });
    st.consentDirty = false;
    await loadView();
    renderAll();
    say(t('profile.consent.saved', { name: displayName(st.view.member) }), 'ok');
  } catch (err) {
    if (err.status === 400 || err.status === 422 || err.status === 409) {
      const e = $('consent-error');
      e.textContent = t('profile.consent.refused', { message: err.message });
      e.hidden = false;
    } else failed(err);
  } finally {
    $('consent-save').disabled = false;
  }
}

/* ---- privacy: export, erase (owners) ---- */

// Downloads GET /api/v1/members/{id}/export as the file the server names.
async function onExport() {
  if (!st.view || !mayPrivacy()) return;
  const btn = $('privacy-export');
  btn.disabled = true;
  try {
    let res;
    try {
      res = await fetch(`/api/v1/members/${st.id}/export`, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    } catch (e) {
      throw new ApiError(0, 'network', e.message);
    }
    if (!res.ok) {
      let e = {};
      try { e = (await res.json()).error || {}; } catch { /* not JSON */ }
      throw new ApiError(res.status, e.code || 'error', e.message || res.statusText, e.field);
    }
    const blob = await res.blob();
    const m = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') || '');
    const url = URL.createObjectURL(blob);
    const a = el('a', { href: url, download: m ? m[1] : `member-${st.id}-export.json` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    say(t('privacy.exported', { name: displayName(st.view.member) }), 'ok');
  } catch (err) {
    if (err.status === 401) failed(err);
    else say(t('privacy.export_failed', { message: describe(err) }), 'error');
  } finally {
    btn.disabled = false;
  }
}

function clearEraseError() {
  const e = $('erase-error');
  e.hidden = true;
  e.textContent = '';
  $('erase-reason').removeAttribute('aria-invalid');
}

function eraseError(text) {
  const e = $('erase-error');
  e.textContent = text;
  e.hidden = false;
  $('erase-reason').setAttribute('aria-invalid', 'true');
  $('erase-reason').focus();
}

function explainErase() {
  const m = st.view.member;
  $('erase-explain').textContent = t('privacy.erase.explain', { name: m.name, pseudonym: t('privacy.pseudonym', { id: m.id }) });
}

function openErase() {
  if (!st.view || !mayPrivacy() || erased()) return;
  clearEraseError();
  explainErase();
  $('erase-form').hidden = false;
  $('privacy-erase').setAttribute('aria-expanded', 'true');
  $('erase-reason').focus();
}

function closeErase() {
  if (!$('erase-form')) return;
  $('erase-form').hidden = true;
  $('erase-form').reset();
  clearEraseError();
  $('privacy-erase').setAttribute('aria-expanded', 'false');
}

async function onErase(ev) {
  ev.preventDefault();
  if (!st.view || !mayPrivacy() || erased()) return;
  clearEraseError();
  const reason = $('erase-reason').value.trim();
  if (!reason) {
    eraseError(t('privacy.erase.no_reason'));
    return;
  }
  $('erase-confirm').disabled = true;
  try {
    await api('POST', `/api/v1/members/${st.id}:erase`, { body: { reason } });
    closeErase();
    await Promise.all([loadView(), loadLedger(false)]);
    renderAll();
    fillForm();
    say(t('privacy.erase.done', { id: st.view.member.id, pseudonym: displayName(st.view.member) }), 'ok');
    $('profile-name').focus();
  } catch (err) {
    if (err.status === 400 || err.status === 409 || err.status === 422) eraseError(t('privacy.erase.refused', { message: err.message }));
    else if (err.status === 403) eraseError(describe(err));
    else failed(err);
  } finally {
    $('erase-confirm').disabled = false;
  }
}

/* ---- wiring ---- */

async function more(btn, load, render) {
  btn.disabled = true;
  try {
    await load(true);
    render();
  } catch (err) {
    failed(err);
  } finally {
    btn.disabled = false;
  }
}

function wire() {
  if (st.wired) return;
  st.wired = true;
  $('profile-edit-form').addEventListener('submit', onSave);
  $('profile-edit-reset').addEventListener('click', () => { if (st.view) fillForm(); });
  $('adjust-form').addEventListener('submit', onAdjust);
  $('consent-form').addEventListener('submit', onConsentSave);
  for (const id of ['consent-email', 'consent-sms']) $(id).addEventListener('change', () => { st.consentDirty = true; });
  $('privacy-export').addEventListener('click', onExport);
  $('privacy-erase').addEventListener('click', openErase);
  $('erase-form').addEventListener('submit', onErase);
  $('erase-cancel').addEventListener('click', () => { closeErase(); $('privacy-erase').focus(); });
  $('profile-ledger-more').addEventListener('click', () => more($('profile-ledger-more'), loadLedger, renderLedger));
  $('profile-visits-more').addEventListener('click', () => more($('profile-visits-more'), loadVisits, renderVisits));
}
