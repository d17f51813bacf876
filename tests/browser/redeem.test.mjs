// Redeeming at the counter: the member can afford RM5 off (points given by a manager first), the
// console offers exactly the rewards the API says are available, the click issues one voucher
// whose code is shown, and `loyalty voucher check` finds that voucher valid for this member.
import assert from 'node:assert/strict';
import { browserTests, login, openByCard, member, cli, num } from './lib.mjs';

const btest = browserTests(import.meta.url);
const M = 9;
const REWARD = 'rm5-off';

btest('redeem RM5 off and see the voucher code', async (page) => {
  await cli(['adjust', '--member', String(M), '--points', '400', '--reason', 'browser test: enough for RM5 off']);
  const before = await member(M);
  const cost = before.rewards.find((r) => r.id === REWARD)?.cost;
  assert.ok(before.rewards.find((r) => r.id === REWARD)?.available, `${REWARD} is available after the adjustment`);
  page.on('dialog', (d) => d.accept()); // a confirmation, if the console asks for one

  await login(page);
  await openByCard(page, before.member.card_token, before.member.name);
  const available = before.rewards.filter((r) => r.available).map((r) => r.id).sort();
  const enabled = await page.locator('#rewards button.redeem:enabled').evaluateAll((bs) => bs.map((b) => b.dataset.reward));
  assert.deepEqual(enabled.sort(), available, 'the rewards offered are the available ones');

  const answer = page.waitForResponse(
    (r) => new URL(r.url()).pathname === '/api/v1/redemptions' && r.request().method() === 'POST',
  );
  await page.click(`#rewards button.redeem[data-reward="${REWARD}"]`);
  const res = await answer;
  const body = await res.json();
  assert.equal(res.status(), 201, JSON.stringify(body));
  const v = body.voucher;

  const code = page.locator('#voucher-code');
  await code.waitFor({ state: 'visible' });
  await page.waitForFunction(() => /[0-9A-Z]{4}/.test(document.querySelector('#voucher-code').textContent));
  const text = await code.textContent();
  const shown = text.includes(v.code) ? v.code : text.includes(v.short_code) ? v.short_code : null;
  assert.ok(shown, `#voucher-code [${text}] shows ${v.code} or ${v.short_code}`);

  const check = await cli(['voucher', 'check', shown], { json: true });
  assert.equal(check.status, 'valid');
  assert.equal(check.voucher.code, v.code);
  assert.equal(check.voucher.member_id, M);
  assert.equal(check.voucher.reward, REWARD);

  const after = await member(M);
  assert.equal(after.balances.points, before.balances.points - cost, 'the reward cost its points, once');
  await page.waitForFunction(
    (want) => {
      const m = (document.querySelector('#member-points')?.textContent || '').match(/\d+(?:[,.\s\u00a0\u202f]\d{3})*/);
      return m && Number(m[0].replace(/\D/g, '')) === want;
    },
    after.balances.points,
  );
  assert.equal(num(await page.textContent('#member-points')), after.balances.points);
});
