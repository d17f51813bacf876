// Staff and keys (owner only): the owner adds a cashier from the keyboard, who then logs in (in a
// second browser context) and finds no such page, neither the link nor the address, and the API
// refuses them; a bad value is shown under its field and saves nothing; an API key is shown once,
// works as "Authorization: Bearer" on /api/v1/members, is never listed, and stops working when
// revoked after a confirmation; a webhook's signing secret is shown once and the webhook deleted;
// a location is added (its join page answers) and renamed. Each is checked through the API.
import assert from 'node:assert/strict';
import path from 'node:path';
import { browserTests, api, login, env } from './lib.mjs';

const btest = browserTests(import.meta.url);
const stamp = Date.now().toString(36);

async function openAdmin(page) {
  await login(page);
  const link = page.locator('#nav-admin');
  await link.waitFor({ state: 'visible' });
  await link.click();
  await page.locator('#admin[data-ready="true"]').waitFor();
  assert.equal(await page.locator('#counter').isVisible(), false, 'the counter is hidden');
  assert.equal(await link.getAttribute('aria-current'), 'page', 'the link is marked current');
}

async function users() {
  const r = await api('GET', '/api/v1/users');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.users;
}

btest('the owner adds a cashier from the keyboard; the cashier has no admin page', async (page) => {
  await openAdmin(page);
  const username = `till-${stamp}`;
  const password = 'till-browser-pw-1';
  // every control of the form has a label and is reached with Tab
  for (const id of ['admin-user-username', 'admin-user-name', 'admin-user-role', 'admin-user-password']) {
    assert.equal(await page.locator(`label[for="${id}"]`).count(), 1, `${id} has a label`);
  }
  await page.focus('#admin-user-username');
  await page.keyboard.type(username);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'admin-user-name');
  await page.keyboard.type('Till Browser');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'admin-user-role');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'admin-user-password');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
  const item = page.locator(`#admin-users li[data-username="${username}"]`);
  await item.waitFor();
  assert.match(await item.textContent(), /Till Browser/);
  const u = (await users()).find((x) => x.username === username);
  assert.ok(u, 'the API lists the new user');
  assert.equal(u.role, 'cashier');
  assert.equal(u.name, 'Till Browser');
  assert.equal(u.disabled, false);
  assert.equal(await page.inputValue('#admin-user-password'), '', 'the form is emptied');

  // the cashier, in a browser of their own
  const context = await page.context().browser().newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
  try {
    const other = await context.newPage();
    await other.goto(`${env.url}/console#admin`);
    await other.fill('#login-username', username);
    await other.fill('#login-password', password);
    await other.click('#login-submit');
    await other.locator('#search').waitFor({ state: 'visible' });
    assert.equal(await other.locator('#nav-admin').isVisible(), false, 'no Staff and keys link');
    assert.equal(await other.locator('#admin').isVisible(), false, '#admin in the address opens nothing');
    await other.evaluate(() => { location.hash = '#counter'; location.hash = '#admin'; });
    await other.waitForTimeout(200);
    assert.equal(await other.locator('#admin').isVisible(), false, 'nor does changing the address');
    const r = await other.request.get(`${env.url}/api/v1/users`);
    assert.equal(r.status(), 403, 'the API refuses the cashier');
    await other.screenshot({ path: path.join(env.shots, 'admin--cashier-sees-no-admin-page.png'), fullPage: true });
  } finally {
    await context.close();
  }
});

btest('a refused value is shown under its field and saves nothing', async (page) => {
  await openAdmin(page);
  const before = (await users()).length;
  await page.fill('#admin-user-username', `short-${stamp}`);
  await page.fill('#admin-user-password', 'short');
  await page.click('#admin-user-submit');
  const err = page.locator('#admin-user-password-error');
  await err.waitFor({ state: 'visible' });
  assert.match(await err.textContent(), /password/, `[${await err.textContent()}] names the password`);
  assert.equal(await page.getAttribute('#admin-user-password', 'aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'admin-user-password', 'the field has the focus');
  assert.equal(await page.locator('#admin-user-username-error').isVisible(), false, 'only that field is marked');
  assert.equal((await users()).length, before, 'no user was added');
  await page.screenshot({ path: path.join(env.shots, 'admin--password-refused.png'), fullPage: false });

  // a location code with a space: the message under the code
  const locs = (await api('GET', '/api/v1/locations')).body.locations.length;
  await page.fill('#admin-location-code', 'K L');
  await page.fill('#admin-location-name', 'Space Station');
  await page.click('#admin-location-submit');
  await page.locator('#admin-location-code-error').waitFor({ state: 'visible' });
  assert.match(await page.textContent('#admin-location-code-error'), /code/);
  assert.equal((await api('GET', '/api/v1/locations')).body.locations.length, locs, 'no location was added');
  // a good value clears the message
  await page.fill('#admin-user-password', 'long-enough-pw-1');
  await page.click('#admin-user-submit');
  await page.locator(`#admin-users li[data-username="short-${stamp}"]`).waitFor();
  assert.equal(await err.isVisible(), false, 'the message goes once it is saved');
});

btest('an API key is shown once, works as a Bearer key, and stops when revoked', async (page) => {
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.url });
  await openAdmin(page);
  await page.fill('#admin-key-name', `Browser POS ${stamp}`);
  await page.selectOption('#admin-key-role', 'cashier');
  await page.click('#admin-key-submit');
  await page.locator('#admin-key-secret').waitFor({ state: 'visible' });
  const key = await page.inputValue('#admin-key-secret-value');
  assert.match(key, /^loy_[A-Z0-9]{32}$/, 'the secret is shown');
  assert.notEqual((await page.textContent('#admin-key-secret .admin-warning')).trim(), '', 'with a plain warning');
  await page.click('#admin-key-copy');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), key, 'Copy puts the key on the clipboard');
  await page.screenshot({ path: path.join(env.shots, 'admin--key-shown-once.png'), fullPage: false });

  // the key works with "Authorization: Bearer" (docs/http-api.md)
  const members = await fetch(`${env.url}/api/v1/members?q=a`, { headers: { Authorization: `Bearer ${key}` } });
  assert.equal(members.status, 200, 'the new key may search members');
  // never listed: not by the API, not on the page once hidden
  const list = await api('GET', '/api/v1/apikeys');
  assert.equal(list.status, 200);
  assert.ok(!JSON.stringify(list.body).includes(key.slice(12)), 'the list has no secret');
  const mine = list.body.keys.find((k) => k.name === `Browser POS ${stamp}`);
  assert.ok(mine && key.startsWith(mine.prefix) && mine.role === 'cashier', 'the list has the key by its prefix');
  await page.click('#admin-key-done');
  assert.equal(await page.locator('#admin-key-secret').isVisible(), false);
  assert.ok(!(await page.content()).includes(key.slice(12)), 'the page no longer holds the secret');

  // revoke, after a confirmation; Cancel first changes nothing
  const item = page.locator(`#admin-keys li[data-key-id="${mine.id}"]`);
  await item.locator('[data-action="revoke"]').click();
  await page.locator('#admin-confirm').waitFor({ state: 'visible' });
  assert.match(await page.textContent('#admin-confirm-text'), new RegExp(mine.prefix));
  await page.keyboard.press('Escape');
  await page.locator('#admin-confirm').waitFor({ state: 'hidden' });
  assert.equal((await fetch(`${env.url}/api/v1/members?q=a`, { headers: { Authorization: `Bearer ${key}` } })).status, 200, 'still works');
  await item.locator('[data-action="revoke"]').click();
  await page.click('#admin-confirm-yes');
  await page.locator(`#admin-keys li[data-key-id="${mine.id}"] [data-state="revoked"]`).waitFor();
  const after = await fetch(`${env.url}/api/v1/members?q=a`, { headers: { Authorization: `Bearer ${key}` } });
  assert.equal(after.status, 401, 'the revoked key is refused');
  const again = (await api('GET', '/api/v1/apikeys')).body.keys.find((k) => k.id === mine.id);
  assert.ok(again.revoked_at, 'the API lists it as revoked');
});

btest('a webhook shows its signing secret once and is deleted after a confirmation', async (page) => {
  await openAdmin(page);
  const url = `http://127.0.0.1:9/hook-${stamp}`;
  // no event ticked: the message is under the events
  await page.fill('#admin-hook-url', url);
  await page.click('#admin-hook-submit');
  await page.locator('#admin-hook-events-error').waitFor({ state: 'visible' });
  assert.match(await page.textContent('#admin-hook-events-error'), /events/);
  await page.check('#admin-hook-event-purchase-recorded');
  await page.check('#admin-hook-event-tier-changed');
  await page.click('#admin-hook-submit');
  await page.locator('#admin-hook-secret').waitFor({ state: 'visible' });
  assert.match(await page.inputValue('#admin-hook-secret-value'), /^whsec_/);
  const hook = (await api('GET', '/api/v1/webhooks')).body.webhooks.find((h) => h.url === url);
  assert.ok(hook, 'the API lists the webhook');
  assert.deepEqual([...hook.events].sort(), ['purchase.recorded', 'tier.changed']);
  assert.ok(!JSON.stringify(hook).includes('whsec_'), 'without its secret');
  await page.click('#admin-hook-done');
  await page.locator(`#admin-hooks li[data-hook-id="${hook.id}"] [data-action="delete"]`).click();
  await page.click('#admin-confirm-yes');
  await page.locator(`#admin-hooks li[data-hook-id="${hook.id}"]`).waitFor({ state: 'detached' });
  assert.ok(!(await api('GET', '/api/v1/webhooks')).body.webhooks.some((h) => h.id === hook.id), 'deleted');
});

btest('the owner adds a location; its join page answers; then renames it', async (page) => {
  await openAdmin(page);
  const code = `B${stamp.toUpperCase()}`;
  await page.fill('#admin-location-code', code);
  await page.fill('#admin-location-name', 'Kopi Kita Browser');
  await page.click('#admin-location-submit');
  const item = page.locator(`#admin-locations li[data-code="${code}"]`);
  await item.waitFor();
  const loc = (await api('GET', '/api/v1/locations')).body.locations.find((l) => l.code === code);
  assert.ok(loc, 'the API lists the location');
  assert.equal(loc.name, 'Kopi Kita Browser');
  const href = await item.locator('[data-action="join"]').getAttribute('href');
  assert.equal(href, loc.join, 'the page links its join page');
  const join = await fetch(env.url + href);
  assert.equal(join.status, 200, `GET ${href}`);
  const info = await fetch(`${env.url}/api/v1/join/${loc.id}`);
  assert.equal(info.status, 200);
  assert.equal((await info.json()).location.name, 'Kopi Kita Browser', 'the join page shows this location');
  assert.match(await item.textContent(), new RegExp(`loyalty poster ${code}`), 'how to print its poster');

  // rename in place
  await page.fill(`#admin-l-${loc.id}-name`, 'Kopi Kita Browser Mall');
  await item.locator('[data-action="rename"]').click();
  await page.locator('#status', { hasText: 'Kopi Kita Browser Mall' }).waitFor();
  const renamed = (await api('GET', '/api/v1/locations')).body.locations.find((l) => l.code === code);
  assert.equal(renamed.name, 'Kopi Kita Browser Mall');
  assert.equal(renamed.id, loc.id, 'the same location (and join page)');
});
