// Recording a purchase at the counter: the console sends what the cashier typed (amount in major
// units, an item line), shows the explanation the API returned, and the member panel shows the
// new balances; the database moved by exactly what the API said, once.
import assert from 'node:assert/strict';
import { browserTests, login, openByCard, member, cli, num, nums } from './lib.mjs';

const btest = browserTests(import.meta.url);
const M = 3;

btest('a purchase with two coffees shows its explanation and the new balances', async (page) => {
  const before = await member(M);
  assert.equal(before.stamp_card.full_cards, 0, 'the chosen member has no full card');
  await login(page);
  await openByCard(page, before.member.card_token, before.member.name);
  assert.equal(num(await page.textContent('#member-points')), before.balances.points);

  await page.fill('#purchase-amount', '18.50');
  await page.fill('#item-category', 'coffee');
  await page.fill('#item-sku', 'KOPI');
  await page.fill('#item-qty', '2');
  await page.fill('#item-amount', '9.00');
  await page.click('#item-add');
  const answer = page.waitForResponse(
    (r) => new URL(r.url()).pathname === '/api/v1/purchases' && r.request().method() === 'POST',
  );
  await page.click('#purchase-submit');
  const res = await answer;
  const body = await res.json();
  assert.equal(res.status(), 201, JSON.stringify(body));

  // what the console sent
  const req = res.request();
  const sent = req.postDataJSON();
  assert.equal(sent.amount, 1850, '18.50 is sent as 1850 minor units');
  assert.equal(sent.items?.length, 1, 'one item line');
  assert.equal(sent.items[0].category, 'coffee');
  assert.equal(sent.items[0].sku, 'KOPI');
  assert.equal(Number(sent.items[0].qty), 2);
  assert.equal(sent.items[0].amount, 900);
  const headers = await req.allHeaders();
  assert.ok(headers['idempotency-key'], 'the purchase carries an Idempotency-Key');
  assert.ok(headers['x-csrf-token'], 'the session write carries the CSRF token');

  // the explanation on the page is the API's
  const out = body.outcome;
  assert.ok(out.points_earned > 0 && out.stamps_earned === 2, JSON.stringify(out));
  const lines = page.locator('#explanation li');
  await lines.first().waitFor();
  assert.ok((await lines.count()) >= out.explain.filter((e) => e.amount !== 0).length, 'a line per rule that earned');
  // every rule's amount is on the page (a multiplier's hours add a line of their own, so the
  // total need not appear as one number)
  const shown = nums(await page.textContent('#explanation'));
  for (const e of out.explain.filter((x) => x.amount !== 0))
    assert.ok(shown.includes(Math.abs(e.amount)), `the ${e.rule} line (${e.amount}) is explained: ${shown}`);

  // the database moved by exactly what the API said, once
  const after = await member(M);
  const earned = out.points_earned + out.bonus_points;
  assert.equal(after.balances.points, before.balances.points + earned, 'points');
  assert.equal(after.balances.points, body.balances.points, 'the API answer and the member agree');
  assert.equal(after.balances.stamps, before.balances.stamps + 2, 'stamps');
  assert.equal(after.member.purchases, before.member.purchases + 1, 'exactly one purchase recorded');

  // and the panel was refreshed
  await page.waitForFunction(
    (want) => {
      const m = (document.querySelector('#member-points')?.textContent || '').match(/\d+(?:[,.\s\u00a0\u202f]\d{3})*/);
      return m && Number(m[0].replace(/\D/g, '')) === want;
    },
    after.balances.points,
  );
  assert.equal(await page.locator('#stamp-card .stamp.filled').count(), after.stamp_card.on_card, 'filled stamps');
  await cli(['db', 'verify']); // every ledger invariant still holds (exits non-zero otherwise)
});
