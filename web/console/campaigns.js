// Campaigns with A/B tests (owners and managers, #campaigns; docs/campaigns.md): the list with
// each campaign's status; a sent campaign's results as a table per arm (members, conversions,
// rate with its 95% interval, uplift against the holdout), a bar chart of the rates (Chart.js,
// loaded as the dashboard loads it) and the verdict in a sentence; owners create a campaign
// (name, audience, the templates of variants A and B, holdout, days) and send a draft after a
// confirm step. GET/POST /api/v1/campaigns, GET .../{id}/results, POST .../{id}:send.
// All texts come from web/i18n (campaigns.*).
import { api, uuid } from './api.js';
import { loadChart, segmentName } from './dashboard.js';
import { el, localName } from './dom.js';
import { t } from './i18n.js';
import { formatDate, formatNumber, intlLocale } from './money.js';
import { describe, say } from './status.js';

const $ = (id) => document.getElementById(id);
const SEGMENTS = ['champions', 'loyal', 'potential_loyalists', 'new', 'promising', 'need_attention',
  'about_to_sleep', 'at_risk', 'cannot_lose_them', 'hibernating', 'lost'];
const INACTIVE_DAYS = [30, 60, 90, 180];
// bar colours with at least 3:1 against white: the variants in the brand's blues and greens,
// the holdout grey
const COLOURS = ['#0b5a8a', '#1d6b32', '#7a3e9d', '#a86400', '#23679c', '#2f7a40', '#8a5200', '#3f5f9e'];
const HOLDOUT = '#5d6673';

const st = {
  wired: false,
  user: null,
  onSessionEnded: null,
  campaigns: [],
  templates: ['campaign'],
  levels: [],
  selected: 0,
  results: null, // the results answer of the selected campaign
  chart: null,
  loaded: false,
  seq: 0,
};

const mayWrite = () => !!st.user && st.user.role === 'owner';

const statusName = (s) => ({ draft: t('campaigns.status.draft'), sending: t('campaigns.status.sending'), sent: t('campaigns.status.sent') }[s] || s);

// "all", "segment:at_risk", "tier:gold", "inactive:60" in words
function audienceName(a) {
  const [kind, arg] = String(a).split(/:(.*)/s);
  if (kind === 'segment') return t('campaigns.audience.segment', { name: segmentName(arg) });
  if (kind === 'tier') {
    const l = st.levels.find((x) => x.id === arg);
    return t('campaigns.audience.tier', { name: localName(l && l.name, arg) });
  }
  if (kind === 'inactive') return t('campaigns.audience.inactive', { days: formatNumber(Number(arg)) });
  return t('campaigns.audience.all');
}

const armName = (arm) => (arm === 'holdout' ? t('campaigns.arm.holdout') : t('campaigns.arm.variant', { id: arm }));

function percent(x, digits = 1) {
  if (x == null) return '–';
  return new Intl.NumberFormat(intlLocale(), { style: 'percent', maximumFractionDigits: digits, minimumFractionDigits: digits }).format(x);
}

function signed(x, digits = 1) {
  return new Intl.NumberFormat(intlLocale(), { maximumFractionDigits: digits, minimumFractionDigits: digits, signDisplay: 'exceptZero' }).format(x);
}

// "p = 0.0032", "p < 0.001" (the statistician's notation, with the language's digits)
function pvalue(p) {
  if (p == null) return 'p = –';
  if (p < 0.001) return `p < ${new Intl.NumberFormat(intlLocale()).format(0.001)}`;
  return `p = ${new Intl.NumberFormat(intlLocale(), { maximumSignificantDigits: 2 }).format(p)}`;
}

function failed(err) {
  if (err && err.status === 401 && st.onSessionEnded) st.onSessionEnded();
  else say(describe(err), 'error');
}

// ---- the list ----

function renderList() {
  const list = $('cmp-list');
  list.replaceChildren(...st.campaigns.map((c) => {
    const b = el('button', { type: 'button', class: 'cmp-item', 'data-id': String(c.id), 'data-status': c.status },
      el('span', { class: 'cmp-item-name', text: c.name }),
      el('span', { class: `cmp-badge cmp-${c.status}`, text: statusName(c.status) }),
      el('span', { class: 'hint', text: [audienceName(c.audience), t('campaigns.list.members', { n: formatNumber(c.members) }), formatDate(c.sent_at || c.created_at)].join(' · ') }));
    if (c.id === st.selected) b.setAttribute('aria-current', 'true');
    b.addEventListener('click', () => select(c.id, true));
    return el('li', {}, b);
  }));
  $('cmp-empty').hidden = st.campaigns.length > 0;
}

// ---- one campaign ----

function detailMeta(c) {
  const parts = [audienceName(c.audience),
    t('campaigns.detail.variants', { variants: c.variants.map((v) => `${v.id} (${v.template}${v.offer ? `, ${v.offer}` : ''})`).join(', ') }),
    t('campaigns.detail.holdout', { holdout: formatNumber(c.holdout_percent) }),
    t('campaigns.detail.days', { days: formatNumber(c.conversion_days) })];
  parts.push(c.sent_at ? t('campaigns.detail.sent', { date: formatDate(c.sent_at) }) : t('campaigns.detail.created', { date: formatDate(c.created_at) }));
  return parts.join(' · ');
}

function cell(tag, text, col) {
  return el(tag, col ? { 'data-col': col, text } : { text });
}

function renderTable(r) {
  const head = el('thead', {}, el('tr', {},
    ...[['arm', t('campaigns.table.arm')], ['members', t('campaigns.table.members')], ['messages', t('campaigns.table.messages')],
      ['conversions', t('campaigns.table.conversions')], ['rate', t('campaigns.table.rate')], ['uplift', t('campaigns.table.uplift')]].map(([k, text]) => el('th', { scope: 'col', 'data-col': k, text }))));
  const rows = r.arms.map((a) => {
    const u = a.vs_holdout;
    let uplift = '–';
    if (u && u.points != null) {
      uplift = u.relative == null
        ? t('campaigns.table.uplift_points', { points: signed(u.points), p: pvalue(u.p) })
        : t('campaigns.table.uplift_value', { points: signed(u.points), relative: signed(u.relative, 0), p: pvalue(u.p) });
    }
    const interval = a.rate == null ? '–' : t('campaigns.table.interval_value', { low: percent(a.rate_low), high: percent(a.rate_high) });
    const tr = el('tr', { 'data-arm': a.arm },
      el('th', { scope: 'row', 'data-col': 'arm', text: armName(a.arm) }),
      cell('td', formatNumber(a.members), 'members'),
      cell('td', a.holdout ? '–' : formatNumber(a.messages.linked), 'messages'),
      cell('td', formatNumber(a.conversions), 'conversions'),
      el('td', { 'data-col': 'rate' }, el('span', { class: 'cmp-rate', text: percent(a.rate) }),
        el('span', { class: 'cmp-interval', 'data-col': 'interval', title: t('campaigns.table.interval'), text: interval })),
      cell('td', uplift, 'uplift'));
    if (r.verdict.winner === a.arm) tr.classList.add('cmp-winner');
    return tr;
  });
  $('cmp-table').replaceChildren(head, el('tbody', {}, ...rows));
}

function renderVerdict(r) {
  const v = r.verdict;
  const text = {
    winner: t('campaigns.verdict.winner', { arm: v.winner || '' }),
    no_difference: t('campaigns.verdict.no_difference'),
    not_enough_data: t('campaigns.verdict.not_enough_data'),
    holdout_as_good: t('campaigns.verdict.holdout_as_good'),
    no_comparison: t('campaigns.verdict.no_comparison'),
  }[v.code] || v.text;
  const p = $('cmp-verdict');
  p.textContent = text;
  p.dataset.code = v.code;
  p.hidden = false;
  // what the verdict rests on: the two rates it compared, or why there is no test yet
  const d = $('cmp-verdict-detail');
  const arm = (id) => r.arms.find((a) => a.arm === id);
  if (v.code === 'not_enough_data') d.textContent = t('campaigns.verdict.why_not_enough');
  else if (v.best && v.against && arm(v.best) && arm(v.against)) {
    d.textContent = t('campaigns.verdict.compared', {
      arm: armName(v.best), rate: percent(arm(v.best).rate),
      other: armName(v.against), other_rate: percent(arm(v.against).rate), p: pvalue(v.p),
    });
  } else d.textContent = '';
  d.hidden = !d.textContent;
}

async function renderChart(r) {
  const Chart = await loadChart();
  if (st.results !== r) return; // another campaign was chosen meanwhile
  if (st.chart) st.chart.destroy();
  let k = 0;
  const colours = r.arms.map((a) => (a.holdout ? HOLDOUT : COLOURS[k++ % COLOURS.length]));
  st.chart = new Chart($('cmp-chart'), {
    type: 'bar',
    data: {
      labels: r.arms.map((a) => armName(a.arm)),
      datasets: [{ label: t('campaigns.results.rate'), data: r.arms.map((a) => (a.rate == null ? 0 : Math.round(a.rate * 1000) / 10)), backgroundColor: colours }],
    },
    options: {
      responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (ctx) => `${percent(r.arms[ctx.dataIndex].rate)} (${t('campaigns.table.interval_value', { low: percent(r.arms[ctx.dataIndex].rate_low), high: percent(r.arms[ctx.dataIndex].rate_high) })})` } } },
      scales: { y: { beginAtZero: true, title: { display: true, text: t('campaigns.results.rate') } } },
    },
  });
}

function renderDetail() {
  const c = st.campaigns.find((x) => x.id === st.selected);
  const box = $('cmp-detail');
  box.hidden = !c;
  if (!c) return;
  box.dataset.id = String(c.id);
  box.dataset.status = c.status;
  $('cmp-detail-heading').textContent = c.name;
  $('cmp-detail-meta').textContent = detailMeta(c);
  $('cmp-send').hidden = !(mayWrite() && c.status !== 'sent');
  const r = st.results && st.results.campaign.id === c.id ? st.results : null;
  $('cmp-results').hidden = !r;
  if (!r) {
    $('cmp-verdict').hidden = true;
    $('cmp-verdict-detail').hidden = true;
    return;
  }
  renderTable(r);
  renderVerdict(r);
  const until = { date: formatDate(r.window.until) };
  $('cmp-window').textContent = r.window.open ? t('campaigns.results.window_open', until) : t('campaigns.results.window_closed', until);
  renderChart(r).catch(failed);
}

async function select(id, focus) {
  const seq = ++st.seq;
  st.selected = id;
  st.results = null;
  const box = $('cmp-detail');
  box.dataset.ready = 'false';
  renderList();
  renderDetail();
  const c = st.campaigns.find((x) => x.id === id);
  try {
    if (c && c.status !== 'draft') {
      const r = await api('GET', `/api/v1/campaigns/${id}/results`);
      if (seq !== st.seq) return;
      st.results = r;
      Object.assign(c, r.campaign);
      renderDetail();
    }
    box.dataset.ready = 'true';
    if (focus) $('cmp-detail-heading').focus();
  } catch (err) {
    if (seq === st.seq) failed(err);
  }
}

// ---- sending, after a confirm step ----

function confirmSend(c) {
  const d = $('cmp-confirm');
  $('cmp-confirm-text').textContent = t('campaigns.send.confirm', { name: c.name, holdout: formatNumber(c.holdout_percent), audience: audienceName(c.audience) });
  return new Promise((resolve) => {
    const done = (yes) => {
      $('cmp-confirm-yes').removeEventListener('click', onYes);
      $('cmp-confirm-no').removeEventListener('click', onNo);
      d.removeEventListener('cancel', onNo);
      if (d.open) d.close();
      resolve(yes);
    };
    const onYes = () => done(true);
    const onNo = () => done(false);
    $('cmp-confirm-yes').addEventListener('click', onYes);
    $('cmp-confirm-no').addEventListener('click', onNo);
    d.addEventListener('cancel', onNo);
    d.showModal();
    $('cmp-confirm-no').focus();
  });
}

async function send() {
  const c = st.campaigns.find((x) => x.id === st.selected);
  if (!c || !(await confirmSend(c))) {
    $('cmp-send').focus();
    return;
  }
  $('cmp-send').disabled = true;
  try {
    const r = await api('POST', `/api/v1/campaigns/${c.id}:send`);
    say(t('campaigns.send.done', { name: c.name, members: formatNumber(r.sent.members), holdout: formatNumber(r.sent.holdout) }), 'ok');
    await loadList();
    await select(c.id, true);
  } catch (err) {
    failed(err);
  } finally {
    $('cmp-send').disabled = false;
  }
}

// ---- creating ----

function options(select, items) {
  const keep = select.value;
  select.replaceChildren(...items.map(([value, text]) => el('option', { value, text })));
  if (items.some(([v]) => v === keep)) select.value = keep;
}

function renderForm() {
  $('cmp-create').hidden = !mayWrite();
  if (!mayWrite()) return;
  const audiences = [['all', t('campaigns.audience.all')],
    ...SEGMENTS.map((s) => [`segment:${s}`, t('campaigns.audience.segment', { name: segmentName(s) })]),
    ...st.levels.map((l) => [`tier:${l.id}`, t('campaigns.audience.tier', { name: localName(l.name, l.id) })]),
    ...INACTIVE_DAYS.map((d) => [`inactive:${d}`, t('campaigns.audience.inactive', { days: formatNumber(d) })])];
  options($('cmp-audience'), audiences);
  const templates = st.templates.map((x) => [x, x]);
  options($('cmp-template-a'), templates);
  options($('cmp-template-b'), templates);
  $('cmp-template-b').disabled = !$('cmp-ab').checked;
}

const FIELD = {
  name: 'cmp-name', audience: 'cmp-audience', template: 'cmp-template-a', 'variants[0].template': 'cmp-template-a',
  'variants[1].template': 'cmp-template-b', holdout_percent: 'cmp-holdout', conversion_days: 'cmp-days',
};

function clearErrors() {
  for (const id of Object.values(FIELD)) {
    $(id).removeAttribute('aria-invalid');
    $(`${id}-error`).hidden = true;
  }
  $('cmp-form-error').hidden = true;
}

function fieldError(id, message) {
  $(id).setAttribute('aria-invalid', 'true');
  const e = $(`${id}-error`);
  e.textContent = message;
  e.hidden = false;
}

function wholeNumber(text, min, max) {
  const s = String(text).trim();
  if (!/^\d+$/.test(s)) return null;
  const n = Number(s);
  return n >= min && n <= max ? n : null;
}

async function create(ev) {
  ev.preventDefault();
  clearErrors();
  const name = $('cmp-name').value.trim();
  const holdout = wholeNumber($('cmp-holdout').value, 0, 90);
  const days = wholeNumber($('cmp-days').value, 1, 365);
  let first = null;
  if (!name) { fieldError('cmp-name', t('campaigns.error.name_required')); first = first || 'cmp-name'; }
  if (holdout == null) { fieldError('cmp-holdout', t('campaigns.error.holdout')); first = first || 'cmp-holdout'; }
  if (days == null) { fieldError('cmp-days', t('campaigns.error.days')); first = first || 'cmp-days'; }
  if (first) {
    $(first).focus();
    return;
  }
  const variants = [{ id: 'A', template: $('cmp-template-a').value }];
  if ($('cmp-ab').checked) variants.push({ id: 'B', template: $('cmp-template-b').value });
  const body = { name, audience: $('cmp-audience').value, template: variants[0].template, variants, holdout_percent: holdout, conversion_days: days };
  $('cmp-submit').disabled = true;
  try {
    const r = await api('POST', '/api/v1/campaigns', { body, key: uuid() });
    say(t('campaigns.create.done', { name: r.campaign.name }), 'ok');
    $('cmp-form').reset();
    renderForm();
    await loadList();
    await select(r.campaign.id, true);
  } catch (err) {
    const id = FIELD[err.field];
    if (err.status === 400 || err.status === 409) {
      if (id) {
        fieldError(id, err.message);
        $(id).focus();
      } else {
        $('cmp-form-error').textContent = describe(err);
        $('cmp-form-error').hidden = false;
      }
    } else failed(err);
  } finally {
    $('cmp-submit').disabled = false;
  }
}

// ---- loading, showing ----

async function loadList() {
  const r = await api('GET', '/api/v1/campaigns?limit=100');
  st.campaigns = r.campaigns;
  st.templates = r.templates && r.templates.length ? r.templates : ['campaign'];
  renderList();
}

function wire() {
  $('cmp-form').addEventListener('submit', create);
  $('cmp-ab').addEventListener('change', () => { $('cmp-template-b').disabled = !$('cmp-ab').checked; });
  $('cmp-send').addEventListener('click', send);
}

export async function showCampaigns(opts = {}) {
  st.user = opts.user || null;
  st.onSessionEnded = opts.onSessionEnded || null;
  if (!st.wired) {
    wire();
    st.wired = true;
  }
  const root = $('campaigns');
  root.hidden = false;
  root.dataset.ready = 'false';
  try {
    const [, prog] = await Promise.all([loadList(), api('GET', '/api/v1/programme')]);
    const tiers = prog && prog.programme && prog.programme.tiers;
    st.levels = (tiers && tiers.levels) || [];
    st.loaded = true;
    renderList();
    renderForm();
    const first = st.campaigns.find((c) => c.id === st.selected) || st.campaigns[0];
    if (first) await select(first.id, false);
    else renderDetail();
    root.dataset.ready = 'true';
  } catch (err) {
    failed(err);
  }
}

export function hideCampaigns() {
  $('campaigns').hidden = true;
  if ($('cmp-confirm').open) $('cmp-confirm').close();
}

// On logout: nothing of the page stays.
export function stopCampaigns() {
  st.seq++;
  st.user = null;
  st.campaigns = [];
  st.results = null;
  st.selected = 0;
  st.loaded = false;
  if (st.chart) st.chart.destroy();
  st.chart = null;
  $('cmp-list').replaceChildren();
  $('cmp-table').replaceChildren();
  $('cmp-form').reset();
  clearErrors();
  hideCampaigns();
  $('campaigns').dataset.ready = 'false';
}

export function rerenderCampaigns() {
  if (!st.loaded) return;
  renderList();
  renderForm();
  renderDetail();
}
