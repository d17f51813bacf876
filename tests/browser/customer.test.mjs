// The customer pages, on a phone-sized screen, without a staff login: joining at a location in
// Bengali (consents unticked until ticked, an API error shown next to its field, a lost answer
// retried with the same Idempotency-Key and recorded once) lands on "my card"; the member is
// checked in the database (locale, home location, birthday, consents with their source); my card
// shows what GET /api/v1/cards/{token} says; the language switch is remembered; unknown cards and
// join addresses get a kind page.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import path from 'node:path';
import { api, assertContrast, assertFocusVisible, assertLabelled, browserTests, cli, env, member } from './lib.mjs';

const btest = browserTests(import.meta.url);
const BENGALI = /[\u0980-\u09FF]/;
const PHONE = { width: 390, height: 844 };

// The page's own text, without the language menus (which name every language in its script).
const pageText = (page) =>
  page.evaluate(() => {
    let t = document.body.innerText;
    for (const o of document.querySelectorAll('select option[lang]')) t = t.split(o.textContent).join('');
    return t;
  });

// The public card view, fetched without any key, as the page does.
async function publicCard(token, lang = '') {
  const res = await fetch(`${env.url}/api/v1/cards/${token}${lang ? `?lang=${lang}` : ''}`);
  assert.equal(res.status, 200, `GET /api/v1/cards/${token}`);
  return res.json();
}

async function firstLocation() {
  const r = await api('GET', '/api/v1/locations');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.locations[0];
}

btest('join in Bengali and land on my card', async (page) => {
  await page.setViewportSize(PHONE);
  const loc = await firstLocation();
  const res = await page.goto(`${env.url}${loc.join}`);
  assert.equal(res.status(), 200);
  await page.locator('#join').waitFor({ state: 'visible' });
  assert.match(await page.textContent('#join-where'), new RegExp(loc.name), 'the page names the location');
  assert.doesNotMatch(await pageText(page), BENGALI, 'an English browser starts in English');

  // choose Bengali: the whole page follows
  await page.selectOption('#f-locale', 'bn');
  await page.waitForFunction(() => document.documentElement.lang === 'bn');
  const text = await pageText(page);
  assert.match(await page.textContent('#join-heading'), BENGALI, 'the heading is in Bengali');
  assert.match(await page.textContent('#join-submit'), BENGALI, 'the button is in Bengali');
  assert.doesNotMatch(text, /Join our loyalty card|Your name|Phone number/, 'no English left');
  const months = await page.locator('#f-bday-month option').allTextContents();
  assert.match(months[4], BENGALI, 'month names in Bengali');
  await assertLabelled(page);
  await assertContrast(page);
  await assertFocusVisible(page);

  // consents: unticked until the customer ticks them, each explained
  assert.equal(await page.isChecked('#f-consent-email'), false, 'email consent unticked by default');
  assert.equal(await page.isChecked('#f-consent-sms'), false, 'SMS consent unticked by default');
  for (const id of ['f-consent-email-hint', 'f-consent-sms-hint'])
    assert.match(await page.textContent(`#${id}`), BENGALI, `${id} explains the consent`);

  // nothing filled: the form says what is missing, next to the fields, and sends nothing
  let posts = 0;
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().includes('/api/v1/join/')) posts++;
  });
  await page.click('#join-submit');
  await page.locator('#err-name').waitFor({ state: 'visible' });
  assert.match(await page.textContent('#err-name'), BENGALI);
  assert.equal(await page.locator('#err-phone').isVisible(), true, 'phone or email is asked for');
  assert.equal(posts, 0, 'an incomplete form is not sent');

  // an error from the API (a phone already on a card) shows next to the field it names
  const someone = await member(1);
  const name = `রহিমা খাতুন ${Date.now() % 100000}`;
  const phone = `+8801${String(Date.now()).slice(-9)}`;
  await page.fill('#f-name', name);
  await page.fill('#f-phone', someone.member.phone);
  await page.selectOption('#f-bday-day', '14');
  await page.selectOption('#f-bday-month', '4');
  await page.check('#f-consent-sms');
  await page.click('#join-submit');
  await page.locator('#err-phone').waitFor({ state: 'visible' });
  assert.match(await page.textContent('#err-phone'), BENGALI, 'the conflict is explained in Bengali');
  assert.equal(await page.getAttribute('#f-phone', 'aria-invalid'), 'true');
  assert.equal(await page.locator('#err-name').isVisible(), false, 'only the field named is marked');

  // the answer to the next submission is lost on the way back: the customer sees it, presses
  // again, and the same Idempotency-Key makes it one member
  await page.fill('#f-phone', phone);
  const keys = [];
  let dropped = false;
  await page.route('**/api/v1/join/*', async (route) => {
    const req = route.request();
    if (req.method() !== 'POST') return route.continue();
    keys.push(req.headers()['idempotency-key']);
    if (!dropped) {
      dropped = true;
      await route.fetch(); // reaches the server, which creates the member
      return route.abort('connectionreset');
    }
    return route.continue();
  });
  await page.click('#join-submit');
  await page.locator('#join-error').waitFor({ state: 'visible' });
  assert.match(await page.textContent('#join-error'), BENGALI, 'the network error is said in Bengali');
  assert.equal(await page.inputValue('#f-name'), name, 'what was typed is kept');
  await page.click('#join-submit');
  await page.waitForURL(/\/c\/[0-9A-Z]{20,}$/);
  assert.equal(keys.length, 2, 'two attempts');
  assert.match(keys[0], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a UUID key');
  assert.equal(keys[1], keys[0], 'the retry reuses the key');
  const token = new URL(page.url()).pathname.split('/')[2];

  // the database: one member, in Bengali, at this location, consents as ticked with their source
  const found = await api('GET', `/api/v1/members?q=${encodeURIComponent(phone)}`);
  assert.equal(found.body.members.length, 1, 'exactly one member with this phone');
  const shown = await cli(['member', 'show', token], { json: true });
  assert.equal(shown.member.name, name);
  assert.equal(shown.member.phone.replace(/\D/g, ''), phone.replace(/\D/g, ''));
  assert.equal(shown.member.locale, 'bn', 'the member speaks Bengali');
  assert.equal(shown.member.location, loc.code, 'home location is where they joined');
  assert.match(String(shown.member.birthday), /04-14$/, 'birthday day and month');
  assert.equal(shown.member.consent.email.granted, false, 'email consent as left: off');
  assert.equal(shown.member.consent.sms.granted, true, 'SMS consent as ticked: on');
  assert.equal(shown.member.consent.sms.source, `join page, location ${loc.code}`, 'consent source recorded');

  // my card, in Bengali, with what the API says
  await page.locator('#card').waitFor({ state: 'visible' });
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'bn');
  assert.match(await page.textContent('#welcome'), BENGALI, 'welcomed in Bengali');
  assert.equal((await page.textContent('#card-name')).trim(), name);
  const card = await publicCard(token);
  assert.equal(Number(await page.getAttribute('#points', 'data-value')), card.balances.points, 'points');
  assert.equal(Number(await page.getAttribute('#stamp-card', 'data-on-card')), card.stamp_card.on_card, 'stamps');
  assert.equal(await page.locator('#stamp-card .stamp').count(), card.stamp_card.card_size, 'the card has its size');
  assert.equal(await page.getAttribute('#card-qr', 'src'), card.qr_svg, 'the QR image is the card');
  assert.ok(await page.evaluate(() => document.querySelector('#card-qr').naturalWidth > 0), 'the QR image loaded');
  assert.match(await pageText(page), BENGALI);
});

btest('my card shows the card holder what the API says, and the language switch is remembered', async (page) => {
  await page.setViewportSize(PHONE);
  // a demo member with stamps and points, in Malay (their own language first)
  const r = await api('GET', '/api/v1/members?q=a&limit=100');
  const ids = (r.body.members || []).map((m) => m.id);
  let view = null;
  for (const id of ids) {
    const v = await member(id);
    if (v.member.locale === 'ms' && v.balances.points > 0 && v.stamp_card && v.stamp_card.on_card > 0 && v.tier && v.tier.next) {
      view = v;
      break;
    }
  }
  assert.ok(view, 'a Malay-speaking demo member with points, stamps and a next tier');
  const token = view.member.card_token;
  const card = await publicCard(token);

  await page.goto(`${env.url}/c/${token}`);
  await page.locator('#card').waitFor({ state: 'visible' });
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'ms', "the member's language first");
  assert.equal(await page.inputValue('#lang'), 'ms');
  await assertLabelled(page);
  await assertContrast(page);
  // the picture of my card for docs/img/card.png
  await page.screenshot({ path: path.join(env.shots, 'customer--my-card-in-the-members-language.png'), fullPage: true });

  assert.equal((await page.textContent('#card-name')).trim(), card.member.name);
  assert.equal(Number(await page.getAttribute('#points', 'data-value')), card.balances.points, 'points');
  assert.equal(Number(await page.getAttribute('#pending', 'data-value')), card.balances.pending, 'pending points');
  assert.equal(Number(await page.getAttribute('#expiring', 'data-value')), card.expiring.points, 'expiring points');
  assert.equal(await page.locator('#stamp-card .stamp.filled').count(), card.stamp_card.on_card, 'filled stamps');
  assert.equal(await page.locator('#stamp-card .stamp').count(), card.stamp_card.card_size, 'stamp card size');
  assert.equal((await page.textContent('#tier-name')).trim(), card.tier.name, 'tier');
  assert.equal(await page.evaluate(() => document.querySelector('#tier-bar').value), card.tier.qualifying, 'progress');
  assert.ok((await page.textContent('#tier-progress')).includes(card.tier.next.name), 'the next tier is named');
  const ready = card.rewards.filter((x) => x.available).map((x) => x.id).sort();
  assert.equal(await page.locator('#rewards li.reward').count(), card.rewards.length, 'every reward');
  assert.deepEqual(
    (await page.locator('#rewards li.ready').evaluateAll((ls) => ls.map((l) => l.dataset.reward))).sort(), ready,
    'the rewards redeemable now are marked ready');
  if (card.giving) assert.ok((await page.textContent('#giving')).includes(card.giving.cause), 'giving names the cause');
  assert.equal(await page.getAttribute('#card-qr', 'src'), card.qr_svg);

  // the switch: English now and after a reload
  await page.selectOption('#lang', 'en');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.match(await page.textContent('#rewards-heading'), /Rewards/);
  // the programme's names follow: the tier and rewards as the API gives them in English
  const en = await publicCard(token, 'en');
  assert.notEqual(en.tier.name, card.tier.name, 'the demo tier has a Malay and an English name');
  await page.locator('#tier-name', { hasText: en.tier.name }).waitFor();
  assert.deepEqual(await page.locator('#rewards .reward-name').allTextContents(), en.rewards.map((x) => x.name), 'reward names in English');
  await page.reload();
  await page.locator('#card').waitFor({ state: 'visible' });
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en', 'the choice is remembered');
  assert.equal(await page.inputValue('#lang'), 'en');
  assert.equal(Number(await page.getAttribute('#points', 'data-value')), card.balances.points);
});

btest('an unknown card and an unknown join address get a kind page', async (page) => {
  await page.setViewportSize(PHONE);
  const res = await page.goto(`${env.url}/c/NOSUCHCARDNOSUCHCARD0000`);
  assert.equal(res.status(), 200, 'the page itself loads');
  await page.locator('#notfound').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#card').isVisible(), false);
  assert.ok((await page.textContent('#notfound-heading')).trim().length > 0, 'it says so');
  assert.ok((await page.textContent('#notfound p')).trim().length > 0, 'and what to do');
  await page.selectOption('#lang', 'bn');
  await page.waitForFunction(() => /[\u0980-\u09FF]/.test(document.querySelector('#notfound-heading').textContent));

  await page.goto(`${env.url}/join/999999`);
  await page.locator('#nolocation').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#join-form').isVisible(), false, 'no form for a shop that is not there');
  assert.match(await page.textContent('#nolocation-heading'), BENGALI, 'in the language chosen before');
});

test('the customer pages are served like the console: public, typed, ETag, strict CSP', async () => {
  const get = (p, headers = {}) => fetch(env.url + p, { headers });
  for (const [p, type] of [
    ['/join/1', 'text/html; charset=utf-8'],
    ['/c/ANYTOKENATALLANYTOKEN', 'text/html; charset=utf-8'],
    ['/customer/join.js', 'text/javascript; charset=utf-8'],
    ['/customer/card.js', 'text/javascript; charset=utf-8'],
    ['/customer/common.js', 'text/javascript; charset=utf-8'],
    ['/customer/customer.css', 'text/css; charset=utf-8'],
    ['/customer/icon.svg', 'image/svg+xml'],
  ]) {
    const res = await get(p);
    assert.equal(res.status, 200, p);
    assert.equal(res.headers.get('content-type'), type, p);
    const csp = res.headers.get('content-security-policy') || '';
    assert.match(csp, /default-src 'self'/, `${p}: CSP`);
    assert.doesNotMatch(csp, /unsafe/, `${p}: nothing unsafe`);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', p);
    const etag = res.headers.get('etag');
    assert.ok(etag, `${p}: ETag`);
    assert.equal((await get(p, { 'If-None-Match': etag })).status, 304, `${p}: revalidated`);
  }
  const join = await (await get('/join/1')).text();
  assert.equal(join, await (await get('/join/2')).text(), 'one join page for every location');
  assert.equal(join, await (await get('/customer/join.html')).text());
  for (const p of ['/customer/nope.js', '/customer/i18n%2fen.json', '/customer/app.js', '/customer/%2e%2e%2fconsole%2fapp.js', '/c/', '/c/A/B', '/join/1/x'])
    assert.equal((await get(p)).status, 404, p);
  assert.equal((await fetch(`${env.url}/join/1`, { method: 'POST' })).status, 405, 'GET only');
});
