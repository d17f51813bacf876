// Scanning a card: a USB scanner types the card token into the search box and presses Enter;
// the member panel opens on that member and shows what the API says about them.
import assert from 'node:assert/strict';
import { browserTests, login, openByCard, cli, member, num, nums } from './lib.mjs';

const btest = browserTests(import.meta.url);

btest('typing a card token and Enter opens that member', async (page) => {
  const shown = await cli(['member', 'show', '5'], { json: true });
  const token = shown.member.card_token;
  const view = await member(5);
  await login(page);
  await openByCard(page, token);
  await page.locator('#member-name', { hasText: shown.member.name }).waitFor();
  assert.equal((await page.textContent('#member-name')).trim(), shown.member.name);
  assert.equal(num(await page.textContent('#member-points')), view.balances.points, '#member-points');
  const tier = await page.textContent('#member-tier');
  assert.ok([view.tier.name, view.tier.id].some((n) => tier.toLowerCase().includes(n.toLowerCase())),
    `#member-tier [${tier}] names ${view.tier.id}`);
  assert.notEqual((await page.textContent('#member-greeting')).trim(), '', '#member-greeting says something');
  const card = view.stamp_card;
  assert.equal(card.full_cards, 0, 'the chosen member has no full card (on_card is what the card shows)');
  assert.equal(await page.locator('#stamp-card .stamp').count(), card.card_size, 'one .stamp per slot');
  assert.equal(await page.locator('#stamp-card .stamp.filled').count(), card.on_card, 'filled stamps');
  if (view.expiring && view.expiring.points > 0)
    assert.ok(nums(await page.textContent('#member-expiring')).includes(view.expiring.points), '#member-expiring');
  // only rewards the API says are available can be redeemed (none for this member)
  const available = new Set(view.rewards.filter((r) => r.available).map((r) => r.id));
  const enabled = await page
    .locator('#rewards button.redeem:enabled')
    .evaluateAll((bs) => bs.map((b) => b.dataset.reward));
  for (const id of enabled) assert.ok(available.has(id), `reward ${id} is offered but not available`);
  for (const id of available) assert.ok(enabled.includes(id), `available reward ${id} is not offered`);
});

btest('a token nobody has opens nobody', async (page) => {
  await login(page);
  await page.locator('#search').fill('ZZZZZZZZZZZZZZZZZZZZZZZZZZ');
  await page.keyboard.press('Enter');
  await page.waitForTimeout(500);
  assert.equal(await page.locator('#member').isVisible(), false, 'no member panel');
});
