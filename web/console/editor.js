// The programme editor (owner only, #programme): the active programme from GET /api/v1/programme
// as forms (a draft copy), checked by the CLI's validator (POST /api/v1/programme:validate; its
// error's JSON path puts the message next to the input of that path), saved as a new version
// (PUT /api/v1/programme), and a preview of one purchase from the dry run
// (POST /api/v1/purchases:simulate) with the draft as it is now: unsaved changes show in the
// preview before they are saved (the dry run saves nothing). All texts from web/i18n (editor.*).
import { api } from './api.js';
import { t } from './i18n.js';
import { formatMoney, parseMoney, setCurrency } from './money.js';
import { say, describe } from './status.js';

const $ = (id) => document.getElementById(id);
const st = { wired: false, draft: null, version: 0, seq: 0, previewSeq: 0, timer: 0, onSessionEnded: null, dirty: false };

// ---- paths: "points.earn[0].rate" <-> ['points', 'earn', 0, 'rate'] ----
const split = (p) => p.replace(/\[(\d+)\]/g, '.$1').split('.').filter((s) => s !== '').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
function getAt(obj, path) {
  let o = obj;
  for (const k of split(path)) { if (o == null) return undefined; o = o[k]; }
  return o;
}
function setAt(obj, path, value) {
  const keys = split(path);
  let o = obj;
  for (let i = 0; i < keys.length - 1; i++) {
    if (o[keys[i]] == null || typeof o[keys[i]] !== 'object') o[keys[i]] = typeof keys[i + 1] === 'number' ? [] : {};
    o = o[keys[i]];
  }
  const last = keys[keys.length - 1];
  if (value === undefined) delete o[last];
  else o[last] = value;
}

// ---- text <-> JSON value, by kind; a value that does not parse is sent as typed, so that the
// validator names it ("expected an integer, got "abc"") ----
const KINDS = {
  int: [(v) => (v == null ? '' : String(v)), (s) => (s === '' ? undefined : /^-?\d+$/.test(s) ? Number(s) : s)],
  num: [(v) => (v == null ? '' : String(v)), (s) => (s === '' ? undefined : /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : s)],
  text: [(v) => (v == null ? '' : String(v)), (s) => (s === '' ? undefined : s)],
  list: [(v) => (Array.isArray(v) ? v.join(', ') : ''), (s) => (s === '' ? undefined : s.split(',').map((x) => x.trim()).filter(Boolean))],
  lines: [(v) => (Array.isArray(v) ? v.join('\n') : ''), (s) => (s.trim() === '' ? undefined : s.split('\n').map((x) => x.trim()).filter(Boolean))],
  bool: [(v) => !!v, (b) => (b ? true : undefined)],
  json: [(v) => (v === undefined ? '' : JSON.stringify(v, null, 1)), (s) => {
    if (s.trim() === '') return undefined;
    try { return JSON.parse(s); } catch { return { __bad: s }; }
  }],
  // a tier threshold: an amount string on basis "spend", an integer on basis "points"
  threshold: [(v) => (v == null ? '' : String(v)), (s) => (s === '' ? undefined
    : (st.draft.tiers && st.draft.tiers.basis === 'points' && /^\d+$/.test(s)) ? Number(s) : s)],
};

// A name in every console language: one text input per language, bound to draft[path] as
// {"en": ..., "ms": ...} (a plain text name shows as English: the server falls back to English
// for a language without its own name, so the two mean the same); other languages kept as they are.
const NAME_LANGS = ['en', 'ms', 'hu', 'bn'];
function namesField(path, label) {
  const box = document.createElement('fieldset');
  box.className = 'ed-field ed-names';
  const legend = document.createElement('legend');
  legend.textContent = label;
  box.appendChild(legend);
  const cur = getAt(st.draft, path);
  for (const lang of NAME_LANGS) {
    const id = `ed-${++uid}`;
    const lab = document.createElement('label');
    lab.htmlFor = id;
    lab.textContent = t(`lang.${lang}`);
    lab.lang = lang;
    const input = document.createElement('input');
    input.id = id;
    input.autocomplete = 'off';
    input.lang = lang;
    input.value = typeof cur === 'string' ? (lang === 'en' ? cur : '') : (cur && cur[lang]) || '';
    input.dataset.path = path;
    input.dataset.kind = 'name';
    input.dataset.lang = lang;
    input.addEventListener('input', () => onEdit(input));
    const err = document.createElement('p');
    err.className = 'error ed-error';
    err.id = `${id}-err`;
    err.hidden = true;
    box.append(lab, input, err);
  }
  return box;
}

let uid = 0;
// One labelled control bound to the draft at `path`. opts: {kind, options: [[value, label]], hint}
function field(path, label, opts = {}) {
  const kind = opts.kind || 'text';
  const [show] = KINDS[kind] || KINDS.text;
  const wrap = document.createElement('div');
  wrap.className = `ed-field ed-${kind}`;
  const id = `ed-${++uid}`;
  const lab = document.createElement('label');
  lab.htmlFor = id;
  lab.textContent = label;
  let input;
  if (opts.options) {
    input = document.createElement('select');
    for (const [v, l] of [['', '—'], ...opts.options]) {
      const o = document.createElement('option');
      o.value = v;
      o.textContent = l;
      input.appendChild(o);
    }
    const cur = getAt(st.draft, path);
    if (cur != null && ![...input.options].some((o) => o.value === String(cur))) {
      const o = document.createElement('option');
      o.value = String(cur);
      o.textContent = String(cur);
      input.appendChild(o);
    }
    input.value = cur == null ? '' : String(cur);
  } else if (kind === 'json' || kind === 'lines') {
    input = document.createElement('textarea');
    input.rows = kind === 'json' ? 3 : 2;
    input.spellcheck = false;
    input.value = show(getAt(st.draft, path));
  } else if (kind === 'bool') {
    input = document.createElement('input');
    input.type = 'checkbox';
    input.checked = show(getAt(st.draft, path));
    wrap.classList.add('ed-check');
  } else {
    input = document.createElement('input');
    input.autocomplete = 'off';
    input.spellcheck = false;
    if (kind === 'int' || kind === 'num') input.inputMode = kind === 'int' ? 'numeric' : 'decimal';
    input.value = show(getAt(st.draft, path));
  }
  input.id = id;
  input.dataset.path = path;
  input.dataset.kind = kind;
  input.addEventListener(kind === 'bool' || opts.options ? 'change' : 'input', () => onEdit(input));
  const err = document.createElement('p');
  err.className = 'error ed-error';
  err.id = `${id}-err`;
  err.hidden = true;
  if (kind === 'bool') wrap.append(input, lab, err);
  else wrap.append(lab, input, err);
  if (opts.hint) {
    const h = document.createElement('p');
    h.className = 'hint';
    h.textContent = opts.hint;
    wrap.appendChild(h);
  }
  return wrap;
}

function onEdit(input) {
  const kind = input.dataset.kind;
  if (kind === 'name') {
    const cur = getAt(st.draft, input.dataset.path);
    const names = typeof cur === 'string' ? { en: cur } : { ...(cur || {}) };
    if (input.value.trim()) names[input.dataset.lang] = input.value.trim();
    else delete names[input.dataset.lang];
    setAt(st.draft, input.dataset.path, Object.keys(names).length ? names : undefined);
    markDirty(true);
    clearTimeout(st.timer);
    st.timer = setTimeout(validate, 500);
    return;
  }
  const parse = (KINDS[kind] || KINDS.text)[1];
  let v = kind === 'bool' ? parse(input.checked) : parse(input.value);
  if (v && v.__bad !== undefined) v = v.__bad; // bad JSON: sent as a string, the validator says where
  setAt(st.draft, input.dataset.path, v);
  if (input.dataset.path.startsWith('tiers.basis')) render();
  markDirty(true);
  clearTimeout(st.timer);
  st.timer = setTimeout(validate, 500);
}

function markDirty(d) {
  st.dirty = d;
  $('editor-dirty').hidden = !d;
}

const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};
function fieldset(title, ...children) {
  const fs = el('fieldset', 'ed-group');
  fs.appendChild(el('legend', '', title));
  for (const c of children) if (c) fs.appendChild(c);
  return fs;
}
const row = (...children) => { const d = el('div', 'ed-row'); d.append(...children.filter(Boolean)); return d; };
function button(text, fn, cls = 'secondary small') {
  const b = el('button', cls, text);
  b.type = 'button';
  b.addEventListener('click', fn);
  return b;
}
// list controls: move up / down (priorities renumbered 10, 20, ... in the new order), remove
function listTools(path, i, { priorities = false, label = '' } = {}) {
  const list = getAt(st.draft, path);
  const move = (d) => () => {
    const j = i + d;
    if (j < 0 || j >= list.length) return;
    [list[i], list[j]] = [list[j], list[i]];
    if (priorities) list.forEach((r, k) => { r.priority = (k + 1) * 10; });
    edited();
  };
  const d = el('div', 'ed-tools');
  const up = button('↑', move(-1));
  up.setAttribute('aria-label', t('editor.move_up', { name: label }));
  up.disabled = i === 0;
  const down = button('↓', move(1));
  down.setAttribute('aria-label', t('editor.move_down', { name: label }));
  down.disabled = i === list.length - 1;
  const rm = button(t('editor.remove'), () => { list.splice(i, 1); edited(); });
  rm.setAttribute('aria-label', t('editor.remove_named', { name: label }));
  d.append(up, down, rm);
  return d;
}
function edited() {
  render();
  markDirty(true);
  clearTimeout(st.timer);
  st.timer = setTimeout(validate, 300);
}

const DAYS = 'mon, tue, ...';
const ROUNDING = () => [['floor', t('editor.rounding.floor')], ['round', t('editor.rounding.round')], ['ceil', t('editor.rounding.ceil')]];

// ---- the sections ----
function stampsSection() {
  const d = st.draft;
  if (!d.stamps) {
    return fieldset(t('editor.stamps.heading'), el('p', 'hint', t('editor.stamps.none')),
      button(t('editor.stamps.add'), () => { d.stamps = { card_size: 10, earn: [{ per: 'visit', stamps: 1 }] }; edited(); }));
  }
  const rules = (d.stamps.earn || []).map((r, i) => {
    const p = `stamps.earn[${i}]`;
    const box = el('div', 'ed-item');
    box.dataset.path = p;
    box.append(
      el('h4', '', t('editor.stamps.rule', { n: i + 1 })),
      row(
        field(`${p}.per`, t('editor.stamps.per'), { options: [['visit', t('editor.stamps.per_visit')], ['item', t('editor.stamps.per_item')], ['amount', t('editor.stamps.per_amount')]] }),
        field(`${p}.stamps`, t('editor.stamps.stamps'), { kind: 'int' }),
        field(`${p}.amount`, t('editor.stamps.amount'), { hint: t('editor.stamps.amount_hint') }),
        field(`${p}.category`, t('editor.field.category')),
        field(`${p}.min_spend`, t('editor.field.min_spend')),
      ),
      row(
        field(`${p}.id`, t('editor.field.id')),
        field(`${p}.priority`, t('editor.field.priority'), { kind: 'int' }),
        field(`${p}.days`, t('editor.field.days'), { kind: 'list', hint: DAYS }),
        field(`${p}.hours`, t('editor.field.hours'), { hint: '14:00-16:00' }),
        field(`${p}.locations`, t('editor.field.locations'), { kind: 'list' }),
        field(`${p}.valid_from`, t('editor.field.valid_from'), { hint: 'YYYY-MM-DD' }),
        field(`${p}.valid_to`, t('editor.field.valid_to'), { hint: 'YYYY-MM-DD' }),
        field(`${p}.stop`, t('editor.field.stop'), { kind: 'bool' }),
      ),
      listTools('stamps.earn', i, { label: t('editor.stamps.rule', { n: i + 1 }) }),
    );
    return box;
  });
  const stampRewards = (d.rewards || []).filter((r) => r && r.cost && r.cost.stamps !== undefined).map((r) => [r.id, r.id]);
  return fieldset(t('editor.stamps.heading'),
    row(
      field('stamps.card_size', t('editor.stamps.card_size'), { kind: 'int' }),
      field('stamps.reward', t('editor.stamps.reward'), { options: stampRewards }),
      field('stamps.expires_after_days', t('editor.stamps.expires'), { kind: 'int', hint: t('editor.zero_never') }),
    ),
    el('h3', '', t('editor.stamps.earn')),
    ...rules,
    button(t('editor.stamps.add_rule'), () => { d.stamps.earn = d.stamps.earn || []; d.stamps.earn.push({ per: 'item', stamps: 1 }); edited(); }),
  );
}

function pointsSection() {
  const d = st.draft;
  if (!d.points) {
    return fieldset(t('editor.points.heading'), el('p', 'hint', t('editor.points.none')),
      button(t('editor.points.add'), () => { d.points = { earn: [] }; edited(); }));
  }
  d.points.earn = d.points.earn || [];
  const rules = d.points.earn.map((r, i) => {
    const p = `points.earn[${i}]`;
    const kind = r.multiplier !== undefined ? 'multiplier' : r.points !== undefined ? 'points' : 'points_per_unit';
    const box = el('div', 'ed-item');
    box.dataset.path = p;
    const kindSel = el('select');
    const kid = `ed-${++uid}`;
    kindSel.id = kid;
    for (const [v, l] of [['points_per_unit', t('editor.points.kind_rate')], ['multiplier', t('editor.points.kind_multiplier')], ['points', t('editor.points.kind_fixed')]]) {
      const o = el('option', '', l);
      o.value = v;
      kindSel.appendChild(o);
    }
    kindSel.value = kind;
    kindSel.addEventListener('change', () => {
      const v = r[kind];
      delete r.points_per_unit; delete r.multiplier; delete r.points;
      r[kindSel.value] = kindSel.value === 'multiplier' ? 2 : (typeof v === 'number' && v >= 1 ? Math.round(v) : 1);
      edited();
    });
    const kindWrap = el('div', 'ed-field');
    const kl = el('label', '', t('editor.points.kind'));
    kl.htmlFor = kid;
    kindWrap.append(kl, kindSel);
    const valueLabel = { points_per_unit: t('editor.points.rate'), multiplier: t('editor.points.multiplier'), points: t('editor.points.fixed') }[kind];
    const name = r.id || t('editor.points.rule', { n: i + 1 });
    box.append(
      el('h4', '', name),
      row(
        field(`${p}.id`, t('editor.field.id')),
        field(`${p}.priority`, t('editor.field.priority'), { kind: 'int', hint: t('editor.points.priority_hint') }),
        kindWrap,
        field(`${p}.${kind}`, valueLabel, { kind: kind === 'points' ? 'int' : 'num' }),
        field(`${p}.rounding`, t('editor.points.rounding'), { options: ROUNDING() }),
        field(`${p}.min_spend`, t('editor.field.min_spend')),
      ),
      row(
        field(`${p}.category`, t('editor.field.category')),
        field(`${p}.days`, t('editor.field.days'), { kind: 'list', hint: DAYS }),
        field(`${p}.hours`, t('editor.field.hours'), { hint: '14:00-16:00' }),
        field(`${p}.locations`, t('editor.field.locations'), { kind: 'list' }),
        field(`${p}.valid_from`, t('editor.field.valid_from'), { hint: 'YYYY-MM-DD' }),
        field(`${p}.valid_to`, t('editor.field.valid_to'), { hint: 'YYYY-MM-DD' }),
        field(`${p}.stop`, t('editor.field.stop'), { kind: 'bool' }),
      ),
      listTools('points.earn', i, { priorities: true, label: name }),
    );
    return box;
  });
  return fieldset(t('editor.points.heading'),
    el('p', 'hint', t('editor.points.order')),
    ...rules,
    button(t('editor.points.add_rule'), () => {
      const last = d.points.earn[d.points.earn.length - 1];
      d.points.earn.push({ id: `rule-${d.points.earn.length + 1}`, priority: ((last && last.priority) || 0) + 10, points_per_unit: 1 });
      edited();
    }),
    row(
      field('points.pending_days', t('editor.points.pending_days'), { kind: 'int' }),
      field('points.expiry.after_days', t('editor.points.expiry_after'), { kind: 'int' }),
      field('points.expiry.inactive_days', t('editor.points.expiry_inactive'), { kind: 'int' }),
      field('points.expiry.notice_days', t('editor.points.expiry_notice'), { kind: 'int' }),
    ),
    row(
      field('points.tender.point_value', t('editor.points.point_value')),
      field('points.tender.min_points', t('editor.points.min_points'), { kind: 'int' }),
      field('points.allow_debt', t('editor.points.allow_debt'), { kind: 'bool' }),
    ),
  );
}

function tiersSection() {
  const d = st.draft;
  if (!d.tiers) {
    return fieldset(t('editor.tiers.heading'), el('p', 'hint', t('editor.tiers.none')),
      button(t('editor.tiers.add'), () => { d.tiers = { basis: 'spend', levels: [{ id: 'member', name: 'Member', threshold: '0' }] }; edited(); }));
  }
  d.tiers.levels = d.tiers.levels || [];
  const levels = d.tiers.levels.map((l, i) => {
    const p = `tiers.levels[${i}]`;
    const box = el('div', 'ed-item');
    box.dataset.path = p;
    box.append(
      el('h4', '', l.id || t('editor.tiers.level', { n: i + 1 })),
      row(
        field(`${p}.id`, t('editor.field.id')),
        field(`${p}.threshold`, d.tiers.basis === 'points' ? t('editor.tiers.threshold_points') : t('editor.tiers.threshold_spend'), { kind: 'threshold' }),
        field(`${p}.multiplier`, t('editor.tiers.multiplier'), { kind: 'num' }),
      ),
      row(
        namesField(`${p}.name`, t('editor.field.names')),
        field(`${p}.perks`, t('editor.tiers.perks'), { kind: 'lines' }),
      ),
      listTools('tiers.levels', i, { label: l.id || '' }),
    );
    return box;
  });
  return fieldset(t('editor.tiers.heading'),
    row(
      field('tiers.basis', t('editor.tiers.basis'), { options: [['spend', t('editor.tiers.basis_spend')], ['points', t('editor.tiers.basis_points')]] }),
      field('tiers.window_days', t('editor.tiers.window_days'), { kind: 'int' }),
      field('tiers.review', t('editor.tiers.review'), { options: [['monthly', t('editor.tiers.monthly')], ['quarterly', t('editor.tiers.quarterly')], ['yearly', t('editor.tiers.yearly')]] }),
      field('tiers.grace_days', t('editor.tiers.grace_days'), { kind: 'int' }),
    ),
    el('p', 'hint', t('editor.tiers.order')),
    ...levels,
    button(t('editor.tiers.add_level'), () => { d.tiers.levels.push({ id: `level-${d.tiers.levels.length + 1}`, name: 'New', threshold: '0' }); edited(); }),
  );
}

function rewardsSection() {
  const d = st.draft;
  d.rewards = d.rewards || [];
  const items = d.rewards.map((r, i) => {
    const p = `rewards[${i}]`;
    const box = el('div', 'ed-item');
    box.dataset.path = p;
    const costKind = r.cost && r.cost.stamps !== undefined ? 'stamps' : 'points';
    const ck = el('select');
    const cid = `ed-${++uid}`;
    ck.id = cid;
    for (const [v, l] of [['points', t('editor.rewards.cost_points')], ['stamps', t('editor.rewards.cost_stamps')]]) {
      const o = el('option', '', l);
      o.value = v;
      ck.appendChild(o);
    }
    ck.value = costKind;
    ck.addEventListener('change', () => {
      const v = r.cost ? r.cost[costKind] : 1;
      r.cost = { [ck.value]: v };
      edited();
    });
    const ckWrap = el('div', 'ed-field');
    const cl = el('label', '', t('editor.rewards.cost_in'));
    cl.htmlFor = cid;
    ckWrap.append(cl, ck);
    const kind = r.kind;
    box.append(
      el('h4', '', r.id || t('editor.rewards.reward', { n: i + 1 })),
      row(
        field(`${p}.id`, t('editor.field.id')),
        field(`${p}.kind`, t('editor.rewards.kind'), { options: [['free_item', t('editor.rewards.free_item')], ['amount_off', t('editor.rewards.amount_off')], ['percent_off', t('editor.rewards.percent_off')]] }),
        kind === 'free_item' ? field(`${p}.sku`, t('editor.rewards.sku')) : null,
        kind === 'amount_off' ? field(`${p}.amount`, t('editor.rewards.amount')) : null,
        kind === 'percent_off' ? field(`${p}.percent`, t('editor.rewards.percent'), { kind: 'int' }) : null,
        ckWrap,
        field(`${p}.cost.${costKind}`, t('editor.rewards.cost'), { kind: 'int' }),
      ),
      row(
        namesField(`${p}.name`, t('editor.field.names')),
        field(`${p}.tiers`, t('editor.rewards.tiers'), { kind: 'list' }),
        field(`${p}.stock`, t('editor.rewards.stock'), { kind: 'int' }),
        field(`${p}.voucher_days`, t('editor.rewards.voucher_days'), { kind: 'int' }),
        field(`${p}.valid_from`, t('editor.field.valid_from'), { hint: 'YYYY-MM-DD' }),
        field(`${p}.valid_to`, t('editor.field.valid_to'), { hint: 'YYYY-MM-DD' }),
      ),
      listTools('rewards', i, { label: r.id || '' }),
    );
    return box;
  });
  return fieldset(t('editor.rewards.heading'), ...items,
    button(t('editor.rewards.add'), () => { d.rewards.push({ id: `reward-${d.rewards.length + 1}`, name: 'New reward', kind: 'amount_off', amount: '1.00', cost: { points: 100 } }); edited(); }));
}

function bonusesSection() {
  return fieldset(t('editor.bonuses.heading'),
    row(
      field('bonuses.welcome', t('editor.bonuses.welcome'), { kind: 'int' }),
      field('bonuses.birthday.points', t('editor.bonuses.birthday'), { kind: 'int' }),
      field('bonuses.birthday.window', t('editor.bonuses.birthday_window'), { options: [['week', t('editor.bonuses.week')], ['month', t('editor.bonuses.month')], ['day', t('editor.bonuses.day')]] }),
      field('bonuses.anniversary.points', t('editor.bonuses.anniversary'), { kind: 'int' }),
    ),
    row(
      field('bonuses.referral.referrer', t('editor.bonuses.referrer'), { kind: 'int' }),
      field('bonuses.referral.referee', t('editor.bonuses.referee'), { kind: 'int' }),
      field('bonuses.referral.min_first_purchase', t('editor.bonuses.min_first_purchase')),
      field('bonuses.referral.max_per_day', t('editor.bonuses.max_per_day'), { kind: 'int' }),
    ),
  );
}

function givingSection() {
  return fieldset(t('editor.giving.heading'),
    row(
      field('giving.cause', t('editor.giving.cause')),
      field('giving.percent', t('editor.giving.percent'), { kind: 'num' }),
    ));
}

// engagement triggers (docs/engagement.md): the whole "triggers" section as JSON, checked by the
// same validator as every other part (its errors land here by their path)
function triggersSection() {
  return fieldset(t('editor.triggers.heading'),
    field('triggers', t('editor.triggers.json'), { kind: 'json', hint: t('editor.json_hint') }));
}

function merchantSection() {
  return fieldset(t('editor.merchant.heading'),
    row(
      field('merchant.name', t('editor.merchant.name')),
      field('merchant.currency', t('editor.merchant.currency')),
      field('merchant.timezone', t('editor.merchant.timezone')),
      field('merchant.locale', t('editor.merchant.locale'), { options: [['en', 'en'], ['ms', 'ms'], ['hu', 'hu'], ['bn', 'bn']] }),
    ),
    field('locations', t('editor.merchant.locations_json'), { kind: 'json', hint: t('editor.json_hint') }),
  );
}

function render() {
  if (!st.draft) return;
  const form = $('editor-form');
  const focusPath = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.path : null;
  form.replaceChildren(stampsSection(), pointsSection(), tiersSection(), rewardsSection(), bonusesSection(), givingSection(), triggersSection(), merchantSection());
  if (focusPath) {
    const f = form.querySelector(`[data-path="${CSS.escape(focusPath)}"]`);
    if (f && f.matches('input,select,textarea')) f.focus();
  }
  $('editor-version').textContent = t('editor.version', { version: st.version });
  $('editor-version').dataset.version = String(st.version);
  if (st.lastError !== undefined) showErrors(st.lastError);
}

// ---- validation ----
// Puts an API error next to the input whose path is the longest prefix of the error's path.
function showErrors(error) {
  st.lastError = error;
  const box = $('editor-errors');
  for (const e of document.querySelectorAll('#editor-form .ed-error')) { e.hidden = true; e.textContent = ''; }
  for (const i of document.querySelectorAll('#editor-form [aria-invalid]')) { i.removeAttribute('aria-invalid'); i.removeAttribute('aria-describedby'); }
  if (!error) {
    box.hidden = true;
    box.replaceChildren();
    $('editor').dataset.valid = 'true';
    return;
  }
  $('editor').dataset.valid = 'false';
  const path = error.field || '';
  let target = null;
  let p = path;
  while (p && !target) {
    target = document.querySelector(`#editor-form [data-path="${CSS.escape(p)}"]`);
    if (!target) p = p.replace(/(\.[^.[\]]+|\[\d+\])$/, '') === p ? '' : p.replace(/(\.[^.[\]]+|\[\d+\])$/, '');
  }
  box.hidden = false;
  box.replaceChildren(el('h3', '', t('editor.errors.heading')));
  const li = el('p', '', error.message);
  box.appendChild(li);
  if (target) {
    const input = target.matches('input,select,textarea') ? target : target.querySelector('input,select,textarea');
    const msg = target.matches('input,select,textarea') ? target.parentElement.querySelector('.ed-error') : null;
    if (msg) {
      msg.textContent = error.message;
      msg.hidden = false;
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', msg.id);
    } else if (target.classList.contains('ed-item')) {
      const m = el('p', 'error ed-error', error.message);
      target.insertBefore(m, target.children[1] || null);
    }
    const go = button(t('editor.errors.go'), () => { (input || target).focus(); (input || target).scrollIntoView({ block: 'center' }); });
    box.appendChild(go);
  }
}

async function validate() {
  clearTimeout(st.timer);
  const seq = ++st.seq;
  try {
    await api('POST', '/api/v1/programme:validate', { body: { programme: st.draft } });
    if (seq === st.seq) {
      showErrors(null);
      if (st.dirty) preview(); // the preview follows the draft once it is valid
    }
    return true;
  } catch (err) {
    if (seq !== st.seq) return false;
    if (err.status === 400) { showErrors({ field: err.field, message: err.message }); return false; }
    if (err.status === 401 && st.onSessionEnded) st.onSessionEnded();
    else say(describe(err), 'error');
    return false;
  }
}

async function save() {
  const b = $('editor-save');
  b.disabled = true;
  try {
    if (!(await validate())) {
      say(t('editor.not_saved'), 'error');
      $('editor-errors').focus();
      return;
    }
    const r = await api('PUT', '/api/v1/programme', { body: { programme: st.draft } });
    await load();
    say(t('editor.saved', { version: r.version }), 'ok');
    await preview();
  } catch (err) {
    if (err.status === 400) showErrors({ field: err.field, message: err.message });
    else if (err.status === 401 && st.onSessionEnded) st.onSessionEnded();
    else say(describe(err), 'error');
  } finally {
    b.disabled = false;
  }
}

// ---- preview: one purchase through the dry run, with the draft (unsaved changes included) ----
const currency = () => (st.draft && st.draft.merchant && st.draft.merchant.currency) || 'MYR';
function parseItems(text, total) {
  // "2 coffee, 1 pastry" -> lines of those categories; the amount is shared by quantity
  const parts = text.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
    const m = s.match(/^(\d+)\s*[x×]?\s*(\S+)$/);
    return m ? { qty: Number(m[1]), category: m[2] } : { qty: 1, category: s };
  });
  const n = parts.reduce((a, p) => a + p.qty, 0);
  let left = total;
  return parts.map((p, i) => {
    const amount = i === parts.length - 1 ? left : Math.floor((total * p.qty) / n);
    left -= amount;
    return { category: p.category, qty: p.qty, amount };
  });
}

async function preview() {
  const out = $('editor-preview-result');
  const cur = currency();
  const amount = parseMoney($('editor-preview-amount').value, cur);
  if (amount === null) { out.textContent = t('editor.preview.bad_amount'); return; }
  let ref = $('editor-preview-member').value.trim();
  try {
    if (!ref) {
      const r = await api('GET', '/api/v1/members?q=a&limit=1');
      const list = Array.isArray(r) ? r : r.members || r.results || [];
      if (!list.length) { out.textContent = t('editor.preview.no_member'); return; }
      ref = String(list[0].id);
      $('editor-preview-member').value = ref;
    }
    const itemsText = $('editor-preview-items').value.trim();
    const items = itemsText ? parseItems(itemsText, amount) : [];
    const body = { member: /^\d+$/.test(ref) ? Number(ref) : ref, amount };
    if (items.length) body.items = items;
    const draft = st.dirty; // unsaved changes: the dry run uses the draft instead of the saved version
    if (draft) body.programme = st.draft;
    const seq = ++st.previewSeq;
    const r = await api('POST', '/api/v1/purchases:simulate', { body });
    if (seq !== st.previewSeq) return; // a newer preview is on its way
    const o = r.outcome || {};
    const pts = (o.points_earned || 0) + (o.bonus_points || 0);
    const stamps = o.stamps_earned || 0;
    const lines = (o.explain || []).map((l) => l.text || `${l.rule}: ${l.amount}`);
    out.replaceChildren(
      el('p', 'ed-preview-sentence', t(draft ? 'editor.preview.sentence_draft' : 'editor.preview.sentence', {
        amount: formatMoney(amount, cur),
        items: itemsText || t('editor.preview.no_items'),
        points: pts,
        stamps,
        version: st.version,
      })),
    );
    if (lines.length) {
      const ul = el('ul', 'explanation');
      for (const l of lines) ul.appendChild(el('li', '', l));
      out.appendChild(ul);
    }
    out.dataset.points = String(pts);
    out.dataset.draft = String(draft);
  } catch (err) {
    out.textContent = describe(err);
  }
}

async function load() {
  const r = await api('GET', '/api/v1/programme');
  st.draft = JSON.parse(JSON.stringify(r.programme));
  st.version = r.version;
  st.lastError = undefined;
  setCurrency(currency());
  markDirty(false);
  render();
  showErrors(null);
  $('editor').dataset.ready = 'true';
}

function wire() {
  $('editor-save').addEventListener('click', save);
  $('editor-check').addEventListener('click', async () => {
    if (await validate()) say(t('editor.valid'), 'ok');
    else $('editor-errors').focus();
  });
  $('editor-revert').addEventListener('click', async () => { await load(); say(t('editor.reverted')); });
  $('editor-preview-run').addEventListener('click', preview);
  $('editor-preview-amount').value = '18.50';
  $('editor-preview-items').value = '2 coffee, 1 pastry';
}

export async function showEditor(opts = {}) {
  st.onSessionEnded = opts.onSessionEnded || null;
  if (!st.wired) { wire(); st.wired = true; }
  $('editor').hidden = false;
  if (st.draft && st.dirty) return; // keep unsaved work when coming back
  $('editor').dataset.ready = 'false';
  try {
    await load();
    await preview();
  } catch (err) {
    if (err.status === 401 && st.onSessionEnded) st.onSessionEnded();
    else say(describe(err), 'error');
  }
}

export function hideEditor() { $('editor').hidden = true; }

export function stopEditor() {
  st.draft = null;
  st.dirty = false;
  st.seq++;
  clearTimeout(st.timer);
  $('editor').hidden = true;
  $('editor').dataset.ready = 'false';
}

export function rerenderEditor() {
  if (st.draft && !$('editor').hidden) { render(); }
}
