// The counter screen: find a member (typed, pasted or scanned), show the member panel, record a
// purchase with its explanation, redeem a reward for a voucher; purchases that cannot reach the
// server wait in the offline queue (queue.js) and are sent, once each, when the connection returns.
import { api, uuid } from './api.js';
import { cameraAvailable, startScan, stopScan } from './camera.js';
import * as queue from './queue.js';
import { el, localName, tierNameIn } from './dom.js';
import { currentLang, t } from './i18n.js';
import { exampleAmount, formatDate, formatMoney, formatNumber, intlLocale, parseMoney, setCurrency } from './money.js';
import { describe, say } from './status.js';

function tierName(id, fallback) {
  return tierNameIn(st.programme && st.programme.tiers && st.programme.tiers.levels, id, fallback);
}

const $ = (id) => document.getElementById(id);
const SEARCH_DELAY_MS = 30; // a scanner's keys (a few ms apart) make one search; a person's each make one
const DIRECT_TIMEOUT_MS = 8000; // a purchase not answered by then is queued (its key makes the resend safe)
const QUEUE_TICK_MS = 4000; // the queue is shown and retried this often
const UNDO_GRACE_MS = 120000; // Undo is offered this long after a purchase (a full refund)

const st = {
  started: false,
  programme: null,
  currency: 'MYR',
  results: [],
  active: -1,
  query: '',
  view: null, // GET /api/v1/members/{id}
  voucher: null,
  explain: null,
  items: [],
  pending: null, // {key, body}: the last purchase not known to be recorded (reused on retry)
  undo: null, // {purchase, amount, member, until, key}: the last purchase, refundable by Undo
  undoTimer: 0,
  timer: 0,
  abort: null,
  seq: 0,
  onSessionEnded: () => {},
  running: false, // logged in, the counter shown
  merchant: null, // the session's merchant: queued purchases are sent only under it
  queue: [], // the waiting purchases (a copy of IndexedDB's)
  refused: [], // queued purchases the server refused: {entry, message}
  draining: false,
  tick: 0,
};




function rewardDef(id) {
  return ((st.programme && st.programme.rewards) || []).find((r) => r.id === id);
}

function langName(code) {
  const names = { en: t('lang.en'), ms: t('lang.ms'), hu: t('lang.hu'), bn: t('lang.bn') };
  return names[code] || code;
}

function failed(err) {
  if (err && err.name === 'AbortError') return;
  if (err && err.status === 401) {
    st.onSessionEnded();
    return;
  }
  say(describe(err), 'error');
}

/* ---- search ---- */

function looksLikeRef(q) {
  return /^[0-9A-Za-z]{20,39}$/.test(q) || q.includes('@') || /^\+\d[\d\s-]{6,}$/.test(q);
}

function setActive(i) {
  const items = $('results').querySelectorAll('li.result');
  st.active = items.length ? Math.max(0, Math.min(i, items.length - 1)) : -1;
  items.forEach((li, k) => {
    li.classList.toggle('active', k === st.active);
    li.setAttribute('aria-selected', k === st.active ? 'true' : 'false');
  });
  const cur = items[st.active];
  if (cur) {
    $('search').setAttribute('aria-activedescendant', cur.id);
    cur.scrollIntoView({ block: 'nearest' });
  } else $('search').removeAttribute('aria-activedescendant');
  return cur;
}

function renderResults() {
  const ul = $('results');
  ul.replaceChildren();
  for (const m of st.results) {
    const meta = [m.phone, m.email, tierName(m.tier, m.tier)].filter(Boolean).join(' · ');
    const li = el('li', { class: 'result', id: `result-${m.id}`, role: 'option', tabindex: '-1', 'data-member-id': String(m.id), 'aria-selected': 'false' },
      el('span', { class: 'result-name', text: m.name || `#${m.id}` }),
      el('span', { class: 'result-meta', text: meta }));
    li.addEventListener('click', () => openMember(m.id));
    ul.append(li);
  }
  ul.dataset.query = st.query; // what the list shows (bench/search_browser.mjs waits for it)
  $('search').setAttribute('aria-expanded', st.results.length ? 'true' : 'false');
  const empty = $('search-empty');
  empty.hidden = !(st.query && !st.results.length);
  empty.textContent = empty.hidden ? '' : t('search.none', { q: st.query });
  st.active = -1;
  setActive(-1);
}

async function runSearch(q) {
  if (st.abort) st.abort.abort();
  const seq = ++st.seq;
  if (!q) {
    st.query = '';
    st.results = [];
    renderResults();
    return st.results;
  }
  st.abort = new AbortController();
  try {
    const res = await api('GET', `/api/v1/members?q=${encodeURIComponent(q)}&limit=10`, { signal: st.abort.signal });
    if (seq !== st.seq) return null; // a newer search is under way
    st.query = q;
    st.results = res.members || [];
    renderResults();
    return st.results;
  } catch (err) {
    failed(err);
    return null;
  }
}

function onSearchInput() {
  clearTimeout(st.timer);
  const q = $('search').value.trim();
  st.timer = setTimeout(() => runSearch(q), SEARCH_DELAY_MS);
}

// Enter: the highlighted result, else an exact card token (a scanner types it and Enter), phone
// or email, else the only result.
async function onSearchEnter() {
  clearTimeout(st.timer);
  const q = $('search').value.trim();
  if (!q) return;
  if (st.active >= 0 && st.results[st.active] && st.query === q) {
    openMember(st.results[st.active].id);
    return;
  }
  const exact = st.query === q && st.results.find((m) => m.card_token === q || (m.email && m.email.toLowerCase() === q.toLowerCase()));
  if (exact) {
    openMember(exact.id);
    return;
  }
  if (looksLikeRef(q)) {
    if (st.abort) st.abort.abort();
    st.seq++;
    try {
      const view = await api('GET', `/api/v1/members/${encodeURIComponent(q)}`);
      st.results = [];
      st.query = q;
      renderResults();
      showMember(view, true);
      return;
    } catch (err) {
      if (err.status !== 404) {
        failed(err);
        return;
      }
    }
  }
  const found = await runSearch(q);
  if (found && found.length === 1) openMember(found[0].id);
  else if (found && found.length > 1) {
    setActive(0);
  }
}

function onSearchKey(ev) {
  if (ev.key === 'ArrowDown') {
    ev.preventDefault();
    setActive(st.active + 1);
  } else if (ev.key === 'ArrowUp') {
    ev.preventDefault();
    setActive(st.active - 1);
  } else if (ev.key === 'Enter') {
    ev.preventDefault();
    onSearchEnter();
  } else if (ev.key === 'Escape') {
    $('search').value = '';
    runSearch('');
  }
}

// Keys on a focused result (after a click or a tap): arrows move, Enter opens.
function onResultsKey(ev) {
  const items = [...$('results').querySelectorAll('li.result')];
  const i = items.indexOf(document.activeElement);
  if (i < 0) return;
  if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
    ev.preventDefault();
    const li = setActive(i + (ev.key === 'ArrowDown' ? 1 : -1));
    if (li) li.focus();
  } else if (ev.key === 'Enter' || ev.key === ' ') {
    ev.preventDefault();
    openMember(Number(items[i].dataset.memberId));
  }
}

/* ---- member panel ---- */

async function openMember(id) {
  try {
    const view = await api('GET', `/api/v1/members/${encodeURIComponent(id)}`);
    showMember(view, true);
  } catch (err) {
    failed(err);
  }
}

function showMember(view, fresh) {
  const changed = !st.view || st.view.member.id !== view.member.id;
  st.view = view;
  if (changed) {
    st.voucher = null;
    st.explain = null;
    st.items = [];
    st.pending = null;
    $('purchase-form').reset();
    renderItems();
    setUndo(null);
  }
  renderMember();
  renderVoucher();
  renderExplain();
  renderQueue();
  $('member').hidden = false;
  $('purchase').hidden = false;
  if (fresh) {
    st.results = [];
    st.query = '';
    renderResults();
    $('purchase-amount').focus();
  }
}

// Why a reward cannot be redeemed, from the API's why_not_code (the order the server checks in).
function reasonFor(r, view) {
  const b = view.balances || {};
  switch (r.why_not_code) {
    case 'tier': {
      const def = rewardDef(r.id);
      const tiers = def && Array.isArray(def.tiers) ? def.tiers : [];
      return t('reward.tier_only', { tiers: tiers.map((x) => tierName(x)).join(', ') });
    }
    case 'out_of_stock': return t('reward.out_of_stock');
    case 'points': return t('reward.need_points', { n: formatNumber(r.cost - Math.max(0, b.points || 0)) });
    case 'stamps': return t('reward.need_stamps', { n: formatNumber(r.cost - (b.stamps || 0)) });
    default: break;
  }
  return t('reward.not_now');
}

function renderMember() {
  const v = st.view;
  if (!v) return;
  const m = v.member;
  const b = v.balances || {};
  $('member-name').textContent = m.name || `#${m.id}`;
  $('member-profile-link').href = `#member/${m.id}`;
  $('member-greeting').textContent = m.purchases > 0 ? t('member.greeting', { name: m.name }) : t('member.greeting_new', { name: m.name });
  const contact = [m.phone, m.email].filter(Boolean);
  if (m.locale) contact.push(t('member.language', { language: langName(m.locale) }));
  $('member-contact').textContent = contact.join(' · ');

  const tier = v.tier || {};
  $('member-tier').textContent = tierName(tier.id || m.tier, tier.name);
  const next = tier.next;
  $('member-progress').textContent = !next
    ? t('member.top_tier')
    : tier.basis === 'spend'
      ? t('member.next_tier_spend', { amount: formatMoney(next.remaining, st.currency), tier: tierName(next.id, next.name) })
      : t('member.next_tier', { n: formatNumber(next.remaining), tier: tierName(next.id, next.name) });

  $('member-points').textContent = formatNumber(b.points || 0);
  $('member-points').dataset.value = String(b.points || 0);
  $('member-pending').textContent = formatNumber(b.pending || 0);
  $('member-pending').dataset.value = String(b.pending || 0);
  const ex = v.expiring || {};
  $('member-expiring').textContent = ex.points > 0
    ? t('member.expiring', { n: formatNumber(ex.points), date: formatDate(ex.first_at) })
    : t('member.expiring_none', { days: formatNumber(ex.days || 30) });
  $('member-expiring').dataset.value = String(ex.points || 0);

  const card = v.stamp_card || { card_size: 0, on_card: 0 };
  const sc = $('stamp-card');
  sc.replaceChildren();
  for (let i = 0; i < card.card_size; i++) sc.append(el('span', { class: i < card.on_card ? 'stamp filled' : 'stamp' }));
  sc.setAttribute('aria-label', t('stamps.label', { n: formatNumber(card.on_card), size: formatNumber(card.card_size) }));
  $('stamp-extra').textContent = card.full_cards > 0 ? t('stamps.full', { n: formatNumber(card.full_cards) }) : '';

  const ul = $('rewards');
  ul.replaceChildren();
  if (!(v.rewards || []).length) ul.append(el('li', { class: 'hint', text: t('rewards.none') }));
  for (const r of v.rewards || []) {
    const name = localName(rewardDef(r.id) && rewardDef(r.id).name, r.name);
    const cost = r.cost_in === 'stamps' ? t('reward.cost_stamps', { n: formatNumber(r.cost) }) : t('reward.cost_points', { n: formatNumber(r.cost) });
    const btn = el('button', { type: 'button', class: 'redeem', 'data-reward': r.id },
      el('span', { class: 'reward-name', text: name }), el('span', { class: 'reward-cost', text: cost }));
    const li = el('li', {}, btn);
    if (!r.available) {
      btn.disabled = true;
      const why = el('span', { class: 'reason', id: `reason-${r.id}`, text: reasonFor(r, v) });
      if (r.why_not) why.title = r.why_not;
      btn.setAttribute('aria-describedby', why.id);
      li.append(why);
    } else {
      btn.setAttribute('aria-label', t('reward.redeem', { name, cost }));
      btn.addEventListener('click', () => redeem(r.id, name, btn));
    }
    ul.append(li);
  }
}

async function refreshMember() {
  if (!st.view) return;
  try {
    showMember(await api('GET', `/api/v1/members/${st.view.member.id}`), false);
  } catch (err) {
    failed(err);
  }
}

// Back from the member profile: the member stays selected, with fresh balances.
export async function selectMember(id) {
  if (st.view && st.view.member.id === id) await refreshMember();
  else await openMember(id);
}

function closeMember() {
  st.view = null;
  $('member').hidden = true;
  $('purchase').hidden = true;
  $('search').focus();
}

/* ---- redeem ---- */

function renderVoucher() {
  const box = $('voucher');
  box.hidden = !st.voucher;
  if (!st.voucher) return;
  $('voucher-code').textContent = st.voucher.code;
  $('voucher-short').textContent = t('voucher.details', {
    code: st.voucher.short_code || st.voucher.code,
    date: formatDate(st.voucher.expires_at),
  });
}

async function redeem(rewardId, name, btn) {
  if (!st.view) return;
  btn.disabled = true;
  try {
    const res = await api('POST', '/api/v1/redemptions', { body: { member: st.view.member.id, reward: rewardId }, key: uuid() });
    st.voucher = res.voucher;
    say(t('reward.redeemed', { name, code: res.voucher.short_code || res.voucher.code }), 'ok');
    await refreshMember();
    $('voucher-code').focus();
  } catch (err) {
    btn.disabled = false;
    failed(err);
  }
}

/* ---- purchase ---- */

function renderAmountLabel() {
  $('purchase-amount-label').textContent = t('purchase.amount', { currency: st.currency });
  $('purchase-amount').placeholder = exampleAmount(st.currency);
  $('item-amount').placeholder = exampleAmount(st.currency);
  const v = parseMoney($('purchase-amount').value, st.currency);
  $('purchase-amount-preview').textContent = v == null ? '' : formatMoney(v, st.currency);
}

function renderItems() {
  const ul = $('items');
  ul.replaceChildren();
  st.items.forEach((it, i) => {
    const rm = el('button', { type: 'button', class: 'secondary small', text: t('item.remove') });
    rm.setAttribute('aria-label', t('item.remove_named', { name: it.sku || it.category }));
    rm.addEventListener('click', () => {
      st.items.splice(i, 1);
      renderItems();
    });
    ul.append(el('li', {},
      el('span', { text: t('item.line', { qty: formatNumber(it.qty), name: [it.sku, it.category].filter(Boolean).join(' / '), amount: formatMoney(it.amount, st.currency) }) }),
      rm));
  });
}

function purchaseError(text) {
  const e = $('purchase-error');
  e.textContent = text || '';
  e.hidden = !text;
}

// The item row as an item, null when the row is empty, or an Error when it is not valid.
function rowItem() {
  const sku = $('item-sku').value.trim();
  const category = $('item-category').value.trim();
  const amountText = $('item-amount').value.trim();
  if (!sku && !category && !amountText) return null;
  const qty = Number($('item-qty').value || 1);
  const amount = amountText ? parseMoney(amountText, st.currency) : 0;
  if ((!sku && !category) || !Number.isInteger(qty) || qty < 1 || amount == null)
    return new Error(t('purchase.bad_item', { example: exampleAmount(st.currency) }));
  const it = { qty, amount };
  if (sku) it.sku = sku;
  if (category) it.category = category;
  return it;
}

function clearRow() {
  $('item-sku').value = '';
  $('item-category').value = '';
  $('item-qty').value = '1';
  $('item-amount').value = '';
}

function onItemAdd() {
  const it = rowItem();
  if (it instanceof Error) {
    purchaseError(it.message);
    return;
  }
  purchaseError('');
  if (!it) return;
  st.items.push(it);
  clearRow();
  renderItems();
  $('item-sku').focus();
}

async function onPurchase(ev) {
  ev.preventDefault();
  if (!st.view) return;
  purchaseError('');
  const amount = parseMoney($('purchase-amount').value, st.currency);
  if (amount == null || amount <= 0) {
    purchaseError(t('purchase.bad_amount', { example: exampleAmount(st.currency) }));
    $('purchase-amount').focus();
    return;
  }
  const row = rowItem(); // a filled row counts even when "Add item" was not pressed
  if (row instanceof Error) {
    purchaseError(row.message);
    return;
  }
  const items = row ? [...st.items, row] : st.items;
  const body = { member: st.view.member.id, amount };
  if (items.length) body.items = items;
  const text = JSON.stringify(body);
  // a retry of the same purchase after a failure reuses its key: it is recorded once
  if (!st.pending || st.pending.body !== text) st.pending = { key: uuid(), body: text };
  $('purchase-submit').disabled = true;
  const entry = { key: st.pending.key, body, member: { id: st.view.member.id, name: st.view.member.name || `#${st.view.member.id}` }, merchant_id: st.merchant, currency: st.currency };
  const purchaseDone = () => {
    st.pending = null;
    st.items = [];
    if (row) clearRow();
    $('purchase-amount').value = '';
    renderItems();
    renderAmountLabel();
  };
  // offline, or older purchases still waiting (they go first): straight into the queue
  if (navigator.onLine === false || st.queue.some(sendable)) {
    if (await queuePurchase(entry)) purchaseDone();
    $('purchase-submit').disabled = false;
    if (navigator.onLine !== false) drainQueue(true); // behind older ones: sent after them
    return;
  }
  try {
    const res = await queue.send(body, st.pending.key, DIRECT_TIMEOUT_MS);
    st.pending = null;
    const o = res.outcome || {};
    st.explain = (o.explain || []).map((x) => x.text);
    let msg = t('purchase.done', {
      amount: formatMoney(amount, st.currency),
      points: formatNumber((o.points_earned || 0) + (o.bonus_points || 0)),
      stamps: formatNumber(o.stamps_earned || 0),
    });
    if (o.tier_changed) msg += ` ${t('purchase.tier_changed', { tier: tierName(o.tier_after) })}`;
    say(msg, 'ok');
    purchaseDone();
    if (res.purchase && res.purchase.id)
      setUndo({ purchase: res.purchase.id, amount, member: body.member, until: Date.now() + UNDO_GRACE_MS, key: uuid() });
    await refreshMember();
  } catch (err) {
    const v = queue.verdict(err);
    if (v === 'retry' || v === 'login') {
      // not reached, not answered in time, or the session ended: kept with its key, sent later
      if (await queuePurchase(entry)) purchaseDone();
      if (v === 'login') sessionLost();
      return;
    }
    if (err.status && err.status !== 503) st.pending = null; // refused: a new attempt is new
    if (err.status === 400 || err.status === 422) purchaseError(describe(err));
    failed(err);
  } finally {
    $('purchase-submit').disabled = false;
  }
}

/* ---- undo: the last purchase refunded in full, within the grace period ---- */

function renderUndo() {
  const u = st.undo;
  $('undo-box').hidden = !u;
  if (!u) return;
  const left = Math.max(0, Math.ceil((u.until - Date.now()) / 1000));
  $('undo-text').textContent = t('undo.offer', { amount: formatMoney(u.amount, st.currency), seconds: formatNumber(left) });
}

// Offers Undo for u (null: withdraws it); the offer ends by itself at u.until.
function setUndo(u) {
  clearInterval(st.undoTimer);
  st.undoTimer = 0;
  st.undo = u;
  renderUndo();
  if (!u) return;
  st.undoTimer = setInterval(() => {
    if (!st.undo || Date.now() >= st.undo.until) setUndo(null);
    else renderUndo();
  }, 1000);
}

async function onUndo() {
  const u = st.undo;
  if (!u || Date.now() >= u.until) {
    setUndo(null);
    return;
  }
  $('undo-button').disabled = true;
  try {
    // the same key on a retry: refunded once however often Undo is pressed
    await api('POST', `/api/v1/purchases/${u.purchase}/refunds`, { body: { reason: 'undone at the counter' }, key: u.key });
    setUndo(null);
    st.explain = null;
    renderExplain();
    say(t('undo.done', { amount: formatMoney(u.amount, st.currency) }), 'ok');
    if (st.view && st.view.member.id === u.member) await refreshMember();
    $('purchase-amount').focus();
  } catch (err) {
    failed(err);
  } finally {
    $('undo-button').disabled = false;
  }
}

/* ---- camera scan ---- */

function onScanCamera() {
  startScan(
    (token) => {
      $('search').value = token;
      onSearchEnter();
    },
    (message) => say(message, 'error'),
  );
}

function renderExplain() {
  const box = $('explanation-box');
  box.hidden = !st.explain;
  const ul = $('explanation');
  ul.replaceChildren();
  for (const line of st.explain || []) ul.append(el('li', { text: line }));
}

/* ---- offline queue ---- */

function formatTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(intlLocale(), { timeStyle: 'short' }).format(d);
}

// A queued purchase this session may send (made under the same merchant).
function sendable(e) {
  return st.merchant == null || e.merchant_id == null || e.merchant_id === st.merchant;
}

function entryText(e) {
  return {
    name: (e.member && e.member.name) || '',
    amount: formatMoney(e.body.amount, e.currency || st.currency),
    time: formatTime(e.created_at),
  };
}

// Stores a purchase that could not be sent; false (and says why) when the browser cannot keep it.
async function queuePurchase(entry) {
  try {
    await queue.enqueue(entry);
  } catch {
    say(t('offline.unavailable'), 'error');
    return false;
  }
  await loadQueue();
  const x = entryText(entry);
  say(t('offline.queued', { amount: x.amount, name: x.name, n: formatNumber(st.queue.length) }), 'error');
  return true;
}

async function loadQueue() {
  try {
    st.queue = await queue.list();
  } catch {
    st.queue = [];
  }
  renderQueue();
}

function renderQueue() {
  if (!document.body.classList.contains('ready') && !st.running) return; // texts not loaded yet
  const n = st.queue.length;
  $('queue-box').hidden = n === 0;
  $('queue-count').textContent = formatNumber(n);
  $('queue-count').dataset.value = String(n);
  $('queue-count').setAttribute('aria-label', t('offline.queue_count', { n: formatNumber(n) }));
  $('queue-note').textContent = st.running ? t('offline.queue_note') : t('offline.queue_note_login');
  $('queue-retry').hidden = !st.running;
  $('queue').replaceChildren(...st.queue.map((e) =>
    el('li', { 'data-key': e.key, 'data-amount': String(e.body.amount), text: t('offline.queue_item', entryText(e)) })));
  $('queue-failed-box').hidden = st.refused.length === 0;
  $('queue-failed').replaceChildren(...st.refused.map((f) =>
    el('li', { 'data-key': f.entry.key, 'data-amount': String(f.entry.body.amount), text: t('offline.failed_item', { ...entryText(f.entry), message: f.message }) })));
  const mine = st.view ? st.queue.filter((e) => e.member && e.member.id === st.view.member.id).length : 0;
  $('member-queued').hidden = mine === 0;
  $('member-queued').textContent = mine ? t('offline.member_queued', { n: formatNumber(mine) }) : '';
}

function sessionLost() {
  say(t('offline.login_again', { n: formatNumber(st.queue.length) }), 'error');
  st.onSessionEnded();
  renderQueue();
}

// Sends what waits, oldest first, each with its own key and the current session's CSRF token.
// quiet (the periodic retry): says nothing unless something was sent or refused.
async function drainQueue(quiet = false) {
  if (!st.running || st.draining || navigator.onLine === false) return;
  await loadQueue();
  if (!st.queue.length) return;
  st.draining = true;
  const landed = new Set();
  let result = null;
  if (!quiet) say(t('offline.sending', { n: formatNumber(st.queue.length) }));
  try {
    result = await queue.drain(st.merchant, {
      onSent: (e) => {
        landed.add(e.member && e.member.id);
        st.queue = st.queue.filter((x) => x.key !== e.key);
        renderQueue();
      },
      onFailed: (e, err) => {
        st.refused.push({ entry: e, message: err.message || String(err.status) });
        st.queue = st.queue.filter((x) => x.key !== e.key);
        renderQueue();
      },
    });
  } catch {
    result = { sent: 0, failed: 0, stopped: 'retry' };
  } finally {
    st.draining = false;
  }
  await loadQueue();
  if (result.stopped === 'login') {
    sessionLost();
  } else if (result.failed) {
    const f = st.refused[st.refused.length - 1];
    say(t('offline.refused', { ...entryText(f.entry), message: f.message }), 'error');
  } else if (result.sent) {
    say(st.queue.length
      ? t('offline.sent_some', { n: formatNumber(result.sent), left: formatNumber(st.queue.length) })
      : t('offline.sent', { n: formatNumber(result.sent) }), st.queue.length ? 'error' : 'ok');
  } else if (result.stopped === 'retry' && !quiet) {
    say(navigator.onLine === false ? t('offline.offline') : t('offline.still_waiting', { n: formatNumber(st.queue.length) }), 'error');
  }
  if (st.view && landed.has(st.view.member.id)) await refreshMember();
}

function queueTick() {
  if (st.running && navigator.onLine !== false && st.queue.length) drainQueue(true);
  else loadQueue();
}

/* ---- lifecycle ---- */

function fillDatalists() {
  const p = st.programme || {};
  const cats = new Set();
  const skus = new Set();
  for (const r of (p.stamps && p.stamps.earn) || []) if (r.category) cats.add(r.category);
  for (const r of (p.points && p.points.earn) || []) if (r.category) cats.add(r.category);
  for (const r of p.rewards || []) if (r.sku) skus.add(r.sku);
  $('category-list').replaceChildren(...[...cats].map((c) => el('option', { value: c })));
  $('sku-list').replaceChildren(...[...skus].map((s) => el('option', { value: s })));
}

function wire() {
  const s = $('search');
  s.addEventListener('input', onSearchInput);
  s.addEventListener('keydown', onSearchKey);
  s.addEventListener('focus', () => s.select());
  $('results').addEventListener('keydown', onResultsKey);
  $('member-close').addEventListener('click', closeMember);
  $('item-add').addEventListener('click', onItemAdd);
  $('purchase-form').addEventListener('submit', onPurchase);
  $('undo-button').addEventListener('click', onUndo);
  $('scan-camera').hidden = !cameraAvailable();
  $('scan-camera').addEventListener('click', onScanCamera);
  $('scan-cancel').addEventListener('click', stopScan);
  $('scan-dialog').addEventListener('close', stopScan);
  $('purchase-amount').addEventListener('input', renderAmountLabel);
  $('queue-retry').addEventListener('click', () => drainQueue());
  $('queue-failed-clear').addEventListener('click', () => {
    st.refused = [];
    renderQueue();
  });
  window.addEventListener('online', () => drainQueue());
  window.addEventListener('offline', () => {
    if (st.running) say(t('offline.offline'), 'error');
  });
}

export async function startCounter(opts) {
  st.onSessionEnded = opts.onSessionEnded;
  if (!st.started) {
    wire();
    st.started = true;
  }
  $('counter').hidden = false;
  st.running = true;
  try {
    const s = await api('GET', '/api/v1/session');
    st.merchant = (s && s.user && s.user.merchant_id) || null;
  } catch {
    st.merchant = null;
  }
  try {
    const p = await api('GET', '/api/v1/programme');
    st.programme = p.programme;
    st.currency = (p.programme && p.programme.merchant && p.programme.merchant.currency) || 'MYR';
    setCurrency(st.currency);
  } catch (err) {
    failed(err);
  }
  fillDatalists();
  renderAmountLabel();
  $('search').focus();
  if (navigator.onLine === false) say(t('offline.offline'), 'error');
  drainQueue();
}

export function stopCounter() {
  st.running = false;
  clearTimeout(st.timer);
  if (st.abort) st.abort.abort();
  st.view = null;
  st.results = [];
  st.voucher = null;
  st.explain = null;
  setUndo(null);
  stopScan();
  $('member').hidden = true;
  $('purchase').hidden = true;
  $('counter').hidden = true;
  $('results').replaceChildren();
  $('search').value = '';
}

// After a language change: every text the counter wrote itself.
export function rerenderCounter() {
  renderQueue();
  if (!st.started) return;
  renderResults();
  renderMember();
  renderVoucher();
  renderItems();
  renderAmountLabel();
  renderUndo();
}

// The queue is shown (on the login screen too) and retried on a timer, and at once when the
// connection returns or the counter starts.
st.tick = setInterval(queueTick, QUEUE_TICK_MS);
