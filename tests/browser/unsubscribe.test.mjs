// The unsubscribe page (/u/{token}), on a phone-sized screen, without a staff login: a demo
// member who speaks Bengali opens the link from a marketing message (nothing changes by opening
// it), presses "Unsubscribe from all" (the RFC 8058 one-click POST, a form body, no cookies) and
// both consents are off in the database with the link as their source; then turns email back on
// and the database says so with the page as its source. An unknown link gets a kind page; the
// page is served like the other customer pages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import path from 'node:path';
import { api, browserTests, env, member } from './lib.mjs';

const btest = browserTests(import.meta.url);
const BENGALI = /[\u0980-\u09FF]/;
const PHONE = { width: 390, height: 844 };

// Every visible form control has a label (its own <label for>, or aria-label, or its text).
async function assertLabelled(page) {
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll('input, select, button')]
      .filter((c) => c.offsetParent !== null)
      .filter((c) => !(c.labels && c.labels.length) && !c.getAttribute('aria-label') && !c.textContent.trim())
      .map((c) => c.id || c.outerHTML.slice(0, 60)));
  assert.deepEqual(unlabelled, [], 'controls without a label');
}

// The consents as staff see them: {email: {granted, at, source}, sms: {...}}.
const consents = async (id) => (await member(id)).member.consent;

// A demo member who speaks Bengali and has an email address and a phone, with both consents
// given (set up through the staff API: the page is what is tested).
async function bengaliMember() {
  let found = null;
  for (let id = 1; id <= 150 && !found; id++) {
    const m = (await member(id)).member;
    if (m.locale === 'bn' && m.email && m.phone) found = m;
  }
  assert.ok(found, 'a Bengali-speaking demo member with an email address and a phone');
  const p = await api('PATCH', `/api/v1/members/${found.id}`, { consent: { email: true, sms: true } });
  assert.equal(p.status, 200, JSON.stringify(p.body));
  return member(found.id);
}

btest('unsubscribe from all in Bengali, then take email back', async (page) => {
  await page.setViewportSize(PHONE);
  const view = await bengaliMember();
  const id = view.member.id;
  const url = view.member.unsubscribe_url;
  assert.match(url, /^\/u\/[0-9A-Z]{32}$/, 'staff see the unsubscribe address');
  assert.ok(!url.includes(view.member.card_token), 'the address is not the card');
  const before = await consents(id);
  assert.equal(before.email.granted && before.sms.granted, true);

  // every request the page makes, to check the one-click POST as sent
  const requests = [];
  page.on('request', (r) => requests.push(r));

  // opening the page (as a mail scanner following the link would) changes nothing
  const res = await page.goto(`${env.url}${url}`);
  assert.equal(res.status(), 200);
  await page.locator('#unsub').waitFor({ state: 'visible' });
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'bn', "the member's language");
  assert.equal(await page.inputValue('#lang'), 'bn');
  assert.match(await page.textContent('#unsub-heading'), BENGALI, 'greeted in Bengali');
  assert.ok((await page.textContent('#unsub-heading')).includes(view.member.name.split(' ')[0]), 'by first name');
  assert.match(await page.textContent('#unsub-all'), BENGALI, 'the button is in Bengali');
  assert.doesNotMatch(await page.textContent('#unsub'), /Unsubscribe|Offers and news/, 'no English left');
  assert.equal(await page.isChecked('#ch-email'), true, 'shows email as subscribed');
  assert.equal(await page.isChecked('#ch-sms'), true, 'shows SMS as subscribed');
  assert.equal(await page.getAttribute('#ch-email', 'role'), 'switch');
  await assertLabelled(page);
  assert.equal((await page.textContent('body')).includes(view.member.email), false, 'no contact details shown');
  assert.deepEqual(await consents(id), before, 'opening the page changed nothing');

  // keyboard users see where they are
  await page.focus('#ch-sms');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'unsub-all');
  const ring = await page.evaluate(() => {
    const s = getComputedStyle(document.activeElement);
    return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) };
  });
  assert.notEqual(ring.style, 'none', 'a visible focus ring');
  assert.ok(ring.width >= 2, 'a focus ring of at least 2px');
  await page.screenshot({ path: path.join(env.shots, 'unsubscribe--page-in-bengali.png'), fullPage: true });

  // one button: the one-click POST, then a plain confirmation
  await page.click('#unsub-all');
  await page.locator('#unsub-done').waitFor({ state: 'visible' });
  const done = await page.textContent('#unsub-done');
  assert.match(done, BENGALI, 'confirmed in Bengali');
  assert.ok(done.includes('Kopi Kita'), 'names the shop');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'unsub-done', 'focus moves to the confirmation');
  const post = requests.find((r) => r.method() === 'POST');
  assert.ok(post, 'the button POSTs');
  assert.equal(new URL(post.url()).pathname, url, 'to the address in the message');
  assert.equal(post.postData(), 'List-Unsubscribe=One-Click', 'the RFC 8058 body');
  const headers = await post.allHeaders();
  assert.match(headers['content-type'], /^application\/x-www-form-urlencoded/);
  assert.equal(headers.cookie, undefined, 'no cookies');
  assert.equal(requests.filter((r) => r.method() !== 'GET' && r !== post).length, 0, 'nothing else written');

  const off = await consents(id);
  assert.equal(off.email.granted, false, 'email consent withdrawn');
  assert.equal(off.sms.granted, false, 'SMS consent withdrawn');
  assert.equal(off.email.source, 'unsubscribe-link');
  assert.equal(off.sms.source, 'unsubscribe-link');
  assert.ok(off.email.at && off.email.at >= before.email.at, 'the time is recorded');
  assert.equal(await page.isChecked('#ch-email'), false);
  assert.equal(await page.isChecked('#ch-sms'), false);
  await page.screenshot({ path: path.join(env.shots, 'unsubscribe--unsubscribed.png'), fullPage: true });

  // changed their mind: email back on, SMS stays off; the switch keeps the choice while a slow
  // answer is on its way
  await page.route('**/api/v1/subscriptions/*', async (route) => {
    if (route.request().method() === 'PUT') await new Promise((done) => setTimeout(done, 400));
    return route.continue();
  });
  await page.check('#ch-email');
  assert.equal(await page.isChecked('#ch-email'), true, 'no flicker back while saving');
  await page.locator('#unsub-saved').filter({ hasText: BENGALI }).waitFor();
  assert.equal(await page.locator('#unsub-done').isVisible(), false, 'no longer "no more messages"');
  assert.equal(await page.isChecked('#ch-email'), true);
  assert.equal(await page.isChecked('#ch-sms'), false);
  const again = await consents(id);
  assert.equal(again.email.granted, true, 'email consent given again');
  assert.equal(again.email.source, 'unsubscribe-page', 'by the page');
  assert.ok(again.email.at >= off.email.at, 'at a recorded time');
  assert.equal(again.sms.granted, false, 'SMS still off');
  assert.equal(again.sms.source, 'unsubscribe-link', 'SMS keeps its source');

  // a reload shows what is saved
  await page.reload();
  await page.locator('#unsub').waitFor({ state: 'visible' });
  assert.equal(await page.isChecked('#ch-email'), true);
  assert.equal(await page.isChecked('#ch-sms'), false);
});

btest('an unknown unsubscribe link gets a kind page', async (page) => {
  await page.setViewportSize(PHONE);
  const res = await page.goto(`${env.url}/u/NOSUCHLINKNOSUCHLINKNOSUCHLINK00`);
  assert.equal(res.status(), 200, 'the page itself loads');
  await page.locator('#notfound').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#unsub').isVisible(), false);
  assert.ok((await page.textContent('#notfound-heading')).trim().length > 0, 'it says so');
  assert.ok((await page.textContent('#notfound p')).trim().length > 0, 'and what to do');
  await page.selectOption('#lang', 'bn');
  await page.waitForFunction(() => /[\u0980-\u09FF]/.test(document.querySelector('#notfound-heading').textContent));
});

test('the unsubscribe page is served like the other customer pages', async () => {
  const get = (p, opts = {}) => fetch(env.url + p, opts);
  for (const [p, type] of [
    ['/u/ANYTOKENATALLANYTOKENATALLANYTO', 'text/html; charset=utf-8'],
    ['/customer/unsub.js', 'text/javascript; charset=utf-8'],
  ]) {
    const res = await get(p);
    assert.equal(res.status, 200, p);
    assert.equal(res.headers.get('content-type'), type, p);
    assert.match(res.headers.get('content-security-policy') || '', /default-src 'self'/, `${p}: CSP`);
    const etag = res.headers.get('etag');
    assert.ok(etag, `${p}: ETag`);
    assert.equal((await get(p, { headers: { 'If-None-Match': etag } })).status, 304, `${p}: revalidated`);
  }
  assert.equal(await (await get('/u/A1')).text(), await (await get('/customer/unsub.html')).text(), 'one page');
  assert.equal((await get('/u/A1', { method: 'PUT' })).status, 405, 'GET and the one-click POST only');
});
