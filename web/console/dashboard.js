// The owner dashboard (owner and manager roles): the reports of /api/v1/reports as charts
// (Chart.js 3 from Debian's libjs-chart.js, embedded and served as /console/chart.min.js, loaded
// only when the dashboard is first opened), each with one sentence computed from the figures
// that says what they mean and what to do. All texts come from web/i18n (dashboard.*).
import { api } from './api.js';
import { t } from './i18n.js';
import { formatMoney, formatNumber, intlLocale, setCurrency } from './money.js';
import { say, describe } from './status.js';

const $ = (id) => document.getElementById(id);
const REPORTS = ['kpis', 'churn', 'cohorts', 'pareto', 'rfm', 'economics', 'clv', 'nps'];
const SEGMENTS = ['champions', 'loyal', 'potential_loyalists', 'new', 'promising', 'need_attention',
  'about_to_sleep', 'at_risk', 'cannot_lose_them', 'hibernating', 'lost'];
// colours with at least 3:1 against white (graphics) and a health order: green, blue, amber, red, grey
const SEGMENT_COLOUR = {
  champions: '#1d6b32', loyal: '#2f8a46', potential_loyalists: '#0b5a8a', new: '#2b7bb9',
  promising: '#4f6fb0', need_attention: '#a86400', about_to_sleep: '#b8751a', at_risk: '#a3211a',
  cannot_lose_them: '#7d1712', hibernating: '#5d6673', lost: '#6f7680',
};
const BRAND = '#0b5a8a';
const ACCENT = '#c25e00';

const st = {
  wired: false,
  months: 12,
  data: null,      // {kpis, churn, ...} of the last load
  query: '',
  charts: {},
  loading: null,
  onSessionEnded: null,
  seq: 0,
};

// An RFM segment's name in the console's language (the campaigns page names audiences so too).
export const segmentName = (s) => ({
  champions: t('dashboard.segment.champions'),
  loyal: t('dashboard.segment.loyal'),
  potential_loyalists: t('dashboard.segment.potential_loyalists'),
  new: t('dashboard.segment.new'),
  promising: t('dashboard.segment.promising'),
  need_attention: t('dashboard.segment.need_attention'),
  about_to_sleep: t('dashboard.segment.about_to_sleep'),
  at_risk: t('dashboard.segment.at_risk'),
  cannot_lose_them: t('dashboard.segment.cannot_lose_them'),
  hibernating: t('dashboard.segment.hibernating'),
  lost: t('dashboard.segment.lost'),
}[s] || s);

// ---- helpers ----

// Loads Chart.js once (a classic script from the server itself: the CSP allows 'self' only).
let chartLoad = null;
export function loadChart() {
  if (window.Chart) return Promise.resolve(window.Chart);
  if (!chartLoad) {
    chartLoad = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = '/console/chart.min.js';
      s.onload = () => (window.Chart ? resolve(window.Chart) : reject(new Error('Chart.js did not load')));
      s.onerror = () => { chartLoad = null; reject(new Error('Chart.js could not be loaded')); };
      document.head.appendChild(s);
    });
  }
  return chartLoad;
}

const pct = (x) => formatNumber(Math.round(x));
const money = (minor) => formatMoney(minor, st.data ? st.data.currency : 'MYR');

function monthLabel(iso, zone, long) {
  try {
    return new Intl.DateTimeFormat(intlLocale(), { month: long ? 'long' : 'short', year: long ? 'numeric' : '2-digit', timeZone: zone || undefined }).format(new Date(iso));
  } catch {
    return iso.slice(0, 7);
  }
}

function dayLabel(iso, zone) {
  try {
    return new Intl.DateTimeFormat(intlLocale(), { dateStyle: 'medium', timeZone: zone || undefined }).format(new Date(iso));
  } catch {
    return iso.slice(0, 10);
  }
}

// The first day of the month `months - 1` months before this one: "the last N months" are the
// current month and the N - 1 before it, whole (the API reads the date in the merchant's zone).
function fromDate(months) {
  const d = new Date();
  const first = new Date(d.getFullYear(), d.getMonth() - (months - 1), 1);
  const p = (n) => String(n).padStart(2, '0');
  return `${first.getFullYear()}-${p(first.getMonth() + 1)}-01`;
}

function setSentence(id, text) {
  const el = $(id);
  el.textContent = text;
}

// Creates or replaces the chart on canvas `id`.
function chart(id, config) {
  const Chart = window.Chart;
  if (st.charts[id]) st.charts[id].destroy();
  // no animation: the figures are there at once (and a tablet's CPU is spared)
  config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
  config.options.locale = intlLocale();
  st.charts[id] = new Chart($(id), config);
  return st.charts[id];
}

function figure(label, value) {
  const div = document.createElement('div');
  const dt = document.createElement('dt');
  dt.textContent = label;
  const dd = document.createElement('dd');
  dd.textContent = value;
  div.append(dt, dd);
  return div;
}

// ---- the cards ----

function renderKpis(k) {
  const list = $('dash-kpis');
  list.replaceChildren(
    figure(t('dashboard.kpi.revenue'), money(k.revenue)),
    figure(t('dashboard.kpi.buyers'), formatNumber(k.buyers)),
    figure(t('dashboard.kpi.active_30'), formatNumber(k.active_30_days)),
    figure(t('dashboard.kpi.new_members'), formatNumber(k.new_members)),
    figure(t('dashboard.kpi.repeat_rate'), k.repeat_purchase_rate == null ? '–' : `${pct(k.repeat_purchase_rate)}%`),
    figure(t('dashboard.kpi.aov'), k.average_order_value == null ? '–' : money(k.average_order_value)),
  );
}

function renderRevenue(k) {
  const rows = k.by_month || [];
  const zone = k.period && k.period.time_zone;
  chart('dash-revenue', {
    data: {
      labels: rows.map((r) => monthLabel(r.from, zone)),
      datasets: [
        { type: 'bar', label: t('dashboard.revenue.revenue'), data: rows.map((r) => r.revenue), backgroundColor: BRAND, yAxisID: 'y', order: 2 },
        { type: 'line', label: t('dashboard.revenue.buyers'), data: rows.map((r) => r.buyers), borderColor: ACCENT, backgroundColor: ACCENT, yAxisID: 'y1', tension: 0.2, order: 1 },
      ],
    },
    options: {
      scales: {
        y: { beginAtZero: true, position: 'left', title: { display: true, text: t('dashboard.revenue.revenue') },
          ticks: { callback: (v) => money(v) } },
        y1: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: t('dashboard.revenue.buyers') } },
      },
      plugins: { tooltip: { callbacks: { label: (c) => (c.datasetIndex === 0 ? `${c.dataset.label}: ${money(rows[c.dataIndex].revenue)}` : `${c.dataset.label}: ${formatNumber(c.parsed.y)}`) } } },
    },
  });
  // the last whole month against the one before (the last row is the month in progress)
  const whole = rows.length > 1 ? rows.slice(0, -1) : rows;
  const last = whole[whole.length - 1];
  const prev = whole[whole.length - 2];
  let s;
  if (!last || !rows.some((r) => r.purchases > 0)) s = t('dashboard.revenue.none');
  else if (!prev || !prev.revenue) {
    s = t('dashboard.revenue.only', { month: monthLabel(last.from, zone, true), revenue: money(last.revenue), buyers: formatNumber(last.buyers) });
  } else {
    const change = ((last.revenue - prev.revenue) / prev.revenue) * 100;
    const vars = { month: monthLabel(last.from, zone, true), prev: monthLabel(prev.from, zone, true), revenue: money(last.revenue), buyers: formatNumber(last.buyers), pct: pct(Math.abs(change)) };
    if (Math.round(change) > 0) s = t('dashboard.revenue.up', vars);
    else if (Math.round(change) < 0) s = t('dashboard.revenue.down', vars);
    else s = t('dashboard.revenue.flat', vars);
  }
  setSentence('dash-revenue-sentence', s);
}

function renderPareto(p) {
  const pts = p.lorenz || [];
  chart('dash-pareto', {
    type: 'line',
    data: {
      labels: pts.map((x) => `${pct(x.population * 100)}%`),
      datasets: [
        { label: t('dashboard.pareto.curve'), data: pts.map((x) => x.revenue_share * 100), borderColor: BRAND, backgroundColor: 'rgba(11, 90, 138, 0.15)', fill: true, tension: 0.1 },
        { label: t('dashboard.pareto.equal'), data: pts.map((x) => x.population * 100), borderColor: '#5d6673', borderDash: [6, 4], pointRadius: 0, fill: false },
      ],
    },
    options: {
      scales: {
        x: { title: { display: true, text: t('dashboard.pareto.x') } },
        y: { min: 0, max: 100, title: { display: true, text: t('dashboard.pareto.y') }, ticks: { callback: (v) => `${formatNumber(v)}%` } },
      },
    },
  });
  let s;
  if (!p.buyers || p.top_revenue_share == null) s = t('dashboard.pareto.none');
  else s = t('dashboard.pareto.sentence', { top: pct(p.top_percent), share: pct(p.top_revenue_share), members: formatNumber(p.top_members) });
  setSentence('dash-pareto-sentence', s);
}

function renderRfm(r) {
  const by = Object.fromEntries((r.segments || []).map((x) => [x.segment, x]));
  const segs = SEGMENTS.filter((s) => by[s]);
  chart('dash-rfm', {
    type: 'bar',
    data: {
      labels: segs.map(segmentName),
      datasets: [{ label: t('dashboard.rfm.members'), data: segs.map((s) => by[s].members), backgroundColor: segs.map((s) => SEGMENT_COLOUR[s]) }],
    },
    options: {
      indexAxis: 'y',
      plugins: { legend: { display: false }, tooltip: { callbacks: { afterLabel: (c) => money(by[segs[c.dataIndex]].revenue) } } },
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
  const grid = $('dash-rfm-grid');
  grid.replaceChildren(...segs.map((s) => {
    const li = document.createElement('li');
    li.className = `seg seg-${s}`;
    li.dataset.segment = s;
    const name = document.createElement('span');
    name.className = 'seg-name';
    name.textContent = segmentName(s);
    const n = document.createElement('span');
    n.className = 'seg-members';
    n.textContent = t('dashboard.rfm.tile_members', { count: formatNumber(by[s].members) });
    const rev = document.createElement('span');
    rev.className = 'seg-revenue';
    rev.textContent = money(by[s].revenue);
    li.append(name, n, rev);
    return li;
  }));
  const risk = ['at_risk', 'cannot_lose_them'].map((s) => by[s] || { members: 0, revenue: 0 });
  const count = risk[0].members + risk[1].members;
  const s = !r.scored_members ? t('dashboard.rfm.none')
    : count ? t('dashboard.rfm.sentence', { count: formatNumber(count), revenue: money(risk[0].revenue + risk[1].revenue) })
      : t('dashboard.rfm.no_risk');
  setSentence('dash-rfm-sentence', s);
}

function renderCohorts(c) {
  const cohorts = c.cohorts || [];
  const width = cohorts.reduce((m, x) => Math.max(m, x.retention.length), 0);
  const table = $('dash-cohorts');
  const head = document.createElement('tr');
  const th = (text, scope) => { const e = document.createElement('th'); e.textContent = text; if (scope) e.scope = scope; return e; };
  head.append(th(t('dashboard.cohorts.joined'), 'col'), th(t('dashboard.cohorts.size'), 'col'));
  for (let k = 0; k < width; k++) head.append(th(t('dashboard.cohorts.month', { k: formatNumber(k) }), 'col'));
  const thead = document.createElement('thead');
  thead.append(head);
  const tbody = document.createElement('tbody');
  for (const x of cohorts) {
    const tr = document.createElement('tr');
    const [y, m] = x.cohort.split('-').map(Number);
    let label = x.cohort;
    try { label = new Intl.DateTimeFormat(intlLocale(), { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, 15))); } catch { /* keep YYYY-MM */ }
    tr.append(th(label, 'row'));
    const size = document.createElement('td');
    size.textContent = formatNumber(x.size);
    size.className = 'num';
    tr.append(size);
    for (let k = 0; k < width; k++) {
      const td = document.createElement('td');
      const v = x.retention[k];
      if (v == null) {
        td.className = 'heat-none';
      } else {
        td.className = `heat heat-${Math.min(9, Math.floor(v / 10))}`;
        td.textContent = `${pct(v)}%`;
        td.title = t('dashboard.cohorts.cell', { count: formatNumber(x.purchasing[k]), size: formatNumber(x.size) });
      }
      tr.append(td);
    }
    tbody.append(tr);
  }
  table.replaceChildren(thead, tbody);
  // members who bought again in the month after joining, over the cohorts old enough to tell
  let size = 0, back = 0;
  for (const x of cohorts) if (x.purchasing.length > 1) { size += x.size; back += x.purchasing[1]; }
  const s = size ? t('dashboard.cohorts.sentence', { pct: pct((back / size) * 100) }) : t('dashboard.cohorts.none');
  setSentence('dash-cohorts-sentence', s);
}

function renderChurn(c) {
  const rows = c.periods || [];
  const zone = c.period && c.period.time_zone;
  chart('dash-churn', {
    type: 'line',
    data: {
      labels: rows.map((r) => monthLabel(r.from, zone)),
      datasets: [{ label: t('dashboard.churn.rate'), data: rows.map((r) => r.churn_rate), borderColor: '#a3211a', backgroundColor: '#a3211a', spanGaps: false, tension: 0.2 }],
    },
    options: { scales: { y: { beginAtZero: true, ticks: { callback: (v) => `${formatNumber(v)}%` } } } },
  });
  // the last whole month against the one before (the last row is the month in progress)
  const whole = rows.length > 1 ? rows.slice(0, -1) : rows;
  const rated = whole.filter((r) => r.churn_rate != null && r.at_start > 0);
  const last = rated[rated.length - 1];
  const prev = rated[rated.length - 2];
  let s;
  if (!last || !prev) s = t('dashboard.churn.none');
  else {
    const vars = { from: pct(prev.churn_rate), to: pct(last.churn_rate), lost: formatNumber(last.lost), month: monthLabel(last.from, zone, true) };
    if (Math.round(last.churn_rate) > Math.round(prev.churn_rate)) s = t('dashboard.churn.rose', vars);
    else if (Math.round(last.churn_rate) < Math.round(prev.churn_rate)) s = t('dashboard.churn.fell', vars);
    else s = t('dashboard.churn.same', vars);
  }
  setSentence('dash-churn-sentence', s);
}

function renderClv(c) {
  const p = c.predictive;
  const simple = c.simple || {};
  $('dash-clv-simple').textContent = simple.clv == null ? t('dashboard.clv.simple_none')
    : t('dashboard.clv.simple', { clv: money(simple.clv), value: money(simple.average_purchase_value), visits: formatNumber(simple.purchase_frequency_per_year), years: formatNumber(simple.average_lifespan_years) });
  $('dash-clv-charts').hidden = !p;
  $('dash-clv-none').hidden = !!p;
  if (!p) {
    for (const id of ['dash-clv-deciles', 'dash-clv-alive']) if (st.charts[id]) { st.charts[id].destroy(); delete st.charts[id]; }
    setSentence('dash-clv-sentence', t('dashboard.clv.no_model'));
    return;
  }
  const deciles = p.deciles || [];
  chart('dash-clv-deciles', {
    type: 'bar',
    data: {
      labels: deciles.map((d) => `${pct((d.decile - 1) * 10)}–${pct(d.decile * 10)}%`),
      datasets: [{ label: t('dashboard.clv.share'), data: deciles.map((d) => d.clv_share), backgroundColor: BRAND }],
    },
    options: {
      plugins: { legend: { display: false }, tooltip: { callbacks: { afterLabel: (x) => money(deciles[x.dataIndex].clv) } } },
      scales: { y: { beginAtZero: true, title: { display: true, text: t('dashboard.clv.share') }, ticks: { callback: (v) => `${formatNumber(v)}%` } } },
    },
  });
  const bands = p.p_alive_bands || [];
  chart('dash-clv-alive', {
    type: 'bar',
    data: {
      labels: bands.map((b) => `${pct(b.p_alive_from * 100)}–${pct(b.p_alive_to * 100)}%`),
      datasets: [{ label: t('dashboard.clv.members'), data: bands.map((b) => b.members), backgroundColor: ['#a3211a', '#b8751a', '#2b7bb9', '#1d6b32'] }],
    },
    options: {
      plugins: { legend: { display: false }, tooltip: { callbacks: { afterLabel: (x) => money(bands[x.dataIndex].clv) } } },
      scales: { x: { title: { display: true, text: t('dashboard.clv.alive_axis') } }, y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
  const top = deciles.find((d) => d.decile === 1);
  const s = !p.members || !top ? t('dashboard.clv.none')
    : t('dashboard.clv.sentence', { share: pct(top.clv_share), total: money(p.clv_total), weeks: formatNumber(p.weeks), alive: formatNumber(Math.round(p.expected_alive)) });
  setSentence('dash-clv-sentence', s);
}

function renderLiability(e) {
  const pts = e.points || {};
  chart('dash-liability', {
    type: 'bar',
    data: {
      labels: [t('dashboard.liability.issued'), t('dashboard.liability.redeemed'), t('dashboard.liability.expired'), t('dashboard.liability.outstanding')],
      datasets: [{ label: t('dashboard.liability.points'), data: [pts.net_issued, pts.redeemed, pts.expired, pts.outstanding], backgroundColor: [BRAND, '#1d6b32', '#5d6673', ACCENT] }],
    },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  $('dash-liability-figures').replaceChildren(
    figure(t('dashboard.liability.amount'), money(pts.liability || 0)),
    figure(t('dashboard.liability.outstanding'), formatNumber(pts.outstanding || 0)),
    figure(t('dashboard.liability.redemption_rate'), pts.redemption_rate == null ? '–' : `${pct(pts.redemption_rate)}%`),
    figure(t('dashboard.liability.breakage'), pts.breakage == null ? '–' : `${pct(pts.breakage)}%`),
  );
  const s = !pts.outstanding ? t('dashboard.liability.none')
    : t('dashboard.liability.sentence', { liability: money(pts.liability), points: formatNumber(pts.outstanding) });
  setSentence('dash-liability-sentence', s);
}

// The NPS card: the figure, its 95% interval and responses, and what to do about it.
function renderNps(r) {
  const o = r.overall;
  const round = (x) => formatNumber(Math.round(x));
  $('dash-nps-value').textContent = o.responses ? round(o.nps) : '–';
  $('dash-nps-ci').textContent = o.responses ? t('dashboard.nps.ci', { low: round(o.ci_low), high: round(o.ci_high), n: formatNumber(o.responses) }) : '';
  $('dash-nps-mix').textContent = o.responses ? t('dashboard.nps.mix', { promoters: round(o.promoters_pct), passives: round(o.passives_pct), detractors: round(o.detractors_pct) }) : '';
  let s = t('dashboard.nps.none');
  if (o.responses) {
    const vars = { nps: round(o.nps), low: round(o.ci_low), high: round(o.ci_high), n: formatNumber(o.responses) };
    s = Math.round(o.nps) > 0 ? t('dashboard.nps.up', vars) : Math.round(o.nps) < 0 ? t('dashboard.nps.down', vars) : t('dashboard.nps.even', vars);
  }
  s += ` ${r.open_cases ? t('dashboard.nps.cases', { count: formatNumber(r.open_cases) }) : t('dashboard.nps.no_cases')}`;
  setSentence('dash-nps-sentence', s);
}

function render() {
  const d = st.data;
  if (!d || !window.Chart) return;
  setCurrency(d.currency);
  const zone = d.kpis.period && d.kpis.period.time_zone;
  $('dash-range').textContent = t('dashboard.period.range', { from: dayLabel(d.kpis.period.from, zone), to: dayLabel(d.kpis.period.to, zone) });
  const parts = [
    ['kpis', renderKpis], ['kpis', renderRevenue], ['pareto', renderPareto], ['rfm', renderRfm],
    ['cohorts', renderCohorts], ['churn', renderChurn], ['clv', renderClv], ['economics', renderLiability],
    ['nps', renderNps],
  ];
  for (const [name, fn] of parts) {
    try {
      fn(d[name]);
    } catch (err) {
      say(describe(err), 'error');
    }
  }
}

async function load() {
  const seq = ++st.seq;
  const query = `from=${fromDate(st.months)}`;
  const root = $('dashboard');
  root.setAttribute('aria-busy', 'true');
  $('dash-loading').hidden = false;
  try {
    const [Chart, ...answers] = await Promise.all([
      loadChart(),
      ...REPORTS.map((name) => api('GET', `/api/v1/reports/${name}?${query}`)),
    ]);
    if (seq !== st.seq) return; // a newer period was chosen meanwhile
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.color = '#1b1f24';
    const data = Object.fromEntries(REPORTS.map((name, i) => [name, answers[i]]));
    data.currency = answers[0].currency;
    st.data = data;
    st.query = query;
    root.dataset.query = query;
    render();
    root.dataset.ready = 'true';
  } catch (err) {
    if (seq !== st.seq) return;
    if (err.status === 401 && st.onSessionEnded) st.onSessionEnded();
    else say(describe(err), 'error');
  } finally {
    if (seq === st.seq) {
      root.removeAttribute('aria-busy');
      $('dash-loading').hidden = true;
    }
  }
}

function wire() {
  const sel = $('dash-period');
  sel.value = String(st.months);
  sel.addEventListener('change', () => {
    st.months = Number(sel.value) || 12;
    $('dashboard').dataset.ready = 'false';
    load();
  });
}

// Shows the dashboard and (re)loads the reports.
export async function showDashboard(opts = {}) {
  st.onSessionEnded = opts.onSessionEnded || null;
  if (!st.wired) {
    wire();
    st.wired = true;
  }
  $('dashboard').hidden = false;
  $('dashboard').dataset.ready = 'false';
  await load();
}

export function hideDashboard() {
  $('dashboard').hidden = true;
}

// On logout: forget the figures and the charts.
export function stopDashboard() {
  st.seq++;
  st.data = null;
  for (const c of Object.values(st.charts)) c.destroy();
  st.charts = {};
  $('dashboard').hidden = true;
  $('dashboard').dataset.ready = 'false';
}

// After a language change: labels, sentences and figures in the new language.
export function rerenderDashboard() {
  if (st.data && !$('dashboard').hidden) render();
}
