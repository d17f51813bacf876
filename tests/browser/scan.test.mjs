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

// Camera scan: where the browser has BarcodeDetector, the camera button reads a card's QR code
// (here a stand-in detector that "sees" the card link after a few frames, and a canvas stream for
// the camera) and opens that member as a typed token would.
btest('the camera reads a card QR code and opens that member', async (page) => {
  const shown = await cli(['member', 'show', '6'], { json: true });
  const token = shown.member.card_token;
  await page.addInitScript((link) => {
    let calls = 0;
    window.__scanStopped = 0;
    window.BarcodeDetector = class {
      constructor(opts) { window.__scanFormats = opts && opts.formats; }
      async detect() { return ++calls < 3 ? [] : [{ rawValue: link, format: 'qr_code' }]; }
    };
    navigator.mediaDevices.getUserMedia = async () => {
      const c = document.createElement('canvas');
      c.getContext('2d').fillRect(0, 0, 4, 4);
      const s = c.captureStream(10);
      for (const tr of s.getTracks()) {
        const stop = tr.stop.bind(tr);
        tr.stop = () => { window.__scanStopped++; stop(); };
      }
      return s;
    };
  }, `https://shop.example/c/${token}`);
  await login(page);
  const btn = page.locator('#scan-camera');
  await btn.waitFor({ state: 'visible' });
  await btn.click();
  await page.locator('#member-name', { hasText: shown.member.name }).waitFor();
  assert.equal(await page.locator('#scan-dialog').evaluate((d) => d.open), false, 'the scan dialog closed');
  assert.ok((await page.evaluate(() => window.__scanStopped)) >= 1, 'the camera was released');
  assert.deepEqual(await page.evaluate(() => window.__scanFormats), ['qr_code']);
  assert.equal(await page.inputValue('#search'), token, 'the token from the link is in the search box');
});

btest('without BarcodeDetector there is no camera button', async (page) => {
  await page.addInitScript(() => { delete window.BarcodeDetector; });
  await login(page);
  assert.equal(await page.locator('#scan-camera').isVisible(), false);
});
