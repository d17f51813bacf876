// The owner dashboard: an owner reaches it from the header by keyboard; every chart is drawn by
// Chart.js (served by the program under the strict CSP) with the figures of the reports API for
// the same period, and every sentence carries the API's figures; the period selector reloads;
// the language switch redraws in Bengali; a cashier sees no dashboard link and cannot open it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { browserTests, env, api, login, nums } from './lib.mjs';

const btest = browserTests(import.meta.url);
const REPORTS = ['kpis', 'churn', 'cohorts', 'pareto', 'rfm', 'economics', 'clv'];
const SEGMENTS = ['champions', 'loyal', 'potential_loyalists', 'new', 'promising', 'need_attention',
  'about_to_sleep', 'at_risk', 'cannot_lose_them', 'hibernating', 'lost'];
const bn = JSON.parse(readFileSync(new URL('../../web/i18n/bn.json', import.meta.url), 'utf8'));

// The reports as the API gives them for the dashboard's query (read from the page).
async function reports(query) {
  const out = {};
  for (const name of REPORTS) {
    const r = await api('GET', `/api/v1/reports/${name}?${query}`);
    assert.equal(r.status, 200, `GET report ${name}?${query}: ${JSON.stringify(r.body)}`);
    out[name] = r.body;
  }
  return out;
}

// {labels, data: [dataset data...], painted: pixels drawn} of the Chart.js chart on canvas #id
async function chartOf(page, id) {
  return page.evaluate((id) => {
    const canvas = document.getElementById(id);
    const c = window.Chart && window.Chart.getChart(canvas);
    if (!c) return null;
    const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i]) painted++;
    return { labels: c.data.labels, data: c.data.datasets.map((d) => d.data), painted, visible: canvas.offsetWidth > 0 };
  }, id);
}

const digits = (s) => String(s).replace(/\D/g, '');
const close = (a, b, what) => {
  assert.equal(a.length, b.length, `${what}: ${a.length} values, the API has ${b.length}`);
  a.forEach((x, i) => {
    if (b[i] === null) assert.equal(x, null, `${what}[${i}] is a gap`);
    else assert.ok(Math.abs(x - b[i]) < 1e-9, `${what}[${i}]: chart ${x}, API ${b[i]}`);
  });
};

async function openDashboard(page) {
  await login(page);
  const link = page.locator('#nav-dashboard');
  await link.waitFor({ state: 'visible' });
  // by keyboard: the link is focusable and Enter follows it
  await link.focus();
  await page.keyboard.press('Enter');
  await page.locator('#dashboard[data-ready="true"]').waitFor();
  assert.equal(await page.locator('#counter').isVisible(), false, 'the counter is hidden');
  assert.equal(await link.getAttribute('aria-current'), 'page', 'the dashboard link is marked current');
}

btest('the owner dashboard draws every report with the API figures', async (page) => {
  const csp = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) csp.push(m.text()); });
  const chartJs = page.waitForResponse((r) => r.url().endsWith('/console/chart.min.js'));
  await openDashboard(page);
  const cj = await chartJs;
  assert.equal(cj.status(), 200, 'Chart.js is served by the program');
  assert.match(cj.headers()['content-security-policy'] || '', /script-src 'self';/, 'under the strict CSP');
  assert.equal(await page.evaluate(() => window.Chart && window.Chart.version), '3.9.1', 'Debian\'s Chart.js 3.9.1');

  const query = await page.getAttribute('#dashboard', 'data-query');
  assert.match(query, /^from=\d{4}-\d{2}-01$/, 'the last 12 months, from the first of a month');
  const months = (() => {
    const [y, m] = query.slice(5).split('-').map(Number);
    const now = new Date();
    return (now.getFullYear() - y) * 12 + now.getMonth() - (m - 1) + 1;
  })();
  assert.equal(months, 12, 'the default period is 12 months');
  const R = await reports(query);
  const sentence = async (id) => (await page.textContent(`#${id}`)).trim();

  // revenue and active members per month
  const rev = await chartOf(page, 'dash-revenue');
  assert.ok(rev && rev.visible && rev.painted > 1000, 'the revenue chart is drawn');
  assert.ok(R.kpis.by_month.length >= 12, 'a row per month');
  assert.deepEqual(rev.data[0], R.kpis.by_month.map((m) => m.revenue), 'revenue per month = kpis.by_month');
  assert.deepEqual(rev.data[1], R.kpis.by_month.map((m) => m.buyers), 'active members per month = kpis.by_month buyers');
  assert.ok(rev.data[0].some((x) => x > 0), 'the demo has revenue');
  const lastWhole = R.kpis.by_month[R.kpis.by_month.length - 2];
  const rs = await sentence('dash-revenue-sentence');
  assert.ok(digits(rs).includes(String(lastWhole.revenue)), `[${rs}] names the last whole month's revenue ${lastWhole.revenue_display}`);
  assert.ok(nums(rs).includes(lastWhole.buyers), `[${rs}] names its ${lastWhole.buyers} active members`);
  assert.ok(digits(await page.textContent('#dash-kpis')).includes(String(R.kpis.revenue)), 'the revenue figure is the API\'s');

  // Pareto / Lorenz
  const par = await chartOf(page, 'dash-pareto');
  assert.ok(par && par.painted > 1000, 'the Pareto chart is drawn');
  close(par.data[0], R.pareto.lorenz.map((p) => p.revenue_share * 100), 'Lorenz curve');
  const ps = await sentence('dash-pareto-sentence');
  assert.ok(nums(ps).includes(Math.round(R.pareto.top_revenue_share)), `[${ps}] has the top-20% share ${R.pareto.top_revenue_share}%`);
  assert.ok(nums(ps).includes(R.pareto.top_percent), `[${ps}] names the top ${R.pareto.top_percent}%`);

  // RFM: the bars, the tiles, and the members at risk
  const rfm = await chartOf(page, 'dash-rfm');
  assert.ok(rfm && rfm.painted > 1000, 'the RFM chart is drawn');
  const seg = Object.fromEntries(R.rfm.segments.map((s) => [s.segment, s]));
  const present = SEGMENTS.filter((s) => seg[s]);
  assert.deepEqual(rfm.data[0], present.map((s) => seg[s].members), 'members per segment = rfm segments');
  assert.equal(rfm.data[0].reduce((a, b) => a + b, 0), R.rfm.scored_members, 'every scored member is in a segment');
  for (const s of present) {
    const tile = (await page.textContent(`#dash-rfm-grid li[data-segment="${s}"]`)).trim();
    assert.ok(nums(tile).includes(seg[s].members), `${s} tile [${tile}] has ${seg[s].members} members`);
    assert.ok(digits(tile).endsWith(String(seg[s].revenue)), `${s} tile [${tile}] has revenue ${seg[s].revenue_display}`);
  }
  const atRisk = (seg.at_risk?.members || 0) + (seg.cannot_lose_them?.members || 0);
  const fs = await sentence('dash-rfm-sentence');
  assert.ok(atRisk > 0, 'the demo has members at risk');
  assert.ok(nums(fs).includes(atRisk), `[${fs}] counts ${atRisk} members at risk (at_risk + cannot_lose_them)`);
  assert.match(fs, /win-back/, 'and says what to do');

  // retention cohorts: one row per cohort, each cell the API's retention
  const cells = await page.$$eval('#dash-cohorts tbody tr', (rows) =>
    rows.map((r) => [...r.querySelectorAll('td')].slice(1).map((td) => td.textContent)));
  assert.equal(cells.length, R.cohorts.cohorts.length, 'a row per cohort');
  R.cohorts.cohorts.forEach((c, i) => c.retention.forEach((v, k) => {
    assert.equal(cells[i][k], `${Math.round(v)}%`, `cohort ${c.cohort} month ${k}`);
  }));
  const cs = await sentence('dash-cohorts-sentence');
  let size = 0, back = 0;
  for (const c of R.cohorts.cohorts) if (c.purchasing.length > 1) { size += c.size; back += c.purchasing[1]; }
  assert.ok(nums(cs).includes(Math.round((back / size) * 100)), `[${cs}] has the second-month return rate`);

  // churn trend
  const ch = await chartOf(page, 'dash-churn');
  assert.ok(ch && ch.painted > 1000, 'the churn chart is drawn');
  close(ch.data[0], R.churn.periods.map((p) => p.churn_rate), 'churn per month');
  const rated = R.churn.periods.slice(0, -1).filter((p) => p.churn_rate !== null && p.at_start > 0);
  const chs = await sentence('dash-churn-sentence');
  const [a, b] = rated.slice(-2).map((p) => Math.round(p.churn_rate));
  assert.ok(nums(chs).includes(a) && nums(chs).includes(b), `[${chs}] has the churn of the last two months (${a}%, ${b}%)`);
  assert.match(chs, b > a ? /rose/ : b < a ? /fell/ : /stayed/, 'and says which way it went');

  // CLV: the run fits a model, so the prediction is there
  assert.ok(R.clv.predictive, 'the test database has a fitted model');
  assert.equal(await page.locator('#dash-clv-none').isVisible(), false, 'no "fit a model" hint with a model');
  const dec = await chartOf(page, 'dash-clv-deciles');
  assert.ok(dec && dec.painted > 1000, 'the CLV deciles chart is drawn');
  close(dec.data[0], R.clv.predictive.deciles.map((d) => d.clv_share), 'CLV share per decile');
  const alive = await chartOf(page, 'dash-clv-alive');
  assert.deepEqual(alive.data[0], R.clv.predictive.p_alive_bands.map((x) => x.members), 'members per P(alive) band');
  const vs = await sentence('dash-clv-sentence');
  assert.ok(nums(vs).includes(Math.round(R.clv.predictive.deciles[0].clv_share)), `[${vs}] has the top decile's share`);
  assert.ok(digits(vs).includes(String(R.clv.predictive.clv_total)), `[${vs}] has the total ${R.clv.predictive.clv_total_display}`);

  // programme liability
  const li = await chartOf(page, 'dash-liability');
  const pts = R.economics.points;
  assert.ok(li && li.painted > 500, 'the liability chart is drawn');
  assert.deepEqual(li.data[0], [pts.net_issued, pts.redeemed, pts.expired, pts.outstanding], 'points given, redeemed, expired, outstanding');
  const ls = await sentence('dash-liability-sentence');
  assert.ok(digits(ls).startsWith(String(pts.liability)), `[${ls}] starts with the liability ${pts.liability_display}`);
  assert.ok(nums(ls).includes(pts.outstanding), `[${ls}] has the ${pts.outstanding} outstanding points`);

  assert.deepEqual(csp, [], 'nothing refused by the Content-Security-Policy');
});

btest('the period selector reloads, the language switch redraws, Counter goes back', async (page) => {
  await openDashboard(page);
  const before = await page.getAttribute('#dashboard', 'data-query');
  await page.selectOption('#dash-period', '3');
  await page.waitForFunction((before) => {
    const d = document.getElementById('dashboard');
    return d.dataset.ready === 'true' && d.dataset.query !== before;
  }, before);
  const query = await page.getAttribute('#dashboard', 'data-query');
  const kpis = (await api('GET', `/api/v1/reports/kpis?${query}`)).body;
  assert.ok(kpis.by_month.length <= 4 && kpis.by_month.length >= 3, `3 months: ${kpis.by_month.length} rows`);
  const rev = await chartOf(page, 'dash-revenue');
  assert.deepEqual(rev.data[0], kpis.by_month.map((m) => m.revenue), 'the revenue chart follows the period');

  await page.selectOption('#lang', 'bn');
  await page.locator('#dash-heading', { hasText: bn['dashboard.heading'] }).waitFor();
  const fs = (await page.textContent('#dash-rfm-sentence')).trim();
  assert.match(fs, /[\u0980-\u09ff]/, `the RFM sentence is in Bengali: [${fs}]`);
  const rfm = await chartOf(page, 'dash-rfm');
  assert.ok(rfm.labels.includes(bn['dashboard.segment.champions']), 'segment names in Bengali');
  await page.selectOption('#lang', 'en');

  await page.click('#nav-counter');
  await page.locator('#search').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#dashboard').isVisible(), false, 'the dashboard is hidden again');
});

btest('a cashier sees no dashboard', async (page) => {
  const pw = 'dash-cashier-pw-1';
  try {
    execFileSync(env.bin, ['user', 'add', '--db', env.db, '--username', 'dash-cashier', '--name', 'Dash Cashier', '--role', 'cashier'],
      { input: `${pw}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
  } catch (e) {
    if (!/exist|taken|already/i.test(String(e.stderr))) throw e;
  }
  await page.goto(`${env.url}/console#dashboard`);
  await page.fill('#login-username', 'dash-cashier');
  await page.fill('#login-password', pw);
  await page.click('#login-submit');
  await page.locator('#search').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#nav').isVisible(), true, 'the navigation is there');
  assert.equal(await page.locator('#nav-dashboard').isVisible(), false, 'but without the dashboard link');
  assert.equal(await page.locator('#dashboard').isVisible(), false, '#dashboard in the address opens nothing');
  await page.evaluate(() => { location.hash = '#counter'; location.hash = '#dashboard'; });
  await page.waitForTimeout(200);
  assert.equal(await page.locator('#dashboard').isVisible(), false, 'nor does changing the address');
  const r = await page.request.get(`${env.url}/api/v1/reports/kpis`);
  assert.equal(r.status(), 403, 'the reports API refuses a cashier');
});
