// Campaigns in the console (docs/campaigns.md): the owner creates an A/B campaign (two variants,
// a 20% holdout, every member) with the form, cancels the confirm step (nothing is sent), then
// sends it with the keyboard; the API then says every member of the audience has an arm and
// holdout members have no message. With purchases recorded through the API for some members of
// variant B, the results page shows the API's figures per arm, its verdict and a chart. A manager
// sees the results but neither the form nor the send button. The demo's campaign is listed.
import assert from 'node:assert/strict';
import { addStaff, api, assertContrast, assertFocusVisible, assertLabelled, browserTests, login, loginAs } from './lib.mjs';

const btest = browserTests(import.meta.url);
const NAME = `A/B ${Date.now()}`;
const state = {};

async function openCampaigns(page) {
  await page.click('#nav-campaigns');
  await page.locator('#campaigns[data-ready="true"]').waitFor();
}

// Every page of a list answer: fetch(cursor) -> {items, next}.
async function all(fetchPage) {
  const out = [];
  for (let cursor = 0, guard = 0; guard < 100; guard++) {
    const { items, next } = await fetchPage(cursor);
    out.push(...items);
    if (!next) break;
    cursor = next;
  }
  return out;
}

async function campaignMembers(id, arm) {
  return all(async (after) => {
    const r = await api('GET', `/api/v1/campaigns/${id}/members?limit=1000&after=${after}${arm ? `&arm=${arm}` : ''}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return { items: r.body.members, next: r.body.next_after };
  });
}

btest('the owner creates an A/B campaign with a 20% holdout and sends it', async (page) => {
  await login(page);
  await openCampaigns(page);
  // the demo's finished campaign is there
  const demo = page.locator('#cmp-list .cmp-item', { hasText: 'Demo: new blend' });
  await demo.waitFor();
  assert.equal(await demo.getAttribute('data-status'), 'sent');
  await assertLabelled(page);
  await assertContrast(page);
  await assertFocusVisible(page);

  // a bad holdout is refused at the field, nothing is created
  const before = (await api('GET', '/api/v1/campaigns?limit=100')).body.campaigns.length;
  await page.fill('#cmp-name', NAME);
  await page.fill('#cmp-holdout', '95');
  await page.click('#cmp-submit');
  await page.locator('#cmp-holdout-error').waitFor({ state: 'visible' });
  assert.equal(await page.getAttribute('#cmp-holdout', 'aria-invalid'), 'true');
  assert.equal((await api('GET', '/api/v1/campaigns?limit=100')).body.campaigns.length, before);

  await page.selectOption('#cmp-audience', 'all');
  await page.selectOption('#cmp-template-a', 'campaign');
  assert.equal(await page.isChecked('#cmp-ab'), true, 'variant B is on by default');
  await page.selectOption('#cmp-template-b', 'campaign');
  await page.fill('#cmp-holdout', '20');
  await page.fill('#cmp-days', '14');
  await page.click('#cmp-submit');
  await page.locator('#cmp-detail[data-status="draft"][data-ready="true"]').waitFor();
  assert.equal((await page.textContent('#cmp-detail-heading')).trim(), NAME);
  const list = (await api('GET', '/api/v1/campaigns?limit=100')).body.campaigns;
  const c = list.find((x) => x.name === NAME);
  assert.ok(c, 'the API has the new campaign');
  assert.equal(c.status, 'draft');
  assert.equal(c.holdout_percent, 20);
  assert.equal(c.audience, 'all');
  assert.deepEqual(c.variants.map((v) => v.id), ['A', 'B']);
  state.id = c.id;

  // the confirm step: cancelling sends nothing
  await page.click('#cmp-send');
  await page.locator('#cmp-confirm[open]').waitFor();
  assert.match(await page.textContent('#cmp-confirm-text'), /20%/);
  await page.click('#cmp-confirm-no');
  await page.locator('#cmp-confirm').waitFor({ state: 'hidden' });
  assert.equal((await api('GET', `/api/v1/campaigns/${c.id}`)).body.campaign.status, 'draft');
  await assertLabelled(page);

  // sent with the keyboard: Enter on the button, the dialog's focus starts on Cancel
  await page.focus('#cmp-send');
  await page.keyboard.press('Enter');
  await page.locator('#cmp-confirm[open]').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'cmp-confirm-no');
  await page.keyboard.press('Shift+Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'cmp-confirm-yes');
  await page.keyboard.press('Enter');
  await page.locator(`#cmp-detail[data-id="${c.id}"][data-status="sent"][data-ready="true"]`).waitFor();
  await page.locator('#cmp-verdict').waitFor({ state: 'visible' });

  // the API: every member of the audience (not erased, joined by the send) has one arm
  const sent = (await api('GET', `/api/v1/campaigns/${c.id}`)).body.campaign;
  assert.equal(sent.status, 'sent');
  const members = await campaignMembers(c.id);
  assert.equal(members.length, sent.members);
  const arms = new Map(members.map((m) => [m.member_id, m]));
  assert.equal(arms.size, members.length, 'one arm per member');
  const maxId = Math.max(...members.map((m) => m.member_id));
  for (let id = 1; id <= maxId + 20; id += 20) {
    const views = await Promise.all(Array.from({ length: 20 }, (_, k) => api('GET', `/api/v1/members/${id + k}`)));
    views.forEach((v, k) => {
      const mid = id + k;
      const inAudience = v.status === 200 && !v.body.member.erased_at && v.body.member.joined_at <= sent.sent_at;
      assert.equal(arms.has(mid), inAudience, `member ${mid}: in the audience ${inAudience}`);
    });
  }
  const holdout = members.filter((m) => m.arm === 'holdout');
  assert.ok(holdout.length > 0, 'someone is held out');
  assert.ok(Math.abs(holdout.length / members.length - 0.2) < 0.12, `about 20% held out: ${holdout.length} of ${members.length}`);
  for (const m of members) {
    assert.ok(['A', 'B', 'holdout'].includes(m.arm));
    assert.equal(m.message_id === null, m.arm === 'holdout', `member ${m.member_id} (${m.arm}): a message only outside the holdout`);
  }
  // and the messages list agrees: no campaign message for a holdout member
  const messages = await all(async (before) => {
    const r = await api('GET', `/api/v1/messages?limit=500${before ? `&before=${before}` : ''}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return { items: r.body.messages, next: r.body.next_before };
  });
  const ours = messages.filter((m) => m.campaign_id === c.id);
  assert.equal(ours.length, members.length - holdout.length);
  for (const m of ours) {
    const a = arms.get(m.member_id);
    assert.ok(a && a.arm !== 'holdout', `message to member ${m.member_id} outside the holdout`);
    assert.equal(m.variant, a.arm);
    assert.equal(m.key, `campaign:${c.id}`);
  }
  state.members = members;
});

btest('the results page shows the API\'s figures and verdict', async (page) => {
  assert.ok(state.id, 'runs after the send test');
  // purchases through the API for two thirds of variant B
  const b = state.members.filter((m) => m.arm === 'B');
  for (const m of b.slice(0, Math.ceil((b.length * 2) / 3))) {
    const r = await api('POST', '/api/v1/purchases', { member: m.member_id, amount: 1200 }, { 'Idempotency-Key': `campaign-test-${state.id}-${m.member_id}` });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  await login(page);
  await openCampaigns(page);
  await page.click(`#cmp-list .cmp-item[data-id="${state.id}"]`);
  await page.locator(`#cmp-detail[data-id="${state.id}"][data-ready="true"]`).waitFor();
  await page.locator('#cmp-results').waitFor({ state: 'visible' });
  const res = await api('GET', `/api/v1/campaigns/${state.id}/results`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const r = res.body;
  assert.equal(r.arms.find((a) => a.arm === 'B').conversions, Math.ceil((b.length * 2) / 3));
  const number = (s) => Number(String(s).replace(/[^\d.]/g, ''));
  for (const a of r.arms) {
    const row = page.locator(`#cmp-table tr[data-arm="${a.arm}"]`);
    assert.equal(number(await row.locator('[data-col="members"]').textContent()), a.members, `${a.arm}: members`);
    assert.equal(number(await row.locator('[data-col="conversions"]').textContent()), a.conversions, `${a.arm}: conversions`);
    const rate = number(await row.locator('[data-col="rate"] .cmp-rate').textContent());
    assert.ok(Math.abs(rate - a.rate * 100) < 0.051, `${a.arm}: rate ${rate} against ${a.rate}`);
    const interval = await row.locator('[data-col="interval"]').textContent();
    const [low, high] = interval.match(/[\d.]+/g).map(Number);
    assert.ok(Math.abs(low - a.rate_low * 100) < 0.051 && Math.abs(high - a.rate_high * 100) < 0.051, `${a.arm}: interval ${interval}`);
    const uplift = await row.locator('[data-col="uplift"]').textContent();
    if (a.holdout) assert.equal(uplift.trim(), '–');
    else assert.match(uplift, new RegExp(`^[+−-]?${Math.abs(a.vs_holdout.points).toFixed(1).replace('.', '\\.')} points`), `${a.arm}: uplift ${uplift}`);
  }
  const verdict = page.locator('#cmp-verdict');
  assert.equal(await verdict.getAttribute('data-code'), r.verdict.code);
  assert.equal((await verdict.textContent()).trim().replace(/\.$/, '').toLowerCase(), r.verdict.text.toLowerCase());
  assert.ok(await page.evaluate(() => !!(window.Chart && window.Chart.getChart(document.getElementById('cmp-chart')))), 'a bar chart of the rates');
  const bars = await page.evaluate(() => window.Chart.getChart(document.getElementById('cmp-chart')).data.datasets[0].data);
  assert.deepEqual(bars, r.arms.map((a) => Math.round(a.rate * 1000) / 10));
  await assertLabelled(page);
  await assertContrast(page);
});

btest('a manager reads the results but cannot create or send', async (page) => {
  assert.ok(state.id, 'runs after the send test');
  await addStaff('campaign-manager', 'manager', 'campaign-manager-pw-1');
  await loginAs(page, 'campaign-manager', 'campaign-manager-pw-1', '#campaigns');
  await page.locator('#campaigns[data-ready="true"]').waitFor();
  await page.locator('#cmp-detail[data-ready="true"]').waitFor();
  assert.equal(await page.locator('#cmp-create').isVisible(), false, 'no form');
  assert.equal(await page.locator('#cmp-send').isVisible(), false, 'no send button');
  await page.click(`#cmp-list .cmp-item[data-id="${state.id}"]`);
  await page.locator(`#cmp-detail[data-id="${state.id}"][data-ready="true"]`).waitFor();
  await page.locator('#cmp-verdict').waitFor({ state: 'visible' });
  await assertLabelled(page);
});
