// Undo at the counter: right after a purchase the cashier can undo it within the grace period;
// the purchase is refunded in full (once, however often Undo is pressed) and what it earned is
// taken back, so the member's balances are what they were before.
import assert from 'node:assert/strict';
import { api, browserTests, login, openByCard, member } from './lib.mjs';

const btest = browserTests(import.meta.url);
const M = 7;

btest('Undo refunds the purchase just recorded and restores the balances', async (page) => {
  const before = await member(M);
  await login(page);
  await openByCard(page, before.member.card_token, before.member.name);
  await page.fill('#purchase-amount', '12.40');
  const answer = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/purchases' && r.request().method() === 'POST');
  await page.click('#purchase-submit');
  const body = await (await answer).json();
  const id = body.purchase.id;
  const mid = await member(M);
  assert.ok(mid.balances.points + mid.balances.pending > before.balances.points + before.balances.pending, 'the purchase earned');

  await page.locator('#undo-box').waitFor({ state: 'visible' });
  assert.match(await page.textContent('#undo-text'), /12\.40/, 'the offer names the amount');
  const refund = page.waitForResponse((r) => new URL(r.url()).pathname === `/api/v1/purchases/${id}/refunds`);
  await page.focus('#undo-button'); // reachable by keyboard
  await page.keyboard.press('Enter');
  const res = await refund;
  assert.equal(res.status(), 201, await res.text());
  assert.ok((await res.request().allHeaders())['idempotency-key'], 'the refund carries an Idempotency-Key');
  await page.locator('#undo-box').waitFor({ state: 'hidden' });

  const after = await member(M);
  assert.equal(after.balances.points, before.balances.points, 'points back to what they were');
  assert.equal(after.balances.pending, before.balances.pending, 'pending points back to what they were');
  assert.equal(after.balances.stamps, before.balances.stamps, 'stamps back to what they were');
  await page.locator(`#member-points[data-value="${before.balances.points}"]`).waitFor(); // the panel shows it
  // the purchase stays on the books, refunded in full
  const list = await fetchPurchases(M);
  const p = list.find((x) => x.id === id);
  assert.ok(p, 'the purchase is still listed');
  assert.equal(p.refunded, p.amount, 'refunded in full, once');
});

btest('Undo is withdrawn when another member is opened', async (page) => {
  const a = await member(8);
  const b = await member(9);
  await login(page);
  await openByCard(page, a.member.card_token, a.member.name);
  await page.fill('#purchase-amount', '5.00');
  await page.click('#purchase-submit');
  await page.locator('#undo-box').waitFor({ state: 'visible' });
  await openByCard(page, b.member.card_token, b.member.name);
  assert.equal(await page.locator('#undo-box').isVisible(), false, 'no Undo for a purchase of another member');
});

async function fetchPurchases(m) {
  const r = await api('GET', `/api/v1/purchases?member=${m}&limit=100`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.purchases;
}
