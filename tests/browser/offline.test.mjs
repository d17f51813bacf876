// The offline purchase queue at the counter: with the network cut in the browser, purchases wait
// in IndexedDB with the Idempotency-Key made when the cashier pressed the button; when the network
// returns they are sent in order and recorded exactly once, also across a reload while offline and
// when the server's answer is lost. A purchase the server refuses leaves the queue and is shown.
import assert from 'node:assert/strict';
import path from 'node:path';
import { browserTests, login, openByCard, member, api, cli, env } from './lib.mjs';

const btest = browserTests(import.meta.url);
const isPost = (r) => new URL(r.url()).pathname === '/api/v1/purchases' && r.method() === 'POST';

// The member's purchases as the API lists them, newest first.
async function purchases(id) {
  const r = await api('GET', `/api/v1/purchases?member=${id}&limit=1000`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.purchases;
}

// What waits in the browser's queue (IndexedDB "loyalty", store "purchases").
function stored(page) {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const req = indexedDB.open('loyalty');
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const d = req.result;
          if (!d.objectStoreNames.contains('purchases')) {
            d.close();
            resolve([]);
            return;
          }
          const g = d.transaction('purchases').objectStore('purchases').getAll();
          g.onsuccess = () => {
            d.close();
            resolve(g.result);
          };
          g.onerror = () => reject(g.error);
        };
      }),
  );
}

async function waitQueued(page, n) {
  await page.waitForFunction((want) => document.querySelector('#queue-count')?.dataset.value === String(want), n);
}

async function recordPurchase(page, amount) {
  await page.fill('#purchase-amount', amount);
  await page.click('#purchase-submit');
}

// Polls until fn() is true (the server's view changes after the page's requests).
async function until(fn, what, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const shot = (page, name) => page.screenshot({ path: path.join(env.shots, `offline--${name}.png`), fullPage: true });

btest('three purchases made offline are recorded exactly once when the network returns', async (page) => {
  const M = 11;
  const before = await member(M);
  const listBefore = await purchases(M);
  await login(page);
  await openByCard(page, before.member.card_token, before.member.name);

  const posts = []; // every purchase POST the page makes, with its key and CSRF token
  page.on('request', (r) => {
    if (isPost(r)) posts.push({ key: r.headers()['idempotency-key'], csrf: r.headers()['x-csrf-token'], body: r.postDataJSON() });
  });
  const answers = [];
  page.on('response', async (r) => {
    if (isPost(r.request())) answers.push({ status: r.status(), body: await r.json().catch(() => null) });
  });

  await page.context().setOffline(true);
  await page.locator('#status[data-kind="error"]', { hasText: 'offline' }).waitFor();
  const amounts = ['4.20', '7.80', '12.35'];
  for (let i = 0; i < amounts.length; i++) {
    await recordPurchase(page, amounts[i]);
    await waitQueued(page, i + 1);
    assert.equal(await page.inputValue('#purchase-amount'), '', 'the form is cleared for the next purchase');
  }

  // the page says so plainly, and lists what waits
  assert.match(await page.textContent('#status'), /kept in this browser/);
  assert.ok(await page.locator('#queue-box').isVisible(), 'the queue is shown');
  assert.equal(await page.locator('#queue li').count(), 3);
  assert.deepEqual(await page.locator('#queue li').evaluateAll((li) => li.map((x) => Number(x.dataset.amount))), [420, 780, 1235]);
  for (const li of await page.locator('#queue li').allTextContents()) assert.ok(li.includes(before.member.name), li);
  assert.match(await page.textContent('#member-queued'), /3/);
  await shot(page, 'three-purchases-queued-offline');

  // nothing reached the server; the browser keeps three entries, each with its own key
  assert.equal(posts.length, 0, 'no request was sent while offline');
  assert.equal((await member(M)).member.purchases, before.member.purchases, 'no purchase recorded yet');
  assert.equal((await purchases(M)).length, listBefore.length);
  const queued = await stored(page);
  assert.equal(queued.length, 3);
  assert.deepEqual(queued.map((e) => e.body.amount), [420, 780, 1235], 'in order');
  assert.equal(new Set(queued.map((e) => e.key)).size, 3, 'a key per purchase');
  assert.ok(queued.every((e) => e.member.id === M && e.created_at));

  // the network returns: the queue drains by itself
  await page.context().setOffline(false);
  await page.locator('#queue-box').waitFor({ state: 'hidden' });
  await page.locator('#status[data-kind="ok"]', { hasText: 'recorded' }).waitFor();
  assert.deepEqual(await stored(page), [], 'the browser queue is empty');

  const after = await member(M);
  const listAfter = await purchases(M);
  assert.equal(after.member.purchases, before.member.purchases + 3, 'exactly three purchases recorded');
  const known = new Set(listBefore.map((p) => p.id));
  const fresh = listAfter.filter((p) => !known.has(p.id));
  assert.equal(fresh.length, 3, 'exactly three new purchases in the list');
  assert.deepEqual(fresh.map((p) => p.amount).sort((a, b) => a - b), [420, 780, 1235]);

  // sent in order with the keys made offline and the session's CSRF token
  // (an attempt that failed on the way is sent again with its key: count keys, not requests)
  assert.deepEqual([...new Set(posts.map((p) => p.key))], queued.map((e) => e.key));
  assert.deepEqual([...new Set(posts.map((p) => p.body.amount))], [420, 780, 1235]);
  assert.ok(posts.every((p) => p.csrf), 'each carries the CSRF token');
  await until(() => answers.length === 3, 'three answers');
  assert.deepEqual(answers.map((a) => a.status), [201, 201, 201]);

  // the points moved by exactly what the server answered, and the panel shows them
  const earned = answers.reduce((s, a) => s + a.body.outcome.points_earned + a.body.outcome.bonus_points, 0);
  assert.ok(earned > 0, 'the purchases earned points');
  assert.equal(after.balances.points, before.balances.points + earned, 'points');
  await page.waitForFunction(
    (want) => document.querySelector('#member-points')?.dataset.value === String(want),
    after.balances.points,
  );
  assert.ok(await page.locator('#member-queued').isHidden());
  await shot(page, 'queue-drained');
  await cli(['db', 'verify']);
});

btest('a purchase queued offline survives a reload and is recorded once', async (page) => {
  const M = 12;
  const before = await member(M);
  await login(page);
  await openByCard(page, before.member.card_token, before.member.name);
  // the service worker has kept the console's files (sw.js)
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  // every purchase POST, seen by an interception that lets it through (more reliable across the
  // reload than request events)
  const keys = [];
  await page.route('**/api/v1/purchases', (route) => {
    if (route.request().method() === 'POST') keys.push(route.request().headers()['idempotency-key']);
    return route.continue();
  });
  await page.context().setOffline(true);
  await page.waitForFunction(() => navigator.onLine === false);
  await recordPurchase(page, '9.90');
  await waitQueued(page, 1);
  const [entry] = await stored(page);
  assert.equal(entry.body.amount, 990);

  // reloading without a network still opens the console (the service worker's copies), not the
  // browser's error page, and it shows the purchase waiting in the queue, read from IndexedDB
  await page.reload();
  assert.ok(!page.url().startsWith('chrome-error:'), `the console reloaded offline: ${page.url()}`);
  await waitQueued(page, 1);
  assert.match(await page.textContent('#status'), /./, 'the page says it is offline');
  await shot(page, 'reloaded-offline');
  // then the console's page is gone (a blank page makes sure of it): the queue is only in IndexedDB
  await page.goto('about:blank');
  await page.context().setOffline(false);
  assert.deepEqual(keys, [], 'nothing sent while offline');
  await page.goto(`${env.url}/console`); // the session cookie still holds: straight to the counter
  await until(async () => (await member(M)).member.purchases === before.member.purchases + 1, 'the purchase');
  await until(async () => (await stored(page)).length === 0, 'the queue to empty');
  await page.waitForTimeout(500); // nothing more arrives
  assert.equal((await member(M)).member.purchases, before.member.purchases + 1, 'exactly one purchase recorded');
  // (Chromium does not always report the reopened page's first requests to the test, so the key
  // is proven on the server: the same key and body replay the stored answer and change nothing)
  assert.ok(keys.every((k) => k === entry.key), `only the key made offline was sent: ${keys}`);
  const last = (await purchases(M))[0];
  assert.equal(last.amount, 990);
  const replay = await fetch(`${env.url}/api/v1/purchases`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${env.apiKey}`, 'Content-Type': 'application/json', 'Idempotency-Key': entry.key },
    body: JSON.stringify(entry.body),
  });
  assert.equal(replay.headers.get('idempotent-replayed'), 'true', 'recorded under the key made offline');
  assert.equal((await replay.json()).purchase?.id ?? last.id, last.id);
  assert.equal((await member(M)).member.purchases, before.member.purchases + 1, 'still exactly one');
});

btest('a lost answer is replayed by the server, not recorded twice', async (page) => {
  const M = 13;
  const before = await member(M);
  await login(page);
  await openByCard(page, before.member.card_token, before.member.name);
  await page.context().setOffline(true);
  await page.waitForFunction(() => navigator.onLine === false);
  await recordPurchase(page, '6.60');
  await waitQueued(page, 1);
  const [entry] = await stored(page);

  // the request reaches the server and is recorded, but the answer never reaches the page
  let reached = 0;
  await page.route('**/api/v1/purchases', async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    reached++;
    await route.fetch();
    await route.abort('connectionreset');
  });
  await page.context().setOffline(false);
  await until(() => reached > 0, 'the first send');
  await until(async () => (await member(M)).member.purchases === before.member.purchases + 1, 'the purchase');
  assert.equal((await stored(page)).length, 1, 'still queued: the page never heard the answer');

  // a reload (or the periodic retry, whichever comes first) sends it again with the same key:
  // the server replays its stored answer
  const answers = [];
  page.on('response', (r) => {
    if (isPost(r.request())) answers.push({ status: r.status(), key: r.request().headers()['idempotency-key'], replayed: r.headers()['idempotent-replayed'] });
  });
  await page.unroute('**/api/v1/purchases');
  await page.reload();
  await until(async () => (await stored(page)).length === 0, 'the queue to empty');
  assert.ok(answers.length >= 1);
  assert.equal(answers[0].status, 201, 'the stored answer again');
  assert.equal(answers[0].key, entry.key);
  assert.equal(answers[0].replayed, 'true');
  assert.equal((await member(M)).member.purchases, before.member.purchases + 1, 'exactly one purchase recorded');
});

btest('a queued purchase the server refuses leaves the queue and is shown as refused', async (page) => {
  const M = 14;
  const before = await member(M);
  await login(page);
  await openByCard(page, before.member.card_token, before.member.name);
  await page.context().setOffline(true);
  await page.waitForFunction(() => navigator.onLine === false);
  await recordPurchase(page, '3.30');
  await waitQueued(page, 1);
  // the server refuses it (a rule, bad input): 422 with its message
  let tries = 0;
  await page.route('**/api/v1/purchases', (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    tries++;
    return route.fulfill({
      status: 422,
      contentType: 'application/json',
      body: JSON.stringify({ error: { code: 'refused', message: 'the member is blocked' } }),
    });
  });
  await page.context().setOffline(false);
  await page.locator('#queue-failed li', { hasText: 'the member is blocked' }).waitFor();
  assert.ok(await page.locator('#queue-box').isHidden(), 'no longer waiting');
  assert.deepEqual(await stored(page), []);
  assert.match(await page.textContent('#status'), /refused/);
  await page.waitForTimeout(4500); // one retry period: it is not sent again
  assert.equal(tries, 1, 'never retried blindly');
  assert.equal((await member(M)).member.purchases, before.member.purchases, 'nothing recorded');
  await page.click('#queue-failed-clear');
  assert.ok(await page.locator('#queue-failed-box').isHidden());
});
